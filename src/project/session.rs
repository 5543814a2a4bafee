//! A session over a module's aspects: read a set of aspect files (from disk,
//! or an editor's unsaved text in their place), load and check them with
//! the aspect packs they use, and compile the rule set. `goaop check`, every
//! command that weaves, the toolexec backend and `goaop lsp` go through
//! here, so they agree on what is an error. Nothing here prints: the
//! diagnostics come back as data, for each front end to render.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::{self, CheckOutput};
use crate::compile::{CompileError, RuleSet};
use crate::diag::{Diagnostic, FileId, Sources, Span, codes};
use crate::gomod::ModuleGraph;
use crate::packs::{self, Packs, resolve::Locator};

use super::ReadError;

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

/// Texts that stand in for files on disk (an editor's unsaved buffers),
/// keyed by the path as it is read (`cwd` joined with the name given).
pub type Overlay = HashMap<PathBuf, String>;

/// Read `files` (paths as given, relative to `cwd`) and check them, with
/// the aspect packs they use resolved in the module of `cwd`.
pub fn load_and_check(cwd: &Path, files: &[PathBuf]) -> Loaded {
    load_and_check_with(cwd, files, None)
}

/// [`load_and_check`] with the packs already known (`None`: resolve them
/// with [`packs::resolve::collect`]; toolexec passes the packs its cache key
/// was computed from, found by that same function).
pub fn load_and_check_with(cwd: &Path, files: &[PathBuf], packs: Option<Packs>) -> Loaded {
    load_and_check_overlaid(cwd, files, &Overlay::new(), packs)
}

/// [`load_and_check_with`] where a file named in `overlay` is read from
/// there instead of from disk (what an editor shows, saved or not).
pub fn load_and_check_overlaid(
    cwd: &Path,
    files: &[PathBuf],
    overlay: &Overlay,
    packs: Option<Packs>,
) -> Loaded {
    let mut sources = Sources::new();
    let mut ids = Vec::new();
    let mut diagnostics = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let path = cwd.join(f);
        let read = match overlay.get(&path) {
            Some(text) => Ok(text.clone().into_bytes()),
            None => super::read_capped(&path, crate::load::MAX_FILE_BYTES),
        };
        match read {
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
    let module = super::find_module(cwd);
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
    compile(load_and_check_with(cwd, files, packs))
}

/// [`load_check_compile`] over an editor's buffers (see
/// [`load_and_check_overlaid`]).
pub fn load_check_compile_overlaid(
    cwd: &Path,
    files: &[PathBuf],
    overlay: &Overlay,
) -> (Loaded, Option<RuleSet>) {
    compile(load_and_check_overlaid(cwd, files, overlay, None))
}

/// Compile checked aspects that have no error; compile errors join the
/// diagnostics.
fn compile(mut loaded: Loaded) -> (Loaded, Option<RuleSet>) {
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

/// Why [`build`] gave no rule set.
pub enum BuildError {
    /// No aspect files to use (none given, and the module has none): what
    /// to tell the user.
    NoFiles(String),
    /// The aspects have errors: the diagnostics, with their sources.
    Aspects(Box<Loaded>),
}

/// The rule set of `files` (default: the module's, see
/// [`files_or_default`]), with the aspect packs already resolved (`None`:
/// resolve them): what every weaving front end starts from.
pub fn build(
    cwd: &Path,
    files: &[PathBuf],
    packs: Option<Packs>,
) -> Result<(Loaded, RuleSet), BuildError> {
    let files = files_or_default(cwd, files).map_err(BuildError::NoFiles)?;
    match load_check_compile_with(cwd, &files, packs) {
        (loaded, Some(rules)) => Ok((loaded, rules)),
        (loaded, None) => Err(BuildError::Aspects(Box::new(loaded))),
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
fn unread(name: &str, id: FileId, e: ReadError) -> Diagnostic {
    let at = Span::new(id, 0..0);
    match e {
        ReadError::TooLarge(len) => crate::load::too_large_file(id, len),
        ReadError::NotAFile(what) => Diagnostic::error(
            codes::NOT_A_FILE,
            format!("`{name}` is {what}, not an aspect file"),
            at,
            "not a regular file",
        )
        .with_help("give the path of an aspect file (`aspects.yaml`, `*.aspect`); with no arguments goaop finds them at the Go module root"),
        ReadError::Io(e) => Diagnostic::error(
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
    let module = super::find_module(cwd).ok_or_else(|| {
        format!(
            "no aspect files given and no go.mod found in {} or above",
            cwd.display()
        )
    })?;
    let files = super::aspect_files(&module.root);
    if files.is_empty() {
        return Err(format!(
            "no aspect files given and module {} has none (looked for {} and *.aspect in {}); `goaop init` writes one",
            module.path,
            super::ASPECT_FILE_NAMES.join(", "),
            module.root.display()
        ));
    }
    Ok(files
        .into_iter()
        .map(|f| f.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(f))
        .collect())
}
