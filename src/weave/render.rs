//! Rendering a pre-split [`Template`] into Go text: placeholders become
//! their values, [`Segment::Ident`]s their resolved names. No parsing here:
//! `check` already split the template.

use crate::check::{Segment, Template};

/// What each placeholder and identifier of a template becomes.
pub trait Values {
    /// The value of `{{.name}}`, or `None` if unknown (left as written; check
    /// guarantees it does not happen for checked templates).
    fn placeholder(&self, name: &str) -> Option<String>;
    /// The identifier to write for `name`.
    fn ident(&self, name: &str) -> String;
}

/// Render the template. `indent` is put before every line but the first.
pub fn render(t: &Template, values: &dyn Values, indent: &str) -> String {
    let mut out = String::new();
    for seg in &t.segments {
        match seg {
            Segment::Lit(s) => push_indented(&mut out, s, indent),
            // A line that starts with a placeholder or an identifier is
            // indented like any other.
            Segment::Hole(_) | Segment::Ident(_) if out.ends_with('\n') => {
                out.push_str(indent);
                push_value(&mut out, seg, values);
            }
            _ => push_value(&mut out, seg, values),
        }
    }
    out
}

fn push_value(out: &mut String, seg: &Segment, values: &dyn Values) {
    match seg {
        Segment::Lit(_) => {}
        Segment::Hole(name) => match values.placeholder(name) {
            Some(v) => out.push_str(&v),
            None => {
                out.push_str("{{.");
                out.push_str(name);
                out.push_str("}}");
            }
        },
        Segment::Ident(name) => out.push_str(&values.ident(name)),
    }
}

fn push_indented(out: &mut String, s: &str, indent: &str) {
    let mut first = true;
    for part in s.split('\n') {
        if !first {
            out.push('\n');
            if !part.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(part);
        first = false;
    }
}

/// `{{.Zeros}}` followed by `, ` with nothing to expand: drop the comma too.
pub fn tidy_empty_zeros(text: &str) -> String {
    text.replace("return , ", "return ")
}
