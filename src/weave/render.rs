//! Rendering a pre-split [`Template`] into Go text: placeholders become
//! their values, [`Segment::Ident`]s their resolved names. No parsing here:
//! `check` already split the template and found where each placeholder
//! stands, so a value inside a string literal is written escaped as string
//! contents, inside a comment neutralised so it cannot end the comment, and
//! only in code position written as it is (DESIGN §4, §11).
//!
//! Rendered text carries the positions of the aspect file (DESIGN §7): each
//! line of the template is written after its own `//line file:L:C`, with
//! no added indentation, so the compiler's column of every token is its
//! column in the aspect file; where a value (a placeholder, a renamed
//! identifier) is not as long as what the template wrote, a
//! `/*line file:L:C*/` resumes the template's position after it. Text
//! inside literals and comments ([`Segment::Verbatim`]) is copied as it is.

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

/// Where rendered text goes, which decides the `//line` directives it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// At the start of a line (statements, declarations): every line of the
    /// template gets a `//line` directive (a form that can name any path).
    /// `mid_line`: the aspect file's path may also be written in
    /// `/*line…*/` (see [`super::edit::Positions::mid_line`]), to resume
    /// positions after values in the middle of a line.
    Line { mid_line: bool },
    /// In the middle of a line (expressions): a `/*line…*/` first, then
    /// like `Line`; with `mid_line` false no directive at all (the text
    /// keeps the position of the site it is woven into).
    Inline { mid_line: bool },
}

/// Render the template, with the directives `start` allows; trailing blank
/// text is dropped.
pub fn render(t: &Template, values: &dyn Values, start: Start) -> String {
    let (directives, mid_line) = match start {
        Start::Line { mid_line } => (true, mid_line),
        Start::Inline { mid_line } => (mid_line, mid_line),
    };
    let mut w = Writer {
        t,
        out: String::new(),
        directives,
        mid_line,
        cur: None,
        pos: t.places.first().copied().unwrap_or_default(),
        line_start: None,
        drop_comma: false,
    };
    match start {
        Start::Line { .. } => w.line_start = Some(String::new()),
        Start::Inline { .. } => w.resume(),
    }
    for (i, seg) in t.segments.iter().enumerate() {
        if let Some(&place) = t.places.get(i) {
            w.pos = place;
        }
        match seg {
            Segment::Lit(s) => w.lit(s),
            Segment::Verbatim(s) => w.verbatim(s),
            Segment::Ident(name) => w.code(&values.ident(name)),
            Segment::Hole(name) => match values.placeholder(name) {
                Some(v) => w.code(&v),
                None => w.code(&format!("{{{{.{name}}}}}")),
            },
            Segment::Embedded(name, e) => {
                w.start_line();
                let before = w.out.len();
                match values.placeholder(name) {
                    Some(v) => push_embedded(&mut w.out, &v, *e),
                    None => {
                        let _ = write!(w.out, "{{{{.{name}}}}}");
                    }
                }
                let written = w.out[before..].to_string();
                w.advance(&written);
            }
        }
    }
    w.out.truncate(w.out.trim_end().len());
    w.out
}

/// Rendering state: what the compiler will take the position of the next
/// byte to be, and what it is in the template.
struct Writer<'t> {
    t: &'t Template,
    out: String,
    /// Write directives at all.
    directives: bool,
    /// Write `/*line…*/` in the middle of lines.
    mid_line: bool,
    /// The template place the compiler gives the next byte written, when
    /// known: (line of the template, byte offset in it).
    cur: Option<(u32, u32)>,
    /// The template place of the next byte of the template.
    pos: (u32, u32),
    /// At the start of a line of code whose directive is not written yet:
    /// the template's blanks so far on it.
    line_start: Option<String>,
    /// `{{.Zeros}}` was empty right after `return `: drop the `, ` that
    /// follows it.
    drop_comma: bool,
}

