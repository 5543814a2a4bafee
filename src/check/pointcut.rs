//! Pointcuts: validate every leaf of a [`RawPointcut`] and lower it to the
//! normal form [`Pointcut`]. Regexes are parsed here (with regex-syntax,
//! in the same byte-oriented mode the compiled DFA uses) so that a bad
//! `target` is reported at the offending character, before any build.

use regex_syntax::ParserBuilder;

use super::model::{JoinKind, Pointcut};
use super::names;
use crate::diag::{Diagnostic, Sources, Span, Spanned, codes};
use crate::load::RawPointcut;

/// A lowered pointcut, with the spans of its signature regexes (to point
/// compile errors of the DFA at the right text).
pub struct Lowered {
    pub pointcut: Pointcut,
    pub kind: JoinKind,
    pub sig_spans: Vec<(String, Span)>,
}

/// Lower and validate. `whole` is the aspect's span, for errors about the
/// pointcut as a whole.
pub fn lower(
    raw: &RawPointcut,
    sources: &Sources,
    whole: &Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Lowered> {
    let before = diags.len();
    let mut sig_spans = Vec::new();
    let mut calls = Vec::new();
    let mut refs = Vec::new();
    let mut as_value = Vec::new();
    let pointcut = lower_node(
        raw,
        sources,
        diags,
        &mut Found {
            sigs: &mut sig_spans,
            calls: &mut calls,
            refs: &mut refs,
            as_value: &mut as_value,
        },
    );
    if diags.len() > before {
        return None;
    }
    if let (Some(v), Some(site)) = (as_value.first(), calls.first().or(refs.first())) {
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                "`as-value` selects functions, not call sites or references",
                v.clone(),
                "a condition on functions",
            )
            .with_secondary(site.clone(), "this selects call sites or references")
            .with_help("use `as-value` with `target`/`execution` (functions used as values in their package), or drop it"),
        );
        return None;
    }
    if let (Some(c), Some(r)) = (calls.first(), refs.first()) {
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                "a pointcut cannot mix call sites and references",
                r.clone(),
                "this selects references",
            )
            .with_secondary(c.clone(), "this selects call sites")
            .with_help("split it into two aspects: one with `call`, one with `ref`"),
        );
        return None;
    }
    if let (Some((_, sig)), Some(r)) = (sig_spans.first(), refs.first()) {
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                "a pointcut cannot mix references and function signatures",
                sig.clone(),
                "this selects functions",
            )
            .with_secondary(r.clone(), "this selects references")
            .with_help("split it into two aspects: one with `ref`, one with `target`/`execution`"),
        );
        return None;
    }
    let kind = if !refs.is_empty() {
        JoinKind::Ref
    } else if calls.is_empty() {
        JoinKind::Execution
    } else {
        JoinKind::Call
    };
    if kind == JoinKind::Call && !sig_spans.is_empty() {
        let (_, sig) = &sig_spans[0];
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                "a pointcut cannot mix call sites and function signatures",
                sig.clone(),
                "this selects functions",
            )
            .with_secondary(calls[0].clone(), "this selects call sites")
            .with_help("split it into two aspects: one with `call`, one with `target`/`execution`"),
        );
        return None;
    }
    let _ = whole;
    let pointcut = if mentions_within(&pointcut) {
        pointcut
    } else {
        Pointcut::And(vec![Pointcut::MainModule, pointcut])
    };
    Some(Lowered {
        pointcut,
        kind,
        sig_spans,
    })
}

fn mentions_within(p: &Pointcut) -> bool {
    match p {
        Pointcut::Within(_) | Pointcut::MainModule => true,
        Pointcut::Sig(_) | Pointcut::Call(_) | Pointcut::Ref(_) | Pointcut::AsValue => false,
        Pointcut::And(v) | Pointcut::Or(v) => v.iter().any(mentions_within),
        Pointcut::Not(p) => mentions_within(p),
    }
}

/// The leaves met while lowering, by kind.
struct Found<'a> {
    sigs: &'a mut Vec<(String, Span)>,
    calls: &'a mut Vec<Span>,
    refs: &'a mut Vec<Span>,
    as_value: &'a mut Vec<Span>,
}

