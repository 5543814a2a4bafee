//! Bad input gets a diagnostic in bounded time and memory (DESIGN §11):
//! huge, deep and hostile aspect files through load → check → compile, on a
//! thread with a small stack, and through the `goaop check` binary for what
//! only the binary does (reading files).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use goaop::check::check_files;
use goaop::compile::RuleSet;
use goaop::diag::Sources;

/// Stack of the thread the pipeline runs on: a recursion on the size of the
/// input overflows it long before it would overflow a main thread's 8 MiB.
/// 256 KiB in release builds; debug builds (what `cargo test` runs) have
/// frames several times larger (serde-saphyr needs some 14 KiB per YAML
/// level), so 1 MiB there: still 100 bytes per level for 10k levels.
const SMALL_STACK: usize = if cfg!(debug_assertions) {
    1 << 20
} else {
    256 << 10
};

/// What the pipeline said about one file.
#[derive(Debug)]
struct Outcome {
    /// Codes of the errors, in order.
    errors: Vec<&'static str>,
    /// The rule set was built (no error anywhere).
    compiled: bool,
    took: Duration,
}

/// Load, check and compile `text` on a thread with [`SMALL_STACK`].
fn pipeline(name: &str, text: String) -> Outcome {
    let name = name.to_string();
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let start = Instant::now();
            let mut sources = Sources::new();
            let id = sources.add(name, text);
            let out = check_files(&mut sources, &[id]);
            let mut errors: Vec<&'static str> = out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.code)
                .collect();
            let mut compiled = false;
            if errors.is_empty() {
                match RuleSet::build(&out.aspects) {
                    Ok(_) => compiled = true,
                    Err(e) => errors.extend(e.iter().map(|e| e.code())),
                }
            }
            // Rendering is part of answering.
            let _ = goaop::diag::render::human(&sources, &out.diagnostics, false);
            Outcome {
                errors,
                compiled,
                took: start.elapsed(),
            }
        })
        .unwrap()
        .join()
        .expect("the pipeline must not panic or overflow its stack")
}

/// Each case: a diagnostic (one of `codes`) or success, within `limit`.
fn bounded(case: &str, name: &str, text: String, codes: &[&str], limit: Duration) {
    let out = pipeline(name, text);
    assert!(
        out.took < limit,
        "{case}: took {:?} (limit {limit:?})",
        out.took
    );
    assert!(
        out.compiled || out.errors.iter().any(|c| codes.contains(c)),
        "{case}: expected success or one of {codes:?}, got {out:?}"
    );
}

fn and_chain(n: usize, op: &str) -> String {
    (0..n)
        .map(|i| format!("within(\"example.com/p{i}/...\")"))
        .collect::<Vec<_>>()
        .join(op)
}

fn dsl(pointcut: &str, body: &str) -> String {
    format!("aspect a {{\n  pointcut {pointcut}\n  before {{\n{body}\n  }}\n}}\n")
}

fn yaml_block(text: &str, indent: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(indent)))
        .collect()
}

fn yaml(fields: &str) -> String {
    format!("aspects:\n  - name: a\n{fields}    before: |\n      println(\"x\")\n")
}

