//! Where an `around` template's `{{.Body}}` leaves the function: Go's
//! terminating statements (the spec's "Terminating statements"), applied to
//! the template with the body standing for a statement that terminates.
//!
//! When `{{.Body}}` is not inside a function literal, the function's own
//! statements run in the function itself, and the template's text after
//! them follows the body's last statement. A function with results ends in
//! a terminating statement (its `return`), so that text would never run,
//! and the woven function must still end in a terminating statement or Go
//! rejects it ("missing return"). [`Around::ends`] says whether the
//! template's statements do, the body counted as terminating: the weaver
//! skips functions with results when they do not, and `check` warns about
//! text after the body ([`Around::code_after`]), which does not run after
//! a `return` of the body either.

use std::ops::Range;

use tree_sitter::Node;

/// What the statements around an `around`'s `{{.Body}}` do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Around {
    /// The template's statements end in a terminating statement, the body
    /// counted as one.
    pub ends: bool,
    /// The first statement that follows the body's, in its block or an
    /// enclosing one (up to the function literal it runs in, if any).
    pub code_after: Option<Range<usize>>,
}

/// `root` is the template parsed as `func _() { … }`, `src` its text;
/// `body` the range of the body placeholder's statement.
pub(super) fn around(root: Node, src: &[u8], body: Range<usize>) -> Around {
    let scan = Scan { src, body };
    let mut cursor = root.walk();
    let block = root
        .named_children(&mut cursor)
        .find(|n| n.kind() == "function_declaration")
        .and_then(|f| f.child_by_field_name("body"));
    Around {
        ends: block.is_none_or(|b| scan.list_ends(b)),
        code_after: scan.code_after(root),
    }
}

struct Scan<'s> {
    src: &'s [u8],
    body: Range<usize>,
}

/// The statements of a block or case: those of its `statement_list`,
/// without empty statements and comments.
fn statements(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    let Some(list) = n
        .named_children(&mut cursor)
        .find(|c| c.kind() == "statement_list")
    else {
        return Vec::new();
    };
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|s| !matches!(s.kind(), "empty_statement" | "comment"))
        .collect()
}

impl Scan<'_> {
    /// A block (or case) whose statement list ends in a terminating
    /// statement.
    fn list_ends(&self, n: Node) -> bool {
        statements(n).last().is_some_and(|s| self.ends(*s))
    }

    /// The spec's terminating statement, the body's statement being one.
    fn ends(&self, s: Node) -> bool {
        if s.byte_range() == self.body {
            return true;
        }
        match s.kind() {
            "return_statement" | "goto_statement" => true,
            "expression_statement" => s.named_child(0).is_some_and(|e| {
                e.kind() == "call_expression"
                    && e.child_by_field_name("function").is_some_and(|f| {
                        f.kind() == "identifier" && f.utf8_text(self.src) == Ok("panic")
                    })
            }),
            "block" => self.list_ends(s),
            "if_statement" => match (
                s.child_by_field_name("consequence"),
                s.child_by_field_name("alternative"),
            ) {
                (Some(then), Some(alt)) => self.list_ends(then) && self.ends(alt),
                _ => false,
            },
            "labeled_statement" => {
                let mut cursor = s.walk();
                let last = s.named_children(&mut cursor).last();
                last.is_some_and(|l| l.kind() != "label_name" && self.ends(l))
            }
            // `for { … }`: no condition, no clause, and no `break`.
            "for_statement" => {
                let mut cursor = s.walk();
                let bare = s
                    .named_children(&mut cursor)
                    .all(|c| matches!(c.kind(), "block" | "comment"));
                bare && !has_break(s)
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                let mut cursor = s.walk();
                let cases: Vec<Node> = s
                    .named_children(&mut cursor)
                    .filter(|c| c.kind().ends_with("_case"))
                    .collect();
                let exhaustive = s.kind() == "select_statement"
                    || cases.iter().any(|c| c.kind() == "default_case");
                exhaustive
                    && !has_break(s)
                    && cases.iter().all(|c| {
                        statements(*c)
                            .last()
                            .is_some_and(|l| l.kind() == "fallthrough_statement" || self.ends(*l))
                    })
            }
            _ => false,
        }
    }

    /// The first statement after the body's in its list or in an enclosing
    /// one, up to the function (or literal) it is in.
    fn code_after(&self, root: Node) -> Option<Range<usize>> {
        let mut n = root.named_descendant_for_byte_range(self.body.start, self.body.end)?;
        while let Some(p) = n.parent() {
            if matches!(p.kind(), "func_literal" | "function_declaration") {
                return None;
            }
            if p.kind() == "statement_list" {
                let mut sib = n.next_named_sibling();
                while let Some(s) = sib {
                    if !matches!(s.kind(), "empty_statement" | "comment") {
                        return Some(s.byte_range());
                    }
                    sib = s.next_named_sibling();
                }
            }
            n = p;
        }
        None
    }
}

