//! The words of a piece of prose, with their byte ranges, as the tradecraft scanners see them.
//!
//! A word is a run of letters and digits, with apostrophes inside it (`isn't`, `China’s`).
//! Everything else separates words: spaces and line breaks of any kind, punctuation, hyphens
//! (so "almost-certain" reads as "almost certain"), and Mica comments, which are skipped
//! whole because the analyst's remarks are not the claim.

use mica_syntax::TextRange;

/// One word of prose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// Its range in the scanned text (plus the offset given to [`words`]).
    pub range: TextRange,
    /// As written.
    pub text: &'a str,
}

impl Word<'_> {
    /// Whether it equals `lower` (a lowercase word) ignoring case, with curly apostrophes read
    /// as straight ones.
    pub fn is(&self, lower: &str) -> bool {
        if self.text.len() == lower.len() {
            return self.text.eq_ignore_ascii_case(lower);
        }
        // A curly apostrophe takes three bytes where the straight one takes one.
        self.text.len() > lower.len()
            && self.text.contains('’')
            && self.text.replace('’', "'").eq_ignore_ascii_case(lower)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// The words of `text`, skipping `<!-- ... -->` comments; ranges are offset by `base`.
pub fn words(text: &str, base: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '<' && text[i..].starts_with("<!--") {
            if let Some(s) = start.take() {
                out.push(word(text, s, i, base));
            }
            let end = text[i + 4..]
                .find("-->")
                .map_or(text.len(), |e| i + 4 + e + 3);
            while iter.peek().is_some_and(|&(j, _)| j < end) {
                iter.next();
            }
            continue;
        }
        let inside = is_word_char(c)
            || (is_apostrophe(c)
                && start.is_some()
                && iter.peek().is_some_and(|&(_, n)| is_word_char(n)));
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(word(text, s, i, base));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(word(text, s, text.len(), base));
    }
    out
}

fn word(text: &str, start: usize, end: usize, base: usize) -> Word<'_> {
    Word {
        range: TextRange::new(base + start, base + end),
        text: &text[start..end],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        words(s, 0).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_split_on_punctuation_hyphens_and_comments() {
        assert_eq!(
            texts("It isn't almost-certain, <!-- likely --> China’s 'plan'."),
            ["It", "isn't", "almost", "certain", "China’s", "plan"]
        );
        assert_eq!(texts("a\u{a0}b\r\nc <!-- open"), ["a", "b", "c"]);
        let w = words("x likely", 10);
        assert_eq!(w[1].range, TextRange::new(12, 18));
        assert!(w[1].is("likely") && !w[0].is("likely"));
        assert!(words("isn’t", 0)[0].is("isn't"));
    }
}
