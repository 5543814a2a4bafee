//! `goaop test [DIR]`: golden tests for a module's own aspects, the way
//! ruff and ast-grep test their rules. Each case under `DIR` (default
//! `testdata/aspect_tests/` at the module root, see [`cases`]) is a small Go
//! package woven in memory with the module's aspects, by the same code a
//! build weaves with ([`crate::buildset::weave_unit`]); its woven files and
//! its plan are compared with the expected files beside it ([`verdict`]).
//! `--update` writes them instead. Exit 0 when every case passes, 1 when
//! one fails, 2 on a usage error or when the aspects have errors (shown as
//! `goaop check` shows them). No `go` toolchain is needed.

pub mod cases;
pub mod verdict;

use std::path::{Path, PathBuf};

use super::{Format, Outcome, rules};
use crate::buildset::{Closure, Unit, WovenUnit, rule_imports, weave_unit};
use crate::compile::RuleSetRef;
use crate::project::{Module, find_module};
use crate::weave::SourceFile;
use cases::{Case, DEFAULT_DIR, PLAN_FILE};
use verdict::{Judged, Output, Problem, judge, shown};

#[derive(Clone, Debug, Default)]
pub struct TestArgs {
    /// The tests folder, or one case (default: the module's `testdata/aspect_tests`).
    pub dir: Option<PathBuf>,
    /// Aspect files (default: the module's).
    pub aspects: Vec<PathBuf>,
    /// Write the expected files instead of comparing.
    pub update: bool,
    pub format: Format,
    pub color: bool,
}

/// One case, run.
struct Ran {
    case: Case,
    shown: String,
    package: String,
    judged: Judged,
}

pub fn run(args: &TestArgs, cwd: &Path) -> Outcome {
    let given = args.dir.as_ref().map(|d| cwd.join(d));
    let Some(module) = find_module(given.as_deref().unwrap_or(cwd)) else {
        return Outcome::usage(format!(
            "no go.mod found in {} or above: `goaop test` weaves its cases with a Go module's aspects",
            given.as_deref().unwrap_or(cwd).display()
        ));
    };
    let dir = given.unwrap_or_else(|| module.root.join(DEFAULT_DIR));
    if !dir.is_dir() {
        return Outcome::usage(format!(
            "no tests folder at {}: a case is a directory under {DEFAULT_DIR}/ at the module root holding a Go file (input.go); see the README's `goaop test` section",
            shown(&dir, cwd)
        ));
    }
    // Aspect files named relative to the module root, whatever the current
    // directory: their names are written into the woven text's `//line`s.
    let aspects: Vec<PathBuf> = args
        .aspects
        .iter()
        .map(|a| {
            let abs = cwd.join(a);
            abs.strip_prefix(&module.root)
                .map(Path::to_path_buf)
                .unwrap_or(abs)
        })
        .collect();
    let rules = match rules::build(&module.root, &aspects, args.color) {
        Ok((_, rules)) => rules,
        // Aspect errors are not a failing case: nothing could be tested.
        Err(o) => return Outcome { code: 2, ..o },
    };
    let view = match rules.view() {
        Ok(v) => v,
        Err(e) => return Outcome::usage(format!("rule set: {e}")),
    };
    let found = match cases::discover(&dir) {
        Ok(c) => c,
        Err(e) => return Outcome::usage(e),
    };
    let imports = match rule_imports(&view) {
        Ok(i) => i,
        Err(e) => return Outcome::usage(format!("rule set: {e}")),
    };
    // Without `go list`, the packages the advice imports are known by
    // name only: a case woven as one of them is skipped as a build would.
    let closure = Closure::from_set(&imports, imports.iter().map(String::as_str));
    let ran: Vec<Ran> = found
        .into_iter()
        .map(|case| {
            let shown = shown(&case.dir, cwd);
            let (package, judged) = match outputs(&view, &module, &closure, &case) {
                Ok((package, actual)) => {
                    let judged = judge(&case, &actual, args.update, &shown);
                    (package, judged)
                }
                Err(message) => (
                    String::new(),
                    Judged {
                        problems: vec![Problem::Error { message }],
                        ..Default::default()
                    },
                ),
            };
            Ran {
                case,
                shown,
                package,
                judged,
            }
        })
        .collect();
    let failed = ran.iter().filter(|r| !r.judged.problems.is_empty()).count();
    let stdout = match args.format {
        Format::Human => human(&ran, &shown(&dir, cwd), args.update),
        Format::Json => json(&ran),
    };
    Outcome {
        stdout,
        code: i32::from(failed > 0),
        ..Default::default()
    }
}

