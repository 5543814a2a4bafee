//! Notes on compile errors inside woven advice (DESIGN §7, §11): the
//! compiler reports an error in injected code at the aspect file, line and
//! column that wrote it (the weaver's `//line` directives); goaop adds which
//! advice of which aspect that is, and where it was woven, so the user can
//! tell the aspect's mistake from a join point that does not fit it:
//!
//! ```text
//! aspects.yaml:12:9: undefined: span
//! goaop: aspects.yaml:12:9 is in the `before` advice of aspect `tracing`, woven into (*OrderService).Create (orders/orders.go:42), Load (orders/orders.go:50), Save (orders/orders.go:61) and 2 more
//! ```
//!
//! The front ends pass the tool's output through unchanged: `-toolexec`
//! collects the reported positions ([`Collector`]) and appends the notes
//! when the compile fails; driver mode writes each note after the line it
//! concerns ([`Filter`]), as the go command's output streams by.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::check::{CheckedAspect, JoinKind, Template};
use crate::weave::Decision;

/// A position a line of compiler output reports (`path:line:col: …`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reported {
    /// As the line spells it.
    pub path: String,
    pub line: u32,
    pub col: u32,
}

/// The position a line of compiler output starts with, if any.
pub fn reported(line: &str) -> Option<Reported> {
    let line = line.trim_end_matches(['\r', '\n']);
    // `path:L:C:` with the first `:digits:digits:` after a non-empty path
    // (a path may hold colons, e.g. `C:\`).
    let bytes = line.as_bytes();
    let digits = |from: usize| {
        let n = bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (n > 0).then_some(from + n)
    };
    let mut at = 1;
    while let Some(i) = line.get(at..)?.find(':').map(|i| i + at) {
        if let Some(l_end) = digits(i + 1)
            && bytes.get(l_end) == Some(&b':')
            && let Some(c_end) = digits(l_end + 1)
            && matches!(bytes.get(c_end), None | Some(b':'))
        {
            return Some(Reported {
                path: line[..i].to_string(),
                line: line[i + 1..l_end].parse().ok()?,
                col: line[l_end + 1..c_end].parse().ok()?,
            });
        }
        at = i + 1;
    }
    None
}

/// How many sites a note names (then `and N more`).
const SHOWN: usize = 3;

/// The lines of one template in its aspect file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Region {
    file: String,
    first: u32,
    last: u32,
    aspect: String,
    /// `the \`before\` advice`, `the \`set-field\` advice for Transport`.
    advice: String,
}

/// Where aspects were applied, and the lines of their templates: what the
/// notes say. Driver mode keeps them with a build's woven files.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct AdviceErrors {
    regions: Vec<Region>,
    /// Per aspect: the sites it was applied to (`(*S).M (file.go:12)`),
    /// in build order, each once.
    woven: BTreeMap<String, Vec<String>>,
    /// Per aspect: `into` (functions) or `at` (call sites, literals, uses).
    verb: BTreeMap<String, String>,
    /// The directory relative paths are resolved in (the go command's): it
    /// shortens paths under it in its output.
    base: Option<PathBuf>,
}

