//! The resolve phase: where every citation of a document lands in its source, computed once so
//! that the rules only read plain data.
//!
//! This is the only module of the checker that talks to a [`SourceProvider`] or reads a
//! [`SourceFile`]. [`resolve_document`] does it the editor's way, through the provider and its
//! cached sources; the batch pipeline (`batch.rs`) streams each source once and builds the same
//! [`DocResolution`] with [`outcome_in`]. Either way, a resolution keeps only what the rules and
//! the reports need: byte ranges, 1-based line numbers and short passages, never a source.

pub use crate::scope::{Declared, SourceDef, SourceScope};
use mica_sources::{
    LineSpan, MAX_ELISIONS, QuoteOutcome, QuoteQuery, SourceError, SourceFile, SourceProvider,
    Suggestion, quote_parts,
};
use mica_syntax::{Citation, Claim, CompactString, Document, TextRange, ValueKind};
use std::collections::HashMap;
use std::sync::Arc;

/// A source that loaded: what the rules may say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// Its workspace-relative path, with `/` separators (shared with the source file).
    pub path: Arc<str>,
    /// Its number of lines as a reader counts them.
    pub line_count: usize,
}

impl SourceInfo {
    pub(crate) fn of(source: &SourceFile) -> Self {
        Self {
            path: Arc::clone(source.shared_path()),
            line_count: source.line_count(),
        }
    }
}

/// Everything the rules need to know about where one document's citations landed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocResolution {
    /// Every source path (as written) the document declares: readable, or why not.
    pub sources: DeclaredSources,
    /// Every citation, in document order.
    pub citations: Vec<Resolution>,
}

impl DocResolution {
    /// The resolutions of the citations of claim `index`, in order.
    pub fn of_claim(&self, index: usize) -> &[Resolution] {
        of_claim(&self.citations, index)
    }
}

/// The resolutions of the citations of claim `index` among `resolved`, which are in claim
/// order (as [`resolve_claims`] gives them).
pub fn of_claim(resolved: &[Resolution], index: usize) -> &[Resolution] {
    let start = resolved.partition_point(|r| r.claim < index);
    let end = resolved.partition_point(|r| r.claim <= index);
    &resolved[start..end]
}

/// Where one citation landed.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// The index of the claim in the document's claims.
    pub claim: usize,
    /// The citation's range in the document.
    pub range: TextRange,
    /// The cited source id.
    pub source_id: CompactString,
    /// The cited source's `reliability` grade as written, if it has one.
    pub grade: Option<String>,
    /// The source it resolved to, when the id is known and the source readable.
    pub source: Option<SourceInfo>,
    /// What the citation found there.
    pub outcome: Outcome,
}

/// What a citation found in its source.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// No source with that id is in scope.
    UnknownSource,
    /// The source is declared but has no path or cannot be read (reported at its declaration).
    Unavailable,
    /// No quote and no line locator: the citation names the whole source.
    WholeSource,
    /// The quote is not terminated (a syntax error says so); nothing was looked up.
    Unterminated,
    /// A line locator without a quote, inside the source.
    Lines(CitedLines),
    /// The line locator points past the end of the source.
    LinesOutOfRange,
    /// The quote is where the citation says.
    Found(Found),
    /// The quote is in the source, but not within the line locator.
    OutsideLines(Found),
    /// The quote is not in the source.
    NotFound(NotFound),
    /// The quote normalises to nothing.
    Empty,
}

impl Outcome {
    /// The ranges in its source that a report may point at: the match, or the closest passage.
    pub fn source_ranges(&self) -> impl Iterator<Item = TextRange> + '_ {
        let range = match self {
            Outcome::Found(f) | Outcome::OutsideLines(f) => Some(f.range),
            Outcome::NotFound(nf) => nf.closest.as_ref().map(|c| c.suggestion.range),
            _ => None,
        };
        range.into_iter()
    }

    /// The cited passage or lines in the source, for editors.
    pub fn target(&self) -> Option<TextRange> {
        match self {
            Outcome::Lines(l) => Some(l.range),
            Outcome::Found(f) | Outcome::OutsideLines(f) => Some(f.range),
            _ => None,
        }
    }
}

/// Cited lines that exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitedLines {
    /// Their byte range, from the start of the first to the end of the last (without its line
    /// ending).
    pub range: TextRange,
    /// First line, 1-based.
    pub start_line: usize,
    /// Last line, 1-based, inclusive.
    pub end_line: usize,
    /// Their text.
    pub text: String,
}

/// A quote found in a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The first match's byte range.
    pub range: TextRange,
    /// The byte ranges of an elided quote's parts (one range for a plain quote).
    pub parts: Vec<TextRange>,
    /// The 1-based line the match starts on.
    pub start_line: usize,
    /// The 1-based line the match ends on.
    pub end_line: usize,
    /// How many times the quote occurs (capped at [`mica_sources::OCCURRENCE_CAP`]).
    pub count: usize,
    /// The matched passage as written in the source.
    pub passage: String,
    /// For an elided quote, the source text of each gap between consecutive parts.
    pub gaps: Vec<String>,
}

