//! `initialize`: what the client can do, where the workspace is, and what the server offers.

use crate::convert::Encoding;
use crate::server::Inner;
use crate::state::{Caps, State};
use crate::to_lsp;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

fn options_delay(options: Option<&Value>) -> Option<Duration> {
    let ms = options?.get("diagnosticDelayMs")?.as_u64()?;
    Some(Duration::from_millis(ms.min(5_000)))
}

fn caps(c: &lsp::ClientCapabilities) -> Caps {
    let td = c.text_document.as_ref();
    let ws = c.workspace.as_ref();
    let watched = ws.and_then(|w| w.did_change_watched_files.as_ref());
    Caps {
        link_support: td
            .and_then(|t| t.definition.as_ref())
            .and_then(|d| d.link_support)
            .unwrap_or(false),
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        watch_dynamic: watched
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        relative_patterns: watched
            .and_then(|d| d.relative_pattern_support)
            .unwrap_or(false),
        work_done_progress: c
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
    }
}

pub(crate) fn initialize(
    inner: &Inner,
    params: lsp::InitializeParams,
) -> Result<lsp::InitializeResult> {
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
    {
        let mut st = inner.lock();
        let docs = std::mem::take(&mut st.docs);
        let open = std::mem::take(&mut st.open);
        *st = State::new(&root);
        for id in docs.keys() {
            st.ws(&id.root);
        }
        st.docs = docs;
        st.open = open;
        st.enc = enc;
        st.caps = caps(&params.capabilities);
        if let Some(d) = options_delay(params.initialization_options.as_ref()) {
            st.delay = d;
        }
    }
    Ok(lsp::InitializeResult {
        capabilities: server_capabilities(enc),
        server_info: Some(lsp::ServerInfo {
            name: "mica".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    })
}

/// What the server offers.
fn server_capabilities(enc: Encoding) -> lsp::ServerCapabilities {
    let legend = lsp::SemanticTokensLegend {
        token_types: to_lsp::TOKEN_TYPES.to_vec(),
        token_modifiers: to_lsp::TOKEN_MODIFIERS.to_vec(),
    };
    lsp::ServerCapabilities {
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
    }
}
