//! Checking one aspect: its pointcut lowered, its typed fields
//! (`requires`, `results`, `globals`, `imports`, `vars`) validated, each
//! advice template checked as Go in the scope those fields declare, and the
//! warnings for what is declared but unused — into a [`CheckedAspect`] and
//! the spans later stages point their errors at.

use std::collections::BTreeSet;

use super::site::{Site, check_advice_fits, mentions};
use super::template::{self, Form, Scope};
use super::{
    Advice, AspectSpans, CheckedAspect, Idents, Origin, SetField, fields, hints, literals,
    pointcut, values,
};
use crate::diag::{Diagnostic, Sources, Span, codes, did_you_mean};
use crate::load::gotype::TypeParser;
use crate::load::{self, RawAspect, Snippet};

/// Check one aspect; `None` if it has errors (already reported).
pub(super) fn check_aspect(
    raw: &RawAspect,
    borrowed: bool,
    sources: &Sources,
    types: &mut TypeParser,
    diags: &mut Vec<Diagnostic>,
) -> Option<(CheckedAspect, AspectSpans)> {
    let before = diags.len();
    let file = sources.get(raw.span.file).name.clone();
    let dsl = file.ends_with(".aspect");
    let name = &raw.name;

    let lowered = match &raw.pointcut {
        Some(p) => pointcut::lower(p, sources, &raw.span, diags),
        None => {
            diags.push(
                Diagnostic::error(
                    codes::NO_POINTCUT,
                    format!("aspect `{}` does not say where it applies", name.value),
                    name.span.clone(),
                    "no pointcut",
                )
                .with_help(if dsl {
                    "add a `pointcut execution(func *(..))` or `pointcut call(database/sql.Open)` clause"
                } else {
                    "add `target: \"<regex over the signature>\"` or `call: \"database/sql.Open\"`"
                }),
            );
            None
        }
    };

    let requires = fields::bindings(&raw.requires, "requires", types, diags);
    let results = fields::bindings(&raw.results, "results", types, diags);
    let globals = fields::idents(&raw.globals, "global", diags);
    let imports = fields::imports(&raw.imports, diags);
    let vars = fields::vars(&raw.vars, diags);

    let binding_names: BTreeSet<String> = requires
        .iter()
        .chain(&results)
        .map(|b| b.name.clone())
        .collect();
    // Every var key counts as declared, even one whose value was rejected,
    // so one mistake is reported once.
    let placeholder_names: BTreeSet<String> = raw
        .vars
        .iter()
        .map(|(k, _)| k.value.clone())
        .chain(raw.requires.iter().map(|(k, _)| k.value.clone()))
        .collect();
    let import_names: BTreeSet<String> = imports.iter().map(|i| i.alias.clone()).collect();
    let global_names: BTreeSet<String> = globals.iter().cloned().collect();
    // Decided from what was written, so a bad call target does not also
    // make its advice "wrong for the join point".
    let site = match &raw.pointcut {
        Some(p) if mentions(p, &|p| matches!(p, load::RawPointcut::Call(_))) => Site::Call,
        Some(p) if mentions(p, &|p| matches!(p, load::RawPointcut::Ref(_))) => Site::Ref,
        _ => Site::Function,
    };
    check_advice_fits(raw, site, diags);
    // The placeholders follow the advice, not the pointcut: advice on the
    // wrong join point is already an error above, so its placeholders are
    // not reported again.
    let call_placeholders = match site {
        Site::Ref => template::REF_PLACEHOLDERS,
        Site::Call | Site::Function => template::CALL_PLACEHOLDERS,
    };
    let field_placeholders = template::SET_FIELD_PLACEHOLDERS;
    let own = template::FUNCTION_PLACEHOLDERS;

    let mut advice = Advice::default();
    let mut declared = BTreeSet::new();
    let mut implicit: Vec<(String, Span, bool)> = Vec::new();
    let mut implicit_seen: BTreeSet<String> = BTreeSet::new();
    let mut used_imports = BTreeSet::new();
    let mut used_placeholders = BTreeSet::new();
    let mut used_globals = BTreeSet::new();
    let mut uses: Vec<values::SpannedUse> = Vec::new();
    let empty = BTreeSet::new();
    // `around`: where statements follow a `{{.Body}}` outside literals.
    let after_body = std::cell::Cell::new(None);
    let mut run = |snippet: &Snippet,
                   form: Form,
                   what: &str,
                   site: &[&'static str],
                   outer: &BTreeSet<String>,
                   diags: &mut Vec<Diagnostic>| {
        let scope = Scope {
            placeholders: &placeholder_names,
            bindings: &binding_names,
            imports: &import_names,
            globals: &global_names,
            site,
            outer_declared: outer,
        };
        let what = format!("the `{what}` advice of aspect `{}`", name.value);
        let checked = template::check(snippet, form, &what, &scope, diags)?;
        after_body.set(
            checked
                .after_body
                .as_ref()
                .map(|r| snippet.file_span(r.clone())),
        );
        for u in &checked.implicit {
            if implicit_seen.insert(u.name.clone()) {
                implicit.push((
                    u.name.clone(),
                    snippet.file_span(u.range.clone()),
                    u.selector,
                ));
            }
        }
        used_imports.extend(checked.used_imports);
        used_placeholders.extend(checked.used_placeholders);
        used_globals.extend(checked.used_globals);
        uses.extend(checked.uses.iter().map(|u| {
            (
                u.name.clone(),
                snippet.file_span(u.range.clone()),
                u.context,
            )
        }));
        let mut t = checked.template;
        t.origin = origin_of(snippet, sources);
        t.columns = columns_of(snippet, t.columns.len(), sources);
        t.lines = lines_of(snippet, t.columns.len(), t.origin.line, sources);
        Some((t, checked.declared))
    };
    if let Some(s) = &raw.advice.before
        && let Some((t, d)) = run(s, Form::Statements, "before", own, &empty, diags)
    {
        advice.before = Some(t);
        declared = d;
    }
    if let Some(s) = &raw.advice.after {
        let outer = declared.clone();
        if let Some((t, d)) = run(s, Form::Statements, "after", own, &outer, diags) {
            advice.after = Some(t);
            declared.extend(d);
        }
    }
    if let Some(s) = &raw.advice.around {
        let outer = declared.clone();
        if let Some((t, d)) = run(s, Form::Around, "around", own, &outer, diags) {
            let pointcut = lowered.as_ref().map(|l| &l.pointcut);
            diags.extend(literals::around_results_warning(
                &t,
                pointcut,
                s,
                &name.value,
            ));
            if let Some(span) = after_body.take() {
                diags.push(literals::code_after_body_warning(
                    &t,
                    pointcut,
                    span,
                    &name.value,
                ));
            }
            advice.around = Some(t);
            declared.extend(d);
        }
    }
    if let Some(s) = &raw.advice.replace {
        advice.replace = run(
            s,
            Form::Expression,
            "replace",
            call_placeholders,
            &empty,
            diags,
        )
        .map(|(t, _)| t);
    }
    if let Some(s) = &raw.advice.wrap {
        advice.wrap = run(
            s,
            Form::Expression,
            "wrap",
            call_placeholders,
            &empty,
            diags,
        )
        .map(|(t, _)| t);
        if site == Site::Ref {
            if !s.text.contains(".Ref") && advice.wrap.is_some() {
                diags.push(
                    Diagnostic::error(codes::ADVICE_MISMATCH, "`wrap` advice on a reference must contain `{{.Ref}}`", s.span.clone(), "the original reference is dropped")
                        .with_help("write the wrapped reference as `{{.Ref}}`, e.g. `otelhttp.NewTransport({{.Ref}})`, or use `replace` to drop it on purpose"),
                );
            }
        } else if !s.text.contains(".Call") && advice.wrap.is_some() {
            diags.push(
                Diagnostic::error(codes::ADVICE_MISMATCH, "`wrap` advice must contain `{{.Call}}`", s.span.clone(), "the original call is dropped")
                    .with_help("write the wrapped call as `{{.Call}}`, e.g. `otelsql.Wrap({{.Call}})`, or use `replace` to drop it on purpose"),
            );
        }
    }
    for s in &raw.advice.append_args {
        if let Some((t, _)) = run(
            s,
            Form::Expression,
            "append-args",
            call_placeholders,
            &empty,
            diags,
        ) {
            advice.append_args.push(t);
        }
    }
    for (field, s) in &raw.advice.set_fields {
        if !template::is_go_ident(&field.value) {
            diags.push(
                Diagnostic::error(
                    codes::BAD_IDENT,
                    format!("`{}` is not a Go field name", field.value),
                    field.span.clone(),
                    "not an identifier",
                )
                .with_help("each `set-field` key is the name of a struct field, e.g. `Transport`"),
            );
            continue;
        }
        let what = format!("set-field {}", field.value);
        if let Some((t, _)) = run(
            s,
            Form::Expression,
            &what,
            field_placeholders,
            &empty,
            diags,
        ) {
            advice.set_fields.push(SetField {
                field: field.value.clone(),
                template: t,
            });
        }
    }

    values::check(&raw.vars, &uses, diags);

    // Warnings below are only for aspects without errors; computed once
    // (asking for each warning would rescan the warnings pushed so far).
    let has_errors = new_errors(diags, before);
    for (alias, path) in &raw.imports {
        if !used_imports.contains(&alias.value)
            && import_names.contains(&alias.value)
            && !has_errors
        {
            diags.push(
                Diagnostic::warning(
                    codes::UNUSED_IMPORT,
                    format!("import `{}` is not used by any advice", alias.value),
                    alias.span.clone(),
                    "unused",
                )
                .with_secondary(
                    path.span.clone(),
                    "this package would be linked into every woven package",
                )
                .with_help("remove it, or use it in the advice"),
            );
        }
    }
    for (key, _) in &raw.vars {
        if !used_placeholders.contains(&key.value) && !has_errors {
            diags.push(
                Diagnostic::warning(
                    codes::UNUSED_VAR,
                    format!("var `{}` is not used by any advice", key.value),
                    key.span.clone(),
                    "unused",
                )
                .with_help(format!(
                    "use it as `{{{{.{}}}}}` in the advice, or remove it",
                    key.value
                )),
            );
        }
    }
    let free: Vec<&str> = implicit.iter().map(|(n, _, _)| n.as_str()).collect();
    for g in &raw.globals {
        if !used_globals.contains(&g.value) && !has_errors {
            let help = match did_you_mean(&g.value, free.iter().copied()) {
                Some(s) => format!("did you mean `{s}`, which the advice uses?"),
                None => "remove it, or use it in the advice".to_string(),
            };
            diags.push(
                Diagnostic::warning(
                    codes::UNUSED_GLOBAL,
                    format!("global `{}` is not used by any advice", g.value),
                    g.span.clone(),
                    "unused",
                )
                .with_help(help),
            );
        }
    }
    // Borrowed (bundled) advice is implicit by design and its text is not
    // the user's to edit: no warnings for it.
    // Nor when the aspect already has errors: a template that failed to
    // check declares nothing, so later advice would look full of free names.
    if !borrowed && !has_errors {
        for (ident, span, selector) in &implicit {
            diags.push(hints::implicit_warning(
                ident,
                span.clone(),
                *selector,
                &name.value,
                dsl,
            ));
        }
    }

    let tests = tests_value(raw, diags);
    if has_errors || new_errors(diags, before) {
        return None;
    }
    let lowered = lowered?;
    let line = sources.get(name.span.file).line(name.span.range.start);
    let aspect = CheckedAspect {
        name: name.value.clone(),
        origin: Origin {
            file,
            line: line as u32,
        },
        kind: lowered.kind,
        pointcut: lowered.pointcut,
        requires,
        results,
        globals,
        imports,
        vars,
        advice,
        idents: Idents {
            declared: declared.into_iter().collect(),
            implicit: implicit.into_iter().map(|(n, _, _)| n).collect(),
        },
        order: raw.order.as_ref().map_or(0, |o| o.value),
        tests,
    };
    let spans = AspectSpans {
        name: name.span.clone(),
        sigs: lowered.sig_spans,
    };
    Some((aspect, spans))
}

/// `tests: true|false` (default false); any other value is an error.
fn tests_value(raw: &RawAspect, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(v) = &raw.tests else {
        return false;
    };
    match v.value.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        _ => {
            diags.push(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("`tests` is `true` or `false`, not `{}`", v.value),
                    v.span.clone(),
                    "not `true` or `false`",
                )
                .with_help(
                    "`tests: true` also weaves the package's `_test.go` files in `go test` builds; \
                     without it (the default) tests run against the woven package, their own files unwoven",
                ),
            );
            false
        }
    }
}

