//! The texts completion and hover show: field docs (the doc comments the
//! JSON Schema is generated from, so the editor and `goaop schema` say the
//! same), placeholder docs, and which placeholders each kind of advice
//! offers (the check's catalogue, so completion offers exactly what `check`
//! accepts).

use std::collections::BTreeMap;

use crate::check::template::{
    BODY, BUILTIN_PLACEHOLDERS, CALL_PLACEHOLDERS, CONTEXT_DOC, FUNCTION_PLACEHOLDERS,
    REF_PLACEHOLDERS, SET_FIELD_PLACEHOLDERS,
};
use crate::load::yaml::{ASPECT_FIELDS, TOP_FIELDS, schema};

/// Field name → description, for the top level and for one aspect, from
/// the schema's `description`s.
pub struct FieldDocs {
    pub top: BTreeMap<String, String>,
    pub aspect: BTreeMap<String, String>,
}

impl FieldDocs {
    pub fn new() -> Self {
        let schema: serde_json::Value =
            serde_json::from_str(&schema::json()).unwrap_or(serde_json::Value::Null);
        let descriptions = |props: &serde_json::Value, names: &[&str]| {
            names
                .iter()
                .map(|&n| {
                    let d = props[n]["description"].as_str().unwrap_or_default();
                    (n.to_string(), d.to_string())
                })
                .collect()
        };
        FieldDocs {
            top: descriptions(&schema["properties"], TOP_FIELDS),
            aspect: descriptions(
                &schema["definitions"]["Aspect"]["properties"],
                ASPECT_FIELDS,
            ),
        }
    }
}

impl Default for FieldDocs {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a template is written: which placeholders it can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdviceKind {
    /// `before` / `template` / `after`.
    Function,
    /// `around`: also `{{.Body}}`.
    Around,
    /// `replace`, `wrap`, `append-args` on a `call` join point.
    Call,
    /// `replace`, `wrap` on a `ref` join point.
    Ref,
    /// `set-field`.
    SetField,
}

/// The built-in placeholders of one kind of advice (the aspect's own
/// `vars` and `requires` keys come on top).
pub fn placeholders(kind: AdviceKind) -> Vec<&'static str> {
    let mut out = BUILTIN_PLACEHOLDERS.to_vec();
    match kind {
        AdviceKind::Function => out.extend(FUNCTION_PLACEHOLDERS),
        AdviceKind::Around => {
            out.extend(FUNCTION_PLACEHOLDERS);
            out.push(BODY);
        }
        AdviceKind::Call => out.extend(CALL_PLACEHOLDERS),
        AdviceKind::Ref => out.extend(REF_PLACEHOLDERS),
        AdviceKind::SetField => out.extend(SET_FIELD_PLACEHOLDERS),
    }
    out
}

/// What a built-in placeholder expands to (DESIGN §4).
pub fn placeholder_doc(name: &str) -> Option<&'static str> {
    Some(match name {
        "FuncName" => {
            "the declared name of the function: a method's own name (`Push`), a function literal `<enclosing>.func<N>` (`main.func1`)"
        }
        "QualifiedName" => {
            "the function's full name with its package path: `example.com/shop.(*Stack[T]).Push`"
        }
        "Package" => "the import path of the package being compiled",
        "Receiver" => "the receiver type of a method (`*Stack[T]`), empty for a function",
        "Signature" => "the canonical signature (`goaop plan --signatures` prints them)",
        "File" => "the base name of the Go file",
        "Line" => "the line of the function (or call) in its file",
        "Zeros" => {
            "the zero values of the function's results, for a `return {{.Zeros}}, err` in the advice"
        }
        "Self" => {
            "function advice only: the advised function as a value (`F`, `F[T, U]`, `recv.M`)"
        }
        "Body" => {
            "`around` only: where the function's own body runs (exactly once, as a statement)"
        }
        "Call" => "call-site advice only: the original call expression",
        "Args" => "call-site advice only: the call's argument list, without the parentheses",
        "Value" => "`set-field` only: the field's current value in the literal, or `nil`",
        "Ref" => "`ref` advice only: the reference as written (`http.DefaultTransport`)",
        "Context" => CONTEXT_DOC,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_and_placeholder_has_a_doc() {
        let docs = FieldDocs::new();
        for (field, doc) in docs.top.iter().chain(&docs.aspect) {
            assert!(!doc.is_empty(), "no schema description for `{field}`");
        }
        for kind in [
            AdviceKind::Function,
            AdviceKind::Around,
            AdviceKind::Call,
            AdviceKind::Ref,
            AdviceKind::SetField,
        ] {
            for p in placeholders(kind) {
                assert!(placeholder_doc(p).is_some(), "no doc for {{{{.{p}}}}}");
            }
        }
    }
}
