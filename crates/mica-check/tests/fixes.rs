//! Every fix the checker offers must do what it says: applying it to the document makes the
//! diagnostic it belongs to go away without adding an error. Also a property test that the
//! checker never panics on arbitrary documents.

use mica_check::{Code, Config, Diagnostic, DocumentInput, check};
use mica_sources::MemoryProvider;
use mica_syntax::parse;
use proptest::prelude::*;

const SOURCE: &str = "Over nine years, the CCP invested more than\n$300 billion to establish 33 innovation centers.\nThe target was 70 percent by 2025.\nChinese: 中国制造2025.\nThe target was 70 percent by 2025.\n";

/// A workspace whose source `art` has the text `source`.
fn provider(source: &str) -> MemoryProvider {
    let p = MemoryProvider::new("/ws");
    p.insert("src.txt", source);
    p
}

fn config() -> Config {
    Config::parse("[sources.art]\npath = \"src.txt\"\n").unwrap()
}

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    diagnostics_with(SOURCE, text)
}

/// The diagnostics of document `text` against a source `art` with text `source`.
fn diagnostics_with(source: &str, text: &str) -> Vec<Diagnostic> {
    let parse = parse(text);
    let input = DocumentInput {
        path: "doc.mica",
        text,
        parse: &parse,
    };
    check(&config(), &provider(source), &[input])
        .remove(0)
        .diagnostics
}

fn apply(text: &str, d: &Diagnostic) -> String {
    let fix = d.fix.as_ref().expect("a fix");
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.location.range.start()));
    let mut out = text.to_string();
    for e in edits {
        assert_eq!(e.location.file, "doc.mica");
        out.replace_range(e.location.range.to_range(), &e.new_text);
    }
    out
}

#[test]
fn each_fix_resolves_its_diagnostic() {
    let cases: &[(&str, Code, &str)] = &[
        (
            "[A]{#a cite=art:\"the CCP invested more than $400 billion\"}\n",
            Code::QuoteNotFound,
            "the CCP invested more than $300 billion",
        ),
        // A dropped word: the fix restores it, up to the quote's last word.
        (
            "[A]{#a cite=art:\"the CCP invested more than $300 billion to establish 33 centers\"}\n",
            Code::QuoteNotFound,
            "to establish 33 innovation centers\"",
        ),
        (
            "[A]{#a cite=art:\"The target was 70 percent by 2025.\"}\n",
            Code::AmbiguousQuote,
            "cite=art:L3:",
        ),
        (
            "[A]{#a cite=art:L1:\"Chinese: 中国制造2025\"}\n",
            Code::QuoteOutsideLines,
            "cite=art:L4:",
        ),
        (
            "[A]{#a confidence=high cite=art:L1}\n",
            Code::UnknownAttribute,
            "conf=high",
        ),
        (
            "[A]{#a zebra=1 cite=art:L1}\n",
            Code::UnknownAttribute,
            "[A]{#a cite=art:L1}",
        ),
        ("[A]{#a cite=arx:L1}\n", Code::UnknownSource, "cite=art:L1"),
        (
            "[A]{#a cite=art:L1}\n[B]{#b supports=#aa cite=art:L2}\n",
            Code::UnknownClaim,
            "supports=#a ",
        ),
        (
            "@source extra \"src.txt\"\n[A]{#a cite=art:L1}\n",
            Code::UnusedSource,
            "[A]{#a cite=art:L1}\n",
        ),
        (
            "[A]{#a cite=art:\"say \\\"$400 billion\\\"\"}\n",
            Code::QuoteNotFound,
            "cite=art:\"",
        ),
        (
            "[A]{#a cite=art:L1:“the CCP invested more than”}\n",
            Code::SyntaxError,
            "cite=art:L1:\"the CCP invested more than\"}",
        ),
        (
            "[A]{#a conf = high cite=art:L1}\n",
            Code::SyntaxError,
            "{#a conf=high cite",
        ),
    ];
    for (text, code, expect) in cases {
        let before = diagnostics(text);
        let d = before
            .iter()
            .find(|d| d.code == *code)
            .unwrap_or_else(|| panic!("{code} in {text}: {before:?}"));
        let fixed = apply(text, d);
        assert!(fixed.contains(expect), "{code}: {fixed}");
        let after = diagnostics(&fixed);
        assert!(
            after.iter().all(|d| d.code != *code),
            "{code} still reported after the fix: {fixed}\n{after:?}"
        );
        assert!(
            after
                .iter()
                .all(|d| d.severity != mica_check::Severity::Error),
            "{code}: the fix added errors: {fixed}\n{after:?}"
        );
    }
}

