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
    self, DocResolution, Elsewhere, Outcome, Resolution, SourceInfo, SourceScope, citation_in,
    unresolved,
};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use mica_sources::{
    QuoteQuery, SourceError, SourceFile, SourceProvider, keeps_ascii_words, quote_parts,
};
use mica_syntax::Citation;
use rayon::prelude::*;
use std::collections::HashMap;

/// What a batch check of one workspace produced.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchResult {
    /// Each document's result, in the order given.
    pub documents: Vec<CheckedDocument>,
    /// Problems in `mica.toml` itself, as [`crate::check_config`] reports them.
    pub config: Vec<Diagnostic>,
}

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
}

/// Check `docs` the batch way, on the current rayon thread pool (the caller sets its size).
pub fn check_batch(
    config: &Config,
    provider: &dyn SourceProvider,
    docs: &[DocumentInput<'_>],
) -> BatchResult {
    let scopes: Vec<SourceScope> = docs
        .par_iter()
        .map(|d| SourceScope::new(config, d.path, &d.parse.document))
        .collect();
    let cites: Vec<Vec<(usize, &Citation)>> = docs
        .par_iter()
        .map(|d| resolve::cite_attrs(&d.parse.document).collect())
        .collect();
    let mut resolutions: Vec<Vec<Resolution>> = cites
        .par_iter()
        .zip(&scopes)
        .map(|(cs, scope)| cs.iter().map(|&(i, c)| unresolved(scope, i, c)).collect())
        .collect();

    // Every path written anywhere is identified once; the files are keyed so that two
    // spellings of one file are visited once.
    let mut files = Files::default();
    for (d, (cs, scope)) in cites.iter().zip(&scopes).enumerate() {
        for (k, &(_, c)) in cs.iter().enumerate() {
            let Some((path, _)) = scope.get(&c.source.name).and_then(|def| def.path.as_ref())
            else {
                continue;
            };
            if let Some(group) = files.group(provider, path) {
                group.items.push(((d, k), c));
            }
        }
    }
    // Declared sources that nothing cites are read too, to report those that cannot be.
    for doc in docs {
        for decl in &doc.parse.document.sources {
            if let Some(path) = &decl.path
                && path.terminated
            {
                files.group(provider, &path.value);
            }
        }
    }
    for s in &config.sources {
        files.group(provider, &s.path);
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
    for (key, v) in visited {
        for ((d, k), info, outcome) in v.outcomes {
            let r = &mut resolutions[d][k];
            r.source = Some(info);
            r.outcome = outcome;
        }
        status.insert(key, v.status);
    }
    wrong_sources(provider, &scopes, &cites, &ids, &mut resolutions);
    let status_of = |path: &str| -> Result<(), SourceError> {
        match ids.get(path) {
            Some(Ok(key)) => status.get(key).cloned().unwrap_or(Ok(())),
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
    }
}

/// The files a batch visits, by key, and what every written path identified as.
#[derive(Default)]
struct Files<'a> {
    ids: HashMap<&'a str, Result<String, SourceError>>,
    groups: HashMap<String, Group<'a>>,
}

impl<'a> Files<'a> {
    /// The group of the file `path` names, created on first sight; `None` when the path
    /// cannot be identified (that error is kept for the report).
    fn group(&mut self, provider: &dyn SourceProvider, path: &'a str) -> Option<&mut Group<'a>> {
        let id = self.ids.entry(path).or_insert_with(|| {
            provider.identify(path).map(|(key, size)| {
                self.groups.entry(key.clone()).or_insert(Group {
                    path,
                    size,
                    items: Vec::new(),
                });
                key
            })
        });
        match id {
            Ok(key) => self.groups.get_mut(key.as_str()),
            Err(_) => None,
        }
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
            };
        }
    };
    if g.items.is_empty() {
        // Declared but not cited: it only had to be readable.
        return Visited {
            status: Ok(()),
            outcomes: Vec::new(),
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
    let outcomes = g
        .items
        .iter()
        .map(|&(slot, c)| (slot, info.clone(), citation_in(&source, c)))
        .collect();
    Visited {
        status: Ok(()),
        outcomes,
    }
}

/// A file's path as written, and the (pending quote, rank in scope) to look up there.
type Wanted<'a> = (&'a str, Vec<(u32, u32)>);

/// A quote looked for in other sources, with what a file must contain to hold it.
struct Pending<'q> {
    slot: Slot,
    quote: &'q str,
    /// The quote normalises to ASCII only, so an ASCII file may hold it.
    ascii: bool,
    /// The quote's words of four or more ASCII letters and digits, as [`Words`] ids.
    words: Vec<u32>,
}

/// Up to this many quotes are tested in a file one part at a time, with `memmem`, rather
/// than with one pass of the automaton of every missing quote's parts.
const FEW_QUOTES: usize = 8;

/// The shortest word worth looking for.
const MIN_WORD: usize = 4;

/// How a word of a quote must appear among the words of a file that holds the quote.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Fit {
    /// As a whole word: it has something other than a letter or digit on both sides inside
    /// the quote.
    Whole,
    /// As the end of a word: it starts its part of the quote, which may start inside a word.
    End,
    /// As the start of a word: it ends its part of the quote.
    Start,
}

