//! Edits as plain data, applied to the original bytes (like Go's cmd/cover):
//! the woven file is the original text with insertions and replacements at
//! byte offsets, never a re-printed syntax tree, so every untouched byte —
//! comments, formatting, build tags — survives as written. Applying them,
//! nested ones included, is [`super::compose`].

use std::ops::Range;

use super::render::Start;
use crate::check::Template;

/// Replace `range` of the original text with `text` (an empty range inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    /// May name ranges of the original text ([`super::compose::source`]),
    /// written with the edits inside them applied.
    pub text: String,
    /// The decisions (indices in the package's plan) this edit carries out:
    /// if it is left out, they are not.
    pub decisions: Range<usize>,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            range: at..at,
            text: text.into(),
            decisions: 0..0,
        }
    }

    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Self {
        Edit {
            range,
            text: text.into(),
            decisions: 0..0,
        }
    }
}

/// Source positions honouring `//line` directives already in the file (cgo
/// and cover output carry them), so that resuming directives keep mapping to
/// the file the user wrote.
///
/// File names are data: a path must never end the directive that carries
/// it. `//line file:L:C` at the start of a line can carry any path without
/// a line break (which [`path_problem`] refuses), `/*line file:L:C*/` any
/// path without `*/`. For a file whose path holds `*/` (a directory named
/// `a*`), mid-line directives name no file, `/*line :L:C*/`, which Go reads
/// as "the most recently recorded file": that stays the user's file because
/// such a file gets no mid-line switch to an aspect file ([`Self::mark`]),
/// and every resume at the start of a line is a `//line` naming it
/// ([`Self::resume_line`]).
pub struct Positions<'a> {
    src: &'a str,
    name: &'a str,
    /// Every file a position of this file can name fits in `/*line*/`.
    mid_line_names: bool,
    /// (offset of the line after the directive, file, line) for each
    /// `//line file:line[:col]` directive at the start of a line.
    directives: Vec<(usize, &'a str, u32)>,
    /// Byte offset where each line starts (index 0 = line 1).
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub fn new(src: &'a str, name: &'a str) -> Self {
        let mut directives = Vec::new();
        let mut line_starts = vec![0];
        let mut offset = 0;
        for line in src.split_inclusive('\n') {
            line_starts.push(offset + line.len());
            if let Some(rest) = line.strip_prefix("//line ") {
                let rest = rest.trim_end();
                if let Some(parsed) = parse_directive(rest.trim_end()) {
                    directives.push((offset + line.len(), parsed.0, parsed.1));
                }
            }
            offset += line.len();
        }
        let mid_line_names =
            !name.contains("*/") && directives.iter().all(|(_, f, _)| !f.contains("*/"));
        Positions {
            src,
            name,
            mid_line_names,
            directives,
            line_starts,
        }
    }

    /// `(file, line, column)` of a byte offset, 1-based, column in bytes as
    /// the Go compiler counts them.
    pub fn at(&self, offset: usize) -> (&'a str, u32, u32) {
        let offset = offset.min(self.src.len());
        // Index of the line containing `offset` (0-based).
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let col = (offset - self.line_starts[line] + 1) as u32;
        let dir = self
            .directives
            .iter()
            .rev()
            .find(|(start, _, _)| *start <= offset);
        match dir {
            Some((start, file, l)) => {
                let dir_line = self.line_starts.partition_point(|&s| s <= *start) - 1;
                (file, l + (line - dir_line) as u32, col)
            }
            None => (self.name, line as u32 + 1, col),
        }
    }

    /// A `/*line file:L:C*/` comment that makes the next character report
    /// the position of `offset` in the original file (`/*line :L:C*/` when
    /// the file's path cannot be written in it).
    pub fn resume(&self, offset: usize) -> String {
        let (file, line, col) = self.at(offset);
        if self.mid_line_names {
            format!("/*line {file}:{line}:{col}*/")
        } else {
            format!("/*line :{line}:{col}*/")
        }
    }

    /// Like [`Self::resume`], for a place at the start of a line (after
    /// injected statements): there a `//line file:L:C` can name any path.
    pub fn resume_line(&self, offset: usize) -> String {
        if self.mid_line_names {
            return self.resume(offset);
        }
        let (file, line, col) = self.at(offset);
        format!("//line {file}:{line}:{col}\n")
    }

    /// Whether `/*line…*/` directives naming template `t`'s aspect file may
    /// be written in the middle of this file's lines: neither path holds
    /// `*/` (else a later nameless resume would name the aspect file).
    pub fn mid_line(&self, t: &Template) -> bool {
        self.mid_line_names && !t.origin.file.contains("*/")
    }

    /// `/*line aspect.yaml:L:C*/` (where template `t` starts) before code
    /// goaop writes for `t` in the middle of a line, so its errors point at
    /// the aspect; nothing when the aspect's or this file's path cannot be
    /// written mid-line (the code then keeps the position of the site it
    /// was woven into).
    pub fn mark(&self, t: &Template) -> String {
        if self.mid_line(t) {
            let (line, col) = t.start();
            format!("/*line {}:{line}:{col}*/", t.origin.file)
        } else {
            String::new()
        }
    }

    /// How template `t` is rendered here: see [`Start`].
    pub fn start(&self, t: &Template, line_form: bool) -> Start {
        let mid_line = self.mid_line(t);
        if line_form {
            Start::Line { mid_line }
        } else {
            Start::Inline { mid_line }
        }
    }
}

/// Why a path cannot be written into a `//line` directive, if it cannot.
pub fn path_problem(path: &str) -> Option<&'static str> {
    if path.contains(['\n', '\r']) {
        Some("a line break")
    } else {
        None
    }
}

/// `file:line` or `file:line:col` (the file may itself contain colons).
fn parse_directive(rest: &str) -> Option<(&str, u32)> {
    let (head, last) = rest.rsplit_once(':')?;
    let last: u32 = last.parse().ok()?;
    match head.rsplit_once(':') {
        Some((file, line)) if line.parse::<u32>().is_ok() => Some((file, line.parse().ok()?)),
        _ => Some((head, last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_existing_directives() {
        let src = "package p\n//line orig.go:10\nfunc f() {\n}\n";
        let p = Positions::new(src, "gen.go");
        assert_eq!(p.at(0), ("gen.go", 1, 1));
        let f = src.find("func").unwrap();
        assert_eq!(p.at(f), ("orig.go", 10, 1));
        assert_eq!(p.at(src.find('}').unwrap()), ("orig.go", 11, 1));
        assert_eq!(p.resume(f + 9), "/*line orig.go:10:10*/");
        assert_eq!(p.resume_line(f + 9), "/*line orig.go:10:10*/");
    }

    #[test]
    fn a_path_with_star_slash_is_never_written_mid_line() {
        let src = "package p\nfunc f() {}\n";
        let p = Positions::new(src, "/tmp/a*/b.go");
        let f = src.find('{').unwrap();
        assert_eq!(p.resume(f), "/*line :2:10*/");
        assert_eq!(p.resume_line(f), "//line /tmp/a*/b.go:2:10\n");
        let t = Template {
            origin: crate::check::Origin {
                file: "aspects.yaml".into(),
                line: 3,
            },
            places: vec![(0, 0)],
            columns: vec![7],
            lines: Vec::new(),
            ..Template::default()
        };
        assert_eq!(p.mark(&t), "");
        assert_eq!(
            Positions::new(src, "b.go").mark(&t),
            "/*line aspects.yaml:3:7*/"
        );
    }
}
