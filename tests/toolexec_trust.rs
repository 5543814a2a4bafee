//! Correct or loud (DESIGN §11): `go build -toolexec=goaop` against a
//! damaged goaop cache directory and a hostile build environment. Every
//! case ends in the correctly woven program (run and checked) or a clear
//! error with a non-zero exit, never a silently wrong binary.
//!
//! All cases share one module (tests/toolexec_trust/module, copied to
//! `<target>/goaop-trust/module`), so one rule set, and the suite's GOCACHE:
//! the standard library is compiled once for them. They take turns on the
//! module through [`Module::take`]. Each case gets its own goaop cache
//! directory (`XDG_CACHE_HOME`) to damage.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

use common::gobuild::{GOAOP, backdate, go, output, target, text, toolexec};

/// What the woven program prints (on stderr: the fixture uses `println`).
const WOVEN: &str = "obs v1: trust-mark main 0\nobs v1: trust-mark Work 0\nwork 42\n";
const PLAIN: &str = "work 42\n";

static MODULE: Mutex<()> = Mutex::new(());

/// The shared module, written afresh, held for the duration of one case.
struct Module {
    dir: PathBuf,
    _turn: MutexGuard<'static, ()>,
}

impl Module {
    fn take() -> Module {
        let turn = MODULE.lock().unwrap_or_else(|e| e.into_inner());
        let dir = root().join("module");
        let _ = std::fs::remove_dir_all(&dir);
        copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/toolexec_trust/module"),
            &dir,
        );
        // Files saved within the last seconds are not trusted to be what
        // a kept listing saw (src/store/kept.rs): the fixture is older.
        backdate(&dir, std::time::Duration::from_secs(3600));
        Module { dir, _turn: turn }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Change main.go (a comment) so the next build compiles, and so weaves,
    /// the main package instead of taking it from the Go build cache.
    /// The comment is unique to this moment, so no earlier build (of any
    /// case or run) has the result cached.
    fn bump(&mut self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let main = self.path("main.go");
        let mut text = std::fs::read_to_string(&main).unwrap();
        text.push_str(&format!("\n// bump {now}\n"));
        std::fs::write(main, text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let file = self.path(rel);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(file, text.replace(from, to)).unwrap();
    }

    /// A go command in the module with goaop's cache in `xdg`.
    fn go(&self, xdg: &Path, args: &[&str]) -> Command {
        let mut cmd = go(&self.dir, args);
        cmd.env("XDG_CACHE_HOME", xdg).env_remove("GOAOP_NESTED");
        cmd
    }

    /// `go build -toolexec=<goaop> -o bin .` plus `extra` flags.
    fn build(&self, xdg: &Path, extra: &[&str]) -> Command {
        self.build_with(GOAOP, xdg, extra)
    }

    fn build_with(&self, goaop: &str, xdg: &Path, extra: &[&str]) -> Command {
        let te = format!("-toolexec={goaop}");
        let mut args = vec!["build", te.as_str()];
        args.extend_from_slice(extra);
        args.extend(["-o", "bin", "."]);
        self.go(xdg, &args)
    }

    /// Write `rel` (its directories made as needed).
    fn write(&self, rel: &str, text: &str) {
        let file = self.path(rel);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    /// Let the module's files settle (src/store/kept.rs), then build twice
    /// with a fresh goaop cache named `name`, each printing `expected`
    /// (the second from the kept closure); that cache is returned.
    fn settled_builds(&self, name: &str, expected: &str) -> PathBuf {
        backdate(&self.path("."), std::time::Duration::from_secs(3600));
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let xdg = fresh_xdg(name);
        for _ in 0..2 {
            assert_eq!(self.build_and_run(self.build(&xdg, &[])), expected);
        }
        xdg
    }

    /// Build (must succeed) and return what the binary prints.
    fn build_and_run(&self, cmd: Command) -> String {
        let o = output(cmd);
        assert!(o.status.success(), "build failed:\n{}", text(&o).1);
        run(&self.path("bin"))
    }
}

/// Where this suite keeps its module, goaop caches and scratch files.
fn root() -> PathBuf {
    target().join("goaop-trust")
}

/// A fresh, empty goaop cache base (`XDG_CACHE_HOME`) named `name`.
fn fresh_xdg(name: &str) -> PathBuf {
    let dir = root().join("xdg").join(name);
    let _ = make_writable(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn make_writable(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
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

/// Run a built program; its stderr (where `println` writes).
fn run(bin: &Path) -> String {
    let o = Command::new(bin).output().unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    text(&o).1
}

/// The real compile calls of a build logged with `GOAOP_LOG`, as `-p` names.
fn compiled_packages(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("compile ") && *l != "compile -V=full")
        .filter_map(|l| {
            let mut words = l.split(' ');
            words.find(|w| *w == "-p")?;
            words.next().map(str::to_string)
        })
        .collect()
}

/// The goaop cache files of `xdg` whose names start with `prefix`.
fn cache_files(xdg: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(xdg.join("goaop"))
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && !n.ends_with(".tmp"))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn failed_with(o: &Output, needle: &str) {
    let (out, err) = text(o);
    assert!(!o.status.success(), "expected a failure:\n{out}\n{err}");
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
}

/// Issue #9 item 1: the advice imports a package of the module itself. An
/// edit of that package reaches the next build (even when the woven
/// packages' own export data does not change: `Enter` is not inlined), and
/// `go build -a` rebuilds. The closure of the advice's imports is kept
/// across builds (issue #11: no nested `go list` in a no-op rebuild) only
/// while that package's directory is unchanged.
#[test]
fn an_edit_of_an_injected_package_of_the_module_reaches_the_binary() {
    let m = Module::take();
    // The fixture's change times must settle too (store::kept::TOO_RECENT).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let xdg = fresh_xdg("edit");
    let log = root().join("edit.log");
    let logged = |args: &[&str]| {
        let _ = std::fs::remove_file(&log);
        let mut cmd = m.build(&xdg, args);
        cmd.env("GOAOP_LOG", &log);
        let o = output(cmd);
        assert!(o.status.success(), "{}", text(&o).1);
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        let listed = calls
            .lines()
            .filter(|l| l.starts_with("#goaop go-list "))
            .count();
        (run(&m.path("bin")), listed)
    };
    let (out, listed) = logged(&[]);
    assert_eq!(
        (out.as_str(), listed),
        (WOVEN, 1),
        "a cold build lists the closure once"
    );
    let (out, listed) = logged(&[]);
    assert_eq!(
        (out.as_str(), listed),
        (WOVEN, 0),
        "a no-op rebuild keeps it"
    );

    m.edit("internal/obs/obs.go", "obs v1:", "obs v2:");
    let (out, listed) = logged(&[]);
    assert_eq!(out, WOVEN.replace("v1", "v2"));
    assert_eq!(listed, 1, "an edit of the injected package lists it again");

    m.edit("internal/obs/obs.go", "obs v2:", "obs v3:");
    let (out, _) = logged(&["-a"]);
    assert_eq!(out, WOVEN.replace("v1", "v3"));
    assert!(
        compiled_packages(&log).contains(&"main".to_string()),
        "go build -a compiles the main package again"
    );
}

/// The closure's kept answer watches what the Go build cache hashes of an
/// injected package beyond its directory's files: a file it embeds from a
/// subdirectory. An edit of it (same size) reaches the next build (the
/// kept closure id stayed, and the binary kept the old text, exit 0).
#[test]
fn an_edit_of_a_file_an_injected_package_embeds_reaches_the_binary() {
    let m = Module::take();
    m.write("internal/obs/data/msg.txt", "embed v1");
    m.write(
        "internal/obs/embed.go",
        "package obs\n\nimport _ \"embed\"\n\n//go:embed data/msg.txt\nvar msg string\n\n\
         func init() { println(msg) }\n",
    );
    let woven = format!("embed v1\n{WOVEN}");
    let xdg = m.settled_builds("embed", &woven);
    m.edit("internal/obs/data/msg.txt", "v1", "v2");
    assert_eq!(
        m.build_and_run(m.build(&xdg, &[])),
        woven.replace("embed v1", "embed v2")
    );
}

/// `//go:embed static` over a directory that holds only directories
/// (`static/css/`, `static/js/`): a new subdirectory with a file in it
/// (`static/img/logo.png`) reaches the next build. No file of a watched
/// directory changed, so the kept closure was reused and the binary
/// linked the old export data without the new file, exit 0.
#[test]
fn a_new_subdirectory_of_an_embedded_tree_reaches_the_binary() {
    let m = Module::take();
    m.write("internal/obs/static/css/a.css", "a");
    m.write("internal/obs/static/js/b.js", "b");
    m.write(
        "internal/obs/embed.go",
        "package obs\n\nimport (\n\t\"embed\"\n\t\"io/fs\"\n)\n\n//go:embed static\nvar static embed.FS\n\n\
         func init() {\n\t_ = fs.WalkDir(static, \".\", func(p string, d fs.DirEntry, err error) error {\n\
         \t\tif err == nil && !d.IsDir() {\n\t\t\tprintln(p)\n\t\t}\n\t\treturn err\n\t})\n}\n",
    );
    let before = format!("static/css/a.css\nstatic/js/b.js\n{WOVEN}");
    let xdg = m.settled_builds("embed-tree", &before);
    m.write("internal/obs/static/img/logo.png", "png");
    assert_eq!(
        m.build_and_run(m.build(&xdg, &[])),
        format!("static/css/a.css\nstatic/img/logo.png\nstatic/js/b.js\n{WOVEN}")
    );
}

/// Issue #9 item 2: goaop's own binary is part of every cache key. A
/// byte-different goaop of the same version does not reuse the objects the
/// first one wove (nor its rule-set file); going back to the first reuses
/// them again.
#[test]
fn a_different_goaop_binary_does_not_reuse_the_woven_objects() {
    let m = Module::take();
    let xdg = fresh_xdg("identity");
    let other = root().join("goaop-other");
    let mut bytes = std::fs::read(GOAOP).unwrap();
    // Unique to this run: the shared GOCACHE must not hold objects an
    // identical "other" goaop wove in an earlier run of the suite.
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    bytes.extend_from_slice(format!("\0another goaop build {nonce}\0").as_bytes());
    std::fs::write(&other, bytes).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let other = other.to_str().unwrap();
    let log = root().join("identity.log");
    let logged = |goaop: &str| {
        let _ = std::fs::remove_file(&log);
        let mut cmd = m.build_with(goaop, &xdg, &[]);
        cmd.env("GOAOP_LOG", &log);
        let o = output(cmd);
        assert!(o.status.success(), "{}", text(&o).1);
        assert_eq!(run(&m.path("bin")), WOVEN);
        compiled_packages(&log)
    };
    logged(GOAOP);
    assert_eq!(logged(GOAOP), Vec::<String>::new(), "a rebuild is cached");
    assert!(
        logged(other).contains(&"main".to_string()),
        "another goaop weaves the main package itself"
    );
    assert_eq!(
        logged(GOAOP),
        Vec::<String>::new(),
        "the first goaop's objects are still cached under its own key"
    );
    assert_eq!(
        cache_files(&xdg, "rules-").len(),
        2,
        "one rule set per goaop"
    );
}

/// Issue #9 item 3: coverage and the race detector with advice that imports
/// a module package and a standard package nothing else imports. The nested
/// `go list` must not instrument the injected packages (a link-time
/// fingerprint mismatch), and no run may poison the next one.
#[test]
fn coverage_and_race_builds_with_injected_imports() {
    let m = Module::take();
    let xdg = fresh_xdg("cover");
    let te = toolexec();
    for flags in [
        &["-cover"][..],
        &["-coverpkg=./..."],
        &["-covermode=atomic"],
        &["-race", "-cover"],
    ] {
        let mut args = vec!["test", "-count=1", "-v", te.as_str()];
        args.extend_from_slice(flags);
        args.push(".");
        let o = output(m.go(&xdg, &args));
        let (out, err) = text(&o);
        assert!(o.status.success(), "go test {flags:?}:\n{out}\n{err}");
        assert!(
            out.contains("obs v1: trust-mark Work 0\n--- PASS: TestWork"),
            "go test {flags:?}: the advice runs in the test:\n{out}"
        );
        assert!(out.contains("coverage:"), "{flags:?}:\n{out}");
    }
    let cover = root().join("cover-data");
    let _ = std::fs::remove_dir_all(&cover);
    std::fs::create_dir_all(&cover).unwrap();
    let o = output(m.build(&xdg, &["-cover"]));
    assert!(o.status.success(), "go build -cover:\n{}", text(&o).1);
    let o = Command::new(m.path("bin"))
        .env("GOCOVERDIR", &cover)
        .output()
        .unwrap();
    assert_eq!(text(&o).1, WOVEN);
    assert!(
        std::fs::read_dir(&cover).unwrap().count() > 0,
        "the -cover binary writes coverage data"
    );
}

/// A damaged rule-set file in the cache directory.
type Damage = fn(&mut Vec<u8>);

/// Issue #9 item 4 and the rule-set faults: a damaged rule-set file is
/// never trusted. It is compiled again from the aspects (and rewritten), so
/// the build is woven exactly as with an intact cache.
#[test]
fn a_damaged_rule_set_file_is_rebuilt_from_the_aspects() {
    let mut m = Module::take();
    let xdg = fresh_xdg("rules");
    assert_eq!(m.build_and_run(m.build(&xdg, &[])), WOVEN);
    let [rules] = &cache_files(&xdg, "rules-")[..] else {
        panic!("one rule-set file: {:?}", cache_files(&xdg, "rules-"));
    };
    let good = std::fs::read(rules).unwrap();
    let cases: &[(&str, Damage)] = &[
        ("empty", |b| b.clear()),
        ("truncated", |b| b.truncate(b.len() / 2)),
        ("one byte short", |b| {
            b.pop();
        }),
        ("garbled", |b| {
            let mid = b.len() / 2;
            for (i, x) in b[mid - 64..mid + 64].iter_mut().enumerate() {
                *x ^= 0x5a ^ i as u8;
            }
        }),
        ("bit flip", |b| {
            let at = b.len() / 3;
            b[at] ^= 0x10;
        }),
        ("edited template", |b| {
            let at = b
                .windows(10)
                .position(|w| w == b"trust-mark")
                .expect("the template text is in the rule set");
            b[at + 9] = b'X';
        }),
        ("zeroed middle", |b| {
            let n = b.len();
            b[n / 4..3 * n / 4].fill(0);
        }),
        ("appended", |b| b.extend_from_slice(b"junk")),
    ];
    for (name, damage) in cases {
        let mut bytes = good.clone();
        damage(&mut bytes);
        std::fs::write(rules, &bytes).unwrap();
        m.bump();
        assert_eq!(m.build_and_run(m.build(&xdg, &[])), WOVEN, "{name}");
        assert_eq!(std::fs::read(rules).unwrap(), good, "{name}: rewritten");
    }
}

/// A rule-set file damaged after the go command's first call pinned it
/// (src/toolexec/pin.rs) is never trusted by the calls that follow, even
/// damaged in place with its size and modification time kept, or replaced
/// by a damaged copy that has them: every read hashes it (a file's status
/// is no proof of its bytes), and the build is woven from the aspects.
#[test]
fn a_rule_set_damaged_during_a_build_is_not_trusted() {
    let mut m = Module::take();
    let xdg = fresh_xdg("damaged-during");
    m.bump();
    assert_eq!(m.build_and_run(m.build(&xdg, &[])), WOVEN);
    let [rules] = &cache_files(&xdg, "rules-")[..] else {
        panic!("one rule-set file: {:?}", cache_files(&xdg, "rules-"));
    };
    let good = std::fs::read(rules).unwrap();
    let at = 9 + good
        .windows(10)
        .position(|w| w == b"trust-mark")
        .expect("the template text is in the rule set");
    let (r, copy) = (rules.display(), root().join("damaged-copy"));
    let done = root().join("damaged-done");
    let flip = |file: &dyn std::fmt::Display| {
        format!("printf X | dd of='{file}' bs=1 seek={at} conv=notrunc 2>/dev/null")
    };
    let cases = [
        (
            "in place",
            format!(
                "cp -p '{r}' '{c}' && {} && touch -m -r '{c}' '{r}' && touch '{d}'",
                flip(&r),
                c = copy.display(),
                d = done.display()
            ),
        ),
        (
            "replaced",
            format!(
                "cp -p '{r}' '{c}' && {} && touch -m -r '{r}' '{c}' && mv '{c}' '{r}' && touch '{d}'",
                flip(&copy.display()),
                c = copy.display(),
                d = done.display()
            ),
        ),
    ];
    for (name, change) in cases {
        let _ = std::fs::remove_file(&done);
        m.bump();
        let wrapper = changes_mid_build("damaged-during", &change, GOAOP);
        let out = m.build_and_run(m.build_with(wrapper.to_str().unwrap(), &xdg, &[]));
        assert_eq!(out, WOVEN, "{name}: woven from the aspects");
        assert!(done.exists(), "{name}: the wrapper damaged the file");
        assert_eq!(std::fs::read(rules).unwrap(), good, "{name}: rewritten");
    }
}

/// Faults of the cache directory itself: a file where the directory should
/// be, a directory that cannot be created, a read-only one, a relative
/// `XDG_CACHE_HOME` (ignored, as the XDG spec says), and garbage or stale
/// files from other goaop versions in it.
#[test]
fn cache_directory_faults() {
    let mut m = Module::take();

    let xdg = fresh_xdg("is-a-file");
    std::fs::write(xdg.join("goaop"), "not a directory").unwrap();
    m.bump();
    assert_eq!(
        m.build_and_run(m.build(&xdg, &[])),
        WOVEN,
        "goaop is a file"
    );

    m.bump();
    let nowhere = Path::new("/proc/self/goaop-cannot-create");
    assert_eq!(
        m.build_and_run(m.build(nowhere, &[])),
        WOVEN,
        "cannot be created"
    );

    let xdg = fresh_xdg("read-only");
    assert_eq!(m.build_and_run(m.build(&xdg, &[])), WOVEN);
    for f in std::fs::read_dir(xdg.join("goaop")).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::write(&f, b"garbage").unwrap();
        }
    }
    // (Running as root, the mode does not stop writes; the damaged files
    // inside still must not be trusted.)
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = std::fs::Permissions::from_mode(0o555);
        std::fs::set_permissions(xdg.join("goaop"), ro).unwrap();
    }
    m.bump();
    let woven = m.build_and_run(m.build(&xdg, &[]));
    make_writable(&xdg.join("goaop")).unwrap();
    assert_eq!(woven, WOVEN, "read-only, garbage inside");

    m.bump();
    let mut cmd = m.build(Path::new("relative-cache"), &[]);
    cmd.env("HOME", root().join("home"));
    assert_eq!(m.build_and_run(cmd), WOVEN, "relative XDG_CACHE_HOME");
    assert!(
        !m.path("relative-cache").exists(),
        "a relative XDG_CACHE_HOME is ignored"
    );
    assert!(
        root().join("home/.cache/goaop").is_dir(),
        "the default cache dir is used instead"
    );

    // Stale and foreign files: closure files of older goaop versions that
    // point at nothing, and garbage under every name goaop uses.
    let xdg = fresh_xdg("garbage");
    assert_eq!(m.build_and_run(m.build(&xdg, &[])), WOVEN);
    let dir = xdg.join("goaop");
    for f in std::fs::read_dir(&dir).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            let mut b = std::fs::read(&f).unwrap();
            let at = b.len() / 2;
            b[at] ^= 1;
            std::fs::write(&f, b).unwrap();
        }
    }
    std::fs::write(
        dir.join("deps-00000000000000000000000000000000.json"),
        r#"{"packages":{"example.com/trust/internal/obs":"/nonexistent/obs.a"}}"#,
    )
    .unwrap();
    m.bump();
    assert_eq!(
        m.build_and_run(m.build(&xdg, &[])),
        WOVEN,
        "garbage in the cache"
    );
}

