//! Expanding snippets: `{{snippet "name" P="value"}}` in an aspect's advice
//! becomes the text of the file's snippet `name` (DESIGN §4; issue #12.2).
//!
//! A snippet is Go text defined once per file (`snippets:` in YAML,
//! `snippet name(P) { … }` in the DSL) and included by any advice of that
//! file, also by other snippets. Expansion runs before the aspect is
//! checked, so the expanded advice is checked like text written in place,
//! and every diagnostic inside a snippet points at the snippet's own line:
//! a use stands on a line of its own and is replaced by whole lines, so the
//! line mapping of [`Snippet`] stays exact.
//!
//! Arguments become the aspect's template constants (`vars`): the snippet
//! refers to `P` as `{{.P}}`, and the value is checked against each use
//! like any var (E0208). Two uses giving one parameter different values in
//! one aspect, or an argument named like one of the aspect's own vars, are
//! errors. Every snippet is expanded at most once per chain (a cycle is an
//! error) and the expanded advice is capped at [`MAX_ADVICE_BYTES`].

use std::collections::{HashMap, HashSet};

use crate::diag::{Diagnostic, Span, Spanned, codes, did_you_mean};
use crate::load::snippet_use::{SnippetUse, find_uses};
use crate::load::{
    MAX_ADVICE_BYTES, MAX_FILE_BYTES, MAX_NESTING, RawAspect, RawFile, RawSnippet, Snippet,
    UNMAPPED, split_arguments,
};

use super::names::aspect_name_problem;
use super::template::{BODY, BUILTIN_PLACEHOLDERS, is_go_ident};

/// Placeholder names a parameter may not take: goaop fills them in.
const SITE_PLACEHOLDERS: &[&str] = &["Call", "Args", "Context", "Value", "Ref", BODY];

/// Expand every snippet use in `raw`'s aspects. An aspect whose expansion
/// fails is dropped (its errors are reported here, so that `check` does not
/// report the unexpanded use again as a malformed placeholder).
pub fn expand(raw: &mut RawFile, diags: &mut Vec<Diagnostic>) {
    if raw.snippets.is_empty() && !raw.aspects.iter().any(uses_snippets) {
        return;
    }
    let defs = definitions(&raw.snippets, diags);
    let mut x = Expander {
        defs: &defs,
        memo: HashMap::new(),
        used: HashSet::new(),
        unused: Vec::new(),
        diags,
        failed: false,
    };
    let aspects = std::mem::take(&mut raw.aspects);
    let mut kept = Vec::new();
    // Expanded advice is checked like text written in place: in all, it
    // may not exceed what one file may hold.
    let mut budget = MAX_FILE_BYTES as usize;
    let mut over_budget = false;
    for mut aspect in aspects {
        x.failed = false;
        let mut args: Args = Vec::new();
        for text in aspect.advice.texts_mut() {
            if let Some((expanded, used)) = x.text(text, &mut Vec::new()) {
                if expanded.text.len() > budget && !x.failed && !over_budget {
                    over_budget = true;
                    x.error(
                        Diagnostic::error(
                            codes::SNIPPET_USE,
                            format!(
                                "expanding snippets makes this file's advice larger than {} MiB in all",
                                MAX_FILE_BYTES >> 20
                            ),
                            text.span.clone(),
                            "expanded here",
                        )
                        .with_help("include large snippets in fewer aspects, or write the shared code as a Go function the advice calls"),
                    );
                    budget = 0;
                }
                if over_budget {
                    x.failed = true;
                }
                budget = budget.saturating_sub(expanded.text.len());
                *text = expanded;
                args.extend(used);
            }
        }
        // `append-args` holds one expression per entry: a snippet may
        // stand for several, as written in place.
        if aspect
            .advice
            .append_args
            .iter()
            .any(|a| a.text.contains(','))
        {
            let split: Vec<Snippet> = aspect
                .advice
                .append_args
                .iter()
                .flat_map(split_arguments)
                .collect();
            aspect.advice.append_args = split;
        }
        let failed = x.failed || !lower_args(&mut aspect, args, x.diags);
        if !failed {
            kept.push(aspect);
        }
    }
    // A snippet no advice includes is still checked for what expansion
    // alone can tell (unknown snippets, cycles, arguments).
    let clean = x.diags.iter().all(|d| !d.is_error());
    for s in raw.snippets.iter().filter(|_| clean) {
        if defs.contains_key(s.name.value.as_str()) && !x.used.contains(&s.name.value) {
            x.used.insert(s.name.value.clone());
            x.unused.push(s.name.value.clone());
            let _ = x.text(&s.body, &mut vec![s.name.value.clone()]);
        }
    }
    let unused: HashSet<String> = x.unused.drain(..).collect();
    let mut warnings = Vec::new();
    for s in &raw.snippets {
        if unused.contains(&s.name.value) {
            warnings.push(
                Diagnostic::warning(
                    codes::UNUSED_SNIPPET,
                    format!("snippet `{}` is never used", s.name.value),
                    s.name.span.clone(),
                    "defined here",
                )
                .with_help(format!(
                    "include it in an advice with `{{{{snippet \"{}\"}}}}`, or remove it",
                    s.name.value
                )),
            );
        }
    }
    diags.extend(warnings);
    raw.aspects = kept;
}

