//! Closest-passage search for quotes that were not found: the quotes' q-grams vote for
//! candidate alignments in one pass over the source, and a bit-parallel approximate match runs
//! only on a few windows around the best-voted places.
//!
//! No index of the source is built. The q-grams ([`Q`] bytes) of every quote part to suggest
//! for go into a small table, and one streaming pass over the normalised source looks up the
//! gram starting at every byte (a bit filter answers most positions without touching the
//! table). Each hit votes for the diagonal `text position - quote position`; grams occurring
//! more than [`MAX_GRAM_HITS`] times in the source are dropped, as they say nothing about where
//! the quote is. The most voted clusters of diagonals give windows about 1.5 times the quote's
//! length, where Myers' bit-parallel algorithm (Hyyrö's multi-word form) finds the substring
//! with the smallest edit distance to the whole quote. The cost is one pass over the source
//! per batch of quotes, plus, per quote, its length times its windows' divided by 64.
//!
//! A passage is then widened to whole words, and to the quote's first and last words when
//! they stand just outside it: edit distance alone would rather end "33 innovation" than
//! cover the dropped word of "33 [innovation] centers", and a suggestion must cover the
//! quote's whole span in the source.

use crate::normalize::Normalized;
use std::collections::HashMap;

/// The q-gram length, in bytes of normalised text.
const Q: usize = 5;

/// Grams occurring more often than this in the source do not vote.
const MAX_GRAM_HITS: usize = 256;

/// How many clusters of votes get an alignment window.
const CANDIDATES: usize = 4;

/// How many equally good end positions of an alignment are examined for their start.
const MAX_ENDS: usize = 8;

/// The least similarity (`1 - distance / quote length`) a suggestion must have.
pub(crate) const MIN_SIMILARITY: f32 = 0.6;

/// Quote parts longer than this many characters get no approximate passage. The alignment
/// costs the part's length times its windows' over 64 (a part of this length takes tens of
/// milliseconds); a quote this long (a few pages) is a copy of a document, not a citation.
pub const MAX_SUGGESTION_CHARS: usize = 10_000;

/// How far a passage is extended to reach a word boundary, in characters.
const MAX_SNAP: usize = 32;

/// The most grams one pass looks for (a batch with more is split into several passes; one part
/// has fewer, since its length in bytes is at most four times [`MAX_SUGGESTION_CHARS`]).
const GRAMS_PER_PASS: usize = 1 << 16;

/// A gram as a number: its [`Q`] bytes, big-endian.
fn pack(w: &[u8]) -> u64 {
    w[..Q].iter().fold(0, |v, &b| (v << 8) | u64::from(b))
}

/// The source positions of one gram of the quotes, and which quote positions it stands at.
#[derive(Default)]
struct GramHits {
    /// (part, position in the part) for every place the gram occurs in the parts.
    users: Vec<(usize, usize)>,
    /// Where the gram occurs in the source, up to [`MAX_GRAM_HITS`] + 1.
    hits: Vec<usize>,
}

/// For every part, the diagonals its grams vote for (unsorted, over the whole text), in one
/// pass over `text`. Parts shorter than a gram get no votes.
pub(crate) fn collect_votes(text: &str, parts: &[&str]) -> Vec<Vec<i64>> {
    let mut votes = vec![Vec::new(); parts.len()];
    // Parts too long for a suggestion need no votes; the others go in passes of at most
    // GRAMS_PER_PASS grams.
    let wanted: Vec<usize> = (0..parts.len())
        .filter(|&k| parts[k].chars().count() <= MAX_SUGGESTION_CHARS)
        .collect();
    let mut start = 0;
    while start < wanted.len() {
        let mut end = start;
        let mut grams = 0;
        while end < wanted.len()
            && (end == start || grams + parts[wanted[end]].len() <= GRAMS_PER_PASS)
        {
            grams += parts[wanted[end]].len();
            end += 1;
        }
        let group: Vec<&str> = wanted[start..end].iter().map(|&k| parts[k]).collect();
        for (&k, v) in wanted[start..end]
            .iter()
            .zip(votes_in_one_pass(text, &group))
        {
            votes[k] = v;
        }
        start = end;
    }
    votes
}

