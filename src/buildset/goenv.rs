//! The go command's own view of the settings that decide what a build
//! compiles (`go env -json`), as opposed to the process environment: it
//! merges the go env file (`go env -w`), `$GOROOT/go.env` and the
//! toolchain's defaults (cgo is off when no C compiler is found), names the
//! go.mod and go.work in effect, and is answered by the toolchain that will
//! build (a version manager's shim selects it). Driver mode needs it once
//! per command: its GOFLAGS are the ones the build gets, and it is part of
//! the key of the kept listings ([`super::kept_lists`]).
//!
//! Asking costs a go process (5–7 ms, most of a no-op driver build's own
//! part), so the answer is kept in goaop's cache ([`Keeping`]) under
//! everything it is computed from: the whole environment, the directory,
//! the `go` found on PATH (resolved, and its status), the go env file,
//! every go.mod and go.work the go command's upward searches could find
//! (present or absent), and the files the answer names: `$GOROOT/go.env`,
//! the go.work and go.mod in effect (a GOWORK or `-modfile` outside the
//! searches; their `toolchain` lines can switch the toolchain), and the C
//! compiler the go command's lookup finds (which turns cgo on by default:
//! [`c_compiler_lookup`]). A `go` that is not its own GOROOT's `bin/go`
//! (a version manager's shim, a toolchain switch already in effect) is
//! asked every time, and so is every answer when `GOENV` or a PATH entry
//! is relative ([`relative_lookups`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::store::dirs::changed_after;
use crate::store::kept::{TOO_RECENT, c_compiler_lookup, relative_lookups};
use crate::store::watched::Watched;
use crate::store::{cache_dir, sealed};

