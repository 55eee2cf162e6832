//! Requests that propose edits: quick fixes and rename.

use crate::server::Inner;
use crate::to_lsp;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types as lsp;

pub(crate) async fn code_actions(
    inner: &Inner,
    p: lsp::CodeActionParams,
) -> Result<Option<lsp::CodeActionResponse>> {
    let Some(snap) = inner.snapshot(&p.text_document.uri, false).await else {
        return Ok(None);
    };
    let range = snap.text_range(p.range);
    let actions = mica_ide::code_actions(&snap.analysis, &snap.key, range);
    Ok(Some(to_lsp::code_actions(&snap.ctx(), &actions)))
}

pub(crate) async fn prepare_rename(
    inner: &Inner,
    p: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    let Some((snap, offset)) = inner.at(&p, false).await else {
        return Ok(None);
    };
    let (range, placeholder) = mica_ide::prepare_rename(&snap.analysis, &snap.key, offset)
        .map_err(Error::invalid_params)?;
    Ok(Some(to_lsp::prepare_rename(
        &snap.ctx(),
        range,
        placeholder,
    )))
}

pub(crate) async fn rename(
    inner: &Inner,
    p: lsp::RenameParams,
) -> Result<Option<lsp::WorkspaceEdit>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position, true).await else {
        return Ok(None);
    };
    let edits = mica_ide::rename(&snap.analysis, &snap.key, offset, &p.new_name)
        .map_err(Error::invalid_params)?;
    Ok(snap.ctx().workspace_edit(&edits))
}
