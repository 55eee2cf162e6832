//! Finding every occurrence (overlapping ones included) of a batch of patterns in a normalised
//! text, without building an automaton per source.
//!
//! Patterns of at least [`ANCHOR`] bytes are found through an [`ANCHOR`]-byte piece of each
//! (its *anchor*) with aho-corasick's packed (Teddy) searcher, which scans many bytes per
//! instruction and builds in microseconds. Teddy screens with an anchor's first bytes, so each
//! pattern's anchor is the piece near its start whose first bytes are rarest in prose (a
//! capital, a digit, a rare letter rather than "the "). All anchors have the same length, so
//! two different anchors never match at the same position: a leftmost-first search that
//! restarts one byte after each hit therefore visits every position where some anchor occurs,
//! and there every pattern with that anchor is compared in full where it would start. That gives exactly the overlapping occurrences an Aho–Corasick automaton
//! would report (a differential test checks this). Shorter patterns, and batches the packed
//! searcher refuses, are found one by one with `memchr::memmem`.
//!
//! Each pattern keeps at most [`OCCURRENCE_CAP`] starts; a pass stops early once every pattern
//! it looks for is past the cap.

use crate::matching::{OCCURRENCE_CAP, Occurrences};
use aho_corasick::Span;
use aho_corasick::packed::{Config, MatchKind};
use memchr::memmem;
use std::collections::HashMap;

/// The length of the prefix by which long patterns are found, in bytes.
const ANCHOR: usize = 8;

/// The most anchors one packed pass looks for (Teddy's own limit).
const ANCHORS_PER_PASS: usize = 64;

/// Below this many patterns, one `memmem` pass per pattern is as fast as a packed pass.
const MEMMEM_PATTERNS: usize = 2;

/// An anchor and the patterns that have it: (pattern index, the anchor's offset in it).
type Group<'a> = (&'a [u8], Vec<(usize, usize)>);

