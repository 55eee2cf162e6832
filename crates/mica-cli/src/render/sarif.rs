//! SARIF 2.1.0 for GitHub code scanning: one run, the rule table from the code registry, one
//! result per diagnostic with its region and related locations. Results are typed structs
//! that borrow the diagnostics' text, so a report of many diagnostics costs about its own size
//! in memory, not a tree of JSON values per result.

use super::{Range, escape, range_of};
use crate::check::{Outcome, Positions, relative_from};
use mica_check::{Code, Severity};
use serde::Serialize;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A region, 1-based, columns in Unicode code points.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn region(r: Range) -> Region {
    Region {
        start_line: r.start.line,
        start_column: r.start.column,
        end_line: r.end.line,
        end_column: r.end.column,
    }
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

#[derive(Serialize)]
struct Artifact {
    uri: String,
    #[serde(rename = "uriBaseId", skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// An artifact location: relative to `%SRCROOT%` (the current folder, so `../` for a file
/// above it), or an absolute `file:` URI when there is no relative path.
fn artifact(shown: &str) -> Artifact {
    if shown.starts_with('/') {
        Artifact {
            uri: format!("file://{}", encode_path(shown)),
            uri_base_id: None,
        }
    } else {
        Artifact {
            uri: encode_path(shown),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

fn location<'a>(shown: &str, r: Range) -> SarifLocation<'a> {
    SarifLocation {
        id: None,
        physical_location: Physical {
            artifact_location: artifact(shown),
            region: Some(region(r)),
        },
        message: None,
    }
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "micaFlagged/v1")]
    flagged: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: Artifact,
    replacements: [Replacement<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

/// One result, typed and borrowing the diagnostic's text: a report of many diagnostics holds
/// a few hundred bytes per result, not a tree of JSON values.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [SarifLocation<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

/// The run, with the small parts as JSON values and the results typed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    original_uri_base_ids: Value,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    invocations: Value,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
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
    let mut results: Vec<SarifResult<'_>> = Vec::new();
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for outcome in outcomes {
        let mut positions = Positions::default();
        for d in outcome.diagnostics() {
            let shown = outcome.shown(&d.location.file);
            let r = range_of(outcome, &mut positions, &d.location);
            let related = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let lr = range_of(outcome, &mut positions, &l.location);
                    let mut loc = location(&outcome.shown(&l.location.file), lr);
                    loc.id = Some(i);
                    loc.message = Some(Text { text: &l.message });
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
            let fixes = d
                .fix
                .iter()
                .map(|fix| SarifFix {
                    description: Text { text: &fix.title },
                    artifact_changes: fix
                        .edits
                        .iter()
                        .map(|e| ArtifactChange {
                            artifact_location: artifact(&outcome.shown(&e.location.file)),
                            replacements: [Replacement {
                                deleted_region: region(range_of(
                                    outcome,
                                    &mut positions,
                                    &e.location,
                                )),
                                inserted_content: Text { text: &e.new_text },
                            }],
                        })
                        .collect(),
                })
                .collect();
            results.push(SarifResult {
                rule_id: d.code.name(),
                rule_index: Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                level: level(d.severity),
                message: Text { text: &d.message },
                locations: [location(&shown, r)],
                partial_fingerprints: Fingerprints {
                    flagged: format!("{key:016x}:{n}"),
                },
                related_locations: related,
                fixes,
            });
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
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({ "driver": { "name": "mica", "version": env!("CARGO_PKG_VERSION"), "rules": rules } }),
            original_uri_base_ids: json!({ "%SRCROOT%": { "uri": format!("file://{}/", encode_path(cwd.trim_end_matches('/'))) } }),
            column_kind: "unicodeCodePoints",
            results,
            invocations: json!([{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }]),
        }],
    };
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
        assert_eq!(artifact("/abs/a b").uri, "file:///abs/a%20b");
        assert_eq!(artifact("rel/a").uri_base_id, Some("%SRCROOT%"));
    }
}
