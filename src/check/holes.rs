//! Where each `{{.Name}}` of a template stands, and whether its value can be
//! written there (DESIGN §4, §11: a placeholder's value is data, never code).
//!
//! `check` parses the template with every placeholder neutralised; the
//! syntax tree then says, for each placeholder, whether it sits inside a
//! string, raw string or rune literal, inside a line or block comment, or in
//! code position — and in code, whether it stands for an operand, a name or
//! a piece of a longer identifier. The weaver writes a value in the syntax
//! of its context ([`Segment::Embedded`](super::Segment::Embedded)) and
//! never parses the template again. Here are the rules that do not depend
//! on a value: text placeholders (`{{.Signature}}`, `{{.File}}`, …) never in
//! code, a site's code (`{{.Call}}`, `{{.Args}}`, …) never in text. The
//! rules for `vars` values, known at check time, are in `values.rs`.

use std::ops::Range;

use tree_sitter::Node;

use super::model::Embedding;
use crate::diag::{Diagnostic, codes};
use crate::load::Snippet;

/// What a placeholder in code position stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// An operand of an expression (or a whole expression statement).
    Operand,
    /// A name: declared (`x := …`), a field or type name, a label.
    Name,
    /// Part of a longer token (`log{{.Level}}`): never valid, a name
    /// cannot be built from a value.
    Glued,
}

/// A placeholder's lexical context in its template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Code(Slot),
    Embedded(Embedding),
}

/// One placeholder of a checked template.
#[derive(Clone, Debug)]
pub struct Use {
    pub name: String,
    /// Byte range of `{{.Name}}` in the template text.
    pub range: Range<usize>,
    pub context: Context,
}

/// Placeholders whose value is text about the join point (a name, a path,
/// a signature): data, to be written inside a string literal.
pub const TEXT_PLACEHOLDERS: &[&str] = &[
    "FuncName",
    "QualifiedName",
    "Package",
    "Receiver",
    "Signature",
    "File",
];

/// Placeholders whose value is the user's own code at the site: only code
/// position can hold it (quoting it would also quote goaop's `/*line*/`
/// position comments).
const SITE_CODE: &[&str] = &["Call", "Args", "Value", "Ref"];

/// Does the placeholder `{{…}}` at `range` of `text` stand alone between
/// two `'` (a rune literal in code; neutralised specially, see
/// [`rune_neutral`])?
pub fn rune_wrapped(text: &str, range: &Range<usize>) -> bool {
    range.start > 0
        && text.as_bytes()[range.start - 1] == b'\''
        && text.as_bytes().get(range.end) == Some(&b'\'')
}

/// The neutral text for `'{{…}}'` (quotes included, same byte length): a
/// parenthesised one-character rune literal, `('x'   )`, so the template
/// parses and the tree shows a rune literal there.
pub fn rune_neutral(len_with_quotes: usize) -> String {
    let mut s = String::from("('x'");
    while s.len() + 1 < len_with_quotes {
        s.push(' ');
    }
    s.push(')');
    s
}

/// Classify the placeholder whose neutral text is at `range` of the parsed
/// program.
pub fn classify(root: Node, src: &[u8], range: Range<usize>, wrapped: bool) -> Context {
    let Some(node) = root.descendant_for_byte_range(range.start, range.end) else {
        return Context::Code(Slot::Operand);
    };
    let mut at = Some(node);
    while let Some(n) = at {
        let embedding = match n.kind() {
            "interpreted_string_literal" => Some(Embedding::String),
            "raw_string_literal" => Some(Embedding::RawString),
            "rune_literal" => Some(Embedding::Rune),
            "comment" if src.get(n.start_byte() + 1) == Some(&b'/') => Some(Embedding::LineComment),
            "comment" => Some(Embedding::BlockComment),
            _ => None,
        };
        if let Some(e) = embedding {
            return Context::Embedded(e);
        }
        at = n.parent();
    }
    if wrapped {
        return Context::Embedded(Embedding::Rune);
    }
    let ident_like = matches!(
        node.kind(),
        "identifier" | "field_identifier" | "type_identifier" | "package_identifier" | "label_name"
    );
    if !ident_like || node.byte_range() != range {
        return Context::Code(Slot::Glued);
    }
    if node.kind() == "identifier" && !super::template::declares(node) {
        Context::Code(Slot::Operand)
    } else {
        Context::Code(Slot::Name)
    }
}

