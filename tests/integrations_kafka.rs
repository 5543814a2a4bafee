//! End to end for the kafka-go integration (`use: [otel, net/http,
//! kafka-go, …]`, written by `goaop init`): tests/integrations_e2e/kafka is
//! a program with no tracing code (in the module the integration tests
//! share, tests/common/services.rs). Its HTTP handler, served with `http.Serve`
//! and called by the program's own `http.Post`, writes two messages in one
//! `WriteMessages` call with the request's context; a consumer-group reader
//! then reads them with `ReadMessage`. Built with `go build
//! -toolexec=goaop` and with driver mode (`goaop go build`, on the module
//! vendored: the go command's `-overlay` may not replace files in the
//! module cache, where kafka-go's woven files live), run against a
//! REAL single-node Kafka broker (KRaft mode, Apache Kafka's jars from Maven
//! Central, started by this test on free loopback ports in a temp dir and
//! killed on Drop). Asserted: a PRODUCER span per message under the
//! request's SERVER span; a CONSUMER span per message in the same trace,
//! child of and linked to that message's PRODUCER span; the consumed
//! messages' headers carry that span's `traceparent` next to the program's
//! own header; and the program's own messages were not changed.
//!
//! Needs `go`, `java` (17+) and `mvn` (Debian's openjdk-17-jre-headless and
//! maven; `.ci/run` installs them and resolves the broker's jars) and fails
//! loudly without any of them.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use common::gobuild::{go, output, succeed, text};
use common::servers::kafka::Kafka;
use common::services::Services;
use common::spans::{
    CLIENT, CONSUMER, PRODUCER, SERVER, Span, assert_attr, assert_name, dump, filter, one,
    parse_spans,
};
use common::woven::goaop_cmd as goaop;

// ---------------------------------------------------------------- building

/// What one run of the program wrote: spans (stdout) and the consumed
/// messages (JSON lines on stderr).
struct Run {
    what: &'static str,
    topic: String,
    spans: Vec<Span>,
    consumed: Vec<Value>,
}

fn run(what: &'static str, bin: &Path, kafka: &Kafka, topic: &str) -> Run {
    let started = Instant::now();
    let out = Command::new(bin)
        .args([&kafka.addr, topic])
        .env("OTEL_SERVICE_NAME", "kafka")
        .env("OTEL_TRACES_EXPORTER", "console")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none")
        .env_remove("OTEL_SDK_DISABLED")
        .env_remove("OTEL_TRACES_SAMPLER")
        .env_remove("OTEL_PROPAGATORS")
        .env_remove("OTEL_RESOURCE_ATTRIBUTES")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{what}: {}\n{stderr}", out.status);
    eprintln!("{what} ran in {:.1}s", started.elapsed().as_secs_f64());
    let consumed = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("headers").is_some())
        .collect();
    Run {
        what,
        topic: topic.to_string(),
        spans: parse_spans(what, &stdout),
        consumed,
    }
}

// ---------------------------------------------------------------- asserting

fn str_attr<'a>(s: &'a Span, key: &str) -> Option<&'a str> {
    s.attr(key).and_then(Value::as_str)
}

