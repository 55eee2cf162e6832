//! Snapshots: a request's immutable view of the workspace (an [`Analysis`] holding the
//! document it is about, analysed for its current text), and the one function that makes a
//! document's analysis.
//!
//! Ordering: tower-lsp runs handlers concurrently, but starts them in the order messages
//! arrive. Every handler that changes a document does so synchronously, under the state lock,
//! before its first `.await`; analysis then runs on a copy of the text, and its result is kept
//! only if the document has not changed since (its revision and the workspace's generation
//! still match).

use crate::convert::{self, Encoding, Paths};
use crate::server::Inner;
use crate::state::{Analysed, Caps, DocId};
use crate::to_lsp::Ctx;
use mica_ide::Since;
use mica_ide::{Analysis, DocumentData};
use mica_syntax::TextRange;
use std::collections::HashMap;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// A request's view: the analysis with the document it is about, and how to convert.
pub(crate) struct Snap {
    pub analysis: Analysis,
    pub doc: Arc<DocumentData>,
    pub key: String,
    pub enc: Encoding,
    pub paths: Paths,
    pub uris: HashMap<String, lsp::Uri>,
    pub caps: Caps,
}

impl Snap {
    /// How to convert results about this snapshot.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            analysis: &self.analysis,
            enc: self.enc,
            paths: &self.paths,
            uris: &self.uris,
            docs_url: self.analysis.config().docs_url.as_deref(),
            key: &self.key,
        }
    }

    /// A position in the document as a byte offset.
    pub fn offset(&self, pos: lsp::Position) -> usize {
        convert::offset(&self.doc.text, &self.doc.lines, pos, self.enc)
    }

    /// A range in the document as a byte range.
    pub fn text_range(&self, r: lsp::Range) -> TextRange {
        convert::text_range(&self.doc.text, &self.doc.lines, r, self.enc)
    }
}

impl Inner {
    /// The analysis of `id` for its current text, made now if there is none. Requests that
    /// need the same analysis at once wait for one another instead of each making it.
    pub(crate) async fn fresh(&self, id: &DocId) -> Option<Analysed> {
        self.analysed(id, false).await
    }

    /// [`Self::fresh`], publishing the document's diagnostics as soon as they are known: after
    /// an edit, before the analysis moves the claims that follow it (see
    /// [`mica_ide::DocCache::begin_edited`]). Requests wait for the whole analysis as before.
    pub(crate) async fn fresh_published(&self, id: &DocId) -> Option<Analysed> {
        self.analysed(id, true).await
    }

    async fn analysed(&self, id: &DocId, publish: bool) -> Option<Analysed> {
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
        let (text, since, rev, generation, analysis, parses) = {
            let mut st = self.lock();
            let generation = st.generation;
            let analysis = st.analysis(id);
            let doc = st.docs.get_mut(id)?;
            if let Some(a) = &doc.analysed
                && a.rev == doc.rev
                && a.generation == generation
            {
                return Some(a.clone());
            }
            // The stale analysis shares its parse and citations with the cache; dropping it
            // lets the cache update them in place instead of copying them.
            doc.analysed = None;
            let parses = Arc::clone(&doc.parses);
            let text = doc.text()?;
            // A text past what a range can point into (4 GiB, grown edit by edit: a message
            // is at most 512 MB) is not analysed; its cache is told so when it is again.
            if text.len() > mica_syntax::text::MAX_TEXT {
                doc.since = Since::Unknown;
                return None;
            }
            let since = std::mem::replace(&mut doc.since, Since::Same);
            (text, since, doc.rev, generation, analysis, parses)
        };
        let path = id.path.clone();
        // On this worker thread, whose other tasks move to another while it analyses: handing
        // the analysis to the blocking pool cost two thread wake-ups per keystroke.
        let lock = || parses.lock().unwrap_or_else(|e| e.into_inner());
        let edited =
            tokio::task::block_in_place(|| analysis.begin_edited(&path, text, since, &mut lock()));
        if publish {
            self.publish_data(id, rev, generation, &edited.preview)
                .await;
        }
        let data = tokio::task::block_in_place(|| Arc::new(lock().finish(edited)));
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
    pub(crate) async fn at(
        &self,
        p: &lsp::TextDocumentPositionParams,
        all: bool,
    ) -> Option<(Snap, usize)> {
        let snap = self.snapshot(&p.text_document.uri, all).await?;
        let offset = snap.offset(p.position);
        Some((snap, offset))
    }

    /// The snapshot for a request about `uri`; with `all`, every document of its workspace is
    /// in it.
    pub(crate) async fn snapshot(&self, uri: &lsp::Uri, all: bool) -> Option<Snap> {
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

    /// A snapshot of the workspace of the initialize root with every document in it, for
    /// requests about no document in particular (workspace symbols).
    pub(crate) async fn workspace_snapshot(&self) -> Snap {
        let any = {
            let st = self.lock();
            st.docs
                .iter()
                .filter(|(_, d)| d.mica)
                .min_by_key(|(k, _)| k.root != st.root)
                .map(|(_, d)| d.uri.clone())
        };
        if let Some(uri) = any
            && let Some(snap) = self.snapshot(&uri, true).await
        {
            return snap;
        }
        let st = self.lock();
        let ws = st.ws_of_root();
        let analysis = ws.analysis();
        Snap {
            doc: Arc::new(analysis.analyse("", String::new())),
            analysis,
            enc: st.enc,
            paths: ws.paths.clone(),
            uris: st.uris(&st.root),
            caps: st.caps,
            key: String::new(),
        }
    }
}
