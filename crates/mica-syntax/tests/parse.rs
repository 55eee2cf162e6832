//! Data-driven parser tests: every `tests/parse/*.mica` file is parsed and its syntax tree
//! and errors are compared with the snapshot beside it (`cargo insta review` to update).

use mica_syntax::{ColumnUnit, LineIndex, Parse, TextRange, ValueKind, parse};
use std::fmt::Write;

/// A compact, reviewable rendering of a parse: one line per annotation, positions as line:col.
fn render(text: &str, parse: &Parse) -> String {
    let idx = LineIndex::new(text);
    let pos = |r: TextRange| {
        let s = idx.line_col(text, r.start(), ColumnUnit::Char);
        let e = idx.line_col(text, r.end(), ColumnUnit::Char);
        format!("{}:{}-{}:{}", s.line + 1, s.col + 1, e.line + 1, e.col + 1)
    };
    let doc = &parse.document;
    let mut out = String::new();
    if let Some(fm) = &doc.front_matter {
        writeln!(out, "front-matter {}", pos(fm.range)).unwrap();
        for e in &fm.entries {
            writeln!(out, "  {} = {:?}", e.key.name, e.value).unwrap();
        }
    }
    for h in &doc.headings {
        writeln!(out, "heading h{} {} {:?}", h.level, pos(h.range), h.title).unwrap();
    }
    for c in &doc.comments {
        writeln!(out, "comment {}", pos(*c)).unwrap();
    }
    for s in &doc.sources {
        let id = s.id.as_ref().map_or("?", |i| i.name.as_str());
        let path = s.path.as_ref().map_or("?", |p| p.value.as_str());
        writeln!(out, "source {id} {path:?} {}", pos(s.range)).unwrap();
        for a in &s.attrs {
            writeln!(out, "  {}", attr(&a.key.name, &a.value.kind)).unwrap();
        }
    }
    for c in &doc.claims {
        let id =
            c.id.as_ref()
                .map_or(String::new(), |i| format!(" #{}", i.name));
        let tags: String = c.tags.iter().map(|t| format!(" .{}", t.name)).collect();
        let err = if c.has_errors { " (has errors)" } else { "" };
        writeln!(out, "claim {}{id}{tags}{err} {:?}", pos(c.range()), c.text).unwrap();
        for a in &c.attrs {
            writeln!(out, "  {}", attr(&a.key.name, &a.value.kind)).unwrap();
        }
    }
    for e in &parse.errors {
        writeln!(out, "error {} {}", pos(e.range), e.message).unwrap();
    }
    out
}

fn attr(key: &str, kind: &ValueKind) -> String {
    let value = match kind {
        ValueKind::Bare(s) => format!("bare {s:?}"),
        ValueKind::Str(s) => format!("str {:?}", s.value),
        ValueKind::Ref(name) => format!("ref #{name}"),
        ValueKind::Citation(c) => {
            let mut s = format!("cite {}", c.source.name);
            if let Some(l) = &c.lines {
                write!(s, " L{}-{}", l.start, l.end).unwrap();
            }
            if let Some(q) = &c.quote {
                write!(s, " quote {:?}", q.value).unwrap();
            }
            s
        }
        ValueKind::Invalid(why) => format!("invalid ({why})"),
        ValueKind::Missing => "missing".into(),
    };
    format!("{key} = {value}")
}

#[test]
fn parse_fixtures() {
    insta::glob!("parse/*.mica", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(render(&text, &parse(&text)));
    });
}
