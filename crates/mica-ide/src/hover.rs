//! Hover: what a claim says and rests on, a citation's passage in its source, a source's
//! description, and the meaning of attribute keys and values.

use crate::cursor::{CitePart, Hit, hit_at, with_sigil};
use crate::markdown::{self, code, code_block, escape};
use crate::{Analysis, DocumentData};
use mica_check::vocab::{self, Likelihood};
use mica_check::{ResolvedCitation, SourceDef, shorten};
use mica_syntax::{Attr, Citation, LineIndex, TextRange, ValueKind};

/// A hover: the range it is about and its Markdown text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    /// The range of the document the hover describes.
    pub range: TextRange,
    /// The text, in Markdown.
    pub markdown: String,
}

/// The hover at `offset` in the document at `path`.
pub fn hover(analysis: &Analysis, path: &str, offset: usize) -> Option<HoverResult> {
    let doc = analysis.document(path)?;
    let hit = hit_at(&doc.parse.document, offset)?;
    let claims = &doc.parse.document.claims;
    let (range, markdown) = match hit {
        Hit::Citation { cite, part, .. } => match part {
            CitePart::Source => {
                let md = match doc.scope.get(&cite.source.name) {
                    Some(def) => source_markdown(analysis, def),
                    None => format!(
                        "Unknown source {}: it is declared neither in this document nor in \
                         `mica.toml`.",
                        code(&cite.source.name)
                    ),
                };
                (cite.source.range, md)
            }
            _ => {
                let range = match part {
                    CitePart::Quote => cite.quote.as_ref().map_or(cite.range, |q| q.range),
                    CitePart::Lines => cite.lines.map_or(cite.range, |l| l.range),
                    _ => cite.range,
                };
                (range, citation_hover(analysis, doc, cite)?)
            }
        },
        Hit::SourceDeclId { id, .. } => {
            let def = decl_def(doc, id.range)?;
            (id.range, source_markdown(analysis, def))
        }
        Hit::SourcePath { decl } => {
            let id = decl.id.as_ref()?;
            let def = decl_def(doc, id.range)?;
            let range = decl.path.as_ref().map_or(decl.range, |p| p.range);
            (range, source_markdown(analysis, def))
        }
        Hit::Ref { name, at } => {
            let i = claims
                .iter()
                .position(|c| c.id.as_ref().is_some_and(|id| id.name == name))?;
            (at, claim_markdown(analysis, doc, i))
        }
        Hit::Key { claim, attr } => (attr.key.range, key_markdown(claim.is_some(), attr)?),
        Hit::Value { claim, attr } => (attr.value.range, value_markdown(claim.is_some(), attr)?),
        Hit::ClaimId { claim, id } => (with_sigil(id), claim_markdown(analysis, doc, claim)),
        Hit::Tag { claim, tag } => (with_sigil(tag), claim_markdown(analysis, doc, claim)),
        Hit::Claim { claim } => {
            let c = &claims[claim];
            let range = if c.text_range.contains_inclusive(offset) {
                c.text_range
            } else {
                c.range()
            };
            (range, claim_markdown(analysis, doc, claim))
        }
    };
    Some(HoverResult { range, markdown })
}

/// The source declared at `id_range` of the document (which may be a duplicate declaration).
pub(crate) fn decl_def(doc: &DocumentData, id_range: TextRange) -> Option<&SourceDef> {
    doc.scope
        .defs()
        .find(|d| d.declared.file == doc.path && d.declared.range == id_range)
}

/// Where `cite` resolved.
pub(crate) fn resolved<'a>(doc: &'a DocumentData, cite: &Citation) -> Option<&'a ResolvedCitation> {
    doc.citation(cite.range)
}

/// `file:12` or `file:12-14` for a range of a workspace file.
pub(crate) fn file_line(analysis: &Analysis, file: &str, range: TextRange) -> String {
    match analysis.file(file) {
        Some(f) => lines_label(file, f.lines(), range),
        None => file.to_string(),
    }
}

