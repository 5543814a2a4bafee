//! End to end for the bundled OpenTelemetry integrations
//! (`use: [otel, net/http, database/sql, grpc]`): build example/orders (two
//! services, no tracing code of their own) with `go build -toolexec=goaop`,
//! run them against each other over loopback, drive the API with real HTTP
//! requests and assert the span tree the OTel console exporter writes on
//! both processes' stdout. With OTEL_METRICS_EXPORTER=console the same
//! stdout carries the metrics (Go runtime, HTTP, gRPC, database/sql): api
//! exports them only at exit (the default 60 s interval, so they come from
//! the MeterProvider's Shutdown when main returns), inventory every 100 ms
//! too; with OTEL_METRICS_EXPORTER=none nothing metric-shaped is written.
//! A run that ends in os.Exit exports its metrics first.
//! The plain build must answer the same and write nothing. These tests need
//! the Go toolchain and fail loudly without it.
//!
//! Builds share the toolexec tests' GOCACHE (`<target>/goaop-test-gocache`);
//! the example has one aspects.yaml, so the standard library is compiled
//! once for this rule set.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::gobuild::{copy_tree, go, output, toolexec};
use common::metrics::{Export, metric, point, split};
use common::spans::{
    CLIENT, SERVER, Span, assert_attr, assert_name, child, dump, filter, has_attr, parse_spans,
    server_span,
};

/// How long a service may take to start, or to stop after SIGTERM.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- building

/// A fresh copy of example/orders under the system temp dir.
fn copy_example(tag: &str) -> common::scratch::Scratch {
    copy_tree(
        &common::root().join("example/orders"),
        &format!("otel-{tag}"),
    )
}

/// The two service binaries of one build.
struct Binaries {
    api: PathBuf,
    inventory: PathBuf,
}

/// `go build [-toolexec=goaop] -o <dir>/bin/ ./cmd/...`.
fn build(dir: &Path, woven: bool) -> Binaries {
    let out = dir.join("bin");
    let out_arg = format!("{}/", out.display());
    let toolexec = toolexec();
    let mut args = vec!["build"];
    if woven {
        args.push(&toolexec);
    }
    args.extend(["-o", &out_arg, "./cmd/..."]);
    let started = Instant::now();
    let o = output(go(dir, &args));
    assert!(
        o.status.success(),
        "go {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!(
        "go {} took {:.1}s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    Binaries {
        api: out.join("api"),
        inventory: out.join("inventory"),
    }
}

// ---------------------------------------------------------------- running

/// A running service: stderr is read line by line as it comes (addresses,
/// logs), stdout (the console exporter's spans) is collected until exit.
struct Service {
    name: &'static str,
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    stdout: Option<JoinHandle<Vec<u8>>>,
}

/// How a service exports metrics: OTEL_METRICS_EXPORTER and, for console,
/// OTEL_METRIC_EXPORT_INTERVAL in milliseconds (`None`: the default 60 s).
#[derive(Clone, Copy)]
enum Metrics {
    None,
    Console(Option<u32>),
}

