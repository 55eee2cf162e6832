//! Benchmark of `mica lsp` as an editor drives it, over the real binary with a plain JSON-RPC
//! client: a 2,000-claim and a 20,000-claim document citing the seed corpus, typed into
//! keystroke by keystroke, with hovers and completions between keystrokes; and a workspace of
//! 1,000 briefs, where one brief is opened while the rest is scanned. Reports medians and 99th
//! percentiles as ratios to the floor: a request for an unknown method, which the server
//! answers with MethodNotFound without doing any work, also sent where the hovers and completions
//! are (every other keystroke, instead of them), to compare them alike. Keystrokes come after 15 ms of idle,
//! as a person types, and are compared with no-op requests sent after the same idle; the last
//! keys of each round come in a burst and are compared with the floor measured back to back.
//!
//! Each time is taken twice: until the answer is parsed by this client, and until its last
//! byte is read from the server (before this client parses it). The second is the server's own
//! latency: this client parses each answer into a `serde_json::Value`, which for a large one
//! is its own cost, not the server's (a completion list of 20 claim ids, about 5 KB, takes it
//! 0.1–0.15 ms).
//!
//! Run: `cargo build --release -p mica-cli && cargo run --release -p mica-lsp --example
//! lsp_bench` (the server is `$MICA_BIN`, or `mica` next to the example's target folder);
//! `-- --large` measures a 50 MB document of claims, one of the example brief repeated, a
//! 10 MB one with a diagnostic for every claim, and workspace scans of up to 20,000 briefs
//! instead.
//!
//! Length: about 660 lines, one program: the generated briefs, the typing rounds and their
//! floors, the large inputs and the report share the client and the timing types.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Client, uri};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

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

/// A brief of `claims` claims, each quoting a few words of one line of a seed. Like a brief
/// being written, it is clean (a quote that occurs twice has a line locator), so that the
/// edits measure analysis rather than the size of the report.
fn generate(repo: &Path, claims: usize, seed: u64) -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ seed);
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
    let joined: Vec<String> = seeds
        .iter()
        .map(|lines| {
            let text: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
            text.join("\n").to_lowercase()
        })
        .collect();
    let mut doc = String::from("---\ntitle: Generated brief\n---\n\n");
    for (id, path, in_config) in SOURCES {
        if !in_config {
            doc.push_str(&format!("@source {id} \"{path}\" reliability=B\n"));
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
    while i < claims {
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
        // A quote that occurs more than once gets a line locator, as `ambiguous-quote` asks.
        let occurs = joined[s].matches(quote.to_lowercase().as_str()).count();
        let locator = if i % 7 == 0 || occurs > 1 {
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
            "[Claim c{i} restates what the source says about the plan.]{{#c{i} conf={} p={}{support}\n  cite={}:{locator}\"{quote}\"}}\n\n",
            if s == 2 { confs[i % 2] } else { confs[i % 3] }, // primer is graded F
            terms[i % terms.len()],
            SOURCES[s].0,
        ));
        i += 1;
    }
    doc
}

/// The times of one kind of round trip, each taken twice: until this client had parsed the
/// answer, and until the answer's last byte was read (the server's own latency).
#[derive(Default)]
struct Lat {
    parsed: Vec<Duration>,
    read: Vec<Duration>,
}

impl Lat {
    /// Record a round trip that started at `t` and whose answer `c` has just returned.
    fn push(&mut self, c: &Client, t: Instant) {
        self.parsed.push(t.elapsed());
        self.read.push(c.arrived.expect("a message was read") - t);
    }
}

/// The median and 99th percentile of `v`.
fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let n = v.len();
    (v[n / 2], v[((n * 99).div_ceil(100)).saturating_sub(1)])
}

