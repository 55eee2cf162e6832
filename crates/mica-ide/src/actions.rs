//! Code actions: the checker's fixes for the diagnostics in a range, plus declaring a missing
//! source from a workspace file that fits the citation.

use crate::Analysis;
use crate::DocumentData;
use mica_check::{Code, Diagnostic, Edit, Location};
use mica_sources::{LineSpan, QuoteOutcome, QuoteQuery};
use mica_syntax::{Citation, TextRange, escape_string};

/// How many workspace files are searched for a missing source's quote.
const DECLARE_CANDIDATES: usize = 200;

/// A change the user may apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// What it does, as the editor lists it.
    pub title: String,
    /// The edits, by file.
    pub edits: Vec<Edit>,
    /// The diagnostic it fixes, if any.
    pub diagnostic: Option<Diagnostic>,
    /// Whether it is the obvious fix (an editor may apply it with one key).
    pub preferred: bool,
}

/// The actions for the diagnostics of the document at `path` that touch `range`.
pub fn code_actions(analysis: &Analysis, path: &str, range: TextRange) -> Vec<Action> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in doc.diagnostics() {
        let r = d.location.range;
        if r.end() < range.start() || range.end() < r.start() {
            continue;
        }
        if let Some(fix) = &d.fix {
            out.push(Action {
                title: fix.title.clone(),
                edits: fix.edits.clone(),
                diagnostic: Some(d.clone()),
                preferred: fix.safe,
            });
        }
        if d.code == Code::UnknownSource {
            out.extend(declare_source(analysis, doc, d));
        }
    }
    out
}

/// The citation whose source id is at `range`.
fn citation_at(doc: &DocumentData, range: TextRange) -> Option<&Citation> {
    doc.parse
        .document
        .claims
        .iter()
        .flat_map(|c| c.citations())
        .find(|c| c.source.range == range)
}

/// Declare a missing source from a workspace file that holds the citation's quote or whose
/// name holds the id; and when the quote is in a source already declared, cite that one.
fn declare_source(analysis: &Analysis, doc: &DocumentData, d: &Diagnostic) -> Vec<Action> {
    let Some(cite) = citation_at(doc, d.location.range) else {
        return Vec::new();
    };
    let id = &cite.source.name;
    let lines = cite.lines.map(|l| LineSpan {
        start: l.start as usize,
        end: l.end as usize,
    });
    let holds_quote = |path: &str| -> Option<bool> {
        let quote = cite.quote.as_ref()?;
        let src = analysis.provider().load(path).ok()?;
        let outcome = src.find_quote(QuoteQuery {
            quote: &quote.value,
            lines,
        });
        Some(matches!(
            outcome,
            QuoteOutcome::Found(_) | QuoteOutcome::OutsideLines(_)
        ))
    };
    let mut out = Vec::new();
    let declared: Vec<&str> = doc
        .scope
        .defs()
        .filter_map(|def| def.path.as_ref().map(|(p, _)| p.as_str()))
        .collect();
    // A declared source that holds the quote (the id is probably a slip).
    if cite.quote.is_some() {
        for def in doc.scope.defs() {
            let Some((path, _)) = &def.path else { continue };
            if holds_quote(path) == Some(true) && doc.scope.get(&def.id).is_some() {
                out.push(Action {
                    title: format!("Cite `{}` instead (the quote is in {path})", def.id),
                    edits: vec![edit(&doc.path, cite.source.range, &def.id)],
                    diagnostic: Some(d.clone()),
                    preferred: false,
                });
                break;
            }
        }
    }
    // Workspace files not declared yet: those in folders that hold sources first.
    let folders: Vec<&str> = declared
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    let mut files: Vec<String> = analysis
        .provider()
        .list_files()
        .into_iter()
        .filter(|f| !f.ends_with(".mica") && f != mica_check::CONFIG_FILE)
        .filter(|f| !declared.contains(&f.as_str()))
        .collect();
    files.sort_by_key(|f| {
        let dir = f.rsplit_once('/').map_or("", |(d, _)| d);
        !folders.contains(&dir)
    });
    let lower = id.to_lowercase();
    let mut fits: Vec<(bool, String)> = Vec::new();
    for f in files.into_iter().take(DECLARE_CANDIDATES) {
        let name = f.rsplit('/').next().unwrap_or(&f).to_lowercase();
        let by_quote = holds_quote(&f) == Some(true);
        let by_name = name.contains(lower.as_str());
        if by_quote || by_name {
            fits.push((by_quote, f));
        }
    }
    // Files holding the quote come first; a name alone is a weaker hint.
    fits.sort_by_key(|(q, _)| !q);
    if fits.iter().any(|(q, _)| *q) {
        fits.retain(|(q, _)| *q);
    }
    let at = declaration_point(doc);
    for (_, file) in fits.into_iter().take(3) {
        let line = format!("@source {id} \"{}\"\n", escape_string(&file));
        let new_text = if at.1 { format!("\n{line}") } else { line };
        out.push(Action {
            title: format!("Declare source `{id}` as \"{file}\""),
            edits: vec![edit(&doc.path, TextRange::empty(at.0), &new_text)],
            diagnostic: Some(d.clone()),
            preferred: false,
        });
    }
    out
}

fn edit(file: &str, range: TextRange, new_text: &str) -> Edit {
    Edit {
        location: Location {
            file: file.to_string(),
            range,
        },
        new_text: new_text.to_string(),
    }
}

