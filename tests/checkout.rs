//! The proof service: example/checkout (chi → redis → PostgreSQL → Kafka →
//! consumer, no tracing code) made observable the way the README says —
//! `goaop init` (which picks the integrations from its imports and adds
//! their modules) and ONE `go build -toolexec=goaop` — then run as a real
//! service against a real redis-server, a real PostgreSQL and a real Kafka
//! broker (KRaft, Maven Central's jars), each on a free loopback port.
//! Two POSTs of one order (a cache miss, then a hit) and a SIGTERM; the
//! span tree on stdout (console exporter) must show one trace per request:
//!
//! ```text
//! SERVER POST /orders/{id}
//!   ├─ CLIENT redis get            (both requests)
//!   ├─ CLIENT SELECT … catalog     (the miss)  + CLIENT redis set
//!   └─ PRODUCER send <topic>
//!        └─ CONSUMER receive <topic>   (in the consumer goroutine)
//! ```
//!
//! and the service's JSON log records inside the request carry its ids.
//! Needs `go`, `redis-server`, PostgreSQL, `java` and `mvn` (`.ci/run`
//! installs them) and fails loudly without any of them.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::gobuild::{copy_tree, go, succeed, toolexec};
use common::servers::kafka::Kafka;
use common::servers::postgres::Postgres;
use common::servers::redis::Redis;
use common::spans::{
    CLIENT, CONSUMER, PRODUCER, SERVER, Span, assert_attr, assert_name, dump, filter, one,
    parse_spans,
};
use common::woven::goaop_cmd as goaop;

/// The running service: its stderr lines arrive on a channel.
struct Service {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
    addr: String,
}

impl Service {
    /// Wait (bounded) for a stderr line containing `needle`.
    fn wait_for(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        if let Some(l) = self.log.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "the service never logged {needle:?} (exit: {:?}); its stderr:\n{}",
                    self.child.try_wait().ok().flatten(),
                    self.log.join("\n")
                ),
            }
        }
    }

    /// `POST path` over HTTP/1.1: status and body.
    fn post(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).expect("connect to the service");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// SIGTERM, then the spans it flushed on the way out.
    fn stop(mut self) -> (Vec<Span>, Vec<String>) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the service did not stop within 60 s of SIGTERM; stderr:\n{}",
                    self.log.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.log.push(l);
        }
        assert!(
            status.success(),
            "the service exited with {status}; stderr:\n{}",
            self.log.join("\n")
        );
        (
            parse_spans("checkout", &stdout),
            std::mem::take(&mut self.log),
        )
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &Path, redis: &Redis, pg: &Postgres, kafka: &Kafka, topic: &str) -> Service {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(bin)
        .env("CHECKOUT_ADDR", &addr)
        .env("REDIS_ADDR", &redis.addr)
        .env("DATABASE_URL", pg.url())
        .env("KAFKA_BROKER", &kafka.addr)
        .env("KAFKA_TOPIC", topic)
        .env("OTEL_SERVICE_NAME", "checkout")
        .env("OTEL_TRACES_EXPORTER", "console")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none")
        .env_remove("OTEL_SDK_DISABLED")
        .env_remove("OTEL_TRACES_SAMPLER")
        .env_remove("OTEL_PROPAGATORS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut service = Service {
        child,
        lines,
        log: Vec::new(),
        addr,
    };
    service.wait_for("checkout listening on", Duration::from_secs(60));
    service
}

fn str_attr<'a>(s: &'a Span, key: &str) -> Option<&'a str> {
    s.attr(key).and_then(Value::as_str)
}

/// The JSON log record with `msg` inside the request traced by `server`.
fn record_in(log: &[String], msg: &str, server: &Span) -> Value {
    let found: Vec<Value> = log
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["msg"] == msg && v["trace_id"] == server.span_context.trace_id.as_str())
        .collect();
    match found.as_slice() {
        [v] => v.clone(),
        _ => panic!(
            "expected one {msg:?} record in trace {}; stderr:\n{}",
            server.span_context.trace_id,
            log.join("\n")
        ),
    }
}

