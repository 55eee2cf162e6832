//! Semantic tokens (claim text, ids, keys, values, quotes, source ids) and inlay hints (the
//! resolved line of a quote without a line locator).

use crate::Analysis;
use crate::cursor::with_sigil;
use crate::hover::resolved;
use mica_syntax::{Attr, TextRange, ValueKind};

/// What a semantic token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The text of a claim.
    ClaimText,
    /// A claim's own `#id`.
    ClaimId,
    /// `#id` in `supports=`/`contradicts=`.
    ClaimRef,
    /// A `.tag`.
    Tag,
    /// An attribute or front matter key.
    Key,
    /// A bare attribute value (`high`, `likely`, `C`).
    Value,
    /// A number (`0.7`, `55%`).
    Number,
    /// A quoted string that is not a quote (a title, a note, a path).
    String,
    /// A citation's quote.
    Quote,
    /// A source id, declared or cited.
    SourceId,
    /// A source id where it is declared.
    SourceDecl,
    /// A line locator (`L12`).
    LineLocator,
    /// `@source`.
    Keyword,
    /// A comment.
    Comment,
}

/// The semantic tokens of the document at `path`, sorted and without overlaps. A token may
/// span lines (a claim's text, a long quote); the server splits them for clients that need it.
pub fn semantic_tokens(analysis: &Analysis, path: &str) -> Vec<(TextRange, TokenKind)> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let d = &doc.parse.document;
    let text = doc.text.as_str();
    let mut out: Vec<(TextRange, TokenKind)> = Vec::new();
    if let Some(fm) = &d.front_matter {
        for e in &fm.entries {
            out.push((e.key.range, TokenKind::Key));
            out.push((e.value_range, TokenKind::String));
        }
    }
    for &c in &d.comments {
        out.push((c, TokenKind::Comment));
    }
    for s in &d.sources {
        let kw = TextRange::new(s.range.start(), s.range.start() + "@source".len());
        if text.get(kw.to_range()) == Some("@source") {
            out.push((kw, TokenKind::Keyword));
        }
        if let Some(id) = &s.id {
            out.push((id.range, TokenKind::SourceDecl));
        }
        if let Some(p) = &s.path {
            out.push((p.range, TokenKind::String));
        }
        for a in &s.attrs {
            attr_tokens(a, &mut out);
        }
    }
    for c in &d.claims {
        // The claim's text, around the comments inside it.
        let mut at = c.text_range.start();
        for &com in d
            .comments
            .iter()
            .filter(|r| c.text_range.contains_range(**r))
        {
            out.push((TextRange::new(at, com.start()), TokenKind::ClaimText));
            at = com.end();
        }
        out.push((TextRange::new(at, c.text_range.end()), TokenKind::ClaimText));
        if let Some(id) = &c.id {
            out.push((with_sigil(id), TokenKind::ClaimId));
        }
        for t in &c.tags {
            out.push((with_sigil(t), TokenKind::Tag));
        }
        for a in &c.attrs {
            attr_tokens(a, &mut out);
        }
    }
    out.retain(|(r, _)| !r.is_empty() && r.end() <= text.len());
    out.sort_by_key(|(r, _)| (r.start(), std::cmp::Reverse(r.end())));
    let mut clean: Vec<(TextRange, TokenKind)> = Vec::with_capacity(out.len());
    for (r, k) in out {
        match clean.last() {
            Some((last, _)) if r.start() < last.end() => {}
            _ => clean.push((r, k)),
        }
    }
    clean
}

