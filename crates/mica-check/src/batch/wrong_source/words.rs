//! The words of the quotes the second pass looks for, and a one-pass test of which of them a
//! text holds ([`Words`]), over the runs of ASCII letters and digits of the text
//! ([`long_words`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The shortest word worth looking for.
const MIN_WORD: usize = 4;

/// The words of the quotes not found, and a one-pass test of which of them a text holds.
///
/// A word is a maximal run of ASCII letters and digits. A file that holds a quote holds each
/// of the quote's inner words (those of [`MIN_WORD`] bytes or more with something other than
/// a letter or digit on both sides inside their part) among the words of its normalised text;
/// [`mica_sources::ascii_words_text`] gives a text with those words without normalising all
/// of it. The words at the edges of a part may be the end or start of a longer word, so they
/// are left to [`edge_words`]. Each word of the text is hashed once into a bitmap of what is
/// looked for, and only a hit is looked up and compared.
pub(super) struct Words {
    words: Vec<String>,
    ids: HashMap<String, u32>,
    /// The (full hash, word id) pairs of each bitmap slot in use.
    table: HashMap<u32, Vec<(u64, u32)>, BuildHasherDefault<Premixed>>,
    /// A bitmap of the hashes' top bits, small enough to stay in cache: most words of a text
    /// miss it and cost nothing more.
    bits: Vec<u64>,
}

/// A hasher for keys that are already well-mixed hashes: it passes them through.
#[derive(Default)]
struct Premixed(u64);

