//! The parser property: parsing never panics, every range lies on character boundaries of the
//! input, and the server's paragraph-wise re-parse gives exactly the whole parse after every
//! edit. Slow inputs (anything worse than linear) show up as libFuzzer timeouts.

use super::common::{apply_edit, assert_parse_ranges};
use arbitrary::Arbitrary;
use mica_ide::ParseCache;
use mica_syntax::parse;

/// A text and edits to apply to it one after the other.
#[derive(Arbitrary, Debug)]
pub struct Edits {
    /// The starting text.
    pub text: String,
    /// Edits: byte offset, bytes to delete, text to insert (clamped to characters).
    pub edits: Vec<(u16, u8, String)>,
}

/// The property.
pub fn parse_edits(input: Edits) {
    let mut text = input.text;
    let mut cache = ParseCache::new();
    let whole = parse(&text);
    assert_parse_ranges(&text, &whole);
    assert_eq!(*cache.parse(&text).0, whole, "paragraph-wise parse differs");
    for (at, delete, insert) in input.edits.into_iter().take(16) {
        apply_edit(&mut text, at.into(), delete.into(), &insert);
        let whole = parse(&text);
        assert_parse_ranges(&text, &whole);
        assert_eq!(
            *cache.parse(&text).0,
            whole,
            "paragraph-wise parse differs after an edit"
        );
    }
}
