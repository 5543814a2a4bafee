//! A compile error inside woven advice points at the exact line and column
//! of the aspect file, and goaop's note says which advice it is and which
//! functions it was woven into, under `go build -toolexec=goaop` and
//! `goaop go build` alike (DESIGN §7). One scratch module whose `before`
//! advice has a type error on its second line, woven into two functions.
//! Needs the Go toolchain.

mod common;

use std::path::Path;
use std::process::Command;

use common::gobuild::{GOAOP, go, output, target, text, toolexec};

const ASPECTS: &str = "aspects:
  - name: audit
    target: '^func (Create|Delete)\\('
    imports: { fmt: fmt }
    before: |
      label := \"{{.FuncName}}\"
      var n int = label
      fmt.Println(\"audit\", n)
";

const MAIN: &str = "package main

func Create(id int) int {
\treturn id + 1
}

func Delete(id int) int {
\treturn id - 1
}

func main() {
\tprintln(Create(1), Delete(2))
}
";

/// `goaop go …` with the suite's shared Go build cache.
fn driver(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(GOAOP);
    cmd.current_dir(dir)
        .arg("go")
        .args(args)
        .env("GOCACHE", target().join("goaop-test-gocache"))
        .env("XDG_CACHE_HOME", target().join("goaop-test-cache"))
        .env_remove("GOFLAGS")
        .env_remove("GOAOP_CONFIG");
    cmd
}

#[test]
fn errors_in_advice_name_the_aspect_line_column_and_functions() {
    let dir = common::scratch_module("advice-errors", Some(ASPECTS), MAIN);
    // Where `label` is on the advice's second line, in the file.
    let (line, col) = ASPECTS
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("var n int = label").map(|c| (i + 1, c + 13)))
        .unwrap();
    assert_eq!((line, col), (7, 19));
    let at = format!("aspects.yaml:{line}:{col}");

    let woven = output(go(&dir, &["build", &toolexec(), "-o", "woven", "."]));
    let driven = output(driver(&dir, &["build", "-o", "driven", "."]));
    let plain = output(go(&dir, &["build", "-o", "plain", "."]));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(plain.status.success(), "{:?}", text(&plain));

    for (mode, o) in [("-toolexec", &woven), ("goaop go build", &driven)] {
        let (stdout, stderr) = text(o);
        let all = format!("{stdout}{stderr}");
        assert_eq!(o.status.code(), Some(1), "{mode}:\n{all}");
        // The compiler's error, at the exact place in the aspect file.
        let error = all
            .lines()
            .find(|l| l.contains("cannot use __goaop_label"))
            .unwrap_or_else(|| panic!("{mode}: no type error in\n{all}"));
        assert!(
            error.ends_with(&format!(
                "{at}: cannot use __goaop_label (variable of type string) as int value in variable declaration"
            )),
            "{mode}: {error}"
        );
        // goaop's note: the advice and both functions it was woven into.
        let notes: Vec<&str> = all.lines().filter(|l| l.starts_with("goaop: ")).collect();
        assert_eq!(notes.len(), 1, "{mode}:\n{all}");
        let note = notes[0];
        assert!(
            note.contains(&format!("{at} is in the `before` advice of aspect `audit`")),
            "{mode}: {note}"
        );
        assert!(
            note.ends_with(", woven into Create (main.go:3), Delete (main.go:7)"),
            "{mode}: {note}"
        );
    }
    // Driver mode: the note right after the error it is about.
    let (_, stderr) = text(&driven);
    let lines: Vec<&str> = stderr.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("cannot use __goaop_label"))
        .unwrap();
    assert!(lines[i + 1].starts_with("goaop: "), "{stderr}");
}
