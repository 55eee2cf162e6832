//! Benchmark of a whole check: generates a large workspace on disk (by default 100 MB of source
//! text in 100 files, and 10,000 claims in 10 documents citing them) and reports how long
//! loading, parsing and checking take, the same pipeline `mica check` runs.
//!
//! `cargo bench -p mica-check --bench check_workspace`; set `MICA_BENCH_MB` and
//! `MICA_BENCH_CLAIMS` to change the sizes. It prints figures; it asserts no timing.

use mica_check::{Config, DocumentInput, check};
use mica_sources::FsProvider;
use std::fmt::Write as _;
use std::time::Instant;

/// A small deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let mb = env_usize("MICA_BENCH_MB", 100);
    let claims = env_usize("MICA_BENCH_CLAIMS", 10_000);
    let alter_every = env_usize("MICA_BENCH_ALTER_EVERY", 10);
    let files = 100.min(mb.max(1));
    let seeds_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
    let mut sentences: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(seeds_dir).expect("seeds").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("seed");
        sentences.extend(
            text.split_inclusive(['.', '\n'])
                .map(str::to_string)
                .filter(|s| s.len() > 20),
        );
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("sources")).unwrap();

    // Sources: seed sentences in random order, each prefixed by a serial number so that most
    // passages are unique, as in a real corpus.
    let t = Instant::now();
    let per_file = mb * 1024 * 1024 / files;
    let mut texts: Vec<String> = Vec::with_capacity(files);
    let mut serial = 0u64;
    for i in 0..files {
        let mut text = String::with_capacity(per_file + 1024);
        while text.len() < per_file {
            serial += 1;
            let s = &sentences[rng.below(sentences.len())];
            write!(text, "[{serial}] {s}").unwrap();
            if rng.below(4) == 0 {
                text.push('\n');
            }
        }
        std::fs::write(root.join(format!("sources/s{i:03}.txt")), &text).unwrap();
        texts.push(text);
    }
    let mut toml = String::from("[workspace]\n\n");
    for i in 0..files {
        writeln!(toml, "[sources.s{i:03}]\npath = \"sources/s{i:03}.txt\"\n").unwrap();
    }
    std::fs::write(root.join("mica.toml"), &toml).unwrap();

    // Documents: quotes cut from the sources at word boundaries; one in ten altered so that it
    // is not found and gets a suggestion; one in five with a line locator.
    let docs = 10;
    let mut altered = 0;
    let mut doc_texts = vec![String::new(); docs];
    for c in 0..claims {
        let f = rng.below(files);
        let text = &texts[f];
        let mut start = rng.below(text.len() - 400);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let from = text[start..].find(' ').map_or(start, |i| start + i + 1);
        let len = 40 + rng.below(80);
        let mut end = (from + len).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let to = text[..end].rfind(' ').filter(|&e| e > from).unwrap_or(end);
        let mut quote = text[from..to].replace('\n', " ");
        // Keep the quotes plain (escaping is tested elsewhere): drop a claim's quote characters
        // by cutting the quote before the first one.
        if let Some(cut) = quote.find(['"', '\\']) {
            quote.truncate(cut);
        }
        if quote.trim().len() < 12 {
            quote = "Made in China 2025".into();
        }
        if alter_every > 0 && c % alter_every == 0 {
            quote = quote.replacen(' ', " zebra ", 1);
            altered += 1;
        }
        let locator = if c % 5 == 1 {
            let line = text[..from].matches('\n').count() + 1;
            let last = line + text[from..to].matches('\n').count();
            format!("L{line}-{last}:")
        } else {
            String::new()
        };
        writeln!(
            doc_texts[c % docs],
            "- [Claim {c} about the corpus]{{#c{c} conf=moderate p=likely cite=s{f:03}:{locator}\"{}\"}}",
            quote.trim()
        )
        .unwrap();
    }
    for (i, t) in doc_texts.iter().enumerate() {
        std::fs::write(root.join(format!("brief{i}.mica")), t).unwrap();
    }
    let generated = t.elapsed();

    // The pipeline `mica check` runs.
    let t = Instant::now();
    let config = Config::parse(&std::fs::read_to_string(root.join("mica.toml")).unwrap()).unwrap();
    let provider = FsProvider::new(root);
    let doc_texts: Vec<(String, String)> = (0..docs)
        .map(|i| {
            let p = format!("brief{i}.mica");
            let text = std::fs::read_to_string(root.join(&p)).unwrap();
            (p, text)
        })
        .collect();
    let parses: Vec<_> = doc_texts
        .iter()
        .map(|(_, t)| mica_syntax::parse(t))
        .collect();
    let parsed = t.elapsed();
    // Load (read + normalise) every source up front to time it apart from matching; the
    // provider's cache hands the same files to the checker.
    let t1 = Instant::now();
    for s in &config.sources {
        mica_sources::SourceProvider::load(&provider, &s.path).expect("source");
    }
    let loaded = t1.elapsed();
    let inputs: Vec<DocumentInput<'_>> = doc_texts
        .iter()
        .zip(&parses)
        .map(|((path, text), parse)| DocumentInput { path, text, parse })
        .collect();
    let t2 = Instant::now();
    let checked = check(&config, &provider, &inputs);
    let checked_in = t2.elapsed();
    let total = t.elapsed();
    let mut counts = std::collections::BTreeMap::new();
    for d in checked.iter().flat_map(|c| &c.diagnostics) {
        *counts.entry(d.code.name()).or_insert(0usize) += 1;
    }
    let suggested = checked
        .iter()
        .flat_map(|c| &c.citations)
        .filter(|c| c.suggestion.is_some())
        .count();

    println!(
        "workspace: {mb} MB of sources in {files} files, {claims} claims in {docs} documents ({altered} quotes altered)"
    );
    println!("generated in {:.2?}", generated);
    println!("parse:  {:>8.2?}", parsed);
    println!("load:   {:>8.2?}  (read + normalise {mb} MB)", loaded);
    println!(
        "check:  {:>8.2?}  (match {claims} quotes in one pass per source, suggest for the misses)",
        checked_in
    );
    println!(
        "total:  {:>8.2?}  ({:.1} MB/s of source)",
        total,
        mb as f64 / total.as_secs_f64()
    );
    println!("diagnostics: {counts:?}; suggestions for {suggested} of {altered} altered quotes");
}
