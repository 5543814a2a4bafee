//! The `goaop` binary as a user runs it: exit codes, output formats, and
//! finding the module's aspects with no arguments.

mod common;

use std::path::Path;

use common::goaop;

#[test]
fn check_exit_codes() {
    let aspects = common::root().join("aspects");
    let clean = goaop(&aspects, &["check", "tracing_typed.yaml", "metrics.aspect"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(String::from_utf8_lossy(&clean.stderr).contains("ok: 2 aspects checked"));

    let warn = goaop(&aspects, &["check", "tracing.yaml"]);
    assert_eq!(
        warn.status.code(),
        Some(0),
        "warnings do not fail the check"
    );
    assert!(String::from_utf8_lossy(&warn.stderr).contains("warning[W0001]"));

    let bad = goaop(
        &common::root().join("tests/check"),
        &["check", "placeholder_typo.yaml"],
    );
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("error[E0201]") && err.contains("placeholder_typo.yaml:5:39"),
        "{err}"
    );

    let usage = goaop(&aspects, &["check", "--format", "xml"]);
    assert_eq!(usage.status.code(), Some(2));
    let missing = goaop(&aspects, &["check", "no-such-file.yaml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read `no-such-file.yaml`"));
}

#[test]
fn check_json_is_one_object_per_diagnostic() {
    let out = goaop(
        &common::root().join("tests/check"),
        &["check", "--format", "json", "many_errors_one_file.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5, "{text}");
    assert_eq!(rows[0]["code"], "E0203");
    assert_eq!(rows[0]["line"], 3);
    assert_eq!(rows[0]["column"], 19);
    assert!(rows.iter().all(|r| r["help"].is_string()));
}

#[test]
fn check_finds_the_module_aspects() {
    let shop = common::root().join("example/shop");
    let out = goaop(&shop.join("orders"), &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ok: 3 aspects checked"));
    // Outside any module: a usage error that says what was looked for.
    let out = goaop(Path::new("/"), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no go.mod found"));
}

#[test]
fn plan_and_diff_on_the_example() {
    let shop = common::root().join("example/shop");
    let plan = goaop(&shop, &["plan", "./..."]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    assert!(
        text.contains("+ tracing      (*OrderService).GetOrder"),
        "{text}"
    );
    // internal/auth is imported by the `auth` aspect's advice: weaving it
    // would make it import itself, so every mode skips it, with the reason.
    assert!(
        text.contains("- tracing      Check                        internal/auth/auth.go:12\n      skipped: the advice imports this package: weaving it would create an import cycle\n"),
        "{text}"
    );
    assert!(
        text.contains("skipped: no error result (results `err`); (*Tracer).Start returns"),
        "{text}"
    );
    assert!(text.contains("9 join point(s) woven, 3 skipped"), "{text}");

    let json = goaop(&shop, &["plan", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.iter().filter(|r| r["applied"] == true).count(), 9);

    let sigs = goaop(&shop, &["plan", "--signatures", "./orders"]);
    let text = String::from_utf8_lossy(&sigs.stdout);
    assert!(text.contains("orders/orders.go:42: func (*OrderService) GetOrder(c context.Context, id int) (Order, error)"), "{text}");

    let diff = goaop(&shop, &["diff", "./orders"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.starts_with("--- a/orders/orders.go\n+++ b/orders/orders.go\n"),
        "{text}"
    );
    // Each template line after its own `//line` with the column; the
    // binding `ctx` became `c`, so the column resumes after it.
    assert!(
        text.contains("+//line aspects.yaml:10:7\n+c/*line aspects.yaml:10:10*/, __goaop_span/*line aspects.yaml:10:16*/ := tracer.Start(c/*line aspects.yaml:10:36*/, \"GetOrder\""),
        "{text}"
    );
}

/// A package the go command cannot find is reported with go's own error
/// (`go list -e` gives it no `Dir`: once a parse failure of goaop's); a
/// missing import of a found package does not stop `plan` (the build
/// reports it).
#[test]
fn plan_reports_packages_go_cannot_find() {
    let shop = common::root().join("example/shop");
    let out = goaop(&shop, &["plan", "./nothere"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("package ./nothere:") && err.contains("directory not found"),
        "{err}"
    );
    assert!(!err.contains("unexpected `go list` output"), "{err}");
}

#[test]
fn missing_modules_are_named_with_the_go_get_to_run() {
    let dir = common::scratch_module(
        "missing-modules",
        Some(
            "use: [otel, grpc]\naspects:\n  - name: fanout\n    target: \"^func main\"\n    imports: { errgroup: golang.org/x/sync/errgroup }\n    before: |\n      var g errgroup.Group\n      defer g.Wait()\n",
        ),
        "package main\n\nfunc main() {}\n",
    );
    // otel's modules are required, otelgrpc and x/sync are not.
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/scratch\n\ngo 1.24\n\nrequire (\n\tgo.opentelemetry.io/otel v1.47.0\n\tgo.opentelemetry.io/otel/sdk v1.47.0 // indirect\n\tgo.opentelemetry.io/otel/sdk/metric v1.47.0 // indirect\n\tgo.opentelemetry.io/contrib/exporters/autoexport v0.72.0\n\tgo.opentelemetry.io/contrib/instrumentation/runtime v0.72.0\n\tgoogle.golang.org/grpc v1.85.0\n)\n",
    )
    .unwrap();
    let out = goaop(&dir, &["check"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    common::snapshots("cli").bind(|| insta::assert_snapshot!("missing_modules", stderr));
}

#[test]
fn list_bundled_names_every_integration() {
    let out = goaop(Path::new("/"), &["check", "--list-bundled"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["otel", "net/http", "database/sql", "grpc"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{name} "))),
            "{name} missing:\n{stdout}"
        );
    }
    common::snapshots("cli").bind(|| insta::assert_snapshot!("list_bundled", stdout));
}

#[test]
fn plan_shows_around_decisions_like_before_ones() {
    let dir = common::scratch_module(
        "plan-around",
        Some(
            "aspects:\n  - name: guarded\n    target: 'func (Ping|Load)\\('\n    around: |\n      if !ready() {\n          return\n      }\n      func() {\n          {{.Body}}\n      }()\n",
        ),
        "package main\n\nfunc ready() bool { return true }\n\nfunc Ping() {\n\tprintln(\"pong\")\n}\n\nfunc Load() (int, error) { return 1, nil }\n\nfunc main() {\n\tPing()\n\t_, _ = Load()\n}\n",
    );
    let plan = goaop(&dir, &["plan"]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    assert!(text.contains("+ guarded      Ping"), "{text}");
    assert!(
        text.contains("- guarded      Load")
            && text.contains("skipped: the `around` advice runs the body in a function literal that returns nothing, Load returns (int, error)"),
        "{text}"
    );
    assert!(text.contains("1 join point(s) woven, 1 skipped"), "{text}");

    let diff = goaop(&dir, &["diff"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains("+//line aspects.yaml:8:7\n+func() {\n+/*line main.go:5:14*/\n"),
        "{text}"
    );
    assert!(text.contains("+//line aspects.yaml:10:7\n+}()\n"), "{text}");
}

/// `tests:` is `true` or `false` (YAML and DSL alike); anything else is an
/// error at the value.
#[test]
fn tests_field_values_are_checked() {
    let dir = common::scratch_module(
        "tests-field",
        Some(
            "aspects:\n  - name: t\n    target: \"^func Test\"\n    tests: maybe\n    before: |\n      println(\"x\")\n  - name: u\n    target: \"^func Test\"\n    tests: true\n    before: |\n      println(\"y\")\n",
        ),
        "package main\n\nfunc main() {}\n",
    );
    std::fs::write(
        dir.join("more.aspect"),
        "aspect v {\n    pointcut target(\"^func Test\")\n    tests yes\n    before { println(\"z\") }\n}\naspect w {\n    pointcut target(\"^func Test\")\n    tests false\n    before { println(\"z\") }\n}\n",
    )
    .unwrap();
    let out = goaop(&dir, &["check"]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error[E0103]: `tests` is `true` or `false`, not `maybe`")
            && err.contains("aspects.yaml:4:12"),
        "{err}"
    );
    assert!(
        err.contains("error[E0103]: `tests` is `true` or `false`, not `yes`")
            && err.contains("more.aspect:3:11"),
        "{err}"
    );
    assert_eq!(err.matches("error[").count(), 2, "{err}");
}

/// `goaop --version` for the binary at `exe`, with its own cache dir.
fn version_of(exe: &Path, cache: &Path) -> String {
    let run = || {
        std::process::Command::new(exe)
            .arg("--version")
            .env("XDG_CACHE_HOME", cache)
            .output()
    };
    // A copy just written can be "busy" while another test thread's fork
    // still holds its descriptor (until that child execs).
    let mut out = run();
    for _ in 0..50 {
        match &out {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                out = run();
            }
            _ => break,
        }
    }
    let out = out.expect("goaop runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_reports_the_build_identity() {
    let cache = tempfile::tempdir().unwrap();
    let exe = Path::new(env!("CARGO_BIN_EXE_goaop"));
    // The version and the first 16 hex digits of the executable's blake3
    // hash: the identity the `-V=full` tag gives the Go build cache.
    let hash = blake3::hash(&std::fs::read(exe).unwrap()).to_hex();
    let expected = format!("goaop {}+{}\n", env!("CARGO_PKG_VERSION"), &hash[..16]);
    assert_eq!(version_of(exe, cache.path()), expected);
    let short = std::process::Command::new(exe)
        .arg("-V")
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(short.stdout).unwrap(), expected);
    // Another build with the same version number is told apart.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("goaop");
    std::fs::copy(exe, &copy).unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&copy)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"another build"))
        .unwrap();
    let other = version_of(&copy, cache.path());
    assert!(other.starts_with(&format!("goaop {}+", env!("CARGO_PKG_VERSION"))));
    assert_ne!(other, expected);
}

/// On Linux goaop starts from the C `main`, without Rust's runtime set-up
/// (src/main.rs, `start`), and keeps what of it changes behaviour: with
/// `SIGPIPE` left at its default, output to a reader that is gone would
/// kill goaop by the signal instead of being a write error it ignores.
#[cfg(target_os = "linux")]
#[test]
fn output_to_a_closed_pipe_is_an_error_not_a_signal() {
    use std::os::unix::process::ExitStatusExt;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_goaop"))
        .arg("explain")
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), out.status.signal()),
        (Some(0), None),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
