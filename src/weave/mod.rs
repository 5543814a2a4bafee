//! Stage 5 — weave: one Go package's files × a compiled rule set → woven
//! files, plus a decision for every join point an aspect selected.
//!
//! Weaving is a pure function of (package files, rule set): it never runs
//! `go`, so the toolexec backend and a future `-overlay` driver can both call
//! it (DESIGN §10). Output is byte-offset [`edit`]s on the original text,
//! with `//line` directives so that every original token keeps its file,
//! line and column, and injected code maps to the aspect file that wrote it.

pub mod bind;
mod call;
mod compose;
mod cx;
pub mod edit;
mod fields;
mod function;
mod hoist;
pub mod imports;
mod refs;
pub mod render;
mod reparse;
mod site;
mod transparent;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::check::{CheckedAspect, Template};
use crate::compile::{PackageScope, RuleSetRef};
use crate::scan::{CallContext, CallKind, FuncSite, ScannedFile, Scanner};
use bind::{Bound, Surroundings, display_name};
use cx::FileCx;
use edit::{Edit, Positions};

/// One file of the package, as the compiler would see it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name written into `//line` directives: the path the user's
    /// tools should point at (absolute in a build, relative in tests).
    pub name: String,
    pub text: String,
}

/// Which package is being woven.
#[derive(Clone, Debug)]
pub struct PackageInfo<'a> {
    /// The import path (`example.com/shop/orders`; `main` packages too).
    pub path: &'a str,
    /// The main module's path, for the default `packages` scope.
    pub main_module: Option<&'a str>,
}

/// What happened to one (join point, aspect) pair.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// Index into the package's files.
    pub file: usize,
    pub line: u32,
    /// `(*OrderService).Create`, `main.func1`, or a callee `database/sql.Open`.
    pub site: String,
    /// The canonical signature (functions) or callee (calls).
    pub signature: String,
    pub aspect: String,
    /// `None` when applied, else why the join point was skipped.
    pub skipped: Option<String>,
}

impl Decision {
    /// A call, composite literal or reference: the site is its target.
    fn at_target(
        file: usize,
        line: u32,
        target: &str,
        aspect: &str,
        skipped: Option<String>,
    ) -> Self {
        Decision {
            file,
            line,
            site: target.to_string(),
            signature: target.to_string(),
            aspect: aspect.to_string(),
            skipped,
        }
    }
}

/// The result of weaving one package.
#[derive(Debug, Default)]
pub struct WovenPackage {
    /// Parallel to the input files: `Some(text)` for each file that changed.
    pub files: Vec<Option<String>>,
    pub decisions: Vec<Decision>,
    /// Import paths the woven code adds (the toolexec backend must provide
    /// their export data and link them).
    pub imports: BTreeSet<String>,
}

/// Errors that stop weaving (a corrupt rule set, a path that cannot be
/// written into a `//line` directive, woven text that does not parse);
/// problems with the user's code are never errors: the file is left alone.
#[derive(Debug, thiserror::Error)]
pub enum WeaveError {
    #[error("rule set: {0}")]
    RuleSet(String),
    #[error(
        "cannot weave {path:?}: its path holds {what}, which the //line directives that keep the file's positions (for compile errors, stack traces and debuggers) cannot carry; rename the file or directory"
    )]
    Path { path: String, what: &'static str },
    #[error(
        "weaving {file} produced Go that does not parse ({detail}); advice applied to the file: {aspects}. This is a goaop bug: please report it with the file and the aspects"
    )]
    Unparsable {
        file: String,
        aspects: String,
        detail: String,
    },
    #[error(
        "weaving {file} would write more than {limit} bytes: advice that writes a site's code more than once (`{{{{.Call}}}}` and `{{{{.Args}}}}`, or one of them twice, or `{{{{.Value}}}}` twice) also copies the advice nested inside it, once per copy, so calls of that advice nested in one another multiply the text at every level; write each of those placeholders once in the template"
    )]
    TooLarge { file: String, limit: usize },
    #[error(
        "weaving {file} would leave part of the advice out at {line}:{column} ({detail}); advice there: {aspects}. This is a goaop bug: please report it with the file and the aspects"
    )]
    Overlap {
        file: String,
        line: u32,
        column: u32,
        aspects: String,
        detail: &'static str,
    },
    #[error(
        "cannot weave {file} at {line}:{column}: aspect `{by}` sets a field of this literal again without `{{{{.Value}}}}`, which discards the value aspect `{aspect}` gives it, while `{aspect}` sets other fields there that stay: the literal would get `{aspect}` in part; write `{{{{.Value}}}}` in `{by}`'s set-field to keep the earlier value, or keep the two aspects off the same literals"
    )]
    PartlyDiscarded {
        file: String,
        line: u32,
        column: u32,
        aspect: String,
        by: String,
    },
}

