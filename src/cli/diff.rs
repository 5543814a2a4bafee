//! `goaop diff [packages]`: the woven source of each changed file, as a
//! unified diff against the original (computed with `similar`); with
//! `--out DIR`, the woven files themselves, exactly as a build weaves them
//! (absolute names in `//line` directives), to compare with a build's.

use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::{Outcome, woven};

#[derive(Clone, Debug, Default)]
pub struct DiffArgs {
    pub packages: Vec<String>,
    pub aspects: Vec<PathBuf>,
    /// What `go test` compiles: test files and external test packages too.
    pub tests: bool,
    /// Write the woven files under this directory (each at its absolute
    /// path below it) instead of printing a diff.
    pub out: Option<PathBuf>,
    pub color: bool,
}

pub fn run(args: &DiffArgs, cwd: &Path) -> Outcome {
    let sel = woven::Selection {
        patterns: &args.packages,
        tests: args.tests,
        absolute: args.out.is_some(),
        unscoped: false,
    };
    let module = match woven::build_and_weave(cwd, &args.aspects, &sel, args.color) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let mut out = String::new();
    for l in &module.packages {
        for (f, new) in l.unit.files.iter().zip(&l.woven.files) {
            let Some(new) = new else { continue };
            if let Some(dir) = &args.out {
                let target = dir.join(f.name.trim_start_matches('/'));
                if let Err(e) = crate::project::write_atomically(&target, new.as_bytes()) {
                    return Outcome {
                        stderr: format!("error: cannot write {}: {e}\n", target.display()),
                        code: 1,
                        ..Default::default()
                    };
                }
                out.push_str(&format!("{}\n", target.display()));
                continue;
            }
            let diff = TextDiff::from_lines(f.text.as_str(), new.as_str());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", f.name), &format!("b/{}", f.name))
                    .to_string(),
            );
        }
    }
    Outcome {
        stdout: out,
        ..Default::default()
    }
}
