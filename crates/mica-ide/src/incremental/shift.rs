//! Moving what an analysis holds by a byte offset, in place: a paragraph parsed on its own is
//! moved to where it starts, and the claims, diagnostics and citations after an edit are moved
//! by the length the edit added or removed.
//!
//! Every impl destructures its type whole, so that a field added to a syntax or diagnostic
//! type is a compile error here until it is moved too.

use mica_check::{Diagnostic, Edit, Fix, Label, Location, ResolvedCitation};
use mica_syntax::{
    Attr, Citation, Claim, FrontMatter, FrontMatterEntry, Heading, Ident, LineLocator, SourceDecl,
    StrLit, SyntaxError, SyntaxFix, TextEdit, TextRange, Value, ValueKind,
};

/// Something with byte ranges in a document's text.
pub(crate) trait Shift: Sized {
    /// Move every range by `d` bytes.
    fn shift(&mut self, d: isize);

    /// Move every range of every item by `d` bytes.
    fn shift_all(items: &mut [Self], d: isize) {
        items.iter_mut().for_each(|x| x.shift(d));
    }
}

impl Shift for TextRange {
    fn shift(&mut self, d: isize) {
        *self = self.shifted(d);
    }
}

impl Shift for Ident {
    fn shift(&mut self, d: isize) {
        let Ident { name: _, range } = self;
        range.shift(d);
    }
}

impl Shift for StrLit {
    fn shift(&mut self, d: isize) {
        let StrLit {
            value: _,
            range,
            terminated: _,
        } = self;
        range.shift(d);
    }
}

impl Shift for Citation {
    fn shift(&mut self, d: isize) {
        let Citation {
            range,
            source,
            lines,
            quote,
        } = self;
        range.shift(d);
        source.shift(d);
        if let Some(LineLocator {
            start: _,
            end: _,
            range,
        }) = lines
        {
            range.shift(d);
        }
        if let Some(q) = quote {
            q.shift(d);
        }
    }
}

/// Move the ranges an attribute holds itself by `d` bytes; its citation, which lives in memory
/// of its own, is returned to be moved.
fn shift_attr(attr: &mut Attr, d: isize) -> Option<&mut Citation> {
    let Attr { key, value } = attr;
    let Value { range: vr, kind } = value;
    key.shift(d);
    vr.shift(d);
    match kind {
        ValueKind::Str(s) => s.shift(d),
        ValueKind::Citation(c) => return Some(c),
        ValueKind::Bare(_) | ValueKind::Ref(_) | ValueKind::Invalid(_) | ValueKind::Missing => {}
    }
    None
}

impl Shift for Attr {
    fn shift(&mut self, d: isize) {
        if let Some(c) = shift_attr(self, d) {
            c.shift(d);
        }
    }
}

/// Move the ranges a claim holds itself by `d` bytes; its attributes, which live in memory of
/// their own, are returned to be moved.
fn shift_claim(claim: &mut Claim, d: isize) -> &mut [Attr] {
    let Claim {
        text: _,
        text_range,
        attrs_range,
        id,
        tags,
        attrs,
        has_errors: _,
    } = claim;
    text_range.shift(d);
    attrs_range.shift(d);
    if let Some(id) = id {
        id.shift(d);
    }
    tags.iter_mut().for_each(|t| t.shift(d));
    attrs
}

impl Shift for Claim {
    fn shift(&mut self, d: isize) {
        for a in shift_claim(self, d) {
            a.shift(d);
        }
    }

    /// The claims after an edit are moved one level at a time (the claims, then their
    /// attributes, then their citations), not claim by claim: each level's items are
    /// independent, so the processor fetches many of them at once instead of waiting on each
    /// claim's attributes and citation in turn. Moving every claim after an edit is most of a
    /// keystroke in a long brief.
    fn shift_all(claims: &mut [Self], d: isize) {
        let attrs: Vec<&mut [Attr]> = claims.iter_mut().map(|c| shift_claim(c, d)).collect();
        let citations: Vec<&mut Citation> = (attrs.into_iter().flatten())
            .filter_map(|a| shift_attr(a, d))
            .collect();
        citations.into_iter().for_each(|c| c.shift(d));
    }
}

impl Shift for SourceDecl {
    fn shift(&mut self, d: isize) {
        let SourceDecl {
            range,
            id,
            path,
            attrs,
        } = self;
        range.shift(d);
        if let Some(id) = id {
            id.shift(d);
        }
        if let Some(p) = path {
            p.shift(d);
        }
        attrs.iter_mut().for_each(|a| a.shift(d));
    }
}

impl Shift for Heading {
    fn shift(&mut self, d: isize) {
        let Heading {
            level: _,
            title: _,
            range,
        } = self;
        range.shift(d);
    }
}

impl Shift for FrontMatter {
    fn shift(&mut self, d: isize) {
        let FrontMatter { range, entries } = self;
        range.shift(d);
        for FrontMatterEntry {
            key,
            value: _,
            value_range,
        } in entries
        {
            key.shift(d);
            value_range.shift(d);
        }
    }
}

impl Shift for SyntaxError {
    fn shift(&mut self, d: isize) {
        let SyntaxError {
            range,
            message: _,
            fix,
        } = self;
        range.shift(d);
        if let Some(SyntaxFix {
            title: _,
            edits,
            safe: _,
        }) = fix
        {
            for TextEdit { range, new_text: _ } in edits {
                range.shift(d);
            }
        }
    }
}

/// Call `f` on every range of `diag` that lies in the document `file`: its location, its
/// labels' and its fix's edits'; places in other files (a label in a source) are left out.
pub(crate) fn places_in(diag: &mut Diagnostic, file: &str, mut f: impl FnMut(&mut TextRange)) {
    let mut at = |l: &mut Location| {
        if l.file == file {
            f(&mut l.range);
        }
    };
    let Diagnostic {
        code: _,
        severity: _,
        message: _,
        location,
        labels,
        suggestion: _,
        fix,
    } = diag;
    at(location);
    for Label {
        location,
        message: _,
    } in labels
    {
        at(location);
    }
    if let Some(Fix {
        title: _,
        edits,
        safe: _,
    }) = fix
    {
        for Edit {
            location,
            new_text: _,
        } in edits
        {
            at(location);
        }
    }
}

/// Move the places of `diag` that lie in the document `file` by `d` bytes.
pub(crate) fn shift_diagnostic(diag: &mut Diagnostic, file: &str, d: isize) {
    places_in(diag, file, |r| r.shift(d));
}

/// Move a citation's place in the document by `d` bytes and its claim index by `k`; where it
/// resolved in its source stays.
pub(crate) fn shift_citation(c: &mut ResolvedCitation, d: isize, k: isize) {
    let ResolvedCitation {
        claim,
        range,
        source_path: _,
        target: _,
        parts: _,
        suggestion: _,
    } = c;
    *claim = (*claim as usize).wrapping_add_signed(k) as u32;
    range.shift(d);
}
