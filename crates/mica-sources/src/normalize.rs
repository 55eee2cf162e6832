//! Normalisation of source and quote text, with an exact map from normalised bytes back to the original.
//!
//! Both a source and a quote are normalised the same way before they are compared:
//!
//! 1. Unicode NFKC (so `…` becomes `...`, `ﬁ` becomes `fi`, full-width `Ａ` becomes `A`, a no-break
//!    space becomes a space).
//! 2. Typographic quote marks and dashes become their ASCII forms. This mapping is applied before
//!    NFKC (so that U+2033 becomes one `"` rather than the two primes NFKC would make of it) and
//!    again after it (for compatibility forms such as U+FE58, a small em dash):
//!    - `'` for U+2018 U+2019 U+201A U+201B (curly single quotes), U+2032 (prime), U+2035
//!      (reversed prime), U+02BC (modifier apostrophe) and U+FF07 (full-width apostrophe);
//!    - `"` for U+201C U+201D U+201E U+201F (curly double quotes), U+2033 (double prime) and
//!      U+2036 (reversed double prime). Guillemets (`«` `»`, `‹` `›`) are *not* mapped: they are
//!      distinct punctuation in the languages that use them, and a quote copied from such a
//!      text keeps them;
//!    - `-` for U+2010..=U+2015 (hyphen, non-breaking hyphen, figure dash, en dash, em dash,
//!      horizontal bar) and U+2212 (minus sign), because people type `-` for all of these and
//!      a figure such as `−3%` must match `-3%`.
//! 3. Invisible formatting characters that only affect layout are removed: U+00AD (soft hyphen),
//!    U+200B (zero-width space), U+2060 (word joiner) and U+FEFF (byte order mark). The joiners
//!    U+200C and U+200D are kept because they change how some scripts and emoji read.
//! 4. Every run of whitespace (any character with the Unicode `White_Space` property: spaces,
//!    tabs, `\n`, `\r`, U+00A0, U+2009, U+202F, U+2028, ...) becomes one ASCII space.
//!
//! Matching is case-sensitive; nothing here folds case.
//!
//! # The byte map
//!
//! The text is cut into *units* that are normalised independently: a unit is a character that
//! starts a fresh normalisation context plus the characters that may interact with it (combining
//! marks, conjoining Hangul jamo, anything NFKC could reorder or compose with it). A character
//! `c` starts a unit when it is ASCII, or when it has canonical combining class 0 and the first
//! character of its compatibility decomposition has combining class 0 and `NFKC_Quick_Check=Yes`
//! (so it can neither be reordered with nor composed onto what precedes it). This is the
//! normalisation-boundary rule of UAX #15, so normalising unit by unit gives exactly the same
//! text as normalising the whole string at once (a property test checks this).
//!
//! Each normalised byte maps back to the original: a unit copied unchanged maps byte for byte,
//! and a unit that changed (a ligature, `’`, a decomposed accent) maps as a whole, so a match can
//! never start or end inside an original character. A collapsed whitespace run is one unit: its
//! single space maps to the whole original run. A removed invisible character is attached to the
//! unit before it.
//!
//! Length: about 580 lines of code and 120 of tests: the exact path, the ASCII fast path, the
//! byte map and `ascii_words_text` (which must agree with the unit rule) change together, so
//! they stay in one file.

use mica_syntax::TextRange;
use std::borrow::Cow;
use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalised text plus the map from its bytes back to the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// Where each stretch of normalised bytes comes from, sorted by both offsets. The last
    /// anchor is a sentinel at `(text.len(), original length)`.
    anchors: Vec<Anchor>,
}

/// The start of a stretch of normalised bytes whose origin follows one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchor {
    /// First normalised byte of the stretch.
    norm: usize,
    /// Original byte where it comes from.
    orig: usize,
    /// `true`: byte `norm + k` comes from original byte `orig + k` (text copied unchanged).
    /// `false`: the whole stretch comes from the original unit `orig..next.orig`.
    linear: bool,
}

impl Normalized {
    /// The length of the original text.
    pub fn original_len(&self) -> usize {
        self.anchors.last().map_or(0, |a| a.orig)
    }

