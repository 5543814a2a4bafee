//! End to end: `go build -toolexec=goaop` on real Go modules, run the
//! binaries and assert what the injected code did. These tests need the Go
//! toolchain and fail loudly without it.
//!
//! All toolexec builds share one GOCACHE (`<target>/goaop-test-gocache`):
//! a new rule set recompiles the standard library once, so the cases use
//! the example/shop aspects plus a single edit of them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::SHOP_OUTPUT;
use common::gobuild::{GOAOP, copy_tree, go, output, text, toolexec};

fn run_binary(bin: &Path) -> String {
    let o = Command::new(bin).output().unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    text(&o).0
}

/// Build the shop with `-toolexec`, logging tool calls to `log`.
fn toolexec_build(dir: &Path, bin: &Path, log: &Path) -> Output {
    let _ = std::fs::remove_file(log);
    let mut cmd = go(
        dir,
        &["build", &toolexec(), "-o", bin.to_str().unwrap(), "."],
    );
    cmd.env("GOAOP_LOG", log);
    output(cmd)
}

/// The real (non `-V=full`) compile calls of a logged build.
fn compiles(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("compile ") && *l != "compile -V=full")
        .map(str::to_string)
        .collect()
}

/// The whole toolexec story on one copy of example/shop, in order: the
/// woven binary, the plain one, the cache, `GOFLAGS`, compile errors, and
/// an aspect edit.
#[test]
fn shop_builds_woven_with_toolexec() {
    let dir = copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example/shop"),
        "shop",
    );
    let bin = dir.join("shop-bin");
    let log = dir.join("calls.log");

    // Woven.
    let o = toolexec_build(&dir, &bin, &log);
    assert!(o.status.success(), "{}", text(&o).1);
    let (_, stderr) = text(&o);
    assert!(
        stderr.contains(
            "goaop: aspect `tracing` skipped 1 join point(s) in example.com/shop/internal/obs"
        ),
        "{stderr}"
    );
    let out = run_binary(&bin);
    assert_eq!(out.lines().collect::<Vec<_>>(), SHOP_OUTPUT, "{out}");
    assert!(
        compiles(&log).iter().any(|c| c.contains("-p main")),
        "the first build compiles the main package"
    );
    // Each call's cost is logged once it is decided, for scripts/bench:
    // the woven compile of orders, `-V=full`, times and peak RSS.
    let calls = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("#goaop kind=compile-woven us=")
                && l.ends_with(" p=example.com/shop/orders")),
        "{calls}"
    );
    let costs = lines
        .iter()
        .filter(|l| l.starts_with("#goaop kind="))
        .count();
    let tool_calls = lines.iter().filter(|l| !l.starts_with("#goaop ")).count();
    assert_eq!(costs, tool_calls, "one cost line per call:\n{calls}");
    assert!(calls.contains("#goaop kind=version us="), "{calls}");
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("#goaop kind="))
            .all(|l| l.contains(" cpu_us=")
                && l.contains(" nested_cpu_us=")
                && l.contains(" ppid=")),
        "every cost line has the call's CPU time:\n{calls}"
    );
    // What goaop ran in place of the woven compile: its woven files, so
    // that scripts/bench can run that compile again.
    assert!(
        lines.iter().any(|l| l.starts_with("#goaop ran ")
            && l.contains("/compile ")
            && l.contains("-p example.com/shop/orders ")
            && l.contains("/goaop/")),
        "{calls}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.contains(" rss_kb=0 ") || l.ends_with(" rss_kb=0")),
        "peak RSS is read on Linux:\n{calls}"
    );

    // Plain: no spans.
    let plain = dir.join("shop-plain");
    let o = output(go(&dir, &["build", "-o", plain.to_str().unwrap(), "."]));
    assert!(o.status.success(), "{}", text(&o).1);
    let out = run_binary(&plain);
    assert!(!out.contains("span"), "{out}");
    assert!(out.contains("cancelled 1\n"), "{out}");

    // A second identical build compiles nothing: the -V=full tag keys the
    // Go build cache on the aspects.
    let o = toolexec_build(&dir, &bin, &log);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(compiles(&log), Vec::<String>::new());
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.contains("compile -V=full"), "{calls}");

    // GOFLAGS=-toolexec with `go run`.
    let mut cmd = go(&dir, &["run", "."]);
    cmd.env("GOFLAGS", toolexec());
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(text(&o).0.lines().collect::<Vec<_>>(), SHOP_OUTPUT);

    // A type error in a woven function: the same file:line:col as plainly.
    let orders = dir.join("orders/orders.go");
    let good = std::fs::read_to_string(&orders).unwrap();
    let bad = good.replace(
        "\tfmt.Println(\"reserved\", item)\n",
        "\tfmt.Println(\"reserved\", item)\n\tvar n int = \"x\"\n\t_ = n\n",
    );
    assert_ne!(bad, good);
    std::fs::write(&orders, &bad).unwrap();
    let plain_err = text(&output(go(&dir, &["build", "-o", "/dev/null", "."]))).1;
    let o = output(go(&dir, &["build", &toolexec(), "-o", "/dev/null", "."]));
    assert!(!o.status.success());
    let woven_err = text(&o).1;
    let locate = |s: &str| {
        s.lines().find_map(|l| {
            l.split_once("orders.go:")
                .map(|(_, rest)| rest.split(": ").next().unwrap().to_string())
        })
    };
    assert!(locate(&plain_err).is_some(), "{plain_err}");
    assert_eq!(
        locate(&woven_err),
        locate(&plain_err),
        "plain:\n{plain_err}\nwoven:\n{woven_err}"
    );
    std::fs::write(&orders, &good).unwrap();

    // Editing the aspects rebuilds, with the new advice.
    let aspects = dir.join("aspects.yaml");
    let yaml = std::fs::read_to_string(&aspects).unwrap();
    let edited = yaml.replace("\"{{.FuncName}}\"", "\"v2.{{.FuncName}}\"");
    assert_ne!(edited, yaml);
    std::fs::write(&aspects, edited).unwrap();
    let o = toolexec_build(&dir, &bin, &log);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(!compiles(&log).is_empty(), "an aspect edit recompiles");
    let out = run_binary(&bin);
    assert!(
        out.starts_with("span start orders/v2.ProcessOrder\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn scratch(tag: &str, aspects: Option<&str>) -> common::scratch::Scratch {
    common::scratch_module(
        &format!("toolexec-{tag}"),
        aspects,
        "package main\n\nfunc main() {}\n",
    )
}

/// No aspects: the build fails (exit 2 from goaop) instead of coming out
/// silently uninstrumented.
#[test]
fn a_module_without_aspects_fails_the_build() {
    let dir = scratch("none", None);
    let o = output(go(&dir, &["build", &toolexec(), "-o", "/dev/null", "."]));
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("has no aspects"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Aspect errors fail the build with the rendered diagnostics.
#[test]
fn aspect_errors_fail_the_build_with_diagnostics() {
    let dir = scratch(
        "bad",
        Some("aspects:\n  - name: broken\n    target: \"func (\"\n    before: |\n      x()\n"),
    );
    let o = output(go(&dir, &["build", &toolexec(), "-o", "/dev/null", "."]));
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("aspects.yaml"), "{err}");
    assert!(err.contains("error"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An integration whose module go.mod lacks: the build stops before any
/// compile, naming the `go get` to run (E0401).
#[test]
fn a_missing_integration_module_fails_the_build_with_the_go_get_to_run() {
    let dir = scratch("missing-module", Some("use: [otel]\n"));
    let o = output(go(&dir, &["build", &toolexec(), "-o", "/dev/null", "."]));
    let (_, err) = text(&o);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!o.status.success());
    assert!(
        err.contains("error[E0401]: the `otel` integration needs 5 modules in go.mod"),
        "{err}"
    );
    assert!(
        err.contains("run `go get go.opentelemetry.io/otel@v1.47.0 go.opentelemetry.io/otel/sdk@v1.47.0 go.opentelemetry.io/otel/sdk/metric@v1.47.0 go.opentelemetry.io/contrib/exporters/autoexport@v0.72.0 go.opentelemetry.io/contrib/instrumentation/runtime@v0.72.0`"),
        "{err}"
    );
    // Nothing was compiled: the failure comes from the first `-V=full` call.
    assert!(err.contains("error obtaining buildID"), "{err}");
}

/// `--config FILE` (from `-toolexec='goaop --config FILE'`) picks the
/// aspects; the build of a package they cannot touch still succeeds.
#[test]
fn config_flag_names_the_aspects() {
    let dir = scratch("config", None);
    std::fs::write(
        dir.join("other.yaml"),
        "aspects:\n  - name: bad\n    target: \"func (\"\n    before: |\n      x()\n",
    )
    .unwrap();
    let o = output(go(
        &dir,
        &[
            "build",
            &format!("-toolexec={GOAOP} --config other.yaml"),
            "-o",
            "/dev/null",
            ".",
        ],
    ));
    let (_, err) = text(&o);
    assert!(!o.status.success(), "other.yaml is broken: {err}");
    assert!(err.contains("other.yaml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `go test -toolexec=goaop`: the advice runs inside the package's own
/// tests (internal and external test packages, the generated test main
/// untouched), also with `-cover`, whose rewritten files carry their own
/// `//line` directives.
#[test]
fn go_test_runs_the_advice_inside_tests() {
    let dir = copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example/shop"),
        "gotest",
    );
    std::fs::write(
        dir.join("orders/orders_test.go"),
        "package orders\n\nimport (\n\t\"context\"\n\t\"testing\"\n)\n\nfunc TestProcess(t *testing.T) {\n\tif err := NewService().ProcessOrder(context.Background(), Order{ID: 7, Item: \"pen\"}); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("orders/external_test.go"),
        "package orders_test\n\nimport (\n\t\"context\"\n\t\"testing\"\n\n\t\"example.com/shop/orders\"\n)\n\nfunc TestCancelUnauthorized(t *testing.T) {\n\tif err := orders.NewService().CancelOrder(context.Background(), 1); err != orders.ErrUnauthorized {\n\t\tt.Fatalf(\"want ErrUnauthorized, got %v\", err)\n\t}\n}\n",
    )
    .unwrap();
    for extra in [&[][..], &["-cover"][..]] {
        let mut args = vec!["test", "-count=1", "-v"];
        let te = toolexec();
        args.push(&te);
        args.extend_from_slice(extra);
        args.push("./orders");
        let o = output(go(&dir, &args));
        let (out, err) = text(&o);
        assert!(
            o.status.success(),
            "go test {extra:?} failed:\n{out}\n{err}"
        );
        assert!(
            out.contains(
                "span start orders/ProcessOrder\n  span start orders/reserve\nreserved pen"
            ),
            "{extra:?}:\n{out}"
        );
        // The auth aspect refuses without permission: the external test sees it.
        assert!(
            out.contains("span error orders/CancelOrder: unauthorized"),
            "{extra:?}:\n{out}"
        );
        assert!(
            out.contains("--- PASS: TestCancelUnauthorized"),
            "{extra:?}:\n{out}"
        );
        if !extra.is_empty() {
            assert!(out.contains("coverage:"), "{out}");
        }
    }
    // Without goaop the same tests see no spans, and the auth test fails.
    let o = output(go(&dir, &["test", "-count=1", "-v", "./orders"]));
    let (out, _) = text(&o);
    assert!(!out.contains("span start"), "{out}");
    assert!(out.contains("--- FAIL: TestCancelUnauthorized"), "{out}");
}

/// A cgo package under `-race`: goaop weaves the cgo-generated Go files
/// (which carry their own `//line` directives) and the race-instrumented
/// build links with the injected import.
#[test]
fn cgo_package_under_race() {
    let dir = common::scratch::Scratch::new("toolexec-cgo");
    std::fs::write(dir.join("go.mod"), "module example.com/cgo\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.join("aspects.yaml"),
        "aspects:\n  - name: log\n    target: \"func (Twice|main)\\\\(\"\n    imports: { fmt: fmt }\n    before: |\n      fmt.Println(\"enter {{.FuncName}}\")\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\n// static int twice(int x) { return 2 * x; }\nimport \"C\"\n\nfunc Twice(x int) int {\n\treturn int(C.twice(C.int(x)))\n}\n\nfunc main() {\n\tprintln(Twice(21))\n}\n",
    )
    .unwrap();
    let o = output(go(&dir, &["run", "-race", &toolexec(), "."]));
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(out, "enter main\nenter Twice\n", "stderr:\n{err}");
    assert!(err.contains("42"), "{err}");
}

/// Deterministic output: two clean `-trimpath` builds of the shop, each with
/// its own empty build cache, give byte-identical binaries.
#[test]
fn trimpath_builds_are_byte_identical() {
    let shop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example/shop");
    let mut binaries = Vec::new();
    for n in 0..2 {
        let cache =
            std::env::temp_dir().join(format!("goaop-toolexec-cache{n}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&cache);
        let bin = cache.join("shop");
        let mut cmd = go(
            &shop,
            &[
                "build",
                "-trimpath",
                &toolexec(),
                "-o",
                bin.to_str().unwrap(),
                ".",
            ],
        );
        cmd.env("GOCACHE", cache.join("gocache"));
        let o = output(cmd);
        assert!(o.status.success(), "{}", text(&o).1);
        binaries.push(std::fs::read(&bin).unwrap());
        // And the woven code is really in there (not a plain build).
        assert_eq!(run_binary(&bin).lines().collect::<Vec<_>>(), SHOP_OUTPUT);
        let _ = std::fs::remove_dir_all(&cache);
    }
    assert!(
        binaries[0] == binaries[1],
        "two clean -trimpath builds differ"
    );
}

/// An aspect that imports a package from a module of go.mod (which the
/// woven package does not import), in module mode, vendor mode and a go.work
/// workspace. The module keeps the requirement with a `tools` file, as
/// `goaop init` will write it.
#[test]
fn injected_module_import_in_module_vendor_and_workspace_modes() {
    let root = common::scratch::Scratch::new("toolexec-modes");
    let app = root.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), "module example.com/app\n\ngo 1.22\n").unwrap();
    std::fs::write(
        app.join("aspects.yaml"),
        "aspects:\n  - name: group\n    target: \"func main\\\\(\"\n    imports: { errgroup: golang.org/x/sync/errgroup }\n    before: |\n      var g errgroup.Group\n      g.Go(func() error { println(\"in group {{.FuncName}}\"); return nil })\n      _ = g.Wait()\n",
    )
    .unwrap();
    std::fs::write(
        app.join("main.go"),
        "package main\n\nfunc main() {\n\tprintln(\"main\")\n}\n",
    )
    .unwrap();
    std::fs::write(
        app.join("goaop.tools.go"),
        "//go:build tools\n\npackage main\n\nimport _ \"golang.org/x/sync/errgroup\"\n",
    )
    .unwrap();
    let get = output(go(&app, &["get", "golang.org/x/sync@v0.10.0"]));
    assert!(
        get.status.success(),
        "go get (module proxy): {}",
        text(&get).1
    );

    let run = |dir: &Path, extra: &[&str]| {
        let te = toolexec();
        let mut args = vec!["run", te.as_str()];
        args.extend_from_slice(extra);
        args.push(".");
        let o = output(go(dir, &args));
        let (out, err) = text(&o);
        assert!(o.status.success(), "go run {extra:?}:\n{out}\n{err}");
        assert_eq!(err, "in group main\nmain\n", "go run {extra:?}");
    };
    run(&app, &[]);

    let vendor = output(go(&app, &["mod", "vendor"]));
    assert!(vendor.status.success(), "{}", text(&vendor).1);
    assert!(app.join("vendor/golang.org/x/sync/errgroup").is_dir());
    run(&app, &["-mod=vendor"]);

    std::fs::remove_dir_all(app.join("vendor")).unwrap();
    std::fs::write(root.join("go.work"), "go 1.22\n\nuse ./app\n").unwrap();
    run(&app, &[]);
}

/// `go install` and `go vet` with `-toolexec=goaop`: the installed binary is
/// woven; vet's tools pass through and the module vets clean.
#[test]
fn go_install_and_vet() {
    let dir = copy_tree(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example/shop"),
        "install",
    );
    let gobin = dir.join("bin");
    let mut cmd = go(&dir, &["install", &toolexec(), "."]);
    cmd.env("GOBIN", &gobin);
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(
        run_binary(&gobin.join("shop")).lines().collect::<Vec<_>>(),
        SHOP_OUTPUT
    );
    let o = output(go(&dir, &["vet", &toolexec(), "./..."]));
    assert!(o.status.success(), "go vet -toolexec: {}", text(&o).1);
}

/// Issue #11: a cold `-toolexec` build compiles every package once. The
/// nested `go list -export` that builds the closure of the advice's imports
/// runs through goaop with the outer build's `-V=full` tag, so a package
/// both need (`unicode/utf8` here, the standard library in general) is
/// compiled once and shared through the build cache, and a package only the
/// advice imports (`internal/obs`) is compiled through goaop (passed
/// through, never woven). A fresh GOCACHE, so nothing comes from earlier
/// tests.
#[test]
fn a_cold_build_compiles_each_package_once() {
    let dir = common::scratch_module(
        "toolexec-once",
        Some(
            "aspects:\n  - name: enter\n    target: \"func main\\\\(\"\n    imports: { obs: example.com/scratch/internal/obs }\n    before: |\n      obs.Enter(\"{{.FuncName}}\")\n",
        ),
        "package main\n\nimport \"unicode/utf8\"\n\nfunc main() {\n\tprintln(\"main\", utf8.RuneLen('é'))\n}\n",
    );
    std::fs::create_dir_all(dir.join("internal/obs")).unwrap();
    std::fs::write(
        dir.join("internal/obs/obs.go"),
        "package obs\n\nimport \"unicode/utf8\"\n\nfunc Enter(name string) {\n\tprintln(\"enter\", name, utf8.RuneCountInString(name))\n}\n",
    )
    .unwrap();
    let gocache = dir.join("gocache");
    let log = dir.join("calls.log");
    let bin = dir.join("bin");
    let mut cmd = go(
        &dir,
        &["build", &toolexec(), "-o", bin.to_str().unwrap(), "."],
    );
    cmd.env("GOCACHE", &gocache)
        .env("XDG_CACHE_HOME", dir.join("xdg"))
        .env("GOAOP_LOG", &log);
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = output(Command::new(&bin));
    assert_eq!(text(&o).1, "enter main 4\nmain 2\n", "woven");

    let mut count = std::collections::BTreeMap::<String, usize>::new();
    for line in compiles(&log) {
        let mut words = line.split(' ');
        if words.any(|w| w == "-p") {
            *count
                .entry(words.next().unwrap_or_default().to_string())
                .or_default() += 1;
        }
    }
    // scripts/bench takes the nested go commands' time out of goaop's own.
    let calls = std::fs::read_to_string(&log).unwrap();
    for kind in ["sources", "export"] {
        let line = format!("#goaop nested={kind} us=");
        assert!(
            calls.lines().any(|l| l.starts_with(&line)),
            "{line} in {calls}"
        );
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "compiled more than once: {twice:?}");
    for p in [
        "unicode/utf8",
        "example.com/scratch/internal/obs",
        "runtime",
        "main",
    ] {
        assert_eq!(
            count.get(p),
            Some(&1),
            "{p} compiled once, through goaop: {count:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
