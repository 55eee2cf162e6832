//! Where a document's paragraphs start: found from scratch, or after an edit by reading only
//! the lines around it.
//!
//! A paragraph starts at the first line after a run of blank lines, unless the cut would fall
//! inside a comment (or what might be one) or the front matter, or the line is `---` or starts
//! with U+FEFF (see `parse.rs` for why cutting there is sound). Whether a line starts a
//! paragraph depends only on the lines around it and on where the comments are; so after an
//! edit that adds or removes no comment marker, the paragraphs before it stay, the lines from
//! the paragraph before it are read again until a paragraph start that was one before the edit,
//! and the paragraphs after that are the old ones, moved.

/// A text's paragraphs, and the comments that decide where they may be cut.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Paragraphs {
    /// Where each paragraph starts: 0 first, then ascending.
    pub starts: Vec<usize>,
    /// From `<!--` to the end of the first `-->` that starts after it (or the end of the
    /// text), in order; only after the front matter.
    comments: Vec<(usize, usize)>,
}

/// How a text changed: `old[lo..old_hi]` became `new[lo..new_hi]`, and the rest is as it was.
/// It may cover more than what changed (an editor's several changes, merged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextChange {
    /// Where the change starts, in both texts.
    pub lo: usize,
    /// Where it ends in the old text.
    pub old_hi: usize,
    /// Where it ends in the new text.
    pub new_hi: usize,
}

impl TextChange {
    /// The smallest edit that turns `old` into `new`, or `None` when they are equal.
    pub fn between(old: &str, new: &str) -> Option<TextChange> {
        let (old, new) = (old.as_bytes(), new.as_bytes());
        let lo = common_prefix(old, new);
        if lo == old.len() && lo == new.len() {
            return None;
        }
        let suffix = common_suffix(&old[lo..], &new[lo..]);
        Some(TextChange {
            lo,
            old_hi: old.len() - suffix,
            new_hi: new.len() - suffix,
        })
    }

    /// The edit that replaces `old[start..end]` with `len` bytes.
    pub fn replace(start: usize, end: usize, len: usize) -> TextChange {
        TextChange {
            lo: start,
            old_hi: end,
            new_hi: start + len,
        }
    }

    /// This edit followed by `next` (whose offsets are in the text this one made), as one
    /// edit of the first text: the smallest range that covers both.
    pub fn then(self, next: TextChange) -> TextChange {
        let grown = next.old_hi.saturating_sub(self.new_hi);
        TextChange {
            lo: self.lo.min(next.lo),
            old_hi: self.old_hi + grown,
            new_hi: (self.new_hi.max(next.old_hi) as isize + next.delta()) as usize,
        }
    }

    /// How far the text after the edit moved.
    pub fn delta(self) -> isize {
        self.new_hi as isize - self.old_hi as isize
    }

    /// Whether this can be an edit from a text of `old_len` bytes to `new`.
    pub(crate) fn fits(self, old_len: usize, new: &str) -> bool {
        self.lo <= self.old_hi
            && self.old_hi <= old_len
            && self.lo <= self.new_hi
            && self.new_hi <= new.len()
            && old_len - self.old_hi == new.len() - self.new_hi
            && new.is_char_boundary(self.lo)
            && new.is_char_boundary(self.new_hi)
    }
}

/// What a caller knows of how a text differs from the text it last handed to a cache: an
/// editor says what it changed, so the cache needs neither a copy of the old text nor a
/// comparison with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// The same text.
    Same,
    /// This range changed (several changes, merged).
    Changed(TextChange),
    /// Not known (the cache has not seen the text, or the caller lost track): the text is
    /// parsed and checked whole.
    Unknown,
}

impl Since {
    /// Note one more change of the text: the bytes it replaced, or `None` if it replaced
    /// none.
    pub fn record(&mut self, change: Option<TextChange>) {
        *self = match (*self, change) {
            (since, None) => since,
            (Since::Unknown, Some(_)) => Since::Unknown,
            (Since::Same, Some(c)) => Since::Changed(c),
            (Since::Changed(a), Some(b)) => Since::Changed(a.then(b)),
        };
    }

