//! Integration tests of the compile stage: matching semantics, agreement
//! with `meta::Regex`, artifact round trips, corruption, size limits.

use goaop::check::{Advice, CheckedAspect, Idents, JoinKind, Origin, Pointcut, Segment, Template};
use goaop::compile::{
    AlignedBytes, CompileErrorKind, Limits, LoadError, PackageFilter, RuleSet, RuleSetBuilder,
    RuleSetRef, fingerprint, normalized_fingerprint,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::LazyLock;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/compile"));
    s.set_prepend_module_to_snapshot(false);
    s
}

// --- helpers ------------------------------------------------------------------

fn sig(p: &str) -> Pointcut {
    Pointcut::Sig(p.into())
}
fn within(p: &str) -> Pointcut {
    Pointcut::Within(p.into())
}
fn call(p: &str) -> Pointcut {
    Pointcut::Call(p.into())
}
fn and(xs: Vec<Pointcut>) -> Pointcut {
    Pointcut::And(xs)
}
fn or(xs: Vec<Pointcut>) -> Pointcut {
    Pointcut::Or(xs)
}
fn not(x: Pointcut) -> Pointcut {
    Pointcut::Not(Box::new(x))
}

fn template(text: &str, line: u32) -> Template {
    Template {
        segments: vec![Segment::Lit(text.into()), Segment::Hole("FuncName".into())],
        returns: vec![],
        is_call: false,
        origin: Origin {
            file: "aspects.yaml".into(),
            line,
        },
        hoists: vec![],
        local_literal: false,
        body_results: None,
        ..Default::default()
    }
}

fn aspect(name: &str, kind: JoinKind, pointcut: Pointcut, order: i64) -> CheckedAspect {
    CheckedAspect {
        name: name.into(),
        origin: Origin {
            file: "aspects.yaml".into(),
            line: 3,
        },
        kind,
        pointcut,
        requires: vec![],
        results: vec![],
        globals: vec!["tracer".into()],
        imports: vec![],
        vars: BTreeMap::from([("Permission".into(), "orders:write".into())]),
        advice: Advice {
            before: Some(template("defer trace(", 5)),
            ..Advice::default()
        },
        idents: Idents::default(),
        order,
        tests: false,
    }
}

fn exec(name: &str, pointcut: Pointcut) -> CheckedAspect {
    aspect(name, JoinKind::Execution, pointcut, 0)
}

const MAIN: Option<&str> = Some("example.com/shop");

/// Names of the execution aspects matching `signature` in package `pkg`.
fn names(rules: &RuleSetRef<'_>, pkg: &str, signature: &str) -> Vec<String> {
    let scope = rules.packages(pkg, MAIN).unwrap();
    let mut out = Vec::new();
    rules.match_function(&scope, signature, &mut out).unwrap();
    out.iter().map(|&i| rules.aspect(i).unwrap().name).collect()
}

fn call_names(
    rules: &RuleSetRef<'_>,
    pkg: &str,
    callee: &str,
    caller: Option<&str>,
) -> Vec<String> {
    let scope = rules.packages(pkg, MAIN).unwrap();
    let mut out = Vec::new();
    match caller {
        Some(c) => rules.match_call_in(&scope, callee, c, &mut out).unwrap(),
        None => rules.match_call(&scope, callee, &mut out).unwrap(),
    }
    out.iter().map(|&i| rules.aspect(i).unwrap().name).collect()
}

const PROCESS: &str = "func (*OrderService) ProcessOrder(ctx context.Context, order Order) error";
const HANDLE: &str = "func Handle(w net/http.ResponseWriter, r *net/http.Request)";

// --- matching semantics --------------------------------------------------------

#[test]
fn targets_match_unanchored_and_all_matches_are_reported() {
    let set = RuleSet::build(&[
        exec("tracing", sig("func.*Context")),
        exec("ctx", sig("Context")),
        exec("service", sig(r"^func \(\*OrderService\) ")),
        exec("anchored-wrong", sig(r"^Process")),
        exec("http", sig(r"\*net/http\.Request\)$")),
        exec("word", sig(r"\bOrder\b")),
    ])
    .unwrap();
    let rules = set.view().unwrap();
    assert_eq!(
        names(&rules, "example.com/shop", PROCESS),
        ["tracing", "ctx", "service", "word"]
    );
    assert_eq!(names(&rules, "example.com/shop", HANDLE), ["http"]);
    assert!(names(&rules, "example.com/shop", "func main()").is_empty());
}

#[test]
fn matches_come_in_order_then_declaration_order() {
    let set = RuleSet::build(&[
        aspect("late", JoinKind::Execution, sig("Order"), 10),
        aspect("first-b", JoinKind::Execution, sig("Process"), -5),
        aspect("zero", JoinKind::Execution, sig("ctx"), 0),
        aspect("first-a", JoinKind::Execution, sig("Order"), -5),
    ])
    .unwrap();
    let rules = set.view().unwrap();
    assert_eq!(
        names(&rules, "example.com/shop/api", PROCESS),
        ["first-b", "first-a", "zero", "late"]
    );
}

