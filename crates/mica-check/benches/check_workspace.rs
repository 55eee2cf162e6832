//! Benchmark of `mica check` on a generated workspace, next to `grep -F -c -f` (and `rg`, where
//! installed) over the same files in the same run.
//!
//! By default the workspace holds 100 MB of sources (1,000 files of 100 KB), 100 briefs and
//! 10,000 citations, 5% of them altered so that they need a suggestion and one in five with a
//! line locator. `MICA_BENCH_MB=1000` makes it 1 GB (10,000 sources, and ten times the briefs
//! and citations); `MICA_BENCH_CLAIMS`, `MICA_BENCH_ALTERED_PERCENT` and `MICA_BENCH_RUNS`
//! (default 3; the median is reported) change the rest. The real release binary is timed
//! (`cargo build --release -p mica-cli` first), with `--format json`, and its peak resident
//! memory (from `/usr/bin/time -v`) is set against the bytes of the sources that are cited.
//! `MICA_BENCH_DIR=path` generates the workspace there and keeps it, for profiling. The check
//! is timed a second time with the tradecraft rules turned off in `[rules]`, to show their cost.
//!
//! `cargo bench -p mica-check --bench check_workspace`. It prints figures; it asserts no timing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Generate the workspace under `root`; returns the number of altered quotes and the bytes of
/// the sources that are cited.
fn generate(root: &Path, mb: usize, claims: usize, altered_percent: usize) -> (usize, u64) {
    let seeds_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
    let mut sentences: Vec<String> = Vec::new();
    let mut seeds: Vec<_> = std::fs::read_dir(seeds_dir)
        .expect("seeds")
        .flatten()
        .collect();
    seeds.sort_by_key(|e| e.file_name());
    for entry in seeds {
        let text = std::fs::read_to_string(entry.path()).expect("seed");
        sentences.extend(
            text.split_inclusive(['.', '\n'])
                .map(str::to_string)
                .filter(|s| s.len() > 20),
        );
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    std::fs::create_dir_all(root.join("sources")).unwrap();
    // Sources: seed sentences in random order, each prefixed by a serial number so that most
    // passages are unique, as in a real corpus.
    let files = (mb * 10).max(1);
    let per_file = 100 * 1024;
    let mut serial = 0u64;
    let mut toml = String::from("[workspace]\n\n");
    let mut cited = vec![false; files];
    let mut sizes = vec![0u64; files];
    // Quotes are cut while each source is in memory, so that generation holds one source at
    // a time; which claims cite which source is decided first.
    let mut plan: Vec<Vec<usize>> = vec![Vec::new(); files];
    for c in 0..claims {
        plan[rng.below(files)].push(c);
    }
    let mut quotes: Vec<String> = vec![String::new(); claims];
    for (i, claims_here) in plan.iter().enumerate() {
        let mut text = String::with_capacity(per_file + 1024);
        while text.len() < per_file {
            serial += 1;
            let s = &sentences[rng.below(sentences.len())];
            write!(text, "[{serial}] {s}").unwrap();
            if rng.below(4) == 0 {
                text.push('\n');
            }
        }
        std::fs::write(root.join(format!("sources/s{i:05}.txt")), &text).unwrap();
        writeln!(toml, "[sources.s{i:05}]\npath = \"sources/s{i:05}.txt\"\n").unwrap();
        sizes[i] = text.len() as u64;
        for &c in claims_here {
            cited[i] = true;
            quotes[c] = cite(&mut rng, &text, i, c, altered_percent);
        }
    }
    std::fs::write(root.join("mica.toml"), &toml).unwrap();
    let docs = (claims / 100).max(1);
    let mut doc_texts = vec![String::new(); docs];
    let mut altered = 0;
    let mut list = String::new();
    for (c, cite) in quotes.iter().enumerate() {
        if cite.contains("zebra") {
            altered += 1;
        }
        writeln!(
            doc_texts[c % docs],
            // The claim states its likelihood in words as its `p=` does, and holds no figure, so
            // the tradecraft rules scan it and stay silent.
            "- [Claim c{c}: the corpus likely bears this out]{{#c{c} conf=moderate p=likely cite={cite}}}"
        )
        .unwrap();
        let quote = cite.split('"').nth(1).unwrap_or_default();
        list.push_str(quote);
        list.push('\n');
    }
    for (i, t) in doc_texts.iter().enumerate() {
        std::fs::write(root.join(format!("brief{i:04}.mica")), t).unwrap();
    }
    std::fs::write(root.join("quotes.txt"), list).unwrap();
    let cited_bytes = sizes
        .iter()
        .zip(&cited)
        .filter(|(_, c)| **c)
        .map(|(s, _)| s)
        .sum();
    (altered, cited_bytes)
}

/// A citation of source `f` for claim `c`: a quote cut at word boundaries, some altered so
/// that they are not found, one in five with a line locator.
fn cite(rng: &mut Rng, text: &str, f: usize, c: usize, altered_percent: usize) -> String {
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
    // Keep the quotes plain (escaping is tested elsewhere): cut a quote before its first
    // quote character or backslash.
    if let Some(cut) = quote.find(['"', '\\']) {
        quote.truncate(cut);
    }
    if quote.trim().len() < 12 {
        quote = "Made in China 2025".into();
    }
    if rng.below(100) < altered_percent {
        quote = quote.replacen(' ', " zebra ", 1);
    }
    let locator = if c % 5 == 1 {
        let line = text[..from].matches('\n').count() + 1;
        let last = line + text[from..to].matches('\n').count();
        format!("L{line}-{last}:")
    } else {
        String::new()
    };
    format!("s{f:05}:{locator}\"{}\"", quote.trim())
}

/// The release `mica` binary, built now.
fn mica_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-q",
            "-p",
            "mica-cli",
            "--bin",
            "mica",
        ])
        .status()
        .expect("cargo build");
    assert!(status.success(), "building mica failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")),
        PathBuf::from,
    );
    target.join("release/mica")
}

