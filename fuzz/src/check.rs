//! Generated workspaces for the checker property: documents built from prose, claims and
//! citations whose quotes are cut from (and then mutated in) generated sources, and the
//! property itself: checking never panics and every range it reports is valid.

use super::common::{apply_edit, assert_in, floor_boundary};
use arbitrary::Arbitrary;
use mica_check::{Config, DocumentInput, check};
use mica_sources::MemoryProvider;
use mica_syntax::parse;

/// One piece of a generated document.
#[derive(Arbitrary, Debug)]
pub enum Piece {
    /// Raw text, markup included: whatever the fuzzer likes.
    Raw(String),
    /// A blank line.
    Break,
    /// `@source ID "PATH"` for source `index % 4` (index 3 names a missing file).
    Decl { id: u8, index: u8 },
    /// A claim citing source `source`, quoting a slice of it, maybe mutated.
    Claim {
        /// The claim's text.
        text: String,
        /// An id, if any.
        id: Option<u8>,
        /// Extra attributes, written as given.
        attrs: String,
        /// The citations.
        cites: Vec<Cite>,
    },
}

/// A citation of a generated claim.
#[derive(Arbitrary, Debug)]
pub struct Cite {
    /// Which source (`% 3`); 3 and up name an unknown source.
    pub source: u8,
    /// Where the quote starts in the source and how long it is.
    pub at: u16,
    /// The quote's length in bytes before rounding to characters.
    pub len: u8,
    /// A byte offset inside the quote to mutate, and the replacement.
    pub mutate: Option<(u8, String)>,
    /// A line locator `L{a}-{b}`, if any.
    pub lines: Option<(u8, u8)>,
    /// Put an elision marker in the middle.
    pub elide: bool,
}

/// Escape a value for a Mica string literal.
fn string_literal(s: &str) -> String {
    format!("\"{}\"", mica_syntax::escape_string(s))
}

/// The text of a generated document.
pub fn render_document(pieces: &[Piece], sources: &[String]) -> String {
    let mut out = String::new();
    for piece in pieces.iter().take(64) {
        match piece {
            Piece::Raw(s) => out.push_str(s),
            Piece::Break => out.push_str("\n\n"),
            Piece::Decl { id, index } => {
                out.push_str(&format!("\n@source d{} \"s{}.txt\"\n", id % 4, index % 4));
            }
            Piece::Claim {
                text,
                id,
                attrs,
                cites,
            } => {
                out.push('[');
                out.push_str(&text.replace(['[', ']'], " "));
                out.push_str("]{");
                if let Some(id) = id {
                    out.push_str(&format!("#c{} ", id % 8));
                }
                out.push_str(attrs);
                for c in cites.iter().take(4) {
                    out.push_str(&render_cite(c, sources));
                }
                out.push('}');
            }
        }
    }
    out
}

fn render_cite(c: &Cite, sources: &[String]) -> String {
    let index = usize::from(c.source % 4);
    let mut cite = format!(" cite=s{index}");
    if let Some((a, b)) = c.lines {
        cite.push_str(&format!(":L{a}-{b}"));
    }
    let Some(source) = sources.get(index) else {
        return cite;
    };
    let start = floor_boundary(source, usize::from(c.at) % (source.len() + 1));
    let end = floor_boundary(source, start + usize::from(c.len));
    let mut quote = source[start..end].to_string();
    if let Some((at, with)) = &c.mutate {
        apply_edit(&mut quote, usize::from(*at), 1, with);
    }
    if c.elide {
        let mid = floor_boundary(&quote, quote.len() / 2);
        quote.insert_str(mid, " ... ");
    }
    cite.push(':');
    cite.push_str(&string_literal(&quote));
    cite
}

/// A generated workspace: up to three sources, three documents and a configuration tail.
#[derive(Arbitrary, Debug)]
pub struct Workspace {
    /// The sources' texts, `s0.txt` to `s2.txt`, declared in `mica.toml` as `s0` to `s2`.
    pub sources: Vec<String>,
    /// The documents, `d0.mica` to `d2.mica`.
    pub documents: Vec<Vec<Piece>>,
    /// Text appended to the generated `mica.toml`.
    pub config_extra: String,
}

/// The property: checking `ws` never panics, and every range reported (diagnostics, labels
/// into sources, fix edits, resolved citations) lies on character boundaries of its file.
pub fn check_workspace(ws: Workspace) {
    let sources: Vec<String> = ws.sources.into_iter().take(3).collect();
    let provider = MemoryProvider::new("/fuzz");
    let mut toml = String::new();
    for (i, s) in sources.iter().enumerate() {
        provider.insert(&format!("s{i}.txt"), s.clone());
        toml.push_str(&format!(
            "[sources.s{i}]\npath = \"s{i}.txt\"\nreliability = \"C\"\n"
        ));
    }
    // A fuzzed tail may make the configuration invalid; then check with the generated part
    // alone (the CLI refuses to run on an invalid one).
    let config = Config::parse(&format!("{toml}{}", ws.config_extra))
        .or_else(|_| Config::parse(&toml))
        .unwrap_or_default();
    let texts: Vec<String> = ws
        .documents
        .iter()
        .take(3)
        .map(|pieces| render_document(pieces, &sources))
        .collect();
    let parses: Vec<_> = texts.iter().map(|t| parse(t)).collect();
    let paths: Vec<String> = (0..texts.len()).map(|i| format!("d{i}.mica")).collect();
    let inputs: Vec<DocumentInput<'_>> = texts
        .iter()
        .zip(&parses)
        .zip(&paths)
        .map(|((text, parse), path)| DocumentInput { path, text, parse })
        .collect();
    let checked = check(&config, &provider, &inputs);
    let file_text = |file: &str| -> Option<&str> {
        if let Some(i) = paths.iter().position(|p| p == file) {
            return Some(&texts[i]);
        }
        let i: usize = file.strip_prefix('s')?.strip_suffix(".txt")?.parse().ok()?;
        sources.get(i).map(String::as_str)
    };
    for doc in &checked {
        for d in &doc.diagnostics {
            if let Some(text) = file_text(&d.location.file) {
                assert_in(text, d.location.range, "diagnostic");
            }
            for l in &d.labels {
                if let Some(text) = file_text(&l.location.file) {
                    assert_in(text, l.location.range, "label");
                }
            }
            for e in d.fix.iter().flat_map(|f| &f.edits) {
                if let Some(text) = file_text(&e.location.file) {
                    assert_in(text, e.location.range, "fix edit");
                }
            }
        }
        for c in &doc.citations {
            if let (Some(path), Some(target)) = (&c.source_path, c.target)
                && let Some(text) = file_text(path)
            {
                assert_in(text, target, "resolved citation");
            }
        }
    }
    // The editor's incremental analysis, taking each document as an edit of the one before
    // (with the first one again at the end), equals a check from scratch.
    let config = std::sync::Arc::new(config);
    let mut cache = mica_ide::DocCache::new();
    for text in texts.iter().chain(texts.first()) {
        let inc = cache.analyse(&config, &provider, "d.mica", text.clone());
        let full = mica_ide::DocumentData::new(&config, &provider, "d.mica", text.clone());
        assert_eq!(*inc.parse, *full.parse, "incremental parse");
        assert_eq!(inc.diagnostics, full.diagnostics, "incremental diagnostics");
        assert_eq!(*inc.citations, *full.citations, "incremental citations");
    }
}
