//! Checking after an edit: each claim's diagnostics and resolved citations are kept until
//! something they depend on changes.
//!
//! A claim's resolutions and the rules of [`mica_check::rules::check_claim`] read only the
//! claim, the document's source scope, the configuration and the files of the sources it
//! cites. So a claim is checked again when:
//! - its paragraph changed (the parse says which claims were replaced);
//! - the configuration or the scope changed (every claim is);
//! - the file of a source it depends on changed: the source it cites, or, for a quote not
//!   found that was looked for in every declared source, any of them.
//!
//! A source's file has changed when the provider hands out another [`SourceFile`] for its path
//! (providers keep one per unchanged file), or another error. The rules that span the document
//! (syntax, declarations, ids, references, the tradecraft rules over several claims) run again
//! over the whole parse; they read no source.
//!
//! Length: about 480 lines of code; the rest are the differential tests, which need the
//! cache's internals (how many claims and rule groups an analysis ran).

use super::paragraphs::Since;
use super::parse::{ClaimChange, ParseCache};
use super::shift::{shift_citation, shift_diagnostic};
use super::wide;
use crate::DocumentData;
use mica_check::resolve::{self, Outcome, Resolution};
use mica_check::rules::{self, DocContext, DocumentRules};
use mica_check::{Config, Diagnostic, ResolvedCitation, SourceScope};
use mica_sources::{SourceError, SourceFile, SourceProvider};
use mica_syntax::{Claim, LineIndex};
use std::collections::HashMap;
use std::sync::Arc;

/// What a claim's result depends on among the scope's source paths: one bit per path (the
/// first 63), and the top bit for "any".
type Deps = u64;
const ANY: Deps = 1 << 63;

/// One claim's kept result.
#[derive(Clone, Debug, Default)]
struct ClaimResult {
    diagnostics: Vec<Diagnostic>,
    deps: Deps,
}

/// How many claims are resolved together: enough that each source's quotes are still looked
/// up in few passes, few enough that their resolutions take little memory. Tests use slices
/// of a few claims, so that every brief they check crosses the slices' edges.
const RESOLVE_AT_ONCE: usize = if cfg!(test) { 8 } else { 4096 };

/// Everything kept between two analyses of one document.
#[derive(Default)]
pub struct DocCache {
    parses: ParseCache,
    /// The document's path: a cache reused under another path starts over.
    path: String,
    config: Option<Arc<Config>>,
    scope: Option<SourceScope>,
    /// Every path the scope and the document declare, once, in order, and what it loaded to.
    sources: Vec<(String, Result<Arc<SourceFile>, SourceError>)>,
    /// Where each of those paths is in `sources`.
    source_index: HashMap<String, usize>,
    claims: Vec<ClaimResult>,
    citations: Arc<Vec<ResolvedCitation>>,
    /// What each group of rules over the whole document found, before severities.
    wide: [Vec<Diagnostic>; 3],
    /// How many claims the last analysis checked (for tests and benchmarks).
    checked: usize,
    /// How many groups of rules over the whole document it ran.
    wide_run: usize,
    /// The lines of the text last analysed, updated after an edit instead of found again.
    lines: Option<Arc<LineIndex>>,
    /// The citations from this index on are still where they were before the last edit, by
    /// these bytes and claim indexes (see [`DocCache::begin_edited`]).
    citations_unmoved: Option<(usize, isize, isize)>,
}

/// An analysis begun by [`DocCache::begin_edited`], whose diagnostics are known.
pub struct Edited {
    /// The document's text, lines and diagnostics, for publishing; its parse and citations
    /// are empty until [`DocCache::finish`] makes the analysis whole.
    pub preview: Arc<DocumentData>,
}

impl std::fmt::Debug for DocCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocCache")
            .field("parses", &self.parses)
            .field("claims", &self.claims.len())
            .finish_non_exhaustive()
    }
}

