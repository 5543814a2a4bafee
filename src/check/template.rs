//! Typed templates (DESIGN §5): placeholders, Go syntax and identifiers.
//!
//! A template is Go text with `{{.Name}}` placeholders. Checking it means:
//! every placeholder is known; with placeholders replaced by neutral
//! identifiers of the same length (so byte offsets stay valid) the text
//! parses as Go statements (or as an expression, for call-site advice); and
//! every identifier it uses is classified. The result is pre-split into
//! [`Segment`]s so the weaver substitutes without parsing again.
//!
//! [`check`] runs those steps; each lives in its own module: the built-in
//! names (`catalogue`), finding and neutralising placeholders
//! (`placeholders`), parsing (`syntax`), `{{.Body}}` and `return`s
//! (`body`) and identifier classification (`idents`).

mod body;
mod catalogue;
mod idents;
mod placeholders;
mod syntax;
mod terminating;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use tree_sitter::{Node, Parser};

use super::holes::{self, Use};
use super::model::Template;
use super::{literals, segments};
use crate::diag::{Diagnostic, codes, did_you_mean};
use crate::load::Snippet;

use self::body::{body_is_statement, count_returns, one_body};
pub(super) use self::catalogue::PREDECLARED;
pub use self::catalogue::{
    BODY, BUILTIN_PLACEHOLDERS, CALL_PLACEHOLDERS, CONTEXT_DOC, FUNCTION_PLACEHOLDERS,
    REF_PLACEHOLDERS, SET_FIELD_PLACEHOLDERS,
};
use self::idents::collect_idents;
pub(super) use self::idents::declares;
use self::placeholders::{find_placeholders, neutralise, rune_wrapped};
pub(super) use self::syntax::single_expression;
use self::syntax::{is_single_expression, report_syntax};

/// How a piece of advice is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `before` / `after`: a list of statements.
    Statements,
    /// `around`: a list of statements with exactly one `{{.Body}}`
    /// statement, where the function's own body runs.
    Around,
    /// `replace` / `wrap` / `append-args`: one expression.
    Expression,
}

/// What the caller knows about the aspect, to classify names.
pub struct Scope<'a> {
    /// `vars` keys and `requires` keys (also usable as placeholders).
    pub placeholders: &'a BTreeSet<String>,
    /// `requires` and `results` binding names.
    pub bindings: &'a BTreeSet<String>,
    /// `imports` aliases.
    pub imports: &'a BTreeSet<String>,
    /// `globals`.
    pub globals: &'a BTreeSet<String>,
    /// The site-specific placeholders this advice may use
    /// ([`CALL_PLACEHOLDERS`], [`SET_FIELD_PLACEHOLDERS`],
    /// [`REF_PLACEHOLDERS`]; empty for function advice).
    pub site: &'a [&'static str],
    /// Locals declared by the aspect's `before` advice (visible to `after`).
    pub outer_declared: &'a BTreeSet<String>,
}

/// One identifier use that will be resolved implicitly at weave time.
#[derive(Clone, Debug)]
pub struct ImplicitUse {
    pub name: String,
    /// Byte range in the template text.
    pub range: Range<usize>,
    /// `true` when used as `name.X` (looks like a package or a value).
    pub selector: bool,
}

/// The result of checking one template.
#[derive(Debug)]
pub struct Checked {
    pub template: Template,
    /// Names the template declares (renamed hygienically).
    pub declared: BTreeSet<String>,
    /// Free names not declared anywhere in the aspect, first use each.
    pub implicit: Vec<ImplicitUse>,
    /// Imports aliases the template uses.
    pub used_imports: BTreeSet<String>,
    /// Placeholders used.
    pub used_placeholders: BTreeSet<String>,
    /// `globals` the template uses.
    pub used_globals: BTreeSet<String>,
    /// Every placeholder with its lexical context, in template order.
    pub uses: Vec<Use>,
    /// `around`: the first statement after a `{{.Body}}` that runs in the
    /// function itself (a range of the snippet's text).
    pub after_body: Option<Range<usize>>,
}

