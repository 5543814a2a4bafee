//! The compile stage's error types.
//!
//! [`CompileError`] is a problem in the user's aspects that only shows when
//! their patterns are compiled (a regex the byte-mode DFA refuses, a pattern
//! whose automaton is too big). It names the aspect by index; `check` turns
//! it into a [`Diagnostic`] with the span of that aspect's pointcut through
//! [`CompileError::to_diagnostic`]. [`LoadError`] is a rule-set artifact that
//! cannot be used (truncated, corrupt, from another goaop version): callers
//! recompile instead.

use crate::diag::{Diagnostic, Span, codes};

/// What kind of compile problem a [`CompileError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompileErrorKind {
    /// The pattern is not a regular expression at all.
    Syntax,
    /// A valid regex using a feature the byte-mode DFA does not support
    /// (Unicode classes, look-around, Unicode word boundaries).
    Unsupported,
    /// The automaton for the pattern exceeds the configured size limit.
    TooBig,
}

impl CompileErrorKind {
    /// The stable diagnostic code for this kind (see [`codes`]).
    pub fn code(self) -> &'static str {
        match self {
            CompileErrorKind::Syntax => codes::BAD_REGEX,
            CompileErrorKind::Unsupported => codes::UNSUPPORTED_REGEX,
            CompileErrorKind::TooBig => codes::DFA_TOO_BIG,
        }
    }
}

/// A pattern of aspect number `aspect` (its index in the slice given to the
/// builder) that cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("aspect #{aspect}: {message} (pattern `{pattern}`)")]
pub struct CompileError {
    /// Index of the aspect in the input slice.
    pub aspect: usize,
    /// The offending pattern as written (a `target` regex, a package pattern).
    pub pattern: String,
    pub kind: CompileErrorKind,
    /// What is wrong, one line.
    pub message: String,
    /// How to fix it, one line.
    pub help: String,
}

impl CompileError {
    /// The stable diagnostic code (`E03xx`, or `E0203` for a regex syntax error).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The diagnostic for this error, pointing at `span` (the aspect's
    /// pointcut, which only `check` knows).
    pub fn to_diagnostic(&self, span: Span) -> Diagnostic {
        Diagnostic::error(self.code(), self.message.clone(), span, "in this pattern")
            .with_note(format!("pattern: `{}`", self.pattern))
            .with_help(self.help.clone())
    }
}

/// Why a serialised rule set cannot be used. Never a user mistake: the
/// caller should rebuild the rule set from the aspect files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("not a goaop rule set (bad magic bytes)")]
    BadMagic,
    #[error("rule set format version {found}, this goaop reads version {expected}")]
    FormatVersion { found: u32, expected: u32 },
    #[error("rule set written by goaop {found}, this is goaop {expected}")]
    GoaopVersion { found: String, expected: String },
    #[error("rule set written on a machine of the other endianness")]
    Endianness,
    #[error("rule set bytes are not 8-byte aligned in memory (load them through AlignedBytes)")]
    Misaligned,
    #[error("rule set is truncated or corrupt: {0}")]
    Corrupt(String),
    #[error("aspect index {index} out of range (the rule set has {len} aspects)")]
    NoSuchAspect { index: usize, len: usize },
    #[error("the package scope was computed by another rule set")]
    ForeignScope,
    #[error("rule set fingerprint does not match its contents")]
    FingerprintMismatch,
}

impl LoadError {
    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        LoadError::Corrupt(what.into())
    }
}
