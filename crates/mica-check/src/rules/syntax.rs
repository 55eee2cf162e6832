//! Syntax errors (with the parser's messages) and front matter values.

use super::DocContext;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::vocab;

/// `syntax-error`: every error of the parse, with the parser's fix when it has one (for the
/// common slips it recognises). Reads the parse only.
pub(super) fn errors(ctx: &DocContext<'_>, out: &mut Vec<Diagnostic>) {
    for e in &ctx.parse.errors {
        let mut d = ctx.diag(Code::SyntaxError, e.range, e.message.clone());
        d.fix = e.fix.as_ref().map(|f| Fix {
            title: f.title.clone(),
            edits: (f.edits.iter())
                .map(|e| ctx.edit(e.range, e.new_text.clone()))
                .collect(),
            safe: f.safe,
        });
        out.push(d);
    }
}

/// `invalid-value` in front matter: keys are free; only a date has a form to check. Reads the
/// parse only.
pub(super) fn front_matter(ctx: &DocContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(fm) = &ctx.parse.document.front_matter else {
        return;
    };
    for entry in fm.entries.iter().filter(|e| e.key.name == "date") {
        if let Some(problem) = vocab::source_attr_problem("date", &entry.value) {
            out.push(ctx.diag(Code::InvalidValue, entry.value_range, problem));
        }
    }
}