impl Service {
    fn start(name: &'static str, bin: &Path, args: &[&str], metrics: Metrics) -> Service {
        let mut cmd = Command::new(bin);
        cmd.env_remove("OTEL_METRIC_EXPORT_INTERVAL");
        match metrics {
            Metrics::None => cmd.env("OTEL_METRICS_EXPORTER", "none"),
            Metrics::Console(None) => cmd.env("OTEL_METRICS_EXPORTER", "console"),
            Metrics::Console(Some(ms)) => cmd
                .env("OTEL_METRICS_EXPORTER", "console")
                .env("OTEL_METRIC_EXPORT_INTERVAL", ms.to_string()),
        };
        let mut child = cmd
            .args(args)
            .env("OTEL_SERVICE_NAME", name)
            .env("OTEL_TRACES_EXPORTER", "console")
            .env("OTEL_LOGS_EXPORTER", "none")
            .env("OTEL_BSP_SCHEDULE_DELAY", "50")
            // otelgrpc's default is the newest RPC conventions (rpc.method
            // "shop.Inventory/Reserve"); `rpc/dup` adds the older
            // rpc.service, which the test asserts too.
            .env("OTEL_SEMCONV_STABILITY_OPT_IN", "rpc/dup")
            .env_remove("OTEL_SDK_DISABLED")
            .env_remove("OTEL_TRACES_SAMPLER")
            .env_remove("OTEL_PROPAGATORS")
            .env_remove("OTEL_RESOURCE_ATTRIBUTES")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            out.read_to_end(&mut buf).unwrap();
            buf
        });
        let (tx, lines) = mpsc::channel();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push_str(&line);
                sink.lock().unwrap().push('\n');
                let _ = tx.send(line);
            }
        });
        Service {
            name,
            child,
            lines,
            stderr,
            stdout: Some(stdout),
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The address of the first `listening on ADDR (what)` stderr line.
    fn listening(&self, what: &str) -> String {
        let suffix = format!(" ({what})");
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some((_, rest)) = line.split_once("listening on ")
                        && let Some(addr) = rest.strip_suffix(&suffix)
                    {
                        return addr.to_string();
                    }
                }
                Err(e) => panic!(
                    "{} did not print `listening on ADDR{suffix}` ({e}); stderr:\n{}",
                    self.name,
                    self.stderr()
                ),
            }
        }
    }

    /// SIGTERM, wait (bounded) for a clean exit, and return stdout.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let o = Command::new("kill").args(["-TERM", &pid]).output().unwrap();
        assert!(o.status.success(), "kill -TERM {pid}: {o:?}");
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not exit within {PROCESS_TIMEOUT:?} of SIGTERM (killed); stderr:\n{}",
                    self.name,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = self.stdout.take().unwrap().join().unwrap();
        assert!(
            status.success(),
            "{} exited with {status}; stderr:\n{}",
            self.name,
            self.stderr()
        );
        String::from_utf8(stdout).expect("stdout is UTF-8")
    }
}

impl Drop for Service {
    /// A failing assertion must not leave the service running.
    fn drop(&mut self) {
        if self.stdout.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A response: status code and body.
#[derive(Debug, PartialEq)]
struct Response {
    status: u16,
    body: String,
}

/// `GET path` over HTTP/1.1 with `Connection: close`, read to EOF. The
/// server closes the connection only after the handler chain (and so its
/// server span) has finished.
fn get(addr: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(PROCESS_TIMEOUT)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: goaop-test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw)
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("GET {path}: no header end in {raw:?}"));
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "GET {path}: chunked response not expected:\n{raw}"
    );
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: bad status line in {head:?}"));
    Response {
        status,
        body: body.to_string(),
    }
}

/// What the two services wrote on stdout.
struct Run {
    api: String,
    inventory: String,
}

const ORDER_1: &str = r#"{"id":1,"sku":"book","quantity":2,"price_cents":1299,"in_stock":9}"#;

/// Start inventory then api, send the requests, check the responses, stop
/// api then inventory.
fn run(bins: &Binaries, api_metrics: Metrics, inventory_metrics: Metrics) -> Run {
    let inventory = Service::start("inventory", &bins.inventory, &[], inventory_metrics);
    let grpc = inventory.listening("grpc");
    let prices = format!("http://{}", inventory.listening("http"));
    let api = Service::start(
        "api",
        &bins.api,
        &["-inventory", &grpc, "-prices", &prices],
        api_metrics,
    );
    let addr = api.listening("http");

    let expect = |path: &str, status: u16, body: &str| {
        let r = get(&addr, path);
        assert_eq!(
            r,
            Response {
                status,
                body: format!("{body}\n")
            },
            "GET {path}; api stderr:\n{}\ninventory stderr:\n{}",
            api.stderr(),
            inventory.stderr()
        );
    };
    expect("/orders/1", 200, ORDER_1);
    expect("/orders/999", 404, "order not found");
    expect("/healthz", 200, "ok");
    expect("/version", 200, "orders-api 1.0");
    if let Metrics::Console(Some(ms)) = inventory_metrics {
        // A few periodic exports before the one at exit.
        std::thread::sleep(Duration::from_millis(u64::from(ms) * 4));
    }

    let api_out = api.stop();
    let inventory_out = inventory.stop();
    Run {
        api: api_out,
        inventory: inventory_out,
    }
}

