//! The server's edit-application fuzz property (`fuzz/src/edits.rs`) run as a proptest, so that
//! `cargo test` on a stable toolchain exercises what `cargo fuzz run lsp_edits` does.

#[path = "../../../fuzz/src/edits.rs"]
mod edits;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn lsp_edits(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(session) = edits::Session::arbitrary(&mut Unstructured::new(&bytes)) {
            edits::lsp_edits(session);
        }
    }
}
