//! The `-toolexec` backend (DESIGN §7): `go build -toolexec=goaop` runs
//! `goaop /abs/path/to/<tool> args…` for every tool call, and this module
//! decides what to do with each one.
//!
//! It never prints or exits: [`plan`] returns a [`Plan`] (run the real tool
//! with these arguments, or here is the finished outcome) and `main.rs`
//! carries it out. Unknown tools, and compiles of packages no aspect can
//! touch, take the fast path: the real tool with unchanged arguments,
//! decided from `-p` and the rule set's package DFA alone.

mod args;
mod cache;
mod compile;
mod config;
mod deps;
pub(crate) mod flags;
mod importcfg;
mod link;
mod listed;
mod pin;
mod rundir;
mod sources;
mod version;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::buildset::notes::{AdviceErrors, notes_for};
pub use crate::buildset::notes::{Collector, Reported};
use crate::outcome::Outcome;
use crate::store::identity;
use crate::weave::Decision;

/// What `main.rs` should do with a toolexec call.
#[derive(Debug)]
pub enum Plan {
    /// Print `notes` to stderr, then run `tool` with `args` and exit with
    /// its exit code. Without `woven`, the tool replaces this process
    /// (stdio inherited). With it (a compile goaop wove), the tool runs as
    /// a child whose stdout and stderr are passed through unchanged while
    /// the positions they report are collected ([`Collector`]); if it
    /// fails, [`Woven::notes`] on them follow on stderr.
    Run {
        tool: PathBuf,
        args: Vec<OsString>,
        notes: String,
        woven: Option<Woven>,
    },
    /// Already done: print it and exit with its code.
    Done(Outcome),
}

/// A compile goaop wove: what the notes on its errors need (computed only
/// when it fails).
pub struct Woven {
    rules: cache::Rules,
    /// The decisions of the package, each with its file's name.
    decisions: Vec<(String, Decision)>,
    /// The go command's directory: sites are shown relative to it.
    base: PathBuf,
}

impl std::fmt::Debug for Woven {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Woven")
            .field("decisions", &self.decisions)
            .finish_non_exhaustive()
    }
}

impl Woven {
    /// The note lines for the reported `positions` that are inside advice
    /// (see [`crate::buildset::notes`]).
    pub fn notes(&self, positions: &[Reported]) -> String {
        let Ok(view) = self.rules.view() else {
            return String::new();
        };
        let applied: std::collections::BTreeSet<&str> = self
            .decisions
            .iter()
            .filter(|(_, d)| d.skipped.is_none())
            .map(|(_, d)| d.aspect.as_str())
            .collect();
        let aspects: Vec<_> = (0..view.len())
            .filter_map(|i| view.aspect(i).ok())
            .filter(|a| applied.contains(a.name.as_str()))
            .collect();
        let decisions = self.decisions.iter().map(|(f, d)| (f.as_str(), d));
        let errors = AdviceErrors::new(&aspects, decisions, Some(&self.base));
        notes_for(&errors, positions)
    }
}

/// A parsed toolexec command line: `[--config FILE] /abs/tool args…`.
#[derive(Debug)]
pub struct Invocation {
    pub config: Option<PathBuf>,
    pub tool: PathBuf,
    pub args: Vec<OsString>,
}

impl Invocation {
    /// Recognise a toolexec call from the arguments after `argv[0]`: the
    /// first is an absolute path, or `--config FILE` comes first.
    pub fn parse(argv: &[OsString]) -> Option<Invocation> {
        let (config, rest) = match argv.first()?.to_str() {
            Some("--config") => (Some(PathBuf::from(argv.get(1)?)), &argv[2..]),
            Some(s) if s.starts_with("--config=") => {
                (Some(PathBuf::from(&s["--config=".len()..])), &argv[1..])
            }
            _ => (None, argv),
        };
        let tool = PathBuf::from(rest.first()?);
        if !tool.is_absolute() {
            return None;
        }
        Some(Invocation {
            config,
            tool,
            args: rest[1..].to_vec(),
        })
    }

    /// The tool's name: `compile`, `link`, `asm`… (`.exe` stripped).
    pub fn tool_name(&self) -> &str {
        self.tool
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
    }

    fn passthrough(&self) -> Plan {
        Plan::Run {
            tool: self.tool.clone(),
            args: self.args.clone(),
            notes: String::new(),
            woven: None,
        }
    }
}

