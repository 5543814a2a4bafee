//! Running the real go command in end-to-end tests: one shared GOCACHE
//! (`<target>/goaop-test-gocache`, so each rule set recompiles the standard
//! library once for the whole suite) and a private goaop rule-set cache.
//! A missing Go toolchain fails the test loudly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const GOAOP: &str = env!("CARGO_BIN_EXE_goaop");

/// The cargo target directory (where the goaop binary lives).
pub fn target() -> PathBuf {
    Path::new(GOAOP)
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf()
}

/// A go command in `dir` with the shared build cache and a private goaop cache.
pub fn go(dir: &Path, args: &[&str]) -> Command {
    let gocache = target().join("goaop-test-gocache");
    let xdg = target().join("goaop-test-cache");
    std::fs::create_dir_all(&gocache).unwrap();
    let mut cmd = Command::new("go");
    cmd.current_dir(dir)
        .args(args)
        .env("GOCACHE", gocache)
        .env("XDG_CACHE_HOME", xdg)
        .env_remove("GOFLAGS")
        .env_remove("GOAOP_CONFIG")
        .env_remove("GOAOP_LOG");
    cmd
}

pub fn output(mut cmd: Command) -> Output {
    cmd.output()
        .expect("the Go toolchain (go) is required by the end-to-end tests")
}

/// Run `cmd`, which must succeed; its stdout. Says how long it took (the
/// end-to-end tests' build steps are their cost).
pub fn succeed(what: &str, cmd: Command) -> String {
    let started = std::time::Instant::now();
    let out = output(cmd);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{what} failed:\n{stdout}{stderr}");
    eprintln!("{what} took {:.1}s", started.elapsed().as_secs_f64());
    stdout
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `-toolexec=<the goaop under test>`.
pub fn toolexec() -> String {
    format!("-toolexec={GOAOP}")
}

/// A fresh copy of a directory under the system temp dir, removed when
/// the returned guard is dropped.
pub fn copy_tree(from: &Path, tag: &str) -> super::scratch::Scratch {
    let to = super::scratch::Scratch::new(&format!("e2e-{tag}"));
    copy(from, &to);
    to
}

/// Copy the directory tree `from` to `to` (created).
pub fn copy_into(from: &Path, to: &Path) {
    copy(from, to);
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Set the modification time of every file under `dir` to `ago` before now.
pub fn backdate(dir: &Path, ago: std::time::Duration) {
    let when = std::time::SystemTime::now() - ago;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            backdate(&p, ago);
        } else {
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(when).unwrap();
        }
    }
}

/// Make `dir` and everything below it writable again (the module cache
/// and `go mod vendor` leave read-only files; so do copies of them made by
/// earlier runs). Best effort.
pub fn make_writable(dir: &Path) {
    if dir.exists() {
        let _ = Command::new("chmod").args(["-R", "u+w"]).arg(dir).status();
    }
}
