//! A deterministic sample of the Go toolchain's own sources (GOROOT/src),
//! loaded into memory before measuring. Shared by the benchmarks.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn goroot() -> PathBuf {
    let out = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("the benchmarks read GOROOT/src: the `go` command is required");
    PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 GOROOT").trim())
}

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "testdata") {
                go_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "go") {
            out.push(p);
        }
    }
}

/// Every k-th .go file of GOROOT/src (sorted), about `mb` megabytes, as
/// (path, bytes).
pub fn sample(mb: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    go_files(&goroot().join("src"), &mut files);
    files.sort();
    let total: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let step = (total as usize / (mb << 20)).max(1);
    files
        .iter()
        .step_by(step)
        .filter_map(|f| Some((f.clone(), std::fs::read(f).ok()?)))
        .collect()
}

/// `GOAOP_BENCH_MB`, default 4.
pub fn sample_mb() -> usize {
    std::env::var("GOAOP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}
