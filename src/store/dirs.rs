//! Fingerprints of the editable directories a kept answer depends on
//! ([`super::kept`]): the directories of packages that can change without
//! go.mod, go.sum or the toolchain changing, checked on every use of the
//! answer, and the trees a `./...` pattern walks.
//!
//! A directory's fingerprint is a hash of its files (names and bytes;
//! symbolic links to files are read, as the go command reads them). Reading
//! every file of a big module on every build costs milliseconds, so each
//! file's status is recorded too (size, inode, modification and change
//! times, to the nanosecond), as git's index does: a directory whose files
//! all have their recorded status is unchanged without being read. Any
//! write to a file moves its change time, which no program can set back;
//! so that an edit cannot hide in the same tick of a coarse clock as the
//! recorded status, a status is recorded only when the file's times are
//! [settled](super::kept::TOO_RECENT) before the answer was asked for.
//! Otherwise (a status differs, or none was recorded) the bytes are hashed
//! and compared, so a `touch` alone costs one read, never a wrong answer.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::watched::{Stat, since_epoch};

/// An editable directory as an answer saw it.
#[derive(Debug, Deserialize, Serialize)]
pub struct Dir {
    path: PathBuf,
    /// [`dir_hash`] when the answer was kept.
    hash: String,
    /// Every file's status then, by name; `None` if one was not settled
    /// (the directory is then hashed on every check).
    files: Option<Vec<Status>>,
}

/// A file's [status](Stat), by name.
#[derive(Debug, PartialEq, Eq, Deserialize, Serialize)]
struct Status {
    name: String,
    #[serde(flatten)]
    stat: Stat,
}

impl Dir {
    /// The fingerprint of `path`; `None` if it cannot be read, or if it or
    /// a file in it changed after `settled` (modified, or its status
    /// changed: a `touch -d` that puts an old modification time back still
    /// moves the change time; a file removed, added or renamed in or out
    /// moves the directory's). The bytes hashed may then not be the bytes
    /// the answer saw: an answer is recorded only from settled directories.
    /// The statuses are taken after the bytes are hashed, so a write during
    /// the hashing is seen too.
    pub fn record(path: &Path, settled: SystemTime) -> Option<Dir> {
        let hash = hash_dir(path, Some(settled))?;
        let statuses = statuses(path);
        let settled_ns = since_epoch(settled);
        if statuses
            .as_ref()
            .is_some_and(|all| all.iter().any(|s| !s.settled(settled_ns)))
            || changed_after(path, settled)
        {
            return None;
        }
        Some(Dir {
            path: path.to_path_buf(),
            hash,
            files: statuses,
        })
    }

    /// Whether the directory still has the files (names and bytes) it had.
    pub fn unchanged(&self) -> bool {
        if let Some(recorded) = &self.files
            && statuses(&self.path).as_ref() == Some(recorded)
        {
            return true;
        }
        dir_hash(&self.path).as_deref() == Some(self.hash.as_str())
    }
}

/// Whether every one of `dirs` is [unchanged](Dir::unchanged), checked on
/// a few threads when there are many (a build's listings name hundreds of
/// directories, the standard library's included: their statuses are most
/// of a no-op build's own cost).
pub fn all_unchanged(dirs: &[Dir]) -> bool {
    super::all_in_parallel(dirs, 64, Dir::unchanged)
}

/// Whether `path` (a file or a directory, symbolic links followed) was
/// modified or had its status changed after `settled`; `false` if it does
/// not exist.
pub fn changed_after(path: &Path, settled: SystemTime) -> bool {
    let Ok(m) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let at = since_epoch(settled);
        (m.mtime(), m.mtime_nsec()) > at || (m.ctime(), m.ctime_nsec()) > at
    }
    #[cfg(not(unix))]
    {
        m.modified().is_ok_and(|t| t > settled)
    }
}

impl Status {
    fn settled(&self, at: (i64, i64)) -> bool {
        self.stat.settled(at)
    }
}

/// The status of a file (symbolic links followed), named `name`.
fn status(name: &std::ffi::OsStr, m: &std::fs::Metadata) -> Option<Status> {
    Some(Status {
        name: name.to_str()?.to_string(),
        stat: Stat::of(m)?,
    })
}

