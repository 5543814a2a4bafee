//! Driver mode's two listings (the packages a go command compiles, and the
//! closure of the advice's imports) kept across builds on the terms of
//! [`crate::store::kept`]: a no-op `goaop go build` then runs no `go list`
//! (they were most of its cost over plain `go build`: ~70 ms of ~100 on
//! example/orders).
//!
//! The key adds what `go env` says in the command's directory
//! ([`GoEnv`]: the toolchain that will build, its GOFLAGS, go.mod and
//! cgo setting, whatever set them), the directory resolved (a symbolic
//! link on the way can be pointed elsewhere) and `$PWD` (the go command names
//! directories through it, so a module reached through a symbolic link is
//! listed under other names). Kept only when everything the listings
//! depend on is in the key or in a hashed directory:
//! - a module (go.mod in effect), no workspace (a go.work names modules
//!   whose go.mod files the key does not read), no GOPATH mode;
//! - no `-overlay` and no `-modfile`, on the command line or in GOFLAGS
//!   (files the key does not read);
//! - every pattern names its packages by directory or import path, or is a
//!   local `dir/...` walk (whose tree of `.go` files is hashed into the key
//!   before `go list` runs, so a new package under it is seen); patterns
//!   such as `all`, `std` or `example.com/...` are listed every time;
//! - no listed package has an error (it may be what the user is fixing);
//! - nothing the key read or a listed directory holds changed since
//!   shortly before the listing started.
//!
//! Packages the listings name outside the module cache are the editable
//! directories checked on every use ([`Lists::editable`]; the standard
//! library's too, when they can matter: [`Lists::standard`]).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::goenv::{GoEnv, go_on_path};
use super::golist::{BUILD_FIELDS, CLOSURE_FIELDS, Package};
use super::kept_woven::KeptWoven;
use crate::store::{cache_dir, kept};

const KIND: &str = "driver-lists";
const RESULT_KIND: &str = "driver-build";

/// The listings of one go command.
#[derive(Default, Deserialize, Serialize)]
pub struct Lists {
    pub packages: Vec<Package>,
    /// `None` when the advice imports nothing.
    pub closure: Option<Vec<Package>>,
    /// The directories a build with these listings reads that can change
    /// without the key changing: every listed package's outside the module
    /// cache and the standard library. Kept with the listings, since the
    /// kept closure is only the advice's imports' entries.
    pub editable: Vec<PathBuf>,
    /// The standard library's directories: a toolchain built from source,
    /// or a GOROOT a user patches, is edited in place (the go command
    /// hashes its files too). The listings depend on them (checked with
    /// them); a build's woven files only if the rule set can weave a
    /// package outside the main module: an edit of one can only change
    /// which standard packages are built (they import only the standard
    /// library), so otherwise the ~4,000 files of a large build's are not
    /// checked on every no-op.
    pub standard: Vec<PathBuf>,
}

impl Lists {
    /// Listings as the go command gave them.
    pub fn new(packages: Vec<Package>, closure: Option<Vec<Package>>) -> Lists {
        let dirs = |standard: bool| {
            let mut dirs: Vec<PathBuf> = packages
                .iter()
                .chain(closure.iter().flatten())
                .filter(|p| !p.dir.as_os_str().is_empty())
                .filter(|p| (p.standard && standard) || (p.editable() && !standard))
                .map(|p| p.dir.clone())
                .collect();
            dirs.sort();
            dirs.dedup();
            dirs
        };
        let (editable, standard) = (dirs(false), dirs(true));
        Lists {
            packages,
            closure,
            editable,
            standard,
        }
    }

    /// Every directory the listings depend on.
    pub fn all_dirs(&self) -> Vec<PathBuf> {
        self.editable
            .iter()
            .chain(&self.standard)
            .cloned()
            .collect()
    }

    /// Whether these listings may be kept: not if a package has an error
    /// (it may be what the user is fixing, in a file no key reads).
    pub fn keepable(&self) -> bool {
        !self
            .packages
            .iter()
            .chain(self.closure.iter().flatten())
            .any(|p| p.error.is_some())
    }
}

/// Where and under which key the listings of one go command are kept.
pub struct Keeper {
    dir: PathBuf,
    key: kept::Key,
    asked: SystemTime,
}

/// Patterns that stand for a set of packages that can grow without a file
/// of a listed package changing.
const META: &[&str] = &["all", "std", "cmd", "tool", "work"];