fn uses_snippets(a: &RawAspect) -> bool {
    a.advice.texts().any(|t| !find_uses(&t.text).is_empty())
}

/// A snippet use's arguments: (parameter, value), spanned in the file.
type Args = Vec<(Spanned<String>, Spanned<String>)>;

/// A snippet as uses see it.
struct Def<'a> {
    raw: &'a RawSnippet,
    /// Its valid parameters.
    params: Vec<&'a str>,
    /// A parameter was invalid (reported at the definition): uses fail
    /// without reporting more.
    broken: bool,
}

/// The file's snippets by name; problems with names and parameters are
/// reported here, once.
fn definitions<'a>(
    snippets: &'a [RawSnippet],
    diags: &mut Vec<Diagnostic>,
) -> HashMap<&'a str, Def<'a>> {
    let mut out: HashMap<&str, Def> = HashMap::new();
    for s in snippets {
        if let Some(problem) = aspect_name_problem(&s.name.value) {
            diags.push(
                Diagnostic::error(codes::BAD_ASPECT_NAME, "invalid snippet name", s.name.span.clone(), problem)
                    .with_help("name snippets like aspects: letters, digits, `-`, `_` and `.`, e.g. `flush-spans`"),
            );
            continue;
        }
        if let Some(first) = out.get(s.name.value.as_str()) {
            diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    format!("two snippets are named `{}`", s.name.value),
                    s.name.span.clone(),
                    "second definition",
                )
                .with_secondary(first.raw.name.span.clone(), "first defined here")
                .with_help("snippet names are unique within a file: rename one of them"),
            );
            continue;
        }
        let mut def = Def {
            raw: s,
            params: Vec::new(),
            broken: false,
        };
        for p in &s.params {
            let problem = if !is_go_ident(&p.value) {
                Some("not a Go identifier".to_string())
            } else if BUILTIN_PLACEHOLDERS.contains(&p.value.as_str())
                || SITE_PLACEHOLDERS.contains(&p.value.as_str())
            {
                Some(format!("`{{{{.{}}}}}` is a built-in placeholder", p.value))
            } else if def.params.contains(&p.value.as_str()) {
                Some("given twice".to_string())
            } else {
                None
            };
            match problem {
                Some(problem) => {
                    def.broken = true;
                    diags.push(
                        Diagnostic::error(
                            codes::SNIPPET_ARGS,
                            format!("invalid parameter `{}` of snippet `{}`", p.value, s.name.value),
                            p.span.clone(),
                            problem,
                        )
                        .with_help("parameters are used as `{{.Name}}`: name each once, with letters, digits and `_`, and not like a built-in placeholder"),
                    );
                }
                None => def.params.push(&p.value),
            }
        }
        out.insert(&s.name.value, def);
    }
    out
}