fn attr_tokens(a: &Attr, out: &mut Vec<(TextRange, TokenKind)>) {
    out.push((a.key.range, TokenKind::Key));
    match &a.value.kind {
        ValueKind::Bare(b) => {
            let numeric = b.trim_end_matches('%').parse::<f64>().is_ok();
            let kind = if numeric {
                TokenKind::Number
            } else {
                TokenKind::Value
            };
            out.push((a.value.range, kind));
        }
        ValueKind::Str(s) => out.push((s.range, TokenKind::String)),
        ValueKind::Ref(_) => out.push((a.value.range, TokenKind::ClaimRef)),
        ValueKind::Citation(c) => {
            out.push((c.source.range, TokenKind::SourceId));
            if let Some(l) = c.lines {
                out.push((l.range, TokenKind::LineLocator));
            }
            if let Some(q) = &c.quote {
                out.push((q.range, TokenKind::Quote));
            }
        }
        ValueKind::Invalid(_) | ValueKind::Missing => {}
    }
}

/// A hint shown inline, after a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where it is shown (after this offset).
    pub offset: usize,
    /// The text shown.
    pub label: String,
    /// More, on hover.
    pub tooltip: Option<String>,
}

/// The line each quote without a line locator resolved to (`L12`), for quotes in `range`.
pub fn inlay_hints(analysis: &Analysis, path: &str, range: TextRange) -> Vec<InlayHint> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &doc.parse.document.claims {
        if c.range().end() < range.start() || c.range().start() > range.end() {
            continue;
        }
        for cite in c.citations() {
            let (Some(q), None) = (&cite.quote, cite.lines) else {
                continue;
            };
            let Some(r) = resolved(doc, cite) else {
                continue;
            };
            let (Some(target), Some(file)) = (r.target, r.source_path.as_ref()) else {
                continue;
            };
            let Ok(src) = analysis.provider().load(file) else {
                continue;
            };
            let a = src.lines().line_of(target.start()) + 1;
            let b = src
                .lines()
                .line_of(target.end().saturating_sub(1).max(target.start()))
                + 1;
            let label = if a == b {
                format!("L{a}")
            } else {
                format!("L{a}-{b}")
            };
            out.push(InlayHint {
                offset: q.range.end(),
                tooltip: Some(format!("The quote is at {file}:{}", &label[1..])),
                label,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    #[test]
    fn tokens_of_claims_and_sources() {
        let f = fixture(
            "//- /mica.toml\n//- /a.txt\nSome words here.\n//- /doc.mica\n@source a \"a.txt\" reliability=C\n[Text <!-- c --> more]{#id .tag conf=high p=0.7 supports=#x cite=a:L1:\"words\"}\n",
        );
        let got: Vec<(String, TokenKind)> = semantic_tokens(&f.analysis, &f.file)
            .into_iter()
            .map(|(r, k)| (f.text()[r.to_range()].to_string(), k))
            .collect();
        use TokenKind::{
            ClaimId, ClaimRef, ClaimText, Comment, Key, Keyword, LineLocator, Number, Quote,
            SourceDecl, SourceId, Tag, Value,
        };
        let expected = [
            ("@source", Keyword),
            ("a", SourceDecl),
            ("\"a.txt\"", TokenKind::String),
            ("reliability", Key),
            ("C", Value),
            ("Text ", ClaimText),
            ("<!-- c -->", Comment),
            (" more", ClaimText),
            ("#id", ClaimId),
            (".tag", Tag),
            ("conf", Key),
            ("high", Value),
            ("p", Key),
            ("0.7", Number),
            ("supports", Key),
            ("#x", ClaimRef),
            ("cite", Key),
            ("a", SourceId),
            ("L1", LineLocator),
            ("\"words\"", Quote),
        ];
        let expected: Vec<(std::string::String, TokenKind)> =
            expected.iter().map(|(t, k)| (t.to_string(), *k)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn hints_give_the_resolved_line() {
        let f = fixture(
            "[x]{cite=art:\"The plan was signed\" cite=art:L1:\"Over nine\" cite=art:\"more than $300 billion\"}",
        );
        let hints = inlay_hints(&f.analysis, &f.file, TextRange::new(0, f.text().len()));
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["L6", "L1-2"]);
        assert_eq!(
            &f.text()[..hints[0].offset],
            "[x]{cite=art:\"The plan was signed\""
        );
    }
}
