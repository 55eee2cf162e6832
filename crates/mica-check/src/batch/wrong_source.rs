//! The second pass of the batch check: quotes not found in the source they cite are looked
//! up, word for word, in the other sources of their document's scope, to name the source a
//! quote was really taken from (`quote-not-found`'s wrong-source note and fix).
//!
//! Only the files some missing quote may come from are read again, each once, and each is
//! filtered before any quote is matched: first by the missing quotes' words ([`Words`], one
//! hashed pass over [`ascii_words_text`], which is the text as written unless a few characters
//! change its words) and the words at the edges of their parts; then, once normalised, by
//! their normalised parts; and only then matched properly.

use super::{Identified, Slot, SourcePositions};
use crate::resolve::{self, Elsewhere, Outcome, Resolution, SourceScope};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use mica_sources::{
    MAX_ELISIONS, QuoteQuery, SourceFile, SourceProvider, ascii_words_text, quote_parts,
};
use mica_syntax::Citation;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

mod words;
use words::{Words, edge_words};

/// A file the second pass may read: its path as written, its rank among `mica.toml`'s
/// sources if it is one of them (every missing quote may come from it), and the (pending
/// quote, rank) pairs of documents that declare it themselves.
struct Wanted<'a> {
    path: &'a str,
    shared: Option<u32>,
    own: Vec<(u32, u32)>,
}

impl<'a> Wanted<'a> {
    /// The entry of the file `key` (read by `path`), made on first sight.
    fn of<'m>(
        wanted: &'m mut HashMap<&'a str, Wanted<'a>>,
        key: &'a str,
        path: &'a str,
    ) -> &'m mut Wanted<'a> {
        wanted.entry(key).or_insert(Wanted {
            path,
            shared: None,
            own: Vec::new(),
        })
    }
}

/// A quote looked for in other sources, with what a file must contain to hold it.
struct Pending<'q> {
    slot: Slot,
    quote: &'q str,
    /// The file the quote cites, which is not looked in again.
    cited: Option<&'q str>,
    /// The quote normalises to ASCII only, so an ASCII file may hold it.
    ascii: bool,
    /// The quote's inner words of four or more ASCII letters and digits, as [`Words`] ids.
    words: Vec<u32>,
    /// The rest of its words, each of which a file that holds it holds inside a word, with
    /// its [`Words`] id when the scan reads it: a file that holds it as a word holds it
    /// inside one, and only the others are looked for with `memmem`.
    edges: Vec<(String, Option<u32>)>,
}

/// Up to this many quotes are tested in a file one part at a time, with `memmem`, rather
/// than with one pass of the automaton of every missing quote's parts.
const FEW_QUOTES: usize = 8;

