//! Byte ranges and the line index that converts byte offsets to lines and columns at the edges.
//!
//! Everything inside Mica speaks UTF-8 byte offsets. Lines and columns (in bytes, Unicode
//! scalar values or UTF-16 code units) exist only for renderers and the language server, and
//! they are all computed here so that every edge agrees on what a line is: `\n`, `\r\n` and a
//! lone `\r` each end a line, as in the LSP specification.

use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// The largest text a [`TextRange`] can point into, in bytes.
pub const MAX_TEXT: usize = u32::MAX as usize;

/// An offset in 32 bits: one past [`MAX_TEXT`] is taken as `MAX_TEXT`.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// A half-open range of UTF-8 byte offsets into one text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct TextRange {
    /// The first byte.
    start: u32,
    /// One past the last byte.
    end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; the two are swapped if given in the wrong order.
    ///
    /// Offsets are held in 32 bits, as a large brief holds many ranges: texts are at most
    /// [`MAX_TEXT`] bytes (every reader of a document or source has a smaller limit), and an
    /// offset past it is taken as `MAX_TEXT`, never wrapped.
    pub fn new(start: usize, end: usize) -> Self {
        let (start, end) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        Self {
            start: offset(start),
            end: offset(end),
        }
    }

    /// The first byte.
    #[inline]
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// One past the last byte.
    #[inline]
    pub fn end(self) -> usize {
        self.end as usize
    }

    /// The range moved by `delta` bytes (which must not take it below 0).
    #[inline]
    pub fn shifted(self, delta: isize) -> Self {
        let at = |x: u32| offset((x as usize).wrapping_add_signed(delta));
        Self {
            start: at(self.start),
            end: at(self.end),
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.end() - self.start()
    }

    /// Whether the range covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start() == self.end()
    }

    /// Whether `offset` lies inside the range; the end counts, so a cursor just after a word
    /// is still on it.
    pub fn contains_inclusive(&self, offset: usize) -> bool {
        self.start() <= offset && offset <= self.end()
    }

    /// Whether `other` lies entirely inside this range.
    pub fn contains_range(&self, other: TextRange) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    /// The smallest range covering both.
    pub fn cover(&self, other: TextRange) -> TextRange {
        TextRange::new(self.start().min(other.start()), self.end().max(other.end()))
    }

    /// The range as a `std` range, for slicing.
    pub fn to_range(self) -> Range<usize> {
        self.start()..self.end()
    }
}

impl From<Range<usize>> for TextRange {
    fn from(r: Range<usize>) -> Self {
        TextRange::new(r.start, r.end)
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A zero-based line and a zero-based column whose unit depends on the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Zero-based line number.
    pub line: usize,
    /// Zero-based column.
    pub col: usize,
}

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values (what people and the JSON report count).
    Char,
}

thread_local! {
    static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many bytes the column conversions of [`LineIndex`] have counted on this thread so far:
/// what tests read to bound the work of a conversion without timing it.
pub fn column_bytes_scanned() -> usize {
    SCANNED.with(|s| s.get())
}

fn scanned(bytes: usize) {
    SCANNED.with(|s| s.set(s.get() + bytes));
}

/// Bytes between two column checkpoints of a [`LineIndex`]: a conversion counts at most this
/// many bytes (and one character) past the checkpoint before it.
const COLUMN_STEP: usize = 512;

/// A column checkpoint: how many characters, and UTF-16 code units, start before `byte`.
/// A checkpoint need not be on a character boundary: a character counts where its first byte
/// is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Checkpoint {
    byte: usize,
    chars: usize,
    units: usize,
}

/// The start offset of every line of a text, and column checkpoints, for conversions between
/// offsets and positions that cost the same wherever on its line a position is.
///
/// Two indexes are equal when they hold the same lines: the checkpoints are a cache, which an
/// edited index places where the edit left them rather than where a new one would.
/// [`LineIndex::columns_hold`] checks them against a text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Where each line starts, in 32 bits (a text is at most [`MAX_TEXT`] bytes): an editor
    /// keeps the index of every open document, and a large one has millions of lines.
    starts: Vec<u32>,
    len: usize,
    /// Checkpoints in order, the first at byte 0, none more than [`COLUMN_STEP`] bytes after
    /// the one before it or before the end; empty when the text is ASCII, where both counts
    /// are the byte offset. Counting from a line's start instead made thousands of positions
    /// on one megabyte-long line quadratic (adversarial finding M2). An edit moves the
    /// checkpoints after it by what it added, rather than counting the rest of the text again.
    columns: Vec<Checkpoint>,
}

