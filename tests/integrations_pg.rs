//! End to end for the PostgreSQL integrations (`use: [otel, net/http,
//! database/sql, pgx, …]`, written by `goaop init`): tests/integrations_e2e/pg
//! is a program with no tracing code (in the module the integration tests
//! share, tests/common/services.rs) that reads users from a REAL
//! PostgreSQL through pgx (pgxpool.New, pgxpool.NewWithConfig, pgx.Connect,
//! stdlib.OpenDB, and pgx.ConnectConfig with a Tracer of its own) and
//! through database/sql (sql.Open with lib/pq's "postgres" and pgx's "pgx"
//! drivers, sql.OpenDB with each one's connector), once outside any request
//! and once per handle in a handler served through `http.Serve` that the
//! program calls with `http.Get`. Built with `go build -toolexec=goaop` and
//! with driver mode (`goaop go build`), run against a throwaway cluster
//! this test creates (initdb into a temp dir, 127.0.0.1 on a free port,
//! trust auth), and the span tree on stdout (console exporter) is asserted.
//!
//! Needs `go` and PostgreSQL's server binaries (Debian's `postgresql`;
//! `.ci/run` installs it) and fails loudly without either. As root (CI), the
//! server runs as the `postgres` user: initdb and postgres refuse root.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use common::gobuild::text;
use common::servers::postgres::{Postgres, without_pg_env};
use common::services::Services;
use common::spans::{CLIENT, SERVER, Span, assert_attr, assert_name, dump, filter, one};

/// Handles traced by otelpgx (the `pgx` integration): spans only inside a
/// span, with server.address.
const PGX_VIAS: &[&str] = &["pgxpool", "pgxpool-config", "pgx-conn", "pgx-stdlib-opendb"];
/// Handles traced by otelsql (the `database/sql` integration): root spans
/// outside a request.
const SQL_VIAS: &[&str] = &[
    "lib-pq",
    "pgx-stdlib",
    "lib-pq-connector",
    "pgx-stdlib-connector",
];
/// The connection whose config carries the program's own Tracer: left alone.
const OWN_TRACER: &str = "pgx-own-tracer";

// ---------------------------------------------------------------- building

/// What one run of the program wrote: spans (stdout) and its own lines
/// (stderr).
struct Run {
    what: &'static str,
    spans: Vec<Span>,
    stderr: String,
}

fn run(what: &'static str, bin: &Path, pg: &Postgres) -> Run {
    let mut cmd = Command::new(bin);
    without_pg_env(&mut cmd);
    let out = cmd
        .arg(pg.url())
        .env("OTEL_SERVICE_NAME", "pg")
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
        spans: common::spans::parse_spans(what, &stdout),
        stderr,
    }
}

// ---------------------------------------------------------------- asserting

/// The query text the fixture runs through `via` (main.go's `query`).
fn query(via: &str) -> String {
    format!("SELECT name FROM users WHERE id = $1 /* {via} */")
}

fn query_text(s: &Span) -> Option<&str> {
    s.attr("db.query.text").and_then(Value::as_str)
}

/// The query span of `via` in `server`'s request: a CLIENT span, child of
/// the SERVER span, in its trace, with db.system.name = postgresql.
fn assert_query<'a>(run: &'a Run, server: &Span, via: &str, pg: &Postgres) -> &'a Span {
    let spans = &run.spans;
    let text = query(via);
    let span = one(
        spans,
        &format!("{}: {via} query under {:?}", run.what, server.name),
        |s| s.is_child_of(server) && query_text(s) == Some(&text),
    );
    assert_eq!(
        span.span_kind,
        CLIENT,
        "{}: {via}: kind\n{}",
        run.what,
        dump(spans)
    );
    assert_attr(spans, span, "db.system.name", "postgresql");
    let scope = if PGX_VIAS.contains(&via) {
        // otelpgx also names the server.
        assert_attr(spans, span, "server.address", "127.0.0.1");
        assert_attr(spans, span, "server.port", pg.port);
        assert_name(spans, span, "SELECT");
        "github.com/exaring/otelpgx"
    } else {
        assert_name(spans, span, "sql.conn.query");
        "github.com/XSAM/otelsql"
    };
    assert_eq!(
        span.instrumentation_scope.name,
        scope,
        "{}: {via}: traced by {scope}\n{}",
        run.what,
        dump(spans)
    );
    span
}

