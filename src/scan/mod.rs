//! Stage 4 — scan: one Go source file into plain data for matching and
//! weaving: function sites with their canonical signatures (DESIGN §3), call
//! sites of package functions, imports, package-scope names and the
//! directives that matter to the weaver.
//!
//! Pure (never runs `go`), one tree-sitter parse and one tree-cursor walk per
//! file, and total: any input, broken Go and invalid UTF-8 included, yields a
//! [`ScannedFile`] (with [`ScannedFile::has_errors`] set when tree-sitter
//! needed ERROR/MISSING nodes). Every byte range refers to the original
//! source, so the weaver can splice edits into it.
//!
//! # The canonical signature
//!
//! ```text
//! func (*OrderService) ProcessOrder(ctx context.Context, order Order) error
//! func Handle(w net/http.ResponseWriter, r *net/http.Request)
//! func Map[T any, U any](xs []T, f func(T) U) []U
//! func main.func1(w net/http.ResponseWriter, r *net/http.Request)
//! ```
//!
//! - `func `, then for methods the receiver type alone, `(*T)` / `(T)` /
//!   `(*List[T])`, then the name (a literal's `<enclosing>.func<N>`).
//! - Type parameters one per entry, `[K comparable, V any]`.
//! - Parameters one per entry, `name type`; grouped names expanded; unnamed
//!   and blank ones `_ type`; variadic `xs ...T`.
//! - Results: none → nothing; one unnamed → ` T`; otherwise ` (T, U)` or
//!   ` (n T, err U)` (unnamed entries of a named list written `_`).
//! - Types from other packages are spelled with the import path, whatever
//!   the alias (`ctxpkg.Context` → `context.Context`); the package's own
//!   types stay bare. Types brought in by a dot-import cannot be told from
//!   the package's own without type information and stay bare too.
//! - gofmt's single-line spelling of composite types: `[]byte`, `[4]int`,
//!   `map[string]int`, `chan<- T`, `<-chan T`, `chan (<-chan T)`,
//!   `func(int) error`, `func(a int) (int, error)`, `struct{}`,
//!   `struct{ a int; b int }`, `interface{ M(); io.Reader }`,
//!   `~int | ~string`, `pkg/path.T[int]`; grouped names expanded everywhere.
//!
//! # What counts as a call site
//!
//! `pkg.F(…)`, `pkg.F[T](…)`, `(pkg.F)(…)` and `pkg.T{…}` where `pkg` is an
//! import name not hidden by a local declaration at that point
//! (`http := client; http.Get(u)` is a method call), plus bare `F(…)` /
//! `T{…}` through a single dot-import (flagged, see
//! [`CallSite::dot_import`]). Method values on package variables
//! (`http.DefaultClient.Do(…)`) are not calls of the package; their
//! `http.DefaultClient` part is a [`RefSite`]. Without type information a
//! conversion `pkg.T(x)` looks like a call, and `pkg.Table[k](x)` like an
//! instantiated call of `pkg.Table`.
//!
//! # Function names
//!
//! A declaration's name is its declared name (`Push` for a method). A
//! function literal is `<enclosing name>.func<N>`, N counting the literals
//! directly inside that function from 1 in source order (`main.func1`,
//! `main.func1.func1`, `main.func2`). Literals outside any function (in
//! package-level `var` initialisers) are `init.func<N>` as the compiler names
//! them, counted per file (the compiler counts per package); a literal
//! directly inside a `func init()` is `init.func<N>` by the general rule, so
//! the two can share a name (the compiler says `init.0.func<N>` there).

mod body;
mod comments;
pub(crate) use comments::directive_position;
mod imports;
mod kinds;
mod sig;
mod types;
mod values;
mod walk;

