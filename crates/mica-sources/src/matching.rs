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
//!
//! Length: about 410 lines of code and 260 of unit tests, most of them the differential test of
//! the chain search against the plain depth-first search it replaced (kept in the test module as
//! the reference). The chain search and its memo change together, so they stay in one file.

use crate::normalize::normalize;
use memchr::memmem;
use mica_syntax::TextRange;
use std::collections::{HashMap, HashSet};

/// The most normalised characters allowed between two consecutive parts of an elided quote.
pub const MAX_ELISION_GAP: usize = 400;

/// The most elisions (`...`) a quote may have and still be looked for. Matching an elided
/// quote that is not in its source explores where each part could go, which grows with the
/// parts times their occurrences; a real quote has a handful of elisions, and one with
/// thousands is either generated or hostile. A quote past this is reported as not found, with
/// no passage suggested, and the checker's message says why.
pub const MAX_ELISIONS: usize = 64;

/// `quote_parts(quote)`, or `None` when the quote has more than [`MAX_ELISIONS`] elisions and
/// is not looked for.
pub(crate) fn searchable_parts(quote: &str) -> Option<Vec<String>> {
    let parts = quote_parts(quote);
    (parts.len() <= MAX_ELISIONS + 1).then_some(parts)
}

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

/// What the chain searches of one quote share: the placements (part index, start) from which no
/// chain can be completed, and for those that complete, where the first completion places the
/// next part and where it ends. Dead ends sit in a set of their own because they are by far the
/// most numerous when a quote cannot be found.
#[derive(Default)]
struct Memo {
    dead: HashSet<(usize, usize)>,
    alive: HashMap<(usize, usize), (usize, usize)>,
    /// The latest start at which each part still leaves room for the following ones in order,
    /// ignoring the gap limit: no chain places a part later.
    latest: Vec<usize>,
}

