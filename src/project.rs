//! Finding the user's Go module and its aspect files, and reading them.
//!
//! `goaop check` with no arguments, `goaop plan` and the toolexec backend all
//! start from a directory and need the same answers: where the main module
//! is, what its path is, and which aspect files it declares.
//!
//! Input files are read with [`read_capped`]: only regular files (never a
//! FIFO, which would block, or a device such as `/dev/zero`, which never
//! ends), and never more than a cap, so reading costs bounded time and
//! memory whatever the path names.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest go.mod read when looking for the module (go.mod files are small;
/// this only bounds what a hostile one can cost).
const MAX_GOMOD_BYTES: u64 = 16 << 20;

/// Why [`read_capped`] did not return a file's bytes.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: what it is instead ("a directory", "a FIFO", ...).
    NotAFile(&'static str),
    /// Larger than the cap: the size found (at least cap + 1).
    TooLarge(u64),
    Io(std::io::Error),
}

/// Read a regular file of at most `cap` bytes. The type and size are checked
/// before the file is opened (opening a FIFO blocks) and again on the open
/// file, and at most `cap + 1` bytes are ever read.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(ReadError::NotAFile(kind(&meta.file_type())));
        }
        if meta.len() > cap {
            return Err(ReadError::TooLarge(meta.len()));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(ReadError::Io)?)?;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    check(&file.metadata().map_err(ReadError::Io)?)?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// File names looked for at the module root, in this order.
pub const ASPECT_FILE_NAMES: &[&str] = &["aspects.yaml", "aspects.yml"];

/// The main Go module of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub root: PathBuf,
    /// The `module` path of go.mod.
    pub path: String,
}

/// Find the Go module containing `dir` (the nearest go.mod upwards).
pub fn find_module(dir: &Path) -> Option<Module> {
    let mut at = Some(dir);
    while let Some(d) = at {
        let gomod = d.join("go.mod");
        if let Ok(bytes) = read_capped(&gomod, MAX_GOMOD_BYTES) {
            let path = module_path(&String::from_utf8_lossy(&bytes))?;
            return Some(Module {
                root: d.to_path_buf(),
                path,
            });
        }
        at = d.parent();
    }
    None
}

/// The module path declared by a go.mod text.
pub fn module_path(gomod: &str) -> Option<String> {
    gomod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let p = rest.split("//").next()?.trim().trim_matches('"');
        (!p.is_empty()).then(|| p.to_string())
    })
}

/// The aspect files of a module: `aspects.yaml` (or `.yml`) and every
/// `*.aspect` file at its root, sorted for determinism.
pub fn aspect_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ASPECT_FILE_NAMES
        .iter()
        .map(|n| root.join(n))
        .filter(|p| p.is_file())
        .take(1)
        .collect();
    let mut dsl: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspect") && p.is_file())
        .collect();
    dsl.sort();
    out.extend(dsl);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_path_forms() {
        assert_eq!(
            module_path("module example.com/shop\n\ngo 1.22\n").as_deref(),
            Some("example.com/shop")
        );
        assert_eq!(
            module_path("// c\nmodule \"x/y\" // comment\n").as_deref(),
            Some("x/y")
        );
        assert_eq!(module_path("modulex y\n"), None);
    }
}
