//! `goaop plan [packages]`: which function or call site gets which aspect,
//! and why the others were skipped — without building anything.

use std::path::{Path, PathBuf};

use super::{Format, Outcome, woven};
use crate::scan::Scanner;

#[derive(Clone, Debug, Default)]
pub struct PlanArgs {
    pub packages: Vec<String>,
    pub aspects: Vec<PathBuf>,
    pub format: Format,
    pub signatures: bool,
    pub color: bool,
}

pub fn run(args: &PlanArgs, cwd: &Path) -> Outcome {
    let module = match woven::build_and_weave(cwd, &args.aspects, &args.packages, args.color, false)
    {
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
                .flat_map(|(pkg, files, w)| {
                    w.decisions.iter().map(move |d| {
                        serde_json::json!({
                            "package": pkg.import_path,
                            "file": files[d.file].name,
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
        Format::Human => {
            let mut out = String::new();
            let (mut applied, mut skipped) = (0, 0);
            for (pkg, files, w) in &module.packages {
                if w.decisions.is_empty() {
                    continue;
                }
                out.push_str(&format!("{}\n", pkg.import_path));
                for d in &w.decisions {
                    let at = format!("{}:{}", files[d.file].name, d.line);
                    match &d.skipped {
                        None => {
                            applied += 1;
                            out.push_str(&format!("  + {:<12} {:<32} {at}\n", d.aspect, d.site));
                        }
                        Some(why) => {
                            skipped += 1;
                            out.push_str(&format!(
                                "  - {:<12} {:<32} {at}\n      skipped: {why}\n",
                                d.aspect, d.site
                            ));
                        }
                    }
                }
            }
            out.push_str(&format!(
                "{applied} join point(s) woven, {skipped} skipped\n"
            ));
            Outcome {
                stdout: out,
                ..Default::default()
            }
        }
    }
}

fn signatures(module: &woven::WovenModule) -> Outcome {
    let mut scanner = Scanner::new();
    let mut out = String::new();
    for (_, files, _) in &module.packages {
        for f in files {
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
