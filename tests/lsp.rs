//! `goaop lsp` as an editor drives it: spawn the server, speak JSON-RPC over
//! its stdio (Content-Length framing), open a broken aspects.yaml, fix it,
//! ask for completions and hovers, shut down. The module is a small fixture
//! (tests/lsp/shop) copied to a temporary directory; the match count runs
//! `go list` there (no build).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A minimal LSP client over a child's stdio.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Every message received, for the transcript.
    log: Vec<String>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        Client::start_with(dir, std::env::var_os("PATH").unwrap_or_default())
    }

    /// [`Client::start`] with the server's `PATH`.
    fn start_with(dir: &Path, path: std::ffi::OsString) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_goaop"))
            .arg("lsp")
            .env("PATH", path)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("goaop lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming: rx,
            next_id: 0,
            log: Vec::new(),
        }
    }

    /// A server started in `dir`, past the `initialize` handshake.
    fn initialized(dir: &Path) -> Client {
        Client::handshake(Client::start(dir), dir)
    }

    fn handshake(mut c: Client, dir: &Path) -> Client {
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(dir), "capabilities": {}}),
        );
        assert_eq!(init["capabilities"]["hoverProvider"], true);
        assert_eq!(init["capabilities"]["textDocumentSync"], 1, "full sync");
        c.notify("initialized", json!({}));
        c
    }

    /// `shutdown`, `exit`: the process exits 0.
    fn finish(mut self) -> Vec<String> {
        assert_eq!(self.request("shutdown", json!(null)), Value::Null);
        self.notify("exit", json!(null));
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
        self.log
    }

    /// Send a request without waiting: its id.
    fn ask(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
        self.log.push(format!("--> {}", short(&msg)));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response's `result`.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let msg = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(msg.get("error").is_none(), "{method} failed: {msg}");
        msg["result"].clone()
    }

    /// The next message that satisfies `pred` (others are dropped).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) => {
                    self.log.push(format!("<-- {}", short(&m)));
                    if pred(&m) {
                        return m;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!("no such message within 60 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

/// A message in one line, long texts cut, for the transcript.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 400 {
        format!("{}…", &s[..s.floor_char_boundary(400)])
    } else {
        s
    }
}

fn uri(p: &Path) -> String {
    goaop::lsp::convert::uri(p).unwrap().as_str().to_string()
}

/// Position (UTF-16) just after the first `needle` in `text`.
fn after(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap() + needle.len();
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..at].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

