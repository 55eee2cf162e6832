//! Publishing diagnostics: a document's, with its version, only for the analysis of its
//! current text and only once per analysis; the configuration's; and clearing what the server
//! forgot. One lock orders publications, so that a client never sees them out of order.

use crate::server::Inner;
use crate::state::{Analysed, Doc, DocId};
use crate::to_lsp::{self, Ctx};
use mica_check::CONFIG_FILE;
use mica_ide::DocumentData;
use std::path::Path;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

impl Inner {
    /// Analyse `id` for its current text, publish its diagnostics, and follow the sources it
    /// declares with the file watchers.
    pub(crate) async fn check_and_publish(&self, id: &DocId) {
        if let Some(a) = self.fresh_published(id).await {
            self.publish(id, &a).await;
            if self.note_declared(id, &a) {
                self.update_watchers().await;
            }
        }
    }

    /// Publish the diagnostics of `a` if it is still the analysis of `id`'s current text and
    /// they were not published already.
    pub(crate) async fn publish(&self, id: &DocId, a: &Analysed) {
        self.publish_data(id, a.rev, a.generation, &a.data).await;
    }

    /// Publish the diagnostics of `data`, the analysis of `id` at revision `rev` in workspace
    /// generation `generation`, if that is still its current text and they were not published
    /// already. Only the text, lines and diagnostics of `data` are read.
    pub(crate) async fn publish_data(
        &self,
        id: &DocId,
        rev: u64,
        generation: u64,
        data: &Arc<DocumentData>,
    ) {
        let _order = self.publish.lock().await;
        let (uri, version, diagnostics) = {
            let mut st = self.lock();
            let Some(doc) = st.docs.get(id) else { return };
            if !doc.mica
                || doc.rev != rev
                || st.generation != generation
                || doc.published_at == Some((rev, generation))
            {
                return;
            }
            let version = doc.buffer.as_ref().map(|(_, v)| *v);
            let uri = doc.uri.clone();
            let ws = st.ws_of(id);
            let mut analysis = ws.analysis();
            analysis.insert(Arc::clone(data));
            let uris = st.uris(&id.root);
            let ctx = Ctx {
                analysis: &analysis,
                enc: st.enc,
                paths: &ws.paths,
                uris: &uris,
                docs_url: ws.config.docs_url.as_deref(),
                key: &id.path,
            };
            let diagnostics: Vec<lsp::Diagnostic> = data
                .diagnostics()
                .iter()
                .filter_map(|d| ctx.diagnostic(d))
                .collect();
            let doc = st.docs.get_mut(id).expect("checked above");
            doc.published_at = Some((rev, generation));
            // An open document always hears about its version; a closed one only when its
            // diagnostics change from or to none.
            if diagnostics.is_empty() && !doc.published && version.is_none() {
                return;
            }
            doc.published = !diagnostics.is_empty();
            (uri, version, diagnostics)
        };
        self.send_diagnostics(uri, diagnostics, version).await;
    }

    /// Clear the diagnostics of a document the server forgot.
    pub(crate) async fn clear(&self, uri: lsp::Uri) {
        let _order = self.publish.lock().await;
        self.send_diagnostics(uri, Vec::new(), None).await;
    }

    /// The diagnostics of the `mica.toml` of the workspace at `root`: why it cannot be read,
    /// or its invalid values and unreadable sources.
    pub(crate) async fn publish_config(&self, root: &Path) {
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
                        .or_else(|| {
                            mica_check::workspace::read_config_file(root)
                                .ok()
                                .map(Arc::new)
                        })
                        .unwrap_or_default();
                    vec![to_lsp::config_error(&text, e, st.enc)]
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
                        key: CONFIG_FILE,
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
        self.send_diagnostics(uri, diagnostics, None).await;
    }

    /// `textDocument/publishDiagnostics`, written straight to the output (see
    /// [`crate::transport::Outbox`]); callers hold the publish lock, so publications keep
    /// their order.
    async fn send_diagnostics(
        &self,
        uri: lsp::Uri,
        diagnostics: Vec<lsp::Diagnostic>,
        version: Option<i32>,
    ) {
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        // Thousands of diagnostics leave as many small blocks freed (see `crate::heap`).
        let many = params.diagnostics.len() >= 1000;
        self.outbox
            .notify("textDocument/publishDiagnostics", &params)
            .await;
        drop(params);
        if many {
            crate::heap::give_back_free_memory();
        }
    }
}
