//! Test fixtures: a workspace written as one text with `//- /path` file markers, and a cursor
//! marker `$0` (two markers make a range) in one of its files.

use crate::Analysis;
use mica_check::Config;
use mica_sources::MemoryProvider;
use mica_syntax::TextRange;
use std::sync::Arc;

/// A workspace built from a fixture, with the cursor's file and position.
pub(crate) struct Fixture {
    pub(crate) analysis: Analysis,
    /// The file holding the cursor.
    pub(crate) file: String,
    /// The cursor, or the range between two markers.
    pub(crate) range: TextRange,
}

impl Fixture {
    /// The cursor's offset.
    pub(crate) fn offset(&self) -> usize {
        self.range.start()
    }

    /// The text of the cursor's file (without markers).
    pub(crate) fn text(&self) -> &str {
        &self
            .analysis
            .document(&self.file)
            .expect("cursor file")
            .text
    }
}

/// The seeds-like source every fixture without its own `mica.toml` can cite as `art`.
const DEFAULT_CONFIG: &str =
    "[sources.art]\npath = \"article.txt\"\ntitle = \"An article\"\nreliability = \"B\"\n";

const DEFAULT_ARTICLE: &str = "Over nine years, the CCP invested more than\n$300 billion to establish 33 innovation centers.\nThe target was 70 percent by 2025.\nChinese: 中国制造2025; pinyin follows.\nThe target was 70 percent by 2025.\nThe plan was signed by Premier Li Keqiang in May 2015.\n";

/// Build a workspace from `text`. Without file markers the text is `doc.mica`; without a
/// `mica.toml` the workspace declares `art` (`article.txt`, added unless the fixture has one).
pub(crate) fn fixture(text: &str) -> Fixture {
    let mut files: Vec<(String, String)> = Vec::new();
    if !text.starts_with("//- /") {
        files.push(("doc.mica".into(), String::new()));
    }
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- /") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        }
    }
    let provider = MemoryProvider::new("/ws");
    let mut config_text = None;
    let mut cursor: Option<(String, TextRange)> = None;
    let mut docs = Vec::new();
    for (path, body) in files {
        let (body, range) = take_markers(&body);
        if let Some(r) = range {
            cursor = Some((path.clone(), r));
        }
        if path == "mica.toml" {
            config_text = Some(body);
        } else if path.ends_with(".mica") {
            docs.push((path, body));
        } else {
            provider.insert(&path, body);
        }
    }
    if config_text.is_none() && provider.load_text("article.txt").is_none() {
        provider.insert("article.txt", DEFAULT_ARTICLE);
    }
    let config =
        Config::parse(config_text.as_deref().unwrap_or(DEFAULT_CONFIG)).expect("fixture config");
    let mut analysis = Analysis::new(Arc::new(config), Arc::new(provider));
    for (path, body) in docs {
        analysis.set_document(&path, body);
    }
    let (file, range) = cursor.unwrap_or_else(|| ("doc.mica".into(), TextRange::empty(0)));
    Fixture {
        analysis,
        file,
        range,
    }
}

/// Remove `$0` markers, returning the text and the cursor (one marker) or range (two).
fn take_markers(text: &str) -> (String, Option<TextRange>) {
    let mut out = String::with_capacity(text.len());
    let mut marks = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("$0") {
        out.push_str(&rest[..i]);
        marks.push(out.len());
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    let range = match marks.as_slice() {
        [] => None,
        [a] => Some(TextRange::empty(*a)),
        [a, b, ..] => Some(TextRange::new(*a, *b)),
    };
    (out, range)
}

trait LoadText {
    fn load_text(&self, path: &str) -> Option<String>;
}

impl LoadText for MemoryProvider {
    fn load_text(&self, path: &str) -> Option<String> {
        use mica_sources::SourceProvider;
        self.load(path).ok().map(|s| s.text().to_string())
    }
}
