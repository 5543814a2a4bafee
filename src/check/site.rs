//! Which kind of join point an aspect's advice is written for (a function
//! body, a call site, a reference), decided from what its pointcut names,
//! and the errors for advice that does not fit it.

use crate::diag::{Diagnostic, codes};
use crate::load::{self, RawAspect, Snippet};

/// The kind of join point an aspect's advice is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Site {
    Function,
    Call,
    Ref,
}

/// Whether some leaf of the pointcut satisfies `leaf` (no recursion: an
/// explicit stack of the nodes still to visit).
pub(super) fn mentions(p: &load::RawPointcut, leaf: &dyn Fn(&load::RawPointcut) -> bool) -> bool {
    use load::RawPointcut as P;
    let mut todo = vec![p];
    while let Some(p) = todo.pop() {
        match p {
            P::And(ps) | P::Or(ps) => todo.extend(ps),
            P::Not(a) => todo.push(a),
            other if leaf(other) => return true,
            _ => {}
        }
    }
    false
}

/// Function advice on call sites (or the reverse), `set-field` mixed with
/// call advice, and advice a reference cannot take are errors.
pub(super) fn check_advice_fits(raw: &RawAspect, site: Site, diags: &mut Vec<Diagnostic>) {
    let a = &raw.advice;
    let fields = a.set_fields.iter().map(|(_, s)| s);
    let call_advice = || a.replace.iter().chain(&a.wrap).chain(&a.append_args);
    let (wrong, which, help): (Vec<&Snippet>, &str, &str) = match site {
        Site::Call => {
            let body: Vec<&Snippet> = a.before.iter().chain(&a.after).chain(&a.around).collect();
            if body.is_empty()
                && let (Some(first), Some(field)) = (call_advice().next(), a.set_fields.first())
            {
                diags.push(
                    Diagnostic::error(
                        codes::ADVICE_MISMATCH,
                        "`set-field` cannot be combined with `replace`/`wrap`/`append-args` in one aspect",
                        first.span.clone(),
                        "advice for calls of a function",
                    )
                    .with_secondary(field.0.span.clone(), "advice for composite literals of a type")
                    .with_help("`set-field` rewrites composite literals `T{…}` of a type, the others rewrite calls `F(…)`: split them into two aspects"),
                );
                return;
            }
            (
                body,
                "`before`/`after`/`around` advice runs in function bodies, but this aspect selects call sites",
                "use `wrap: \"f({{.Call}})\"`, `replace`, `append-args` or `set-field` for call sites, or select functions with `target`",
            )
        }
        Site::Ref => (
            a.before
                .iter()
                .chain(&a.after)
                .chain(&a.around)
                .chain(&a.append_args)
                .chain(fields)
                .collect(),
            "a `ref` aspect only takes `wrap` (with `{{.Ref}}`) or `replace` advice",
            "wrap the reference, e.g. `wrap: \"otelhttp.NewTransport({{.Ref}})\"`, or select call sites with `call` for `append-args`/`set-field`",
        ),
        Site::Function => (
            call_advice().chain(fields).collect(),
            "call-site advice (`replace`/`wrap`/`append-args`/`set-field`) needs a `call` or `ref` pointcut",
            "select call sites with `call: \"database/sql.Open\"` (composite literals with `call: \"net/http.Client\"`), or use `before`/`after` for functions",
        ),
    };
    if let Some(s) = wrong.first() {
        diags.push(
            Diagnostic::error(
                codes::ADVICE_MISMATCH,
                which,
                s.span.clone(),
                "does not fit the join point",
            )
            .with_help(help),
        );
    }
}
