//! Stage 2 — check: [`RawAspect`]s into [`CheckedAspect`]s, collecting every
//! problem of a run with its span (DESIGN §5).
//!
//! Checking resolves what the aspect files refer to (bundled aspects named by
//! the short form, packs named by `use:`: bundled integrations and the Go
//! packages the project layer read, [`crate::packs`]), validates every value, and
//! checks each advice template as Go. It never stops at the first problem.

mod fields;
mod hints;
pub mod holes;
mod literals;
pub mod model;
pub mod modules;
pub mod names;
pub mod pointcut;
mod segments;
pub mod template;
mod uses;
mod values;

use std::collections::{BTreeMap, BTreeSet};

pub use model::*;
pub use uses::{UsedPack, note_pack_origins};

use crate::bundled;
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes, did_you_mean};
use crate::load::gotype::TypeParser;
use crate::load::{self, RawAspect, Snippet};
use crate::packs::Packs;
use template::{Form, Scope};

/// Spans of one checked aspect, to point later stages' errors at its text.
#[derive(Clone, Debug)]
pub struct AspectSpans {
    pub name: Span,
    /// Each signature regex of the pointcut with where it was written.
    pub sigs: Vec<(String, Span)>,
}

/// Everything a `check` run produced.
#[derive(Debug, Default)]
pub struct CheckOutput {
    pub aspects: Vec<CheckedAspect>,
    /// Parallel to `aspects`.
    pub spans: Vec<AspectSpans>,
    /// Bundled integrations enabled with `use:`.
    pub uses: Vec<Spanned<String>>,
    /// The packs (bundled ones included) enabled, in `use:` order.
    pub packs: Vec<UsedPack>,
    /// Files of non-bundled packs → the pack's name and the `use:` entry
    /// that enabled it.
    pub pack_files: BTreeMap<FileId, (String, Span)>,
    /// The names of `uses` (and of unknown ones, reported once).
    pub(super) used: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Load and check aspect files already added to `sources`, with only the
/// bundled packs. Bundled files the aspects refer to are added to `sources`
/// too.
pub fn check_files(sources: &mut Sources, files: &[FileId]) -> CheckOutput {
    check_with_packs(sources, files, &Packs::default())
}

/// Load and check aspect files already added to `sources`; `use:` entries
/// name bundled integrations or `packs` (read by the project layer). The
/// files of the packs used are added to `sources`.
pub fn check_with_packs(sources: &mut Sources, files: &[FileId], packs: &Packs) -> CheckOutput {
    let mut out = CheckOutput::default();
    let mut raws: Vec<RawAspect> = Vec::new();
    for &file in files {
        let (raw, diags) = load::load(sources, file);
        out.diagnostics.extend(diags);
        out.diagnostics.extend(path_problem(sources, file));
        uses::resolve(sources, &raw, packs, &mut raws, &mut out);
        raws.extend(raw.aspects);
    }
    let mut base: Option<Vec<RawAspect>> = None;
    let mut types = TypeParser::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for raw in raws {
        if let Some(problem) = names::aspect_name_problem(&raw.name.value) {
            out.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_ASPECT_NAME,
                    "invalid aspect name",
                    raw.name.span.clone(),
                    problem,
                )
                .with_help("name aspects with letters, digits, `-`, `_` and `.`, e.g. `http-client` (the name is shown by `goaop plan` and in woven code)"),
            );
            continue;
        }
        if let Some(first) = seen.get(&raw.name.value) {
            out.diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    format!("two aspects are named `{}`", raw.name.value),
                    raw.name.span.clone(),
                    "second definition",
                )
                .with_secondary(first.clone(), "first defined here")
                .with_help("aspect names must be unique: rename one of them"),
            );
            continue;
        }
        seen.insert(raw.name.value.clone(), raw.name.span.clone());
        let borrowed = !has_advice(&raw);
        let raw = if borrowed {
            let base = base.get_or_insert_with(|| load_base(sources));
            match borrow_bundled(raw, base, &mut out.diagnostics) {
                Some(raw) => raw,
                None => continue,
            }
        } else {
            raw
        };
        if let Some((aspect, spans)) =
            check_aspect(&raw, borrowed, sources, &mut types, &mut out.diagnostics)
        {
            out.aspects.push(aspect);
            out.spans.push(spans);
        }
    }
    out
}

/// An aspect file's path goes into the `//line` directives before the code
/// its advice writes: a line break would end the directive.
pub(super) fn path_problem(sources: &Sources, file: FileId) -> Option<Diagnostic> {
    let name = &sources.get(file).name;
    name.contains(['\n', '\r']).then(|| {
        Diagnostic::error(
            codes::UNSAFE_PATH,
            format!("the path of aspect file {name:?} holds a line break"),
            Span::new(file, 0..0),
            "this file",
        )
        .with_help("woven code points back at its aspect file with `//line` directives, which end at a line break: rename the file or its directory")
    })
}

/// Check one bundled file on its own (what `--list-bundled` and `goaop init`
/// need to know about an integration: its aspects and their imports).
pub fn check_bundled(file: &bundled::BundledFile) -> CheckOutput {
    let mut sources = Sources::new();
    let id = sources.add(file.path, file.text);
    check_files(&mut sources, &[id])
}

fn has_advice(raw: &RawAspect) -> bool {
    let a = &raw.advice;
    a.before.is_some()
        || a.after.is_some()
        || a.around.is_some()
        || a.replace.is_some()
        || a.wrap.is_some()
        || !a.append_args.is_empty()
        || !a.set_fields.is_empty()
}