/// One request: GET /users/<id>, one trace from the woven http.Get's CLIENT
/// span (the root) through the SERVER span to a query span per handle.
fn assert_request(run: &Run, id: &str, pg: &Postgres) {
    let spans = &run.spans;
    let path = format!("/users/{id}");
    let server = one(
        spans,
        &format!("{}: SERVER span for {path}", run.what),
        |s| s.span_kind == SERVER && s.attr("url.path").and_then(Value::as_str) == Some(&path),
    );
    assert_name(spans, server, "GET /users/{id}");
    assert!(server.parent.remote, "{}: {path}: remote parent", run.what);
    let client = one(
        spans,
        &format!("{}: CLIENT span of GET {path}", run.what),
        |s| s.span_kind == CLIENT && s.span_context.span_id == server.parent.span_id,
    );
    assert!(
        client.is_root(),
        "{}: the client span is the root",
        run.what
    );
    for via in PGX_VIAS.iter().chain(SQL_VIAS) {
        assert_query(run, server, via, pg);
    }
}

fn assert_run(run: &Run, pg: &Postgres) {
    let spans = &run.spans;
    assert!(
        run.stderr.contains("GET /users/1: 200 pgxpool=alice")
            && run.stderr.contains("GET /users/2: 200 pgxpool=bob"),
        "{}: the handler's answers:\n{}",
        run.what,
        run.stderr
    );
    for id in ["1", "2"] {
        assert_request(run, id, pg);
    }
    let traces: std::collections::BTreeSet<&str> = filter(spans, |s| s.span_kind == SERVER)
        .iter()
        .map(|s| s.span_context.trace_id.as_str())
        .collect();
    assert_eq!(
        traces.len(),
        2,
        "{}: one trace per request\n{}",
        run.what,
        dump(spans)
    );
    // Outside a request: otelsql's query spans are roots of their own; otelpgx
    // starts no root span.
    for via in SQL_VIAS {
        let text = query(&format!("{via} startup"));
        let s = one(spans, &format!("{}: {via} startup query", run.what), |s| {
            query_text(s) == Some(&text)
        });
        assert!(
            s.is_root() && s.span_kind == CLIENT,
            "{}: {via} startup: root CLIENT span\n{}",
            run.what,
            dump(spans)
        );
        assert_attr(spans, s, "db.system.name", "postgresql");
    }
    for via in PGX_VIAS {
        let text = query(&format!("{via} startup"));
        let none = filter(spans, |s| query_text(s) == Some(&text));
        assert!(
            none.is_empty(),
            "{}: {via} startup: no span outside a span\n{}",
            run.what,
            dump(spans)
        );
    }
    // The program's own Tracer was kept (it saw every query) and not joined.
    assert!(
        run.stderr.contains("own tracer saw 3 queries"),
        "{}: the program's tracer:\n{}",
        run.what,
        run.stderr
    );
    let untraced = filter(spans, |s| {
        query_text(s).is_some_and(|q| q.contains(OWN_TRACER))
    });
    assert!(
        untraced.is_empty(),
        "{}: {OWN_TRACER} traced\n{}",
        run.what,
        dump(spans)
    );
}

#[test]
fn pgx_and_database_sql_on_postgresql_are_traced_with_toolexec_and_driver_mode() {
    let started = Instant::now();
    let services = Services::of("pg");

    // `goaop plan` lists every new join point.
    let plan = services.plan(&[]);
    for aspect in [
        "pgxpool-new ",
        "pgxpool-new-with-config",
        "pgx-connect ",
        "pgx-connect-config",
        "pgx-stdlib-open-db",
        "sql-open ",
        "sql-open-db",
        "http-serve",
        "http-get",
    ] {
        assert!(plan.contains(aspect), "plan lacks {aspect}:\n{plan}");
    }

    let toolexec_bin = services.dir.join("app-toolexec");
    let driver_bin = services.dir.join("app-driver");
    services.build_toolexec(&toolexec_bin);
    services.build_driver(&[], &driver_bin);

    let pg = Postgres::start(
        "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL); \
         INSERT INTO users VALUES (1, 'alice'), (2, 'bob');",
    );
    assert_run(&run("-toolexec build", &toolexec_bin, &pg), &pg);
    assert_run(&run("driver-mode build", &driver_bin, &pg), &pg);
    drop(pg);
    eprintln!(
        "integrations_pg took {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
