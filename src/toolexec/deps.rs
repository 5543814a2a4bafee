//! The packages injected code imports, and their whole dependency closure,
//! with export data: `go list -deps -export` run once per build (the first
//! compile or link that needs it runs it under a lock file in `$WORK`, the
//! others wait and read its result).
//!
//! The nested go command gets the parent build's flags that change what is
//! compiled (`-tags`, `-race`, `-mod`, `-gcflags`, `-trimpath`…, read from
//! `/proc/<ppid>/cmdline`) and GOFLAGS without `-toolexec`, so it neither
//! recurses into goaop nor builds archives the link would reject.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Import path → export data file, for every package in the closure.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Deps {
    pub packages: BTreeMap<String, String>,
}

impl Deps {
    pub fn contains(&self, path: &str) -> bool {
        self.packages.contains_key(path)
    }

    /// Every export data file still exists (a persistent copy is stale once
    /// the go command has trimmed one from its cache).
    fn exports_exist(&self) -> bool {
        self.packages
            .values()
            .all(|e| e.is_empty() || Path::new(e).is_file())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    import_path: String,
    #[serde(default)]
    export: String,
    #[serde(default)]
    error: Option<ListError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListError {
    err: String,
}

/// How long to wait for another process's `go list` before running our own.
const WAIT: Duration = Duration::from_secs(300);

/// The closure of `imports` (non-empty), cached under `work` (the build's
/// `$WORK`). `module_root` is where the nested go command runs.
pub fn resolve(
    work: &Path,
    module_root: &Path,
    tool: &Path,
    imports: &[String],
) -> Result<Deps, String> {
    // Across builds: a persistent copy keyed on everything the answer
    // depends on, trusted only while every export file it names still
    // exists (the go command trims its cache). This saves a nested go
    // command (~100 ms) on every incremental build.
    let persistent = persistent_path(module_root, tool, imports);
    if let Some(d) = persistent
        .as_deref()
        .and_then(read)
        .filter(Deps::exports_exist)
    {
        return Ok(d);
    }
    let deps = resolve_in_build(work, module_root, imports)?;
    if let Some(p) = persistent {
        write_atomically(&p, &deps);
    }
    Ok(deps)
}

/// Where the persistent copy of a closure lives, if there is a cache dir.
fn persistent_path(
    module_root: &Path,
    tool: &Path,
    imports: &[String],
) -> Option<std::path::PathBuf> {
    let mut h = blake3::Hasher::new();
    h.update(b"goaop deps v1\0");
    h.update(crate::VERSION.as_bytes());
    for part in imports.iter().chain(&parent_flags()) {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    for v in [
        goflags_without_toolexec(),
        std::env::var("GOCACHE").unwrap_or_default(),
    ] {
        h.update(&(v.len() as u64).to_le_bytes());
        h.update(v.as_bytes());
    }
    // The toolchain (export data is version-specific) and the module's
    // requirements.
    h.update(tool.parent().unwrap_or(tool).as_os_str().as_encoded_bytes());
    h.update(module_root.as_os_str().as_encoded_bytes());
    for f in ["go.mod", "go.sum", "go.work", "go.work.sum"] {
        let bytes = std::fs::read(module_root.join(f)).unwrap_or_default();
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let key = &h.finalize().to_hex()[..32];
    Some(super::cache::cache_dir()?.join(format!("deps-{key}.json")))
}

fn write_atomically(path: &Path, deps: &Deps) {
    let Ok(json) = serde_json::to_vec(deps) else {
        return;
    };
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let _ = std::fs::create_dir_all(path.parent().unwrap_or(path))
        .and_then(|_| std::fs::write(&tmp, json))
        .and_then(|_| std::fs::rename(&tmp, path));
}

/// The closure, computed once per build (`$WORK`) behind a lock.
fn resolve_in_build(work: &Path, module_root: &Path, imports: &[String]) -> Result<Deps, String> {
    let key = &blake3::hash(imports.join("\n").as_bytes()).to_hex()[..16];
    let cache = work.join(format!("goaop-deps-{key}.json"));
    let lock = work.join(format!("goaop-deps-{key}.lock"));
    let start = Instant::now();
    loop {
        if let Some(d) = read(&cache) {
            return Ok(d);
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break,
            Err(_) if start.elapsed() < WAIT => std::thread::sleep(Duration::from_millis(25)),
            // A stale lock (its owner died): do the work ourselves.
            Err(_) => break,
        }
    }
    let result = (|| {
        if let Some(d) = read(&cache) {
            return Ok(d);
        }
        let deps = go_list(module_root, imports)?;
        let tmp = cache.with_extension(format!("{}.tmp", std::process::id()));
        let json = serde_json::to_vec(&deps).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, json)
            .and_then(|_| std::fs::rename(&tmp, &cache))
            .map_err(|e| format!("cannot write {}: {e}", cache.display()))?;
        Ok(deps)
    })();
    let _ = std::fs::remove_file(&lock);
    result
}

fn read(cache: &Path) -> Option<Deps> {
    serde_json::from_slice(&std::fs::read(cache).ok()?).ok()
}

/// Set for the nested `go list`: its compile calls must not weave (nor run
/// `go list` again).
pub const NESTED_ENV: &str = "GOAOP_NESTED";

fn go_list(module_root: &Path, imports: &[String]) -> Result<Deps, String> {
    let mut cmd = Command::new("go");
    cmd.current_dir(module_root)
        .args(["list", "-deps", "-export", "-json=ImportPath,Export,Error"])
        .args(parent_flags());
    // The nested build goes through goaop too, in pass-through mode: its
    // compile calls then have the same tool ID (`-V=full`) as the outer
    // build's, so both share build-cache entries instead of compiling the
    // injected imports' closure twice. This is sound because the outer build
    // never weaves a package of that closure either.
    if let Ok(exe) = std::env::current_exe() {
        cmd.arg(format!("-toolexec={}", exe.display()))
            .env(NESTED_ENV, "1");
    }
    cmd.arg("--")
        .args(imports)
        .env("GOFLAGS", goflags_without_toolexec());
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `go list` for the injected imports: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut deps = Deps::default();
    let mut errors = Vec::new();
    for p in serde_json::Deserializer::from_str(&text).into_iter::<Listed>() {
        let p = p.map_err(|e| format!("unexpected `go list` output: {e}"))?;
        if let Some(e) = p.error {
            errors.push(format!("{}: {}", p.import_path, e.err));
        }
        deps.packages.insert(p.import_path, p.export);
    }
    if !out.status.success() || !errors.is_empty() {
        return Err(format!(
            "the aspects import packages this module cannot build ({}); \
             add them to go.mod with `go get`:\n{}{}",
            imports.join(", "),
            errors.join("\n"),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(deps)
}

/// GOFLAGS minus any `-toolexec` (the nested go command must not call us).
fn goflags_without_toolexec() -> String {
    std::env::var("GOFLAGS")
        .unwrap_or_default()
        .split_whitespace()
        .filter(|f| !f.trim_start_matches('-').starts_with("toolexec"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Build flags that change compiled archives.
const VALUE_FLAGS: &[&str] = &[
    "tags", "mod", "modfile", "gcflags", "asmflags", "pgo", "overlay",
];
const BOOL_FLAGS: &[&str] = &["race", "msan", "asan", "trimpath", "cover"];

/// The parent go command's build flags that change archives.
fn parent_flags() -> Vec<String> {
    parent_cmdline()
        .map(|a| build_flags(&a))
        .unwrap_or_default()
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

/// Pick the archive-changing flags out of a go command line.
pub fn build_flags(cmdline: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    // Skip `go` and the subcommand; stop at the first non-flag.
    let mut it = cmdline.iter().skip(2);
    while let Some(a) = it.next() {
        if !a.starts_with('-') {
            break;
        }
        let name = a.trim_start_matches('-');
        let (name, inline) = match name.split_once('=') {
            Some((n, _)) => (n, true),
            None => (name, false),
        };
        if VALUE_FLAGS.contains(&name) {
            if inline {
                out.push(a.clone());
            } else if let Some(v) = it.next() {
                out.push(format!("-{name}={v}"));
            }
        } else if BOOL_FLAGS.contains(&name) {
            out.push(a.clone());
        } else if !inline && takes_value(name) {
            it.next();
        }
    }
    out
}

/// go build flags that take a separate value (so it is not a package).
fn takes_value(name: &str) -> bool {
    matches!(
        name,
        "o" | "p"
            | "C"
            | "toolexec"
            | "ldflags"
            | "gccgoflags"
            | "buildmode"
            | "compiler"
            | "installsuffix"
            | "pkgdir"
            | "covermode"
            | "coverpkg"
            | "exec"
            | "run"
            | "bench"
            | "count"
            | "timeout"
            | "cpu"
            | "buildvcs"
    )
}

#[cfg(test)]
mod tests {
    use super::build_flags;

    #[test]
    fn picks_archive_changing_flags() {
        let cmd: Vec<String> = [
            "go",
            "build",
            "-toolexec",
            "goaop --config x",
            "-tags",
            "a,b",
            "-race",
            "-o",
            "out",
            "-mod=vendor",
            "./...",
            "-trimpath",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(build_flags(&cmd), ["-tags=a,b", "-race", "-mod=vendor"]);
    }
}