/// Item 13: long flat chains (12k and 100k operands), long `packages:`
/// lists and 10k levels of nesting, in both languages and in advice: a
/// diagnostic or success, never a stack overflow, in bounded time.
#[test]
fn long_chains_and_deep_nesting_on_a_small_stack() {
    let limit = Duration::from_secs(60);
    for n in [12_000, 100_000] {
        for op in [" && ", " || "] {
            let pc = format!("execution(func *(..)) && ({})", and_chain(n, op));
            bounded(
                &format!("dsl {n}{op}"),
                "a.aspect",
                dsl(&pc, "println(\"x\")"),
                &["E0301"],
                limit,
            );
            let chain = and_chain(n, op).replace('"', "'");
            let field = format!("    target: \"func\"\n    pointcut: \"{chain}\"\n");
            let field = field.replace('\'', "\\\"");
            bounded(
                &format!("yaml pointcut {n}{op}"),
                "a.yaml",
                yaml(&field),
                &["E0301"],
                limit,
            );
        }
        let packages: String = (0..n)
            .map(|i| format!("      - example.com/p{i}/...\n"))
            .collect();
        bounded(
            &format!("packages {n}"),
            "a.yaml",
            yaml(&format!("    target: \"func\"\n    packages:\n{packages}")),
            &["E0301", "E0101"],
            limit,
        );
    }
    let deep = 10_000;
    let parens = format!("{}within(\"x/...\"){}", "(".repeat(deep), ")".repeat(deep));
    let nots = format!("{}within(\"x/...\")", "!".repeat(deep));
    for pc in [&parens, &nots] {
        bounded(
            "dsl nesting",
            "a.aspect",
            dsl(pc, "println(\"x\")"),
            &["E0111"],
            limit,
        );
        let field = format!("    pointcut: '{pc}'\n");
        bounded("yaml nesting", "a.yaml", yaml(&field), &["E0111"], limit);
    }
    let braces = format!("{}{}", "{".repeat(deep), "}".repeat(deep));
    let calls = format!("{}x{}", "f(".repeat(deep), ")".repeat(deep));
    // Depth without brackets: a left-nested chain of binary expressions
    // and of selectors, as deep as the advice cap allows.
    let sum = format!("_ = {}", vec!["a"; 60_000].join("+"));
    let selectors = format!("_ = x{}", ".f".repeat(60_000));
    let stars = format!("_ = {}p", "*".repeat(60_000));
    // The same depth inside an immediately invoked literal, which `check`
    // walks to decide whether it can be hoisted (a stack overflow once).
    let invoked = format!("func() {{\n{sum}\n}}()");
    let deferred = format!("defer func(p int) {{\n{selectors}\n}}(1)");
    for body in [
        &braces, &calls, &sum, &selectors, &stars, &invoked, &deferred,
    ] {
        bounded(
            "dsl advice",
            "a.aspect",
            dsl("execution(func *(..))", body),
            &["E0111", "E0202"],
            limit,
        );
        let text = format!(
            "aspects:\n  - name: a\n    target: \"func\"\n    before: |\n{}",
            yaml_block(body, 6)
        );
        bounded("yaml advice", "a.yaml", text, &["E0111", "E0202"], limit);
    }
    let regex = format!("{}x{}", "(".repeat(deep), ")".repeat(deep));
    bounded(
        "deep regex",
        "a.yaml",
        yaml(&format!("    target: \"{regex}\"\n")),
        &["E0203"],
        limit,
    );
}

/// Item 15: checking is linear in the number of aspects. 20k aspects took
/// 57 s (release) when every line/column lookup scanned from the start of
/// the file; the bound here is loose enough for a debug build on a busy
/// machine and far below the quadratic time.
#[test]
fn many_aspects_check_in_linear_time() {
    let n = 20_000;
    let text: String = std::iter::once("aspects:\n".to_string())
        .chain((0..n).map(|i| {
            format!("  - name: a{i}\n    target: \"func F{i}\\\\(\"\n    before: |\n      println(\"x\")\n")
        }))
        .collect();
    let start = Instant::now();
    let mut sources = Sources::new();
    let id = sources.add("a.yaml", text);
    let out = check_files(&mut sources, &[id]);
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    assert_eq!(out.aspects.len(), n);
    // The last aspect's origin line: found by the line index.
    assert_eq!(out.aspects[n - 1].origin.line as usize, 2 + 4 * (n - 1));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(60), "{n} aspects: {took:?}");
    // Line/column of every aspect's name: one binary search each.
    let start = Instant::now();
    for (a, s) in out.aspects.iter().zip(&out.spans) {
        let (line, col) = sources.line_col(s.name.file, s.name.range.start);
        assert_eq!((line as u32, col), (a.origin.line, 11));
    }
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "line/column lookups: {took:?}"
    );
}

/// Runs `goaop check FILE` in `dir` and returns (exit code, stderr).
fn check_binary(dir: &Path, file: &str) -> (i32, String, Duration) {
    let start = Instant::now();
    let out = common::goaop(dir, &["check", file]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed(),
    )
}

