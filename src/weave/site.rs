//! Placeholder values shared by the advice of call sites, references and
//! composite literals: the context placeholders (`FuncName`, `Line`, …),
//! `{{.Context}}`, the aspect's `vars`, plus the site's own values
//! (`Call`/`Args`, `Ref`, `Value`), and the identifier renaming of
//! site advice (import aliases, hygienic names).

use std::collections::BTreeSet;

use super::cx::FileCx;
use super::render::{Values, render};
use super::{context_placeholder, imports};
use crate::check::{CheckedAspect, Template};
use crate::scan::FuncSite;

/// No names hide an import at package level.
pub(super) static NO_LOCALS: BTreeSet<String> = BTreeSet::new();

/// Everything a site template's placeholders and identifiers resolve to.
pub(super) struct SiteValues<'a> {
    pub cx: &'a FileCx<'a>,
    pub aspect: &'a CheckedAspect,
    /// The index (in the file's functions) of the one enclosing the site.
    pub enclosing: Option<usize>,
    pub line: u32,
    /// Names that hide a file import where the text lands.
    pub hidden: &'a BTreeSet<String>,
    /// The site's own placeholders: `Call`, `Args`, `Ref`, `Value`.
    pub own: Vec<(&'static str, String)>,
}

impl<'a> SiteValues<'a> {
    /// The values for a site inside `scan.funcs[enclosing]`.
    pub fn new(
        cx: &'a FileCx<'a>,
        aspect: &'a CheckedAspect,
        enclosing: Option<usize>,
        line: u32,
        hidden: &'a BTreeSet<String>,
    ) -> Self {
        SiteValues {
            cx,
            aspect,
            enclosing,
            line,
            hidden,
            own: Vec::new(),
        }
    }

    /// The same site with one of its own placeholders set.
    pub fn with(&self, name: &'static str, value: String) -> SiteValues<'a> {
        let mut own: Vec<(&'static str, String)> = self
            .own
            .iter()
            .filter(|(n, _)| *n != name)
            .cloned()
            .collect();
        own.push((name, value));
        SiteValues {
            own,
            ..SiteValues::new(self.cx, self.aspect, self.enclosing, self.line, self.hidden)
        }
    }

    /// Render `t` here (in the middle of a line, from a `/*line…*/` to its
    /// first position), its hoistable literals as package-level functions.
    pub fn render(&self, t: &Template) -> String {
        let package_level = SiteValues {
            own: self.own.clone(),
            ..SiteValues::new(self.cx, self.aspect, self.enclosing, self.line, &NO_LOCALS)
        };
        let positions = &self.cx.positions;
        let lifted = self
            .cx
            .hoister
            .borrow_mut()
            .lift(t, &package_level, positions.mid_line(t));
        render(
            &lifted.template,
            &lifted.values(self),
            positions.start(t, false),
        )
    }
}

impl Values for SiteValues<'_> {
    fn placeholder(&self, name: &str) -> Option<String> {
        let funcs = &self.cx.scan.funcs;
        let enclosing = self.enclosing.and_then(|i| funcs.get(i));
        if let Some(v) = context_placeholder(name, enclosing, self.cx.pkg, self.cx.file, self.line)
        {
            return Some(v);
        }
        if let Some((_, v)) = self.own.iter().find(|(n, _)| *n == name) {
            return Some(v.clone());
        }
        if name == "Context" {
            return Some(context_expr(
                funcs,
                self.enclosing,
                &self.cx.aliases,
                self.hidden,
            ));
        }
        self.aspect.vars.get(name).cloned()
    }

    fn ident(&self, name: &str) -> String {
        if let Some(i) = self.aspect.imports.iter().find(|i| i.alias == name) {
            return self.cx.aliases.alias_for(&i.alias, &i.path, self.hidden);
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
    hidden: &BTreeSet<String>,
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
    format!(
        "{}.Background()",
        aliases.alias_required("context", "context", hidden)
    )
}
