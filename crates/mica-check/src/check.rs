//! The rules: a pure function of parsed documents, the configuration and a source provider.
//!
//! [`check`] first gathers every quote of every document by source and resolves each source's
//! quotes in one batch (one pass over the source), then runs the per-document rules, which find
//! their quotes in the sources' caches. Besides diagnostics it returns where every citation
//! resolved, for the editor's hover and go-to-source.

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Code, Diagnostic, Edit, Fix, Label, Location};
use crate::rules::tradecraft;
use crate::similar::did_you_mean;
use crate::vocab::{self, Likelihood};
use mica_sources::{
    LineSpan, MAX_ELISION_GAP, OCCURRENCE_CAP, QuoteMatch, QuoteOutcome, QuoteQuery, SourceError,
    SourceFile, SourceProvider, Suggestion, quote_parts,
};
use mica_syntax::{
    Attr, Citation, Claim, Document, Parse, StrLit, TextRange, ValueKind, escape_string,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One document to check.
#[derive(Clone, Copy, Debug)]
pub struct DocumentInput<'a> {
    /// Workspace-relative path with `/` separators.
    pub path: &'a str,
    /// The document's text.
    pub text: &'a str,
    /// Its parse.
    pub parse: &'a Parse,
}

/// Where one citation resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCitation {
    /// The index of the claim in the document's claims.
    pub claim: usize,
    /// The citation's range in the document.
    pub range: TextRange,
    /// The cited source id.
    pub source_id: String,
    /// The source file's workspace-relative path, when the source is known and readable.
    pub source_path: Option<String>,
    /// The cited passage or lines in the source file, when they resolved.
    pub target: Option<TextRange>,
    /// The ranges of an elided quote's parts (one range for a plain quote).
    pub parts: Vec<TextRange>,
    /// For a quote that was not found: the closest passage.
    pub suggestion: Option<Suggestion>,
}

/// The result of checking one document.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedDocument {
    /// Workspace-relative path.
    pub path: String,
    /// Diagnostics in source order, severities from the configuration, rules that are off
    /// left out.
    pub diagnostics: Vec<Diagnostic>,
    /// Every citation of the document and where it resolved.
    pub citations: Vec<ResolvedCitation>,
}

/// A source visible from a document, declared in it or in `mica.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDef {
    /// The id.
    pub id: String,
    /// Where the id is declared (a document or `mica.toml`).
    pub declared: Location,
    /// The whole declaration's range in that file.
    pub decl_range: TextRange,
    /// The path as written, and the range of its literal.
    pub path: Option<(String, TextRange)>,
    /// `title`, `url`, `date`, `reliability`, ... with their values and value ranges.
    pub attrs: Vec<(String, String, TextRange)>,
}

impl SourceDef {
    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    /// Whether it is declared in `mica.toml`.
    pub fn in_config(&self) -> bool {
        self.declared.file == CONFIG_FILE
    }
}

/// The sources visible from one document: `mica.toml`'s first, then the document's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceScope {
    /// Every declaration, duplicates included.
    pub defs: Vec<SourceDef>,
    by_id: HashMap<String, usize>,
}

impl SourceScope {
    /// The scope of the document at `path`.
    pub fn new(config: &Config, path: &str, doc: &Document) -> Self {
        let mut defs: Vec<SourceDef> = config
            .sources
            .iter()
            .map(|s| SourceDef {
                id: s.id.clone(),
                declared: Location {
                    file: CONFIG_FILE.to_string(),
                    range: s.id_range,
                },
                decl_range: s.id_range.cover(s.path_range),
                path: Some((s.path.clone(), s.path_range)),
                attrs: s.attrs.clone(),
            })
            .collect();
        for decl in &doc.sources {
            let Some(id) = &decl.id else { continue };
            let attrs = decl
                .attrs
                .iter()
                .filter_map(|a| {
                    let value = match &a.value.kind {
                        ValueKind::Str(s) => s.value.clone(),
                        ValueKind::Bare(b) => b.clone(),
                        _ => return None,
                    };
                    Some((a.key.name.clone(), value, a.value.range))
                })
                .collect();
            defs.push(SourceDef {
                id: id.name.clone(),
                declared: Location {
                    file: path.to_string(),
                    range: id.range,
                },
                decl_range: decl.range,
                path: decl.path.as_ref().map(|p| (p.value.clone(), p.range)),
                attrs,
            });
        }
        let mut by_id = HashMap::new();
        for (i, d) in defs.iter().enumerate() {
            by_id.entry(d.id.clone()).or_insert(i);
        }
        Self { defs, by_id }
    }

