//! The second pass of the batch check: quotes not found in the source they cite are looked
//! up, word for word, in the other sources of their document's scope, to name the source a
//! quote was really taken from (`quote-not-found`'s wrong-source note and fix).
//!
//! Only the files some missing quote may come from are read again, each once, and each is
//! filtered before any quote is matched: first by the missing quotes' words ([`Words`], one
//! hashed pass over the text as written when normalisation keeps its ASCII words, else over
//! the normalised text), then by their normalised parts, and only then matched properly.

use super::Slot;
use crate::resolve::{self, Elsewhere, Outcome, Resolution, SourceScope};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use mica_sources::{
    QuoteQuery, SourceError, SourceFile, SourceProvider, keeps_ascii_words, quote_parts,
};
use mica_syntax::Citation;
use rayon::prelude::*;
use std::collections::HashMap;

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
pub(super) fn wrong_sources(
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
