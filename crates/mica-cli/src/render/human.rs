//! The human report: an ariadne snippet per diagnostic with the line underlined and the code
//! in brackets, notes for places in other files (the closest passage in a source, with its
//! file:line), and a summary line.

use super::escape::{self, Snippet};
use super::{range_of, summary};
use crate::check::{Outcome, Positions};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use mica_check::{Diagnostic, Severity};
use mica_syntax::{LineIndex, TextRange};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;

/// Lines longer than this are not printed as snippets (a minified or generated file would
/// flood the terminal); the diagnostic is printed without a snippet instead.
const MAX_SNIPPET_LINE: usize = 400;

fn kind(s: Severity) -> (ReportKind<'static>, Color) {
    match s {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
        Severity::Info => (ReportKind::Advice, Color::Cyan),
    }
}

/// A file's text prepared once for every diagnostic in it. Nothing here copies the text
/// unless it needs escaping or has lines no snippet shows: the snippet borrows it from the
/// outcome (a checked document) or from the one read of a source.
struct Prepared<'a> {
    /// The map from the text's offsets into the escaped one.
    snippet: &'a Snippet<'a>,
    /// What ariadne is given of the escaped text.
    shown: &'a Shown<'a>,
    /// Ariadne's index of it.
    source: Source<&'a str>,
}

/// The escaped text of a file with the content of every long line that no snippet shows
/// replaced by a space, its line breaks kept, so that every line keeps its number. Ariadne
/// indexes the text it is given character by character, which on a large brief of long
/// paragraphs cost more than the rest of the report, for lines it never prints.
struct Shown<'a> {
    text: Cow<'a, str>,
    /// `(escaped offset where a line's content was taken out, bytes taken out up to and
    /// including it)`, in order.
    cuts: Vec<(usize, usize)>,
}

impl<'a> Shown<'a> {
    /// The escaped text of `snippet` without the content of the lines of `text` (indexed by
    /// `lines`) longer than [`MAX_SNIPPET_LINE`] that `shown` (sorted line numbers) leaves
    /// out.
    fn new(text: &str, lines: &LineIndex, snippet: &'a Snippet<'a>, shown: &[usize]) -> Self {
        let escaped = &*snippet.text;
        let mut cuts = Vec::new();
        let mut out = String::new();
        let (mut copied, mut total) = (0, 0);
        for line in 0..lines.line_count() {
            let Some(content) = lines.line_content_range(text, line) else {
                break;
            };
            if content.len() <= MAX_SNIPPET_LINE || shown.binary_search(&line).is_ok() {
                continue;
            }
            // One space stays: an empty line between a lone CR and an LF would read as one
            // CRLF line break, and every line after it would be numbered one too low.
            let (from, to) = (snippet.map(content.start()), snippet.map(content.end()));
            out.push_str(&escaped[copied..from]);
            out.push(' ');
            copied = to;
            total += to - from - 1;
            cuts.push((from, total));
        }
        if cuts.is_empty() {
            return Shown {
                text: Cow::Borrowed(escaped),
                cuts,
            };
        }
        out.push_str(&escaped[copied..]);
        Shown {
            text: Cow::Owned(out),
            cuts,
        }
    }

    /// Where an offset of the escaped text, on a line kept whole, is in the text shown.
    fn map(&self, offset: usize) -> usize {
        let k = self.cuts.partition_point(|&(at, _)| at <= offset);
        offset - k.checked_sub(1).map_or(0, |k| self.cuts[k].1)
    }
}

/// Render every diagnostic and the summary.
pub fn render(outcomes: &[Outcome], color: bool) -> String {
    let mut out = Vec::new();
    for outcome in outcomes {
        let mut positions = Positions::default();
        // Every file a diagnostic is in: its text, then its snippet, then ariadne's source,
        // each borrowing the one before.
        let mut names: Vec<&str> = outcome
            .diagnostics()
            .map(|d| d.location.file.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let texts: Vec<Cow<'_, str>> = names
            .iter()
            .map(|f| outcome.text_of(f).unwrap_or_default())
            .collect();
        let snippets: Vec<Snippet<'_>> = texts.iter().map(|t| Snippet::new(t)).collect();
        let indexes: Vec<Cow<'_, LineIndex>> = (names.iter().zip(&texts))
            .map(|(name, text)| match outcome.document_lines(name) {
                Some(lines) => Cow::Borrowed(lines),
                None => Cow::Owned(LineIndex::new(text)),
            })
            .collect();
        // The lines each diagnostic's snippet prints (`None`: it gets none), and so the lines
        // each file's snippets print, from one pass over the diagnostics.
        let mut printed: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        let spans: Vec<Option<std::ops::RangeInclusive<usize>>> = outcome
            .diagnostics()
            .map(|d| {
                let i = names.binary_search(&d.location.file.as_str()).ok()?;
                let span = snippet_lines(&texts[i], &indexes[i], d.location.range)?;
                printed[i].extend(span.clone());
                Some(span)
            })
            .collect();
        let shown: Vec<Shown<'_>> = (texts.iter().zip(&indexes).zip(&snippets).zip(printed))
            .map(|(((text, lines), snippet), mut printed)| {
                printed.sort_unstable();
                printed.dedup();
                Shown::new(text, lines, snippet, &printed)
            })
            .collect();
        let files: HashMap<&str, Prepared<'_>> = (names.iter().zip(&snippets).zip(&shown))
            .map(|((name, snippet), shown)| {
                let prepared = Prepared {
                    snippet,
                    shown,
                    source: Source::from(&*shown.text),
                };
                (*name, prepared)
            })
            .collect();
        // The places each diagnostic names are found in order, reading each source once;
        // then ariadne draws the snippets on the pool, each into its own buffer, and the
        // buffers are joined in order: on a large brief it is most of the report's time.
        let placed: Vec<Placed<'_>> = (outcome.diagnostics().zip(&spans))
            .map(|(d, span)| {
                let prepared = &files[d.location.file.as_str()];
                let header = span
                    .is_none()
                    .then(|| range_of(outcome, &mut positions, &d.location));
                Placed {
                    d,
                    prepared,
                    notes: notes(outcome, &mut positions, d),
                    header,
                }
            })
            .collect();
        let drawn: Vec<Vec<u8>> = placed
            .par_chunks(64)
            .map(|chunk| {
                let mut out = Vec::new();
                for p in chunk {
                    render_one(outcome, p, color, &mut out);
                }
                out
            })
            .collect();
        for d in drawn {
            out.extend(d);
        }
    }
    let mut s = String::from_utf8_lossy(&out).into_owned();
    for outcome in outcomes {
        for u in &outcome.unchecked {
            s.push_str(&format!(
                "[not-checked] Error: {}: {}\n",
                escape::line(&crate::check::relative_from(&outcome.cwd, &u.path)),
                escape::line(&u.reason)
            ));
        }
    }
    s.push_str(&summary(outcomes));
    s.push('\n');
    s
}

fn notes<'a>(outcome: &'a Outcome, positions: &mut Positions<'a>, d: &Diagnostic) -> Vec<String> {
    let mut notes = Vec::new();
    // Every secondary place becomes a note with its file:line:column: one snippet per
    // diagnostic reads better than several out of order.
    for l in &d.labels {
        {
            let r = range_of(outcome, positions, &l.location);
            notes.push(format!(
                "{}: {}:{}:{}",
                escape::line(&l.message),
                escape::line(&outcome.shown(&l.location.file)),
                r.start.line,
                r.start.column
            ));
        }
    }
    if let Some(fix) = &d.fix {
        let kind = if fix.safe { "fix" } else { "unsafe fix" };
        notes.push(format!("{kind}: {}", escape::line(&fix.title)));
    }
    notes
}

