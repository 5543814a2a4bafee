//! The validated aspect model: what `check` produces and `compile` consumes.
//!
//! Everything here is plain, serialisable data with no spans into aspect
//! files except [`Origin`]s (file name + line), which the weaver needs for
//! `//line` directives. Two aspects that mean the same thing have equal
//! `CheckedAspect`s whatever language they were written in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a piece of aspect text came from: used for `//line file:line` before
/// injected code, so compile errors and stack traces point at the aspect.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Origin {
    pub file: String,
    pub line: u32,
}

/// A pointcut in normal form: a boolean tree over signature regexes, package
/// patterns and call targets.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pointcut {
    /// Regex over the canonical signature, matched unanchored.
    Sig(String),
    /// Go package pattern (`example.com/shop/...`).
    Within(String),
    /// The main module's packages (the default when no `within`/`packages`).
    MainModule,
    /// Call-site join point (`database/sql.Open`); for a type
    /// (`net/http.Client`), its composite literals.
    Call(String),
    /// Value uses of a package-level member (`net/http.DefaultTransport`).
    Ref(String),
    /// Functions used as values in their package: a declared function whose
    /// name appears other than as a callee, a method whose name appears in
    /// a selector other than as a callee, a literal not called at once.
    AsValue,
    And(Vec<Pointcut>),
    Or(Vec<Pointcut>),
    Not(Box<Pointcut>),
}

/// Which kind of join point an aspect advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JoinKind {
    /// Function bodies (`before`/`after`/`around`).
    Execution,
    /// Call sites (`replace`/`wrap`/`append-args`), or composite literals
    /// of a type (`set-field`).
    Call,
    /// Value uses of a package-level variable (`wrap` with `{{.Ref}}`,
    /// `replace`).
    Ref,
}

/// A typed binding: `ctx: context.Context`. `ty` is written in canonical
/// signature spelling (import paths, not aliases).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    pub ty: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Import {
    pub alias: String,
    pub path: String,
}

/// A template pre-split into literal text and placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Template {
    pub segments: Vec<Segment>,
    /// The number of values of each `return` statement of the template
    /// (outside function literals); `None` for a return using `{{.Zeros}}`,
    /// which adapts to the function's result list.
    pub returns: Vec<Option<usize>>,
    /// An expression template that is one call (`f(…)`): as a `replace` it
    /// may stand as the operand of `go`/`defer` (arguments evaluated now,
    /// the call later, as before).
    pub is_call: bool,
    /// Aspect file and line of the template's first line.
    pub origin: Origin,
    /// Immediately invoked function literals that capture nothing from the
    /// woven function, as ranges of `segments` (each starts at `func` and
    /// ends at the literal's `}`): the weaver declares each as a
    /// package-level function and calls that instead, so no literal lands
    /// in the user's function (DESIGN §11: `F.func1` keeps its name).
    pub hoists: Vec<std::ops::Range<usize>>,
    /// Some other function literal stays where the advice lands.
    pub local_literal: bool,
    /// `around`: the number of results of the function literal enclosing
    /// `{{.Body}}`, whose `return`s the body's own become; `None` when the
    /// body is not inside a literal (it returns from the function itself).
    pub body_results: Option<usize>,
    /// `around`: `{{.Body}}` is inside a block of the template that is not
    /// a function literal's body (`if c {`, a bare `{`, a `case`): the
    /// body's top-level `:=` would declare new variables there, shadowing
    /// the function's parameters and results instead of assigning them.
    pub body_nested: bool,
    /// `around`, `{{.Body}}` not inside a literal: the template's
    /// statements do not end in a terminating statement (Go spec), even
    /// with the body counted as one, so a function with results would not
    /// either once woven: it is skipped (Go would reject it, "missing
    /// return").
    pub unterminated: bool,
    /// Where each segment starts in the template text, parallel to
    /// `segments`: (line of the template, from 0; byte offset in that
    /// line). With [`Self::columns`], the exact aspect-file position of
    /// every piece, for the `//line` directives of woven code (DESIGN §7).
    pub places: Vec<(u32, u32)>,
    /// The aspect-file column (from 1, in bytes, as Go counts them) of the
    /// first byte of each line of the template: YAML block scalars and DSL
    /// bodies strip an indentation that the woven code does not have.
    pub columns: Vec<u32>,
    /// The aspect-file line of each line of the template, where it is not
    /// `origin.line` + its index (a template that includes snippets has
    /// their lines); empty when every line follows the first.
    #[serde(default)]
    pub lines: Vec<u32>,
}