/// Print the median and 99th percentile of `lat`, parsed and read; return them, parsed
/// first.
fn stats(name: &str, lat: Lat) -> [(Duration, Duration); 2] {
    let n = lat.parsed.len();
    let (parsed, read) = (percentiles(lat.parsed), percentiles(lat.read));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<34} n={n:<5} median {:>7.3} ms   p99 {:>7.3} ms   (read: {:>6.3} ms, {:>6.3} ms)",
        ms(parsed.0),
        ms(parsed.1),
        ms(read.0),
        ms(read.1),
    );
    [parsed, read]
}

/// The UTF-16 position of byte `offset` of `text` (lines end with `\n`).
fn pos(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({
        "line": text[..offset].matches('\n').count(),
        "character": text[line_start..offset].encode_utf16().count(),
    })
}

/// The seeds and `mica.toml` copied into a fresh workspace.
fn workspace(repo: &Path) -> tempfile::TempDir {
    let ws = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo.join("mica.toml"), ws.path().join("mica.toml")).expect("mica.toml");
    std::fs::create_dir(ws.path().join("seeds")).unwrap();
    for (_, path, _) in SOURCES {
        let to = ws.path().join(path);
        std::fs::write(&to, std::fs::read(repo.join(path)).expect("seed")).unwrap();
    }
    ws
}

/// The floor: round trips of a request for a method the server does not know, back to back.
fn floor(c: &mut Client) -> Lat {
    let mut lat = Lat::default();
    for _ in 0..300 {
        noop(c, &mut lat);
    }
    lat
}

/// One round trip of a request for a method the server does not know, added to `lat`.
fn noop(c: &mut Client, lat: &mut Lat) {
    let t = Instant::now();
    let id = c.send_request("mica/noSuchMethod", json!({}));
    let r = c.response(id);
    lat.push(c, t);
    assert_eq!(r["error"]["code"], -32601, "{r}");
}

/// The server's resident memory, from `/proc` (Linux).
fn rss_mb(c: &Client) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", c.pid())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// How long an editor at human speed leaves the server idle between keystrokes.
const IDLE: Duration = Duration::from_millis(15);

#[derive(Default)]
struct Timings {
    /// The floor after the same idle as each keystroke.
    floor_idle: Lat,
    /// Keystrokes after `IDLE`, as a person types.
    edit: Lat,
    /// Keystrokes sent as soon as the previous one's diagnostics arrived.
    burst: Lat,
    hover: Lat,
    completion: Lat,
    /// The floor where a hover is sent (right after a keystroke's diagnostics), and where a
    /// completion is (right after that): on every other keystroke, the no-ops are sent there
    /// instead of the two requests, so that they are measured alike.
    floor_hover: Lat,
    floor_completion: Lat,
}

/// A server on `root` with versioned diagnostics, and `text` opened as `u`: the server, the
/// first diagnostics and when the document was opened.
fn open_alone(root: &Path, u: &str, text: &str) -> (Client, Vec<Value>, Instant) {
    let mut c = Client::spawn(root);
    c.initialize(
        root,
        json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}}),
    );
    let t = Instant::now();
    c.open(u, text, 1);
    let first = c.diagnostics(u, Some(1));
    (c, first, t)
}

