//! Parsing after an edit: the document is cut into paragraphs and only the paragraphs whose
//! text changed are parsed again, with [`mica_syntax::parse`] itself.
//!
//! This is sound because of how the grammar recovers: a paragraph break (a line ending
//! followed by blank lines) ends every construct that could span it (claims, attribute lists,
//! strings, `@source` lines) except comments and the front matter, so the parse of a
//! document is the parse of its paragraphs laid end to end. The cut is never made inside a
//! comment (or what might be one), inside the front matter, or before a line `---` (which
//! would read as front matter on its own). The differential test below checks the claim on
//! every fixture in the repository and on random edits of them.
//!
//! Length: about 515 lines of code and 270 of tests. The differential tests compare this
//! module's paragraph-wise and piece-wise parses with whole ones, so they stay beside the
//! code they check.

use super::paragraphs::{Kept, Paragraphs, Since, TextChange};
use super::shift::Shift;
use mica_syntax::{Claim, Document, Parse};
use std::ops::Range;
use std::sync::Arc;

/// How many items of each kind one paragraph's parse holds: its share of the document's
/// vectors, which are the paragraphs' vectors laid end to end.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    sources: usize,
    claims: usize,
    headings: usize,
    comments: usize,
    errors: usize,
}

impl Counts {
    fn of(p: &Parse) -> Self {
        Self {
            sources: p.document.sources.len(),
            claims: p.document.claims.len(),
            headings: p.document.headings.len(),
            comments: p.document.comments.len(),
            errors: p.errors.len(),
        }
    }

    fn add(self, o: Packed) -> Self {
        let [sources, claims, headings, comments, errors] = o.0.map(|n| n as usize);
        Self {
            sources: self.sources + sources,
            claims: self.claims + claims,
            headings: self.headings + headings,
            comments: self.comments + comments,
            errors: self.errors + errors,
        }
    }

    /// The counts of the paragraphs `c`.
    fn sum(c: &[Packed]) -> Self {
        c.iter().fold(Self::default(), |a, n| a.add(*n))
    }
}

/// [`Counts`] as the cache keeps them for each paragraph, in 32 bits: a large document has
/// about as many paragraphs as claims, and a text holds fewer items than bytes, of which it
/// has at most [`mica_syntax::text::MAX_TEXT`].
#[derive(Clone, Copy, Debug, Default)]
struct Packed([u32; 5]);

impl From<Counts> for Packed {
    fn from(c: Counts) -> Self {
        Self([c.sources, c.claims, c.headings, c.comments, c.errors].map(|n| n as u32))
    }
}

/// What the last [`ParseCache::parse`] changed, for the check that follows: claims
/// `0..before` are the old ones, unmoved; the old claims `before..before + removed` were
/// replaced by the new `before..before + inserted`; and the claims after them are the old
/// ones, moved by `delta` bytes. The same holds of the text: the paragraphs from
/// `region.0` to `region.1` (in the old text) were replaced, and what follows moved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimChange {
    /// Whether every paragraph was parsed again (nothing can be kept).
    pub whole: bool,
    /// Claims kept before the edit.
    pub before: usize,
    /// Old claims replaced.
    pub removed: usize,
    /// New claims in their place.
    pub inserted: usize,
    /// How far the claims after the edit moved, in bytes.
    pub delta: isize,
    /// The old text's replaced paragraphs, as a byte range.
    pub region: (usize, usize),
    /// Whether a source declaration was there, before or after.
    pub sources_changed: bool,
    /// Whether a syntax error was there, before or after, or the first paragraph (which
    /// holds the front matter) changed.
    pub errors_changed: bool,
    /// The old claims that were replaced.
    pub old_claims: Vec<Claim>,
    /// The edit, as the old and new texts differ (none when they are equal).
    pub(crate) edit: Option<TextChange>,
}

