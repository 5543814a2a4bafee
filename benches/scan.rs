//! Scan throughput over real Go code (a deterministic sample of GOROOT/src,
//! loaded into memory first): raw tree-sitter parsing vs parse + scan, the
//! scan's own work over already parsed trees, and for reference a bare
//! tree-cursor walk visiting every node (what a naive single walk costs).
//! The scan's work on top of parsing should stay under 25% of the parse
//! time.
//!
//! `GOAOP_BENCH_MB` sets the sample size in MB (default 4).

#[path = "corpus.rs"]
mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use goaop::scan::Scanner;
use std::hint::black_box;

/// Every k-th .go file of GOROOT/src (sorted), about `mb` megabytes.
fn sample(mb: usize) -> Vec<Vec<u8>> {
    corpus::sample(mb)
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect()
}

fn bench(c: &mut Criterion) {
    let files = sample(corpus::sample_mb());
    let bytes: usize = files.iter().map(Vec::len).sum();
    let mut scanner = Scanner::new();
    let trees: Vec<_> = files
        .iter()
        .map(|f| scanner.parse(f).expect("tree"))
        .collect();

    let mut g = c.benchmark_group("scan");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("parse ({} files)", files.len()), |b| {
        b.iter(|| {
            for f in &files {
                black_box(scanner.parse(f));
            }
        })
    });
    g.bench_function(format!("parse+scan ({} files)", files.len()), |b| {
        b.iter(|| {
            for f in &files {
                black_box(scanner.scan(f));
            }
        })
    });
    g.bench_function(
        format!("scan of parsed trees ({} files)", files.len()),
        |b| {
            b.iter(|| {
                for (f, t) in files.iter().zip(&trees) {
                    black_box(scanner.scan_tree(t, f));
                }
            })
        },
    );
    g.bench_function(
        format!("bare cursor walk, reference ({} files)", files.len()),
        |b| {
            b.iter(|| {
                for t in &trees {
                    black_box(visit_all(t));
                }
            })
        },
    );
    g.finish();
}

/// Visit every node of `tree` with a cursor (sum of kind ids, so the visit
/// is not optimised away).
fn visit_all(tree: &tree_sitter::Tree) -> u64 {
    let mut cursor = tree.walk();
    let mut sum = 0u64;
    loop {
        sum += u64::from(cursor.node().kind_id());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return sum;
            }
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
