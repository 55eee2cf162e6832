//! Benchmark of normalisation, batch quote finding and suggestions on a synthetic corpus built
//! from the seed texts.
//!
//! `cargo bench -p mica-sources --bench matching` builds 100 files of `MICA_BENCH_MB` megabytes
//! in total (default 20; set 100 for the full-size run) and 10,000 quotes (`MICA_BENCH_QUOTES`),
//! most of them copied from the corpus, some altered so they must fail, and prints:
//! normalisation throughput, batch find time (cold, then cached), and suggestion time for the
//! quotes that were not found, each as wall time and as the CPU time of the benchmark thread
//! (which stays meaningful on a machine shared with other work). `MICA_BENCH_DUMP=file` also
//! writes every suggestion, so that two builds can be compared. Without `--bench` (as under `cargo test --benches`) it runs a
//! tiny smoke size.

use mica_sources::{QuoteOutcome, QuoteQuery, SourceFile};
use std::time::Instant;

const SEEDS: &[&str] = &[
    include_str!("../../../seeds/000_e97dfd8da811624b.txt"),
    include_str!("../../../seeds/001_59eed631941b965d.txt"),
    include_str!("../../../seeds/002_ea804cd81d83a2a9.txt"),
    include_str!("../../../seeds/003_3ada9579df3eea54.txt"),
    include_str!("../../../seeds/004_0c3e1989dc76a946.txt"),
];

const FILES: usize = 100;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Sentences of the seeds, cut at sentence ends and line breaks.
fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for seed in SEEDS {
        for line in seed.lines() {
            for s in line.split_inclusive(". ") {
                let s = s.trim();
                if s.len() > 20 {
                    out.push(s.to_owned());
                }
            }
        }
    }
    out
}

/// One file of about `size` bytes: sampled sentences with their figures changed, reference
/// tags added, wrapped at about 80 columns with a mix of line endings and spaces.
fn make_file(rng: &mut Rng, sentences: &[String], size: usize) -> String {
    let mut text = String::with_capacity(size + 1024);
    let mut col = 0;
    while text.len() < size {
        let s = &sentences[rng.below(sentences.len())];
        let mut varied = String::with_capacity(s.len() + 16);
        let mut in_digits = false;
        for c in s.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    varied.push_str(&(rng.below(9000) + 1).to_string());
                }
                in_digits = true;
            } else {
                in_digits = false;
                varied.push(c);
            }
        }
        if rng.below(3) == 0 {
            varied.push_str(&format!(" [{}]", rng.below(1_000_000)));
        }
        for word in varied.split(' ') {
            if col > 80 {
                text.push_str(if rng.below(10) == 0 { "\r\n" } else { "\n" });
                col = 0;
            } else if col > 0 {
                text.push_str(if rng.below(50) == 0 { "\u{a0}" } else { " " });
                col += 1;
            }
            text.push_str(word);
            col += word.len();
        }
        if rng.below(8) == 0 {
            text.push_str("\n\n");
            col = 0;
        }
    }
    text
}

/// A quote of 5 to 20 words copied from `text` from the first word start after `from`, with
/// the original byte range it was copied from; `None` near the end.
fn quote_at(rng: &mut Rng, text: &str, mut from: usize) -> Option<(usize, usize, String)> {
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let start = from + text[from..].find(char::is_whitespace)?;
    let start = start + text[start..].find(|c: char| !c.is_whitespace())?;
    let want = 5 + rng.below(16);
    let mut words = Vec::with_capacity(want);
    let mut end = start;
    for (i, w) in text[start..].split_whitespace().take(want).enumerate() {
        let at = if i == 0 {
            start
        } else {
            end + text[end..].find(w)?
        };
        end = at + w.len();
        words.push(w);
    }
    (words.len() == want).then(|| (start, end, words.join(" ")))
}

fn copy_quote(rng: &mut Rng, text: &str) -> Option<(usize, usize, String)> {
    let from = rng.below(text.len().saturating_sub(400).max(1));
    quote_at(rng, text, from)
}

/// Change one character of a quote so it no longer matches (a digit, or a letter's case).
fn alter(rng: &mut Rng, quote: &str) -> String {
    let chars: Vec<char> = quote.chars().collect();
    let digits: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_digit())
        .collect();
    let i = if digits.is_empty() {
        rng.below(chars.len())
    } else {
        digits[rng.below(digits.len())]
    };
    let mut out = chars.clone();
    out[i] = match chars[i] {
        '9' => '0',
        c @ '0'..='8' => (c as u8 + 1) as char,
        c if c.is_lowercase() => c.to_ascii_uppercase(),
        _ => 'Q',
    };
    out.into_iter().collect()
}

/// The time this thread has spent on a CPU, from `/proc/thread-self/schedstat` (Linux), so
/// that figures mean something on a machine shared with other work; `None` elsewhere.
fn cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Wall and CPU seconds since `(wall, cpu)`.
fn since(start: (Instant, Option<f64>)) -> (f64, f64) {
    let wall = start.0.elapsed().as_secs_f64();
    let cpu = cpu_time()
        .zip(start.1)
        .map_or(wall, |(now, then)| now - then);
    (wall, cpu)
}