/// The second pass: every quote not found in its source is looked up, word for word, in the
/// other sources of its document's scope. Only the sources that some missing quote may come
/// from are read again, each once. A file is scanned for the quotes' words in one pass, as
/// written where that is exact, and normalised and matched properly only for the quotes whose
/// words and parts it holds all. The first declaration in scope order that holds a quote
/// names it.
///
/// `mica.toml`'s sources are in every document's scope, so they are listed once, not once per
/// missing quote: a file of them is a candidate for every missing quote, and the quotes it may
/// hold are found from the words it holds (each quote is indexed by its rarest word), so the
/// work grows with the files and the quotes, not with their product.
pub(super) fn wrong_sources(
    provider: &dyn SourceProvider,
    scopes: &[SourceScope],
    cites: &[Vec<(usize, &Citation)>],
    ids: &HashMap<&str, Identified>,
    resolutions: &mut [Vec<Resolution>],
    positions: &mut SourcePositions,
) {
    let key_of = |path: &str| Some(&ids.get(path)?.as_ref().ok()?.0);
    let Some(first) = scopes.first() else { return };
    let shared = first.config();
    let shared_ids: Vec<&str> = shared.counted().map(|d| d.id.as_str()).collect();
    let shared_len = shared_ids.len() as u32;
    let mut pending: Vec<Pending<'_>> = Vec::new();
    let mut words = Words::new();
    let mut wanted: HashMap<&str, Wanted<'_>> = HashMap::new();
    for (rank, def) in shared.counted().enumerate() {
        let Some((path, _)) = &def.path else { continue };
        let Some(key) = key_of(path) else { continue };
        // Two ids naming one file: the first counts.
        Wanted::of(&mut wanted, key, path)
            .shared
            .get_or_insert(rank as u32);
    }
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
            if parts.len() > MAX_ELISIONS + 1 {
                continue; // Not looked for anywhere.
            }
            let index = pending.len() as u32;
            let cited = scope
                .get(&c.source.name)
                .and_then(|def| key_of(&def.path.as_ref()?.0))
                .map(String::as_str);
            pending.push(Pending {
                slot: (d, k),
                quote: &quote.value,
                cited,
                ascii: parts.iter().all(|p| p.is_ascii()),
                words: words.add(&parts),
                edges: edge_words(&parts)
                    .into_iter()
                    .map(|w| {
                        let id = words.add_word(&w);
                        (w, id)
                    })
                    .collect(),
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
            // The document's own sources (those `mica.toml` does not give) follow.
            for (j, def) in scope.own_counted().enumerate() {
                let Some((path, _)) = &def.path else { continue };
                let Some(key) = key_of(path) else { continue };
                if Some(key.as_str()) == cited {
                    continue;
                }
                Wanted::of(&mut wanted, key, path)
                    .own
                    .push((index, shared_len + j as u32));
            }
        }
    }
    if pending.is_empty() {
        return;
    }
    // Each quote indexed by its rarest word; quotes without words are tried everywhere.
    // (By word id, not hashed: a file looks up every quote word it holds.)
    let mut by_word: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
    let mut wordless: Vec<u32> = Vec::new();
    for (i, p) in pending.iter().enumerate() {
        match words.rarest(&p.words) {
            Some(w) => by_word[w as usize].push(i as u32),
            None => wordless.push(i as u32),
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
    // A very long part (a repetitive one especially) makes the DFA's construction slow, so
    // it also calls for the NFA. The automaton is built only if some file needs it: with few
    // candidate quotes per file, `memmem` does.
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let longest = parts.iter().map(|p| p.len()).max().unwrap_or(0);
    let kind = if total <= 256 * 1024 && longest <= 1024 {
        AhoCorasickKind::DFA
    } else {
        AhoCorasickKind::ContiguousNFA
    };
    let part_scanner: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let part_scanner = || {
        part_scanner
            .get_or_init(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(kind))
                    .build(&parts)
                    .ok()
            })
            .as_ref()
    };
    // Each quote found elsewhere, with the positions of its match there.
    type Point = (usize, (usize, usize));
    let found: Vec<(Slot, u32, Elsewhere, [Point; 2])> = wanted
        .into_par_iter()
        .flat_map_iter(|(key, want)| {
            let Ok(text) = provider.read_text(want.path) else {
                return Vec::new();
            };
            let ascii = text.is_ascii();
            // The (quote, rank) pairs whose words the file holds all.
            let candidates = |held: &[bool], found: &[u32]| -> Vec<(u32, u32)> {
                let keep = |&(i, _): &(u32, u32)| {
                    let p = &pending[i as usize];
                    (p.ascii || !ascii) && p.words.iter().all(|&w| held[w as usize])
                };
                let mut items: Vec<(u32, u32)> = want.own.iter().copied().filter(keep).collect();
                if let Some(rank) = want.shared {
                    let indexed = found.iter().flat_map(|&w| &by_word[w as usize]);
                    items.extend(
                        indexed
                            .chain(&wordless)
                            .filter(|&&i| pending[i as usize].cited != Some(key))
                            .map(|&i| (i, rank))
                            .filter(keep),
                    );
                }
                items
            };
            // The words are read from a text with the normalised text's words: the text as
            // written, unless a few characters change its words.
            let words_text = ascii_words_text(&text);
            let (held, found) = words.held(words_text.as_bytes());
            let items = candidates(&held, &found);
            // Then the words at the edges of the quote's parts, inside the words of this text:
            // one the scan found as a word is; any other is looked for once per file, however
            // many quotes share it. (Quotes cut at word boundaries have edge words that are
            // words of the file: with only `memmem`, a corpus whose files share phrases cost a
            // search per edge word of every missing quote in every file.)
            let mut inside: HashMap<&str, bool> = HashMap::new();
            let items: Vec<(u32, u32)> = items
                .into_iter()
                .filter(|&(i, _)| {
                    pending[i as usize].edges.iter().all(|(w, id)| {
                        id.is_some_and(|id| held[id as usize])
                            || *inside.entry(w).or_insert_with(|| {
                                memchr::memmem::find(words_text.as_bytes(), w.as_bytes()).is_some()
                            })
                    })
                })
                .collect();
            drop(words_text);
            if items.is_empty() {
                return Vec::new();
            }
            let source = SourceFile::new(key, text);
            // Then every part of each quote must occur: a few quotes are looked up one part at
            // a time, many in one pass of the automaton.
            let text = source.normalized().text.as_bytes();
            let items: Vec<(u32, u32)> = if items.len() <= FEW_QUOTES {
                items
                    .into_iter()
                    .filter(|&(i, _)| {
                        quote_parts_of[i as usize]
                            .iter()
                            .all(|&t| memchr::memmem::find(text, parts[t].as_bytes()).is_some())
                    })
                    .collect()
            } else if let Some(ac) = part_scanner() {
                let mut seen = vec![false; parts.len()];
                for m in ac.find_overlapping_iter(&source.normalized().text) {
                    seen[m.pattern().as_usize()] = true;
                }
                items
                    .into_iter()
                    .filter(|&(i, _)| quote_parts_of[i as usize].iter().all(|&t| seen[t]))
                    .collect()
            } else {
                items
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
                    let id = match rank.checked_sub(shared_len) {
                        None => shared_ids[rank as usize],
                        Some(j) => &scopes[p.slot.0].own_counted().nth(j as usize)?.id,
                    };
                    let e = resolve::elsewhere_in(&source, id, p.quote)?;
                    let at = |o: usize| (o, source.lines().reader_position(source.text(), o));
                    let points = [at(e.range.start()), at(e.range.end())];
                    Some((p.slot, rank, e, points))
                })
                .collect()
        })
        .collect();
    let mut best: HashMap<Slot, (u32, Elsewhere)> = HashMap::new();
    for (slot, rank, e, points) in found {
        let path: Arc<str> = Arc::from(e.path.as_str());
        positions.entry(path).or_default().extend(points);
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
