//! The package name an import path is assumed to declare, used as the alias
//! of an import written without one (`import "log/slog"` → `slog`).
//!
//! Same heuristic as goimports' `ImportPathToAssumedName`: the last path
//! element, skipping a major-version suffix (`/v2`), without a `go-` prefix,
//! cut at the first character that cannot be in an identifier
//! (`gopkg.in/yaml.v3` → `yaml`).

/// The assumed package name of `path` (may be empty for odd paths; `check`
/// validates aliases).
pub fn assumed_name(path: &str) -> String {
    let path = path.trim_end_matches('/');
    let mut elems = path.rsplit('/');
    let mut base = elems.next().unwrap_or("");
    if let Some(digits) = base.strip_prefix('v')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Some(prev) = elems.next()
    {
        base = prev;
    }
    let base = base.strip_prefix("go-").unwrap_or(base);
    let end = base
        .char_indices()
        .find(|&(_, c)| !(c == '_' || c.is_alphanumeric()))
        .map_or(base.len(), |(i, _)| i);
    base[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::assumed_name;

    #[test]
    fn names() {
        assert_eq!(assumed_name("log/slog"), "slog");
        assert_eq!(assumed_name("context"), "context");
        assert_eq!(assumed_name("go.opentelemetry.io/otel"), "otel");
        assert_eq!(assumed_name("github.com/jackc/pgx/v5"), "pgx");
        assert_eq!(assumed_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(assumed_name("github.com/mattn/go-sqlite3"), "sqlite3");
        assert_eq!(assumed_name("example.com/x-y"), "x");
        assert_eq!(assumed_name(""), "");
    }
}
