//! Which versions `goaop init` adds, so that the module's `go` line never
//! changes silently: a higher `go` line changes what the module's code
//! means (per-iteration loop variables at 1.22, GODEBUG defaults…).
//!
//! Each module goes in at the version goaop was tested with when that
//! version needs no newer Go than the module declares; else at the newest
//! older release that does (`go list -m -versions`, and each version's
//! `GoVersion`). The `go get` is rehearsed on a copy of go.mod
//! (`-modfile`), which shows what the line would really become (the
//! modules' own dependencies count too); the copy is installed only if the
//! language version stays, or with `--allow-go-upgrade`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::gomod::{LangVersion, go_line};

/// One package `go get` must add, from a module with a tested version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoGet {
    pub package: String,
    pub module: &'static str,
    /// The tested version (src/bundled.rs).
    pub tested: &'static str,
}

/// A rehearsed `go get`: the new go.mod and go.sum, ready to install.
#[derive(Debug)]
pub struct Rehearsed {
    /// `package@version` arguments.
    pub args: Vec<String>,
    /// Modules added at another version than the tested one, and why.
    pub notes: Vec<String>,
    pub gomod: Vec<u8>,
    pub gosum: Vec<u8>,
    /// The `go` line before and after (`None`: no line).
    pub go_before: Option<String>,
    pub go_after: Option<String>,
    /// Modules go.mod already required that it would require at a higher
    /// version.
    pub upgrades: Vec<Upgrade>,
}

/// A module go.mod already required, at a higher version after `go get`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upgrade {
    pub module: String,
    pub from: String,
    pub to: String,
    /// Required `// indirect` before.
    pub indirect: bool,
}

impl std::fmt::Display for Upgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.module, self.from, self.to)?;
        if self.indirect {
            f.write_str(" (indirect)")?;
        }
        Ok(())
    }
}

/// What `goaop init` may change besides adding modules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allow {
    /// Raise the `go` line (use the tested versions whatever they need).
    pub go_upgrade: bool,
    /// Raise modules go.mod already requires.
    pub upgrades: bool,
}

