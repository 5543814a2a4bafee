//! How many functions (or call sites) of the current Go module an aspect
//! matches, with a few examples: what `goaop plan ./...` computes
//! ([`crate::project::woven`]: a `go list` of the module, no build), over
//! the editor's text of the aspects. Slow next to typing (it
//! runs `go list` and scans every package), so the server runs it on a
//! worker thread, only when asked (a hover on `target`/`pointcut`), and
//! caches the answer per document version.

use std::path::Path;

use super::diagnostics;
use crate::project::{self, session, woven};

/// What one aspect matches in the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matches {
    /// Join points woven.
    pub applied: usize,
    /// Join points matched but skipped (a requirement not met, ...).
    pub skipped: usize,
    /// Up to three woven sites, `site (file:line)`.
    pub examples: Vec<String>,
}

/// The matches of aspect `name` in the module of `doc`.
pub fn count(doc: &Path, overlay: &session::Overlay, name: &str) -> Result<Matches, String> {
    let (cwd, files) = diagnostics::files_for(doc);
    project::find_module(&cwd).ok_or("no go.mod above this file: no module to match against")?;
    let (_, rules) = session::load_check_compile_overlaid(&cwd, &files, overlay);
    let rules = rules.ok_or("the aspects have errors: fix them to see what they match")?;
    let patterns = ["./...".to_string()];
    let sel = woven::Selection {
        patterns: &patterns,
        ..Default::default()
    };
    let packages = woven::weave(&cwd, &rules, &sel)?;
    let mut m = Matches {
        applied: 0,
        skipped: 0,
        examples: Vec::new(),
    };
    for l in &packages {
        let mut decisions: Vec<_> = l
            .woven
            .decisions
            .iter()
            .filter(|d| d.aspect == name)
            .collect();
        decisions.sort_by_key(|d| (d.file, d.line));
        for d in decisions {
            if d.skipped.is_some() {
                m.skipped += 1;
                continue;
            }
            m.applied += 1;
            if m.examples.len() < 3 {
                let file = &l.unit.files[d.file].name;
                m.examples.push(format!("{} ({file}:{})", d.site, d.line));
            }
        }
    }
    Ok(m)
}

impl Matches {
    /// A code lens title: `4 join points: Create, List, Delete, …`.
    pub fn title(&self) -> String {
        let mut s = format!("{} join point(s) woven", self.applied);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        let names: Vec<&str> = self
            .examples
            .iter()
            .map(|e| e.split(" (").next().unwrap_or(e))
            .collect();
        if !names.is_empty() {
            s.push_str(&format!(": {}", names.join(", ")));
            if self.applied > names.len() {
                s.push_str(", …");
            }
        }
        s
    }

    /// The hover text.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "**Matches in this module:** {} join point(s) woven",
            self.applied
        );
        if self.skipped > 0 {
            s.push_str(&format!(
                ", {} skipped (`goaop plan` says why)",
                self.skipped
            ));
        }
        s.push('\n');
        for e in &self.examples {
            s.push_str(&format!("\n- `{e}`"));
        }
        if self.applied > self.examples.len() {
            s.push_str(&format!(
                "\n- … ({} more)",
                self.applied - self.examples.len()
            ));
        }
        s
    }
}
