//! SARIF 2.1.0 for GitHub code scanning: one run, the rule table from the code registry, one
//! result per diagnostic with its region and related locations.

use super::{Range, escape, range_of};
use crate::check::{Outcome, Positions, relative_from};
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

/// Percent-encode a path for a URI, keeping `/` and the unreserved characters.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An artifact location: relative to `%SRCROOT%` (the current folder, so `../` for a file
/// above it), or an absolute `file:` URI when there is no relative path.
fn artifact(shown: &str) -> Value {
    if shown.starts_with('/') {
        json!({ "uri": format!("file://{}", encode_path(shown)) })
    } else {
        json!({ "uri": encode_path(shown), "uriBaseId": "%SRCROOT%" })
    }
}

fn location(shown: &str, r: Range) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": artifact(shown),
            "region": region(r),
        }
    })
}

/// FNV-1a: a small hash that is stable across runs and toolchains, for fingerprints.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
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

/// Render the SARIF log: one run over every workspace checked.
pub fn render(outcomes: &[Outcome]) -> String {
    let docs_url = outcomes.iter().find_map(|o| o.config.docs_url.clone());
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&c| {
            let mut rule = json!({
                "id": c.name(),
                "name": pascal(c),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "help": {
                    "text": format!("{} The Mica diagnostics reference describes `{}` with an example and the fix.", c.summary(), c.name()),
                    "markdown": format!("{} The Mica diagnostics reference describes `{}` with an example and the fix.", c.summary(), c.name()),
                },
                "defaultConfiguration": { "level": level(c.default_severity()) },
                "properties": { "tags": ["mica"] },
            });
            if let Some(url) = &docs_url {
                rule["helpUri"] = json!(format!("{}#{}", url.trim_end_matches('/'), c.name()));
            }
            rule
        })
        .collect();
    let mut results: Vec<Value> = Vec::new();
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for outcome in outcomes {
        let mut positions = Positions::default();
        for d in outcome.diagnostics() {
            let shown = outcome.shown(&d.location.file);
            let r = range_of(outcome, &mut positions, &d.location);
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let lr = range_of(outcome, &mut positions, &l.location);
                    let mut loc = location(&outcome.shown(&l.location.file), lr);
                    loc["id"] = json!(i);
                    loc["message"] = json!({ "text": l.message });
                    loc
                })
                .collect();
            // The fingerprint names what is flagged, not where: the code, the file and the
            // flagged text, with a counter for repeats, so that alerts survive unrelated edits
            // and two identical problems stay two alerts.
            let snippet = positions
                .slice(outcome, &d.location.file, d.location.range)
                .unwrap_or_default();
            let key = fnv1a(&format!("{}\u{0}{shown}\u{0}{snippet}", d.code));
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code.name(),
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [location(&shown, r)],
                "partialFingerprints": { "micaFlagged/v1": format!("{key:016x}:{n}") },
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
                            "artifactLocation": artifact(&outcome.shown(&e.location.file)),
                            "replacements": [{
                                "deletedRegion": region(er),
                                "insertedContent": { "text": e.new_text },
                            }],
                        })
                    })
                    .collect();
                result["fixes"] =
                    json!([{ "description": { "text": fix.title }, "artifactChanges": changes }]);
            }
            results.push(result);
        }
    }
    let notifications: Vec<Value> = outcomes
        .iter()
        .flat_map(|o| {
            o.unchecked.iter().map(|u| {
                json!({
                    "level": "error",
                    "message": { "text": u.reason },
                    "locations": [{ "physicalLocation": {
                        "artifactLocation": artifact(&relative_from(&o.cwd, &u.path)),
                    } }],
                })
            })
        })
        .collect();
    let cwd = outcomes
        .first()
        .map(|o| o.cwd.display().to_string())
        .unwrap_or_default();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "mica", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": format!("file://{}/", encode_path(cwd.trim_end_matches('/'))) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    escape::json(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(
            encode_path("my briefs/brief #1 ü.mica"),
            "my%20briefs/brief%20%231%20%C3%BC.mica"
        );
        assert_eq!(artifact("/abs/a b")["uri"], "file:///abs/a%20b");
        assert_eq!(artifact("rel/a")["uriBaseId"], "%SRCROOT%");
    }
}
