//! The catalogue of diagnostic codes. Codes are stable: tools and users grep
//! for them. `E01xx` load, `E02xx` check, `E03xx` compile, `W0xxx` warnings.

// --- load (E01xx) -----------------------------------------------------------
/// The YAML file is not valid YAML.
pub const YAML_SYNTAX: &str = "E0101";
/// A field goaop does not know (with a "did you mean").
pub const UNKNOWN_FIELD: &str = "E0102";
/// A value of the wrong shape (a list where a string was expected, ...).
pub const WRONG_TYPE: &str = "E0103";
/// A required field is missing.
pub const MISSING_FIELD: &str = "E0104";
/// The `.aspect` file does not follow the DSL grammar.
pub const DSL_SYNTAX: &str = "E0105";
/// A field given twice (YAML duplicate key, DSL repeated clause).
pub const DUPLICATE_FIELD: &str = "E0106";
/// A signature pattern in `execution(...)` that cannot be understood.
pub const BAD_SIG_PATTERN: &str = "E0107";
/// The file could not be read.
pub const UNREADABLE: &str = "E0108";
/// Not a regular file (a directory, a FIFO, a device such as `/dev/zero`).
pub const NOT_A_FILE: &str = "E0109";
/// A file or an advice body over its size cap ([`crate::load::MAX_FILE_BYTES`],
/// [`crate::load::MAX_ADVICE_BYTES`]).
pub const TOO_LARGE: &str = "E0110";
/// Brackets, parentheses or `!` nested deeper than [`crate::load::MAX_NESTING`].
pub const TOO_DEEP: &str = "E0111";
/// A NUL byte in an aspect file.
pub const NUL_BYTE: &str = "E0112";

// --- check (E02xx) ----------------------------------------------------------
/// `{{.Name}}` that is neither built in, nor a `vars` key, nor a `requires` key.
pub const UNKNOWN_PLACEHOLDER: &str = "E0201";
/// The template is not valid Go.
pub const TEMPLATE_SYNTAX: &str = "E0202";
/// A `target` regex that does not parse.
pub const BAD_REGEX: &str = "E0203";
/// Two aspects with the same name.
pub const DUPLICATE_NAME: &str = "E0204";
/// Short form naming a bundled aspect that does not exist.
pub const UNKNOWN_BUNDLED: &str = "E0205";
/// `use:` of a bundled integration that does not exist.
pub const UNKNOWN_USE: &str = "E0206";
/// An import path that is not a valid Go import path.
pub const BAD_IMPORT_PATH: &str = "E0207";
/// A `vars` value that cannot be written where a template uses it (`*/` in
/// a block comment, a line break in a line comment, a backquote in a raw
/// string, not one Go operand in code position, ...).
pub const UNSAFE_VAR: &str = "E0208";
/// An aspect with no advice and no bundled aspect to borrow it from.
pub const NO_ADVICE: &str = "E0209";
/// A malformed `{{ ... }}` placeholder.
pub const BAD_PLACEHOLDER: &str = "E0210";
/// Advice that does not fit the join point (call advice on a function, ...).
pub const ADVICE_MISMATCH: &str = "E0211";
/// A `requires`/`results` type or binding name that is not valid.
pub const BAD_BINDING: &str = "E0212";
/// A `packages` pattern that is not a valid Go package pattern.
pub const BAD_PACKAGE_PATTERN: &str = "E0213";
/// A `call` target that is not `import/path.Func`.
pub const BAD_CALL_TARGET: &str = "E0214";
/// An identifier (alias, global, var key) that is not a Go identifier.
pub const BAD_IDENT: &str = "E0215";
/// An aspect with neither `target`, `call` nor `pointcut`.
pub const NO_POINTCUT: &str = "E0216";
/// An import alias declared twice or clashing with a binding.
pub const NAME_CLASH: &str = "E0217";
/// `{{.Body}}` in advice other than `around`.
pub const BODY_OUTSIDE_AROUND: &str = "E0218";
/// `around` advice without `{{.Body}}`, or with it more than once.
pub const BODY_COUNT: &str = "E0219";
/// `{{.Body}}` that is not a statement of its own (inside an expression,
/// a string, a declaration...).
pub const BODY_NOT_STATEMENT: &str = "E0220";
/// A placeholder where its value can never be written: text
/// (`{{.Signature}}`) in code position, a site's code (`{{.Call}}`) inside a
/// string or comment, a value not known to be one character in a rune.
pub const PLACEHOLDER_CONTEXT: &str = "E0230";
/// An aspect file whose path cannot be written into a `//line` directive
/// (it contains a line break).
pub const UNSAFE_PATH: &str = "E0231";
/// An aspect name that is not identifier-like (letters, digits, `-`, `_`, `.`).
pub const BAD_ASPECT_NAME: &str = "E0232";
/// `{{snippet "name"}}` names no snippet of the file.
pub const UNKNOWN_SNIPPET: &str = "E0240";
/// A snippet's parameters and a use's arguments disagree (missing,
/// unknown, given twice, conflicting), or a parameter name is invalid.
pub const SNIPPET_ARGS: &str = "E0241";
/// Snippets that include each other in a cycle.
pub const SNIPPET_CYCLE: &str = "E0242";
/// A malformed snippet use, one inside a line, or an expansion too large.
pub const SNIPPET_USE: &str = "E0243";

// --- compile (E03xx) --------------------------------------------------------
/// A pattern whose DFA exceeds the size limit.
pub const DFA_TOO_BIG: &str = "E0301";
/// A pattern that the DFA engine refuses (look-around, Unicode word boundary...).
pub const UNSUPPORTED_REGEX: &str = "E0302";

// --- warnings (W0xxx) ---------------------------------------------------------
/// A free identifier in a template that will be resolved implicitly at weave time.
pub const IMPLICIT_IDENT: &str = "W0001";
/// An import declared but not used by any template.
pub const UNUSED_IMPORT: &str = "W0002";
/// A `vars` entry no template uses.
pub const UNUSED_VAR: &str = "W0003";
/// A `globals` entry no template uses (often a typo of the name it uses).
pub const UNUSED_GLOBAL: &str = "W0004";
/// An `around` whose `{{.Body}}` runs in a function literal returning
/// nothing: functions with results are skipped.
pub const AROUND_NO_RESULTS: &str = "W0005";
/// A snippet no advice of its file includes.
pub const UNUSED_SNIPPET: &str = "W0006";
/// An `around` with statements after a `{{.Body}}` that runs in the
/// function itself: they do not run after the body's `return`s, and
/// functions with results are skipped unless the advice still ends in a
/// terminating statement.
pub const AROUND_CODE_AFTER_BODY: &str = "W0007";

// --- project (E04xx): the aspects against the user's module ------------------
/// An injected import whose module the main module's go.mod does not require.
pub const MISSING_MODULE: &str = "E0401";
/// A `use:` entry names a Go package no module in go.mod provides.
pub const PACK_NOT_REQUIRED: &str = "E0402";
/// A `use:` entry names a pack whose directory was not found.
pub const PACK_NOT_FOUND: &str = "E0403";
/// A `use:` entry names a package without (readable) aspect files.
pub const PACK_EMPTY: &str = "E0404";
/// Aspect packs that `use:` each other.
pub const PACK_CYCLE: &str = "E0405";
