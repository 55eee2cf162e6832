//! End-to-end tests of `mica render`: exit codes 0, 1 and 2, output to stdout or atomically to
//! `-o OUT` and nowhere else, and clear errors.

mod common;

use common::{mica, repo};
use std::path::Path;

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

const EXAMPLE: &str = "spec/examples/mic2025-brief.mica";
const ERRORS: &str = "crates/mica-render/tests/briefs/errors.mica";

#[test]
fn a_clean_brief_renders_to_stdout_with_exit_0() {
    for (format, start) in [
        ("html", "<!DOCTYPE html>"),
        ("markdown", "---\ntitle:"),
        ("json", "{"),
    ] {
        let o = mica(&repo(), &["render", EXAMPLE, "--format", format]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).starts_with(start),
            "{format}"
        );
    }
    // HTML is the default.
    let o = mica(&repo(), &["render", EXAMPLE]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("<!DOCTYPE html>"));
}

#[test]
fn a_brief_with_errors_is_rendered_with_exit_1() {
    for format in ["html", "markdown", "json"] {
        let o = mica(&repo(), &["render", ERRORS, "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert!(!o.stdout.is_empty());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("rendered with 9 errors"), "{err}");
    }
}

#[test]
fn output_goes_to_out_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("brief.html");
    let o = mica(&repo(), &["render", EXAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty(), "nothing on stdout with -o");
    assert_eq!(files(dir.path()), vec!["brief.html".to_string()]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("kj-success")
    );

    // Rewriting keeps the file's permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
        let o = mica(
            &repo(),
            &[
                "render",
                ERRORS,
                "--format",
                "json",
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(files(dir.path()), vec!["brief.html".to_string()]);
        assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
    }
}

#[test]
fn nothing_rendered_exits_2_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = mica(&repo(), &["render", "no/such/brief.mica"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no/such/brief.mica: no such file"), "{err}");

    let o = mica(&repo(), &["render", "spec"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("spec: not a file"));

    // An output folder that does not exist: the error names it, and nothing is written.
    let out = dir.path().join("missing/brief.html");
    let o = mica(&repo(), &["render", EXAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot write") && err.contains("missing/brief.html"),
        "{err}"
    );
    assert!(files(dir.path()).is_empty());

    // An invalid mica.toml stops the render before anything is written.
    std::fs::write(dir.path().join("mica.toml"), "[sources.x]\npath = 3\n").unwrap();
    std::fs::write(dir.path().join("b.mica"), "[A claim.]{#a}\n").unwrap();
    let o = mica(dir.path(), &["render", "b.mica", "-o", "b.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("mica.toml"));
    assert!(!dir.path().join("b.html").exists());

    // The report never overwrites the brief, mica.toml or a source.
    let before = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    for out in [EXAMPLE, "mica.toml", "seeds/002_ea804cd81d83a2a9.txt"] {
        let o = mica(&repo(), &["render", EXAMPLE, "-o", out]);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to write"));
    }
    assert_eq!(
        std::fs::read_to_string(repo().join(EXAMPLE)).unwrap(),
        before
    );

    // A bad format is a usage error.
    let o = mica(&repo(), &["render", EXAMPLE, "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
}
