//! `goaop init [--use otel,net/http,…]`: make a module ready for the bundled
//! integrations in one step (`--use example.com/acme/pack` adds an aspect
//! pack to `use:`, and names the `go get` when go.mod lacks it). It writes (or extends) aspects.yaml's `use:`,
//! runs `go get` for the packages the chosen integrations inject (at the
//! versions goaop was tested with, or older ones that keep the module's `go`
//! line: see [`versions`]; modules go.mod already requires are left at their
//! version), and writes goaop.tools.go (build tag `tools`) importing those
//! packages so `go mod tidy` keeps them.
//!
//! Planning ([`plan`]) is pure and tested on its own; [`run`] resolves the
//! versions (before anything is written) and carries the plan out.

mod versions;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::buildset::golist;
use crate::bundled::{self, BundledFile};
use crate::check;
use crate::diag::Sources;
use crate::gomod::LangVersion;
use crate::gomod::{ModuleGraph, is_std, within};
use crate::load;
use crate::packs;
use crate::project::{self, ASPECT_FILE_NAMES};
pub use versions::{Allow, GoGet};

/// The generated tools file.
pub const TOOLS_FILE: &str = "goaop.tools.go";

pub struct InitArgs {
    /// Integrations to enable; empty: `otel` plus those the module's
    /// packages import (net/http, database/sql, grpc).
    pub uses: Vec<String>,
    /// What init may change besides adding modules (`--allow-go-upgrade`,
    /// `--allow-upgrades`).
    pub allow: versions::Allow,
}

/// What `init` will do in a module.
#[derive(Debug, PartialEq, Eq)]
pub struct InitPlan {
    pub uses: Vec<String>,
    /// The aspect file and its new text; `None` when it already has them.
    pub aspects: Option<(PathBuf, String)>,
    pub tools: (PathBuf, String),
    /// Packages `go get` must add (empty: nothing missing).
    pub go_get: Vec<GoGet>,
}

pub fn run(args: &InitArgs, cwd: &Path) -> Outcome {
    let Some(module) = project::find_module(cwd) else {
        return Outcome::usage(format!(
            "no go.mod in {} or above; run `go mod init <module path>` first",
            cwd.display()
        ));
    };
    let uses = if args.uses.is_empty() {
        match detect(&module.root) {
            Ok(u) => u,
            Err(e) => return Outcome::usage(e),
        }
    } else {
        args.uses.clone()
    };
    let graph = ModuleGraph::read(&module.root).unwrap_or_default();
    let plan = match plan(&module.root, &uses, &graph) {
        Ok(p) => p,
        Err(e) => return Outcome::usage(e),
    };
    // Versions first: a `go` line that would change stops init before it
    // writes anything.
    let rehearsed = if plan.go_get.is_empty() {
        None
    } else {
        match versions::resolve(&module.root, &plan.go_get, args.allow) {
            Ok(r) => Some(r),
            Err(stderr) => {
                return Outcome {
                    stderr,
                    code: 1,
                    ..Default::default()
                };
            }
        }
    };
    let mut outcome = execute(&plan, rehearsed.as_ref(), &module.root);
    // Aspect packs are versioned by go.mod like any dependency: init names
    // the `go get` and leaves the choice of version to the user.
    for p in plan.uses.iter().filter(|u| packs::is_pack_path(u)) {
        if graph.provider(p).is_none() {
            outcome.stdout.push_str(&format!(
                "aspect pack {p} is not in go.mod yet: run `go get {p}@latest`\n"
            ));
        }
    }
    outcome
}

/// The integrations to enable: `otel`, plus each whose package the module
/// imports.
fn detect(root: &Path) -> Result<Vec<String>, String> {
    let packages = golist::list(root, &["./...".to_string()])?;
    let imported: BTreeSet<&str> = packages
        .iter()
        .flat_map(|p| p.imports.iter().map(String::as_str))
        .collect();
    Ok(bundled::INTEGRATIONS
        .iter()
        .filter(|f| {
            f.when_imported
                .is_none_or(|ps| ps.iter().any(|p| imported.contains(p)))
        })
        .map(|f| f.name.to_string())
        .collect())
}