/// The span tree of a traced run (see the module doc).
fn assert_traced(spans: &[Span]) {
    for s in spans {
        assert!(
            ["api", "inventory"].contains(&s.service()),
            "OTEL_SERVICE_NAME ignored: {:?}\n{}",
            s.service(),
            dump(spans)
        );
    }
    let in_api = |s: &Span| s.service() == "api";
    let in_inventory = |s: &Span| s.service() == "inventory";

    // One SERVER span per incoming request, despite the middleware: four
    // on api, two (gRPC + price) on inventory.
    assert_eq!(
        filter(spans, |s| in_api(s) && s.span_kind == SERVER).len(),
        4,
        "api SERVER spans:\n{}",
        dump(spans)
    );
    assert_eq!(
        filter(spans, |s| in_inventory(s) && s.span_kind == SERVER).len(),
        2,
        "inventory SERVER spans:\n{}",
        dump(spans)
    );

    // GET /orders/1: the whole tree, one trace across both processes.
    let order = server_span(spans, "/orders/1");
    assert!(
        order.is_root() && in_api(order),
        "{:?} is the api's root span:\n{}",
        order.name,
        dump(spans)
    );
    assert_name(spans, order, "GET /orders/{id}");
    assert_attr(spans, order, "http.route", "/orders/{id}");
    assert_attr(spans, order, "http.request.method", "GET");
    assert_attr(spans, order, "http.response.status_code", 200);

    let db = filter(spans, |s| {
        s.is_child_of(order)
            && has_attr(s, "db.system.name", "sqlite")
            && has_attr(s, "db.system", "sqlite")
    });
    assert!(
        db.iter().any(|s| s
            .attr("db.query.text")
            .and_then(Value::as_str)
            .is_some_and(|q| q.starts_with("SELECT id, sku, quantity FROM orders"))),
        "a database/sql span with the SELECT under {:?}:\n{}",
        order.name,
        dump(spans)
    );

    let rpc_client = child(spans, order, "gRPC CLIENT span", |s| {
        s.span_kind == CLIENT && has_attr(s, "rpc.system.name", "grpc")
    });
    assert_name(spans, rpc_client, "shop.Inventory/Reserve");
    assert_attr(spans, rpc_client, "rpc.method", "shop.Inventory/Reserve");
    assert_attr(spans, rpc_client, "rpc.response.status_code", "OK");
    assert_attr(spans, rpc_client, "rpc.service", "shop.Inventory");
    let rpc_server = child(spans, rpc_client, "gRPC SERVER span", |s| {
        s.span_kind == SERVER
    });
    assert!(in_inventory(rpc_server) && rpc_server.parent.remote);
    assert_name(spans, rpc_server, "shop.Inventory/Reserve");
    assert_attr(spans, rpc_server, "rpc.method", "shop.Inventory/Reserve");
    assert_attr(spans, rpc_server, "rpc.service", "shop.Inventory");

    let http_client = child(spans, order, "HTTP CLIENT span", |s| {
        s.span_kind == CLIENT && s.attr("url.full").is_some()
    });
    assert!(
        http_client
            .attr("url.full")
            .and_then(Value::as_str)
            .is_some_and(|u| u.ends_with("/price/book")),
        "{}",
        dump(spans)
    );
    assert_attr(spans, http_client, "http.request.method", "GET");
    assert_attr(spans, http_client, "http.response.status_code", 200);
    let price = child(spans, http_client, "HTTP SERVER span", |s| {
        s.span_kind == SERVER
    });
    assert!(in_inventory(price) && price.parent.remote);
    assert_name(spans, price, "GET /price/{sku}");
    assert_attr(spans, price, "http.route", "/price/{sku}");
    assert_attr(spans, price, "http.response.status_code", 200);
    assert_eq!(
        price.span_context.trace_id, order.span_context.trace_id,
        "one trace across both processes"
    );

    // GET /orders/999: a 404 after the query, nothing downstream.
    let missing = server_span(spans, "/orders/999");
    assert!(missing.is_root(), "{}", dump(spans));
    assert_name(spans, missing, "GET /orders/{id}");
    assert_attr(spans, missing, "http.route", "/orders/{id}");
    assert_attr(spans, missing, "http.response.status_code", 404);
    assert!(
        filter(spans, |s| s.is_child_of(missing))
            .iter()
            .all(|s| has_attr(s, "db.system.name", "sqlite")),
        "only database spans under the 404:\n{}",
        dump(spans)
    );

    // GET /healthz and the handler literal: a span each, no children.
    for (path, route) in [("/healthz", "/healthz"), ("/version", "/version")] {
        let s = server_span(spans, path);
        assert_name(spans, s, &format!("GET {route}"));
        assert_attr(spans, s, "http.route", route);
        assert_attr(spans, s, "http.response.status_code", 200);
        assert!(
            filter(spans, |c| c.is_child_of(s)).is_empty(),
            "{}",
            dump(spans)
        );
    }
}

