//! The outline: document symbols (headings with their claims and sources), workspace symbols
//! (claims and sources), and folding ranges (front matter, comments, sections).

use crate::Analysis;
use crate::cursor::with_sigil;
use mica_check::{CONFIG_FILE, Location, shorten};
use mica_syntax::{Document, TextRange};

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A heading, holding what follows it up to the next heading of its level.
    Heading,
    /// A claim.
    Claim,
    /// A source declaration.
    Source,
    /// The front matter.
    FrontMatter,
}

/// A symbol of the document outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// The name shown.
    pub name: String,
    /// More about it.
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// All of it.
    pub range: TextRange,
    /// The part to select (its name), inside `range`.
    pub selection_range: TextRange,
    /// Nested symbols (a heading's content).
    pub children: Vec<Symbol>,
}

/// The outline of the document at `path`.
pub fn document_symbols(analysis: &Analysis, path: &str) -> Vec<Symbol> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let d = &doc.parse.document;
    let mut flat: Vec<(Option<u8>, Symbol)> = Vec::new();
    if let Some(fm) = &d.front_matter {
        let title = fm
            .entries
            .iter()
            .find(|e| e.key.name == "title")
            .map(|e| e.value.clone());
        flat.push((
            None,
            Symbol {
                name: "Front matter".into(),
                detail: title,
                kind: SymbolKind::FrontMatter,
                range: fm.range,
                selection_range: TextRange::new(fm.range.start(), fm.range.start() + 3),
                children: Vec::new(),
            },
        ));
    }
    let sections = section_ranges(d, doc.text.len());
    for (h, range) in d.headings.iter().zip(&sections) {
        flat.push((
            Some(h.level),
            Symbol {
                name: if h.title.is_empty() {
                    "(untitled)".into()
                } else {
                    h.title.clone()
                },
                detail: None,
                kind: SymbolKind::Heading,
                range: *range,
                selection_range: h.range,
                children: Vec::new(),
            },
        ));
    }
    for c in &d.claims {
        let (name, selection) = match &c.id {
            Some(id) => (format!("#{}", id.name), with_sigil(id)),
            None => (shorten(&c.text, 60), c.text_range),
        };
        flat.push((
            None,
            Symbol {
                name,
                detail: Some(shorten(&c.text, 80)),
                kind: SymbolKind::Claim,
                range: c.range(),
                selection_range: selection,
                children: Vec::new(),
            },
        ));
    }
    for s in &d.sources {
        let Some(id) = &s.id else { continue };
        flat.push((
            None,
            Symbol {
                name: id.name.to_string(),
                detail: s.path.as_ref().map(|p| p.value.clone()),
                kind: SymbolKind::Source,
                range: s.range,
                selection_range: id.range,
                children: Vec::new(),
            },
        ));
    }
    flat.sort_by_key(|(_, s)| (s.range.start(), std::cmp::Reverse(s.range.end())));
    nest(flat)
}

/// Each heading's section: from the heading to the next heading of the same or a higher level
/// (without the blank lines before it).
fn section_ranges(d: &Document, len: usize) -> Vec<TextRange> {
    d.headings
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let end = d.headings[i + 1..]
                .iter()
                .find(|n| n.level <= h.level)
                .map_or(len, |n| n.range.start());
            TextRange::new(h.range.start(), end.max(h.range.end()))
        })
        .collect()
}

/// Put every symbol under the innermost heading whose section holds it.
fn nest(flat: Vec<(Option<u8>, Symbol)>) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    let mut stack: Vec<Symbol> = Vec::new();
    fn pop(stack: &mut Vec<Symbol>, roots: &mut Vec<Symbol>) {
        let done = stack.pop().expect("non-empty");
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => roots.push(done),
        }
    }
    for (level, sym) in flat {
        while stack
            .last()
            .is_some_and(|top| !top.range.contains_range(sym.range))
        {
            pop(&mut stack, &mut roots);
        }
        if level.is_some() {
            stack.push(sym);
        } else {
            match stack.last_mut() {
                Some(parent) => parent.children.push(sym),
                None => roots.push(sym),
            }
        }
    }
    while !stack.is_empty() {
        pop(&mut stack, &mut roots);
    }
    roots
}

/// A claim or source anywhere in the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// `#id` for a claim, the id for a source.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Where its name is written.
    pub location: Location,
    /// Its document, or the source's title.
    pub container: Option<String>,
}

