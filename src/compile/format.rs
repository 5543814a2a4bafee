//! The rule-set artifact's byte layout: header, section table, sections.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "GOAOPRS\0"
//!      8     4  format version (u32 LE)
//!     12     4  0x01020304 in native byte order (the DFAs are native-endian)
//!     16    32  fingerprint (blake3, see `fingerprint.rs`)
//!     48     8  total length in bytes (u64 LE)
//!     56     4  number of sections (u32 LE)
//!     60     4  reserved, zero
//!     64  8×N   section table: (offset u32 LE, length u32 LE) per section
//! ```
//!
//! Sections follow in [`Section`] order, each starting at an offset that is
//! a multiple of 8 from the start of the buffer, so a buffer that starts
//! 8-aligned (see [`AlignedBytes`](super::AlignedBytes)) hands each DFA
//! 4-aligned bytes. Apart from the DFAs (regex-automata's own format) all
//! integers are little-endian `u32`s, read without any alignment need.
//! What each section holds is documented on [`Section`].

use super::error::LoadError;

pub(crate) const MAGIC: [u8; 8] = *b"GOAOPRS\0";
/// 2: join kind `2` (ref aspects), `Pointcut::Ref` targets share the call
/// table, and aspect records carry `set_fields`.
/// 3: aspect records carry `around` advice.
/// 4: templates carry `is_call`.
/// 5: aspect records carry `tests`.
/// 6: templates carry `Segment::Embedded` (a placeholder inside a literal or
/// comment, with that context).
/// 7: templates carry their hoistable literals and `{{.Body}}`'s results.
/// 8: templates carry `Segment::Verbatim`, the place of every segment and
/// the aspect-file column of every line (exact `//line` positions), and
/// whether `{{.Body}}` is nested in a block.
/// 9: templates carry whether the statements around a `{{.Body}}` outside
/// literals end in a terminating statement.
pub(crate) const FORMAT_VERSION: u32 = 9;
pub(crate) const ENDIAN_CHECK: u32 = 0x0102_0304;
pub(crate) const HEADER_LEN: usize = 64;
pub(crate) const ALIGN: usize = 8;

/// The sections, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// goaop's version string (UTF-8).
    Version,
    /// Counts: aspects, signature patterns, factors, package patterns, call targets.
    Counts,
    /// The prefilter DFA over factor literals.
    Prefilter,
    /// The package-pattern DFA.
    Packages,
    /// Per signature pattern: (offset into `Verifiers`, length, flags).
    VerifierIndex,
    /// The verifier DFAs, each 8-aligned.
    Verifiers,
    /// CSR: factor id → signature pattern ids.
    FactorSigs,
    /// Signature pattern ids with no factor (always verified).
    Residual,
    /// CSR: signature pattern id → aspect ids.
    SigAspects,
    /// Call targets, sorted: offsets (n+1) then the concatenated bytes.
    CallNames,
    /// CSR: call target id → aspect ids.
    CallAspects,
    /// Per aspect: `ASPECT_WORDS` u32s (see `AspectEntry`).
    Aspects,
    /// Pointcut programs (u32 words).
    Programs,
    /// Each aspect's postcard encoding, concatenated in declaration order.
    Records,
}

pub(crate) const SECTIONS: usize = 14;
pub(crate) const COUNTS: usize = 5;
pub(crate) const VERIFIER_WORDS: usize = 3;
/// Flag in a verifier index entry: the pattern is its literals (no DFA).
pub(crate) const VERIFIER_EXACT: u32 = 1;
pub(crate) const ASPECT_WORDS: usize = 8;

/// Builds an artifact section by section.
pub(crate) struct Writer {
    buf: Vec<u8>,
    table: Vec<(u32, u32)>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Writer {
            buf: vec![0; HEADER_LEN + 8 * SECTIONS],
            table: Vec::with_capacity(SECTIONS),
        }
    }

    /// Append the next section (sections must come in [`Section`] order).
    pub(crate) fn section(&mut self, id: Section, bytes: &[u8]) {
        debug_assert_eq!(id as usize, self.table.len());
        pad(&mut self.buf);
        self.table.push((self.buf.len() as u32, bytes.len() as u32));
        self.buf.extend_from_slice(bytes);
    }

    /// Write the header and return the artifact.
    pub(crate) fn finish(mut self, fingerprint: &[u8; 32]) -> Result<Vec<u8>, &'static str> {
        if self.buf.len() > u32::MAX as usize {
            return Err("rule set larger than 4 GiB");
        }
        let total = self.buf.len() as u64;
        let h = &mut self.buf;
        h[0..8].copy_from_slice(&MAGIC);
        h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        h[12..16].copy_from_slice(&ENDIAN_CHECK.to_ne_bytes());
        h[16..48].copy_from_slice(fingerprint);
        h[48..56].copy_from_slice(&total.to_le_bytes());
        h[56..60].copy_from_slice(&(SECTIONS as u32).to_le_bytes());
        for (i, (off, len)) in self.table.iter().enumerate() {
            let at = HEADER_LEN + 8 * i;
            h[at..at + 4].copy_from_slice(&off.to_le_bytes());
            h[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        }
        Ok(self.buf)
    }
}

/// Pad `buf` with zeros to a multiple of [`ALIGN`].
pub(crate) fn pad(buf: &mut Vec<u8>) {
    buf.resize(buf.len().next_multiple_of(ALIGN), 0);
}

/// Little-endian u32s from a list.
pub(crate) fn words(xs: impl IntoIterator<Item = u32>) -> Vec<u8> {
    xs.into_iter().flat_map(u32::to_le_bytes).collect()
}

