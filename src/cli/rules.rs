//! From aspect files to a compiled rule set, for every command that weaves
//! (the same load + check + compile as `goaop check`).

use std::path::{Path, PathBuf};

use super::Outcome;
use super::check::{Loaded, files_or_default, load_check_compile_with, report};
use crate::compile::RuleSet;
use crate::packs::Packs;

/// Load, check and compile; on errors, the rendered diagnostics to print.
pub fn build(cwd: &Path, files: &[PathBuf], color: bool) -> Result<(Loaded, RuleSet), Outcome> {
    build_with(cwd, files, color, None)
}

/// [`build`] with the aspect packs already resolved (`None`: resolve them).
pub fn build_with(
    cwd: &Path,
    files: &[PathBuf],
    color: bool,
    packs: Option<Packs>,
) -> Result<(Loaded, RuleSet), Outcome> {
    let files = files_or_default(cwd, files).map_err(Outcome::usage)?;
    match load_check_compile_with(cwd, &files, packs) {
        (loaded, Some(rules)) => Ok((loaded, rules)),
        (loaded, None) => Err(report(&loaded, super::Format::Human, color)),
    }
}
