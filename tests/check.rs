//! `check` diagnostics: every bad input under tests/check/ renders to a
//! snapshot in snapshots/check/, and every example under aspects/ is clean.

mod common;

use std::path::{Path, PathBuf};

use goaop::cli::Format;
use goaop::cli::check::{load_and_check, load_check_compile, report};

/// What `goaop check` reports: load, check and compile (E03xx included).
fn run(dir: &Path, files: &[PathBuf]) -> (String, i32) {
    let (loaded, _) = load_check_compile(dir, files);
    let human = report(&loaded, Format::Human, false);
    let json = report(&loaded, Format::Json, false);
    assert_eq!(human.code, json.code);
    (
        format!("{}\n--- json ---\n{}", human.stderr, json.stdout),
        human.code,
    )
}

#[test]
fn bad_inputs_render_to_snapshots() {
    let dir = common::root().join("tests/check");
    let cases = common::fixtures("tests/check", &["yaml", "aspect"]);
    assert!(
        cases.len() >= 45,
        "expected at least 45 cases, found {}",
        cases.len()
    );
    let settings = common::snapshots("check");
    for case in cases {
        let file = PathBuf::from(case.file_name().unwrap());
        let stem = case.file_stem().unwrap().to_str().unwrap().to_string();
        let (out, code) = run(&dir, std::slice::from_ref(&file));
        let warn_only = stem.ends_with("_warn")
            || stem.ends_with("_dsl") && stem.contains("warn")
            || stem.starts_with("unused_");
        if warn_only {
            assert_eq!(code, 0, "{stem}: warnings must not fail the check\n{out}");
            assert!(
                out.contains("warning["),
                "{stem}: expected a warning\n{out}"
            );
        } else {
            assert_eq!(code, 1, "{stem}: expected errors\n{out}");
            assert!(out.contains("error["), "{stem}: expected an error\n{out}");
        }
        // Every diagnostic names file:line:col and says how to fix it.
        let name = file.to_str().unwrap();
        assert!(
            out.contains(&format!("┌─ {name}:")),
            "{stem}: no file:line:col\n{out}"
        );
        let headers = out.matches("error[").count() + out.matches("warning[").count();
        assert!(
            out.matches("= help:").count() >= headers,
            "{stem}: a diagnostic lacks a help line\n{out}"
        );
        settings.bind(|| insta::assert_snapshot!(stem, out));
    }
}

#[test]
fn problems_across_files_are_all_reported() {
    let dir = common::root().join("tests/check/multi");
    let (out, code) = run(&dir, &["a.yaml".into(), "b.aspect".into()]);
    assert_eq!(code, 1);
    assert!(out.contains("two aspects are named `tracing`"), "{out}");
    assert!(out.contains("a.yaml") && out.contains("b.aspect"), "{out}");
    common::snapshots("check").bind(|| insta::assert_snapshot!("multi_file", out));
}

#[test]
fn examples_are_clean() {
    let dir = common::root().join("aspects");
    let files = common::fixtures("aspects", &["yaml", "aspect"]);
    assert!(
        files.len() >= 10,
        "aspects/ should hold the examples in both languages"
    );
    let settings = common::snapshots("check");
    for f in files {
        let file = PathBuf::from(f.file_name().unwrap());
        let stem = format!("example_{}", file.to_str().unwrap().replace('.', "_"));
        let (out, code) = run(&dir, std::slice::from_ref(&file));
        assert_eq!(
            code,
            0,
            "{}: examples must check clean\n{out}",
            file.display()
        );
        assert!(!out.contains("error["), "{out}");
        settings.bind(|| insta::assert_snapshot!(stem, out));
    }
}

