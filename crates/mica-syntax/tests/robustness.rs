//! Parsing never fails and never panics: property tests on arbitrary input and a few
//! pathological shapes (deep brackets, huge lines, unclosed everything).

use mica_syntax::parse;
use proptest::prelude::*;

/// Every range the parser reports must lie on character boundaries inside the text.
fn assert_ranges_valid(text: &str) {
    let p = parse(text);
    let ok = |r: mica_syntax::TextRange| {
        r.start() <= r.end()
            && r.end() <= text.len()
            && text.is_char_boundary(r.start())
            && text.is_char_boundary(r.end())
    };
    for e in &p.errors {
        assert!(ok(e.range), "error range {:?} invalid", e.range);
    }
    for c in &p.document.claims {
        assert!(ok(c.range()) && ok(c.text_range) && ok(c.attrs_range));
        for a in &c.attrs {
            assert!(ok(a.range()) && ok(a.value.range));
        }
    }
    for s in &p.document.sources {
        assert!(ok(s.range));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC*") {
        assert_ranges_valid(&text);
    }

    #[test]
    fn never_panics_on_markup_soup(parts in prop::collection::vec(prop::sample::select(vec![
        "[", "]", "{", "}", "(", ")", "\"", "\\", "#", ".", "=", ":", "<!--", "-->", "@source", " ", "\n",
        "\n\n", "\r", "\r\n", "---\n", "cite=", "wiki", "L12-3", "中", "😀", "\u{a0}", "conf=high",
        "“", "”", "=“", "”}", " = ", "x =", "= y", "é",
    ]), 0..200)) {
        assert_ranges_valid(&parts.concat());
    }
}

#[test]
fn pathological_inputs_parse() {
    let cases = [
        "[".repeat(200_000),
        "]{".repeat(100_000),
        "[a]{".repeat(50_000),
        format!("[x]{{note=\"{}", "a".repeat(1_000_000)),
        "<!--".to_string(),
        "---\ntitle: x\n".to_string(),
        "\"".repeat(100_000),
        format!("[{}]{{#a}}", "[b]{#c} ".repeat(10_000)),
    ];
    for text in &cases {
        assert_ranges_valid(text);
    }
}

/// F2 and its kin: one mebibyte of each shape a quadratic parser would choke on (a heading
/// rule that re-counts a run of `#` at every `#` took 46 s for 80 KB). Asserts no timing:
/// a quadratic parser simply does not finish.
#[test]
fn a_mebibyte_of_any_one_markup_character_parses() {
    const MIB: usize = 1 << 20;
    let fill = |unit: &str| unit.repeat(MIB / unit.len());
    let cases = [
        fill("#"),
        fill("# "),
        fill("#\n"),
        fill("["),
        fill("]"),
        fill("{"),
        fill("]{"),
        fill("\""),
        fill("<!--"),
        fill("\\"),
        fill("@source"),
        fill("@source "),
        fill("@source\n"),
        fill("=“"),
        fill("x=“"),
        fill("“"),
        fill("a = "),
        format!("[x]{{{}", fill("x=“ ")),
        format!("[x]{{{}", fill("a = b ")),
        format!("[x]{{{}", fill("\"")),
        format!("[x]{{{}", fill("@source")),
        format!("]{{\"{}", fill("[")),
        fill("[#]{@source \"<!--\\ ="),
        fill("\n   ###### [a]{x=“b”} \\[ <!-- --> @source s \"p\" a = b\n"),
    ];
    for text in &cases {
        assert_ranges_valid(text);
    }
}

#[test]
fn a_broken_claim_does_not_hide_the_rest() {
    let text = "[one]{#a conf=high\n\n[two]{#b oops=}\n[three]{#c [four]{#d}";
    let p = parse(text);
    let ids: Vec<_> = p
        .document
        .claims
        .iter()
        .filter_map(|c| c.id.as_ref())
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(p.errors.len(), 3, "{:#?}", p.errors);
}

#[test]
fn crlf_and_lone_cr_text_parses_like_lf() {
    let lf = "# T\n\n[a\nb]{#x cite=s:L1}\n\n@source s \"p\"\n";
    for eol in ["\r\n", "\r"] {
        let other = lf.replace('\n', eol);
        let (a, b) = (parse(lf), parse(&other));
        assert_eq!(a.errors, b.errors);
        assert_eq!(a.document.claims.len(), b.document.claims.len());
        assert_eq!(a.document.claims[0].text, b.document.claims[0].text);
        assert_eq!(b.document.sources.len(), 1);
        assert_eq!(b.document.headings.len(), 1);
    }
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_line() {
    let p = parse("\u{feff}---\ntitle: x\n---\n@source s \"p\"\n");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(p.document.front_matter.is_some());
    assert_eq!(p.document.sources.len(), 1);
    let p = parse("\u{feff}@source s \"p\"\n");
    assert_eq!(p.document.sources.len(), 1);
}

#[test]
fn deeply_nested_claims_are_reported_and_the_outer_text_is_clean() {
    let n = 20_000;
    let text = format!("{}x{}", "[".repeat(n), "]{.t}".repeat(n));
    let p = parse(&text);
    assert_eq!(p.document.claims.len(), 1);
    assert_eq!(&*p.document.claims[0].text, "x");
    assert_eq!(p.errors.len(), n - 1);
}
