//! The JSON Schema of aspects.yaml: `goaop schema` prints exactly the
//! shipped `schema/aspects.schema.json`, and the schema agrees with the
//! loader on every aspects file of the repository: what the loader reads
//! without a shape error validates, what it refuses for its shape (unknown
//! field E0102, wrong type E0103, missing name E0104) does not.

mod common;

use std::path::{Path, PathBuf};

use goaop::diag::Sources;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::root().join("schema/aspects.schema.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&value).expect("the shipped schema is a valid draft-07 schema")
}

/// Every `.yaml`/`.yml` file under `dir`, recursively.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn the_shipped_schema_is_what_goaop_schema_prints() {
    let out = common::goaop(&common::root(), &["schema"]);
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let shipped = std::fs::read_to_string(common::root().join("schema/aspects.schema.json"))
        .unwrap_or_default();
    assert!(
        printed == shipped,
        "schema/aspects.schema.json is not what `goaop schema` prints (the aspect types in src/load/yaml/schema.rs changed); regenerate it with\n    cargo run -q -- schema > schema/aspects.schema.json"
    );
}

#[test]
fn the_init_modeline_points_at_the_shipped_schema() {
    let shipped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schema/aspects.schema.json")).unwrap(),
    )
    .unwrap();
    let line = goaop::load::yaml::schema::modeline();
    assert_eq!(
        line,
        format!(
            "# yaml-language-server: $schema={}\n",
            shipped["$id"].as_str().unwrap()
        )
    );
}

#[test]
fn the_schema_agrees_with_the_loader_on_every_aspects_file() {
    let validator = schema();
    let mut files = Vec::new();
    for dir in ["aspects", "example", "stdlib-aspects", "tests"] {
        yaml_files(&common::root().join(dir), &mut files);
    }
    assert!(files.len() >= 150, "only {} files found", files.len());
    let (mut valid, mut refused) = (0, 0);
    for file in &files {
        let name = file
            .strip_prefix(common::root())
            .unwrap()
            .display()
            .to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let mut sources = Sources::new();
        let id = sources.add(name.clone(), text.clone());
        let (_, diags) = goaop::load::load(&sources, id);
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        // Not a question of shape: YAML syntax, duplicate keys, sizes, NUL.
        if codes
            .iter()
            .any(|c| matches!(*c, "E0101" | "E0106" | "E0110" | "E0111" | "E0112"))
        {
            continue;
        }
        let value: serde_json::Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{name}: not readable as JSON data: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        let shape_error = codes
            .iter()
            .any(|c| matches!(*c, "E0102" | "E0103" | "E0104"));
        if shape_error {
            assert!(
                !errors.is_empty(),
                "{name}: the loader refuses it ({codes:?}) but the schema accepts it"
            );
            refused += 1;
        } else {
            assert!(
                errors.is_empty(),
                "{name}: the loader accepts its shape but the schema refuses it:\n{}",
                errors.join("\n")
            );
            valid += 1;
        }
    }
    assert!(
        valid >= 120 && refused >= 8,
        "valid {valid}, refused {refused}"
    );
}
