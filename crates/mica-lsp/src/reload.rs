//! Reloading the workspaces (their configuration, the open buffers of sources and `mica.toml`,
//! the `.mica` files on disk) and re-checking what that changed; and the file watchers that
//! tell the server when to.
//!
//! Nothing is re-read needlessly: a file event or a save that concerns no `.mica` file, no
//! `mica.toml` and no declared source changes nothing, and the disk provider's cache keeps a
//! source until its length or modification time changes, so a changed source is read once.

use crate::convert::{self, Paths};
use crate::overlay::OverlayProvider;
use crate::scheduler::Job;
use crate::server::Inner;
use crate::state::{Analysed, DISK_LIMIT, Doc, DocId, State, Watch, Ws, canonical, is_mica_path};
use mica_check::{CONFIG_FILE, Config, ConfigError};
use mica_ide::DocumentData;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// The id of the file watcher registration.
const WATCH_ID: &str = "mica-watched-files";

/// The token of the workspace check's work-done progress.
const PROGRESS_TOKEN: &str = "mica/workspace-check";

impl State {
    /// Whether a change of the file at `path` (absolute) may change any analysis: it is a
    /// `.mica` file, a `mica.toml`, or a source that a configuration or a document declares.
    pub fn affects_analyses(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_mica_path(name) || name == CONFIG_FILE {
            return true;
        }
        let canonical = path.canonicalize().ok();
        let is = |root: &Path, ws: &Ws, p: &str| {
            let declared = convert::normalize(&ws.paths.path(p));
            declared == path
                || canonical.as_ref().is_some_and(|c| {
                    declared.canonicalize().is_ok_and(|d| d == *c)
                        || convert::normalize(&root.join(p)) == *c
                })
        };
        self.workspaces.iter().any(|(root, ws)| {
            ws.config.sources.iter().any(|s| is(root, ws, &s.path))
                || self
                    .docs
                    .iter()
                    .filter(|(id, _)| id.root == *root)
                    .any(|(_, d)| d.declared.iter().any(|p| is(root, ws, p)))
        })
    }
}

impl Inner {
    /// Reload the workspaces when a file changed that matters to an analysis.
    pub(crate) fn files_changed(self: &Arc<Self>, uris: &[&lsp::Uri]) {
        let relevant = {
            let st = self.lock();
            uris.iter().any(|u| match convert::file_path(u) {
                Some(p) => st.affects_analyses(&p),
                None => false,
            })
        };
        if relevant {
            self.schedule(Job::World);
        }
    }

    /// Re-read the workspaces (configuration, open sources, `.mica` files on disk), then
    /// re-check everything, with work-done progress for the documents that are not open.
    pub(crate) async fn reload(self: &Arc<Self>) {
        // Each workspace's configuration and open buffers of non-`.mica` files, read under the
        // lock.
        let (home, jobs, started) = {
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
                        .map(|(b, _)| String::clone(b.text()));
                    let overlays: Vec<(String, String)> = st
                        .docs
                        .iter()
                        .filter(|(k, d)| {
                            k.root == *key
                                && k.inside()
                                && !d.mica
                                && k.path != CONFIG_FILE
                                && d.buffer.is_some()
                        })
                        .filter_map(|(k, d)| Some((k.path.clone(), String::clone(&*d.text()?))))
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
            (st.root.clone(), jobs, st.last_rev())
        };
        let scanned = tokio::task::spawn_blocking(move || scan_all(&home, jobs)).await;
        let Ok(scans) = scanned else { return };
        let (open, closed, forgotten, roots) = self.take_scans(scans, started);
        for uri in forgotten {
            self.clear(uri).await;
        }
        for k in open {
            self.schedule(Job::Doc(k));
        }
        self.check_closed(closed).await;
        for root in roots {
            self.publish_config(&root).await;
        }
        self.update_watchers().await;
    }

