//! End to end: build and run real Go programs with the aspects woven in
//! (`goaop go run`), and assert what the injected code did. These tests need
//! the Go toolchain and fail loudly without it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::goaop;

fn go(dir: &Path, args: &[&str]) -> Output {
    Command::new("go")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the Go toolchain (go) is required by the end-to-end tests")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn shop_example_runs_woven_and_plain() {
    let dir = common::root().join("example/shop");
    let plain = go(&dir, &["run", "."]);
    let (plain_out, plain_err) = text(&plain);
    assert!(plain.status.success(), "{plain_err}");
    assert!(
        !plain_out.contains("span"),
        "the plain build has no tracing:\n{plain_out}"
    );
    assert!(
        plain_out.contains("cancelled 1\ncancelled 1\n"),
        "{plain_out}"
    );

    let woven = goaop(&dir, &["go", "run", "."]);
    let (out, err) = text(&woven);
    assert!(woven.status.success(), "{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        common::SHOP_OUTPUT,
        "woven output:\n{out}\nstderr:\n{err}"
    );
    // The logging aspect (log/slog, which the package does not import) logs
    // every exported method call, outermost.
    let logged: Vec<&str> = err
        .lines()
        .filter_map(|l| {
            l.split_once(" INFO call method=example.com/shop/orders.")
                .map(|(_, m)| m)
        })
        .collect();
    assert_eq!(
        logged,
        [
            "(*OrderService).ProcessOrder",
            "(*OrderService).GetOrder",
            "(*OrderService).CancelOrder",
            "(*OrderService).CancelOrder",
            "(*OrderService).Total",
        ],
        "stderr:\n{err}"
    );
    assert!(!plain_err.contains("INFO"), "{plain_err}");
}

/// A panic inside a woven function reports the ORIGINAL file and line, and
/// a compile error in user code reads as without goaop.
#[test]
fn positions_point_at_the_original_source() {
    let dir = common::scratch_module(
        "e2e-positions",
        Some(
            "aspects:\n  - name: log\n    target: \"func (Explode|main)\"\n    imports: { fmt: fmt }\n    before: |\n      fmt.Println(\"enter {{.FuncName}}\")\n      defer fmt.Println(\"exit {{.FuncName}}\")\n",
        ),
        "package main\n\nfunc Explode(n int) int {\n\tif n > 0 {\n\t\tpanic(\"boom\")\n\t}\n\treturn n\n}\n\nfunc main() {\n\tExplode(1)\n}\n",
    );
    let out = goaop(&dir, &["go", "run", "."]);
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stdout.contains("enter Explode") && stdout.contains("exit Explode"),
        "{stdout}"
    );
    let main_go = dir.join("main.go").display().to_string();
    assert!(
        stderr.contains(&format!("{main_go}:5")),
        "panic must point at main.go:5:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("{main_go}:11")),
        "caller must point at main.go:11:\n{stderr}"
    );

    // A type error in user code: same file:line:col as a plain build.
    std::fs::write(dir.join("main.go"), "package main\n\nfunc Explode(n int) int {\n\treturn \"x\"\n}\n\nfunc main() {\n\tExplode(1)\n}\n").unwrap();
    let plain = text(&go(&dir, &["build", "-o", "/dev/null", "."])).1;
    let woven = text(&goaop(&dir, &["go", "build", "-o", "/dev/null", "."])).1;
    // `./main.go:4:9: …` plainly, an absolute path through the overlay.
    let locate = |s: &str| {
        s.lines().find_map(|l| {
            l.split_once("main.go:")
                .map(|(_, rest)| rest.split(": ").next().unwrap().to_string())
        })
    };
    assert_eq!(locate(&plain).as_deref(), Some("4:9"), "{plain}");
    assert_eq!(
        locate(&woven),
        locate(&plain),
        "plain:\n{plain}\nwoven:\n{woven}"
    );
}
