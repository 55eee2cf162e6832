//! The batch pipeline of `mica check`: every source is read, normalised and searched once, in
//! parallel, and dropped; the rules then run per document over what was kept.
//!
//! [`check_batch`] groups every citation of every document by the file its source names (two
//! spellings of one path are one file), then visits the files on the current rayon pool,
//! largest first: load the file without caching it, find all of its quotes in one pass,
//! compute the closest passage only for the quotes that are not found, and keep the
//! [`Resolution`]s (ranges, line numbers, short passages). Memory grows with the largest
//! sources in flight times the threads, not with the corpus. Quotes not found are then looked
//! up in the other sources of their document's scope, in a second pass over just those
//! sources, to name the source a quote was really taken from. The results are the same as
//! [`crate::check`]'s (`tests/batch.rs` compares them).

use crate::check::{CheckedDocument, DocumentInput, config_diagnostics, finish};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::resolve::{
    self, Declared, DocResolution, Outcome, Resolution, SourceInfo, SourceScope, citation_in,
    unresolved,
};
use mica_sources::{QuoteQuery, SourceError, SourceFile, SourceProvider};
use mica_syntax::Citation;
use mica_syntax::reader_positions;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

mod wrong_source;
use wrong_source::wrong_sources;

/// What a batch check of one workspace produced.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchResult {
    /// Each document's result, in the order given.
    pub documents: Vec<CheckedDocument>,
    /// Problems in `mica.toml` itself, as [`crate::check_config`] reports them.
    pub config: Vec<Diagnostic>,
    /// Positions in sources that the report may show, found while each source was read.
    pub source_positions: SourcePositions,
}

/// For each source's workspace-relative path, the 1-based line and column (in characters) of
/// the offsets its resolutions point at ([`Outcome::source_ranges`], and where a missing quote
/// was found instead), as a report shows them ([`mica_syntax::reader_positions`]): found while
/// the source was read, so that a report need not read it again.
pub type SourcePositions = HashMap<Arc<str>, HashMap<usize, (usize, usize)>>;

/// What a written path names: the file's key and size, or why it names none
/// ([`SourceProvider::identify`]).
type Identified = Result<(String, u64), SourceError>;

/// A citation's place: its document and its index among the document's citations.
type Slot = (usize, usize);

/// One file and everything that needs it.
#[derive(Default)]
struct Group<'a> {
    /// The path as first written, to load it by.
    path: &'a str,
    /// Its size in bytes, for scheduling.
    size: u64,
    /// The citations that resolve in it.
    items: Vec<(Slot, &'a Citation)>,
}

/// What visiting one file gave.
struct Visited {
    status: Result<(), SourceError>,
    outcomes: Vec<(Slot, SourceInfo, Outcome)>,
    /// The positions of the offsets the outcomes point at.
    positions: Vec<(usize, (usize, usize))>,
}

