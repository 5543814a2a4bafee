//! Values the user does not control can never become code (issue 9, items
//! 9–11; DESIGN §11): a program in a directory named `we*ird`, and one in
//! a directory whose path holds quotes, `);` and `*/` (a directory named
//! `a*`), with a file named `a");panic("x");println("b.go` and a struct tag
//! full of quotes in a signature, is built with `-toolexec` and in driver
//! mode and run: the advice prints the raw signature and file name, no
//! injected statement runs, and a compile error in user code reports the
//! same file:line:col as a plain build. Paths no `//line` directive can
//! carry (a line break) are refused, and a woven file that does not parse
//! stops the weave. These tests need the Go toolchain and fail loudly
//! without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gobuild::{go, output, text, toolexec};
use goaop::check::{Advice, CheckedAspect, Idents, JoinKind, Origin, Pointcut, Segment, Template};
use goaop::compile::RuleSet;
use goaop::diag::Sources;
use goaop::weave::{PackageInfo, SourceFile, WeaveError, weave_package};

/// The hostile file of package `sub`.
const HOSTILE_FILE: &str = "a\");panic(\"x\");println(\"b.go";

/// One rule set for every build here: the signature and the file name in a
/// string, in comments and in a raw string, and a call wrapped mid-line.
const ASPECTS: &str = r#"aspects:
  - name: show
    target: "^func (Tagged|Run)\\("
    imports: { fmt: fmt }
    before: |
      fmt.Println("sig=" + "{{.Signature}}")
      fmt.Println("file=" + "{{.File}}")
      // {{.Signature}} {{.File}}
      /* {{.Signature}} {{.File}} */
  - name: raw
    target: "^func (Tagged|Run)\\("
    imports: { fmt: fmt }
    before: |
      fmt.Println(`raw={{.Signature}}`)
  - name: upper
    call: strings.ToUpper
    imports: { strings: strings }
    wrap: strings.TrimSpace({{.Call}})
"#;

const MAIN_GO: &str = r#"package main

import (
	"fmt"
	"strings"

	"example.com/hostile/sub"
)

func Tagged(x struct {
	A int `json:"a\"); panic(\"x"`
}) string {
	return "tagged"
}

func main() {
	fmt.Println(Tagged(struct {
		A int `json:"a\"); panic(\"x"`
	}{}))
	fmt.Println(strings.ToUpper(" call "), "after")
	sub.Run()
}
"#;

const SUB_GO: &str = r#"package sub

import "fmt"

func Run() {
	fmt.Println("run")
}
"#;

/// What the woven program prints: the raw values, and no injected panic.
const WOVEN_OUTPUT: &[&str] = &[
    "sig=func Tagged(x struct{ A int `json:\"a\\\"); panic(\\\"x\"` }) string",
    "file=main.go",
    "tagged",
    "CALL after",
    "sig=func Run()",
    "file=a\");panic(\"x\");println(\"b.go",
    "raw=func Run()",
    "run",
];

/// A module with the hostile program at `root`.
fn write_module(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(
        root.join("go.mod"),
        "module example.com/hostile\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(root.join("aspects.yaml"), ASPECTS).unwrap();
    std::fs::write(root.join("main.go"), MAIN_GO).unwrap();
    std::fs::write(root.join("sub").join(HOSTILE_FILE), SUB_GO).unwrap();
}

fn run(bin: &Path) -> Vec<String> {
    let o = Command::new(bin).output().unwrap();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "the woven program failed:\n{stderr}");
    // The program writes only to stdout: anything on stderr (an injected
    // `println`, a `panic`) ran code the user did not write.
    assert_eq!(stderr, "", "the woven program wrote to stderr");
    stdout.lines().map(str::to_string).collect()
}

/// Every `main.go:L:C` a build's error output names.
fn positions(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once("main.go:")?;
            Some(rest.split(": ").next()?.to_string())
        })
        .collect()
}

