//! Fuzz target: the server's edit application and position conversion, `mica_fuzz::edits`.
#![no_main]
libfuzzer_sys::fuzz_target!(|s: mica_fuzz::edits::Session| mica_fuzz::edits::lsp_edits(s));
