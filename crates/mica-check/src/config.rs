//! `mica.toml`: the workspace configuration (excluded paths, shared sources, rule severities).
//!
//! An empty file is valid. Unknown tables and keys are errors, so that a misspelt setting is
//! reported instead of silently ignored.

use crate::diagnostic::{Code, Severity};
use crate::similar::did_you_mean;
use crate::vocab::Grade;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use mica_syntax::{LineIndex, TextRange};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// The name of the configuration file, which also marks the workspace root.
pub const CONFIG_FILE: &str = "mica.toml";

/// A source declared in `mica.toml` under `[sources.ID]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigSource {
    /// The id and where it is written (the table's key).
    pub id: String,
    /// The range of the id in `mica.toml`.
    pub id_range: TextRange,
    /// The path, relative to the workspace root.
    pub path: String,
    /// The range of the path's value.
    pub path_range: TextRange,
    /// `title`, `url`, `date`, `reliability` and their value ranges.
    pub attrs: Vec<(String, String, TextRange)>,
}

/// The parsed configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The text of `mica.toml` (empty when there is none), for ranges and hovers.
    pub text: String,
    /// Workspace-relative paths, folders or glob patterns skipped when checking a folder.
    pub exclude: Excludes,
    /// Where `spec/diagnostics.md` is published, for links from editors.
    pub docs_url: Option<String>,
    /// Sources shared by every document.
    pub sources: Vec<ConfigSource>,
    /// Severity overrides; `None` turns a rule off.
    pub rules: BTreeMap<Code, Option<Severity>>,
    /// Settings of the tradecraft rules (`[tradecraft]`).
    pub tradecraft: Tradecraft,
}

/// `[tradecraft]`: the standards the tradecraft rules hold a brief to.
#[derive(Clone, Debug, PartialEq)]
pub struct Tradecraft {
    /// The lowest Admiralty grade a source may have and still carry `conf=high` on its own
    /// (`high-confidence-grade`, C by default): a claim with `conf=high` needs at least one
    /// cited source graded this or better, or it is `overconfident-claim`.
    pub high_confidence_grade: Grade,
}

impl Default for Tradecraft {
    fn default() -> Self {
        Self {
            high_confidence_grade: Grade::C,
        }
    }
}

