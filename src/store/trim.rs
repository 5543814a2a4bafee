//! Keeping the cache directory bounded, the way cmd/go keeps its build
//! cache: an entry is marked used by moving its modification time forward
//! (at most once an hour, so a hot entry costs one `futimens` an hour, not
//! one a read), and entries unused for [`UNUSED`] are removed by [`trim`],
//! which does its walk at most once per [`TRIM_EVERY`] (the time of the
//! last walk is in `trim.txt`).
//!
//! Every entry is optional: a removed rule set, closure, kept listing or
//! identity is rebuilt on the next miss, at the cost of time only. The one
//! kind a build depends on while it runs, the woven files driver mode
//! hands the go command ([`super::content`]), is marked used before the go
//! command starts, so it is at most [`TOUCH_AFTER`] old while any build
//! reads it, far from [`UNUSED`].

use std::fs::{File, Metadata};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Entries unused this long are removed (cmd/go: 5 days).
pub const UNUSED: Duration = Duration::from_secs(5 * 24 * 3600);
/// An entry's time is moved forward on use once it is this old.
pub const TOUCH_AFTER: Duration = Duration::from_secs(3600);
/// The walk runs at most this often.
pub const TRIM_EVERY: Duration = Duration::from_secs(24 * 3600);

/// The subdirectory of content-addressed entries, one directory each.
pub const CONTENT: &str = "content";
/// The file holding the time of the last walk (seconds since the epoch).
const MARKER: &str = "trim.txt";

fn age(now: SystemTime, t: SystemTime) -> Duration {
    now.duration_since(t).unwrap_or_default()
}

/// Mark an open cache file used, given its metadata (errors ignored: a
/// file not marked is only removed earlier, and rebuilt).
pub fn used(file: &File, meta: &Metadata) {
    let now = SystemTime::now();
    if meta.modified().is_ok_and(|t| age(now, t) > TOUCH_AFTER) {
        let _ = file.set_modified(now);
    }
}

/// Mark the cache file at `path` used (see [`used`]).
pub fn used_path(path: &Path) {
    if let Ok(f) = File::open(path)
        && let Ok(meta) = f.metadata()
    {
        used(&f, &meta);
    }
}

/// Remove the entries of the cache directory `dir` unused since
/// `now - UNUSED`, unless the last walk was less than [`TRIM_EVERY`] ago.
/// Returns how many entries were removed. Errors are ignored: trimming
/// only saves space.
pub fn trim(dir: &Path, now: SystemTime) -> usize {
    let marker = dir.join(MARKER);
    let last = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s));
    if last.is_some_and(|t| age(now, t) < TRIM_EVERY) {
        return 0;
    }
    // Written first: two builds starting together walk once.
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if crate::project::write_atomically(&marker, secs.to_string().as_bytes()).is_err() {
        return 0;
    }
    let stale = |meta: &Metadata| meta.modified().is_ok_and(|t| age(now, t) > UNUSED);
    let mut removed = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_file() && e.file_name() != MARKER && stale(&meta) {
            removed += usize::from(std::fs::remove_file(e.path()).is_ok());
        }
    }
    // A content entry is a directory of files marked used one by one: it
    // is stale when all of them are.
    for e in std::fs::read_dir(dir.join(CONTENT))
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = e.path();
        let all_stale = std::fs::read_dir(&path).is_ok_and(|files| {
            files
                .flatten()
                .all(|f| f.metadata().is_ok_and(|m| stale(&m)))
        });
        if all_stale && e.metadata().is_ok_and(|m| stale(&m)) {
            removed += usize::from(std::fs::remove_dir_all(&path).is_ok());
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_age(path: &Path, now: SystemTime, age: Duration) {
        File::options()
            .write(true)
            .open(path)
            .or_else(|_| File::open(path))
            .unwrap()
            .set_modified(now - age)
            .unwrap();
    }

    #[test]
    fn trims_what_was_unused_for_five_days_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let now = SystemTime::now();
        let day = Duration::from_secs(24 * 3600);
        for (name, days) in [("rules-old.bin", 6), ("rules-new.bin", 4)] {
            std::fs::write(d.join(name), b"x").unwrap();
            set_age(&d.join(name), now, day * days);
        }
        for (entry, days) in [("old", 6), ("new", 6), ("mixed", 6)] {
            let e = d.join(CONTENT).join(entry);
            std::fs::create_dir_all(&e).unwrap();
            std::fs::write(e.join("a.go"), b"package a").unwrap();
            std::fs::write(e.join("b.go"), b"package a").unwrap();
            set_age(&e.join("a.go"), now, day * days);
            let b_days = if entry == "mixed" { 1 } else { days };
            set_age(&e.join("b.go"), now, day * b_days);
            set_age(&e, now, day * days);
        }
        set_age(&d.join(CONTENT).join("new"), now, day);

        assert_eq!(trim(d, now), 2, "rules-old.bin and content/old");
        assert!(!d.join("rules-old.bin").exists());
        assert!(d.join("rules-new.bin").exists());
        assert!(!d.join(CONTENT).join("old").exists());
        assert!(
            d.join(CONTENT).join("new").exists(),
            "a directory made a day ago (a file being written)"
        );
        assert!(d.join(CONTENT).join("mixed/a.go").exists(), "b.go is used");

        set_age(&d.join("rules-new.bin"), now, day * 9);
        assert_eq!(trim(d, now + day / 2), 0, "the walk ran half a day ago");
        assert!(d.join("rules-new.bin").exists());
        assert_eq!(trim(d, now + day * 2), 1, "the next day's walk");
        assert!(!d.join("rules-new.bin").exists());
        assert!(d.join(MARKER).exists(), "the marker is never trimmed");
    }

    #[test]
    fn use_moves_an_old_entry_forward_and_leaves_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("closure-k.bin");
        std::fs::write(&path, b"x").unwrap();
        let now = SystemTime::now();
        set_age(&path, now, Duration::from_secs(600));
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        used_path(&path);
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before,
            "ten minutes old: not written"
        );
        set_age(&path, now, UNUSED * 2);
        used_path(&path);
        let after = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert!(age(SystemTime::now(), after) < TOUCH_AFTER);
        assert_eq!(trim(dir.path(), SystemTime::now()), 0);
        assert!(path.exists());
    }
}
