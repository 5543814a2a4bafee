//! Edits as plain data, applied to the original bytes (like Go's cmd/cover):
//! the woven file is the original text with insertions and replacements at
//! byte offsets, never a re-printed syntax tree, so every untouched byte —
//! comments, formatting, build tags — survives as written. Applying them,
//! nested ones included, is [`super::compose`].

use std::ops::Range;

use super::render::Start;
use crate::check::Template;
use crate::scan::directive_position;

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

/// Source positions honouring the line directives already in the file
/// (cgo, cover, goyacc and templ output carry them), read as the Go
/// compiler reads them, so that resuming directives keep mapping every
/// original token to the file, line and column the unwoven build gives it
/// (`runtime.Caller`, panics, compile errors).
///
/// Go's rules (cmd/compile, "Line directives"): a directive is a comment,
/// `//line` at the very start of a line (it applies from the start of the
/// next line) or `/*line` anywhere (from the byte after `*/`), followed by
/// `file:line` or `file:line:col`, read from the right. Later lines count
/// from the directive's line; on the directive's own line columns count
/// from its column, on later lines they are the real ones; without a
/// column, columns are unknown until the next directive. An empty file name
/// is the previous one when a column is given, else empty. Only comments
/// count: text that looks like a directive inside a string does not.
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
    /// The file's directives, in order of the offset they apply from.
    bases: Vec<Base<'a>>,
    /// Byte offset where each line starts (index 0 = line 1).
    line_starts: Vec<usize>,
}

/// What one directive says: from byte `start` on, positions count from
/// `(file, line, col)` (`col` 0: unknown).
struct Base<'a> {
    start: usize,
    file: &'a str,
    line: u32,
    col: u32,
}

