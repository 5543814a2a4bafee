//! Weave throughput over real Go code: scan + match + weave of a sample of
//! GOROOT/src with the seed's aspects (typed tracing on every function with a
//! context.Context, logging on every exported function), next to raw
//! tree-sitter parsing of the same bytes.
//!
//! `GOAOP_BENCH_MB` sets the sample size in MB (default 4).

#[path = "corpus.rs"]
mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use goaop::check::check_files;
use goaop::compile::RuleSet;
use goaop::diag::Sources;
use goaop::weave::{PackageInfo, SourceFile, weave_package};
use std::hint::black_box;

const ASPECTS: &str = r#"
aspects:
  - name: tracing
    target: "func.*context\\.Context"
    requires: { ctx: context.Context }
    results: { err: error }
    before: |
      ctx, span := tracer.Start(ctx, "{{.FuncName}}")
      defer span.End()
    after: |
      if err != nil { span.RecordError(err) }
  - name: logging
    target: "func (\\([^)]*\\) )?[A-Z]"
    imports: { slog: log/slog }
    before: |
      slog.Info("enter", "func", "{{.QualifiedName}}")
"#;

fn bench(c: &mut Criterion) {
    let files: Vec<SourceFile> = corpus::sample(corpus::sample_mb())
        .into_iter()
        .filter_map(|(p, b)| {
            Some(SourceFile {
                name: p.display().to_string(),
                text: String::from_utf8(b).ok()?,
            })
        })
        .collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let mut sources = Sources::new();
    let id = sources.add("aspects.yaml", ASPECTS);
    let checked = check_files(&mut sources, &[id]);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let rules = RuleSet::build(&checked.aspects).expect("compiles");
    let view = rules.view().expect("loads");
    let info = PackageInfo {
        path: "std/sample",
        main_module: Some("std"),
    };

    let mut woven = 0;
    for f in &files {
        let w = weave_package(&view, &info, std::slice::from_ref(f)).unwrap();
        woven += w.decisions.iter().filter(|d| d.skipped.is_none()).count();
    }
    eprintln!(
        "sample: {} files, {:.1} MB, {woven} join points woven",
        files.len(),
        bytes as f64 / 1e6
    );

    let mut g = c.benchmark_group("weave");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("parse only (tree-sitter)", |b| {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_go::LANGUAGE.into())
            .unwrap();
        b.iter(|| {
            for f in &files {
                black_box(parser.parse(&f.text, None));
            }
        })
    });
    let signatures: Vec<String> = {
        let mut scanner = goaop::scan::Scanner::new();
        files
            .iter()
            .flat_map(|f| {
                scanner
                    .scan(f.text.as_bytes())
                    .funcs
                    .into_iter()
                    .map(|s| s.signature)
            })
            .collect()
    };
    eprintln!("{} signatures", signatures.len());
    g.bench_function("match only (all signatures of the sample)", |b| {
        let mut ids = Vec::new();
        b.iter(|| {
            let scope = view.packages(info.path, info.main_module).unwrap();
            for sig in &signatures {
                view.match_function(&scope, sig, &mut ids).unwrap();
                black_box(&ids);
            }
        })
    });
    g.bench_function("parse + scan + match", |b| {
        let mut scanner = goaop::scan::Scanner::new();
        let mut ids = Vec::new();
        b.iter(|| {
            let scope = view.packages(info.path, info.main_module).unwrap();
            for f in &files {
                let scan = scanner.scan(f.text.as_bytes());
                for site in &scan.funcs {
                    view.match_function(&scope, &site.signature, &mut ids)
                        .unwrap();
                    black_box(&ids);
                }
            }
        })
    });
    g.bench_function("parse + scan + match + weave", |b| {
        b.iter(|| {
            for f in &files {
                black_box(weave_package(&view, &info, std::slice::from_ref(f)).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
