//! Common slips get one clear error with a safe fix: curly quotes typed as string delimiters
//! and spaces around `=`. Applying the fix gives the text the author meant, which parses
//! without errors into the same claims.

use mica_syntax::{Parse, ValueKind, parse};
use proptest::prelude::*;

/// `text` with every fix of `parse` applied (edits never overlap).
fn apply_fixes(text: &str, parse: &Parse) -> String {
    let mut edits: Vec<_> = (parse.errors.iter())
        .filter_map(|e| e.fix.as_ref())
        .flat_map(|f| f.edits.iter())
        .collect();
    edits.sort_by_key(|e| e.range.start());
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start()]);
        out.push_str(&e.new_text);
        at = e.range.end();
    }
    out.push_str(&text[at..]);
    out
}

#[test]
fn curly_quotes_around_a_quote_are_one_error_with_a_fix() {
    let text = "[The Party invested.]{#c1 conf=high cite=wiki:L5-6:“the CCP invested more than $300 billion”}\n";
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{:#?}", p.errors);
    let e = &p.errors[0];
    assert!(
        e.message.contains("straight double quotes"),
        "{}",
        e.message
    );
    assert_eq!(
        &text[e.range.to_range()],
        "“the CCP invested more than $300 billion”"
    );
    let fix = e.fix.as_ref().expect("a fix");
    assert!(fix.safe);
    assert_eq!(fix.edits.len(), 2);
    let fixed = apply_fixes(text, &p);
    assert_eq!(
        fixed,
        "[The Party invested.]{#c1 conf=high cite=wiki:L5-6:\"the CCP invested more than $300 billion\"}\n"
    );
    let after = parse(&fixed);
    assert!(after.errors.is_empty(), "{:#?}", after.errors);
    let cite = after.document.claims[0].citations().next().unwrap();
    assert_eq!(
        cite.quote.as_ref().unwrap().value,
        "the CCP invested more than $300 billion"
    );
    // Before the fix the claim keeps its other attributes and its citation, without the quote.
    let claim = &p.document.claims[0];
    assert!(claim.has_errors);
    assert_eq!(claim.attrs.len(), 2);
    let cite = claim.citations().next().unwrap();
    assert_eq!(cite.source.name, "wiki");
    assert!(cite.quote.is_none());
}

#[test]
fn curly_quotes_may_hold_markup_that_straight_ones_would() {
    // Inside the quote, `}`, `[` and `=` are text, as they are between straight quotes.
    let text = "[x]{#c1 note=“a } [b] = c” .t}";
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{:#?}", p.errors);
    let after = parse(&apply_fixes(text, &p));
    assert!(after.errors.is_empty(), "{:#?}", after.errors);
    assert_eq!(after.document.claims[0].tags[0].name, "t");
    assert_eq!(p.document.claims[0].tags[0].name, "t");
}

#[test]
fn curly_quotes_that_do_not_close_are_not_this_slip() {
    // No closing curly quote in the paragraph, or a straight `"` inside: not recognised, so
    // the usual errors stand and no fix is offered.
    for text in [
        "[x]{#c1 cite=wiki:“never closed}\n\nmore”",
        "[x]{#c1 note=“a \"b\" c”}",
    ] {
        let p = parse(text);
        assert!(p.errors.iter().all(|e| e.fix.is_none()), "{:#?}", p.errors);
    }
}

#[test]
fn spaces_around_eq_are_one_error_with_a_fix() {
    for (text, shown) in [
        ("[x]{#c1 conf = high}", "conf=high"),
        ("[x]{#c1 conf= high}", "conf=high"),
        ("[x]{#c1 conf =high}", "conf=high"),
        ("[x]{#c1 note = \"a b\"}", "note=..."),
    ] {
        let p = parse(text);
        assert_eq!(p.errors.len(), 1, "{text}: {:#?}", p.errors);
        let e = &p.errors[0];
        assert!(e.message.contains("no spaces"), "{}", e.message);
        assert!(e.message.contains(shown), "{}", e.message);
        assert!(e.fix.as_ref().unwrap().safe);
        let fixed = apply_fixes(text, &p);
        let after = parse(&fixed);
        assert!(after.errors.is_empty(), "{fixed}: {:#?}", after.errors);
        // The same value, at the shifted place.
        let kind = |p: &Parse| {
            let kind = format!("{:?}", p.document.claims[0].attrs[0].value.kind);
            kind.replace(|c: char| c.is_ascii_digit(), "")
        };
        assert_eq!(kind(&after), kind(&p), "{text}");
    }
    let p = parse("@source wiki \"w.txt\" title = \"W\"\n");
    assert_eq!(p.errors.len(), 1, "{:#?}", p.errors);
    assert_eq!(p.document.sources[0].attrs[0].key.name, "title");
}

#[test]
fn an_equals_sign_that_is_not_a_slip_keeps_its_errors() {
    // `=` with nothing usable on one side is not `key = value`.
    for text in ["[x]{#c1 = high}", "[x]{#c1 conf = }", "[x]{#c1 .t = x}"] {
        let p = parse(text);
        assert!(!p.errors.is_empty(), "{text}");
        assert!(
            p.errors.iter().all(|e| e.fix.is_none()),
            "{text}: {:#?}",
            p.errors
        );
    }
}

/// A claim as the author meant it, and the same claim with some of the slips a word processor
/// or a hurried hand makes.
fn claim() -> impl Strategy<Value = (String, String)> {
    let value = prop::sample::select(vec![
        ("conf", "high"),
        ("p", "likely"),
        ("cite", "wiki:\"a quoted passage\""),
        ("cite", "wiki:L3-4:\"with } and [ inside\""),
        ("note", "\"free text, with = signs\""),
        ("supports", "#c0"),
    ]);
    let slip = prop::sample::select(vec![0u8, 1, 2, 3, 4]);
    prop::collection::vec((value, slip), 1..5).prop_map(|attrs| {
        let (mut good, mut bad) = (
            String::from("[A claim.]{#c1"),
            String::from("[A claim.]{#c1"),
        );
        for ((k, v), slip) in attrs {
            good.push_str(&format!(" {k}={v}"));
            let eq = ["=", " = ", "= ", " =", "="][slip as usize];
            let v = if slip == 4 && v.ends_with('"') && v.matches('"').count() == 2 {
                let open = v.find('"').unwrap();
                format!("{}“{}”", &v[..open], &v[open + 1..v.len() - 1])
            } else {
                v.to_string()
            };
            bad.push_str(&format!(" {k}{eq}{v}"));
        }
        good.push_str("}\n");
        bad.push_str("}\n");
        (good, bad)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn fixing_every_slip_gives_the_text_meant(claims in prop::collection::vec(claim(), 1..6)) {
        let good: String = claims.iter().map(|(g, _)| format!("{g}\n")).collect();
        let bad: String = claims.iter().map(|(_, b)| format!("{b}\n")).collect();
        let p = parse(&bad);
        prop_assert!(p.errors.iter().all(|e| e.fix.as_ref().is_some_and(|f| f.safe)), "{:#?}", p.errors);
        prop_assert_eq!(apply_fixes(&bad, &p), good.clone());
        let meant = parse(&good);
        prop_assert!(meant.errors.is_empty());
        // Before the fix, every attribute is read as meant, except quotes in curly quotes.
        for (before, after) in p.document.claims.iter().zip(&meant.document.claims) {
            prop_assert_eq!(before.attrs.len(), after.attrs.len());
            for (b, a) in before.attrs.iter().zip(&after.attrs) {
                prop_assert_eq!(&b.key.name, &a.key.name);
                let curly = matches!(&b.value.kind, ValueKind::Missing)
                    || matches!(&b.value.kind, ValueKind::Citation(c) if c.quote.is_none());
                if !curly {
                    prop_assert_eq!(
                        format!("{:?}", b.value.kind).replace(|c: char| c.is_ascii_digit(), ""),
                        format!("{:?}", a.value.kind).replace(|c: char| c.is_ascii_digit(), "")
                    );
                }
            }
        }
    }
}
