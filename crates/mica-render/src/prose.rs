//! The brief's body as Markdown: front matter, comments and `@source` lines left out, and each
//! claim replaced by what the output format makes of it (a placeholder for HTML, a Pandoc span
//! with footnotes for Markdown).

use crate::model::Report;
use mica_syntax::TextRange;

/// What to cut out of the body or replace.
enum Cut {
    Drop,
    Claim(usize),
}

/// The body of `report`'s brief as Markdown. Text between the annotations goes through
/// `prose`; each claim is replaced by `claim(index)`.
pub fn body_markdown(
    report: &Report,
    mut prose: impl FnMut(&str) -> String,
    mut claim: impl FnMut(usize) -> String,
) -> String {
    let text = report.text.as_str();
    let doc = &report.parse.document;
    let mut cuts: Vec<(TextRange, Cut)> = Vec::new();
    if let Some(fm) = &doc.front_matter {
        cuts.push((fm.range, Cut::Drop));
    }
    // The page shows the title from the front matter; a first heading repeating it goes.
    if let (Some(h), Some(title)) = (doc.headings.first(), report.meta("title"))
        && h.level == 1
        && h.title.trim() == title.trim()
        && !doc.claims.iter().any(|c| h.range.contains_range(c.range()))
    {
        cuts.push((h.range, Cut::Drop));
    }
    for c in &doc.comments {
        cuts.push((*c, Cut::Drop));
    }
    for s in &doc.sources {
        cuts.push((s.range, Cut::Drop));
    }
    for (i, c) in doc.claims.iter().enumerate() {
        cuts.push((c.range(), Cut::Claim(i)));
    }
    // Outer ranges first at equal starts, so that a comment inside a claim is skipped with it.
    cuts.sort_by_key(|(r, _)| (r.start(), std::cmp::Reverse(r.end())));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, cut) in cuts {
        if r.start() < at || r.end() > text.len() {
            continue;
        }
        out.push_str(&prose(&text[at..r.start()]));
        if let Cut::Claim(i) = cut {
            out.push_str(&claim(i));
        }
        at = r.end();
    }
    out.push_str(&prose(&text[at..]));
    out
}
