//! What lies under a cursor: the syntax element at a byte offset, most specific first.

use mica_syntax::{Attr, Citation, Claim, Document, Ident, SourceDecl, TextRange, ValueKind};

/// The part of a citation under the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CitePart {
    /// The source id.
    Source,
    /// The line locator.
    Lines,
    /// The quote.
    Quote,
    /// Elsewhere (a `:`).
    Other,
}

/// The element at an offset.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Hit<'a> {
    /// A claim's `#id`.
    ClaimId { claim: usize, id: &'a Ident },
    /// A claim's `.tag`.
    Tag { claim: usize, tag: &'a Ident },
    /// `supports=#id` or `contradicts=#id`: the reference.
    Ref {
        /// The id it names.
        name: &'a str,
        /// The value, `#` included.
        at: TextRange,
    },
    /// A citation (the value of `cite=`).
    Citation { cite: &'a Citation, part: CitePart },
    /// An attribute key, of a claim or (with `claim` `None`) of a source declaration.
    Key {
        claim: Option<usize>,
        attr: &'a Attr,
    },
    /// An attribute value other than a citation or reference.
    Value {
        claim: Option<usize>,
        attr: &'a Attr,
    },
    /// Elsewhere in a claim: its text or the space between attributes.
    Claim { claim: usize },
    /// The id of an `@source` declaration.
    SourceDeclId { id: &'a Ident },
    /// The path of an `@source` declaration.
    SourcePath { decl: &'a SourceDecl },
}

/// The range of an id written with a leading `#` or `.`, sigil included.
pub(crate) fn with_sigil(id: &Ident) -> TextRange {
    TextRange::new(id.range.start().saturating_sub(1), id.range.end())
}

/// The claim at `offset`, preferring one that strictly contains it over one it only touches.
pub(crate) fn claim_at(doc: &Document, offset: usize) -> Option<usize> {
    // Claims come in document order and never overlap (the parser does not nest them; the
    // fuzz targets check it), so the claim at an offset is found by binary search: a hover in
    // a brief of 20,000 claims used to read all of them.
    let claims = &doc.claims;
    let strict = claims.partition_point(|c| c.range().end() <= offset);
    if claims
        .get(strict)
        .is_some_and(|c| c.range().start() <= offset)
    {
        return Some(strict);
    }
    let inclusive = claims.partition_point(|c| c.range().end() < offset);
    claims
        .get(inclusive)
        .is_some_and(|c| c.range().contains_inclusive(offset))
        .then_some(inclusive)
}

/// The element at `offset`.
pub(crate) fn hit_at(doc: &Document, offset: usize) -> Option<Hit<'_>> {
    if let Some(i) = claim_at(doc, offset) {
        return Some(claim_hit(i, &doc.claims[i], offset));
    }
    for decl in &doc.sources {
        if !decl.range.contains_inclusive(offset) {
            continue;
        }
        if let Some(id) = &decl.id
            && id.range.contains_inclusive(offset)
        {
            return Some(Hit::SourceDeclId { id });
        }
        if decl
            .path
            .as_ref()
            .is_some_and(|p| p.range.contains_inclusive(offset))
        {
            return Some(Hit::SourcePath { decl });
        }
        for attr in &decl.attrs {
            if attr.key.range.contains_inclusive(offset) {
                return Some(Hit::Key { claim: None, attr });
            }
            if attr.value.range.contains_inclusive(offset) {
                return Some(Hit::Value { claim: None, attr });
            }
        }
        return None;
    }
    None
}

fn claim_hit(i: usize, claim: &Claim, offset: usize) -> Hit<'_> {
    if let Some(id) = &claim.id
        && with_sigil(id).contains_inclusive(offset)
    {
        return Hit::ClaimId { claim: i, id };
    }
    if let Some(tag) = claim
        .tags
        .iter()
        .find(|t| with_sigil(t).contains_inclusive(offset))
    {
        return Hit::Tag { claim: i, tag };
    }
    for attr in &claim.attrs {
        let cite = match &attr.value.kind {
            ValueKind::Citation(c) => Some(&**c),
            _ => None,
        };
        if attr.key.range.contains_inclusive(offset) && offset < attr.value.range.start() {
            return Hit::Key {
                claim: Some(i),
                attr,
            };
        }
        if attr.value.range.contains_inclusive(offset) {
            return match (&attr.value.kind, cite) {
                (_, Some(cite)) => Hit::Citation {
                    cite,
                    part: cite_part(cite, offset),
                },
                (ValueKind::Ref(name), _) => Hit::Ref {
                    name,
                    at: attr.value.range,
                },
                _ => Hit::Value {
                    claim: Some(i),
                    attr,
                },
            };
        }
    }
    Hit::Claim { claim: i }
}

fn cite_part(cite: &Citation, offset: usize) -> CitePart {
    if cite
        .quote
        .as_ref()
        .is_some_and(|q| q.range.contains_inclusive(offset))
    {
        CitePart::Quote
    } else if cite
        .lines
        .is_some_and(|l| l.range.contains_inclusive(offset))
    {
        CitePart::Lines
    } else if cite.source.range.contains_inclusive(offset) {
        CitePart::Source
    } else {
        CitePart::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The claim at an offset by reading every claim: the reference for the binary search.
    fn claim_at_by_scan(doc: &Document, offset: usize) -> Option<usize> {
        let claims = &doc.claims;
        (claims.iter())
            .position(|c| c.range().start() <= offset && offset < c.range().end())
            .or_else(|| {
                claims
                    .iter()
                    .position(|c| c.range().contains_inclusive(offset))
            })
    }

    #[test]
    fn the_claim_at_every_offset_of_the_examples() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/examples");
        let mut texts = vec!["[a]{#a}[b]{#b} [c]{#c}\n\n[]{}".to_string()];
        for dir in [root.clone(), root.join("faults")] {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "mica") {
                    texts.push(std::fs::read_to_string(e.path()).unwrap());
                }
            }
        }
        for text in texts {
            let doc = mica_syntax::parse(&text).document;
            for offset in 0..=text.len() + 1 {
                assert_eq!(
                    claim_at(&doc, offset),
                    claim_at_by_scan(&doc, offset),
                    "{offset}"
                );
            }
        }
    }
}
