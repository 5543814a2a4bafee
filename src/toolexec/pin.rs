//! One rule set per go command. cmd/go asks each tool for its ID
//! (`-V=full`) once per process and keys every action of the build on it;
//! goaop's part of that ID names the rule set's fingerprint ([`version`]).
//! So the compiles and links of one go command must weave with exactly
//! that rule set, even if an aspect file is edited while the build runs:
//! otherwise objects woven with the new aspects are filed in the Go build
//! cache under the old aspects' key, and a later build with the old
//! aspects (the edit undone) links them: a wrong binary with exit 0.
//!
//! The first `-V=full` call of a go command pins its project and rule set
//! in the command's run directory (`pin-<hash>.bin`, sealed, created once:
//! a concurrent first call reads the winner's); every later call of the
//! same command uses the pin. That is also the cheap way in: a compile
//! reads the pin and the cached rule set, instead of finding the aspect
//! files and hashing them, go.mod and go.sum on every call. Without a run
//! directory (not Linux, no cache directory) each call finds the rule set
//! itself, as before.
//!
//! A compile that leaves its package alone should cost little more than
//! the exec, and most compiles of a build are such. So the pin also keeps
//! - the stamp of goaop's executable that its identity was found for: a
//!   later call whose image has the same stamp need not look it up;
//! - the rule set's package filter ([`PackageFilter`], ~2 KB), which says
//!   whether any aspect can touch a package: a compile of a package none
//!   touches decides from it and never reads the rule set (65 KB with the
//!   bundled integrations), which is hashed on every read
//!   ([`cache::read_cached`]). The filter is sealed with the pin, so it is
//!   verified on every read too.
//!
//! A pin file is `"goaopPIN" ‖ u32 LE length of the JSON ‖ JSON ‖ filter`,
//! sealed.
//!
//! [`version`]: super::version

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cache::{self, Rules};
use super::config::{self, Project};
use super::{Invocation, rundir};
use crate::compile::{Fingerprint, PackageFilter};
use crate::outcome::Outcome;
use crate::store::{identity, sealed};

const KIND: &str = "pin";
/// The start of a pin's payload.
const MAGIC: &[u8; 8] = b"goaopPIN";

/// What a go command's first `-V=full` call decided.
#[derive(Debug, Deserialize, Serialize)]
struct Pin {
    project: Project,
    set: PinnedSet,
    /// The stamp that identity is of ([`identity::self_stamp`]).
    #[serde(default)]
    exe_stamp: Option<String>,
}

/// The pinned rule set.
#[derive(Debug, Deserialize, Serialize)]
struct PinnedSet {
    /// The rule set's cache key and fingerprint (hex).
    key: String,
    fingerprint: String,
    /// goaop's identity ([`identity::exe_id`]), also in the tool ID.
    exe: String,
}

/// The rule set one call works with: its go command's pinned one, or one
/// the call found itself (no run directory, or the `-V=full` call that
/// pins it).
pub struct Chosen {
    pub project: Project,
    from: From,
}

enum From {
    /// Pinned: checked against goaop's identity; the rule set is read only
    /// if [`Chosen::touches`] cannot answer from the filter.
    Pin(PinnedSet, PackageFilter),
    Found(Rules),
}

impl Chosen {
    /// Whether some aspect can apply in package `pkg` (see
    /// [`crate::compile::RuleSetRef::packages`]); from the pinned filter
    /// when there is one.
    pub fn touches(&self, pkg: &str) -> Result<bool, Outcome> {
        let main = self.project.module_path();
        let answer = match &self.from {
            From::Pin(p, filter) => {
                let pinned =
                    Fingerprint::from_hex(&p.fingerprint).ok_or_else(|| damaged(&p.fingerprint))?;
                filter.touches(&pinned, pkg, main)
            }
            From::Found(rules) => {
                let view = rules.view().map_err(fail)?;
                view.packages(pkg, main).map(|scope| !scope.is_empty())
            }
        };
        answer.map_err(|e| fail(format!("rule set: {e}")))
    }

