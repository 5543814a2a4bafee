//! Imports the advice needs: reuse the file's own import of the same path
//! where its name is not hidden (a parameter `url string` hides an import
//! of `net/url` in that function), otherwise add one under an alias that
//! nothing in the file uses (the same path may then be imported twice,
//! which Go allows).
//!
//! New imports go on the same line as the end of the last import declaration
//! (or the package clause), after a `;`, so no original line moves.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use super::edit::Edit;
use crate::scan::ScannedFile;

pub struct Aliases<'a> {
    /// path → name, for the file's own usable imports.
    existing: BTreeMap<String, String>,
    package_names: &'a BTreeSet<String>,
    text: &'a str,
    /// Names that would clash: package-level names and every identifier of
    /// the file (a local `slog` would shadow an injected `slog` import).
    /// Computed only when an import must be added (most files never need
    /// it), by parsing the file again: words in comments and strings do not
    /// count.
    taken: OnceCell<BTreeSet<String>>,
    /// path → alias, for imports goaop may add: written by the advice's
    /// text as it is rendered.
    added: RefCell<BTreeMap<String, String>>,
    /// The paths of advice that is woven ([`Self::require`]): only these
    /// are imported, so advice rendered and then left out (a later
    /// `replace` without `{{.Call}}`, a `set-field` without `{{.Value}}`)
    /// leaves no unused import behind.
    required: RefCell<BTreeSet<String>>,
}

impl<'a> Aliases<'a> {
    pub fn new(scan: &ScannedFile, package_names: &'a BTreeSet<String>, text: &'a str) -> Self {
        let existing = scan
            .imports
            .iter()
            .filter(|i| !matches!(i.alias.as_deref(), Some("_" | ".")))
            .map(|i| (i.path.clone(), i.name.clone()))
            .collect();
        Aliases {
            existing,
            package_names,
            text,
            taken: OnceCell::new(),
            added: RefCell::new(BTreeMap::new()),
            required: RefCell::new(BTreeSet::new()),
        }
    }

    fn taken(&self) -> &BTreeSet<String> {
        self.taken.get_or_init(|| {
            let mut taken = self.package_names.clone();
            taken.extend(identifiers(self.text));
            taken
        })
    }

    /// The name the woven file uses for `path`, which the aspect calls
    /// `alias`, where the names in `hidden` are declared (the locals of the
    /// function the advice lands in; none at package level).
    pub fn alias_for(&self, alias: &str, path: &str, hidden: &BTreeSet<String>) -> String {
        if let Some(name) = self.existing.get(path)
            && !hidden.contains(name)
        {
            return name.clone();
        }
        let mut added = self.added.borrow_mut();
        if let Some(a) = added.get(path) {
            return a.clone();
        }
        let used: BTreeSet<&String> = added.values().collect();
        let mut candidate = alias.to_string();
        let mut n = 1;
        while self.taken().contains(&candidate) || used.contains(&candidate) {
            candidate = if n == 1 {
                format!("__goaop_{alias}")
            } else {
                format!("__goaop{n}_{alias}")
            };
            n += 1;
        }
        added.insert(path.to_string(), candidate.clone());
        candidate
    }

    /// Make sure `path` is imported: advice that uses it is woven.
    pub fn require(&self, alias: &str, path: &str) {
        self.alias_for(alias, path, &BTreeSet::new());
        self.required.borrow_mut().insert(path.to_string());
    }

    /// [`Self::alias_for`], for text that is woven whatever becomes of the
    /// advice that asked for it.
    pub fn alias_required(&self, alias: &str, path: &str, hidden: &BTreeSet<String>) -> String {
        self.required.borrow_mut().insert(path.to_string());
        self.alias_for(alias, path, hidden)
    }

    /// The imports goaop adds to this file: (path, alias).
    fn imported(&self) -> Vec<(String, String)> {
        let required = self.required.borrow();
        self.added
            .borrow()
            .iter()
            .filter(|(path, _)| required.contains(*path))
            .map(|(p, a)| (p.clone(), a.clone()))
            .collect()
    }

    /// Paths goaop adds to this file.
    pub fn added_paths(&self) -> Vec<String> {
        self.imported().into_iter().map(|(p, _)| p).collect()
    }

    /// The edit adding the new imports, if any.
    pub fn import_edit(&self, scan: &ScannedFile) -> Option<Edit> {
        let added = self.imported();
        if added.is_empty() {
            return None;
        }
        let text: String = added
            .iter()
            .map(|(path, alias)| format!("; import {alias} {}", super::render::quoted(path)))
            .collect();
        Some(Edit::insert(scan.import_insert, text))
    }
}

/// Every identifier, type name and package name written in a Go file.
fn identifiers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .is_err()
    {
        return out;
    }
    let Some(tree) = parser.parse(text, None) else {
        return out;
    };
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if matches!(
            node.kind(),
            "identifier" | "type_identifier" | "package_identifier"
        ) && let Ok(name) = node.utf8_text(text.as_bytes())
        {
            out.insert(name.to_string());
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}
