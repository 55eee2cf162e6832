//! A folder swapped for a symlink to outside the workspace while `mica check` runs must never
//! lead it to read the outside file: the containment check and the open are one operation
//! (`openat2(RESOLVE_BENEATH)` through cap-std). Real files, the real binary, many runs.

mod common;

use common::*;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Start a thread that keeps turning the folder `root/sub` into a link to `outside` and back,
/// until the flag it returns is set.
#[cfg(unix)]
fn swap_sub_for_link(root: &Path, outside: &Path) -> (Arc<AtomicBool>, JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let (sub, real, outside) = (
        root.join("sub"),
        root.join("sub-real"),
        outside.to_path_buf(),
    );
    let handle = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            // The folder becomes a link to outside, then a folder again.
            if std::fs::rename(&sub, &real).is_ok() {
                std::os::unix::fs::symlink(&outside, &sub).ok();
                std::thread::yield_now();
                std::fs::remove_file(&sub).ok();
                std::fs::rename(&real, &sub).ok();
            }
        }
    });
    (stop, handle)
}

#[cfg(unix)]
#[test]
fn swapping_a_folder_for_a_symlink_never_leaks_outside_content() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("s.txt"),
        "OUTSIDE-MARKER delta epsilon zeta\n",
    )
    .unwrap();
    let ws = workspace(&[
        ("mica.toml", ""),
        ("sub/s.txt", "alpha beta gamma\n"),
        (
            "d.mica",
            "@source s \"sub/s.txt\"\n[A]{#a cite=s:\"OUTSIDE-MARKER delta epsilon\"}\n",
        ),
    ]);
    let root = ws.path().to_path_buf();
    let (stop, swapper) = swap_sub_for_link(&root, outside.path());
    let mut checked = 0;
    for _ in 0..300 {
        let o = mica(&root, &["check", "--format", "json"]);
        let out = stdout(&o) + &stderr(&o);
        assert!(!out.contains("zeta"), "outside content was printed: {out}");
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&o.stdout) else {
            continue;
        };
        let codes: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        // Read from inside, the quote is not found; if the outside file had been read, it
        // would have been found and the run would be clean.
        assert!(
            codes.iter().any(|c| matches!(
                *c,
                "quote-not-found" | "source-outside-root" | "source-unreadable"
            )),
            "the outside file was read: {v}"
        );
        checked += 1;
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(checked > 0);
}

/// The same race against `--fix`: the write (temporary file, permissions, rename) goes through
/// a handle on the workspace root, so a folder swapped for a link to outside never leads it to
/// write there, even when the outside file holds exactly the text that was checked.
#[cfg(unix)]
#[test]
fn swapping_a_folder_for_a_symlink_never_lets_a_fix_write_outside() {
    let text = "@source s \"s.txt\"\n[A]{#a confidence=moderate cite=s:\"alpha beta\"}\n";
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("d.mica"), text).unwrap();
    let ws = workspace(&[
        ("mica.toml", ""),
        ("s.txt", "alpha beta gamma\n"),
        ("sub/d.mica", text),
    ]);
    let root = ws.path().to_path_buf();
    let (stop, swapper) = swap_sub_for_link(&root, outside.path());
    for _ in 0..300 {
        mica(&root, &["check", "--fix", "sub/d.mica"]);
        let out = std::fs::read_to_string(outside.path().join("d.mica")).unwrap();
        if out != text {
            stop.store(true, Ordering::Relaxed);
            swapper.join().unwrap();
            panic!("a fix was written outside the workspace: {out}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(outside.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "d.mica")
            .collect();
        assert!(leftovers.is_empty(), "files created outside: {leftovers:?}");
        // Put the fixable text back inside (wherever the folder is right now).
        for dir in ["sub", "sub-real"] {
            std::fs::write(root.join(dir).join("d.mica"), text).ok();
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
}
