//! load → check → compile never panics, never overflows the stack and
//! answers in bounded time, whatever the input:
//!
//! - mutated versions of every example and fixture (bytes deleted,
//!   inserted, replaced, truncated);
//! - aspect files generated from a small grammar of YAML and DSL fragments
//!   (names, pointcuts with long chains and nesting, signature patterns,
//!   regexes, types, import paths, advice), valid and not.
//!
//! Each case runs on a thread with a 1 MiB stack. `PROPTEST_CASES` sets the
//! number of cases (the long campaign: `PROPTEST_CASES=1000000 cargo test
//! --release --test check_fuzz`); see also `fuzz/` for the cargo-fuzz target.

mod common;

use std::time::{Duration, Instant};

use goaop::check::check_files;
use goaop::compile::RuleSet;
use goaop::diag::Sources;
use proptest::prelude::*;

/// Stack of the thread each case runs on.
const STACK: usize = 1 << 20;
/// Time one case may take (debug build, busy machine).
const CASE_LIMIT: Duration = Duration::from_secs(30);

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Load, check and compile one file on a small stack; the checks that hold
/// for every input.
fn pipeline(name: &str, text: String) -> Result<(), String> {
    let name = name.to_string();
    let shown = text.chars().take(300).collect::<String>();
    let joined = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let start = Instant::now();
            let mut sources = Sources::new();
            let id = sources.add(name, text);
            let out = check_files(&mut sources, &[id]);
            // Rendering must not panic either, and every span is in bounds.
            let _ = goaop::diag::render::human(&sources, &out.diagnostics, false);
            let _ = goaop::diag::render::json(&sources, &out.diagnostics);
            for d in &out.diagnostics {
                let len = sources.get(d.primary.span.file).text.len();
                if d.primary.span.range.end > len {
                    return Err(format!("span out of bounds: {d:?}"));
                }
            }
            if !out.has_errors()
                && let Err(errors) = RuleSet::build(&out.aspects)
                && errors.iter().any(|e| !e.code().starts_with("E03"))
            {
                return Err(format!(
                    "checked aspects failed to compile with a non-E03xx error: {errors:?}"
                ));
            }
            Ok(start.elapsed())
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| format!("panicked on {shown:?}"))?;
    let took = joined?;
    if took > CASE_LIMIT {
        return Err(format!("took {took:?} on {shown:?}"));
    }
    Ok(())
}

// ------------------------------------------------------------- mutations

fn corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["aspects", "tests/check"] {
        for f in common::fixtures(dir, &["yaml", "aspect"]) {
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            out.push((name, std::fs::read_to_string(&f).unwrap()));
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "{{",
        "}}",
        "{{.",
        "(",
        ")",
        "\"",
        "`",
        "'",
        ":",
        "- ",
        "\n",
        "  ",
        "\t",
        "|",
        "&&",
        "||",
        "!",
        "..",
        "*",
        "aspect ",
        "pointcut ",
        "before ",
        "execution(",
        "func ",
        "\\",
        "#",
        "\u{e9}",
        "\u{1F600}",
        "\0",
        "~",
        "[",
        "]",
        "...",
    ]);
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), tokens).prop_map(|(a, t)| Mutation::Insert(a, t.to_string())),
        (any::<usize>(), any::<char>()).prop_map(|(a, c)| Mutation::Replace(a, c)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, m: &Mutation) -> String {
    match m {
        Mutation::Delete(a, n) => {
            let start = boundary(&s, *a);
            let end = boundary(&s, (start + n).min(s.len()));
            s.replace_range(start..end.max(start), "");
        }
        Mutation::Insert(a, t) => {
            let at = boundary(&s, *a);
            s.insert_str(at, t);
        }
        Mutation::Replace(a, c) => {
            let at = boundary(&s, *a);
            if let Some(old) = s[at..].chars().next() {
                s.replace_range(at..at + old.len_utf8(), &c.to_string());
            }
        }
        Mutation::Truncate(a) => {
            let at = boundary(&s, *a);
            s.truncate(at);
        }
    }
    s
}

// --------------------------------------------------------------- grammar

/// One aspect, as fragments both front ends can write.
#[derive(Clone, Debug)]
struct Aspect {
    name: String,
    pointcut: String,
    /// YAML `target:` (when the pointcut is written as a target).
    target: Option<String>,
    packages: Vec<String>,
    requires: Vec<(String, String)>,
    results: Vec<(String, String)>,
    imports: Vec<(String, String)>,
    vars: Vec<(String, String)>,
    advice: (String, String),
}

fn pick(items: &[&'static str]) -> impl Strategy<Value = String> + use<> {
    prop::sample::select(items.to_vec()).prop_map(str::to_string)
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => pick(&["tracing", "logging", "auth", "a", "http-client", "db.v2", "x_1", "metrics"]),
        1 => pick(&["two words", "nl\\nx", "", "é", "a\"b", "tab\\tx", "ok-name"]),
    ]
}

