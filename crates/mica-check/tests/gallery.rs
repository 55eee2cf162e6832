//! Pins what `check` reports on the example brief and the fault gallery, in full: every
//! diagnostic in order with its message, labels, suggestion and fix, and where every citation
//! resolved. The rule fixtures check codes and lines; this catches a changed message, order or
//! suggestion.

use mica_check::{CheckedDocument, Config, DocumentInput, check};
use mica_sources::FsProvider;
use std::fmt::Write as _;
use std::path::Path;

/// The gallery files pinned here (files added later are covered by the CLI's gallery test).
const FILES: &[&str] = &[
    "spec/examples/mic2025-brief.mica",
    "spec/examples/faults/ambiguous-quote.mica",
    "spec/examples/faults/duplicate-id.mica",
    "spec/examples/faults/invalid-value.mica",
    "spec/examples/faults/line-out-of-range.mica",
    "spec/examples/faults/quote-not-found.mica",
    "spec/examples/faults/quote-outside-lines.mica",
    "spec/examples/faults/source-outside-root.mica",
    "spec/examples/faults/source-unreadable.mica",
    "spec/examples/faults/syntax-error.mica",
    "spec/examples/faults/uncited-claim.mica",
    "spec/examples/faults/unknown-attribute.mica",
    "spec/examples/faults/unknown-claim.mica",
    "spec/examples/faults/unknown-source.mica",
    "spec/examples/faults/unused-source.mica",
    "spec/examples/faults/likelihood-mismatch.mica",
    "spec/examples/faults/unstated-likelihood.mica",
    "spec/examples/faults/unsupported-figure.mica",
    "spec/examples/faults/overconfident-claim.mica",
    "spec/examples/faults/incoherent-likelihood.mica",
    "spec/examples/faults/elided-negation.mica",
    "spec/examples/faults/circular-support.mica",
];

fn render(doc: &CheckedDocument, parse: &mica_syntax::Parse) -> String {
    let mut s = String::new();
    for d in &doc.diagnostics {
        let r = d.location.range;
        writeln!(
            s,
            "{} {} {}..{}: {}",
            d.severity,
            d.code,
            r.start(),
            r.end(),
            d.message
        )
        .unwrap();
        for l in &d.labels {
            let r = l.location.range;
            writeln!(
                s,
                "  label {} {}..{}: {}",
                l.location.file,
                r.start(),
                r.end(),
                l.message
            )
            .unwrap();
        }
        if let Some(sugg) = &d.suggestion {
            writeln!(s, "  suggestion: {sugg}").unwrap();
        }
        if let Some(f) = &d.fix {
            writeln!(
                s,
                "  fix ({}): {}",
                if f.safe { "safe" } else { "unsafe" },
                f.title
            )
            .unwrap();
            for e in &f.edits {
                let r = e.location.range;
                writeln!(
                    s,
                    "    {} {}..{} -> {:?}",
                    e.location.file,
                    r.start(),
                    r.end(),
                    e.new_text
                )
                .unwrap();
            }
        }
    }
    for c in &doc.citations {
        // The source id is the cited one, in the tree.
        let source_id = &parse.document.claims[c.claim as usize]
            .citations()
            .find(|x| x.range == c.range)
            .expect("a citation of the claim")
            .source
            .name;
        writeln!(
            s,
            "cite #{} {}..{} {} -> {:?} {:?} parts {:?} suggestion {:?}",
            c.claim,
            c.range.start(),
            c.range.end(),
            source_id,
            c.source_path,
            c.target.map(|t| (t.start(), t.end())),
            c.parts
                .iter()
                .map(|p| (p.start(), p.end()))
                .collect::<Vec<_>>(),
            c.suggestion
                .as_ref()
                .map(|s| (&s.text, s.range.start(), s.range.end(), s.distance)),
        )
        .unwrap();
    }
    s
}

#[test]
fn example_and_gallery() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let config = Config::parse(&std::fs::read_to_string(root.join("mica.toml")).unwrap()).unwrap();
    let provider = FsProvider::new(root);
    for path in FILES {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let parse = mica_syntax::parse(&text);
        let input = DocumentInput {
            path,
            text: &text,
            parse: &parse,
        };
        let checked = check(&config, &provider, &[input]);
        let name = Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        insta::assert_snapshot!(name, render(&checked[0], &parse));
    }
}
