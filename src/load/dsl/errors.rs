//! pest syntax errors turned into E0105 diagnostics that say, in plain
//! words, what was expected where (pest only knows rule names).

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::tokens::Mapping;
use crate::diag::{Diagnostic, codes, did_you_mean};
use crate::load::gotext::matching_brace;

/// What the parser could have accepted at the error position, grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    TopItem,
    AspectName,
    SnippetName,
    ParamsClose,
    AspectOpen,
    Clause,
    AspectClose,
    Pointcut,
    AndOp,
    OrOp,
    PcOpen,
    PcClose,
    SigText,
    CallText,
    Str,
    ImportOpen,
    ImportClose,
    BlockOpen,
    BlockClose,
    Name,
    GoType,
    VarEq,
    VarValue,
    Integer,
    BodyOpen,
    BodyClose,
    Eoi,
}

impl Want {
    fn of(rule: Rule) -> Option<Want> {
        use Rule::*;
        Some(match rule {
            kw_import | kw_use | kw_aspect | kw_snippet | import_decl | use_decl | snippet_decl
            | aspect => Want::TopItem,
            aspect_name | name_word => Want::AspectName,
            snippet_name => Want::SnippetName,
            params_open => Want::ImportOpen,
            params_close => Want::ParamsClose,
            aspect_open => Want::AspectOpen,
            kw_pointcut | kw_requires | kw_results | kw_globals | kw_vars | kw_imports
            | kw_order | kw_before | kw_after | kw_around | kw_replace | kw_wrap
            | kw_append_args | advice_kw | pointcut_clause | requires_clause | results_clause
            | globals_clause | vars_clause | imports_clause | order_clause | advice_clause
            | kw_set_field | set_field_clause | kw_tests | tests_clause => Want::Clause,
            aspect_close => Want::AspectClose,
            kw_execution | kw_target | kw_within | kw_call | kw_ref | kw_as_value | not_op
            | pc_not | pc_execution | pc_target | pc_within | pc_call | pc_ref | pc_as_value
            | pc_group | pc_or | pc_and => Want::Pointcut,
            and_op => Want::AndOp,
            or_op => Want::OrOp,
            pc_open => Want::PcOpen,
            pc_close => Want::PcClose,
            sig_text => Want::SigText,
            call_text => Want::CallText,
            string | dq_string | raw_string | import_spec => Want::Str,
            group_open => Want::ImportOpen,
            group_close => Want::ImportClose,
            block_open => Want::BlockOpen,
            block_close => Want::BlockClose,
            ident | binding | var_entry => Want::Name,
            go_type => Want::GoType,
            var_eq => Want::VarEq,
            number | bool_lit => Want::VarValue,
            integer => Want::Integer,
            go_block | body_open => Want::BodyOpen,
            body_close => Want::BodyClose,
            EOI => Want::Eoi,
            _ => return None,
        })
    }

    fn words(self) -> &'static str {
        match self {
            Want::TopItem => "`aspect`, `snippet`, `import` or `use`",
            Want::AspectName => "the aspect's name",
            Want::SnippetName => "the snippet's name",
            Want::ParamsClose => "`)` closing the parameter list",
            Want::AspectOpen => "`{` after the aspect name",
            Want::Clause => "a clause (`pointcut`, `before`, `after`, …)",
            Want::AspectClose => "`}` closing the aspect",
            Want::Pointcut => {
                "a pointcut (`execution(…)`, `target(\"…\")`, `within(\"…\")`, `call(…)`, `ref(…)`, `!` or `(`)"
            }
            Want::AndOp => "`&&`",
            Want::OrOp => "`||`",
            Want::PcOpen => "`(`",
            Want::PcClose => "`)`",
            Want::SigText => "a signature pattern",
            Want::CallText => "a call target",
            Want::Str => "a quoted string",
            Want::ImportOpen => "`(`",
            Want::ImportClose => "`)` closing the import group",
            Want::BlockOpen => "`{`",
            Want::BlockClose => "`}`",
            Want::Name => "a name",
            Want::GoType => "a Go type after the name",
            Want::VarEq => "`=` after the var name",
            Want::VarValue => "a value (a quoted string, a number, `true` or `false`)",
            Want::Integer => "a whole number",
            Want::BodyOpen => "`{` starting the Go code of the advice",
            Want::BodyClose => "`}` closing the advice body",
            Want::Eoi => "the end",
        }
    }
}

const CLAUSES: &[&str] = &[
    "pointcut",
    "requires",
    "results",
    "globals",
    "vars",
    "imports",
    "order",
    "tests",
    "before",
    "after",
    "around",
    "replace",
    "wrap",
    "append-args",
    "set-field",
];
const TOP: &[&str] = &["aspect", "import", "snippet", "use"];
const DESIGNATORS: &[&str] = &["execution", "target", "within", "call", "ref"];
const ADVICE: &[&str] = &[
    "before",
    "after",
    "around",
    "replace",
    "wrap",
    "append-args",
    "set-field",
];

