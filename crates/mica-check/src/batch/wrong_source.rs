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
    MAX_ELISIONS, QuoteQuery, SourceError, SourceFile, SourceProvider, keeps_ascii_words,
    quote_parts,
};
use mica_syntax::Citation;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

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
    /// The quote's words of four or more ASCII letters and digits, as [`Words`] ids.
    words: Vec<u32>,
}

/// Up to this many quotes are tested in a file one part at a time, with `memmem`, rather
/// than with one pass of the automaton of every missing quote's parts.
const FEW_QUOTES: usize = 8;

/// The shortest word worth looking for.
const MIN_WORD: usize = 4;

/// How a word of a quote must appear among the words of a file that holds the quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
/// the text is hashed three ways (whole, last four bytes, first four bytes) into a bitmap of
/// what is looked for, and only a hit is looked up and compared.
struct Words {
    words: Vec<(String, Fit)>,
    ids: HashMap<(String, Fit), u32>,
    /// The (full hash, word id) pairs of each bitmap slot in use. The full hash differs per
    /// [`Fit`].
    table: HashMap<u32, Vec<(u64, u32)>, BuildHasherDefault<Premixed>>,
    /// A bitmap of the hashes' top bits, small enough to stay in cache: most words of a text
    /// miss it and cost nothing more.
    bits: Vec<u64>,
}

/// A hasher for keys that are already well-mixed hashes: it passes them through.
#[derive(Default)]
struct Premixed(u64);