    /// Note that the text `old` (`None`: one not known) was replaced with `new`, by comparing
    /// the two: a text opened, closed or read again from disk is most often the same, or
    /// nearly, and is then not parsed whole.
    pub fn replaced(&mut self, old: Option<&str>, new: &str) {
        match old {
            Some(old) => self.record(TextChange::between(old, new)),
            None => *self = Since::Unknown,
        }
    }
}

/// The length of the common prefix of `a` and `b`: blocks compared with `memcmp` first.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// What an edit left as it was: the old paragraphs `..prefix` are the new ones unchanged, and
/// the old paragraphs from `suffix_from` on are the new last ones, moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kept {
    pub prefix: usize,
    pub suffix_from: usize,
}

impl Paragraphs {
    /// The paragraphs of `text`, from scratch.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let Some(at) = front_matter_end(text) else {
            return Self {
                starts,
                comments: Vec::new(),
            };
        };
        let comments = comments_from(text, at);
        scan(text, at, false, &comments, &mut starts, |_, _| false);
        Self { starts, comments }
    }

    /// Some paragraph starts of `text`: for each of `near` (ascending), the first start after
    /// the line that holds it, so that a large text can be cut into pieces of about the sizes
    /// wanted without reading all its lines. Ascending, without repeats, never 0.
    pub fn starts_near(text: &str, near: &[usize]) -> Vec<usize> {
        let Some(at) = front_matter_end(text) else {
            return Vec::new();
        };
        let comments = comments_from(text, at);
        let mut found: Vec<usize> = Vec::new();
        for &target in near {
            let from = found.last().copied().unwrap_or(0).max(at).max(target);
            // The next non-blank line: reading from there is reading as a whole scan does once
            // it is past that line, so the first start found is one the whole scan finds.
            let Some((line, _, _)) = lines_from(text, line_start_after(text, from))
                .find(|&(line, end, _)| !is_blank(&text[line..end]) || end == text.len())
            else {
                break;
            };
            let mut starts = vec![line];
            if scan(text, line, true, &comments, &mut starts, |_, _| true) {
                found.push(starts[1]);
            }
        }
        found
    }

    /// Update the paragraphs for `new`, which `edit` made from the text they were found in
    /// (`None`: the same text); what was kept. Reads only the lines around the edit when it
    /// lies past the first two paragraphs (the first holds the front matter, and reading
    /// starts a paragraph before the edit) and neither adds nor removes a comment; else starts
    /// over.
    pub fn edit(&mut self, new: &str, edit: Option<TextChange>) -> Kept {
        let old_n = self.starts.len();
        let Some(e) = edit else {
            return Kept {
                prefix: old_n,
                suffix_from: old_n,
            };
        };
        match self.edit_locally(new, e) {
            Some(kept) => kept,
            None => {
                *self = Self::new(new);
                Kept {
                    prefix: 0,
                    suffix_from: old_n,
                }
            }
        }
    }

    fn edit_locally(&mut self, new: &str, e: TextChange) -> Option<Kept> {
        // The last paragraph that starts before the edit; reading starts at the one before it,
        // whose first line ends before the edit (a paragraph's first line decides its cut).
        let before = self.starts.partition_point(|&s| s < e.lo).checked_sub(1)?;
        if before < 2 {
            return None;
        }
        // Only the markers that open or close a comment decide where comments are (one inside
        // a comment, or a `-->` outside one, is never read): the edit must not touch those,
        // nor make a new marker.
        let window = &new.as_bytes()[e.lo.saturating_sub(3)..(e.new_hi + 3).min(new.len())];
        let near = |x: usize| x + 4 >= e.lo && x <= e.old_hi + 4;
        if memchr::memmem::find(window, b"<!--").is_some()
            || memchr::memmem::find(window, b"-->").is_some()
            || self.comments.iter().any(|&(s, end)| near(s) || near(end))
        {
            return None;
        }
        // No marker moved relative to another: a comment before the edit stays, one after it
        // moves, and one around it grows or shrinks.
        let delta = e.delta();
        for c in &mut self.comments {
            if c.0 > e.old_hi {
                c.0 = c.0.wrapping_add_signed(delta);
            }
            if c.1 > e.old_hi {
                c.1 = c.1.wrapping_add_signed(delta);
            }
        }
        let from = self.starts[before - 1];
        let old_starts = std::mem::take(&mut self.starts);
        let mut starts = old_starts[..before].to_vec();
        // Read until a start past the edit, after a blank run that is past it too, that was a
        // start before the edit: from there on, old and new agree.
        let mut suffix_from = old_starts.len();
        let converged = scan(
            new,
            from,
            true,
            &self.comments,
            &mut starts,
            |line, blank| {
                if blank <= e.new_hi {
                    return false;
                }
                let was = line.wrapping_add_signed(-delta);
                match old_starts[before..].binary_search(&was) {
                    Ok(k) => {
                        suffix_from = before + k + 1;
                        true
                    }
                    Err(_) => false,
                }
            },
        );
        if converged {
            starts.extend(
                old_starts[suffix_from..]
                    .iter()
                    .map(|s| s.wrapping_add_signed(delta)),
            );
        }
        self.starts = starts;
        Some(Kept {
            prefix: before - 1,
            suffix_from,
        })
    }
}

