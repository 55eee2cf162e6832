//! Benchmark of `mica lsp` as an editor drives it: a 2,000-claim document citing the seed
//! corpus, typed into keystroke by keystroke. Reports the median and 99th percentile of
//! didChange-to-publishDiagnostics and of hover, next to the round trip of a request that does
//! no work (the floor).
//!
//! Run: `cargo build --release -p mica-cli && cargo run --release -p mica-lsp --example
//! lsp_bench` (the server is `$MICA_BIN`, or `mica` next to the example's target folder).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Client, uri};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// Claims in the generated document.
const CLAIMS: usize = 2000;

/// The sources the document cites: id, seed file, and whether `mica.toml` declares it.
const SOURCES: &[(&str, &str, bool)] = &[
    ("wiki", "seeds/002_ea804cd81d83a2a9.txt", true),
    ("merics", "seeds/001_59eed631941b965d.txt", true),
    ("primer", "seeds/003_3ada9579df3eea54.txt", true),
    ("epoch", "seeds/000_e97dfd8da811624b.txt", false),
    ("overview", "seeds/004_0c3e1989dc76a946.txt", false),
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A brief of `CLAIMS` claims, each quoting a few words of one line of a seed.
fn generate(repo: &Path) -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let seeds: Vec<Vec<Vec<String>>> = SOURCES
        .iter()
        .map(|(_, path, _)| {
            std::fs::read_to_string(repo.join(path))
                .expect("seed")
                .lines()
                .map(|l| l.split_whitespace().map(str::to_string).collect())
                .collect()
        })
        .collect();
    let mut doc = String::from("---\ntitle: Generated brief\n---\n\n");
    for (id, path, in_config) in SOURCES {
        if !in_config {
            doc.push_str(&format!("@source {id} \"{path}\" reliability=D\n"));
        }
    }
    let terms = [
        "likely",
        "very-likely",
        "roughly-even",
        "unlikely",
        "0.7",
        "65%",
    ];
    let confs = ["low", "moderate", "high"];
    let mut i = 0;
    while i < CLAIMS {
        if i % 50 == 0 && !doc.ends_with(&format!("## Section {}\n\n", i / 50 + 1)) {
            doc.push_str(&format!("\n## Section {}\n\n", i / 50 + 1));
        }
        let s = rng.below(SOURCES.len());
        let lines = &seeds[s];
        let (line_no, words) = loop {
            let n = rng.below(lines.len());
            if lines[n].len() >= 8 {
                break (n + 1, &lines[n]);
            }
        };
        // Six consecutive words without characters a quote would have to escape or that
        // mark an elision.
        let start = rng.below(words.len() - 6);
        let window = &words[start..start + 6];
        if window
            .iter()
            .any(|w| w.contains(['"', '\\', '…', '“', '”']) || w.contains(".."))
        {
            continue;
        }
        let quote = window.join(" ");
        let locator = if i % 7 == 0 {
            format!("L{line_no}:")
        } else {
            String::new()
        };
        let support = if i > 0 && i % 11 == 0 {
            format!(" supports=#c{}", i - 1)
        } else {
            String::new()
        };
        doc.push_str(&format!(
            "[Claim {i} restates what the source says about the plan.]{{#c{i} conf={} p={}{support}\n  cite={}:{locator}\"{quote}\"}}\n\n",
            confs[i % 3],
            terms[i % terms.len()],
            SOURCES[s].0,
        ));
        i += 1;
    }
    doc
}

