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
//! text share one function. Each declaration is preceded by the `//line`
//! of the template line it comes from.

use std::collections::BTreeMap;

use super::edit::Edit;
use super::line_directive;
use super::render::{Values, render};
use crate::check::{Segment, Template};

/// Placeholder standing for the name of the `n`-th hoisted literal of a
/// lifted template (not an identifier, so never a user's placeholder).
const HOLE: &str = "goaop:hoisted:";

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
    /// name of the function it became.
    pub(super) fn lift(&mut self, t: &Template, package_level: &dyn Values) -> Lifted {
        let mut segments = Vec::with_capacity(t.segments.len());
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
            let newlines: usize = t.segments[..range.start].iter().map(newlines).sum();
            segments.push(Segment::Hole(format!("{HOLE}{}", names.len())));
            names.push(self.declare(t, literal, newlines, package_level));
            at = range.end;
        }
        segments.extend_from_slice(t.segments.get(at..).unwrap_or_default());
        Lifted {
            template: Template {
                segments,
                hoists: Vec::new(),
                ..t.clone()
            },
            names,
        }
    }

    /// Declare the literal `segments` of `t` (starting `newlines` lines into
    /// it) as a function; its name.
    fn declare(
        &mut self,
        t: &Template,
        segments: &[Segment],
        newlines: usize,
        values: &dyn Values,
    ) -> String {
        let mut origin = t.origin.clone();
        origin.line += newlines as u32;
        let literal = Template {
            segments: segments.to_vec(),
            returns: Vec::new(),
            is_call: false,
            origin,
            hoists: Vec::new(),
            local_literal: false,
            body_results: None,
        };
        let text = render(&literal, values, "");
        let signature_and_body = text.strip_prefix("func").unwrap_or(&text).to_string();
        let key = format!("{}{signature_and_body}", line_directive(&literal));
        if let Some(name) = self.names.get(&key) {
            return name.clone();
        }
        let name = format!("__goaop_{}_{}", self.decls.len() + 1, self.tag);
        let directive = line_directive(&literal);
        self.decls
            .push(format!("{directive}func {name}{signature_and_body}\n"));
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

fn newlines(s: &Segment) -> usize {
    match s {
        Segment::Lit(l) => l.matches('\n').count(),
        _ => 0,
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
        }
    }
}

/// [`Values`] that also know the hoisted functions' names.
pub(super) struct Named<'a> {
    inner: &'a dyn Values,
    names: &'a [String],
}

impl Values for Named<'_> {
    fn placeholder(&self, name: &str) -> Option<String> {
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