/// Stray `GOAOP_*` variables in the environment: a leaked `GOAOP_NESTED`
/// (issue #9 item 5), a `GOAOP_LOG` that cannot be written, goaop turned on
/// in the go env file, a `GOAOP_CONFIG` naming a missing file.
#[test]
fn stray_goaop_variables() {
    let mut m = Module::take();
    let xdg = fresh_xdg("env");
    for (var, value) in [
        ("GOAOP_NESTED", "1"),
        ("GOAOP_LOG", "/proc/self/goaop-cannot-log"),
        ("GOAOP_LOG", "/"),
    ] {
        m.bump();
        let mut cmd = m.build(&xdg, &[]);
        cmd.env(var, value);
        let o = output(cmd);
        assert!(o.status.success(), "{var}={value}: {}", text(&o).1);
        assert_eq!(run(&m.path("bin")), WOVEN, "{var}={value}");
    }

    // `go env -w GOFLAGS=-toolexec=goaop`: the go env file turns goaop on
    // for every go command, the nested `go list` of the injected imports
    // included, unless goaop turns it off there (it recursed, and hung).
    let goenv = root().join("goenv");
    std::fs::write(&goenv, format!("GOFLAGS=-toolexec={GOAOP}\n")).unwrap();
    m.bump();
    let mut cmd = m.go(&xdg, &["build", "-o", "bin", "."]);
    cmd.env("GOENV", &goenv);
    assert_eq!(m.build_and_run(cmd), WOVEN, "GOFLAGS from the go env file");

    m.bump();
    let mut cmd = m.build(&xdg, &[]);
    cmd.env("GOAOP_CONFIG", "missing-aspects.yaml");
    failed_with(&output(cmd), "missing-aspects.yaml");

    // A plain build next to it stays plain.
    let o = output(m.go(&xdg, &["build", "-o", "bin", "."]));
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(run(&m.path("bin")), PLAIN);
}

