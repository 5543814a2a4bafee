//! `goaop check [FILES]`: load, check and compile aspect files, and report.
//!
//! Exit codes: 0 clean (warnings allowed), 1 errors, 2 usage errors.

use std::path::{Path, PathBuf};

use super::{Format, Outcome};
use crate::bundled;
use crate::check;
use crate::packs::PackFrom;

// The load + check + compile service lives in the project layer; these
// names stay here for the callers that know them from `goaop check`.
pub use crate::outcome::report;
pub use crate::project::{
    Loaded, compile_diagnostic, default_files, files_or_default, load_and_check,
    load_and_check_with, load_check_compile, load_check_compile_with,
};

#[derive(Clone, Debug, Default)]
pub struct CheckArgs {
    pub files: Vec<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub list_bundled: bool,
    pub list_packs: bool,
}

pub fn run(args: &CheckArgs, cwd: &Path) -> Outcome {
    if args.list_bundled {
        return list_bundled();
    }
    let files = match files_or_default(cwd, &args.files) {
        Ok(f) => f,
        Err(e) => return Outcome::usage(e),
    };
    let (loaded, _) = load_check_compile(cwd, &files);
    let mut outcome = report(&loaded, args.format, args.color);
    if args.list_packs {
        let list = match args.format {
            Format::Human => list_packs(&loaded),
            Format::Json => list_packs_json(&loaded),
        };
        outcome.stdout.push_str(&list);
    }
    outcome
}

/// `--list-packs`: every pack in use, where it comes from, its files and
/// aspects.
fn list_packs(loaded: &Loaded) -> String {
    let checked = &loaded.checked;
    let sources = &loaded.sources;
    if checked.packs.is_empty() {
        return "No packs in use (add `use: [otel]` or `use: [<Go package path>]` to aspects.yaml).\n".to_string();
    }
    let mut out = String::from("Packs in use:\n");
    for pack in &checked.packs {
        let (file, (line, col)) = (
            &sources.get(pack.used_at.file).name,
            sources.line_col(pack.used_at.file, pack.used_at.range.start),
        );
        out.push_str(&format!("  {}  (used at {file}:{line}:{col})\n", pack.name));
        match &pack.from {
            PackFrom::Bundled => out.push_str("      bundled with goaop\n"),
            PackFrom::Module {
                module,
                version,
                dir,
            } => {
                let version = if version.is_empty() {
                    "(main module or workspace)"
                } else {
                    version
                };
                out.push_str(&format!(
                    "      module {module} {version}\n      dir    {}\n",
                    dir.display()
                ));
            }
        }
        let names: Vec<&str> = pack
            .files
            .iter()
            .map(|&f| sources.get(f).name.as_str())
            .collect();
        for name in &names {
            out.push_str(&format!("      file   {name}\n"));
        }
        for a in checked
            .aspects
            .iter()
            .filter(|a| names.contains(&a.origin.file.as_str()))
        {
            out.push_str(&format!(
                "      aspect {:<26} {}\n",
                a.name,
                pointcut_text(&a.pointcut)
            ));
        }
    }
    out
}

/// `--list-packs --format json`: one JSON object per pack (after the
/// diagnostics' lines).
fn list_packs_json(loaded: &Loaded) -> String {
    let sources = &loaded.sources;
    let mut out = String::new();
    for pack in &loaded.checked.packs {
        let (line, column) = sources.line_col(pack.used_at.file, pack.used_at.range.start);
        let files: Vec<&str> = pack
            .files
            .iter()
            .map(|&f| sources.get(f).name.as_str())
            .collect();
        let aspects: Vec<&str> = loaded
            .checked
            .aspects
            .iter()
            .filter(|a| files.contains(&a.origin.file.as_str()))
            .map(|a| a.name.as_str())
            .collect();
        let (module, version, dir) = match &pack.from {
            PackFrom::Bundled => (None, None, None),
            PackFrom::Module {
                module,
                version,
                dir,
            } => (Some(module), Some(version), Some(dir.display().to_string())),
        };
        let j = serde_json::json!({
            "pack": pack.name,
            "used_at": {"file": sources.get(pack.used_at.file).name, "line": line, "column": column},
            "bundled": pack.from == PackFrom::Bundled,
            "module": module,
            "version": version,
            "dir": dir,
            "files": files,
            "aspects": aspects,
        });
        out.push_str(&j.to_string());
        out.push('\n');
    }
    out
}

fn list_bundled() -> Outcome {
    let mut out =
        String::from("Bundled integrations (enable with `use: [name]` in aspects.yaml):\n");
    if bundled::INTEGRATIONS.is_empty() {
        out.push_str("  (none in this version)\n");
    }
    for f in bundled::INTEGRATIONS {
        out.push_str(&format!("  {:<14} {}\n", f.name, f.summary));
        for a in check::check_bundled(f).aspects {
            let mut what = pointcut_text(&a.pointcut);
            if !a.advice.set_fields.is_empty() {
                what = what.replace("calls of ", "composite literals of ");
            }
            out.push_str(&format!("      {:<26} {what}\n", a.name));
        }
        let modules: Vec<String> = f
            .modules
            .iter()
            .map(|m| format!("{}@{}", m.path, m.version))
            .collect();
        out.push_str(&format!("      needs: {}\n", modules.join(" ")));
    }
    out.push_str(
        "\nBundled aspects (borrow their advice with `- { name: NAME, target: \"…\" }`):\n",
    );
    for f in bundled::BASE {
        out.push_str(&format!("  {:<14} {}\n", f.path, f.summary));
    }
    Outcome {
        stdout: out,
        ..Default::default()
    }
}

/// A pointcut in one line, for `--list-bundled`.
fn pointcut_text(p: &check::Pointcut) -> String {
    use check::Pointcut as P;
    let join = |ps: &[P], op: &str| {
        ps.iter()
            .map(|p| match p {
                P::And(_) | P::Or(_) => format!("({})", pointcut_text(p)),
                _ => pointcut_text(p),
            })
            .collect::<Vec<_>>()
            .join(op)
    };
    match p {
        P::Sig(re) => format!("functions matching `{re}`"),
        P::Within(pkg) => format!("within {pkg}"),
        P::MainModule => "in the main module".to_string(),
        P::Call(c) => format!("calls of {c}"),
        P::Ref(r) => format!("uses of {r}"),
        P::AsValue => "used as a value".to_string(),
        P::And(ps) => join(ps, " && "),
        P::Or(ps) => join(ps, " || "),
        P::Not(p) => format!("!{}", pointcut_text(p)),
    }
}
