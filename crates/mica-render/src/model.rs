//! The report: a checked brief gathered into what readers see (claims with their citations
//! resolved into source passages, sources with who cites them, diagnostics tied to claims),
//! shared by the three output formats.
//!
//! Length: about 680 lines, all code. Gathering claims, citations, sources and findings is one
//! pass over the check's result; the passage context is in `context.rs`. Splitting out the
//! citation resolution is the next step if it grows further.

use crate::context::{self, Passage};
use mica_check::vocab::{self, Likelihood};
use mica_check::workspace::{self, WorkspaceError};
use mica_check::{
    CONFIG_FILE, CheckedDocument, Code, Config, Diagnostic, DocumentInput, Severity, SourceScope,
};
use mica_sources::{FsProvider, SourceFile, SourceProvider};
use mica_syntax::{Claim, LineIndex, Parse, TextRange, ValueKind};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why nothing could be rendered.
#[derive(Debug)]
pub enum LoadError {
    /// The brief does not exist.
    NoSuchFile(PathBuf),
    /// The path names a folder or something else that is not a file.
    NotAFile(PathBuf),
    /// The brief could not be read.
    Io(PathBuf, std::io::Error),
    /// The workspace (`mica.toml`) could not be loaded.
    Workspace(WorkspaceError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NoSuchFile(p) => write!(f, "{}: no such file", p.display()),
            LoadError::NotAFile(p) => write!(
                f,
                "{}: not a file; `mica render` takes one `.mica` brief",
                p.display()
            ),
            LoadError::Io(p, e) => write!(f, "{}: cannot read it: {e}", p.display()),
            LoadError::Workspace(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A checked brief, ready to render.
pub struct Report {
    /// The workspace root and the brief's canonical path on disk, when loaded from disk.
    pub on_disk: Option<(PathBuf, PathBuf)>,
    /// The brief's workspace-relative path.
    pub path: String,
    /// The brief's text.
    pub text: String,
    /// Its parse.
    pub parse: Parse,
    /// Front matter entries in order (`title`, `author`, `date`, `classification`, ...).
    pub meta: Vec<(String, String)>,
    /// Every claim in document order.
    pub claims: Vec<ClaimView>,
    /// Every source visible from the brief: `mica.toml`'s, then the brief's own.
    pub sources: Vec<SourceView>,
    /// Every diagnostic of the brief and of `mica.toml`, in that order: `mica.toml`'s first.
    pub diagnostics: Vec<DiagnosticView>,
    /// The claim declaring each id (the first one).
    ids: HashMap<String, usize>,
}

/// A claim as readers see it.
pub struct ClaimView {
    /// The claim's id, if it has one.
    pub id: Option<String>,
    /// The HTML id: the claim's id, or `claim-N` for a claim without one (or a second claim
    /// with the same id), so that every claim can be linked to.
    pub anchor: String,
    /// The claim's text as the parser records it.
    pub text: String,
    /// The claim's text as Markdown: as written, comments dropped, whitespace collapsed.
    pub markdown: String,
    /// `conf=` as written.
    pub conf: Option<String>,
    /// `p=` as written.
    pub p: Option<String>,
    /// `p=` read, when it is valid.
    pub likelihood: Option<Likelihood>,
    /// Tags without their dot.
    pub tags: Vec<String>,
    /// Ids this claim supports.
    pub supports: Vec<String>,
    /// Ids this claim contradicts.
    pub contradicts: Vec<String>,
    /// `note=`.
    pub note: Option<String>,
    /// Its citations in order.
    pub citations: Vec<CitationView>,
    /// Indices into [`Report::diagnostics`] of the diagnostics inside the claim.
    pub diagnostics: Vec<usize>,
    /// 1-based line of the claim in the brief.
    pub line: usize,
}

impl ClaimView {
    /// The confidence if it is one of the three levels, else `none`.
    pub fn conf_class(&self) -> &'static str {
        match self.conf.as_deref() {
            Some("high") => "high",
            Some("moderate") => "moderate",
            Some("low") => "low",
            _ => "none",
        }
    }

    /// The worst severity among the claim's diagnostics.
    pub fn worst(&self, report: &Report) -> Option<Severity> {
        self.diagnostics
            .iter()
            .map(|&i| report.diagnostics[i].severity)
            .max()
    }
}

/// One citation, resolved.
pub struct CitationView {
    /// The note number, 1-based, in document order over the whole brief.
    pub note: usize,
    /// The cited source id.
    pub source: String,
    /// The quote as written (escapes resolved).
    pub quote: Option<String>,
    /// The line locator as written, 1-based and inclusive.
    pub lines: Option<(usize, usize)>,
    /// 1-based line of the source where the resolved passage starts.
    pub line: Option<usize>,
    /// 1-based last line of the resolved passage.
    pub end_line: Option<usize>,
    /// Byte range of the resolved passage in the source file.
    pub range: Option<TextRange>,
    /// Whether the citation resolved where it says and no error is reported on it.
    pub verified: bool,
    /// The cited passage in its sentence or paragraph, when the citation quotes one.
    pub context: Option<Passage>,
    /// The cited lines, for a citation with a locator and no quote (at most a few lines).
    pub excerpt: Option<String>,
    /// For a quote that was not found: the closest passage of the source.
    pub suggestion: Option<String>,
    /// Indices into [`Report::diagnostics`] of the diagnostics on this citation.
    pub diagnostics: Vec<usize>,
}

/// A source as the sources section shows it.
pub struct SourceView {
    /// The id.
    pub id: String,
    /// The path as declared.
    pub path: Option<String>,
    /// `title=`.
    pub title: Option<String>,
    /// `url=`.
    pub url: Option<String>,
    /// `date=`.
    pub date: Option<String>,
    /// `reliability=`, the Admiralty grade.
    pub reliability: Option<String>,
    /// Where it is declared: `mica.toml` or the brief.
    pub declared_in: String,
    /// Indices of the claims citing it, in order, each once.
    pub cited_by: Vec<usize>,
    /// How many citations name it.
    pub citations: usize,
}

impl SourceView {
    /// The Admiralty grade's meaning, from the one table in `mica_check::vocab`.
    pub fn reliability_meaning(&self) -> Option<&'static str> {
        grade_meaning(self.reliability.as_deref()?)
    }

    /// The title, or the id when there is none.
    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }
}

