//! Command implementations. Each takes its arguments as data and returns an
//! [`Outcome`] (what to print, and the exit code); only `main.rs` prints or
//! exits, so every command is testable in-process.

pub mod check;

/// What a command wants printed, and its exit code.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Outcome {
    /// A usage error: exit code 2 with a message.
    pub fn usage(message: impl Into<String>) -> Self {
        Outcome {
            stderr: format!("error: {}\n", message.into()),
            code: 2,
            ..Default::default()
        }
    }
}

/// Output format for machine consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}
pub mod diff;
pub mod explain;
pub mod gocmd;
pub mod init;
pub mod plan;
pub mod rules;
pub mod schema;
pub mod woven;
