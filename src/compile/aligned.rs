//! An owned byte buffer whose first byte is 8-byte aligned.
//!
//! `DFA::from_bytes` needs its bytes 4-byte aligned, and a `Vec<u8>` (from
//! `std::fs::read`, say) only guarantees alignment 1. [`AlignedBytes`] over-
//! allocates by 7 bytes and starts the data at the first 8-aligned address,
//! which is safe code throughout: the vector is never grown afterwards, so
//! its allocation (and the data's alignment) never moves.

use std::io::{self, Read};
use std::path::Path;

const ALIGN: usize = 8;

/// Bytes starting at an 8-aligned address. Read rule-set cache files into
/// this before calling [`RuleSetRef::from_bytes`](super::RuleSetRef::from_bytes).
#[derive(Default)]
pub struct AlignedBytes {
    buf: Vec<u8>,
    start: usize,
}

impl AlignedBytes {
    /// A copy of `bytes` in aligned memory.
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut buf = Vec::with_capacity(bytes.len() + ALIGN - 1);
        let start = padding(&buf);
        buf.resize(start, 0);
        buf.extend_from_slice(bytes);
        AlignedBytes { buf, start }
    }

    /// Read exactly `len` bytes from `reader` (a file whose status gave
    /// its length: one `read`, where `read_to_end` would also ask the file
    /// for its status and position again).
    pub fn read_len(mut reader: impl Read, len: usize) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(len + ALIGN - 1);
        let start = padding(&buf);
        buf.resize(start + len, 0);
        reader.read_exact(&mut buf[start..])?;
        Ok(AlignedBytes { buf, start })
    }

    /// Read a whole file.
    pub fn read_file(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let size = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
        Self::read_len(file, size)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How many bytes to skip from the start of `buf`'s allocation to reach an
/// aligned address.
fn padding(buf: &[u8]) -> usize {
    let addr = buf.as_ptr() as usize;
    (ALIGN - addr % ALIGN) % ALIGN
}

impl Clone for AlignedBytes {
    /// A clone is a new allocation, aligned on its own.
    fn clone(&self) -> Self {
        Self::from_slice(self.as_bytes())
    }
}

impl std::ops::Deref for AlignedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Debug for AlignedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AlignedBytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_aligned() {
        for n in 0..40 {
            let data: Vec<u8> = (0..n as u8).collect();
            let a = AlignedBytes::from_slice(&data);
            assert_eq!(a.as_bytes().as_ptr() as usize % ALIGN, 0);
            assert_eq!(a.as_bytes(), &data[..]);
            let r = AlignedBytes::read_len(&data[..], n).unwrap();
            assert_eq!(r.as_bytes().as_ptr() as usize % ALIGN, 0);
            assert_eq!(r.as_bytes(), &data[..]);
            assert!(AlignedBytes::read_len(&data[..], n + 1).is_err(), "short");
        }
    }
}
