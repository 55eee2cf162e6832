//! Tradecraft rules: does each judgement stand on its evidence, stated as its evidence allows?
//!
//! One file per rule (or pair of rules that share a scan), named after its code:
//!
//! | code | file | inputs |
//! | --- | --- | --- |
//! | `likelihood-mismatch`, `unstated-likelihood` | [`likelihood`] | the claim's text and `p=` |
//! | `unsupported-figure` | [`unsupported_figure`] | the claim's text, its citations' passages |
//! | `overconfident-claim` | [`overconfident_claim`] | `conf=`, the cited sources' grades |
//! | `elided-negation` | [`elided_negation`] | the source text each elision skips |
//! | `incoherent-likelihood` | [`incoherent_likelihood`] | every claim's `p=` and `contradicts=` |
//! | `circular-support` | [`circular_support`] | every claim's `supports=` |
//!
//! The first four read one claim and its evidence; the last two read the whole document. None
//! of them touches a source file: they read [`Evidence`], which the resolve phase fills in. The
//! scanners they share (words of prose, ICD 203 terms, figures) live in [`words`],
//! [`estimative`] and [`figures`]; the vocabulary itself (terms, bands, grades, negations) lives
//! in [`crate::vocab`].

pub mod circular_support;
pub mod elided_negation;
pub mod estimative;
pub mod figures;
pub mod incoherent_likelihood;
pub mod likelihood;
pub mod overconfident_claim;
pub mod unsupported_figure;
pub mod words;

use super::{ClaimIds, DocContext};
use crate::diagnostic::{Code, Diagnostic, Edit, Location};
use crate::resolve::{Outcome, Resolution};
use crate::vocab::{Grade, Likelihood};
use mica_syntax::{Attr, Citation, Claim, TextRange, ValueKind};

/// The tradecraft rules whose inputs are one claim and its citations' resolutions:
/// likelihood-mismatch, unstated-likelihood, unsupported-figure, overconfident-claim and
/// elided-negation.
pub fn check_claim(
    ctx: &DocContext<'_>,
    claim: &Claim,
    resolutions: &[Resolution],
) -> Vec<Diagnostic> {
    let doc = Doc {
        path: ctx.path,
        text: ctx.text,
    };
    let on = |code: Code| ctx.config.severity(code).is_some();
    let evidence = evidence(claim, resolutions);
    let minimum = ctx.config.tradecraft.high_confidence_grade;
    let mut out = Vec::new();
    // A rule turned off in `[rules]` costs nothing.
    if on(Code::LikelihoodMismatch) || on(Code::UnstatedLikelihood) {
        out.extend(likelihood::check(doc, claim));
    }
    if on(Code::UnsupportedFigure) {
        out.extend(unsupported_figure::check(doc, claim, &evidence));
    }
    if on(Code::OverconfidentClaim) {
        out.extend(overconfident_claim::check(doc, claim, &evidence, minimum));
    }
    if on(Code::ElidedNegation) {
        out.extend(elided_negation::check(doc, claim, &evidence));
    }
    out
}

/// The tradecraft rules whose inputs span the document's claims: circular-support (every
/// `supports=`) and incoherent-likelihood (every `p=` and `contradicts=`).
pub(crate) fn check_document_wide(ctx: &DocContext<'_>, ids: &ClaimIds<'_>) -> Vec<Diagnostic> {
    let doc = Doc {
        path: ctx.path,
        text: ctx.text,
    };
    let on = |code: Code| ctx.config.severity(code).is_some();
    let claims = &ctx.parse.document.claims;
    let mut out = Vec::new();
    if on(Code::CircularSupport) {
        out.extend(circular_support::check(doc, claims, ids));
    }
    if on(Code::IncoherentLikelihood) {
        out.extend(incoherent_likelihood::check(doc, claims, ids));
    }
    out
}

