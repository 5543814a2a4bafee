//! `goaop schema`: the JSON Schema of aspects.yaml (see
//! [`crate::load::yaml::schema`]), the text shipped as
//! `schema/aspects.schema.json`.

use super::Outcome;

pub fn run() -> Outcome {
    Outcome {
        stdout: crate::load::yaml::schema::json(),
        ..Default::default()
    }
}
