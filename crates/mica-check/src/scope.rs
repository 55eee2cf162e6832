//! The sources a document can cite: its own `@source` declarations after `mica.toml`'s, the
//! first declaration of each id counting. The resolve phase (`resolve.rs`) looks citations up
//! in a scope; the rules read declarations and grades from it.

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::Location;
use mica_syntax::{Document, TextRange, ValueKind};
use std::collections::HashMap;
use std::sync::Arc;

/// A source visible from a document, declared in it or in `mica.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDef {
    /// The id.
    pub id: String,
    /// Where the id is declared (a document or `mica.toml`).
    pub declared: Location,
    /// The whole declaration's range in that file.
    pub decl_range: TextRange,
    /// The path as written, and the range of its literal.
    pub path: Option<(String, TextRange)>,
    /// `title`, `url`, `date`, `reliability`, ... with their values and value ranges.
    pub attrs: Vec<(String, String, TextRange)>,
}

impl SourceDef {
    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    /// Whether it is declared in `mica.toml`.
    pub fn in_config(&self) -> bool {
        self.declared.file == CONFIG_FILE
    }
}

/// Declarations and the first of each id: one part of a scope.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Declared {
    /// Every declaration, duplicates included.
    defs: Vec<SourceDef>,
    by_id: HashMap<String, usize>,
}

impl Declared {
    fn new(defs: Vec<SourceDef>) -> Self {
        let mut by_id = HashMap::new();
        for (i, d) in defs.iter().enumerate() {
            by_id.entry(d.id.clone()).or_insert(i);
        }
        Self { defs, by_id }
    }

    /// The sources `mica.toml` declares: the start of every document's scope, built once per
    /// check and shared, so that a workspace of many documents and many sources does not
    /// hold a copy of them per document.
    pub fn of_config(config: &Config) -> Arc<Self> {
        Arc::new(Self::new(
            config
                .sources
                .iter()
                .map(|s| SourceDef {
                    id: s.id.clone(),
                    declared: Location {
                        file: CONFIG_FILE.to_string(),
                        range: s.id_range,
                    },
                    decl_range: s.id_range.cover(s.path_range),
                    path: Some((s.path.clone(), s.path_range)),
                    attrs: s.attrs.clone(),
                })
                .collect(),
        ))
    }

    fn get(&self, id: &str) -> Option<&SourceDef> {
        self.by_id.get(id).map(|&i| &self.defs[i])
    }

    /// The first declaration of each id, in order.
    pub fn counted(&self) -> impl Iterator<Item = &SourceDef> {
        self.defs
            .iter()
            .enumerate()
            .filter(|(i, d)| self.by_id.get(&d.id) == Some(i))
            .map(|(_, d)| d)
    }
}

/// The sources visible from one document: `mica.toml`'s first (shared by every document),
/// then the document's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceScope {
    config: Arc<Declared>,
    own: Declared,
}

impl SourceScope {
    /// The scope of the document at `path`.
    pub fn new(config: &Config, path: &str, doc: &Document) -> Self {
        Self::with_config(&Declared::of_config(config), path, doc)
    }

    /// The scope of the document at `path`, with `mica.toml`'s sources as
    /// [`Declared::of_config`] gave them (shared, not copied).
    pub fn with_config(config: &Arc<Declared>, path: &str, doc: &Document) -> Self {
        let mut defs = Vec::new();
        for decl in &doc.sources {
            let Some(id) = &decl.id else { continue };
            let attrs = decl
                .attrs
                .iter()
                .filter_map(|a| {
                    let value = match &a.value.kind {
                        ValueKind::Str(s) => s.value.clone(),
                        ValueKind::Bare(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((a.key.name.to_string(), value, a.value.range))
                })
                .collect();
            defs.push(SourceDef {
                id: id.name.to_string(),
                declared: Location {
                    file: path.to_string(),
                    range: id.range,
                },
                decl_range: decl.range,
                path: decl.path.as_ref().map(|p| (p.value.clone(), p.range)),
                attrs,
            });
        }
        Self {
            config: Arc::clone(config),
            own: Declared::new(defs),
        }
    }

    /// Every declaration in scope, duplicates included: `mica.toml`'s, then the document's.
    pub fn defs(&self) -> impl Iterator<Item = &SourceDef> {
        self.config.defs.iter().chain(&self.own.defs)
    }

    /// The declaration that counts for `id` (the first one).
    pub fn get(&self, id: &str) -> Option<&SourceDef> {
        self.config.get(id).or_else(|| self.own.get(id))
    }

    /// The ids in scope.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.defs().map(|d| d.id.as_str())
    }

    /// The declarations that count (the first of each id), in scope order: the candidates
    /// for a quote cited from the wrong source.
    pub fn counted(&self) -> impl Iterator<Item = &SourceDef> {
        self.config.counted().chain(self.own_counted())
    }

    /// The document's own declarations that count (those `mica.toml` does not already give),
    /// in order: they follow `mica.toml`'s in [`SourceScope::counted`].
    pub fn own_counted(&self) -> impl Iterator<Item = &SourceDef> {
        self.own
            .counted()
            .filter(|d| !self.config.by_id.contains_key(&d.id))
    }

    /// `mica.toml`'s declarations, as shared by every document's scope.
    pub fn config(&self) -> &Arc<Declared> {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_share_the_config_sources_and_order_them_first() {
        let config = Config::parse(
            "[sources.a]\npath = \"a.txt\"\n[sources.b]\npath = \"b.txt\"\n[sources.a2]\npath = \"a.txt\"\n",
        )
        .unwrap();
        let declared = Declared::of_config(&config);
        let one = mica_syntax::parse("@source c \"c.txt\"\n@source a \"other.txt\"\n");
        let two = mica_syntax::parse("@source d \"d.txt\"\n");
        let s1 = SourceScope::with_config(&declared, "one.mica", &one.document);
        let s2 = SourceScope::with_config(&declared, "two.mica", &two.document);
        // One copy of mica.toml's sources, whatever the number of documents.
        assert!(Arc::ptr_eq(s1.config(), s2.config()));
        assert_eq!(Arc::strong_count(&declared), 3);
        // mica.toml's declaration of `a` counts; the document's is shadowed.
        let ids = |s: &SourceScope| s.counted().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&s1), ["a", "b", "a2", "c"]);
        assert_eq!(ids(&s2), ["a", "b", "a2", "d"]);
        assert_eq!(s1.get("a").unwrap().path.as_ref().unwrap().0, "a.txt");
        assert_eq!(s1.defs().count(), 5);
        assert_eq!(s1.own_counted().count(), 1);
    }
}