/// Check `docs` the batch way, on the current rayon thread pool (the caller sets its size).
pub fn check_batch(
    config: &Config,
    provider: &dyn SourceProvider,
    docs: &[DocumentInput<'_>],
) -> BatchResult {
    // `mica.toml`'s sources once, shared by every document's scope.
    let declared = Declared::of_config(config);
    let scopes: Vec<SourceScope> = docs
        .par_iter()
        .map(|d| SourceScope::with_config(&declared, d.path, &d.parse.document))
        .collect();
    let cites: Vec<Vec<(usize, &Citation)>> = docs
        .par_iter()
        .map(|d| resolve::cite_attrs(&d.parse.document.claims).collect())
        .collect();
    let mut resolutions: Vec<Vec<Resolution>> = cites
        .par_iter()
        .zip(&scopes)
        .map(|(cs, scope)| cs.iter().map(|&(i, c)| unresolved(scope, i, c)).collect())
        .collect();

    // Every path written anywhere, with the citation it serves: cited ones first, then the
    // declared sources that nothing may cite (read too, to report those that cannot be), in
    // that order, so that a file's group keeps the path it was first written as.
    let cited = cites
        .iter()
        .zip(&scopes)
        .enumerate()
        .flat_map(|(d, (cs, scope))| {
            cs.iter().enumerate().filter_map(move |(k, &(_, c))| {
                let (path, _) = scope.get(&c.source.name)?.path.as_ref()?;
                Some((path.as_str(), Some(((d, k), c))))
            })
        });
    let declared = docs
        .iter()
        .flat_map(|doc| &doc.parse.document.sources)
        .filter_map(|decl| decl.path.as_ref().filter(|p| p.terminated))
        .map(|p| (p.value.as_str(), None));
    let configured = config.sources.iter().map(|s| (s.path.as_str(), None));
    let written: Vec<(&str, Option<(Slot, &Citation)>)> =
        cited.chain(declared).chain(configured).collect();
    // Each path is identified once, in parallel (each costs a few system calls); the files are
    // keyed so that two spellings of one file are visited once.
    let mut paths: Vec<&str> = written.iter().map(|&(path, _)| path).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut files = Files {
        ids: paths
            .into_par_iter()
            .map(|path| (path, provider.identify(path)))
            .collect(),
        groups: HashMap::new(),
    };
    for (path, item) in written {
        if let Some(group) = files.group(path)
            && let Some(item) = item
        {
            group.items.push(item);
        }
    }

    let Files { ids, groups } = files;
    let mut groups: Vec<(String, Group<'_>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.size.cmp(&a.1.size).then_with(|| a.0.cmp(&b.0)));
    let visited: Vec<(String, Visited)> = groups
        .par_iter()
        .map(|(key, g)| (key.clone(), visit(provider, key, g)))
        .collect();
    drop(groups);

    let mut status: HashMap<String, Result<(), SourceError>> = HashMap::new();
    let mut source_positions = SourcePositions::new();
    for (key, v) in visited {
        if let Some((_, info, _)) = v.outcomes.first() {
            let path = Arc::clone(&info.path);
            source_positions
                .entry(path)
                .or_default()
                .extend(v.positions);
        }
        for ((d, k), info, outcome) in v.outcomes {
            let r = &mut resolutions[d][k];
            r.source = Some(info);
            r.outcome = outcome;
        }
        status.insert(key, v.status);
    }
    wrong_sources(
        provider,
        &scopes,
        &cites,
        &ids,
        &mut resolutions,
        &mut source_positions,
    );
    let status_of = |path: &str| -> Result<(), SourceError> {
        match ids.get(path) {
            Some(Ok((key, _))) => status.get(key).cloned().unwrap_or(Ok(())),
            Some(Err(e)) => Err(e.clone()),
            None => Ok(()),
        }
    };

    let documents = docs
        .par_iter()
        .zip(&scopes)
        .zip(resolutions)
        .map(|((doc, scope), citations)| {
            let sources = doc
                .parse
                .document
                .sources
                .iter()
                .filter_map(|decl| decl.path.as_ref().filter(|p| p.terminated))
                .map(|p| (p.value.clone(), status_of(&p.value)))
                .collect();
            finish(config, *doc, scope, &DocResolution { sources, citations })
        })
        .collect();
    BatchResult {
        documents,
        config: config_diagnostics(config, status_of),
        source_positions,
    }
}

/// The files a batch visits, by key, and what every written path identified as.
struct Files<'a> {
    /// Every path written anywhere, identified.
    ids: HashMap<&'a str, Identified>,
    groups: HashMap<String, Group<'a>>,
}

impl<'a> Files<'a> {
    /// The group of the file `path` names, created on first sight; `None` when the path
    /// could not be identified (that error is kept for the report).
    fn group(&mut self, path: &'a str) -> Option<&mut Group<'a>> {
        let (key, size) = self.ids.get(path)?.as_ref().ok()?;
        if !self.groups.contains_key(key) {
            let group = Group {
                path,
                size: *size,
                items: Vec::new(),
            };
            self.groups.insert(key.clone(), group);
        }
        self.groups.get_mut(key)
    }
}

/// Read one file, resolve every citation that names it, and drop it.
fn visit(provider: &dyn SourceProvider, key: &str, g: &Group<'_>) -> Visited {
    let text = match provider.read_text(g.path) {
        Ok(text) => text,
        Err(e) => {
            return Visited {
                status: Err(e),
                outcomes: Vec::new(),
                positions: Vec::new(),
            };
        }
    };
    if g.items.is_empty() {
        // Declared but not cited: it only had to be readable.
        return Visited {
            status: Ok(()),
            outcomes: Vec::new(),
            positions: Vec::new(),
        };
    }
    let source = SourceFile::new(key, text);
    // One pass over the source finds every quote; each citation then reads that result.
    let queries: Vec<QuoteQuery<'_>> = g
        .items
        .iter()
        .filter_map(|(_, c)| {
            let q = c.quote.as_ref().filter(|q| q.terminated)?;
            Some(QuoteQuery {
                quote: &q.value,
                lines: resolve::line_span(c),
            })
        })
        .collect();
    source.find_quotes(&queries);
    let info = SourceInfo::of(&source);
    let outcomes: Vec<(Slot, SourceInfo, Outcome)> = g
        .items
        .iter()
        .map(|&(slot, c)| (slot, info.clone(), citation_in(&source, c)))
        .collect();
    let offsets: Vec<usize> = outcomes
        .iter()
        .flat_map(|(_, _, o)| o.source_ranges())
        .flat_map(|r| [r.start(), r.end()])
        .collect();
    let points = reader_positions(source.text(), &offsets);
    Visited {
        status: Ok(()),
        outcomes,
        positions: offsets.into_iter().zip(points).collect(),
    }
}
