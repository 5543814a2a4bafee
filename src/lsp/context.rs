//! What the cursor is on, for completion and hover: a field name, a
//! placeholder inside some advice, a `use:` entry, a diagnostic code.
//!
//! The loader answers when the document loads (it knows every advice
//! snippet's span, in YAML and the DSL alike); while the text is broken, a
//! look at the lines above the cursor stands in, so completion keeps
//! working in the middle of an edit.

use crate::diag::Sources;
use crate::load::{self, RawAspect, RawPointcut, Snippet};

use super::docs::AdviceKind;

/// Where a completion is asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Spot {
    /// A key at the top level of aspects.yaml.
    TopKey,
    /// A key of one aspect.
    AspectKey,
    /// After `{{.`: the advice kind, and the aspect's own `vars`,
    /// `requires` and `results` names.
    Placeholder {
        kind: AdviceKind,
        extra: Vec<String>,
    },
    /// An entry of `use:` (YAML) or `use "…"` (DSL).
    Use {
        /// Where the entry typed so far starts (an import path holds `.`
        /// and `/`: the whole of it is replaced, not just its last word).
        start: usize,
        /// The other entries already listed (not offered again).
        listed: Vec<String>,
        /// The DSL's `use ` without its opening quote yet: the item adds
        /// the quotes.
        quote: bool,
    },
    Nothing,
}

/// The byte offset where the identifier ending at `offset` starts.
pub fn word_start(text: &str, offset: usize) -> usize {
    after_last(&text[..offset], |c| {
        !(c.is_alphanumeric() || c == '_' || c == '-')
    })
}

/// The byte offset just past the last character of `text` that satisfies
/// `pred` (0 when none does).
fn after_last(text: &str, pred: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| pred(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The word (identifier, `-` allowed) around `offset`, and its byte range.
pub fn word_at(text: &str, offset: usize) -> (&str, std::ops::Range<usize>) {
    let offset = offset.min(text.len());
    let start = word_start(text, offset);
    let end = text[offset..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(text.len(), |i| offset + i);
    (&text[start..end], start..end)
}

/// The placeholder `{{.Name}}` around `offset`, if any.
pub fn placeholder_at(text: &str, offset: usize) -> Option<&str> {
    let (word, range) = word_at(text, offset);
    let before = text[..range.start].trim_end_matches([' ', '.']);
    (before.ends_with("{{") && text[range.start - 1..].starts_with('.')).then_some(word)
}

/// The line containing `offset`: its start, and the text from there to the
/// offset.
fn line_prefix(text: &str, offset: usize) -> (usize, &str) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (start, &text[start..offset])
}

/// The key a YAML line starts with (`  - name: x` → `name`).
pub fn line_key(line: &str) -> Option<&str> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = t.split_once(':')?;
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_'))
    .then_some(key)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// What completion at `offset` of document `text` should offer.
pub fn spot(text: &str, offset: usize, dsl: bool) -> Spot {
    let offset = offset.min(text.len());
    let (_, prefix) = line_prefix(text, offset);
    let typed = &prefix[word_start(prefix, prefix.len())..];
    let before_word = &prefix[..prefix.len() - typed.len()];
    if before_word.trim_end_matches(' ').ends_with("{{.") || before_word.ends_with("{{ .") {
        return placeholder_spot(text, offset, dsl);
    }
    let (line_start, _) = line_prefix(text, offset);
    let entry = after_last(prefix, |c| !is_path_char(c));
    let before_entry = &prefix[..entry];
    let use_at = |quote| Spot::Use {
        start: line_start + entry,
        listed: listed_uses(text, offset, dsl),
        quote,
    };
    if dsl {
        // `use ‸`, `use "net/‸`
        let unquoted = before_entry.trim_start().trim_end_matches('"');
        if unquoted.trim_end() == "use" && unquoted.len() > "use".len() {
            return use_at(!before_entry.ends_with('"'));
        }
        return Spot::Nothing;
    }
    // An entry of a `use:` list: `use: [otel, example.com/ac‸`, `- ex‸`.
    let entry_head = before_entry.trim_start().trim_end_matches(['"', '\'']);
    if (entry_head.is_empty()
        || entry_head == "- "
        || entry_head.ends_with(['[', ','])
        || entry_head.ends_with("[ ")
        || entry_head.ends_with(", "))
        && (enclosing_key(text, offset) == Some("use") || entry_head.starts_with("use:"))
    {
        return use_at(false);
    }
    let head = before_word.trim_start();
    if head.is_empty() || head == "- " || head.ends_with("{ ") || head.ends_with(", ") {
        if indent(prefix) == 0 && !head.starts_with('-') {
            return Spot::TopKey;
        }
        return Spot::AspectKey;
    }
    if head.starts_with("use:") || head.starts_with("- use:") {
        return use_at(false);
    }
    Spot::Nothing
}

/// A character of an import path (or a bundled name).
fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '~' | '+')
}