/// Report placeholders whose value can never be written where they stand.
/// `is_var` says whether a name is a `vars` key (checked against its value
/// later). Returns `false` when something was reported.
pub fn check(
    uses: &[Use],
    snippet: &Snippet,
    what: &str,
    is_var: &dyn Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    for u in uses {
        let name = u.name.as_str();
        let problem = match u.context {
            Context::Code(_) if TEXT_PLACEHOLDERS.contains(&name) => Some((
                format!("`{{{{.{name}}}}}` in code position in {what}"),
                format!("its value is text ({}), not Go code", example(name)),
                format!("write it inside a string literal, e.g. `\"{{{{.{name}}}}}\"`"),
            )),
            Context::Code(Slot::Glued) => Some((
                format!("`{{{{.{name}}}}}` is part of a longer token in {what}"),
                "a placeholder cannot build a name or a number".to_string(),
                format!(
                    "separate it from the letters or digits around it (a value is one operand, e.g. `f({{{{.{name}}}}})`), or write it inside a string literal"
                ),
            )),
            Context::Embedded(e) if SITE_CODE.contains(&name) => Some((
                format!("`{{{{.{name}}}}}` inside {} in {what}", embedding_name(e)),
                "its value is the site's Go code, not text".to_string(),
                format!(
                    "use `{{{{.{name}}}}}` as code (e.g. `wrap(…{{{{.{name}}}}}…)`); to say where the site is, write `\"{{{{.File}}}}:{{{{.Line}}}}\"`"
                ),
            )),
            Context::Embedded(Embedding::Rune) if !is_var(name) => Some((
                format!("`{{{{.{name}}}}}` inside a rune literal in {what}"),
                "its value is not known to be one character".to_string(),
                format!("write it inside a string literal instead: `\"{{{{.{name}}}}}\"`"),
            )),
            _ => None,
        };
        if let Some((message, label, help)) = problem {
            diags.push(
                Diagnostic::error(
                    codes::PLACEHOLDER_CONTEXT,
                    message,
                    snippet.file_span(u.range.clone()),
                    label,
                )
                .with_help(help),
            );
            ok = false;
        }
    }
    ok
}

/// What a text placeholder's value looks like, for messages.
fn example(name: &str) -> &'static str {
    match name {
        "FuncName" => "`Create`, `main.func1`",
        "QualifiedName" => "`example.com/shop.(*Stack[T]).Push`",
        "Package" => "`example.com/shop`",
        "Receiver" => "`(*Stack[T])`",
        "Signature" => "`func (*S) Do(n int) error`",
        _ => "a file name",
    }
}

/// How messages name a context.
pub fn embedding_name(e: Embedding) -> &'static str {
    match e {
        Embedding::String => "a string literal",
        Embedding::RawString => "a raw string literal",
        Embedding::Rune => "a rune literal",
        Embedding::LineComment => "a line comment",
        Embedding::BlockComment => "a block comment",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::check::template::{Form, Scope, check as check_template};
    use crate::diag::Span;

    /// The contexts of a statement template's placeholders, or the codes of
    /// its diagnostics. `N`, `L`, `C` are vars; site placeholders allowed.
    fn contexts(text: &str) -> Result<Vec<(String, Context)>, Vec<&'static str>> {
        let snippet = Snippet::new(text.to_string(), Span::new(0, 0..text.len()), vec![0]);
        let vars: BTreeSet<String> = ["N", "L", "C"].iter().map(|s| s.to_string()).collect();
        let empty = BTreeSet::new();
        let scope = Scope {
            placeholders: &vars,
            bindings: &empty,
            imports: &empty,
            globals: &empty,
            site: &["Call", "Args", "Context"],
            outer_declared: &empty,
        };
        let mut diags = Vec::new();
        match check_template(&snippet, Form::Statements, "advice", &scope, &mut diags) {
            Some(c) => Ok(c.uses.into_iter().map(|u| (u.name, u.context)).collect()),
            None => Err(diags.iter().map(|d| d.code).collect()),
        }
    }

    fn one(text: &str) -> Context {
        let got = contexts(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(got.len(), 1, "{text}");
        got[0].1
    }

    #[test]
    fn contexts_come_from_the_syntax_tree() {
        use Embedding::*;
        let e = Context::Embedded;
        assert_eq!(one("println(\"a {{.FuncName}} b\")"), e(String));
        assert_eq!(one("println(\"a\\n{{.Signature}}\\\"\")"), e(String));
        assert_eq!(one("println(`{{.Signature}}`)"), e(RawString));
        assert_eq!(one("x := 1 // {{.File}}\n_ = x"), e(LineComment));
        assert_eq!(one("/* {{.File}} */"), e(BlockComment));
        assert_eq!(one("r := '{{.C}}'\n_ = r"), e(Rune));
        assert_eq!(one("println(\"it's '{{.FuncName}}'\")"), e(String));
        assert_eq!(one("x := {{.N}}\n_ = x"), Context::Code(Slot::Operand));
        assert_eq!(one("f({{.Call}})"), Context::Code(Slot::Operand));
        assert_eq!(one("{{.N}} := 1"), Context::Code(Slot::Name));
        assert_eq!(one("x.{{.N}}()"), Context::Code(Slot::Name));
        assert_eq!(one("var x {{.N}}\n_ = x"), Context::Code(Slot::Name));
    }

    #[test]
    fn values_that_can_never_be_written_there_are_errors() {
        for text in [
            "x := {{.Signature}}\n_ = x",
            "println({{.File}})",
            "f{{.FuncName}}()",
            "println(\"{{.Call}}\")",
            "// {{.Args}}",
            "r := '{{.Line}}'\n_ = r",
            "r := '{{.FuncName}}'\n_ = r",
            "{{.Line}}x := 1",
            "line{{.Line}} := 1",
            "log{{.N}}()",
        ] {
            assert_eq!(
                contexts(text).err(),
                Some(vec![codes::PLACEHOLDER_CONTEXT]),
                "{text}"
            );
        }
        // Numbers, goaop's own identifiers and the site's code in code.
        for text in ["x := {{.Line}}\n_ = x", "f({{.Context}}, {{.Args}})"] {
            assert!(contexts(text).is_ok(), "{text}");
        }
    }
}
