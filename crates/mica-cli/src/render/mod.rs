//! Report renderers: human (ariadne snippets), JSON, SARIF 2.1.0 and GitHub workflow commands.
//! Lines and columns are computed here, at the edge, from byte ranges: 1-based lines and
//! 1-based columns counted in Unicode characters.

mod github;
mod human;
mod json;
mod sarif;

use crate::Format;
use crate::check::{Outcome, Positions};
use mica_check::Diagnostic;
use serde::Serialize;

/// Render the outcome in `format`.
pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(outcome, color),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Github => github::render(outcome),
    }
}

/// A 1-based position.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in Unicode characters.
    pub column: usize,
}

/// A 1-based range.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// Start.
    pub start: Pos,
    /// End (exclusive).
    pub end: Pos,
}

/// The range of a diagnostic's location, or of any location, in 1-based line/column terms.
pub fn range_of(outcome: &Outcome, positions: &mut Positions, loc: &mica_check::Location) -> Range {
    let ((l1, c1), (l2, c2)) = positions
        .of(outcome, &loc.file, loc.range)
        .unwrap_or(((1, 1), (1, 1)));
    Range {
        start: Pos {
            line: l1,
            column: c1,
        },
        end: Pos {
            line: l2,
            column: c2,
        },
    }
}

/// The one-line summary that ends the human report.
pub fn summary(outcome: &Outcome) -> String {
    let s = outcome.stats();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "Checked {}: {}, {}; {}, {}, {}.",
        plural(s.files, "file", "files"),
        plural(s.claims, "claim", "claims"),
        plural(s.citations, "citation", "citations"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos"),
    )
}

/// Every diagnostic of the outcome, in report order.
pub fn all(outcome: &Outcome) -> Vec<&Diagnostic> {
    outcome.diagnostics().collect()
}
