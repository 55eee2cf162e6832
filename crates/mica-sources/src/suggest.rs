//! Closest-passage search for quotes that were not found: a q-gram index votes for candidate
//! alignments, and an exact approximate-matching DP runs only on a few windows around them.
//!
//! The index is built lazily, once per source, over the normalised text. Every byte position is
//! keyed by a hash of the [`Q`] bytes starting there. (Indexing only every other position
//! builds three times faster but ranks near-identical passages less reliably, which matters
//! when a source repeats a sentence with different figures.) A quote's own q-grams look up their
//! positions and vote for the diagonal `text position - quote position`; grams more frequent
//! than [`MAX_GRAM_HITS`] are skipped, as they say nothing about where the quote is and would
//! make the vote cost grow with the source. The most voted clusters of diagonals give windows
//! about 1.5 times the quote's length, where a semi-global edit distance (the whole quote against
//! any substring of the window) finds the best passage. The cost per quote is therefore bounded
//! by its length, not by the size of the source.

use crate::normalize::Normalized;

/// The q-gram length, in bytes of normalised text.
const Q: usize = 5;

/// Grams occurring more often than this (after hashing) do not vote.
const MAX_GRAM_HITS: usize = 256;

/// How many clusters of votes get a DP window.
const CANDIDATES: usize = 4;

/// The least similarity (`1 - distance / quote length`) a suggestion must have.
pub(crate) const MIN_SIMILARITY: f32 = 0.6;

/// Quote parts longer than this many characters get no approximate passage: the alignment
/// costs the part's length times the window's, and a quote this long is a copy of a page, not
/// a citation.
pub(crate) const MAX_QUOTE_CHARS: usize = 2000;

/// How far a passage is extended to reach a word boundary, in characters.
const MAX_SNAP: usize = 32;

/// Positions of every q-gram of a text, grouped by hash bucket.
pub(crate) struct GramIndex {
    bits: u32,
    /// `offsets[h]..offsets[h + 1]` are the positions of bucket `h` in `positions`.
    offsets: Vec<u32>,
    positions: Vec<u32>,
}

fn gram_hash(w: &[u8], bits: u32) -> usize {
    let mut v = 0u64;
    for &b in &w[..Q] {
        v = (v << 8) | u64::from(b);
    }
    (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

impl GramIndex {
    /// Index `text`. Texts too large for 32-bit positions get an empty index (no suggestions).
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        if bytes.len() < Q || u32::try_from(bytes.len()).is_err() {
            return Self {
                bits: 1,
                offsets: vec![0; 3],
                positions: Vec::new(),
            };
        }
        let grams = bytes.len() - Q + 1;
        // About four positions per bucket: a smaller table stays in cache while it is filled,
        // and the few unrelated positions sharing a bucket only add scattered votes.
        let bits = (usize::BITS - grams.leading_zeros())
            .saturating_sub(2)
            .clamp(8, 22);
        let buckets = 1usize << bits;
        let mut offsets = vec![0u32; buckets + 1];
        for w in bytes.windows(Q) {
            offsets[gram_hash(w, bits) + 1] += 1;
        }
        for i in 0..buckets {
            offsets[i + 1] += offsets[i];
        }
        let mut fill: Vec<u32> = offsets[..buckets].to_vec();
        let mut positions = vec![0u32; grams];
        for (p, w) in bytes.windows(Q).enumerate() {
            let h = gram_hash(w, bits);
            positions[fill[h] as usize] = p as u32;
            fill[h] += 1;
        }
        Self {
            bits,
            offsets,
            positions,
        }
    }

    fn bucket(&self, h: usize) -> &[u32] {
        &self.positions[self.offsets[h] as usize..self.offsets[h + 1] as usize]
    }

    /// Candidate windows (normalised byte ranges, possibly not on character boundaries) for
    /// `quote`, best first, restricted to windows that overlap `lo..hi`.
    fn candidate_windows(&self, quote: &[u8], lo: usize, hi: usize) -> Vec<(usize, usize)> {
        if quote.len() < Q || self.positions.is_empty() {
            return Vec::new();
        }
        let m = quote.len() as i64;
        let mut votes: Vec<i64> = Vec::new();
        for (j, w) in quote.windows(Q).enumerate() {
            let hits = self.bucket(gram_hash(w, self.bits));
            if hits.len() > MAX_GRAM_HITS {
                continue;
            }
            for &p in hits {
                let diag = i64::from(p) - j as i64;
                if diag + m > lo as i64 && diag < hi as i64 {
                    votes.push(diag);
                }
            }
        }
        if votes.is_empty() {
            return Vec::new();
        }
        votes.sort_unstable();
        // Group diagonals that are close (insertions and deletions shift them a little).
        let band = 2 + m / 8;
        let mut clusters: Vec<(usize, i64)> = Vec::new(); // (votes, median diagonal)
        let mut start = 0;
        for i in 1..=votes.len() {
            if i == votes.len() || votes[i] - votes[i - 1] > band {
                clusters.push((i - start, votes[start + (i - start) / 2]));
                start = i;
            }
        }
        clusters.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
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
}

/// A passage found for one quote part, in normalised byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Approx {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) distance: usize,
}

/// The passage of `norm` (within normalised bytes `lo..hi`) closest to the normalised quote
/// part `quote`, if any is similar enough.
pub(crate) fn closest(
    index: &GramIndex,
    norm: &Normalized,
    quote: &str,
    lo: usize,
    hi: usize,
) -> Option<Approx> {
    let text = norm.text.as_str();
    let q: Vec<char> = quote.chars().collect();
    if q.len() > MAX_QUOTE_CHARS {
        return None;
    }
    let mut best: Option<Approx> = None;
    for (ws, we) in index.candidate_windows(quote.as_bytes(), lo, hi) {
        let ws = floor_boundary(text, ws);
        let we = ceil_boundary(text, we);
        let Some((ps, pe)) = semi_global(&q, text, ws, we) else {
            continue;
        };
        let (ps, pe) = snap_to_words(text, ps, pe, lo, hi);
        if ps >= pe {
            continue;
        }
        let passage: Vec<char> = text[ps..pe].chars().collect();
        let distance = levenshtein(&q, &passage);
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
    best
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

/// Semi-global alignment (Sellers): the whole of `q` against the best substring of
/// `text[ws..we]`. Returns the substring's byte range, preferring the lowest cost and then the
/// length closest to the quote's.
fn semi_global(q: &[char], text: &str, ws: usize, we: usize) -> Option<(usize, usize)> {
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
    let (end, &(_, start)) = prev
        .iter()
        .enumerate()
        .min_by_key(|&(j, &(cost, start))| (cost, (j as i64 - i64::from(start) - m).abs(), j))?;
    Some((offset(start as usize), offset(end)))
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

/// Edit distance between two character sequences.
pub(crate) fn levenshtein(a: &[char], b: &[char]) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn closest_text(text: &str, quote: &str) -> Option<(String, usize)> {
        let n = normalize(text);
        let idx = GramIndex::new(&n.text);
        closest(&idx, &n, quote, 0, n.text.len())
            .map(|a| (n.text[a.start..a.end].to_owned(), a.distance))
    }

    #[test]
    fn levenshtein_counts_characters() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
        assert_eq!(levenshtein(&c("中国"), &c("中國")), 1);
        assert_eq!(levenshtein(&c(""), &c("abc")), 3);
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
