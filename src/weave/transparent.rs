//! What advice must not change in the user's program (DESIGN §11), decided
//! per join point before anything is woven: where an advice cannot keep
//! it, the join point is skipped for that aspect with a reason `goaop plan`
//! prints, never silently changed.
//!
//! - The compiler names closures `F.func1`, `F.func2`… in textual order, so
//!   a function literal the advice adds before F's own renames them. Hoisted
//!   literals (see `hoist`) add none; the rest (`after`'s deferred closure,
//!   literals that capture locals) are woven after F's body (the "goto
//!   form", see `function`) when wrapping the body in a block changes
//!   nothing, else F is skipped for that aspect.
//! - `around` runs the body in a closure: its frame is no longer F's, so
//!   `recover()`, `t.Helper()`, `runtime.Caller` depths and the names of its
//!   literals would change. Such functions are skipped.
//! - An `around` whose `{{.Body}}` sits in a literal with a different number
//!   of results than F would not compile: skipped.
//! - An `around` whose `{{.Body}}` sits in a block (`if c {`, `{`, a
//!   `case`) moves the body's top-level declarations into it: a `v, err :=`
//!   there declares a new `err` instead of assigning F's result. Functions
//!   whose body does that are skipped.

use crate::check::CheckedAspect;
use crate::scan::{BodyFacts, FuncSite};

use super::bind::{display_name, results_text};
use super::cx::FileCx;

/// Whether the aspect's function advice puts a function literal into the
/// function (after hoisting): `after` is deferred in a closure, and
/// templates may keep literals that capture locals.
pub(super) fn adds_literal(aspect: &CheckedAspect) -> bool {
    let a = &aspect.advice;
    a.after.is_some() || a.before.iter().chain(&a.around).any(|t| t.local_literal)
}

/// Why `aspect` cannot advise `site` without changing what the program
/// observes, if it cannot. `literals` are the names of `site`'s own
/// function literals, in order.
pub(super) fn function_skip(
    aspect: &CheckedAspect,
    site: &FuncSite,
    facts: &BodyFacts,
    literals: &[&str],
) -> Option<String> {
    let func = display_name(site);
    if let Some(t) = &aspect.advice.around {
        if let Some(first) = literals.first() {
            return Some(format!(
                "`around` runs the body in a function literal, and {func} has function literals of its own ({first} would be renamed)"
            ));
        }
        let frame = |what: &str| {
            Some(format!(
                "`around` runs the body in a function literal: {what}"
            ))
        };
        if facts.recovers {
            return frame(&format!(
                "its `recover()` would no longer recover {func}'s panics"
            ));
        }
        if facts.helper {
            return frame(
                "its `t.Helper()` would mark the literal, and test failures would be reported at the wrong line",
            );
        }
        if facts.caller {
            return frame("its `runtime.Caller`/`runtime.Callers` would count one more frame");
        }
        if let Some(n) = t.body_results
            && n != site.results.len()
        {
            let values = match n {
                0 => "nothing".to_string(),
                1 => "1 value".to_string(),
                n => format!("{n} values"),
            };
            return Some(format!(
                "the `around` advice runs the body in a function literal that returns {values}, {func} returns {}",
                results_text(&site.results)
            ));
        }
    }
    if let Some(t) = &aspect.advice.around
        && t.unterminated
        && !site.results.is_empty()
    {
        return Some(format!(
            "the `around` advice's statements do not end where the body does ({func} returns {}): the woven function would not end in a `return` (Go rejects it: missing return), and the advice's text after `{{{{.Body}}}}` would never run",
            results_text(&site.results)
        ));
    }
    if let (Some(t), Some(name)) = (&aspect.advice.around, &facts.redeclared)
        && t.body_nested
    {
        return Some(format!(
            "the `around` advice puts the body inside a block, and {func}'s body declares `{name}` at its top level with `:=`: there it would declare a new `{name}` instead of assigning {func}'s own"
        ));
    }
    if let (Some(first), Some(name)) = (literals.first(), &facts.redeclared)
        && adds_literal(aspect)
    {
        return Some(format!(
            "the advice adds a function literal before {func}'s own ({first} would become {}), and {func}'s body redeclares `{name}` at its top level",
            next_name(first)
        ));
    }
    None
}

/// `F.func1` → `F.func2`.
pub(super) fn next_name(name: &str) -> String {
    match name.rsplit_once(".func") {
        Some((head, n)) => match n.parse::<u32>() {
            Ok(n) => format!("{head}.func{}", n + 1),
            Err(_) => name.to_string(),
        },
        None => name.to_string(),
    }
}

/// Why site advice (a call, reference or composite literal at byte `at`
/// inside `funcs[enclosing]`, or at package level) cannot be woven without
/// renaming a user's literal, if it cannot: the advice keeps a function
/// literal there and a literal of the same function follows the site.
/// `later_files` says whether a later file of the package has
/// package-level literals (they are numbered across files).
pub(super) fn site_skip(
    cx: &FileCx,
    aspect: &CheckedAspect,
    enclosing: Option<usize>,
    at: usize,
    later_files: bool,
) -> Option<String> {
    if !super::aspect_templates(aspect)
        .iter()
        .any(|t| t.local_literal)
    {
        return None;
    }
    let next = cx.literal_from(enclosing, at);
    let funcs = &cx.scan.funcs;
    let owner = match enclosing.and_then(|i| funcs.get(i)) {
        Some(f) => format!("{}'s", display_name(f)),
        None => "the package's variable initialisers'".to_string(),
    };
    match next {
        Some(f) => Some(format!(
            "the advice adds a function literal before {owner} own ({} would become {})",
            f.name,
            next_name(&f.name)
        )),
        None if enclosing.is_none() && later_files => Some(format!(
            "the advice adds a function literal before {owner} own (in a later file of the package)"
        )),
        None => None,
    }
}
