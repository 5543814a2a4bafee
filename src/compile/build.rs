//! [`RuleSetBuilder`]: checked aspects in, an immutable [`RuleSet`] out.
//!
//! The builder interns every distinct pattern (signature regexes, package
//! patterns, call targets; ids in sorted order so the output depends only
//! on the input), compiles each signature regex (factors + verifier DFA),
//! the package DFA and the prefilter DFA, compiles each pointcut to a
//! program, and writes the artifact ([`format`](super::format)). Every
//! problem is collected; none stops the others from being found.

use super::error::{CompileError, CompileErrorKind};
use super::factors::{Factors, choose, factors};
use super::fingerprint::{Framed, encode};
use super::format::{self, Section, VERIFIER_EXACT, Writer};
use super::limits::Limits;
use super::program::{self, Interner, MAX_OPERAND};
use super::sig::Problem;
use super::{AlignedBytes, RuleSet, package, sig};
use crate::check::{CheckedAspect, JoinKind, Pointcut};
use regex_automata::dfa::dense;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// Builds [`RuleSet`]s; holds the size limits.
#[derive(Clone, Debug, Default)]
pub struct RuleSetBuilder {
    limits: Limits,
}

/// Pattern → the aspects using it, in sorted pattern order.
type Uses = BTreeMap<String, BTreeSet<usize>>;

struct Ids<'u> {
    sig: BTreeMap<&'u str, u32>,
    pkg: BTreeMap<&'u str, u32>,
    call: BTreeMap<&'u str, u32>,
}

fn index(uses: &Uses) -> BTreeMap<&str, u32> {
    uses.keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect()
}

impl Interner for Ids<'_> {
    fn sig(&mut self, p: &str) -> u32 {
        self.sig.get(p).copied().unwrap_or(0)
    }
    fn pkg(&mut self, p: &str) -> u32 {
        self.pkg.get(p).copied().unwrap_or(0)
    }
    fn call(&mut self, p: &str) -> u32 {
        self.call.get(p).copied().unwrap_or(0)
    }
}

fn collect(p: &Pointcut, aspect: usize, sigs: &mut Uses, pkgs: &mut Uses, calls: &mut Uses) {
    let mut stack = vec![p];
    while let Some(p) = stack.pop() {
        match p {
            Pointcut::Sig(s) => sigs.entry(s.clone()).or_default().insert(aspect),
            Pointcut::Within(s) => pkgs.entry(s.clone()).or_default().insert(aspect),
            Pointcut::Call(s) | Pointcut::Ref(s) => {
                calls.entry(s.clone()).or_default().insert(aspect)
            }
            Pointcut::MainModule | Pointcut::AsValue => true,
            Pointcut::And(xs) | Pointcut::Or(xs) => {
                stack.extend(xs);
                true
            }
            Pointcut::Not(x) => {
                stack.push(x);
                true
            }
        };
    }
}

fn errors_for(
    users: &BTreeSet<usize>,
    pattern: &str,
    p: &Problem,
) -> impl Iterator<Item = CompileError> {
    users.iter().map(move |&aspect| CompileError {
        aspect,
        pattern: pattern.to_string(),
        kind: p.kind,
        message: p.message.clone(),
        help: p.help.clone(),
    })
}

fn dfa_bytes(dfa: &dense::DFA<Vec<u32>>) -> Vec<u8> {
    let (bytes, pad) = dfa.to_bytes_native_endian();
    bytes[pad..].to_vec()
}

/// One compiled signature pattern.
struct SigCode {
    /// The literals filed in the prefilter for this pattern.
    factors: Vec<Vec<u8>>,
    /// Candidate covers, when the pattern needs verifying.
    covers: Vec<Vec<Vec<u8>>>,
    exact: bool,
    verifier: Option<Vec<u8>>,
}

