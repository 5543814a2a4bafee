//! `goaop plan [packages]`: which function or call site gets which aspect,
//! and why the others were skipped — without building anything.

use std::path::{Path, PathBuf};

use super::{Format, Outcome, woven};
use crate::buildset::{TEST_FILE_SKIP, Unit, WovenUnit, is_test_file};
use crate::scan::Scanner;

#[derive(Clone, Debug, Default)]
pub struct PlanArgs {
    pub packages: Vec<String>,
    pub aspects: Vec<PathBuf>,
    pub format: Format,
    pub signatures: bool,
    /// What `go test` compiles: test files and external test packages too.
    pub tests: bool,
    pub color: bool,
}

pub fn run(args: &PlanArgs, cwd: &Path) -> Outcome {
    let sel = woven::Selection {
        patterns: &args.packages,
        tests: args.tests,
        absolute: false,
        unscoped: args.signatures,
    };
    let module = match woven::build_and_weave(cwd, &args.aspects, &sel, args.color) {
        Ok(m) => m,
        Err(o) => return o,
    };
    if args.signatures {
        return signatures(&module);
    }
    match args.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = module
                .packages
                .iter()
                .flat_map(|l| {
                    let files = &l.unit.files;
                    l.woven.decisions.iter().map(move |d| {
                        serde_json::json!({
                            "package": l.unit.path,
                            "file": files[d.file].name,
                            "test_file": is_test_file(&files[d.file].name),
                            "line": d.line,
                            "site": d.site,
                            "signature": d.signature,
                            "aspect": d.aspect,
                            "applied": d.skipped.is_none(),
                            "skipped": d.skipped,
                        })
                    })
                })
                .collect();
            Outcome {
                stdout: serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
                ..Default::default()
            }
        }
        Format::Human => Outcome {
            stdout: human(module.packages.iter().map(|l| (&l.unit, &l.woven))),
            ..Default::default()
        },
    }
}

/// The human plan of woven units: per package, one row per decision in
/// source order, then a summary line. `goaop test` compares a case's
/// `plan.txt` with this text.
pub fn human<'a>(units: impl Iterator<Item = (&'a Unit, &'a WovenUnit)> + Clone) -> String {
    let mut out = String::new();
    let (mut applied, mut skipped, mut tests) = (0, 0, 0);
    // Columns as wide as their longest entry.
    let all = units.clone().flat_map(|(_, w)| &w.decisions);
    let aw = all
        .clone()
        .map(|d| d.aspect.len())
        .max()
        .unwrap_or(0)
        .max(12);
    let sw = all.map(|d| d.site.len()).max().unwrap_or(0).max(24);
    for (unit, w) in units {
        let files = &unit.files;
        if w.decisions.is_empty() {
            continue;
        }
        out.push_str(&format!("{}\n", unit.path));
        // In source order: file, then line.
        let mut decisions: Vec<_> = w.decisions.iter().collect();
        decisions.sort_by_key(|d| (d.file, d.line));
        for d in decisions {
            let at = format!("{}:{}", files[d.file].name, d.line);
            let row = format!("{:<aw$} {:<sw$} {at}", d.aspect, d.site);
            match &d.skipped {
                None => {
                    applied += 1;
                    out.push_str(&format!("  + {row}\n"));
                }
                Some(why) if why == TEST_FILE_SKIP => {
                    tests += 1;
                    out.push_str(&format!("  . {row}\n      not woven: {why}\n"));
                }
                Some(why) => {
                    skipped += 1;
                    out.push_str(&format!("  - {row}\n      skipped: {why}\n"));
                }
            }
        }
    }
    out.push_str(&format!("{applied} join point(s) woven, {skipped} skipped"));
    if tests > 0 {
        out.push_str(&format!(
            ", {tests} in test files not woven (no `tests: true`)"
        ));
    }
    out.push('\n');
    out
}

fn signatures(module: &woven::WovenModule) -> Outcome {
    let mut scanner = Scanner::new();
    let mut out = String::new();
    for l in &module.packages {
        for f in &l.unit.files {
            let scan = scanner.scan(f.text.as_bytes());
            for site in &scan.funcs {
                out.push_str(&format!("{}:{}: {}\n", f.name, site.line, site.signature));
            }
        }
    }
    Outcome {
        stdout: out,
        ..Default::default()
    }
}