impl Keeper {
    /// The keeper for `go list <args>` and `go list <closure>` run in
    /// `dir`, where `go env` said `env`, or `None` if they must be listed
    /// every time (see the module docs).
    pub fn new(
        dir: &Path,
        env: &GoEnv,
        patterns: &[String],
        args: &[String],
        closure: Option<&[String]>,
    ) -> Option<Keeper> {
        let gomod = env.gomod.as_ref()?;
        if env.gowork.is_some() || kept::relative_lookups() {
            return None;
        }
        let unkeepable = |a: &str| {
            ["-overlay", "-modfile", "--overlay", "--modfile"]
                .iter()
                .any(|f| a.starts_with(f))
        };
        let flags = args.iter().chain(closure.into_iter().flatten());
        if flags
            .map(String::as_str)
            .chain(env.goflags.split_whitespace())
            .any(unkeepable)
        {
            return None;
        }
        let mut parts = vec![
            "goaop driver lists v3".to_string(),
            crate::VERSION.to_string(),
            BUILD_FIELDS.to_string(),
            CLOSURE_FIELDS.to_string(),
            dir.display().to_string(),
            // The directory itself: a `-C link` whose link now points
            // elsewhere names another directory under the same path.
            std::fs::canonicalize(dir).ok()?.display().to_string(),
            format!("PWD={}", std::env::var("PWD").unwrap_or_default()),
            env.json.clone(),
        ];
        parts.extend(args.iter().cloned());
        parts.push("closure:".into());
        parts.extend(closure.into_iter().flatten().cloned());
        let mut trees = Vec::new();
        for p in patterns {
            if META.contains(&p.as_str()) {
                return None;
            }
            if let Some((prefix, _)) = p.split_once("...") {
                if !local(p) {
                    return None;
                }
                // The directory the walk starts in: `./cmd/...` and
                // `./cmd/ca...` both walk ./cmd.
                let root = match prefix.rfind('/') {
                    Some(i) => &prefix[..i.max(1)],
                    None => ".",
                };
                trees.push(dir.join(root));
            }
        }
        let go = go_on_path()?;
        let key = kept::key_with_trees(&parts.join("\0"), &trees, &go, gomod.parent())?;
        Some(Keeper {
            dir: cache_dir()?,
            key,
            asked: SystemTime::now(),
        })
    }

    /// The woven units kept with these listings ([`super::kept_woven`]).
    pub fn woven(&self, view: &crate::compile::RuleSetRef) -> Option<KeptWoven> {
        KeptWoven::open(self.dir.clone(), self.key.id(), view)
    }

    /// What the caller made of the last build with these listings and the
    /// rule set `view` (driver mode: the overlay of its woven files and
    /// the notes it prints), if the directories it was made from are
    /// unchanged and `valid` accepts it. Weaving is a pure function of the
    /// listed files, the rule set and goaop's code, and every listed file
    /// is in an editable directory (hashed) or the standard library or
    /// module cache (fixed for the key), so a build whose listings still
    /// hold weaves the same.
    pub fn result<T: DeserializeOwned>(
        &self,
        view: &crate::compile::RuleSetRef,
        valid: impl Fn(&T) -> bool,
    ) -> Option<T> {
        kept::read(&self.dir, RESULT_KIND, &self.result_key(view)?, valid)
    }

    /// Keep `result` for [`Keeper::result`]; `editable`: the listings'
    /// editable directories.
    pub fn keep_result<T: Serialize>(
        &self,
        view: &crate::compile::RuleSetRef,
        result: &T,
        editable: &[PathBuf],
    ) {
        if let Some(key) = self.result_key(view) {
            kept::write(&self.dir, RESULT_KIND, &key, result, editable, self.asked);
        }
    }

    fn result_key(&self, view: &crate::compile::RuleSetRef) -> Option<kept::Key> {
        let exe = crate::store::identity::exe_id(Some(&self.dir)).ok()?;
        Some(self.key.derived(&format!("{exe}\0{}", view.fingerprint())))
    }

    /// The kept listings, if nothing they depend on changed.
    pub fn read(&self) -> Option<Lists> {
        kept::read(&self.dir, KIND, &self.key, |_: &Lists| true)
    }

    /// Keep `lists` (listed after [`Keeper::new`]), unless a package has
    /// an error. Of the closure, only the entries of the advice's
    /// `imports` are kept (their `Deps` name the rest, which is all
    /// [`super::Closure`] reads); every listed package's directory is
    /// kept and checked all the same ([`Lists::editable`]).
    pub fn write(&self, lists: &Lists, imports: &[String]) {
        if !lists.keepable() {
            return;
        }
        let trimmed = Trimmed {
            packages: &lists.packages,
            closure: lists.closure.as_ref().map(|c| {
                c.iter()
                    .filter(|p| imports.contains(&p.import_path))
                    .collect()
            }),
            editable: &lists.editable,
            standard: &lists.standard,
        };
        let dirs = lists.all_dirs();
        kept::write(&self.dir, KIND, &self.key, &trimmed, &dirs, self.asked);
    }
}

