//! Pointcut expressions (`execution(…) && within("…") || !call(…)`) lowered
//! to [`RawPointcut`] trees, for the DSL's `pointcut` clause and the YAML
//! `pointcut:` field alike.
//!
//! `execution(PATTERN)` becomes a [`RawPointcut::Sig`] whose regex comes from
//! [`crate::load::sigpattern`]; the pattern's bindings (`ctx context.Context`,
//! `err error`) are returned as [`PointcutBindings`] for the aspect's
//! `requires`/`results`. A binding under `!` is an error (a function that
//! does *not* match cannot supply it). Bindings under `||` are collected
//! from every branch: functions matched through a branch without them are
//! skipped at weave time for lack of the parameter, like any requirement.

use std::collections::HashSet;

use pest::Parser;
use pest::iterators::Pair;

use super::errors::{Parsed, syntax_error};
use super::grammar::{AspectParser, Rule};
use super::tokens::{Mapping, range, string_value, trimmed};
use crate::diag::{Diagnostic, Span, Spanned, codes};
use crate::load::gotype::TypeParser;
use crate::load::{MAX_NESTING, RawPointcut, Snippet, sigpattern};

/// What `execution(…)` patterns bind: entries for the aspect's
/// `requires` and `results`, spans pointing into the pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PointcutBindings {
    pub requires: Vec<(Spanned<String>, Spanned<String>)>,
    pub results: Vec<(Spanned<String>, Spanned<String>)>,
}

/// Parse a pointcut expression given as text (a YAML `pointcut:` value).
///
/// `span` is where `text` is in the file. When `span` is exactly as long as
/// `text`, `text` is taken to be a verbatim copy of the file there and every
/// diagnostic and sub-span points at the exact place; otherwise (a quoted
/// YAML string with escapes) they all point at `span`. Only the first
/// problem is returned.
#[allow(clippy::result_large_err)] // the contract `check` was promised
pub fn parse_pointcut(
    text: &str,
    span: Span,
) -> Result<(RawPointcut, PointcutBindings), Diagnostic> {
    let line_starts = if span.range.len() == text.len() {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .map(|o| span.range.start + o)
            .collect()
    } else {
        Vec::new()
    };
    let snippet = Snippet::new(text.to_string(), span, line_starts);
    let (result, mut diags) = parse_snippet(&snippet);
    match result {
        Some(r) if diags.is_empty() => Ok(r),
        _ => Err(if diags.is_empty() {
            Diagnostic::error(
                codes::DSL_SYNTAX,
                "invalid pointcut",
                snippet.span.clone(),
                "here",
            )
            .with_help("write e.g. `execution(func *(ctx context.Context, ..)) && within(\"example.com/shop/...\")`")
        } else {
            diags.swap_remove(0)
        }),
    }
}

/// Parse the pointcut expression that is the text of `snippet`, reporting
/// every problem.
pub(crate) fn parse_snippet(
    snippet: &Snippet,
) -> (Option<(RawPointcut, PointcutBindings)>, Vec<Diagnostic>) {
    if let Some(d) = crate::load::limits::pointcut_too_deep(snippet) {
        return (None, vec![d]);
    }
    let map = Mapping::Snippet(snippet);
    let text = snippet.text.as_str();
    let pairs = match AspectParser::parse(Rule::pointcut_only, text) {
        Ok(p) => p,
        Err(e) => return (None, vec![syntax_error(&e, text, map, Parsed::Pointcut)]),
    };
    let mut cx = Lowering::new(map);
    let expr = pairs
        .into_iter()
        .next()
        .and_then(|p| p.into_inner().find(|p| p.as_rule() == Rule::pc_or));
    let pc = expr.and_then(|e| cx.lower(e, false, 0));
    let Lowering {
        diags, bindings, ..
    } = cx;
    (pc.map(|pc| (pc, bindings)), diags)
}

/// Lowers `pc_*` pairs.
pub(crate) struct Lowering<'a> {
    pub map: Mapping<'a>,
    pub diags: Vec<Diagnostic>,
    pub bindings: PointcutBindings,
    /// (requires?, name, type) of the bindings so far.
    seen: HashSet<(bool, String, String)>,
    /// Parses the types of `execution(…)` patterns.
    types: TypeParser,
}

impl<'a> Lowering<'a> {
    pub fn new(map: Mapping<'a>) -> Self {
        Lowering {
            map,
            diags: Vec::new(),
            bindings: PointcutBindings::default(),
            seen: HashSet::new(),
            types: TypeParser::new(),
        }
    }
}

