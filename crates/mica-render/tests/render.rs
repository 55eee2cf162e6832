//! Snapshots of the JSON and Markdown renderings of the example brief and of a brief with
//! errors, and checks that the HTML report escapes what briefs and sources hold.

use mica_render::{Format, Report, render};
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(path: &str) -> Report {
    Report::load(&repo().join(path)).expect("the brief loads")
}

const EXAMPLE: &str = "spec/examples/mic2025-brief.mica";
const ERRORS: &str = "crates/mica-render/tests/briefs/errors.mica";

#[test]
fn example_json() {
    insta::assert_snapshot!(render(&load(EXAMPLE), Format::Json));
}

#[test]
fn example_markdown() {
    insta::assert_snapshot!(render(&load(EXAMPLE), Format::Markdown));
}

#[test]
fn errors_json() {
    insta::assert_snapshot!(render(&load(ERRORS), Format::Json));
}

#[test]
fn errors_markdown() {
    insta::assert_snapshot!(render(&load(ERRORS), Format::Markdown));
}

#[test]
fn the_example_is_clean_and_every_claim_and_note_is_in_the_page() {
    let report = load(EXAMPLE);
    assert_eq!(report.totals().errors, 0);
    assert_eq!(report.claims.len(), 61);
    let html = render(&report, Format::Html);
    for c in &report.claims {
        let anchor = format!("id=\"{}\"", c.anchor);
        assert_eq!(html.matches(&anchor).count(), 1, "{anchor}");
        for cit in &c.citations {
            assert!(cit.verified, "note {} of {}", cit.note, c.anchor);
            assert!(html.contains(&format!("id=\"note-{}\"", cit.note)));
            assert!(html.contains(&format!("id=\"ref-{}\"", cit.note)));
        }
    }
    // Self-contained: nothing is fetched.
    for bad in ["<script", "<link", "<img", "src=", "@import", "url(http"] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert!(html.contains("<svg class=\"map\""));
}

#[test]
fn html_escapes_the_brief_and_its_sources() {
    let report = load(ERRORS);
    let html = render(&report, Format::Html);
    assert!(!html.contains("<script"), "raw <script> in the page");
    assert!(
        !html.contains("<img"),
        "an image from the brief became an <img>"
    );
    assert!(
        !html.contains("<b>"),
        "markup from a source or the front matter"
    );
    assert!(!html.contains("href=\"javascript:"), "a javascript: link");
    assert!(html.contains("&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;</mark>"));
    assert!(html.contains("&lt;script&gt;alert('prose')&lt;/script&gt;"));
    assert!(html.contains("<title>A brief with errors &lt;script&gt;"));
}

#[test]
fn html_flags_a_quote_that_is_not_found() {
    let report = load(ERRORS);
    let html = render(&report, Format::Html);
    assert!(html.contains("This brief did not pass the check: 9 errors, 3 warnings"));
    assert!(html.contains("1 quotation could not be found in its source."));
    // The claim, its note reference and its note are all marked.
    assert!(html.contains("<span class=\"claim conf-moderate flagged\" id=\"centres\">"));
    assert!(html.contains("<a class=\"ref unverified\" id=\"ref-1\" href=\"#note-1\""));
    assert!(html.contains("<li id=\"note-1\" class=\"note unverified\">"));
    assert!(html.contains("the closest passage, on line 5, reads"));
    // An elided quote marks each of its parts.
    assert!(html.contains("data-part=\"1\""));
    assert!(html.contains("data-part=\"2\""));
    // The second claim with the same id still gets an anchor of its own.
    assert!(html.contains("id=\"claim-7\""));
}
