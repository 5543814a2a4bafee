//! `{{.Body}}` in `around` advice: exactly one, as a statement of its own,
//! and the number of results of the `return`s around it (the function
//! literal the body runs in decides which functions the advice fits).

use super::*;

/// `around` advice contains `{{.Body}}` exactly once.
pub(super) fn one_body(
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
pub(super) fn body_is_statement(root: Node, range: Range<usize>) -> bool {
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

/// Values in each `return` of the template (not inside function literals).
pub(super) fn count_returns(
    node: Node,
    placeholders: &[Placeholder],
    base: usize,
) -> Vec<Option<usize>> {
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
