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
    /// Validate `bytes` (which must start 8-aligned, see
    /// [`AlignedBytes`](super::AlignedBytes)) and view them. Never panics.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, LoadError> {
        let l = Layout::parse(bytes)?;
        let version = l.get(Section::Version);
        if version != crate::VERSION.as_bytes() {
            return Err(LoadError::GoaopVersion {
                found: String::from_utf8_lossy(version).into_owned(),
                expected: crate::VERSION.to_string(),
            });
        }
        let counts = Words::new(l.get(Section::Counts), "counts")?;
        if counts.len() != COUNTS {
            return Err(LoadError::corrupt("counts"));
        }
        let [n_aspects, n_sigs, n_factors, n_pkgs, n_calls] =
            [0, 1, 2, 3, 4].map(|i| counts.get(i) as usize);
        let too_many = |n: usize, s: Section| n > l.get(s).len();
        if too_many(n_aspects, Section::Aspects)
            || too_many(n_sigs, Section::VerifierIndex)
            || too_many(n_factors, Section::FactorSigs)
            || too_many(n_calls, Section::CallNames)
        {
            return Err(LoadError::corrupt("counts larger than their tables"));
        }

        let (packages, _) = DFA::from_bytes(l.get(Section::Packages))
            .map_err(|e| LoadError::corrupt(format!("package DFA: {e}")))?;
        if n_pkgs > 0 && packages.pattern_len() != n_pkgs {
            return Err(LoadError::corrupt(
                "package DFA has the wrong number of patterns",
            ));
        }

        let verifiers = l.get(Section::Verifiers);
        let verifier_index = Words::new(l.get(Section::VerifierIndex), "verifier index")?;
        if verifier_index.len() != n_sigs * VERIFIER_WORDS {
            return Err(LoadError::corrupt("verifier index length"));
        }
        for s in 0..n_sigs {
            let [off, len, flags] =
                [0, 1, 2].map(|k| verifier_index.get(s * VERIFIER_WORDS + k) as usize);
            let ok = match flags as u32 {
                VERIFIER_EXACT => len == 0,
                0 => {
                    off % format::ALIGN == 0
                        && off.checked_add(len).is_some_and(|e| e <= verifiers.len())
                }
                _ => false,
            };
            if !ok {
                return Err(LoadError::corrupt(format!("verifier index entry {s}")));
            }
        }

        let factor_sigs = Csr::parse(
            l.get(Section::FactorSigs),
            n_factors,
            n_sigs as u32,
            "factor table",
        )?;
        let residual = Words::new(l.get(Section::Residual), "residual table")?;
        if (0..residual.len()).any(|i| residual.get(i) as usize >= n_sigs) {
            return Err(LoadError::corrupt("residual table"));
        }
        let sig_aspects = Csr::parse(
            l.get(Section::SigAspects),
            n_sigs,
            n_aspects as u32,
            "signature table",
        )?;
        let call_aspects = Csr::parse(
            l.get(Section::CallAspects),
            n_calls,
            n_aspects as u32,
            "call table",
        )?;

        let names = l.get(Section::CallNames);
        let offsets_len = 4 * (n_calls + 1);
        if names.len() < offsets_len {
            return Err(LoadError::corrupt("call names truncated"));
        }
        let (offsets, call_bytes) = names.split_at(offsets_len);
        let call_offsets = Words::new(offsets, "call names")?;
        let mut prev: Option<&[u8]> = None;
        for i in 0..n_calls {
            let (lo, hi) = (
                call_offsets.get(i) as usize,
                call_offsets.get(i + 1) as usize,
            );
            let name = call_bytes
                .get(lo..hi)
                .ok_or_else(|| LoadError::corrupt("call names out of bounds"))?;
            if prev.is_some_and(|p| p >= name) {
                return Err(LoadError::corrupt("call names not sorted"));
            }
            prev = Some(name);
        }
        if call_offsets.get(0) != 0 || call_offsets.get(n_calls) as usize != call_bytes.len() {
            return Err(LoadError::corrupt("call names length"));
        }

        let aspects = Words::new(l.get(Section::Aspects), "aspect table")?;
        let programs = Words::new(l.get(Section::Programs), "programs")?;
        let records = l.get(Section::Records);
        if aspects.len() != n_aspects * ASPECT_WORDS {
            return Err(LoadError::corrupt("aspect table length"));
        }
        let bounds = Bounds {
            sigs: n_sigs as u32,
            pkgs: n_pkgs as u32,
            calls: n_calls as u32,
        };
        let mut ranks = vec![0u64; n_aspects.div_ceil(64)];
        let me = RuleSetRef {
            fingerprint: Fingerprint(l.fingerprint),
            n_aspects,
            n_sigs,
            n_pkgs,
            n_calls,
            packages,
            prefilter_bytes: l.get(Section::Prefilter),
            verifier_index,
            verifiers,
            factor_sigs,
            residual,
            sig_aspects,
            call_offsets,
            call_bytes,
            call_aspects,
            aspects,
            programs,
            records,
            lazy: OnceLock::new(),
        };
        for i in 0..n_aspects {
            let e = me.entry(i as u32);
            let bad = |what: &str| LoadError::corrupt(format!("aspect {i}: {what}"));
            if aspects.get(i * ASPECT_WORDS) as usize >= KINDS
                || e.max_stack as usize > e.prog.1.max(1)
            {
                return Err(bad("bad entry"));
            }
            if e.rank as usize >= n_aspects || bit(&ranks, e.rank) {
                return Err(bad("bad rank"));
            }
            set_bit(&mut ranks, e.rank);
            if e.prog
                .0
                .checked_add(e.prog.1)
                .is_none_or(|end| end > programs.len())
            {
                return Err(bad("program out of bounds"));
            }
            if e.record
                .0
                .checked_add(e.record.1)
                .is_none_or(|end| end > records.len())
            {
                return Err(bad("record out of bounds"));
            }
            program::validate(me.program(&e), e.max_stack, bounds).map_err(bad)?;
        }
        Ok(me)
    }

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

    /// Check everything from_bytes leaves for later: the prefilter, every
    /// verifier, every record, and that the fingerprint is the hash of the
    /// records. For tests and `goaop check`; the weaver does not need it.
    pub fn verify(&self) -> Result<(), LoadError> {
        let lazy = self.lazy()?;
        for s in 0..self.n_sigs as u32 {
            if !self.is_exact(s) {
                self.verifier(lazy, s)?;
            }
        }
        let mut framed = Framed::rule_set(self.n_aspects);
        for i in 0..self.n_aspects {
            self.aspect(i)?;
            let (off, len) = self.entry(i as u32).record;
            framed.field(self.records.get(off..off + len).unwrap_or_default());
        }
        if framed.finish() != self.fingerprint {
            return Err(LoadError::FingerprintMismatch);
        }
        Ok(())
    }

    /// Which aspects can apply in package `pkg`, the main module being
    /// `main_module`. Run once per package. `pkg` must be the package's
    /// import path: the compiler's `-p main` for a command, and the
    /// `[x.test]` suffix of a test variant, are the caller's to map.
    /// Aspects whose pointcut may still hold for some function or call are
    /// kept, whatever their signature atoms say.
    pub fn packages(
        &self,
        pkg: &str,
        main_module: Option<&str>,
    ) -> Result<PackageScope, LoadError> {
        let mut pkg_hits = vec![0u64; self.n_pkgs.div_ceil(64)];
        if self.n_pkgs > 0 {
            let input = Input::new(pkg).anchored(Anchored::Yes);
            let mut state = OverlappingState::start();
            loop {
                self.packages
                    .try_search_overlapping_fwd(&input, &mut state)
                    .map_err(search_err("package DFA"))?;
                match state.get_match() {
                    Some(m) => set_bit(&mut pkg_hits, m.pattern().as_u32()),
                    None => break,
                }
            }
        }
        let main = package::in_module(pkg, main_module);
        let mut scope = PackageScope {
            rule_set: self.fingerprint,
            in_scope: vec![0; self.n_aspects.div_ceil(64)],
            always: [Vec::new(), Vec::new(), Vec::new()],
            counts: [0; KINDS],
            pkg_hits,
            main,
            call_sig: false,
        };
        for a in 0..self.n_aspects as u32 {
            let e = self.entry(a);
            // Whether a function is used as a value is only known per site.
            let known = |atom: Atom, rest: Truth| match atom {
                Atom::Pkg(id) => Truth::from_bool(bit(&scope.pkg_hits, id)),
                Atom::Main => Truth::from_bool(main),
                Atom::Sig(_) | Atom::Call(_) => rest,
                Atom::AsValue => Truth::Unknown,
            };
            if program::eval(self.program(&e), e.max_stack, |x| known(x, Truth::Unknown))
                == Truth::False
            {
                continue;
            }
            // A candidate whatever the signature or callee (decided per site
            // when only `as-value` is unknown).
            let always = program::eval(self.program(&e), e.max_stack, |x| known(x, Truth::False))
                != Truth::False;
            set_bit(&mut scope.in_scope, a);
            scope.counts[e.kind] += 1;
            if always {
                scope.always[e.kind].push(a);
            }
            if e.kind == CALL && e.has_sig {
                scope.call_sig = true;
            }
        }
        Ok(scope)
    }

    /// `scope` narrowed to the aspects `keep` accepts (by aspect id): the
    /// build weaves a test variant's `_test.go` files with the aspects that
    /// set `tests: true` only.
    pub fn restrict(&self, scope: &PackageScope, keep: impl Fn(usize) -> bool) -> PackageScope {
        let mut out = scope.clone();
        out.in_scope.iter_mut().for_each(|w| *w = 0);
        out.counts = [0; KINDS];
        out.call_sig = false;
        for a in scope.candidates() {
            if !keep(a) {
                continue;
            }
            let e = self.entry(a as u32);
            set_bit(&mut out.in_scope, a as u32);
            out.counts[e.kind] += 1;
            out.call_sig |= e.kind == CALL && e.has_sig;
        }
        for always in &mut out.always {
            always.retain(|&a| keep(a as usize));
        }
        out
    }

    /// The execution aspects whose whole pointcut holds for the function
    /// with this canonical signature, in application order (by `order`,
    /// then declaration). `out` is cleared first.
    pub fn match_function(
        &self,
        scope: &PackageScope,
        signature: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_function_as(scope, signature, &mut || false, out)
    }

    /// Like [`Self::match_function`]; `as_value` says whether the function
    /// is used as a value in its package (asked only when an `as-value`
    /// condition decides).
    pub fn match_function_as(
        &self,
        scope: &PackageScope,
        signature: &str,
        as_value: &mut dyn FnMut() -> bool,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_functions() {
            return Ok(());
        }
        let sigs = self.matching_sigs(scope, EXEC, signature)?;
        self.decide(scope, EXEC, &sigs, None, as_value, out);
        Ok(())
    }

    /// The call aspects whose pointcut holds for a call of `callee`
    /// (`database/sql.Open`, `(*net/http.Client).Do`). Signature atoms in a
    /// call aspect's pointcut test the *calling* function's signature; here
    /// there is none, so they are false: see [`Self::match_call_in`].
    pub fn match_call(
        &self,
        scope: &PackageScope,
        callee: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_call_inner(scope, callee, None, out)
    }

    /// Like [`Self::match_call`], for a call made inside the function with
    /// signature `caller`.
    pub fn match_call_in(
        &self,
        scope: &PackageScope,
        callee: &str,
        caller: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_call_inner(scope, callee, Some(caller), out)
    }

    /// The ref aspects whose pointcut holds for a value use of the
    /// package-level member `target` (`net/http.DefaultTransport`).
    /// Signature atoms are false, as for [`Self::match_call`].
    pub fn match_ref(
        &self,
        scope: &PackageScope,
        target: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_refs() {
            return Ok(());
        }
        let id = self.call_id(target.as_bytes());
        self.decide(scope, REF, &[], id, &mut || false, out);
        Ok(())
    }

    fn match_call_inner(
        &self,
        scope: &PackageScope,
        callee: &str,
        caller: Option<&str>,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_calls() {
            return Ok(());
        }
        let call = self.call_id(callee.as_bytes());
        let sigs = match caller {
            Some(sig) if scope.call_sig => self.matching_sigs(scope, CALL, sig)?,
            _ => Vec::new(),
        };
        self.decide(scope, CALL, &sigs, call, &mut || false, out);
        Ok(())
    }

    fn check_scope(&self, scope: &PackageScope) -> Result<(), LoadError> {
        if scope.rule_set == self.fingerprint && scope.in_scope.len() == self.n_aspects.div_ceil(64)
        {
            Ok(())
        } else {
            Err(LoadError::ForeignScope)
        }
    }

    /// Evaluate the candidate aspects of `kind` and push those that hold.
    fn decide(
        &self,
        scope: &PackageScope,
        kind: usize,
        sigs: &[u32],
        call: Option<u32>,
        as_value: &mut dyn FnMut() -> bool,
        out: &mut Vec<usize>,
    ) {
        let mut cands: Vec<u32> = scope.always[kind].clone();
        let mut add = |a: u32| {
            if scope.contains(a) && self.entry(a).kind == kind {
                cands.push(a);
            }
        };
        for &s in sigs {
            self.sig_aspects.row(s as usize).for_each(&mut add);
        }
        if let Some(c) = call {
            self.call_aspects.row(c as usize).for_each(&mut add);
        }
        cands.sort_unstable();
        cands.dedup();
        let mut hits: Vec<(u32, usize)> = Vec::with_capacity(cands.len());
        for a in cands {
            let e = self.entry(a);
            let v = program::eval(self.program(&e), e.max_stack, |atom| match atom {
                Atom::Sig(id) => Truth::from_bool(sigs.binary_search(&id).is_ok()),
                Atom::Pkg(id) => Truth::from_bool(bit(&scope.pkg_hits, id)),
                Atom::Main => Truth::from_bool(scope.main),
                Atom::Call(id) => Truth::from_bool(call == Some(id)),
                Atom::AsValue => Truth::from_bool(as_value()),
            });
            if v == Truth::True {
                hits.push((e.rank, a as usize));
            }
        }
        hits.sort_unstable();
        out.extend(hits.into_iter().map(|(_, a)| a));
    }

    /// The ids of the signature patterns that match `signature`, among those
    /// used by an in-scope aspect of `kind`; sorted.
    fn matching_sigs(
        &self,
        scope: &PackageScope,
        kind: usize,
        signature: &str,
    ) -> Result<Vec<u32>, LoadError> {
        let lazy = self.lazy()?;
        let relevant = |s: u32| {
            self.sig_aspects
                .row(s as usize)
                .any(|a| scope.contains(a) && self.entry(a).kind == kind)
        };
        let mut factors = Vec::new();
        let input = Input::new(signature);
        let mut state = OverlappingState::start();
        loop {
            lazy.prefilter
                .try_search_overlapping_fwd(&input, &mut state)
                .map_err(search_err("prefilter DFA"))?;
            match state.get_match() {
                Some(m) => factors.push(m.pattern().as_u32()),
                None => break,
            }
        }
        factors.sort_unstable();
        factors.dedup();
        let mut hits = Vec::new();
        let mut verify = Vec::new();
        for f in factors {
            for s in self.factor_sigs.row(f as usize) {
                if relevant(s) {
                    if self.is_exact(s) {
                        hits.push(s)
                    } else {
                        verify.push(s)
                    }
                }
            }
        }
        verify.extend(
            self.residual
                .range(0, self.residual.len())
                .filter(|&s| relevant(s)),
        );
        verify.sort_unstable();
        verify.dedup();
        for s in verify {
            let dfa = self.verifier(lazy, s)?;
            let m = dfa
                .try_search_fwd(&input.clone().earliest(true))
                .map_err(search_err("verifier DFA"))?;
            if m.is_some() {
                hits.push(s);
            }
        }
        hits.sort_unstable();
        hits.dedup();
        Ok(hits)
    }

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
