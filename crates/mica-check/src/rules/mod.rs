//! The rules, by family, and their registry: the context a rule reads and the two entry points
//! that run every rule, one for a single claim and one for what spans a whole document.
//!
//! Rules read the parse, the document's [`SourceScope`], the configuration and the
//! [`Resolution`]s of the resolve phase. None of them calls a provider or reads a file, so the
//! command line, the language server and the tests run exactly the same rules.
//!
//! | file | rules |
//! |---|---|
//! | `syntax.rs` | syntax errors, front matter (`syntax-error`, `invalid-value`) |
//! | `sources.rs` | `@source` declarations: duplicates, attributes, unreadable, unused |
//! | `citations.rs` | unknown source, lines out of range, ambiguous, outside lines, not found, empty |
//! | `claims.rs` | claim attributes, `conf`, `p`, references, duplicate ids, uncited claims |
//! | `tradecraft/` | ICD 203 likelihood language, figures, source grades, elided negations, circular support, incoherent likelihoods (one file per rule) |

mod citations;
mod claims;
mod sources;
mod syntax;
pub mod tradecraft;

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Edit, Location};
use crate::resolve::{DeclaredSources, Resolution, SourceScope};
use mica_syntax::{Attr, Claim, Parse, TextRange, ValueKind};

pub(crate) use sources::source_error;

/// A hash map keyed by short strings (claim ids, source ids): the rules that span a document
/// build these on every keystroke in an editor, where SipHash cost more than the rules.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Each claim id of a document and the index of the first claim with it.
pub(crate) type ClaimIds<'a> = FastMap<&'a str, usize>;

/// A hash set, as [`FastMap`].
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// What every rule of one document may read.
#[derive(Clone, Copy, Debug)]
pub struct DocContext<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The document's workspace-relative path.
    pub path: &'a str,
    /// Its text.
    pub text: &'a str,
    /// Its parse.
    pub parse: &'a Parse,
    /// The sources visible from it.
    pub scope: &'a SourceScope,
}

impl DocContext<'_> {
    /// A diagnostic in this document.
    pub(crate) fn diag(
        &self,
        code: Code,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, self.path, range, message)
    }

    /// An edit of this document.
    pub(crate) fn edit(&self, range: TextRange, new_text: impl Into<String>) -> Edit {
        Edit {
            location: Location {
                file: self.path.to_string(),
                range,
            },
            new_text: new_text.into(),
        }
    }

    /// `range` widened over the whitespace before it, so that removing it leaves no double
    /// space.
    pub(crate) fn with_leading_space(&self, range: TextRange) -> TextRange {
        let before = &self.text[..range.start()];
        let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
        TextRange::new(range.start() - ws, range.end())
    }
}

/// Push `d` and hand it back for labels and fixes.
pub(crate) fn emit(out: &mut Vec<Diagnostic>, d: Diagnostic) -> &mut Diagnostic {
    out.push(d);
    let last = out.len() - 1;
    &mut out[last]
}

/// The attributes of `claim` whose value the rules look at: not a repeat of a single-valued
/// key, not invalid, not missing. The repeats and invalid values have their own diagnostics.
pub(crate) fn effective_attrs(claim: &Claim) -> impl Iterator<Item = &Attr> {
    // One bit per single-valued key: no set to allocate and hash for every claim, which the
    // editor re-runs these rules over on every keystroke.
    let mut seen = 0u32;
    claim.attrs.iter().filter(move |attr| {
        let key = attr.key.name.as_str();
        if let Some(k) = crate::vocab::SINGLE_KEYS.iter().position(|s| *s == key) {
            if seen & (1 << k) != 0 {
                return false;
            }
            seen |= 1 << k;
        }
        !matches!(attr.value.kind, ValueKind::Invalid(_) | ValueKind::Missing)
    })
}

/// Every rule whose inputs are one claim: its attributes, its citations' resolutions (in
/// order), the document's source scope and the configuration. Diagnostics come in the order
/// the claim's attributes are written.
pub fn check_claim(
    ctx: &DocContext<'_>,
    claim_index: usize,
    claim: &Claim,
    resolutions: &[Resolution],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    claims::attributes(ctx, claim, resolutions, &mut out);
    out.extend(tradecraft::check_claim(ctx, claim, resolutions));
    debug_assert!(resolutions.iter().all(|r| r.claim == claim_index));
    out
}

/// The rules whose inputs span the document, in groups by what they read, so that an editor
/// runs again only the groups whose inputs an edit changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentRules {
    /// Syntax errors and front matter (the parse), source declarations (the scope and which
    /// declared paths loaded, as [`crate::resolve::declared_sources`] gives them).
    Structure,
    /// Duplicate claim ids, unknown `supports`/`contradicts` targets, circular support and
    /// incoherent likelihoods: every claim's id, `supports=`, `contradicts=` and `p=` (and
    /// the single-valued keys, which decide which of a repeated key counts).
    Relations,
    /// Unused sources: the declarations and every citation's source id.
    Usage,
}

impl DocumentRules {
    /// Every group, in the order [`check_document_wide`] runs them.
    pub const ALL: [DocumentRules; 3] = [Self::Structure, Self::Relations, Self::Usage];
}

/// Run the rules of one group over the document.
pub fn check_document_rules(
    ctx: &DocContext<'_>,
    sources: &DeclaredSources,
    group: DocumentRules,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match group {
        DocumentRules::Structure => {
            syntax::errors(ctx, &mut out);
            syntax::front_matter(ctx, &mut out);
            sources::declarations(ctx, sources, &mut out);
        }
        DocumentRules::Relations => {
            let ids = claims::duplicate_ids(ctx, &mut out);
            claims::references(ctx, &ids, &mut out);
            out.extend(tradecraft::check_document_wide(ctx, &ids));
        }
        DocumentRules::Usage => sources::unused(ctx, &mut out),
    }
    out
}

/// Every rule whose inputs span the document: each [`DocumentRules`] group in turn.
pub fn check_document_wide(ctx: &DocContext<'_>, sources: &DeclaredSources) -> Vec<Diagnostic> {
    DocumentRules::ALL
        .iter()
        .flat_map(|&g| check_document_rules(ctx, sources, g))
        .collect()
}
