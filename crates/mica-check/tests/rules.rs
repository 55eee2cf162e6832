//! Data-driven checker tests. Each `tests/rules/*.fixture` is a small workspace written as one
//! text with `//- path` file markers; every `.mica` file in it carries its expectations inline,
//! as `<!-- expect: code, code -->` at the end of the line each diagnostic starts on. The test
//! checks the workspace and compares the (line, code) pairs it reports with those expected.

use mica_check::{Config, DocumentInput, check, check_config};
use mica_sources::MemoryProvider;
use mica_syntax::{ColumnUnit, LineIndex, parse};
use std::fmt::Write;

struct Fixture {
    files: Vec<(String, String)>,
}

fn fixture(text: &str) -> Fixture {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- /") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        }
    }
    Fixture { files }
}

fn expectations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.split("<!-- expect: ").nth(1) {
            let codes = rest.trim_end().trim_end_matches("-->").trim();
            for code in codes.split(',') {
                out.push((i + 1, code.trim().to_string()));
            }
        }
    }
    out.sort();
    out
}

fn run(name: &str, text: &str) -> Result<(), String> {
    let fx = fixture(text);
    let provider = MemoryProvider::new("/ws");
    let mut config = Config::default();
    for (path, body) in &fx.files {
        if path == "mica.toml" {
            config = Config::parse(body).map_err(|e| format!("{name}: {e}"))?;
        } else if !path.ends_with(".mica") {
            provider.insert(path, body.clone());
        }
    }
    let docs: Vec<(&str, &str, mica_syntax::Parse)> = fx
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".mica"))
        .map(|(p, b)| (p.as_str(), b.as_str(), parse(b)))
        .collect();
    let inputs: Vec<DocumentInput<'_>> = docs
        .iter()
        .map(|(path, text, parse)| DocumentInput { path, text, parse })
        .collect();
    let checked = check(&config, &provider, &inputs);
    let mut report = String::new();
    for ((path, text, _), doc) in docs.iter().zip(&checked) {
        let idx = LineIndex::new(text);
        let mut actual: Vec<(usize, String)> = doc
            .diagnostics
            .iter()
            .map(|d| {
                let lc = idx.line_col(text, d.location.range.start(), ColumnUnit::Char);
                (lc.line + 1, d.code.name().to_string())
            })
            .collect();
        actual.sort();
        let expected = expectations(text);
        if actual != expected {
            writeln!(
                report,
                "{name}/{path}: expected {expected:?}\n  got {actual:?}"
            )
            .unwrap();
            for d in &doc.diagnostics {
                writeln!(
                    report,
                    "    {} {:?} {}",
                    d.code, d.location.range, d.message
                )
                .unwrap();
            }
        }
    }
    let config_diags = check_config(&config, &provider);
    if !config_diags.is_empty() {
        writeln!(
            report,
            "{name}: unexpected mica.toml diagnostics {config_diags:?}"
        )
        .unwrap();
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

#[test]
fn rule_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules");
    let mut failures = String::new();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "fixture") {
            count += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if let Err(e) = run(&name, &text) {
                failures.push_str(&e);
            }
        }
    }
    assert!(count >= 5, "fixtures missing");
    assert!(failures.is_empty(), "\n{failures}");
}
