//! Claim attributes: known keys, `conf`, `p`, `supports`/`contradicts` targets, duplicate claim
//! ids and claims that cite nothing.

use super::{DocContext, citations, effective_attrs, emit};
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use crate::resolve::Resolution;
use crate::rules::{ClaimIds, FastMap, FastSet};
use crate::similar::{did_you_mean, only_close};
use crate::vocab::{self, Likelihood};
use mica_syntax::{Attr, Claim, ValueKind};

/// The rules of one claim's attributes, in the order they are written: repeated keys, invalid
/// values, citations (with their resolutions, in order), `conf`, `p`, unknown keys, and
/// `uncited-claim`. `supports`/`contradicts` are checked document-wide.
pub(super) fn attributes(
    ctx: &DocContext<'_>,
    claim: &Claim,
    resolutions: &[Resolution],
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: FastSet<&str> = FastSet::default();
    let mut resolutions = resolutions.iter();
    let mut cites = 0;
    for attr in &claim.attrs {
        let key = attr.key.name.as_str();
        if vocab::SINGLE_KEYS.contains(&key) && !seen.insert(key) {
            let msg = format!("`{key}` is given twice for this claim: keep one");
            out.push(ctx.diag(Code::InvalidValue, attr.range(), msg));
            continue;
        }
        if let ValueKind::Invalid(why) = &attr.value.kind {
            out.push(ctx.diag(Code::InvalidValue, attr.value.range, why.clone()));
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
                if let ValueKind::Citation(c) = &attr.value.kind
                    && let Some(r) = resolutions.next()
                {
                    citations::citation(ctx, c, r, out);
                }
            }
            "conf" => conf(ctx, attr, out),
            "p" => likelihood(ctx, attr, out),
            "supports" | "contradicts" | "note" => {}
            _ => unknown_attribute(ctx, attr, vocab::CLAIM_KEYS, "claim", out),
        }
    }
    if cites == 0 && !claim.has_errors {
        let what = claim
            .id
            .as_ref()
            .map_or("this claim".to_string(), |i| format!("claim `#{}`", i.name));
        let msg =
            format!("{what} cites no source: add `cite=SOURCE:\"quoted words\"` to its attributes");
        out.push(ctx.diag(Code::UncitedClaim, claim.text_range, msg));
    }
}

/// `unknown-attribute` for a claim or source attribute, with a did-you-mean fix.
pub(super) fn unknown_attribute(
    ctx: &DocContext<'_>,
    attr: &Attr,
    known: &[(&str, &str)],
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let key = &attr.key.name;
    let names = known.iter().map(|(k, _)| *k);
    let alias = match key.as_str() {
        "confidence" => Some("conf"),
        "probability" | "likelihood" | "prob" => Some("p"),
        "source" | "citation" | "cites" => Some("cite"),
        _ => None,
    }
    .filter(|a| known.iter().any(|(k, _)| k == a));
    let suggestion = alias.or_else(|| did_you_mean(key, names.clone()));
    // Renaming is safe when the name has one obvious reading: a known alias, or the only
    // close candidate.
    let safe = alias.is_some() || only_close(key, names).is_some();
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
                edits: vec![ctx.edit(attr.key.range, s)],
                safe,
            },
        ),
        None => (
            format!("unknown {what} attribute `{key}`: {what}s take {list}"),
            Fix {
                title: format!("Remove `{key}=...`"),
                edits: vec![ctx.edit(ctx.with_leading_space(attr.range()), "")],
                safe: false,
            },
        ),
    };
    emit(
        out,
        ctx.diag(Code::UnknownAttribute, attr.key.range, message),
    )
    .fix = Some(fix);
}

/// For a misspelt word value with exactly one close candidate, the safe fix that corrects it
/// (a value in quotes keeps its quotes).
fn value_fix<'a>(
    ctx: &DocContext<'_>,
    attr: &Attr,
    v: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<Fix> {
    let s = only_close(v, candidates)?;
    let new_text = match attr.value.kind {
        ValueKind::Str(_) => format!("\"{s}\""),
        _ => s.to_string(),
    };
    Some(Fix {
        title: format!("Change `{v}` to `{s}`"),
        edits: vec![ctx.edit(attr.value.range, new_text)],
        safe: true,
    })
}

/// The value of `attr` as a word, or an `invalid-value` saying it takes `expected`.
fn bare<'v>(
    ctx: &DocContext<'_>,
    attr: &'v Attr,
    expected: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<&'v str> {
    match &attr.value.kind {
        ValueKind::Bare(b) => Some(b),
        ValueKind::Str(s) => Some(&s.value),
        _ => {
            let msg = format!("`{}` takes {expected}", attr.key.name);
            out.push(ctx.diag(Code::InvalidValue, attr.value.range, msg));
            None
        }
    }
}

