//! Reference advice: `wrap` (`{{.Ref}}` = the selector as written, its
//! position kept) and `replace` on value uses of a package-level member
//! (`http.DefaultTransport`).

use super::edit::Positions;
use super::render::render;
use super::site::SiteValues;
use super::{PackageInfo, SourceFile, aliases_used, imports};
use crate::check::CheckedAspect;
use crate::scan::{FuncSite, RefSite, RefUse};

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
#[allow(clippy::too_many_arguments)]
pub(super) fn ref_advice(
    aspect: &CheckedAspect,
    r: &RefSite,
    current: &str,
    file: &SourceFile,
    pkg: &PackageInfo,
    funcs: &[FuncSite],
    positions: &Positions,
    aliases: &mut imports::Aliases<'_>,
) -> String {
    let values = SiteValues {
        pkg,
        file,
        aspect,
        funcs,
        enclosing: r.enclosing,
        line: r.line,
        aliases,
        own: Vec::new(),
    };
    let resume = positions.resume(r.range.start);
    let mut text = current.to_string();
    for t in aspect.advice.replace.iter().chain(&aspect.advice.wrap) {
        let with = values.with("Ref", format!("{resume}{text}{}", positions.mark(t)));
        text = format!("{}{}", positions.mark(t), render(t, &with, ""));
    }
    for (alias, path) in aliases_used(aspect) {
        aliases.require(&alias, &path);
    }
    text
}