struct Expander<'a, 'd> {
    defs: &'a HashMap<&'a str, Def<'a>>,
    /// Each snippet's expansion with the arguments of the uses inside it
    /// (`None`: it failed, and said why once). Computed once per file, so a
    /// snippet included many times costs one expansion.
    memo: HashMap<String, Option<(Snippet, Args)>>,
    /// Snippets some advice includes (for W0006), misplaced uses included.
    used: HashSet<String>,
    /// Snippets no advice includes, in file order.
    unused: Vec<String>,
    diags: &'d mut Vec<Diagnostic>,
    /// An error since the flag was last cleared (errors of a memoised
    /// expansion count again for every aspect that uses it).
    failed: bool,
}

impl Expander<'_, '_> {
    fn error(&mut self, d: Diagnostic) {
        self.failed = true;
        self.diags.push(d);
    }

    /// `text` with its uses expanded, and their arguments; `None` when it
    /// has none or an error was reported. `chain`: the snippets being
    /// expanded, outermost first.
    fn text(&mut self, text: &Snippet, chain: &mut Vec<String>) -> Option<(Snippet, Args)> {
        let uses = find_uses(&text.text);
        if uses.is_empty() {
            return None;
        }
        let total_lines = text.text.split('\n').count();
        let mut out = String::new();
        let mut args = Args::new();
        // The file offset of each line of `out`, while every piece has an
        // exact mapping.
        let mut starts: Vec<usize> = Vec::new();
        // Lines of a text without an exact mapping (a quoted YAML string)
        // stay unmapped; the snippets' own lines keep theirs.
        let line_of = |i: usize| text.line_starts.get(i).copied().unwrap_or(UNMAPPED);
        let mut copied = 0; // bytes of `text` copied so far (a line start)
        let mut line = 0; // index of the line at `copied`
        let mut ok = true;
        for u in uses {
            let u = match u {
                Ok(u) => u,
                Err(m) => {
                    self.error(
                        Diagnostic::error(
                            codes::SNIPPET_USE,
                            "malformed snippet use",
                            text.file_span(m.range.clone()),
                            format!("expected {}", m.expected),
                        )
                        .with_help("include a snippet as `{{snippet \"name\"}}`, with `Param=\"value\"` for each of its parameters, on a line of its own"),
                    );
                    ok = false;
                    continue;
                }
            };
            let line_start = text.text[..u.range.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text.text[u.range.end..]
                .find('\n')
                .map_or(text.text.len(), |i| i + u.range.end);
            let alone = text.text[line_start..u.range.start].trim().is_empty()
                && text.text[u.range.end..line_end].trim().is_empty();
            if !alone {
                self.used.insert(u.name.clone());
                self.error(
                    Diagnostic::error(
                        codes::SNIPPET_USE,
                        format!("snippet `{}` is used inside a line", u.name),
                        text.file_span(u.range.clone()),
                        "not on a line of its own",
                    )
                    .with_help("a snippet stands for whole lines: put `{{snippet …}}` on a line of its own (the snippet's text may be an expression, a statement list or a whole function literal)"),
                );
                ok = false;
                continue;
            }
            let Some((body, inner)) = self.one(text, &u, chain, &mut args) else {
                ok = false;
                continue;
            };
            if !ok {
                continue;
            }
            args.extend(inner);
            // The lines before the use, then the snippet's lines in its place.
            let before = &text.text[copied..line_start];
            let before_lines = before.matches('\n').count();
            out.push_str(before);
            starts.extend((line..line + before_lines).map(line_of));
            let body_text = body.text.strip_suffix('\n').unwrap_or(&body.text);
            if out.len() + body_text.len() > MAX_ADVICE_BYTES {
                self.error(
                    Diagnostic::error(
                        codes::SNIPPET_USE,
                        format!(
                            "expanding snippets makes this text larger than {} KiB",
                            MAX_ADVICE_BYTES / 1024
                        ),
                        text.file_span(u.range.clone()),
                        "expanded here",
                    )
                    .with_help("a snippet that includes others several times grows exponentially: include each piece once"),
                );
                return None;
            }
            out.push_str(body_text);
            let body_lines = body_text.split('\n').count();
            starts.extend(
                (0..body_lines).map(|i| body.line_starts.get(i).copied().unwrap_or(UNMAPPED)),
            );
            copied = line_end;
            if line_end < text.text.len() {
                out.push('\n');
                copied += 1;
            }
            line += before_lines + 1;
        }
        if !ok {
            return None;
        }
        out.push_str(&text.text[copied..]);
        starts.extend((line..total_lines).map(line_of));
        if starts.iter().all(|&s| s == UNMAPPED) {
            starts.clear();
        }
        Some((Snippet::new(out, text.span.clone(), starts), args))
    }

    /// The expanded text of the snippet `u` includes, with the arguments of
    /// the uses inside it; `u`'s own arguments are checked and added to
    /// `args`.
    fn one(
        &mut self,
        text: &Snippet,
        u: &SnippetUse,
        chain: &mut Vec<String>,
        args: &mut Args,
    ) -> Option<(Snippet, Args)> {
        let defs = self.defs;
        let Some(def) = defs.get(u.name.as_str()) else {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_SNIPPET,
                format!("unknown snippet `{}`", u.name),
                text.file_span(u.name_range.clone()),
                "no snippet of this name in this file",
            );
            d = match did_you_mean(&u.name, defs.keys().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("define it in the same file: `snippets:` (YAML) or `snippet NAME { … }` (DSL); snippets are not shared across files"),
            };
            self.error(d);
            return None;
        };
        let name = &def.raw.name.value;
        self.used.insert(name.clone());
        if let Some(i) = chain.iter().position(|n| n == name) {
            let cycle: Vec<&str> = chain[i..]
                .iter()
                .map(String::as_str)
                .chain([name.as_str()])
                .collect();
            self.error(
                Diagnostic::error(
                    codes::SNIPPET_CYCLE,
                    format!("snippet `{name}` includes itself"),
                    text.file_span(u.range.clone()),
                    "included again here",
                )
                .with_secondary(def.raw.name.span.clone(), "defined here")
                .with_note(format!("the chain: {}", cycle.join(" → ")))
                .with_help(
                    "a snippet cannot include itself, directly or through others: break the cycle",
                ),
            );
            return None;
        }
        if chain.len() >= MAX_NESTING {
            self.error(
                Diagnostic::error(
                    codes::SNIPPET_USE,
                    format!("snippets nested more than {MAX_NESTING} deep"),
                    text.file_span(u.range.clone()),
                    "included here",
                )
                .with_note(format!(
                    "the chain starts: {} → …",
                    chain[..4.min(chain.len())].join(" → ")
                ))
                .with_help("a snippet may include others, up to 64 levels: flatten the chain"),
            );
            return None;
        }
        if !self.arguments(text, u, def, args) {
            return None;
        }
        if def.broken {
            self.failed = true;
            return None;
        }
        if !self.memo.contains_key(name) {
            chain.push(name.clone());
            let before = self.failed;
            self.failed = false;
            let expanded = match self.text(&def.raw.body, chain) {
                Some(x) => Some(x),
                None if self.failed => None,
                None => Some((def.raw.body.clone(), Args::new())),
            };
            self.failed |= before;
            chain.pop();
            self.memo.insert(name.clone(), expanded);
        }
        let memo = self.memo[name].clone();
        if memo.is_none() {
            self.failed = true;
        }
        memo
    }

