//! The server's state: the workspaces (configuration and sources), the documents it knows
//! (open buffers and the workspaces' `.mica` files) and what the client can do. Everything here
//! is changed under one synchronous lock, never across an `.await`.
//!
//! Workspaces: like `mica check`, each document is checked in the workspace of the nearest
//! `mica.toml` at or above its folder (the root given at `initialize` when there is none, and
//! for buffers that are not files). Each workspace has its own configuration and sources, and
//! paths inside an analysis are relative to the root of the document's workspace.

use crate::buffer::Buffer;
use crate::convert::{self, Encoding, Paths};
use crate::overlay::OverlayProvider;
use crate::scheduler::Coalescer;
use mica_check::{Config, ConfigError};
use mica_ide::{Analysis, DocCache, DocumentData, Since};
use mica_sources::SourceProvider;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::ls_types as lsp;

/// The largest `.mica` file read from disk for the workspace-wide check.
pub(crate) const DISK_LIMIT: u64 = 16 * 1024 * 1024;

/// How long a document's analysis waits after a change, by default. Bursts are coalesced
/// without waiting: while an analysis runs, further changes only mark it to run once more on
/// the latest text, so waiting would only add latency (`initializationOptions.
/// diagnosticDelayMs` sets a delay for clients that want one).
const DEFAULT_DELAY: Duration = Duration::ZERO;

/// Which document: the workspace it is checked in (its canonical root) and its path there
/// (relative to the root, absolute outside it, or the URI for a buffer that is not a file).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DocId {
    pub root: PathBuf,
    pub path: String,
}

impl DocId {
    /// Whether the document lies inside its workspace (a relative path), rather than being
    /// a file outside every workspace or a buffer that is no file.
    pub fn inside(&self) -> bool {
        !Path::new(&self.path).is_absolute() && !self.path.contains(':')
    }
}

/// A document the server knows: open in the editor, or a `.mica` file of a workspace.
pub(crate) struct Doc {
    pub uri: lsp::Uri,
    /// Whether it is a Mica document (rather than a source or `mica.toml` being edited).
    pub mica: bool,
    /// The editor's buffer and its version, while open.
    pub buffer: Option<(Buffer, i32)>,
    /// The text on disk, for workspace files that are not open (closing one reads it again).
    pub disk: Option<Arc<String>>,
    /// Bumped on every change of the text this document is analysed with.
    pub rev: u64,
    pub analysed: Option<Analysed>,
    pub worker: Coalescer,
    /// Whether diagnostics are showing for it.
    pub published: bool,
    /// The revision and generation whose diagnostics were published last.
    pub published_at: Option<(u64, u64)>,
    /// The source paths its last analysis declared, as the file watchers know them.
    pub declared: BTreeSet<String>,
    /// What its last analysis found, so that an edit re-parses one paragraph and re-checks
    /// its claims.
    pub parses: Arc<Mutex<DocCache>>,
    /// What changed in its text since the text last handed to `parses`.
    pub since: Since,
    /// Held while the document is analysed.
    pub gate: Arc<tokio::sync::Mutex<()>>,
}

impl Doc {
    pub fn new(uri: lsp::Uri, mica: bool, rev: u64) -> Self {
        Self {
            uri,
            mica,
            buffer: None,
            disk: None,
            rev,
            analysed: None,
            worker: Coalescer::default(),
            published: false,
            published_at: None,
            declared: BTreeSet::new(),
            parses: Arc::default(),
            since: Since::Unknown,
            gate: Arc::default(),
        }
    }

    /// The text to analyse, shared: the buffer's while open, else the file on disk.
    pub fn text(&self) -> Option<Arc<String>> {
        match (&self.buffer, &self.disk) {
            (Some((buffer, _)), _) => Some(Arc::clone(buffer.text())),
            (None, Some(disk)) => Some(Arc::clone(disk)),
            (None, None) => None,
        }
    }

    /// Before an edit of the buffer: drop the analysis of its current text when nothing else
    /// holds it (it is stale once the edit is made), so that the buffer's text, which it shares, is edited in
    /// place instead of copied.
    pub fn release_text(&mut self) {
        if self.buffer.is_some()
            && let Some(a) = &mut self.analysed
            && a.rev == self.rev
            && Arc::get_mut(&mut a.data).is_some()
        {
            self.analysed = None;
        }
    }
}

/// An analysis with the revision and generation it was made for.
#[derive(Clone)]
pub(crate) struct Analysed {
    pub rev: u64,
    pub generation: u64,
    pub data: Arc<DocumentData>,
}

