//! The Go module the end-to-end integration tests share:
//! tests/integrations_e2e, one program per test (`kafka`, `mongoaws`,
//! `more`, `pg`), one go.mod and one aspects.yaml that `goaop init` wrote
//! with every integration those programs use. Under `-toolexec` the rule
//! set and the closure of the advice's imports are part of the compiler's
//! tool id, so one module instead of four means the standard library and
//! the OpenTelemetry SDK compile once for the four tests (they share
//! GOCACHE), not once each.

use std::path::{Path, PathBuf};

use super::gobuild::{copy_tree, go, succeed, toolexec};
use super::woven::goaop_cmd as goaop;

/// A fresh copy of the module, for the test of `program`.
pub struct Services {
    pub dir: PathBuf,
    /// The program's package, relative to the module (`./kafka`).
    pub pkg: String,
}

impl Services {
    pub fn copy(program: &str) -> Services {
        Services {
            dir: copy_tree(&super::root().join("tests/integrations_e2e"), program),
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

impl Drop for Services {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
