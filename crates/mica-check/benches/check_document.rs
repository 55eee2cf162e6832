//! Benchmark of the editor's hot path: re-checking one 2,000-claim document against the seeds,
//! as the language server does after each keystroke (sources already loaded and their quotes
//! cached). Prints the median and 99th percentile of parse and check times, and the check time
//! with the tradecraft rules turned off in the same run (interleaved), to show what they cost;
//! asserts nothing.
//!
//! `cargo bench -p mica-check --bench check_document`

use mica_check::{Code, Config, DocumentInput, check};
use mica_sources::FsProvider;
use std::time::{Duration, Instant};

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let brief =
        std::fs::read_to_string(format!("{root}/spec/examples/mic2025-brief.mica")).expect("brief");
    let config =
        Config::parse(&std::fs::read_to_string(format!("{root}/mica.toml")).expect("mica.toml"))
            .expect("config");
    // The brief's declarations once, then its body repeated with ids made unique per copy,
    // until the document holds at least 2,000 claims.
    let split = brief.find("\n# ").unwrap_or(0);
    let (head, body) = brief.split_at(split);
    let per_copy = mica_syntax::parse(body).document.claims.len().max(1);
    let copies = 2000usize.div_ceil(per_copy);
    let mut text = head.to_string();
    for i in 0..copies {
        text.push_str(
            &body
                .replace("{#", &format!("{{#x{i}-"))
                .replace("=#", &format!("=#x{i}-")),
        );
    }
    let mut without = config.clone();
    for code in [
        Code::LikelihoodMismatch,
        Code::UnstatedLikelihood,
        Code::UnsupportedFigure,
        Code::OverconfidentClaim,
        Code::IncoherentLikelihood,
        Code::ElidedNegation,
        Code::CircularSupport,
    ] {
        without.rules.insert(code, None);
    }
    let provider = FsProvider::new(root);
    let parse = mica_syntax::parse(&text);
    let claims = parse.document.claims.len();
    let input = DocumentInput {
        path: "brief.mica",
        text: &text,
        parse: &parse,
    };
    let first = Instant::now();
    let diags = check(&config, &provider, &[input]).remove(0).diagnostics;
    let cold = first.elapsed();
    let (mut parses, mut checks, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..100 {
        let t = Instant::now();
        let parse = mica_syntax::parse(&text);
        parses.push(t.elapsed());
        let input = DocumentInput {
            path: "brief.mica",
            text: &text,
            parse: &parse,
        };
        let t = Instant::now();
        let _ = check(&config, &provider, &[input]);
        checks.push(t.elapsed());
        let t = Instant::now();
        let _ = check(&without, &provider, &[input]);
        bare.push(t.elapsed());
    }
    println!(
        "document: {claims} claims, {} KB, {} diagnostics",
        text.len() / 1024,
        diags.len()
    );
    println!("first check (loads and normalises the seeds): {cold:.2?}");
    println!(
        "parse: median {:.2?}, p99 {:.2?}",
        percentile(&mut parses, 0.5),
        percentile(&mut parses, 0.99)
    );
    let (with_rules, without_rules) = (percentile(&mut checks, 0.5), percentile(&mut bare, 0.5));
    println!(
        "check: median {with_rules:.2?}, p99 {:.2?}",
        percentile(&mut checks, 0.99)
    );
    println!(
        "check with the tradecraft rules off: median {without_rules:.2?}, p99 {:.2?}",
        percentile(&mut bare, 0.99)
    );
    println!(
        "the tradecraft rules cost {:.2?} ({:.1}% of the check, {:.2} µs a claim)",
        with_rules.saturating_sub(without_rules),
        100.0 * (with_rules.as_secs_f64() / without_rules.as_secs_f64() - 1.0),
        with_rules.saturating_sub(without_rules).as_secs_f64() * 1e6 / claims as f64
    );
}
