//! `goaop init` on a fresh copy of a module with no tracing code and no
//! OpenTelemetry requirements (tests/init/hello), then ONE
//! `go build -toolexec=goaop`: the binary must export a client and a server
//! span in one trace. Needs the Go toolchain and the module proxy (go get);
//! fails loudly without them.

mod common;

use common::gobuild::{copy_tree, go, output, text, toolexec};
use common::spans::{CLIENT, SERVER, assert_attr, assert_name, child, dump, one, parse_spans};
use serde_json::Value;

#[test]
fn init_then_one_build_traces_the_module() {
    let dir = copy_tree(&common::root().join("tests/init/hello"), "init");

    let out = common::goaop(&dir, &["init"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "goaop init failed:\n{stdout}{stderr}"
    );
    // Detected: otel always, net/http because main.go imports it.
    assert!(
        stdout.contains("wrote aspects.yaml (use: [otel, net/http])"),
        "{stdout}"
    );
    assert!(stdout.contains("wrote goaop.tools.go"), "{stdout}");
    assert!(stdout.contains("ran go get "), "{stdout}");
    let aspects = std::fs::read_to_string(dir.join("aspects.yaml")).unwrap();
    assert!(aspects.ends_with("use: [otel, net/http]\n"), "{aspects}");
    let tools = std::fs::read_to_string(dir.join("goaop.tools.go")).unwrap();
    assert!(
        tools.contains("//go:build tools\n\n") && tools.contains("package main\n"),
        "{tools}"
    );
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    for module in [
        "go.opentelemetry.io/otel ",
        "go.opentelemetry.io/otel/sdk ",
        "go.opentelemetry.io/contrib/exporters/autoexport ",
        "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp ",
    ] {
        assert!(gomod.contains(module), "go.mod lacks {module}:\n{gomod}");
    }

    // One build, no other step.
    let bin = dir.join("hello");
    let bin_arg = bin.display().to_string();
    let built = output(go(&dir, &["build", &toolexec(), "-o", &bin_arg, "."]));
    let (_, build_err) = text(&built);
    assert!(built.status.success(), "woven build failed:\n{build_err}");
    let ran = std::process::Command::new(&bin)
        .env("OTEL_TRACES_EXPORTER", "console")
        .env("OTEL_SERVICE_NAME", "hello")
        .env_remove("OTEL_SDK_DISABLED")
        .output()
        .unwrap();
    let (spans_out, run_err) = text(&ran);
    assert!(ran.status.success(), "{run_err}");
    assert_eq!(run_err.trim(), "hello gopher");
    let spans = parse_spans("hello", &spans_out);
    let client = one(&spans, "CLIENT span", |s| s.span_kind == CLIENT);
    assert!(client.is_root(), "{}", dump(&spans));
    assert!(
        client
            .attr("url.full")
            .and_then(Value::as_str)
            .is_some_and(|u| u.ends_with("/hello/gopher")),
        "{}",
        dump(&spans)
    );
    let server = child(&spans, client, "SERVER span", |s| s.span_kind == SERVER);
    assert_name(&spans, server, "GET /hello/{name}");
    assert_attr(&spans, server, "http.route", "/hello/{name}");
    assert_attr(&spans, server, "http.response.status_code", 200);
    assert_eq!(spans.len(), 2, "{}", dump(&spans));

    // `go mod tidy` keeps what init added (goaop.tools.go imports it), and a
    // second init has nothing left to do.
    let tidy = output(go(&dir, &["mod", "tidy"]));
    assert!(tidy.status.success(), "{}", text(&tidy).1);
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    assert!(
        gomod.contains("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp "),
        "{gomod}"
    );
    let again = common::goaop(&dir, &["init"]);
    let (stdout, _) = text(&again);
    assert!(
        stdout.contains("aspects already use [otel, net/http]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("go.mod already requires every module"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
