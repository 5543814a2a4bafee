//! Comparing what a case produces now with the expected files it has, or,
//! with `--update`, writing them. A case checks the expected files present
//! in its directory; a case with none fails (there is nothing to compare),
//! and `--update` writes all of them. A difference is a unified diff of
//! expected against actual, computed with `similar` as `goaop diff` does.

use std::path::Path;

use similar::TextDiff;

use super::cases::Case;

/// One expected file of a case and the text it would hold now.
#[derive(Debug)]
pub struct Output {
    /// The file's name in the case directory (`input.go.golden`, `plan.txt`).
    pub file: String,
    pub text: String,
    /// Written for a case that has no expected file yet (the plan, and the
    /// woven text of each Go file that weaving changes).
    pub by_default: bool,
}

/// Why a case failed.
#[derive(Debug)]
pub enum Problem {
    /// The expected file differs from the actual output: the diff.
    Differs { file: String, diff: String },
    /// The case has no expected file: those `--update` would write.
    NoExpected { files: Vec<String> },
    /// An expected woven file whose Go file is gone.
    Stale { file: String },
    /// The case could not be run or updated (an unreadable file, a bad
    /// `case.yaml`, a weaving error).
    Error { message: String },
}

/// What judging a case found and did.
#[derive(Debug, Default)]
pub struct Judged {
    pub problems: Vec<Problem>,
    /// Expected files written or removed by `--update`.
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

/// Compare (or with `update`, write) the expected files of `case` against
/// `actual`. `shown` is the case directory as paths are printed.
pub fn judge(case: &Case, actual: &[Output], update: bool, shown: &str) -> Judged {
    let mut j = Judged::default();
    let present: Vec<&Output> = actual
        .iter()
        .filter(|o| case.dir.join(&o.file).exists())
        .collect();
    // (No output at all: a folder left with stale `.golden` files only.)
    if present.is_empty() && !actual.is_empty() {
        let files: Vec<&Output> = actual.iter().filter(|o| o.by_default).collect();
        if update {
            for o in files {
                write(case, o, &mut j);
            }
        } else {
            j.problems.push(Problem::NoExpected {
                files: files.iter().map(|o| o.file.clone()).collect(),
            });
        }
    }
    for o in present {
        let expected = match case.read(&o.file) {
            Ok(t) => t,
            Err(message) => {
                j.problems.push(Problem::Error { message });
                continue;
            }
        };
        if expected == o.text {
            continue;
        }
        if update {
            write(case, o, &mut j);
        } else {
            j.problems.push(Problem::Differs {
                file: o.file.clone(),
                diff: diff(&expected, &o.text, &format!("{shown}/{}", o.file)),
            });
        }
    }
    for file in &case.stale {
        if update {
            match std::fs::remove_file(case.dir.join(file)) {
                Ok(()) => j.removed.push(file.clone()),
                Err(e) => j.problems.push(Problem::Error {
                    message: format!("cannot remove {file}: {e}"),
                }),
            }
        } else {
            j.problems.push(Problem::Stale { file: file.clone() });
        }
    }
    j
}

fn write(case: &Case, o: &Output, j: &mut Judged) {
    // Atomically, replacing (never following) a symlink at the path.
    match crate::project::write_atomically(&case.dir.join(&o.file), o.text.as_bytes()) {
        Ok(()) => j.written.push(o.file.clone()),
        Err(e) => j.problems.push(Problem::Error {
            message: format!("cannot write {}: {e}", o.file),
        }),
    }
}

/// A unified diff of `expected` against `actual`, headed like git's
/// (`expected/<path>`, `actual/<path>`), so `patch -p1` applies it.
pub fn diff(expected: &str, actual: &str, path: &str) -> String {
    TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(&format!("expected/{path}"), &format!("actual/{path}"))
        .to_string()
}

/// How a path is printed: relative to `cwd` when under it.
pub fn shown(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    if rel.as_os_str().is_empty() {
        ".".into()
    } else {
        rel.display().to_string()
    }
}
