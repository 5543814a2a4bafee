//! Call-site advice: `replace`, `wrap` (`{{.Call}}`) and `append-args`
//! (also after a spread `opts...`), with `/*line*/` comments so injected
//! text maps to its template and the original call keeps its position.
//!
//! The call's own text is never copied: it is written as references to the
//! original ([`super::compose::source`]), so advice on what the call holds
//! (a nested advised call, a function literal, a composite literal) stays
//! in it when advice wraps or replaces it.

use std::ops::Range;

use super::aliases_used;
use super::compose::source;
use super::cx::FileCx;
use super::site::SiteValues;
use crate::check::{CheckedAspect, Segment};
use crate::scan::CallSite;

/// Stands, in [`CallText::text`], for the call itself with the arguments
/// appended so far (not a reference: it never reaches the edit).
const OWN: &str = "\0own\0";

/// The advised text of one call, built aspect by aspect in order, each
/// advising the call as the earlier ones left it.
pub(super) struct CallText<'c> {
    call: &'c CallSite,
    text: String,
    /// Arguments appended so far, each with the decision that appended it.
    extras: Vec<(usize, String)>,
    /// The decisions whose `wrap`/`replace` shaped the text so far.
    shaped: Vec<usize>,
    /// Decisions whose advice a later `replace` left out.
    lost: Vec<usize>,
    /// The imports each decision's advice needs.
    imports: Vec<(usize, Vec<(String, String)>)>,
    /// The aspect that replaced the call, once one has.
    replaced_by: Option<String>,
}

impl<'c> CallText<'c> {
    pub fn new(call: &'c CallSite) -> Self {
        CallText {
            call,
            text: OWN.to_string(),
            extras: Vec::new(),
            shaped: Vec::new(),
            lost: Vec::new(),
            imports: Vec::new(),
            replaced_by: None,
        }
    }

    /// Whether `aspect` can advise the call as it is now, and if not why.
    pub fn refusal(&self, file: &str, aspect: &CheckedAspect) -> Option<String> {
        if aspect.advice.append_args.is_empty() {
            return None;
        }
        if let Some(by) = &self.replaced_by {
            return Some(format!(
                "aspect `{by}` replaced the call: there is no call left to append arguments to"
            ));
        }
        (self.call.spread && spread_operand(self.call, file).is_none()).then(|| {
            "the spread argument is not a plain variable: appending to it would evaluate it more than once"
                .to_string()
        })
    }

    /// Apply `aspect` (its [`Self::refusal`] is `None`), which carries out
    /// decision `decision`. Returns the earlier decisions whose advice this
    /// one's `replace` leaves out (it keeps neither `{{.Call}}` nor, for
    /// appended arguments, `{{.Args}}`), with why.
    pub fn advise(
        &mut self,
        cx: &FileCx,
        aspect: &CheckedAspect,
        decision: usize,
    ) -> Vec<(usize, String)> {
        let call = self.call;
        let hidden = cx.locals_around(call.enclosing);
        let values = SiteValues::new(cx, aspect, call.enclosing, call.line, &hidden.locals);
        let adv = &aspect.advice;
        let resume_call = cx.positions.resume(call.range.start);
        // `{{.Call}}` and `{{.Args}}` as the earlier aspects left them.
        let now = |me: &Self| {
            let own = me.arguments(cx, call.range.clone());
            let args = me.arguments(cx, inner(call));
            values
                .with(
                    "Call",
                    format!("{resume_call}{}", me.text.replace(OWN, &own)),
                )
                .with(
                    "Args",
                    format!("{}{args}", cx.positions.resume(inner(call).start)),
                )
        };
        if !adv.append_args.is_empty() {
            let values = now(self);
            let extra: Vec<String> = adv.append_args.iter().map(|t| values.render(t)).collect();
            self.extras.push((decision, extra.join(", ")));
        }
        let mut lost = Vec::new();
        if let Some(t) = &adv.replace {
            let keeps = |name: &str| t.segments.contains(&Segment::Hole(name.into()));
            if !keeps("Call") {
                lost.extend(self.shaped.iter().copied());
                if !keeps("Args") {
                    lost.extend(self.extras.iter().map(|(d, _)| *d));
                }
            }
            self.text = now(self).render(t);
            self.replaced_by = Some(aspect.name.clone());
            self.shaped.push(decision);
        }
        if let Some(t) = &adv.wrap {
            let wrapped = now(self).with("Call", format!("{resume_call}{}", self.text));
            self.text = wrapped.render(t);
            self.shaped.push(decision);
        }
        self.imports.push((decision, aliases_used(aspect)));
        lost.retain(|d| *d != decision && !self.lost.contains(d));
        lost.sort_unstable();
        lost.dedup();
        self.lost.extend(&lost);
        lost.into_iter()
            .map(|d| {
                let what = if self.shaped.contains(&d) {
                    "this advice out (its template has no `{{.Call}}`)"
                } else {
                    "out the arguments this advice appended (its template has neither `{{.Call}}` nor `{{.Args}}`)"
                };
                (
                    d,
                    format!(
                        "aspect `{}` replaced the call with code that leaves {what}",
                        aspect.name
                    ),
                )
            })
            .collect()
    }

    /// The edit's text; the imports of the advice it keeps are required.
    pub fn finish(self, cx: &FileCx) -> String {
        for (decision, imports) in &self.imports {
            if !self.lost.contains(decision) {
                for (alias, path) in imports {
                    cx.aliases.require(alias, path);
                }
            }
        }
        let own = self.arguments(cx, self.call.range.clone());
        let mut text = self.text.replace(OWN, &own);
        text.push_str(&cx.positions.resume(self.call.range.end));
        text
    }

    /// `range` of the call (the whole call, or its arguments inside the
    /// parentheses) with the appended arguments, as references.
    fn arguments(&self, cx: &FileCx, range: Range<usize>) -> String {
        if self.extras.is_empty() {
            return source(range);
        }
        let call = self.call;
        let extra: Vec<&str> = self.extras.iter().map(|(_, e)| e.as_str()).collect();
        let extra = extra.join(", ");
        let file = &cx.file.text;
        let (cut, middle) = match (call.args.last(), spread_operand(call, file)) {
            (None, _) => (inner(call).start..inner(call).start, extra),
            // `f(a, opts...)` → `f(a, append(opts[:len(opts):len(opts)], X)...)`:
            // the copy keeps `opts`' spare capacity the caller's.
            // `f(a, nil...)` passes no argument there: `f(a, X)`.
            (Some(last), Some("nil")) if call.spread => (last.clone(), extra),
            (Some(last), Some(op)) if call.spread => (
                last.clone(),
                format!("append({op}[:len({op}):len({op})], {extra})..."),
            ),
            (Some(last), _) => (last.end..last.end, format!(", {extra}")),
        };
        format!(
            "{}{middle}{}{}",
            source(range.start..cut.start),
            cx.positions.resume(cut.end),
            source(cut.end..range.end)
        )
    }
}

/// Inside the parentheses.
fn inner(call: &CallSite) -> Range<usize> {
    let start = call.args_range.start + 1;
    start..call.args_range.end.saturating_sub(1).max(start)
}

/// The operand of the spread last argument `opts...` when it is a plain
/// name or selector (`opts`, `s.opts`): evaluating it again has no effect.
fn spread_operand<'f>(call: &CallSite, file: &'f str) -> Option<&'f str> {
    let last = call.args.last()?;
    let op = file.get(last.clone())?.strip_suffix("...")?.trim_end();
    let plain = !op.is_empty()
        && op.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        });
    plain.then_some(op)
}