/// Where a new `@source` line goes: after the last declaration, else after the front matter,
/// else at the top; and whether a line ending must come first.
fn declaration_point(doc: &DocumentData) -> (usize, bool) {
    let text = doc.text.as_str();
    let after_line = |end: usize| -> (usize, bool) {
        match text[end..].find(['\n', '\r']) {
            Some(i) => {
                let i = end + i;
                let len = if text[i..].starts_with("\r\n") { 2 } else { 1 };
                (i + len, false)
            }
            None => (text.len(), true),
        }
    };
    if let Some(last) = doc.parse.document.sources.last() {
        return after_line(last.range.end());
    }
    if let Some(fm) = &doc.parse.document.front_matter {
        return after_line(fm.range.end());
    }
    (0, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::fixture;

    /// The titles of the actions at the cursor, and the document after the first one.
    fn run(text: &str) -> (Vec<String>, Option<String>) {
        let f = fixture(text);
        let actions = code_actions(&f.analysis, &f.file, f.range);
        let titles = actions.iter().map(|a| a.title.clone()).collect();
        let applied = actions.first().map(|a| {
            let mut out = f.text().to_string();
            let mut edits = a.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.location.range.start()));
            for e in edits {
                assert_eq!(e.location.file, f.file);
                out.replace_range(e.location.range.to_range(), &e.new_text);
            }
            out
        });
        (titles, applied)
    }

    #[test]
    fn quote_not_found_is_replaced_by_the_closest_passage() {
        let (titles, applied) =
            run(r#"[x]{cite=art:"signed by Premier Li Keqiang in$0 June 2015"}"#);
        assert_eq!(
            titles,
            ["Replace the quote with the closest passage in the source"]
        );
        assert_eq!(
            applied.unwrap(),
            r#"[x]{cite=art:"signed by Premier Li Keqiang in May 2015"}"#
        );
    }

    #[test]
    fn tradecraft_fixes_that_change_the_judgement_are_not_preferred() {
        let f = fixture(r#"[It will almost$0 certainly go on.]{#a p=unlikely cite=art:L3}"#);
        let actions = code_actions(&f.analysis, &f.file, f.range);
        let titles: Vec<(&str, bool)> = actions
            .iter()
            .map(|a| (a.title.as_str(), a.preferred))
            .collect();
        assert_eq!(
            titles,
            [("Set `p=almost-certain` to match the text", false)]
        );
        let f = fixture(r#"[It will prob$0ably go on.]{#a cite=art:L3}"#);
        let actions = code_actions(&f.analysis, &f.file, f.range);
        let titles: Vec<(&str, bool)> = actions
            .iter()
            .map(|a| (a.title.as_str(), a.preferred))
            .collect();
        assert_eq!(titles, [("Add `p=likely`", true)]);
    }

    #[test]
    fn ambiguous_quote_gets_a_line_locator() {
        let (titles, applied) = run(r#"[x]{cite=art:"The target$0 was 70 percent"}"#);
        assert_eq!(titles, ["Add the line locator `L3`"]);
        assert_eq!(
            applied.unwrap(),
            r#"[x]{cite=art:L3:"The target was 70 percent"}"#
        );
    }

    #[test]
    fn unknown_attribute_is_renamed_or_removed() {
        let (titles, applied) = run("[x]{cite=art confidnce$0=high}");
        assert_eq!(titles, ["Rename `confidnce` to `conf`"]);
        assert_eq!(applied.unwrap(), "[x]{cite=art conf=high}");
        let (titles, applied) = run("[x]{cite=art zebra$0=1}");
        assert_eq!(titles, ["Remove `zebra=...`"]);
        assert_eq!(applied.unwrap(), "[x]{cite=art}");
    }

    #[test]
    fn missing_source_is_declared_from_a_file_holding_the_quote() {
        let text = "//- /mica.toml\n//- /seeds/a.txt\nAlpha text here.\n//- /seeds/b.txt\nThe quoted passage is here.\n//- /doc.mica\n---\ntitle: T\n---\n\n[x]{cite=bee$0:\"quoted passage\"}\n";
        let (titles, applied) = run(text);
        assert_eq!(titles, ["Declare source `bee` as \"seeds/b.txt\""]);
        assert_eq!(
            applied.unwrap(),
            "---\ntitle: T\n---\n@source bee \"seeds/b.txt\"\n\n[x]{cite=bee:\"quoted passage\"}\n"
        );
    }

    #[test]
    fn missing_source_by_file_name_and_slip_of_id() {
        let text = "//- /mica.toml\n//- /seeds/merics.txt\nM\n//- /doc.mica\n@source a \"seeds/a.txt\"\n[x]{cite=merics$0:L1}\n//- /seeds/a.txt\nA\n";
        let (titles, applied) = run(text);
        assert_eq!(titles, ["Declare source `merics` as \"seeds/merics.txt\""]);
        assert_eq!(
            applied.unwrap(),
            "@source a \"seeds/a.txt\"\n@source merics \"seeds/merics.txt\"\n[x]{cite=merics:L1}\n"
        );
        let (titles, _) = run("[x]{cite=zzz$0:\"The plan was signed\"}");
        assert_eq!(titles, ["Cite `art` instead (the quote is in article.txt)"]);
    }

    #[test]
    fn no_action_away_from_diagnostics() {
        assert!(
            run("[x]{cite=art:L1}$0\n\n[y]{cite=art zebra=1}")
                .0
                .is_empty()
        );
    }
}
