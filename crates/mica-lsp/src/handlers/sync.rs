//! Document synchronisation and file events. Each change is applied at once, under the lock
//! and before any `.await`, so that changes are applied in the order they arrived; then the
//! scheduler is told what to re-check.

use crate::buffer::Buffer;
use crate::reload::read_disk;
use crate::scheduler::Job;
use crate::server::Inner;
use crate::state::{Doc, is_mica_path};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

pub(crate) fn did_open(inner: &Arc<Inner>, p: lsp::DidOpenTextDocumentParams) {
    let td = p.text_document;
    let (key, new_ws, mica) = {
        let mut st = inner.lock();
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
        // The opening message's text becomes the buffer: no copy. What the document's cache
        // saw is most often the same text, read from disk by the workspace scan.
        let buffer = Buffer::new(td.text);
        let before = doc.text();
        doc.since
            .replaced(before.as_deref().map(String::as_str), buffer.text());
        doc.buffer = Some((buffer, td.version));
        doc.disk = None;
        doc.rev = rev;
        let mica = doc.mica;
        (key, new_ws, mica)
    };
    // A new workspace is scanned; a newly opened source or `mica.toml` replaces the disk's
    // copy in every analysis.
    if new_ws || !mica {
        inner.schedule(Job::World);
    }
    inner.schedule_changed(&key);
}

pub(crate) fn did_change(inner: &Arc<Inner>, p: lsp::DidChangeTextDocumentParams) {
    let key = {
        let mut st = inner.lock();
        let key = st.id(&p.text_document.uri);
        let enc = st.enc;
        let rev = st.rev();
        let Some(doc) = st.docs.get_mut(&key) else {
            return;
        };
        doc.release_text();
        let Some((buffer, version)) = doc.buffer.as_mut() else {
            return;
        };
        for change in &p.content_changes {
            doc.since.record(buffer.apply(change, enc));
        }
        *version = p.text_document.version;
        doc.rev = rev;
        key
    };
    inner.schedule_changed(&key);
}

pub(crate) fn did_save(inner: &Arc<Inner>, p: lsp::DidSaveTextDocumentParams) {
    let mica = {
        let st = inner.lock();
        st.is_mica(&st.id(&p.text_document.uri))
    };
    // A saved document was analysed as it was typed; a saved source or `mica.toml` may
    // change every document, anything else nothing.
    if !mica {
        inner.files_changed(&[&p.text_document.uri]);
    }
}

pub(crate) async fn did_close(inner: &Arc<Inner>, p: lsp::DidCloseTextDocumentParams) {
    let uri = p.text_document.uri;
    let (key, keep, mica) = {
        let mut st = inner.lock();
        let key = st.id(&uri);
        st.open.remove(uri.as_str());
        // A file outside every workspace is never read.
        let disk = if key.inside() {
            read_disk(st.ws_of(&key), &key.path)
        } else {
            None
        };
        let rev = st.rev();
        let Some(doc) = st.docs.get_mut(&key) else {
            return;
        };
        let mica = doc.mica;
        let before = doc.text();
        doc.buffer = None;
        if let Some(disk) = &disk {
            doc.since
                .replaced(before.as_deref().map(String::as_str), disk);
        }
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
        inner.files_changed(&[&uri]);
    } else if keep {
        inner.schedule(Job::Doc(key));
    } else {
        inner.clear(uri).await;
    }
}

pub(crate) fn did_change_watched_files(inner: &Arc<Inner>, p: lsp::DidChangeWatchedFilesParams) {
    let uris: Vec<&lsp::Uri> = p.changes.iter().map(|c| &c.uri).collect();
    inner.files_changed(&uris);
}