fn stats(name: &str, mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    let median = v[n / 2];
    let p99 = v[((n * 99).div_ceil(100)).saturating_sub(1)];
    println!(
        "{name:<34} n={n:<5} median {:>8.3} ms   p99 {:>8.3} ms",
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    median
}

/// The UTF-16 position of byte `offset` of `text` (lines end with `\n`).
fn pos(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({
        "line": text[..offset].matches('\n').count(),
        "character": text[line_start..offset].encode_utf16().count(),
    })
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ws = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo.join("mica.toml"), ws.path().join("mica.toml")).expect("mica.toml");
    std::fs::create_dir(ws.path().join("seeds")).unwrap();
    for (_, path, _) in SOURCES {
        let to = ws.path().join(path);
        std::fs::write(&to, std::fs::read(repo.join(path)).expect("seed")).unwrap();
    }
    let mut text = generate(&repo);
    let doc_path = ws.path().join("brief.mica");
    std::fs::write(&doc_path, &text).unwrap();
    let u = uri(&doc_path);
    println!(
        "document: {CLAIMS} claims, {} bytes, {} lines; server: {}",
        text.len(),
        text.lines().count(),
        common::mica_bin().display()
    );

    let mut c = Client::spawn(ws.path());
    c.initialize(
        ws.path(),
        json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}}),
    );
    let t = Instant::now();
    c.open(&u, &text, 1);
    let first = c.diagnostics(&u, Some(1));
    let mut by_code = std::collections::BTreeMap::new();
    for d in &first {
        *by_code
            .entry(d["code"].as_str().unwrap_or("").to_string())
            .or_insert(0) += 1;
    }
    println!(
        "open to first diagnostics: {:.1} ms ({} diagnostics: {by_code:?})",
        t.elapsed().as_secs_f64() * 1e3,
        first.len()
    );

    // The floor: a request that finds nothing to do (hover on a document never opened).
    let ghost = uri(&ws.path().join("ghost.mica"));
    let mut floor = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": ghost}, "position": {"line": 0, "character": 0}}),
        );
        floor.push(t.elapsed());
    }

    // Typing: into the text of claims spread over the document, then a new citation with a
    // quote, one character per didChange, each waited for like an editor at human speed.
    let typed = " It adds a detail.";
    let new_cite = " cite=wiki:\"more than 86 percent\"";
    let mut version = 1;
    let mut edit = Vec::new();
    let mut hover = Vec::new();
    let mut rng = Rng(7);
    for round in 0..8 {
        let claim = 100 + round * 230;
        let marker = format!("Claim {claim} restates what the source says about the plan.");
        let mut at = text.find(&marker).expect("claim") + marker.len();
        let keys = if round % 2 == 0 { typed } else { new_cite };
        if round % 2 == 1 {
            // Into the attribute list, just before its closing brace.
            at = text[at..].find('}').map(|i| at + i).expect("brace");
        }
        for ch in keys.chars() {
            version += 1;
            let p = pos(&text, at);
            let s = ch.to_string();
            let t = Instant::now();
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": u, "version": version},
                       "contentChanges": [{"range": {"start": p, "end": p}, "text": s}]}),
            );
            c.diagnostics(&u, Some(version));
            edit.push(t.elapsed());
            text.insert_str(at, &s);
            at += s.len();
            // Hover over a claim now and then, as the mouse passes.
            let target = format!("#c{}", rng.below(CLAIMS));
            let off = text.find(&format!("{target} ")).expect("claim id") + 2;
            let t = Instant::now();
            let h = c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": u}, "position": pos(&text, off)}),
            );
            hover.push(t.elapsed());
            assert!(!h.is_null(), "no hover at {target}");
            std::thread::sleep(Duration::from_millis(15));
        }
    }
    let state = c.request("mica/documentState", json!({"uri": u}));
    assert_eq!(state["length"], text.len(), "the server's text drifted");

    println!();
    let f = stats("floor (trivial request round trip)", floor);
    let e = stats("didChange -> publishDiagnostics", edit);
    let h = stats("hover (claim with citations)", hover);
    println!();
    println!(
        "median ratios to the floor: edit-to-diagnostics {:.0}x, hover {:.1}x",
        e.as_secs_f64() / f.as_secs_f64(),
        h.as_secs_f64() / f.as_secs_f64()
    );
    assert!(c.shutdown_and_exit().success());
}
