//! Applying edits to the original text, where edits nest.
//!
//! Advice around a call copies the call into its own text (`wrap:
//! "f({{.Call}})"`), and the call's arguments may hold more advised sites: a
//! nested advised call, an advised function literal, a composite literal
//! with `set-field`. An edit therefore does not copy the source it keeps: it
//! names it with a [`source`] reference, and applying the edits resolves
//! each reference to that range of the original text *with the edits inside
//! the range applied*. So `strings.ToUpper(strings.ToUpper(s))` under a
//! `wrap` becomes `W(strings.ToUpper(W(strings.ToUpper(s))))`, and the
//! output is built once, in one buffer: no edit holds a copy of the text
//! around it, whatever the nesting depth (a copy per level made memory grow
//! with the square of the depth).
//!
//! Edits form a tree by containment. An edit inside another whose text
//! names no range holding it is *dropped* (a `replace` that keeps only the
//! arguments drops advice on the callee), as is one that straddles another's
//! end; both are returned so the caller can say so in the plan.

use std::cmp::Reverse;
use std::ops::Range;

use super::edit::Edit;

/// The reference to `range` of the original text, for an edit's text. NUL
/// never appears in Go source the compiler accepts, nor in a template's
/// rendering of code placeholders (which `check` keeps out of literals).
pub fn source(range: Range<usize>) -> String {
    format!("\0{}-{}\0", range.start, range.end)
}

/// An edit left out of the woven text.
#[derive(Debug)]
pub struct Dropped {
    pub edit: Edit,
    /// The decisions of the edit that left it out: the one whose text keeps
    /// no range holding it, or the one it straddles.
    pub by: Range<usize>,
    /// It straddles the end of another edit (rather than sitting inside one
    /// whose text drops it).
    pub straddles: bool,
}

/// The woven text would exceed this many bytes: advice that writes a site's
/// code more than once (`{{.Call}}` and `{{.Args}}`, or one of them twice)
/// writes the advice nested in it once per copy, at every level, so the
/// text grows exponentially with the nesting depth.
#[derive(Debug)]
pub struct TooLarge(pub usize);

/// Apply `edits` to `src`: insertions at the same offset keep their order,
/// references resolve recursively (see the module documentation). The
/// woven text may be at most 64 times as long as the source and the edits
/// written once each, plus 1 MiB.
pub fn apply(src: &str, mut edits: Vec<Edit>) -> Result<(String, Vec<Dropped>), TooLarge> {
    // Parents before children: at one offset, insertions (siblings before
    // the edit there), then the longest range first.
    edits.sort_by_key(|e| (e.range.start, !e.range.is_empty(), Reverse(e.range.end)));
    let tree = Tree::build(src, &edits);
    let once = src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>();
    let limit = once.saturating_mul(64).saturating_add(1 << 20);
    let mut out = String::with_capacity(once);
    let mut used = vec![false; edits.len()];
    let mut frames = vec![Frame::Source {
        owner: None,
        at: 0,
        end: src.len(),
        next: 0,
    }];
    while let Some(frame) = frames.pop() {
        if out.len() > limit {
            return Err(TooLarge(limit));
        }
        match frame {
            Frame::Source {
                owner,
                at,
                end,
                next,
            } => {
                let kids = tree.children(owner);
                // An insertion at the end of a reference belongs to what
                // follows it, except at the end of the file.
                let past = |r: &Range<usize>| {
                    r.start > end || (r.start == end && (owner.is_some() || !r.is_empty()))
                };
                let mut i = next;
                let mut descended = false;
                while let Some(&k) = kids.get(i) {
                    let r = &edits[k].range;
                    if past(r) {
                        break;
                    }
                    i += 1;
                    // Children starting before this reference belong to
                    // another one (or to none).
                    if r.start >= at && r.end <= end {
                        out.push_str(&src[at..r.start]);
                        used[k] = true;
                        frames.push(Frame::Source {
                            owner,
                            at: r.end,
                            end,
                            next: i,
                        });
                        frames.push(Frame::Text { edit: k, at: 0 });
                        descended = true;
                        break;
                    }
                }
                if !descended {
                    out.push_str(&src[at..end]);
                }
            }
            Frame::Text { edit, at } => {
                let text = &edits[edit].text;
                let rest = &text[at..];
                let Some(nul) = rest.find('\0') else {
                    out.push_str(rest);
                    continue;
                };
                out.push_str(&rest[..nul]);
                match parse_reference(&rest[nul..]).filter(|(r, _)| r.end <= src.len()) {
                    Some((r, len)) => {
                        frames.push(Frame::Text {
                            edit,
                            at: at + nul + len,
                        });
                        let kids = tree.children(Some(edit));
                        let next = kids.partition_point(|&k| edits[k].range.start < r.start);
                        frames.push(Frame::Source {
                            owner: Some(edit),
                            at: r.start,
                            end: r.end,
                            next,
                        });
                    }
                    // Not a reference: written as it is (the compiler
                    // refuses the NUL).
                    None => {
                        out.push('\0');
                        frames.push(Frame::Text {
                            edit,
                            at: at + nul + 1,
                        });
                    }
                }
            }
        }
    }
    let mut dropped = Vec::new();
    let mut left_out: Vec<Option<usize>> = vec![None; edits.len()];
    for (i, e) in edits.into_iter().enumerate() {
        if used[i] {
            continue;
        }
        let (by, straddles) = match tree.straddled[i] {
            Some(s) => (Some(s), true),
            // The nearest ancestor that was written (or the one that left
            // the ancestor out).
            None => {
                let p = tree.parent[i];
                let by = p.map(|p| if used[p] { p } else { left_out[p].unwrap_or(p) });
                (by, false)
            }
        };
        left_out[i] = by;
        dropped.push(Dropped {
            by: by.map_or(0..0, |b| tree.decisions[b].clone()),
            edit: e,
            straddles,
        });
    }
    Ok((out, dropped))
}