fn load_base(sources: &mut Sources) -> Vec<RawAspect> {
    let mut out = Vec::new();
    for file in bundled::BASE {
        let id = sources.add(file.path, file.text);
        out.extend(load::load(sources, id).0.aspects);
    }
    out
}

/// The short form `- { name: tracing, target: … }`: the bundled aspect's
/// advice (and what it needs) with the user's pointcut and order.
fn borrow_bundled(
    raw: RawAspect,
    base: &[RawAspect],
    diags: &mut Vec<Diagnostic>,
) -> Option<RawAspect> {
    let Some(found) = base.iter().find(|b| b.name.value == raw.name.value) else {
        let help = match did_you_mean(&raw.name.value, base.iter().map(|b| b.name.value.as_str())) {
            Some(s) => format!(
                "did you mean the bundled aspect `{s}`? Otherwise give this aspect advice with `before:`/`after:`"
            ),
            None => format!(
                "an aspect without advice must name a bundled aspect ({}); otherwise add `before:` (or `template:`) with the Go statements to inject",
                base.iter()
                    .map(|b| format!("`{}`", b.name.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diags.push(
            Diagnostic::error(
                codes::UNKNOWN_BUNDLED,
                format!(
                    "aspect `{}` has no advice and no bundled aspect has that name",
                    raw.name.value
                ),
                raw.name.span.clone(),
                "no advice to borrow",
            )
            .with_help(help),
        );
        return None;
    };
    let mut vars = found.vars.clone();
    for (k, v) in raw.vars {
        vars.retain(|(bk, _)| bk.value != k.value);
        vars.push((k, v));
    }
    Some(RawAspect {
        pointcut: raw.pointcut.or_else(|| found.pointcut.clone()),
        order: raw.order.or_else(|| found.order.clone()),
        tests: raw.tests.or_else(|| found.tests.clone()),
        vars,
        name: raw.name,
        span: raw.span,
        ..found.clone()
    })
}

/// Check one aspect; `None` if it has errors (already reported).
fn check_aspect(
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

/// The kind of join point an aspect's advice is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    Function,
    Call,
    Ref,
}

/// Whether some leaf of the pointcut satisfies `leaf` (no recursion: an
/// explicit stack of the nodes still to visit).
fn mentions(p: &load::RawPointcut, leaf: &dyn Fn(&load::RawPointcut) -> bool) -> bool {
    use load::RawPointcut as P;
    let mut todo = vec![p];
    while let Some(p) = todo.pop() {
        match p {
            P::And(ps) | P::Or(ps) => todo.extend(ps),
            P::Not(a) => todo.push(a),
            other if leaf(other) => return true,
            _ => {}
        }
    }
    false
}

fn origin_of(snippet: &Snippet, sources: &Sources) -> Origin {
    let at = snippet.file_offset(0).unwrap_or(snippet.span.range.start);
    let line = sources.get(snippet.span.file).line(at);
    Origin {
        file: sources.get(snippet.span.file).name.clone(),
        line: line as u32,
    }
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

/// Function advice on call sites (or the reverse), `set-field` mixed with
/// call advice, and advice a reference cannot take are errors.
fn check_advice_fits(raw: &RawAspect, site: Site, diags: &mut Vec<Diagnostic>) {
    let a = &raw.advice;
    let fields = a.set_fields.iter().map(|(_, s)| s);
    let call_advice = || a.replace.iter().chain(&a.wrap).chain(&a.append_args);
    let (wrong, which, help): (Vec<&Snippet>, &str, &str) = match site {
        Site::Call => {
            let body: Vec<&Snippet> = a.before.iter().chain(&a.after).chain(&a.around).collect();
            if body.is_empty()
                && let (Some(first), Some(field)) = (call_advice().next(), a.set_fields.first())
            {
                diags.push(
                    Diagnostic::error(
                        codes::ADVICE_MISMATCH,
                        "`set-field` cannot be combined with `replace`/`wrap`/`append-args` in one aspect",
                        first.span.clone(),
                        "advice for calls of a function",
                    )
                    .with_secondary(field.0.span.clone(), "advice for composite literals of a type")
                    .with_help("`set-field` rewrites composite literals `T{…}` of a type, the others rewrite calls `F(…)`: split them into two aspects"),
                );
                return;
            }
            (
                body,
                "`before`/`after`/`around` advice runs in function bodies, but this aspect selects call sites",
                "use `wrap: \"f({{.Call}})\"`, `replace`, `append-args` or `set-field` for call sites, or select functions with `target`",
            )
        }
        Site::Ref => (
            a.before
                .iter()
                .chain(&a.after)
                .chain(&a.around)
                .chain(&a.append_args)
                .chain(fields)
                .collect(),
            "a `ref` aspect only takes `wrap` (with `{{.Ref}}`) or `replace` advice",
            "wrap the reference, e.g. `wrap: \"otelhttp.NewTransport({{.Ref}})\"`, or select call sites with `call` for `append-args`/`set-field`",
        ),
        Site::Function => (
            call_advice().chain(fields).collect(),
            "call-site advice (`replace`/`wrap`/`append-args`/`set-field`) needs a `call` or `ref` pointcut",
            "select call sites with `call: \"database/sql.Open\"` (composite literals with `call: \"net/http.Client\"`), or use `before`/`after` for functions",
        ),
    };
    if let Some(s) = wrong.first() {
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                which,
                s.span.clone(),
                "does not fit the join point",
            )
            .with_help(help),
        );
    }
}