impl From<crate::compile::LoadError> for WeaveError {
    fn from(e: crate::compile::LoadError) -> Self {
        WeaveError::RuleSet(e.to_string())
    }
}

/// Weave a package.
pub fn weave_package(
    rules: &RuleSetRef,
    pkg: &PackageInfo,
    files: &[SourceFile],
) -> Result<WovenPackage, WeaveError> {
    let scope = rules.packages(pkg.path, pkg.main_module)?;
    weave_in_scope(rules, pkg, &scope, files, &[])
}

/// [`weave_package`] with the package's aspects already chosen (`scope`:
/// the caller may compute it for another path, or narrow it), and
/// `context`: more files of the same package that are not woven but whose
/// top-level names count (the other files of a test variant when only its
/// `_test.go` files are woven).
pub fn weave_in_scope(
    rules: &RuleSetRef,
    pkg: &PackageInfo,
    scope: &PackageScope,
    files: &[SourceFile],
    context: &[SourceFile],
) -> Result<WovenPackage, WeaveError> {
    let mut out = WovenPackage {
        files: vec![None; files.len()],
        ..Default::default()
    };
    if scope.is_empty() {
        return Ok(out);
    }
    let mut scanner = Scanner::new();
    // The trees are kept for what only advised functions need (body facts).
    let trees: Vec<Option<tree_sitter::Tree>> = files
        .iter()
        .map(|f| scanner.parse(f.text.as_bytes()))
        .collect();
    let scanned: Vec<ScannedFile> = files
        .iter()
        .zip(&trees)
        .map(|(f, t)| match t {
            Some(tree) => scanner.scan_tree(tree, f.text.as_bytes()),
            None => ScannedFile {
                has_errors: true,
                ..ScannedFile::default()
            },
        })
        .collect();
    let mut package_names: BTreeSet<String> = scanned
        .iter()
        .flat_map(|s| s.top_level.iter().cloned())
        .collect();
    for f in context {
        package_names.extend(scanner.scan(f.text.as_bytes()).top_level);
    }
    let mut aspects = AspectCache::new(rules);
    // Which functions are used as values: computed once, if a pointcut asks.
    let value_uses = std::cell::OnceCell::new();
    let value_uses = || {
        value_uses.get_or_init(|| {
            let mut uses = crate::scan::ValueUses::default();
            for (f, t) in files.iter().zip(&trees) {
                if let Some(t) = t {
                    uses.add_file(t, f.text.as_bytes());
                }
            }
            uses
        })
    };
    let tags = hoist::tags(files);
    // Package-level literals are numbered across the package's files: does
    // a later file have any?
    let mut later_top_literals = vec![false; files.len()];
    for i in (0..files.len().saturating_sub(1)).rev() {
        let next_has = scanned[i + 1]
            .funcs
            .iter()
            .any(|f| f.parent.is_none() && f.kind == crate::scan::FuncKind::Literal);
        later_top_literals[i] = later_top_literals[i + 1] || next_has;
    }
    for (i, (file, scan)) in files.iter().zip(&scanned).enumerate() {
        let Some(tree) = trees[i].as_ref() else {
            continue;
        };
        if scan.has_errors || scan.package_range.is_none() {
            continue; // the compiler reports the user's own error, unchanged
        }
        let cx = FileCx::new(file, scan, tree, pkg, &package_names, tags[i].clone());
        let woven = weave_file(
            i,
            cx,
            later_top_literals[i],
            &value_uses,
            scope,
            rules,
            &mut aspects,
            &package_names,
            &mut out,
        )?;
        out.files[i] = woven;
    }
    Ok(out)
}

