//! Function advice: `before` and `after` inserted after the body's `{`,
//! `around` split at its `{{.Body}}` into the text after the `{` and the
//! text before the closing `}` (the body's own bytes never move), with blank
//! parameters and unnamed results named when bindings need them, hygienic
//! names for what the advice declares, and `//line` maps.

use std::collections::{BTreeMap, BTreeSet};

use super::bind::{Bound, result_name};
use super::edit::{Edit, Positions};
use super::render::{Values, render, tidy_empty_zeros};
use super::{
    Applied, PackageInfo, SourceFile, aliases_used, context_placeholder, imports, line_directive,
};
use crate::check::template::BODY;
use crate::check::{CheckedAspect, Segment, Template};
use crate::scan::FuncSite;

/// The edits for one function: parameter and result renames, and the
/// advice inserted after the body's `{`.
#[allow(clippy::too_many_arguments)]
pub(super) fn function_edits(
    file: &SourceFile,
    site: &FuncSite,
    body: std::ops::Range<usize>,
    applied: &[Applied],
    pkg: &PackageInfo,
    positions: &Positions,
    aliases: &mut imports::Aliases<'_>,
    edits: &mut Vec<Edit>,
) {
    // Name the blank or unnamed parameters a binding needs; in a list of
    // unnamed parameters the others become `_` (Go wants all or none named).
    let mut names: BTreeMap<usize, &String> = BTreeMap::new();
    for a in applied {
        for (i, name) in &a.bound.param_renames {
            names.entry(*i).or_insert(name);
        }
    }
    if !names.is_empty() {
        for (i, p) in site.params.iter().enumerate() {
            match (&p.name_range, names.get(&i)) {
                (Some(r), Some(name)) => edits.push(Edit::replace(r.clone(), (*name).clone())),
                (None, name) if p.name.is_none() => {
                    let name = name.map_or("_", |n| n.as_str());
                    edits.push(Edit::insert(
                        unnamed_param_start(&file.text, p),
                        format!("{name} "),
                    ));
                }
                _ => {}
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

    let (body_start, body_end) = (body.start, body.end);
    let mut code = String::new();
    // The closing text of each `around`, innermost last.
    let mut closings: Vec<String> = Vec::new();
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
            derived_pending = "";
            code.push_str("defer func() { ");
            code.push_str(&tidy_empty_zeros(&render(t, &values, "\t")));
            code.push_str(" }()\n");
        }
        if let Some(t) = &a.aspect.advice.around {
            let (open, close) = around_parts(t, &values);
            code.push_str(&line_directive(t));
            code.push('\t');
            code.push_str(derived_pending);
            code.push_str(&open);
            code.push('\n');
            closings.push(close);
        }
        values.record_imports(aliases_used(a.aspect));
    }
    let at = body_start + 1;
    edits.push(Edit::insert(
        at,
        format!("\n{code}{}", positions.resume_line(at)),
    ));
    if !closings.is_empty() {
        // Before the body's `}`: the arounds' closing text, outermost last,
        // then back to the `}` itself.
        let end = body_end - 1;
        let mut text = String::new();
        if !file.text[..end].ends_with('\n') {
            text.push('\n');
        }
        for close in closings.iter().rev() {
            text.push_str(close);
            text.push('\n');
        }
        text.push_str(&positions.resume_line(end));
        edits.push(Edit::insert(end, text));
    }
}

/// An `around` template rendered and split at its `{{.Body}}`: the text
/// before it (trailing blanks dropped), and the text after it with its own
/// `//line` directive (the rest of the `{{.Body}}` line dropped when blank).
fn around_parts(t: &Template, values: &dyn Values) -> (String, String) {
    let at = t
        .segments
        .iter()
        .position(|s| matches!(s, Segment::Hole(h) if h == BODY))
        .unwrap_or(t.segments.len());
    let part = |segments: &[Segment]| Template {
        segments: segments.to_vec(),
        returns: Vec::new(),
        is_call: false,
        origin: t.origin.clone(),
    };
    let head = part(&t.segments[..at]);
    let tail = part(t.segments.get(at + 1..).unwrap_or_default());
    let open = tidy_empty_zeros(&render(&head, values, "\t"));
    let open = open.trim_end().to_string();
    // The line of `{{.Body}}` in the aspect file.
    let newlines: usize = head
        .segments
        .iter()
        .map(|s| match s {
            Segment::Lit(l) => l.matches('\n').count(),
            _ => 0,
        })
        .sum();
    let mut line = t.origin.line as usize + newlines;
    let rendered = tidy_empty_zeros(&render(&tail, values, "\t"));
    let rest = match rendered.split_once('\n') {
        Some((same_line, rest)) if same_line.trim().is_empty() => {
            line += 1;
            rest.to_string()
        }
        _ => format!("\t{}", rendered.trim_start()),
    };
    let close = format!("//line {}:{line}\n{}", t.origin.file, rest.trim_end());
    (open, close)
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

/// Where a name goes in front of an unnamed parameter: its type, or the
/// `...` of a variadic one.
fn unnamed_param_start(text: &str, p: &crate::scan::Param) -> usize {
    let start = p.type_range.start;
    if p.variadic {
        text[..start].rfind("...").unwrap_or(start)
    } else {
        start
    }
}
