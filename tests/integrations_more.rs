//! End to end for the router, go-redis and log/slog integrations
//! (`use: [otel, net/http, gin, echo, chi, gorilla/mux, go-redis, log/slog,
//! …]`, written by `goaop init`): tests/integrations_e2e/more is a program
//! with no tracing code (in the module the integration tests share,
//! tests/common/services.rs), serving GET /<router>/users/{id} from gin, echo, chi and
//! gorilla/mux, each reading a key from a REAL redis-server and logging
//! through slog. Every router is served once through `http.Serve` (which the
//! net/http integration wraps: the router must name otelhttp's span, not
//! start a second one) and once through httptest (not wrapped: the router's
//! own instrumentation starts the span). Built with `go build
//! -toolexec=goaop` and with driver mode (`goaop go build`), run against a
//! redis-server this test starts on a free loopback port; the span tree on
//! stdout (console exporter) and the log records on stderr are asserted.
//!
//! Needs `go` and `redis-server` (Debian's package; `.ci/run` installs it)
//! and fails loudly without either.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::gobuild::text;
use common::servers::redis::Redis;
use common::services::Services;
use common::spans::{
    CLIENT, SERVER, Span, assert_attr, assert_name, child, dump, filter, one, parse_spans,
};

const ROUTERS: &[&str] = &["gin", "echo", "chi", "mux"];

// ---------------------------------------------------------------- building

/// What one run of the program wrote: spans (stdout) and logs (stderr).
struct Run {
    what: &'static str,
    spans: Vec<Span>,
    stderr: String,
}

fn run(what: &'static str, bin: &Path, redis: &Redis) -> Run {
    let out = Command::new(bin)
        .arg(&redis.addr)
        .env("OTEL_SERVICE_NAME", "more")
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
    Run {
        what,
        spans: parse_spans(what, &stdout),
        stderr,
    }
}

// ---------------------------------------------------------------- asserting

/// The route template each router registers for /<router>/users/{id}.
fn template(router: &str) -> String {
    match router {
        "gin" | "echo" => format!("/{router}/users/:id"),
        _ => format!("/{router}/users/{{id}}"),
    }
}

/// Who starts the SERVER span when the router is served through httptest
/// (no net/http entry point wrapped it).
fn own_scope(router: &str) -> &'static str {
    match router {
        "gin" => "otelgin",
        "echo" => "otelecho",
        "chi" => "otelhttp", // chi has no contrib package: otelhttp, named by chi
        _ => "otelmux",
    }
}

fn str_attr<'a>(s: &'a Span, key: &str) -> Option<&'a str> {
    s.attr(key).and_then(Value::as_str)
}

/// The JSON log record of `router`'s handler for user `id` (stderr).
fn json_record(run: &Run, router: &str, id: &str) -> Value {
    let found: Vec<Value> = run
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["router"] == router && v["id"] == id)
        .collect();
    match found.as_slice() {
        [v] => v.clone(),
        _ => panic!(
            "{}: expected one JSON record for {router} {id}, found {}; stderr:\n{}",
            run.what,
            found.len(),
            run.stderr
        ),
    }
}

/// The default logger's text line `INFO <msg> id=<id> …` (stderr).
fn text_record<'a>(run: &'a Run, msg: &str, id: &str) -> &'a str {
    let needle = format!("INFO {msg} id={id} ");
    let found: Vec<&str> = run.stderr.lines().filter(|l| l.contains(&needle)).collect();
    match found.as_slice() {
        [l] => l,
        _ => panic!(
            "{}: expected one `{needle}` line, found {}; stderr:\n{}",
            run.what,
            found.len(),
            run.stderr
        ),
    }
}

fn assert_correlated(run: &Run, server: &Span, trace_id: Option<&str>, span_id: Option<&str>) {
    assert_eq!(
        (trace_id, span_id),
        (
            Some(server.span_context.trace_id.as_str()),
            Some(server.span_context.span_id.as_str())
        ),
        "{}: a log record inside {:?} carries other ids; stderr:\n{}\nspans:\n{}",
        run.what,
        server.name,
        run.stderr,
        dump(&run.spans)
    );
}