fn go_type() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => pick(&[
            "context.Context",
            "*net/http.Request",
            "net/http.ResponseWriter",
            "error",
            "int",
            "[]byte",
            "map[string]int",
            "func(a, b int) error",
            "struct{a int}",
            "chan<- int",
            "...any",
            "gopkg.in/yaml.v3.Node",
            "interface{ M() }",
            "[4]int",
            "*",
            "context.*",
            "*Order*",
        ]),
        2 => pick(&[
            "map[string]",
            "int int",
            "[5]",
            "~int",
            "int | string",
            "int, y int",
            "int) (x",
            "net/http",
            "-x/y.T",
            "x/../y.T",
            "func(",
            "",
            "struct{",
        ]),
        1 => (1usize..300).prop_map(|n| format!("{}int", "[]".repeat(n))),
        1 => (1usize..300).prop_map(|n| format!("{}int{}", "func(".repeat(n), ")".repeat(n))),
    ]
}

fn sig_pattern() -> impl Strategy<Value = String> {
    let params = prop::collection::vec(
        prop_oneof![
            go_type(),
            go_type().prop_map(|t| format!("ctx {t}")),
            Just("..".to_string()),
            Just("*".to_string()),
        ],
        0..4,
    );
    let results = prop_oneof![
        Just(String::new()),
        Just(" error".to_string()),
        Just(" (.., err error)".to_string()),
        go_type().prop_map(|t| format!(" ({t})")),
        go_type().prop_map(|t| format!(" {t}")),
    ];
    let fname = pick(&[
        "*",
        "Handle",
        "Process*",
        "main",
        "(*T) Do",
        "(T) M",
        "Map[T any]",
    ]);
    (fname, params, results).prop_map(|(f, ps, r)| format!("func {f}({}){r}", ps.join(", ")))
}

fn regex() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => pick(&[
            "func.*Context",
            "^func main\\\\(\\\\)$",
            "Handler",
            "(Get|Post)Order",
            "\\\\(ctx context\\\\.Context",
            "func \\\\(\\\\*Service\\\\) ",
            "(?i)ctx",
            "x(?:){4294967295}",
            "(?:a?){40}",
        ]),
        2 => pick(&[
            "(a|b)*a(a|b){8}",
            "[",
            "(?=x)",
            "\\\\pL+",
            "(?u:\\\\b)x",
            "a{1000}",
            "(",
            ".{200}",
        ]),
        1 => (1usize..200).prop_map(|n| format!("{}x{}", "(".repeat(n), ")".repeat(n))),
    ]
}

fn package() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => pick(&["example.com/shop/...", "net/http", ".../internal/...", "...", "example.com/a/.../b"]),
        1 => pick(&["bad path", "-x", "a//b", "", "a/../b"]),
    ]
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => sig_pattern().prop_map(|s| format!("execution({s})")),
        2 => regex().prop_map(|r| format!("target(\"{r}\")")),
        3 => package().prop_map(|p| format!("within(\"{p}\")")),
        1 => pick(&["database/sql.Open", "(*net/http.Client).Do", "Open", "net/http.Client"])
            .prop_map(|c| format!("call({c})")),
        1 => pick(&["net/http.DefaultTransport", "(*T).M"]).prop_map(|r| format!("ref({r})")),
    ]
}

fn pointcut() -> impl Strategy<Value = String> {
    let tree = atom().prop_recursive(6, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} || {b}")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    });
    prop_oneof![
        8 => tree,
        1 => (atom(), 1usize..3000, prop::bool::ANY).prop_map(|(a, n, and)| {
            vec![a; n].join(if and { " && " } else { " || " })
        }),
        1 => (atom(), 1usize..200).prop_map(|(a, n)| {
            format!("{}{a}{}", "(".repeat(n), ")".repeat(n))
        }),
        1 => (atom(), 1usize..200).prop_map(|(a, n)| format!("{}{a}", "!".repeat(n))),
    ]
}

fn advice() -> impl Strategy<Value = (String, String)> {
    let kind = pick(&["before", "after", "around", "replace", "wrap"]);
    let body = prop_oneof![
        6 => pick(&[
            "println(\"{{.FuncName}}\")",
            "ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\ndefer span.End()",
            "if err != nil { log.Print(err) }",
            "handler := func() {\n{{.Body}}\n}\nhandler()",
            "otelsql.Wrap({{.Call}})",
            "return {{.Zeros}}, nil",
            "fmt.Println({{.Nope}})",
            "{{ .Bad | x }}",
            "x := ",
            "{{.Body}}",
            "slog.Info(\"{{.Permission}}\")",
        ]),
        1 => (1usize..3000).prop_map(|n| format!("_ = {}", vec!["a"; n].join(" + "))),
        1 => (1usize..200).prop_map(|n| format!("{}{}", "{".repeat(n), "}".repeat(n))),
        1 => (1usize..200).prop_map(|n| format!("_ = {}x{}", "f(".repeat(n), ")".repeat(n))),
    ];
    (kind, body)
}

