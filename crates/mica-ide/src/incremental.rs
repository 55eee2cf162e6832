//! Parsing after an edit: the document is cut into paragraphs and only the paragraphs whose
//! text changed are parsed again, with [`mica_syntax::parse`] itself.
//!
//! This is sound because of how the grammar recovers: a paragraph break (a line ending
//! followed by blank lines) ends every construct that could span it (claims, attribute lists,
//! strings, `@source` lines) except comments and the front matter, so the parse of a
//! document is the parse of its paragraphs laid end to end. The cut is never made inside a
//! comment (or what might be one), inside the front matter, or before a line `---` (which
//! would read as front matter on its own). The differential test below checks the claim on
//! every fixture in the repository and on random edits of them.

use mica_syntax::{
    Attr, Citation, Claim, Document, FrontMatter, FrontMatterEntry, Heading, Ident, LineLocator,
    Parse, SourceDecl, StrLit, SyntaxError, TextRange, Value, ValueKind,
};
use std::sync::Arc;

/// The paragraphs of a document's last version and their parses.
#[derive(Default)]
pub struct ParseCache {
    chunks: Vec<(String, Arc<Parse>)>,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache")
            .field("paragraphs", &self.chunks.len())
            .finish()
    }
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse `text`, reusing the paragraphs that the last call saw; the result equals
    /// [`mica_syntax::parse`]`(text)`.
    ///
    /// An edit changes a run of paragraphs: the paragraphs before it and after it are found
    /// by comparing the new paragraphs with the old ones from both ends, and only the run
    /// between them is parsed.
    pub fn parse(&mut self, text: &str) -> Parse {
        let starts = paragraph_starts(text);
        if starts.len() < 2 {
            self.chunks.clear();
            return mica_syntax::parse(text);
        }
        let new: Vec<&str> = starts
            .iter()
            .enumerate()
            .map(|(k, &s)| &text[s..starts.get(k + 1).copied().unwrap_or(text.len())])
            .collect();
        let old = std::mem::take(&mut self.chunks);
        let most = new.len().min(old.len());
        let prefix = (0..most).take_while(|&k| new[k] == old[k].0).count();
        let suffix = (0..most - prefix)
            .take_while(|&k| new[new.len() - 1 - k] == old[old.len() - 1 - k].0)
            .count();
        let mut out = Parse::default();
        let mut chunks = Vec::with_capacity(new.len());
        for (k, chunk) in new.iter().enumerate() {
            let reused = if k < prefix {
                Some(&old[k].1)
            } else if k >= new.len() - suffix {
                Some(&old[old.len() - (new.len() - k)].1)
            } else {
                None
            };
            let parse = match reused {
                Some(p) => Arc::clone(p),
                None => Arc::new(mica_syntax::parse(chunk)),
            };
            append(&mut out, &parse, starts[k], k == 0);
            chunks.push((chunk.to_string(), parse));
        }
        self.chunks = chunks;
        out
    }
}

/// The end of the line starting at `at`, and where the next line starts.
fn line_at(text: &str, at: usize) -> (usize, usize) {
    let rest = &text.as_bytes()[at..];
    match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(i) => {
            let len = if rest[i..].starts_with(b"\r\n") { 2 } else { 1 };
            (at + i, at + i + len)
        }
        None => (text.len(), text.len()),
    }
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// The offsets where paragraphs start: 0, then the start of every line that follows blank
/// lines, outside comments and front matter, and that is neither `---` nor starts with U+FEFF.
pub(crate) fn paragraph_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut at = 0;
    // Front matter: only when the very first line is `---`; never cut before its end.
    // A byte order mark does not hide the front matter.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let (first_end, next) = line_at(text, bom);
    if text[bom..first_end].trim_end() == "---" {
        let mut line = next;
        loop {
            if line >= text.len() {
                // Not closed: the parser then has no front matter; keep the document whole.
                return starts;
            }
            let (end, after) = line_at(text, line);
            if text[line..end].trim_end() == "---" {
                at = after;
                break;
            }
            line = after;
        }
    }
    // Comments, conservatively: from `<!--` to the first `-->` that starts after it.
    let mut comments: Vec<(usize, usize)> = Vec::new();
    let mut from = at;
    while let Some(i) = text[from..].find("<!--") {
        let s = from + i;
        match text[s + 4..].find("-->") {
            Some(j) => {
                comments.push((s, s + 4 + j + 3));
                from = s + 4 + j + 3;
            }
            None => {
                comments.push((s, text.len()));
                break;
            }
        }
    }
    let in_comment = |pos: usize| comments.iter().any(|&(s, e)| s < pos && pos < e);
    let mut line = at;
    let mut saw_text = false;
    let mut blank_run_start: Option<usize> = None;
    while line < text.len() {
        let (end, after) = line_at(text, line);
        let content = &text[line..end];
        if is_blank(content) && end < text.len() {
            if saw_text && blank_run_start.is_none() {
                blank_run_start = Some(line);
            }
        } else {
            if let Some(blank) = blank_run_start.take() {
                // A paragraph break from the line ending before `blank` to here.
                let cut_ok = !in_comment(blank.saturating_sub(1))
                    && !in_comment(line)
                    && !comments.iter().any(|&(s, e)| s < line && blank < e)
                    && content.trim_end() != "---"
                    // Parsed on its own, a paragraph starting with U+FEFF would take it for
                    // a byte order mark, which only the document's first character can be.
                    && !content.starts_with('\u{feff}');
                if cut_ok && line > *starts.last().unwrap_or(&0) {
                    starts.push(line);
                }
            }
            saw_text = true;
        }
        line = after;
    }
    starts
}

