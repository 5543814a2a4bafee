//! Single files an answer depends on through their presence and status
//! rather than their bytes: the go command's binary, the go env files,
//! the go.mod and go.work files a directory's search would find, the C
//! compiler a PATH lookup would find. A file's status (size, inode, device,
//! modification and change times to the nanosecond, as git's index keeps
//! them) changes with any write, rename or `chmod`, and no program can set
//! a change time back; a file that is absent is watched as absent, so one
//! that appears is seen too.
//!
//! An answer watched this way is kept only if every present file was
//! [settled](super::kept::TOO_RECENT) before the answer was asked for, so
//! an edit cannot hide in the same tick of a coarse clock.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// What a file's status says about its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Stat {
    pub size: u64,
    pub ino: u64,
    pub dev: u64,
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
}

impl Stat {
    /// The status in `m`; `None` where the platform does not give change
    /// times (nothing is then kept on statuses).
    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        Some(Stat {
            size: m.size(),
            ino: m.ino(),
            dev: m.dev(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_: &std::fs::Metadata) -> Option<Stat> {
        None
    }

    /// Whether neither time is after `at` ([`since_epoch`]).
    pub fn settled(&self, at: (i64, i64)) -> bool {
        self.mtime <= at && self.ctime <= at
    }
}

/// A time as (seconds, nanoseconds) since the epoch, as [`Stat`] has it.
pub fn since_epoch(t: SystemTime) -> (i64, i64) {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() as i64, i64::from(d.subsec_nanos()))
}

/// Files and their statuses (`None`: absent) at one moment, symbolic links
/// followed.
#[derive(Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Watched {
    files: Vec<(PathBuf, Option<Stat>)>,
}

impl Watched {
    /// The statuses of `paths` now; `None` if one exists but its status
    /// cannot be had.
    pub fn take(paths: impl IntoIterator<Item = PathBuf>) -> Option<Watched> {
        let mut files = Vec::new();
        for p in paths {
            let stat = match std::fs::metadata(&p) {
                Ok(m) => Some(Stat::of(&m)?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                // A directory on the way that is not one, or one this
                // user cannot search: the lookups skip it, as the go
                // command's do.
                Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => None,
                Err(_) => return None,
            };
            files.push((p, stat));
        }
        Some(Watched { files })
    }

    /// Whether every file still has the status it had (present or absent).
    pub fn unchanged(&self) -> bool {
        let paths = self.files.iter().map(|(p, _)| p.clone());
        Watched::take(paths).as_ref() == Some(self)
    }

    /// Whether every present file's times are at or before `settled`.
    pub fn settled(&self, settled: SystemTime) -> bool {
        let at = since_epoch(settled);
        self.files
            .iter()
            .all(|(_, s)| s.as_ref().is_none_or(|s| s.settled(at)))
    }

    /// The watched files that are absent.
    pub fn absent(&self) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(p, _)| p.as_path())
    }

    /// The files of both.
    pub fn join(mut self, other: Watched) -> Watched {
        self.files.extend(other.files);
        self
    }
}

/// The paths a PATH lookup of `name` tries, in order, up to and including
/// the first that is an executable file (every one if none is): what a
/// lookup's answer depends on. A `name` with a path separator is itself.
pub fn path_lookup(name: &str) -> Vec<PathBuf> {
    if name.contains(std::path::MAIN_SEPARATOR) || name.contains('/') {
        return vec![PathBuf::from(name)];
    }
    let mut tried = Vec::new();
    let Some(path) = std::env::var_os("PATH") else {
        return tried;
    };
    for dir in std::env::split_paths(&path) {
        // An empty entry is the current directory (the go command skips
        // it since Go 1.19; watching it costs nothing).
        let candidate = if dir.as_os_str().is_empty() {
            PathBuf::from(name)
        } else {
            dir.join(name)
        };
        let found = executable(&candidate);
        tried.push(candidate);
        if found {
            break;
        }
    }
    tried
}

/// [`path_lookup`] of the program a command line such as `CC`'s
/// (`gcc -m64`, `"/opt/my cc/gcc"`) runs; nothing for an empty one.
pub fn command_lookup(command: &str) -> Vec<PathBuf> {
    let command = command.trim();
    let program = match command.chars().next() {
        Some(q @ ('\'' | '"')) => command[1..].split(q).next(),
        _ => command.split_whitespace().next(),
    };
    program
        .filter(|p| !p.is_empty())
        .map(path_lookup)
        .unwrap_or_default()
}

fn executable(p: &Path) -> bool {
    let Ok(m) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        m.is_file() && m.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        m.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_removed_or_added_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "one").unwrap();
        let w = Watched::take([a.clone(), b.clone()]).unwrap();
        assert!(w.unchanged());
        assert_eq!(w.absent().collect::<Vec<_>>(), [b.as_path()]);
        std::fs::write(&b, "").unwrap();
        assert!(!w.unchanged(), "a file appeared");
        std::fs::remove_file(&b).unwrap();
        assert!(w.unchanged());
        std::fs::write(&a, "two").unwrap();
        assert!(!w.unchanged(), "same size, rewritten");
        let w = Watched::take([a.clone()]).unwrap();
        std::fs::remove_file(&a).unwrap();
        assert!(!w.unchanged(), "removed");
    }

    #[test]
    fn only_files_settled_before_a_time_are_settled() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, "x").unwrap();
        let w = Watched::take([a, dir.path().join("absent")]).unwrap();
        assert!(w.settled(SystemTime::now() + std::time::Duration::from_secs(1)));
        assert!(!w.settled(SystemTime::now() - std::time::Duration::from_secs(60)));
    }

    #[test]
    fn a_lookup_tries_each_directory_up_to_the_first_executable() {
        let tried = path_lookup("sh");
        assert!(!tried.is_empty());
        assert!(executable(tried.last().unwrap()), "{tried:?}");
        assert!(tried[..tried.len() - 1].iter().all(|p| !executable(p)));
        assert_eq!(path_lookup("/x/cc"), [PathBuf::from("/x/cc")]);
        assert_eq!(command_lookup("'/x y/cc' -m64"), [PathBuf::from("/x y/cc")]);
        assert_eq!(command_lookup(" /x/cc -m64"), [PathBuf::from("/x/cc")]);
        assert!(command_lookup("  ").is_empty());
    }
}
