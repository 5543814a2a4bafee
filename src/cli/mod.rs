//! Command implementations. Each takes its arguments as data and returns an
//! [`Outcome`] (what to print, and the exit code); only `main.rs` prints or
//! exits, so every command is testable in-process.

pub mod check;

pub use crate::outcome::{Format, Outcome};

pub mod diff;
pub mod explain;
pub mod gocmd;
pub mod golden;
pub mod init;
pub mod plan;
pub mod rules;
pub mod schema;
pub mod woven;
