//! The walk's prefilter: the byte offsets of everything a subtree must
//! contain for the walk to find something in it (a `.`, a `func`, a
//! directive comment). Found with one memchr pass over the file, so that
//! the tree walk can skip the many subtrees that hold none.

/// Where a subtree may hold something the walk records: every `.` (package
/// selectors, calls and composite literals all have one), every `func`
/// (function literals) and every directive comment (`goaop:ignore`,
/// `//line`, `/*line`). A subtree of a [`K::skippable`] kind with no mark
/// inside is not walked: 40-50% of the nodes of typical Go code sit in such
/// subtrees.
pub(super) fn marks(src: &[u8]) -> Vec<usize> {
    let mut out = Vec::with_capacity(src.len() / 32);
    for i in memchr::memchr3_iter(b'.', b'f', b'/', src) {
        let rest = &src[i..];
        let hit = match rest[0] {
            b'.' => true,
            b'f' => rest.starts_with(b"func"),
            _ => directive_comment(rest),
        };
        if hit {
            out.push(i);
        }
    }
    out
}

/// `rest` starts a `//line `, `/*line ` or `goaop:ignore` comment.
fn directive_comment(rest: &[u8]) -> bool {
    let Some(body) = rest
        .strip_prefix(b"//")
        .or_else(|| rest.strip_prefix(b"/*"))
    else {
        return false;
    };
    body.starts_with(b"line ") || body.trim_ascii_start().starts_with(b"goaop:ignore")
}
