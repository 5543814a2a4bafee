//! A YAML document as a tree of located nodes.
//!
//! serde-saphyr parses the text and hands every value to a visitor wrapped in
//! its `Spanned`, which carries the byte range of the node. Reading into this
//! generic tree (rather than into a `#[derive(Deserialize)]` struct) lets the
//! lowering in `yaml.rs` report *every* unknown field, wrong shape and
//! duplicate key of a file instead of serde's first error only.
//!
//! Byte ranges as serde-saphyr reports them: scalars cover their text
//! (quotes included; a block scalar starts at its first content character and
//! runs over the trailing blank lines), mappings and sequences are a
//! zero-width point (block style) or their opening bracket (flow style).
//! [`Node::extent`] computes the whole range of a collection.

use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One YAML value and where it is.
#[derive(Debug)]
pub(crate) struct Node {
    pub value: Value,
    /// Byte range in the file where the value is used (an alias `*a` for an
    /// aliased value), as reported by the parser (see module docs).
    pub range: Range<usize>,
    /// Byte range where the value's text is written (the anchored
    /// definition for an alias; else `range`). Scalar spans use this one.
    pub text: Range<usize>,
    /// 1-based line and character column of `range` and of `text`, for when
    /// the byte offsets are unknown.
    line_col: [(u64, u64); 2],
}

#[derive(Debug)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order, duplicates kept.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What the value is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// Resolve the node's byte range against the file text: fill in unknown
    /// offsets from line/column, clamp to the text, and drop the trailing
    /// whitespace a block scalar's range runs over.
    pub fn fix_ranges(&mut self, src: &str) {
        self.range = fix_range(src, self.range.clone(), self.line_col[0]);
        self.text = fix_range(src, self.text.clone(), self.line_col[1]);
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.fix_ranges(src)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.fix_ranges(src);
                v.fix_ranges(src);
            }),
            _ => {}
        }
    }

    /// The whole range of the node, children included (and the closing
    /// bracket of a flow collection).
    pub fn extent(&self, src: &str) -> Range<usize> {
        let mut end = self.range.end;
        let mut children = false;
        match &self.value {
            Value::Seq(items) => items.iter().for_each(|n| {
                children = true;
                end = end.max(n.extent(src).end);
            }),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                children = true;
                end = end.max(k.extent(src).end).max(v.extent(src).end);
            }),
            _ => {}
        }
        let flow = matches!(src.as_bytes().get(self.range.start), Some(b'{' | b'['));
        if flow {
            let close = if src.as_bytes()[self.range.start] == b'{' {
                '}'
            } else {
                ']'
            };
            let rest = &src[end..];
            let after = rest.len() - rest.trim_start().len();
            if rest[after..].starts_with(close) {
                end += after + 1;
            } else if !children {
                // `{}` / `[]`: the opening bracket's range is all we have.
                end = end.max(self.range.end);
            }
        }
        self.range.start..end.max(self.range.start)
    }
}

fn fix_range(src: &str, range: Range<usize>, (line, column): (u64, u64)) -> Range<usize> {
    let range = if range.start == usize::MAX {
        let at = offset_of_line_col(src, line, column);
        at..at
    } else {
        range
    };
    let start = floor_boundary(src, range.start.min(src.len()));
    let end = floor_boundary(src, range.end.clamp(start, src.len()));
    start..start + src[start..end].trim_end().len()
}

