//! The Mica annotation language: lexer, parser and syntax tree, with byte spans and no IO.

pub mod text;

pub use text::{ColumnUnit, LineCol, LineIndex, TextRange};