#[test]
fn boolean_pointcuts_over_packages() {
    let set = RuleSet::build(&[
        // The YAML default: the main module only.
        exec("default", and(vec![sig("Process"), Pointcut::MainModule])),
        exec(
            "api-only",
            and(vec![sig("Process"), within("example.com/shop/api/...")]),
        ),
        exec(
            "not-internal",
            and(vec![sig("Process"), not(within(".../internal/..."))]),
        ),
        exec(
            "either",
            or(vec![
                within("net/http"),
                and(vec![sig("Handle"), within("example.com/shop")]),
            ]),
        ),
        exec(
            "no-handlers",
            and(vec![Pointcut::MainModule, not(sig("Handle"))]),
        ),
    ])
    .unwrap();
    let rules = set.view().unwrap();
    assert_eq!(
        names(&rules, "example.com/shop/api", PROCESS),
        ["default", "api-only", "not-internal", "no-handlers"]
    );
    assert_eq!(
        names(&rules, "example.com/shop/api", HANDLE),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&rules, "example.com/shop/internal/db", PROCESS),
        ["default", "no-handlers"]
    );
    assert_eq!(names(&rules, "example.com/shop", HANDLE), ["either"]);
    // Outside the main module only the aspects naming other packages remain.
    assert_eq!(
        names(&rules, "example.com/other", PROCESS),
        ["not-internal"]
    );
    assert_eq!(names(&rules, "net/http", "func f()"), ["either"]);

    // Package scopes: what can apply where.
    let scope = rules
        .packages("example.com/other/internal/x", MAIN)
        .unwrap();
    assert!(
        scope.is_empty(),
        "{:?}",
        scope.candidates().collect::<Vec<_>>()
    );
    let scope = rules.packages("example.com/other", MAIN).unwrap();
    assert_eq!(scope.candidates().collect::<Vec<_>>(), [2]);
    let scope = rules.packages("example.com/shop", None).unwrap();
    assert_eq!(scope.candidates().collect::<Vec<_>>(), [2, 3]);
    assert!(scope.has_functions() && !scope.has_calls());
}

/// Whether any aspect can weave outside the main module (driver mode then
/// checks the standard library's directories of a kept build).
#[test]
fn reaching_beyond_the_main_module() {
    let reach = |aspects: Vec<CheckedAspect>| {
        RuleSet::build(&aspects)
            .unwrap()
            .view()
            .unwrap()
            .reaches_beyond_main_module()
    };
    let main_only = || exec("default", and(vec![sig("Process"), Pointcut::MainModule]));
    assert!(!reach(vec![main_only()]));
    assert!(!reach(vec![
        main_only(),
        exec("also", and(vec![Pointcut::MainModule, not(sig("Handle"))])),
    ]));
    assert!(reach(vec![
        main_only(),
        exec("ring", and(vec![sig("New"), within("container/ring")])),
    ]));
    assert!(reach(vec![exec(
        "either",
        or(vec![Pointcut::MainModule, within("net/http")]),
    )]));
    assert!(reach(vec![exec("anywhere", sig("Process"))]));
}

#[test]
fn call_sites() {
    let set = RuleSet::build(&[
        aspect(
            "sql",
            JoinKind::Call,
            and(vec![call("database/sql.Open"), Pointcut::MainModule]),
            0,
        ),
        aspect("client", JoinKind::Call, call("(*net/http.Client).Do"), 0),
        aspect(
            "in-handlers",
            JoinKind::Call,
            and(vec![call("net/http.Get"), sig(r"\*net/http\.Request")]),
            0,
        ),
        aspect(
            "any-get",
            JoinKind::Call,
            or(vec![call("net/http.Get"), call("net/http.Head")]),
            -1,
        ),
        exec("exec", sig("Handle")),
    ])
    .unwrap();
    let rules = set.view().unwrap();
    let shop = "example.com/shop";
    assert_eq!(call_names(&rules, shop, "database/sql.Open", None), ["sql"]);
    assert!(call_names(&rules, "example.com/lib", "database/sql.Open", None).is_empty());
    assert!(call_names(&rules, shop, "database/sql.OpenDB", None).is_empty());
    assert_eq!(
        call_names(&rules, shop, "(*net/http.Client).Do", None),
        ["client"]
    );
    assert_eq!(call_names(&rules, shop, "net/http.Get", None), ["any-get"]);
    assert_eq!(
        call_names(&rules, shop, "net/http.Get", Some(HANDLE)),
        ["any-get", "in-handlers"]
    );
    assert_eq!(
        call_names(&rules, shop, "net/http.Get", Some(PROCESS)),
        ["any-get"]
    );
    // Call aspects never match functions, and the other way round.
    assert_eq!(names(&rules, shop, HANDLE), ["exec"]);
    assert!(call_names(&rules, shop, "Handle", Some(HANDLE)).is_empty());
    assert!(rules.packages(shop, MAIN).unwrap().has_calls());
}

