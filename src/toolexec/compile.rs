//! `compile`: weave the package if an aspect can touch it, then run the real
//! compiler on the woven files. What is woven, and what is skipped (test
//! files, the closure of the advice's imports), is decided by
//! [`crate::buildset`], like in every other mode.
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
use super::{
    Invocation, Plan, Woven, deps, failure, importcfg, nested_toolexec, parent, pin, sources,
};
use crate::buildset::{self, COMMAND_LINE, Closure, Target, Unit, dir_import_path};
use crate::compile::RuleSetRef;
use crate::weave::SourceFile;

/// Weave the compile's package if an aspect can touch it. The compiles of
/// the nested `go list -export` of [`deps`] come here too: every package
/// they compile is in the closure of the advice's imports, which is never
/// woven, so they pass through.
pub fn plan(inv: &Invocation) -> Plan {
    let args = match ToolArgs::parse(&inv.args) {
        Ok(args) => args,
        Err(e) => return unreadable(inv, &e),
    };
    let Some(p) = args.value("-p") else {
        return inv.passthrough();
    };
    let chosen = match pin::choose(inv, false) {
        Ok(c) => c,
        Err(o) => return Plan::Done(o),
    };
    let Some(target) = target(p, &args, &chosen.project) else {
        return inv.passthrough();
    };
    // Most compiles end here, decided from the pin alone.
    match chosen.touches(&target.scope_path) {
        Ok(true) => {}
        Ok(false) => return inv.passthrough(),
        Err(o) => return Plan::Done(o),
    }
    let (project, rules) = match chosen.rules() {
        Ok(p) => p,
        Err(o) => return Plan::Done(o),
    };
    match weave(inv, args, &target, &project, rules) {
        Ok(plan) => plan,
        Err(e) => failure(format!("weaving {}: {e}", target.path)),
    }
}

/// A compile whose command line goaop cannot read (an argument that is
/// not UTF-8, such as a file in a directory so named; a response file it
/// cannot read): passed through only if no aspect can touch its package,
/// else a failure. Never an unwoven package with exit 0, which is what
/// plan and driver mode, failing on the same paths, would not give.
fn unreadable(inv: &Invocation, why: &str) -> Plan {
    let chosen = match pin::choose(inv, false) {
        Ok(c) => c,
        Err(o) => return Plan::Done(o),
    };
    let lossy = ToolArgs {
        args: inv
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        had_response_file: false,
    };
    let p = lossy.value("-p").unwrap_or("main");
    let target = target(p, &lossy, &chosen.project);
    let name = target.as_ref().map_or(p, |t| t.path.as_str());
    match target.as_ref().map(|t| chosen.touches(&t.scope_path)) {
        Some(Ok(false)) => inv.passthrough(),
        Some(Err(o)) => Plan::Done(o),
        _ => failure(format!(
            "cannot weave package {name}: {why}; goaop reads the compiler's arguments as \
             UTF-8 text (move the module to a directory whose path is valid UTF-8)"
        )),
    }
}

/// Which package is being compiled: cmd/go says so in
/// `TOOLEXEC_IMPORTPATH` (`path [variant.test]` for test variants; see
/// [`Target::parse`]); without it, `-p`, except that commands are compiled
/// as `-p main`. Files named on the command line (`command-line-arguments`,
/// and `-p main` without `TOOLEXEC_IMPORTPATH`) are the package of their
/// directory in the main module, and `command-line-arguments` outside it:
/// what [`buildset::listed_target`] makes of `go list`'s entry, so that
/// plan, driver mode and `-toolexec` weave them alike. `None` for a package
/// not to weave (a generated test main).
fn target(p: &str, args: &ToolArgs, project: &Project) -> Option<Target> {
    let env = std::env::var("TOOLEXEC_IMPORTPATH").unwrap_or_default();
    if !env.is_empty() && env != COMMAND_LINE {
        return Target::parse(&env, p == "main");
    }
    if p != "main" && p != COMMAND_LINE {
        return Target::parse(p, false);
    }
    let in_module = project.module.as_ref().and_then(|module| {
        args.args[args.go_files()]
            .iter()
            .find_map(|f| dir_import_path(Path::new(f).parent()?, &module.root, &module.path))
    });
    match in_module {
        Some(path) => Target::parse(&path, false),
        None => Target::parse(COMMAND_LINE, p == "main"),
    }
}

/// Every import path the rule set's advice can add, sorted.
pub fn rule_imports(view: &RuleSetRef) -> Result<Vec<String>, String> {
    buildset::rule_imports(view)
}

/// `$WORK` from an action file such as `$WORK/b001/importcfg`.
pub fn work_dir(action_file: &Path) -> PathBuf {
    parent(parent(action_file)).to_path_buf()
}

