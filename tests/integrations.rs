//! The bundled integrations (stdlib-aspects/) on one fixture each:
//! tests/integrations/<case>/{aspects.yaml (`use: [...]`), input.go} → a
//! snapshot of the woven source and of every decision. Every woven file
//! re-parses, weaves deterministically, and type-checks (`go vet`) against the
//! REAL OpenTelemetry modules, at the versions example/orders pins. A case
//! whose integration advises a library itself names that package in a
//! `package` file (input.go then stands in for the library's file).

mod common;

use std::path::{Path, PathBuf};

use common::gobuild::{go, output, text};
use common::weaving::{case_dirs, has_syntax_errors, render, weave_case};

const PKG: &str = "example.com/orders/cmd/app";

/// Cases type-checked with tests/integrations_e2e's go.mod (the libraries
/// they instrument are not in example/orders).
const E2E: &[&str] = &[
    "aws",
    "chi",
    "echo",
    "gin",
    "go_redis",
    "gorilla_mux",
    "kafka_go",
    "mongo",
    "pgx",
    "slog",
];

/// The package a case is woven as: its `package` file, else [`PKG`].
fn package_of(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("package"))
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| PKG.to_string())
}

fn cases() -> Vec<PathBuf> {
    case_dirs("tests/integrations")
}

#[test]
fn every_integration_has_a_fixture() {
    let names: Vec<String> = cases()
        .iter()
        .map(|c| std::fs::read_to_string(c.join("aspects.yaml")).unwrap())
        .collect();
    for integration in goaop::bundled::INTEGRATIONS {
        assert!(
            names
                .iter()
                .any(|n| n.contains(&format!("use: [{}]", integration.name))),
            "no fixture uses `{}`",
            integration.name
        );
    }
}

#[test]
fn woven_integrations_match_snapshots_and_type_check() {
    let settings = common::snapshots("integrations");
    let orders = common::root().join("example/orders");
    let e2e = common::root().join("tests/integrations_e2e");
    // Woven code by the requirements it is type-checked with.
    let mut to_vet: Vec<(&Path, Vec<(String, String)>)> = vec![(&orders, vec![]), (&e2e, vec![])];
    for dir in cases() {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let pkg_path = package_of(&dir);
        let (_, woven) = weave_case(&dir, &pkg_path);
        let text = woven.files[0]
            .clone()
            .unwrap_or_else(|| panic!("{name}: the integration wove nothing"));
        assert!(!has_syntax_errors(&text), "{name}: does not parse:\n{text}");
        assert_eq!(
            woven.files,
            weave_case(&dir, &pkg_path).1.files,
            "{name}: not deterministic"
        );
        assert!(
            woven.decisions.iter().any(|d| d.skipped.is_none()),
            "{name}: no join point advised"
        );
        settings.bind(|| insta::assert_snapshot!(name.as_str(), render(&woven)));

        // Type-checked in a module with example/orders' requirements, or
        // tests/integrations_e2e's for the libraries orders lacks.
        to_vet[usize::from(E2E.contains(&name.as_str()))]
            .1
            .push((name, text));
    }
    // One module per set of requirements, a package per case, one go vet
    // for all of them (one at a time, the cases took 3 minutes).
    let scratch = common::scratch::Scratch::new("integrations");
    let mut failures = Vec::new();
    for (i, (requirements, woven)) in to_vet.iter().enumerate() {
        let module = scratch.join(format!("module{i}"));
        std::fs::create_dir_all(&module).unwrap();
        for f in ["go.mod", "go.sum"] {
            std::fs::copy(requirements.join(f), module.join(f)).unwrap();
        }
        for (name, text) in woven {
            let pkg = module.join("cmd").join(name);
            std::fs::create_dir_all(&pkg).unwrap();
            std::fs::write(pkg.join("input.go"), text).unwrap();
        }
        let out = output(go(&module, &["vet", "./cmd/..."]));
        if !out.status.success() {
            let texts: Vec<String> = woven.iter().map(|(n, t)| format!("--- {n}\n{t}")).collect();
            failures.push(format!("{}\n{}", text_of(&out), texts.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "go vet rejected woven code (cmd/<case>/input.go):\n{}",
        failures.join("\n")
    );
    assert_eq!(
        to_vet.iter().map(|(_, w)| w.len()).sum::<usize>(),
        cases().len(),
        "every case type-checked"
    );
}

fn text_of(o: &std::process::Output) -> String {
    let (stdout, stderr) = text(o);
    format!("{stdout}{stderr}")
}
