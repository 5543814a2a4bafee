//! Driver mode keeps its listings and what a build hands the go command
//! across builds (src/buildset/kept_lists.rs, src/store/kept.rs): a kept
//! build must be exactly the build the files on disk would give. Each case
//! here once gave an unwoven or stale binary with exit 0, or a build that
//! kept failing. Also what driver mode weaves or refuses on the command
//! line: cgo files, `go run -exec`, coverage profiles.
//! These tests need the Go toolchain (and a C compiler for cgo) and fail
//! loudly without them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::gobuild::{backdate, copy_tree, go, output, text};
use common::woven::goaop_cmd;

fn fixture(tag: &str) -> common::scratch::Scratch {
    copy_tree(&common::root().join("tests/modes/app"), tag)
}

/// Make every file under `dir` look saved long ago, and let the change
/// times settle: a file whose status changed within the last seconds is
/// not trusted to hold what a kept answer saw (store::kept::TOO_RECENT).
fn settle(dir: &Path) {
    backdate(dir, Duration::from_secs(3600));
    std::thread::sleep(Duration::from_millis(2100));
}

/// The fixture's aspects with every `enter` line prefixed by `label`.
fn labelled(yaml: &str, label: &str) -> String {
    yaml.replace(
        "obs.Enter(\"{{.QualifiedName}}\")",
        &format!("obs.Enter(\"{label} {{{{.QualifiedName}}}}\")"),
    )
}

/// The GOROOT of the real toolchain.
fn real_goroot() -> PathBuf {
    let out = output(go(Path::new("."), &["env", "GOROOT"])).stdout;
    PathBuf::from(String::from_utf8(out).unwrap().trim())
}

/// The `enter …` lines the advice printed.
fn entered(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("enter "))
        .collect()
}

/// A `go` first on PATH (in `<dir>.shim`: [`settle`] must not touch it,
/// its status is in the kept answers' key) that runs its `hook` (once)
/// after the first `go list` it runs, and logs every `go list`.
struct Shim {
    dir: PathBuf,
    path: String,
    hook: PathBuf,
    log: PathBuf,
}