enum Frame {
    /// Original text `at..end` of a reference in `owner`'s text (`None`:
    /// the whole file), with `owner`'s children from index `next` on.
    Source {
        owner: Option<usize>,
        at: usize,
        end: usize,
        next: usize,
    },
    /// An edit's text from byte `at`.
    Text { edit: usize, at: usize },
}

/// `\0start-end\0` at the start of `s`: the range and the marker's length.
fn parse_reference(s: &str) -> Option<(Range<usize>, usize)> {
    let body = s.strip_prefix('\0')?;
    let close = body.find('\0')?;
    let (a, b) = body[..close].split_once('-')?;
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some((a..b, close + 2))
}

/// Containment among sorted edits.
struct Tree {
    parent: Vec<Option<usize>>,
    /// The edit whose end this one straddles (it is then in no tree).
    straddled: Vec<Option<usize>>,
    roots: Vec<usize>,
    kids: Vec<Vec<usize>>,
    decisions: Vec<Range<usize>>,
}

impl Tree {
    fn build(src: &str, edits: &[Edit]) -> Tree {
        let n = edits.len();
        let mut t = Tree {
            parent: vec![None; n],
            straddled: vec![None; n],
            roots: Vec::new(),
            kids: vec![Vec::new(); n],
            decisions: edits.iter().map(|e| e.decisions.clone()).collect(),
        };
        let mut open: Vec<usize> = Vec::new();
        for (i, e) in edits.iter().enumerate() {
            let r = &e.range;
            if r.start > r.end || r.end > src.len() {
                t.straddled[i] = open.last().copied();
                continue;
            }
            // Close the edits that end at or before this one's start (an
            // insertion at an edit's end follows it).
            while let Some(&top) = open.last() {
                if r.start < edits[top].range.end {
                    break;
                }
                open.pop();
            }
            match open.last() {
                Some(&top) if r.end > edits[top].range.end => {
                    t.straddled[i] = Some(top);
                    continue;
                }
                Some(&top) => {
                    t.parent[i] = Some(top);
                    t.kids[top].push(i);
                }
                None => t.roots.push(i),
            }
            if !r.is_empty() {
                open.push(i);
            }
        }
        t
    }

