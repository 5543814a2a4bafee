//! The `.aspect` DSL front end (pest grammar in grammar/aspect.pest).
use super::RawFile;
use crate::diag::{Diagnostic, FileId, Sources};

pub fn load(_sources: &Sources, _file: FileId) -> (RawFile, Vec<Diagnostic>) {
    todo!("dsl front end")
}
