//! Rendering a pre-split [`Template`] into Go text: placeholders become
//! their values, [`Segment::Ident`]s their resolved names. No parsing here:
//! `check` already split the template and found where each placeholder
//! stands, so a value inside a string literal is written escaped as string
//! contents, inside a comment neutralised so it cannot end the comment, and
//! only in code position written as it is (DESIGN §4, §11).

use std::fmt::Write;

use crate::check::{Embedding, Segment, Template};

/// What each placeholder and identifier of a template becomes.
pub trait Values {
    /// The value of `{{.name}}`, or `None` if unknown (left as written; check
    /// guarantees it does not happen for checked templates).
    fn placeholder(&self, name: &str) -> Option<String>;
    /// The identifier to write for `name`.
    fn ident(&self, name: &str) -> String;
}

/// Render the template. `indent` is put before every line but the first.
pub fn render(t: &Template, values: &dyn Values, indent: &str) -> String {
    let mut out = String::new();
    for seg in &t.segments {
        match seg {
            Segment::Lit(s) => push_indented(&mut out, s, indent),
            // A line that starts with a placeholder or an identifier is
            // indented like any other.
            Segment::Hole(_) | Segment::Embedded(..) | Segment::Ident(_) if out.ends_with('\n') => {
                out.push_str(indent);
                push_value(&mut out, seg, values);
            }
            _ => push_value(&mut out, seg, values),
        }
    }
    out
}

fn push_value(out: &mut String, seg: &Segment, values: &dyn Values) {
    match seg {
        Segment::Lit(_) => {}
        Segment::Hole(name) | Segment::Embedded(name, _) => match values.placeholder(name) {
            Some(v) => match seg {
                Segment::Embedded(_, e) => push_embedded(out, &v, *e),
                _ => out.push_str(&v),
            },
            None => {
                out.push_str("{{.");
                out.push_str(name);
                out.push_str("}}");
            }
        },
        Segment::Ident(name) => out.push_str(&values.ident(name)),
    }
}

/// Write `value` as data inside the literal or comment `e`.
fn push_embedded(out: &mut String, value: &str, e: Embedding) {
    match e {
        Embedding::String => push_escaped(out, value, '"'),
        Embedding::Rune => push_escaped(out, value, '\''),
        Embedding::RawString => match raw_string_problem(value) {
            None => out.push_str(value),
            // Join points whose values cannot be written are skipped
            // before rendering (see `unwritable`); should one get here,
            // end the literal with text no Go parser accepts, so the
            // re-parse of the woven file fails loudly.
            Some(_) => out.push_str("`@goaop-unwritable-value@`"),
        },
        Embedding::LineComment | Embedding::BlockComment => {
            let block = e == Embedding::BlockComment;
            // A value right after `//` or `/*` must not turn the comment
            // into a directive (`//go:linkname`, `//line`, `/*line`).
            if out.ends_with("//") || out.ends_with("/*") {
                out.push(' ');
            }
            // Nor, with the text around it, close a block comment.
            if block && out.ends_with('*') && value.starts_with('/') {
                out.push(' ');
            }
            let mut prev = '\0';
            for c in value.chars() {
                match c {
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\0' => out.push_str("\\x00"),
                    '\u{feff}' => out.push_str("\\ufeff"),
                    '/' if block && prev == '*' => out.push_str(" /"),
                    c => out.push(c),
                }
                prev = c;
            }
            if block && value.ends_with('*') {
                out.push(' ');
            }
        }
    }
}

/// `value` as a Go interpreted string literal, quotes included.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    push_escaped(&mut out, value, '"');
    out.push('"');
    out
}

/// `value` escaped as the contents of a Go string (`quote` `"`) or rune
/// (`'`) literal, like strconv.Quote without the quotes: the quote and
/// backslash, control characters, and the invisible characters that could
/// make the source read differently from what it does (bidi controls,
/// zero-width and line/paragraph separators, the BOM) are escaped.
pub fn push_escaped(out: &mut String, value: &str, quote: char) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && (c.is_ascii_control()) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if invisible(c) => {
                if (c as u32) <= 0xffff {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
}

/// Characters strconv.Quote would escape beyond ASCII controls: C1
/// controls, format characters that change how text is displayed, and
/// whitespace other than the space.
fn invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c as u32,
            0x00ad | 0x061c | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
            | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe0001 | 0xe0020..=0xe007f)
}

