//! Finding every occurrence (overlapping ones included) of a batch of patterns in a normalised
//! text, without building an automaton per source for the usual few patterns, and in one pass
//! over the source however many patterns there are.
//!
//! Patterns of at least [`ANCHOR`] bytes are found through an [`ANCHOR`]-byte piece of each
//! (its *anchor*) with aho-corasick's packed (Teddy) searcher, which scans many bytes per
//! instruction and builds in microseconds. Teddy screens with an anchor's first bytes, so each
//! pattern's anchor is the piece near its start whose first bytes are rarest in prose (a
//! capital, a digit, a rare letter rather than "the "). All anchors have the same length, so
//! two different anchors never match at the same position: a leftmost-first search that
//! restarts one byte after each hit therefore visits every position where some anchor occurs,
//! and there every pattern with that anchor is compared in full where it would start. That
//! gives exactly the overlapping occurrences an Aho–Corasick automaton would report (a
//! differential test checks this). Teddy takes [`ANCHORS_PER_PASS`] anchors per pass; past
//! [`PACKED_PASSES`] passes, or when the packed searcher refuses a batch, the anchors are found
//! in one overlapping Aho–Corasick pass instead.
//!
//! Shorter patterns are found one by one with `memchr::memmem` while there are at most
//! [`MEMMEM_SHORT`] distinct ones, and otherwise all at once in one overlapping Aho–Corasick
//! pass. A pass over the source thus costs its length plus the patterns' total length, never
//! their product: a hundred thousand short quotes took one `memmem` pass each before.
//!
//! Each pattern keeps at most [`OCCURRENCE_CAP`] starts; a pass stops early once every pattern
//! it looks for is past the cap.

use crate::matching::{OCCURRENCE_CAP, Occurrences};
use aho_corasick::packed::{Config, MatchKind};
use aho_corasick::{AhoCorasick, Span};
use memchr::memmem;
use std::collections::HashMap;

/// The length of the prefix by which long patterns are found, in bytes.
const ANCHOR: usize = 8;

/// The most anchors one packed pass looks for (Teddy's own limit).
const ANCHORS_PER_PASS: usize = 64;

/// Below this many patterns, one `memmem` pass per pattern is as fast as a packed pass.
const MEMMEM_PATTERNS: usize = 2;

/// Up to this many distinct short patterns are found one by one with `memmem`; more go through
/// one Aho–Corasick pass, so that many short quotes cost one pass over the source, not one each.
const MEMMEM_SHORT: usize = 16;

/// Up to this many packed passes over the source; a batch with more anchors goes through one
/// Aho–Corasick pass, so that the cost stays source size plus pattern length.
const PACKED_PASSES: usize = 4;

/// A key (an anchor, or a whole short pattern) and the patterns that have it: (pattern index,
/// the key's offset in it).
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
    if patterns.len() <= MEMMEM_PATTERNS {
        for (p, o) in patterns.iter().zip(&mut out) {
            one_by_one(hay, p.as_bytes(), o);
        }
        return out;
    }
    // Group the long patterns by anchor and the short ones by their whole text, so that a
    // pattern given twice is searched for once.
    let (mut short, mut long) = (Grouping::default(), Grouping::default());
    for (i, p) in patterns.iter().enumerate() {
        let p = p.as_bytes();
        if p.is_empty() {
            continue;
        }
        if p.len() < ANCHOR {
            short.add(p, i, 0);
        } else {
            let at = anchor_offset(p);
            long.add(&p[at..at + ANCHOR], i, at);
        }
    }
    if short.groups.len() <= MEMMEM_SHORT {
        for (key, members) in &short.groups {
            let mut o = Occurrences {
                starts: Vec::new(),
                complete: true,
            };
            one_by_one(hay, key, &mut o);
            for &(i, _) in members {
                out[i] = o.clone();
            }
        }
    } else {
        automaton_pass(hay, patterns, &short.groups, &mut out);
    }
    let long = long.groups;
    let packed = long.len() <= ANCHORS_PER_PASS * PACKED_PASSES
        && long
            .chunks(ANCHORS_PER_PASS)
            .all(|pass| packed_pass(hay, patterns, pass, &mut out));
    if !packed {
        // Nothing is recorded for a pass the packed searcher refuses, but earlier passes may
        // have recorded: start the long patterns afresh.
        for &(i, _) in long.iter().flat_map(|(_, members)| members) {
            out[i] = Occurrences {
                starts: Vec::new(),
                complete: true,
            };
        }
        automaton_pass(hay, patterns, &long, &mut out);
    }
    out
}

