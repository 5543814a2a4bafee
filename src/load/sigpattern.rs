//! Signature patterns (`execution(func *(ctx context.Context, ..) error)`)
//! lowered to a regex over the canonical signature (DESIGN §3).
//!
//! A pattern reads like the canonical signature it matches:
//!
//! ```text
//! func [RECV] NAME[TPARAMS](PARAMS) [RESULTS]
//! ```
//!
//! - `RECV`: `(*T)` or `(T)`; omitted = functions *and* methods. A receiver
//!   type without `[...]` also matches its generic instantiations
//!   (`(*List)` matches `(*List[T])`).
//! - `NAME`: `*` alone is any name (also function literals, `main.func1`);
//!   a `*` inside a name stands for any identifier characters (`Process*`).
//!   Type parameters, if not written, are allowed.
//! - `PARAMS`: comma-separated entries. `..` = any number of entries;
//!   `name type` binds (`ctx context.Context` matches a parameter of that type
//!   whatever its name and adds the requirement `ctx: context.Context`);
//!   a bare type matches without binding; `_ type` matches without binding;
//!   a lone `*` is any one parameter.
//! - `RESULTS`: omitted or `..` = any results; `()` = none; a bare type =
//!   exactly that one result; `(entries)` as for params, where `err error`
//!   binds the result (named or not in the function).
//! - In types, a `*` in front of a type is the pointer star (`*net/http.Request`,
//!   `[]*T`); any other `*` is a wildcard for identifier and import-path
//!   characters (`context.*`, `*Order*` = pointer to a type starting with `Order`);
//!   a lone `*` is any type. Types are written as in the canonical signature:
//!   with import paths (`*net/http.Request`), gofmt spacing (normalised).
//!
//! The produced regex is anchored (`^…`, plus `$` when results are given),
//! uses no Unicode classes nor look-around (only `^`/`$`), and so compiles to
//! a DFA both in Unicode mode and in byte mode (`unicode(false)`,
//! `utf8(false)`). Identifier characters are "ASCII letters, digits, `_` and
//! any non-ASCII character", so Unicode identifiers match in both modes.
//!
//! Approximation: a parameter list entry is matched as text with balanced
//! `()`/`[]`/`{}` up to three levels deep and no top-level comma, so `..`
//! never swallows a comma inside `func(a, b int)` or `map[K]V` but a type
//! nested deeper than three bracket levels is not matched by `..` or `*`.
//!
//! This file lowers a pattern's structure (receiver, name, lists); the
//! regex pieces are in `blocks`, types in `types`, reading the text in
//! `text`.

mod blocks;
mod text;
mod types;

use std::ops::Range;

pub use self::blocks::building_blocks;
use self::blocks::{IDCH, any_receiver, any_type_params, balanced};
use self::text::{Cursor, matching_in, split_commas, trim_range};
pub use self::types::normalize_type;
use self::types::{TypeCode, binding_name_end, check_type, go_type, type_regex, wild_text};
use super::gotype::TypeParser;

/// A binding written in a pattern (`ctx context.Context`): the parameter or
/// result of that type becomes available to the advice under `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternBinding {
    pub name: String,
    /// Byte range of the name in the pattern text.
    pub name_range: Range<usize>,
    /// The type, whitespace normalised to gofmt spelling.
    pub ty: String,
    /// Byte range of the type in the pattern text.
    pub ty_range: Range<usize>,
}

/// A lowered pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigPattern {
    /// Regex over the canonical signature.
    pub regex: String,
    /// Parameter bindings, in pattern order (→ `requires`).
    pub params: Vec<PatternBinding>,
    /// Result bindings, in pattern order (→ `results`).
    pub results: Vec<PatternBinding>,
}

/// Why a pattern cannot be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
    /// Byte range in the pattern text.
    pub range: Range<usize>,
    pub help: String,
}

/// Lower a signature pattern to a regex over canonical signatures.
pub fn lower(pattern: &str) -> Result<SigPattern, PatternError> {
    lower_with(pattern, &mut TypeParser::new())
}

