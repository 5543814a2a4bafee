//! Bundled aspect files (stdlib-aspects/), embedded into the binary.
//!
//! `use: [name]` in aspects.yaml enables one; the short form
//! `- { name: tracing, target: … }` borrows a bundled aspect's advice.

/// One embedded aspect file.
pub struct BundledFile {
    /// The name used in `use:` (`otel`, `net/http`, `tracing`).
    pub name: &'static str,
    /// Shown in diagnostics: `<bundled>/tracing.yaml`.
    pub path: &'static str,
    pub text: &'static str,
    /// One line on what it touches, for `goaop check --list-bundled`.
    pub summary: &'static str,
}

/// Files whose aspects may be borrowed by the short form (by aspect name).
pub const BASE: &[BundledFile] = &[BundledFile {
    name: "base",
    path: "<bundled>/base.yaml",
    text: include_str!("../stdlib-aspects/base.yaml"),
    summary: "the seed's tracing, auth and logging aspects, for the short form `- { name: tracing, target: … }`",
}];

/// Integrations enabled with `use:`.
pub const INTEGRATIONS: &[BundledFile] = &[];

pub fn integration(name: &str) -> Option<&'static BundledFile> {
    INTEGRATIONS.iter().find(|f| f.name == name)
}
