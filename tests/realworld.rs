//! The real-world harness (issue #10, DESIGN §11): real open-source Go
//! modules at pinned versions, woven with an aggressive aspect set
//! (tests/realworld/aspects.yaml: `before` with every placeholder and an
//! injected import on every function, `after` reading an error result,
//! a typed `ctx` binding, `around` on every function without results, and
//! the bundled integrations where the module serves HTTP), and their OWN
//! test suites as the oracle: every test that passes in a plain
//! `go test ./...` must pass under `go test -toolexec=goaop` and under
//! `goaop go test`. Tests that fail plain (network, environment) are left
//! out by name, not by module; a woven test may differ from plain only
//! where [`ALLOWED`] names it with the README section that explains why.
//!
//! Differential check: the files `-toolexec` wove (`$WORK/bNNN/goaop/`),
//! those of driver mode (its kept overlay) and those `goaop diff --tests
//! --out` writes are the same files, byte for byte (the table's `same`
//! column counts them).
//!
//! `cargo test --test realworld` (CI) runs [`CI_SUBSET`]. The whole list
//! runs with `GOAOP_REALWORLD=all` (`scripts/realworld`), or pick modules
//! with `GOAOP_REALWORLD=chi,logrus`. `GOAOP_RW_TIMING=1` adds a build-time
//! comparison: every package of the module is touched (a new file with a
//! fresh constant) and its tests rebuilt in each mode, interleaved.
//! The table goes to stderr (`-- --nocapture` shows it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::gobuild::{GOAOP, go, make_writable, output, target, text};
use common::woven::{
    Woven, assert_same_woven, diff_woven, driver_woven, goaop_cmd, toolexec_woven,
};

/// One module under test.
struct Module {
    /// Short name (for `GOAOP_REALWORLD=name`).
    name: &'static str,
    path: &'static str,
    version: &'static str,
    /// Bundled integrations to enable besides the harness aspects.
    uses: &'static [&'static str],
    /// What the module exercises (the reason it is on the list).
    why: &'static str,
}

const MODULES: &[Module] = &[
    Module {
        name: "errors",
        path: "github.com/pkg/errors",
        version: "v0.9.1",
        uses: &[],
        why: "stack traces with function names of closures (runtime.Caller, FuncForPC)",
    },
    Module {
        name: "httprouter",
        path: "github.com/julienschmidt/httprouter",
        version: "v1.3.0",
        uses: &["net/http"],
        why: "router whose PanicHandler recovers in a deferred method with the handler signature",
    },
    Module {
        name: "chi",
        path: "github.com/go-chi/chi/v5",
        version: "v5.2.3",
        uses: &["net/http"],
        why: "router, middleware closures, recover middleware",
    },
    Module {
        name: "mux",
        path: "github.com/gorilla/mux",
        version: "v1.8.1",
        uses: &["net/http"],
        why: "router, reflection-free matching, many handler literals in tests",
    },
    Module {
        name: "logrus",
        path: "github.com/sirupsen/logrus",
        version: "v1.9.3",
        uses: &[],
        why: "logger reporting its caller's function name (runtime.Caller depth)",
    },
    Module {
        name: "zap",
        path: "go.uber.org/zap",
        version: "v1.27.0",
        uses: &[],
        why: "logger with caller skipping, stack traces, zero-allocation tests",
    },
    Module {
        name: "testify",
        path: "github.com/stretchr/testify",
        version: "v1.10.0",
        uses: &[],
        why: "test helpers (t.Helper), reflection, panics asserted by tests",
    },
    Module {
        name: "cobra",
        path: "github.com/spf13/cobra",
        version: "v1.8.1",
        uses: &[],
        why: "CLI framework: closures as fields, context plumbing",
    },
    Module {
        name: "cli",
        path: "github.com/urfave/cli/v2",
        version: "v2.27.5",
        uses: &[],
        why: "CLI framework: reflection over flags, closures, context",
    },
    Module {
        name: "sync",
        path: "golang.org/x/sync",
        version: "v0.10.0",
        uses: &[],
        why: "errgroup/singleflight: goroutines, panics re-raised, runtime.Goexit",
    },
    Module {
        name: "set",
        path: "github.com/deckarep/golang-set/v2",
        version: "v2.7.0",
        uses: &[],
        why: "generic types, methods on generic receivers, iterators",
    },
    Module {
        name: "lru",
        path: "github.com/hashicorp/golang-lru/v2",
        version: "v2.0.7",
        uses: &[],
        why: "generic types and methods on generic receivers",
    },
    Module {
        name: "uuid",
        path: "github.com/google/uuid",
        version: "v1.6.0",
        uses: &[],
        why: "small, allocation-sensitive code",
    },
    Module {
        name: "backoff",
        path: "github.com/cenkalti/backoff/v4",
        version: "v4.3.0",
        uses: &[],
        why: "context, timers, closures returning errors",
    },
];

