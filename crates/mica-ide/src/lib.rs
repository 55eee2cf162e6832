//! Editor features for Mica as plain functions of an [`Analysis`], a document path and a byte
//! offset, returning plain data.
//!
//! Nothing here knows the Language Server Protocol: every position is a UTF-8 byte offset or a
//! [`TextRange`] into the file it names, and every path is workspace-relative with `/`
//! separators. The language server converts at its edge; tests call these functions directly on
//! fixtures.
//!
//! The features reuse the checker's results ([`mica_check::CheckedDocument`]: diagnostics with
//! fixes and where every citation resolved) and the sources' matching; no rule is implemented a
//! second time here.

mod actions;
mod analysis;
mod completion;
mod cursor;
mod hover;
mod incremental;
mod markdown;
mod navigation;
mod outline;
mod rename;
mod tokens;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod test_rng;

pub use actions::{Action, code_actions};
pub use analysis::{Analysis, DocumentData, FileText};
pub use completion::{CompletionItem, CompletionKind, completions};
pub use hover::{HoverResult, hover};
pub use incremental::{
    ClaimChange, DocCache, Edited, ParseCache, Since, TextChange, parse_in_parallel,
};
pub use mica_check::{Edit, Location};
pub use mica_syntax::TextRange;
pub use navigation::{Highlight, Target, definition, highlights, references};
pub use outline::{
    Fold, FoldKind, Symbol, SymbolKind, WorkspaceSymbol, document_symbols, folding_ranges,
    workspace_symbols,
};
pub use rename::{prepare_rename, rename};
pub use tokens::{InlayHint, TokenKind, inlay_hints, semantic_tokens};