/// Decoded aspects, each decoded once per package.
struct AspectCache<'r, 'a> {
    rules: &'r RuleSetRef<'a>,
    decoded: BTreeMap<usize, Rc<CheckedAspect>>,
}

impl<'r, 'a> AspectCache<'r, 'a> {
    fn new(rules: &'r RuleSetRef<'a>) -> Self {
        AspectCache {
            rules,
            decoded: BTreeMap::new(),
        }
    }

    fn get(&mut self, i: usize) -> Result<Rc<CheckedAspect>, WeaveError> {
        if !self.decoded.contains_key(&i) {
            let a = self
                .rules
                .aspect(i)
                .map_err(|e| WeaveError::RuleSet(e.to_string()))?;
            self.decoded.insert(i, Rc::new(a));
        }
        Ok(Rc::clone(&self.decoded[&i]))
    }
}

/// One aspect applied to one function.
pub(crate) struct Applied<'c> {
    pub(crate) aspect: &'c CheckedAspect,
    pub(crate) bound: Bound,
}

#[allow(clippy::too_many_arguments)]
fn weave_file<'v>(
    index: usize,
    cx: FileCx,
    later_top_literals: bool,
    value_uses: &dyn Fn() -> &'v crate::scan::ValueUses,
    scope: &PackageScope,
    rules: &RuleSetRef,
    cache: &mut AspectCache,
    package_names: &BTreeSet<String>,
    out: &mut WovenPackage,
) -> Result<Option<String>, WeaveError> {
    let (file, scan, pkg) = (cx.file, cx.scan, cx.pkg);
    let file_imports: BTreeSet<String> = scan
        .imports
        .iter()
        .filter(|i| !matches!(i.alias.as_deref(), Some("_" | ".")))
        .map(|i| i.name.clone())
        .collect();
    let around = Surroundings {
        package_path: pkg.path,
        package_names,
        file_imports: &file_imports,
    };
    let mut edits = Vec::new();
    let mut ids = Vec::new();

    // Function join points.
    for (at, site) in scan.funcs.iter().enumerate() {
        if site.body.is_none() || site.ignored {
            continue;
        }
        let mut as_value = || value_uses().used_as_value(site, cx.tree);
        rules.match_function_as(scope, &site.signature, &mut as_value, &mut ids)?;
        if ids.is_empty() {
            continue;
        }
        let mut decoded = Vec::new();
        for &id in &ids {
            decoded.push(cache.get(id)?);
        }
        let (from, first) = (edits.len(), out.decisions.len());
        let outcome = function::advise(&cx, at, &decoded, &around, &mut edits);
        for (aspect, skipped) in decoded.iter().zip(outcome) {
            out.decisions.push(Decision {
                file: index,
                line: site.line,
                site: display_name(site),
                signature: site.signature.clone(),
                aspect: aspect.name.clone(),
                skipped,
            });
        }
        tag(&mut edits[from..], first..out.decisions.len());
    }

    // Call-site join points: calls (`replace`/`wrap`/`append-args`) and
    // composite literals (`set-field`).
    let mut keep_imports: Vec<String> = Vec::new();
    let mut advised_literals: Vec<std::ops::Range<usize>> = Vec::new();
    for call in &scan.calls {
        rules.match_call(scope, &call.callee, &mut ids)?;
        if ids.is_empty() {
            continue;
        }
        let enclosing = call.enclosing.map(|i| &scan.funcs[i]);
        if enclosing.is_some_and(|f| f.ignored) {
            continue;
        }
        let literal = call.kind == CallKind::Composite;
        let mut decoded = Vec::new();
        for &id in &ids {
            let aspect = cache.get(id)?;
            // `set-field` aspects advise literals of a type, the others
            // calls of a function.
            if aspect.advice.set_fields.is_empty() != literal {
                decoded.push(aspect);
            }
        }
        if decoded.is_empty() {
            continue;
        }
        let renames = |aspect: &CheckedAspect| {
            transparent::site_skip(
                &cx,
                aspect,
                call.enclosing,
                call.range.start,
                later_top_literals,
            )
        };
        if literal {
            let unsettable = fields::unsettable(call).map(str::to_string);
            let mut aspects: Vec<&CheckedAspect> = Vec::new();
            // The decision of each of `aspects`.
            let mut carried = Vec::new();
            let first = out.decisions.len();
            for aspect in &decoded {
                let skipped = unsettable
                    .clone()
                    .or_else(|| unwritable(aspect, enclosing, pkg, file, call.line))
                    .or_else(|| renames(aspect));
                if skipped.is_none() {
                    aspects.push(aspect);
                    carried.push(out.decisions.len());
                }
                out.decisions.push(Decision::at_target(
                    index,
                    call.line,
                    &call.callee,
                    &aspect.name,
                    skipped,
                ));
            }
            if !aspects.is_empty() {
                let from = edits.len();
                match fields::set_field_edits(&cx, &aspects, call, &mut edits) {
                    Ok(gone) => {
                        for (a, why) in gone {
                            out.decisions[carried[a]].skipped = Some(why);
                        }
                    }
                    Err(partly) => {
                        let (line, column) = cx.positions.row_col(call.range.start);
                        return Err(WeaveError::PartlyDiscarded {
                            file: file.name.clone(),
                            line,
                            column,
                            aspect: aspects[partly.aspect].name.clone(),
                            by: aspects[partly.by].name.clone(),
                        });
                    }
                }
                tag(&mut edits[from..], first..out.decisions.len());
                advised_literals.push(call.range.clone());
            }
            continue;
        }
        let mut text = call::CallText::new(call);
        let first = out.decisions.len();
        for aspect in &decoded {
            // Under `go`/`defer` only a replacement that is itself a call
            // keeps when things run (its arguments now, the call later).
            let deferred_ok = aspect.advice.wrap.is_none()
                && aspect.advice.replace.as_ref().is_none_or(|t| t.is_call);
            let skipped = (call.context != CallContext::Expr && !deferred_ok)
                .then(|| {
                    "the call is the operand of `go`/`defer`: wrapping it would change when it runs"
                        .to_string()
                })
                .or_else(|| unwritable(aspect, enclosing, pkg, file, call.line))
                .or_else(|| renames(aspect))
                .or_else(|| text.refusal(&file.text, aspect));
            let decision = out.decisions.len();
            out.decisions.push(Decision::at_target(
                index,
                call.line,
                &call.callee,
                &aspect.name,
                skipped.clone(),
            ));
            if skipped.is_some() {
                continue;
            }
            if let Some(t) = &aspect.advice.replace {
                // The call may have been the file's only use of its
                // package: keep the import used.
                let callee = &file.text[call.func_range.clone()];
                keep_import(&mut keep_imports, &cx.positions, t, callee);
            }
            for (lost, why) in text.advise(&cx, aspect, decision) {
                out.decisions[lost].skipped = Some(why);
            }
        }
        let done = first..out.decisions.len();
        if out.decisions[done.clone()]
            .iter()
            .any(|d| d.skipped.is_none())
        {
            let mut edit = Edit::replace(call.range.clone(), text.finish(&cx));
            edit.decisions = done;
            edits.push(edit);
        }
    }

    // Reference join points: value uses of package-level members.
    for r in &scan.refs {
        rules.match_ref(scope, &r.target, &mut ids)?;
        if ids.is_empty() {
            continue;
        }
        if r.enclosing.is_some_and(|i| scan.funcs[i].ignored) {
            continue;
        }
        let skipped = refs::skip_reason(r).or_else(|| {
            advised_literals
                .iter()
                .any(|l| l.start <= r.range.start && r.range.end <= l.end)
                .then_some(
                    "inside a composite literal advised with `set-field`: its fields are already advised",
                )
        });
        let mut text = file.text[r.range.clone()].to_string();
        let enclosing = r.enclosing.map(|i| &scan.funcs[i]);
        let mut any = false;
        let first = out.decisions.len();
        for &id in &ids {
            let aspect = cache.get(id)?;
            let skipped = skipped
                .map(str::to_string)
                .or_else(|| unwritable(&aspect, enclosing, pkg, file, r.line))
                .or_else(|| {
                    transparent::site_skip(
                        &cx,
                        &aspect,
                        r.enclosing,
                        r.range.start,
                        later_top_literals,
                    )
                });
            let applies = skipped.is_none();
            out.decisions.push(Decision::at_target(
                index,
                r.line,
                &r.target,
                &aspect.name,
                skipped,
            ));
            if !applies {
                continue;
            }
            any = true;
            if let Some(t) = &aspect.advice.replace {
                keep_import(
                    &mut keep_imports,
                    &cx.positions,
                    t,
                    &file.text[r.range.clone()],
                );
            }
            text = refs::ref_advice(&cx, &aspect, r, &text);
        }
        if any {
            text.push_str(&cx.positions.resume(r.range.end));
            let mut edit = Edit::replace(r.range.clone(), text);
            edit.decisions = first..out.decisions.len();
            edits.push(edit);
        }
    }

    if edits.is_empty() {
        return Ok(None);
    }
    if let Some(what) = edit::path_problem(&file.name) {
        return Err(WeaveError::Path {
            path: file.name.clone(),
            what,
        });
    }
    if !keep_imports.is_empty() {
        let end = file.text.len();
        let sep = if file.text.ends_with('\n') { "" } else { "\n" };
        edits.push(Edit::insert(
            end,
            format!("{sep}{}\n", keep_imports.join("\n")),
        ));
    }
    if let Some(edit) = cx.hoister.borrow().edit(&file.text) {
        edits.push(edit);
    }
    if let Some(edit) = cx.aliases.import_edit(scan) {
        edits.push(edit);
    }
    out.imports.extend(cx.aliases.added_paths());
    // Map the file to itself from its first byte, unless it already starts
    // with its own `//line` (cgo, cover): a directive further down (a
    // generated section) leaves the code above it unmapped otherwise.
    if !file.text.starts_with("//line ") {
        edits.push(Edit::insert(0, format!("//line {}:1:1\n", file.name)));
    }
    let mut groups: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for e in &edits {
        *groups
            .entry((e.decisions.start, e.decisions.end))
            .or_default() += 1;
    }
    let (text, dropped) =
        compose::apply(&file.text, edits).map_err(|compose::TooLarge(limit)| {
            WeaveError::TooLarge {
                file: file.name.clone(),
                limit,
            }
        })?;
    reparse::check(&text, index, file, &out.decisions)?;
    left_out(
        dropped,
        groups,
        &mut out.decisions,
        &cx.positions,
        &file.name,
    )?;
    Ok(Some(text))
}

