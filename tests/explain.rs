//! `goaop explain`: every diagnostic code has a page (docs/codes/CODE.md,
//! embedded in the binary) with a wrong and a fixed example, and the
//! examples do what they say: `goaop check` reports the code for the wrong
//! one and nothing at all for the fixed one.

mod common;

use std::path::PathBuf;

use goaop::cli::check::load_check_compile;
use goaop::diag::explain;

/// The marker of a page whose code no single aspect file can show (a file
/// too large, a path, the module's go.mod): its examples are not checked.
const NOT_STANDALONE: &str = "**Not shown by a standalone file:**";

/// Every code declared in src/diag/codes.rs (`pub const X: &str = "E0201";`).
fn declared_codes() -> Vec<String> {
    let text = std::fs::read_to_string(common::root().join("src/diag/codes.rs")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("pub const ") && l.contains(": &str = \""))
        .map(|l| l.split('"').nth(1).unwrap().to_string())
        .collect()
}

/// The fenced blocks of a page whose info string ends in ` wrong` or
/// ` fixed`: (language, wrong or fixed, text).
fn examples(page: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if let Some((lang, kind)) = info.trim().split_once(' ')
            && matches!(kind, "wrong" | "fixed")
        {
            out.push((lang.to_string(), kind.to_string(), body));
        }
    }
    out
}

/// The codes `goaop check` reports for one aspect file with `text`.
fn check_codes(lang: &str, text: &str) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = if lang == "aspect" {
        "example.aspect"
    } else {
        "aspects.yaml"
    };
    std::fs::write(dir.path().join(name), text).unwrap();
    let (loaded, _) = load_check_compile(dir.path(), &[PathBuf::from(name)]);
    let report = goaop::cli::check::report(&loaded, goaop::cli::Format::Human, false);
    let codes = loaded
        .diagnostics()
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    (codes, report.stderr)
}

#[test]
fn every_declared_code_has_a_page_and_every_page_a_code() {
    let declared = declared_codes();
    assert!(declared.len() >= 40, "codes.rs parsed badly: {declared:?}");
    let missing: Vec<&String> = declared
        .iter()
        .filter(|c| explain::page(c).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a page: {missing:?}; write docs/codes/CODE.md (see docs/codes/E0201.md) and add the code to `pages!` in src/diag/explain.rs"
    );
    for (code, _) in explain::PAGES {
        assert!(
            declared.iter().any(|c| c == code),
            "docs/codes/{code}.md documents a code codes.rs does not declare"
        );
    }
    // No stray files in docs/codes/ either.
    for f in common::fixtures("docs/codes", &["md"]) {
        let stem = f.file_stem().unwrap().to_str().unwrap();
        assert!(
            explain::page(stem).is_some(),
            "{} is not in `pages!`",
            f.display()
        );
    }
}

#[test]
fn every_code_used_in_the_source_is_declared() {
    // A code written as a literal instead of through `codes::` would
    // escape the table: none may appear outside codes.rs.
    let mut stack = vec![common::root().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("diag/codes.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("\"E0").chain(text.match_indices("\"W0")) {
                    let lit = &text[i + 1..(i + 6).min(text.len())];
                    assert!(
                        !lit[1..].bytes().all(|b| b.is_ascii_digit())
                            || explain::page(lit).is_some(),
                        "{}: code literal {lit} has no page",
                        p.display()
                    );
                }
            }
        }
    }
}

#[test]
fn every_page_has_a_title_and_a_wrong_and_a_fixed_example() {
    for (code, page) in explain::PAGES {
        assert!(
            page.starts_with(&format!("# {code}: ")),
            "docs/codes/{code}.md must start with `# {code}: <title>`"
        );
        assert!(!explain::title(page).is_empty(), "{code}: empty title");
        let ex = examples(page);
        for kind in ["wrong", "fixed"] {
            assert!(
                ex.iter().any(|(_, k, _)| k == kind),
                "docs/codes/{code}.md has no ```<lang> {kind} example"
            );
        }
        let unchecked = ex
            .iter()
            .any(|(lang, _, _)| !matches!(lang.as_str(), "yaml" | "aspect"));
        assert_eq!(
            unchecked,
            page.contains(NOT_STANDALONE),
            "{code}: examples that are not aspect files (```text wrong) go with the `{NOT_STANDALONE}` note saying why, and only then"
        );
    }
}

#[test]
fn wrong_examples_report_their_code_and_fixed_ones_nothing() {
    let mut checked = 0;
    for (code, page) in explain::PAGES {
        for (lang, kind, text) in examples(page) {
            if !matches!(lang.as_str(), "yaml" | "aspect") {
                continue;
            }
            let (codes, out) = check_codes(&lang, &text);
            if kind == "wrong" {
                assert!(
                    codes.iter().any(|c| c == code),
                    "docs/codes/{code}.md: the wrong example does not report {code}:\n{text}\n{out}"
                );
            } else {
                assert!(
                    codes.is_empty(),
                    "docs/codes/{code}.md: the fixed example is not clean:\n{text}\n{out}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} examples checked");
}

#[test]
fn explain_prints_the_page() {
    let dir = common::root();
    let out = common::goaop(&dir, &["explain", "E0201"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(dir.join("docs/codes/E0201.md")).unwrap()
    );
    // Codes are case-insensitive.
    let out = common::goaop(&dir, &["explain", "w0001"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("# W0001: ")
    );
}

#[test]
fn explain_unknown_code_says_how_to_find_codes() {
    let out = common::goaop(&common::root(), &["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`E9999` is not a goaop diagnostic code"),
        "{err}"
    );
    assert!(err.contains("`goaop explain` lists them all"), "{err}");
}

#[test]
fn explain_without_a_code_lists_every_code_with_its_title() {
    let out = common::goaop(&common::root(), &["explain"]);
    assert!(out.status.success());
    let list = String::from_utf8(out.stdout).unwrap();
    for (code, page) in explain::PAGES {
        assert!(
            list.contains(&format!("  {code}  {}\n", explain::title(page))),
            "{code} missing from\n{list}"
        );
    }
}

#[test]
fn check_output_ends_with_the_explain_line() {
    let (_, out) = check_codes(
        "yaml",
        "aspects:\n  - name: t\n    target: \"func.*Context\"\n    before: println(\"{{.FuncNme}}\")\n",
    );
    assert!(
        out.contains("\nFor more information about this code, try `goaop explain E0201`.\n"),
        "{out}"
    );
    let (_, out) = check_codes(
        "yaml",
        "aspects:\n  - name: t\n    target: \"func (\"\n    before: println(\"{{.FuncNme}}\")\n",
    );
    assert!(
        out.contains(
            "For more information about a code (E0201, E0203), try `goaop explain <code>`.\n"
        ) || out.contains(
            "For more information about a code (E0203, E0201), try `goaop explain <code>`.\n"
        ),
        "{out}"
    );
}