impl DocCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many claims the last [`DocCache::analyse`] checked.
    pub fn claims_checked(&self) -> usize {
        self.checked
    }

    /// How many groups of rules over the whole document ([`DocumentRules`]) the last
    /// [`DocCache::analyse`] ran, rather than keeping what they found because nothing they
    /// read had changed.
    pub fn document_rules_run(&self) -> usize {
        self.wide_run
    }

    /// Parse and check `text` as the document at `path`, keeping what the last call found
    /// for the paragraphs and sources that did not change. The result equals
    /// [`DocumentData::new`]'s.
    pub fn analyse(
        &mut self,
        config: &Arc<Config>,
        provider: &dyn SourceProvider,
        path: &str,
        text: impl Into<Arc<String>>,
    ) -> DocumentData {
        let text = text.into();
        let (parse, change) = self.parses.parse(&text);
        drop(parse);
        let edited = self.analyse_parsed(config, provider, path, text, change);
        self.finish(edited)
    }

    /// Like [`Self::analyse`], for a `text` that differs from the text of the last call as
    /// `since` says (as an editor reports its changes), up to its diagnostics: a server
    /// publishes them before [`Self::finish`] moves the claims after the edit, and their
    /// citations, to where they now are. The cache keeps no copy of the text and compares
    /// none; an edit that does not fit the two texts' lengths, or an unknown one, analyses
    /// everything again. In a long document, moving the claims is most of a keystroke's work,
    /// and the diagnostics do not wait for it: when a rule must read the claims after the
    /// edit (a source changed, or an id or a reference did), they are moved first.
    pub fn begin_edited(
        &mut self,
        config: &Arc<Config>,
        provider: &dyn SourceProvider,
        path: &str,
        text: impl Into<Arc<String>>,
        since: Since,
    ) -> Edited {
        let text = text.into();
        let change = self.parses.parse_edited_unmoved(&text, since);
        self.analyse_parsed(config, provider, path, text, change)
    }

    /// The analysis `edited` began, whole: its parse and citations moved where the edit put
    /// them, and shared with this cache.
    pub fn finish(&mut self, edited: Edited) -> DocumentData {
        let parse = self.parses.settle();
        self.settle_citations();
        let citations = Arc::clone(&self.citations);
        match Arc::try_unwrap(edited.preview) {
            Ok(data) => DocumentData {
                parse,
                citations,
                ..data
            },
            Err(shared) => DocumentData {
                path: shared.path.clone(),
                text: Arc::clone(&shared.text),
                parse,
                lines: Arc::clone(&shared.lines),
                diagnostics: shared.diagnostics.clone(),
                citations,
                scope: shared.scope.clone(),
            },
        }
    }

    /// Move the citations after the last edit, if [`Self::replace`] left them.
    fn settle_citations(&mut self) {
        if let Some((from, delta, moved)) = self.citations_unmoved.take() {
            for c in &mut Arc::make_mut(&mut self.citations)[from..] {
                shift_citation(c, delta, moved);
            }
        }
    }

    fn analyse_parsed(
        &mut self,
        config: &Arc<Config>,
        provider: &dyn SourceProvider,
        path: &str,
        text: Arc<String>,
        change: ClaimChange,
    ) -> Edited {
        self.settle_citations();
        // The parse as the edit left it: the claims it replaced are in place, those after it
        // may not be moved yet (see `begin_edited`).
        let mut parse = self.parses.unsettled();
        let scope = SourceScope::new(config, path, &parse.document);
        let whole = change.whole
            || self.path != path
            || !self.config.as_ref().is_some_and(|c| Arc::ptr_eq(c, config))
            || self.scope.as_ref() != Some(&scope)
            || self.claims.len() + change.inserted != parse.document.claims.len() + change.removed;
        let changed = self.reload_sources(provider, &scope, &parse.document, whole);
        // A document that declares itself as a source: a label into that source and a place
        // in the document share a path, and only the latter moves with an edit. Rare enough
        // to check whole.
        let whole =
            whole || (self.sources.iter()).any(|(_, f)| f.as_ref().is_ok_and(|f| f.path() == path));
        // What the rules over the whole document found, moved, for each group that reads
        // nothing the edit changed.
        let kept: Vec<Option<Vec<Diagnostic>>> = {
            let new_claims = &parse.document.claims[change.before..change.before + change.inserted];
            (DocumentRules::ALL.iter().enumerate())
                .map(|(k, &group)| {
                    let same =
                        !whole && wide::inputs_unchanged(group, &change, new_claims, changed != 0);
                    same.then(|| wide::moved(&self.wide[k], &change, new_claims, path))
                        .flatten()
                })
                .collect()
        };
        // Where every claim is, is read by a check of the whole document, a recheck after a
        // source changed, and the group of rules about ids and references: they are moved
        // first.
        let read_all = whole
            || changed != 0
            || (kept.iter().zip(DocumentRules::ALL))
                .any(|(k, g)| k.is_none() && wide::reads_claim_places(g));
        if read_all {
            drop(parse);
            parse = self.parses.settle();
        }
        let ctx = DocContext {
            config,
            path,
            text: &text,
            parse: &parse,
            scope: &scope,
        };
        if whole {
            self.claims.clear();
            Arc::make_mut(&mut self.citations).clear();
            let all = ClaimChange {
                whole: true,
                inserted: parse.document.claims.len(),
                ..ClaimChange::default()
            };
            self.checked = self.replace(&ctx, provider, &all, false);
        } else {
            self.checked = self.replace(&ctx, provider, &change, !read_all);
            self.checked += self.recheck(&ctx, provider, changed);
        }
        let mut declared = None;
        self.wide_run = 0;
        for (k, kept) in kept.into_iter().enumerate() {
            self.wide[k] = kept.unwrap_or_else(|| {
                self.wide_run += 1;
                let declared = declared.get_or_insert_with(|| {
                    declared_sources(&self.sources, &self.source_index, &parse.document)
                });
                rules::check_document_rules(&ctx, declared, DocumentRules::ALL[k])
            });
        }
        drop(parse);
        let mut diagnostics = self.wide.concat();
        diagnostics.extend(
            self.claims
                .iter()
                .flat_map(|c| c.diagnostics.iter().cloned()),
        );
        mica_check::apply_severities(config, &mut diagnostics);
        self.config = Some(Arc::clone(config));
        self.scope = Some(scope.clone());
        path.clone_into(&mut self.path);
        // The index is shared with the analysis returned; the server drops the last one before
        // it asks for the next, so the edit updates it in place rather than copying it.
        let lines = match (self.lines.take(), change.edit) {
            (Some(mut lines), Some(e)) if !change.whole => {
                Arc::make_mut(&mut lines).edit(&text, e.lo, e.old_hi, e.new_hi);
                lines
            }
            (Some(lines), None) if !change.whole => lines,
            _ => Arc::new(LineIndex::new(&text)),
        };
        debug_assert_eq!(*lines, LineIndex::new(&text));
        debug_assert!(lines.columns_hold(&text));
        self.lines = Some(Arc::clone(&lines));
        Edited {
            preview: Arc::new(DocumentData {
                path: path.to_string(),
                lines,
                text,
                parse: Arc::default(),
                diagnostics,
                citations: Arc::default(),
                scope,
            }),
        }
    }

    /// Load the scope's sources and the document's declared paths (all of which
    /// [`declared_sources`] then reads); the bits of those whose file changed since the last
    /// call.
    fn reload_sources(
        &mut self,
        provider: &dyn SourceProvider,
        scope: &SourceScope,
        doc: &mica_syntax::Document,
        whole: bool,
    ) -> Deps {
        // Every declaration's path, not only those that count: the rules over the whole
        // document report a duplicate declaration whose file cannot be read. Each path once,
        // indexed, so that a configuration of many sources costs no search per path or claim.
        let declared = (doc.sources.iter())
            .filter_map(|d| d.path.as_ref().filter(|p| p.terminated))
            .map(|p| p.value.as_str());
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut loaded: Vec<(String, Result<Arc<SourceFile>, SourceError>)> = Vec::new();
        for p in (scope.defs())
            .filter_map(|d| Some(d.path.as_ref()?.0.as_str()))
            .chain(declared)
        {
            if !index.contains_key(p) {
                index.insert(p.to_string(), loaded.len());
                loaded.push((p.to_string(), provider.load(p)));
            }
        }
        self.source_index = index;
        let mut changed = 0;
        if !whole {
            for (i, ((path, new), (old_path, old))) in loaded.iter().zip(&self.sources).enumerate()
            {
                let same = path == old_path
                    && match (new, old) {
                        (Ok(a), Ok(b)) => Arc::ptr_eq(a, b),
                        (Err(a), Err(b)) => a == b,
                        _ => false,
                    };
                if !same {
                    changed |= bit(i);
                }
            }
            if loaded.len() != self.sources.len() {
                changed |= ANY;
            }
        }
        self.sources = loaded;
        changed
    }

    /// Replace the results of the claims `change` replaced, move those after them, and check
    /// the new ones. The number of claims checked.
    fn replace(
        &mut self,
        ctx: &DocContext<'_>,
        provider: &dyn SourceProvider,
        change: &ClaimChange,
        defer: bool,
    ) -> usize {
        let ClaimChange {
            before,
            removed,
            inserted,
            delta,
            ..
        } = *change;
        // The new claims are resolved and checked a slice at a time, so that a large document
        // opened at once never holds every citation's full resolution (the passages found,
        // the closest ones), only what is kept of it.
        // Both at their exact size: a large document's resolutions are more than half the
        // size of its text, and a vector that grows holds up to twice their room, and both
        // buffers while it does.
        let new_claims = &ctx.parse.document.claims[before..before + inserted];
        let mut results: Vec<ClaimResult> = Vec::with_capacity(inserted);
        let mut kept: Vec<ResolvedCitation> =
            Vec::with_capacity(new_claims.iter().map(|c| c.citations().count()).sum());
        for from in (before..before + inserted).step_by(RESOLVE_AT_ONCE) {
            let to = (from + RESOLVE_AT_ONCE).min(before + inserted);
            let claims = &ctx.parse.document.claims[from..to];
            let resolved = resolve::resolve_claims(provider, claims, from, ctx.scope);
            results.extend(claims.iter().enumerate().map(|(k, claim)| {
                self.check_one(ctx, from + k, claim, resolve::of_claim(&resolved, from + k))
            }));
            kept.extend(resolved.iter().map(ResolvedCitation::from));
        }
        let citations = Arc::make_mut(&mut self.citations);
        let from = citations.partition_point(|c| (c.claim as usize) < before);
        let to = citations.partition_point(|c| (c.claim as usize) < before + removed);
        let moved = inserted as isize - removed as isize;
        let after = from + kept.len();
        super::replace_range(&mut self.claims, before..before + removed, results);
        super::replace_range(citations, from..to, kept);
        if delta != 0 || moved != 0 {
            if defer {
                self.citations_unmoved = Some((after, delta, moved));
            } else {
                for c in &mut citations[after..] {
                    shift_citation(c, delta, moved);
                }
            }
            for c in &mut self.claims[before + inserted..] {
                for d in &mut c.diagnostics {
                    shift_diagnostic(d, ctx.path, delta);
                }
            }
        }
        inserted
    }

    /// Check again the claims that depend on a source whose file changed. The number checked.
    fn recheck(
        &mut self,
        ctx: &DocContext<'_>,
        provider: &dyn SourceProvider,
        changed: Deps,
    ) -> usize {
        if changed == 0 {
            return 0;
        }
        let mut n = 0;
        for (i, claim) in ctx.parse.document.claims.iter().enumerate() {
            let deps = self.claims[i].deps;
            if changed & ANY == 0 && deps & ANY == 0 && deps & changed == 0 {
                continue;
            }
            let resolved =
                resolve::resolve_claims(provider, std::slice::from_ref(claim), i, ctx.scope);
            self.claims[i] = self.check_one(ctx, i, claim, &resolved);
            let citations = Arc::make_mut(&mut self.citations);
            let from = citations.partition_point(|c| (c.claim as usize) < i);
            // The claim is unchanged, so it has as many citations as before.
            for (slot, r) in citations[from..].iter_mut().zip(&resolved) {
                *slot = ResolvedCitation::from(r);
            }
            n += 1;
        }
        n
    }

    /// Check one claim given its resolutions.
    fn check_one(
        &self,
        ctx: &DocContext<'_>,
        index: usize,
        claim: &Claim,
        resolutions: &[Resolution],
    ) -> ClaimResult {
        let mut deps = 0;
        for r in resolutions {
            let cited = ctx.scope.get(&r.source_id).and_then(|d| d.path.as_ref());
            if let Some((p, _)) = cited {
                deps |= self.source_index.get(p).map_or(ANY, |&i| bit(i));
            }
            // A quote not found was looked for in every declared source.
            if matches!(&r.outcome, Outcome::NotFound(nf) if !nf.every_part_found) {
                deps |= ANY;
            }
        }
        ClaimResult {
            diagnostics: rules::check_claim(ctx, index, claim, resolutions),
            deps,
        }
    }
}

