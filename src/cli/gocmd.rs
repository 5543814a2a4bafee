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

pub fn prepare(args: &GoArgs, cwd: &Path) -> Result<Prepared, Outcome> {
    let Some(sub) = args.args.first() else {
        return Err(Outcome::usage(format!(
            "`goaop go` needs a go subcommand: {}",
            SUBCOMMANDS.join(", ")
        )));
    };
    if !SUBCOMMANDS.contains(&sub.as_str()) {
        return Err(Outcome::usage(format!(
            "`goaop go {sub}` is not supported; use one of {}",
            SUBCOMMANDS.join(", ")
        )));
    }
    let (_, rules) = rules::build(cwd, &args.aspects, args.color)?;
    let module = woven::weave(cwd, &["./...".to_string()], &rules, true)
        .map_err(|e| failure(format!("goaop: {e}\n")))?;

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
            let name = Path::new(&f.name).file_name().unwrap_or_default();
            let target = dir.join(replace.len().to_string()).join(name);
            std::fs::create_dir_all(target.parent().unwrap_or(&dir))
                .and_then(|_| std::fs::write(&target, new))
                .map_err(|e| failure(format!("goaop: cannot write {}: {e}\n", target.display())))?;
            replace.insert(f.name.clone(), target.display().to_string());
        }
    }
    let overlay = dir.join("overlay.json");
    let json = serde_json::json!({ "Replace": replace });
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&overlay, json.to_string()))
        .map_err(|e| failure(format!("goaop: cannot write {}: {e}\n", overlay.display())))?;
    let mut notes = String::new();
    for (aspect, n) in &skipped {
        notes.push_str(&format!(
            "goaop: aspect `{aspect}` skipped {n} join point(s); `goaop plan` says why\n"
        ));
    }
    let mut go_args = vec![sub.clone(), format!("-overlay={}", overlay.display())];
    go_args.extend(args.args[1..].iter().cloned());
    Ok(Prepared {
        notes,
        dir: cwd.to_path_buf(),
        args: go_args,
        overlay_dir: dir,
    })
}

/// A go command ready to run on woven sources. `main.rs` prints `notes`,
/// runs [`Prepared::command`] with the terminal attached (the go command's
/// output is the user's), then calls [`Prepared::cleanup`].
#[derive(Debug)]
pub struct Prepared {
    /// One line per aspect that skipped join points.
    pub notes: String,
    dir: PathBuf,
    args: Vec<String>,
    overlay_dir: PathBuf,
}

impl Prepared {
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("go");
        cmd.current_dir(&self.dir).args(&self.args);
        cmd
    }

    /// Remove the woven files and the overlay.
    pub fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.overlay_dir);
    }
}

fn failure(stderr: String) -> Outcome {
    Outcome {
        stderr,
        code: 1,
        ..Default::default()
    }
}
