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
//! exact language when it is a small finite set, and the best cover found.
//! It must be sound (a wrong cover loses matches); the proptest in
//! `tests/compile.rs` checks the whole matcher against `meta::Regex`.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// At most this many strings in an exact set or a cover.
const MAX_SET: usize = 32;
/// Shortest literal worth a prefilter entry when the regex needs verifying.
const MIN_COVER_LEN: usize = 2;
/// Exact strings longer than this are not tracked (covers are truncated).
const MAX_LEN: usize = 256;

type Set = BTreeSet<Vec<u8>>;

/// What the prefilter needs to know about one regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Factors {
    /// The regex matches a haystack iff the haystack contains one of these.
    Exact(Vec<Vec<u8>>),
    /// Every match contains one of these; the regex's DFA decides.
    Cover(Vec<Vec<u8>>),
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
        _ => match info.cover {
            Some(c) if c.iter().all(|s| s.len() >= MIN_COVER_LEN) => {
                Factors::Cover(c.into_iter().collect())
            }
            _ => Factors::None,
        },
    }
}

#[derive(Clone, Debug, Default)]
struct Info {
    /// The whole language, when it is a small finite set of strings and the
    /// node has no look-around assertion.
    exact: Option<Set>,
    /// Every match contains one of these (non-empty strings only).
    cover: Option<Set>,
}

fn analyse(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty => Info {
            exact: Some(Set::from([Vec::new()])),
            cover: None,
        },
        HirKind::Literal(lit) => from_exact(Set::from([lit.0.to_vec()])),
        HirKind::Class(class) => match expand_class(class) {
            Some(set) => from_exact(set),
            None => Info::default(),
        },
        HirKind::Look(_) => Info::default(),
        HirKind::Capture(cap) => analyse(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = analyse(&rep.sub);
            match (rep.min, rep.max) {
                (_, Some(0)) => Info {
                    exact: Some(Set::from([Vec::new()])),
                    cover: None,
                },
                (0, Some(1)) => Info {
                    exact: sub.exact.and_then(|e| union(&Set::from([Vec::new()]), &e)),
                    cover: None,
                },
                (0, _) => Info::default(),
                (min, max) => {
                    let exact = if max == Some(min) {
                        sub.exact.as_ref().and_then(|e| power(e, min))
                    } else {
                        None
                    };
                    let cover = best([sub.cover.clone(), sub.exact.as_ref().and_then(as_cover)]);
                    with_exact_cover(exact, cover)
                }
            }
        }
        HirKind::Concat(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let mut candidates: Vec<Option<Set>> = infos.iter().map(|i| i.cover.clone()).collect();
            // Runs of consecutive exact children give cross-product literals.
            let mut start = 0;
            while start < infos.len() {
                let mut acc = Some(Set::from([Vec::new()]));
                let mut end = start;
                while end < infos.len() {
                    let next = match (&acc, &infos[end].exact) {
                        (Some(a), Some(e)) => product(a, e),
                        _ => None,
                    };
                    if next.is_none() {
                        break;
                    }
                    acc = next;
                    end += 1;
                }
                candidates.push(acc.as_ref().and_then(as_cover));
                start += 1;
            }
            let exact = infos.iter().try_fold(Set::from([Vec::new()]), |acc, i| {
                i.exact.as_ref().and_then(|e| product(&acc, e))
            });
            with_exact_cover(exact, best(candidates))
        }
        HirKind::Alternation(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let exact = infos.iter().try_fold(Set::new(), |acc, i| {
                i.exact.as_ref().and_then(|e| union(&acc, e))
            });
            let cover = infos.iter().try_fold(Set::new(), |acc, i| {
                let c = best([i.cover.clone(), i.exact.as_ref().and_then(as_cover)])?;
                union(&acc, &c)
            });
            with_exact_cover(exact, cover)
        }
    }
}

fn from_exact(set: Set) -> Info {
    Info {
        cover: as_cover(&set),
        exact: Some(set),
    }
}

fn with_exact_cover(exact: Option<Set>, cover: Option<Set>) -> Info {
    let from_exact = exact.as_ref().and_then(as_cover);
    Info {
        exact,
        cover: best([cover, from_exact]),
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

/// The most selective cover: longest shortest string, then fewest strings.
/// (An empty cover, from an empty language, wins: the regex never matches.)
fn best(candidates: impl IntoIterator<Item = Option<Set>>) -> Option<Set> {
    candidates.into_iter().flatten().max_by_key(|c| {
        let shortest = c.iter().map(Vec::len).min().unwrap_or(usize::MAX);
        (shortest, std::cmp::Reverse(c.len()))
    })
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
        assert_eq!(f("func.*Context"), Factors::Cover(strs(&["Context"])));
        assert_eq!(f(r"^func \(\*S\)"), Factors::Cover(strs(&["func (*S)"])));
        assert_eq!(
            f(r"(?i)ctx"),
            Factors::Exact(strs(&[
                "CTX", "CTx", "CtX", "Ctx", "cTX", "cTx", "ctX", "ctx"
            ]))
        );
        assert_eq!(f(r"\w+Handler\("), Factors::Cover(strs(&["Handler("])));
    }

    #[test]
    fn no_cover_when_anything_can_match() {
        assert_eq!(f(".*"), Factors::None);
        assert_eq!(f("a?"), Factors::None);
        assert_eq!(f("[A-Z][a-z]+"), Factors::None);
        assert_eq!(f("foo|.*"), Factors::None);
    }
}