/// The nested `go list` of the injected imports runs where the go command
/// runs, so relative paths in its flags mean the same (it ran in the
/// module root: `-modfile=../alt.mod` from a subdirectory failed).
#[test]
fn relative_flags_from_a_subdirectory() {
    let mut m = Module::take();
    let xdg = fresh_xdg("subdir");
    std::fs::copy(m.path("go.mod"), m.path("alt.mod")).unwrap();
    m.bump();
    let mut cmd = go(
        &m.path("internal"),
        &[
            "build",
            "-modfile=../alt.mod",
            &toolexec(),
            "-o",
            "../bin",
            "..",
        ],
    );
    cmd.env("XDG_CACHE_HOME", &xdg);
    assert_eq!(m.build_and_run(cmd), WOVEN);
}

/// Three cold builds at once sharing one (empty) goaop cache: every one is
/// woven.
#[test]
fn concurrent_cold_builds_share_one_cache() {
    let mut m = Module::take();
    let xdg = fresh_xdg("concurrent");
    m.bump();
    let children: Vec<_> = (0..3)
        .map(|i| {
            let mut cmd = m.go(&xdg, &["build", &toolexec(), "-o", &format!("bin{i}"), "."]);
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("go runs")
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "build {i}: {}", text(&o).1);
        assert_eq!(run(&m.path(&format!("bin{i}"))), WOVEN, "build {i}");
    }
    assert_eq!(cache_files(&xdg, "rules-").len(), 1);
}

