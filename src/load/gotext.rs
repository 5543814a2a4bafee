//! Go text taken out of aspect files: dedenting an advice body into a
//! [`Snippet`], splitting an argument list at its top-level commas, and
//! cutting sub-snippets that still map back to exact file offsets.
//!
//! The scanner here knows just enough Go lexing (strings, raw strings, runes,
//! comments, brackets) to find the commas and braces that are Go syntax.

use std::ops::Range;

use super::Snippet;
use crate::diag::{FileId, Span};

/// The advice body `src[range]` (the text between `{` and `}`) as a
/// snippet: leading and trailing blank lines dropped, the common indentation
/// of the lines removed (the first line, which shares its line with `{`, is
/// only trimmed), with the file offset of every line start.
pub(crate) fn dedent_body(src: &str, range: Range<usize>, file: FileId) -> Snippet {
    let body = &src[range.clone()];
    // (absolute start, line text without '\r').
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = range.start;
    for line in body.split('\n') {
        lines.push((start, line.strip_suffix('\r').unwrap_or(line)));
        start += line.len() + 1;
    }
    let is_blank = |l: &str| l.trim().is_empty();
    let first = lines.iter().position(|(_, l)| !is_blank(l));
    let Some(first) = first else {
        return Snippet::new(
            String::new(),
            Span::new(file, range.start..range.start),
            vec![range.start],
        );
    };
    let last = lines
        .iter()
        .rposition(|(_, l)| !is_blank(l))
        .unwrap_or(first);
    // Line 0 shares its line with `{`: its indentation does not count.
    let indent = lines
        .iter()
        .enumerate()
        .take(last + 1)
        .skip(first.max(1))
        .filter(|(_, (_, l))| !is_blank(l))
        .map(|(_, (_, l))| leading_ws(l))
        .min()
        .unwrap_or(0);
    let mut text = String::new();
    let mut line_starts = Vec::new();
    for (i, &(line_start, line)) in lines.iter().enumerate().take(last + 1).skip(first) {
        let cut = if i == 0 {
            leading_ws(line)
        } else {
            indent.min(leading_ws(line))
        };
        let mut content = &line[cut..];
        if i == last {
            content = content.trim_end();
        }
        if i > first {
            text.push('\n');
        }
        text.push_str(content);
        line_starts.push(line_start + cut);
    }
    let span_start = line_starts[0];
    let span_end =
        line_starts[line_starts.len() - 1] + text.rsplit('\n').next().map_or(0, str::len);
    Snippet::new(
        text,
        Span::new(file, span_start..span_end.max(span_start)),
        line_starts,
    )
}

fn leading_ws(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The part `range` of a snippet's text, trimmed of surrounding whitespace,
/// as a snippet of its own (line starts mapped through the parent).
pub(crate) fn sub_snippet(parent: &Snippet, range: Range<usize>) -> Snippet {
    let piece = &parent.text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let start = range.start + lead;
    let text = piece.trim().to_string();
    let end = start + text.len();
    let line_starts = if parent.line_starts.is_empty() {
        Vec::new()
    } else {
        let mut starts = Vec::new();
        let mut off = start;
        for line in text.split('\n') {
            match parent.file_offset(off) {
                Some(o) => starts.push(o),
                None => {
                    starts.clear();
                    break;
                }
            }
            off += line.len() + 1;
        }
        starts
    };
    Snippet::new(text, parent.file_span(start..end), line_starts)
}

/// Split a Go expression list at its top-level commas. Empty pieces
/// (a trailing comma) are dropped. Ranges are into `text`.
pub(crate) fn split_top_level_commas(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {
                if let Some(end) = skip_literal(bytes, i) {
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push(start..text.len());
    out.retain(|r| !text[r.clone()].trim().is_empty());
    out
}

/// A piece of Go text, by [`pieces`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A string, raw string, rune or comment.
    Literal(Range<usize>),
    /// A maximal run of `word` characters starting with a `start` one.
    Word(Range<usize>),
    /// Any other character.
    Other(Range<usize>),
}

/// Go text cut into [`Piece`]s, in order (they cover the whole text).
pub(crate) fn pieces(
    text: &str,
    start: impl Fn(char) -> bool,
    word: impl Fn(char) -> bool,
) -> impl Iterator<Item = Piece> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = text[i..].chars().next()?;
        let at = i;
        let piece = if let Some(end) = skip_literal(text.as_bytes(), i) {
            i = end.min(text.len());
            Piece::Literal(at..i)
        } else if start(c) {
            i = text[at..]
                .char_indices()
                .find(|&(_, c)| !word(c))
                .map_or(text.len(), |(j, _)| at + j);
            Piece::Word(at..i)
        } else {
            i += c.len_utf8();
            Piece::Other(at..i)
        };
        Some(piece)
    })
}

