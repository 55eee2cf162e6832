//! Navigation: go to definition (a quote's passage in its source, a source's declaration, a
//! referenced claim), find references and document highlights.

use crate::cursor::{CitePart, Hit, hit_at, with_sigil};
use crate::hover::{decl_def, resolved};
use crate::{Analysis, DocumentData};
use mica_check::{Location, SourceDef};
use mica_syntax::TextRange;

/// A place to go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Workspace-relative path of the file to open.
    pub file: String,
    /// The range to select there.
    pub range: TextRange,
    /// The range of the document the navigation started from.
    pub origin: TextRange,
}

/// Where the element at `offset` is defined: for a quote or line locator, the passage in the
/// source; for a source id, its declaration (in the document or `mica.toml`); for a source
/// declaration, the source file; for `#id` in `supports=`/`contradicts=`, that claim.
pub fn definition(analysis: &Analysis, path: &str, offset: usize) -> Vec<Target> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let Some(hit) = hit_at(&doc.parse.document, offset) else {
        return Vec::new();
    };
    let target = |file: &str, range: TextRange, origin: TextRange| Target {
        file: file.to_string(),
        range,
        origin,
    };
    match hit {
        Hit::Citation { cite, part, .. } => {
            let def = doc.scope.get(&cite.source.name);
            if part == CitePart::Source {
                return def
                    .map(|d| target(&d.declared.file, d.declared.range, cite.source.range))
                    .into_iter()
                    .collect();
            }
            let Some(r) = resolved(doc, cite) else {
                return Vec::new();
            };
            let origin = match part {
                CitePart::Lines => cite.lines.map_or(cite.range, |l| l.range),
                CitePart::Quote => cite.quote.as_ref().map_or(cite.range, |q| q.range),
                _ => cite.range,
            };
            let range = r.target.or(r.suggestion.as_ref().map(|s| s.range));
            match (&r.source_path, range) {
                (Some(file), Some(range)) => vec![target(file, range, origin)],
                (Some(file), None) => vec![target(file, TextRange::empty(0), origin)],
                _ => Vec::new(),
            }
        }
        Hit::SourceDeclId { id, .. } => {
            // A duplicate declaration leads to the one that counts; the one that counts, to
            // the file.
            let counting = doc.scope.get(&id.name);
            if let Some(d) =
                counting.filter(|d| d.declared.range != id.range || d.declared.file != doc.path)
            {
                return vec![target(&d.declared.file, d.declared.range, id.range)];
            }
            source_file(analysis, decl_def(doc, id.range))
                .map(|f| target(&f, TextRange::empty(0), id.range))
                .into_iter()
                .collect()
        }
        Hit::SourcePath { decl } => {
            let Some(id) = &decl.id else {
                return Vec::new();
            };
            let origin = decl.path.as_ref().map_or(decl.range, |p| p.range);
            source_file(analysis, decl_def(doc, id.range))
                .map(|f| target(&f, TextRange::empty(0), origin))
                .into_iter()
                .collect()
        }
        Hit::Ref { name, at } => claim_decl(doc, name)
            .map(|r| target(&doc.path, r, at))
            .into_iter()
            .collect(),
        Hit::ClaimId { id, .. } => vec![target(&doc.path, with_sigil(id), with_sigil(id))],
        _ => Vec::new(),
    }
}

/// The workspace-relative path of a source's file, when it can be loaded.
fn source_file(analysis: &Analysis, def: Option<&SourceDef>) -> Option<String> {
    let (path, _) = def?.path.as_ref()?;
    analysis
        .provider()
        .load(path)
        .ok()
        .map(|s| s.path().to_string())
}

/// The `#id` (with its `#`) of the first claim declaring `name`.
pub(crate) fn claim_decl(doc: &DocumentData, name: &str) -> Option<TextRange> {
    doc.parse
        .document
        .claims
        .iter()
        .filter_map(|c| c.id.as_ref())
        .find(|id| id.name == name)
        .map(with_sigil)
}

/// What a rename or reference search is about.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Symbol {
    /// A claim id of one document.
    Claim {
        /// The document.
        file: String,
        /// The id.
        name: String,
    },
    /// A source, identified by where it is declared.
    Source {
        /// The id.
        name: String,
        /// The declaration that counts.
        declared: Location,
    },
}