fn assert_run(run: &Run) {
    let spans = &run.spans;
    let what = run.what;
    let topic = run.topic.as_str();
    // The request: the program's http.Post (CLIENT, root) → the handler's
    // SERVER span across the wire.
    let server = one(spans, "SERVER span of POST /orders/42", |s| {
        s.span_kind == SERVER && str_attr(s, "url.path") == Some("/orders/42")
    });
    assert_name(spans, server, "POST /orders/{id}");
    let client = one(spans, "CLIENT span of the POST", |s| {
        s.span_kind == CLIENT && s.span_context.span_id == server.parent.span_id
    });
    assert!(client.is_root(), "{what}: the POST's span is the root");

    // Two PRODUCER spans, children of the request's span.
    let producers = filter(spans, |s| s.span_kind == PRODUCER);
    assert_eq!(
        producers.len(),
        2,
        "{what}: one PRODUCER span per message; spans:\n{}",
        dump(spans)
    );
    for p in &producers {
        assert!(
            p.is_child_of(server) && !p.parent.remote,
            "{what}: {:?} is not a child of the request's span; spans:\n{}",
            p.name,
            dump(spans)
        );
        assert_name(spans, p, &format!("send {topic}"));
        assert_attr(spans, p, "messaging.system", "kafka");
        assert_attr(spans, p, "messaging.destination.name", topic);
        assert_attr(spans, p, "messaging.operation.type", "send");
        assert_eq!(p.status.code, "Unset", "{what}: the writes succeeded");
    }

    // The consumed messages: each carries the traceparent of one PRODUCER
    // span (a different one each), and the program's own header.
    assert_eq!(
        run.consumed.len(),
        2,
        "{what}: two consumed messages on stderr"
    );
    let mut producer_of = Vec::new();
    for (m, value) in run.consumed.iter().zip(["created 42", "paid 42"]) {
        assert_eq!(m["value"], value, "{what}: messages in order: {m}");
        let traceparent = m["headers"]["traceparent"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no traceparent header on {m}"));
        let producer = one(spans, &format!("PRODUCER span of {traceparent}"), |s| {
            s.span_kind == PRODUCER
                && traceparent
                    == format!(
                        "00-{}-{}-01",
                        s.span_context.trace_id, s.span_context.span_id
                    )
        });
        producer_of.push(producer);
    }
    assert_eq!(
        run.consumed[0]["headers"]["source"], "fixture",
        "{what}: the program's own header is kept"
    );
    assert_eq!(
        run.consumed[1]["headers"].as_object().map(|h| h.len()),
        Some(1),
        "{what}: only traceparent was added: {}",
        run.consumed[1]
    );
    assert_ne!(
        producer_of[0].span_context.span_id, producer_of[1].span_context.span_id,
        "{what}: each message has its own PRODUCER span"
    );

    // Two CONSUMER spans: in the request's trace, each a child of (and
    // linked to) the PRODUCER span of the message it received.
    let consumers = filter(spans, |s| s.span_kind == CONSUMER);
    assert_eq!(
        consumers.len(),
        2,
        "{what}: one CONSUMER span per message; spans:\n{}",
        dump(spans)
    );
    for producer in producer_of {
        let consumer = one(
            spans,
            &format!("CONSUMER span of {}", producer.span_context.span_id),
            |s| s.span_kind == CONSUMER && s.is_child_of(producer),
        );
        assert!(
            consumer.parent.remote,
            "{what}: the consumer's parent comes from the headers"
        );
        let linked = consumer.links.iter().flatten().any(|l| {
            l.span_context.trace_id == producer.span_context.trace_id
                && l.span_context.span_id == producer.span_context.span_id
        });
        assert!(
            linked,
            "{what}: the CONSUMER span links the producer: {consumer:?}"
        );
        assert_name(spans, consumer, &format!("receive {topic}"));
        assert_attr(spans, consumer, "messaging.system", "kafka");
        assert_attr(spans, consumer, "messaging.destination.name", topic);
        assert_attr(spans, consumer, "messaging.operation.type", "receive");
        assert_attr(spans, consumer, "messaging.consumer.group.name", "billing");
        assert_attr(spans, consumer, "messaging.destination.partition.id", "0");
    }
}

#[test]
fn kafka_go_producer_and_consumer_are_traced_with_toolexec_and_driver_mode() {
    let started = Instant::now();
    let services = Services::of("kafka");

    // `goaop plan` lists the join points inside kafka-go (named: `./kafka/...`
    // shows the program's own packages) and the program's.
    let plan = services.plan(&["github.com/segmentio/kafka-go"]);
    for join_point in [
        "kafka-go-write       (*Writer).WriteMessages",
        "kafka-go-fetch       (*Reader).FetchMessage",
        "http-serve ",
        "http-post ",
    ] {
        assert!(
            plan.contains(join_point),
            "plan lacks {join_point}:\n{plan}"
        );
    }
    assert!(
        plan.contains(" 0 skipped"),
        "plan skipped a join point:\n{plan}"
    );

    let toolexec_bin = services.dir.join("app-toolexec");
    let driver_bin = services.dir.join("app-driver");
    services.build_toolexec(&toolexec_bin);
    // Driver mode weaves through `go build -overlay`, which refuses to
    // replace files beneath GOMODCACHE: goaop says so before building, with
    // the ways out; a vendored kafka-go can be woven.
    let refused = output(goaop(
        &services.dir,
        &["go", "build", "-o", "/dev/null", &services.pkg],
    ));
    let (_, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("driver mode cannot weave github.com/segmentio/kafka-go")
            && stderr.contains("go mod vendor")
            && !stderr.contains("must not be replaced"),
        "{stderr}"
    );
    succeed("go mod vendor", go(&services.dir, &["mod", "vendor"]));
    services.build_driver(&["-mod=vendor"], &driver_bin);

    let kafka = Kafka::start();
    assert_run(&run(
        "-toolexec build",
        &toolexec_bin,
        &kafka,
        "orders-toolexec",
    ));
    assert_run(&run(
        "driver-mode build",
        &driver_bin,
        &kafka,
        "orders-driver",
    ));
    drop(kafka);
    eprintln!(
        "the whole test took {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
