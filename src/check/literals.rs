//! Function literals in advice templates (DESIGN §11, transparency).
//!
//! cmd/compile names a function's closures `F.func1`, `F.func2`… in the
//! textual order of the woven source, so a literal that advice adds before
//! the user's own renames them (in stack traces, pprof, `runtime.FuncForPC`).
//! `check` decides here, once per template:
//!
//! - which immediately invoked literals (`func(…){…}(args)`, also under
//!   `go`/`defer`) capture nothing from the woven function: their free
//!   identifiers are only their own declarations and parameters, the
//!   aspect's import aliases, Go's predeclared names and `globals`, and the
//!   only placeholders inside them describe the site (`{{.FuncName}}`,
//!   `vars` keys, …). The weaver turns each into a package-level function
//!   and the site into a call of it, so no literal lands in the function;
//! - whether some other literal remains (the weaver must then keep the
//!   user's literals first, or skip the function);
//! - for `around`, how many results the literal enclosing `{{.Body}}` has.
//!
//! Scopes are followed like Go does (parameters for the whole literal,
//! `:=`/`var`/`const` from the end of their statement to the end of their
//! block, `if`/`for`/`switch`/case clauses are blocks, types from their own
//! name on), so `x := x` inside a literal still uses an outer `x`.

use std::collections::BTreeSet;
use std::ops::Range;

use tree_sitter::Node;

use super::model::{Pointcut, Template};
use super::template::{BODY, BUILTIN_PLACEHOLDERS, PREDECLARED, Scope};
use crate::diag::{Diagnostic, Span, codes};
use crate::load::Snippet;

/// What the literals of one template allow.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Byte ranges (in the parsed program) of the literals that can be
    /// woven as package-level functions; outermost ones only, in order.
    pub hoists: Vec<Range<usize>>,
    /// Some function literal is not hoisted: it lands in the woven function.
    pub local_literal: bool,
    /// `around`: the results of the innermost literal enclosing the body
    /// placeholder, `None` when the body is not inside a literal.
    pub body_results: Option<usize>,
    /// `around`: a block other than a literal's body encloses the body
    /// placeholder (see [`Template::body_nested`]).
    pub body_nested: bool,
}

/// What a hoisted literal may refer to.
struct Allowed<'a> {
    /// A free identifier the literal may use (an import alias, a global, a
    /// predeclared name, and not something the template binds or declares).
    ident: &'a dyn Fn(&str) -> bool,
    /// A placeholder that may appear inside a hoisted literal (its value does
    /// not refer to the woven function's variables).
    placeholder: &'a dyn Fn(&str) -> bool,
}

