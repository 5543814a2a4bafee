//! What a front end wants printed, and its exit code: the [`Outcome`] the
//! CLI commands and the toolexec backend return to `main.rs` (the only
//! place that prints or exits), and the rendering of a check run into one.
//! The project layer below ([`crate::project`]) returns data; this is where
//! the front ends turn it into text.

use crate::diag::render;
use crate::project::{BuildError, Loaded};

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

    /// Why there is no rule set, as `goaop check` reports it (no aspect
    /// files: a usage error; aspect errors: the rendered diagnostics).
    pub fn from_build_error(e: BuildError, color: bool) -> Self {
        match e {
            BuildError::NoFiles(message) => Outcome::usage(message),
            BuildError::Aspects(loaded) => report(&loaded, Format::Human, color),
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

/// Render a check run: diagnostics, then a summary line.
pub fn report(loaded: &Loaded, format: Format, color: bool) -> Outcome {
    let diags = loaded.diagnostics();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let code = i32::from(errors > 0);
    match format {
        Format::Json => Outcome {
            stdout: render::json(&loaded.sources, diags),
            stderr: String::new(),
            code,
        },
        Format::Human => {
            let n = loaded.checked.aspects.len();
            let summary = if errors > 0 {
                format!(
                    "error: aspects have {errors} error(s) and {warnings} warning(s); nothing was compiled\n"
                )
            } else {
                format!(
                    "ok: {n} aspect{} checked, {warnings} warning(s)\n",
                    if n == 1 { "" } else { "s" }
                )
            };
            Outcome {
                stdout: String::new(),
                stderr: format!("{}{summary}", render::human(&loaded.sources, diags, color)),
                code,
            }
        }
    }
}