/// The meaning of an Admiralty grade (`C` → "fairly reliable").
pub fn grade_meaning(grade: &str) -> Option<&'static str> {
    vocab::RELIABILITY
        .iter()
        .find(|(g, _)| *g == grade)
        .map(|(_, m)| *m)
}

/// The ICD 203 band a likelihood falls in: the term itself, or for a number the term whose
/// range holds it.
pub fn icd_term(l: &Likelihood) -> Option<(&'static str, u8, u8)> {
    match *l {
        Likelihood::Term(t, lo, hi) => Some((t, lo, hi)),
        Likelihood::Number(p) => {
            let pct = p * 100.0;
            vocab::LIKELIHOOD
                .iter()
                .find(|(_, lo, hi)| pct >= f64::from(*lo) && pct <= f64::from(*hi))
                .copied()
        }
    }
}

/// A diagnostic with its position for readers.
pub struct DiagnosticView {
    /// The code.
    pub code: Code,
    /// The severity.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The workspace-relative file it is in (the brief or `mica.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// The claim it is about, as an index into [`Report::claims`].
    pub claim: Option<usize>,
    /// The suggested replacement (for a quote: the closest passage).
    pub suggestion: Option<String>,
}

/// Counts for the summary.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Report {
    /// Check the brief at `file` in the workspace of the nearest `mica.toml` above it and
    /// gather the report.
    pub fn load(file: &Path) -> Result<Report, LoadError> {
        let canonical = file
            .canonicalize()
            .map_err(|_| LoadError::NoSuchFile(file.to_path_buf()))?;
        if !canonical.is_file() {
            return Err(LoadError::NotAFile(file.to_path_buf()));
        }
        let dir = canonical.parent().unwrap_or(Path::new("/")).to_path_buf();
        let root = workspace::find_root(&dir).unwrap_or(dir);
        let config = workspace::load_config(&root).map_err(LoadError::Workspace)?;
        let bytes = std::fs::read(&canonical).map_err(|e| LoadError::Io(file.to_path_buf(), e))?;
        let path = workspace::relative_path(&root, &canonical);
        let provider = FsProvider::new(&root);
        let mut report = Report::build(&config, &provider, &path, bytes);
        report.on_disk = Some((root, canonical));
        Ok(report)
    }

    /// Check `bytes`, the brief at workspace-relative `path`, against `provider`'s sources and
    /// gather the report.
    pub fn build(
        config: &Config,
        provider: &dyn SourceProvider,
        path: &str,
        bytes: Vec<u8>,
    ) -> Report {
        let (text, bad_utf8) = match String::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let parse = mica_syntax::parse(&text);
        let input = DocumentInput {
            path,
            text: &text,
            parse: &parse,
        };
        let mut checked: CheckedDocument = mica_check::check(config, provider, &[input])
            .pop()
            .unwrap_or(CheckedDocument {
                path: path.to_string(),
                diagnostics: Vec::new(),
                citations: Vec::new(),
            });
        if let (Some(at), Some(severity)) = (bad_utf8, config.severity(Code::SyntaxError)) {
            let d = Diagnostic::new(
                Code::SyntaxError,
                path,
                TextRange::empty(at.min(text.len())),
                format!(
                    "the file is not valid UTF-8 text (first invalid byte at offset {at}); save it as UTF-8"
                ),
            );
            checked.diagnostics.insert(0, Diagnostic { severity, ..d });
        }
        let mut all = mica_check::check_config(config, provider);
        all.extend(checked.diagnostics.iter().cloned());
        let scope = SourceScope::new(config, path, &parse.document);
        Gather {
            config,
            provider,
            path,
            text: &text,
            parse: &parse,
            scope: &scope,
            checked: &checked,
            diagnostics: &all,
            sources: HashMap::new(),
            resolved: checked
                .citations
                .iter()
                .enumerate()
                .map(|(k, r)| ((r.claim as usize, r.range), k))
                .collect(),
        }
        .run()
        .finish(text.clone(), parse.clone())
    }

    /// Whether writing to `out` would overwrite one of the workspace's own files: the brief,
    /// `mica.toml` or a source the brief can cite.
    pub fn would_overwrite_input(&self, out: &Path) -> bool {
        let Some((root, brief)) = &self.on_disk else {
            return false;
        };
        let Ok(out) = out.canonicalize() else {
            return false;
        };
        out == *brief
            || out == root.join(CONFIG_FILE)
            || self
                .sources
                .iter()
                .filter_map(|s| s.path.as_deref())
                .filter_map(|p| root.join(p).canonicalize().ok())
                .any(|p| p == out)
    }

    /// The front matter value of `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The title: the front matter's, else the first heading's, else the file name.
    pub fn title(&self) -> String {
        self.meta("title")
            .map(str::to_string)
            .or_else(|| {
                self.parse
                    .document
                    .headings
                    .first()
                    .map(|h| h.title.clone())
            })
            .unwrap_or_else(|| self.path.clone())
    }

    /// Diagnostics by severity.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Info => t.infos += 1,
            }
        }
        t
    }

    /// How many citations the brief has.
    pub fn citation_count(&self) -> usize {
        self.claims.iter().map(|c| c.citations.len()).sum()
    }

    /// The claim declaring `id` (the first one).
    pub fn claim_by_id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// The source with `id`.
    pub fn source(&self, id: &str) -> Option<&SourceView> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Builds a [`Report`] from a check.