/// Open a `claims`-claim brief and type into it; the timings of every step.
fn typing(repo: &Path, claims: usize, rounds: usize) -> (Lat, Timings) {
    let ws = workspace(repo);
    let mut text = generate(repo, claims, 0);
    let doc_path = ws.path().join("brief.mica");
    std::fs::write(&doc_path, &text).unwrap();
    let u = uri(&doc_path);
    println!(
        "\n== {claims} claims: {} bytes, {} lines",
        text.len(),
        text.lines().count(),
    );
    let (mut c, first, t) = open_alone(ws.path(), &u, &text);
    let mut codes = std::collections::BTreeMap::<String, usize>::new();
    for d in &first {
        *codes
            .entry(d["code"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    println!(
        "open to first diagnostics: {:.1} ms ({} diagnostics {codes:?}); server RSS {:.0} MB",
        t.elapsed().as_secs_f64() * 1e3,
        first.len(),
        rss_mb(&c).unwrap_or(f64::NAN),
    );
    let fl = floor(&mut c);

    // Typing: into the text of claims spread over the document, then a new citation with a
    // quote, one character per didChange, each waited for like an editor at human speed. Each
    // keystroke comes after `IDLE`, and so does a no-op request before it, so that the two are
    // measured alike (a thread woken after a pause answers more slowly than one kept busy).
    let typed = " It adds a detail.";
    let new_cite = " cite=wiki:\"more than 86 percent\"";
    let mut version = 1;
    let mut tm = Timings::default();
    let mut rng = Rng(7);
    for round in 0..rounds {
        let claim = 100 + round * (claims - 200) / rounds;
        let marker = format!("Claim c{claim} restates what the source says about the plan.");
        let mut at = text.find(&marker).expect("claim") + marker.len();
        let keys = if round % 2 == 0 { typed } else { new_cite };
        if round % 2 == 1 {
            // Into the attribute list, just before its closing brace.
            at = text[at..].find('}').map(|i| at + i).expect("brace");
        }
        for (k, ch) in keys.chars().enumerate() {
            // The last keys of a round come in a burst, each right after the last diagnostics.
            let burst = k + 4 >= keys.chars().count();
            if !burst {
                std::thread::sleep(IDLE);
                noop(&mut c, &mut tm.floor_idle);
                std::thread::sleep(IDLE);
            }
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
            if burst {
                tm.burst.push(&c, t);
                text.insert_str(at, &s);
                at += s.len();
                continue;
            }
            tm.edit.push(&c, t);
            text.insert_str(at, &s);
            at += s.len();
            // Hover over a claim now and then, as the mouse passes; then completion of a
            // `supports=#` target in another claim's attributes. Every other keystroke, no-ops
            // go where the two requests would.
            let target = format!("#c{}", rng.below(claims));
            let off = text.find(&format!("{target} ")).expect("claim id") + 2;
            let hover = json!({"textDocument": {"uri": u}, "position": pos(&text, off)});
            let supports = format!("supports=#c{}", rng.below(claims / 11).max(1) * 11 - 1);
            let completion = text.find(&supports).map(|i| {
                json!({"textDocument": {"uri": u},
                       "position": pos(&text, i + "supports=#".len())})
            });
            if k % 2 == 0 {
                noop(&mut c, &mut tm.floor_hover);
                noop(&mut c, &mut tm.floor_completion);
                continue;
            }
            let t = Instant::now();
            let h = c.request("textDocument/hover", hover);
            tm.hover.push(&c, t);
            assert!(!h.is_null(), "no hover at {target}");
            if let Some(params) = completion {
                let t = Instant::now();
                let r = c.request("textDocument/completion", params);
                tm.completion.push(&c, t);
                assert!(!r.is_null(), "no completion at {supports}");
            }
        }
    }
    let state = c.request("mica/documentState", json!({"uri": u}));
    assert_eq!(state["length"], text.len(), "the server's text drifted");
    println!(
        "server RSS after typing: {:.0} MB",
        rss_mb(&c).unwrap_or(f64::NAN)
    );
    assert!(c.shutdown_and_exit().success());
    (fl, tm)
}

/// A workspace of `briefs` briefs: open one at once and time its first diagnostics, while
/// the rest is scanned; then the whole scan and the floor during it.
fn big_workspace(repo: &Path, briefs: usize) -> (Lat, Duration, Duration) {
    let ws = workspace(repo);
    std::fs::create_dir(ws.path().join("briefs")).unwrap();
    for n in 0..briefs {
        let text = generate(repo, 20, n as u64 + 1);
        std::fs::write(ws.path().join(format!("briefs/b{n:04}.mica")), text).unwrap();
    }
    println!("\n== workspace of {briefs} briefs of 20 claims each");
    let mut c = Client::spawn(ws.path());
    c.initialize(
        ws.path(),
        json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}},
               "window": {"workDoneProgress": true}}),
    );
    let t0 = Instant::now();
    let u = uri(&ws.path().join(format!("briefs/b{:04}.mica", briefs / 2)));
    let text =
        std::fs::read_to_string(ws.path().join(format!("briefs/b{:04}.mica", briefs / 2))).unwrap();
    c.open(&u, &text, 1);
    c.diagnostics(&u, Some(1));
    let open = t0.elapsed();
    // The floor while the scan runs: the server keeps answering.
    let during = floor(&mut c);
    c.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    let scan = t0.elapsed();
    println!(
        "open to first diagnostics {:.1} ms; whole scan {:.0} ms; server RSS {:.0} MB",
        open.as_secs_f64() * 1e3,
        scan.as_secs_f64() * 1e3,
        rss_mb(&c).unwrap_or(f64::NAN),
    );
    assert!(c.shutdown_and_exit().success());
    (during, open, scan)
}

