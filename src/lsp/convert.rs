//! Conversions between goaop's byte offsets and file paths and the
//! protocol's positions and URIs.
//!
//! LSP positions count UTF-16 code units within a line (the default
//! `positionEncoding`, the one every client supports); goaop's spans are
//! byte offsets. Both directions clamp to the text, and never split a
//! character.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// The LSP position of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count();
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The LSP range of bytes `range` in `text`.
pub fn range(text: &str, range: std::ops::Range<usize>) -> Range {
    Range::new(position(text, range.start), position(text, range.end))
}

/// The byte offset of an LSP position in `text` (the end of the line when
/// the character is past it, the end of the text when the line is).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

/// The file path of a `file:` URI.
pub fn path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///home/x` (empty authority) or `file://localhost/home/x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path (bytes outside the unreserved set
/// and `/` percent-encoded).
pub fn uri(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    for &b in path.to_str()?.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: 1\nname: \"é😀x\"\n";
        let x = text.find('x').unwrap();
        // `name: "` is 7 units, é is 1, 😀 is 2.
        assert_eq!(position(text, x), Position::new(1, 10));
        assert_eq!(offset(text, Position::new(1, 10)), x);
        assert_eq!(offset(text, Position::new(1, 99)), text.len() - 1);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        // Inside a character: the character's start.
        let e = text.find('é').unwrap();
        assert_eq!(position(text, e + 1), position(text, e));
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ü.yaml");
        let u = uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/a%20b/%C3%BC.yaml");
        assert_eq!(path(&u).unwrap(), p);
    }
}
