//! Fuzz target: the checker property of `mica_fuzz::check` over generated workspaces.
#![no_main]
libfuzzer_sys::fuzz_target!(
    |ws: mica_fuzz::check::Workspace| mica_fuzz::check::check_workspace(ws)
);
