//! The language server: document state, analysis scheduling, versioned diagnostics, and the
//! protocol handlers, which call the IDE functions on an immutable snapshot.
//!
//! Ordering: tower-lsp runs handlers concurrently, but starts them in the order messages
//! arrive. Every handler that changes a document does so synchronously, under the state lock,
//! before its first `.await`; analysis then runs on a copy of the text, and its result is kept
//! and published only if the document has not changed since (its revision and the workspace's
//! generation still match).

use crate::convert::{self, Encoding, Paths};
use crate::overlay::OverlayProvider;
use crate::to_lsp::{self, Ctx};
use mica_check::{CONFIG_FILE, Config, ConfigError};
use mica_ide::{Analysis, DocumentData, ParseCache};
use mica_sources::SourceProvider;
use mica_syntax::{ColumnUnit, LineCol, LineIndex, TextRange};
use ropey::Rope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

/// The largest `.mica` file read from disk for the workspace-wide check.
const DISK_LIMIT: u64 = 16 * 1024 * 1024;

/// How long a document's analysis waits after a change, by default. Bursts are coalesced
/// without waiting: while an analysis runs, further changes only mark it to run once more on
/// the latest text, so waiting would only add latency (`initializationOptions.
/// diagnosticDelayMs` sets a delay for clients that want one).
const DEFAULT_DELAY: Duration = Duration::ZERO;

/// The id of the file watcher registration.
const WATCH_ID: &str = "mica-watched-files";

/// An analysis that runs or is wanted.
#[derive(Default)]
struct Worker {
    running: bool,
    dirty: bool,
}

/// A document the server knows: open in the editor, or a `.mica` file of the workspace.
struct Doc {
    uri: lsp::Uri,
    /// The editor's buffer and its version, while open.
    buffer: Option<(Rope, i32)>,
    /// The text on disk, for workspace files.
    disk: Option<Arc<String>>,
    /// Bumped on every change of the text this document is analysed with.
    rev: u64,
    analysed: Option<Analysed>,
    worker: Worker,
    /// Whether diagnostics are showing for it.
    published: bool,
    /// The parses of its paragraphs, so that an edit re-parses one paragraph.
    parses: Arc<Mutex<ParseCache>>,
    /// Held while the document is analysed.
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl Doc {
    fn text(&self) -> Option<String> {
        match (&self.buffer, &self.disk) {
            (Some((rope, _)), _) => Some(rope.to_string()),
            (None, Some(disk)) => Some(disk.to_string()),
            (None, None) => None,
        }
    }
}

/// An analysis with the revision and generation it was made for.
#[derive(Clone)]
struct Analysed {
    rev: u64,
    generation: u64,
    data: Arc<DocumentData>,
}

/// What the client can do.
#[derive(Default, Clone, Copy)]
struct Caps {
    link_support: bool,
    hierarchical_symbols: bool,
    watch_dynamic: bool,
    relative_patterns: bool,
}

struct State {
    enc: Encoding,
    caps: Caps,
    paths: Paths,
    config: Arc<Config>,
    config_error: Option<ConfigError>,
    provider: Arc<OverlayProvider>,
    /// Bumped when the configuration or a source changes: every analysis is then stale.
    generation: u64,
    next_rev: u64,
    docs: HashMap<String, Doc>,
    world: Worker,
    delay: Duration,
    watched: Vec<String>,
    config_published: bool,
}

impl State {
    fn new(root: &Path) -> Self {
        Self {
            enc: Encoding::Utf16,
            caps: Caps::default(),
            paths: Paths::new(root),
            config: Arc::new(Config::default()),
            config_error: None,
            provider: Arc::new(OverlayProvider::new(root)),
            generation: 0,
            next_rev: 0,
            docs: HashMap::new(),
            world: Worker::default(),
            delay: DEFAULT_DELAY,
            watched: Vec::new(),
            config_published: false,
        }
    }

    fn rev(&mut self) -> u64 {
        self.next_rev += 1;
        self.next_rev
    }

    fn analysis(&self) -> Analysis {
        Analysis::new(
            Arc::clone(&self.config),
            Arc::clone(&self.provider) as Arc<dyn SourceProvider>,
        )
    }

    /// The key of a URI: its workspace-relative path, or the URI itself for other schemes.
    fn key(&self, uri: &lsp::Uri) -> String {
        self.paths
            .key(uri)
            .unwrap_or_else(|| uri.as_str().to_string())
    }

