//! The human report: an ariadne snippet per diagnostic with the line underlined and the code
//! in brackets, notes for places in other files (the closest passage in a source, with its
//! file:line), and a summary line.

use super::{range_of, summary};
use crate::check::{Outcome, Positions};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use mica_check::{Diagnostic, Severity};

/// Lines longer than this are not printed as snippets (a minified or generated file would
/// flood the terminal); the diagnostic is printed as plain lines instead.
const MAX_SNIPPET_LINE: usize = 400;

fn kind(s: Severity) -> (ReportKind<'static>, Color) {
    match s {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
        Severity::Info => (ReportKind::Advice, Color::Cyan),
    }
}

/// Render every diagnostic and the summary.
pub fn render(outcome: &Outcome, color: bool) -> String {
    let mut positions = Positions::default();
    let mut out = Vec::new();
    for d in outcome.diagnostics() {
        let text = outcome.text_of(&d.location.file).unwrap_or_default();
        render_one(outcome, &mut positions, d, &text, color, &mut out);
    }
    let mut s = String::from_utf8_lossy(&out).into_owned();
    s.push_str(&summary(outcome));
    s.push('\n');
    s
}

fn notes(outcome: &Outcome, positions: &mut Positions, d: &Diagnostic) -> Vec<String> {
    let mut notes = Vec::new();
    for l in &d.labels {
        if l.location.file != d.location.file {
            let r = range_of(outcome, positions, &l.location);
            notes.push(format!(
                "{}: {}:{}:{}",
                l.message, l.location.file, r.start.line, r.start.column
            ));
        }
    }
    if let Some(fix) = &d.fix {
        notes.push(format!("fix: {}", fix.title));
    }
    notes
}

fn render_one(
    outcome: &Outcome,
    positions: &mut Positions,
    d: &Diagnostic,
    text: &str,
    color: bool,
    out: &mut Vec<u8>,
) {
    let file = d.location.file.clone();
    let range = d.location.range;
    let line_len = {
        let start = text[..range.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = text[range.start.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| range.start + i);
        text.get(start..end).map_or(0, |l| l.chars().count())
    };
    let notes = notes(outcome, positions, d);
    if line_len > MAX_SNIPPET_LINE || text.is_empty() {
        let r = range_of(outcome, positions, &d.location);
        out.extend(
            format!(
                "{}[{}]: {}\n  --> {}:{}:{}\n",
                d.severity, d.code, d.message, file, r.start.line, r.start.column
            )
            .as_bytes(),
        );
        for n in notes {
            out.extend(format!("  = {n}\n").as_bytes());
        }
        out.push(b'\n');
        return;
    }
    let (kind, colour) = kind(d.severity);
    let mut report = Report::build(kind, (file.clone(), range.to_range()))
        .with_config(
            Config::default()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(d.code)
        .with_message(&d.message)
        .with_label(
            Label::new((file.clone(), range.to_range()))
                .with_message(d.code.summary())
                .with_color(colour),
        );
    for l in &d.labels {
        if l.location.file == file {
            report = report.with_label(
                Label::new((file.clone(), l.location.range.to_range()))
                    .with_message(&l.message)
                    .with_color(Color::Blue),
            );
        }
    }
    for n in notes {
        report = report.with_note(n);
    }
    let cache = (file.clone(), Source::from(text.to_string()));
    if report.finish().write(cache, &mut *out).is_err() {
        out.extend(format!("{}[{}]: {} ({file})\n", d.severity, d.code, d.message).as_bytes());
    }
}
