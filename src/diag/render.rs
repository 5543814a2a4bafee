//! Rendering of [`Diagnostic`]s: rustc-style text through codespan-reporting,
//! or JSON lines for CI. Rendering is pure: it returns strings, and only
//! `main.rs` prints them.
//!
//! Its cost is bounded whatever the input: at most [`MAX_SHOWN`]
//! diagnostics are rendered (the rest are counted), and a diagnostic whose
//! labels sit on a line longer than [`MAX_LINE`] bytes (a minified file) is
//! rendered without the source excerpt, its positions as notes.
//!
//! Like rustc, a human rendering ends with one line naming the codes seen
//! and `goaop explain <code>`, which prints each code's page.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

use super::{Diagnostic, Severity, Sources};

/// Render diagnostics as rustc-style text. `color` adds ANSI escapes.
///
/// Control characters (other than line breaks and tabs) and bidirectional
/// overrides in the files and in the messages are shown as `?`, one per
/// byte: an aspect file cannot send escape sequences to the terminal of
/// whoever checks it, and every byte offset stays valid.
pub fn human(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, src) in sources.iter() {
        files.add(sanitize(&src.name).into_owned(), sanitize(&src.text));
    }
    let hidden = diags.len().saturating_sub(MAX_SHOWN);
    let diags = &diags[..diags.len() - hidden];
    let config = Config::default();
    let mut out = Vec::new();
    {
        let mut writer: Box<dyn term::WriteStyle> = if color {
            Box::new(term::termcolor::Ansi::new(&mut out))
        } else {
            Box::new(term::termcolor::NoColor::new(&mut out))
        };
        for d in diags {
            let d = if on_long_line(sources, d) {
                without_excerpt(sources, d)
            } else {
                to_codespan(d)
            };
            let _ = term::emit_to_write_style(&mut *writer, &config, &files, &d);
        }
    }
    let mut out = String::from_utf8_lossy(&out).into_owned();
    if hidden > 0 {
        out.push_str(&format!("… and {hidden} more diagnostic(s) not shown\n\n"));
    }
    out.push_str(&super::explain::footer(diags.iter().map(|d| d.code)));
    out
}

/// Most diagnostics one rendering shows.
pub const MAX_SHOWN: usize = 1000;
/// Longest line shown in a source excerpt.
pub const MAX_LINE: usize = 1000;

/// Whether a label of `d` is on a line longer than [`MAX_LINE`].
fn on_long_line(sources: &Sources, d: &Diagnostic) -> bool {
    std::iter::once(&d.primary).chain(&d.secondary).any(|l| {
        sources
            .get(l.span.file)
            .line_range(l.span.range.start)
            .len()
            > MAX_LINE
    })
}

/// `d` with its labels as notes `file:line:col: label`.
fn without_excerpt(sources: &Sources, d: &Diagnostic) -> cs::Diagnostic<usize> {
    let mut bare = to_codespan(d);
    bare.labels.clear();
    let at = |l: &super::Label| {
        let (line, col) = sources.line_col(l.span.file, l.span.range.start);
        let name = sanitize(&sources.get(l.span.file).name).into_owned();
        format!("at {name}:{line}:{col}: {}", sanitize(&l.message))
    };
    let mut notes: Vec<String> = std::iter::once(&d.primary)
        .chain(&d.secondary)
        .map(at)
        .collect();
    notes.append(&mut bare.notes);
    bare.notes = notes;
    bare
}

/// `text` with every unsafe character (terminal controls, bidi overrides)
/// replaced by as many `?` as it has bytes: text from the user's files or
/// file names is shown, never obeyed by the terminal.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut labels = vec![
        cs::Label::primary(d.primary.span.file, d.primary.span.range.clone())
            .with_message(sanitize(&d.primary.message)),
    ];
    labels.extend(d.secondary.iter().map(|l| {
        cs::Label::secondary(l.span.file, l.span.range.clone()).with_message(sanitize(&l.message))
    }));
    let mut notes: Vec<String> = d.notes.iter().map(|n| sanitize(n).into_owned()).collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", sanitize(help)));
    }
    base.with_code(d.code)
        .with_message(sanitize(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: &'static str,
    code: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: &'a str,
    help: Option<&'a str>,
    notes: &'a [String],
}

/// Render diagnostics as one JSON object per line.
pub fn json(sources: &Sources, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags.iter().take(MAX_SHOWN) {
        let span = &d.primary.span;
        let (line, column) = sources.line_col(span.file, span.range.start);
        let (end_line, end_column) = sources.line_col(span.file, span.range.end);
        let j = JsonDiag {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: d.code,
            message: &d.message,
            file: &sources.get(span.file).name,
            line,
            column,
            end_line,
            end_column,
            label: &d.primary.message,
            help: d.help.as_deref(),
            notes: &d.notes,
        };
        out.push_str(&serde_json::to_string(&j).expect("diagnostics serialise"));
        out.push('\n');
    }
    out
}