pub use body::{BodyFacts, body_facts, func_node, signature_names};
pub use imports::assumed_package_name;
pub use values::ValueUses;

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Everything the matcher and the weaver need from one Go file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedFile {
    /// The package clause's name (empty when missing).
    pub package: String,
    /// Byte range of the package clause, when there is one.
    pub package_range: Option<Range<usize>>,
    /// Every import spec, in file order.
    pub imports: Vec<ImportSpec>,
    /// Byte ranges of the `import` declarations (`import "x"` or the whole
    /// `import ( … )` block), in file order.
    pub import_decls: Vec<Range<usize>>,
    /// Where a new import declaration can be inserted: the end of the last
    /// import declaration, else of the package clause, else 0. Insert
    /// `; import x "p"` (keeps line numbers) or `\nimport x "p"` there.
    pub import_insert: usize,
    /// Function declarations, methods and function literals, in source
    /// order (of their `func` keyword).
    pub funcs: Vec<FuncSite>,
    /// Calls of package functions and composite literals of package types,
    /// in source order.
    pub calls: Vec<CallSite>,
    /// Other references to package-level members (`http.DefaultTransport`,
    /// a function used as a value), in source order.
    pub refs: Vec<RefSite>,
    /// Package-scope names declared in this file (functions, vars, consts,
    /// types; not methods, `init` or `_`), in source order.
    pub top_level: Vec<String>,
    /// A `//line` directive appears before the package clause: the file is
    /// generated (cgo, cover) and carries its own position mapping.
    pub line_directive: bool,
    /// Every line directive in the file (outside parameter lists and types),
    /// so the weaver can resume the mapping in force at any point.
    pub line_directives: Vec<LineDirective>,
    /// tree-sitter needed ERROR or MISSING nodes: the data is best effort.
    pub has_errors: bool,
    /// The expression of the `//go:build` line, if any.
    pub build_constraint: Option<String>,
}

/// One import spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSpec {
    /// The name written before the path: `None`, `Some("x")`, `Some(".")`,
    /// `Some("_")`.
    pub alias: Option<String>,
    /// The name the file uses for the package: the alias, else the assumed
    /// package name ([`assumed_package_name`]).
    pub name: String,
    /// The import path, unquoted.
    pub path: String,
    /// Byte range of the whole spec (alias and path).
    pub range: Range<usize>,
    /// Byte range of the quoted path.
    pub path_range: Range<usize>,
    /// Index of the enclosing declaration in [`ScannedFile::import_decls`].
    pub decl: usize,
}

/// What kind of function a [`FuncSite`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FuncKind {
    Func,
    Method,
    Literal,
}

/// One parameter or result entry (grouped names already expanded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name; `None` when unnamed or `_`.
    pub name: Option<String>,
    /// Canonical type; for a variadic parameter the element type (`T` of
    /// `...T`).
    pub ty: String,
    /// Byte range of the name identifier (`_` included), if written.
    pub name_range: Option<Range<usize>>,
    /// Byte range of the type in the source (shared by grouped names; for a
    /// variadic parameter the type after `...`). An unnamed entry is named
    /// by inserting `name ` at its start (or before the `...`).
    pub type_range: Range<usize>,
    pub variadic: bool,
}

/// A function declaration, method or function literal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuncSite {
    pub kind: FuncKind,
    /// FuncName (DESIGN §4): the declared name, or `<enclosing>.func<N>`.
    pub name: String,
    /// Canonical receiver type in parentheses, `(*Stack[T])`, for methods.
    pub receiver: Option<String>,
    /// The receiver entry itself (name and ranges), for methods.
    pub receiver_param: Option<Param>,
    /// The canonical signature line.
    pub signature: String,
    pub params: Vec<Param>,
    pub results: Vec<Param>,
    /// Byte range of the result list (`(int, error)` or the bare `error`).
    pub results_range: Option<Range<usize>>,
    /// Byte range of the parameter list, parentheses included.
    pub params_range: Range<usize>,
    /// Byte range of the body block `{ … }`; `None` for a bodiless
    /// (assembly / linkname) declaration.
    pub body: Option<Range<usize>>,
    /// Type parameters `(name, constraint)`, one per name.
    pub type_params: Vec<(String, String)>,
    /// Byte range of the whole declaration or literal.
    pub range: Range<usize>,
    /// 1-based line and byte column of the `func` keyword.
    pub line: u32,
    pub column: u32,
    /// Opted out with `//goaop:ignore`: in the declaration's doc comment
    /// group; for a literal, a comment ending on the line above or starting
    /// on its line.
    pub ignored: bool,
    /// Index in [`ScannedFile::funcs`] of the function this literal is
    /// directly inside.
    pub parent: Option<usize>,
}

/// What kind of expression a [`CallSite`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallKind {
    /// `pkg.F(args)`, also `pkg.F[T](args)`. Conversions to package types
    /// (`http.Header(m)`) look the same without type information.
    Call,
    /// `pkg.T{elems}`: the "arguments" are the literal's elements.
    Composite,
}

/// Where a call sits syntactically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallContext {
    /// Anywhere in an expression.
    Expr,
    /// The call of a `go` statement.
    Go,
    /// The call of a `defer` statement.
    Defer,
}

