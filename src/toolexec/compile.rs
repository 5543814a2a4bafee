//! `compile`: weave the package if an aspect can touch it, then run the real
//! compiler on the woven files.
//!
//! Woven files go to `<dir of -o>/goaop/<basename>` (inside the action's
//! `$WORK/bNNN`), named in their `//line` directives by the original
//! absolute paths, so positions point at the user's files. Imports the
//! woven code adds that the action's importcfg lacks are resolved with
//! [`deps`] and written into an extended importcfg next to them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::args::ToolArgs;
use super::cache::Rules;
use super::config::Project;
use super::{Invocation, Plan, cache, config, deps, failure, importcfg, parent};
use crate::compile::RuleSetRef;
use crate::weave::{PackageInfo, SourceFile, weave_package};

pub fn plan(inv: &Invocation) -> Plan {
    let Ok(args) = ToolArgs::parse(&inv.args) else {
        return inv.passthrough();
    };
    let Some(p) = args.value("-p") else {
        return inv.passthrough();
    };
    let project = match config::find(inv.config.as_deref()) {
        Ok(p) => p,
        Err(o) => return Plan::Done(o),
    };
    let Some(pkg) = import_path(p, &args, &project) else {
        return inv.passthrough();
    };
    let rules = match cache::load(&project) {
        Ok(r) => r,
        Err(o) => return Plan::Done(o),
    };
    match weave(inv, args, &pkg, &project, &rules) {
        Ok(plan) => plan,
        Err(e) => failure(format!("weaving {pkg}: {e}")),
    }
}

/// The real import path of the package being compiled: `-p`, except that
/// commands are compiled as `-p main`; cmd/go says which package it is in
/// `TOOLEXEC_IMPORTPATH` (`path [variant.test]` for test variants), else
/// it is found from the files' directory in the main module. `None` for a
/// package not to weave (a generated test main).
fn import_path(p: &str, args: &ToolArgs, project: &Project) -> Option<String> {
    if let Ok(env) = std::env::var("TOOLEXEC_IMPORTPATH") {
        let path = env.split(" [").next().unwrap_or_default();
        if !path.is_empty() {
            return (!(p == "main" && path.ends_with(".test"))).then(|| path.to_string());
        }
    }
    if p != "main" {
        return Some(p.to_string());
    }
    let module = project.module.as_ref()?;
    let files = args.go_files();
    args.args[files].iter().find_map(|f| {
        let dir = Path::new(f).parent()?;
        let rel = dir.strip_prefix(&module.root).ok()?;
        Some(if rel.as_os_str().is_empty() {
            module.path.clone()
        } else {
            format!("{}/{}", module.path, rel.display())
        })
    })
}

/// Every import path the rule set's advice can add, sorted.
pub fn rule_imports(view: &RuleSetRef) -> Result<Vec<String>, String> {
    let mut out = std::collections::BTreeSet::new();
    for i in 0..view.len() {
        let a = view.aspect(i).map_err(|e| e.to_string())?;
        out.extend(a.imports.into_iter().map(|i| i.path));
    }
    Ok(out.into_iter().collect())
}

/// `$WORK` from an action file such as `$WORK/b001/importcfg`.
pub fn work_dir(action_file: &Path) -> PathBuf {
    parent(parent(action_file)).to_path_buf()
}

fn weave(
    inv: &Invocation,
    mut args: ToolArgs,
    pkg: &str,
    project: &Project,
    rules: &Rules,
) -> Result<Plan, String> {
    let view = rules.view()?;
    let main_module = project.module_path();
    let scope = view
        .packages(pkg, main_module)
        .map_err(|e| format!("rule set: {e}"))?;
    if scope.is_empty() {
        return Ok(inv.passthrough());
    }
    let (Some(out), Some(cfg_path)) = (
        args.value("-o").map(PathBuf::from),
        args.value("-importcfg").map(PathBuf::from),
    ) else {
        return Ok(inv.passthrough());
    };
    let work = work_dir(&cfg_path);
    let module_root = project
        .module
        .as_ref()
        .map(|m| m.root.clone())
        .unwrap_or_else(|| project.go_cwd.clone());
    let imports = rule_imports(&view)?;
    let closure = if imports.is_empty() {
        None
    } else {
        Some(deps::resolve(&work, &module_root, &inv.tool, &imports)?)
    };
    // The injected code depends on this package: weaving it could cycle.
    if closure.as_ref().is_some_and(|d| d.contains(pkg)) {
        return Ok(inv.passthrough());
    }

    let range = args.go_files();
    let mut files = Vec::with_capacity(range.len());
    for f in &args.args[range.clone()] {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        files.push(SourceFile {
            name: f.clone(),
            text,
        });
    }
    let woven = weave_package(
        &view,
        &PackageInfo {
            path: pkg,
            main_module,
        },
        &files,
    )
    .map_err(|e| e.to_string())?;
    let notes = notes(pkg, &woven.decisions);
    if woven.files.iter().all(Option::is_none) {
        return Ok(Plan::Run {
            tool: inv.tool.clone(),
            args: inv.args.clone(),
            notes,
        });
    }

    let dir = parent(&out).join("goaop");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (i, new) in range.zip(&woven.files) {
        let Some(new) = new else { continue };
        let name = Path::new(&args.args[i]).file_name().unwrap_or_default();
        let target = dir.join(name);
        std::fs::write(&target, new)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        args.args[i] = target.display().to_string();
    }

    let cfg = std::fs::read_to_string(&cfg_path)
        .map_err(|e| format!("cannot read {}: {e}", cfg_path.display()))?;
    let have = importcfg::provided(&cfg);
    let missing: Vec<&String> = woven
        .imports
        .iter()
        .filter(|i| !have.contains(i.as_str()))
        .collect();
    if !missing.is_empty() {
        let closure = closure
            .as_ref()
            .ok_or("injected imports without a closure")?;
        let extra = missing
            .iter()
            .map(|p| {
                let file = closure
                    .packages
                    .get(p.as_str())
                    .filter(|f| !f.is_empty())
                    .ok_or_else(|| format!("no export data for injected import {p}"))?;
                Ok((p.as_str(), file.as_str()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let new_cfg = dir.join("importcfg");
        std::fs::write(&new_cfg, importcfg::extended(&cfg, extra))
            .map_err(|e| format!("cannot write {}: {e}", new_cfg.display()))?;
        args.set_value("-importcfg", &new_cfg.display().to_string());
    }
    Ok(Plan::Run {
        tool: inv.tool.clone(),
        args: args.render(&dir)?,
        notes,
    })
}

/// One line per aspect that skipped join points in this package.
fn notes(pkg: &str, decisions: &[crate::weave::Decision]) -> String {
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for d in decisions {
        if d.skipped.is_some() {
            *skipped.entry(&d.aspect).or_default() += 1;
        }
    }
    skipped
        .iter()
        .map(|(a, n)| {
            format!(
                "goaop: aspect `{a}` skipped {n} join point(s) in {pkg}; `goaop plan` says why\n"
            )
        })
        .collect()
}
