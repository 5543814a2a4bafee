//! The `.aspect` DSL front end (pest grammar in grammar/aspect.pest).
//!
//! ```text
//! import otel "go.opentelemetry.io/otel"   // file-level: copied into every aspect
//! import "log/slog"                        // alias = assumed package name
//! use "net/http"                           // bundled integration (YAML `use:`)
//!
//! aspect tracing {
//!     pointcut execution(func *(ctx context.Context, ..) (.., err error)) && within("example.com/shop/...")
//!     requires { ctx context.Context }     // name Type, by commas or lines
//!     results { err error }
//!     globals tracer, ErrUnauthorized
//!     vars { Permission = "orders:write", Retries = 3 }
//!     imports { trace "go.opentelemetry.io/otel/trace" }
//!     order 10
//!     tests true                           // also weave `_test.go` files (YAML `tests:`)
//!     before { … Go … }   after { … }   replace { … }   wrap { … }
//!     around { … {{.Body}} … }             // the body runs where `{{.Body}}` stands
//!     append-args { expr1, expr2 }         // one snippet per top-level comma
//! }
//! ```
//!
//! Strings are `"…"` (only `\"` and `\\` are escapes, other backslashes are
//! kept, which suits regexes) or backquoted. Aspect names are words
//! (`http-client`) or strings. Each clause may appear once per aspect
//! (E0106). `execution(…)` bindings are added to `requires`/`results` after
//! the explicit clauses. A syntax error stops the parse of the file (one
//! E0105); problems found while lowering a parsed file are all reported.

mod errors;
mod grammar;
pub mod pointcut;
mod tokens;

use std::collections::{HashMap, HashSet};

use pest::Parser;
use pest::iterators::Pair;

use self::errors::{Parsed, syntax_error};
use self::grammar::{AspectParser, Rule};
use self::pointcut::{Lowering, PointcutBindings, push_new};
use self::tokens::{Mapping, range, string_value, trimmed};
use super::gotext::{dedent_body, split_top_level_commas, sub_snippet};
use super::{RawAdvice, RawAspect, RawFile, RawSnippet, Snippet};
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes};
use crate::gopath::assumed_package_name as assumed_name;

pub use self::pointcut::parse_pointcut;

type Pairs = Vec<(Spanned<String>, Spanned<String>)>;

pub fn load(sources: &Sources, file: FileId) -> (RawFile, Vec<Diagnostic>) {
    let original = sources.get(file).text.as_str();
    let map = Mapping::File(file);
    // pest stops at the first syntax error. To report one error per broken
    // top-level item (and still load the others), the item around an error
    // is blanked out — same length, newlines kept, so every span stays
    // valid — and the file is parsed again.
    let mut text = original.to_string();
    let mut syntax = Vec::new();
    let parsed = loop {
        match AspectParser::parse(Rule::file, &text) {
            Ok(p) => break Some(p),
            Err(e) => {
                syntax.push(syntax_error(&e, &text, map, Parsed::File));
                let at = match e.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((p, _)) => p,
                };
                if syntax.len() >= MAX_SYNTAX_ERRORS || !blank_item_at(&mut text, at) {
                    break None;
                }
            }
        }
    };
    let src = text.as_str();
    let Some(parsed) = parsed else {
        return (RawFile::default(), syntax);
    };
    let parsed = parsed.into_iter().next();
    let mut cx = Cx {
        src,
        file,
        diags: syntax,
    };
    let mut raw = RawFile::default();
    let mut file_imports: Pairs = Vec::new();
    let mut aspects = Vec::new();
    for item in parsed.into_iter().flat_map(|p| p.into_inner()) {
        match item.as_rule() {
            Rule::import_decl => {
                for spec in item
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::import_spec)
                {
                    file_imports.push(cx.import_spec(spec));
                }
            }
            Rule::use_decl => {
                if let Some(s) = item.into_inner().find(|p| p.as_rule() == Rule::string) {
                    raw.uses.push(string_value(s, map));
                }
            }
            Rule::aspect => aspects.push(item),
            Rule::snippet_decl => raw.snippets.extend(cx.snippet_decl(item)),
            _ => {}
        }
    }
    // File-level imports apply to every aspect, wherever they are written,
    // whose advice uses them (`alias.X`): so a file of many imports and many
    // aspects costs their sum, not their product, and an aspect never links
    // a package it does not use (nor warns about the imports other aspects
    // of the file need).
    let mut by_alias: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (alias, _)) in file_imports.iter().enumerate() {
        by_alias.entry(alias.value.as_str()).or_default().push(i);
    }
    let snippets: HashMap<&str, &Snippet> = raw
        .snippets
        .iter()
        .map(|s| (s.name.value.as_str(), &s.body))
        .collect();
    let mut loaded = Vec::new();
    for a in aspects {
        if let Some(mut aspect) = cx.aspect(a) {
            let mut mine: Vec<usize> = selector_operands(&aspect.advice, &snippets)
                .iter()
                .filter_map(|w| by_alias.get(w.as_str()))
                .flatten()
                .copied()
                .collect();
            mine.sort_unstable();
            mine.dedup();
            let own = std::mem::take(&mut aspect.imports);
            aspect.imports = mine.iter().map(|&i| file_imports[i].clone()).collect();
            aspect.imports.extend(own);
            loaded.push(aspect);
        }
    }
    raw.aspects = loaded;
    (raw, cx.diags)
}

