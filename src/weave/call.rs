//! Call-site advice: `replace`, `wrap` (`{{.Call}}`) and `append-args`
//! (also after a spread `opts...`), with `/*line*/` comments so injected
//! text maps to its template and the original call keeps its position.

use super::aliases_used;
use super::cx::FileCx;
use super::site::SiteValues;
use crate::check::CheckedAspect;
use crate::scan::CallSite;

/// Apply one call-site aspect to the (possibly already advised) call text.
pub(super) fn call_advice(
    cx: &FileCx,
    aspect: &CheckedAspect,
    call: &CallSite,
    current: &str,
) -> String {
    let (file, positions) = (cx.file, &cx.positions);
    // Injected code maps to the template that wrote it; the original call
    // (and its arguments) keep their own positions.
    let inner = call.args_range.start + 1
        ..call
            .args_range
            .end
            .saturating_sub(1)
            .max(call.args_range.start + 1);
    let args_text = file.text.get(inner.clone()).unwrap_or("");
    // After a value, rendering resumes the template's own position.
    let args = format!("{}{args_text}", positions.resume(inner.start));
    let hidden = cx.locals_around(call.enclosing);
    let values = SiteValues::new(cx, aspect, call.enclosing, call.line, &hidden.locals)
        .with("Call", current.to_string())
        .with("Args", String::new());
    let resume_call = positions.resume(call.range.start);
    let mut text = current.to_string();
    if let Some(t) = &aspect.advice.replace {
        text = values.with("Args", args.clone()).render(t);
    }
    if let Some(t) = &aspect.advice.wrap {
        let wrapped = values
            .with("Call", format!("{resume_call}{text}"))
            .with("Args", args);
        text = wrapped.render(t);
    }
    if !aspect.advice.append_args.is_empty() {
        let extra: Vec<String> = aspect
            .advice
            .append_args
            .iter()
            .map(|t| values.render(t))
            .collect();
        text = append_args(&text, call, &file.text, &extra.join(", "));
    }
    for (alias, path) in aliases_used(aspect) {
        cx.aliases.require(&alias, &path);
    }
    text
}

/// Add arguments at the end of a call (`f(a)` → `f(a, X)`); a spread last
/// argument `opts...` becomes `append(opts[:len(opts):len(opts)], X)...`.
fn append_args(current: &str, call: &CallSite, src: &str, extra: &str) -> String {
    // Only the original call's own argument list is rewritten; when an
    // earlier advice wrapped the call, the original text is found inside.
    let original = &src[call.range.clone()];
    let Some(at) = current.rfind(original) else {
        return current.to_string();
    };
    let args_start = call.args_range.start - call.range.start;
    let args = &original[args_start..];
    let inner = args[1..args.len() - 1].trim_end();
    let inner = inner.strip_suffix(',').unwrap_or(inner).trim_end();
    let new_args = if call.arg_count == 0 {
        format!("({extra})")
    } else if call.spread {
        let Some(spread) = inner.strip_suffix("...") else {
            return current.to_string();
        };
        let last_start = last_argument_start(spread);
        let last = spread[last_start..].trim();
        format!(
            "({}append({last}[:len({last}):len({last})], {extra})...)",
            &spread[..last_start]
        )
    } else {
        format!("({inner}, {extra})")
    };
    format!(
        "{}{}{}{}",
        &current[..at],
        &original[..args_start],
        new_args,
        &current[at + original.len()..]
    )
}

/// Byte offset where the last top-level argument of an argument list starts.
fn last_argument_start(args: &str) -> usize {
    let mut depth = 0i32;
    let mut last = 0;
    let mut chars = args.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => last = i + 1,
            '"' | '\'' | '`' => {
                let quote = c;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && quote != '`' {
                        chars.next();
                    } else if d == quote {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    last
}