/// The last version of a document: its text, its paragraphs with their parses, and the
/// document's parse, which an edit updates in place.
#[derive(Default)]
pub struct ParseCache {
    /// The last text, while the caller hands over whole texts to compare ([`Self::parse`]);
    /// none while it says what changed ([`Self::parse_edited`]).
    text: Option<String>,
    /// The last text's length.
    len: usize,
    paragraphs: Paragraphs,
    /// How many items of each kind every paragraph holds.
    chunks: Vec<Packed>,
    flat: Arc<Parse>,
    /// After [`Self::parse_edited_unmoved`]: the claims from this index on are still where
    /// they were before the edit, this many bytes before where they are now.
    unmoved: Option<(usize, isize)>,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache")
            .field("paragraphs", &self.chunks.len())
            .finish()
    }
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse `text`, reusing the paragraphs that the last call saw; the result equals
    /// [`mica_syntax::parse`]`(text)`. What changed is found by comparing `text` with the last
    /// text, which the cache keeps a copy of; [`Self::parse_edited`] needs neither.
    pub fn parse(&mut self, text: &str) -> (Arc<Parse>, ClaimChange) {
        let edit = self
            .text
            .as_deref()
            .map(|old| TextChange::between(old, text));
        self.settle();
        let out = self.update(text, edit, false);
        let mut kept = self.text.take().unwrap_or_default();
        kept.clear();
        kept.push_str(text);
        self.text = Some(kept);
        out
    }

    /// Parse `text`, which differs from the text of the last call as `since` says, as
    /// [`Self::parse`] does, keeping no copy of it. An edit that cannot be one from the last
    /// text (its offsets do not fit the two lengths), or an unknown one, parses everything.
    pub fn parse_edited(&mut self, text: &str, since: Since) -> (Arc<Parse>, ClaimChange) {
        let change = self.parse_edited_unmoved(text, since);
        (self.settle(), change)
    }

    /// Like [`Self::parse_edited`], but the claims after the edit are not moved yet: the
    /// parse is not one of `text` until [`Self::settle`] moves them, which a checker does once
    /// it knows the diagnostics (moving every claim of a long document after a keystroke cost
    /// more than the rest of its analysis). The claims the edit replaced are in place. Every
    /// other call settles first.
    pub(crate) fn parse_edited_unmoved(&mut self, text: &str, since: Since) -> ClaimChange {
        self.settle();
        self.text = None;
        let edit = match since {
            Since::Same => (self.len == text.len()).then_some(None),
            Since::Changed(e) => e.fits(self.len, text).then_some(Some(e)),
            Since::Unknown => None,
        };
        let (_, change) = self.update(text, edit, true);
        change
    }

    /// The parse of the last text, with the claims after its edit moved to where they are.
    /// Moving them changes the parse in place when no analysis holds it still.
    pub(crate) fn settle(&mut self) -> Arc<Parse> {
        if let Some((from, delta)) = self.unmoved.take() {
            let claims = &mut Arc::make_mut(&mut self.flat).document.claims;
            Claim::shift_all(&mut claims[from..], delta);
        }
        Arc::clone(&self.flat)
    }

    /// Whether the claims after the last edit are where they are in its text.
    #[cfg(test)]
    pub(crate) fn is_settled(&self) -> bool {
        self.unmoved.is_none()
    }

    /// The parse of the last text as it is: with the claims after the edit not moved yet
    /// while [`Self::settle`] has not run. For reading the claims the edit replaced; it must
    /// be dropped before the next call, or settling copies the parse.
    pub(crate) fn unsettled(&self) -> Arc<Parse> {
        Arc::clone(&self.flat)
    }

    /// Parse `text` after `edit` (`None`: unknown, so every paragraph is parsed).
    ///
    /// An edit changes a run of paragraphs: the paragraphs before it and after it keep their
    /// bounds and text, and only the run between them is parsed. The document's parse is
    /// then updated in place: the run's items are replaced and the items after it moved. It
    /// is shared with the analyses made from it, and copied first only while one of them is
    /// still in use.
    fn update(
        &mut self,
        text: &str,
        edit: Option<Option<TextChange>>,
        defer: bool,
    ) -> (Arc<Parse>, ClaimChange) {
        debug_assert!(self.unmoved.is_none());
        let old_starts = self.paragraphs.starts.clone();
        let old_len = std::mem::replace(&mut self.len, text.len());
        let kept = match edit {
            Some(e) if !self.chunks.is_empty() => Some((e, self.paragraphs.edit(text, e))),
            _ => {
                self.paragraphs = Paragraphs::new(text);
                None
            }
        };
        let starts = &self.paragraphs.starts;
        debug_assert_eq!(*starts, Paragraphs::new(text).starts);
        let old_n = self.chunks.len();
        let (prefix, suffix) = kept.map_or((0, 0), |(e, k)| {
            unchanged(&old_starts, old_len, starts, text.len(), e, k)
        });
        let edit = kept.and_then(|(e, _)| e);
        let whole = prefix + suffix == 0;
        let claims_before = self.flat.document.claims.len();
        // The new run of paragraphs, each parsed on its own, and the old run it replaces.
        let mid_new = prefix..starts.len() - suffix;
        let mid_old = prefix..old_n - suffix;
        let (run, counts) = parse_run(text, starts, mid_new.clone());
        let fresh_claims = run.document.claims.len();
        let before = Counts::sum(&self.chunks[..prefix]);
        // Everything, when the cache holds no paragraphs (a first parse).
        let removed = if old_n == 0 {
            Counts::of(&self.flat)
        } else {
            Counts::sum(&self.chunks[mid_old.clone()])
        };
        let old_suffix_start = old_starts.get(mid_old.end).copied().unwrap_or(old_len);
        let new_suffix_start = starts.get(mid_new.end).copied().unwrap_or(text.len());
        let delta = new_suffix_start as isize - old_suffix_start as isize;

        let region_start = old_starts.get(prefix).copied().unwrap_or(0);
        let (sources_before, errors_before) =
            (self.flat.document.sources.len(), self.flat.errors.len());
        let flat = Arc::make_mut(&mut self.flat);
        let Parse { document, errors } = flat;
        // The new paragraphs' items take the place of the old ones in the document's parse:
        // the cache keeps only how many items each paragraph has.
        let Parse {
            document:
                Document {
                    front_matter,
                    sources,
                    claims,
                    headings,
                    comments,
                },
            errors: new_errors,
        } = run;
        splice(
            &mut document.sources,
            before.sources,
            removed.sources,
            delta,
            sources,
        );
        let old_claims = splice(
            &mut document.claims,
            before.claims,
            removed.claims,
            if defer { 0 } else { delta },
            claims,
        );
        let after = before.claims + fresh_claims;
        if defer && delta != 0 && after < document.claims.len() {
            self.unmoved = Some((after, delta));
        }
        splice(
            &mut document.headings,
            before.headings,
            removed.headings,
            delta,
            headings,
        );
        splice(
            &mut document.comments,
            before.comments,
            removed.comments,
            delta,
            comments,
        );
        splice(errors, before.errors, removed.errors, delta, new_errors);
        // The front matter can only be in the first paragraph (a later one never starts with
        // `---`, so it has none even when it becomes the first); it changes only when that
        // paragraph was parsed again or removed (then a kept paragraph comes first, with none).
        if prefix == 0 {
            document.front_matter = front_matter;
        }
        let inserted = fresh_claims;
        self.chunks.splice(mid_old, counts);
        debug_assert_eq!(self.chunks.len(), self.paragraphs.starts.len());
        let change = ClaimChange {
            whole: whole
                || claims_before != self.flat.document.claims.len() + removed.claims - inserted,
            before: before.claims,
            removed: removed.claims,
            inserted,
            delta,
            region: (region_start, old_suffix_start),
            sources_changed: removed.sources > 0
                || self.flat.document.sources.len() + removed.sources != sources_before,
            errors_changed: prefix == 0
                || removed.errors > 0
                || self.flat.errors.len() + removed.errors != errors_before,
            old_claims,
            edit,
        };
        (Arc::clone(&self.flat), change)
    }
}

