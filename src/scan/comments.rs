//! Comment directives the scanner understands: `//goaop:ignore` (opt a
//! function out of weaving), `//go:build` (the file's build constraint) and
//! `//line` / `/*line */` (existing position remapping, cgo and cover
//! output), plus the "doc comment group" rule deciding which comments belong
//! to a declaration.

use super::LineDirective;
use std::ops::Range;

/// A comment as the walk saw it: rows are 0-based, as tree-sitter reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CommentRow {
    pub start_byte: usize,
    pub start_row: u32,
    pub end_row: u32,
    /// Nothing but whitespace before it on its line (not a trailing
    /// comment of some code).
    pub own_line: bool,
    pub ignore: bool,
}

/// `//goaop:ignore`, `// goaop:ignore`, `/*goaop:ignore*/`, optionally
/// followed by a reason after whitespace.
pub(crate) fn is_ignore(text: &[u8]) -> bool {
    let body = if let Some(rest) = text.strip_prefix(b"//") {
        rest
    } else if let Some(rest) = text.strip_prefix(b"/*") {
        rest.strip_suffix(b"*/").unwrap_or(rest)
    } else {
        return false;
    };
    let body = body.trim_ascii_start();
    match body.strip_prefix(b"goaop:ignore") {
        Some(rest) => rest.first().is_none_or(|b| b.is_ascii_whitespace()),
        None => false,
    }
}

/// The expression of a `//go:build expr` line.
pub(crate) fn build_constraint(text: &[u8]) -> Option<String> {
    let rest = text.strip_prefix(b"//go:build")?;
    if !rest.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return None;
    }
    Some(String::from_utf8_lossy(rest.trim_ascii()).into_owned())
}

/// A `//line file:line[:col]` (only at the start of a line, as the Go
/// compiler requires) or `/*line file:line[:col]*/` directive. The file name
/// may itself contain colons; the numbers are taken from the right.
pub(crate) fn line_directive(
    text: &[u8],
    range: Range<usize>,
    column: u32,
) -> Option<LineDirective> {
    let body = if let Some(rest) = text.strip_prefix(b"//line ") {
        if column != 0 {
            return None;
        }
        rest
    } else {
        text.strip_prefix(b"/*line ")?.strip_suffix(b"*/")?
    };
    let body = std::str::from_utf8(body)
        .ok()?
        .trim_end_matches(['\r', '\n']);
    let (file, line, col) = directive_position(body)?;
    Some(LineDirective {
        range,
        file: file.to_owned(),
        line,
        column: col,
    })
}

/// The text after `line ` of a line directive read as Go reads it, from
/// the right: `file:line` or `file:line:col` (the file may itself contain
/// colons, and be empty). Numbers are digits only and at least 1; anything
/// else is no directive here (the compiler rejects the file).
pub(crate) fn directive_position(text: &str) -> Option<(&str, u32, Option<u32>)> {
    let number = |s: &str| {
        Some(s)
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|n| *n > 0)
    };
    let (head, last) = text.rsplit_once(':')?;
    let last = number(last)?;
    match head.rsplit_once(':') {
        Some((file, line)) if number(line).is_some() => Some((file, number(line)?, Some(last))),
        _ => Some((head, last, None)),
    }
}

/// Whether the doc comment group ending on the line before `row` (comments
/// on consecutive lines, each alone on its line, the last one ending on
/// `row - 1` or on `row` itself) contains an ignore directive. `before` is
/// the number of comments starting before the declaration.
pub(crate) fn doc_group_ignored(comments: &[CommentRow], before: usize, row: u32) -> bool {
    let mut next_row = row;
    for c in comments[..before.min(comments.len())].iter().rev() {
        // A comment on the line just above (or ending on the same line as a
        // previous member of the group) extends the group.
        if !c.own_line || (c.end_row.saturating_add(1) != next_row && c.end_row != next_row) {
            return false;
        }
        if c.ignore {
            return true;
        }
        next_row = c.start_row;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_spellings() {
        assert!(is_ignore(b"//goaop:ignore"));
        assert!(is_ignore(b"// goaop:ignore"));
        assert!(is_ignore(b"//goaop:ignore hot path"));
        assert!(is_ignore(b"/*goaop:ignore*/"));
        assert!(!is_ignore(b"//goaop:ignored"));
        assert!(!is_ignore(b"// see goaop:ignore"));
    }

    #[test]
    fn build_lines() {
        assert_eq!(
            build_constraint(b"//go:build linux && amd64").as_deref(),
            Some("linux && amd64")
        );
        assert_eq!(build_constraint(b"//go:builder"), None);
        assert_eq!(build_constraint(b"// go:build x"), None);
    }

    #[test]
    fn line_directives() {
        let d = line_directive(b"//line /a/b.go:10:3", 0..1, 0).unwrap();
        assert_eq!(
            (d.file.as_str(), d.line, d.column),
            ("/a/b.go", 10, Some(3))
        );
        let d = line_directive(b"//line C:\\x\\b.go:7", 0..1, 0).unwrap();
        assert_eq!(
            (d.file.as_str(), d.line, d.column),
            ("C:\\x\\b.go", 7, None)
        );
        let d = line_directive(b"/*line b.go:1:1*/", 0..1, 9).unwrap();
        assert_eq!((d.file.as_str(), d.line, d.column), ("b.go", 1, Some(1)));
        assert!(line_directive(b"//line b.go:1", 0..1, 4).is_none());
        assert!(line_directive(b"//line nothing", 0..1, 0).is_none());
    }
}