/// Why `value` cannot be written inside a raw string literal, if it cannot.
pub fn raw_string_problem(value: &str) -> Option<&'static str> {
    value.chars().find_map(|c| {
        Some(match c {
            '`' => "holds a backquote, which would end the raw string literal",
            '\r' => "holds a carriage return, which a raw string literal drops",
            '\0' => "holds a NUL character, which Go source cannot contain",
            '\u{feff}' => "holds a byte order mark, which Go source cannot contain",
            _ => return None,
        })
    })
}

/// Why `templates` cannot be written with these placeholder values, if
/// they cannot: a placeholder inside a raw string literal whose value the
/// literal cannot hold (a struct tag's backquotes in `{{.Signature}}`, a
/// file named with a backquote). The join point is then skipped with this
/// reason. `value` gives the placeholders that can hold such characters
/// (the others are identifiers, numbers or checked `vars`).
pub fn unwritable(
    templates: &[&Template],
    value: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    for t in templates {
        for seg in &t.segments {
            if let Segment::Embedded(name, Embedding::RawString) = seg
                && let Some(v) = value(name)
                && let Some(why) = raw_string_problem(&v)
            {
                return Some(format!(
                    "the value of `{{{{.{name}}}}}` {why} (the advice at {}:{} writes it inside `…`); write the placeholder inside an interpreted string \"…\" instead",
                    t.origin.file, t.origin.line
                ));
            }
        }
    }
    None
}

fn push_indented(out: &mut String, s: &str, indent: &str) {
    let mut first = true;
    for part in s.split('\n') {
        if !first {
            out.push('\n');
            if !part.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(part);
        first = false;
    }
}

/// `{{.Zeros}}` followed by `, ` with nothing to expand: drop the comma too.
pub fn tidy_empty_zeros(text: &str) -> String {
    text.replace("return , ", "return ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded(value: &str, e: Embedding, before: &str) -> String {
        let mut out = before.to_string();
        push_embedded(&mut out, value, e);
        out
    }

    #[test]
    fn strings_are_escaped_like_strconv_quote() {
        let v = "a\"b\\c\nd\te\u{7}\u{0}\u{7f}\u{202e}é\u{feff}\u{2028}x`";
        assert_eq!(
            embedded(v, Embedding::String, ""),
            "a\\\"b\\\\c\\nd\\te\\a\\x00\\x7f\\u202eé\\ufeff\\u2028x`"
        );
        assert_eq!(embedded("'", Embedding::Rune, ""), "\\'");
        assert_eq!(embedded("\"", Embedding::Rune, ""), "\"");
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn comments_cannot_be_ended_or_made_directives() {
        assert_eq!(
            embedded("a*/b\n*", Embedding::BlockComment, "/* "),
            "/* a* /b\\n* "
        );
        assert_eq!(embedded("/x", Embedding::BlockComment, "/* *"), "/* * /x");
        assert_eq!(
            embedded("line a.go:1:1", Embedding::BlockComment, "/*"),
            "/* line a.go:1:1"
        );
        assert_eq!(
            embedded("go:linkname x y\nfunc", Embedding::LineComment, "//"),
            "// go:linkname x y\\nfunc"
        );
        assert_eq!(embedded("a*/b", Embedding::LineComment, "// "), "// a*/b");
    }

    #[test]
    fn raw_strings_refuse_what_they_cannot_hold() {
        assert_eq!(embedded("a\"b", Embedding::RawString, "`"), "`a\"b");
        assert!(raw_string_problem("a`b").is_some());
        assert!(raw_string_problem("a\rb").is_some());
        assert!(embedded("a`b", Embedding::RawString, "`").contains("@goaop-unwritable-value@"));
    }
}
