//! Just enough of go.mod / go.work to tell which modules a build can import
//! from: the main module, its `require`s and the workspace's modules.
//!
//! goaop injects imports the user's code never wrote (otelhttp, otelsql…);
//! when go.mod lacks the module that provides one, the build would fail deep
//! inside a nested `go list` with an error about code the user cannot see.
//! Checking up front lets the error point at the aspect and name the
//! `go get` to run.

use std::path::{Path, PathBuf};

/// The modules a build in one main module can import packages from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleGraph {
    /// The main module and, in a workspace, every `use`d module.
    pub main: Vec<String>,
    /// `require`d module paths with their versions.
    pub requires: Vec<(String, String)>,
    /// The module cache (`$GOMODCACHE`, else `$GOPATH/pkg/mod`), to tell a
    /// package of a required module from one of a nested module go.mod
    /// lacks.
    pub modcache: Option<PathBuf>,
    /// go.mod's `replace` directives, in order.
    pub replaces: Vec<Replace>,
}

/// One `replace` directive: `from [version] => to [version]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replace {
    pub from: String,
    /// Only this version of `from` is replaced (`None`: every version).
    pub from_version: Option<String>,
    /// A module path, or a directory (`./x`, `../x`, `/x`) relative to
    /// go.mod's.
    pub to: String,
    /// The replacement's version (`None` for a directory).
    pub to_version: Option<String>,
}

impl Replace {
    /// The replacement is a directory (go.mod's rule: it starts with `./`,
    /// `../` or `/`), not a module of the module cache.
    pub fn is_dir(&self) -> bool {
        self.to.starts_with("./")
            || self.to.starts_with("../")
            || self.to.starts_with('/')
            || self.to == "."
            || self.to == ".."
    }
}

impl ModuleGraph {
    /// Read `root/go.mod` and, when one governs `root`, the go.work above it
    /// (GOWORK=off is honoured).
    pub fn read(root: &Path) -> Option<ModuleGraph> {
        let text = std::fs::read_to_string(root.join("go.mod")).ok()?;
        let mut graph = ModuleGraph {
            modcache: modcache(),
            ..ModuleGraph::default()
        };
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
                "replace" => {
                    let Some(arrow) = args.iter().position(|a| *a == "=>") else {
                        continue;
                    };
                    let (from, to) = (&args[..arrow], &args[arrow + 1..]);
                    if let (Some(f), Some(t)) = (from.first(), to.first()) {
                        self.replaces.push(Replace {
                            from: f.to_string(),
                            from_version: from.get(1).map(|v| v.to_string()),
                            to: t.to_string(),
                            to_version: to.get(1).map(|v| v.to_string()),
                        });
                    }
                }
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

    /// The `replace` that applies to `module` at `version`, if any (a
    /// versioned one wins over one for every version, as in the go
    /// command).
    pub fn replacement(&self, module: &str, version: &str) -> Option<&Replace> {
        let exact = self
            .replaces
            .iter()
            .find(|r| r.from == module && r.from_version.as_deref() == Some(version));
        exact.or_else(|| {
            self.replaces
                .iter()
                .find(|r| r.from == module && r.from_version.is_none())
        })
    }

    /// `module` is the main module, a workspace module or required.
    pub fn has_module(&self, module: &str) -> bool {
        self.main.iter().any(|m| m == module) || self.requires.iter().any(|(m, _)| m == module)
    }

    /// The module that provides `package`, if any (the longest matching
    /// path); `None` also for the standard library, see [`is_std`].
    ///
    /// A required module whose downloaded copy lacks the package's directory
    /// does not provide it (it lives in a nested module go.mod does not
    /// require, like `go.opentelemetry.io/otel/sdk/trace` next to
    /// `go.opentelemetry.io/otel`); a module not downloaded yet is trusted.
    pub fn provider(&self, package: &str) -> Option<&str> {
        if let Some(m) = self
            .main
            .iter()
            .filter(|m| within(package, m))
            .max_by_key(|m| m.len())
        {
            return Some(m);
        }
        let mut candidates: Vec<&(String, String)> = self
            .requires
            .iter()
            .filter(|(m, _)| within(package, m))
            .collect();
        candidates.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        candidates
            .into_iter()
            .find(|(m, v)| {
                let Some(root) = self
                    .modcache
                    .as_ref()
                    .map(|c| c.join(format!("{}@{v}", escape(m))))
                else {
                    return true;
                };
                let rest = package[m.len()..].trim_start_matches('/');
                !root.is_dir() || root.join(rest).is_dir()
            })
            .map(|(m, _)| m.as_str())
    }
}

/// The `go` line of a go.mod text (`1.20`, `1.24.0`), if it has one.
pub fn go_line(gomod: &str) -> Option<String> {
    directives(gomod)
        .into_iter()
        .find(|(verb, args)| *verb == "go" && !args.is_empty())
        .map(|(_, args)| args[0].to_string())
}

/// A Go language version: what a `go` line means for the code (loop
/// variables, GODEBUG defaults…). `1.22`, `1.22.0`, `1.22.3` and `1.22rc1`
/// are all language version 1.22.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LangVersion {
    pub major: u32,
    pub minor: u32,
}

