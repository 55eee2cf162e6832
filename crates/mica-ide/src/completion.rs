//! Completion: source ids after `cite=`, attribute keys, values of `conf`, `p` and
//! `reliability`, claim ids after `supports=#`/`contradicts=#`, paths in `@source "..."`, and
//! passages of the cited source while a quote is typed.
//!
//! The context is read from the lexer's tokens around the cursor (`mica_syntax::lexer`, as
//! the parser reads them) rather than from the syntax tree, because the text being typed is
//! rarely well formed yet.
//!
//! Length: about 640 lines of code, the rest unit tests. Each completion context (keys,
//! values, claim ids, source ids, quotes, paths) is one arm of `completions` with its helpers;
//! the next split, if it grows, is one file per context.

use crate::Analysis;
use crate::cursor::claim_at;
use mica_check::vocab;
use mica_check::{CONFIG_FILE, shorten};
use mica_sources::LineSpan;
use mica_syntax::lexer::{Token, tokens};
use mica_syntax::{TextRange, escape_string, unescape_string};

/// What a completion item completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A source id.
    Source,
    /// A claim id.
    Claim,
    /// An attribute key.
    Key,
    /// An attribute value from a fixed vocabulary.
    Value,
    /// A file path.
    File,
    /// A passage of a source, for a quote.
    Quote,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// The kind, for the icon.
    pub kind: CompletionKind,
    /// A short description shown beside the label.
    pub detail: Option<String>,
    /// Longer documentation, in Markdown.
    pub documentation: Option<String>,
    /// The range of the document the item replaces.
    pub range: TextRange,
    /// The text put there.
    pub text: String,
    /// The text the editor filters on, when not the label.
    pub filter_text: Option<String>,
    /// Whether completion should open again after this item is inserted (after `cite=`).
    pub retrigger: bool,
}

/// The most claim ids offered at once: more than an editor's list shows (VS Code shows 12
/// rows), few enough to send at every keystroke (the list is incomplete, so typing more
/// narrows it with a new request). The answer's size is most of its cost: in the server's
/// benchmark, 20 items took 0.35–0.38 ms to reach the client and 50 took 0.47–0.53 ms.
pub const MAX_CLAIM_IDS: usize = 20;

/// Where the cursor is, for completion.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ctx {
    /// Typing an attribute key from `start`; `keys` are those already given.
    Key {
        start: usize,
        in_claim: bool,
        keys: Vec<String>,
    },
    /// Typing the bare value of `key` from `start`.
    Value {
        key: String,
        start: usize,
        in_claim: bool,
    },
    /// Typing a claim id after `supports=#` or `contradicts=#`.
    Ref { start: usize },
    /// Typing a source id after `cite=`.
    CiteSource { start: usize },
    /// Typing a quote of `source` (within `lines`) from `start` (after the opening `"`).
    Quote {
        source: String,
        lines: Option<LineSpan>,
        start: usize,
    },
    /// Typing the path of an `@source` from `start` (after the opening `"`).
    Path { start: usize },
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// Whether a blank line lies in `text` (between two of its line endings).
fn has_blank_line(text: &str) -> bool {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let pieces: Vec<&str> = normalized.split('\n').collect();
    pieces.len() > 2
        && pieces[1..pieces.len() - 1]
            .iter()
            .any(|l| l.trim_matches([' ', '\t']).is_empty())
}

/// The offset just after the `{` of the attribute list the cursor is in, if any.
fn attr_list_start(analysis: &Analysis, path: &str, text: &str, offset: usize) -> Option<usize> {
    if let Some(doc) = analysis.document(path)
        && let Some(i) = claim_at(&doc.parse.document, offset)
    {
        let c = &doc.parse.document.claims[i];
        if c.attrs_range.start() < offset {
            return Some(c.attrs_range.start() + 1);
        }
    }
    // Not parsed as a claim yet: the nearest `]{` before the cursor in the same paragraph.
    let window = offset.saturating_sub(8192);
    let window = (window..offset).find(|&i| text.is_char_boundary(i))?;
    let at = text[window..offset].rfind("]{")? + window;
    (!has_blank_line(&text[at..offset])).then_some(at + 2)
}

