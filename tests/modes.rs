//! `-toolexec`, driver mode (`goaop go`) and `goaop plan`/`diff` agree on
//! what is woven: the same packages, the same files (test files only with
//! `tests: true`), the same skips (the closure of the advice's imports),
//! byte for byte. One rule set (tests/modes/app/aspects.yaml) serves every
//! case, so the `-toolexec` builds recompile the standard library once.
//! These tests need the Go toolchain and fail loudly without it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::gobuild::{backdate, copy_tree, go, output, text, toolexec};
use common::woven::{
    assert_same_woven, diff_woven, driver_woven, goaop, goaop_cmd, toolexec_woven,
};

fn fixture(tag: &str) -> common::scratch::Scratch {
    copy_tree(&common::root().join("tests/modes/app"), tag)
}

/// The `enter …` lines the advice printed.
fn entered(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("enter "))
        .map(str::to_string)
        .collect()
}

/// What `go test -v ./...` of the fixture prints through the advice, in
/// every mode: `tests` (with `tests: true`) weaves the test functions of the
/// root package and of the subpackage, internal and external alike; `trace`
/// (without) weaves the packages' other files only, so the test file's
/// `helper` is not traced; nothing of obs/util (the advice's closure).
const TEST_ENTERED: &[&str] = &[
    "example.com/app.Greet",
    "example.com/app/sub.Sub",
    "test example.com/app.TestGreet",
    "test example.com/app/sub.TestSub",
    "test example.com/app/sub_test.TestSubExternal",
    "test example.com/app_test.TestExternal",
];

/// Write a user's `overlay.json` into the fixture: sub/sub.go replaced,
/// sub/extra.go added (paths relative to the module root).
fn user_overlay(dir: &Path) {
    let user = dir.join("user-overlay");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("sub.go"),
        "package sub\n\nfunc Sub() string { return Extra() }\n",
    )
    .unwrap();
    std::fs::write(
        user.join("extra.go"),
        "package sub\n\nfunc Extra() string { return \"overlaid\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("overlay.json"),
        r#"{"Replace": {"sub/sub.go": "user-overlay/sub.go", "sub/extra.go": "user-overlay/extra.go"}}"#,
    )
    .unwrap();
}

