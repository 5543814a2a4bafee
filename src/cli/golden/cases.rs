//! The cases of `goaop test`, as they lie on disk: every directory under
//! the tests folder that holds Go files is a case; its expected outputs sit
//! beside them (`<file>.go.golden` per Go file, `plan.txt`), and an
//! optional `case.yaml` names the import path the case is woven as.
//! Expected files end in `.golden` rather than `.go` so that neither the go
//! command nor `gofmt -l` ever treats them as sources (the folder lives
//! under `testdata/`, which `go build ./...` skips, for the same reason).

use std::path::{Path, PathBuf};

use crate::project::read_capped;

/// Where the cases live, relative to the module root, when no folder is given.
pub const DEFAULT_DIR: &str = "testdata/aspect_tests";
/// The expected plan of a case.
pub const PLAN_FILE: &str = "plan.txt";
/// A case's optional settings.
pub const CASE_FILE: &str = "case.yaml";
/// Appended to a Go file's name to name its expected woven text.
pub const GOLDEN_SUFFIX: &str = ".golden";

/// Largest Go or expected file read (a case is a small, hand-written file).
const MAX_CASE_FILE_BYTES: u64 = 16 << 20;
/// How deep cases may be nested under the tests folder.
const MAX_DEPTH: usize = 16;

/// One case: a directory with Go files.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its path under the tests folder, `/`-separated (the folder's own
    /// name when the folder is itself a case).
    pub name: String,
    pub dir: PathBuf,
    /// The Go files (names in `dir`), sorted.
    pub sources: Vec<String>,
    /// `*.go.golden` files whose Go file is gone.
    pub stale: Vec<String>,
}

/// `case.yaml`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseConfig {
    /// The import path to weave the case's package as (default: the
    /// module path joined with the case directory's path in the module).
    pub package: Option<String>,
}

impl Case {
    /// The expected woven text's file name for the Go file `source`.
    pub fn golden_name(source: &str) -> String {
        format!("{source}{GOLDEN_SUFFIX}")
    }

    /// Read `case.yaml` (absent: the defaults).
    pub fn config(&self) -> Result<CaseConfig, String> {
        let path = self.dir.join(CASE_FILE);
        if !path.exists() {
            return Ok(CaseConfig::default());
        }
        let text = read_text(&path)?;
        let config = serde_saphyr::from_str::<Option<CaseConfig>>(&text)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                // The first line says it all (the rest quotes the file).
                let e = e.to_string();
                let first = e.lines().next().unwrap_or_default();
                format!("{CASE_FILE}: {}", first.trim_start_matches("error: "))
            })?;
        // Checked like the import paths of aspect files (Go's rules), so a
        // typo fails the case instead of silently matching nothing.
        if let Some(p) = &config.package
            && let Some(problem) = crate::check::names::import_path_problem(p)
        {
            return Err(format!("{CASE_FILE}: package {p:?}: {problem}"));
        }
        Ok(config)
    }

    /// Read a file of the case (a Go file or an expected output).
    pub fn read(&self, name: &str) -> Result<String, String> {
        read_text(&self.dir.join(name)).map_err(|e| format!("{name}: {e}"))
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = read_capped(path, MAX_CASE_FILE_BYTES).map_err(|e| match e {
        crate::project::ReadError::NotAFile(what) => format!("is {what}, not a file"),
        crate::project::ReadError::TooLarge(n) => {
            format!("{n} bytes, over the {MAX_CASE_FILE_BYTES}-byte limit")
        }
        crate::project::ReadError::Io(e) => e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

/// Every case under `root` (itself included), sorted by name.
pub fn discover(root: &Path) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    let own = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".into());
    walk(root, None, &own, 0, &mut out)?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn walk(
    dir: &Path,
    name: Option<&str>,
    own: &str,
    depth: usize,
    out: &mut Vec<Case>,
) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => dirs.push(file_name),
            Ok(t) if t.is_file() => files.push(file_name),
            _ => {}
        }
    }
    files.sort();
    dirs.sort();
    let sources: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".go"))
        .cloned()
        .collect();
    let stale: Vec<String> = files
        .iter()
        .filter(|f| {
            f.strip_suffix(GOLDEN_SUFFIX)
                .is_some_and(|src| src.ends_with(".go") && !sources.iter().any(|s| s == src))
        })
        .cloned()
        .collect();
    if !sources.is_empty() || !stale.is_empty() {
        out.push(Case {
            name: name.unwrap_or(own).to_string(),
            dir: dir.to_path_buf(),
            sources,
            stale,
        });
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    for d in dirs {
        let sub = match name {
            Some(n) => format!("{n}/{d}"),
            None => d.clone(),
        };
        walk(&dir.join(&d), Some(&sub), own, depth + 1, out)?;
    }
    Ok(())
}
