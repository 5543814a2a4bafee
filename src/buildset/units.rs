//! Units from what the go command says: a compile's import path (cmd/go's
//! `TOOLEXEC_IMPORTPATH`, `go list -test`'s `ImportPath`, both of the form
//! `path [variant.test]` for test variants) and a `go list` entry's files.

use std::path::Path;

use super::Unit;
use super::golist::Package;
use super::overlay::Overlay;
use crate::project::Module;
use crate::weave::SourceFile;

/// What one compile is, from its import path as cmd/go writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The package's import path (`-p`).
    pub path: String,
    /// Whose aspects apply: the tested package for an external test package.
    pub scope_path: String,
}

impl Target {
    /// `example.com/app`, `example.com/app [example.com/app.test]`,
    /// `example.com/app_test [example.com/app.test]`. `None` for a generated
    /// test main (`example.com/app.test`, package main), which is never
    /// woven.
    pub fn parse(import_path: &str, is_main: bool) -> Option<Target> {
        let (path, variant) = match import_path.split_once(" [") {
            Some((p, v)) => (p, v.strip_suffix(']')),
            None => (import_path, None),
        };
        if path.is_empty() || (is_main && variant.is_none() && path.ends_with(".test")) {
            return None;
        }
        let tested = variant.and_then(|v| v.strip_suffix(".test"));
        let scope_path = match tested {
            Some(t) if path.strip_suffix("_test") == Some(t) => t,
            _ => path,
        };
        Some(Target {
            path: path.to_string(),
            scope_path: scope_path.to_string(),
        })
    }
}

/// The import path of the package in `dir`, a directory of the module
/// `module_path` rooted at `module_root`: what cmd/go calls
/// `command-line-arguments` (`go run main.go`) or `-p main` really is.
pub fn dir_import_path(dir: &Path, module_root: &Path, module_path: &str) -> Option<String> {
    let rel = dir.strip_prefix(module_root).ok()?;
    Some(if rel.as_os_str().is_empty() {
        module_path.to_string()
    } else {
        format!("{module_path}/{}", rel.display())
    })
}

/// The name cmd/go gives a package made of files named on the command line.
pub const COMMAND_LINE: &str = "command-line-arguments";

/// How to name files in `//line` directives.
#[derive(Clone, Copy, Debug)]
pub enum Naming<'a> {
    /// Absolute paths, as a build names them.
    Absolute,
    /// Relative to a directory (what `goaop diff` shows).
    RelativeTo(&'a Path),
}

/// What a `go list` entry compiles. Files named on the command line
/// (`command-line-arguments`) are the package of their directory in the
/// main module `main`. `None` for a test main.
pub fn listed_target(pkg: &Package, main: Option<&Module>) -> Option<Target> {
    let target = Target::parse(&pkg.import_path, pkg.name == "main")?;
    if target.path == COMMAND_LINE
        && let Some(m) = main
        && let Some(path) = dir_import_path(&pkg.dir, &m.root, &m.path)
    {
        return Some(Target {
            scope_path: path.clone(),
            path,
        });
    }
    Some(target)
}

/// The unit `target` (see [`listed_target`]) compiles: the entry's Go files
/// (test files included for a test variant) and cgo files, read through the
/// user's overlay.
pub fn from_listing(
    pkg: &Package,
    target: Target,
    overlay: &Overlay,
    naming: Naming,
) -> Result<Unit, String> {
    let mut files = Vec::with_capacity(pkg.go_files.len() + pkg.cgo_files.len());
    for f in pkg.go_files.iter().chain(&pkg.cgo_files) {
        let path = pkg.dir.join(f);
        let text = overlay.read(&path)?;
        let name = match naming {
            Naming::Absolute => path.display().to_string(),
            Naming::RelativeTo(base) => path
                .strip_prefix(base)
                .unwrap_or(&path)
                .display()
                .to_string(),
        };
        files.push(SourceFile { name, text });
    }
    Ok(Unit {
        path: target.path,
        scope_path: target.scope_path,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(path: &str, scope: &str) -> Option<Target> {
        Some(Target {
            path: path.into(),
            scope_path: scope.into(),
        })
    }

    #[test]
    fn variants() {
        assert_eq!(
            Target::parse("example.com/app", false),
            t("example.com/app", "example.com/app")
        );
        assert_eq!(
            Target::parse("example.com/app [example.com/app.test]", false),
            t("example.com/app", "example.com/app")
        );
        // External tests of the root package and of a subpackage alike.
        assert_eq!(
            Target::parse("example.com/app_test [example.com/app.test]", false),
            t("example.com/app_test", "example.com/app")
        );
        assert_eq!(
            Target::parse("example.com/app/sub_test [example.com/app/sub.test]", false),
            t("example.com/app/sub_test", "example.com/app/sub")
        );
        // A dependency recompiled for a test is itself.
        assert_eq!(
            Target::parse("example.com/app/obs [example.com/app.test]", false),
            t("example.com/app/obs", "example.com/app/obs")
        );
        assert_eq!(Target::parse("example.com/app.test", true), None);
        assert_eq!(Target::parse("", false), None);
    }
}
