//! Validation of the small strings aspects are made of: Go identifiers,
//! import paths and canonical type spellings.

/// Why an import path is invalid, or `None` when it is fine. Follows the
/// rules of Go's `module.CheckImportPath`.
pub fn import_path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the import path is empty".into());
    }
    if path.starts_with('/') || path.ends_with('/') {
        return Some("an import path neither starts nor ends with `/`".into());
    }
    for elem in path.split('/') {
        if elem.is_empty() {
            return Some("an import path has no empty elements (`//`)".into());
        }
        if elem == "." || elem == ".." || elem.starts_with('.') {
            return Some(format!("the element `{elem}` starts with a dot"));
        }
        if let Some(c) = elem
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._~+".contains(*c)))
        {
            return Some(format!("`{c}` is not allowed in an import path"));
        }
    }
    None
}

/// Why a canonical type spelling (`context.Context`, `*net/http.Request`,
/// `map[string]int`) is invalid, or `None`.
pub fn type_problem(ty: &str) -> Option<String> {
    let ty = ty.trim();
    if ty.is_empty() {
        return Some("the type is empty".into());
    }
    if let Some(c) = ty
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_./*[](){}<-, ~".contains(*c)))
    {
        return Some(format!("`{c}` cannot appear in a Go type"));
    }
    let mut depth: Vec<char> = Vec::new();
    for c in ty.chars() {
        match c {
            '[' | '(' | '{' => depth.push(c),
            ']' | ')' | '}' => {
                let open = match c {
                    ']' => '[',
                    ')' => '(',
                    _ => '{',
                };
                if depth.pop() != Some(open) {
                    return Some(format!("unbalanced `{c}`"));
                }
            }
            _ => {}
        }
    }
    if !depth.is_empty() {
        return Some("unclosed bracket".into());
    }
    if ty.ends_with('.') || ty.ends_with('/') || ty.ends_with('*') {
        return Some("the type is incomplete".into());
    }
    None
}

/// Why a Go package pattern (`example.com/shop/...`) is invalid, or `None`.
pub fn package_pattern_problem(pattern: &str) -> Option<String> {
    let stripped = pattern.replace("...", "x");
    if pattern == "..." || pattern == "std" || pattern == "all" {
        return None;
    }
    import_path_problem(&stripped)
}

/// Why a call target (`database/sql.Open`, `(*net/http.Client).Do`) is
/// invalid, or `None`.
pub fn call_target_problem(target: &str) -> Option<String> {
    let (path, name) = if let Some(rest) = target.strip_prefix('(') {
        let Some((recv, method)) = rest.split_once(").") else {
            return Some("a method call target is written `(*import/path.Type).Method`".into());
        };
        let recv = recv.trim_start_matches('*');
        let Some((path, ty)) = recv.rsplit_once('.') else {
            return Some("the receiver type needs its import path: `(*net/http.Client).Do`".into());
        };
        if !super::template::is_go_ident(ty) {
            return Some(format!("`{ty}` is not a Go type name"));
        }
        (path, method)
    } else {
        let slash = target.rfind('/').map_or(0, |i| i + 1);
        let Some(dot) = target[slash..].rfind('.').map(|i| i + slash) else {
            return Some("a call target is `import/path.Func`, e.g. `database/sql.Open`".into());
        };
        (&target[..dot], &target[dot + 1..])
    };
    if !super::template::is_go_ident(name) {
        return Some(format!("`{name}` is not a Go function name"));
    }
    import_path_problem(path)
}

/// Why a `ref` target is not `import/path.Name` (a package-level member),
/// if it is not.
pub fn ref_target_problem(target: &str) -> Option<String> {
    if target.starts_with('(') {
        return Some("a ref target is a package-level variable, `import/path.Name`; methods are not references".into());
    }
    let slash = target.rfind('/').map_or(0, |i| i + 1);
    let Some(dot) = target[slash..].rfind('.').map(|i| i + slash) else {
        return Some("a ref target is `import/path.Name`, e.g. `net/http.DefaultTransport`".into());
    };
    let name = &target[dot + 1..];
    if !super::template::is_go_ident(name) {
        return Some(format!("`{name}` is not a Go identifier"));
    }
    import_path_problem(&target[..dot])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_paths() {
        assert_eq!(import_path_problem("go.opentelemetry.io/otel"), None);
        assert_eq!(import_path_problem("log/slog"), None);
        assert!(import_path_problem("log//slog").is_some());
        assert!(import_path_problem("has space/x").is_some());
        assert!(import_path_problem("/abs").is_some());
    }

    #[test]
    fn call_targets() {
        assert_eq!(call_target_problem("database/sql.Open"), None);
        assert_eq!(call_target_problem("(*net/http.Client).Do"), None);
        assert_eq!(call_target_problem("gopkg.in/yaml.v3.Unmarshal"), None);
        assert!(call_target_problem("Open").is_some());
        assert!(call_target_problem("database/sql.").is_some());
    }

    #[test]
    fn types_and_vars() {
        assert_eq!(type_problem("*net/http.Request"), None);
        assert_eq!(type_problem("map[string][]int"), None);
        assert!(type_problem("map[string").is_some());
    }
}
