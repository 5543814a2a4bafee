//! Answers of the go command kept across builds while nothing they depend
//! on can have changed: a no-op build then runs no `go list` for them.
//!
//! Three answers are kept this way: for `-toolexec`, the closure of the
//! advice's imports by source (`crate::toolexec`'s `sources`: `go list
//! -deps`) and built (its `deps`: `go list -deps -export`, the export
//! files); for driver mode, the listings of the packages a go command
//! compiles and of that closure (`crate::buildset`'s `kept`). Each cost
//! 0.1–0.5 s per build, every build. What an answer depends on splits in
//! two:
//!
//! - **Inputs a key can name** ([`key`]): the asker's own parts (goaop's
//!   identity or version, the directory, flags and patterns or imports of
//!   the go command), the go command (path, size, modification time), the
//!   module graph files (go.mod, go.sum, go.work, go.work.sum,
//!   vendor/modules.txt), the go env file, and every environment variable
//!   the go command reads for a build (`GO*`, `CGO_*`, `CC`, `CXX`, `AR`,
//!   `PKG_CONFIG`), and the status of what sets cgo's default without a
//!   variable changing: the C compiler a PATH lookup finds, and
//!   `$GOROOT/go.env`. A standard-library package or a module-cache package
//!   (`<modcache>/path@version`, read-only and immutable for a version
//!   go.sum pins) lists and builds the same for the same inputs.
//! - **Directories that can be edited in place**: packages of the main
//!   module, of a workspace module, of a `replace => ../dir` module or of
//!   `vendor/`. Each such package's directory is fingerprinted (every
//!   file's name and bytes, symbolic links followed; each file's status
//!   spares reading it while unchanged: [`super::dirs`]) when the answer is
//!   kept, and checked on every use; every tree a `./...` pattern walks is
//!   hashed into the key.
//!
//! On use, every editable directory must hash the same and the asker's
//! check of the payload must pass (the export files of a closure must
//! still exist: the Go build cache trims old entries); otherwise the answer
//! is computed again, exactly as without this file. So an edit of a helper
//! package the advice imports still reaches the next build (issue #9 item
//! 1), and `-a` or a new GOCACHE still find their answer (the export files'
//! names are their content hashes). Kept answers are [sealed](super::sealed).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::dirs::{Dir, all_unchanged, changed_after, tree_hash};
use super::sealed;
use super::watched::{Watched, command_lookup, path_lookup};

/// A kept answer: the payload and the fingerprints of its editable
/// directories.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept<T> {
    payload: T,
    editable: Vec<Dir>,
    /// Single files watched by their status (a module's go.mod).
    #[serde(default)]
    files: Watched,
}

