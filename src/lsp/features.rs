//! Completion and hover over one document's text: fields, placeholders,
//! `use:` entries and diagnostic codes. Match counts for a `target` or
//! `pointcut` are computed elsewhere ([`super::matches`]): this module only
//! says when a hover asks for them.

use std::sync::Arc;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};

use super::context::{self, Spot};
use super::convert;
use super::docs::{self, FieldDocs};
use crate::bundled;
use crate::diag::explain;
use crate::load::yaml::{ASPECT_FIELDS, TOP_FIELDS};
use crate::packs::discover::Offered;

/// The completion items at `offset`; `packs` gives the aspect packs the
/// module could use (asked only in a `use` entry).
pub fn complete(
    docs: &FieldDocs,
    text: &str,
    offset: usize,
    dsl: bool,
    packs: &dyn Fn() -> Arc<Vec<Offered>>,
) -> Vec<CompletionItem> {
    let offset = offset.min(text.len());
    let item =
        |label: &str, kind: CompletionItemKind, detail: Option<String>, doc: &str| CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail,
            documentation: (!doc.is_empty()).then(|| markdown_doc(doc)),
            ..Default::default()
        };
    let fields = |names: &[&str], docs: &std::collections::BTreeMap<String, String>| {
        names
            .iter()
            .map(|&n| {
                let mut it = item(
                    n,
                    CompletionItemKind::FIELD,
                    None,
                    docs.get(n).map_or("", String::as_str),
                );
                it.insert_text = Some(format!("{n}: "));
                it
            })
            .collect()
    };
    match context::spot(text, offset, dsl) {
        Spot::TopKey => fields(TOP_FIELDS, &docs.top),
        Spot::AspectKey => fields(ASPECT_FIELDS, &docs.aspect),
        Spot::Placeholder { kind, extra } => {
            // Close the placeholder unless the text already does.
            let rest = &text[offset.min(text.len())..];
            let typed_on = rest
                .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
                .trim_start();
            let close = !typed_on.starts_with("}}");
            let mut out: Vec<CompletionItem> = docs::placeholders(kind)
                .into_iter()
                .map(|p| {
                    item(
                        p,
                        CompletionItemKind::VARIABLE,
                        Some("built-in placeholder".into()),
                        docs::placeholder_doc(p).unwrap_or_default(),
                    )
                })
                .collect();
            out.extend(extra.iter().map(|p| {
                item(
                    p,
                    CompletionItemKind::CONSTANT,
                    Some("this aspect's `vars`/`requires`".into()),
                    "",
                )
            }));
            if close {
                for it in &mut out {
                    it.insert_text = Some(format!("{}}}}}", it.label));
                }
            }
            out
        }
        Spot::Use {
            start,
            listed,
            quote,
        } => {
            let mut out: Vec<CompletionItem> = bundled::INTEGRATIONS
                .iter()
                .map(|f| {
                    item(
                        f.name,
                        CompletionItemKind::MODULE,
                        Some("bundled integration".into()),
                        f.summary,
                    )
                })
                .collect();
            out.extend(packs().iter().map(|p| {
                item(
                    &p.path,
                    CompletionItemKind::MODULE,
                    Some(format!("aspect pack ({}@{})", p.module, p.version)),
                    &pack_doc(p),
                )
            }));
            out.retain(|it| !listed.contains(&it.label));
            // The whole entry typed so far is replaced (an import path is
            // several words to the editor).
            let range = convert::range(text, start.min(offset)..offset);
            for it in &mut out {
                let new_text = if quote {
                    format!("\"{}\"", it.label)
                } else {
                    it.label.clone()
                };
                it.filter_text = Some(it.label.clone());
                it.text_edit = Some(CompletionTextEdit::Edit(TextEdit { range, new_text }));
            }
            out
        }
        Spot::Nothing => Vec::new(),
    }
}