enum State {
    Between,
    Key(usize),
    Sigil,
    CiteSource(usize),
    CiteColon,
    CiteLines(usize),
    Quote(usize),
    Ref(usize),
    Bare(usize),
    Str,
    Junk,
}

/// Read an attribute list from `from` to the cursor, token by token as the parser reads it
/// (`mica_syntax::lexer`), and say where the cursor is.
fn scan_attrs(text: &str, from: usize, offset: usize, in_claim: bool) -> Option<Ctx> {
    let mut state = State::Between;
    let mut key = String::new();
    let mut keys: Vec<String> = Vec::new();
    let mut source = String::new();
    let mut lines: Option<LineSpan> = None;
    let ident = |s: &str| !s.is_empty() && s.chars().all(is_ident_char);
    let mut it = tokens(&text[..offset], from).peekable();
    while let Some((tok, range)) = it.next() {
        let (at, word) = (range.start(), &text[range.to_range()]);
        let space = matches!(tok, Token::Ws | Token::Newline | Token::ParaBreak);
        state = match state {
            State::Between | State::Junk | State::Sigil if space => State::Between,
            State::Junk | State::Sigil => state,
            State::Between => match tok {
                Token::RBrace if in_claim => return None,
                Token::Hash => State::Sigil,
                Token::Word if word.starts_with('.') => State::Sigil,
                // A comment between attributes; the cursor inside one completes nothing.
                Token::Comment(closed) => closed.then_some(State::Between)?,
                Token::Word if ident(word) => State::Key(at),
                _ => State::Junk,
            },
            State::Key(start) => match tok {
                Token::Eq => {
                    key = text[start..at].to_string();
                    keys.push(key.clone());
                    match (key.as_str(), it.peek().map(|(t, _)| *t)) {
                        ("cite", _) => State::CiteSource(at + 1),
                        (_, Some(Token::Quote)) => {
                            it.next();
                            State::Str
                        }
                        (_, Some(Token::Hash)) => {
                            it.next();
                            State::Ref(at + 2)
                        }
                        _ => State::Bare(at + 1),
                    }
                }
                _ if space => State::Between,
                _ => State::Junk,
            },
            State::CiteSource(start) => match tok {
                Token::Colon => {
                    source = text[start..at].to_string();
                    lines = None;
                    State::CiteColon
                }
                Token::Word if ident(word) => State::CiteSource(start),
                _ if space => State::Between,
                Token::RBrace if in_claim => return None,
                _ => State::Junk,
            },
            State::CiteColon => match tok {
                Token::Quote => State::Quote(at + 1),
                Token::Word if word.starts_with('L') => State::CiteLines(at),
                _ if space => State::Between,
                _ => State::Junk,
            },
            State::CiteLines(start) => match tok {
                Token::Colon => {
                    lines = parse_lines(&text[start..at]);
                    State::CiteColon
                }
                _ if space => State::Between,
                _ => State::Junk,
            },
            // Inside a string, up to the closing quote (an escaped one is an `Escape`).
            State::Quote(start) => match tok {
                Token::Quote => State::Junk,
                _ => State::Quote(start),
            },
            State::Str => match tok {
                Token::Quote => State::Junk,
                _ => State::Str,
            },
            State::Ref(start) => match tok {
                Token::Word if ident(word) => State::Ref(start),
                _ if space => State::Between,
                _ => State::Junk,
            },
            State::Bare(start) => match tok {
                _ if space => State::Between,
                Token::RBrace if in_claim => return None,
                _ => State::Bare(start),
            },
        };
    }
    match state {
        State::Between => Some(Ctx::Key {
            start: offset,
            in_claim,
            keys,
        }),
        State::Key(start) => Some(Ctx::Key {
            start,
            in_claim,
            keys,
        }),
        State::CiteSource(start) => Some(Ctx::CiteSource { start }),
        State::Quote(start) => Some(Ctx::Quote {
            source,
            lines,
            start,
        }),
        State::Ref(start) => Some(Ctx::Ref { start }),
        State::Bare(start) => Some(Ctx::Value {
            key,
            start,
            in_claim,
        }),
        _ => None,
    }
}

/// `L12` or `L12-14` (or `L12-L14`) as a span, as the parser reads a line locator (so `L0`
/// and `L5-3` are none).
fn parse_lines(s: &str) -> Option<LineSpan> {
    let locator = mica_syntax::parse_lines(s, TextRange::default()).ok()?;
    Some(LineSpan {
        start: locator.start as usize,
        end: locator.end as usize,
    })
}

