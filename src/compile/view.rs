//! [`RuleSetRef`]: a validated, zero-copy view of a rule-set artifact, and
//! the matching entry points the weaver uses.
//!
//! Loading validates the header, every table and every pointcut program,
//! and deserialises the package DFA. The prefilter DFA is validated on the
//! first signature match, and each verifier DFA on the first time a
//! signature needs it: a toolexec process for a package no aspect touches
//! pays for none of them, and no process pays for the verifiers of patterns
//! it never meets. So matching can still report a corrupt artifact, which
//! is why the `match_*` methods return `Result`.
//!
//! This file holds the view's layout and table accessors; opening and
//! validating an artifact is in `open`, matching in `matching`.

mod matching;
mod open;

use super::error::LoadError;
use super::fingerprint::{Fingerprint, Framed};
use super::format::{
    self, ASPECT_WORDS, COUNTS, Csr, Layout, Section, VERIFIER_EXACT, VERIFIER_WORDS, Words,
};
use super::package;
use super::program::{self, Atom, Bounds, Truth};
use crate::check::{CheckedAspect, JoinKind};
use regex_automata::{
    Anchored, Input,
    dfa::{Automaton, OverlappingState, dense::DFA, sparse},
};
use std::sync::OnceLock;

const EXEC: usize = 0;
const CALL: usize = 1;
const REF: usize = 2;
/// Number of join kinds (entry `kind` values are below this).
const KINDS: usize = 3;

/// A zero-copy view of a serialised rule set.
#[derive(Debug)]
pub struct RuleSetRef<'a> {
    fingerprint: Fingerprint,
    n_aspects: usize,
    n_sigs: usize,
    n_pkgs: usize,
    n_calls: usize,
    packages: DFA<&'a [u32]>,
    prefilter_bytes: &'a [u8],
    verifier_index: Words<'a>,
    verifiers: &'a [u8],
    factor_sigs: Csr<'a>,
    residual: Words<'a>,
    sig_aspects: Csr<'a>,
    call_offsets: Words<'a>,
    call_bytes: &'a [u8],
    call_aspects: Csr<'a>,
    aspects: Words<'a>,
    programs: Words<'a>,
    records: &'a [u8],
    lazy: OnceLock<Result<Lazy<'a>, LoadError>>,
}

/// A signature pattern's own DFA (sparse: compact, run only on candidates).
type Verifier<'a> = sparse::DFA<&'a [u8]>;

/// The parts validated on first use.
#[derive(Debug)]
struct Lazy<'a> {
    prefilter: DFA<&'a [u32]>,
    verifiers: Box<[OnceLock<Option<Verifier<'a>>>]>,
}

/// The aspects that can apply in one package, computed once per package by
/// [`RuleSetRef::packages`]: the pointcuts evaluated with the package known
/// and signatures/callees unknown. An aspect whose pointcut is already
/// false is out; one that could still hold (`!within(...)`, `target(...)`)
/// stays in.
#[derive(Clone, Debug)]
pub struct PackageScope {
    rule_set: Fingerprint,
    in_scope: Vec<u64>,
    /// Aspects that hold even when none of their signatures/callees match
    /// (`!target("x")`, `within("p")` alone), per join kind.
    always: [Vec<u32>; KINDS],
    counts: [usize; KINDS],
    pkg_hits: Vec<u64>,
    main: bool,
    /// Some call aspect in scope tests the calling function's signature.
    call_sig: bool,
}

impl PackageScope {
    /// No aspect can apply in this package: compile it untouched.
    pub fn is_empty(&self) -> bool {
        self.counts == [0; KINDS]
    }

    /// Some execution aspect may apply to a function of this package.
    pub fn has_functions(&self) -> bool {
        self.counts[EXEC] > 0
    }

    /// Some call aspect may apply to a call site in this package.
    pub fn has_calls(&self) -> bool {
        self.counts[CALL] > 0
    }

    /// Some ref aspect may apply to a reference in this package.
    pub fn has_refs(&self) -> bool {
        self.counts[REF] > 0
    }

    /// The aspects that may apply, by ascending aspect id.
    pub fn candidates(&self) -> impl Iterator<Item = usize> + '_ {
        self.in_scope.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |b| bits >> b & 1 == 1)
                .map(move |b| w * 64 + b)
        })
    }

    fn contains(&self, aspect: u32) -> bool {
        bit(&self.in_scope, aspect)
    }
}

fn bit(bits: &[u64], i: u32) -> bool {
    bits.get(i as usize / 64)
        .is_some_and(|w| w >> (i % 64) & 1 == 1)
}

