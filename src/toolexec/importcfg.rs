//! The compiler's and linker's `-importcfg` files: `packagefile PATH=FILE`
//! lines saying where each import's export data or archive is.

use std::collections::BTreeSet;

/// The import paths an importcfg text provides.
pub fn provided(text: &str) -> BTreeSet<&str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("packagefile "))
        .filter_map(|rest| rest.split_once('=').map(|(p, _)| p.trim()))
        .collect()
}

/// `text` with a `packagefile` line added for each `(path, file)` it lacks.
pub fn extended<'a>(text: &str, extra: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let have = provided(text);
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for (path, file) in extra {
        if !have.contains(path) && !file.is_empty() {
            out.push_str(&format!("packagefile {path}={file}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_only_missing_lines() {
        let cfg = "# import config\npackagefile fmt=/c/fmt.a\nimportmap x=y\n";
        assert_eq!(provided(cfg).into_iter().collect::<Vec<_>>(), ["fmt"]);
        let out = extended(cfg, [("fmt", "/other"), ("example.com/a", "/c/a.a")]);
        assert_eq!(
            out,
            "# import config\npackagefile fmt=/c/fmt.a\nimportmap x=y\npackagefile example.com/a=/c/a.a\n"
        );
    }
}
