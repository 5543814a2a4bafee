//! Aspect packs: a Go module shipping aspects.yaml (tests/packs/pack,
//! `example.com/acme/goaop-greet`, whose advice calls its own helper
//! package) required by a fixture module through `replace => ../pack`
//! (tests/packs/app, `use: [example.com/acme/goaop-greet]`).
//!
//! The e2e case builds with `-toolexec` and in driver mode and runs the
//! binaries (the pack's advice prints), then edits the replaced pack in
//! place (its template, its helper, and a new `use:` of a second pack) and
//! builds again: the new binary must print the new advice (the rule-set
//! cache follows the pack's files and the packs they use). Two rule sets
//! in all. The
//! error cases only run `goaop check` on edited copies and snapshot the
//! diagnostics (snapshots/packs/). Needs the Go toolchain (go list -m);
//! fails loudly without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gobuild::{GOAOP, copy_tree, go, output, target, text, toolexec};

/// `goaop args…` in `dir` with the suite's shared caches.
fn goaop(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(GOAOP);
    cmd.current_dir(dir)
        .args(args)
        .env("GOCACHE", target().join("goaop-test-gocache"))
        .env("XDG_CACHE_HOME", target().join("goaop-test-cache"))
        .env_remove("GOFLAGS")
        .env_remove("GOAOP_CONFIG")
        .env_remove("GOWORK");
    cmd
}

/// A fresh copy of tests/packs (removed when dropped); derefs to its
/// `app` directory.
struct Fixture {
    _copy: common::scratch::Scratch,
    app: PathBuf,
}

impl std::ops::Deref for Fixture {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.app
    }
}

fn fixture(tag: &str) -> Fixture {
    let copy = copy_tree(&common::root().join("tests/packs"), tag);
    let app = copy.join("app");
    Fixture { _copy: copy, app }
}

fn run(bin: &Path) -> String {
    let out = output(Command::new(bin));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    stdout
}

const WOVEN_V1: &str = "pack advice v1 ran in main\npack advice v1 ran in Work\npack advice v1 ran in leaving Work\nwork: 42\n";

