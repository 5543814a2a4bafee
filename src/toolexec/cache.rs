//! The compiled rule set of a toolexec build, cached on disk so that each of
//! the build's many tool calls loads it zero-copy instead of recompiling.
//!
//! The cache file is `<user cache dir>/goaop/rules-<key>.bin`, the key a
//! blake3 hash of goaop's version, the bundled aspect sources, every
//! aspect file's name and bytes, and the main module's go.mod. Writers race harmlessly: each writes a
//! temporary file and renames it into place.

use std::path::PathBuf;

use super::config::Project;
use crate::bundled;
use crate::cli::{Outcome, rules};
use crate::compile::{AlignedBytes, Fingerprint, RuleSetRef};

/// A rule set in aligned memory.
pub struct Rules {
    bytes: AlignedBytes,
}

impl Rules {
    /// The zero-copy view (validates the header and tables).
    pub fn view(&self) -> Result<RuleSetRef<'_>, String> {
        RuleSetRef::from_bytes(self.bytes.as_bytes()).map_err(|e| format!("rule set: {e}"))
    }

    pub fn fingerprint(&self) -> Result<Fingerprint, String> {
        Ok(self.view()?.fingerprint())
    }
}

/// The user's cache directory for goaop (`$XDG_CACHE_HOME/goaop` or
/// `~/.cache/goaop`).
pub fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("goaop"))
}

/// The cache key of the project's aspects; `Err` if a file is unreadable
/// (the build then reports it as a diagnostic).
fn key(project: &Project) -> Option<String> {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(crate::VERSION.as_bytes());
    for f in bundled::BASE.iter().chain(bundled::INTEGRATIONS) {
        frame(f.path.as_bytes());
        frame(f.text.as_bytes());
    }
    for f in &project.aspect_files {
        frame(f.as_os_str().as_encoded_bytes());
        frame(&std::fs::read(f).ok()?);
    }
    // The aspects are checked against go.mod (modules the injected imports
    // need): a go.mod edit must re-run that check, not reuse a cached pass.
    if let Some(m) = &project.module {
        frame(&std::fs::read(m.root.join("go.mod")).unwrap_or_default());
    }
    Some(h.finalize().to_hex()[..32].to_string())
}

/// Load the project's rule set from the cache, or check + compile it (and
/// cache it). Aspect errors come back as the rendered diagnostics.
pub fn load(project: &Project) -> Result<Rules, Outcome> {
    let file = key(project)
        .zip(cache_dir())
        .map(|(k, d)| d.join(format!("rules-{k}.bin")));
    if let Some(f) = &file
        && let Ok(bytes) = AlignedBytes::read_file(f)
        && RuleSetRef::from_bytes(bytes.as_bytes()).is_ok()
    {
        return Ok(Rules { bytes });
    }
    let files: Vec<PathBuf> = project
        .aspect_files
        .iter()
        .map(|f| {
            f.strip_prefix(&project.go_cwd)
                .map(|p| p.to_path_buf())
                .unwrap_or_else(|_| f.clone())
        })
        .collect();
    let (_, set) = rules::build(&project.go_cwd, &files, false)?;
    if let Some(f) = &file {
        store(f, set.to_bytes());
    }
    Ok(Rules {
        bytes: AlignedBytes::from_slice(set.to_bytes()),
    })
}

/// Write atomically; a cache that cannot be written only costs speed.
fn store(file: &std::path::Path, bytes: &[u8]) {
    let Some(dir) = file.parent() else { return };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let ok = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&tmp, bytes))
        .and_then(|_| std::fs::rename(&tmp, file));
    if ok.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