/// Items #9.6 and #10.7: the same module under `go test -toolexec`,
/// `goaop go test` and `goaop plan/diff --tests` gives the same woven set
/// and the same skips, byte for byte.
#[test]
fn every_mode_weaves_the_same_files_and_skips_the_same_join_points() {
    let dir = fixture("agree");

    // plan --tests: the closure of `example.com/app/internal/obs` is
    // skipped with the reason; test files are listed, woven only by `tests`.
    let plan = goaop(&dir, &["plan", "--tests", "--format", "json", "./..."]);
    assert!(plan.status.success(), "{}", text(&plan).1);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&plan.stdout).unwrap();
    let row = |site: &str, aspect: &str| {
        rows.iter()
            .find(|r| r["site"] == site && r["aspect"] == aspect)
            .unwrap_or_else(|| panic!("no {aspect} decision for {site}: {rows:#?}"))
    };
    let skipped =
        |site: &str, aspect: &str| row(site, aspect)["skipped"].as_str().unwrap().to_string();
    assert_eq!(
        skipped("Upper", "trace"),
        "the advice imports `example.com/app/internal/obs`, which depends on this package: weaving it would create an import cycle"
    );
    assert_eq!(skipped("Print", "trace"), skipped("Upper", "trace"));
    assert_eq!(
        skipped("Enter", "trace"),
        "the advice imports this package: weaving it would create an import cycle"
    );
    assert_eq!(row("helper", "trace")["test_file"], true);
    assert!(skipped("helper", "trace").contains("does not set `tests: true`"));
    let applied: BTreeSet<String> = rows
        .iter()
        .filter(|r| r["applied"] == true)
        .map(|r| {
            format!(
                "{} {} {}",
                r["aspect"].as_str().unwrap(),
                r["package"].as_str().unwrap(),
                r["site"].as_str().unwrap()
            )
        })
        .collect();
    let want: BTreeSet<String> = [
        "trace example.com/app Greet",
        "trace example.com/app Variant",
        "trace example.com/app/cmd/x main",
        "trace example.com/app/sub Sub",
        "tests example.com/app TestGreet",
        "tests example.com/app_test TestExternal",
        "tests example.com/app/sub TestSub",
        "tests example.com/app/sub_test TestSubExternal",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(applied, want);
    // Without --tests: what `go build` compiles, no test file at all.
    let plan = goaop(&dir, &["plan", "./..."]);
    let (human, _) = text(&plan);
    assert!(!human.contains("_test.go"), "{human}");
    assert!(
        human.contains("4 join point(s) woven, 3 skipped\n"),
        "{human}"
    );

    // go test -toolexec.
    let te = toolexec();
    let o = output(go(&dir, &["test", "-work", "-count=1", "-v", &te, "./..."]));
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let want: BTreeSet<String> = TEST_ENTERED.iter().map(|s| s.to_string()).collect();
    assert_eq!(entered(&out), want, "{out}");
    assert!(
        err.contains(
            "goaop: aspect `trace` skipped 2 join point(s) in example.com/app/internal/util;"
        ) && err.contains(
            "goaop: aspect `trace` skipped 1 join point(s) in example.com/app/internal/obs;"
        ),
        "{err}"
    );
    let by_toolexec = toolexec_woven(&err);

    // goaop go test: the same advice ran, the same skips are counted.
    let o = goaop(&dir, &["go", "test", "-work", "-count=1", "-v", "./..."]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(entered(&out), want, "{out}");
    assert!(
        err.contains("goaop: aspect `trace` skipped 3 join point(s); `goaop plan` says why"),
        "{err}"
    );
    let by_driver = driver_woven(&err);
    let by_diff = diff_woven(&dir, &["--tests", "./..."]);

    assert_same_woven(("-toolexec", &by_toolexec), ("driver mode", &by_driver));
    assert_same_woven(
        ("driver mode", &by_driver),
        ("goaop diff --tests", &by_diff),
    );
    let names: Vec<&str> = by_diff
        .keys()
        .map(|k| k.strip_prefix(dir.to_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "/app.go",
            "/app_ext_test.go",
            "/app_test.go",
            "/cmd/x/main.go",
            "/sub/sub.go",
            "/sub/sub_ext_test.go",
            "/sub/sub_test.go",
            "/untagged.go",
        ]
    );
    // Files named on the command line are the package of their directory.
    let want: BTreeSet<String> = [
        "example.com/app.Greet",
        "example.com/app.Variant",
        "example.com/app/cmd/x.main",
        "example.com/app/sub.Sub",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = output(go(&dir, &["run", &te, "cmd/x/main.go"]));
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(entered(&text(&o).0), want, "{}", text(&o).0);
    let o = goaop(&dir, &["go", "run", "cmd/x/main.go"]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(entered(&text(&o).0), want, "{}", text(&o).0);
    // A file outside the module: `command-line-arguments` (`-toolexec`
    // passed it through unwoven, as a package it could not name).
    let outside = common::scratch::Scratch::new("outside");
    let file = outside.join("x.go");
    std::fs::write(
        &file,
        "package main\n\nfunc main() { println(\"outside\") }\n",
    )
    .unwrap();
    let file = file.display().to_string();
    for o in [
        output(go(&dir, &["run", &te, &file])),
        goaop(&dir, &["go", "run", &file]),
    ] {
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert!(err.contains("enter outside main\noutside\n"), "{out}{err}");
    }

    // A user's overlay: both modes weave the replacement (and the file it
    // adds) under the original file's name.
    user_overlay(&dir);
    let bin = dir.join("x-bin").display().to_string();
    let o = output(go(
        &dir,
        &[
            "build",
            "-work",
            "-overlay=overlay.json",
            &te,
            "-o",
            &bin,
            "./cmd/x",
        ],
    ));
    assert!(o.status.success(), "{}", text(&o).1);
    let overlaid_toolexec = toolexec_woven(&text(&o).1);
    let o = goaop(
        &dir,
        &[
            "go",
            "build",
            "-work",
            "-overlay=overlay.json",
            "-o",
            &bin,
            "./cmd/x",
        ],
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let overlaid_driver = driver_woven(&text(&o).1);
    // (The packages the overlay leaves alone come from the build cache.)
    for f in ["sub/sub.go", "sub/extra.go"] {
        let f = format!("{}/{f}", dir.display());
        assert!(
            overlaid_toolexec.get(&f) == overlaid_driver.get(&f)
                && overlaid_driver.contains_key(&f),
            "{f}: -toolexec and driver mode differ:\n{overlaid_toolexec:#?}\n{overlaid_driver:#?}"
        );
    }
    let extra = &overlaid_driver[&format!("{}/sub/extra.go", dir.display())];
    assert!(
        extra.contains("Enter(\"example.com/app/sub.Extra\""),
        "{extra}"
    );

    // The internal test file is woven by `tests` only.
    let app_test = &by_diff[&format!("{}/app_test.go", dir.display())];
    assert!(
        app_test.contains("Enter(\"test example.com/app.TestGreet\""),
        "{app_test}"
    );
    assert!(!app_test.contains("example.com/app.helper"), "{app_test}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Item #9.7: driver mode weaves what the go command compiles, with the
/// build's flags: `-tags`, the user's `-overlay` (woven from the
/// replacement, files it adds woven too; also from GOFLAGS), `-C`, and a
/// command run from a subdirectory.
#[test]
fn driver_mode_weaves_what_the_go_command_compiles() {
    let dir = fixture("driver-flags");
    let run = |cwd: &Path, args: &[&str]| {
        let mut all = vec!["go", "run"];
        all.extend_from_slice(args);
        let o = goaop(cwd, &all);
        let (out, err) = text(&o);
        assert!(o.status.success(), "goaop go run {args:?}:\n{out}\n{err}");
        out
    };

    let out = run(&dir, &["-tags=foo", "./cmd/x"]);
    assert!(out.ends_with("HELLO X sub tagged\n"), "{out}");
    assert!(entered(&out).contains("example.com/app.Variant"), "{out}");
    let out = run(&dir, &["-tags", "foo", "./cmd/x"]);
    assert!(
        out.contains("enter example.com/app.Variant\nHELLO X sub tagged\n"),
        "{out}"
    );

    // The user's overlay: sub.go replaced, extra.go added.
    user_overlay(&dir);
    let want_overlaid = |out: &str| {
        assert!(out.ends_with("HELLO X overlaid untagged\n"), "{out}");
        let e = entered(out);
        assert!(
            e.contains("example.com/app/sub.Sub") && e.contains("example.com/app/sub.Extra"),
            "{out}"
        );
    };
    want_overlaid(&run(&dir, &["-overlay=overlay.json", "./cmd/x"]));
    let mut cmd = goaop_cmd(&dir, &["go", "run", "./cmd/x"]);
    cmd.env(
        "GOFLAGS",
        format!("-overlay={}", dir.join("overlay.json").display()),
    );
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    want_overlaid(&text(&o).0);
    // Or in the go env file (`go env -w GOFLAGS=…`): the go command reads
    // it, so goaop must too (it asks `go env`).
    let env_file = dir.join("go-env");
    std::fs::write(
        &env_file,
        format!("GOFLAGS=-overlay={}\n", dir.join("overlay.json").display()),
    )
    .unwrap();
    let mut cmd = goaop_cmd(&dir, &["go", "run", "./cmd/x"]);
    cmd.env("GOENV", &env_file);
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    want_overlaid(&text(&o).0);

    // From a subdirectory, and with -C: the root package is woven too.
    let want: BTreeSet<String> = [
        "example.com/app.Greet",
        "example.com/app.Variant",
        "example.com/app/cmd/x.main",
        "example.com/app/sub.Sub",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = run(&dir.join("cmd"), &["./x"]);
    assert_eq!(entered(&out), want, "{out}");
    assert!(out.ends_with("HELLO X sub untagged\n"), "{out}");
    let out = run(&dir, &["-C", "cmd/x", "."]);
    assert_eq!(entered(&out), want, "{out}");

    // The go command ignores -overlay for files it instruments for
    // coverage: a coverage build would come out unwoven, so it is refused.
    for args in [
        &["test", "-cover", "./sub"][..],
        &["test", "-coverpkg=./...", "./sub"],
    ] {
        let mut all = vec!["go"];
        all.extend_from_slice(args);
        let o = goaop(&dir, &all);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
        assert!(
            err.contains("golang/go#73802") && err.contains("-toolexec=goaop"),
            "{err}"
        );
    }
    // Nor does it weave twice under a -toolexec of GOFLAGS.
    let mut cmd = goaop_cmd(&dir, &["go", "build", "./..."]);
    cmd.env("GOFLAGS", toolexec());
    let o = output(cmd);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    assert!(
        text(&o).1.contains("would be woven again"),
        "{}",
        text(&o).1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The differential check on example/shop: `go build -toolexec`, `goaop go
/// build` and `goaop diff --out` weave byte-identical files, and both
/// binaries print the woven output.
#[test]
fn shop_is_woven_byte_identically_in_every_mode() {
    let dir = copy_tree(&common::root().join("example/shop"), "modes-shop");
    let bin = dir.join("shop-toolexec");
    let te = toolexec();
    let o = output(go(
        &dir,
        &["build", "-work", &te, "-o", bin.to_str().unwrap(), "."],
    ));
    assert!(o.status.success(), "{}", text(&o).1);
    let by_toolexec = toolexec_woven(&text(&o).1);
    let run = |bin: &Path| {
        let o = Command::new(bin).output().unwrap();
        assert!(o.status.success());
        text(&o).0
    };
    assert_eq!(run(&bin).lines().collect::<Vec<_>>(), common::SHOP_OUTPUT);

    let bin = dir.join("shop-driver");
    let o = goaop(
        &dir,
        &["go", "build", "-work", "-o", bin.to_str().unwrap(), "."],
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let by_driver = driver_woven(&text(&o).1);
    assert_eq!(run(&bin).lines().collect::<Vec<_>>(), common::SHOP_OUTPUT);
    let by_diff = diff_woven(&dir, &["./..."]);

    assert_same_woven(("-toolexec", &by_toolexec), ("driver mode", &by_driver));
    assert_same_woven(("driver mode", &by_driver), ("goaop diff", &by_diff));
    assert_eq!(by_diff.len(), 1, "{:?}", by_diff.keys());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue #11: driver mode keeps its two `go list`s across builds
/// (src/buildset/kept_lists.rs), so a no-op `goaop go build` lists nothing,
/// and lists again whenever the build may differ: a new package reached by
/// an edit, a new package under `./...`, other build flags. Each rebuild
/// must still weave what it compiles (a stale listing would leave the new
/// package unwoven with exit 0). A `go` on PATH in front of the real one
/// counts the listings.
#[test]
fn driver_mode_lists_again_exactly_when_the_build_may_differ() {
    let dir = fixture("driver-kept");
    let shim = dir.join(".shim");
    let log = dir.join(".shim/lists.log");
    std::fs::create_dir_all(&shim).unwrap();
    let real_go = String::from_utf8(
        output({
            let mut c = go(&dir, &["env", "GOROOT"]);
            c.env_remove("GOTOOLCHAIN");
            c
        })
        .stdout,
    )
    .unwrap();
    let real_go = Path::new(real_go.trim()).join("bin/go");
    std::fs::write(
        shim.join("go"),
        format!(
            "#!/bin/sh\n[ \"$1\" = list ] && echo \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real_go.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(shim.join("go"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", shim.display(), std::env::var("PATH").unwrap());
    // Files saved within the last seconds are not trusted to be what a
    // listing saw (store::kept::TOO_RECENT): make the fixture older.
    // Their change times too: let them settle.
    let settle = || {
        backdate(&dir, std::time::Duration::from_secs(3600));
        std::thread::sleep(std::time::Duration::from_millis(2100));
    };
    let lists = |args: &[&str], env: &[(&str, &str)]| -> (String, usize) {
        let _ = std::fs::remove_file(&log);
        let mut cmd = goaop_cmd(&dir, args);
        cmd.env("PATH", &path);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "goaop {args:?}:\n{out}\n{err}");
        let n = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count();
        (out, n)
    };
    let run_x = ["go", "run", "./cmd/x"];

    settle();
    let (cold, n) = lists(&run_x, &[]);
    assert_eq!(n, 2, "the packages and the closure of the advice's imports");
    assert!(entered(&cold).contains("example.com/app/sub.Sub"), "{cold}");
    let (noop, n) = lists(&run_x, &[]);
    assert_eq!(
        (noop.as_str(), n),
        (cold.as_str(), 0),
        "a no-op build lists nothing"
    );

    // An edit that reaches a new package of the module: listed, and woven.
    std::fs::create_dir_all(dir.join("fresh")).unwrap();
    std::fs::write(
        dir.join("fresh/fresh.go"),
        "package fresh\n\nfunc Fresh() string { return \"fresh\" }\n",
    )
    .unwrap();
    let main_go = dir.join("cmd/x/main.go");
    let main = std::fs::read_to_string(&main_go).unwrap();
    let main = main
        .replace(
            "\"example.com/app/sub\"",
            "\"example.com/app/sub\"\n\t\"example.com/app/fresh\"",
        )
        .replace("app.Variant())", "app.Variant(), fresh.Fresh())");
    std::fs::write(&main_go, main).unwrap();
    let (out, n) = lists(&run_x, &[]);
    assert_eq!(n, 2, "an edited package is listed again");
    assert!(
        entered(&out).contains("example.com/app/fresh.Fresh"),
        "{out}"
    );
    assert!(out.ends_with("fresh\n"), "{out}");
    // Saved just now: not kept (listed again), then kept once settled.
    assert_eq!(lists(&run_x, &[]).1, 2);
    settle();
    assert_eq!(lists(&run_x, &[]).1, 2);
    assert_eq!(lists(&run_x, &[]).1, 0);

    // Other flags or environment: another listing.
    let (tagged, n) = lists(&["go", "run", "-tags=foo", "./cmd/x"], &[]);
    assert_eq!(n, 2);
    assert!(tagged.contains("sub tagged"), "{tagged}");
    let (tagged, n) = lists(&run_x, &[("GOFLAGS", "-tags=foo")]);
    assert_eq!(n, 2);
    assert!(tagged.contains("sub tagged"), "{tagged}");
    assert_eq!(lists(&run_x, &[]).1, 0, "each kept under its own key");

    // `./...`: a new command under the walk is built, and woven.
    let bin = dir.join(".bin");
    let bin_arg = format!("-o={}/", bin.display());
    let build_all = ["go", "build", bin_arg.as_str(), "./..."];
    assert_eq!(lists(&build_all, &[]).1, 2);
    assert_eq!(lists(&build_all, &[]).1, 0);
    std::fs::create_dir_all(dir.join("cmd/y")).unwrap();
    std::fs::write(
        dir.join("cmd/y/main.go"),
        "package main\n\nfunc main() { println(\"y\") }\n",
    )
    .unwrap();
    assert_eq!(lists(&build_all, &[]).1, 2, "a new package under ./...");
    let o = output(Command::new(bin.join("y")));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "enter example.com/app/cmd/y.main\n",
        "{}",
        text(&o).1
    );

    // Woven packages are kept too (src/buildset/kept_woven.rs): an edited
    // file is woven again, and an aspect edit weaves everything again.
    let sub_go = dir.join("sub/sub.go");
    let sub = std::fs::read_to_string(&sub_go).unwrap();
    std::fs::write(
        &sub_go,
        sub.replace("return \"sub\"", "return Sub2()")
            + "\nfunc Sub2() string { return \"sub2\" }\n",
    )
    .unwrap();
    let (out, _) = lists(&run_x, &[]);
    assert!(entered(&out).contains("example.com/app/sub.Sub2"), "{out}");
    assert!(out.contains("HELLO X sub2 untagged"), "{out}");
    let aspects = dir.join("aspects.yaml");
    let yaml = std::fs::read_to_string(&aspects).unwrap();
    std::fs::write(
        &aspects,
        yaml.replace(
            "obs.Enter(\"{{.QualifiedName}}\")",
            "obs.Enter(\"v2 {{.QualifiedName}}\")",
        ),
    )
    .unwrap();
    let (out, _) = lists(&run_x, &[]);
    assert!(
        entered(&out).contains("v2 example.com/app/sub.Sub2"),
        "{out}"
    );
    assert!(entered(&out).contains("v2 example.com/app.Greet"), "{out}");
    settle();
    let (again, _) = lists(&run_x, &[]);
    assert_eq!(again, out, "kept and woven alike");

    // A settled build hands the go command the same woven files from
    // goaop's content store (src/store/content.rs). Removed or damaged
    // there, they are woven and written again, never handed over missing.
    // A cache of its own: other tests' builds read the shared one. Not in
    // the module: a directory that changes while a build runs is not kept.
    let own = dir.with_extension("xdg");
    let xdg = [("XDG_CACHE_HOME", own.to_str().unwrap())];
    let content = own.join("goaop/content");
    let (first, n) = lists(&run_x, &xdg);
    assert_eq!((first.as_str(), n), (out.as_str(), 2));
    let entries = || {
        let mut v: Vec<_> = std::fs::read_dir(&content)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let written = entries();
    assert_eq!(lists(&run_x, &xdg), (first.clone(), 0));
    assert_eq!(entries(), written, "a no-op writes no new entry");
    std::fs::remove_dir_all(&content).unwrap();
    assert_eq!(lists(&run_x, &xdg), (first.clone(), 0), "entries removed");
    assert_eq!(entries().len(), written.len());
    for e in entries() {
        for f in std::fs::read_dir(e).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|x| x == "go") {
                std::fs::write(&f, "package damaged\n").unwrap();
            }
        }
    }
    assert_eq!(lists(&run_x, &xdg), (first.clone(), 0), "entries damaged");
    let _ = std::fs::remove_dir_all(&own);

    // The same module through a symbolic link: the go command names its
    // directories after $PWD, so a listing from one name must not serve
    // the other (the overlay would name files the build never opens, and
    // the whole program would come out unwoven).
    let link = dir.with_extension("link");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    let from = |cwd: &Path| {
        let _ = std::fs::remove_file(&log);
        let mut cmd = goaop_cmd(cwd, &run_x);
        cmd.env("PATH", &path).env("PWD", cwd);
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "from {}:\n{out}\n{err}", cwd.display());
        let n = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count();
        (entered(&out).contains("v2 example.com/app/sub.Sub"), n)
    };
    settle();
    assert_eq!(from(&link), (true, 2));
    assert_eq!(from(&link), (true, 0));
    assert_eq!(from(&dir), (true, 2), "another name, another listing");
    assert_eq!(from(&link), (true, 0));
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_dir_all(&dir);
}
