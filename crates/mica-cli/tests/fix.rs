//! `mica check --fix`, `--unsafe-fixes` and `--diff` on real files with the real binary: which
//! fixes apply, what is written and how (atomically, permissions kept, no temporary file left),
//! and what is never written.

mod common;

use common::*;
use std::path::Path;

const DOC: &str =
    "[A]{#a conf=hihg cite=s:L1:\"33 innovation centers\"}\n[B]{#b cite=s:\"$400 billion\"}\n";
const SAFE_FIXED: &str =
    "[A]{#a conf=high cite=s:L2:\"33 innovation centers\"}\n[B]{#b cite=s:\"$400 billion\"}\n";
const ALL_FIXED: &str =
    "[A]{#a conf=high cite=s:L2:\"33 innovation centers\"}\n[B]{#b cite=s:\"$300 billion\"}\n";

fn fixture() -> tempfile::TempDir {
    workspace(&[
        (
            "mica.toml",
            "[sources.s]\npath = \"s.txt\"\nreliability = \"B\"\n",
        ),
        ("s.txt", SOURCE),
        ("d.mica", DOC),
    ])
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Every entry of a folder, so that a temporary file left behind shows.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn fix_applies_only_safe_fixes_atomically_keeping_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let ws = fixture();
    let d = ws.path();
    let doc = d.join("d.mica");
    std::fs::set_permissions(&doc, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = entries(d);
    let o = mica(d, &["check", "--fix", "--color", "never"]);
    // The quote that is not in the source is left for a person: exit 1.
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(read(&doc), SAFE_FIXED);
    assert_eq!(read(&d.join("s.txt")), SOURCE, "a source is never written");
    let mode = std::fs::metadata(&doc).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(entries(d), before, "no temporary file is left");
    let out = stdout(&o);
    assert!(out.contains("Fixed 2 problems in 1 file."), "{out}");
    assert!(out.contains("[quote-not-found]"), "{out}");
    assert!(out.contains("unsafe fix: Replace the quote"), "{out}");
    assert!(!out.contains("[quote-outside-lines]"), "{out}");
    // A second run has nothing left to fix.
    let o = mica(d, &["check", "--fix", "--format", "json"]);
    assert_eq!(read(&doc), SAFE_FIXED);
    let v = json(&o);
    assert_eq!(v["errors"], 1, "{v}");
}

#[test]
fn unsafe_fixes_apply_the_rest() {
    let ws = fixture();
    let d = ws.path();
    let o = mica(d, &["check", "--fix", "--unsafe-fixes", "--format", "json"]);
    assert_eq!(read(&d.join("d.mica")), ALL_FIXED);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("Fixed 3 problems in 1 file."),
        "{}",
        stderr(&o)
    );
    json(&o);
    // Alone, the flag would do nothing: it says so instead.
    let o = mica(d, &["check", "--unsafe-fixes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("only with --fix or --diff"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let ws = fixture();
    let d = ws.path();
    let doc = d.join("d.mica");
    let modified = std::fs::metadata(&doc).unwrap().modified().unwrap();
    let o = mica(d, &["check", "--diff"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(read(&doc), DOC);
    assert_eq!(
        std::fs::metadata(&doc).unwrap().modified().unwrap(),
        modified
    );
    let out = stdout(&o);
    let expected = "--- a/d.mica\n+++ b/d.mica\n@@ -1,2 +1,2 @@\n-[A]{#a conf=hihg cite=s:L1:\"33 innovation centers\"}\n+[A]{#a conf=high cite=s:L2:\"33 innovation centers\"}\n [B]{#b cite=s:\"$400 billion\"}\n";
    assert_eq!(out, expected);
    assert!(
        stderr(&o).contains("Would fix 2 problems in 1 file."),
        "{}",
        stderr(&o)
    );
    // With the unsafe fixes, the diff shows the replaced quote too.
    let o = mica(d, &["check", "--diff", "--unsafe-fixes"]);
    assert!(
        stdout(&o).contains("+[B]{#b cite=s:\"$300 billion\"}"),
        "{}",
        stdout(&o)
    );
    assert_eq!(read(&doc), DOC);
    // From a subfolder the paths are relative to it.
    std::fs::create_dir(d.join("sub")).unwrap();
    let o = mica(&d.join("sub"), &["check", "--diff"]);
    assert!(
        stdout(&o).starts_with("--- a/../d.mica\n+++ b/../d.mica\n"),
        "{}",
        stdout(&o)
    );
    // Nothing to fix: an empty diff and exit 0 when no error is left.
    std::fs::write(&doc, ALL_FIXED).unwrap();
    let o = mica(d, &["check", "--diff"]);
    assert_eq!((stdout(&o).as_str(), o.status.code()), ("", Some(0)));
}

#[test]
fn only_the_files_asked_for_are_written() {
    let ws = fixture();
    let d = ws.path();
    std::fs::write(d.join("other.mica"), DOC).unwrap();
    mica(d, &["check", "--fix", "d.mica"]);
    assert_eq!(read(&d.join("d.mica")), SAFE_FIXED);
    assert_eq!(read(&d.join("other.mica")), DOC);
}

#[cfg(unix)]
#[test]
fn a_document_outside_the_workspace_is_never_written() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("far.mica");
    std::fs::write(&target, DOC).unwrap();
    let ws = fixture();
    let d = ws.path();
    std::os::unix::fs::symlink(&target, d.join("link.mica")).unwrap();
    mica(d, &["check", "--fix", "--unsafe-fixes"]);
    mica(d, &["check", "--fix", "--unsafe-fixes", "link.mica"]);
    mica(
        d,
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--root",
            ".",
            "link.mica",
        ],
    );
    assert_eq!(read(&target), DOC);
    assert_eq!(entries(outside.path()), ["far.mica"]);
}

#[test]
fn a_file_that_is_not_utf8_is_never_rewritten() {
    let ws = fixture();
    let d = ws.path();
    let mut bytes = SAFE_FIXED.replace("conf=high", "conf=hihg").into_bytes();
    bytes.extend_from_slice(b"\xff\n");
    std::fs::write(d.join("d.mica"), &bytes).unwrap();
    mica(d, &["check", "--fix"]);
    assert_eq!(std::fs::read(d.join("d.mica")).unwrap(), bytes);
}
