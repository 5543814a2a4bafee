//! Tests of the scan stage: a hand-written corpus (one fixture per feature
//! under tests/scan/, snapshot of everything scanned), canonical signatures
//! of real Go packages from GOROOT, exact-string unit tests of tricky cases,
//! and a property test that no input makes the scanner panic.

use goaop::scan::{CallKind, FuncKind, ScannedFile, Scanner, scan};
use proptest::prelude::*;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/scan"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Source text of `r`, on one line, shortened.
fn snip(src: &[u8], r: &Range<usize>) -> String {
    let text = String::from_utf8_lossy(&src[r.clone()])
        .replace('\n', "⏎")
        .replace('\t', " ");
    if text.chars().count() > 70 {
        let head: String = text.chars().take(67).collect();
        format!("{head}...")
    } else {
        text
    }
}

/// Everything the scanner produced, with the source text at every range so
/// a snapshot shows the ranges are right.
fn describe(src: &[u8], f: &ScannedFile) -> String {
    let mut o = String::new();
    let pkg = f
        .package_range
        .as_ref()
        .map(|r| snip(src, r))
        .unwrap_or_default();
    writeln!(o, "package: {} ({pkg:?})", f.package).unwrap();
    writeln!(o, "build_constraint: {:?}", f.build_constraint).unwrap();
    writeln!(o, "has_errors: {}", f.has_errors).unwrap();
    writeln!(o, "line_directive: {}", f.line_directive).unwrap();
    for d in &f.line_directives {
        writeln!(
            o,
            "  line directive {:?}: {}:{}:{:?}",
            snip(src, &d.range),
            d.file,
            d.line,
            d.column
        )
        .unwrap();
    }
    let after = &src[f.import_insert..(f.import_insert + 12).min(src.len())];
    writeln!(
        o,
        "import_insert: {} (before {:?})",
        f.import_insert,
        String::from_utf8_lossy(after)
    )
    .unwrap();
    for (i, d) in f.import_decls.iter().enumerate() {
        writeln!(o, "import decl {i}: {:?}", snip(src, d)).unwrap();
    }
    for imp in &f.imports {
        writeln!(
            o,
            "  import {:?} name={} alias={:?} spec={:?} path_src={:?} decl={}",
            imp.path,
            imp.name,
            imp.alias,
            snip(src, &imp.range),
            snip(src, &imp.path_range),
            imp.decl
        )
        .unwrap();
    }
    writeln!(o, "top_level: {}", f.top_level.join(", ")).unwrap();
    writeln!(o, "funcs:").unwrap();
    for (i, s) in f.funcs.iter().enumerate() {
        writeln!(o, "  [{i}] {}:{} {:?} {}", s.line, s.column, s.kind, s.name).unwrap();
        writeln!(o, "      {}", s.signature).unwrap();
        let mut flags = Vec::new();
        if let Some(p) = s.parent {
            flags.push(format!("parent=[{p}]"));
        }
        if s.ignored {
            flags.push("IGNORED".to_owned());
        }
        if s.body.is_none() {
            flags.push("no body".to_owned());
        }
        if let Some(r) = &s.receiver_param {
            flags.push(format!(
                "recv={}|{}",
                r.name_range
                    .as_ref()
                    .map(|n| snip(src, n))
                    .unwrap_or_default(),
                snip(src, &r.type_range)
            ));
        }
        if !s.type_params.is_empty() {
            let tp: Vec<_> = s
                .type_params
                .iter()
                .map(|(n, c)| format!("{n}:{c}"))
                .collect();
            flags.push(format!("tparams=[{}]", tp.join(", ")));
        }
        let params: Vec<_> = s
            .params
            .iter()
            .chain(&s.results)
            .map(|p| {
                format!(
                    "{}{}|{}",
                    p.name_range
                        .as_ref()
                        .map(|n| snip(src, n))
                        .unwrap_or_default(),
                    if p.variadic { "..." } else { "" },
                    snip(src, &p.type_range)
                )
            })
            .collect();
        if !params.is_empty() {
            flags.push(format!("src=[{}]", params.join(", ")));
        }
        if let Some(r) = &s.results_range {
            flags.push(format!("results_src={:?}", snip(src, r)));
        }
        if !flags.is_empty() {
            writeln!(o, "      {}", flags.join(" ")).unwrap();
        }
    }
    writeln!(o, "calls:").unwrap();
    for c in &f.calls {
        let enclosing = c
            .enclosing
            .map(|e| f.funcs[e].name.as_str())
            .unwrap_or("<file>");
        writeln!(
            o,
            "  {}:{} {:?} {} args={}{}{}{} in {} {:?}",
            c.line,
            c.column,
            c.kind,
            c.callee,
            c.arg_count,
            if c.spread { " spread" } else { "" },
            if c.dot_import { " dot-import" } else { "" },
            match c.context {
                goaop::scan::CallContext::Expr => "",
                goaop::scan::CallContext::Go => " go",
                goaop::scan::CallContext::Defer => " defer",
            },
            enclosing,
            snip(src, &c.range),
        )
        .unwrap();
        let args: Vec<_> = c.args.iter().map(|a| snip(src, a)).collect();
        writeln!(
            o,
            "      func={:?} args_src={:?} [{}]",
            snip(src, &c.func_range),
            snip(src, &c.args_range),
            args.join(" | ")
        )
        .unwrap();
    }
    writeln!(o, "refs:").unwrap();
    for r in &f.refs {
        let enclosing = r
            .enclosing
            .map(|e| f.funcs[e].name.as_str())
            .unwrap_or("<file>");
        writeln!(
            o,
            "  {}:{} {} in {} {:?}",
            r.line,
            r.column,
            r.target,
            enclosing,
            snip(src, &r.range)
        )
        .unwrap();
    }
    o
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scan");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "fixtures missing in {}", dir.display());
    files
}

