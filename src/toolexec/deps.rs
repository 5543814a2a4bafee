//! The packages injected code imports, and their whole dependency closure,
//! with export data: `go list -deps -export`, run once per go command.
//!
//! The answer is what the woven objects and the final link depend on, so
//! it is never kept across builds: its identity ([`Deps::id`], a hash of
//! the export files, whose names are content hashes in the Go build cache)
//! goes into the `-V=full` tag instead (see [`super::version`]), and an
//! edit of any package of the closure (a helper package of the user's own
//! module, a workspace or `replace` directory, a vendored copy) rebuilds
//! what was woven against it.
//!
//! Within one go command the answer is shared by all its goaop calls
//! (`-V=full`, compiles, link): the first computes it under a file lock, the
//! others wait and read it. The shared file lives in the goaop cache dir
//! under the go process's identity (boot id, pid, start time), else in
//! `$WORK` (compiles and links only). Files are [sealed](super::sealed);
//! a failure is never written.
//!
//! The nested go command is the toolchain's own `go` (next to the tool),
//! run in the go command's directory with the flags [`super::flags`] picks
//! from the parent go command's line (`/proc/<ppid>/cmdline`) and GOFLAGS.
//! It goes through goaop (`-toolexec`, with the same `--config`), so its
//! compiles carry the same `-V=full` tag as the outer build's and the two
//! share the Go build cache: a package both need (the standard library,
//! mostly) is compiled once. Nothing in it is woven: every package it
//! compiles is in the closure, which [`super::sources`] lists before
//! anything is compiled, and which no mode weaves. A goaop call under the
//! nested command that would need the closure's export files itself (it
//! would run a third go command, and so on) is refused instead.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::flags::{GoCommand, nested_goflags};
use super::listed::Listed;
use super::rundir::run_dir;
use super::{cache, config};
use crate::store::identity;
use crate::store::watched::Watched;
use crate::store::{kept, sealed};

/// Import path → export data file, for every package in the closure.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Deps {
    pub packages: BTreeMap<String, String>,
}

impl Deps {
    /// Whether every export file is still there (the Go build cache trims
    /// old entries).
    pub fn exports_exist(&self) -> bool {
        self.packages
            .values()
            .all(|e| e.is_empty() || Path::new(e).is_file())
    }

