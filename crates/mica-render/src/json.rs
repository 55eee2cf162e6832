//! The JSON report, for review bots and other tools. Its shape is versioned (`"version": 1`)
//! and documented in the README; fields are added, never changed, within a version.

use crate::model::Report;
use serde_json::{Value, json};

/// The version of the JSON shape.
pub const VERSION: u32 = 1;

/// The report as a JSON value.
pub fn value(report: &Report) -> Value {
    let claims: Vec<Value> = report
        .claims
        .iter()
        .map(|c| {
            let citations: Vec<Value> = c
                .citations
                .iter()
                .map(|x| {
                    json!({
                        "note": x.note,
                        "source": x.source,
                        "quote": x.quote,
                        "lines": x.lines.map(|(a, b)| [a, b]),
                        "line": x.line,
                        "end_line": x.end_line,
                        "range": x.range.map(|r| [r.start(), r.end()]),
                        "verified": x.verified,
                        "context": x.context.as_ref().map(|p| p.plain()),
                    })
                })
                .collect();
            json!({
                "id": c.id,
                "anchor": c.anchor,
                "line": c.line,
                "text": c.text,
                "conf": c.conf,
                "p": c.p,
                "tags": c.tags,
                "supports": c.supports,
                "contradicts": c.contradicts,
                "note": c.note,
                "citations": citations,
            })
        })
        .collect();
    let sources: Vec<Value> = report
        .sources
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "path": s.path,
                "title": s.title,
                "url": s.url,
                "date": s.date,
                "reliability": s.reliability,
                "declared_in": s.declared_in,
                "citations": s.citations,
                "cited_by": s.cited_by.iter().map(|&i| report.claims[i].anchor.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.code.name(),
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "claim": d.claim.map(|i| report.claims[i].anchor.clone()),
            })
        })
        .collect();
    let meta: serde_json::Map<String, Value> = report
        .meta
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "version": VERSION,
        "file": report.path,
        "title": report.title(),
        "meta": meta,
        "claims": claims,
        "sources": sources,
        "diagnostics": diagnostics,
    })
}

/// The report as pretty-printed JSON text.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&value(report)).unwrap_or_default();
    s.push('\n');
    s
}