/// What the parsed text is, for "the end of …" wording.
#[derive(Clone, Copy)]
pub(crate) enum Parsed {
    File,
    Pointcut,
}

impl Parsed {
    fn end(self) -> &'static str {
        match self {
            Parsed::File => "end of file",
            Parsed::Pointcut => "end of the pointcut",
        }
    }
}

/// The E0105 diagnostic for a pest error on `text`.
pub(crate) fn syntax_error(
    err: &Error<Rule>,
    text: &str,
    map: Mapping<'_>,
    parsed: Parsed,
) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            return Diagnostic::error(
                codes::DSL_SYNTAX,
                format!("cannot parse this file: {message}"),
                map.span(pos..pos),
                "parsing stopped here",
            )
            .with_help(
                "the file is nested too deeply (brackets, `!` or parentheses); simplify it",
            );
        }
    };
    let mut wants: Vec<Want> = positives.into_iter().filter_map(Want::of).collect();
    wants.sort();
    wants.dedup();
    if wants.contains(&Want::TopItem) {
        wants.retain(|w| *w != Want::Eoi);
    }
    let (found, found_len) = token_at(text, pos, parsed);
    let word = text[pos..pos + found_len].to_string();

    if wants.contains(&Want::BodyClose) {
        let rest = &text[pos..];
        let literal = [
            ("\"", "string"),
            ("`", "raw string"),
            ("'", "rune"),
            ("/*", "comment"),
        ]
        .into_iter()
        .find(|(open, _)| rest.starts_with(open));
        if let Some((open, what)) = literal {
            return Diagnostic::error(
                codes::DSL_SYNTAX,
                format!("unterminated {what} in the Go code of an advice body"),
                map.span(pos..pos + open.len()),
                format!("this {what} is never closed"),
            )
            .with_help(match what {
                "comment" => "close the comment with `*/`",
                "raw string" => "close the raw string with a backquote",
                "rune" => "close the rune literal with `'`",
                _ => "close the string with `\"` on the same line (use a backquoted string for several lines)",
            });
        }
        return unterminated_body(text, pos, map);
    }
    if found_len == 0 && wants.contains(&Want::AspectClose) {
        return unclosed_aspect(text, pos, map);
    }
    if wants.contains(&Want::Str) && word == "\"" {
        return Diagnostic::error(
            codes::DSL_SYNTAX,
            "unterminated string",
            map.span(pos..pos + 1),
            "this string is not closed on its line",
        )
        .with_help(
            "close it with `\"`; a `\"…\"` string cannot span lines (a backquoted one can)",
        );
    }

    let words = |w: &Want| match w {
        Want::Eoi => format!("the {}", parsed.end()),
        w => w.words().to_string(),
    };
    let expected = match wants.as_slice() {
        [] => "something else".to_string(),
        [w] => words(w),
        [init @ .., last] => format!(
            "{} or {}",
            init.iter().map(words).collect::<Vec<_>>().join(", "),
            words(last)
        ),
    };
    let span = map.span(pos..pos + found_len);
    let diag = Diagnostic::error(
        codes::DSL_SYNTAX,
        format!("expected {expected}, found {found}"),
        span,
        format!("unexpected {found}"),
    );
    diag.with_help(help(&wants, &word))
}

