//! Orchestration: resolve every document's citations, run the rules over the resolutions,
//! apply the configured severities and order the diagnostics.
//!
//! [`check`] is the editor's path: sources come from the provider, whose cached
//! [`mica_sources::SourceFile`]s make a re-check cheap; every quote of every document is first
//! looked up in one batch per source. The command line's streaming pipeline is in `batch.rs`;
//! both end in [`finish`], so they run the same rules in the same order.

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Code, Diagnostic};
use crate::resolve::{self, Declared, DocResolution, Resolution, SourceScope};
use crate::rules::{self, DocContext};
use crate::vocab;
use mica_sources::{LineSpan, QuoteQuery, SourceError, SourceProvider, Suggestion};
use mica_syntax::{Parse, TextRange};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::Arc;

/// One document to check.
#[derive(Clone, Copy, Debug)]
pub struct DocumentInput<'a> {
    /// Workspace-relative path with `/` separators.
    pub path: &'a str,
    /// The document's text.
    pub text: &'a str,
    /// Its parse.
    pub parse: &'a Parse,
}

/// Where one citation resolved, as editors use it (hover, go-to-source). An editor keeps one
/// for every citation of an open document, so it holds only what the citation in the tree
/// (found by `claim` and `range`) does not: its source id is there.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCitation {
    /// The index of the claim in the document's claims (in 32 bits, as a document has fewer
    /// claims than bytes).
    pub claim: u32,
    /// The citation's range in the document.
    pub range: TextRange,
    /// The source file's workspace-relative path, when the source is known and readable.
    pub source_path: Option<Arc<str>>,
    /// The cited passage or lines in the source file, when they resolved.
    pub target: Option<TextRange>,
    /// The ranges of an elided quote's parts (one range for a plain quote, held inline: a large
    /// brief keeps every citation's resolution, and most quotes are plain).
    pub parts: SmallVec<[TextRange; 1]>,
    /// For a quote that was not found: the closest passage. Boxed: few citations have one,
    /// and a large brief keeps every citation's resolution.
    pub suggestion: Option<Box<Suggestion>>,
}

impl From<&Resolution> for ResolvedCitation {
    fn from(r: &Resolution) -> Self {
        let (parts, suggestion) = match &r.outcome {
            resolve::Outcome::Found(f) | resolve::Outcome::OutsideLines(f) => {
                (SmallVec::from_slice(&f.parts), None)
            }
            resolve::Outcome::NotFound(nf) => (
                SmallVec::new(),
                nf.closest.as_ref().map(|c| Box::new(c.suggestion.clone())),
            ),
            _ => (SmallVec::new(), None),
        };
        Self {
            claim: u32::try_from(r.claim).unwrap_or(u32::MAX),
            range: r.range,
            source_path: r.source.as_ref().map(|s| s.path.clone()),
            target: r.outcome.target(),
            parts,
            suggestion,
        }
    }
}

/// The result of checking one document.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedDocument {
    /// Workspace-relative path.
    pub path: String,
    /// Diagnostics in source order, severities from the configuration, rules that are off
    /// left out.
    pub diagnostics: Vec<Diagnostic>,
    /// Every citation of the document and where it resolved.
    pub citations: Vec<ResolvedCitation>,
}

