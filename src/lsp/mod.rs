//! `goaop lsp`: a Language Server for aspects.yaml and `*.aspect` files,
//! over stdio (the `lsp-server` crate: a plain loop on a channel, no async
//! runtime). A front end over the project layer like `cli/` and
//! `toolexec/`: it gives the editor what `goaop check` gives the terminal.
//!
//! - diagnostics as you type (full sync): the module's aspect files checked
//!   together, the open documents' text standing in for the files on disk,
//!   published per file (a pack's file gets its own);
//! - completion of fields, `{{.` placeholders (those valid in that advice),
//!   bundled integrations and aspect packs in `use:` ([`features`]; the
//!   packs of the required modules are found on a worker thread and
//!   cached per module, [`packs`]);
//! - hover docs for fields, placeholders and diagnostic codes (the
//!   `goaop explain` page); on `target:`/`pointcut` also how many join
//!   points of the module the aspect matches, with examples
//!   ([`matches`]);
//! - a code lens on each aspect's name with the same count, resolved on
//!   request.
//!
//! Match counts run `go list` and weave the module in memory, far slower
//! than typing: a worker thread computes them and answers the hover or
//! lens request itself, cached per document version, so the main loop
//! (and the diagnostics it publishes) never waits for one.
//!
//! The server returns when the client says `shutdown` then `exit`; only
//! `main.rs` prints or exits (the protocol's own stdout/stdin traffic runs
//! on `lsp-server`'s I/O threads).

mod context;
pub mod convert;
mod diagnostics;
mod docs;
mod features;
mod matches;
mod packs;

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeLensRequest, CodeLensResolve, Completion, HoverRequest, Request as _,
};
use lsp_types::{
    CodeLens, CodeLensOptions, CodeLensParams, Command, CompletionOptions, CompletionParams, Hover,
    HoverContents, HoverParams, HoverProviderCapability, MarkupContent, MarkupKind,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};

use crate::project::session::Overlay;
use docs::FieldDocs;
use features::Hovered;
use matches::Matches;

/// Serve on stdin/stdout until the client exits.
pub fn serve_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io.join().map_err(|e| format!("lsp: {e}"))
}

/// The server's capabilities.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into(), "-".into()]),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(true),
        }),
        ..Default::default()
    }
}

/// An open document.
struct Doc {
    path: PathBuf,
    text: String,
    version: i32,
}

/// Match counts by (document URI, version, aspect name).
type MatchCache = Arc<Mutex<HashMap<(String, i32, String), Result<Matches, String>>>>;

struct Server<'c> {
    conn: &'c Connection,
    docs: HashMap<String, Doc>,
    /// For each document, the URIs its last check published diagnostics
    /// on (cleared when a later check has none for them).
    published: HashMap<String, BTreeSet<String>>,
    /// For each document, the codes of its diagnostics and their byte
    /// ranges in it (a hover there shows the code's `goaop explain` page).
    codes: HashMap<String, Vec<(std::ops::Range<usize>, &'static str)>>,
    fields: FieldDocs,
    matches: MatchCache,
    packs: packs::PackIndex,
}

