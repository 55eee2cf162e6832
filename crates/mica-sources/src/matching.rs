//! Quote matching: the query and outcome types, elision splitting, and how occurrences of the
//! parts of a quote are chained into matches.
//!
//! A quote is normalised like its source (see [`crate::normalize`]) and trimmed. It may elide
//! text with `...` (NFKC turns `…` into `...`), also written `[...]` or `(...)`: the quote is cut
//! at every run of three or more dots standing between two parts, and each part is trimmed. A
//! leading or trailing marker is simply dropped. The parts must occur in order, without
//! overlapping, with at most [`MAX_ELISION_GAP`] normalised characters between the end of one part
//! and the start of the next.
//!
//! Occurrences are found by [`crate::SourceFile`] in one multi-pattern pass per batch and kept in
//! a per-source cache; this module only combines them.

use crate::normalize::normalize;
use memchr::memmem;
use mica_syntax::TextRange;
use std::collections::HashSet;

/// The most normalised characters allowed between two consecutive parts of an elided quote.
pub const MAX_ELISION_GAP: usize = 400;

/// How many occurrences of one pattern are stored, and the most matches a quote counts.
///
/// A tiny pattern such as `a` would otherwise store one entry for every few bytes of the
/// source. Counts up to the cap are exact; past it, [`QuoteMatch::count`] saturates at the cap,
/// which is still "ambiguous". Finding a match is exact whatever the cap: when a chain of parts
/// needs occurrences past the stored ones, they are searched for directly in the source.
pub const OCCURRENCE_CAP: usize = 1024;

/// A 1-based inclusive range of lines, as written in a line locator (`L12` or `L12-14`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineSpan {
    /// The first line (1-based).
    pub start: usize,
    /// The last line (1-based, inclusive).
    pub end: usize,
}

impl LineSpan {
    /// The span of the single line `line` (1-based).
    pub fn line(line: usize) -> Self {
        Self {
            start: line,
            end: line,
        }
    }
}

/// One quote to look up in a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteQuery<'a> {
    /// The quote's value, with the citation's escapes already resolved.
    pub quote: &'a str,
    /// The line locator, if the citation has one: the whole match must lie within these lines.
    pub lines: Option<LineSpan>,
}

/// Where a quote was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteMatch {
    /// The original byte range from the start of the first part to the end of the last part.
    pub range: TextRange,
    /// The original byte range of every part (one for a quote without elision).
    pub parts: Vec<TextRange>,
    /// The number of distinct matches (distinct start positions of the first part that give a
    /// valid chain) in the allowed region; more than one means the quote is ambiguous. Saturates
    /// at [`OCCURRENCE_CAP`].
    pub count: usize,
}

/// The result of looking up one quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuoteOutcome {
    /// Found within the allowed region (the line locator, or the whole file); the match is the
    /// first one.
    Found(QuoteMatch),
    /// Found in the file, but not within the line locator; the match is the first occurrence in
    /// the file and its count covers the whole file.
    OutsideLines(QuoteMatch),
    /// The line locator does not exist in the file (ends past the last line, starts at 0, or
    /// starts after its end).
    LinesOutOfRange {
        /// The number of lines the file has.
        line_count: usize,
    },
    /// Not found anywhere; [`crate::SourceFile::suggest`] may find the closest passage.
    NotFound,
    /// The quote normalises to nothing.
    Empty,
}

/// The closest passage for a quote that was not found.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The passage's original byte range.
    pub range: TextRange,
    /// The passage as a one-line quote: the original text with whitespace runs collapsed to one
    /// space (parts of an elided quote are joined with ` ... `).
    pub text: String,
    /// The edit distance in characters between the normalised quote and the normalised passage.
    pub distance: usize,
    /// `1 - distance / quote length`, in `0.0..=1.0`.
    pub similarity: f32,
}

/// A passage offered as a quote completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// The passage's original byte range.
    pub range: TextRange,
    /// The passage as a one-line quote (whitespace runs collapsed).
    pub text: String,
}

/// The stored occurrences (start offsets in the normalised text) of one pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Occurrences {
    /// The first occurrences in order, at most [`OCCURRENCE_CAP`].
    pub(crate) starts: Vec<usize>,
    /// Whether `starts` holds every occurrence.
    pub(crate) complete: bool,
}