    /// The declaration that counts for `id` (the first one).
    pub fn get(&self, id: &str) -> Option<&SourceDef> {
        self.by_id.get(id).map(|&i| &self.defs[i])
    }

    /// The ids in scope.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.defs.iter().map(|d| d.id.as_str())
    }
}

/// Check documents against the workspace's sources.
pub fn check(
    config: &Config,
    provider: &dyn SourceProvider,
    docs: &[DocumentInput<'_>],
) -> Vec<CheckedDocument> {
    let scopes: Vec<SourceScope> = docs
        .iter()
        .map(|d| SourceScope::new(config, d.path, &d.parse.document))
        .collect();
    prefetch(provider, docs, &scopes);
    docs.iter()
        .zip(&scopes)
        .map(|(doc, scope)| {
            let mut checker = DocChecker {
                provider,
                doc: *doc,
                scope,
                diagnostics: Vec::new(),
                citations: Vec::new(),
                evidence: Vec::new(),
                loaded: HashMap::new(),
                config,
            };
            checker.run();
            let mut diagnostics = checker.diagnostics;
            apply_severities(config, &mut diagnostics);
            CheckedDocument {
                path: doc.path.to_string(),
                diagnostics,
                citations: checker.citations,
            }
        })
        .collect()
}

/// Resolve every quote of every document in one batch per source, so that the per-document
/// rules only read caches.
fn prefetch(provider: &dyn SourceProvider, docs: &[DocumentInput<'_>], scopes: &[SourceScope]) {
    let mut batches: HashMap<&str, Vec<QuoteQuery<'_>>> = HashMap::new();
    for (doc, scope) in docs.iter().zip(scopes) {
        for claim in &doc.parse.document.claims {
            for c in claim.citations() {
                let (Some(quote), Some(def)) = (&c.quote, scope.get(&c.source.name)) else {
                    continue;
                };
                if let Some((path, _)) = &def.path {
                    batches.entry(path).or_default().push(QuoteQuery {
                        quote: &quote.value,
                        lines: c.lines.map(|l| LineSpan {
                            start: l.start,
                            end: l.end,
                        }),
                    });
                }
            }
        }
    }
    for (path, queries) in batches {
        if let Ok(source) = provider.load(path) {
            source.find_quotes(&queries);
        }
    }
}

fn apply_severities(config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain_mut(|d| match config.severity(d.code) {
        Some(s) => {
            d.severity = s;
            true
        }
        None => false,
    });
    diagnostics.sort_by_key(|d| (d.location.range.start, d.location.range.end));
}

/// Problems in `mica.toml` itself: invalid attribute values and sources that cannot be read.
pub fn check_config(config: &Config, provider: &dyn SourceProvider) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &config.sources {
        for (key, value, range) in &s.attrs {
            if let Some(problem) = vocab::source_attr_problem(key, value) {
                out.push(Diagnostic::new(
                    Code::InvalidValue,
                    CONFIG_FILE,
                    *range,
                    problem,
                ));
            }
        }
        if let Err(e) = provider.load(&s.path) {
            out.push(source_error(CONFIG_FILE, &s.id, &s.path, s.path_range, &e));
        }
    }
    apply_severities(config, &mut out);
    out
}

fn source_error(file: &str, id: &str, path: &str, range: TextRange, e: &SourceError) -> Diagnostic {
    let code = if *e == SourceError::OutsideRoot {
        Code::SourceOutsideRoot
    } else {
        Code::SourceUnreadable
    };
    Diagnostic::new(
        code,
        file,
        range,
        format!("source `{id}` at \"{path}\" cannot be used: {e}"),
    )
}

/// What a citation stands on, owned until the tradecraft rules borrow it as
/// [`tradecraft::Evidence`].
#[derive(Default)]
struct OwnedEvidence {
    declared: bool,
    grade: Option<vocab::Grade>,
    source_path: Option<String>,
    passages: Option<Vec<(String, TextRange)>>,
    gaps: Vec<(String, TextRange)>,
    quote_verified: bool,
}

impl OwnedEvidence {
    fn found(&mut self, source: &SourceFile, m: &QuoteMatch, verified: bool) {
        let text = source.text();
        self.passages = Some(
            m.parts
                .iter()
                .map(|r| (text[r.to_range()].to_string(), *r))
                .collect(),
        );
        self.gaps = m
            .parts
            .windows(2)
            .map(|w| {
                let r = TextRange::new(w[0].end, w[1].start);
                (text[r.to_range()].to_string(), r)
            })
            .collect();
        self.quote_verified = verified;
    }
}

struct DocChecker<'a> {
    provider: &'a dyn SourceProvider,
    doc: DocumentInput<'a>,
    scope: &'a SourceScope,
    diagnostics: Vec<Diagnostic>,
    citations: Vec<ResolvedCitation>,
    /// Per citation, in document order, what the tradecraft rules read.
    evidence: Vec<OwnedEvidence>,
    /// Sources by path as written: loaded, or why not.
    loaded: HashMap<String, Result<Arc<SourceFile>, SourceError>>,
    config: &'a Config,
}

