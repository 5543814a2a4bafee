//! The compiled rule set of a toolexec build, cached on disk so that each of
//! the build's many tool calls loads it zero-copy instead of recompiling.
//!
//! The cache file is `<user cache dir>/goaop/rules-<key>.bin`, the key a
//! blake3 hash of goaop's identity (a hash of its executable, which embeds
//! the bundled aspect sources), every aspect file's name and bytes, the main module's
//! go.mod, and the name, directory and every file (name and bytes) of each
//! aspect pack in use. The file is [sealed]: a damaged one is compiled again
//! from the aspects, never trusted (a zeroed package DFA would otherwise
//! give a silently uninstrumented build, an edited template woven code).
//!
//! ## Aspect packs without a `go` process per tool call
//!
//! Which packs are in use and where they live is found by
//! [`packs::resolve::collect`] (the function every mode uses), which runs
//! `go list -m`: far too slow for every compile call. Its answer is cached
//! in `packs-<graph key>.bin` (sealed) as the closure of packs (name →
//! module, version, directory) plus a hash of the content of all their
//! aspect files when it was computed. The graph key hashes everything the
//! *locations* depend on: goaop's identity, the go command's directory,
//! go.mod, go.sum, the governing go.work and go.work.sum, vendor/modules.txt,
//! the environment that steers module resolution (GOFLAGS, GOWORK,
//! GOMODCACHE, GOPATH, GO111MODULE, GOTOOLCHAIN), and the user's aspect
//! files (their `use:` lines choose the names). A module-cache directory is
//! immutable for a pinned version; a `replace`/workspace/vendor directory
//! is found again from the same go.mod/go.work/modules.txt. What can change
//! without changing the key is the *content* of the pack directories (a
//! `replace => ../pack` edited in place, an aspect file added or removed):
//! every call re-lists each pack directory's aspect files and hashes their
//! bytes (needed for the rule-set key anyway). If that hash differs from
//! the one stored, a pack's own `use:` lines may have changed, so the
//! closure is collected again (its new names located by `go`, the known
//! ones reused) and stored; if a directory vanished, likewise. The rule
//! set is then compiled from exactly the packs its key was computed from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::config::Project;
use crate::compile::{AlignedBytes, Fingerprint, PackageFilter, RuleSetRef};
use crate::diag::Sources;
use crate::outcome::Outcome;
use crate::packs::resolve::{self, Located, Locator};
use crate::packs::{self, PackFrom, Packs};
use crate::project;
use crate::store::identity;
use crate::store::sealed;

/// A rule set in aligned memory.
pub struct Rules {
    /// The rule set is `bytes[..len]` (a cache file's trailer follows).
    bytes: AlignedBytes,
    len: usize,
    exe_id: String,
    /// Its cache key (`rules-<key>.bin`), if it is cached.
    key: Option<String>,
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

    /// Its cache key, if it is cached ([`read_cached`] reads it back).
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    pub fn fingerprint(&self) -> Result<Fingerprint, String> {
        Ok(self.view()?.fingerprint())
    }

    /// Its package filter's bytes ([`PackageFilter::cut`]).
    pub fn package_filter(&self) -> Result<Vec<u8>, String> {
        PackageFilter::cut(&self.bytes.as_bytes()[..self.len]).map_err(|e| format!("rule set: {e}"))
    }
}

pub use crate::store::cache_dir;

/// The cache key of the project's aspects and the packs they use; `None`
/// if a file is unreadable (the build then reports it as a diagnostic).
fn key(project: &Project, exe_id: &str, dir: Option<&Path>) -> Option<(String, Packs)> {
    let user: Vec<(&PathBuf, Vec<u8>)> = project
        .aspect_files
        .iter()
        .map(|f| Some((f, std::fs::read(f).ok()?)))
        .collect::<Option<_>>()?;
    let packs = packs_in_use(project, exe_id, dir, &user);
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(crate::VERSION.as_bytes());
    // The bundled aspect sources are embedded in the executable, so its
    // identity covers them: no need to hash them on every call.
    frame(exe_id.as_bytes());
    for (f, bytes) in &user {
        frame(f.as_os_str().as_encoded_bytes());
        frame(bytes);
    }
    // The aspects are checked against go.mod (modules the injected imports
    // need): a go.mod edit must re-run that check, not reuse a cached pass.
    if let Some(m) = &project.module {
        frame(&std::fs::read(m.root.join("go.mod")).unwrap_or_default());
    }
    frame(packs_content(&packs).as_bytes());
    Some((h.finalize().to_hex()[..32].to_string(), packs))
}

