//! End to end for the MongoDB driver v2 and aws-sdk-go-v2 integrations
//! (`use: [otel, net/http, mongo, aws, …]`, written by `goaop init`):
//! tests/integrations_e2e/mongoaws is a program with no tracing code (in the
//! module the integration tests share, tests/common/services.rs) that
//! serves GET /items/{id} through `http.Serve` and calls itself once with
//! `http.Get`; the handler inserts two documents into MongoDB, reads them
//! back through a cursor (find + getMore) and gets the item's price from
//! DynamoDB (GetItem).
//!
//! No MongoDB server nor AWS account is reachable here, so both are fakes the
//! program runs itself on loopback (package `fake` of the module, which holds
//! no join point): a MongoDB wire-protocol server (OP_QUERY handshake, then
//! OP_MSG: hello, ping, insert, find, getMore, killCursors, endSessions) and
//! a DynamoDB JSON endpoint (GetItem), reached through static credentials and
//! a BaseEndpoint so the SDK never touches the network. The fake DynamoDB
//! logs each request's signing key and `traceparent` header on stderr.
//!
//! Built with `go build -toolexec=goaop` and with driver mode (`goaop go
//! build`); the span tree on stdout (console exporter) is asserted: the
//! mongo and AWS CLIENT spans are children of the otelhttp SERVER span, in
//! one trace. Needs `go`; fails loudly without it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use common::gobuild::text;
use common::services::Services;
use common::spans::{
    CLIENT, SERVER, Span, assert_attr, assert_name, child, dump, filter, one, parse_spans,
    server_span,
};

const MONGO_SCOPE: &str = "github.com/goaop/goaop/mongo";
const OTELAWS_SCOPE: &str =
    "go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws";

/// What one run of the program wrote: spans (stdout) and stderr.
struct Run {
    what: &'static str,
    spans: Vec<Span>,
    stderr: String,
}

/// Run the program with the console exporter, away from any AWS settings
/// of the machine (HOME is the module's copy: no ~/.aws; no instance
/// metadata).
fn run(what: &'static str, bin: &Path, home: &Path) -> Run {
    let mut cmd = Command::new(bin);
    cmd.env("OTEL_SERVICE_NAME", "mongoaws")
        .env("OTEL_TRACES_EXPORTER", "console")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none")
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for var in [
        "OTEL_SDK_DISABLED",
        "OTEL_TRACES_SAMPLER",
        "OTEL_PROPAGATORS",
        "OTEL_RESOURCE_ATTRIBUTES",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{what}: {}\n{stderr}", out.status);
    Run {
        what,
        spans: parse_spans(what, &stdout),
        stderr,
    }
}

fn str_attr<'a>(s: &'a Span, key: &str) -> Option<&'a str> {
    s.attr(key).and_then(Value::as_str)
}

fn assert_scope(run: &Run, span: &Span, scope: &str) {
    assert_eq!(
        span.instrumentation_scope.name,
        scope,
        "{}: span {:?}; spans:\n{}",
        run.what,
        span.name,
        dump(&run.spans)
    );
}

/// One mongo command span under `server`.
fn assert_mongo(run: &Run, server: &Span, command: &str) {
    let spans = &run.spans;
    let span = child(spans, server, &format!("mongo {command}"), |s| {
        s.span_kind == CLIENT && str_attr(s, "db.operation.name") == Some(command)
    });
    assert_name(spans, span, &format!("{command} items"));
    assert_scope(run, span, MONGO_SCOPE);
    assert_attr(spans, span, "db.system.name", "mongodb");
    assert_attr(spans, span, "db.system", "mongodb");
    assert_attr(spans, span, "db.namespace", "shop");
    assert_attr(spans, span, "db.collection.name", "items");
    assert_attr(spans, span, "server.address", "127.0.0.1");
    assert!(
        span.attr("server.port").and_then(Value::as_u64).is_some(),
        "{}: {command}: server.port; spans:\n{}",
        run.what,
        dump(spans)
    );
    assert_eq!(
        span.status.code, "Unset",
        "{}: {command} succeeded",
        run.what
    );
}

