//! Sentence boundaries in source text: the one splitter that hovers, quote completions and
//! rendered reports use, so that they all agree where a source's sentence starts and ends.
//!
//! A sentence ends after `.`, `!` or `?` (with any closing quotes or brackets after it)
//! followed by whitespace or the end of the text, and after the full-width `。`, `！`, `？`
//! wherever they stand. A full stop does not end a sentence:
//! - inside a number or a word (`3.5`, `U.S.-China`: no whitespace follows);
//! - after a title that always precedes a name (`Mr.`, `Dr.`, `Prof.`, ...) or a common
//!   abbreviation (`e.g.`, `i.e.`, `cf.`, `vs.`, `No.`, `approx.`, ...);
//! - after a single letter (an initial, `J. R. Tolkien`) or a run of letters joined by full
//!   stops (`U.S.`, `U.K.`, `a.m.`), unless the next word is one that usually starts a
//!   sentence (`the U.S. The tariffs` ends a sentence, `the U.S. Congress` does not);
//! - when the next word starts with a lower-case letter (`approx. five`).
//!
//! Every function takes byte offsets into `text` and returns byte offsets on character
//! boundaries.

use mica_syntax::TextRange;

/// Characters that may follow a sentence's final mark and still belong to the sentence.
const CLOSERS: &[char] = &[
    '"', '\'', ')', ']', '}', '\u{201d}', '\u{2019}', '\u{bb}', '\u{203a}',
];

/// Characters that may precede a word and still leave it the word (opening quotes, brackets).
const OPENERS: &[char] = &[
    '"', '\'', '(', '[', '{', '\u{201c}', '\u{2018}', '\u{ab}', '\u{2039}',
];

/// Abbreviations after which a full stop never ends a sentence: titles that precede a name and
/// abbreviations that are followed by more of the sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Messrs", "Gen", "Col", "Lt",
    "Capt", "Sgt", "Adm", "Gov", "Sen", "Rep", "Rev", "Hon", "Pres", "Amb", "vs", "cf", "al",
    "approx", "ca", "No", "Nos", "no", "Vol", "vol", "pp", "Fig", "fig", "Figs", "Art", "Sec",
    "Ch", "Eq", "Dept", "Univ", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov",
    "Dec",
];

/// Words that usually start a sentence: after an initial or a dotted abbreviation such as
/// `U.S.`, one of these means the sentence did end there.
const STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "Its",
    "In",
    "On",
    "At",
    "For",
    "As",
    "But",
    "And",
    "Or",
    "So",
    "Yet",
    "However",
    "Moreover",
    "Meanwhile",
    "Still",
    "Thus",
    "Then",
    "There",
    "Here",
    "He",
    "She",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Our",
    "Since",
    "While",
    "When",
    "After",
    "Before",
    "If",
    "Although",
    "Despite",
    "By",
    "With",
    "From",
    "To",
    "Of",
    "According",
    "Such",
    "Some",
    "Many",
    "Most",
    "Other",
    "Others",
    "One",
    "Two",
    "Both",
    "Each",
    "All",
    "No",
    "Not",
    "What",
    "Why",
    "How",
    "Who",
    "Which",
];

/// Whether a sentence can end just after `c`: only after a final mark or a closer. Scans ask
/// [`ends_sentence`] at every character, and this is all it reads at most of them.
fn may_end_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '\u{3002}' | '\u{ff01}' | '\u{ff1f}') || CLOSERS.contains(&c)
}

/// Whether a sentence ends exactly at byte `at` of `text`: `text[..at]` ends with a sentence's
/// final mark (and any closing quotes or brackets), and what follows does not continue it.
pub fn ends_sentence(text: &str, at: usize) -> bool {
    if at == 0 || at > text.len() || !text.is_char_boundary(at) {
        return false;
    }
    if !text[..at].chars().next_back().is_some_and(may_end_sentence) {
        return false;
    }
    let core = text[..at].trim_end_matches(CLOSERS);
    let Some(mark) = core.chars().next_back() else {
        return false;
    };
    if matches!(mark, '\u{3002}' | '\u{ff01}' | '\u{ff1f}') {
        return true;
    }
    if !matches!(mark, '.' | '!' | '?') {
        return false;
    }
    let after = &text[at..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return false;
    }
    let next = next_word(after);
    if next.starts_with(char::is_lowercase) {
        return false;
    }
    if mark != '.' {
        return true;
    }
    let word = last_word(&core[..core.len() - 1]);
    if ABBREVIATIONS.contains(&word) {
        return false;
    }
    if is_initial_or_dotted(word) {
        return STARTERS.contains(&next);
    }
    true
}

