//! The `aspects.yaml` front end (serde-saphyr, which locates every value).
//!
//! The file is read into a tree of located [`node::Node`]s, then lowered by
//! hand so that every problem of the file is reported at once: unknown
//! fields (E0102, with a "did you mean"), wrong shapes (E0103), a missing
//! `name` (E0104), fields given twice, including `before` with its alias
//! `template` (E0106). A YAML syntax error is one E0101.
//!
//! Lowering of the "where" fields: `target` → `Sig`, `call` → `Call`, `ref` → `Ref`,
//! `pointcut` → the parsed DSL expression (its `execution(…)` bindings join
//! `requires`/`results`); those given are and-ed in that order, then and-ed
//! with the `packages` (`Within`s or-ed together).
//!
//! Scalars: numbers and booleans where a string is expected are taken as
//! written (`Retries: 3` → `"3"`). A `Spanned<String>` covers exactly the
//! value when it is a verbatim copy of the file (`span.len() == value.len()`,
//! quotes excluded); otherwise (escapes, folded lines) the whole YAML value.

mod node;
pub mod schema;
mod snippets;

pub use snippets::SNIPPET_FIELDS;

use std::collections::HashMap;
use std::ops::Range;

use self::node::{Node, Value, line_starts};
use super::dsl::pointcut::{parse_snippet, push_new};
use super::gotext::{split_top_level_commas, sub_snippet};
use super::{RawAdvice, RawAspect, RawFile, RawPointcut, Snippet};
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes, did_you_mean};
use crate::gopath::assumed_package_name as assumed_name;

/// Top-level keys.
pub const TOP_FIELDS: &[&str] = &["aspects", "use", "snippets"];
/// Keys of one aspect.
pub const ASPECT_FIELDS: &[&str] = &[
    "name",
    "target",
    "packages",
    "call",
    "ref",
    "pointcut",
    "as-value",
    "requires",
    "results",
    "globals",
    "imports",
    "vars",
    "before",
    "template",
    "after",
    "around",
    "replace",
    "wrap",
    "append-args",
    "set-field",
    "order",
    "tests",
];

pub fn load(sources: &Sources, file: FileId) -> (RawFile, Vec<Diagnostic>) {
    let src = sources.get(file).text.as_str();
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    };
    let mut root: Node = match serde_saphyr::from_str_with_options(src, options) {
        Ok(n) => n,
        Err(e) => return (RawFile::default(), vec![syntax_error(&e, src, file)]),
    };
    root.fix_ranges(src);
    let mut cx = Cx {
        src,
        file,
        diags: Vec::new(),
    };
    let raw = cx.file(&root);
    (raw, cx.diags)
}

fn syntax_error(e: &serde_saphyr::Error, src: &str, file: FileId) -> Diagnostic {
    use serde_saphyr::MessageFormatter;
    let message = serde_saphyr::UserMessageFormatter
        .format_message(e.without_snippet())
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>();
    let at = e.location().map_or(0, |loc| {
        match loc
            .span()
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
        {
            Some(o) if o <= src.len() && src.is_char_boundary(o) => o,
            _ => node::offset_of_line_col(src, loc.line(), loc.column()),
        }
    });
    let end = src[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let lower = message.to_lowercase();
    let help = if lower.contains("tab") {
        "YAML indents with spaces, not tabs"
    } else if lower.contains("quote") {
        "a quoted string runs to its closing quote, across lines: check the quotes on this line and the lines above"
    } else if lower.contains("bracket") || lower.contains("brace") || lower.contains("flow") {
        "close every `[` and `{` of a flow collection"
    } else if ["key", "indent", "mapping", "block"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "check the indentation: the fields of one aspect must start in the same column"
    } else {
        "fix the YAML syntax here; an aspects file is a mapping with an `aspects:` list"
    };
    Diagnostic::error(
        codes::YAML_SYNTAX,
        format!("invalid YAML: {message}"),
        Span::new(file, at..end),
        message,
    )
    .with_help(help)
}

struct Cx<'a> {
    src: &'a str,
    file: FileId,
    diags: Vec<Diagnostic>,
}

/// The keys already met in a mapping: canonical name → (spelling, range).
/// A map, so a mapping with many keys (`vars:`) is checked in linear time.
type Seen = HashMap<String, (String, Range<usize>)>;

/// The "where" fields of one aspect, gathered before lowering.
#[derive(Default)]
struct Where {
    target: Option<Spanned<String>>,
    call: Option<Spanned<String>>,
    reference: Option<Spanned<String>>,
    pointcut: Option<RawPointcut>,
    /// `as-value: true`.
    as_value: Option<Span>,
    packages: Vec<Spanned<String>>,
}

