//! goaop's own identity: a content hash of the running executable. It is
//! part of every cache key (the rule-set files, the closure files, and the
//! `-V=full` tag that keys the Go build cache), so a rebuilt or upgraded
//! goaop never reuses what another goaop compiled or wove, even with the
//! same version number.
//!
//! Hashing the executable costs milliseconds to tens of milliseconds (a
//! debug build is ~80 MB), too much for every tool call, so the hash is
//! kept in the cache directory as a sealed `exe-<stamp>` file. The stamp
//! covers the executable's path and the inode's identity, size, mtime and
//! ctime, read from the running image itself (`/proc/self/exe`): any write
//! to or replacement of the file changes it (ctime cannot be set back).
//! A caller that already knows the identity of a stamp (a tool call whose
//! go command pinned both) compares [`self_stamp`] and skips the file.

use std::path::Path;

use crate::store::sealed;

/// The identity of the running goaop (32 hex digits).
pub fn exe_id(cache_dir: Option<&Path>) -> Result<String, String> {
    Ok(exe_id_and_stamp(cache_dir)?.0)
}

/// The running goaop's identity and its stamp (see the module doc), for a
/// caller that keeps the pair.
pub fn exe_id_and_stamp(cache_dir: Option<&Path>) -> Result<(String, String), String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot locate the goaop executable: {e}"))?;
    let file = open_self(&exe)?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot stat {}: {e}", exe.display()))?;
    let stamp = stamp(&exe, &meta);
    Ok((id_of(file, &exe, &stamp, cache_dir)?, stamp))
}

/// The stamp of the running image alone, without reading anything: equal
/// stamps mean the same identity. (Two system calls on Linux: the path,
/// and the status of `/proc/self/exe`, which is the running inode's.)
pub fn self_stamp() -> Result<String, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot locate the goaop executable: {e}"))?;
    #[cfg(target_os = "linux")]
    if let Ok(meta) = std::fs::metadata("/proc/self/exe") {
        return Ok(stamp(&exe, &meta));
    }
    let meta =
        std::fs::metadata(&exe).map_err(|e| format!("cannot stat {}: {e}", exe.display()))?;
    Ok(stamp(&exe, &meta))
}

/// The identity of the image `file` (at `exe`, stamped `stamp`): the
/// cached one, else its hash, cached.
fn id_of(
    file: std::fs::File,
    exe: &Path,
    stamp: &str,
    cache_dir: Option<&Path>,
) -> Result<String, String> {
    let cached = cache_dir.map(|d| d.join(format!("exe-{stamp}")));
    if let Some(id) = cached
        .as_deref()
        .and_then(|f| sealed::read(f, "exe", stamp))
        .and_then(|b| String::from_utf8(b).ok())
    {
        return Ok(id);
    }
    let id = hash_file(file).map_err(|e| format!("cannot read {}: {e}", exe.display()))?;
    if let Some(f) = cached {
        sealed::write(&f, "exe", stamp, id.as_bytes());
    }
    Ok(id)
}

/// The running image: `/proc/self/exe` on Linux (the very inode being run,
/// even if its path was replaced or deleted since), else the path.
fn open_self(exe: &Path) -> Result<std::fs::File, String> {
    #[cfg(target_os = "linux")]
    if let Ok(f) = std::fs::File::open("/proc/self/exe") {
        return Ok(f);
    }
    std::fs::File::open(exe).map_err(|e| format!("cannot open {}: {e}", exe.display()))
}

fn stamp(exe: &Path, meta: &std::fs::Metadata) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"goaop exe stamp v1\0");
    h.update(exe.as_os_str().as_encoded_bytes());
    h.update(&meta.len().to_le_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        for n in [
            meta.dev() as i64,
            meta.ino() as i64,
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
        ] {
            h.update(&n.to_le_bytes());
        }
    }
    #[cfg(not(unix))]
    if let Ok(t) = meta.modified() {
        h.update(format!("{t:?}").as_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

fn hash_file(mut file: std::fs::File) -> std::io::Result<String> {
    let mut h = blake3::Hasher::new();
    std::io::copy(&mut file, &mut h)?;
    Ok(h.finalize().to_hex()[..32].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached_files(dir: &Path) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }

    #[test]
    fn cached_and_verified() {
        let dir = tempfile::tempdir().unwrap();
        let cold = exe_id(Some(dir.path())).unwrap();
        assert_eq!(cold.len(), 32);
        let files = cached_files(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(exe_id(Some(dir.path())).unwrap(), cold, "warm");
        // A damaged identity file is recomputed, not trusted.
        std::fs::write(&files[0], b"0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(exe_id(Some(dir.path())).unwrap(), cold);
        assert_eq!(exe_id(None).unwrap(), cold, "without a cache");
        let (id, stamp) = exe_id_and_stamp(Some(dir.path())).unwrap();
        assert_eq!(id, cold);
        assert_eq!(self_stamp().unwrap(), stamp, "the cheap stamp is the same");
    }
}
