//! `go list -json`: the packages a build compiles, as the go command sees
//! them (build tags, GOOS/GOARCH, overlays and module resolution are its
//! business). Two listings can run at once ([`Listing::start`] then
//! [`Listing::finish`]): the build's packages and the closure of the
//! advice's imports.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    /// With `-test`, a test variant is `path [path.test]`.
    pub import_path: String,
    /// Empty for a package the go command could not find (its `Error`
    /// says why).
    #[serde(default)]
    pub dir: PathBuf,
    #[serde(default)]
    pub name: String,
    /// Part of the standard library.
    #[serde(default)]
    pub standard: bool,
    #[serde(default)]
    pub go_files: Vec<String>,
    /// Files that `import "C"`: cgo rewrites them, through the overlay, so
    /// their woven text is what it compiles.
    #[serde(default)]
    pub cgo_files: Vec<String>,
    #[serde(default)]
    pub imports: Vec<String>,
    #[serde(default)]
    pub deps: Vec<String>,
    #[serde(default)]
    pub module: Option<ModuleInfo>,
    #[serde(default)]
    pub error: Option<PackageError>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModuleInfo {
    pub path: String,
    #[serde(default)]
    pub main: bool,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub replace: Option<Box<ModuleInfo>>,
}

impl Package {
    /// Whether the package's directory can be edited in place (see
    /// [`crate::store::kept::editable`]).
    pub fn editable(&self) -> bool {
        let version = self
            .module
            .as_ref()
            .map(|m| m.replace.as_deref().unwrap_or(m).version.as_str());
        crate::store::kept::editable(self.standard, &self.dir.to_string_lossy(), version)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageError {
    pub err: String,
}

/// Every field goaop reads (`goaop init` needs the imports).
pub const FIELDS: &str =
    "-json=ImportPath,Dir,Name,Standard,GoFiles,CgoFiles,Imports,Deps,Module,Error";
/// What weaving a build's packages needs (no `Deps`, the bulk of a
/// `-deps` listing).
pub const BUILD_FIELDS: &str = "-json=ImportPath,Dir,Name,Standard,GoFiles,CgoFiles,Module,Error";
/// What the closure of the advice's imports needs.
pub const CLOSURE_FIELDS: &str = "-json=ImportPath,Dir,Standard,Deps,Module,Error";

/// A running `go list -e -json …`.
pub struct Listing {
    child: Child,
}

impl Listing {
    /// Start `go list -e <fields> <args…>` in `dir` (`fields`: one of the
    /// `-json=…` sets above; `args`: flags such as `-deps`, `-test`, build
    /// flags, then patterns).
    pub fn start(dir: &Path, fields: &str, args: &[String]) -> Result<Listing, String> {
        let child = Command::new("go")
            .current_dir(dir)
            .args(["list", "-e", fields])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run `go list` (is Go installed and on PATH?): {e}"))?;
        Ok(Listing { child })
    }

    /// Wait for the listing and parse it.
    pub fn finish(self) -> Result<Vec<Package>, String> {
        let out = self
            .child
            .wait_with_output()
            .map_err(|e| format!("`go list` failed: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`go list` failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::Deserializer::from_str(&text)
            .into_iter::<Package>()
            .map(|p| p.map_err(|e| format!("unexpected `go list` output: {e}")))
            .collect()
    }
}

/// Run `go list -e -json patterns…` in `dir` (no patterns: `./...`).
pub fn list(dir: &Path, patterns: &[String]) -> Result<Vec<Package>, String> {
    let args = if patterns.is_empty() {
        vec!["./...".to_string()]
    } else {
        patterns.to_vec()
    };
    Listing::start(dir, FIELDS, &args)?.finish()
}