/// Whether a `break` inside `s` (not inside a nested loop, switch, select
/// or function literal, where an unlabeled one means those) may leave it.
/// A labeled `break` anywhere counts: conservative, since it may name `s`.
fn has_break(s: Node) -> bool {
    let mut stack: Vec<(Node, bool)> = Vec::new();
    let mut cursor = s.walk();
    stack.extend(s.named_children(&mut cursor).map(|c| (c, true)));
    while let Some((n, own)) = stack.pop() {
        match n.kind() {
            "func_literal" => continue,
            "break_statement" => {
                let labeled = n.named_child(0).is_some();
                if own || labeled {
                    return true;
                }
            }
            _ => {}
        }
        let inner = own
            && !matches!(
                n.kind(),
                "for_statement"
                    | "expression_switch_statement"
                    | "type_switch_statement"
                    | "select_statement"
            );
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor).map(|c| (c, inner)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with `BODY` standing for the placeholder's statement.
    fn around_of(text: &str) -> Around {
        let program = format!("package p\nfunc _() {{\n{text}\n}}\n");
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_go::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(&program, None).unwrap();
        assert!(!tree.root_node().has_error(), "{program}");
        let at = program.find("BODY").unwrap();
        around(tree.root_node(), program.as_bytes(), at..at + 4)
    }

    #[test]
    fn terminating_templates() {
        for text in [
            "BODY",
            "x := 1\n_ = x\nBODY",
            "{\nBODY\n}",
            "BODY\n// trailing comment",
            "if c {\nBODY\n} else {\nreturn\n}",
            "if c {\nreturn\n} else if d {\nBODY\n} else {\npanic(1)\n}",
            "switch {\ncase c:\nBODY\ndefault:\nfallthrough\ncase d:\nreturn\n}",
            "for {\nBODY\n}",
            "L:\nBODY",
            "select {\ncase <-ch:\nBODY\n}",
        ] {
            assert!(around_of(text).ends, "{text}");
        }
    }

    #[test]
    fn templates_that_do_not_end_with_the_body() {
        for text in [
            "BODY\nprintln(1)",
            "if c {\nBODY\n}",
            "if c {\nBODY\n} else {\nprintln(1)\n}",
            "switch {\ncase c:\nBODY\n}",
            "for {\nif c { break }\nBODY\n}",
            "for c {\nBODY\n}",
            "{\nBODY\n}\nprintln(1)",
            "defer println(1)\nBODY\nx := 2\n_ = x",
        ] {
            assert!(!around_of(text).ends, "{text}");
        }
        // A `break` of an inner loop does not leave the outer one.
        assert!(around_of("for {\nfor { break }\nBODY\n}").ends);
    }

    #[test]
    fn code_after_the_body() {
        let after = |text: &str| {
            let program = format!("package p\nfunc _() {{\n{text}\n}}\n");
            around_of(text).code_after.map(|r| program[r].to_string())
        };
        assert_eq!(after("BODY\nprintln(1)").as_deref(), Some("println(1)"));
        assert_eq!(after("{\nBODY\n}\nx := 2").as_deref(), Some("x := 2"));
        assert_eq!(after("println(1)\nBODY"), None);
        assert_eq!(after("{\nBODY\n}\n// done"), None);
        assert_eq!(after("f := func() {\nBODY\n}\nf()"), None);
    }
}