    /// The original byte offset that normalised byte `offset` comes from (for `text.len()`, the
    /// original length). An offset inside a changed unit maps to the unit's start.
    pub fn original_offset(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let a = self.anchors[self.anchor_at(offset)];
        if a.linear {
            a.orig + (offset - a.norm)
        } else {
            a.orig
        }
    }

    /// The original range that normalised range `r` comes from. Both ends must lie on character
    /// boundaries of the normalised text (every range the matcher produces does); the result then
    /// lies on character boundaries of the original and covers every unit `r` touches.
    pub fn to_original(&self, r: TextRange) -> TextRange {
        let len = self.text.len();
        let (start, end) = (r.start().min(len), r.end().min(len));
        let orig_start = self.original_offset(start);
        if end <= start {
            return TextRange::empty(orig_start);
        }
        // The end is the end of the unit holding the last byte of the range.
        let i = self.anchor_at(end - 1);
        let a = self.anchors[i];
        let orig_end = if a.linear {
            a.orig + (end - a.norm)
        } else {
            self.anchors[i + 1].orig
        };
        TextRange::new(orig_start, orig_end)
    }

    /// The first normalised offset whose unit starts at or after original byte `offset`.
    /// Offsets past the end map to `text.len()`.
    pub fn from_original(&self, offset: usize) -> usize {
        let idx = self.anchors.partition_point(|a| a.orig <= offset);
        if idx == 0 {
            return 0;
        }
        let i = idx - 1;
        let a = self.anchors[i];
        let Some(next) = self.anchors.get(i + 1) else {
            return self.text.len();
        };
        if a.linear {
            let delta = offset - a.orig;
            if delta < next.norm - a.norm {
                let mut n = a.norm + delta;
                while !self.text.is_char_boundary(n) {
                    n += 1;
                }
                return n;
            }
            next.norm
        } else if offset == a.orig {
            a.norm
        } else {
            next.norm
        }
    }

    /// The index of the anchor whose stretch holds normalised byte `offset`.
    fn anchor_at(&self, offset: usize) -> usize {
        self.anchors
            .partition_point(|a| a.norm <= offset)
            .saturating_sub(1)
    }
}

/// A text whose words are those of `normalize(text)`, in the same order, where a word is a
/// maximal run of ASCII letters and digits; a search for such words may read it instead of
/// normalising the whole text.
///
/// It is `text` itself when every character outside ASCII keeps the words (see below), as all
/// ASCII text does. Otherwise it is a copy in which each stretch around a character that does
/// not keep them is replaced by the stretch's normalisation. A stretch runs from just after the
/// last ASCII whitespace byte before that character to just before the next one after it: an
/// ASCII byte starts a normalisation unit, and a unit that starts with whitespace cannot join
/// the letters before it, so the words of the stretches and of the bytes between them are the
/// words of the whole normalised text. Only the characters outside ASCII are read one by one.
///
/// A character keeps the words when it starts a normalisation unit of its own (so it cannot
/// compose with an ASCII letter before it, as a combining accent does) and normalises to
/// something non-empty without an ASCII letter or digit (unlike `ﬁ`, `³`, a full-width `Ａ`, or
/// a removed soft hyphen).
pub fn ascii_words_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // What each character outside ASCII was found to do, in a small direct-mapped cache (a
    // text uses few such characters, each many times); `'\0'` marks an empty slot.
    let mut seen = [('\0', false); 64];
    let mut out: Option<String> = None;
    // `text[..copied]` is accounted for in `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip ASCII eight bytes at a time.
        while let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if word & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            i += 8;
        }
        let Some(&b) = bytes.get(i) else { break };
        if b.is_ascii() {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        let at = i;
        i += c.len_utf8();
        let slot = &mut seen[c as usize % 64];
        if slot.0 != c {
            let mut buf = [0u8; 4];
            let n = normalize(c.encode_utf8(&mut buf)).text;
            let keeps =
                starts_unit(c) && !n.is_empty() && !n.bytes().any(|b| b.is_ascii_alphanumeric());
            *slot = (c, keeps);
        }
        let keeps = slot.1;
        if keeps {
            continue;
        }
        let start = bytes[copied..at]
            .iter()
            .rposition(|&b| is_ascii_space(b))
            .map_or(copied, |p| copied + p + 1);
        let end = bytes[i..]
            .iter()
            .position(|&b| is_ascii_space(b))
            .map_or(bytes.len(), |p| i + p);
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..start]);
        out.push_str(&normalize(&text[start..end]).text);
        copied = end;
        i = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Normalise `text` (see the module documentation for the exact rules).
