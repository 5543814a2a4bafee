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
    /// Show which function or call site gets which aspect, and why others were skipped.
    Plan {
        /// Go package patterns (default ./...).
        packages: Vec<String>,
        /// Aspect files (default: the current Go module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Print the canonical signature of every function instead.
        #[arg(long)]
        signatures: bool,
        /// Show what `go test` compiles: test files and external test packages too.
        #[arg(long)]
        tests: bool,
    },
    /// Show the woven source of packages as a unified diff.
    Diff {
        /// Go package patterns (default ./...).
        packages: Vec<String>,
        /// Aspect files (default: the current Go module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        /// Show what `go test` compiles: test files and external test packages too.
        #[arg(long)]
        tests: bool,
        /// Write the woven files, exactly as a build weaves them, under DIR instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Enable bundled integrations: aspects.yaml `use:`, `go get` of the modules they need, goaop.tools.go.
    Init {
        /// Integrations (comma-separated or repeated). Default: otel plus those the module imports.
        #[arg(long = "use", value_delimiter = ',')]
        uses: Vec<String>,
        /// Use the tested module versions even if they raise go.mod's `go` line
        /// (which changes the language: loop variables at 1.22, GODEBUG defaults).
        #[arg(long)]
        allow_go_upgrade: bool,
    },
    /// Run `go build|run|test|vet|install` with the aspects woven in.
    #[command(disable_help_flag = true)]
    Go {
        /// Aspect files (default: the current Go module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        /// The go subcommand and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        args: Vec<String>,
    },
}

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(inv) = goaop::toolexec::Invocation::parse(&argv) {
        toolexec(&inv);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let color = std::io::stderr().is_terminal();
    let outcome = match cli.command {
        Command::Check {
            files,
            format,
            list_bundled,
        } => cli::check::run(
            &cli::check::CheckArgs {
                files,
                format,
                color,
                list_bundled,
            },
            &cwd,
        ),
        Command::Plan {
            packages,
            aspects,
            format,
            signatures,
            tests,
        } => cli::plan::run(
            &cli::plan::PlanArgs {
                packages,
                aspects,
                format,
                signatures,
                tests,
                color,
            },
            &cwd,
        ),
        Command::Diff {
            packages,
            aspects,
            tests,
            out,
        } => cli::diff::run(
            &cli::diff::DiffArgs {
                packages,
                aspects,
                tests,
                out,
                color,
            },
            &cwd,
        ),
        Command::Init {
            uses,
            allow_go_upgrade,
        } => cli::init::run(
            &cli::init::InitArgs {
                uses,
                allow_go_upgrade,
            },
            &cwd,
        ),
        Command::Go { aspects, args } => {
            let args = cli::gocmd::GoArgs {
                aspects,
                args,
                color,
            };
            match cli::gocmd::prepare(&args, &cwd) {
                Ok(prepared) => run_go(&prepared),
                Err(outcome) => outcome,
            }
        }
    };
    finish(outcome)
}

/// Run the go command on woven sources with the terminal attached.
fn run_go(prepared: &cli::gocmd::Prepared) -> Outcome {
    let _ = std::io::stderr().write_all(prepared.notes.as_bytes());
    let status = prepared.command().status();
    prepared.cleanup();
    match status {
        Ok(s) => Outcome {
            code: s.code().unwrap_or(1),
            ..Default::default()
        },
        Err(e) => Outcome {
            stderr: format!("goaop: cannot run go: {e}\n"),
            code: 1,
            ..Default::default()
        },
    }
}

/// `go build -toolexec=goaop`: one tool call. Carry out the plan; on Unix
/// the tool replaces this process (no extra process, same exit code).
fn toolexec(inv: &goaop::toolexec::Invocation) -> ! {
    match goaop::toolexec::plan(inv) {
        goaop::toolexec::Plan::Done(outcome) => finish(outcome),
        goaop::toolexec::Plan::Run { tool, args, notes } => {
            let _ = std::io::stderr().write_all(notes.as_bytes());
            let mut cmd = std::process::Command::new(&tool);
            cmd.args(&args);
            #[cfg(unix)]
            let err = std::os::unix::process::CommandExt::exec(&mut cmd);
            #[cfg(not(unix))]
            let err = match cmd.status() {
                Ok(s) => std::process::exit(s.code().unwrap_or(1)),
                Err(e) => e,
            };
            finish(Outcome {
                stderr: format!("goaop: cannot run {}: {err}\n", tool.display()),
                code: 1,
                ..Default::default()
            })
        }
    }
}

fn finish(outcome: Outcome) -> ! {
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code)
}
