//! Property tests: the normalisation map is exact and monotonic, unit-wise NFKC equals
//! whole-string NFKC, `ascii_words_text` has the words of the normalised text, and lookups
//! never panic.

use mica_sources::{
    LineSpan, QuoteOutcome, QuoteQuery, SourceFile, TextRange, ascii_words_text, normalize,
};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Characters that exercise every rule: ASCII, whitespace of all kinds, mapped punctuation,
/// removed characters, combining marks, conjoining jamo, ligatures, CJK and astral characters.
const ALPHABET: &[char] = &[
    'a', 'b', 'e', 'A', '1', '.', ' ', ' ', '\n', '\r', '\t', '\u{0b}', '\u{a0}', '\u{2009}',
    '\u{202f}', '\u{3000}', '\u{2028}', '\u{85}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}',
    '\u{2032}', '\u{2033}', '\u{2036}', '\u{ff07}', '\u{2014}', '\u{2011}', '\u{2212}', '\u{fe58}',
    '\u{ad}', '\u{200b}', '\u{feff}', '\u{301}', '\u{308}', '\u{323}', '\u{327}', '\u{e9}',
    '\u{1100}', '\u{1161}', '\u{11a8}', '\u{ac00}', '\u{fb01}', '\u{2026}', '\u{ff21}', '\u{b4}',
    '\u{a8}', '\u{f73}', '\u{f71}', '\u{f72}', '中', '国', '😀', '\u{212b}', '\u{2126}',
    '\u{1e9b}', '\u{200d}', '\u{ab}', '\u{b3}', '\u{2078}', '<', '\u{338}',
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..40)
        .prop_map(|chars| chars.into_iter().collect())
}

