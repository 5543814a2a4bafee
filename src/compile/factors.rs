//! Required literals ("factors") of a signature regex, for the prefilter.
//!
//! For each regex we look for a small set of byte strings such that every
//! match of the regex contains at least one of them: its *cover*. A
//! signature that contains none of a pattern's cover cannot match it, so the
//! matcher only runs a pattern's own DFA when the prefilter has seen one of
//! its factors. When the regex denotes a small finite set of strings and has
//! no assertions (`func \(\*Service\) `), the set itself is the cover and a
//! prefilter hit *is* a match: no verification at all.
//!
//! The analysis is a bottom-up pass over the HIR, computing per node the
//! exact language when it is a small finite set, and candidate covers. Which
//! candidate a pattern uses is decided for all patterns together by
//! [`choose`]: the longest literal is not the best one if a thousand other
//! patterns need it too (`context\.Context.*Order17` must be filed under
//! `Order17`, not under `context.Context`).
//! It must be sound (a wrong cover loses matches); the proptest in
//! `tests/compile.rs` checks the whole matcher against `meta::Regex`.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// At most this many strings in an exact set or a cover.
const MAX_SET: usize = 32;
/// Shortest literal worth a prefilter entry when the regex needs verifying.
const MIN_COVER_LEN: usize = 2;
/// Candidate covers kept per node.
const MAX_COVERS: usize = 8;
/// Exact strings longer than this are not tracked (covers are truncated).
const MAX_LEN: usize = 256;

type Set = BTreeSet<Vec<u8>>;

/// What the prefilter needs to know about one regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Factors {
    /// The regex matches a haystack iff the haystack contains one of these.
    Exact(Vec<Vec<u8>>),
    /// Each entry is a cover (every match contains one of its strings);
    /// [`choose`] picks one, then the regex's own DFA decides.
    Covers(Vec<Vec<Vec<u8>>>),
    /// No useful literal: the regex must be tried on every signature.
    None,
}

/// Analyse a regex (parsed in byte mode).
pub(crate) fn factors(hir: &Hir) -> Factors {
    let info = analyse(hir);
    match info.exact {
        // A finite language without "": contains-one-of is exactly the
        // unanchored semantics. An empty language never matches.
        Some(e) if !e.contains(&Vec::new()) => Factors::Exact(e.into_iter().collect()),
        // A cover with one-byte strings (`(`, `[A-Z]`) occurs in nearly
        // every signature: the prefilter would only add work.
        _ => {
            let covers: Vec<Vec<Vec<u8>>> = info
                .covers
                .into_iter()
                .filter(|c| c.iter().all(|s| s.len() >= MIN_COVER_LEN))
                .map(|c| c.into_iter().collect())
                .collect();
            if covers.is_empty() {
                Factors::None
            } else {
                Factors::Covers(covers)
            }
        }
    }
}

/// Pick one cover per pattern: the one whose most shared literal is shared
/// by the fewest patterns (`popularity` counts, per literal, the patterns
/// having it in some candidate), then the longest shortest literal, then the
/// fewest literals.
pub(crate) fn choose(covers: &[Vec<Vec<u8>>], popularity: impl Fn(&[u8]) -> usize) -> &[Vec<u8>] {
    covers
        .iter()
        .min_by_key(|c| {
            let shared = c.iter().map(|s| popularity(s)).max().unwrap_or(0);
            let shortest = c.iter().map(Vec::len).min().unwrap_or(usize::MAX);
            (shared, std::cmp::Reverse(shortest), c.len())
        })
        .map_or(&[], Vec::as_slice)
}

#[derive(Clone, Debug, Default)]
struct Info {
    /// The whole language, when it is a small finite set of strings and the
    /// node has no look-around assertion.
    exact: Option<Set>,
    /// Candidate covers: every match contains one of each set's strings
    /// (non-empty strings only), best first, at most `MAX_COVERS`.
    covers: Vec<Set>,
}

fn analyse(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty => Info {
            exact: Some(Set::from([Vec::new()])),
            covers: Vec::new(),
        },
        HirKind::Literal(lit) => from_exact(Some(Set::from([lit.0.to_vec()])), Vec::new()),
        HirKind::Class(class) => from_exact(expand_class(class), Vec::new()),
        HirKind::Look(_) => Info::default(),
        HirKind::Capture(cap) => analyse(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = analyse(&rep.sub);
            match (rep.min, rep.max) {
                (_, Some(0)) => Info {
                    exact: Some(Set::from([Vec::new()])),
                    covers: Vec::new(),
                },
                (0, Some(1)) => Info {
                    exact: sub.exact.and_then(|e| union(&Set::from([Vec::new()]), &e)),
                    covers: Vec::new(),
                },
                (0, _) => Info::default(),
                // At least one repetition: every match contains a sub-match.
                (min, max) => {
                    let exact = if max == Some(min) {
                        sub.exact.as_ref().and_then(|e| power(e, min))
                    } else {
                        None
                    };
                    from_exact(exact, sub.covers)
                }
            }
        }
        HirKind::Concat(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let mut covers: Vec<Set> = infos
                .iter()
                .flat_map(|i| i.covers.iter().cloned())
                .collect();
            // Runs of consecutive exact children give cross-product literals.
            for start in 0..infos.len() {
                let mut acc = Set::from([Vec::new()]);
                for info in &infos[start..] {
                    match info.exact.as_ref().and_then(|e| product(&acc, e)) {
                        Some(next) => acc = next,
                        None => break,
                    }
                }
                covers.extend(as_cover(&acc));
            }
            let exact = infos.iter().try_fold(Set::from([Vec::new()]), |acc, i| {
                i.exact.as_ref().and_then(|e| product(&acc, e))
            });
            from_exact(exact, covers)
        }
        HirKind::Alternation(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let exact = infos.iter().try_fold(Set::new(), |acc, i| {
                i.exact.as_ref().and_then(|e| union(&acc, e))
            });
            // Every match matches some branch: the union of one cover per branch.
            let cover = infos.iter().try_fold(Set::new(), |acc, i| {
                let c = i.covers.first()?;
                union(&acc, c)
            });
            from_exact(exact, cover.into_iter().collect())
        }
    }
}

