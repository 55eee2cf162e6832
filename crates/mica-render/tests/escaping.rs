//! Property test: whatever a brief and its source hold, the HTML report contains no markup of
//! theirs (no element, attribute or link scheme they could inject), and never panics; the
//! Markdown and JSON renderings never panic either.

use mica_check::Config;
use mica_render::{Format, Report, render};
use mica_sources::MemoryProvider;
use proptest::prelude::*;

/// Pieces a hostile or careless brief is made of.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<script>alert(1)</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("[x](javascript:alert(1))".to_string()),
        Just("![i](http://e.org/i.png)".to_string()),
        Just("<a href=\"javascript:alert(1)\">a</a>".to_string()),
        Just("<!-- c -->".to_string()),
        Just("\n\n".to_string()),
        Just("\n# ".to_string()),
        Just("\n- ".to_string()),
        Just("[claim ".to_string()),
        Just("]{#c conf=high cite=s:\"<script>\" supports=#c}".to_string()),
        Just("]{#d p=likely cite=s:\"a <b>b</b>\" contradicts=#c}".to_string()),
        Just("\u{E000}0\u{E001}".to_string()),
        Just("`code <i>`".to_string()),
        Just("\"'&".to_string()),
        "[a-z <>\\[\\]{}#=:\"'&/\\\\]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_markup_from_the_brief_reaches_the_page(pieces in prop::collection::vec(piece(), 0..24)) {
        let text = format!(
            "---\ntitle: <script>t</script>\n---\n@source s \"src.txt\" title=\"<b>x</b>\" url=\"javascript:x\"\n{}",
            pieces.concat()
        );
        let provider = MemoryProvider::new("/w");
        provider.insert("src.txt", "It says <script> and a <b>b</b> here. Then more.\n- <i>item</i>\n");
        let report = Report::build(&Config::default(), &provider, "b.mica", text.into_bytes());
        let html = render(&report, Format::Html);
        // Every tag in the page is one of ours: check each raw `<...>`.
        for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
            let t = tag.to_ascii_lowercase();
            let name = t.trim_start_matches('/').split([' ', '\n']).next().unwrap_or("");
            prop_assert!(!matches!(name, "script" | "img" | "b" | "i" | "iframe"), "<{tag}> for {pieces:?}");
            prop_assert!(!t.contains("javascript:") && !t.contains("onerror"), "<{tag}> for {pieces:?}");
        }
        // Each claim is in the page once (plus the legend's three samples): the brief cannot
        // forge the placeholders that stand for claims.
        prop_assert_eq!(html.matches("<span class=\"claim ").count(), report.claims.len() + 3);
        render(&report, Format::Markdown);
        render(&report, Format::Json);
    }
}
