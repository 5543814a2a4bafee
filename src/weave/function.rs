//! Function advice: `before` and `after` inserted after the body's `{`,
//! `around` split at its `{{.Body}}` into the text after the `{` and the
//! text before the closing `}` (the body's own bytes never move), with blank
//! parameters and unnamed results named when bindings need them (columns of
//! what follows resumed), hygienic names for what the advice declares, and
//! `//line` maps.
//!
//! When the advice adds a function literal (`after`'s deferred closure, a
//! literal that captures locals) to a function that has literals of its
//! own, the advice goes after the body instead, so the user's literals keep
//! their names (`F.func1`), in the "goto form":
//!
//! ```go
//! func F() (err error) { goto __goaop_enter; __goaop_body: {
//!     <original body, bytes unchanged>
//! }; return  // only when F has no results
//! __goaop_enter:
//!     <advice>
//!     goto __goaop_body
//! }
//! ```
//!
//! It is only used when wrapping the body in a block changes nothing: no
//! top-level statement of the body declares a name of F's signature
//! (`transparent` skips the aspect otherwise).

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::bind::{Bound, Shared, Surroundings, result_name};
use super::cx::FileCx;
use super::edit::Edit;
use super::hoist::Lifted;
use super::render::{Start, Values, render};
use super::{Applied, aliases_used, context_placeholder, line_directive, transparent};
use crate::check::template::BODY;
use crate::check::{CheckedAspect, Segment, Template};
use crate::scan::FuncSite;

/// Bind each aspect selected for `cx.scan.funcs[at]` and weave those that
/// apply; for each aspect, `None` when applied, else why not.
pub(super) fn advise(
    cx: &FileCx,
    at: usize,
    aspects: &[Rc<CheckedAspect>],
    around: &Surroundings,
    edits: &mut Vec<Edit>,
) -> Vec<Option<String>> {
    let scan = cx.scan;
    let site = &scan.funcs[at];
    let facts = cx.facts(at);
    let literals = cx.own_literals(at);
    let mut shared = Shared::default();
    let mut outcome = Vec::with_capacity(aspects.len());
    let mut applied = Vec::new();
    for aspect in aspects {
        let skip = transparent::function_skip(aspect, site, &facts, &literals)
            .or_else(|| super::unwritable(aspect, Some(site), cx.pkg, cx.file, site.line));
        let result = match skip {
            Some(why) => Err(why),
            None => super::bind::bind(aspect, site, around, &shared),
        };
        match result {
            Ok(bound) => {
                shared.absorb(&bound);
                applied.push(Applied { aspect, bound });
                outcome.push(None);
            }
            Err(why) => outcome.push(Some(why)),
        }
    }
    if let Some(body) = &site.body
        && !applied.is_empty()
    {
        let goto =
            !literals.is_empty() && applied.iter().any(|a| transparent::adds_literal(a.aspect));
        let layout = Layout {
            goto,
            terminates: facts.terminates,
        };
        function_edits(
            cx,
            site,
            body.clone(),
            &applied,
            &facts.locals,
            layout,
            edits,
        );
    }
    outcome
}

/// Where the advice goes.
#[derive(Clone, Copy)]
struct Layout {
    /// After the body (the goto form), not before it.
    goto: bool,
    /// The body never falls off its end (no `return` after it is needed).
    terminates: bool,
}