/// The `use` entries of the document other than the one at `offset`, read
/// from the text (it may not load while being typed): in YAML the top-level
/// `use:` list around the cursor (flow or block), in the DSL every
/// `use "…"` line.
fn listed_uses(text: &str, offset: usize, dsl: bool) -> Vec<String> {
    let (line_start, _) = line_prefix(text, offset);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let clean = |s: &str| {
        s.trim()
            .trim_start_matches('-')
            .trim()
            .trim_matches(['"', '\''])
            .trim()
            .to_string()
    };
    // The entry at the cursor is the one being typed.
    let current = {
        let line = &text[line_start..line_end];
        let at = offset - line_start;
        let start = line[..at].rfind([',', '[', '"']).map_or(0, |i| i + 1);
        let end = line[at..]
            .find([',', ']', '"'])
            .map_or(line.len(), |i| at + i);
        (line_start + start)..(line_start + end)
    };
    let mut out = Vec::new();
    if dsl {
        let mut pos = 0;
        for line in text.split_inclusive('\n') {
            let range = pos..pos + line.len();
            pos += line.len();
            if range.contains(&offset) || (offset == text.len() && range.end == offset) {
                continue;
            }
            if let Some(rest) = line.trim_start().strip_prefix("use")
                && rest.starts_with([' ', '\t', '"'])
            {
                let name = clean(rest.split("//").next().unwrap_or(""));
                out.push(name);
            }
        }
        out.retain(|n| !n.is_empty());
        return out;
    }
    // From the `use:` line above the cursor to the next top-level key.
    let Some(start) = text[..line_end]
        .rmatch_indices("use:")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
    else {
        return out;
    };
    let body_start = start + "use:".len();
    let mut end = text.len();
    let mut pos = text[body_start..]
        .find('\n')
        .map_or(text.len(), |i| body_start + i + 1);
    while pos < text.len() {
        let line = text[pos..].split('\n').next().unwrap_or("");
        let first = line.chars().next();
        if first.is_some_and(|c| !c.is_whitespace() && c != '-' && c != '#') {
            end = pos;
            break;
        }
        pos += line.len() + 1;
    }
    let mut piece_start = body_start;
    let body = &text[body_start..end];
    for (i, c) in body.char_indices().chain([(body.len(), ',')]) {
        if matches!(c, ',' | '[' | ']' | '\n') {
            let range = piece_start..body_start + i;
            let piece = text[range.clone()].split('#').next().unwrap_or("");
            let overlaps = range.start < current.end && current.start < range.end;
            if !overlaps && !range.contains(&offset) {
                out.push(clean(piece));
            }
            piece_start = body_start + i + c.len_utf8();
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The nearest key above `offset` whose line is indented less than the
/// cursor's line (or, on the cursor's line, the last `key:` before it).
fn enclosing_key(text: &str, offset: usize) -> Option<&str> {
    let (start, prefix) = line_prefix(text, offset);
    if let Some(key) = last_inline_key(prefix) {
        return Some(key);
    }
    let mut min = indent(prefix);
    let is_item = prefix.trim_start().starts_with('-');
    for line in text[..start].lines().rev() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let i = indent(line);
        // A list item may sit at its key's indentation (`use:\n- otel`).
        if i < min || (is_item && i == min && !line.trim_start().starts_with('-')) {
            if let Some(k) = line_key(line) {
                return Some(k);
            }
            min = i;
        }
        if i == 0 && !line.trim_start().starts_with('-') {
            break;
        }
    }
    None
}

/// The last `key:` written on a line before the cursor (`{ name: a, wrap: "f(`).
fn last_inline_key(prefix: &str) -> Option<&str> {
    let mut best = None;
    let bytes = prefix.as_bytes();
    for (i, _) in prefix.match_indices(':') {
        let key_start = word_start(prefix, i);
        let key = &prefix[key_start..i];
        let starts_key = key_start == 0 || matches!(bytes[key_start - 1], b' ' | b'{' | b',');
        if !key.is_empty() && starts_key && advice_kind_of(key).is_some() {
            best = Some(key);
        }
    }
    best
}

/// The advice field names and what they are, ignoring the join point.
fn advice_kind_of(field: &str) -> Option<AdviceKind> {
    Some(match field {
        "before" | "template" | "after" => AdviceKind::Function,
        "around" => AdviceKind::Around,
        "replace" | "wrap" | "append-args" => AdviceKind::Call,
        "set-field" => AdviceKind::SetField,
        _ => return None,
    })
}

/// The placeholders valid at `offset`, from the loaded document if it
/// loads, else from the lines above.
fn placeholder_spot(text: &str, offset: usize, dsl: bool) -> Spot {
    let mut sources = Sources::new();
    let name = if dsl { "doc.aspect" } else { "aspects.yaml" };
    let id = sources.add(name, text);
    let (raw, _) = load::load(&sources, id);
    if let Some(spot) = raw
        .aspects
        .iter()
        .find(|a| a.span.range.start <= offset && offset <= a.span.range.end)
        .and_then(|a| loaded_spot(a, offset))
    {
        return spot;
    }
    // Broken text: the advice keyword above the cursor.
    let kind = if dsl {
        dsl_advice_above(&text[..offset])
    } else {
        enclosing_key(text, offset).and_then(advice_kind_of)
    };
    let Some(mut kind) = kind else {
        return Spot::Nothing;
    };
    if kind == AdviceKind::Call && mentions_ref(text, offset, dsl) {
        kind = AdviceKind::Ref;
    }
    Spot::Placeholder {
        kind,
        extra: Vec::new(),
    }
}

/// The placeholder spot inside a loaded aspect's advice.
fn loaded_spot(a: &RawAspect, offset: usize) -> Option<Spot> {
    let inside = |s: &Snippet| s.span.range.start <= offset && offset <= s.span.range.end;
    let adv = &a.advice;
    let site_kind = if a.pointcut.as_ref().is_some_and(is_ref) {
        AdviceKind::Ref
    } else {
        AdviceKind::Call
    };
    let kind = if adv.before.as_ref().is_some_and(inside) || adv.after.as_ref().is_some_and(inside)
    {
        AdviceKind::Function
    } else if adv.around.as_ref().is_some_and(inside) {
        AdviceKind::Around
    } else if adv.replace.as_ref().is_some_and(inside)
        || adv.wrap.as_ref().is_some_and(inside)
        || adv.append_args.iter().any(inside)
    {
        site_kind
    } else if adv.set_fields.iter().any(|(_, s)| inside(s)) {
        AdviceKind::SetField
    } else {
        return None;
    };
    let extra = a
        .vars
        .iter()
        .chain(&a.requires)
        .chain(&a.results)
        .map(|(k, _)| k.value.clone())
        .collect();
    Some(Spot::Placeholder { kind, extra })
}

fn is_ref(p: &RawPointcut) -> bool {
    match p {
        RawPointcut::Ref(_) => true,
        RawPointcut::And(ps) | RawPointcut::Or(ps) => ps.iter().any(is_ref),
        RawPointcut::Not(p) => is_ref(p),
        _ => false,
    }
}

/// Whether the aspect around `offset` (text since its start) names a
/// `ref` join point.
fn mentions_ref(text: &str, offset: usize, dsl: bool) -> bool {
    let start = if dsl {
        text[..offset].rfind("aspect ").unwrap_or(0)
    } else {
        text[..offset].rfind("- ").unwrap_or(0)
    };
    let block = &text[start..];
    let end = block.find("\n  - ").map_or(block.len(), |i| i + 1);
    let block = &block[..end];
    block.contains("ref:") || block.contains("ref(")
}

/// The DSL advice block the text before the cursor is in (the last advice
/// keyword followed by `{`).
fn dsl_advice_above(before: &str) -> Option<AdviceKind> {
    let mut best: Option<(usize, AdviceKind)> = None;
    for (kw, kind) in [
        ("before", AdviceKind::Function),
        ("after", AdviceKind::Function),
        ("around", AdviceKind::Around),
        ("replace", AdviceKind::Call),
        ("wrap", AdviceKind::Call),
        ("append-args", AdviceKind::Call),
        ("set-field", AdviceKind::SetField),
    ] {
        if let Some(i) = before.rfind(kw)
            && best.is_none_or(|(b, _)| i > b)
        {
            best = Some((i, kind));
        }
    }
    best.map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Spot {
        let offset = text.find('‸').unwrap();
        let text = text.replace('‸', "");
        spot(&text, offset, false)
    }

    #[test]
    fn keys_and_uses() {
        assert_eq!(at("use: [otel]\nasp‸"), Spot::TopKey);
        assert_eq!(at("aspects:\n  - name: a\n    tar‸"), Spot::AspectKey);
        assert_eq!(at("aspects:\n  - ‸"), Spot::AspectKey);
        let listed = |s: &str| match at(s) {
            Spot::Use { listed, .. } => Some(listed),
            _ => None,
        };
        assert_eq!(listed("use:\n  - ot‸"), Some(vec![]));
        assert_eq!(listed("use: [otel, n‸"), Some(vec!["otel".to_string()]));
        assert_eq!(listed("use: [‸"), Some(vec![]));
        assert_eq!(
            listed("use: [otel, ‸]\naspects: []\n"),
            Some(vec!["otel".to_string()])
        );
        assert_eq!(
            listed("use: [\"otel\", ex.com/a‸, net/http]\n"),
            Some(vec!["otel".to_string(), "net/http".to_string()])
        );
        assert_eq!(
            listed(
                "use:\n  - otel\n  - example.com/acme/k‸\n  - net/http # x\naspects:\n  - name: a\n"
            ),
            Some(vec!["otel".to_string(), "net/http".to_string()])
        );
        assert_eq!(
            listed("use:\n- otel\n- ‸\n"),
            Some(vec!["otel".to_string()])
        );
        // The start of an import path, not of its last word.
        let text = "use: [otel, example.com/ac‸";
        match at(text) {
            Spot::Use { start, .. } => assert_eq!(start, text.find("example").unwrap()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dsl_uses() {
        let at = |s: &str| {
            let offset = s.find('‸').unwrap();
            spot(&s.replace('‸', ""), offset, true)
        };
        let text = "use \"otel\"\nuse \"example.com/a‸\"\n\naspect a {}\n";
        assert_eq!(
            at(text),
            Spot::Use {
                start: text.find("example").unwrap(),
                listed: vec!["otel".to_string()],
                quote: false
            }
        );
        assert!(matches!(at("use ‸"), Spot::Use { quote: true, .. }));
        assert_eq!(at("aspect a {\n    use‸"), Spot::Nothing);
    }

    #[test]
    fn placeholders_follow_the_advice() {
        let kind = |s: &str| match at(s) {
            Spot::Placeholder { kind, .. } => Some(kind),
            _ => None,
        };
        let yaml = "aspects:\n  - name: a\n    target: x\n    vars: { Perm: w }\n    around: |\n      f(\"{{.‸\")\n      {{.Body}}\n";
        assert_eq!(kind(yaml), Some(AdviceKind::Around));
        match at(yaml) {
            Spot::Placeholder { extra, .. } => assert_eq!(extra, vec!["Perm".to_string()]),
            other => panic!("{other:?}"),
        }
        // Broken text: the key above decides.
        assert_eq!(
            kind("aspects:\n  - name: a\n    target: [\n    before: |\n      x := \"{{.F‸"),
            Some(AdviceKind::Function)
        );
        assert_eq!(
            kind("aspects:\n  - { name: a, ref: net/http.DefaultTransport, wrap: \"f({{.‸"),
            Some(AdviceKind::Ref)
        );
    }

    #[test]
    fn dsl_blocks() {
        let kind = |s: &str| {
            let offset = s.find('‸').unwrap();
            match spot(&s.replace('‸', ""), offset, true) {
                Spot::Placeholder { kind, .. } => Some(kind),
                _ => None,
            }
        };
        let loaded = "aspect a {\n    pointcut call(net/http.Get)\n    wrap { f({{.‸}}) }\n}\n";
        assert_eq!(kind(loaded), Some(AdviceKind::Call));
        let broken = "aspect a {\n    pointcut target(\"x\")\n    around { g(\"{{.‸";
        assert_eq!(kind(broken), Some(AdviceKind::Around));
        assert_eq!(
            kind("aspect a {\n    pointcut target(\"x\")\n    {{.‸"),
            None
        );
    }
}