impl Found {
    /// The line locator of the match: `L12` or `L12-14`.
    pub fn locator(&self) -> String {
        locator(self.start_line, self.end_line)
    }
}

/// `L12` or `L12-14`.
pub fn locator(start: usize, end: usize) -> String {
    if start == end {
        format!("L{start}")
    } else {
        format!("L{start}-{end}")
    }
}

/// A quote that is not in its source.
#[derive(Clone, Debug, PartialEq)]
pub struct NotFound {
    /// For an elided quote: every part occurs (within the line locator, if any), just not in
    /// order or too far apart. No closest passage is computed then.
    pub every_part_found: bool,
    /// The closest passage in the cited source.
    pub closest: Option<Closest>,
    /// Another source in scope where the quote occurs word for word.
    pub elsewhere: Option<Elsewhere>,
}

/// The closest passage to a quote that was not found.
#[derive(Clone, Debug, PartialEq)]
pub struct Closest {
    /// The passage, its range and how close it is.
    pub suggestion: Suggestion,
    /// The 1-based line it starts on.
    pub line: usize,
}

/// Another declared source that holds a quote word for word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elsewhere {
    /// Its id.
    pub source_id: String,
    /// Its workspace-relative path.
    pub path: String,
    /// The first match's byte range in it.
    pub range: TextRange,
    /// The 1-based line the match starts on.
    pub start_line: usize,
    /// The 1-based line the match ends on.
    pub end_line: usize,
}

impl Elsewhere {
    /// The line locator of the match there.
    pub fn locator(&self) -> String {
        locator(self.start_line, self.end_line)
    }
}

/// A citation's line locator as a query span.
pub(crate) fn line_span(c: &Citation) -> Option<LineSpan> {
    c.lines.map(|l| LineSpan {
        start: l.start as usize,
        end: l.end as usize,
    })
}

/// The citations of `claims` in the order the rules visit them: claim by claim, attribute by
/// attribute, with the index of their claim in the slice.
pub(crate) fn cite_attrs(claims: &[Claim]) -> impl Iterator<Item = (usize, &Citation)> {
    claims.iter().enumerate().flat_map(|(i, claim)| {
        claim.attrs.iter().filter_map(move |a| match &a.value.kind {
            ValueKind::Citation(c) if a.key.name == "cite" => Some((i, &**c)),
            _ => None,
        })
    })
}

/// What a citation with a terminated `quote` whose lookup gave `outcome` found in `source`:
/// line numbers, passages and, for a quote not found, the closest passage. Shared by the
/// editor's resolution and the batch pipeline, so both give the same answers.
pub fn outcome_in(
    source: &SourceFile,
    quote: &str,
    lines: Option<LineSpan>,
    outcome: QuoteOutcome,
) -> Outcome {
    match outcome {
        QuoteOutcome::Found(m) => Outcome::Found(found(source, m)),
        QuoteOutcome::OutsideLines(m) => Outcome::OutsideLines(found(source, m)),
        QuoteOutcome::LinesOutOfRange { .. } => Outcome::LinesOutOfRange,
        QuoteOutcome::Empty => Outcome::Empty,
        QuoteOutcome::NotFound => {
            let parts = quote_parts(quote);
            // A quote with too many elisions is not looked for, nor are its parts.
            let every_part_found = parts.len() > 1 && parts.len() <= MAX_ELISIONS + 1 && {
                let queries: Vec<QuoteQuery<'_>> = parts
                    .iter()
                    .map(|p| QuoteQuery { quote: p, lines })
                    .collect();
                source
                    .find_quotes(&queries)
                    .iter()
                    .all(|o| matches!(o, QuoteOutcome::Found(_)))
            };
            let closest = if every_part_found {
                None
            } else {
                source.suggest(quote, lines).map(|s| Closest {
                    line: source.line_of(s.range.start()) + 1,
                    suggestion: s,
                })
            };
            Outcome::NotFound(NotFound {
                every_part_found,
                closest,
                elsewhere: None,
            })
        }
    }
}

/// The lines a line-only citation names, or why not.
pub fn lines_in(source: &SourceFile, span: LineSpan) -> Outcome {
    match source.line_span_range(span) {
        Some(range) => Outcome::Lines(CitedLines {
            range,
            start_line: span.start,
            end_line: span.end,
            text: source.text()[range.to_range()].to_string(),
        }),
        None => Outcome::LinesOutOfRange,
    }
}

fn found(source: &SourceFile, m: mica_sources::QuoteMatch) -> Found {
    let text = source.text();
    let start_line = source.line_of(m.range.start()) + 1;
    let end_line = source.line_of(m.range.end().saturating_sub(1).max(m.range.start())) + 1;
    let gaps = m
        .parts
        .windows(2)
        .map(|w| text[w[0].end()..w[1].start().max(w[0].end())].to_string())
        .collect();
    Found {
        range: m.range,
        start_line,
        end_line,
        count: m.count,
        passage: text[m.range.to_range()].to_string(),
        gaps,
        parts: m.parts,
    }
}

