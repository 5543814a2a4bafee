//! The closure of the advice's imports, kept across builds when nothing it
//! depends on can have changed: a no-op `go build -toolexec=goaop` then runs
//! no nested `go list` at all (it cost ~0.3–0.5 s per build, every build).
//!
//! Two answers are kept this way: [`super::sources`] lists the closure
//! (`go list -deps`: every package the advice imports, with its
//! dependencies, and the identity of their sources), [`super::deps`] builds
//! it (`go list -deps -export`: their export files). What an answer
//! depends on splits in two:
//!
//! - **Inputs a key can name** ([`key`]): goaop's identity, the go
//!   command (path, size, modification time), the directory and flags the
//!   nested command runs with, the imports, the module graph files (go.mod,
//!   go.sum, go.work, go.work.sum, vendor/modules.txt), the go env file,
//!   and every environment variable the go command reads for a build
//!   (`GO*`, `CGO_*`, `CC`, `CXX`, `AR`, `PKG_CONFIG`). A standard-library
//!   package or a module-cache package (`<modcache>/path@version`, read-only
//!   and immutable for a version go.sum pins) builds the same export data
//!   for the same inputs.
//! - **Directories that can be edited in place**: packages of the main
//!   module, of a workspace module, of a `replace => ../dir` module or of
//!   `vendor/`. Each such package's directory is hashed (every regular
//!   file's name and bytes) when the answer is kept, and again on every use.
//!
//! On use, every export file must still exist (the Go build cache trims
//! old entries) and every editable directory must hash the same; otherwise
//! the closure is computed again, exactly as without this file. So an edit
//! of a helper package the advice imports still reaches the next build
//! (issue #9 item 1), and `-a` or a new GOCACHE still find their answer
//! (the export files' names are their content hashes: the closure id does
//! not depend on where they are). Kept answers are [sealed](super::sealed).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::sealed;

/// A kept answer: the payload (a closure's [listing](super::sources) or
/// its [export files](super::deps)) and the hashes of its editable
/// directories.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept<T> {
    payload: T,
    /// Directory → [`dir_hash`] when the answer was computed.
    editable: Vec<(PathBuf, String)>,
}

/// The file of a kept answer of `kind` for `key` in the cache directory `dir`.
fn file(dir: &Path, kind: &str, key: &str) -> PathBuf {
    dir.join(format!("{kind}-{key}.bin"))
}

