//! `unsupported-figure`: a figure in the claim's text that none of its cited passages bears
//! out. It reads the claim's text and, for each citation, the passage it vouches for (the quote
//! as it stands in the source, or the cited lines); figures compare by value
//! ([`super::figures`]). A claim with a citation that resolved to nothing checkable (the whole
//! source, a quote not found) is passed over: its evidence is unknown, and the citation has its
//! own diagnostic if it is wrong.

use super::figures::{self, Figure, Side};
use super::{Doc, Evidence};
use crate::check::shorten;
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use mica_syntax::{Claim, TextRange};

struct Found<'a> {
    figure: Figure,
    text: &'a str,
    source_id: &'a str,
    source_path: Option<&'a str>,
    /// Where the passage starts in its source, to place labels.
    offset: usize,
}

/// The rule for one claim and its citations' evidence.
pub fn check(doc: Doc<'_>, claim: &Claim, evidence: &[Evidence<'_>]) -> Vec<Diagnostic> {
    if evidence.is_empty() || evidence.iter().any(|e| e.passages.is_none()) {
        return Vec::new();
    }
    let range = claim.text_range;
    let Some(text) = doc.text.get(range.to_range()) else {
        return Vec::new();
    };
    // In an estimative judgement, "by 2030" is the analyst's time frame, not a reported fact.
    let estimative = claim.attrs_named("p").next().is_some();
    let mut claimed = figures::extract(text, range.start(), Side::Claim);
    claimed.retain(|f| {
        !(estimative
            && f.kind == figures::Kind::Year
            && figures::is_horizon(doc.text, f.range.start()))
    });
    if claimed.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Found<'_>> = Vec::new();
    for e in evidence {
        for (passage, at) in e.passages.iter().flatten() {
            found.extend(
                figures::extract(passage, 0, Side::Passage)
                    .into_iter()
                    .map(|figure| Found {
                        figure,
                        text: passage,
                        source_id: e.citation.source.name.as_str(),
                        source_path: e.source_path,
                        offset: at.start(),
                    }),
            );
        }
    }
    let all: Vec<Figure> = found.iter().map(|f| f.figure).collect();
    let mut out = Vec::new();
    for c in &claimed {
        if all.iter().any(|p| figures::supports(p, c)) {
            continue;
        }
        let written = collapse(&doc.text[c.range.to_range()]);
        let cites = if evidence.len() == 1 {
            "the cited passage"
        } else {
            "any of the cited passages"
        };
        let mut message = format!("the figure \"{written}\" is not in {cites}");
        let near = figures::nearest(c, &all).map(|i| &found[i]);
        let mut d;
        match near {
            Some(n) => {
                let says = collapse(&n.text[n.figure.range.to_range()]);
                message.push_str(&format!(
                    ": `{}` says \"{}\"",
                    n.source_id,
                    shorten(&says, 80)
                ));
                d = Diagnostic::new(Code::UnsupportedFigure, doc.path, c.range, message);
                let core = collapse(&n.text[n.figure.core.to_range()]);
                if let Some(path) = n.source_path {
                    let r = n.figure.range;
                    d.labels.push(Label::at(
                        path,
                        TextRange::new(n.offset + r.start(), n.offset + r.end()),
                        format!("the source says \"{says}\""),
                    ));
                }
                // The claim may round or convert on purpose: changing its figure is the
                // analyst's decision.
                d.fix = Some(Fix {
                    title: format!("Change the figure to \"{core}\" as the source has it"),
                    edits: vec![doc.edit(c.core, core)],
                    safe: false,
                });
            }
            None => {
                message.push_str(": cite the passage that gives it, or correct the figure");
                d = Diagnostic::new(Code::UnsupportedFigure, doc.path, c.range, message);
            }
        }
        out.push(d);
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