/// [`lower`], parsing the pattern's types with `types` (one tree-sitter
/// parser for many patterns).
pub fn lower_with(pattern: &str, types: &mut TypeParser) -> Result<SigPattern, PatternError> {
    let mut p = Cursor::new(pattern);
    p.skip_ws();
    let func_start = p.pos;
    if !p.eat_word("func") {
        let end = p.word_end();
        return Err(PatternError {
            message: "a signature pattern starts with `func`".into(),
            range: func_start..end.max(func_start),
            help: "write it like a Go signature, e.g. `func *(ctx context.Context, ..) error`"
                .into(),
        });
    }
    let mut regex = String::from("^func ");
    p.skip_ws();

    // Receiver.
    if p.peek() == Some(b'(') {
        let open = p.pos;
        let close = p.matching(open)?;
        let inner = &pattern[open + 1..close];
        let (lead, trimmed) = trim_range(inner, open + 1);
        let _ = lead;
        if trimmed.is_empty() {
            return Err(PatternError {
                message: "empty receiver".into(),
                range: open..close + 1,
                help: "write the receiver type, `(*T)` or `(T)`, or leave the receiver out to match functions and methods".into(),
            });
        }
        let text = &pattern[trimmed.clone()];
        if text.contains(',') || text.split_whitespace().count() > 1 {
            return Err(PatternError {
                message: "a receiver pattern is only the receiver's type".into(),
                range: trimmed,
                help: "write `(*T)` or `(T)`: the canonical signature keeps the receiver's type, not its name".into(),
            });
        }
        regex.push_str(r"\(");
        let mut ty = text;
        if let Some(rest) = ty.strip_prefix('*') {
            regex.push_str(r"\*");
            ty = rest;
        }
        if ty.is_empty() {
            return Err(PatternError {
                message: "receiver without a type".into(),
                range: trimmed,
                help: "write the receiver type after `*`, e.g. `(*OrderService)`".into(),
            });
        }
        let ty_start = trimmed.end - ty.len();
        regex.push_str(&go_type(pattern, ty_start..trimmed.end, false, types)?.regex);
        if !ty.contains('[') {
            regex.push_str(r"(?:\[[^\]]*\])?");
        }
        regex.push_str(r"\) ");
        p.pos = close + 1;
        p.skip_ws();
    } else {
        regex.push_str(&any_receiver());
    }

    // Name.
    let name_start = p.pos;
    while let Some(c) = p.peek() {
        if c == b'(' || c == b'[' || c.is_ascii_whitespace() {
            break;
        }
        p.pos += 1;
    }
    let name = &pattern[name_start..p.pos];
    if name.is_empty() {
        return Err(PatternError {
            message: "missing function name".into(),
            range: name_start..name_start,
            help: "write the function's name, or `*` for any name: `func *(..)`".into(),
        });
    }
    if let Some(bad) = name
        .char_indices()
        .find(|&(_, c)| !(c == '*' || c == '.' || c == '_' || c.is_alphanumeric()))
    {
        return Err(PatternError {
            message: format!("`{}` cannot appear in a function name", bad.1),
            range: name_start + bad.0..name_start + bad.0 + bad.1.len_utf8(),
            help:
                "a name is an identifier, with `*` as a wildcard (`Process*`, or `*` for any name)"
                    .into(),
        });
    }
    if name == "*" {
        regex.push_str(&format!(r"(?:{IDCH}|\.)+"));
    } else {
        regex.push_str(&wild_text(name, &format!("{IDCH}*")));
    }

    // Type parameters.
    if p.peek() == Some(b'[') {
        let open = p.pos;
        let close = p.matching(open)?;
        regex.push_str(&type_regex(&normalize_type(&pattern[open..close + 1])));
        p.pos = close + 1;
    } else {
        regex.push_str(&any_type_params());
    }
    p.skip_ws();

    // Parameters.
    if p.peek() != Some(b'(') {
        let at = p.pos;
        return Err(PatternError {
            message: "expected the parameter list `(…)` after the function name".into(),
            range: at..p.word_end().max(at),
            help: "write the parameters, `(..)` for any: `func Name(..)`".into(),
        });
    }
    let open = p.pos;
    let close = p.matching(open)?;
    let mut params = Vec::new();
    let items = list_items(
        pattern,
        open + 1..close,
        ListKind::Params,
        &mut params,
        types,
    )?;
    regex.push_str(r"\(");
    regex.push_str(&join_items(&items));
    regex.push_str(r"\)");
    p.pos = close + 1;

    // Results.
    let (_, rest) = trim_range(&pattern[p.pos..], p.pos);
    let mut results = Vec::new();
    let rtext = &pattern[rest.clone()];
    if rtext.is_empty() || rtext == ".." {
        // Any results.
    } else if rtext.starts_with('(') && matching_in(pattern, rest.start) == Some(rest.end - 1) {
        let items = list_items(
            pattern,
            rest.start + 1..rest.end - 1,
            ListKind::Results,
            &mut results,
            types,
        )?;
        let fixed: Vec<&String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Fixed(r) => Some(r),
                Item::Any => None,
            })
            .collect();
        let has_any = items.iter().any(|i| matches!(i, Item::Any));
        if items.is_empty() {
            regex.push('$');
        } else {
            let list = format!(r"\({}\)", join_items(&items));
            if fixed.len() == 1 {
                // One result: bare (`error`) or in parentheses when named.
                let single = results_single(&items);
                regex.push_str(&format!(" (?:{list}|{single})$"));
            } else if fixed.is_empty() && has_any {
                regex.push_str(&format!("(?: (?:{list}|{}))?$", balanced()));
            } else {
                regex.push_str(&format!(" {list}$"));
            }
        }
    } else {
        if let Some(name_end) = binding_name_end(rtext) {
            return Err(PatternError {
                message: "a named result must be in parentheses".into(),
                range: rest.start..rest.start + name_end,
                help: format!("write `({rtext})`"),
            });
        }
        check_type(pattern, rest.clone())?;
        regex.push(' ');
        regex.push_str(&go_type(pattern, rest.clone(), false, types)?.regex);
        regex.push('$');
    }
    Ok(SigPattern {
        regex,
        params,
        results,
    })
}

