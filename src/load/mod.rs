//! Stage 1 — load: aspect files (`aspects.yaml`, `*.aspect`) into [`RawAspect`]s.
//!
//! Loading only parses. It keeps the span of every value so that `check` can
//! point at the user's own text, and it never decides whether a value makes
//! sense (a regex, an import path, a placeholder): that is `check`'s job.
//! Both front ends lower to the same raw model, so the YAML and DSL spellings
//! of an aspect become indistinguishable from here on.

pub mod dsl;
mod gotext;
pub mod gotype;
mod limits;
pub mod sigpattern;
pub mod snippet_use;
pub mod yaml;

pub use dsl::parse_pointcut;
pub use dsl::pointcut::PointcutBindings;
pub use limits::{MAX_ADVICE_BYTES, MAX_FILE_BYTES, MAX_NESTING, too_large_file};

use crate::diag::{Diagnostic, FileId, Sources, Span, Spanned};

/// Everything one aspect file says.
#[derive(Clone, Debug, Default)]
pub struct RawFile {
    pub aspects: Vec<RawAspect>,
    /// `use: [otel, net/http]` entries: bundled integrations to enable.
    pub uses: Vec<Spanned<String>>,
    /// `snippets:` (YAML) / `snippet name(P) { … }` (DSL): Go text that the
    /// file's advice includes with `{{snippet "name" P="…"}}`; `check`
    /// expands them (src/check/snippets.rs).
    pub snippets: Vec<RawSnippet>,
}

/// One shared piece of advice text, defined once per file.
#[derive(Clone, Debug)]
pub struct RawSnippet {
    pub name: Spanned<String>,
    /// Parameter names: each use passes every one (`P="value"`), and the
    /// text refers to it as `{{.P}}`.
    pub params: Vec<Spanned<String>>,
    pub body: Snippet,
    /// The whole definition, for "defined here" labels.
    pub span: Span,
}

/// One aspect as written, before any validation.
#[derive(Clone, Debug)]
pub struct RawAspect {
    pub name: Spanned<String>,
    /// The whole aspect entry (YAML mapping, DSL block); used for the
    /// `//line` origin of injected code and for "declared here" labels.
    pub span: Span,
    /// Where the aspect applies. `None` when no `target`/`call`/`pointcut` was
    /// given (valid only for the short form of a bundled aspect... which
    /// still needs a target; `check` decides).
    pub pointcut: Option<RawPointcut>,
    /// `requires: {ctx: context.Context}`: binding name → Go type.
    pub requires: Vec<(Spanned<String>, Spanned<String>)>,
    /// `results: {err: error}`: binding name → Go type.
    pub results: Vec<(Spanned<String>, Spanned<String>)>,
    /// `globals: [tracer]`: names the target package must declare.
    pub globals: Vec<Spanned<String>>,
    /// `imports: {otel: go.opentelemetry.io/otel}`: alias → import path.
    pub imports: Vec<(Spanned<String>, Spanned<String>)>,
    /// `vars: {Permission: orders:write}`: template constants.
    pub vars: Vec<(Spanned<String>, Spanned<String>)>,
    pub advice: RawAdvice,
    pub order: Option<Spanned<i64>>,
    /// `tests: true`: also weave `_test.go` files. The value as written
    /// (`check` accepts `true` and `false`).
    pub tests: Option<Spanned<String>>,
}

/// Advice bodies, as Go text with placeholders.
#[derive(Clone, Debug, Default)]
pub struct RawAdvice {
    /// `before` (YAML alias `template`): statements prepended to the body.
    pub before: Option<Snippet>,
    /// `after`: statements run on every exit.
    pub after: Option<Snippet>,
    /// `around`: statements with one `{{.Body}}` statement standing for the
    /// function's own body (like AspectJ's `proceed`).
    pub around: Option<Snippet>,
    /// Call-site: an expression replacing the call (`{{.Call}}` not allowed).
    pub replace: Option<Snippet>,
    /// Call-site: an expression wrapping the call, containing `{{.Call}}`.
    pub wrap: Option<Snippet>,
    /// Call-site: expressions appended to the call's arguments.
    pub append_args: Vec<Snippet>,
    /// Composite literals: `set-field: {Transport: "otelhttp.NewTransport({{.Value}})"}`,
    /// field name → expression, in the order written.
    pub set_fields: Vec<(Spanned<String>, Snippet)>,
}

impl RawAdvice {
    /// Every piece of advice text, in a fixed order.
    pub fn texts(&self) -> impl Iterator<Item = &Snippet> {
        self.before
            .iter()
            .chain(&self.after)
            .chain(&self.around)
            .chain(&self.replace)
            .chain(&self.wrap)
            .chain(&self.append_args)
            .chain(self.set_fields.iter().map(|(_, s)| s))
    }

    /// [`Self::texts`], to change in place.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut Snippet> {
        self.before
            .iter_mut()
            .chain(&mut self.after)
            .chain(&mut self.around)
            .chain(&mut self.replace)
            .chain(&mut self.wrap)
            .chain(&mut self.append_args)
            .chain(self.set_fields.iter_mut().map(|(_, s)| s))
    }
}

