//! `use:` entries: the packs they enable, bundled integrations and Go
//! packages alike ([`crate::packs`]), followed transitively with an explicit
//! queue. Each pack's files are added to the run's sources and checked like
//! the user's; a path that gave no pack, an unknown name and packs that use
//! each other are diagnostics at the `use:` entry.

use super::{CheckOutput, path_problem};
use crate::bundled;
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes, did_you_mean};
use crate::load::{RawAspect, RawFile};
use crate::packs::{PackFrom, PackProblem, Packs};

/// A pack enabled by `use:`, with where.
#[derive(Clone, Debug)]
pub struct UsedPack {
    pub name: String,
    pub from: PackFrom,
    /// The `use:` entry that enabled it first.
    pub used_at: Span,
    /// Its files in the run's sources.
    pub files: Vec<FileId>,
}

/// A `use:` entry still to resolve, with the packs that led to it (to
/// report cycles).
struct PendingUse {
    used: Spanned<String>,
    chain: Vec<String>,
}

/// Follow the `use:` entries of `raw` (and of the packs they enable,
/// breadth first, with an explicit queue): add each pack's files to
/// `sources` and their aspects to `raws`.
pub(super) fn resolve(
    sources: &mut Sources,
    raw: &RawFile,
    packs: &Packs,
    raws: &mut Vec<RawAspect>,
    out: &mut CheckOutput,
) {
    let mut queue: std::collections::VecDeque<PendingUse> = raw
        .uses
        .iter()
        .map(|u| PendingUse {
            used: u.clone(),
            chain: Vec::new(),
        })
        .collect();
    while let Some(PendingUse { used, chain }) = queue.pop_front() {
        if let Some(at) = chain.iter().position(|c| *c == used.value) {
            let cycle = chain[at..]
                .iter()
                .chain(std::iter::once(&used.value))
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" uses ");
            out.diagnostics.push(
                Diagnostic::error(
                    codes::PACK_CYCLE,
                    format!("aspect packs use each other: {cycle}"),
                    used.span.clone(),
                    "closes the cycle",
                )
                .with_help("remove this `use:` entry: a pack's aspects are enabled once, by whichever `use:` comes first"),
            );
            continue;
        }
        if !out.used.insert(used.value.clone()) {
            continue;
        }
        let pack = match packs.get(&used.value) {
            Some(Ok(pack)) => pack,
            Some(Err(problem)) => {
                out.diagnostics.push(pack_problem(&used, &problem));
                continue;
            }
            None => {
                out.diagnostics.push(unknown_use(&used));
                continue;
            }
        };
        let mut ids = Vec::new();
        for file in &pack.files {
            let id = sources.add(file.name.clone(), file.text.clone());
            ids.push(id);
            let (pack_raw, diags) = super::load_file(sources, id);
            out.diagnostics.extend(diags);
            out.diagnostics.extend(path_problem(sources, id));
            let mut chain = chain.clone();
            chain.push(used.value.clone());
            queue.extend(pack_raw.uses.into_iter().map(|u| PendingUse {
                used: u,
                chain: chain.clone(),
            }));
            raws.extend(pack_raw.aspects);
            if pack.from != PackFrom::Bundled {
                out.pack_files
                    .insert(id, (pack.name.clone(), used.span.clone()));
            }
        }
        out.uses.push(used.clone());
        out.packs.push(UsedPack {
            name: pack.name,
            from: pack.from,
            used_at: used.span,
            files: ids,
        });
    }
}

/// A `use:` entry that is neither bundled nor a resolved pack.
fn unknown_use(used: &Spanned<String>) -> Diagnostic {
    if crate::packs::is_pack_path(&used.value) {
        // The project layer resolves every pack path it reaches; this one
        // was past its limits, or the caller resolved none.
        return Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("aspect pack `{}` was not resolved", used.value),
            used.span.clone(),
            "not resolved",
        )
        .with_help(format!(
            "packs are resolved through the module's go.mod by `goaop check`, `plan` and builds, \
             at most {} packs and {} levels of packs using packs: use fewer",
            crate::packs::resolve::MAX_PACKS,
            crate::packs::resolve::MAX_ROUNDS
        ));
    }
    let names = bundled::INTEGRATIONS.iter().map(|f| f.name);
    let list: Vec<&str> = bundled::INTEGRATIONS.iter().map(|f| f.name).collect();
    let help = match did_you_mean(&used.value, names) {
        Some(s) => format!("did you mean `{s}`?"),
        None if list.is_empty() => "this version of goaop bundles no integrations yet".to_string(),
        None => format!(
            "bundled integrations: {}; an aspect pack is named by its Go import path (`example.com/acme/pack`)",
            list.join(", ")
        ),
    };
    Diagnostic::error(
        codes::UNKNOWN_USE,
        format!("unknown bundled integration `{}`", used.value),
        used.span.clone(),
        "not bundled with goaop",
    )
    .with_help(format!("{help} (`goaop check --list-bundled` lists them)"))
}