/// Every occurrence of every pattern in `text`, in order, each list cut at [`OCCURRENCE_CAP`].
pub(crate) fn find_all(text: &str, patterns: &[&str]) -> Vec<Occurrences> {
    let mut out = vec![
        Occurrences {
            starts: Vec::new(),
            complete: true,
        };
        patterns.len()
    ];
    let hay = text.as_bytes();
    // Group the long patterns by anchor; the short ones go one by one.
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut by_anchor: HashMap<&[u8], usize> = HashMap::new();
    for (i, p) in patterns.iter().enumerate() {
        let p = p.as_bytes();
        if p.len() < ANCHOR || patterns.len() <= MEMMEM_PATTERNS {
            one_by_one(hay, p, &mut out[i]);
            continue;
        }
        let at = anchor_offset(p);
        let anchor = &p[at..at + ANCHOR];
        let g = *by_anchor.entry(anchor).or_insert_with(|| {
            groups.push((anchor, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((i, at));
    }
    for pass in groups.chunks(ANCHORS_PER_PASS) {
        if !packed_pass(hay, patterns, pass, &mut out) {
            for &(i, _) in pass.iter().flat_map(|(_, members)| members) {
                one_by_one(hay, patterns[i].as_bytes(), &mut out[i]);
            }
        }
    }
    out
}

/// How common a byte is in prose, roughly the base-2 logarithm of its frequency per thousand.
fn commonness(b: u8) -> u32 {
    match b {
        b' ' => 8,
        b'e' => 7,
        b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'h' | b'r' => 6,
        b'd' | b'l' => 5,
        b'c' | b'u' | b'm' | b'w' | b'f' | b'g' | b'y' | b'p' | b'b' => 4,
        b'v' | b'k' | b',' | b'.' => 3,
        b'0'..=b'9' | b'A'..=b'Z' => 2,
        _ => 1,
    }
}

/// The offset of a pattern's anchor: among the first pieces of the pattern, the one whose
/// first four bytes (what Teddy screens with) are least common.
fn anchor_offset(p: &[u8]) -> usize {
    (0..=(p.len() - ANCHOR).min(32))
        .min_by_key(|&k| p[k..k + 4].iter().map(|&b| commonness(b)).sum::<u32>())
        .unwrap_or(0)
}

/// Record an occurrence at `start`; `false` once the list is past the cap.
fn record(o: &mut Occurrences, start: usize) -> bool {
    if o.starts.len() < OCCURRENCE_CAP {
        o.starts.push(start);
        true
    } else {
        o.complete = false;
        false
    }
}

/// All occurrences of one pattern, overlapping ones included, with `memmem`.
fn one_by_one(hay: &[u8], pattern: &[u8], o: &mut Occurrences) {
    if pattern.is_empty() {
        return;
    }
    let finder = memmem::Finder::new(pattern);
    let mut at = 0;
    while let Some(p) = finder.find(&hay[at..]) {
        if !record(o, at + p) {
            return;
        }
        at += p + 1;
    }
}

/// One packed pass for a set of anchor groups; `false` if the packed searcher is unavailable
/// (then nothing was recorded).
fn packed_pass(
    hay: &[u8],
    patterns: &[&str],
    groups: &[Group<'_>],
    out: &mut [Occurrences],
) -> bool {
    let mut builder = Config::new().match_kind(MatchKind::LeftmostFirst).builder();
    for (anchor, _) in groups {
        builder.add(anchor);
    }
    let Some(searcher) = builder.build() else {
        return false;
    };
    let mut open: usize = groups.iter().map(|(_, m)| m.len()).sum();
    let mut at = 0;
    while open > 0 && at < hay.len() {
        let Some(m) = searcher.find_in(hay, Span::from(at..hay.len())) else {
            break;
        };
        let p = m.start();
        for &(i, offset) in &groups[m.pattern().as_usize()].1 {
            let o = &mut out[i];
            let Some(s) = p.checked_sub(offset) else {
                continue;
            };
            if o.complete && hay[s..].starts_with(patterns[i].as_bytes()) && !record(o, s) {
                open -= 1;
            }
        }
        at = p + 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The reference: an Aho–Corasick automaton's overlapping matches, as before.
    fn reference(text: &str, patterns: &[&str]) -> Vec<Occurrences> {
        let mut out = vec![
            Occurrences {
                starts: Vec::new(),
                complete: true,
            };
            patterns.len()
        ];
        let ac = AhoCorasick::new(patterns).unwrap();
        for m in ac.find_overlapping_iter(text) {
            let o = &mut out[m.pattern().as_usize()];
            if o.starts.len() < OCCURRENCE_CAP {
                o.starts.push(m.start());
            } else {
                o.complete = false;
            }
        }
        out
    }

    /// xorshift64*, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        }
    }

    #[test]
    fn agrees_with_an_overlapping_automaton_on_random_inputs() {
        let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
        // A tiny alphabet makes repeats, overlaps and shared anchors common.
        let alphabet = ['a', 'b', ' ', 'é'];
        for round in 0..3000 {
            let len = rng.below(if round % 10 == 0 { 5000 } else { 300 });
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(3 + round % 2)])
                .collect();
            let count = 1 + rng.below(if round % 7 == 0 { 150 } else { 12 });
            let owned: Vec<String> = (0..count)
                .map(|_| {
                    if !text.is_empty() && rng.below(2) == 0 {
                        // A slice of the text, so it occurs at least once.
                        let chars: Vec<char> = text.chars().collect();
                        let a = rng.below(chars.len());
                        let b = (a + 1 + rng.below(20)).min(chars.len());
                        chars[a..b].iter().collect()
                    } else {
                        let n = 1 + rng.below(16);
                        (0..n).map(|_| alphabet[rng.below(4)]).collect()
                    }
                })
                .collect();
            let patterns: Vec<&str> = owned.iter().map(String::as_str).collect();
            assert_eq!(
                find_all(&text, &patterns),
                reference(&text, &patterns),
                "round {round}: {patterns:?} in {text:?}"
            );
        }
    }

    #[test]
    fn repeated_and_overlapping_occurrences_past_the_cap() {
        let text = "ab".repeat(3000);
        let patterns = ["abababab", "babababa", "abababab", "ab", "abababababab"];
        let got = find_all(&text, &patterns);
        assert_eq!(got, reference(&text, &patterns));
        assert!(
            got.iter()
                .all(|o| !o.complete && o.starts.len() == OCCURRENCE_CAP)
        );
        assert_eq!(got[0].starts[..3], [0, 2, 4]);
        assert_eq!(got[1].starts[..3], [1, 3, 5]);
    }
}