/// goaop's build identity, as `goaop --version` prints it: the version and
/// the executable identity the `-V=full` tag carries (its first 16 hex
/// digits), `0.1.0+1a2b3c4d5e6f7a8b`.
pub fn build_identity() -> Result<String, String> {
    let exe = identity::exe_id(cache::cache_dir().as_deref())?;
    Ok(format!("{}+{}", crate::VERSION, &exe[..16]))
}

/// Decide what to do with one toolexec call.
pub fn plan(inv: &Invocation) -> Plan {
    log_call(inv);
    let name = inv.tool_name();
    let is_version = inv.args.len() == 1 && inv.args[0] == "-V=full";
    match name {
        "compile" | "link" if is_version => version::plan(inv),
        "compile" => compile::plan(inv),
        "link" => link::plan(inv),
        _ => inv.passthrough(),
    }
}

/// With `GOAOP_LOG=file`, append one line per tool call (for tests and
/// for finding out what a build ran).
fn log_call(inv: &Invocation) {
    if std::env::var_os("GOAOP_LOG").is_none() {
        return; // not even the line: a compile's arguments name every file
    }
    let mut line = inv.tool_name().to_string();
    for a in &inv.args {
        line.push(' ');
        line.push_str(&a.to_string_lossy());
    }
    append_log(&line);
}

/// With `GOAOP_LOG=file`, append what goaop's own part of a call cost,
/// once it has decided (just before the tool runs): one line
/// `#goaop kind=K us=N cpu_us=N nested_cpu_us=N ppid=N rss_kb=N [p=PKG]`
/// (calls run in parallel: the lines of several calls interleave). `kind` is
/// `version` (`-V=full`: the first one of a build also asks `go list` for
/// the closure of the advice's imports), `compile-woven`, `compile-pass` (a
/// compile goaop left alone), `link`, `tool` (any other tool) or `done`
/// (goaop answered without running the tool: an error); `us` is the time since `started` (the
/// process's start), `cpu_us` this process's CPU time (user and system),
/// `nested_cpu_us` that of the children it has waited for (a nested go
/// command and all it ran, whose own goaop calls log lines of their own:
/// `ppid`, the parent process, tells the outer build's calls from theirs;
/// for `version`, also the tool's own `-V=full` answer),
/// `rss_kb` the peak resident set so far (Linux; 0 elsewhere).
/// When goaop runs the tool with other arguments than it was given (a
/// woven compile, a link given the injected imports), a second line
/// `#goaop ran TOOL ARGS...` says what it runs, so that `scripts/bench`
/// can run the same compile again, woven and plain. `scripts/bench` sums
/// these.
pub fn log_cost(inv: &Invocation, plan: &Plan, started: std::time::Instant) {
    if std::env::var_os("GOAOP_LOG").is_none() {
        return;
    }
    let name = inv.tool_name();
    let kind = match plan {
        _ if inv.args.len() == 1 && inv.args[0] == "-V=full" => "version",
        Plan::Done(_) => "done",
        Plan::Run { woven: Some(_), .. } => "compile-woven",
        Plan::Run { .. } if name == "compile" => "compile-pass",
        Plan::Run { .. } if name == "link" => "link",
        Plan::Run { .. } => "tool",
    };
    let pkg = inv
        .args
        .iter()
        .position(|a| a == "-p")
        .and_then(|i| inv.args.get(i + 1))
        .map(|p| format!(" p={}", p.to_string_lossy()))
        .unwrap_or_default();
    append_log(&format!("#goaop kind={kind} {}{pkg}", costs(started)));
    if let Plan::Run { tool, args, .. } = plan
        && *args != inv.args
    {
        let mut line = format!("#goaop ran {}", tool.to_string_lossy());
        for a in args {
            line.push(' ');
            line.push_str(&a.to_string_lossy());
        }
        append_log(&line);
    }
}

/// With `GOAOP_LOG=file`, driver mode's line, just before it starts the go
/// command: `#goaop kind=driver` and what its work up front (the listings,
/// the weave, the overlay) cost, in [`log_cost`]'s fields.
pub fn log_up_front(started: std::time::Instant) {
    if std::env::var_os("GOAOP_LOG").is_some() {
        append_log(&format!("#goaop kind=driver {}", costs(started)));
    }
}

/// `us=N cpu_us=N nested_cpu_us=N ppid=N rss_kb=N` of [`log_cost`] (the
/// CPU times and parent are 0 where they are unknown: not Unix).
fn costs(started: std::time::Instant) -> String {
    let us = started.elapsed().as_micros();
    #[cfg(unix)]
    let (cpu, nested, ppid) = (
        cpu_us(libc::RUSAGE_SELF),
        cpu_us(libc::RUSAGE_CHILDREN),
        std::os::unix::process::parent_id(),
    );
    #[cfg(not(unix))]
    let (cpu, nested, ppid) = (0, 0, 0);
    let rss = peak_rss_kb();
    format!("us={us} cpu_us={cpu} nested_cpu_us={nested} ppid={ppid} rss_kb={rss}")
}