/// Normalise a quote and cut it into its elided parts; empty when nothing is left.
pub fn quote_parts(quote: &str) -> Vec<String> {
    let normalized = normalize(quote).text;
    split_elisions(normalized.trim_matches(' '))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Cut a normalised quote at its elision markers and trim every part; empty parts are dropped.
pub(crate) fn split_elisions(q: &str) -> Vec<&str> {
    let b = q.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'.' {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && b[j] == b'.' {
            j += 1;
        }
        if j - i >= 3 {
            let (mut ms, mut me) = (i, j);
            if ms > 0 && me < b.len() && matches!((b[ms - 1], b[me]), (b'[', b']') | (b'(', b')')) {
                ms -= 1;
                me += 1;
            }
            parts.push(&q[start..ms]);
            start = me;
        }
        i = j;
    }
    parts.push(&q[start..]);
    parts
        .into_iter()
        .map(|p| p.trim_matches(' '))
        .filter(|p| !p.is_empty())
        .collect()
}

/// One part of a quote with its occurrences.
#[derive(Clone, Copy)]
pub(crate) struct Part<'a> {
    pub(crate) pattern: &'a str,
    pub(crate) occ: &'a Occurrences,
}

impl Part<'_> {
    /// The first occurrence starting in `from..=max_start`, looking past the stored list when it
    /// is incomplete.
    fn first_in(&self, text: &str, from: usize, max_start: usize) -> Option<usize> {
        if from > max_start {
            return None;
        }
        let i = self.occ.starts.partition_point(|&s| s < from);
        if let Some(&s) = self.occ.starts.get(i) {
            return (s <= max_start).then_some(s);
        }
        if self.occ.complete {
            return None;
        }
        let from = match self.occ.starts.last() {
            Some(&last) => from.max(last + 1),
            None => from,
        };
        let hay_end = max_start.saturating_add(self.pattern.len()).min(text.len());
        if from >= hay_end {
            return None;
        }
        memmem::find(&text.as_bytes()[from..hay_end], self.pattern.as_bytes()).map(|p| from + p)
    }
}

/// A chain of part occurrences: (start, end) of each part in the normalised text.
pub(crate) type Chain = Vec<(usize, usize)>;