/// One `{{.Name}}` of the template text.
pub(super) struct Placeholder {
    pub(super) range: Range<usize>,
    pub(super) name: String,
}

/// Check one advice template. Problems are appended to `diags`; `None` when
/// the template is too broken to pre-split.
pub fn check(
    snippet: &Snippet,
    form: Form,
    what: &str,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Checked> {
    // Trailing blank lines are not part of the advice (YAML `|` keeps one,
    // a DSL block does not): drop them so both spell the same template.
    let trimmed;
    let snippet = if snippet.text.ends_with(char::is_whitespace) {
        trimmed = Snippet {
            text: snippet.text.trim_end().to_string(),
            ..snippet.clone()
        };
        &trimmed
    } else {
        snippet
    };
    let placeholders = find_placeholders(snippet, form, what, scope, diags)?;
    if form == Form::Around && !one_body(snippet, &placeholders, what, diags) {
        return None;
    }
    let wrapped = rune_wrapped(&snippet.text, &placeholders);
    let neutral = neutralise(&snippet.text, &placeholders, &wrapped);
    let (prefix, suffix) = match form {
        Form::Statements | Form::Around => ("package p\nfunc _() {\n", "\n}\n"),
        Form::Expression => ("package p\nvar _ = ", "\n"),
    };
    let program = format!("{prefix}{neutral}{suffix}");
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .expect("tree-sitter-go grammar is compatible with the runtime");
    let tree = parser.parse(&program, None)?;
    let root = tree.root_node();
    let base = prefix.len();
    let inside = base..base + neutral.len();
    if root.has_error() {
        report_syntax(root, &inside, snippet, form, what, diags);
        return None;
    }
    if form == Form::Expression && !is_single_expression(root) {
        diags.push(
            Diagnostic::error(
                codes::TEMPLATE_SYNTAX,
                format!("{what} must be a single Go expression"),
                snippet.span.clone(),
                "not one expression",
            )
            .with_help("call-site advice is an expression such as `otelsql.Wrap({{.Call}})`; move statements to `before`"),
        );
        return None;
    }
    if form == Form::Around
        && let Some(body) = placeholders.iter().find(|p| p.name == BODY)
        && !body_is_statement(root, body.range.start + base..body.range.end + base)
    {
        diags.push(
            Diagnostic::error(
                codes::BODY_NOT_STATEMENT,
                format!("`{{{{.Body}}}}` in {what} is not a statement of its own"),
                snippet.file_span(body.range.clone()),
                "used inside an expression or a declaration",
            )
            .with_help("`{{.Body}}` stands for the function's statements: write it alone on its line where they should run, e.g. inside `handler := func(w http.ResponseWriter, r *http.Request) {` … `}`"),
        );
        return None;
    }

    let uses: Vec<Use> = placeholders
        .iter()
        .zip(&wrapped)
        .map(|(p, &w)| Use {
            name: p.name.clone(),
            range: p.range.clone(),
            context: holes::classify(
                root,
                program.as_bytes(),
                p.range.start + base..p.range.end + base,
                w,
            ),
        })
        .collect();
    let is_var = |n: &str| scope.placeholders.contains(n) && !scope.bindings.contains(n);
    if !holes::check(&uses, snippet, what, &is_var, diags) {
        return None;
    }

    let mut idents = Vec::new();
    collect_idents(root, program.as_bytes(), &inside, &mut idents);
    for i in &mut idents {
        i.range = i.range.start - base..i.range.end - base;
        i.stmt_end = i.stmt_end.saturating_sub(base);
    }
    idents.retain(|i| {
        !placeholders
            .iter()
            .any(|p| p.range.start <= i.range.start && i.range.end <= p.range.end)
    });

    // A name is declared if the template declares it and does not use it
    // before (or in the right-hand side of) that declaration: in
    // `ctx, span := tracer.Start(ctx, …)` `ctx` is the function's own.
    let mut first_decl: BTreeMap<&str, usize> = BTreeMap::new();
    let mut first_use: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &idents {
        let (map, at) = if i.decl {
            (&mut first_decl, i.stmt_end)
        } else {
            (&mut first_use, i.range.start)
        };
        let entry = map.entry(i.name.as_str()).or_insert(at);
        *entry = (*entry).min(at);
    }
    let mut declared = BTreeSet::new();
    for (name, decl_at) in &first_decl {
        let used_before = first_use.get(name).is_some_and(|u| u < decl_at);
        if !used_before && !scope.bindings.contains(*name) && *name != "_" {
            declared.insert(name.to_string());
        }
    }

    let mut implicit: Vec<ImplicitUse> = Vec::new();
    let mut implicit_names: BTreeSet<&str> = BTreeSet::new();
    let mut used_imports = BTreeSet::new();
    let mut used_globals = BTreeSet::new();
    let mut resolved: Vec<(Range<usize>, bool)> = Vec::new(); // range, is Ident segment
    for i in &idents {
        let name = i.name.as_str();
        let is_ident = if scope.bindings.contains(name)
            || declared.contains(name)
            || scope.outer_declared.contains(name)
        {
            true
        } else if scope.imports.contains(name) && !i.decl {
            used_imports.insert(name.to_string());
            true
        } else {
            if scope.globals.contains(name) {
                used_globals.insert(name.to_string());
            }
            if !PREDECLARED.contains(&name)
                && !scope.globals.contains(name)
                && !i.decl
                && implicit_names.insert(name)
            {
                implicit.push(ImplicitUse {
                    name: name.to_string(),
                    range: i.range.clone(),
                    selector: i.selector,
                });
            }
            false
        };
        resolved.push((i.range.clone(), is_ident));
    }

    let holes: Vec<(Range<usize>, String)> = placeholders
        .iter()
        .map(|p| (p.range.start + base..p.range.end + base, p.name.clone()))
        .collect();
    let literals = literals::analyse(root, program.as_bytes(), &holes, scope, &declared);
    let cuts: Vec<usize> = literals
        .hoists
        .iter()
        .flat_map(|r| [r.start - base, r.end - base])
        .collect();
    // Where the statements around a `{{.Body}}` outside literals end.
    let around = holes
        .iter()
        .find(|(_, n)| n == BODY)
        .filter(|_| literals.body_results.is_none())
        .map(|(r, _)| terminating::around(root, program.as_bytes(), r.clone()));
    let verbatim = segments::verbatim_ranges(root, base, &snippet.text, &placeholders);
    let (segments, starts, at) = segments::split(&snippet.text, &uses, &resolved, &cuts, &verbatim);
    let template = Template {
        segments,
        returns: count_returns(root, &placeholders, base),
        is_call: form == Form::Expression
            && single_expression(root).is_some_and(|e| e.kind() == "call_expression"),
        origin: Default::default(),
        hoists: at.chunks(2).map(|c| c[0]..c[1]).collect(),
        local_literal: literals.local_literal,
        body_results: literals.body_results,
        body_nested: literals.body_nested,
        unterminated: around.as_ref().is_some_and(|a| !a.ends),
        places: segments::places(&snippet.text, &starts),
        // Relative until the caller knows where the text is in its file.
        columns: vec![1; snippet.text.split('\n').count()],
        lines: Vec::new(),
    };
    Some(Checked {
        template,
        declared,
        implicit,
        used_imports,
        used_placeholders: placeholders.iter().map(|p| p.name.clone()).collect(),
        used_globals,
        uses,
        after_body: around
            .and_then(|a| a.code_after)
            .map(|r| r.start - base..r.end - base),
    })
}

fn is_known(name: &str, scope: &Scope) -> bool {
    BUILTIN_PLACEHOLDERS.contains(&name)
        || scope.placeholders.contains(name)
        || scope.site.contains(&name)
}

/// Is `s` a Go identifier (ASCII letters, digits, `_`, not starting with a digit)?
pub fn is_go_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Embedding, Segment};
    use crate::diag::Span;

    fn snippet(text: &str) -> Snippet {
        Snippet::new(
            text.to_string(),
            Span::new(0, 0..text.len()),
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    fn run(text: &str, bindings: &[&str], imports: &[&str]) -> (Option<Checked>, Vec<Diagnostic>) {
        run_form(text, bindings, imports, Form::Statements)
    }

    fn run_form(
        text: &str,
        bindings: &[&str],
        imports: &[&str],
        form: Form,
    ) -> (Option<Checked>, Vec<Diagnostic>) {
        let empty = BTreeSet::new();
        let bindings: BTreeSet<String> = bindings.iter().map(|s| s.to_string()).collect();
        let imports: BTreeSet<String> = imports.iter().map(|s| s.to_string()).collect();
        let scope = Scope {
            placeholders: &bindings,
            bindings: &bindings,
            imports: &imports,
            globals: &empty,
            site: &[],
            outer_declared: &empty,
        };
        let mut diags = Vec::new();
        let c = check(&snippet(text), form, "advice", &scope, &mut diags);
        (c, diags)
    }

    #[test]
    fn seed_tracing_template() {
        let (c, d) = run(
            "ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\ndefer span.End()\n",
            &[],
            &[],
        );
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(c.declared, BTreeSet::from(["span".to_string()]));
        let implicit: Vec<_> = c.implicit.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(implicit, ["tracer", "ctx"]);
        assert!(
            c.template
                .segments
                .contains(&Segment::Embedded("FuncName".into(), Embedding::String))
        );
        assert_eq!(
            c.template
                .segments
                .iter()
                .filter(|s| **s == Segment::Ident("span".into()))
                .count(),
            2
        );
    }

    #[test]
    fn typed_binding_is_an_ident_segment() {
        let (c, d) = run(
            "ctx, span := tracer.Start(ctx, \"x\")\ndefer span.End()",
            &["ctx"],
            &[],
        );
        assert!(d.is_empty());
        let c = c.unwrap();
        assert_eq!(
            c.template
                .segments
                .iter()
                .filter(|s| **s == Segment::Ident("ctx".into()))
                .count(),
            2
        );
        assert!(c.implicit.iter().all(|u| u.name != "ctx"));
    }

    #[test]
    fn imports_and_struct_keys() {
        let (c, d) = run("x := slog.Group(\"g\")\n_ = T{Name: x}\n", &[], &["slog"]);
        assert!(d.is_empty());
        let c = c.unwrap();
        assert!(c.used_imports.contains("slog"));
        let implicit: Vec<_> = c.implicit.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(implicit, ["T"]);
    }

    #[test]
    fn syntax_error_points_inside() {
        let (c, d) = run("x := foo(\ny := 2", &[], &[]);
        assert!(c.is_none());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::TEMPLATE_SYNTAX);
        assert!(d[0].primary.span.range.start <= 16);
    }

    #[test]
    fn qualified_type_names_are_not_free() {
        let (c, d) = run("var g errgroup.Group\n_ = g", &[], &["errgroup"]);
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert!(c.implicit.is_empty(), "{:?}", c.implicit);
        assert!(c.used_imports.contains("errgroup"));
    }

    #[test]
    fn returns_are_counted() {
        let (c, _) = run(
            "if x { return nil, err }\nif y { return {{.Zeros}}, err }\nf := func() int { return 1 }",
            &[],
            &[],
        );
        assert_eq!(c.unwrap().template.returns, vec![Some(2), None]);
    }

    #[test]
    fn unknown_placeholder() {
        let (c, d) = run("_ = \"{{.Permision}}\"", &["Permission"], &[]);
        assert!(c.is_none());
        assert_eq!(d[0].code, codes::UNKNOWN_PLACEHOLDER);
        assert!(d[0].help.as_deref().unwrap().contains("Permission"));
    }

    #[test]
    fn a_misspelled_body_is_suggested_in_around_only() {
        let (_, d) = run_form("{{.Bdy}}", &[], &[], Form::Around);
        assert_eq!(d[0].code, codes::UNKNOWN_PLACEHOLDER);
        let help = d[0].help.as_deref().unwrap();
        assert!(help.starts_with("did you mean `{{.Body}}`?"), "{help}");
        let (_, d) = run("_ = \"{{.Bdy}}\"", &[], &[]);
        assert!(!d[0].help.as_deref().unwrap().contains("Body"), "{d:?}");
    }

    const HANDLER: &str = "handler := func(w http.ResponseWriter, r *http.Request) {\n    {{.Body}}\n}\nif _, traced := otelhttp.LabelerFromContext(r.Context()); traced {\n    handler(w, r)\n    return\n}\notelhttp.NewHandler(http.HandlerFunc(handler), \"{{.FuncName}}\").ServeHTTP(w, r)\n";

    #[test]
    fn around_closure_parameters_are_bindings_not_declarations() {
        let (c, d) = run_form(HANDLER, &["w", "r"], &["http", "otelhttp"], Form::Around);
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(
            c.declared,
            BTreeSet::from(["handler".to_string(), "traced".to_string()])
        );
        assert!(c.implicit.is_empty(), "{:?}", c.implicit);
        let count = |seg: Segment| c.template.segments.iter().filter(|s| **s == seg).count();
        // Parameter declarations and uses alike resolve to the bound names.
        assert_eq!(count(Segment::Ident("w".into())), 3);
        assert_eq!(count(Segment::Ident("r".into())), 4);
        assert_eq!(count(Segment::Ident("handler".into())), 3);
        assert_eq!(count(Segment::Hole("Body".into())), 1);
        // `return` inside the template (outside the closure) returns nothing.
        assert_eq!(c.template.returns, vec![Some(0)]);
    }

    #[test]
    fn body_only_in_around() {
        let (c, d) = run("{{.Body}}", &[], &[]);
        assert!(c.is_none());
        assert_eq!(d[0].code, codes::BODY_OUTSIDE_AROUND);
    }

    #[test]
    fn body_exactly_once() {
        let (c, d) = run_form("x := 1\n_ = x", &[], &[], Form::Around);
        assert!(c.is_none());
        assert_eq!(d[0].code, codes::BODY_COUNT);
        let (c, d) = run_form("{{.Body}}\n{{.Body}}", &[], &[], Form::Around);
        assert!(c.is_none());
        assert_eq!(d[0].code, codes::BODY_COUNT);
        assert_eq!(d[0].primary.span.range, 10..19);
    }

    #[test]
    fn body_must_be_a_statement() {
        for text in [
            "f({{.Body}})",
            "x := {{.Body}}\n_ = x",
            "_ = \"{{.Body}}\"",
            "if {{.Body}} {\n}",
            "for {{.Body}}; ; {\n}",
        ] {
            let (c, d) = run_form(text, &[], &[], Form::Around);
            assert!(c.is_none(), "{text}");
            assert_eq!(d[0].code, codes::BODY_NOT_STATEMENT, "{text}: {d:?}");
        }
        for text in [
            "{{.Body}}",
            "func() {\n{{.Body}}\n}()",
            "switch {\ncase true:\n\t{{.Body}}\n}",
            "{\n{{.Body}}\n}",
        ] {
            let (c, d) = run_form(text, &[], &[], Form::Around);
            assert!(c.is_some() && d.is_empty(), "{text}: {d:?}");
        }
    }

    #[test]
    fn literals_over_lines_and_around_placeholders_are_verbatim() {
        let text = "x := `a\n  {{.FuncName}}\nb` + \"{{.FuncName}}\" /* c\nd */\ny := 'z' // {{.FuncName}}";
        let (c, d) = run(text, &[], &[]);
        assert!(d.is_empty(), "{d:?}");
        let t = c.unwrap().template;
        let verbatim: Vec<&str> = t
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::Verbatim(v) => Some(v.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            verbatim,
            ["`a\n  ", "\nb`", "\"", "\"", "/* c\nd */", "// "]
        );
        // Each segment's (line, offset in the line).
        assert_eq!(t.places.len(), t.segments.len());
        let at = |seg: &Segment| t.places[t.segments.iter().position(|s| s == seg).unwrap()];
        assert_eq!(at(&Segment::Verbatim("\nb`".into())), (1, 15));
        assert_eq!(at(&Segment::Verbatim("/* c\nd */".into())), (2, 21));
        assert_eq!(at(&Segment::Ident("y".into())), (4, 0));
        assert_eq!(t.columns, [1, 1, 1, 1, 1]);
    }
}
