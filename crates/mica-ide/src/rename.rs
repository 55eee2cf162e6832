//! Rename: claim ids within their document, source ids across the workspace (their `@source`
//! line or `[sources.ID]` table in `mica.toml`, and every citation of them).

use crate::Analysis;
use crate::navigation::{Symbol, occurrences, symbol_at};
use mica_check::{CONFIG_FILE, Edit, Location};
use mica_syntax::{TextRange, is_ident};

/// The name under the cursor that a rename would change, and its current text; an error
/// in words when the cursor is on nothing that can be renamed.
pub fn prepare_rename(
    analysis: &Analysis,
    path: &str,
    offset: usize,
) -> Result<(TextRange, String), String> {
    match symbol_at(analysis, path, offset) {
        Some((Symbol::Claim { name, .. } | Symbol::Source { name, .. }, range)) => {
            Ok((range, name))
        }
        None => Err("only claim ids and source ids can be renamed".into()),
    }
}

/// The edits that rename the claim or source at `offset` to `new_name`.
pub fn rename(
    analysis: &Analysis,
    path: &str,
    offset: usize,
    new_name: &str,
) -> Result<Vec<Edit>, String> {
    let (symbol, _) = symbol_at(analysis, path, offset)
        .ok_or_else(|| "only claim ids and source ids can be renamed".to_string())?;
    let new_name = match &symbol {
        Symbol::Claim { .. } => new_name.strip_prefix('#').unwrap_or(new_name),
        Symbol::Source { .. } => new_name,
    };
    if !is_ident(new_name) {
        return Err(format!(
            "`{new_name}` is not an identifier: use letters, digits, `-` and `_`, starting with a \
             letter, a digit or `_`"
        ));
    }
    let occ = occurrences(analysis, &symbol);
    match &symbol {
        Symbol::Claim { file, name } => {
            if name == new_name {
                return Ok(Vec::new());
            }
            let doc = analysis.document(file).ok_or("the document is not open")?;
            let taken = doc
                .parse
                .document
                .claims
                .iter()
                .any(|c| c.id.as_ref().is_some_and(|i| i.name == new_name));
            if taken {
                return Err(format!(
                    "a claim `#{new_name}` already exists in this document"
                ));
            }
        }
        Symbol::Source { name, .. } => {
            if name == new_name {
                return Ok(Vec::new());
            }
            // Every document that sees the renamed source must not see another `new_name`.
            for doc in analysis.documents() {
                let affected = occ.iter().any(|(f, _, _)| f == &doc.path)
                    || occ.iter().any(|(f, _, _)| f == CONFIG_FILE);
                if affected && doc.scope.get(new_name).is_some() {
                    return Err(format!(
                        "source `{new_name}` is already declared for {}",
                        doc.path
                    ));
                }
            }
        }
    }
    Ok(occ
        .into_iter()
        .map(|(file, range, _)| {
            // A table key in mica.toml may be quoted.
            let quoted = file == CONFIG_FILE
                && analysis.file(&file).is_some_and(|f| {
                    f.text()
                        .get(range.to_range())
                        .is_some_and(|t| t.starts_with('"'))
                });
            let new_text = if quoted {
                format!("\"{new_name}\"")
            } else {
                new_name.to_string()
            };
            Edit {
                location: Location { file, range },
                new_text,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;
    use std::collections::BTreeMap;

    /// Rename at the cursor and return every changed file's new text.
    fn run(text: &str, new_name: &str) -> Result<BTreeMap<String, String>, String> {
        let f = fixture(text);
        let edits = rename(&f.analysis, &f.file, f.offset(), new_name)?;
        let mut by_file: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
        for e in edits {
            by_file.entry(e.location.file.clone()).or_default().push(e);
        }
        Ok(by_file
            .into_iter()
            .map(|(file, mut edits)| {
                let mut t = f.analysis.file(&file).unwrap().text().to_string();
                edits.sort_by_key(|e| std::cmp::Reverse(e.location.range.start()));
                for e in edits {
                    t.replace_range(e.location.range.to_range(), &e.new_text);
                }
                (file, t)
            })
            .collect())
    }

    #[test]
    fn claim_ids_rename_with_their_references() {
        let out = run(
            "[a]{#one cite=art}\n\n[b]{supports=#o$0ne contradicts=#one cite=art}",
            "#first",
        )
        .unwrap();
        assert_eq!(
            out["doc.mica"],
            "[a]{#first cite=art}\n\n[b]{supports=#first contradicts=#first cite=art}"
        );
        assert!(run("[a]{#o$0ne cite=art}\n\n[b]{#two cite=art}", "two").is_err());
        assert!(run("[a]{#o$0ne cite=art}", "no good").is_err());
    }

    #[test]
    fn workspace_sources_rename_in_mica_toml_and_every_document() {
        let text = "//- /mica.toml\n[sources.art]\npath = \"article.txt\"\n//- /article.txt\nA line.\n//- /a.mica\n[x]{cite=a$0rt:L1}\n//- /b.mica\n[y]{cite=art}\n";
        let out = run(text, "paper").unwrap();
        assert_eq!(
            out["mica.toml"],
            "[sources.paper]\npath = \"article.txt\"\n"
        );
        assert_eq!(out["a.mica"], "[x]{cite=paper:L1}\n");
        assert_eq!(out["b.mica"], "[y]{cite=paper}\n");
    }

    #[test]
    fn document_sources_rename_in_their_document_only() {
        let text = "//- /mica.toml\n//- /n.txt\nN\n//- /a.mica\n@source n \"n.txt\"\n[x]{cite=n$0}\n//- /b.mica\n@source n \"n.txt\"\n[y]{cite=n}\n";
        let out = run(text, "notes").unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out["a.mica"], "@source notes \"n.txt\"\n[x]{cite=notes}\n");
    }

    #[test]
    fn prepare_refuses_anything_else() {
        let f = fixture("[te$0xt]{#a cite=art}");
        assert!(prepare_rename(&f.analysis, &f.file, f.offset()).is_err());
        let f = fixture("[text]{#a$0 cite=art}");
        let (range, name) = prepare_rename(&f.analysis, &f.file, f.offset()).unwrap();
        assert_eq!(name, "a");
        assert_eq!(&f.text()[range.to_range()], "a");
    }

    #[test]
    fn renaming_onto_a_visible_source_is_refused() {
        let text = "//- /mica.toml\n[sources.art]\npath = \"article.txt\"\n//- /article.txt\nA\n//- /n.txt\nN\n//- /a.mica\n@source n \"n.txt\"\n[x]{cite=n$0 cite=art}\n";
        assert!(run(text, "art").unwrap_err().contains("already declared"));
    }
}
