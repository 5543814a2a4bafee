//! Validation of an aspect's declarative fields: `requires`/`results`
//! bindings, `globals`, `imports` and `vars`. Each returns the valid entries
//! and reports the others.

use std::collections::BTreeMap;

use super::model::{Binding, Import};
use super::{names, template};
use crate::diag::{Diagnostic, Span, Spanned, codes};
use crate::load::gotype::{Allow, TypeParser};

/// `requires`/`results`: each binding name a Go identifier, each type a Go
/// type ([`TypeParser`]), kept in its canonical spelling so that it equals
/// the type the scanner writes for a matching parameter.
pub(super) fn bindings(
    raw: &[(Spanned<String>, Spanned<String>)],
    field: &str,
    types: &mut TypeParser,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Binding> {
    let mut out = Vec::new();
    for (name, ty) in raw {
        let mut ok = true;
        if !template::is_go_ident(&name.value) {
            diags.push(
                Diagnostic::error(codes::BAD_BINDING, format!("`{}` is not a Go identifier", name.value), name.span.clone(), "binding name")
                    .with_help(format!("`{field}` maps the name the advice uses to a Go type, e.g. `ctx: context.Context`")),
            );
            ok = false;
        }
        // Only parameters can be variadic.
        let allow = Allow {
            variadic: field == "requires",
            ..Allow::default()
        };
        // A sub-range of the value maps into the file when the value is
        // written verbatim; otherwise the whole value is marked.
        let at = |r: std::ops::Range<usize>| {
            if ty.span.range.len() == ty.value.len() {
                ty.span.sub(r)
            } else {
                ty.span.clone()
            }
        };
        let canonical = match types.parse(&ty.value, allow) {
            Ok(t) => {
                for (path, range) in &t.paths {
                    if let Some(problem) = names::import_path_problem(path) {
                        diags.push(
                            Diagnostic::error(codes::BAD_BINDING, format!("invalid import path `{path}` in the type of `{}`", name.value), at(range.clone()), problem)
                                .with_help("a type from another package is written with the package's import path: `*net/http.Request`"),
                        );
                        ok = false;
                    }
                }
                t.canonical
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_BINDING,
                        format!("invalid type `{}` for `{}`", ty.value.trim(), name.value),
                        at(e.range),
                        e.message,
                    )
                    .with_help(e.help),
                );
                ok = false;
                String::new()
            }
        };
        if ok {
            out.push(Binding {
                name: name.value.clone(),
                ty: canonical,
            });
        }
    }
    out
}

pub(super) fn idents(
    raw: &[Spanned<String>],
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out = Vec::new();
    for g in raw {
        if template::is_go_ident(&g.value) {
            out.push(g.value.clone());
        } else {
            diags.push(
                Diagnostic::error(codes::BAD_IDENT, format!("`{}` is not a Go identifier", g.value), g.span.clone(), format!("invalid {what} name"))
                    .with_help("globals are names the target package declares at top level, e.g. `tracer` or `ErrUnauthorized`"),
            );
        }
    }
    out
}

pub(super) fn imports(
    raw: &[(Spanned<String>, Spanned<String>)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Import> {
    let mut out: Vec<Import> = Vec::new();
    let mut seen: BTreeMap<&str, &Span> = BTreeMap::new();
    for (alias, path) in raw {
        let mut ok = true;
        if !template::is_go_ident(&alias.value) || alias.value == "_" {
            diags.push(
                Diagnostic::error(codes::BAD_IDENT, format!("`{}` is not a valid import alias", alias.value), alias.span.clone(), "not a Go identifier")
                    .with_help("an import alias is the name the advice uses for the package, e.g. `slog: log/slog`"),
            );
            ok = false;
        }
        if let Some(first) = seen.insert(alias.value.as_str(), &alias.span) {
            diags.push(
                Diagnostic::error(
                    codes::NAME_CLASH,
                    format!("import alias `{}` is declared twice", alias.value),
                    alias.span.clone(),
                    "second declaration",
                )
                .with_secondary(first.clone(), "first declared here")
                .with_help("give each imported package its own alias"),
            );
            ok = false;
        }
        if let Some(problem) = names::import_path_problem(&path.value) {
            diags.push(
                Diagnostic::error(codes::BAD_IMPORT_PATH, format!("invalid import path `{}`", path.value), path.span.clone(), problem)
                    .with_help("write the package's import path as in a Go import declaration, e.g. `go.opentelemetry.io/otel`"),
            );
            ok = false;
        }
        if ok {
            out.push(Import {
                alias: alias.value.clone(),
                path: path.value.clone(),
            });
        }
    }
    out
}

pub(super) fn vars(
    raw: &[(Spanned<String>, Spanned<String>)],
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in raw {
        if !template::is_go_ident(&key.value) {
            diags.push(
                Diagnostic::error(
                    codes::BAD_IDENT,
                    format!("`{}` is not a valid var name", key.value),
                    key.span.clone(),
                    "not a Go identifier",
                )
                .with_help("var names are used as `{{.Name}}`: letters, digits and `_`"),
            );
            continue;
        }
        if template::BUILTIN_PLACEHOLDERS.contains(&key.value.as_str()) {
            diags.push(
                Diagnostic::error(codes::NAME_CLASH, format!("var `{}` shadows a built-in placeholder", key.value), key.span.clone(), "built-in name")
                    .with_help("rename the var; built-in placeholders are filled in by goaop for each function"),
            );
            continue;
        }
        // Whether the value can be written where the advice uses it is
        // checked against each use (values.rs).
        out.insert(key.value.clone(), value.value.clone());
    }
    out
}