#[test]
fn refs_and_calls_share_targets_but_not_join_kinds() {
    let set = RuleSet::build(&[
        aspect(
            "get-call",
            JoinKind::Call,
            and(vec![call("net/http.Get"), Pointcut::MainModule]),
            0,
        ),
        aspect(
            "get-ref",
            JoinKind::Ref,
            and(vec![
                Pointcut::Ref("net/http.Get".into()),
                Pointcut::MainModule,
            ]),
            0,
        ),
        aspect(
            "transport",
            JoinKind::Ref,
            Pointcut::Ref("net/http.DefaultTransport".into()),
            0,
        ),
    ])
    .unwrap();
    let rules = set.view().unwrap();
    let shop = "example.com/shop";
    let ref_names = |pkg: &str, target: &str| {
        let scope = rules.packages(pkg, MAIN).unwrap();
        let mut out = Vec::new();
        rules.match_ref(&scope, target, &mut out).unwrap();
        out.iter()
            .map(|&i| rules.aspect(i).unwrap().name)
            .collect::<Vec<_>>()
    };
    assert_eq!(call_names(&rules, shop, "net/http.Get", None), ["get-call"]);
    assert_eq!(ref_names(shop, "net/http.Get"), ["get-ref"]);
    assert_eq!(ref_names(shop, "net/http.DefaultTransport"), ["transport"]);
    assert!(call_names(&rules, shop, "net/http.DefaultTransport", None).is_empty());
    assert!(ref_names("example.com/lib", "net/http.Get").is_empty());
    let scope = rules.packages(shop, MAIN).unwrap();
    assert!(scope.has_refs() && scope.has_calls() && !scope.has_functions());
    assert_eq!(rules.join_kind(2), Some(JoinKind::Ref));
    // The artifact round-trips with the ref kind intact.
    let again = RuleSet::from_bytes(set.to_bytes()).unwrap();
    assert_eq!(again.view().unwrap().join_kind(1), Some(JoinKind::Ref));
}

#[test]
fn empty_rule_set() {
    let set = RuleSet::build(&[]).unwrap();
    let rules = set.view().unwrap();
    assert!(rules.is_empty());
    assert!(rules.packages("example.com/shop", MAIN).unwrap().is_empty());
    assert!(names(&rules, "example.com/shop", PROCESS).is_empty());
    rules.verify().unwrap();
}

#[test]
fn scope_from_another_rule_set_is_refused() {
    let a = RuleSet::build(&[exec("a", sig("x"))]).unwrap();
    let b = RuleSet::build(&[exec("b", sig("y"))]).unwrap();
    let (a, b) = (a.view().unwrap(), b.view().unwrap());
    let scope = a.packages("example.com/shop", MAIN).unwrap();
    let mut out = vec![];
    assert_eq!(
        b.match_function(&scope, "x y", &mut out),
        Err(LoadError::ForeignScope)
    );
}

// --- agreement with meta::Regex ---------------------------------------------------

/// Realistic and tricky targets.
const PATTERNS: &[&str] = &[
    "func.*Context",
    r"^func \(\*OrderService\) ",
    r"(?i)handler",
    r"Handle\b",
    r"\bctx context\.Context",
    r"error$",
    r"\(\)$",
    r"func [A-Z]\w*\(",
    r"\*net/http\.Request",
    r"(Get|Post|Put)Order",
    r"https?",
    r"Order[0-9]+",
    r"[^a-z]Service",
    r"r{2,}",
    r".*",
    r"a?",
    r"^$",
    r"func main\.func\d+",
    r"(?m)^func",
    r"\.\.\.",
    r"chan<- ",
    r"map\[string\]int",
    r"\[\]byte",
    r"^func \w+\(\)",
    r"Request\) \(",
    r"(?:int|int64), error\)",
    r"[[:upper:]]{3}",
    r"ctx|context",
    r"(Context){2}",
    r"Ser(vice)?",
    r"func \(\*?[A-Z]\w*(\[\w+\])?\) ",
    r"\Bder",
    r"é",
    r"(?u:\w)+Order",
    r"[\x80-\xFF]",
];

fn reference(pattern: &str) -> regex_automata::meta::Regex {
    regex_automata::meta::Regex::builder()
        .syntax(
            regex_automata::util::syntax::Config::new()
                .unicode(false)
                .utf8(false),
        )
        .build(pattern)
        .unwrap()
}