impl AdviceErrors {
    /// From the aspects of a rule set and the decisions of a build (each
    /// with the name of its file). `base`: the directory the go command
    /// runs in, when its output is read (driver mode); paths under it are
    /// shown relative to it.
    pub fn new<'a>(
        aspects: &[CheckedAspect],
        decisions: impl IntoIterator<Item = (&'a str, &'a Decision)>,
        base: Option<&Path>,
    ) -> Self {
        let mut out = AdviceErrors {
            base: base.map(Path::to_path_buf),
            ..Default::default()
        };
        for (file, d) in decisions {
            if d.skipped.is_some() {
                continue;
            }
            let shown = match base.and_then(|b| Path::new(file).strip_prefix(b).ok()) {
                Some(rel) => rel.display().to_string(),
                None => file.to_string(),
            };
            let site = format!("{} ({shown}:{})", d.site, d.line);
            let sites = out.woven.entry(d.aspect.clone()).or_default();
            if !sites.contains(&site) {
                sites.push(site);
            }
        }
        for a in aspects.iter().filter(|a| out.woven.contains_key(&a.name)) {
            let verb = match a.kind {
                JoinKind::Execution => "woven into",
                JoinKind::Call if !a.advice.set_fields.is_empty() => "woven into a literal of",
                JoinKind::Call => "woven at a call of",
                JoinKind::Ref => "woven at a use of",
            };
            out.verb.insert(a.name.clone(), verb.to_string());
            let adv = &a.advice;
            // One region per run of consecutive aspect-file lines (an
            // included snippet's lines are elsewhere in the file).
            let mut add = |t: &Template, what: String| {
                for (first, last) in t.line_runs() {
                    out.regions.push(Region {
                        file: t.origin.file.clone(),
                        first,
                        last,
                        aspect: a.name.clone(),
                        advice: what.clone(),
                    });
                }
            };
            for (t, name) in [
                (&adv.before, "before"),
                (&adv.after, "after"),
                (&adv.around, "around"),
                (&adv.replace, "replace"),
                (&adv.wrap, "wrap"),
            ] {
                if let Some(t) = t {
                    add(t, format!("the `{name}` advice"));
                }
            }
            for t in &adv.append_args {
                add(t, "the `append-args` advice".to_string());
            }
            for s in &adv.set_fields {
                add(
                    &s.template,
                    format!("the `set-field` advice for {}", s.field),
                );
            }
        }
        out
    }

    /// Nothing was woven: no line can get a note.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The note for a reported position inside advice (no line break).
    pub fn note(&self, at: &Reported) -> Option<String> {
        let region = self
            .regions
            .iter()
            .find(|r| (r.first..=r.last).contains(&at.line) && self.same_file(&at.path, &r.file))?;
        let mut text = format!(
            "goaop: {}:{}:{} is in {} of aspect `{}`",
            at.path, at.line, at.col, region.advice, region.aspect
        );
        if let Some(sites) = self.woven.get(&region.aspect).filter(|s| !s.is_empty()) {
            let verb = self
                .verb
                .get(&region.aspect)
                .map_or("woven at", String::as_str);
            let shown = &sites[..sites.len().min(SHOWN)];
            text.push_str(&format!(", {verb} {}", shown.join(", ")));
            if sites.len() > shown.len() {
                text.push_str(&format!(" and {} more", sites.len() - shown.len()));
            }
        }
        Some(text)
    }

    /// Whether a path as reported names the aspect file `file`.
    fn same_file(&self, reported: &str, file: &str) -> bool {
        if reported == file {
            return true;
        }
        match &self.base {
            Some(base) => normal(&base.join(reported)) == normal(&base.join(file)),
            None => false,
        }
    }
}

/// A path with `.` and `..` resolved lexically.
fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The longest prefix of a line kept to find its position: a position is
/// at the start, and lines can be arbitrarily long.
const KEEP: usize = 4096;

/// Splits bytes that arrive in chunks into lines.
#[derive(Debug, Default)]
struct Lines {
    partial: Vec<u8>,
}

impl Lines {
    /// Call `line` with each line `chunk` completes (its kept prefix) and
    /// the end of that line in `chunk`.
    fn feed(&mut self, chunk: &[u8], mut line: impl FnMut(&str, usize)) {
        let mut from = 0;
        while let Some(i) = chunk[from..].iter().position(|&b| b == b'\n') {
            let end = from + i + 1;
            self.keep(&chunk[from..end]);
            line(&String::from_utf8_lossy(&self.partial), end);
            self.partial.clear();
            from = end;
        }
        self.keep(&chunk[from..]);
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = KEEP.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The unterminated last line, if any.
    fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.partial);
        (!rest.is_empty()).then(|| String::from_utf8_lossy(&rest).into_owned())
    }
}

/// Collects the positions a tool's output reports (for `-toolexec`: the
/// notes come after the compile, when it failed).
#[derive(Debug, Default)]
pub struct Collector {
    lines: Lines,
    found: BTreeSet<Reported>,
}

impl Collector {
    pub fn feed(&mut self, chunk: &[u8]) {
        let found = &mut self.found;
        self.lines
            .feed(chunk, |line, _| found.extend(reported(line)));
    }

    /// Every position reported, sorted, each once.
    pub fn finish(mut self) -> Vec<Reported> {
        if let Some(last) = self.lines.finish() {
            self.found.extend(reported(&last));
        }
        self.found.into_iter().collect()
    }

    /// Merge what another collector found (the other output stream).
    pub fn merge(&mut self, other: Collector) {
        self.found.extend(other.finish());
    }
}

/// The notes for `positions`, one line each, for those inside advice.
pub fn notes_for(errors: &AdviceErrors, positions: &[Reported]) -> String {
    positions
        .iter()
        .filter_map(|p| errors.note(p))
        .map(|n| n + "\n")
        .collect()
}

/// Passes output through with a note after each line that reports a
/// position inside advice (each position noted once): for driver mode,
/// where the go command's output streams by.
#[derive(Debug)]
pub struct Filter<'a> {
    errors: &'a AdviceErrors,
    lines: Lines,
    seen: BTreeSet<Reported>,
}

impl<'a> Filter<'a> {
    pub fn new(errors: &'a AdviceErrors) -> Self {
        Filter {
            errors,
            lines: Lines::default(),
            seen: BTreeSet::new(),
        }
    }

