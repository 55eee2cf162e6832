//! Building protocol results from the IDE's plain data: every range goes through
//! [`crate::convert`] with the text of the file it points into.

use crate::convert::{self, Encoding, Paths};
use mica_check::{Code, Diagnostic, Severity};
use mica_ide::{Analysis, CompletionKind, FoldKind, SymbolKind, TokenKind};
use mica_syntax::TextRange;
use std::collections::HashMap;
use tower_lsp_server::ls_types as lsp;

/// What the conversions need: the analysis (for the text of every file), the encoding and how
/// to name files.
pub struct Ctx<'a> {
    /// The snapshot the results come from.
    pub analysis: &'a Analysis,
    /// The negotiated position encoding.
    pub enc: Encoding,
    /// The workspace root.
    pub paths: &'a Paths,
    /// The URIs the client uses for open documents, by key.
    pub uris: &'a HashMap<String, lsp::Uri>,
    /// Where `spec/diagnostics.md` is published, if known.
    pub docs_url: Option<&'a str>,
}

impl Ctx<'_> {
    /// The URI of a workspace file.
    pub fn uri(&self, file: &str) -> Option<lsp::Uri> {
        self.uris
            .get(file)
            .cloned()
            .or_else(|| self.paths.uri(file))
    }

    /// A byte range of a workspace file as a protocol range.
    pub fn range(&self, file: &str, r: TextRange) -> Option<lsp::Range> {
        let f = self.analysis.file(file)?;
        Some(convert::range(f.text(), f.lines(), r, self.enc))
    }

    /// A place in a workspace file.
    pub fn location(&self, file: &str, r: TextRange) -> Option<lsp::Location> {
        Some(lsp::Location::new(self.uri(file)?, self.range(file, r)?))
    }

    /// A checker diagnostic.
    pub fn diagnostic(&self, d: &Diagnostic) -> Option<lsp::Diagnostic> {
        let range = self.range(&d.location.file, d.location.range)?;
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .filter_map(|l| {
                Some(lsp::DiagnosticRelatedInformation {
                    location: self.location(&l.location.file, l.location.range)?,
                    message: l.message.clone(),
                })
            })
            .collect();
        let code_description = self.docs_url.and_then(|base| {
            format!("{base}#{}", d.code.name())
                .parse()
                .ok()
                .map(|href| lsp::CodeDescription { href })
        });
        let tags = (d.code == Code::UnusedSource).then(|| vec![lsp::DiagnosticTag::UNNECESSARY]);
        Some(lsp::Diagnostic {
            range,
            severity: Some(severity(d.severity)),
            code: Some(lsp::NumberOrString::String(d.code.name().to_string())),
            code_description,
            source: Some("mica".into()),
            message: d.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            tags,
            data: None,
        })
    }

    /// Edits by file, as a workspace edit.
    pub fn workspace_edit(&self, edits: &[mica_ide::Edit]) -> Option<lsp::WorkspaceEdit> {
        let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
        for e in edits {
            let uri = self.uri(&e.location.file)?;
            let range = self.range(&e.location.file, e.location.range)?;
            changes
                .entry(uri)
                .or_default()
                .push(lsp::TextEdit::new(range, e.new_text.clone()));
        }
        Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        })
    }
}

/// The protocol's severity.
pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// The icon of a completion item.
pub fn completion_kind(k: CompletionKind) -> lsp::CompletionItemKind {
    match k {
        CompletionKind::Source => lsp::CompletionItemKind::MODULE,
        CompletionKind::Claim => lsp::CompletionItemKind::REFERENCE,
        CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::File => lsp::CompletionItemKind::FILE,
        CompletionKind::Quote => lsp::CompletionItemKind::TEXT,
    }
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
        let first = lines.line_of(r.start);
        let last = lines.line_of(r.end);
        for line in first..=last {
            let Some(content) = lines.line_content_range(text, line) else {
                continue;
            };
            let s = r.start.max(content.start);
            let e = r.end.min(content.end);
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