static PATTERN_SET: LazyLock<RuleSet> = LazyLock::new(|| {
    let aspects: Vec<_> = PATTERNS
        .iter()
        .enumerate()
        .map(|(i, p)| exec(&format!("p{i}"), sig(p)))
        .collect();
    RuleSet::build(&aspects).unwrap()
});
static REFERENCES: LazyLock<Vec<regex_automata::meta::Regex>> =
    LazyLock::new(|| PATTERNS.iter().map(|p| reference(p)).collect());

fn signature() -> impl Strategy<Value = String> {
    let receiver = prop::sample::select(vec![
        "",
        "(*OrderService) ",
        "(Service) ",
        "(*List[T]) ",
        "(h handler) ",
    ]);
    let name = prop::sample::select(vec![
        "Handle",
        "ProcessOrder",
        "main.func1",
        "Map[T any, U any]",
        "GetOrder",
        "ServeHTTP",
        "Order17",
        "handler",
        "New",
        "main",
        "PutOrders",
    ]);
    let ty = prop::sample::select(vec![
        "context.Context",
        "*net/http.Request",
        "net/http.ResponseWriter",
        "int",
        "int64",
        "string",
        "[]byte",
        "map[string]int",
        "error",
        "...T",
        "chan<- int",
        "func(int) error",
        "*example.com/shop/api.Order",
        "Ré",
    ]);
    let param = (
        prop::sample::select(vec!["ctx", "w", "r", "_", "order", "xs", "n"]),
        ty,
    )
        .prop_map(|(n, t)| format!("{n} {t}"));
    let results = prop::sample::select(vec![
        "",
        " error",
        " (int, error)",
        " (n int, err error)",
        " []U",
        " int64",
    ]);
    (receiver, name, prop::collection::vec(param, 0..4), results)
        .prop_map(|(r, n, ps, res)| format!("func {r}{n}({}){res}", ps.join(", ")))
}

fn matched(set: &RuleSet, signature: &str) -> Vec<usize> {
    let rules = set.view().unwrap();
    let scope = rules.packages("example.com/shop", MAIN).unwrap();
    let mut out = Vec::new();
    rules.match_function(&scope, signature, &mut out).unwrap();
    out.sort_unstable();
    out
}

proptest! {
    #[test]
    fn dfa_matches_equal_meta_regex(sig in prop_oneof![signature(), "[ -~]{0,30}"]) {
        let expect: Vec<usize> = (0..PATTERNS.len()).filter(|&i| REFERENCES[i].is_match(&sig)).collect();
        prop_assert_eq!(matched(&PATTERN_SET, &sig), expect);
    }
}

/// Regex fragments concatenated into random targets.
const FRAGMENTS: &[&str] = &[
    "func",
    " ",
    ".*",
    "Context",
    r"\(",
    r"\)",
    "[A-Z]",
    r"\w+",
    "(Get|Post)",
    r"\b",
    "^",
    "$",
    "x?",
    "(?i:ctx)",
    r"\d{2}",
    "Order",
    "error",
    r"\*",
    "(?:Service)+",
    "[^ ]",
    "net/http",
    "a|b",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_patterns_match_like_meta_regex(
        patterns in prop::collection::vec(prop::collection::vec(prop::sample::select(FRAGMENTS), 1..5), 1..6),
        sigs in prop::collection::vec(signature(), 8),
    ) {
        let patterns: Vec<String> = patterns.iter().map(|f| f.concat()).collect();
        let aspects: Vec<_> = patterns.iter().enumerate().map(|(i, p)| exec(&format!("p{i}"), sig(p))).collect();
        let set = RuleSet::build(&aspects).unwrap();
        let refs: Vec<_> = patterns.iter().map(|p| reference(p)).collect();
        for s in &sigs {
            let expect: Vec<usize> = (0..patterns.len()).filter(|&i| refs[i].is_match(s)).collect();
            prop_assert_eq!(matched(&set, s), expect, "signature {}", s);
        }
    }
}

// --- serialisation -----------------------------------------------------------------

fn sample() -> Vec<CheckedAspect> {
    vec![
        exec(
            "tracing",
            and(vec![sig("func.*Context"), Pointcut::MainModule]),
        ),
        exec(
            "auth",
            and(vec![
                sig(r"^func \(\*OrderService\) "),
                within("example.com/shop/..."),
            ]),
        ),
        aspect("sql", JoinKind::Call, call("database/sql.Open"), 3),
        aspect(
            "logging",
            JoinKind::Execution,
            or(vec![sig("Handle"), not(within("net/..."))]),
            -1,
        ),
    ]
}

