//! What the join points of one file share while it is woven: its text and
//! scan, its syntax tree (for the body facts of advised functions, computed
//! once each), positions for `//line` directives, the imports the advice
//! adds and the functions hoisted out of the advice.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use tree_sitter::Tree;

use super::edit::Positions;
use super::hoist::Hoister;
use super::imports::Aliases;
use super::{PackageInfo, SourceFile};
use crate::scan::{BodyFacts, FuncKind, FuncSite, ScannedFile, body_facts};

pub(super) struct FileCx<'a> {
    pub file: &'a SourceFile,
    pub scan: &'a ScannedFile,
    pub tree: &'a Tree,
    pub pkg: &'a PackageInfo<'a>,
    pub positions: Positions<'a>,
    pub aliases: Aliases<'a>,
    pub hoister: RefCell<Hoister>,
    /// The names the file imports package `runtime` under.
    runtime: Vec<String>,
    facts: RefCell<BTreeMap<usize, Rc<BodyFacts>>>,
    /// The function literals directly inside each function (`None`: at
    /// package level), in source order.
    literals: BTreeMap<Option<usize>, Vec<usize>>,
}

impl<'a> FileCx<'a> {
    pub(super) fn new(
        file: &'a SourceFile,
        scan: &'a ScannedFile,
        tree: &'a Tree,
        pkg: &'a PackageInfo<'a>,
        package_names: &'a BTreeSet<String>,
        tag: String,
    ) -> Self {
        FileCx {
            file,
            scan,
            tree,
            pkg,
            positions: Positions::new(&file.text, &file.name, tree),
            aliases: Aliases::new(scan, package_names, &file.text),
            hoister: RefCell::new(Hoister::new(tag)),
            runtime: scan
                .imports
                .iter()
                .filter(|i| i.path == "runtime")
                .map(|i| i.name.clone())
                .collect(),
            facts: RefCell::new(BTreeMap::new()),
            literals: {
                let mut by_parent: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
                for (i, f) in scan.funcs.iter().enumerate() {
                    if f.kind == FuncKind::Literal {
                        by_parent.entry(f.parent).or_default().push(i);
                    }
                }
                by_parent
            },
        }
    }

    /// The body facts of `scan.funcs[func]`.
    pub(super) fn facts(&self, func: usize) -> Rc<BodyFacts> {
        if let Some(f) = self.facts.borrow().get(&func) {
            return Rc::clone(f);
        }
        let facts = match self.scan.funcs.get(func) {
            Some(site) => body_facts(self.tree, self.file.text.as_bytes(), site, &self.runtime),
            None => BodyFacts::default(),
        };
        let facts = Rc::new(facts);
        self.facts.borrow_mut().insert(func, Rc::clone(&facts));
        facts
    }

    /// The names declared in the declared function around `scan.funcs[func]`
    /// (through its literals): what hides an import at a site inside it.
    pub(super) fn locals_around(&self, func: Option<usize>) -> Rc<BodyFacts> {
        let mut at = func;
        let mut guard = self.scan.funcs.len();
        while let Some(i) = at
            && let Some(f) = self.scan.funcs.get(i)
            && f.kind == FuncKind::Literal
            && f.parent.is_some()
            && guard > 0
        {
            at = f.parent;
            guard -= 1;
        }
        match at {
            Some(i) => self.facts(i),
            None => Rc::new(BodyFacts::default()),
        }
    }

    /// The function literals directly inside `scan.funcs[func]`, in order.
    pub(super) fn own_literals(&self, func: usize) -> Vec<&'a str> {
        let funcs = &self.scan.funcs;
        self.literals
            .get(&Some(func))
            .map(|ls| ls.iter().map(|&i| funcs[i].name.as_str()).collect())
            .unwrap_or_default()
    }

    /// The first function literal directly inside `scan.funcs[func]` (or at
    /// package level) that starts at or after byte `at`.
    pub(super) fn literal_from(&self, func: Option<usize>, at: usize) -> Option<&'a FuncSite> {
        let funcs = &self.scan.funcs;
        let ls = self.literals.get(&func)?;
        let i = ls.partition_point(|&l| funcs[l].range.start < at);
        ls.get(i).map(|&l| &funcs[l])
    }
}