/// Whether every character of `query` appears in `name` in order, ignoring case.
fn fuzzy(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// The claims (by id) and sources of the workspace whose name matches `query`, at most `limit`.
pub fn workspace_symbols(analysis: &Analysis, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let mut out = Vec::new();
    for s in &analysis.config().sources {
        if fuzzy(query, &s.id) {
            let title = s.attrs.iter().find(|(k, _, _)| k == "title");
            out.push(WorkspaceSymbol {
                name: s.id.clone(),
                kind: SymbolKind::Source,
                location: Location {
                    file: CONFIG_FILE.into(),
                    range: s.id_range,
                },
                container: title.map(|(_, v, _)| v.clone()),
            });
        }
    }
    'docs: for doc in analysis.documents() {
        for s in &doc.parse.document.sources {
            if let Some(id) = s.id.as_ref().filter(|id| fuzzy(query, &id.name)) {
                out.push(WorkspaceSymbol {
                    name: id.name.to_string(),
                    kind: SymbolKind::Source,
                    location: Location {
                        file: doc.path.clone(),
                        range: id.range,
                    },
                    container: Some(doc.path.clone()),
                });
            }
        }
        for c in &doc.parse.document.claims {
            if out.len() >= limit {
                break 'docs;
            }
            if let Some(id) = c.id.as_ref().filter(|id| fuzzy(query, &id.name)) {
                out.push(WorkspaceSymbol {
                    name: format!("#{}", id.name),
                    kind: SymbolKind::Claim,
                    location: Location {
                        file: doc.path.clone(),
                        range: with_sigil(id),
                    },
                    container: Some(format!("{} — {}", doc.path, shorten(&c.text, 60))),
                });
            }
        }
    }
    out.truncate(limit);
    out
}

/// What a folding range folds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A comment.
    Comment,
    /// The front matter.
    FrontMatter,
    /// A heading's section.
    Section,
    /// A claim spanning several lines.
    Claim,
}

/// A range that can be folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// The bytes folded (the first line stays visible).
    pub range: TextRange,
    /// What it is.
    pub kind: FoldKind,
}

/// The folding ranges of the document at `path` that span more than one line.
pub fn folding_ranges(analysis: &Analysis, path: &str) -> Vec<Fold> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let d = &doc.parse.document;
    let text = doc.text.as_str();
    let multi_line = |r: TextRange| doc.lines.line_of(r.start()) < doc.lines.line_of(r.end());
    let mut out = Vec::new();
    if let Some(fm) = &d.front_matter {
        out.push(Fold {
            range: fm.range,
            kind: FoldKind::FrontMatter,
        });
    }
    out.extend(d.comments.iter().map(|&range| Fold {
        range,
        kind: FoldKind::Comment,
    }));
    for r in section_ranges(d, text.len()) {
        // A section ends before the blank lines that precede the next heading.
        let trimmed = text[r.to_range()].trim_end();
        out.push(Fold {
            range: TextRange::new(r.start(), r.start() + trimmed.len()),
            kind: FoldKind::Section,
        });
    }
    out.extend(d.claims.iter().map(|c| Fold {
        range: c.range(),
        kind: FoldKind::Claim,
    }));
    out.retain(|f| multi_line(f.range));
    out.sort_by_key(|f| (f.range.start(), std::cmp::Reverse(f.range.end())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    fn outline(symbols: &[Symbol], depth: usize, out: &mut String) {
        for s in symbols {
            out.push_str(&format!("{}{:?} {}\n", "  ".repeat(depth), s.kind, s.name));
            assert!(s.range.contains_range(s.selection_range), "{s:?}");
            outline(&s.children, depth + 1, out);
        }
    }

    #[test]
    fn headings_nest_with_their_claims_and_sources() {
        let f = fixture(
            "---\ntitle: T\n---\n@source s \"article.txt\"\n# One\n[a]{#a cite=s}\n## Two\n[b]{cite=s}\n# Three\n[c]{#c cite=s}\n",
        );
        let mut out = String::new();
        outline(&document_symbols(&f.analysis, &f.file), 0, &mut out);
        assert_eq!(
            out,
            "FrontMatter Front matter\nSource s\nHeading One\n  Claim #a\n  Heading Two\n    Claim b\nHeading Three\n  Claim #c\n"
        );
    }

    #[test]
    fn workspace_symbols_match_fuzzily() {
        let f = fixture(
            "//- /a.mica\n[x]{#kj-success cite=art}\n//- /b.mica\n[y]{#bg-signed cite=art}\n",
        );
        let names: Vec<String> = workspace_symbols(&f.analysis, "kjs", 100)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["#kj-success"]);
        let all = workspace_symbols(&f.analysis, "", 100);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[0].location.file, "mica.toml");
    }

    #[test]
    fn folds_front_matter_comments_sections_and_long_claims() {
        let f = fixture(
            "---\ntitle: T\n---\n<!-- a\nb -->\n# One\ntext\n\n## Two\n[a long\nclaim]{cite=art}\n\n# Three\n<!-- one line -->\n",
        );
        let folds: Vec<(FoldKind, String)> = folding_ranges(&f.analysis, &f.file)
            .into_iter()
            .map(|fo| (fo.kind, f.text()[fo.range.to_range()].to_string()))
            .collect();
        assert_eq!(
            folds,
            [
                (FoldKind::FrontMatter, "---\ntitle: T\n---".to_string()),
                (FoldKind::Comment, "<!-- a\nb -->".to_string()),
                (
                    FoldKind::Section,
                    "# One\ntext\n\n## Two\n[a long\nclaim]{cite=art}".to_string()
                ),
                (
                    FoldKind::Section,
                    "## Two\n[a long\nclaim]{cite=art}".to_string()
                ),
                (FoldKind::Claim, "[a long\nclaim]{cite=art}".to_string()),
                (FoldKind::Section, "# Three\n<!-- one line -->".to_string()),
            ]
        );
    }
}