/// The words of the quotes not found, and a one-pass test of which of them a text holds.
///
/// A word is a maximal run of ASCII letters and digits. A file that holds a quote holds each
/// of the quote's words (of [`MIN_WORD`] bytes or more) among the words of its normalised
/// text, whole or, at the edges of a part, as the end or start of a word ([`Fit`]); a word
/// that is a whole part is not used. A file for which [`mica_sources::keeps_ascii_words`]
/// holds has the same words as written, so it is scanned without normalising it. Each word of
/// the text is hashed three ways (whole, first four bytes, last four bytes) into bitmaps of
/// what is looked for, and only a hit is compared.
struct Words {
    words: Vec<(String, Fit)>,
    ids: HashMap<(String, Fit), u32>,
    /// Word ids by hash, one table per [`Fit`].
    buckets: [Vec<Vec<u32>>; 3],
    bits: [Vec<u64>; 3],
}

impl Words {
    const BITS: u32 = 16;

    fn new() -> Self {
        let buckets = || vec![Vec::new(); 1 << Self::BITS];
        let bits = || vec![0; (1 << Self::BITS) / 64];
        Words {
            words: Vec::new(),
            ids: HashMap::new(),
            buckets: [buckets(), buckets(), buckets()],
            bits: [bits(), bits(), bits()],
        }
    }