pub fn normalize(text: &str) -> Normalized {
    let mut b = Builder {
        out: Vec::with_capacity(text.len()),
        anchors: Vec::new(),
        last_unit: None,
        unit_buf: String::new(),
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Fast path: a run of ASCII in which every whitespace byte stands alone between two
        // other characters. Each such byte becomes one space, byte for byte, so the whole run
        // is one linear stretch of the map. The run stops before a whitespace byte that starts
        // a longer run (or follows a space already written), and leaves out its last character
        // when a non-ASCII character follows, which might be a combining mark of its unit.
        let (run, spaces) = ascii_run(bytes, i, b.last_is_space());
        if run > i {
            b.copy_ascii_run(i, &bytes[i..run], spaces);
            i = run;
            continue;
        }
        let byte = bytes[i];
        if byte < 0x80 && bytes.get(i + 1).is_none_or(|&n| n < 0x80) {
            // An ASCII character followed by ASCII (or the end) is a unit of its own.
            if is_ascii_space(byte) {
                b.space(i, i + 1);
            } else {
                b.copy(i, &bytes[i..i + 1]);
            }
            i += 1;
            continue;
        }
        let first = text[i..].chars().next().unwrap_or_default();
        let mut end = i + first.len_utf8();
        for c in text[end..].chars() {
            if starts_unit(c) {
                break;
            }
            end += c.len_utf8();
        }
        b.unit(i, &text[i..end]);
        i = end;
    }
    b.finish(text.len())
}

/// How each ASCII byte takes part in the fast path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Copied as it is.
    Plain,
    /// A `White_Space` byte: one space.
    Space,
    /// Not ASCII: the fast path stops.
    Other,
}

/// The class of every byte, so the fast loop does one load per byte.
static CLASS: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut b = 0;
    while b < 0x80 {
        t[b] = match b as u8 {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => Class::Space,
            _ => Class::Plain,
        };
        b += 1;
    }
    t
};

/// Which whitespace other than `' '` a fast-path run holds: none, only `\n`, or others.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RunSpaces {
    Plain,
    Newlines,
    Others,
}

/// The end of the fast-path run starting at `i` (see [`normalize`]; `i` when there is none),
/// and which whitespace in it must become a space.
fn ascii_run(bytes: &[u8], i: usize, after_space: bool) -> (usize, RunSpaces) {
    let mut j = i;
    let mut prev_space = after_space;
    let mut spaces = RunSpaces::Plain;
    loop {
        if !prev_space {
            let k = simple_chunks(bytes, j);
            if k > j {
                j = k;
                prev_space = bytes[j - 1] == b' ';
            }
        }
        let Some(&b) = bytes.get(j) else {
            return (j, spaces);
        };
        match CLASS[b as usize] {
            Class::Plain => prev_space = false,
            Class::Space => {
                let next = bytes.get(j + 1).map(|&n| CLASS[n as usize]);
                if prev_space || next != Some(Class::Plain) {
                    return (j, spaces);
                }
                spaces = spaces.max(match b {
                    b' ' => RunSpaces::Plain,
                    b'\n' => RunSpaces::Newlines,
                    _ => RunSpaces::Others,
                });
                prev_space = true;
            }
            Class::Other => {
                // Leave the last character to the unit that may continue it.
                return (if j > i { j - 1 } else { i }, spaces);
            }
        }
        j += 1;
    }
}

/// Skip 8 bytes at a time from `i` while they hold only printable ASCII and single spaces
/// followed by printable ASCII (checked on the 9 bytes from each chunk's start), so the usual
/// prose line costs a few instructions per 8 bytes. Stops at or before the first byte that is
/// anything else (the first flagged byte of the chunk, which is never past it); the caller
/// goes on byte by byte from there.
fn simple_chunks(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    // Bytes that may be zero: every zero byte is flagged, and a borrow can flag only a byte
    // above a flagged one, so the lowest flag is never past the first zero byte.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    // Bytes at or above 0x80, or below 0x20 (controls, including `\t`, `\n`, `\r`), flagged
    // the same way.
    let rare = |x: u64| (x | x.wrapping_sub(SPACES)) & HIGH;
    while i + 16 <= bytes.len() {
        let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        let n = u64::from_le_bytes(bytes[i + 1..i + 9].try_into().expect("8 bytes"));
        // Byte `k` of `here` flags byte `i + k`; byte `k` of `next` flags byte `i + k + 1`
        // (only its last byte, `i + 8`, is not also flagged in `here`).
        let here = rare(w) | (zero(w ^ SPACES) & zero(n ^ SPACES));
        let next = rare(n);
        if here | next != 0 {
            let first = (here.trailing_zeros() / 8).min(next.trailing_zeros() / 8 + 1);
            return i + first as usize;
        }
        i += 8;
    }
    i
}

