//! `elided-negation`: an elision (`...`) that skips a negation in the source, so that the quote
//! reads the opposite of what the source says ("will not be stymied" quoted as
//! `"will ... be stymied"`). It reads the source text of each gap between an elided quote's
//! parts, as the resolve phase found it.
//!
//! Only the skipped words that belong to the sentences the quote's parts are in count: a whole
//! sentence skipped between them (after the left part's sentence has ended and before the right
//! part's sentence begins) changes what is left out, not what the quote says.

use super::words::words;
use super::{Doc, Evidence};
use crate::check::shorten;
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use crate::vocab;
use mica_syntax::{Claim, TextRange, escape_string};

/// The longest passage the fix will put back in full, in characters.
const MAX_FIX_CHARS: usize = 400;

/// The rule for one claim and its citations' evidence.
pub fn check(doc: Doc<'_>, _claim: &Claim, evidence: &[Evidence<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in evidence {
        let (Some(quote), Some(parts)) = (&e.citation.quote, &e.passages) else {
            continue;
        };
        if e.gaps.is_empty() || parts.len() != e.gaps.len() + 1 {
            continue;
        }
        let markers = elision_markers(&doc.text[quote.range.to_range()], quote.range.start());
        for (k, (gap, gap_range)) in e.gaps.iter().enumerate() {
            let left_ends_sentence = ends_sentence(parts[k].0);
            let negations = skipped_negations(gap, left_ends_sentence);
            if negations.is_empty() {
                continue;
            }
            let skipped = shorten(&collapse(gap), 120);
            let listed: Vec<String> = negations.iter().map(|n| format!("\"{n}\"")).collect();
            let holds = if negations.len() == 1 && negations[0] == skipped {
                String::new()
            } else {
                format!(", which holds {}", listed.join(", "))
            };
            let message = format!(
                "the elision skips \"{skipped}\"{holds}: the quote may read the opposite of the \
                 source; quote the negation, or cite the parts separately"
            );
            let at = markers.get(k).copied().unwrap_or(quote.range);
            let mut d = Diagnostic::new(Code::ElidedNegation, doc.path, at, message);
            if let Some(path) = e.source_path {
                d.labels
                    .push(Label::at(path, *gap_range, "the words the elision skips"));
            }
            let mut whole = String::new();
            for (i, (p, _)) in parts.iter().enumerate() {
                whole.push_str(p);
                if let Some((g, _)) = e.gaps.get(i) {
                    whole.push_str(g);
                }
            }
            let whole = collapse(&whole);
            if whole.chars().count() <= MAX_FIX_CHARS {
                // Quoting in full restores the negation, and with it the source's meaning,
                // which the claim may then no longer match: not safe.
                d.fix = Some(Fix {
                    title: "Quote the passage in full, without the elision".into(),
                    edits: vec![doc.edit(quote.inner_range(), escape_string(&whole))],
                    safe: false,
                });
            }
            out.push(d);
        }
    }
    out
}

/// The negations among the skipped words that belong to the quoted sentences.
pub fn skipped_negations(gap: &str, left_ends_sentence: bool) -> Vec<String> {
    let ends: Vec<usize> = sentence_ends(gap);
    let relevant: Vec<&str> = match (ends.first(), ends.last()) {
        (None, _) | (_, None) => vec![gap],
        (Some(&first), Some(&last)) => {
            let mut v = Vec::new();
            if !left_ends_sentence {
                v.push(&gap[..first]);
            }
            v.push(&gap[last..]);
            v
        }
    };
    let mut out: Vec<String> = Vec::new();
    for part in relevant {
        for w in words(part, 0) {
            if vocab::is_negation(w.text) && !out.iter().any(|o| o.eq_ignore_ascii_case(w.text)) {
                out.push(w.text.to_string());
            }
        }
    }
    out
}

/// Offsets just after each sentence end in `text` (`.`, `!`, `?` or `;` before whitespace).
fn sentence_ends(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?' | ';') && chars.peek().is_none_or(|(_, n)| n.is_whitespace())
        {
            out.push(i + 1);
        }
    }
    out
}

fn ends_sentence(part: &str) -> bool {
    part.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')'])
        .ends_with(['.', '!', '?', ';'])
}

/// The ranges of a quote's elision markers, as written in the document (`...`, `…`, `[...]`).
fn elision_markers(quote: &str, base: usize) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut i = 0;
    let b = quote.as_bytes();
    while i < quote.len() {
        if quote[i..].starts_with('…') {
            out.push(TextRange::new(base + i, base + i + '…'.len_utf8()));
            i += '…'.len_utf8();
        } else if b[i] == b'.' {
            let run = quote[i..].len() - quote[i..].trim_start_matches('.').len();
            if run >= 3 {
                out.push(TextRange::new(base + i, base + i + run));
            }
            i += run;
        } else {
            i += quote[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negations_in_the_quoted_sentences_only() {
        assert_eq!(skipped_negations(" not ", false), ["not"]);
        assert_eq!(
            skipped_negations(", and might not even be slowed,", false),
            ["not"]
        );
        assert_eq!(skipped_negations(" won't ", false), ["won't"]);
        assert!(
            skipped_negations(" into achieving the industrial plan. In the wake ", false)
                .is_empty()
        );
        // A whole sentence skipped between the parts' sentences does not count...
        assert!(skipped_negations(" It did not shrink. ", true).is_empty());
        // ...but the rest of the left part's sentence does.
        assert_eq!(skipped_negations(" cannot. Then ", false), ["cannot"]);
        assert_eq!(skipped_negations(" grew. Nor ", true), ["Nor"]);
        assert!(skipped_negations(" knotted notes ", false).is_empty());
    }

    #[test]
    fn markers() {
        let q = "a ... b … c [...] d";
        let m: Vec<&str> = elision_markers(q, 0)
            .iter()
            .map(|r| &q[r.to_range()])
            .collect();
        assert_eq!(m, ["...", "…", "..."]);
        assert!(elision_markers("U.S. ..", 0).is_empty());
    }
}
