//! What one keystroke costs the editor's analysis of a large brief: a 2,000-claim brief citing
//! the seeds, typed into claim by claim, analysed from scratch ([`DocumentData::new`]) and
//! incrementally ([`DocCache`]), with the incremental analysis broken into its phases. The
//! language server's end-to-end figures are `mica-lsp`'s `lsp_bench`.
//!
//! Run: `cargo bench -p mica-ide --bench analyse` (`-- 20000` for another size). With
//! `MICA_BENCH_IDLE` set, it waits 15 ms before each keystroke, as a typist does, so that the
//! analysis starts with cold caches as it does in an editor.

use mica_check::rules::{self, DocContext};
use mica_check::{Config, SourceScope};
use mica_ide::{DocCache, DocumentData, ParseCache};
use mica_sources::{FsProvider, SourceProvider};
use mica_syntax::LineIndex;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A brief of `n` claims, each quoting six words of a line of a seed, with a `supports=` now
/// and then.
fn brief(root: &Path, n: usize) -> String {
    let seeds = [
        ("wiki", "seeds/002_ea804cd81d83a2a9.txt"),
        ("merics", "seeds/001_59eed631941b965d.txt"),
        ("primer", "seeds/003_3ada9579df3eea54.txt"),
    ];
    let lines: Vec<Vec<Vec<String>>> = seeds
        .iter()
        .map(|(_, p)| {
            std::fs::read_to_string(root.join(p))
                .unwrap()
                .lines()
                .map(|l| {
                    l.split_whitespace()
                        .filter(|w| !w.contains(['"', '\\', '…']) && !w.contains(".."))
                        .map(str::to_string)
                        .collect()
                })
                .filter(|w: &Vec<String>| w.len() >= 8)
                .collect()
        })
        .collect();
    let mut doc = String::from("---\ntitle: Generated\n---\n\n");
    for i in 0..n {
        if i % 50 == 0 {
            doc.push_str(&format!("## Part {}\n\n", i / 50));
        }
        let s = i % seeds.len();
        let words = &lines[s][(i * 7919) % lines[s].len()];
        let at = (i * 31) % (words.len() - 6);
        let support = if i % 11 == 10 {
            format!(" supports=#c{}", i - 1)
        } else {
            String::new()
        };
        doc.push_str(&format!(
            "[Claim c{i} restates the source.]{{#c{i} conf=moderate p=likely{support} cite={}:\"{}\"}}\n\n",
            seeds[s].0,
            words[at..at + 6].join(" "),
        ));
    }
    doc
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config =
        Arc::new(Config::parse(&std::fs::read_to_string(root.join("mica.toml")).unwrap()).unwrap());
    let provider = FsProvider::new(&root);
    let path = "brief.mica";
    let mut text = brief(&root, n);
    println!("{n} claims, {} bytes", text.len());

    let mut scratch = Vec::new();
    for k in 0..5 {
        let t = Instant::now();
        let d = DocumentData::new(&config, &provider, path, text.clone());
        scratch.push(t.elapsed());
        if k == 0 {
            println!(
                "{} diagnostics (quotes that occur twice)",
                d.diagnostics.len()
            );
        }
    }

    let mut cache = DocCache::new();
    cache.analyse(&config, &provider, path, text.clone());
    let (mut inc, mut parse, mut wide, mut lines, mut scope, mut copy) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut parses = ParseCache::new();
    parses.parse(&text);
    for k in 0..200 {
        let at = text.find(&format!("Claim c{} ", (k * 37) % n)).unwrap() + 6;
        text.insert(at, 'x');
        if std::env::var_os("MICA_BENCH_IDLE").is_some() {
            std::thread::sleep(Duration::from_millis(15));
        }
        let t = Instant::now();
        let d = cache.analyse(&config, &provider, path, text.clone());
        inc.push(t.elapsed());
        assert_eq!(cache.claims_checked(), 1);
        drop(d);
        // The phases, one by one.
        let t = Instant::now();
        let copied = text.clone();
        copy.push(t.elapsed());
        let t = Instant::now();
        let (p, _) = parses.parse(&copied);
        parse.push(t.elapsed());
        let t = Instant::now();
        let sc = SourceScope::new(&config, path, &p.document);
        scope.push(t.elapsed());
        let t = Instant::now();
        let ctx = DocContext {
            config: &config,
            path,
            text: &copied,
            parse: &p,
            scope: &sc,
        };
        let declared =
            mica_check::resolve::declared_sources(&provider as &dyn SourceProvider, &p.document);
        std::hint::black_box(rules::check_document_wide(&ctx, &declared));
        wide.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(LineIndex::new(&copied));
        lines.push(t.elapsed());
    }
    // Hover over a claim id and completion of a `supports=#` target, in process.
    let mut analysis = mica_ide::Analysis::new(
        Arc::clone(&config),
        Arc::new(FsProvider::new(&root)) as Arc<dyn SourceProvider>,
    );
    let doc = analysis.set_document(path, text.clone());
    let (mut hovers, mut completions) = (Vec::new(), Vec::new());
    for k in 0..200 {
        let id = format!("#c{} ", (k * 7919) % n);
        let at = doc.text.find(&id).unwrap() + 2;
        let t = Instant::now();
        assert!(mica_ide::hover(&analysis, path, at).is_some());
        hovers.push(t.elapsed());
        let at = doc.text.find("supports=#").unwrap() + "supports=#".len();
        let t = Instant::now();
        assert!(!mica_ide::completions(&analysis, path, at).is_empty());
        completions.push(t.elapsed());
    }
    let s = median(scratch);
    let i = median(inc);
    println!("from scratch           {}", ms(s));
    println!(
        "one keystroke          {}   ({:.0}x less)",
        ms(i),
        s.as_secs_f64() / i.as_secs_f64()
    );
    println!("  copy of the text     {}", ms(median(copy)));
    println!("  parse (paragraphs)   {}", ms(median(parse)));
    println!("  scope                {}", ms(median(scope)));
    println!("  document-wide rules  {}", ms(median(wide)));
    println!("  line index           {}", ms(median(lines)));
    println!("hover                  {}", ms(median(hovers)));
    println!("completion of an id    {}", ms(median(completions)));
}
