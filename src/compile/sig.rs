//! Signature regexes: parsing in byte mode, per-pattern verifier DFAs and
//! the literal prefilter DFA.
//!
//! Why not one multi-pattern DFA for all targets (DESIGN §6)? Measured on
//! the synthetic bench mix, determinising one `MatchKind::All` DFA costs
//! 0.7 s for 100 patterns and 56 s for 1,000: every DFA state carries a
//! thread of every pattern still in a `.*`, so the work is quadratic. So a
//! signature is matched in two steps, both with zero-copy dense DFAs:
//!
//! 1. the *prefilter*: one DFA over the distinct required literals
//!    ([`factors`](super::factors)) of all patterns, built from a trie-shaped
//!    Thompson NFA (shared prefixes, one start state), so it determinises in
//!    linear time into what is in effect an Aho-Corasick automaton. One
//!    overlapping scan reports every literal present in the signature;
//! 2. the *verifiers*: each pattern that is not a plain finite set of
//!    literals has its own small single-pattern DFA (unanchored, earliest
//!    match), run only when one of its literals was seen, or always when the
//!    pattern has no literal at all. Verifiers are stored in regex-automata's
//!    sparse format (about 2.8 KB each instead of 6.5 KB dense: they are
//!    most of the artifact, and only run on candidates); the prefilter stays
//!    dense because it scans every signature (a sparse one is 4.5× smaller
//!    but 2.6× slower to scan).
//!
//! Building is linear in the number of patterns and matching costs one
//! prefilter scan plus the verifiers of the patterns whose literals occur.
//!
//! Regexes are compiled in byte mode (`unicode(false)`, `utf8(false)`):
//! signatures are bytes, `\w`/`\b`/`.` mean their ASCII versions, and the
//! DFAs stay small. Unicode features that byte mode refuses are reported
//! with a suggested ASCII spelling.

use super::error::CompileErrorKind;
use super::limits::Limits;
use regex_automata::{
    MatchKind,
    dfa::{StartKind, dense, sparse},
    nfa::thompson::{self, Transition, WhichCaptures},
    util::primitives::StateID,
};
use regex_syntax::hir::Hir;
use std::collections::BTreeMap;

/// A problem with one pattern, before it is attributed to aspects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub kind: CompileErrorKind,
    pub message: String,
    pub help: String,
}