/// Write `text` to `name` in the workspace at `root`, say how large it is (and `what` it is),
/// and open it alone: the client, the first diagnostics, when the opening was sent, its URI.
fn write_and_open(
    root: &Path,
    name: &str,
    text: &str,
    what: &str,
) -> (Client, Vec<Value>, Instant, String) {
    let path = root.join(name);
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    println!(
        "\n== one document of {:.0} MB{what}",
        text.len() as f64 / 1048576.0
    );
    let (c, first, t) = open_alone(root, &u, text);
    (c, first, t, u)
}

/// Type one character into the opened document `u` (version 1, `text`) at the first `near`
/// after its middle; the time to its diagnostics.
fn type_in_the_middle(c: &mut Client, u: &str, text: &str, near: &str) -> Duration {
    let at = text.len() / 2;
    let p = pos(text, text[at..].find(near).map_or(at, |i| at + i));
    let t = Instant::now();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": {"start": p, "end": p}, "text": "x"}]}),
    );
    c.diagnostics(u, Some(2));
    t.elapsed()
}

/// A document of about `mb` megabytes: time to its first diagnostics, one keystroke, and the
/// server's memory next to the text's size.
fn large_document(repo: &Path, mb: usize) {
    let ws = workspace(repo);
    let one = generate(repo, 1_000, 9);
    // Its claims, without the front matter and declarations, copied under new ids.
    let body = &one[one.find("\n## ").expect("a section")..];
    let mut text = one.clone();
    let mut n = 0;
    while text.len() < mb << 20 {
        n += 1;
        text.push_str(&body.replace("#c", &format!("#p{n}c")));
    }
    let (mut c, first, t, u) = write_and_open(ws.path(), "large.mica", &text, "");
    println!(
        "open to first diagnostics {:.2} s ({} diagnostics); server RSS {:.0} MB",
        t.elapsed().as_secs_f64(),
        first.len(),
        rss_mb(&c).unwrap_or(f64::NAN)
    );
    let keystroke = type_in_the_middle(&mut c, &u, &text, "restates");
    println!(
        "one keystroke to diagnostics {:.0} ms; server RSS {:.0} MB ({:.1}x the text)",
        keystroke.as_secs_f64() * 1e3,
        rss_mb(&c).unwrap_or(f64::NAN),
        rss_mb(&c).unwrap_or(f64::NAN) * 1048576.0 / text.len() as f64
    );
    // The workspace scan reads the document's file in the background: what stays after it.
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "three seconds later: server RSS {:.0} MB ({:.1}x the text)",
        rss_mb(&c).unwrap_or(f64::NAN),
        rss_mb(&c).unwrap_or(f64::NAN) * 1048576.0 / text.len() as f64
    );
    assert!(c.shutdown_and_exit().success());
}