/// `edits` carry out `decisions`.
fn tag(edits: &mut [Edit], decisions: std::ops::Range<usize>) {
    for e in edits {
        e.decisions = decisions.clone();
    }
}

/// The plan says which advice is not in the woven file: advice inside code
/// that other advice replaces without keeping it. Advice woven only in part
/// (some of its edits left out, or one overlapping another's) fails the
/// weave instead.
fn left_out(
    dropped: Vec<compose::Dropped>,
    mut groups: BTreeMap<(usize, usize), usize>,
    decisions: &mut [Decision],
    positions: &edit::Positions,
    file: &str,
) -> Result<(), WeaveError> {
    for d in &dropped {
        *groups
            .entry((d.edit.decisions.start, d.edit.decisions.end))
            .or_default() -= 1;
    }
    for d in &dropped {
        let mine = d.edit.decisions.clone();
        let partial = groups.get(&(mine.start, mine.end)).is_some_and(|n| *n > 0);
        if mine.is_empty() || d.straddles || partial {
            let (line, column) = positions.row_col(d.edit.range.start);
            let aspects: Vec<&str> = mine
                .chain(d.by.clone())
                .map(|i| decisions[i].aspect.as_str())
                .collect();
            return Err(WeaveError::Overlap {
                file: file.to_string(),
                line,
                column,
                aspects: aspects.join(", "),
                detail: if d.straddles {
                    "two edits overlap"
                } else {
                    "some of its edits sit in code other advice replaces"
                },
            });
        }
        let by: Vec<String> =
            d.by.clone()
                .filter(|&i| decisions[i].skipped.is_none())
                .map(|i| format!("`{}`", decisions[i].aspect))
                .collect();
        let reason = if by.is_empty() {
            "inside code that other advice replaces".to_string()
        } else {
            format!(
                "inside code that the advice of {} replaces without keeping this part",
                by.join(", ")
            )
        };
        for i in mine {
            if decisions[i].skipped.is_none() {
                decisions[i].skipped = Some(reason.clone());
            }
        }
    }
    Ok(())
}

