//! The pages `goaop explain CODE` prints: one markdown file per diagnostic
//! code under `docs/codes/` (what it means, a wrong and a fixed example),
//! embedded in the binary so the explanation always matches the goaop that
//! reported the code. `tests/explain.rs` checks that every code of
//! [`super::codes`] has a page and that its examples do what they say.

/// `pages![E0101, ...]`: each code with its `docs/codes/<code>.md`.
macro_rules! pages {
    ($($code:ident),* $(,)?) => {
        &[$((
            stringify!($code),
            include_str!(concat!("../../docs/codes/", stringify!($code), ".md")),
        )),*]
    };
}

/// `(code, page)` for every documented code, in code order.
pub const PAGES: &[(&str, &str)] = pages![
    E0101, E0102, E0103, E0104, E0105, E0106, E0107, E0108, E0109, E0110, E0111, E0112, E0201,
    E0202, E0203, E0204, E0205, E0206, E0207, E0208, E0209, E0210, E0211, E0212, E0213, E0214,
    E0215, E0216, E0217, E0218, E0219, E0220, E0230, E0231, E0232, E0240, E0241, E0242, E0243,
    E0301, E0302, E0401, E0402, E0403, E0404, E0405, W0001, W0002, W0003, W0004, W0005, W0006,
    W0007,
];

/// The page of `code` (`E0201`; case-insensitive), if there is one.
pub fn page(code: &str) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(_, p)| *p)
}

/// The one-line title of a page: its first heading, without the code.
pub fn title(page: &str) -> &str {
    let first = page.lines().next().unwrap_or_default();
    let heading = first.trim_start_matches('#').trim();
    heading
        .split_once(':')
        .map_or(heading, |(_, title)| title.trim())
}

/// The line that ends a rendering of diagnostics with `codes` (in order of
/// appearance, repeats allowed), the way rustc ends with "For more
/// information about this error, try `rustc --explain E0308`". Empty when
/// no code has a page.
pub fn footer<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for c in codes {
        if page(c).is_some() && !seen.contains(&c) {
            seen.push(c);
        }
    }
    match seen.as_slice() {
        [] => String::new(),
        [one] => format!("For more information about this code, try `goaop explain {one}`.\n"),
        many => format!(
            "For more information about a code ({}), try `goaop explain <code>`.\n",
            many.join(", ")
        ),
    }
}