/// [`collect_votes`] for parts with at most [`GRAMS_PER_PASS`] grams in all.
fn votes_in_one_pass(text: &str, parts: &[&str]) -> Vec<Vec<i64>> {
    // The distinct grams of the parts, each with where it stands in them.
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut grams: Vec<(u64, GramHits)> = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        for (j, w) in part.as_bytes().windows(Q).enumerate() {
            let g = pack(w);
            let e = *index.entry(g).or_insert_with(|| {
                grams.push((g, GramHits::default()));
                grams.len() - 1
            });
            grams[e].1.users.push((k, j));
        }
    }
    let mut votes = vec![Vec::new(); parts.len()];
    if grams.is_empty() {
        return votes;
    }
    let mut table = GramTable::new(&grams);
    let mask = (1u64 << (8 * Q)) - 1;
    let mut v = 0u64;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        v = ((v << 8) | u64::from(b)) & mask;
        if i + 1 < Q {
            continue;
        }
        let Some(e) = table.find(v) else {
            continue;
        };
        let hits = &mut grams[e].1.hits;
        hits.push(i + 1 - Q);
        if hits.len() > MAX_GRAM_HITS {
            // A frequent gram ("the C", "tion ") will not vote: take it out of the table so
            // that its every later occurrence costs nothing.
            table = GramTable::new(&grams);
        }
    }
    for (_, g) in &grams {
        if g.hits.len() > MAX_GRAM_HITS {
            continue;
        }
        for &(k, j) in &g.users {
            votes[k].extend(g.hits.iter().map(|&p| p as i64 - j as i64));
        }
    }
    votes
}

/// A set of the grams that still vote, mapping each to its entry: a bit filter with about 32
/// bits per gram (at least 8 KB) rejects nearly every position of the source from the L1
/// cache, and an open-addressing table with about four slots per gram, keys inline, answers
/// the rest.
struct GramTable {
    /// `64 - log2(filter bits)`.
    filter_shift: u32,
    filter: Vec<u64>,
    /// `64 - log2(slot count)`.
    shift: u32,
    /// The gram in each slot, [`EMPTY`] where there is none.
    keys: Vec<u64>,
    /// The entry of the gram in each slot.
    entries: Vec<u32>,
}

/// No gram: grams have only `8 * Q` bits.
const EMPTY: u64 = u64::MAX;

