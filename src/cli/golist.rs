//! `go list -json`: the packages a command works on, as the go command sees
//! them (build tags, GOOS/GOARCH and module resolution are its business).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    pub import_path: String,
    pub dir: PathBuf,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub go_files: Vec<String>,
    #[serde(default)]
    pub imports: Vec<String>,
    #[serde(default)]
    pub module: Option<ModuleInfo>,
    #[serde(default)]
    pub error: Option<PackageError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModuleInfo {
    pub path: String,
    #[serde(default)]
    pub main: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageError {
    pub err: String,
}

/// Run `go list -e -json patterns…` in `dir`.
pub fn list(dir: &Path, patterns: &[String]) -> Result<Vec<Package>, String> {
    let mut cmd = Command::new("go");
    cmd.current_dir(dir).args([
        "list",
        "-e",
        "-json=ImportPath,Dir,Name,GoFiles,Imports,Module,Error",
    ]);
    if patterns.is_empty() {
        cmd.arg("./...");
    } else {
        cmd.args(patterns);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `go list` (is Go installed and on PATH?): {e}"))?;
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
