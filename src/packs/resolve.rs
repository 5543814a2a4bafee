//! Finding and reading the aspect packs a set of aspect files `use:`: the
//! project-layer half of [`super`] (it runs `go` and reads files; `check`
//! never does).
//!
//! A pack named `example.com/acme/kafka` is the directory of that package
//! in the user's module graph: the module providing it must be required by
//! go.mod (or be the main module or a workspace module), so go.mod pins its
//! version and `go get` updates it. The module's directory is what
//! `go list -m -json <module>` says (module cache, `replace` directory,
//! go.work), downloaded with `go mod download` when it is not in the cache
//! yet; with a vendor directory and no module directory, `vendor/<path>`.
//! The nested go command is `go` from PATH (under `-toolexec` the go
//! command puts its own `$GOROOT/bin` first), and never goes through goaop
//! (`-toolexec=`, and GOFLAGS sanitised by the same helper as the other
//! nested commands). Flags given on the parent's command line (`-modfile`,
//! `-mod`) are not seen: set them in GOFLAGS to have packs follow them.
//!
//! [`collect`] follows `use:` transitively (a pack may use other packs),
//! resolving each round's new names in one batch; it is the one way every
//! mode (check, plan, diff, driver mode, toolexec) learns its packs.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use super::{Pack, PackFile, PackFrom, PackProblem, Packs, is_pack_path};
use crate::diag::{FileId, Sources};
use crate::gomod::ModuleGraph;
use crate::project::{self, ReadError};

/// Most rounds of `use:` following (packs using packs using packs…).
pub const MAX_ROUNDS: usize = 16;
/// Most packs one run resolves: bounded work whatever the files say.
pub const MAX_PACKS: usize = 256;

/// Where a pack's package lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located {
    pub module: String,
    pub version: String,
    pub dir: PathBuf,
}

/// Resolves pack paths to directories, remembering what it found.
#[derive(Debug, Default)]
pub struct Locator {
    /// The main module's root; `None` outside a module.
    root: Option<PathBuf>,
    /// Names located so far (given, or found by `go`).
    pub known: BTreeMap<String, Located>,
}

impl Locator {
    pub fn new(root: Option<PathBuf>) -> Locator {
        Locator {
            root,
            known: BTreeMap::new(),
        }
    }

    /// A locator that trusts `known` (a cached answer for the same module
    /// graph) and runs `go` only for other names.
    pub fn with_known(root: Option<PathBuf>, known: BTreeMap<String, Located>) -> Locator {
        Locator { root, known }
    }

    fn locate(&mut self, names: &[String]) -> BTreeMap<String, Result<Located, PackProblem>> {
        let mut out = BTreeMap::new();
        let Some(root) = self.root.clone() else {
            for n in names {
                out.insert(n.clone(), Err(PackProblem::NoModule));
            }
            return out;
        };
        let graph = ModuleGraph::read(&root);
        let main = crate::project::find_module(&root).map(|m| m.path);
        // module path → the names it provides
        let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in names {
            if let Some(l) = self.known.get(name) {
                out.insert(name.clone(), Ok(l.clone()));
                continue;
            }
            let provider = graph.as_ref().and_then(|g| g.provider(name));
            match provider {
                Some(m) if Some(m) == main.as_deref() => {
                    let l = Located {
                        module: m.to_string(),
                        version: String::new(),
                        dir: package_dir(&root, name, m),
                    };
                    out.insert(name.clone(), Ok(l));
                }
                Some(m) => wanted.entry(m.to_string()).or_default().push(name.clone()),
                None => {
                    out.insert(name.clone(), Err(PackProblem::NotRequired));
                }
            }
        }
        if !wanted.is_empty() {
            out.extend(in_modules(&root, graph.as_ref(), wanted));
        }
        for (name, r) in &out {
            if let Ok(l) = r {
                self.known.insert(name.clone(), l.clone());
            }
        }
        out
    }
}