/// Decide the file contents and `go get` arguments.
pub fn plan(root: &Path, uses: &[String], graph: &ModuleGraph) -> Result<InitPlan, String> {
    let mut files: Vec<&BundledFile> = Vec::new();
    let mut in_order: Vec<String> = Vec::new();
    for name in uses {
        if packs::is_pack_path(name) {
            // An aspect pack (a Go package path): only added to `use:`.
            if !in_order.contains(name) {
                in_order.push(name.clone());
            }
            continue;
        }
        let f = bundled::integration(name).ok_or_else(|| {
            let all: Vec<&str> = bundled::INTEGRATIONS.iter().map(|f| f.name).collect();
            format!(
                "unknown integration `{name}`; bundled: {} (an aspect pack is named by its Go package path, e.g. example.com/acme/goaop-kafka)",
                all.join(", ")
            )
        })?;
        if !files.iter().any(|g| g.name == f.name) {
            files.push(f);
            in_order.push(f.name.to_string());
        }
    }
    let uses = in_order;

    let existing = ASPECT_FILE_NAMES
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file());
    let aspects = match &existing {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            add_uses(&text, &uses).map(|t| (path.clone(), t))
        }
        None => Some((root.join(ASPECT_FILE_NAMES[0]), new_aspects_file(&uses))),
    };

    // The packages the integrations' advice imports, each at its module's
    // tested version.
    let mut packages: BTreeSet<(String, &'static str)> = BTreeSet::new();
    for f in &files {
        for path in injected_packages(f) {
            let module = f
                .modules
                .iter()
                .filter(|m| within(&path, m.path))
                .max_by_key(|m| m.path.len())
                .ok_or_else(|| {
                    format!(
                        "bundled `{}` imports {path} from no module it declares",
                        f.name
                    )
                })?;
            packages.insert((path, module.path));
        }
    }
    let go_get = packages
        .iter()
        .filter(|(_, m)| !graph.has_module(m))
        .map(|(p, m)| GoGet {
            package: p.clone(),
            module: m,
            tested: bundled::tested_version(m).unwrap_or("latest"),
        })
        .collect();
    let package_name = root_package_name(root).unwrap_or_else(|| "tools".to_string());
    let tools = tools_file(&package_name, packages.iter().map(|(p, _)| p.as_str()));
    Ok(InitPlan {
        uses,
        aspects,
        tools: (root.join(TOOLS_FILE), tools),
        go_get,
    })
}

/// The non-standard packages a bundled file's advice imports.
pub fn injected_packages(file: &BundledFile) -> BTreeSet<String> {
    check::check_bundled(file)
        .aspects
        .iter()
        .flat_map(|a| a.imports.iter().map(|i| i.path.clone()))
        .filter(|p| !is_std(p))
        .collect()
}

fn new_aspects_file(uses: &[String]) -> String {
    format!(
        "{}\
         # Aspects woven into this module by `go build -toolexec=goaop ./...`.\n\
         # `goaop check` validates this file, `goaop plan ./...` shows what is woven where,\n\
         # `goaop check --list-bundled` lists the bundled integrations.\n\
         {}",
        crate::load::yaml::schema::modeline(),
        use_line(uses)
    )
}

/// `use: [a, b]` and a newline.
fn use_line(names: &[impl AsRef<str>]) -> String {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    format!("use: [{}]\n", names.join(", "))
}

/// The aspect file with `uses` added to its `use:` list (kept in its own
/// style: flow `[a, b]` or block `- a`); `None` when nothing is missing.
fn add_uses(text: &str, uses: &[String]) -> Option<String> {
    let mut sources = Sources::new();
    let id = sources.add("aspects.yaml", text);
    let (raw, _) = load::load(&sources, id);
    let missing: Vec<&String> = uses
        .iter()
        .filter(|u| !raw.uses.iter().any(|r| &r.value == *u))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let Some(last) = raw.uses.last() else {
        // No `use:` yet: put it first, after a leading comment block and
        // `---` marker.
        let line = use_line(&missing);
        let at = leading_comment_end(text);
        return Some(format!("{}{line}{}", &text[..at], &text[at..]));
    };
    let first = &raw.uses[0].span.range;
    let before = text[..first.start].trim_end_matches([' ', '\t', '"', '\'']);
    let end = quoted_end(text, last.span.range.end);
    let insert = if before.ends_with('-') {
        // Block style: one `- name` line per integration, same indentation.
        let line_start = text[..first.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..first.start];
        let indent = indent
            .trim_end_matches([' ', '"', '\''])
            .trim_end_matches('-');
        missing
            .iter()
            .map(|m| format!("\n{indent}- {m}"))
            .collect::<String>()
    } else {
        missing.iter().map(|m| format!(", {m}")).collect::<String>()
    };
    Some(format!("{}{insert}{}", &text[..end], &text[end..]))
}

/// The end of a scalar, past its closing quote if it is quoted.
fn quoted_end(text: &str, end: usize) -> usize {
    match text[end..].chars().next() {
        Some(q @ ('"' | '\'')) => end + q.len_utf8(),
        _ => end,
    }
}