impl Rehearsed {
    /// Write go.mod and go.sum.
    pub fn install(&self, root: &Path) -> Result<(), String> {
        for (name, bytes) in [("go.mod", &self.gomod), ("go.sum", &self.gosum)] {
            let path = root.join(name);
            let tmp = root.join(format!(".{name}.goaop-init.tmp"));
            std::fs::write(&tmp, bytes)
                .and_then(|_| std::fs::rename(&tmp, &path))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// Choose versions and rehearse the `go get`; an `Err` is the message to
/// print (nothing has changed).
pub fn resolve(root: &Path, needs: &[GoGet], allow: Allow) -> Result<Rehearsed, String> {
    let r = resolve_go_line(root, needs, allow.go_upgrade)?;
    if r.upgrades.is_empty() || allow.upgrades {
        Ok(r)
    } else {
        Err(upgrade_refusal(&r.upgrades))
    }
}

/// The versions to add: tested ones, or older ones that keep the `go` line
/// (`allow_upgrade`: the tested versions, whatever they do to it).
fn resolve_go_line(root: &Path, needs: &[GoGet], allow_upgrade: bool) -> Result<Rehearsed, String> {
    let gomod = std::fs::read_to_string(root.join("go.mod"))
        .map_err(|e| format!("cannot read go.mod: {e}"))?;
    let before = go_line(&gomod);
    let lang = before
        .as_deref()
        .and_then(LangVersion::parse)
        .unwrap_or(LangVersion::DEFAULT);
    let tested = |n: &GoGet| (n.module, n.tested.to_string());
    if allow_upgrade {
        return rehearse(root, needs, &needs.iter().map(tested).collect(), Vec::new());
    }
    let mut chosen: BTreeMap<&str, String> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut missing = Vec::new();
    for n in needs {
        if chosen.contains_key(n.module) {
            continue;
        }
        match choose(root, n.module, n.tested, lang)? {
            Choice::Tested => {
                chosen.insert(n.module, n.tested.to_string());
            }
            Choice::Older(v) => {
                notes.push(format!(
                    "{} {v} (tested with {}, which needs a newer Go than this module's `go {}`)",
                    n.module,
                    n.tested,
                    before.as_deref().unwrap_or("1.16")
                ));
                chosen.insert(n.module, v);
            }
            Choice::None(why) => missing.push(why),
        }
    }
    if missing.is_empty() {
        match rehearse(root, needs, &chosen, notes) {
            Ok(r) if lang_of(&r.go_after) <= lang => return Ok(r),
            Ok(r) => missing.push(format!(
                "their own dependencies need go {}",
                r.go_after.as_deref().unwrap_or("?")
            )),
            Err(e) => {
                // An older release may lack a package the advice imports.
                let lacking = lacking_packages(&e);
                if lacking.is_empty() {
                    return Err(e);
                }
                missing.extend(lacking.into_iter().map(|(m, p)| {
                    format!(
                        "{m}, the newest release that supports go {lang}, lacks {p}, which the integrations' advice imports"
                    )
                }));
            }
        }
    }
    // What the tested versions would do.
    let r = rehearse(root, needs, &needs.iter().map(tested).collect(), Vec::new())?;
    Err(refusal(before.as_deref(), r.go_after.as_deref(), &missing))
}

/// `(module@version, package)` from go's "module M@V found, but does not
/// contain package P" errors.
fn lacking_packages(err: &str) -> Vec<(String, String)> {
    err.lines()
        .filter_map(|l| {
            let rest = l.split("module ").nth(1)?;
            let (module, package) = rest.split_once(" found, but does not contain package ")?;
            Some((module.trim().to_string(), package.trim().to_string()))
        })
        .collect()
}

fn lang_of(line: &Option<String>) -> LangVersion {
    line.as_deref()
        .and_then(LangVersion::parse)
        .unwrap_or(LangVersion::DEFAULT)
}

enum Choice {
    Tested,
    Older(String),
    /// No release up to the tested one supports the module's Go: why.
    None(String),
}

fn choose(root: &Path, module: &str, tested: &str, lang: LangVersion) -> Result<Choice, String> {
    let fits = |go: &Option<String>| lang_of(go) <= lang;
    let tested_go = go_versions(root, module, &[tested.to_string()])?;
    if tested_go.first().is_some_and(|(_, g)| fits(g)) {
        return Ok(Choice::Tested);
    }
    let listed = go_command(root, &["list", "-m", "-versions", module])?;
    let mut older: Vec<String> = listed
        .split_whitespace()
        .skip(1)
        .filter(|v| !v.contains('-') && semver_le(v, tested))
        .map(str::to_string)
        .collect();
    older.reverse();
    let found = go_versions(root, module, &older)?;
    if let Some((v, _)) = found.iter().find(|(_, g)| fits(g)) {
        return Ok(Choice::Older(v.clone()));
    }
    let oldest = found
        .last()
        .map(|(v, g)| {
            format!(
                "; the oldest, {v}, needs go {}",
                g.as_deref().unwrap_or("?")
            )
        })
        .unwrap_or_default();
    Ok(Choice::None(format!(
        "no release of {module} up to {tested} supports go {lang}{oldest}"
    )))
}

/// Each version's `go` line (`GoVersion`), in the order given.
fn go_versions(
    root: &Path,
    module: &str,
    versions: &[String],
) -> Result<Vec<(String, Option<String>)>, String> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Info {
        version: String,
        #[serde(default)]
        go_version: Option<String>,
    }
    let mut args = vec![
        "list".to_string(),
        "-m".into(),
        "-json=Path,Version,GoVersion".into(),
    ];
    args.extend(versions.iter().map(|v| format!("{module}@{v}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = go_command(root, &args)?;
    let infos: Vec<Info> = serde_json::Deserializer::from_str(&text)
        .into_iter::<Info>()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("unexpected `go list -m` output: {e}"))?;
    Ok(infos
        .into_iter()
        .map(|i| (i.version, i.go_version))
        .collect())
}

fn go_command(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("go")
        .current_dir(root)
        .args(args)
        .env("GOWORK", "off")
        .output()
        .map_err(|e| format!("cannot run go (is Go installed and on PATH?): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`go {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `go get` on a copy of go.mod and go.sum.
fn rehearse(
    root: &Path,
    needs: &[GoGet],
    versions: &BTreeMap<&str, String>,
    notes: Vec<String>,
) -> Result<Rehearsed, String> {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let result = (|| {
        let gomod =
            std::fs::read(root.join("go.mod")).map_err(|e| format!("cannot read go.mod: {e}"))?;
        let gosum = std::fs::read(root.join("go.sum")).unwrap_or_default();
        let (mod_copy, sum_copy) = (dir.join("go.mod"), dir.join("go.sum"));
        std::fs::write(&mod_copy, &gomod)
            .and_then(|_| std::fs::write(&sum_copy, &gosum))
            .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
        let args: Vec<String> = needs
            .iter()
            .map(|n| format!("{}@{}", n.package, versions[n.module]))
            .collect();
        let modfile = format!("-modfile={}", mod_copy.display());
        let mut all = vec!["get", modfile.as_str()];
        all.extend(args.iter().map(String::as_str));
        go_command(root, &all).map_err(|e| format!("goaop init: {e}"))?;
        // `go get` records checksums for what the named packages load; a
        // module it upgraded that only the module's own packages import
        // (x/crypto raised by the OpenTelemetry graph, imported by the
        // program) would be left without one, and the next build would
        // stop on "missing go.sum entry". Loading every package of the
        // module (tests included) with -mod=mod records them.
        go_command(
            root,
            &[
                "list",
                "-mod=mod",
                modfile.as_str(),
                "-e",
                "-deps",
                "-test",
                "./...",
            ],
        )
        .map_err(|e| format!("goaop init: {e}"))?;
        let new_mod = std::fs::read(&mod_copy).map_err(|e| e.to_string())?;
        let new_sum = std::fs::read(&sum_copy).unwrap_or_default();
        let before = requires(root, &root.join("go.mod"))?;
        let after = requires(root, &mod_copy)?;
        Ok(Rehearsed {
            args,
            notes,
            upgrades: upgrades(&before, &after),
            go_before: go_line(&String::from_utf8_lossy(&gomod)),
            go_after: go_line(&String::from_utf8_lossy(&new_mod)),
            gomod: new_mod,
            gosum: new_sum,
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A go.mod's requirements, as the go command reads them
/// (`go mod edit -json`): module -> (version, indirect).
fn requires(root: &Path, gomod: &Path) -> Result<BTreeMap<String, (String, bool)>, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Edit {
        #[serde(default)]
        require: Option<Vec<Require>>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Require {
        path: String,
        version: String,
        #[serde(default)]
        indirect: bool,
    }
    let file = gomod.to_string_lossy();
    let text = go_command(root, &["mod", "edit", "-json", &file])?;
    let edit: Edit = serde_json::from_str(&text)
        .map_err(|e| format!("unexpected `go mod edit -json` output: {e}"))?;
    Ok(edit
        .require
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.path, (r.version, r.indirect)))
        .collect())
}

/// Modules required before at a lower version than after.
fn upgrades(
    before: &BTreeMap<String, (String, bool)>,
    after: &BTreeMap<String, (String, bool)>,
) -> Vec<Upgrade> {
    before
        .iter()
        .filter_map(|(module, (from, indirect))| {
            let (to, _) = after.get(module)?;
            (to != from && semver_le(from, to)).then(|| Upgrade {
                module: module.clone(),
                from: from.clone(),
                to: to.clone(),
                indirect: *indirect,
            })
        })
        .collect()
}

fn upgrade_refusal(upgrades: &[Upgrade]) -> String {
    let mut msg = String::from(
        "goaop init: the modules the integrations need would upgrade modules this module already requires:\n",
    );
    for u in upgrades {
        msg.push_str(&format!("  - {u}\n"));
    }
    msg.push_str(
        "A newer version of a module the program uses can change what it does (see their release notes).\n\
         Nothing was changed. To accept it, run `goaop init --allow-upgrades` \
         (or upgrade them yourself with `go get module@version`, then run `goaop init`).\n",
    );
    msg
}

fn scratch_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("goaop-init-{}-{nanos}", std::process::id()))
}

/// What raising the `go` line from `from` to `to` changes, one line each.
pub fn changes(from: LangVersion, to: LangVersion) -> Vec<String> {
    const KNOWN: &[((u32, u32), &str)] = &[
        (
            (1, 21),
            "`panic(nil)` panics with a *runtime.PanicNilError instead of nil, and the `go` line becomes the minimum Go toolchain",
        ),
        (
            (1, 22),
            "each iteration of a `for` loop gets its own loop variables (closures and goroutines that capture them see per-iteration values), and net/http.ServeMux patterns take methods and wildcards (`GET /items/{id}`)",
        ),
        (
            (1, 23),
            "timer channels are synchronous: Stop/Reset leave no stale value in a Timer's or Ticker's channel",
        ),
    ];
    let mut out: Vec<String> = KNOWN
        .iter()
        .filter(|((maj, min), _)| {
            let v = LangVersion {
                major: *maj,
                minor: *min,
            };
            from < v && v <= to
        })
        .map(|((maj, min), what)| format!("go {maj}.{min}: {what}"))
        .collect();
    if from < to {
        out.push(format!(
            "and the GODEBUG defaults of every release after {from} up to {to} (https://go.dev/doc/godebug)"
        ));
    }
    out
}

fn refusal(before: Option<&str>, after: Option<&str>, why: &[String]) -> String {
    let from = before.unwrap_or("1.16 (no `go` line)");
    let to = after.unwrap_or("?");
    let mut msg = format!(
        "goaop init: the modules the integrations need would raise this module's `go` line from {from} to {to}\n"
    );
    for w in why {
        msg.push_str(&format!("  - {w}\n"));
    }
    let (f, t) = (
        before
            .and_then(LangVersion::parse)
            .unwrap_or(LangVersion::DEFAULT),
        after
            .and_then(LangVersion::parse)
            .unwrap_or(LangVersion::DEFAULT),
    );
    msg.push_str("That changes what the module's code means:\n");
    for c in changes(f, t) {
        msg.push_str(&format!("  - {c}\n"));
    }
    msg.push_str(
        "Nothing was changed. To accept it, run `goaop init --allow-go-upgrade` \
         (or raise the `go` line yourself, then run `goaop init`).\n",
    );
    msg
}

/// `a <= b` for semantic versions `vX.Y.Z` (pre-release suffixes ignored).
fn semver_le(a: &str, b: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> {
        v.trim_start_matches('v')
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    parse(a) <= parse(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lacking_packages_from_go_get_errors() {
        let e = "goaop init: `go get …` failed:\ngo: module go.opentelemetry.io/otel@v1.41.0 found, but does not contain package go.opentelemetry.io/otel/semconv/v1.40.0\n";
        assert_eq!(
            lacking_packages(e),
            [(
                "go.opentelemetry.io/otel@v1.41.0".to_string(),
                "go.opentelemetry.io/otel/semconv/v1.40.0".to_string()
            )]
        );
        assert!(lacking_packages("go: network unreachable").is_empty());
    }

    #[test]
    fn upgrades_are_raised_requirements_only() {
        let m = |items: &[(&str, &str, bool)]| {
            items
                .iter()
                .map(|(p, v, i)| (p.to_string(), (v.to_string(), *i)))
                .collect::<BTreeMap<_, _>>()
        };
        let before = m(&[
            ("a", "v1.2.0", false),
            ("b", "v0.9.0", true),
            ("c", "v1.0.0", false),
        ]);
        let after = m(&[
            ("a", "v1.10.0", false),
            ("b", "v0.9.0", true),
            ("c", "v1.0.0", false),
            ("d", "v2.0.0", false),
        ]);
        let up = upgrades(&before, &after);
        assert_eq!(up.len(), 1);
        assert_eq!(up[0].to_string(), "a v1.2.0 -> v1.10.0");
        let before = m(&[("b", "v0.9.0", true)]);
        let after = m(&[("b", "v0.10.1", true)]);
        assert_eq!(
            upgrades(&before, &after)[0].to_string(),
            "b v0.9.0 -> v0.10.1 (indirect)"
        );
        assert!(upgrade_refusal(&upgrades(&before, &after)).contains("--allow-upgrades"));
    }

    #[test]
    fn semver_order() {
        assert!(semver_le("v1.9.0", "v1.10.0"));
        assert!(semver_le("v0.45.0", "v0.72.0"));
        assert!(!semver_le("v1.47.1", "v1.47.0"));
        assert!(semver_le("v1.47.0", "v1.47.0"));
    }

    #[test]
    fn changes_name_the_loop_variable_semantics() {
        let v = |s| LangVersion::parse(s).unwrap();
        let c = changes(v("1.20"), v("1.26.0"));
        assert!(
            c[1].starts_with("go 1.22: each iteration of a `for` loop"),
            "{c:?}"
        );
        assert_eq!(c.len(), 4);
        assert!(changes(v("1.24"), v("1.24.0")).is_empty());
        assert_eq!(changes(v("1.23"), v("1.25")).len(), 1);
    }
}
