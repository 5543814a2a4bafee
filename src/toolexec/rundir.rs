//! The run directory of one go command: `<cache dir>/runs/<boot id>-<pid>-
//! <start time>` of the parent go command, where the calls of one build
//! share what they worked out once ([`super::pin`], the closure listings
//! of [`super::deps`] and [`super::sources`]). A name unique across the
//! process's lifetime and reboots, so a reused pid never sees another
//! build's answers. Directories of finished builds are removed after a
//! day, checked at most once an hour.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::cache;

/// Run directories older than this are removed when a new one is made.
const RUN_DIR_AGE: Duration = Duration::from_secs(24 * 3600);

/// `<cache dir>/runs/<boot id>-<pid>-<start time>` of the parent go
/// command (Linux; `None` elsewhere or without a cache dir).
pub fn run_dir() -> Option<PathBuf> {
    let dir = run_dir_path()?;
    if !dir.is_dir() && std::fs::create_dir_all(&dir).is_ok() {
        prune_now(dir.parent()?, &dir);
    }
    Some(dir)
}

/// How often [`prune`] walks the run directories: each go command's
/// first call makes its own, and listing a day's worth of them (a
/// directory per build) on every build costs more than the build itself
/// when nothing is to be done.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// [`prune`], at most once per [`PRUNE_EVERY`] (stamped by `runs/.pruned`).
fn prune_now(runs: &Path, keep: &Path) {
    let stamp = runs.join(".pruned");
    let age = std::fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    let due = age.is_none_or(|age| age > PRUNE_EVERY);
    if due && std::fs::write(&stamp, b"").is_ok() {
        prune(runs, keep);
    }
}

/// [`run_dir`]'s path, without making it.
pub fn run_dir_path() -> Option<PathBuf> {
    Some(cache::cache_dir()?.join("runs").join(go_process_id()?))
}

/// Remove the run directories of go commands long finished.
fn prune(runs: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > RUN_DIR_AGE);
        if old && e.path() != keep {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A name for the parent process unique across its lifetime and reboots.
fn go_process_id() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let ppid = std::os::unix::process::parent_id();
        let stat = read_small(&format!("/proc/{ppid}/stat"))?;
        let start = start_time(&stat)?;
        let boot = read_small("/proc/sys/kernel/random/boot_id")?;
        let boot: String = boot.trim().chars().filter(|c| *c != '-').collect();
        Some(format!("{boot}-{ppid}-{start}"))
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// A small `/proc` file, whole, in a buffer big enough for it: one `read`
/// for the bytes and one that finds the end, where `read_to_string` reads
/// a file of unknown size in growing pieces, half a dozen system calls
/// more on every tool call. Whole, not a line: the go command's name in
/// `stat` may hold a newline (it is the name go was started under).
#[cfg(target_os = "linux")]
fn read_small(path: &str) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let (mut buf, mut chunk) = (Vec::new(), [0; 1024]);
    loop {
        match f.read(&mut chunk).ok()? {
            0 => return String::from_utf8(buf).ok(),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Field 22 of a `/proc/<pid>/stat`, the start time; fields count from
/// after the `(comm)`, whose last `)` ends it whatever the name holds.
#[cfg(target_os = "linux")]
fn start_time(stat: &str) -> Option<&str> {
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aged(dir: &Path, ago: Duration) {
        std::fs::create_dir_all(dir).unwrap();
        let f = std::fs::File::open(dir).unwrap();
        f.set_modified(SystemTime::now() - ago).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn proc_files_are_read_whole() {
        let me = std::process::id();
        let stat = read_small(&format!("/proc/{me}/stat")).unwrap();
        assert!(
            stat.starts_with(&format!("{me} (")) && stat.ends_with('\n'),
            "{stat}"
        );
        assert!(
            start_time(&stat).is_some_and(|t| t.parse::<u64>().is_ok()),
            "{stat}"
        );
        let boot = read_small("/proc/sys/kernel/random/boot_id").unwrap();
        assert_eq!(boot.trim().len(), 36, "{boot}");
        let maps = read_small("/proc/self/maps").unwrap();
        assert!(maps.len() > 1024 && maps.lines().count() > 10, "{maps}");
        assert_eq!(read_small("/proc/no-such-file"), None);
    }

    /// A go command started under a name with a newline and a `)` still
    /// has its start time found (else no run directory, no pin, and an
    /// aspect edit during its build would reach half of it).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_name_with_a_newline_and_a_parenthesis_keeps_the_start_time() {
        let dir = tempfile::tempdir().unwrap();
        let name = "g\n) o";
        let link = dir.path().join(name);
        std::os::unix::fs::symlink("/bin/sleep", &link).unwrap();
        let mut child = std::process::Command::new(&link).arg("5").spawn().unwrap();
        let stat = read_small(&format!("/proc/{}/stat", child.id())).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(stat.contains(&format!("({name})")), "{stat:?}");
        assert!(
            start_time(&stat).is_some_and(|t| t.parse::<u64>().is_ok()),
            "{stat:?}"
        );
    }

    #[test]
    fn old_run_directories_go_at_most_once_an_hour() {
        let runs = tempfile::tempdir().unwrap();
        let keep = runs.path().join("mine");
        std::fs::create_dir(&keep).unwrap();
        let day_old = RUN_DIR_AGE + Duration::from_secs(60);
        aged(&runs.path().join("old"), day_old);
        aged(&runs.path().join("recent"), Duration::from_secs(60));
        prune_now(runs.path(), &keep);
        assert!(!runs.path().join("old").exists(), "a day-old one goes");
        assert!(runs.path().join("recent").exists());
        assert!(keep.exists());

        aged(&runs.path().join("old2"), day_old);
        prune_now(runs.path(), &keep);
        assert!(
            runs.path().join("old2").exists(),
            "not walked again within the hour"
        );
        let stamp = std::fs::File::options()
            .write(true)
            .open(runs.path().join(".pruned"))
            .unwrap();
        stamp
            .set_modified(SystemTime::now() - PRUNE_EVERY - Duration::from_secs(1))
            .unwrap();
        prune_now(runs.path(), &keep);
        assert!(!runs.path().join("old2").exists(), "walked again after it");
    }
}
