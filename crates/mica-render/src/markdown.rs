//! Pandoc Markdown: the brief with its front matter as a YAML metadata block, each claim as a
//! bracketed span `[text]{#id}` (which Pandoc keeps as an anchor) followed by one footnote per
//! citation, holding the source's title, grade, line and quote. `pandoc brief.md -o brief.docx`
//! then gives the deliverable.

use crate::model::{CitationView, Report, grade_meaning};
use crate::prose;
use mica_check::Code;
use std::fmt::Write;

/// `text` with Markdown punctuation escaped, so that it reads as written (straight double
/// and single quotes too, which Pandoc would otherwise turn into curly ones, pairing them wrongly).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\`*_[]<>#|~$^@{}\"'".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The brief's prose as Pandoc Markdown: what would read as raw HTML is shown as text, and
/// `$`, `~`, `^` and `@`, which Pandoc reads as math, sub- and superscripts and citations, stay
/// literal. Code spans are left alone.
fn prose_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_code = false;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && prev != '\\' {
            let escape = match c {
                '<' => chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
                '$' | '~' | '^' => true,
                '@' => !prev.is_alphanumeric(),
                _ => false,
            };
            if escape {
                out.push('\\');
            }
        }
        out.push(c);
        prev = c;
    }
    out
}

/// A YAML string (JSON's string syntax is valid YAML).
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The report as Pandoc Markdown.
pub fn render(report: &Report) -> String {
    let mut m = String::new();
    m.push_str("---\n");
    let _ = writeln!(m, "title: {}", yaml(&report.title()));
    for (k, v) in &report.meta {
        if k != "title" {
            let _ = writeln!(m, "{}: {}", yaml(k), yaml(v));
        }
    }
    m.push_str("---\n\n");

    let t = report.totals();
    if !report.diagnostics.is_empty() {
        let _ = writeln!(
            m,
            "> **{} {} error{}, {} warning{}.**\n>",
            if t.errors > 0 {
                "This brief did not pass the check:"
            } else {
                "The check found"
            },
            t.errors,
            if t.errors == 1 { "" } else { "s" },
            t.warnings,
            if t.warnings == 1 { "" } else { "s" },
        );
        for d in &report.diagnostics {
            let _ = writeln!(
                m,
                "> - {}:{} {} `{}`: {}",
                escape(&d.file),
                d.line,
                d.severity,
                d.code.name(),
                escape(&d.message)
            );
        }
        m.push('\n');
    }

    let body = prose::body_markdown(report, prose_text, |i| {
        let c = &report.claims[i];
        let mut s = format!("[{}]{{#{}}}", prose_text(&c.markdown), c.anchor);
        for cit in &c.citations {
            let _ = write!(s, "[^{}]", cit.note);
        }
        s
    });
    m.push_str(body.trim());
    m.push_str("\n\n");

    if !report.sources.is_empty() {
        m.push_str("# Sources {.unnumbered}\n\n");
    }
    for s in &report.sources {
        let mut line = format!("- **{}** (`{}`)", escape(s.display_title()), s.id);
        match s.reliability.as_deref() {
            Some(g) => {
                let _ = write!(
                    line,
                    ", reliability {} ({})",
                    escape(g),
                    grade_meaning(g).unwrap_or("not an Admiralty grade")
                );
            }
            None => line.push_str(", not graded"),
        }
        if let Some(d) = &s.date {
            let _ = write!(line, ", {}", escape(d));
        }
        if let Some(u) = &s.url {
            let _ = write!(line, ", <{}>", u.replace(['<', '>', ' '], ""));
        }
        let ids: Vec<String> = s
            .cited_by
            .iter()
            .map(|&i| {
                let c = &report.claims[i];
                format!(
                    "[{}](#{})",
                    escape(c.id.as_deref().unwrap_or(&c.anchor)),
                    c.anchor
                )
            })
            .collect();
        if ids.is_empty() {
            line.push_str(". Not cited.");
        } else {
            let _ = write!(
                line,
                ". {} citation{}, in {}.",
                s.citations,
                if s.citations == 1 { "" } else { "s" },
                ids.join(", ")
            );
        }
        m.push_str(&line);
        m.push('\n');
    }
    if !report.sources.is_empty() {
        m.push('\n');
    }

    for c in &report.claims {
        for cit in &c.citations {
            let _ = writeln!(m, "[^{}]: {}", cit.note, footnote(report, cit));
        }
    }
    m
}

fn footnote(report: &Report, cit: &CitationView) -> String {
    let src = report.source(&cit.source);
    let mut s = match src {
        Some(src) => {
            let mut s = format!("*{}*", escape(src.display_title()));
            match src.reliability.as_deref() {
                Some(g) => {
                    let _ = write!(
                        s,
                        ", reliability {} ({})",
                        escape(g),
                        grade_meaning(g).unwrap_or("not an Admiralty grade")
                    );
                }
                None => s.push_str(", not graded"),
            }
            if let Some(d) = &src.date {
                let _ = write!(s, ", {}", escape(d));
            }
            if let Some(p) = &src.path {
                let _ = write!(s, ", `{}`", p.replace('`', "'"));
            }
            s
        }
        None => format!("Source `{}` (not declared)", cit.source.replace('`', "'")),
    };
    match (cit.line, cit.end_line, cit.lines) {
        (Some(a), Some(b), _) if b > a => {
            let _ = write!(s, ", lines {a}–{b}");
        }
        (Some(a), _, _) => {
            let _ = write!(s, ", line {a}");
        }
        (None, _, Some((a, b))) if a == b => {
            let _ = write!(s, ", cited as line {a}");
        }
        (None, _, Some((a, b))) => {
            let _ = write!(s, ", cited as lines {a}–{b}");
        }
        _ => {}
    }
    if let Some(q) = &cit.quote {
        let _ = write!(s, ": “{}”", escape(q));
    } else if let Some(x) = &cit.excerpt {
        let _ = write!(s, ": “{}”", escape(&x.replace('\n', " ")));
    }
    s.push('.');
    if !cit.verified {
        let not_found = cit
            .diagnostics
            .iter()
            .any(|&k| report.diagnostics[k].code == Code::QuoteNotFound);
        if not_found {
            s.push_str(" **Quote not found in the source.**");
        } else {
            s.push_str(" **Not verified.**");
        }
        for &k in &cit.diagnostics {
            let d = &report.diagnostics[k];
            let _ = write!(s, " \\[{}\\] {}", d.code.name(), escape(&d.message));
        }
    }
    s
}
