//! `goaop diff [packages]`: the woven source of each changed file, as a
//! unified diff against the original (computed with `similar`).

use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::{Outcome, woven};

#[derive(Clone, Debug, Default)]
pub struct DiffArgs {
    pub packages: Vec<String>,
    pub aspects: Vec<PathBuf>,
    pub color: bool,
}

pub fn run(args: &DiffArgs, cwd: &Path) -> Outcome {
    let module = match woven::build_and_weave(cwd, &args.aspects, &args.packages, args.color, false)
    {
        Ok(m) => m,
        Err(o) => return o,
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
