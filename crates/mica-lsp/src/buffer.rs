//! An open document's text as the server holds it: one string, shared with the analysis made
//! from it, and the line index that turns the client's positions into byte offsets, both edited
//! in place as the client types.
//!
//! There is no other copy. The analysis of the current text holds the same string (an `Arc`),
//! and the server drops that analysis before an edit when nothing else holds it, so an edit
//! moves bytes within one string; while a request still reads the last analysis, the edit
//! copies the text first (copy-on-write). The server used to keep a rope next to a string kept
//! in step with it: two copies of every open document.

use crate::convert::{self, Encoding};
use mica_ide::TextChange;
use mica_syntax::LineIndex;
use std::sync::Arc;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

/// The text of an open document and its lines.
#[derive(Debug)]
pub struct Buffer {
    text: Arc<String>,
    lines: LineIndex,
}

impl Buffer {
    /// The buffer of a document opened with `text`.
    pub fn new(text: String) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            text: Arc::new(text),
            lines,
        }
    }

    /// The text, shared: an analysis takes it without a copy.
    pub fn text(&self) -> &Arc<String> {
        &self.text
    }

    /// The index of its lines.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Apply one content change (a range replacement, or the whole text), with positions in
    /// `enc`; the bytes it replaced, or `None` when it left the text as it was. A range given
    /// backwards is turned round, and positions past a line's end or the last line clamp, as
    /// [`convert::offset`] does.
    pub fn apply(
        &mut self,
        change: &TextDocumentContentChangeEvent,
        enc: Encoding,
    ) -> Option<TextChange> {
        let Some(r) = change.range else {
            // Compared with the text it replaces: a client that sends whole texts most often
            // changed a few bytes of a large one, and the analysis then reads only those.
            let old = std::mem::replace(self, Buffer::new(change.text.clone()));
            return TextChange::between(&old.text, &self.text);
        };
        let a = convert::offset(&self.text, &self.lines, r.start, enc);
        let b = convert::offset(&self.text, &self.lines, r.end, enc);
        let (lo, hi) = (a.min(b), a.max(b));
        let text = Arc::make_mut(&mut self.text);
        splice(text, lo..hi, &change.text);
        self.lines.edit(text, lo, hi, lo + change.text.len());
        Some(TextChange::replace(lo, hi, change.text.len()))
    }
}