    fn children(&self, owner: Option<usize>) -> &[usize] {
        match owner {
            Some(e) => &self.kids[e],
            None => &self.roots,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(r: Range<usize>, text: &str) -> Edit {
        Edit::replace(r, text)
    }

    #[test]
    fn nested_edits_compose_through_references() {
        let src = "f(g(h(x)))";
        let edits = vec![
            replace(0..10, &format!("W({})", source(0..10))),
            replace(2..9, &format!("W({})", source(2..9))),
            replace(4..8, &format!("W({})", source(4..8))),
            Edit::insert(6, "y+"),
        ];
        let (out, dropped) = apply(src, edits).unwrap();
        assert_eq!(out, "W(f(W(g(W(h(y+x))))))");
        assert!(dropped.is_empty());
    }

    #[test]
    fn an_edit_no_reference_keeps_is_dropped_with_its_children() {
        let src = "f(g(x), h(y))";
        let mut outer = replace(0..13, &format!("k({})", source(8..12)));
        outer.decisions = 3..4;
        let edits = vec![
            outer,
            replace(2..6, "G"),
            Edit::insert(4, "a"),
            replace(8..12, &format!("H{}", source(9..12))),
        ];
        let (out, dropped) = apply(src, edits).unwrap();
        assert_eq!(out, "k(H(y))");
        let ranges: Vec<_> = dropped
            .iter()
            .map(|d| (d.edit.range.clone(), d.by.clone()))
            .collect();
        assert_eq!(ranges, vec![(2..6, 3..4), (4..4, 3..4)]);
    }

    #[test]
    fn apply_in_order_and_drop_overlaps() {
        let (out, dropped) = apply(
            "abcdef",
            vec![
                Edit::insert(3, "X"),
                replace(0..2, "Y"),
                replace(1..4, "Z"),
                Edit::insert(3, "W"),
            ],
        )
        .unwrap();
        assert_eq!(out, "YcXWdef");
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].edit, replace(1..4, "Z"));
    }

    #[test]
    fn a_straddling_edit_is_dropped() {
        let (out, dropped) = apply("abcdef", vec![replace(1..4, "X"), replace(3..5, "Y")]).unwrap();
        assert_eq!(out, "aXef");
        assert!(dropped[0].straddles);
    }

    #[test]
    fn insertions_keep_their_order_and_sit_outside_at_the_ends() {
        let src = "a(b)c";
        let edits = vec![
            Edit::insert(1, "1"),
            replace(1..4, &format!("[{}]", source(1..4))),
            Edit::insert(1, "2"),
            Edit::insert(4, "3"),
            Edit::insert(2, "i"),
        ];
        let (out, dropped) = apply(src, edits).unwrap();
        assert_eq!(out, "a12[(ib)]3c");
        assert!(dropped.is_empty());
    }

    #[test]
    fn a_reference_used_twice_writes_its_edits_twice() {
        let src = "f(x)";
        let edits = vec![
            replace(0..4, &format!("{0};{0}", source(0..4))),
            replace(2..3, "y"),
        ];
        assert_eq!(apply(src, edits).unwrap().0, "f(y);f(y)");
    }

    #[test]
    fn deep_nesting_is_linear() {
        let depth = 100_000;
        let src = format!("{}x{}", "f(".repeat(depth), ")".repeat(depth));
        let edits: Vec<Edit> = (0..depth)
            .map(|d| {
                let r = 2 * d..src.len() - d;
                replace(r.clone(), &format!("w({})", source(r)))
            })
            .collect();
        let (out, dropped) = apply(&src, edits).unwrap();
        assert!(dropped.is_empty());
        assert_eq!(out.len(), src.len() + 3 * depth);
        assert!(out.starts_with("w(f(w(f("));
    }

    #[test]
    fn copies_of_copies_are_capped() {
        // Each level writes its call twice: 2^depth copies of the innermost.
        let depth = 40;
        let src = format!("{}x{}", "f(".repeat(depth), ")".repeat(depth));
        let edits: Vec<Edit> = (0..depth)
            .map(|d| {
                let r = 2 * d..src.len() - d;
                replace(r.clone(), &format!("{0}+{0}", source(r)))
            })
            .collect();
        let TooLarge(limit) = apply(&src, edits).unwrap_err();
        assert!(limit < 4 << 20, "{limit}");
    }
}
