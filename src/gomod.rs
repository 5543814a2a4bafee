//! Just enough of go.mod / go.work to tell which modules a build can import
//! from: the main module, its `require`s and the workspace's modules.
//!
//! goaop injects imports the user's code never wrote (otelhttp, otelsql…);
//! when go.mod lacks the module that provides one, the build would fail deep
//! inside a nested `go list` with an error about code the user cannot see.
//! Checking up front lets the error point at the aspect and name the
//! `go get` to run.

use std::path::Path;

/// The modules a build in one main module can import packages from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleGraph {
    /// The main module and, in a workspace, every `use`d module.
    pub main: Vec<String>,
    /// `require`d module paths with their versions.
    pub requires: Vec<(String, String)>,
}

impl ModuleGraph {
    /// Read `root/go.mod` and, when one governs `root`, the go.work above it
    /// (GOWORK=off is honoured).
    pub fn read(root: &Path) -> Option<ModuleGraph> {
        let text = std::fs::read_to_string(root.join("go.mod")).ok()?;
        let mut graph = ModuleGraph::default();
        graph.add_gomod(&text);
        if let Some(work) = find_gowork(root) {
            graph.add_gowork(&work);
        }
        Some(graph)
    }

    /// Add the `module` and `require`s of one go.mod text.
    pub fn add_gomod(&mut self, text: &str) {
        for (verb, args) in directives(text) {
            match verb {
                "module" if !args.is_empty() => self.main.push(args[0].to_string()),
                "require" if args.len() >= 2 => self
                    .requires
                    .push((args[0].to_string(), args[1].to_string())),
                _ => {}
            }
        }
    }

    fn add_gowork(&mut self, work: &Path) {
        let Ok(text) = std::fs::read_to_string(work) else {
            return;
        };
        let dir = work.parent().unwrap_or(Path::new("."));
        for (verb, args) in directives(&text) {
            if verb == "use"
                && let Some(d) = args.first()
                && let Ok(m) = std::fs::read_to_string(dir.join(d).join("go.mod"))
            {
                let mut sub = ModuleGraph::default();
                sub.add_gomod(&m);
                self.main.extend(sub.main);
                self.requires.extend(sub.requires);
            }
        }
    }

    /// The module that provides `package`, if any (the longest matching
    /// path); `None` also for the standard library, see [`is_std`].
    pub fn provider(&self, package: &str) -> Option<&str> {
        self.main
            .iter()
            .map(String::as_str)
            .chain(self.requires.iter().map(|(p, _)| p.as_str()))
            .filter(|m| within(package, m))
            .max_by_key(|m| m.len())
    }
}

/// `package` is `module` or inside it.
pub fn within(package: &str, module: &str) -> bool {
    package == module
        || package
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Standard-library packages have no dot in their first path element.
pub fn is_std(package: &str) -> bool {
    !package.split('/').next().unwrap_or("").contains('.')
}

/// The go.work governing `root`: `$GOWORK` when set (`off` disables), else
/// the nearest go.work upwards.
fn find_gowork(root: &Path) -> Option<std::path::PathBuf> {
    match std::env::var("GOWORK") {
        Ok(v) if v == "off" => return None,
        Ok(v) if !v.is_empty() => return Some(v.into()),
        _ => {}
    }
    root.ancestors()
        .map(|d| d.join("go.work"))
        .find(|p| p.is_file())
}

/// The directives of a go.mod/go.work text as (verb, arguments), blocks
/// `require ( … )` flattened, comments and quotes removed.
fn directives(text: &str) -> Vec<(&str, Vec<&str>)> {
    let mut out = Vec::new();
    let mut block: Option<&str> = None;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line
            .split_whitespace()
            .map(|w| w.trim_matches('"'))
            .collect();
        match (block, words.as_slice()) {
            (Some(_), [")"]) => block = None,
            (Some(verb), args) => out.push((verb, args.to_vec())),
            (None, [verb, "("]) => block = Some(verb),
            (None, [verb, args @ ..]) => out.push((*verb, args.to_vec())),
            (None, []) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_blocks_single_lines_and_comments() {
        let mut g = ModuleGraph::default();
        g.add_gomod(
            "module example.com/shop // the shop\n\ngo 1.24\n\nrequire golang.org/x/sync v0.10.0\nrequire (\n\t\"github.com/XSAM/otelsql\" v0.44.0 // indirect\n\tgo.opentelemetry.io/otel v1.47.0\n)\nreplace go.opentelemetry.io/otel => ../otel\n",
        );
        assert_eq!(g.main, ["example.com/shop"]);
        assert_eq!(
            g.requires,
            [
                ("golang.org/x/sync".into(), "v0.10.0".into()),
                ("github.com/XSAM/otelsql".into(), "v0.44.0".into()),
                ("go.opentelemetry.io/otel".into(), "v1.47.0".into()),
            ]
        );
        assert_eq!(
            g.provider("go.opentelemetry.io/otel/sdk/trace"),
            Some("go.opentelemetry.io/otel")
        );
        assert_eq!(g.provider("go.opentelemetry.io/otelx"), None);
        assert_eq!(
            g.provider("example.com/shop/internal/db"),
            Some("example.com/shop")
        );
        assert!(is_std("net/http") && !is_std("golang.org/x/sync/errgroup"));
    }

    #[test]
    fn the_longest_module_wins() {
        let mut g = ModuleGraph::default();
        g.add_gomod("module m\nrequire (\n go.opentelemetry.io/otel v1.47.0\n go.opentelemetry.io/otel/sdk v1.47.0\n)\n");
        assert_eq!(
            g.provider("go.opentelemetry.io/otel/sdk/trace"),
            Some("go.opentelemetry.io/otel/sdk")
        );
    }
}
