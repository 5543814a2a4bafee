//! The bundled integrations (stdlib-aspects/) on one fixture each:
//! tests/integrations/<case>/{aspects.yaml (`use: [...]`), input.go} → a
//! snapshot of the woven source and of every decision. Every woven file
//! re-parses, weaves deterministically, and type-checks (`go vet`) against the
//! REAL OpenTelemetry modules, at the versions example/orders pins. A case
//! whose integration advises a library itself names that package in a
//! `package` file (input.go then stands in for the library's file).

mod common;

use std::path::PathBuf;

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
    let scratch = common::scratch::Scratch::new("integrations");
    let module = scratch.join("module");
    let mut failures = Vec::new();
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

        // Type-check in a module with example/orders' requirements, or
        // tests/integrations_e2e's for the libraries orders lacks.
        let requirements = if E2E.contains(&name.as_str()) {
            &e2e
        } else {
            &orders
        };
        let pkg = module.join("cmd/app");
        let _ = std::fs::remove_dir_all(&module);
        std::fs::create_dir_all(&pkg).unwrap();
        for f in ["go.mod", "go.sum"] {
            std::fs::copy(requirements.join(f), module.join(f)).unwrap();
        }
        std::fs::write(pkg.join("input.go"), &text).unwrap();
        let out = output(go(&module, &["vet", "./cmd/app"]));
        if !out.status.success() {
            failures.push(format!("{name}:\n{}\n{text}", text_of(&out)));
        }
    }
    let _ = std::fs::remove_dir_all(&module);
    assert!(
        failures.is_empty(),
        "go vet rejected woven code:\n{}",
        failures.join("\n")
    );
}

fn text_of(o: &std::process::Output) -> String {
    let (stdout, stderr) = text(o);
    format!("{stdout}{stderr}")
}