/// One request: `router` serving user `id` (1: through http.Serve, which
/// the net/http integration wraps; 2: through httptest).
fn assert_request(run: &Run, router: &str, id: &str) {
    let spans = &run.spans;
    let path = format!("/{router}/users/{id}");
    let route = template(router);
    // Exactly one SERVER span for the request, named by the route template
    // (otelecho v0.60.0 still writes the older http.target for the path).
    let server = one(spans, &format!("SERVER span for {path}"), |s| {
        s.span_kind == SERVER
            && (str_attr(s, "url.path") == Some(&path) || str_attr(s, "http.target") == Some(&path))
    });
    assert_name(spans, server, &format!("GET {route}"));
    assert_attr(spans, server, "http.route", route.as_str());
    let scope = if id == "1" {
        "otelhttp"
    } else {
        own_scope(router)
    };
    assert!(
        server.instrumentation_scope.name.ends_with(scope),
        "{}: {path} should be served by {scope}'s span; spans:\n{}",
        run.what,
        dump(spans)
    );
    let servers = filter(spans, |s| {
        s.span_kind == SERVER && s.span_context.trace_id == server.span_context.trace_id
    });
    assert_eq!(
        servers.len(),
        1,
        "{}: one SERVER span per request; spans:\n{}",
        run.what,
        dump(spans)
    );
    // Its parent: the woven http.Get's CLIENT span, across the wire.
    assert!(server.parent.remote, "{}: {path}: remote parent", run.what);
    let client = one(spans, &format!("CLIENT span of GET {path}"), |s| {
        s.span_kind == CLIENT && s.span_context.span_id == server.parent.span_id
    });
    assert!(
        client.is_root(),
        "{}: the client span is the root",
        run.what
    );
    // The handler's redis GET: a CLIENT span under the server span.
    let get = child(spans, server, "redis GET", |s| {
        s.span_kind == CLIENT && s.name == "get"
    });
    assert_attr(spans, get, "db.system", "redis");
    assert!(
        str_attr(get, "db.statement").is_some_and(|q| q.contains(&format!("user:{id}"))),
        "{}: redis statement; spans:\n{}",
        run.what,
        dump(spans)
    );
    // slog: the user's JSON logger (logger.InfoContext).
    let record = json_record(run, router, id);
    assert_correlated(
        run,
        server,
        record["trace_id"].as_str(),
        record["span_id"].as_str(),
    );
    // slog's default logger: InfoContext (echo), Info without a context (chi).
    let default_msg = match router {
        "echo" => Some("echo handler"),
        "chi" => Some("chi handler"),
        _ => None,
    };
    if let Some(msg) = default_msg {
        let line = text_record(run, msg, id);
        let field = |k: &str| {
            line.split(' ')
                .find_map(|w| w.strip_prefix(&format!("{k}=")).map(str::to_string))
        };
        let (t, s) = (field("trace_id"), field("span_id"));
        assert_correlated(run, server, t.as_deref(), s.as_deref());
    }
}

fn assert_run(run: &Run) {
    for router in ROUTERS {
        for id in ["1", "2"] {
            assert_request(run, router, id);
        }
    }
    // redis commands outside a span (the SETs in main) are root CLIENT spans.
    let sets = filter(&run.spans, |s| s.name == "set");
    assert_eq!(
        sets.len(),
        2,
        "{}: two SETs:\n{}",
        run.what,
        dump(&run.spans)
    );
    assert!(sets.iter().all(|s| s.is_root() && s.span_kind == CLIENT));
    // Logs outside a span carry no ids.
    assert!(
        !run.stderr.contains("trace_id=00000000"),
        "{}: {}",
        run.what,
        run.stderr
    );
}

#[test]
fn routers_redis_and_slog_are_traced_with_toolexec_and_driver_mode() {
    let services = Services::of("more");

    // `goaop plan` lists every new join point.
    let plan = services.plan(&[]);
    for aspect in [
        "gin-engine",
        "echo-new",
        "chi-router",
        "gorilla-mux-router",
        "redis-client",
        "slog-new",
        "slog-info ",
        "slog-info-context",
        "http-serve",
    ] {
        assert!(plan.contains(aspect), "plan lacks {aspect}:\n{plan}");
    }

    let toolexec_bin = services.dir.join("app-toolexec");
    let driver_bin = services.dir.join("app-driver");
    services.build_toolexec(&toolexec_bin);
    services.build_driver(&[], &driver_bin);

    let redis = Redis::start();
    assert_run(&run("-toolexec build", &toolexec_bin, &redis));
    assert_run(&run("driver-mode build", &driver_bin, &redis));
    drop(redis);
}