/// The reference pipeline, on the whole string at once: pre-map, NFKC, post-map, remove,
/// collapse whitespace.
fn reference(text: &str) -> String {
    fn map(c: char) -> Option<char> {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}'
            | '\u{02BC}' | '\u{FF07}' => Some('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{2036}' => {
                Some('"')
            }
            '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => None,
            c if c.is_whitespace() => Some(' '),
            c => Some(c),
        }
    }
    let pre: String = text
        .chars()
        .map(|c| match map(c) {
            Some(m) if m.is_ascii() && m != ' ' => m,
            _ => c,
        })
        .collect();
    let mut out = String::new();
    for c in pre.nfkc().filter_map(map) {
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Mostly ASCII prose with single and repeated whitespace and a few other characters, so the
/// ASCII fast path (8 bytes at a time on long runs) runs long and hands over to the
/// per-character path at every kind of border.
fn prose_strategy() -> impl Strategy<Value = String> {
    let letters = prop::sample::select(&['a', 'b', 'e', 'T', '1', '.', ','][..]);
    let spaces = prop::sample::select(&[' ', '\n', '\r', '\t', '\u{0b}', '\u{0c}'][..]);
    let other = prop::sample::select(ALPHABET);
    prop::collection::vec(
        prop_oneof![24 => letters, 5 => Just(' '), 2 => spaces, 1 => other],
        0..300,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// The ASCII fast path reads eight bytes at a time and stops at the first byte it cannot
/// copy: every kind of such byte, at every place of a long plain run (so at each place in a
/// chunk and just past it), after a plain letter or a space, gives the reference text.
#[test]
fn the_fast_path_stops_at_every_place_of_a_chunk() {
    let specials = [
        "\n", "\t", "\r", "  ", " \n", "\u{e9}", "\u{2019}", "\u{301}", "\u{a0}", "\u{ad}",
        "\u{fb01}", "\u{b3}",
    ];
    for special in specials {
        for at in 0..40 {
            for lead in ["", " "] {
                let plain = "abcdefgh ijklmnopq rstuvwxyz ABCDEFGHIJKL MNOPQRSTUVWXYZ 0123456789";
                let text = format!("{lead}{}{special}{}", &plain[..at], &plain[at..]);
                let n = normalize(&text);
                assert_eq!(n.text, reference(&text), "{text:?}");
                for (i, c) in n.text.char_indices() {
                    let r = n.to_original(TextRange::new(i, i + c.len_utf8()));
                    let back = normalize(&text[r.to_range()]).text;
                    assert!(back.contains(c), "{c:?} at {i} of {text:?}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_ascii_words_text_has_the_normalised_words(text in prose_strategy()) {
        fn words(s: &str) -> Vec<&str> {
            s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect()
        }
        let n = normalize(&text);
        let w = ascii_words_text(&text);
        prop_assert_eq!(words(&n.text), words(&w));
        // ASCII text is read as it is, without a copy.
        prop_assert!(!text.is_ascii() || matches!(w, std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn unit_wise_normalisation_equals_whole_string(text in text_strategy()) {
        prop_assert_eq!(normalize(&text).text, reference(&text));
    }

    #[test]
    fn the_ascii_fast_path_keeps_the_exact_map(text in prose_strategy()) {
        let n = normalize(&text);
        prop_assert_eq!(&n.text, &reference(&text));
        // Every normalised character maps back to an original range that normalises to it
        // (a collapsed run maps to the whole run, which normalises to one space).
        for (i, c) in n.text.char_indices() {
            let r = n.to_original(TextRange::new(i, i + c.len_utf8()));
            let back = normalize(&text[r.to_range()]).text;
            prop_assert!(back.contains(c), "{:?} at {} maps to {:?}", c, i, &text[r.to_range()]);
        }
    }

    #[test]
    fn map_is_monotonic_and_lands_on_char_boundaries(text in text_strategy()) {
        let n = normalize(&text);
        prop_assert_eq!(n.original_len(), text.len());
        let mut prev = 0;
        for (i, _) in n.text.char_indices().chain(std::iter::once((n.text.len(), ' '))) {
            let o = n.original_offset(i);
            prop_assert!(o >= prev, "map goes back at {}: {} < {}", i, o, prev);
            prop_assert!(text.is_char_boundary(o), "offset {} inside a character", o);
            prev = o;
        }
        prop_assert_eq!(n.original_offset(n.text.len()), text.len());
        // Every character's range maps to a non-empty original range on character boundaries,
        // and consecutive characters map to ranges in order.
        let mut last_end = 0;
        for (i, c) in n.text.char_indices() {
            let r = n.to_original(TextRange::new(i, i + c.len_utf8()));
            prop_assert!(r.start() < r.end());
            prop_assert!(text.is_char_boundary(r.start()) && text.is_char_boundary(r.end()));
            prop_assert!(r.start() >= last_end || r.end() <= last_end, "ranges interleave");
            last_end = last_end.max(r.end());
            // from_original inverts the map at the start of every unit.
            prop_assert!(n.from_original(r.start()) <= i);
        }
        // The whole normalised text covers the original from its first kept unit.
        if !n.text.is_empty() {
            let all = n.to_original(TextRange::new(0, n.text.len()));
            prop_assert_eq!(all.end(), text.len());
        }
    }

    #[test]
    fn from_original_is_monotonic(text in text_strategy()) {
        let n = normalize(&text);
        let mut prev = 0;
        for o in 0..=text.len() + 1 {
            let i = n.from_original(o);
            prop_assert!(i >= prev && i <= n.text.len());
            prop_assert!(n.text.is_char_boundary(i));
            prev = i;
        }
    }

    #[test]
    fn lookups_never_panic(
        text in text_strategy(),
        quote in text_strategy(),
        start in 0usize..6,
        len in 0usize..4,
        with_lines in any::<bool>(),
    ) {
        let src = SourceFile::new("p.txt", text.clone());
        let lines = with_lines.then_some(LineSpan { start, end: start + len });
        let outcome = src.find_quote(QuoteQuery { quote: &quote, lines });
        if let QuoteOutcome::Found(m) | QuoteOutcome::OutsideLines(m) = &outcome {
            prop_assert!(m.count >= 1);
            prop_assert!(text.is_char_boundary(m.range.start()) && text.is_char_boundary(m.range.end()));
            for p in &m.parts {
                prop_assert!(m.range.contains_range(*p));
            }
        }
        let _ = src.suggest(&quote, lines);
        let _ = src.complete_quote(&quote, 3);
    }

    #[test]
    fn a_slice_of_the_source_is_always_found(
        chars in prop::collection::vec(prop::sample::select(PLAIN), 0..60),
        a in 0usize..60,
        b in 0usize..60,
    ) {
        // Texts made of characters that are units of their own, so a slice cut at any
        // character boundary normalises to a piece of the normalised source.
        let text: String = chars.iter().collect();
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        let (a, b) = (a.min(b), a.max(b));
        let quote: String = chars[a..b].iter().collect();
        let src = SourceFile::new("p.txt", text.clone());
        let outcome = src.find_quote(QuoteQuery { quote: &quote, lines: None });
        let blank = normalize(&quote).text.chars().all(|c| c == ' ' || c == '.');
        match outcome {
            QuoteOutcome::Found(m) => {
                prop_assert!(m.count >= 1);
                // The match really holds the quote once normalised (it may hold a little more:
                // a quote ending in "." matches the start of a source's "\u{2026}", and the
                // match covers that whole character).
                // Elision markers are looked for after normalisation, which can create one (a
                // soft hyphen between dots is removed: ".\u{ad}.." reads "...").
                if !normalize(&quote).text.contains("...") {
                    let expected = normalize(&quote).text;
                    let matched = normalize(&text[m.range.to_range()]).text;
                    prop_assert!(
                        matched.contains(expected.trim_matches(' ')),
                        "{:?} matched {:?}", quote, matched
                    );
                }
            }
            QuoteOutcome::Empty => prop_assert!(blank, "{:?} called empty", quote),
            other => prop_assert!(false, "{:?} in {:?}: {:?}", quote, text, other),
        }
    }
}

/// Characters that each form a normalisation unit of their own.
const PLAIN: &[char] = &[
    'a', 'b', 'c', ' ', ' ', '.', '\n', '\r', '\t', '\u{a0}', '\u{2009}', '\u{2019}', '\u{201c}',
    '\u{2014}', '\u{2026}', '\u{fb01}', '\u{ad}', '中', '😀',
];