/// The edits for one function: parameter and result renames, and the
/// advice, after the body's `{` or (goto form) after the body.
fn function_edits(
    cx: &FileCx,
    site: &FuncSite,
    body: std::ops::Range<usize>,
    applied: &[Applied],
    locals: &BTreeSet<String>,
    layout: Layout,
    edits: &mut Vec<Edit>,
) {
    signature_edits(cx, site, applied, edits);
    let result_names: Vec<String> = (0..site.results.len())
        .map(|i| result_name(i, &site.results))
        .collect();
    let (body_start, body_end) = (body.start, body.end);
    let mut code = String::new();
    // The closing text of each `around`, innermost last.
    let mut closings: Vec<String> = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let no_locals = BTreeSet::new();
    for a in applied {
        let hygiene = hygienic_names(&a.aspect.idents.declared, &mut taken);
        let values = FuncValues {
            site,
            cx,
            aspect: a.aspect,
            bound: &a.bound,
            hygiene: &hygiene,
            result_names: &result_names,
            hidden: locals,
        };
        let package_level = FuncValues {
            hidden: &no_locals,
            ..values
        };
        let lift = |t: &Option<Template>| {
            t.as_ref().map(|t| {
                cx.hoister
                    .borrow_mut()
                    .lift(t, &package_level, cx.positions.mid_line(t))
            })
        };
        let advice = &a.aspect.advice;
        let lifted = [
            lift(&advice.before),
            lift(&advice.after),
            lift(&advice.around),
        ];
        let derived: Vec<String> = a
            .bound
            .derived
            .iter()
            .map(|(n, e)| format!("{n} := {e}"))
            .collect();
        // Derived bindings on a line of their own, at the position of the
        // aspect's first template.
        if let Some(first) = lifted.iter().flatten().next()
            && !derived.is_empty()
        {
            code.push_str(&line_directive(&first.template));
            code.push_str(&derived.join("; "));
            code.push('\n');
        }
        let render_at = |l: &Lifted| {
            let t = &l.template;
            render(t, &l.values(&values), cx.positions.start(t, true))
        };
        if let Some(l) = &lifted[0] {
            code.push_str(&render_at(l));
            code.push('\n');
        }
        if let Some(l) = &lifted[1] {
            // On lines of their own: the template's last line may end in a
            // line comment.
            code.push_str(&line_directive(&l.template));
            code.push_str("defer func() {\n");
            code.push_str(&render_at(l));
            code.push_str("\n}()\n");
        }
        if let Some(l) = &lifted[2] {
            let (open, close) = around_parts(&l.template, &l.values(&values), |t| {
                cx.positions.start(t, true)
            });
            code.push_str(&open);
            code.push('\n');
            closings.push(close);
        }
        values.record_imports(aliases_used(a.aspect));
    }
    let positions = &cx.positions;
    let at = body_start + 1;
    let end = body_end - 1;
    let newline = if cx.file.text[..end].ends_with('\n') {
        ""
    } else {
        "\n"
    };
    // The goto form closes its block on the line of the `}` when that line
    // holds only indentation.
    let on_own_line = cx.file.text[..end]
        .trim_end_matches([' ', '\t'])
        .ends_with('\n');
    if layout.goto {
        edits.push(Edit::insert(
            at,
            format!(
                " goto __goaop_enter; __goaop_body: {{{}",
                positions.resume(at)
            ),
        ));
        // Falling off the body returns, at the position of the closing `}`
        // (a body ending in `return`/`panic` never does: no unreachable
        // `return` for vet to flag).
        let ret = if site.results.is_empty() && !layout.terminates {
            format!(";{}return", positions.resume(end))
        } else {
            String::new()
        };
        edits.push(Edit::insert(
            end,
            format!(
                "{}}}{ret}\n__goaop_enter:\n{code}\tgoto __goaop_body\n{}",
                if on_own_line { "" } else { "\n" },
                positions.resume_line(end)
            ),
        ));
        return;
    }
    edits.push(Edit::insert(
        at,
        format!("\n{code}{}", positions.resume_line(at)),
    ));
    if !closings.is_empty() {
        // Before the body's `}`: the arounds' closing text, outermost last,
        // then back to the `}` itself.
        let mut text = newline.to_string();
        for close in closings.iter().rev() {
            text.push_str(close);
            text.push('\n');
        }
        text.push_str(&positions.resume_line(end));
        edits.push(Edit::insert(end, text));
    }
}