fn build_run_and_locate_errors(root: &Path) {
    write_module(root);
    let bin = root.join("prog");

    // -toolexec.
    let o = output(go(
        root,
        &["build", &toolexec(), "-o", bin.to_str().unwrap(), "."],
    ));
    let (_, stderr) = text(&o);
    assert!(o.status.success(), "{}: {stderr}", root.display());
    assert!(
        stderr.contains("goaop: aspect `raw` skipped 1 join point(s) in example.com/hostile"),
        "the raw-string advice on Tagged is skipped, loudly: {stderr}"
    );
    assert_eq!(run(&bin), WOVEN_OUTPUT, "{}", root.display());

    // Driver mode weaves the same way.
    let driver = root.join("prog-driver");
    let o = common::goaop(root, &["go", "build", "-o", driver.to_str().unwrap(), "."]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(run(&driver), WOVEN_OUTPUT, "driver mode");

    // `goaop plan` says why `raw` skipped Tagged.
    let o = common::goaop(root, &["plan", "./..."]);
    let plan = text(&o).0;
    assert!(
        plan.contains("holds a backquote, which would end the raw string literal"),
        "{plan}"
    );

    // Compile errors in user code, after a resume at a line start (below
    // `before` advice) and after a mid-line one (behind the wrapped call),
    // keep the plain build's file:line:col.
    let bad = MAIN_GO
        .replace(
            "\treturn \"tagged\"\n",
            "\tvar n int = \"x\"\n\treturn \"tagged\"\n",
        )
        .replace("\"after\")", "\"after\", undefinedName)");
    std::fs::write(root.join("main.go"), bad).unwrap();
    let plain = text(&output(go(root, &["build", "-o", "/dev/null", "."]))).1;
    let o = output(go(root, &["build", &toolexec(), "-o", "/dev/null", "."]));
    assert!(!o.status.success());
    let woven = text(&o).1;
    let expected = positions(&plain);
    assert_eq!(expected.len(), 3, "{plain}");
    assert_eq!(
        positions(&woven),
        expected,
        "plain:\n{plain}\nwoven:\n{woven}"
    );
    std::fs::write(root.join("main.go"), MAIN_GO).unwrap();
}

fn base() -> PathBuf {
    std::env::temp_dir().join(format!("goaop-hostile-{}", std::process::id()))
}

#[test]
fn programs_in_hostile_directories_build_run_and_locate_errors() {
    let base = base();
    // `*` in a directory name, then quotes, `);` and `*/` in the path.
    build_run_and_locate_errors(&base.join("we*ird"));
    let nasty = base.join("q\"uo'te);x").join("a*");
    assert!(nasty.join("main.go").to_str().unwrap().contains("*/"));
    build_run_and_locate_errors(&nasty);
    let _ = std::fs::remove_dir_all(&base);
}

fn plain_aspect(segments: Vec<Segment>) -> CheckedAspect {
    CheckedAspect {
        name: "broken".into(),
        origin: Origin {
            file: "aspects.yaml".into(),
            line: 2,
        },
        kind: JoinKind::Execution,
        pointcut: Pointcut::Sig("^func Run".into()),
        requires: Vec::new(),
        results: Vec::new(),
        globals: Vec::new(),
        imports: Vec::new(),
        vars: Default::default(),
        advice: Advice {
            before: Some(Template {
                segments,
                returns: Vec::new(),
                is_call: false,
                origin: Origin {
                    file: "aspects.yaml".into(),
                    line: 5,
                },
                hoists: Vec::new(),
                local_literal: false,
                body_results: None,
                ..Default::default()
            }),
            ..Default::default()
        },
        idents: Idents::default(),
        order: 0,
        tests: false,
    }
}

fn weave_one(aspect: CheckedAspect, name: &str) -> Result<Option<String>, WeaveError> {
    let rules = RuleSet::build(&[aspect]).expect("rule set compiles");
    let file = SourceFile {
        name: name.into(),
        text: "package p\n\nfunc Run() {\n}\n".into(),
    };
    let info = PackageInfo {
        path: "example.com/p",
        main_module: Some("example.com/p"),
    };
    weave_package(&rules.view().unwrap(), &info, std::slice::from_ref(&file))
        .map(|mut w| w.files.remove(0))
}

/// A weave that writes Go that does not parse stops with the file and the
/// aspect named, instead of handing it to the compiler.
#[test]
fn a_woven_file_that_does_not_parse_is_an_error() {
    let ok = plain_aspect(vec![Segment::Lit("println(1)".into())]);
    assert!(weave_one(ok, "main.go").unwrap().is_some());
    let broken = plain_aspect(vec![Segment::Lit("println(1".into())]);
    let err = weave_one(broken, "main.go").unwrap_err();
    assert!(
        matches!(&err, WeaveError::Unparsable { file, aspects, .. } if file == "main.go" && aspects == "broken"),
        "{err}"
    );
    assert!(err.to_string().contains("does not parse"), "{err}");
}

/// A path with a line break would end the `//line` directive carrying it:
/// refused, naming the path, for Go files and aspect files alike.
#[test]
fn a_line_break_in_a_path_is_refused() {
    let ok = plain_aspect(vec![Segment::Lit("println(1)".into())]);
    let err = weave_one(ok.clone(), "/tmp/x\nfunc init() { panic(1) }\n//.go").unwrap_err();
    assert!(matches!(err, WeaveError::Path { .. }), "{err}");
    assert!(err.to_string().contains("rename"), "{err}");
    // A file no aspect touches is not written, so its name does not matter.
    let mut elsewhere = ok;
    elsewhere.pointcut = Pointcut::Sig("^func Other".into());
    assert_eq!(weave_one(elsewhere, "/tmp/x\ny.go").unwrap(), None);

    let mut sources = Sources::new();
    let id = sources.add(
        "dir\n//line x.go:1\n/aspects.yaml",
        "aspects:\n  - name: t\n    target: \"^func\"\n    before: println(1)\n".to_string(),
    );
    let out = goaop::check::check_files(&mut sources, &[id]);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.is_error() && d.code == goaop::diag::codes::UNSAFE_PATH),
        "{:?}",
        out.diagnostics
    );
}

