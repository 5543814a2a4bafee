//! Woven code is transparent (DESIGN §11): the program behaves like the
//! user's program plus the advice. One program (tests/integrations_e2e/
//! transparency, in the module the integration tests share so that its
//! `-toolexec` builds reuse their standard library and OpenTelemetry SDK;
//! the module's aspects.yaml has the bundled integrations, `otel` and
//! `net/http` among them, plus aspects of every shape kept to this
//! program's packages) is built plain and with `-toolexec=goaop`; both
//! binaries run and their output must be equal once the advice's own lines
//! are removed:
//!
//! - the names of the user's closures (`runtime.FuncForPC`), nested ones
//!   and ones inside an advised literal, under before + after (goto form),
//!   a call-site `replace`, and the bundled otel setup in `main`;
//! - the function names and lines of a panic's stack;
//! - `recover()` in a deferred advised function, `runtime.Caller`, a router
//!   whose deferred `recv` (handler signature, never a value) recovers;
//! - a shadowed import, a derived context and a blank parameter bound twice;
//! - an `around` whose body sits in a block skips a function that assigns
//!   its result with `:=` (it would declare a new one there);
//! - nested advised calls are each advised, and `append-args` after a
//!   spread never evaluates a call twice;
//! - `runtime.Caller` after line directives (`/*line*/` mid-line, `//line`
//!   without a column) and after a directive's text inside a string;
//!
//! and `t.Helper()` still reports the caller's line, and a compile error
//! after a renamed blank parameter keeps its column. Needs the Go toolchain
//! (and the module cache or proxy for the OpenTelemetry modules).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gobuild::{go, output, text, toolexec};
use common::services::Services;

/// The program's directory in the shared module's copy, where the go
/// commands run (file names in their output are relative to it). The tests
/// share it and change nothing in it but the binaries of the first test.
fn program_dir() -> PathBuf {
    Services::of("transparency").dir.join("transparency")
}

fn build(dir: &Path, woven: bool, out: &str) -> PathBuf {
    let bin = dir.join(out);
    let bin_arg = bin.display().to_string();
    let te = toolexec();
    let mut args = vec!["build"];
    if woven {
        args.push(&te);
    }
    args.extend(["-o", &bin_arg, "."]);
    let o = output(go(dir, &args));
    assert!(
        o.status.success(),
        "go {} failed:\n{}",
        args.join(" "),
        text(&o).1
    );
    bin
}

fn run(bin: &Path) -> String {
    let o = Command::new(bin)
        .env("OTEL_TRACES_EXPORTER", "none")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&o);
    assert!(
        o.status.success(),
        "{} failed:\n{stdout}{stderr}",
        bin.display()
    );
    stdout
}

/// The lines of `go test`/`go build` output that mention `needle`.
fn lines_with(out: &std::process::Output, needle: &str) -> Vec<String> {
    let (stdout, stderr) = text(out);
    stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains(needle))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn woven_program_behaves_like_the_plain_one_plus_the_advice() {
    let dir = program_dir();
    let plain = run(&build(&dir, false, "plain"));
    let woven = run(&build(&dir, true, "woven"));

    // The plain program says what the woven one must keep.
    for expected in [
        "closure main.main.func1",
        "closure main.Outer.func1",
        "closure main.Outer.func2",
        "closure main.Outer.func2.1",
        "closure main.Results.func1",
        "closure main.Shout.func1",
        "closure main.Lit.func1.1",
        "closure main.Lit.func1",
        "frames main.Trace.func1@main.go:",
        "recovered boom",
        "caller main.go:",
        "fetch x y%20z",
        "status 500",
        "router recovered handler",
        "parse 42 <nil>",
        "sum 3",
        "nested IN-OUT",
        "joined EOF",
        "someErrors ran\njoined once unexpected EOF",
        // Line directives: `/*line*/` mid-line, `//line` without a column,
        // and a directive's text inside a string, which is none.
        "lines 20 lines.go:27",
        "lines A gen.tmpl:200",
        "lines B gen.tmpl:201",
        "lines C gen.y:300",
        "lines gen.y:301",
    ] {
        assert!(
            plain.contains(expected),
            "plain output lacks {expected:?}:\n{plain}"
        );
    }
    let user: Vec<&str> = woven
        .lines()
        .filter(|l| !l.starts_with("advice: "))
        .collect();
    let plain_lines: Vec<&str> = plain.lines().collect();
    assert_eq!(
        user, plain_lines,
        "the woven program's own output differs from the plain one's\n--- woven ---\n{woven}"
    );
    // And the advice ran.
    for advice in [
        "advice: enter Outer",
        "advice: exit Outer",
        "advice: enter Results",
        "advice: exit Results",
        "advice: upper hi",
        "advice: enter Lit.func1",
        "advice: exit Lit.func1",
        "advice: enter Trace",
        "advice: exit Trace",
        "advice: enter handle",
        "advice: exit handle",
        "advice: escaped a%20b",
        "advice: ctx-one true",
        "advice: ctx-two true",
        "advice: block Sum",
        // Both calls of a nested pair are advised, the inner one first.
        "advice: upper in",
        "advice: upper IN-out",
        "advice: enter Lines",
        "advice: exit Lines",
        "advice: upper c",
    ] {
        assert!(
            woven.lines().any(|l| l == advice),
            "the advice did not run: no {advice:?} in\n{woven}"
        );
    }
    // Hello and Ping each got both context aspects.
    assert_eq!(woven.matches("advice: ctx-one true").count(), 2, "{woven}");
}

