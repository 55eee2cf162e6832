//! Fuzz target: the parser property of `mica_fuzz::parse`.
#![no_main]
libfuzzer_sys::fuzz_target!(|input: mica_fuzz::parse::Edits| mica_fuzz::parse::parse_edits(input));