/// Analyse the literals of the parsed template (offsets are the program's);
/// `holes` are the placeholders as `(program range, name)`, `declared` the
/// names the template declares.
pub(super) fn analyse(
    root: Node,
    src: &[u8],
    holes: &[(Range<usize>, String)],
    scope: &Scope,
    declared: &BTreeSet<String>,
) -> Facts {
    let ident = |name: &str| {
        (scope.imports.contains(name)
            || scope.globals.contains(name)
            || PREDECLARED.contains(&name))
            && !scope.bindings.contains(name)
            && !declared.contains(name)
            && !scope.outer_declared.contains(name)
    };
    // Placeholders describing the site; `{{.Zeros}}` names the function's
    // results, `requires` keys its parameters, site placeholders its code.
    let placeholder = |name: &str| {
        (BUILTIN_PLACEHOLDERS.contains(&name) && name != "Zeros")
            || (scope.placeholders.contains(name) && !scope.bindings.contains(name))
    };
    let allowed = Allowed {
        ident: &ident,
        placeholder: &placeholder,
    };
    let mut facts = Facts::default();
    // Only the template holds literals (the wrapper is `func _() {…}` or
    // `var _ = …`).
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "func_literal" {
            if invoked(node) && hoistable(node, src, holes, &allowed) {
                facts.hoists.push(node.byte_range());
            } else {
                facts.local_literal = true;
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    facts.hoists.sort_by_key(|r| r.start);
    if let Some((body, _)) = holes.iter().find(|(_, n)| n == BODY) {
        facts.body_results = enclosing_results(root, body.clone());
        facts.body_nested = nested_in_block(root, body.clone());
    }
    facts
}

/// `func(…){…}(…)`, possibly parenthesised: the literal is the called function.
fn invoked(lit: Node) -> bool {
    let mut n = lit;
    while let Some(p) = n.parent() {
        match p.kind() {
            "parenthesized_expression" => n = p,
            "call_expression" => {
                return p.child_by_field_name("function").map(|f| f.id()) == Some(n.id());
            }
            _ => return false,
        }
    }
    false
}

fn hoistable(lit: Node, src: &[u8], holes: &[(Range<usize>, String)], allowed: &Allowed) -> bool {
    let range = lit.byte_range();
    let inside_hole = |r: &Range<usize>| {
        holes
            .iter()
            .any(|(h, _)| h.start <= r.start && r.end <= h.end)
    };
    if holes.iter().any(|(h, name)| {
        range.start <= h.start && h.end <= range.end && !(allowed.placeholder)(name)
    }) {
        return false;
    }
    let mut free = Vec::new();
    let mut scopes = Scopes::default();
    scopes.visit(lit, src, &mut free);
    if scopes.too_deep {
        // Not analysed (the syntax nests deeper than the walk goes): kept
        // where it is, like a literal that captures.
        return false;
    }
    free.iter()
        .filter(|(_, r)| !inside_hole(r))
        .all(|(name, _)| (allowed.ident)(name))
}

/// How deep [`Scopes::visit`] follows the syntax tree: deeper templates
/// (`a + a + …` with thousands of terms) are not analysed, never a stack
/// overflow. A level costs ~4 KiB of stack in a debug build; real advice
/// literals nest 10–40 levels.
const MAX_DEPTH: usize = 128;

/// Names declared in the scopes being walked, innermost last.
#[derive(Default)]
struct Scopes<'s> {
    names: Vec<&'s str>,
    /// How many times each name is in `names`.
    counts: std::collections::HashMap<&'s str, usize>,
    depth: usize,
    /// The walk stopped at [`MAX_DEPTH`].
    too_deep: bool,
}

impl<'s> Scopes<'s> {
    fn declared(&self, name: &str) -> bool {
        self.counts.get(name).is_some_and(|&n| n > 0)
    }

    fn push(&mut self, name: &'s str) {
        self.names.push(name);
        *self.counts.entry(name).or_default() += 1;
    }

    /// Forget the names declared since `mark` (the end of a scope).
    fn truncate(&mut self, mark: usize) {
        for name in self.names.drain(mark..) {
            if let Some(n) = self.counts.get_mut(name) {
                *n -= 1;
            }
        }
    }

    fn declare_idents(&mut self, list: Node, src: &'s [u8]) {
        let mut cursor = list.walk();
        for c in list.children(&mut cursor) {
            if c.kind() == "identifier" {
                self.push(c.utf8_text(src).unwrap_or(""));
            }
        }
    }

    /// Walk `node`, pushing every free identifier use to `free`.
    fn visit(&mut self, node: Node, src: &'s [u8], free: &mut Vec<(String, Range<usize>)>) {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        self.depth += 1;
        self.visit_node(node, src, free);
        self.depth -= 1;
    }

    fn visit_node(&mut self, node: Node, src: &'s [u8], free: &mut Vec<(String, Range<usize>)>) {
        let field = |f: &str| node.child_by_field_name(f);
        match node.kind() {
            "identifier" | "type_identifier" | "package_identifier" => {
                let name = node.utf8_text(src).unwrap_or("");
                if !self.declared(name) {
                    free.push((name.to_string(), node.byte_range()));
                }
            }
            "field_identifier" | "label_name" => {}
            "func_literal" => {
                let mark = self.names.len();
                for list in [field("parameters"), field("result")].into_iter().flatten() {
                    self.parameters(list, src, free, true);
                }
                if let Some(b) = field("body") {
                    self.visit(b, src, free);
                }
                self.truncate(mark);
            }
            // Parameter names of function types and method specs declare
            // nothing the body could use: only their types are uses.
            "parameter_list" => self.parameters(node, src, free, false),
            "short_var_declaration" | "range_clause" | "receive_statement" => {
                let defines = node.kind() == "short_var_declaration" || {
                    let mut c = node.walk();
                    node.children(&mut c).any(|k| k.kind() == ":=")
                };
                if let Some(r) = field("right") {
                    self.visit(r, src, free);
                }
                match field("left") {
                    Some(l) if defines => self.declare_idents(l, src),
                    Some(l) => self.visit(l, src, free),
                    None => {}
                }
            }
            "var_spec" | "const_spec" => {
                for f in ["type", "value"] {
                    if let Some(c) = field(f) {
                        self.visit(c, src, free);
                    }
                }
                self.declare_idents(node, src);
            }
            "type_spec" | "type_alias" => {
                if let Some(n) = field("name") {
                    self.push(n.utf8_text(src).unwrap_or(""));
                }
                for f in ["type_parameters", "type"] {
                    if let Some(c) = field(f) {
                        self.visit(c, src, free);
                    }
                }
            }
            "selector_expression" => {
                if let Some(o) = field("operand") {
                    self.visit(o, src, free);
                }
            }
            "qualified_type" => {
                if let Some(p) = field("package") {
                    self.visit(p, src, free);
                }
            }
            "keyed_element" => {
                // `T{Name: v}`: a bare identifier key is a field name.
                let mut cursor = node.walk();
                for (i, child) in node.named_children(&mut cursor).enumerate() {
                    let field_key = i == 0
                        && child.named_child_count() == 1
                        && child
                            .named_child(0)
                            .is_some_and(|c| c.kind() == "identifier");
                    if !field_key {
                        self.visit(child, src, free);
                    }
                }
            }
            "type_switch_statement" => {
                let mark = self.names.len();
                for f in ["initializer", "value"] {
                    if let Some(c) = field(f) {
                        self.visit(c, src, free);
                    }
                }
                if let Some(a) = field("alias") {
                    self.declare_idents(a, src);
                }
                let mut cursor = node.walk();
                for c in node.named_children(&mut cursor) {
                    if c.kind() == "type_case" || c.kind() == "default_case" {
                        self.visit(c, src, free);
                    }
                }
                self.truncate(mark);
            }
            kind => {
                let block = matches!(
                    kind,
                    "block"
                        | "if_statement"
                        | "for_statement"
                        | "expression_switch_statement"
                        | "select_statement"
                        | "expression_case"
                        | "default_case"
                        | "type_case"
                        | "communication_case"
                );
                let mark = self.names.len();
                let mut cursor = node.walk();
                for c in node.children(&mut cursor) {
                    self.visit(c, src, free);
                }
                if block {
                    self.truncate(mark);
                }
            }
        }
    }

    /// A parameter list: types are uses; names are declared when `declare`.
    fn parameters(
        &mut self,
        list: Node,
        src: &'s [u8],
        free: &mut Vec<(String, Range<usize>)>,
        declare: bool,
    ) {
        if list.kind() != "parameter_list" {
            // A single unnamed result type.
            self.visit(list, src, free);
            return;
        }
        let mut cursor = list.walk();
        for p in list.named_children(&mut cursor) {
            if let Some(t) = p.child_by_field_name("type") {
                self.visit(t, src, free);
            }
            if declare {
                let mut c = p.walk();
                for n in p.children_by_field_name("name", &mut c) {
                    self.push(n.utf8_text(src).unwrap_or(""));
                }
            }
        }
    }
}

/// Whether a block that is not a function's body (an `if`/`for`/bare block,
/// a `case` clause) lies between `body` and the function around it (the
/// innermost literal, or the template's wrapper).
fn nested_in_block(root: Node, body: Range<usize>) -> bool {
    let Some(mut n) = root.named_descendant_for_byte_range(body.start, body.end) else {
        return false;
    };
    let is_function = |n: Node| matches!(n.kind(), "func_literal" | "function_declaration");
    while let Some(p) = n.parent() {
        match p.kind() {
            "func_literal" | "function_declaration" => return false,
            "expression_case" | "default_case" | "type_case" | "communication_case" => {
                return true;
            }
            "block" if !p.parent().is_some_and(is_function) => return true,
            _ => {}
        }
        n = p;
    }
    false
}

/// The number of results of the innermost literal around `body`.
fn enclosing_results(root: Node, body: Range<usize>) -> Option<usize> {
    let mut n = root.named_descendant_for_byte_range(body.start, body.end)?;
    loop {
        n = n.parent()?;
        if n.kind() == "func_literal" {
            return Some(match n.child_by_field_name("result") {
                None => 0,
                Some(r) if r.kind() == "parameter_list" => {
                    let mut cursor = r.walk();
                    r.named_children(&mut cursor)
                        .map(|p| {
                            let mut c = p.walk();
                            p.children_by_field_name("name", &mut c).count().max(1)
                        })
                        .sum()
                }
                Some(_) => 1,
            });
        }
    }
}

/// `around` advice whose `{{.Body}}` runs in a literal returning nothing
/// only fits functions without results (the others are skipped when
/// woven): a warning, unless the pointcut's target already says so (a
/// regex ending in `\)$`, like the handler signature's).
pub(super) fn around_results_warning(
    t: &Template,
    pointcut: Option<&Pointcut>,
    snippet: &Snippet,
    aspect: &str,
) -> Option<Diagnostic> {
    if t.body_results != Some(0) || pointcut.is_some_and(no_results_only) {
        return None;
    }
    Some(
        Diagnostic::warning(
            codes::AROUND_NO_RESULTS,
            format!(
                "the `around` advice of aspect `{aspect}` runs `{{{{.Body}}}}` in a function literal that returns nothing"
            ),
            snippet.span.clone(),
            "only functions without results can run their body here",
        )
        .with_help("functions with results are skipped (`goaop plan` lists them): give the literal the results of the functions you target, or select only functions without results (a `target` ending in `\\)$`)"),
    )
}

/// `around` advice with statements after a `{{.Body}}` that runs in the
/// function itself: they run only when the body falls off its end, never
/// after one of its `return`s; and a function with results ends in its
/// `return`, so where the advice's statements do not then end in a
/// terminating statement such functions are skipped (Go would reject
/// them: missing return).
pub(super) fn code_after_body_warning(
    t: &Template,
    pointcut: Option<&Pointcut>,
    after: Span,
    aspect: &str,
) -> Diagnostic {
    let skipped = if t.unterminated && !pointcut.is_some_and(no_results_only) {
        "; functions with results are skipped (`goaop plan` lists them), since they would no longer end in a `return`"
    } else {
        ""
    };
    Diagnostic::warning(
        codes::AROUND_CODE_AFTER_BODY,
        format!(
            "the `around` advice of aspect `{aspect}` has statements after `{{{{.Body}}}}`, which runs in the function itself"
        ),
        after,
        format!("this runs only when the body reaches its end, not after its `return`s{skipped}"),
    )
    .with_help("for code that runs on every exit, use `after` (deferred, results in scope), or run `{{.Body}}` in a function literal and put the code after the call")
}

/// Whether a pointcut requires a target regex ending in `\)$` (a parameter
/// list closing the signature: no results).
fn no_results_only(p: &Pointcut) -> bool {
    match p {
        Pointcut::Sig(re) => re.ends_with("\\)$"),
        Pointcut::And(ps) => ps.iter().any(no_results_only),
        Pointcut::Or(ps) => !ps.is_empty() && ps.iter().all(no_results_only),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::template::{Form, Scope, check};
    use crate::check::{Segment, Template};
    use crate::diag::Span;
    use crate::load::Snippet;

    fn template(text: &str, form: Form) -> Template {
        let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let (bindings, imports, globals, vars) = (
            set(&["ctx"]),
            set(&["fmt", "http"]),
            set(&["tracer"]),
            set(&["ctx", "Label"]),
        );
        let empty = BTreeSet::new();
        let scope = Scope {
            placeholders: &vars,
            bindings: &bindings,
            imports: &imports,
            globals: &globals,
            site: &["Args", "Self"],
            outer_declared: &empty,
        };
        let snippet = Snippet::new(text.to_string(), Span::new(0, 0..text.len()), Vec::new());
        let mut diags = Vec::new();
        let checked = check(&snippet, form, "advice", &scope, &mut diags);
        assert!(diags.iter().all(|d| !d.is_error()), "{text}: {diags:?}");
        checked.unwrap().template
    }

    /// The text of each hoisted literal.
    fn hoisted(t: &Template) -> Vec<String> {
        t.hoists
            .iter()
            .map(|r| {
                t.segments[r.clone()]
                    .iter()
                    .map(|s| match s {
                        Segment::Lit(l) => l.clone(),
                        Segment::Hole(h) | Segment::Embedded(h, _) => format!("{{{{.{h}}}}}"),
                        Segment::Ident(i) | Segment::Verbatim(i) => i.clone(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn capture_free_invoked_literals_are_hoisted() {
        let t = template(
            "defer func(p string) {\n    x := p\n    fmt.Println(x, \"{{.FuncName}}\", \"{{.Label}}\", tracer, len(x))\n}(\"a\")\ngo (func() {})()",
            Form::Statements,
        );
        assert_eq!(
            hoisted(&t),
            [
                "func(p string) {\n    x := p\n    fmt.Println(x, \"{{.FuncName}}\", \"{{.Label}}\", tracer, len(x))\n}",
                "func() {}"
            ]
        );
        assert!(!t.local_literal);
        let t = template(
            "func(addr string, h http.Handler) error { return nil }({{.Args}})",
            Form::Expression,
        );
        assert_eq!(hoisted(&t).len(), 1);
        assert!(t.is_call);
    }

    #[test]
    fn literals_that_capture_stay() {
        for text in [
            // A local of the template.
            "n := 1\nfunc() { fmt.Println(n) }()",
            // A binding (the function's parameter).
            "func() { fmt.Println(ctx) }()",
            // `x := x` uses the outer x on its right.
            "x := 1\nfunc() { x := x; _ = x }()",
            // A name declared in an inner block, used after it.
            "y := 2\nfunc() { if true { y := 1; _ = y }; _ = y }()",
            // Placeholders naming the function's own values.
            "func() { fmt.Println({{.ctx}}, {{.Self}}) }()",
            // Not invoked at once.
            "f := func() {}\nf()",
            // An implicit identifier (a parameter by name?).
            "func() { fmt.Println(r) }()",
        ] {
            let t = template(text, Form::Statements);
            assert!(t.hoists.is_empty(), "{text}: {:?}", hoisted(&t));
            assert!(t.local_literal, "{text}");
        }
    }

    #[test]
    fn body_results() {
        let t = template("func() {\n{{.Body}}\n}()", Form::Around);
        assert_eq!(t.body_results, Some(0));
        let t = template(
            "f := func() (n int, err error) {\n{{.Body}}\n}\n_, _ = f()",
            Form::Around,
        );
        assert_eq!(t.body_results, Some(2));
        let t = template("{\n{{.Body}}\n}", Form::Around);
        assert_eq!(t.body_results, None);
    }

    #[test]
    fn body_nested_in_a_block() {
        for (text, nested) in [
            ("{{.Body}}", false),
            ("func() {\n{{.Body}}\n}()", false),
            ("{\n{{.Body}}\n}", true),
            ("if true {\n{{.Body}}\n}", true),
            ("switch {\ncase true:\n\t{{.Body}}\n}", true),
            ("for {\n{{.Body}}\nbreak\n}", true),
            ("func() {\nif true {\n{{.Body}}\n}\n}()", true),
            ("if true {\nfunc() {\n{{.Body}}\n}()\n}", false),
        ] {
            assert_eq!(template(text, Form::Around).body_nested, nested, "{text}");
        }
    }
}
