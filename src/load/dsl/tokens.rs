//! Shared helpers for turning pest pairs into spanned values: where a piece
//! of parsed text is in the user's file, and the value of a DSL string.

use std::ops::Range;

use pest::iterators::Pair;

use super::grammar::Rule;
use crate::diag::{FileId, Span, Spanned};
use crate::load::Snippet;

/// How byte ranges of the parsed text map to the file.
#[derive(Clone, Copy)]
pub(crate) enum Mapping<'a> {
    /// The parsed text is the whole file.
    File(FileId),
    /// The parsed text is a snippet taken from the file (a YAML
    /// `pointcut:` value).
    Snippet(&'a Snippet),
}

impl Mapping<'_> {
    pub fn span(&self, range: Range<usize>) -> Span {
        match self {
            Mapping::File(file) => Span::new(*file, range),
            Mapping::Snippet(s) => s.file_span(range),
        }
    }
}

/// The byte range of a pair in the parsed text.
pub(crate) fn range(pair: &Pair<'_, Rule>) -> Range<usize> {
    let s = pair.as_span();
    s.start()..s.end()
}

/// The pair's text trimmed of whitespace, with its range.
pub(crate) fn trimmed(pair: &Pair<'_, Rule>) -> (String, Range<usize>) {
    let text = pair.as_str();
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    let start = pair.as_span().start() + lead;
    (t.to_string(), start..start + t.len())
}

/// The value of a `string` pair. In `"…"` strings only `\"` and `\\` are
/// escapes; any other backslash is kept as written (so regexes read
/// naturally: `"\(ctx"`). Backquoted strings are verbatim. The span covers
/// exactly the value when it is a verbatim copy of the file, else the whole
/// quoted string.
pub(crate) fn string_value(pair: Pair<'_, Rule>, map: Mapping<'_>) -> Spanned<String> {
    let whole = range(&pair);
    let Some(quoted) = pair.into_inner().next() else {
        return Spanned::new(String::new(), map.span(whole));
    };
    let is_dq = quoted.as_rule() == Rule::dq_string;
    let Some(inner) = quoted.into_inner().next() else {
        return Spanned::new(String::new(), map.span(whole));
    };
    let raw = inner.as_str();
    if is_dq && raw.contains('\\') {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(e @ ('"' | '\\')) => out.push(e),
                    Some(e) => {
                        out.push('\\');
                        out.push(e);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        if out != raw {
            return Spanned::new(out, map.span(whole));
        }
    }
    Spanned::new(raw.to_string(), map.span(range(&inner)))
}
