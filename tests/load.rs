//! Tests of the load stage: both front ends on valid files (snapshot of a
//! readable dump of the `RawFile`), on bad files (snapshot of the rendered
//! diagnostics), span accuracy of values and snippets, and a fuzz test that
//! mutated files never make `load` panic.
//!
//! Fixtures: tests/load/ok/<case>.{yaml,aspect} and tests/load/bad/<case>.*;
//! snapshots in snapshots/load/<ok|bad>__<case>.snap.

use std::fmt::Write as _;
use std::path::Path;

use goaop::diag::{Diagnostic, Sources, Span, Spanned, render};
use goaop::load::{self, RawAspect, RawFile, RawPointcut, Snippet};
use proptest::prelude::*;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/load"));
    s.set_prepend_module_to_snapshot(false);
    s
}

fn fixture_dir(kind: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/load")
        .join(kind)
}

/// Every fixture of a folder, sorted: (case name, file name, text).
fn fixtures(kind: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(fixture_dir(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let file = p.file_name().unwrap().to_string_lossy().into_owned();
            let case = p.file_stem().unwrap().to_string_lossy().into_owned();
            (
                case,
                format!("{kind}/{file}"),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn load_text(name: &str, text: &str) -> (Sources, RawFile, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(name, text);
    let (raw, diags) = load::load(&sources, id);
    (sources, raw, diags)
}

// ------------------------------------------------------------------ dump

fn at(sources: &Sources, span: &Span) -> String {
    let (l1, c1) = sources.line_col(span.file, span.range.start);
    let (l2, c2) = sources.line_col(span.file, span.range.end);
    if l1 == l2 {
        format!("{l1}:{c1}-{c2}")
    } else {
        format!("{l1}:{c1}-{l2}:{c2}")
    }
}

fn s(sources: &Sources, v: &Spanned<String>) -> String {
    let exact = if v.span.range.len() == v.value.len() {
        ""
    } else {
        "~"
    };
    format!("{:?} @{}{exact}", v.value, at(sources, &v.span))
}

fn dump_pc(out: &mut String, sources: &Sources, pc: &RawPointcut, depth: usize) {
    let pad = "  ".repeat(depth);
    match pc {
        RawPointcut::Sig(v) => writeln!(
            out,
            "{pad}Sig `{}` @{}",
            abbreviate(&v.value),
            at(sources, &v.span)
        ),
        RawPointcut::Within(v) => writeln!(out, "{pad}Within {}", s(sources, v)),
        RawPointcut::Call(v) => writeln!(out, "{pad}Call {}", s(sources, v)),
        RawPointcut::Ref(v) => writeln!(out, "{pad}Ref {}", s(sources, v)),
        RawPointcut::AsValue(span) => writeln!(out, "{pad}AsValue @{}", at(sources, span)),
        RawPointcut::And(ps) | RawPointcut::Or(ps) => {
            let op = if matches!(pc, RawPointcut::And(..)) {
                "And"
            } else {
                "Or"
            };
            writeln!(out, "{pad}{op}").unwrap();
            for p in ps {
                dump_pc(out, sources, p, depth + 1);
            }
            Ok(())
        }
        RawPointcut::Not(a) => {
            writeln!(out, "{pad}Not").unwrap();
            dump_pc(out, sources, a, depth + 1);
            Ok(())
        }
    }
    .unwrap();
}

/// A lowered signature pattern with its building blocks named.
fn abbreviate(regex: &str) -> String {
    let mut out = regex.replace('\t', "\\t");
    for (name, block) in load::sigpattern::building_blocks() {
        out = out.replace(&block, &format!("<{name}>"));
    }
    out
}

fn dump_snippet(out: &mut String, sources: &Sources, what: &str, sn: &Snippet) {
    let starts: Vec<String> = sn
        .line_starts
        .iter()
        .map(|&o| {
            let (l, c) = sources.line_col(sn.span.file, o);
            format!("{l}:{c}")
        })
        .collect();
    writeln!(
        out,
        "  {what} @{} lines at [{}]",
        at(sources, &sn.span),
        starts.join(", ")
    )
    .unwrap();
    for line in sn.text.split('\n') {
        writeln!(out, "    | {line}").unwrap();
    }
}

fn dump_pairs(
    out: &mut String,
    sources: &Sources,
    what: &str,
    pairs: &[(Spanned<String>, Spanned<String>)],
) {
    for (k, v) in pairs {
        writeln!(out, "  {what} {} = {}", s(sources, k), s(sources, v)).unwrap();
    }
}

/// A readable dump of a loaded file. Spans are `line:col-col`; a `~` marks
/// a value whose span is the whole YAML value rather than the exact text.
fn dump(sources: &Sources, raw: &RawFile) -> String {
    let mut out = String::new();
    for u in &raw.uses {
        writeln!(out, "use {}", s(sources, u)).unwrap();
    }
    for a in &raw.aspects {
        dump_aspect(&mut out, sources, a);
    }
    out
}

fn dump_aspect(out: &mut String, sources: &Sources, a: &RawAspect) {
    writeln!(
        out,
        "aspect {} span @{}",
        s(sources, &a.name),
        at(sources, &a.span)
    )
    .unwrap();
    match &a.pointcut {
        Some(pc) => {
            writeln!(out, "  pointcut").unwrap();
            dump_pc(out, sources, pc, 2);
        }
        None => writeln!(out, "  pointcut: none").unwrap(),
    }
    dump_pairs(out, sources, "requires", &a.requires);
    dump_pairs(out, sources, "results", &a.results);
    for g in &a.globals {
        writeln!(out, "  global {}", s(sources, g)).unwrap();
    }
    dump_pairs(out, sources, "import", &a.imports);
    dump_pairs(out, sources, "var", &a.vars);
    let adv = &a.advice;
    for (what, sn) in [
        ("before", &adv.before),
        ("after", &adv.after),
        ("replace", &adv.replace),
        ("wrap", &adv.wrap),
    ] {
        if let Some(sn) = sn {
            dump_snippet(out, sources, what, sn);
        }
    }
    for sn in &adv.append_args {
        dump_snippet(out, sources, "append-arg", sn);
    }
    for (field, sn) in &adv.set_fields {
        writeln!(out, "  set-field {}", s(sources, field)).unwrap();
        dump_snippet(out, sources, "set-field value", sn);
    }
    if let Some(o) = &a.order {
        writeln!(out, "  order {} @{}", o.value, at(sources, &o.span)).unwrap();
    }
}

// ----------------------------------------------------- span invariants

/// Every exact span covers exactly its value, and every snippet line
/// starts where `line_starts` says.
fn check_spans(text: &str, raw: &RawFile) {
    // Equal lengths mean "verbatim", up to whitespace: types bound by
    // `execution(…)` patterns are respaced (gofmt spelling), and a folded
    // YAML scalar may turn one newline into one space.
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let exact = |v: &Spanned<String>| {
        if v.span.range.len() == v.value.len() {
            let written = text.get(v.span.range.clone()).map(squash);
            assert_eq!(written, Some(squash(&v.value)), "span of {v:?}");
        }
        assert!(v.span.range.end <= text.len());
    };
    let snippet = |sn: &Snippet| {
        assert!(sn.span.range.end <= text.len());
        if sn.line_starts.is_empty() {
            return;
        }
        let lines: Vec<&str> = sn.text.split('\n').collect();
        assert_eq!(lines.len(), sn.line_starts.len(), "line starts of {sn:?}");
        for (line, &start) in lines.iter().zip(&sn.line_starts) {
            let stripped = line.strip_suffix('\r').unwrap_or(line);
            assert_eq!(
                text.get(start..start + stripped.len()),
                Some(stripped),
                "line of {sn:?}"
            );
        }
    };
    fn walk(pc: &RawPointcut, f: &dyn Fn(&Spanned<String>)) {
        match pc {
            RawPointcut::Within(v) | RawPointcut::Call(v) | RawPointcut::Ref(v) => f(v),
            RawPointcut::AsValue(_) => {}
            RawPointcut::Sig(v) => {
                // Lowered `execution` patterns keep the pattern's span.
                if !v.value.starts_with("^func ") {
                    f(v)
                }
            }
            RawPointcut::And(ps) | RawPointcut::Or(ps) => ps.iter().for_each(|p| walk(p, f)),
            RawPointcut::Not(a) => walk(a, f),
        }
    }
    raw.uses.iter().for_each(exact);
    for a in &raw.aspects {
        exact(&a.name);
        if let Some(pc) = &a.pointcut {
            walk(pc, &exact);
        }
        for (k, v) in a
            .requires
            .iter()
            .chain(&a.results)
            .chain(&a.imports)
            .chain(&a.vars)
        {
            exact(k);
            exact(v);
        }
        a.globals.iter().for_each(exact);
        let adv = &a.advice;
        [&adv.before, &adv.after, &adv.replace, &adv.wrap]
            .into_iter()
            .flatten()
            .chain(&adv.append_args)
            .chain(adv.set_fields.iter().map(|(_, sn)| sn))
            .for_each(snippet);
        adv.set_fields.iter().for_each(|(f, _)| exact(f));
    }
}

// ------------------------------------------------------------------ tests

#[test]
fn valid_files() {
    let fixtures = fixtures("ok");
    assert!(fixtures.len() >= 6);
    for (case, name, text) in fixtures {
        let (sources, raw, diags) = load_text(&name, &text);
        assert!(
            diags.is_empty(),
            "{name}: {}",
            render::human(&sources, &diags, false)
        );
        check_spans(&text, &raw);
        settings().bind(|| insta::assert_snapshot!(format!("ok__{case}"), dump(&sources, &raw)));
    }
}

#[test]
fn bad_files() {
    let fixtures = fixtures("bad");
    assert!(fixtures.len() >= 15);
    for (case, name, text) in fixtures {
        let (sources, _, diags) = load_text(&name, &text);
        assert!(!diags.is_empty(), "{name} loaded without a diagnostic");
        let rendered = render::human(&sources, &diags, false);
        for d in &diags {
            assert!(d.help.is_some(), "{name}: no help in {d:?}");
            assert!(d.code.starts_with("E01"), "{name}: {}", d.code);
            let (l, c) = sources.line_col(d.primary.span.file, d.primary.span.range.start);
            assert!(
                rendered.contains(&format!("{name}:{l}:{c}")),
                "{name}: {rendered}"
            );
        }
        settings().bind(|| insta::assert_snapshot!(format!("bad__{case}"), rendered));
    }
}

#[test]
fn every_yaml_problem_of_a_file_is_reported() {
    let (_, raw, diags) = load_text(
        "x.yaml",
        "aspects:\n  - name: a\n    tempalte: x\n    colour: y\n  - name: b\n    afterr: z\n",
    );
    let codes: Vec<_> = diags.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(
        codes,
        vec![
            ("E0102", "unknown field `tempalte`"),
            ("E0102", "unknown field `colour`"),
            ("E0102", "unknown field `afterr`"),
        ]
    );
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `template`?"));
    assert_eq!(raw.aspects.len(), 2);
}

#[test]
fn yaml_block_scalar_offsets_map_to_the_file() {
    let text = "aspects:\n  - name: t\n    target: x\n    before: |\n      ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\n        defer span.End()\n";
    let (_, raw, diags) = load_text("t.yaml", text);
    assert!(diags.is_empty());
    let before = raw.aspects[0].advice.before.as_ref().unwrap();
    assert_eq!(
        before.text,
        "ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\n  defer span.End()\n"
    );
    for token in ["{{.FuncName}}", "span.End", "tracer", "defer"] {
        let in_text = before.text.find(token).unwrap();
        let in_file = before.file_offset(in_text).unwrap();
        assert_eq!(in_file, text.find(token).unwrap(), "{token}");
        assert_eq!(
            &text[before.file_span(in_text..in_text + token.len()).range],
            token
        );
    }
}

#[test]
fn yaml_quoted_scalars() {
    let text = "aspects:\n  - name: t\n    target: \"func.*Context\"\n    before: 'log(\"{{.FuncName}}\")'\n    after: \"a\\tb()\"\n";
    let (_, raw, diags) = load_text("t.yaml", text);
    assert!(diags.is_empty());
    let a = &raw.aspects[0];
    let before = a.advice.before.as_ref().unwrap();
    let i = before.text.find("{{").unwrap();
    assert_eq!(before.file_offset(i), text.find("{{"));
    // Escapes: no line mapping, errors point at the whole value.
    let after = a.advice.after.as_ref().unwrap();
    assert_eq!(after.text, "a\tb()");
    assert!(after.line_starts.is_empty());
    assert_eq!(&text[after.file_span(1..2).range], "\"a\\tb()\"");
    let Some(RawPointcut::Sig(target)) = &a.pointcut else {
        panic!()
    };
    assert_eq!(&text[target.span.range.clone()], "func.*Context");
}

#[test]
fn dsl_body_offsets_map_to_the_file() {
    let text = "aspect t {\n  pointcut within(\"x/...\")\n  before {\n        ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\n            defer span.End()\n  }\n  append-args { a(1, 2),\n     b }\n}\n";
    let (_, raw, diags) = load_text("t.aspect", text);
    assert!(diags.is_empty(), "{diags:?}");
    let before = raw.aspects[0].advice.before.as_ref().unwrap();
    assert_eq!(
        before.text,
        "ctx, span := tracer.Start(ctx, \"{{.FuncName}}\")\n    defer span.End()"
    );
    for token in ["{{.FuncName}}", "span.End", "ctx,", "defer"] {
        let in_text = before.text.find(token).unwrap();
        assert_eq!(before.file_offset(in_text), text.find(token), "{token}");
    }
    let args = &raw.aspects[0].advice.append_args;
    assert_eq!(
        args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
        ["a(1, 2)", "b"]
    );
    assert_eq!(args[1].file_offset(0), text.find("b }"));
    assert_eq!(args[0].file_offset(2), text.find("1, 2"));
}

#[test]
fn dsl_and_yaml_lower_to_the_same_pointcut() {
    let dsl = "aspect t { pointcut execution(func *(ctx context.Context, ..) (.., err error)) && within(\"example.com/shop/...\") }";
    let yaml = "aspects:\n  - name: t\n    pointcut: execution(func *(ctx context.Context, ..) (.., err error)) && within(\"example.com/shop/...\")\n";
    let (_, d, e1) = load_text("t.aspect", dsl);
    let (_, y, e2) = load_text("t.yaml", yaml);
    assert!(e1.is_empty() && e2.is_empty());
    let strip = |a: &RawAspect| {
        format!(
            "{:?} {:?} {:?}",
            pc_values(a.pointcut.as_ref().unwrap()),
            values(&a.requires),
            values(&a.results)
        )
    };
    assert_eq!(strip(&d.aspects[0]), strip(&y.aspects[0]));
    assert_eq!(
        values(&d.aspects[0].requires),
        vec![("ctx".to_string(), "context.Context".to_string())]
    );
    assert_eq!(
        values(&d.aspects[0].results),
        vec![("err".to_string(), "error".to_string())]
    );
}

fn values(p: &[(Spanned<String>, Spanned<String>)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.value.clone(), b.value.clone()))
        .collect()
}

fn pc_values(pc: &RawPointcut) -> String {
    match pc {
        RawPointcut::Sig(v) => format!("Sig({})", v.value),
        RawPointcut::Within(v) => format!("Within({})", v.value),
        RawPointcut::Call(v) => format!("Call({})", v.value),
        RawPointcut::Ref(v) => format!("Ref({})", v.value),
        RawPointcut::AsValue(_) => "AsValue".to_string(),
        RawPointcut::And(ps) | RawPointcut::Or(ps) => format!(
            "{}({})",
            if matches!(pc, RawPointcut::And(_)) {
                "And"
            } else {
                "Or"
            },
            ps.iter().map(pc_values).collect::<Vec<_>>().join(", ")
        ),
        RawPointcut::Not(a) => format!("Not({})", pc_values(a)),
    }
}

#[test]
fn parse_pointcut_spans() {
    let file_text = "xx: within(\"a/...\") && call(net/http.Get)";
    let start = 4;
    let text = &file_text[start..];
    let (pc, bindings) = load::parse_pointcut(text, Span::new(0, start..file_text.len())).unwrap();
    assert!(bindings.requires.is_empty());
    let RawPointcut::And(parts) = pc else {
        panic!()
    };
    let [RawPointcut::Within(w), RawPointcut::Call(c)] = &parts[..] else {
        panic!()
    };
    assert_eq!(&file_text[w.span.range.clone()], "a/...");
    assert_eq!(&file_text[c.span.range.clone()], "net/http.Get");
    // Not verbatim: everything points at the whole value.
    let err = load::parse_pointcut("within(", Span::new(0, 0..20)).unwrap_err();
    assert_eq!(err.code, "E0105");
    assert_eq!(err.primary.span.range, 0..20);
    let err = load::parse_pointcut("execution(func (..)", Span::new(0, 3..22)).unwrap_err();
    assert_eq!(err.code, "E0105");
    let err = load::parse_pointcut("execution(*(..))", Span::new(0, 3..19)).unwrap_err();
    assert_eq!(err.code, "E0107");
    assert_eq!(err.primary.span.range, 13..18);
}

#[test]
fn empty_and_odd_files() {
    for (name, text) in [
        ("e.yaml", ""),
        ("e.yaml", "# only a comment\n"),
        ("e.yaml", "aspects:\n"),
        ("e.yaml", "aspects: []\nuse: []\n"),
        ("e.aspect", ""),
        ("e.aspect", "// nothing\n"),
        ("e.aspect", "\u{FEFF}aspect a { }"),
    ] {
        let (_, raw, diags) = load_text(name, text);
        assert!(diags.is_empty(), "{text:?}: {diags:?}");
        assert!(raw.aspects.len() <= 1);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "aspect a {{ pointcut {}within(\"x\"){} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let (_, _, diags) = load_text("d.aspect", &deep);
    assert_eq!(diags[0].code, "E0111");
    let nots = format!("aspect a {{ pointcut {}within(\"x\") }}", "!".repeat(300));
    let (_, _, diags) = load_text("d.aspect", &nots);
    assert_eq!(diags[0].code, "E0111");
    let body = format!(
        "aspect a {{ before {{ {}{} }} }}",
        "{".repeat(5000),
        "}".repeat(5000)
    );
    let _ = load_text("d.aspect", &body);
    let yaml = format!("aspects: {}{}", "[".repeat(5000), "]".repeat(5000));
    let (_, _, diags) = load_text("d.yaml", &yaml);
    assert_eq!(diags[0].code, "E0101");
}

// -------------------------------------------------------------- fuzzing

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Replace(usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(b"{}()[]\"'`|>:-,\n\t *&!.\\#/".to_vec());
    prop_oneof![
        (any::<usize>(), 1..8usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (
            any::<usize>(),
            prop::collection::vec(prop_oneof![interesting.clone(), any::<u8>()], 1..6)
        )
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), interesting).prop_map(|(a, b)| Mutation::Replace(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in muts {
        let len = b.len().max(1);
        match m {
            Mutation::Delete(a, n) => {
                let a = a % len;
                let end = (a + n).min(b.len());
                if a < end {
                    b.drain(a..end);
                }
            }
            Mutation::Insert(a, bytes) => {
                let a = (a % (b.len() + 1)).min(b.len());
                b.splice(a..a, bytes.iter().copied());
            }
            Mutation::Replace(a, c) => {
                if !b.is_empty() {
                    let a = a % b.len();
                    b[a] = *c;
                }
            }
            Mutation::Truncate(a) => b.truncate(a % len),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn corpus() -> Vec<(String, String)> {
    fixtures("ok")
        .into_iter()
        .chain(fixtures("bad"))
        .map(|(_, name, text)| (name, text))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn load_never_panics(pick in any::<prop::sample::Index>(), muts in prop::collection::vec(mutation(), 1..5)) {
        let corpus = corpus();
        let (name, text) = &corpus[pick.index(corpus.len())];
        let mutated = apply(text, &muts);
        let (sources, raw, diags) = load_text(name, &mutated);
        check_spans(&mutated, &raw);
        for d in &diags {
            prop_assert!(d.help.is_some());
            prop_assert!(d.primary.span.range.start <= d.primary.span.range.end);
            prop_assert!(d.primary.span.range.end <= mutated.len());
        }
        let _ = render::human(&sources, &diags, false);
    }
}

#[test]
fn yaml_aliases_point_at_the_definition() {
    let text = "aspects:\n  - &a {name: ab, target: 'func x'}\n  - *a\n  - name: c\n    target: &t \"func y\"\n    before: *t\n";
    let (_, raw, diags) = load_text("a.yaml", text);
    assert!(diags.is_empty());
    check_spans(text, &raw);
    let [first, aliased, c] = &raw.aspects[..] else {
        panic!()
    };
    // The aliased aspect is declared at `*a`, its values are written at `&a`.
    assert_eq!(&text[aliased.span.range.clone()], "*a");
    assert_eq!(aliased.name.span, first.name.span);
    assert_eq!(&text[aliased.name.span.range.clone()], "ab");
    let before = c.advice.before.as_ref().unwrap();
    assert_eq!(before.file_offset(0), text.find("func y"));
}

#[test]
fn yaml_with_a_byte_order_mark() {
    let text = "\u{FEFF}aspects:\n  - name: x\n    target: y\n    before: |\n      a()\n";
    let (_, raw, diags) = load_text("b.yaml", text);
    assert!(diags.is_empty());
    check_spans(text, &raw);
    assert_eq!(&text[raw.aspects[0].name.span.range.clone()], "x");
    assert_eq!(
        raw.aspects[0]
            .advice
            .before
            .as_ref()
            .unwrap()
            .file_offset(0),
        text.find("a()")
    );
}

#[test]
fn bundled_files_load_cleanly() {
    for f in goaop::bundled::BASE
        .iter()
        .chain(goaop::bundled::INTEGRATIONS)
    {
        let (_, raw, diags) = load_text(f.path, f.text);
        assert!(diags.is_empty(), "{}: {diags:?}", f.path);
        assert!(!raw.aspects.is_empty(), "{}", f.path);
        check_spans(f.text, &raw);
    }
}