/// A document of about `mb` megabytes shaped like a real brief: the example brief's body
/// (prose, headings, claims with several citations) repeated, its ids and references renamed
/// in each copy. Its memory next to its size, after opening and after a keystroke.
fn large_brief(repo: &Path, mb: usize) {
    let ws = workspace(repo);
    let example = std::fs::read_to_string(repo.join("spec/examples/mic2025-brief.mica"))
        .expect("the example brief");
    // From the first heading on: the front matter and declarations once.
    let body = &example[example.find("\n# ").expect("a heading")..];
    let mut text = example.clone();
    let mut n = 0;
    while text.len() < mb << 20 {
        n += 1;
        // `#id` and `supports=#id`, not a heading's `# `.
        let mut rest = body;
        while let Some(i) = rest.find('#') {
            text.push_str(&rest[..=i]);
            if rest[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                text.push_str(&format!("p{n}"));
            }
            rest = &rest[i + 1..];
        }
        text.push_str(rest);
    }
    let what = ", the example brief repeated";
    let (mut c, first, t, u) = write_and_open(ws.path(), "brief.mica", &text, what);
    println!(
        "open to first diagnostics {:.2} s ({} diagnostics); server RSS {:.0} MB ({:.1}x the text)",
        t.elapsed().as_secs_f64(),
        first.len(),
        rss_mb(&c).unwrap_or(f64::NAN),
        rss_mb(&c).unwrap_or(f64::NAN) * 1048576.0 / text.len() as f64
    );
    // In the prose of the copy in the middle (a keystroke in a quote would be a quote not
    // found, whose suggestion is a search of its source).
    let keystroke = type_in_the_middle(&mut c, &u, &text, "brief assesses");
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "one keystroke to diagnostics {:.0} ms; three seconds later: server RSS {:.0} MB ({:.1}x the text)",
        keystroke.as_secs_f64() * 1e3,
        rss_mb(&c).unwrap_or(f64::NAN),
        rss_mb(&c).unwrap_or(f64::NAN) * 1048576.0 / text.len() as f64
    );
    assert!(c.shutdown_and_exit().success());
}

/// A document of about `mb` megabytes in which every claim has a diagnostic: an example brief's
/// claims repeated under the same ids, so that each is a `duplicate-id` error. The memory of a
/// large publication, next to the text's size.
fn many_diagnostics(repo: &Path, mb: usize) {
    let ws = workspace(repo);
    let one = std::fs::read_to_string(repo.join("spec/examples/mic2025-brief.mica")).unwrap();
    let body = &one[one.find("\n## ").expect("a section")..];
    let mut text = one.clone();
    while text.len() < mb << 20 {
        text.push_str(body);
    }
    let (c, first, t, _) = write_and_open(
        ws.path(),
        "repeated.mica",
        &text,
        " whose every claim repeats an id",
    );
    let took = t.elapsed();
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "open to first diagnostics {:.2} s ({} diagnostics); server RSS three seconds later {:.0} MB \
         ({:.1}x the text)",
        took.as_secs_f64(),
        first.len(),
        rss_mb(&c).unwrap_or(f64::NAN),
        rss_mb(&c).unwrap_or(f64::NAN) * 1048576.0 / text.len() as f64
    );
    assert!(c.shutdown_and_exit().success());
}

/// Workspaces of `n` briefs: how long the background scan takes to publish them all, to show
/// that it grows linearly.
fn scans(repo: &Path, sizes: &[usize]) {
    println!();
    for &n in sizes {
        let ws = workspace(repo);
        std::fs::create_dir(ws.path().join("briefs")).unwrap();
        let brief = generate(repo, 5, 3);
        for k in 0..n {
            std::fs::write(ws.path().join(format!("briefs/b{k:05}.mica")), &brief).unwrap();
        }
        let mut c = Client::spawn(ws.path());
        let t = Instant::now();
        c.initialize(ws.path(), json!({"window": {"workDoneProgress": true}}));
        c.wait_for("$/progress", |p| p["value"]["kind"] == "end");
        let took = t.elapsed();
        println!(
            "workspace scan of {n:>6} briefs: {:6.2} s ({:.0} µs a brief); server RSS {:.0} MB",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64,
            rss_mb(&c).unwrap_or(f64::NAN)
        );
        assert!(c.shutdown_and_exit().success());
    }
}

