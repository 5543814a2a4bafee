//! Weave the packages `goaop plan` and `goaop diff` name, in memory, by the
//! rules every mode shares ([`crate::buildset`]): what `go build` compiles
//! of them, or with `--tests` what `go test` compiles.

use std::path::{Path, PathBuf};

use super::{Outcome, rules};
use crate::buildset::Listed;
pub use crate::project::woven::Selection;

pub struct WovenModule {
    pub packages: Vec<Listed>,
}

/// Build the rule set from `aspects` (default: the module's) and weave the
/// selected packages; any failure is the [`Outcome`] to report.
pub fn build_and_weave(
    cwd: &Path,
    aspects: &[PathBuf],
    sel: &Selection,
    color: bool,
) -> Result<WovenModule, Outcome> {
    let (_, rules) = rules::build(cwd, aspects, color)?;
    let packages = crate::project::woven::weave(cwd, &rules, sel).map_err(|e| Outcome {
        stderr: format!("error: {e}\n"),
        code: 1,
        ..Default::default()
    })?;
    Ok(WovenModule { packages })
}
