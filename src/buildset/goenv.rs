//! The go command's own view of the settings that decide what a build
//! compiles (`go env -json`), as opposed to the process environment: it
//! merges the go env file (`go env -w`), `$GOROOT/go.env` and the
//! toolchain's defaults (cgo is off when no C compiler is found), names the
//! go.mod and go.work in effect, and is answered by the toolchain that will
//! build (a version manager's shim selects it). Driver mode reads it once
//! per command (~5 ms): its GOFLAGS are the ones the build gets, and it is
//! part of the key of the kept listings ([`super::kept_lists`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

/// The variables asked for.
const VARS: &[&str] = &[
    "GOVERSION",
    "GOROOT",
    "GOFLAGS",
    "GOMOD",
    "GOWORK",
    "GOOS",
    "GOARCH",
    "GOEXPERIMENT",
    "GOTOOLCHAIN",
    "CGO_ENABLED",
    "CC",
    "CXX",
];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct Vars {
    #[serde(default)]
    goflags: String,
    #[serde(default)]
    gomod: String,
    #[serde(default)]
    gowork: String,
}

/// What `go env` says in one directory.
#[derive(Debug)]
pub struct GoEnv {
    /// The whole answer (a key part).
    pub json: String,
    /// GOFLAGS in effect (environment or go env file).
    pub goflags: String,
    /// The main module's go.mod (`None`: no module, or GOPATH mode).
    pub gomod: Option<PathBuf>,
    /// The go.work in effect (`None`: no workspace, or `GOWORK=off`).
    pub gowork: Option<PathBuf>,
}

impl GoEnv {
    /// Ask the go command in `dir`; `None` if it cannot answer (the build
    /// that follows reports why).
    pub fn read(dir: &Path) -> Option<GoEnv> {
        GoEnv::ask(dir).answer()
    }

    /// Start asking: the answer ([`Asking::answer`]) is read later, so
    /// the caller's own work overlaps the go command's start-up.
    pub fn ask(dir: &Path) -> Asking {
        let child = Command::new("go")
            .current_dir(dir)
            .args(["env", "-json"])
            .args(VARS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        Asking { child }
    }
}

/// A `go env` under way.
pub struct Asking {
    child: Option<std::process::Child>,
}

impl Asking {
    pub fn answer(self) -> Option<GoEnv> {
        let out = self.child?.wait_with_output().ok()?;
        if !out.status.success() {
            return None;
        }
        let json = String::from_utf8(out.stdout).ok()?;
        let vars: Vars = serde_json::from_str(&json).ok()?;
        let path = |v: String| {
            // `/dev/null` (`NUL`): module mode outside any module.
            (!v.is_empty() && v != "off" && v != "/dev/null" && v != "NUL")
                .then(|| PathBuf::from(v))
        };
        Some(GoEnv {
            goflags: vars.goflags,
            gomod: path(vars.gomod),
            gowork: path(vars.gowork),
            json,
        })
    }
}
