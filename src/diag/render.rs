//! Rendering of [`Diagnostic`]s: rustc-style text through codespan-reporting,
//! or JSON lines for CI. Rendering is pure: it returns strings, and only
//! `main.rs` prints them.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

use super::{Diagnostic, Severity, Sources};

/// Render diagnostics as rustc-style text. `color` adds ANSI escapes.
pub fn human(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, src) in sources.iter() {
        files.add(src.name.as_str(), src.text.as_str());
    }
    let config = Config::default();
    let mut out = Vec::new();
    {
        let mut writer: Box<dyn term::WriteStyle> = if color {
            Box::new(term::termcolor::Ansi::new(&mut out))
        } else {
            Box::new(term::termcolor::NoColor::new(&mut out))
        };
        for d in diags {
            let _ = term::emit_to_write_style(&mut *writer, &config, &files, &to_codespan(d));
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut labels = vec![
        cs::Label::primary(d.primary.span.file, d.primary.span.range.clone())
            .with_message(&d.primary.message),
    ];
    labels.extend(
        d.secondary.iter().map(|l| {
            cs::Label::secondary(l.span.file, l.span.range.clone()).with_message(&l.message)
        }),
    );
    let mut notes = d.notes.clone();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    base.with_code(d.code)
        .with_message(&d.message)
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
    for d in diags {
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
