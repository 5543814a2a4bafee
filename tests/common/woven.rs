//! The woven files of each mode, byte for byte, for the differential
//! checks (tests/modes.rs, tests/realworld.rs): `-toolexec` builds run with
//! `-work` leave them in `$WORK/bNNN/goaop/`, driver mode with `-work`
//! keeps its overlay, `goaop diff --out DIR` writes them; each woven file
//! names its original in its first line (`//line /abs/file.go:1:1`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::gobuild::{GOAOP, go, output, text};

/// The goaop binary with the environment of [`go`] (the shared build cache).
pub fn goaop_cmd(dir: &Path, args: &[&str]) -> Command {
    let env = go(dir, &[]);
    let mut cmd = Command::new(GOAOP);
    cmd.current_dir(dir).args(args);
    for (k, v) in env.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.env_remove("GOWORK");
    cmd
}

pub fn goaop(dir: &Path, args: &[&str]) -> Output {
    output(goaop_cmd(dir, args))
}

/// Woven files by the original path their first `//line` names.
pub type Woven = BTreeMap<String, String>;

pub fn original_of(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let path = first.strip_prefix("//line ").expect("starts with //line");
    path.strip_suffix(":1:1")
        .expect("//line file:1:1")
        .to_string()
}

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            go_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "go") {
            out.push(p);
        }
    }
}

/// The woven files a `-toolexec` build left in `$WORK/bNNN/goaop/` (the
/// build ran with `-work`); a file compiled in several variants must be
/// woven the same in each.
pub fn toolexec_woven(stderr: &str) -> Woven {
    let work = stderr
        .lines()
        .find_map(|l| l.strip_prefix("WORK="))
        .unwrap_or_else(|| panic!("no WORK= in:\n{stderr}"));
    let mut out = Woven::new();
    for action in std::fs::read_dir(work).unwrap().flatten() {
        let dir = action.path().join("goaop");
        if !dir.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        go_files(&dir, &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let original = original_of(&text);
            if let Some(seen) = out.get(&original) {
                assert_eq!(seen, &text, "{original} woven differently in two compiles");
            }
            out.insert(original, text);
        }
    }
    let _ = std::fs::remove_dir_all(work);
    out
}

/// The woven files of a driver-mode build run with `-work`.
pub fn driver_woven(stderr: &str) -> Woven {
    let overlay = stderr
        .lines()
        .find_map(|l| l.strip_prefix("goaop: the woven files are listed in "))
        .unwrap_or_else(|| panic!("no overlay file in:\n{stderr}"));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(overlay).unwrap()).unwrap();
    let mut out = Woven::new();
    for (original, woven) in json["Replace"].as_object().unwrap() {
        let text = std::fs::read_to_string(woven.as_str().unwrap()).unwrap();
        assert_eq!(&original_of(&text), original);
        out.insert(original.clone(), text);
    }
    out
}

/// The woven files `goaop diff --out` writes.
pub fn diff_woven(dir: &Path, args: &[&str]) -> Woven {
    let to = std::env::temp_dir().join(format!("goaop-modes-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    let to_arg = to.display().to_string();
    let mut all = vec!["diff", "--out", &to_arg];
    all.extend_from_slice(args);
    let o = goaop(dir, &all);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut files = Vec::new();
    go_files(&to, &mut files);
    let mut out = Woven::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let original = original_of(&text);
        assert_eq!(
            Path::new(&original),
            Path::new("/").join(f.strip_prefix(&to).unwrap())
        );
        out.insert(original, text);
    }
    let _ = std::fs::remove_dir_all(&to);
    out
}

pub fn assert_same_woven(a: (&str, &Woven), b: (&str, &Woven)) {
    let keys = |w: &Woven| w.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(a.1),
        keys(b.1),
        "{} and {} weave different files",
        a.0,
        b.0
    );
    for (k, v) in a.1 {
        assert!(
            v == &b.1[k],
            "{k}: {} and {} differ:\n{v}\n---\n{}",
            a.0,
            b.0,
            b.1[k]
        );
    }
}
