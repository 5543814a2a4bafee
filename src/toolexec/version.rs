//! `compile -V=full` / `link -V=full`: the tool ID cmd/go folds into every
//! action's cache key. We append
//! ` goaop=<version>+<goaop>+<rule set>+<closure>` to the tool's line, so
//! the Go build cache is keyed on everything woven objects depend on that
//! cmd/go cannot see: goaop's own binary ([`identity`](super::identity)),
//! the rule set's fingerprint, and the closure of the packages the advice
//! imports (cmd/go keys the woven package on its own imports only, and the
//! link on the packages of its own graph). A second identical build
//! compiles nothing; an aspect edit, another goaop, or an edit of a package
//! the advice imports recompiles.
//!
//! The compiler's closure part is the id of the closure's *sources*
//! ([`sources::Listing::id`]), known before anything is compiled, so the
//! nested `go list -export` that builds the closure can run through goaop
//! with the very same tag and share the compiled packages with the outer
//! build. The linker's adds the id of the export files themselves
//! ([`deps::Deps::id`]): the link is keyed on exactly the archives it links.

use std::process::{Command, Stdio};

use super::compile::rule_imports;
use super::{Invocation, Plan, cache, config, deps, failure, nested_toolexec, pin, sources};
use crate::outcome::Outcome;

pub fn plan(inv: &Invocation) -> Plan {
    // The tool's own answer is started first and runs while goaop works
    // out its part (a few milliseconds each: a no-op build is mostly these
    // calls); its output is read once both are done.
    let child = match Command::new(&inv.tool)
        .args(&inv.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return failure(format!("cannot run {}: {e}", inv.tool.display())),
    };
    let ours = tag(inv);
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return failure(format!("cannot run {}: {e}", inv.tool.display())),
    };
    let tag = match ours {
        Ok(t) => t,
        Err(o) => return Plan::Done(o),
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Plan::Done(Outcome {
            stdout,
            stderr,
            code: out.status.code().unwrap_or(1),
        });
    }
    Plan::Done(Outcome {
        stdout: tagged(&stdout, &tag),
        stderr,
        code: 0,
    })
}

/// goaop's part of the tool ID: its version and identity, the rule set's
/// fingerprint and the closure's identity.
fn tag(inv: &Invocation) -> Result<String, Outcome> {
    let (project, rules) = pin::rules(inv, true)?;
    // Once per build and tool, not per compile: the walk itself runs at
    // most once a day.
    if let Some(dir) = cache::cache_dir() {
        crate::store::trim::trim(&dir, std::time::SystemTime::now());
    }
    let fingerprint = rules.fingerprint().map_err(pin::fail)?;
    let closure = closure_id(inv, &project, &rules).map_err(pin::fail)?;
    Ok(format!(
        "goaop={}+{}+{}+{closure}",
        crate::VERSION,
        &rules.exe_id()[..16],
        &fingerprint.to_hex()[..16],
    ))
}

/// The identity of the closure of the advice's imports, `-` without any.
fn closure_id(
    inv: &Invocation,
    project: &config::Project,
    rules: &cache::Rules,
) -> Result<String, String> {
    let imports = rule_imports(&rules.view()?)?;
    if imports.is_empty() {
        return Ok("-".to_string());
    }
    let module_root = project
        .module
        .as_ref()
        .map_or(project.go_cwd.as_path(), |m| m.root.as_path());
    let listed = sources::resolve(module_root, &inv.tool, &imports)?.id;
    if inv.tool_name() != "link" {
        return Ok(listed);
    }
    let built = deps::resolve(
        None,
        module_root,
        &inv.tool,
        &imports,
        &nested_toolexec(inv),
    )?;
    Ok(format!("{listed}.{}", built.id()))
}

/// Add `tag` to a `<tool> version <ver> …` line. A release toolchain's
/// whole line is its ID, so the tag goes at the end; a devel toolchain's
/// ID is its trailing `buildID=…` field, so the tag goes into that.
pub fn tagged(line: &str, tag: &str) -> String {
    let line = line.trim_end();
    match line.rsplit_once(' ') {
        Some((head, last)) if last.starts_with("buildID=") => {
            format!("{head} {last}.{tag}\n")
        }
        _ => format!("{line} {tag}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::tagged;

    #[test]
    fn release_and_devel_lines() {
        assert_eq!(
            tagged("compile version go1.26.8\n", "goaop=1+a+b"),
            "compile version go1.26.8 goaop=1+a+b\n"
        );
        assert_eq!(
            tagged("compile version devel x buildID=ab/cd\n", "goaop=1"),
            "compile version devel x buildID=ab/cd.goaop=1\n"
        );
    }
}
