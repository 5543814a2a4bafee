//! From aspect files to a compiled rule set, for every command that weaves.

use std::path::{Path, PathBuf};

use super::Outcome;
use super::check::{Loaded, default_files, load_and_check, report};
use crate::compile::{CompileError, RuleSet};
use crate::diag::Diagnostic;

/// Load, check and compile; on errors, the rendered diagnostics to print.
pub fn build(cwd: &Path, files: &[PathBuf], color: bool) -> Result<(Loaded, RuleSet), Outcome> {
    let files = if files.is_empty() {
        default_files(cwd).map_err(Outcome::usage)?
    } else {
        files.to_vec()
    };
    let mut loaded = load_and_check(cwd, &files);
    if loaded.checked.has_errors() {
        return Err(report(&loaded, super::Format::Human, color));
    }
    match RuleSet::build(&loaded.checked.aspects) {
        Ok(rules) => Ok((loaded, rules)),
        Err(errors) => {
            let diags = errors
                .iter()
                .map(|e| compile_diagnostic(&loaded, e))
                .collect::<Vec<_>>();
            loaded.checked.diagnostics.extend(diags);
            Err(report(&loaded, super::Format::Human, color))
        }
    }
}

/// A compile error pointed at the pattern that caused it.
pub fn compile_diagnostic(loaded: &Loaded, e: &CompileError) -> Diagnostic {
    let spans = &loaded.checked.spans[e.aspect];
    let span = spans
        .sigs
        .iter()
        .find(|(p, _)| *p == e.pattern)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| spans.name.clone());
    e.to_diagnostic(span)
}
