//! The checker's fuzz property over generated workspaces (`fuzz/src/check.rs`: the check, and
//! the editor's incremental analysis against it) run as a proptest, so that `cargo test` on a
//! stable toolchain exercises what `cargo fuzz run check` does.

#[path = "../../../fuzz/src/check.rs"]
mod check;
#[allow(dead_code)]
#[path = "../../../fuzz/src/common.rs"]
mod common;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn check_workspace(bytes in prop::collection::vec(any::<u8>(), 0..8192)) {
        if let Ok(ws) = check::Workspace::arbitrary(&mut Unstructured::new(&bytes)) {
            check::check_workspace(ws);
        }
    }
}