/// Where the front matter ends (0 when there is none), or `None` when it is not closed (the
/// parser then has no front matter, and the document is never cut).
fn front_matter_end(text: &str) -> Option<usize> {
    // Only when the very first line is `---`; never cut before its end. A byte order mark does
    // not hide the front matter.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let (first_end, next) = line_at(text, bom);
    if text[bom..first_end].trim_end() != "---" {
        return Some(0);
    }
    let mut line = next;
    while line < text.len() {
        let (end, after) = line_at(text, line);
        if text[line..end].trim_end() == "---" {
            return Some(after);
        }
        line = after;
    }
    None
}

/// The start of the first line that starts at or after `at`.
fn line_start_after(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if at == 0 || matches!(bytes.get(at - 1), Some(b'\n')) {
        return at;
    }
    if bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) != Some(&b'\n') {
        return at;
    }
    match memchr::memchr2(b'\n', b'\r', &bytes[at..]) {
        Some(i) if bytes[at + i] == b'\r' && bytes.get(at + i + 1) == Some(&b'\n') => at + i + 2,
        Some(i) => at + i + 1,
        None => text.len(),
    }
}

/// The comments from `at` on, conservatively: from `<!--` to the first `-->` that starts
/// after it.
fn comments_from(text: &str, at: usize) -> Vec<(usize, usize)> {
    let mut comments = Vec::new();
    let mut from = at;
    // SIMD substring search: `str::find` was a tenth of a keystroke's analysis.
    let (open, close) = (
        memchr::memmem::Finder::new("<!--"),
        memchr::memmem::Finder::new("-->"),
    );
    while let Some(i) = open.find(&text.as_bytes()[from..]) {
        let s = from + i;
        match close.find(&text.as_bytes()[s + 4..]) {
            Some(j) => {
                comments.push((s, s + 4 + j + 3));
                from = s + 4 + j + 3;
            }
            None => {
                comments.push((s, text.len()));
                break;
            }
        }
    }
    comments
}

