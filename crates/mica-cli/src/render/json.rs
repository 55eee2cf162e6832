//! The JSON report: one object with counts and the diagnostics, positions 1-based.

use super::{Range, escape, range_of};
use crate::check::{Outcome, Positions, relative_from, total};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: usize,
    claims: usize,
    citations: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unchecked: Vec<JsonUnchecked<'a>>,
}

#[derive(Serialize)]
struct JsonUnchecked<'a> {
    path: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    path: String,
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    path: String,
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    safe: bool,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    file: &'a str,
    range: Range,
    new_text: &'a str,
}

/// Render the JSON report (pretty-printed, with a final newline). `file` is relative to the
/// workspace root, `path` to the current folder.
pub fn render(outcomes: &[Outcome]) -> String {
    let stats = total(outcomes);
    let mut diagnostics = Vec::new();
    for outcome in outcomes {
        let mut positions = Positions::default();
        for d in outcome.diagnostics() {
            diagnostics.push(JsonDiagnostic {
                file: &d.location.file,
                path: outcome.shown(&d.location.file),
                code: d.code.name(),
                severity: d.severity.as_str(),
                message: &d.message,
                range: range_of(outcome, &mut positions, &d.location),
                suggestion: d.suggestion.as_deref(),
                related: d
                    .labels
                    .iter()
                    .map(|l| JsonLabel {
                        file: &l.location.file,
                        path: outcome.shown(&l.location.file),
                        range: range_of(outcome, &mut positions, &l.location),
                        message: &l.message,
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    title: &f.title,
                    safe: f.safe,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            file: &e.location.file,
                            range: range_of(outcome, &mut positions, &e.location),
                            new_text: &e.new_text,
                        })
                        .collect(),
                }),
            });
        }
    }
    let unchecked = outcomes
        .iter()
        .flat_map(|o| {
            o.unchecked.iter().map(|u| JsonUnchecked {
                path: relative_from(&o.cwd, &u.path),
                reason: &u.reason,
            })
        })
        .collect();
    let report = Report {
        version: 1,
        files: stats.files,
        claims: stats.claims,
        citations: stats.citations,
        errors: stats.errors,
        warnings: stats.warnings,
        infos: stats.infos,
        diagnostics,
        unchecked,
    };
    let mut out =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    escape::json(out)
}
