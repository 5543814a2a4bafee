//! From aspect files to a compiled rule set, for every command that weaves
//! (the project layer's [`project::build`], its failures rendered as
//! `goaop check` renders them).

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::compile::RuleSet;
use crate::packs::Packs;
use crate::project::{self, Loaded};

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
    project::build(cwd, files, packs).map_err(|e| Outcome::from_build_error(e, color))
}