impl Hasher for Premixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    /// A bitmap slot is a few top bits of a hash: spread it over the whole word again.
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Words {
    const BITS: u32 = 18;

    fn new() -> Self {
        Words {
            words: Vec::new(),
            ids: HashMap::new(),
            table: HashMap::default(),
            bits: vec![0; (1 << Self::BITS) / 64],
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
                        let h = Self::hashes(key.0.as_bytes())[fit as usize];
                        let slot = Self::slot(h);
                        self.table.entry(slot as u32).or_default().push((h, id));
                        self.bits[slot / 64] |= 1 << (slot % 64);
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

    /// The hashes of `word` (four bytes or more) for each [`Fit`], in the order of `Fit`:
    /// whole (its first and last four bytes and its length), end (its last four bytes) and
    /// start (its first four bytes). Two loads per word, whatever its length.
    fn hashes(word: &[u8]) -> [u64; 3] {
        let n = word.len();
        let first = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        let last = u32::from_le_bytes([word[n - 4], word[n - 3], word[n - 2], word[n - 1]]);
        let mix = |x: u64, salt: u64| (x ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        [
            mix(
                u64::from(first) | u64::from(last) << 32,
                (n as u64) << 56 | 1,
            ),
            mix(u64::from(last), 2),
            mix(u64::from(first), 3),
        ]
    }

    fn slot(hash: u64) -> usize {
        (hash >> (64 - Self::BITS)) as usize
    }

    /// Which of the words `text` holds, by id, and the ids found, in the order found.
    ///
    /// A bitmap slot whose words are all found is cleared for the rest of the text, so that a
    /// common word costs a bitmap test after it is first found, not a table lookup at each
    /// occurrence.
    fn held(&self, text: &[u8]) -> (Vec<bool>, Vec<u32>) {
        let mut held = vec![false; self.words.len()];
        let mut found = Vec::new();
        let mut live = self.bits.clone();
        for (start, end) in word_ranges(text) {
            if end - start < MIN_WORD {
                continue;
            }
            let word = &text[start..end];
            for h in Self::hashes(word) {
                let slot = Self::slot(h);
                if live[slot / 64] & (1 << (slot % 64)) == 0 {
                    continue;
                }
                let entries = self
                    .table
                    .get(&(slot as u32))
                    .map_or(&[][..], Vec::as_slice);
                let mut all = true;
                for &(hash, id) in entries {
                    let i = id as usize;
                    if !held[i] && hash == h {
                        let (w, fit) = &self.words[i];
                        let w = w.as_bytes();
                        held[i] = match fit {
                            Fit::Whole => w == word,
                            Fit::Start => word.starts_with(w),
                            Fit::End => word.ends_with(w),
                        };
                        if held[i] {
                            found.push(id);
                        }
                    }
                    all &= held[i];
                }
                if all {
                    live[slot / 64] &= !(1 << (slot % 64));
                }
            }
        }
        (held, found)
    }

    /// The word of `ids` least likely to be common, to index a quote by: digits first (serial
    /// numbers, figures), then capitals, then length.
    fn rarest(&self, ids: &[u32]) -> Option<u32> {
        ids.iter().copied().max_by_key(|&id| {
            let w = self.words[id as usize].0.as_bytes();
            (
                w.iter().any(u8::is_ascii_digit),
                w.iter().any(u8::is_ascii_uppercase),
                w.len(),
            )
        })
    }
}

/// The byte ranges of the maximal runs of ASCII letters and digits in `bytes`.
///
/// The scan reads every byte of every file looked in, so it takes 64 bytes at a time: a mask
/// of which bytes are letters or digits (compiled to vector compares), whose edges are the
/// words' starts and ends. A branch per word, not per byte.
fn word_ranges(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    /// Bit `i` is set when `chunk[i]` is an ASCII letter or digit.
    #[inline(always)]
    fn mask(chunk: &[u8]) -> u64 {
        let mut m = 0u64;
        for (i, &b) in chunk.iter().enumerate() {
            let alnum = (b | 0x20).wrapping_sub(b'a') < 26 || b.wrapping_sub(b'0') < 10;
            m |= u64::from(alnum) << i;
        }
        m
    }
    // `base` is where the chunk whose `edges` are read begins; `next` where the next begins.
    let (mut base, mut next, mut edges, mut carry) = (0usize, 0usize, 0u64, false);
    let mut open: Option<usize> = None;
    std::iter::from_fn(move || {
        loop {
            while edges != 0 {
                let at = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                match open.take() {
                    Some(start) => return Some((start, at)),
                    None => open = Some(at),
                }
            }
            if next >= bytes.len() {
                // A word running to the end of the text ends there.
                return open.take().map(|start| (start, bytes.len()));
            }
            base = next;
            next = (base + 64).min(bytes.len());
            let m = match <&[u8; 64]>::try_from(&bytes[base..next]) {
                Ok(chunk) => mask(chunk),
                Err(_) => mask(&bytes[base..next]),
            };
            // Where a bit differs from the byte before's: a word's start or the byte after it.
            edges = m ^ (m << 1 | u64::from(carry));
            carry = m >> 63 != 0;
        }
    })
}

/// The second pass: every quote not found in its source is looked up, word for word, in the
/// other sources of its document's scope. Only the sources that some missing quote may come
/// from are read again, each once. A file whose normalised words are all written in it is
/// scanned as written for the quotes' words in one pass (any other file, once normalised),
/// and matched properly only for the quotes whose words and parts it holds all. The first
/// declaration in scope order that holds a quote names it.
///
/// `mica.toml`'s sources are in every document's scope, so they are listed once, not once per
/// missing quote: a file of them is a candidate for every missing quote, and the quotes it may
/// hold are found from the words it holds (each quote is indexed by its rarest word), so the
/// work grows with the files and the quotes, not with their product.
pub(super) fn wrong_sources(
    provider: &dyn SourceProvider,
    scopes: &[SourceScope],
    cites: &[Vec<(usize, &Citation)>],
    ids: &HashMap<&str, Result<String, SourceError>>,
    resolutions: &mut [Vec<Resolution>],
) {
    let key_of = |path: &str| ids.get(path).and_then(|k| k.as_ref().ok());
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
    let mut by_word: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut wordless: Vec<u32> = Vec::new();
    for (i, p) in pending.iter().enumerate() {
        match words.rarest(&p.words) {
            Some(w) => by_word.entry(w).or_default().push(i as u32),
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
    let found: Vec<(Slot, u32, Elsewhere)> = wanted
        .into_par_iter()
        .flat_map_iter(|(key, want)| {
            let Ok(text) = provider.read_text(want.path) else {
                return Vec::new();
            };
            let ascii = text.is_ascii();
            // The (quote, rank) pairs whose words the file holds all.
            let candidates = |(held, found): (Vec<bool>, Vec<u32>)| -> Vec<(u32, u32)> {
                let keep = |&(i, _): &(u32, u32)| {
                    let p = &pending[i as usize];
                    (p.ascii || !ascii) && p.words.iter().all(|&w| held[w as usize])
                };
                let mut items: Vec<(u32, u32)> = want.own.iter().copied().filter(keep).collect();
                if let Some(rank) = want.shared {
                    let indexed = found
                        .iter()
                        .flat_map(|w| by_word.get(w).into_iter().flatten());
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
            // Scan the text as written when that is exact; otherwise normalise it first.
            let (source, items): (SourceFile, Vec<(u32, u32)>) = if keeps_ascii_words(&text) {
                let items = candidates(words.held(text.as_bytes()));
                if items.is_empty() {
                    return Vec::new();
                }
                (SourceFile::new(key, text), items)
            } else {
                let source = SourceFile::new(key, text);
                let items = candidates(words.held(source.normalized().text.as_bytes()));
                (source, items)
            };
            if items.is_empty() {
                return Vec::new();
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A small generator, so that the test is the same every run.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random words over a tiny alphabet, so that words share their starts and ends.
    fn word(rng: &mut u64) -> String {
        let len = 1 + (xorshift(rng) % 8) as usize;
        (0..len)
            .map(|_| ['a', 'b', '1'][(xorshift(rng) % 3) as usize])
            .collect()
    }

    fn text(rng: &mut u64, words: usize) -> String {
        let seps = [" ", ", ", "-", "\n", "é"];
        let mut out = String::new();
        for _ in 0..words {
            out.push_str(&word(rng));
            out.push_str(seps[(xorshift(rng) % seps.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn the_words_held_are_those_a_plain_search_finds() {
        let mut rng = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            let mut words = Words::new();
            for _ in 0..1 + xorshift(&mut rng) % 6 {
                let n = 1 + (xorshift(&mut rng) % 5) as usize;
                let part = text(&mut rng, n);
                words.add(&[part.trim_end().to_string()]);
            }
            let n = (xorshift(&mut rng) % 200) as usize;
            let text = text(&mut rng, n);
            let (held, found) = words.held(text.as_bytes());
            let bytes = text.as_bytes();
            let text_words: Vec<&[u8]> = word_ranges(bytes).map(|(s, e)| &bytes[s..e]).collect();
            for (i, (w, fit)) in words.words.iter().enumerate() {
                let w = w.as_bytes();
                let expected = text_words.iter().any(|t| match fit {
                    Fit::Whole => *t == w,
                    Fit::Start => t.starts_with(w),
                    Fit::End => t.ends_with(w),
                });
                assert_eq!(held[i], expected, "{:?} in {text:?}", words.words[i]);
            }
            let mut sorted = found.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), found.len(), "each word is found once");
            assert_eq!(sorted.len(), held.iter().filter(|&&h| h).count());
        }
    }

    #[test]
    fn word_ranges_are_the_runs_of_letters_and_digits() {
        let mut rng = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let len = (xorshift(&mut rng) % 300) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| match xorshift(&mut rng) % 4 {
                    // Any byte at all, or one of few, so that runs of letters form.
                    0 => xorshift(&mut rng) as u8,
                    _ => b"aZ09 .-\xc3\xa9_"[(xorshift(&mut rng) % 10) as usize],
                })
                .collect();
            let mut expected = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i].is_ascii_alphanumeric() {
                    let start = i;
                    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    expected.push((start, i));
                } else {
                    i += 1;
                }
            }
            let got: Vec<(usize, usize)> = word_ranges(&bytes).collect();
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&bytes));
        }
    }
}
