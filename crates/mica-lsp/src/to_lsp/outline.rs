//! Protocol results about a whole document or the workspace: the outline, workspace symbols,
//! folding ranges, inlay hints and semantic tokens (with their legend).

use super::Ctx;
use crate::convert::{self, Encoding};
use mica_ide::{FoldKind, SymbolKind, TokenKind};
use mica_syntax::TextRange;
use tower_lsp_server::ls_types as lsp;

/// A document's outline: nested when the client takes it, else flat with containers.
pub fn document_symbols(
    ctx: &Ctx<'_>,
    uri: &lsp::Uri,
    symbols: &[mica_ide::Symbol],
    nested: bool,
) -> lsp::DocumentSymbolResponse {
    #[allow(deprecated)]
    fn tree(ctx: &Ctx<'_>, s: &mica_ide::Symbol) -> lsp::DocumentSymbol {
        lsp::DocumentSymbol {
            name: s.name.clone(),
            detail: s.detail.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            range: ctx.doc_range(s.range),
            selection_range: ctx.doc_range(s.selection_range),
            children: Some(s.children.iter().map(|c| tree(ctx, c)).collect()),
        }
    }
    #[allow(deprecated)]
    fn flat(
        ctx: &Ctx<'_>,
        uri: &lsp::Uri,
        s: &mica_ide::Symbol,
        container: Option<&str>,
        out: &mut Vec<lsp::SymbolInformation>,
    ) {
        out.push(lsp::SymbolInformation {
            name: s.name.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), ctx.doc_range(s.range)),
            container_name: container.map(str::to_string),
        });
        for c in &s.children {
            flat(ctx, uri, c, Some(&s.name), out);
        }
    }
    if nested {
        return lsp::DocumentSymbolResponse::Nested(symbols.iter().map(|s| tree(ctx, s)).collect());
    }
    let mut out = Vec::new();
    for s in symbols {
        flat(ctx, uri, s, None, &mut out);
    }
    lsp::DocumentSymbolResponse::Flat(out)
}

/// Symbols found across the workspace.
pub fn workspace_symbols(
    ctx: &Ctx<'_>,
    found: &[mica_ide::WorkspaceSymbol],
) -> lsp::WorkspaceSymbolResponse {
    let out = found
        .iter()
        .filter_map(|s| {
            Some(lsp::WorkspaceSymbol {
                name: s.name.clone(),
                kind: symbol_kind(s.kind),
                tags: None,
                container_name: s.container.clone(),
                location: lsp::OneOf::Left(ctx.location(&s.location.file, s.location.range)?),
                data: None,
            })
        })
        .collect();
    lsp::WorkspaceSymbolResponse::Nested(out)
}

/// Folding ranges, by whole lines.
pub fn folding_ranges(ctx: &Ctx<'_>, folds: &[mica_ide::Fold]) -> Vec<lsp::FoldingRange> {
    folds
        .iter()
        .map(|f| {
            let r = ctx.doc_range(f.range);
            lsp::FoldingRange {
                start_line: r.start.line,
                start_character: None,
                end_line: r.end.line,
                end_character: None,
                kind: fold_kind(f.kind),
                collapsed_text: None,
            }
        })
        .collect()
}