    fn uris(&self) -> HashMap<String, lsp::Uri> {
        self.docs
            .iter()
            .map(|(k, d)| (k.clone(), d.uri.clone()))
            .collect()
    }
}

fn is_mica(key: &str) -> bool {
    key.ends_with(".mica")
}

pub(crate) struct Inner {
    client: Client,
    state: Mutex<State>,
    publish: tokio::sync::Mutex<()>,
    clean_shutdown: Arc<AtomicBool>,
}

/// The Mica language server.
pub struct Server {
    inner: Arc<Inner>,
}

/// A request's view: the analysis with the document it is about, and how to convert.
struct Snap {
    analysis: Analysis,
    doc: Arc<DocumentData>,
    key: String,
    enc: Encoding,
    paths: Paths,
    uris: HashMap<String, lsp::Uri>,
    caps: Caps,
}

impl Snap {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            analysis: &self.analysis,
            enc: self.enc,
            paths: &self.paths,
            uris: &self.uris,
            docs_url: self.analysis.config().docs_url.as_deref(),
        }
    }

    fn offset(&self, pos: lsp::Position) -> usize {
        convert::offset(&self.doc.text, &self.doc.lines, pos, self.enc)
    }

    fn text_range(&self, r: lsp::Range) -> TextRange {
        convert::text_range(&self.doc.text, &self.doc.lines, r, self.enc)
    }

    fn range(&self, r: TextRange) -> lsp::Range {
        convert::range(&self.doc.text, &self.doc.lines, r, self.enc)
    }
}

/// Parameters of `mica/documentState`.
#[derive(Debug, Deserialize)]
pub struct DocumentStateParams {
    /// The document.
    pub uri: lsp::Uri,
}

/// The server's copy of an open document, for clients and tests to compare with theirs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentState {
    /// The last version applied.
    pub version: i32,
    /// The length of the text in UTF-8 bytes.
    pub length: usize,
    /// The 64-bit FNV-1a hash of the text's UTF-8 bytes, in 16 hexadecimal digits.
    pub fnv1a: String,
}