/// Name the blank or unnamed parameters a binding needs (in a list of
/// unnamed parameters the others become `_`: Go wants all or none named),
/// and the results when some advice needs them; every later token keeps
/// its column.
fn signature_edits(cx: &FileCx, site: &FuncSite, applied: &[Applied], edits: &mut Vec<Edit>) {
    let (text, positions) = (&cx.file.text, &cx.positions);
    let mut names: BTreeMap<usize, &String> = BTreeMap::new();
    for a in applied {
        for (i, name) in &a.bound.param_renames {
            names.entry(*i).or_insert(name);
        }
    }
    if !names.is_empty() {
        for (i, p) in site.params.iter().enumerate() {
            match (&p.name_range, names.get(&i)) {
                (Some(r), Some(name)) => edits.push(Edit::replace(
                    r.clone(),
                    format!("{name}{}", positions.resume(r.end)),
                )),
                (None, name) if p.name.is_none() => {
                    let name = name.map_or("_", |n| n.as_str());
                    let at = unnamed_param_start(text, p);
                    edits.push(Edit::insert(at, format!("{name} {}", positions.resume(at))));
                }
                _ => {}
            }
        }
    }
    if let (Some(name), Some(p)) = (
        applied.iter().find_map(|a| a.bound.receiver.as_ref()),
        &site.receiver_param,
    ) {
        edits.push(match &p.name_range {
            Some(r) => Edit::replace(r.clone(), format!("{name}{}", positions.resume(r.end))),
            None => Edit::insert(
                p.type_range.start,
                format!("{name} {}", positions.resume(p.type_range.start)),
            ),
        });
    }
    if applied.iter().any(|a| a.bound.name_results)
        && let Some(range) = &site.results_range
        && site.results.iter().any(|r| r.name.is_none())
    {
        let list: Vec<String> = site
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let n = result_name(i, &site.results);
                let ty = r.type_range.clone();
                format!("{n} {}{}", positions.resume(ty.start), &text[ty])
            })
            .collect();
        edits.push(Edit::replace(
            range.clone(),
            format!("({}){}", list.join(", "), positions.resume(range.end)),
        ));
    }
}

/// An `around` template rendered and split at its `{{.Body}}`: the text
/// before it and the text after it, each line after its own `//line` (the
/// blanks around `{{.Body}}` dropped).
fn around_parts(
    t: &Template,
    values: &dyn Values,
    start: impl Fn(&Template) -> Start,
) -> (String, String) {
    let at = t
        .segments
        .iter()
        .position(|s| matches!(s, Segment::Hole(h) if h == BODY))
        .unwrap_or(t.segments.len());
    let part = |range: std::ops::Range<usize>| Template {
        segments: t.segments.get(range.clone()).unwrap_or_default().to_vec(),
        places: t.places.get(range).unwrap_or_default().to_vec(),
        hoists: Vec::new(),
        ..t.clone()
    };
    let head = part(0..at);
    let tail = part(at + 1..t.segments.len());
    (
        render(&head, values, start(&head)),
        render(&tail, values, start(&tail)),
    )
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
#[derive(Clone, Copy)]
struct FuncValues<'a> {
    site: &'a FuncSite,
    cx: &'a FileCx<'a>,
    aspect: &'a CheckedAspect,
    bound: &'a Bound,
    hygiene: &'a BTreeMap<String, String>,
    result_names: &'a [String],
    /// Names that hide a file import where the text lands.
    hidden: &'a BTreeSet<String>,
}

impl FuncValues<'_> {
    fn record_imports(&self, used: Vec<(String, String)>) {
        for (alias, path) in used {
            self.cx.aliases.require(&alias, &path);
        }
    }
}

impl Values for FuncValues<'_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        if let Some(v) = context_placeholder(
            name,
            Some(self.site),
            self.cx.pkg,
            self.cx.file,
            self.site.line,
        ) {
            return Some(v);
        }
        Some(match name {
            "Self" => super::bind::self_value(self.site, self.bound.receiver.as_deref()),
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
            return self.cx.aliases.alias_for(&i.alias, &i.path, self.hidden);
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
