//! The shared workspace walk and `mica.toml` reading, which both `mica check` and the
//! language server use: names that are not UTF-8 are reported and the rest is found; a
//! `mica.toml` that leads outside, never ends or blocks is refused at once.

use mica_check::Config;
use mica_check::workspace::{discover, discover_all, read_config_file, read_config_lenient};

#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_do_not_stop_discovery() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("ok.mica"), "").unwrap();
    std::fs::write(root.join(OsStr::from_bytes(b"bad\xff.mica")), "").unwrap();
    std::fs::create_dir(root.join(OsStr::from_bytes(b"notes\xfe"))).unwrap();
    let config = Config::default();
    // The server's entry point finds the good document.
    assert_eq!(
        discover(&root, &config, &[]).unwrap(),
        [root.join("ok.mica")]
    );
    let found = discover_all(&root, &config, &[]).unwrap();
    assert_eq!(found.unchecked.len(), 1, "{found:?}");
    assert!(found.unchecked[0].reason.contains("not valid UTF-8"));
}

#[cfg(unix)]
#[test]
fn an_unusable_mica_toml_is_refused_without_reading_or_blocking() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("c.toml"), "[sources.\"SECRET\"]\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("mica.toml");
    assert_eq!(read_config_file(dir.path()).unwrap(), "", "missing: empty");
    std::os::unix::fs::symlink(outside.path().join("c.toml"), &toml).unwrap();
    let (text, parsed) = read_config_lenient(dir.path());
    let e = parsed.unwrap_err();
    assert!(text.is_empty() && !e.message.contains("SECRET"), "{e}");
    assert!(e.message.contains("outside the workspace root"), "{e}");
    std::fs::remove_file(&toml).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &toml).unwrap();
    assert!(read_config_file(dir.path()).is_err());
    std::fs::remove_file(&toml).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&toml)
            .status()
            .unwrap()
            .success()
    );
    // A FIFO without a writer would block a plain read forever.
    let e = read_config_file(dir.path()).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}
