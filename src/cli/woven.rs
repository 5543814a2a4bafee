//! Weave the packages `goaop plan` and `goaop diff` name, in memory, by the
//! rules every mode shares ([`crate::buildset`]): what `go build` compiles
//! of them, or with `--tests` what `go test` compiles.

use std::path::{Path, PathBuf};

use super::{Outcome, rules};
use crate::buildset::{self, Listed, Naming, Request, overlay::Overlay};
use crate::project;

pub struct WovenModule {
    pub packages: Vec<Listed>,
}

/// Which packages, and how to name their files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection<'a> {
    pub patterns: &'a [String],
    /// The `go test` file set (test files, external test packages).
    pub tests: bool,
    /// Name files by absolute path in `//line` directives, as a build does;
    /// otherwise relative to the current directory (what a diff shows).
    pub absolute: bool,
    /// Also the packages no aspect can touch (for their signatures).
    pub unscoped: bool,
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
    let fail = |e: String| Outcome {
        stderr: format!("error: {e}\n"),
        code: 1,
        ..Default::default()
    };
    let view = rules.view().map_err(|e| fail(e.to_string()))?;
    let main_module = project::find_module(cwd).map(|m| m.path);
    let req = Request {
        dir: cwd,
        patterns: sel.patterns,
        flags: &[],
        overlay_file: None,
        overlay: &Overlay::default(),
        deps: false,
        tests: sel.tests,
        test_skips: sel.tests,
        unscoped: sel.unscoped,
        naming: if sel.absolute {
            Naming::Absolute
        } else {
            Naming::RelativeTo(cwd)
        },
    };
    let packages = buildset::weave_listed(&view, main_module.as_deref(), &req).map_err(fail)?;
    Ok(WovenModule { packages })
}
