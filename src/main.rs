//! The goaop binary: parses the command line, runs a command from
//! `goaop::cli`, prints what it returns and exits with its code. This is the
//! only place that prints or exits.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use goaop::cli::{self, Format, Outcome};

#[derive(Parser)]
#[command(
    name = "goaop",
    version,
    about = "Aspect-oriented instrumentation for Go, woven at compile time"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate and compile aspect files, with rustc-style diagnostics.
    Check {
        /// Aspect files (aspects.yaml, *.aspect). Default: the current Go module's.
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// List the bundled integrations and aspects.
        #[arg(long)]
        list_bundled: bool,
    },
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let outcome = match cli.command {
        Command::Check {
            files,
            format,
            list_bundled,
        } => cli::check::run(
            &cli::check::CheckArgs {
                files,
                format,
                color: std::io::stderr().is_terminal(),
                list_bundled,
            },
            &cwd,
        ),
    };
    finish(outcome)
}

fn finish(outcome: Outcome) -> ! {
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code)
}