/// [`Lists`] as kept (serialized the same way).
#[derive(Serialize)]
struct Trimmed<'a> {
    packages: &'a [Package],
    closure: Option<Vec<&'a Package>>,
    editable: &'a [PathBuf],
    standard: &'a [PathBuf],
}

/// Whether a pattern names a directory (`.`, `./x`, `../x`, `/abs/x`), as
/// the go command tells them from import paths.
fn local(pattern: &str) -> bool {
    pattern == "."
        || pattern == ".."
        || pattern.starts_with("./")
        || pattern.starts_with("../")
        || Path::new(pattern).is_absolute()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every directory a build with the listings reads and that can change
    /// without the key: the module's, the closure's (kept whole, not only
    /// the advice's imports' entries), the standard library's (GOROOT can
    /// be edited in place; apart); not the module cache's.
    #[test]
    fn the_editable_directories_are_every_listed_one_outside_the_module_cache() {
        let pkg = |json: &str| -> Package { serde_json::from_str(json).unwrap() };
        let lists = Lists::new(
            vec![
                pkg(r#"{"ImportPath":"m/a","Dir":"/m/a","Module":{"Path":"m","Main":true}}"#),
                pkg(r#"{"ImportPath":"fmt","Dir":"/go/src/fmt","Standard":true}"#),
                pkg(r#"{"ImportPath":"x.io/y","Dir":"/mc/x.io/y@v1.0.0",
                        "Module":{"Path":"x.io/y","Version":"v1.0.0"}}"#),
            ],
            Some(vec![
                pkg(r#"{"ImportPath":"m/obs","Dir":"/m/obs","Deps":["m/x"]}"#),
                pkg(r#"{"ImportPath":"m/x","Dir":"/m/x"}"#),
            ]),
        );
        let dirs: Vec<&str> = lists.editable.iter().map(|d| d.to_str().unwrap()).collect();
        assert_eq!(dirs, ["/m/a", "/m/obs", "/m/x"]);
        assert_eq!(lists.standard, [PathBuf::from("/go/src/fmt")]);
    }

    #[test]
    fn patterns_that_can_grow_are_not_kept() {
        let m = tempfile::tempdir().unwrap();
        std::fs::write(m.path().join("go.mod"), "module m\n").unwrap();
        let env = GoEnv {
            json: "{}".into(),
            goflags: String::new(),
            gomod: Some(m.path().join("go.mod")),
            gowork: None,
        };
        let keeper = |env: &GoEnv, patterns: &[&str], args: &[&str]| {
            let patterns: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            Keeper::new(m.path(), env, &patterns, &args, None).map(|k| k.key.id().to_string())
        };
        for p in ["all", "std", "example.com/app/..."] {
            assert!(keeper(&env, &[p], &[]).is_none(), "{p}");
        }
        assert!(keeper(&env, &["."], &["-overlay=o.json"]).is_none());
        assert!(keeper(&env, &["."], &["-modfile=alt.mod"]).is_none());
        let dot = keeper(&env, &["."], &[]).expect("a directory is kept");
        assert_ne!(
            Some(dot),
            keeper(&env, &["."], &["-tags=x"]),
            "flags are in the key"
        );
        let walk = keeper(&env, &["./..."], &[]).expect("a local walk is kept");
        std::fs::create_dir_all(m.path().join("new")).unwrap();
        assert_eq!(Some(walk.clone()), keeper(&env, &["./..."], &[]));
        std::fs::write(m.path().join("new/n.go"), "package n").unwrap();
        assert_ne!(Some(walk), keeper(&env, &["./..."], &[]), "a new package");
        assert!(keeper(&env, &["example.com/app/cmd"], &[]).is_some());

        // What only `go env` knows.
        let with = |f: &dyn Fn(&mut GoEnv)| {
            let mut e = GoEnv {
                json: env.json.clone(),
                goflags: String::new(),
                gomod: env.gomod.clone(),
                gowork: None,
            };
            f(&mut e);
            keeper(&e, &["."], &[])
        };
        assert!(with(&|e| e.goflags = "-modfile=alt.mod".into()).is_none());
        assert!(with(&|e| e.goflags = "-tags=x -overlay=o.json".into()).is_none());
        assert!(with(&|e| e.gowork = Some(m.path().join("go.work"))).is_none());
        assert!(with(&|e| e.gomod = None).is_none(), "GOPATH mode");
        assert_ne!(
            with(&|e| e.json = "{\"CGO_ENABLED\": \"0\"}".into()),
            keeper(&env, &["."], &[]),
            "go env is in the key"
        );
    }
}