/// Patterns grouped by key, in the order keys are first seen.
#[derive(Default)]
struct Grouping<'a> {
    groups: Vec<Group<'a>>,
    by_key: HashMap<&'a [u8], usize>,
}

impl<'a> Grouping<'a> {
    fn add(&mut self, key: &'a [u8], pattern: usize, offset: usize) {
        let groups = &mut self.groups;
        let g = *self.by_key.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((pattern, offset));
    }
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

#[cfg(test)]
thread_local! {
    /// How many passes over the source this thread has made, so that tests can count work.
    static PASSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Count one pass over the source (in tests only).
fn count_pass() {
    #[cfg(test)]
    PASSES.with(|p| p.set(p.get() + 1));
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
    count_pass();
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
    count_pass();
    let mut open: usize = groups.iter().map(|(_, m)| m.len()).sum();
    let mut at = 0;
    while open > 0 && at < hay.len() {
        let Some(m) = searcher.find_in(hay, Span::from(at..hay.len())) else {
            break;
        };
        let p = m.start();
        open -= verify(hay, patterns, &groups[m.pattern().as_usize()].1, p, out);
        at = p + 1;
    }
    true
}

/// One overlapping Aho–Corasick pass for any number of groups, whatever their keys' lengths.
///
/// Distinct keys that end at the same position have distinct lengths, so with keys of at most
/// [`ANCHOR`] bytes a position yields at most [`ANCHOR`] hits: the pass costs the source's
/// length plus the keys' total length, however many patterns there are.
fn automaton_pass(hay: &[u8], patterns: &[&str], groups: &[Group<'_>], out: &mut [Occurrences]) {
    if groups.is_empty() {
        return;
    }
    let automaton = AhoCorasick::new(groups.iter().map(|(key, _)| key))
        .expect("keys of at most eight bytes fit any automaton");
    count_pass();
    let mut open: usize = groups.iter().map(|(_, m)| m.len()).sum();
    for m in automaton.find_overlapping_iter(hay) {
        open -= verify(
            hay,
            patterns,
            &groups[m.pattern().as_usize()].1,
            m.start(),
            out,
        );
        if open == 0 {
            break;
        }
    }
}

/// Compare every member of a group in full where it would start, given its key at `p`, and
/// record the occurrences; returns how many members this took past the cap.
fn verify(
    hay: &[u8],
    patterns: &[&str],
    members: &[(usize, usize)],
    p: usize,
    out: &mut [Occurrences],
) -> usize {
    let mut closed = 0;
    for &(i, offset) in members {
        let o = &mut out[i];
        let Some(s) = p.checked_sub(offset) else {
            continue;
        };
        if o.complete && hay[s..].starts_with(patterns[i].as_bytes()) && !record(o, s) {
            closed += 1;
        }
    }
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

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

    use crate::test_rng::Rng;

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
            let count = 1 + rng.below(match round {
                _ if round % 50 == 0 => 700,
                _ if round % 7 == 0 => 150,
                _ => 12,
            });
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

    #[test]
    fn many_distinct_patterns_cost_a_few_passes_not_one_each() {
        // Before the automaton pass, every short pattern took a `memmem` pass of its own and
        // every 64 long ones a packed pass: 20 000 + 157 passes here.
        let text = "the quick brown fox jumps over the lazy dog; ".repeat(200);
        let owned: Vec<String> = (0..10_000)
            .map(|i| format!("{i:x}"))
            .chain((0..10_000).map(|i| format!("{i:08x}q")))
            .chain(["quick", "the lazy dog", "fox"].map(String::from))
            .collect();
        let patterns: Vec<&str> = owned.iter().map(String::as_str).collect();
        PASSES.with(|p| p.set(0));
        let got = find_all(&text, &patterns);
        assert!(
            PASSES.with(|p| p.get()) <= 2,
            "one pass for each kind of pattern"
        );
        assert_eq!(got, reference(&text, &patterns));
        assert_eq!(got[20_000].starts.len(), 200);
    }
}
