//! One loaded source document: its original text, line index and normalised text, with the
//! caches that make repeated quote lookups cheap.

use crate::matching::{
    Chain, LineSpan, Occurrences, Part, Passage, QuoteMatch, QuoteOutcome, QuoteQuery, Suggestion,
    find_chains, first_chain, searchable_parts,
};
use crate::normalize::{Normalized, collapse_whitespace, normalize};
use crate::search;
use crate::sentence;
use crate::suggest;
use mica_syntax::{LineIndex, TextRange};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// How many patterns the occurrence cache of one source holds before it is emptied. An editor
/// completing a quote adds a pattern per keystroke; this keeps such a session bounded.
const PATTERN_CACHE_LIMIT: usize = 4096;

/// How many whole-query outcomes (and, separately, suggestions) one source keeps before the
/// cache is emptied.
const OUTCOME_CACHE_LIMIT: usize = 16_384;

/// How many quotes found nowhere wait for their suggestions at most; past this, they are
/// computed when asked for, one pass each.
const PENDING_LIMIT: usize = 1024;

/// How far a completion passage runs at most, in characters, when no sentence ends sooner.
const COMPLETION_CHARS: usize = 120;

/// A query as cached: the quote as written and its line locator.
type QueryKey = (Box<str>, Option<LineSpan>);

/// A source document, normalised once, with quote lookups and suggestions.
pub struct SourceFile {
    /// Shared with every citation's resolution that names this source.
    path: Arc<str>,
    text: String,
    /// The line index, built on first use: the batch checker needs only a few line numbers,
    /// which [`Self::line_of`] counts without it.
    lines: OnceLock<LineIndex>,
    /// The number of line endings, counted on first use.
    line_ends: OnceLock<usize>,
    /// How many bytes [`Self::line_of`] has read without an index.
    line_bytes_counted: AtomicUsize,
    normalized: Normalized,
    /// Occurrences of every pattern looked up so far, by normalised pattern.
    occurrences: RwLock<HashMap<Box<str>, Arc<Occurrences>>>,
    /// Outcomes of whole queries, by the quote as written and its lines: an editor re-checks
    /// the same quotes after every keystroke, and this spares even their normalisation.
    outcomes: RwLock<HashMap<QueryKey, QuoteOutcome>>,
    /// Suggestions already computed, by the same key.
    suggestions: RwLock<HashMap<QueryKey, Option<Suggestion>>>,
    /// Queries found nowhere whose suggestions are not computed yet: the next request for a
    /// suggestion computes them too, in the same pass over the source.
    pending: Mutex<Vec<QueryKey>>,
    /// How many passes over the normalised text were made to find patterns.
    scans: AtomicUsize,
    /// How many of them collected votes for suggestions.
    suggestion_scans: AtomicUsize,
}

