//! `likelihood-mismatch` and `unstated-likelihood`: the claim's words and its `p=` must say the
//! same thing. Both read the claim's text as written and its `p=`; they share the scan of
//! [`super::estimative`].

use super::estimative::{self, TermHit};
use super::{Doc, claim_name, likelihood_of};
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use crate::vocab::{self, Likelihood};
use mica_syntax::{Claim, TextRange};

/// Both rules for one claim.
pub fn check(doc: Doc<'_>, claim: &Claim) -> Vec<Diagnostic> {
    let range = claim.text_range;
    let Some(text) = doc.text.get(range.to_range()) else {
        return Vec::new();
    };
    let hits = estimative::scan(text, range.start());
    let Some(first) = hits.first() else {
        return Vec::new();
    };
    let mut terms: Vec<&'static str> = Vec::new();
    let mut written: Vec<String> = Vec::new();
    for h in &hits {
        if !terms.contains(&h.term) {
            terms.push(h.term);
        }
        let w = describe_hit(doc, h);
        if !written.contains(&w) {
            written.push(w);
        }
    }
    if claim.attrs_named("p").next().is_none() {
        return vec![unstated(doc, claim, first, &terms, &written)];
    }
    // A `p=` that is not a likelihood is `invalid-value`; there is nothing to compare.
    let Some((attr, p)) = likelihood_of(claim) else {
        return Vec::new();
    };
    if hits.iter().any(|h| p.agrees_with(h.term)) {
        return Vec::new();
    }
    let p_text = &doc.text[attr.value.range.to_range()];
    let message = format!(
        "the text says {}, but `p={p_text}` is {}: make the words and the likelihood agree",
        join(&written),
        describe_p(&p),
    );
    let mut d = Diagnostic::new(Code::LikelihoodMismatch, doc.path, first.range, message);
    d.labels.push(Label::at(
        doc.path,
        attr.range(),
        format!("the claim's likelihood, {}", describe_p(&p)),
    ));
    if let [term] = terms.as_slice() {
        // Which of the two is wrong is the analyst's call: this changes the claim's likelihood.
        d.fix = Some(Fix {
            title: format!("Set `p={term}` to match the text"),
            edits: vec![doc.edit(attr.value.range, *term)],
            safe: false,
        });
    }
    vec![d]
}

fn unstated(
    doc: Doc<'_>,
    claim: &Claim,
    first: &TermHit,
    terms: &[&'static str],
    written: &[String],
) -> Diagnostic {
    let hint = match terms {
        [term] => format!(": add `p={term}`"),
        _ => ": add the `p=` the claim stands for".to_string(),
    };
    let message = format!(
        "the text of {} says {} but the claim has no `p=`{hint}",
        claim_name(claim),
        join(written)
    );
    let mut d = Diagnostic::new(Code::UnstatedLikelihood, doc.path, first.range, message);
    if let ([term], Some(at)) = (terms, insertion_point(doc, claim)) {
        // The likelihood added is the one the text already states, so nothing asserted changes.
        d.fix = Some(Fix {
            title: format!("Add `p={term}`"),
            edits: vec![doc.edit(TextRange::empty(at), format!(" p={term}"))],
            safe: true,
        });
    }
    d
}

/// Where a new attribute goes: after the last attribute or tag, or the id, of a closed list.
fn insertion_point(doc: Doc<'_>, claim: &Claim) -> Option<usize> {
    let list = claim.attrs_range;
    if !doc.text.get(list.to_range())?.ends_with('}') {
        return None;
    }
    let after_id = claim.id.as_ref().map(|i| i.range.end());
    let after_attrs = claim.attrs.iter().map(|a| a.range().end()).max();
    let after_tags = claim.tags.iter().map(|t| t.range.end()).max();
    Some(
        [after_id, after_attrs, after_tags]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(list.start() + 1),
    )
}

/// `"almost certainly" (ICD 203: 95–99%)`.
fn describe_hit(doc: Doc<'_>, hit: &TermHit) -> String {
    let written: String = doc.text[hit.range.to_range()]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let (lo, hi) = vocab::term_band(hit.term).unwrap_or((0, 100));
    format!("\"{written}\" (ICD 203 {}: {lo}–{hi}%)", hit.term)
}

fn describe_p(p: &Likelihood) -> String {
    match *p {
        Likelihood::Term(t, lo, hi) => format!("{t}, {lo}–{hi}%"),
        Likelihood::Number(x) => format!("{}%", trim_float(x * 100.0)),
    }
}

/// A percentage without float noise: `70`, `62.5`.
pub(crate) fn trim_float(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mica_syntax::parse;

    /// The text after a fix, and whether the fix is safe.
    type Fixed = Option<(String, bool)>;

    fn run(src: &str) -> Vec<(Code, String, Fixed)> {
        let p = parse(src);
        let doc = Doc {
            path: "a.mica",
            text: src,
        };
        p.document
            .claims
            .iter()
            .flat_map(|c| check(doc, c))
            .map(|d| {
                let fix = d.fix.map(|f| {
                    let mut out = src.to_string();
                    let e = &f.edits[0];
                    out.replace_range(e.location.range.to_range(), &e.new_text);
                    (out, f.safe)
                });
                (d.code, d.message, fix)
            })
            .collect()
    }

    #[test]
    fn mismatch_and_its_unsafe_fix() {
        let r = run("[It will almost certainly go on.]{#a p=unlikely}");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, Code::LikelihoodMismatch);
        assert_eq!(
            r[0].1,
            "the text says \"almost certainly\" (ICD 203 almost-certain: 95–99%), but \
             `p=unlikely` is unlikely, 20–45%: make the words and the likelihood agree"
        );
        let (fixed, safe) = r[0].2.clone().unwrap();
        assert_eq!(
            fixed,
            "[It will almost certainly go on.]{#a p=almost-certain}"
        );
        assert!(!safe);
    }

    #[test]
    fn numbers_on_a_boundary_belong_to_both_bands() {
        assert!(run("[Likely.]{p=0.8}").is_empty());
        assert!(run("[Very likely.]{p=80%}").is_empty());
        assert_eq!(run("[Very likely.]{p=0.79}")[0].0, Code::LikelihoodMismatch);
        assert!(run("[Unlikely, not likely.]{p=unlikely}").is_empty());
        assert!(run("[The likelihood is high.]{p=0.9}").is_empty());
        assert!(run("[Likely.]{p=zzz}").is_empty());
    }

    #[test]
    fn unstated_likelihood_adds_the_term_safely() {
        let r = run("[Beijing will probably persist.]{#a .x cite=s}");
        assert_eq!(r[0].0, Code::UnstatedLikelihood);
        let (fixed, safe) = r[0].2.clone().unwrap();
        assert_eq!(
            fixed,
            "[Beijing will probably persist.]{#a .x cite=s p=likely}"
        );
        assert!(safe);
        let r = run("[Likely, then unlikely.]{}");
        assert!(r[0].2.is_none(), "two terms: no fix");
        assert!(run("[No term here.]{#a}").is_empty());
    }
}