/// The help line: a "did you mean" when the unexpected word is close to a
/// keyword, else the shape of what was expected.
fn help(wants: &[Want], word: &str) -> String {
    let has = |w: Want| wants.contains(&w);
    if has(Want::AndOp) && (word == "&" || word == "|") {
        return format!(
            "did you mean `{word}{word}`? pointcuts combine with `&&` (and), `||` (or) and `!` (not)"
        );
    }
    if !word.is_empty() {
        if has(Want::Clause) && word == "template" {
            return "the DSL spells YAML's `template` as `before { … }`".into();
        }
        for (want, words) in [
            (Want::Clause, CLAUSES),
            (Want::TopItem, TOP),
            (Want::Pointcut, DESIGNATORS),
        ] {
            if has(want)
                && let Some(s) = did_you_mean(word, words.iter().copied())
            {
                return format!("did you mean `{s}`?");
            }
        }
    }
    if has(Want::Clause) || has(Want::AspectClose) {
        return format!(
            "an aspect holds the clauses {}; close it with `}}`",
            CLAUSES
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if has(Want::TopItem) {
        return "a .aspect file holds `import \"path\"`, `use \"name\"`, `snippet NAME { … }` and `aspect NAME { … }` declarations".into();
    }
    if has(Want::SnippetName) {
        return "write `snippet NAME { … }`, or `snippet NAME(P, Q) { … }` with parameters".into();
    }
    if has(Want::ParamsClose) {
        return "parameters are Go identifiers, separated by commas: `snippet NAME(P, Q) { … }`"
            .into();
    }
    if has(Want::AspectName) {
        return "write `aspect NAME { … }`, NAME being a word like `tracing` or a quoted string"
            .into();
    }
    if has(Want::AspectOpen) {
        return "an aspect is `aspect NAME { clauses }`".into();
    }
    if has(Want::Pointcut) {
        return "a pointcut combines `execution(func …)`, `target(\"regex\")`, `within(\"pkg/...\")`, `call(pkg.Func)` and `ref(pkg.Var)` with `&&`, `||`, `!` and parentheses".into();
    }
    if has(Want::AndOp) || has(Want::OrOp) {
        return "pointcuts combine with `&&` (and), `||` (or) and `!` (not)".into();
    }
    if has(Want::PcClose) || has(Want::PcOpen) {
        return "pointcut designators take their argument in parentheses: `within(\"example.com/shop/...\")`".into();
    }
    if has(Want::SigText) {
        return "write a signature pattern, e.g. `execution(func *(ctx context.Context, ..))`"
            .into();
    }
    if has(Want::CallText) {
        return "write the called function with its import path, e.g. `call(database/sql.Open)`"
            .into();
    }
    if has(Want::Str) {
        return "write it in double quotes (\"…\") or backquotes (`…`)".into();
    }
    if has(Want::GoType) {
        return "each entry is `name Type`, e.g. `ctx context.Context`".into();
    }
    if has(Want::VarEq) || has(Want::VarValue) {
        return "each var is `Name = \"value\"` (a string, a number, `true` or `false`)".into();
    }
    if has(Want::Integer) {
        return "write a whole number, e.g. `order 10`".into();
    }
    if has(Want::BodyOpen) {
        return "advice is Go code in braces: `before { … }`".into();
    }
    if has(Want::BlockOpen) || has(Want::BlockClose) {
        return "this clause takes a `{ … }` block, entries separated by commas or new lines"
            .into();
    }
    if has(Want::Name) {
        return "write a Go identifier".into();
    }
    "check the syntax near this point".into()
}

/// A description of the token at `pos` and its byte length.
fn token_at(text: &str, pos: usize, parsed: Parsed) -> (String, usize) {
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return (parsed.end().into(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".into(), 0);
    }
    if c == '_' || c.is_alphanumeric() {
        let len = rest
            .char_indices()
            .find(|&(_, c)| !(c == '_' || c == '-' || c.is_alphanumeric()))
            .map_or(rest.len(), |(i, _)| i);
        return (format!("`{}`", &rest[..len]), len);
    }
    (format!("`{c}`"), c.len_utf8())
}

/// The advice body left open at the end of the file.
fn unterminated_body(text: &str, pos: usize, map: Mapping<'_>) -> Diagnostic {
    let open = find_unclosed_body(text);
    let (primary, kw) = match open {
        Some((at, kw)) => (at..at + 1, kw),
        None => (pos..pos, "advice"),
    };
    let mut d = Diagnostic::error(
        codes::DSL_SYNTAX,
        format!("unterminated `{kw}` body: its `{{` is never closed"),
        map.span(primary),
        "this `{` has no matching `}`",
    )
    .with_help(
        "close the body with `}`; braces inside Go strings, runes and comments do not count, so check for an unclosed string or comment too",
    );
    if open.is_some() {
        d = d.with_secondary(map.span(pos..pos), "the file ends here");
    }
    d
}

/// The end of the file inside an aspect: its `}` is missing, or a brace in
/// one of its bodies is unbalanced (the body then ate the aspect's `}`).
fn unclosed_aspect(text: &str, pos: usize, map: Mapping<'_>) -> Diagnostic {
    let opener = text
        .match_indices("aspect")
        .filter(|&(at, _)| {
            text[..at]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace)
        })
        .filter_map(|(at, _)| text[at..].find('{').map(|b| (at, at + b)))
        .filter(|&(_, brace)| brace < pos)
        .last();
    let help = "add the missing `}`; if the aspect looks closed, a brace in one of its advice bodies is unbalanced (braces in Go strings, runes and comments do not count)";
    match opener {
        Some((at, brace)) => {
            let name = text[at + "aspect".len()..brace].trim();
            Diagnostic::error(
                codes::DSL_SYNTAX,
                format!("unterminated aspect `{name}`: its `}}` is missing"),
                map.span(brace..brace + 1),
                "this `{` is never closed",
            )
            .with_secondary(map.span(pos..pos), "the file ends here")
            .with_help(help)
        }
        None => Diagnostic::error(
            codes::DSL_SYNTAX,
            "unexpected end of file inside an aspect",
            map.span(pos..pos),
            "the file ends here",
        )
        .with_help(help),
    }
}

/// The first advice body (`before {`…) whose brace is never closed.
fn find_unclosed_body(text: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for kw in ADVICE {
        for (at, _) in text.match_indices(kw) {
            let before_ok = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c == '_' || c == '-' || c.is_alphanumeric()));
            let rest = &text[at + kw.len()..];
            let ws = rest.len() - rest.trim_start().len();
            let brace = at + kw.len() + ws;
            if before_ok
                && text[brace..].starts_with('{')
                && matching_brace(text, brace).is_none()
                && best.is_none_or(|(b, _)| brace < b)
            {
                best = Some((brace, kw));
            }
        }
    }
    best
}
