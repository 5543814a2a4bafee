//! Reading the pattern text: splitting lists at top-level commas, trimming,
//! matching brackets, and the [`Cursor`] the lowering advances through
//! `func [RECV] NAME[TPARAMS](PARAMS) [RESULTS]`.

use std::ops::Range;

use super::PatternError;

/// Split at commas outside brackets; ranges relative to `text`.
pub(super) fn split_commas(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(start..text.len());
    out
}

/// `text` trimmed, as (leading whitespace length, absolute range).
pub(super) fn trim_range(text: &str, base: usize) -> (usize, Range<usize>) {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    (lead, base + lead..base + lead + trimmed.len())
}

/// The index of the bracket closing the one at `open`.
pub(super) fn matching_in(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut stack = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => stack.push(b),
            b')' | b']' | b'}' => {
                let want = match b {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if stack.pop() != Some(want) {
                    return None;
                }
                if stack.is_empty() {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

pub(super) struct Cursor<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(super) fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let rest = &self.text[self.pos..];
        if rest.starts_with(word)
            && rest[word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c == '_' || c.is_alphanumeric()))
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// End of the run of non-whitespace characters at the cursor.
    pub(super) fn word_end(&self) -> usize {
        let rest = &self.text[self.pos..];
        self.pos + rest.find(char::is_whitespace).unwrap_or(rest.len())
    }

    pub(super) fn matching(&self, open: usize) -> Result<usize, PatternError> {
        matching_in(self.text, open).ok_or_else(|| PatternError {
            message: "unbalanced brackets".into(),
            range: open..open + 1,
            help: "every `(`, `[` and `{` in the pattern needs its closing bracket".into(),
        })
    }
}
