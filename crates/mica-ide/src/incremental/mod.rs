//! Analysis after an edit: what an edit cannot affect is kept, moved to where it now is.
//!
//! - `paragraphs.rs` finds where the paragraphs start, after an edit by reading only the lines
//!   around it;
//! - `parse.rs` parses again only the paragraphs whose text changed, updating the document's
//!   parse in place.
//! - `check.rs` keeps each claim's resolutions and diagnostics: it checks again the claims of
//!   the paragraphs that changed, and the claims citing a source whose file changed; of the
//!   rules that span the document, only the groups whose inputs changed run again.
//! - `wide.rs` decides which groups of those rules must run again and moves what the others
//!   found;
//! - `shift.rs` moves what was kept by the bytes the edit added or removed.
//!
//! The differential tests in `check.rs` compare every incremental result with a check from
//! scratch ([`mica_check::check`] over [`mica_syntax::parse`]) after each random edit.

mod check;
mod paragraphs;
mod parse;
mod shift;
mod wide;

pub use check::{DocCache, Edited};
pub use paragraphs::{Since, TextChange};
pub use parse::{ClaimChange, ParseCache, parse_in_parallel};

/// Replace `v[range]` with `new`; the items removed. Replacing every item takes `new` as it
/// is, rather than growing `v`'s buffer to fit it: the parse and the check make `new` at its
/// exact size, and a document opened or checked whole replaces everything.
fn replace_range<T>(v: &mut Vec<T>, range: std::ops::Range<usize>, new: Vec<T>) -> Vec<T> {
    if range == (0..v.len()) {
        std::mem::replace(v, new)
    } else {
        v.splice(range, new).collect()
    }
}
