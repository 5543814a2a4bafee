//! The project layer: "the aspects of this module", found, read, loaded,
//! checked and compiled, for every front end (`cli/`, `toolexec/`, driver
//! mode, `lsp/`). It prints nothing and knows no exit codes: it returns
//! data (diagnostics with their [`Sources`](crate::diag::Sources), the
//! compiled [`RuleSet`](crate::compile::RuleSet), the packs used), and each
//! front end renders it its own way.
//!
//! - this file: where the main module is, what its path is, which aspect
//!   files it declares;
//! - [`read`]: reading input files in bounded time and memory;
//! - [`session`]: load + check (+ compile) a set of aspect files, from disk
//!   or from an editor's unsaved buffers;
//! - [`woven`]: the module's packages woven in memory by a rule set (what
//!   `plan`, `diff` and the language server's match counts show).
//!
//! Aspect packs (`use:` naming a Go package) are resolved by
//! [`crate::packs`], which this layer calls.

mod read;
pub mod session;
pub mod woven;

pub use read::{ReadError, read_capped, write_atomically};
pub use session::{
    BuildError, Loaded, build, compile_diagnostic, default_files, files_or_default, load_and_check,
    load_and_check_with, load_check_compile, load_check_compile_with,
};

use std::path::{Path, PathBuf};

/// Largest go.mod read when looking for the module (go.mod files are small;
/// this only bounds what a hostile one can cost).
const MAX_GOMOD_BYTES: u64 = 16 << 20;

/// File names looked for at the module root, in this order.
pub const ASPECT_FILE_NAMES: &[&str] = &["aspects.yaml", "aspects.yml"];

/// The main Go module of a directory.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Module {
    pub root: PathBuf,
    /// The `module` path of go.mod.
    pub path: String,
}

/// Find the Go module containing `dir` (the nearest go.mod upwards).
pub fn find_module(dir: &Path) -> Option<Module> {
    let mut at = Some(dir);
    while let Some(d) = at {
        let gomod = d.join("go.mod");
        if let Ok(bytes) = read_capped(&gomod, MAX_GOMOD_BYTES) {
            let path = module_path(&String::from_utf8_lossy(&bytes))?;
            return Some(Module {
                root: d.to_path_buf(),
                path,
            });
        }
        at = d.parent();
    }
    None
}

/// The module path declared by a go.mod text.
pub fn module_path(gomod: &str) -> Option<String> {
    gomod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let p = rest.split("//").next()?.trim().trim_matches('"');
        (!p.is_empty()).then(|| p.to_string())
    })
}

/// `GOAOP_CONFIG`, if set and not empty: the aspect file of every build
/// and command not given one (`-toolexec` resolves it in the go command's
/// directory, and so does driver mode; `check`/`plan`/`diff` in theirs).
pub fn config_from_env() -> Option<PathBuf> {
    std::env::var_os("GOAOP_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The aspect files of a module: `aspects.yaml` (or `.yml`) and every
/// `*.aspect` file at its root, sorted for determinism.
pub fn aspect_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ASPECT_FILE_NAMES
        .iter()
        .map(|n| root.join(n))
        .filter(|p| p.is_file())
        .take(1)
        .collect();
    let mut dsl: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspect") && p.is_file())
        .collect();
    dsl.sort();
    out.extend(dsl);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_path_forms() {
        assert_eq!(
            module_path("module example.com/shop\n\ngo 1.22\n").as_deref(),
            Some("example.com/shop")
        );
        assert_eq!(
            module_path("// c\nmodule \"x/y\" // comment\n").as_deref(),
            Some("x/y")
        );
        assert_eq!(module_path("modulex y\n"), None);
    }
}