fn new_errors(diags: &[Diagnostic], since: usize) -> bool {
    diags[since..].iter().any(Diagnostic::is_error)
}

fn origin_of(snippet: &Snippet, sources: &Sources) -> Origin {
    let at = snippet.file_offset(0).unwrap_or(snippet.span.range.start);
    let line = sources.get(snippet.span.file).line(at);
    Origin {
        file: sources.get(snippet.span.file).name.clone(),
        line: line as u32,
    }
}

/// The aspect-file line of each of the first `lines` lines of the snippet,
/// when they are not consecutive from `first` (snippets were included);
/// else empty.
fn lines_of(snippet: &Snippet, lines: usize, first: u32, sources: &Sources) -> Vec<u32> {
    if snippet.line_starts.len() < lines {
        return Vec::new();
    }
    let source = sources.get(snippet.span.file);
    // A line with no place of its own (around an included snippet, in a
    // quoted string) is placed where the value starts: never past it.
    let out: Vec<u32> = snippet.line_starts[..lines]
        .iter()
        .map(|&o| match o {
            crate::load::UNMAPPED => source.line(snippet.span.range.start) as u32,
            o => source.line(o) as u32,
        })
        .collect();
    let consecutive = out.iter().zip(first..).all(|(&l, want)| l == want);
    if consecutive { Vec::new() } else { out }
}

/// The aspect-file column (in bytes, as Go counts them) of the first byte
/// of each of the first `lines` lines of the snippet. A value that is not a
/// verbatim copy of its file (a quoted YAML string with escapes, a folded
/// scalar) has no exact mapping: its first line starts where the value does
/// (after the quote), the others at column 1.
fn columns_of(snippet: &Snippet, lines: usize, sources: &Sources) -> Vec<u32> {
    let text = &sources.get(snippet.span.file).text;
    let column = |at: usize| {
        let before = text.get(..at).unwrap_or("");
        (before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1) as u32
    };
    if snippet.line_starts.len() >= lines {
        return snippet.line_starts[..lines]
            .iter()
            .map(|&o| column(o))
            .collect();
    }
    let start = snippet.span.range.start;
    let quoted = matches!(text.as_bytes().get(start), Some(b'"' | b'\''));
    let mut out = vec![1; lines.max(1)];
    out[0] = column(start) + u32::from(quoted);
    out
}
