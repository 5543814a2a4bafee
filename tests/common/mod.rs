//! Shared test helpers: where snapshots live, and fixture discovery.
#![allow(dead_code)]

pub mod gobuild;
pub mod metrics;
pub mod scratch;
pub mod servers;
pub mod services;
pub mod spans;
pub mod weaving;
pub mod woven;

use std::path::{Path, PathBuf};

/// insta settings pointing at the top-level `snapshots/<area>` folder.
pub fn snapshots(area: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("snapshots")
            .join(area),
    );
    s.set_prepend_module_to_snapshot(false);
    s
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files in `dir` (relative to the repository root) with one of `exts`, sorted.
pub fn fixtures(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("fixtures folder {dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    out
}

/// Run the built `goaop` binary in `dir`.
pub fn goaop(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_goaop"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("goaop runs")
}

/// What example/shop prints on stdout when woven with its aspects.yaml
/// (driver mode and `-toolexec` alike).
pub const SHOP_OUTPUT: &[&str] = &[
    "span start orders/ProcessOrder",
    "  span start orders/reserve",
    "reserved book",
    "  span end   orders/reserve",
    "span end   orders/ProcessOrder",
    // GetOrder names its context `c`: the typed binding traces it anyway.
    "span start orders/GetOrder",
    "  span error orders/GetOrder: order 2 not found",
    "span end   orders/GetOrder",
    "get: order 2 not found",
    // Without the permission, auth refuses inside the span.
    "span start orders/CancelOrder",
    "  span error orders/CancelOrder: unauthorized",
    "span end   orders/CancelOrder",
    "cancel: unauthorized",
    "span start orders/CancelOrder",
    "cancelled 1",
    "span end   orders/CancelOrder",
    "total: 0",
];

/// A fresh Go module `example.com/scratch` under the temp dir, with a
/// `main.go` and, when given, an `aspects.yaml`.
/// Removed when the returned guard is dropped.
pub fn scratch_module(tag: &str, aspects: Option<&str>, main_go: &str) -> scratch::Scratch {
    let dir = scratch::Scratch::new(tag);
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/scratch\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(dir.join("main.go"), main_go).unwrap();
    if let Some(a) = aspects {
        std::fs::write(dir.join("aspects.yaml"), a).unwrap();
    }
    dir
}