/// What the client can do.
#[derive(Default, Clone, Copy)]
pub(crate) struct Caps {
    pub link_support: bool,
    pub hierarchical_symbols: bool,
    pub watch_dynamic: bool,
    pub relative_patterns: bool,
    pub work_done_progress: bool,
}

/// One workspace: a root with its configuration and its sources (open buffers over the disk).
pub(crate) struct Ws {
    pub paths: Paths,
    pub config: Arc<Config>,
    pub config_error: Option<ConfigError>,
    pub provider: Arc<OverlayProvider>,
    pub config_published: bool,
}

impl Ws {
    /// The workspace at `root`, with its configuration read now, so that documents opened
    /// before the next workspace scan are checked with it.
    pub fn new(root: &Path) -> Self {
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

    pub fn analysis(&self) -> Analysis {
        Analysis::new(
            Arc::clone(&self.config),
            Arc::clone(&self.provider) as Arc<dyn SourceProvider>,
        )
    }
}

/// A file watcher: a pattern, relative to a workspace root unless it starts with `**/`.
pub(crate) type Watch = (Option<PathBuf>, String);

pub(crate) struct State {
    pub enc: Encoding,
    pub caps: Caps,
    /// The canonical root chosen at `initialize`: the workspace of documents that have no
    /// `mica.toml` above them.
    pub root: PathBuf,
    pub workspaces: BTreeMap<PathBuf, Ws>,
    /// The documents open in the editor, by URI: a document stays in the workspace it was
    /// opened in until it is closed.
    pub open: HashMap<String, DocId>,
    /// Bumped when a configuration or a source changes: every analysis is then stale.
    pub generation: u64,
    next_rev: u64,
    pub docs: HashMap<DocId, Doc>,
    /// The workspace reload.
    pub world: Coalescer,
    pub delay: Duration,
    pub watched: BTreeSet<Watch>,
}

/// The canonical form of a root, which names its workspace.
pub(crate) fn canonical(root: &Path) -> PathBuf {
    root.canonicalize()
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf())
}

/// Whether a path names a Mica document.
pub(crate) fn is_mica_path(path: &str) -> bool {
    path.ends_with(".mica")
}

impl State {
    pub fn new(root: &Path) -> Self {
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
            world: Coalescer::default(),
            delay: DEFAULT_DELAY,
            watched: BTreeSet::new(),
        }
    }

    /// A new revision number.
    pub fn rev(&mut self) -> u64 {
        self.next_rev += 1;
        self.next_rev
    }

    /// The last revision given out: a document whose revision is later changed after it.
    pub fn last_rev(&self) -> u64 {
        self.next_rev
    }

    /// The workspace rooted at the canonical `root`, made if it is new.
    pub fn ws(&mut self, root: &Path) -> &mut Ws {
        self.workspaces
            .entry(root.to_path_buf())
            .or_insert_with(|| Ws::new(root))
    }

    /// The workspace of a document.
    pub fn ws_of(&self, id: &DocId) -> &Ws {
        self.workspaces
            .get(&id.root)
            .unwrap_or_else(|| self.ws_of_root())
    }

    /// The workspace of the initialize root.
    pub fn ws_of_root(&self) -> &Ws {
        &self.workspaces[&self.root]
    }

    pub fn analysis(&self, id: &DocId) -> Analysis {
        self.ws_of(id).analysis()
    }

    /// The document `uri` names: the one open under it, else the file in the workspace of the
    /// nearest `mica.toml` above it (the initialize root's workspace when there is none, or
    /// when it is not a file). The URI's path is normalised first (`.` and `..` resolved), so
    /// that no spelling of a URI reaches a file other than the one it names.
    pub fn id(&self, uri: &lsp::Uri) -> DocId {
        if let Some(id) = self.open.get(uri.as_str()) {
            return id.clone();
        }
        self.resolve(uri)
    }

    /// The document at `uri` by where it is now: in the workspace of the nearest folder with a
    /// `mica.toml` (an open document keeps the key it was opened with, see [`Self::id`]).
    pub fn resolve(&self, uri: &lsp::Uri) -> DocId {
        let file = convert::file_path(uri);
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

    /// The URIs the client uses for the open documents of the workspace at `root`, by path
    /// (every other file's URI is made from its path).
    pub fn uris(&self, root: &Path) -> HashMap<String, lsp::Uri> {
        self.open
            .values()
            .filter(|id| id.root == root)
            .filter_map(|id| Some((id.path.clone(), self.docs.get(id)?.uri.clone())))
            .collect()
    }

    pub fn is_mica(&self, id: &DocId) -> bool {
        self.docs.get(id).is_some_and(|d| d.mica)
    }
}
