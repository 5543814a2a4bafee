//! Weave the packages a command names, in memory: shared by `plan`, `diff`
//! and the `-overlay` driver of `goaop go`.

use std::path::{Path, PathBuf};

use super::golist::{self, Package};
use super::{Outcome, rules};
use crate::compile::RuleSet;
use crate::project;
use crate::weave::{PackageInfo, SourceFile, WovenPackage, weave_package};

pub struct WovenModule {
    pub packages: Vec<(Package, Vec<SourceFile>, WovenPackage)>,
}

/// `go list` the patterns in `cwd` and weave every package in memory.
///
/// `absolute` names files by absolute path in `//line` directives (what a
/// build wants, like the go command's own positions); otherwise relative to
/// `cwd` (what a diff shows).
pub fn weave(
    cwd: &Path,
    patterns: &[String],
    rules: &RuleSet,
    absolute: bool,
) -> Result<WovenModule, String> {
    let main_module = project::find_module(cwd).map(|m| m.path);
    let view = rules.view().map_err(|e| e.to_string())?;
    let mut packages = Vec::new();
    for pkg in golist::list(cwd, patterns)? {
        if let Some(e) = &pkg.error {
            return Err(format!("package {}: {}", pkg.import_path, e.err));
        }
        let mut files = Vec::new();
        for f in &pkg.go_files {
            let path: PathBuf = pkg.dir.join(f);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = if absolute {
                path.display().to_string()
            } else {
                path.strip_prefix(cwd)
                    .unwrap_or(&path)
                    .display()
                    .to_string()
            };
            files.push(SourceFile { name, text });
        }
        let info = PackageInfo {
            path: &pkg.import_path,
            main_module: main_module.as_deref(),
        };
        let woven = weave_package(&view, &info, &files).map_err(|e| e.to_string())?;
        packages.push((pkg, files, woven));
    }
    Ok(WovenModule { packages })
}

/// Build the rule set from `aspects` (default: the module's) and weave the
/// packages `patterns` names; any failure is the [`Outcome`] to report.
pub fn build_and_weave(
    cwd: &Path,
    aspects: &[PathBuf],
    patterns: &[String],
    color: bool,
    absolute: bool,
) -> Result<WovenModule, Outcome> {
    let (_, rules) = rules::build(cwd, aspects, color)?;
    weave(cwd, patterns, &rules, absolute).map_err(|e| Outcome {
        stderr: format!("error: {e}\n"),
        code: 1,
        ..Default::default()
    })
}