/// The sum of the data points' counts of histogram `name` in `export`.
fn count(exports: &[Export], export: &Export, name: &str) -> u64 {
    metric(exports, export, name)
        .points()
        .iter()
        .map(|p| {
            p.count
                .unwrap_or_else(|| panic!("{name} is not a histogram"))
        })
        .sum()
}

/// The requests `export` served for `route` with `status`.
fn requests(exports: &[Export], export: &Export, route: &str, status: i64) -> Option<u64> {
    point(
        exports,
        export,
        "http.server.request.duration",
        &[
            ("http.route", route.into()),
            ("http.response.status_code", status.into()),
        ],
    )
    .count
}

/// The metrics of a run with OTEL_METRICS_EXPORTER=console (see the module
/// doc): api exported once, at exit; inventory periodically and at exit.
fn assert_metrics(api: &[Export], inventory: &[Export]) {
    let all: Vec<&Export> = api.iter().chain(inventory).collect();
    for e in &all {
        assert!(
            ["api", "inventory"].contains(&e.service()),
            "OTEL_SERVICE_NAME ignored in metrics: {:?}",
            e.service()
        );
    }
    assert_eq!(
        api.len(),
        1,
        "api: one export, by the Shutdown when main returns:\n{}",
        common::metrics::dump(api)
    );
    assert!(
        inventory.len() >= 2,
        "inventory: periodic exports (100 ms) before the last:\n{}",
        common::metrics::dump(inventory)
    );

    // The Go runtime, from the start of main: in inventory's first export.
    for (exports, e) in [
        (api, &api[0]),
        (inventory, &inventory[0]),
        (inventory, inventory.last().unwrap()),
    ] {
        let used = metric(exports, e, "go.memory.used");
        assert!(
            used.points().iter().all(|p| p
                .value
                .as_ref()
                .and_then(Value::as_i64)
                .is_some_and(|v| v > 0)),
            "{used:?}"
        );
        metric(exports, e, "go.goroutine.count");
    }

    // Cumulative at exit, one data point per attribute set: api served four
    // requests (the 404 is its own point), queried SQLite, called inventory
    // once over gRPC and once over HTTP; inventory served those two.
    let api = &api[0];
    let api_exports = std::slice::from_ref(api);
    assert_eq!(count(api_exports, api, "http.server.request.duration"), 4);
    assert_eq!(requests(api_exports, api, "/orders/{id}", 200), Some(1));
    assert_eq!(requests(api_exports, api, "/orders/{id}", 404), Some(1));
    assert_eq!(requests(api_exports, api, "/healthz", 200), Some(1));
    assert_eq!(count(api_exports, api, "http.client.request.duration"), 1);
    let reserve = [("rpc.method", Value::from("shop.Inventory/Reserve"))];
    let rpc = point(api_exports, api, "rpc.client.call.duration", &reserve);
    assert_eq!(rpc.count, Some(1));
    let queries = point(
        api_exports,
        api,
        "db.client.operation.duration",
        &[
            ("db.operation.name", "sql.conn.query".into()),
            ("db.system.name", "sqlite".into()),
        ],
    );
    assert!(queries.count >= Some(2), "{queries:?}");

    let last = inventory.last().unwrap();
    let rpc = point(inventory, last, "rpc.server.call.duration", &reserve);
    assert_eq!(rpc.count, Some(1));
    assert_eq!(requests(inventory, last, "/price/{sku}", 200), Some(1));
    assert_eq!(count(inventory, last, "http.server.request.duration"), 1);
}

