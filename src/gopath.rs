//! Facts about Go import paths shared by several stages (the aspect loader
//! names an alias-less `import`, the scanner names a file's imports).

/// The package name an import path is assumed to declare, with goimports'
/// heuristic (`ImportPathToAssumedName`): the last path element, skipping a
/// major-version suffix (`/v2`), without a `go-` prefix, cut at the first
/// character that cannot be in an identifier (`gopkg.in/yaml.v3` → `yaml`).
/// May be empty for odd paths (`check` validates aliases).
pub fn assumed_package_name(path: &str) -> String {
    let path = path.trim_end_matches('/');
    let mut base = last_element(path);
    if is_major_version(base)
        && let Some(dir) = path.rfind('/').map(|i| &path[..i])
        && !dir.is_empty()
    {
        base = last_element(dir);
    }
    let base = base.strip_prefix("go-").unwrap_or(base);
    let end = base
        .char_indices()
        .find(|&(_, c)| !is_ident_char(c))
        .map_or(base.len(), |(i, _)| i);
    base[..end].to_owned()
}

/// The last element of a path.
pub fn last_element(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `v2`, `v10`: a major-version path element.
pub fn is_major_version(s: &str) -> bool {
    s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A character that can appear in a Go identifier.
pub fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::assumed_package_name as name;

    #[test]
    fn names() {
        assert_eq!(name("log/slog"), "slog");
        assert_eq!(name("context"), "context");
        assert_eq!(name("go.opentelemetry.io/otel"), "otel");
        assert_eq!(name("github.com/jackc/pgx/v5"), "pgx");
        assert_eq!(name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(name("github.com/mattn/go-sqlite3"), "sqlite3");
        assert_eq!(name("example.com/x-y"), "x");
        assert_eq!(name(""), "");
    }
}
