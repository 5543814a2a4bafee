//! A rule set's package filter: the part of a rule set that decides
//! whether any aspect can touch a package at all (the package DFA and the
//! pointcut programs), cut out of the full artifact.
//!
//! Most compiles of a `-toolexec` build are of packages no aspect touches
//! (the standard library, dependencies). Deciding that from the full rule
//! set means reading, hashing and validating all of it (65 KB with the
//! bundled integrations, mostly the signature prefilter and the advice
//! templates) on every such call. The filter is ~2 KB: `toolexec::pin`
//! cuts it once per go command, seals it into the pin with the rule set's
//! fingerprint, and a compile decides from it alone whether to read the
//! rule set.
//!
//! The filter is an artifact of the rule set's own format, opened by the
//! same validation ([`RuleSetRef::from_bytes`]), with the fingerprint of
//! the rule set it was cut from. In it, every signature and callee atom
//! of a program reads as the `as-value` atom: package-level evaluation
//! treats all three as unknown, so [`PackageFilter::touches`] answers
//! exactly what [`RuleSetRef::packages`] answers on the full rule set.
//! The signature tables, call targets and advice are left out, so a filter
//! cannot weave: its signature matching reports a corrupt artifact, and
//! its aspects have no records.

use super::format::{self, ASPECT_WORDS, Layout, Section, Words, Writer};
use super::program;
use super::{AlignedBytes, Fingerprint, LoadError, RuleSetRef};

/// An owned package filter (see the module docs).
pub struct PackageFilter {
    bytes: AlignedBytes,
}

impl PackageFilter {
    /// Cut the filter out of a full rule set's artifact (validated first).
    pub fn cut(rule_set: &[u8]) -> Result<Vec<u8>, LoadError> {
        let view = RuleSetRef::from_bytes(rule_set)?;
        let l = Layout::parse(rule_set)?;
        let counts = Words::new(l.get(Section::Counts), "counts")?;
        let (n_aspects, n_pkgs) = (counts.get(0), counts.get(3));
        let aspects = Words::new(l.get(Section::Aspects), "aspect table")?;
        let programs = Words::new(l.get(Section::Programs), "programs")?;
        let empty_csr = format::csr(&[]);
        let no_calls = format::words([0]);

        let mut w = Writer::new();
        w.section(Section::Version, l.get(Section::Version));
        w.section(
            Section::Counts,
            &format::words([n_aspects, 0, 0, n_pkgs, 0]),
        );
        w.section(Section::Prefilter, &[]);
        w.section(Section::Packages, l.get(Section::Packages));
        w.section(Section::VerifierIndex, &[]);
        w.section(Section::Verifiers, &[]);
        w.section(Section::FactorSigs, &empty_csr);
        w.section(Section::Residual, &[]);
        w.section(Section::SigAspects, &empty_csr);
        w.section(Section::CallNames, &no_calls);
        w.section(Section::CallAspects, &empty_csr);
        // Each aspect keeps its kind, rank, program and stack; it loses its
        // record and the flags that steer signature matching.
        let entries = (0..aspects.len()).map(|i| match i % ASPECT_WORDS {
            // Words 5..=7: the record's offset and length, the flags.
            5..=7 => 0,
            _ => aspects.get(i),
        });
        w.section(Section::Aspects, &format::words(entries));
        let words = (0..programs.len()).map(|i| program::package_level(programs.get(i)));
        w.section(Section::Programs, &format::words(words));
        w.section(Section::Records, &[]);
        let filter = w
            .finish(view.fingerprint().as_bytes())
            .map_err(LoadError::corrupt)?;
        // What was cut must open like any artifact.
        Self::from_bytes(&filter).view()?;
        Ok(filter)
    }

    /// A filter from the bytes [`Self::cut`] made, copied into aligned
    /// memory; validated when used (a process asks it once).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        PackageFilter {
            bytes: AlignedBytes::from_slice(bytes),
        }
    }

    /// The fingerprint of the rule set it was cut from.
    pub fn fingerprint(&self) -> Result<Fingerprint, LoadError> {
        Ok(self.view()?.fingerprint())
    }

    /// Whether some aspect of the rule set `rule_set` can apply in package
    /// `pkg`: `!packages(pkg, main_module).is_empty()` on that rule set.
    /// Refused if the filter was cut from another rule set.
    pub fn touches(
        &self,
        rule_set: &Fingerprint,
        pkg: &str,
        main_module: Option<&str>,
    ) -> Result<bool, LoadError> {
        let view = self.view()?;
        if view.fingerprint() != *rule_set {
            return Err(LoadError::FingerprintMismatch);
        }
        Ok(!view.packages(pkg, main_module)?.is_empty())
    }

    fn view(&self) -> Result<RuleSetRef<'_>, LoadError> {
        RuleSetRef::from_bytes(self.bytes.as_bytes())
    }
}
