//! The closure of the advice's imports *by source*: which packages it has,
//! and an id of everything their export data is built from, known before
//! anything is compiled (`go list -deps`, no `-export`).
//!
//! Why before: the `-V=full` tag must name the closure (cmd/go keys a woven
//! package on its own imports only, not on the ones goaop injects; see
//! [`super::version`]), and the nested `go list -export` that builds the
//! closure ([`super::deps`]) runs through goaop with that same tag, so that
//! the packages it shares with the outer build (the standard library,
//! mostly) are compiled once, not once per tag. An id computed from the
//! export files would need the closure compiled before the tag exists.
//!
//! The id hashes what the export data depends on and the woven package's
//! own action key does not already cover:
//! - the nested command's flags (`-gcflags` patterns, `-tags`, `-race`,
//!   coverage…) and the target and cgo settings of the environment;
//! - per package: its import path and the names of every file it is built
//!   from (build tags and `CGO_ENABLED` choose them), and
//!   - standard library: nothing more (the toolchain is in the tag);
//!   - module cache: the module's path, version and `go` version (its
//!     directory is read-only and pinned by go.sum, as [`super::kept`]
//!     assumes);
//!   - anything else (the main module, a workspace, `replace => ../dir`,
//!     `vendor/`): the bytes of every one of those files.
//!
//! No path is hashed, so two checkouts in different directories get the
//! same id (and, with `-trimpath`, share a remote cache). What it cannot
//! see (a new C compiler for a cgo package of the closure, settings only
//! the go env file holds) leaves the export data's Go side unchanged in
//! practice; were it not, the linker's fingerprint check fails the build
//! rather than linking mismatched code, and the link's own tag names the
//! export files themselves.
//!
//! The listing is kept across builds ([`super::kept`], verified by the
//! editable directories' hashes) and shared within one go command.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cache;
use super::deps::{Nested, Shared};
use super::listed::Listed;
use super::rundir::run_dir;
use crate::store::kept;

/// The packages of the closure and the id of their sources.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Listing {
    pub packages: BTreeSet<String>,
    pub id: String,
}

impl Listing {
    pub fn contains(&self, path: &str) -> bool {
        self.packages.contains(path)
    }
}

const KIND: &str = "sources";

/// The `-json` fields asked for.
const FIELDS: &str = "-json=ImportPath,Dir,Standard,Module,Error,GoFiles,CgoFiles,CFiles,\
                      CXXFiles,MFiles,HFiles,FFiles,SFiles,SwigFiles,SwigCXXFiles,SysoFiles,EmbedFiles";

/// Environment variables that change what a package compiles to and are
/// not paths (paths would make the id differ between checkouts).
const BUILD_SETTINGS: &[&str] = &[
    "GOOS",
    "GOARCH",
    "GO386",
    "GOAMD64",
    "GOARM",
    "GOARM64",
    "GOMIPS",
    "GOMIPS64",
    "GOPPC64",
    "GORISCV64",
    "GOWASM",
    "GOEXPERIMENT",
    "CGO_ENABLED",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_FFLAGS",
    "CGO_LDFLAGS",
    "CC",
    "CXX",
    "FC",
];

/// The closure of `imports` (non-empty), listed; see [`super::deps::resolve`]
/// for `module_root` and `tool`.
pub fn resolve(module_root: &Path, tool: &Path, imports: &[String]) -> Result<Listing, String> {
    let nested = Nested::new(module_root, tool, imports);
    let key = nested.key();
    let kept_key = nested.kept_key(&key);
    let cache_dir = cache::cache_dir();
    if let (Some(dir), Some(k)) = (&cache_dir, &kept_key)
        && let Some(l) = kept::read(dir, KIND, k, |_: &Listing| true)
    {
        return Ok(l);
    }
    let list = || {
        let asked = std::time::SystemTime::now();
        let (listing, editable) = go_list(&nested)?;
        if let (Some(dir), Some(k)) = (&cache_dir, &kept_key) {
            kept::write_watching(dir, KIND, k, &listing, &editable, asked);
        }
        Ok(listing)
    };
    match run_dir().and_then(|dir| Shared::open(&dir, KIND, &key)) {
        Some(shared) => shared.get_or(list),
        None => list(),
    }
}

