//! Escaping for the medium a report goes to. Text from a document (a quote, an id, a file
//! name) must never reach a terminal or a CI log raw: an escape sequence could recolour, move
//! the cursor, rewrite earlier lines or hide output, and bidirectional controls could reorder
//! what is read.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not be printed as it is. Tabs and line endings are handled by the callers
/// (a snippet keeps its lines; a message escapes them).
fn is_hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'
                ..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `s` holds a character [`is_hostile`] names, read from its UTF-8 bytes without
/// decoding characters: eight plain ASCII bytes at a time are passed at once, and a lead
/// byte 0xC2, 0xD8 or 0xE2 is looked at with the bytes after it (a curly quote or a dash is
/// not hostile; a C1 control, U+061C, U+2028/2029 and the bidirectional controls are). An
/// exhaustive test over every character checks it against [`is_hostile`].
fn any_hostile(s: &str) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            // No byte with the high bit, none below 0x20, none equal to 0x7F.
            let below_space = w.wrapping_sub(0x20 * LOW) & !w & HIGH;
            let del = (w ^ (0x7f * LOW)).wrapping_sub(LOW) & !(w ^ (0x7f * LOW)) & HIGH;
            if (w & HIGH) | below_space | del == 0 {
                i += 8;
                continue;
            }
        }
        let hostile = match b[i] {
            b'\t' | b'\n' | b'\r' => false,
            0..=0x1f | 0x7f => true,
            0xc2 => (0x80..=0x9f).contains(&at(i + 1)),
            0xd8 => at(i + 1) == 0x9c,
            0xe2 => matches!(
                (at(i + 1), at(i + 2)),
                (0x80, 0x8e | 0x8f | 0xa8..=0xae) | (0x81, 0xa6..=0xa9)
            ),
            _ => false,
        };
        if hostile {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `s` may hold a hostile character or a line break (a byte below 0x20, DEL, or a
/// lead byte of one of the hostile characters): a quick test before decoding.
fn may_be_hostile(s: &str) -> bool {
    s.bytes()
        .any(|b| matches!(b, 0..=0x1f | 0x7f | 0xc2 | 0xd8 | 0xe2))
}

/// How an escaped character is shown: `\n`, `\r`, or `\u{1b}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// One line of text for a terminal or a log: control characters, line breaks and
/// bidirectional controls are written as visible escapes.
pub fn line(s: &str) -> Cow<'_, str> {
    if !may_be_hostile(s) || !s.chars().any(|c| is_hostile(c) || c == '\n' || c == '\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile(c) || c == '\n' || c == '\r' {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A document's text prepared for a snippet: hostile characters escaped, line endings kept, a
/// leading byte-order mark dropped (editors do not show it, so columns must not count it).
/// The map turns byte offsets of the original text into offsets of the prepared one.
pub struct Snippet<'a> {
    /// The text to print: the original itself when nothing needs escaping.
    pub text: Cow<'a, str>,
    /// `(offset in the original, total change in length up to and including that place)`.
    shifts: Vec<(usize, isize)>,
}

impl<'a> Snippet<'a> {
    /// Prepare `text`; in the usual case (nothing to escape) it is borrowed, not copied.
    pub fn new(text: &'a str) -> Self {
        let bom = text.starts_with('\u{feff}');
        if !bom && !any_hostile(text) {
            return Self {
                text: Cow::Borrowed(text),
                shifts: Vec::new(),
            };
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut shifts = Vec::new();
        let mut total: isize = 0;
        for (i, c) in text.char_indices() {
            if i == 0 && bom {
                total -= c.len_utf8() as isize;
                shifts.push((i, total));
            } else if is_hostile(c) {
                let before = out.len();
                push_escaped(&mut out, c);
                total += (out.len() - before) as isize - c.len_utf8() as isize;
                shifts.push((i, total));
            } else {
                out.push(c);
            }
        }
        Self {
            text: Cow::Owned(out),
            shifts,
        }
    }

    /// The offset in [`Snippet::text`] of `offset` in the original text. An offset at an
    /// escaped character maps to the start of its escape.
    pub fn map(&self, offset: usize) -> usize {
        let k = self.shifts.partition_point(|&(at, _)| at < offset);
        let shift = if k == 0 { 0 } else { self.shifts[k - 1].1 };
        (offset as isize + shift).clamp(0, self.text.len() as isize) as usize
    }
}

/// Text of many lines for a terminal: hostile characters escaped, line endings kept.
pub fn lines(s: &str) -> Cow<'_, str> {
    if !any_hostile(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hostile(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escape the characters JSON leaves raw but terminals may act on (DEL, C1 controls,
/// bidirectional controls) as `\uXXXX`. Valid on serialised JSON: these characters can only
/// occur inside strings, and serde_json already escapes C0 controls.
pub fn json(mut s: String) -> String {
    if any_hostile(&s) {
        let mut out = String::with_capacity(s.len() + 16);
        for c in s.chars() {
            if is_hostile(c) {
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                out.push(c);
            }
        }
        s = out;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_controls() {
        assert_eq!(line("plain"), "plain");
        assert_eq!(
            line("a\u{1b}[31mb\nc\u{202e}"),
            "a\\u{1b}[31mb\\nc\\u{202e}"
        );
    }

    #[test]
    fn many_lines_keep_their_endings() {
        assert_eq!(lines("-a\u{1b}b\r\n+c\n"), "-a\\u{1b}b\r\n+c\n");
    }

    #[test]
    fn snippets_keep_lines_and_map_offsets() {
        let s = Snippet::new("\u{feff}ab\u{1b}c\nd\u{7f}e");
        assert_eq!(s.text, "ab\\u{1b}c\nd\\u{7f}e");
        assert_eq!(s.map(3), 0); // `a` after the BOM
        assert_eq!(s.map(5), 2); // the escape
        assert_eq!(s.map(6), 8); // `c`
        assert_eq!(&s.text[s.map(8)..s.map(9)], "d");
        let plain = Snippet::new("abc");
        assert_eq!((plain.text.as_ref(), plain.map(2)), ("abc", 2));
        // Nothing to escape: the text is borrowed, not copied.
        assert!(matches!(plain.text, Cow::Borrowed(_)));
    }

    #[test]
    fn the_byte_scan_misses_no_hostile_character() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let s: &str = c.encode_utf8(&mut buf);
            assert_eq!(any_hostile(s), is_hostile(c), "{c:?}");
            assert_eq!(
                any_hostile(&format!("0123456789{c}abcdefgh")),
                is_hostile(c)
            );
            if c == '\n' || c == '\r' {
                assert!(may_be_hostile(s));
            }
        }
        // At every place in and across the eight-byte steps.
        for c in [
            '\u{1f}', ' ', '~', '\u{7f}', '\u{80}', '\u{9f}', '\u{a0}', '’', '\u{202e}',
        ] {
            for k in 0..17 {
                let s = format!("{}{c}{}", "a".repeat(k), "b".repeat(17 - k));
                assert_eq!(any_hostile(&s), is_hostile(c), "{c:?} after {k}");
            }
        }
    }

    #[test]
    fn json_escapes_what_serde_leaves() {
        assert_eq!(json("\"a\u{7f}\u{9b}\"".into()), "\"a\\u007f\\u009b\"");
    }
}
