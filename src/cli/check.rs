//! `goaop check [FILES]`: load, check and compile aspect files, and report.
//!
//! Exit codes: 0 clean (warnings allowed), 1 errors, 2 usage errors.

use crate::gomod::ModuleGraph;
use std::path::{Path, PathBuf};

use super::{Format, Outcome};
use crate::bundled;
use crate::check::{self, CheckOutput};
use crate::compile::{CompileError, RuleSet};
use crate::diag::{Diagnostic, FileId, Sources, Span, codes, render};
use crate::packs::{self, PackFrom, Packs, resolve::Locator};
use crate::project;

#[derive(Clone, Debug, Default)]
pub struct CheckArgs {
    pub files: Vec<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub list_bundled: bool,
    pub list_packs: bool,
}

/// The result of loading + checking (+ compiling) a set of aspect files,
/// shared by every command that needs a rule set.
pub struct Loaded {
    pub sources: Sources,
    pub checked: CheckOutput,
}

impl Loaded {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }
}

/// Read `files` (paths as given, relative to `cwd`) and check them, with
/// the aspect packs they use resolved in the module of `cwd`.
pub fn load_and_check(cwd: &Path, files: &[PathBuf]) -> Loaded {
    load_and_check_with(cwd, files, None)
}

/// [`load_and_check`] with the packs already known (`None`: resolve them
/// with [`packs::resolve::collect`]; toolexec passes the packs its cache key
/// was computed from, found by that same function).
pub fn load_and_check_with(cwd: &Path, files: &[PathBuf], packs: Option<Packs>) -> Loaded {
    let mut sources = Sources::new();
    let mut ids = Vec::new();
    let mut diagnostics = Vec::new();
    for f in files {
        let name = f.display().to_string();
        match project::read_capped(&cwd.join(f), crate::load::MAX_FILE_BYTES) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => ids.push(sources.add(name, text)),
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let id = sources.add(name, text);
                    diagnostics.push(
                        Diagnostic::error(
                            codes::UNREADABLE,
                            "the file is not valid UTF-8",
                            Span::new(id, valid..valid + 1),
                            "invalid byte",
                        )
                        .with_help("save the aspect file as UTF-8"),
                    );
                }
            },
            Err(e) => {
                let id = sources.add(name.clone(), String::new());
                diagnostics.push(unread(&name, id, e));
            }
        }
    }
    let module = project::find_module(cwd);
    let packs = packs.unwrap_or_else(|| {
        let mut locator = Locator::new(module.as_ref().map(|m| m.root.clone()));
        packs::resolve::collect(cwd, &sources, &ids, &mut locator)
    });
    let mut checked = check::check_with_packs(&mut sources, &ids, &packs);
    diagnostics.append(&mut checked.diagnostics);
    // Against the module the aspects will be woven into (none: nothing to
    // check, e.g. `goaop check some/file.yaml` outside a module).
    if let Some(graph) = module.and_then(|m| ModuleGraph::read(&m.root)) {
        diagnostics.extend(check::modules::missing_modules(&checked, &graph));
    }
    check::note_pack_origins(&checked, &sources, &mut diagnostics);
    checked.diagnostics = diagnostics;
    Loaded { sources, checked }
}

/// Load, check and compile `files`: the diagnostics of every stage (a
/// pattern the compiler refuses, E03xx, points at where it is written), and
/// the rule set when there is no error. `goaop check` and every command
/// that weaves go through here, so they agree on what is an error.
pub fn load_check_compile(cwd: &Path, files: &[PathBuf]) -> (Loaded, Option<RuleSet>) {
    load_check_compile_with(cwd, files, None)
}

/// [`load_check_compile`] with the packs already resolved (`None`: resolve
/// them).
pub fn load_check_compile_with(
    cwd: &Path,
    files: &[PathBuf],
    packs: Option<Packs>,
) -> (Loaded, Option<RuleSet>) {
    let mut loaded = load_and_check_with(cwd, files, packs);
    if loaded.checked.has_errors() {
        return (loaded, None);
    }
    match RuleSet::build(&loaded.checked.aspects) {
        Ok(rules) => (loaded, Some(rules)),
        Err(errors) => {
            let diags: Vec<Diagnostic> = errors
                .iter()
                .map(|e| compile_diagnostic(&loaded, e))
                .collect();
            loaded.checked.diagnostics.extend(diags);
            (loaded, None)
        }
    }
}

/// A compile error pointed at the pattern that caused it.
pub fn compile_diagnostic(loaded: &Loaded, e: &CompileError) -> Diagnostic {
    let spans = &loaded.checked.spans[e.aspect];
    let span = spans
        .sigs
        .iter()
        .find(|(p, _)| *p == e.pattern)
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| spans.name.clone());
    e.to_diagnostic(span)
}

/// The files to use: those given, else the module's.
pub fn files_or_default(cwd: &Path, files: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if files.is_empty() {
        default_files(cwd)
    } else {
        Ok(files.to_vec())
    }
}

/// The diagnostic for a file that was not read.
fn unread(name: &str, id: FileId, e: project::ReadError) -> Diagnostic {
    let at = Span::new(id, 0..0);
    match e {
        project::ReadError::TooLarge(len) => crate::load::too_large_file(id, len),
        project::ReadError::NotAFile(what) => Diagnostic::error(
            codes::NOT_A_FILE,
            format!("`{name}` is {what}, not an aspect file"),
            at,
            "not a regular file",
        )
        .with_help("give the path of an aspect file (`aspects.yaml`, `*.aspect`); with no arguments goaop finds them at the Go module root"),
        project::ReadError::Io(e) => Diagnostic::error(
            codes::UNREADABLE,
            format!("cannot read `{name}`: {e}"),
            at,
            "unreadable",
        )
        .with_help("check the path; with no arguments goaop finds aspects.yaml and *.aspect at the Go module root"),
    }
}

/// The aspect files to use when none are given: the module's.
pub fn default_files(cwd: &Path) -> Result<Vec<PathBuf>, String> {
    let module = project::find_module(cwd).ok_or_else(|| {
        format!(
            "no aspect files given and no go.mod found in {} or above",
            cwd.display()
        )
    })?;
    let files = project::aspect_files(&module.root);
    if files.is_empty() {
        return Err(format!(
            "no aspect files given and module {} has none (looked for {} and *.aspect in {}); `goaop init` writes one",
            module.path,
            project::ASPECT_FILE_NAMES.join(", "),
            module.root.display()
        ));
    }
    Ok(files
        .into_iter()
        .map(|f| f.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(f))
        .collect())
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

/// Render a check run: diagnostics, then a summary line.
pub fn report(loaded: &Loaded, format: Format, color: bool) -> Outcome {
    let diags = loaded.diagnostics();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let code = i32::from(errors > 0);
    match format {
        Format::Json => Outcome {
            stdout: render::json(&loaded.sources, diags),
            stderr: String::new(),
            code,
        },
        Format::Human => {
            let n = loaded.checked.aspects.len();
            let summary = if errors > 0 {
                format!(
                    "error: aspects have {errors} error(s) and {warnings} warning(s); nothing was compiled\n"
                )
            } else {
                format!(
                    "ok: {n} aspect{} checked, {warnings} warning(s)\n",
                    if n == 1 { "" } else { "s" }
                )
            };
            Outcome {
                stdout: String::new(),
                stderr: format!("{}{summary}", render::human(&loaded.sources, diags, color)),
                code,
            }
        }
    }
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