impl<'a> Positions<'a> {
    /// `tree` is the file's syntax tree: only its comments are directives.
    pub fn new(src: &'a str, name: &'a str, tree: &tree_sitter::Tree) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        let mut bases: Vec<Base<'a>> = Vec::new();
        for at in memchr::memmem::find_iter(src.as_bytes(), b"line ") {
            let Some(start) = at.checked_sub(2) else {
                continue;
            };
            let block = match &src.as_bytes()[start..at] {
                b"//" if start == 0 || src.as_bytes()[start - 1] == b'\n' => false,
                b"/*" => true,
                _ => continue,
            };
            let node = tree.root_node().descendant_for_byte_range(start, at);
            let Some(node) = node.filter(|n| n.kind() == "comment" && n.start_byte() == start)
            else {
                continue;
            };
            let comment = &src[start..node.end_byte()];
            let (text, applies) = if block {
                match comment.strip_suffix("*/") {
                    Some(t) if !t.contains('\n') => (&t[7..], node.end_byte()),
                    _ => continue,
                }
            } else {
                let text = comment[7..].strip_suffix('\n').unwrap_or(&comment[7..]);
                let text = text.strip_suffix('\r').unwrap_or(text);
                let next_line = src[start..].find('\n').map_or(src.len(), |i| start + i + 1);
                (text, next_line)
            };
            let Some((file, line, col)) = directive_position(text) else {
                continue;
            };
            let file = match (file, col) {
                ("", Some(_)) => bases.last().map_or(name, |b| b.file),
                _ => file,
            };
            bases.push(Base {
                start: applies,
                file,
                line,
                col: col.unwrap_or(0),
            });
        }
        let mid_line_names = !name.contains("*/") && bases.iter().all(|b| !b.file.contains("*/"));
        Positions {
            src,
            name,
            mid_line_names,
            bases,
            line_starts,
        }
    }

    /// `(file, line, column)` of a byte offset as the Go compiler reports
    /// it: 1-based, the column in bytes, 0 when a directive left it unknown.
    pub fn at(&self, offset: usize) -> (&'a str, u32, u32) {
        let offset = offset.min(self.src.len());
        let (line, col) = self.row_col(offset);
        let i = self.bases.partition_point(|b| b.start <= offset);
        let Some(base) = i.checked_sub(1).map(|i| &self.bases[i]) else {
            return (self.name, line, col);
        };
        let (base_line, base_col) = self.row_col(base.start);
        let col = match base.col {
            0 => 0,
            c if line == base_line => c + (col - base_col),
            _ => col,
        };
        (base.file, base.line + (line - base_line), col)
    }

    /// The real 1-based line and byte column of `offset` (no directive
    /// applied: where the file itself has it).
    pub fn row_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        (
            line as u32 + 1,
            (offset - self.line_starts[line] + 1) as u32,
        )
    }

    /// A `/*line file:L:C*/` comment that makes the next character report
    /// the position of `offset` in the original file (`/*line :L:C*/` when
    /// the file's path cannot be written in it; no `:C` where the column is
    /// unknown).
    pub fn resume(&self, offset: usize) -> String {
        let (file, line, col) = self.at(offset);
        match (self.mid_line_names, col) {
            (true, 0) => format!("/*line {file}:{line}*/"),
            (true, _) => format!("/*line {file}:{line}:{col}*/"),
            // A nameless directive needs a column to keep the file; the
            // column that was unknown becomes the real one.
            (false, 0) => format!("/*line :{line}:{}*/", self.row_col(offset).1),
            (false, _) => format!("/*line :{line}:{col}*/"),
        }
    }

    /// Like [`Self::resume`], for a place at the start of a line (after
    /// injected statements): there a `//line file:L:C` can name any path.
    pub fn resume_line(&self, offset: usize) -> String {
        if self.mid_line_names {
            return self.resume(offset);
        }
        match self.at(offset) {
            (file, line, 0) => format!("//line {file}:{line}\n"),
            (file, line, col) => format!("//line {file}:{line}:{col}\n"),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(src: &str) -> tree_sitter::Tree {
        crate::scan::Scanner::new().parse(src.as_bytes()).unwrap()
    }

    fn positions<'a>(src: &'a str, name: &'a str) -> Positions<'a> {
        Positions::new(src, name, &tree(src))
    }

    #[test]
    fn positions_follow_existing_directives() {
        let src = "package p\n//line orig.go:10\nfunc f() {\n}\n";
        let p = positions(src, "gen.go");
        assert_eq!(p.at(0), ("gen.go", 1, 1));
        let f = src.find("func").unwrap();
        // No column in the directive: columns are unknown (0) after it.
        assert_eq!(p.at(f), ("orig.go", 10, 0));
        assert_eq!(p.at(src.find('}').unwrap()), ("orig.go", 11, 0));
        assert_eq!(p.resume(f + 9), "/*line orig.go:10*/");
        assert_eq!(p.resume_line(f + 9), "/*line orig.go:10*/");
        let src = "package p\n//line orig.go:10:1\nfunc f() {\n}\n";
        let p = positions(src, "gen.go");
        let f = src.find("func").unwrap();
        assert_eq!(p.at(f), ("orig.go", 10, 1));
        assert_eq!(p.resume(f + 9), "/*line orig.go:10:10*/");
    }

    #[test]
    fn a_path_with_star_slash_is_never_written_mid_line() {
        let src = "package p\nfunc f() {}\n";
        let p = positions(src, "/tmp/a*/b.go");
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
        assert_eq!(positions(src, "b.go").mark(&t), "/*line aspects.yaml:3:7*/");
    }

    /// `/*line*/` anywhere, columns relative on the directive's own line
    /// only, unknown columns, empty file names: as cmd/compile reads them.
    #[test]
    fn block_directives_columns_and_file_names_follow_the_compiler() {
        let src = "package p\nfunc f() { a(); /*line g.go:200:7*/b()\n\tc()\n}\n";
        let p = positions(src, "f.go");
        let b = src.find("b()").unwrap();
        assert_eq!(p.at(b), ("g.go", 200, 7));
        assert_eq!(p.at(b + 1), ("g.go", 200, 8));
        assert_eq!(p.at(src.find("c()").unwrap()), ("g.go", 201, 2));
        assert_eq!(p.at(src.find("a()").unwrap()), ("f.go", 2, 12));
        assert_eq!(p.resume(b + 1), "/*line g.go:200:8*/");

        // No column: columns are unknown until the next directive, and a
        // resume keeps them unknown.
        let src = "package p\n//line g.go:50\nfunc f() {\n\tc()\n}\n";
        let p = positions(src, "f.go");
        let c = src.find("c()").unwrap();
        assert_eq!(p.at(c), ("g.go", 51, 0));
        assert_eq!(p.resume(c), "/*line g.go:51*/");
        assert_eq!(
            positions(src, "/a*/f.go").resume_line(c),
            "//line g.go:51\n"
        );

        // An empty name is the previous file's when a column is given, else
        // empty.
        let src = "package p\n//line g.go:50:1\nvar a = 1\n//line :9:1\nvar b = 1\n//line :70\nvar c = 1\n";
        let p = positions(src, "f.go");
        assert_eq!(p.at(src.find("var b").unwrap()), ("g.go", 9, 1));
        assert_eq!(p.at(src.find("var c").unwrap()), ("", 70, 0));
    }

    /// Only comments are directives, `//line` only at the start of a line.
    #[test]
    fn text_that_only_looks_like_a_directive_is_not_one() {
        let src = concat!(
            "package p\n",
            "var s = `\n//line raw.go:100\n`\n",
            "var t = \"/*line str.go:5:5*/\"\n",
            "\t//line indented.go:7\n",
            "// see /*line inner.go:3:3*/\n",
            "/* \n//line block.go:4\n*/\n",
            "var u = 1\n",
        );
        let p = positions(src, "f.go");
        let u = src.find("var u").unwrap();
        assert_eq!(p.at(u), ("f.go", 11, 1));
        assert_eq!(p.resume(u), "/*line f.go:11:1*/");
    }
}