/// Read the lines of `text` from `at` (a line start; `saw_text` if text came before it) and
/// push every paragraph start found after the last of `starts`. Stops after pushing a start
/// for which `stop(start, blank run start)` holds, and says whether it did.
fn scan(
    text: &str,
    at: usize,
    mut saw_text: bool,
    comments: &[(usize, usize)],
    starts: &mut Vec<usize>,
    mut stop: impl FnMut(usize, usize) -> bool,
) -> bool {
    // The comments are in order and do not overlap, so the first that ends after a position
    // is the only one that can hold it.
    let first_ending_after =
        |pos: usize| comments.get(comments.partition_point(|&(_, e)| e <= pos));
    let in_comment = |pos: usize| first_ending_after(pos).is_some_and(|&(s, _)| s < pos);
    let mut blank_run_start: Option<usize> = None;
    for (line, end, _) in lines_from(text, at) {
        let content = &text[line..end];
        if is_blank(content) && end < text.len() {
            if saw_text && blank_run_start.is_none() {
                blank_run_start = Some(line);
            }
        } else {
            if let Some(blank) = blank_run_start.take() {
                // A paragraph break from the line ending before `blank` to here.
                let cut_ok = !in_comment(blank.saturating_sub(1))
                    && !in_comment(line)
                    && first_ending_after(blank).is_none_or(|&(s, _)| s >= line)
                    && content.trim_end() != "---"
                    // Parsed on its own, a paragraph starting with U+FEFF would take it for
                    // a byte order mark, which only the document's first character can be.
                    && !content.starts_with('\u{feff}');
                if cut_ok && line > *starts.last().unwrap_or(&0) {
                    starts.push(line);
                    if stop(line, blank) {
                        return true;
                    }
                }
            }
            saw_text = true;
        }
    }
    false
}

/// The offsets where paragraphs start, from scratch.
#[cfg(test)]
pub(crate) fn paragraph_starts(text: &str) -> Vec<usize> {
    Paragraphs::new(text).starts
}

/// The end of the line starting at `at`, and where the next line starts.
fn line_at(text: &str, at: usize) -> (usize, usize) {
    lines_from(text, at)
        .next()
        .map_or((text.len(), text.len()), |(_, end, after)| (end, after))
}

