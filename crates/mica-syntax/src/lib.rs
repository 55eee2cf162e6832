//! The Mica annotation language: lexer, parser and syntax tree, with byte spans and no IO.
//!
//! The whole API is [`parse`], which never fails: it returns the document it could build and
//! the syntax errors it met, each with the byte range it is about.

pub mod ast;
pub mod lexer;
mod lower;
mod parser;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
pub mod text;

pub use ast::*;
pub use compact_str::CompactString;
pub use lower::{escape_string, is_ident, parse_lines, unescape_string};
pub use text::{ColumnUnit, LineCol, LineIndex, TextRange, reader_positions};

use serde::Serialize;

/// A syntax error: where and what, in words meant for the author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// The bytes the error is about.
    pub range: TextRange,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Edits that fix it, for the common slips the parser recognises.
    pub fix: Option<SyntaxFix>,
}

/// A fix for a syntax error: edits of the document's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyntaxFix {
    /// What the fix does, as an editor shows it.
    pub title: String,
    /// Non-overlapping edits, in order.
    pub edits: Vec<TextEdit>,
    /// Whether applying it cannot change what is quoted or claimed (`spec/diagnostics.md`).
    pub safe: bool,
}

/// One replacement in the document's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    /// The bytes replaced.
    pub range: TextRange,
    /// What replaces them.
    pub new_text: String,
}

/// The result of parsing: the document and the errors met on the way.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Parse {
    /// What could be built; always present.
    pub document: Document,
    /// Syntax errors in source order.
    pub errors: Vec<SyntaxError>,
}

/// Parse a `.mica` text. Never fails and never panics, and takes time linear in the text.
/// Ranges are 32-bit: offsets past [`text::MAX_TEXT`] (4 GiB, far beyond what any reader of
/// Mica lets in) are taken as that.
pub fn parse(text: &str) -> Parse {
    parse_with(text, parser::Options { slips: true })
}

fn parse_with(text: &str, opts: parser::Options) -> Parse {
    let (front_matter, body, mut errors) = front_matter(text);
    let mut lowerer = lower::Lowerer::new(text);
    parser::parse_body(text, body, opts, &mut lowerer);
    lowerer.finish();
    errors.extend(lowerer.errors);
    errors.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut document = lowerer.doc;
    document.front_matter = front_matter;
    Parse { document, errors }
}

/// Lines of `text` from `start`: (range without line ending, offset after the line ending).
fn lines_from(text: &str, start: usize) -> impl Iterator<Item = (TextRange, usize)> + '_ {
    let mut at = start;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let rest = &text[at..];
        let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let ending = if rest[len..].starts_with("\r\n") {
            2
        } else {
            usize::from(len < rest.len())
        };
        let line = TextRange::new(at, at + len);
        at += len + ending;
        Some((line, at))
    })
}

/// Read the front matter at the very top, if any: returns it, the offset where the body
/// starts and any errors.
fn front_matter(text: &str) -> (Option<FrontMatter>, usize, Vec<SyntaxError>) {
    // A byte order mark at the very start is not text.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = lines_from(text, bom);
    let Some((first, _)) = lines.next() else {
        return (None, 0, Vec::new());
    };
    if text[first.to_range()].trim_end() != "---" {
        return (None, bom, Vec::new());
    }
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (line, next) in lines {
        let content = &text[line.to_range()];
        if content.trim_end() == "---" {
            let fm = FrontMatter {
                range: TextRange::new(0, line.end()),
                entries,
            };
            return (Some(fm), next, errors);
        }
        if content.trim().is_empty() {
            continue;
        }
        let parsed = content.split_once(':').and_then(|(k, v)| {
            let key = k.trim();
            is_ident(key).then(|| {
                let key_start = line.start() + (k.len() - k.trim_start().len());
                let value_start = line.start() + k.len() + 1 + (v.len() - v.trim_start().len());
                FrontMatterEntry {
                    key: Ident {
                        name: key.into(),
                        range: TextRange::new(key_start, key_start + key.len()),
                    },
                    value: v.trim().to_string(),
                    value_range: TextRange::new(value_start, value_start + v.trim().len()),
                }
            })
        });
        match parsed {
            Some(entry) => entries.push(entry),
            None => errors.push(SyntaxError {
                range: line,
                message: "front matter lines are `key: value`, as in `title: Made in China 2025`"
                    .into(),
                fix: None,
            }),
        }
    }
    let unclosed = SyntaxError {
        range: first,
        message: "the front matter is not closed: add a line `---` after its last entry".into(),
        fix: None,
    };
    (None, bom, vec![unclosed])
}
