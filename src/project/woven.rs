//! The module's packages woven in memory by a rule set, the way a build
//! would weave them (the shared [`crate::buildset`] rules over a `go list`;
//! nothing is built): what `goaop plan`, `goaop diff` and the language
//! server's match counts show.

use std::path::Path;

use crate::buildset::{self, Listed, Naming, Request, overlay::Overlay};
use crate::compile::RuleSet;

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

/// Weave the selected packages of the module of `cwd` with `rules`.
pub fn weave(cwd: &Path, rules: &RuleSet, sel: &Selection) -> Result<Vec<Listed>, String> {
    let view = rules.view().map_err(|e| e.to_string())?;
    let main_module = super::find_module(cwd).map(|m| m.path);
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
        keep: None,
    };
    buildset::weave_listed(&view, main_module.as_deref(), &req)
}