/// Resolve every citation of one document through `provider`, the editor's way: sources come
/// from the provider (and its caches), each loaded once per document.
pub fn resolve_document(
    provider: &dyn SourceProvider,
    doc: &Document,
    scope: &SourceScope,
) -> DocResolution {
    DocResolution {
        sources: declared_sources(provider, doc),
        citations: resolve_claims(provider, &doc.claims, 0, scope),
    }
}

/// Every source path (as written) that a document declares, readable or why not.
pub type DeclaredSources = HashMap<String, Result<(), SourceError>>;

/// The [`DeclaredSources`] of `doc`: what the rules about `@source` declarations read.
pub fn declared_sources(provider: &dyn SourceProvider, doc: &Document) -> DeclaredSources {
    let mut sources = HashMap::new();
    for decl in &doc.sources {
        if let Some(path) = &decl.path
            && path.terminated
            && !sources.contains_key(&path.value)
        {
            sources.insert(path.value.clone(), provider.load(&path.value).map(|_| ()));
        }
    }
    sources
}

/// Resolve the citations of `claims`, the document's claims from index `first` on: a claim's
/// resolutions depend only on the claim, the scope and the sources, so an editor re-resolves
/// only the claims an edit touched.
pub fn resolve_claims(
    provider: &dyn SourceProvider,
    claims: &[Claim],
    first: usize,
    scope: &SourceScope,
) -> Vec<Resolution> {
    let mut loaded: HashMap<String, Result<Arc<SourceFile>, SourceError>> = HashMap::new();
    let mut load = |path: &str| -> Result<Arc<SourceFile>, SourceError> {
        loaded
            .entry(path.to_string())
            .or_insert_with(|| provider.load(path))
            .clone()
    };
    let mut citations: Vec<Resolution> = Vec::new();
    for (claim, c) in cite_attrs(claims) {
        let mut r = unresolved(scope, first + claim, c);
        if let Some((path, _)) = scope.get(&c.source.name).and_then(|d| d.path.as_ref())
            && let Ok(source) = load(path)
        {
            r.source = Some(SourceInfo::of(&source));
            r.outcome = citation_in(&source, c);
            if let (Outcome::NotFound(nf), Some(quote)) = (&mut r.outcome, &c.quote)
                && !nf.every_part_found
            {
                // The quote may have been taken from another declared source: look for it
                // word for word in each, in scope order.
                nf.elsewhere = scope
                    .counted()
                    .filter(|d| d.id != c.source.name)
                    .filter_map(|d| Some((d, load(&d.path.as_ref()?.0).ok()?)))
                    .filter(|(_, other)| other.path() != source.path())
                    .find_map(|(d, other)| elsewhere_in(&other, &d.id, &quote.value));
            }
        }
        citations.push(r);
    }
    citations
}

/// Where `quote` occurs word for word (ignoring any line locator) in `source`, declared as
/// `source_id`.
pub(crate) fn elsewhere_in(source: &SourceFile, source_id: &str, quote: &str) -> Option<Elsewhere> {
    match source.find_quote(QuoteQuery { quote, lines: None }) {
        QuoteOutcome::Found(m) => {
            let lines = source.lines();
            Some(Elsewhere {
                source_id: source_id.to_string(),
                path: source.path().to_string(),
                range: m.range,
                start_line: lines.line_of(m.range.start()) + 1,
                end_line: lines.line_of(m.range.end().saturating_sub(1).max(m.range.start())) + 1,
            })
        }
        _ => None,
    }
}

/// A citation's resolution before its source is looked at: an unknown source, or one that is
/// unavailable until it loads.
pub(crate) fn unresolved(scope: &SourceScope, claim: usize, c: &Citation) -> Resolution {
    let def = scope.get(&c.source.name);
    Resolution {
        claim,
        range: c.range,
        source_id: c.source.name.clone(),
        grade: def.and_then(|d| d.attr("reliability")).map(str::to_string),
        source: None,
        outcome: if def.is_some() {
            Outcome::Unavailable
        } else {
            Outcome::UnknownSource
        },
    }
}

/// What citation `c` finds in `source`, looked up on its own (the editor's way).
pub(crate) fn citation_in(source: &SourceFile, c: &Citation) -> Outcome {
    let lines = line_span(c);
    match &c.quote {
        None => lines.map_or(Outcome::WholeSource, |span| lines_in(source, span)),
        Some(q) if !q.terminated => Outcome::Unterminated,
        Some(q) => {
            let outcome = source.find_quote(QuoteQuery {
                quote: &q.value,
                lines,
            });
            outcome_in(source, &q.value, lines, outcome)
        }
    }
}