#[test]
fn round_trip_through_bytes_matches_identically() {
    let set = RuleSet::build(&sample()).unwrap();
    let loaded = AlignedBytes::from_slice(set.to_bytes());
    let view = RuleSetRef::from_bytes(&loaded).unwrap();
    let fresh = set.view().unwrap();
    view.verify().unwrap();
    assert_eq!(view.fingerprint(), set.fingerprint());
    assert_eq!(view.len(), 4);
    for (i, a) in sample().iter().enumerate() {
        assert_eq!(&view.aspect(i).unwrap(), a);
    }
    for pkg in [
        "example.com/shop",
        "example.com/shop/api",
        "net/http",
        "example.com/other",
    ] {
        for sig in [PROCESS, HANDLE, "func main()"] {
            assert_eq!(
                names(&view, pkg, sig),
                names(&fresh, pkg, sig),
                "{pkg} {sig}"
            );
        }
        assert_eq!(
            call_names(&view, pkg, "database/sql.Open", None),
            call_names(&fresh, pkg, "database/sql.Open", None)
        );
    }
    assert_eq!(
        names(&view, "example.com/shop", PROCESS),
        ["logging", "tracing", "auth"]
    );
    assert!(matches!(
        view.aspect(4),
        Err(LoadError::NoSuchAspect { index: 4, len: 4 })
    ));
    // An owned copy behaves the same.
    let owned = RuleSet::from_bytes(set.to_bytes()).unwrap();
    assert_eq!(owned.to_bytes(), set.to_bytes());
}

#[test]
fn cache_files_load_aligned() {
    let set = RuleSet::build(&sample()).unwrap();
    let dir = std::env::temp_dir().join(format!("goaop-compile-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.rules", set.fingerprint()));
    std::fs::write(&path, set.to_bytes()).unwrap();
    let bytes = AlignedBytes::read_file(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let view = RuleSetRef::from_bytes(&bytes).unwrap();
    assert_eq!(
        names(&view, "example.com/shop", PROCESS),
        ["logging", "tracing", "auth"]
    );
}

#[test]
fn bytes_are_deterministic() {
    let a = RuleSet::build(&sample()).unwrap();
    let b = RuleSet::build(&sample()).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let many: Vec<_> = PATTERNS.iter().map(|p| exec(p, sig(p))).collect();
    let (x, y) = (
        RuleSet::build(&many).unwrap(),
        RuleSet::build(&many).unwrap(),
    );
    assert_eq!(x.to_bytes(), y.to_bytes());
}

#[test]
fn fingerprint_is_stable() {
    let set = RuleSet::build(&sample()).unwrap();
    assert_eq!(set.fingerprint(), fingerprint(&sample()));
    settings().bind(|| {
        insta::assert_snapshot!(
            "fingerprint_of_sample",
            format!(
                "goaop {}\nfingerprint {}\nnormalized  {}",
                goaop::VERSION,
                set.fingerprint(),
                normalized_fingerprint(&sample())
            )
        )
    });
}

#[test]
fn normalized_fingerprint_ignores_origins_only() {
    let base = sample();
    let mut moved = sample();
    for a in &mut moved {
        a.origin = Origin {
            file: "shop.aspect".into(),
            line: 40,
        };
        if let Some(t) = &mut a.advice.before {
            t.origin.line += 100;
        }
    }
    assert_eq!(
        normalized_fingerprint(&base),
        normalized_fingerprint(&moved)
    );
    assert_ne!(fingerprint(&base), fingerprint(&moved));
    let mut changed = sample();
    changed[1].pointcut = sig("Process");
    assert_ne!(
        normalized_fingerprint(&base),
        normalized_fingerprint(&changed)
    );
    let mut reordered = sample();
    reordered.swap(0, 1);
    assert_ne!(
        normalized_fingerprint(&base),
        normalized_fingerprint(&reordered)
    );
}

// --- corruption ------------------------------------------------------------------

static SAMPLE_SET: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::build(&sample()).unwrap());

/// Everything a consumer might do with a loaded rule set; must not panic.
fn exercise(bytes: &[u8]) {
    let aligned = AlignedBytes::from_slice(bytes);
    let Ok(view) = RuleSetRef::from_bytes(&aligned) else {
        return;
    };
    let _ = view.verify();
    for i in 0..view.len() {
        let _ = view.aspect(i);
        let _ = view.join_kind(i);
    }
    for pkg in ["example.com/shop", "net/http", ""] {
        let Ok(scope) = view.packages(pkg, MAIN) else {
            continue;
        };
        let mut out = vec![];
        for sig in [PROCESS, HANDLE, ""] {
            let _ = view.match_function(&scope, sig, &mut out);
            let _ = view.match_call_in(&scope, "database/sql.Open", sig, &mut out);
        }
    }
}