impl PartialEq for LineIndex {
    fn eq(&self, other: &Self) -> bool {
        self.starts == other.starts
            && self.len == other.len
            && self.columns.is_empty() == other.columns.is_empty()
    }
}

impl Eq for LineIndex {}

/// `(characters, UTF-16 code units)` of the characters that start in `bytes`: every byte but a
/// continuation byte starts one, and a four-byte one needs a surrogate pair.
fn count_units(bytes: &[u8]) -> (usize, usize) {
    // Sums of 0/1 bytes in blocks of at most 255, which the compiler vectorises; a filtered
    // count of each did not, and indexing a brief's columns cost more than finding its lines.
    let (mut chars, mut wide) = (0, 0);
    for block in bytes.chunks(255) {
        let (mut c, mut w) = (0u8, 0u8);
        for &b in block {
            c += u8::from((b as i8) >= -0x40);
            w += u8::from(b >= 0xF0);
        }
        chars += usize::from(c);
        wide += usize::from(w);
    }
    (chars, chars + wide)
}

/// The column checkpoints of `bytes`, every [`COLUMN_STEP`] bytes from the start.
fn checkpoints(bytes: &[u8]) -> Vec<Checkpoint> {
    let mut out = Vec::with_capacity(bytes.len() / COLUMN_STEP + 1);
    let start = Checkpoint {
        byte: 0,
        chars: 0,
        units: 0,
    };
    push_checkpoints(&mut out, bytes, start, bytes.len());
    out
}

/// Push `start` and a checkpoint every [`COLUMN_STEP`] bytes after it that lies more than a
/// step before `to`; the counts at `to`.
fn push_checkpoints(
    out: &mut Vec<Checkpoint>,
    bytes: &[u8],
    start: Checkpoint,
    to: usize,
) -> Checkpoint {
    let mut at = start;
    out.push(at);
    loop {
        let end = (at.byte + COLUMN_STEP).min(to);
        let (c, u) = count_units(&bytes[at.byte..end]);
        at = Checkpoint {
            byte: end,
            chars: at.chars + c,
            units: at.units + u,
        };
        if end == to {
            return at;
        }
        out.push(at);
    }
}

