//! Hoisting (DESIGN §11): an immediately invoked function literal of an
//! advice template that captures nothing from the woven function (`check`
//! decided which: [`Template::hoists`]) is woven as a package-level function
//! declared at the end of the file, and the advice calls it instead. No
//! literal lands in the user's function, so the compiler's names for the
//! user's own closures (`F.func1`, numbered in textual order) do not move.
//!
//! The functions are named `__goaop_<n>_<hash of the file's base name>`
//! (unique across the package's files, which have distinct base names),
//! numbered in weaving order; two sites whose literal renders to the same
//! text share one function. Each line of a declaration is preceded by the
//! `//line` of the template line it comes from.

use std::collections::BTreeMap;

use super::edit::Edit;
use super::render::{Start, Values, render};
use crate::check::{Segment, Template};

/// Placeholder standing for the name of the `n`-th hoisted literal of a
/// lifted template (not an identifier, so never a user's placeholder).
const HOLE: &str = "goaop:hoisted:";

/// Placeholder standing for the name of the function being declared.
const NAME: &str = "goaop:name";

/// The package-level functions of one file.
pub(super) struct Hoister {
    tag: String,
    /// Declarations, in the order they were made.
    decls: Vec<String>,
    /// Rendered literal (after `func`) → function name.
    names: BTreeMap<String, String>,
}

/// A tag per file of a package, for the names of its hoisted functions: a
/// short hash of its base name (so the woven text does not depend on where
/// the package lives), longer when two would be equal.
pub(super) fn tags(files: &[super::SourceFile]) -> Vec<String> {
    let bases: Vec<&str> = files
        .iter()
        .map(|f| f.name.rsplit(['/', '\\']).next().unwrap_or(&f.name))
        .collect();
    let hashes: Vec<String> = bases
        .iter()
        .enumerate()
        .map(|(i, b)| {
            // The same base name twice (never in one Go directory): the
            // position tells them apart.
            let key = if bases[..i].contains(b) {
                format!("{b}#{i}")
            } else {
                b.to_string()
            };
            blake3::hash(key.as_bytes()).to_hex().to_string()
        })
        .collect();
    let mut len = 6;
    while len < 64 {
        let short: std::collections::BTreeSet<&str> = hashes.iter().map(|h| &h[..len]).collect();
        if short.len() == hashes.len() {
            break;
        }
        len += 2;
    }
    hashes.into_iter().map(|h| h[..len].to_string()).collect()
}

impl Hoister {
    pub(super) fn new(tag: String) -> Self {
        Hoister {
            tag,
            decls: Vec::new(),
            names: BTreeMap::new(),
        }
    }

    /// `t` with each hoistable literal replaced by a placeholder for the
    /// name of the function it became. `mid_line`: positions may be
    /// resumed with `/*line…*/` in the declarations (see
    /// [`super::edit::Positions::mid_line`]).
    pub(super) fn lift(
        &mut self,
        t: &Template,
        package_level: &dyn Values,
        mid_line: bool,
    ) -> Lifted {
        let mut segments = Vec::with_capacity(t.segments.len());
        let mut places = Vec::with_capacity(t.places.len());
        let mut names = Vec::with_capacity(t.hoists.len());
        let mut at = 0;
        for range in &t.hoists {
            let Some(literal) = t.segments.get(range.clone()) else {
                continue;
            };
            if range.start < at {
                continue;
            }
            segments.extend_from_slice(&t.segments[at..range.start]);
            places.extend_from_slice(t.places.get(at..range.start).unwrap_or_default());
            segments.push(Segment::Hole(format!("{HOLE}{}", names.len())));
            places.extend(t.places.get(range.start).copied());
            let literal_places = t.places.get(range.clone()).unwrap_or_default();
            names.push(self.declare(t, literal, literal_places, package_level, mid_line));
            at = range.end;
        }
        segments.extend_from_slice(t.segments.get(at..).unwrap_or_default());
        places.extend_from_slice(t.places.get(at..).unwrap_or_default());
        Lifted {
            template: Template {
                segments,
                places,
                hoists: Vec::new(),
                ..t.clone()
            },
            names,
        }
    }

