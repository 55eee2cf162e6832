//! The parser's fuzz property (`fuzz/src/parse.rs`: never panics, valid ranges, paragraph-wise
//! re-parse equals the whole parse after every edit) run as a proptest, so that `cargo test`
//! on a stable toolchain exercises what `cargo fuzz run parse` does.

#[allow(dead_code)]
#[path = "../../../fuzz/src/common.rs"]
mod common;
#[path = "../../../fuzz/src/parse.rs"]
mod parse;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn parse_edits(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(input) = parse::Edits::arbitrary(&mut Unstructured::new(&bytes)) {
            parse::parse_edits(input);
        }
    }
}
