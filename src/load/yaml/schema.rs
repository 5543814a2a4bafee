//! The JSON Schema of `aspects.yaml`, for editors (yaml-language-server
//! completes and checks fields as you type) and CI.
//!
//! The loader itself does not deserialise into typed structs: it reads a
//! located tree and lowers it by hand so that it can report *every* problem
//! of a file with a span (see `yaml.rs`). These types describe exactly what
//! that lowering accepts, field by field, and `schemars` turns them into the
//! schema. They cannot drift from the loader unnoticed: a unit test below
//! ties their fields to [`super::TOP_FIELDS`] and [`super::ASPECT_FIELDS`],
//! and `tests/schema.rs` validates every aspects.yaml of the repository
//! against the schema and checks that files the loader refuses for their
//! shape (E0102, E0103, E0104) are refused by the schema too.
//!
//! `goaop schema` prints [`json`]; the repository ships the same text as
//! `schema/aspects.schema.json`.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

/// Where editors can fetch the shipped schema.
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/goaop/goaop/main/schema/aspects.schema.json";

/// The first line `goaop init` writes into a new aspects.yaml: it points
/// yaml-language-server (VS Code's YAML extension, Neovim's yamlls, ...) at
/// the schema.
pub fn modeline() -> String {
    format!("# yaml-language-server: $schema={SCHEMA_URL}\n")
}

/// The schema as pretty-printed JSON, with a final line break. Draft-07,
/// the draft every YAML editor plugin reads.
pub fn json() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<AspectsFile>();
    // An empty file (YAML null) declares nothing, and is valid.
    schema.insert("type".into(), serde_json::json!(["object", "null"]));
    let mut value = schema.to_value();
    drop_null_defaults(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("the schema serialises");
    text.push('\n');
    text
}

/// `"default": null` says nothing (a field left out is simply absent) and
/// misleads editors into offering `null`: schemars writes one for every
/// optional field of a `#[serde(default)]` struct.
fn drop_null_defaults(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("default").is_some_and(serde_json::Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// An aspects file (`aspects.yaml`): the bundled integrations it enables
/// and its own aspects. An empty file is valid and declares nothing.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, default)]
#[schemars(title = "goaop aspects.yaml", extend("$id" = SCHEMA_URL))]
#[allow(dead_code)]
pub struct AspectsFile {
    /// Bundled integrations to enable, e.g. `[otel, net/http]`
    /// (`goaop check --list-bundled` lists them; `goaop init --use` also adds
    /// the modules they need to go.mod).
    #[serde(rename = "use")]
    uses: Option<Strings>,
    /// The aspects: each names where it applies (`target`, `call`, `ref`,
    /// `pointcut`) and what it weaves there (`before`, `after`, `around`,
    /// `wrap`, `replace`, `append-args`, `set-field`). An aspect with a
    /// bundled aspect's name and no advice borrows that aspect's advice:
    /// `- { name: tracing, target: "func.*Context" }`.
    aspects: Option<Vec<Aspect>>,
    /// Advice text written once and included by any advice of this file
    /// with `{{snippet "name"}}` on a line of its own: name → Go text, or
    /// name → `{ params: [P], text: … }` (a use then gives `P="value"`,
    /// and the text uses `{{.P}}`).
    snippets: Option<BTreeMap<String, SnippetDef>>,
}

/// One snippet: its Go text, or its parameters and text.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SnippetDef {
    Text(String),
    WithParams(SnippetWithParams),
}

/// A snippet with parameters.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SnippetWithParams {
    /// Parameter names, each used in the text as `{{.Name}}`.
    #[serde(default)]
    #[schemars(with = "Strings")]
    params: Option<Strings>,
    /// The Go text.
    text: String,
}

