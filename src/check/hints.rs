//! The help lines of implicit-identifier warnings: which `imports:`,
//! `requires:`, `results:` or `globals:` line would make a free name in an
//! advice explicit, in the spelling of the file (YAML or DSL).

use crate::diag::{Diagnostic, Span, codes};

/// Well-known packages, to suggest an `imports:` line for a free `slog.X`.
const KNOWN_PACKAGES: &[(&str, &str)] = &[
    ("slog", "log/slog"),
    ("log", "log"),
    ("fmt", "fmt"),
    ("time", "time"),
    ("os", "os"),
    ("errors", "errors"),
    ("strings", "strings"),
    ("context", "context"),
    ("http", "net/http"),
    ("sql", "database/sql"),
    ("sync", "sync"),
    ("atomic", "sync/atomic"),
    ("runtime", "runtime"),
    ("debug", "runtime/debug"),
    ("otel", "go.opentelemetry.io/otel"),
    ("trace", "go.opentelemetry.io/otel/trace"),
    ("attribute", "go.opentelemetry.io/otel/attribute"),
    ("codes", "go.opentelemetry.io/otel/codes"),
    ("metric", "go.opentelemetry.io/otel/metric"),
];

/// Well-known parameter names, to suggest a typed `requires:` line.
const KNOWN_PARAMS: &[(&str, &str)] = &[
    ("ctx", "context.Context"),
    ("r", "*net/http.Request"),
    ("req", "*net/http.Request"),
    ("w", "net/http.ResponseWriter"),
];

pub(super) fn implicit_warning(
    ident: &str,
    span: Span,
    selector: bool,
    aspect: &str,
    dsl: bool,
) -> Diagnostic {
    let package = KNOWN_PACKAGES
        .iter()
        .find(|(n, _)| *n == ident)
        .filter(|_| selector);
    let param = KNOWN_PARAMS.iter().find(|(n, _)| *n == ident);
    let (explain, line) = if let Some((alias, path)) = package {
        (
            "import the package it names",
            if dsl {
                format!("import {alias} \"{path}\"")
            } else {
                format!("imports: {{ {alias}: {path} }}")
            },
        )
    } else if let Some((name, ty)) = param {
        (
            "bind it by type, so it matches whatever the parameter is called",
            if dsl {
                format!("requires {{ {name} {ty} }}")
            } else {
                format!("requires: {{ {name}: \"{ty}\" }}")
            },
        )
    } else if selector {
        (
            "if it is a package, import it; if it is a package-level variable, declare it",
            if dsl {
                format!("import {ident} \"<import path>\"` or `globals {ident}")
            } else {
                format!("imports: {{ {ident}: <import path> }}` or `globals: [{ident}]")
            },
        )
    } else if ident == "err" {
        (
            "bind the function's error result",
            if dsl {
                "results { err error }".into()
            } else {
                "results: { err: error }".into()
            },
        )
    } else {
        (
            "declare it as a name the target package must provide",
            if dsl {
                format!("globals {ident}")
            } else {
                format!("globals: [{ident}]")
            },
        )
    };
    Diagnostic::warning(
        codes::IMPLICIT_IDENT,
        format!("`{ident}` is not declared by aspect `{aspect}`"),
        span,
        "resolved implicitly at weave time",
    )
    .with_note(format!(
        "goaop will look `{ident}` up in each target function's parameters, then in its package; functions where it is missing are skipped"
    ))
    .with_help(format!("to make it explicit ({explain}), add `{line}` to the aspect"))
}