fn spread(g: u64) -> u64 {
    g.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl GramTable {
    /// A table of the entries of `grams` that have not passed [`MAX_GRAM_HITS`].
    fn new(grams: &[(u64, GramHits)]) -> Self {
        let filter_bits = (grams.len() * 32)
            .next_power_of_two()
            .trailing_zeros()
            .max(16);
        let bits = (grams.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(8);
        let mut t = Self {
            filter_shift: 64 - filter_bits,
            filter: vec![0; (1 << filter_bits) / 64],
            shift: 64 - bits,
            keys: vec![EMPTY; 1 << bits],
            entries: vec![0; 1 << bits],
        };
        let mask = t.keys.len() - 1;
        for (e, (g, hits)) in grams.iter().enumerate() {
            if hits.hits.len() > MAX_GRAM_HITS {
                continue;
            }
            let bit = (spread(*g) >> t.filter_shift) as usize;
            t.filter[bit / 64] |= 1 << (bit % 64);
            let mut slot = (spread(*g) >> t.shift) as usize;
            while t.keys[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            t.keys[slot] = *g;
            t.entries[slot] = e as u32;
        }
        t
    }

    /// The entry of gram `g`, if it is in the table.
    #[inline]
    fn find(&self, g: u64) -> Option<usize> {
        let h = spread(g);
        let bit = (h >> self.filter_shift) as usize;
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        let mask = self.keys.len() - 1;
        let mut slot = (h >> self.shift) as usize;
        loop {
            match self.keys[slot] {
                k if k == g => return Some(self.entries[slot] as usize),
                EMPTY => return None,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// Candidate windows (normalised byte ranges, possibly not on character boundaries) for a
/// quote of `m` bytes with `votes`, best first, restricted to windows that overlap `lo..hi`.
fn candidate_windows(votes: &[i64], m: usize, lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let m = m as i64;
    let mut votes: Vec<i64> = votes
        .iter()
        .copied()
        .filter(|&diag| diag + m > lo as i64 && diag < hi as i64)
        .collect();
    if votes.is_empty() {
        return Vec::new();
    }
    votes.sort_unstable();
    // The densest bands of diagonals (insertions and deletions shift them a little), found one
    // after the other: a long quote's grams also hit many unrelated places, and chaining every
    // vote within reach of the next would merge them all into one cluster.
    let band = 2 + m / 8;
    let mut clusters: Vec<(usize, i64)> = Vec::new(); // (votes, median diagonal)
    let mut taken = vec![false; votes.len()];
    while clusters.len() < CANDIDATES {
        // The window of free votes spanning at most `band` that holds the most votes.
        let (mut best, mut i) = (None::<(usize, usize)>, 0);
        for j in 0..votes.len() {
            if taken[j] {
                i = j + 1;
                continue;
            }
            while votes[j] - votes[i] > band {
                i += 1;
            }
            if best.is_none_or(|(bi, bj)| j + 1 - i > bj - bi) {
                best = Some((i, j + 1));
            }
        }
        let Some((i, j)) = best else { break };
        clusters.push((j - i, votes[i + (j - i) / 2]));
        // Votes within a band of this one belong to it.
        let (lo_d, hi_d) = (votes[i] - band, votes[j - 1] + band);
        for (k, &d) in votes.iter().enumerate() {
            if (lo_d..=hi_d).contains(&d) {
                taken[k] = true;
            }
        }
    }
    let slack = m / 4 + 4;
    // Clusters with far fewer votes than the best one are chance hits of a few grams.
    let floor = clusters[0].0 / 4;
    clusters
        .into_iter()
        .take(CANDIDATES)
        .filter(|c| c.0 >= floor)
        .map(|(_, diag)| {
            let s = (diag - slack).max(lo as i64).max(0) as usize;
            let e = ((diag + m + slack).max(0) as usize).min(hi);
            (s, e.max(s))
        })
        .collect()
}

/// A passage found for one quote part, in normalised byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Approx {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) distance: usize,
}

/// The passage of `norm` (within normalised bytes `lo..hi`) closest to the normalised quote
/// part `quote`, given the part's `votes` from [`collect_votes`], if any is similar enough.
pub(crate) fn closest(
    votes: &[i64],
    norm: &Normalized,
    quote: &str,
    lo: usize,
    hi: usize,
) -> Option<Approx> {
    let text = norm.text.as_str();
    let q: Vec<char> = quote.chars().collect();
    if q.len() > MAX_SUGGESTION_CHARS || q.is_empty() {
        return None;
    }
    let pattern = Myers::new(&q);
    let mut best: Option<Approx> = None;
    for (ws, we) in candidate_windows(votes, quote.len(), lo, hi) {
        let ws = floor_boundary(text, ws);
        let we = ceil_boundary(text, we);
        let Some((ps, pe)) = semi_global(&pattern, &q, text, ws, we) else {
            continue;
        };
        let (ps, pe) = snap_to_words(text, ps, pe, lo, hi);
        if ps >= pe {
            continue;
        }
        let distance = pattern.distance(text[ps..pe].chars());
        if similarity(distance, q.len()) < MIN_SIMILARITY {
            continue;
        }
        if best.is_none_or(|b| distance < b.distance) {
            best = Some(Approx {
                start: ps,
                end: pe,
                distance,
            });
        }
    }
    best.map(|b| cover_quote_ends(&pattern, quote, text, b, lo, hi))
}

/// Widen a passage to the quote's last word when that word stands just after the passage's
/// end, and to its first word when that stands just before its start, as long as the passage
/// stays similar enough. A dropped word makes the cheapest alignment stop short ("…33
/// innovation" for "…33 centers"); the reader expects the passage the quote spans.
fn cover_quote_ends(
    pattern: &Myers,
    quote: &str,
    text: &str,
    found: Approx,
    lo: usize,
    hi: usize,
) -> Approx {
    let reach = (quote.len() / 4).max(4 * MAX_SNAP);
    let mut best = found;
    if let Some(last) = quote.rsplit(' ').next().filter(|w| !w.is_empty())
        && !text[best.start..best.end].ends_with(last)
    {
        let limit = ceil_boundary(text, (best.end + reach).min(hi));
        if let Some(at) = whole_word_at(text, last, best.end, limit, false) {
            best = rescore(pattern, text, quote, best, best.start, at + last.len());
        }
    }
    if let Some(first) = quote.split(' ').next().filter(|w| !w.is_empty())
        && !text[best.start..best.end].starts_with(first)
    {
        let limit = floor_boundary(text, best.start.saturating_sub(reach).max(lo));
        if let Some(at) = whole_word_at(text, first, limit, best.start, true) {
            best = rescore(pattern, text, quote, best, at, best.end);
        }
    }
    best
}

/// `found` widened to `start..end` if that passage is still similar enough to the quote.
fn rescore(
    pattern: &Myers,
    text: &str,
    quote: &str,
    found: Approx,
    start: usize,
    end: usize,
) -> Approx {
    let distance = pattern.distance(text[start..end].chars());
    if similarity(distance, quote.chars().count()) < MIN_SIMILARITY {
        return found;
    }
    Approx {
        start,
        end,
        distance,
    }
}

/// The first (or, with `last`, the last) occurrence of `word` as a whole word inside
/// `text[from..to]`.
fn whole_word_at(text: &str, word: &str, from: usize, to: usize, last: bool) -> Option<usize> {
    let hay = text.get(from..to)?;
    let bounded = |at: usize| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    };
    let mut found = hay.match_indices(word).map(|(i, _)| from + i);
    if last {
        found.filter(|&at| bounded(at)).last()
    } else {
        found.find(|&at| bounded(at))
    }
}

/// A pattern prepared for Myers' bit-parallel edit distance: for every character, the bit
/// vectors (64 pattern positions per word) of where it occurs.
struct Myers {
    len: usize,
    words: usize,
    ascii: Vec<u64>,
    other: HashMap<char, Vec<u64>>,
    none: Vec<u64>,
}

impl Myers {
    fn new(pattern: &[char]) -> Self {
        let words = pattern.len().div_ceil(64).max(1);
        let mut ascii = vec![0u64; 128 * words];
        let mut other: HashMap<char, Vec<u64>> = HashMap::new();
        for (i, &c) in pattern.iter().enumerate() {
            let bit = 1u64 << (i % 64);
            if c.is_ascii() {
                ascii[c as usize * words + i / 64] |= bit;
            } else {
                other.entry(c).or_insert_with(|| vec![0; words])[i / 64] |= bit;
            }
        }
        Self {
            len: pattern.len(),
            words,
            ascii,
            other,
            none: vec![0; words],
        }
    }

    fn peq(&self, c: char) -> &[u64] {
        if c.is_ascii() {
            &self.ascii[c as usize * self.words..][..self.words]
        } else {
            self.other.get(&c).map_or(&self.none, Vec::as_slice)
        }
    }

    /// The edit distance between the whole pattern and text prefixes: calls `column(j, d)`
    /// after each text character, `j` characters in. `global`: the alignment must start at the
    /// text's start (edit distance); otherwise anywhere (approximate search).
    fn run(
        &self,
        text: impl Iterator<Item = char>,
        global: bool,
        mut column: impl FnMut(usize, usize),
    ) {
        let mut pv = vec![!0u64; self.words];
        let mut mv = vec![0u64; self.words];
        let last = self.words - 1;
        let last_bit = (self.len.max(1) - 1) % 64;
        let mut score = self.len as i64;
        for (j, c) in text.enumerate() {
            let eq = self.peq(c);
            let mut hin: i64 = i64::from(global);
            for w in 0..self.words {
                let (p, m) = (pv[w], mv[w]);
                let neg = u64::from(hin < 0);
                let xv = eq[w] | m;
                let e = eq[w] | neg;
                let xh = ((e & p).wrapping_add(p) ^ p) | e;
                let mut ph = m | !(xh | p);
                let mut mh = p & xh;
                if w == last {
                    score += ((ph >> last_bit) & 1) as i64 - ((mh >> last_bit) & 1) as i64;
                }
                let hout = ((ph >> 63) & 1) as i64 - ((mh >> 63) & 1) as i64;
                ph = (ph << 1) | u64::from(hin > 0);
                mh = (mh << 1) | neg;
                pv[w] = mh | !(xv | ph);
                mv[w] = ph & xv;
                hin = hout;
            }
            column(j + 1, score as usize);
        }
    }

    /// The edit distance between the pattern and `text`.
    fn distance(&self, text: impl Iterator<Item = char>) -> usize {
        if self.len == 0 {
            return text.count();
        }
        let mut d = self.len;
        self.run(text, true, |_, s| d = s);
        d
    }
}

/// Semi-global alignment: the whole quote `q` against the best substring of `text[ws..we]`.
/// Returns the substring's byte range, preferring the lowest cost, then the length closest to
/// the quote's, then the earliest end.
fn semi_global(
    pattern: &Myers,
    q: &[char],
    text: &str,
    ws: usize,
    we: usize,
) -> Option<(usize, usize)> {
    let w: Vec<(usize, char)> = text[ws..we].char_indices().collect();
    if w.is_empty() || q.is_empty() {
        return None;
    }
    let offset = |j: usize| ws + w.get(j).map_or(we - ws, |&(o, _)| o);
    let mut scores = Vec::with_capacity(w.len());
    pattern.run(w.iter().map(|&(_, c)| c), false, |_, s| scores.push(s));
    let best = *scores.iter().min()?;
    if best >= q.len() {
        return None;
    }
    // For each end with the best cost, the starts that reach it at that cost: the edit
    // distance from the reversed quote to the reversed text before the end. An alignment of
    // cost `best` spans at most `q.len() + best` characters.
    let reversed: Vec<char> = q.iter().rev().copied().collect();
    let back = Myers::new(&reversed);
    let m = q.len() as i64;
    let mut choice: Option<(i64, usize, usize)> = None; // (|len - m|, end, start), in chars
    for end in (1..=w.len())
        .filter(|&j| scores[j - 1] == best)
        .take(MAX_ENDS)
    {
        let reach = end.min(q.len() + best);
        let chars = w[end - reach..end].iter().rev().map(|&(_, c)| c);
        back.run(chars, true, |len, s| {
            if s == best {
                let key = ((len as i64 - m).abs(), end, end - len);
                if choice.is_none_or(|c| (key.0, key.1) < (c.0, c.1)) {
                    choice = Some(key);
                }
            }
        });
    }
    let (_, end, start) = choice?;
    Some((offset(start), offset(end)))
}

/// `1 - distance / quote_len`, clamped to `0.0..=1.0`.
pub(crate) fn similarity(distance: usize, quote_len: usize) -> f32 {
    if quote_len == 0 {
        return 0.0;
    }
    (1.0 - distance as f32 / quote_len as f32).clamp(0.0, 1.0)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Whether `c` belongs to a word that a passage should not cut. Scripts written without spaces
/// (CJK and others from U+2E80 on) are left alone, or a passage would swallow a whole sentence.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x2E80
}

/// Extend `ps..pe` to whole words (at most [`MAX_SNAP`] characters each way, within `lo..hi`)
/// and trim spaces from both ends.
fn snap_to_words(text: &str, mut ps: usize, mut pe: usize, lo: usize, hi: usize) -> (usize, usize) {
    let mut steps = 0;
    while ps > lo && steps < MAX_SNAP {
        let (Some(before), Some(at)) = (text[..ps].chars().next_back(), text[ps..].chars().next())
        else {
            break;
        };
        if !(is_word_char(before) && is_word_char(at)) {
            break;
        }
        ps -= before.len_utf8();
        steps += 1;
    }
    steps = 0;
    while pe < hi.min(text.len()) && steps < MAX_SNAP {
        let (Some(before), Some(at)) = (text[..pe].chars().next_back(), text[pe..].chars().next())
        else {
            break;
        };
        if !(is_word_char(before) && is_word_char(at)) {
            break;
        }
        pe += at.len_utf8();
        steps += 1;
    }
    while ps < pe && text.as_bytes()[ps] == b' ' {
        ps += 1;
    }
    while pe > ps && text.as_bytes()[pe - 1] == b' ' {
        pe -= 1;
    }
    (ps, pe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn closest_text(text: &str, quote: &str) -> Option<(String, usize)> {
        let n = normalize(text);
        let votes = collect_votes(&n.text, &[quote]).pop().unwrap();
        closest(&votes, &n, quote, 0, n.text.len())
            .map(|a| (n.text[a.start..a.end].to_owned(), a.distance))
    }

    // The dynamic programs the bit-parallel code replaced, kept as references.
    /// Semi-global alignment (Sellers): the whole of `q` against the best substring of
    /// `text[ws..we]`. Returns the substring's byte range, preferring the lowest cost and then the
    /// length closest to the quote's.
    fn reference_semi_global(
        q: &[char],
        text: &str,
        ws: usize,
        we: usize,
    ) -> Option<(usize, usize)> {
        let w: Vec<(usize, char)> = text[ws..we].char_indices().collect();
        if w.is_empty() || q.is_empty() {
            return None;
        }
        let offset = |j: usize| ws + w.get(j).map_or(we - ws, |&(o, _)| o);
        // Each cell: (cost, start column of the alignment).
        let mut prev: Vec<(u32, u32)> = (0..=w.len() as u32).map(|j| (0, j)).collect();
        let mut cur = vec![(0u32, 0u32); w.len() + 1];
        for (i, &qc) in q.iter().enumerate() {
            cur[0] = (i as u32 + 1, 0);
            for j in 1..=w.len() {
                let diag = prev[j - 1];
                let sub = (diag.0 + u32::from(qc != w[j - 1].1), diag.1);
                let del = (prev[j].0 + 1, prev[j].1);
                let ins = (cur[j - 1].0 + 1, cur[j - 1].1);
                let mut c = sub;
                if del.0 < c.0 {
                    c = del;
                }
                if ins.0 < c.0 {
                    c = ins;
                }
                cur[j] = c;
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        let m = q.len() as i64;
        let (end, &(_, start)) = prev.iter().enumerate().min_by_key(|&(j, &(cost, start))| {
            (cost, (j as i64 - i64::from(start) - m).abs(), j)
        })?;
        Some((offset(start as usize), offset(end)))
    }

    /// Edit distance between two character sequences.
    fn levenshtein(a: &[char], b: &[char]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        let mut cur = vec![0; b.len() + 1];
        for (i, &ca) in a.iter().enumerate() {
            cur[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        prev[b.len()]
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn myers_counts_characters() {
        let d = |a: &str, b: &str| Myers::new(&chars(a)).distance(b.chars());
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("中国", "中國"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
    }

    use crate::test_rng::Rng;

    /// Random text of at most `max` characters over a small alphabet.
    fn text(rng: &mut Rng, max: usize) -> String {
        let alphabet = ['a', 'b', 'c', ' ', 'é', '中'];
        let n = rng.below(max + 1);
        (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect()
    }

    #[test]
    fn bit_parallel_distances_agree_with_the_dynamic_program() {
        let mut rng = Rng(0xA11C_E5ED_0000_0001);
        for round in 0..3000 {
            // Lengths around and past one and two 64-bit words.
            let max = [10, 70, 150][round % 3];
            let (a, b) = (text(&mut rng, max), text(&mut rng, max));
            let (ca, cb) = (chars(&a), chars(&b));
            assert_eq!(
                Myers::new(&ca).distance(b.chars()),
                levenshtein(&ca, &cb),
                "{a:?} vs {b:?}"
            );
            if ca.is_empty() || cb.is_empty() {
                continue;
            }
            // Semi-global: the same best cost as the dynamic program.
            let cost =
                |r: Option<(usize, usize)>| r.map(|(s, e)| levenshtein(&ca, &chars(&b[s..e])));
            let ours = semi_global(&Myers::new(&ca), &ca, &b, 0, b.len());
            let reference = reference_semi_global(&ca, &b, 0, b.len());
            let reference = reference.filter(|_| cost(reference) < Some(ca.len()));
            assert_eq!(cost(ours), cost(reference), "{a:?} in {b:?}");
        }
    }

    #[test]
    fn a_batch_votes_as_its_parts_alone_even_over_several_passes() {
        let text = normalize(include_str!("../../../seeds/003_3ada9579df3eea54.txt")).text;
        // 800 parts of about 100 bytes: more grams than one pass holds.
        let mut parts: Vec<&str> = Vec::new();
        let mut at = 0;
        while parts.len() < 800 {
            let start = at % (text.len() - 200);
            let (mut a, mut b) = (start, start + 100);
            while !text.is_char_boundary(a) {
                a += 1;
            }
            while !text.is_char_boundary(b) {
                b += 1;
            }
            parts.push(&text[a..b]);
            at += 997;
        }
        assert!(parts.iter().map(|p| p.len()).sum::<usize>() > GRAMS_PER_PASS);
        let batch = collect_votes(&text, &parts);
        for (k, part) in parts.iter().enumerate().step_by(37) {
            let mut alone = collect_votes(&text, &[part]).pop().unwrap();
            let mut together = batch[k].clone();
            alone.sort_unstable();
            together.sort_unstable();
            assert_eq!(together, alone, "part {k}");
        }
    }

    #[test]
    fn finds_an_altered_figure() {
        let text = "Intro text here. Over nine years, the CCP invested more than $300 billion to establish 33 innovation centers. Other text follows.";
        let (passage, d) =
            closest_text(text, "the CCP invested more than $400 billion to establish").unwrap();
        assert_eq!(
            passage,
            "the CCP invested more than $300 billion to establish"
        );
        assert_eq!(d, 1);
    }

    #[test]
    fn a_dropped_word_is_covered_to_the_quote_s_last_word() {
        let text = "Intro text here. Over nine years, the CCP invested more than $300 billion to establish 33 innovation centers, with a target of 40 by 2025.";
        let (passage, d) = closest_text(
            text,
            "the CCP invested more than $300 billion to establish 33 centers",
        )
        .unwrap();
        assert_eq!(
            passage,
            "the CCP invested more than $300 billion to establish 33 innovation centers"
        );
        assert_eq!(d, 11);
        // The same at the start: a word dropped after the first one.
        let (passage, _) =
            closest_text(text, "Over years, the CCP invested more than $300 billion").unwrap();
        assert_eq!(
            passage,
            "Over nine years, the CCP invested more than $300 billion"
        );
    }

    #[test]
    fn snaps_to_whole_words() {
        let text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet";
        let (passage, _) = closest_text(text, "harlie delta echo foxtrot gol").unwrap();
        assert_eq!(passage, "charlie delta echo foxtrot golf");
    }

    #[test]
    fn nothing_close_gives_none() {
        let text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet";
        assert_eq!(closest_text(text, "completely unrelated words here"), None);
        assert_eq!(closest_text(text, "abc"), None); // shorter than a gram: no votes
    }
}
