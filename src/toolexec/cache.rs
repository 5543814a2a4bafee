//! The compiled rule set of a toolexec build, cached on disk so that each of
//! the build's many tool calls loads it zero-copy instead of recompiling.
//!
//! The cache file is `<user cache dir>/goaop/rules-<key>.bin`, the key a
//! blake3 hash of goaop's identity (a hash of its executable), the bundled
//! aspect sources, every aspect file's name and bytes, and the main
//! module's go.mod. The file is [sealed]: a damaged one is compiled again
//! from the aspects, never trusted (a zeroed package DFA would otherwise
//! give a silently uninstrumented build, an edited template woven code).

use std::path::{Path, PathBuf};

use super::config::Project;
use super::{identity, sealed};
use crate::bundled;
use crate::cli::{Outcome, rules};
use crate::compile::{AlignedBytes, Fingerprint, RuleSetRef};

/// A rule set in aligned memory.
pub struct Rules {
    /// The rule set is `bytes[..len]` (a cache file's trailer follows).
    bytes: AlignedBytes,
    len: usize,
    exe_id: String,
}

impl Rules {
    /// The zero-copy view (validates the header and tables).
    pub fn view(&self) -> Result<RuleSetRef<'_>, String> {
        RuleSetRef::from_bytes(&self.bytes.as_bytes()[..self.len])
            .map_err(|e| format!("rule set: {e}"))
    }

    /// The identity of the goaop that loaded it ([`identity::exe_id`]).
    pub fn exe_id(&self) -> &str {
        &self.exe_id
    }

    pub fn fingerprint(&self) -> Result<Fingerprint, String> {
        Ok(self.view()?.fingerprint())
    }
}

/// The user's cache directory for goaop (`$XDG_CACHE_HOME/goaop` or
/// `~/.cache/goaop`). A relative `XDG_CACHE_HOME` is ignored, as the XDG
/// Base Directory spec says (tool calls run in each package's directory:
/// it would scatter caches through the module).
pub fn cache_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })?;
    Some(base.join("goaop"))
}

/// The cache key of the project's aspects; `Err` if a file is unreadable
/// (the build then reports it as a diagnostic).
fn key(project: &Project, exe_id: &str) -> Option<String> {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(crate::VERSION.as_bytes());
    frame(exe_id.as_bytes());
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
    let dir = cache_dir();
    let exe_id = identity::exe_id(dir.as_deref()).map_err(|e| Outcome {
        stderr: format!("goaop: {e}\n"),
        code: 1,
        ..Default::default()
    })?;
    let cached = key(project, &exe_id)
        .zip(dir)
        .map(|(k, d)| (d.join(format!("rules-{k}.bin")), k));
    if let Some((file, key)) = &cached
        && let Some(rules) = read(file, key, &exe_id)
    {
        return Ok(rules);
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
    let bytes = set.to_bytes();
    if let Some((file, key)) = &cached {
        sealed::write(file, KIND, key, bytes);
    }
    Ok(Rules {
        bytes: AlignedBytes::from_slice(bytes),
        len: bytes.len(),
        exe_id,
    })
}

const KIND: &str = "rules";

/// A cached rule set, if the file is intact (its checksum, then its
/// structure).
fn read(file: &Path, key: &str, exe_id: &str) -> Option<Rules> {
    let bytes = AlignedBytes::read_file(file).ok()?;
    let len = sealed::open(KIND, key, bytes.as_bytes())?.len();
    RuleSetRef::from_bytes(&bytes.as_bytes()[..len]).ok()?;
    Some(Rules {
        bytes,
        len,
        exe_id: exe_id.to_string(),
    })
}
