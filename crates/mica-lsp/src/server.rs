//! The language server: the handle tower-lsp calls, which hands each message to its handler
//! (`handlers/`), and the shared inner state those handlers and the scheduler work on.
//!
//! Where things are: `state.rs` holds the documents and workspaces, `snapshot.rs` makes a
//! request's immutable view, `scheduler.rs` runs analyses and the workspace reload (one
//! running/dirty coalescer for both), `reload.rs` reads the workspaces and keeps the file
//! watchers, `publish.rs` publishes diagnostics, and `to_lsp.rs`/`convert.rs` do every
//! conversion to and from the protocol.

use crate::handlers::custom::{DocumentState, DocumentStateParams};
use crate::handlers::{custom, edits, lifecycle, navigation, outline, sync};
use crate::scheduler::Job;
use crate::state::State;
use crate::transport::Outbox;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

/// What the handlers share.
pub(crate) struct Inner {
    pub client: Client,
    /// Standard output, for what is sent without tower-lsp's client (diagnostics).
    pub outbox: Outbox,
    state: Mutex<State>,
    /// Held while diagnostics are published, so that publications keep their order.
    pub publish: tokio::sync::Mutex<()>,
    /// Held while the file watchers are registered, so that registrations do not interleave.
    pub watch: tokio::sync::Mutex<()>,
    clean_shutdown: Arc<AtomicBool>,
}

impl Inner {
    /// The state, locked; never held across an `.await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The Mica language server.
pub struct Server {
    inner: Arc<Inner>,
}

impl Server {
    /// A server talking to `client`, and publishing diagnostics through `outbox`;
    /// `clean_shutdown` is set when the client asks to shut down.
    pub(crate) fn new(client: Client, outbox: Outbox, clean_shutdown: Arc<AtomicBool>) -> Self {
        let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self {
            inner: Arc::new(Inner {
                client,
                outbox,
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
        Ok(custom::document_state(&self.inner, params))
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        lifecycle::initialize(&self.inner, params)
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        self.inner.schedule(Job::World);
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.clean_shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        sync::did_open(&self.inner, params);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        sync::did_change(&self.inner, params);
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        sync::did_save(&self.inner, params);
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        sync::did_close(&self.inner, params).await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        sync::did_change_watched_files(&self.inner, params);
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        navigation::hover(&self.inner, params).await
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        navigation::definition(&self.inner, params).await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        navigation::references(&self.inner, params).await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        navigation::highlights(&self.inner, params).await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        navigation::completion(&self.inner, params).await
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        edits::code_actions(&self.inner, params).await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        edits::prepare_rename(&self.inner, params).await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        edits::rename(&self.inner, params).await
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        outline::document_symbols(&self.inner, params).await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        outline::workspace_symbols(&self.inner, params).await
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        outline::folding_ranges(&self.inner, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        outline::semantic_tokens(&self.inner, params).await
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        outline::inlay_hints(&self.inner, params).await
    }
}