/// The 64-bit FNV-1a hash of `bytes`.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Server {
    /// A server talking to `client`; `clean_shutdown` is set when the client asks to shut down.
    pub fn new(client: Client, clean_shutdown: Arc<AtomicBool>) -> Self {
        let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State::new(&root)),
                publish: tokio::sync::Mutex::new(()),
                clean_shutdown,
            }),
        }
    }

    /// `mica/documentState`: the version, length and hash of the server's copy of an open
    /// document, or null when it is not open.
    pub async fn document_state(
        &self,
        params: DocumentStateParams,
    ) -> Result<Option<DocumentState>> {
        let st = self.inner.lock();
        let key = st.key(&params.uri);
        Ok(st.docs.get(&key).and_then(|d| {
            let (rope, version) = d.buffer.as_ref()?;
            Some(DocumentState {
                version: *version,
                length: rope.len_bytes(),
                fnv1a: format!("{:016x}", fnv1a(rope.bytes())),
            })
        }))
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The analysis of `key` for its current text, made now if there is none. Requests that
    /// need the same analysis at once wait for one another instead of each making it.
    async fn fresh(&self, key: &str) -> Option<Analysed> {
        let gate = {
            let st = self.lock();
            let doc = st.docs.get(key)?;
            if let Some(a) = &doc.analysed
                && a.rev == doc.rev
                && a.generation == st.generation
            {
                return Some(a.clone());
            }
            Arc::clone(&doc.gate)
        };
        let _one_at_a_time = gate.lock().await;
        let (text, rev, generation, analysis, parses) = {
            let st = self.lock();
            let doc = st.docs.get(key)?;
            if let Some(a) = &doc.analysed
                && a.rev == doc.rev
                && a.generation == st.generation
            {
                return Some(a.clone());
            }
            let parses = Arc::clone(&doc.parses);
            (doc.text()?, doc.rev, st.generation, st.analysis(), parses)
        };
        let path = key.to_string();
        let data = tokio::task::spawn_blocking(move || {
            let mut cache = parses.lock().unwrap_or_else(|e| e.into_inner());
            Arc::new(analysis.analyse_with(&path, text, &mut cache))
        })
        .await
        .ok()?;
        let analysed = Analysed {
            rev,
            generation,
            data,
        };
        let mut st = self.lock();
        let current = st.generation == generation;
        if let Some(doc) = st.docs.get_mut(key)
            && doc.rev == rev
            && current
        {
            doc.analysed = Some(analysed.clone());
        }
        Some(analysed)
    }

    /// The snapshot for a request at a position, and the position as a byte offset.
    async fn at(&self, p: &lsp::TextDocumentPositionParams, all: bool) -> Option<(Snap, usize)> {
        let snap = self.snapshot(&p.text_document.uri, all).await?;
        let offset = snap.offset(p.position);
        Some((snap, offset))
    }

    /// The snapshot for a request about `uri`; with `all`, every workspace document is in it.
    async fn snapshot(&self, uri: &lsp::Uri, all: bool) -> Option<Snap> {
        let (key, others) = {
            let st = self.lock();
            let key = st.key(uri);
            if !st.docs.contains_key(&key) || !is_mica(&key) {
                return None;
            }
            let others: Vec<String> = if all {
                st.docs
                    .keys()
                    .filter(|k| is_mica(k) && **k != key)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            (key, others)
        };
        let doc = self.fresh(&key).await?.data;
        let mut rest = Vec::new();
        for k in others {
            if let Some(a) = self.fresh(&k).await {
                rest.push(a.data);
            }
        }
        let st = self.lock();
        let mut analysis = st.analysis();
        analysis.insert(Arc::clone(&doc));
        for d in rest {
            analysis.insert(d);
        }
        Some(Snap {
            analysis,
            doc,
            key,
            enc: st.enc,
            paths: st.paths.clone(),
            uris: st.uris(),
            caps: st.caps,
        })
    }

    /// React to a change of the open buffer `key`: a document is re-analysed; any other file
    /// (a source being edited, `mica.toml`) may change every document, so the world is.
    fn schedule_changed(self: &Arc<Self>, key: &str) {
        if is_mica(key) {
            self.schedule(key);
        } else {
            self.schedule_world();
        }
    }

    /// Analyse `key` soon and publish its diagnostics; changes meanwhile are coalesced.
    fn schedule(self: &Arc<Self>, key: &str) {
        {
            let mut st = self.lock();
            let Some(doc) = st.docs.get_mut(key) else {
                return;
            };
            if doc.worker.running {
                doc.worker.dirty = true;
                return;
            }
            doc.worker.running = true;
            doc.worker.dirty = false;
        }
        let this = Arc::clone(self);
        let key = key.to_string();
        tokio::spawn(async move { this.doc_worker(key).await });
    }

    async fn doc_worker(self: Arc<Self>, key: String) {
        loop {
            let delay = self.lock().delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if let Some(doc) = self.lock().docs.get_mut(&key) {
                doc.worker.dirty = false;
            }
            if let Some(a) = self.fresh(&key).await {
                self.publish(&key, &a).await;
            }
            let mut st = self.lock();
            let Some(doc) = st.docs.get_mut(&key) else {
                return;
            };
            if !doc.worker.dirty {
                doc.worker.running = false;
                return;
            }
        }
    }

    /// Publish the diagnostics of `a` if it is still the analysis of `key`'s current text.
    async fn publish(&self, key: &str, a: &Analysed) {
        if !is_mica(key) {
            return;
        }
        let _order = self.publish.lock().await;
        let (uri, version, diagnostics) = {
            let mut st = self.lock();
            let generation = st.generation;
            let Some(doc) = st.docs.get(key) else { return };
            if doc.rev != a.rev || generation != a.generation {
                return;
            }
            let version = doc.buffer.as_ref().map(|(_, v)| *v);
            let uri = doc.uri.clone();
            let mut analysis = st.analysis();
            analysis.insert(Arc::clone(&a.data));
            let uris = st.uris();
            let ctx = Ctx {
                analysis: &analysis,
                enc: st.enc,
                paths: &st.paths,
                uris: &uris,
                docs_url: st.config.docs_url.as_deref(),
            };
            let diagnostics: Vec<lsp::Diagnostic> = a
                .data
                .diagnostics()
                .iter()
                .filter_map(|d| ctx.diagnostic(d))
                .collect();
            let doc = st.docs.get_mut(key).expect("checked above");
            // An open document always hears about its version; a closed one only when its
            // diagnostics change from or to none.
            if diagnostics.is_empty() && !doc.published && version.is_none() {
                return;
            }
            doc.published = !diagnostics.is_empty();
            (uri, version, diagnostics)
        };
        self.client
            .publish_diagnostics(uri, diagnostics, version)
            .await;
    }

    /// Clear the diagnostics of a document the server forgot.
    async fn clear(&self, uri: lsp::Uri) {
        let _order = self.publish.lock().await;
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    /// Re-read the workspace (configuration, open sources, `.mica` files on disk) soon, then
    /// re-check everything. Requests meanwhile are coalesced.
    fn schedule_world(self: &Arc<Self>) {
        {
            let mut st = self.lock();
            if st.world.running {
                st.world.dirty = true;
                return;
            }
            st.world.running = true;
            st.world.dirty = false;
        }
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                this.lock().world.dirty = false;
                this.refresh_world().await;
                let mut st = this.lock();
                if !st.world.dirty {
                    st.world.running = false;
                    return;
                }
            }
        });
    }

    async fn refresh_world(self: &Arc<Self>) {
        // The configuration and the open buffers of non-`.mica` files, read under the lock.
        let (root, config_buffer, overlays, provider) = {
            let st = self.lock();
            let config_buffer = st
                .docs
                .get(CONFIG_FILE)
                .and_then(|d| d.buffer.as_ref())
                .map(|(r, _)| r.to_string());
            let overlays: Vec<(String, String)> = st
                .docs
                .iter()
                .filter(|(k, d)| !is_mica(k) && k.as_str() != CONFIG_FILE && d.buffer.is_some())
                .filter_map(|(k, d)| Some((k.clone(), d.text()?)))
                .collect();
            (
                st.paths.root().to_path_buf(),
                config_buffer,
                overlays,
                Arc::clone(&st.provider),
            )
        };
        let scanned = tokio::task::spawn_blocking(move || {
            scan_workspace(&root, config_buffer, &overlays, &provider)
        })
        .await;
        let Ok(scan) = scanned else { return };
        let mut closed = Vec::new();
        let mut forgotten = Vec::new();
        let mut open = Vec::new();
        {
            let mut st = self.lock();
            st.config = Arc::new(scan.config);
            st.config_error = scan.config_error;
            st.generation += 1;
            let discovered: BTreeSet<&String> = scan.files.iter().map(|(k, _)| k).collect();
            let gone: Vec<String> = st
                .docs
                .iter()
                .filter(|(k, d)| is_mica(k) && d.buffer.is_none() && !discovered.contains(k))
                .map(|(k, _)| k.clone())
                .collect();
            for k in gone {
                if let Some(d) = st.docs.remove(&k)
                    && d.published
                {
                    forgotten.push(d.uri);
                }
            }
            for (key, text) in scan.files {
                let rev = st.rev();
                let uri = st.docs.get(&key).map(|d| d.uri.clone());
                let uri = match uri.or_else(|| st.paths.uri(&key)) {
                    Some(u) => u,
                    None => continue,
                };
                let doc = st.docs.entry(key.clone()).or_insert_with(|| Doc {
                    uri,
                    buffer: None,
                    disk: None,
                    rev,
                    analysed: None,
                    worker: Worker::default(),
                    published: false,
                    parses: Arc::default(),
                    gate: Arc::default(),
                });
                let changed = doc.disk.as_deref() != Some(&text);
                doc.disk = Some(Arc::new(text));
                if doc.buffer.is_none() && changed {
                    doc.rev = rev;
                }
            }
            for (k, d) in &st.docs {
                if !is_mica(k) {
                    continue;
                }
                if d.buffer.is_some() {
                    open.push(k.clone());
                } else {
                    closed.push(k.clone());
                }
            }
        }
        for uri in forgotten {
            self.clear(uri).await;
        }
        for k in open {
            self.schedule(&k);
        }
        // Closed documents are checked one after another, so that a large workspace does not
        // flood the blocking pool; open ones have their own workers.
        for k in closed {
            if let Some(a) = self.fresh(&k).await {
                self.publish(&k, &a).await;
            }
        }
        self.publish_config().await;
        self.update_watchers().await;
    }

    /// The diagnostics of `mica.toml`: why it cannot be read, or its invalid values and
    /// unreadable sources.
    async fn publish_config(&self) {
        let _order = self.publish.lock().await;
        let (uri, diagnostics) = {
            let mut st = self.lock();
            let path = st.paths.path(CONFIG_FILE);
            let uri = st
                .docs
                .get(CONFIG_FILE)
                .map(|d| d.uri.clone())
                .or_else(|| st.paths.uri(CONFIG_FILE));
            let Some(uri) = uri else { return };
            let open = st.docs.get(CONFIG_FILE).is_some_and(|d| d.buffer.is_some());
            if !open && !path.is_file() && !st.config_published {
                return;
            }
            let diagnostics = match &st.config_error {
                Some(e) => {
                    let text = st
                        .docs
                        .get(CONFIG_FILE)
                        .and_then(Doc::text)
                        .or_else(|| std::fs::read_to_string(&path).ok())
                        .unwrap_or_default();
                    vec![config_error_diagnostic(&text, e, st.enc)]
                }
                None => {
                    let analysis = st.analysis();
                    let uris = st.uris();
                    let ctx = Ctx {
                        analysis: &analysis,
                        enc: st.enc,
                        paths: &st.paths,
                        uris: &uris,
                        docs_url: st.config.docs_url.as_deref(),
                    };
                    analysis
                        .config_diagnostics()
                        .iter()
                        .filter_map(|d| ctx.diagnostic(d))
                        .collect()
                }
            };
            if diagnostics.is_empty() && !st.config_published {
                return;
            }
            st.config_published = !diagnostics.is_empty();
            (uri, diagnostics)
        };
        self.client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }

    /// Watch `.mica` files, `mica.toml` and every declared source, if the client lets the
    /// server register watchers.
    async fn update_watchers(&self) {
        let (globs, relative, root, registered) = {
            let mut st = self.lock();
            if !st.caps.watch_dynamic {
                return;
            }
            let mut globs: BTreeSet<String> = ["**/*.mica".to_string(), "**/mica.toml".to_string()]
                .into_iter()
                .collect();
            for s in &st.config.sources {
                globs.insert(s.path.clone());
            }
            for d in st.docs.values() {
                if let Some(a) = &d.analysed {
                    for s in &a.data.parse.document.sources {
                        if let Some(p) = &s.path {
                            globs.insert(p.value.clone());
                        }
                    }
                }
            }
            let globs: Vec<String> = globs.into_iter().collect();
            if globs == st.watched {
                return;
            }
            let registered = !st.watched.is_empty();
            st.watched = globs.clone();
            (
                globs,
                st.caps.relative_patterns,
                st.paths.uri(""),
                registered,
            )
        };
        let watchers: Vec<lsp::FileSystemWatcher> = globs
            .into_iter()
            .map(|g| {
                let glob_pattern = if g.starts_with("**/") {
                    lsp::GlobPattern::String(g)
                } else {
                    let escaped = escape_glob(g.trim_start_matches("./"));
                    match (&root, relative) {
                        (Some(base), true) => lsp::GlobPattern::Relative(lsp::RelativePattern {
                            base_uri: lsp::OneOf::Right(base.clone()),
                            pattern: escaped,
                        }),
                        _ => lsp::GlobPattern::String(format!("**/{escaped}")),
                    }
                };
                lsp::FileSystemWatcher {
                    glob_pattern,
                    kind: None,
                }
            })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        if registered {
            let _ = self
                .client
                .unregister_capability(vec![lsp::Unregistration {
                    id: WATCH_ID.into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                }])
                .await;
        }
        let registration = lsp::Registration {
            id: WATCH_ID.into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.client
                .log_message(
                    lsp::MessageType::WARNING,
                    format!("mica: could not watch files: {e}"),
                )
                .await;
        }
    }
}

