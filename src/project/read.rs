//! Reading input files in bounded time and memory, and writing files
//! atomically.
//!
//! Input files are read with [`read_capped`]: only regular files (never a
//! FIFO, which would block, or a device such as `/dev/zero`, which never
//! ends), and never more than a cap, so reading costs bounded time and
//! memory whatever the path names.

use std::io::{Read, Write};
use std::path::Path;

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

/// Write `bytes` to `path` atomically (creating its directory): a
/// temporary file in the same directory renamed over `path`. Readers see
/// the old or the new bytes, never a mix; and a symlink at `path` is
/// replaced, never followed (a checked-out repository could point a golden
/// file at `~/.bashrc`).
///
/// The file gets the permissions a plain write would give it: those of
/// the regular file it replaces, else `0o666` less the umask (a temporary
/// file alone would be `0o600`, and `goaop init` would make a user's
/// aspects.yaml unreadable to the rest of the team).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".goaop-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Ok(old) = std::fs::symlink_metadata(path)
        && old.is_file()
    {
        tmp.as_file().set_permissions(old.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_a_symlink_and_creates_directories() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("aspects.yaml");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_atomically(&link, b"use: [otel]\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "use: [otel]\n");
        // Permissions as a plain write: an existing file keeps its own,
        // a new one is not private to its owner (0o666 less the umask).
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        std::fs::set_permissions(&link, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&link, b"use: [otel, net/http]\n").unwrap();
        assert_eq!(mode(&link), 0o640);
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let fresh = dir.path().join("fresh");
        write_atomically(&fresh, b"x").unwrap();
        assert_eq!(mode(&fresh), mode(&plain), "as std::fs::write");
        let deep = dir.path().join("a/b/c.go");
        write_atomically(&deep, b"package c\n").unwrap();
        assert_eq!(std::fs::read_to_string(&deep).unwrap(), "package c\n");
    }
}
