//! Functions used as values (the `as-value` pointcut condition): a function
//! that is only ever called is not a handler anyone serves, whatever its
//! signature. Computed on demand, once per package, from the files' syntax
//! trees; syntactic, so it over-approximates (a local variable with a
//! function's name counts as a use of the function).
//!
//! - A declared function is used as a value when its name appears anywhere
//!   in the package other than as the callee of a call (`f(x)`, `(f)(x)`,
//!   `f[T](x)`, also under `go`/`defer`) or as its own declaration's name:
//!   an argument, an assignment, a composite literal element, the operand
//!   of a conversion `http.HandlerFunc(h)`.
//! - A method is used as a value when a selector `x.name` appears other than
//!   as a callee (`mux.HandleFunc("/", s.handle)`, a method expression).
//! - A function literal is used as a value unless it is called right away.

use std::collections::BTreeSet;

use tree_sitter::{Node, Tree};

use super::FuncKind;
use super::FuncSite;
use super::body::func_node;

/// Names used as values in a set of files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueUses {
    /// Identifiers used other than as a callee or a declaration's name.
    pub names: BTreeSet<String>,
    /// Selector fields (`x.name`) used other than as a callee.
    pub members: BTreeSet<String>,
}

impl ValueUses {
    /// Add the uses in one file.
    pub fn add_file(&mut self, tree: &Tree, src: &[u8]) {
        let text = |n: Node| n.utf8_text(src).unwrap_or("").to_string();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "identifier" if !is_callee(node) && !is_declared_name(node) => {
                    self.names.insert(text(node));
                }
                "selector_expression" if !is_callee(node) => {
                    if let Some(f) = node.child_by_field_name("field") {
                        self.members.insert(text(f));
                    }
                }
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// Whether `site` is used as a value (see the module documentation).
    pub fn used_as_value(&self, site: &FuncSite, tree: &Tree) -> bool {
        match site.kind {
            FuncKind::Func => self.names.contains(&site.name),
            FuncKind::Method => self.members.contains(&site.name),
            FuncKind::Literal => func_node(tree, site).is_none_or(|n| !is_callee(n)),
        }
    }
}

/// `node` is the function a call calls (through parentheses and an
/// instantiation `f[T]`).
fn is_callee(node: Node) -> bool {
    let mut n = node;
    while let Some(p) = n.parent() {
        match p.kind() {
            "parenthesized_expression" => n = p,
            "index_expression" | "generic_type"
                if p.child_by_field_name("operand")
                    .or(p.child_by_field_name("type"))
                    == Some(n) =>
            {
                n = p
            }
            "call_expression" => return p.child_by_field_name("function") == Some(n),
            _ => return false,
        }
    }
    false
}

/// The name of a function or method declaration.
fn is_declared_name(node: Node) -> bool {
    node.parent().is_some_and(|p| {
        matches!(p.kind(), "function_declaration" | "method_declaration")
            && p.child_by_field_name("name") == Some(node)
    })
}
