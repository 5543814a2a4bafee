//! Binding an aspect to one function (DESIGN §5): typed requirements,
//! implicit identifiers, globals and returns. The outcome is either the
//! names the advice will use, or the reason the function is skipped — which
//! `goaop plan` shows and a build counts.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{CheckedAspect, Segment};
use crate::scan::{FuncKind, FuncSite, Param};

/// How the advice refers to one binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    /// Binding name → the identifier the woven code uses for it.
    pub names: BTreeMap<String, String>,
    /// Locals to declare before the advice: `(name, expression)`, e.g.
    /// `("__goaop_ctx", "r.Context()")`.
    pub derived: Vec<(String, String)>,
    /// Blank (`_`) or unnamed parameters to name: param index → new name.
    pub param_renames: BTreeMap<usize, String>,
    /// The function's results must be named (for `after` or `{{.Zeros}}`).
    pub name_results: bool,
    /// The name a blank or unnamed receiver gets (for `{{.Self}}`).
    pub receiver: Option<String>,
}

/// What the package around a function provides.
pub struct Surroundings<'a> {
    pub package_path: &'a str,
    /// Top-level names of every file of the package.
    pub package_names: &'a BTreeSet<String>,
    /// Package names of the function's file imports.
    pub file_imports: &'a BTreeSet<String>,
}

/// What the aspects already bound to one function share with the next: a
/// blank parameter is named once whatever each aspect calls it, and a
/// derived local (`__goaop_ctx := r.Context()`) is declared once.
#[derive(Clone, Debug, Default)]
pub struct Shared {
    /// Param index → the name goaop gives it.
    pub renames: BTreeMap<usize, String>,
    /// Derived locals already declared: `(name, expression)`.
    pub derived: Vec<(String, String)>,
}

impl Shared {
    /// Remember what an applied aspect named and declared.
    pub fn absorb(&mut self, bound: &Bound) {
        for (i, name) in &bound.param_renames {
            self.renames.entry(*i).or_insert_with(|| name.clone());
        }
        for d in &bound.derived {
            if !self.derived.contains(d) {
                self.derived.push(d.clone());
            }
        }
    }

    /// `__goaop_<name>`, or `__goaop<n>_<name>` when taken by another
    /// rename or derived local.
    fn fresh(&self, name: &str, pending: &Bound) -> String {
        let taken = |c: &str| {
            self.renames
                .values()
                .chain(pending.param_renames.values())
                .any(|n| n == c)
                || self
                    .derived
                    .iter()
                    .chain(&pending.derived)
                    .any(|(n, _)| n == c)
        };
        let mut candidate = format!("__goaop_{name}");
        let mut n = 1;
        while taken(&candidate) {
            n += 1;
            candidate = format!("__goaop{n}_{name}");
        }
        candidate
    }
}

