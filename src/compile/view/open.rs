//! Opening a rule-set artifact: [`RuleSetRef::from_bytes`] validates the
//! header, every table and every pointcut program before anything is
//! matched, and [`RuleSetRef::verify`] checks what opening leaves for later
//! (the DFAs, the records, the fingerprint). Kept apart from matching: this
//! is the code that must reject every corrupt or hostile artifact.

use super::*;

impl<'a> RuleSetRef<'a> {
    /// Validate `bytes` (which must start 8-aligned, see
    /// [`AlignedBytes`](crate::compile::AlignedBytes)) and view them. Never panics.
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
}
