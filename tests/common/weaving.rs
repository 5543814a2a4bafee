//! Weaving a fixture folder (`aspects.yaml` + `input.go`) through the
//! library, and rendering the result for a snapshot: the woven file, every
//! decision (applied or skipped, and why) and the injected imports.

use std::path::{Path, PathBuf};

use goaop::cli::check::load_and_check;
use goaop::compile::RuleSet;
use goaop::weave::{PackageInfo, SourceFile, WovenPackage, weave_package};

pub fn weave_case(dir: &Path, pkg: &str) -> (SourceFile, WovenPackage) {
    let loaded = load_and_check(dir, &[PathBuf::from("aspects.yaml")]);
    let errors: Vec<_> = loaded
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(
        errors.is_empty(),
        "{}: aspects have errors: {errors:#?}",
        dir.display()
    );
    let rules = RuleSet::build(&loaded.checked.aspects).expect("rule set compiles");
    let file = SourceFile {
        name: file_name(dir),
        text: std::fs::read_to_string(dir.join("input.go")).unwrap(),
    };
    let info = PackageInfo {
        path: pkg,
        main_module: Some(pkg),
    };
    let woven =
        weave_package(&rules.view().unwrap(), &info, std::slice::from_ref(&file)).expect("weaves");
    (file, woven)
}

/// The name the case's `input.go` is woven under (what `//line` and
/// `{{.File}}` see): the first line of the case's `file-name`, if any, so a
/// case can use a name the file system of the repository should not hold
/// (quotes, a directory named `a*`).
pub fn file_name(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("file-name"))
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "input.go".into())
}

pub fn render(woven: &WovenPackage) -> String {
    let mut out = String::from("--- woven input.go ---\n");
    match &woven.files[0] {
        Some(text) => out.push_str(text),
        None => out.push_str("(unchanged)\n"),
    }
    out.push_str("--- decisions ---\n");
    for d in &woven.decisions {
        match &d.skipped {
            None => out.push_str(&format!(
                "line {}: {} <- {} (applied)\n",
                d.line, d.site, d.aspect
            )),
            Some(why) => out.push_str(&format!(
                "line {}: {} <- {} SKIPPED: {why}\n",
                d.line, d.site, d.aspect
            )),
        }
    }
    if !woven.imports.is_empty() {
        out.push_str(&format!(
            "--- injected imports ---\n{}\n",
            woven.imports.iter().cloned().collect::<Vec<_>>().join("\n")
        ));
    }
    out
}

pub fn has_syntax_errors(text: &str) -> bool {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .unwrap();
    parser.parse(text, None).unwrap().root_node().has_error()
}

/// The fixture folders (those with an `input.go`) under `dir` (relative to
/// the repository root), sorted.
pub fn case_dirs(dir: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(super::root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.go").is_file())
        .collect();
    cases.sort();
    cases
}