/// The statuses of a directory's files (and symbolic links to files,
/// followed), by name; `None` if one cannot be had. A regular file's is
/// read relative to the open directory (no path walk per file).
fn statuses(dir: &Path) -> Option<Vec<Status>> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).ok()? {
        let e = e.ok()?;
        let t = e.file_type().ok()?;
        let m = if t.is_symlink() {
            match std::fs::metadata(e.path()) {
                Ok(m) if m.is_file() => m,
                _ => continue,
            }
        } else if t.is_file() {
            e.metadata().ok()?
        } else {
            continue;
        };
        all.push(status(&e.file_name(), &m)?);
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Some(all)
}

/// The files of a directory (and symbolic links to files), by name.
fn files(dir: &Path) -> Option<Vec<(OsString, PathBuf)>> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).ok()? {
        let e = e.ok()?;
        let file = match e.file_type().ok()? {
            t if t.is_symlink() => std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()),
            t => t.is_file(),
        };
        if file {
            files.push((e.file_name(), e.path()));
        }
    }
    files.sort();
    Some(files)
}

/// A hash of a directory's files (names and bytes, sorted by name;
/// symbolic links to files are read, as the go command reads them), `None`
/// if it cannot be read.
pub fn dir_hash(dir: &Path) -> Option<String> {
    hash_dir(dir, None)
}

/// [`dir_hash`], or `None` if a file changed after `settled`.
fn hash_dir(dir: &Path, settled: Option<SystemTime>) -> Option<String> {
    let mut h = blake3::Hasher::new();
    for (name, path) in files(dir)? {
        frame_file(&mut h, name.as_encoded_bytes(), &path, settled)?;
    }
    Some(h.finalize().to_hex().to_string())
}

/// Hash `name` and the bytes of `path` into `h`; `None` if unreadable or
/// changed after `settled`.
fn frame_file(
    h: &mut blake3::Hasher,
    name: &[u8],
    path: &Path,
    settled: Option<SystemTime>,
) -> Option<()> {
    let mut f = std::fs::File::open(path).ok()?;
    if let Some(settled) = settled {
        let modified = f.metadata().and_then(|m| m.modified()).ok()?;
        if modified > settled {
            return None;
        }
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut f, &mut bytes).ok()?;
    for part in [name, &bytes] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    Some(())
}

/// A hash of every `.go` file under `root` (relative names and bytes), in
/// the directories a `root/...` pattern walks: not those whose names start
/// with `.` or `_`, nor `testdata`, `vendor` or another module (a `go.mod`
/// of their own). Symbolic links to directories are followed once. `None`
/// if something cannot be read. Part of a key, it is computed before the go
/// command runs: a new package under the pattern, or a new file in a
/// directory that had none, changes it.
///
/// The files' statuses and the hash are kept in the cache directory
/// `cache` (`tree-<root>.bin`), so a walk whose files all have the kept
/// statuses reads none of them (the same rule as [`Dir`]).
pub fn tree_hash(root: &Path, cache: Option<&Path>) -> Option<(String, Vec<PathBuf>)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    walk(root, root, &mut seen, &mut found)?;
    let paths: Vec<PathBuf> = found.iter().map(|(_, p)| p.clone()).collect();
    let statuses: Option<Vec<Status>> = found
        .iter()
        .map(|(rel, p)| status(rel, &std::fs::metadata(p).ok()?))
        .collect();
    let name = root.as_os_str().as_encoded_bytes();
    let kept = cache.map(|c| {
        let id = blake3::hash(name).to_hex();
        c.join(format!("{TREE}-{}.bin", &id[..32]))
    });
    let key = String::from_utf8_lossy(name);
    if let (Some(file), Some(now)) = (&kept, &statuses)
        && let Some(bytes) = super::sealed::read(file, TREE, &key)
        && let Ok(tree) = serde_json::from_slice::<Tree>(&bytes)
        && tree.files == *now
    {
        return Some((tree.hash, paths));
    }
    let mut h = blake3::Hasher::new();
    for (rel, path) in &found {
        frame_file(&mut h, rel.as_encoded_bytes(), path, None)?;
    }
    let hash = h.finalize().to_hex().to_string();
    let settled = since_epoch(
        SystemTime::now()
            .checked_sub(super::kept::TOO_RECENT)
            .unwrap_or(SystemTime::UNIX_EPOCH),
    );
    if let (Some(file), Some(files)) = (kept, statuses)
        && files.iter().all(|s| s.settled(settled))
    {
        let tree = Tree {
            files,
            hash: hash.clone(),
        };
        if let Ok(json) = serde_json::to_vec(&tree) {
            super::sealed::write(&file, TREE, &key, &json);
        }
    }
    Some((hash, paths))
}

