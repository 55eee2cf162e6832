//! Markdown for hovers: escaping, code blocks, and a source passage shown in its context with
//! the quoted words in bold.

use mica_sources::SourceFile;
use mica_sources::sentence::{collapse_whitespace as collapse, passage_context};
use mica_syntax::TextRange;

/// How far the context of a passage reaches on each side, in characters, when no sentence or
/// paragraph ends sooner.
const CONTEXT_CHARS: usize = 200;

/// `text` with Markdown's punctuation escaped, so that a source's words show as written.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '{' | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A diagnostic message as Markdown: its `code spans` are kept, other punctuation escaped.
pub(crate) fn message(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_string()
            } else {
                escape(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Inline code that shows `text` verbatim, whatever backticks it holds.
pub(crate) fn code(text: &str) -> String {
    let longest = longest_run(text, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A fenced code block showing `text` verbatim.
pub(crate) fn code_block(text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!(
        "{fence}text\n{}\n{fence}",
        text.trim_end_matches(['\n', '\r'])
    )
}

fn longest_run(text: &str, ch: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// The passage made of `parts` (byte ranges of `source`, in order) in its context, as one
/// Markdown paragraph with the parts in bold.
pub(crate) fn passage_in_context(source: &SourceFile, parts: &[TextRange]) -> String {
    let text = source.text();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return String::new();
    };
    let (around, cut_start, cut_end) = passage_context(
        text,
        TextRange::new(first.start(), last.end().max(first.start())),
        CONTEXT_CHARS,
    );
    let (start, end) = (around.start(), around.end());
    let mut out = String::new();
    if cut_start {
        out.push('…');
    }
    let mut at = start;
    for part in parts {
        let (s, e) = (part.start().clamp(at, end), part.end().clamp(at, end));
        out.push_str(&escape(&collapse(&text[at..s])));
        let inner = collapse(&text[s..e]);
        let trimmed = inner.trim();
        if inner.starts_with(' ') {
            out.push(' ');
        }
        if !trimmed.is_empty() {
            out.push_str("**");
            out.push_str(&escape(trimmed));
            out.push_str("**");
        }
        if inner.ends_with(' ') && inner.len() > 1 {
            out.push(' ');
        }
        at = e;
    }
    out.push_str(&escape(&collapse(&text[at..end])));
    if cut_end {
        out.push('…');
    }
    let out = out.trim();
    // A passage that starts like a list item must not render as one inside the quote block.
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if out.starts_with(['-', '+']) || (digits > 0 && out[digits..].starts_with(['.', ')'])) {
        let at = if digits > 0 { digits } else { 0 };
        format!("{}\\{}", &out[..at], &out[at..])
    } else {
        out.to_string()
    }
}

/// Up to `max` lines of `text` from line `first` (0-based), for a hover's code block.
pub(crate) fn lines_excerpt(source: &SourceFile, range: TextRange, max: usize) -> String {
    let text = source.text();
    let lines = source.lines();
    let a = lines.line_of(range.start());
    let b = lines.line_of(range.end().saturating_sub(1).max(range.start()));
    let mut out = String::new();
    for line in a..=b.min(a + max.saturating_sub(1)) {
        if let Some(r) = lines.line_content_range(text, line) {
            out.push_str(&text[r.to_range()]);
            out.push('\n');
        }
    }
    if b >= a + max {
        out.push_str(&format!("… ({} more lines)\n", b + 1 - (a + max)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile::new("s.txt", text.to_string())
    }

    fn context(text: &str, quote: &str) -> String {
        let s = source(text);
        let start = text.find(quote).unwrap();
        passage_in_context(&s, &[TextRange::new(start, start + quote.len())])
    }

    #[test]
    fn a_quote_shows_in_its_sentence() {
        let text = "First sentence here. The plan was signed\nby the Premier in May. Later text.";
        assert_eq!(
            context(text, "signed\nby the Premier"),
            "The plan was **signed by the Premier** in May."
        );
    }

    #[test]
    fn a_sentence_goes_on_past_abbreviations_and_initials() {
        // Seed 002: the hover once ended at "U.S." and started after "J.".
        let seed = include_str!("../../../seeds/002_ea804cd81d83a2a9.txt");
        let c = context(seed, "might not even be slowed");
        assert_eq!(
            c,
            "… Posen, president of the Peterson Institute for International Economics and a researcher for various governments and central banks, cautions that “China’s technological rise will not be stymied, and **might not even be slowed**, by U.S. restrictions,” except for those “draconian measures” that could simultaneously hinder innovation in the U.S. and globally."
        );
        let seed = include_str!("../../../seeds/001_59eed631941b965d.txt");
        assert_eq!(
            context(seed, "Zenglein"),
            "Beijing wants to become a manufacturing powerhouse in all sectors, say Alexander Brown and Max J. **Zenglein**."
        );
    }

    #[test]
    fn context_stops_at_a_paragraph_break_and_escapes_markdown() {
        let text = "Heading *one*\n\nA [link] and *stars* here\n\nNext";
        assert_eq!(
            context(text, "stars"),
            "A \\[link\\] and \\***stars**\\* here"
        );
    }

    #[test]
    fn context_stays_within_its_list_item_and_never_renders_as_a_list() {
        let text = "Measures:\n* Incentives for mergers of foreign technology companies\n* More R&D funding\n1. Building centers (40 by 2025)\n2. Next item";
        assert_eq!(
            context(text, "mergers of foreign"),
            "\\* Incentives for **mergers of foreign** technology companies"
        );
        assert_eq!(
            context(text, "Building centers"),
            "**Building centers** (40 by 2025)"
        );
        let text = "Objectives:\n- Global Competitiveness: Enhance the competitiveness of firms.\n";
        assert_eq!(
            context(text, "Enhance the competitiveness"),
            "\\- Global Competitiveness: **Enhance the competitiveness** of firms."
        );
    }

    #[test]
    fn long_context_is_cut_at_words() {
        let long = "word ".repeat(100);
        let text = format!("{long}QUOTE{long}");
        let c = context(&text, "QUOTE");
        assert!(c.starts_with('…') && c.ends_with('…'), "{c}");
        assert!(c.contains("**QUOTE**"));
        assert!(c.chars().count() < 2 * CONTEXT_CHARS + 40, "{}", c.len());
    }

    #[test]
    fn elided_parts_are_each_in_bold() {
        let text = "Over nine years, the CCP invested more than $300 billion to build 33 centers.";
        let s = source(text);
        let a = text.find("Over nine years").unwrap();
        let b = text.find("33 centers").unwrap();
        let md = passage_in_context(&s, &[TextRange::new(a, a + 15), TextRange::new(b, b + 10)]);
        assert_eq!(
            md,
            "**Over nine years**, the CCP invested more than $300 billion to build **33 centers**."
        );
    }

    #[test]
    fn code_survives_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert!(code_block("x ``` y").starts_with("````text"));
    }
}