impl LangVersion {
    /// Parse `1.22`, `1.22.3`, `1.22rc1`, `go1.22`.
    pub fn parse(v: &str) -> Option<LangVersion> {
        let v = v.strip_prefix("go").unwrap_or(v);
        let mut parts = v.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor: String = parts
            .next()
            .unwrap_or("0")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(LangVersion {
            major,
            minor: minor.parse().ok()?,
        })
    }

    /// The language version of a module without a `go` line.
    pub const DEFAULT: LangVersion = LangVersion {
        major: 1,
        minor: 16,
    };
}

impl std::fmt::Display for LangVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The module cache directory the go command uses, from the environment
/// (`GOMODCACHE`, else `GOPATH`'s first entry + `/pkg/mod`, else
/// `~/go/pkg/mod`; a value set with `go env -w` is not seen).
pub fn modcache() -> Option<PathBuf> {
    if let Some(c) = std::env::var_os("GOMODCACHE").filter(|c| !c.is_empty()) {
        return Some(c.into());
    }
    let gopath = std::env::var_os("GOPATH")
        .filter(|g| !g.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("go")))?;
    // GOPATH may be a list: the first entry holds the module cache.
    let first = std::env::split_paths(&gopath).next()?;
    Some(first.join("pkg").join("mod"))
}