/// The byte offset of a 1-based line and character column.
pub(crate) fn offset_of_line_col(src: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match src[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return src.len(),
        }
    }
    let rest = &src[offset..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    offset
        + line_text
            .char_indices()
            .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX))
            .map_or(line_text.len(), |(i, _)| i)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Value>::deserialize(d)?;
        let byte_range = |loc: &serde_saphyr::Location| {
            let span = loc.span();
            match (span.byte_offset(), span.byte_len()) {
                (Some(o), Some(l)) => {
                    let o = usize::try_from(o).unwrap_or(usize::MAX);
                    o..o.saturating_add(usize::try_from(l).unwrap_or(0))
                }
                _ => usize::MAX..usize::MAX,
            }
        };
        Ok(Node {
            range: byte_range(&s.referenced),
            text: byte_range(&s.defined),
            line_col: [
                (s.referenced.line(), s.referenced.column()),
                (s.defined.line(), s.defined.column()),
            ],
            value: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i128::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = a.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = a.next_key::<Node>()? {
            let v = a.next_value::<Node>()?;
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

/// For each line of the string `value` read from the scalar at `start`, the
/// file offset of its first character; empty when the value is not a
/// verbatim copy of the file (escapes, folding).
///
/// Quoted scalars map only when on one line without escapes. Plain and block
/// scalars are checked line by line: value line `i` must be the file line
/// `i` (counting from the scalar's first line, blank lines included) with the
/// block indentation removed.
pub(crate) fn line_starts(src: &str, start: usize, value: &str) -> Vec<usize> {
    let bytes = src.as_bytes();
    // A block or plain scalar whose text itself starts with a quote is not
    // a quoted scalar: its first line is in the file as it is.
    let first_line = value.split('\n').next().unwrap_or_default();
    let quoted = !(value.starts_with(['"', '\''])
        && src.get(start..).is_some_and(|s| s.starts_with(first_line)));
    if let Some(&q @ (b'"' | b'\'')) = bytes.get(start).filter(|_| quoted) {
        let content = start + 1;
        let verbatim = !value.contains('\n')
            && src.get(content..content + value.len()) == Some(value)
            && bytes.get(content + value.len()) == Some(&q)
            && !(q == b'\'' && value.contains('\''))
            && !(q == b'"' && value.contains('\\'));
        return if verbatim { vec![content] } else { Vec::new() };
    }
    let line_start = |at: usize| src[..at].rfind('\n').map_or(0, |i| i + 1);
    let first_line = line_start(start.min(src.len()));
    let indent = start - first_line;
    let vlines: Vec<&str> = value.split('\n').collect();
    let Some(k) = vlines.iter().position(|l| !l.is_empty()) else {
        return Vec::new();
    };
    // File line starts from k lines before the scalar's first line.
    let mut ls = first_line;
    for _ in 0..k {
        if ls == 0 {
            return Vec::new();
        }
        ls = line_start(ls - 1);
    }
    let single = vlines.len() == 1;
    let mut out = Vec::with_capacity(vlines.len());
    let mut cur = Some(ls);
    for (i, vl) in vlines.iter().enumerate() {
        let last = i + 1 == vlines.len();
        let Some(at) = cur else {
            if last && vl.is_empty() {
                out.push(src.len());
                continue;
            }
            return Vec::new();
        };
        let end = src[at..].find('\n').map_or(src.len(), |e| at + e);
        let line = &src[at..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if vl.is_empty() {
            if !last && !line.trim().is_empty() {
                return Vec::new();
            }
            out.push(at + indent.min(spaces));
        } else {
            let Some(rest) = line.get(indent..) else {
                return Vec::new();
            };
            let prefix_ok = i == k || spaces >= indent;
            let text_ok = if single {
                rest.starts_with(vl)
            } else {
                rest == *vl
            };
            if !(prefix_ok && text_ok) {
                return Vec::new();
            }
            out.push(at + indent);
        }
        cur = (end < src.len()).then_some(end + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Node {
        let mut n: Node = serde_saphyr::from_str(src).unwrap();
        n.fix_ranges(src);
        n
    }

    fn first_value(n: &Node) -> &Node {
        match &n.value {
            Value::Map(e) => &e[0].1,
            _ => panic!(),
        }
    }

    #[test]
    fn block_scalar_line_starts() {
        for src in [
            "a: |\n  x := 1\n    y()\n\n  z\nb: 1\n",
            "a: |-\n  x := 1\n    y()\n\n  z",
            "a: |2\n     x := 1\n  y\n",
            "a: |\n\n  x\n",
            "a: |\r\n  x\r\n  y\r\n",
            "a: >\n  one line\n",
            "a: plain # comment\n",
            "a: 'quoted'\n",
            "a: \"dq\"\n",
            "a: |\n  \"w\" + f()\n  'x'\n",
            "a: |-\n  'single' + x\n",
        ] {
            let root = parse(src);
            let v = first_value(&root);
            let Value::Str(s) = &v.value else { panic!() };
            let starts = line_starts(src, v.text.start, s);
            assert_eq!(starts.len(), s.split('\n').count(), "{src:?}");
            for (line, start) in s.split('\n').zip(&starts) {
                assert_eq!(&src[*start..*start + line.len()], line, "{src:?}");
            }
        }
    }

    #[test]
    fn non_verbatim_scalars_have_no_line_starts() {
        for src in [
            "a: 'it''s'\n",
            "a: \"tab\\there\"\n",
            "a: >\n  folded\n  text\n",
            "a: plain\n  continued\n",
            "a: \"two\n  lines\"\n",
        ] {
            let root = parse(src);
            let v = first_value(&root);
            let Value::Str(s) = &v.value else { panic!() };
            assert!(line_starts(src, v.text.start, s).is_empty(), "{src:?}");
        }
    }

    #[test]
    fn extents() {
        let src = "a:\n  b: 1\n  c: [x, y]\nd: {e: 1}\n";
        let root = parse(src);
        let Value::Map(e) = &root.value else { panic!() };
        assert_eq!(&src[e[0].1.extent(src)], "b: 1\n  c: [x, y]");
        assert_eq!(&src[e[1].1.extent(src)], "{e: 1}");
    }
}