/// Parse `text` as [`mica_syntax::parse`] does, in pieces on the rayon pool when it is large:
/// cut at paragraph starts (where the parse of the whole is the parses of the pieces laid end
/// to end) into about twice as many pieces as there are threads.
pub fn parse_in_parallel(text: &str) -> Parse {
    const LARGE: usize = 1 << 20;
    let pieces = 2 * rayon::current_num_threads();
    if text.len() < LARGE || pieces < 4 {
        return mica_syntax::parse(text);
    }
    parse_in_pieces(text, pieces)
}

/// Parse `text` in up to `pieces` pieces of about the same size, in parallel.
fn parse_in_pieces(text: &str, pieces: usize) -> Parse {
    use rayon::prelude::*;
    let near: Vec<usize> = (1..pieces).map(|k| k * text.len() / pieces).collect();
    let mut cuts = vec![0];
    cuts.extend(Paragraphs::starts_near(text, &near));
    cuts.push(text.len());
    let parts: Vec<(isize, Parse)> = cuts
        .par_windows(2)
        .map(|w| (w[0] as isize, mica_syntax::parse(&text[w[0]..w[1]])))
        .collect();
    concat(parts)
}

/// The parses `parts`, each moved by its number of bytes, laid end to end in vectors of
/// their exact size: a vector grown piece by piece would hold up to twice the room its
/// claims need, and both buffers while it grows. The front matter is the first part's.
fn concat(parts: Vec<(isize, Parse)>) -> Parse {
    let mut whole = Parse::default();
    let total = |f: fn(&Parse) -> usize| parts.iter().map(|(_, p)| f(p)).sum::<usize>();
    let doc = &mut whole.document;
    doc.sources
        .reserve_exact(total(|p| p.document.sources.len()));
    doc.claims.reserve_exact(total(|p| p.document.claims.len()));
    doc.headings
        .reserve_exact(total(|p| p.document.headings.len()));
    doc.comments
        .reserve_exact(total(|p| p.document.comments.len()));
    whole.errors.reserve_exact(total(|p| p.errors.len()));
    for (k, (d, mut part)) in parts.into_iter().enumerate() {
        if k == 0 {
            whole.document.front_matter = part.document.front_matter.take();
        }
        append(&mut whole, d, &mut part);
    }
    whole
}