/// The regex of a single bare result for a result list with one fixed entry.
fn results_single(items: &[Item]) -> String {
    items
        .iter()
        .find_map(|i| match i {
            Item::Fixed(r) => Some(r.strip_prefix(&named_prefix()).unwrap_or(r).to_string()),
            Item::Any => None,
        })
        .unwrap_or_default()
}

fn named_prefix() -> String {
    format!("(?:{IDCH}+ )?")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Params,
    Results,
}

enum Item {
    /// Exactly one entry, this regex.
    Fixed(String),
    /// `..`: any number of entries.
    Any,
}

/// Parse the entries of a parameter or result list (`range` is inside the
/// parentheses), collecting bindings.
fn list_items(
    pattern: &str,
    range: Range<usize>,
    kind: ListKind,
    bindings: &mut Vec<PatternBinding>,
    types: &mut TypeParser,
) -> Result<Vec<Item>, PatternError> {
    let inner = &pattern[range.clone()];
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    for piece in split_commas(inner) {
        let abs = range.start + piece.start..range.start + piece.end;
        let (_, entry) = trim_range(&pattern[abs.clone()], abs.start);
        let text = &pattern[entry.clone()];
        if text.is_empty() {
            return Err(PatternError {
                message: "empty entry in the list".into(),
                range: abs.start..abs.end.max(abs.start),
                help: "remove the extra comma, or write `..` for any number of entries".into(),
            });
        }
        if text == ".." {
            if !matches!(items.last(), Some(Item::Any)) {
                items.push(Item::Any);
            }
            continue;
        }
        if text == "..." {
            return Err(PatternError {
                message: "`...` is not a pattern".into(),
                range: entry,
                help: "write `..` for any number of entries, or `xs ...T` for a variadic parameter"
                    .into(),
            });
        }
        let (ty_range, binding_name) = match binding_name_end(text) {
            Some(name_end) => {
                let name = &text[..name_end];
                let (_, ty) = trim_range(&text[name_end..], entry.start + name_end);
                (ty, Some((name, entry.start..entry.start + name_end)))
            }
            None => (entry.clone(), None),
        };
        check_type(pattern, ty_range.clone())?;
        let TypeCode { ty, regex: ty_re } =
            go_type(pattern, ty_range.clone(), kind == ListKind::Params, types)?;
        if let Some((name, name_range)) = binding_name
            && name != "_"
        {
            bindings.push(PatternBinding {
                name: name.to_string(),
                name_range,
                ty: ty.clone(),
                ty_range: ty_range.clone(),
            });
        }
        let re = match kind {
            ListKind::Params => format!("{IDCH}+ {ty_re}"),
            ListKind::Results => format!("{}{ty_re}", named_prefix()),
        };
        items.push(Item::Fixed(re));
    }
    Ok(items)
}