/// A `-toolexec` program that runs `change` (shell) before the build's
/// first real compile, then becomes `goaop_then` for that call and every
/// later one (exec: goaop's parent is the go command).
fn changes_mid_build(name: &str, change: &str, goaop_then: &str) -> PathBuf {
    let wrapper = root().join(format!("{name}.sh"));
    let mark = root().join(format!("{name}.mark"));
    let _ = std::fs::remove_file(&mark);
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh
goaop='{GOAOP}'
[ -e '{mark}' ] && goaop='{goaop_then}'
\
             case \"$1\" in */compile) if [ \"$2\" != -V=full ] && [ ! -e '{mark}' ]; then \
             touch '{mark}'; goaop='{goaop_then}'; {change}; fi;; esac\nexec \"$goaop\" \"$@\"\n",
            mark = mark.display(),
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    wrapper
}

/// An aspect edited while a build runs: cmd/go keys every action on the
/// tool ID of its first `-V=full` call, which names the rule set of that
/// moment, so every compile of the build weaves with that rule set
/// (src/toolexec/pin.rs). Otherwise the main package, woven with the
/// edited aspect, is filed under the old aspect's key, and the next build
/// with the old aspect (the edit undone) links it.
#[test]
fn an_aspect_edit_during_a_build_does_not_reach_that_build() {
    aspect_edit_during_a_build("edit-during", None);
}