/// Counters of a [`SourceFile`]'s pattern cache, to observe that repeated lookups scan nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheStats {
    /// Patterns whose occurrences are cached.
    pub patterns: usize,
    /// Passes made over the normalised text so far.
    pub scans: usize,
    /// Of those, passes that collected votes for suggestions.
    pub suggestion_scans: usize,
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl SourceFile {
    /// A source at workspace-relative `path` (with `/` separators) holding `text`; the text is
    /// normalised here, once.
    pub fn new(path: impl Into<String>, text: String) -> Self {
        let normalized = normalize(&text);
        Self {
            path: Arc::from(path.into()),
            text,
            lines: OnceLock::new(),
            line_ends: OnceLock::new(),
            line_bytes_counted: AtomicUsize::new(0),
            normalized,
            occurrences: RwLock::new(HashMap::new()),
            outcomes: RwLock::new(HashMap::new()),
            suggestions: RwLock::new(HashMap::new()),
            pending: Mutex::new(Vec::new()),
            scans: AtomicUsize::new(0),
            suggestion_scans: AtomicUsize::new(0),
        }
    }

    /// The workspace-relative path, with `/` separators.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// [`Self::path`], shared: what a resolution keeps of its source, so that the citations of
    /// a source do not each hold a copy of its path.
    pub fn shared_path(&self) -> &Arc<str> {
        &self.path
    }

    /// The original text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line index of the original text (built on the first call).
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The zero-based line holding byte `offset` (clamped to the text), as
    /// [`LineIndex::line_of`] gives it. Without a line index yet, the line endings before
    /// `offset` are counted with `memchr` rather than building one; once such counts have
    /// read as many bytes as the text holds, the index is built, so many calls never cost more
    /// than about twice the index.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if let Some(index) = self.lines.get() {
            return index.line_of(offset);
        }
        let read = self.line_bytes_counted.fetch_add(offset, Ordering::Relaxed);
        if read.saturating_add(offset) > self.text.len() {
            return self.lines().line_of(offset);
        }
        line_ends_in(self.text.as_bytes(), 0, offset)
    }

    /// [`Self::line_of`] for many offsets at once, in one pass over the text up to the largest.
    pub fn lines_of(&self, offsets: &[usize]) -> Vec<usize> {
        if let Some(index) = self.lines.get() {
            return offsets.iter().map(|&o| index.line_of(o)).collect();
        }
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_unstable_by_key(|&i| offsets[i]);
        let bytes = self.text.as_bytes();
        let mut out = vec![0; offsets.len()];
        let (mut at, mut line) = (0, 0);
        for i in order {
            let o = offsets[i].min(bytes.len());
            line += line_ends_in(bytes, at, o);
            at = o;
            out[i] = line;
        }
        out
    }

    /// The normalised text and its map back to the original.
    pub fn normalized(&self) -> &Normalized {
        &self.normalized
    }

    /// The state of the pattern cache.
    pub fn cache_stats(&self) -> CacheStats {
        CacheStats {
            patterns: self.occurrences.read().map_or(0, |c| c.len()),
            scans: self.scans.load(Ordering::Relaxed),
            suggestion_scans: self.suggestion_scans.load(Ordering::Relaxed),
        }
    }

    /// The number of lines as a reader counts them: a final line ending does not start another
    /// line, and an empty text has one (empty) line.
    pub fn line_count(&self) -> usize {
        let ends = *self.line_ends.get_or_init(|| {
            let bytes = self.text.as_bytes();
            line_ends_in(bytes, 0, bytes.len())
        });
        let n = ends + 1;
        if n > 1 && self.text.ends_with(['\n', '\r']) {
            n - 1
        } else {
            n
        }
    }

    /// The byte range of the 1-based inclusive `lines`, from the start of the first line to the
    /// end of the last one (without its line ending); `None` if the span starts at 0, starts
    /// after its end, or ends past [`Self::line_count`].
    pub fn line_span_range(&self, lines: LineSpan) -> Option<TextRange> {
        if lines.start == 0 || lines.start > lines.end || lines.end > self.line_count() {
            return None;
        }
        let start = self.lines().line_range(lines.start - 1)?.start();
        let end = self
            .lines()
            .line_content_range(&self.text, lines.end - 1)?
            .end();
        Some(TextRange::new(start, end))
    }

    /// Resolve `queries` against this source. All patterns (quotes and the parts of elided
    /// quotes) not yet in the cache are found in one Aho-Corasick pass over the normalised text;
    /// patterns already looked up cost no scan at all.
    pub fn find_quotes(&self, queries: &[QuoteQuery<'_>]) -> Vec<QuoteOutcome> {
        let mut out: Vec<Option<QuoteOutcome>> = {
            let cache = read(&self.outcomes);
            queries
                .iter()
                .map(|q| cache.get(&(Box::from(q.quote), q.lines)).cloned())
                .collect()
        };
        let missing: Vec<usize> = (0..queries.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let parts: Vec<Option<Vec<String>>> = missing
                .iter()
                .map(|&i| searchable_parts(queries[i].quote))
                .collect();
            let occ = self.occurrences(parts.iter().flatten().flatten().map(String::as_str));
            let mut cache = write(&self.outcomes);
            if cache.len() + missing.len() > OUTCOME_CACHE_LIMIT {
                cache.clear();
            }
            let mut pending = lock(&self.pending);
            for (&i, p) in missing.iter().zip(&parts) {
                let outcome = match p {
                    Some(p) => self.resolve(p, queries[i].lines, &occ),
                    None => QuoteOutcome::NotFound,
                };
                if outcome == QuoteOutcome::NotFound && pending.len() < PENDING_LIMIT {
                    pending.push((Box::from(queries[i].quote), queries[i].lines));
                }
                cache.insert(
                    (Box::from(queries[i].quote), queries[i].lines),
                    outcome.clone(),
                );
                out[i] = Some(outcome);
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or(QuoteOutcome::NotFound))
            .collect()
    }

    /// Resolve one quote; see [`Self::find_quotes`].
    pub fn find_quote(&self, query: QuoteQuery<'_>) -> QuoteOutcome {
        self.find_quotes(&[query])
            .pop()
            .unwrap_or(QuoteOutcome::NotFound)
    }

    /// The closest passage to `quote`, for a quote that was not found, or `None` when nothing is
    /// close (similarity below 0.6, or no shared q-grams at all), or when a part of the quote
    /// that does not occur is longer than [`crate::MAX_SUGGESTION_CHARS`] characters. With
    /// `lines`, a passage within those lines is preferred, and the whole file is searched when
    /// there is none.
    ///
    /// For an elided quote every part is looked up (exactly if it occurs, approximately if not),
    /// and the suggestion joins the parts' passages with ` ... `.
    ///
    /// Each call not answered from the cache makes one pass over the source; to suggest for
    /// several quotes of one source, [`Self::suggest_many`] makes one pass for all of them.
    pub fn suggest(&self, quote: &str, lines: Option<LineSpan>) -> Option<Suggestion> {
        self.suggest_many(&[QuoteQuery { quote, lines }])
            .pop()
            .flatten()
    }

    /// [`Self::suggest`] for every query, with one pass over the source for all the quote
    /// parts that need an approximate search; answers are cached like single ones.
    ///
    /// The quotes that [`Self::find_quotes`] did not find and that have no suggestion yet join
    /// the batch: a checker that asks for suggestions one quote at a time still makes one pass
    /// over the source for all of them.
    pub fn suggest_many(&self, queries: &[QuoteQuery<'_>]) -> Vec<Option<Suggestion>> {
        let mut out: Vec<Option<Option<Suggestion>>> = {
            let cache = read(&self.suggestions);
            queries
                .iter()
                .map(|q| cache.get(&(Box::from(q.quote), q.lines)).cloned())
                .collect()
        };
        let mut batch: Vec<QueryKey> = Vec::new();
        for (q, o) in queries.iter().zip(&out) {
            let key = (Box::from(q.quote), q.lines);
            if o.is_none() && !batch.contains(&key) {
                batch.push(key);
            }
        }
        if batch.is_empty() {
            return out.into_iter().map(Option::flatten).collect();
        }
        {
            let cache = read(&self.suggestions);
            for key in std::mem::take(&mut *lock(&self.pending)) {
                if !cache.contains_key(&key) && !batch.contains(&key) {
                    batch.push(key);
                }
            }
        }
        let computed = self.compute_suggestions(&batch);
        {
            let mut cache = write(&self.suggestions);
            if cache.len() + batch.len() > OUTCOME_CACHE_LIMIT {
                cache.clear();
            }
            for (key, s) in batch.iter().zip(&computed) {
                cache.insert(key.clone(), s.clone());
            }
        }
        for (q, o) in queries.iter().zip(&mut out) {
            if o.is_none() {
                let i = batch
                    .iter()
                    .position(|(quote, lines)| **quote == *q.quote && *lines == q.lines)
                    .expect("every query without an answer is in the batch");
                *o = Some(computed[i].clone());
            }
        }
        out.into_iter().map(Option::flatten).collect()
    }

    /// The suggestions for `batch`, with one pass over the source for all of them.
    fn compute_suggestions(&self, batch: &[QueryKey]) -> Vec<Option<Suggestion>> {
        let queries: Vec<QuoteQuery<'_>> = batch
            .iter()
            .map(|(quote, lines)| QuoteQuery {
                quote,
                lines: *lines,
            })
            .collect();
        // A quote with too many elisions gets no suggestion: no parts to look for.
        let parts: Vec<Vec<String>> = queries
            .iter()
            .map(|q| searchable_parts(q.quote).unwrap_or_default())
            .collect();
        let occ = self.occurrences(parts.iter().flatten().map(String::as_str));
        // Votes for every part that may need an approximate passage: one that does not occur
        // at all, or (with a line locator) may not occur within the lines.
        let mut voters: Vec<&str> = Vec::new();
        for (q, p) in queries.iter().zip(&parts) {
            for part in p {
                let absent = occ[part.as_str()].starts.is_empty();
                if (absent || q.lines.is_some()) && !voters.contains(&part.as_str()) {
                    voters.push(part);
                }
            }
        }
        if !voters.is_empty() {
            self.scans.fetch_add(1, Ordering::Relaxed);
            self.suggestion_scans.fetch_add(1, Ordering::Relaxed);
        }
        let votes: HashMap<&str, Vec<i64>> = voters
            .iter()
            .copied()
            .zip(suggest::collect_votes(&self.normalized.text, &voters))
            .collect();
        queries
            .iter()
            .zip(&parts)
            .map(|(q, p)| self.compute_suggestion(p, q.lines, &occ, &votes))
            .collect()
    }

    fn compute_suggestion(
        &self,
        parts: &[String],
        lines: Option<LineSpan>,
        occ: &HashMap<String, Arc<Occurrences>>,
        votes: &HashMap<&str, Vec<i64>>,
    ) -> Option<Suggestion> {
        if parts.is_empty() {
            return None;
        }
        let whole = (0, self.normalized.text.len());
        let region = lines
            .and_then(|l| self.line_span_range(l))
            .map(|r| self.normalized_region(r));
        let candidates = match region {
            Some(region) if region != whole => vec![region, whole],
            _ => vec![whole],
        };
        candidates
            .into_iter()
            .find_map(|region| self.suggest_in(parts, region, occ, votes))
    }

    fn suggest_in(
        &self,
        parts: &[String],
        (lo, hi): (usize, usize),
        occ: &HashMap<String, Arc<Occurrences>>,
        votes: &HashMap<&str, Vec<i64>>,
    ) -> Option<Suggestion> {
        let mut found: Vec<(usize, usize)> = Vec::with_capacity(parts.len());
        let mut distance = 0;
        let mut prev_end = lo;
        for part in parts {
            let o = &occ[part.as_str()];
            let p = Part {
                pattern: part,
                occ: o,
            };
            let text = &self.normalized.text;
            let exact = first_chain(text, &[p], prev_end, hi, |_, e| e <= hi)
                .or_else(|| first_chain(text, &[p], lo, hi, |_, e| e <= hi));
            let (s, e) = match exact {
                Some(chain) => chain[0],
                None => {
                    let v = votes.get(part.as_str()).map_or(&[][..], Vec::as_slice);
                    let a = suggest::closest(v, &self.normalized, part, lo, hi)?;
                    distance += a.distance;
                    (a.start, a.end)
                }
            };
            prev_end = e;
            found.push((s, e));
        }
        let quote_len: usize = parts.iter().map(|p| p.chars().count()).sum();
        let similarity = suggest::similarity(distance, quote_len);
        if similarity < suggest::MIN_SIMILARITY {
            return None;
        }
        let ranges: Vec<TextRange> = found
            .iter()
            .map(|&(s, e)| self.normalized.to_original(TextRange::new(s, e)))
            .collect();
        let range = ranges
            .iter()
            .skip(1)
            .fold(ranges[0], |acc, r| acc.cover(*r));
        let text = ranges
            .iter()
            .map(|r| collapse_whitespace(&self.text[r.to_range()]))
            .collect::<Vec<_>>()
            .join(" ... ");
        Some(Suggestion {
            range,
            text,
            distance,
            similarity,
        })
    }

    /// Quote completion: up to `limit` distinct passages starting with `prefix` (compared after
    /// normalisation), each running to the end of its sentence or about 120 characters.
    pub fn complete_quote(&self, prefix: &str, limit: usize) -> Vec<Passage> {
        let normalized = normalize(prefix).text;
        let pattern = normalized.trim_start_matches(' ');
        if pattern.is_empty() || limit == 0 {
            return Vec::new();
        }
        let occ = self.occurrences(std::iter::once(pattern));
        let o = &occ[pattern];
        let part = Part { pattern, occ: o };
        let text = &self.normalized.text;
        let mut out: Vec<Passage> = Vec::new();
        let mut seen = HashSet::new();
        let mut from = 0;
        while out.len() < limit {
            let Some(chain) = first_chain(text, &[part], from, text.len(), |_, _| true) else {
                break;
            };
            let (s, e) = chain[0];
            from = s + 1;
            let end = passage_end(text, s, e);
            let range = self.normalized.to_original(TextRange::new(s, end));
            let typed_end = self.normalized.original_offset(e);
            let range =
                TextRange::new(range.start(), block_end(&self.text, typed_end, range.end()));
            let passage = collapse_whitespace(&self.text[range.to_range()]);
            if seen.insert(passage.clone()) {
                out.push(Passage {
                    range,
                    text: passage,
                });
            }
        }
        out
    }

    /// The normalised byte region of original `range`.
    fn normalized_region(&self, range: TextRange) -> (usize, usize) {
        (
            self.normalized.from_original(range.start()),
            self.normalized.from_original(range.end()),
        )
    }

    /// The outcome of one quote (already cut into normalised parts).
    fn resolve(
        &self,
        parts: &[String],
        lines: Option<LineSpan>,
        occ: &HashMap<String, Arc<Occurrences>>,
    ) -> QuoteOutcome {
        if parts.is_empty() {
            return QuoteOutcome::Empty;
        }
        let parts: Vec<Part<'_>> = parts
            .iter()
            .map(|p| Part {
                pattern: p,
                occ: &occ[p.as_str()],
            })
            .collect();
        let text = &self.normalized.text;
        let whole = |outcome: fn(QuoteMatch) -> QuoteOutcome| {
            find_chains(text, &parts, 0, text.len(), |_, _| true)
                .map_or(QuoteOutcome::NotFound, |(c, n)| {
                    outcome(self.to_match(&c, n))
                })
        };
        let Some(lines) = lines else {
            return whole(QuoteOutcome::Found);
        };
        let Some(allowed) = self.line_span_range(lines) else {
            return QuoteOutcome::LinesOutOfRange {
                line_count: self.line_count(),
            };
        };
        let (lo, hi) = self.normalized_region(allowed);
        let inside = find_chains(text, &parts, lo, hi, |s, e| {
            allowed.contains_range(self.normalized.to_original(TextRange::new(s, e)))
        });
        match inside {
            Some((c, n)) => QuoteOutcome::Found(self.to_match(&c, n)),
            None => whole(QuoteOutcome::OutsideLines),
        }
    }

    fn chain_range(&self, chain: &Chain) -> TextRange {
        let (s, e) = (chain[0].0, chain[chain.len() - 1].1);
        self.normalized.to_original(TextRange::new(s, e))
    }

    fn to_match(&self, chain: &Chain, count: usize) -> QuoteMatch {
        QuoteMatch {
            range: self.chain_range(chain),
            parts: chain
                .iter()
                .map(|&(s, e)| self.normalized.to_original(TextRange::new(s, e)))
                .collect(),
            count,
        }
    }

    /// The occurrences of every pattern in `patterns`, scanning once for all that are not
    /// cached yet.
    fn occurrences<'p>(
        &self,
        patterns: impl Iterator<Item = &'p str>,
    ) -> HashMap<String, Arc<Occurrences>> {
        let mut found: HashMap<String, Arc<Occurrences>> = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        // A set beside the list: asking the list made 100,000 distinct quotes in one document
        // quadratic (second adversarial pass).
        let mut listed: HashSet<&str> = HashSet::new();
        {
            let cache = read(&self.occurrences);
            for p in patterns {
                if found.contains_key(p) || !listed.insert(p) {
                    continue;
                }
                match cache.get(p) {
                    Some(o) => {
                        found.insert(p.to_owned(), Arc::clone(o));
                    }
                    None => missing.push(p),
                }
            }
        }
        if missing.is_empty() {
            return found;
        }
        let scanned = self.scan(&missing);
        let mut cache = write(&self.occurrences);
        if cache.len() + scanned.len() > PATTERN_CACHE_LIMIT {
            cache.clear();
        }
        for (p, o) in missing.into_iter().zip(scanned) {
            let o = Arc::new(o);
            cache.insert(p.into(), Arc::clone(&o));
            found.insert(p.to_owned(), o);
        }
        found
    }

    /// Every occurrence of `patterns` in the normalised text, found in one batch.
    fn scan(&self, patterns: &[&str]) -> Vec<Occurrences> {
        self.scans.fetch_add(1, Ordering::Relaxed);
        search::find_all(&self.normalized.text, patterns)
    }
}

/// Where a completion passage that starts at `s` and must cover `s..e` ends: after the first
/// sentence end, or at a word boundary near [`COMPLETION_CHARS`] characters.
fn passage_end(text: &str, s: usize, e: usize) -> usize {
    let limit = text[s..]
        .char_indices()
        .nth(COMPLETION_CHARS)
        .map_or(text.len(), |(i, _)| s + i)
        .max(e);
    if let Some(end) = sentence::sentence_end(text, e, limit) {
        return end;
    }
    if limit < text.len() {
        text[e..limit].rfind(' ').map_or(limit, |i| e + i)
    } else {
        limit
    }
}

/// `end`, or the first line break in `text[from..end]` after which a new block starts (a
/// blank line, a heading or a list item): a completion does not run into the next paragraph.
fn block_end(text: &str, from: usize, end: usize) -> usize {
    let mut at = from;
    while let Some(p) = text[at..end].find(['\n', '\r']) {
        let i = at + p;
        let next = i + if text[i..].starts_with("\r\n") { 2 } else { 1 };
        let line = text[next..].trim_start_matches([' ', '\t']);
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let opens = line.is_empty()
            || line.starts_with(['\n', '\r', '#'])
            || (line.starts_with(['-', '*', '+']) && line[1..].starts_with(' '))
            || (digits > 0 && line[digits..].starts_with(['.', ')']));
        if opens {
            return i;
        }
        at = next;
    }
    end
}

/// The number of line endings (`\n`, `\r\n`, a lone `\r`) whose last byte lies in
/// `text[start..end]`. A line starts after each of them, so for `start = 0` this is the
/// zero-based line of byte `end`.
fn line_ends_in(text: &[u8], start: usize, end: usize) -> usize {
    let hay = &text[start..end];
    let newlines = memchr::memchr_iter(b'\n', hay).count();
    let lone_cr = memchr::memchr_iter(b'\r', hay)
        .filter(|&i| text.get(start + i + 1) != Some(&b'\n'))
        .count();
    newlines + lone_cr
}

/// Read a cache, ignoring poisoning: a panic elsewhere leaves it consistent, at worst stale.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// Lock a list, ignoring poisoning (see [`read`]).
fn lock<T>(lock: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

/// Write a cache, ignoring poisoning (see [`read`]).
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