/// Check documents against the workspace's sources.
pub fn check(
    config: &Config,
    provider: &dyn SourceProvider,
    docs: &[DocumentInput<'_>],
) -> Vec<CheckedDocument> {
    // `mica.toml`'s sources once, shared by every document's scope.
    let declared = Declared::of_config(config);
    let scopes: Vec<SourceScope> = docs
        .iter()
        .map(|d| SourceScope::with_config(&declared, d.path, &d.parse.document))
        .collect();
    prefetch(provider, docs, &scopes);
    docs.iter()
        .zip(&scopes)
        .map(|(doc, scope)| {
            let resolved = resolve::resolve_document(provider, &doc.parse.document, scope);
            finish(config, *doc, scope, &resolved)
        })
        .collect()
}

/// Run every rule over one document's resolutions and order the result.
pub(crate) fn finish(
    config: &Config,
    doc: DocumentInput<'_>,
    scope: &SourceScope,
    resolved: &DocResolution,
) -> CheckedDocument {
    let ctx = DocContext {
        config,
        path: doc.path,
        text: doc.text,
        parse: doc.parse,
        scope,
    };
    let mut diagnostics = rules::check_document_wide(&ctx, &resolved.sources);
    for (i, claim) in doc.parse.document.claims.iter().enumerate() {
        diagnostics.extend(rules::check_claim(&ctx, i, claim, resolved.of_claim(i)));
    }
    apply_severities(config, &mut diagnostics);
    CheckedDocument {
        path: doc.path.to_string(),
        diagnostics,
        citations: resolved
            .citations
            .iter()
            .map(ResolvedCitation::from)
            .collect(),
    }
}

/// Look up every quote of every document in one batch per source, so that resolving each
/// document afterwards only reads the sources' caches.
fn prefetch(provider: &dyn SourceProvider, docs: &[DocumentInput<'_>], scopes: &[SourceScope]) {
    let mut batches: HashMap<&str, Vec<QuoteQuery<'_>>> = HashMap::new();
    for (doc, scope) in docs.iter().zip(scopes) {
        for claim in &doc.parse.document.claims {
            for c in claim.citations() {
                let (Some(quote), Some(def)) = (&c.quote, scope.get(&c.source.name)) else {
                    continue;
                };
                if let Some((path, _)) = &def.path {
                    batches.entry(path).or_default().push(QuoteQuery {
                        quote: &quote.value,
                        lines: c.lines.map(|l| LineSpan {
                            start: l.start as usize,
                            end: l.end as usize,
                        }),
                    });
                }
            }
        }
    }
    for (path, queries) in batches {
        if let Ok(source) = provider.load(path) {
            source.find_quotes(&queries);
        }
    }
}

/// Set each diagnostic's configured severity, drop those turned off, and order them by where
/// they start (stably, so that diagnostics at one place keep the order the rules gave them).
/// [`check`] ends with it; an editor that gathers the rules' diagnostics itself (claim by
/// claim, keeping those of the claims an edit did not touch) ends with it too.
pub fn apply_severities(config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain_mut(|d| match config.severity(d.code) {
        Some(s) => {
            d.severity = s;
            true
        }
        None => false,
    });
    diagnostics.sort_by_key(|d| (d.location.range.start(), d.location.range.end()));
}

/// Problems in `mica.toml` itself: invalid attribute values and sources that cannot be read.
pub fn check_config(config: &Config, provider: &dyn SourceProvider) -> Vec<Diagnostic> {
    config_diagnostics(config, |path| provider.load(path).map(|_| ()))
}

/// [`check_config`] given whether each source path can be read.
pub(crate) fn config_diagnostics(
    config: &Config,
    readable: impl Fn(&str) -> Result<(), SourceError>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &config.sources {
        for (key, value, range) in &s.attrs {
            if let Some(problem) = vocab::source_attr_problem(key, value) {
                out.push(Diagnostic::new(
                    Code::InvalidValue,
                    CONFIG_FILE,
                    *range,
                    problem,
                ));
            }
        }
        if let Err(e) = readable(&s.path) {
            out.push(rules::source_error(
                CONFIG_FILE,
                &s.id,
                &s.path,
                s.path_range,
                &e,
            ));
        }
    }
    apply_severities(config, &mut out);
    out
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::ResolvedCitation;

    /// A resolved citation stays small: the editor keeps one for every citation of a brief.
    /// A suggestion held inline made each of them 168 bytes; the source id copied from the
    /// tree and a 64-bit claim index, 104.
    #[test]
    fn a_resolved_citation_is_small() {
        let size = std::mem::size_of::<ResolvedCitation>();
        assert!(size <= 72, "{size}");
    }

    /// A plain quote's one passage is held inline, an elided quote's parts on the heap: most
    /// citations then take no allocation of their own.
    #[test]
    fn a_plain_quote_s_passage_is_held_inline() {
        let provider = mica_sources::MemoryProvider::new("/ws");
        provider.insert(
            "s.txt",
            "The plan was delayed. Costs rose sharply in spring.",
        );
        let text = "@source s \"s.txt\" reliability=B\n\n\
                    [a]{#a conf=high p=likely cite=s:\"Costs rose sharply\"}\n\n\
                    [b]{#b conf=high p=likely cite=s:\"The plan ... rose sharply\"}\n";
        let parse = mica_syntax::parse(text);
        let config = crate::Config::default();
        let input = super::DocumentInput {
            path: "brief.mica",
            text,
            parse: &parse,
        };
        let checked = super::check(&config, &provider, &[input]);
        let parts: Vec<_> = checked[0].citations.iter().map(|c| &c.parts).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].len(), parts[0].spilled()), (1, false));
        assert_eq!((parts[1].len(), parts[1].spilled()), (2, true));
    }
}