/// `file:line` or `file:first-last` for `range` of a file whose lines are `lines`.
fn lines_label(file: &str, lines: &LineIndex, range: TextRange) -> String {
    let a = lines.line_of(range.start()) + 1;
    let b = lines.line_of(range.end().saturating_sub(1).max(range.start())) + 1;
    if a == b {
        format!("{file}:{a}")
    } else {
        format!("{file}:{a}-{b}")
    }
}

fn reliability_words(grade: &str) -> Option<&'static str> {
    vocab::RELIABILITY
        .iter()
        .find(|(g, _)| *g == grade)
        .map(|(_, w)| *w)
}

fn reliability_md(def: &SourceDef) -> Option<String> {
    let grade = def.attr("reliability")?;
    Some(match reliability_words(grade) {
        Some(words) => format!("reliability **{}** ({words})", escape(grade)),
        None => format!("reliability {} (not an Admiralty grade)", code(grade)),
    })
}

/// The hover of a source: title, id, reliability, path, size, where declared, first lines.
pub(crate) fn source_markdown(analysis: &Analysis, def: &SourceDef) -> String {
    let mut md = String::new();
    match def.attr("title") {
        Some(t) => md.push_str(&format!("**{}**\n\n", escape(t))),
        None => md.push_str(&format!("**Source {}**\n\n", code(&def.id))),
    }
    let mut facts = vec![format!("Source {}", code(&def.id))];
    facts.extend(reliability_md(def));
    let mut lines = vec![facts.join(" · ")];
    let mut excerpt = None;
    if let Some((path, _)) = &def.path {
        match analysis.provider().load(path) {
            Ok(src) => {
                let n = src.line_count();
                lines.push(format!(
                    "{} · {} bytes · {n} line{}",
                    code(src.path()),
                    group_digits(src.text().len()),
                    if n == 1 { "" } else { "s" }
                ));
                excerpt = Some(first_lines(src.text(), 4));
            }
            Err(e) => lines.push(format!("{} cannot be read: {e}", code(path))),
        }
    }
    if let Some(url) = def.attr("url") {
        lines.push(format!("URL: <{}>", url.replace(['<', '>', ' '], "")));
    }
    if let Some(date) = def.attr("date") {
        lines.push(format!("Date: {}", escape(date)));
    }
    lines.push(format!(
        "Declared in {}",
        code(&file_line(analysis, &def.declared.file, def.declared.range))
    ));
    md.push_str(&lines.join("  \n"));
    if let Some(ex) = excerpt.filter(|e| !e.is_empty()) {
        md.push_str("\n\n");
        md.push_str(&code_block(&ex));
    }
    md
}

/// The first `n` non-blank lines of `text`, each at most 160 characters.
fn first_lines(text: &str, n: usize) -> String {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .map(|l| shorten(l, 160))
        .collect::<Vec<_>>()
        .join("\n")
}

fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The hover of one citation: its passage in context, or why it did not resolve.
fn citation_hover(analysis: &Analysis, doc: &DocumentData, cite: &Citation) -> Option<String> {
    let r = resolved(doc, cite)?;
    Some(citation_markdown(analysis, doc, &cite.source.name, r, None))
}

