//! The identifiers a template uses and declares: which names it declares
//! itself (`:=`, `var`, parameters of its literals), and which it uses
//! that must come from somewhere else (a binding, an import, a global, or
//! implicitly from the woven function).

use super::*;

pub(super) struct IdentUse {
    pub(super) name: String,
    pub(super) range: Range<usize>,
    /// Introduced by a declaration (`:=`, `var`, `const`, parameter, type).
    pub(super) decl: bool,
    /// For declarations: end of the declaring statement (uses before it, or
    /// inside its right-hand side, are uses of an outer name).
    pub(super) stmt_end: usize,
    pub(super) selector: bool,
}

/// Every identifier of the template, in source order. An explicit stack
/// (pre-order, each node with its parent and grandparent) instead of a
/// recursion: `a + b + …` nests as deep as it is long, and
/// `Node::parent` costs a walk down from the root.
pub(super) fn collect_idents(
    root: Node,
    src: &[u8],
    inside: &Range<usize>,
    out: &mut Vec<IdentUse>,
) {
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
pub(in crate::check) fn declares(node: Node) -> bool {
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