/// What CI runs: small modules that still cover recover in a deferred
/// handler method and closure names in stack traces.
const CI_SUBSET: &[&str] = &["errors", "httprouter"];

/// Tests allowed to differ woven, each with the README section saying why:
/// (module, test name — its subtests included —, README section).
const ALLOWED: &[(&str, &str, &str)] = &[
    // zap computes its caller a fixed number of frames up from the
    // logging method; the harness's `around` runs that method's body one
    // frame deeper, so the reported caller is the around's line.
    ("zap", "TestConfig", AROUND_FRAME),
    ("zap", "TestConfigWithSamplingHook", AROUND_FRAME),
    ("zap", "TestLoggerAddCaller", AROUND_FRAME),
    ("zap", "TestLoggerAddCallerFunction", AROUND_FRAME),
    ("zap", "TestNewStdLog", AROUND_FRAME),
    ("zap", "TestNewStdLogAt", AROUND_FRAME),
    ("zap", "TestNewStdLogAtFatal", AROUND_FRAME),
    ("zap", "TestNewStdLogAtPanics", AROUND_FRAME),
    ("zap", "TestRedirectStdLogAtCaller", AROUND_FRAME),
    ("zap", "TestRedirectStdLogAtFatal", AROUND_FRAME),
    ("zap", "TestRedirectStdLogAtPanics", AROUND_FRAME),
    ("zap", "TestRedirectStdLogCaller", AROUND_FRAME),
    ("zap", "TestStacktraceFiltersZapLog", AROUND_FRAME),
    ("zap", "TestStacktraceFiltersZapMarshal", AROUND_FRAME),
    ("zap", "TestStacktraceWithCallerSkip", AROUND_FRAME),
    ("zap", "TestStacktraceWithoutCallerSkip", AROUND_FRAME),
    ("zap", "TestSugarAddCaller", AROUND_FRAME),
    (
        "zap",
        "TestTestLoggerSupportsWrappedZapOptions",
        AROUND_FRAME,
    ),
];

const AROUND_FRAME: &str =
    "README, Aspect files: \"The body of an `around` runs in a function literal\"";

/// Whether a test that passes plain may fail woven.
fn allowed(module: &str, test: &str) -> bool {
    ALLOWED.iter().any(|(m, t, _)| {
        *m == module && (test == *t || test.strip_prefix(t).is_some_and(|r| r.starts_with('/')))
    })
}

/// A test's name with what changes from run to run taken out: subtests
/// named after pointers (`0x13f62a10d3e0`) or the current time.
fn stable_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out.push('_');
    }
    out.push_str(rest);
    match out.find("time.Date(") {
        Some(i) => format!("{}time.Date(_)", &out[..i]),
        None => out,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    Plain,
    Toolexec,
    Driver,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Toolexec => "toolexec",
            Mode::Driver => "driver",
        }
    }
}

/// Final result of one test (or of a package, under the empty test name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Skip,
}

/// One `go test -json` run.
#[derive(Debug, Default)]
struct Run {
    /// (package, test) → verdict; test "" is the package itself.
    results: BTreeMap<(String, String), Verdict>,
    /// Packages whose test binary did not build.
    build_failed: BTreeSet<String>,
    /// (package, test) → its output lines (the package's own under "").
    output: BTreeMap<(String, String), Vec<String>>,
    /// The tail of stderr, for failures.
    log: String,
    /// All of stderr, and the build's lines of `-json` output (`WORK=…`
    /// of a `-work` run).
    stderr: String,
    build_output: String,
}

impl Run {
    fn count(&self, v: Verdict) -> usize {
        self.results
            .iter()
            .filter(|((_, t), r)| !t.is_empty() && **r == v)
            .count()
    }
}

fn selected() -> Vec<&'static Module> {
    let want = std::env::var("GOAOP_REALWORLD").unwrap_or_default();
    let names: Vec<&str> = match want.as_str() {
        "" => CI_SUBSET.to_vec(),
        "all" => MODULES.iter().map(|m| m.name).collect(),
        list => list.split(',').map(str::trim).collect(),
    };
    names
        .iter()
        .map(|n| {
            MODULES
                .iter()
                .find(|m| m.name == *n)
                .unwrap_or_else(|| panic!("GOAOP_REALWORLD: unknown module `{n}`"))
        })
        .collect()
}