/// The packs the project uses (see the module doc): the cached closure when
/// its files are unchanged, else collected again.
fn packs_in_use(
    project: &Project,
    exe_id: &str,
    dir: Option<&Path>,
    user: &[(&PathBuf, Vec<u8>)],
) -> Packs {
    let root = project.module.as_ref().map(|m| m.root.clone());
    let file = dir.map(|d| {
        let key = graph_key(project, exe_id, user);
        (d.join(format!("packs-{key}.bin")), key)
    });
    let cached: Option<Closure> = file
        .as_ref()
        .and_then(|(f, k)| sealed::read(f, PACKS_KIND, k))
        .and_then(|b| serde_json::from_slice(&b).ok());
    let mut known = BTreeMap::new();
    if let Some(c) = cached {
        let mut packs = Packs::default();
        for (name, at) in &c.packs {
            packs.by_name.insert(
                name.clone(),
                resolve::read(&project.go_cwd, name, at.clone()),
            );
        }
        if packs.by_name.values().all(Result::is_ok) && packs_content(&packs) == c.content {
            return packs;
        }
        known = c.packs;
    }
    let mut sources = Sources::new();
    let ids: Vec<_> = user
        .iter()
        .map(|(f, b)| {
            sources.add(
                f.display().to_string(),
                String::from_utf8_lossy(b).into_owned(),
            )
        })
        .collect();
    let mut locator = Locator::with_known(root, known);
    let packs = resolve::collect(&project.go_cwd, &sources, &ids, &mut locator);
    if let Some((f, k)) = &file {
        let mut closure = Closure {
            packs: BTreeMap::new(),
            content: packs_content(&packs),
        };
        for (name, p) in &packs.by_name {
            match p {
                Ok(packs::Pack {
                    from:
                        PackFrom::Module {
                            module,
                            version,
                            dir,
                        },
                    ..
                }) => {
                    closure.packs.insert(
                        name.clone(),
                        Located {
                            module: module.clone(),
                            version: version.clone(),
                            dir: dir.clone(),
                        },
                    );
                }
                // Not stored: the build fails on it, and must look again.
                _ => return packs,
            }
        }
        if let Ok(bytes) = serde_json::to_vec(&closure) {
            sealed::write(f, PACKS_KIND, k, &bytes);
        }
    }
    packs
}

const PACKS_KIND: &str = "packs";

/// A cached answer of [`resolve::collect`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Closure {
    packs: BTreeMap<String, Located>,
    /// [`packs_content`] when it was collected.
    content: String,
}

/// What the pack locations depend on (see the module doc).
fn graph_key(project: &Project, exe_id: &str, user: &[(&PathBuf, Vec<u8>)]) -> String {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(b"goaop packs v1");
    frame(crate::VERSION.as_bytes());
    frame(exe_id.as_bytes());
    frame(project.go_cwd.as_os_str().as_encoded_bytes());
    for var in [
        "GOFLAGS",
        "GOWORK",
        "GOMODCACHE",
        "GOPATH",
        "GO111MODULE",
        "GOTOOLCHAIN",
    ] {
        frame(var.as_bytes());
        frame(std::env::var_os(var).unwrap_or_default().as_encoded_bytes());
    }
    if let Some(m) = &project.module {
        frame(m.root.as_os_str().as_encoded_bytes());
        let mut files = vec![
            m.root.join("go.mod"),
            m.root.join("go.sum"),
            m.root.join("vendor").join("modules.txt"),
        ];
        if let Some(work) = crate::gomod::find_gowork(&m.root) {
            files.push(work.with_extension("work.sum"));
            files.push(work);
        }
        for f in files {
            frame(f.as_os_str().as_encoded_bytes());
            frame(&std::fs::read(&f).unwrap_or_default());
        }
    }
    for (f, bytes) in user {
        frame(f.as_os_str().as_encoded_bytes());
        frame(bytes);
    }
    h.finalize().to_hex()[..32].to_string()
}

/// A hash of every pack's name, origin and files (names and bytes), and of
/// the problems of those that gave none.
fn packs_content(packs: &Packs) -> String {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    for (name, p) in &packs.by_name {
        frame(name.as_bytes());
        match p {
            Ok(p) => {
                frame(format!("{:?}", p.from).as_bytes());
                for f in &p.files {
                    frame(f.name.as_bytes());
                    frame(f.text.as_bytes());
                }
            }
            Err(e) => frame(format!("{e:?}").as_bytes()),
        }
    }
    h.finalize().to_hex().to_string()
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
    let (key, packs) = match key(project, &exe_id, dir.as_deref()) {
        Some((k, p)) => (Some(k), Some(p)),
        None => (None, None),
    };
    let cached = key
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
    let (_, set) = project::build(&project.go_cwd, &files, packs)
        .map_err(|e| Outcome::from_build_error(e, false))?;
    let bytes = set.to_bytes();
    if let Some((file, key)) = &cached {
        sealed::write(file, KIND, key, bytes);
    }
    Ok(Rules {
        bytes: AlignedBytes::from_slice(bytes),
        len: bytes.len(),
        exe_id,
        key: cached.map(|(_, k)| k),
    })
}

/// The cached rule set of `key` (see [`Rules::key`]), if it is still in
/// the cache and intact. Hashed on every read, the fast path's included
/// (DESIGN §11: verified when read): a file's status does not always change
/// with its bytes (a write through a shared mapping to a page already
/// dirty; file systems without change times), and the hash costs ~15 µs.
pub fn read_cached(key: &str, exe_id: &str) -> Option<Rules> {
    read(&cache_dir()?.join(format!("rules-{key}.bin")), key, exe_id)
}

const KIND: &str = "rules";

/// A cached rule set, if the file is intact (its checksum, then its
/// structure).
fn read(file: &Path, key: &str, exe_id: &str) -> Option<Rules> {
    let f = std::fs::File::open(file).ok()?;
    let meta = f.metadata().ok()?;
    crate::store::trim::used(&f, &meta);
    let bytes = AlignedBytes::read_len(f, usize::try_from(meta.len()).ok()?).ok()?;
    let len = sealed::open(KIND, key, bytes.as_bytes())?.len();
    RuleSetRef::from_bytes(&bytes.as_bytes()[..len]).ok()?;
    Some(Rules {
        bytes,
        len,
        exe_id: exe_id.to_string(),
        key: Some(key.to_string()),
    })
}
