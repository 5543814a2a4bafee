//! `check` never panics: mutated versions of every example and fixture
//! (bytes deleted, inserted, replaced, truncated) go through load + check,
//! which must answer with diagnostics, whatever the input.

mod common;

use goaop::check::check_files;
use goaop::diag::Sources;
use proptest::prelude::*;

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn check_never_panics(pick in any::<prop::sample::Index>(), muts in prop::collection::vec(mutation(), 1..6)) {
        let corpus = corpus();
        let (name, text) = &corpus[pick.index(corpus.len())];
        let text = muts.iter().fold(text.clone(), apply);
        let mut sources = Sources::new();
        let id = sources.add(name.clone(), text);
        let out = check_files(&mut sources, &[id]);
        // Rendering must not panic either, and every diagnostic is in bounds.
        let _ = goaop::diag::render::human(&sources, &out.diagnostics, false);
        for d in &out.diagnostics {
            let len = sources.get(d.primary.span.file).text.len();
            prop_assert!(d.primary.span.range.end <= len, "{d:?}");
        }
    }
}
