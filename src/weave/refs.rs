//! Reference advice: `wrap` (`{{.Ref}}` = the selector as written, its
//! position kept) and `replace` on value uses of a package-level member
//! (`http.DefaultTransport`).

use super::aliases_used;
use super::cx::FileCx;
use super::site::SiteValues;
use crate::check::CheckedAspect;
use crate::scan::{RefSite, RefUse};

/// Why a reference is not advised, if it is not: only value uses are.
pub(super) fn skip_reason(r: &RefSite) -> Option<&'static str> {
    Some(match r.usage {
        RefUse::Value => return None,
        RefUse::Assigned => {
            "the reference is written (left of `=`, `++`/`--`): only value uses are advised"
        }
        RefUse::AddressOf => {
            "the reference's address is taken (`&`): wrapping it would change what the pointer points to"
        }
        RefUse::TypeAsserted => {
            "the reference is the operand of a type assertion `x.(T)`: wrapping it would change its dynamic type"
        }
    })
}

/// Apply one ref aspect to the (possibly already advised) reference text.
pub(super) fn ref_advice(
    cx: &FileCx,
    aspect: &CheckedAspect,
    r: &RefSite,
    current: &str,
) -> String {
    let hidden = cx.locals_around(r.enclosing);
    let values = SiteValues::new(cx, aspect, r.enclosing, r.line, &hidden.locals);
    let resume = cx.positions.resume(r.range.start);
    let mut text = current.to_string();
    for t in aspect.advice.replace.iter().chain(&aspect.advice.wrap) {
        text = values.with("Ref", format!("{resume}{text}")).render(t);
    }
    for (alias, path) in aliases_used(aspect) {
        cx.aliases.require(&alias, &path);
    }
    text
}
