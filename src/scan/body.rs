//! What a function's body does that advice must not disturb (DESIGN §11):
//! computed on demand by the weaver, only for functions an aspect selected,
//! from the file's syntax tree (the scan itself does not pay for it).
//!
//! - the names the function declares anywhere (its signature, its body, its
//!   literals): an import the advice reuses must not be hidden by one;
//! - whether a top-level statement of the body redeclares a name of the
//!   signature (`v, err := g()` with a named result `err`): then the body
//!   cannot be wrapped in a block without changing what `err` means;
//! - calls whose meaning depends on the body running in the function's own
//!   frame: `recover()` (outside nested literals), `t.Helper()` on a
//!   `testing` parameter, `runtime.Caller`/`runtime.Callers`.
//!
//! All syntactic, no type information: the name sets over-approximate.
//! Walks use an explicit stack (no recursion on input size).

use std::collections::BTreeSet;

use tree_sitter::{Node, Tree};

use super::{FuncKind, FuncSite};

/// See the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// Every name the function declares: parameters, results, receiver,
    /// type parameters, and every local of its body and literals.
    pub locals: BTreeSet<String>,
    /// A signature name that a top-level statement of the body declares.
    pub redeclared: Option<String>,
    /// Calls `recover()` (not inside a nested function literal).
    pub recovers: bool,
    /// Calls `Helper()` on a `*testing.T/B/F` or `testing.TB` parameter.
    pub helper: bool,
    /// Calls `runtime.Caller` or `runtime.Callers`.
    pub caller: bool,
    /// The body's last statement is a `return`, a `goto` or a `panic(…)`:
    /// control never falls off its end.
    pub terminates: bool,
}

/// The syntax node of `site` in `tree`.
pub fn func_node<'t>(tree: &'t Tree, site: &FuncSite) -> Option<Node<'t>> {
    let mut n = tree
        .root_node()
        .descendant_for_byte_range(site.range.start, site.range.end)?;
    loop {
        let kind = match site.kind {
            FuncKind::Func => "function_declaration",
            FuncKind::Method => "method_declaration",
            FuncKind::Literal => "func_literal",
        };
        if n.kind() == kind && n.byte_range() == site.range {
            return Some(n);
        }
        n = n.parent()?;
    }
}

/// The names a function's signature declares.
pub fn signature_names(site: &FuncSite) -> BTreeSet<String> {
    site.params
        .iter()
        .chain(&site.results)
        .chain(&site.receiver_param)
        .filter_map(|p| p.name.clone())
        .chain(site.type_params.iter().map(|(n, _)| n.clone()))
        .filter(|n| n != "_")
        .collect()
}

/// Facts about `site`'s body; `runtime` are the names the file imports
/// package `runtime` under.
pub fn body_facts(tree: &Tree, src: &[u8], site: &FuncSite, runtime: &[String]) -> BodyFacts {
    let mut facts = BodyFacts {
        locals: signature_names(site),
        ..BodyFacts::default()
    };
    let Some(func) = func_node(tree, site) else {
        return facts;
    };
    let Some(body) = func.child_by_field_name("body") else {
        return facts;
    };
    facts.terminates = last_statement(body).is_some_and(|s| match s.kind() {
        "return_statement" | "goto_statement" => true,
        "expression_statement" => s
            .named_child(0)
            .filter(|c| c.kind() == "call_expression")
            .and_then(|c| c.child_by_field_name("function"))
            .is_some_and(|f| f.utf8_text(src) == Ok("panic")),
        _ => false,
    });
    let own = signature_names(site);
    facts.redeclared = top_level_declarations(body, src)
        .into_iter()
        .find(|n| own.contains(n));
    let testing: Vec<&str> = site
        .params
        .iter()
        .filter(|p| {
            matches!(
                p.ty.as_str(),
                "*testing.T" | "*testing.B" | "*testing.F" | "testing.TB"
            )
        })
        .filter_map(|p| p.name.as_deref())
        .collect();
    let text = |n: Node| n.utf8_text(src).unwrap_or("");
    // (node, inside a nested literal)
    let mut stack = vec![(body, false)];
    while let Some((node, nested)) = stack.pop() {
        match node.kind() {
            "call_expression" => {
                let callee = node.child_by_field_name("function");
                match callee.map(|c| (c.kind(), c)) {
                    Some(("identifier", c)) if !nested && text(c) == "recover" => {
                        facts.recovers = true;
                    }
                    Some(("selector_expression", c)) => {
                        let operand = c.child_by_field_name("operand").map(text);
                        let field = c.child_by_field_name("field").map(text);
                        if let (Some(o), Some(f)) = (operand, field) {
                            facts.helper |= f == "Helper" && testing.contains(&o);
                            facts.caller |=
                                (f == "Caller" || f == "Callers") && runtime.iter().any(|r| r == o);
                        }
                    }
                    _ => {}
                }
            }
            "parameter_declaration" | "variadic_parameter_declaration" => {
                let mut c = node.walk();
                for n in node.children_by_field_name("name", &mut c) {
                    facts.locals.insert(text(n).to_string());
                }
                continue;
            }
            _ => declared_names(node, src, &mut facts.locals),
        }
        let nested = nested || node.kind() == "func_literal";
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            stack.push((c, nested));
        }
    }
    facts.locals.remove("_");
    facts
}

