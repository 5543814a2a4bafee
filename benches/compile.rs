//! Compile-stage benchmarks: rule-set build time by aspect count, load time
//! from bytes, and per-signature match time with 1 vs 10,000 aspects.
//!
//! `cargo bench --bench compile -- --measurement-time 3 --warm-up-time 1`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use goaop::check::{Advice, CheckedAspect, Idents, JoinKind, Origin, Pointcut, Segment, Template};
use goaop::compile::{AlignedBytes, RuleSet, RuleSetRef};
use std::hint::black_box;
use std::time::Duration;

/// A synthetic but realistic aspect: one of three target shapes, the YAML
/// default of "main module only", a two-line template.
fn aspect(i: usize) -> CheckedAspect {
    let target = match i % 3 {
        0 => format!(r"func .*Handler{i}\("),
        1 => format!(r"func \(\*Service{i}\) "),
        _ => format!(r"context\.Context.*Order{i}"),
    };
    let origin = Origin {
        file: "aspects.yaml".into(),
        line: 1 + 6 * i as u32,
    };
    CheckedAspect {
        name: format!("aspect{i}"),
        origin: origin.clone(),
        kind: JoinKind::Execution,
        pointcut: Pointcut::And(vec![Pointcut::Sig(target), Pointcut::MainModule]),
        requires: vec![],
        results: vec![],
        globals: vec!["tracer".into()],
        imports: vec![],
        vars: Default::default(),
        advice: Advice {
            before: Some(Template {
                segments: vec![
                    Segment::Lit("ctx, span := tracer.Start(ctx, \"".into()),
                    Segment::Hole("FuncName".into()),
                    Segment::Lit("\")\ndefer span.End()\n".into()),
                ],
                returns: vec![],
                is_call: false,
                origin,
                hoists: vec![],
                local_literal: false,
                body_results: None,
                ..Default::default()
            }),
            ..Advice::default()
        },
        idents: Idents {
            declared: vec!["span".into()],
            implicit: vec!["tracer".into(), "ctx".into()],
        },
        order: 0,
        tests: false,
    }
}

fn aspects(n: usize) -> Vec<CheckedAspect> {
    (0..n).map(aspect).collect()
}

const MAIN: Option<&str> = Some("example.com/shop");
const PKG: &str = "example.com/shop/api";
/// Signatures whose matches are the same whatever the number of aspects
/// (the first matches aspect 0 after verification, the others nothing),
/// so that `match/signature/N` measures the cost of the aspects that do
/// *not* match.
const SIGNATURES: &[&str] = &[
    "func Handler0(w net/http.ResponseWriter, r *net/http.Request)",
    "func (*OrderService) ProcessOrder(ctx context.Context, order Order) error",
    "func (*Cart) Checkout(ctx context.Context, items []example.com/shop/api.Item, pay *example.com/shop/payments.Card) (example.com/shop/api.Receipt, error)",
    "func main.func1()",
];

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(10);
    for n in [1usize, 100, 1_000, 10_000] {
        let input = aspects(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| RuleSet::build(black_box(input)).map(|s| s.to_bytes().len()))
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    for n in [1usize, 1_000, 10_000] {
        let set = RuleSet::build(&aspects(n)).expect("builds");
        let bytes = AlignedBytes::from_slice(set.to_bytes());
        g.bench_function(BenchmarkId::new("from_bytes", n), |b| {
            b.iter(|| RuleSetRef::from_bytes(black_box(&bytes)).map(|r| r.len()))
        });
        g.bench_function(BenchmarkId::new("from_bytes+packages", n), |b| {
            b.iter(|| {
                let rules = RuleSetRef::from_bytes(black_box(&bytes)).expect("loads");
                rules
                    .packages("golang.org/x/net/http2", MAIN)
                    .map(|s| s.is_empty())
            })
        });
        g.bench_function(BenchmarkId::new("from_bytes+first_match", n), |b| {
            b.iter(|| {
                let rules = RuleSetRef::from_bytes(black_box(&bytes)).expect("loads");
                let scope = rules.packages(PKG, MAIN).expect("scope");
                let mut out = Vec::new();
                rules
                    .match_function(&scope, SIGNATURES[0], &mut out)
                    .map(|_| out.len())
            })
        });
    }
    g.finish();
}

fn matching(c: &mut Criterion) {
    let mut g = c.benchmark_group("match");
    for n in [1usize, 100, 10_000] {
        let set = RuleSet::build(&aspects(n)).expect("builds");
        let rules = set.view().expect("view");
        let scope = rules.packages(PKG, MAIN).expect("scope");
        let mut out = Vec::new();
        for (i, sig) in SIGNATURES.iter().enumerate() {
            rules.match_function(&scope, sig, &mut out).expect("match");
            assert_eq!(out, if i == 0 { vec![0] } else { vec![] }, "{sig}");
        }
        for (name, sig) in ["hit", "miss", "long-miss", "short-miss"]
            .into_iter()
            .zip(SIGNATURES)
        {
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    rules
                        .match_function(&scope, black_box(sig), &mut out)
                        .expect("match");
                    out.len()
                })
            });
        }
        g.bench_function(BenchmarkId::new("packages", n), |b| {
            b.iter(|| {
                rules
                    .packages(black_box(PKG), MAIN)
                    .map(|s| s.has_functions())
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = build, load, matching
}
criterion_main!(benches);
