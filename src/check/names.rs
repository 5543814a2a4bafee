//! Validation of the small strings aspects are made of: aspect names,
//! import paths, package patterns and call targets (types are parsed as Go:
//! [`crate::load::gotype`]; `vars` values are checked where they are used:
//! [`super::values`]).

/// Why an aspect name is not identifier-like (letters, digits, `-`, `_`,
/// `.`), or `None`. Names reach `goaop plan` output, diagnostics and
/// woven comments: no spaces, quotes, escapes or line breaks.
pub fn aspect_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty".into());
    }
    if name.len() > MAX_ASPECT_NAME {
        return Some(format!("longer than {MAX_ASPECT_NAME} bytes"));
    }
    let c = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))?;
    Some(if c.is_control() || c.is_whitespace() {
        format!("{c:?} is not allowed in a name")
    } else {
        format!("`{c}` is not allowed in a name")
    })
}

/// Longest aspect name.
pub const MAX_ASPECT_NAME: usize = 128;

/// Why an import path is invalid, or `None` when it is fine. The rules of
/// Go's `module.CheckImportPath` (golang.org/x/mod/module), as documented:
///
/// - one or more non-empty elements separated by `/`; no leading `-`, no
///   leading or trailing `/`, no `//`;
/// - an element is ASCII letters, ASCII digits and `-` `.` `_` `~` (and `+`,
///   which import paths, unlike module paths, allow); it must not end with a
///   dot, contain two dots in a row, or be only dots;
/// - the element up to its first dot is not a reserved Windows file name
///   (`CON`, `com1`, `NuL`, … in any case), and does not end in `~` and
///   digits (a Windows short name).
pub fn import_path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the import path is empty".into());
    }
    if path.starts_with('-') {
        return Some("an import path does not start with `-`".into());
    }
    if path.starts_with('/') || path.ends_with('/') {
        return Some("an import path neither starts nor ends with `/`".into());
    }
    if path.contains("//") {
        return Some("an import path has no empty elements (`//`)".into());
    }
    path.split('/').find_map(element_problem)
}

/// Reserved file names on Windows (`module.badWindowsNames`).
const WINDOWS_RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn element_problem(elem: &str) -> Option<String> {
    if elem.bytes().all(|b| b == b'.') {
        return Some(format!("`{elem}` is not a path element"));
    }
    if elem.ends_with('.') {
        return Some(format!("the element `{elem}` ends with a dot"));
    }
    if elem.contains("..") {
        return Some(format!("the element `{elem}` has two dots in a row"));
    }
    if let Some(c) = elem
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~+".contains(*c)))
    {
        let shown = if c.is_control() || c.is_whitespace() {
            format!("{c:?}")
        } else {
            format!("`{c}`")
        };
        return Some(format!(
            "{shown} is not allowed in an import path (ASCII letters, digits and `-._~+` only)"
        ));
    }
    let short = elem.split('.').next().unwrap_or(elem);
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(short))
    {
        return Some(format!("`{short}` is a reserved file name on Windows"));
    }
    if let Some((_, digits)) = short.rsplit_once('~')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(format!(
            "the element `{elem}` ends in `~` and digits, like a Windows short name"
        ));
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
        for ok in [
            "go.opentelemetry.io/otel",
            "log/slog",
            "gopkg.in/yaml.v3",
            "example.com/.hidden/x",
            "example.com/c++",
            "example.com/a~b/x",
            "example.com/CONSOLE",
        ] {
            assert_eq!(import_path_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "-x",
            "-/x",
            "log//slog",
            "/abs",
            "x/",
            "has space/x",
            "a/../b",
            "a/./b",
            "a/b.",
            "a..b/c",
            "a\\b",
            "caf\u{e9}/x",
            "a/b\nc",
            "example.com/con",
            "example.com/Lpt1.txt",
            "example.com/PROGRA~1",
            "a\"b",
        ] {
            assert!(import_path_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn call_targets() {
        assert_eq!(call_target_problem("database/sql.Open"), None);
        assert_eq!(call_target_problem("(*net/http.Client).Do"), None);
        assert_eq!(call_target_problem("gopkg.in/yaml.v3.Unmarshal"), None);
        assert!(call_target_problem("Open").is_some());
        assert!(call_target_problem("database/sql.").is_some());
    }
}