/// CPU time (user and system, microseconds) of `who` (`RUSAGE_SELF`, or
/// `RUSAGE_CHILDREN`: the children waited for), 0 if unknown.
#[cfg(unix)]
fn cpu_us(who: libc::c_int) -> u128 {
    // SAFETY: getrusage only writes the plain struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut ru) } != 0 {
        return 0;
    }
    let t = |tv: libc::timeval| tv.tv_sec as u128 * 1_000_000 + tv.tv_usec as u128;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// With `GOAOP_LOG`, one line `#goaop nested=KIND us=N` for a nested go
/// command that ran since `started` (`sources`: the closure listed;
/// `export`: the closure built, its compiles included). The call that ran
/// it counts this time in its own `us`: `scripts/bench` takes it out of
/// goaop's own share (it is the go command's work).
pub(super) fn log_nested(kind: &str, started: std::time::Instant) {
    if std::env::var_os("GOAOP_LOG").is_some() {
        let us = started.elapsed().as_micros();
        append_log(&format!("#goaop nested={kind} us={us}"));
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`), 0 if unknown.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Append `line` to the `GOAOP_LOG` file, if there is one.
pub(super) fn append_log(line: &str) {
    let Some(path) = std::env::var_os("GOAOP_LOG") else {
        return;
    };
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(format!("{line}\n").as_bytes());
    }
}

/// The `-toolexec` of the nested go command that builds the closure of the
/// advice's imports ([`deps`]): this goaop, with this call's `--config`,
/// quoted as cmd/go splits the flag. Empty (the nested command then runs
/// the tools directly: correct, but its compiles share nothing with the
/// outer build's) if a path cannot be quoted that way.
fn nested_toolexec(inv: &Invocation) -> String {
    let Ok(exe) = std::env::current_exe() else {
        return String::new();
    };
    let mut words = vec![exe.into_os_string()];
    if let Some(c) = &inv.config {
        words.push("--config".into());
        words.push(c.clone().into_os_string());
    }
    quote_words(&words).unwrap_or_default()
}

/// `words` joined as cmd/go splits a `-toolexec` value (`quoted.Split`:
/// fields separated by spaces, each optionally in `'…'` or `"…"`, no
/// escapes); `None` if a word cannot be written that way.
fn quote_words(words: &[OsString]) -> Option<String> {
    let quoted: Option<Vec<String>> = words
        .iter()
        .map(|w| {
            let w = w.to_str()?;
            let breaks = |c: char| c.is_ascii_whitespace() && c != ' ';
            if w.contains(breaks) {
                None
            } else if !w.is_empty() && !w.contains([' ', '\'', '"']) {
                Some(w.to_string())
            } else if !w.contains('\'') {
                Some(format!("'{w}'"))
            } else if !w.contains('"') {
                Some(format!("\"{w}\""))
            } else {
                None
            }
        })
        .collect();
    quoted.map(|q| q.join(" "))
}

/// A failure of the backend itself (not the tool's): exit 1 with a message.
fn failure(message: impl std::fmt::Display) -> Plan {
    Plan::Done(Outcome {
        stderr: format!("goaop: {message}\n"),
        code: 1,
        ..Default::default()
    })
}

/// The directory of `path`, or `.`.
fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::quote_words;
    use std::ffi::OsString;

    fn q(words: &[&str]) -> Option<String> {
        quote_words(&words.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn toolexec_words_are_quoted_as_cmd_go_splits_them() {
        assert_eq!(q(&["/bin/goaop"]).as_deref(), Some("/bin/goaop"));
        assert_eq!(
            q(&["/my tools/goaop", "--config", "a b.yaml"]).as_deref(),
            Some("'/my tools/goaop' --config 'a b.yaml'")
        );
        assert_eq!(q(&["/it's/goaop"]).as_deref(), Some("\"/it's/goaop\""));
        assert_eq!(q(&["--config", ""]).as_deref(), Some("--config ''"));
        assert_eq!(q(&["/a'b\"c/goaop"]), None, "both quotes");
        assert_eq!(q(&["/a\tb/goaop"]), None, "a tab splits");
        assert_eq!(q(&["/a\nb/goaop"]), None, "a line break");
    }
}
