//! `set-field` advice on composite literals `pkg.T{…}`: a field the literal
//! sets by key gets its value replaced (`{{.Value}}` = the value as
//! written, its position kept with `/*line*/` comments), an absent field is
//! added after the last element (`{{.Value}}` = `nil`). Several aspects on
//! one literal compose: each sees the value the previous one wrote, and one
//! that sets a field again without `{{.Value}}` discards the earlier values:
//! the plan says so (advice left with none of its values is skipped, and
//! advice left with only some of them fails the weave).

use super::aliases_used;
use super::compose::source;
use super::cx::FileCx;
use super::edit::Edit;
use super::site::SiteValues;
use crate::check::{CheckedAspect, Segment, Template};
use crate::scan::CallSite;

/// Why a literal's fields cannot be set by name, if they cannot.
pub(super) fn unsettable(lit: &CallSite) -> Option<&'static str> {
    if lit.elements.iter().any(|e| !e.keyed) {
        return Some("positional (unkeyed) composite literal: fields cannot be set by name");
    }
    if lit.elements.iter().any(|e| e.key.is_none()) {
        return Some("the literal's keys are not field names (a map or slice literal?)");
    }
    None
}

/// One field being rewritten: its element (if the literal sets it) and the
/// text it gets.
struct Field<'t> {
    name: &'t str,
    element: Option<usize>,
    /// The first template that set it (for the `//line` of an insertion).
    first: &'t Template,
    text: String,
}

/// Advice some of whose values a later aspect's `set-field` discards (it
/// sets the same field without `{{.Value}}`) while others are kept: woven,
/// it would be there in part.
pub(super) struct PartlyKept {
    /// Indices in `aspects`: the advice, and the one that discards its value.
    pub aspect: usize,
    pub by: usize,
}

/// For each of `aspects` (in application order), the later aspect that
/// discards its values, when it discards all of them: decided from the
/// templates alone, before anything is rendered, so that advice left out
/// adds no import.
fn discarded(aspects: &[&CheckedAspect]) -> Result<Vec<Option<usize>>, PartlyKept> {
    // Field name -> the aspects whose values it holds so far.
    let mut holders: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut lost: Vec<Vec<usize>> = vec![Vec::new(); aspects.len()];
    for (a, aspect) in aspects.iter().enumerate() {
        for set in &aspect.advice.set_fields {
            let keeps = set
                .template
                .segments
                .contains(&Segment::Hole("Value".into()));
            let i = match holders.iter().position(|(f, _)| *f == set.field) {
                Some(i) => i,
                None => {
                    holders.push((&set.field, Vec::new()));
                    holders.len() - 1
                }
            };
            let held = &mut holders[i].1;
            if !keeps {
                for earlier in held.drain(..).filter(|e| *e != a) {
                    lost[earlier].push(a);
                }
            }
            if !held.contains(&a) {
                held.push(a);
            }
        }
    }
    lost.iter()
        .enumerate()
        .map(|(a, by)| match by.last() {
            None => Ok(None),
            Some(&last) if by.len() < aspects[a].advice.set_fields.len() => Err(PartlyKept {
                aspect: a,
                by: last,
            }),
            Some(&last) => Ok(Some(last)),
        })
        .collect()
}

/// The edits that apply `aspects` (all with `set-field` advice, in
/// application order) to the keyed literal `lit`. Returns the aspects
/// (indices in `aspects`) none of whose values are kept, each with why:
/// they are not rendered, nor their imports added.
pub(super) fn set_field_edits(
    cx: &FileCx,
    aspects: &[&CheckedAspect],
    lit: &CallSite,
    edits: &mut Vec<Edit>,
) -> Result<Vec<(usize, String)>, PartlyKept> {
    let positions = &cx.positions;
    let hidden = cx.locals_around(lit.enclosing);
    let discarded = discarded(aspects)?;
    let mut fields: Vec<Field> = Vec::new();
    let mut gone = Vec::new();
    for (a, aspect) in aspects.iter().enumerate() {
        if let Some(by) = discarded[a] {
            gone.push((
                a,
                format!(
                    "aspect `{}` sets the same field again without `{{{{.Value}}}}`: this advice's value is not kept",
                    aspects[by].name
                ),
            ));
            continue;
        }
        let values = SiteValues::new(cx, aspect, lit.enclosing, lit.line, &hidden.locals);
        for set in &aspect.advice.set_fields {
            let t = &set.template;
            let element = lit
                .elements
                .iter()
                .position(|e| e.key.as_deref() == Some(set.field.as_str()));
            let known = fields.iter().position(|f| f.name == set.field);
            let current = match (known, element) {
                (Some(i), _) => fields[i].text.clone(),
                (None, Some(e)) => {
                    let v = lit.elements[e].value.clone();
                    format!("{}{}", positions.resume(v.start), source(v))
                }
                (None, None) => "nil".to_string(),
            };
            let text = values.with("Value", current).render(t);
            match known {
                Some(i) => fields[i].text = text,
                None => fields.push(Field {
                    name: &set.field,
                    element,
                    first: t,
                    text,
                }),
            }
        }
        for (alias, path) in aliases_used(aspect) {
            cx.aliases.require(&alias, &path);
        }
    }
    let mut added = Vec::new();
    for f in &fields {
        match f.element {
            Some(e) => {
                let v = lit.elements[e].value.clone();
                let text = format!("{}{}", f.text, positions.resume(v.end));
                edits.push(Edit::replace(v, text));
            }
            None => added.push(format!("{}{}: {}", positions.mark(f.first), f.name, f.text)),
        }
    }
    if added.is_empty() {
        return Ok(gone);
    }
    let added = added.join(", ");
    match lit.args.last() {
        // `T{a: x}` / `T{\n a: x,\n}` → `T{a: x, F: v}` / `T{\n a: x, F: v,\n}`.
        Some(last) => edits.push(Edit::insert(
            last.end,
            format!(", {added}{}", positions.resume(last.end)),
        )),
        // `T{}` → `T{F: v,}`: the comma keeps a multi-line `T{\n}` valid.
        None => {
            let at = lit.args_range.start + 1;
            edits.push(Edit::insert(
                at,
                format!("{added},{}", positions.resume(at)),
            ));
        }
    }
    Ok(gone)
}