impl Template {
    /// The aspect-file line and column of `place` (a value of [`Self::places`]).
    pub fn position(&self, place: (u32, u32)) -> (u32, u32) {
        let column = self.columns.get(place.0 as usize).copied().unwrap_or(1);
        (self.line(place.0), column + place.1)
    }

    /// The aspect-file line of line `i` of the template.
    pub fn line(&self, i: u32) -> u32 {
        match self.lines.get(i as usize) {
            Some(&l) => l,
            None => self.origin.line + i,
        }
    }

    /// The template's aspect-file lines as runs of consecutive lines
    /// `(first, last)`, in template order.
    pub fn line_runs(&self) -> Vec<(u32, u32)> {
        let count = self.columns.len().max(1) as u32;
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for i in 0..count {
            let l = self.line(i);
            match runs.last_mut() {
                Some((_, last)) if *last + 1 == l || *last == l => *last = l,
                _ => runs.push((l, l)),
            }
        }
        runs
    }

    /// The aspect-file line and column where the template starts.
    pub fn start(&self) -> (u32, u32) {
        self.position(self.places.first().copied().unwrap_or_default())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    Lit(String),
    /// `{{.Name}}` in code position: a built-in placeholder, a `vars` key or
    /// a `requires` key, written as its value (`check` made sure that the
    /// value is code of the kind the position expects).
    Hole(String),
    /// `{{.Name}}` inside a string or rune literal or a comment of the
    /// template: its value is data, written in that context's own syntax
    /// (escaped inside a string, neutralised inside a comment), so it can
    /// never end the literal or comment and become code (DESIGN §4, §11).
    Embedded(String, Embedding),
    /// An identifier the weaver must resolve: a `requires`/`results` binding
    /// (replaced by the bound expression), an `imports` alias (replaced by
    /// the alias the woven file uses) or a name the template declares
    /// (renamed hygienically). Other identifiers stay in `Lit`.
    Ident(String),
    /// Text inside a string or rune literal or a comment that holds a
    /// placeholder or a line break: copied as it is, never indented nor
    /// interrupted by a `//line` directive (that would change a raw
    /// string's value), and no place to resume positions.
    Verbatim(String),
}

/// Where inside a template an [`Segment::Embedded`] placeholder stands,
/// as `check` found it on the template's syntax tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Embedding {
    /// Inside `"…"`: the value is written escaped as Go string contents.
    String,
    /// Inside `` `…` ``: a value holding a backquote or a carriage return
    /// cannot be written; the join point is skipped with that reason.
    RawString,
    /// Inside `'…'` (only a `vars` value of one character passes `check`).
    Rune,
    /// Inside a `// …` comment: line breaks are neutralised.
    LineComment,
    /// Inside a `/* … */` comment: `*/` is neutralised.
    BlockComment,
}

/// Identifiers a template uses, classified by `check` (DESIGN §5).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Idents {
    /// Declared by the template itself (`span` in `ctx, span := …`): renamed
    /// hygienically when woven. `ctx` is not here when it is a binding.
    pub declared: Vec<String>,
    /// Free identifiers to be resolved at weave time, first among the
    /// function's parameters by name, then in the package scope.
    pub implicit: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Advice {
    pub before: Option<Template>,
    pub after: Option<Template>,
    /// `around`: statements containing exactly one `{{.Body}}` hole (a
    /// statement of its own), which stands for the function's body. The
    /// text before the hole is woven after the body's `{`, the text after it
    /// before the closing `}`; the body itself stays where it is.
    pub around: Option<Template>,
    pub replace: Option<Template>,
    pub wrap: Option<Template>,
    pub append_args: Vec<Template>,
    /// `set-field`: on composite literals of the `call` type, each field set
    /// to its template (`{{.Value}}` = the field's current value or `nil`),
    /// in the order written.
    pub set_fields: Vec<SetField>,
}

/// One `set-field` entry: `Transport: otelhttp.NewTransport({{.Value}})`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SetField {
    pub field: String,
    pub template: Template,
}

/// One validated aspect.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckedAspect {
    pub name: String,
    /// Where the aspect is declared.
    pub origin: Origin,
    pub kind: JoinKind,
    pub pointcut: Pointcut,
    pub requires: Vec<Binding>,
    pub results: Vec<Binding>,
    pub globals: Vec<String>,
    pub imports: Vec<Import>,
    pub vars: BTreeMap<String, String>,
    pub advice: Advice,
    pub idents: Idents,
    pub order: i64,
    /// `tests: true`: the aspect also weaves `_test.go` files (by default a
    /// test build weaves the package's other files only).
    pub tests: bool,
}