fn aspect() -> impl Strategy<Value = Aspect> {
    let pair = |k: Vec<&'static str>, v: BoxedStrategy<String>| {
        prop::collection::vec((prop::sample::select(k).prop_map(str::to_string), v), 0..3)
    };
    (
        name(),
        pointcut(),
        prop::option::of(regex()),
        prop::collection::vec(package(), 0..3),
        pair(vec!["ctx", "r", "w", "x y", "_"], go_type().boxed()),
        pair(vec!["err", "n"], go_type().boxed()),
        pair(
            vec!["fmt", "slog", "otel", "_", "x"],
            pick(&[
                "fmt",
                "log/slog",
                "go.opentelemetry.io/otel",
                "-bad",
                "a/../b",
                "ok/c++",
            ])
            .boxed(),
        ),
        pair(
            vec!["Permission", "FuncName", "X"],
            pick(&["orders:write", "a\"b", "*/", "x"]).boxed(),
        ),
        advice(),
    )
        .prop_map(
            |(name, pointcut, target, packages, requires, results, imports, vars, advice)| Aspect {
                name,
                pointcut,
                target,
                packages,
                requires,
                results,
                imports,
                vars,
                advice,
            },
        )
}

fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(n)))
        .collect()
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn to_yaml(aspects: &[Aspect], uses: &[String]) -> String {
    let mut out = String::new();
    if !uses.is_empty() {
        out.push_str(&format!("use: [{}]\n", uses.join(", ")));
    }
    out.push_str("aspects:\n");
    for a in aspects {
        out.push_str(&format!("  - name: {}\n", yaml_quote(&a.name)));
        match &a.target {
            Some(t) => out.push_str(&format!("    target: {}\n", yaml_quote(t))),
            None => out.push_str(&format!("    pointcut: {}\n", yaml_quote(&a.pointcut))),
        }
        if !a.packages.is_empty() {
            out.push_str("    packages:\n");
            for p in &a.packages {
                out.push_str(&format!("      - {}\n", yaml_quote(p)));
            }
        }
        for (field, entries) in [
            ("requires", &a.requires),
            ("results", &a.results),
            ("imports", &a.imports),
            ("vars", &a.vars),
        ] {
            if entries.is_empty() {
                continue;
            }
            out.push_str(&format!("    {field}:\n"));
            for (k, v) in entries {
                out.push_str(&format!("      {}: {}\n", yaml_quote(k), yaml_quote(v)));
            }
        }
        out.push_str(&format!(
            "    {}: |\n{}",
            a.advice.0,
            indent(&a.advice.1, 6)
        ));
    }
    out
}

fn dsl_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

fn to_dsl(aspects: &[Aspect], uses: &[String]) -> String {
    let mut out = String::new();
    for u in uses {
        out.push_str(&format!("use {}\n", dsl_quote(u)));
    }
    for a in aspects {
        out.push_str(&format!("aspect {} {{\n", dsl_quote(&a.name)));
        let mut pc = match &a.target {
            Some(t) => format!("target({})", dsl_quote(t)),
            None => a.pointcut.clone(),
        };
        if !a.packages.is_empty() {
            let within: Vec<String> = a
                .packages
                .iter()
                .map(|p| format!("within({})", dsl_quote(p)))
                .collect();
            pc = format!("({pc}) && ({})", within.join(" || "));
        }
        out.push_str(&format!("    pointcut {pc}\n"));
        for (field, entries) in [("requires", &a.requires), ("results", &a.results)] {
            if !entries.is_empty() {
                let list: Vec<String> = entries.iter().map(|(k, v)| format!("{k} {v}")).collect();
                out.push_str(&format!("    {field} {{ {} }}\n", list.join(", ")));
            }
        }
        if !a.imports.is_empty() {
            let list: Vec<String> = a
                .imports
                .iter()
                .map(|(k, v)| format!("{k} {}", dsl_quote(v)))
                .collect();
            out.push_str(&format!("    imports {{ {} }}\n", list.join(" ")));
        }
        if !a.vars.is_empty() {
            let list: Vec<String> = a
                .vars
                .iter()
                .map(|(k, v)| format!("{k} = {}", dsl_quote(v)))
                .collect();
            out.push_str(&format!("    vars {{ {} }}\n", list.join(", ")));
        }
        out.push_str(&format!(
            "    {} {{\n{}    }}\n}}\n",
            a.advice.0,
            indent(&a.advice.1, 8)
        ));
    }
    out
}

fn file() -> impl Strategy<Value = (Vec<Aspect>, Vec<String>)> {
    (
        prop::collection::vec(aspect(), 1..4),
        prop::collection::vec(pick(&["otel", "net/http", "nope", "grpc"]), 0..2),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_files_get_diagnostics(pick in any::<prop::sample::Index>(), muts in prop::collection::vec(mutation(), 1..6)) {
        let corpus = corpus();
        let (name, text) = &corpus[pick.index(corpus.len())];
        let text = muts.iter().fold(text.clone(), apply);
        prop_assert_eq!(pipeline(name, text), Ok(()));
    }

    #[test]
    fn generated_files_get_diagnostics((aspects, uses) in file()) {
        prop_assert_eq!(pipeline("gen.yaml", to_yaml(&aspects, &uses)), Ok(()));
        prop_assert_eq!(pipeline("gen.aspect", to_dsl(&aspects, &uses)), Ok(()));
    }
}
