//! The packs a module could `use:`: every package of a module its go.mod
//! requires (directly or not) whose directory ships aspect files. What the
//! language server offers when completing a `use:` entry.
//!
//! Unlike [`super::resolve`], which asks the go command (and may download),
//! this only reads the file system, in bounded time: go.mod (the
//! requirements and `replace`s, through [`ModuleGraph`]), and each required
//! module's directory: `vendor/<module>` when the module is vendored, the
//! `replace` directory, else its module cache directory (not downloaded
//! yet: nothing to offer). Each module's tree is walked to a bounded depth
//! and number of directories, skipping what the go command skips
//! (`testdata`, `vendor`, hidden and `_` directories, nested modules).
//! A pack found here is one [`super::resolve`] locates the same way
//! (whose answer, not this one, is what `check` uses).

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use super::resolve::{Located, MAX_PACKS, read};
use crate::diag::Sources;
use crate::gomod::{ModuleGraph, escape};
use crate::project::ASPECT_FILE_NAMES;

/// Deepest package directory looked at below a module's root.
pub const MAX_DEPTH: usize = 8;
/// Most directories read in one module.
pub const MAX_DIRS_PER_MODULE: usize = 4000;
/// Most directories read in all.
pub const MAX_DIRS: usize = 40_000;

/// A package that can be named in `use:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    /// Its import path: what `use:` names.
    pub path: String,
    pub module: String,
    /// As go.mod requires it.
    pub version: String,
    pub dir: PathBuf,
    /// The names of the aspects it ships (empty when its files do not
    /// load).
    pub aspects: Vec<String>,
}

/// The packs the module rooted at `root` could use, sorted by import path
/// (at most [`MAX_PACKS`]). `modcache` overrides the module cache the
/// environment names (the language server asks `go env GOMODCACHE` once).
pub fn offered(root: &Path, modcache: Option<&Path>) -> Vec<Offered> {
    let Some(graph) = ModuleGraph::read(root) else {
        return Vec::new();
    };
    let cache = modcache.map(Path::to_path_buf).or(graph.modcache.clone());
    let vendored = root.join("vendor/modules.txt").is_file();
    let mut budget = MAX_DIRS;
    let mut found: BTreeMap<String, Offered> = BTreeMap::new();
    for (module, version) in &graph.requires {
        if graph.main.contains(module) || found.len() >= MAX_PACKS {
            continue;
        }
        let Some(dir) = module_dir(root, &graph, cache.as_deref(), vendored, module, version)
        else {
            continue;
        };
        for (path, dir) in walk(&dir, module, &mut budget) {
            if found.len() >= MAX_PACKS {
                break;
            }
            if !super::is_pack_path(&path)
                || crate::check::names::import_path_problem(&path).is_some()
            {
                continue;
            }
            let at = Located {
                module: module.clone(),
                version: version.clone(),
                dir,
            };
            found.entry(path.clone()).or_insert_with(|| Offered {
                aspects: aspect_names(root, &path, &at),
                path,
                module: at.module,
                version: at.version,
                dir: at.dir,
            });
        }
    }
    found.into_values().collect()
}

/// Where `module` (required at `version`) is on disk, if it is.
fn module_dir(
    root: &Path,
    graph: &ModuleGraph,
    cache: Option<&Path>,
    vendored: bool,
    module: &str,
    version: &str,
) -> Option<PathBuf> {
    if vendored {
        let d = root.join("vendor").join(module);
        if d.is_dir() {
            return Some(d);
        }
    }
    let (module, version) = match graph.replacement(module, version) {
        Some(r) if r.is_dir() => return Some(root.join(&r.to)).filter(|d| d.is_dir()),
        Some(r) => (r.to.as_str(), r.to_version.as_deref().unwrap_or(version)),
        None => (module, version),
    };
    let d = cache?.join(format!("{}@{}", escape(module), escape(version)));
    d.is_dir().then_some(d)
}

