//! The metrics the OpenTelemetry console exporter
//! (go.opentelemetry.io/otel/exporters/stdout/stdoutmetric) writes: one JSON
//! object per export (a `metricdata.ResourceMetrics`), on the same stdout as
//! the console span exporter's span objects. [`split`] separates the two
//! kinds in such a stream, strictly: an object that is neither fails the
//! test. Helpers find a metric by name and print every metric on failure.

use serde::Deserialize;
use serde_json::Value;

use super::spans::{KeyValue, Scope, Span, find_kv};

/// One export: a `metricdata.ResourceMetrics`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Export {
    pub resource: Option<Vec<KeyValue>>,
    pub scope_metrics: Option<Vec<ScopeMetrics>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScopeMetrics {
    pub scope: Scope,
    pub metrics: Option<Vec<Metric>>,
}

/// A `metricdata.Metrics`: its data is a Gauge, Sum or Histogram, each a
/// list of data points.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    pub name: String,
    pub unit: String,
    pub data: Data,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Data {
    pub data_points: Option<Vec<DataPoint>>,
}

/// A data point: `Value` for gauges and sums, `Count` (and buckets) for
/// histograms.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataPoint {
    pub attributes: Option<Vec<KeyValue>>,
    pub value: Option<Value>,
    pub count: Option<u64>,
}

impl Export {
    pub fn service(&self) -> &str {
        find_kv(self.resource.as_deref(), "service.name")
            .and_then(Value::as_str)
            .unwrap_or("?")
    }

    /// (scope name, metric) for every metric of the export.
    pub fn metrics(&self) -> impl Iterator<Item = (&str, &Metric)> {
        self.scope_metrics.iter().flatten().flat_map(|sm| {
            sm.metrics
                .iter()
                .flatten()
                .map(move |m| (sm.scope.name.as_str(), m))
        })
    }

    /// The metric named `name`, if this export has it.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics().map(|(_, m)| m).find(|m| m.name == name)
    }
}

impl Metric {
    pub fn points(&self) -> &[DataPoint] {
        self.data.data_points.as_deref().unwrap_or_default()
    }
}

impl DataPoint {
    pub fn attr(&self, key: &str) -> Option<&Value> {
        find_kv(self.attributes.as_deref(), key)
    }
}

/// The spans and the metric exports of a console exporters' stdout. A JSON
/// object with `ScopeMetrics` is an export, every other one must be a span.
pub fn split(process: &str, stdout: &str) -> (Vec<Span>, Vec<Export>) {
    let mut spans = Vec::new();
    let mut exports = Vec::new();
    for v in serde_json::Deserializer::from_str(stdout).into_iter::<Value>() {
        let v =
            v.unwrap_or_else(|e| panic!("{process} stdout is not a JSON stream ({e}):\n{stdout}"));
        if v.get("ScopeMetrics").is_some() {
            exports.push(
                serde_json::from_value(v.clone())
                    .unwrap_or_else(|e| panic!("{process}: not a metrics export ({e}):\n{v:#}")),
            );
        } else {
            spans.push(
                serde_json::from_value(v.clone()).unwrap_or_else(|e| {
                    panic!("{process}: neither a span nor metrics ({e}):\n{v:#}")
                }),
            );
        }
    }
    (spans, exports)
}

/// The metric `name` of `export`, with at least one data point; fails
/// printing every metric of every export.
pub fn metric<'a>(exports: &[Export], export: &'a Export, name: &str) -> &'a Metric {
    match export.metric(name) {
        Some(m) if !m.points().is_empty() => m,
        found => panic!(
            "[{}] metric {name}: {}; every export:\n{}",
            export.service(),
            if found.is_some() {
                "no data point"
            } else {
                "missing"
            },
            dump(exports)
        ),
    }
}

/// The one data point of metric `name` in `export` whose attributes include
/// every `(key, value)` of `attrs`; fails printing every metric.
pub fn point<'a>(
    exports: &[Export],
    export: &'a Export,
    name: &str,
    attrs: &[(&str, Value)],
) -> &'a DataPoint {
    let found: Vec<&DataPoint> = metric(exports, export, name)
        .points()
        .iter()
        .filter(|p| attrs.iter().all(|(k, v)| p.attr(k) == Some(v)))
        .collect();
    match found.as_slice() {
        [p] => p,
        _ => panic!(
            "[{}] metric {name}: {} data points with {attrs:?}, expected one; every export:\n{}",
            export.service(),
            found.len(),
            dump(exports)
        ),
    }
}

/// One line per metric of each export, for failure messages.
pub fn dump(exports: &[Export]) -> String {
    exports
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let lines: Vec<String> = e
                .metrics()
                .map(|(scope, m)| {
                    format!(
                        "    {} [{}] {} point(s) scope={scope}",
                        m.name,
                        m.unit,
                        m.points().len()
                    )
                })
                .collect();
            format!("  export {i} [{}]\n{}", e.service(), lines.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
