//! Go types written in aspect files (`requires`, `results`, the types of an
//! `execution(…)` pattern), parsed as Go with tree-sitter-go and rendered in
//! the canonical-signature spelling of the scanner.
//!
//! A type is written as in the canonical signature: packages by import path
//! (`*net/http.Request`, `gopkg.in/yaml.v3.Node`). That is not Go syntax, so
//! each qualified name `path.Name` is rewritten to `_goaopN.Name` with an
//! import `_goaopN "path"`, and the type is parsed as the one parameter of
//! `func _(x TYPE) {}`. The parse must have no ERROR or MISSING node, and the
//! parameter's type must be exactly the whole text (so `int, y int` or
//! `int) (x` are refused). The scanner then renders the parameter's type
//! exactly as it renders the functions of the user's code, import paths
//! restored: `map[ string ]int` → `map[string]int`, `struct{a int}` →
//! `struct{ a int }`, `func(a, b int)` → `func(a int, b int)`. So a type that
//! `check` accepts is spelled like the signatures it must match.
//!
//! `execution(…)` types may contain `*` wildcards (`context.*`, `*Order*`):
//! each is parsed as an identifier character, so the type around it is still
//! checked, and the caller keeps its own spelling (a wildcard has no
//! canonical form).

use std::ops::Range;

use super::gotext::{Piece, pieces};
use crate::scan::Scanner;

/// Why a type is not a Go type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    pub message: String,
    /// Byte range in the text given to [`TypeParser::parse`].
    pub range: Range<usize>,
    pub help: String,
}

/// A parsed type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoType {
    /// The canonical spelling (`...T` for a variadic parameter's type).
    pub canonical: String,
    /// Every import path the type names, with its range in the text.
    pub paths: Vec<(String, Range<usize>)>,
}

/// What a type may contain besides a plain Go type.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allow<'w> {
    /// A leading `...` (the type of a variadic parameter).
    pub variadic: bool,
    /// Byte offsets of the `*` that are wildcards, not pointer stars.
    pub wildcards: &'w [usize],
}

/// Parses types; holds one tree-sitter parser, created on first use.
#[derive(Default)]
pub struct TypeParser {
    scanner: Option<Scanner>,
}

/// The help line of type errors.
pub const TYPE_HELP: &str = "write a Go type as in the canonical signature, with packages by import path: `context.Context`, `*net/http.Request`, `map[string]int`, `func(int) error`";

impl TypeParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse `text` (surrounding whitespace allowed) as one Go type.
    pub fn parse(&mut self, text: &str, allow: Allow<'_>) -> Result<GoType, TypeError> {
        let lead = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(TypeError {
                message: "the type is empty".into(),
                range: 0..text.len(),
                help: TYPE_HELP.into(),
            });
        }
        let variadic = trimmed.starts_with("...");
        if variadic && !allow.variadic {
            return Err(TypeError {
                message: "`...` is only for the last parameter of a function".into(),
                range: lead..lead + 3,
                help: "write the type without `...`".into(),
            });
        }
        let wild: Vec<usize> = allow
            .wildcards
            .iter()
            .filter_map(|&w| w.checked_sub(lead))
            .collect();
        let rewritten = rewrite(trimmed, &wild)?;
        let at = |r: Range<usize>| lead + r.start..lead + r.end;
        let mut source = String::from("package p\n");
        for (i, path) in rewritten.imports.iter().enumerate() {
            source.push_str(&format!("import _goaop{i} {path:?}\n"));
        }
        source.push_str("func _(x ");
        let start = source.len();
        source.push_str(&rewritten.text);
        let end = source.len();
        source.push_str(") {}\n");

        let scanner = self.scanner.get_or_insert_with(Scanner::new);
        let Some(tree) = scanner.parse(source.as_bytes()) else {
            return Err(TypeError {
                message: "the type cannot be parsed".into(),
                range: at(0..trimmed.len()),
                help: TYPE_HELP.into(),
            });
        };
        if let Some((range, message)) = first_error(tree.root_node(), start..end) {
            let old =
                rewritten.original(range.start - start)..rewritten.original(range.end - start);
            let old = old.start..old.end.max(old.start).min(trimmed.len());
            let tok = trimmed[old.clone()]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            let (message, range) = match message {
                Some(m) => (m, old.start..old.start),
                None if old.start >= trimmed.len() => (
                    "the type does not end where it should: check its brackets".to_string(),
                    old,
                ),
                None if tok.is_empty() => ("the type ends too early".to_string(), old),
                None => (
                    format!("unexpected `{tok}` in the type"),
                    old.start..old.start + tok.len(),
                ),
            };
            let help = TYPE_HELP.to_string();
            return Err(TypeError {
                message,
                range: at(range),
                help,
            });
        }
        if let Some(r) = constraint_only(tree.root_node(), start..end) {
            let old = rewritten.original(r.start - start)..rewritten.original(r.end - start);
            return Err(TypeError {
                message: "`~T` and `A | B` only exist in type constraints".into(),
                range: at(old.start..old.end.clamp(old.start, trimmed.len())),
                help: "`~T` and unions are only allowed in the constraint of a type parameter; write the type itself".into(),
            });
        }
        let scanned = scanner.scan_tree(&tree, source.as_bytes());
        let type_start = if variadic {
            let after = &rewritten.text[3..];
            start + 3 + (after.len() - after.trim_start().len())
        } else {
            start
        };
        let one = match scanned.funcs.as_slice() {
            [f] if f.results.is_empty() && f.receiver.is_none() => match f.params.as_slice() {
                [p] if p.variadic == variadic && p.type_range == (type_start..end) => Some(p),
                _ => None,
            },
            _ => None,
        };
        let Some(param) = one else {
            return Err(TypeError {
                message: "this is not one Go type".into(),
                range: at(0..trimmed.len()),
                help: "write a single type; a `,` or `)` at the top level starts another parameter"
                    .into(),
            });
        };
        let canonical = if variadic {
            format!("...{}", param.ty)
        } else {
            param.ty.clone()
        };
        Ok(GoType {
            canonical,
            paths: rewritten
                .paths
                .into_iter()
                .map(|(p, r)| (p, at(r)))
                .collect(),
        })
    }
}