impl<'a> DocChecker<'a> {
    fn emit(
        &mut self,
        code: Code,
        range: TextRange,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(code, self.doc.path, range, message));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn edit(&self, range: TextRange, new_text: impl Into<String>) -> Edit {
        Edit {
            location: Location {
                file: self.doc.path.to_string(),
                range,
            },
            new_text: new_text.into(),
        }
    }

    fn load(&mut self, path: &str) -> Result<Arc<SourceFile>, SourceError> {
        if let Some(r) = self.loaded.get(path) {
            return r.clone();
        }
        let r = self.provider.load(path);
        self.loaded.insert(path.to_string(), r.clone());
        r
    }

    fn run(&mut self) {
        let parse: &'a Parse = self.doc.parse;
        for e in &parse.errors {
            self.emit(Code::SyntaxError, e.range, e.message.clone());
        }
        if let Some(fm) = &parse.document.front_matter {
            // Front matter keys are free; only a date has a form to check.
            for entry in fm.entries.iter().filter(|e| e.key.name == "date") {
                if let Some(problem) = vocab::source_attr_problem("date", &entry.value) {
                    self.emit(Code::InvalidValue, entry.value_range, problem);
                }
            }
        }
        self.sources();
        let claim_ids = self.claim_ids();
        let mut cited: HashSet<&str> = HashSet::new();
        for (i, claim) in parse.document.claims.iter().enumerate() {
            self.claim(i, claim, &claim_ids);
            cited.extend(claim.citations().map(|c| c.source.name.as_str()));
        }
        self.unused_sources(&cited);
        let doc = tradecraft::Doc {
            path: self.doc.path,
            text: self.doc.text,
        };
        let claims = &parse.document.claims;
        self.diagnostics
            .extend(tradecraft::circular_support::check(doc, claims));
        self.diagnostics
            .extend(tradecraft::incoherent_likelihood::check(doc, claims));
    }