fn assert_request(spans: &[Span], log: &[String], server: &Span, miss: bool, topic: &str) {
    let trace = &server.span_context.trace_id;
    let in_trace = |s: &Span| &s.span_context.trace_id == trace;
    assert!(server.is_root(), "the request's SERVER span is its root");
    assert_name(spans, server, "POST /orders/{id}");
    assert_attr(spans, server, "http.route", "/orders/{id}");
    let servers = filter(spans, |s| s.span_kind == SERVER && in_trace(s));
    assert_eq!(
        servers.len(),
        1,
        "one SERVER span per request:\n{}",
        dump(spans)
    );

    // redis: GET always; SET only on the miss.
    let names = |kind: u8, name: &str| {
        filter(spans, |s| {
            in_trace(s) && s.span_kind == kind && s.name == name && s.is_child_of(server)
        })
        .len()
    };
    assert_eq!(names(CLIENT, "get"), 1, "redis GET:\n{}", dump(spans));
    assert_eq!(
        names(CLIENT, "set"),
        usize::from(miss),
        "redis SET:\n{}",
        dump(spans)
    );
    // PostgreSQL (pgx): the catalog query only on the miss, the handler's
    // child (otelpgx nests the statement's first prepare under it).
    let queries = filter(spans, |s| {
        in_trace(s)
            && s.span_kind == CLIENT
            && s.is_child_of(server)
            && str_attr(s, "db.query.text").is_some_and(|q| q.contains("FROM catalog"))
    });
    assert_eq!(
        queries.len(),
        usize::from(miss),
        "pgx query:\n{}",
        dump(spans)
    );
    for q in &queries {
        assert_attr(spans, q, "db.system.name", "postgresql");
    }
    // Kafka: the event, produced in the request, consumed in its trace.
    let producer = one(spans, "PRODUCER span of the order event", |s| {
        in_trace(s) && s.span_kind == PRODUCER
    });
    assert!(
        producer.is_child_of(server),
        "produced in the request:\n{}",
        dump(spans)
    );
    assert_name(spans, producer, &format!("send {topic}"));
    assert_attr(spans, producer, "messaging.system", "kafka");
    let consumer = one(spans, "CONSUMER span of the order event", |s| {
        in_trace(s) && s.span_kind == CONSUMER
    });
    assert!(
        consumer.is_child_of(producer) && consumer.parent.remote,
        "consumed as the producer's child, through the headers:\n{}",
        dump(spans)
    );
    assert_attr(spans, consumer, "messaging.consumer.group.name", "shipping");
    // slog: the handler's record carries the request's span.
    let placed = record_in(log, "order placed", server);
    assert_eq!(
        placed["span_id"],
        server.span_context.span_id.as_str(),
        "the handler's log record names its span: {placed}"
    );
}

#[test]
fn checkout_is_one_trace_per_request_from_router_to_consumer() {
    let dir = copy_tree(&common::root().join("example/checkout"), "checkout");

    // goaop init: the integrations from the imports, their modules added.
    let report = succeed("goaop init", goaop(&dir, &["init", "--allow-upgrades"]));
    let aspects = std::fs::read_to_string(dir.join("aspects.yaml")).unwrap();
    let uses: Vec<&str> = aspects
        .lines()
        .find_map(|l| l.strip_prefix("use: [")?.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no use: line:\n{aspects}"))
        .split(", ")
        .collect();
    assert_eq!(
        uses,
        [
            "otel", "net/http", "chi", "go-redis", "pgx", "kafka-go", "log/slog"
        ],
        "the integrations init picked from the imports:\n{report}"
    );

    // One build.
    let bin = dir.join("checkout");
    let mut build = go(&dir, &["build", &toolexec(), "-o"]);
    build.arg(&bin).arg(".");
    succeed("go build -toolexec=goaop", build);

    let redis = Redis::start();
    let pg = Postgres::start(
        "CREATE TABLE catalog (id text PRIMARY KEY, item text NOT NULL, price int NOT NULL); \
         INSERT INTO catalog VALUES ('1', 'book', 12), ('2', 'pen', 3);",
    );
    let kafka = Kafka::start();
    let topic = format!("orders-{}", std::process::id());
    let mut service = start(&bin, &redis, &pg, &kafka, &topic);

    for round in 0..2 {
        let (status, body) = service.post("/orders/1");
        assert_eq!(status, 200, "POST /orders/1 (round {round}): {body}");
        let order: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(order["item"], "book", "{body}");
    }
    // Both events consumed before stopping.
    let deadline = Duration::from_secs(90);
    service.wait_for("\"offset\":\"0\"", deadline);
    service.wait_for("\"offset\":\"1\"", deadline);
    let (spans, log) = service.stop();

    let servers = filter(&spans, |s| s.span_kind == SERVER);
    assert_eq!(servers.len(), 2, "two requests:\n{}", dump(&spans));
    // One request missed the cache (it SET the order), the other hit it.
    let missed = |server: &Span| {
        spans
            .iter()
            .any(|s| s.name == "set" && s.span_context.trace_id == server.span_context.trace_id)
    };
    let misses: Vec<bool> = servers.iter().map(|s| missed(s)).collect();
    assert_eq!(
        misses.iter().filter(|m| **m).count(),
        1,
        "one miss, one hit:\n{}",
        dump(&spans)
    );
    for (server, miss) in servers.iter().zip(misses) {
        assert_request(&spans, &log, server, miss, &topic);
    }
    // The consumer's "order shipped" records are outside any span the
    // service can see (kafka-go's ReadMessage returns no context).
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("\"msg\":\"order shipped\""))
            .count(),
        2,
        "{}",
        log.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