/// The lines a snippet of `range` shows, or `None` when it gets no snippet: its first line
/// is too long to print (a minified or generated file would flood the terminal), or the file
/// is empty.
fn snippet_lines(
    text: &str,
    lines: &LineIndex,
    range: TextRange,
) -> Option<std::ops::RangeInclusive<usize>> {
    let first = lines.line_of(range.start());
    let len = lines.line_content_range(text, first).map_or(0, |r| r.len());
    (len <= MAX_SNIPPET_LINE && !text.is_empty()).then(|| first..=lines.line_of(range.end()))
}

/// A few words under the flagged text; the header carries the full message.
fn underline(d: &Diagnostic) -> &'static str {
    use mica_check::Code::*;
    match d.code {
        SyntaxError => "here",
        UnknownSource => "unknown source",
        SourceUnreadable => "cannot be read",
        SourceOutsideRoot => "outside the workspace",
        QuoteNotFound => "not in the source",
        LineOutOfRange => "past the end of the source",
        QuoteOutsideLines => "not within these lines",
        DuplicateId => "declared again here",
        UnknownClaim => "no such claim",
        InvalidValue => "invalid value",
        UncitedClaim => "no citation",
        UnusedSource => "never cited",
        UnknownAttribute => "unknown attribute",
        AmbiguousQuote => "occurs more than once",
        LikelihoodMismatch => "disagrees with p=",
        UnstatedLikelihood => "no p= for this",
        UnsupportedFigure => "not in the cited passages",
        OverconfidentClaim => "no source graded well enough",
        IncoherentLikelihood => "both cannot hold",
        ElidedNegation => "skips a negation",
        CircularSupport => "circular",
    }
}

/// A diagnostic with what its report needs from other files, found before the reports are
/// drawn in parallel.
struct Placed<'a> {
    d: &'a Diagnostic,
    prepared: &'a Prepared<'a>,
    notes: Vec<String>,
    /// Where the diagnostic is, for one printed without a snippet.
    header: Option<super::Range>,
}

fn render_one(outcome: &Outcome, placed: &Placed<'_>, color: bool, out: &mut Vec<u8>) {
    let Placed {
        d, prepared: file, ..
    } = placed;
    let notes = placed.notes.iter().cloned();
    let shown = escape::line(&outcome.shown(&d.location.file)).into_owned();
    let message = escape::line(&d.message);
    let range = d.location.range;
    let (kind, colour) = kind(d.severity);
    if let Some(r) = &placed.header {
        // The same header as ariadne's, then the location and notes without a snippet.
        out.extend(format!("[{}] {kind}: {message}\n", d.code).as_bytes());
        out.extend(format!("   ╭─[ {shown}:{}:{} ]\n", r.start.line, r.start.column).as_bytes());
        for n in notes {
            out.extend(format!("   │ {n}\n").as_bytes());
        }
        out.extend("───╯\n".as_bytes());
        return;
    }
    let at = |offset| file.shown.map(file.snippet.map(offset));
    let range = at(range.start())..at(range.end());
    let mut report = Report::build(kind, (shown.clone(), range.clone()))
        .with_config(
            Config::default()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(d.code)
        .with_message(&message)
        .with_label(
            Label::new((shown.clone(), range))
                .with_message(underline(d))
                .with_color(colour),
        );
    for n in notes {
        report = report.with_note(n);
    }
    if report
        .finish()
        .write((shown.clone(), &file.source), &mut *out)
        .is_err()
    {
        out.extend(format!("[{}] {kind}: {message} ({shown})\n", d.code).as_bytes());
    }
}