/// A pack item's documentation: the aspects it ships and where it is.
fn pack_doc(p: &Offered) -> String {
    let aspects = if p.aspects.is_empty() {
        "Aspect pack".to_string()
    } else {
        let names: Vec<String> = p.aspects.iter().map(|a| format!("`{a}`")).collect();
        format!("Aspects: {}", names.join(", "))
    };
    format!(
        "{aspects}\n\nFrom module `{}` {} (`{}`).",
        p.module,
        p.version,
        p.dir.display()
    )
}

/// What a hover at `offset` shows, before any match count.
#[derive(Debug, PartialEq, Eq)]
pub enum Hovered {
    /// Markdown to show.
    Text(String),
    /// A `target` or `pointcut` field: its doc, and the match count to add.
    Pointcut(String),
    Nothing,
}

/// The hover at `offset`.
pub fn hover(docs: &FieldDocs, text: &str, offset: usize, dsl: bool) -> Hovered {
    let offset = offset.min(text.len());
    let (word, range) = context::word_at(text, offset);
    if word.is_empty() {
        return Hovered::Nothing;
    }
    if is_code(word)
        && let Some(page) = explain::page(word)
    {
        return Hovered::Text(page.to_string());
    }
    if let Some(name) = context::placeholder_at(text, offset) {
        return Hovered::Text(match docs::placeholder_doc(name) {
            Some(doc) => format!("`{{{{.{name}}}}}`: {doc}"),
            None => format!(
                "`{{{{.{name}}}}}`: a `vars` or `requires` name of this aspect (else unknown: `goaop check` says so)"
            ),
        });
    }
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let is_key = if dsl {
        text[range.start..].starts_with(word) && text[line_start..range.start].trim().is_empty()
    } else {
        context::line_key(line) == Some(word) && text[range.end..].starts_with(':')
    };
    if !is_key {
        return Hovered::Nothing;
    }
    let top = !dsl && line_start == range.start;
    let doc = if top { &docs.top } else { &docs.aspect };
    let Some(d) = doc.get(word) else {
        return Hovered::Nothing;
    };
    let text = format!("**`{word}`**: {d}");
    if word == "target" || word == "pointcut" {
        Hovered::Pointcut(text)
    } else {
        Hovered::Text(text)
    }
}

/// `E0201`, `W0001`: a diagnostic code's shape.
fn is_code(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 5 && matches!(b[0], b'E' | b'W') && b[1..].iter().all(u8::is_ascii_digit)
}

fn markdown_doc(text: &str) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No offset of any text makes completion or hover panic (the editor
    /// asks anywhere, in the middle of any edit).
    #[test]
    fn every_offset_is_safe() {
        let docs = FieldDocs::new();
        let texts = [
            "aspects:\n  - name: é→😀\n    target: \"{{.\"\n    around: |\n      x(\"→{{. 😀}}\")\n      {{.Body}}\n  - { name: b, call: x.Y, wrap: \"f({{.Ca",
            "use: [otel, →\n- {{\n:\n{{.\n",
            "aspect a {\n pointcut target(\"é\")\n before { f(\"{{.😀\") }\n}\n",
        ];
        for text in texts {
            for dsl in [false, true] {
                for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    complete(&docs, text, offset, dsl, &|| Arc::default());
                    hover(&docs, text, offset, dsl);
                }
            }
        }
    }

    #[test]
    fn hovers() {
        let docs = FieldDocs::new();
        let yaml =
            "aspects:\n  - name: a\n    target: x\n    before: |\n      f(\"{{.FuncName}}\")\n";
        let on = |needle: &str| hover(&docs, yaml, yaml.find(needle).unwrap() + 1, false);
        assert!(matches!(on("target"), Hovered::Pointcut(t) if t.contains("canonical signature")));
        assert!(matches!(on("FuncName"), Hovered::Text(t) if t.contains("declared name")));
        assert!(matches!(on("aspects"), Hovered::Text(t) if t.starts_with("**`aspects`**")));
        assert_eq!(on("x\n"), Hovered::Nothing);
    }
}
