//! Which packages and files a build compiles, which of them goaop may weave,
//! and how: the one answer that `-toolexec`, driver mode (`goaop go`),
//! `goaop plan` and `goaop diff` share, so that they agree on what is woven
//! (DESIGN §11). The front ends only gather the facts (a compile's command
//! line, a `go list`), build [`Unit`]s and call [`weave_unit`].
//!
//! The rules:
//! - A unit is one compile of a package. Its aspects are those whose
//!   `packages` scope holds for the package's import path; an external test
//!   package (`example.com/app_test`) is scoped like the package it tests.
//! - `_test.go` files are woven only by aspects with `tests: true`. A test
//!   build's other files are woven exactly as in the plain package (their
//!   woven text never depends on the test files), so tests exercise the
//!   woven program and driver mode can overlay one text per file.
//! - A package that the advice's imports depend on (the [`Closure`] of
//!   `go list -deps <every import the advice can add>`) is never woven: each
//!   join point an aspect selects there is a skip with the reason.

pub mod cmdline;
pub mod goenv;
pub mod golist;
mod kept_lists;
mod kept_woven;
mod listed;
pub mod notes;
pub mod overlay;
mod units;

use std::collections::{BTreeMap, BTreeSet};

use crate::compile::RuleSetRef;
use crate::weave::{Decision, PackageInfo, SourceFile, WeaveError, weave_in_scope};

pub use listed::{Listed, Lister, Request, weave_listed};
pub use units::{COMMAND_LINE, Naming, Target, dir_import_path, from_listing};

/// One compile of a package.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The import path the compiler gives the package (`-p`), used by the
    /// placeholders: `example.com/app_test` for an external test package.
    pub path: String,
    /// The import path whose aspects apply (see the module docs).
    pub scope_path: String,
    pub files: Vec<SourceFile>,
}

/// A woven unit: parallel to [`Unit::files`].
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WovenUnit {
    /// `Some(text)` for each file that changed.
    pub files: Vec<Option<String>>,
    /// Every (join point, aspect) decision; `file` indexes the unit's files.
    pub decisions: Vec<Decision>,
    /// Import paths the woven code adds.
    pub imports: BTreeSet<String>,
}

/// The skip reason of a join point in a test file for an aspect without
/// `tests: true` (a default, not a problem: builds do not warn about it).
pub const TEST_FILE_SKIP: &str =
    "in a `_test.go` file: the aspect does not set `tests: true`, so test files are not woven";

/// Whether a file is a test file (`…_test.go`).
pub fn is_test_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.ends_with("_test.go")
}

/// Every import path the rule set's advice can add, sorted.
pub fn rule_imports(view: &RuleSetRef) -> Result<Vec<String>, String> {
    let mut out = BTreeSet::new();
    for i in 0..view.len() {
        let a = view.aspect(i).map_err(|e| e.to_string())?;
        out.extend(a.imports.into_iter().map(|i| i.path));
    }
    Ok(out.into_iter().collect())
}

/// The packages the advice's imports depend on (themselves included), each
/// with the imports that reach it.
#[derive(Clone, Debug, Default)]
pub struct Closure {
    via: BTreeMap<String, Vec<String>>,
}

impl Closure {
    /// From `go list -deps -json <imports>` output (each entry's `Deps`).
    pub fn from_listing(imports: &[String], listed: &[golist::Package]) -> Closure {
        let mut c = Closure::default();
        for p in listed.iter().filter(|p| imports.contains(&p.import_path)) {
            for dep in std::iter::once(&p.import_path).chain(&p.deps) {
                c.add(dep, &p.import_path);
            }
        }
        c
    }

    /// From the bare set of packages (the `-toolexec` closure, which does not
    /// say which import reaches which package: every import is named).
    pub fn from_set<'a>(
        imports: &[String],
        packages: impl IntoIterator<Item = &'a str>,
    ) -> Closure {
        let mut c = Closure::default();
        for p in packages {
            if imports.iter().any(|i| i == p) {
                c.add(p, p);
            } else {
                for i in imports {
                    c.add(p, i);
                }
            }
        }
        c
    }

    fn add(&mut self, pkg: &str, import: &str) {
        let via = self.via.entry(pkg.to_string()).or_default();
        if !via.iter().any(|v| v == import) {
            via.push(import.to_string());
        }
    }

    pub fn contains(&self, pkg: &str) -> bool {
        self.via.contains_key(pkg)
    }

    /// Why `pkg` must not be woven, if it is in the closure.
    pub fn reason(&self, pkg: &str) -> Option<String> {
        let via = self.via.get(pkg)?;
        let cycle = "weaving it would create an import cycle";
        if via.iter().any(|v| v == pkg) {
            return Some(format!("the advice imports this package: {cycle}"));
        }
        let names: Vec<String> = via.iter().map(|v| format!("`{v}`")).collect();
        Some(match names.as_slice() {
            [one] => format!("the advice imports {one}, which depends on this package: {cycle}"),
            _ => format!(
                "the advice imports {}, one of which depends on this package: {cycle}",
                names.join(", ")
            ),
        })
    }
}