    /// What the closure is: every package and the content of its export
    /// file (16 hex digits). The Go build cache names its files by content
    /// hash (`<64 hex>-d`): the name stands for the content, so the id does
    /// not depend on where GOCACHE is (two clean builds with their own
    /// caches stay byte-identical: the id is in every build ID).
    pub fn id(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (path, export) in &self.packages {
            let content = content_name(Path::new(export));
            for part in [path.as_str(), content.as_str()] {
                h.update(&(part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

/// A Go build cache file's name (its content hash), else a hash of the
/// file (empty for none).
fn content_name(file: &Path) -> String {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let is_cache_name = name
        .strip_suffix("-d")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if is_cache_name || file.as_os_str().is_empty() {
        return name.to_string();
    }
    std::fs::read(file)
        .map(|b| blake3::hash(&b).to_hex().to_string())
        .unwrap_or_else(|_| file.display().to_string())
}

/// The closure of `imports` (non-empty) for a compile or link of the build
/// whose `$WORK` is `work` (`None` in a `-V=full` call). `module_root` is
/// where the nested go command runs if the go command's own directory is
/// unknown; `tool` is the compiler or linker (it says which toolchain);
/// `toolexec` is the `-toolexec` the nested command runs with.
pub fn resolve(
    work: Option<&Path>,
    module_root: &Path,
    tool: &Path,
    imports: &[String],
    toolexec: &str,
) -> Result<Deps, String> {
    let nested = Nested::new(module_root, tool, imports);
    let key = nested.key();
    let kept_key = nested.kept_key(&key);
    // A `-V=full` call needs only the closure's identity, which names the
    // export files' content, not where they are: whether they are still
    // in the Go build cache matters to the compile or link that reads
    // them (about 250 file checks on a service using OpenTelemetry and
    // grpc, on the path of every no-op build otherwise).
    let usable = |d: &Deps| work.is_none() || d.exports_exist();
    if let (Some(dir), Some(k)) = (cache::cache_dir(), &kept_key)
        && let Some(d) = kept::read(&dir, KIND, k, usable)
    {
        return Ok(d);
    }
    if nested.under_nested_export_list() {
        return Err(
            "internal error: a goaop call under the nested `go list -export` of the \
                    injected imports needs that list itself; please report this"
                .to_string(),
        );
    }
    for dir in run_dir().into_iter().chain(work.map(Path::to_path_buf)) {
        if let Some(shared) = Shared::open(&dir, KIND, &key) {
            return shared.get_or(|| nested.go_list(toolexec, kept_key.as_ref()));
        }
    }
    nested.go_list(toolexec, kept_key.as_ref())
}

/// The `-json` fields of the nested export list: also how a goaop call
/// recognises that it runs under one.
const EXPORT_FIELDS: &str = "-json=ImportPath,Export,Dir,Standard,Module,Error,EmbedFiles";

/// The nested go command.
pub(super) struct Nested {
    pub go: PathBuf,
    /// The toolchain's own `go`: pin it (no GOTOOLCHAIN switch).
    local_go: bool,
    pub cwd: PathBuf,
    pub flags: Vec<String>,
    pub goflags: String,
    pub imports: Vec<String>,
    /// The main module's root (its graph is part of the kept answer's key).
    module_root: Option<PathBuf>,
    /// The parent go command's line.
    parent: Vec<String>,
}

impl Nested {
    pub fn new(module_root: &Path, tool: &Path, imports: &[String]) -> Nested {
        let cwd = config::parent_cwd().unwrap_or_else(|| module_root.to_path_buf());
        let main_module = crate::project::find_module(&cwd);
        let parent = parent_cmdline().unwrap_or_default();
        let flags =
            GoCommand::parse(&parent).nested_flags(main_module.as_ref().map(|m| m.path.as_str()));
        // $GOROOT/pkg/tool/<goos_goarch>/<tool> → $GOROOT/bin/go
        let go = tool
            .ancestors()
            .nth(4)
            .map(|root| {
                root.join("bin")
                    .join(format!("go{}", std::env::consts::EXE_SUFFIX))
            })
            .filter(|g| g.is_file());
        Nested {
            local_go: go.is_some(),
            go: go.unwrap_or_else(|| PathBuf::from("go")),
            cwd,
            flags,
            goflags: nested_goflags(&std::env::var("GOFLAGS").unwrap_or_default()),
            imports: imports.to_vec(),
            module_root: main_module.map(|m| m.root),
            parent,
        }
    }

    /// Whether the nested command compiles with the PGO profile file the
    /// go command names (`-pgo=file`, on its line or in GOFLAGS; the line
    /// wins): both then apply it to every package. With `-pgo=auto` (the
    /// default) the go command applies each main package's `default.pgo`
    /// to that program's packages, which the nested command, listing no
    /// main package, does not.
    pub fn names_pgo_file(&self) -> bool {
        let pgo = |f: &str| {
            f.strip_prefix("--")
                .or_else(|| f.strip_prefix('-'))
                .and_then(|f| f.strip_prefix("pgo="))
                .map(str::to_string)
        };
        let last = self
            .goflags
            .split_whitespace()
            .chain(self.flags.iter().map(String::as_str))
            .rev()
            .find_map(pgo);
        last.is_some_and(|v| !matches!(v.as_str(), "" | "auto" | "off"))
    }

    /// Whether the parent go command is the nested export list of another
    /// goaop call.
    fn under_nested_export_list(&self) -> bool {
        self.parent.iter().any(|a| a == EXPORT_FIELDS)
    }

    /// The nested command, pinned to this toolchain and running where the
    /// go command runs, with its flags; `args` come first.
    pub fn command(&self, args: &[&str], toolexec: &str) -> Command {
        let mut cmd = Command::new(&self.go);
        cmd.current_dir(&self.cwd)
            .args(args)
            .arg(format!("-toolexec={toolexec}"))
            .args(&self.flags)
            .arg("--")
            .args(&self.imports)
            .env("GOFLAGS", &self.goflags);
        if self.local_go {
            cmd.env("GOTOOLCHAIN", "local");
        }
        cmd
    }

    /// What the answer depends on within one go command.
    pub fn key(&self) -> String {
        let mut h = blake3::Hasher::new();
        h.update(b"goaop deps v3\0");
        let exe = identity::exe_id(cache::cache_dir().as_deref()).unwrap_or_default();
        let parts = [
            exe.as_str(),
            &self.go.to_string_lossy(),
            &self.cwd.to_string_lossy(),
            &self.goflags,
        ];
        for part in parts
            .into_iter()
            .chain(self.flags.iter().map(String::as_str))
        {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(b"\0imports\0");
        for part in &self.imports {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().to_hex()[..32].to_string()
    }

    /// The key of the answer kept across builds; `None` if it must not be
    /// kept: in GOPATH mode, or with `-overlay`/`-modfile` (see
    /// [`kept::outside_the_key`]) among the flags or in GOFLAGS.
    pub fn kept_key(&self, key: &str) -> Option<kept::Key> {
        let root = self.module_root.as_deref()?;
        if kept::relative_lookups()
            || crate::gomod::go_env_setting("GO111MODULE").as_deref() == Some("off")
        {
            return None;
        }
        let goflags = crate::gomod::go_env_setting("GOFLAGS").unwrap_or_default();
        let mut flags = self
            .flags
            .iter()
            .map(String::as_str)
            .chain(goflags.split_whitespace());
        if flags.any(kept::outside_the_key) {
            return None;
        }
        // The go command finds go.work from its own directory up, which
        // can be below the module root: every candidate's status (present
        // or absent) is in the key.
        let works = self.cwd.ancestors().map(|d| d.join("go.work"));
        let works = serde_json::to_string(&Watched::take(works)).unwrap_or_default();
        Some(kept::key(&format!("{key}\0{works}"), &self.go, Some(root)))
    }

    /// Run `go list <args> -toolexec=<toolexec> <flags> -- <imports>`:
    /// its packages, or an error naming those the module cannot build.
    /// `GOAOP_LOG` gets `#goaop <label> <imports>` before, and the time
    /// after as `nested=<kind>` ([`super::log_nested`]).
    pub fn list(
        &self,
        args: &[&str],
        toolexec: &str,
        (label, kind): (&str, &str),
    ) -> Result<Vec<Listed>, String> {
        super::append_log(&format!("#goaop {label} {}", self.imports.join(" ")));
        let started = std::time::Instant::now();
        let out = self
            .command(args, toolexec)
            .output()
            .map_err(|e| format!("cannot run `go list` for the injected imports: {e}"))?;
        super::log_nested(kind, started);
        let text = String::from_utf8_lossy(&out.stdout);
        let packages = serde_json::Deserializer::from_str(&text)
            .into_iter::<Listed>()
            .map(|p| p.map_err(|e| format!("unexpected `go list` output: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let errors: Vec<String> = packages
            .iter()
            .filter_map(|p| Some(format!("{}: {}", p.import_path, p.error.as_ref()?.err)))
            .collect();
        if !out.status.success() || !errors.is_empty() {
            return Err(format!(
                "the aspects import packages this module cannot build ({}); \
                 add them to go.mod with `go get`:\n{}{}",
                self.imports.join(", "),
                errors.join("\n"),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(packages)
    }

    fn go_list(&self, toolexec: &str, kept_key: Option<&kept::Key>) -> Result<Deps, String> {
        let args = ["list", "-deps", "-export", EXPORT_FIELDS];
        let asked = std::time::SystemTime::now();
        let packages = self.list(&args, toolexec, ("go-list", "export"))?;
        let mut deps = Deps::default();
        let watched = kept::Watching::of(
            packages
                .iter()
                .map(|p| (p.watched_dirs(), p.watched_files())),
        );
        for p in packages {
            deps.packages.insert(p.import_path, p.export);
        }
        if let (Some(dir), Some(key)) = (cache::cache_dir(), kept_key) {
            kept::write_watching(&dir, KIND, key, &deps, &watched, asked);
        }
        Ok(deps)
    }
}

/// An answer shared by the calls of one go command, and its lock.
pub(super) struct Shared {
    file: PathBuf,
    lock: File,
    kind: &'static str,
    key: String,
}

/// The kind of the kept and shared closure files.
const KIND: &str = "closure";

impl Shared {
    pub fn open(dir: &Path, kind: &'static str, key: &str) -> Option<Shared> {
        std::fs::create_dir_all(dir).ok()?;
        let lock = File::create(dir.join(format!("goaop-{kind}-{key}.lock"))).ok()?;
        Some(Shared {
            file: dir.join(format!("goaop-{kind}-{key}.json")),
            lock,
            kind,
            key: key.to_string(),
        })
    }

    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&sealed::read(&self.file, self.kind, &self.key)?).ok()
    }

    /// The shared answer, or `compute` it (holding the lock, so the other
    /// calls wait for it instead of running their own) and share it. A
    /// failure is not shared: each call reports it.
    pub fn get_or<T: Serialize + DeserializeOwned>(
        &self,
        compute: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        if let Some(d) = self.read() {
            return Ok(d);
        }
        // Held until `self.lock` is closed. Without locks (a file system
        // that has none) every call computes its own.
        let _ = self.lock.lock();
        if let Some(d) = self.read() {
            return Ok(d);
        }
        let answer = compute()?;
        if let Ok(json) = serde_json::to_vec(&answer) {
            sealed::write(&self.file, self.kind, &self.key, &json);
        }
        Ok(answer)
    }
}

fn parent_cmdline() -> Option<Vec<String>> {
    #[cfg(target_os = "linux")]
    {
        let ppid = std::os::unix::process::parent_id();
        let raw = std::fs::read(PathBuf::from(format!("/proc/{ppid}/cmdline"))).ok()?;
        Some(
            raw.split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
        )
    }
    #[cfg(not(target_os = "linux"))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a profile file the go command names reaches the nested
    /// command; `-pgo=auto` (the default) and `-pgo=off` do not name one,
    /// and the command line overrides GOFLAGS.
    #[test]
    fn a_named_pgo_file_reaches_the_nested_command() {
        let nested = |goflags: &str, parent: &[&str]| {
            let parent: Vec<String> = parent.iter().map(|s| s.to_string()).collect();
            Nested {
                go: PathBuf::from("go"),
                local_go: false,
                cwd: PathBuf::from("/m"),
                flags: GoCommand::parse(&parent).nested_flags(Some("m")),
                goflags: nested_goflags(goflags),
                imports: vec!["m/obs".into()],
                module_root: None,
                parent,
            }
            .names_pgo_file()
        };
        assert!(!nested("", &["go", "build", "./cmd/app"]), "auto");
        assert!(nested("", &["go", "build", "-pgo=/p/default.pgo", "."]));
        assert!(nested("", &["go", "build", "-pgo", "cpu.pprof", "."]));
        assert!(!nested("", &["go", "build", "-pgo=auto", "."]));
        assert!(!nested("", &["go", "build", "-pgo=off", "."]));
        assert!(nested("-pgo=/p/cpu.pprof", &["go", "build", "."]));
        assert!(
            !nested("-pgo=/p/cpu.pprof", &["go", "build", "-pgo=auto", "."]),
            "the line wins"
        );
    }

    /// The go command finds go.work from its own directory up: one that
    /// appears below the module root changes the kept closure's key.
    #[test]
    fn a_go_work_below_the_module_root_changes_the_key() {
        let m = tempfile::tempdir().unwrap();
        std::fs::write(m.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
        let cwd = m.path().join("cmd/app");
        std::fs::create_dir_all(&cwd).unwrap();
        let nested = Nested {
            go: PathBuf::from("/nonexistent/go"),
            local_go: false,
            cwd: cwd.clone(),
            flags: Vec::new(),
            goflags: String::new(),
            imports: vec!["m/obs".into()],
            module_root: Some(m.path().to_path_buf()),
            parent: Vec::new(),
        };
        let key = || nested.kept_key("k").map(|k| k.id().to_string());
        let before = key().expect("kept");
        assert_eq!(key().as_deref(), Some(before.as_str()));
        std::fs::write(cwd.join("go.work"), "go 1.22\n\nuse ../..\n").unwrap();
        assert_ne!(
            key().as_deref(),
            Some(before.as_str()),
            "a go.work below the root"
        );
    }

    #[test]
    fn a_shared_answer_is_read_back_and_a_damaged_one_recomputed() {
        let dir = tempfile::tempdir().unwrap();
        let deps = |p: &str| Deps {
            packages: [(p.to_string(), format!("/cache/{p}.a"))].into(),
        };
        let shared = Shared::open(dir.path(), KIND, "k").unwrap();
        assert_eq!(
            shared.get_or(|| Ok(deps("a"))).unwrap().id(),
            deps("a").id()
        );
        let again: Deps = shared.get_or(|| panic!("computed twice")).unwrap();
        assert_eq!(again.id(), deps("a").id());
        let mut bytes = std::fs::read(&shared.file).unwrap();
        bytes[3] ^= 0x20;
        std::fs::write(&shared.file, &bytes).unwrap();
        assert_eq!(
            shared.get_or(|| Ok(deps("b"))).unwrap().id(),
            deps("b").id()
        );
    }

    #[test]
    fn a_failure_is_not_shared() {
        let dir = tempfile::tempdir().unwrap();
        let shared = Shared::open(dir.path(), KIND, "k").unwrap();
        assert!(shared.get_or::<Deps>(|| Err("no".into())).is_err());
        assert!(shared.get_or(|| Ok(Deps::default())).is_ok());
    }

    #[test]
    fn the_id_is_the_export_files_content_wherever_the_cache_is() {
        let deps = |file: &str| Deps {
            packages: [("x".to_string(), file.to_string())].into(),
        };
        let (one, two) = (format!("{:064x}-d", 1), format!("{:064x}-d", 2));
        assert_eq!(
            deps(&format!("/a/cache/00/{one}")).id(),
            deps(&format!("/b/gocache/00/{one}")).id()
        );
        assert_ne!(
            deps(&format!("/a/cache/00/{one}")).id(),
            deps(&format!("/a/cache/00/{two}")).id()
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("_pkg_.a");
        std::fs::write(&f, "v1").unwrap();
        let v1 = deps(f.to_str().unwrap()).id();
        std::fs::write(&f, "v2").unwrap();
        assert_ne!(deps(f.to_str().unwrap()).id(), v1, "other files by content");
    }
}
