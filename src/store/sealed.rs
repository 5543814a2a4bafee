//! Checksummed cache files. Everything goaop keeps in its cache directory
//! (rule sets, closures of injected imports, its own identity) is written
//! as `payload ‖ blake3(kind ‖ key ‖ payload) ‖ MAGIC` and trusted on read
//! only if the hash matches: a truncated, garbled or bit-flipped file, or
//! one copied under another key, reads as missing and is rebuilt. The hash
//! is a trailer so that the payload stays at offset 0 (a rule set is viewed
//! zero-copy from aligned memory).
//!
//! Writes are atomic (a temporary file renamed into place), so concurrent
//! builds sharing one cache race harmlessly.

use std::path::Path;

const MAGIC: &[u8; 8] = b"goaop\x00s1";
const HASH: usize = 32;
/// Bytes a sealed file adds to its payload.
pub const TRAILER: usize = HASH + MAGIC.len();

fn digest(kind: &str, key: &str, payload: &[u8]) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    for part in [kind.as_bytes(), key.as_bytes()] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(payload);
    h.finalize()
}

/// `payload` with its trailer.
pub fn seal(kind: &str, key: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + TRAILER);
    out.extend_from_slice(payload);
    out.extend_from_slice(digest(kind, key, payload).as_bytes());
    out.extend_from_slice(MAGIC);
    out
}

/// The payload of a sealed file, if it is intact and sealed for `kind`
/// and `key`.
pub fn open<'a>(kind: &str, key: &str, file: &'a [u8]) -> Option<&'a [u8]> {
    let body = file.strip_suffix(MAGIC)?;
    let split = body.len().checked_sub(HASH)?;
    let (payload, hash) = body.split_at(split);
    // blake3::Hash compares in constant time; speed is what matters here.
    (digest(kind, key, payload) == blake3::Hash::from_slice(hash).ok()?).then_some(payload)
}

/// Read all of the open file `f` of `len` bytes (its status says so): one
/// read where `read_to_end` also asks for the status and the position
/// again (sealed files are replaced whole, never grown in place, and a
/// changed one fails its check anyway).
fn read_len(f: &mut std::fs::File, len: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut file = vec![0; usize::try_from(len).ok()?];
    f.read_exact(&mut file).ok()?;
    Some(file)
}

/// Read and open a sealed file; `None` if it is missing or damaged. An
/// intact file is marked used ([`super::trim::used`]).
pub fn read(path: &Path, kind: &str, key: &str) -> Option<Vec<u8>> {
    let mut f = std::fs::File::open(path).ok()?;
    let meta = f.metadata().ok()?;
    let mut file = read_len(&mut f, meta.len())?;
    let len = open(kind, key, &file)?.len();
    super::trim::used(&f, &meta);
    file.truncate(len);
    Some(file)
}

/// Seal and write atomically (errors ignored: a cache that cannot be
/// written only costs speed).
pub fn write(path: &Path, kind: &str, key: &str, payload: &[u8]) {
    let _ = crate::project::write_atomically(path, &seal(kind, key, payload));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_damage_is_detected() {
        let sealed = seal("rules", "k1", b"payload bytes");
        assert_eq!(open("rules", "k1", &sealed), Some(&b"payload bytes"[..]));
        assert_eq!(open("rules", "k2", &sealed), None, "another key");
        assert_eq!(open("deps", "k1", &sealed), None, "another kind");
        for i in 0..sealed.len() {
            let mut b = sealed.clone();
            b[i] ^= 0x01;
            assert_eq!(open("rules", "k1", &b), None, "bit flip at {i}");
        }
        for n in 0..sealed.len() {
            assert_eq!(open("rules", "k1", &sealed[..n]), None, "truncated to {n}");
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert_eq!(open("rules", "k1", &longer), None);
        assert_eq!(open("rules", "k1", b""), None);
    }

    #[test]
    fn atomic_write_and_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/file");
        write(&path, "deps", "k", b"{}");
        assert_eq!(read(&path, "deps", "k").as_deref(), Some(&b"{}"[..]));
        std::fs::write(&path, b"{}").unwrap();
        assert_eq!(read(&path, "deps", "k"), None, "an unsealed file");
    }
}
