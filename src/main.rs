//! The goaop binary: parses the command line, runs a command from
//! `goaop::cli`, prints what it returns and exits with its code. This is the
//! only place that prints or exits.

// Not in `cargo test`: the test harness brings its own `main`.
#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clap::{Parser, Subcommand};
use goaop::cli::{self, Format, Outcome};
use goaop::toolexec::Collector;

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
        /// Aspect files (aspects.yaml, *.aspect). Default: GOAOP_CONFIG, else the current Go module's.
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// List the bundled integrations and aspects.
        #[arg(long)]
        list_bundled: bool,
        /// List the packs the aspects `use:` (bundled and Go packages), where each comes from, and their aspects.
        #[arg(long)]
        list_packs: bool,
    },
    /// Show which function or call site gets which aspect, and why others were skipped.
    Plan {
        /// Go package patterns (default ./...).
        packages: Vec<String>,
        /// Aspect files (default: GOAOP_CONFIG, else the current Go module's).
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
        /// Aspect files (default: GOAOP_CONFIG, else the current Go module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        /// Show what `go test` compiles: test files and external test packages too.
        #[arg(long)]
        tests: bool,
        /// Write the woven files, exactly as a build weaves them, under DIR instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Golden tests of the aspects: weave each case and compare it with its expected files.
    ///
    /// A case is a folder of Go files (input.go) under testdata/aspect_tests, with
    /// input.go.golden (the woven file) and/or plan.txt (its plan) beside them;
    /// case.yaml may give its import path (`package: example.com/app/orders`).
    /// Exit 0 when all pass, 1 when one fails, 2 on usage or aspect errors.
    Test {
        /// The tests folder, or one case in it (default: testdata/aspect_tests at the module root).
        dir: Option<PathBuf>,
        /// Aspect files (default: the module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        /// Write the actual output as the expected files instead of comparing.
        #[arg(long)]
        update: bool,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
        /// Accept raising modules go.mod already requires (the new modules'
        /// requirements can; a newer version can change what the program does).
        #[arg(long)]
        allow_upgrades: bool,
    },
    /// Explain a diagnostic code (`goaop explain E0201`), or list them all.
    Explain {
        /// A code as printed in brackets, e.g. E0201 or W0001.
        code: Option<String>,
    },
    /// Print the JSON Schema of aspects.yaml (shipped as schema/aspects.schema.json).
    Schema,
    /// Run the language server for aspects.yaml and *.aspect on stdin/stdout
    /// (diagnostics as you type, completion, hover); for editors.
    Lsp,
    /// Run `go build|run|test|vet|install` with the aspects woven in.
    #[command(disable_help_flag = true)]
    Go {
        /// Aspect files (default: GOAOP_CONFIG, else the current Go module's).
        #[arg(long = "aspects", short = 'a')]
        aspects: Vec<PathBuf>,
        /// The go subcommand and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        args: Vec<String>,
    },
}

/// The aspect files given on the command line, else `GOAOP_CONFIG`'s (the
/// one `-toolexec` builds use: `check`/`plan`/`diff` must see the aspects
/// those builds weave; driver mode resolves it in the go command's
/// directory, see `GoArgs::config`), else none (the module's).
fn or_config(given: Vec<PathBuf>, cwd: &std::path::Path) -> Vec<PathBuf> {
    match goaop::project::config_from_env() {
        Some(f) if given.is_empty() => vec![cwd.join(f)],
        _ => given,
    }
}

/// goaop's entry point on Linux: the C `main`, which runs before and
/// instead of Rust's own runtime set-up. See [`start`]. The arguments are
/// taken from `argv` here: on some C libraries (musl) only that set-up
/// would hand them to `std::env::args_os`.
#[cfg(all(target_os = "linux", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: std::ffi::c_int, argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    use std::os::unix::ffi::OsStrExt;
    let started = std::time::Instant::now();
    start::runtime();
    let args = (0..usize::try_from(argc).unwrap_or(0))
        // SAFETY: C's `main` gets `argc` valid NUL-terminated strings.
        .map(|i| unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) })
        .map(|a| std::ffi::OsStr::from_bytes(a.to_bytes()).to_owned())
        .collect();
    match std::panic::catch_unwind(|| run(args, started)) {
        Ok(never) => never,
        // What a panicking Rust `main` exits with (the hook printed it).
        Err(_) => std::process::exit(101),
    }
}

