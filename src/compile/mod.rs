//! Stage 3 — compile: checked aspects into one immutable, serialisable,
//! fingerprinted [`RuleSet`] (DESIGN §6).
//!
//! ```text
//! RuleSetBuilder::new().build(&aspects) ─► RuleSet ──to_bytes()──► cache file
//!                                            │ view()                 │ AlignedBytes::read_file
//!                                            ▼                        ▼
//!                                        RuleSetRef<'_>  ◄── RuleSetRef::from_bytes (zero-copy)
//!                                            │ packages(pkg, main_module)   once per package
//!                                            ▼
//!                                        PackageScope ── is_empty(): nothing to weave here
//!                                            │ match_function(scope, signature, &mut out)
//!                                            │ match_call(scope, callee, &mut out)
//!                                            │ match_ref(scope, target, &mut out)
//!                                            ▼
//!                                        aspect ids, in application order
//! ```
//!
//! [`PackageFilter::cut`] keeps of an artifact only what that first
//! question needs (does any aspect touch this package?): the toolexec fast
//! path answers it for most compiles without reading the whole rule set.
//!
//! What is compiled:
//! - every distinct `target` regex ([`Pointcut::Sig`](crate::check::Pointcut::Sig)),
//!   matched unanchored against the canonical signature in byte mode. One
//!   prefilter DFA over the patterns' required literals, plus one small
//!   verifier DFA per pattern that is not just a set of literals (see
//!   [`sig`] for why this is not the single multi-pattern DFA first planned);
//! - every package pattern ([`Pointcut::Within`](crate::check::Pointcut::Within))
//!   into one anchored multi-pattern DFA, searched once per package;
//!   `MainModule` is decided then from the main module path the caller gives;
//! - every call target ([`Pointcut::Call`](crate::check::Pointcut::Call)) and
//!   ref target ([`Pointcut::Ref`](crate::check::Pointcut::Ref)) into one
//!   sorted table, looked up by exact callee string; the aspect's join kind
//!   tells a call site from a reference (`match_call` / `match_ref`);
//! - every pointcut into a postfix boolean program over those pattern ids
//!   ([`program`]), evaluated after the automata have run.
//!
//! Aspect ids are indices into the builder's input slice. Matches come back
//! sorted by (`order`, id). [`CompileError`]s name the aspect by that index
//! for `check` to attach a span.
//!
//! The artifact ([`format`]) starts with magic bytes, a format version and
//! the [`Fingerprint`]; goaop's version is checked on load. Aspects are
//! stored as separate postcard records decoded on demand
//! ([`RuleSetRef::aspect`]), so loading does not grow with template sizes.

mod aligned;
mod build;
mod error;
mod factors;
mod filter;
mod fingerprint;
pub(crate) mod format;
mod limits;
mod package;
mod program;
mod sig;
mod view;

pub use aligned::AlignedBytes;
pub use build::RuleSetBuilder;
pub use error::{CompileError, CompileErrorKind, LoadError};
pub use filter::PackageFilter;
pub use fingerprint::{Fingerprint, fingerprint, normalized_fingerprint};
pub use limits::Limits;
pub use view::{PackageScope, RuleSetRef};

use crate::check::CheckedAspect;

/// A compiled rule set: the artifact bytes, in aligned memory. Immutable.
#[derive(Clone, Debug)]
pub struct RuleSet {
    bytes: AlignedBytes,
    fingerprint: Fingerprint,
    len: usize,
}

impl RuleSet {
    /// Compile with the default limits ([`RuleSetBuilder`] to change them).
    pub fn build(aspects: &[CheckedAspect]) -> Result<RuleSet, Vec<CompileError>> {
        RuleSetBuilder::new().build(aspects)
    }

    /// The serialised artifact (write it to the cache file).
    pub fn to_bytes(&self) -> &[u8] {
        self.bytes.as_bytes()
    }

    /// A matching view. It validates the bytes like [`RuleSetRef::from_bytes`]
    /// (cost: a load), so take one view and keep it.
    pub fn view(&self) -> Result<RuleSetRef<'_>, LoadError> {
        RuleSetRef::from_bytes(self.bytes.as_bytes())
    }

    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Number of aspects.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// An owned rule set from artifact bytes (copied into aligned memory and
    /// validated).
    pub fn from_bytes(bytes: &[u8]) -> Result<RuleSet, LoadError> {
        let bytes = AlignedBytes::from_slice(bytes);
        let (fingerprint, len) = {
            let view = RuleSetRef::from_bytes(bytes.as_bytes())?;
            (view.fingerprint(), view.len())
        };
        Ok(RuleSet {
            bytes,
            fingerprint,
            len,
        })
    }
}