#[test]
fn bad_headers_are_typed_errors() {
    let good = SAMPLE_SET.to_bytes().to_vec();
    let load = |b: &[u8]| RuleSetRef::from_bytes(&AlignedBytes::from_slice(b)).map(|_| ());
    assert_eq!(load(&[]), Err(LoadError::BadMagic));
    assert_eq!(
        load(b"not a rule set at all, really not, not even close, no no no no no"),
        Err(LoadError::BadMagic)
    );
    let mut v = good.clone();
    v[8] = 99;
    assert_eq!(
        load(&v),
        Err(LoadError::FormatVersion {
            found: 99,
            expected: 9
        })
    );
    let mut v = good.clone();
    v[12..16].reverse();
    assert_eq!(load(&v), Err(LoadError::Endianness));
    assert!(matches!(
        load(&good[..good.len() - 1]),
        Err(LoadError::Corrupt(_))
    ));
    // Misaligned memory is refused, not undefined behaviour.
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&good);
    let aligned = AlignedBytes::from_slice(&shifted);
    assert_eq!(
        RuleSetRef::from_bytes(&aligned[1..]).map(|_| ()),
        Err(LoadError::Misaligned)
    );
    // Another goaop version (same length, so only the version differs).
    let other = goaop::VERSION.replace(|c: char| c.is_ascii_digit(), "9");
    let at = good
        .windows(goaop::VERSION.len())
        .position(|w| w == goaop::VERSION.as_bytes())
        .unwrap();
    let mut v = good.clone();
    v[at..at + other.len()].copy_from_slice(other.as_bytes());
    assert_eq!(
        load(&v),
        Err(LoadError::GoaopVersion {
            found: other,
            expected: goaop::VERSION.into()
        })
    );
}

#[test]
fn every_truncation_is_an_error() {
    let good = SAMPLE_SET.to_bytes();
    for n in 0..good.len() {
        assert!(
            RuleSetRef::from_bytes(&AlignedBytes::from_slice(&good[..n])).is_err(),
            "prefix of {n} bytes"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn mutations_never_panic(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = SAMPLE_SET.to_bytes().to_vec();
        for (i, v) in flips {
            let i = i.index(bytes.len());
            bytes[i] = v;
        }
        exercise(&bytes);
    }

    #[test]
    fn truncated_mutations_never_panic(
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        v in any::<u8>(),
    ) {
        let mut bytes = SAMPLE_SET.to_bytes().to_vec();
        let i = at.index(bytes.len());
        bytes[i] ^= v;
        bytes.truncate(cut.index(bytes.len()));
        exercise(&bytes);
    }
}

// --- compile errors ------------------------------------------------------------------

#[test]
fn size_limit_names_the_aspect() {
    let aspects = [
        exec("fine", sig("func.*Context")),
        exec("explosive", sig(r"(?s-u:.)*a(?s-u:.){30}")),
        exec("fine too", sig("Handle")),
    ];
    let small = RuleSetBuilder::new().limits(Limits::uniform(1 << 20));
    let errors = small.build(&aspects).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].aspect, 1);
    assert_eq!(errors[0].kind, CompileErrorKind::TooBig);
    assert_eq!(errors[0].code(), "E0301");
    let errors = small
        .build(&[exec("huge", sig("[a-z]{60000}"))])
        .unwrap_err();
    assert_eq!(
        (errors[0].aspect, errors[0].kind),
        (0, CompileErrorKind::TooBig)
    );
}

#[test]
fn package_dfa_overflow_names_a_pattern() {
    let aspects: Vec<_> = (0..40)
        .map(|i| exec(&format!("a{i}"), within(&format!("...x{i}.../..."))))
        .collect();
    let errors = RuleSetBuilder::new()
        .limits(Limits::uniform(64 << 10))
        .build(&aspects)
        .unwrap_err();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|e| e.kind == CompileErrorKind::TooBig && e.pattern.starts_with("...x")),
        "{errors:?}"
    );
}

#[test]
fn unsupported_regexes_explain_what_to_write() {
    let aspects = [
        exec("ok", sig("Handle")),
        exec("unicode-class", sig(r"func \pL+")),
        exec("lookahead", sig(r"func (?=Handle)")),
        exec("unicode-boundary", sig(r"(?u:\b)Handle")),
        exec("syntax", sig(r"func (")),
        exec("shared", and(vec![sig(r"func \pL+"), Pointcut::MainModule])),
    ];
    let errors = RuleSet::build(&aspects).unwrap_err();
    let text: String = errors
        .iter()
        .map(|e| {
            format!(
                "aspect {} [{}] {:?} `{}`\n  {}\n  help: {}\n",
                e.aspect,
                e.code(),
                e.kind,
                e.pattern,
                e.message,
                e.help
            )
        })
        .collect();
    settings().bind(|| insta::assert_snapshot!("unsupported_regexes", text));
}

