//! `goaop diff [packages]`: the woven source of each changed file, as a
//! unified diff against the original (computed with `similar`).

use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::{Outcome, rules, woven};

#[derive(Clone, Debug, Default)]
pub struct DiffArgs {
    pub packages: Vec<String>,
    pub aspects: Vec<PathBuf>,
    pub color: bool,
}

pub fn run(args: &DiffArgs, cwd: &Path) -> Outcome {
    let (_, rules) = match rules::build(cwd, &args.aspects, args.color) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let module = match woven::weave(cwd, &args.packages, &rules, false) {
        Ok(m) => m,
        Err(e) => {
            return Outcome {
                stderr: format!("error: {e}\n"),
                code: 1,
                ..Default::default()
            };
        }
    };
    let mut out = String::new();
    for (_, files, w) in &module.packages {
        for (f, new) in files.iter().zip(&w.files) {
            if let Some(new) = new {
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
    }
    Outcome {
        stdout: out,
        ..Default::default()
    }
}
