//! Pre-splitting a checked template into [`Segment`]s (DESIGN §5, §7):
//! literal text, placeholders (in code or embedded in a literal or
//! comment), identifiers the weaver resolves, and [`Segment::Verbatim`]
//! text inside literals and comments that the weaver copies as it is; with
//! the place of each segment in the template, from which the weaver writes
//! exact `//line file:L:C` directives.

use std::ops::Range;

use tree_sitter::Node;

use super::holes::{self, Context, Use};
use super::model::Segment;
use super::template::Placeholder;

/// The parts of the template text (sorted, disjoint ranges) that are the
/// inside of a literal or comment holding a placeholder or a line break
/// (delimiters included): the weaver copies them as they are
/// ([`Segment::Verbatim`]), so no directive or indentation lands inside a
/// raw string's value, and every other segment starts in code.
pub(super) fn verbatim_ranges(
    root: Node,
    base: usize,
    text: &str,
    placeholders: &[Placeholder],
) -> Vec<Range<usize>> {
    let end = base + text.len();
    let holds_placeholder = |r: &Range<usize>| {
        placeholders
            .iter()
            .any(|p| r.start <= p.range.start && p.range.end <= r.end)
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let r = node.byte_range();
        if r.end <= base || r.start >= end {
            continue;
        }
        match node.kind() {
            // A rune literal holds a placeholder only as `'{{.X}}'`, whose
            // neutral text is not a rune literal of the same extent: see
            // below. Neither holds a line break.
            "rune_literal" => {}
            "interpreted_string_literal" | "raw_string_literal" | "comment" => {
                let r = r.start.max(base) - base..r.end.min(end) - base;
                if text[r.clone()].contains('\n') || holds_placeholder(&r) {
                    out.push(r);
                }
            }
            _ => {
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
        }
    }
    for p in placeholders {
        if holes::rune_wrapped(text, &p.range) {
            out.push(p.range.start - 1..p.range.end + 1);
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Split the template text into segments, also at each of `cuts` (sorted
/// text offsets) and at the edges of the `verbatim` ranges; returns the
/// segments, the text offset where each starts, and the segment index at
/// each cut.
pub(super) fn split(
    text: &str,
    uses: &[Use],
    idents: &[(Range<usize>, bool)],
    cuts: &[usize],
    verbatim: &[Range<usize>],
) -> (Vec<Segment>, Vec<usize>, Vec<usize>) {
    let mut marks: Vec<(Range<usize>, Segment)> = uses
        .iter()
        .map(|u| {
            let seg = match u.context {
                Context::Code(_) => Segment::Hole(u.name.clone()),
                Context::Embedded(e) => Segment::Embedded(u.name.clone(), e),
            };
            (u.range.clone(), seg)
        })
        .chain(
            idents
                .iter()
                .filter(|(_, is_ident)| *is_ident)
                .map(|(r, _)| (r.clone(), Segment::Ident(text[r.clone()].to_string()))),
        )
        .collect();
    marks.sort_by_key(|(r, _)| r.start);
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let mut at_cut = Vec::with_capacity(cuts.len());
    let mut cuts = cuts.iter().copied().peekable();
    // Text from `from` to `to` (no placeholder or identifier inside), as
    // `Lit`s and `Verbatim`s.
    let text_segments =
        |out: &mut Vec<Segment>, starts: &mut Vec<usize>, from: usize, to: usize| {
            let mut at = from;
            for v in verbatim.iter().filter(|v| v.start < to && v.end > from) {
                let (s, e) = (v.start.max(from), v.end.min(to));
                if s > at {
                    out.push(Segment::Lit(text[at..s].to_string()));
                    starts.push(at);
                }
                out.push(Segment::Verbatim(text[s..e].to_string()));
                starts.push(s);
                at = e;
            }
            if to > at {
                out.push(Segment::Lit(text[at..to].to_string()));
                starts.push(at);
            }
        };
    // Literal text from `from` to `to`, cut where asked.
    let mut lit = |out: &mut Vec<Segment>, starts: &mut Vec<usize>, mut from: usize, to: usize| {
        while let Some(c) = cuts.next_if(|&c| c <= to) {
            if c > from {
                text_segments(out, starts, from, c);
                from = c;
            }
            at_cut.push(out.len());
        }
        if to > from {
            text_segments(out, starts, from, to);
        }
    };
    let mut at = 0;
    for (range, seg) in marks {
        if range.start < at {
            continue;
        }
        lit(&mut out, &mut starts, at, range.start);
        out.push(seg);
        starts.push(range.start);
        at = range.end;
    }
    lit(&mut out, &mut starts, at, text.len());
    (out, starts, at_cut)
}

/// (line, byte offset in the line) of each of the sorted text offsets.
pub(super) fn places(text: &str, offsets: &[usize]) -> Vec<(u32, u32)> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    offsets
        .iter()
        .map(|&o| {
            let line = line_starts.partition_point(|&s| s <= o) - 1;
            (line as u32, (o - line_starts[line]) as u32)
        })
        .collect()
}