fn shift(r: TextRange, d: usize) -> TextRange {
    TextRange::new(r.start + d, r.end + d)
}

fn ident(i: &Ident, d: usize) -> Ident {
    let Ident { name, range } = i;
    Ident {
        name: name.clone(),
        range: shift(*range, d),
    }
}

fn strlit(s: &StrLit, d: usize) -> StrLit {
    let StrLit {
        value,
        range,
        terminated,
    } = s;
    StrLit {
        value: value.clone(),
        range: shift(*range, d),
        terminated: *terminated,
    }
}

fn citation(c: &Citation, d: usize) -> Citation {
    let Citation {
        range,
        source,
        lines,
        quote,
    } = c;
    Citation {
        range: shift(*range, d),
        source: ident(source, d),
        lines: lines.map(|l| {
            let LineLocator { start, end, range } = l;
            LineLocator {
                start,
                end,
                range: shift(range, d),
            }
        }),
        quote: quote.as_ref().map(|q| strlit(q, d)),
    }
}

fn attr(a: &Attr, d: usize) -> Attr {
    let Attr { key, value, range } = a;
    let Value { range: vr, kind } = value;
    let kind = match kind {
        ValueKind::Bare(b) => ValueKind::Bare(b.clone()),
        ValueKind::Str(s) => ValueKind::Str(strlit(s, d)),
        ValueKind::Ref(i) => ValueKind::Ref(ident(i, d)),
        ValueKind::Citation(c) => ValueKind::Citation(citation(c, d)),
        ValueKind::Invalid(why) => ValueKind::Invalid(why.clone()),
        ValueKind::Missing => ValueKind::Missing,
    };
    Attr {
        key: ident(key, d),
        value: Value {
            range: shift(*vr, d),
            kind,
        },
        range: shift(*range, d),
    }
}