/// A configuration that cannot be used, with the place in `mica.toml` it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong and what to do.
    pub message: String,
    /// 1-based line and column in `mica.toml`, when known.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{CONFIG_FILE}:{line}:{col}: {}", self.message),
            None => write!(f, "{CONFIG_FILE}: {}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    workspace: RawWorkspace,
    #[serde(default)]
    sources: BTreeMap<Spanned<String>, RawSource>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    tradecraft: RawTradecraft,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTradecraft {
    high_confidence_grade: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWorkspace {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    docs_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a source table such as `[sources.wiki]` with `path = \"seeds/wiki.txt\"`"
)]
struct RawSource {
    path: Spanned<String>,
    title: Option<Spanned<toml::Value>>,
    url: Option<Spanned<toml::Value>>,
    date: Option<Spanned<toml::Value>>,
    reliability: Option<Spanned<toml::Value>>,
}

fn range_of<T>(s: &Spanned<T>) -> TextRange {
    TextRange::from(s.span())
}

impl Config {
    /// Parse the text of a `mica.toml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let at = |offset: usize| {
            let lc = lines.line_col(text, offset, mica_syntax::ColumnUnit::Char);
            Some((lc.line + 1, lc.col + 1))
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
            message: e.message().trim().to_string(),
            position: e.span().and_then(|s| at(s.start)),
        })?;
        let exclude = Excludes::new(raw.workspace.exclude.iter().map(|p| p.get_ref().as_str()))
            .map_err(|(i, message)| ConfigError {
                message,
                position: at(raw.workspace.exclude[i].span().start),
            })?;
        let mut config = Config {
            text: text.to_string(),
            exclude,
            docs_url: raw.workspace.docs_url,
            ..Config::default()
        };
        for (id, src) in raw.sources {
            if !mica_syntax::is_ident(id.get_ref()) {
                return Err(ConfigError {
                    message: format!(
                        "`{}` is not a valid source id: use letters, digits, `-` and `_`",
                        id.get_ref()
                    ),
                    position: at(id.span().start),
                });
            }
            let mut attrs = Vec::new();
            for (key, value) in [
                ("title", &src.title),
                ("url", &src.url),
                ("date", &src.date),
                ("reliability", &src.reliability),
            ] {
                let Some(v) = value else { continue };
                let text = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    // A TOML date (`date = 2025-05-01`) is as good as the string.
                    toml::Value::Datetime(d) if key == "date" => d.to_string(),
                    other => {
                        return Err(ConfigError {
                            message: format!(
                                "`{key}` of source `{}` must be a string in double quotes, not {} {}",
                                id.get_ref(),
                                article(other.type_str()),
                                other.type_str()
                            ),
                            position: at(v.span().start),
                        });
                    }
                };
                attrs.push((key.to_string(), text, range_of(v)));
            }
            config.sources.push(ConfigSource {
                id: id.get_ref().clone(),
                id_range: range_of(&id),
                path: src.path.get_ref().clone(),
                path_range: range_of(&src.path),
                attrs,
            });
        }
        config.sources.sort_by_key(|s| s.id_range.start());
        for (name, level) in raw.rules {
            let Some(code) = Code::from_name(name.get_ref()) else {
                let hint = did_you_mean(name.get_ref(), Code::ALL.iter().map(|c| c.name()))
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(ConfigError {
                    message: format!("unknown rule `{}` in [rules]{hint}", name.get_ref()),
                    position: at(name.span().start),
                });
            };
            let severity = match level.get_ref().as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                "off" => None,
                other => {
                    return Err(ConfigError {
                        message: format!(
                            "`{other}` is not a severity: use \"error\", \"warning\", \"info\" or \"off\""
                        ),
                        position: at(level.span().start),
                    });
                }
            };
            config.rules.insert(code, severity);
        }
        if let Some(grade) = raw.tradecraft.high_confidence_grade {
            config.tradecraft.high_confidence_grade =
                Grade::parse(grade.get_ref()).ok_or_else(|| ConfigError {
                    message: format!(
                        "`{}` is not a reliability grade: high-confidence-grade takes an Admiralty \
                         grade from \"A\" (completely reliable) to \"F\" (cannot be judged)",
                        grade.get_ref()
                    ),
                    position: at(grade.span().start),
                })?;
        }
        Ok(config)
    }

    /// The severity of `code` in this workspace; `None` when the rule is off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.rules.get(&code) {
            Some(over) => *over,
            None => Some(code.default_severity()),
        }
    }

    /// Whether a workspace-relative path (with `/` separators) is excluded.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.exclude.is_excluded(path)
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The `exclude` patterns of `[workspace]`, compiled once into one [`GlobSet`].
///
/// The semantics are gitignore's: a pattern without a `/` (other than a trailing one) matches a
/// file or folder name at any depth; a pattern with a `/` is anchored at the workspace root; `*`
/// and `?` never match `/`, `**` matches any number of folders; a pattern that matches a folder
/// excludes everything under it. Matching compiles to a finite automaton (globset builds on the
/// regex crate), so its time is linear in the path whatever the pattern: a `mica.toml` cannot
/// make a check backtrack for minutes.
#[derive(Clone, Debug, Default)]
pub struct Excludes {
    patterns: Vec<String>,
    set: GlobSet,
}