fn ratio(a: Duration, f: Duration) -> f64 {
    a.as_secs_f64() / f.as_secs_f64()
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    println!("server: {}", common::mica_bin().display());
    // `--quick`: the 2,000-claim brief only (or `$MICA_BENCH_CLAIMS`), for iterating on a change. `--large`: a 50 MB
    // (or `$MICA_BENCH_MB`) document and workspace scans of 5,000 to 20,000 briefs, instead of the rest.
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::args().any(|a| a == "--large") {
        let mb = std::env::var("MICA_BENCH_MB")
            .ok()
            .and_then(|v| v.parse().ok());
        large_document(&repo, mb.unwrap_or(50));
        large_brief(&repo, mb.unwrap_or(50));
        many_diagnostics(&repo, 10);
        scans(&repo, &[5_000, 10_000, 20_000]);
        return;
    }
    let claims: usize = std::env::var("MICA_BENCH_CLAIMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let one = [(claims, 8)];
    let sizes: &[(usize, usize)] = if quick {
        &one
    } else {
        &[(2_000, 8), (20_000, 4)]
    };
    for &(claims, rounds) in sizes {
        let (fl, tm) = typing(&repo, claims, rounds);
        let f = stats("floor (unknown method)", fl);
        let fi = stats("floor after 15 ms idle", tm.floor_idle);
        let e = stats("didChange -> diagnostics, idle", tm.edit);
        let b = stats("didChange -> diagnostics, burst", tm.burst);
        let h = stats("hover (claim with citations)", tm.hover);
        let k = stats("completion (claim ids)", tm.completion);
        let fh = stats("floor where a hover is sent", tm.floor_hover);
        let fk = stats("floor where a completion is sent", tm.floor_completion);
        for (i, how) in [
            "answers parsed by this client",
            "answers read (the server's latency)",
        ]
        .into_iter()
        .enumerate()
        {
            println!(
                "ratios, {how}, each to the floor measured alike: keystrokes after 15 ms idle: median {:.1}x, p99 {:.1}x (floor after idle); \
                 in a burst: median {:.1}x, p99 {:.1}x (floor back to back); hover {:.1}x; completion {:.1}x (floor back to back); \
                 keystrokes after idle to the floor back to back: median {:.1}x, p99 {:.1}x",
                ratio(e[i].0, fi[i].0),
                ratio(e[i].1, fi[i].0),
                ratio(b[i].0, f[i].0),
                ratio(b[i].1, f[i].0),
                ratio(h[i].0, f[i].0),
                ratio(k[i].0, f[i].0),
                ratio(e[i].0, f[i].0),
                ratio(e[i].1, f[i].0),
            );
            println!(
                "ratios, {how}, to a no-op sent where the request is (right after a keystroke's diagnostics): \
                 hover median {:.1}x, p99 {:.1}x; completion median {:.1}x, p99 {:.1}x",
                ratio(h[i].0, fh[i].0),
                ratio(h[i].1, fh[i].0),
                ratio(k[i].0, fk[i].0),
                ratio(k[i].1, fk[i].0),
            );
        }
    }
    if quick {
        return;
    }
    let (during, open, scan) = big_workspace(&repo, 1_000);
    let [(f, _), _] = stats("floor while scanning", during);
    println!(
        "ratios to the floor: open-to-first-diagnostics {:.0}x, whole scan {:.0}x",
        ratio(open, f),
        ratio(scan, f)
    );
}
