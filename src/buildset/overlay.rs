//! The go command's `-overlay` file (`{"Replace": {"file": "replacement"}}`):
//! the user's own, whose replacements are what the build really compiles
//! (so they are what goaop weaves), merged with goaop's woven files in
//! driver mode. Paths are resolved against the go command's directory, as
//! the go command does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Original file → replacement (empty: the file is deleted).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Overlay {
    #[serde(rename = "Replace", default)]
    pub replace: BTreeMap<PathBuf, PathBuf>,
}

impl Overlay {
    /// Read an overlay file; relative paths (of the file and in it) are
    /// relative to `dir`.
    pub fn read_file(file: &Path, dir: &Path) -> Result<Overlay, String> {
        let path = dir.join(file);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("cannot read the -overlay file {}: {e}", path.display()))?;
        let raw: Overlay = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the -overlay file {} is not valid: {e}", path.display()))?;
        let abs = |p: PathBuf| {
            if p.as_os_str().is_empty() {
                p
            } else {
                dir.join(p)
            }
        };
        Ok(Overlay {
            replace: raw
                .replace
                .into_iter()
                .map(|(k, v)| (abs(k), abs(v)))
                .collect(),
        })
    }

    /// The text the build compiles for `path` (absolute): the replacement's
    /// if the overlay replaces it, else the file's own.
    pub fn read(&self, path: &Path) -> Result<String, String> {
        let from = match self.replace.get(path) {
            Some(r) if r.as_os_str().is_empty() => {
                return Err(format!(
                    "{}: deleted by the -overlay file but listed by the go command",
                    path.display()
                ));
            }
            Some(r) => r.as_path(),
            None => path,
        };
        std::fs::read_to_string(from).map_err(|e| format!("{}: {e}", from.display()))
    }

    /// This overlay with `ours` added (replacing the user's entries for the
    /// same files: their woven text was computed from the user's
    /// replacement).
    pub fn merged(&self, ours: &BTreeMap<PathBuf, PathBuf>) -> Overlay {
        let mut replace = self.replace.clone();
        replace.extend(ours.iter().map(|(k, v)| (k.clone(), v.clone())));
        Overlay { replace }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_go_directory_and_ours_win() {
        let dir = std::env::temp_dir().join(format!("goaop-overlay-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("o.json"),
            r#"{"Replace": {"a.go": "repl/a.go", "b.go": "", "/abs/c.go": "/x/c.go"}}"#,
        )
        .unwrap();
        let o = Overlay::read_file(Path::new("o.json"), &dir).unwrap();
        assert_eq!(o.replace[&dir.join("a.go")], dir.join("repl/a.go"));
        assert_eq!(o.replace[&dir.join("b.go")], PathBuf::new());
        assert_eq!(o.replace[Path::new("/abs/c.go")], PathBuf::from("/x/c.go"));
        std::fs::create_dir_all(dir.join("repl")).unwrap();
        std::fs::write(dir.join("repl/a.go"), "package r\n").unwrap();
        assert_eq!(o.read(&dir.join("a.go")).unwrap(), "package r\n");
        assert!(o.read(&dir.join("b.go")).is_err());
        let ours = BTreeMap::from([(dir.join("a.go"), PathBuf::from("/w/a.go"))]);
        let m = o.merged(&ours);
        assert_eq!(m.replace[&dir.join("a.go")], PathBuf::from("/w/a.go"));
        assert_eq!(m.replace.len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
