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
    /// The aspect that replaced the call, once one has.
    replaced_by: Option<String>,
}

impl<'c> CallText<'c> {
    pub fn new(call: &'c CallSite) -> Self {
        CallText {
            call,
            text: OWN.to_string(),
            extras: Vec::new(),
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
    /// decision `decision`. Returns the decisions whose appended arguments
    /// a `replace` without `{{.Args}}` dropped.
    pub fn advise(&mut self, cx: &FileCx, aspect: &CheckedAspect, decision: usize) -> Vec<usize> {
        let call = self.call;
        let hidden = cx.locals_around(call.enclosing);
        let values = SiteValues::new(cx, aspect, call.enclosing, call.line, &hidden.locals);
        let adv = &aspect.advice;
        if !adv.append_args.is_empty() {
            let extra: Vec<String> = adv.append_args.iter().map(|t| values.render(t)).collect();
            self.extras.push((decision, extra.join(", ")));
        }
        let args = format!(
            "{}{}",
            cx.positions.resume(inner(call).start),
            self.arguments(cx, inner(call))
        );
        let mut lost = Vec::new();
        if let Some(t) = &adv.replace {
            self.text = values.with("Args", args.clone()).render(t);
            self.replaced_by = Some(aspect.name.clone());
            if !t.segments.contains(&Segment::Hole("Args".into())) {
                lost = self
                    .extras
                    .iter()
                    .map(|(d, _)| *d)
                    .filter(|d| *d != decision)
                    .collect();
            }
        }
        if let Some(t) = &adv.wrap {
            let resume = cx.positions.resume(call.range.start);
            let wrapped = values
                .with("Call", format!("{resume}{}", self.text))
                .with("Args", args);
            self.text = wrapped.render(t);
        }
        for (alias, path) in aliases_used(aspect) {
            cx.aliases.require(&alias, &path);
        }
        lost
    }

    /// The edit's text.
    pub fn finish(self, cx: &FileCx) -> String {
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