/// Identifiers used as the operand of a selector (`x` of `x.Y`) in any
/// advice of an aspect, and in the snippets it includes (transitively): the
/// import aliases it may use.
fn selector_operands(advice: &RawAdvice, snippets: &HashMap<&str, &Snippet>) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut texts: Vec<&Snippet> = advice.texts().collect();
    let mut included: HashSet<String> = HashSet::new();
    while let Some(s) = texts.pop() {
        super::gotext::selector_operands(&s.text, &mut out);
        for name in super::snippet_use::used_names(&s.text) {
            if let Some(body) = snippets.get(name.as_str())
                && included.insert(name)
            {
                texts.push(body);
            }
        }
    }
    out
}

/// Syntax errors reported per file before giving up.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Blank out the top-level item (a line starting with `aspect`, `import` or
/// `use`) containing byte `at`, up to the next such line. `false` when
/// nothing could be blanked (the error is before any item, or blanking
/// would not change the text).
fn blank_item_at(text: &mut String, at: usize) -> bool {
    let is_item = |line: &str| {
        ["aspect", "import", "snippet", "use"].iter().any(|k| {
            line.strip_prefix(k)
                .is_some_and(|r| r.starts_with([' ', '\t', '(', '"']))
        })
    };
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_item(line) {
            starts.push(offset);
        }
        offset += line.len();
    }
    let at = at.min(text.len());
    let Some(&start) = starts.iter().rev().find(|&&s| s <= at) else {
        return false;
    };
    let end = starts
        .iter()
        .copied()
        .find(|&s| s > at)
        .unwrap_or(text.len());
    // Same byte length: a multi-byte character becomes as many spaces.
    let blanked: String = text[start..end]
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    if blanked == text[start..end] {
        return false;
    }
    text.replace_range(start..end, &blanked);
    true
}

struct Cx<'a> {
    src: &'a str,
    file: FileId,
    diags: Vec<Diagnostic>,
}

/// The clauses that may be given once per aspect.
#[derive(Default)]
struct Seen {
    /// Clause (`set-field Name` per field) → where its keyword is.
    clauses: HashMap<String, Span>,
}