/// Weave a case: its import path, and each expected file with the text it
/// should hold (the woven text of every Go file, then the plan).
fn outputs(
    view: &RuleSetRef,
    module: &Module,
    closure: &Closure,
    case: &Case,
) -> Result<(String, Vec<Output>), String> {
    let package = match case.config()?.package {
        Some(p) => p,
        None => {
            // Resolved, so that `goaop test ../x` or a symlink names the
            // same package as `goaop test` does.
            let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            let (dir, root) = (real(&case.dir), real(&module.root));
            let rel = dir.strip_prefix(&root).unwrap_or(&dir);
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            std::iter::once(module.path.clone())
                .chain(rel)
                .collect::<Vec<_>>()
                .join("/")
        }
    };
    if case.sources.is_empty() {
        return Ok((package, Vec::new()));
    }
    let mut files = Vec::new();
    for name in &case.sources {
        files.push(SourceFile {
            name: name.clone(),
            text: case.read(name)?,
        });
    }
    let unit = Unit {
        path: package.clone(),
        scope_path: package.clone(),
        files,
    };
    let woven: WovenUnit = weave_unit(view, Some(&module.path), &unit, closure, true)
        .map_err(|e| format!("cannot weave: {e}"))?;
    let mut out: Vec<Output> = unit
        .files
        .iter()
        .zip(&woven.files)
        .map(|(f, new)| Output {
            file: Case::golden_name(&f.name),
            text: new.clone().unwrap_or_else(|| f.text.clone()),
            by_default: new.is_some(),
        })
        .collect();
    out.push(Output {
        file: PLAN_FILE.into(),
        text: super::plan::human(std::iter::once((&unit, &woven))),
        by_default: true,
    });
    Ok((package, out))
}

/// `ok`/`FAIL`/`updated` per case, each failure with its diff, then a summary.
fn human(ran: &[Ran], dir: &str, update: bool) -> String {
    let mut out = String::new();
    let width = ran.iter().map(|r| r.case.name.len()).max().unwrap_or(0);
    for r in ran {
        let j = &r.judged;
        if j.problems.is_empty() {
            let mut did: Vec<String> = j.written.iter().map(|f| format!("wrote {f}")).collect();
            did.extend(j.removed.iter().map(|f| format!("removed {f}")));
            if did.is_empty() {
                out.push_str(&format!("ok      {}\n", r.case.name));
            } else {
                out.push_str(&format!(
                    "updated {:<width$}  {}\n",
                    r.case.name,
                    did.join(", ")
                ));
            }
            continue;
        }
        out.push_str(&format!("FAIL    {:<width$}  {}\n", r.case.name, r.shown));
        for p in &j.problems {
            match p {
                Problem::Differs { file, diff } => {
                    let what = match file.strip_suffix(cases::GOLDEN_SUFFIX) {
                        Some(src) => format!("the woven {src}"),
                        None => "the plan".to_string(),
                    };
                    out.push_str(&format!(
                        "    {file}: {what} differs from the expected (-expected +actual)\n{diff}"
                    ));
                }
                Problem::NoExpected { files } => out.push_str(&format!(
                    "    no expected output: run `goaop test --update` to write {}\n",
                    files.join(", ")
                )),
                Problem::Stale { file } => out.push_str(&format!(
                    "    {file}: its Go file is gone; remove it (or run `goaop test --update`)\n"
                )),
                Problem::Error { message } => out.push_str(&format!("    error: {message}\n")),
            }
        }
    }
    let failed = ran.iter().filter(|r| !r.judged.problems.is_empty()).count();
    let n = ran.len();
    let cases = if n == 1 { "case" } else { "cases" };
    if n == 0 {
        out.push_str(&format!("ok: no cases in {dir}\n"));
    } else if failed > 0 {
        // `--update` helps with differences, not with a case that cannot run.
        let updatable = ran
            .iter()
            .flat_map(|r| &r.judged.problems)
            .any(|p| !matches!(p, Problem::Error { .. }));
        let hint = if updatable {
            "; `goaop test --update` accepts the actual output"
        } else {
            ""
        };
        out.push_str(&format!(
            "FAIL: {failed} of {n} {cases} failed in {dir}{hint}\n"
        ));
    } else if update {
        let updated = ran
            .iter()
            .filter(|r| !r.judged.written.is_empty() || !r.judged.removed.is_empty())
            .count();
        out.push_str(&format!("ok: {n} {cases} in {dir}, {updated} updated\n"));
    } else {
        out.push_str(&format!("ok: {n} {cases} passed in {dir}\n"));
    }
    // Case names, paths and diffs come from the checkout: shown, never
    // obeyed by the terminal.
    crate::diag::render::sanitize(&out).into_owned()
}

/// One JSON object per case.
fn json(ran: &[Ran]) -> String {
    let rows: Vec<serde_json::Value> = ran
        .iter()
        .map(|r| {
            let problems: Vec<serde_json::Value> = r
                .judged
                .problems
                .iter()
                .map(|p| match p {
                    Problem::Differs { file, diff } => {
                        serde_json::json!({"kind": "differs", "file": file, "diff": diff})
                    }
                    Problem::NoExpected { files } => {
                        serde_json::json!({"kind": "no_expected", "files": files})
                    }
                    Problem::Stale { file } => serde_json::json!({"kind": "stale", "file": file}),
                    Problem::Error { message } => {
                        serde_json::json!({"kind": "error", "message": message})
                    }
                })
                .collect();
            serde_json::json!({
                "case": r.case.name,
                "dir": r.shown,
                "package": r.package,
                "passed": r.judged.problems.is_empty(),
                "problems": problems,
                "written": r.judged.written,
                "removed": r.judged.removed,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
}