const BROKEN: &str = "aspects:
  - name: tracing
    target: \"func .*\\\\(ctx context.Context\"
    before: |
      println(\"→ café 😀 {{.FuncNme}}\")
";

const FIXED: &str = "aspects:
  - name: tracing
    target: \"func .*\\\\(ctx context.Context\"
    before: |
      println(\"→ café 😀 {{.FuncName}}\")
";

/// [`FIXED`] while a second aspect is being typed.
const TYPING: &str = "aspects:
  - name: tracing
    target: \"func .*\\\\(ctx context.Context\"
    before: |
      println(\"→ café 😀 {{.FuncName}}\")
  - name: timing
    target: \"func helper\"
    around: |
      println(\"{{.\")
      {{.Body}}
";

#[test]
fn an_editing_session() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = shop(tmp.path());
    let yaml = dir.join("aspects.yaml");
    std::fs::write(&yaml, BROKEN).unwrap();
    let (doc, extra) = (uri(&yaml), uri(&dir.join("extra.aspect")));

    let mut c = Client::initialized(&dir);

    // A broken file: the unknown placeholder, on a line with non-ASCII
    // text before it (→: 1 UTF-16 unit, 3 bytes; é: 1 unit, 2 bytes; 😀:
    // 2 units, 1 char, 4 bytes).
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": BROKEN}}),
    );
    let diags = c.diagnostics(&doc);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["code"], "E0201");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "goaop");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains("FuncNme"), "{msg}");
    assert!(
        msg.contains("help: "),
        "the help line travels with it: {msg}"
    );
    assert!(msg.contains("FuncName"), "the suggestion: {msg}");
    // `      println("→ café 😀 ` is 25 UTF-16 units (24 chars, 30 bytes):
    // the span is the placeholder `{{.FuncNme}}`.
    assert_eq!(
        d["range"],
        json!({"start": {"line": 4, "character": 25}, "end": {"line": 4, "character": 37}}),
        "UTF-16 range of the placeholder"
    );
    // The other aspect file of the module, broken on disk, gets its own.
    let other = c.diagnostics(&extra);
    assert!(!other.is_empty(), "extra.aspect is reported on its URI");
    assert!(other[0]["code"].as_str().unwrap().starts_with('E'));

    // Hover on the error: its `goaop explain` page.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": after(BROKEN, "{{.FuncN")}),
    );
    let page = hover["contents"]["value"].as_str().unwrap();
    assert!(page.starts_with("# E0201: unknown placeholder"), "{page}");

    // Fixed (and extra.aspect fixed in the editor too): everything clears.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    let diags = c.diagnostics(&doc);
    assert_eq!(diags, Vec::<Value>::new(), "aspects.yaml cleared");
    let fixed_extra = "aspect audit {\n    pointcut target(\"func Delete\\\\(\")\n    before { println(\"audit\") }\n}\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": extra, "languageId": "goaop", "version": 1, "text": fixed_extra}}),
    );
    let m = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == extra.as_str()
            && m["params"]["version"] == 1
    });
    assert_eq!(
        m["params"]["diagnostics"],
        json!([]),
        "extra.aspect cleared"
    );

    // Typing a second aspect.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": TYPING}]}),
    );

    // Completion after `{{.`: in `before`, FuncName but no Body; in
    // `around`, Body too.
    let labels = |r: &Value| -> Vec<String> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let in_before = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": after(TYPING, "😀 {{.")}),
    );
    let l = labels(&in_before);
    assert_eq!(
        in_before[0]["insertText"],
        Value::Null,
        "`{{{{.FuncName}}}}` is closed already"
    );
    assert!(l.contains(&"FuncName".to_string()), "{l:?}");
    assert!(!l.contains(&"Body".to_string()), "{l:?}");
    assert!(!l.contains(&"Call".to_string()), "{l:?}");
    let in_around = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": after(TYPING, "println(\"{{.")}),
    );
    let l = labels(&in_around);
    assert!(l.contains(&"Body".to_string()), "{l:?}");
    let body = in_around
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Body")
        .unwrap();
    assert_eq!(
        body["insertText"], "Body}}",
        "an unclosed placeholder is closed"
    );
    assert!(l.contains(&"FuncName".to_string()), "{l:?}");

    // Fields, with the schema's docs.
    let fields = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": {"line": 6, "character": 4}}),
    );
    let field = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "pointcut")
        .expect("aspect fields offered");
    assert!(
        field["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("DSL")
    );

    // Hover on `target:` of `tracing`: what it matches in the module.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 4}, "contentChanges": [{"text": FIXED}]}),
    );
    assert_eq!(c.diagnostics(&doc), Vec::<Value>::new());
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 6}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("canonical signature"), "{text}");
    assert!(text.contains("4 join point(s) woven"), "{text}");
    assert!(text.contains("`Create (shop.go:5)`"), "{text}");
    assert!(text.contains("(1 more)"), "{text}");

    // Code lenses: one per aspect, resolved with its match count.
    let lenses = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": doc}}),
    );
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 1, "{lenses:?}");
    assert_eq!(
        lenses[0]["range"]["start"]["line"], 1,
        "on the aspect's name"
    );
    let resolved = c.request("codeLens/resolve", lenses[0].clone());
    assert_eq!(
        resolved["command"]["title"],
        "4 join point(s) woven: Create, List, Delete, …"
    );

    // Other YAML files are not aspect files: no diagnostics, no hover.
    let compose = uri(&dir.join("compose.yaml"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": compose, "languageId": "yaml", "version": 1, "text": "services: [\n"}}),
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": compose}, "position": {"line": 0, "character": 2}}),
    );
    assert_eq!(hover, Value::Null);
    assert!(
        !c.log
            .iter()
            .any(|l| l.starts_with("<--") && l.contains("compose.yaml")),
        "nothing published for compose.yaml"
    );

    // Shut down: the process exits 0.
    let log = c.finish();
    // The transcript, for the record (`cargo test --test lsp -- --nocapture`).
    for line in &log {
        println!("{line}");
    }
}

/// The shop fixture module in a temporary directory.
fn shop(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("shop");
    std::fs::create_dir(&dir).unwrap();
    for f in ["go.mod", "shop.go", "extra.aspect"] {
        std::fs::copy(common::root().join("tests/lsp/shop").join(f), dir.join(f)).unwrap();
    }
    dir
}

#[test]
fn a_slow_match_count_never_holds_up_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = shop(tmp.path());
    std::fs::remove_file(dir.join("extra.aspect")).unwrap();
    let yaml = dir.join("aspects.yaml");
    std::fs::write(&yaml, FIXED).unwrap();
    // A `go` that takes 3 s before doing its work (the match count runs
    // `go list`; checking never runs go).
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("go"))
        .find(|p| p.is_file())
        .expect("go on PATH");
    let bin = tmp.path().join("slowgo");
    std::fs::create_dir(&bin).unwrap();
    let script = bin.join("go");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nsleep 3\nexec '{}' \"$@\"\n", real.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();

    let mut c = Client::handshake(Client::start_with(&dir, path), &dir);
    let doc = uri(&yaml);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": FIXED}}),
    );
    assert_eq!(c.diagnostics(&doc), Vec::<Value>::new());
    let started = Instant::now();
    let hover = c.ask(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 6}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": BROKEN}]}),
    );
    let published = c.wait(|m| {
        m["params"]["uri"] == doc.as_str() && m["params"]["version"] == 2 || m["id"] == hover
    });
    assert_eq!(
        published["method"], "textDocument/publishDiagnostics",
        "the diagnostics of the edit come before the slow hover: {published}"
    );
    assert_eq!(published["params"]["diagnostics"][0]["code"], "E0201");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The hover still comes, counted on the text it was asked about.
    let answer = c.wait(|m| m["id"] == hover);
    let text = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("4 join point(s) woven"), "{text}");
    c.finish();
}