    /// The ids of the words of a quote whose normalised parts are `parts`, added if new.
    fn add(&mut self, parts: &[String]) -> Vec<u32> {
        let mut out = Vec::new();
        for part in parts {
            let bytes = part.as_bytes();
            for (start, end) in word_ranges(bytes) {
                let fit = match (start > 0, end < bytes.len()) {
                    (true, true) => Fit::Whole,
                    (false, true) => Fit::End,
                    (true, false) => Fit::Start,
                    (false, false) => continue,
                };
                if end - start < MIN_WORD {
                    continue;
                }
                let key = (part[start..end].to_string(), fit);
                let id = match self.ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = self.words.len() as u32;
                        let slot = Self::slot(key.0.as_bytes(), fit);
                        self.buckets[fit as usize][slot].push(id);
                        self.bits[fit as usize][slot / 64] |= 1 << (slot % 64);
                        self.words.push(key.clone());
                        self.ids.insert(key, id);
                        id
                    }
                };
                out.push(id);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The hash of `word` for `fit`: of its length and first eight bytes (whole), or of its
    /// first (start) or last (end) four bytes.
    fn slot(word: &[u8], fit: Fit) -> usize {
        let h = match fit {
            Fit::Whole => {
                let mut w = [0u8; 8];
                let n = word.len().min(8);
                w[..n].copy_from_slice(&word[..n]);
                u64::from_le_bytes(w) ^ (word.len() as u64).rotate_left(56)
            }
            Fit::Start => u64::from(u32::from_le_bytes([word[0], word[1], word[2], word[3]])),
            Fit::End => {
                let n = word.len();
                u64::from(u32::from_le_bytes([
                    word[n - 4],
                    word[n - 3],
                    word[n - 2],
                    word[n - 1],
                ]))
            }
        };
        (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }

    /// Which of the words `text` holds, by id. Once every word of a bucket is found, its bit
    /// is cleared, so that a common word costs one bitmap test after its first occurrence.
    fn held(&self, text: &[u8]) -> Vec<bool> {
        let mut held = vec![false; self.words.len()];
        let mut bits = self.bits.clone();
        for (start, end) in word_ranges(text) {
            if end - start < MIN_WORD {
                continue;
            }
            let word = &text[start..end];
            for fit in [Fit::Whole, Fit::Start, Fit::End] {
                let slot = Self::slot(word, fit);
                let bits = &mut bits[fit as usize];
                if bits[slot / 64] & (1 << (slot % 64)) == 0 {
                    continue;
                }
                let bucket = &self.buckets[fit as usize][slot];
                let mut all = true;
                for &id in bucket {
                    let id = id as usize;
                    if !held[id] {
                        let w = self.words[id].0.as_bytes();
                        held[id] = match fit {
                            Fit::Whole => w == word,
                            Fit::Start => word.starts_with(w),
                            Fit::End => word.ends_with(w),
                        };
                        all &= held[id];
                    }
                }
                if all {
                    bits[slot / 64] &= !(1 << (slot % 64));
                }
            }
        }
        held
    }
}

/// The byte ranges of the maximal runs of ASCII letters and digits in `bytes`.
fn word_ranges(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    /// Which bytes are ASCII letters and digits, as a table: the scan reads every byte of
    /// every file looked in.
    static ALNUM: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        t
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !ALNUM[usize::from(bytes[i])] {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && ALNUM[usize::from(bytes[i])] {
            i += 1;
        }
        (i > start).then_some((start, i))
    })
}

/// The second pass: every quote not found in its source is looked up, word for word, in the
/// other sources of its document's scope. Only the sources that some missing quote may come
/// from are read again, each once. A file whose normalised words are all written in it is
/// scanned as written for the quotes' words in one pass (any other file, once normalised),
/// and matched properly only for the quotes whose words and parts it holds all. The first declaration in scope order that holds a
/// quote names it.
fn wrong_sources(
    provider: &dyn SourceProvider,
    scopes: &[SourceScope],
    cites: &[Vec<(usize, &Citation)>],
    ids: &HashMap<&str, Result<String, SourceError>>,
    resolutions: &mut [Vec<Resolution>],
) {
    let key_of = |path: &str| ids.get(path).and_then(|k| k.as_ref().ok());
    let mut pending: Vec<Pending<'_>> = Vec::new();
    let mut words = Words::new();
    // Per file: its path as written and the (pending quote, rank in scope) to look up there.
    let mut wanted: HashMap<&str, Wanted<'_>> = HashMap::new();
    // Every missing quote's normalised parts, by index in `parts`.
    let mut part_ids: HashMap<String, usize> = HashMap::new();
    let mut quote_parts_of: Vec<Vec<usize>> = Vec::new();
    for (d, (cs, scope)) in cites.iter().zip(scopes).enumerate() {
        for (k, &(_, c)) in cs.iter().enumerate() {
            let Outcome::NotFound(nf) = &resolutions[d][k].outcome else {
                continue;
            };
            let Some(quote) = c.quote.as_ref().filter(|_| !nf.every_part_found) else {
                continue;
            };
            let parts = quote_parts(&quote.value);
            let index = pending.len() as u32;
            pending.push(Pending {
                slot: (d, k),
                quote: &quote.value,
                ascii: parts.iter().all(|p| p.is_ascii()),
                words: words.add(&parts),
            });
            quote_parts_of.push(
                parts
                    .into_iter()
                    .map(|part| {
                        let next = part_ids.len();
                        *part_ids.entry(part).or_insert(next)
                    })
                    .collect(),
            );
            let cited = scope
                .get(&c.source.name)
                .and_then(|def| key_of(&def.path.as_ref()?.0));
            for (rank, def) in scope.counted().enumerate() {
                let Some((path, _)) = &def.path else { continue };
                let Some(key) = key_of(path) else { continue };
                if def.id == c.source.name || Some(key) == cited {
                    continue;
                }
                wanted
                    .entry(key.as_str())
                    .or_insert((path.as_str(), Vec::new()))
                    .1
                    .push((index, rank as u32));
            }
        }
    }
    if wanted.is_empty() {
        return;
    }
    let mut parts: Vec<&str> = vec![""; part_ids.len()];
    for (w, &i) in &part_ids {
        parts[i] = w;
    }
    // One automaton of every missing quote's normalised parts, built once and run over the
    // normalised text of each file still in question: a quote is a candidate in a file only
    // if all its parts occur there, and only candidates are matched properly. Building a
    // matcher per file for all missing quotes would cost files times quotes.
    // Built once for the whole pass, a DFA pays for itself: it scans several times faster
    // than an NFA. Past the size where its table would outweigh the sources in flight, the
    // contiguous NFA is used.
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let kind = if total <= 256 * 1024 {
        AhoCorasickKind::DFA
    } else {
        AhoCorasickKind::ContiguousNFA
    };
    let part_scanner = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(&parts)
        .ok();
    let found: Vec<(Slot, u32, Elsewhere)> = wanted
        .into_par_iter()
        .flat_map_iter(|(key, (path, items))| {
            let Ok(text) = provider.read_text(path) else {
                return Vec::new();
            };
            let ascii = text.is_ascii();
            let keep = |held: &[bool], &(i, _): &(u32, u32)| {
                let p = &pending[i as usize];
                (p.ascii || !ascii) && p.words.iter().all(|&w| held[w as usize])
            };
            // Scan the text as written when that is exact; otherwise normalise it first.
            let (source, items): (SourceFile, Vec<(u32, u32)>) = if keeps_ascii_words(&text) {
                let held = words.held(text.as_bytes());
                let items: Vec<_> = items.into_iter().filter(|i| keep(&held, i)).collect();
                if items.is_empty() {
                    return Vec::new();
                }
                (SourceFile::new(key, text), items)
            } else {
                let source = SourceFile::new(key, text);
                let held = words.held(source.normalized().text.as_bytes());
                let items = items.into_iter().filter(|i| keep(&held, i)).collect();
                (source, items)
            };
            if items.is_empty() {
                return Vec::new();
            }
            // Then every part of each quote must occur: a few quotes are looked up one part at
            // a time, many in one pass of the automaton.
            let text = source.normalized().text.as_bytes();
            let items: Vec<(u32, u32)> = match &part_scanner {
                _ if items.len() <= FEW_QUOTES => items
                    .into_iter()
                    .filter(|&(i, _)| {
                        quote_parts_of[i as usize]
                            .iter()
                            .all(|&t| memchr::memmem::find(text, parts[t].as_bytes()).is_some())
                    })
                    .collect(),
                Some(ac) => {
                    let mut seen = vec![false; parts.len()];
                    for m in ac.find_overlapping_iter(&source.normalized().text) {
                        seen[m.pattern().as_usize()] = true;
                    }
                    items
                        .into_iter()
                        .filter(|&(i, _)| quote_parts_of[i as usize].iter().all(|&t| seen[t]))
                        .collect()
                }
                _ => items,
            };
            if items.is_empty() {
                return Vec::new();
            }
            let queries: Vec<QuoteQuery<'_>> = items
                .iter()
                .map(|&(i, _)| QuoteQuery {
                    quote: pending[i as usize].quote,
                    lines: None,
                })
                .collect();
            source.find_quotes(&queries);
            items
                .iter()
                .filter_map(|&(i, rank)| {
                    let p = &pending[i as usize];
                    let id = &scopes[p.slot.0].counted().nth(rank as usize)?.id;
                    Some((p.slot, rank, resolve::elsewhere_in(&source, id, p.quote)?))
                })
                .collect()
        })
        .collect();
    let mut best: HashMap<Slot, (u32, Elsewhere)> = HashMap::new();
    for (slot, rank, e) in found {
        match best.get(&slot) {
            Some((r, _)) if *r <= rank => {}
            _ => {
                best.insert(slot, (rank, e));
            }
        }
    }
    for ((d, k), (_, e)) in best {
        if let Outcome::NotFound(nf) = &mut resolutions[d][k].outcome {
            nf.elsewhere = Some(e);
        }
    }
}