/// Locate names in required (or workspace) modules: module → its names.
/// The module's directory is `go list -m`'s; without one (vendor mode, or
/// not downloaded yet) `vendor/<name>` when it exists, else the module is
/// downloaded (`go mod download`, at go.mod's version).
fn in_modules(
    root: &Path,
    graph: Option<&ModuleGraph>,
    wanted: BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Result<Located, PackProblem>> {
    let modules: Vec<String> = wanted.keys().cloned().collect();
    let mut dirs = module_dirs(root, "list", &modules);
    let vendored = |name: &str| Some(root.join("vendor").join(name)).filter(|d| d.is_dir());
    let no_dir = |m: &String| matches!(dirs.get(m), Some(Ok((_, d))) if d.is_empty());
    let download: Vec<String> = wanted
        .iter()
        .filter(|(m, names)| no_dir(m) && names.iter().any(|n| vendored(n).is_none()))
        .map(|(m, _)| m.clone())
        .collect();
    if !download.is_empty() {
        dirs.extend(module_dirs(root, "download", &download));
    }
    let gomod_version = |module: &str| {
        graph
            .and_then(|g| g.requires.iter().find(|(m, _)| m == module))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    for (module, names) in wanted {
        for name in names {
            let found = match (dirs.get(&module), vendored(&name)) {
                (Some(Ok((version, dir))), _) if !dir.is_empty() => Ok(Located {
                    module: module.clone(),
                    version: version.clone(),
                    dir: package_dir(Path::new(dir), &name, &module),
                }),
                (_, Some(dir)) => Ok(Located {
                    module: module.clone(),
                    version: gomod_version(&module),
                    dir,
                }),
                (other, None) => Err(PackProblem::NoDir {
                    module: module.clone(),
                    detail: match other {
                        Some(Err(e)) => e.clone(),
                        _ => "the go command gave no directory for it".into(),
                    },
                }),
            };
            out.insert(name, found);
        }
    }
    out
}

/// The directory of package `name` of `module`, whose directory is `dir`.
fn package_dir(dir: &Path, name: &str, module: &str) -> PathBuf {
    match name[module.len().min(name.len())..].trim_start_matches('/') {
        "" => dir.to_path_buf(),
        rest => dir.join(rest),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedModule {
    path: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    dir: String,
    /// `{"Err": "…"}` from `go list`, a string from `go mod download`.
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// `go list -e -m -json` (`how` = "list") or `go mod download -json`
/// (`how` = "download") of `modules` in `root`: module → (version, dir)
/// or the go command's complaint.
fn module_dirs(
    root: &Path,
    how: &str,
    modules: &[String],
) -> BTreeMap<String, Result<(String, String), String>> {
    let mut cmd = Command::new("go");
    cmd.current_dir(root);
    if how == "list" {
        cmd.args(["list", "-e", "-m", "-json"])
            // Not through goaop, even if GOFLAGS in the go env file says so.
            .arg("-toolexec=");
    } else {
        cmd.args(["mod", "download", "-json"]);
    }
    cmd.arg("--")
        .args(modules)
        .env(
            "GOFLAGS",
            crate::toolexec::flags::nested_goflags(&std::env::var("GOFLAGS").unwrap_or_default()),
        )
        .stdin(Stdio::null());
    let fail = |e: String| {
        modules
            .iter()
            .map(|m| (m.clone(), Err(e.clone())))
            .collect()
    };
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            return fail(format!(
                "cannot run `go` (is Go installed and on PATH?): {e}"
            ));
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = BTreeMap::new();
    for m in serde_json::Deserializer::from_str(&text).into_iter::<ListedModule>() {
        let Ok(m) = m else { break };
        let r = match m.error {
            Some(e) => Err(e
                .get("Err")
                .unwrap_or(&e)
                .as_str()
                .unwrap_or_default()
                .to_string()),
            None => Ok((m.version, m.dir)),
        };
        found.insert(m.path, r);
    }
    if found.is_empty() {
        return fail(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    found
}

/// The packs `files` (already in `sources`) use, transitively, each read
/// from disk. File names are shown relative to `cwd` when close to it
/// ([`shown_name`]).
pub fn collect(cwd: &Path, sources: &Sources, files: &[FileId], locator: &mut Locator) -> Packs {
    let mut packs = Packs::default();
    let mut todo: Vec<String> = files.iter().flat_map(|&f| pack_uses(sources, f)).collect();
    for _ in 0..MAX_ROUNDS {
        let names: BTreeSet<String> = todo
            .drain(..)
            .filter(|n| !packs.by_name.contains_key(n))
            .collect();
        let room = MAX_PACKS.saturating_sub(packs.by_name.len());
        let names: Vec<String> = names.into_iter().take(room).collect();
        if names.is_empty() {
            break;
        }
        // A path that is not an import path is never joined to a directory.
        let (bad, names): (Vec<String>, Vec<String>) = names
            .into_iter()
            .partition(|n| crate::check::names::import_path_problem(n).is_some());
        for name in bad {
            let why = crate::check::names::import_path_problem(&name).unwrap_or_default();
            packs.by_name.insert(name, Err(PackProblem::BadPath(why)));
        }
        for (name, located) in locator.locate(&names) {
            let pack = located.and_then(|l| read(cwd, &name, l));
            if let Ok(p) = &pack {
                let mut scratch = Sources::new();
                for f in &p.files {
                    let id = scratch.add(f.name.to_string(), f.text.to_string());
                    todo.extend(pack_uses(&scratch, id));
                }
            }
            packs.by_name.insert(name, pack);
        }
    }
    packs
}

/// The `use:` entries of one file that name packs.
fn pack_uses(sources: &Sources, file: FileId) -> Vec<String> {
    crate::load::load(sources, file)
        .0
        .uses
        .into_iter()
        .map(|u| u.value)
        .filter(|n| is_pack_path(n))
        .collect()
}

/// The name a pack file is shown by: relative to `cwd` when that takes at
/// most two `..` (a pack next to the module, `replace => ../pack`: the
/// same name in every checkout, so rule sets and their caches do not
/// depend on where the tree is), else the absolute path (the module cache).
fn shown_name(cwd: &Path, file: &Path) -> String {
    let mut base = cwd;
    for ups in 0..=2 {
        if let Ok(rest) = file.strip_prefix(base) {
            let mut rel = PathBuf::new();
            for _ in 0..ups {
                rel.push("..");
            }
            return rel.join(rest).display().to_string();
        }
        match base.parent() {
            Some(p) if p.parent().is_some() => base = p,
            _ => break,
        }
    }
    file.display().to_string()
}

/// Read a located pack's aspect files.
pub fn read(cwd: &Path, name: &str, at: Located) -> Result<Pack, PackProblem> {
    let paths = project::aspect_files(&at.dir);
    if paths.is_empty() {
        return Err(PackProblem::NoAspectFiles {
            dir: PathBuf::from(shown_name(cwd, &at.dir)),
        });
    }
    let mut files = Vec::new();
    for p in paths {
        let shown = shown_name(cwd, &p);
        let unreadable = |detail: String| PackProblem::Unreadable {
            file: p.display().to_string(),
            detail,
        };
        let bytes = project::read_capped(&p, crate::load::MAX_FILE_BYTES).map_err(|e| {
            unreadable(match e {
                ReadError::NotAFile(what) => format!("it is {what}"),
                ReadError::TooLarge(n) => format!(
                    "it is {n} bytes, over the {} byte limit",
                    crate::load::MAX_FILE_BYTES
                ),
                ReadError::Io(e) => e.to_string(),
            })
        })?;
        let text = String::from_utf8(bytes).map_err(|_| unreadable("not valid UTF-8".into()))?;
        files.push(PackFile {
            name: Cow::Owned(shown),
            text: Cow::Owned(text),
        });
    }
    Ok(Pack {
        name: name.to_string(),
        files,
        from: PackFrom::Module {
            module: at.module,
            version: at.version,
            dir: at.dir,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_files_near_the_module_are_shown_relative() {
        let cwd = Path::new("/w/src/app");
        let at = |f: &str| shown_name(cwd, Path::new(f));
        assert_eq!(at("/w/src/app/packs/aspects.yaml"), "packs/aspects.yaml");
        assert_eq!(at("/w/src/pack/aspects.yaml"), "../pack/aspects.yaml");
        assert_eq!(at("/w/x/aspects.yaml"), "../../x/aspects.yaml");
        assert_eq!(
            at("/home/u/go/pkg/mod/p@v1/a.aspect"),
            "/home/u/go/pkg/mod/p@v1/a.aspect"
        );
    }
}