/// Where the cursor is in an `@source` line, if it is in one (read token by token, as the
/// parser reads it).
fn scan_source_line(text: &str, offset: usize) -> Option<Option<Ctx>> {
    let ls = line_start(text, offset);
    let mut it = tokens(&text[..offset], ls).peekable();
    if let Some((Token::Ws, r)) = it.peek() {
        if r.len() > 3 {
            return None;
        }
        it.next();
    }
    if !matches!(it.next(), Some((Token::AtSource, _))) {
        return None;
    }
    // The id, then the path.
    if !matches!(it.next(), Some((Token::Ws, _))) {
        return Some(None);
    }
    let Some((Token::Word, id)) = it.next() else {
        return Some(None);
    };
    if !text[id.to_range()].chars().all(is_ident_char) {
        return Some(None);
    }
    if !matches!(it.next(), Some((Token::Ws, _))) {
        return Some(None);
    }
    let Some((Token::Quote, open)) = it.next() else {
        return Some(None);
    };
    for (tok, r) in it {
        if tok == Token::Quote {
            return Some(scan_attrs(text, r.end(), offset, false));
        }
    }
    Some(Some(Ctx::Path { start: open.end() }))
}

fn context(analysis: &Analysis, path: &str, text: &str, offset: usize) -> Option<Ctx> {
    if let Some(ctx) = scan_source_line(text, offset) {
        return ctx;
    }
    let from = attr_list_start(analysis, path, text, offset)?;
    scan_attrs(text, from, offset, true)
}

