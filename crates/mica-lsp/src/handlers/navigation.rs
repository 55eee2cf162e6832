//! Requests at a position that read the document: hover, go to definition, references,
//! highlights, completion.

use crate::server::Inner;
use crate::to_lsp;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

pub(crate) async fn hover(inner: &Inner, p: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position_params, false).await else {
        return Ok(None);
    };
    let found = mica_ide::hover(&snap.analysis, &snap.key, offset);
    Ok(found.and_then(|h| to_lsp::hover(&snap.ctx(), h)))
}

pub(crate) async fn definition(
    inner: &Inner,
    p: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position_params, false).await else {
        return Ok(None);
    };
    let targets = mica_ide::definition(&snap.analysis, &snap.key, offset);
    Ok(to_lsp::definition(
        &snap.ctx(),
        &targets,
        snap.caps.link_support,
    ))
}

pub(crate) async fn references(
    inner: &Inner,
    p: lsp::ReferenceParams,
) -> Result<Option<Vec<lsp::Location>>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position, true).await else {
        return Ok(None);
    };
    let with_decl = p.context.include_declaration;
    let refs = mica_ide::references(&snap.analysis, &snap.key, offset, with_decl);
    Ok(Some(to_lsp::locations(&snap.ctx(), &refs)))
}

pub(crate) async fn highlights(
    inner: &Inner,
    p: lsp::DocumentHighlightParams,
) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position_params, false).await else {
        return Ok(None);
    };
    let hs = mica_ide::highlights(&snap.analysis, &snap.key, offset);
    Ok(Some(to_lsp::highlights(&snap.ctx(), &hs)))
}

pub(crate) async fn completion(
    inner: &Inner,
    p: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>> {
    let Some((snap, offset)) = inner.at(&p.text_document_position, false).await else {
        return Ok(None);
    };
    let items = mica_ide::completions(&snap.analysis, &snap.key, offset);
    Ok(Some(to_lsp::completion(&snap.ctx(), items)))
}
