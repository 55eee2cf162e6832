//! The protocol's requests and notifications, one file per family. Each request handler takes
//! a snapshot, calls one `mica_ide` function and converts its result with [`crate::to_lsp`];
//! each notification handler changes the state under the lock, before any `.await`, and
//! schedules what the change requires.

pub(crate) mod custom;
pub(crate) mod edits;
pub(crate) mod lifecycle;
pub(crate) mod navigation;
pub(crate) mod outline;
pub(crate) mod sync;
