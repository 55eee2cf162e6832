//! The batch pipeline gives what the editor's path gives: the same diagnostics in the same
//! order, with the same suggestions and fixes, and the same resolved citations, on the example
//! workspace, the fault gallery, the rule fixtures and generated workspaces.

use mica_check::{CheckedDocument, Config, DocumentInput, check, check_batch, check_config};
use mica_sources::{FsProvider, SourceProvider};
use std::fmt::Write as _;
use std::path::Path;

/// Both paths over `docs` (path, text), on pools of one and of three threads; returns the
/// editor path's result.
fn compare(
    config: &Config,
    provider: &dyn SourceProvider,
    docs: &[(String, String)],
) -> Vec<CheckedDocument> {
    let parses: Vec<_> = docs.iter().map(|(_, t)| mica_syntax::parse(t)).collect();
    let inputs: Vec<DocumentInput<'_>> = docs
        .iter()
        .zip(&parses)
        .map(|((path, text), parse)| DocumentInput { path, text, parse })
        .collect();
    let expected = check(config, provider, &inputs);
    let expected_config = check_config(config, provider);
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let got = pool.install(|| check_batch(config, provider, &inputs));
        for (e, g) in expected.iter().zip(&got.documents) {
            assert_eq!(e, g, "{} differs on {threads} threads", e.path);
        }
        assert_eq!(expected.len(), got.documents.len());
        assert_eq!(expected_config, got.config);
    }
    expected
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn mica_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            mica_files(&p, root, out);
        } else if p.extension().is_some_and(|x| x == "mica") {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

#[test]
fn example_workspace_and_gallery() {
    let root = repo();
    let config = Config::parse(&std::fs::read_to_string(root.join("mica.toml")).unwrap()).unwrap();
    let mut docs = Vec::new();
    mica_files(&root.join("spec/examples"), root, &mut docs);
    assert!(docs.len() > 10);
    compare(&config, &FsProvider::new(root), &docs);
}

#[test]
fn rule_fixtures() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules"));
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let provider = mica_sources::MemoryProvider::new("/ws");
        let mut config = Config::default();
        let mut docs = Vec::new();
        let mut files: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- /") {
                files.push((path.trim().to_string(), String::new()));
            } else if let Some((_, body)) = files.last_mut() {
                body.push_str(line);
            }
        }
        for (path, body) in files {
            if path == "mica.toml" {
                config = Config::parse(&body).unwrap();
            } else if path.ends_with(".mica") {
                docs.push((path, body));
            } else {
                provider.insert(&path, body);
            }
        }
        compare(&config, &provider, &docs);
    }
}

/// A small deterministic generator.
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