    /// Every parameter given once, nothing else.
    fn arguments(&mut self, text: &Snippet, u: &SnippetUse, def: &Def, args: &mut Args) -> bool {
        let mut ok = true;
        let mut given: HashSet<&str> = HashSet::new();
        let name = &def.raw.name;
        for a in &u.args {
            let problem = if !def.params.contains(&a.name.as_str()) {
                let help = match did_you_mean(&a.name, def.params.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if def.params.is_empty() => {
                        format!("snippet `{}` takes no parameters", name.value)
                    }
                    None => format!("its parameters are {}", quoted(&def.params)),
                };
                let msg = format!("snippet `{}` has no parameter `{}`", name.value, a.name);
                Some((msg, "not a parameter", help))
            } else if !given.insert(&a.name) {
                let msg = format!("`{}` is given twice", a.name);
                Some((msg, "given again", format!("give `{}` once", a.name)))
            } else if a.value.contains("{{") {
                let msg = format!("the value of `{}` holds a placeholder", a.name);
                let help = "argument values are text, written as they are: a placeholder in one is not expanded (snippets do not forward parameters); write the placeholder in the snippet's text".to_string();
                Some((msg, "not expanded", help))
            } else {
                None
            };
            if let Some((msg, label, help)) = problem {
                self.error(
                    Diagnostic::error(
                        codes::SNIPPET_ARGS,
                        msg,
                        text.file_span(a.name_range.clone()),
                        label,
                    )
                    .with_secondary(name.span.clone(), "defined here")
                    .with_help(help),
                );
                ok = false;
                continue;
            }
            args.push((
                Spanned::new(a.name.clone(), text.file_span(a.name_range.clone())),
                Spanned::new(a.value.clone(), text.file_span(a.value_range.clone())),
            ));
        }
        let missing: Vec<&str> = def
            .params
            .iter()
            .copied()
            .filter(|p| !given.contains(p))
            .collect();
        if !missing.is_empty() {
            let example: Vec<String> = missing.iter().map(|p| format!("{p}=\"…\"")).collect();
            self.error(
                Diagnostic::error(
                    codes::SNIPPET_ARGS,
                    format!("snippet `{}` needs {}", name.value, quoted(&missing)),
                    text.file_span(u.range.clone()),
                    "missing arguments",
                )
                .with_secondary(name.span.clone(), "defined here")
                .with_help(format!(
                    "give every parameter: `{{{{snippet \"{}\" {}}}}}`",
                    name.value,
                    example.join(" ")
                )),
            );
            ok = false;
        }
        ok
    }
}

