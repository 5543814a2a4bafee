//! Finding the `{{.Name}}` placeholders of a template (reporting malformed
//! and unknown ones), and replacing them by neutral identifiers of the same
//! length so the text parses as Go with every byte offset kept.

use super::catalogue::site_note;
use super::*;

/// Find every `{{ .Name }}`, reporting malformed and unknown ones.
pub(super) fn find_placeholders(
    snippet: &Snippet,
    form: Form,
    what: &str,
    scope: &Scope,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Placeholder>> {
    let text = &snippet.text;
    let mut out = Vec::new();
    let mut ok = true;
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| i + at) {
        // A placeholder closes on its own line, before any other `{{`.
        let line_end = text[open..].find('\n').map_or(text.len(), |i| i + open);
        let close = text[open..line_end]
            .find("}}")
            .map(|i| i + open + 2)
            .filter(|&c| !text[open + 2..c - 2].contains("{{"));
        let Some(close) = close else {
            diags.push(
                Diagnostic::error(
                    codes::BAD_PLACEHOLDER,
                    format!("unclosed placeholder in {what}"),
                    snippet.file_span(open..open + 2),
                    "this `{{` has no matching `}}` on its line",
                )
                .with_help("write placeholders as `{{.Name}}`, on one line"),
            );
            return None;
        };
        let inner = text[open + 2..close - 2].trim();
        let name = inner.strip_prefix('.').unwrap_or("");
        if !is_go_ident(name) {
            diags.push(
                Diagnostic::error(
                    codes::BAD_PLACEHOLDER,
                    format!("malformed placeholder `{}` in {what}", &text[open..close]),
                    snippet.file_span(open..close),
                    "expected `{{.Name}}`",
                )
                .with_help("goaop placeholders are a dot and a name, e.g. `{{.FuncName}}`; pipelines and functions are not supported"),
            );
            ok = false;
        } else if name == BODY && form != Form::Around {
            diags.push(
                Diagnostic::error(
                    codes::BODY_OUTSIDE_AROUND,
                    format!("`{{{{.Body}}}}` in {what}"),
                    snippet.file_span(open..close),
                    "only `around` advice has a body placeholder",
                )
                .with_help("to run code around the function's statements, move this advice to `around:` (`around { … }` in the DSL); `before`/`after` run before and after the body without naming it"),
            );
            ok = false;
        } else if name != BODY && !is_known(name, scope) {
            let mut builtins: Vec<&str> = BUILTIN_PLACEHOLDERS.to_vec();
            // `around` advice has one more: the function's statements.
            if form == Form::Around {
                builtins.push(BODY);
            }
            let mut known = builtins.clone();
            // did_you_mean looks at a bounded number of candidates.
            known.extend(
                scope
                    .placeholders
                    .iter()
                    .map(String::as_str)
                    .take(crate::diag::MAX_SUGGEST_CANDIDATES),
            );
            known.extend(scope.site);
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(s) => format!(
                    "did you mean `{{{{.{s}}}}}`? Or declare it as a constant: `vars: {{ {name}: \"…\" }}`"
                ),
                None => format!(
                    "declare it as a constant of the aspect: `vars: {{ {name}: \"…\" }}` (built-in placeholders: {})",
                    builtins
                        .iter()
                        .chain(scope.site)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let mut d = Diagnostic::error(
                codes::UNKNOWN_PLACEHOLDER,
                format!("unknown placeholder `{{{{.{name}}}}}` in {what}"),
                snippet.file_span(open..close),
                "not a built-in placeholder, a `vars` key or a `requires` key",
            )
            .with_help(help);
            if let Some(note) = site_note(name) {
                d = d.with_note(format!("`{{{{.{name}}}}}` {note}"));
            }
            diags.push(d);
            ok = false;
        }
        out.push(Placeholder {
            range: open..close,
            name: name.to_string(),
        });
        at = close;
    }
    ok.then_some(out)
}

/// For each placeholder, whether it stands alone between two `'` (a rune
/// literal when in code); a quote counts for one placeholder only.
pub(super) fn rune_wrapped(text: &str, placeholders: &[Placeholder]) -> Vec<bool> {
    let mut free_from = 0;
    placeholders
        .iter()
        .map(|p| {
            let w = p.range.start > free_from && holes::rune_wrapped(text, &p.range);
            if w {
                free_from = p.range.end + 1;
            }
            w
        })
        .collect()
}

/// Replace each placeholder by an identifier of the same byte length (a
/// placeholder between two `'`, quotes included, by a one-character rune
/// literal in parentheses, see [`holes::rune_neutral`]).
pub(super) fn neutralise(text: &str, placeholders: &[Placeholder], wrapped: &[bool]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (p, &w) in placeholders.iter().zip(wrapped) {
        if w {
            out.push_str(&text[at..p.range.start - 1]);
            out.push_str(&holes::rune_neutral(p.range.len() + 2));
            at = p.range.end + 1;
            continue;
        }
        out.push_str(&text[at..p.range.start]);
        let len = p.range.len();
        let mut ident = format!("__{}", p.name);
        ident.truncate(len);
        while ident.len() < len {
            ident.push('_');
        }
        out.push_str(&ident);
        at = p.range.end;
    }
    out.push_str(&text[at..]);
    out
}
