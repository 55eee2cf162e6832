//! The properties the fuzz targets check. The same modules are compiled into proptests of the
//! crates they exercise (`#[path]` includes), so `cargo test` on stable runs them too.

pub mod check;
pub mod common;
pub mod edits;
pub mod parse;