/// Arguments become the aspect's vars: one value per name.
fn lower_args(aspect: &mut RawAspect, args: Args, diags: &mut Vec<Diagnostic>) -> bool {
    let mut ok = true;
    let own: HashMap<String, Span> = aspect
        .vars
        .iter()
        .map(|(k, _)| (k.value.clone(), k.span.clone()))
        .collect();
    let mut given: HashMap<String, Spanned<String>> = HashMap::new();
    for (name, value) in args {
        if let Some(var) = own.get(&name.value) {
            ok = false;
            diags.push(
                Diagnostic::error(
                    codes::SNIPPET_ARGS,
                    format!("argument `{}` would shadow the aspect's var `{}`", name.value, name.value),
                    name.span.clone(),
                    "snippet argument",
                )
                .with_secondary(var.clone(), "the aspect's var")
                .with_help("snippet arguments become the aspect's template constants: rename the var or the snippet's parameter"),
            );
            continue;
        }
        match given.get(&name.value) {
            Some(first) if first.value != value.value => {
                ok = false;
                diags.push(
                Diagnostic::error(
                    codes::SNIPPET_ARGS,
                    format!("`{}` is given two different values in aspect `{}`", name.value, aspect.name.value),
                    value.span.clone(),
                    format!("`{}` here", value.value),
                )
                .with_secondary(first.span.clone(), format!("`{}` here", first.value))
                .with_help("snippet arguments become the aspect's template constants, one value per aspect: give the parameters different names, or split the aspect"),
                );
            }
            Some(_) => {}
            None => {
                given.insert(name.value.clone(), value.clone());
                aspect.vars.push((name, value));
            }
        }
    }
    ok
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
