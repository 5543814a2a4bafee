//! Go package patterns (`within`, `packages:`) and the main-module test.
//!
//! Semantics are those of the go command (`cmd/go/internal/search`):
//! `...` matches any string, slashes included; a pattern ending in `/...`
//! also matches the path before it (`example.com/shop/...` matches
//! `example.com/shop`); a pattern without `...` is an exact import path.
//! The meta-patterns `all`, `std` and `cmd` and the go command's vendor
//! special cases are not interpreted: such a pattern is an exact path.
//!
//! All patterns of a rule set go into one anchored `MatchKind::All` DFA,
//! searched once per package.

use super::error::CompileErrorKind;
use super::limits::Limits;
use super::sig::Problem;
use regex_automata::{
    MatchKind,
    dfa::{StartKind, dense},
    nfa::thompson::{self, WhichCaptures},
};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, Look, Repetition};

/// The HIR of one package pattern, anchored at both ends.
pub(crate) fn pattern_hir(pattern: &str) -> Hir {
    let any = || {
        Hir::repetition(Repetition {
            min: 0,
            max: None,
            greedy: true,
            sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([
                ClassBytesRange::new(0, 255),
            ])))),
        })
    };
    let (body, subtree) = match pattern.strip_suffix("/...") {
        Some(stem) => (stem, true),
        None => (pattern, false),
    };
    let mut parts = vec![Hir::look(Look::Start)];
    for (i, piece) in body.split("...").enumerate() {
        if i > 0 {
            parts.push(any());
        }
        parts.push(Hir::literal(piece.as_bytes()));
    }
    if subtree {
        parts.push(Hir::repetition(Repetition {
            min: 0,
            max: Some(1),
            greedy: true,
            sub: Box::new(Hir::concat(vec![Hir::literal(*b"/"), any()])),
        }));
    }
    parts.push(Hir::look(Look::End));
    Hir::concat(parts)
}

/// Whether `pkg` belongs to the main module `main` (is it or is below it).
pub(crate) fn in_module(pkg: &str, main: Option<&str>) -> bool {
    match main {
        Some(m) => pkg
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        None => false,
    }
}

/// The package DFA over `hirs` (pattern id = index).
pub(crate) fn build(hirs: &[Hir], limits: Limits) -> Result<dense::DFA<Vec<u32>>, Problem> {
    let too_big = || {
        Problem {
        kind: CompileErrorKind::TooBig,
        message: format!(
            "the package patterns need an automaton larger than the limit of {} MiB",
            limits.dfa.max(limits.nfa) >> 20
        ),
        help: "use fewer package patterns (`example.com/shop/...` covers every package below it) and fewer `...` wildcards in the middle of a pattern".into(),
    }
    };
    if hirs.is_empty() {
        return dense::DFA::never_match().map_err(|_| too_big());
    }
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(limits.nfa)),
        )
        .build_many_from_hir(hirs)
        .map_err(|_| too_big())?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::All)
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(limits.dfa))
                .determinize_size_limit(Some(limits.determinize)),
        )
        .build_from_nfa(&nfa)
        .map_err(|_| too_big())
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::{
        Anchored, Input,
        dfa::{Automaton, OverlappingState},
    };

    fn matches(pattern: &str, pkg: &str) -> bool {
        let dfa = build(&[pattern_hir(pattern)], Limits::default()).unwrap();
        let input = Input::new(pkg).anchored(Anchored::Yes);
        let mut st = OverlappingState::start();
        dfa.try_search_overlapping_fwd(&input, &mut st).unwrap();
        st.get_match().is_some()
    }

    #[test]
    fn go_pattern_semantics() {
        assert!(matches("example.com/shop/...", "example.com/shop"));
        assert!(matches("example.com/shop/...", "example.com/shop/api/v1"));
        assert!(!matches("example.com/shop/...", "example.com/shopping"));
        assert!(!matches("example.com/shop", "example.com/shop/api"));
        assert!(matches("example.com/shop", "example.com/shop"));
        assert!(matches(".../internal/...", "example.com/x/internal/db"));
        assert!(matches("net/...", "net/http"));
        assert!(matches("...", "anything"));
        assert!(matches("example.com/.../api", "example.com/a/b/api"));
        assert!(!matches("example.com/.../api", "example.com/a/b/api2"));
        assert!(!matches("a.b", "aXb"));
    }

    #[test]
    fn main_module() {
        assert!(in_module("example.com/shop", Some("example.com/shop")));
        assert!(in_module("example.com/shop/api", Some("example.com/shop")));
        assert!(!in_module("example.com/shopping", Some("example.com/shop")));
        assert!(!in_module("example.com/shop", None));
    }
}
