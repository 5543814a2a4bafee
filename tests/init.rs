//! `goaop init` on a fresh copy of a module with no tracing code and no
//! OpenTelemetry requirements (tests/init/hello), then ONE
//! `go build -toolexec=goaop`: the binary must export a client and a server
//! span in one trace. And `init` never changes the module's `go` line (the
//! language version) unless told to. Needs the Go toolchain and the module
//! proxy (go get); fails loudly without them.

mod common;

use common::gobuild::{copy_tree, go, output, text, toolexec};
use common::spans::{CLIENT, SERVER, assert_attr, assert_name, child, dump, one, parse_spans};
use serde_json::Value;

#[test]
fn init_then_one_build_traces_the_module() {
    let dir = copy_tree(&common::root().join("tests/init/hello"), "init");
    let gomod_before = std::fs::read(dir.join("go.mod")).unwrap();

    // The module says `go 1.24`; net/http's advice imports otel's semconv
    // v1.40.0 package, which no otel release that supports go 1.24 has: init
    // stops before changing anything and says what the upgrade would do.
    let out = common::goaop(&dir, &["init"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    for part in [
        "would raise this module's `go` line from 1.24 to 1.26.0",
        "go.opentelemetry.io/otel@v1.41.0, the newest release that supports go 1.24, lacks go.opentelemetry.io/otel/semconv/v1.40.0",
        "the GODEBUG defaults of every release after 1.24 up to 1.26",
        "run `goaop init --allow-go-upgrade`",
    ] {
        assert!(stderr.contains(part), "{part}:\n{stderr}");
    }
    assert_eq!(std::fs::read(dir.join("go.mod")).unwrap(), gomod_before);
    assert!(!dir.join("aspects.yaml").exists() && !dir.join("goaop.tools.go").exists());

    let out = common::goaop(&dir, &["init", "--allow-go-upgrade"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "goaop init failed:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains(
            "go.mod: the `go` line was raised from 1.24 to 1.26.0 (--allow-go-upgrade):\n"
        ),
        "{stdout}"
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
    assert!(
        aspects.starts_with("# yaml-language-server: $schema="),
        "{aspects}"
    );
    let tools = std::fs::read_to_string(dir.join("goaop.tools.go")).unwrap();
    assert!(
        tools.contains("//go:build tools\n\n") && tools.contains("package main\n"),
        "{tools}"
    );
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    for module in [
        "go.opentelemetry.io/otel ",
        "go.opentelemetry.io/otel/sdk ",
        "go.opentelemetry.io/otel/sdk/metric ",
        "go.opentelemetry.io/contrib/exporters/autoexport ",
        "go.opentelemetry.io/contrib/instrumentation/runtime ",
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

/// A module at `go <line>` with a main package and nothing else.
fn module_at(tag: &str, line: &str) -> common::scratch::Scratch {
    let dir = common::scratch::Scratch::new(&format!("init-{tag}"));
    std::fs::write(
        dir.join("go.mod"),
        format!("module example.com/old\n\ngo {line}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
    )
    .unwrap();
    dir
}

/// `go 1.20` and `go 1.24`: releases of otel's modules that support them
/// exist: init takes them, keeps the language version and says so.
#[test]
fn init_keeps_the_go_line_with_compatible_versions() {
    for (line, otel, autoexport, written) in [
        ("1.20", "v1.24.0", "v0.45.0", None),
        ("1.24", "v1.41.0", "v0.66.0", Some("1.24.0")),
    ] {
        let dir = module_at(&format!("go{line}"), line);
        let out = common::goaop(&dir, &["init"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
        let now = written.unwrap_or(line);
        assert!(gomod.contains(&format!("\ngo {now}\n")), "{gomod}");
        for want in [
            format!("go.opentelemetry.io/otel {otel}"),
            format!("go.opentelemetry.io/otel/sdk {otel}"),
            format!("go.opentelemetry.io/contrib/exporters/autoexport {autoexport}"),
        ] {
            assert!(gomod.contains(&want), "{want}:\n{gomod}");
        }
        assert!(
            stdout.contains(&format!("go.opentelemetry.io/contrib/exporters/autoexport {autoexport} (tested with v0.72.0, which needs a newer Go than this module's `go {line}`)")),
            "{stdout}"
        );
        match written {
            None => assert!(!stdout.contains("go.mod: "), "{stdout}"),
            Some(w) => assert!(
                stdout.contains(&format!(
                    "go.mod: `go {line}` is now written `go {w}` (the same language version)"
                )),
                "{stdout}"
            ),
        }
        // The chosen versions resolve: every package the woven code imports
        // (goaop.tools.go) loads.
        let listed = output(go(
            &dir,
            &[
                "list",
                "-e",
                "-deps",
                "-tags",
                "tools",
                "-f",
                "{{with .Error}}{{.}}{{end}}",
                ".",
            ],
        ));
        assert!(listed.status.success(), "{}", text(&listed).1);
        assert_eq!(text(&listed).0.trim(), "", "{}", text(&listed).1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `go 1.18`: no autoexport release supports it. init stops before changing
/// anything, says what the upgrade would change, and `--allow-go-upgrade`
/// accepts it, saying so.
#[test]
fn init_never_raises_the_go_line_silently() {
    let dir = module_at("go118", "1.18");
    let before = std::fs::read(dir.join("go.mod")).unwrap();
    let out = common::goaop(&dir, &["init"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    for part in [
        "would raise this module's `go` line from 1.18 to 1.26.0",
        "no release of go.opentelemetry.io/contrib/exporters/autoexport up to v0.72.0 supports go 1.18; the oldest, v0.45.0, needs go 1.19",
        "go 1.22: each iteration of a `for` loop gets its own loop variables",
        "Nothing was changed. To accept it, run `goaop init --allow-go-upgrade`",
    ] {
        assert!(stderr.contains(part), "{part}:\n{stderr}");
    }
    assert_eq!(std::fs::read(dir.join("go.mod")).unwrap(), before);
    for f in ["aspects.yaml", "goaop.tools.go", "go.sum"] {
        assert!(!dir.join(f).exists(), "{f} was written");
    }

    let out = common::goaop(&dir, &["init", "--allow-go-upgrade"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "go.mod: the `go` line was raised from 1.18 to 1.26.0 (--allow-go-upgrade):\n"
        ) && stdout.contains("  - go 1.22: each iteration"),
        "{stdout}"
    );
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    assert!(
        gomod.contains("\ngo 1.26.0\n") && gomod.contains("go.opentelemetry.io/otel v1.47.0"),
        "{gomod}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A module that already uses OpenTelemetry at an older version: the
/// integrations' modules need a newer otel, which minimal version
/// selection would raise behind the user's back. init stops, names each
/// module it would raise, and `--allow-upgrades` accepts it, saying so.
#[test]
fn init_never_upgrades_a_required_module_silently() {
    let dir = module_at("upgrade", "1.26");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/old\n\ngo 1.26\n\nrequire go.opentelemetry.io/otel v1.30.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport \"go.opentelemetry.io/otel\"\n\nfunc main() { _ = otel.Tracer(\"old\") }\n",
    )
    .unwrap();
    let ok = output(go(&dir, &["mod", "tidy"]));
    assert!(ok.status.success(), "{}", text(&ok).1);
    let before_mod = std::fs::read(dir.join("go.mod")).unwrap();
    let before_sum = std::fs::read(dir.join("go.sum")).unwrap();

    let out = common::goaop(&dir, &["init"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    for part in [
        "would upgrade modules this module already requires:\n",
        "  - go.opentelemetry.io/otel v1.30.0 -> v1.47.0\n",
        "Nothing was changed. To accept it, run `goaop init --allow-upgrades`",
    ] {
        assert!(stderr.contains(part), "{part}:\n{stderr}");
    }
    assert_eq!(std::fs::read(dir.join("go.mod")).unwrap(), before_mod);
    assert_eq!(std::fs::read(dir.join("go.sum")).unwrap(), before_sum);
    for f in ["aspects.yaml", "goaop.tools.go"] {
        assert!(!dir.join(f).exists(), "{f} was written");
    }

    let out = common::goaop(&dir, &["init", "--allow-upgrades"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("go.mod: modules it already required were upgraded (--allow-upgrades):\n")
            && stdout.contains("  - go.opentelemetry.io/otel v1.30.0 -> v1.47.0\n"),
        "{stdout}"
    );
    let gomod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    assert!(
        gomod.contains("go.opentelemetry.io/otel v1.47.0"),
        "{gomod}"
    );
    // The language version stays (go may spell it `1.26.0`).
    assert!(
        gomod.contains("\ngo 1.26\n") || gomod.contains("\ngo 1.26.0\n"),
        "{gomod}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A module `init` upgrades that only the program's own code imports (the
/// OpenTelemetry graph raises golang.org/x/crypto, the program uses
/// x/crypto/pbkdf2) still gets its go.sum checksum: the next build works
/// (it once stopped on "missing go.sum entry").
#[test]
fn init_upgrades_leave_a_go_sum_the_build_accepts() {
    let dir = module_at("upgrade-sum", "1.26");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/oldcrypto\n\ngo 1.26\n\nrequire golang.org/x/crypto v0.30.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"crypto/sha256\"\n\t\"fmt\"\n\n\t\"golang.org/x/crypto/pbkdf2\"\n)\n\n\
         func main() { fmt.Println(pbkdf2.Key([]byte(\"a\"), []byte(\"b\"), 1, 32, sha256.New)) }\n",
    )
    .unwrap();
    let ok = output(go(&dir, &["mod", "tidy"]));
    assert!(ok.status.success(), "{}", text(&ok).1);

    let out = common::goaop(&dir, &["init", "--allow-upgrades", "--use", "grpc"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("  - golang.org/x/crypto v0.30.0 -> "),
        "the case needs x/crypto upgraded:\n{stdout}"
    );
    let build = output(go(&dir, &["build", "-mod=readonly", "./..."]));
    assert!(
        build.status.success(),
        "the build after init: {}",
        text(&build).1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every committed module goaop's own tests and examples build has the
/// goaop.tools.go `goaop init` would write now: a stale one lets
/// `go mod tidy` drop a module an integration needs (example/orders lost
/// the metrics modules that way, found by scripts/bump-integrations).
#[test]
fn committed_tools_files_are_what_init_writes() {
    let root = common::root();
    let mut checked = 0;
    for dir in ["example/orders", "example/shop", "tests"]
        .iter()
        .flat_map(|d| {
            let d = root.join(d);
            let mut found = vec![d.clone()];
            found.extend(
                std::fs::read_dir(&d)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
            found
        })
    {
        let tools = dir.join("goaop.tools.go");
        if !tools.is_file() {
            continue;
        }
        let copy = common::gobuild::copy_tree(&dir, "tools-current");
        let out = common::goaop(&copy, &["init"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {stdout}{stderr}",
            dir.display()
        );
        assert_eq!(
            std::fs::read_to_string(copy.join("goaop.tools.go")).unwrap(),
            std::fs::read_to_string(&tools).unwrap(),
            "{}: goaop.tools.go is stale; run `goaop init` there",
            dir.display()
        );
        let _ = std::fs::remove_dir_all(&copy);
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} modules with a goaop.tools.go");
}