    /// The tradecraft rules of one claim, over the evidence its citations resolved to.
    fn tradecraft(&mut self, claim: &Claim, first_citation: usize) {
        let doc = tradecraft::Doc {
            path: self.doc.path,
            text: self.doc.text,
        };
        let evidence: Vec<tradecraft::Evidence<'_>> = claim
            .citations()
            .zip(&self.evidence[first_citation..])
            .map(|(citation, e)| tradecraft::Evidence {
                citation,
                declared: e.declared,
                grade: e.grade,
                source_path: e.source_path.as_deref(),
                passages: e
                    .passages
                    .as_ref()
                    .map(|v| v.iter().map(|(t, r)| (t.as_str(), *r)).collect()),
                gaps: e.gaps.iter().map(|(t, r)| (t.as_str(), *r)).collect(),
                quote_verified: e.quote_verified,
            })
            .collect();
        let minimum = self.config.tradecraft.high_confidence_grade;
        let mut out = tradecraft::likelihood::check(doc, claim);
        out.extend(tradecraft::unsupported_figure::check(doc, claim, &evidence));
        out.extend(tradecraft::overconfident_claim::check(
            doc, claim, &evidence, minimum,
        ));
        out.extend(tradecraft::elided_negation::check(doc, claim, &evidence));
        self.diagnostics.extend(out);
    }

    fn sources(&mut self) {
        let parse: &'a Parse = self.doc.parse;
        let doc = &parse.document;
        for decl in &doc.sources {
            let Some(id) = &decl.id else { continue };
            if let Some(first) = self.scope.get(&id.name)
                && first.declared.range != id.range
            {
                let first = first.declared.clone();
                let where_ = if first.file == CONFIG_FILE {
                    "in mica.toml"
                } else {
                    "earlier in this document"
                };
                let message = format!(
                    "source `{}` is already declared {where_}: rename one of them or remove this \
                     declaration",
                    id.name
                );
                let d = self.emit(Code::DuplicateId, id.range, message);
                d.labels.push(Label {
                    location: first,
                    message: format!("`{}` is first declared here", id.name),
                });
                continue;
            }
            for attr in &decl.attrs {
                self.source_attr(attr);
            }
            if let Some(path) = &decl.path
                && path.terminated
                && let Err(e) = self.load(&path.value)
            {
                let d = source_error(self.doc.path, &id.name, &path.value, path.range, &e);
                self.diagnostics.push(d);
            }
        }
    }

    fn source_attr(&mut self, attr: &Attr) {
        let key = attr.key.name.as_str();
        if !vocab::SOURCE_KEYS.iter().any(|(k, _)| *k == key) {
            self.unknown_attribute(attr, vocab::SOURCE_KEYS, "source");
            return;
        }
        let value = match &attr.value.kind {
            ValueKind::Str(s) => s.value.as_str(),
            ValueKind::Bare(b) => b.as_str(),
            ValueKind::Invalid(why) => {
                self.emit(Code::InvalidValue, attr.value.range, why.clone());
                return;
            }
            ValueKind::Missing => return,
            _ => {
                let msg = format!("`{key}` takes a word or a quoted string");
                self.emit(Code::InvalidValue, attr.value.range, msg);
                return;
            }
        };
        if let Some(problem) = vocab::source_attr_problem(key, value) {
            self.emit(Code::InvalidValue, attr.value.range, problem);
        }
    }