/// Lower one node. Recursion is on the tree's depth, which `load` bounds
/// ([`crate::load::MAX_NESTING`]); chains are n-ary nodes.
fn lower_node(
    raw: &RawPointcut,
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
    found: &mut Found,
) -> Pointcut {
    match raw {
        RawPointcut::Sig(re) => {
            check_regex(re, sources, diags);
            found.sigs.push((re.value.clone(), re.span.clone()));
            Pointcut::Sig(re.value.clone())
        }
        RawPointcut::Within(p) => {
            if let Some(problem) = names::package_pattern_problem(&p.value) {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_PACKAGE_PATTERN,
                        format!("invalid package pattern `{}`", p.value),
                        p.span.clone(),
                        problem,
                    )
                    .with_help("write a Go package pattern: `example.com/shop`, or `example.com/shop/...` for it and every package below"),
                );
            }
            Pointcut::Within(p.value.clone())
        }
        RawPointcut::Call(c) => {
            if let Some(problem) = names::call_target_problem(&c.value) {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_CALL_TARGET,
                        format!("invalid call target `{}`", c.value),
                        c.span.clone(),
                        problem,
                    )
                    .with_help("name the function with its import path, `database/sql.Open`, or a method as `(*net/http.Client).Do`"),
                );
            }
            found.calls.push(c.span.clone());
            Pointcut::Call(c.value.clone())
        }
        RawPointcut::Ref(r) => {
            if let Some(problem) = names::ref_target_problem(&r.value) {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_CALL_TARGET,
                        format!("invalid ref target `{}`", r.value),
                        r.span.clone(),
                        problem,
                    )
                    .with_help("name the package-level variable with its import path, e.g. `net/http.DefaultTransport`"),
                );
            }
            found.refs.push(r.span.clone());
            Pointcut::Ref(r.value.clone())
        }
        RawPointcut::AsValue(span) => {
            found.as_value.push(span.clone());
            Pointcut::AsValue
        }
        RawPointcut::And(parts) | RawPointcut::Or(parts) => {
            let lowered: Vec<Pointcut> = parts
                .iter()
                .map(|p| lower_node(p, sources, diags, found))
                .collect();
            flatten(lowered, matches!(raw, RawPointcut::And(_)))
        }
        RawPointcut::Not(p) => Pointcut::Not(Box::new(lower_node(p, sources, diags, found))),
    }
}

/// `And[And[a, b], c]` → `And[a, b, c]`.
fn flatten(parts: Vec<Pointcut>, and: bool) -> Pointcut {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match (p, and) {
            (Pointcut::And(v), true) | (Pointcut::Or(v), false) => out.extend(v),
            (p, _) => out.push(p),
        }
    }
    if and {
        Pointcut::And(out)
    } else {
        Pointcut::Or(out)
    }
}

/// Parse a target regex as the DFA will, reporting errors at the exact
/// character.
fn check_regex(re: &Spanned<String>, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let mut parser = ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(crate::load::MAX_NESTING as u32)
        .build();
    let (offset, message, label) = match parser.parse(&re.value) {
        Ok(_) => return,
        Err(regex_syntax::Error::Parse(e)) => (
            e.span().start.offset..e.span().end.offset,
            e.kind().to_string(),
            "here",
        ),
        Err(regex_syntax::Error::Translate(e)) => (
            e.span().start.offset..e.span().end.offset,
            e.kind().to_string(),
            "not supported here",
        ),
        Err(e) => (0..re.value.len(), e.to_string(), "here"),
    };
    let span = locate_in_value(re, sources, offset);
    let mut help = "target is a regex over the canonical signature (`func (*T) Name(ctx context.Context) error`); escape literal `(`, `)`, `*`, `.` and `[` with `\\`".to_string();
    if message.contains("Unicode") || re.value.contains("\\p") {
        help = "signatures are matched as bytes: use ASCII classes such as `[A-Za-z0-9_]` or `(?-u:\\w)` instead of Unicode ones".into();
    }
    diags.push(
        Diagnostic::error(
            codes::BAD_REGEX,
            format!("invalid target regex: {message}"),
            span,
            label,
        )
        .with_help(help),
    );
}

/// The file span of a byte range of a string value (which may be quoted in
/// the file, or be a pattern lowered from an `execution(…)`).
pub fn locate_in_value(
    value: &Spanned<String>,
    sources: &Sources,
    range: std::ops::Range<usize>,
) -> Span {
    let text = &sources.get(value.span.file).text;
    let written = text.get(value.span.range.clone()).unwrap_or("");
    match written.find(value.value.as_str()) {
        Some(at) if !value.value.is_empty() => {
            let end = (range.end.max(range.start + 1)).min(value.value.len());
            value.span.sub(at + range.start.min(end)..at + end)
        }
        _ => value.span.clone(),
    }
}