/// Append the parse of the paragraph starting at `d` to `out`.
fn append(out: &mut Parse, p: &Parse, d: usize, first: bool) {
    let Parse { document, errors } = p;
    let Document {
        front_matter,
        sources,
        claims,
        headings,
        comments,
    } = document;
    if first {
        out.document.front_matter = front_matter.as_ref().map(|fm| {
            let FrontMatter { range, entries } = fm;
            FrontMatter {
                range: shift(*range, d),
                entries: entries
                    .iter()
                    .map(|e| {
                        let FrontMatterEntry {
                            key,
                            value,
                            value_range,
                        } = e;
                        FrontMatterEntry {
                            key: ident(key, d),
                            value: value.clone(),
                            value_range: shift(*value_range, d),
                        }
                    })
                    .collect(),
            }
        });
    }
    let doc = &mut out.document;
    doc.sources.extend(sources.iter().map(|s| {
        let SourceDecl {
            range,
            id,
            path,
            attrs,
        } = s;
        SourceDecl {
            range: shift(*range, d),
            id: id.as_ref().map(|i| ident(i, d)),
            path: path.as_ref().map(|p| strlit(p, d)),
            attrs: attrs.iter().map(|a| attr(a, d)).collect(),
        }
    }));
    doc.claims.extend(claims.iter().map(|c| {
        let Claim {
            range,
            text,
            text_range,
            attrs_range,
            id,
            tags,
            attrs,
            has_errors,
        } = c;
        Claim {
            range: shift(*range, d),
            text: text.clone(),
            text_range: shift(*text_range, d),
            attrs_range: shift(*attrs_range, d),
            id: id.as_ref().map(|i| ident(i, d)),
            tags: tags.iter().map(|t| ident(t, d)).collect(),
            attrs: attrs.iter().map(|a| attr(a, d)).collect(),
            has_errors: *has_errors,
        }
    }));
    doc.headings.extend(headings.iter().map(|h| {
        let Heading {
            level,
            title,
            range,
        } = h;
        Heading {
            level: *level,
            title: title.clone(),
            range: shift(*range, d),
        }
    }));
    doc.comments.extend(comments.iter().map(|c| shift(*c, d)));
    out.errors.extend(errors.iter().map(|e| {
        let SyntaxError {
            range,
            message,
            fix,
        } = e;
        SyntaxError {
            range: shift(*range, d),
            message: message.clone(),
            fix: fix.as_ref().map(|f| mica_syntax::SyntaxFix {
                edits: (f.edits.iter())
                    .map(|e| mica_syntax::TextEdit {
                        range: shift(e.range, d),
                        new_text: e.new_text.clone(),
                    })
                    .collect(),
                ..f.clone()
            }),
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every `.mica` and fixture text under the repository's crates and spec folders.
    fn corpus() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        let mut dirs = vec![root.join("spec"), root.join("crates")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                if p.is_dir() {
                    if !name.starts_with('.') && name != "target" && name != "snapshots" {
                        dirs.push(p);
                    }
                } else if (name.ends_with(".mica") || name.ends_with(".fixture"))
                    && let Ok(t) = std::fs::read_to_string(&p)
                {
                    out.push(t);
                }
            }
        }
        assert!(out.len() >= 10, "corpus too small: {}", out.len());
        out
    }

    #[track_caller]
    fn same(text: &str, cache: &mut ParseCache) {
        let whole = mica_syntax::parse(text);
        let pieces = cache.parse(text);
        assert_eq!(pieces, whole, "for {text:?}");
    }

    #[test]
    fn paragraphs_parse_as_the_whole_document() {
        let mut cache = ParseCache::new();
        for text in corpus() {
            same(&text, &mut cache);
            // Line endings of every kind.
            same(&text.replace('\n', "\r\n"), &mut cache);
            same(&text.replace('\n', "\r"), &mut cache);
        }
        for text in [
            "---\ntitle: x\n\n---\n\n[a]{#a}\n\n---\nnot front matter\n---\n",
            "<!-- a\n\n[b]{#b}\n\n-->\n\n[c]{#c cite=x}",
            "<!--\n\nunclosed\n\n[x]{#x}",
            "[a\n\nb]{#b}\n\n[c]{ #c\n\n}",
            "@source a \"p\n\nq\" title=x\n\n[x]{cite=a:\"q\n\n\"}",
            "\u{feff}---\nt: x\n---\n\n# H\n\n  \t\n\n## I [c]{#c}\n",
            "<!-->\n\n[x]{#x}\n\n-->",
            "[a]{#a}\n\n\u{feff}---\nt: x\n---\n\n[b]{#b}\n",
            "\u{feff}\n\n\u{feff}---\nt: x\n---\n",
        ] {
            same(text, &mut cache);
        }
    }

    #[test]
    fn random_edits_parse_as_the_whole_document() {
        let pieces = [
            "[", "]", "{", "}", "\"", "\n", "\n\n", "<!--", "-->", "#", "=", ":", "---\n", " ",
            "\\", "@source ", "é", "\r",
        ];
        let mut seed: u64 = 0x1234_5678_9abc_def1;
        let mut rnd = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let corpus = corpus();
        let mut cache = ParseCache::new();
        for round in 0..300 {
            let mut text = corpus[round % corpus.len()].clone();
            cache.parse(&text);
            for _ in 0..8 {
                let bounds: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect();
                let a = bounds[rnd(bounds.len())];
                let b = bounds
                    .iter()
                    .copied()
                    .filter(|&x| x >= a && x <= a + 12)
                    .nth(rnd(4))
                    .unwrap_or(a);
                let insert = pieces[rnd(pieces.len())];
                text.replace_range(a..b, insert);
                same(&text, &mut cache);
            }
        }
    }

    proptest::proptest! {
        /// Whole and paragraph-wise parses agree on documents made of the pieces that matter
        /// to paragraphs (breaks, comments, front matter fences, byte order marks), both
        /// from scratch and after an edit.
        #[test]
        fn whole_and_paragraph_parses_agree(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "\u{feff}", "\n", "\n\n", "\r\n\r\n", "---\n", "<!--", "-->", "[x]", "{#a}",
                "{cite=s:\"q\"}", "# H", "@source s \"p\"", " ", "\"", "text", "[", "}",
            ]), 0..40),
            edit in proptest::collection::vec(proptest::sample::select(vec![
                "\u{feff}", "\n\n", "[", "x", "",
            ]), 1..3),
            at in 0usize..1000,
        ) {
            let text: String = parts.concat();
            let mut cache = ParseCache::new();
            proptest::prop_assert_eq!(cache.parse(&text), mica_syntax::parse(&text));
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let at = bounds[at % bounds.len()];
            let mut edited = text.clone();
            edited.insert_str(at, &edit.concat());
            proptest::prop_assert_eq!(cache.parse(&edited), mica_syntax::parse(&edited));
        }
    }

    #[test]
    fn a_document_is_cut_at_paragraph_breaks_only() {
        let text = "# A\n\n[x]{#x}\n\n<!-- c\n\nd -->\n\n---\nzz\n\n  \nlast";
        let starts = paragraph_starts(text);
        let firsts: Vec<&str> = starts
            .iter()
            .map(|&s| &text[s..(s + 4).min(text.len())])
            .collect();
        assert_eq!(firsts, ["# A\n", "[x]{", "<!--", "last"]);
    }
}
