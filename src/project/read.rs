//! Reading input files in bounded time and memory.
//!
//! Input files are read with [`read_capped`]: only regular files (never a
//! FIFO, which would block, or a device such as `/dev/zero`, which never
//! ends), and never more than a cap, so reading costs bounded time and
//! memory whatever the path names.

use std::io::Read;
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
