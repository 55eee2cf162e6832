//! The rules over the whole document after an edit: whether what a group of them reads
//! ([`DocumentRules`]) is as it was, and then what it found, moved to where it now is.

use super::parse::ClaimChange;
use super::shift::places_in;
use mica_check::Diagnostic;
use mica_check::rules::DocumentRules;
use mica_syntax::{Attr, Claim, Ident, TextRange, ValueKind};

/// Whether the inputs of `group` are as they were before `change`, whose new claims are
/// `new`; `sources_changed` says whether a declared source's file changed.
pub(super) fn inputs_unchanged(
    group: DocumentRules,
    change: &ClaimChange,
    new: &[Claim],
    sources_changed: bool,
) -> bool {
    match group {
        DocumentRules::Structure => {
            !sources_changed && !change.sources_changed && !change.errors_changed
        }
        DocumentRules::Relations => {
            change.removed == change.inserted
                && (change.old_claims.iter().zip(new)).all(|(a, b)| same_relations(a, b))
        }
        DocumentRules::Usage => {
            !change.sources_changed && cited_ids(&change.old_claims) == cited_ids(new)
        }
    }
}

/// Whether `group` reads where the claims are: the claims after an edit are then moved
/// before it runs (see [`super::DocCache::begin_edited`]). The other groups read the syntax
/// errors, the front matter and the source declarations, which an edit moves at once, and
/// of the claims only which sources they cite; the differential tests check that this holds.
pub(super) fn reads_claim_places(group: DocumentRules) -> bool {
    match group {
        DocumentRules::Relations => true,
        DocumentRules::Structure | DocumentRules::Usage => false,
    }
}

/// What a group of rules over the whole document found before `change`, moved to where it
/// is now; `None` when a place it points at cannot be followed. The caller has checked that
/// what the group reads is as it was: then nothing it points at lies in the replaced
/// paragraphs but the claims' ids and attributes that [`same_relations`] compares, which are
/// followed relative to the start of their claim's attribute list.
pub(super) fn moved(
    old: &[Diagnostic],
    change: &ClaimChange,
    new: &[Claim],
    path: &str,
) -> Option<Vec<Diagnostic>> {
    let (start, end) = change.region;
    let map = |p: usize| -> Option<usize> {
        if p < start {
            return Some(p);
        }
        if p >= end {
            return Some(p.wrapping_add_signed(change.delta));
        }
        let (a, b) = (change.old_claims.iter().zip(new))
            .find(|(a, _)| a.attrs_range.start() <= p && p <= a.attrs_range.end())?;
        Some(p - a.attrs_range.start() + b.attrs_range.start())
    };
    let mut out = old.to_vec();
    for d in &mut out {
        let mut ok = true;
        places_in(d, path, |r| match (map(r.start()), map(r.end())) {
            (Some(s), Some(e)) => *r = TextRange::new(s, e),
            _ => ok = false,
        });
        if !ok {
            return None;
        }
    }
    Some(out)
}

/// The attributes the relation rules read: references, the likelihood, and the other
/// single-valued keys (which decide which of a repeated key counts).
const RELATION_KEYS: &[&str] = &["supports", "contradicts", "p", "conf", "note"];

/// Whether two claims are the same to [`DocumentRules::Relations`]: the same id and the same
/// [`RELATION_KEYS`] attributes, at the same places relative to the attribute list. Prose,
/// quotes, tags and citations may differ; a citation written before a relation attribute
/// moves it, and then the claims differ.
fn same_relations(a: &Claim, b: &Claim) -> bool {
    let (oa, ob) = (a.attrs_range.start(), b.attrs_range.start());
    let rel = |r: TextRange, o: usize| (r.start().wrapping_sub(o), r.end().wrapping_sub(o));
    let same_range = |x: TextRange, y: TextRange| rel(x, oa) == rel(y, ob);
    let same_ident = |x: &Ident, y: &Ident| x.name == y.name && same_range(x.range, y.range);
    let same_value = |x: &ValueKind, y: &ValueKind| match (x, y) {
        (ValueKind::Bare(p), ValueKind::Bare(q)) => p == q,
        (ValueKind::Str(p), ValueKind::Str(q)) => {
            p.value == q.value && p.terminated == q.terminated && same_range(p.range, q.range)
        }
        (ValueKind::Ref(p), ValueKind::Ref(q)) => p == q,
        (ValueKind::Invalid(p), ValueKind::Invalid(q)) => p == q,
        (ValueKind::Missing, ValueKind::Missing) => true,
        _ => false,
    };
    let (xs, ys) = (relation_attrs(a), relation_attrs(b));
    a.id.is_some() == b.id.is_some()
        && a.id.iter().zip(&b.id).all(|(x, y)| same_ident(x, y))
        && xs.len() == ys.len()
        && xs.iter().zip(&ys).all(|(x, y)| {
            same_ident(&x.key, &y.key)
                && same_value(&x.value.kind, &y.value.kind)
                && same_range(x.range(), y.range())
                && same_range(x.value.range, y.value.range)
        })
}

/// The [`RELATION_KEYS`] attributes of a claim, in order.
fn relation_attrs(c: &Claim) -> Vec<&Attr> {
    (c.attrs.iter())
        .filter(|x| RELATION_KEYS.contains(&x.key.name.as_str()))
        .collect()
}

/// The source ids that `claims` cite, in order: what [`DocumentRules::Usage`] reads of them.
fn cited_ids(claims: &[Claim]) -> Vec<&str> {
    let mut ids: Vec<&str> = (claims.iter())
        .flat_map(|c| c.citations())
        .map(|c| c.source.name.as_str())
        .collect();
    ids.sort_unstable();
    ids
}