impl Cx<'_> {
    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    fn error(
        &mut self,
        code: &'static str,
        msg: String,
        r: Range<usize>,
        label: &str,
        help: String,
    ) {
        let d = Diagnostic::error(code, msg, self.span(r), label).with_help(help);
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, expected: &str, help: &str) {
        let r = self.first_line(node.extent(self.src));
        self.error(
            codes::WRONG_TYPE,
            format!("expected {expected}, found {}", node.value.kind()),
            r,
            &format!("expected {expected}"),
            help.to_string(),
        );
    }

    /// A range cut to its first line (for labels on whole mappings).
    fn first_line(&self, r: Range<usize>) -> Range<usize> {
        let text = &self.src[r.clone()];
        match text.find('\n') {
            Some(i) => r.start..r.start + text[..i].trim_end().len(),
            None => r,
        }
    }

    fn file(&mut self, root: &Node) -> RawFile {
        let mut raw = RawFile::default();
        let entries = match &root.value {
            Value::Null => return raw,
            Value::Map(e) => e,
            _ => {
                self.wrong_type(
                    root,
                    "a mapping with an `aspects:` list",
                    "an aspects file looks like `aspects:\\n  - name: tracing\\n    target: \"func.*Context\"`",
                );
                return raw;
            }
        };
        let mut seen = Seen::new();
        for (k, v) in entries {
            let Some(key) = self.key(k, &mut seen) else {
                continue;
            };
            match key.as_str() {
                "aspects" => match &v.value {
                    Value::Null => {}
                    Value::Seq(items) => {
                        for item in items {
                            if let Some(a) = self.aspect(item) {
                                raw.aspects.push(a);
                            }
                        }
                    }
                    _ => self.wrong_type(
                        v,
                        "a list of aspects",
                        "write each aspect as a list entry: `aspects:\\n  - name: tracing`",
                    ),
                },
                "use" => raw.uses = self.strings(v, "a list of bundled integration names"),
                "snippets" => raw.snippets = self.snippets(v),
                _ => self.unknown_field(k, &key, TOP_FIELDS, "at the top level"),
            }
        }
        raw
    }

    /// A mapping key as a string, reporting non-string keys and duplicates
    /// (`seen` holds the keys so far: canonical name, spelling, range).
    fn key(&mut self, k: &Node, seen: &mut Seen) -> Option<String> {
        let Some(key) = self.scalar_text(k) else {
            self.wrong_type(
                k,
                "a field name",
                "field names are plain words such as `name`",
            );
            return None;
        };
        // `template` is `before` under another name.
        let canonical = if key == "template" {
            "before"
        } else {
            key.as_str()
        };
        if let Some((written, first)) = seen.get(canonical) {
            let alias = *written != key;
            let msg = if alias {
                "`before` and its alias `template` are both given".to_string()
            } else {
                format!("`{key}` given twice")
            };
            let help = if alias {
                "`template` is another name for `before`: keep only one of them".to_string()
            } else {
                format!("keep only one `{key}`")
            };
            let d = Diagnostic::error(
                codes::DUPLICATE_FIELD,
                msg,
                self.span(k.text.clone()),
                "given again here",
            )
            .with_secondary(self.span(first.clone()), "first given here")
            .with_help(help);
            self.diags.push(d);
            return None;
        }
        seen.insert(canonical.to_string(), (key.clone(), k.text.clone()));
        Some(key)
    }

    fn unknown_field(&mut self, k: &Node, key: &str, known: &[&str], place: &str) {
        let help = match did_you_mean(key, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "the fields {place} are {}",
                known
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error(
            codes::UNKNOWN_FIELD,
            format!("unknown field `{key}`"),
            k.text.clone(),
            "unknown field",
            help,
        );
    }

    fn aspect(&mut self, node: &Node) -> Option<RawAspect> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                "an aspect (a mapping with `name:` and `target:`)",
                "write the aspect as `- name: tracing` followed by its fields, or `- { name: tracing, target: \"func.*Context\" }`",
            );
            return None;
        };
        let extent = node.extent(self.src);
        let diags_before = self.diags.len();
        let mut pointcut_failed = false;
        let mut name = None;
        let mut w = Where::default();
        let mut requires = Vec::new();
        let mut results = Vec::new();
        let mut globals = Vec::new();
        let mut imports = Vec::new();
        let mut vars = Vec::new();
        let mut advice = RawAdvice::default();
        let mut order = None;
        let mut tests = None;
        let mut bindings = None;
        let mut seen = Seen::new();
        for (k, v) in entries {
            let Some(key) = self.key(k, &mut seen) else {
                continue;
            };
            match key.as_str() {
                "name" => name = self.string(v, "the aspect's name (a string)"),
                "target" => w.target = self.string(v, "a regex over the canonical signature"),
                "call" => w.call = self.string(v, "a call target like `database/sql.Open`"),
                "ref" => {
                    w.reference = self.string(
                        v,
                        "a package-level variable like `net/http.DefaultTransport`",
                    )
                }
                "packages" => w.packages = self.strings(v, "a package pattern or a list of them"),
                "as-value" => match &v.value {
                    Value::Bool(true) => w.as_value = Some(self.span(v.text.clone())),
                    Value::Bool(false) => {}
                    _ => self.wrong_type(
                        v,
                        "a boolean",
                        "`as-value: true` selects only functions used as values in their package (passed, assigned, converted), never only called",
                    ),
                },
                "pointcut" => {
                    if let Some(snippet) = self.pointcut_text(v) {
                        let (pc, mut diags) = parse_snippet(&snippet);
                        self.diags.append(&mut diags);
                        pointcut_failed = pc.is_none();
                        if let Some((pc, b)) = pc {
                            w.pointcut = Some(pc);
                            bindings = Some(b);
                        }
                    }
                }
                "requires" => requires = self.pairs(v, "parameter bindings `name: Type`"),
                "results" => results = self.pairs(v, "result bindings `name: Type`"),
                "globals" => globals = self.strings(v, "a list of package-level names"),
                "imports" => imports = self.imports(v),
                "vars" => vars = self.pairs(v, "template constants `Name: value`"),
                "before" | "template" => advice.before = self.snippet(v, "Go statements"),
                "after" => advice.after = self.snippet(v, "Go statements"),
                "around" => advice.around = self.snippet(v, "Go statements containing `{{.Body}}`"),
                "replace" => advice.replace = self.snippet(v, "a Go expression"),
                "wrap" => advice.wrap = self.snippet(v, "a Go expression containing `{{.Call}}`"),
                "append-args" => advice.append_args = self.append_args(v),
                "set-field" => advice.set_fields = self.set_fields(v),
                "order" => order = self.order(v),
                "tests" => tests = self.string(v, "`true` or `false`"),
                _ => self.unknown_field(k, &key, ASPECT_FIELDS, "of an aspect"),
            }
        }
        if let Some(b) = bindings {
            push_new(&mut requires, b.requires);
            push_new(&mut results, b.results);
        }
        // Advice refused for its size or depth, or a pointcut that does not
        // parse (both reported already): the aspect would look adviceless or
        // placeless and draw errors about that, so it stops here.
        if pointcut_failed || super::limits::refused(&self.diags[diags_before..]) {
            return None;
        }
        let Some(name) = name else {
            if !seen.contains_key("name") {
                let r = self.first_line(extent.clone());
                self.error(
                    codes::MISSING_FIELD,
                    "aspect without a `name`".into(),
                    r,
                    "this aspect has no `name:`",
                    "add `name: <a unique name>`; naming a bundled aspect (`tracing`) without advice reuses its advice".into(),
                );
            }
            return None;
        };
        Some(RawAspect {
            name,
            span: self.span(extent),
            pointcut: lower_where(w),
            requires,
            results,
            globals,
            imports,
            vars,
            advice,
            order,
            tests,
        })
    }

    /// The text of a scalar: strings as they are, numbers and booleans as
    /// written in the file.
    fn scalar_text(&self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let written = &self.src[node.text.clone()];
                Some(if written.is_empty() || written.starts_with('*') {
                    match &node.value {
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => String::new(),
                    }
                } else {
                    written.to_string()
                })
            }
            _ => None,
        }
    }

    /// A string value; see the module docs for its span.
    fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let Some(text) = self.scalar_text(node) else {
            self.wrong_type(node, what, "write a single value (quote it if it contains `: ` or starts with a special character)");
            return None;
        };
        let starts = line_starts(self.src, node.text.start, &text);
        let span = match starts.as_slice() {
            [s] if !text.contains('\n') => self.span(*s..*s + text.len()),
            _ => self.span(node.text.clone()),
        };
        Some(Spanned::new(text, span))
    }

    /// A string or a list of strings.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Seq(items) => items.iter().filter_map(|i| self.string(i, what)).collect(),
            Value::Map(_) => {
                self.wrong_type(
                    node,
                    what,
                    "write a list, `[a, b]` or one `- item` per line, or a single value",
                );
                Vec::new()
            }
            _ => self.string(node, what).into_iter().collect(),
        }
    }

    /// A mapping of strings to strings.
    fn pairs(&mut self, node: &Node, what: &str) -> Vec<(Spanned<String>, Spanned<String>)> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Map(entries) => {
                let mut seen = Seen::new();
                let mut out = Vec::new();
                for (k, v) in entries {
                    let Some(_) = self.key(k, &mut seen) else {
                        continue;
                    };
                    if let (Some(k), Some(v)) =
                        (self.string(k, "a name"), self.string(v, "a value"))
                    {
                        out.push((k, v));
                    }
                }
                out
            }
            _ => {
                self.wrong_type(
                    node,
                    &format!("a mapping of {what}"),
                    "write one `key: value` per line, or `{ key: value }`",
                );
                Vec::new()
            }
        }
    }

    /// `imports`: a mapping alias → path, or a list of paths (alias = the
    /// assumed package name).
    fn imports(&mut self, node: &Node) -> Vec<(Spanned<String>, Spanned<String>)> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| self.string(i, "an import path"))
                .map(|p| (Spanned::new(assumed_name(&p.value), p.span.clone()), p))
                .collect(),
            _ => self.pairs(
                node,
                "import aliases to import paths (`otel: go.opentelemetry.io/otel`)",
            ),
        }
    }

    /// The text of a `pointcut:` expression, unless nested too deeply.
    fn pointcut_text(&mut self, node: &Node) -> Option<Snippet> {
        let snippet = self.text(node, "a pointcut expression")?;
        if let Some(d) = super::limits::pointcut_too_deep(&snippet) {
            self.diags.push(d);
            return None;
        }
        Some(snippet)
    }

    /// Go text (an advice body or expression), within the size and nesting
    /// caps.
    fn snippet(&mut self, node: &Node, what: &str) -> Option<Snippet> {
        let snippet = self.text(node, what)?;
        if let Some(d) = super::limits::snippet_problem(&snippet, "the advice") {
            self.diags.push(d);
            return None;
        }
        Some(snippet)
    }

    /// A string scalar as a snippet (block scalars keep their line mapping).
    fn text(&mut self, node: &Node, what: &str) -> Option<Snippet> {
        let Some(text) = self.scalar_text(node) else {
            let help = if matches!(node.value, Value::Null) {
                "give the Go code, e.g. as a block: `before: |` followed by indented lines, or remove the field"
            } else {
                "write the Go code as a string; a block (`|` then indented lines) keeps it verbatim"
            };
            self.wrong_type(node, what, help);
            return None;
        };
        let line_starts = line_starts(self.src, node.text.start, &text);
        Some(Snippet::new(
            text,
            self.span(node.text.clone()),
            line_starts,
        ))
    }

    /// `append-args`: a string or list of strings, each split at its
    /// top-level commas into one expression each.
    fn append_args(&mut self, node: &Node) -> Vec<Snippet> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            if let Some(s) = self.snippet(item, "Go expressions") {
                out.extend(
                    split_top_level_commas(&s.text)
                        .into_iter()
                        .map(|r| sub_snippet(&s, r)),
                );
            }
        }
        out
    }

    /// `set-field`: a mapping of field names to Go expressions.
    fn set_fields(&mut self, node: &Node) -> Vec<(Spanned<String>, Snippet)> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                "a mapping of field names to Go expressions",
                "write one `Field: \"expression\"` per line, e.g. `Transport: \"otelhttp.NewTransport({{.Value}})\"`",
            );
            return Vec::new();
        };
        let mut seen = Seen::new();
        let mut out = Vec::new();
        for (k, v) in entries {
            if self.key(k, &mut seen).is_none() {
                continue;
            }
            if let (Some(field), Some(expr)) = (
                self.string(k, "a field name"),
                self.snippet(v, "a Go expression"),
            ) {
                out.push((field, expr));
            }
        }
        out
    }

    fn order(&mut self, node: &Node) -> Option<Spanned<i64>> {
        match &node.value {
            Value::Int(i) => match i64::try_from(*i) {
                Ok(n) => Some(Spanned::new(n, self.span(node.text.clone()))),
                Err(_) => {
                    self.wrong_type(
                        node,
                        "an integer that fits in 64 bits",
                        "small numbers like `10` leave room between aspects",
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(
                    node,
                    "an integer",
                    "write a whole number, e.g. `order: 10`; equal orders keep file order",
                );
                None
            }
        }
    }
}

/// target && call && ref && pointcut, and-ed with the or of the packages.
fn lower_where(w: Where) -> Option<RawPointcut> {
    let parts = [
        w.target.map(RawPointcut::Sig),
        w.call.map(RawPointcut::Call),
        w.reference.map(RawPointcut::Ref),
        w.pointcut,
        w.as_value.map(RawPointcut::AsValue),
    ];
    let within = RawPointcut::join(false, w.packages.into_iter().map(RawPointcut::Within));
    RawPointcut::join(true, parts.into_iter().flatten().chain(within))
}
