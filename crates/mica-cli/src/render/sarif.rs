//! SARIF 2.1.0 for GitHub code scanning: one run, the rule table from the code registry, one
//! result per diagnostic with its region and related locations.

use super::{Range, all, range_of};
use crate::check::{Outcome, Positions};
use mica_check::{Code, Severity};
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(r: Range) -> Value {
    json!({
        "startLine": r.start.line,
        "startColumn": r.start.column,
        "endLine": r.end.line,
        "endColumn": r.end.column,
    })
}

fn location(file: &str, r: Range) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
            "region": region(r),
        }
    })
}

/// The rule's name in SARIF's PascalCase style (`quote-not-found` → `QuoteNotFound`).
fn pascal(code: Code) -> String {
    code.name()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Render the SARIF log.
pub fn render(outcome: &Outcome) -> String {
    let mut positions = Positions::default();
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&c| {
            json!({
                "id": c.name(),
                "name": pascal(c),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "help": {
                    "text": format!("{} See spec/diagnostics.md#{}.", c.summary(), c.name()),
                    "markdown": format!("{} See [`{}`](spec/diagnostics.md#{}) in the Mica diagnostics reference.", c.summary(), c.name(), c.name()),
                },
                "defaultConfiguration": { "level": level(c.default_severity()) },
                "properties": { "tags": ["mica"] },
            })
        })
        .collect();
    let results: Vec<Value> = all(outcome)
        .into_iter()
        .map(|d| {
            let r = range_of(outcome, &mut positions, &d.location);
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let lr = range_of(outcome, &mut positions, &l.location);
                    let mut loc = location(&l.location.file, lr);
                    loc["id"] = json!(i);
                    loc["message"] = json!({ "text": l.message });
                    loc
                })
                .collect();
            let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [location(&d.location.file, r)],
                "partialFingerprints": {
                    "micaCode/v1": format!("{}:{}:{}", d.code, d.location.file, d.message),
                },
            });
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            if let Some(fix) = &d.fix {
                let changes: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let er = range_of(outcome, &mut positions, &e.location);
                        json!({
                            "artifactLocation": { "uri": e.location.file, "uriBaseId": "%SRCROOT%" },
                            "replacements": [{
                                "deletedRegion": region(er),
                                "insertedContent": { "text": e.new_text },
                            }],
                        })
                    })
                    .collect();
                result["fixes"] = json!([{ "description": { "text": fix.title }, "artifactChanges": changes }]);
            }
            result
        })
        .collect();
    let root_uri = format!("file://{}/", outcome.root.display());
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mica",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/mica-lang/mica",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
