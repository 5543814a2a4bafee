//! The file's import table: which local name means which import path.
//!
//! Signatures spell foreign types with the import path (`*net/http.Request`)
//! and call sites name their callee the same way (`database/sql.Open`), so
//! every `pkg.X` qualifier in the file is resolved here. Without type
//! information the package name of an unaliased import is guessed from its
//! path with goimports' rule (`ImportPathToAssumedName`): last element, the
//! element before a `/vN` major-version suffix, `go-` prefix dropped, cut at
//! the first character that cannot be in an identifier (`gopkg.in/yaml.v3` →
//! `yaml`, `github.com/mattn/go-sqlite3` → `sqlite3`). goimports writes an
//! explicit alias whenever that guess is wrong, so formatted code resolves
//! exactly. For code that does not, a qualifier no import name matches falls
//! back to an unaliased import whose last element contains it as a whole
//! word (`lru` → `github.com/hashicorp/golang-lru/v2`).

pub use crate::gopath::assumed_package_name;
use crate::gopath::{is_ident_char, is_major_version, last_element};

/// One resolvable import: its local name and path.
#[derive(Debug)]
struct Entry {
    name: String,
    path: String,
}

/// Local package names → import paths, plus the dot-imports.
#[derive(Debug, Default)]
pub(crate) struct ImportTable {
    /// Named and unaliased imports (not `_`, not `.`), in file order.
    entries: Vec<Entry>,
    /// Second-chance words: `(word, index into entries)`.
    words: Vec<(String, usize)>,
    /// Paths of the dot-imports, in file order.
    pub dots: Vec<String>,
}

impl ImportTable {
    /// Register `path` under its local `name` (alias or guess). `aliased`
    /// says the name was written in the file (no second-chance words then).
    pub(crate) fn add(&mut self, name: &str, path: &str, aliased: bool) {
        match name {
            "." => self.dots.push(path.to_owned()),
            "_" | "" => {}
            _ => {
                let index = self.entries.len();
                self.entries.push(Entry {
                    name: name.to_owned(),
                    path: path.to_owned(),
                });
                if !aliased {
                    for word in path_words(path) {
                        if word != name {
                            self.words.push((word.to_owned(), index));
                        }
                    }
                }
            }
        }
    }

    /// Drop second-chance words that are the primary name of some import:
    /// a real name always wins. Call once after the last [`Self::add`].
    pub(crate) fn finish(&mut self) {
        let entries = &self.entries;
        self.words
            .retain(|(w, _)| !entries.iter().any(|e| e.name == *w));
    }

    /// The import path `qualifier` refers to, if any.
    #[inline]
    pub(crate) fn resolve(&self, qualifier: &[u8]) -> Option<&str> {
        if let Some(e) = self.entries.iter().find(|e| e.name.as_bytes() == qualifier) {
            return Some(&e.path);
        }
        self.words
            .iter()
            .find(|(w, _)| w.as_bytes() == qualifier)
            .and_then(|&(_, i)| self.entries.get(i))
            .map(|e| e.path.as_str())
    }

    /// Whether a local declaration of `name` could hide something this table
    /// resolves (so the scope tracker must remember it).
    #[inline]
    pub(crate) fn shadowable(&self, name: &[u8]) -> bool {
        self.resolve(name).is_some() || (!self.dots.is_empty() && is_exported(name))
    }

    /// No import can be shadowed (no named imports, no dot-imports): scope
    /// tracking has nothing to do.
    #[inline]
    pub(crate) fn is_inert(&self) -> bool {
        self.entries.is_empty() && self.dots.is_empty()
    }

    /// The single dot-import's path, when there is exactly one (with two or
    /// more, a bare name cannot be attributed without type information).
    pub(crate) fn single_dot(&self) -> Option<&str> {
        match self.dots.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// The identifier-shaped words of the path's last non-version element.
fn path_words(path: &str) -> impl Iterator<Item = &str> {
    let mut base = last_element(path);
    if is_major_version(base)
        && let Some(i) = path.rfind('/')
    {
        base = last_element(&path[..i]);
    }
    base.split(|c: char| !is_ident_char(c))
        .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
}

/// Go's exported-identifier rule: the first character is an upper-case letter.
pub(crate) fn is_exported(name: &[u8]) -> bool {
    match name.first() {
        Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
        Some(_) => std::str::from_utf8(name)
            .ok()
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_uppercase),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumed_names() {
        for (path, name) in [
            ("fmt", "fmt"),
            ("net/http", "http"),
            ("gopkg.in/yaml.v3", "yaml"),
            ("github.com/mattn/go-sqlite3", "sqlite3"),
            ("github.com/jackc/pgx/v5", "pgx"),
            ("github.com/nats-io/nats.go", "nats"),
            ("github.com/hashicorp/golang-lru/v2", "golang"),
            ("v2", "v2"),
            ("example.com/v2", "example"),
        ] {
            assert_eq!(assumed_package_name(path), name, "{path}");
        }
    }

    #[test]
    fn second_chance_words() {
        let mut t = ImportTable::default();
        t.add(
            &assumed_package_name("github.com/hashicorp/golang-lru/v2"),
            "github.com/hashicorp/golang-lru/v2",
            false,
        );
        t.add("http", "net/http", true);
        t.finish();
        assert_eq!(
            t.resolve(b"lru"),
            Some("github.com/hashicorp/golang-lru/v2")
        );
        assert_eq!(
            t.resolve(b"golang"),
            Some("github.com/hashicorp/golang-lru/v2")
        );
        assert_eq!(t.resolve(b"http"), Some("net/http"));
        assert_eq!(t.resolve(b"l"), None);
        assert_eq!(t.resolve(b"v2"), None);
    }

    #[test]
    fn exported() {
        assert!(is_exported(b"Get"));
        assert!(!is_exported(b"get"));
        assert!(!is_exported(b"_X"));
        assert!(is_exported("Éte".as_bytes()));
        assert!(!is_exported(b""));
    }
}