#[test]
fn feature_corpus() {
    let mut scanner = Scanner::new();
    for path in fixtures() {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let src = std::fs::read(&path).unwrap();
        let scanned = scanner.scan(&src);
        assert_eq!(scanned.has_errors, name == "broken", "{name}: has_errors");
        settings().bind(|| insta::assert_snapshot!(name, describe(&src, &scanned)));
    }
}

// --- real corpus: GOROOT ----------------------------------------------------

/// `go env GOROOT`. Fails loudly: these snapshots are part of the contract.
fn goroot() -> PathBuf {
    let out = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("the `go` command is required by the scan tests (GOROOT corpus); install Go");
    assert!(
        out.status.success(),
        "go env GOROOT failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn go_version(root: &Path) -> String {
    std::fs::read_to_string(root.join("VERSION"))
        .ok()
        .and_then(|v| v.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `file: signature` for every .go file of `dirs` (non-recursive), sorted by
/// file, then source order.
fn corpus_signatures(root: &Path, dirs: &[&str]) -> String {
    let mut scanner = Scanner::new();
    let mut out = String::new();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(root.join("src").join(dir))
            .unwrap_or_else(|e| panic!("GOROOT/src/{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "go"))
            .collect();
        files.sort();
        for path in files {
            let src = std::fs::read(&path).unwrap();
            let scanned = scanner.scan(&src);
            let file = format!("{dir}/{}", path.file_name().unwrap().to_str().unwrap());
            assert!(
                !scanned.has_errors,
                "{file}: tree-sitter errors in a GOROOT file"
            );
            for f in &scanned.funcs {
                writeln!(out, "{file}: {}", f.signature).unwrap();
            }
        }
    }
    out
}

/// These snapshots depend on the GOROOT version (go1.26.8 on this machine
/// and in CI): a different Go toolchain changes them.
#[test]
fn goroot_net_http_signatures() {
    let root = goroot();
    let sigs = corpus_signatures(&root, &["net/http"]);
    assert!(sigs.lines().count() > 1000);
    settings().bind(|| {
        insta::with_settings!({ description => format!("canonical signatures of GOROOT/src/net/http/*.go, {}", go_version(&root)) }, {
            insta::assert_snapshot!("goroot_net_http", sigs);
        })
    });
}

/// Generics-heavy packages; depends on the GOROOT version like the above.
#[test]
fn goroot_generics_signatures() {
    let root = goroot();
    let sigs = corpus_signatures(&root, &["slices", "maps", "iter", "cmp"]);
    assert!(
        sigs.contains("slices/slices.go: func Index[S ~[]E, E comparable](s S, v E) int\n"),
        "slices.Index should render exactly"
    );
    settings().bind(|| {
        insta::with_settings!({ description => format!("canonical signatures of GOROOT/src/{{slices,maps,iter,cmp}}/*.go, {}", go_version(&root)) }, {
            insta::assert_snapshot!("goroot_generics", sigs);
        })
    });
}

// --- exact strings ----------------------------------------------------------

/// Signatures of every function in `src`, in order.
fn sigs(src: &str) -> Vec<String> {
    scan(src.as_bytes())
        .funcs
        .into_iter()
        .map(|f| f.signature)
        .collect()
}

fn sig(src: &str) -> String {
    let all = sigs(src);
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

#[test]
fn design_examples() {
    assert_eq!(
        sig(
            "package shop\nimport \"context\"\nfunc (s *OrderService) ProcessOrder(ctx context.Context, order Order) error { return nil }"
        ),
        "func (*OrderService) ProcessOrder(ctx context.Context, order Order) error"
    );
    assert_eq!(
        sig(
            "package p\nimport \"net/http\"\nfunc Handle(w http.ResponseWriter, r *http.Request) {}"
        ),
        "func Handle(w net/http.ResponseWriter, r *net/http.Request)"
    );
    assert_eq!(
        sig("package p\nfunc Map[T, U any](xs []T, f func(T) U) []U { return nil }"),
        "func Map[T any, U any](xs []T, f func(T) U) []U"
    );
    assert_eq!(
        sigs(
            "package main\nimport \"net/http\"\nfunc main() { http.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) {}) }"
        ),
        [
            "func main()",
            "func main.func1(w net/http.ResponseWriter, r *net/http.Request)"
        ]
    );
}

#[test]
fn aliases_resolve_to_import_paths() {
    let src = "package p\nimport (\n ctxpkg \"context\"\n h \"net/http\"\n)\nfunc F(c ctxpkg.Context, r *h.Request, m map[h.Header][]ctxpkg.CancelFunc) {}";
    assert_eq!(
        sig(src),
        "func F(c context.Context, r *net/http.Request, m map[net/http.Header][]context.CancelFunc)"
    );
}

#[test]
fn assumed_package_names() {
    let src = "package p\nimport (\n\"gopkg.in/yaml.v3\"\n\"github.com/x/go-foo\"\n\"github.com/x/bar/v2\"\n)\nfunc F(a yaml.Node, b foo.T, c bar.U) {}";
    assert_eq!(
        sig(src),
        "func F(a gopkg.in/yaml.v3.Node, b github.com/x/go-foo.T, c github.com/x/bar/v2.U)"
    );
}

#[test]
fn parameters() {
    assert_eq!(
        sig("package p\nfunc F(a, b int, _ string, c ...any) {}"),
        "func F(a int, b int, _ string, c ...any)"
    );
    assert_eq!(
        sig("package p\nfunc F(int, string) {}"),
        "func F(_ int, _ string)"
    );
    assert_eq!(sig("package p\nfunc F(...int) {}"), "func F(_ ...int)");
    assert_eq!(
        sig("package p\nfunc F(\n\ta int, // first\n\t/* second */ b string,\n) {}"),
        "func F(a int, b string)"
    );
}

#[test]
fn results() {
    assert_eq!(sig("package p\nfunc F() error"), "func F() error");
    assert_eq!(sig("package p\nfunc F() (error)"), "func F() error");
    assert_eq!(
        sig("package p\nfunc F() (int, error)"),
        "func F() (int, error)"
    );
    assert_eq!(
        sig("package p\nfunc F() (n, m int, err error)"),
        "func F() (n int, m int, err error)"
    );
    assert_eq!(
        sig("package p\nfunc F() (_ int, err error)"),
        "func F() (_ int, err error)"
    );
    assert_eq!(
        sig("package p\nfunc F() (err error)"),
        "func F() (err error)"
    );
}

#[test]
fn composite_type_spellings() {
    let cases = [
        ("[]byte", "[]byte"),
        ("[4]int", "[4]int"),
        ("[ 2 * N+1 ]int", "[2*N + 1]int"),
        ("[ /* c */ N ]int", "[N]int"),
        ("[len(a) /* c */]int", "[len(a)]int"),
        ("[a[0]]int", "[a[0]]int"),
        ("[unsafe.Sizeof(x)]byte", "[unsafe.Sizeof(x)]byte"),
        ("map[string]int", "map[string]int"),
        ("chan<- T", "chan<- T"),
        ("<-chan T", "<-chan T"),
        ("chan T", "chan T"),
        ("chan (<-chan T)", "chan (<-chan T)"),
        ("chan<- (chan T)", "chan<- chan T"),
        ("chan<- chan T", "chan<- chan T"),
        ("chan <-chan T", "chan<- chan T"),
        ("chan <-chan <-chan T", "chan<- chan<- chan T"),
        ("chan<- <-chan T", "chan<- <-chan T"),
        ("<-chan <-chan T", "<-chan <-chan T"),
        ("chan (<-chan (<-chan T))", "chan (<-chan <-chan T)"),
        ("func(int) error", "func(int) error"),
        ("func(a int) (int, error)", "func(a int) (int, error)"),
        (
            "func(a, b int) (x, y int)",
            "func(a int, b int) (x int, y int)",
        ),
        ("func(...string)", "func(...string)"),
        ("struct{}", "struct{}"),
        (
            "struct {\n\ta, b int\n\tT\n\t*U `tag`\n}",
            "struct{ a int; b int; T; *U `tag` }",
        ),
        ("interface{}", "interface{}"),
        (
            "interface {\n\tM(x int) error\n\tfmt.Stringer\n}",
            "interface{ M(x int) error; fmt.Stringer }",
        ),
        ("any", "any"),
        ("*T", "*T"),
        ("(*T)", "*T"),
        ("pkg.T[int]", "pkg.T[int]"),
        ("List[map[K]V]", "List[map[K]V]"),
        ("[][]*[3]chan func() int", "[][]*[3]chan func() int"),
    ];
    for (written, canonical) in cases {
        assert_eq!(
            sig(&format!("package p\nfunc F(x {written}) {{}}")),
            format!("func F(x {canonical})"),
            "{written}"
        );
    }
}

#[test]
fn type_parameters() {
    assert_eq!(
        sig("package p\nimport \"cmp\"\nfunc F[K cmp.Ordered, V ~int | ~string, S ~[]V](s S) {}"),
        "func F[K cmp.Ordered, V ~int | ~string, S ~[]V](s S)"
    );
    assert_eq!(
        sig("package p\nfunc (l *List[K, V]) Push(k K) {}"),
        "func (*List[K, V]) Push(k K)"
    );
}

#[test]
fn literal_names() {
    let f = scan(
        b"package main\nfunc main() {\n\ta := func() {\n\t\tb := func() {}\n\t}\n\tc := func() {}\n}\nfunc (s *S) Push() { _ = func() {} }\nvar v = func() {}\n",
    );
    let names: Vec<_> = f
        .funcs
        .iter()
        .map(|s| (s.name.as_str(), s.parent))
        .collect();
    assert_eq!(
        names,
        [
            ("main", None),
            ("main.func1", Some(0)),
            ("main.func1.func1", Some(1)),
            ("main.func2", Some(0)),
            ("Push", None),
            ("Push.func1", Some(4)),
            ("init.func1", None),
        ]
    );
    assert_eq!(f.funcs[5].kind, FuncKind::Literal);
    assert_eq!(f.funcs[4].receiver.as_deref(), Some("(*S)"));
}

#[test]
fn positions_and_ranges() {
    let src = "package p\n\nfunc F(a, b int) (n int, err error) {\n\treturn\n}\n";
    let f = scan(src.as_bytes());
    let s = &f.funcs[0];
    assert_eq!((s.line, s.column), (3, 1));
    assert_eq!(&src[s.params_range.clone()], "(a, b int)");
    assert_eq!(&src[s.results_range.clone().unwrap()], "(n int, err error)");
    assert_eq!(&src[s.body.clone().unwrap()], "{\n\treturn\n}");
    assert_eq!(&src[s.range.clone()], src[11..].trim_end());
    let names: Vec<_> = s
        .params
        .iter()
        .map(|p| &src[p.name_range.clone().unwrap()])
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(s.params[0].type_range, s.params[1].type_range);
    assert_eq!(f.import_insert, 9);
}

#[test]
fn call_sites() {
    let src = "package p\nimport (\n\tdb \"database/sql\"\n\t\"net/http\"\n)\nfunc F(xs []any) {\n\tdb.Open(\"x\", \"y\")\n\thttp.Get(xs...)\n\tdefer http.Post(\"u\", \"t\", nil)\n}\n";
    let f = scan(src.as_bytes());
    let calls: Vec<_> = f
        .calls
        .iter()
        .map(|c| (c.callee.as_str(), c.arg_count, c.spread))
        .collect();
    assert_eq!(
        calls,
        [
            ("database/sql.Open", 2, false),
            ("net/http.Get", 1, true),
            ("net/http.Post", 3, false)
        ]
    );
    let c = &f.calls[0];
    assert_eq!(&src[c.range.clone()], "db.Open(\"x\", \"y\")");
    assert_eq!(&src[c.func_range.clone()], "db.Open");
    assert_eq!(&src[c.args_range.clone()], "(\"x\", \"y\")");
    assert_eq!((c.line, c.column), (7, 2));
    assert_eq!(c.enclosing, Some(0));
    assert_eq!(f.calls[2].context, goaop::scan::CallContext::Defer);
}

#[test]
fn composite_elements_keep_keys_and_value_ranges() {
    let src = "package p\nimport \"net/http\"\nvar a = &http.Client{Timeout: 3, Jar: nil,}\nvar b = http.Client{nil, nil, nil, 0}\nvar c = http.Header{\"k\": {\"v\"}}\n";
    let f = scan(src.as_bytes());
    let lits: Vec<_> = f
        .calls
        .iter()
        .filter(|c| c.kind == goaop::scan::CallKind::Composite)
        .collect();
    assert_eq!(lits.len(), 3);
    let a: Vec<_> = lits[0]
        .elements
        .iter()
        .map(|e| (e.key.as_deref(), e.keyed, &src[e.value.clone()]))
        .collect();
    assert_eq!(
        a,
        [(Some("Timeout"), true, "3"), (Some("Jar"), true, "nil")]
    );
    assert!(lits[1].elements.iter().all(|e| !e.keyed && e.key.is_none()));
    assert_eq!(lits[1].elements.len(), 4);
    assert!(lits[2].elements[0].keyed && lits[2].elements[0].key.is_none());
}

#[test]
fn references_know_how_they_are_used() {
    use goaop::scan::RefUse::*;
    let src = "package p\nimport \"net/http\"\nfunc F() {\n\tt := http.DefaultTransport\n\t_, _ = http.DefaultTransport.(*http.Transport)\n\thttp.DefaultTransport = t\n\tp := &http.DefaultTransport\n\thttp.DefaultClient.Timeout = 3\n\tx, http.DefaultClient = 1, nil\n\t_ = &http.DefaultClient.Jar\n\thttp.DefaultTransport.RoundTrip(nil)\n\t_ = (http.DefaultTransport)\n\t_, _ = t, p\n\t_ = x\n}\n";
    let f = scan(src.as_bytes());
    let uses: Vec<_> = f
        .refs
        .iter()
        .map(|r| (r.line, r.target.rsplit('.').next().unwrap(), r.usage))
        .collect();
    assert_eq!(
        uses,
        [
            (4, "DefaultTransport", Value),
            (5, "DefaultTransport", TypeAsserted),
            (6, "DefaultTransport", Assigned),
            (7, "DefaultTransport", AddressOf),
            (8, "DefaultClient", Assigned),
            (9, "DefaultClient", Assigned),
            (10, "DefaultClient", AddressOf),
            (11, "DefaultTransport", Value),
            (12, "DefaultTransport", Value),
        ]
    );
}

#[test]
fn shadowed_package_names_are_not_package_calls() {
    let src = "package p\nimport \"net/http\"\nfunc F(c *http.Client) {\n\thttp.Get(\"a\")\n\thttp := c\n\thttp.Get(\"b\")\n}\nfunc G() { http.Get(\"c\") }\n";
    let f = scan(src.as_bytes());
    let lines: Vec<_> = f.calls.iter().map(|c| c.line).collect();
    assert_eq!(lines, [4, 8]);
    // The right-hand side of `x := x.F()` still sees the package.
    let f = scan(b"package p\nimport \"net/http\"\nfunc F() { http := http.Get; _ = http }");
    assert_eq!(f.refs.len(), 1);
}

#[test]
fn composite_literals() {
    let f =
        scan(b"package p\nimport \"net/http\"\nvar c = &http.Client{Timeout: 1, Transport: nil}\n");
    assert_eq!(f.calls.len(), 1);
    assert_eq!(f.calls[0].kind, CallKind::Composite);
    assert_eq!(f.calls[0].callee, "net/http.Client");
    assert_eq!(f.calls[0].arg_count, 2);
    assert_eq!(f.calls[0].enclosing, None);
}

#[test]
fn imports_and_insertion_point() {
    let src = "package p\n\nimport \"fmt\"\n\nimport (\n\tx \"a/b\"\n\t. \"c\"\n\t_ \"d\"\n)\n\nfunc F() {}\n";
    let f = scan(src.as_bytes());
    let got: Vec<_> = f
        .imports
        .iter()
        .map(|i| (i.alias.as_deref(), i.name.as_str(), i.path.as_str(), i.decl))
        .collect();
    assert_eq!(
        got,
        [
            (None, "fmt", "fmt", 0),
            (Some("x"), "x", "a/b", 1),
            (Some("."), ".", "c", 1),
            (Some("_"), "_", "d", 1)
        ]
    );
    assert_eq!(&src[f.import_insert..f.import_insert + 2], "\n\n");
    assert_eq!(
        &src[..f.import_insert],
        &src[..src.find(")\n").unwrap() + 1]
    );
    assert_eq!(scan(b"package p").import_insert, 9);
    assert_eq!(scan(b"").import_insert, 0);
}

#[test]
fn top_level_names() {
    let f = scan(b"package p\nvar a, b = 1, 2\nvar (\n\tc int\n\t_ = 3\n)\nconst d = 1\ntype (\n\te int\n\tf = e\n)\nfunc g() {}\nfunc init() {}\nfunc (e) m() {}\n");
    assert_eq!(f.top_level, ["a", "b", "c", "d", "e", "f", "g"]);
}

#[test]
fn invalid_utf8_and_empty_input() {
    let f = scan(b"package p\nfunc F(\xff\xfe int) {}\n");
    assert!(f.has_errors || !f.funcs.is_empty());
    let f = scan(b"");
    assert_eq!(f.package, "");
    assert!(f.funcs.is_empty());
    let f = scan(b"\0\0\0");
    assert!(f.has_errors);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 5000;
    let src = format!("package p\nfunc F(x {}int) {{}}\n", "[]".repeat(depth));
    let f = scan(src.as_bytes());
    assert!(f.funcs[0].signature.starts_with("func F(x [][]"));
    assert!(f.funcs[0].signature.contains('…'));
    let src = format!(
        "package p\nvar x = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let _ = scan(src.as_bytes());
}

// --- never panics -----------------------------------------------------------

const SEED: &str = include_str!("scan/shadowed.go");
const SEED2: &str = include_str!("scan/composite_types.go");

/// A mutation of a valid Go file: delete, duplicate or insert a byte range.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let seeds = prop_oneof![
        Just(SEED.as_bytes().to_vec()),
        Just(SEED2.as_bytes().to_vec())
    ];
    let ops = prop::collection::vec(
        (
            0usize..4,
            any::<prop::sample::Index>(),
            0usize..40,
            any::<u8>(),
        ),
        1..8,
    );
    (seeds, ops).prop_map(|(mut src, ops)| {
        for (op, at, len, byte) in ops {
            if src.is_empty() {
                src.push(byte);
            }
            let i = at.index(src.len());
            let j = (i + len).min(src.len());
            match op {
                0 => {
                    src.drain(i..j);
                }
                1 => {
                    let piece: Vec<u8> = src[i..j].to_vec();
                    src.splice(i..i, piece);
                }
                2 => src.insert(i, byte),
                _ => {
                    let tokens: [&[u8]; 10] = [
                        b"func(",
                        b"{",
                        b"}",
                        b")",
                        b"[",
                        b"...",
                        b"chan<-",
                        b"//goaop:ignore\n",
                        b"\"",
                        b"http.",
                    ];
                    let t = tokens[byte as usize % tokens.len()];
                    src.splice(i..i, t.iter().copied());
                }
            }
        }
        src
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn never_panics(src in mutated()) {
        let mut scanner = Scanner::new();
        let f = scanner.scan(&src);
        // Every range the weaver may splice at is inside the source.
        for s in &f.funcs {
            prop_assert!(s.range.end <= src.len() && s.params_range.end <= src.len());
            prop_assert!(s.signature.starts_with("func "));
        }
        for c in &f.calls {
            prop_assert!(c.range.start <= c.func_range.start && c.args_range.end <= c.range.end);
        }
        prop_assert!(f.import_insert <= src.len());
    }
}