/// A module path as the module cache spells it: upper-case letters become
/// `!` + lower case (`github.com/XSAM/otelsql` → `github.com/!x!s!a!m/otelsql`).
/// Versions are spelled the same way.
pub fn escape(module: &str) -> String {
    let mut out = String::with_capacity(module.len());
    for c in module.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
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

/// The go.work governing `root`: `GOWORK` when set (in the environment or
/// the go env file; `off` disables), else the nearest go.work upwards.
pub fn find_gowork(root: &Path) -> Option<std::path::PathBuf> {
    match go_env_setting("GOWORK") {
        Some(v) if v == "off" => return None,
        Some(v) if !v.is_empty() => return Some(v.into()),
        _ => {}
    }
    root.ancestors()
        .map(|d| d.join("go.work"))
        .find(|p| p.is_file())
}

/// The go.mod of every module a go.work `use`s.
pub fn gowork_modules(work: &Path) -> Vec<std::path::PathBuf> {
    let Ok(text) = std::fs::read_to_string(work) else {
        return Vec::new();
    };
    let dir = work.parent().unwrap_or(Path::new("."));
    directives(&text)
        .into_iter()
        .filter(|(verb, _)| *verb == "use")
        .filter_map(|(_, args)| Some(dir.join(args.first()?).join("go.mod")))
        .collect()
}

/// A go setting as the go command reads it: the environment variable if it
/// is set and not empty, else the go env file's line (`go env -w`).
pub fn go_env_setting(name: &str) -> Option<String> {
    if let Some(v) = std::env::var_os(name).filter(|v| !v.is_empty()) {
        return Some(v.to_string_lossy().into_owned());
    }
    env_file_setting(&std::fs::read_to_string(go_env_file()?).ok()?, name)
}

/// `name`'s value in a go env file's text (`NAME=value` lines).
fn env_file_setting(text: &str, name: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .map(|v| v.trim().to_string())
}

/// The go env file (`go env -w` writes it): `$GOENV`, else
/// `<user config dir>/go/env`.
pub fn go_env_file() -> Option<std::path::PathBuf> {
    // An empty GOENV is unset to the go command (the default file), not off.
    if let Some(v) = std::env::var_os("GOENV").filter(|v| !v.is_empty()) {
        return (v != "off").then(|| std::path::PathBuf::from(v));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config"))
        })?;
    Some(config.join("go").join("env"))
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
    #[test]
    fn workspace_modules_and_go_env_file_settings() {
        let d = tempfile::tempdir().unwrap();
        let work = d.path().join("go.work");
        std::fs::write(
            &work,
            "go 1.22\n\nuse (\n\t./app\n\t./lib // shared\n)\nuse ./tools\n",
        )
        .unwrap();
        assert_eq!(
            gowork_modules(&work),
            ["app", "lib", "tools"].map(|m| d.path().join(m).join("go.mod"))
        );
        let env = "GOFLAGS=-modfile=alt.mod -tags=x\nGOWORK=/w/x.work\nGOWORKX=no\n";
        assert_eq!(
            env_file_setting(env, "GOWORK").as_deref(),
            Some("/w/x.work")
        );
        assert_eq!(
            env_file_setting(env, "GOFLAGS").as_deref(),
            Some("-modfile=alt.mod -tags=x")
        );
        assert_eq!(env_file_setting(env, "GOPROXY"), None);
    }

    use super::*;

    #[test]
    fn requires_blocks_single_lines_and_comments() {
        let mut g = ModuleGraph::default();
        g.add_gomod(
            "module example.com/shop // the shop\n\ngo 1.24\n\nrequire golang.org/x/sync v0.10.0\nrequire (\n\t\"github.com/XSAM/otelsql\" v0.44.0 // indirect\n\tgo.opentelemetry.io/otel v1.47.0\n)\nreplace go.opentelemetry.io/otel => ../otel\n",
        );
        assert_eq!(g.main, ["example.com/shop"]);
        assert_eq!(
            g.replacement("go.opentelemetry.io/otel", "v1.47.0"),
            Some(&Replace {
                from: "go.opentelemetry.io/otel".into(),
                from_version: None,
                to: "../otel".into(),
                to_version: None,
            })
        );
        assert!(g.replaces[0].is_dir());
        g.add_gomod(
            "replace (\n\tgo.opentelemetry.io/otel v1.47.0 => example.com/fork v1.0.0\n)\n",
        );
        let r = g
            .replacement("go.opentelemetry.io/otel", "v1.47.0")
            .unwrap();
        assert_eq!(
            (r.to.as_str(), r.to_version.as_deref()),
            ("example.com/fork", Some("v1.0.0"))
        );
        assert!(!r.is_dir());
        assert_eq!(
            g.replacement("go.opentelemetry.io/otel", "v1.0.0")
                .unwrap()
                .to,
            "../otel"
        );
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
    fn a_nested_module_go_mod_lacks_is_not_provided() {
        let cache = std::env::temp_dir().join(format!("goaop-modcache-{}", std::process::id()));
        std::fs::create_dir_all(cache.join("go.opentelemetry.io/otel@v1.47.0/trace")).unwrap();
        std::fs::create_dir_all(cache.join("github.com/!x!s!a!m/otelsql@v0.44.0")).unwrap();
        let mut g = ModuleGraph {
            modcache: Some(cache.clone()),
            ..ModuleGraph::default()
        };
        g.add_gomod("module m\nrequire (\n go.opentelemetry.io/otel v1.47.0\n github.com/XSAM/otelsql v0.44.0\n golang.org/x/sync v0.10.0\n)\n");
        let found = |p| g.provider(p).map(str::to_string);
        let (trace, sdk, sql, sync) = (
            found("go.opentelemetry.io/otel/trace"),
            found("go.opentelemetry.io/otel/sdk/trace"),
            found("github.com/XSAM/otelsql"),
            found("golang.org/x/sync/errgroup"),
        );
        std::fs::remove_dir_all(&cache).unwrap();
        assert_eq!(trace.as_deref(), Some("go.opentelemetry.io/otel"));
        // otel/sdk is its own module, absent from go.mod.
        assert_eq!(sdk, None);
        assert_eq!(sql.as_deref(), Some("github.com/XSAM/otelsql"));
        // Not downloaded yet: trusted.
        assert_eq!(sync.as_deref(), Some("golang.org/x/sync"));
    }

    #[test]
    fn go_lines_and_language_versions() {
        assert_eq!(
            go_line("module m\n\ngo 1.20 // old\n").as_deref(),
            Some("1.20")
        );
        assert_eq!(go_line("module m\n"), None);
        let v = |s| LangVersion::parse(s).unwrap();
        assert_eq!(v("1.24.0"), v("1.24"));
        assert_eq!(v("go1.22rc1"), v("1.22.5"));
        assert!(v("1.20") < v("1.22.0") && v("1.9") < v("1.10"));
        assert_eq!(v("1.26.0").to_string(), "1.26");
        assert_eq!(LangVersion::parse("x"), None);
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
