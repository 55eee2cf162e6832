//! The analysis: a snapshot of the configuration, the source provider and every document the
//! editor features may look at, each parsed and checked once.

use crate::DocCache;
use mica_check::{
    CONFIG_FILE, CheckedDocument, Config, Diagnostic, DocumentInput, ResolvedCitation, SourceScope,
};
use mica_sources::{SourceFile, SourceProvider};
use mica_syntax::{LineIndex, Parse};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// One `.mica` document, parsed and checked against the workspace.
pub struct DocumentData {
    /// Workspace-relative path with `/` separators.
    pub path: String,
    /// The text the analysis is about: shared with the editor's buffer it came from, which is
    /// edited in place once no analysis holds it (one copy of a document, however large).
    pub text: Arc<String>,
    /// Its parse (shared with the [`DocCache`] that made it, if any).
    pub parse: Arc<Parse>,
    /// Its lines, for positions at the edges (shared with the [`DocCache`] that made it, if
    /// any, which updates them after an edit instead of copying them).
    pub lines: Arc<LineIndex>,
    /// The checker's diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Every citation of the document and where it resolved, in document order.
    pub citations: Arc<Vec<ResolvedCitation>>,
    /// The sources visible from the document.
    pub scope: SourceScope,
}

impl fmt::Debug for DocumentData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentData")
            .field("path", &self.path)
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl DocumentData {
    /// Parse and check `text` as the document at `path`.
    ///
    /// Documents are independent of each other (claim ids are local, source ids come from the
    /// document and `mica.toml`), so one document is checked on its own; the provider's
    /// per-source caches make a re-check after an edit cost only the quotes that changed.
    pub fn new(
        config: &Config,
        provider: &dyn SourceProvider,
        path: &str,
        text: impl Into<Arc<String>>,
    ) -> Self {
        let text = text.into();
        let parse = mica_syntax::parse(&text);
        Self::with_parse(config, provider, path, text, parse)
    }

    /// Check `text` as the document at `path`, given its parse.
    pub fn with_parse(
        config: &Config,
        provider: &dyn SourceProvider,
        path: &str,
        text: impl Into<Arc<String>>,
        parse: Parse,
    ) -> Self {
        let text = text.into();
        let input = DocumentInput {
            path,
            text: &text,
            parse: &parse,
        };
        let checked = mica_check::check(config, provider, &[input])
            .pop()
            .unwrap_or_else(|| CheckedDocument {
                path: path.to_string(),
                diagnostics: Vec::new(),
                citations: Vec::new(),
            });
        let scope = SourceScope::new(config, path, &parse.document);
        let lines = Arc::new(LineIndex::new(&text));
        Self {
            path: path.to_string(),
            text,
            parse: Arc::new(parse),
            lines,
            diagnostics: checked.diagnostics,
            citations: Arc::new(checked.citations),
            scope,
        }
    }

    /// The diagnostics of the document.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Where the citation at `range` resolved.
    pub fn citation(&self, range: mica_syntax::TextRange) -> Option<&ResolvedCitation> {
        // In document order, as the claims are: found by binary search.
        let i = self
            .citations
            .partition_point(|c| c.range.start() < range.start());
        self.citations.get(i).filter(|c| c.range == range)
    }

    /// Where the citations of claim `index` resolved, in order.
    pub fn citations_of(&self, index: usize) -> &[ResolvedCitation] {
        let start = self
            .citations
            .partition_point(|c| (c.claim as usize) < index);
        let end = self
            .citations
            .partition_point(|c| c.claim as usize <= index);
        &self.citations[start..end]
    }
}

/// The text of any workspace file an editor feature points into, with its lines.
#[derive(Clone)]
pub enum FileText {
    /// A `.mica` document of the analysis.
    Document(Arc<DocumentData>),
    /// A source document.
    Source(Arc<SourceFile>),
    /// `mica.toml`.
    Config(Arc<Config>, Arc<LineIndex>),
}

