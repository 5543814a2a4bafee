//! Typed templates (DESIGN §5): placeholders, Go syntax and identifiers.
//!
//! A template is Go text with `{{.Name}}` placeholders. Checking it means:
//! every placeholder is known; with placeholders replaced by neutral
//! identifiers of the same length (so byte offsets stay valid) the text
//! parses as Go statements (or as an expression, for call-site advice); and
//! every identifier it uses is classified. The result is pre-split into
//! [`Segment`]s so the weaver substitutes without parsing again.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use tree_sitter::{Node, Parser};

use super::holes::{self, Use};
use super::model::Template;
use super::{literals, segments};
use crate::diag::{Diagnostic, codes, did_you_mean};
use crate::load::Snippet;

/// Placeholders every template may use.
pub const BUILTIN_PLACEHOLDERS: &[&str] = &[
    "FuncName",
    "QualifiedName",
    "Package",
    "Receiver",
    "Signature",
    "File",
    "Line",
    "Zeros",
];

/// The placeholder of `around` advice only: the function's own body.
pub const BODY: &str = "Body";

/// Placeholders of call-site advice only (`replace`, `wrap`,
/// `append-args` on a `call`): the original call, its argument list without
/// the parentheses, and the `context.Context` in scope.
pub const CALL_PLACEHOLDERS: &[&str] = &["Call", "Args", "Context"];

/// Placeholders of `set-field` advice (composite literals of a `call`
/// type): the field's current value (`nil` when the literal does not set
/// it), and the `context.Context` in scope.
pub const SET_FIELD_PLACEHOLDERS: &[&str] = &["Value", "Context"];

/// Placeholders of `ref` advice (`wrap`, `replace`): the reference as
/// written (`http.DefaultTransport`), and the `context.Context` in scope.
pub const REF_PLACEHOLDERS: &[&str] = &["Ref", "Context"];

/// `{{.Context}}` (call, ref and set-field advice): the `context.Context`
/// in scope where the advice lands. The innermost enclosing function
/// (walking out through function literals) that has a named
/// `context.Context` parameter (→ its name) or a named `*net/http.Request`
/// parameter (→ `r.Context()`), the context parameter winning within one
/// function; else `context.Background()`.
pub const CONTEXT_DOC: &str = "the context.Context in scope: the innermost enclosing function's `ctx context.Context` parameter, else `r.Context()` of its `r *http.Request` parameter, else `context.Background()`";

/// Placeholders of function advice only (`before`, `after`, `around`): the
/// advised function as a value (`F`, `F[T, U]`, `recv.M`).
pub const FUNCTION_PLACEHOLDERS: &[&str] = &["Self"];

/// Where a site-specific placeholder can be used, for the note of an
/// "unknown placeholder" error.
fn site_note(name: &str) -> Option<&'static str> {
    Some(match name {
        "Call" | "Args" => {
            "exists only in call-site advice (`wrap`, `replace`, `append-args` with a `call` pointcut)"
        }
        "Value" => "exists only in `set-field` advice: the field's current value, or `nil`",
        "Ref" => "exists only in `ref` advice (`wrap`, `replace` with a `ref` pointcut)",
        "Context" => "exists only in call-site, `ref` and `set-field` advice",
        "Self" => {
            "exists only in function advice (`before`, `after`, `around`): the advised function as a value"
        }
        _ => return None,
    })
}

/// Go's predeclared identifiers: never renamed, never "free".
pub(super) const PREDECLARED: &[&str] = &[
    "any",
    "bool",
    "byte",
    "comparable",
    "complex64",
    "complex128",
    "error",
    "float32",
    "float64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "rune",
    "string",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "true",
    "false",
    "iota",
    "nil",
    "append",
    "cap",
    "clear",
    "close",
    "complex",
    "copy",
    "delete",
    "imag",
    "len",
    "make",
    "max",
    "min",
    "new",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "_",
];

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
        places: segments::places(&snippet.text, &starts),
        // Relative until the caller knows where the text is in its file.
        columns: vec![1; snippet.text.split('\n').count()],
    };
    Some(Checked {
        template,
        declared,
        implicit,
        used_imports,
        used_placeholders: placeholders.iter().map(|p| p.name.clone()).collect(),
        used_globals,
        uses,
    })
}