impl Shim {
    fn new(dir: &Path) -> Shim {
        let shim = dir.with_extension("shim");
        std::fs::create_dir_all(&shim).unwrap();
        let real = real_goroot().join("bin/go");
        let hook = shim.join("hook");
        let log = shim.join("lists.log");
        let script = format!(
            "#!/bin/sh\n\
             [ \"$1\" = list ] || exec '{real}' \"$@\"\n\
             echo \"$*\" >> '{log}'\n\
             '{real}' \"$@\"\n\
             rc=$?\n\
             mv '{hook}' '{hook}.run' 2>/dev/null && sh '{hook}.run'\n\
             exit $rc\n",
            real = real.display(),
            log = log.display(),
            hook = hook.display(),
        );
        std::fs::write(shim.join("go"), script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(shim.join("go"), std::fs::Permissions::from_mode(0o755)).unwrap();
        Shim {
            dir: shim.clone(),
            path: format!("{}:{}", shim.display(), std::env::var("PATH").unwrap()),
            hook,
            log,
        }
    }

    fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// `goaop <args>` in `dir` through the shim: its output, and how many
    /// `go list` it ran.
    fn goaop(&self, dir: &Path, args: &[&str]) -> (std::process::Output, usize) {
        let _ = std::fs::remove_file(&self.log);
        let mut cmd = goaop_cmd(dir, args);
        cmd.env("PATH", &self.path);
        let o = output(cmd);
        let n = std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .count();
        (o, n)
    }

    /// Like [`Shim::goaop`], which must succeed: its stdout.
    fn succeed(&self, dir: &Path, args: &[&str]) -> (String, usize) {
        let (o, n) = self.goaop(dir, args);
        let (out, err) = text(&o);
        assert!(o.status.success(), "goaop {args:?}:\n{out}\n{err}");
        (out, n)
    }
}

const RUN_X: &[&str] = &["go", "run", "./cmd/x"];

/// An aspect printing `enter` and the name of every function it enters.
const TRACE_EVERY_FUNC: &str = "aspects:\n  - name: trace\n    target: \"^func \"\n    \
     imports: { fmt: fmt }\n    before: |\n      fmt.Println(\"enter {{.QualifiedName}}\")\n";

/// The advice imports obs, and obs a package the program itself does not
/// import (internal/x), which imports sub: sub is in the advice's closure
/// and left unwoven. When x stops importing sub, sub must be woven, also
/// when the listings were kept and only the rule set changed in between
/// (the kept closure is trimmed to the advice's imports' entries; the
/// directories a build reads, x's included, are kept with it).
#[test]
fn a_kept_build_follows_the_closure_of_the_advice_imports() {
    let dir = fixture("kept-closure");
    let shim = Shim::new(&dir);
    let x = dir.join("internal/x/x.go");
    std::fs::create_dir_all(x.parent().unwrap()).unwrap();
    std::fs::write(
        &x,
        "package x\n\nimport \"example.com/app/sub\"\n\n\
         func Name(s string) string { _ = sub.Sub; return s }\n",
    )
    .unwrap();
    let obs = dir.join("internal/obs/obs.go");
    let text = std::fs::read_to_string(&obs).unwrap();
    std::fs::write(
        &obs,
        text.replace(
            "import \"example.com/app/internal/util\"",
            "import (\n\t\"example.com/app/internal/util\"\n\t\"example.com/app/internal/x\"\n)",
        )
        .replace("\"enter \" + name", "\"enter \" + x.Name(name)"),
    )
    .unwrap();
    // The aspects outside the module: an edit of them leaves the module's
    // directories, and so the kept listings, as they are.
    let aspects = dir.with_extension("aspects.yaml");
    std::fs::rename(dir.join("aspects.yaml"), &aspects).unwrap();
    let a = aspects.display().to_string();
    let run_x = ["go", "-a", a.as_str(), "run", "./cmd/x"];
    settle(&dir);
    let (out, n) = shim.succeed(&dir, &run_x);
    assert_eq!(n, 2, "listed");
    assert!(entered(&out).contains(&"example.com/app.Greet"), "{out}");
    assert!(
        !entered(&out).contains(&"example.com/app/sub.Sub"),
        "sub is in the closure: {out}"
    );

    // Another rule set, the same imports: the kept listings serve.
    let yaml = std::fs::read_to_string(&aspects).unwrap();
    std::fs::write(&aspects, labelled(&yaml, "v2")).unwrap();
    settle(&dir);
    let (out, n) = shim.succeed(&dir, &run_x);
    assert_eq!(n, 0, "the listings were kept");
    assert!(entered(&out).contains(&"v2 example.com/app.Greet"), "{out}");
    assert!(
        !entered(&out).contains(&"v2 example.com/app/sub.Sub"),
        "{out}"
    );

    // x no longer imports sub: sub leaves the closure and is woven.
    std::fs::write(&x, "package x\n\nfunc Name(s string) string { return s }\n").unwrap();
    settle(&dir);
    let (out, _) = shim.succeed(&dir, &run_x);
    assert!(
        entered(&out).contains(&"v2 example.com/app/sub.Sub"),
        "sub is woven: {out}"
    );
    let _ = std::fs::remove_file(&aspects);
    shim.remove();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file removed while `go list` runs: the listing names it, the weave
/// cannot read it. Whatever that build does, the next one must list again
/// and build (a kept listing naming the file failed every later build).
#[test]
fn a_file_removed_while_the_packages_are_listed_is_not_kept() {
    let dir = fixture("kept-removed");
    let shim = Shim::new(&dir);
    let extra = dir.join("sub/extra.go");
    std::fs::write(
        &extra,
        "package sub\n\nfunc Extra() string { return \"e\" }\n",
    )
    .unwrap();
    settle(&dir);
    std::fs::write(&shim.hook, format!("rm -f '{}'\n", extra.display())).unwrap();
    let _ = shim.goaop(&dir, RUN_X);
    assert!(!extra.exists(), "the hook ran");
    let (out, n) = shim.succeed(&dir, RUN_X);
    assert_eq!(n, 2, "listed again");
    assert!(entered(&out).contains(&"example.com/app/sub.Sub"), "{out}");
    settle(&dir);
    assert_eq!(shim.succeed(&dir, RUN_X).0, out);
    assert_eq!(shim.succeed(&dir, RUN_X), (out, 0), "kept once settled");
    shim.remove();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A package's cgo files (`import "C"`) are woven in driver mode too (the
/// go command hands cgo the overlaid file), as `-toolexec` weaves what cgo
/// makes of them.
#[test]
fn driver_mode_weaves_cgo_files() {
    let dir = common::scratch_module(
        "driver-cgo",
        Some(TRACE_EVERY_FUNC),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"two:\", two()) }\n",
    );
    std::fs::write(
        dir.join("c.go"),
        "package main\n\n/*\nstatic int two_c(void) { return 2; }\n*/\nimport \"C\"\n\n\
         func two() int { return int(C.two_c()) }\n",
    )
    .unwrap();
    let mut cmd = goaop_cmd(&dir, &["go", "run", "."]);
    cmd.env("CGO_ENABLED", "1");
    let o = output(cmd);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(
        out, "enter example.com/scratch.main\nenter example.com/scratch.two\ntwo: 2\n",
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `GOAOP_LOG`, driver mode logs what its work up front cost, once,
/// before the go command starts (scripts/bench adds it up); it runs no tool
/// calls of its own.
#[test]
fn driver_mode_logs_its_work_up_front() {
    let dir = common::scratch_module(
        "driver-log",
        Some(TRACE_EVERY_FUNC),
        "package main\n\nfunc main() { println(\"hi\") }\n",
    );
    let log = dir.join("goaop.log");
    let mut cmd = goaop_cmd(&dir, &["go", "build", "-o", "bin", "."]);
    cmd.env("GOAOP_LOG", &log);
    let o = output(cmd);
    assert!(o.status.success(), "{}", text(&o).1);
    let logged = std::fs::read_to_string(&log).unwrap();
    let costs: Vec<&str> = logged
        .lines()
        .filter(|l| l.starts_with("#goaop kind="))
        .collect();
    assert_eq!(costs.len(), 1, "{logged}");
    let fields: std::collections::BTreeMap<&str, u64> = costs[0]
        .split(' ')
        .skip(2)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    assert!(costs[0].starts_with("#goaop kind=driver us="), "{logged}");
    for k in ["us", "cpu_us", "nested_cpu_us", "ppid", "rss_kb"] {
        assert!(fields.get(k).is_some_and(|v| *v > 0), "{k}: {logged}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `go run -exec prog pkg` runs the program through `prog`: `prog` is not
/// the package (it was, and the program came out unwoven with exit 0); nor
/// is `--` the end of the packages (`.` was woven instead).
#[test]
fn go_run_exec_takes_a_program() {
    let dir = fixture("run-exec");
    let prog = dir.join("via.sh");
    std::fs::write(&prog, "#!/bin/sh\necho via exec\nexec \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
    let prog = prog.display().to_string();
    let exec_eq = format!("-exec={prog}");
    for args in [
        vec!["go", "run", "-exec", prog.as_str(), "./cmd/x"],
        vec!["go", "run", exec_eq.as_str(), "./cmd/x", "arg"],
        // `--` ends the flags: the package follows.
        vec!["go", "run", "-exec", prog.as_str(), "--", "./cmd/x"],
    ] {
        let o = output(goaop_cmd(&dir, &args));
        let (out, err) = text(&o);
        assert!(o.status.success(), "{args:?}: {out}\n{err}");
        assert!(out.starts_with("via exec\n"), "{out}");
        assert!(entered(&out).contains(&"example.com/app/sub.Sub"), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-coverprofile` turns coverage on, and the go command ignores
/// `-overlay` for the files it instruments: refused, like `-cover`.
#[test]
fn a_coverage_profile_is_refused() {
    let dir = fixture("coverprofile");
    for args in [
        vec!["go", "test", "-coverprofile=c.out", "./sub"],
        vec!["go", "test", "./sub", "-coverprofile", "c.out"],
        vec!["go", "test", "-test.coverprofile=c.out", "./sub"],
    ] {
        let o = output(goaop_cmd(&dir, &args));
        let (out, err) = text(&o);
        assert!(!o.status.success(), "{args:?}: {out}\n{err}");
        assert!(err.contains("cannot weave a coverage build"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// GOROOT can be edited in place (a toolchain built from source, a patched
/// standard library): when the aspects weave standard packages, an edit of
/// one reaches the next build (a kept build handed over the old woven
/// file, and the edit was lost with exit 0), and so does a standard package
/// they weave that an edit brings into the build (it was compiled
/// unwoven). The toolchain is a copy of the real one.
#[test]
fn an_edit_of_the_standard_library_reaches_the_next_build() {
    let real = real_goroot();
    let scratch = common::scratch::Scratch::new("goroot");
    let goroot = scratch.join("go");
    // A real copy, not hard links: linking changes the ctime of every
    // file of the real toolchain (its link count), the go binary among
    // them, and the tests running alongside rightly stop keeping their
    // answers while it does (CI failed on exactly that).
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(&real)
        .arg(&goroot)
        .status()
        .unwrap();
    assert!(copied.success(), "cannot copy GOROOT");
    let dir = common::scratch_module(
        "kept-goroot",
        Some(
            "aspects:\n  - name: std\n    packages: [strings, container/ring]\n    \
             target: \"^func (Repeat|New)\\\\(\"\n    \
             before: |\n      println(\"enter {{.QualifiedName}}\")\n",
        ),
        "package main\n\nimport (\n\t\"strings\"\n\t\"unicode/utf16\"\n)\n\n\
         func main() { println(strings.Repeat(\"ab\", 2), len(utf16.Encode([]rune(\"ab\")))) }\n",
    );
    let path = format!(
        "{}:{}",
        goroot.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let run = || {
        let mut cmd = goaop_cmd(&dir, &["go", "run", "."]);
        cmd.env("PATH", &path)
            .env_remove("GOROOT")
            .env("GOTOOLCHAIN", "local");
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        err
    };
    // Replace a file of the copy with `edit` of its text.
    let replace = |rel: &str, edit: &dyn Fn(&str) -> String| {
        let file = goroot.join("src").join(rel);
        let text = std::fs::read_to_string(&file).unwrap();
        let edited = edit(&text);
        assert_ne!(edited, text, "{rel} moved on: the test needs a new anchor");
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, edited).unwrap();
    };
    settle(&dir);
    assert_eq!(run(), "enter strings.Repeat\nabab 2\n");
    assert_eq!(run(), "enter strings.Repeat\nabab 2\n", "kept");

    replace("strings/strings.go", &|t| {
        let head = "func Repeat(s string, count int) string {\n";
        t.replace(head, &format!("{head}\tprintln(\"patched\")\n"))
    });
    settle(&dir);
    assert_eq!(run(), "enter strings.Repeat\npatched\nabab 2\n");

    // unicode/utf16 now imports container/ring, which the aspects weave.
    replace("unicode/utf16/utf16.go", &|t| {
        t.replacen(
            "\npackage utf16\n",
            "\npackage utf16\n\nimport \"container/ring\"\n\nfunc init() { ring.New(1) }\n",
            1,
        )
    });
    settle(&dir);
    assert_eq!(
        run(),
        "enter container/ring.New\nenter strings.Repeat\npatched\nabab 2\n"
    );
    let _ = std::fs::remove_dir_all(&goroot);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `GOAOP_CONFIG` names the aspects of `-toolexec` builds: driver mode and
/// `plan` weave the same ones (they took the module's, and a team switching
/// modes got other instrumentation with exit 0); `-a` still wins.
#[test]
fn goaop_config_names_the_aspects_of_every_mode() {
    let dir = fixture("goaop-config");
    let yaml = std::fs::read_to_string(dir.join("aspects.yaml")).unwrap();
    let alt = dir.join("alt.yaml");
    std::fs::write(
        &alt,
        labelled(&yaml, "alt").replace("name: trace", "name: alt"),
    )
    .unwrap();
    let with_config = |args: &[&str]| {
        let mut cmd = goaop_cmd(&dir, args);
        cmd.env("GOAOP_CONFIG", "alt.yaml");
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{args:?}: {out}\n{err}");
        out
    };
    let out = with_config(&["go", "run", "./cmd/x"]);
    assert!(
        entered(&out).contains(&"alt example.com/app.Greet"),
        "{out}"
    );
    let plan = with_config(&["plan", "./sub"]);
    assert!(plan.contains("+ alt "), "{plan}");
    let out = with_config(&["go", "-a", "aspects.yaml", "run", "./cmd/x"]);
    assert!(entered(&out).contains(&"example.com/app.Greet"), "{out}");
    // Relative to the go command's directory, as under -toolexec.
    std::fs::write(dir.join("cmd/x/alt.yaml"), labelled(&yaml, "cx")).unwrap();
    let out = with_config(&["go", "run", "-C", "cmd/x", "."]);
    assert!(entered(&out).contains(&"cx example.com/app.Greet"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Driver mode keeps `go env`'s answer (a no-op build then runs no go
/// process before the build itself: src/buildset/goenv.rs) under its
/// inputs. A `go env -w GOFLAGS=…` after the answer was kept reaches the
/// next build: here a coverage profile in GOFLAGS must be refused (a stale
/// answer let it through, and the build came out unwoven). Both with
/// `GOENV` naming the file and with `GOENV` empty, which the go command
/// takes as unset (the default file; goaop took it as `off`).
#[test]
fn a_kept_go_env_answer_follows_the_go_env_file() {
    for empty in [false, true] {
        kept_go_env_follows_the_file(empty);
    }
}

fn kept_go_env_follows_the_file(empty_goenv: bool) {
    let dir = fixture(if empty_goenv {
        "kept-goenv-empty"
    } else {
        "kept-goenv"
    });
    let config = dir.with_extension("config");
    let env_file = if empty_goenv {
        config.join("go/env")
    } else {
        dir.with_extension("goenv")
    };
    std::fs::create_dir_all(env_file.parent().unwrap()).unwrap();
    let xdg = dir.with_extension("xdg");
    std::fs::write(&env_file, "").unwrap();
    settle(&dir);
    let goenv = |cmd: &mut Command| {
        cmd.env("XDG_CONFIG_HOME", &config);
        if empty_goenv {
            cmd.env("GOENV", "");
        } else {
            cmd.env("GOENV", &env_file);
        }
    };
    let run = |args: &[&str]| {
        let mut cmd = goaop_cmd(&dir, args);
        goenv(&mut cmd);
        cmd.env("XDG_CACHE_HOME", &xdg);
        output(cmd)
    };
    let kept = || -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(xdg.join("goaop"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("goenv-")
            })
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let vet = ["go", "vet", "./cmd/x"];
    for _ in 0..2 {
        let o = run(&vet);
        assert!(o.status.success(), "{:?}", text(&o));
    }
    let answers = kept();
    assert_eq!(
        answers.len(),
        1,
        "one answer kept (GOENV empty: {empty_goenv})"
    );
    let o = run(&vet);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(kept(), answers, "the kept answer was used, not asked again");

    let mut w = go(&dir, &["env", "-w", "GOFLAGS=-coverprofile=c.out"]);
    goenv(&mut w);
    assert!(output(w).status.success());
    assert!(
        std::fs::read_to_string(&env_file)
            .unwrap()
            .contains("coverprofile")
    );
    let o = run(&["go", "test", "./sub"]);
    let (out, err) = text(&o);
    assert!(
        !o.status.success(),
        "GOENV empty: {empty_goenv}\n{out}\n{err}"
    );
    assert!(err.contains("cannot weave a coverage build"), "{err}");

    std::fs::write(&env_file, "").unwrap();
    let o = run(&["go", "test", "./sub"]);
    assert!(o.status.success(), "{:?}", text(&o));
    for p in [&xdg, &config] {
        let _ = std::fs::remove_dir_all(p);
    }
    let _ = std::fs::remove_file(&env_file);
}

/// cgo's default follows whether the go command finds its default C
/// compiler on PATH, also when the go env file sets `CC` (the go command
/// looks up its default compiler unless the environment's `CC` is set). A
/// compiler that appears after `go env`'s answer was kept turns cgo on:
/// the next build compiles the `cgo`-tagged file, and it must be woven (a
/// stale answer reused the listing without it: unwoven, exit 0).
#[test]
fn a_kept_go_env_answer_follows_the_c_compiler_on_path() {
    let dir = common::scratch_module(
        "kept-goenv-cc",
        Some(
            "aspects:\n  - name: trace\n    target: \"^func Mode\"\n    imports: { fmt: fmt }\n    \
             before: |\n      fmt.Println(\"enter {{.QualifiedName}}\")\n",
        ),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(Mode()) }\n",
    );
    std::fs::write(
        dir.join("mode_cgo.go"),
        "//go:build cgo\n\npackage main\n\nfunc Mode() string { return \"cgo\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mode_nocgo.go"),
        "//go:build !cgo\n\npackage main\n\nfunc Mode() string { return \"nocgo\" }\n",
    )
    .unwrap();
    // A PATH with the real go and no C compiler; the go env file names
    // one by its absolute path.
    let bin = dir.with_extension("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(real_goroot().join("bin/go"), bin.join("go")).unwrap();
    let mut which = Command::new("sh");
    which.args(["-c", "command -v gcc"]);
    let gcc = String::from_utf8(output(which).stdout)
        .unwrap()
        .trim()
        .to_string();
    assert!(
        !gcc.is_empty(),
        "a C compiler (gcc) is required by this test"
    );
    let env_file = dir.with_extension("goenv");
    std::fs::write(&env_file, format!("CC={gcc}\n")).unwrap();
    let xdg = dir.with_extension("xdg");
    settle(&dir);
    let run = || {
        let mut cmd = goaop_cmd(&dir, &["go", "run", "."]);
        cmd.env("PATH", &bin)
            .env("GOENV", &env_file)
            .env("XDG_CACHE_HOME", &xdg)
            .env_remove("CC")
            .env_remove("CGO_ENABLED");
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        out
    };
    for _ in 0..3 {
        assert_eq!(run(), "enter example.com/scratch.Mode\nnocgo\n");
    }
    std::os::unix::fs::symlink(&gcc, bin.join("gcc")).unwrap();
    assert_eq!(
        run(),
        "enter example.com/scratch.Mode\ncgo\n",
        "gcc appeared"
    );
    for p in [&xdg, &bin] {
        let _ = std::fs::remove_dir_all(p);
    }
    let _ = std::fs::remove_file(&env_file);
}

/// `-C` through a symbolic link pointed elsewhere after a build was kept
/// names another directory under the same path: the next build must weave
/// the new one (the kept listings and woven files of the old were handed
/// over, and it was built unwoven).
#[test]
fn a_kept_build_follows_a_relinked_chdir() {
    let dir = common::scratch_module(
        "kept-relinked",
        Some(
            "aspects:\n  - name: trace\n    target: \"^func Mode\"\n    imports: { fmt: fmt }\n    \
             before: |\n      fmt.Println(\"enter {{.QualifiedName}}\")\n",
        ),
        "package main\n\nfunc main() {}\n",
    );
    for (name, mode) in [("a", "a"), ("b", "b")] {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(
            dir.join(name).join("main.go"),
            format!(
                "package main\n\nimport \"fmt\"\n\nfunc Mode() string {{ return \"{mode}\" }}\n\n\
                 func main() {{ fmt.Println(Mode()) }}\n"
            ),
        )
        .unwrap();
    }
    let link = dir.join("link");
    std::os::unix::fs::symlink("a", &link).unwrap();
    let xdg = dir.with_extension("xdg");
    settle(&dir);
    let run = || {
        let mut cmd = goaop_cmd(&dir, &["go", "run", "-C", "link", "."]);
        cmd.env("XDG_CACHE_HOME", &xdg);
        let o = output(cmd);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{out}\n{err}");
        out
    };
    for _ in 0..3 {
        assert_eq!(run(), "enter example.com/scratch/a.Mode\na\n");
    }
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("b", &link).unwrap();
    assert_eq!(run(), "enter example.com/scratch/b.Mode\nb\n", "relinked");
    let _ = std::fs::remove_dir_all(&xdg);
}

/// The go command takes `-C` only first, and resolves a relative GOENV or
/// PATH entry before it changes directory: goaop refuses what it would
/// otherwise build differently (it accepted a late `-C`; with `-C` a
/// relative PATH entry found another C compiler than the go command's,
/// and a relative GOENV another go env file). Without `-C`, nothing that
/// depends on a relative one is kept (src/store/kept.rs relative_lookups).
#[test]
fn chdir_is_taken_as_the_go_command_takes_it() {
    let dir = fixture("chdir-first");
    let late = output(goaop_cmd(&dir, &["go", "build", "-v", "-C", "cmd/x", "."]));
    assert_eq!(late.status.code(), Some(2), "{:?}", text(&late));
    assert!(text(&late).1.contains("must be the first flag"));
    let path = format!("bin:{}", std::env::var("PATH").unwrap());
    for (var, value) in [("PATH", path.as_str()), ("GOENV", "env.txt")] {
        let mut rel = goaop_cmd(&dir, &["go", "build", "-C", "cmd/x", "."]);
        rel.env(var, value);
        let rel = output(rel);
        assert_eq!(rel.status.code(), Some(2), "{var}: {:?}", text(&rel));
        assert!(text(&rel).1.contains("relative path"), "{var}");
    }
    let ok = output(goaop_cmd(
        &dir,
        &["go", "build", "-C", "cmd/x", "-o", "/dev/null", "."],
    ));
    assert!(ok.status.success(), "{:?}", text(&ok));
    let _ = std::fs::remove_dir_all(&dir);
}