/// A pointcut expression. YAML's `target`/`packages`/`call`/`ref` fields lower to
/// `And[Sig, Or[Within…]]` / `Call` / `Ref`; the DSL writes the tree directly.
///
/// `&&` and `||` are n-ary: a chain `a && b && c` (or a `packages:` list of
/// any length) is one node, so the tree's depth grows only with parentheses
/// and `!`, which the front ends bound by [`MAX_NESTING`]. Every function
/// over the tree may then recurse on its depth.
#[derive(Clone, Debug)]
pub enum RawPointcut {
    /// A regex over the canonical signature (YAML `target`, DSL `target("…")`,
    /// or the lowering of a DSL `execution(…)` pattern, whose span it keeps).
    Sig(Spanned<String>),
    /// A Go package pattern: `example.com/shop/...`, `net/http`.
    Within(Spanned<String>),
    /// A call-site join point: `database/sql.Open`, `(*net/http.Client).Do`.
    Call(Spanned<String>),
    /// A reference join point: value uses of `net/http.DefaultTransport`.
    Ref(Spanned<String>),
    /// Functions used as values in their package (YAML `as-value: true`,
    /// DSL `as-value()`); the span is where it was written.
    AsValue(Span),
    /// At least two operands.
    And(Vec<RawPointcut>),
    /// At least two operands.
    Or(Vec<RawPointcut>),
    Not(Box<RawPointcut>),
}

impl RawPointcut {
    /// `a && b`, or `a || b`, flattening operands of the same operator.
    pub fn join(and: bool, parts: impl IntoIterator<Item = RawPointcut>) -> Option<RawPointcut> {
        let mut out = Vec::new();
        for p in parts {
            match (p, and) {
                (RawPointcut::And(v), true) | (RawPointcut::Or(v), false) => out.extend(v),
                (p, _) => out.push(p),
            }
        }
        match out.len() {
            0 => None,
            1 => out.pop(),
            _ if and => Some(RawPointcut::And(out)),
            _ => Some(RawPointcut::Or(out)),
        }
    }
}

/// A piece of Go text taken from an aspect file (an advice body or an
/// expression), with the mapping back to the file so that errors inside it
/// (and `//line` directives for the code it becomes) point at the right
/// line and column.
#[derive(Clone, Debug)]
pub struct Snippet {
    /// The text with the file's indentation removed.
    pub text: String,
    /// The whole value in the file.
    pub span: Span,
    /// For each line of `text`, the byte offset in the file where that line's
    /// first character is. Empty when the value is not a verbatim copy of the
    /// file (a quoted YAML string with escapes): offsets then map to `span`.
    pub line_starts: Vec<usize>,
    /// Where each line of `text` starts in `text`, computed on first use so
    /// that mapping an offset is a binary search (a template with thousands
    /// of diagnostics must not rescan its text for each). A copy whose text
    /// was cut at the end keeps a valid index (extra entries are never
    /// reached).
    #[doc(hidden)]
    pub text_lines: std::sync::OnceLock<Vec<usize>>,
}

/// Equal when text and mapping are (whether the line index was computed
/// yet does not count).
impl PartialEq for Snippet {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.span == other.span && self.line_starts == other.line_starts
    }
}

impl Eq for Snippet {}

impl Snippet {
    pub fn new(text: String, span: Span, line_starts: Vec<usize>) -> Self {
        Snippet {
            text,
            span,
            line_starts,
            text_lines: std::sync::OnceLock::new(),
        }
    }

    /// The file span of a byte range of `text`.
    pub fn file_span(&self, range: std::ops::Range<usize>) -> Span {
        match (self.file_offset(range.start), self.file_offset(range.end)) {
            (Some(s), Some(e)) => Span::new(self.span.file, s..e.max(s)),
            _ => self.span.clone(),
        }
    }

    /// The file byte offset of a byte offset in `text`.
    pub fn file_offset(&self, offset: usize) -> Option<usize> {
        if self.line_starts.is_empty() {
            return None;
        }
        let offset = offset.min(self.text.len());
        let lines = self.text_lines.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        });
        let line = lines.partition_point(|&s| s <= offset).saturating_sub(1);
        self.line_starts
            .get(line)
            .filter(|&&s| s != UNMAPPED)
            .map(|s| s + (offset - lines[line]))
    }
}

/// A [`Snippet::line_starts`] entry for a line with no exact place in the
/// file (advice that includes a snippet but is itself a quoted YAML string:
/// the snippet's lines map, its own do not).
pub const UNMAPPED: usize = usize::MAX;

/// Split `s` at its top-level commas into one snippet per expression
/// (`append-args`), each keeping its mapping into the file.
pub fn split_arguments(s: &Snippet) -> Vec<Snippet> {
    gotext::split_top_level_commas(&s.text)
        .into_iter()
        .map(|r| gotext::sub_snippet(s, r))
        .collect()
}

/// Load one file of `sources`, choosing the front end by extension
/// (`.aspect` → DSL, anything else → YAML). Never panics; every problem is a
/// diagnostic.
pub fn load(sources: &Sources, file: FileId) -> (RawFile, Vec<Diagnostic>) {
    let src = sources.get(file);
    let dsl = src.name.ends_with(".aspect");
    let refused = limits::file_problems(src, file, dsl);
    if !refused.is_empty() {
        return (RawFile::default(), refused);
    }
    if dsl {
        dsl::load(sources, file)
    } else {
        yaml::load(sources, file)
    }
}
