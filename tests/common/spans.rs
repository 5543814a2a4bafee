//! The spans the OpenTelemetry console exporter
//! (go.opentelemetry.io/otel/exporters/stdout/stdouttrace) writes: a stream
//! of JSON objects, one per span. Parsed into [`Span`]s, with small named
//! helpers for asserting a span tree whose failure messages print every span.

use serde::Deserialize;
use serde_json::Value;

pub const SERVER: u8 = 2;
pub const CLIENT: u8 = 3;
pub const PRODUCER: u8 = 4;
pub const CONSUMER: u8 = 5;

/// One span as go.opentelemetry.io/otel/exporters/stdout/stdouttrace
/// encodes it (a `tracetest.SpanStub`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Span {
    pub name: String,
    pub span_context: SpanContext,
    pub parent: SpanContext,
    pub span_kind: u8,
    pub attributes: Option<Vec<KeyValue>>,
    pub status: Status,
    pub resource: Option<Vec<KeyValue>>,
    pub instrumentation_scope: Scope,
    #[serde(default)]
    pub links: Option<Vec<Link>>,
}

/// A span link: the linked span's context.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Link {
    pub span_context: SpanContext,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SpanContext {
    #[serde(rename = "TraceID")]
    pub trace_id: String,
    #[serde(rename = "SpanID")]
    pub span_id: String,
    pub remote: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValue {
    pub key: String,
    pub value: TypedValue,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TypedValue {
    pub value: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    pub code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Scope {
    pub name: String,
}

impl Span {
    pub fn attr(&self, key: &str) -> Option<&Value> {
        find_kv(self.attributes.as_deref(), key)
    }

    pub fn service(&self) -> &str {
        find_kv(self.resource.as_deref(), "service.name")
            .and_then(Value::as_str)
            .unwrap_or("?")
    }

    pub fn is_root(&self) -> bool {
        self.parent.span_id.bytes().all(|b| b == b'0')
    }

    pub fn is_child_of(&self, parent: &Span) -> bool {
        self.span_context.trace_id == parent.span_context.trace_id
            && self.parent.span_id == parent.span_context.span_id
    }
}

pub fn find_kv<'a>(kvs: Option<&'a [KeyValue]>, key: &str) -> Option<&'a Value> {
    kvs?.iter()
        .find(|kv| kv.key == key)
        .map(|kv| &kv.value.value)
}

/// The console exporter's stream of JSON span objects.
pub fn parse_spans(process: &str, stdout: &str) -> Vec<Span> {
    serde_json::Deserializer::from_str(stdout)
        .into_iter::<Span>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{process} stdout is not a stream of spans ({e}):\n{stdout}"))
}

/// One line per span, for failure messages.
pub fn dump(spans: &[Span]) -> String {
    let kind = |k| match k {
        SERVER => "SERVER",
        CLIENT => "CLIENT",
        PRODUCER => "PRODUCER",
        CONSUMER => "CONSUMER",
        1 => "INTERNAL",
        _ => "OTHER",
    };
    spans
        .iter()
        .map(|s| {
            let attrs: Vec<String> = s
                .attributes
                .iter()
                .flatten()
                .map(|kv| format!("{}={}", kv.key, kv.value.value))
                .collect();
            format!(
                "  [{}] {} {:?} trace={} span={} parent={}{} status={} scope={}\n      {}",
                s.service(),
                kind(s.span_kind),
                s.name,
                s.span_context.trace_id,
                s.span_context.span_id,
                s.parent.span_id,
                if s.parent.remote { "(remote)" } else { "" },
                s.status.code,
                s.instrumentation_scope.name,
                attrs.join(" "),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The spans matching `pred`.
pub fn filter(spans: &[Span], pred: impl Fn(&Span) -> bool) -> Vec<&Span> {
    spans.iter().filter(|s| pred(s)).collect()
}

/// The one span matching `pred`; fails (printing every span) on none or
/// several.
pub fn one<'a>(spans: &'a [Span], what: &str, pred: impl Fn(&Span) -> bool) -> &'a Span {
    match filter(spans, pred).as_slice() {
        [s] => s,
        found => panic!(
            "expected exactly one {what}, found {}; all spans:\n{}",
            found.len(),
            dump(spans)
        ),
    }
}

/// The SERVER span of the incoming request for `path` (url.path).
pub fn server_span<'a>(spans: &'a [Span], path: &str) -> &'a Span {
    one(spans, &format!("SERVER span for {path}"), |s| {
        s.span_kind == SERVER && s.attr("url.path").and_then(Value::as_str) == Some(path)
    })
}

/// The one child of `parent` matching `pred`.
pub fn child<'a>(
    spans: &'a [Span],
    parent: &Span,
    what: &str,
    pred: impl Fn(&Span) -> bool,
) -> &'a Span {
    one(spans, &format!("{what} under {:?}", parent.name), |s| {
        s.is_child_of(parent) && pred(s)
    })
}

pub fn has_attr(s: &Span, key: &str, want: impl Into<Value>) -> bool {
    s.attr(key) == Some(&want.into())
}

/// `span` has attribute `key` = `want`.
pub fn assert_attr(spans: &[Span], span: &Span, key: &str, want: impl Into<Value>) {
    let want = want.into();
    assert_eq!(
        span.attr(key),
        Some(&want),
        "span {:?} ({}): attribute {key}; all spans:\n{}",
        span.name,
        span.service(),
        dump(spans)
    );
}

pub fn assert_name(spans: &[Span], span: &Span, want: &str) {
    assert_eq!(span.name, want, "span name; all spans:\n{}", dump(spans));
}