impl PartialEq for Excludes {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl Excludes {
    /// Compile `patterns`; on error, the index of the bad pattern and what is wrong with it.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, (usize, String)> {
        let mut builder = GlobSetBuilder::new();
        let mut kept = Vec::new();
        for (i, raw) in patterns.into_iter().enumerate() {
            if raw.starts_with('!') {
                return Err((
                    i,
                    format!(
                        "exclude pattern `{raw}`: negation with `!` is not supported; list only what to skip"
                    ),
                ));
            }
            // `./drafts`, `/drafts` and `drafts/` all name the workspace's `drafts`.
            let trimmed = raw.trim_start_matches("./").trim_start_matches('/');
            let trimmed = trimmed.trim_end_matches('/');
            if trimmed.is_empty() {
                return Err((
                    i,
                    format!("exclude pattern `{raw}` names no path; remove it or name a folder"),
                ));
            }
            // A leading `/` or an inner `/` anchors the pattern at the root, as in .gitignore.
            let anchored = raw.trim_end_matches('/').contains('/') || trimmed.starts_with("**");
            let full = if anchored {
                trimmed.to_string()
            } else {
                format!("**/{trimmed}")
            };
            let glob = GlobBuilder::new(&full)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| {
                    (
                        i,
                        format!("exclude pattern `{raw}` is not a valid glob: {}", e.kind()),
                    )
                })?;
            builder.add(glob);
            kept.push(raw.to_string());
        }
        let set = builder
            .build()
            .map_err(|e| (0, format!("the exclude patterns cannot be compiled: {e}")))?;
        Ok(Self {
            patterns: kept,
            set,
        })
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether the workspace-relative `path` (with `/` separators), or a folder above it, is
    /// excluded.
    pub fn is_excluded(&self, path: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let path = path.trim_start_matches("./").trim_matches('/');
        if path.is_empty() {
            return false;
        }
        // Each folder above the path is tested too, so that excluding `drafts` excludes
        // `drafts/a/b.mica` whether or not the walk looked at `drafts` first.
        path.match_indices('/')
            .map(|(i, _)| &path[..i])
            .chain(std::iter::once(path))
            .any(|prefix| self.set.is_match(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_valid() {
        let c = Config::parse("").unwrap();
        assert!(c.sources.is_empty() && c.exclude.is_empty());
        assert!(!c.is_excluded("a.mica"));
        assert_eq!(c.severity(Code::UncitedClaim), Some(Severity::Warning));
    }

    #[test]
    fn sources_rules_and_excludes() {
        let text = "[workspace]\nexclude = [\"spec/faults\", \"**/*.draft.mica\"]\n\n[sources.wiki]\npath = \"seeds/w.txt\"\nreliability = \"C\"\n\n[rules]\nuncited-claim = \"error\"\nambiguous-quote = \"off\"\n";
        let c = Config::parse(text).unwrap();
        assert_eq!(c.sources[0].id, "wiki");
        assert_eq!(&text[c.sources[0].id_range.to_range()], "wiki");
        assert_eq!(&text[c.sources[0].path_range.to_range()], "\"seeds/w.txt\"");
        assert_eq!(c.severity(Code::UncitedClaim), Some(Severity::Error));
        assert_eq!(c.severity(Code::AmbiguousQuote), None);
        assert!(c.is_excluded("spec/faults/a.mica"));
        assert!(c.is_excluded("spec/faults"));
        assert!(!c.is_excluded("spec/faultsx/a.mica"));
        assert!(c.is_excluded("notes/x.draft.mica"));
        assert!(!c.is_excluded("notes/x.mica"));
        let c = Config::parse("[workspace]\nexclude = [\"./ex\", \"/abs/\"]\n").unwrap();
        assert!(c.is_excluded("ex/a.mica") && c.is_excluded("abs/b.mica"));
    }

    fn excludes(patterns: &[&str]) -> Excludes {
        Excludes::new(patterns.iter().copied()).unwrap()
    }

    #[test]
    fn excludes_follow_gitignore() {
        // `*` and `**` exclude everything, files at the root included.
        for all in ["*", "**", "/**", "./*"] {
            let e = excludes(&[all]);
            assert!(e.is_excluded("a.mica"), "{all}");
            assert!(e.is_excluded("x/y/b.mica"), "{all}");
        }
        // A name without a slash matches at any depth; with a slash it is anchored.
        let e = excludes(&["drafts", "/top.mica", "spec/faults/"]);
        assert!(e.is_excluded("drafts/a.mica") && e.is_excluded("x/drafts/a.mica"));
        assert!(e.is_excluded("top.mica") && !e.is_excluded("x/top.mica"));
        assert!(e.is_excluded("spec/faults/a.mica") && !e.is_excluded("x/spec/faults/a.mica"));
        assert!(!e.is_excluded("draftsx/a.mica"));
        // `*` and `?` stay within a name; `**` crosses folders.
        let e = excludes(&["notes/*.mica", "a?.mica", "deep/**/*.draft.mica"]);
        assert!(e.is_excluded("notes/x.mica") && !e.is_excluded("notes/sub/x.mica"));
        assert!(e.is_excluded("q/ab.mica") && !e.is_excluded("q/a/b.mica"));
        assert!(e.is_excluded("deep/x.draft.mica") && e.is_excluded("deep/1/2/x.draft.mica"));
        assert!(!e.is_excluded("deep/x.mica"));
        assert!(!e.is_excluded(""));
    }

    #[test]
    fn pathological_patterns_match_in_linear_time() {
        // The old backtracking matcher took minutes on these; a finite automaton cannot.
        let deep = (0..200)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>()
            .join("/");
        let e = excludes(&["**/**/**/**/**/**/**/**/*.draft.mica"]);
        for _ in 0..100 {
            assert!(!e.is_excluded(&format!("{deep}/x.mica")));
        }
        assert!(e.is_excluded(&format!("{deep}/x.draft.mica")));
        let p = format!("{}b", "*a".repeat(20));
        let e = excludes(&[p.as_str()]);
        assert!(!e.is_excluded(&"a".repeat(40)));
        assert!(e.is_excluded(&format!("{}b", "a".repeat(40))));
    }

    #[test]
    fn bad_exclude_patterns_say_where() {
        let e = Config::parse("[workspace]\nexclude = [\"ok\", \"[z-a\"]\n").unwrap_err();
        assert!(e.to_string().starts_with("mica.toml:2:18:"), "{e}");
        assert!(e.message.contains("not a valid glob"), "{e}");
        let e = Config::parse("[workspace]\nexclude = [\"!keep\"]\n").unwrap_err();
        assert!(e.message.contains("negation"), "{e}");
    }

    #[test]
    fn bad_configs_say_what_and_where() {
        let e = Config::parse("[rules]\nuncited-claims = \"error\"\n").unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
        assert!(e.message.contains("did you mean `uncited-claim`"), "{e}");
        let e = Config::parse("[rules]\nuncited-claim = \"fatal\"\n").unwrap_err();
        assert!(e.to_string().starts_with("mica.toml:2:17:"), "{e}");
        let e = Config::parse("[sources.x]\ntitle = \"no path\"\n").unwrap_err();
        assert!(e.message.contains("path"), "{e}");
        let e = Config::parse("[sources.a]\npath = \"a.txt\"\ntitle = 3\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "mica.toml:3:9: `title` of source `a` must be a string in double quotes, not an integer"
        );
        let e = Config::parse("[sources]\na = \"a.txt\"\n").unwrap_err();
        assert!(
            e.message
                .contains("a source table such as `[sources.wiki]`"),
            "{e}"
        );
        let c = Config::parse("[sources.a]\npath = \"a.txt\"\ndate = 2025-05-01\n").unwrap();
        assert_eq!(c.sources[0].attrs[0].1, "2025-05-01");
        let e = Config::parse("[workspace]\nexclued = []\n").unwrap_err();
        assert!(e.message.contains("exclued"), "{e}");
        assert!(Config::parse("not toml = = =").is_err());
    }

    #[test]
    fn tradecraft_settings() {
        assert_eq!(Config::default().tradecraft.high_confidence_grade, Grade::C);
        let c = Config::parse("[tradecraft]\nhigh-confidence-grade = \"B\"\n").unwrap();
        assert_eq!(c.tradecraft.high_confidence_grade, Grade::B);
        let e = Config::parse("[tradecraft]\nhigh-confidence-grade = \"G\"\n").unwrap_err();
        assert_eq!(e.position, Some((2, 25)));
        assert!(e.message.contains("not a reliability grade"), "{e}");
        let e = Config::parse("[tradecraft]\nmin-grade = \"B\"\n").unwrap_err();
        assert!(e.message.contains("min-grade"), "{e}");
    }
}