/// One citation of `source_id`: the source's title and reliability, `file:line`, and the
/// passage.
fn citation_markdown(
    analysis: &Analysis,
    doc: &DocumentData,
    source_id: &str,
    r: &ResolvedCitation,
    number: Option<usize>,
) -> String {
    let def = doc.scope.get(source_id);
    let mut head = String::new();
    if let Some(n) = number {
        head.push_str(&format!("{n}. "));
    }
    match def.and_then(|d| d.attr("title")) {
        Some(t) => head.push_str(&format!("**{}** — {}", escape(t), code(source_id))),
        None => head.push_str(&format!("**{}**", code(source_id))),
    }
    if let Some(rel) = def.and_then(reliability_md) {
        head.push_str(&format!(", {rel}"));
    }
    let mut md = head;
    let source = r
        .source_path
        .as_ref()
        .and_then(|p| analysis.provider().load(p).ok());
    match (&source, r.target) {
        (Some(src), Some(target)) => {
            md.push_str(&format!(
                "  \n{}\n\n",
                code(&lines_label(src.path(), src.lines(), target))
            ));
            if r.parts.is_empty() {
                md.push_str(&code_block(&markdown::lines_excerpt(src, target, 12)));
            } else {
                md.push_str("> ");
                md.push_str(&markdown::passage_in_context(src, &r.parts));
            }
        }
        (Some(src), None) if r.suggestion.is_some() => {
            let s = r.suggestion.as_ref().expect("checked above");
            md.push_str(&format!(
                "\n\nQuote not found. The closest passage is at {}:\n\n> {}",
                code(&lines_label(src.path(), src.lines(), s.range)),
                markdown::passage_in_context(src, &[s.range])
            ));
        }
        _ => {
            let why = doc
                .diagnostics
                .iter()
                .find(|d| r.range.contains_range(d.location.range))
                .map(|d| d.message.clone());
            match why {
                Some(msg) => md.push_str(&format!("\n\n_{}_", markdown::message(&msg))),
                None if r.source_path.is_some() => md.push_str("\n\nCites the whole source."),
                None => {}
            }
        }
    }
    md
}

/// One line on what a claim stands on: how many sources, their Admiralty grades (an ungraded
/// source shows as F, as the tradecraft rules count it), and how many of its quotes were found
/// where they say.
fn sourcing_summary(doc: &DocumentData, index: usize) -> Option<String> {
    let claim = &doc.parse.document.claims[index];
    let mut sources: Vec<(&str, &str)> = Vec::new();
    let (mut quotes, mut verified) = (0, 0);
    for c in claim.citations() {
        let Some(def) = doc.scope.get(&c.source.name) else {
            continue;
        };
        if !sources.iter().any(|(id, _)| *id == def.id) {
            let grade = def
                .attr("reliability")
                .and_then(vocab::Grade::parse)
                .unwrap_or(vocab::Grade::F);
            sources.push((&def.id, grade.letter()));
        }
        if c.quote.is_none() {
            continue;
        }
        quotes += 1;
        let resolved = doc.citation(c.range);
        let misplaced = doc.diagnostics.iter().any(|d| {
            d.code == mica_check::Code::QuoteOutsideLines
                && c.range.contains_range(d.location.range)
        });
        if resolved.is_some_and(|r| r.target.is_some()) && !misplaced {
            verified += 1;
        }
    }
    if sources.is_empty() {
        return None;
    }
    let n = sources.len();
    let grades: Vec<String> = sources
        .iter()
        .map(|(id, g)| format!("{} {g}", code(id)))
        .collect();
    let quotes = match quotes {
        0 => "no quotes".to_string(),
        q => format!(
            "{verified} of {q} quote{} verified",
            if q == 1 { "" } else { "s" }
        ),
    };
    Some(format!(
        "Sourcing: {n} source{} ({}), {quotes}",
        if n == 1 { "" } else { "s" },
        grades.join(", ")
    ))
}

