//! Parse throughput next to a Markdown parser: generates a 10 MB prose-heavy brief (5,000
//! claims, no citations) and a citation-heavy one from the prose in `seeds/`, then reports the
//! median MB/s of `mica_syntax::parse` and of `pulldown-cmark` (parse + render HTML) on the
//! same bytes, with their ratio. Asserts nothing.
//!
//! Then, when the release binary has been built (`cargo build --release -p mica-cli`), the
//! whole `mica check` on each brief, as a process (read, parse, check, report in JSON and for
//! people), with its peak memory (`/usr/bin/time -v`), next to pulldown-cmark's time on the
//! same bytes.
//!
//! `cargo bench -p mica-syntax --bench parse`
//! Environment: `MICA_BENCH_MB` (size of each brief, default 10), `MICA_BENCH_RUNS` (default
//! 15), `MICA_BENCH_WRITE=DIR` (keep the briefs there).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so every run parses the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The sentences of the seed sources, cleaned of characters that are Mica markup.
fn sentences(root: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(format!("{root}/seeds")).expect("seeds") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("seed");
        for s in text.split(". ") {
            let s: String = s
                .chars()
                .filter(|c| !matches!(c, '[' | ']' | '{' | '}' | '\\' | '<' | '#' | '@' | '\r'))
                .map(|c| if c == '\n' { ' ' } else { c })
                .collect();
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if s.len() > 40 {
                out.push(format!("{s}."));
            }
        }
    }
    out
}

/// Passages of the `wiki` seed that a citation can quote exactly (no `"` or `\` in them).
fn quotes(root: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{root}/seeds/002_ea804cd81d83a2a9.txt")).unwrap();
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .chunks(9)
        .map(|w| w.join(" "))
        .filter(|q| !q.contains(['"', '\\', '<', '*', '[', ']', '#', '|']))
        .collect()
}

/// A brief of about `bytes` bytes with `claims` claims, each in its own paragraph of prose;
/// with `cite`, every claim quotes the `wiki` source twice.
fn brief(root: &str, bytes: usize, claims: usize, cite: bool) -> String {
    let sentences = sentences(root);
    let quotes = quotes(root);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_claim = bytes / claims;
    let mut out = String::with_capacity(bytes + per_claim);
    out.push_str("---\ntitle: Generated brief\nauthor: parse bench\n---\n\n");
    let tags = ["economy", "industry", "chips", "policy", "outlook"];
    let confs = ["low", "moderate", "high"];
    let ps = [
        "unlikely",
        "likely",
        "very-likely",
        "almost-certain",
        "55%",
        "0.7",
    ];
    for i in 0..claims {
        if i % 50 == 0 {
            out.push_str(&format!("## Section {}\n\n", i / 50 + 1));
        }
        let start = out.len();
        let claim_at = rng.next() % 4;
        let mut k = 0;
        // A paragraph ends once it is long enough and holds its claim.
        while out.len() - start + 120 < per_claim || k <= claim_at {
            if k == claim_at {
                let text = rng.pick(&sentences);
                out.push_str(&format!(
                    "[{text}]{{#c{i} .{} conf={} p={}",
                    rng.pick(&tags),
                    rng.pick(&confs),
                    rng.pick(&ps)
                ));
                if cite {
                    for _ in 0..2 {
                        out.push_str(&format!(" cite=wiki:\"{}\"", rng.pick(&quotes)));
                    }
                }
                out.push_str("} ");
            } else {
                let s = rng.pick(&sentences);
                match rng.next() % 16 {
                    0 => out.push_str(&format!("*{s}* ")),
                    1 => out.push_str(&format!("{s} ([source](https://example.org/{k})) ")),
                    2 => out.push_str(&format!("{s}\n")),
                    _ => {
                        out.push_str(s);
                        out.push(' ');
                    }
                }
            }
            k += 1;
        }
        out.push_str("\n\n");
    }
    out
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        times.push(t.elapsed());
    }
    median(times)
}

/// The median wall time and peak resident memory (bytes) of `mica check` on `path`, as a
/// process under `/usr/bin/time -v`.
fn check_process(mica: &Path, path: &Path, format: &str, runs: usize) -> (Duration, u64) {
    let mut times = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(mica)
            .args(["check", "--color", "never", "--format", format])
            .arg(path)
            .stdout(Stdio::null())
            .output()
            .expect("run mica");
        times.push(t.elapsed());
        rss = String::from_utf8_lossy(&out.stderr)
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(rss, |kb| kb * 1024);
    }
    (median(times), rss)
}