const TREE: &str = "tree";

/// A tree's files (statuses named by relative path) and their hash.
#[derive(Deserialize, Serialize)]
struct Tree {
    files: Vec<Status>,
    hash: String,
}

/// The `.go` files under `dir` that a `root/...` walk reaches, in order,
/// with their paths relative to `root`.
fn walk(
    root: &Path,
    dir: &Path,
    seen: &mut std::collections::BTreeSet<PathBuf>,
    files: &mut Vec<(OsString, PathBuf)>,
) -> Option<()> {
    if !seen.insert(std::fs::canonicalize(dir).ok()?) {
        return Some(());
    }
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let path = e.path();
        let meta = std::fs::metadata(&path).ok();
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        let n = name.to_string_lossy();
        if is_dir {
            let skipped = n.starts_with('.')
                || n.starts_with('_')
                || n == "testdata"
                || n == "vendor"
                || path.join("go.mod").exists();
            if !skipped {
                walk(root, &path, seen, files)?;
            }
        } else if n.ends_with(".go") && meta.is_some_and(|m| m.is_file()) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .as_os_str()
                .to_owned();
            files.push((rel, path));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn symbolic_links_to_files_are_hashed_through() {
        let pkg = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let target = elsewhere.path().join("real.go");
        std::fs::write(&target, "package a").unwrap();
        std::os::unix::fs::symlink(&target, pkg.path().join("a.go")).unwrap();
        let before = dir_hash(pkg.path());
        std::fs::write(&target, "package a // edited").unwrap();
        assert_ne!(before, dir_hash(pkg.path()));
    }

    #[test]
    fn a_tree_hash_sees_new_packages_and_skips_what_go_skips() {
        let m = tempfile::tempdir().unwrap();
        let put = |rel: &str, text: &str| {
            let p = m.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        put("a/a.go", "package a");
        put("a/README", "docs");
        let h = tree_hash(m.path(), None).map(|t| t.0);
        put("a/README", "more docs");
        put("a/testdata/x.go", "package x");
        put("_tmp/x.go", "package x");
        put(".git/x.go", "package x");
        put("vendor/v/v.go", "package v");
        put("nested/go.mod", "module nested");
        put("nested/n.go", "package n");
        std::fs::create_dir_all(m.path().join("empty/dir")).unwrap();
        assert_eq!(
            h,
            tree_hash(m.path(), None).map(|t| t.0),
            "nothing go walks changed"
        );
        put("empty/dir/n.go", "package n");
        let h2 = tree_hash(m.path(), None).map(|t| t.0);
        assert_ne!(h, h2, "a new package");
        put("empty/dir/n.go", "//go:build ignore\n\npackage n");
        assert_ne!(h2, tree_hash(m.path(), None).map(|t| t.0), "an edited file");
    }

    #[test]
    fn a_recorded_status_spares_the_read_and_any_write_is_seen() {
        let pkg = tempfile::tempdir().unwrap();
        let a = pkg.path().join("a.go");
        std::fs::write(&a, "package a").unwrap();
        let later = SystemTime::now() + Duration::from_secs(60);
        let d = Dir::record(pkg.path(), later).unwrap();
        assert!(d.files.is_some(), "settled: statuses recorded");
        assert!(d.unchanged());
        let bogus = Dir {
            hash: "not read".into(),
            ..Dir::record(pkg.path(), later).unwrap()
        };
        assert!(bogus.unchanged(), "decided by the statuses, no file read");

        // The same bytes with another status: hashed, still unchanged.
        std::fs::write(&a, "package a").unwrap();
        assert!(d.unchanged(), "rewritten with the same bytes");
        // Other bytes of the same size, with the old modification time
        // put back: the change time still moved.
        let old = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::fs::write(&a, "package b").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(!d.unchanged(), "edited, mtime restored");
        std::fs::write(&a, "package a").unwrap();
        assert!(d.unchanged());
        std::fs::write(pkg.path().join("b.go"), "package a").unwrap();
        assert!(!d.unchanged(), "a new file");
        std::fs::remove_file(pkg.path().join("b.go")).unwrap();

        // Not settled when recorded: no statuses, always hashed.
        let d = Dir::record(pkg.path(), SystemTime::now() - Duration::from_secs(5));
        assert!(d.is_none(), "modified after `settled`: not recorded at all");
    }

    /// Age a path's modification time by an hour (its change time moves
    /// to now, as `touch -d` does).
    fn backdate(p: &Path) {
        let hour = Duration::from_secs(3600);
        std::fs::File::open(p)
            .unwrap()
            .set_modified(SystemTime::now() - hour)
            .unwrap();
    }

    /// What an answer saw can change while it is computed: a file edited
    /// (its old modification time put back), removed, or moved in from
    /// elsewhere with an old one. Recorded afterwards, the directory would
    /// say the answer saw bytes it did not: none of these is recorded.
    #[test]
    fn a_directory_changed_while_an_answer_was_computed_is_not_recorded() {
        let pkg = tempfile::tempdir().unwrap();
        let a = pkg.path().join("a.go");
        let b = pkg.path().join("b.go");
        std::fs::write(&a, "package a").unwrap();
        std::fs::write(&b, "package a").unwrap();
        backdate(&a);
        backdate(&b);
        backdate(pkg.path());
        std::thread::sleep(Duration::from_millis(50));
        let asked = SystemTime::now();
        std::thread::sleep(Duration::from_millis(50));
        // Settled before `asked`: recorded, statuses and all.
        let d = Dir::record(pkg.path(), asked).expect("settled");
        assert!(d.files.is_some());

        // Edited after `asked`, modification time put back.
        std::fs::write(&a, "package b").unwrap();
        backdate(&a);
        assert!(
            Dir::record(pkg.path(), asked).is_none(),
            "edited, mtime restored"
        );
        let later = SystemTime::now();
        std::thread::sleep(Duration::from_millis(50));
        assert!(Dir::record(pkg.path(), later).is_some());

        // Removed after `asked`.
        std::fs::remove_file(&b).unwrap();
        assert!(Dir::record(pkg.path(), later).is_none(), "a file removed");

        // Moved in after `asked`, with an old modification time.
        let elsewhere = tempfile::tempdir().unwrap();
        let c = elsewhere.path().join("c.go");
        std::fs::write(&c, "package a").unwrap();
        backdate(&c);
        backdate(pkg.path());
        std::thread::sleep(Duration::from_millis(50));
        let later = SystemTime::now();
        std::thread::sleep(Duration::from_millis(50));
        assert!(Dir::record(pkg.path(), later).is_some());
        std::fs::rename(&c, pkg.path().join("c.go")).unwrap();
        assert!(Dir::record(pkg.path(), later).is_none(), "a file moved in");
    }

    #[test]
    fn a_kept_tree_hash_is_the_hash_of_the_bytes() {
        let m = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let a = m.path().join("a/a.go");
        std::fs::create_dir_all(a.parent().unwrap()).unwrap();
        std::fs::write(&a, "package a").unwrap();
        let hour = Duration::from_secs(3600);
        let settle = |p: &Path| {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(SystemTime::now() - hour)
                .unwrap()
        };
        settle(&a);
        // Statuses are kept only once their change times settle.
        std::thread::sleep(super::super::kept::TOO_RECENT + Duration::from_millis(100));
        let plain = |_: ()| tree_hash(m.path(), None).unwrap().0;
        let kept = |_: ()| tree_hash(m.path(), Some(cache.path())).unwrap().0;
        assert_eq!(kept(()), plain(()));
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1, "kept");
        assert_eq!(kept(()), plain(()), "from the kept statuses");
        // Proof that they spare the reads: a kept hash is taken as is.
        let file = std::fs::read_dir(cache.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let key = m.path().to_string_lossy().into_owned();
        let mut tree: Tree =
            serde_json::from_slice(&crate::store::sealed::read(&file, TREE, &key).unwrap())
                .unwrap();
        tree.hash = "bogus".into();
        crate::store::sealed::write(&file, TREE, &key, &serde_json::to_vec(&tree).unwrap());
        assert_eq!(kept(()), "bogus");
        std::fs::write(&a, "package b").unwrap();
        settle(&a);
        assert_eq!(
            kept(()),
            plain(()),
            "same size, mtime restored: ctime moved"
        );
        std::fs::write(m.path().join("a/b.go"), "package a").unwrap();
        assert_eq!(kept(()), plain(()), "a new file");
    }
}