/// Item 14: only regular files within the size cap are read: `/dev/zero`
/// (which never ends), a FIFO (which blocks until written), a directory, a
/// file over 4 MiB and an advice body over 256 KiB are refused with a
/// diagnostic pointing at the file, quickly.
#[test]
fn inputs_are_capped_and_must_be_regular_files() {
    let dir = common::scratch::Scratch::new("bounded");
    let fifo = dir.join("fifo.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Sparse: 5 MiB on paper, nothing on disk.
    let huge = dir.join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(5 << 20)
        .unwrap();
    let body = "      println(\"x\")\n".repeat(30_000);
    std::fs::write(
        dir.join("big_advice.yaml"),
        format!("aspects:\n  - name: a\n    target: \"func\"\n    before: |\n{body}"),
    )
    .unwrap();
    let cases: [(PathBuf, &str, &str); 5] = [
        ("/dev/zero".into(), "E0109", "is a character device"),
        (fifo, "E0109", "is a FIFO"),
        (dir.to_path_buf(), "E0109", "is a directory"),
        (huge, "E0110", "more than the limit of 4 MiB"),
        (
            dir.join("big_advice.yaml"),
            "E0110",
            "more than the limit of 256 KiB",
        ),
    ];
    for (path, code, words) in cases {
        let (exit, stderr, took) = check_binary(&dir, path.to_str().unwrap());
        assert_eq!(exit, 1, "{}: {stderr}", path.display());
        assert!(
            stderr.contains(&format!("error[{code}]")) && stderr.contains(words),
            "{}: {stderr}",
            path.display()
        );
        assert!(
            took < Duration::from_secs(20),
            "{}: {took:?}",
            path.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Item 12: `goaop check` compiles, so a target whose automaton is too big
/// fails `check` (exit 1, E0301) instead of passing it and failing the build.
#[test]
fn check_fails_on_a_target_the_compiler_refuses() {
    let dir = common::root().join("tests/check");
    let (exit, stderr, _) = check_binary(&dir, "regex_dfa_too_big.yaml");
    assert_eq!(exit, 1, "{stderr}");
    assert!(stderr.contains("error[E0301]"), "{stderr}");
    assert!(stderr.contains("nothing was compiled"), "{stderr}");
}

/// Item 15, the other quadratic passes: a mapping with many keys (each
/// looked up among the keys before it), thousands of diagnostics inside one
/// advice (each mapped back to the file from the start of the advice), many
/// `set-field` clauses and a long `use:` list.
#[test]
fn many_keys_and_diagnostics_in_linear_time() {
    let limit = Duration::from_secs(30);
    let vars: String = (0..100_000).map(|i| format!("      V{i}: x\n")).collect();
    bounded(
        "100k vars",
        "a.yaml",
        yaml(&format!("    target: \"func\"\n    vars:\n{vars}")),
        &[],
        limit,
    );
    let unknown: String = (0..10_000)
        .map(|i| format!("println(\"{{{{.Nope{i}}}}}\")\n"))
        .collect();
    let text = format!(
        "aspects:\n  - name: a\n    target: \"func\"\n    before: |\n{}",
        yaml_block(&unknown, 6)
    );
    bounded(
        "10k unknown placeholders",
        "a.yaml",
        text,
        &["E0201"],
        limit,
    );
    let fields: String = (0..20_000)
        .map(|i| format!("  set-field F{i} {{ x }}\n"))
        .collect();
    bounded(
        "20k set-field clauses",
        "a.aspect",
        format!("aspect a {{\n  pointcut call(net/http.Client)\n{fields}}}\n"),
        &[],
        limit,
    );
    // File-level imports reach only the aspects that use them: 5k imports
    // and 5k aspects are 10k entries, not 25M.
    let imports: String = (0..5_000)
        .map(|i| format!("import p{i} \"example.com/p{i}\"\n"))
        .collect();
    let aspects: String = (0..5_000)
        .map(|i| format!("aspect a{i} {{ pointcut target(\"F{i}\") before {{ p{i}.F() }} }}\n"))
        .collect();
    bounded(
        "5k imports x 5k aspects",
        "a.aspect",
        format!("{imports}{aspects}"),
        &[],
        limit,
    );
    let uses: String = (0..50_000).map(|i| format!("  - nope{i}\n")).collect();
    bounded(
        "50k uses",
        "a.yaml",
        format!("use:\n{uses}aspects:\n"),
        &["E0206"],
        limit,
    );
}

/// Go source nested deep weaves in memory linear in the depth: 20,000
/// nested calls (`f(f(f(…)))`) each wrapped by an aspect. Each call's
/// advice names the text it wraps instead of copying it, so the inner
/// advice stays in it and nothing is copied per level (a copy per level
/// took 3.4 GB here, and left every inner call unadvised).
#[test]
fn deeply_nested_advised_calls_weave_in_linear_memory() {
    let dir = common::scratch::Scratch::new("nested");
    let depth = 20_000;
    std::fs::write(dir.join("go.mod"), "module example.com/nested\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.join("aspects.yaml"),
        "aspects:\n  - name: upper\n    call: strings.ToUpper\n    wrap: \"strings.TrimSpace({{.Call}})\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        format!(
            "package main\n\nimport \"strings\"\n\nfunc main() {{\n\tprintln({}\"x\"{})\n}}\n",
            "strings.ToUpper(".repeat(depth),
            ")".repeat(depth)
        ),
    )
    .unwrap();
    let out = std::fs::File::create(dir.join("diff.txt")).unwrap();
    let err = std::fs::File::create(dir.join("stderr.txt")).unwrap();
    let start = Instant::now();
    // Waited for by wait_with_peak_rss, which also reads its peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_goaop"))
        .current_dir(&*dir)
        .args(["diff", "."])
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("goaop runs");
    let (status, peak_kib) = wait_with_peak_rss(child.id());
    let took = start.elapsed();
    let diff = std::fs::read_to_string(dir.join("diff.txt")).unwrap();
    assert_eq!(
        status,
        0,
        "goaop diff failed: {}",
        std::fs::read_to_string(dir.join("stderr.txt")).unwrap()
    );
    assert_eq!(
        diff.matches("strings.TrimSpace(").count(),
        depth,
        "every nested call is wrapped"
    );
    assert!(
        peak_kib < 512 * 1024,
        "peak RSS {peak_kib} KiB for {depth} nested calls"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

/// Wait for `pid`: its exit code and its peak RSS in KiB (of it and the
/// children it waited for, `go list` among them).
fn wait_with_peak_rss(pid: u32) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; both pointers are
    // to live locals.
    let got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(got, pid as libc::pid_t, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss)
}

/// Advice that writes the call twice (`{{.Call}}` and `{{.Args}}`) on calls
/// nested 30 deep would write 2^30 copies of the innermost one: the weave
/// stops at a bound and says why, instead of exhausting memory.
#[test]
fn advice_copied_at_every_level_of_nesting_is_refused_in_bounded_memory() {
    let dir = common::scratch::Scratch::new("copies");
    let depth = 30;
    std::fs::write(dir.join("go.mod"), "module example.com/copies\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.join("aspects.yaml"),
        "aspects:\n  - name: twice\n    call: fmt.Sprint\n    imports: { fmt: fmt }\n    wrap: \"fmt.Sprint({{.Call}}, {{.Args}})\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        format!(
            "package main\n\nimport \"fmt\"\n\nfunc main() {{\n\tprintln({}1{})\n}}\n",
            "fmt.Sprint(".repeat(depth),
            ")".repeat(depth)
        ),
    )
    .unwrap();
    let err = std::fs::File::create(dir.join("stderr.txt")).unwrap();
    let start = Instant::now();
    // Waited for by wait_with_peak_rss, which also reads its peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_goaop"))
        .current_dir(&*dir)
        .args(["diff", "."])
        .stdout(std::process::Stdio::null())
        .stderr(err)
        .spawn()
        .expect("goaop runs");
    let (status, peak_kib) = wait_with_peak_rss(child.id());
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap();
    assert_ne!(status, 0, "{stderr}");
    assert!(
        stderr.contains("would write more than")
            && stderr.contains("write each of those placeholders once"),
        "{stderr}"
    );
    assert!(peak_kib < 256 * 1024, "peak RSS {peak_kib} KiB");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}
