//! Types inside a signature pattern: telling a binding (`ctx
//! context.Context`) from a bare type, checking that a type parses as Go
//! (with `*` wildcards), normalising it to the canonical (gofmt) spelling,
//! and lowering it to a regex where `*` is a wildcard and not a pointer.

use std::ops::Range;

use super::PatternError;
use super::blocks::{IDCH, any_type};
use crate::load::gotype::{Allow, TypeParser};

/// Go keywords that start a type (`chan int`), never a parameter name.
const TYPE_KEYWORDS: &[&str] = &["func", "chan", "map", "struct", "interface"];

/// If `text` is `name type` (an identifier, whitespace, then more), the end
/// of the name.
pub(super) fn binding_name_end(text: &str) -> Option<usize> {
    let end = text.find(|c: char| c.is_whitespace())?;
    let name = &text[..end];
    let is_ident = name
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_alphanumeric());
    if !is_ident || TYPE_KEYWORDS.contains(&name) || text[end..].trim().is_empty() {
        return None;
    }
    // `chan<- T` / `<-chan T` start with a keyword or `<`; a name followed by
    // `<-` is not a binding either.
    if text[end..].trim_start().starts_with("<-") {
        return None;
    }
    Some(end)
}

/// A type of the pattern: its spelling (for bindings) and regex.
pub(super) struct TypeCode {
    pub(super) ty: String,
    pub(super) regex: String,
}

/// Parse the type at `range` of the pattern as Go ([`TypeParser`]). Without
/// wildcards it is spelled canonically and matched literally; with them
/// (`context.*`, `*Order*`) the parse only checks the text around them, and
/// the normalised text is matched with each wildcard. A lone `*` is any type.
pub(super) fn go_type(
    pattern: &str,
    range: Range<usize>,
    variadic: bool,
    types: &mut TypeParser,
) -> Result<TypeCode, PatternError> {
    let text = &pattern[range.clone()];
    if text.trim() == "*" {
        return Ok(TypeCode {
            ty: "*".into(),
            regex: any_type(),
        });
    }
    let wild = wildcard_stars(text);
    let allow = Allow {
        variadic,
        wildcards: &wild,
    };
    let at = |r: Range<usize>| range.start + r.start..range.start + r.end;
    let parsed = types.parse(text, allow).map_err(|e| PatternError {
        message: e.message,
        range: at(e.range),
        help: e.help,
    })?;
    for (path, r) in &parsed.paths {
        if path.contains('W') && !wild.is_empty() {
            continue; // a wildcard in the path: checked when it matches
        }
        if let Some(problem) = crate::check::names::import_path_problem(path) {
            return Err(PatternError {
                message: format!("invalid import path `{path}`: {problem}"),
                range: at(r.clone()),
                help: "a type from another package is written with the package's import path: `*net/http.Request`".into(),
            });
        }
    }
    Ok(if wild.is_empty() {
        TypeCode {
            regex: regex_syntax::escape(&parsed.canonical),
            ty: parsed.canonical,
        }
    } else {
        let ty = normalize_type(text);
        TypeCode {
            regex: type_regex(&ty),
            ty,
        }
    })
}

/// Byte offsets of the `*` of `ty` that are wildcards: a `*` is the pointer
/// star when a type follows it (`*T`, `[]*T`, `**T`, `...*T`), otherwise a
/// wildcard for identifier and import-path characters.
fn wildcard_stars(ty: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = ty.char_indices().collect();
    let mut out = Vec::new();
    for (k, &(at, c)) in chars.iter().enumerate() {
        if c != '*' {
            continue;
        }
        let next_starts_type = chars.get(k + 1).is_some_and(|&(_, n)| {
            n == '_' || n == '[' || n == '(' || n == '*' || n.is_alphabetic()
        });
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let after_ellipsis = k >= 3 && chars[k - 3..k].iter().all(|&(_, c)| c == '.');
        let pointer_position =
            matches!(prev, None | Some('(' | '[' | ']' | ',' | ' ' | '*')) || after_ellipsis;
        if !(next_starts_type && pointer_position) {
            out.push(at);
        }
    }
    out
}

/// Reject characters that never appear in a type.
pub(super) fn check_type(pattern: &str, range: Range<usize>) -> Result<(), PatternError> {
    let text = &pattern[range.clone()];
    if text.is_empty() {
        return Err(PatternError {
            message: "missing type".into(),
            range,
            help: "write a Go type, e.g. `context.Context`, or `*` for any type".into(),
        });
    }
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| matches!(c, '"' | '\'' | '`' | '\\' | ';' | '=' | '|' | '&' | '!'))
    {
        return Err(PatternError {
            message: format!("`{c}` cannot appear in a type"),
            range: range.start + i..range.start + i + c.len_utf8(),
            help: "types are written as in the canonical signature, e.g. `*net/http.Request`"
                .into(),
        });
    }
    Ok(())
}

/// gofmt-like spacing of a type: single spaces, none inside brackets or
/// after `*`, `, ` between entries.
pub fn normalize_type(ty: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    let mut pending_space = false;
    for c in ty.trim().chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            let prev = out.chars().last();
            let drop = matches!(prev, Some('(' | '[' | '*' | ']' | ' '))
                || matches!(c, ')' | ']' | ',')
                || prev.is_none();
            if !drop {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
        if c == ',' {
            out.push(' ');
        }
    }
    // `, ` followed by an explicit space collapsed above; fix `,  `.
    while out.contains(",  ") {
        out = out.replace(",  ", ", ");
    }
    out
}

/// The regex of a (normalised) type, with `*` wildcards.
pub(super) fn type_regex(ty: &str) -> String {
    if ty == "*" {
        return any_type();
    }
    let wild = format!(r"(?:{IDCH}|[./-])*");
    let stars = wildcard_stars(ty);
    let mut out = String::new();
    for (i, c) in ty.char_indices() {
        if stars.contains(&i) {
            out.push_str(&wild);
        } else {
            out.push_str(&regex_syntax::escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}

/// Escape `text`, each `*` becoming `wild`.
pub(super) fn wild_text(text: &str, wild: &str) -> String {
    text.split('*')
        .map(regex_syntax::escape)
        .collect::<Vec<_>>()
        .join(wild)
}