/// The package directories under `dir` (the root of `module`) holding an
/// aspect file: (import path, directory). Breadth first, bounded by
/// [`MAX_DEPTH`], [`MAX_DIRS_PER_MODULE`] and what is left of `budget`.
fn walk(dir: &Path, module: &str, budget: &mut usize) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut queue = VecDeque::from([(dir.to_path_buf(), String::new(), 0usize)]);
    let mut read = 0;
    while let Some((d, rel, depth)) = queue.pop_front() {
        if *budget == 0 || read >= MAX_DIRS_PER_MODULE {
            break;
        }
        *budget -= 1;
        read += 1;
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut subdirs = Vec::new();
        let (mut aspects, mut gomod) = (false, false);
        for e in entries.flatten() {
            let Ok(kind) = e.file_type() else { continue };
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if kind.is_file() {
                aspects |= ASPECT_FILE_NAMES.contains(&name) || name.ends_with(".aspect");
                gomod |= name == "go.mod";
            } else if kind.is_dir()
                && depth < MAX_DEPTH
                && !name.starts_with(['.', '_'])
                && name != "testdata"
                && name != "vendor"
            {
                subdirs.push(name.to_string());
            }
        }
        // A nested module is another module, not a package of this one.
        if gomod && depth > 0 {
            continue;
        }
        if aspects {
            let path = if rel.is_empty() {
                module.to_string()
            } else {
                format!("{module}/{rel}")
            };
            out.push((path, d.clone()));
        }
        subdirs.sort();
        for s in subdirs {
            let rel = if rel.is_empty() {
                s.clone()
            } else {
                format!("{rel}/{s}")
            };
            queue.push_back((d.join(&s), rel, depth + 1));
        }
    }
    out
}

/// The aspects a pack's files declare (read as `check` reads them).
fn aspect_names(root: &Path, path: &str, at: &Located) -> Vec<String> {
    let Ok(pack) = read(root, path, at.clone()) else {
        return Vec::new();
    };
    let mut sources = Sources::new();
    pack.files
        .iter()
        .flat_map(|f| {
            let id = sources.add(f.name.to_string(), f.text.to_string());
            crate::load::load(&sources, id).0.aspects
        })
        .map(|a| a.name.value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const PACK: &str = "aspects:\n  - name: greet\n    target: x\n    before: |\n      println()\n";

    /// Packs in the module cache (its `!` spelling of upper case), in a
    /// `replace` directory and in vendor/; what is skipped.
    #[test]
    fn packs_of_required_modules() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, cache) = (tmp.path().join("app"), tmp.path().join("cache"));
        write(
            &root.join("go.mod"),
            "module example.com/app\n\nrequire (\n\tgithub.com/Acme/Packs v1.2.0 // indirect\n\texample.com/local v0.0.0\n\texample.com/absent v1.0.0\n\texample.com/forked v1.0.0\n)\n\nreplace example.com/local => ../local\nreplace example.com/forked => example.com/Fork v0.3.0\n",
        );
        let acme = cache.join("github.com/!acme/!packs@v1.2.0");
        write(&acme.join("go.mod"), "module github.com/Acme/Packs\n");
        write(&acme.join("kafka/aspects.yaml"), PACK);
        write(
            &acme.join("deep/er/sql.aspect"),
            "aspect a {\n    pointcut target(\"x\")\n    before { f() }\n}\n",
        );
        write(&acme.join("testdata/aspects.yaml"), PACK);
        write(&acme.join(".hidden/aspects.yaml"), PACK);
        write(
            &acme.join("nested/go.mod"),
            "module github.com/Acme/Packs/nested\n",
        );
        write(&acme.join("nested/aspects.yaml"), PACK);
        write(&acme.join("plain/x.go"), "package plain\n");
        let local = tmp.path().join("local");
        write(&local.join("aspects.yaml"), PACK);
        write(&cache.join("example.com/!fork@v0.3.0/f/aspects.yaml"), PACK);

        let found = offered(&root, Some(&cache));
        let paths: Vec<&str> = found.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "example.com/forked/f",
                "example.com/local",
                "github.com/Acme/Packs/deep/er",
                "github.com/Acme/Packs/kafka",
            ]
        );
        let kafka = &found[3];
        assert_eq!(
            (kafka.module.as_str(), kafka.version.as_str()),
            ("github.com/Acme/Packs", "v1.2.0")
        );
        assert_eq!(kafka.aspects, ["greet"]);
        assert_eq!(found[2].aspects, ["a"]);
        assert_eq!(found[1].dir, root.join("../local"));

        // Vendored: vendor/<module> wins.
        write(
            &root.join("vendor/modules.txt"),
            "# github.com/Acme/Packs v1.2.0\n",
        );
        write(
            &root.join("vendor/github.com/Acme/Packs/v/aspects.yaml"),
            PACK,
        );
        let paths: Vec<String> = offered(&root, Some(&cache))
            .into_iter()
            .map(|o| o.path)
            .collect();
        assert!(
            paths.contains(&"github.com/Acme/Packs/v".to_string()),
            "{paths:?}"
        );
        assert!(
            !paths.contains(&"github.com/Acme/Packs/kafka".to_string()),
            "{paths:?}"
        );
    }
}
