//! Stage 2 — check: [`RawAspect`](crate::load::RawAspect)s into
//! [`CheckedAspect`]s, collecting every problem with its span (DESIGN §5).

pub mod model;

pub use model::*;