/// `items`, each moved by `d` bytes.
fn moved<T: Shift>(d: isize, items: Vec<T>) -> impl Iterator<Item = T> {
    items.into_iter().map(move |mut x| {
        if d != 0 {
            x.shift(d);
        }
        x
    })
}

/// How many paragraphs at the start and at the end an edit left as they were (same bounds,
/// same text): those that end before it, and those that start after it and moved by what it
/// added. `kept` is what the paragraph search already knows, so that neither walk crosses
/// the whole document.
fn unchanged(
    old: &[usize],
    old_len: usize,
    new: &[usize],
    new_len: usize,
    edit: Option<TextChange>,
    kept: Kept,
) -> (usize, usize) {
    let most = old.len().min(new.len());
    // The same text (an edit that replaced nothing with nothing, such as a character typed
    // and deleted before the analysis ran): every paragraph.
    let Some(e) = edit.filter(|e| e.lo != e.old_hi || e.lo != e.new_hi) else {
        return (most, 0);
    };
    let end = |starts: &[usize], k: usize, len: usize| starts.get(k + 1).copied().unwrap_or(len);
    let from = kept.prefix.min(most);
    let prefix = from
        + (from..most)
            .take_while(|&k| {
                old[k] == new[k]
                    && end(old, k, old_len) == end(new, k, new_len)
                    && end(old, k, old_len) <= e.lo
            })
            .count();
    // The paragraphs after the start where the search met the old starts again are known to
    // be moved copies; the walk goes on from there towards the edit.
    let known = (old.len() - kept.suffix_from).min(most - prefix);
    let suffix = known
        + (known..most - prefix)
            .take_while(|&j| {
                let (o, q) = (old[old.len() - 1 - j], new[new.len() - 1 - j]);
                o >= e.old_hi && o.wrapping_add_signed(e.delta()) == q
            })
            .count();
    debug_assert!((0..known).all(|j| {
        let (o, q) = (old[old.len() - 1 - j], new[new.len() - 1 - j]);
        o >= e.old_hi && o.wrapping_add_signed(e.delta()) == q
    }));
    (prefix, suffix)
}

/// The text of paragraph `k` of `text`, whose paragraphs start at `starts`.
fn paragraph<'t>(text: &'t str, starts: &[usize], k: usize) -> &'t str {
    &text[starts[k]..starts.get(k + 1).copied().unwrap_or(text.len())]
}

/// Replace `v[at..at + remove]` with `new` and move what follows by `delta` bytes; the items
/// removed.
fn splice<T: Shift>(v: &mut Vec<T>, at: usize, remove: usize, delta: isize, new: Vec<T>) -> Vec<T> {
    let end = at + new.len();
    let removed = super::replace_range(v, at..at + remove, new);
    if delta != 0 {
        T::shift_all(&mut v[end..], delta);
    }
    removed
}

/// How many paragraphs are parsed on one thread; a longer run is cut into pieces. Tests use a
/// few, so that the documents they edit are parsed in pieces too.
const PARALLEL_RUN: usize = if cfg!(test) { 8 } else { 256 };

