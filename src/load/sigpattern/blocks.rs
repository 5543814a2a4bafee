//! The regex building blocks every lowered pattern is made of: one
//! identifier character, any receiver, any type parameters, one list entry
//! or type with balanced brackets. Kept together because they must agree
//! with each other and with the canonical signature's spelling, and
//! because `building_blocks` prints lowered patterns with their names.

/// One identifier character (ASCII letter, digit, `_`, or non-ASCII),
/// written as a negated ASCII class so it means the same in Unicode and byte mode.
pub(super) const IDCH: &str = r"[^\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]";
/// Text without brackets (innermost level).
const I0: &str = r"[^()\[\]{}]*";

/// Any receiver, followed by its space.
pub(super) fn any_receiver() -> String {
    r"(?:\([^()]*\) )?".to_string()
}

/// Optional type parameters after a name: `[T any, S ~[]E]` (one nested level).
pub(super) fn any_type_params() -> String {
    r"(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\])?".to_string()
}

/// Text with balanced brackets up to two levels, commas allowed.
fn inner1() -> String {
    format!(r"(?:[^()\[\]{{}}]|\({I0}\)|\[{I0}\]|\{{{I0}\}})*")
}

/// One list entry or type: balanced brackets (three levels), no top-level comma.
pub(super) fn balanced() -> String {
    format!("{}+", atom())
}

/// The named building blocks of the produced regexes, longest first
/// (`ENTRY` = one list entry or type, `ID` = one identifier character...),
/// to print lowered patterns readably.
pub fn building_blocks() -> Vec<(&'static str, String)> {
    vec![
        ("ENTRY", balanced()),
        ("TYPE", any_type()),
        ("TPARAMS?", any_type_params()),
        ("RECV?", any_receiver()),
        ("ID", IDCH.to_string()),
    ]
}

/// Any one type: like [`balanced`], but a canonical type never starts with
/// `(` or a space (so `(*)` as results cannot match `(int, error)`).
pub(super) fn any_type() -> String {
    let i1 = inner1();
    format!(r"(?:[^ ,()\[\]{{}}]|\[{i1}\]|\{{{i1}\}}){}*", atom())
}

/// One piece of [`balanced`] text.
fn atom() -> String {
    let i1 = inner1();
    format!(r"(?:[^,()\[\]{{}}]|\({i1}\)|\[{i1}\]|\{{{i1}\}})")
}