/// Run the protocol on `conn`: initialize, then handle messages until
/// `shutdown` (and the `exit` that follows it).
pub fn serve(conn: &Connection) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    conn.initialize(caps).map_err(|e| format!("lsp: {e}"))?;
    let mut server = Server {
        conn,
        docs: HashMap::new(),
        published: HashMap::new(),
        codes: HashMap::new(),
        fields: FieldDocs::new(),
        matches: Arc::default(),
        packs: packs::PackIndex::default(),
    };
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn
                    .handle_shutdown(&req)
                    .map_err(|e| format!("lsp: {e}"))?
                {
                    return Ok(());
                }
                // A bug in one request must not end the session: answer it
                // with an error and go on.
                let id = req.id.clone();
                if catch_unwind(AssertUnwindSafe(|| server.request(req))).is_err() {
                    server.send(Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "goaop lsp: internal error (a bug in goaop; please report it)".into(),
                    ));
                }
            }
            Message::Notification(n) => {
                let _ = catch_unwind(AssertUnwindSafe(|| server.notification(n)));
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

impl Server<'_> {
    fn send(&self, msg: impl Into<Message>) {
        // The client is gone when this fails: the receive loop ends too.
        let _ = self.conn.sender.send(msg.into());
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let d = p.text_document;
                    self.open(d.uri.clone(), d.text, d.version);
                    // Find the module's packs now, so that the first
                    // completion in `use:` has them.
                    if let Some(doc) = self.docs.get(d.uri.as_str()) {
                        self.packs.get(&doc.path);
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) && let Some(change) = p.content_changes.into_iter().last()
                {
                    // Full sync: the last change is the whole text.
                    self.open(p.text_document.uri, change.text, p.text_document.version);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let key = p.text_document.uri.as_str().to_string();
                    self.docs.remove(&key);
                    self.codes.remove(&key);
                    for uri in self.published.remove(&key).unwrap_or_default() {
                        self.publish(&uri, Vec::new(), None);
                    }
                }
            }
            _ => {}
        }
    }

    /// A document's new text: store it and publish its diagnostics
    /// (documents that are not aspect files are left alone: a client may
    /// send every YAML file).
    fn open(&mut self, uri: Uri, text: String, version: i32) {
        let Some(path) = convert::path(&uri) else {
            return;
        };
        if !is_aspect_file(&path, &text) {
            return;
        }
        let key = uri.as_str().to_string();
        self.docs.insert(
            key.clone(),
            Doc {
                path,
                text,
                version,
            },
        );
        self.diagnose(&key);
    }

    fn overlay(&self) -> Overlay {
        self.docs
            .values()
            .map(|d| (d.path.clone(), d.text.clone()))
            .collect()
    }

    /// Check the document's files and publish, clearing the files that had
    /// diagnostics from its previous check and have none now.
    fn diagnose(&mut self, key: &str) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let (cwd, files) = diagnostics::files_for(&doc.path);
        let (loaded, _) =
            crate::project::session::load_check_compile_overlaid(&cwd, &files, &self.overlay());
        let found = diagnostics::by_uri(&cwd, &loaded, files.len());
        let own = files.iter().position(|f| *f == doc.path);
        let codes = loaded
            .diagnostics()
            .iter()
            .filter(|d| Some(d.primary.span.file) == own)
            .map(|d| (d.primary.span.range.clone(), d.code))
            .collect();
        self.codes.insert(key.to_string(), codes);
        let version = doc.version;
        let before = self.published.remove(key).unwrap_or_default();
        for uri in before.iter().filter(|u| !found.contains_key(*u)) {
            self.publish(uri, Vec::new(), None);
        }
        for (uri_key, (_, diags)) in &found {
            let v = (uri_key == key).then_some(version);
            self.publish(uri_key, diags.clone(), v);
        }
        self.published
            .insert(key.to_string(), found.into_keys().collect());
    }

    fn publish(&self, uri: &str, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let Ok(uri) = uri.parse::<Uri>() else {
            return;
        };
        self.send(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ));
    }

    fn request(&mut self, req: Request) {
        match req.method.as_str() {
            Completion::METHOD => {
                let Ok((id, p)) = req.extract::<CompletionParams>(Completion::METHOD) else {
                    return;
                };
                let pos = p.text_document_position;
                let items = self
                    .docs
                    .get(pos.text_document.uri.as_str())
                    .map(|d| {
                        let offset = convert::offset(&d.text, pos.position);
                        let packs = || self.packs.get(&d.path);
                        features::complete(&self.fields, &d.text, offset, is_dsl(d), &packs)
                    })
                    .unwrap_or_default();
                self.send(Response::new_ok(id, items));
            }
            HoverRequest::METHOD => {
                let Ok((id, p)) = req.extract::<HoverParams>(HoverRequest::METHOD) else {
                    return;
                };
                self.hover(id, p);
            }
            CodeLensRequest::METHOD => {
                if let Ok((id, p)) = req.extract::<CodeLensParams>(CodeLensRequest::METHOD) {
                    self.lenses(id, p);
                }
            }
            CodeLensResolve::METHOD => {
                if let Ok((id, lens)) = req.extract::<CodeLens>(CodeLensResolve::METHOD) {
                    self.resolve_lens(id, lens);
                }
            }
            _ => self.send(Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("goaop lsp does not handle `{}`", req.method),
            )),
        }
    }

    fn hover(&mut self, id: RequestId, p: HoverParams) {
        let pos = p.text_document_position_params;
        let key = pos.text_document.uri.as_str().to_string();
        let Some(d) = self.docs.get(&key) else {
            self.send(Response::new_ok(id, None::<Hover>));
            return;
        };
        let offset = convert::offset(&d.text, pos.position);
        // On a diagnostic: its code's page.
        let pages: Vec<&str> = self
            .codes
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|(r, _)| r.start <= offset && offset <= r.end)
            .filter_map(|(_, code)| crate::diag::explain::page(code))
            .collect();
        if !pages.is_empty() {
            self.send(Response::new_ok(
                id,
                Some(markdown(pages.join("\n\n---\n\n"))),
            ));
            return;
        }
        match features::hover(&self.fields, &d.text, offset, is_dsl(d)) {
            Hovered::Nothing => self.send(Response::new_ok(id, None::<Hover>)),
            Hovered::Text(t) => self.send(Response::new_ok(id, Some(markdown(t)))),
            Hovered::Pointcut(doc) => {
                let Some(name) = aspect_at(d, offset) else {
                    self.send(Response::new_ok(id, Some(markdown(doc))));
                    return;
                };
                self.with_matches(&key, name, move |result| {
                    let extra = match result {
                        Ok(m) => m.markdown(),
                        Err(e) => format!("*Matches: {e}*"),
                    };
                    Response::new_ok(id, Some(markdown(format!("{doc}\n\n{extra}"))))
                });
            }
        }
    }

    /// Code lenses: one per aspect, on its name, resolved later (with its
    /// match count) by [`Self::resolve_lens`].
    fn lenses(&self, id: RequestId, p: CodeLensParams) {
        let key = p.text_document.uri.as_str();
        let lenses: Vec<CodeLens> = self
            .docs
            .get(key)
            .map(|d| {
                aspects(d)
                    .into_iter()
                    .map(|(name, span)| CodeLens {
                        range: convert::range(&d.text, span),
                        command: None,
                        data: Some(serde_json::json!({"uri": key, "aspect": name})),
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.send(Response::new_ok(id, lenses));
    }

    /// A lens's title: what its aspect matches in the module (computed on a
    /// worker thread, which answers the request).
    fn resolve_lens(&self, id: RequestId, lens: CodeLens) {
        let data = lens.data.clone().unwrap_or_default();
        let (Some(key), Some(name)) = (data["uri"].as_str(), data["aspect"].as_str()) else {
            self.send(Response::new_ok(id, lens));
            return;
        };
        self.with_matches(key, name.to_string(), move |result| {
            let title = match result {
                Ok(m) => m.title(),
                Err(e) => e,
            };
            let command = Some(Command {
                title,
                command: String::new(),
                arguments: None,
            });
            Response::new_ok(id, CodeLens { command, ..lens })
        });
    }

    /// Compute what aspect `name` of document `key` matches on a worker
    /// thread (or take it from the cache of this document version) and send
    /// the response `reply` makes of it: the main loop never waits for it.
    fn with_matches(
        &self,
        key: &str,
        name: String,
        reply: impl FnOnce(Result<Matches, String>) -> Response + Send + 'static,
    ) {
        let Some(d) = self.docs.get(key) else {
            self.send(reply(Err("the document is not open".into())));
            return;
        };
        let cache_key = (key.to_string(), d.version, name.clone());
        let (path, overlay) = (d.path.clone(), self.overlay());
        let (cache, sender) = (self.matches.clone(), self.conn.sender.clone());
        std::thread::spawn(move || {
            let cached = cache.lock().ok().and_then(|c| c.get(&cache_key).cloned());
            let result = cached.unwrap_or_else(|| {
                let r = matches::count(&path, &overlay, &name);
                if let Ok(mut c) = cache.lock() {
                    // Older versions of this document are stale.
                    let (uri, version) = (&cache_key.0, cache_key.1);
                    c.retain(|(u, v, _), _| u != uri || *v >= version);
                    c.insert(cache_key, r.clone());
                }
                r
            });
            let _ = sender.send(reply(result).into());
        });
    }
}

/// `aspects.yaml`/`.yml`, `*.aspect`, or a YAML file whose first line
/// points at goaop's schema (the line `goaop init` writes).
fn is_aspect_file(path: &std::path::Path, text: &str) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    crate::project::ASPECT_FILE_NAMES.contains(&name)
        || name.ends_with(".aspect")
        || text
            .lines()
            .next()
            .is_some_and(|l| l.contains(crate::load::yaml::schema::SCHEMA_URL))
}

fn is_dsl(d: &Doc) -> bool {
    d.path.extension().is_some_and(|e| e == "aspect")
}

/// The loader's view of a document (empty while the text does not load).
fn raw(d: &Doc) -> crate::load::RawFile {
    let mut sources = crate::diag::Sources::new();
    let name = if is_dsl(d) {
        "doc.aspect"
    } else {
        "aspects.yaml"
    };
    let id = sources.add(name, d.text.clone());
    crate::load::load(&sources, id).0
}

/// The aspects of a document: name and the byte range of the name.
fn aspects(d: &Doc) -> Vec<(String, std::ops::Range<usize>)> {
    raw(d)
        .aspects
        .into_iter()
        .map(|a| (a.name.value, a.name.span.range))
        .collect()
}

/// The name of the aspect whose text contains `offset`.
fn aspect_at(d: &Doc, offset: usize) -> Option<String> {
    raw(d)
        .aspects
        .into_iter()
        .find(|a| a.span.range.start <= offset && offset <= a.span.range.end)
        .map(|a| a.name.value)
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}