/// An `Info` from its exact language (if known) and candidate covers; the
/// exact language is itself a cover when it lacks "".
fn from_exact(exact: Option<Set>, mut covers: Vec<Set>) -> Info {
    covers.extend(exact.as_ref().and_then(as_cover));
    Info {
        exact,
        covers: rank(covers),
    }
}

/// An exact set used as a cover: valid unless it contains "" (then some
/// match contains nothing at all). Long strings are truncated: a prefix of
/// a required string is required too.
fn as_cover(set: &Set) -> Option<Set> {
    if set.contains(&Vec::new()) {
        return None;
    }
    Some(
        set.iter()
            .map(|s| s[..s.len().min(MAX_LEN)].to_vec())
            .collect(),
    )
}

/// Sort covers best first (longest shortest string, then fewest strings;
/// an empty cover, from an empty language, is best: the regex never
/// matches), drop duplicates, keep `MAX_COVERS`.
fn rank(mut covers: Vec<Set>) -> Vec<Set> {
    covers.sort_by_key(|c| {
        let shortest = c.iter().map(Vec::len).min().unwrap_or(usize::MAX);
        (std::cmp::Reverse(shortest), c.len(), c.clone())
    });
    covers.dedup();
    covers.truncate(MAX_COVERS);
    covers
}

fn union(a: &Set, b: &Set) -> Option<Set> {
    let u: Set = a.union(b).cloned().collect();
    (u.len() <= MAX_SET).then_some(u)
}

fn product(a: &Set, b: &Set) -> Option<Set> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Set::new();
    for x in a {
        for y in b {
            if x.len() + y.len() > MAX_LEN {
                return None;
            }
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.insert(s);
        }
    }
    Some(out)
}

fn power(set: &Set, n: u32) -> Option<Set> {
    // Only "" (`(?:){4294967295}`): the loop below would never grow out of
    // its limits, and could run 2^32 times.
    if set.iter().all(Vec::is_empty) {
        return Some(set.clone());
    }
    let mut acc = Set::from([Vec::new()]);
    for _ in 0..n {
        acc = product(&acc, set)?;
    }
    Some(acc)
}

/// The strings a small class matches (bytes, or UTF-8 encoded chars).
fn expand_class(class: &Class) -> Option<Set> {
    let mut out = Set::new();
    match class {
        Class::Bytes(c) => {
            for r in c.iter() {
                if out.len() + r.len() > MAX_SET {
                    return None;
                }
                out.extend((r.start()..=r.end()).map(|b| vec![b]));
            }
        }
        Class::Unicode(c) => {
            for r in c.iter() {
                if out.len() + r.len() > MAX_SET {
                    return None;
                }
                for ch in r.start()..=r.end() {
                    let mut buf = [0u8; 4];
                    out.insert(ch.encode_utf8(&mut buf).as_bytes().to_vec());
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(re: &str) -> Factors {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(re)
            .unwrap();
        factors(&hir)
    }

    fn strs(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn exact_literals_need_no_verification() {
        assert_eq!(
            f(r"func \(\*Service\) "),
            Factors::Exact(strs(&["func (*Service) "]))
        );
        assert_eq!(f("https?"), Factors::Exact(strs(&["http", "https"])));
        assert_eq!(
            f("(Get|Post)Order"),
            Factors::Exact(strs(&["GetOrder", "PostOrder"]))
        );
    }

    #[test]
    fn covers_pick_the_most_selective_literal() {
        let first = |re: &str| match f(re) {
            Factors::Covers(c) => c[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(first("func.*Context"), strs(&["Context"]));
        assert_eq!(first(r"^func \(\*S\)"), strs(&["func (*S)"]));
        assert_eq!(
            f(r"(?i)ctx"),
            Factors::Exact(strs(&[
                "CTX", "CTx", "CtX", "Ctx", "cTX", "cTx", "ctX", "ctx"
            ]))
        );
        assert_eq!(first(r"\w+Handler\("), strs(&["Handler("]));
        // Candidates for a global choice: the rarer literal wins over the longer.
        let Factors::Covers(c) = f(r"context\.Context.*Order17") else {
            panic!()
        };
        assert_eq!(c, [strs(&["context.Context"]), strs(&["Order17"])]);
        let popularity = |s: &[u8]| if s == b"context.Context" { 1000 } else { 1 };
        assert_eq!(choose(&c, popularity), strs(&["Order17"]));
    }

    #[test]
    fn no_cover_when_anything_can_match() {
        assert_eq!(f(".*"), Factors::None);
        assert_eq!(f("a?"), Factors::None);
        assert_eq!(f("[A-Z][a-z]+"), Factors::None);
        assert_eq!(f("foo|.*"), Factors::None);
    }
}