impl RuleSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Size limits for every automaton (default: 32 MiB each).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Compile `aspects` (their indices are the aspect ids everywhere).
    pub fn build(&self, aspects: &[CheckedAspect]) -> Result<RuleSet, Vec<CompileError>> {
        let (mut sigs, mut pkgs, mut calls) = (Uses::new(), Uses::new(), Uses::new());
        for (i, a) in aspects.iter().enumerate() {
            collect(&a.pointcut, i, &mut sigs, &mut pkgs, &mut calls);
        }
        for uses in [&sigs, &pkgs, &calls] {
            if uses.len() > MAX_OPERAND as usize {
                let p = Problem {
                    kind: CompileErrorKind::TooBig,
                    message: "too many distinct patterns in one rule set".into(),
                    help: "use fewer distinct patterns".into(),
                };
                let last = uses.iter().next_back();
                return Err(last
                    .map(|(pat, users)| errors_for(users, pat, &p).collect())
                    .unwrap_or_default());
            }
        }

        let mut errors = Vec::new();
        let mut codes = Vec::with_capacity(sigs.len());
        for (pattern, users) in &sigs {
            match self.compile_sig(pattern) {
                Ok(c) => codes.push(c),
                Err(p) => errors.extend(errors_for(users, pattern, &p)),
            }
        }
        let hirs: Vec<_> = pkgs.keys().map(|p| package::pattern_hir(p)).collect();
        let package_dfa = package::build(&hirs, self.limits).map_err(|p| {
            let keys: Vec<_> = pkgs.iter().collect();
            for (pattern, users) in self
                .package_culprits(&pkgs, &hirs)
                .into_iter()
                .filter_map(|i| keys.get(i))
            {
                errors.extend(errors_for(users, pattern, &p));
            }
        });
        let package_dfa = match package_dfa {
            Ok(dfa) if errors.is_empty() => dfa,
            _ => {
                errors.sort_by(|a, b| (a.aspect, &a.pattern).cmp(&(b.aspect, &b.pattern)));
                return Err(errors);
            }
        };

        assign_factors(&mut codes);
        let prefilter = Prefilter::new(&codes);
        let prefilter_dfa = sig::prefilter(&prefilter.factors, self.limits).map_err(|p| {
            // Blame the pattern contributing the most literal bytes.
            let worst = (0..codes.len())
                .max_by_key(|&i| codes[i].factors.iter().map(Vec::len).sum::<usize>());
            match worst.and_then(|i| sigs.iter().nth(i)) {
                Some((pattern, users)) => errors_for(users, pattern, &p).collect(),
                None => Vec::new(),
            }
        })?;

        let mut ids = Ids {
            sig: index(&sigs),
            pkg: index(&pkgs),
            call: index(&calls),
        };
        let programs: Vec<program::Program> = aspects
            .iter()
            .map(|a| program::compile(&a.pointcut, &mut ids))
            .collect();
        let records: Vec<Vec<u8>> = aspects.iter().map(encode).collect();
        let mut framed = Framed::rule_set(aspects.len());
        records.iter().for_each(|r| framed.field(r));
        let fingerprint = framed.finish();

        let parts = Parts {
            aspects,
            sigs: &sigs,
            pkgs: &pkgs,
            calls: &calls,
            codes: &codes,
            prefilter: &prefilter,
            prefilter_dfa: &prefilter_dfa,
            package_dfa: &package_dfa,
            programs: &programs,
            records: &records,
        };
        let bytes = parts.write(&fingerprint).map_err(|msg| {
            vec![CompileError {
                aspect: 0,
                pattern: String::new(),
                kind: CompileErrorKind::TooBig,
                message: msg.into(),
                help: "use fewer aspects in one rule set".into(),
            }]
        })?;
        Ok(RuleSet {
            bytes: AlignedBytes::from_slice(&bytes),
            fingerprint,
            len: aspects.len(),
        })
    }

    /// Parse one signature regex, find its literals and, unless the
    /// literals are the whole regex, build its verifier.
    fn compile_sig(&self, pattern: &str) -> Result<SigCode, Problem> {
        let hir = sig::parse(pattern)?;
        Ok(match factors(&hir) {
            Factors::Exact(f) => SigCode {
                factors: f,
                covers: Vec::new(),
                exact: true,
                verifier: None,
            },
            other => SigCode {
                factors: Vec::new(),
                covers: match other {
                    Factors::Covers(c) => c,
                    _ => Vec::new(),
                },
                exact: false,
                verifier: Some(sig::verifier(&hir, self.limits)?.to_bytes_native_endian()),
            },
        })
    }

    /// Which package patterns make the package DFA too big: those too big
    /// alone (only a pattern with a `...` inside can be: at most
    /// [`MAX_ALONE`] are tried), else the one whose addition to the patterns
    /// before it first overflows (found by bisection, when there are at most
    /// [`MAX_BISECT`] patterns), else the last pattern of the aspect with
    /// the most patterns. Bounded: a failing build costs up to the limits,
    /// so this never runs more than `MAX_ALONE` small builds and
    /// `log2(MAX_BISECT)` large ones.
    fn package_culprits(&self, pkgs: &Uses, hirs: &[regex_syntax::hir::Hir]) -> Vec<usize> {
        let fails = |hs: &[regex_syntax::hir::Hir]| package::build(hs, self.limits).is_err();
        let alone: Vec<usize> = pkgs
            .keys()
            .enumerate()
            .filter(|(_, p)| p.trim_end_matches("/...").contains("..."))
            .take(MAX_ALONE)
            .map(|(i, _)| i)
            .filter(|&i| fails(&hirs[i..=i]))
            .collect();
        if !alone.is_empty() {
            return alone;
        }
        if hirs.len() > MAX_BISECT {
            let mut per_aspect: BTreeMap<usize, usize> = BTreeMap::new();
            for users in pkgs.values() {
                for &a in users {
                    *per_aspect.entry(a).or_default() += 1;
                }
            }
            let Some((&worst, _)) = per_aspect.iter().max_by_key(|(a, n)| (**n, Reverse(**a)))
            else {
                return Vec::new();
            };
            let last = pkgs.values().rposition(|users| users.contains(&worst));
            return last.into_iter().collect();
        }
        let (mut lo, mut hi) = (1, hirs.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if fails(&hirs[..mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        vec![lo.saturating_sub(1)]
    }
}

/// Package patterns tried alone when the package DFA is too big.
const MAX_ALONE: usize = 64;
/// Most package patterns bisected to find the one that overflows.
const MAX_BISECT: usize = 1024;

/// File each pattern that needs verifying under its least shared cover.
fn assign_factors(codes: &mut [SigCode]) {
    let mut popularity: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for c in codes.iter() {
        let lits: BTreeSet<&Vec<u8>> = c.covers.iter().flatten().chain(&c.factors).collect();
        for lit in lits {
            *popularity.entry(lit.clone()).or_default() += 1;
        }
    }
    for c in codes.iter_mut().filter(|c| !c.exact) {
        c.factors = choose(&c.covers, |lit| popularity.get(lit).copied().unwrap_or(0)).to_vec();
    }
}

/// The prefilter's tables: distinct factors (sorted; id = index), the
/// patterns filed under each, and the patterns without any.
struct Prefilter {
    factors: Vec<Vec<u8>>,
    rows: Vec<Vec<u32>>,
    residual: Vec<u32>,
}

impl Prefilter {
    fn new(codes: &[SigCode]) -> Self {
        let mut by_factor: BTreeMap<&[u8], Vec<u32>> = BTreeMap::new();
        let mut residual = Vec::new();
        for (id, c) in codes.iter().enumerate() {
            if !c.exact && c.factors.is_empty() {
                residual.push(id as u32);
            }
            for f in &c.factors {
                by_factor.entry(f.as_slice()).or_default().push(id as u32);
            }
        }
        Prefilter {
            factors: by_factor.keys().map(|f| f.to_vec()).collect(),
            rows: by_factor.into_values().collect(),
            residual,
        }
    }
}

/// Everything that goes into the artifact.
struct Parts<'p> {
    aspects: &'p [CheckedAspect],
    sigs: &'p Uses,
    pkgs: &'p Uses,
    calls: &'p Uses,
    codes: &'p [SigCode],
    prefilter: &'p Prefilter,
    prefilter_dfa: &'p dense::DFA<Vec<u32>>,
    package_dfa: &'p dense::DFA<Vec<u32>>,
    programs: &'p [program::Program],
    records: &'p [Vec<u8>],
}

impl Parts<'_> {
    /// The artifact (see [`format`]). Offsets are computed in `usize` and
    /// stored as `u32`; `Writer::finish` refuses artifacts over 4 GiB, which
    /// bounds them all.
    fn write(&self, fingerprint: &super::Fingerprint) -> Result<Vec<u8>, &'static str> {
        let mut w = Writer::new();
        w.section(Section::Version, crate::VERSION.as_bytes());
        let counts = [
            self.aspects.len(),
            self.sigs.len(),
            self.prefilter.factors.len(),
            self.pkgs.len(),
            self.calls.len(),
        ];
        w.section(Section::Counts, &format::words(counts.map(|c| c as u32)));
        w.section(Section::Prefilter, &dfa_bytes(self.prefilter_dfa));
        w.section(Section::Packages, &dfa_bytes(self.package_dfa));

        let mut index = Vec::with_capacity(self.codes.len() * format::VERIFIER_WORDS);
        let mut blobs = Vec::new();
        for c in self.codes {
            format::pad(&mut blobs);
            let v = c.verifier.as_deref().unwrap_or_default();
            let flags = if c.exact { VERIFIER_EXACT } else { 0 };
            index.extend([blobs.len() as u32, v.len() as u32, flags]);
            blobs.extend_from_slice(v);
        }
        w.section(Section::VerifierIndex, &format::words(index));
        w.section(Section::Verifiers, &blobs);
        w.section(Section::FactorSigs, &format::csr(&self.prefilter.rows));
        w.section(
            Section::Residual,
            &format::words(self.prefilter.residual.iter().copied()),
        );

        let rows = |uses: &Uses| -> Vec<Vec<u32>> {
            uses.values()
                .map(|u| u.iter().map(|&a| a as u32).collect())
                .collect()
        };
        w.section(Section::SigAspects, &format::csr(&rows(self.sigs)));
        let mut offsets = vec![0u32];
        let mut names = Vec::new();
        for name in self.calls.keys() {
            names.extend_from_slice(name.as_bytes());
            offsets.push(names.len() as u32);
        }
        let mut call_names = format::words(offsets);
        call_names.extend_from_slice(&names);
        w.section(Section::CallNames, &call_names);
        w.section(Section::CallAspects, &format::csr(&rows(self.calls)));

        // Aspect ids in application order: by `order`, then declaration.
        let mut by_rank: Vec<usize> = (0..self.aspects.len()).collect();
        by_rank.sort_by_key(|&i| (self.aspects[i].order, i));
        let mut rank = vec![0u32; self.aspects.len()];
        for (r, &i) in by_rank.iter().enumerate() {
            rank[i] = r as u32;
        }
        let mut table = Vec::with_capacity(self.aspects.len() * format::ASPECT_WORDS);
        let mut words = Vec::new();
        let mut rec_off = 0usize;
        for (i, (a, p)) in self.aspects.iter().zip(self.programs).enumerate() {
            let kind = match a.kind {
                JoinKind::Execution => 0,
                JoinKind::Call => 1,
                JoinKind::Ref => 2,
            };
            let flags = u32::from(p.has_sig) | (u32::from(p.has_call) << 1);
            let rec_len = self.records[i].len();
            table.extend([
                kind,
                rank[i],
                words.len() as u32,
                p.words.len() as u32,
                p.max_stack,
                rec_off as u32,
                rec_len as u32,
                flags,
            ]);
            words.extend_from_slice(&p.words);
            rec_off += rec_len;
        }
        w.section(Section::Aspects, &format::words(table));
        w.section(Section::Programs, &format::words(words));
        w.section(Section::Records, &self.records.concat());
        w.finish(fingerprint.as_bytes())
    }
}