// ---------------------------------------------------------------- tests

/// The woven build traces the whole request path across both services,
/// and exports metrics only when OTEL_METRICS_EXPORTER asks for them.
#[test]
fn orders_woven_with_otel_has_span_tree_and_metrics() {
    let dir = copy_example("woven");
    let bins = build(&dir, true);

    // Metrics off: nothing but spans (parse_spans fails on anything else).
    let off = run(&bins, Metrics::None, Metrics::None);
    for out in [&off.api, &off.inventory] {
        assert!(
            !out.contains("ScopeMetrics") && !out.contains("DataPoints"),
            "OTEL_METRICS_EXPORTER=none:\n{out}"
        );
    }
    let mut spans = parse_spans("api", &off.api);
    spans.extend(parse_spans("inventory", &off.inventory));
    assert_traced(&spans);

    // Metrics on the console, beside the spans.
    let on = run(&bins, Metrics::Console(None), Metrics::Console(Some(100)));
    let (mut spans, api) = split("api", &on.api);
    let (more, inventory) = split("inventory", &on.inventory);
    spans.extend(more);
    assert_traced(&spans);
    assert_metrics(&api, &inventory);

    // os.Exit skips main's deferred Shutdown: the metrics are flushed
    // before it (api exits 1 when its database cannot be opened).
    let failed = Command::new(&bins.api)
        .args(["-db", &dir.join("missing/orders.db").display().to_string()])
        .env("OTEL_SERVICE_NAME", "api")
        .env("OTEL_TRACES_EXPORTER", "none")
        .env("OTEL_METRICS_EXPORTER", "console")
        .env("OTEL_LOGS_EXPORTER", "none")
        .env_remove("OTEL_METRIC_EXPORT_INTERVAL")
        .env_remove("OTEL_SDK_DISABLED")
        .output()
        .unwrap();
    let stdout = String::from_utf8(failed.stdout).unwrap();
    assert_eq!(failed.status.code(), Some(1), "{stdout}");
    let (spans, exports) = split("api", &stdout);
    assert!(spans.is_empty() && exports.len() == 1, "{stdout}");
    metric(&exports, &exports[0], "go.goroutine.count");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plain build answers the same and writes no spans or metrics, even
/// with OTEL_METRICS_EXPORTER=console.
#[test]
fn orders_plain_has_no_spans() {
    let dir = copy_example("plain");
    let bins = build(&dir, false);
    let run = run(&bins, Metrics::Console(None), Metrics::Console(Some(100)));
    assert_eq!(run.api, "", "plain api stdout");
    assert_eq!(run.inventory, "", "plain inventory stdout");
    let _ = std::fs::remove_dir_all(&dir);
}