#[test]
fn a_pack_is_woven_by_both_modes_and_its_edits_rebuild() {
    let app = fixture("packs-build");
    let bin = app.join("bin");

    let out = output(goaop(&app, &["plan", "./..."]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    for line in [
        "+ greet        Work",
        "+ greet        main",
        "+ farewell     Work",
    ] {
        assert!(stdout.contains(line), "{line}:\n{stdout}");
    }

    let out = output(goaop(&app, &["check", "--list-packs"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    for part in [
        "example.com/acme/goaop-greet",
        "module example.com/acme/goaop-greet v0.0.0",
        "pack",
        "aspect greet",
        "aspect farewell",
        "../pack/aspects.yaml",
        "../pack/farewell.aspect",
    ] {
        assert!(stdout.contains(part), "{part}:\n{stdout}");
    }

    let out = output(goaop(&app, &["check", "--list-packs", "--format", "json"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let pack: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(pack["pack"], "example.com/acme/goaop-greet");
    assert_eq!(pack["version"], "v0.0.0");
    assert_eq!(pack["used_at"]["line"], 1);
    assert_eq!(pack["aspects"], serde_json::json!(["greet", "farewell"]));

    let out = output(go(&app, &["build", &toolexec(), "-o", "bin", "."]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(run(&bin), WOVEN_V1);

    std::fs::remove_file(&bin).unwrap();
    let out = output(goaop(&app, &["go", "build", "-o", "bin", "."]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(run(&bin), WOVEN_V1);

    // Edit the replaced pack in place: its template and its helper.
    let pack = app.join("../pack");
    let yaml = pack.join("aspects.yaml");
    let edited = std::fs::read_to_string(&yaml).unwrap().replace(
        "hello.Say(\"{{.FuncName}}\")",
        "hello.Say(\"{{.FuncName}} (edited)\")",
    );
    std::fs::write(&yaml, edited).unwrap();
    // ...and make it use a second pack of its module: the cached closure
    // of packs must follow (no go.mod change).
    rewrite(
        &yaml,
        "aspects:",
        "use: [example.com/acme/goaop-greet/more]\naspects:",
    );
    std::fs::create_dir_all(pack.join("more")).unwrap();
    std::fs::write(
        pack.join("more/aspects.yaml"),
        "aspects:\n  - name: more\n    target: \"^func Work\\\\(\"\n    imports: {hello: example.com/acme/goaop-greet/hello}\n    before: |\n      hello.Say(\"more {{.FuncName}}\")\n",
    )
    .unwrap();
    let helper = pack.join("hello/hello.go");
    let edited = std::fs::read_to_string(&helper)
        .unwrap()
        .replace("advice v1", "advice v2");
    std::fs::write(&helper, edited).unwrap();

    let out = output(go(&app, &["build", &toolexec(), "-o", "bin", "."]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        run(&bin),
        "pack advice v2 ran in main (edited)\npack advice v2 ran in Work (edited)\n\
         pack advice v2 ran in more Work\npack advice v2 ran in leaving Work\nwork: 42\n"
    );
}

/// `goaop check` in the app of a copy whose files `edit` changed: the
/// exit code and stderr.
fn check_after(tag: &str, edit: impl FnOnce(&Path, &Path)) -> (i32, String) {
    let app = fixture(tag);
    edit(&app, &app.join("../pack"));
    let out = output(goaop(&app, &["check"]));
    let (_, stderr) = text(&out);
    (out.status.code().unwrap_or(-1), stderr)
}

fn rewrite(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{}: {from}", file.display());
    std::fs::write(file, text.replace(from, to)).unwrap();
}

#[test]
fn a_broken_pack_is_reported_in_the_packs_own_file() {
    let (code, stderr) = check_after("packs-broken", |_, pack| {
        // A YAML syntax error: a flow mapping never closed.
        rewrite(
            &pack.join("aspects.yaml"),
            "      hello: example.com/acme/goaop-greet/hello",
            "      { hello: example.com/acme/goaop-greet/hello",
        );
    });
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("../pack/aspects.yaml:"), "{stderr}");
    common::snapshots("packs").bind(|| insta::assert_snapshot!("broken_pack", stderr));
}

#[test]
fn a_pack_no_module_provides_names_the_go_get() {
    let (code, stderr) = check_after("packs-missing", |app, _| {
        rewrite(
            &app.join("aspects.yaml"),
            "use: [example.com/acme/goaop-greet]",
            "use: [otel, example.com/acme/goaop-greet]",
        );
        // The DSL names packs the same way.
        std::fs::write(
            app.join("kafka.aspect"),
            "use \"example.com/acme/goaop-kafka\"\n",
        )
        .unwrap();
    });
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("run `go get example.com/acme/goaop-kafka@latest`"),
        "{stderr}"
    );
    common::snapshots("packs").bind(|| insta::assert_snapshot!("not_required", stderr));
}

#[test]
fn a_package_without_aspects_a_bad_path_and_a_cycle_are_errors() {
    let (code, stderr) = check_after("packs-cycle", |app, pack| {
        rewrite(
            &app.join("aspects.yaml"),
            "use: [example.com/acme/goaop-greet]",
            "use: [example.com/acme/goaop-greet, example.com/acme/goaop-greet/hello, example.com/acme/goaop-greet/../../etc]",
        );
        // The pack uses itself through a second pack in its own module.
        std::fs::create_dir_all(pack.join("more")).unwrap();
        std::fs::write(
            pack.join("more/aspects.yaml"),
            "use: [example.com/acme/goaop-greet]\n",
        )
        .unwrap();
        rewrite(
            &pack.join("aspects.yaml"),
            "aspects:",
            "use: [example.com/acme/goaop-greet/more]\naspects:",
        );
    });
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("E0404") && stderr.contains("E0405"),
        "{stderr}"
    );
    common::snapshots("packs").bind(|| insta::assert_snapshot!("empty_and_cycle", stderr));
}

#[test]
fn a_vendored_pack_is_read_from_vendor() {
    let app = fixture("packs-vendor");
    // `go mod vendor` copies the pack's directory (aspect files included)
    // when a tools file imports its packages.
    std::fs::write(
        app.join("tools.go"),
        "//go:build tools\n\npackage main\n\nimport (\n\t_ \"example.com/acme/goaop-greet\"\n\t_ \"example.com/acme/goaop-greet/hello\"\n)\n",
    )
    .unwrap();
    let out = output(go(&app, &["mod", "vendor"]));
    assert!(out.status.success(), "{:?}", text(&out));
    let out = output(goaop(&app, &["check", "--list-packs"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    for part in [
        "module example.com/acme/goaop-greet v0.0.0\n",
        "/vendor/example.com/acme/goaop-greet\n",
        "file   vendor/example.com/acme/goaop-greet/aspects.yaml\n",
        "aspect farewell",
    ] {
        assert!(stdout.contains(part), "{part}:\n{stdout}");
    }
}

#[test]
fn init_use_adds_a_pack_and_names_the_go_get_it_needs() {
    let app = fixture("packs-init");
    std::fs::write(app.join("aspects.yaml"), "aspects: []\n").unwrap();
    let out = output(goaop(
        &app,
        &[
            "init",
            "--use",
            "example.com/acme/goaop-greet,example.com/acme/goaop-kafka",
        ],
    ));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(app.join("aspects.yaml")).unwrap(),
        "use: [example.com/acme/goaop-greet, example.com/acme/goaop-kafka]\naspects: []\n"
    );
    // go.mod requires the first (through `replace`), not the second.
    assert!(
        stdout.contains(
            "aspect pack example.com/acme/goaop-kafka is not in go.mod yet: run `go get example.com/acme/goaop-kafka@latest`\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("goaop-greet is not in go.mod"), "{stdout}");
}