/// What a kept answer watches besides its key: editable directories, and
/// single files and directories by status (an editable module's go.mod,
/// whose directory also holds build outputs that change on every link;
/// the directories of embedded trees).
#[derive(Debug, Default)]
pub struct Watching {
    pub dirs: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

impl Watching {
    /// The union of each package's directories and files watched by
    /// status.
    pub fn of(each: impl Iterator<Item = (Vec<PathBuf>, Vec<PathBuf>)>) -> Watching {
        let mut w = Watching::default();
        let mut seen = std::collections::HashSet::new();
        for (dirs, files) in each {
            // (A package embedding files at a module's root names every
            // directory of the module: no quadratic scan.)
            w.dirs
                .extend(dirs.into_iter().filter(|d| seen.insert((true, d.clone()))));
            w.files.extend(
                files
                    .into_iter()
                    .filter(|f| seen.insert((false, f.clone()))),
            );
        }
        w
    }
}

/// The file of a kept answer of `kind` for `key` in the cache directory `dir`.
fn file(dir: &Path, kind: &str, key: &str) -> PathBuf {
    dir.join(format!("{kind}-{key}.bin"))
}

/// What an answer depends on besides the editable directories, and the
/// files that were read to say so (checked again when the answer is kept).
#[derive(Clone, Debug)]
pub struct Key {
    id: String,
    files: Vec<PathBuf>,
}

impl Key {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key of an answer that depends on this key's inputs and `part`
    /// (read the same files).
    pub fn derived(&self, part: &str) -> Key {
        let mut h = blake3::Hasher::new();
        for b in [self.id.as_bytes(), part.as_bytes()] {
            h.update(&(b.len() as u64).to_le_bytes());
            h.update(b);
        }
        Key {
            id: h.finalize().to_hex()[..32].to_string(),
            files: self.files.clone(),
        }
    }
}

/// The key of an answer: `parts` (the asker's: goaop's identity or
/// version, the go command's directory, flags and patterns or imports),
/// the go command `go`, the module graph of `module_root` and the
/// environment.
pub fn key(parts: &str, go: &Path, module_root: Option<&Path>) -> Key {
    key_of(
        parts,
        Vec::new(),
        Vec::new(),
        go,
        module_root,
        c_compiler_lookup(),
    )
}

/// [`key`] with the `.go` files under each of `trees` ([`tree_hash`]);
/// `None` if a tree cannot be read.
pub fn key_with_trees(
    parts: &str,
    trees: &[PathBuf],
    go: &Path,
    module_root: Option<&Path>,
) -> Option<Key> {
    let mut hashes = Vec::new();
    let mut read = Vec::new();
    for t in trees {
        let (hash, files) = tree_hash(t, super::cache_dir().as_deref())?;
        hashes.push((t.clone(), hash));
        read.extend(files);
    }
    Some(key_of(
        parts,
        hashes,
        read,
        go,
        module_root,
        c_compiler_lookup(),
    ))
}

fn key_of(
    parts: &str,
    trees: Vec<(PathBuf, String)>,
    mut read: Vec<PathBuf>,
    go: &Path,
    module_root: Option<&Path>,
    c_compiler: Vec<PathBuf>,
) -> Key {
    let mut h = blake3::Hasher::new();
    let mut frame = |b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    frame(b"goaop kept answer v2");
    frame(parts.as_bytes());
    for (t, hash) in &trees {
        frame(t.as_os_str().as_encoded_bytes());
        frame(hash.as_bytes());
    }
    frame(go.as_os_str().as_encoded_bytes());
    if let Ok(m) = std::fs::metadata(go) {
        frame(&m.len().to_le_bytes());
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        frame(&mtime.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    // The go command names directories through `$PWD` when it is the
    // directory it runs in: the path, and what it resolves to now.
    let pwd = std::env::var_os("PWD").unwrap_or_default();
    frame(pwd.as_encoded_bytes());
    let resolved = std::fs::canonicalize(&pwd).unwrap_or_default();
    frame(resolved.as_os_str().as_encoded_bytes());
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| build_variable(k))
        .collect();
    vars.sort();
    for (k, v) in &vars {
        frame(k.as_bytes());
        frame(v.as_bytes());
    }
    // What turns cgo on or off by default without a variable changing: a
    // C compiler that appears on PATH or goes (`apt-get install gcc`), and
    // `$GOROOT/go.env` (`go` is `$GOROOT/bin/go`).
    let mut watched = c_compiler;
    watched.extend(go.parent().and_then(Path::parent).map(|r| r.join("go.env")));
    frame(&serde_json::to_vec(&Watched::take(watched.iter().cloned())).unwrap_or_default());
    read.extend(watched);
    let mut files: Vec<PathBuf> = crate::gomod::go_env_file().into_iter().collect();
    if let Some(root) = module_root {
        frame(root.as_os_str().as_encoded_bytes());
        files.extend(graph_files(root));
    }
    for f in &files {
        frame(f.as_os_str().as_encoded_bytes());
        frame(&std::fs::read(f).unwrap_or_default());
    }
    read.extend(files);
    Key {
        id: h.finalize().to_hex()[..32].to_string(),
        files: read,
    }
}

/// The kept answer of `kind` for `key`, if it is still right: every
/// editable directory hashes the same, and `valid` accepts the payload
/// (the export files of a closure must still exist).
pub fn read<T: DeserializeOwned>(
    dir: &Path,
    kind: &str,
    key: &Key,
    valid: impl Fn(&T) -> bool,
) -> Option<T> {
    let key = key.id();
    let bytes = sealed::read(&file(dir, kind, key), kind, key)?;
    let kept: Kept<T> = serde_json::from_slice(&bytes).ok()?;
    let unedited = all_unchanged(&kept.editable) && kept.files.unchanged();
    (unedited && valid(&kept.payload)).then_some(kept.payload)
}

/// Keep `payload` as the answer of `kind` for `key`; `editable` are the
/// directories of its packages that can change without changing the key,
/// `asked` when the go command that gave the answer started (after the key
/// was computed). Not kept if a file of those directories, one the key
/// read, or a directory itself (a file removed or moved in) may have
/// changed since shortly before (see [`TOO_RECENT`]; modification or
/// status change time, so an edit that puts the old modification time back
/// counts): the key is read before the answer and the directories after
/// it, so an edit in between (even one undone later, as a `git checkout`
/// would) could otherwise file the answer under inputs it did not see.
pub fn write<T: Serialize>(
    dir: &Path,
    kind: &str,
    key: &Key,
    payload: &T,
    editable: &[PathBuf],
    asked: SystemTime,
) {
    let watching = Watching {
        dirs: editable.to_vec(),
        files: Vec::new(),
    };
    write_watching(dir, kind, key, payload, &watching, asked);
}

/// [`write`], also watching single files by their status.
pub fn write_watching<T: Serialize>(
    dir: &Path,
    kind: &str,
    key: &Key,
    payload: &T,
    watching: &Watching,
    asked: SystemTime,
) {
    let editable = &watching.dirs;
    let settled = asked.checked_sub(TOO_RECENT).unwrap_or(UNIX_EPOCH);
    if key.files.iter().any(|f| changed_after(f, settled)) {
        return;
    }
    let key = key.id();
    let mut hashed = Vec::with_capacity(editable.len());
    let mut by_status = watching.files.clone();
    for named in editable {
        // The directory itself, not the path the go command named it by
        // (through `$PWD`, a symbolic link that can be pointed elsewhere).
        let Ok(d) = std::fs::canonicalize(named) else {
            return;
        };
        // And the path by its status, links followed: a symbolic link on
        // it pointed elsewhere names another directory (another inode).
        if d != *named && !by_status.contains(named) {
            by_status.push(named.clone());
        }
        let Some(fingerprint) = Dir::record(&d, settled) else {
            return; // unreadable, or edited too recently: never kept
        };
        hashed.push(fingerprint);
    }
    let Some(files) = Watched::take(by_status).filter(|f| f.settled(settled)) else {
        return;
    };
    let kept = Kept {
        payload,
        editable: hashed,
        files,
    };
    if let Ok(json) = serde_json::to_vec(&kept) {
        sealed::write(&file(dir, kind, key), kind, key, &json);
    }
}

/// How long before a go command started a file must have last changed
/// for an answer that depends on it to be kept. Modification times are
/// coarse on some file systems (1–2 s), so a file saved just before or
/// while the go command ran may hold bytes it did not read under a time
/// that looks settled; the go command's own file-hash cache guards the
/// same way. Such an answer is simply asked for again next time.
pub const TOO_RECENT: Duration = Duration::from_secs(2);

/// The environment variables the go command reads when it builds, and
/// PATH (whether it finds a C compiler turns cgo on or off by default).
/// goaop's own (`GOAOP_LOG`, `GOAOP_CONFIG`…) are not among them: the
/// closure does not depend on them (the imports are in the key), and a
/// build with `GOAOP_LOG` set must not list the closure again.
fn build_variable(name: &str) -> bool {
    (name.starts_with("GO") && !name.starts_with("GOAOP_"))
        || name.starts_with("CGO_")
        || matches!(
            name,
            "CC" | "CXX" | "FC" | "AR" | "PKG_CONFIG" | "HOME" | "XDG_CONFIG_HOME" | "PATH"
        )
}

/// The files that decide the module graph of the module at `root`: its
/// go.mod and go.sum, vendor/modules.txt, and the governing go.work with
/// its go.work.sum and the go.mod of every module it uses.
pub fn graph_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![
        root.join("go.mod"),
        root.join("go.sum"),
        root.join("vendor").join("modules.txt"),
    ];
    if let Some(work) = crate::gomod::find_gowork(root) {
        files.extend(crate::gomod::gowork_modules(&work));
        files.push(work.with_extension("work.sum"));
        files.push(work);
    }
    files
}

/// The paths the go command's PATH lookup of a C compiler tries, which
/// decides cgo's default (when `CGO_ENABLED` is unset): it looks up its
/// default compiler (`gcc`, or `clang` on some systems; both are watched)
/// only when the environment's `CC` is empty. A `CC` from the go env file
/// or `$GOROOT/go.env` neither stops nor changes that lookup. With `CC` in
/// the environment, its program's lookup (harmless, and cheap).
pub fn c_compiler_lookup() -> Vec<PathBuf> {
    match std::env::var("CC") {
        Ok(cc) if !cc.trim().is_empty() => command_lookup(&cc),
        _ => ["gcc", "clang"].into_iter().flat_map(path_lookup).collect(),
    }
}

/// Whether the go command finds a file it reads relative to where it
/// runs, which a `-C` or a tool call's directory moves: a relative `GOENV`,
/// or a relative or empty PATH entry (its C compiler lookup, and the `go`
/// itself). Nothing that depends on them is kept.
pub fn relative_lookups() -> bool {
    let relative_path = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.is_relative()));
    relative_path || crate::gomod::go_env_file().is_some_and(|f| f.is_relative())
}

