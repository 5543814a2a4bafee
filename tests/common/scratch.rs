//! Scratch directories under the system temp dir that go away with the
//! test: `goaop-<name>-<pid>`, emptied when made, removed when the guard
//! is dropped. A failing test keeps its directory (the guard is dropped
//! while the test panics) and says where it is, for a look.

use std::path::{Path, PathBuf};

/// A scratch directory, removed on drop unless the test is failing.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// `<temp dir>/goaop-<name>-<pid>`, fresh and empty.
    pub fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("goaop-{name}-{}", std::process::id()));
        remove(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for a look: {}", self.path.display());
        } else {
            remove(&self.path);
        }
    }
}

/// Remove `dir` and everything in it, read-only files of a Go module cache
/// included.
fn remove(dir: &Path) {
    if std::fs::remove_dir_all(dir).is_err() {
        super::gobuild::make_writable(dir);
        let _ = std::fs::remove_dir_all(dir);
    }
}
