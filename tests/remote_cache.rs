//! The remote-cache story for CI fleets (issue #11 item 3): several
//! checkouts, each with its own empty local cache, share one remote Go build
//! cache through `GOCACHEPROG` (github.com/bradfitz/go-tool-cache's
//! `go-cacher` talking to a `go-cacher-server` on a free loopback port,
//! both pinned in tests/remote_cache/tools/go.mod). Built with `-trimpath`:
//!
//! - `go build -toolexec=goaop`: a second checkout in ANOTHER directory
//!   compiles nothing and links a byte-identical binary (the woven
//!   objects are keyed on the original sources and goaop's tool id, and
//!   `-trimpath` removes the checkout's path from them);
//! - `goaop go build` (driver mode): a second checkout in the SAME
//!   directory (a fleet whose runners check out to one fixed path)
//!   compiles nothing and links a byte-identical binary; in another
//!   directory it recompiles exactly the woven packages (their woven text
//!   names the checkout's files in `//line` directives, so that errors
//!   point at the user's files) and reuses everything else.
//!
//! Each checkout has its own goaop cache (`XDG_CACHE_HOME`) too: nothing is
//! shared but the remote cache. Needs the Go toolchain and the module proxy
//! (to build the cache programs); fails loudly without them.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::gobuild::{GOAOP, go, output, target, text, toolexec};

/// What the woven program prints.
const WOVEN: &str = "enter greet at main.go:10\nhello, CACHE\n";

/// Scratch space of this suite.
fn scratch() -> PathBuf {
    target().join("goaop-remote-cache")
}

/// Build `go-cacher` and `go-cacher-server` (pinned) into `bin`.
fn cache_programs(bin: &Path) {
    let tools = common::root().join("tests/remote_cache/tools");
    let o = output(go(
        &tools,
        &[
            "build",
            "-o",
            &format!("{}/", bin.display()),
            "github.com/bradfitz/go-tool-cache/cmd/go-cacher",
            "github.com/bradfitz/go-tool-cache/cmd/go-cacher-server",
        ],
    ));
    assert!(
        o.status.success(),
        "building the GOCACHEPROG programs (needs the Go module proxy):\n{}",
        text(&o).1
    );
}

/// The remote cache server, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(bin: &Path, dir: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(bin.join("go-cacher-server"))
            .args(["-cache-dir", &dir.display().to_string(), "-listen", &addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start go-cacher-server");
        let start = Instant::now();
        while TcpStream::connect(&addr).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "go-cacher-server did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            url: format!("http://{addr}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One build of one checkout: how many packages it compiled, and the binary.
struct Built {
    compiles: usize,
    binary: Vec<u8>,
}

/// Build the checkout at `dir` with `-trimpath`, its own local cache
/// `local` (and goaop cache under it), through the remote cache.
fn build(dir: &Path, local: &Path, bin: &Path, server: &Server, driver: bool) -> Built {
    let cacher = format!(
        "{} -cache-dir {} -cache-server {}",
        bin.join("go-cacher").display(),
        local.join("go").display(),
        server.url
    );
    let out = dir.join("prog");
    let _ = std::fs::remove_file(&out);
    let args = ["build", "-x", "-trimpath", "-o", "prog", "."];
    let mut cmd = if driver {
        let mut c = Command::new(GOAOP);
        c.current_dir(dir)
            .arg("go")
            .args(args)
            .env_remove("GOFLAGS")
            .env_remove("GOAOP_CONFIG");
        c
    } else {
        let te = toolexec();
        let mut with = args.to_vec();
        with.insert(1, &te);
        go(dir, &with)
    };
    cmd.env("GOCACHEPROG", cacher)
        .env_remove("GOCACHE")
        .env("XDG_CACHE_HOME", local.join("goaop"));
    let o = output(cmd);
    let (_, err) = text(&o);
    assert!(o.status.success(), "build in {}:\n{err}", dir.display());
    let run = Command::new(&out).output().unwrap();
    assert_eq!(
        text(&run).0,
        WOVEN,
        "the binary of {} is woven",
        dir.display()
    );
    Built {
        // `go build -x` prints every tool it runs; a cache hit runs none.
        compiles: err.lines().filter(|l| l.contains("/compile ")).count(),
        binary: std::fs::read(&out).unwrap(),
    }
}

/// A fresh checkout of the fixture at `dir`.
fn checkout(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    common::gobuild::copy_into(&common::root().join("tests/remote_cache/app"), dir);
}

#[test]
fn checkouts_share_one_remote_cache() {
    let root = scratch();
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let bin = root.join("bin");
    cache_programs(&bin);
    let server = Server::start(&bin, &root.join("server"));

    // -toolexec: the second checkout lives in another directory.
    let (a, b) = (root.join("toolexec-a"), root.join("toolexec-bb"));
    checkout(&a);
    checkout(&b);
    let first = build(&a, &root.join("local-1"), &bin, &server, false);
    assert!(
        first.compiles > 10,
        "a cold build compiles: {}",
        first.compiles
    );
    let second = build(&b, &root.join("local-2"), &bin, &server, false);
    assert_eq!(
        second.compiles, 0,
        "-toolexec: another checkout reuses everything"
    );
    assert!(
        first.binary == second.binary,
        "-toolexec: byte-identical binaries"
    );

    // Driver mode, one fixed checkout path (a fleet of runners).
    let p = root.join("driver");
    checkout(&p);
    let first = build(&p, &root.join("local-3"), &bin, &server, true);
    checkout(&p);
    let second = build(&p, &root.join("local-4"), &bin, &server, true);
    assert_eq!(
        second.compiles, 0,
        "driver: a fresh checkout at the same path reuses everything"
    );
    assert!(
        first.binary == second.binary,
        "driver: byte-identical binaries"
    );

    // Driver mode in another directory: only the woven package (main)
    // compiles again.
    let other = root.join("driver-elsewhere");
    checkout(&other);
    let third = build(&other, &root.join("local-5"), &bin, &server, true);
    assert_eq!(
        third.compiles, 1,
        "driver elsewhere: only the woven package compiles"
    );
}