impl FileText {
    /// The text.
    pub fn text(&self) -> &str {
        match self {
            FileText::Document(d) => &d.text,
            FileText::Source(s) => s.text(),
            FileText::Config(c, _) => &c.text,
        }
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        match self {
            FileText::Document(d) => &d.lines,
            FileText::Source(s) => s.lines(),
            FileText::Config(_, l) => l,
        }
    }
}

impl fmt::Debug for FileText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileText")
            .field("len", &self.text().len())
            .finish_non_exhaustive()
    }
}

/// A snapshot of the workspace for editor features: cheap to clone, never changed in place
/// by a reader.
#[derive(Clone)]
pub struct Analysis {
    config: Arc<Config>,
    config_lines: Arc<LineIndex>,
    provider: Arc<dyn SourceProvider>,
    docs: BTreeMap<String, Arc<DocumentData>>,
}

impl fmt::Debug for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analysis")
            .field("root", &self.provider.root())
            .field("documents", &self.docs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Analysis {
    /// An analysis without documents.
    pub fn new(config: Arc<Config>, provider: Arc<dyn SourceProvider>) -> Self {
        let config_lines = Arc::new(LineIndex::new(&config.text));
        Self {
            config,
            config_lines,
            provider,
            docs: BTreeMap::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The shared configuration.
    pub fn config_arc(&self) -> &Arc<Config> {
        &self.config
    }

    /// The source provider.
    pub fn provider(&self) -> &dyn SourceProvider {
        &*self.provider
    }

    /// The shared source provider.
    pub fn provider_arc(&self) -> &Arc<dyn SourceProvider> {
        &self.provider
    }

    /// Parse and check `text` as the document at `path` against this analysis' workspace,
    /// without adding it.
    pub fn analyse(&self, path: &str, text: impl Into<Arc<String>>) -> DocumentData {
        DocumentData::new(&self.config, &*self.provider, path, text)
    }

    /// Like [`Analysis::analyse`], for a `text` that differs from the text `cache` last saw
    /// as `since` says, parsing and checking only what changed, up to its diagnostics
    /// ([`DocCache::begin_edited`]): they can be published before [`DocCache::finish`]
    /// completes the analysis. Nothing is compared and the cache keeps no copy of the text.
    pub fn begin_edited(
        &self,
        path: &str,
        text: impl Into<Arc<String>>,
        since: crate::Since,
        cache: &mut DocCache,
    ) -> crate::Edited {
        cache.begin_edited(&self.config, &*self.provider, path, text, since)
    }

    /// Add or replace a document that was analysed against this workspace.
    pub fn insert(&mut self, doc: Arc<DocumentData>) {
        self.docs.insert(doc.path.clone(), doc);
    }

    /// Analyse `text` as the document at `path` and add it.
    pub fn set_document(&mut self, path: &str, text: impl Into<String>) -> Arc<DocumentData> {
        let doc = Arc::new(self.analyse(path, text.into()));
        self.insert(Arc::clone(&doc));
        doc
    }

    /// Remove the document at `path`.
    pub fn remove(&mut self, path: &str) {
        self.docs.remove(path);
    }

    /// The document at `path`.
    pub fn document(&self, path: &str) -> Option<&Arc<DocumentData>> {
        self.docs.get(path)
    }

    /// Every document, by path.
    pub fn documents(&self) -> impl Iterator<Item = &Arc<DocumentData>> {
        self.docs.values()
    }

    /// The text of any workspace file: a document, `mica.toml` or a source.
    pub fn file(&self, path: &str) -> Option<FileText> {
        if let Some(d) = self.docs.get(path) {
            return Some(FileText::Document(Arc::clone(d)));
        }
        if path == CONFIG_FILE {
            return Some(FileText::Config(
                Arc::clone(&self.config),
                Arc::clone(&self.config_lines),
            ));
        }
        self.provider.load(path).ok().map(FileText::Source)
    }

    /// Problems in `mica.toml` itself (invalid values, sources that cannot be read).
    pub fn config_diagnostics(&self) -> Vec<Diagnostic> {
        mica_check::check_config(&self.config, &*self.provider)
    }
}