fn weave(
    inv: &Invocation,
    mut args: ToolArgs,
    target: &Target,
    project: &Project,
    rules: Rules,
) -> Result<Plan, String> {
    let view = rules.view()?;
    let main_module = project.module_path();
    let scope = view
        .packages(&target.scope_path, main_module)
        .map_err(|e| format!("rule set: {e}"))?;
    if scope.is_empty() {
        return Ok(inv.passthrough());
    }
    let (Some(out), Some(cfg_path)) = (
        args.value("-o").map(PathBuf::from),
        args.value("-importcfg").map(PathBuf::from),
    ) else {
        // cmd/go names both for every compile; passing this one through
        // would build an aspect's package unwoven.
        return Err("the compiler's command line has no -o or no -importcfg".to_string());
    };
    let work = work_dir(&cfg_path);
    let module_root = project
        .module
        .as_ref()
        .map(|m| m.root.clone())
        .unwrap_or_else(|| project.go_cwd.clone());
    let imports = rule_imports(&view)?;
    let this = target.path.as_str();
    // Only this package's membership matters here; the closure's export
    // files only if the woven code imports what the importcfg lacks.
    let off_limits = if imports.is_empty() {
        Closure::default()
    } else {
        let listing = sources::resolve(&module_root, &inv.tool, &imports)?;
        Closure::from_set(&imports, listing.contains(this).then_some(this))
    };

    let range = args.go_files();
    let renamed = trimpath_renames(&args);
    let mut files = Vec::with_capacity(range.len());
    for f in &args.args[range.clone()] {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        // A file of the user's -overlay is passed as its replacement, and
        // mapped back to its own path by -trimpath: weave it under that
        // name, as driver mode does.
        let name = renamed.get(f.as_str()).unwrap_or(f).clone();
        files.push(SourceFile { name, text });
    }
    let unit = Unit {
        path: target.path.clone(),
        scope_path: target.scope_path.clone(),
        files,
    };
    let woven = buildset::weave_unit(&view, main_module, &unit, &off_limits, false)
        .map_err(|e| e.to_string())?;
    let notes = notes(&target.path, &woven.decisions);
    if woven.files.iter().all(Option::is_none) {
        return Ok(Plan::Run {
            tool: inv.tool.clone(),
            args: inv.args.clone(),
            notes,
            woven: None,
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
        if imports.is_empty() {
            return Err("injected imports without a closure".to_string());
        }
        if args.value("-pgoprofile").is_some()
            && !deps::Nested::new(&module_root, &inv.tool, &imports).names_pgo_file()
        {
            return Err(pgo_refused(&missing));
        }
        let closure = deps::resolve(
            Some(&work),
            &module_root,
            &inv.tool,
            &imports,
            &nested_toolexec(inv),
        )?;
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
    let decisions = woven
        .decisions
        .into_iter()
        .map(|d| (unit.files[d.file].name.clone(), d))
        .collect();
    Ok(Plan::Run {
        tool: inv.tool.clone(),
        args: args.render(&dir)?,
        notes,
        woven: Some(Woven {
            rules,
            decisions,
            base: project.go_cwd.clone(),
        }),
    })
}

/// Why a `-pgo=auto` build with a profile cannot weave imports the build
/// lacks, and what works instead.
fn pgo_refused(missing: &[&String]) -> String {
    let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    format!(
        "this package is compiled with its program's PGO profile (default.pgo, \
         -pgo=auto) and its advice imports {}, which the program does not: goaop \
         would build them without the profile and the link would fail \
         (fingerprint mismatch).\n  help: name the profile (`-pgo=path/to/default.pgo` \
         applies it to every package, goaop's too), build with `-pgo=off`, or use \
         driver mode (`goaop go build`), where the go command builds every package",
        list.join(", ")
    )
}

/// One line per aspect that skipped join points in this package.
fn notes(pkg: &str, decisions: &[crate::weave::Decision]) -> String {
    buildset::skip_counts(decisions)
        .iter()
        .map(|(a, n)| {
            format!(
                "goaop: aspect `{a}` skipped {n} join point(s) in {pkg}; `goaop plan` says why\n"
            )
        })
        .collect()
}

/// The `from=>to` pairs of the compiler's `-trimpath` that name single
/// files: cmd/go maps each overlaid file's replacement back to its path.
fn trimpath_renames(args: &ToolArgs) -> BTreeMap<String, String> {
    args.value("-trimpath")
        .unwrap_or_default()
        .split(';')
        .filter_map(|r| r.split_once("=>"))
        .filter(|(from, _)| from.ends_with(".go"))
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .collect()
}