/// Paragraphs `run` of `text`, whose paragraphs start at `starts`, each parsed with
/// [`mica_syntax::parse`] and its items moved to where it starts, laid end to end; and how
/// many items of each kind each paragraph has. Each paragraph's items are moved out of its
/// parse before the next is parsed, so that its vectors are freed at once: a parse kept for
/// every paragraph until the end left as many holes in the heap as a document has claims
/// (a quarter of the memory of a large document after it was opened). Many paragraphs (a
/// document opened, or an edit that changed a comment) are parsed in pieces on the rayon
/// pool.
fn parse_run(text: &str, starts: &[usize], run: Range<usize>) -> (Parse, Vec<Packed>) {
    let piece = |run: Range<usize>| {
        let mut whole = Parse::default();
        let mut counts = Vec::with_capacity(run.len());
        for k in run.clone() {
            let mut part = mica_syntax::parse(paragraph(text, starts, k));
            counts.push(Packed::from(Counts::of(&part)));
            if k == run.start {
                whole.document.front_matter = part.document.front_matter.take();
            }
            append(&mut whole, starts[k] as isize, &mut part);
        }
        (whole, counts)
    };
    let pieces = 2 * rayon::current_num_threads();
    if run.len() <= PARALLEL_RUN || pieces < 2 {
        return piece(run);
    }
    use rayon::prelude::*;
    let size = run.len().div_ceil(pieces);
    let parts: Vec<(Parse, Vec<Packed>)> = (run.start..run.end)
        .step_by(size)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|k| piece(k..(k + size).min(run.end)))
        .collect();
    let counts = parts.iter().flat_map(|(_, c)| c.iter().copied()).collect();
    (
        concat(parts.into_iter().map(|(p, _)| (0, p)).collect()),
        counts,
    )
}