/// `var _ = pkg.Name` at the end of the file: `replace` advice may drop the
/// file's only use of an import.
fn keep_import(keep: &mut Vec<String>, positions: &Positions, t: &Template, selector: &str) {
    let line = format!("{}var _ = {selector}", positions.mark(t));
    if !keep.contains(&line) {
        keep.push(line);
    }
}

pub(crate) fn aliases_used(aspect: &CheckedAspect) -> Vec<(String, String)> {
    let templates = aspect_templates(aspect);
    aspect
        .imports
        .iter()
        .filter(|i| {
            templates.iter().any(|t| {
                t.segments
                    .contains(&crate::check::Segment::Ident(i.alias.clone()))
            })
        })
        .map(|i| (i.alias.clone(), i.path.clone()))
        .collect()
}

pub(crate) fn aspect_templates(a: &CheckedAspect) -> Vec<&Template> {
    let adv = &a.advice;
    adv.before
        .iter()
        .chain(&adv.after)
        .chain(&adv.around)
        .chain(&adv.replace)
        .chain(&adv.wrap)
        .chain(&adv.append_args)
        .chain(adv.set_fields.iter().map(|s| &s.template))
        .collect()
}

/// `//line aspect.yaml:L:C` (where template `t` starts) before a line goaop
/// writes for `t`: at the start of a line, so any aspect file path `check`
/// accepts fits (it refuses line breaks, E0231).
pub(crate) fn line_directive(t: &Template) -> String {
    let (line, col) = t.start();
    format!("//line {}:{line}:{col}\n", t.origin.file)
}

