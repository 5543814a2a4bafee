//! The Go module the end-to-end integration tests share:
//! tests/integrations_e2e, one program per test (`kafka`, `mongoaws`,
//! `more`, `pg`, `transparency`), one go.mod and one aspects.yaml that
//! `goaop init` wrote with every integration those programs use (plus
//! tests/transparency.rs's own aspects, kept to its program by
//! `packages`). Under `-toolexec` the rule set and the closure of the
//! advice's imports are part of the compiler's tool id, so one module
//! instead of one per test means the standard library and the
//! OpenTelemetry SDK compile once for these tests (they share GOCACHE),
//! not once each.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::gobuild::{copy_into, go, make_writable, succeed, target, toolexec};
use super::woven::goaop_cmd as goaop;

/// The module's copy, at one path for the whole suite: the module's own
/// aspects (tests/transparency.rs's) are part of the rule set's fingerprint
/// with the path of the file that holds them (woven code points at it with
/// `//line`), so copies at different paths would each compile everything
/// again. The first test of a test binary makes a fresh copy (cargo runs
/// the binaries one after another); the tests of one binary share it and
/// must not change it (kafka's `go mod vendor` is its binary's only test).
/// Two `cargo test` runs on one target directory at once would collide here.
fn shared_copy() -> &'static Path {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let to = target().join("integrations-e2e");
        if to.exists() {
            make_writable(&to);
            std::fs::remove_dir_all(&to).unwrap();
        }
        copy_into(&super::root().join("tests/integrations_e2e"), &to);
        to
    })
}

/// The shared copy of the module, for the test of `program`.
pub struct Services {
    pub dir: PathBuf,
    /// The program's package, relative to the module (`./kafka`).
    pub pkg: String,
}

impl Services {
    pub fn of(program: &str) -> Services {
        Services {
            dir: shared_copy().to_path_buf(),
            pkg: format!("./{program}"),
        }
    }

    /// `goaop plan` of the program's package tree and `extra` packages.
    pub fn plan(&self, extra: &[&str]) -> String {
        let tree = format!("{}/...", self.pkg);
        let mut args = vec!["plan", tree.as_str()];
        args.extend_from_slice(extra);
        succeed("goaop plan", goaop(&self.dir, &args))
    }

    /// `go build -toolexec=goaop -o bin <program>`.
    pub fn build_toolexec(&self, bin: &Path) {
        let mut build = go(&self.dir, &["build", &toolexec(), "-o"]);
        build.arg(bin).arg(&self.pkg);
        succeed("go build -toolexec=goaop", build);
    }

    /// `goaop go build <flags> -o bin <program>` (driver mode).
    pub fn build_driver(&self, flags: &[&str], bin: &Path) {
        let mut build = goaop(&self.dir, &["go", "build"]);
        build.args(flags).arg("-o").arg(bin).arg(&self.pkg);
        succeed("goaop go build", build);
    }
}