/// Inlay hints after the places they annotate.
pub fn inlay_hints(ctx: &Ctx<'_>, hints: Vec<mica_ide::InlayHint>) -> Vec<lsp::InlayHint> {
    hints
        .into_iter()
        .map(|h| lsp::InlayHint {
            position: ctx.doc_range(TextRange::new(h.offset, h.offset)).start,
            label: lsp::InlayHintLabel::String(h.label),
            kind: None,
            text_edits: None,
            tooltip: h.tooltip.map(lsp::InlayHintTooltip::String),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

/// The kind of a document or workspace symbol.
pub fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
    match k {
        SymbolKind::Heading => lsp::SymbolKind::STRING,
        SymbolKind::Claim => lsp::SymbolKind::OBJECT,
        SymbolKind::Source => lsp::SymbolKind::FILE,
        SymbolKind::FrontMatter => lsp::SymbolKind::NAMESPACE,
    }
}

/// The kind of a folding range.
pub fn fold_kind(k: FoldKind) -> Option<lsp::FoldingRangeKind> {
    match k {
        FoldKind::Comment => Some(lsp::FoldingRangeKind::Comment),
        FoldKind::FrontMatter => Some(lsp::FoldingRangeKind::Imports),
        FoldKind::Section | FoldKind::Claim => Some(lsp::FoldingRangeKind::Region),
    }
}

/// The semantic token types the server uses, in legend order.
pub const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::DECORATOR,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::COMMENT,
];

/// The semantic token modifiers, in legend order.
pub const TOKEN_MODIFIERS: &[lsp::SemanticTokenModifier] = &[
    lsp::SemanticTokenModifier::DECLARATION,
    lsp::SemanticTokenModifier::DOCUMENTATION,
];

/// The legend's type index and modifier bits of a token kind.
fn token_type(k: TokenKind) -> (u32, u32) {
    const DECLARATION: u32 = 1;
    const DOCUMENTATION: u32 = 2;
    match k {
        TokenKind::ClaimText => (0, DOCUMENTATION),
        TokenKind::Quote | TokenKind::String => (0, 0),
        TokenKind::ClaimId => (1, DECLARATION),
        TokenKind::ClaimRef => (1, 0),
        TokenKind::Tag => (2, 0),
        TokenKind::Key => (3, 0),
        TokenKind::Value => (4, 0),
        TokenKind::Number | TokenKind::LineLocator => (5, 0),
        TokenKind::SourceId => (6, 0),
        TokenKind::SourceDecl => (6, DECLARATION),
        TokenKind::Keyword => (7, 0),
        TokenKind::Comment => (8, 0),
    }
}

/// Encode tokens relative to each other, one per line (tokens spanning lines are cut at
/// line ends, which every client accepts).
pub fn semantic_tokens(
    text: &str,
    lines: &mica_syntax::LineIndex,
    tokens: &[(TextRange, TokenKind)],
    enc: Encoding,
) -> Vec<lsp::SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for &(r, kind) in tokens {
        let (ty, mods) = token_type(kind);
        let first = lines.line_of(r.start());
        let last = lines.line_of(r.end());
        for line in first..=last {
            let Some(content) = lines.line_content_range(text, line) else {
                continue;
            };
            let s = r.start().max(content.start());
            let e = r.end().min(content.end());
            if s >= e {
                continue;
            }
            let a = convert::position(text, lines, s, enc);
            let b = convert::position(text, lines, e, enc);
            let delta_line = a.line - prev_line;
            let delta_start = if delta_line == 0 {
                a.character - prev_start
            } else {
                a.character
            };
            out.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: b.character - a.character,
                token_type: ty,
                token_modifiers_bitset: mods,
            });
            prev_line = a.line;
            prev_start = a.character;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mica_syntax::LineIndex;

    #[test]
    fn tokens_spanning_lines_are_cut_and_counted_in_the_encoding() {
        let text = "[中文\n😀x]{cite=a}";
        let lines = LineIndex::new(text);
        let claim = TextRange::new(1, text.find(']').unwrap());
        let toks = semantic_tokens(
            text,
            &lines,
            &[(claim, TokenKind::ClaimText)],
            Encoding::Utf16,
        );
        let got: Vec<(u32, u32, u32)> = toks
            .iter()
            .map(|t| (t.delta_line, t.delta_start, t.length))
            .collect();
        assert_eq!(got, [(0, 1, 2), (1, 0, 3)]);
        let toks = semantic_tokens(
            text,
            &lines,
            &[(claim, TokenKind::ClaimText)],
            Encoding::Utf8,
        );
        let got: Vec<u32> = toks.iter().map(|t| t.length).collect();
        assert_eq!(got, [6, 5]);
    }
}