/// The completions at `offset` in the document at `path`.
pub fn completions(analysis: &Analysis, path: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let Some(ctx) = context(analysis, path, text, offset) else {
        return Vec::new();
    };
    let item = |label: &str, kind, detail: Option<String>, range: TextRange, text: String| {
        CompletionItem {
            label: label.to_string(),
            kind,
            detail,
            documentation: None,
            range,
            text,
            filter_text: None,
            retrigger: false,
        }
    };
    let word_end = |start: usize| {
        let rest = &text[start..];
        start + rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len())
    };
    match ctx {
        Ctx::Key {
            start,
            in_claim,
            keys,
        } => {
            let end = word_end(start).max(offset);
            let range = TextRange::new(start, end);
            // Completing inside `conf=high` replaces the word, not the `=` after it.
            let has_eq = text[end..].starts_with('=');
            let vocab_keys = if in_claim {
                vocab::CLAIM_KEYS
            } else {
                vocab::SOURCE_KEYS
            };
            let typed = &text[start..offset];
            vocab_keys
                .iter()
                .filter(|(k, _)| {
                    let single = !in_claim || vocab::SINGLE_KEYS.contains(k);
                    !(single && keys.iter().any(|given| given == k && given != typed))
                })
                .map(|(k, doc)| {
                    let mut it = item(
                        k,
                        CompletionKind::Key,
                        Some((*doc).to_string()),
                        range,
                        if has_eq {
                            k.to_string()
                        } else {
                            format!("{k}=")
                        },
                    );
                    it.retrigger = matches!(
                        *k,
                        "conf" | "p" | "cite" | "supports" | "contradicts" | "reliability"
                    );
                    it
                })
                .collect()
        }
        Ctx::Value {
            key,
            start,
            in_claim,
        } => {
            let rest = &text[start..];
            let end = start
                + rest
                    .find(|c: char| c.is_whitespace() || c == '}')
                    .unwrap_or(rest.len());
            let range = TextRange::new(start, end.max(offset));
            let values: Vec<(String, String)> = match (in_claim, key.as_str()) {
                (true, "conf") => vocab::CONFIDENCE
                    .iter()
                    .map(|(c, d)| (c.to_string(), d.to_string()))
                    .collect(),
                (true, "p") => vocab::LIKELIHOOD
                    .iter()
                    .map(|(t, lo, hi)| (t.to_string(), format!("{lo}–{hi}%")))
                    .collect(),
                (false, "reliability") => vocab::RELIABILITY
                    .iter()
                    .map(|(g, d)| (g.to_string(), d.to_string()))
                    .collect(),
                _ => Vec::new(),
            };
            values
                .into_iter()
                .map(|(v, d)| item(&v, CompletionKind::Value, Some(d), range, v.clone()))
                .collect()
        }
        Ctx::CiteSource { start } => {
            let range = TextRange::new(start, word_end(start).max(offset));
            let mut seen = std::collections::HashSet::new();
            doc.scope
                .defs()
                .filter(|d| seen.insert(d.id.clone()))
                .map(|d| {
                    let mut detail = d.attr("title").map(|t| shorten(t, 80)).unwrap_or_default();
                    if let Some(r) = d.attr("reliability") {
                        detail.push_str(&format!(" ({r})"));
                    }
                    let mut it = item(
                        &d.id,
                        CompletionKind::Source,
                        Some(detail.trim().to_string()),
                        range,
                        d.id.clone(),
                    );
                    it.documentation = d.path.as_ref().map(|(p, _)| {
                        let where_ = if d.in_config() {
                            CONFIG_FILE
                        } else {
                            "this document"
                        };
                        format!("`{p}`, declared in {where_}")
                    });
                    it
                })
                .collect()
        }
        Ctx::Ref { start } => {
            let range = TextRange::new(start, word_end(start).max(offset));
            let own = claim_at(&doc.parse.document, offset);
            let typed = &text[start..offset];
            // The ids that contain what is typed; in a long brief, only the nearest
            // `MAX_CLAIM_IDS` of them (the list is marked incomplete, so that typing more
            // asks again), in document order.
            let claims = &doc.parse.document.claims;
            let wanted = |i: usize| {
                Some(i) != own && (claims[i].id.as_ref()).is_some_and(|id| id.name.contains(typed))
            };
            let found: Vec<(usize, &mica_syntax::Claim)> =
                nearest(claims, offset, MAX_CLAIM_IDS, wanted)
                    .into_iter()
                    .map(|i| (i, &claims[i]))
                    .collect();
            found
                .into_iter()
                .filter_map(|(_, c)| c.id.as_ref().map(|id| (id, c)))
                .map(|(id, c)| {
                    item(
                        &id.name,
                        CompletionKind::Claim,
                        Some(shorten(&c.text, 80)),
                        range,
                        id.name.to_string(),
                    )
                })
                .collect()
        }
        Ctx::Quote {
            source,
            lines,
            start,
        } => quote_completions(analysis, doc, &source, lines, start, offset),
        Ctx::Path { start } => {
            let close = closing_quote(text, offset);
            let closed = close.is_some();
            let range = TextRange::new(start, close.unwrap_or(offset));
            let typed = unescape_string(&text[start..offset]);
            analysis
                .provider()
                .list_files()
                .into_iter()
                .filter(|f| !f.ends_with(".mica") && f != CONFIG_FILE)
                .filter(|f| {
                    f.starts_with(typed.as_str()) || typed.is_empty() || f.contains(typed.as_str())
                })
                .take(1000)
                .map(|f| {
                    let mut insert = escape_string(&f);
                    if !closed {
                        insert.push('"');
                    }
                    item(&f, CompletionKind::File, None, range, insert)
                })
                .collect()
        }
    }
}

/// Where the string the cursor is in closes: the offset of its closing `"` on the same line,
/// if it has one. A completion replaces the whole string's content up to it, so that
/// completing in the middle of a quote or path leaves no tail behind.
fn closing_quote(text: &str, offset: usize) -> Option<usize> {
    let mut chars = text[offset..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some(offset + i),
            '\\' => {
                chars.next();
            }
            '\n' | '\r' => return None,
            _ => {}
        }
    }
    None
}