/// The chain starting with the first part at `s0`, if the following parts can be placed in
/// order with at most [`MAX_ELISION_GAP`] characters between consecutive parts.
///
/// Taking the earliest occurrence of each following part is not enough: an early occurrence
/// can leave the next part too far away where a later one would not. So each part tries every
/// occurrence within reach, depth first; `dead` remembers the (part, start) pairs from which
/// no chain can be completed, so that no pair is explored twice across all first parts.
fn chain_from(
    text: &str,
    parts: &[Part<'_>],
    s0: usize,
    dead: &mut HashSet<(usize, usize)>,
) -> Option<Chain> {
    let end = s0 + parts[0].pattern.len();
    let mut chain = Vec::with_capacity(parts.len());
    chain.push((s0, end));
    extend_chain(text, parts, &mut chain, dead).then_some(chain)
}

/// Place parts `1..` after the chain's first part, depth first. The search keeps its own
/// stack (where each part's search resumes) instead of recursing once per part, so that a quote
/// of a hundred thousand elisions cannot overflow the thread's stack: recursion aborted
/// `mica check` and the server on such a quote (second adversarial pass).
fn extend_chain(
    text: &str,
    parts: &[Part<'_>],
    chain: &mut Chain,
    dead: &mut HashSet<(usize, usize)>,
) -> bool {
    // `resume[k]` is where the search for part `k + 1` goes on.
    let mut resume = vec![chain[0].1];
    loop {
        let i = chain.len();
        let Some(part) = parts.get(i) else {
            return true;
        };
        let end = chain[i - 1].1;
        // A character is at most four bytes, so this bounds the start from above.
        let max_start = end + MAX_ELISION_GAP * 4;
        let mut from = resume[i - 1];
        let mut next = None;
        while let Some(s) = part.first_in(text, from, max_start) {
            if s - end > MAX_ELISION_GAP && text[end..s].chars().count() > MAX_ELISION_GAP {
                // Occurrences come in order, so every later one is further away still.
                break;
            }
            if !dead.contains(&(i, s)) {
                next = Some(s);
                break;
            }
            from = s + 1;
        }
        match next {
            Some(s) => {
                resume[i - 1] = s + 1;
                let part_end = s + part.pattern.len();
                chain.push((s, part_end));
                resume.push(part_end);
            }
            None => {
                // No place for part `i` after this placement of part `i - 1`: take that back,
                // remember it as a dead end, and try its next occurrence.
                resume.pop();
                if i == 1 {
                    return false;
                }
                if let Some((s, _)) = chain.pop() {
                    dead.insert((i - 1, s));
                }
            }
        }
    }
}

/// The first valid chain whose first part starts in `lo..hi` (normalised offsets) and which
/// `accept` approves, plus how many such chains there are (up to [`OCCURRENCE_CAP`]).
pub(crate) fn find_chains(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    accept: impl FnMut(&Chain) -> bool,
) -> Option<(Chain, usize)> {
    chains_upto(text, parts, lo, hi, OCCURRENCE_CAP, accept)
}

/// The first valid chain whose first part starts in `lo..hi`, without counting the others.
pub(crate) fn first_chain(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    accept: impl FnMut(&Chain) -> bool,
) -> Option<Chain> {
    chains_upto(text, parts, lo, hi, 1, accept).map(|(c, _)| c)
}

fn chains_upto(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    max: usize,
    mut accept: impl FnMut(&Chain) -> bool,
) -> Option<(Chain, usize)> {
    // A part that does not occur at all rules out every chain: no need to walk the others.
    if parts
        .iter()
        .any(|p| p.occ.complete && p.occ.starts.is_empty())
    {
        return None;
    }
    let mut dead = HashSet::new();
    let mut first = None;
    let mut count = 0;
    let mut from = lo;
    while count < max {
        let Some(s0) = parts[0].first_in(text, from, hi.saturating_sub(1)) else {
            break;
        };
        from = s0 + 1;
        if s0 >= hi {
            break;
        }
        if let Some(chain) = chain_from(text, parts, s0, &mut dead)
            && accept(&chain)
        {
            count += 1;
            if first.is_none() {
                first = Some(chain);
            }
        }
    }
    first.map(|c| (c, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elision_markers() {
        let cases: &[(&str, &[&str])] = &[
            ("plain quote", &["plain quote"]),
            ("a ... b", &["a", "b"]),
            ("a...b", &["a", "b"]),
            ("a [...] b (...) c", &["a", "b", "c"]),
            ("ends with...", &["ends with"]),
            ("... starts", &["starts"]),
            ("a .... b", &["a", "b"]),
            ("U.S. policy", &["U.S. policy"]),
            ("two.. dots", &["two.. dots"]),
            ("...", &[]),
            ("a ... ... b", &["a", "b"]),
        ];
        for (q, expected) in cases {
            assert_eq!(&split_elisions(q), expected, "splitting {q:?}");
        }
    }

    #[test]
    fn quote_parts_normalise_the_ellipsis_character() {
        assert_eq!(quote_parts("  more\u{2026}  than\n"), vec!["more", "than"]);
        assert!(quote_parts(" \u{2026} ").is_empty());
    }

    fn occ(text: &str, pat: &str, cap: usize) -> Occurrences {
        let all: Vec<usize> = memmem::find_iter(text.as_bytes(), pat.as_bytes()).collect();
        Occurrences {
            complete: all.len() <= cap,
            starts: all.into_iter().take(cap).collect(),
        }
    }

    #[test]
    fn a_later_occurrence_can_complete_a_chain_the_earliest_cannot() {
        // The first BRAVO is close to ALPHA but too far from CHARLIE; the second is within
        // reach of both.
        let text = format!(
            "ALPHA {} BRAVO {} BRAVO {} CHARLIE",
            "x".repeat(100),
            "y".repeat(250),
            "z".repeat(250)
        );
        let (a, b, c) = (
            occ(&text, "ALPHA", 10),
            occ(&text, "BRAVO", 10),
            occ(&text, "CHARLIE", 10),
        );
        let parts = [
            Part {
                pattern: "ALPHA",
                occ: &a,
            },
            Part {
                pattern: "BRAVO",
                occ: &b,
            },
            Part {
                pattern: "CHARLIE",
                occ: &c,
            },
        ];
        let (chain, count) = find_chains(&text, &parts, 0, text.len(), |_| true).unwrap();
        assert_eq!(count, 1);
        assert_eq!(chain[1].0, b.starts[1]);
    }

    #[test]
    fn chains_look_past_a_truncated_list() {
        let text = "a a a a a x b";
        for cap in [0, 1, 2, 10] {
            let (oa, ox) = (occ(text, "a", cap), occ(text, "x b", cap));
            let parts = [
                Part {
                    pattern: "a",
                    occ: &oa,
                },
                Part {
                    pattern: "x b",
                    occ: &ox,
                },
            ];
            let (chain, count) = find_chains(text, &parts, 0, text.len(), |_| true).unwrap();
            assert_eq!(chain, vec![(0, 1), (10, 13)], "cap {cap}");
            assert_eq!(count, 5, "cap {cap}");
        }
    }

    #[test]
    fn gap_limit_counts_characters() {
        let near = format!("start {} end", "é".repeat(MAX_ELISION_GAP - 2));
        let far = format!("start {} end", "é".repeat(MAX_ELISION_GAP));
        for (text, ok) in [(&near, true), (&far, false)] {
            let (o1, o2) = (occ(text, "start", 10), occ(text, "end", 10));
            let parts = [
                Part {
                    pattern: "start",
                    occ: &o1,
                },
                Part {
                    pattern: "end",
                    occ: &o2,
                },
            ];
            let found = find_chains(text, &parts, 0, text.len(), |_| true).is_some();
            assert_eq!(found, ok);
        }
    }
}