/// The same, with the go command started under a name holding a newline
/// and a `)`: goaop finds the go command's run directory, where the pin
/// lives, from its process name in `/proc/<pid>/stat`.
#[test]
fn an_aspect_edit_during_a_build_of_an_oddly_named_go_does_not_reach_it() {
    aspect_edit_during_a_build("odd-go", Some("g\n) o"));
}

/// A build (by the go command, or by a symbolic link to it named
/// `go_named`) whose aspects are edited before its first real compile
/// must print what the aspects said when it started.
fn aspect_edit_during_a_build(name: &str, go_named: Option<&str>) {
    let mut m = Module::take();
    let xdg = fresh_xdg(name);
    m.bump();
    let aspects = m.path("aspects.yaml");
    let change = format!("sed -i s/trust-mark/edited-mark/ '{}'", aspects.display());
    let wrapper = changes_mid_build(name, &change, GOAOP);
    let mut build = m.build_with(wrapper.to_str().unwrap(), &xdg, &[]);
    if let Some(go_named) = go_named {
        let goroot = output(go(&m.dir, &["env", "GOROOT"]));
        let real_go = Path::new(text(&goroot).0.trim()).join("bin/go");
        let dir = root().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join(go_named);
        std::os::unix::fs::symlink(&real_go, &link).unwrap();
        build = with_program(&build, &link);
    }
    let out = m.build_and_run(build);
    assert!(
        std::fs::read_to_string(&aspects)
            .unwrap()
            .contains("edited-mark"),
        "the wrapper edited the aspects"
    );
    assert_eq!(out, WOVEN, "woven with the aspects the build started with");
}

