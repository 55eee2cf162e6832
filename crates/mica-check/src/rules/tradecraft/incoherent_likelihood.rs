//! `incoherent-likelihood`: two claims joined by `contradicts=` whose likelihoods cannot both
//! hold, because their lower bounds add up to more than 100%. A term counts as its band's lower
//! bound (`likely` is 55%), a number or percentage as itself. It reads every claim's id, `p=`
//! and `contradicts=`; each pair is reported once, at the first `contradicts=` that joins them.

use super::likelihood::trim_float;
use super::{Doc, claim_name, likelihood_of};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::rules::{ClaimIds, FastSet};
use mica_syntax::{Claim, ValueKind};

/// The rule over a document's claims.
pub(crate) fn check(doc: Doc<'_>, claims: &[Claim], by_id: &ClaimIds<'_>) -> Vec<Diagnostic> {
    if !claims
        .iter()
        .any(|c| c.attrs_named("contradicts").next().is_some())
    {
        return Vec::new();
    }
    let mut seen: FastSet<(usize, usize)> = FastSet::default();
    let mut out = Vec::new();
    for (a, claim) in claims.iter().enumerate() {
        for attr in claim.attrs_named("contradicts") {
            let ValueKind::Ref(target) = &attr.value.kind else {
                continue;
            };
            let Some(&b) = by_id.get(&**target) else {
                continue;
            };
            if a == b || !seen.insert((a.min(b), a.max(b))) {
                continue;
            }
            let (Some((pa_attr, pa)), Some((pb_attr, pb))) =
                (likelihood_of(claim), likelihood_of(&claims[b]))
            else {
                continue;
            };
            let sum = pa.lower_bound() + pb.lower_bound();
            if sum <= 100.0 + 1e-9 {
                continue;
            }
            let describe = |c: &Claim, attr: &mica_syntax::Attr, low: f64| {
                format!(
                    "{} (`p={}`, at least {}%)",
                    claim_name(c),
                    &doc.text[attr.value.range.to_range()],
                    trim_float(low)
                )
            };
            let message = format!(
                "{} contradicts {}, but their likelihoods add up to at least {}%: both cannot \
                 hold; lower one of them, or say why they do not exclude each other",
                describe(claim, pa_attr, pa.lower_bound()),
                describe(&claims[b], pb_attr, pb.lower_bound()),
                trim_float(sum)
            );
            let mut d =
                Diagnostic::new(Code::IncoherentLikelihood, doc.path, attr.range(), message);
            d.labels.push(Label::at(
                doc.path,
                pa_attr.range(),
                "this claim's likelihood",
            ));
            d.labels.push(Label::at(
                doc.path,
                pb_attr.range(),
                "the contradicted claim's likelihood",
            ));
            out.push(d);
        }
    }
    out
}