/// What the rules about `@source` declarations read ([`resolve::declared_sources`]), taken
/// from the files `reload_sources` just loaded instead of loading each declared path again.
fn declared_sources(
    sources: &[(String, Result<Arc<SourceFile>, SourceError>)],
    index: &HashMap<String, usize>,
    doc: &mica_syntax::Document,
) -> resolve::DeclaredSources {
    (doc.sources.iter())
        .filter_map(|d| d.path.as_ref().filter(|p| p.terminated))
        .filter_map(|p| {
            let (_, loaded) = &sources[*index.get(&p.value)?];
            Some((
                p.value.clone(),
                loaded.as_ref().map(|_| ()).map_err(Clone::clone),
            ))
        })
        .collect()
}

/// The bit of the `i`th source path; paths past the 63rd share the "any" bit.
fn bit(i: usize) -> Deps {
    if i < 63 { 1 << i } else { ANY }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextChange;
    use crate::test_rng::Rng;
    use mica_sources::MemoryProvider;
    use std::path::Path;

    /// The repository's root.
    fn repo() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    /// The repository's configuration and seeds, in memory.
    fn workspace() -> (Arc<Config>, MemoryProvider, Vec<(String, String)>) {
        let root = repo();
        let config = Config::parse(&std::fs::read_to_string(root.join("mica.toml")).unwrap())
            .expect("mica.toml");
        let provider = MemoryProvider::new(root);
        let mut seeds = Vec::new();
        for e in std::fs::read_dir(root.join("seeds")).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).unwrap();
            let path = format!("seeds/{name}");
            provider.insert(&path, text.clone());
            seeds.push((path, text));
        }
        seeds.sort();
        (Arc::new(config), provider, seeds)
    }

    /// The example briefs, then the gallery of faults, by workspace path.
    fn briefs() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for dir in ["spec/examples", "spec/examples/faults"] {
            let mut here = Vec::new();
            for e in std::fs::read_dir(repo().join(dir)).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".mica") {
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    here.push((format!("{dir}/{name}"), text));
                }
            }
            here.sort();
            out.extend(here);
        }
        assert!(out.len() >= 10, "too few briefs: {}", out.len());
        out
    }

    /// The char boundary of `text` at or before `at`.
    fn floor(text: &str, mut at: usize) -> usize {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// A few consecutive words of a seed, safe to quote.
    fn quote_from(rng: &mut Rng, seed: &str) -> String {
        let words: Vec<&str> = seed
            .split_whitespace()
            .filter(|w| !w.contains(['"', '\\', '…']) && !w.contains(".."))
            .collect();
        let n = 2 + rng.below(6);
        let at = rng.below(words.len().saturating_sub(n));
        words[at..(at + n).min(words.len())].join(" ")
    }

    /// One random edit of a brief: text that matters to the grammar, the rules or the
    /// paragraphs, inserted or put in place of a short run, or a run deleted.
    fn edit(rng: &mut Rng, text: &mut String, seeds: &[(String, String)]) {
        const PIECES: &[&str] = &[
            "[",
            "]",
            "{",
            "}",
            "\"",
            "\n",
            "\n\n",
            "#",
            "=",
            " ",
            "x",
            "é",
            ":",
            "L3-4:",
            "\r\n",
            "<!--",
            "-->",
            "---\n",
            " conf=high",
            " conf=low",
            " p=likely",
            " p=unlikely",
            " p=0.9",
            "almost certainly ",
            "roughly even odds ",
            "42 percent ",
            "$3 billion ",
            " supports=#",
            " contradicts=#",
            " #tag",
            "not ",
            "[A new claim]{#fresh conf=moderate p=likely}",
            "\n\n@source extra \"seeds/000_e97dfd8da811624b.txt\" reliability=B\n\n",
        ];
        let at = floor(text, rng.below(text.len() + 1));
        let end = floor(text, at + rng.below(24)).max(at);
        let insert = match rng.below(14) {
            0 => String::new(),
            // Prose (or quote) being typed, as most keystrokes are.
            10..=13 => ["a", "e", " ", "word ", "é"][rng.below(5)].to_string(),
            1 | 2 => {
                let (path, seed) = &seeds[rng.below(seeds.len())];
                let id = ["wiki", "merics", "primer", "nope"][rng.below(4)];
                let _ = path;
                format!(" cite={id}:\"{}\"", quote_from(rng, seed))
            }
            _ => PIECES[rng.below(PIECES.len())].to_string(),
        };
        let end = if rng.below(3) == 0 { end } else { at };
        text.replace_range(at..end, &insert);
    }

    /// A random change of a seed: a line dropped, words added, the file removed or restored.
    fn edit_source(rng: &mut Rng, provider: &MemoryProvider, seeds: &mut [(String, String)]) {
        let k = rng.below(seeds.len());
        let (path, text) = &mut seeds[k];
        match rng.below(4) {
            0 => provider.remove(path),
            1 => {
                let at = floor(text, rng.below(text.len()));
                text.insert_str(at, " inserted words ");
                provider.insert(path, text.clone());
            }
            2 => {
                let lines: Vec<&str> = text.lines().collect();
                let drop = rng.below(lines.len());
                *text = (lines.iter().enumerate())
                    .filter(|(i, _)| *i != drop)
                    .map(|(_, l)| *l)
                    .collect::<Vec<_>>()
                    .join("\n");
                provider.insert(path, text.clone());
            }
            _ => provider.insert(path, text.clone()),
        }
    }

    /// Check that the incremental analysis equals one from scratch; how many groups of rules
    /// over the whole document ran.
    #[track_caller]
    fn same_as_from_scratch(
        cache: &mut DocCache,
        config: &Arc<Config>,
        provider: &MemoryProvider,
        path: &str,
        text: &str,
    ) -> usize {
        same_when_told(cache, config, provider, path, text, None)
    }

    /// [`same_as_from_scratch`], with the cache told what changed (`told`) instead of
    /// comparing texts, as the server tells it.
    #[track_caller]
    fn same_when_told(
        cache: &mut DocCache,
        config: &Arc<Config>,
        provider: &MemoryProvider,
        path: &str,
        text: &str,
        told: Option<Since>,
    ) -> usize {
        let full = DocumentData::new(config, provider, path, text.to_string());
        let inc = match told {
            // Begun and finished, as the server does: the diagnostics it publishes in between
            // are already the whole analysis's. (A server may still hold them when it
            // finishes: every other text does.)
            Some(since) => {
                let edited = cache.begin_edited(config, provider, path, text.to_string(), since);
                let preview = text
                    .len()
                    .is_multiple_of(2)
                    .then(|| Arc::clone(&edited.preview));
                let e = &edited.preview;
                assert_eq!(
                    e.diagnostics, full.diagnostics,
                    "early diagnostics: {text:?}"
                );
                assert_eq!((e.text.as_str(), &*e.lines), (text, &*full.lines));
                let inc = cache.finish(edited);
                drop(preview);
                inc
            }
            None => cache.analyse(config, provider, path, text.to_string()),
        };
        assert_eq!(*inc.parse, *full.parse, "parse of {path}: {text:?}");
        assert_eq!(
            inc.diagnostics, full.diagnostics,
            "diagnostics of {path}: {text:?}"
        );
        assert_eq!(
            *inc.citations, *full.citations,
            "citations of {path}: {text:?}"
        );
        assert_eq!(inc.scope, full.scope, "scope of {path}");
        assert_eq!(inc.lines, full.lines);
        cache.document_rules_run()
    }

    /// Random edit sequences on the example briefs and the gallery, with now and then a
    /// change of a seed or a new configuration: after every edit, the incremental analysis
    /// equals a check from scratch.
    #[test]
    fn random_edits_check_as_from_scratch() {
        let edits: usize = std::env::var("MICA_DIFF_EDITS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3_000);
        let (mut config, provider, mut seeds) = workspace();
        let briefs = briefs();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Edits after which no group, all groups, or some of the rules over the document ran.
        let (mut done, mut round, mut kept, mut wide, mut some) = (0, 0, 0, 0, 0);
        while done < edits {
            // Every other round edits one of the two example briefs, the rest the gallery.
            let pick = if round % 2 == 0 {
                round / 2 % 2
            } else {
                round % briefs.len()
            };
            let (path, text) = &briefs[pick];
            round += 1;
            let mut text = text.clone();
            let mut cache = DocCache::new();
            // Every third round, the cache is told what changed, as the server tells it: two
            // edits merged, widened at random (an editor's changes cover more than the bytes
            // that differ).
            let told = round % 3 == 0;
            same_when_told(
                &mut cache,
                &config,
                &provider,
                path,
                &text,
                told.then_some(Since::Unknown),
            );
            for _ in 0..40 {
                let before = text.clone();
                let mut change = None;
                match rng.below(40) {
                    0 => edit_source(&mut rng, &provider, &mut seeds),
                    1 => config = Arc::new((*config).clone()),
                    _ => {
                        edit(&mut rng, &mut text, &seeds);
                        change = TextChange::between(&before, &text);
                        if told && rng.below(2) == 0 {
                            let middle = text.clone();
                            edit(&mut rng, &mut text, &seeds);
                            change = merged(change, TextChange::between(&middle, &text));
                        }
                        change = change.map(|c| widened(&mut rng, c, &text));
                    }
                }
                // Now and then the server has lost track (a text opened or read from disk
                // that it could not compare): the cache is told so, and checks it whole.
                let since = match change {
                    _ if rng.below(20) == 0 => Since::Unknown,
                    Some(c) => Since::Changed(c),
                    None => Since::Same,
                };
                let told = told.then_some(since);
                match same_when_told(&mut cache, &config, &provider, path, &text, told) {
                    0 => kept += 1,
                    3 => wide += 1,
                    _ => some += 1,
                }
                done += 1;
            }
        }
        // Both ways were taken often: the differential test covers keeping what the rules
        // over the whole document found as well as running them.
        assert!(
            kept > done / 8 && wide > done / 8 && some > done / 20,
            "none ran {kept}, all {wide}, some {some}"
        );
    }

    /// Two changes one after the other, as one.
    fn merged(a: Option<TextChange>, b: Option<TextChange>) -> Option<TextChange> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.then(b)),
            (a, b) => a.or(b),
        }
    }

    /// `c` covering up to a few more characters on each side in `text` (the new text).
    fn widened(rng: &mut Rng, c: TextChange, text: &str) -> TextChange {
        let mut lo = c.lo.saturating_sub(rng.below(6));
        while !text.is_char_boundary(lo) {
            lo -= 1;
        }
        let mut more = rng.below(6).min(text.len() - c.new_hi);
        while !text.is_char_boundary(c.new_hi + more) {
            more += 1;
        }
        TextChange {
            lo,
            old_hi: c.old_hi + more,
            new_hi: c.new_hi + more,
        }
    }

    /// Found by an adversarial review: a document that declares itself as a source (a label
    /// into that source must not move with an edit of the document), and a cache reused under
    /// another path.
    #[test]
    fn a_document_citing_itself_and_a_cache_under_another_path() {
        let config = Arc::new(Config::default());
        let provider = MemoryProvider::new("/ws");
        provider.insert(
            "d.mica",
            "old version of the file with zzz qqq not here\nline two\n",
        );
        let before =
            "@source me \"d.mica\"\n\nintro\n\n[Claim]{#a cite=me:\"zzz qqq not there\"}\n";
        let after = before.replace("intro", "intro typed more words");
        let mut cache = DocCache::new();
        same_as_from_scratch(&mut cache, &config, &provider, "d.mica", before);
        same_as_from_scratch(&mut cache, &config, &provider, "d.mica", &after);
        let mut cache = DocCache::new();
        same_as_from_scratch(&mut cache, &config, &provider, "one.mica", "[Claim]{#a}\n");
        same_as_from_scratch(&mut cache, &config, &provider, "two.mica", "[Claim]{#a}\n");
    }

    /// A brief of more claims than are resolved at once: the slices it is checked in join up
    /// as a check from scratch, on opening and after an edit near a slice's edge.
    #[test]
    fn a_brief_checked_in_slices_checks_as_a_whole() {
        let (config, provider, _) = workspace();
        let path = "spec/examples/mic2025-brief.mica";
        let brief = std::fs::read_to_string(repo().join(path)).unwrap();
        let body = &brief[brief.find("\n## ").unwrap()..];
        let mut text = brief.clone();
        let mut n = 0;
        while n < 8 || mica_syntax::parse(&text).document.claims.len() <= 2 * RESOLVE_AT_ONCE {
            n += 1;
            // Renamed ids, and now and then a quote altered so that it is not found.
            let copy = body.replace("{#", &format!("{{#r{n}-"));
            text.push_str(&if n % 7 == 0 {
                copy.replacen(":\"", ":\"not quite ", 1)
            } else {
                copy
            });
        }
        let mut cache = DocCache::new();
        same_when_told(&mut cache, &config, &provider, path, &text, None);
        assert!(cache.claims_checked() > 2 * RESOLVE_AT_ONCE);
        // What is kept of every claim and citation is held without spare room.
        assert_eq!(cache.claims.capacity(), cache.claims.len());
        assert_eq!(cache.citations.capacity(), cache.citations.len());
        let claims = mica_syntax::parse(&text).document.claims;
        let at = claims[RESOLVE_AT_ONCE].text_range.start() + 1;
        text.insert_str(at, "very ");
        same_when_told(&mut cache, &config, &provider, path, &text, None);
    }

    /// A keystroke in a claim's text, or in a citation's source id, leaves the claims after
    /// it where they were until the analysis is finished, and its diagnostics are already
    /// those of the new text; an edit to a claim's id moves them first, as the rules about ids
    /// read where every claim is.
    #[test]
    fn a_keystroke_is_checked_before_the_claims_after_it_move() {
        let (config, provider, _) = workspace();
        let path = "spec/examples/mic2025-brief.mica";
        let mut text = std::fs::read_to_string(repo().join(path)).unwrap();
        let mut cache = DocCache::new();
        let first = cache.analyse(&config, &provider, path, text.clone());
        let claim = first.parse.document.claims[1].clone();
        let cite = (first.parse.document.claims.iter())
            .flat_map(|c| c.citations())
            .nth(3)
            .unwrap()
            .source
            .range
            .end();
        let id = claim.id.as_ref().unwrap().range.end();
        drop(first);
        for (at, typed, moved_first) in [
            (claim.text_range.start() + 1, "x", false),
            (cite, "y", false),
            (id + 2, "z", true),
        ] {
            text.insert_str(at, typed);
            let edit = TextChange {
                lo: at,
                old_hi: at,
                new_hi: at + typed.len(),
            };
            let edited =
                cache.begin_edited(&config, &provider, path, text.clone(), Since::Changed(edit));
            assert_eq!(cache.parses.is_settled(), moved_first, "{typed:?}");
            assert_eq!(cache.citations_unmoved.is_none(), moved_first, "{typed:?}");
            let full = DocumentData::new(&config, &provider, path, text.clone());
            assert_eq!(edited.preview.diagnostics, full.diagnostics, "{typed:?}");
            let done = cache.finish(edited);
            assert!(cache.parses.is_settled() && cache.citations_unmoved.is_none());
            assert_eq!(*done.parse, *full.parse);
            assert_eq!(*done.citations, *full.citations);
        }
    }

    /// An edit inside one claim checks that claim only; a seed changed in the provider (as a
    /// buffer or on disk) checks exactly the claims that cite it.
    #[test]
    fn only_what_changed_is_checked_again() {
        let (config, provider, seeds) = workspace();
        let path = "spec/examples/mic2025-brief.mica";
        let text = std::fs::read_to_string(repo().join(path)).unwrap();
        let mut cache = DocCache::new();
        let first = cache.analyse(&config, &provider, path, text.clone());
        let claims = first.parse.document.claims.len();
        assert_eq!(cache.claims_checked(), claims);
        assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);

        // A word typed into the text of a claim in the middle of the brief: the claims of
        // its paragraph are checked again.
        let claim = &first.parse.document.claims[claims / 2];
        let start = text[..claim.range().start()].rfind("\n\n").unwrap();
        let end = claim.range().end() + text[claim.range().end()..].find("\n\n").unwrap();
        let paragraph = (first.parse.document.claims.iter())
            .filter(|c| c.range().start() > start && c.range().end() <= end)
            .count();
        assert!(paragraph < claims / 4, "{paragraph} of {claims}");
        let mut edited = text.clone();
        edited.insert_str(claim.text_range.start() + 1, "very ");
        cache.analyse(&config, &provider, path, edited.clone());
        assert_eq!(cache.claims_checked(), paragraph);
        assert_eq!(
            cache.document_rules_run(),
            0,
            "prose typed: what those rules read is as it was"
        );
        // A claim id changed: the rules over the document run again.
        let id = claim.id.as_ref().unwrap().range;
        let mut renamed = edited.clone();
        renamed.insert(id.end() + 5, 'z');
        cache.analyse(&config, &provider, path, renamed);
        assert_eq!(
            cache.document_rules_run(),
            1,
            "the relation rules, and only they"
        );
        cache.analyse(&config, &provider, path, edited.clone());
        // The same text again: nothing.
        cache.analyse(&config, &provider, path, edited.clone());
        assert_eq!(cache.claims_checked(), 0);

        // Each seed changed in turn: the claims citing it, and no other.
        for (seed, seed_text) in &seeds {
            let citing = first
                .citations
                .iter()
                .filter(|c| c.source_path.as_deref() == Some(seed.as_str()))
                .map(|c| c.claim)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            provider.insert(seed, format!("{seed_text}\nA line added at the end.\n"));
            let after = cache.analyse(&config, &provider, path, edited.clone());
            assert_eq!(cache.claims_checked(), citing, "{seed}");
            assert_eq!(
                after.diagnostics,
                DocumentData::new(&config, &provider, path, edited.clone()).diagnostics
            );
        }
        // A changed provider with unchanged files checks nothing.
        cache.analyse(&config, &provider, path, edited);
        assert_eq!(cache.claims_checked(), 0);
    }
}
