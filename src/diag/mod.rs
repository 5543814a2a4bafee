//! The diagnostic model: what went wrong, where, and how to fix it.
//!
//! Every stage reports problems as plain [`Diagnostic`] values that point into
//! a [`Sources`] table by byte span. Rendering (rustc-style text through
//! codespan-reporting, or JSON for CI) lives in [`render`] and is kept apart
//! from the model, like ruff separates its diagnostics from their printers.

pub mod explain;
pub mod render;

use std::ops::Range;

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// A byte range inside one source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }

    /// A sub-span, `range` being relative to the start of `self`.
    pub fn sub(&self, range: Range<usize>) -> Span {
        let start = self.range.start + range.start;
        Span::new(self.file, start..(self.range.start + range.end).max(start))
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One source file that diagnostics can point into.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown to the user (a path as given on the command line, or
    /// `<bundled>/name.aspect` for embedded files).
    pub name: String,
    pub text: String,
    /// Where each line starts, and whether it is all ASCII (then a column
    /// is a byte difference): computed once, so a line/column lookup is a
    /// binary search instead of a scan from the start of the file.
    lines: LineIndex,
}

impl Source {
    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset.min(self.text.len())) + 1
    }

    /// The byte range of the line containing `offset` (without its `\n`).
    pub fn line_range(&self, offset: usize) -> std::ops::Range<usize> {
        let line = self.lines.line_of(offset.min(self.text.len()));
        let start = self.lines.starts[line];
        let end = self
            .lines
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }
}

/// Line starts of one text.
#[derive(Clone, Debug, Default)]
struct LineIndex {
    starts: Vec<usize>,
    /// Per line: only ASCII bytes.
    ascii: Vec<bool>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
            .collect();
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                bytes[s..end].is_ascii()
            })
            .collect();
        LineIndex { starts, ascii }
    }

    /// 0-based line of a byte offset (at most the text's length).
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

/// The table of every file loaded in one run.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<Source>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        self.files.push(Source {
            name: name.into(),
            lines: LineIndex::new(&text),
            text,
        });
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &Source {
        &self.files[id]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &Source)> {
        self.files.iter().enumerate()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let src = &self.files[file];
        let text = &src.text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = src.lines.line_of(offset);
        let start = src.lines.starts[line];
        let column = if src.lines.ascii[line] {
            offset - start
        } else {
            text[start..offset].chars().count()
        };
        (line + 1, column + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in the user's input.
///
/// `code` is a stable identifier (`E0101`); see [`codes`] for the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub notes: Vec<String>,
    /// How to fix it. Every error should carry one.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: Label {
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span, label)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Suggest the closest of `candidates` to `word` (a "did you mean"), by
/// optimal-string-alignment distance: a swapped pair of letters (`Vlaue`)
/// counts as one edit.
///
/// Bounded work whatever the input: words longer than [`MAX_SUGGEST_LEN`]
/// get no suggestion, candidates whose length alone rules them out are
/// skipped before any distance is computed, and at most
/// [`MAX_SUGGEST_CANDIDATES`] candidates are looked at.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let allowed = |c: &str| (c.len().max(word.len()) / 3).max(1);
    candidates
        .into_iter()
        .take(MAX_SUGGEST_CANDIDATES)
        .filter(|c| c.len().abs_diff(word.len()) <= allowed(c))
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| *d <= allowed(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Longest word [`did_you_mean`] suggests for.
pub const MAX_SUGGEST_LEN: usize = 64;
/// Most candidates [`did_you_mean`] compares a word with.
pub const MAX_SUGGEST_CANDIDATES: usize = 1000;

pub mod codes;

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn a_swapped_pair_of_letters_is_one_edit() {
        assert_eq!(did_you_mean("Vlaue", ["Call", "Value"]), Some("Value"));
        assert_eq!(
            did_you_mean("FuncNam", ["FuncName", "File"]),
            Some("FuncName")
        );
        assert_eq!(did_you_mean("Timeout", ["Call", "Value"]), None);
    }
}
