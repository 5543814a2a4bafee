//! Weave what a go command would compile, found with `go list`: the
//! packages of driver mode (`go list -deps [-test] <the build's flags and
//! patterns>`) and of `goaop plan`/`diff` (the named packages). The closure
//! of the advice's imports is listed at the same time, with the same flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::goenv::GoEnv;
use super::golist::{BUILD_FIELDS, CLOSURE_FIELDS, Listing, Package};
use super::kept_lists::{Keeper, Lists};
use super::overlay::Overlay;
use super::units::listed_target;
use super::{Closure, Naming, Unit, WovenUnit, from_listing, rule_imports, weave_unit};
use crate::compile::RuleSetRef;

/// What to list and how to name files.
pub struct Request<'a> {
    /// Where the go command runs.
    pub dir: &'a Path,
    /// Package patterns (empty: `.` with `deps`, else `./...`).
    pub patterns: &'a [String],
    /// Graph-changing build flags (`-tags=…`, `-mod=…`).
    pub flags: &'a [String],
    /// The user's `-overlay` file (passed to `go list`) and its contents.
    pub overlay_file: Option<&'a Path>,
    pub overlay: &'a Overlay,
    /// Every package the build compiles (`-deps`), not only those named.
    pub deps: bool,
    /// The `go test` file set: test variants and external test packages.
    pub tests: bool,
    /// Record decisions for test files that are not woven (see
    /// [`super::TEST_FILE_SKIP`]).
    pub test_skips: bool,
    /// Keep packages no aspect can touch too (unwoven; `plan --signatures`).
    pub unscoped: bool,
    pub naming: Naming<'a>,
    /// Keep the listings across builds ([`super::kept_lists`]; driver
    /// mode), with what `go env` says in `dir`.
    pub keep: Option<&'a GoEnv>,
}

/// A listed package, woven.
pub struct Listed {
    pub unit: Unit,
    pub woven: WovenUnit,
    pub package: Package,
}

/// List and weave. Packages no aspect can touch are left out (their files
/// are not even read); with `deps`, so are packages `go list` reports
/// errors for (the go command reports them itself).
pub fn weave_listed(
    view: &RuleSetRef,
    main_module: Option<&str>,
    req: &Request,
) -> Result<Vec<Listed>, String> {
    Lister::new(view, req)?.weave(view, main_module)
}

/// The `go list` commands of a request, and where their answers are kept
/// (driver mode).
pub struct Lister<'a> {
    req: &'a Request<'a>,
    args: Vec<String>,
    closure_args: Option<Vec<String>>,
    imports: Vec<String>,
    keeper: Option<Keeper>,
    /// The editable directories of the listings, once listed, if they
    /// may be kept.
    editable: Option<Vec<PathBuf>>,
}