/// What each citation of `claim` stands on, read from its resolution.
pub fn evidence<'a>(claim: &'a Claim, resolutions: &'a [Resolution]) -> Vec<Evidence<'a>> {
    // The resolutions come in citation order, so the next one is the citation's: looking each
    // up from the start made a claim of 100,000 citations take minutes (second adversarial
    // pass). A search from the start remains for resolutions given in another order.
    let mut next = 0;
    claim
        .citations()
        .filter_map(|citation| {
            let at = match resolutions.get(next) {
                Some(r) if r.range == citation.range => next,
                _ => resolutions.iter().position(|r| r.range == citation.range)?,
            };
            next = at + 1;
            let r = &resolutions[at];
            let mut e = Evidence {
                citation,
                declared: !matches!(r.outcome, Outcome::UnknownSource),
                grade: r.grade.as_deref().and_then(Grade::parse),
                source_path: r.source.as_ref().map(|s| &*s.path),
                passages: None,
                gaps: Vec::new(),
                quote_verified: false,
            };
            match &r.outcome {
                Outcome::Lines(lines) => {
                    e.passages = Some(vec![(lines.text.as_str(), lines.range)])
                }
                Outcome::Found(f) | Outcome::OutsideLines(f) => {
                    let at = |range: TextRange| {
                        f.passage
                            .get(range.start() - f.range.start()..range.end() - f.range.start())
                            .unwrap_or("")
                    };
                    e.passages = Some(f.parts.iter().map(|&p| (at(p), p)).collect());
                    e.gaps = f
                        .parts
                        .windows(2)
                        .map(|w| {
                            let gap = TextRange::new(w[0].end(), w[1].start());
                            (at(gap), gap)
                        })
                        .collect();
                    e.quote_verified = matches!(r.outcome, Outcome::Found(_));
                }
                _ => {}
            }
            Some(e)
        })
        .collect()
}

/// The document the rules look at: its path (for locations) and text (claim text as written).
#[derive(Clone, Copy, Debug)]
pub struct Doc<'a> {
    /// Workspace-relative path.
    pub path: &'a str,
    /// The whole document.
    pub text: &'a str,
}

impl Doc<'_> {
    /// An edit of this document.
    pub fn edit(&self, range: TextRange, new_text: impl Into<String>) -> Edit {
        Edit {
            location: Location {
                file: self.path.to_string(),
                range,
            },
            new_text: new_text.into(),
        }
    }
}

/// What one citation stands on, as resolved: the tradecraft rules read nothing else about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence<'a> {
    /// The citation as written.
    pub citation: &'a Citation,
    /// Whether the cited id names a declared source (a readable one or not).
    pub declared: bool,
    /// The source's Admiralty grade, when it has one.
    pub grade: Option<Grade>,
    /// The source's workspace-relative path, when it was read.
    pub source_path: Option<&'a str>,
    /// The text the citation vouches for, with its range in the source: for a quote that was
    /// found, the text of each of its parts as written in the source; for a line-only citation,
    /// the cited lines. `None` when the citation resolved to nothing checkable (the whole
    /// source, a quote not found, an unknown or unreadable source).
    pub passages: Option<Vec<(&'a str, TextRange)>>,
    /// For an elided quote that was found: the source text of each gap between consecutive
    /// parts, with its range in the source.
    pub gaps: Vec<(&'a str, TextRange)>,
    /// Whether the citation has a quote that was found in its source.
    pub quote_verified: bool,
}

/// The value of the claim's single-valued attribute `key` (`conf`, `p`) as written.
pub(crate) fn attr_value<'c>(claim: &'c Claim, key: &str) -> Option<(&'c Attr, &'c str)> {
    let attr = claim.attrs.iter().find(|a| a.key.name == key)?;
    match &attr.value.kind {
        ValueKind::Bare(b) => Some((attr, b.as_str())),
        ValueKind::Str(s) => Some((attr, s.value.as_str())),
        _ => None,
    }
}

/// The claim's `p=`, when it is a valid likelihood.
pub(crate) fn likelihood_of(claim: &Claim) -> Option<(&Attr, Likelihood)> {
    let (attr, v) = attr_value(claim, "p")?;
    Some((attr, Likelihood::parse(v)?))
}

/// `#id`, or "this claim" for a claim without one.
pub(crate) fn claim_name(claim: &Claim) -> String {
    claim
        .id
        .as_ref()
        .map_or("this claim".to_string(), |i| format!("`#{}`", i.name))
}