/// The latest start of each part such that the following parts still occur after it in order
/// (gaps ignored), found backwards from the end of the text with the stored occurrences;
/// `None` if the parts cannot occur in order. A part whose stored list is incomplete is only
/// bounded by the room the following parts leave, so that this never scans the text.
fn latest_starts(parts: &[Part<'_>], text_len: usize) -> Option<Vec<usize>> {
    let mut latest = vec![0; parts.len()];
    let mut bound = text_len;
    for (k, part) in parts.iter().enumerate().rev() {
        let room = bound.checked_sub(part.pattern.len())?;
        latest[k] = if part.occ.complete {
            let i = part.occ.starts.partition_point(|&s| s <= room);
            *part.occ.starts[..i].last()?
        } else {
            room
        };
        bound = latest[k];
    }
    Some(latest)
}

#[cfg(test)]
thread_local! {
    /// How many placements this thread's chain searches have tried, so that tests can count
    /// work.
    static TRIED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Where the first chain starting with the first part at `s0` ends, if the following parts can
/// be placed in order with at most [`MAX_ELISION_GAP`] characters between consecutive parts.
///
/// Taking the earliest occurrence of each following part is not enough: an early occurrence
/// can leave the next part too far away where a later one would not. So each part tries every
/// occurrence within reach, depth first, and the first completion (in the order of the parts'
/// positions) wins. Whether a placement can be completed, and how, does not depend on how it
/// was reached, so `memo` keeps both outcomes: a dead end is never explored twice, and a chain
/// that reaches a placement already completed stops there. Every placement is thus expanded at
/// most once across all first parts, and the chains from a thousand starts of the first part
/// soon run into placements already completed instead of each walking every part again
/// (adversarial N3: counting the matches of a quote of ten thousand elisions took a thousand
/// times its parts). A quote that cannot be completed still expands every placement within
/// reach, up to its parts times their occurrences.
///
/// The search keeps its own stack instead of recursing once per part, so that a quote of a
/// hundred thousand elisions cannot overflow the thread's stack.
fn chain_end(text: &str, parts: &[Part<'_>], s0: usize, memo: &mut Memo) -> Option<usize> {
    let last = parts.len() - 1;
    // The placements of the current path, and where the search for the part after each
    // goes on.
    let mut path = vec![s0];
    let mut resume = vec![s0 + parts[0].pattern.len()];
    let end = loop {
        let i = path.len();
        if i > last {
            break path[last] + parts[last].pattern.len();
        }
        let part = &parts[i];
        let end = path[i - 1] + parts[i - 1].pattern.len();
        // A character is at most four bytes, so this bounds the start from above.
        let max_start = end + MAX_ELISION_GAP * 4;
        let mut from = resume[i - 1];
        let mut next = None;
        while let Some(s) = part.first_in(text, from, max_start.min(memo.latest[i])) {
            if s - end > MAX_ELISION_GAP && text[end..s].chars().count() > MAX_ELISION_GAP {
                // Occurrences come in order, so every later one is further away still.
                break;
            }
            if memo.dead.contains(&(i, s)) {
                from = s + 1;
            } else {
                next = Some((s, memo.alive.get(&(i, s)).copied()));
                break;
            }
        }
        match next {
            Some((s, known)) => {
                #[cfg(test)]
                TRIED.with(|t| t.set(t.get() + 1));
                resume[i - 1] = s + 1;
                path.push(s);
                if let Some((_, end)) = known {
                    // The rest of the chain is known already.
                    break end;
                }
                resume.push(s + part.pattern.len());
            }
            None => {
                // No place for part `i` after this placement of part `i - 1`: take that back,
                // remember it as a dead end, and try its next occurrence.
                resume.pop();
                let s = path.pop().expect("the path holds the first part");
                memo.dead.insert((i - 1, s));
                if i == 1 {
                    return None;
                }
            }
        }
    };
    // Every placement on the path (but the last part's) now has a known completion.
    for (k, pair) in path.windows(2).enumerate() {
        memo.alive.insert((k, pair[0]), (pair[1], end));
    }
    Some(end)
}

/// The whole chain that [`chain_end`] found from `s0`, read back from the memo.
fn chain_from(parts: &[Part<'_>], s0: usize, memo: &Memo) -> Chain {
    let mut chain = Vec::with_capacity(parts.len());
    let mut s = s0;
    for (k, part) in parts.iter().enumerate() {
        chain.push((s, s + part.pattern.len()));
        if k + 1 < parts.len() {
            let Some(&(next, _)) = memo.alive.get(&(k, s)) else {
                unreachable!("a found chain's placements are all alive");
            };
            s = next;
        }
    }
    chain
}

/// The first valid chain whose first part starts in `lo..hi` (normalised offsets) and whose
/// span (start of the first part, end of the last) `accept` approves, plus how many such
/// chains there are (up to [`OCCURRENCE_CAP`]).
pub(crate) fn find_chains(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    accept: impl FnMut(usize, usize) -> bool,
) -> Option<(Chain, usize)> {
    chains_upto(text, parts, lo, hi, OCCURRENCE_CAP, accept)
}

/// The first valid chain whose first part starts in `lo..hi`, without counting the others.
pub(crate) fn first_chain(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    accept: impl FnMut(usize, usize) -> bool,
) -> Option<Chain> {
    chains_upto(text, parts, lo, hi, 1, accept).map(|(c, _)| c)
}

/// Whether some part is known to occur nowhere (its occurrence list is complete and empty).
fn some_part_absent(parts: &[Part<'_>]) -> bool {
    parts
        .iter()
        .any(|p| p.occ.complete && p.occ.starts.is_empty())
}

fn chains_upto(
    text: &str,
    parts: &[Part<'_>],
    lo: usize,
    hi: usize,
    max: usize,
    mut accept: impl FnMut(usize, usize) -> bool,
) -> Option<(Chain, usize)> {
    // A part that does not occur at all rules out every chain: no need to walk the others.
    if some_part_absent(parts) {
        return None;
    }
    let latest = latest_starts(parts, text.len())?;
    let mut memo = Memo {
        latest,
        ..Memo::default()
    };
    let mut first = None;
    let mut count = 0;
    let mut from = lo;
    while count < max {
        let last_start = hi.saturating_sub(1).min(memo.latest[0]);
        let Some(s0) = parts[0].first_in(text, from, last_start) else {
            break;
        };
        from = s0 + 1;
        if s0 >= hi {
            break;
        }
        if let Some(end) = chain_end(text, parts, s0, &mut memo)
            && accept(s0, end)
        {
            count += 1;
            if first.is_none() {
                first = Some(chain_from(parts, s0, &memo));
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
        let (chain, count) = find_chains(&text, &parts, 0, text.len(), |_, _| true).unwrap();
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
            let (chain, count) = find_chains(text, &parts, 0, text.len(), |_, _| true).unwrap();
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
            let found = find_chains(text, &parts, 0, text.len(), |_, _| true).is_some();
            assert_eq!(found, ok);
        }
    }

    /// The chain search as it was before placements that complete were remembered: depth
    /// first, remembering dead ends only. The reference for the differential test.
    fn reference_chains(
        text: &str,
        parts: &[Part<'_>],
        lo: usize,
        hi: usize,
        mut accept: impl FnMut(usize, usize) -> bool,
    ) -> Option<(Chain, usize)> {
        if some_part_absent(parts) {
            return None;
        }
        let mut dead = HashSet::new();
        let (mut first, mut count, mut from) = (None, 0, lo);
        while count < OCCURRENCE_CAP {
            let Some(s0) = parts[0].first_in(text, from, hi.saturating_sub(1)) else {
                break;
            };
            from = s0 + 1;
            let mut chain = vec![(s0, s0 + parts[0].pattern.len())];
            let mut resume = vec![chain[0].1];
            let complete = loop {
                let i = chain.len();
                let Some(part) = parts.get(i) else {
                    break true;
                };
                let end = chain[i - 1].1;
                let mut from = resume[i - 1];
                let mut next = None;
                while let Some(s) = part.first_in(text, from, end + MAX_ELISION_GAP * 4) {
                    if text[end..s].chars().count() > MAX_ELISION_GAP {
                        break;
                    }
                    if !dead.contains(&(i, s)) {
                        next = Some(s);
                        break;
                    }
                    from = s + 1;
                }
                if let Some(s) = next {
                    resume[i - 1] = s + 1;
                    chain.push((s, s + part.pattern.len()));
                    resume.push(s + part.pattern.len());
                } else {
                    resume.pop();
                    if i == 1 {
                        break false;
                    }
                    let (s, _) = chain.pop().unwrap();
                    dead.insert((i - 1, s));
                }
            };
            if complete && accept(chain[0].0, chain[chain.len() - 1].1) {
                count += 1;
                first.get_or_insert(chain);
            }
        }
        first.map(|c| (c, count))
    }

    use crate::test_rng::Rng;

    #[test]
    fn remembering_completions_finds_the_same_chains_and_counts() {
        let mut rng = Rng(0x5EED_0FC4_A145);
        let tokens = ["a", "b", "ab", " ", " ", "c"];
        let fillers = ["x".repeat(150), "é".repeat(120), "y".repeat(390)];
        let words = ["a", "b", "ab", "a b", "ba", "b a", "c"];
        for round in 0..2000 {
            let mut text = String::new();
            for _ in 0..rng.below(300) {
                if rng.below(12) == 0 {
                    text.push_str(&fillers[rng.below(fillers.len())]);
                } else {
                    text.push_str(tokens[rng.below(tokens.len())]);
                }
            }
            let patterns: Vec<&str> = (0..1 + rng.below(6))
                .map(|_| words[rng.below(words.len())])
                .collect();
            let cap = [0, 1, 3, OCCURRENCE_CAP][rng.below(4)];
            let occs: Vec<Occurrences> = patterns.iter().map(|p| occ(&text, p, cap)).collect();
            let parts: Vec<Part<'_>> = patterns
                .iter()
                .zip(&occs)
                .map(|(&pattern, occ)| Part { pattern, occ })
                .collect();
            let lo = rng.below(text.len() + 1);
            let hi = lo + rng.below(text.len() + 1 - lo);
            let limit = rng.below(text.len() + 1);
            let accept = |_: usize, e: usize| round % 2 == 0 || e <= limit;
            assert_eq!(
                find_chains(&text, &parts, lo, hi, accept),
                reference_chains(&text, &parts, lo, hi, accept),
                "round {round}: {patterns:?} in {lo}..{hi} of {text:?}"
            );
        }
    }

    #[test]
    fn chains_from_many_starts_share_their_completions() {
        // A dozen words and a quote of two thousand elisions: every start of the first part
        // has a chain, and the chains soon run into one another. Remembering only dead ends,
        // each of the 1024 counted starts walked all its parts again: two million placements.
        let vocab = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
        let mut rng = Rng(0x00E1_1DED);
        let text: Vec<&str> = (0..100_000)
            .map(|_| vocab[rng.below(vocab.len())])
            .collect();
        let text = text.join(" ");
        let patterns: Vec<&str> = (0..2000).map(|_| vocab[rng.below(vocab.len())]).collect();
        let occs: HashMap<&str, Occurrences> = vocab
            .iter()
            .map(|&w| (w, occ(&text, w, OCCURRENCE_CAP)))
            .collect();
        let parts: Vec<Part<'_>> = patterns
            .iter()
            .map(|&pattern| Part {
                pattern,
                occ: &occs[pattern],
            })
            .collect();
        TRIED.with(|t| t.set(0));
        let (chain, count) = find_chains(&text, &parts, 0, text.len(), |_, _| true).unwrap();
        let tried = TRIED.with(|t| t.get());
        assert_eq!((chain.len(), count), (patterns.len(), OCCURRENCE_CAP));
        assert!(
            tried < 40 * (patterns.len() + OCCURRENCE_CAP),
            "{tried} placements tried"
        );
    }
}