impl<'a> Lister<'a> {
    pub fn new(view: &RuleSetRef, req: &'a Request<'a>) -> Result<Lister<'a>, String> {
        let mut common: Vec<String> = req.flags.to_vec();
        if let Some(o) = req.overlay_file {
            common.push(format!("-overlay={}", o.display()));
        }
        let mut args = common.clone();
        if req.deps {
            args.push("-deps".into());
        }
        if req.tests {
            args.push("-test".into());
        }
        match (req.patterns.is_empty(), req.deps) {
            (true, true) => args.push(".".into()),
            (true, false) => args.push("./...".into()),
            _ => args.extend(req.patterns.iter().cloned()),
        }
        let imports = rule_imports(view)?;
        let closure_args = (!imports.is_empty()).then(|| {
            let mut a = common;
            a.push("-deps".into());
            a.extend(imports.iter().cloned());
            a
        });
        let keeper = req.keep.and_then(|env| {
            Keeper::new(req.dir, env, req.patterns, &args, closure_args.as_deref())
        });
        Ok(Lister {
            req,
            args,
            closure_args,
            imports,
            keeper,
            editable: None,
        })
    }

    /// What the caller made of the last build with these listings and the
    /// rule set `view`, if nothing it depends on changed and `valid`
    /// accepts it (see [`Keeper::result`]).
    pub fn kept_result<T: DeserializeOwned>(
        &self,
        view: &RuleSetRef,
        valid: impl Fn(&T) -> bool,
    ) -> Option<T> {
        self.keeper.as_ref()?.result(view, valid)
    }

    /// Keep what the caller made of this build (after [`Lister::weave`]).
    pub fn keep_result<T: Serialize>(&self, view: &RuleSetRef, result: &T) {
        if let (Some(k), Some(editable)) = (&self.keeper, &self.editable) {
            k.keep_result(view, result, editable);
        }
    }

    /// List (or take the kept listings) and weave. Kept listings that fail
    /// to weave (a file they name cannot be read) are listed again: the go
    /// command's answer is the one to report, or to weave.
    pub fn weave(
        &mut self,
        view: &RuleSetRef,
        main_module: Option<&str>,
    ) -> Result<Vec<Listed>, String> {
        if let Some(lists) = self.keeper.as_ref().and_then(Keeper::read)
            && let Ok(out) = self.weave_lists(lists, view, main_module)
        {
            return Ok(out);
        }
        let lists = self.list()?;
        self.weave_lists(lists, view, main_module)
    }

    /// Run the listings, and keep them.
    fn list(&self) -> Result<Lists, String> {
        let packages = Listing::start(self.req.dir, BUILD_FIELDS, &self.args)?;
        let closure = match &self.closure_args {
            Some(a) => Some(Listing::start(self.req.dir, CLOSURE_FIELDS, a)?),
            None => None,
        };
        let lists = Lists::new(
            packages.finish()?,
            closure.map(Listing::finish).transpose()?,
        );
        if let Some(k) = &self.keeper {
            k.write(&lists, &self.imports);
        }
        Ok(lists)
    }

    fn weave_lists(
        &mut self,
        lists: Lists,
        view: &RuleSetRef,
        main_module: Option<&str>,
    ) -> Result<Vec<Listed>, String> {
        let req = self.req;
        let module = crate::project::find_module(req.dir);
        let keeper = self.keeper.as_ref();
        let keepable = lists.keepable();
        let (editable, standard) = (lists.editable, lists.standard);
        // Whether the rule set can weave a package of the standard library
        // (then an edit of GOROOT can change the woven files, or bring a
        // standard package it weaves into the build).
        let weaves_standard = view.reaches_beyond_main_module();
        let imports = &self.imports;
        let closure = match &lists.closure {
            Some(l) => Closure::from_listing(imports, l),
            None => Closure::default(),
        };
        let packages = lists.packages;

        // One unit per import path: a test variant (`p [p.test]`) compiles the
        // package's files plus its test files, and every other variant the
        // same files as the package, so the one with the most files stands for
        // all (non-test files weave the same in each).
        let mut best: BTreeMap<String, usize> = BTreeMap::new();
        for (i, p) in packages.iter().enumerate() {
            if p.dir.as_os_str().is_empty() {
                // Not found: the go command's own error, unless this lists a
                // build's dependencies (the build itself then reports it).
                match &p.error {
                    Some(e) if !req.deps => {
                        return Err(format!("package {}: {}", p.import_path, e.err));
                    }
                    _ => continue,
                }
            }
            let Some(t) = listed_target(p, module.as_ref()) else {
                continue;
            };
            let e = best.entry(t.path).or_insert(i);
            if packages[*e].go_files.len() < p.go_files.len() {
                *e = i;
            }
        }
        let keep: Vec<usize> = {
            let mut v: Vec<usize> = best.into_values().collect();
            v.sort();
            v
        };
        let mut kept_woven = keeper.as_ref().and_then(|k| k.woven(view));
        let mut out = Vec::new();
        let mut packages: Vec<Option<Package>> = packages.into_iter().map(Some).collect();
        for i in keep {
            let Some(pkg) = packages[i].take() else {
                continue;
            };
            let Some(target) = listed_target(&pkg, module.as_ref()) else {
                continue;
            };
            if !req.unscoped
                && view
                    .packages(&target.scope_path, main_module)
                    .map_err(|e| format!("rule set: {e}"))?
                    .is_empty()
            {
                continue;
            }
            if let Some(e) = &pkg.error {
                if req.deps {
                    continue;
                }
                return Err(format!("package {}: {}", pkg.import_path, e.err));
            }
            let unit = from_listing(&pkg, target, req.overlay, req.naming)?;
            let weave = || weave_unit(view, main_module, &unit, &closure, req.test_skips);
            let woven = match &mut kept_woven {
                Some(k) => {
                    let off_limits = closure.reason(&unit.path);
                    let key = k.unit_key(main_module, &unit, off_limits.as_deref(), req.test_skips);
                    k.get_or(key, weave)
                }
                None => weave(),
            }
            .map_err(|e| e.to_string())?;
            out.push(Listed {
                unit,
                woven,
                package: pkg,
            });
        }
        if let Some(k) = kept_woven {
            k.save();
        }
        self.editable = keepable.then(|| {
            let mut dirs = editable;
            if weaves_standard {
                dirs.extend(standard);
            }
            dirs
        });
        Ok(out)
    }
}