/// Why `aspect` cannot be written at a join point in `f` (or at file
/// level), if it cannot: a placeholder inside a raw string literal whose
/// value the literal cannot hold. The other placeholders can always be
/// written (escaped in strings, neutralised in comments), and `check` kept
/// text placeholders out of code position.
fn unwritable(
    aspect: &CheckedAspect,
    f: Option<&FuncSite>,
    pkg: &PackageInfo,
    file: &SourceFile,
    line: u32,
) -> Option<String> {
    render::unwritable(&aspect_templates(aspect), &|name| {
        context_placeholder(name, f, pkg, file, line)
    })
}

/// The placeholders that describe where advice lands: the function (the
/// advised one, or the one enclosing a call), its package, file and line.
pub(crate) fn context_placeholder(
    name: &str,
    f: Option<&FuncSite>,
    pkg: &PackageInfo,
    file: &SourceFile,
    line: u32,
) -> Option<String> {
    Some(match name {
        "FuncName" => f.map(|f| f.name.clone()).unwrap_or_default(),
        "QualifiedName" => match f {
            Some(f) => match &f.receiver {
                Some(r) => format!("{}.{r}.{}", pkg.path, f.name),
                None => format!("{}.{}", pkg.path, f.name),
            },
            None => pkg.path.to_string(),
        },
        "Package" => pkg.path.to_string(),
        "Receiver" => f.and_then(|f| f.receiver.clone()).unwrap_or_default(),
        "Signature" => f.map(|f| f.signature.clone()).unwrap_or_default(),
        "File" => file
            .name
            .rsplit('/')
            .next()
            .unwrap_or(&file.name)
            .to_string(),
        "Line" => line.to_string(),
        _ => return None,
    })
}