fn set_bit(bits: &mut [u64], i: u32) {
    if let Some(w) = bits.get_mut(i as usize / 64) {
        *w |= 1 << (i % 64);
    }
}

/// One aspect's fixed entry.
struct Entry {
    kind: usize,
    rank: u32,
    prog: (usize, usize),
    max_stack: u32,
    record: (usize, usize),
    has_sig: bool,
}

fn search_err(what: &str) -> impl Fn(regex_automata::MatchError) -> LoadError + '_ {
    move |e| LoadError::corrupt(format!("{what}: {e}"))
}

impl<'a> RuleSetRef<'a> {
    /// The fingerprint recorded in the artifact.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Number of aspects.
    pub fn len(&self) -> usize {
        self.n_aspects
    }

    pub fn is_empty(&self) -> bool {
        self.n_aspects == 0
    }

    /// Decode aspect `i` (its index in the builder's input).
    pub fn aspect(&self, i: usize) -> Result<CheckedAspect, LoadError> {
        if i >= self.n_aspects {
            return Err(LoadError::NoSuchAspect {
                index: i,
                len: self.n_aspects,
            });
        }
        let (off, len) = self.entry(i as u32).record;
        let bytes = self.records.get(off..off + len).unwrap_or_default();
        postcard::from_bytes(bytes).map_err(|e| LoadError::corrupt(format!("aspect {i}: {e}")))
    }

    /// The join kind of aspect `i`, without decoding it.
    pub fn join_kind(&self, i: usize) -> Option<JoinKind> {
        (i < self.n_aspects).then(|| match self.entry(i as u32).kind {
            EXEC => JoinKind::Execution,
            CALL => JoinKind::Call,
            _ => JoinKind::Ref,
        })
    }

    // --- tables, shared by opening and matching ---

    fn lazy(&self) -> Result<&Lazy<'a>, LoadError> {
        self.lazy
            .get_or_init(|| {
                let (prefilter, _) = DFA::from_bytes(self.prefilter_bytes)
                    .map_err(|e| LoadError::corrupt(format!("prefilter DFA: {e}")))?;
                let n_factors = self.factor_sigs_rows();
                if n_factors > 0 && prefilter.pattern_len() != n_factors {
                    return Err(LoadError::corrupt(
                        "prefilter DFA has the wrong number of patterns",
                    ));
                }
                Ok(Lazy {
                    prefilter,
                    verifiers: (0..self.n_sigs).map(|_| OnceLock::new()).collect(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn factor_sigs_rows(&self) -> usize {
        self.factor_sigs.rows()
    }

    fn verifier<'s>(
        &self,
        lazy: &'s Lazy<'a>,
        s: u32,
    ) -> Result<&'s sparse::DFA<&'a [u8]>, LoadError> {
        let base = s as usize * VERIFIER_WORDS;
        let cell = lazy
            .verifiers
            .get(s as usize)
            .ok_or_else(|| LoadError::corrupt("verifier id"))?;
        cell.get_or_init(|| {
            let (off, len) = (
                self.verifier_index.get(base) as usize,
                self.verifier_index.get(base + 1) as usize,
            );
            let bytes = self.verifiers.get(off..off + len)?;
            sparse::DFA::from_bytes(bytes).ok().map(|(dfa, _)| dfa)
        })
        .as_ref()
        .ok_or_else(|| LoadError::corrupt(format!("verifier DFA {s}")))
    }

    fn is_exact(&self, s: u32) -> bool {
        self.verifier_index.get(s as usize * VERIFIER_WORDS + 2) == VERIFIER_EXACT
    }

    fn call_id(&self, callee: &[u8]) -> Option<u32> {
        let name = |i: usize| {
            let (lo, hi) = (
                self.call_offsets.get(i) as usize,
                self.call_offsets.get(i + 1) as usize,
            );
            self.call_bytes.get(lo..hi).unwrap_or_default()
        };
        let (mut lo, mut hi) = (0, self.n_calls);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match name(mid).cmp(callee) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    #[inline]
    fn entry(&self, a: u32) -> Entry {
        let base = a as usize * ASPECT_WORDS;
        let w = |k: usize| self.aspects.get(base + k);
        Entry {
            kind: (w(0) as usize).min(KINDS - 1),
            rank: w(1),
            prog: (w(2) as usize, w(3) as usize),
            max_stack: w(4),
            record: (w(5) as usize, w(6) as usize),
            has_sig: w(7) & 1 == 1,
        }
    }

    fn program(&self, e: &Entry) -> impl Iterator<Item = u32> + 'a {
        self.programs.range(e.prog.0, e.prog.0 + e.prog.1)
    }
}