/// The variables asked for.
const VARS: &[&str] = &[
    "GOVERSION",
    "GOROOT",
    "GOFLAGS",
    "GOMOD",
    "GOWORK",
    "GOOS",
    "GOARCH",
    "GOEXPERIMENT",
    "GOTOOLCHAIN",
    "CGO_ENABLED",
    "CC",
    "CXX",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct Vars {
    #[serde(default)]
    goflags: String,
    #[serde(default)]
    gomod: String,
    #[serde(default)]
    gowork: String,
    #[serde(default)]
    goroot: String,
}

/// What `go env` says in one directory.
#[derive(Debug)]
pub struct GoEnv {
    /// The whole answer (a key part).
    pub json: String,
    /// GOFLAGS in effect (environment or go env file).
    pub goflags: String,
    /// The main module's go.mod (`None`: no module, or GOPATH mode).
    pub gomod: Option<PathBuf>,
    /// The go.work in effect (`None`: no workspace, or `GOWORK=off`).
    pub gowork: Option<PathBuf>,
}

impl GoEnv {
    /// Ask the go command in `dir`; `None` if it cannot answer (the build
    /// that follows reports why).
    pub fn read(dir: &Path) -> Option<GoEnv> {
        GoEnv::ask(dir).answer()
    }

    /// Start asking: the answer ([`Asking::answer`]) is read later, so
    /// the caller's own work overlaps the go command's start-up. A kept
    /// answer whose inputs are unchanged is taken without a go process.
    pub fn ask(dir: &Path) -> Asking {
        GoEnv::ask_keeping_in(dir, cache_dir().as_deref())
    }

    /// [`GoEnv::ask`] with answers kept in the cache directory `cache`.
    fn ask_keeping_in(dir: &Path, cache: Option<&Path>) -> Asking {
        let keeping = cache.and_then(|c| Keeping::new(dir, c));
        if let Some(json) = keeping.as_ref().and_then(Keeping::read) {
            return Asking {
                kept: Some(json),
                child: None,
                keeping: None,
                asked: SystemTime::now(),
            };
        }
        let asked = SystemTime::now();
        let child = Command::new("go")
            .current_dir(dir)
            .args(["env", "-json"])
            .args(VARS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        Asking {
            kept: None,
            child,
            keeping,
            asked,
        }
    }
}

/// A `go env` under way (or a kept answer).
pub struct Asking {
    kept: Option<String>,
    child: Option<std::process::Child>,
    keeping: Option<Keeping>,
    asked: SystemTime,
}

impl Asking {
    pub fn answer(self) -> Option<GoEnv> {
        if let Some(json) = self.kept {
            return parse(json).map(|(env, _)| env);
        }
        let out = self.child?.wait_with_output().ok()?;
        if !out.status.success() {
            return None;
        }
        let (env, vars) = parse(String::from_utf8(out.stdout).ok()?)?;
        if let Some(k) = self.keeping {
            k.write(&env.json, &vars, self.asked);
        }
        Some(env)
    }

    /// Whether the answer is a kept one (no go process ran).
    #[cfg(test)]
    fn is_kept(&self) -> bool {
        self.kept.is_some()
    }
}

fn parse(json: String) -> Option<(GoEnv, Vars)> {
    let vars: Vars = serde_json::from_str(&json).ok()?;
    let path = |v: &str| {
        // `/dev/null` (`NUL`): module mode outside any module.
        (!v.is_empty() && v != "off" && v != "/dev/null" && v != "NUL").then(|| PathBuf::from(v))
    };
    let env = GoEnv {
        goflags: vars.goflags.clone(),
        gomod: path(&vars.gomod),
        gowork: path(&vars.gowork),
        json,
    };
    Some((env, vars))
}

/// The `go` that `Command::new("go")` runs: the first on PATH, resolved.
pub(super) fn go_on_path() -> Option<PathBuf> {
    let name = format!("go{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(&name))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
}

const KIND: &str = "goenv";

/// Where a `go env` answer for one directory is kept, and what its inputs
/// were when asked (see the module docs).
struct Keeping {
    /// The directory asked in.
    dir: PathBuf,
    file: PathBuf,
    key: String,
    /// The resolved `go`.
    go: PathBuf,
    /// The inputs known before asking: `go`, the go env file, and each
    /// go.mod and go.work the searches could find.
    searched: Watched,
}

/// A kept answer.
#[derive(Deserialize, Serialize)]
struct Entry {
    json: String,
    searched: Watched,
    /// The inputs the answer named: `$GOROOT/go.env` and the C compiler's
    /// lookup.
    named: Watched,
}

impl Keeping {
    fn new(dir: &Path, cache: &Path) -> Option<Keeping> {
        if relative_lookups() {
            return None;
        }
        let go = go_on_path()?;
        let searched = Watched::take(searched_files(dir, &go))?;
        let mut h = blake3::Hasher::new();
        let mut frame = |b: &[u8]| {
            h.update(&(b.len() as u64).to_le_bytes());
            h.update(b);
        };
        frame(b"goaop go env v1");
        frame(crate::VERSION.as_bytes());
        frame(VARS.join(" ").as_bytes());
        frame(dir.as_os_str().as_encoded_bytes());
        frame(
            std::fs::canonicalize(dir)
                .ok()?
                .as_os_str()
                .as_encoded_bytes(),
        );
        frame(go.as_os_str().as_encoded_bytes());
        let mut vars: Vec<_> = std::env::vars_os().collect();
        vars.sort();
        for (k, v) in &vars {
            frame(k.as_encoded_bytes());
            frame(v.as_encoded_bytes());
        }
        let key = h.finalize().to_hex()[..32].to_string();
        Some(Keeping {
            dir: dir.to_path_buf(),
            file: cache.join(format!("{KIND}-{key}.bin")),
            key,
            go,
            searched,
        })
    }

    /// The kept answer, if every input is as it was.
    fn read(&self) -> Option<String> {
        let bytes = sealed::read(&self.file, KIND, &self.key)?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        (e.searched == self.searched && e.named.unchanged()).then_some(e.json)
    }

    /// Keep `json` (asked at `asked`), unless `go` is not its GOROOT's
    /// own, or an input changed while it was asked or shortly before.
    fn write(self, json: &str, vars: &Vars, asked: SystemTime) {
        let goroot = Path::new(&vars.goroot);
        let own = goroot
            .join("bin")
            .join(format!("go{}", std::env::consts::EXE_SUFFIX));
        if vars.goroot.is_empty() || std::fs::canonicalize(own).ok() != Some(self.go.clone()) {
            return;
        }
        let settled = asked
            .checked_sub(TOO_RECENT)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if !self.searched.unchanged() || !self.searched.settled(settled) {
            return;
        }
        let mut named_paths = vec![goroot.join("go.env")];
        named_paths.extend(c_compiler_lookup());
        // Files outside the searches whose `toolchain` lines can switch
        // the toolchain: a go.work named by GOWORK, a go.mod named by
        // `-modfile` (its own `go` line, too).
        named_paths.extend(self.named_module_files(vars));
        let Some(named) = Watched::take(named_paths) else {
            return;
        };
        // An absent file's directory must be settled too: one removed
        // while the go command ran (it saw the file) moved it.
        let absent_settled = named
            .absent()
            .all(|p| p.parent().is_none_or(|d| !changed_after(d, settled)));
        if !named.settled(settled) || !absent_settled {
            return;
        }
        let entry = Entry {
            json: json.to_string(),
            searched: self.searched,
            named,
        };
        if let Ok(bytes) = serde_json::to_vec(&entry) {
            sealed::write(&self.file, KIND, &self.key, &bytes);
        }
    }
}

impl Keeping {
    fn named_module_files(&self, vars: &Vars) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = [&vars.gowork, &vars.gomod]
            .into_iter()
            .filter(|v| !v.is_empty() && *v != "off" && *v != "/dev/null" && *v != "NUL")
            .map(|v| self.dir.join(v))
            .collect();
        let words: Vec<&str> = vars.goflags.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_start_matches('-');
            if let Some(f) = w.strip_prefix("modfile=") {
                files.push(self.dir.join(f));
            } else if w == "modfile"
                && let Some(f) = words.get(i + 1)
            {
                files.push(self.dir.join(f));
            }
        }
        files
    }
}

/// The files whose presence and status decide what `go env` says in `dir`
/// before its answer names more: `go` itself, the go env file, and the
/// go.mod and go.work in `dir` and every directory above it, as the go
/// command names `dir` (`$PWD` when it is the same directory) and as it
/// is (symbolic links resolved).
fn searched_files(dir: &Path, go: &Path) -> Vec<PathBuf> {
    let mut files = vec![go.to_path_buf()];
    files.extend(crate::gomod::go_env_file());
    let mut bases = vec![dir.to_path_buf()];
    bases.extend(std::fs::canonicalize(dir));
    bases.extend(
        std::env::var_os("PWD")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute()),
    );
    let mut seen = std::collections::BTreeSet::new();
    for base in &bases {
        for d in base.ancestors() {
            if seen.insert(d.to_path_buf()) {
                files.push(d.join("go.mod"));
                files.push(d.join("go.work"));
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Files written now are not trusted before [`TOO_RECENT`] has passed.
    fn settle() {
        std::thread::sleep(TOO_RECENT + Duration::from_millis(100));
    }

    /// The answer, asked and kept in `cache`, and whether it was a kept one.
    fn ask(dir: &Path, cache: &Path) -> (GoEnv, bool) {
        let asking = GoEnv::ask_keeping_in(dir, Some(cache));
        let kept = asking.is_kept();
        let env = asking.answer().expect("the Go toolchain (go) is required");
        (env, kept)
    }

    /// An answer is kept under the go.mod and go.work files the searches
    /// could find, present or absent: an edit of go.mod (same bytes), or a
    /// go.work that appears, asks the go command again, which then names
    /// the workspace; nothing is kept from files changed just before.
    #[test]
    fn a_kept_answer_follows_the_files_the_searches_find() {
        let cache = tempfile::tempdir().unwrap();
        let m = tempfile::tempdir().unwrap();
        let sub = m.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let gomod = m.path().join("go.mod");
        std::fs::write(&gomod, "module m\n\ngo 1.22\n").unwrap();
        let (first, kept) = ask(&sub, cache.path());
        assert!(!kept);
        assert_eq!(first.gomod.as_deref(), Some(gomod.as_path()));
        assert!(!ask(&sub, cache.path()).1, "go.mod was too recent to keep");
        settle();
        assert!(!ask(&sub, cache.path()).1);
        let (again, kept) = ask(&sub, cache.path());
        assert!(kept, "kept once settled");
        assert_eq!(again.json, first.json);

        std::fs::write(&gomod, "module m\n\ngo 1.22\n").unwrap();
        assert!(!ask(&sub, cache.path()).1, "go.mod rewritten");
        settle();
        assert!(!ask(&sub, cache.path()).1);
        assert!(ask(&sub, cache.path()).1);

        let gowork = m.path().join("go.work");
        std::fs::write(&gowork, "go 1.22\n\nuse .\n").unwrap();
        let (env, kept) = ask(&sub, cache.path());
        assert!(!kept, "a go.work appeared");
        assert_eq!(env.gowork.as_deref(), Some(gowork.as_path()));
        std::fs::write(sub.join("go.mod"), "module m/sub\n\ngo 1.22\n").unwrap();
        let (env, kept) = ask(&sub, cache.path());
        assert!(!kept, "a nearer go.mod appeared");
        assert_eq!(env.gomod.as_deref(), Some(sub.join("go.mod").as_path()));
    }

    /// What the answer names is watched too: the go.work it names (a
    /// GOWORK outside the searches, whose `toolchain` line can switch the
    /// toolchain), a `-modfile` in its GOFLAGS; a `go` that is not its
    /// GOROOT's own (a version manager's shim) is never kept.
    #[test]
    fn a_kept_answer_follows_the_files_it_names() {
        let cache = tempfile::tempdir().unwrap();
        let m = tempfile::tempdir().unwrap();
        let (env, _) = ask(m.path(), cache.path());
        let mut vars: Vars = serde_json::from_str(&env.json).unwrap();
        let work = m.path().join("elsewhere.work");
        std::fs::write(&work, "go 1.22\n").unwrap();
        std::fs::write(m.path().join("alt.mod"), "module m\n").unwrap();
        vars.gowork = work.display().to_string();
        vars.goflags = "-tags=x -modfile alt.mod".into();
        settle();
        let asked = SystemTime::now();
        Keeping::new(m.path(), cache.path())
            .unwrap()
            .write(&env.json, &vars, asked);
        let keeping = Keeping::new(m.path(), cache.path()).unwrap();
        assert_eq!(keeping.read().as_deref(), Some(env.json.as_str()));
        std::fs::write(&work, "go 1.22\n\ntoolchain go1.99.0\n").unwrap();
        assert_eq!(keeping.read(), None, "GOWORK's go.work edited");

        vars.gowork = String::new();
        settle();
        let asked = SystemTime::now();
        Keeping::new(m.path(), cache.path())
            .unwrap()
            .write(&env.json, &vars, asked);
        assert!(keeping.read().is_some());
        std::fs::write(m.path().join("alt.mod"), "module m\n\ngo 1.99\n").unwrap();
        assert_eq!(keeping.read(), None, "the -modfile edited");

        let shim = Keeping {
            go: m.path().join("go"),
            ..Keeping::new(m.path(), cache.path()).unwrap()
        };
        let file = shim.file.clone();
        let _ = std::fs::remove_file(&file);
        shim.write(&env.json, &vars, asked);
        assert!(!file.exists(), "a go that is not GOROOT/bin/go");
    }
}