/// Names a statement or spec declares (`:=`, `var`, `const`, `type`,
/// `range` with `:=`, a type switch's alias).
fn declared_names(node: Node, src: &[u8], out: &mut BTreeSet<String>) {
    let mut idents = |list: Node| {
        let mut c = list.walk();
        for n in list.children(&mut c) {
            if n.kind() == "identifier" {
                out.insert(n.utf8_text(src).unwrap_or("").to_string());
            }
        }
    };
    match node.kind() {
        "short_var_declaration" | "range_clause" | "receive_statement" => {
            let defines = node.kind() == "short_var_declaration" || {
                let mut c = node.walk();
                node.children(&mut c).any(|k| k.kind() == ":=")
            };
            if defines && let Some(left) = node.child_by_field_name("left") {
                idents(left);
            }
        }
        "var_spec" | "const_spec" => idents(node),
        "type_spec" | "type_alias" => {
            if let Some(n) = node.child_by_field_name("name") {
                out.insert(n.utf8_text(src).unwrap_or("").to_string());
            }
        }
        "type_switch_statement" => {
            if let Some(alias) = node.child_by_field_name("alias") {
                idents(alias);
            }
        }
        _ => {}
    }
}

/// The last statement of a block (through the grammar's statement list).
fn last_statement(block: Node) -> Option<Node> {
    fn last_of(n: Node) -> Option<Node> {
        let count = u32::try_from(n.named_child_count()).ok()?;
        n.named_child(count.checked_sub(1)?)
    }
    let last = last_of(block)?;
    if last.kind() == "statement_list" {
        return last_of(last);
    }
    Some(last)
}

/// Names the top-level statements of `block` declare (labeled statements
/// included).
fn top_level_declarations(block: Node, src: &[u8]) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<Node> = {
        let mut c = block.walk();
        block.named_children(&mut c).collect()
    };
    while let Some(stmt) = stack.pop() {
        match stmt.kind() {
            // Older grammars wrap the statements in a statement list.
            "statement_list" | "labeled_statement" => {
                let mut c = stmt.walk();
                stack.extend(stmt.named_children(&mut c));
            }
            "short_var_declaration" => declared_names(stmt, src, &mut out),
            "var_declaration" | "const_declaration" | "type_declaration" => {
                let mut c = stmt.walk();
                for spec in stmt.named_children(&mut c) {
                    match spec.kind() {
                        // `var ( … )` groups its specs in a list.
                        "var_spec_list" => {
                            let mut c = spec.walk();
                            for s in spec.named_children(&mut c) {
                                declared_names(s, src, &mut out);
                            }
                        }
                        _ => declared_names(spec, src, &mut out),
                    }
                }
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}