fn mb_per_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / 1e6 / t.as_secs_f64()
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let mb = env("MICA_BENCH_MB", 10);
    let runs = env("MICA_BENCH_RUNS", 15).max(1);
    println!("parse bench: median of {runs} runs, MB = 10^6 bytes");
    println!(
        "{:<26} {:>8} {:>7} {:>10} {:>10} {:>14} {:>8}",
        "document", "MB", "claims", "mica ms", "mica MB/s", "pulldown MB/s", "ratio"
    );
    let kept = std::env::var("MICA_BENCH_WRITE").ok();
    let temp = std::env::temp_dir().join(format!("mica-parse-bench-{}", std::process::id()));
    let dir = kept.as_ref().map_or(temp.clone(), Into::into);
    std::fs::create_dir_all(&dir).expect("bench folder");
    let mut whole = Vec::new();
    for (name, cite) in [("prose-heavy", false), ("citation-heavy", true)] {
        let text = brief(root, mb * 1_000_000, mb * 500, cite);
        let path = dir.join(format!("{name}.mica"));
        std::fs::write(&path, &text).expect("write brief");
        let parse = mica_syntax::parse(&text);
        let claims = parse.document.claims.len();
        let errors = parse.errors.len();
        let mica = time(runs, || mica_syntax::parse(&text).document.claims.len());
        let cmark = time(runs, || {
            let mut html = String::with_capacity(text.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
            html.len()
        });
        println!(
            "{:<26} {:>8.1} {:>7} {:>10.1} {:>10.0} {:>14.0} {:>7.2}x",
            format!("{name} ({errors} errors)"),
            text.len() as f64 / 1e6,
            claims,
            mica.as_secs_f64() * 1e3,
            mb_per_s(text.len(), mica),
            mb_per_s(text.len(), cmark),
            cmark.as_secs_f64() / mica.as_secs_f64(),
        );
        whole.push((name, path, text.len(), cmark));
    }
    println!("ratio = pulldown-cmark's time / Mica's time (above 1: Mica is faster)");
    let binary = Path::new(root).join("target/release/mica");
    if binary.exists() {
        println!("\nmica check (release binary, a process) on the same bytes, median of {runs}:");
        for (name, path, len, cmark) in &whole {
            for format in ["json", "human"] {
                let (t, rss) = check_process(&binary, path, format, runs);
                println!(
                    "  {name:<15} --format {format:<6} {:>7.1} ms = {:.2}x pulldown-cmark; peak RSS {:.1} MB = {:.2}x the document",
                    t.as_secs_f64() * 1e3,
                    t.as_secs_f64() / cmark.as_secs_f64(),
                    rss as f64 / 1e6,
                    rss as f64 / *len as f64
                );
            }
        }
    } else {
        println!("\n(no target/release/mica: build it to time `mica check` on the same bytes)");
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    // Whole-document parse times the language server would pay per keystroke: the example
    // brief repeated (ids made unique per copy, as the check_document bench does), and the
    // generated prose-heavy shape with citations.
    println!("\nwhole-document parse, as an editor re-parses (median):");
    let example = std::fs::read_to_string(format!("{root}/spec/examples/mic2025-brief.mica"))
        .expect("example brief");
    let split = example.find("\n# ").unwrap_or(0);
    let (head, body) = example.split_at(split);
    let per_copy = mica_syntax::parse(body).document.claims.len().max(1);
    for claims in [2_000usize, 20_000] {
        let mut text = head.to_string();
        for i in 0..claims.div_ceil(per_copy) {
            text.push_str(
                &body
                    .replace("{#", &format!("{{#x{i}-"))
                    .replace("=#", &format!("=#x{i}-")),
            );
        }
        let generated = brief(root, claims * 2_000, claims, true);
        for (shape, text) in [("example brief repeated", &text), ("generated", &generated)] {
            let n = mica_syntax::parse(text).document.claims.len();
            let t = time(runs, || mica_syntax::parse(text).document.claims.len());
            println!(
                "  {shape:<22} {n:>6} claims, {:>5.1} MB: {:>7.2} ms",
                text.len() as f64 / 1e6,
                t.as_secs_f64() * 1e3
            );
        }
    }
}
