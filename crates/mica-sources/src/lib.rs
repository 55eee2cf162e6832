//! Source documents for Mica: loading through a provider, normalisation with a byte map back to
//! the original, quote matching (exact, elided, line-restricted) and closest-passage suggestions.
//!
//! This crate is pure text plus the provider: it knows nothing of the parser's syntax tree,
//! diagnostics or the language server. Every position it returns is a byte range
//! ([`TextRange`]) into the *original* text of a source.
//!
//! Cost model: a source is normalised once, when its [`SourceFile`] is built; all the quotes
//! checked against it are found in one multi-pattern pass over its normalised text, and
//! patterns already looked up are answered from a cache. Suggestions for quotes that were not
//! found take one more pass over the source per batch (the quotes' q-grams vote for places)
//! and align only a few windows, so no step costs corpus size times quote count.
//!
//! ```
//! use mica_sources::{QuoteOutcome, QuoteQuery, SourceFile};
//!
//! let text = "Over nine years, the CCP invested more than\n$300\u{a0}billion.";
//! let src = SourceFile::new("seeds/a.txt", text.to_owned());
//! let query = QuoteQuery { quote: "the CCP invested more than $300 billion", lines: None };
//! let QuoteOutcome::Found(m) = src.find_quote(query) else { panic!("not found") };
//! assert_eq!(&text[m.range.to_range()], "the CCP invested more than\n$300\u{a0}billion");
//!
//! let wrong = "the CCP invested more than $400 billion";
//! assert_eq!(src.find_quote(QuoteQuery { quote: wrong, lines: None }), QuoteOutcome::NotFound);
//! let s = src.suggest(wrong, None).expect("a close passage");
//! assert_eq!((s.text.as_str(), s.distance), ("the CCP invested more than $300 billion", 1));
//! ```

pub mod matching;
pub mod normalize;
pub mod provider;
mod search;
pub mod sentence;
mod source;
mod suggest;
#[cfg(test)]
mod test_rng;

pub use matching::{
    LineSpan, MAX_ELISION_GAP, MAX_ELISIONS, OCCURRENCE_CAP, Passage, QuoteMatch, QuoteOutcome,
    QuoteQuery, Suggestion, quote_parts,
};
pub use mica_syntax::TextRange;
pub use normalize::{Normalized, ascii_words_text, collapse_whitespace, normalize};
pub use provider::{
    DEFAULT_SIZE_LIMIT, FsProvider, MemoryProvider, ReadText, SourceError, SourceProvider,
    read_beneath, read_document, read_in_root, read_regular_file, relative_slash_path,
    resolve_in_root,
};
pub use source::{CacheStats, SourceFile};
pub use suggest::MAX_SUGGESTION_CHARS;