/// A writable copy of the module's source, with the harness aspects.
fn prepare(m: &Module, root: &Path) -> PathBuf {
    let o = output(go(
        root,
        &[
            "mod",
            "download",
            "-json",
            &format!("{}@{}", m.path, m.version),
        ],
    ));
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "go mod download {}@{} (module proxy): {err}",
        m.path,
        m.version
    );
    let info: serde_json::Value = serde_json::from_str(&out).expect("go mod download -json");
    let src = PathBuf::from(info["Dir"].as_str().expect("Dir"));
    let dir = root.join(m.name);
    make_writable(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    copy_writable(&src, &dir);
    if !dir.join("go.mod").exists() {
        // A module from before Go modules: the go command assumes go 1.16.
        std::fs::write(
            dir.join("go.mod"),
            format!("module {}\n\ngo 1.16\n", m.path),
        )
        .unwrap();
        let o = output(go(&dir, &["mod", "tidy"]));
        assert!(o.status.success(), "go mod tidy: {}", text(&o).1);
    }
    let aspects = std::fs::read_to_string(common::root().join("tests/realworld/aspects.yaml"))
        .expect("tests/realworld/aspects.yaml");
    let aspects = if m.uses.is_empty() {
        aspects
    } else {
        format!("use: [{}]\n{aspects}", m.uses.join(", "))
    };
    std::fs::write(dir.join("aspects.yaml"), aspects).unwrap();
    if !m.uses.is_empty() {
        // The integrations' modules, as a user would add them.
        // The plain run uses the same go.mod, so accepting a newer `go`
        // line keeps the comparison fair.
        let mut cmd = goaop_cmd(
            &dir,
            &["init", "--allow-go-upgrade", "--use", &m.uses.join(",")],
        );
        let o = cmd.output().expect("goaop init runs");
        assert!(
            o.status.success(),
            "goaop init in {}: {}{}",
            m.name,
            text(&o).0,
            text(&o).1
        );
    }
    let o = output(go(&dir, &["mod", "download"]));
    assert!(o.status.success(), "go mod download: {}", text(&o).1);
    dir
}

fn copy_writable(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            copy_writable(&e.path(), &dest);
        } else if ty.is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            std::fs::write(&dest, bytes).unwrap();
        }
    }
}

fn test_command(dir: &Path, mode: Mode, extra: &[&str]) -> Command {
    let mut args = vec!["test", "-json", "-count=1", "-vet=off", "-timeout=10m"];
    args.extend_from_slice(extra);
    let toolexec = format!("-toolexec={GOAOP}");
    match mode {
        Mode::Plain => {
            args.push("./...");
            go(dir, &args)
        }
        Mode::Toolexec => {
            args.insert(1, &toolexec);
            args.push("./...");
            go(dir, &args)
        }
        Mode::Driver => {
            args.push("./...");
            let mut full = vec!["go"];
            full.extend_from_slice(&args);
            goaop_cmd(dir, &full)
        }
    }
}

/// Run the module's tests in one mode. `go vet` is off: its verdict on a
/// module's examples depends on the Go release, not on the weaving. Woven
/// runs keep their work directory (`-work`) for the differential check.
fn run_tests(dir: &Path, mode: Mode) -> Run {
    let extra: &[&str] = match mode {
        Mode::Plain => &[],
        Mode::Toolexec | Mode::Driver => &["-work"],
    };
    let o = test_command(dir, mode, extra)
        .output()
        .expect("the Go toolchain (go) is required by the real-world harness");
    let mut run = Run::default();
    let (out, err) = text(&o);
    for line in out.lines() {
        let Ok(ev) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let action = ev["Action"].as_str().unwrap_or_default();
        let pkg = ev["Package"]
            .as_str()
            .or_else(|| ev["ImportPath"].as_str())
            .unwrap_or_default()
            .to_string();
        let test = stable_name(ev["Test"].as_str().unwrap_or_default());
        if let Some(failed) = ev["FailedBuild"].as_str() {
            run.build_failed.insert(failed.to_string());
        }
        if action == "build-fail" {
            run.build_failed.insert(pkg.clone());
        }
        if action == "build-output" {
            // `go test -json` reports the build's own lines (`WORK=…`) here.
            run.build_output
                .push_str(ev["Output"].as_str().unwrap_or_default());
        }
        if action == "output" || action == "build-output" {
            let line = ev["Output"]
                .as_str()
                .unwrap_or_default()
                .trim_end()
                .to_string();
            run.output
                .entry((pkg.clone(), test.clone()))
                .or_default()
                .push(line);
            continue;
        }
        let verdict = match action {
            "pass" => Verdict::Pass,
            "fail" => Verdict::Fail,
            "skip" => Verdict::Skip,
            _ => continue,
        };
        run.results.insert((pkg, test), verdict);
    }
    let tail: Vec<&str> = err.lines().rev().take(40).collect();
    run.log = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    run.stderr = err;
    run
}

