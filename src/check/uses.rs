//! `use:` entries: the packs they enable, bundled integrations and Go
//! packages alike ([`crate::packs`]), followed transitively with an explicit
//! queue. Each pack's files are added to the run's sources and checked like
//! the user's; a path that gave no pack, an unknown name and packs that use
//! each other are diagnostics at the `use:` entry.

use super::{CheckOutput, path_problem};
use crate::bundled;
use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned, codes, did_you_mean};
use crate::load::{self, RawAspect, RawFile};
use crate::packs::{PackFrom, PackProblem, Packs};

/// A pack enabled by `use:`, with where.
#[derive(Clone, Debug)]
pub struct UsedPack {
    pub name: String,
    pub from: PackFrom,
    /// The `use:` entry that enabled it first.
    pub used_at: Span,
    /// Its files in the run's sources.
    pub files: Vec<FileId>,
}

/// A `use:` entry still to resolve, with the packs that led to it (to
/// report cycles).
struct PendingUse {
    used: Spanned<String>,
    chain: Vec<String>,
}

/// Follow the `use:` entries of `raw` (and of the packs they enable,
/// breadth first, with an explicit queue): add each pack's files to
/// `sources` and their aspects to `raws`.
pub(super) fn resolve(
    sources: &mut Sources,
    raw: &RawFile,
    packs: &Packs,
    raws: &mut Vec<RawAspect>,
    out: &mut CheckOutput,
) {
    let mut queue: std::collections::VecDeque<PendingUse> = raw
        .uses
        .iter()
        .map(|u| PendingUse {
            used: u.clone(),
            chain: Vec::new(),
        })
        .collect();
    while let Some(PendingUse { used, chain }) = queue.pop_front() {
        if let Some(at) = chain.iter().position(|c| *c == used.value) {
            let cycle = chain[at..]
                .iter()
                .chain(std::iter::once(&used.value))
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" uses ");
            out.diagnostics.push(
                Diagnostic::error(
                    codes::PACK_CYCLE,
                    format!("aspect packs use each other: {cycle}"),
                    used.span.clone(),
                    "closes the cycle",
                )
                .with_help("remove this `use:` entry: a pack's aspects are enabled once, by whichever `use:` comes first"),
            );
            continue;
        }
        if !out.used.insert(used.value.clone()) {
            continue;
        }
        let pack = match packs.get(&used.value) {
            Some(Ok(pack)) => pack,
            Some(Err(problem)) => {
                out.diagnostics.push(pack_problem(&used, &problem));
                continue;
            }
            None => {
                out.diagnostics.push(unknown_use(&used));
                continue;
            }
        };
        let mut ids = Vec::new();
        for file in &pack.files {
            let id = sources.add(file.name.clone(), file.text.clone());
            ids.push(id);
            let (pack_raw, diags) = load::load(sources, id);
            out.diagnostics.extend(diags);
            out.diagnostics.extend(path_problem(sources, id));
            let mut chain = chain.clone();
            chain.push(used.value.clone());
            queue.extend(pack_raw.uses.into_iter().map(|u| PendingUse {
                used: u,
                chain: chain.clone(),
            }));
            raws.extend(pack_raw.aspects);
            if pack.from != PackFrom::Bundled {
                out.pack_files
                    .insert(id, (pack.name.clone(), used.span.clone()));
            }
        }
        out.uses.push(used.clone());
        out.packs.push(UsedPack {
            name: pack.name,
            from: pack.from,
            used_at: used.span,
            files: ids,
        });
    }
}

/// A `use:` entry that is neither bundled nor a resolved pack.
fn unknown_use(used: &Spanned<String>) -> Diagnostic {
    if crate::packs::is_pack_path(&used.value) {
        // The project layer resolves every pack path it sees; this one was
        // past its limit.
        return Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("aspect pack `{}` was not resolved", used.value),
            used.span.clone(),
            "not resolved",
        )
        .with_help(format!(
            "a run resolves at most {} packs: use fewer",
            crate::packs::resolve::MAX_PACKS
        ));
    }
    let names = bundled::INTEGRATIONS.iter().map(|f| f.name);
    let list: Vec<&str> = bundled::INTEGRATIONS.iter().map(|f| f.name).collect();
    let help = match did_you_mean(&used.value, names) {
        Some(s) => format!("did you mean `{s}`?"),
        None if list.is_empty() => "this version of goaop bundles no integrations yet".to_string(),
        None => format!(
            "bundled integrations: {}; an aspect pack is named by its Go import path (`example.com/acme/pack`)",
            list.join(", ")
        ),
    };
    Diagnostic::error(
        codes::UNKNOWN_USE,
        format!("unknown bundled integration `{}`", used.value),
        used.span.clone(),
        "not bundled with goaop",
    )
    .with_help(format!("{help} (`goaop check --list-bundled` lists them)"))
}

/// The diagnostic for a pack path that gave no pack.
fn pack_problem(used: &Spanned<String>, problem: &PackProblem) -> Diagnostic {
    let name = &used.value;
    let span = used.span.clone();
    match problem {
        PackProblem::NoModule => Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("aspect pack `{name}` cannot be resolved outside a Go module"),
            span,
            "no go.mod to resolve it against",
        )
        .with_help("run goaop inside the Go module that requires the pack (its go.mod pins the pack's version)"),
        PackProblem::NotRequired => Diagnostic::error(
            codes::PACK_NOT_REQUIRED,
            format!("no module in go.mod provides aspect pack `{name}`"),
            span,
            "not in the module graph",
        )
        .with_help(format!("run `go get {name}@latest`, then build again")),
        PackProblem::NoDir { module, detail } => Diagnostic::error(
            codes::PACK_NOT_FOUND,
            format!("the directory of aspect pack `{name}` (module {module}) was not found"),
            span,
            "not found",
        )
        .with_note(format!("the go command said: {}", detail.trim()))
        .with_help(format!("run `go mod download {module}` (or `go get {name}`), then build again")),
        PackProblem::NoAspectFiles { dir } => Diagnostic::error(
            codes::PACK_EMPTY,
            format!("package `{name}` has no aspect files"),
            span,
            "not an aspect pack",
        )
        .with_note(format!("looked for aspects.yaml, aspects.yml and *.aspect in {}", dir.display()))
        .with_help("name a package that ships aspect files, or remove this entry"),
        PackProblem::Unreadable { file, detail } => Diagnostic::error(
            codes::PACK_EMPTY,
            format!("aspect pack `{name}`: cannot read {file}"),
            span,
            "unreadable pack",
        )
        .with_note(detail.clone())
        .with_help("fix the pack's file (a regular UTF-8 file of at most 4 MiB), or remove this entry"),
    }
}

/// Add to every diagnostic pointing into a pack's file a note naming the
/// pack and the `use:` entry that enabled it.
pub fn note_pack_origins(out: &CheckOutput, sources: &Sources, diags: &mut [Diagnostic]) {
    for d in diags {
        if let Some((name, used_at)) = out.pack_files.get(&d.primary.span.file) {
            let file = &sources.get(used_at.file).name;
            let (line, col) = sources.line_col(used_at.file, used_at.range.start);
            d.notes.push(format!(
                "this file belongs to aspect pack `{name}`, used at {file}:{line}:{col}"
            ));
        }
    }
}