#[cfg(any(not(target_os = "linux"), test))]
fn main() {
    run(std::env::args_os().collect(), std::time::Instant::now())
}

/// `args` as the program got them, its own name first.
fn run(args: Vec<OsString>, started: std::time::Instant) -> ! {
    let argv = args.get(1..).unwrap_or_default();
    if let Some(inv) = goaop::toolexec::Invocation::parse(argv) {
        toolexec(&inv, started);
    }
    if let [flag] = argv
        && (flag == "--version" || flag == "-V")
    {
        finish(version());
    }
    let cli = match Cli::try_parse_from(&args) {
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
            list_packs,
        } => cli::check::run(
            &cli::check::CheckArgs {
                files: or_config(files, &cwd),
                format,
                color,
                list_bundled,
                list_packs,
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
                aspects: or_config(aspects, &cwd),
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
                aspects: or_config(aspects, &cwd),
                tests,
                out,
                color,
            },
            &cwd,
        ),
        Command::Test {
            dir,
            aspects,
            update,
            format,
        } => cli::golden::run(
            &cli::golden::TestArgs {
                dir,
                aspects,
                update,
                format,
                color,
            },
            &cwd,
        ),
        Command::Init {
            uses,
            allow_go_upgrade,
            allow_upgrades,
        } => cli::init::run(
            &cli::init::InitArgs {
                uses,
                allow: cli::init::Allow {
                    go_upgrade: allow_go_upgrade,
                    upgrades: allow_upgrades,
                },
            },
            &cwd,
        ),
        Command::Schema => cli::schema::run(),
        Command::Lsp => match goaop::lsp::serve_stdio() {
            Ok(()) => Outcome::default(),
            Err(e) => Outcome {
                stderr: format!("goaop lsp: {e}\n"),
                code: 1,
                ..Default::default()
            },
        },
        Command::Explain { code } => cli::explain::run(code.as_deref()),
        Command::Go { aspects, args } => {
            let args = cli::gocmd::GoArgs {
                aspects,
                // Relative to the go command's directory (`-C`), as under
                // -toolexec.
                config: goaop::project::config_from_env(),
                args,
                color,
            };
            match cli::gocmd::prepare(&args, &cwd) {
                Ok(prepared) => run_go(&prepared, started),
                Err(outcome) => outcome,
            }
        }
    };
    finish(outcome)
}