/// `cmd` with another program.
fn with_program(cmd: &Command, program: &Path) -> Command {
    let mut c = Command::new(program);
    c.args(cmd.get_args());
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

/// The pin itself damaged while the build runs (and an aspect edited): the
/// calls after that fail the build and say why, instead of going on
/// without the pin and weaving part of the build with the edited aspect.
#[test]
fn a_pin_damaged_during_a_build_fails_it() {
    let mut m = Module::take();
    let xdg = fresh_xdg("pin-damaged");
    m.bump();
    let change = format!(
        "for f in '{runs}'/*/pin-*.bin; do printf X | dd of=\"$f\" bs=1 seek=20 conv=notrunc \
         2>/dev/null; done; sed -i s/trust-mark/edited-mark/ '{aspects}'",
        runs = xdg.join("goaop/runs").display(),
        aspects = m.path("aspects.yaml").display(),
    );
    let wrapper = changes_mid_build("pin-damaged", &change, GOAOP);
    let o = output(m.build_with(wrapper.to_str().unwrap(), &xdg, &[]));
    failed_with(&o, "is damaged; run the build again");
}

/// goaop replaced while a build runs (its identity is in the tool ID the
/// build started with): the build fails and says why.
#[test]
fn goaop_replaced_during_a_build_fails_it() {
    let mut m = Module::take();
    let xdg = fresh_xdg("replaced-during");
    m.bump();
    let other = root().join("goaop-replaced");
    let mut bytes = std::fs::read(GOAOP).unwrap();
    bytes.extend_from_slice(b"\0a replaced goaop\0");
    std::fs::write(&other, bytes).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let wrapper = changes_mid_build("replaced-during", "true", other.to_str().unwrap());
    let o = output(m.build_with(wrapper.to_str().unwrap(), &xdg, &[]));
    failed_with(&o, "goaop itself was replaced while this go command ran");
}

/// A build whose work directory's path is not UTF-8 (`GOTMPDIR`): goaop
/// cannot read the compiler's arguments (`-o`, `-importcfg`), so it
/// passes through the compiles of packages no aspect can touch and fails
/// on one it could weave, as plan and driver mode fail on such paths. It
/// passed those through unwoven before (here the link then failed; with
/// advice that imports nothing, the build exited 0).
#[test]
fn a_compile_whose_arguments_are_not_utf8_fails_loudly() {
    use std::os::unix::ffi::OsStrExt;
    let mut m = Module::take();
    m.bump();
    let tmp = root().join(std::ffi::OsStr::from_bytes(b"tmp-\xff"));
    std::fs::create_dir_all(&tmp).unwrap();
    let xdg = fresh_xdg("not-utf8");
    let mut cmd = m.build(&xdg, &[]);
    cmd.env("GOTMPDIR", &tmp);
    let _ = std::fs::remove_file(m.path("bin"));
    failed_with(&output(cmd), "cannot weave package example.com/trust:");
    assert!(!m.path("bin").exists(), "no binary may come out");
}