/// The hover of a claim: id, tags, confidence, likelihood in words, relations, and every
/// citation's passage.
pub(crate) fn claim_markdown(analysis: &Analysis, doc: &DocumentData, index: usize) -> String {
    let claim = &doc.parse.document.claims[index];
    let mut md = String::from("**Claim**");
    if let Some(id) = &claim.id {
        md.push_str(&format!(" {}", code(&format!("#{}", id.name))));
    }
    for t in &claim.tags {
        md.push_str(&format!(" {}", code(&format!(".{}", t.name))));
    }
    let mut facts = Vec::new();
    for attr in &claim.attrs {
        let value = value_text(attr);
        match (attr.key.name.as_str(), value) {
            ("conf", Some(v)) => match vocab::CONFIDENCE.iter().find(|(c, _)| *c == v) {
                Some((c, words)) => facts.push(format!(
                    "Confidence: **{c}** — {}",
                    escape(words.split_once(": ").map_or(*words, |(_, w)| w))
                )),
                None => facts.push(format!("Confidence: {} (not a level)", code(v))),
            },
            ("p", Some(v)) => match Likelihood::parse(v) {
                Some(l) => facts.push(format!("Likelihood: **{}**", escape(&l.describe()))),
                None => facts.push(format!("Likelihood: {} (not a likelihood)", code(v))),
            },
            (key @ ("supports" | "contradicts"), _) => {
                if let ValueKind::Ref(target) = &attr.value.kind {
                    let text = doc
                        .parse
                        .document
                        .claims
                        .iter()
                        .find(|c| c.id.as_ref().is_some_and(|i| i.name == target))
                        .map(|c| format!(" — {}", escape(&shorten(&c.text, 100))))
                        .unwrap_or_else(|| " (no such claim)".into());
                    let verb = if key == "supports" {
                        "Supports"
                    } else {
                        "Contradicts"
                    };
                    facts.push(format!("{verb} {}{text}", code(&format!("#{target}"))));
                }
            }
            ("note", Some(v)) => facts.push(format!("Note: {}", escape(v))),
            _ => {}
        }
    }
    facts.extend(sourcing_summary(doc, index));
    if !facts.is_empty() {
        md.push_str("\n\n");
        md.push_str(&facts.join("  \n"));
    }
    let cites = doc.citations_of(index);
    if cites.is_empty() {
        md.push_str("\n\n_No citation._");
    }
    let claim = &doc.parse.document.claims[index];
    for (n, r) in cites.iter().enumerate() {
        // Each resolution is of a citation of the claim, at its range.
        let Some(cite) = claim.citations().find(|c| c.range == r.range) else {
            continue;
        };
        md.push_str("\n\n---\n\n");
        md.push_str(&citation_markdown(
            analysis,
            doc,
            &cite.source.name,
            r,
            Some(n + 1),
        ));
    }
    md
}

/// The value of a bare or string attribute.
fn value_text(attr: &Attr) -> Option<&str> {
    match &attr.value.kind {
        ValueKind::Bare(b) => Some(b),
        ValueKind::Str(s) => Some(&s.value),
        _ => None,
    }
}

fn key_markdown(in_claim: bool, attr: &Attr) -> Option<String> {
    let keys = if in_claim {
        vocab::CLAIM_KEYS
    } else {
        vocab::SOURCE_KEYS
    };
    let (key, doc) = keys.iter().find(|(k, _)| *k == attr.key.name)?;
    Some(format!("{} — {}", code(key), escape(doc)))
}

