//! Finding `{{snippet "name" P="value"}}` in advice text.
//!
//! A snippet use is a placeholder whose first word is `snippet`, then the
//! snippet's name as a Go string, then one `Param="value"` argument per
//! parameter (Go interpreted or raw string literals), on one line. This
//! module only finds and tokenises uses (the DSL loader needs the names to
//! attach file-level imports; `check` expands them); whether a name or an
//! argument makes sense is `check`'s job (src/check/snippets.rs).

use std::ops::Range;

/// One `{{snippet …}}` of a text; every range is a byte range of that text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetUse {
    /// From `{{` to `}}` inclusive.
    pub range: Range<usize>,
    pub name: String,
    /// The name's string literal.
    pub name_range: Range<usize>,
    pub args: Vec<SnippetArg>,
}

/// `Param="value"` of a use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetArg {
    pub name: String,
    pub name_range: Range<usize>,
    /// The value with the literal's escapes applied.
    pub value: String,
    /// The value's string literal, quotes included.
    pub value_range: Range<usize>,
}

/// A use that does not tokenise: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub range: Range<usize>,
    pub expected: &'static str,
}

/// Every snippet use of `text`, in order.
pub fn find_uses(text: &str) -> Vec<Result<SnippetUse, Malformed>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("{{").map(|i| i + at) {
        at = open + 2;
        let after = &text[open + 2..];
        let word = open + 2 + (after.len() - after.trim_start_matches([' ', '\t']).len());
        let rest = &text[word..];
        let is_use = rest
            .strip_prefix("snippet")
            .is_some_and(|r| r.starts_with([' ', '\t', '"', '`']));
        if !is_use {
            continue;
        }
        let parsed = Tokens {
            text,
            at: word + "snippet".len(),
        }
        .snippet_use(open);
        if let Ok(u) = &parsed {
            at = u.range.end;
        }
        out.push(parsed);
    }
    out
}

/// The names of the snippets `text` uses (malformed uses left out).
pub fn used_names(text: &str) -> impl Iterator<Item = String> {
    find_uses(text)
        .into_iter()
        .filter_map(|u| u.ok().map(|u| u.name))
}

struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl Tokens<'_> {
    fn snippet_use(mut self, open: usize) -> Result<SnippetUse, Malformed> {
        let line_end = self.text[open..]
            .find('\n')
            .map_or(self.text.len(), |i| i + open);
        let fail = |at: usize, expected| Malformed {
            range: open..line_end.max(at.min(line_end)),
            expected,
        };
        self.spaces();
        let (name, name_range) = self.string(line_end).ok_or_else(|| {
            fail(
                self.at,
                "the snippet's name as a string: `{{snippet \"name\"}}`",
            )
        })?;
        let mut args = Vec::new();
        loop {
            let before = self.at;
            self.spaces();
            if self.text[self.at..line_end].starts_with("}}") {
                return Ok(SnippetUse {
                    range: open..self.at + 2,
                    name,
                    name_range,
                    args,
                });
            }
            if self.at == before {
                return Err(fail(self.at, "a space, then `Param=\"value\"` or `}}`"));
            }
            let start = self.at;
            let ident_len = self.text[start..line_end]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(line_end - start);
            if ident_len == 0 || !self.text[start + ident_len..line_end].starts_with('=') {
                return Err(fail(self.at, "`Param=\"value\"` or `}}`"));
            }
            self.at = start + ident_len + 1;
            let (value, value_range) = self.string(line_end).ok_or_else(|| {
                fail(
                    self.at,
                    "the argument's value as a Go string: `Param=\"value\"`",
                )
            })?;
            args.push(SnippetArg {
                name: self.text[start..start + ident_len].to_string(),
                name_range: start..start + ident_len,
                value,
                value_range,
            });
        }
    }

    fn spaces(&mut self) {
        while self.text[self.at..].starts_with([' ', '\t']) {
            self.at += 1;
        }
    }

    /// A Go string literal (interpreted or raw) on this line.
    fn string(&mut self, line_end: usize) -> Option<(String, Range<usize>)> {
        let start = self.at;
        let rest = &self.text[start..line_end];
        let (value, len) = if let Some(raw) = rest.strip_prefix('`') {
            let close = raw.find('`')?;
            (raw[..close].to_string(), close + 2)
        } else if rest.starts_with('"') {
            unquote(rest)?
        } else {
            return None;
        };
        self.at = start + len;
        Some((value, start..start + len))
    }
}

/// An interpreted Go string at the start of `s`: its value and length.
/// Escapes: `\\`, `\"`, `\n`, `\t`, `\r`, `\'`, `\xNN` (ASCII).
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'x' => {
                        let hi = chars.next()?.1.to_digit(16)?;
                        let lo = chars.next()?.1.to_digit(16)?;
                        char::from_u32(hi * 16 + lo).filter(char::is_ascii)?
                    }
                    _ => return None,
                });
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_with_and_without_arguments() {
        let t = "a\n  {{snippet \"flush\"}}\n{{ snippet `wrap` Client=\"*redis.Client\" T=`x\"y` }}\n{{\tsnippet\t\"tab\"}}";
        let uses: Vec<_> = find_uses(t).into_iter().map(Result::unwrap).collect();
        assert_eq!(uses.len(), 3);
        assert_eq!(uses[2].name, "tab");
        assert_eq!(uses[0].name, "flush");
        assert_eq!(&t[uses[0].range.clone()], "{{snippet \"flush\"}}");
        assert_eq!(uses[1].name, "wrap");
        let args: Vec<_> = uses[1]
            .args
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(args, [("Client", "*redis.Client"), ("T", "x\"y")]);
        assert_eq!(&t[uses[1].args[0].value_range.clone()], "\"*redis.Client\"");
        assert_eq!(&t[uses[1].args[1].name_range.clone()], "T");
    }

    #[test]
    fn placeholders_are_not_uses() {
        assert!(find_uses("{{.Snippet}} {{snippetX}} {{ .Call }}").is_empty());
    }

    #[test]
    fn malformed_uses() {
        for t in [
            "{{snippet flush}}",
            "{{snippet \"flush\"",
            "{{snippet \"flush\" Client}}",
            "{{snippet \"flush\" Client=x}}",
            "{{snippet \"a\"B=\"c\"}}",
            "{{snippet \"fl\\qush\"}}",
            "{{snippet \"flush\nx\"}}",
        ] {
            let uses = find_uses(t);
            assert!(matches!(uses.as_slice(), [Err(_)]), "{t:?}: {uses:?}");
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(
            unquote(r#""a\"b\\c\x41\n" tail"#),
            Some(("a\"b\\cA\n".into(), 15))
        );
        assert_eq!(unquote(r#""\xff""#), None);
        assert_eq!(unquote(r#""open"#), None);
    }
}