#[test]
fn plan_skips_what_would_change_the_program() {
    let dir = program_dir();
    let out = common::goaop(&dir, &["plan", "--format", "json", "."]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "goaop plan failed:\n{stdout}{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let row = |site: &str, aspect: &str| {
        rows.iter()
            .find(|r| r["site"] == site && r["aspect"] == aspect)
            .cloned()
    };
    // The router's deferred recv is only ever called: not a served handler.
    for aspect in ["http-handler", "http-route"] {
        assert!(
            row("(*router).recv", aspect).is_none(),
            "recv is advised by {aspect}:\n{stdout}"
        );
        let serve = row("(*router).ServeHTTP", aspect).expect("ServeHTTP is a handler");
        assert_eq!(serve["applied"], true, "{serve}");
    }
    // A served handler literal records its route, and is never re-served.
    assert_eq!(row("serve.func1", "http-route").unwrap()["applied"], true);
    assert!(row("serve.func1", "http-handler").is_none(), "{stdout}");
    // `around` would move these bodies into a closure.
    for (site, why) in [
        ("handle", "recover()"),
        ("where", "runtime.Caller"),
        ("checkEqual", "t.Helper()"),
    ] {
        let r = row(site, "guard").unwrap_or_else(|| panic!("no guard row for {site}"));
        let skipped = r["skipped"].as_str().unwrap_or("");
        assert!(skipped.contains(why), "{site}: {r}");
    }
    // The body would move into the `around`'s block, where `v, err :=`
    // declares a new `err`.
    let parse = row("Parse", "block").expect("a block row for Parse");
    assert!(
        parse["skipped"]
            .as_str()
            .is_some_and(|s| s.contains("inside a block") && s.contains("`err`")),
        "{parse}"
    );
    assert_eq!(row("Sum", "block").unwrap()["applied"], true, "{stdout}");
    // append-args copies a spread variable, and would evaluate a spread
    // call three times.
    let joins: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["site"] == "errors.Join" && r["aspect"] == "join")
        .collect();
    assert_eq!(joins.len(), 2, "{stdout}");
    assert_eq!(joins[0]["applied"], true, "{stdout}");
    assert!(
        joins[1]["skipped"]
            .as_str()
            .is_some_and(|s| s.contains("more than once")),
        "{stdout}"
    );
}

/// `t.Helper()` in a function an `around` selected: it is skipped, so the
/// failure is reported at the caller's line, as in a plain test.
#[test]
fn test_helper_reports_the_callers_line() {
    let dir = program_dir();
    let plain = output(go(
        &dir,
        &["test", "-count=1", "-run", "TestHelperLine", "."],
    ));
    let te = toolexec();
    let woven = output(go(
        &dir,
        &["test", &te, "-count=1", "-run", "TestHelperLine", "."],
    ));
    let plain_lines = lines_with(&plain, "got 1, want 2");
    assert_eq!(
        plain_lines,
        ["main_test.go:6: got 1, want 2"],
        "{:?}",
        text(&plain)
    );
    assert_eq!(
        lines_with(&woven, "got 1, want 2"),
        plain_lines,
        "{:?}",
        text(&woven)
    );
}

/// A compile error after a blank parameter goaop renamed (`_` →
/// `__goaop_ctx`) on the same line: the same file:line:col as a plain build.
#[test]
fn compile_errors_keep_their_columns() {
    let dir = program_dir();
    let plain = output(go(&dir, &["build", "./broken"]));
    let te = toolexec();
    let woven = output(go(&dir, &["build", &te, "./broken"]));
    assert!(!plain.status.success() && !woven.status.success());
    let plain_lines = lines_with(&plain, "undefinedName");
    assert_eq!(
        plain_lines,
        ["broken/broken.go:5:45: undefined: undefinedName"],
        "{:?}",
        text(&plain)
    );
    assert_eq!(
        lines_with(&woven, "undefinedName"),
        plain_lines,
        "{:?}",
        text(&woven)
    );
}