fn value_markdown(in_claim: bool, attr: &Attr) -> Option<String> {
    let v = value_text(attr)?;
    match (in_claim, attr.key.name.as_str()) {
        (true, "conf") => vocab::CONFIDENCE
            .iter()
            .find(|(c, _)| *c == v)
            .map(|(_, w)| escape(w)),
        (true, "p") => {
            let l = Likelihood::parse(v)?;
            let table = vocab::LIKELIHOOD
                .iter()
                .map(|(t, lo, hi)| {
                    let row = format!("{t} {lo}–{hi}%");
                    if matches!(l, Likelihood::Term(x, _, _) if x == *t) {
                        format!("**{row}**")
                    } else {
                        row
                    }
                })
                .collect::<Vec<_>>()
                .join(" · ");
            Some(format!(
                "Likelihood: **{}**\n\nICD 203: {table}",
                escape(&l.describe())
            ))
        }
        (false, "reliability") => {
            let words = reliability_words(v)?;
            Some(format!("Reliability **{}**: {words}", escape(v)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    fn hover_at(text: &str) -> Option<HoverResult> {
        let f = fixture(text);
        hover(&f.analysis, &f.file, f.offset())
    }

    #[track_caller]
    fn check(text: &str, expected: &[&str]) {
        let h = hover_at(text).expect("a hover");
        for e in expected {
            assert!(h.markdown.contains(e), "missing {e:?} in:\n{}", h.markdown);
        }
    }

    #[test]
    fn claim_hover_shows_id_confidence_likelihood_and_passages() {
        check(
            r#"[The plan w$0as signed in 2015.]{#signed .history conf=high p=likely cite=art:"signed by Premier Li Keqiang" cite=art:L3}"#,
            &[
                "**Claim** `#signed` `.history`",
                "Confidence: **high**",
                "Likelihood: **likely (55–80%)**",
                "Sourcing: 1 source (`art` B), 1 of 1 quote verified",
                "1. **An article** — `art`, reliability **B** (usually reliable)",
                "`article.txt:6`",
                "> The plan was **signed by Premier Li Keqiang** in May 2015.",
                "2. **An article**",
                "`article.txt:3`",
                "The target was 70 percent by 2025.",
            ],
        );
    }

    #[test]
    fn claim_hover_explains_unresolved_citations() {
        check(
            r#"[x]{#a$0 cite=nope:"q" cite=art:"the CCP invested more than $400 billion"}"#,
            &[
                "Sourcing: 1 source (`art` B), 0 of 1 quote verified",
                "1. **`nope`**",
                "_unknown source `nope`",
                "Quote not found. The closest passage is at `article.txt:1-2`",
                "> Over nine years, **the CCP invested more than $300 billion** to establish",
            ],
        );
    }

    #[test]
    fn citation_hover_is_that_passage_only() {
        let h = hover_at(r#"[x]{#a cite=art:"中国制$0造2025" cite=art:L1}"#).unwrap();
        assert!(h.markdown.contains("**中国制造2025**"), "{}", h.markdown);
        assert!(!h.markdown.contains("1. "), "{}", h.markdown);
        assert!(!h.markdown.contains("Over nine"), "{}", h.markdown);
    }

    #[test]
    fn hover_range_is_the_quote() {
        let f = fixture(r#"[x]{#a cite=art:"The plan$0 was signed"}"#);
        let h = hover(&f.analysis, &f.file, f.offset()).unwrap();
        assert_eq!(&f.text()[h.range.to_range()], "\"The plan was signed\"");
    }

    #[test]
    fn source_hover_from_citation_and_declaration() {
        check(
            r#"[x]{#a cite=ar$0t:L1}"#,
            &[
                "**An article**",
                "Source `art` · reliability **B** (usually reliable)",
                "`article.txt` · ",
                "Declared in `mica.toml:1`",
                "Over nine years",
            ],
        );
        check(
            "//- /mica.toml\n//- /notes.txt\nfirst line\n\nsecond line\n//- /doc.mica\n@source n$0otes \"notes.txt\" title=\"Notes\" reliability=F date=2024\n[x]{cite=notes}\n",
            &[
                "**Notes**",
                "reliability **F** (reliability cannot be judged)",
                "`notes.txt` · 24 bytes · 3 lines",
                "Date: 2024",
                "Declared in `doc.mica:1`",
                "first line\nsecond line",
            ],
        );
    }

    #[test]
    fn key_and_value_hovers() {
        check(
            "[x]{co$0nf=high cite=art}",
            &["`conf` — analytic confidence"],
        );
        check("[x]{p=0.$07 cite=art}", &["70%, likely in ICD 203 terms"]);
        check(
            "[x]{p=very-like$0ly cite=art}",
            &["**very likely (80–95%)**", "**very-likely 80–95%**"],
        );
        check(
            "//- /mica.toml\n//- /a.txt\nA\n//- /doc.mica\n@source a \"a.txt\" reliability=$0C\n",
            &["Reliability **C**: fairly reliable"],
        );
    }

    #[test]
    fn reference_hover_shows_the_target_claim() {
        check(
            "[a]{#one conf=low cite=art:L1}\n\n[b]{#two supports=#o$0ne cite=art:L2}",
            &["**Claim** `#one`", "Confidence: **low**"],
        );
        check(
            "[a]{#o$0ne cite=art:L1}\n\n[b]{#two supports=#one cite=art:L2}",
            &["**Claim** `#one`"],
        );
        check(
            "[a]{#one cite=art:L1}\n\n[b]{#t$0wo supports=#one cite=art:L2}",
            &["Supports `#one` — a"],
        );
    }

    #[test]
    fn nothing_outside_annotations() {
        assert_eq!(hover_at("Prose $0here.\n[x]{cite=art}"), None);
    }
}