/// Whether a go command flag (or a GOFLAGS word) makes it read a file no
/// key reads: `-overlay` (its replacements) and `-modfile` (a go.mod of
/// another name). Answers of such a command are never kept.
pub fn outside_the_key(flag: &str) -> bool {
    ["-overlay", "-modfile", "--overlay", "--modfile"]
        .iter()
        .any(|f| flag.starts_with(f))
}

/// Whether a listed package's directory can change without go.mod, go.sum
/// or the toolchain changing: anything but the standard library and the
/// module cache, whose directories are `…/path@version/…` for the version
/// the package's module (or its replacement) resolves to.
pub fn editable(standard: bool, dir: &str, module_version: Option<&str>) -> bool {
    let in_module_cache =
        module_version.is_some_and(|v| !v.is_empty() && dir.contains(&format!("@{v}")));
    !standard && !in_module_cache
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload whose files must still exist, like a closure's export files.
    type Exports = Vec<PathBuf>;

    fn exist(e: &Exports) -> bool {
        e.iter().all(|f| f.exists())
    }

    fn named(id: &str) -> Key {
        Key {
            id: id.to_string(),
            files: Vec::new(),
        }
    }

    fn read_exports(dir: &Path, key: &str) -> Option<Exports> {
        read(dir, "closure", &named(key), exist)
    }

    /// Kept as if the go command had asked well after the files changed.
    fn write_exports(dir: &Path, key: &str, e: &Exports, editable: &[PathBuf]) {
        let later = SystemTime::now() + Duration::from_secs(60);
        write(dir, "closure", &named(key), e, editable, later)
    }

    #[test]
    fn kept_until_an_editable_directory_or_an_export_file_changes() {
        let cache = tempfile::tempdir().unwrap();
        let pkg = tempfile::tempdir().unwrap();
        let export = cache.path().join("export-d");
        std::fs::write(&export, "export data").unwrap();
        std::fs::write(pkg.path().join("a.go"), "package a").unwrap();
        let d = vec![export.clone()];
        let editable = [pkg.path().to_path_buf()];
        write_exports(cache.path(), "k", &d, &editable);
        assert_eq!(read_exports(cache.path(), "k"), Some(d.clone()));
        assert!(read_exports(cache.path(), "other").is_none(), "another key");

        std::fs::write(pkg.path().join("a.go"), "package a // edited").unwrap();
        assert!(read_exports(cache.path(), "k").is_none(), "an edited file");
        write_exports(cache.path(), "k", &d, &editable);
        std::fs::write(pkg.path().join("b.go"), "package a").unwrap();
        assert!(read_exports(cache.path(), "k").is_none(), "a new file");

        write_exports(cache.path(), "k", &d, &editable);
        assert!(read_exports(cache.path(), "k").is_some());
        std::fs::remove_file(&export).unwrap();
        assert!(
            read_exports(cache.path(), "k").is_none(),
            "a trimmed export file"
        );
    }

    /// A single watched file (an editable module's go.mod) is checked by
    /// its status: its directory's other files (build outputs) are not.
    #[test]
    fn a_watched_file_is_checked_not_its_directory() {
        let cache = tempfile::tempdir().unwrap();
        let m = tempfile::tempdir().unwrap();
        let gomod = m.path().join("go.mod");
        std::fs::write(&gomod, "module m\n\ngo 1.21\n").unwrap();
        let watching = Watching {
            dirs: Vec::new(),
            files: vec![gomod.clone()],
        };
        let later = SystemTime::now() + Duration::from_secs(60);
        write_watching(
            cache.path(),
            "closure",
            &named("k"),
            &Vec::<PathBuf>::new(),
            &watching,
            later,
        );
        assert!(read_exports(cache.path(), "k").is_some());
        std::fs::write(m.path().join("bin"), "a linked program").unwrap();
        assert!(
            read_exports(cache.path(), "k").is_some(),
            "an output beside it"
        );
        std::fs::write(&gomod, "module m\n\ngo 1.22\n").unwrap();
        assert!(
            read_exports(cache.path(), "k").is_none(),
            "its go line edited"
        );
    }

    /// An answer kept about directory `a` named through the link `l`,
    /// then `l` pointed at `b`: (the cache, the root holding a, b and l).
    fn kept_through_a_link_then_relinked() -> (tempfile::TempDir, tempfile::TempDir) {
        let cache = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let (a, b, link) = (
            root.path().join("a"),
            root.path().join("b"),
            root.path().join("l"),
        );
        for d in [&a, &b] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("x.go"), "package x").unwrap();
        }
        std::os::unix::fs::symlink(&a, &link).unwrap();
        write_exports(cache.path(), "k", &Vec::new(), std::slice::from_ref(&link));
        assert!(read_exports(cache.path(), "k").is_some());
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&b, &link).unwrap();
        (cache, root)
    }

    /// A directory named through a symbolic link (the go command names
    /// them through `$PWD`) is watched as the directory it is: pointing
    /// the link elsewhere does not hide an edit of the one the answer saw.
    #[test]
    fn an_editable_directory_is_watched_as_itself_not_through_a_link() {
        let (cache, root) = kept_through_a_link_then_relinked();
        let a = root.path().join("a");
        std::fs::write(a.join("x.go"), "package y").unwrap();
        assert!(read_exports(cache.path(), "k").is_none(), "a edited");
    }

    /// A package directory that is itself a symbolic link, pointed at
    /// another directory: the answer is of the old one (the path the go
    /// command lists names the new one).
    #[test]
    fn a_linked_directory_pointed_elsewhere_is_seen() {
        let (cache, _root) = kept_through_a_link_then_relinked();
        assert!(
            read_exports(cache.path(), "k").is_none(),
            "the link points at b, the answer was of a"
        );
    }

    #[test]
    fn an_answer_is_not_kept_if_a_file_may_have_changed_while_it_was_asked() {
        let cache = tempfile::tempdir().unwrap();
        let pkg = tempfile::tempdir().unwrap();
        std::fs::write(pkg.path().join("a.go"), "package a").unwrap();
        let editable = [pkg.path().to_path_buf()];
        let now = SystemTime::now();
        let k = named("k");
        write(cache.path(), "closure", &k, &Exports::new(), &editable, now);
        assert!(read_exports(cache.path(), "k").is_none(), "saved just now");
        let later = now + TOO_RECENT + Duration::from_secs(1);
        write(
            cache.path(),
            "closure",
            &k,
            &Exports::new(),
            &editable,
            later,
        );
        assert!(read_exports(cache.path(), "k").is_some(), "settled");

        // A file the key read (go.mod) changed while the go command ran:
        // the answer may be of the new go.mod, filed under the old one.
        let m = tempfile::tempdir().unwrap();
        std::fs::write(m.path().join("go.mod"), "module x\n").unwrap();
        let k = key("p", Path::new("/nonexistent/go"), Some(m.path()));
        let asked = SystemTime::now() + TOO_RECENT + Duration::from_secs(1);
        let go_mod = std::fs::File::options()
            .write(true)
            .open(m.path().join("go.mod"))
            .unwrap();
        let kept_at = |modified: SystemTime| {
            go_mod.set_modified(modified).unwrap();
            write(
                cache.path(),
                "closure",
                &k,
                &Exports::new(),
                &editable,
                asked,
            );
            read(cache.path(), "closure", &k, exist).is_some()
        };
        assert!(!kept_at(asked), "go.mod changed");
        assert!(
            kept_at(asked - TOO_RECENT - Duration::from_secs(1)),
            "go.mod settled"
        );
    }

    #[test]
    fn the_module_cache_and_the_standard_library_are_not_editable() {
        assert!(!editable(true, "/usr/local/go/src/fmt", None));
        assert!(!editable(
            false,
            "/m/pkg/mod/x.io/y@v1.2.0/z",
            Some("v1.2.0")
        ));
        assert!(editable(false, "/home/u/app/z", Some("")));
        assert!(editable(
            false,
            "/home/u/app/vendor/x.io/y/z",
            Some("v1.2.0")
        ));
    }

    #[test]
    fn the_key_follows_the_module_graph_and_the_environment() {
        let m = tempfile::tempdir().unwrap();
        std::fs::write(m.path().join("go.mod"), "module x\n").unwrap();
        let go = Path::new("/nonexistent/go");
        let k = |p: &str| key(p, go, Some(m.path())).id;
        let a = k("p");
        assert_eq!(a, k("p"));
        assert_ne!(a, k("q"), "the per-command key");
        std::fs::write(m.path().join("go.sum"), "x v1 h1:…\n").unwrap();
        assert_ne!(a, k("p"), "go.sum");
        // A workspace: another module's go.mod decides the graph too.
        std::fs::create_dir_all(m.path().join("lib")).unwrap();
        std::fs::write(m.path().join("lib/go.mod"), "module lib\n").unwrap();
        std::fs::write(
            m.path().join("go.work"),
            "go 1.22\nuse (\n\t.\n\t./lib\n)\n",
        )
        .unwrap();
        let b = k("p");
        std::fs::write(
            m.path().join("lib/go.mod"),
            "module lib\nreplace dep => ../dep\n",
        )
        .unwrap();
        assert_ne!(b, k("p"), "a used module's go.mod");
        assert!(outside_the_key("-modfile=alt.mod") && outside_the_key("--overlay=o.json"));
        assert!(!outside_the_key("-mod=mod") && !outside_the_key("-tags=x"));
        assert!(build_variable("GOARCH") && build_variable("CGO_CFLAGS") && build_variable("CC"));
        assert!(!build_variable("PWD") && !build_variable("SHLVL"));
        assert!(
            build_variable("PATH"),
            "cgo's default follows the C compiler on PATH"
        );
        assert!(!build_variable("GOAOP_LOG") && !build_variable("GOAOP_CONFIG"));
        assert!(build_variable("GOAMD64") && build_variable("GOFLAGS"));
    }

    /// cgo's default is on when the C compiler is found on PATH: a
    /// compiler that appears (or `$GOROOT/go.env` edited) changes the key
    /// though no variable did.
    #[test]
    fn the_key_follows_the_c_compiler_and_go_env_of_goroot() {
        let m = tempfile::tempdir().unwrap();
        let go = m.path().join("goroot/bin/go");
        let cc = m.path().join("bin/gcc");
        let k = || key_of("p", Vec::new(), Vec::new(), &go, None, vec![cc.clone()]).id;
        let none = k();
        std::fs::create_dir_all(cc.parent().unwrap()).unwrap();
        std::fs::write(&cc, "").unwrap();
        let found = k();
        assert_ne!(none, found, "a C compiler appeared");
        std::fs::create_dir_all(m.path().join("goroot")).unwrap();
        std::fs::write(m.path().join("goroot/go.env"), "GOTOOLCHAIN=auto\n").unwrap();
        assert_ne!(found, k(), "$GOROOT/go.env");
        let key = key_of("p", Vec::new(), Vec::new(), &go, None, vec![cc.clone()]);
        assert!(key.files.contains(&cc), "checked when the answer is kept");
    }
}
