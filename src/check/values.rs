//! `vars` values against the places the templates use them (DESIGN §4):
//! known at check time, so a value that cannot be written where it stands
//! is an error at the value's span, pointing at the use.
//!
//! Inside a string literal any value is fine (the weaver escapes it). A
//! value must not end the comment it is written into (`*/`, a line break),
//! hold what a raw string cannot (a backquote, a carriage return), be more
//! than one character in a rune literal, or — in code position — be
//! anything but one Go operand (an identifier where a name stands).

use tree_sitter::{Node, Parser};

use super::holes::{Context, Slot, embedding_name};
use super::model::Embedding;
use crate::diag::{Diagnostic, Span, Spanned, codes};

/// One use of a placeholder in a template: name, span in the aspect file,
/// context.
pub(super) type SpannedUse = (String, Span, Context);

/// Check every var against every use of it; one error per var (its first
/// use that cannot hold the value).
pub(super) fn check(
    vars: &[(Spanned<String>, Spanned<String>)],
    uses: &[SpannedUse],
    diags: &mut Vec<Diagnostic>,
) {
    for (key, value) in vars {
        let problem = uses
            .iter()
            .filter(|(name, _, _)| *name == key.value)
            .find_map(|(_, span, ctx)| Some((span, *ctx, problem(&value.value, *ctx)?)));
        let Some((used_at, ctx, (label, help))) = problem else {
            continue;
        };
        let place = match ctx {
            Context::Embedded(e) => format!("used here, inside {}", embedding_name(e)),
            Context::Code(_) => "used here, in code position".to_string(),
        };
        diags.push(
            Diagnostic::error(
                codes::UNSAFE_VAR,
                format!(
                    "the value of var `{}` cannot be written where the advice uses it",
                    key.value
                ),
                value.span.clone(),
                label,
            )
            .with_secondary(used_at.clone(), place)
            .with_help(help),
        );
    }
}

/// Why `value` cannot stand in `ctx` (label, help), if it cannot.
fn problem(value: &str, ctx: Context) -> Option<(String, String)> {
    let string_help = "write the placeholder inside an interpreted string literal \"…\", where any value is escaped";
    match ctx {
        Context::Embedded(Embedding::String) => None,
        Context::Embedded(Embedding::RawString) => {
            let label = value.chars().find_map(|c| {
                Some(match c {
                    '`' => "a backquote would end the raw string literal",
                    '\r' => "a raw string literal drops carriage returns",
                    '\0' => "a NUL character cannot appear in Go source",
                    '\u{feff}' => "a byte order mark cannot appear inside Go source",
                    _ => return None,
                })
            })?;
            Some((label.to_string(), string_help.to_string()))
        }
        Context::Embedded(Embedding::Rune) => {
            let n = value.chars().count();
            (n != 1).then(|| {
                (
                    format!("a rune literal holds one character, this value has {n}"),
                    format!("use a one-character value, or {string_help}"),
                )
            })
        }
        Context::Embedded(Embedding::LineComment) => value.contains(['\n', '\r']).then(|| {
            (
                "a line break would end the line comment".to_string(),
                "remove the line break from the value, or use a block comment `/* … */`"
                    .to_string(),
            )
        }),
        Context::Embedded(Embedding::BlockComment) => value.contains("*/").then(|| {
            (
                "`*/` would end the block comment".to_string(),
                "remove `*/` from the value, or move the placeholder out of the comment"
                    .to_string(),
            )
        }),
        Context::Code(Slot::Operand) => operand_problem(value).map(|label| {
            (
                label,
                format!(
                    "in code position a var is one Go operand: a name, a literal, a call, or an expression in parentheses such as `(5 * time.Second)`; to use it as text, {string_help}"
                ),
            )
        }),
        Context::Code(Slot::Name) => {
            (!super::template::is_go_ident(value) || is_keyword(value)).then(|| {
                (
                    format!("`{value}` is not a Go identifier"),
                    "here the var stands for a name (declared, a field, a type or a label): its value must be a Go identifier".to_string(),
                )
            })
        }
        // Reported by `holes::check` whatever the value.
        Context::Code(Slot::Glued) => None,
    }
}

/// Why `value` is not one Go operand, if it is not.
fn operand_problem(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return Some("an empty value leaves a hole in the code".into());
    }
    if value.contains(['\n', '\r']) {
        return Some("a line break in code position can end the statement early".into());
    }
    if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
        return Some(format!(
            "the control character {c:?} cannot appear in Go code"
        ));
    }
    let program = format!("package p\nvar _ = {value}\n");
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .expect("tree-sitter-go grammar is compatible with the runtime");
    let tree = parser.parse(&program, None)?;
    let root = tree.root_node();
    if root.has_error() {
        return Some("not a Go expression".into());
    }
    if has_comment(root) {
        return Some("a comment in code position can swallow the code after it".into());
    }
    let Some(expr) = super::template::single_expression(root) else {
        return Some("not one Go expression".into());
    };
    if matches!(expr.kind(), "binary_expression" | "unary_expression") {
        return Some(format!(
            "`{value}` is an operation, not one operand: its meaning would depend on the code around it"
        ));
    }
    None
}

/// Whether the tree holds a comment (iteratively: values are unbounded).
fn has_comment(root: Node) -> bool {
    let mut cursor = root.walk();
    loop {
        if cursor.node().kind() == "comment" {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// Go's keywords: never a name.
fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "break"
            | "case"
            | "chan"
            | "const"
            | "continue"
            | "default"
            | "defer"
            | "else"
            | "fallthrough"
            | "for"
            | "func"
            | "go"
            | "goto"
            | "if"
            | "import"
            | "interface"
            | "map"
            | "package"
            | "range"
            | "return"
            | "select"
            | "struct"
            | "switch"
            | "type"
            | "var"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands() {
        for ok in [
            "3",
            "0x1p-2i",
            "true",
            "time.Second",
            "f(1, 2)",
            "(5 * time.Second)",
            "\"a\\\"b\"",
            "[]int{1}",
            "'x'",
        ] {
            assert_eq!(operand_problem(ok), None, "{ok}");
        }
        for bad in [
            "1 + 2",
            "-1",
            "x := 1",
            "1, 2",
            "a) + f(b",
            "x }; func init() { panic(1) }; var y = {",
            "1 // c",
            "f(/* c */ 1)",
            "a\nb",
            "",
            "x; func init() { panic(1) }; var _ = 1",
        ] {
            assert!(operand_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn contexts() {
        let c = |e| Context::Embedded(e);
        assert!(problem("a\"b\\c\n", c(Embedding::String)).is_none());
        assert!(problem("a`b", c(Embedding::RawString)).is_some());
        assert!(problem("a*/b", c(Embedding::BlockComment)).is_some());
        assert!(problem("a*/b", c(Embedding::LineComment)).is_none());
        assert!(problem("a\nb", c(Embedding::LineComment)).is_some());
        assert!(problem("é", c(Embedding::Rune)).is_none());
        assert!(problem("ab", c(Embedding::Rune)).is_some());
        assert!(problem("func", Context::Code(Slot::Name)).is_some());
        assert!(problem("total", Context::Code(Slot::Name)).is_none());
    }
}
