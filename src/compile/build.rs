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
            Pointcut::Call(s) => calls.entry(s.clone()).or_default().insert(aspect),
            Pointcut::MainModule => true,
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
        let mut errors = Vec::new();
        for uses in [&sigs, &pkgs, &calls] {
            if uses.len() > MAX_OPERAND as usize {
                let p = Problem {
                    kind: CompileErrorKind::TooBig,
                    message: "too many distinct patterns in one rule set".into(),
                    help: "use fewer distinct patterns".into(),
                };
                if let Some((pattern, users)) = uses.iter().next_back() {
                    errors.extend(errors_for(users, pattern, &p));
                }
                return Err(errors);
            }
        }

        // Signature patterns.
        let mut codes = Vec::with_capacity(sigs.len());
        for (pattern, users) in &sigs {
            let code = sig::parse(pattern).and_then(|hir| match factors(&hir) {
                Factors::Exact(f) => Ok(SigCode {
                    factors: f,
                    covers: Vec::new(),
                    exact: true,
                    verifier: None,
                }),
                other => {
                    let dfa = sig::verifier(&hir, self.limits)?;
                    let covers = match other {
                        Factors::Covers(c) => c,
                        _ => Vec::new(),
                    };
                    Ok(SigCode {
                        factors: Vec::new(),
                        covers,
                        exact: false,
                        verifier: Some(dfa.to_bytes_native_endian()),
                    })
                }
            });
            match code {
                Ok(c) => codes.push(c),
                Err(p) => errors.extend(errors_for(users, pattern, &p)),
            }
        }

        // Package patterns.
        let hirs: Vec<_> = pkgs.keys().map(|p| package::pattern_hir(p)).collect();
        let package_dfa = match package::build(&hirs, self.limits) {
            Ok(dfa) => Some(dfa),
            Err(p) => {
                let keys: Vec<(&String, &BTreeSet<usize>)> = pkgs.iter().collect();
                for i in self.package_culprits(&hirs) {
                    errors.extend(errors_for(keys[i].1, keys[i].0, &p));
                }
                None
            }
        };
        if !errors.is_empty() {
            errors.sort_by(|a, b| (a.aspect, &a.pattern).cmp(&(b.aspect, &b.pattern)));
            return Err(errors);
        }

        // File each pattern under its least shared cover.
        let mut popularity: BTreeMap<&[u8], usize> = BTreeMap::new();
        for c in &codes {
            let lits: BTreeSet<&[u8]> = c.covers.iter().flatten().map(Vec::as_slice).collect();
            for lit in lits {
                *popularity.entry(lit).or_default() += 1;
            }
        }
        let chosen: Vec<Vec<Vec<u8>>> = codes
            .iter()
            .map(|c| choose(&c.covers, |lit| popularity.get(lit).copied().unwrap_or(0)).to_vec())
            .collect();
        for (c, f) in codes.iter_mut().zip(chosen) {
            if !c.exact {
                c.factors = f;
            }
        }

        // Prefilter over the distinct factors.
        let mut factor_sigs: BTreeMap<&[u8], Vec<u32>> = BTreeMap::new();
        let mut residual = Vec::new();
        for (id, c) in codes.iter().enumerate() {
            if !c.exact && c.factors.is_empty() {
                residual.push(id as u32);
            }
            for f in &c.factors {
                factor_sigs.entry(f.as_slice()).or_default().push(id as u32);
            }
        }
        let factor_list: Vec<Vec<u8>> = factor_sigs.keys().map(|f| f.to_vec()).collect();
        let prefilter = sig::prefilter(&factor_list, self.limits).map_err(|p| {
            // Blame the pattern contributing the most literal bytes.
            let worst = codes
                .iter()
                .enumerate()
                .max_by_key(|(_, c)| c.factors.iter().map(Vec::len).sum::<usize>())
                .map_or(0, |(i, _)| i);
            match sigs.iter().nth(worst) {
                Some((pattern, users)) => errors_for(users, pattern, &p).collect(),
                None => Vec::new(),
            }
        })?;

        // Pointcut programs.
        let mut ids = Ids {
            sig: index(&sigs),
            pkg: index(&pkgs),
            call: index(&calls),
        };
        let programs: Vec<program::Program> = aspects
            .iter()
            .map(|a| program::compile(&a.pointcut, &mut ids))
            .collect();

        // Aspect ids in application order: by `order`, then declaration.
        let mut by_rank: Vec<usize> = (0..aspects.len()).collect();
        by_rank.sort_by_key(|&i| (aspects[i].order, i));
        let mut rank = vec![0u32; aspects.len()];
        for (r, &i) in by_rank.iter().enumerate() {
            rank[i] = r as u32;
        }

        // Records and fingerprint.
        let records: Vec<Vec<u8>> = aspects.iter().map(encode).collect();
        let mut framed = Framed::rule_set(aspects.len());
        records.iter().for_each(|r| framed.field(r));
        let fingerprint = framed.finish();

        // Write.
        let mut w = Writer::new();
        w.section(Section::Version, crate::VERSION.as_bytes());
        let counts = [
            aspects.len(),
            sigs.len(),
            factor_list.len(),
            pkgs.len(),
            calls.len(),
        ];
        w.section(Section::Counts, &format::words(counts.map(|c| c as u32)));
        w.section(Section::Prefilter, &dfa_bytes(&prefilter));
        let package_dfa = package_dfa.map(|d| dfa_bytes(&d)).unwrap_or_default();
        w.section(Section::Packages, &package_dfa);
        let mut index = Vec::with_capacity(codes.len() * 3);
        let mut blobs = Vec::new();
        for c in &codes {
            format::pad(&mut blobs);
            let v = c.verifier.as_deref().unwrap_or_default();
            index.extend([
                blobs.len() as u32,
                v.len() as u32,
                if c.exact { VERIFIER_EXACT } else { 0 },
            ]);
            blobs.extend_from_slice(v);
        }
        w.section(Section::VerifierIndex, &format::words(index));
        w.section(Section::Verifiers, &blobs);
        let rows: Vec<Vec<u32>> = factor_sigs.into_values().collect();
        w.section(Section::FactorSigs, &format::csr(&rows));
        w.section(Section::Residual, &format::words(residual));
        let rows = |uses: &Uses| -> Vec<Vec<u32>> {
            uses.values()
                .map(|u| u.iter().map(|&a| a as u32).collect())
                .collect()
        };
        w.section(Section::SigAspects, &format::csr(&rows(&sigs)));
        let mut offsets = vec![0u32];
        let mut names = Vec::new();
        for name in calls.keys() {
            names.extend_from_slice(name.as_bytes());
            offsets.push(names.len() as u32);
        }
        let mut call_names = format::words(offsets);
        call_names.extend_from_slice(&names);
        w.section(Section::CallNames, &call_names);
        w.section(Section::CallAspects, &format::csr(&rows(&calls)));
        let mut table = Vec::with_capacity(aspects.len() * format::ASPECT_WORDS);
        let mut words = Vec::new();
        let mut rec_off = 0u32;
        for (i, (a, p)) in aspects.iter().zip(&programs).enumerate() {
            let kind = match a.kind {
                JoinKind::Execution => 0,
                JoinKind::Call => 1,
            };
            let flags = u32::from(p.has_sig) | (u32::from(p.has_call) << 1);
            let rec_len = records[i].len() as u32;
            table.extend([
                kind,
                rank[i],
                words.len() as u32,
                p.words.len() as u32,
                p.max_stack,
                rec_off,
                rec_len,
                flags,
            ]);
            words.extend_from_slice(&p.words);
            rec_off += rec_len;
        }
        w.section(Section::Aspects, &format::words(table));
        w.section(Section::Programs, &format::words(words));
        w.section(Section::Records, &records.concat());
        let bytes = w.finish(fingerprint.as_bytes()).map_err(|msg| {
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

    /// Which package patterns make the package DFA too big: those too big
    /// alone, else the one whose addition to the patterns before it first
    /// overflows (found by bisection).
    fn package_culprits(&self, hirs: &[regex_syntax::hir::Hir]) -> Vec<usize> {
        let fails = |hs: &[regex_syntax::hir::Hir]| package::build(hs, self.limits).is_err();
        let alone: Vec<usize> = (0..hirs.len()).filter(|&i| fails(&hirs[i..=i])).collect();
        if !alone.is_empty() {
            return alone;
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