/// A call of a package-level function of an imported package (or a
/// composite literal of one of its types).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSite {
    /// `import/path.Name`: `database/sql.Open`, `net/http.Get`.
    pub callee: String,
    pub kind: CallKind,
    /// The whole call expression (composite literal).
    pub range: Range<usize>,
    /// Everything before the arguments: `pkg.F`, `pkg.F[T]`, `pkg.T`.
    pub func_range: Range<usize>,
    /// `( … )` with the parentheses (`{ … }` with the braces).
    pub args_range: Range<usize>,
    /// Each argument (element), in order.
    pub args: Vec<Range<usize>>,
    /// Composite literals: each element's key and value, parallel to
    /// `args` (empty for calls).
    pub elements: Vec<Element>,
    /// The last argument is `xs...`.
    pub spread: bool,
    pub arg_count: usize,
    /// Index in [`ScannedFile::funcs`] of the innermost enclosing function.
    pub enclosing: Option<usize>,
    pub context: CallContext,
    /// Resolved through the file's single dot-import (`Get(u)` with
    /// `import . "net/http"`): the name might instead be declared in another
    /// file of the package, which only the whole package can tell.
    pub dot_import: bool,
    /// 1-based line and byte column of the expression's start.
    pub line: u32,
    pub column: u32,
}

/// One element of a composite literal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The key of a keyed element written as a plain name (`Timeout` of
    /// `Timeout: t`); `None` for a positional element (or an expression /
    /// literal key, as in map literals).
    pub key: Option<String>,
    /// Whether the element is keyed at all (`k: v`).
    pub keyed: bool,
    /// The value (after the `:` when keyed).
    pub value: Range<usize>,
}

/// How a [`RefSite`] is used, from its parent nodes in the syntax tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefUse {
    /// Read as a value (also as the operand of a call or selector,
    /// `http.DefaultTransport.RoundTrip(r)`).
    Value,
    /// Written: the left side of `=`/`op=`, or of `++`/`--` (also through a
    /// field or index: `http.DefaultClient.Timeout = t`).
    Assigned,
    /// The operand of `&` (also through a field or index).
    AddressOf,
    /// The operand of a type assertion `x.(T)`.
    TypeAsserted,
}

/// A use of a package member that is not a call: `http.DefaultClient`,
/// `f := http.Get`, the receiver part of `http.DefaultClient.Do(…)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefSite {
    /// `import/path.Name`.
    pub target: String,
    /// The `pkg.Name` selector.
    pub range: Range<usize>,
    /// How the reference is used.
    pub usage: RefUse,
    pub enclosing: Option<usize>,
    pub line: u32,
    pub column: u32,
}

/// A `//line file:line[:col]` directive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDirective {
    /// Byte range of the comment.
    pub range: Range<usize>,
    pub file: String,
    pub line: u32,
    pub column: Option<u32>,
}

/// A reusable scanner: holds the tree-sitter parser and the grammar tables.
/// Not `Sync`; use one per thread.
pub struct Scanner {
    parser: tree_sitter::Parser,
    kinds: kinds::Kinds,
}

impl Scanner {
    /// A scanner for tree-sitter-go.
    pub fn new() -> Scanner {
        let language: tree_sitter::Language = tree_sitter_go::LANGUAGE.into();
        let mut parser = tree_sitter::Parser::new();
        // Only fails on an ABI mismatch between the runtime and the grammar,
        // which the pinned crate versions rule out; a parser without a
        // language then yields no tree and `scan` reports `has_errors`.
        let _ = parser.set_language(&language);
        Scanner {
            parser,
            kinds: kinds::Kinds::new(&language),
        }
    }

    /// Parse and scan one Go source file.
    pub fn scan(&mut self, source: &[u8]) -> ScannedFile {
        match self.parser.parse(source, None) {
            Some(tree) => walk::scan_tree(&tree, source, &self.kinds),
            None => ScannedFile {
                has_errors: true,
                ..ScannedFile::default()
            },
        }
    }

    /// Parse only (the benchmark's baseline).
    pub fn parse(&mut self, source: &[u8]) -> Option<tree_sitter::Tree> {
        self.parser.parse(source, None)
    }

    /// Scan an already parsed tree of `source`.
    pub fn scan_tree(&self, tree: &tree_sitter::Tree, source: &[u8]) -> ScannedFile {
        walk::scan_tree(tree, source, &self.kinds)
    }
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

/// Parse and scan one Go source file with a fresh [`Scanner`].
pub fn scan(source: &[u8]) -> ScannedFile {
    Scanner::new().scan(source)
}
