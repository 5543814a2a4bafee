//! Placeholder values shared by the advice of call sites, references and
//! composite literals: the context placeholders (`FuncName`, `Line`, …),
//! `{{.Context}}`, the aspect's `vars`, plus the site's own values
//! (`Call`/`Args`, `Ref`, `Value`), and the identifier renaming of
//! site advice (import aliases, hygienic names).

use super::render::Values;
use super::{PackageInfo, SourceFile, context_placeholder, imports};
use crate::check::CheckedAspect;
use crate::scan::FuncSite;

/// Everything a site template's placeholders and identifiers resolve to.
pub(super) struct SiteValues<'a, 'b> {
    pub pkg: &'a PackageInfo<'a>,
    pub file: &'a SourceFile,
    pub aspect: &'a CheckedAspect,
    /// The file's functions, and the index of the one enclosing the site.
    pub funcs: &'a [FuncSite],
    pub enclosing: Option<usize>,
    pub line: u32,
    pub aliases: &'b imports::Aliases<'b>,
    /// The site's own placeholders: `Call`, `Args`, `Ref`, `Value`.
    pub own: Vec<(&'static str, String)>,
}

impl<'a, 'b> SiteValues<'a, 'b> {
    /// The same site with one of its own placeholders set.
    pub fn with(&self, name: &'static str, value: String) -> SiteValues<'a, 'b> {
        let mut own: Vec<(&'static str, String)> = self
            .own
            .iter()
            .filter(|(n, _)| *n != name)
            .cloned()
            .collect();
        own.push((name, value));
        SiteValues { own, ..*self }
    }
}

impl Values for SiteValues<'_, '_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        let enclosing = self.enclosing.and_then(|i| self.funcs.get(i));
        if let Some(v) = context_placeholder(name, enclosing, self.pkg, self.file, self.line) {
            return Some(v);
        }
        if let Some((_, v)) = self.own.iter().find(|(n, _)| *n == name) {
            return Some(v.clone());
        }
        if name == "Context" {
            return Some(context_expr(self.funcs, self.enclosing, self.aliases));
        }
        self.aspect.vars.get(name).cloned()
    }

    fn ident(&self, name: &str) -> String {
        if let Some(i) = self.aspect.imports.iter().find(|i| i.alias == name) {
            return self.aliases.alias_for(&i.alias, &i.path);
        }
        if self.aspect.idents.declared.iter().any(|d| d == name) {
            return format!("__goaop_{name}");
        }
        name.to_string()
    }
}

/// `{{.Context}}`: the `context.Context` in scope at a site inside
/// `funcs[enclosing]`. From the innermost enclosing function outwards
/// (through function literals): a named `context.Context` parameter (its
/// name), else a named `*net/http.Request` parameter (`r.Context()`); when
/// no enclosing function has either, `context.Background()` (importing
/// `context` if the file does not). Unnamed, blank and variadic parameters
/// cannot be used.
pub(super) fn context_expr(
    funcs: &[FuncSite],
    enclosing: Option<usize>,
    aliases: &imports::Aliases<'_>,
) -> String {
    let mut at = enclosing;
    let mut guard = funcs.len() + 1;
    while let Some(f) = at.and_then(|i| funcs.get(i)) {
        let named = |ty: &str| {
            f.params
                .iter()
                .find(|p| p.ty == ty && !p.variadic)
                .and_then(|p| p.name.clone())
                .filter(|n| n != "_")
        };
        if let Some(ctx) = named("context.Context") {
            return ctx;
        }
        if let Some(r) = named("*net/http.Request") {
            return format!("{r}.Context()");
        }
        at = f.parent;
        guard -= 1;
        if guard == 0 {
            break;
        }
    }
    format!("{}.Background()", aliases.alias_for("context", "context"))
}