/// One timed run of `cmd` in `dir` under `/usr/bin/time -v`: wall time, peak RSS in bytes
/// (when `time` reports it) and standard output.
fn run(dir: &Path, cmd: &[&str]) -> (Duration, Option<u64>, Vec<u8>) {
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").args(cmd);
        c
    } else {
        let mut c = Command::new(cmd[0]);
        c.args(&cmd[1..]);
        c
    };
    let t = Instant::now();
    let out = command
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let elapsed = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024);
    (elapsed, rss, out.stdout)
}

/// The median wall time and peak RSS of `runs` runs.
fn measure(dir: &Path, cmd: &[&str], runs: usize) -> (Duration, Option<u64>, Vec<u8>) {
    let mut times = Vec::new();
    let mut rss = Vec::new();
    let mut stdout = Vec::new();
    for _ in 0..runs {
        let (t, r, o) = run(dir, cmd);
        times.push(t);
        rss.extend(r);
        stdout = o;
    }
    rss.sort();
    (median(&mut times), rss.get(rss.len() / 2).copied(), stdout)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The `[rules]` table that turns off every tradecraft rule.
const TRADECRAFT_OFF: &str = "[rules]
likelihood-mismatch = \"off\"
unstated-likelihood = \"off\"
unsupported-figure = \"off\"
overconfident-claim = \"off\"
incoherent-likelihood = \"off\"
elided-negation = \"off\"
circular-support = \"off\"
";

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    let size_mb = env_usize("MICA_BENCH_MB", 100);
    let claims = env_usize("MICA_BENCH_CLAIMS", size_mb * 100);
    let altered_percent = env_usize("MICA_BENCH_ALTERED_PERCENT", 5);
    let runs = env_usize("MICA_BENCH_RUNS", 3).max(1);
    let mica = mica_binary();
    // `MICA_BENCH_DIR` keeps the workspace there (for profiling); by default it is temporary.
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = std::env::var_os("MICA_BENCH_DIR").map(PathBuf::from);
    let root = kept.as_deref().unwrap_or(dir.path());
    let t = Instant::now();
    let (altered, cited_bytes) = generate(root, size_mb, claims, altered_percent);
    println!(
        "workspace: {} sources of 100 KB ({size_mb} MB), {} briefs, {claims} citations ({altered} altered), {:.1} MB of sources cited; generated in {:.1?}",
        size_mb * 10,
        (claims / 100).max(1),
        mb(cited_bytes),
        t.elapsed()
    );

    // Warm the page cache so that every tool reads from memory.
    let _ = run(root, &["cat", "quotes.txt"]);
    let _ = run(root, &["grep", "-r", "-c", "-F", "zzzzzzzz", "sources"]);

    let mica_path = mica.to_string_lossy().to_string();
    let check = [&mica_path, "check", "--format", "json", "--deny-warnings"];
    // Each run is followed by the same check with the tradecraft rules turned off in
    // `[rules]`, so that both see the same machine; then `mica.toml` is put back.
    let toml_path = root.join("mica.toml");
    let toml = std::fs::read_to_string(&toml_path).expect("mica.toml");
    let (mut times, mut bare_times, mut rss, mut out) = (Vec::new(), Vec::new(), Vec::new(), None);
    for _ in 0..runs {
        let (t, r, o) = run(root, &check);
        times.push(t);
        rss.extend(r);
        out = Some(o);
        std::fs::write(&toml_path, format!("{toml}\n{TRADECRAFT_OFF}")).expect("mica.toml");
        bare_times.push(run(root, &check).0);
        std::fs::write(&toml_path, &toml).expect("mica.toml");
    }
    let (mica_t, bare_t) = (median(&mut times), median(&mut bare_times));
    rss.sort();
    let mica_rss = rss.get(rss.len() / 2).copied();
    let out = out.unwrap_or_default();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap_or_default();
    let mut counts = std::collections::BTreeMap::new();
    for d in report["diagnostics"].as_array().into_iter().flatten() {
        *counts
            .entry(d["code"].as_str().unwrap_or("?").to_string())
            .or_insert(0usize) += 1;
    }
    let (grep_t, _, _) = measure(
        root,
        &["grep", "-r", "-F", "-c", "-f", "quotes.txt", "sources"],
        runs,
    );
    let rg = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let rg_t = rg.then(|| {
        measure(
            root,
            &["rg", "-F", "-c", "-f", "quotes.txt", "sources"],
            runs,
        )
        .0
    });

    println!("diagnostics: {counts:?}");
    println!("median of {runs} runs:");
    println!(
        "  mica check --format json: {:>8.2?}  ({:.0} MB/s of sources)",
        mica_t,
        size_mb as f64 / mica_t.as_secs_f64()
    );
    println!(
        "  the same with the tradecraft rules off: {:>8.2?}  (the rules cost {:+.1}%)",
        bare_t,
        100.0 * (mica_t.as_secs_f64() / bare_t.as_secs_f64() - 1.0)
    );
    println!("  grep -F -c -f quotes.txt: {:>8.2?}", grep_t);
    if let Some(rg_t) = rg_t {
        println!("  rg -F -c -f quotes.txt:   {:>8.2?}", rg_t);
    }
    println!(
        "  ratio mica / grep: {:.2}x{}",
        mica_t.as_secs_f64() / grep_t.as_secs_f64(),
        rg_t.map(|r| format!(
            "; mica / rg: {:.2}x",
            mica_t.as_secs_f64() / r.as_secs_f64()
        ))
        .unwrap_or_default()
    );
    match mica_rss {
        Some(rss) => println!(
            "  peak RSS of mica: {:.1} MB = {:.2}x the {:.1} MB of cited sources",
            mb(rss),
            rss as f64 / cited_bytes as f64,
            mb(cited_bytes)
        ),
        None => println!("  peak RSS: /usr/bin/time is not installed"),
    }
}
