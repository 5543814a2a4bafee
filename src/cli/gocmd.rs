//! `goaop go <build|run|test|vet|install> …`: run the go command on woven
//! sources.
//!
//! This is the driver mode of DESIGN §10: the main module's packages are
//! woven up front and handed to the go command with `-overlay`, so the go
//! command hashes woven content per package (only packages an aspect edit
//! really changes rebuild) and resolves injected imports itself. The
//! `-toolexec` backend (DESIGN §7) is the other way in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Outcome, rules, woven};

#[derive(Clone, Debug, Default)]
pub struct GoArgs {
    pub aspects: Vec<PathBuf>,
    /// The go subcommand and its arguments.
    pub args: Vec<String>,
    pub color: bool,
}

const SUBCOMMANDS: &[&str] = &["build", "run", "test", "vet", "install"];

pub fn run(args: &GoArgs, cwd: &Path) -> Outcome {
    let Some(sub) = args.args.first() else {
        return Outcome::usage(format!(
            "`goaop go` needs a go subcommand: {}",
            SUBCOMMANDS.join(", ")
        ));
    };
    if !SUBCOMMANDS.contains(&sub.as_str()) {
        return Outcome::usage(format!(
            "`goaop go {sub}` is not supported; use one of {}",
            SUBCOMMANDS.join(", ")
        ));
    }
    let (_, rules) = match rules::build(cwd, &args.aspects, args.color) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let module = match woven::weave(cwd, &["./...".to_string()], &rules, true) {
        Ok(m) => m,
        Err(e) => {
            return Outcome {
                stderr: format!("goaop: {e}\n"),
                code: 1,
                ..Default::default()
            };
        }
    };

    let dir = std::env::temp_dir().join(format!("goaop-overlay-{}", std::process::id()));
    let mut replace = BTreeMap::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for (_, files, w) in &module.packages {
        for d in &w.decisions {
            if d.skipped.is_some() {
                *skipped.entry(d.aspect.clone()).or_default() += 1;
            }
        }
        for (f, new) in files.iter().zip(&w.files) {
            let Some(new) = new else { continue };
            let target = dir
                .join(format!("{}", replace.len()))
                .join(Path::new(&f.name).file_name().unwrap_or_default());
            if let Err(e) = std::fs::create_dir_all(target.parent().unwrap_or(&dir))
                .and_then(|_| std::fs::write(&target, new))
            {
                return Outcome {
                    stderr: format!("goaop: cannot write {}: {e}\n", target.display()),
                    code: 1,
                    ..Default::default()
                };
            }
            replace.insert(f.name.clone(), target.display().to_string());
        }
    }
    let overlay = dir.join("overlay.json");
    let json = serde_json::json!({ "Replace": replace });
    if let Err(e) =
        std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&overlay, json.to_string()))
    {
        return Outcome {
            stderr: format!("goaop: cannot write {}: {e}\n", overlay.display()),
            code: 1,
            ..Default::default()
        };
    }
    let mut stderr = String::new();
    for (aspect, n) in &skipped {
        stderr.push_str(&format!(
            "goaop: aspect `{aspect}` skipped {n} join point(s); `goaop plan` says why\n"
        ));
    }
    // The go command's own output goes straight to the terminal.
    let status = Command::new("go")
        .current_dir(cwd)
        .arg(sub)
        .arg(format!("-overlay={}", overlay.display()))
        .args(&args.args[1..])
        .status();
    let _ = std::fs::remove_dir_all(&dir);
    match status {
        Ok(s) => Outcome {
            stderr,
            code: s.code().unwrap_or(1),
            ..Default::default()
        },
        Err(e) => Outcome {
            stderr: format!("{stderr}goaop: cannot run go: {e}\n"),
            code: 1,
            ..Default::default()
        },
    }
}
