//! Citations: unknown sources, line locators past the end, ambiguous quotes, quotes outside
//! their lines, quotes not found (with the closest passage), empty quotes.

use super::{DocContext, emit};
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use crate::resolve::{Elsewhere, Found, NotFound, Outcome, Resolution, SourceInfo};
use crate::shorten;
use crate::similar::did_you_mean;
use mica_sources::{
    MAX_ELISION_GAP, MAX_ELISIONS, MAX_SUGGESTION_CHARS, OCCURRENCE_CAP, quote_parts,
};
use mica_syntax::{Citation, StrLit, TextRange, escape_string};

/// The diagnostics of citation `c`, which resolved to `r`.
pub(super) fn citation(
    ctx: &DocContext<'_>,
    c: &Citation,
    r: &Resolution,
    out: &mut Vec<Diagnostic>,
) {
    let source = r.source.as_ref();
    match (&r.outcome, source) {
        (Outcome::UnknownSource, _) => unknown_source(ctx, c, out),
        (Outcome::LinesOutOfRange, Some(source)) => {
            let range = c.lines.map_or(c.range, |l| l.range);
            line_out_of_range(ctx, &r.source_id, range, source, out);
        }
        (Outcome::Found(m), Some(source)) if m.count > 1 && c.lines.is_none() => {
            ambiguous(ctx, c, source, m, out);
        }
        (Outcome::OutsideLines(m), Some(source)) => outside_lines(ctx, c, source, m, out),
        (Outcome::NotFound(nf), Some(source)) => {
            if let Some(quote) = &c.quote {
                not_found(ctx, c, quote, source, nf, out);
            }
        }
        (Outcome::Empty, _) => {
            if let Some(quote) = &c.quote {
                out.push(ctx.diag(
                    Code::InvalidValue,
                    quote.range,
                    "the quote is empty: quote the passage you cite",
                ));
            }
        }
        _ => {}
    }
}

fn unknown_source(ctx: &DocContext<'_>, c: &Citation, out: &mut Vec<Diagnostic>) {
    let guess = did_you_mean(&c.source.name, ctx.scope.ids());
    let message = match guess {
        Some(g) => format!("unknown source `{}`: did you mean `{g}`?", c.source.name),
        None => format!(
            "unknown source `{0}`: declare it with `@source {0} \"path/to/file.txt\"` or under \
             [sources.{0}] in mica.toml",
            c.source.name
        ),
    };
    let fix = guess.map(|g| Fix {
        title: format!("Change to `{g}`"),
        edits: vec![ctx.edit(c.source.range, g)],
        safe: false,
    });
    emit(out, ctx.diag(Code::UnknownSource, c.source.range, message)).fix = fix;
}

fn line_out_of_range(
    ctx: &DocContext<'_>,
    id: &str,
    range: TextRange,
    source: &SourceInfo,
    out: &mut Vec<Diagnostic>,
) {
    let n = source.line_count;
    let msg = format!(
        "source `{id}` ({}) has {n} line{}: the line locator points past its end",
        source.path,
        if n == 1 { "" } else { "s" }
    );
    out.push(ctx.diag(Code::LineOutOfRange, range, msg));
}

fn ambiguous(
    ctx: &DocContext<'_>,
    c: &Citation,
    source: &SourceInfo,
    m: &Found,
    out: &mut Vec<Diagnostic>,
) {
    let loc = m.locator();
    let times = if m.count >= OCCURRENCE_CAP {
        format!("at least {} times", m.count)
    } else {
        format!("{} times", m.count)
    };
    let msg = format!(
        "this quote occurs {times} in `{}`; the first match ({loc}) is used: add a line \
         locator to say which one you mean",
        c.source.name
    );
    let fix = Fix {
        title: format!("Add the line locator `{loc}`"),
        edits: vec![ctx.edit(TextRange::empty(c.source.range.end()), format!(":{loc}"))],
        // The locator names the passage the quote already resolves to: nothing quoted or
        // claimed changes.
        safe: true,
    };
    let range = c.quote.as_ref().map_or(c.range, |q| q.range);
    let d = emit(out, ctx.diag(Code::AmbiguousQuote, range, msg));
    d.labels
        .push(Label::at(&source.path, m.range, "first match"));
    d.fix = Some(fix);
}

