//! Finding ICD 203 estimative language in prose: "almost certainly", "unlikely", "a roughly even
//! chance", with the synonyms of [`vocab::ESTIMATIVE_PHRASES`].
//!
//! Phrases match whole words, case-insensitively, the longest first, so "very unlikely" is one
//! term and not "unlikely" after "very", "unlikely" is never "likely", and "likelihood" is no
//! term at all. A term right after a negation or a comparison ("not likely", "more likely than
//! before", "the most likely outcome") states no band and is passed over.

use super::words::{Word, words};
use crate::vocab;
use aho_corasick::AhoCorasick;
use mica_syntax::TextRange;
use std::sync::OnceLock;

/// An estimative term found in prose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermHit {
    /// Where the phrase is written.
    pub range: TextRange,
    /// The ICD 203 term it stands for, as `p=` writes it (`almost-certain`).
    pub term: &'static str,
}

/// A phrase split into words, and the term it stands for.
type Phrase = (Vec<&'static str>, &'static str);

/// The phrases split into words, grouped by the first letter of their first word (`a`–`z`),
/// longest first within each group: a word is compared only with the phrases it could begin.
fn phrases_by_letter() -> &'static [Vec<Phrase>; 26] {
    static PHRASES: OnceLock<[Vec<Phrase>; 26]> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut v: Vec<Phrase> = vocab::ESTIMATIVE_PHRASES
            .iter()
            .map(|(p, t)| (p.split(' ').collect::<Vec<_>>(), *t))
            .collect();
        v.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        let mut groups: [Vec<Phrase>; 26] = Default::default();
        for phrase in v {
            let first = phrase.0[0].as_bytes()[0];
            groups[usize::from(first - b'a')].push(phrase);
        }
        groups
    })
}

/// The estimative terms of `text` that state a likelihood, in order; ranges are offset by
/// `base`.
pub fn scan(text: &str, base: usize) -> Vec<TermHit> {
    if !may_hold_a_term(text) {
        return Vec::new();
    }
    let words = words(text, base);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some((len, term)) = phrase_at(&words[i..]) else {
            i += 1;
            continue;
        };
        let qualified = i > 0 && {
            let before = &words[i - 1];
            vocab::TERM_QUALIFIERS.iter().any(|q| before.is(q)) || vocab::is_negation(before.text)
        };
        if !qualified {
            out.push(TermHit {
                range: words[i].range.cover(words[i + len - 1].range),
                term,
            });
        }
        i += len;
    }
    out
}

/// Whether `text` holds, in any case, the last word of some phrase: a term cannot be there
/// otherwise, and one pass of a small automaton is much cheaper than splitting into words.
fn may_hold_a_term(text: &str) -> bool {
    static LAST_WORDS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let finder = LAST_WORDS.get_or_init(|| {
        let mut last: Vec<&str> = vocab::ESTIMATIVE_PHRASES
            .iter()
            .filter_map(|(p, _)| p.split(' ').next_back())
            .collect();
        last.sort_unstable();
        last.dedup();
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(last)
            .ok()
    });
    finder.as_ref().is_none_or(|f| f.is_match(text))
}

fn phrase_at(words: &[Word<'_>]) -> Option<(usize, &'static str)> {
    let first = words.first()?.text.as_bytes()[0].to_ascii_lowercase();
    if !first.is_ascii_lowercase() {
        return None;
    }
    phrases_by_letter()[usize::from(first - b'a')]
        .iter()
        .find_map(|(parts, term)| {
            (words.len() >= parts.len() && parts.iter().zip(words).all(|(p, w)| w.is(p)))
                .then_some((parts.len(), *term))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<(&str, &'static str)> {
        scan(s, 0)
            .into_iter()
            .map(|h| (&s[h.range.to_range()], h.term))
            .collect()
    }

    #[test]
    fn longest_phrase_first_whole_words_any_case() {
        assert_eq!(
            terms("Beijing will almost certainly persist"),
            [("almost certainly", "almost-certain")]
        );
        assert_eq!(
            terms("This is very unlikely."),
            [("very unlikely", "very-unlikely")]
        );
        assert_eq!(terms("Unlikely to stop"), [("Unlikely", "unlikely")]);
        assert_eq!(terms("the likelihood of success"), []);
        assert_eq!(
            terms("a Roughly\n  Even Chance"),
            [("Roughly\n  Even Chance", "roughly-even")]
        );
        assert_eq!(
            terms("highly-probable"),
            [("highly-probable", "very-likely")]
        );
        assert_eq!(
            terms("probably yes, but improbable later"),
            [("probably", "likely"), ("improbable", "unlikely")]
        );
    }

    #[test]
    fn negated_and_comparative_terms_state_no_band() {
        assert_eq!(terms("It is not likely to happen"), []);
        assert_eq!(terms("It isn't likely"), []);
        assert_eq!(terms("more likely than in 2020, the most likely path"), []);
        assert_eq!(terms("not very likely"), []);
        assert_eq!(terms("remote regions"), []);
        assert_eq!(
            terms("a remote chance"),
            [("remote chance", "almost-no-chance")]
        );
        assert_eq!(terms("<!-- likely --> fine"), []);
    }
}