/// Join list items with `, `, `..` matching any number of entries.
fn join_items(items: &[Item]) -> String {
    let bal = balanced();
    let fixed: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Item::Fixed(_)))
        .map(|(n, _)| n)
        .collect();
    if fixed.is_empty() {
        return if items.is_empty() {
            String::new()
        } else {
            format!("(?:{bal}(?:, {bal})*)?")
        };
    }
    let mut out = String::new();
    let mut prev_fixed: Option<usize> = None;
    let mut pending_any = false;
    for (n, item) in items.iter().enumerate() {
        match item {
            Item::Any => pending_any = true,
            Item::Fixed(re) => {
                match (prev_fixed, pending_any) {
                    (None, true) => out.push_str(&format!("(?:{bal}, )*")),
                    (None, false) => {}
                    (Some(_), true) => out.push_str(&format!("(?:, {bal})*, ")),
                    (Some(_), false) => out.push_str(", "),
                }
                out.push_str(re);
                prev_fixed = Some(n);
                pending_any = false;
            }
        }
    }
    if pending_any {
        out.push_str(&format!("(?:, {bal})*"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::dfa::{Automaton, dense};
    use regex_automata::{Input, nfa::thompson, util::syntax};

    /// Compile like the compile stage may (Unicode mode and byte mode) and
    /// check both agree.
    fn matches(pattern: &str, sig: &str) -> bool {
        let lowered = lower(pattern).unwrap_or_else(|e| panic!("{pattern}: {e:?}"));
        let mut results = Vec::new();
        for (unicode, utf8) in [(true, true), (false, false)] {
            let dfa = dense::Builder::new()
                .syntax(syntax::Config::new().unicode(unicode).utf8(utf8))
                .thompson(thompson::Config::new().utf8(utf8))
                .build(&lowered.regex)
                .unwrap_or_else(|e| panic!("{}: {e}", lowered.regex));
            results.push(dfa.try_search_fwd(&Input::new(sig)).unwrap().is_some());
        }
        assert_eq!(
            results[0], results[1],
            "modes disagree on {pattern} / {sig}"
        );
        results[0]
    }

    #[track_caller]
    fn yes(pattern: &str, sigs: &[&str]) {
        for s in sigs {
            assert!(
                matches(pattern, s),
                "`{pattern}` should match `{s}`\n{}",
                lower(pattern).unwrap().regex
            );
        }
    }

    #[track_caller]
    fn no(pattern: &str, sigs: &[&str]) {
        for s in sigs {
            assert!(
                !matches(pattern, s),
                "`{pattern}` should not match `{s}`\n{}",
                lower(pattern).unwrap().regex
            );
        }
    }

    const PROCESS: &str =
        "func (*OrderService) ProcessOrder(ctx context.Context, order Order) error";
    const HANDLE: &str = "func Handle(w net/http.ResponseWriter, r *net/http.Request)";
    const MAP: &str = "func Map[T any, U any](xs []T, f func(T) U) []U";
    const LIT: &str = "func main.func1(w net/http.ResponseWriter, r *net/http.Request)";
    const MAIN: &str = "func main()";
    const NAMED: &str = "func Divide(a int, b int) (q int, err error)";
    const PAIR: &str = "func Load(ctx context.Context, path string) ([]byte, error)";
    const PUSH: &str = "func (*Stack[T]) Push(v T)";
    const CB: &str = "func Run(ctx context.Context, f func(a int, b string) error, m map[string]func() error) error";
    const RETFN: &str = "func Make(x int) func() error";
    const VARIADIC: &str = "func Printf(format string, args ...any) (n int, err error)";

    #[test]
    fn any_function() {
        yes(
            "func *(..)",
            &[
                PROCESS, HANDLE, MAP, LIT, MAIN, NAMED, PAIR, PUSH, CB, RETFN, VARIADIC,
            ],
        );
    }

    #[test]
    fn context_first() {
        let p = "func *(ctx context.Context, ..)";
        yes(p, &[PROCESS, PAIR, CB]);
        no(p, &[HANDLE, MAIN, NAMED, MAP]);
        let l = lower(p).unwrap();
        assert_eq!(l.params.len(), 1);
        assert_eq!(l.params[0].name, "ctx");
        assert_eq!(l.params[0].ty, "context.Context");
        assert_eq!(&p[l.params[0].name_range.clone()], "ctx");
        assert_eq!(&p[l.params[0].ty_range.clone()], "context.Context");
    }

    #[test]
    fn bare_type_does_not_bind() {
        let l = lower("func *(context.Context, ..)").unwrap();
        assert!(l.params.is_empty());
        yes("func *(context.Context, ..)", &[PROCESS, PAIR]);
        yes("func *(_ context.Context, ..)", &[PROCESS, PAIR]);
        assert!(
            lower("func *(_ context.Context, ..)")
                .unwrap()
                .params
                .is_empty()
        );
    }

    #[test]
    fn results() {
        yes("func *(..) error", &[PROCESS, CB]);
        no("func *(..) error", &[HANDLE, NAMED, PAIR, RETFN, MAIN]);
        // A named single result binds and matches both spellings.
        yes("func *(..) (err error)", &[PROCESS, CB]);
        yes(
            "func *(..) (.., err error)",
            &[PROCESS, NAMED, PAIR, CB, VARIADIC],
        );
        no("func *(..) (.., err error)", &[HANDLE, MAIN, RETFN, MAP]);
        let l = lower("func *(..) (.., err error)").unwrap();
        assert_eq!(l.results[0].name, "err");
        assert_eq!(l.results[0].ty, "error");
        yes("func *(..) ()", &[HANDLE, MAIN, LIT, PUSH]);
        no("func *(..) ()", &[PROCESS, MAP]);
        yes("func *(..) ([]byte, error)", &[PAIR]);
        no("func *(..) ([]byte, error)", &[NAMED, PROCESS]);
        yes("func *(..) (int, error)", &[NAMED, VARIADIC]);
        yes("func *(..) func() error", &[RETFN]);
        no("func *(..) func() error", &[CB]);
        yes("func *(..) (..)", &[PROCESS, MAIN, PAIR]);
        yes("func *(..) (*)", &[PROCESS, RETFN, MAP]);
        no("func *(..) (*)", &[PAIR, NAMED, MAIN]);
        yes("func *(..) (*, error)", &[PAIR, NAMED, VARIADIC]);
    }

    #[test]
    fn receivers_and_names() {
        yes("func (*OrderService) *(..)", &[PROCESS]);
        no("func (*OrderService) *(..)", &[HANDLE, PUSH]);
        yes("func (*Stack) Push(..)", &[PUSH]);
        yes("func (*Stack[T]) Push(v T)", &[PUSH]);
        no("func (Stack) Push(..)", &[PUSH]);
        yes("func *Order(..)", &[PROCESS]);
        yes("func Process*(..)", &[PROCESS]);
        no("func Process*(..)", &[HANDLE]);
        yes("func Handle(..)", &[HANDLE]);
        no("func Handle(..)", &[LIT, PROCESS]);
        yes("func main.func1(..)", &[LIT]);
        yes("func *(..)", &[LIT]);
        yes("func Map(..)", &[MAP]);
        yes("func Map[T any, U any](..) []U", &[MAP]);
        yes("func main()", &[MAIN]);
        no("func main()", &[LIT, HANDLE]);
    }

    #[test]
    fn param_types() {
        yes(
            "func *(w net/http.ResponseWriter, r *net/http.Request)",
            &[HANDLE, LIT],
        );
        yes(
            "func *(net/http.ResponseWriter, *net/http.Request)",
            &[HANDLE],
        );
        no("func *(*net/http.Request)", &[HANDLE]);
        yes("func *(.., *net/http.Request)", &[HANDLE]);
        yes("func *(.., r *net/http.Request, ..)", &[HANDLE]);
        no("func *(.., r *net/http.Request, ..)", &[PROCESS]);
        yes("func *(ctx context.*, ..)", &[PROCESS]);
        yes("func *(.., order *)", &[PROCESS]);
        yes("func *(*, *)", &[PROCESS, HANDLE, NAMED, PAIR, MAP]);
        no("func *(*, *)", &[MAIN, CB, RETFN]);
        yes("func *(.., xs ...any)", &[VARIADIC]);
        no("func *(.., xs ...any)", &[PROCESS]);
        yes("func *(..)  error", &[PROCESS]);
        yes("func *(xs [] T, ..)", &[MAP]);
    }

    #[test]
    fn commas_inside_types_are_not_entries() {
        // Three params, the second a func type with a comma inside.
        yes("func Run(*, *, *) error", &[CB]);
        no("func Run(*, *) error", &[CB]);
        no("func Run(*, *, *, *) error", &[CB]);
        yes("func *(.., f func(a int, b string) error, ..)", &[CB]);
        yes("func *(.., m map[string]func() error)", &[CB]);
        // `..` cannot escape the parameter list.
        no("func *(..) error", &[RETFN]);
    }

    #[test]
    fn pointer_vs_wildcard() {
        assert_eq!(type_regex("*net/http.Request"), r"\*net/http\.Request");
        assert_eq!(type_regex("[]*T"), r"\[\]\*T");
        assert!(type_regex("Order*").ends_with(")*"));
        assert!(type_regex("*Order*").starts_with(r"\*Order"));
        assert_eq!(type_regex("...*T"), r"\.\.\.\*T");
    }

    #[test]
    fn normalises_spacing() {
        assert_eq!(normalize_type(" map[ string ]  int "), "map[string]int");
        assert_eq!(
            normalize_type("func( a int,b string ) error"),
            "func(a int, b string) error"
        );
        assert_eq!(normalize_type("* T"), "*T");
        assert_eq!(normalize_type("chan<- T"), "chan<- T");
    }

    #[test]
    fn errors() {
        let e = lower("*(..)").unwrap_err();
        assert!(e.message.contains("`func`"), "{e:?}");
        let e = lower("func *(ctx context.Context").unwrap_err();
        assert_eq!(e.range, 6..7);
        let e = lower("func *(a int,, b int)").unwrap_err();
        assert!(e.message.contains("empty entry"));
        let e = lower("func *(..) err error").unwrap_err();
        assert!(e.message.contains("parentheses"));
        assert_eq!(e.range, 11..14);
        let e = lower("func (o *Order) Do(..)").unwrap_err();
        assert!(e.message.contains("receiver"));
        let e = lower("func \"x\"(..)").unwrap_err();
        assert!(e.message.contains("name"));
        let e = lower("func *(a \"int\")").unwrap_err();
        assert!(e.message.contains("type"));
        let e = lower("func *").unwrap_err();
        assert!(e.message.contains("parameter list"));
        let e = lower("func *(...)").unwrap_err();
        assert!(e.message.contains("`...`"));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for p in [
            "",
            "func",
            "func (",
            "func ()",
            "func (*)",
            "func (*) x(",
            "func é(ü ö)",
            "func *(](",
            "func *() (",
            "func *() ((",
            "func *()  ()) x",
            "func\u{0}*(\u{0})",
        ] {
            let _ = lower(p);
        }
    }

    #[test]
    fn dfa_stays_small() {
        let l = lower("func *(ctx context.Context, ..) (.., err error)").unwrap();
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            .build(&l.regex)
            .unwrap();
        assert!(
            dfa.memory_usage() < 512 * 1024,
            "{} bytes",
            dfa.memory_usage()
        );
    }
}
