//! Content-addressed files in the cache directory: `content/<hash>/<name>`,
//! where the hash covers the name and the bytes. Driver mode puts the woven
//! files and the overlay file here, so a rebuild whose woven text did not
//! change writes nothing (one `statx` per file, no directory made or
//! removed), and the go command finds the same paths as last time.
//!
//! The file keeps its own name in a directory of its own: the go command
//! and cgo derive names from an overlaid file's base name.
//!
//! A file is written atomically (a temporary file renamed into place), so
//! a path that exists holds the whole text. An entry is trusted only while
//! its bytes still hash to its directory's name: the go command reads the
//! entries a kept build hands it without goaop reading them again, and a
//! woven file's path is shown (`-work`, an editor following an error), so
//! one edited in place must not reach a build (~1 ms per 2.4 MB, Caddy's
//! 224 woven files). Entries are marked used each time they are handed
//! out, and [`super::trim`] removes those unused for days.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::trim;

/// The content-addressed part of a cache directory.
#[derive(Clone, Debug)]
pub struct Content {
    dir: PathBuf,
}

impl Content {
    /// The content store of the cache directory `cache`.
    pub fn new(cache: &Path) -> Content {
        Content {
            dir: cache.join(trim::CONTENT),
        }
    }

    /// The path holding `bytes` under the file name `name`, written if no
    /// entry has it yet.
    pub fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(std::io::Error::other(format!(
                "{name:?} is not a file name"
            )));
        }
        let path = self.dir.join(address(name, bytes)).join(name);
        if !self.holds(&path, bytes.len() as u64) {
            crate::project::write_atomically(&path, bytes)?;
        }
        Ok(path)
    }

    /// Whether `path`, an entry [`Content::put`] returned, is still there
    /// with `len` bytes that hash to its address (then it is marked used).
    pub fn holds(&self, path: &Path, len: u64) -> bool {
        if !path.starts_with(&self.dir) {
            return false;
        }
        let (Some(name), Some(address_now)) = (
            path.file_name().and_then(|n| n.to_str()),
            path.parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str()),
        ) else {
            return false;
        };
        let Ok(mut f) = std::fs::File::open(path) else {
            return false;
        };
        let meta = match f.metadata() {
            Ok(meta) if meta.is_file() && meta.len() == len => meta,
            _ => return false,
        };
        let mut bytes = Vec::with_capacity(len as usize);
        if f.read_to_end(&mut bytes).is_err() || address(name, &bytes) != address_now {
            return false;
        }
        trim::used(&f, &meta);
        true
    }
}

impl Content {
    /// Whether every one of `files` ([`Content::holds`]), checked on a few
    /// threads when there are many (a large build hands over megabytes).
    pub fn holds_all(&self, files: &[(PathBuf, u64)]) -> bool {
        super::all_in_parallel(files, 32, |(f, len)| self.holds(f, *len))
    }
}

/// The directory name of `bytes` named `name`: a hash of both.
fn address(name: &str, bytes: &[u8]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(&(name.len() as u64).to_le_bytes());
    h.update(name.as_bytes());
    h.update(bytes);
    h.finalize().to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_path_written_once_and_damage_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Content::new(dir.path());
        let a = store.put("main.go", b"package main\n").unwrap();
        assert_eq!(a.file_name().unwrap(), "main.go");
        assert_eq!(std::fs::read(&a).unwrap(), b"package main\n");
        let modified = std::fs::metadata(&a).unwrap().modified().unwrap();
        assert_eq!(store.put("main.go", b"package main\n").unwrap(), a);
        assert_eq!(
            std::fs::metadata(&a).unwrap().modified().unwrap(),
            modified,
            "not written again"
        );
        let b = store.put("main.go", b"package main // v2\n").unwrap();
        let c = store.put("util.go", b"package main\n").unwrap();
        assert!(a != b && a != c && b != c, "{a:?} {b:?} {c:?}");

        std::fs::write(&a, b"package mine\n").unwrap();
        assert!(!store.holds(&a, 13), "edited in place, same size");
        assert_eq!(store.put("main.go", b"package main\n").unwrap(), a);
        assert_eq!(std::fs::read(&a).unwrap(), b"package main\n", "rewritten");
        assert!(store.holds(&a, 13));
        let many: Vec<(PathBuf, u64)> = (0..100)
            .map(|i| {
                let text = format!("package p{i}\n");
                (
                    store.put("p.go", text.as_bytes()).unwrap(),
                    text.len() as u64,
                )
            })
            .collect();
        assert!(store.holds_all(&many));
        std::fs::write(&many[77].0, b"package q77\n").unwrap();
        assert!(!store.holds_all(&many), "one of many edited");
        std::fs::write(&a, b"package").unwrap();
        assert_eq!(store.put("main.go", b"package main\n").unwrap(), a);
        assert_eq!(std::fs::read(&a).unwrap(), b"package main\n", "truncated");
        std::fs::remove_dir_all(a.parent().unwrap()).unwrap();
        store.put("main.go", b"package main\n").unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"package main\n", "removed");

        for bad in ["", ".", "..", "a/b.go"] {
            assert!(store.put(bad, b"x").is_err(), "{bad:?}");
        }
    }
}