struct Gather<'a> {
    config: &'a Config,
    provider: &'a dyn SourceProvider,
    path: &'a str,
    text: &'a str,
    parse: &'a Parse,
    scope: &'a SourceScope,
    checked: &'a CheckedDocument,
    diagnostics: &'a [Diagnostic],
    sources: HashMap<String, Option<Arc<SourceFile>>>,
    /// Where each citation resolved, by claim and citation range.
    resolved: HashMap<(usize, TextRange), usize>,
}

struct Gathered {
    path: String,
    meta: Vec<(String, String)>,
    claims: Vec<ClaimView>,
    sources: Vec<SourceView>,
    diagnostics: Vec<DiagnosticView>,
}

impl Gathered {
    fn finish(self, text: String, parse: Parse) -> Report {
        let mut ids = HashMap::new();
        for (i, c) in self.claims.iter().enumerate() {
            if let Some(id) = &c.id {
                ids.entry(id.clone()).or_insert(i);
            }
        }
        Report {
            on_disk: None,
            ids,
            path: self.path,
            text,
            parse,
            meta: self.meta,
            claims: self.claims,
            sources: self.sources,
            diagnostics: self.diagnostics,
        }
    }
}

impl Gather<'_> {
    fn source_file(&mut self, path: &str) -> Option<Arc<SourceFile>> {
        if let Some(s) = self.sources.get(path) {
            return s.clone();
        }
        let s = self.provider.load(path).ok();
        self.sources.insert(path.to_string(), s.clone());
        s
    }

    fn run(mut self) -> Gathered {
        let doc = &self.parse.document;
        let meta = doc
            .front_matter
            .iter()
            .flat_map(|fm| &fm.entries)
            .map(|e| (e.key.name.to_string(), e.value.clone()))
            .collect();
        let lines = LineIndex::new(self.text);
        let config_lines = LineIndex::new(&self.config.text);
        let position = |file: &str, offset: usize| {
            let (text, idx) = if file == CONFIG_FILE {
                (self.config.text.as_str(), &config_lines)
            } else {
                (self.text, &lines)
            };
            let lc = idx.line_col(text, offset.min(text.len()), mica_syntax::ColumnUnit::Char);
            (lc.line + 1, lc.col + 1)
        };

        // Each claim's diagnostics: those whose primary range lies inside the claim. Claims do
        // not overlap and come in document order, so the candidate is found by binary search.
        let claim_of = |d: &Diagnostic| -> Option<usize> {
            if d.location.file != self.path {
                return None;
            }
            let r = d.location.range;
            let i = doc
                .claims
                .partition_point(|c| c.range().start() <= r.start());
            let i = i.checked_sub(1)?;
            doc.claims[i].range().contains_range(r).then_some(i)
        };
        let diagnostics: Vec<DiagnosticView> = self
            .diagnostics
            .iter()
            .map(|d| {
                let (line, column) = position(&d.location.file, d.location.range.start());
                DiagnosticView {
                    code: d.code,
                    severity: d.severity,
                    message: d.message.clone(),
                    file: d.location.file.clone(),
                    line,
                    column,
                    claim: claim_of(d),
                    suggestion: d.suggestion.clone(),
                }
            })
            .collect();

        let mut by_claim: Vec<Vec<usize>> = vec![Vec::new(); doc.claims.len()];
        for (k, d) in diagnostics.iter().enumerate() {
            if let Some(i) = d.claim {
                by_claim[i].push(k);
            }
        }
        let mut seen_ids = HashSet::new();
        let mut note = 0;
        let mut claims = Vec::with_capacity(doc.claims.len());
        for (i, claim) in doc.claims.iter().enumerate() {
            let id = claim.id.as_ref().map(|id| id.name.to_string());
            let anchor = match &id {
                Some(id) if seen_ids.insert(id.clone()) => id.clone(),
                _ => format!("claim-{}", i + 1),
            };
            let single = |key: &str| {
                claim.attrs_named(key).find_map(|a| match &a.value.kind {
                    ValueKind::Bare(b) => Some(b.to_string()),
                    ValueKind::Str(s) => Some(s.value.clone()),
                    _ => None,
                })
            };
            let refs = |key: &str| {
                claim
                    .attrs_named(key)
                    .filter_map(|a| match &a.value.kind {
                        ValueKind::Ref(r) => Some(r.to_string()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            };
            let p = single("p");
            let claim_diags = std::mem::take(&mut by_claim[i]);
            let mut citations = Vec::new();
            for c in claim.citations() {
                note += 1;
                citations.push(self.citation(note, i, c, &claim_diags));
            }
            claims.push(ClaimView {
                id,
                anchor,
                text: claim.text.to_string(),
                markdown: claim_markdown(self.text, claim, &doc.comments),
                conf: single("conf"),
                likelihood: p.as_deref().and_then(Likelihood::parse),
                p,
                tags: claim.tags.iter().map(|t| t.name.to_string()).collect(),
                supports: refs("supports"),
                contradicts: refs("contradicts"),
                note: single("note"),
                citations,
                diagnostics: claim_diags,
                line: lines.line_of(claim.range().start()) + 1,
            });
        }

        let mut sources: Vec<SourceView> = Vec::new();
        for def in self.scope.defs() {
            if sources.iter().any(|s| s.id == def.id) {
                continue;
            }
            let mut cited_by = Vec::new();
            let mut count = 0;
            for (i, c) in claims.iter().enumerate() {
                let n = c.citations.iter().filter(|x| x.source == def.id).count();
                count += n;
                if n > 0 {
                    cited_by.push(i);
                }
            }
            // Workspace sources no claim of this brief cites belong to other briefs.
            if def.in_config() && count == 0 {
                continue;
            }
            sources.push(SourceView {
                id: def.id.clone(),
                path: def.path.as_ref().map(|(p, _)| p.clone()),
                title: def.attr("title").map(str::to_string),
                url: def.attr("url").map(str::to_string),
                date: def.attr("date").map(str::to_string),
                reliability: def.attr("reliability").map(str::to_string),
                declared_in: def.declared.file.clone(),
                cited_by,
                citations: count,
            });
        }
        Gathered {
            path: self.path.to_string(),
            meta,
            claims,
            sources,
            diagnostics,
        }
    }

    fn citation(
        &mut self,
        note: usize,
        claim_index: usize,
        c: &mica_syntax::Citation,
        claim_diags: &[usize],
    ) -> CitationView {
        let resolved = self
            .resolved
            .get(&(claim_index, c.range))
            .map(|&k| &self.checked.citations[k]);
        let diags: Vec<usize> = claim_diags
            .iter()
            .copied()
            .filter(|&k| c.range.contains_range(self.diagnostics[k].location.range))
            .collect();
        let mut view = CitationView {
            note,
            source: c.source.name.to_string(),
            quote: c.quote.as_ref().map(|q| q.value.clone()),
            lines: c.lines.map(|l| (l.start as usize, l.end as usize)),
            line: None,
            end_line: None,
            range: None,
            verified: false,
            context: None,
            excerpt: None,
            suggestion: None,
            diagnostics: diags,
        };
        let Some(r) = resolved else { return view };
        view.suggestion = r.suggestion.as_ref().map(|s| s.text.clone());
        let (Some(path), Some(target)) = (&r.source_path, r.target) else {
            return view;
        };
        let Some(source) = self.source_file(path) else {
            return view;
        };
        let idx = source.lines();
        view.line = Some(idx.line_of(target.start()) + 1);
        view.end_line = Some(idx.line_of(target.end().saturating_sub(1).max(target.start())) + 1);
        view.range = Some(target);
        view.verified = !view
            .diagnostics
            .iter()
            .any(|&k| self.diagnostics[k].severity == Severity::Error);
        if c.quote.is_some() {
            let parts = if r.parts.is_empty() {
                std::slice::from_ref(&target)
            } else {
                &r.parts[..]
            };
            view.context = Some(context::passage(source.text(), parts));
        } else {
            view.excerpt = Some(excerpt(&source, target, 6));
        }
        view
    }
}

/// The claim's text as written, for rendering as Markdown: comments dropped, line breaks and
/// indentation collapsed to single spaces.
fn claim_markdown(text: &str, claim: &Claim, comments: &[TextRange]) -> String {
    let r = claim.text_range;
    let mut out = String::new();
    let mut at = r.start();
    for c in comments.iter().filter(|c| r.contains_range(**c)) {
        out.push_str(&text[at..c.start()]);
        at = c.end();
    }
    out.push_str(&text[at..r.end()]);
    mica_sources::collapse_whitespace(&out).trim().to_string()
}

/// Up to `max` whole lines of the source covering `range`, each run of whitespace collapsed.
fn excerpt(source: &SourceFile, range: TextRange, max: usize) -> String {
    let text = source.text();
    let lines = source.lines();
    let a = lines.line_of(range.start());
    let b = lines.line_of(range.end().saturating_sub(1).max(range.start()));
    let mut out = Vec::new();
    for line in a..=b.min(a + max.saturating_sub(1)) {
        if let Some(r) = lines.line_content_range(text, line) {
            out.push(text[r.to_range()].trim().to_string());
        }
    }
    let mut s = out.join("\n");
    if b >= a + max {
        s.push_str(&format!("\n… ({} more lines)", b + 1 - (a + max)));
    }
    s
}