/// The 1-based line and column (in characters) of each of `offsets` in `text`, as a report
/// shows positions ([`LineIndex::reader_position`] gives the same): for a few offsets in a
/// large text, without indexing it. The offsets are visited in order in one pass over the text
/// up to the largest, so the cost is that pass, however many offsets share a long line. An
/// offset inside a character counts as the character's start; one past the end as the end.
pub fn reader_positions(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let bom = text.starts_with('\u{feff}');
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut out = vec![(0, 0); offsets.len()];
    // `line` holds byte `at`; it starts at `start`, and `chars` characters lie in `start..at`.
    let (mut at, mut line, mut start, mut chars) = (0, 0, 0, 0);
    for i in order {
        let mut o = offsets[i].min(bytes.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        // A line ends with "\n", "\r\n" or a lone "\r"; a "\r" just before `o` whose "\n" is
        // at `o` has not ended its line yet.
        let from = at;
        for p in memchr::memchr2_iter(b'\n', b'\r', &bytes[from..o]) {
            let p = from + p;
            if !(bytes[p] == b'\r' && bytes.get(p + 1) == Some(&b'\n')) {
                line += 1;
                start = p + 1;
            }
        }
        chars = if start > from {
            count_units(&bytes[start..o]).0
        } else {
            chars + count_units(&bytes[from..o]).0
        };
        at = o;
        let col = if line == 0 && o > 0 && bom {
            chars - 1
        } else {
            chars
        };
        out[i] = (line + 1, col + 1);
    }
    out
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // One searcher over the whole text: a search per line paid the searcher's setup on
        // every line, which cost more than the search on a brief of short lines.
        let mut lf_of_crlf = usize::MAX;
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if at == lf_of_crlf {
                continue;
            }
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                lf_of_crlf = at + 1;
                starts.push(offset(at + 2));
            } else {
                starts.push(offset(at + 1));
            }
        }
        // Exactly the room the starts take: an editor keeps the index of every open document.
        starts.shrink_to_fit();
        let columns = if text.is_ascii() {
            Vec::new()
        } else {
            checkpoints(bytes)
        };
        Self {
            starts,
            len: text.len(),
            columns,
        }
    }

    /// Update the index after an edit that replaced `old[lo..old_hi]` with `text[lo..new_hi]`
    /// (`text` is the new text): the lines before the edit are kept, those in it found again,
    /// and those after it moved. The result equals `LineIndex::new(text)`.
    pub fn edit(&mut self, text: &str, lo: usize, old_hi: usize, new_hi: usize) {
        let bytes = text.as_bytes();
        let delta = new_hi as isize - old_hi as isize;
        // Starts before `lo` stay (the bytes before them did not change); from the last of
        // them, the line endings up to one byte past the edit are found again (a `\r` before
        // it and a `\n` in it make one line ending); starts further on only move.
        let keep = self.starts.partition_point(|&s| (s as usize) < lo).max(1);
        let tail_from = self.starts.partition_point(|&s| s as usize <= old_hi + 1);
        let from = self.starts[keep - 1] as usize;
        let end = (new_hi + 1).min(bytes.len());
        let mut found = Vec::new();
        let mut lf_of_crlf = usize::MAX;
        for at in memchr::memchr2_iter(b'\n', b'\r', &bytes[from..end]).map(|i| from + i) {
            if at == lf_of_crlf {
                continue;
            }
            let start = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                lf_of_crlf = at + 1;
                at + 2
            } else {
                at + 1
            };
            if start <= new_hi + 1 {
                found.push(offset(start));
            }
        }
        // In place: the tail moves by `delta`, and the starts of the edited lines are replaced
        // (the tail is shifted in memory only when their number changed). Room grows by a
        // little when lines are added, as the index is kept exactly as large as it needs.
        for s in &mut self.starts[tail_from..] {
            *s = offset((*s as usize).wrapping_add_signed(delta));
        }
        let grows = found.len().saturating_sub(tail_from - keep);
        if self.starts.capacity() - self.starts.len() < grows {
            self.starts.reserve_exact(grows.max(self.starts.len() / 64));
        }
        self.starts.splice(keep..tail_from, found);
        self.len = text.len();
        self.edit_columns(bytes, lo, old_hi, new_hi);
    }

    /// Update the column checkpoints after an edit: those before it are kept, those in it
    /// placed again, and those after it moved by the bytes, characters and code units it added,
    /// which are found by counting from the checkpoint before the edit to the first one after
    /// it. The cost is the edit's length and two steps, not the rest of the text.
    fn edit_columns(&mut self, bytes: &[u8], lo: usize, old_hi: usize, new_hi: usize) {
        if self.columns.is_empty() {
            // An ASCII text: it stays one, or it is counted once.
            if !bytes[lo..new_hi].is_ascii() {
                self.columns = checkpoints(bytes);
            }
            return;
        }
        let delta = new_hi as isize - old_hi as isize;
        // `p`: the last checkpoint at or before the edit, whose counts it did not change; `q`:
        // the first one at or after its end, in the old text, which it moved.
        let p = self.columns.partition_point(|c| c.byte <= lo) - 1;
        let q = self.columns.partition_point(|c| c.byte < old_hi).max(p + 1);
        let to = self
            .columns
            .get(q)
            .map_or(bytes.len(), |c| c.byte.wrapping_add_signed(delta));
        let mut mid = Vec::new();
        scanned(to - self.columns[p].byte);
        let at_to = push_checkpoints(&mut mid, bytes, self.columns[p], to);
        if let Some(&old) = self.columns.get(q) {
            let dc = at_to.chars.wrapping_sub(old.chars);
            let du = at_to.units.wrapping_sub(old.units);
            for c in &mut self.columns[q..] {
                c.byte = c.byte.wrapping_add_signed(delta);
                c.chars = c.chars.wrapping_add(dc);
                c.units = c.units.wrapping_add(du);
            }
        }
        let grows = mid.len().saturating_sub(q - p);
        if self.columns.capacity() - self.columns.len() < grows {
            self.columns
                .reserve_exact(grows.max(self.columns.len() / 64));
        }
        self.columns.splice(p..q, mid);
        // A text whose characters are as many as its bytes is ASCII again.
        let last = self.columns[self.columns.len() - 1];
        if last.chars + count_units(&bytes[last.byte..]).0 == bytes.len() {
            self.columns = Vec::new();
        }
    }

    /// Whether the column checkpoints are those of `text`: each holds the counts of the
    /// characters before it, they are in order and close enough together, and there are none
    /// exactly when the text is ASCII. For tests of edited indexes, whose checkpoints may lie
    /// elsewhere than a new index's.
    pub fn columns_hold(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if self.columns.is_empty() {
            return text.is_ascii();
        }
        let mut at = Checkpoint {
            byte: 0,
            chars: 0,
            units: 0,
        };
        for (i, c) in self.columns.iter().enumerate() {
            if (i == 0 && c.byte != 0)
                || c.byte < at.byte
                || c.byte - at.byte > COLUMN_STEP
                || c.byte > bytes.len()
            {
                return false;
            }
            let (dc, du) = count_units(&bytes[at.byte..c.byte]);
            at = Checkpoint {
                byte: c.byte,
                chars: at.chars + dc,
                units: at.units + du,
            };
            if *c != at {
                return false;
            }
        }
        bytes.len() - at.byte <= COLUMN_STEP && !text.is_ascii()
    }

    /// The number of lines (a text always has at least one, possibly empty).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The zero-based line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&self::offset(offset)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of zero-based `line` including its line ending, or `None` past the end.
    pub fn line_range(&self, line: usize) -> Option<TextRange> {
        let start = *self.starts.get(line)? as usize;
        let end = self.starts.get(line + 1).map_or(self.len, |&e| e as usize);
        Some(TextRange::new(start, end))
    }

    /// The byte range of zero-based `line` without its line ending.
    pub fn line_content_range(&self, text: &str, line: usize) -> Option<TextRange> {
        let r = self.line_range(line)?;
        let content = text.get(r.to_range())?;
        let trimmed = content.trim_end_matches(['\n', '\r']);
        Some(TextRange::new(r.start(), r.start() + trimmed.len()))
    }

    /// The columns in `unit` of the characters of `text` before byte `offset`, a character
    /// boundary: from the checkpoint before it, so at most [`COLUMN_STEP`] bytes are counted.
    fn units_before(&self, text: &str, offset: usize, unit: ColumnUnit) -> usize {
        if unit == ColumnUnit::Utf8 || self.columns.is_empty() {
            return offset;
        }
        let at = self.columns[self.columns.partition_point(|c| c.byte <= offset) - 1];
        scanned(offset - at.byte);
        let (c, u) = count_units(&text.as_bytes()[at.byte..offset]);
        match unit {
            ColumnUnit::Char => at.chars + c,
            _ => at.units + u,
        }
    }

    /// The 1-based line and column (in characters) of `offset`, as a report shows positions: a
    /// byte-order mark at the start of the text is not part of the first line as editors show
    /// it.
    pub fn reader_position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let LineCol { line, mut col } = self.line_col(text, offset, ColumnUnit::Char);
        if line == 0 && offset > 0 && text.starts_with('\u{feff}') {
            col -= 1;
        }
        (line + 1, col + 1)
    }

    /// The position of `offset` with columns counted in `unit`. An offset inside a character
    /// is moved back to the character's start; one past the end is clamped to the end.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        let col = self.units_before(text, offset, unit) - self.units_before(text, start, unit);
        LineCol { line, col }
    }

    /// The byte offset of a position whose column is counted in `unit`. Positions past the end
    /// of a line clamp to the line's end (before its line ending), lines past the end of the
    /// text clamp to the end of the text, and a column inside a character lands at its start.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let Some(content) = self.line_content_range(text, pos.line) else {
            return text.len();
        };
        if unit == ColumnUnit::Utf8 || self.columns.is_empty() {
            let mut o = content.start().saturating_add(pos.col).min(content.end());
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            return o;
        }
        // Start from the last checkpoint inside the line at or before the column, on the
        // character boundary after it (a character that straddles it is already counted).
        let base = self.units_before(text, content.start(), unit);
        let target = base.saturating_add(pos.col);
        let units = |c: &Checkpoint| match unit {
            ColumnUnit::Char => c.chars,
            _ => c.units,
        };
        // The checkpoints after the line's start, up to its end.
        let first = self.columns.partition_point(|c| c.byte <= content.start());
        let last = self.columns.partition_point(|c| c.byte <= content.end());
        let (mut from, mut seen) = (content.start(), 0);
        if first < last {
            // The line's checkpoints hold non-decreasing counts.
            let within = self.columns[first..last].partition_point(|c| units(c) <= target);
            if within > 0 {
                let k = first + within - 1;
                from = self.columns[k].byte;
                while !text.is_char_boundary(from) {
                    from += 1;
                }
                seen = units(&self.columns[k]) - base;
            }
        }
        let rest = &text[from..content.end()];
        for (i, ch) in rest.char_indices() {
            if seen >= pos.col {
                scanned(i);
                return from + i;
            }
            seen += match unit {
                ColumnUnit::Char => 1,
                _ => ch.len_utf16(),
            };
            if seen > pos.col {
                scanned(i);
                return from + i;
            }
        }
        scanned(rest.len());
        content.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A range is two 32-bit offsets: half the room of two `usize`s in every item of a tree.
    /// An offset past [`MAX_TEXT`] is taken as `MAX_TEXT`, never wrapped to a small one, and a
    /// range moves by any delta.
    #[test]
    fn ranges_are_small_and_saturate() {
        assert_eq!(std::mem::size_of::<TextRange>(), 8);
        let r = TextRange::new(7, 3);
        assert_eq!((r.start(), r.end(), r.len()), (3, 7, 4));
        assert_eq!(r.shifted(10).to_range(), 13..17);
        assert_eq!(r.shifted(10).shifted(-10), r);
        let past = TextRange::new(MAX_TEXT - 1, MAX_TEXT + 5);
        assert_eq!((past.start(), past.end()), (MAX_TEXT - 1, MAX_TEXT));
        assert_eq!(TextRange::empty(usize::MAX).start(), MAX_TEXT);
    }

    proptest::proptest! {
        /// Positions found in one pass over a text, for offsets in any order, equal the
        /// index's, over line endings of every kind, a byte-order mark, characters of every
        /// width and offsets inside characters, between a "\r" and its "\n", and past the end.
        #[test]
        fn one_pass_positions_equal_the_index_s(
            bom in proptest::bool::ANY,
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["\n", "\r", "\r\n", "a", "é", "𝄞", " ", "\u{feff}"]),
                0..30,
            ),
            picks in proptest::collection::vec(0.0..1.1f64, 0..12),
        ) {
            let text: String = std::iter::once(if bom { "\u{feff}" } else { "" })
                .chain(pieces)
                .collect();
            let offsets: Vec<usize> = picks.iter().map(|p| (p * text.len() as f64) as usize).collect();
            let index = LineIndex::new(&text);
            let want: Vec<(usize, usize)> = offsets
                .iter()
                .map(|&o| index.reader_position(&text, o))
                .collect();
            proptest::prop_assert_eq!(reader_positions(&text, &offsets), want);
        }
    }

    /// After random edits (line endings of every kind, characters of every width, lines longer
    /// than a column step), an edited index equals one built from scratch.
    #[test]
    fn an_edited_index_equals_a_new_one() {
        let pieces = ["\n", "\r", "\r\n", "a", "é", "𝄞", " ", "\n\r", "x\ny", ""];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut below = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..300 {
            let mut text: String = (0..below(40))
                .map(|_| {
                    if below(8) == 0 {
                        "é".repeat(300)
                    } else {
                        pieces[below(pieces.len())].to_string()
                    }
                })
                .collect();
            let mut index = LineIndex::new(&text);
            for _ in 0..20 {
                let bounds: Vec<usize> = (text.char_indices().map(|(i, _)| i))
                    .chain([text.len()])
                    .collect();
                let a = bounds[below(bounds.len())];
                let b = (bounds.iter().copied())
                    .filter(|&x| x >= a)
                    .nth(below(3))
                    .unwrap_or(a);
                let mut new = text.clone();
                new.replace_range(a..b, pieces[below(pieces.len())]);
                let (old_b, new_b) = (text.as_bytes(), new.as_bytes());
                let lo = old_b.iter().zip(new_b).take_while(|(x, y)| x == y).count();
                let suffix = (old_b[lo..].iter().rev())
                    .zip(new_b[lo..].iter().rev())
                    .take_while(|(x, y)| x == y)
                    .count();
                index.edit(&new, lo, old_b.len() - suffix, new_b.len() - suffix);
                assert_eq!(
                    index,
                    LineIndex::new(&new),
                    "round {round}: {text:?} -> {new:?}"
                );
                assert!(
                    index.columns_hold(&new),
                    "round {round}: {text:?} -> {new:?}"
                );
                let lc = |i: &LineIndex, o| i.line_col(&new, o, ColumnUnit::Utf16);
                let fresh = LineIndex::new(&new);
                let near = lo.saturating_sub(8)..lo + 16;
                let sample = (0..=new.len()).filter(|o| o % 61 == 0 || near.contains(o));
                for o in sample.filter(|&o| new.is_char_boundary(o)) {
                    assert_eq!(
                        lc(&index, o),
                        lc(&fresh, o),
                        "round {round}: at {o} of {new:?}"
                    );
                }
                text = new;
            }
        }
    }

    /// A keystroke near the start of a long text of wide characters counts the bytes around
    /// it, not the rest of the text (every keystroke in an editor updates the index), and the
    /// checkpoints after it still hold; a text that loses its last wide character has none.
    #[test]
    fn an_edit_counts_columns_near_it_only() {
        let mut text = "é 中 x\n".repeat(100_000);
        let mut idx = LineIndex::new(&text);
        for (at, typed) in [(3, "😀"), (700_000, "ab"), (1_000, ""), (12, "\r\n")] {
            let old_hi = if typed.is_empty() { at + 1 } else { at };
            text.replace_range(at..old_hi, typed);
            let before = column_bytes_scanned();
            idx.edit(&text, at, old_hi, at + typed.len());
            let counted = column_bytes_scanned() - before;
            assert!(
                counted <= 2 * COLUMN_STEP + typed.len(),
                "{counted} bytes counted"
            );
            assert!(idx.columns_hold(&text));
            assert_eq!(idx, LineIndex::new(&text));
        }
        let mut ascii = "abc\n".repeat(1_000);
        ascii.insert(2_000, 'é');
        let mut idx = LineIndex::new(&ascii);
        assert!(!idx.columns.is_empty());
        ascii.remove(2_000);
        idx.edit(&ascii, 2_000, 2_002, 2_000);
        assert!(idx.columns.is_empty() && idx.columns_hold(&ascii));
        ascii.insert(10, '中');
        idx.edit(&ascii, 10, 10, 13);
        assert!(!idx.columns.is_empty() && idx.columns_hold(&ascii));
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_of(text.find('d').unwrap()), 3);
        assert_eq!(idx.line_of(text.find('c').unwrap()), 2);
        assert_eq!(idx.line_content_range(text, 1), Some(TextRange::new(2, 3)));
    }

    /// The index of a long text takes the room its line starts need and no more, also once
    /// edited: an editor keeps one for every open document, and a vector grown one line at a
    /// time can hold nearly twice as many.
    #[test]
    fn a_line_index_has_no_spare_room() {
        let text = "a line\n".repeat(5_000);
        let idx = LineIndex::new(&text);
        assert_eq!(idx.line_count(), 5_001);
        assert_eq!(idx.starts.capacity(), idx.starts.len());
        // Four bytes a line.
        assert_eq!(std::mem::size_of_val(&idx.starts[..]), 4 * 5_001);
        // A line typed into it adds a sixty-fourth, not the index's own size.
        let mut idx = idx;
        let mut edited = text.clone();
        edited.insert_str(7, "new\n");
        idx.edit(&edited, 7, 7, 11);
        assert_eq!(idx, LineIndex::new(&edited));
        assert!(
            idx.starts.capacity() <= 5_002 + 5_002 / 64,
            "{}",
            idx.starts.capacity()
        );
    }

    #[test]
    fn columns_in_every_unit_round_trip() {
        let text = "x\n中😀b";
        let idx = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(
            idx.line_col(text, b, ColumnUnit::Utf8),
            LineCol { line: 1, col: 7 }
        );
        assert_eq!(
            idx.line_col(text, b, ColumnUnit::Utf16),
            LineCol { line: 1, col: 3 }
        );
        assert_eq!(
            idx.line_col(text, b, ColumnUnit::Char),
            LineCol { line: 1, col: 2 }
        );
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
            let lc = idx.line_col(text, b, unit);
            assert_eq!(idx.offset(text, lc, unit), b);
        }
    }

    /// Columns counted from the start of the line, the definition.
    fn naive_col(text: &str, start: usize, offset: usize, unit: ColumnUnit) -> usize {
        let prefix = &text[start..offset];
        match unit {
            ColumnUnit::Utf8 => prefix.len(),
            ColumnUnit::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            ColumnUnit::Char => prefix.chars().count(),
        }
    }

    /// A megabyte-long line converted at both ends in turn, as a diagnostic far along it with a
    /// label at its start is: every conversion gives what counting from the line's start gives,
    /// and costs a bounded scan, not the column (which made such a document quadratic).
    #[test]
    fn columns_on_a_long_line_cost_a_bounded_scan_in_any_order() {
        for piece in ["[x]{#a} ", "[é]{#a} 😀 中文 "] {
            let text = format!("first\n{}\r\nlast", piece.repeat(1_000_000 / piece.len()));
            let idx = LineIndex::new(&text);
            let start = 6;
            let boundaries: Vec<usize> = (start..text.len() - 6)
                .filter(|&o| text.is_char_boundary(o))
                .step_by(997)
                .collect();
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                let before = column_bytes_scanned();
                let mut conversions = 0;
                // The expected columns are counted along the way, once.
                let (mut counted_to, mut want) = (start, 0);
                let near = LineCol { line: 1, col: 1 };
                for &far in &boundaries {
                    want += naive_col(&text, counted_to, far, unit);
                    counted_to = far;
                    let lc = idx.line_col(&text, far, unit);
                    assert_eq!(lc, LineCol { line: 1, col: want }, "{far} {unit:?}");
                    assert_eq!(idx.offset(&text, lc, unit), far, "{far} {unit:?}");
                    assert_eq!(idx.line_col(&text, start + 1, unit), near);
                    assert_eq!(idx.offset(&text, near, unit), start + 1);
                    conversions += 4;
                }
                let scanned = column_bytes_scanned() - before;
                assert!(
                    scanned <= conversions * 2 * 1024,
                    "{scanned} bytes counted for {conversions} conversions ({unit:?}, {piece:?})"
                );
            }
        }
    }

    proptest::proptest! {
        /// Every offset of a text of mixed widths and line endings, long enough to cross
        /// several checkpoints, converts to what counting from its line's start gives, and back.
        #[test]
        fn columns_agree_with_counting_from_the_line_start(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bc ", "é", "中", "😀", "\n", "\r\n", "\r", "[x]{#a} "]),
                0..1500,
            )
        ) {
            let text = pieces.concat();
            let idx = LineIndex::new(&text);
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                for o in (0..=text.len()).filter(|&o| text.is_char_boundary(o)).step_by(7) {
                    let lc = idx.line_col(&text, o, unit);
                    let start = idx.line_range(lc.line).unwrap().start();
                    proptest::prop_assert_eq!(lc.col, naive_col(&text, start, o, unit));
                    // An offset between `\r` and `\n` is not a position of its own.
                    let want = if text[..o].ends_with('\r') && text[o..].starts_with('\n') {
                        o - 1
                    } else {
                        o
                    };
                    proptest::prop_assert_eq!(idx.offset(&text, lc, unit), want);
                    // A column inside a character lands at its start.
                    let inside = LineCol { line: lc.line, col: lc.col + 1 };
                    let next = idx.offset(&text, inside, unit);
                    proptest::prop_assert!(next >= want && text.is_char_boundary(next));
                }
            }
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, ColumnUnit::Utf16),
            5
        );
        // A UTF-16 column in the middle of a surrogate pair lands on the character's start.
        let text = "😀z";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 1 }, ColumnUnit::Utf16),
            0
        );
        assert_eq!(
            idx.line_col(text, 99, ColumnUnit::Char),
            LineCol { line: 0, col: 2 }
        );
    }
}
