//! `set-field` advice on composite literals `pkg.T{…}`: a field the literal
//! sets by key gets its value replaced (`{{.Value}}` = the value as
//! written, its position kept with `/*line*/` comments), an absent field is
//! added after the last element (`{{.Value}}` = `nil`). Several aspects on
//! one literal compose: each sees the value the previous one wrote.

use super::aliases_used;
use super::compose::source;
use super::cx::FileCx;
use super::edit::Edit;
use super::site::SiteValues;
use crate::check::{CheckedAspect, Template};
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

/// The edits that apply `aspects` (all with `set-field` advice, in
/// application order) to the keyed literal `lit`.
pub(super) fn set_field_edits(
    cx: &FileCx,
    aspects: &[&CheckedAspect],
    lit: &CallSite,
    edits: &mut Vec<Edit>,
) {
    let positions = &cx.positions;
    let hidden = cx.locals_around(lit.enclosing);
    let mut fields: Vec<Field> = Vec::new();
    for aspect in aspects {
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
        return;
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
}