#[test]
fn verify_catches_a_changed_record() {
    let mut bytes = SAMPLE_SET.to_bytes().to_vec();
    let at = bytes.windows(7).position(|w| w == b"logging").unwrap();
    bytes[at + 1] = b'O';
    let aligned = AlignedBytes::from_slice(&bytes);
    // Loading checks structure only; the record still decodes...
    let view = RuleSetRef::from_bytes(&aligned).unwrap();
    assert_eq!(view.aspect(3).unwrap().name, "lOgging");
    // ...but it no longer hashes to the fingerprint.
    assert_eq!(view.verify(), Err(LoadError::FingerprintMismatch));
}

#[test]
fn views_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<RuleSetRef<'static>>();
    shareable::<RuleSet>();
    let rules = SAMPLE_SET.view().unwrap();
    let scope = rules.packages("example.com/shop", MAIN).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut out = vec![];
                rules.match_function(&scope, PROCESS, &mut out).unwrap();
                assert_eq!(out, [3, 0, 1]);
            });
        }
    });
}

// --- pointcut logic against a direct evaluator -----------------------------------------

const SIG_POOL: &[&str] = &[
    "Context",
    r"^func \(\*OrderService\)",
    "Handle",
    r"\(\)$",
    "(?i)order",
];
const PKG_POOL: &[&str] = &[
    "example.com/shop/...",
    "net/http",
    ".../internal/...",
    "example.com/shop",
];
const CALL_POOL: &[&str] = &["database/sql.Open", "net/http.Get", "(*net/http.Client).Do"];
const PACKAGES: &[&str] = &[
    "example.com/shop",
    "example.com/shop/api",
    "example.com/shop/internal/db",
    "net/http",
    "example.com/other",
    "example.com/other/internal",
];

fn pointcut() -> impl Strategy<Value = Pointcut> {
    let leaf = prop_oneof![
        prop::sample::select(SIG_POOL).prop_map(sig),
        prop::sample::select(PKG_POOL).prop_map(within),
        prop::sample::select(CALL_POOL).prop_map(call),
        Just(Pointcut::MainModule),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(and),
            prop::collection::vec(inner.clone(), 0..3).prop_map(or),
            inner.prop_map(not),
        ]
    })
}

/// Go's package pattern semantics, spelled as a regex.
fn go_pattern(pattern: &str, pkg: &str) -> bool {
    let mut re = regex_syntax::escape(pattern).replace(r"\.\.\.", ".*");
    if let Some(stem) = re.strip_suffix("/.*") {
        re = format!("{stem}(/.*)?");
    }
    regex_automata::meta::Regex::new(&format!("^(?:{re})$"))
        .unwrap()
        .is_match(pkg)
}