/// One aspect.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
#[schemars(transform = require_name)]
#[allow(dead_code)]
pub struct Aspect {
    /// The aspect's unique name: letters, digits, `-`, `_` and `.`. Naming
    /// a bundled aspect (`tracing`) without advice reuses its advice.
    #[schemars(with = "Scalar")]
    name: Option<Scalar>,
    /// A regex over the canonical signature of every function, method and
    /// function literal (`goaop plan --signatures` prints them), unanchored.
    #[schemars(with = "Scalar")]
    target: Option<Scalar>,
    /// Package patterns the aspect is limited to (`example.com/shop/...`);
    /// default: the main module's packages only.
    #[schemars(with = "Strings")]
    packages: Option<Strings>,
    /// A call-site join point: calls of `import/path.Func` (or
    /// `import/path.Type.Method`), or composite literals of
    /// `import/path.Type` for `set-field`.
    #[schemars(with = "Scalar")]
    call: Option<Scalar>,
    /// Value uses of a package-level variable, `net/http.DefaultTransport`
    /// (advice: `wrap` with `{{.Ref}}`, or `replace`).
    #[schemars(with = "Scalar")]
    #[serde(rename = "ref")]
    reference: Option<Scalar>,
    /// A pointcut expression in the DSL's syntax:
    /// `execution(func *(ctx context.Context, ..) error) && within("example.com/shop/...")`.
    #[schemars(with = "Scalar")]
    pointcut: Option<Scalar>,
    /// `true`: only functions used as values in their package (passed,
    /// assigned, converted), never only called.
    #[schemars(with = "bool")]
    as_value: Option<bool>,
    /// Typed parameter bindings `name: Type`: only functions with such a
    /// parameter match, and the advice uses it under that name.
    #[schemars(with = "Pairs")]
    requires: Option<Pairs>,
    /// Typed result bindings `name: Type` (named in the function, for
    /// `after`).
    #[schemars(with = "Pairs")]
    results: Option<Pairs>,
    /// Package-level names the target package must declare, which the
    /// advice uses.
    #[schemars(with = "Strings")]
    globals: Option<Strings>,
    /// Every package the advice uses: a mapping alias → import path
    /// (`{ slog: log/slog }`), or a list of import paths.
    #[schemars(with = "Imports")]
    imports: Option<Imports>,
    /// Template constants `Name: value`, written where `{{.Name}}` stands.
    #[schemars(with = "Pairs")]
    vars: Option<Pairs>,
    /// Go statements woven at the start of the function.
    #[schemars(with = "Scalar")]
    before: Option<Scalar>,
    /// Another name for `before` (the seed's spelling); give only one of them.
    #[schemars(with = "Scalar")]
    template: Option<Scalar>,
    /// Go statements run on every exit of the function (deferred), with the
    /// `results` bindings in scope.
    #[schemars(with = "Scalar")]
    after: Option<Scalar>,
    /// Go statements containing `{{.Body}}` exactly once, as a statement:
    /// the function's body runs there.
    #[schemars(with = "Scalar")]
    around: Option<Scalar>,
    /// A Go expression that replaces the call (`{{.Args}}`: its arguments)
    /// or the reference.
    #[schemars(with = "Scalar")]
    replace: Option<Scalar>,
    /// A Go expression containing `{{.Call}}` (or `{{.Ref}}`) that wraps the
    /// call (or the reference).
    #[schemars(with = "Scalar")]
    wrap: Option<Scalar>,
    /// Go expressions appended to the call's arguments (also after a spread
    /// `opts...`).
    #[schemars(with = "Strings")]
    append_args: Option<Strings>,
    /// Field → Go expression, set in composite literals of the `call` type;
    /// `{{.Value}}` is the field's current value, or `nil`.
    #[schemars(with = "BTreeMap<String, Scalar>")]
    set_field: Option<BTreeMap<String, Scalar>>,
    /// Lower runs first (outermost); equal orders keep file order.
    #[schemars(with = "i64")]
    order: Option<i64>,
    /// `true`: also weave `_test.go` files.
    #[schemars(with = "Scalar")]
    tests: Option<Scalar>,
}

/// Every aspect needs a `name` (E0104); the other fields are optional.
/// (`#[serde(default)]` on [`Aspect`] makes schemars see every field as
/// optional.)
fn require_name(schema: &mut Schema) {
    schema.insert("required".into(), serde_json::json!(["name"]));
}

/// A single value: a string, or a number or boolean taken as written.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A single value: a string, or a number or boolean taken as written.",
            "type": ["string", "number", "boolean"]
        })
    }
}

/// One value or a list of them.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Strings {
    One(Scalar),
    Many(Vec<Scalar>),
    /// Nothing (`key:` with no value).
    None(()),
}

/// A mapping `key: value`, or nothing.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Pairs {
    Map(BTreeMap<String, Scalar>),
    /// Nothing (`key:` with no value).
    None(()),
}

/// A mapping alias → import path, a list of import paths (each imported
/// under its package name), or nothing.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Imports {
    Map(BTreeMap<String, Scalar>),
    List(Vec<Scalar>),
    /// Nothing (`key:` with no value).
    None(()),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties(schema: &serde_json::Value) -> Vec<String> {
        let mut keys: Vec<String> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn sorted(fields: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_schema_has_exactly_the_loaders_fields() {
        let schema: serde_json::Value = serde_json::from_str(&json()).unwrap();
        assert_eq!(properties(&schema), sorted(super::super::TOP_FIELDS));
        assert_eq!(
            properties(&schema["definitions"]["Aspect"]),
            sorted(super::super::ASPECT_FIELDS),
            "a field was added to the loader (yaml.rs ASPECT_FIELDS) or to the schema (yaml/schema.rs) only"
        );
        assert_eq!(
            schema["definitions"]["Aspect"]["required"],
            serde_json::json!(["name"])
        );
    }
}