/// Collapse every whitespace run of `text` to one space and trim both ends, without any other
/// normalisation; this turns a passage of a source into a one-line quote that still reads as
/// the original.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether an ASCII byte is a `White_Space` character (`\t`, `\n`, `\x0b`, `\x0c`, `\r`, space).
fn is_ascii_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

/// What a single character becomes after NFKC, before whitespace collapsing.
enum Mapped {
    Keep,
    Ascii(u8),
    Space,
    Remove,
}

fn map_char(c: char) -> Mapped {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}'
        | '\u{02BC}' | '\u{FF07}' => Mapped::Ascii(b'\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{2036}' => {
            Mapped::Ascii(b'"')
        }
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Mapped::Ascii(b'-'),
        '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => Mapped::Remove,
        c if c.is_whitespace() => Mapped::Space,
        _ => Mapped::Keep,
    }
}

/// Whether `c` begins a new normalisation unit (see the module documentation).
fn starts_unit(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    if !matches!(map_char(c), Mapped::Keep) {
        // Every mapped character becomes ASCII, a space or nothing, which nothing composes onto;
        // all of them have combining class 0.
        return true;
    }
    if canonical_combining_class(c) != 0 {
        return false;
    }
    let mut lead = None;
    decompose_compatible(c, |d| {
        lead.get_or_insert(d);
    });
    let lead = lead.unwrap_or(c);
    canonical_combining_class(lead) == 0
        && is_nfkc_quick(std::iter::once(lead)) == IsNormalized::Yes
}

struct Builder {
    /// The normalised text so far; always valid UTF-8, since only whole characters and ASCII
    /// are written.
    out: Vec<u8>,
    anchors: Vec<Anchor>,
    /// The last unit that produced output: (normalised start, original start).
    last_unit: Option<(usize, usize)>,
    unit_buf: String,
}

impl Builder {
    fn last_is_space(&self) -> bool {
        self.out.last() == Some(&b' ')
    }

    /// A unit copied unchanged from original offset `orig`.
    fn copy(&mut self, orig: usize, s: &[u8]) {
        let norm = self.out.len();
        let contiguous = self
            .anchors
            .last()
            .is_some_and(|a| a.linear && a.orig + (norm - a.norm) == orig);
        if !contiguous {
            self.push_anchor(Anchor {
                norm,
                orig,
                linear: true,
            });
        }
        self.out.extend_from_slice(s);
        self.last_unit = Some((norm, orig));
    }

    /// A run of ASCII units from original offset `orig` in which each whitespace byte stands
    /// alone and becomes one space (the map stays byte for byte).
    fn copy_ascii_run(&mut self, orig: usize, run: &[u8], spaces: RunSpaces) {
        let norm = self.out.len();
        self.copy(orig, run);
        match spaces {
            RunSpaces::Plain => {}
            RunSpaces::Newlines => {
                for at in memchr::memchr_iter(b'\n', run) {
                    self.out[norm + at] = b' ';
                }
            }
            RunSpaces::Others => {
                for b in &mut self.out[norm..] {
                    if CLASS[*b as usize] == Class::Space {
                        *b = b' ';
                    }
                }
            }
        }
        let last = run.len() - 1;
        self.last_unit = Some((norm + last, orig + last));
    }

    /// A whitespace unit `orig..orig_end`.
    fn space(&mut self, orig: usize, orig_end: usize) {
        if self.last_is_space() {
            self.extend_last_unit();
        } else if orig_end - orig == 1 {
            self.copy(orig, b" ");
        } else {
            self.changed(orig, " ");
        }
    }

