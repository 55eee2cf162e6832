//! The HTML evidence report: one self-contained page (inline CSS and SVG, no script, nothing
//! fetched) with the brief's prose, its claims marked, numbered endnotes showing each cited
//! passage in its source sentence, the sources, the argument map and the check's findings.
//!
//! Everything that comes from the brief or a source is escaped: the prose goes through
//! pulldown-cmark with raw HTML turned into text, images turned into links and links limited
//! to safe schemes.
//!
//! Length: about 780 lines of code. It is the page as one document in reading order (header,
//! prose with claims, map, sources, notes, findings); the CSS is in `report.css` and the map in
//! `graph.rs`. Splitting the sections into files is the next step if it grows further.

use crate::context::Passage;
use crate::graph;
use crate::model::{CitationView, ClaimView, Report, icd_term};
use crate::prose;
use mica_check::{Code, Severity, vocab};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::fmt::Write;

/// Placeholder brackets for claims inside the Markdown (private-use characters, removed from
/// the brief's own text first so that it cannot forge one).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// `text` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether a link target from the brief may be followed: web and mail links and fragments.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Markdown to HTML with the brief's raw HTML shown as text, images as links and unsafe links
/// as plain text.
fn markdown_to_html(md: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut dropped_links = 0usize;
    let mut stack: Vec<bool> = Vec::new();
    let events = Parser::new_ext(md, options).filter_map(|ev| match ev {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Image {
            dest_url, title, ..
        })
        | Event::Start(Tag::Link {
            dest_url, title, ..
        }) => {
            let ok = safe_url(&dest_url);
            stack.push(ok);
            if ok {
                Some(Event::Start(Tag::Link {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title,
                    id: CowStr::Borrowed(""),
                }))
            } else {
                dropped_links += 1;
                None
            }
        }
        Event::End(TagEnd::Image) | Event::End(TagEnd::Link) => {
            if stack.pop().unwrap_or(false) {
                Some(Event::End(TagEnd::Link))
            } else {
                None
            }
        }
        other => Some(other),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A claim's text as inline HTML: Markdown, but never a block. A leading list marker
/// (`-`, `+`, `*` or `1.` before a space), heading mark or `>` is escaped so that it stays text,
/// while `*emphasis*` at the start still works.
fn inline_markdown(md: &str) -> String {
    let digits = md.bytes().take_while(u8::is_ascii_digit).count();
    let marker = if md.starts_with(['-', '+', '*']) && md[1..].starts_with(' ') {
        Some(0)
    } else if digits > 0
        && md[digits..].starts_with(['.', ')'])
        && (md.len() == digits + 1 || md[digits + 1..].starts_with(' '))
    {
        Some(digits)
    } else if md.starts_with(['#', '>']) {
        Some(0)
    } else {
        None
    };
    let guarded = match marker {
        Some(at) => format!("{}\\{}", &md[..at], &md[at..]),
        None => md.to_string(),
    };
    let html = markdown_to_html(&guarded);
    let t = html.trim();
    t.strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
        .unwrap_or(t)
        .to_string()
}

/// Remove the placeholder characters from the brief's own text.
fn unforge(text: &str) -> String {
    text.replace([OPEN, CLOSE], "\u{FFFD}")
}

/// `very likely · 80–95%`, or `70% · likely (55–80%)` for a number.
fn likelihood_label(c: &ClaimView) -> Option<String> {
    let l = c.likelihood.as_ref()?;
    Some(match *l {
        vocab::Likelihood::Term(t, lo, hi) => format!("{} ({lo}–{hi}%)", t.replace('-', " ")),
        vocab::Likelihood::Number(p) => match icd_term(l) {
            Some((t, lo, hi)) => format!("{:.0}%, {} ({lo}–{hi}%)", p * 100.0, t.replace('-', " ")),
            None => format!("{:.0}%", p * 100.0),
        },
    })
}

/// A diagnostic message as HTML: escaped, its `code spans` shown as code.
fn message_html(msg: &str) -> String {
    let parts: Vec<&str> = msg.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An odd number of backticks: show the message as written.
        return escape(msg);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(p))
            } else {
                escape(p)
            }
        })
        .collect()
}

fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