/// The first word after `text`'s leading whitespace and opening marks, without trailing
/// punctuation.
fn next_word(text: &str) -> &str {
    let rest = text.trim_start().trim_start_matches(OPENERS);
    let end = rest
        .find(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The word that ends `text` (the run of non-whitespace before its end), without opening
/// marks.
fn last_word(text: &str) -> &str {
    let start = text.rfind(char::is_whitespace).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    text[start..].trim_start_matches(OPENERS)
}

/// A single letter (`J`) or letters joined by full stops (`U.S`, `e.g`, `Ph.D`): what stands
/// before the final full stop of an initial or a dotted abbreviation.
fn is_initial_or_dotted(word: &str) -> bool {
    let mut segments = word.split('.');
    let all_short = segments.clone().all(|s| {
        let n = s.chars().count();
        (1..=2).contains(&n) && s.chars().all(char::is_alphabetic)
    });
    let first = segments.next().unwrap_or_default();
    all_short && (word.contains('.') || first.chars().count() == 1)
}

/// The end of the sentence that continues at byte `from`: the first offset in
/// `from..=limit` where a sentence ends, if any.
pub fn sentence_end(text: &str, from: usize, limit: usize) -> Option<usize> {
    let limit = limit.min(text.len());
    if from > limit {
        return None;
    }
    let mut at = from;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    // Closing quotes and brackets are passed over too: the end lies after them, where
    // whitespace follows.
    text[at..limit]
        .char_indices()
        .map(|(i, c)| at + i + c.len_utf8())
        .find(|&end| ends_sentence(text, end))
}

/// The start of the sentence that holds byte `at`: the offset after the last sentence end in
/// `floor..=at` (and the whitespace after it), if there is one.
pub fn sentence_start(text: &str, at: usize, floor: usize) -> Option<usize> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let floor = floor.min(at);
    let mut end = at;
    // Skip back over whitespace before `at`: a sentence ending just before it ends there.
    loop {
        if ends_sentence(text, end) {
            let ws = text[end..at].len() - text[end..at].trim_start().len();
            return Some(end + ws);
        }
        end -= text[floor..end].chars().next_back()?.len_utf8();
    }
}

/// The sentence (or sentences) around `range`: from the start of the sentence holding its
/// start to the end of the sentence holding its end, with the text's start and end standing
/// in where no boundary is found.
pub fn sentence_around(text: &str, range: TextRange) -> TextRange {
    let start = sentence_start(text, range.start(), 0).unwrap_or(0);
    let end = if ends_sentence(text, range.end()) {
        range.end()
    } else {
        sentence_end(text, range.end(), text.len()).unwrap_or(text.len())
    };
    TextRange::new(start.min(range.start()), end.max(range.end()))
}

/// The context of the passage `range` of `text`, as hovers and reports show it: from the
/// start of its sentence to the end of its last sentence, never across a blank line, a list
/// item or a heading, and at most about `reach` characters on either side (cut at a word
/// boundary). Returns the range and whether it was cut at the start and at the end.
pub fn passage_context(text: &str, range: TextRange, reach: usize) -> (TextRange, bool, bool) {
    let start = range.start().min(text.len());
    let end = range.end().clamp(start, text.len());
    let (s, cut_start) = context_start(text, start, reach);
    let (e, cut_end) = context_end(text, end, reach);
    (TextRange::new(s, e.max(s)), cut_start, cut_end)
}

/// Every whitespace run of `text` as one space, keeping one space at either end if there was
/// whitespace there.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Whether the line starting at byte `ls` opens a block of its own: a list item (`-`, `*`,
/// `+`, `1.`, `1)`) or a heading. Context never runs across such a line start.
fn opens_block(text: &str, ls: usize) -> bool {
    let line = text[ls..].trim_start_matches([' ', '\t']);
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after = |n: usize| line[n..].starts_with([' ', '\t']);
    (line.starts_with(['-', '*', '+']) && after(1))
        || line.starts_with('#')
        || (digits > 0 && line[digits..].starts_with(['.', ')']) && after(digits + 1))
}

/// Whether the line whose line ending starts at byte `e` holds only spaces and tabs.
fn line_before_is_blank(text: &str, e: usize) -> bool {
    let ls = text[..e].rfind(['\n', '\r']).map_or(0, |p| p + 1);
    text[ls..e].trim_matches([' ', '\t']).is_empty()
}

/// The start of the line after the line ending at byte `i`.
fn after_eol(text: &str, i: usize) -> usize {
    i + if text[i..].starts_with("\r\n") { 2 } else { 1 }
}

/// Whether the line after the line ending at byte `i` holds only spaces and tabs.
fn line_after_is_blank(text: &str, i: usize) -> bool {
    let e = after_eol(text, i);
    let le = text[e..].find(['\n', '\r']).map_or(text.len(), |p| e + p);
    text[e..le].trim_matches([' ', '\t']).is_empty()
}

/// The start of the context of a passage starting at `start`: the start of its sentence or
/// paragraph, or a word boundary about `reach` characters back. The flag says whether it was cut.
fn context_start(text: &str, start: usize, reach: usize) -> (usize, bool) {
    let mut at = start;
    for (count, (i, c)) in text[..start].char_indices().rev().enumerate() {
        if count >= reach {
            let cut = text[at..start]
                .find(char::is_whitespace)
                .map_or(at, |w| at + w);
            return (cut, true);
        }
        let next = i + c.len_utf8();
        if ends_sentence(text, next) {
            return (next, false);
        }
        if c == '\n' || c == '\r' {
            let e = if c == '\n' && text[..i].ends_with('\r') {
                i - 1
            } else {
                i
            };
            if line_before_is_blank(text, e) || opens_block(text, next) {
                return (next, false);
            }
        }
        at = i;
    }
    (at, false)
}

/// The end of the context of a passage ending at `end`; see [`context_start`].
fn context_end(text: &str, end: usize, reach: usize) -> (usize, bool) {
    if ends_sentence(text, end) {
        return (end, false);
    }
    let mut at = end;
    for (count, (i, c)) in text[end..].char_indices().enumerate() {
        let i = end + i;
        if count >= reach {
            let cut = text[end..at]
                .rfind(char::is_whitespace)
                .map_or(at, |w| end + w);
            return (cut, true);
        }
        let next = i + c.len_utf8();
        if ends_sentence(text, next) {
            return (next, false);
        }
        if (c == '\n' || c == '\r')
            && (line_after_is_blank(text, i) || opens_block(text, after_eol(text, i)))
        {
            return (i, false);
        }
        at = next;
    }
    (at, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cut `text` into sentences with the splitter.
    fn split(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let end = sentence_end(text, at, text.len()).unwrap_or(text.len());
            out.push(text[at..end].trim());
            at = end;
        }
        out
    }

    #[test]
    fn splits_where_sentences_end_and_nowhere_else() {
        let cases: &[(&str, &[&str])] = &[
            ("One. Two! Three? Four", &["One.", "Two!", "Three?", "Four"]),
            (
                "Tariffs rose by U.S. restrictions. Then fell.",
                &["Tariffs rose by U.S. restrictions.", "Then fell."],
            ),
            (
                "Between China and the U.S. The tariffs apply.",
                &["Between China and the U.S.", "The tariffs apply."],
            ),
            (
                "In 2018, the U.S. Congress acted. Later, more.",
                &["In 2018, the U.S. Congress acted.", "Later, more."],
            ),
            (
                "Max J. Zenglein wrote it. J. R. R. Tolkien did not.",
                &["Max J. Zenglein wrote it.", "J. R. R. Tolkien did not."],
            ),
            (
                "Growth was 3.5 percent. Mr. Li and Dr. Wang agreed, e.g. on pay.",
                &[
                    "Growth was 3.5 percent.",
                    "Mr. Li and Dr. Wang agreed, e.g. on pay.",
                ],
            ),
            (
                "It is ranked No. 2 in the world. Approx. five people came.",
                &[
                    "It is ranked No. 2 in the world.",
                    "Approx. five people came.",
                ],
            ),
            (
                "He said \u{201c}stop.\u{201d} Then he left.",
                &["He said \u{201c}stop.\u{201d}", "Then he left."],
            ),
            ("中国制造。下一句！", &["中国制造。", "下一句！"]),
            ("Wait... and see. Yes.", &["Wait... and see.", "Yes."]),
        ];
        for (text, expected) in cases {
            assert_eq!(&split(text), expected, "splitting {text:?}");
        }
    }

    #[test]
    fn sentence_around_a_range() {
        let text = "First one. The plan was signed by the U.S. Trade Representative in May. Last.";
        let s = text.find("signed").unwrap();
        let r = sentence_around(text, TextRange::new(s, s + "signed".len()));
        assert_eq!(
            &text[r.to_range()],
            "The plan was signed by the U.S. Trade Representative in May."
        );
        // A range that already ends a sentence keeps its end.
        let e = text.find("May.").unwrap() + 4;
        let r = sentence_around(text, TextRange::new(s, e));
        assert_eq!(r.end(), e);
        // No boundary: the whole text.
        let r = sentence_around("no marks here", TextRange::new(3, 5));
        assert_eq!(r, TextRange::new(0, 13));
    }

    #[test]
    fn starts_and_ends_respect_their_bounds() {
        let text = "One. Two three. Four.";
        assert_eq!(sentence_start(text, 9, 0), Some(5));
        assert_eq!(sentence_start(text, 9, 6), None);
        assert_eq!(sentence_start(text, 2, 0), None);
        assert_eq!(sentence_end(text, 5, text.len()), Some(15));
        assert_eq!(sentence_end(text, 5, 10), None);
        // At a boundary, the next sentence's end.
        assert_eq!(sentence_end(text, 4, text.len()), Some(15));
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// A sentence ends only after a final mark or a closer, as the module says and
        /// [`may_end_sentence`] lists.
        #[test]
        fn a_sentence_ends_only_after_a_mark_or_a_closer(
            text in "[a-zA-Z .!?\u{3002}\u{ff01}\u{ff1f}\"')\\]}\u{201d}\u{2019}\u{bb}\u{203a}\n\u{2014}]{0,24}"
        ) {
            for (i, c) in text.char_indices() {
                let at = i + c.len_utf8();
                if ends_sentence(&text, at) {
                    proptest::prop_assert!(may_end_sentence(c), "{text:?} ends at {at}");
                }
            }
        }
    }
}