fn outside_lines(
    ctx: &DocContext<'_>,
    c: &Citation,
    source: &SourceInfo,
    m: &Found,
    out: &mut Vec<Diagnostic>,
) {
    let Some(lines) = c.lines else { return };
    let found = m.locator();
    let written = &ctx.text[lines.range.to_range()];
    let msg = format!(
        "the quote is not within {written} of `{}`; it is at {found}",
        c.source.name
    );
    let fix = Fix {
        title: format!("Change the line locator to `{found}`"),
        edits: vec![ctx.edit(lines.range, found.clone())],
        // The quote stays as written; only the locator moves to where it is.
        safe: true,
    };
    let d = emit(out, ctx.diag(Code::QuoteOutsideLines, lines.range, msg));
    d.labels.push(Label::at(
        &source.path,
        m.range,
        format!("the quote is here, at {found}"),
    ));
    d.fix = Some(fix);
}

fn not_found(
    ctx: &DocContext<'_>,
    c: &Citation,
    quote: &StrLit,
    source: &SourceInfo,
    nf: &NotFound,
    out: &mut Vec<Diagnostic>,
) {
    if nf.every_part_found {
        // Every part is there: the suggestion would be the quote itself. Say what is wrong.
        let msg = format!(
            "every part of this elided quote occurs in `{}` ({}), but not in this order with \
             at most {MAX_ELISION_GAP} characters between consecutive parts: quote a shorter \
             passage, or cite the parts separately",
            c.source.name, source.path
        );
        out.push(ctx.diag(Code::QuoteNotFound, quote.range, msg));
        return;
    }
    if let Some(e) = &nf.elsewhere {
        wrong_source(ctx, c, quote, source, e, out);
        return;
    }
    let mut msg = format!("quote not found in `{}` ({})", c.source.name, source.path);
    if let Some(s) = &nf.closest {
        msg.push_str(&format!(
            "; the closest passage, on line {}, reads \"{}\"",
            s.line,
            shorten(&s.suggestion.text, 160)
        ));
    } else if quote_parts(&quote.value).len() > MAX_ELISIONS + 1 {
        // Not looked for at all; say so rather than "not found".
        msg = format!(
            "quote not looked for in `{}` ({}): it has more than {MAX_ELISIONS} elisions; \
             quote fewer, longer passages",
            c.source.name, source.path
        );
    } else if quote_parts(&quote.value)
        .iter()
        .any(|p| p.chars().count() > MAX_SUGGESTION_CHARS)
    {
        // No passage is looked for past this length; say so rather than "nothing is close".
        msg.push_str(&format!(
            "; it is too long to look for a close passage (over {MAX_SUGGESTION_CHARS} \
             characters without an elision): quote a shorter passage, or elide with `...`"
        ));
    } else {
        msg.push_str("; nothing in it is close: check the source id and the wording");
    }
    let fix = nf.closest.as_ref().map(|s| Fix {
        title: "Replace the quote with the closest passage in the source".into(),
        edits: vec![ctx.edit(quote.inner_range(), escape_string(&s.suggestion.text))],
        safe: false,
    });
    let d = emit(out, ctx.diag(Code::QuoteNotFound, quote.range, msg));
    if let Some(s) = &nf.closest {
        d.labels.push(Label::at(
            &source.path,
            s.suggestion.range,
            "closest passage",
        ));
        d.suggestion = Some(s.suggestion.text.clone());
    }
    d.fix = fix;
}

/// The quote is not in the source it cites, but word for word in another declared source.
fn wrong_source(
    ctx: &DocContext<'_>,
    c: &Citation,
    quote: &StrLit,
    source: &SourceInfo,
    e: &Elsewhere,
    out: &mut Vec<Diagnostic>,
) {
    let loc = e.locator();
    let msg = format!(
        "quote not found in `{}` ({}), but it occurs word for word in `{}` ({}) on {}: cite `{}` \
         instead",
        c.source.name,
        source.path,
        e.source_id,
        e.path,
        line_words(e),
        e.source_id
    );
    let mut edits = vec![ctx.edit(c.source.range, e.source_id.clone())];
    let title = match c.lines {
        Some(lines) => {
            edits.push(ctx.edit(lines.range, loc.clone()));
            format!("Cite `{}:{loc}` instead", e.source_id)
        }
        None => format!("Cite `{}` instead", e.source_id),
    };
    let d = emit(out, ctx.diag(Code::QuoteNotFound, quote.range, msg));
    d.labels.push(Label::at(
        &e.path,
        e.range,
        format!("the quote is here, in `{}`", e.source_id),
    ));
    d.fix = Some(Fix {
        title,
        edits,
        safe: false,
    });
}

/// `line 12` or `lines 12-14`.
fn line_words(e: &Elsewhere) -> String {
    if e.start_line == e.end_line {
        format!("line {}", e.start_line)
    } else {
        format!("lines {}-{}", e.start_line, e.end_line)
    }
}