/// An aspect file in a directory named `a*` (given by absolute path, as
/// `--config` does): statements it writes map to it with `//line` at line
/// starts; mid-line code keeps the site's position, since no `/*line*/` can
/// name its path.
#[test]
fn an_aspect_file_under_a_star_directory_is_never_named_mid_line() {
    let dir = base().join("aspects-in").join("a*");
    std::fs::create_dir_all(&dir).unwrap();
    let aspects = dir.join("aspects.yaml");
    std::fs::write(
        &aspects,
        "aspects:\n  - name: show\n    target: \"^func Run\"\n    before: println(\"{{.FuncName}}\")\n  - name: upper\n    call: strings.ToUpper\n    imports: { strings: strings }\n    wrap: strings.TrimSpace({{.Call}})\n",
    )
    .unwrap();
    let loaded = goaop::cli::check::load_and_check(&dir, std::slice::from_ref(&aspects));
    assert!(
        !loaded.checked.has_errors(),
        "{:?}",
        loaded.checked.diagnostics
    );
    let rules = RuleSet::build(&loaded.checked.aspects).unwrap();
    let file = SourceFile {
        name: "main.go".into(),
        text: "package p\n\nimport \"strings\"\n\nfunc Run() string {\n\treturn strings.ToUpper(\"x\")\n}\n"
            .into(),
    };
    let info = PackageInfo {
        path: "example.com/p",
        main_module: Some("example.com/p"),
    };
    let woven = weave_package(&rules.view().unwrap(), &info, std::slice::from_ref(&file))
        .unwrap()
        .files
        .remove(0)
        .unwrap();
    let path = aspects.display().to_string();
    assert!(woven.contains(&format!("//line {path}:4:13\n")), "{woven}");
    assert!(!woven.contains(&format!("/*line {path}")), "{woven}");
    assert!(
        woven.contains("return strings.TrimSpace(/*line main.go:6:9*/strings.ToUpper(\"x\"))/*line main.go:6:29*/"),
        "{woven}"
    );
    let _ = std::fs::remove_dir_all(base().join("aspects-in"));
}
