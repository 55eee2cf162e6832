//! `overconfident-claim`: `conf=high` resting only on sources graded below the workspace's
//! minimum (C unless `[tradecraft] high-confidence-grade` in `mica.toml` says otherwise). It
//! reads the claim's `conf=` and the Admiralty grade of each cited source; an ungraded source
//! counts as F, "reliability cannot be judged".

use super::{Doc, Evidence, attr_value, claim_name};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::vocab::Grade;
use mica_syntax::Claim;

/// The rule for one claim and its citations' evidence.
pub fn check(
    doc: Doc<'_>,
    claim: &Claim,
    evidence: &[Evidence<'_>],
    minimum: Grade,
) -> Vec<Diagnostic> {
    let Some((attr, "high")) = attr_value(claim, "conf") else {
        return Vec::new();
    };
    // Citations of undeclared sources are `unknown-source`; with none left there is nothing to
    // weigh (and an uncited claim is `uncited-claim`).
    let mut sources: Vec<(&str, Grade)> = Vec::new();
    for e in evidence.iter().filter(|e| e.declared) {
        let id = e.citation.source.name.as_str();
        if !sources.iter().any(|(s, _)| *s == id) {
            sources.push((id, e.grade.unwrap_or(Grade::F)));
        }
    }
    let Some(best) = sources.iter().map(|(_, g)| *g).min() else {
        return Vec::new();
    };
    if best <= minimum {
        return Vec::new();
    }
    let listed: Vec<String> = sources
        .iter()
        .map(|(id, g)| format!("`{id}` ({}, {})", g.letter(), g.meaning()))
        .collect();
    let only = if sources.len() == 1 { "only " } else { "" };
    let message = format!(
        "{} has `conf=high` but rests {only}on {}: high confidence needs at least one source \
         graded {} or better; lower the confidence or cite a stronger source",
        claim_name(claim),
        listed.join(", "),
        minimum.letter()
    );
    let mut d = Diagnostic::new(
        Code::OverconfidentClaim,
        doc.path,
        attr.value.range,
        message,
    );
    // Lowering the confidence changes what the analyst asserts, so it is never applied blindly.
    d.fix = Some(Fix {
        title: "Lower the confidence to `conf=moderate`".into(),
        edits: vec![doc.edit(attr.value.range, "moderate")],
        safe: false,
    });
    vec![d]
}