    /// A unit whose output differs from the original.
    fn changed(&mut self, orig: usize, s: &str) {
        if s.is_empty() {
            self.extend_last_unit();
            return;
        }
        let norm = self.out.len();
        self.push_anchor(Anchor {
            norm,
            orig,
            linear: false,
        });
        self.out.extend_from_slice(s.as_bytes());
        self.last_unit = Some((norm, orig));
    }

    /// The original unit `src` at `orig`: normalise it and emit the result.
    fn unit(&mut self, orig: usize, src: &str) {
        let mut chars = src.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            // A lone character: the mapped ones need no NFKC (each becomes ASCII, a space or
            // nothing, which NFKC leaves alone), nor does one that NFKC keeps (most CJK and
            // accented text).
            match map_char(c) {
                Mapped::Space => return self.space(orig, orig + src.len()),
                Mapped::Remove => return self.extend_last_unit(),
                Mapped::Ascii(a) => {
                    return self.changed(orig, char::from(a).encode_utf8(&mut [0; 4]));
                }
                Mapped::Keep if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes => {
                    return self.copy(orig, src.as_bytes());
                }
                Mapped::Keep => {}
            }
        }
        let mut buf = std::mem::take(&mut self.unit_buf);
        buf.clear();
        let mut last_space = self.last_is_space();
        let mut any_space = false;
        let mut chars = src.chars();
        let first = chars.next().map(|c| match map_char(c) {
            Mapped::Ascii(a) => a as char,
            _ => c,
        });
        for c in first.into_iter().chain(chars).nfkc() {
            match map_char(c) {
                Mapped::Keep => {
                    buf.push(c);
                    last_space = false;
                }
                Mapped::Ascii(a) => {
                    buf.push(a as char);
                    last_space = false;
                }
                Mapped::Space => {
                    any_space = true;
                    if !last_space {
                        buf.push(' ');
                        last_space = true;
                    }
                }
                Mapped::Remove => {}
            }
        }
        if buf == src {
            self.copy(orig, src.as_bytes());
        } else if any_space && buf.is_empty() {
            // A whitespace character that continues a run.
            self.extend_last_unit();
        } else {
            self.changed(orig, &buf);
        }
        self.unit_buf = buf;
    }

    /// Make the last unit that produced output also cover the original bytes up to the next
    /// unit (a whitespace run or a removed character), which needs it to be a changed unit.
    fn extend_last_unit(&mut self) {
        let Some((norm, orig)) = self.last_unit else {
            // Nothing was emitted yet: the removed bytes simply precede the first unit.
            return;
        };
        let last = self.anchors.last_mut().expect("a unit was emitted");
        if !last.linear {
            // The last anchor is already a changed unit (the last unit itself, since a unit
            // always starts a new anchor unless it is a linear copy).
            return;
        }
        if last.norm == norm {
            last.linear = false;
        } else {
            self.anchors.push(Anchor {
                norm,
                orig,
                linear: false,
            });
        }
    }

    fn push_anchor(&mut self, a: Anchor) {
        match self.anchors.last_mut() {
            Some(last) if last.norm == a.norm => *last = a,
            _ => self.anchors.push(a),
        }
    }

    fn finish(mut self, orig_len: usize) -> Normalized {
        let norm = self.out.len();
        self.anchors.push(Anchor {
            norm,
            orig: orig_len,
            linear: true,
        });
        Normalized {
            text: String::from_utf8(self.out).expect("only whole characters are written"),
            anchors: self.anchors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case: input, expected normalised text.
    const CASES: &[(&str, &str)] = &[
        ("plain ascii", "plain ascii"),
        ("a \t\n  b", "a b"),
        ("line\r\nbreak\rand\nmore", "line break and more"),
        ("300\u{a0}billion", "300 billion"),
        ("10\u{202f}000 and 5\u{2009}%", "10 000 and 5 %"),
        (
            "Xi Jinping\u{2019}s \u{201c}vision\u{201d}",
            "Xi Jinping's \"vision\"",
        ),
        ("\u{2018}a\u{201b}", "'a'"),
        ("\u{201e}low\u{201f} \u{2033}x\u{2032}", "\"low\" \"x'"),
        ("\u{ab}guillemets\u{bb}", "\u{ab}guillemets\u{bb}"),
        (
            "a\u{2010}b\u{2011}c\u{2012}d\u{2013}e\u{2014}f\u{2015}g",
            "a-b-c-d-e-f-g",
        ),
        ("\u{2212}3%", "-3%"),
        ("wait\u{2026}", "wait..."),
        ("\u{fb01}ne", "fine"),
        ("\u{ff21}\u{ff22}", "AB"),
        ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}"),
        ("co\u{ad}operate", "cooperate"),
        ("\u{feff}bom", "bom"),
        ("中国制造2025", "中国制造2025"),
        ("\u{1100}\u{1161}\u{11a8}", "\u{ac01}"),
        ("\u{3000}wide\u{3000}\u{3000}space", " wide space"),
        ("  ", " "),
        ("", ""),
    ];

    #[test]
    fn normalisation_cases() {
        for (input, expected) in CASES {
            let n = normalize(input);
            assert_eq!(&n.text, expected, "normalising {input:?}");
            assert_eq!(n.original_len(), input.len());
            assert_eq!(n.original_offset(n.text.len()), input.len());
        }
    }

    #[test]
    fn whitespace_run_maps_to_whole_run() {
        let src = "more than\n  $300";
        let n = normalize(src);
        assert_eq!(n.text, "more than $300");
        let space = n.text.find(" $").unwrap();
        let r = n.to_original(TextRange::new(space, space + 1));
        assert_eq!(&src[r.to_range()], "\n  ");
        let r = n.to_original(TextRange::new(0, n.text.len()));
        assert_eq!(r, TextRange::new(0, src.len()));
        let dollar = n.text.find('$').unwrap();
        assert_eq!(n.original_offset(dollar), src.find('$').unwrap());
    }

    #[test]
    fn changed_units_map_as_a_whole() {
        let src = "x \u{fb01}ne \u{2019}q\u{2019}";
        let n = normalize(src);
        assert_eq!(n.text, "x fine 'q'");
        // Only the "f" of the ligature: the whole ligature.
        let f = n.text.find('f').unwrap();
        let r = n.to_original(TextRange::new(f, f + 1));
        assert_eq!(&src[r.to_range()], "\u{fb01}");
        // Only the "i" of the ligature: still the whole ligature.
        let r = n.to_original(TextRange::new(f + 1, f + 2));
        assert_eq!(&src[r.to_range()], "\u{fb01}");
        let q = n.text.find("'q'").unwrap();
        let r = n.to_original(TextRange::new(q, q + 3));
        assert_eq!(&src[r.to_range()], "\u{2019}q\u{2019}");
    }

    #[test]
    fn multibyte_copies_map_byte_for_byte() {
        let src = "ab 中国制造2025 cd";
        let n = normalize(src);
        assert_eq!(n.text, src);
        let s = src.find('国').unwrap();
        let r = n.to_original(TextRange::new(s, s + "国制".len()));
        assert_eq!(&src[r.to_range()], "国制");
        assert_eq!(n.from_original(s), s);
    }

    #[test]
    fn from_original_rounds_forward() {
        let src = "a\u{fb01}b  c";
        let n = normalize(src);
        assert_eq!(n.text, "afib c");
        assert_eq!(n.from_original(0), 0);
        assert_eq!(n.from_original(1), 1); // the ligature's start
        assert_eq!(n.from_original(2), 3); // inside the ligature: the next unit, "b"
        assert_eq!(n.from_original(5), 4); // the whitespace run's start
        assert_eq!(n.from_original(6), 5); // inside the run: "c"
        assert_eq!(n.from_original(99), n.text.len());
    }

    #[test]
    fn removed_characters_attach_to_the_unit_before() {
        let src = "\u{ad}co\u{ad}op";
        let n = normalize(src);
        assert_eq!(n.text, "coop");
        assert_eq!(
            n.to_original(TextRange::new(0, 4)),
            TextRange::new(2, src.len())
        );
        let r = n.to_original(TextRange::new(0, 2));
        assert_eq!(&src[r.to_range()], "co\u{ad}");
    }

    #[test]
    fn collapse_whitespace_keeps_characters() {
        assert_eq!(
            collapse_whitespace("  the CCP\u{2019}s\n$300\u{a0}billion \t"),
            "the CCP\u{2019}s $300 billion"
        );
    }
}