impl Cx<'_> {
    fn map(&self) -> Mapping<'static> {
        Mapping::File(self.file)
    }

    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    /// One aspect; its `imports` are its own clause's (the caller adds the
    /// file-level ones it uses).
    fn aspect(&mut self, pair: Pair<'_, Rule>) -> Option<RawAspect> {
        let span = self.span(range(&pair));
        let diags_before = self.diags.len();
        let mut pointcut_failed = false;
        let mut name = None;
        let mut pointcut = None;
        let mut bindings = PointcutBindings::default();
        let mut requires: Pairs = Vec::new();
        let mut results: Pairs = Vec::new();
        let mut globals = Vec::new();
        let mut imports: Pairs = Vec::new();
        let mut vars: Pairs = Vec::new();
        let mut advice = RawAdvice::default();
        let mut order = None;
        let mut tests = None;
        let mut seen = Seen::default();
        for part in pair.into_inner() {
            let rule = part.as_rule();
            match rule {
                Rule::aspect_name => {
                    let Some(n) = part.into_inner().next() else {
                        continue;
                    };
                    name = Some(if n.as_rule() == Rule::string {
                        string_value(n, self.map())
                    } else {
                        Spanned::new(n.as_str().to_string(), self.span(range(&n)))
                    });
                }
                Rule::pointcut_clause => {
                    if !self.once(&mut seen, "pointcut", &part) {
                        continue;
                    }
                    let Some(expr) = part.into_inner().find(|p| p.as_rule() == Rule::pc_or) else {
                        continue;
                    };
                    let mut low = Lowering::new(self.map());
                    pointcut = low.lower(expr, false, 0);
                    pointcut_failed = pointcut.is_none();
                    self.diags.append(&mut low.diags);
                    bindings = low.bindings;
                }
                Rule::requires_clause | Rule::results_clause => {
                    let which = if rule == Rule::requires_clause {
                        "requires"
                    } else {
                        "results"
                    };
                    if !self.once(&mut seen, which, &part) {
                        continue;
                    }
                    let into = if rule == Rule::requires_clause {
                        &mut requires
                    } else {
                        &mut results
                    };
                    for b in part.into_inner().filter(|p| p.as_rule() == Rule::binding) {
                        let mut it = b.into_inner();
                        let (Some(n), Some(t)) = (it.next(), it.next()) else {
                            continue;
                        };
                        let (ty, tr) = trimmed(&t);
                        into.push((
                            Spanned::new(n.as_str().to_string(), self.span(range(&n))),
                            Spanned::new(ty, self.span(tr)),
                        ));
                    }
                }
                Rule::globals_clause => {
                    if !self.once(&mut seen, "globals", &part) {
                        continue;
                    }
                    for g in part.into_inner().filter(|p| p.as_rule() == Rule::ident) {
                        globals.push(Spanned::new(g.as_str().to_string(), self.span(range(&g))));
                    }
                }
                Rule::vars_clause => {
                    if !self.once(&mut seen, "vars", &part) {
                        continue;
                    }
                    for v in part.into_inner().filter(|p| p.as_rule() == Rule::var_entry) {
                        let mut key = None;
                        let mut value = None;
                        for x in v.into_inner() {
                            match x.as_rule() {
                                Rule::ident => {
                                    key = Some(Spanned::new(
                                        x.as_str().to_string(),
                                        self.span(range(&x)),
                                    ))
                                }
                                Rule::string => value = Some(string_value(x, self.map())),
                                Rule::number | Rule::bool_lit => {
                                    value = Some(Spanned::new(
                                        x.as_str().to_string(),
                                        self.span(range(&x)),
                                    ))
                                }
                                _ => {}
                            }
                        }
                        if let (Some(k), Some(v)) = (key, value) {
                            vars.push((k, v));
                        }
                    }
                }
                Rule::imports_clause => {
                    if !self.once(&mut seen, "imports", &part) {
                        continue;
                    }
                    for spec in part
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::import_spec)
                    {
                        imports.push(self.import_spec(spec));
                    }
                }
                Rule::order_clause => {
                    if !self.once(&mut seen, "order", &part) {
                        continue;
                    }
                    if let Some(i) = part.into_inner().find(|p| p.as_rule() == Rule::integer) {
                        match i.as_str().parse::<i64>() {
                            Ok(n) => order = Some(Spanned::new(n, self.span(range(&i)))),
                            Err(_) => self.diags.push(
                                Diagnostic::error(
                                    codes::WRONG_TYPE,
                                    "`order` is out of range",
                                    self.span(range(&i)),
                                    "too large",
                                )
                                .with_help("an order is a 64-bit integer; small numbers like `10` leave room between aspects"),
                            ),
                        }
                    }
                }
                Rule::tests_clause => {
                    if !self.once(&mut seen, "tests", &part) {
                        continue;
                    }
                    if let Some(v) = part.into_inner().find(|p| p.as_rule() == Rule::ident) {
                        tests = Some(Spanned::new(v.as_str().to_string(), self.span(range(&v))));
                    }
                }
                Rule::advice_clause => self.advice(part, &mut seen, &mut advice),
                Rule::set_field_clause => self.set_field(part, &mut seen, &mut advice),
                _ => {}
            }
        }
        // Advice refused for its size, or a pointcut that does not parse
        // (both reported already): the aspect would only draw errors about
        // having no advice or no pointcut, so it stops here.
        if pointcut_failed || super::limits::refused(&self.diags[diags_before..]) {
            return None;
        }
        push_new(&mut requires, bindings.requires);
        push_new(&mut results, bindings.results);
        Some(RawAspect {
            name: name?,
            span,
            pointcut,
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

    fn advice(&mut self, part: Pair<'_, Rule>, seen: &mut Seen, advice: &mut RawAdvice) {
        let mut kw = String::new();
        let mut body = None;
        for x in part.clone().into_inner() {
            match x.as_rule() {
                Rule::advice_kw => kw = x.as_str().to_string(),
                Rule::go_block => body = x.into_inner().find(|p| p.as_rule() == Rule::go_text),
                _ => {}
            }
        }
        let Some(body) = body else {
            return;
        };
        if !self.once(seen, &kw, &part) {
            return;
        }
        let Some(snippet) = self.body(&body) else {
            return;
        };
        match kw.as_str() {
            "before" => advice.before = Some(snippet),
            "after" => advice.after = Some(snippet),
            "around" => advice.around = Some(snippet),
            "replace" => advice.replace = Some(snippet),
            "wrap" => advice.wrap = Some(snippet),
            _ => {
                advice.append_args = split_top_level_commas(&snippet.text)
                    .into_iter()
                    .map(|r| sub_snippet(&snippet, r))
                    .collect::<Vec<Snippet>>();
            }
        }
    }

    /// `set-field Field { expr }`: one clause per field.
    fn set_field(&mut self, part: Pair<'_, Rule>, seen: &mut Seen, advice: &mut RawAdvice) {
        let mut field = None;
        let mut body = None;
        for x in part.clone().into_inner() {
            match x.as_rule() {
                Rule::ident => {
                    field = Some(Spanned::new(x.as_str().to_string(), self.span(range(&x))))
                }
                Rule::go_block => body = x.into_inner().find(|p| p.as_rule() == Rule::go_text),
                _ => {}
            }
        }
        let (Some(field), Some(body)) = (field, body) else {
            return;
        };
        if !self.once(seen, &format!("set-field {}", field.value), &part) {
            return;
        }
        let Some(snippet) = self.body(&body) else {
            return;
        };
        advice.set_fields.push((field, snippet));
    }

    /// `snippet NAME [(P, …)] { … }`.
    fn snippet_decl(&mut self, pair: Pair<'_, Rule>) -> Option<RawSnippet> {
        let span = self.span(range(&pair));
        let (mut name, mut params, mut body) = (None, Vec::new(), None);
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::snippet_name => {
                    let n = part.into_inner().next()?;
                    name = Some(if n.as_rule() == Rule::string {
                        string_value(n, self.map())
                    } else {
                        Spanned::new(n.as_str().to_string(), self.span(range(&n)))
                    });
                }
                Rule::snippet_params => {
                    for p in part.into_inner().filter(|p| p.as_rule() == Rule::ident) {
                        params.push(Spanned::new(p.as_str().to_string(), self.span(range(&p))));
                    }
                }
                Rule::go_block => {
                    if let Some(text) = part.into_inner().find(|p| p.as_rule() == Rule::go_text) {
                        body = self.body(&text);
                    }
                }
                _ => {}
            }
        }
        Some(RawSnippet {
            name: name?,
            params,
            body: body?,
            span,
        })
    }

    /// An advice body as a snippet, within the size cap.
    fn body(&mut self, body: &Pair<'_, Rule>) -> Option<Snippet> {
        let snippet = dedent_body(self.src, range(body), self.file);
        if let Some(d) = super::limits::snippet_problem(&snippet, "the advice") {
            self.diags.push(d);
            return None;
        }
        Some(snippet)
    }

    /// `[alias] "path"`; without an alias, the assumed package name (spanned
    /// at the path).
    fn import_spec(&mut self, spec: Pair<'_, Rule>) -> (Spanned<String>, Spanned<String>) {
        let mut alias = None;
        let mut path = Spanned::new(String::new(), self.span(range(&spec)));
        for x in spec.into_inner() {
            match x.as_rule() {
                Rule::ident => {
                    alias = Some(Spanned::new(x.as_str().to_string(), self.span(range(&x))))
                }
                Rule::string => path = string_value(x, self.map()),
                _ => {}
            }
        }
        let alias =
            alias.unwrap_or_else(|| Spanned::new(assumed_name(&path.value), path.span.clone()));
        (alias, path)
    }

    /// Record a clause; false (after an E0106) when it was already given.
    fn once(&mut self, seen: &mut Seen, clause: &str, part: &Pair<'_, Rule>) -> bool {
        let kw_range = part
            .clone()
            .into_inner()
            .next()
            .map_or_else(|| range(part), |k| range(&k));
        let here = self.span(kw_range);
        if let Some(first) = seen.clauses.get(clause) {
            self.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    format!("`{clause}` given twice in one aspect"),
                    here,
                    "second one",
                )
                .with_secondary(first.clone(), "first given here")
                .with_help(format!("merge the two `{clause}` clauses into one")),
            );
            return false;
        }
        seen.clauses.insert(clause.to_string(), here);
        true
    }
}
