//! Differential tests: the shipped parser against the previous one (`reference`), on every
//! example, fault and fixture in the repository and on generated documents.

use crate::parser::Options;
use crate::{Parse, parse_with, reference};
use proptest::prelude::*;
use std::path::Path;

fn same(text: &str) {
    let new: Parse = parse_with(text, Options { slips: false });
    let old: Parse = reference::parse(text);
    assert_eq!(new, old, "the parsers disagree on {text:?}");
}

fn mica_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            mica_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "mica" || e == "fixture")
        {
            out.push(path);
        }
    }
}

#[test]
fn every_example_fault_and_fixture_parses_as_before() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["spec", "crates", "editors"] {
        mica_files(&root.join(dir), &mut files);
    }
    assert!(files.len() >= 20, "found only {files:?}");
    for path in files {
        same(&std::fs::read_to_string(&path).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn generated_markup_parses_as_before(parts in prop::collection::vec(prop::sample::select(vec![
        "[", "]", "{", "}", "(", ")", "\"", "\\", "#", "##", "###", ".", "=", ":", "<!--", "-->",
        "@source", "@sources", " ", "  ", "    ", "\t", "\n", "\n\n", "\n \n", "\r", "\r\n", "---\n",
        "cite=", "wiki", "L12-3", "中", "😀", "\u{a0}", "\u{feff}", "conf=high", "#c1", ".tag",
        "\\[", "\\]", "\\\"", "<", "!", "-", "word", "“", "”", "x=", " = ", "###### ", "####### ",
        "\n###### h", "\n    # h", "\n   @source s \"p\"", "<!---->", "-->\n",
    ]), 0..120)) {
        same(&parts.concat());
    }

    #[test]
    fn arbitrary_text_parses_as_before(text in "\\PC*") {
        same(&text);
    }

    #[test]
    fn claim_like_documents_parse_as_before(lines in prop::collection::vec(prop::sample::select(vec![
        "# Heading\n", "## [A claim in a heading]{#h1 conf=high}\n", "Plain prose, with a [link](x).\n",
        "\n", "[Claim one]{#c1 .t conf=high p=likely cite=wiki:L3-4:\"a quote\"}\n",
        "[Unclosed]{#c2 conf=low\n", "[Broken\n\nclaim]{#c3}\n", "@source wiki \"seeds/w.txt\" title=\"T\"\n",
        "@source x\n", "  @source y \"p\" #bad extra\n", "<!-- [x]{#y} -->\n", "text ]{#z} more\n",
        "[a [b]{#in} c]{#out}\n", "[q]{note=\"unterminated\n", "\\[1\\]{2}\n", "[x]{cite=s:\"a\" cite=s:L0}\n",
    ]), 0..40)) {
        same(&lines.concat());
    }
}