/// The diagnostic for a pack path that gave no pack.
fn pack_problem(used: &Spanned<String>, problem: &PackProblem) -> Diagnostic {
    let name = &used.value;
    let span = used.span.clone();
    match problem {
        PackProblem::BadPath(why) => Diagnostic::error(
            codes::BAD_IMPORT_PATH,
            format!("`{name}` is not a Go import path"),
            span,
            why.clone(),
        )
        .with_help("name an aspect pack by the import path of its Go package, e.g. `example.com/acme/goaop-kafka`"),
        PackProblem::NoModule => Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("aspect pack `{name}` cannot be resolved outside a Go module"),
            span,
            "no go.mod to resolve it against",
        )
        .with_help("run goaop inside the Go module that requires the pack (its go.mod pins the pack's version)"),
        PackProblem::NotRequired => Diagnostic::error(
            codes::PACK_NOT_REQUIRED,
            format!("no module in go.mod provides aspect pack `{name}`"),
            span,
            "not in the module graph",
        )
        .with_help(format!("run `go get {name}@latest`, then build again")),
        PackProblem::NoDir { module, detail } => Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("the directory of aspect pack `{name}` (module {module}) was not found"),
            span,
            "not found",
        )
        .with_note(format!("the go command said: {}", detail.trim()))
        .with_help(format!("run `go mod download {module}` (or `go get {name}`), then build again")),
        PackProblem::NoAspectFiles { dir } => Diagnostic::error(
            codes::PACK_EMPTY,
            format!("package `{name}` has no aspect files"),
            span,
            "not an aspect pack",
        )
        .with_note(format!("looked for aspects.yaml, aspects.yml and *.aspect in {}", dir.display()))
        .with_help("name a package that ships aspect files, or remove this entry"),
        PackProblem::Unreadable { file, detail } => Diagnostic::error(
            codes::PACK_EMPTY,
            format!("aspect pack `{name}`: cannot read {file}"),
            span,
            "unreadable pack",
        )
        .with_note(detail.clone())
        .with_help("fix the pack's file (a regular UTF-8 file of at most 4 MiB), or remove this entry"),
    }
}

/// Add to every diagnostic pointing into a pack's file a note naming the
/// pack and the `use:` entry that enabled it.
pub fn note_pack_origins(out: &CheckOutput, sources: &Sources, diags: &mut [Diagnostic]) {
    for d in diags {
        if let Some((name, used_at)) = out.pack_files.get(&d.primary.span.file) {
            let file = &sources.get(used_at.file).name;
            let (line, col) = sources.line_col(used_at.file, used_at.range.start);
            d.notes.push(format!(
                "this file belongs to aspect pack `{name}`, used at {file}:{line}:{col}"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::packs::{Pack, PackFile};

    fn pack(name: &str, file: &'static str, text: &'static str) -> Result<Pack, PackProblem> {
        Ok(Pack {
            name: name.to_string(),
            files: vec![PackFile {
                name: Cow::Borrowed(file),
                text: Cow::Borrowed(text),
            }],
            from: PackFrom::Module {
                module: name.to_string(),
                version: "v1.0.0".into(),
                dir: file.into(),
            },
        })
    }

    fn run(user: &str, packs: Packs) -> (Sources, CheckOutput) {
        let mut sources = Sources::new();
        let id = sources.add("aspects.yaml", user);
        let mut out = super::super::check_with_packs(&mut sources, &[id], &packs);
        let mut diags = std::mem::take(&mut out.diagnostics);
        note_pack_origins(&out, &sources, &mut diags);
        out.diagnostics = diags;
        (sources, out)
    }

    const ASPECT: &str =
        "aspects:\n  - name: a\n    target: \"^func main\"\n    before: |\n      println(1)\n";

    #[test]
    fn packs_are_checked_like_bundled_ones_and_may_use_packs_and_bundled_names() {
        let mut packs = Packs::default();
        packs.by_name.insert(
            "example.com/a".into(),
            pack(
                "example.com/a",
                "a/aspects.yaml",
                "use: [example.com/b, otel]\n",
            ),
        );
        packs.by_name.insert(
            "example.com/b".into(),
            pack("example.com/b", "b/aspects.yaml", ASPECT),
        );
        let (_, out) = run("use: [example.com/a]\n", packs);
        assert!(!out.has_errors(), "{:?}", out.diagnostics);
        let names: Vec<&str> = out.packs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["example.com/a", "example.com/b", "otel"]);
        assert!(
            out.aspects
                .iter()
                .any(|a| a.name == "a" && a.origin.file == "b/aspects.yaml")
        );
        assert_eq!(out.packs[2].from, PackFrom::Bundled);
    }

    #[test]
    fn a_cycle_and_an_error_in_a_pack_point_into_the_pack() {
        let mut packs = Packs::default();
        packs.by_name.insert(
            "example.com/a".into(),
            pack("example.com/a", "a/aspects.yaml", "use: [example.com/b]\n"),
        );
        packs.by_name.insert(
            "example.com/b".into(),
            pack(
                "example.com/b",
                "b/aspects.yaml",
                "use: [example.com/a]\naspects: 3\n",
            ),
        );
        packs
            .by_name
            .insert("example.com/c".into(), Err(PackProblem::NotRequired));
        let (sources, out) = run("use: [example.com/a, example.com/c]\n", packs);
        let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&codes::PACK_CYCLE), "{codes:?}");
        assert!(codes.contains(&codes::PACK_NOT_REQUIRED), "{codes:?}");
        let cycle = out
            .diagnostics
            .iter()
            .find(|d| d.code == codes::PACK_CYCLE)
            .unwrap();
        assert_eq!(sources.get(cycle.primary.span.file).name, "b/aspects.yaml");
        // Every diagnostic inside b/aspects.yaml names the pack and the
        // `use:` that brought it in (in a/aspects.yaml).
        for d in &out.diagnostics {
            if sources.get(d.primary.span.file).name == "b/aspects.yaml" {
                assert!(
                    d.notes
                        .iter()
                        .any(|n| n
                            .contains("aspect pack `example.com/b`, used at a/aspects.yaml:1:7")),
                    "{d:?}"
                );
            }
        }
        let get = out
            .diagnostics
            .iter()
            .find(|d| d.code == codes::PACK_NOT_REQUIRED)
            .unwrap();
        assert_eq!(
            get.help.as_deref(),
            Some("run `go get example.com/c@latest`, then build again")
        );
    }
}
