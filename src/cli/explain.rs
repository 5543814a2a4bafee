//! `goaop explain [CODE]`: the page of a diagnostic code (what it means, a
//! wrong and a fixed example), or the list of codes with their titles. The
//! pages live in `docs/codes/` and are embedded ([`crate::diag::explain`]).

use super::Outcome;
use crate::diag::explain;

pub fn run(code: Option<&str>) -> Outcome {
    let Some(code) = code else {
        return Outcome {
            stdout: list(),
            ..Default::default()
        };
    };
    match explain::page(code) {
        Some(page) => Outcome {
            stdout: page.to_string(),
            ..Default::default()
        },
        None => Outcome::usage(format!(
            "`{code}` is not a goaop diagnostic code; codes look like `E0201` or `W0001` and are printed in brackets (`error[E0201]`); `goaop explain` lists them all"
        )),
    }
}

/// Every code with its one-line title.
fn list() -> String {
    let mut out = String::from("Diagnostic codes (`goaop explain CODE` prints one):\n");
    for (code, page) in explain::PAGES {
        out.push_str(&format!("  {code}  {}\n", explain::title(page)));
    }
    out
}
