//! The short form `- { name: tracing, target: … }`: an aspect without
//! advice of its own names a bundled base aspect, whose advice (and what it
//! needs) it borrows with its own pointcut, order and vars.

use crate::bundled;
use crate::diag::{Diagnostic, Sources, codes, did_you_mean};
use crate::load::RawAspect;

/// Whether an aspect gives advice of its own (without: the short form).
pub(super) fn has_advice(raw: &RawAspect) -> bool {
    let a = &raw.advice;
    a.before.is_some()
        || a.after.is_some()
        || a.around.is_some()
        || a.replace.is_some()
        || a.wrap.is_some()
        || !a.append_args.is_empty()
        || !a.set_fields.is_empty()
}

/// The bundled base aspects the short form borrows from, added to `sources`.
pub(super) fn load_base(sources: &mut Sources) -> Vec<RawAspect> {
    let mut out = Vec::new();
    for file in bundled::BASE {
        let id = sources.add(file.path, file.text);
        out.extend(super::load_file(sources, id).0.aspects);
    }
    out
}

/// The short form `- { name: tracing, target: … }`: the bundled aspect's
/// advice (and what it needs) with the user's pointcut and order.
pub(super) fn borrow_bundled(
    raw: RawAspect,
    base: &[RawAspect],
    diags: &mut Vec<Diagnostic>,
) -> Option<RawAspect> {
    let Some(found) = base.iter().find(|b| b.name.value == raw.name.value) else {
        let help = match did_you_mean(&raw.name.value, base.iter().map(|b| b.name.value.as_str())) {
            Some(s) => format!(
                "did you mean the bundled aspect `{s}`? Otherwise give this aspect advice with `before:`/`after:`"
            ),
            None => format!(
                "an aspect without advice must name a bundled aspect ({}); otherwise add `before:` (or `template:`) with the Go statements to inject",
                base.iter()
                    .map(|b| format!("`{}`", b.name.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diags.push(
            Diagnostic::error(
                codes::UNKNOWN_BUNDLED,
                format!(
                    "aspect `{}` has no advice and no bundled aspect has that name",
                    raw.name.value
                ),
                raw.name.span.clone(),
                "no advice to borrow",
            )
            .with_help(help),
        );
        return None;
    };
    let mut vars = found.vars.clone();
    for (k, v) in raw.vars {
        vars.retain(|(bk, _)| bk.value != k.value);
        vars.push((k, v));
    }
    Some(RawAspect {
        pointcut: raw.pointcut.or_else(|| found.pointcut.clone()),
        order: raw.order.or_else(|| found.order.clone()),
        tests: raw.tests.or_else(|| found.tests.clone()),
        vars,
        name: raw.name,
        span: raw.span,
        ..found.clone()
    })
}