/// The symbol at `offset` and the range of its name there (without `#`).
pub(crate) fn symbol_at(
    analysis: &Analysis,
    path: &str,
    offset: usize,
) -> Option<(Symbol, TextRange)> {
    let doc = analysis.document(path)?;
    let claim = |name: &str| Symbol::Claim {
        file: path.to_string(),
        name: name.to_string(),
    };
    let source = |def: &SourceDef| Symbol::Source {
        name: def.id.clone(),
        declared: def.declared.clone(),
    };
    match hit_at(&doc.parse.document, offset)? {
        Hit::ClaimId { id, .. } => Some((claim(&id.name), id.range)),
        Hit::Ref { name, at } => Some((claim(name), TextRange::new(at.start() + 1, at.end()))),
        Hit::Citation {
            cite,
            part: CitePart::Source,
            ..
        } => {
            let def = doc.scope.get(&cite.source.name)?;
            Some((source(def), cite.source.range))
        }
        Hit::SourceDeclId { id, .. } => {
            let def = decl_def(doc, id.range)?;
            Some((source(def), id.range))
        }
        _ => None,
    }
}

/// Every occurrence of a symbol: `(file, range of the name, is the declaration)`.
pub(crate) fn occurrences(analysis: &Analysis, symbol: &Symbol) -> Vec<(String, TextRange, bool)> {
    let mut out = Vec::new();
    match symbol {
        Symbol::Claim { file, name } => {
            let Some(doc) = analysis.document(file) else {
                return out;
            };
            for c in &doc.parse.document.claims {
                if let Some(id) = c.id.as_ref().filter(|id| id.name == name) {
                    out.push((file.clone(), id.range, true));
                }
                for a in &c.attrs {
                    if let Some(t) = a.value.target()
                        && t.name == name
                        && matches!(a.key.name.as_str(), "supports" | "contradicts")
                    {
                        out.push((file.clone(), t.range, false));
                    }
                }
            }
        }
        Symbol::Source { name, declared } => {
            if declared.file == mica_check::CONFIG_FILE {
                out.push((declared.file.clone(), declared.range, true));
            }
            for doc in analysis.documents() {
                let counts = doc.scope.get(name).is_some_and(|d| &d.declared == declared);
                // Declarations of the same id in this document (the one that counts, and
                // duplicates that collide with it).
                for d in doc.scope.defs() {
                    if &d.id == name
                        && d.declared.file == doc.path
                        && (counts || &d.declared == declared)
                    {
                        out.push((doc.path.clone(), d.declared.range, true));
                    }
                }
                if !counts {
                    continue;
                }
                for c in &doc.parse.document.claims {
                    for cite in c.citations() {
                        if cite.source.name == name {
                            out.push((doc.path.clone(), cite.source.range, false));
                        }
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.0, a.1.start()).cmp(&(&b.0, b.1.start())));
    out.dedup();
    out
}

/// Every reference to the claim or source at `offset`, across the workspace, with the
/// declaration when `include_declaration` is set.
pub fn references(
    analysis: &Analysis,
    path: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((symbol, _)) = symbol_at(analysis, path, offset) else {
        return Vec::new();
    };
    occurrences(analysis, &symbol)
        .into_iter()
        .filter(|(_, _, decl)| include_declaration || !decl)
        .map(|(file, range, _)| Location { file, range })
        .collect()
}

/// An occurrence to highlight in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// Where.
    pub range: TextRange,
    /// Whether this is the declaration (a "write") rather than a use.
    pub declaration: bool,
}

/// Every occurrence in the document of the claim or source at `offset`.
pub fn highlights(analysis: &Analysis, path: &str, offset: usize) -> Vec<Highlight> {
    let Some((symbol, _)) = symbol_at(analysis, path, offset) else {
        return Vec::new();
    };
    occurrences(analysis, &symbol)
        .into_iter()
        .filter(|(file, _, _)| file == path)
        .map(|(_, range, declaration)| Highlight { range, declaration })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    /// The text each target selects, as `file:text`.
    #[track_caller]
    fn check_definition(text: &str, expected: &[&str]) {
        let f = fixture(text);
        let got: Vec<String> = definition(&f.analysis, &f.file, f.offset())
            .iter()
            .map(|t| {
                let file = f.analysis.file(&t.file).unwrap();
                format!("{}:{}", t.file, &file.text()[t.range.to_range()])
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn quote_leads_to_the_passage_in_the_source() {
        check_definition(
            r#"[x]{cite=art:"the CCP$0 invested more than $300 billion"}"#,
            &["article.txt:the CCP invested more than\n$300 billion"],
        );
        check_definition(
            r#"[x]{cite=art:L$03-4}"#,
            &[
                "article.txt:The target was 70 percent by 2025.\nChinese: 中国制造2025; pinyin follows.",
            ],
        );
        // A quote that was not found leads to the closest passage.
        check_definition(
            r#"[x]{cite=art:"signed by Premier Li Keqiang in$0 June 2015"}"#,
            &["article.txt:signed by Premier Li Keqiang in May 2015"],
        );
    }

    #[test]
    fn source_id_leads_to_its_declaration() {
        check_definition("[x]{cite=a$0rt}", &["mica.toml:art"]);
        check_definition(
            "//- /mica.toml\n//- /n.txt\nN\n//- /doc.mica\n@source n \"n.txt\"\n\n[x]{cite=$0n}\n",
            &["doc.mica:n"],
        );
        check_definition(
            "//- /mica.toml\n//- /n.txt\nN\n//- /doc.mica\n@source $0n \"n.txt\"\n\n[x]{cite=n}\n",
            &["n.txt:"],
        );
    }

    #[test]
    fn reference_leads_to_the_claim() {
        check_definition(
            "[a]{#one cite=art}\n\n[b]{supports=#on$0e cite=art}",
            &["doc.mica:#one"],
        );
        check_definition("[b]{supports=#no$0ne cite=art}", &[]);
    }

    fn refs(text: &str, decl: bool) -> Vec<String> {
        let f = fixture(text);
        references(&f.analysis, &f.file, f.offset(), decl)
            .iter()
            .map(|l| format!("{}:{}", l.file, l.range.start()))
            .collect()
    }

    #[test]
    fn references_of_a_workspace_source_span_documents() {
        let text = "//- /a.mica\n[x]{cite=art:L1} [y]{cite=a$0rt:L2}\n//- /b.mica\n[z]{cite=art}\n//- /c.mica\n@source art \"article.txt\"\n[w]{cite=art}\n";
        // c.mica redeclares `art` (a duplicate): its citation still resolves to mica.toml's,
        // the first declaration.
        let got = refs(text, true);
        assert!(got.contains(&"a.mica:9".to_string()), "{got:?}");
        assert!(got.contains(&"a.mica:26".to_string()), "{got:?}");
        assert!(got.contains(&"b.mica:9".to_string()), "{got:?}");
        assert!(got.iter().any(|g| g.starts_with("mica.toml:")), "{got:?}");
        assert!(got.iter().any(|g| g.starts_with("c.mica:")), "{got:?}");
        let without = refs(text, false);
        assert!(!without.iter().any(|g| g.starts_with("mica.toml:")));
    }

    #[test]
    fn references_of_a_document_source_stay_in_it() {
        let text = "//- /mica.toml\n//- /n.txt\nN\n//- /a.mica\n@source n$0 \"n.txt\"\n[x]{cite=n}\n//- /b.mica\n@source n \"n.txt\"\n[y]{cite=n}\n";
        assert_eq!(refs(text, true), ["a.mica:8", "a.mica:27"]);
    }

    #[test]
    fn highlights_of_a_claim_id() {
        let f = fixture(
            "[a]{#one cite=art}\n\n[b]{supports=#one cite=art} [c]{contradicts=#o$0ne cite=art}",
        );
        let h = highlights(&f.analysis, &f.file, f.offset());
        assert_eq!(h.len(), 3);
        assert!(h[0].declaration && !h[1].declaration && !h[2].declaration);
        for x in h {
            assert_eq!(&f.text()[x.range.to_range()], "one");
        }
    }
}