    fn unknown_attribute(&mut self, attr: &Attr, known: &[(&str, &str)], what: &str) {
        let key = &attr.key.name;
        let names = known.iter().map(|(k, _)| *k);
        let alias = match key.as_str() {
            "confidence" => Some("conf"),
            "probability" | "likelihood" | "prob" => Some("p"),
            "source" | "citation" | "cites" => Some("cite"),
            _ => None,
        }
        .filter(|a| known.iter().any(|(k, _)| k == a));
        let suggestion = alias.or_else(|| did_you_mean(key, names));
        let list = known
            .iter()
            .map(|(k, _)| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (message, fix) = match suggestion {
            Some(s) => (
                format!("unknown {what} attribute `{key}`: did you mean `{s}`?"),
                Fix {
                    title: format!("Rename `{key}` to `{s}`"),
                    edits: vec![self.edit(attr.key.range, s)],
                    safe: false,
                },
            ),
            None => (
                format!("unknown {what} attribute `{key}`: {what}s take {list}"),
                Fix {
                    title: format!("Remove `{key}=...`"),
                    edits: vec![self.edit(self.with_leading_space(attr.range), "")],
                    safe: false,
                },
            ),
        };
        self.emit(Code::UnknownAttribute, attr.key.range, message)
            .fix = Some(fix);
    }

    /// `range` widened over the whitespace before it, so that removing it leaves no double space.
    fn with_leading_space(&self, range: TextRange) -> TextRange {
        let before = &self.doc.text[..range.start];
        let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
        TextRange::new(range.start - ws, range.end)
    }

    fn claim_ids(&mut self) -> HashMap<&'a str, TextRange> {
        let parse: &'a Parse = self.doc.parse;
        let mut ids: HashMap<&'a str, TextRange> = HashMap::new();
        for claim in &parse.document.claims {
            let Some(id) = &claim.id else { continue };
            if let Some(first) = ids.get(id.name.as_str()) {
                let first = *first;
                let message = format!(
                    "claim id `#{}` is already used in this document: give this claim another id",
                    id.name
                );
                let file = self.doc.path.to_string();
                let d = self.emit(Code::DuplicateId, id.range, message);
                d.labels.push(Label::at(
                    &file,
                    first,
                    format!("`#{}` is first used here", id.name),
                ));
            } else {
                ids.insert(&id.name, id.range);
            }
        }
        ids
    }

    fn claim(&mut self, index: usize, claim: &Claim, ids: &HashMap<&str, TextRange>) {
        let first_citation = self.evidence.len();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut cites = 0;
        for attr in &claim.attrs {
            let key = attr.key.name.as_str();
            if vocab::SINGLE_KEYS.contains(&key) && !seen.insert(key) {
                let msg = format!("`{key}` is given twice for this claim: keep one");
                self.emit(Code::InvalidValue, attr.range, msg);
                continue;
            }
            if let ValueKind::Invalid(why) = &attr.value.kind {
                self.emit(Code::InvalidValue, attr.value.range, why.clone());
                if key == "cite" {
                    cites += 1;
                }
                continue;
            }
            if attr.value.kind == ValueKind::Missing {
                continue;
            }
            match key {
                "cite" => {
                    cites += 1;
                    if let ValueKind::Citation(c) = &attr.value.kind {
                        self.citation(index, c);
                    }
                }
                "conf" => self.conf(attr),
                "p" => self.likelihood(attr),
                "supports" | "contradicts" => self.reference(claim, attr, ids),
                "note" => {}
                _ => self.unknown_attribute(attr, vocab::CLAIM_KEYS, "claim"),
            }
        }
        if cites == 0 && !claim.has_errors {
            let what = claim
                .id
                .as_ref()
                .map_or("this claim".to_string(), |i| format!("claim `#{}`", i.name));
            let msg = format!(
                "{what} cites no source: add `cite=SOURCE:\"quoted words\"` to its attributes"
            );
            self.emit(Code::UncitedClaim, claim.text_range, msg);
        }
        self.tradecraft(claim, first_citation);
    }