/// The whole report as one HTML page.
pub fn render(report: &Report) -> String {
    let title = report.title();
    let totals = report.totals();
    let mut h = String::with_capacity(report.text.len() * 6 + 40_000);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"mica render\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        escape(&title),
        CSS
    );
    if let Some(class) = report.meta("classification") {
        let _ = writeln!(h, "<div class=\"classification\">{}</div>", escape(class));
    }
    h.push_str("<div class=\"page\">\n<header class=\"masthead\">\n<p class=\"kicker\">Evidence report</p>\n");
    let _ = writeln!(h, "<h1 class=\"title\">{}</h1>", escape(&title));
    let byline: Vec<String> = ["author", "date"]
        .iter()
        .filter_map(|k| report.meta(k))
        .map(escape)
        .collect();
    if !byline.is_empty() {
        let _ = writeln!(h, "<p class=\"byline\">{}</p>", byline.join(" · "));
    }
    let other: Vec<&(String, String)> = report
        .meta
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "title" | "author" | "date" | "classification"))
        .collect();
    if !other.is_empty() {
        h.push_str("<dl class=\"meta\">");
        for (k, v) in other {
            let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
        }
        h.push_str("</dl>\n");
    }
    summary(&mut h, report);
    h.push_str("<nav class=\"toc\" aria-label=\"Contents\"><a href=\"#brief\">Brief</a><a href=\"#map\">Argument map</a><a href=\"#sources\">Sources</a><a href=\"#notes\">Notes</a>");
    if !report.diagnostics.is_empty() {
        h.push_str("<a href=\"#diagnostics\">Check findings</a>");
    }
    h.push_str("</nav>\n</header>\n");
    if !report.diagnostics.is_empty() {
        banner(&mut h, report, totals);
    }
    legend(&mut h);

    // The prose, with a placeholder where each claim goes.
    let md = prose::body_markdown(report, unforge, |i| format!("{OPEN}{i}{CLOSE}"));
    let body = markdown_to_html(&md);
    h.push_str("<main id=\"brief\" class=\"brief\">\n");
    let mut rest = body.as_str();
    while let Some(s) = rest.find(OPEN) {
        h.push_str(&rest[..s]);
        let after = &rest[s + OPEN.len_utf8()..];
        match after.find(CLOSE) {
            Some(e) => {
                match after[..e]
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| report.claims.get(i).map(|c| (i, c)))
                {
                    Some((_, c)) => claim_html(&mut h, report, c),
                    None => h.push_str(&escape(&after[..e])),
                }
                rest = &after[e + CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    h.push_str(rest);
    h.push_str("</main>\n");

    map_section(&mut h, report);
    sources_section(&mut h, report);
    notes_section(&mut h, report);
    let _ = writeln!(
        h,
        "<footer class=\"colophon\">Rendered by <code>mica render</code> from <code>{}</code>. Every quotation was checked against its source by <code>mica check</code>; notes show each quoted passage in its source sentence.</footer>",
        escape(&report.path)
    );
    h.push_str("</div>\n");
    if let Some(class) = report.meta("classification") {
        let _ = writeln!(
            h,
            "<div class=\"classification bottom\">{}</div>",
            escape(class)
        );
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn summary(h: &mut String, report: &Report) {
    let claims = report.claims.len();
    let cites = report.citation_count();
    let cited_sources = report.sources.iter().filter(|s| s.citations > 0).count();
    let unverified = report
        .claims
        .iter()
        .flat_map(|c| &c.citations)
        .filter(|c| !c.verified)
        .count();
    let _ = write!(
        h,
        "<p class=\"summary\"><span>{claims} claim{}</span><span>{cites} citation{} of {cited_sources} source{}</span>",
        if claims == 1 { "" } else { "s" },
        if cites == 1 { "" } else { "s" },
        if cited_sources == 1 { "" } else { "s" },
    );
    if cites > 0 {
        if unverified == 0 {
            h.push_str("<span class=\"ok\">✓ every citation verified against its source</span>");
        } else {
            let _ = write!(
                h,
                "<span class=\"bad\">✗ {unverified} citation{} not verified</span>",
                if unverified == 1 { "" } else { "s" }
            );
        }
    }
    h.push_str("</p>\n");
}

fn banner(h: &mut String, report: &Report, t: crate::model::Totals) {
    let level = if t.errors > 0 {
        "error"
    } else if t.warnings > 0 {
        "warning"
    } else {
        "info"
    };
    let mut counts = Vec::new();
    for (n, word) in [
        (t.errors, "error"),
        (t.warnings, "warning"),
        (t.infos, "note"),
    ] {
        if n > 0 {
            counts.push(format!("{n} {word}{}", if n == 1 { "" } else { "s" }));
        }
    }
    let not_found = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::QuoteNotFound)
        .count();
    let _ = write!(
        h,
        "<section id=\"diagnostics\" class=\"banner {level}\" role=\"alert\"><h2>{} {}</h2>",
        if t.errors > 0 {
            "This brief did not pass the check:"
        } else {
            "The check found:"
        },
        counts.join(", ")
    );
    if not_found > 0 {
        let _ = write!(
            h,
            "<p class=\"qnf\"><strong>{not_found} quotation{} could not be found in {} source.</strong> Do not rely on the claim{} flagged <span class=\"flag-inline\">quote not found</span> until the quotation is corrected.</p>",
            if not_found == 1 { "" } else { "s" },
            if not_found == 1 { "its" } else { "their" },
            if not_found == 1 { "" } else { "s" }
        );
    }
    h.push_str("<ol class=\"findings\">");
    for d in &report.diagnostics {
        let place = match d.claim {
            Some(i) => format!(
                "<a href=\"#{}\">{}:{}</a>",
                escape(&report.claims[i].anchor),
                escape(&d.file),
                d.line
            ),
            None => format!("{}:{}", escape(&d.file), d.line),
        };
        let _ = write!(
            h,
            "<li class=\"{sev}\"><span class=\"sev {sev}\">{sev}</span> <code class=\"code\">{code}</code> {place}: {msg}</li>",
            sev = severity_class(d.severity),
            code = d.code.name(),
            msg = message_html(&d.message)
        );
    }
    h.push_str("</ol></section>\n");
}

fn legend(h: &mut String) {
    h.push_str("<aside class=\"legend\" aria-label=\"How to read this report\"><span class=\"claim conf-high\">high</span> <span class=\"claim conf-moderate\">moderate</span> <span class=\"claim conf-low\">low</span> confidence · likelihood in ICD 203 terms · superscript numbers lead to the notes, which quote each source in context · source grades on the Admiralty scale (A completely reliable … F cannot be judged)</aside>\n");
}

fn claim_html(h: &mut String, report: &Report, c: &ClaimView) {
    let conf = c.conf_class();
    let worst = c.worst(report);
    let flagged = match worst {
        Some(Severity::Error) => " flagged",
        Some(Severity::Warning) => " warned",
        _ => "",
    };
    let _ = write!(
        h,
        "<span class=\"claim conf-{conf}{flagged}\" id=\"{}\">{}",
        escape(&c.anchor),
        inline_markdown(&unforge(&c.markdown))
    );
    if !c.citations.is_empty() {
        h.push_str("<sup class=\"refs\">");
        for (k, cit) in c.citations.iter().enumerate() {
            if k > 0 {
                h.push_str("<span class=\"sep\">,</span>");
            }
            let _ = write!(
                h,
                "<a class=\"ref{}\" id=\"ref-{n}\" href=\"#note-{n}\" aria-label=\"Note {n}\">{n}</a>",
                if cit.verified { "" } else { " unverified" },
                n = cit.note
            );
        }
        h.push_str("</sup>");
    }
    h.push_str("</span>");
    // The annotation: confidence and likelihood, tags, relations, the analyst's note, the id.
    let conf_text = match conf {
        "none" => "confidence not stated".to_string(),
        c => format!("{c} confidence"),
    };
    let _ = write!(
        h,
        " <span class=\"ann\"><span class=\"cp {conf}\">{conf_text}"
    );
    if let Some(l) = likelihood_label(c) {
        let _ = write!(h, " · <span class=\"p\">{}</span>", escape(&l));
    } else if let Some(p) = &c.p {
        let _ = write!(h, " · <span class=\"p invalid\">p={}</span>", escape(p));
    }
    h.push_str("</span>");
    for t in &c.tags {
        let _ = write!(h, " <span class=\"tag\">{}</span>", escape(t));
    }
    for (ids, verb, class) in [
        (&c.supports, "supports", "rel-s"),
        (&c.contradicts, "contradicts", "rel-c"),
    ] {
        for id in ids {
            let target = report.claim_by_id(id).map(|i| &report.claims[i].anchor);
            match target {
                Some(a) => {
                    let _ = write!(
                        h,
                        " <span class=\"rel {class}\">{verb} <a href=\"#{}\">{}</a></span>",
                        escape(a),
                        escape(id)
                    );
                }
                None => {
                    let _ = write!(
                        h,
                        " <span class=\"rel {class} broken\">{verb} {} (no such claim)</span>",
                        escape(id)
                    );
                }
            }
        }
    }
    if let Some(n) = &c.note {
        let _ = write!(
            h,
            " <span class=\"anote\">Analyst’s note: {}</span>",
            escape(n)
        );
    }
    let _ = write!(
        h,
        " <a class=\"cid\" href=\"#{a}\" title=\"Link to this claim\">#{a}</a></span>",
        a = escape(&c.anchor)
    );
    for &k in &c.diagnostics {
        let d = &report.diagnostics[k];
        let label = if d.code == Code::QuoteNotFound {
            "<strong>⚠ Quote not found</strong> "
        } else {
            ""
        };
        let _ = write!(
            h,
            "<span class=\"flag {sev} code-{code}\" role=\"note\">{label}<code class=\"code\">{code}</code> {msg}</span>",
            sev = severity_class(d.severity),
            code = d.code.name(),
            msg = message_html(&d.message)
        );
    }
}

fn map_section(h: &mut String, report: &Report) {
    h.push_str("<section id=\"map\" class=\"wide\"><h2>Argument map</h2>\n");
    match graph::svg(report) {
        Some(svg) => {
            let drawn = graph::layout(report.claims.len(), &graph::edges(report))
                .nodes
                .len();
            let _ = write!(
                h,
                "<p class=\"note-text\">Arrows run from a claim to the judgement it bears on: <span class=\"k-s\">supports</span>, <span class=\"k-c\">contradicts</span>. Each box links to its claim; its left bar shows the confidence. {drawn} of {} claims take part in a relation; the others stand on their citations alone.</p>\n<div class=\"map-frame\">{svg}</div>\n",
                report.claims.len()
            );
        }
        None => {
            h.push_str("<p class=\"note-text\">No claim of this brief supports or contradicts another.</p>\n");
        }
    }
    h.push_str("</section>\n");
}

fn claim_link(report: &Report, i: usize) -> String {
    let c = &report.claims[i];
    format!(
        "<a href=\"#{}\">{}</a>",
        escape(&c.anchor),
        escape(c.id.as_deref().unwrap_or(&c.anchor))
    )
}

fn grade_html(grade: Option<&str>) -> String {
    match grade {
        Some(g) => {
            let meaning = crate::model::grade_meaning(g).unwrap_or("not an Admiralty grade");
            let class = if meaning == "not an Admiralty grade" {
                "x".to_string()
            } else {
                g.to_string()
            };
            format!(
                "<span class=\"grade g-{}\" title=\"Admiralty grade\">{}</span> <span class=\"gmean\">{}</span>",
                escape(&class),
                escape(g),
                escape(meaning)
            )
        }
        None => {
            "<span class=\"grade g-x\">?</span> <span class=\"gmean\">not graded</span>".to_string()
        }
    }
}

fn sources_section(h: &mut String, report: &Report) {
    h.push_str("<section id=\"sources\"><h2>Sources</h2>\n<table class=\"sources\"><thead><tr><th>Source</th><th>Reliability</th><th>Cited by</th></tr></thead><tbody>\n");
    for s in &report.sources {
        let title = match &s.url {
            Some(u) if safe_url(u) => format!(
                "<a href=\"{}\">{}</a>",
                escape(u),
                escape(s.display_title())
            ),
            _ => escape(s.display_title()),
        };
        let mut sub = vec![format!("<code>{}</code>", escape(&s.id))];
        if let Some(d) = &s.date {
            sub.push(escape(d));
        }
        if let Some(p) = &s.path {
            sub.push(format!("<code>{}</code>", escape(p)));
        }
        let cited: Vec<String> = s.cited_by.iter().map(|&i| claim_link(report, i)).collect();
        let cited = if cited.is_empty() {
            "<span class=\"muted\">not cited</span>".to_string()
        } else {
            format!(
                "<span class=\"count\">{} citation{} in {} claim{}:</span> {}",
                s.citations,
                if s.citations == 1 { "" } else { "s" },
                s.cited_by.len(),
                if s.cited_by.len() == 1 { "" } else { "s" },
                cited.join(", ")
            )
        };
        let _ = writeln!(
            h,
            "<tr id=\"source-{id}\"><td><cite>{title}</cite><div class=\"sub\">{}</div></td><td class=\"gcell\">{}</td><td class=\"cited\">{cited}</td></tr>",
            sub.join(" · "),
            grade_html(s.reliability.as_deref()),
            id = escape(&s.id),
        );
    }
    h.push_str("</tbody></table>\n");

    // Claims by confidence (rows) and likelihood (columns).
    let confs = ["high", "moderate", "low", "none"];
    let mut terms: Vec<(&str, String)> = vocab::LIKELIHOOD
        .iter()
        .rev()
        .map(|(t, lo, hi)| {
            (
                *t,
                format!("{}<br><small>{lo}–{hi}%</small>", t.replace('-', " ")),
            )
        })
        .collect();
    terms.push(("none", "not stated".to_string()));
    let cell = |conf: &str, term: &str| {
        report
            .claims
            .iter()
            .filter(|c| {
                let cc = c.conf_class();
                let tt = c
                    .likelihood
                    .as_ref()
                    .and_then(icd_term)
                    .map_or("none", |(t, _, _)| t);
                cc == conf && tt == term
            })
            .count()
    };
    h.push_str("<h3>Claims by confidence and likelihood</h3>\n<table class=\"matrix\"><thead><tr><th>Confidence</th>");
    for (_, label) in &terms {
        let _ = write!(h, "<th>{label}</th>");
    }
    h.push_str("<th>Total</th></tr></thead><tbody>");
    let mut col_totals = vec![0usize; terms.len()];
    for conf in confs {
        let label = match conf {
            "high" => "High",
            "moderate" => "Moderate",
            "low" => "Low",
            _ => "Not stated",
        };
        let _ = write!(h, "<tr><th>{label}</th>");
        let mut row = 0;
        for (k, (t, _)) in terms.iter().enumerate() {
            let n = cell(conf, t);
            row += n;
            col_totals[k] += n;
            if n == 0 {
                h.push_str("<td class=\"zero\">·</td>");
            } else {
                let _ = write!(h, "<td>{n}</td>");
            }
        }
        let _ = write!(h, "<td class=\"total\">{row}</td></tr>");
    }
    h.push_str("<tr class=\"total\"><th>Total</th>");
    for n in &col_totals {
        let _ = write!(h, "<td>{n}</td>");
    }
    let _ = writeln!(h, "<td>{}</td></tr></tbody></table>", report.claims.len());
    h.push_str("<p class=\"note-text\">A number given for <code>p</code> is counted in the ICD 203 band it falls in.</p>\n</section>\n");
}

fn passage_html(p: &Passage) -> String {
    let mut out = String::new();
    if p.cut_start {
        out.push('…');
    }
    let parts = p.marked();
    let mut k = 0;
    let mut seen_mark = false;
    for (i, (t, marked)) in p.pieces.iter().enumerate() {
        if *marked {
            k += 1;
            seen_mark = true;
            if parts > 1 {
                let _ = write!(
                    out,
                    "<mark class=\"part\" data-part=\"{k}\" title=\"Quoted part {k} of {parts}\">{}</mark>",
                    escape(t)
                );
            } else {
                let _ = write!(out, "<mark>{}</mark>", escape(t));
            }
        } else if seen_mark && k < parts && i + 1 < p.pieces.len() {
            // Words between two quoted parts: the source's, left out of the quote.
            let _ = write!(
                out,
                "<span class=\"elided\" title=\"Left out of the quotation\">{}</span>",
                escape(t)
            );
        } else {
            out.push_str(&escape(t));
        }
    }
    if p.cut_end {
        out.push('…');
    }
    out
}

fn note_html(h: &mut String, report: &Report, ci: usize, cit: &CitationView) {
    let src = report.source(&cit.source);
    let _ = write!(
        h,
        "<li id=\"note-{n}\" class=\"note{}\"><p class=\"nhead\"><a class=\"back\" href=\"#ref-{n}\" aria-label=\"Back to the text of note {n}\" title=\"Back to the text\">↩</a> ",
        if cit.verified { "" } else { " unverified" },
        n = cit.note
    );
    match src {
        Some(s) => {
            let title = escape(s.display_title());
            let _ = write!(h, "<cite>{title}</cite>");
            let _ = write!(
                h,
                " <span class=\"gwrap\">{}</span>",
                grade_html(s.reliability.as_deref())
            );
            if let Some(d) = &s.date {
                let _ = write!(h, " <span class=\"date\">{}</span>", escape(d));
            }
            if let Some(u) = &s.url {
                if safe_url(u) {
                    let _ = write!(h, " <a class=\"url\" href=\"{0}\">{0}</a>", escape(u));
                } else {
                    let _ = write!(h, " <span class=\"url\">{}</span>", escape(u));
                }
            }
        }
        None => {
            let _ = write!(
                h,
                "<cite>{}</cite> <span class=\"bad\">(source not declared)</span>",
                escape(&cit.source)
            );
        }
    }
    h.push_str("</p>");
    let path = src.and_then(|s| s.path.as_deref()).unwrap_or("");
    let loc = match (cit.line, cit.end_line) {
        (Some(a), Some(b)) if b > a => format!("{}:{a}–{b}", escape(path)),
        (Some(a), _) => format!("{}:{a}", escape(path)),
        _ => escape(path),
    };
    let _ = write!(
        h,
        "<p class=\"loc\">Cited for {} · <code>{loc}</code>",
        claim_link(report, ci)
    );
    if let Some((a, b)) = cit.lines {
        if a == b {
            let _ = write!(h, " · cited as line {a}");
        } else {
            let _ = write!(h, " · cited as lines {a}–{b}");
        }
    }
    h.push_str("</p>");
    if let Some(p) = &cit.context {
        let _ = write!(
            h,
            "<blockquote class=\"ctx\">{}</blockquote>",
            passage_html(p)
        );
        if p.marked() > 1 {
            let _ = write!(
                h,
                "<p class=\"note-text\">An elided quotation: its {} parts are highlighted; the words between them are the source’s, left out of the quotation.</p>",
                p.marked()
            );
        }
    } else if let Some(x) = &cit.excerpt {
        // A citation of whole lines cites all of them: the lines are the marked passage.
        let _ = write!(
            h,
            "<blockquote class=\"ctx lines\"><mark>{}</mark></blockquote>",
            escape(x).replace('\n', "<br>")
        );
    } else if let Some(q) = &cit.quote {
        let _ = write!(
            h,
            "<p class=\"claimed\">Quoted as: <q>{}</q></p>",
            escape(q)
        );
    }
    // The closest passage, unless a finding's message below already quotes it.
    if let Some(s) = cit.suggestion.as_ref().filter(|s| {
        !cit.diagnostics
            .iter()
            .any(|&k| report.diagnostics[k].message.contains(s.as_str()))
    }) {
        let _ = write!(
            h,
            "<p class=\"suggest\">The closest passage in the source reads: <q>{}</q></p>",
            escape(s)
        );
    }
    for &k in &cit.diagnostics {
        let d = &report.diagnostics[k];
        let _ = write!(
            h,
            "<p class=\"flag {sev} code-{code}\">{label}<code class=\"code\">{code}</code> {msg}</p>",
            sev = severity_class(d.severity),
            code = d.code.name(),
            label = if d.code == Code::QuoteNotFound {
                "<strong>⚠ Quote not found</strong> "
            } else {
                ""
            },
            msg = message_html(&d.message)
        );
    }
    h.push_str("</li>\n");
}

fn notes_section(h: &mut String, report: &Report) {
    h.push_str("<section id=\"notes\"><h2>Notes</h2>\n");
    if report.citation_count() == 0 {
        h.push_str("<p class=\"note-text\">The brief cites no source.</p>\n");
    } else {
        h.push_str("<ol class=\"notes\">\n");
        for (ci, c) in report.claims.iter().enumerate() {
            for cit in &c.citations {
                note_html(h, report, ci, cit);
            }
        }
        h.push_str("</ol>\n");
    }
    h.push_str("</section>\n");
}

/// The page's style sheet: screen and print.
const CSS: &str = include_str!("report.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_text_stays_inline() {
        assert_eq!(
            inline_markdown("*MIC25* met its goals"),
            "<em>MIC25</em> met its goals"
        );
        assert_eq!(inline_markdown("- not a list"), "- not a list");
        assert_eq!(inline_markdown("2025. A year"), "2025. A year");
        assert_eq!(inline_markdown("# not a heading"), "# not a heading");
        assert_eq!(inline_markdown("> not a quote"), "&gt; not a quote");
        assert_eq!(
            inline_markdown("a <b>bold</b> try"),
            "a &lt;b&gt;bold&lt;/b&gt; try"
        );
    }

    #[test]
    fn only_web_and_mail_links_are_kept() {
        let html = markdown_to_html(
            "[a](javascript:alert(1)) [b](https://x.org) [c](#id) ![d](http://x.org/i.png)",
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("<a href=\"https://x.org\">b</a>"), "{html}");
        assert!(html.contains("<a href=\"#id\">c</a>"), "{html}");
        assert!(
            html.contains("<a href=\"http://x.org/i.png\">d</a>") && !html.contains("<img"),
            "{html}"
        );
    }
}
