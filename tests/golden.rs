//! `goaop test`, the golden tests users write for their own aspects, run
//! as a user runs them: the real binary on the fixture modules under
//! `tests/golden/` (`module/`: passing cases in `testdata/aspect_tests`,
//! wrong ones in `testdata/wrong`, a case with no expected file in
//! `testdata/new`; `bad_aspects/`: aspects with an error), and on the
//! bundled example's own cases (`example/shop/testdata/aspect_tests`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::gobuild::{copy_tree, text};

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/golden").join(name)
}

/// `goaop <args>` in `dir`, with no go command on the PATH: `goaop test`
/// needs none.
fn goaop_test(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_goaop"))
        .current_dir(dir)
        .arg("test")
        .args(args)
        .env("PATH", "")
        .env_remove("GOAOP_CONFIG")
        .output()
        .expect("goaop runs")
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

const PASSING: &str = "\
ok      import_cycle
ok      nested/untouched
ok      plan_only
ok      store
ok      test_files
ok      traced
ok      two_files
ok: 7 cases passed in testdata/aspect_tests
";

#[test]
fn all_cases_pass() {
    let out = goaop_test(&fixture("module"), &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, PASSING);
    assert_eq!(stderr, "");
}

/// The cases mean what they say: the expected files hold the woven code
/// and the plan, with `case.yaml` deciding the import path.
#[test]
fn the_passing_fixtures_hold_woven_code() {
    let cases = fixture("module/testdata/aspect_tests");
    let traced = read(cases.join("traced/input.go.golden"));
    assert!(traced.starts_with("//line input.go:1:1\n"), "{traced}");
    assert!(
        traced.contains(r#"tracer.Start(ctx, "Process"/*line aspects.yaml:10:53*/)"#),
        "{traced}"
    );
    // The call-site aspect holds only where `case.yaml` puts the case in
    // internal/, and is skipped in the package its advice imports.
    let store = read(cases.join("store/input.go.golden"));
    assert!(store.contains("dbtrace.Wrap(/*line input.go:6:9*/sql.Open(\"postgres\", dsn)"));
    assert_eq!(
        read(cases.join("store/plan.txt")),
        "example.com/golden/internal/store\n  + db           database/sql.Open        input.go:6\n1 join point(s) woven, 0 skipped\n"
    );
    assert!(read(cases.join("import_cycle/plan.txt")).contains(
        "skipped: the advice imports this package: weaving it would create an import cycle"
    ));
    assert!(!cases.join("plan_only/input.go.golden").exists());
    // Test files are woven only by aspects with `tests: true`, as in `go test`.
    assert!(!cases.join("test_files/app_test.go.golden").exists());
    assert!(read(cases.join("test_files/plan.txt")).contains(
        "  . tracing      helper                   app_test.go:7\n      not woven: in a `_test.go` file"
    ));
    // Without case.yaml: the module path and the case's directory.
    assert!(
        read(cases.join("two_files/plan.txt"))
            .starts_with("example.com/golden/testdata/aspect_tests/two_files\n")
    );
}

/// The same answers from a subdirectory, for one case, and as JSON.
#[test]
fn any_directory_one_case_and_json() {
    let module = fixture("module");
    let out = goaop_test(&module.join("testdata"), &[]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out)
            .0
            .ends_with("ok: 7 cases passed in aspect_tests\n")
    );

    // The default import path follows the case's real place in the module.
    let out = goaop_test(
        &module.join("testdata"),
        &["../testdata/aspect_tests/../aspect_tests/two_files"],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    let out = goaop_test(&module, &["testdata/aspect_tests/traced"]);
    assert_eq!(
        text(&out).0,
        "ok      traced\nok: 1 case passed in testdata/aspect_tests/traced\n"
    );

    let out = goaop_test(&module, &["testdata/wrong", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["case"], "plan_differs");
    assert_eq!(rows[0]["passed"], false);
    assert_eq!(
        rows[0]["package"],
        "example.com/golden/testdata/wrong/plan_differs"
    );
    assert_eq!(rows[0]["problems"][0]["kind"], "differs");
    assert_eq!(rows[0]["problems"][0]["file"], "plan.txt");
    assert!(
        rows[0]["problems"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("+1 join point(s) woven, 1 skipped")
    );
    assert_eq!(rows[1]["problems"][0]["kind"], "stale");
}

/// A case directory named with terminal controls (a hostile checkout) is
/// shown with `?` in their place, never written to the terminal as is.
#[test]
fn case_names_cannot_drive_the_terminal() {
    let module = copy_tree(&fixture("module"), "golden-escape");
    let cases = module.join("testdata/aspect_tests");
    let hostile = "traced\u{1b}]0;pwned\u{7}\u{1b}[2J";
    std::fs::rename(cases.join("traced"), cases.join(hostile)).unwrap();
    let out = goaop_test(&module, &["testdata/aspect_tests"]);
    let (stdout, stderr) = text(&out);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("traced?]0;pwned??[2J"),
        "{stdout:?}{stderr:?}"
    );
    let _ = std::fs::remove_dir_all(&module);
}

#[test]
fn a_wrong_expectation_fails_with_a_diff() {
    let out = goaop_test(&fixture("module"), &["testdata/wrong"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    common::snapshots("golden").bind(|| insta::assert_snapshot!("wrong", stdout));
}

#[test]
fn update_accepts_the_output_then_the_cases_pass() {
    let module = copy_tree(&fixture("module"), "golden-update");
    let wrong = module.join("testdata/wrong");
    let out = goaop_test(&module, &["testdata/wrong", "--update"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        text(&out).0,
        "\
updated plan_differs   wrote plan.txt
updated stale          removed gone.go.golden
updated woven_differs  wrote input.go.golden
ok: 3 cases in testdata/wrong, 3 updated
"
    );
    // Only the expected files each case had: no woven file for plan_differs.
    assert!(!wrong.join("plan_differs/input.go.golden").exists());
    assert!(read(wrong.join("plan_differs/plan.txt")).contains("  - tracing      Ping"));
    assert!(!wrong.join("stale/gone.go.golden").exists());
    assert!(
        read(wrong.join("woven_differs/input.go.golden")).contains(r#"tracer.Start(ctx, "Handle""#)
    );

    let again = goaop_test(&module, &["testdata/wrong"]);
    assert_eq!(again.status.code(), Some(0), "{:?}", text(&again));
    assert!(
        text(&again)
            .0
            .ends_with("ok: 3 cases passed in testdata/wrong\n")
    );
    let _ = std::fs::remove_dir_all(&module);
}

#[test]
fn a_case_without_expected_files() {
    let module = copy_tree(&fixture("module"), "golden-new");
    let fresh = module.join("testdata/new/fresh");
    let out = goaop_test(&module, &["testdata/new"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out).0,
        "\
FAIL    fresh  testdata/new/fresh
    no expected output: run `goaop test --update` to write input.go.golden, plan.txt
FAIL: 1 of 1 case failed in testdata/new; `goaop test --update` accepts the actual output
"
    );
    assert!(
        !fresh.join("plan.txt").exists(),
        "nothing written without --update"
    );

    let out = goaop_test(&module, &["testdata/new", "--update"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out)
            .0
            .starts_with("updated fresh  wrote input.go.golden, wrote plan.txt\n")
    );
    assert_eq!(
        read(fresh.join("plan.txt")),
        "example.com/golden/testdata/new/fresh\n  + tracing      Fetch                    input.go:7\n1 join point(s) woven, 0 skipped\n"
    );
    assert!(read(fresh.join("input.go.golden")).contains(r#"tracer.Start(ctx, "Fetch""#));
    let again = goaop_test(&module, &["testdata/new"]);
    assert_eq!(
        text(&again).0,
        "ok      fresh\nok: 1 case passed in testdata/new\n"
    );
    let _ = std::fs::remove_dir_all(&module);
}

#[test]
fn aspect_errors_are_diagnostics_not_failing_cases() {
    let out = goaop_test(&fixture("bad_aspects"), &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stdout, "", "no case runs");
    assert!(
        stderr.contains("error[E0201]: unknown placeholder `{{.FuncNmae}}`"),
        "{stderr}"
    );
    assert!(stderr.contains("aspects.yaml:7:16"), "{stderr}");
    assert!(stderr.contains("did you mean `{{.FuncName}}`?"), "{stderr}");
}

#[test]
fn usage_errors() {
    let out = goaop_test(&fixture("module"), &["no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("error: no tests folder at no/such/dir")
    );

    let outside = common::scratch::Scratch::new("golden-nomod");
    let out = goaop_test(&outside, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("no go.mod found"), "{:?}", text(&out));
    let _ = std::fs::remove_dir_all(&outside);
}

/// The bundled example's own cases pass.
#[test]
fn example_shop_cases_pass() {
    let out = goaop_test(&common::root().join("example/shop"), &[]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(
        text(&out).0,
        "ok      cancel_order\nok      no_error_result\nok: 2 cases passed in testdata/aspect_tests\n"
    );
}

/// A case's expected woven file is what a build weaves (`goaop diff
/// --out`, which lists the package with the go command), with the
/// `//line` names relative instead of absolute.
#[test]
fn woven_golden_is_what_a_build_weaves() {
    let shop = copy_tree(&common::root().join("example/shop"), "golden-shop");
    let case = shop.join("testdata/aspect_tests/real_orders");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(shop.join("orders/orders.go"), case.join("input.go")).unwrap();
    std::fs::write(case.join("case.yaml"), "package: example.com/shop/orders\n").unwrap();
    let out = goaop_test(&shop, &["testdata/aspect_tests/real_orders", "--update"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    let dir = shop.join("woven-out");
    let mut diff = std::process::Command::new(env!("CARGO_BIN_EXE_goaop"));
    diff.current_dir(&shop)
        .args(["diff", "--out"])
        .arg(&dir)
        .arg("./orders")
        .env(
            "GOCACHE",
            common::gobuild::target().join("goaop-test-gocache"),
        )
        .env_remove("GOFLAGS");
    let out = common::gobuild::output(diff);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let listed = text(&out).0;
    let written = PathBuf::from(listed.trim());
    assert!(written.ends_with("orders/orders.go"), "{listed}");
    let root = written
        .strip_prefix(&dir)
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap();
    let root = Path::new("/").join(root).display().to_string();
    let built = read(&written)
        .replace(&format!("{root}/orders/orders.go"), "input.go")
        .replace(&format!("{root}/aspects.yaml"), "aspects.yaml");
    assert!(built.contains("//line input.go:1:1"), "{built}");
    assert_eq!(read(case.join("input.go.golden")), built);
    let _ = std::fs::remove_dir_all(&shop);
}

/// A case that cannot run fails alone, saying why; the others still run.
#[test]
fn a_broken_case_fails_alone() {
    let module = copy_tree(&fixture("module"), "golden-broken");
    let cases = module.join("testdata/aspect_tests");
    std::fs::write(cases.join("traced/case.yaml"), "pakage: example.com/x\n").unwrap();
    let out = goaop_test(&module, &[]);
    let stdout = text(&out).0;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "FAIL    traced            testdata/aspect_tests/traced\n    error: case.yaml: "
        ),
        "{stdout}"
    );
    assert!(stdout.contains("pakage"), "{stdout}");
    assert!(stdout.contains("ok      two_files\n"), "{stdout}");
    assert!(
        stdout.ends_with("FAIL: 1 of 7 cases failed in testdata/aspect_tests\n"),
        "no --update hint for a case that cannot run: {stdout}"
    );
    // An import path Go would refuse (here with a line break and a quote)
    // fails the case instead of silently matching no aspect.
    std::fs::write(
        cases.join("traced/case.yaml"),
        "package: \"example.com/x\\n\\\"); panic(1)\"\n",
    )
    .unwrap();
    let out = goaop_test(&module, &[]);
    let stdout = text(&out).0;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("    error: case.yaml: package \"example.com/x\\n\\\"); panic(1)\": "),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&module);
}

/// A checked-out repository can hold a symlink where an expected file goes
/// (`input.go.golden -> ~/.bashrc`): `--update` replaces the link with the
/// expected file and never writes through it.
#[test]
fn update_replaces_a_symlink_and_never_follows_it() {
    let module = copy_tree(&fixture("module"), "golden-symlink");
    let fresh = module.join("testdata/new/fresh");
    let victim = module.join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, fresh.join("input.go.golden")).unwrap();
    std::os::unix::fs::symlink(&victim, fresh.join("plan.txt")).unwrap();

    let out = goaop_test(&module, &["testdata/new", "--update"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(read(&victim), "precious\n", "written through the symlink");
    for f in ["input.go.golden", "plan.txt"] {
        let meta = std::fs::symlink_metadata(fresh.join(f)).unwrap();
        assert!(meta.file_type().is_file(), "{f} is a regular file now");
    }
    assert!(read(fresh.join("input.go.golden")).contains(r#"tracer.Start(ctx, "Fetch""#));
    let again = goaop_test(&module, &["testdata/new"]);
    assert_eq!(again.status.code(), Some(0), "{:?}", text(&again));
    let _ = std::fs::remove_dir_all(&module);
}
