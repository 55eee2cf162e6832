//! Report renderers: human (ariadne snippets), JSON, SARIF 2.1.0 and GitHub workflow commands.
//! Lines and columns are computed here, at the edge, from byte ranges: 1-based lines and
//! 1-based columns counted in Unicode characters. Paths are shown relative to the current
//! folder (JSON also gives them relative to the workspace root).

mod escape;
mod github;
mod human;
mod json;
mod sarif;

use crate::Format;
use crate::check::{Outcome, Positions, total};
use serde::Serialize;

/// One line of text escaped for a terminal or a log (for messages on stderr).
pub fn escape_line(s: &str) -> String {
    escape::line(s).into_owned()
}

/// Text of many lines escaped for a terminal, line endings kept (for a diff shown on one).
pub fn escape_lines(s: &str) -> String {
    escape::lines(s).into_owned()
}

/// Render the outcomes of every workspace checked in `format`.
pub fn render(outcomes: &[Outcome], format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(outcomes, color),
        Format::Json => json::render(outcomes),
        Format::Sarif => sarif::render(outcomes),
        Format::Github => github::render(outcomes),
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

/// The range of a location in 1-based line/column terms.
pub fn range_of<'a>(
    outcome: &'a Outcome,
    positions: &mut Positions<'a>,
    loc: &mica_check::Location,
) -> Range {
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
pub fn summary(outcomes: &[Outcome]) -> String {
    let s = total(outcomes);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let unchecked = if s.unchecked > 0 {
        format!(
            " {} could not be checked.",
            plural(s.unchecked, "document", "documents")
        )
    } else {
        String::new()
    };
    format!(
        "Checked {}: {}, {}; {}, {}, {}.{unchecked}",
        plural(s.files, "file", "files"),
        plural(s.claims, "claim", "claims"),
        plural(s.citations, "citation", "citations"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos"),
    )
}
