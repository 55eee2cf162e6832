//! Building protocol results from the IDE's plain data: every range goes through
//! [`crate::convert`] with the text of the file it points into.

use crate::convert::{self, Encoding, Paths};
use mica_check::ConfigError;
use mica_check::{Code, Diagnostic, Severity};
use mica_ide::{Analysis, CompletionKind};
use mica_syntax::TextRange;
use mica_syntax::{ColumnUnit, LineCol, LineIndex};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::PathBuf;
use tower_lsp_server::ls_types as lsp;

mod outline;
pub use outline::{
    TOKEN_MODIFIERS, TOKEN_TYPES, document_symbols, folding_ranges, inlay_hints, semantic_tokens,
    workspace_symbols,
};

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
    /// The document a request is about (its key), whose ranges [`Ctx::doc_range`] converts.
    pub key: &'a str,
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

    /// A byte range of the request's document as a protocol range.
    pub fn doc_range(&self, r: TextRange) -> lsp::Range {
        self.range(self.key, r).unwrap_or_default()
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

/// A hover: the Markdown and the range it is about.
pub fn hover(ctx: &Ctx<'_>, h: mica_ide::HoverResult) -> Option<lsp::Hover> {
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(ctx.doc_range(h.range)),
    })
}

/// Where a definition is: links when the client takes them, else locations.
pub fn definition(
    ctx: &Ctx<'_>,
    targets: &[mica_ide::Target],
    links: bool,
) -> Option<lsp::GotoDefinitionResponse> {
    if targets.is_empty() {
        return None;
    }
    if links {
        let links = targets
            .iter()
            .filter_map(|t| {
                let range = ctx.range(&t.file, t.range)?;
                Some(lsp::LocationLink {
                    origin_selection_range: Some(ctx.doc_range(t.origin)),
                    target_uri: ctx.uri(&t.file)?,
                    target_range: range,
                    target_selection_range: range,
                })
            })
            .collect();
        return Some(lsp::GotoDefinitionResponse::Link(links));
    }
    let locations = targets
        .iter()
        .filter_map(|t| ctx.location(&t.file, t.range))
        .collect();
    Some(lsp::GotoDefinitionResponse::Array(locations))
}

/// Places in workspace files.
pub fn locations(ctx: &Ctx<'_>, places: &[mica_check::Location]) -> Vec<lsp::Location> {
    places
        .iter()
        .filter_map(|l| ctx.location(&l.file, l.range))
        .collect()
}

/// Highlights in the request's document: a declaration is written, a reference read.
pub fn highlights(ctx: &Ctx<'_>, hs: &[mica_ide::Highlight]) -> Vec<lsp::DocumentHighlight> {
    hs.iter()
        .map(|h| lsp::DocumentHighlight {
            range: ctx.doc_range(h.range),
            kind: Some(if h.declaration {
                lsp::DocumentHighlightKind::WRITE
            } else {
                lsp::DocumentHighlightKind::READ
            }),
        })
        .collect()
}

/// Completion items in the IDE's order; the list is incomplete when it offers quotes or claim
/// ids, which the IDE chooses by what is typed.
pub fn completion(ctx: &Ctx<'_>, items: Vec<mica_ide::CompletionItem>) -> lsp::CompletionResponse {
    let incomplete = items
        .iter()
        .any(|i| matches!(i.kind, CompletionKind::Quote | CompletionKind::Claim));
    // The items replace one range, converted once.
    let mut last: Option<(TextRange, lsp::Range)> = None;
    let mut range = |r: TextRange| match last {
        Some((k, v)) if k == r => v,
        _ => {
            let v = ctx.doc_range(r);
            last = Some((r, v));
            v
        }
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(n, it)| lsp::CompletionItem {
            label: it.label,
            kind: Some(completion_kind(it.kind)),
            detail: it.detail,
            documentation: it.documentation.map(|d| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: d,
                })
            }),
            sort_text: Some(format!("{n:04}")),
            filter_text: it.filter_text,
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                range(it.range),
                it.text,
            ))),
            command: it.retrigger.then(|| lsp::Command {
                title: "Suggest".into(),
                command: "editor.action.triggerSuggest".into(),
                arguments: None,
            }),
            ..Default::default()
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: incomplete,
        items,
    })
}

/// Quick fixes.
pub fn code_actions(ctx: &Ctx<'_>, actions: &[mica_ide::Action]) -> lsp::CodeActionResponse {
    actions
        .iter()
        .filter_map(|a| {
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: a.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: a
                    .diagnostic
                    .as_ref()
                    .and_then(|d| ctx.diagnostic(d))
                    .map(|d| vec![d]),
                edit: Some(ctx.workspace_edit(&a.edits)?),
                is_preferred: a.preferred.then_some(true),
                ..Default::default()
            }))
        })
        .collect()
}

/// What a rename would change, with the name to start from.
pub fn prepare_rename(
    ctx: &Ctx<'_>,
    range: TextRange,
    placeholder: String,
) -> lsp::PrepareRenameResponse {
    lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: ctx.doc_range(range),
        placeholder,
    }
}

/// A configuration that cannot be read, as one diagnostic at the place it names.
pub fn config_error(text: &str, e: &ConfigError, enc: Encoding) -> lsp::Diagnostic {
    let lines = LineIndex::new(text);
    let range = match e.position {
        Some((line, col)) => {
            let lc = LineCol {
                line: line.saturating_sub(1),
                col: col.saturating_sub(1),
            };
            let start = lines.offset(text, lc, ColumnUnit::Char);
            let end = lines
                .line_content_range(text, lines.line_of(start))
                .map_or(start, |r| r.end());
            convert::range(text, &lines, TextRange::new(start, end), enc)
        }
        None => lsp::Range::default(),
    };
    lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("mica".into()),
        message: format!(
            "{}: the workspace is checked without it until it is fixed",
            e.message
        ),
        ..Default::default()
    }
}

/// File watchers for `watches` (patterns relative to a workspace root, or `**/` globs):
/// relative patterns when the client takes them, else `**/` globs of the literal path.
pub fn watchers(
    watches: BTreeSet<(Option<PathBuf>, String)>,
    relative: bool,
    roots: &HashMap<PathBuf, lsp::Uri>,
) -> lsp::DidChangeWatchedFilesRegistrationOptions {
    let watchers = watches
        .into_iter()
        .map(|(root, g)| {
            let glob_pattern = if g.starts_with("**/") {
                lsp::GlobPattern::String(g)
            } else {
                let escaped = escape_glob(g.trim_start_matches("./"));
                match (root.and_then(|r| roots.get(&r)), relative) {
                    (Some(base), true) => lsp::GlobPattern::Relative(lsp::RelativePattern {
                        base_uri: lsp::OneOf::Right(base.clone()),
                        pattern: escaped,
                    }),
                    _ => lsp::GlobPattern::String(format!("**/{escaped}")),
                }
            };
            lsp::FileSystemWatcher {
                glob_pattern,
                kind: None,
            }
        })
        .collect();
    lsp::DidChangeWatchedFilesRegistrationOptions { watchers }
}

/// Escape glob metacharacters of a literal path.
fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
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