/// Bind `aspect` to `site`, or say why not. `shared` holds what the
/// aspects applied before it named and declared.
pub fn bind(
    aspect: &CheckedAspect,
    site: &FuncSite,
    around: &Surroundings,
    shared: &Shared,
) -> Result<Bound, String> {
    let mut bound = Bound {
        names: BTreeMap::new(),
        derived: Vec::new(),
        param_renames: BTreeMap::new(),
        name_results: false,
        receiver: None,
    };
    let func = display_name(site);
    if let Some(own) = aspect
        .imports
        .iter()
        .find(|i| i.path == around.package_path)
    {
        return Err(format!(
            "the advice imports {}, the package itself (an import cycle)",
            own.path
        ));
    }

    if uses_self(aspect) {
        match (&site.kind, &site.receiver_param) {
            (FuncKind::Literal, _) => {
                return Err(format!(
                    "the advice uses `{{{{.Self}}}}`, and {func} is a function literal: it has no name to refer to it by"
                ));
            }
            (FuncKind::Method, Some(p)) if p.name.is_none() => {
                bound.receiver = Some("__goaop_recv".to_string());
            }
            _ => {}
        }
    }

    for req in &aspect.requires {
        let found = site.params.iter().enumerate().find(|(_, p)| p.ty == req.ty);
        match found {
            Some((i, p)) => match (&p.name, &p.name_range) {
                (Some(n), _) => {
                    bound.names.insert(req.name.clone(), n.clone());
                }
                (None, _) => {
                    // A blank `_` or unnamed parameter: give it a name (the
                    // weaver names the other unnamed ones `_`, as Go wants
                    // all or none named), once for every aspect.
                    let new = match shared
                        .renames
                        .get(&i)
                        .or_else(|| bound.param_renames.get(&i))
                    {
                        Some(name) => name.clone(),
                        None => shared.fresh(&req.name, &bound),
                    };
                    bound.param_renames.insert(i, new.clone());
                    bound.names.insert(req.name.clone(), new);
                }
            },
            // No parameter of that type: a method's receiver (`w *Writer`)
            // binds too; a blank or unnamed one gets the name `{{.Self}}`
            // would give it.
            None if site.receiver_param.as_ref().is_some_and(|p| p.ty == req.ty) => {
                let recv = site.receiver_param.as_ref().unwrap();
                let name = match &recv.name {
                    Some(n) => n.clone(),
                    None => bound
                        .receiver
                        .get_or_insert_with(|| "__goaop_recv".to_string())
                        .clone(),
                };
                bound.names.insert(req.name.clone(), name);
            }
            None => match derive(&req.ty, &site.params) {
                Some(expr) => {
                    // One local per expression, whichever aspect derived it
                    // first (it is declared with the first one's advice).
                    let known = shared
                        .derived
                        .iter()
                        .chain(&bound.derived)
                        .find(|(_, e)| *e == expr)
                        .map(|(n, _)| n.clone());
                    let local = match known {
                        Some(n) => n,
                        None => {
                            let n = shared.fresh(&req.name, &bound);
                            bound.derived.push((n.clone(), expr));
                            n
                        }
                    };
                    bound.names.insert(req.name.clone(), local);
                }
                None => return Err(format!("no {} parameter (requires `{}`)", req.ty, req.name)),
            },
        }
    }

    for res in &aspect.results {
        let Some(i) = site.results.iter().rposition(|r| r.ty == res.ty) else {
            return Err(format!(
                "no {} result (results `{}`); {func} returns {}",
                res.ty,
                res.name,
                results_text(&site.results)
            ));
        };
        if site.results[i].name.is_none() {
            bound.name_results = true;
        }
        let name = result_name(i, &site.results);
        bound.names.insert(res.name.clone(), name);
    }

    let advice = &aspect.advice;
    for template in advice
        .before
        .iter()
        .chain(&advice.after)
        .chain(&advice.around)
    {
        for ret in &template.returns {
            let fits = match ret {
                Some(n) => *n == site.results.len(),
                None => !site.results.is_empty(),
            };
            if !fits {
                let wanted = match ret {
                    Some(1) => "1 value".to_string(),
                    Some(n) => format!("{n} values"),
                    None => "its zero values and a last value".to_string(),
                };
                return Err(format!(
                    "the advice returns {wanted}, {func} returns {}",
                    results_text(&site.results)
                ));
            }
            if ret.is_none() && site.results.iter().any(|r| r.name.is_none()) {
                bound.name_results = true;
            }
        }
    }

    for global in &aspect.globals {
        if !around.package_names.contains(global) {
            return Err(format!(
                "`{global}` is not declared in package {}",
                around.package_path
            ));
        }
    }
    for ident in &aspect.idents.implicit {
        let is_param = site
            .params
            .iter()
            .chain(&site.results)
            .any(|p| p.name.as_deref() == Some(ident.as_str()));
        if !(is_param
            || around.package_names.contains(ident)
            || around.file_imports.contains(ident))
        {
            return Err(format!(
                "`{ident}` is neither a parameter of {func} nor declared in package {}",
                around.package_path
            ));
        }
    }
    Ok(bound)
}

/// Whether some function advice of `aspect` uses `{{.Self}}`.
fn uses_self(aspect: &CheckedAspect) -> bool {
    let a = &aspect.advice;
    a.before.iter().chain(&a.after).chain(&a.around).any(|t| {
        t.segments
            .iter()
            .any(|s| matches!(s, Segment::Hole(h) if h == "Self"))
    })
}

/// `{{.Self}}`: the advised function as a value: `F`, `F[T, U]` for a
/// generic function, `recv.M` for a method (`receiver` names a blank or
/// unnamed receiver).
pub fn self_value(site: &FuncSite, receiver: Option<&str>) -> String {
    match &site.receiver_param {
        Some(p) => {
            let recv = receiver.or(p.name.as_deref()).unwrap_or("_");
            format!("{recv}.{}", site.name)
        }
        None if site.type_params.is_empty() => site.name.clone(),
        None => {
            let names: Vec<&str> = site.type_params.iter().map(|(n, _)| n.as_str()).collect();
            format!("{}[{}]", site.name, names.join(", "))
        }
    }
}

/// A binding that can be computed from another parameter.
fn derive(ty: &str, params: &[Param]) -> Option<String> {
    if ty != "context.Context" {
        return None;
    }
    params.iter().find_map(|p| {
        let name = p.name.as_deref()?;
        (p.ty == "*net/http.Request").then(|| format!("{name}.Context()"))
    })
}

/// The name a result has, or gets when goaop must name the result list.
pub fn result_name(i: usize, results: &[Param]) -> String {
    match &results[i].name {
        Some(n) => n.clone(),
        None => format!("__goaop_r{i}"),
    }
}

/// `(int, error)`, `error` or `nothing`.
pub fn results_text(results: &[Param]) -> String {
    match results {
        [] => "nothing".to_string(),
        [one] => one.ty.clone(),
        many => format!(
            "({})",
            many.iter()
                .map(|r| r.ty.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// How a function is named in messages: `(*OrderService).Create`, `main.func1`.
pub fn display_name(site: &FuncSite) -> String {
    match &site.receiver {
        Some(r) => format!("{r}.{}", site.name),
        None => site.name.clone(),
    }
}
