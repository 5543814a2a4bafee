//! Driver mode's woven packages kept across builds: weaving is a pure
//! function of the rule set, the unit (its import paths and every file's
//! name and text), the closure's verdict on it and goaop's own code, so a
//! unit whose hash of exactly those is unchanged is not woven again. On a
//! no-op `goaop go build` of Caddy (224 files, 1,455 join points) weaving
//! was ~0.8 s of ~1.1 s.
//!
//! One sealed file per kept listing ([`super::kept_lists`]) holds the
//! woven units of the last build under that listing, by unit hash; each
//! build rewrites it with exactly the units it used when any was missing,
//! so it never grows beyond one build's units.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Unit, WovenUnit};
use crate::compile::RuleSetRef;
use crate::store::{identity, sealed};

const KIND: &str = "driver-woven";

/// The woven units of one kept listing.
pub struct KeptWoven {
    file: PathBuf,
    key: String,
    /// goaop's identity and the rule set's fingerprint: the part of every
    /// unit hash that is the same for the whole build.
    base: blake3::Hasher,
    old: BTreeMap<String, WovenUnit>,
    used: BTreeMap<String, WovenUnit>,
    missed: bool,
}

#[derive(Default, Deserialize, Serialize)]
struct Stored {
    units: BTreeMap<String, WovenUnit>,
}

impl KeptWoven {
    /// The units kept under the listing key `lists_key` in the cache
    /// directory `dir`; `None` if goaop cannot name itself.
    pub fn open(dir: PathBuf, lists_key: &str, view: &RuleSetRef) -> Option<KeptWoven> {
        let exe = identity::exe_id(Some(&dir)).ok()?;
        let mut base = blake3::Hasher::new();
        frame(&mut base, b"goaop woven unit v1");
        frame(&mut base, exe.as_bytes());
        frame(&mut base, view.fingerprint().as_bytes());
        let file = dir.join(format!("{KIND}-{lists_key}.bin"));
        let old = sealed::read(&file, KIND, lists_key)
            .and_then(|b| serde_json::from_slice::<Stored>(&b).ok())
            .map(|s| s.units)
            .unwrap_or_default();
        Some(KeptWoven {
            file,
            key: lists_key.to_string(),
            base,
            old,
            used: BTreeMap::new(),
            missed: false,
        })
    }

    /// The hash of everything weaving `unit` reads besides the rule set:
    /// the main module, its import paths, the closure's verdict on it
    /// (`off_limits`), whether test skips are recorded, and every file.
    pub fn unit_key(
        &self,
        main_module: Option<&str>,
        unit: &Unit,
        off_limits: Option<&str>,
        test_skips: bool,
    ) -> String {
        let mut h = self.base.clone();
        frame(&mut h, main_module.unwrap_or("\0none").as_bytes());
        frame(&mut h, unit.path.as_bytes());
        frame(&mut h, unit.scope_path.as_bytes());
        frame(&mut h, off_limits.unwrap_or("\0none").as_bytes());
        frame(&mut h, &[u8::from(test_skips)]);
        for f in &unit.files {
            frame(&mut h, f.name.as_bytes());
            frame(&mut h, f.text.as_bytes());
        }
        h.finalize().to_hex().to_string()
    }

    /// The unit woven under `key` in the last build, or `weave` it.
    pub fn get_or<E>(
        &mut self,
        key: String,
        weave: impl FnOnce() -> Result<WovenUnit, E>,
    ) -> Result<WovenUnit, E> {
        let woven = match self.old.remove(&key) {
            Some(w) => w,
            None => {
                self.missed = true;
                weave()?
            }
        };
        self.used.insert(key, woven.clone());
        Ok(woven)
    }

    /// Keep this build's units, if any was woven anew or one of the last
    /// build's went unused.
    pub fn save(self) {
        if !self.missed && self.old.is_empty() {
            return;
        }
        let stored = Stored { units: self.used };
        if let Ok(json) = serde_json::to_vec(&stored) {
            sealed::write(&self.file, KIND, &self.key, &json);
        }
    }
}

fn frame(h: &mut blake3::Hasher, b: &[u8]) {
    h.update(&(b.len() as u64).to_le_bytes());
    h.update(b);
}
