//! Checked aspects against the user's go.mod: every package the advice
//! imports must come from the standard library, the main module (or its
//! workspace) or a required module. Otherwise the build would fail inside a
//! nested `go list` about code the user never wrote; here the error points at
//! the `use:` entry or the aspect and names the `go get` to run.

use super::{CheckOutput, Origin};
use crate::bundled::{self, GoModule};
use crate::diag::{Diagnostic, codes};
use crate::gomod::{ModuleGraph, is_std};

/// One error per `use:` entry (bundled integrations, whose modules are known
/// exactly) and per user aspect with imports no module provides.
pub fn missing_modules(out: &CheckOutput, graph: &ModuleGraph) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for used in &out.uses {
        let Some(file) = bundled::integration(&used.value) else {
            continue;
        };
        let missing: Vec<&GoModule> = file
            .modules
            .iter()
            .filter(|m| !graph.has_module(m.path))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let get = missing
            .iter()
            .map(|m| format!("{}@{}", m.path, m.version))
            .collect::<Vec<_>>()
            .join(" ");
        let names = missing
            .iter()
            .map(|m| m.path)
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(
            Diagnostic::error(
                codes::MISSING_MODULE,
                format!(
                    "the `{}` integration needs {} in go.mod",
                    used.value,
                    plural(missing.len(), "a module", "modules")
                ),
                used.span.clone(),
                format!("needs {names}"),
            )
            .with_help(format!(
                "run `go get {get}` (or `goaop init --use {}`), then build again",
                used.value
            )),
        );
    }
    for (aspect, spans) in out.aspects.iter().zip(&out.spans) {
        if is_bundled(&aspect.origin) {
            continue;
        }
        let missing: Vec<&str> = aspect
            .imports
            .iter()
            .map(|i| i.path.as_str())
            .filter(|p| !is_std(p) && graph.provider(p).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        diags.push(
            Diagnostic::error(
                codes::MISSING_MODULE,
                format!(
                    "aspect `{}` imports {} that no module in go.mod provides",
                    aspect.name,
                    missing
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                spans.name.clone(),
                "its advice would not compile",
            )
            .with_help(format!(
                "run `go get {}`, then build again",
                missing.join(" ")
            )),
        );
    }
    diags
}

fn is_bundled(origin: &Origin) -> bool {
    origin.file.starts_with("<bundled>/")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_string()
    } else {
        format!("{n} {many}")
    }
}