/// Find every `{{ .Name }}`, reporting malformed and unknown ones.
fn find_placeholders(
    snippet: &Snippet,
    form: Form,
    what: &str,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Placeholder>> {
    let text = &snippet.text;
    let mut out = Vec::new();
    let mut ok = true;
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| i + at) {
        let Some(close) = text[open..].find("}}").map(|i| i + open + 2) else {
            diags.push(
                Diagnostic::error(
                    codes::BAD_PLACEHOLDER,
                    format!("unclosed placeholder in {what}"),
                    snippet.file_span(open..open + 2),
                    "this `{{` has no matching `}}`",
                )
                .with_help("write placeholders as `{{.Name}}`"),
            );
            return None;
        };
        let inner = text[open + 2..close - 2].trim();
        let name = inner.strip_prefix('.').unwrap_or("");
        if !is_go_ident(name) {
            diags.push(
                Diagnostic::error(
                    codes::BAD_PLACEHOLDER,
                    format!("malformed placeholder `{}` in {what}", &text[open..close]),
                    snippet.file_span(open..close),
                    "expected `{{.Name}}`",
                )
                .with_help("goaop placeholders are a dot and a name, e.g. `{{.FuncName}}`; pipelines and functions are not supported"),
            );
            ok = false;
        } else if name == BODY && form != Form::Around {
            diags.push(
                Diagnostic::error(
                    codes::BODY_OUTSIDE_AROUND,
                    format!("`{{{{.Body}}}}` in {what}"),
                    snippet.file_span(open..close),
                    "only `around` advice has a body placeholder",
                )
                .with_help("to run code around the function's statements, move this advice to `around:` (`around { … }` in the DSL); `before`/`after` run before and after the body without naming it"),
            );
            ok = false;
        } else if name != BODY && !is_known(name, scope) {
            let mut known: Vec<&str> = BUILTIN_PLACEHOLDERS.to_vec();
            // did_you_mean looks at a bounded number of candidates.
            known.extend(
                scope
                    .placeholders
                    .iter()
                    .map(String::as_str)
                    .take(crate::diag::MAX_SUGGEST_CANDIDATES),
            );
            known.extend(scope.site);
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(s) => format!(
                    "did you mean `{{{{.{s}}}}}`? Or declare it as a constant: `vars: {{ {name}: \"…\" }}`"
                ),
                None => format!(
                    "declare it as a constant of the aspect: `vars: {{ {name}: \"…\" }}` (built-in placeholders: {})",
                    BUILTIN_PLACEHOLDERS
                        .iter()
                        .chain(scope.site)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let mut d = Diagnostic::error(
                codes::UNKNOWN_PLACEHOLDER,
                format!("unknown placeholder `{{{{.{name}}}}}` in {what}"),
                snippet.file_span(open..close),
                "not a built-in placeholder, a `vars` key or a `requires` key",
            )
            .with_help(help);
            if let Some(note) = site_note(name) {
                d = d.with_note(format!("`{{{{.{name}}}}}` {note}"));
            }
            diags.push(d);
            ok = false;
        }
        out.push(Placeholder {
            range: open..close,
            name: name.to_string(),
        });
        at = close;
    }
    ok.then_some(out)
}

/// `around` advice contains `{{.Body}}` exactly once.
fn one_body(
    snippet: &Snippet,
    placeholders: &[Placeholder],
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let bodies: Vec<&Placeholder> = placeholders.iter().filter(|p| p.name == BODY).collect();
    match bodies.as_slice() {
        [_] => true,
        [] => {
            diags.push(
                Diagnostic::error(
                    codes::BODY_COUNT,
                    format!("{what} has no `{{{{.Body}}}}`"),
                    snippet.span.clone(),
                    "the function's own statements would be dropped",
                )
                .with_help("write `{{.Body}}` on a line of its own where the function's statements should run; code that only runs first belongs in `before`"),
            );
            false
        }
        [first, second, ..] => {
            diags.push(
                Diagnostic::error(
                    codes::BODY_COUNT,
                    format!("{what} uses `{{{{.Body}}}}` more than once"),
                    snippet.file_span(second.range.clone()),
                    "second `{{.Body}}`",
                )
                .with_secondary(snippet.file_span(first.range.clone()), "first `{{.Body}}`")
                .with_help("the body is woven in place, once: keep one `{{.Body}}` (call a closure twice to run it twice)"),
            );
            false
        }
    }
}

/// Whether the neutralised `{{.Body}}` at `range` of the parsed program is
/// an expression statement of its own in a statement list (not an operand,
/// a condition, a string or a `for` clause).
fn body_is_statement(root: Node, range: Range<usize>) -> bool {
    let Some(node) = root.named_descendant_for_byte_range(range.start, range.end) else {
        return false;
    };
    let Some(stmt) = node.parent() else {
        return false;
    };
    let whole = node.kind() == "identifier"
        && node.byte_range() == range
        && stmt.kind() == "expression_statement"
        && stmt.byte_range() == range;
    whole
        && stmt.parent().is_some_and(|list| {
            matches!(
                list.kind(),
                "statement_list"
                    | "block"
                    | "expression_case"
                    | "default_case"
                    | "type_case"
                    | "communication_case"
                    | "labeled_statement"
            )
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

/// For each placeholder, whether it stands alone between two `'` (a rune
/// literal when in code); a quote counts for one placeholder only.
fn rune_wrapped(text: &str, placeholders: &[Placeholder]) -> Vec<bool> {
    let mut free_from = 0;
    placeholders
        .iter()
        .map(|p| {
            let w = p.range.start > free_from && holes::rune_wrapped(text, &p.range);
            if w {
                free_from = p.range.end + 1;
            }
            w
        })
        .collect()
}

/// Replace each placeholder by an identifier of the same byte length (a
/// placeholder between two `'`, quotes included, by a one-character rune
/// literal in parentheses, see [`holes::rune_neutral`]).
fn neutralise(text: &str, placeholders: &[Placeholder], wrapped: &[bool]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (p, &w) in placeholders.iter().zip(wrapped) {
        if w {
            out.push_str(&text[at..p.range.start - 1]);
            out.push_str(&holes::rune_neutral(p.range.len() + 2));
            at = p.range.end + 1;
            continue;
        }
        out.push_str(&text[at..p.range.start]);
        let len = p.range.len();
        let mut ident = format!("__{}", p.name);
        ident.truncate(len);
        while ident.len() < len {
            ident.push('_');
        }
        out.push_str(&ident);
        at = p.range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_single_expression(root: Node) -> bool {
    single_expression(root).is_some()
}

/// An expression template's one expression.
pub(super) fn single_expression(root: Node<'_>) -> Option<Node<'_>> {
    // source_file > var_declaration > var_spec > (name, value: expression_list)
    let decl = root
        .named_child(1)
        .filter(|_| root.named_child_count() == 2)?;
    let value = decl.named_child(0)?.child_by_field_name("value")?;
    value
        .named_child(0)
        .filter(|_| value.named_child_count() == 1)
}

/// Report the first syntax error inside the template.
fn report_syntax(
    root: Node,
    inside: &Range<usize>,
    snippet: &Snippet,
    form: Form,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut bad = None;
    find_error(root, &mut bad);
    // Labels quote the user's text (not the neutralised one), and an error
    // found in goaop's wrapper means the template ended too early.
    let original = |r: &Range<usize>| {
        snippet
            .text
            .get(r.start - inside.start..r.end - inside.start)
            .unwrap_or("")
    };
    let at_end = inside.end..inside.end;
    let (range, label) = match bad {
        Some(n) if n.is_missing() => (
            n.start_byte()..n.start_byte(),
            format!("expected `{}` here", n.kind()),
        ),
        Some(n) if n.start_byte() < inside.start || n.start_byte() >= inside.end => (
            at_end,
            "the template ends before this is complete".to_string(),
        ),
        Some(n) => {
            let r = n.start_byte()..n.end_byte().min(inside.end);
            let text = original(&r);
            let first: String = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .chars()
                .take(20)
                .collect();
            if first.is_empty() {
                (
                    at_end,
                    "the template ends before this is complete".to_string(),
                )
            } else {
                let start = r.start + text.find(&first).unwrap_or(0);
                (start..start + first.len(), format!("unexpected `{first}`"))
            }
        }
        None => (inside.clone(), "this does not parse".to_string()),
    };
    let clamp = |o: usize| o.clamp(inside.start, inside.end) - inside.start;
    let (start, end) = (clamp(range.start), clamp(range.end));
    let span = snippet.file_span(start..end);
    let kind = match form {
        Form::Statements | Form::Around => "Go statements",
        Form::Expression => "a Go expression",
    };
    diags.push(
        Diagnostic::error(codes::TEMPLATE_SYNTAX, format!("{what} is not valid Go"), span, label).with_help(format!(
            "the advice must parse as {kind} once each `{{{{.Name}}}}` is replaced by a value; check brackets, quotes and operators near the marked place"
        )),
    );
}

/// The first ERROR or MISSING node in source order (deepest first).
fn find_error<'t>(node: Node<'t>, out: &mut Option<Node<'t>>) {
    *out = crate::load::gotype::first_error_node(node);
}

struct IdentUse {
    name: String,
    range: Range<usize>,
    /// Introduced by a declaration (`:=`, `var`, `const`, parameter, type).
    decl: bool,
    /// For declarations: end of the declaring statement (uses before it, or
    /// inside its right-hand side, are uses of an outer name).
    stmt_end: usize,
    selector: bool,
}

/// Every identifier of the template, in source order. An explicit stack
/// (pre-order, each node with its parent and grandparent) instead of a
/// recursion: `a + b + …` nests as deep as it is long, and
/// `Node::parent` costs a walk down from the root.
fn collect_idents(root: Node, src: &[u8], inside: &Range<usize>, out: &mut Vec<IdentUse>) {
    type Item<'t> = (Node<'t>, Option<Node<'t>>, Option<Node<'t>>);
    let mut stack: Vec<Item> = vec![(root, None, None)];
    let mut children = Vec::new();
    while let Some((node, parent, grand)) = stack.pop() {
        let kind = node.kind();
        let overlaps = node.start_byte() < inside.end && node.end_byte() > inside.start;
        if !overlaps && kind != "source_file" {
            continue; // the wrapper around the template (`package p`, `func _()`)
        }
        match kind {
            "identifier" | "type_identifier" | "package_identifier" => {
                // `pkg.Type`: the type's name belongs to the package, not to
                // the template's scope.
                let member = kind == "type_identifier"
                    && parent.is_some_and(|p| {
                        p.kind() == "qualified_type" && p.child_by_field_name("name") == Some(node)
                    });
                if !member && node.start_byte() >= inside.start && node.end_byte() <= inside.end {
                    let name = node.utf8_text(src).unwrap_or("").to_string();
                    let selector = parent.is_some_and(|p| {
                        (p.kind() == "selector_expression"
                            && p.child_by_field_name("operand") == Some(node))
                            || p.kind() == "qualified_type"
                    });
                    let (decl, stmt_end) = declaration_of(node, parent, grand);
                    out.push(IdentUse {
                        name,
                        range: node.start_byte()..node.end_byte(),
                        decl,
                        stmt_end,
                        selector,
                    });
                }
                continue;
            }
            "field_identifier" | "label_name" => continue,
            _ => {}
        }
        children.clear();
        let mut cursor = node.walk();
        if kind == "keyed_element" {
            // `T{Name: v}`: a bare identifier key is a field name, not a use.
            for (i, child) in node.named_children(&mut cursor).enumerate() {
                let is_field_key = i == 0
                    && child.named_child_count() == 1
                    && child
                        .named_child(0)
                        .is_some_and(|c| c.kind() == "identifier");
                if !is_field_key {
                    children.push(child);
                }
            }
        } else {
            children.extend(node.children(&mut cursor));
        }
        stack.extend(children.iter().rev().map(|&c| (c, Some(node), parent)));
    }
}

/// Whether an identifier node is being declared (`x` in `x := …`, a
/// parameter or `var`/`const`/`type` name).
pub(super) fn declares(node: Node) -> bool {
    let parent = node.parent();
    declaration_of(node, parent, parent.and_then(|p| p.parent())).0
}

/// Whether an identifier node is being declared, and where its declaring
/// statement ends (`parent` and `grand` are the node's parent and its
/// parent's parent).
fn declaration_of(node: Node, parent: Option<Node>, grand: Option<Node>) -> (bool, usize) {
    let Some(parent) = parent else {
        return (false, 0);
    };
    let is_field = |p: Node, field: &str| {
        p.child_by_field_name(field)
            .is_some_and(|c| c.id() == node.id())
    };
    match parent.kind() {
        "var_spec"
        | "const_spec"
        | "type_spec"
        | "parameter_declaration"
        | "variadic_parameter_declaration"
        | "type_alias" => {
            let declared = is_field(parent, "name") || {
                let mut c = parent.walk();
                let names: Vec<_> = parent
                    .children_by_field_name("name", &mut c)
                    .map(|n| n.id())
                    .collect();
                names.contains(&node.id())
            };
            (declared, parent.end_byte())
        }
        "expression_list" => {
            let Some(stmt) = grand else {
                return (false, 0);
            };
            let on_left = stmt
                .child_by_field_name("left")
                .is_some_and(|l| l.id() == parent.id());
            let declares = matches!(stmt.kind(), "short_var_declaration" | "receive_statement")
                || (stmt.kind() == "range_clause"
                    && stmt.child(1).is_some_and(|op| op.kind() == ":="));
            (on_left && declares, stmt.end_byte())
        }
        "short_var_declaration" | "range_clause" => {
            let on_left = is_field(parent, "left");
            (on_left, parent.end_byte())
        }
        "type_switch_statement" => (is_field(parent, "alias"), parent.end_byte()),
        _ => (false, 0),
    }
}

/// Values in each `return` of the template (not inside function literals).
fn count_returns(node: Node, placeholders: &[Placeholder], base: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    walk_returns(node, placeholders, base, &mut out);
    out
}

/// Pre-order over an explicit stack (no recursion on the template's depth).
fn walk_returns(
    root: Node,
    placeholders: &[Placeholder],
    base: usize,
    out: &mut Vec<Option<usize>>,
) {
    let mut stack = vec![root];
    let mut children = Vec::new();
    while let Some(node) = stack.pop() {
        match node.kind() {
            "func_literal" => continue,
            "return_statement" => {
                let list = node.named_child(0);
                let uses_zeros = placeholders.iter().any(|p| {
                    p.name == "Zeros"
                        && (node.start_byte()..node.end_byte()).contains(&(p.range.start + base))
                });
                out.push(if uses_zeros {
                    None
                } else {
                    Some(list.map_or(0, |l| l.named_child_count()))
                });
                continue;
            }
            _ => {}
        }
        let mut cursor = node.walk();
        children.clear();
        children.extend(node.children(&mut cursor));
        stack.extend(children.iter().rev());
    }
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
