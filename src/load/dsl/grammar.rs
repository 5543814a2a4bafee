//! The pest parser generated from grammar/aspect.pest.
#![allow(missing_docs)]

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/aspect.pest"]
pub(crate) struct AspectParser;
