//! The rules, by family. Each family's module documents which resolved data its rules read.

pub mod tradecraft;
