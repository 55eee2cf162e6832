//! Requests about a whole document or the workspace: symbols, folding ranges, semantic tokens,
//! inlay hints.

use crate::server::Inner;
use crate::to_lsp;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

pub(crate) async fn document_symbols(
    inner: &Inner,
    p: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>> {
    let Some(snap) = inner.snapshot(&p.text_document.uri, false).await else {
        return Ok(None);
    };
    let symbols = mica_ide::document_symbols(&snap.analysis, &snap.key);
    let nested = snap.caps.hierarchical_symbols;
    Ok(Some(to_lsp::document_symbols(
        &snap.ctx(),
        &p.text_document.uri,
        &symbols,
        nested,
    )))
}

pub(crate) async fn workspace_symbols(
    inner: &Inner,
    p: lsp::WorkspaceSymbolParams,
) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
    let snap = inner.workspace_snapshot().await;
    let found = mica_ide::workspace_symbols(&snap.analysis, &p.query, 512);
    Ok(Some(to_lsp::workspace_symbols(&snap.ctx(), &found)))
}

pub(crate) async fn folding_ranges(
    inner: &Inner,
    p: lsp::FoldingRangeParams,
) -> Result<Option<Vec<lsp::FoldingRange>>> {
    let Some(snap) = inner.snapshot(&p.text_document.uri, false).await else {
        return Ok(None);
    };
    let folds = mica_ide::folding_ranges(&snap.analysis, &snap.key);
    Ok(Some(to_lsp::folding_ranges(&snap.ctx(), &folds)))
}

pub(crate) async fn semantic_tokens(
    inner: &Inner,
    p: lsp::SemanticTokensParams,
) -> Result<Option<lsp::SemanticTokensResult>> {
    let Some(snap) = inner.snapshot(&p.text_document.uri, false).await else {
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

pub(crate) async fn inlay_hints(
    inner: &Inner,
    p: lsp::InlayHintParams,
) -> Result<Option<Vec<lsp::InlayHint>>> {
    let Some(snap) = inner.snapshot(&p.text_document.uri, false).await else {
        return Ok(None);
    };
    let range = snap.text_range(p.range);
    let hints = mica_ide::inlay_hints(&snap.analysis, &snap.key, range);
    Ok(Some(to_lsp::inlay_hints(&snap.ctx(), hints)))
}