fn leading_comment_end(text: &str) -> usize {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') || t == "---" || t.is_empty() {
            at += line.len();
        } else {
            break;
        }
    }
    at
}

/// The package name of the Go files at the module root, if any.
fn root_package_name(root: &Path) -> Option<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".go") && !n.ends_with("_test.go") && n != TOOLS_FILE
        })
        .collect();
    names.sort();
    names.iter().find_map(|p| {
        let text = std::fs::read_to_string(p).ok()?;
        let scanned = crate::scan::scan(text.as_bytes());
        scanned
            .package_range
            .and_then(|r| text[r].split_whitespace().last().map(str::to_string))
    })
}

fn tools_file<'a>(package: &str, packages: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from(
        "// Code generated by goaop init. DO NOT EDIT.\n\n\
         //go:build tools\n\n\
         // The packages goaop's bundled integrations weave into this module's\n\
         // build. Importing them here (never compiled: build tag `tools`) keeps\n\
         // them in go.mod through `go mod tidy`.\n\n",
    );
    out.push_str(&format!("package {package}\n\nimport (\n"));
    for p in packages {
        out.push_str(&format!("\t_ \"{p}\"\n"));
    }
    out.push_str(")\n");
    out
}

/// Write the files and install the rehearsed go.mod and go.sum.
fn execute(plan: &InitPlan, rehearsed: Option<&versions::Rehearsed>, root: &Path) -> Outcome {
    let mut report = String::new();
    if let Some((path, text)) = &plan.aspects {
        // Atomically: a symlink at the path is replaced, never written through.
        if let Err(e) = crate::project::write_atomically(path, text.as_bytes()) {
            return Outcome::usage(format!("cannot write {}: {e}", path.display()));
        }
        report.push_str(&format!(
            "wrote {} (use: [{}])\n",
            rel(path, root),
            plan.uses.join(", ")
        ));
    } else {
        report.push_str(&format!("aspects already use [{}]\n", plan.uses.join(", ")));
    }
    let (tools_path, tools) = &plan.tools;
    if let Err(e) = crate::project::write_atomically(tools_path, tools.as_bytes()) {
        return Outcome::usage(format!("cannot write {}: {e}", tools_path.display()));
    }
    report.push_str(&format!("wrote {}\n", rel(tools_path, root)));
    match rehearsed {
        None => report.push_str("go.mod already requires every module the integrations need\n"),
        Some(r) => {
            if let Err(e) = r.install(root) {
                return Outcome {
                    stdout: report,
                    stderr: format!("goaop init: {e}\n"),
                    code: 1,
                };
            }
            report.push_str(&format!("ran go get {}\n", r.args.join(" ")));
            for n in &r.notes {
                report.push_str(&format!("  {n}\n"));
            }
            report.push_str(&go_line_report(
                r.go_before.as_deref(),
                r.go_after.as_deref(),
            ));
            if !r.upgrades.is_empty() {
                report.push_str(
                    "go.mod: modules it already required were upgraded (--allow-upgrades):\n",
                );
                for u in &r.upgrades {
                    report.push_str(&format!("  - {u}\n"));
                }
            }
        }
    }
    report.push_str(
        "next: go build -toolexec=goaop ./...   (goaop plan ./... shows what is woven)\n",
    );
    Outcome {
        stdout: report,
        ..Default::default()
    }
}

/// What became of the `go` line (only a raise allowed by
/// `--allow-go-upgrade` changes the language version).
fn go_line_report(before: Option<&str>, after: Option<&str>) -> String {
    if before == after {
        return String::new();
    }
    let lang = |v: Option<&str>| {
        v.and_then(LangVersion::parse)
            .unwrap_or(LangVersion::DEFAULT)
    };
    let (from, to) = (before.unwrap_or("(none)"), after.unwrap_or("(none)"));
    if lang(before) == lang(after) {
        return format!(
            "go.mod: `go {from}` is now written `go {to}` (the same language version)\n"
        );
    }
    let mut out =
        format!("go.mod: the `go` line was raised from {from} to {to} (--allow-go-upgrade):\n");
    for c in versions::changes(lang(before), lang(after)) {
        out.push_str(&format!("  - {c}\n"));
    }
    out
}

