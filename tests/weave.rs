//! Weave cases: tests/weave/<case>/{aspects.yaml,input.go} → a snapshot of
//! the woven file and of every decision (applied or skipped, and why).
//! Every woven file re-parses without errors, weaving twice gives the same
//! bytes, and the Go toolchain accepts its syntax.

mod common;

use std::path::PathBuf;
use std::process::Command;

use goaop::cli::check::load_and_check;
use goaop::compile::RuleSet;
use goaop::weave::{PackageInfo, SourceFile, weave_package};

use common::weaving::{case_dirs, has_syntax_errors, render, weave_case};

const PKG: &str = "example.com/weave";

fn cases() -> Vec<PathBuf> {
    case_dirs("tests/weave")
}

#[test]
fn weave_cases_match_snapshots() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected at least 40 weave cases, found {}",
        cases.len()
    );
    let settings = common::snapshots("weave");
    for dir in cases {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let (_, woven) = weave_case(&dir, PKG);
        if let Some(text) = &woven.files[0] {
            assert!(
                !has_syntax_errors(text),
                "{name}: woven file does not parse:\n{text}"
            );
        }
        let (_, again) = weave_case(&dir, PKG);
        assert_eq!(
            woven.files, again.files,
            "{name}: weaving is not deterministic"
        );
        settings.bind(|| insta::assert_snapshot!(name, render(&woven)));
    }
}

/// The Go toolchain's own parser accepts every woven file (gofmt -e fails on
/// any syntax error), including the `//line` and `/*line*/` directives.
#[test]
fn woven_cases_are_valid_go_for_gofmt() {
    let tmp = tempdir("gofmt");
    let mut written = Vec::new();
    for dir in cases() {
        let (_, woven) = weave_case(&dir, PKG);
        if let Some(text) = &woven.files[0] {
            let path = tmp.join(format!("{}.go", dir.file_name().unwrap().to_str().unwrap()));
            std::fs::write(&path, text).unwrap();
            written.push(path);
        }
    }
    assert!(written.len() >= 30, "most cases weave something");
    let out = Command::new("gofmt")
        .arg("-e")
        .arg("-l")
        .args(&written)
        .output()
        .expect("gofmt (the Go toolchain) is required by this test");
    assert!(
        out.status.success(),
        "gofmt rejected woven files:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn tempdir(tag: &str) -> common::scratch::Scratch {
    common::scratch::Scratch::new(&format!("test-{tag}"))
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]
        /// Mutated Go input never makes the weaver panic, and whatever it
        /// weaves from a file that parses still parses.
        #[test]
        fn weaving_mutated_go(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), len in 0usize..12, insert in "[{}()\\[\\];,.:=*a-z \\n\"`/]{0,6}") {
            let cases = cases();
            let dir = &cases[pick.index(cases.len())];
            let loaded = load_and_check(dir, &[PathBuf::from("aspects.yaml")]);
            let rules = RuleSet::build(&loaded.checked.aspects).unwrap();
            let mut text = std::fs::read_to_string(dir.join("input.go")).unwrap();
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(start..end.max(start), &insert);
            let parses = !has_syntax_errors(&text);
            let file = SourceFile { name: "input.go".into(), text };
            let info = PackageInfo { path: PKG, main_module: Some(PKG) };
            let woven = weave_package(&rules.view().unwrap(), &info, std::slice::from_ref(&file)).unwrap();
            if let (true, Some(out)) = (parses, &woven.files[0]) {
                prop_assert!(!has_syntax_errors(out), "woven output of a valid file does not parse:\n{out}");
            }
        }
    }
}

/// Every case, woven (or as written when nothing applies), type-checks and
/// passes `go vet` in a temporary module, with the stub packages of
/// tests/weave/_stubs standing in for the code the cases call.
#[test]
fn woven_cases_type_check_with_go_vet() {
    let stubs = common::root().join("tests/weave/_stubs");
    let decls = std::fs::read_to_string(stubs.join("decls.go.txt")).unwrap();
    let tmp = tempdir("vet");
    let modules = [
        ("example.com/shop", "shop"),
        ("example.com/dbtrace", "dbtrace"),
        ("example.com/tracedhttp", "tracedhttp"),
        ("github.com/XSAM/otelsql", "otelsql"),
        ("google.golang.org/grpc", "grpc"),
        (
            "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
            "otelgrpc",
        ),
        (
            "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
            "otelhttp",
        ),
    ];
    let mut gomod = format!("module {PKG}\n\ngo 1.22\n\n");
    for (path, dir) in modules {
        gomod.push_str(&format!(
            "require {path} v0.0.0\nreplace {path} => {}\n",
            stubs.join(dir).display()
        ));
    }
    std::fs::write(tmp.join("go.mod"), gomod).unwrap();
    let mut n = 0;
    for dir in cases() {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let (input, woven) = weave_case(&dir, PKG);
        let text = woven.files[0].clone().unwrap_or(input.text);
        let package = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("package ")
                    .map(|p| p.split(';').next().unwrap().trim().to_string())
            })
            .unwrap();
        let out = tmp.join(&name);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("input.go"), text).unwrap();
        std::fs::write(
            out.join("zz_decls.go"),
            format!("package {package}\n\n{decls}"),
        )
        .unwrap();
        n += 1;
    }
    let vet = Command::new("go")
        .current_dir(&tmp)
        .env("GOFLAGS", "-mod=mod")
        // Some cases write unkeyed literals of imported structs on purpose
        // (set-field skips them): vet's `composites` check would flag them.
        .args(["vet", "-composites=false", "./..."])
        .output()
        .expect("go (the Go toolchain) is required by this test");
    assert!(
        vet.status.success(),
        "go vet rejected woven cases ({n} packages in {}):\n{}",
        tmp.display(),
        String::from_utf8_lossy(&vet.stderr)
    );
}

/// Advice a later `set-field` would leave woven in part (some of its values
/// discarded, others kept) fails the weave with a diagnostic naming both
/// aspects and the way out, instead of weaving what the plan cannot say.
#[test]
fn set_field_that_discards_part_of_earlier_advice_fails_the_weave() {
    let dir = common::root().join("tests/weave_errors/set_field_partly");
    let loaded = load_and_check(&dir, &[PathBuf::from("aspects.yaml")]);
    assert!(
        !loaded.checked.diagnostics.iter().any(|d| d.is_error()),
        "{:#?}",
        loaded.checked.diagnostics
    );
    let rules = RuleSet::build(&loaded.checked.aspects).unwrap();
    let file = SourceFile {
        name: "input.go".into(),
        text: std::fs::read_to_string(dir.join("input.go")).unwrap(),
    };
    let info = PackageInfo {
        path: PKG,
        main_module: Some(PKG),
    };
    let err = match weave_package(&rules.view().unwrap(), &info, &[file]) {
        Ok(_) => panic!("weaving succeeds"),
        Err(e) => e,
    }
    .to_string();
    for part in [
        "input.go at 9:10",
        "aspect `pinned-timeout` sets a field of this literal again without `{{.Value}}`",
        "the value aspect `defaults` gives it",
        "write `{{.Value}}` in `pinned-timeout`'s set-field",
    ] {
        assert!(err.contains(part), "no {part:?} in: {err}");
    }
}