/// Add to `out` every identifier of Go `text` that is followed by `.` and
/// an identifier (`pkg` of `pkg.Name`); strings, runes and comments are
/// skipped. Linear.
pub(crate) fn selector_operands(text: &str, out: &mut std::collections::HashSet<String>) {
    let is_ident = |c: char| c == '_' || c.is_alphanumeric();
    let words = pieces(text, |c| c == '_' || c.is_alphabetic(), is_ident);
    for piece in words {
        let Piece::Word(r) = piece else {
            continue;
        };
        let preceded_by_dot = text[..r.start].trim_end().ends_with('.');
        let rest = text[r.end..].trim_start();
        if !preceded_by_dot && rest.starts_with('.') && rest[1..].starts_with(is_ident) {
            out.insert(text[r].to_string());
        }
    }
}

/// The offset of the `}` matching the `{` at `open`, skipping Go strings,
/// runes and comments; `None` when it is never closed.
pub(crate) fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {
                if let Some(end) = skip_literal(bytes, i) {
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    None
}

/// If a Go string, raw string, rune or comment starts at `i`, the offset
/// just after it (or the end of the text when it is not closed).
pub(crate) fn skip_literal(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = &bytes[i..];
    let find_from = |from: usize, pred: &dyn Fn(&[u8], usize) -> bool| -> usize {
        let mut j = from;
        while j < rest.len() {
            if pred(rest, j) {
                return i + j;
            }
            j += 1;
        }
        bytes.len()
    };
    match rest.first()? {
        b'"' | b'\'' => {
            let q = rest[0];
            let mut j = 1;
            while j < rest.len() {
                match rest[j] {
                    b'\\' => j += 2,
                    b'\n' => return Some(i + j),
                    c if c == q => return Some(i + j + 1),
                    _ => j += 1,
                }
            }
            Some(bytes.len())
        }
        b'`' => Some(find_from(1, &|r, j| r[j] == b'`').min(bytes.len() - 1) + 1),
        b'/' if rest.get(1) == Some(&b'/') => Some(find_from(2, &|r, j| r[j] == b'\n')),
        b'/' if rest.get(1) == Some(&b'*') => {
            let end = find_from(2, &|r, j| r[j] == b'*' && r.get(j + 1) == Some(&b'/'));
            Some((end + 2).min(bytes.len()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedents_block_bodies() {
        let src = "before {\n        ctx, span := x()\n            defer span.End()\n    }";
        let open = src.find('{').unwrap();
        let close = src.rfind('}').unwrap();
        let s = dedent_body(src, open + 1..close, 0);
        assert_eq!(s.text, "ctx, span := x()\n    defer span.End()");
        let d = s.text.find("defer").unwrap();
        assert_eq!(s.file_offset(d), src.find("defer"));
        assert_eq!(s.file_offset(0), src.find("ctx"));
    }

    #[test]
    fn inline_bodies() {
        let src = "wrap { otelsql.Wrap({{.Call}}) }";
        let s = dedent_body(src, 6..src.len() - 1, 0);
        assert_eq!(s.text, "otelsql.Wrap({{.Call}})");
        assert_eq!(s.file_offset(0), Some(7));
        assert_eq!(&src[s.span.range.clone()], "otelsql.Wrap({{.Call}})");
        let empty = dedent_body("x {  }", 3..5, 0);
        assert_eq!(empty.text, "");
    }

    #[test]
    fn first_line_on_the_brace_line() {
        let src = "after { a()\n      b()\n   }";
        let s = dedent_body(src, 7..src.len() - 1, 0);
        assert_eq!(s.text, "a()\nb()");
        assert_eq!(s.file_offset(4), src.find("b()"));
    }

    #[test]
    fn splits_arguments() {
        let t = r#"f(a, b), "x,y", '\'', `r,`, m[1,2] /* c, d */, // e, f
 last"#;
        let parts: Vec<&str> = split_top_level_commas(t)
            .into_iter()
            .map(|r| t[r].trim())
            .collect();
        assert_eq!(
            parts,
            vec![
                "f(a, b)",
                "\"x,y\"",
                "'\\''",
                "`r,`",
                "m[1,2] /* c, d */",
                "// e, f\n last"
            ]
        );
        assert_eq!(split_top_level_commas("a, ").len(), 1);
    }

    #[test]
    fn sub_snippets_keep_offsets() {
        let src = "append-args {\n    a,\n    g(b)\n}";
        let parent = dedent_body(src, 13..src.len() - 1, 0);
        let parts = split_top_level_commas(&parent.text);
        let second = sub_snippet(&parent, parts[1].clone());
        assert_eq!(second.text, "g(b)");
        assert_eq!(second.file_offset(2), src.find("b)"));
    }

    #[test]
    fn braces_in_literals() {
        let t = r#"{ "}" '}' `}` // }
 /* } */ { } }"#;
        assert_eq!(matching_brace(t, 0), Some(t.len() - 1));
        assert_eq!(matching_brace("{ { }", 0), None);
        assert_eq!(matching_brace("{ \"", 0), None);
        assert_eq!(matching_brace("{ `", 0), None);
        assert_eq!(matching_brace("{ /*", 0), None);
    }
}
