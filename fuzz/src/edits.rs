//! The server's position conversion and edit application: any sequence of protocol edits
//! (positions anywhere, UTF-8 or UTF-16 columns, backwards ranges, whole replacements) applied
//! to the server's buffer (its string edited in place, its line index updated around each
//! edit) gives the same text and lines as the same edits applied to a fresh string through a
//! line index built from scratch, and positions round-trip to offsets on character boundaries.

use arbitrary::Arbitrary;
use mica_lsp::buffer::Buffer;
use mica_lsp::convert::{Encoding, offset, position, text_range};
use mica_syntax::LineIndex;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// One protocol change.
#[derive(Arbitrary, Debug)]
pub struct Change {
    /// Replace the whole text.
    pub whole: bool,
    /// Start position (line, character).
    pub start: (u8, u8),
    /// End position (line, character), possibly before the start.
    pub end: (u8, u8),
    /// The new text.
    pub text: String,
}

/// A document and the changes a client sends.
#[derive(Arbitrary, Debug)]
pub struct Session {
    /// The opened text.
    pub text: String,
    /// UTF-8 columns if true, else UTF-16.
    pub utf8: bool,
    /// The changes, in order.
    pub changes: Vec<Change>,
}

fn pos((line, character): (u8, u8)) -> Position {
    Position::new(line.into(), character.into())
}

/// The property.
pub fn lsp_edits(input: Session) {
    let enc = if input.utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut buffer = Buffer::new(input.text.clone());
    let mut text = input.text;
    for change in input.changes.into_iter().take(32) {
        let range = (!change.whole).then(|| Range::new(pos(change.start), pos(change.end)));
        let event = TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: change.text.clone(),
        };
        buffer.apply(&event, enc);
        match range {
            None => text = change.text,
            Some(r) => {
                let lines = LineIndex::new(&text);
                let t = text_range(&text, &lines, r, enc);
                assert!(text.is_char_boundary(t.start()) && text.is_char_boundary(t.end()));
                text.replace_range(t.start().min(t.end())..t.start().max(t.end()), &change.text);
            }
        }
        assert_eq!(
            buffer.text().as_str(),
            text,
            "buffer and string disagree after {event:?}"
        );
        let lines = LineIndex::new(&text);
        assert_eq!(*buffer.lines(), lines, "the buffer's lines after {event:?}");
        assert!(
            buffer.lines().columns_hold(&text),
            "the buffer's columns after {event:?}"
        );
        for p in [pos(change.start), pos(change.end)] {
            let o = offset(&text, &lines, p, enc);
            assert!(o <= text.len() && text.is_char_boundary(o));
            let edited = offset(&text, buffer.lines(), p, enc);
            assert_eq!(edited, o, "the buffer's lines convert {p:?} elsewhere");
            let back = position(&text, &lines, o, enc);
            assert_eq!(position(&text, buffer.lines(), o, enc), back);
            assert_eq!(offset(&text, &lines, back, enc), o, "position round trip");
        }
    }
}