#[test]
fn a_suggestion_with_quotes_is_escaped_in_the_fix() {
    let source = "He called it \"largely a success\" in 2024.\n";
    let text = "[A]{#a cite=art:\"He called it \\\"largely a failure\\\" in 2024.\"}\n";
    let d = diagnostics_with(source, text).remove(0);
    assert_eq!(d.code, Code::QuoteNotFound);
    assert_eq!(
        d.suggestion.as_deref(),
        Some("He called it \"largely a success\" in 2024.")
    );
    let fixed = apply(text, &d);
    assert!(
        fixed.contains(r#""He called it \"largely a success\" in 2024.""#),
        "{fixed}"
    );
    assert!(diagnostics_with(source, &fixed).is_empty());
}

#[test]
fn a_quote_outside_its_lines_still_resolves_to_where_it_is() {
    let text = "[A]{#a cite=art:L1:\"Chinese: 中国制造2025\"}\n";
    let parse = parse(text);
    let input = DocumentInput {
        path: "doc.mica",
        text,
        parse: &parse,
    };
    let checked = check(&config(), &provider(SOURCE), &[input]).remove(0);
    assert_eq!(checked.diagnostics[0].code, Code::QuoteOutsideLines);
    let target = checked.citations[0].target.expect("resolved");
    assert_eq!(&SOURCE[target.to_range()], "Chinese: 中国制造2025");
}

#[test]
fn a_long_quote_that_is_not_found_is_checked_quickly() {
    // A pasted page as a quote once built a DFA of its length times the alphabet; the check
    // must stay linear (the test would take minutes otherwise; it asserts no timing).
    let text = format!("[A]{{#a cite=art:\"{}\"}}\n", "y".repeat(100_000));
    let d = diagnostics(&text);
    assert_eq!(d[0].code, Code::QuoteNotFound);
}

#[test]
fn a_quote_too_long_for_a_suggestion_says_so() {
    let long = format!(
        "{} end",
        "word ".repeat(mica_sources::MAX_SUGGESTION_CHARS / 5)
    );
    let d = diagnostics(&format!("[A]{{#a cite=art:\"{long}\"}}\n"));
    assert_eq!(d[0].code, Code::QuoteNotFound);
    assert!(
        d[0].message.ends_with(
            "it is too long to look for a close passage (over 10000 characters without an \
             elision): quote a shorter passage, or elide with `...`"
        ),
        "{}",
        d[0].message
    );
    // With an elision, each part is short enough, and the message is the usual one.
    let elided = format!("{}... end", "word ".repeat(10));
    let d = diagnostics(&format!("[A]{{#a cite=art:\"{elided}\"}}\n"));
    assert!(
        d[0].message
            .ends_with("nothing in it is close: check the source id and the wording")
    );
}

#[test]
fn front_matter_dates_are_checked() {
    let d = diagnostics("---\ndate: 2025-02-30\n---\n[A]{#a cite=art:L1}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::InvalidValue);
    assert_eq!(d[0].location.range, mica_syntax::TextRange::new(10, 20));
    assert!(
        d[0].message.contains("no such month or day"),
        "{}",
        d[0].message
    );
    assert!(
        diagnostics("---\ndate: 2025-02\nreliability: high\n---\n[A]{#a cite=art:L1}\n").is_empty()
    );
}

#[test]
fn an_elided_quote_whose_parts_are_too_far_apart_says_so_and_offers_no_fix() {
    let text = "[A]{#a cite=art:\"ONE ... TWO\"}\n";
    let d = diagnostics_with(&format!("ONE {} TWO\n", "y ".repeat(300)), text).remove(0);
    assert_eq!(d.code, Code::QuoteNotFound);
    assert_eq!(
        d.message,
        "every part of this elided quote occurs in `art` (src.txt), but not in this order with at \
         most 400 characters between consecutive parts: quote a shorter passage, or cite the \
         parts separately"
    );
    assert!(d.fix.is_none() && d.suggestion.is_none());
}

#[test]
fn a_bare_percentage_in_p_hints_at_both_spellings() {
    let d = diagnostics("[A]{#a p=70 cite=art:L1}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].message,
        "`70` is not a likelihood: use an ICD 203 term (e.g. likely), a number in [0,1] or a \
         percentage (did you mean `70%` or `0.7`?)"
    );
    // A number that is no percentage either gets no such hint.
    let d = diagnostics("[A]{#a p=170 cite=art:L1}\n");
    assert!(!d[0].message.contains("did you mean"), "{}", d[0].message);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn checking_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "[", "]", "{", "}", "\"", "#a", "#b", " ", "\n", "\n\n", "cite=", "art", ":", "L1", "L9", "L2-1", "-",
        "conf=", "high", "p=", "0.5", "supports=", "@source x \"src.txt\"", "@source y \"../up\"", "note=",
        "the CCP", "...", "…", "中国", "😀", "\r", "2025", "=",
    ]), 0..120)) {
        let text = parts.concat();
        let _ = diagnostics(&text);
    }
}

