//! goaop's on-disk cache: where it lives ([`cache_dir`]), files trusted
//! only if their checksum holds ([`sealed`]), goaop's own identity (a hash
//! of its executable, in every key: [`identity`]), and answers of the go
//! command kept across builds while nothing they depend on changed
//! ([`kept`]), content-addressed woven files ([`content`]), single files
//! watched by their status ([`watched`]), and the trim that removes what
//! has not been used for days ([`trim`]). The
//! `-toolexec` backend and driver mode share them, so both trust a kept
//! answer on exactly the same terms.

pub mod content;
pub mod dirs;
pub mod identity;
pub mod kept;
pub mod sealed;
pub mod trim;
pub mod watched;

use std::path::PathBuf;

/// The user's cache directory for goaop (`$XDG_CACHE_HOME/goaop` or
/// `~/.cache/goaop`). A relative `XDG_CACHE_HOME` is ignored, as the XDG
/// Base Directory spec says (tool calls run in each package's directory:
/// it would scatter caches through the module).
pub fn cache_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })?;
    Some(base.join("goaop"))
}

/// Whether `check` holds for every item, on up to 4 threads when there are
/// more than `per_thread` items (a no-op build checks hundreds of
/// directories and megabytes of woven files); the threads stop at the
/// first failure.
pub fn all_in_parallel<T: Sync>(
    items: &[T],
    per_thread: usize,
    check: impl Fn(&T) -> bool + Sync,
) -> bool {
    use std::sync::atomic::{AtomicBool, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(items.len().div_ceil(per_thread.max(1)));
    if threads <= 1 {
        return items.iter().all(check);
    }
    let failed = AtomicBool::new(false);
    let size = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for chunk in items.chunks(size) {
            let (failed, check) = (&failed, &check);
            scope.spawn(move || {
                for item in chunk {
                    if failed.load(Ordering::Relaxed) {
                        return;
                    }
                    if !check(item) {
                        failed.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    !failed.into_inner()
}