/// List the closure (no compiling: no tool runs, so `-toolexec` is empty).
fn go_list(nested: &Nested) -> Result<(Listing, kept::Watching), String> {
    let args = ["list", "-deps", FIELDS];
    let packages = nested.list(&args, "", ("go-list-sources", "sources"))?;
    let settings = BUILD_SETTINGS
        .iter()
        .map(|k| (*k, std::env::var(k).unwrap_or_default()));
    let id = source_id(&nested.flags, &nested.goflags, settings, &packages)?;
    let editable = kept::Watching::of(
        packages
            .iter()
            .map(|p| (p.watched_dirs(), p.watched_files())),
    );
    let listing = Listing {
        packages: packages.into_iter().map(|p| p.import_path).collect(),
        id,
    };
    Ok((listing, editable))
}

/// The id of the closure's sources (module doc), 16 hex digits.
fn source_id<'a>(
    flags: &[String],
    goflags: &str,
    settings: impl Iterator<Item = (&'a str, String)>,
    packages: &[Listed],
) -> Result<String, String> {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(b"goaop closure sources v1");
    for f in flags {
        frame(f.as_bytes());
    }
    frame(goflags.as_bytes());
    for (k, v) in settings {
        frame(k.as_bytes());
        frame(v.as_bytes());
    }
    let mut sorted: Vec<&Listed> = packages.iter().collect();
    sorted.sort_by(|a, b| a.import_path.cmp(&b.import_path));
    for p in sorted {
        frame(b"\0package");
        frame(p.import_path.as_bytes());
        let mut files: Vec<&String> = p.files().collect();
        files.sort();
        let cached = p.in_module_cache();
        if p.standard {
            frame(b"std");
        } else if let Some(m) = p.module.as_ref().filter(|_| cached) {
            frame(b"mod");
            let m = m.replace.as_deref().unwrap_or(m);
            for part in [&m.path, &m.version, &m.go_version] {
                frame(part.as_bytes());
            }
        } else {
            frame(b"dir");
            if let Some(m) = &p.module {
                frame(m.path.as_bytes());
                frame(m.go_version.as_bytes());
            }
        }
        let read = !p.standard && !cached;
        for f in files {
            frame(f.as_bytes());
            if read {
                let path = Path::new(&p.dir).join(f);
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                frame(&bytes);
            }
        }
    }
    Ok(h.finalize().to_hex()[..16].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(json: &str) -> Vec<Listed> {
        serde_json::Deserializer::from_str(json)
            .into_iter::<Listed>()
            .map(Result::unwrap)
            .collect()
    }

    fn id(flags: &[&str], env: &[(&'static str, &str)], packages: &[Listed]) -> String {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        let env = env.iter().map(|(k, v)| (*k, v.to_string()));
        source_id(&flags, "", env, packages).unwrap()
    }

    #[test]
    fn the_id_follows_sources_versions_and_flags_but_not_paths() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for d in [&one, &two] {
            std::fs::write(d.path().join("a.go"), "package a").unwrap();
        }
        let pkgs = |dir: &Path, version: &str| {
            listed(&format!(
                r#"{{"ImportPath":"os","Standard":true,"GoFiles":["file.go"]}}
                {{"ImportPath":"example.com/m/obs","Dir":{dir:?},"GoFiles":["a.go"],
                  "Module":{{"Path":"example.com/m","GoVersion":"1.22"}}}}
                {{"ImportPath":"rsc.io/x","Dir":"/mod/rsc.io/x@{version}","GoFiles":["x.go"],
                  "Module":{{"Path":"rsc.io/x","Version":"{version}"}}}}"#,
                dir = dir.display().to_string()
            ))
        };
        let base = id(&[], &[], &pkgs(one.path(), "v1.0.0"));
        assert_eq!(
            base,
            id(&[], &[], &pkgs(two.path(), "v1.0.0")),
            "another checkout"
        );
        assert_ne!(
            base,
            id(&[], &[], &pkgs(one.path(), "v1.1.0")),
            "a module version"
        );
        assert_ne!(
            base,
            id(&["-race"], &[], &pkgs(one.path(), "v1.0.0")),
            "a flag"
        );
        assert_ne!(
            base,
            id(&[], &[("CGO_ENABLED", "0")], &pkgs(one.path(), "v1.0.0")),
            "cgo"
        );
        std::fs::write(one.path().join("a.go"), "package a // edited").unwrap();
        assert_ne!(base, id(&[], &[], &pkgs(one.path(), "v1.0.0")), "an edit");
    }

    #[test]
    fn the_file_list_counts_for_every_package() {
        let with = listed(r#"{"ImportPath":"net","Standard":true,"GoFiles":["a.go","cgo.go"]}"#);
        let without = listed(r#"{"ImportPath":"net","Standard":true,"GoFiles":["a.go"]}"#);
        assert_ne!(id(&[], &[], &with), id(&[], &[], &without));
    }
}