/// Passages of the cited source that start with what has been typed of the quote.
fn quote_completions(
    analysis: &Analysis,
    doc: &crate::DocumentData,
    source: &str,
    lines: Option<LineSpan>,
    start: usize,
    offset: usize,
) -> Vec<CompletionItem> {
    let Some((path, _)) = doc.scope.get(source).and_then(|d| d.path.as_ref()) else {
        return Vec::new();
    };
    let Ok(file) = analysis.provider().load(path) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let typed = &text[start..offset];
    let prefix = unescape_string(typed);
    let allowed = lines.and_then(|l| file.line_span_range(l));
    let close = closing_quote(text, offset);
    let closed = close.is_some();
    let mut passages: Vec<(TextRange, String)> = Vec::new();
    if prefix.trim().is_empty() {
        // Nothing typed yet: with a line locator, offer those lines as the quote.
        if let Some(r) = allowed {
            let t = mica_sources::collapse_whitespace(&file.text()[r.to_range()]);
            if !t.is_empty() {
                passages.push((r, t));
            }
        }
    } else if let Some(allowed) = allowed {
        // Passages are offered once per wording, so a passage repeated elsewhere in the source
        // is looked up within the lines directly.
        let query = mica_sources::QuoteQuery {
            quote: &prefix,
            lines,
        };
        if let mica_sources::QuoteOutcome::Found(m) = file.find_quote(query) {
            let src = file.text();
            let end = mica_sources::sentence::sentence_end(src, m.range.end(), allowed.end())
                .unwrap_or(allowed.end());
            let r = TextRange::new(m.range.start(), end);
            passages.push((r, mica_sources::collapse_whitespace(&src[r.to_range()])));
        }
    } else {
        passages = file
            .complete_quote(&prefix, 20)
            .into_iter()
            .map(|p| (p.range, p.text))
            .collect();
    }
    passages
        .into_iter()
        .map(|(range, passage)| {
            let line = file.lines().line_of(range.start()) + 1;
            let mut insert = escape_string(&passage);
            if !closed {
                insert.push('"');
            }
            CompletionItem {
                label: shorten(&passage, 80),
                kind: CompletionKind::Quote,
                detail: Some(format!("{}:{line}", file.path())),
                documentation: Some(format!(
                    "> {}",
                    crate::markdown::passage_in_context(&file, &[range])
                )),
                range: TextRange::new(start, close.unwrap_or(offset)),
                text: insert,
                // The editor filters on what was typed, which every passage starts with once
                // normalised (curly quotes, dashes, spacing may differ as written).
                filter_text: Some(typed.to_string()),
                retrigger: false,
            }
        })
        .collect()
}

