//! Parsing the neutralised template as Go: statements or a single
//! expression, and a syntax error reported at the template's own text.

use super::*;

pub(super) fn is_single_expression(root: Node) -> bool {
    single_expression(root).is_some()
}

/// An expression template's one expression.
pub(in crate::check) fn single_expression(root: Node<'_>) -> Option<Node<'_>> {
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
pub(super) fn report_syntax(
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
