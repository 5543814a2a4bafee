//! `snippets:` of an aspects.yaml: shared advice text defined once per file.
//!
//! ```yaml
//! snippets:
//!   flush: |                       # a plain piece of Go text
//!     _ = provider.Shutdown(ctx)
//!   instrument:                    # with parameters
//!     params: [Client]
//!     text: |
//!       func(c {{.Client}}) {{.Client}} { return c }({{.Call}})
//! ```
//!
//! Loading only records them; `check` expands `{{snippet "name" …}}` uses
//! (src/check/snippets.rs).

use super::node::{Node, Value};
use super::{Cx, Seen};
use crate::diag::{Spanned, codes};
use crate::load::RawSnippet;

/// Keys of a snippet written as a mapping.
pub const SNIPPET_FIELDS: &[&str] = &["params", "text"];

impl Cx<'_> {
    /// The `snippets:` mapping: name → text, or name → `{params, text}`.
    pub(super) fn snippets(&mut self, node: &Node) -> Vec<RawSnippet> {
        let entries = match &node.value {
            Value::Null => return Vec::new(),
            Value::Map(entries) => entries,
            _ => {
                self.wrong_type(
                    node,
                    "a mapping of snippet names to Go text",
                    "write `snippets:` then one `name: |` per snippet, followed by its indented Go text",
                );
                return Vec::new();
            }
        };
        let mut seen = Seen::new();
        let mut out = Vec::new();
        for (k, v) in entries {
            if self.key(k, &mut seen).is_none() {
                continue;
            }
            let Some(name) = self.string(k, "a snippet name") else {
                continue;
            };
            if let Some(s) = self.snippet_def(name, v) {
                out.push(s);
            }
        }
        out
    }

    fn snippet_def(&mut self, name: Spanned<String>, v: &Node) -> Option<RawSnippet> {
        let span = self.span(name.span.range.start..v.extent(self.src).end);
        let Value::Map(fields) = &v.value else {
            let body = self.snippet(v, "the snippet's Go text")?;
            return Some(RawSnippet {
                name,
                params: Vec::new(),
                body,
                span,
            });
        };
        let mut seen = Seen::new();
        let (mut params, mut body) = (Vec::new(), None);
        for (k, f) in fields {
            let Some(key) = self.key(k, &mut seen) else {
                continue;
            };
            match key.as_str() {
                "params" => params = self.strings(f, "a list of parameter names"),
                "text" => body = self.snippet(f, "the snippet's Go text"),
                _ => self.unknown_field(k, &key, SNIPPET_FIELDS, "of a snippet"),
            }
        }
        let Some(body) = body else {
            if !seen.contains_key("text") {
                self.error(
                    codes::MISSING_FIELD,
                    format!("snippet `{}` has no `text`", name.value),
                    name.span.range.clone(),
                    "no `text:`",
                    "give the snippet's Go text: `text: |` followed by indented lines".into(),
                );
            }
            return None;
        };
        Some(RawSnippet {
            name,
            params,
            body,
            span,
        })
    }
}