/// The indexes, in document order, of at most `max` claims for which `wanted` holds, the
/// nearest to `offset` (by where they start; the earlier of two as near). Claims are in
/// document order, so the walk goes outwards from the cursor and stops once it has `max`: a
/// long brief costs what is near the cursor, not every claim.
fn nearest(
    claims: &[mica_syntax::Claim],
    offset: usize,
    max: usize,
    wanted: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let split = claims.partition_point(|c| c.range().start() < offset);
    let (mut before, mut after) = (split, split);
    let mut found = Vec::new();
    while found.len() < max && (before > 0 || after < claims.len()) {
        let left = (before > 0).then(|| offset - claims[before - 1].range().start());
        let right = (after < claims.len()).then(|| claims[after].range().start() - offset);
        let i = match (left, right) {
            (Some(l), Some(r)) if l <= r => {
                before -= 1;
                before
            }
            (Some(_), None) => {
                before -= 1;
                before
            }
            _ => {
                after += 1;
                after - 1
            }
        };
        if wanted(i) {
            found.push(i);
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    fn labels(text: &str) -> Vec<String> {
        let f = fixture(text);
        completions(&f.analysis, &f.file, f.offset())
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    /// Apply the first completion whose label starts with `label` and return the document.
    fn apply(text: &str, label: &str) -> String {
        let f = fixture(text);
        let items = completions(&f.analysis, &f.file, f.offset());
        let it = items
            .iter()
            .find(|c| c.label.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {items:?}"));
        let mut out = f.text().to_string();
        out.replace_range(it.range.to_range(), &it.text);
        out
    }

    #[test]
    fn source_ids_after_cite() {
        let text = "//- /mica.toml\n[sources.wiki]\npath = \"w.txt\"\n//- /w.txt\nW\n//- /doc.mica\n@source notes \"w.txt\"\n[x]{cite=$0}\n";
        assert_eq!(labels(text), ["wiki", "notes"]);
        assert_eq!(
            apply("[x]{cite=a$0 conf=high}", "art"),
            "[x]{cite=art conf=high}"
        );
    }

    #[test]
    fn keys_values_and_what_is_already_given() {
        assert_eq!(
            labels("[x]{$0}"),
            ["conf", "p", "cite", "supports", "contradicts", "note"]
        );
        assert_eq!(
            labels("[x]{conf=high cite=art $0}"),
            ["p", "cite", "supports", "contradicts", "note"]
        );
        assert_eq!(apply("[x]{co$0}", "conf"), "[x]{conf=}");
        // Inside an existing key the `=` that follows is kept, not doubled.
        assert_eq!(
            apply("[x]{#a co$0nf=high cite=art:L1}", "conf"),
            "[x]{#a conf=high cite=art:L1}"
        );
        assert_eq!(labels("[x]{conf=$0}"), ["low", "moderate", "high"]);
        assert_eq!(
            apply("[x]{conf=mo$0 cite=art}", "moderate"),
            "[x]{conf=moderate cite=art}"
        );
        assert!(labels("[x]{p=$0}").contains(&"almost-certain".to_string()));
        assert!(labels("[x]{note=\"$0\"}").is_empty());
    }

    #[test]
    fn completion_in_an_unfinished_claim() {
        // No `}` yet, and more text below: still read as an attribute list.
        assert_eq!(
            labels("[x]{cite=art conf=$0\n\nMore prose."),
            ["low", "moderate", "high"]
        );
        assert!(labels("[x]{cite=art} conf=$0").is_empty());
    }

    #[test]
    fn source_keys_and_reliability() {
        let text = "//- /mica.toml\n//- /a.txt\nA\n//- /doc.mica\n@source a \"a.txt\" $0\n";
        assert_eq!(labels(text), ["title", "url", "date", "reliability"]);
        let text =
            "//- /mica.toml\n//- /a.txt\nA\n//- /doc.mica\n@source a \"a.txt\" reliability=$0\n";
        assert_eq!(labels(text), ["A", "B", "C", "D", "E", "F"]);
    }

    #[test]
    fn claim_ids_after_supports() {
        let text = "[a]{#one cite=art}\n\n[b]{#two supports=#$0 cite=art}\n\n[c]{#three cite=art}";
        assert_eq!(labels(text), ["one", "three"]);
    }

    #[test]
    fn claim_ids_are_filtered_and_capped_in_long_briefs() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("[c]{{#c{i} cite=art}}\n\n"));
        }
        text.push_str("[b]{#b supports=#c99$0 cite=art}");
        assert_eq!(
            labels(&text),
            [
                "c99", "c990", "c991", "c992", "c993", "c994", "c995", "c996", "c997", "c998",
                "c999"
            ]
        );
        let all = labels(&text.replace("#c99$0", "#$0"));
        assert_eq!(all.len(), MAX_CLAIM_IDS);
        // The nearest to the cursor, which is at the end.
        assert_eq!(all.last().map(String::as_str), Some("c999"));
    }

    /// The walk outwards from the cursor finds what a sort of every matching claim by
    /// distance (the earlier of two as near) would.
    #[test]
    fn the_nearest_claims_are_those_a_full_sort_finds() {
        let mut rng = crate::test_rng::Rng(0x853c_49e6_748f_ea9b);
        for _ in 0..300 {
            let text: String = (0..rng.below(60))
                .map(|i| format!("[c]{{#k{}}}{}", i % 7, " ".repeat(rng.below(3))))
                .collect();
            let parse = mica_syntax::parse(&text);
            let claims = &parse.document.claims;
            let offset = rng.below(text.len() + 1);
            let max = 1 + rng.below(8);
            let digit = rng.below(7).to_string();
            let wanted = |i: usize| {
                (claims[i].id.as_ref()).is_some_and(|id| id.name.contains(digit.as_str()))
            };
            let mut all: Vec<usize> = (0..claims.len()).filter(|&i| wanted(i)).collect();
            all.sort_by_key(|&i| (claims[i].range().start().abs_diff(offset), i));
            all.truncate(max);
            all.sort_unstable();
            assert_eq!(
                nearest(claims, offset, max, wanted),
                all,
                "{text:?} at {offset}"
            );
        }
    }

    #[test]
    fn paths_in_source_declarations() {
        let text = "//- /mica.toml\n//- /seeds/a.txt\nA\n//- /seeds/b.txt\nB\n//- /doc.mica\n@source a \"seeds/$0\"\n";
        assert_eq!(labels(text), ["seeds/a.txt", "seeds/b.txt"]);
        let text = "//- /mica.toml\n//- /seeds/a.txt\nA\n//- /doc.mica\n@source a \"se$0\n";
        assert_eq!(apply(text, "seeds/a.txt"), "@source a \"seeds/a.txt\"\n");
        // In the middle of a path, the whole path is replaced.
        let text = "//- /mica.toml\n//- /seeds/a.txt\nA\n//- /doc.mica\n@source a \"seeds/$0x.txt\" title=\"t\"\n";
        assert_eq!(
            apply(text, "seeds/a.txt"),
            "@source a \"seeds/a.txt\" title=\"t\"\n"
        );
    }

    #[test]
    fn quotes_complete_from_the_source() {
        assert_eq!(
            apply(r#"[x]{cite=art:"The plan was$0"}"#, "The plan"),
            r#"[x]{cite=art:"The plan was signed by Premier Li Keqiang in May 2015."}"#
        );
        // Without the closing quote it is added; curly and straight quotes match alike.
        assert_eq!(
            apply("[x]{cite=art:\"Over nine$0", "Over"),
            "[x]{cite=art:\"Over nine years, the CCP invested more than $300 billion to establish 33 innovation centers.\""
        );
        // In the middle of a quote, the rest of the quote is replaced too.
        assert_eq!(
            apply(r#"[x]{cite=art:"The plan$0 was signed by"}"#, "The plan"),
            r#"[x]{cite=art:"The plan was signed by Premier Li Keqiang in May 2015."}"#
        );
        // The same passage twice is offered once; a line locator picks the line.
        assert_eq!(labels(r#"[x]{cite=art:"The target$0"}"#).len(), 1);
        let f = fixture(r#"[x]{cite=art:L5:"The target$0"}"#);
        let items = completions(&f.analysis, &f.file, f.offset());
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].detail.as_deref(), Some("article.txt:5"));
        // An empty quote with a line locator offers the line.
        assert_eq!(
            apply(r#"[x]{cite=art:L3:"$0"}"#, "The target"),
            r#"[x]{cite=art:L3:"The target was 70 percent by 2025."}"#
        );
        // What the parser rejects as a line locator restricts nothing: the passage is found
        // wherever it is, as without a locator.
        for bad in ["L0", "L5-3", "L00", "L-3"] {
            let f = fixture(&format!(r#"[x]{{cite=art:{bad}:"The target$0"}}"#));
            let items = completions(&f.analysis, &f.file, f.offset());
            assert_eq!(items.len(), 1, "{bad}");
            assert_eq!(items[0].detail.as_deref(), Some("article.txt:3"), "{bad}");
        }
    }

    #[test]
    fn line_locators_are_read_as_the_parser_reads_them() {
        let span = |start, end| Some(LineSpan { start, end });
        assert_eq!(parse_lines("L3"), span(3, 3));
        assert_eq!(parse_lines("L3-5"), span(3, 5));
        assert_eq!(parse_lines("L3-L5"), span(3, 5));
        for bad in ["L0", "L0-2", "L5-3", "L-3", "L3-", "L+3", "3"] {
            assert_eq!(parse_lines(bad), None, "{bad}");
            let parsed = mica_syntax::parse_lines(bad, TextRange::default());
            assert!(parsed.is_err(), "{bad}");
        }
    }

    /// The context comes from the lexer's tokens, so it agrees with the parser where a
    /// character scanner would not: a no-break space does not end a value (the parser reads
    /// `high\u{a0}` as one value), and a comment between attributes is skipped.
    #[test]
    fn context_is_read_as_the_parser_reads_it() {
        let p = mica_syntax::parse("[x]{conf=high\u{a0}p=likely}");
        assert_eq!(p.document.claims[0].attrs.len(), 1);
        assert_eq!(
            labels("[x]{conf=high\u{a0}$0}"),
            ["low", "moderate", "high"]
        );
        assert_eq!(
            labels("[x]{<!-- c -->co$0}"),
            labels("[x]{co$0}"),
            "a comment between attributes"
        );
        assert!(labels("[x]{<!-- co$0").is_empty(), "inside a comment");
    }

    #[test]
    fn nothing_in_prose_or_strings() {
        assert!(labels("Some prose $0 here").is_empty());
        assert!(labels("[x]{#a$0 cite=art}").is_empty());
    }
}