/// Move `part`'s items, moved by `d` bytes, to the end of `whole`'s (not its front matter).
fn append(whole: &mut Parse, d: isize, part: &mut Parse) {
    let (doc, p) = (&mut whole.document, &mut part.document);
    doc.sources.extend(moved(d, std::mem::take(&mut p.sources)));
    doc.claims.extend(moved(d, std::mem::take(&mut p.claims)));
    doc.headings
        .extend(moved(d, std::mem::take(&mut p.headings)));
    doc.comments
        .extend(moved(d, std::mem::take(&mut p.comments)));
    whole
        .errors
        .extend(moved(d, std::mem::take(&mut part.errors)));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::paragraphs::paragraph_starts;
    use super::*;
    use std::path::Path;

    /// Every `.mica` and fixture text under the repository's crates and spec folders.
    pub(crate) fn corpus() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        let mut dirs = vec![root.join("spec"), root.join("crates")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                if p.is_dir() {
                    if !name.starts_with('.') && name != "target" && name != "snapshots" {
                        dirs.push(p);
                    }
                } else if (name.ends_with(".mica") || name.ends_with(".fixture"))
                    && let Ok(t) = std::fs::read_to_string(&p)
                {
                    out.push(t);
                }
            }
        }
        assert!(out.len() >= 10, "corpus too small: {}", out.len());
        out
    }

    #[track_caller]
    fn same(text: &str, cache: &mut ParseCache) {
        let whole = mica_syntax::parse(text);
        let (pieces, _) = cache.parse(text);
        assert_eq!(*pieces, whole, "for {text:?}");
    }

    #[test]
    fn paragraphs_parse_as_the_whole_document() {
        let mut cache = ParseCache::new();
        for text in corpus() {
            same(&text, &mut cache);
            // Line endings of every kind.
            same(&text.replace('\n', "\r\n"), &mut cache);
            same(&text.replace('\n', "\r"), &mut cache);
        }
        for text in [
            "---\ntitle: x\n\n---\n\n[a]{#a}\n\n---\nnot front matter\n---\n",
            "<!-- a\n\n[b]{#b}\n\n-->\n\n[c]{#c cite=x}",
            "<!--\n\nunclosed\n\n[x]{#x}",
            "[a\n\nb]{#b}\n\n[c]{ #c\n\n}",
            "@source a \"p\n\nq\" title=x\n\n[x]{cite=a:\"q\n\n\"}",
            "\u{feff}---\nt: x\n---\n\n# H\n\n  \t\n\n## I [c]{#c}\n",
            "<!-->\n\n[x]{#x}\n\n-->",
            "[a]{#a}\n\n\u{feff}---\nt: x\n---\n\n[b]{#b}\n",
            "\u{feff}\n\n\u{feff}---\nt: x\n---\n",
        ] {
            same(text, &mut cache);
        }
    }

    #[test]
    fn random_edits_parse_as_the_whole_document() {
        let pieces = [
            "[", "]", "{", "}", "\"", "\n", "\n\n", "<!--", "-->", "#", "=", ":", "---\n", " ",
            "\\", "@source ", "é", "\r",
        ];
        let seed: u64 = 0x1234_5678_9abc_def1;
        let mut rng = crate::test_rng::Rng(seed);
        let mut rnd = |n: usize| rng.below(n);
        let corpus = corpus();
        let mut cache = ParseCache::new();
        for round in 0..300 {
            let mut text = corpus[round % corpus.len()].clone();
            cache.parse(&text);
            for _ in 0..8 {
                let bounds: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect();
                let a = bounds[rnd(bounds.len())];
                let b = bounds
                    .iter()
                    .copied()
                    .filter(|&x| x >= a && x <= a + 12)
                    .nth(rnd(4))
                    .unwrap_or(a);
                let insert = pieces[rnd(pieces.len())];
                text.replace_range(a..b, insert);
                same(&text, &mut cache);
            }
        }
    }

    proptest::proptest! {
        /// Whole and paragraph-wise parses agree on documents made of the pieces that matter
        /// to paragraphs (breaks, comments, front matter fences, byte order marks), both
        /// from scratch and after an edit.
        #[test]
        fn whole_and_paragraph_parses_agree(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "\u{feff}", "\n", "\n\n", "\r\n\r\n", "---\n", "<!--", "-->", "[x]", "{#a}",
                "{cite=s:\"q\"}", "# H", "@source s \"p\"", " ", "\"", "text", "[", "}",
            ]), 0..40),
            edit in proptest::collection::vec(proptest::sample::select(vec![
                "\u{feff}", "\n\n", "[", "x", "",
            ]), 1..3),
            at in 0usize..1000,
        ) {
            let text: String = parts.concat();
            let mut cache = ParseCache::new();
            proptest::prop_assert_eq!(&*cache.parse(&text).0, &mica_syntax::parse(&text));
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let at = bounds[at % bounds.len()];
            let mut edited = text.clone();
            edited.insert_str(at, &edit.concat());
            proptest::prop_assert_eq!(&*cache.parse(&edited).0, &mica_syntax::parse(&edited));
        }
    }

    /// Cut into pieces at paragraph starts found near given offsets and parsed in parallel,
    /// every fixture, and random edits of them, parse as the whole.
    #[test]
    fn pieces_parse_as_the_whole_document() {
        let mut rng = crate::test_rng::Rng(0xd1b5_4a32_d192_ed03);
        let pieces = [
            "\n\n",
            "<!--",
            "-->",
            "---\n",
            "\r\n\r\n",
            "\u{feff}",
            "[a]{#a}\n\n",
            "\r",
        ];
        let (mut rounds, mut cut_some) = (0, 0);
        for text in corpus() {
            let mut text = text.repeat(1 + rng.below(4));
            for round in 0..6 {
                let whole = mica_syntax::parse(&text);
                for k in 2..7 {
                    let pieces = parse_in_pieces(&text, k);
                    assert_eq!(pieces, whole, "{k} pieces of {text:?}");
                    // The pieces are joined without spare room.
                    let claims = &pieces.document.claims;
                    assert_eq!(claims.capacity(), claims.len(), "{k} pieces of {text:?}");
                }
                let cut = Paragraphs::starts_near(&text, &[text.len() / 3, text.len() / 2]);
                let all = paragraph_starts(&text);
                assert!(
                    cut.iter().all(|c| all.contains(c)),
                    "round {round}: {cut:?}"
                );
                rounds += 1;
                cut_some += usize::from(!cut.is_empty());
                let bounds: Vec<usize> = (text.char_indices().map(|(i, _)| i))
                    .chain([text.len()])
                    .collect();
                let at = bounds[rng.below(bounds.len())];
                text.insert_str(at, pieces[rng.below(pieces.len())]);
            }
        }
        // Most texts were cut: the pieces were really parsed apart.
        assert!(cut_some * 2 > rounds, "cut {cut_some} of {rounds}");
    }

    /// A document opened, or a long run of paragraphs parsed again, is parsed in pieces whose
    /// items are laid end to end in vectors of their exact size, and parses as the whole.
    #[test]
    fn a_long_run_parses_in_pieces_without_spare_room() {
        let one = corpus()
            .into_iter()
            .max_by_key(|t| t.matches("\n\n").count())
            .unwrap();
        let text = one.replace("<!--", "").replace("-->", "").repeat(3);
        assert!(paragraph_starts(&text).len() > 4 * PARALLEL_RUN);
        let mut cache = ParseCache::new();
        let (got, _) = cache.parse_edited(&text, Since::Unknown);
        assert_eq!(*got, mica_syntax::parse(&text));
        let doc = &got.document;
        assert!(doc.claims.len() > 100);
        assert_eq!(doc.claims.capacity(), doc.claims.len());
        assert_eq!(doc.headings.capacity(), doc.headings.len());
        // A comment opened at the start and never closed: every paragraph after it is parsed
        // again, and holds no claim.
        let claims = doc.claims.len();
        drop(got);
        let edited = format!("<!--{text}");
        let (got, change) =
            cache.parse_edited(&edited, Since::Changed(TextChange::replace(0, 0, 4)));
        assert_eq!(*got, mica_syntax::parse(&edited));
        assert_eq!((change.removed, change.inserted), (claims, 0));
    }

    /// Found by an adversarial review: a character typed at the very start and deleted before
    /// the analysis ran merge into an edit that replaced nothing with nothing, which once
    /// dropped the front matter (every paragraph was kept, and the first paragraph's front
    /// matter was taken from the paragraphs parsed again: none).
    #[test]
    fn an_empty_edit_at_the_start_keeps_the_front_matter() {
        let text = "---\ntitle: x\n---\n\n[a]{#a}\n";
        let mut cache = ParseCache::new();
        cache.parse_edited(text, Since::Same);
        let merged = TextChange::replace(0, 0, 1).then(TextChange::replace(0, 1, 0));
        assert_eq!(merged, TextChange::replace(0, 0, 0));
        let (got, _) = cache.parse_edited(text, Since::Changed(merged));
        assert_eq!(*got, mica_syntax::parse(text));
        assert!(got.document.front_matter.is_some());
    }

    /// Found by the fuzzer (`fuzz/run.sh parse`): edits after which the paragraph-wise parse
    /// kept a front matter that a parse of the whole text does not have.
    #[test]
    fn fuzz_found_front_matter_after_edits() {
        fn apply(text: &mut String, at: usize, delete: usize, insert: &str) {
            let floor = |t: &str, mut i: usize| {
                i = i.min(t.len());
                while !t.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let start = floor(text, at % (text.len() + 1));
            let end = floor(text, start.saturating_add(delete));
            text.replace_range(start..end, insert);
        }
        let mut text = String::from("---\r0\n\n\u{c}\u{b}]L\u{13}:\0");
        let edits: [(usize, usize, &str); 5] = [
            (63999, 249, ""),
            (
                65535,
                2,
                ":\u{5}-#=\r\0\r0\r\0\0--\r1\n\n---\r0\n\n\u{c}\u{b}]L\u{c}<\r \\[\r\r \r\0\r\\\r \r\u{13}:\0",
            ),
            (63999, 249, ""),
            (
                65535,
                2,
                ":\u{5}-#=\r\0\r0\r\0\0--\r1\n\n---\r0\n\n\u{c}\u{b}]L\u{c}<\r",
            ),
            (0, 60, ""),
        ];
        let mut cache = ParseCache::new();
        assert_eq!(*cache.parse(&text).0, mica_syntax::parse(&text));
        for (k, (at, delete, insert)) in edits.into_iter().enumerate() {
            apply(&mut text, at, delete, insert);
            assert_eq!(
                *cache.parse(&text).0,
                mica_syntax::parse(&text),
                "after edit {k}: {text:?}"
            );
        }
    }

    #[test]
    fn a_document_is_cut_at_paragraph_breaks_only() {
        let text = "# A\n\n[x]{#x}\n\n<!-- c\n\nd -->\n\n---\nzz\n\n  \nlast";
        let starts = paragraph_starts(text);
        let firsts: Vec<&str> = starts
            .iter()
            .map(|&s| &text[s..(s + 4).min(text.len())])
            .collect();
        assert_eq!(firsts, ["# A\n", "[x]{", "<!--", "last"]);
    }
}