/// The DynamoDB GetItem span under `server`, and the trace context the
/// fake endpoint received with the request.
fn assert_dynamodb(run: &Run, server: &Span) {
    let spans = &run.spans;
    let span = child(spans, server, "DynamoDB GetItem", |s| {
        s.span_kind == CLIENT && s.instrumentation_scope.name == OTELAWS_SCOPE
    });
    assert_name(spans, span, "DynamoDB.GetItem");
    // otelaws v0.72.0 writes the current RPC conventions: rpc.system.name,
    // and rpc.method as `Service/Method` (no rpc.service); older releases
    // wrote rpc.system, rpc.service and rpc.method separately.
    let system = str_attr(span, "rpc.system.name").or(str_attr(span, "rpc.system"));
    assert_eq!(
        system,
        Some("aws-api"),
        "{}: rpc system; spans:\n{}",
        run.what,
        dump(spans)
    );
    let method = str_attr(span, "rpc.method").unwrap_or_default();
    let (service, method) = match str_attr(span, "rpc.service") {
        Some(service) => (service, method),
        None => method.split_once('/').unwrap_or(("", method)),
    };
    assert_eq!(
        (service, method),
        ("DynamoDB", "GetItem"),
        "{}: rpc service and method; spans:\n{}",
        run.what,
        dump(spans)
    );
    assert_attr(spans, span, "aws.region", "us-east-1");
    assert_attr(spans, span, "aws.request_id", "fake-request-id");
    assert_attr(spans, span, "http.response.status_code", 200);
    assert_eq!(
        span.attr("aws.dynamodb.table_names"),
        Some(&serde_json::json!(["prices"])),
        "{}: table names; spans:\n{}",
        run.what,
        dump(spans)
    );
    // The request carried the span's W3C context and the static key.
    let want = format!(
        "fake dynamodb: GetItem key=AKIDFAKE traceparent=00-{}-{}-01",
        span.span_context.trace_id, span.span_context.span_id
    );
    assert!(
        run.stderr.lines().any(|l| l == want),
        "{}: the fake endpoint should log `{want}`; stderr:\n{}",
        run.what,
        run.stderr
    );
}

fn assert_run(run: &Run) {
    let spans = &run.spans;
    assert!(
        run.stderr.contains("200 item 7: 2 documents, price 42"),
        "{}: the handler's answer; stderr:\n{}",
        run.what,
        run.stderr
    );
    // One SERVER span (net/http: otelhttp around http.Serve's handler),
    // whose parent is the woven http.Get's CLIENT span, the trace's root.
    let server = server_span(spans, "/items/7");
    assert_name(spans, server, "GET /items/{id}");
    assert_eq!(
        filter(spans, |s| s.span_kind == SERVER).len(),
        1,
        "{}: one SERVER span (the fakes have none); spans:\n{}",
        run.what,
        dump(spans)
    );
    assert!(server.parent.remote, "{}: remote parent", run.what);
    let client = one(spans, "CLIENT span of GET /items/7", |s| {
        s.span_context.span_id == server.parent.span_id
    });
    assert!(
        client.is_root() && client.span_kind == CLIENT,
        "{}: http.Get's span is the root; spans:\n{}",
        run.what,
        dump(spans)
    );

    // The handler's calls: InsertMany (one insert), Find with batch size 1
    // over two documents (find, then getMore), GetItem; nothing else.
    for command in ["insert", "find", "getMore"] {
        assert_mongo(run, server, command);
    }
    assert_dynamodb(run, server);
    let children = filter(spans, |s| s.is_child_of(server));
    assert_eq!(
        children.len(),
        4,
        "{}: the server span's children; spans:\n{}",
        run.what,
        dump(spans)
    );
    let trace = &server.span_context.trace_id;
    assert!(
        children.iter().all(|s| &s.span_context.trace_id == trace),
        "{}: one trace",
        run.what
    );

    // Disconnect in main, outside any span: endSessions is a root span.
    let end = one(spans, "endSessions span", |s| {
        str_attr(s, "db.operation.name") == Some("endSessions")
    });
    assert!(
        end.is_root() && end.span_kind == CLIENT,
        "{}: endSessions root",
        run.what
    );
    assert_name(spans, end, "endSessions admin");
    assert!(
        end.attr("db.collection.name").is_none(),
        "{}: no collection",
        run.what
    );
    assert_eq!(
        spans.len(),
        7,
        "{}: http client and server, insert, find, getMore, GetItem, endSessions; spans:\n{}",
        run.what,
        dump(spans)
    );
}

#[test]
fn mongo_and_aws_are_traced_against_fake_endpoints_with_toolexec_and_driver_mode() {
    let started = Instant::now();
    let services = Services::of("mongoaws");

    // `goaop plan` lists the new join points, and none in the fakes.
    let plan = services.plan(&[]);
    for (aspect, site) in [
        (
            "mongo-connect",
            "go.mongodb.org/mongo-driver/v2/mongo.Connect",
        ),
        (
            "aws-load-default-config",
            "github.com/aws/aws-sdk-go-v2/config.LoadDefaultConfig",
        ),
        ("http-serve", "net/http.Serve"),
        ("http-get", "net/http.Get"),
        ("http-handler", "(*app).item"),
    ] {
        assert!(
            plan.lines()
                .any(|l| l.contains(&format!("+ {aspect} ")) && l.contains(site)),
            "plan lacks {aspect} at {site}:\n{plan}"
        );
    }
    assert!(!plan.contains("fake/"), "the fakes are not woven:\n{plan}");

    let toolexec_bin = services.dir.join("app-toolexec");
    let driver_bin = services.dir.join("app-driver");
    services.build_toolexec(&toolexec_bin);
    services.build_driver(&[], &driver_bin);

    assert_run(&run("-toolexec build", &toolexec_bin, &services.dir));
    assert_run(&run("driver-mode build", &driver_bin, &services.dir));
    eprintln!("took {:.1}s", started.elapsed().as_secs_f64());
}