/// Weave one unit by the rules of the module docs. `test_skips`: also
/// record a [`TEST_FILE_SKIP`] decision for each join point of a test file
/// that an aspect without `tests: true` selects (what `goaop plan --tests`
/// shows; builds need not compute them).
pub fn weave_unit(
    view: &RuleSetRef,
    main_module: Option<&str>,
    unit: &Unit,
    closure: &Closure,
    test_skips: bool,
) -> Result<WovenUnit, WeaveError> {
    let mut out = WovenUnit {
        files: vec![None; unit.files.len()],
        ..Default::default()
    };
    let scope = view.packages(&unit.scope_path, main_module)?;
    if scope.is_empty() {
        return Ok(out);
    }
    let info = PackageInfo {
        path: &unit.path,
        main_module,
    };
    let (tests, plain): (Vec<usize>, Vec<usize>) =
        (0..unit.files.len()).partition(|&i| is_test_file(&unit.files[i].name));
    let pick =
        |idx: &[usize]| -> Vec<SourceFile> { idx.iter().map(|&i| unit.files[i].clone()).collect() };
    // (Most compiles have no test file: no copy then.)
    let plain_files: std::borrow::Cow<[SourceFile]> = if tests.is_empty() {
        std::borrow::Cow::Borrowed(&unit.files)
    } else {
        std::borrow::Cow::Owned(pick(&plain))
    };
    let off_limits = closure.reason(&unit.path);
    let mut merge = |w: crate::weave::WovenPackage, idx: &[usize], skip: Option<&str>| {
        for mut d in w.decisions {
            d.file = idx[d.file];
            if let Some(why) = skip {
                d.skipped = Some(why.to_string());
            }
            out.decisions.push(d);
        }
        if skip.is_none() {
            for (new, &i) in w.files.into_iter().zip(idx) {
                out.files[i] = new;
            }
            out.imports.extend(w.imports);
        }
    };
    let woven = weave_in_scope(view, &info, &scope, &plain_files, &[])?;
    merge(woven, &plain, off_limits.as_deref());
    if tests.is_empty() {
        return Ok(out);
    }
    let test_files = pick(&tests);
    let mut with_tests = BTreeSet::new();
    for a in scope.candidates() {
        if view.aspect(a)?.tests {
            with_tests.insert(a);
        }
    }
    let scope_tests = view.restrict(&scope, |a| with_tests.contains(&a));
    let woven = weave_in_scope(view, &info, &scope_tests, &test_files, &plain_files)?;
    merge(woven, &tests, off_limits.as_deref());
    if test_skips {
        let others = view.restrict(&scope, |a| !with_tests.contains(&a));
        let woven = weave_in_scope(view, &info, &others, &test_files, &plain_files)?;
        merge(woven, &tests, Some(TEST_FILE_SKIP));
    }
    Ok(out)
}

/// Skipped join points per aspect, for a build's one warning line per
/// aspect: test files that are not woven by default are not counted.
pub fn skip_counts<'a>(
    decisions: impl IntoIterator<Item = &'a Decision>,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in decisions {
        if d.skipped.as_deref().is_some_and(|s| s != TEST_FILE_SKIP) {
            *out.entry(d.aspect.clone()).or_default() += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn closure_reasons_name_the_import() {
        let c = Closure::from_set(&imports(&["a/obs"]), ["a/obs", "a/util"]);
        assert_eq!(
            c.reason("a/obs").unwrap(),
            "the advice imports this package: weaving it would create an import cycle"
        );
        assert_eq!(
            c.reason("a/util").unwrap(),
            "the advice imports `a/obs`, which depends on this package: weaving it would create an import cycle"
        );
        assert_eq!(c.reason("a/other"), None);
        let c = Closure::from_set(&imports(&["a/obs", "log/slog"]), ["a/util"]);
        assert!(
            c.reason("a/util")
                .unwrap()
                .contains("`a/obs`, `log/slog`, one of which")
        );
    }

    #[test]
    fn test_files() {
        assert!(is_test_file("/m/app_test.go"));
        assert!(is_test_file("x_test.go"));
        assert!(!is_test_file("/m/app_test.go/x.go"));
        assert!(!is_test_file("/m/test.go"));
    }
}