    /// The project and the whole rule set.
    pub fn rules(self) -> Result<(Project, Rules), Outcome> {
        match self.from {
            From::Pin(p, _) => pinned_rules(self.project, p),
            From::Found(rules) => Ok((self.project, rules)),
        }
    }
}

/// The project and rule set of this call's go command: the pinned ones,
/// or (`pin`: the `-V=full` call) found and pinned.
pub fn rules(inv: &Invocation, pin: bool) -> Result<(Project, Rules), Outcome> {
    choose(inv, pin)?.rules()
}

/// The rule set of this call's go command, like [`rules`], with the rule
/// set itself not read yet if it is pinned.
pub fn choose(inv: &Invocation, pin: bool) -> Result<Chosen, Outcome> {
    let file = pin_file(inv);
    if let Some((p, filter)) = file.as_deref().map(read).transpose()?.flatten() {
        return pinned(p, filter);
    }
    let project = config::find(inv.config.as_deref())?;
    let rules = cache::load(&project)?;
    let found = |project, rules| Chosen {
        project,
        from: From::Found(rules),
    };
    let (Some(file), true, Some(key)) = (file, pin, rules.key()) else {
        return Ok(found(project, rules));
    };
    let fingerprint = rules.fingerprint().map_err(fail)?.to_hex();
    let filter = rules.package_filter().map_err(fail)?;
    let exe_stamp = identity::exe_id_and_stamp(cache::cache_dir().as_deref())
        .ok()
        .and_then(|(id, stamp)| (id == rules.exe_id()).then_some(stamp));
    let p = Pin {
        project,
        set: PinnedSet {
            key: key.to_string(),
            fingerprint,
            exe: rules.exe_id().to_string(),
        },
        exe_stamp,
    };
    match write_once(&file, &p, &filter) {
        Ok(true) => Ok(found(p.project, rules)),
        // Another first call pinned first: its pin holds for all.
        Ok(false) => match read(&file)? {
            Some((p, filter)) => pinned(p, filter),
            None => Ok(found(p.project, rules)),
        },
        Err(_) => Ok(found(p.project, rules)),
    }
}

/// A pin, refused if goaop itself is no longer the one that pinned it.
fn pinned(p: Pin, filter: PackageFilter) -> Result<Chosen, Outcome> {
    let same_image = p
        .exe_stamp
        .as_deref()
        .is_some_and(|s| identity::self_stamp().is_ok_and(|now| now == s));
    if !same_image {
        let exe = identity::exe_id(cache::cache_dir().as_deref()).map_err(fail)?;
        if exe != p.set.exe {
            return Err(replaced());
        }
    }
    Ok(Chosen {
        project: p.project,
        from: From::Pin(p.set, filter),
    })
}

/// The pinned rule set, from the cache; compiled again if it was trimmed
/// meanwhile, and refused if the aspects are no longer the pinned ones.
fn pinned_rules(project: Project, p: PinnedSet) -> Result<(Project, Rules), Outcome> {
    if let Some(rules) = cache::read_cached(&p.key, &p.exe) {
        return Ok((project, rules));
    }
    let rules = cache::load(&project)?;
    let now = rules.fingerprint().map_err(fail)?;
    if now.to_hex() != p.fingerprint {
        return Err(fail(
            "the aspects changed while this go command ran, and the rule set it started \
             with is gone from goaop's cache; run the build again",
        ));
    }
    Ok((project, rules))
}

/// The pin of this call's go command and aspects (`--config`,
/// `GOAOP_CONFIG` and the go command's directory name them), if there is
/// a run directory.
fn pin_file(inv: &Invocation) -> Option<PathBuf> {
    let dir = rundir::run_dir_path()?;
    let mut h = blake3::Hasher::new();
    let env = std::env::var_os("GOAOP_CONFIG");
    let cwd = config::parent_cwd();
    for part in [
        inv.config.as_deref().map(Path::as_os_str),
        env.as_deref(),
        cwd.as_deref().map(Path::as_os_str),
    ] {
        let b = part.map_or(&b"\0none"[..], |p| p.as_encoded_bytes());
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    }
    Some(dir.join(format!("{KIND}-{}.bin", &h.finalize().to_hex()[..32])))
}