#[test]
fn a_broken_pack_is_published_on_the_packs_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    common::gobuild::copy_into(&common::root().join("tests/packs"), tmp.path());
    let (app, pack) = (tmp.path().join("app"), tmp.path().join("pack/aspects.yaml"));
    // A YAML syntax error in the pack (a flow mapping never closed).
    let text = std::fs::read_to_string(&pack).unwrap();
    let from = "      hello: example.com/acme/goaop-greet/hello";
    assert!(text.contains(from));
    std::fs::write(
        &pack,
        text.replace(from, "      { hello: example.com/acme/goaop-greet/hello"),
    )
    .unwrap();

    let mut c = Client::initialized(&app);
    let yaml = app.join("aspects.yaml");
    let (doc, pack_uri) = (uri(&yaml), uri(&pack));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "yaml", "version": 1,
            "text": std::fs::read_to_string(&yaml).unwrap()}}),
    );
    let on_pack = c.diagnostics(&pack_uri);
    assert_eq!(on_pack.len(), 1, "{on_pack:#?}");
    assert_eq!(on_pack[0]["code"], "E0101");
    let msg = on_pack[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("belongs to aspect pack `example.com/acme/goaop-greet`"),
        "{msg}"
    );
    c.finish();
}

/// The labels of a completion answer.
fn labels(r: &Value) -> Vec<String> {
    r.as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

const GREET: &str = "example.com/acme/goaop-greet";

#[test]
fn packs_of_required_modules_are_completed_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    // app requires example.com/acme/goaop-greet through `replace => ../pack`.
    common::gobuild::copy_into(&common::root().join("tests/packs"), tmp.path());
    let app = tmp.path().join("app");
    let yaml = app.join("aspects.yaml");
    let doc = uri(&yaml);
    let text = "use: [otel, ]\n";
    std::fs::write(&yaml, text).unwrap();

    let mut c = Client::initialized(&app);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": text}}),
    );
    c.diagnostics(&doc);

    // The pack list is found on a worker thread: ask until it is there.
    // Every answer is quick, and offers the bundled names from the start.
    let at = after(text, "otel, ");
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let items = loop {
        let asked = Instant::now();
        let r = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": doc}, "position": at}),
        );
        slowest = slowest.max(asked.elapsed());
        let l = labels(&r);
        assert!(l.contains(&"net/http".to_string()), "{l:?}");
        assert!(
            !l.contains(&"otel".to_string()),
            "otel is listed already: {l:?}"
        );
        if l.contains(&GREET.to_string()) {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the pack is never offered: {l:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    println!(
        "pack offered {:?} after didOpen; slowest completion {slowest:?}",
        started.elapsed()
    );
    assert!(slowest < Duration::from_secs(2), "{slowest:?}");
    let items = items.as_array().unwrap();
    let pack = items.iter().find(|i| i["label"] == GREET).unwrap();
    assert_eq!(pack["detail"], format!("aspect pack ({GREET}@v0.0.0)"));
    let doc_text = pack["documentation"]["value"].as_str().unwrap();
    assert!(
        doc_text.starts_with("Aspects: `greet`, `farewell`"),
        "the pack's aspects, from its aspects.yaml and farewell.aspect: {doc_text}"
    );
    assert_eq!(
        pack["textEdit"],
        json!({"range": {"start": at, "end": at}, "newText": GREET})
    );
    // Its helper package ships no aspect file: not a pack.
    let l = labels(&Value::Array(items.clone()));
    assert!(
        !l.iter().any(|p| p.starts_with(&format!("{GREET}/"))),
        "{l:?}"
    );
    let nethttp = items.iter().find(|i| i["label"] == "net/http").unwrap();
    assert_eq!(nethttp["detail"], "bundled integration");

    // Typing the path: the whole entry typed so far is replaced.
    let typing = "use: [otel, example.com/ac]\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": typing}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": after(typing, "example.com/ac")}),
    );
    let pack = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == GREET)
        .unwrap()
        .clone();
    assert_eq!(
        pack["textEdit"]["range"],
        json!({"start": after(typing, "otel, "), "end": after(typing, "example.com/ac")})
    );

    // Listed already (a block list this time): not offered again.
    let listed = format!("use:\n  - {GREET}\n  - \n  - otel\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": listed}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 4}}),
    );
    let l = labels(&r);
    assert!(!l.contains(&GREET.to_string()), "{l:?}");
    assert!(!l.contains(&"otel".to_string()), "{l:?}");
    assert!(l.contains(&"database/sql".to_string()), "{l:?}");

    // The DSL's `use "…"`: the same candidates, quoted when the quote is
    // not typed yet.
    let dsl = app.join("more.aspect");
    let dsl_uri = uri(&dsl);
    let dsl_text = "use \"otel\"\nuse \n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": dsl_uri, "languageId": "goaop", "version": 1, "text": dsl_text}}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": dsl_uri}, "position": {"line": 1, "character": 4}}),
    );
    let items = r.as_array().unwrap();
    let pack = items
        .iter()
        .find(|i| i["label"] == GREET)
        .expect("pack offered in the DSL");
    assert_eq!(pack["textEdit"]["newText"], format!("\"{GREET}\""));
    assert!(!labels(&r).contains(&"otel".to_string()));
    c.finish();
}