fn rel(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn extends_a_flow_list() {
        let text = "use: [otel]\naspects: []\n";
        assert_eq!(
            add_uses(text, &uses(&["otel", "grpc", "net/http"])).as_deref(),
            Some("use: [otel, grpc, net/http]\naspects: []\n")
        );
    }

    #[test]
    fn extends_a_block_list_with_its_indentation() {
        let text = "use:\n  - \"otel\"\naspects: []\n";
        assert_eq!(
            add_uses(text, &uses(&["otel", "grpc"])).as_deref(),
            Some("use:\n  - \"otel\"\n  - grpc\naspects: []\n")
        );
    }

    #[test]
    fn adds_a_use_line_after_the_leading_comments() {
        let text = "# mine\n---\naspects:\n  - { name: tracing, target: \"func.*Context\" }\n";
        assert_eq!(
            add_uses(text, &uses(&["otel"])).as_deref(),
            Some(
                "# mine\n---\nuse: [otel]\naspects:\n  - { name: tracing, target: \"func.*Context\" }\n"
            )
        );
    }

    #[test]
    fn nothing_to_add() {
        assert_eq!(add_uses("use: [otel, grpc]\n", &uses(&["grpc"])), None);
    }

    #[test]
    fn the_extended_file_still_checks_clean() {
        let text = add_uses(
            "use:\n  - otel\n",
            &uses(&["net/http", "database/sql", "grpc"]),
        )
        .unwrap();
        let mut sources = Sources::new();
        let id = sources.add("aspects.yaml", text);
        let out = check::check_files(&mut sources, &[id]);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.uses.len(), 4);
    }

    #[test]
    fn every_injected_package_comes_from_a_declared_module() {
        for f in bundled::INTEGRATIONS {
            let packages = injected_packages(f);
            assert!(!packages.is_empty(), "{} injects nothing", f.name);
            for p in packages {
                assert!(
                    f.modules.iter().any(|m| within(&p, m.path)),
                    "{}: {p} is in none of its modules",
                    f.name
                );
            }
        }
    }

    #[test]
    fn plans_go_get_only_for_modules_not_required() {
        let dir = std::env::temp_dir().join(format!("goaop-init-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.go"), "// hi\npackage server\n").unwrap();
        let mut graph = ModuleGraph::default();
        graph.add_gomod("module example.com/s\nrequire go.opentelemetry.io/otel v1.40.0\n");
        let plan = plan(&dir, &uses(&["grpc", "otel", "grpc"]), &graph).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(plan.uses, ["grpc", "otel"]);
        let (path, text) = plan.aspects.unwrap();
        assert!(path.ends_with("aspects.yaml"));
        assert!(text.ends_with("use: [grpc, otel]\n"), "{text}");
        // otel is required (at the user's own version): not fetched again.
        let go_get: Vec<String> = plan
            .go_get
            .iter()
            .map(|g| format!("{}@{}", g.package, g.tested))
            .collect();
        assert_eq!(
            go_get,
            [
                "go.opentelemetry.io/contrib/exporters/autoexport@v0.72.0",
                "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc@v0.72.0",
                "go.opentelemetry.io/contrib/instrumentation/runtime@v0.72.0",
                "go.opentelemetry.io/otel/sdk/metric@v1.47.0",
                "go.opentelemetry.io/otel/sdk/trace@v1.47.0",
                "google.golang.org/grpc@v1.85.0",
            ]
        );
        assert!(plan.tools.1.contains("//go:build tools\n"));
        assert!(plan.tools.1.contains("package server\n"));
        assert!(
            plan.tools
                .1
                .contains("\t_ \"go.opentelemetry.io/otel/propagation\"\n")
        );
    }

    #[test]
    fn a_pack_path_is_added_to_use_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("goaop-init-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("aspects.yaml"), "use: [otel]\naspects: []\n").unwrap();
        let mut graph = ModuleGraph::default();
        graph.add_gomod("module example.com/s\n");
        let plan = plan(&dir, &uses(&["example.com/acme/goaop-kafka"]), &graph).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(plan.uses, ["example.com/acme/goaop-kafka"]);
        let (_, text) = plan.aspects.unwrap();
        assert_eq!(
            text,
            "use: [otel, example.com/acme/goaop-kafka]\naspects: []\n"
        );
        assert!(plan.go_get.is_empty());
    }

    #[test]
    fn a_root_without_go_files_gets_package_tools() {
        let dir = std::env::temp_dir().join(format!("goaop-init-tools-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("cmd/api")).unwrap();
        std::fs::write(dir.join("cmd/api/main.go"), "package main\n").unwrap();
        std::fs::write(dir.join("main_test.go"), "package other_test\n").unwrap();
        let plan = plan(&dir, &uses(&["otel"]), &ModuleGraph::default()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            plan.tools.1.contains("\npackage tools\n"),
            "{}",
            plan.tools.1
        );
    }
}
