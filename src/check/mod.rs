//! Stage 2 — check: [`RawAspect`]s into [`CheckedAspect`]s, collecting every
//! problem of a run with its span (DESIGN §5).
//!
//! Checking resolves what the aspect files refer to (bundled aspects named by
//! the short form, packs named by `use:`: bundled integrations and the Go
//! packages the project layer read, [`crate::packs`]), validates every value, and
//! checks each advice template as Go. It never stops at the first problem.
//!
//! This file runs a check over a set of files (names, duplicates, `use:`);
//! `short_form` borrows a bundled aspect's advice for an aspect without
//! its own, `aspect` checks one aspect, and `site` decides which kind of
//! join point its advice is written for.

mod aspect;
mod fields;
mod hints;
pub mod holes;
mod literals;
pub mod model;
pub mod modules;
pub mod names;
pub mod pointcut;
mod segments;
mod short_form;
mod site;
mod snippets;
pub mod template;
mod uses;
mod values;

use std::collections::{BTreeMap, BTreeSet};

pub use model::*;
pub use uses::{UsedPack, note_pack_origins};

use crate::bundled;
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes};
use crate::load::gotype::TypeParser;
use crate::load::{self, RawAspect};
use crate::packs::Packs;
use aspect::check_aspect;
use short_form::{borrow_bundled, has_advice, load_base};

/// Spans of one checked aspect, to point later stages' errors at its text.
#[derive(Clone, Debug)]
pub struct AspectSpans {
    pub name: Span,
    /// Each signature regex of the pointcut with where it was written.
    pub sigs: Vec<(String, Span)>,
}

/// Everything a `check` run produced.
#[derive(Debug, Default)]
pub struct CheckOutput {
    pub aspects: Vec<CheckedAspect>,
    /// Parallel to `aspects`.
    pub spans: Vec<AspectSpans>,
    /// Bundled integrations enabled with `use:`.
    pub uses: Vec<Spanned<String>>,
    /// The packs (bundled ones included) enabled, in `use:` order.
    pub packs: Vec<UsedPack>,
    /// Files of non-bundled packs → the pack's name and the `use:` entry
    /// that enabled it.
    pub pack_files: BTreeMap<FileId, (String, Span)>,
    /// The names of `uses` (and of unknown ones, reported once).
    pub(super) used: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Load and check aspect files already added to `sources`, with only the
/// bundled packs. Bundled files the aspects refer to are added to `sources`
/// too.
pub fn check_files(sources: &mut Sources, files: &[FileId]) -> CheckOutput {
    check_with_packs(sources, files, &Packs::default())
}

/// Load and check aspect files already added to `sources`; `use:` entries
/// name bundled integrations or `packs` (read by the project layer). The
/// files of the packs used are added to `sources`.
pub fn check_with_packs(sources: &mut Sources, files: &[FileId], packs: &Packs) -> CheckOutput {
    let mut out = CheckOutput::default();
    let mut raws: Vec<RawAspect> = Vec::new();
    for &file in files {
        let (raw, diags) = load_file(sources, file);
        out.diagnostics.extend(diags);
        out.diagnostics.extend(path_problem(sources, file));
        uses::resolve(sources, &raw, packs, &mut raws, &mut out);
        raws.extend(raw.aspects);
    }
    let mut base: Option<Vec<RawAspect>> = None;
    let mut types = TypeParser::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for raw in raws {
        if let Some(problem) = names::aspect_name_problem(&raw.name.value) {
            out.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_ASPECT_NAME,
                    "invalid aspect name",
                    raw.name.span.clone(),
                    problem,
                )
                .with_help("name aspects with letters, digits, `-`, `_` and `.`, e.g. `http-client` (the name is shown by `goaop plan` and in woven code)"),
            );
            continue;
        }
        if let Some(first) = seen.get(&raw.name.value) {
            out.diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    format!("two aspects are named `{}`", raw.name.value),
                    raw.name.span.clone(),
                    "second definition",
                )
                .with_secondary(first.clone(), "first defined here")
                .with_help("aspect names must be unique: rename one of them"),
            );
            continue;
        }
        seen.insert(raw.name.value.clone(), raw.name.span.clone());
        let borrowed = !has_advice(&raw);
        let raw = if borrowed {
            let base = base.get_or_insert_with(|| load_base(sources));
            match borrow_bundled(raw, base, &mut out.diagnostics) {
                Some(raw) => raw,
                None => continue,
            }
        } else {
            raw
        };
        if let Some((aspect, spans)) =
            check_aspect(&raw, borrowed, sources, &mut types, &mut out.diagnostics)
        {
            out.aspects.push(aspect);
            out.spans.push(spans);
        }
    }
    dedup_diagnostics(&mut out.diagnostics);
    out
}

/// The same diagnostic twice (advice text a snippet brings into one
/// aspect twice, or into two aspects: its error is one error) is shown once.
fn dedup_diagnostics(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        seen.insert((
            d.code,
            d.message.clone(),
            d.primary.span.clone(),
            d.primary.message.clone(),
        ))
    });
}

/// Load one aspect file and expand its snippets (so every later stage sees
/// advice as if the snippets were written in place).
pub(super) fn load_file(sources: &Sources, file: FileId) -> (load::RawFile, Vec<Diagnostic>) {
    let (mut raw, mut diags) = load::load(sources, file);
    snippets::expand(&mut raw, &mut diags);
    (raw, diags)
}

/// An aspect file's path goes into the `//line` directives before the code
/// its advice writes: a line break would end the directive.
pub(super) fn path_problem(sources: &Sources, file: FileId) -> Option<Diagnostic> {
    let name = &sources.get(file).name;
    name.contains(['\n', '\r']).then(|| {
        Diagnostic::error(
            codes::UNSAFE_PATH,
            format!("the path of aspect file {name:?} holds a line break"),
            Span::new(file, 0..0),
            "this file",
        )
        .with_help("woven code points back at its aspect file with `//line` directives, which end at a line break: rename the file or its directory")
    })
}

/// Check one bundled file on its own (what `--list-bundled` and `goaop init`
/// need to know about an integration: its aspects and their imports).
pub fn check_bundled(file: &bundled::BundledFile) -> CheckOutput {
    let mut sources = Sources::new();
    let id = sources.add(file.path, file.text);
    check_files(&mut sources, &[id])
}
