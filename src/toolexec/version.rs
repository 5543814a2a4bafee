//! `compile -V=full` / `link -V=full`: the tool ID cmd/go folds into every
//! action's cache key. We append ` goaop=<version>+<rule set>+<go.sum>` to
//! the tool's line, so the Go build cache is keyed on the aspects: a
//! second identical build compiles nothing, an aspect edit recompiles.

use std::process::Command;

use super::{Invocation, Plan, cache, config, failure};
use crate::cli::Outcome;

pub fn plan(inv: &Invocation) -> Plan {
    let project = match config::find(inv.config.as_deref()) {
        Ok(p) => p,
        Err(o) => return Plan::Done(o),
    };
    let rules = match cache::load(&project) {
        Ok(r) => r,
        Err(o) => return Plan::Done(o),
    };
    let fingerprint = match rules.fingerprint() {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    let gosum = project
        .module
        .as_ref()
        .and_then(|m| std::fs::read(m.root.join("go.sum")).ok())
        .unwrap_or_default();
    let out = match Command::new(&inv.tool).args(&inv.args).output() {
        Ok(o) => o,
        Err(e) => return failure(format!("cannot run {}: {e}", inv.tool.display())),
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
    let tag = format!(
        "goaop={}+{}+{}",
        crate::VERSION,
        &fingerprint.to_hex()[..16],
        &blake3::hash(&gosum).to_hex()[..16]
    );
    Plan::Done(Outcome {
        stdout: tagged(&stdout, &tag),
        stderr,
        code: 0,
    })
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
