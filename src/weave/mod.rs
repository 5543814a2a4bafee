//! Stage 5 — weave: one Go package's files × a compiled rule set → woven
//! files, plus a decision for every join point an aspect selected.
//!
//! Weaving is a pure function of (package files, rule set): it never runs
//! `go`, so the toolexec backend and a future `-overlay` driver can both call
//! it (DESIGN §10). Output is byte-offset [`edit`]s on the original text,
//! with `//line` directives so that every original token keeps its file,
//! line and column, and injected code maps to the aspect file that wrote it.

pub mod bind;
pub mod edit;
pub mod imports;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::check::{CheckedAspect, Template};
use crate::compile::{PackageScope, RuleSetRef};
use crate::scan::{CallContext, CallKind, CallSite, FuncSite, ScannedFile, Scanner};
use bind::{Bound, Surroundings, display_name, result_name};
use edit::{Edit, Positions};
use render::{Values, render, tidy_empty_zeros};

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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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

/// Errors that stop weaving (a corrupt rule set); problems with the user's
/// code are never errors: the file is left alone.
#[derive(Debug, thiserror::Error)]
pub enum WeaveError {
    #[error("rule set: {0}")]
    RuleSet(String),
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
    let mut out = WovenPackage {
        files: vec![None; files.len()],
        ..Default::default()
    };
    let scope = rules.packages(pkg.path, pkg.main_module)?;
    if scope.is_empty() {
        return Ok(out);
    }
    let mut scanner = Scanner::new();
    let scanned: Vec<ScannedFile> = files
        .iter()
        .map(|f| scanner.scan(f.text.as_bytes()))
        .collect();
    let package_names: BTreeSet<String> = scanned
        .iter()
        .flat_map(|s| s.top_level.iter().cloned())
        .collect();
    let mut aspects = AspectCache::new(rules);
    for (i, (file, scan)) in files.iter().zip(&scanned).enumerate() {
        if scan.has_errors || scan.package_range.is_none() {
            continue; // the compiler reports the user's own error, unchanged
        }
        let woven = weave_file(
            i,
            file,
            scan,
            pkg,
            &scope,
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
struct Applied<'c> {
    aspect: &'c CheckedAspect,
    bound: Bound,
}

#[allow(clippy::too_many_arguments)]
fn weave_file(
    index: usize,
    file: &SourceFile,
    scan: &ScannedFile,
    pkg: &PackageInfo,
    scope: &PackageScope,
    rules: &RuleSetRef,
    cache: &mut AspectCache,
    package_names: &BTreeSet<String>,
    out: &mut WovenPackage,
) -> Result<Option<String>, WeaveError> {
    let positions = Positions::new(&file.text, &file.name);
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
    let mut aliases = imports::Aliases::new(scan, package_names, &file.text);
    let mut edits = Vec::new();
    let mut ids = Vec::new();

    // Function join points.
    for site in &scan.funcs {
        let Some(body) = &site.body else { continue };
        if site.ignored {
            continue;
        }
        rules.match_function(scope, &site.signature, &mut ids)?;
        if ids.is_empty() {
            continue;
        }
        let mut decoded = Vec::new();
        for &id in &ids {
            decoded.push(cache.get(id)?);
        }
        let mut applied = Vec::new();
        for aspect in &decoded {
            let result = bind::bind(aspect, site, &around);
            out.decisions.push(Decision {
                file: index,
                line: site.line,
                site: display_name(site),
                signature: site.signature.clone(),
                aspect: aspect.name.clone(),
                skipped: result.as_ref().err().cloned(),
            });
            if let Ok(bound) = result {
                applied.push(Applied { aspect, bound });
            }
        }
        if applied.is_empty() {
            continue;
        }
        function_edits(
            file,
            site,
            body.start,
            &applied,
            pkg,
            &positions,
            &mut aliases,
            &mut edits,
        );
    }

    // Call-site join points.
    let mut keep_imports: Vec<String> = Vec::new();
    for call in &scan.calls {
        if call.kind != CallKind::Call {
            continue;
        }
        rules.match_call(scope, &call.callee, &mut ids)?;
        if ids.is_empty() {
            continue;
        }
        let enclosing = call.enclosing.map(|i| &scan.funcs[i]);
        if enclosing.is_some_and(|f| f.ignored) {
            continue;
        }
        let mut text = file.text[call.range.clone()].to_string();
        let mut any = false;
        for &id in &ids {
            let aspect = cache.get(id)?;
            let wraps = aspect.advice.wrap.is_some() || aspect.advice.replace.is_some();
            let skipped = (wraps && call.context != CallContext::Expr).then(|| {
                "the call is the operand of `go`/`defer`: wrapping it would change when it runs"
                    .to_string()
            });
            out.decisions.push(Decision {
                file: index,
                line: call.line,
                site: call.callee.clone(),
                signature: call.callee.clone(),
                aspect: aspect.name.clone(),
                skipped: skipped.clone(),
            });
            if skipped.is_some() {
                continue;
            }
            if let Some(t) = &aspect.advice.replace {
                // The call may have been the file's only use of its
                // package: keep the import used.
                let callee = &file.text[call.func_range.clone()];
                let keep = format!(
                    "/*line {}:{}:1*/var _ = {callee}",
                    t.origin.file, t.origin.line
                );
                if !keep_imports.contains(&keep) {
                    keep_imports.push(keep);
                }
            }
            text = call_advice(
                &aspect,
                call,
                &text,
                file,
                pkg,
                enclosing,
                &positions,
                &mut aliases,
            );
            any = true;
        }
        if any {
            text.push_str(&positions.resume(call.range.end));
            edits.push(Edit::replace(call.range.clone(), text));
        }
    }

    if edits.is_empty() {
        return Ok(None);
    }
    if !keep_imports.is_empty() {
        let end = file.text.len();
        let sep = if file.text.ends_with('\n') { "" } else { "\n" };
        edits.push(Edit::insert(
            end,
            format!("{sep}{}\n", keep_imports.join("\n")),
        ));
    }
    if let Some(edit) = aliases.import_edit(scan) {
        edits.push(edit);
    }
    out.imports.extend(aliases.added_paths());
    if !positions.has_directives() {
        edits.push(Edit::insert(0, format!("//line {}:1:1\n", file.name)));
    }
    let (text, dropped) = edit::apply(&file.text, edits);
    for d in dropped {
        // Overlapping edits come from a call nested in another advised call.
        let line = positions.at(d.range.start).1;
        if let Some(dec) = out
            .decisions
            .iter_mut()
            .rev()
            .find(|x| x.file == index && x.line == line && x.skipped.is_none())
        {
            dec.skipped = Some("nested inside another advised call".to_string());
        }
    }
    Ok(Some(text))
}

/// The edits for one function: parameter and result renames, and the
/// advice inserted after the body's `{`.
#[allow(clippy::too_many_arguments)]
fn function_edits(
    file: &SourceFile,
    site: &FuncSite,
    body_start: usize,
    applied: &[Applied],
    pkg: &PackageInfo,
    positions: &Positions,
    aliases: &mut imports::Aliases<'_>,
    edits: &mut Vec<Edit>,
) {
    // Rename blank parameters that a binding needs.
    let mut renamed = BTreeSet::new();
    for a in applied {
        for (i, name) in &a.bound.param_renames {
            if renamed.insert(*i)
                && let Some(r) = &site.params[*i].name_range
            {
                edits.push(Edit::replace(r.clone(), name.clone()));
            }
        }
    }
    // Name the results when some advice needs them.
    let result_names: Vec<String> = (0..site.results.len())
        .map(|i| result_name(i, &site.results))
        .collect();
    if applied.iter().any(|a| a.bound.name_results)
        && let Some(range) = &site.results_range
        && site.results.iter().any(|r| r.name.is_none())
    {
        let list: Vec<String> = site
            .results
            .iter()
            .zip(&result_names)
            .map(|(r, n)| format!("{n} {}", &file.text[r.type_range.clone()]))
            .collect();
        edits.push(Edit::replace(
            range.clone(),
            format!("({})", list.join(", ")),
        ));
    }

    let mut code = String::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for a in applied {
        let hygiene = hygienic_names(&a.aspect.idents.declared, &mut taken);
        let values = FuncValues {
            site,
            pkg,
            file,
            aspect: a.aspect,
            bound: &a.bound,
            hygiene,
            result_names: &result_names,
            aliases,
        };
        let derived: String = a
            .bound
            .derived
            .iter()
            .map(|(n, e)| format!("{n} := {e}; "))
            .collect();
        let mut derived_pending = derived.as_str();
        if let Some(t) = &a.aspect.advice.before {
            code.push_str(&line_directive(t));
            code.push('\t');
            code.push_str(derived_pending);
            derived_pending = "";
            code.push_str(&tidy_empty_zeros(&render(t, &values, "\t")));
            code.push('\n');
        }
        if let Some(t) = &a.aspect.advice.after {
            code.push_str(&line_directive(t));
            code.push('\t');
            code.push_str(derived_pending);
            code.push_str("defer func() { ");
            code.push_str(&tidy_empty_zeros(&render(t, &values, "\t")));
            code.push_str(" }()\n");
        }
        values.record_imports(aliases_used(a.aspect));
    }
    let at = body_start + 1;
    edits.push(Edit::insert(
        at,
        format!("\n{code}{}", positions.resume(at)),
    ));
}

fn aliases_used(aspect: &CheckedAspect) -> Vec<(String, String)> {
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

fn aspect_templates(a: &CheckedAspect) -> Vec<&Template> {
    let adv = &a.advice;
    adv.before
        .iter()
        .chain(&adv.after)
        .chain(&adv.replace)
        .chain(&adv.wrap)
        .chain(&adv.append_args)
        .collect()
}

fn line_directive(t: &Template) -> String {
    format!("//line {}:{}\n", t.origin.file, t.origin.line)
}

/// Hygienic names for what an aspect declares: `span` becomes
/// `__goaop_span`, or `__goaop2_span` when an earlier aspect on the same
/// function already declared a `span`, so they never collide.
fn hygienic_names(declared: &[String], taken: &mut BTreeSet<String>) -> BTreeMap<String, String> {
    declared
        .iter()
        .map(|name| {
            let mut n = 1;
            let mut candidate = format!("__goaop_{name}");
            while taken.contains(&candidate) {
                n += 1;
                candidate = format!("__goaop{n}_{name}");
            }
            taken.insert(candidate.clone());
            (name.clone(), candidate)
        })
        .collect()
}

/// Placeholder and identifier values for function advice.
struct FuncValues<'a, 'b> {
    site: &'a FuncSite,
    pkg: &'a PackageInfo<'a>,
    file: &'a SourceFile,
    aspect: &'a CheckedAspect,
    bound: &'a Bound,
    hygiene: BTreeMap<String, String>,
    result_names: &'a [String],
    aliases: &'b imports::Aliases<'b>,
}

impl FuncValues<'_, '_> {
    fn record_imports(&self, used: Vec<(String, String)>) {
        for (alias, path) in used {
            self.aliases.require(&alias, &path);
        }
    }
}

impl Values for FuncValues<'_, '_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        if let Some(v) =
            context_placeholder(name, Some(self.site), self.pkg, self.file, self.site.line)
        {
            return Some(v);
        }
        Some(match name {
            "Zeros" => {
                let n = self.result_names.len().saturating_sub(1);
                self.result_names[..n].join(", ")
            }
            other => {
                if let Some(v) = self.aspect.vars.get(other) {
                    v.clone()
                } else {
                    self.bound.names.get(other)?.clone()
                }
            }
        })
    }

    fn ident(&self, name: &str) -> String {
        if let Some(b) = self.bound.names.get(name) {
            return b.clone();
        }
        if let Some(i) = self.aspect.imports.iter().find(|i| i.alias == name) {
            return self.aliases.alias_for(&i.alias, &i.path);
        }
        if let Some(h) = self.hygiene.get(name) {
            return h.clone();
        }
        name.to_string()
    }
}

/// The placeholders that describe where advice lands: the function (the
/// advised one, or the one enclosing a call), its package, file and line.
fn context_placeholder(
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

/// Apply one call-site aspect to the (possibly already advised) call text.
#[allow(clippy::too_many_arguments)]
fn call_advice(
    aspect: &CheckedAspect,
    call: &CallSite,
    current: &str,
    file: &SourceFile,
    pkg: &PackageInfo,
    enclosing: Option<&FuncSite>,
    positions: &Positions,
    aliases: &mut imports::Aliases<'_>,
) -> String {
    let values = CallValues {
        call: current,
        pkg,
        file,
        aspect,
        enclosing,
        line: call.line,
        aliases,
    };
    // Injected code maps to the template that wrote it; the original call
    // keeps its own position.
    let back = |t: &Template| format!("/*line {}:{}:1*/", t.origin.file, t.origin.line);
    let resume_call = positions.resume(call.range.start);
    let mut text = current.to_string();
    if let Some(t) = &aspect.advice.replace {
        text = format!("{}{}", back(t), render(t, &values, ""));
    }
    if let Some(t) = &aspect.advice.wrap {
        let inner = CallValues {
            call: &format!("{resume_call}{text}{}", back(t)),
            ..values
        };
        text = format!("{}{}", back(t), render(t, &inner, ""));
    }
    if let Some(first) = aspect.advice.append_args.first() {
        let extra: Vec<String> = aspect
            .advice
            .append_args
            .iter()
            .map(|t| render(t, &values, ""))
            .collect();
        text = append_args(&text, call, &file.text, &extra.join(", "), &back(first));
    }
    for (alias, path) in aliases_used(aspect) {
        aliases.require(&alias, &path);
    }
    text
}

/// Add arguments at the end of a call (`f(a)` → `f(a, X)`); a spread last
/// argument `opts...` becomes `append(opts[:len(opts):len(opts)], X)...`.
fn append_args(current: &str, call: &CallSite, src: &str, extra: &str, back: &str) -> String {
    // Only the original call's own argument list is rewritten; when an
    // earlier advice wrapped the call, the original text is found inside.
    let original = &src[call.range.clone()];
    let Some(at) = current.rfind(original) else {
        return current.to_string();
    };
    let args_start = call.args_range.start - call.range.start;
    let args = &original[args_start..];
    let inner = args[1..args.len() - 1].trim_end();
    let inner = inner.strip_suffix(',').unwrap_or(inner).trim_end();
    let new_args = if call.arg_count == 0 {
        format!("({back}{extra})")
    } else if call.spread {
        let Some(spread) = inner.strip_suffix("...") else {
            return current.to_string();
        };
        let last_start = last_argument_start(spread);
        let last = spread[last_start..].trim();
        format!(
            "({}{back}append({last}[:len({last}):len({last})], {extra})...)",
            &spread[..last_start]
        )
    } else {
        format!("({inner}, {back}{extra})")
    };
    format!(
        "{}{}{}{}",
        &current[..at],
        &original[..args_start],
        new_args,
        &current[at + original.len()..]
    )
}

/// Byte offset where the last top-level argument of an argument list starts.
fn last_argument_start(args: &str) -> usize {
    let mut depth = 0i32;
    let mut last = 0;
    let mut chars = args.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => last = i + 1,
            '"' | '\'' | '`' => {
                let quote = c;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && quote != '`' {
                        chars.next();
                    } else if d == quote {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    last
}

struct CallValues<'a, 'b> {
    call: &'a str,
    pkg: &'a PackageInfo<'a>,
    file: &'a SourceFile,
    aspect: &'a CheckedAspect,
    enclosing: Option<&'a FuncSite>,
    line: u32,
    aliases: &'b imports::Aliases<'b>,
}

impl Clone for CallValues<'_, '_> {
    fn clone(&self) -> Self {
        CallValues { ..*self }
    }
}

impl Values for CallValues<'_, '_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        if let Some(v) = context_placeholder(name, self.enclosing, self.pkg, self.file, self.line) {
            return Some(v);
        }
        Some(match name {
            "Call" => self.call.to_string(),
            other => self.aspect.vars.get(other)?.clone(),
        })
    }

    fn ident(&self, name: &str) -> String {
        if let Some(i) = self.aspect.imports.iter().find(|i| i.alias == name) {
            return self.aliases.alias_for(&i.alias, &i.path);
        }
        if self.aspect.idents.declared.iter().any(|d| d == name) {
            return format!("__goaop_{name}");
        }
        name.to_string()
    }
}