    /// What to write for `chunk`: its bytes unchanged, notes after the
    /// lines they concern.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len());
        let mut from = 0;
        let (errors, seen) = (self.errors, &mut self.seen);
        self.lines.feed(chunk, |line, end| {
            out.extend_from_slice(&chunk[from..end]);
            from = end;
            if let Some(note) = note_once(errors, seen, line) {
                out.extend_from_slice(note.as_bytes());
                out.push(b'\n');
            }
        });
        out.extend_from_slice(&chunk[from..]);
        out
    }

    /// What to write at the end of the output: the note of an
    /// unterminated last line.
    pub fn finish(&mut self) -> Vec<u8> {
        match self.lines.finish() {
            Some(last) => match note_once(self.errors, &mut self.seen, &last) {
                Some(note) => format!("\n{note}\n").into_bytes(),
                None => Vec::new(),
            },
            None => Vec::new(),
        }
    }
}

fn note_once(errors: &AdviceErrors, seen: &mut BTreeSet<Reported>, line: &str) -> Option<String> {
    let at = reported(line)?;
    let note = errors.note(&at)?;
    seen.insert(at).then_some(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Advice, Origin, Pointcut};

    #[test]
    fn positions_at_the_start_of_a_line() {
        let r = reported("/m/aspects.yaml:12:9: undefined: x\n").unwrap();
        assert_eq!((r.path.as_str(), r.line, r.col), ("/m/aspects.yaml", 12, 9));
        let r = reported("C:\\m\\a.yaml:3:1: bad").unwrap();
        assert_eq!(r.path, "C:\\m\\a.yaml");
        let r = reported("./a b:c/x.go:7:2").unwrap();
        assert_eq!((r.path.as_str(), r.line, r.col), ("./a b:c/x.go", 7, 2));
        assert!(reported("# example.com/app").is_none());
        assert!(reported("x.go:7: no column").is_none());
        assert!(reported("\tat x.go:7:2x").is_none());
    }

    fn sample() -> AdviceErrors {
        let template = Template {
            origin: Origin {
                file: "aspects.yaml".into(),
                line: 10,
            },
            columns: vec![7, 7, 7],
            lines: Vec::new(),
            ..Template::default()
        };
        let aspect = CheckedAspect {
            name: "tracing".into(),
            origin: Origin::default(),
            kind: JoinKind::Execution,
            pointcut: Pointcut::MainModule,
            requires: Vec::new(),
            results: Vec::new(),
            globals: Vec::new(),
            imports: Vec::new(),
            vars: Default::default(),
            advice: Advice {
                before: Some(template),
                ..Advice::default()
            },
            idents: Default::default(),
            order: 0,
            tests: false,
        };
        let decision = |site: &str, line: u32, skipped: Option<&str>| Decision {
            file: 0,
            line,
            site: site.into(),
            signature: String::new(),
            aspect: "tracing".into(),
            skipped: skipped.map(str::to_string),
        };
        let ds = [
            decision("(*S).Create", 42, None),
            decision("Load", 50, None),
            decision("Skip", 60, Some("no")),
        ];
        AdviceErrors::new(
            &[aspect],
            ds.iter().map(|d| ("/m/orders/orders.go", d)),
            Some(Path::new("/m")),
        )
    }

    #[test]
    fn notes_name_the_advice_and_where_it_was_woven() {
        let e = sample();
        let at = |p: &str, l| Reported {
            path: p.into(),
            line: l,
            col: 9,
        };
        assert_eq!(
            e.note(&at("./aspects.yaml", 12)).unwrap(),
            "goaop: ./aspects.yaml:12:9 is in the `before` advice of aspect `tracing`, woven into (*S).Create (orders/orders.go:42), Load (orders/orders.go:50)"
        );
        assert!(e.note(&at("aspects.yaml", 13)).is_none());
        assert!(e.note(&at("other.yaml", 11)).is_none());
    }

    #[test]
    fn the_filter_keeps_the_bytes_and_adds_notes_once() {
        let e = sample();
        let mut f = Filter::new(&e);
        let input = "# example.com/m\naspects.yaml:11:3: undefined: x\naspects.yaml:11:3: undefined: x\nmain.go:1:1: y\npartial aspects";
        let mut out = Vec::new();
        for chunk in input.as_bytes().chunks(7) {
            out.extend(f.feed(chunk));
        }
        out.extend(f.finish());
        let out = String::from_utf8(out).unwrap();
        let without: String = out
            .lines()
            .filter(|l| !l.starts_with("goaop: "))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(without, input);
        assert_eq!(
            out.matches("goaop: aspects.yaml:11:3 is in").count(),
            1,
            "{out}"
        );
        assert!(
            out.contains("undefined: x\ngoaop: aspects.yaml:11:3"),
            "{out}"
        );
    }

    #[test]
    fn the_collector_finds_every_position() {
        let mut c = Collector::default();
        c.feed(b"aspects.yaml:11:3: a\nmain.go:2:1: b\naspects.yaml:11:3: a");
        let found = c.finish();
        assert_eq!(found.len(), 2);
        assert_eq!(notes_for(&sample(), &found).lines().count(), 1);
    }
}