fn now() -> (Instant, Option<f64>) {
    (Instant::now(), cpu_time())
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let mb = if full {
        env_usize("MICA_BENCH_MB", 20)
    } else {
        1
    };
    let quote_count = if full {
        env_usize("MICA_BENCH_QUOTES", 10_000)
    } else {
        500
    };
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let sentences = sentences();
    let file_size = mb * 1024 * 1024 / FILES;

    let texts: Vec<String> = (0..FILES)
        .map(|_| make_file(&mut rng, &sentences, file_size))
        .collect();
    let total_bytes: usize = texts.iter().map(String::len).sum();

    // 80% copied, 10% copied with an elision, 10% altered.
    // (file, quote, copied unchanged, the text it was copied from)
    let mut quotes: Vec<(usize, String, bool, String)> = Vec::with_capacity(quote_count);
    while quotes.len() < quote_count {
        let f = rng.below(FILES);
        let Some((_, end, q)) = copy_quote(&mut rng, &texts[f]) else {
            continue;
        };
        match rng.below(10) {
            0 => quotes.push((f, alter(&mut rng, &q), false, q)),
            1 => {
                let from = (end + rng.below(200)).min(texts[f].len());
                let Some((_, _, second)) = quote_at(&mut rng, &texts[f], from) else {
                    continue;
                };
                quotes.push((f, format!("{q} \u{2026} {second}"), true, q));
            }
            _ => quotes.push((f, q.clone(), true, q)),
        }
    }

    println!(
        "corpus: {FILES} files, {:.1} MB; {} quotes ({} copied, {} altered)",
        total_bytes as f64 / 1e6,
        quotes.len(),
        quotes.iter().filter(|q| q.2).count(),
        quotes.iter().filter(|q| !q.2).count(),
    );

    let t = now();
    let sources: Vec<SourceFile> = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| SourceFile::new(format!("corpus/{i:03}.txt"), text))
        .collect();
    let (wall, cpu) = since(t);
    println!(
        "normalise: {wall:.2} s ({cpu:.2} s on CPU), {:.1} MB/s ({:.1} MB/s of CPU time)",
        total_bytes as f64 / 1e6 / wall,
        total_bytes as f64 / 1e6 / cpu
    );

    let mut by_file: Vec<Vec<QuoteQuery<'_>>> = vec![Vec::new(); FILES];
    for (f, q, _, _) in &quotes {
        by_file[*f].push(QuoteQuery {
            quote: q,
            lines: None,
        });
    }
    let t = now();
    let outcomes: Vec<Vec<QuoteOutcome>> = sources
        .iter()
        .zip(&by_file)
        .map(|(s, qs)| s.find_quotes(qs))
        .collect();
    let (cold, cold_cpu) = since(t);
    let t = Instant::now();
    for (s, qs) in sources.iter().zip(&by_file) {
        std::hint::black_box(s.find_quotes(qs));
    }
    let warm = t.elapsed().as_secs_f64();
    let found = outcomes
        .iter()
        .flatten()
        .filter(|o| matches!(o, QuoteOutcome::Found(_)))
        .count();
    let copied_missed = outcomes
        .iter()
        .flatten()
        .zip(by_file.iter().flatten())
        .filter(|(o, q)| {
            !matches!(o, QuoteOutcome::Found(_))
                && quotes
                    .iter()
                    .any(|(_, text, copied, _)| *copied && text == q.quote)
        })
        .count();
    println!(
        "find (batch, one pass per file): {cold:.3} s cold ({cold_cpu:.3} s on CPU, {:.0} MB/s), {warm:.4} s cached; {found} found, {copied_missed} copied quotes missed",
        total_bytes as f64 / 1e6 / cold_cpu
    );
    assert_eq!(copied_missed, 0, "every copied quote must be found");

    let not_found: Vec<(usize, &str)> = sources
        .iter()
        .enumerate()
        .flat_map(|(i, _)| {
            outcomes[i]
                .iter()
                .zip(&by_file[i])
                .filter(|(o, _)| matches!(o, QuoteOutcome::NotFound))
                .map(move |(_, q)| (i, q.quote))
        })
        .collect();
    // One batch per file, as the checker asks for them.
    let t = now();
    let mut suggestions = Vec::with_capacity(not_found.len());
    for chunk in not_found.chunk_by(|a, b| a.0 == b.0) {
        let queries: Vec<QuoteQuery<'_>> = chunk
            .iter()
            .map(|(_, q)| QuoteQuery {
                quote: q,
                lines: None,
            })
            .collect();
        suggestions.extend(sources[chunk[0].0].suggest_many(&queries));
    }
    let (secs, secs_cpu) = since(t);
    let suggested = suggestions.iter().flatten().count();
    // `MICA_BENCH_DUMP=file` writes every suggestion, to compare two builds' results.
    if let Ok(path) = std::env::var("MICA_BENCH_DUMP") {
        let lines: Vec<String> = not_found
            .iter()
            .zip(&suggestions)
            .map(|((i, q), s)| match s {
                Some(s) => format!("{i}\t{q}\t{:?}\t{}\t{}", s.range, s.distance, s.text),
                None => format!("{i}\t{q}\tnone"),
            })
            .collect();
        std::fs::write(path, lines.join("\n")).expect("the dump file is writable");
    }
    // An altered quote differs from the passage it was copied from by one character; the
    // suggestion should be that passage's text (the corpus repeats sentences, so it may be
    // another copy of it).
    let right = not_found
        .iter()
        .zip(&suggestions)
        .filter(|((i, q), s)| {
            let origin = quotes.iter().find(|(f, text, _, _)| f == i && text == q);
            s.as_ref()
                .zip(origin)
                .is_some_and(|(s, o)| s.distance == 1 && s.text == o.3)
        })
        .count();
    println!(
        "suggest: {} not-found quotes in {secs:.3} s ({secs_cpu:.3} s on CPU, {:.3} ms each), one batch per file; {suggested} suggestions, {right} giving back the text the quote was altered from",
        not_found.len(),
        secs_cpu * 1e3 / not_found.len().max(1) as f64,
    );
}
