//! goaop: aspect-oriented instrumentation for Go, woven at compile time
//! through `go build -toolexec=goaop`.
//!
//! The pipeline (DESIGN §2), one module per stage, data flowing one way:
//! [`load`] → [`check`] → [`compile`] → [`scan`] → [`weave`] → `toolexec`.
//! [`diag`] is the diagnostic model every stage reports into. [`project`] is
//! the service below every front end ("the aspects of this module", loaded,
//! checked and compiled; it returns data and prints nothing). The front
//! ends over it: [`cli`] (the command implementations), `toolexec` (the
//! `go build -toolexec` backend) and [`lsp`] (the language server); they
//! return an [`outcome::Outcome`] (text and exit code) — only `main.rs`
//! prints or exits.

pub mod buildset;
pub mod bundled;
pub mod check;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod gomod;
pub mod gopath;
pub mod load;
pub mod lsp;
pub mod outcome;
pub mod packs;
pub mod project;
pub mod scan;
pub mod store;
pub mod toolexec;
pub mod weave;

/// goaop's version, part of every rule-set fingerprint.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
