//! The cited passage in its context: the sentence (or list item, or paragraph) of the source
//! around a quote, cut into the quoted parts and the words between and around them.
//!
//! [`sentence_around`] is the one place this crate decides where a sentence starts and ends. It
//! asks the workspace's one sentence splitter (`mica_sources::sentence`, which does not end a
//! sentence at `U.S.`, initials or decimals) where sentences end, and, as the editor's hover
//! does, never runs context across a blank line, a list item or a heading, nor further than
//! [`CONTEXT_CHARS`] characters.

use mica_sources::sentence::{collapse_whitespace as collapse, passage_context};
use mica_syntax::TextRange;

/// How far the context of a passage reaches on each side, in characters, when no sentence or
/// paragraph ends sooner.
pub const CONTEXT_CHARS: usize = 240;

/// A passage in context, ready to show: pieces of source text, whitespace runs collapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// The pieces in order; `true` marks a quoted part.
    pub pieces: Vec<(String, bool)>,
    /// Whether the context was cut before its sentence started (show `…`).
    pub cut_start: bool,
    /// Whether the context was cut before its sentence ended.
    pub cut_end: bool,
}

impl Passage {
    /// How many quoted parts it marks.
    pub fn marked(&self) -> usize {
        self.pieces.iter().filter(|(_, m)| *m).count()
    }

    /// The passage as plain text with `…` where it was cut.
    pub fn plain(&self) -> String {
        let mut s = String::new();
        if self.cut_start {
            s.push('…');
        }
        for (t, _) in &self.pieces {
            s.push_str(t);
        }
        if self.cut_end {
            s.push('…');
        }
        s
    }
}

/// The passage made of `parts` (byte ranges of `text`, in order) in its sentence.
pub fn passage(text: &str, parts: &[TextRange]) -> Passage {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return Passage {
            pieces: Vec::new(),
            cut_start: false,
            cut_end: false,
        };
    };
    let (around, cut_start, cut_end) = sentence_around(
        text,
        TextRange::new(first.start(), last.end().max(first.start())),
    );
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut push = |s: &str, marked: bool| {
        if s.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some((t, m)) if *m == marked => t.push_str(s),
            _ => pieces.push((s.to_string(), marked)),
        }
    };
    let mut at = around.start();
    for part in parts {
        let s = part.start().clamp(at, around.end());
        let e = part.end().clamp(s, around.end());
        push(&collapse(&text[at..s]), false);
        push(&collapse(&text[s..e]), true);
        at = e;
    }
    push(&collapse(&text[at..around.end()]), false);
    // Trim the outer ends; a marked part never starts or ends with whitespace (matches are
    // trimmed), so this only touches context.
    if let Some((t, _)) = pieces.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some((t, _)) = pieces.last_mut() {
        *t = t.trim_end().to_string();
    }
    // A passage that starts a list item or heading reads as a sentence without its marker.
    if let Some((t, false)) = pieces.first_mut() {
        *t = strip_block_marker(t).to_string();
    }
    pieces.retain(|(t, _)| !t.is_empty());
    Passage {
        pieces,
        cut_start,
        cut_end,
    }
}

/// `text` without a leading list marker (`-`, `*`, `+`, `1.`, `1)`) or heading marks.
fn strip_block_marker(text: &str) -> &str {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if text.starts_with(['-', '*', '+']) {
        &text[1..]
    } else if digits > 0 && text[digits..].starts_with(['.', ')']) {
        &text[digits + 1..]
    } else if text.starts_with('#') {
        text.trim_start_matches('#')
    } else {
        return text;
    };
    if rest.starts_with(' ') {
        rest.trim_start()
    } else {
        text
    }
}

/// The sentence around `range` of `text`: its byte range, and whether it was cut short at
/// either end because the sentence runs on too long.
pub fn sentence_around(text: &str, range: TextRange) -> (TextRange, bool, bool) {
    passage_context(text, range, CONTEXT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str, quotes: &[&str]) -> String {
        let mut parts = Vec::new();
        let mut from = 0;
        for q in quotes {
            let s = from + text[from..].find(q).unwrap();
            parts.push(TextRange::new(s, s + q.len()));
            from = s + q.len();
        }
        let p = passage(text, &parts);
        let mut out = String::new();
        if p.cut_start {
            out.push('…');
        }
        for (t, m) in &p.pieces {
            if *m {
                out.push_str(&format!("<{t}>"));
            } else {
                out.push_str(t);
            }
        }
        if p.cut_end {
            out.push('…');
        }
        out
    }

    #[test]
    fn a_quote_shows_in_its_sentence_across_line_breaks() {
        assert_eq!(
            show(
                "First one. The plan was signed\nby the Premier in May. Later.",
                &["signed\nby the Premier"]
            ),
            "The plan was <signed by the Premier> in May."
        );
    }

    #[test]
    fn elided_parts_are_each_marked() {
        assert_eq!(
            show(
                "Over nine years, the CCP invested more than $300 billion to build 33 centers.",
                &["Over nine years", "33 centers"]
            ),
            "<Over nine years>, the CCP invested more than $300 billion to build <33 centers>."
        );
    }

    #[test]
    fn context_stays_in_its_paragraph_and_list_item() {
        assert_eq!(
            show("Heading\n\nA quote here\n\nNext", &["quote"]),
            "A <quote> here"
        );
        assert_eq!(
            show("Measures:\n* One thing here\n* Two", &["thing"]),
            "One <thing> here"
        );
    }

    #[test]
    fn a_sentence_runs_on_past_abbreviations_initials_and_decimals() {
        assert_eq!(
            show(
                "Intro. Foreign direct investment in China has declined, as U.S. firms left. Next.",
                &["Foreign direct investment"]
            ),
            "<Foreign direct investment> in China has declined, as U.S. firms left."
        );
        assert_eq!(
            show("A. B. Smith wrote 3.5 pages on it. Then.", &["wrote"]),
            "A. B. Smith <wrote> 3.5 pages on it."
        );
    }

    #[test]
    fn long_context_is_cut_at_words() {
        let long = "word ".repeat(100);
        let s = show(&format!("{long}QUOTE {long}"), &["QUOTE"]);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<QUOTE>"));
    }
}
