//! Caps on what an aspect file may be, so that bad input gets a diagnostic
//! in bounded time and memory (DESIGN §11) instead of a stack overflow or
//! gigabytes of syntax tree.
//!
//! - [`MAX_FILE_BYTES`]: an aspect file is read only when it is a regular file
//!   no larger than this (the CLI refuses `/dev/zero`, FIFOs and directories
//!   before reading; [`file_problems`] repeats the size check for text
//!   handed to `load` directly).
//! - [`MAX_ADVICE_BYTES`]: one advice body. `check` parses each body with
//!   tree-sitter, whose syntax tree takes some 80 bytes per byte of Go
//!   (a 3 MB body: 240 MB), so this cap is what bounds memory.
//! - [`MAX_NESTING`]: brackets, parentheses and `!` nested deeper than this
//!   are refused before any parser (pest recurses on nesting) sees them.
//!   Chains (`a && b && …`, long `packages:` lists) are flat and unlimited.
//! - NUL bytes are refused anywhere in a file: they are never part of an
//!   aspect, and would otherwise travel into woven Go files.

use std::ops::Range;

use super::Snippet;
use super::gotext::skip_literal;
use crate::diag::{Diagnostic, FileId, Source, Span, codes};

/// Largest aspect file goaop reads: 4 MiB.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// Largest advice body (one `before`, `after`, … value): 256 KiB.
pub const MAX_ADVICE_BYTES: usize = 256 << 10;
/// Deepest nesting of `(`, `[`, `{` (outside strings and comments) and `!`.
pub const MAX_NESTING: usize = 64;

/// Problems of a whole file that stop it from being parsed at all: NUL
/// bytes, too large, and (for the DSL, whose parser recurses on nesting)
/// too deeply nested.
pub(crate) fn file_problems(src: &Source, file: FileId, dsl: bool) -> Vec<Diagnostic> {
    let text = src.text.as_str();
    let mut out = Vec::new();
    if text.len() as u64 > MAX_FILE_BYTES {
        out.push(too_large_file(file, text.len() as u64));
        return out;
    }
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        let count = memchr::memchr_iter(0, text.as_bytes()).count();
        out.push(
            Diagnostic::error(
                codes::NUL_BYTE,
                if count == 1 {
                    "the file contains a NUL byte".to_string()
                } else {
                    format!("the file contains {count} NUL bytes")
                },
                Span::new(file, at..at + 1),
                "NUL byte",
            )
            .with_help("aspect files are UTF-8 text: remove the NUL bytes (was the file saved as UTF-16, or is it not an aspect file?)"),
        );
    }
    if dsl && let Some(r) = too_deep(text) {
        out.push(too_deep_diag(Span::new(file, r), "the file"));
    }
    out
}

/// The diagnostic for a file over [`MAX_FILE_BYTES`].
pub fn too_large_file(file: FileId, len: u64) -> Diagnostic {
    Diagnostic::error(
        codes::TOO_LARGE,
        format!(
            "the aspect file is {} bytes, more than the limit of {} MiB",
            len,
            MAX_FILE_BYTES >> 20
        ),
        Span::new(file, 0..0),
        "too large",
    )
    .with_help(
        "split the aspects over several files (every `*.aspect` file at the module root is read)",
    )
}

/// An advice body over [`MAX_ADVICE_BYTES`], or nested too deeply.
pub(crate) fn snippet_problem(snippet: &Snippet, what: &str) -> Option<Diagnostic> {
    if snippet.text.len() > MAX_ADVICE_BYTES {
        let start = snippet.span.range.start;
        return Some(
            Diagnostic::error(
                codes::TOO_LARGE,
                format!(
                    "{what} is {} bytes, more than the limit of {} KiB",
                    snippet.text.len(),
                    MAX_ADVICE_BYTES >> 10
                ),
                Span::new(snippet.span.file, start..start),
                "too large",
            )
            .with_help("advice is copied into every function it applies to: move the code into a Go package and call it from the advice (list the package under `imports:`)"),
        );
    }
    let r = too_deep(&snippet.text)?;
    Some(too_deep_diag(snippet.file_span(r), what))
}

/// Whether `diags` refuse some input for its size or depth.
pub(crate) fn refused(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| d.code == codes::TOO_LARGE || d.code == codes::TOO_DEEP)
}

/// A pointcut expression (YAML `pointcut:`) nested too deeply.
pub(crate) fn pointcut_too_deep(snippet: &Snippet) -> Option<Diagnostic> {
    let r = too_deep(&snippet.text)?;
    Some(too_deep_diag(snippet.file_span(r), "the pointcut"))
}

fn too_deep_diag(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        codes::TOO_DEEP,
        format!("{what} nests brackets deeper than {MAX_NESTING} levels"),
        span,
        format!("level {}", MAX_NESTING + 1),
    )
    .with_help(format!(
        "goaop accepts at most {MAX_NESTING} levels of `(`, `[`, `{{` and `!`: flatten the expression (chains like `a && b && c` of any length are fine)"
    ))
}

/// The first `(`, `[`, `{` or `!` that is more than [`MAX_NESTING`] levels
/// deep in `text` (Go strings, runes and comments skipped; a run of `!`
/// counts one level per `!`). Linear, no recursion.
pub(crate) fn too_deep(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut nots = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' => nots += 1,
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {
                if let Some(end) = skip_literal(bytes, i) {
                    nots = 0;
                    i = end;
                    continue;
                }
            }
        }
        if b != b'!' {
            nots = 0;
        }
        if depth + nots > MAX_NESTING {
            return Some(i..i + 1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_literals() {
        let deep = "(".repeat(MAX_NESTING + 1);
        assert_eq!(too_deep(&deep), Some(MAX_NESTING..MAX_NESTING + 1));
        assert_eq!(too_deep(&"(".repeat(MAX_NESTING)), None);
        let flat = "()".repeat(10_000);
        assert_eq!(too_deep(&flat), None);
        let quoted = format!("\"{deep}\" `{deep}` // {deep}\n /* {deep} */");
        assert_eq!(too_deep(&quoted), None);
        let nots = "!".repeat(MAX_NESTING + 1);
        assert!(too_deep(&nots).is_some());
        assert!(too_deep(&"! ".repeat(MAX_NESTING + 1)).is_some());
        assert_eq!(too_deep(&"!x && ".repeat(1000)), None);
    }
}