/// Tests that pass plain and do not pass in `woven` (missing counts: the
/// package failed to build or the test never ran).
fn regressions(module: &str, plain: &Run, woven: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for ((pkg, test), v) in &plain.results {
        if *v != Verdict::Pass {
            continue;
        }
        let got = woven.results.get(&(pkg.clone(), test.clone()));
        if got == Some(&Verdict::Pass) {
            continue;
        }
        if !test.is_empty() && allowed(module, test) {
            continue;
        }
        // A package that fails only because of allowed tests.
        if test.is_empty() && !woven.build_failed.contains(pkg) {
            let failed: Vec<&String> = woven
                .results
                .iter()
                .filter(|((p, t), v)| p == pkg && !t.is_empty() && **v == Verdict::Fail)
                .map(|((_, t), _)| t)
                .collect();
            if !failed.is_empty() && failed.iter().all(|t| allowed(module, t)) {
                continue;
            }
        }
        let what = match got {
            Some(Verdict::Fail) => "fails",
            Some(Verdict::Skip) => "skipped",
            _ if woven.build_failed.contains(pkg) => "build failed",
            _ => "did not run",
        };
        let name = if test.is_empty() {
            format!("{pkg} (package)")
        } else {
            format!("{pkg}.{test}")
        };
        out.push(format!("{name}: {what}"));
        if got == Some(&Verdict::Fail) || test.is_empty() {
            let lines = woven
                .output
                .get(&(pkg.clone(), test.clone()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let start = lines.len().saturating_sub(12);
            for l in &lines[start..] {
                out.push(format!("      | {l}"));
            }
        }
    }
    out
}

/// `goaop plan --format json ./...`: (applied, skipped) join points.
fn plan_counts(dir: &Path) -> (usize, usize) {
    let o = goaop_cmd(dir, &["plan", "--format", "json", "./..."])
        .output()
        .expect("goaop plan runs");
    let (out, err) = text(&o);
    assert!(o.status.success(), "goaop plan: {err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("plan json");
    let applied = rows.iter().filter(|r| r["applied"] == true).count();
    (applied, rows.len() - applied)
}

/// Touch every package of the module (a new file with a fresh constant) so
/// the next build recompiles the module's own packages and relinks its
/// tests, whatever the mode; dependencies stay cached.
fn touch_packages(dir: &Path, round: usize) {
    let o = output(go(dir, &["list", "-f", "{{.Dir}} {{.Name}}", "./..."]));
    assert!(o.status.success(), "go list: {}", text(&o).1);
    for line in text(&o).0.lines() {
        let Some((pkg_dir, name)) = line.rsplit_once(' ') else {
            continue;
        };
        std::fs::write(
            Path::new(pkg_dir).join("zz_goaop_rw_touch.go"),
            format!("package {name}\n\nconst _ = \"goaop realworld touch {round}\"\n"),
        )
        .unwrap();
    }
}

/// Build time of the module's tests per mode (compile + link, `-run ^$`),
/// after touching every package, modes interleaved.
fn build_times(dir: &Path) -> BTreeMap<Mode, Duration> {
    let modes = [Mode::Plain, Mode::Toolexec, Mode::Driver];
    // Warm every mode once: dependencies (and the standard library under
    // -toolexec, whose tool ID carries the rule set) are compiled here.
    for mode in modes {
        let o = test_command(dir, mode, &["-run", "^$"]).output().unwrap();
        assert!(o.status.success(), "{}: {}", mode.label(), text(&o).1);
    }
    let mut times = BTreeMap::new();
    for (round, mode) in modes.iter().enumerate() {
        touch_packages(dir, round);
        let start = Instant::now();
        let o = test_command(dir, *mode, &["-run", "^$"]).output().unwrap();
        assert!(o.status.success(), "{}: {}", mode.label(), text(&o).1);
        times.insert(*mode, start.elapsed());
    }
    times
}

/// One module through every mode: its table row, or what went wrong (a
/// test lost, or the module could not be tested plain).
fn check_module(m: &Module, root: &Path, timing: bool) -> Result<String, String> {
    let dir = prepare(m, root);
    let (applied, skipped) = plan_counts(&dir);
    if applied == 0 {
        return Err(format!("{}: the aspects apply to nothing", m.name));
    }
    // A fresh constant in every package: the woven runs compile (and so
    // weave) every package of the module even when an earlier harness run
    // left them in the build cache.
    touch_packages(&dir, std::process::id() as usize);
    let plain = run_tests(&dir, Mode::Plain);
    if plain.count(Verdict::Pass) == 0 {
        return Err(format!(
            "{}: no test passes plain (does the module ship its tests?):\n{}",
            m.name, plain.log
        ));
    }
    let mut cells = Vec::new();
    let mut lost_any = Vec::new();
    let mut woven_files: Vec<(&str, Woven)> = Vec::new();
    for mode in [Mode::Toolexec, Mode::Driver] {
        let woven = run_tests(&dir, mode);
        woven_files.push(match mode {
            Mode::Toolexec => ("-toolexec", toolexec_woven(&woven.build_output)),
            _ => ("driver mode", driver_woven(&woven.stderr)),
        });
        let lost = regressions(m.name, &plain, &woven);
        cells.push(format!(
            "{}/{} {}",
            woven.count(Verdict::Pass),
            woven.count(Verdict::Fail),
            if lost.is_empty() { "ok" } else { "LOST" }
        ));
        if !lost.is_empty() {
            lost_any.push(format!(
                "{} under {}: {} test(s) that pass plain do not pass woven:\n  {}\n{}",
                m.name,
                mode.label(),
                lost.iter().filter(|l| !l.starts_with("      |")).count(),
                lost.join("\n  "),
                woven.log
            ));
        }
    }
    // The differential check: both modes and `goaop diff` weave the same
    // files, byte for byte.
    let by_diff = diff_woven(&dir, &["--tests", "./..."]);
    assert!(!by_diff.is_empty(), "{}: goaop diff wove nothing", m.name);
    assert_same_woven(
        (woven_files[0].0, &woven_files[0].1),
        (woven_files[1].0, &woven_files[1].1),
    );
    assert_same_woven(
        (woven_files[1].0, &woven_files[1].1),
        ("goaop diff", &by_diff),
    );
    let times = if timing {
        let t = build_times(&dir);
        let ratio = |mode| t[&mode].as_secs_f64() / t[&Mode::Plain].as_secs_f64().max(1e-3);
        format!(
            "   {:.2} s: {:.2}x, {:.2}x",
            t[&Mode::Plain].as_secs_f64(),
            ratio(Mode::Toolexec),
            ratio(Mode::Driver)
        )
    } else {
        String::new()
    };
    let row = format!(
        "{:<11} {:<9} {:>16} {:>16} {:>16} {:>13} {:>6}{times}",
        m.name,
        m.version,
        format!(
            "{}/{}",
            plain.count(Verdict::Pass),
            plain.count(Verdict::Fail)
        ),
        cells[0],
        cells[1],
        format!("{applied}/{skipped}"),
        by_diff.len(),
    );
    if lost_any.is_empty() {
        Ok(row)
    } else {
        Err(format!("{row}\n{}", lost_any.join("\n\n")))
    }
}

#[test]
fn real_modules_pass_their_own_tests_woven() {
    let root = target().join("goaop-realworld");
    std::fs::create_dir_all(&root).unwrap();
    let timing = std::env::var_os("GOAOP_RW_TIMING").is_some();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<11} {:<9} {:>16} {:>16} {:>16} {:>13} {:>6}{}",
        "module",
        "version",
        "plain pass/fail",
        "toolexec",
        "driver",
        "plan +/-",
        "same",
        if timing {
            "   build x plain (toolexec, driver)"
        } else {
            ""
        }
    );
    let mut failures = Vec::new();
    for m in selected() {
        eprintln!("realworld: {} {} ({})", m.path, m.version, m.why);
        // A module that cannot even be prepared is reported, and the run
        // goes on with the next one.
        let checked =
            std::panic::catch_unwind(|| check_module(m, &root, timing)).unwrap_or_else(|e| {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("{}: {why}", m.name))
            });
        let row = match checked {
            Ok(row) => row,
            Err(e) => {
                // A module that lost tests still has its row first.
                let row = match e.split_once('\n') {
                    Some((first, _)) if first.starts_with(m.name) => first.to_string(),
                    _ => format!("{:<11} {:<9} (see the failure below)", m.name, m.version),
                };
                failures.push(e);
                row
            }
        };
        eprintln!("{row}");
        let _ = writeln!(table, "{row}");
    }
    eprintln!("\n{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
