//! Diagnostics of an open document: the project layer's check of the
//! module's aspect files (the editor's unsaved text standing in for the
//! files on disk), converted to the protocol, grouped by the file they
//! point into (a problem in a pack's file is published on that file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use super::convert;
use crate::diag::{Diagnostic, Severity, Sources};
use crate::project::{self, Loaded};

/// The files checked together with `doc`, and the directory their names
/// are relative to: the module's aspect files if `doc` is one of them (so
/// duplicates across files are found as `goaop check` finds them), else
/// `doc` alone.
pub fn files_for(doc: &Path) -> (PathBuf, Vec<PathBuf>) {
    let dir = doc.parent().unwrap_or(Path::new("/")).to_path_buf();
    match project::find_module(&dir) {
        Some(m) => {
            let files = project::aspect_files(&m.root);
            if files.iter().any(|f| f == doc) {
                (m.root, files)
            } else {
                (m.root, vec![doc.to_path_buf()])
            }
        }
        None => (dir, vec![doc.to_path_buf()]),
    }
}

/// Every diagnostic of `loaded` by the URI of the file it points into;
/// each file read from disk or the editor is present, with no diagnostics
/// when it is clean (so the editor clears what it showed). Files that are
/// not on disk (the bundled ones) have no URI: their diagnostics are
/// published on the first input file.
pub fn by_uri(
    cwd: &Path,
    loaded: &Loaded,
    inputs: usize,
) -> BTreeMap<String, (Uri, Vec<LspDiagnostic>)> {
    let sources = &loaded.sources;
    let uris: Vec<Option<Uri>> = sources
        .iter()
        .map(|(_, s)| {
            let p = Path::new(&s.name);
            if s.name.starts_with('<') {
                return None;
            }
            convert::uri(&normalize(&cwd.join(p)))
        })
        .collect();
    let mut out: BTreeMap<String, (Uri, Vec<LspDiagnostic>)> = BTreeMap::new();
    for uri in uris.iter().take(inputs).flatten() {
        out.insert(uri.as_str().to_string(), (uri.clone(), Vec::new()));
    }
    let fallback = uris.first().cloned().flatten();
    for d in loaded.diagnostics() {
        let file = d.primary.span.file;
        let (uri, range) = match uris.get(file).cloned().flatten() {
            Some(u) => (
                u,
                convert::range(&sources.get(file).text, d.primary.span.range.clone()),
            ),
            None => match &fallback {
                Some(u) => (u.clone(), Default::default()),
                None => continue,
            },
        };
        let lsp = to_lsp(d, range, sources, &uris);
        out.entry(uri.as_str().to_string())
            .or_insert_with(|| (uri.clone(), Vec::new()))
            .1
            .push(lsp);
    }
    out
}

/// One diagnostic in the protocol's terms: the code, the message with the
/// primary label, help and notes, and the secondary labels as related
/// information.
fn to_lsp(
    d: &Diagnostic,
    range: lsp_types::Range,
    sources: &Sources,
    uris: &[Option<Uri>],
) -> LspDiagnostic {
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!(": {}", d.primary.message));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let uri = uris.get(l.span.file).cloned().flatten()?;
            let text = &sources.get(l.span.file).text;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, convert::range(text, l.span.range.clone())),
                message: l.message.clone(),
            })
        })
        .collect();
    LspDiagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("goaop".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (a pack's files are
/// named relative to the module, `../pack/aspects.yaml`; the editor knows
/// them by their plain path).
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalize() {
        let n = |p: &str| super::normalize(std::path::Path::new(p));
        assert_eq!(
            n("/m/app/../pack/./a.yaml"),
            std::path::Path::new("/m/pack/a.yaml")
        );
        assert_eq!(n("/a/b"), std::path::Path::new("/a/b"));
    }
}
