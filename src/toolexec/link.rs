//! `link`: the final binary must contain the packages injected code
//! imports. When the rule set imports anything, `packagefile` lines for
//! those packages and their closure are added to a copy of
//! `importcfg.link` (lines for packages already there are left alone;
//! extra ones are harmless).

use std::path::PathBuf;

use super::args::ToolArgs;
use super::compile::{rule_imports, work_dir};
use super::{Invocation, Plan, deps, failure, importcfg, nested_toolexec, parent, pin};

pub fn plan(inv: &Invocation) -> Plan {
    match relink(inv) {
        Ok(Some(plan)) => plan,
        Ok(None) => inv.passthrough(),
        Err(e) => failure(format!("link: {e}")),
    }
}

fn relink(inv: &Invocation) -> Result<Option<Plan>, String> {
    let mut args = ToolArgs::parse(&inv.args)?;
    let Some(cfg_path) = args.value("-importcfg").map(PathBuf::from) else {
        return Ok(None);
    };
    let (project, rules) = match pin::rules(inv, false) {
        Ok(p) => p,
        Err(o) => return Ok(Some(Plan::Done(o))),
    };
    let imports = rule_imports(&rules.view()?)?;
    if imports.is_empty() {
        return Ok(None);
    }
    let module_root = project
        .module
        .as_ref()
        .map(|m| m.root.clone())
        .unwrap_or_else(|| project.go_cwd.clone());
    let closure = deps::resolve(
        Some(&work_dir(&cfg_path)),
        &module_root,
        &inv.tool,
        &imports,
        &nested_toolexec(inv),
    )?;
    let cfg = std::fs::read_to_string(&cfg_path)
        .map_err(|e| format!("cannot read {}: {e}", cfg_path.display()))?;
    let have = importcfg::provided(&cfg);
    if closure.packages.keys().all(|p| have.contains(p.as_str())) {
        return Ok(None);
    }
    let dir = parent(&cfg_path);
    let new_cfg = dir.join("goaop-importcfg.link");
    let extra = closure
        .packages
        .iter()
        .map(|(p, f)| (p.as_str(), f.as_str()));
    std::fs::write(&new_cfg, importcfg::extended(&cfg, extra))
        .map_err(|e| format!("cannot write {}: {e}", new_cfg.display()))?;
    args.set_value("-importcfg", &new_cfg.display().to_string());
    Ok(Some(Plan::Run {
        tool: inv.tool.clone(),
        args: args.render(dir)?,
        notes: String::new(),
        woven: None,
    }))
}