impl Hasher for Premixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    /// A bitmap slot is a few top bits of a hash: spread it over the whole word again.
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Words {
    const BITS: u32 = 18;

    pub(super) fn new() -> Self {
        Words {
            words: Vec::new(),
            ids: HashMap::new(),
            table: HashMap::default(),
            bits: vec![0; (1 << Self::BITS) / 64],
        }
    }

    /// The ids of the inner words of a quote whose normalised parts are `parts`, added if new.
    pub(super) fn add(&mut self, parts: &[String]) -> Vec<u32> {
        let mut out = Vec::new();
        for part in parts {
            let bytes = part.as_bytes();
            for (start, end) in word_ranges(bytes) {
                if start == 0 || end == bytes.len() || end - start < MIN_WORD {
                    continue;
                }
                out.push(self.id(&part[start..end]));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// How many words there are: their ids are `0..len`.
    pub(super) fn len(&self) -> usize {
        self.words.len()
    }

    /// The id of `word`, added if new, when it is a word the scan reads: a run of ASCII
    /// letters and digits of [`MIN_WORD`] bytes or more.
    pub(super) fn add_word(&mut self, word: &str) -> Option<u32> {
        (word.len() >= MIN_WORD && word.bytes().all(is_alnum)).then(|| self.id(word))
    }

    /// The id of `word` (a run of [`MIN_WORD`] or more ASCII letters and digits), added if new.
    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        let h = Self::hash(word.as_bytes());
        let slot = Self::slot(h);
        self.table.entry(slot as u32).or_default().push((h, id));
        self.bits[slot / 64] |= 1 << (slot % 64);
        self.words.push(word.to_string());
        self.ids.insert(word.to_string(), id);
        id
    }

    /// The hash of `word` (four bytes or more): of its first and last four bytes and its
    /// length. Two loads per word, whatever its length.
    fn hash(word: &[u8]) -> u64 {
        let n = word.len();
        let first = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        let last = u32::from_le_bytes([word[n - 4], word[n - 3], word[n - 2], word[n - 1]]);
        let key = u64::from(first) | (u64::from(last) << 32);
        (key ^ ((n as u64) << 56)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn slot(hash: u64) -> usize {
        (hash >> (64 - Self::BITS)) as usize
    }

    /// Which of the words `text` holds, by id, and the ids found, in the order found.
    ///
    /// A bitmap slot whose words are all found is cleared for the rest of the text, so that a
    /// common word costs a bitmap test after it is first found, not a table lookup at each
    /// occurrence.
    pub(super) fn held(&self, text: &[u8]) -> (Vec<bool>, Vec<u32>) {
        let mut held = vec![false; self.words.len()];
        let mut found = Vec::new();
        let mut live = self.bits.clone();
        long_words(text, |start, end| {
            let word = &text[start..end];
            let h = Self::hash(word);
            let slot = Self::slot(h);
            if live[slot / 64] & (1 << (slot % 64)) == 0 {
                return;
            }
            let entries = self
                .table
                .get(&(slot as u32))
                .map_or(&[][..], Vec::as_slice);
            let mut all = true;
            for &(hash, id) in entries {
                let i = id as usize;
                if !held[i] && hash == h && self.words[i].as_bytes() == word {
                    held[i] = true;
                    found.push(id);
                }
                all &= held[i];
            }
            if all {
                live[slot / 64] &= !(1 << (slot % 64));
            }
        });
        (held, found)
    }

    /// The word of `ids` least likely to be common, to index a quote by: digits first (serial
    /// numbers, figures), then capitals, then length.
    pub(super) fn rarest(&self, ids: &[u32]) -> Option<u32> {
        ids.iter().copied().max_by_key(|&id| {
            let w = self.words[id as usize].as_bytes();
            (
                w.iter().any(u8::is_ascii_digit),
                w.iter().any(u8::is_ascii_uppercase),
                w.len(),
            )
        })
    }
}

/// What [`Words`] leaves out of a quote whose normalised parts are `parts`: the words at the
/// edges of a part (of [`MIN_WORD`] bytes or more), which may be the end or the start of a
/// longer word, and the parts that are one word (of any length). A file that holds the quote
/// holds each of them inside a word of its normalised text, so inside a word of
/// [`mica_sources::ascii_words_text`] too.
pub(super) fn edge_words(parts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for part in parts {
        let bytes = part.as_bytes();
        for (start, end) in word_ranges(bytes) {
            let edge = start == 0 || end == bytes.len();
            let whole = start == 0 && end == bytes.len();
            if edge && (whole || end - start >= MIN_WORD) {
                out.push(part[start..end].to_string());
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `b` is an ASCII letter or digit.
fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The byte ranges of the maximal runs of ASCII letters and digits in `bytes`, a byte at a
/// time: for quotes, which are short. A file is read with [`long_words`].
fn word_ranges(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + bytes.get(i..)?.iter().position(|&b| is_alnum(b))?;
        let len = bytes[start..].iter().take_while(|&&b| is_alnum(b)).count();
        i = start + len;
        Some((start, i))
    })
}

/// Call `f` with the byte range of each maximal run of ASCII letters and digits in `bytes` of
/// [`MIN_WORD`] bytes or more, in order.
///
/// The scan reads every byte of every file looked in, so it takes 64 bytes at a time: a mask
/// of which bytes are letters or digits ([`alnum_mask`]), whose edges are the words' starts
/// and ends, and whose runs of four set bits (read across into the next chunk) tell a long
/// word's start from a short one's. A branch per long word, not per byte nor per short word.
fn long_words(bytes: &[u8], mut f: impl FnMut(usize, usize)) {
    const _: () = assert!(MIN_WORD == 4, "the run test below looks four bytes ahead");
    let mut base = 0;
    let mut chunk = alnum_mask(bytes, 0);
    // Whether the byte before the chunk is a letter or digit.
    let mut carry = false;
    // The start of a long word that runs past the chunk.
    let mut open: Option<usize> = None;
    while base < bytes.len() {
        let next = alnum_mask(bytes, base + 64);
        let before = chunk << 1 | u64::from(carry);
        // Bit `i`: a word starts at `base + i`, or one ended at `base + i - 1`.
        let starts = chunk & !before;
        let mut ends = !chunk & before;
        let window = u128::from(next) << 64 | u128::from(chunk);
        let runs_of_four = (window & window >> 1 & window >> 2 & window >> 3) as u64;
        if let Some(start) = open.filter(|_| ends != 0) {
            f(start, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
            open = None;
        }
        let mut long = starts & runs_of_four;
        while long != 0 {
            let at = long.trailing_zeros();
            long &= long - 1;
            match ends & (!0u64 << at) {
                0 => open = Some(base + at as usize),
                later => f(base + at as usize, base + later.trailing_zeros() as usize),
            }
        }
        carry = chunk >> 63 != 0;
        chunk = next;
        base += 64;
    }
    if let Some(start) = open {
        f(start, bytes.len());
    }
}

/// Bit `i` is set when `bytes[base + i]` is an ASCII letter or digit (0 past the end).
///
/// A whole chunk is classed eight bytes at a time in a `u64`, without a branch: each bound is
/// tested by adding a constant to the low seven bits of every byte, so that the byte's top bit
/// says whether it reached the bound and no carry crosses into the next byte; bytes with their
/// own top bit set (not ASCII) are left out. It builds a chunk's mask in 0.75x the time of a
/// byte loop.
#[inline(always)]
fn alnum_mask(bytes: &[u8], base: usize) -> u64 {
    #[inline(always)]
    fn eight(w: u64) -> u64 {
        const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const fn every(b: u8) -> u64 {
            b as u64 * 0x0101_0101_0101_0101
        }
        let t = w & LOW;
        let at_least = |x: u64, bound: u8| x + every(0x80 - bound);
        let folded = t | every(0x20);
        let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
        let digit = at_least(t, b'0') & !at_least(t, b'9' + 1);
        let top = (letter | digit) & !w & HIGH;
        // Gather the eight top bits into the high byte, byte `i`'s bit at bit `56 + i`.
        (top >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
    }
    match bytes.get(base..base + 64) {
        Some(chunk) => {
            let mut m = 0u64;
            for (k, word) in chunk.chunks_exact(8).enumerate() {
                let word: [u8; 8] = word.try_into().expect("chunks of eight");
                m |= eight(u64::from_le_bytes(word)) << (8 * k);
            }
            m
        }
        None => {
            let tail = bytes.get(base..).unwrap_or_default();
            let mut m = 0u64;
            for (i, &b) in tail.iter().enumerate() {
                m |= u64::from(is_alnum(b)) << i;
            }
            m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small generator, so that the test is the same every run.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random words over a tiny alphabet, so that words share their starts and ends.
    fn word(rng: &mut u64) -> String {
        let len = 1 + (xorshift(rng) % 8) as usize;
        (0..len)
            .map(|_| ['a', 'b', '1'][(xorshift(rng) % 3) as usize])
            .collect()
    }

    fn text(rng: &mut u64, words: usize) -> String {
        let seps = [" ", ", ", "-", "\n", "é"];
        let mut out = String::new();
        for _ in 0..words {
            out.push_str(&word(rng));
            out.push_str(seps[(xorshift(rng) % seps.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn the_words_held_are_those_a_plain_search_finds() {
        let mut rng = 0x2545_f491_4f6c_dd1d;
        for _ in 0..300 {
            let mut words = Words::new();
            for _ in 0..1 + xorshift(&mut rng) % 6 {
                let n = 1 + (xorshift(&mut rng) % 5) as usize;
                let part = text(&mut rng, n);
                words.add(&[part.trim_end().to_string()]);
            }
            let n = (xorshift(&mut rng) % 200) as usize;
            let text = text(&mut rng, n);
            let (held, found) = words.held(text.as_bytes());
            let bytes = text.as_bytes();
            let text_words: Vec<&[u8]> = word_ranges(bytes).map(|(s, e)| &bytes[s..e]).collect();
            for (i, w) in words.words.iter().enumerate() {
                let expected = text_words.contains(&w.as_bytes());
                assert_eq!(held[i], expected, "{w:?} in {text:?}");
            }
            let mut sorted = found.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), found.len(), "each word is found once");
            assert_eq!(sorted.len(), held.iter().filter(|&&h| h).count());
        }
    }

    #[test]
    fn inner_words_and_edge_words_share_out_every_word_of_a_quote() {
        let parts = ["tial ab gross domestic pro".to_string(), "Xi".to_string()];
        let mut words = Words::new();
        let ids = words.add(&parts);
        let inner: Vec<&str> = ids
            .iter()
            .map(|&i| words.words[i as usize].as_str())
            .collect();
        assert_eq!(inner, ["gross", "domestic"]);
        // "ab" is too short to look for, and "pro" too, unless it is a whole part like "Xi".
        assert_eq!(edge_words(&parts), ["Xi", "tial"]);
    }

    /// The runs of ASCII letters and digits, found the plain way.
    fn plain_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i > start {
                out.push((start, i));
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn every_byte_is_classed_alike_in_every_place_of_a_chunk() {
        // Each byte value at each place of a 64-byte chunk, among random neighbours.
        let mut rng = 0x1234_5678_9abc_def1;
        for b in 0..=255u8 {
            for place in 0..64 {
                let mut bytes: Vec<u8> = (0..64).map(|_| xorshift(&mut rng) as u8).collect();
                bytes[place] = b;
                let mask = alnum_mask(&bytes, 0);
                for (i, &c) in bytes.iter().enumerate() {
                    let set = mask >> i & 1 == 1;
                    assert_eq!(set, c.is_ascii_alphanumeric(), "{c:#x} at {i}");
                }
            }
        }
    }

    #[test]
    fn word_scans_find_the_runs_of_letters_and_digits() {
        let mut rng = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let len = (xorshift(&mut rng) % 400) as usize;
            // Sometimes separators are rare, so that words run across 64-byte chunks.
            let gap = [2, 4, 10, 80][(xorshift(&mut rng) % 4) as usize];
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if xorshift(&mut rng).is_multiple_of(gap) {
                        b" .-\xc3\xa9_\xff"[(xorshift(&mut rng) % 7) as usize]
                    } else if xorshift(&mut rng).is_multiple_of(8) {
                        xorshift(&mut rng) as u8
                    } else {
                        b"aZ09"[(xorshift(&mut rng) % 4) as usize]
                    }
                })
                .collect();
            let expected = plain_runs(&bytes);
            let shown = String::from_utf8_lossy(&bytes);
            assert_eq!(
                word_ranges(&bytes).collect::<Vec<_>>(),
                expected,
                "{shown:?}"
            );
            let mut long = Vec::new();
            long_words(&bytes, |s, e| long.push((s, e)));
            let expected: Vec<(usize, usize)> = expected
                .into_iter()
                .filter(|(s, e)| e - s >= MIN_WORD)
                .collect();
            assert_eq!(long, expected, "{shown:?}");
        }
    }
}