impl Writer<'_> {
    fn directive(&self, place: (u32, u32), line_form: bool) -> String {
        let file = &self.t.origin.file;
        let (line, col) = self.t.position(place);
        if line_form {
            format!("//line {file}:{line}:{col}\n")
        } else {
            format!("/*line {file}:{line}:{col}*/")
        }
    }

    /// Make the next byte's position `pos` with a `/*line…*/`, if allowed.
    fn resume(&mut self) {
        if self.mid_line && self.cur != Some(self.pos) {
            let d = self.directive(self.pos, false);
            self.out.push_str(&d);
            self.cur = Some(self.pos);
        }
    }

    /// Before content: the pending `//line` of a line start, with the
    /// template's blanks in front of the content (their columns count).
    fn start_line(&mut self) {
        let Some(blanks) = self.line_start.take() else {
            return;
        };
        let at = (self.pos.0, self.pos.1 - blanks.len() as u32);
        let d = self.directive(at, true);
        self.out.push_str(&d);
        self.out.push_str(&blanks);
        self.cur = Some(self.pos);
    }

    /// `s` was written: move the compiler's and the template's positions.
    fn advance(&mut self, s: &str) {
        self.cur = match self.cur {
            Some((l, c)) if !s.contains('\n') && !s.contains("/*") => Some((l, c + s.len() as u32)),
            _ => None,
        };
    }

    /// Code text of the template (no placeholder inside).
    fn lit(&mut self, s: &str) {
        for (i, piece) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            let mut piece = piece;
            if self.drop_comma && !piece.is_empty() {
                if let Some(rest) = piece.strip_prefix(", ") {
                    self.pos.1 += 2;
                    piece = rest;
                }
                self.drop_comma = false;
            }
            if piece.is_empty() {
                continue;
            }
            if let Some(blanks) = &mut self.line_start {
                let content = piece.trim_start_matches([' ', '\t']);
                let lead = &piece[..piece.len() - content.len()];
                // The template's own (relative) indentation is kept: its
                // columns count.
                blanks.push_str(lead);
                self.pos.1 += lead.len() as u32;
                if content.is_empty() {
                    continue;
                }
                self.start_line();
                self.write(content);
                continue;
            }
            if self.directives && !piece.trim().is_empty() {
                self.resume();
            }
            self.write(piece);
        }
    }

    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.pos.1 += s.len() as u32;
        self.advance(s);
    }

    /// A line break of the template's code: the next line gets its own
    /// directive (blank lines none: they are dropped).
    fn newline(&mut self) {
        self.pos = (self.pos.0 + 1, 0);
        self.drop_comma = false;
        if !self.directives {
            self.out.push('\n');
            self.cur = None;
            return;
        }
        if self.line_start.is_none() {
            self.out.push('\n');
        }
        self.line_start = Some(String::new());
        self.cur = None;
    }

    /// A value in code position (a placeholder's, an identifier's).
    fn code(&mut self, v: &str) {
        if self.line_start.is_some() {
            self.start_line();
        } else if self.directives {
            self.resume();
        }
        self.drop_comma = v.is_empty() && self.out.ends_with("return ");
        self.out.push_str(v);
        self.advance(v);
    }

    /// Literal or comment text, copied as it is.
    fn verbatim(&mut self, s: &str) {
        self.start_line();
        self.out.push_str(s);
        self.advance(s);
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
        for (i, seg) in t.segments.iter().enumerate() {
            if let Segment::Embedded(name, Embedding::RawString) = seg
                && let Some(v) = value(name)
                && let Some(why) = raw_string_problem(&v)
            {
                let (line, col) = t.position(t.places.get(i).copied().unwrap_or_default());
                return Some(format!(
                    "the value of `{{{{.{name}}}}}` {why} (the advice at {}:{line}:{col} writes it inside `…`); write the placeholder inside an interpreted string \"…\" instead",
                    t.origin.file
                ));
            }
        }
    }
    None
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

    struct Fixed;
    impl Values for Fixed {
        fn placeholder(&self, name: &str) -> Option<String> {
            (name == "Zeros").then(String::new)
        }
        fn ident(&self, name: &str) -> String {
            format!("__goaop_{name}")
        }
    }

    /// `return {{.Zeros}}, err` / `x := span.End()` at columns 7 and 9 of
    /// lines 10 and 11.
    fn two_lines() -> Template {
        Template {
            segments: vec![
                Segment::Lit("return ".into()),
                Segment::Hole("Zeros".into()),
                Segment::Lit(", err\n  \nx := ".into()),
                Segment::Ident("span".into()),
                Segment::Lit(".End()".into()),
            ],
            places: vec![(0, 0), (0, 7), (0, 17), (2, 5), (2, 9)],
            columns: vec![7, 1, 9],
            lines: Vec::new(),
            origin: crate::check::Origin {
                file: "aspects.yaml".into(),
                line: 10,
            },
            ..Template::default()
        }
    }

    #[test]
    fn every_line_gets_its_position_and_values_resume_it() {
        let t = two_lines();
        assert_eq!(
            render(&t, &Fixed, Start::Line { mid_line: true }),
            "//line aspects.yaml:10:7\nreturn /*line aspects.yaml:10:26*/err\n//line aspects.yaml:12:9\nx := __goaop_span/*line aspects.yaml:12:18*/.End()"
        );
        assert_eq!(
            render(&t, &Fixed, Start::Line { mid_line: false }),
            "//line aspects.yaml:10:7\nreturn err\n//line aspects.yaml:12:9\nx := __goaop_span.End()"
        );
        assert_eq!(
            render(&t, &Fixed, Start::Inline { mid_line: true }),
            "/*line aspects.yaml:10:7*/return /*line aspects.yaml:10:26*/err\n//line aspects.yaml:12:9\nx := __goaop_span/*line aspects.yaml:12:18*/.End()"
        );
        assert_eq!(
            render(&t, &Fixed, Start::Inline { mid_line: false }),
            "return err\n  \nx := __goaop_span.End()"
        );
    }

    #[test]
    fn verbatim_text_is_copied_as_it_is() {
        let t = Template {
            segments: vec![
                Segment::Lit("s := ".into()),
                Segment::Verbatim("`a\n  b`".into()),
                Segment::Lit(" + x".into()),
            ],
            places: vec![(0, 0), (0, 5), (1, 4)],
            columns: vec![3, 3],
            lines: Vec::new(),
            origin: crate::check::Origin {
                file: "a.yaml".into(),
                line: 1,
            },
            ..Template::default()
        };
        assert_eq!(
            render(&t, &Fixed, Start::Line { mid_line: true }),
            "//line a.yaml:1:3\ns := `a\n  b`/*line a.yaml:2:7*/ + x"
        );
    }
}