    /// Declare the literal `segments` of `t` (at `places`) as a function;
    /// its name. The declaration keeps the literal's positions: `func`,
    /// the name, then a `/*line…*/` back to the literal's signature.
    fn declare(
        &mut self,
        t: &Template,
        segments: &[Segment],
        places: &[(u32, u32)],
        values: &dyn Values,
        mid_line: bool,
    ) -> String {
        // `func(…) {…}` → `func` NAME `(…) {…}`.
        let mut split = Vec::with_capacity(segments.len() + 2);
        let mut split_places = Vec::with_capacity(segments.len() + 2);
        match (segments.first(), places.first()) {
            (Some(Segment::Lit(l)), Some(&(line, col))) if l.starts_with("func") => {
                split.push(Segment::Lit("func".to_string()));
                split.push(Segment::Hole(NAME.to_string()));
                split.push(Segment::Lit(l["func".len()..].to_string()));
                split_places.extend([(line, col), (line, col + 4), (line, col + 4)]);
                split.extend_from_slice(&segments[1..]);
                split_places.extend_from_slice(&places[1..]);
            }
            _ => {
                // Not from `check` (it cuts at a literal's `func`).
                split.push(Segment::Hole(NAME.to_string()));
                split.extend_from_slice(segments);
            }
        }
        let literal = Template {
            segments: split,
            places: split_places,
            hoists: Vec::new(),
            ..t.clone()
        };
        let start = Start::Line { mid_line };
        // Equal literals at the same place share a function.
        let key = render(&literal, &Named::name(values, ""), start);
        if let Some(name) = self.names.get(&key) {
            return name.clone();
        }
        let name = format!("__goaop_{}_{}", self.decls.len() + 1, self.tag);
        let decl = render(&literal, &Named::name(values, &format!(" {name}")), start);
        self.decls.push(format!("{decl}\n"));
        self.names.insert(key, name.clone());
        name
    }

    /// The declarations, appended to the file `text`.
    pub(super) fn edit(&self, text: &str) -> Option<Edit> {
        if self.decls.is_empty() {
            return None;
        }
        let sep = if text.ends_with('\n') { "\n" } else { "\n\n" };
        Some(Edit::insert(
            text.len(),
            format!("{sep}{}", self.decls.join("\n")),
        ))
    }
}

/// A template whose hoisted literals are placeholders, and their names.
pub(super) struct Lifted {
    pub template: Template,
    names: Vec<String>,
}

impl Lifted {
    /// `inner` with the hoisted functions' names filled in.
    pub(super) fn values<'a>(&'a self, inner: &'a dyn Values) -> Named<'a> {
        Named {
            inner,
            names: &self.names,
            declared: None,
        }
    }
}

/// [`Values`] that also know the hoisted functions' names, or the name of
/// the function being declared.
pub(super) struct Named<'a> {
    inner: &'a dyn Values,
    names: &'a [String],
    declared: Option<&'a str>,
}

impl<'a> Named<'a> {
    fn name(inner: &'a dyn Values, declared: &'a str) -> Self {
        Named {
            inner,
            names: &[],
            declared: Some(declared),
        }
    }
}

impl Values for Named<'_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        if name == NAME {
            return self.declared.map(str::to_string);
        }
        match name.strip_prefix(HOLE) {
            Some(n) => self.names.get(n.parse::<usize>().ok()?).cloned(),
            None => self.inner.placeholder(name),
        }
    }

    fn ident(&self, name: &str) -> String {
        self.inner.ident(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weave::SourceFile;

    fn file(name: &str) -> SourceFile {
        SourceFile {
            name: name.to_string(),
            text: String::new(),
        }
    }

    #[test]
    fn tags_depend_on_base_names_only_and_differ() {
        let a = tags(&[file("/x/a.go"), file("/x/b.go")]);
        let b = tags(&[file("/elsewhere/a.go"), file("b.go")]);
        assert_eq!(a, b);
        assert_eq!(a[0].len(), 6);
        assert_ne!(a[0], a[1]);
        let same = tags(&[file("/x/a.go"), file("/y/a.go")]);
        assert_ne!(same[0], same[1]);
    }
}