    /// Take the scans into the state: the documents open, the documents to check that are
    /// not, the URIs whose diagnostics must be cleared, and the roots scanned. `started` is
    /// the last revision when the scans began: a document changed since (closed, and its file
    /// read then) keeps its text, which may be newer than the scan's.
    #[allow(clippy::type_complexity)]
    fn take_scans(
        &self,
        scans: Vec<(PathBuf, Option<Ws>, Scan)>,
        started: u64,
    ) -> (Vec<DocId>, Vec<DocId>, Vec<lsp::Uri>, Vec<PathBuf>) {
        let mut closed = Vec::new();
        let mut forgotten = Vec::new();
        let mut open = Vec::new();
        let mut roots = Vec::new();
        let mut st = self.lock();
        st.generation += 1;
        let mut scans = scans;
        for (key, new, _) in &mut scans {
            if let Some(ws) = new.take() {
                st.workspaces.entry(key.clone()).or_insert(ws);
            }
        }
        rekey_open(&mut st);
        for (key, _, scan) in scans {
            roots.push(key.clone());
            let ws = st.ws(&key);
            ws.config = Arc::new(scan.config);
            ws.config_error = scan.config_error;
            let paths = ws.paths.clone();
            let discovered: BTreeSet<&String> = scan.files.iter().map(|(k, _)| k).collect();
            let gone: Vec<DocId> = st
                .docs
                .iter()
                .filter(|(k, d)| {
                    k.root == key && d.mica && d.buffer.is_none() && !discovered.contains(&k.path)
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
                let known = st.docs.contains_key(&id);
                let doc = st
                    .docs
                    .entry(id)
                    .or_insert_with(|| Doc::new(uri, true, rev));
                // An open document is analysed as its buffer, and closing it reads the disk
                // again: a copy of its saved text would only take room (a large brief's size).
                if doc.buffer.is_some() {
                    doc.disk = None;
                    continue;
                }
                // Closed while the scan ran: the close read the file after the scan may have.
                if known && doc.rev > started {
                    continue;
                }
                if doc.disk.as_deref() != Some(&text) {
                    doc.since
                        .replaced(doc.disk.as_deref().map(String::as_str), &text);
                    doc.rev = rev;
                }
                doc.disk = Some(Arc::new(text));
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
        (open, closed, forgotten, roots)
    }

    /// Check the documents that are not open, one after another so that a large workspace
    /// does not flood the blocking pool (requests and open documents go on meanwhile), with
    /// work-done progress when the client supports it.
    async fn check_closed(&self, closed: Vec<DocId>) {
        let progress = self.lock().caps.work_done_progress && closed.len() > 1;
        let token = lsp::ProgressToken::String(PROGRESS_TOKEN.into());
        let progress = if progress
            && self
                .client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
        {
            Some(
                self.client
                    .progress(token, "Checking the workspace")
                    .with_percentage(0)
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let total = closed.len();
        let mut shown = 0;
        for (n, k) in closed.into_iter().enumerate() {
            if let Some(a) = self.fresh(&k).await {
                self.publish(&k, &a).await;
                self.note_declared(&k, &a);
            }
            let percent = u32::try_from((n + 1) * 100 / total).unwrap_or(100);
            if let Some(p) = &progress
                && percent > shown
            {
                shown = percent;
                p.report_with_message(format!("{}/{total} documents", n + 1), percent)
                    .await;
            }
        }
        if let Some(p) = progress {
            p.finish().await;
        }
    }

    /// Remember the source paths `a` declares for `id`; whether they changed, so that the file
    /// watchers must be updated.
    pub(crate) fn note_declared(&self, id: &DocId, a: &Analysed) -> bool {
        let declared = declared_paths(&a.data);
        let mut st = self.lock();
        match st.docs.get_mut(id) {
            Some(doc) if doc.declared != declared => {
                doc.declared = declared;
                st.caps.watch_dynamic
            }
            _ => false,
        }
    }

    /// Watch `.mica` files, `mica.toml` and every declared source, if the client lets the
    /// server register watchers.
    pub(crate) async fn update_watchers(&self) {
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
        let options = crate::to_lsp::watchers(watches, relative, &roots);
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

/// Move each open document whose nearest `mica.toml` is now another one's (a workspace
/// appeared in one of its folders, or went) to the workspace it belongs to, as `mica check`
/// would check it: its buffer replaces the copy of its file that workspace's scan read, and
/// it is analysed afresh there.
fn rekey_open(st: &mut State) {
    let moved: Vec<(String, DocId, DocId)> = (st.open.iter())
        .filter_map(|(u, old)| {
            let new = st.resolve(&u.parse().ok()?);
            (new != *old).then(|| (u.clone(), old.clone(), new))
        })
        .collect();
    for (u, old, new) in moved {
        let Some(doc) = st.docs.remove(&old) else {
            continue;
        };
        let rev = st.rev();
        let mut fresh = Doc::new(doc.uri, doc.mica, rev);
        fresh.buffer = doc.buffer;
        st.ws(&new.root);
        st.docs.insert(new.clone(), fresh);
        st.open.insert(u, new);
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
    let mut owners = HashMap::new();
    let mut out = Vec::new();
    while let Some(job) = jobs.pop() {
        let scan = scan_workspace(home, &job, &mut owners);
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

/// Scan one workspace. `owners` remembers, by folder, the workspace its files belong to, so
/// that each folder's ancestors are searched for `mica.toml` once and the scan stays linear.
fn scan_workspace(home: &Path, job: &ScanJob, owners: &mut HashMap<PathBuf, PathBuf>) -> Scan {
    let root = job.paths.root();
    let parsed = match job.config_buffer.clone() {
        Some(text) => Config::parse(&text),
        None => mica_check::workspace::read_config_lenient(root).1,
    };
    let (config, config_error) = match parsed {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e)),
    };
    // The disk cache stays: it re-reads a source only when its length or modification time
    // changed. Overlays whose text is unchanged keep their caches too.
    job.provider.set_overlays(&job.overlays);
    let mut nested = BTreeSet::new();
    let files = mica_check::workspace::discover(root, &config, &[])
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            // A file belongs to the workspace of the nearest `mica.toml` above it.
            let dir = p.parent()?.to_path_buf();
            let owner = owners
                .entry(dir)
                .or_insert_with_key(|dir| {
                    mica_check::workspace::find_root(dir)
                        .map_or_else(|| home.to_path_buf(), |r| canonical(&r))
                })
                .clone();
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
            Some((job.paths.key_of_path(&p)?, text))
        })
        .collect();
    Scan {
        config,
        config_error,
        files,
        nested,
    }
}

/// The `.mica` file at `path` of the workspace `ws` on disk, if it is part of the workspace:
/// inside its root (symbolic links resolved), not excluded, a regular file within the limit.
pub(crate) fn read_disk(ws: &Ws, path: &str) -> Option<String> {
    if !is_mica_path(path)
        || Path::new(path).is_absolute()
        || path.split('/').any(|c| c == "..")
        || ws.config.is_excluded(path)
    {
        return None;
    }
    let full = ws.paths.path(path).canonicalize().ok()?;
    if !full.starts_with(ws.paths.canonical()) {
        return None;
    }
    let meta = std::fs::metadata(&full).ok()?;
    if !meta.is_file() || meta.len() > DISK_LIMIT {
        return None;
    }
    std::fs::read_to_string(full).ok()
}
