//! The names a template may use without declaring them: the built-in
//! placeholders (and those of each kind of site), `{{.Body}}`, and Go's
//! predeclared identifiers. One list, so checking, hints and the weaver
//! agree on what is built in.

/// Placeholders every template may use.
pub const BUILTIN_PLACEHOLDERS: &[&str] = &[
    "FuncName",
    "QualifiedName",
    "Package",
    "Receiver",
    "Signature",
    "File",
    "Line",
    "Zeros",
];

/// The placeholder of `around` advice only: the function's own body.
pub const BODY: &str = "Body";

/// Placeholders of call-site advice only (`replace`, `wrap`,
/// `append-args` on a `call`): the original call, its argument list without
/// the parentheses, and the `context.Context` in scope.
pub const CALL_PLACEHOLDERS: &[&str] = &["Call", "Args", "Context"];

/// Placeholders of `set-field` advice (composite literals of a `call`
/// type): the field's current value (`nil` when the literal does not set
/// it), and the `context.Context` in scope.
pub const SET_FIELD_PLACEHOLDERS: &[&str] = &["Value", "Context"];

/// Placeholders of `ref` advice (`wrap`, `replace`): the reference as
/// written (`http.DefaultTransport`), and the `context.Context` in scope.
pub const REF_PLACEHOLDERS: &[&str] = &["Ref", "Context"];

/// `{{.Context}}` (call, ref and set-field advice): the `context.Context`
/// in scope where the advice lands. The innermost enclosing function
/// (walking out through function literals) that has a named
/// `context.Context` parameter (→ its name) or a named `*net/http.Request`
/// parameter (→ `r.Context()`), the context parameter winning within one
/// function; else `context.Background()`.
pub const CONTEXT_DOC: &str = "the context.Context in scope: the innermost enclosing function's `ctx context.Context` parameter, else `r.Context()` of its `r *http.Request` parameter, else `context.Background()`";

/// Placeholders of function advice only (`before`, `after`, `around`): the
/// advised function as a value (`F`, `F[T, U]`, `recv.M`).
pub const FUNCTION_PLACEHOLDERS: &[&str] = &["Self"];

/// Where a site-specific placeholder can be used, for the note of an
/// "unknown placeholder" error.
pub(super) fn site_note(name: &str) -> Option<&'static str> {
    Some(match name {
        "Call" | "Args" => {
            "exists only in call-site advice (`wrap`, `replace`, `append-args` with a `call` pointcut)"
        }
        "Value" => "exists only in `set-field` advice: the field's current value, or `nil`",
        "Ref" => "exists only in `ref` advice (`wrap`, `replace` with a `ref` pointcut)",
        "Context" => "exists only in call-site, `ref` and `set-field` advice",
        "Self" => {
            "exists only in function advice (`before`, `after`, `around`): the advised function as a value"
        }
        _ => return None,
    })
}

/// Go's predeclared identifiers: never renamed, never "free".
pub(in crate::check) const PREDECLARED: &[&str] = &[
    "any",
    "bool",
    "byte",
    "comparable",
    "complex64",
    "complex128",
    "error",
    "float32",
    "float64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "rune",
    "string",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "true",
    "false",
    "iota",
    "nil",
    "append",
    "cap",
    "clear",
    "close",
    "complex",
    "copy",
    "delete",
    "imag",
    "len",
    "make",
    "max",
    "min",
    "new",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "_",
];