impl Problem {
    fn new(kind: CompileErrorKind, message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            kind,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// Parse a `target` regex the way goaop matches it. Nesting is limited
/// like every other input ([`crate::load::MAX_NESTING`]): the factor
/// analysis and the NFA compiler recurse on it.
pub(crate) fn parse(pattern: &str) -> Result<Hir, Problem> {
    let parsed = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(crate::load::MAX_NESTING as u32)
        .build()
        .parse(pattern);
    match parsed {
        Ok(hir) if hir.properties().look_set().contains_word_unicode() => Err(Problem::new(
            CompileErrorKind::Unsupported,
            "a Unicode word boundary cannot be matched by the signature DFA",
            r"write `\b` (an ASCII word boundary, the default in targets) instead of `(?u:\b)`",
        )),
        Ok(hir) => Ok(hir),
        Err(err) => Err(parse_problem(pattern, &err)),
    }
}

fn parse_problem(pattern: &str, err: &regex_syntax::Error) -> Problem {
    use regex_syntax::ast::ErrorKind as Ast;
    let detail = match err {
        regex_syntax::Error::Parse(e) => {
            if matches!(e.kind(), Ast::UnsupportedLookAround) {
                return Problem::new(
                    CompileErrorKind::Unsupported,
                    "look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported in targets",
                    "match the text itself, or exclude signatures with a pointcut: `target(\"a\") && !target(\"b\")`",
                );
            }
            e.kind().to_string()
        }
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other.to_string(),
    };
    // Valid with Unicode on: a Unicode-only feature that byte mode refuses.
    if regex_syntax::Parser::new().parse(pattern).is_ok() {
        Problem::new(
            CompileErrorKind::Unsupported,
            format!("Unicode classes are not supported in targets ({detail})"),
            r"signatures are matched as bytes: use ASCII classes, e.g. `[A-Za-z]` for `\pL`, `[0-9]` for `\pN` (`\w`, `\d`, `\s` and `\b` already mean their ASCII versions)",
        )
    } else {
        Problem::new(
            CompileErrorKind::Syntax,
            format!("invalid regex: {detail}"),
            "fix the regex; the syntax is that of Rust's regex crate (https://docs.rs/regex/#syntax)",
        )
    }
}

fn size_problem(what: &str, limit: usize) -> Problem {
    Problem::new(
        CompileErrorKind::TooBig,
        format!(
            "{what} needs an automaton larger than the limit of {} MiB",
            limit >> 20
        ),
        "make the pattern more specific: avoid large counted repetitions (`.{30}`) after `.*`, \
         and prefer literal text to broad classes",
    )
}

fn dense_config(limits: Limits) -> dense::Config {
    dense::Config::new()
        .dfa_size_limit(Some(limits.dfa))
        .determinize_size_limit(Some(limits.determinize))
}

fn thompson_config(limits: Limits) -> thompson::Config {
    thompson::Config::new()
        .utf8(false)
        .which_captures(WhichCaptures::None)
        .nfa_size_limit(Some(limits.nfa))
}

fn nfa_problem(err: &thompson::BuildError, what: &str, limits: Limits) -> Problem {
    if err.size_limit().is_some() {
        size_problem(what, limits.nfa)
    } else {
        Problem::new(
            CompileErrorKind::Unsupported,
            format!("{what} cannot be compiled: {err}"),
            "simplify the pattern",
        )
    }
}

fn dfa_problem(err: &dense::BuildError, what: &str, limits: Limits) -> Problem {
    if err.is_size_limit_exceeded() {
        size_problem(what, limits.dfa.max(limits.determinize))
    } else {
        Problem::new(
            CompileErrorKind::Unsupported,
            format!("{what} cannot be compiled to a DFA: {err}"),
            r"use ASCII word boundaries (`\b`, `(?-u:\b)`) and avoid Unicode-only features",
        )
    }
}

/// The verifier of one pattern: a single-pattern DFA answering "does the
/// regex match anywhere in the signature" (unanchored, earliest match).
pub(crate) fn verifier(hir: &Hir, limits: Limits) -> Result<sparse::DFA<Vec<u8>>, Problem> {
    let what = "this target";
    let nfa = thompson::Compiler::new()
        .configure(thompson_config(limits))
        .build_from_hir(hir)
        .map_err(|e| nfa_problem(&e, what, limits))?;
    dense::Builder::new()
        .configure(
            dense_config(limits)
                .start_kind(StartKind::Unanchored)
                .match_kind(MatchKind::LeftmostFirst),
        )
        .build_from_nfa(&nfa)
        .map_err(|e| dfa_problem(&e, what, limits))?
        .to_sparse()
        .map_err(|e| dfa_problem(&e, what, limits))
}

/// The prefilter: a DFA reporting (overlapping, `MatchKind::All`) every
/// literal of `factors` that occurs in a haystack; pattern id = index.
/// `factors` must be distinct and non-empty.
pub(crate) fn prefilter(
    factors: &[Vec<u8>],
    limits: Limits,
) -> Result<dense::DFA<Vec<u32>>, Problem> {
    let what = "the literals of all targets together";
    let too_big = |_| size_problem(what, limits.nfa);
    if factors.is_empty() {
        return dense::DFA::never_match().map_err(|e| dfa_problem(&e, what, limits));
    }
    let mut b = thompson::Builder::new();
    b.set_utf8(false);
    b.set_size_limit(Some(limits.nfa)).map_err(too_big)?;
    // Every pattern starts at the trie's root, a placeholder patched below.
    let root = b.add_empty().map_err(too_big)?;
    let mut matches = Vec::with_capacity(factors.len());
    for _ in factors {
        b.start_pattern().map_err(too_big)?;
        matches.push(b.add_match().map_err(too_big)?);
        b.finish_pattern(root).map_err(too_big)?;
    }
    // The trie; a child always has a larger index than its parent.
    #[derive(Default)]
    struct Node {
        children: BTreeMap<u8, usize>,
        terminal: Option<usize>,
    }
    let mut nodes = vec![Node::default()];
    for (pid, f) in factors.iter().enumerate() {
        let mut cur = 0;
        for &byte in f {
            cur = match nodes[cur].children.get(&byte) {
                Some(&next) => next,
                None => {
                    nodes.push(Node::default());
                    let next = nodes.len() - 1;
                    nodes[cur].children.insert(byte, next);
                    next
                }
            };
        }
        nodes[cur].terminal = Some(pid);
    }
    let mut ids = vec![StateID::ZERO; nodes.len()];
    for i in (0..nodes.len()).rev() {
        let trans: Vec<Transition> = nodes[i]
            .children
            .iter()
            .map(|(&byte, &child)| Transition {
                start: byte,
                end: byte,
                next: ids[child],
            })
            .collect();
        let sparse = if trans.is_empty() {
            None
        } else {
            Some(b.add_sparse(trans).map_err(too_big)?)
        };
        ids[i] = match (nodes[i].terminal.map(|p| matches[p]), sparse) {
            (Some(m), Some(s)) => b.add_union(vec![m, s]).map_err(too_big)?,
            (Some(m), None) => m,
            (None, Some(s)) => s,
            (None, None) => b.add_fail().map_err(too_big)?,
        };
    }
    b.patch(root, ids[0]).map_err(too_big)?;
    // Unanchored start: `(?s-u:.)*?` then the root.
    let start = b.add_union(vec![]).map_err(too_big)?;
    let any = b
        .add_range(Transition {
            start: 0,
            end: 255,
            next: start,
        })
        .map_err(too_big)?;
    b.patch(start, root).map_err(too_big)?;
    b.patch(start, any).map_err(too_big)?;
    let nfa = b.build(root, start).map_err(too_big)?;
    dense::Builder::new()
        .configure(
            dense_config(limits)
                .start_kind(StartKind::Unanchored)
                .match_kind(MatchKind::All),
        )
        .build_from_nfa(&nfa)
        .map_err(|e| dfa_problem(&e, what, limits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::{
        Input,
        dfa::{Automaton, OverlappingState},
    };

    fn found(dfa: &dense::DFA<Vec<u32>>, hay: &str) -> Vec<usize> {
        let input = Input::new(hay);
        let mut st = OverlappingState::start();
        let mut out = vec![];
        loop {
            dfa.try_search_overlapping_fwd(&input, &mut st).unwrap();
            match st.get_match() {
                Some(m) => out.push(m.pattern().as_usize()),
                None => break,
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn prefilter_reports_every_literal_present() {
        let lits = [
            "Context",
            "context.Context",
            "Handler1(",
            "Handler12(",
            "ext",
            "x",
        ];
        let factors: Vec<Vec<u8>> = lits.iter().map(|s| s.as_bytes().to_vec()).collect();
        let dfa = prefilter(&factors, Limits::default()).unwrap();
        for hay in [
            "func F(ctx context.Context)",
            "func Handler12(x int)",
            "func Handler1(x int)",
            "",
            "nothing here",
        ] {
            let expect: Vec<usize> = (0..lits.len()).filter(|&i| hay.contains(lits[i])).collect();
            assert_eq!(found(&dfa, hay), expect, "{hay}");
        }
        assert_eq!(
            found(&prefilter(&[], Limits::default()).unwrap(), "x"),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn unicode_features_get_ascii_help() {
        let p = parse(r"\pL+").unwrap_err();
        assert_eq!(p.kind, CompileErrorKind::Unsupported);
        assert!(p.help.contains("[A-Za-z]"));
        let p = parse(r"(?u:\b)x").unwrap_err();
        assert_eq!(p.kind, CompileErrorKind::Unsupported);
        assert!(p.help.contains(r"\b"));
        assert_eq!(
            parse("(?=x)").unwrap_err().kind,
            CompileErrorKind::Unsupported
        );
        assert_eq!(parse("a)").unwrap_err().kind, CompileErrorKind::Syntax);
        assert!(parse(r"\w+\b").is_ok());
    }
}
