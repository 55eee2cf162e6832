//! The language server: document state, analysis scheduling, versioned diagnostics, and the
//! protocol handlers, which call the IDE functions on an immutable snapshot.
//!
//! Ordering: tower-lsp runs handlers concurrently, but starts them in the order messages
//! arrive. Every handler that changes a document does so synchronously, under the state lock,
//! before its first `.await`; analysis then runs on a copy of the text, and its result is kept
//! and published only if the document has not changed since (its revision and the workspace's
//! generation still match).
//!
//! Workspaces: like `mica check`, each document is checked in the workspace of the nearest
//! `mica.toml` at or above its folder (the root given at `initialize` when there is none, and
//! for buffers that are not files). Each workspace has its own configuration and sources, and
//! paths inside an analysis are relative to the root of the document's workspace.

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
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// Which document: the workspace it is checked in (its canonical root) and its path there
/// (relative to the root, absolute outside it, or the URI for a buffer that is not a file).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct DocId {
    root: PathBuf,
    path: String,
}

/// A document the server knows: open in the editor, or a `.mica` file of a workspace.
struct Doc {
    uri: lsp::Uri,
    /// Whether it is a Mica document (rather than a source or `mica.toml` being edited).
    mica: bool,
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
    /// The revision and generation whose diagnostics were published last.
    published_at: Option<(u64, u64)>,
    /// The source paths its last analysis declared, as the file watchers know them.
    declared: BTreeSet<String>,
    /// The parses of its paragraphs, so that an edit re-parses one paragraph.
    parses: Arc<Mutex<ParseCache>>,
    /// Held while the document is analysed.
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl Doc {
    fn new(uri: lsp::Uri, mica: bool, rev: u64) -> Self {
        Self {
            uri,
            mica,
            buffer: None,
            disk: None,
            rev,
            analysed: None,
            worker: Worker::default(),
            published: false,
            published_at: None,
            declared: BTreeSet::new(),
            parses: Arc::default(),
            gate: Arc::default(),
        }
    }

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

/// One workspace: a root with its configuration and its sources (open buffers over the disk).
struct Ws {
    paths: Paths,
    config: Arc<Config>,
    config_error: Option<ConfigError>,
    provider: Arc<OverlayProvider>,
    config_published: bool,
}

impl Ws {
    /// The workspace at `root`, with its configuration read now, so that documents opened
    /// before the next workspace scan are checked with it.
    fn new(root: &Path) -> Self {
        // Read with the rules for sources: never outside the root, never a FIFO or a device.
        let (_, parsed) = mica_check::workspace::read_config_lenient(root);
        let (config, config_error) = match parsed {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        Self {
            paths: Paths::new(root),
            config: Arc::new(config),
            config_error,
            provider: Arc::new(OverlayProvider::new(root)),
            config_published: false,
        }
    }

    fn analysis(&self) -> Analysis {
        Analysis::new(
            Arc::clone(&self.config),
            Arc::clone(&self.provider) as Arc<dyn SourceProvider>,
        )
    }
}

/// A file watcher: a pattern, relative to a workspace root unless it starts with `**/`.
type Watch = (Option<PathBuf>, String);

struct State {
    enc: Encoding,
    caps: Caps,
    /// The canonical root chosen at `initialize`: the workspace of documents that have no
    /// `mica.toml` above them.
    root: PathBuf,
    workspaces: BTreeMap<PathBuf, Ws>,
    /// The documents open in the editor, by URI: a document stays in the workspace it was
    /// opened in until it is closed.
    open: HashMap<String, DocId>,
    /// Bumped when a configuration or a source changes: every analysis is then stale.
    generation: u64,
    next_rev: u64,
    docs: HashMap<DocId, Doc>,
    world: Worker,
    delay: Duration,
    watched: BTreeSet<Watch>,
}

/// The canonical form of a root, which names its workspace.
fn canonical(root: &Path) -> PathBuf {
    root.canonicalize()
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf())
}

impl State {
    fn new(root: &Path) -> Self {
        let key = canonical(root);
        let mut workspaces = BTreeMap::new();
        workspaces.insert(key.clone(), Ws::new(root));
        Self {
            enc: Encoding::Utf16,
            caps: Caps::default(),
            root: key,
            workspaces,
            open: HashMap::new(),
            generation: 0,
            next_rev: 0,
            docs: HashMap::new(),
            world: Worker::default(),
            delay: DEFAULT_DELAY,
            watched: BTreeSet::new(),
        }
    }

    fn rev(&mut self) -> u64 {
        self.next_rev += 1;
        self.next_rev
    }

    /// The workspace rooted at the canonical `root`, made if it is new.
    fn ws(&mut self, root: &Path) -> &mut Ws {
        self.workspaces
            .entry(root.to_path_buf())
            .or_insert_with(|| Ws::new(root))
    }

    /// The workspace of a document.
    fn ws_of(&self, id: &DocId) -> &Ws {
        self.workspaces
            .get(&id.root)
            .unwrap_or_else(|| self.ws_of_root())
    }

    /// The workspace of the initialize root.
    fn ws_of_root(&self) -> &Ws {
        &self.workspaces[&self.root]
    }

    fn analysis(&self, id: &DocId) -> Analysis {
        self.ws_of(id).analysis()
    }

    /// The document `uri` names: the one open under it, else the file in the workspace of the
    /// nearest `mica.toml` above it (the initialize root's workspace when there is none, or
    /// when it is not a file).
    fn id(&self, uri: &lsp::Uri) -> DocId {
        if let Some(id) = self.open.get(uri.as_str()) {
            return id.clone();
        }
        let file = uri
            .scheme()
            .as_str()
            .eq_ignore_ascii_case("file")
            .then(|| uri.to_file_path())
            .flatten();
        let found = file
            .as_ref()
            .and_then(|p| p.parent().and_then(mica_check::workspace::find_root));
        let root = found
            .as_deref()
            .map_or_else(|| self.root.clone(), canonical);
        let path = match (self.workspaces.get(&root), &found) {
            (Some(ws), _) => ws.paths.key(uri),
            (None, Some(found)) => Paths::new(found).key(uri),
            (None, None) => None,
        };
        DocId {
            path: path.unwrap_or_else(|| uri.as_str().to_string()),
            root,
        }
    }

    /// The URIs of the documents of the workspace at `root`, by path.
    fn uris(&self, root: &Path) -> HashMap<String, lsp::Uri> {
        self.docs
            .iter()
            .filter(|(id, _)| id.root == root)
            .map(|(id, d)| (id.path.clone(), d.uri.clone()))
            .collect()
    }

    fn is_mica(&self, id: &DocId) -> bool {
        self.docs.get(id).is_some_and(|d| d.mica)
    }
}

/// Whether a path names a Mica document.
fn is_mica_path(path: &str) -> bool {
    path.ends_with(".mica")
}

pub(crate) struct Inner {
    client: Client,
    state: Mutex<State>,
    publish: tokio::sync::Mutex<()>,
    /// Held while the file watchers are registered, so that registrations do not interleave.
    watch: tokio::sync::Mutex<()>,
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
                watch: tokio::sync::Mutex::new(()),
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
        let key = st.id(&params.uri);
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

    /// The analysis of `id` for its current text, made now if there is none. Requests that
    /// need the same analysis at once wait for one another instead of each making it.
    async fn fresh(&self, id: &DocId) -> Option<Analysed> {
        let gate = {
            let st = self.lock();
            let doc = st.docs.get(id)?;
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
            let doc = st.docs.get(id)?;
            if let Some(a) = &doc.analysed
                && a.rev == doc.rev
                && a.generation == st.generation
            {
                return Some(a.clone());
            }
            let parses = Arc::clone(&doc.parses);
            (doc.text()?, doc.rev, st.generation, st.analysis(id), parses)
        };
        let path = id.path.clone();
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
        if let Some(doc) = st.docs.get_mut(id)
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

    /// The snapshot for a request about `uri`; with `all`, every document of its workspace is
    /// in it.
    async fn snapshot(&self, uri: &lsp::Uri, all: bool) -> Option<Snap> {
        let (id, others) = {
            let st = self.lock();
            let id = st.id(uri);
            if !st.is_mica(&id) {
                return None;
            }
            let others: Vec<DocId> = if all {
                st.docs
                    .iter()
                    .filter(|(k, d)| d.mica && k.root == id.root && **k != id)
                    .map(|(k, _)| k.clone())
                    .collect()
            } else {
                Vec::new()
            };
            (id, others)
        };
        let doc = self.fresh(&id).await?.data;
        let mut rest = Vec::new();
        for k in others {
            if let Some(a) = self.fresh(&k).await {
                rest.push(a.data);
            }
        }
        let st = self.lock();
        let mut analysis = st.analysis(&id);
        analysis.insert(Arc::clone(&doc));
        for d in rest {
            analysis.insert(d);
        }
        Some(Snap {
            analysis,
            doc,
            enc: st.enc,
            paths: st.ws_of(&id).paths.clone(),
            uris: st.uris(&id.root),
            caps: st.caps,
            key: id.path,
        })
    }

    /// React to a change of the open buffer `id`: a document is re-analysed; any other file
    /// (a source being edited, `mica.toml`) may change every document, so the world is.
    fn schedule_changed(self: &Arc<Self>, id: &DocId) {
        if self.lock().is_mica(id) {
            self.schedule(id);
        } else {
            self.schedule_world();
        }
    }

    /// Analyse `id` soon and publish its diagnostics; changes meanwhile are coalesced.
    fn schedule(self: &Arc<Self>, id: &DocId) {
        {
            let mut st = self.lock();
            let Some(doc) = st.docs.get_mut(id) else {
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
        let id = id.clone();
        tokio::spawn(async move { this.doc_worker(id).await });
    }

    async fn doc_worker(self: Arc<Self>, id: DocId) {
        loop {
            let delay = self.lock().delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if let Some(doc) = self.lock().docs.get_mut(&id) {
                doc.worker.dirty = false;
            }
            if let Some(a) = self.fresh(&id).await {
                self.publish(&id, &a).await;
                if self.note_declared(&id, &a) {
                    self.update_watchers().await;
                }
            }
            let mut st = self.lock();
            let Some(doc) = st.docs.get_mut(&id) else {
                return;
            };
            if !doc.worker.dirty {
                doc.worker.running = false;
                return;
            }
        }
    }

    /// Remember the source paths `a` declares for `id`; whether they changed, so that the file
    /// watchers must be updated.
    fn note_declared(&self, id: &DocId, a: &Analysed) -> bool {
        let declared = declared_paths(&a.data);
        let mut st = self.lock();
        if !st.caps.watch_dynamic {
            return false;
        }
        match st.docs.get_mut(id) {
            Some(doc) if doc.declared != declared => {
                doc.declared = declared;
                true
            }
            _ => false,
        }
    }

    /// Publish the diagnostics of `a` if it is still the analysis of `id`'s current text and
    /// they were not published already.
    async fn publish(&self, id: &DocId, a: &Analysed) {
        let _order = self.publish.lock().await;
        let (uri, version, diagnostics) = {
            let mut st = self.lock();
            let generation = st.generation;
            let Some(doc) = st.docs.get(id) else { return };
            if !doc.mica
                || doc.rev != a.rev
                || generation != a.generation
                || doc.published_at == Some((a.rev, a.generation))
            {
                return;
            }
            let version = doc.buffer.as_ref().map(|(_, v)| *v);
            let uri = doc.uri.clone();
            let ws = st.ws_of(id);
            let mut analysis = ws.analysis();
            analysis.insert(Arc::clone(&a.data));
            let uris = st.uris(&id.root);
            let ctx = Ctx {
                analysis: &analysis,
                enc: st.enc,
                paths: &ws.paths,
                uris: &uris,
                docs_url: ws.config.docs_url.as_deref(),
            };
            let diagnostics: Vec<lsp::Diagnostic> = a
                .data
                .diagnostics()
                .iter()
                .filter_map(|d| ctx.diagnostic(d))
                .collect();
            let doc = st.docs.get_mut(id).expect("checked above");
            doc.published_at = Some((a.rev, a.generation));
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

    /// Re-read the workspaces (configuration, open sources, `.mica` files on disk) soon, then
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
        // Each workspace's configuration and open buffers of non-`.mica` files, read under the
        // lock.
        let (home, jobs) = {
            let st = self.lock();
            let jobs: Vec<ScanJob> = st
                .workspaces
                .iter()
                .map(|(key, ws)| {
                    let config_id = DocId {
                        root: key.clone(),
                        path: CONFIG_FILE.to_string(),
                    };
                    let config_buffer = st
                        .docs
                        .get(&config_id)
                        .and_then(|d| d.buffer.as_ref())
                        .map(|(r, _)| r.to_string());
                    let overlays: Vec<(String, String)> = st
                        .docs
                        .iter()
                        .filter(|(k, d)| {
                            k.root == *key && !d.mica && k.path != CONFIG_FILE && d.buffer.is_some()
                        })
                        .filter_map(|(k, d)| Some((k.path.clone(), d.text()?)))
                        .collect();
                    ScanJob {
                        key: key.clone(),
                        paths: ws.paths.clone(),
                        config_buffer,
                        overlays,
                        provider: Arc::clone(&ws.provider),
                    }
                })
                .collect();
            (st.root.clone(), jobs)
        };
        let scanned = tokio::task::spawn_blocking(move || scan_all(&home, jobs)).await;
        let Ok(scans) = scanned else { return };
        let mut closed = Vec::new();
        let mut forgotten = Vec::new();
        let mut open = Vec::new();
        let mut roots = Vec::new();
        {
            let mut st = self.lock();
            st.generation += 1;
            for (key, new, scan) in scans {
                roots.push(key.clone());
                if let Some(ws) = new {
                    st.workspaces.entry(key.clone()).or_insert(ws);
                }
                let ws = st.ws(&key);
                ws.config = Arc::new(scan.config);
                ws.config_error = scan.config_error;
                let paths = ws.paths.clone();
                let discovered: BTreeSet<&String> = scan.files.iter().map(|(k, _)| k).collect();
                let gone: Vec<DocId> = st
                    .docs
                    .iter()
                    .filter(|(k, d)| {
                        k.root == key
                            && d.mica
                            && d.buffer.is_none()
                            && !discovered.contains(&k.path)
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in gone {
                    if let Some(d) = st.docs.remove(&k)
                        && d.published
                    {
                        forgotten.push(d.uri);
                    }
                }
                for (path, text) in scan.files {
                    let rev = st.rev();
                    let id = DocId {
                        root: key.clone(),
                        path,
                    };
                    let uri = st.docs.get(&id).map(|d| d.uri.clone());
                    let Some(uri) = uri.or_else(|| paths.uri(&id.path)) else {
                        continue;
                    };
                    let doc = st
                        .docs
                        .entry(id)
                        .or_insert_with(|| Doc::new(uri, true, rev));
                    let changed = doc.disk.as_deref() != Some(&text);
                    doc.disk = Some(Arc::new(text));
                    if doc.buffer.is_none() && changed {
                        doc.rev = rev;
                    }
                }
            }
            for (k, d) in &st.docs {
                if !d.mica {
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
                self.note_declared(&k, &a);
            }
        }
        for root in roots {
            self.publish_config(&root).await;
        }
        self.update_watchers().await;
    }

    /// The diagnostics of the `mica.toml` of the workspace at `root`: why it cannot be read,
    /// or its invalid values and unreadable sources.
    async fn publish_config(&self, root: &Path) {
        let _order = self.publish.lock().await;
        let (uri, diagnostics) = {
            let mut st = self.lock();
            let id = DocId {
                root: root.to_path_buf(),
                path: CONFIG_FILE.to_string(),
            };
            let Some(ws) = st.workspaces.get(root) else {
                return;
            };
            let path = ws.paths.path(CONFIG_FILE);
            let uri = st
                .docs
                .get(&id)
                .map(|d| d.uri.clone())
                .or_else(|| ws.paths.uri(CONFIG_FILE));
            let Some(uri) = uri else { return };
            let open = st.docs.get(&id).is_some_and(|d| d.buffer.is_some());
            if !open && !path.is_file() && !ws.config_published {
                return;
            }
            let diagnostics = match &ws.config_error {
                Some(e) => {
                    let text = st
                        .docs
                        .get(&id)
                        .and_then(Doc::text)
                        .or_else(|| mica_check::workspace::read_config_file(root).ok())
                        .unwrap_or_default();
                    vec![config_error_diagnostic(&text, e, st.enc)]
                }
                None => {
                    let analysis = ws.analysis();
                    let uris = st.uris(root);
                    let ctx = Ctx {
                        analysis: &analysis,
                        enc: st.enc,
                        paths: &ws.paths,
                        uris: &uris,
                        docs_url: ws.config.docs_url.as_deref(),
                    };
                    analysis
                        .config_diagnostics()
                        .iter()
                        .filter_map(|d| ctx.diagnostic(d))
                        .collect()
                }
            };
            let ws = st.ws(root);
            if diagnostics.is_empty() && !ws.config_published {
                return;
            }
            ws.config_published = !diagnostics.is_empty();
            (uri, diagnostics)
        };
        self.client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }

    /// Watch `.mica` files, `mica.toml` and every declared source, if the client lets the
    /// server register watchers.
    async fn update_watchers(&self) {
        let _one_at_a_time = self.watch.lock().await;
        let (watches, relative, roots, registered) = {
            let mut st = self.lock();
            if !st.caps.watch_dynamic {
                return;
            }
            let mut watches: BTreeSet<Watch> = ["**/*.mica", "**/mica.toml"]
                .into_iter()
                .map(|g| (None, g.to_string()))
                .collect();
            for (root, ws) in &st.workspaces {
                for s in &ws.config.sources {
                    watches.insert((Some(root.clone()), s.path.clone()));
                }
            }
            for (id, d) in &st.docs {
                for p in &d.declared {
                    watches.insert((Some(id.root.clone()), p.clone()));
                }
            }
            if watches == st.watched {
                return;
            }
            let registered = !st.watched.is_empty();
            st.watched = watches.clone();
            let roots: HashMap<PathBuf, lsp::Uri> = st
                .workspaces
                .iter()
                .filter_map(|(k, ws)| Some((k.clone(), ws.paths.uri("")?)))
                .collect();
            (watches, st.caps.relative_patterns, roots, registered)
        };
        let watchers: Vec<lsp::FileSystemWatcher> = watches
            .into_iter()
            .map(|(root, g)| {
                let glob_pattern = if g.starts_with("**/") {
                    lsp::GlobPattern::String(g)
                } else {
                    let escaped = escape_glob(g.trim_start_matches("./"));
                    match (root.and_then(|r| roots.get(&r)), relative) {
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

/// The source paths a document declares with `@source`.
fn declared_paths(data: &DocumentData) -> BTreeSet<String> {
    data.parse
        .document
        .sources
        .iter()
        .filter_map(|s| Some(s.path.as_ref()?.value.clone()))
        .collect()
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

/// What a workspace holds on disk.
struct Scan {
    config: Config,
    config_error: Option<ConfigError>,
    /// `.mica` files: path and text.
    files: Vec<(String, String)>,
    /// The canonical roots of workspaces found inside this one (folders with their own
    /// `mica.toml`), whose files are not this workspace's.
    nested: BTreeSet<PathBuf>,
}

/// What scanning a workspace needs, read under the lock.
struct ScanJob {
    key: PathBuf,
    paths: Paths,
    config_buffer: Option<String>,
    overlays: Vec<(String, String)>,
    provider: Arc<OverlayProvider>,
}

/// Scan every workspace of `jobs`, and every workspace found nested in one of them; `home`
/// is the canonical root of files that have no `mica.toml` above them. Each scan comes with
/// the workspace it found, if it is new.
fn scan_all(home: &Path, mut jobs: Vec<ScanJob>) -> Vec<(PathBuf, Option<Ws>, Scan)> {
    let mut seen: BTreeSet<PathBuf> = jobs.iter().map(|j| j.key.clone()).collect();
    let mut new: HashMap<PathBuf, Ws> = HashMap::new();
    let mut out = Vec::new();
    while let Some(job) = jobs.pop() {
        let scan = scan_workspace(home, &job);
        for n in &scan.nested {
            if seen.insert(n.clone()) {
                let ws = Ws::new(n);
                jobs.push(ScanJob {
                    key: n.clone(),
                    paths: ws.paths.clone(),
                    config_buffer: None,
                    overlays: Vec::new(),
                    provider: Arc::clone(&ws.provider),
                });
                new.insert(n.clone(), ws);
            }
        }
        let ws = new.remove(&job.key);
        out.push((job.key, ws, scan));
    }
    out
}

fn scan_workspace(home: &Path, job: &ScanJob) -> Scan {
    let root = job.paths.root();
    let parsed = match job.config_buffer.clone() {
        Some(text) => Config::parse(&text),
        None => mica_check::workspace::read_config_lenient(root).1,
    };
    let (config, config_error) = match parsed {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e)),
    };
    job.provider.invalidate_all();
    job.provider.clear_overlays();
    for (k, t) in &job.overlays {
        job.provider.set_overlay(k, t.clone());
    }
    let mut nested = BTreeSet::new();
    let files = mica_check::workspace::discover(root, &config, &[])
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            // A file belongs to the workspace of the nearest `mica.toml` above it.
            let owner = p
                .parent()
                .and_then(mica_check::workspace::find_root)
                .map_or_else(|| home.to_path_buf(), |r| canonical(&r));
            if owner != job.key {
                if owner != home {
                    nested.insert(owner);
                }
                return None;
            }
            let meta = std::fs::metadata(&p).ok()?;
            if meta.len() > DISK_LIMIT {
                return None;
            }
            let text = std::fs::read_to_string(&p).ok()?;
            Some((job.paths.key_of_path(&p), text))
        })
        .collect();
    Scan {
        config,
        config_error,
        files,
        nested,
    }
}

/// The `.mica` file at `path` of the workspace `ws` on disk, if it is part of the workspace.
fn read_disk(ws: &Ws, path: &str) -> Option<String> {
    if !is_mica_path(path) || Path::new(path).is_absolute() || ws.config.is_excluded(path) {
        return None;
    }
    let path = ws.paths.path(path);
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
            let open = std::mem::take(&mut st.open);
            *st = State::new(&root);
            for id in docs.keys() {
                st.ws(&id.root);
            }
            st.docs = docs;
            st.open = open;
            st.enc = enc;
            st.caps = caps;
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
        let (key, new_ws) = {
            let mut st = self.inner.lock();
            let key = st.id(&td.uri);
            // A document in a workspace the server has not seen yet brings it in: its files
            // are scanned and its configuration checked.
            let new_ws = !st.workspaces.contains_key(&key.root);
            st.ws(&key.root);
            st.open.insert(td.uri.as_str().to_string(), key.clone());
            let rev = st.rev();
            // A buffer the editor calls Mica is a document, whatever its name.
            let mica = td.language_id == "mica" || is_mica_path(td.uri.path().as_str());
            let doc = st
                .docs
                .entry(key.clone())
                .or_insert_with(|| Doc::new(td.uri.clone(), mica, rev));
            doc.mica |= mica;
            doc.uri = td.uri;
            doc.buffer = Some((Rope::from_str(&td.text), td.version));
            doc.rev = rev;
            (key, new_ws)
        };
        if new_ws {
            self.inner.schedule_world();
        }
        self.inner.schedule_changed(&key);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        // Applied at once, under the lock and before any `.await`, so that changes are applied
        // in the order they arrived.
        let key = {
            let mut st = self.inner.lock();
            let key = st.id(&params.text_document.uri);
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
        let mica = {
            let st = self.inner.lock();
            st.is_mica(&st.id(&params.text_document.uri))
        };
        if !mica {
            self.inner.schedule_world();
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (key, keep, mica) = {
            let mut st = self.inner.lock();
            let key = st.id(&uri);
            st.open.remove(uri.as_str());
            let disk = read_disk(st.ws_of(&key), &key.path);
            let rev = st.rev();
            let Some(doc) = st.docs.get_mut(&key) else {
                return;
            };
            let mica = doc.mica;
            doc.buffer = None;
            doc.rev = rev;
            // A workspace file shows the diagnostics of its saved text; anything else is
            // forgotten and its diagnostics cleared.
            let keep = disk.is_some();
            doc.disk = disk.map(Arc::new);
            if !keep {
                st.docs.remove(&key);
            }
            (key, keep, mica)
        };
        if !mica {
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
                .filter(|(_, d)| d.mica)
                .min_by_key(|(k, _)| k.root != st.root)
                .map(|(_, d)| d.uri.clone())
        };
        let snap = match any {
            Some(uri) => self.inner.snapshot(&uri, true).await,
            None => None,
        };
        let (analysis, ctx_parts) = match &snap {
            Some(s) => (s.analysis.clone(), Some(s)),
            None => {
                let st = self.inner.lock();
                (st.ws_of_root().analysis(), None)
            }
        };
        let (enc, paths, uris) = match ctx_parts {
            Some(s) => (s.enc, s.paths.clone(), s.uris.clone()),
            None => {
                let st = self.inner.lock();
                (st.enc, st.ws_of_root().paths.clone(), st.uris(&st.root))
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
