//! The aspect packs a module could `use:`, for completion: found by
//! [`crate::packs::discover`] (a bounded walk of the required modules'
//! directories, no go command on the way) on a worker thread, cached per
//! module and refreshed when go.mod, go.sum or vendor/modules.txt change
//! (or the answer is older than [`FRESH`]). A completion takes what is
//! known at that moment and never waits for a scan: the first one may
//! offer only bundled integrations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use crate::packs::discover::{self, Offered};

/// How long a scan's answer is served without a new scan (a replaced
/// pack directory may gain aspect files without go.mod changing).
pub const FRESH: Duration = Duration::from_secs(30);

/// What makes a module's answer stale: its go.mod, go.sum and
/// vendor/modules.txt as last modified.
type Stamp = [Option<SystemTime>; 3];

#[derive(Default)]
struct Entry {
    stamp: Stamp,
    at: Option<Instant>,
    packs: Arc<Vec<Offered>>,
    scanning: bool,
}

/// The packs of each module root seen, shared with the scanning threads.
#[derive(Clone, Default)]
pub struct PackIndex {
    modules: Arc<Mutex<HashMap<PathBuf, Entry>>>,
    /// `go env GOMODCACHE`, asked once (on a scanning thread).
    modcache: Arc<OnceLock<Option<PathBuf>>>,
}

impl PackIndex {
    /// The packs known for the module of document `doc` (none outside a
    /// module), starting a scan on a worker thread when there is no answer
    /// yet or it is stale. Never waits for one.
    pub fn get(&self, doc: &Path) -> Arc<Vec<Offered>> {
        let dir = doc.parent().unwrap_or(Path::new("/"));
        let Some(module) = crate::project::find_module(dir) else {
            return Arc::default();
        };
        let root = module.root;
        let stamp = stamp(&root);
        let Ok(mut modules) = self.modules.lock() else {
            return Arc::default();
        };
        let e = modules.entry(root.clone()).or_default();
        let stale = e.at.is_none_or(|at| at.elapsed() > FRESH) || e.stamp != stamp;
        if stale && !e.scanning {
            e.scanning = true;
            let (index, root) = (self.clone(), root.clone());
            std::thread::spawn(move || index.scan(root, stamp));
        }
        e.packs.clone()
    }

    fn scan(&self, root: PathBuf, stamp: Stamp) {
        let cache = self.modcache.get_or_init(go_env_modcache);
        // A panic must not leave the module marked as scanning forever.
        let packs = std::panic::catch_unwind(|| discover::offered(&root, cache.as_deref()))
            .unwrap_or_default();
        if let Ok(mut modules) = self.modules.lock() {
            let e = modules.entry(root).or_default();
            *e = Entry {
                stamp,
                at: Some(Instant::now()),
                packs: Arc::new(packs),
                scanning: false,
            };
        }
    }
}

fn stamp(root: &Path) -> Stamp {
    let m = |p: &str| {
        std::fs::metadata(root.join(p))
            .and_then(|m| m.modified())
            .ok()
    };
    [m("go.mod"), m("go.sum"), m("vendor/modules.txt")]
}

/// `go env GOMODCACHE` (sees a value set with `go env -w`), run outside any
/// module and with GOTOOLCHAIN=local so that it never downloads a
/// toolchain; `None` when go is missing (the environment's answer is used
/// then).
fn go_env_modcache() -> Option<PathBuf> {
    let out = Command::new("go")
        .args(["env", "GOMODCACHE"])
        .current_dir(std::env::temp_dir())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?;
    let dir = dir.trim();
    (out.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
}