/// The pointcut's value, computed directly on the tree.
fn holds(p: &Pointcut, pkg: &str, signature: Option<&str>, callee: Option<&str>) -> bool {
    match p {
        Pointcut::Sig(re) => signature.is_some_and(|s| reference(re).is_match(s)),
        Pointcut::Within(pat) => go_pattern(pat, pkg),
        Pointcut::MainModule => pkg == "example.com/shop" || pkg.starts_with("example.com/shop/"),
        // A ref target is looked up like a callee (by the ref aspects).
        Pointcut::Call(c) | Pointcut::Ref(c) => callee == Some(c.as_str()),
        // `match_function` knows no function used as a value.
        Pointcut::AsValue => false,
        Pointcut::And(xs) => xs.iter().all(|x| holds(x, pkg, signature, callee)),
        Pointcut::Or(xs) => xs.iter().any(|x| holds(x, pkg, signature, callee)),
        Pointcut::Not(x) => !holds(x, pkg, signature, callee),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn pointcuts_evaluate_like_the_tree(
        pointcuts in prop::collection::vec((pointcut(), any::<bool>()), 1..6),
        pkg in prop::sample::select(PACKAGES),
        sigs in prop::collection::vec(signature(), 4),
        callee in prop::sample::select(CALL_POOL),
    ) {
        let aspects: Vec<_> = pointcuts
            .iter()
            .enumerate()
            .map(|(i, (p, is_call))| {
                let kind = if *is_call { JoinKind::Call } else { JoinKind::Execution };
                aspect(&format!("a{i}"), kind, p.clone(), (i % 2) as i64)
            })
            .collect();
        let set = RuleSet::build(&aspects).unwrap();
        let rules = set.view().unwrap();
        let scope = rules.packages(pkg, MAIN).unwrap();
        // Reference, in application order (order, then index).
        let expect = |kind: JoinKind, sig: Option<&str>, callee: Option<&str>| {
            let mut ids: Vec<usize> = (0..aspects.len())
                .filter(|&i| aspects[i].kind == kind && holds(&aspects[i].pointcut, pkg, sig, callee))
                .collect();
            ids.sort_by_key(|&i| (aspects[i].order, i));
            ids
        };
        let mut out = Vec::new();
        for s in &sigs {
            rules.match_function(&scope, s, &mut out).unwrap();
            prop_assert_eq!(&out, &expect(JoinKind::Execution, Some(s), None), "function {} in {}", s, pkg);
            rules.match_call_in(&scope, callee, s, &mut out).unwrap();
            prop_assert_eq!(&out, &expect(JoinKind::Call, Some(s), Some(callee)), "call {} in {} in {}", callee, s, pkg);
        }
        rules.match_call(&scope, callee, &mut out).unwrap();
        prop_assert_eq!(&out, &expect(JoinKind::Call, None, Some(callee)));
        rules.match_call(&scope, "unknown.Func", &mut out).unwrap();
        prop_assert_eq!(&out, &expect(JoinKind::Call, None, Some("unknown.Func")));
        // The scope keeps every aspect that holds somewhere in this package.
        let kept: Vec<usize> = scope.candidates().collect();
        for i in expect(JoinKind::Execution, Some(&sigs[0]), None) {
            prop_assert!(kept.contains(&i));
        }
    }
}

// --- the package filter the toolexec fast path decides from ---------------------

/// A pointcut that may also test whether the function is used as a value.
fn pointcut_as_value() -> impl Strategy<Value = Pointcut> {
    prop_oneof![
        4 => pointcut(),
        1 => pointcut().prop_map(|p| and(vec![p, Pointcut::AsValue])),
        1 => pointcut().prop_map(|p| or(vec![not(Pointcut::AsValue), p])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn the_package_filter_decides_like_the_rule_set(
        pointcuts in prop::collection::vec((pointcut_as_value(), 0..3u8), 1..6),
    ) {
        let aspects: Vec<_> = pointcuts
            .iter()
            .enumerate()
            .map(|(i, (p, k))| {
                let kind = [JoinKind::Execution, JoinKind::Call, JoinKind::Ref][*k as usize];
                aspect(&format!("a{i}"), kind, p.clone(), (i % 2) as i64)
            })
            .collect();
        let set = RuleSet::build(&aspects).unwrap();
        let rules = set.view().unwrap();
        let filter = PackageFilter::from_bytes(&PackageFilter::cut(set.to_bytes()).unwrap());
        let fp = set.fingerprint();
        prop_assert_eq!(filter.fingerprint().unwrap(), fp);
        prop_assert_eq!(goaop::compile::Fingerprint::from_hex(&fp.to_hex()), Some(fp));
        for pkg in PACKAGES.iter().chain(&["fmt", "net/http/internal", "example.com/shopping"]) {
            for main in [MAIN, None, Some("example.com/other")] {
                let full = !rules.packages(pkg, main).unwrap().is_empty();
                prop_assert_eq!(filter.touches(&fp, pkg, main).unwrap(), full, "{} in {:?}", pkg, main);
            }
        }
    }
}

#[test]
fn a_package_filter_is_small_and_cannot_weave() {
    let set = RuleSet::build(&sample()).unwrap();
    let cut = PackageFilter::cut(set.to_bytes()).unwrap();
    assert!(
        cut.len() * 2 < set.to_bytes().len(),
        "filter {} bytes, rule set {}",
        cut.len(),
        set.to_bytes().len()
    );
    let bytes = AlignedBytes::from_slice(&cut);
    let view = RuleSetRef::from_bytes(bytes.as_bytes()).unwrap();
    let scope = view.packages("example.com/shop", MAIN).unwrap();
    assert!(scope.has_functions());
    // Opened as a rule set, it has neither signature matching nor advice.
    let mut out = Vec::new();
    let matched = view.match_function(&scope, PROCESS, &mut out);
    assert!(matches!(matched, Err(LoadError::Corrupt(_))), "{matched:?}");
    assert!(view.aspect(0).is_err());
    assert!(view.verify().is_err());
}

#[test]
fn a_damaged_rule_set_gives_no_package_filter() {
    let set = RuleSet::build(&sample()).unwrap();
    let mut bytes = set.to_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes.truncate(last);
    assert!(PackageFilter::cut(AlignedBytes::from_slice(&bytes).as_bytes()).is_err());
    let filter = PackageFilter::from_bytes(&[0; 64]);
    assert!(
        filter
            .touches(&set.fingerprint(), "example.com/shop", MAIN)
            .is_err()
    );
    // Cut from another rule set: refused.
    let other = RuleSet::build(&sample()[..1]).unwrap();
    let filter = PackageFilter::from_bytes(&PackageFilter::cut(other.to_bytes()).unwrap());
    let refused = filter.touches(&set.fingerprint(), "example.com/shop", MAIN);
    assert!(
        matches!(refused, Err(LoadError::FingerprintMismatch)),
        "{refused:?}"
    );
}