/// The type text with qualified names made Go.
struct Rewritten {
    text: String,
    /// Import paths, alias `_goaopN` = index.
    imports: Vec<String>,
    /// Each qualified name's path and its range in the original text.
    paths: Vec<(String, Range<usize>)>,
    /// (start in `text`, length in `text`, start in the original, length
    /// in the original) of each replaced piece, in order; bytes between
    /// pieces map one to one.
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl Rewritten {
    /// The original offset of an offset in `text`.
    fn original(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for &(new, new_len, old, old_len) in &self.pieces {
            if offset < new {
                break;
            }
            if offset < new + new_len {
                return old + (offset - new).min(old_len);
            }
            shift = (old + old_len) as isize - (new + new_len) as isize;
        }
        (offset as isize + shift).max(0) as usize
    }
}

/// Identifier and import-path characters (and `.`): a run of them is a
/// name, a keyword, a number or a qualified name `path.Name`.
fn is_run(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '~' | '+')
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Rewrite qualified names; wildcard `*` (offsets in `wild`) become `W`.
fn rewrite(text: &str, wild: &[usize]) -> Result<Rewritten, TypeError> {
    let text: String = if wild.is_empty() {
        text.to_string()
    } else {
        text.char_indices()
            .map(|(i, c)| if wild.contains(&i) { 'W' } else { c })
            .collect()
    };
    let mut out = Rewritten {
        text: String::with_capacity(text.len()),
        imports: Vec::new(),
        paths: Vec::new(),
        pieces: Vec::new(),
    };
    let starts_run = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    for piece in pieces(&text, starts_run, is_run) {
        match piece {
            Piece::Literal(r) | Piece::Other(r) => out.text.push_str(&text[r]),
            Piece::Word(r) => {
                let mut run = &text[r.clone()];
                let mut at = r.start;
                // `...T` inside a function type.
                while let Some(rest) = run.strip_prefix("...") {
                    out.text.push_str("...");
                    run = rest;
                    at += 3;
                }
                qualified(run, at, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// One run: copied as is, or `path.Name` rewritten.
fn qualified(run: &str, at: usize, out: &mut Rewritten) -> Result<(), TypeError> {
    let number = run.starts_with(|c: char| c.is_ascii_digit());
    let Some((path, name)) = run.rsplit_once('.').filter(|_| !number) else {
        if run.contains('/') && !number {
            return Err(TypeError {
                message: format!("`{run}` is a package path, not a type"),
                range: at..at + run.len(),
                help: format!("name the type after the path: `{run}.TypeName`"),
            });
        }
        out.text.push_str(run);
        return Ok(());
    };
    if path.is_empty() || !is_ident(name) {
        let (message, range) = if name.is_empty() {
            (
                format!("`{run}` lacks the type's name after the last `.`"),
                at + run.len()..at + run.len(),
            )
        } else if path.is_empty() {
            (format!("`{run}` lacks the package before `.`"), at..at + 1)
        } else {
            (
                format!("`{name}` is not a Go type name"),
                at + path.len() + 1..at + run.len(),
            )
        };
        return Err(TypeError {
            message,
            range,
            help: TYPE_HELP.into(),
        });
    }
    let index = match out.imports.iter().position(|p| p == path) {
        Some(i) => i,
        None => {
            out.imports.push(path.to_string());
            out.imports.len() - 1
        }
    };
    out.paths.push((path.to_string(), at..at + path.len()));
    let alias = format!("_goaop{index}");
    out.pieces
        .push((out.text.len(), alias.len(), at, path.len()));
    out.text.push_str(&alias);
    out.text.push('.');
    out.text.push_str(name);
    Ok(())
}

/// A `~T` or a union `A | B` inside `inside` (tree-sitter accepts both in
/// any type position; Go only in constraints). An explicit stack, no
/// recursion.
fn constraint_only(root: tree_sitter::Node, inside: Range<usize>) -> Option<Range<usize>> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.end_byte() <= inside.start || node.start_byte() >= inside.end {
            continue;
        }
        let union =
            matches!(node.kind(), "type_elem" | "type_constraint") && node.named_child_count() > 1;
        if node.kind() == "negated_type" || union {
            return Some(node.start_byte().max(inside.start)..node.end_byte().min(inside.end));
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    None
}

/// The first ERROR or MISSING node below `root` in source order (deepest
/// first): down the first child with an error, repeatedly (a loop: syntax
/// trees are as deep as the text's expressions).
pub(crate) fn first_error_node(root: tree_sitter::Node<'_>) -> Option<tree_sitter::Node<'_>> {
    let mut node = root;
    loop {
        if node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        let next = node
            .children(&mut cursor)
            .find(|c| c.has_error() || c.is_missing());
        match next {
            Some(child) => node = child,
            None => return node.is_error().then_some(node),
        }
    }
}

/// The first ERROR or MISSING node overlapping the type (`inside`), as a
/// range clamped to it and, for MISSING nodes, a message. An error in the
/// wrapper after the type means the type ended too early (range at its end).
fn first_error(
    root: tree_sitter::Node,
    inside: Range<usize>,
) -> Option<(Range<usize>, Option<String>)> {
    if !root.has_error() {
        return None;
    }
    let node = first_error_node(root)?;
    if node.is_missing() {
        let at = node.start_byte().clamp(inside.start, inside.end);
        let kind = node.kind();
        let what = if kind.chars().all(|c| c.is_ascii_punctuation()) {
            format!("expected `{kind}`")
        } else {
            "expected a type".to_string()
        };
        return Some((at..at, Some(format!("the type is incomplete: {what}"))));
    }
    let (s, e) = (node.start_byte(), node.end_byte());
    if s >= inside.end {
        return Some((inside.end..inside.end, None));
    }
    Some((s.max(inside.start)..e.clamp(inside.start, inside.end), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        TypeParser::new()
            .parse(text, Allow::default())
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
            .canonical
    }

    fn err(text: &str) -> TypeError {
        TypeParser::new()
            .parse(text, Allow::default())
            .expect_err(text)
    }

    #[test]
    fn canonical_spelling() {
        for (text, want) in [
            ("context.Context", "context.Context"),
            ("*net/http.Request", "*net/http.Request"),
            (" map[ string ]  int ", "map[string]int"),
            (
                "[]*example.com/shop/api.Order",
                "[]*example.com/shop/api.Order",
            ),
            ("gopkg.in/yaml.v3.Node", "gopkg.in/yaml.v3.Node"),
            (
                "func(a, b int) (int, error)",
                "func(a int, b int) (int, error)",
            ),
            ("struct{a int}", "struct{ a int }"),
            ("interface{}", "interface{}"),
            ("chan<- int", "chan<- int"),
            ("(int)", "int"),
            ("[4]int", "[4]int"),
            ("func(...string)", "func(...string)"),
            ("example.com/x.List[int]", "example.com/x.List[int]"),
            ("error", "error"),
        ] {
            assert_eq!(ok(text), want, "{text}");
        }
        let v = TypeParser::new()
            .parse(
                "...any",
                Allow {
                    variadic: true,
                    ..Allow::default()
                },
            )
            .unwrap();
        assert_eq!(v.canonical, "...any");
    }

    #[test]
    fn not_types() {
        for text in [
            "map[string]",
            "int int",
            "[5]",
            "~int",
            "int, y int",
            "int) (x",
            "net/http",
            "context.",
            ".Context",
            "...any",
            "func(",
            "",
            "1",
            "x.1",
        ] {
            let e = err(text);
            assert!(e.range.end <= text.len(), "{text}: {e:?}");
        }
        assert!(err("~int").help.contains("constraint"));
        assert!(
            err("interface{ ~int | string }")
                .message
                .contains("constraints")
        );
        assert!(err("int | string").range.end <= 12);
        assert_eq!(err("int int").message, "unexpected `int` in the type");
        assert!(
            err("map[string]").message.contains("incomplete"),
            "{:?}",
            err("map[string]")
        );
    }

    #[test]
    fn wildcards_are_checked_around() {
        let mut p = TypeParser::new();
        for (text, stars) in [
            ("context.*", vec![8]),
            ("*Order*", vec![6]),
            ("[]*", vec![2]),
        ] {
            let allow = Allow {
                variadic: false,
                wildcards: &stars,
            };
            assert!(p.parse(text, allow).is_ok(), "{text}");
        }
        let allow = Allow {
            variadic: false,
            wildcards: &[4],
        };
        assert!(p.parse("map[*]", allow).is_err());
    }
}