/// A fix is safe when it cannot change what is quoted or claimed (spec/diagnostics.md, "Safe
/// and unsafe fixes"): `mica check --fix` applies it without asking.
#[test]
fn fixes_are_safe_only_when_nothing_quoted_or_claimed_can_change() {
    let cases: &[(&str, Code, bool)] = &[
        // Moving a line locator to where the quote is.
        (
            "[A]{#a cite=art:L1:\"33 innovation centers\"}\n",
            Code::QuoteOutsideLines,
            true,
        ),
        // Pinning an ambiguous quote to the match already used.
        (
            "[A]{#a cite=art:\"The target was 70 percent by 2025.\"}\n",
            Code::AmbiguousQuote,
            true,
        ),
        // A misspelt key or value with exactly one close candidate, or a known alias.
        ("[A]{#a confidence=high}\n", Code::UnknownAttribute, true),
        ("[A]{#a notee=\"x\"}\n", Code::UnknownAttribute, true),
        ("[A]{#a conf=hihg}\n", Code::InvalidValue, true),
        ("[A]{#a p=likley}\n", Code::InvalidValue, true),
        // Replacing a quote, a source id or a claim reference, or deleting text, is unsafe.
        (
            "[A]{#a cite=art:\"the CCP invested more than $400 billion\"}\n",
            Code::QuoteNotFound,
            false,
        ),
        (
            "[A]{#a cite=arr:\"33 innovation centers\"}\n",
            Code::UnknownSource,
            false,
        ),
        ("[A]{#a supports=#b}\n[B]{#bb}\n", Code::UnknownClaim, false),
        ("[A]{#a zebra=1}\n", Code::UnknownAttribute, false),
    ];
    for (text, code, safe) in cases {
        let diags = diagnostics(text);
        let d = diags
            .iter()
            .find(|d| d.code == *code)
            .unwrap_or_else(|| panic!("no {code} in {text}: {diags:#?}"));
        let fix = d.fix.as_ref().unwrap_or_else(|| panic!("no fix: {d:#?}"));
        assert_eq!(fix.safe, *safe, "{code} in {text}: {}", fix.title);
        if *safe {
            // A safe fix resolves its diagnostic.
            let fixed = apply(text, d);
            assert!(
                !diagnostics(&fixed).iter().any(|e| e.code == *code),
                "{fixed}"
            );
        }
    }
}

/// A quote cited from the wrong source names the source that holds it, and the fix cites that
/// source (and its line) instead.
#[test]
fn a_quote_from_another_declared_source_names_it_and_the_fix_cites_it() {
    let provider = MemoryProvider::new("/ws");
    provider.insert("src.txt", SOURCE);
    provider.insert(
        "memo.txt",
        "A memo.\nIt says subsidies reached every province.\n",
    );
    let config =
        Config::parse("[sources.art]\npath = \"src.txt\"\n[sources.memo]\npath = \"memo.txt\"\n")
            .unwrap();
    let run = |text: &str| {
        let parse = parse(text);
        let input = DocumentInput {
            path: "doc.mica",
            text,
            parse: &parse,
        };
        check(&config, &provider, &[input]).remove(0).diagnostics
    };
    let text = "[A]{#a cite=art:L5:\"subsidies reached every province\"}\n[B]{#b cite=memo:L1}\n";
    let d = run(text).remove(0);
    assert_eq!(d.code, Code::QuoteNotFound);
    assert_eq!(
        d.message,
        "quote not found in `art` (src.txt), but it occurs word for word in `memo` (memo.txt) on \
         line 2: cite `memo` instead"
    );
    assert_eq!(d.labels[0].location.file, "memo.txt");
    let fix = d.fix.as_ref().unwrap();
    assert!(!fix.safe);
    assert_eq!(fix.title, "Cite `memo:L2` instead");
    let fixed = apply(text, &d);
    assert_eq!(
        fixed,
        "[A]{#a cite=memo:L2:\"subsidies reached every province\"}\n[B]{#b cite=memo:L1}\n"
    );
    assert!(run(&fixed).is_empty(), "{:?}", run(&fixed));

    // In no source at all: the closest passage in the cited one, as before.
    let d =
        run("[A]{#a cite=art:\"the CCP invested more than $400 billion\"}\n[B]{#b cite=memo:L1}\n")
            .remove(0);
    assert!(
        d.message.contains("the closest passage, on line 1"),
        "{}",
        d.message
    );
}
