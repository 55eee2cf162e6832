//! GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`.

use super::{escape, range_of};
use crate::check::{Outcome, Positions};
use mica_check::Severity;

/// Escape a message as the runner expects (`%`, CR and LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Render one workflow command per diagnostic, with paths relative to the current folder
/// (the repository checkout, in CI).
pub fn render(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        let mut positions = Positions::default();
        for d in outcome.diagnostics() {
            let r = range_of(outcome, &mut positions, &d.location);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            // Text from the document is escaped for the log first (the log viewer acts on
            // ANSI sequences), then for the workflow command.
            let mut message = escape::line(&d.message).into_owned();
            if let Some(fix) = &d.fix {
                let kind = if fix.safe { "Fix" } else { "Unsafe fix" };
                message.push_str(&format!("\n{kind}: {}", escape::line(&fix.title)));
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&escape::line(&outcome.shown(&d.location.file))),
                r.start.line,
                r.start.column,
                r.end.line,
                r.end.column,
                escape_property(&format!("mica {}", d.code)),
                escape_data(&message),
            ));
        }
        for u in &outcome.unchecked {
            out.push_str(&format!(
                "::error file={},title={}::{}\n",
                escape_property(&escape::line(&crate::check::relative_from(
                    &outcome.cwd,
                    &u.path
                ))),
                escape_property("mica not checked"),
                escape_data(&escape::line(&u.reason)),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