    fn bare<'v>(&mut self, attr: &'v Attr, expected: &str) -> Option<&'v str> {
        match &attr.value.kind {
            ValueKind::Bare(b) => Some(b),
            ValueKind::Str(s) => Some(&s.value),
            _ => {
                let msg = format!("`{}` takes {expected}", attr.key.name);
                self.emit(Code::InvalidValue, attr.value.range, msg);
                None
            }
        }
    }

    fn conf(&mut self, attr: &Attr) {
        let Some(v) = self.bare(attr, "low, moderate or high") else {
            return;
        };
        if !vocab::CONFIDENCE.iter().any(|(c, _)| *c == v) {
            let hint = did_you_mean(v, vocab::CONFIDENCE.iter().map(|(c, _)| *c))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let msg = format!("`{v}` is not a confidence level: use low, moderate or high{hint}");
            self.emit(Code::InvalidValue, attr.value.range, msg);
        }
    }

    fn likelihood(&mut self, attr: &Attr) {
        let expected = "an ICD 203 term (e.g. likely), a number in [0,1] or a percentage";
        let Some(v) = self.bare(attr, expected) else {
            return;
        };
        if Likelihood::parse(v).is_none() {
            let terms = vocab::LIKELIHOOD.iter().map(|(t, _, _)| *t);
            let hint = did_you_mean(v, terms)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let msg = format!("`{v}` is not a likelihood: use {expected}{hint}");
            self.emit(Code::InvalidValue, attr.value.range, msg);
        }
    }

    fn reference(&mut self, claim: &Claim, attr: &Attr, ids: &HashMap<&str, TextRange>) {
        let ValueKind::Ref(target) = &attr.value.kind else {
            let msg = format!(
                "`{}` takes a claim id, as in `{}=#c1`",
                attr.key.name, attr.key.name
            );
            self.emit(Code::InvalidValue, attr.value.range, msg);
            return;
        };
        if claim.id.as_ref().is_some_and(|id| id.name == target.name) {
            let msg = format!(
                "a claim cannot {} itself",
                attr.key.name.trim_end_matches('s')
            );
            self.emit(Code::InvalidValue, attr.value.range, msg);
            return;
        }
        if ids.contains_key(target.name.as_str()) {
            return;
        }
        let guess = did_you_mean(&target.name, ids.keys().copied());
        let hint = guess
            .map(|g| format!(": did you mean `#{g}`?"))
            .unwrap_or_else(|| ": claim ids are local to their document".into());
        let msg = format!("no claim `#{}` in this document{hint}", target.name);
        let fix = guess.map(|g| Fix {
            title: format!("Change to `#{g}`"),
            edits: vec![self.edit(target.range, g)],
            safe: false,
        });
        self.emit(Code::UnknownClaim, target.range, msg).fix = fix;
    }

    fn citation(&mut self, claim: usize, c: &Citation) {
        let mut resolved = ResolvedCitation {
            claim,
            range: c.range,
            source_id: c.source.name.clone(),
            source_path: None,
            target: None,
            parts: Vec::new(),
            suggestion: None,
        };
        let mut evidence = OwnedEvidence::default();
        self.resolve(c, &mut resolved, &mut evidence);
        self.citations.push(resolved);
        self.evidence.push(evidence);
    }

    fn resolve(&mut self, c: &Citation, out: &mut ResolvedCitation, ev: &mut OwnedEvidence) {
        let Some(def) = self.scope.get(&c.source.name) else {
            self.unknown_source(c);
            return;
        };
        ev.declared = true;
        ev.grade = def.attr("reliability").and_then(vocab::Grade::parse);
        // A source that cannot be read is reported where it is declared, once.
        let Some((path, _)) = &def.path else { return };
        let Ok(source) = self.load(path) else { return };
        out.source_path = Some(source.path().to_string());
        ev.source_path = out.source_path.clone();
        let lines = c.lines.map(|l| LineSpan {
            start: l.start,
            end: l.end,
        });
        let Some(quote) = &c.quote else {
            if let (Some(loc), Some(span)) = (c.lines, lines) {
                match source.line_span_range(span) {
                    Some(range) => {
                        out.target = Some(range);
                        let text = source.text()[range.to_range()].to_string();
                        ev.passages = Some(vec![(text, range)]);
                    }
                    None => self.line_out_of_range(c.source.name.as_str(), loc.range, &source),
                }
            }
            return;
        };
        if !quote.terminated {
            return;
        }
        let outcome = source.find_quote(QuoteQuery {
            quote: &quote.value,
            lines,
        });
        match outcome {
            QuoteOutcome::Found(m) => {
                ev.found(&source, &m, true);
                out.target = Some(m.range);
                out.parts = m.parts.clone();
                if m.count > 1 && lines.is_none() {
                    self.ambiguous(c, &source, &m);
                }
            }
            QuoteOutcome::OutsideLines(m) => {
                // The quote is in the source, just not where the locator says: editors still
                // take the reader there.
                ev.found(&source, &m, false);
                out.target = Some(m.range);
                out.parts = m.parts.clone();
                self.outside_lines(c, &source, &m);
            }
            QuoteOutcome::LinesOutOfRange { .. } => {
                let range = c.lines.map_or(c.range, |l| l.range);
                self.line_out_of_range(c.source.name.as_str(), range, &source);
            }
            QuoteOutcome::NotFound => {
                out.suggestion = self.not_found(c, quote, lines, &source);
            }
            QuoteOutcome::Empty => {
                self.emit(
                    Code::InvalidValue,
                    quote.range,
                    "the quote is empty: quote the passage you cite",
                );
            }
        }
    }

    fn unknown_source(&mut self, c: &Citation) {
        let guess = did_you_mean(&c.source.name, self.scope.ids());
        let message = match guess {
            Some(g) => format!("unknown source `{}`: did you mean `{g}`?", c.source.name),
            None => format!(
                "unknown source `{0}`: declare it with `@source {0} \"path/to/file.txt\"` or under \
                 [sources.{0}] in mica.toml",
                c.source.name
            ),
        };
        let fix = guess.map(|g| Fix {
            title: format!("Change to `{g}`"),
            edits: vec![self.edit(c.source.range, g)],
            safe: false,
        });
        self.emit(Code::UnknownSource, c.source.range, message).fix = fix;
    }

    fn line_out_of_range(&mut self, id: &str, range: TextRange, source: &SourceFile) {
        let n = source.line_count();
        let msg = format!(
            "source `{id}` ({}) has {n} line{}: the line locator points past its end",
            source.path(),
            if n == 1 { "" } else { "s" }
        );
        self.emit(Code::LineOutOfRange, range, msg);
    }

    /// `L12` or `L12-14` for a range of the source.
    fn locator(source: &SourceFile, range: TextRange) -> String {
        let lines = source.lines();
        let a = lines.line_of(range.start) + 1;
        let b = lines.line_of(range.end.saturating_sub(1).max(range.start)) + 1;
        if a == b {
            format!("L{a}")
        } else {
            format!("L{a}-{b}")
        }
    }

    fn ambiguous(&mut self, c: &Citation, source: &SourceFile, m: &QuoteMatch) {
        let loc = Self::locator(source, m.range);
        let times = if m.count >= OCCURRENCE_CAP {
            format!("at least {} times", m.count)
        } else {
            format!("{} times", m.count)
        };
        let msg = format!(
            "this quote occurs {times} in `{}`; the first match ({loc}) is used: add a line \
             locator to say which one you mean",
            c.source.name
        );
        let fix = Fix {
            title: format!("Add the line locator `{loc}`"),
            edits: vec![self.edit(TextRange::empty(c.source.range.end), format!(":{loc}"))],
            safe: false,
        };
        let path = source.path().to_string();
        let d = self.emit(
            Code::AmbiguousQuote,
            c.quote.as_ref().map_or(c.range, |q| q.range),
            msg,
        );
        d.labels.push(Label::at(&path, m.range, "first match"));
        d.fix = Some(fix);
    }

    fn outside_lines(&mut self, c: &Citation, source: &SourceFile, m: &QuoteMatch) {
        let Some(lines) = c.lines else { return };
        let found = Self::locator(source, m.range);
        let written = &self.doc.text[lines.range.to_range()];
        let msg = format!(
            "the quote is not within {written} of `{}`; it is at {found}",
            c.source.name
        );
        let fix = Fix {
            title: format!("Change the line locator to `{found}`"),
            edits: vec![self.edit(lines.range, found.clone())],
            safe: false,
        };
        let path = source.path().to_string();
        let d = self.emit(Code::QuoteOutsideLines, lines.range, msg);
        d.labels.push(Label::at(
            &path,
            m.range,
            format!("the quote is here, at {found}"),
        ));
        d.fix = Some(fix);
    }

    fn not_found(
        &mut self,
        c: &Citation,
        quote: &StrLit,
        lines: Option<LineSpan>,
        source: &SourceFile,
    ) -> Option<Suggestion> {
        let parts = quote_parts(&quote.value);
        if parts.len() > 1
            && parts.iter().all(|p| {
                matches!(
                    source.find_quote(QuoteQuery { quote: p, lines }),
                    QuoteOutcome::Found(_)
                )
            })
        {
            // Every part is there: the suggestion would be the quote itself. Say what is wrong.
            let msg = format!(
                "every part of this elided quote occurs in `{}` ({}), but not in this order with                  at most {MAX_ELISION_GAP} characters between consecutive parts: quote a shorter                  passage, or cite the parts separately",
                c.source.name,
                source.path()
            );
            self.emit(Code::QuoteNotFound, quote.range, msg);
            return None;
        }
        let suggestion = source.suggest(&quote.value, lines);
        let mut msg = format!("quote not found in `{}` ({})", c.source.name, source.path());
        if let Some(s) = &suggestion {
            let line = source.lines().line_of(s.range.start) + 1;
            msg.push_str(&format!(
                "; the closest passage, on line {line}, reads \"{}\"",
                shorten(&s.text, 160)
            ));
        } else {
            msg.push_str("; nothing in it is close: check the source id and the wording");
        }
        let path = source.path().to_string();
        let fix = suggestion.as_ref().map(|s| Fix {
            title: "Replace the quote with the closest passage in the source".into(),
            edits: vec![self.edit(quote.inner_range(), escape_string(&s.text))],
            safe: false,
        });
        let d = self.emit(Code::QuoteNotFound, quote.range, msg);
        if let Some(s) = &suggestion {
            d.labels.push(Label::at(&path, s.range, "closest passage"));
            d.suggestion = Some(s.text.clone());
        }
        d.fix = fix;
        suggestion
    }

    fn unused_sources(&mut self, cited: &HashSet<&str>) {
        let parse: &'a Parse = self.doc.parse;
        let doc = &parse.document;
        for decl in &doc.sources {
            let Some(id) = &decl.id else { continue };
            if cited.contains(id.name.as_str()) {
                continue;
            }
            // Only the declaration that counts is reported; duplicates have their own error.
            if self
                .scope
                .get(&id.name)
                .is_some_and(|d| d.declared.range != id.range)
            {
                continue;
            }
            let line = self.whole_line(decl.range);
            let fix = Fix {
                title: format!("Remove the declaration of `{}`", id.name),
                edits: vec![self.edit(line, "")],
                safe: false,
            };
            let msg = format!(
                "source `{}` is declared but never cited in this document: cite it or remove the \
                 declaration",
                id.name
            );
            self.emit(Code::UnusedSource, id.range, msg).fix = Some(fix);
        }
    }

    /// The lines a range covers, including the final line ending.
    fn whole_line(&self, range: TextRange) -> TextRange {
        let text = self.doc.text;
        let start = text[..range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let rest = &text[range.end..];
        let end = match rest.find(['\n', '\r']) {
            Some(i) if rest[i..].starts_with("\r\n") => range.end + i + 2,
            Some(i) => range.end + i + 1,
            None => text.len(),
        };
        TextRange::new(start, end)
    }
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