/// What an answer depends on besides the editable directories: `parts`
/// (goaop's identity, the nested command's directory, flags and imports:
/// the per-go-command key of [`super::deps`]), the go command `go`, and the
/// module graph of `module_root` and the environment.
pub fn key(parts: &str, go: &Path, module_root: Option<&Path>) -> String {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(b"goaop kept closure v1");
    frame(parts.as_bytes());
    frame(go.as_os_str().as_encoded_bytes());
    if let Ok(m) = std::fs::metadata(go) {
        frame(&m.len().to_le_bytes());
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        frame(&mtime.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| build_variable(k))
        .collect();
    vars.sort();
    for (k, v) in &vars {
        frame(k.as_bytes());
        frame(v.as_bytes());
    }
    let mut files: Vec<PathBuf> = go_env_file().into_iter().collect();
    if let Some(root) = module_root {
        frame(root.as_os_str().as_encoded_bytes());
        files.extend(graph_files(root));
    }
    for f in files {
        frame(f.as_os_str().as_encoded_bytes());
        frame(&std::fs::read(&f).unwrap_or_default());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// The kept answer of `kind` for `key`, if it is still right: every
/// editable directory hashes the same, and `valid` accepts the payload
/// (the export files of a closure must still exist).
pub fn read<T: DeserializeOwned>(
    dir: &Path,
    kind: &str,
    key: &str,
    valid: impl Fn(&T) -> bool,
) -> Option<T> {
    let bytes = sealed::read(&file(dir, kind, key), kind, key)?;
    let kept: Kept<T> = serde_json::from_slice(&bytes).ok()?;
    let unedited = kept
        .editable
        .iter()
        .all(|(d, hash)| dir_hash(d).as_deref() == Some(hash.as_str()));
    (unedited && valid(&kept.payload)).then_some(kept.payload)
}

/// Keep `payload` as the answer of `kind` for `key`; `editable` are the
/// directories of its packages that can change without changing the key.
pub fn write<T: Serialize>(dir: &Path, kind: &str, key: &str, payload: &T, editable: &[PathBuf]) {
    let mut hashed = Vec::with_capacity(editable.len());
    for d in editable {
        let Some(h) = dir_hash(d) else {
            return; // unreadable: never kept
        };
        hashed.push((d.clone(), h));
    }
    let kept = Kept {
        payload,
        editable: hashed,
    };
    if let Ok(json) = serde_json::to_vec(&kept) {
        sealed::write(&file(dir, kind, key), kind, key, &json);
    }
}

/// The environment variables the go command reads when it builds.
/// goaop's own (`GOAOP_LOG`, `GOAOP_CONFIG`…) are not among them: the
/// closure does not depend on them (the imports are in the key), and a
/// build with `GOAOP_LOG` set must not list the closure again.
fn build_variable(name: &str) -> bool {
    (name.starts_with("GO") && !name.starts_with("GOAOP_"))
        || name.starts_with("CGO_")
        || matches!(
            name,
            "CC" | "CXX" | "FC" | "AR" | "PKG_CONFIG" | "HOME" | "XDG_CONFIG_HOME"
        )
}

/// The go env file (`go env -w` writes it): `$GOENV`, else
/// `<user config dir>/go/env`.
fn go_env_file() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("GOENV") {
        return (!v.is_empty() && v != "off").then(|| PathBuf::from(v));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("go").join("env"))
}

/// The files that decide the module graph of the module at `root`.
pub fn graph_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![
        root.join("go.mod"),
        root.join("go.sum"),
        root.join("vendor").join("modules.txt"),
    ];
    if let Some(work) = crate::gomod::find_gowork(root) {
        files.push(work.with_extension("work.sum"));
        files.push(work);
    }
    files
}

/// A hash of a directory's regular files (names and bytes, sorted by
/// name), `None` if it cannot be read.
pub fn dir_hash(dir: &Path) -> Option<String> {
    let mut files: Vec<(std::ffi::OsString, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.file_name(), e.path()))
        .collect();
    files.sort();
    let mut h = blake3::Hasher::new();
    for (name, path) in files {
        let bytes = std::fs::read(&path).ok()?;
        for part in [name.as_encoded_bytes(), &bytes] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
    Some(h.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::toolexec::deps::Deps;

    fn deps(export: &Path) -> Deps {
        Deps {
            packages: [("x".to_string(), export.display().to_string())].into(),
        }
    }

    fn read_deps(dir: &Path, key: &str) -> Option<Deps> {
        read(dir, "closure", key, Deps::exports_exist)
    }

    fn write_deps(dir: &Path, key: &str, d: &Deps, editable: &[PathBuf]) {
        write(dir, "closure", key, d, editable)
    }

    #[test]
    fn kept_until_an_editable_directory_or_an_export_file_changes() {
        let cache = tempfile::tempdir().unwrap();
        let pkg = tempfile::tempdir().unwrap();
        let export = cache.path().join("export-d");
        std::fs::write(&export, "export data").unwrap();
        std::fs::write(pkg.path().join("a.go"), "package a").unwrap();
        let d = deps(&export);
        write_deps(cache.path(), "k", &d, &[pkg.path().to_path_buf()]);
        assert_eq!(read_deps(cache.path(), "k").map(|d| d.id()), Some(d.id()));
        assert!(read_deps(cache.path(), "other").is_none(), "another key");

        std::fs::write(pkg.path().join("a.go"), "package a // edited").unwrap();
        assert!(read_deps(cache.path(), "k").is_none(), "an edited file");
        write_deps(cache.path(), "k", &d, &[pkg.path().to_path_buf()]);
        std::fs::write(pkg.path().join("b.go"), "package a").unwrap();
        assert!(read_deps(cache.path(), "k").is_none(), "a new file");

        write_deps(cache.path(), "k", &d, &[pkg.path().to_path_buf()]);
        assert!(read_deps(cache.path(), "k").is_some());
        std::fs::remove_file(&export).unwrap();
        assert!(
            read_deps(cache.path(), "k").is_none(),
            "a trimmed export file"
        );
    }

    #[test]
    fn the_key_follows_the_module_graph_and_the_environment() {
        let m = tempfile::tempdir().unwrap();
        std::fs::write(m.path().join("go.mod"), "module x\n").unwrap();
        let go = Path::new("/nonexistent/go");
        let a = key("p", go, Some(m.path()));
        assert_eq!(a, key("p", go, Some(m.path())));
        assert_ne!(a, key("q", go, Some(m.path())), "the per-command key");
        std::fs::write(m.path().join("go.sum"), "x v1 h1:…\n").unwrap();
        assert_ne!(a, key("p", go, Some(m.path())), "go.sum");
        assert!(build_variable("GOARCH") && build_variable("CGO_CFLAGS") && build_variable("CC"));
        assert!(!build_variable("PWD") && !build_variable("SHLVL"));
        assert!(!build_variable("GOAOP_LOG") && !build_variable("GOAOP_CONFIG"));
        assert!(build_variable("GOAMD64") && build_variable("GOFLAGS"));
    }
}