impl Lowering<'_> {
    /// Lower one pointcut pair; `None` after reporting a problem (children
    /// are still all visited so that every problem is reported).
    pub fn lower(
        &mut self,
        pair: Pair<'_, Rule>,
        negated: bool,
        depth: usize,
    ) -> Option<RawPointcut> {
        if depth > MAX_NESTING {
            self.diags.push(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    format!("pointcut nested deeper than {MAX_NESTING} levels"),
                    self.map.span(range(&pair)),
                    "too deep",
                )
                .with_help(format!(
                    "use at most {MAX_NESTING} levels of `!` and parentheses; `a && b && c` chains of any length are fine"
                )),
            );
            return None;
        }
        let rule = pair.as_rule();
        let whole = range(&pair);
        let mut inner = pair.into_inner();
        match rule {
            // A chain `a || b || c` is one n-ary node: its length costs no depth.
            Rule::pc_or | Rule::pc_and => {
                let mut parts = Vec::new();
                let mut ok = true;
                for child in inner.filter(|c| !matches!(c.as_rule(), Rule::or_op | Rule::and_op)) {
                    match self.lower(child, negated, depth) {
                        Some(p) => parts.push(p),
                        None => ok = false,
                    }
                }
                if ok {
                    RawPointcut::join(rule == Rule::pc_and, parts)
                } else {
                    None
                }
            }
            Rule::pc_not => {
                let operand = inner.find(|c| c.as_rule() != Rule::not_op)?;
                let pc = self.lower(operand, !negated, depth + 1)?;
                Some(RawPointcut::Not(Box::new(pc)))
            }
            Rule::pc_group => {
                let e = inner.find(|c| c.as_rule() == Rule::pc_or)?;
                self.lower(e, negated, depth + 1)
            }
            Rule::pc_execution => {
                let sig = inner.find(|c| c.as_rule() == Rule::sig_text)?;
                self.execution(&sig, negated)
            }
            Rule::pc_target => {
                let s = inner.find(|c| c.as_rule() == Rule::string)?;
                Some(RawPointcut::Sig(string_value(s, self.map)))
            }
            Rule::pc_within => {
                let s = inner.find(|c| c.as_rule() == Rule::string)?;
                Some(RawPointcut::Within(string_value(s, self.map)))
            }
            Rule::pc_call => {
                let t = inner.find(|c| matches!(c.as_rule(), Rule::string | Rule::call_text))?;
                if t.as_rule() == Rule::string {
                    Some(RawPointcut::Call(string_value(t, self.map)))
                } else {
                    let (text, r) = trimmed(&t);
                    Some(RawPointcut::Call(Spanned::new(text, self.map.span(r))))
                }
            }
            Rule::pc_ref => {
                let t = inner.find(|c| matches!(c.as_rule(), Rule::string | Rule::call_text))?;
                if t.as_rule() == Rule::string {
                    Some(RawPointcut::Ref(string_value(t, self.map)))
                } else {
                    let (text, r) = trimmed(&t);
                    Some(RawPointcut::Ref(Spanned::new(text, self.map.span(r))))
                }
            }
            Rule::pc_as_value => Some(RawPointcut::AsValue(self.map.span(whole))),
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::DSL_SYNTAX,
                        "unexpected text in a pointcut",
                        self.map.span(whole),
                        "not a pointcut",
                    )
                    .with_help("a pointcut is built from `execution(…)`, `target(\"…\")`, `within(\"…\")`, `call(…)`, `ref(…)` and `as-value()`"),
                );
                None
            }
        }
    }

    fn execution(&mut self, sig: &Pair<'_, Rule>, negated: bool) -> Option<RawPointcut> {
        let (text, r) = trimmed(sig);
        let at = |sub: std::ops::Range<usize>| r.start + sub.start..r.start + sub.end;
        match sigpattern::lower_with(&text, &mut self.types) {
            Ok(lowered) => {
                let all = lowered.params.iter().chain(&lowered.results);
                if negated && let Some(b) = all.clone().next() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::BAD_SIG_PATTERN,
                            format!("a negated pattern cannot bind `{}`", b.name),
                            self.map.span(at(b.name_range.clone())),
                            "binding under `!`",
                        )
                        .with_help(format!(
                            "a function that does not match cannot supply `{}`: write the type alone, `{}`",
                            b.name, b.ty
                        )),
                    );
                    return None;
                }
                let to_pair = |b: &sigpattern::PatternBinding| {
                    (
                        Spanned::new(b.name.clone(), self.map.span(at(b.name_range.clone()))),
                        Spanned::new(b.ty.clone(), self.map.span(at(b.ty_range.clone()))),
                    )
                };
                for b in &lowered.params {
                    if self.seen.insert((true, b.name.clone(), b.ty.clone())) {
                        self.bindings.requires.push(to_pair(b));
                    }
                }
                for b in &lowered.results {
                    if self.seen.insert((false, b.name.clone(), b.ty.clone())) {
                        self.bindings.results.push(to_pair(b));
                    }
                }
                Some(RawPointcut::Sig(Spanned::new(
                    lowered.regex,
                    self.map.span(r),
                )))
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::BAD_SIG_PATTERN,
                        format!("bad signature pattern: {}", e.message),
                        self.map.span(at(e.range)),
                        e.message.clone(),
                    )
                    .with_help(e.help),
                );
                None
            }
        }
    }
}

/// Append bindings, skipping ones already present with the same name and
/// type (a conflicting type is kept: `check` reports it). Linear: one set
/// of what `into` holds.
pub(crate) fn push_new(
    into: &mut Vec<(Spanned<String>, Spanned<String>)>,
    new: impl IntoIterator<Item = (Spanned<String>, Spanned<String>)>,
) {
    let mut seen: HashSet<(String, String)> = into
        .iter()
        .map(|(n, t)| (n.value.clone(), t.value.clone()))
        .collect();
    for (name, ty) in new {
        if seen.insert((name.value.clone(), ty.value.clone())) {
            into.push((name, ty));
        }
    }
}