fn conf(ctx: &DocContext<'_>, attr: &Attr, out: &mut Vec<Diagnostic>) {
    let Some(v) = bare(ctx, attr, "low, moderate or high", out) else {
        return;
    };
    if !vocab::CONFIDENCE.iter().any(|(c, _)| *c == v) {
        let hint = did_you_mean(v, vocab::CONFIDENCE.iter().map(|(c, _)| *c))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let msg = format!("`{v}` is not a confidence level: use low, moderate or high{hint}");
        let d = emit(out, ctx.diag(Code::InvalidValue, attr.value.range, msg));
        d.fix = value_fix(ctx, attr, v, vocab::CONFIDENCE.iter().map(|(c, _)| *c));
    }
}

fn likelihood(ctx: &DocContext<'_>, attr: &Attr, out: &mut Vec<Diagnostic>) {
    let expected = "an ICD 203 term (e.g. likely), a number in [0,1] or a percentage";
    let Some(v) = bare(ctx, attr, expected, out) else {
        return;
    };
    if Likelihood::parse(v).is_none() {
        let percent = percent_hint(v);
        let is_percent = percent.is_some();
        let hint = percent.or_else(|| {
            did_you_mean(v, vocab::LIKELIHOOD.iter().map(|(t, _, _)| *t))
                .map(|s| format!(" (did you mean `{s}`?)"))
        });
        let msg = format!(
            "`{v}` is not a likelihood: use {expected}{}",
            hint.unwrap_or_default()
        );
        let d = emit(out, ctx.diag(Code::InvalidValue, attr.value.range, msg));
        if !is_percent {
            d.fix = value_fix(ctx, attr, v, vocab::LIKELIHOOD.iter().map(|(t, _, _)| *t));
        }
    }
}

/// For a bare number above 1 that would be a valid percentage (`p=70`): the two ways to write
/// it.
fn percent_hint(v: &str) -> Option<String> {
    let percent = format!("{v}%");
    let Some(Likelihood::Number(p)) = Likelihood::parse(&percent) else {
        return None;
    };
    Some(format!(" (did you mean `{percent}` or `{p}`?)"))
}

/// `duplicate-id` for claim ids; returns the claim that first uses each id, which the other
/// rules over the whole document share. Reads every claim's id.
pub(super) fn duplicate_ids<'a>(ctx: &DocContext<'a>, out: &mut Vec<Diagnostic>) -> ClaimIds<'a> {
    let claims = &ctx.parse.document.claims;
    let mut ids: ClaimIds<'a> = FastMap::default();
    ids.reserve(claims.len());
    for (i, claim) in claims.iter().enumerate() {
        let Some(id) = &claim.id else { continue };
        if let Some(first) = ids
            .get(id.name.as_str())
            .and_then(|&k| claims[k].id.as_ref())
        {
            let first = first.range;
            let message = format!(
                "claim id `#{}` is already used in this document: give this claim another id",
                id.name
            );
            let d = emit(out, ctx.diag(Code::DuplicateId, id.range, message));
            d.labels.push(Label::at(
                ctx.path,
                first,
                format!("`#{}` is first used here", id.name),
            ));
        } else {
            ids.insert(&id.name, i);
        }
    }
    ids
}

/// `invalid-value` and `unknown-claim` for `supports=` and `contradicts=`. Reads every claim's
/// references and the document's claim ids.
pub(super) fn references(ctx: &DocContext<'_>, ids: &ClaimIds<'_>, out: &mut Vec<Diagnostic>) {
    let relation = |key: &str| matches!(key, "supports" | "contradicts");
    for claim in &ctx.parse.document.claims {
        if !claim.attrs.iter().any(|a| relation(&a.key.name)) {
            continue;
        }
        for attr in effective_attrs(claim) {
            if matches!(attr.key.name.as_str(), "supports" | "contradicts") {
                reference(ctx, claim, attr, ids, out);
            }
        }
    }
}

fn reference(
    ctx: &DocContext<'_>,
    claim: &Claim,
    attr: &Attr,
    ids: &ClaimIds<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(target) = attr.value.target() else {
        let msg = format!(
            "`{}` takes a claim id, as in `{}=#c1`",
            attr.key.name, attr.key.name
        );
        out.push(ctx.diag(Code::InvalidValue, attr.value.range, msg));
        return;
    };
    if claim.id.as_ref().is_some_and(|id| id.name == target.name) {
        let msg = format!(
            "a claim cannot {} itself",
            attr.key.name.trim_end_matches('s')
        );
        out.push(ctx.diag(Code::InvalidValue, attr.value.range, msg));
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
        edits: vec![ctx.edit(target.range, g)],
        safe: false,
    });
    emit(out, ctx.diag(Code::UnknownClaim, target.range, msg)).fix = fix;
}