/// Workspaces with every kind of citation: found, ambiguous, line-restricted, outside their
/// lines, past the end, altered, elided, empty, unknown ids, sources spelt two ways, sources
/// missing, not UTF-8 or outside the root, and quotes taken from another source.
#[test]
fn generated_workspaces() {
    let seeds = repo().join("seeds");
    let mut sentences: Vec<String> = Vec::new();
    let mut seed_files: Vec<_> = std::fs::read_dir(&seeds).unwrap().flatten().collect();
    seed_files.sort_by_key(|e| e.file_name());
    for e in seed_files {
        let text = std::fs::read_to_string(e.path()).unwrap();
        sentences.extend(
            text.split_inclusive(['.', '\n'])
                .map(str::to_string)
                .filter(|s| s.len() > 20 && !s.contains(['"', '\\'])),
        );
    }
    // Half the sources are plain ASCII, which the wrong-source pass pre-filters.
    let ascii: Vec<String> = sentences.iter().filter(|s| s.is_ascii()).cloned().collect();
    assert!(ascii.len() > 20 && ascii.len() < sentences.len());
    let mut wrong_source = 0;
    for seed in 1..=12u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        let n = 2 + rng.below(5);
        let mut texts = Vec::new();
        for i in 0..n {
            let mut t = String::new();
            let pool = if i % 2 == 0 { &ascii } else { &sentences };
            for _ in 0..(5 + rng.below(40)) {
                t.push_str(&pool[rng.below(pool.len())]);
                if rng.below(3) == 0 {
                    t.push('\n');
                }
                // Characters whose normalisation makes or unmakes ASCII words (a ligature, a
                // superscript, a soft hyphen, a combining accent), so that the wrong-source
                // pass must normalise before it looks for words.
                if i % 3 == 2 && rng.below(4) == 0 {
                    t.push_str(
                        [
                            "con\u{fb01}rms ",
                            "rate\u{b2} ",
                            "tech\u{ad}nology ",
                            "cafe\u{301}s ",
                        ][rng.below(4)],
                    );
                }
            }
            std::fs::write(root.join(format!("src/s{i}.txt")), &t).unwrap();
            texts.push(t);
        }
        std::fs::write(root.join("src/bad.txt"), b"caf\xe9\n").unwrap();
        let mut toml = String::from("[workspace]\n");
        for i in 0..n {
            let spelling = if i % 2 == 0 { "./" } else { "" };
            writeln!(
                toml,
                "[sources.s{i}]\npath = \"{spelling}src/s{i}.txt\"\nreliability = \"B\""
            )
            .unwrap();
        }
        writeln!(toml, "[sources.bad]\npath = \"src/bad.txt\"").unwrap();
        std::fs::write(root.join("mica.toml"), &toml).unwrap();
        let config = Config::parse(&toml).unwrap();
        let mut docs = Vec::new();
        for d in 0..3 {
            let mut doc = String::new();
            writeln!(doc, "@source alias \"src/s0.txt\"").unwrap();
            writeln!(doc, "@source gone \"src/missing.txt\"").unwrap();
            writeln!(doc, "@source out \"../outside.txt\"\n").unwrap();
            for c in 0..(10 + rng.below(30)) {
                let f = rng.below(n);
                let text = &texts[f];
                let words: Vec<&str> = text.split_whitespace().collect();
                let start = rng.below(words.len().saturating_sub(8).max(1));
                let len = 2 + rng.below(8);
                let mut quote = words[start..(start + len).min(words.len())].join(" ");
                let mut id = format!("s{f}");
                let mut locator = String::new();
                match rng.below(13) {
                    0 => quote = quote.replacen(' ', " zebra ", 1),
                    1 => id = format!("s{}", (f + 1) % n),
                    2 => id = "nosuch".into(),
                    3 => {
                        let mid = quote.find(' ').unwrap_or(0);
                        quote = format!("{} ... {}", &quote[..mid], &quote[mid..].trim());
                    }
                    4 => locator = format!("L{}:", 1 + rng.below(8)),
                    5 => locator = format!("L1-{}:", 1 + rng.below(60)),
                    6 => quote = "the".into(),
                    7 => id = "alias".into(),
                    8 => id = ["gone", "out", "bad"][rng.below(3)].into(),
                    9 => quote = "...".into(),
                    10 => {
                        // Taken from another source, starting and ending inside a word.
                        id = format!("s{}", (f + 1) % n);
                        let cut: String = quote.chars().skip(2).collect();
                        let keep = cut.chars().count().saturating_sub(2);
                        quote = cut.chars().take(keep).collect();
                    }
                    _ => {}
                }
                let cite = if rng.below(10) == 0 {
                    format!("{id}:L{}", 1 + rng.below(20))
                } else {
                    format!("{id}:{locator}\"{quote}\"")
                };
                writeln!(doc, "- [Claim {c}]{{#c{c} cite={cite}}}").unwrap();
            }
            docs.push((format!("doc{d}.mica"), doc));
        }
        let checked = compare(&config, &FsProvider::new(root), &docs);
        wrong_source += checked
            .iter()
            .flat_map(|c| &c.diagnostics)
            .filter(|d| d.message.contains("occurs word for word in"))
            .count();
    }
    assert!(
        wrong_source > 5,
        "too few wrong-source cases: {wrong_source}"
    );
}

/// The wrong-source pass looks for a missing quote's words before it matches the quote, in a
/// source's text as written only when its normalised words are the same. A source whose
/// ligature, superscript, soft hyphen or combining accent makes or unmakes ASCII words must
/// still be found to hold a quote typed the plain way, and a quote that starts and ends
/// inside words of the other source must be found too.
#[test]
fn wrong_source_found_through_normalisation() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("a.txt"),
        "The survey con\u{fb01}rms that tech\u{ad}nology spending rose, up 4\u{b2} points at the \
         cafe\u{301}s of Shenzhen.\n",
    )
    .unwrap();
    std::fs::write(root.join("b.txt"), "Nothing of the kind is said here.\n").unwrap();
    let toml = "[workspace]\n[sources.a]\npath = \"a.txt\"\n[sources.b]\npath = \"b.txt\"\n";
    std::fs::write(root.join("mica.toml"), toml).unwrap();
    let config = Config::parse(toml).unwrap();
    let quotes = [
        "survey confirms that technology spending rose",
        "up 42 points",
        "at the cafés of Shenzhen",
        "rvey confirms that technology spen",
    ];
    let mut doc = String::new();
    for (i, q) in quotes.iter().enumerate() {
        writeln!(doc, "- [Claim {i}]{{#c{i} cite=b:\"{q}\"}}").unwrap();
    }
    let checked = compare(
        &config,
        &FsProvider::new(root),
        &[("brief.mica".to_string(), doc)],
    );
    let named = checked[0]
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("occurs word for word in `a`"))
        .count();
    assert_eq!(named, quotes.len(), "{:#?}", checked[0].diagnostics);
}