/// goaop's own failure (not the tool's): exit 1 with `message`.
pub(super) fn fail(message: impl std::fmt::Display) -> Outcome {
    Outcome {
        stderr: format!("goaop: {message}\n"),
        code: 1,
        ..Default::default()
    }
}

/// The pin in `file` and its package filter, `None` if there is none yet.
/// One that is there but damaged is an error: pins are written whole
/// (renamed into place), so only damage makes one unreadable, and going on
/// without it would let an aspect edited during the build reach part of
/// it. (Seen absent, then present: a first call pinned meanwhile, and it is
/// read again.)
fn read(file: &Path) -> Result<Option<(Pin, PackageFilter)>, Outcome> {
    let parse = || decode(&sealed::read(file, KIND, "")?);
    if let Some(p) = parse() {
        return Ok(Some(p));
    }
    if std::fs::symlink_metadata(file).is_err() {
        return Ok(None);
    }
    match sealed::read(file, KIND, "") {
        Some(payload) => match decode(&payload) {
            Some(p) => Ok(Some(p)),
            // Intact, but not a pin this goaop writes: an older one's.
            None if !payload.starts_with(MAGIC) => Err(replaced()),
            None => Err(damaged(&file.display())),
        },
        None => Err(damaged(&file.display())),
    }
}

fn replaced() -> Outcome {
    fail(
        "goaop itself was replaced while this go command ran (its identity is part of the \
         tool ID the build started with); run the build again",
    )
}

fn damaged(what: &dyn std::fmt::Display) -> Outcome {
    fail(format!(
        "the rule set this go command pinned ({what}) is damaged; run the build again"
    ))
}

/// A pin's payload: the pin and its filter. (An older goaop's pin has no
/// filter: [`read`] refuses it, as a sign that goaop was replaced.)
fn decode(payload: &[u8]) -> Option<(Pin, PackageFilter)> {
    let (len, rest) = payload.strip_prefix(MAGIC)?.split_first_chunk::<4>()?;
    let (json, filter) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
    let pin = serde_json::from_slice(json).ok()?;
    Some((pin, PackageFilter::from_bytes(filter)))
}

/// Write `pin` and `filter` unless `file` exists: `Ok(false)` if it did.
fn write_once(file: &Path, pin: &Pin, filter: &[u8]) -> std::io::Result<bool> {
    let dir = rundir::run_dir().ok_or_else(|| std::io::Error::other("no run directory"))?;
    let json = serde_json::to_vec(pin).map_err(std::io::Error::other)?;
    let len = u32::try_from(json.len()).map_err(std::io::Error::other)?;
    let payload = [&MAGIC[..], &len.to_le_bytes(), &json, filter].concat();
    let mut tmp = tempfile::Builder::new()
        .prefix(".goaop-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(&sealed::seal(KIND, "", &payload))?;
    match tmp.persist_noclobber(file) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_read_refused_as_damaged_or_as_an_older_goaops() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pin-x.bin");
        assert!(matches!(read(&file), Ok(None)));
        // A pin as goaop before the package filter wrote it: bare JSON.
        std::fs::write(&file, sealed::seal(KIND, "", br#"{"project":{}}"#)).unwrap();
        let refused = read(&file).err().unwrap().stderr;
        assert!(refused.contains("goaop itself was replaced"), "{refused}");
        // Torn or flipped: damaged.
        let mut payload = MAGIC.to_vec();
        payload.extend_from_slice(&3u32.to_le_bytes());
        payload.extend_from_slice(b"{}");
        std::fs::write(&file, sealed::seal(KIND, "", &payload)).unwrap();
        let refused = read(&file).err().unwrap().stderr;
        assert!(refused.contains("is damaged"), "{refused}");
        let mut bytes = sealed::seal(KIND, "", &payload);
        bytes[0] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        let refused = read(&file).err().unwrap().stderr;
        assert!(refused.contains("is damaged"), "{refused}");
    }
}