/// Escape glob metacharacters of a literal path.
fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// A configuration that cannot be read, as one diagnostic at the place it names.
fn config_error_diagnostic(text: &str, e: &ConfigError, enc: Encoding) -> lsp::Diagnostic {
    let lines = LineIndex::new(text);
    let range = match e.position {
        Some((line, col)) => {
            let lc = LineCol {
                line: line.saturating_sub(1),
                col: col.saturating_sub(1),
            };
            let start = lines.offset(text, lc, ColumnUnit::Char);
            let end = lines
                .line_content_range(text, lines.line_of(start))
                .map_or(start, |r| r.end);
            convert::range(text, &lines, TextRange::new(start, end), enc)
        }
        None => lsp::Range::default(),
    };
    lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("mica".into()),
        message: format!(
            "{}: the workspace is checked without it until it is fixed",
            e.message
        ),
        ..Default::default()
    }
}

/// What the workspace holds on disk.
struct Scan {
    config: Config,
    config_error: Option<ConfigError>,
    /// `.mica` files: key and text.
    files: Vec<(String, String)>,
}

fn scan_workspace(
    root: &Path,
    config_buffer: Option<String>,
    overlays: &[(String, String)],
    provider: &OverlayProvider,
) -> Scan {
    let text = config_buffer
        .or_else(|| std::fs::read_to_string(root.join(CONFIG_FILE)).ok())
        .unwrap_or_default();
    let (config, config_error) = match Config::parse(&text) {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e)),
    };
    provider.invalidate_all();
    provider.clear_overlays();
    for (k, t) in overlays {
        provider.set_overlay(k, t.clone());
    }
    let paths = Paths::new(root);
    let files = mica_check::workspace::discover(root, &config, &[])
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            if meta.len() > DISK_LIMIT {
                return None;
            }
            let text = std::fs::read_to_string(&p).ok()?;
            Some((paths.key_of_path(&p), text))
        })
        .collect();
    Scan {
        config,
        config_error,
        files,
    }
}

