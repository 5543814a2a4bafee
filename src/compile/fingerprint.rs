//! Rule-set fingerprints: a framed blake3 hash of the aspects.
//!
//! The hash is framed so that no two different inputs hash the same bytes:
//! a domain-separation context (blake3's `derive_key` mode), the artifact
//! format version, goaop's version, the number of aspects and then each
//! aspect's postcard encoding, every field length-prefixed. The model uses
//! `Vec`s and `BTreeMap`s only, so the encoding (and the fingerprint) is the
//! same on every run and machine.

use crate::check::{Advice, CheckedAspect, Origin, Template};
use std::fmt;

/// A 32-byte blake3 digest; displayed as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits (what cache file names and `-V=full` use).
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The fingerprint [`Self::to_hex`] wrote.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let mut out = [0; 32];
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        for (o, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
            *o = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(Fingerprint(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

const RULE_SET_CONTEXT: &str = "goaop 2025 rule set fingerprint v1";
const NORMALIZED_CONTEXT: &str = "goaop 2025 normalized aspects fingerprint v1";

/// A hasher that length-prefixes every field.
pub(crate) struct Framed(blake3::Hasher);

impl Framed {
    fn new(context: &str, format_version: u32, n: usize) -> Self {
        let mut f = Framed(blake3::Hasher::new_derive_key(context));
        f.field(&format_version.to_le_bytes());
        f.field(crate::VERSION.as_bytes());
        f.field(&(n as u64).to_le_bytes());
        f
    }

    pub(crate) fn rule_set(n: usize) -> Self {
        Self::new(RULE_SET_CONTEXT, super::format::FORMAT_VERSION, n)
    }

    pub(crate) fn field(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub(crate) fn finish(&self) -> Fingerprint {
        Fingerprint(*self.0.finalize().as_bytes())
    }
}

/// The postcard encoding of one aspect (what the artifact stores and the
/// fingerprint hashes).
pub(crate) fn encode(aspect: &CheckedAspect) -> Vec<u8> {
    // Serialising plain data into a Vec cannot fail.
    postcard::to_allocvec(aspect).unwrap_or_default()
}

/// The fingerprint of a rule set built from `aspects` (in this order).
pub fn fingerprint(aspects: &[CheckedAspect]) -> Fingerprint {
    let mut h = Framed::rule_set(aspects.len());
    for a in aspects {
        h.field(&encode(a));
    }
    h.finish()
}

/// Like [`fingerprint`], but blind to every [`Origin`] (file and line of the
/// aspect and of its templates) and to the columns of template lines: the YAML and the DSL spelling of the same
/// aspects get the same value, while any change of content changes it.
pub fn normalized_fingerprint(aspects: &[CheckedAspect]) -> Fingerprint {
    let mut h = Framed::new(
        NORMALIZED_CONTEXT,
        super::format::FORMAT_VERSION,
        aspects.len(),
    );
    for a in aspects {
        h.field(&encode(&without_origins(a)));
    }
    h.finish()
}

fn without_origins(a: &CheckedAspect) -> CheckedAspect {
    let mut a = a.clone();
    a.origin = Origin::default();
    let Advice {
        before,
        after,
        around,
        replace,
        wrap,
        append_args,
        set_fields,
    } = &mut a.advice;
    // Columns follow the indentation of the file, like lines.
    let clear = |t: &mut Template| {
        t.origin = Origin::default();
        t.columns.iter_mut().for_each(|c| *c = 1);
        t.lines.clear();
    };
    for t in [before, after, around, replace, wrap].into_iter().flatten() {
        clear(t);
    }
    append_args.iter_mut().for_each(clear);
    set_fields.iter_mut().for_each(|s| clear(&mut s.template));
    a
}