/// The lines from `at` (a line start) on: start, end before the line ending, and where the
/// next line starts. One searcher for all of them: a search per line cost more than the
/// search itself on a brief of short lines.
fn lines_from(text: &str, at: usize) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut ends = memchr::memchr2_iter(b'\n', b'\r', &bytes[at..]).map(move |i| at + i);
    let mut start = at;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let line = start;
        let (end, after) = loop {
            match ends.next() {
                // The `\n` of a `\r\n` that ended the line before.
                Some(e) if e < line => continue,
                Some(e) if bytes[e] == b'\r' && bytes.get(e + 1) == Some(&b'\n') => {
                    break (e, e + 2);
                }
                Some(e) => break (e, e + 1),
                None => break (bytes.len(), bytes.len()),
            }
        };
        start = after;
        Some((line, end, after))
    })
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a cache is told: edits merge, an edit that changed nothing leaves it as it was,
    /// a replaced text is compared with the one it replaced, and nothing turns an unknown
    /// text into a known one.
    #[test]
    fn since_records_edits_and_replaced_texts() {
        let mut since = Since::Same;
        since.record(None);
        assert_eq!(since, Since::Same);
        since.record(Some(TextChange::replace(2, 2, 1)));
        since.record(Some(TextChange::replace(3, 3, 1)));
        assert_eq!(since, Since::Changed(TextChange::replace(2, 2, 2)));
        since.record(None);
        assert_eq!(since, Since::Changed(TextChange::replace(2, 2, 2)));
        let mut same = Since::Same;
        same.replaced(Some("opened as saved"), "opened as saved");
        assert_eq!(same, Since::Same);
        same.replaced(Some("opened as saved"), "opened as typed");
        assert_eq!(same, Since::Changed(TextChange::replace(10, 13, 3)));
        let mut fresh = Since::Same;
        fresh.replaced(None, "a text nobody saw");
        assert_eq!(fresh, Since::Unknown);
        fresh.record(Some(TextChange::replace(0, 0, 1)));
        fresh.replaced(Some("a"), "a");
        assert_eq!(fresh, Since::Unknown);
    }

    #[test]
    fn the_smallest_edit_between_two_texts() {
        assert_eq!(TextChange::between("abc", "abc"), None);
        let e = |lo, old_hi, new_hi| Some(TextChange { lo, old_hi, new_hi });
        assert_eq!(TextChange::between("abc", "abxc"), e(2, 2, 3));
        assert_eq!(TextChange::between("aaa", "aa"), e(2, 3, 2));
        assert_eq!(TextChange::between("", "x"), e(0, 0, 1));
        let long = "x".repeat(1000);
        let edited = format!("{}y{}", &long[..600], &long[600..]);
        assert_eq!(TextChange::between(&long, &edited), e(600, 600, 601));
        let other = format!("{}y{}", &long[..600], &long[601..]);
        assert_eq!(TextChange::between(&long, &other), e(600, 601, 601));
    }

    /// Changes merged one after another describe the text they made: what lies outside the
    /// merged range is the same in the first and the last text.
    #[test]
    fn merged_changes_cover_every_change() {
        let mut rng = crate::test_rng::Rng(0x5851_f42d_4c95_7f2d);
        for _ in 0..2_000 {
            let first = "abcdefghij".repeat(1 + rng.below(3));
            let mut text = first.clone();
            let mut merged: Option<TextChange> = None;
            for _ in 0..1 + rng.below(5) {
                let a = rng.below(text.len() + 1);
                let b = a + rng.below(text.len() - a + 1);
                let new = "XY"[..rng.below(3)].to_string();
                text.replace_range(a..b, &new);
                let one = TextChange::replace(a, b, new.len());
                merged = Some(merged.map_or(one, |m| m.then(one)));
            }
            let m = merged.unwrap();
            assert!(
                m.fits(first.len(), &text),
                "{m:?} from {first:?} to {text:?}"
            );
            assert_eq!(first[..m.lo], text[..m.lo]);
            assert_eq!(first[m.old_hi..], text[m.new_hi..]);
        }
    }

    /// After random edits of every fixture, the paragraphs (and comments) are those found
    /// from scratch; and many edits (the fixtures are short) were handled by reading only the
    /// lines around them.
    #[test]
    fn edited_paragraphs_are_found_as_from_scratch() {
        let pieces = [
            "\n", "\n\n", "\n \n", "<!--", "-->", "-", "<", ">", "!", "---\n", "x", " ", "\r\n",
            "\r", "\u{feff}", "é", "[a]{#a}",
        ];
        let mut rng = crate::test_rng::Rng(0x9e37_79b9_7f4a_7c15);
        let (mut local, mut edits) = (0, 0);
        for (round, mut text) in super::super::parse::tests::corpus()
            .into_iter()
            .cycle()
            .take(200)
            .enumerate()
        {
            let mut para = Paragraphs::new(&text);
            for _ in 0..20 {
                let bounds: Vec<usize> = (text.char_indices().map(|(i, _)| i))
                    .chain([text.len()])
                    .collect();
                let a = bounds[rng.below(bounds.len())];
                let b = (bounds.iter().copied())
                    .filter(|&x| x >= a && x <= a + 8)
                    .nth(rng.below(3))
                    .unwrap_or(a);
                let mut new = text.clone();
                new.replace_range(a..b, pieces[rng.below(pieces.len())]);
                let kept = para.edit(&new, TextChange::between(&text, &new));
                let fresh = Paragraphs::new(&new);
                assert_eq!(para, fresh, "round {round}: {text:?} -> {new:?}");
                assert!(kept.prefix <= kept.suffix_from);
                edits += 1;
                local += usize::from(kept.prefix > 0);
                text = new;
            }
        }
        assert!(
            local * 5 > edits,
            "only {local} of {edits} edits were local"
        );
    }
}