/// The `.mica` file at `key` on disk, if it is part of the workspace.
fn read_disk(paths: &Paths, config: &Config, key: &str) -> Option<String> {
    if !is_mica(key) || Path::new(key).is_absolute() || config.is_excluded(key) {
        return None;
    }
    let path = paths.path(key);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > DISK_LIMIT {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn options_delay(options: Option<&Value>) -> Option<Duration> {
    let ms = options?.get("diagnosticDelayMs")?.as_u64()?;
    Some(Duration::from_millis(ms.min(5_000)))
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let enc = Encoding::negotiate(&params.capabilities);
        let folder = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .and_then(|f| f.uri.to_file_path().map(|p| p.into_owned()))
            .or_else(|| {
                #[allow(deprecated)]
                params
                    .root_uri
                    .as_ref()
                    .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
            })
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let root = mica_check::workspace::find_root(&folder).unwrap_or(folder);
        let c = &params.capabilities;
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        let caps = Caps {
            link_support: td
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            watch_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            relative_patterns: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.relative_pattern_support)
                .unwrap_or(false),
        };
        {
            let mut st = self.inner.lock();
            let docs = std::mem::take(&mut st.docs);
            *st = State::new(&root);
            st.docs = docs;
            st.enc = enc;
            st.caps = caps;
            // The configuration is read now, so that documents opened before the first
            // workspace scan are checked with it.
            let text = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
            match Config::parse(&text) {
                Ok(c) => st.config = Arc::new(c),
                Err(e) => st.config_error = Some(e),
            }
            if let Some(d) = options_delay(params.initialization_options.as_ref()) {
                st.delay = d;
            }
        }
        let legend = lsp::SemanticTokensLegend {
            token_types: to_lsp::TOKEN_TYPES.to_vec(),
            token_modifiers: to_lsp::TOKEN_MODIFIERS.to_vec(),
        };
        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(enc.kind()),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            definition_provider: Some(lsp::OneOf::Left(true)),
            references_provider: Some(lsp::OneOf::Left(true)),
            document_highlight_provider: Some(lsp::OneOf::Left(true)),
            completion_provider: Some(lsp::CompletionOptions {
                trigger_characters: Some(
                    ["=", "#", "\"", ":", "/", "{"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                ),
                ..Default::default()
            }),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                    ..Default::default()
                },
            )),
            rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_symbol_provider: Some(lsp::OneOf::Left(true)),
            workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
            folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
            semantic_tokens_provider: Some(
                lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                    lsp::SemanticTokensOptions {
                        legend,
                        full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                        range: Some(false),
                        ..Default::default()
                    },
                ),
            ),
            inlay_hint_provider: Some(lsp::OneOf::Left(true)),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            capabilities,
            server_info: Some(lsp::ServerInfo {
                name: "mica".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        self.inner.schedule_world();
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.clean_shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let td = params.text_document;
        let key = {
            let mut st = self.inner.lock();
            let key = st.key(&td.uri);
            let rev = st.rev();
            let doc = st.docs.entry(key.clone()).or_insert_with(|| Doc {
                uri: td.uri.clone(),
                buffer: None,
                disk: None,
                rev,
                analysed: None,
                worker: Worker::default(),
                published: false,
                parses: Arc::default(),
                gate: Arc::default(),
            });
            doc.uri = td.uri;
            doc.buffer = Some((Rope::from_str(&td.text), td.version));
            doc.rev = rev;
            key
        };
        self.inner.schedule_changed(&key);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        // Applied at once, under the lock and before any `.await`, so that changes are applied
        // in the order they arrived.
        let key = {
            let mut st = self.inner.lock();
            let key = st.key(&params.text_document.uri);
            let enc = st.enc;
            let rev = st.rev();
            let Some(doc) = st.docs.get_mut(&key) else {
                return;
            };
            let Some((rope, version)) = doc.buffer.as_mut() else {
                return;
            };
            for change in &params.content_changes {
                convert::apply_change(rope, change, enc);
            }
            *version = params.text_document.version;
            doc.rev = rev;
            key
        };
        self.inner.schedule_changed(&key);
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        let key = self.inner.lock().key(&params.text_document.uri);
        if !is_mica(&key) {
            self.inner.schedule_world();
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (key, keep) = {
            let mut st = self.inner.lock();
            let key = st.key(&uri);
            let disk = read_disk(&st.paths, &st.config, &key);
            let rev = st.rev();
            let Some(doc) = st.docs.get_mut(&key) else {
                return;
            };
            doc.buffer = None;
            doc.rev = rev;
            // A workspace file shows the diagnostics of its saved text; anything else is
            // forgotten and its diagnostics cleared.
            let keep = disk.is_some();
            doc.disk = disk.map(Arc::new);
            if !keep {
                st.docs.remove(&key);
            }
            (key, keep)
        };
        if !is_mica(&key) {
            self.inner.schedule_world();
        } else if keep {
            self.inner.schedule(&key);
        } else {
            self.inner.clear(uri).await;
        }
    }

    async fn did_change_watched_files(&self, _: lsp::DidChangeWatchedFilesParams) {
        self.inner.schedule_world();
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = params.text_document_position_params;
        let Some((snap, offset)) = self.inner.at(&p, false).await else {
            return Ok(None);
        };
        Ok(
            mica_ide::hover(&snap.analysis, &snap.key, offset).map(|h| lsp::Hover {
                contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: Some(snap.range(h.range)),
            }),
        )
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some((snap, offset)) = self.inner.at(&p, false).await else {
            return Ok(None);
        };
        let targets = mica_ide::definition(&snap.analysis, &snap.key, offset);
        if targets.is_empty() {
            return Ok(None);
        }
        let ctx = snap.ctx();
        if snap.caps.link_support {
            let links: Vec<lsp::LocationLink> = targets
                .iter()
                .filter_map(|t| {
                    let range = ctx.range(&t.file, t.range)?;
                    Some(lsp::LocationLink {
                        origin_selection_range: Some(snap.range(t.origin)),
                        target_uri: ctx.uri(&t.file)?,
                        target_range: range,
                        target_selection_range: range,
                    })
                })
                .collect();
            return Ok(Some(lsp::GotoDefinitionResponse::Link(links)));
        }
        let locations: Vec<lsp::Location> = targets
            .iter()
            .filter_map(|t| ctx.location(&t.file, t.range))
            .collect();
        Ok(Some(lsp::GotoDefinitionResponse::Array(locations)))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let p = params.text_document_position;
        let Some((snap, offset)) = self.inner.at(&p, true).await else {
            return Ok(None);
        };
        let refs = mica_ide::references(
            &snap.analysis,
            &snap.key,
            offset,
            params.context.include_declaration,
        );
        let ctx = snap.ctx();
        Ok(Some(
            refs.iter()
                .filter_map(|l| ctx.location(&l.file, l.range))
                .collect(),
        ))
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let p = params.text_document_position_params;
        let Some((snap, offset)) = self.inner.at(&p, false).await else {
            return Ok(None);
        };
        let hs = mica_ide::highlights(&snap.analysis, &snap.key, offset);
        Ok(Some(
            hs.iter()
                .map(|h| lsp::DocumentHighlight {
                    range: snap.range(h.range),
                    kind: Some(if h.declaration {
                        lsp::DocumentHighlightKind::WRITE
                    } else {
                        lsp::DocumentHighlightKind::READ
                    }),
                })
                .collect(),
        ))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let p = params.text_document_position;
        let Some((snap, offset)) = self.inner.at(&p, false).await else {
            return Ok(None);
        };
        let items = mica_ide::completions(&snap.analysis, &snap.key, offset);
        let incomplete = items
            .iter()
            .any(|i| i.kind == mica_ide::CompletionKind::Quote);
        let items: Vec<lsp::CompletionItem> = items
            .into_iter()
            .enumerate()
            .map(|(n, it)| lsp::CompletionItem {
                label: it.label,
                kind: Some(to_lsp::completion_kind(it.kind)),
                detail: it.detail,
                documentation: it.documentation.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                sort_text: Some(format!("{n:04}")),
                filter_text: it.filter_text,
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    snap.range(it.range),
                    it.text,
                ))),
                command: it.retrigger.then(|| lsp::Command {
                    title: "Suggest".into(),
                    command: "editor.action.triggerSuggest".into(),
                    arguments: None,
                }),
                ..Default::default()
            })
            .collect();
        Ok(Some(lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: incomplete,
            items,
        })))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let Some(snap) = self.inner.snapshot(&params.text_document.uri, false).await else {
            return Ok(None);
        };
        let range = snap.text_range(params.range);
        let actions = mica_ide::code_actions(&snap.analysis, &snap.key, range);
        let ctx = snap.ctx();
        Ok(Some(
            actions
                .iter()
                .filter_map(|a| {
                    Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                        title: a.title.clone(),
                        kind: Some(lsp::CodeActionKind::QUICKFIX),
                        diagnostics: a
                            .diagnostic
                            .as_ref()
                            .and_then(|d| ctx.diagnostic(d))
                            .map(|d| vec![d]),
                        edit: Some(ctx.workspace_edit(&a.edits)?),
                        is_preferred: a.preferred.then_some(true),
                        ..Default::default()
                    }))
                })
                .collect(),
        ))
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let Some((snap, offset)) = self.inner.at(&params, false).await else {
            return Ok(None);
        };
        match mica_ide::prepare_rename(&snap.analysis, &snap.key, offset) {
            Ok((range, placeholder)) => {
                Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                    range: snap.range(range),
                    placeholder,
                }))
            }
            Err(msg) => Err(Error::invalid_params(msg)),
        }
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some((snap, offset)) = self.inner.at(&p, true).await else {
            return Ok(None);
        };
        let edits = mica_ide::rename(&snap.analysis, &snap.key, offset, &params.new_name)
            .map_err(Error::invalid_params)?;
        Ok(snap.ctx().workspace_edit(&edits))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let Some(snap) = self.inner.snapshot(&params.text_document.uri, false).await else {
            return Ok(None);
        };
        let symbols = mica_ide::document_symbols(&snap.analysis, &snap.key);
        if snap.caps.hierarchical_symbols {
            fn nested(snap: &Snap, s: &mica_ide::Symbol) -> lsp::DocumentSymbol {
                #[allow(deprecated)]
                lsp::DocumentSymbol {
                    name: s.name.clone(),
                    detail: s.detail.clone(),
                    kind: to_lsp::symbol_kind(s.kind),
                    tags: None,
                    deprecated: None,
                    range: snap.range(s.range),
                    selection_range: snap.range(s.selection_range),
                    children: Some(s.children.iter().map(|c| nested(snap, c)).collect()),
                }
            }
            let out = symbols.iter().map(|s| nested(&snap, s)).collect();
            return Ok(Some(lsp::DocumentSymbolResponse::Nested(out)));
        }
        fn flat(
            snap: &Snap,
            uri: &lsp::Uri,
            s: &mica_ide::Symbol,
            container: Option<&str>,
            out: &mut Vec<lsp::SymbolInformation>,
        ) {
            #[allow(deprecated)]
            out.push(lsp::SymbolInformation {
                name: s.name.clone(),
                kind: to_lsp::symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: lsp::Location::new(uri.clone(), snap.range(s.range)),
                container_name: container.map(str::to_string),
            });
            for c in &s.children {
                flat(snap, uri, c, Some(&s.name), out);
            }
        }
        let mut out = Vec::new();
        for s in &symbols {
            flat(&snap, &params.text_document.uri, s, None, &mut out);
        }
        Ok(Some(lsp::DocumentSymbolResponse::Flat(out)))
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let any = {
            let st = self.inner.lock();
            st.docs
                .iter()
                .find(|(k, _)| is_mica(k))
                .map(|(_, d)| d.uri.clone())
        };
        let snap = match any {
            Some(uri) => self.inner.snapshot(&uri, true).await,
            None => None,
        };
        let (analysis, ctx_parts) = match &snap {
            Some(s) => (s.analysis.clone(), Some(s)),
            None => (self.inner.lock().analysis(), None),
        };
        let (enc, paths, uris) = match ctx_parts {
            Some(s) => (s.enc, s.paths.clone(), s.uris.clone()),
            None => {
                let st = self.inner.lock();
                (st.enc, st.paths.clone(), st.uris())
            }
        };
        let ctx = Ctx {
            analysis: &analysis,
            enc,
            paths: &paths,
            uris: &uris,
            docs_url: None,
        };
        let found = mica_ide::workspace_symbols(&analysis, &params.query, 512);
        let out = found
            .iter()
            .filter_map(|s| {
                Some(lsp::WorkspaceSymbol {
                    name: s.name.clone(),
                    kind: to_lsp::symbol_kind(s.kind),
                    tags: None,
                    container_name: s.container.clone(),
                    location: lsp::OneOf::Left(ctx.location(&s.location.file, s.location.range)?),
                    data: None,
                })
            })
            .collect();
        Ok(Some(lsp::WorkspaceSymbolResponse::Nested(out)))
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let Some(snap) = self.inner.snapshot(&params.text_document.uri, false).await else {
            return Ok(None);
        };
        let folds = mica_ide::folding_ranges(&snap.analysis, &snap.key);
        Ok(Some(
            folds
                .iter()
                .map(|f| {
                    let r = snap.range(f.range);
                    lsp::FoldingRange {
                        start_line: r.start.line,
                        start_character: None,
                        end_line: r.end.line,
                        end_character: None,
                        kind: to_lsp::fold_kind(f.kind),
                        collapsed_text: None,
                    }
                })
                .collect(),
        ))
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let Some(snap) = self.inner.snapshot(&params.text_document.uri, false).await else {
            return Ok(None);
        };
        let tokens = mica_ide::semantic_tokens(&snap.analysis, &snap.key);
        let data = to_lsp::semantic_tokens(&snap.doc.text, &snap.doc.lines, &tokens, snap.enc);
        Ok(Some(lsp::SemanticTokensResult::Tokens(
            lsp::SemanticTokens {
                result_id: None,
                data,
            },
        )))
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        let Some(snap) = self.inner.snapshot(&params.text_document.uri, false).await else {
            return Ok(None);
        };
        let range = snap.text_range(params.range);
        let hints = mica_ide::inlay_hints(&snap.analysis, &snap.key, range);
        Ok(Some(
            hints
                .into_iter()
                .map(|h| lsp::InlayHint {
                    position: convert::position(
                        &snap.doc.text,
                        &snap.doc.lines,
                        h.offset,
                        snap.enc,
                    ),
                    label: lsp::InlayHintLabel::String(h.label),
                    kind: None,
                    text_edits: None,
                    tooltip: h.tooltip.map(lsp::InlayHintTooltip::String),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect(),
        ))
    }
}