/// Every template line knows its column in the aspect file (for the
/// `//line file:L:C` of woven code): YAML block scalars and DSL bodies strip
/// an indentation, a quoted YAML string starts after its quote.
#[test]
fn template_lines_know_their_file_columns() {
    let dir = common::scratch::Scratch::new("check-columns");
    let yaml = "aspects:\n  - name: y\n    target: \"^func Run\"\n    before: |\n      a := 1\n        _ = a\n    after: \"println(1)\"\n";
    let dsl = "aspect d {\n    pointcut target(\"^func Run\")\n    before {\n        a := 1\n          _ = a\n    }\n    after { println(1) }\n}\n";
    std::fs::write(dir.join("a.yaml"), yaml).unwrap();
    std::fs::write(dir.join("d.aspect"), dsl).unwrap();
    let loaded = load_and_check(&dir, &["a.yaml".into(), "d.aspect".into()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !loaded.checked.has_errors(),
        "{:?}",
        loaded.checked.diagnostics
    );
    // (aspect, before's start and columns, after's start)
    for (name, before, columns, after) in [
        ("y", (5, 7), vec![7, 7], (7, 13)),
        ("d", (4, 9), vec![9, 9], (7, 13)),
    ] {
        let a = loaded
            .checked
            .aspects
            .iter()
            .find(|a| a.name == name)
            .unwrap();
        let b = a.advice.before.as_ref().unwrap();
        assert_eq!((b.start(), &b.columns), (before, &columns), "{name}");
        assert_eq!(a.advice.after.as_ref().unwrap().start(), after, "{name}");
    }
}

/// Item 16: binding and `execution(…)` types are parsed as Go and spelled as
/// the scanner spells the user's functions, so a type written with other
/// spacing (or grouped names) still binds and matches.
#[test]
fn types_are_spelled_like_the_scanner() {
    use goaop::check::check_files;
    use goaop::diag::Sources;
    let cases = [
        // (written in the aspect, written in Go, import needed)
        ("struct{a int}", "struct{a int}", ""),
        ("map[ string ]  int", "map[string]int", ""),
        ("func(a, b int) error", "func(a, b int) error", ""),
        ("*net/http.Request", "*http.Request", "net/http"),
        ("interface{ M() }", "interface{M()}", ""),
        ("chan<-  (int)", "chan<- int", ""),
        ("[ 4 ]example.com/x/y.T", "[4]y.T", "example.com/x/y"),
    ];
    for (written, go, import) in cases {
        let import = if import.is_empty() {
            String::new()
        } else {
            format!("import \"{import}\"\n")
        };
        let src = format!("package p\n{import}func F(v {go}) {{}}\n");
        let scanned = goaop::scan::scan(src.as_bytes());
        assert!(!scanned.has_errors, "{src}");
        let want = &scanned.funcs[0].params[0].ty;
        let signature = &scanned.funcs[0].signature;

        let yaml = format!(
            "aspects:\n  - name: a\n    target: \"func F\"\n    requires: {{ v: \"{written}\" }}\n    before: println(v)\n"
        );
        let mut sources = Sources::new();
        let id = sources.add("a.yaml", yaml);
        let out = check_files(&mut sources, &[id]);
        assert!(!out.has_errors(), "{written}: {:?}", out.diagnostics);
        assert_eq!(&out.aspects[0].requires[0].ty, want, "{written}");

        let dsl = format!(
            "aspect a {{\n  pointcut execution(func F(v {written}))\n  before {{ println(v) }}\n}}\n"
        );
        let mut sources = Sources::new();
        let id = sources.add("a.aspect", dsl);
        let out = check_files(&mut sources, &[id]);
        assert!(!out.has_errors(), "{written}: {:?}", out.diagnostics);
        assert_eq!(&out.aspects[0].requires[0].ty, want, "{written}");
        let goaop::check::Pointcut::And(parts) = &out.aspects[0].pointcut else {
            panic!("{:?}", out.aspects[0].pointcut)
        };
        let regex = parts
            .iter()
            .find_map(|p| match p {
                goaop::check::Pointcut::Sig(r) => Some(r.clone()),
                _ => None,
            })
            .unwrap();
        let re = regex_automata::meta::Regex::new(&regex).unwrap();
        assert!(
            re.is_match(signature),
            "`{written}`: {regex} !~ {signature}"
        );
    }
}
