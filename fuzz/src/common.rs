//! Helpers shared by the fuzz targets and by the proptests that run the same properties under
//! `cargo test` on stable: edits clamped to character boundaries and range checks.

use mica_syntax::{Parse, TextRange};

/// The largest char boundary of `s` at or before `i`.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Replace up to `delete` bytes at `at` (both clamped to character boundaries) with `insert`.
pub fn apply_edit(text: &mut String, at: usize, delete: usize, insert: &str) {
    let start = floor_boundary(text, at % (text.len() + 1));
    let end = floor_boundary(text, start.saturating_add(delete));
    text.replace_range(start..end, insert);
}

/// Panic unless `range` lies inside `text` on character boundaries.
pub fn assert_in(text: &str, range: TextRange, what: &str) {
    assert!(
        range.start() <= range.end()
            && range.end() <= text.len()
            && text.is_char_boundary(range.start())
            && text.is_char_boundary(range.end()),
        "{what} range {range:?} is not a valid range of a text of {} bytes",
        text.len()
    );
}

/// Panic unless every range of the parse lies inside `text` on character boundaries.
pub fn assert_parse_ranges(text: &str, p: &Parse) {
    for e in &p.errors {
        assert_in(text, e.range, "syntax error");
    }
    let doc = &p.document;
    if let Some(fm) = &doc.front_matter {
        assert_in(text, fm.range, "front matter");
        for e in &fm.entries {
            assert_in(text, e.key.range, "front matter key");
            assert_in(text, e.value_range, "front matter value");
        }
    }
    for h in &doc.headings {
        assert_in(text, h.range, "heading");
    }
    for c in &doc.comments {
        assert_in(text, *c, "comment");
    }
    for s in &doc.sources {
        assert_in(text, s.range, "source declaration");
        for a in &s.attrs {
            assert_in(text, a.range(), "source attribute");
            assert_in(text, a.value.range, "source attribute value");
        }
    }
    // Claims do not nest or overlap and come in document order: editors find the claim at
    // a position by binary search.
    for w in doc.claims.windows(2) {
        assert!(
            w[0].range().end() <= w[1].range().start(),
            "claims out of order or overlapping: {:?} then {:?}",
            w[0].range(),
            w[1].range()
        );
    }
    for c in &doc.claims {
        assert_in(text, c.range(), "claim");
        assert_in(text, c.text_range, "claim text");
        assert_in(text, c.attrs_range, "attribute list");
        for a in &c.attrs {
            assert_in(text, a.range(), "attribute");
            assert_in(text, a.key.range, "attribute key");
            assert_in(text, a.value.range, "attribute value");
        }
        for cite in c.citations() {
            assert_in(text, cite.range, "citation");
            if let Some(q) = &cite.quote {
                assert_in(text, q.range, "quote");
            }
        }
    }
}