/// Replace `range` of `text` with `with`, as [`String::replace_range`] does, growing `text` by
/// a sixty-fourth of its length when it is full rather than doubling it: a large document's
/// text starts exactly as long as it is, and its first typed character would otherwise take
/// room for a second copy of it for the rest of the session.
fn splice(text: &mut String, range: std::ops::Range<usize>, with: &str) {
    let grows = with.len().saturating_sub(range.len());
    if text.capacity() - text.len() < grows {
        text.reserve_exact(grows.max(text.len() / 64));
    }
    text.replace_range(range, with);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, t: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: t.into(),
        }
    }

    /// A full string grows by a little when typed into, not by its own length, and edits of
    /// every kind give what `replace_range` gives.
    #[test]
    fn a_spliced_text_grows_by_little() {
        let mut text = String::with_capacity(64 * 1024);
        text.push_str(&"a".repeat(64 * 1024));
        splice(&mut text, 10..10, "x");
        assert_eq!(text.len(), 64 * 1024 + 1);
        assert!(text.capacity() <= 65 * 1024, "{}", text.capacity());
        for (range, with) in [(0..3, ""), (5..6, "long replacement"), (0..0, "é")] {
            let mut expected = text.clone();
            expected.replace_range(range.clone(), with);
            splice(&mut text, range, with);
            assert_eq!(text, expected);
        }
    }

    /// Edits in both encodings, backwards and clamped ranges, line endings typed and removed:
    /// the text is what the edits make, and the line index equals one built from scratch.
    #[test]
    fn edits_apply_in_both_encodings_and_keep_the_lines() {
        let mut b = Buffer::new("a😀b\r\nline two\n中x".into());
        let e = b.apply(&change(0, 3, 0, 4, "B"), Encoding::Utf16);
        assert_eq!(b.text().as_str(), "a😀B\r\nline two\n中x");
        assert_eq!(e, Some(TextChange::replace(5, 6, 1)));
        b.apply(&change(2, 3, 2, 4, "X"), Encoding::Utf8);
        assert_eq!(b.text().as_str(), "a😀B\r\nline two\n中X");
        // Backwards, and across the `\r\n`: one line fewer.
        b.apply(&change(1, 0, 0, 99, " "), Encoding::Utf16);
        assert_eq!(b.text().as_str(), "a😀B line two\n中X");
        // Past the last line: appended at the end, with new lines.
        b.apply(&change(9, 0, 9, 0, "\r\nend\r"), Encoding::Utf16);
        assert_eq!(b.text().as_str(), "a😀B line two\n中X\r\nend\r");
        assert_eq!(*b.lines(), LineIndex::new(b.text()));
        assert!(b.lines().columns_hold(b.text()));
        // A whole text: the bytes that differ from the text it replaces, so that the
        // analysis reads only those; none when it is the same text again.
        let whole = |t: &str| TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: t.into(),
        };
        assert_eq!(
            b.apply(&whole("a😀B line 2\n中X\r\nend\r"), Encoding::Utf16),
            Some(TextChange::replace(12, 15, 1))
        );
        assert_eq!(
            b.apply(&whole("a😀B line 2\n中X\r\nend\r"), Encoding::Utf8),
            None
        );
        assert_eq!(
            b.apply(&whole("new\ntext"), Encoding::Utf16),
            Some(TextChange::replace(0, 24, 8))
        );
        assert_eq!(b.text().as_str(), "new\ntext");
        assert_eq!(*b.lines(), LineIndex::new("new\ntext"));
    }

    #[test]
    fn replaced_bytes_are_reported_and_hostile_ranges_clamp() {
        let mut b = Buffer::new("中文😀x\r\nsecond\rthird".into());
        // The bytes replaced: the four of the emoji, at byte 6.
        let replaced = b.apply(&change(0, 2, 0, 4, "🎉"), Encoding::Utf16);
        assert_eq!(replaced, Some(TextChange::replace(6, 10, 4)));
        assert_eq!(b.text().as_str(), "中文🎉x\r\nsecond\rthird");
        b.apply(&change(2, 0, 2, 5, "3rd"), Encoding::Utf16);
        assert_eq!(b.text().as_str(), "中文🎉x\r\nsecond\r3rd");
        let mut b = Buffer::new("中文😀x\nb".into());
        b.apply(&change(0, 6, 0, 10, ""), Encoding::Utf8);
        assert_eq!(b.text().as_str(), "中文x\nb");
        // A backwards range and a range far past the end do not panic.
        b.apply(&change(9, 9, 0, 3, "!"), Encoding::Utf8);
        assert_eq!(b.text().as_str(), "中!");
        b.apply(
            &change(u32::MAX, u32::MAX, u32::MAX, 0, "?"),
            Encoding::Utf16,
        );
        assert_eq!(b.text().as_str(), "中!?");
        assert_eq!(*b.lines(), LineIndex::new(b.text()));
        assert!(b.lines().columns_hold(b.text()));
    }

    /// While an analysis still holds the text, an edit copies it and leaves the analysis' text
    /// as it was; once nothing else holds it, the edit is made in place.
    #[test]
    fn an_edit_copies_the_text_only_while_it_is_shared() {
        let mut b = Buffer::new("shared text".into());
        let held = Arc::clone(b.text());
        b.apply(&change(0, 0, 0, 6, "own"), Encoding::Utf8);
        assert_eq!(held.as_str(), "shared text");
        assert_eq!(b.text().as_str(), "own text");
        drop(held);
        let before = Arc::as_ptr(b.text());
        b.apply(&change(0, 3, 0, 3, "ed"), Encoding::Utf8);
        assert_eq!(b.text().as_str(), "owned text");
        assert_eq!(Arc::as_ptr(b.text()), before);
    }
}