/// What Rust's runtime would set up before `main`, done by hand on Linux.
///
/// `go build -toolexec=goaop` starts goaop once per tool call, hundreds of
/// times per build, and most calls only pass the tool through. Rust's
/// runtime set-up costs such a call ~0.14 ms (measured: a Rust `main` that
/// does nothing against the same with a C `main`, medians of 1,000 runs on
/// a 2-core VM), a third of what goaop added to a pass-through compile:
/// about twenty system calls, among them reading `/proc/self/maps` (glibc
/// finds the main thread's stack there) to place a guard page, and the
/// stack-overflow handler's signal stack. So on Linux goaop's entry point
/// is the C `main`, and it keeps of that set-up what changes how the
/// program behaves:
/// - standard descriptors 0–2 that are closed are opened on `/dev/null`
///   (else the first file goaop opens would become its stdout);
/// - `SIGPIPE` is ignored, so writing to a closed pipe is an error goaop
///   reports, not a silent death (`Command` restores it for the tools and
///   go commands goaop runs);
/// - a panic exits with 101, as from a Rust `main`;
/// - buffered output is flushed: every way out is `std::process::exit`,
///   which flushes stdout.
///
/// Left out: the message a stack overflow prints (goaop still dies of it,
/// by `SIGSEGV` instead of `SIGABRT`), and the main thread's name in panic
/// messages.
#[cfg(all(target_os = "linux", not(test)))]
mod start {
    pub fn runtime() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        // SAFETY: `fds` is a valid array of three pollfds; `open` gets a
        // NUL-terminated path; `signal` with `SIG_IGN` installs no handler.
        unsafe {
            if libc::poll(fds.as_mut_ptr(), 3, 0) != -1 {
                for f in fds.iter().filter(|f| f.revents & libc::POLLNVAL != 0) {
                    // The lowest free descriptor: this closed one first.
                    if libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != f.fd {
                        std::process::abort();
                    }
                }
            }
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
}

/// `goaop --version`: the build identity (version and executable hash, as
/// in the `-V=full` tag that keys the Go build cache), so two installs can
/// be told apart even at the same version number.
fn version() -> Outcome {
    match goaop::toolexec::build_identity() {
        Ok(id) => Outcome {
            stdout: format!("goaop {id}\n"),
            ..Default::default()
        },
        Err(e) => Outcome {
            stdout: format!("goaop {}\n", goaop::VERSION),
            stderr: format!("goaop: the executable identity is unknown: {e}\n"),
            code: 1,
        },
    }
}

/// Run the go command on woven sources with the terminal attached; its
/// stderr passes through a filter that adds a note after each error inside
/// advice (see [`cli::gocmd::Prepared::filters_stderr`]).
fn run_go(prepared: &cli::gocmd::Prepared, started: std::time::Instant) -> Outcome {
    let _ = std::io::stderr().write_all(prepared.notes.as_bytes());
    goaop::toolexec::log_up_front(started);
    let mut cmd = prepared.command();
    let status = if prepared.filters_stderr(std::io::stderr().is_terminal()) {
        cmd.stderr(Stdio::piped()).spawn().and_then(|mut child| {
            if let Some(from) = child.stderr.take() {
                let mut filter = prepared.filter();
                pass(from, std::io::stderr(), |chunk| filter.feed(chunk));
                let _ = std::io::stderr().write_all(&filter.finish());
            }
            child.wait()
        })
    } else {
        cmd.status()
    };
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
fn toolexec(inv: &goaop::toolexec::Invocation, started: std::time::Instant) -> ! {
    let plan = goaop::toolexec::plan(inv);
    goaop::toolexec::log_cost(inv, &plan, started);
    match plan {
        goaop::toolexec::Plan::Done(outcome) => finish(outcome),
        goaop::toolexec::Plan::Run {
            tool,
            args,
            notes,
            woven,
        } => {
            let _ = std::io::stderr().write_all(notes.as_bytes());
            if let Some(woven) = woven {
                run_woven(&tool, &args, &woven);
            }
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

/// A compile goaop wove: the compiler runs as a child, its stdout and
/// stderr passed through unchanged as they come; when it fails, a note for
/// each error it reported inside advice follows (which advice, woven where).
fn run_woven(tool: &Path, args: &[OsString], woven: &goaop::toolexec::Woven) -> ! {
    let child = std::process::Command::new(tool)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => finish(Outcome {
            stderr: format!("goaop: cannot run {}: {e}\n", tool.display()),
            code: 1,
            ..Default::default()
        }),
    };
    let stdout = child.stdout.take();
    let out = std::thread::spawn(move || {
        let mut found = Collector::default();
        if let Some(from) = stdout {
            pass(from, std::io::stdout(), |chunk| {
                found.feed(chunk);
                chunk.to_vec()
            });
        }
        found
    });
    let mut found = Collector::default();
    if let Some(from) = child.stderr.take() {
        pass(from, std::io::stderr(), |chunk| {
            found.feed(chunk);
            chunk.to_vec()
        });
    }
    let code = child.wait().map_or(1, |s| s.code().unwrap_or(1));
    if let Ok(other) = out.join() {
        found.merge(other);
    }
    if code != 0 {
        let _ = std::io::stderr().write_all(woven.notes(&found.finish()).as_bytes());
    }
    std::process::exit(code)
}

/// Copy `from` to `to` as it arrives, each chunk as `map` makes it.
fn pass(mut from: impl Read, mut to: impl Write, mut map: impl FnMut(&[u8]) -> Vec<u8>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = to.write_all(&map(&buf[..n]));
                let _ = to.flush();
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

fn finish(outcome: Outcome) -> ! {
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    std::process::exit(outcome.code)
}