/// A compressed sparse row table: `rows[i]` are the ids of row `i`.
pub(crate) fn csr(rows: &[Vec<u32>]) -> Vec<u8> {
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    let mut n = 0u32;
    offsets.push(0);
    for r in rows {
        n += r.len() as u32;
        offsets.push(n);
    }
    words(offsets.into_iter().chain(rows.iter().flatten().copied()))
}

/// A validated view of an artifact's header and section table.
pub(crate) struct Layout<'a> {
    pub fingerprint: [u8; 32],
    sections: [&'a [u8]; SECTIONS],
}

impl<'a> Layout<'a> {
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, LoadError> {
        let header = bytes.get(..HEADER_LEN).ok_or(LoadError::BadMagic)?;
        if header[0..8] != MAGIC {
            return Err(LoadError::BadMagic);
        }
        let version = le32(&header[8..12]);
        if version != FORMAT_VERSION {
            return Err(LoadError::FormatVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if u32::from_ne_bytes(arr4(&header[12..16])) != ENDIAN_CHECK {
            return Err(LoadError::Endianness);
        }
        if !(bytes.as_ptr() as usize).is_multiple_of(ALIGN) {
            return Err(LoadError::Misaligned);
        }
        let mut fingerprint = [0; 32];
        fingerprint.copy_from_slice(&header[16..48]);
        let mut total = [0; 8];
        total.copy_from_slice(&header[48..56]);
        if u64::from_le_bytes(total) != bytes.len() as u64 {
            return Err(LoadError::corrupt(format!(
                "length {} recorded, {} present",
                u64::from_le_bytes(total),
                bytes.len()
            )));
        }
        if le32(&header[56..60]) as usize != SECTIONS {
            return Err(LoadError::corrupt("wrong number of sections"));
        }
        let table = bytes
            .get(HEADER_LEN..HEADER_LEN + 8 * SECTIONS)
            .ok_or_else(|| LoadError::corrupt("section table truncated"))?;
        let mut sections: [&[u8]; SECTIONS] = [&[]; SECTIONS];
        let mut end = HEADER_LEN + 8 * SECTIONS;
        for (i, s) in sections.iter_mut().enumerate() {
            let off = le32(&table[8 * i..]) as usize;
            let len = le32(&table[8 * i + 4..]) as usize;
            if !off.is_multiple_of(ALIGN) || off < end {
                return Err(LoadError::corrupt(format!("section {i} misplaced")));
            }
            end = off
                .checked_add(len)
                .filter(|&e| e <= bytes.len())
                .ok_or_else(|| LoadError::corrupt(format!("section {i} out of bounds")))?;
            *s = &bytes[off..end];
        }
        Ok(Layout {
            fingerprint,
            sections,
        })
    }

    pub(crate) fn get(&self, s: Section) -> &'a [u8] {
        self.sections[s as usize]
    }
}

fn arr4(b: &[u8]) -> [u8; 4] {
    let mut a = [0; 4];
    a.copy_from_slice(&b[..4]);
    a
}

/// The little-endian u32 at the start of `b` (which must hold 4 bytes).
pub(crate) fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(arr4(b))
}

/// A bounds-checked view of little-endian u32s.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Words<'a>(&'a [u8]);

impl<'a> Words<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &str) -> Result<Self, LoadError> {
        if !bytes.len().is_multiple_of(4) {
            return Err(LoadError::corrupt(format!(
                "{what}: length not a multiple of 4"
            )));
        }
        Ok(Words(bytes))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// Word `i`, or 0 past the end (never happens after validation).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        match self.0.get(4 * i..4 * i + 4) {
            Some(b) => le32(b),
            None => 0,
        }
    }

    pub(crate) fn range(&self, lo: usize, hi: usize) -> impl Iterator<Item = u32> + 'a {
        let me = *self;
        (lo..hi).map(move |i| me.get(i))
    }

    /// Split off the first `n` words.
    pub(crate) fn split(&self, n: usize, what: &str) -> Result<(Words<'a>, Words<'a>), LoadError> {
        if n > self.len() {
            return Err(LoadError::corrupt(format!("{what}: truncated")));
        }
        let (a, b) = self.0.split_at(4 * n);
        Ok((Words(a), Words(b)))
    }
}

/// A validated compressed sparse row table.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Csr<'a> {
    offsets: Words<'a>,
    ids: Words<'a>,
}

impl<'a> Csr<'a> {
    /// `rows` rows whose ids are all below `bound`.
    pub(crate) fn parse(
        bytes: &'a [u8],
        rows: usize,
        bound: u32,
        what: &str,
    ) -> Result<Self, LoadError> {
        let all = Words::new(bytes, what)?;
        let (offsets, ids) = all.split(rows + 1, what)?;
        let mut prev = 0;
        for i in 0..=rows {
            let o = offsets.get(i);
            if o < prev || (i == 0 && o != 0) {
                return Err(LoadError::corrupt(format!(
                    "{what}: offsets not increasing"
                )));
            }
            prev = o;
        }
        if prev as usize != ids.len() {
            return Err(LoadError::corrupt(format!("{what}: wrong number of ids")));
        }
        if (0..ids.len()).any(|i| ids.get(i) >= bound) {
            return Err(LoadError::corrupt(format!("{what}: id out of range")));
        }
        Ok(Csr { offsets, ids })
    }

    pub(crate) fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> impl Iterator<Item = u32> + 'a {
        let (lo, hi) = (
            self.offsets.get(i) as usize,
            self.offsets.get(i + 1) as usize,
        );
        self.ids.range(lo, hi.max(lo))
    }
}
