//! The disk and memory providers on real files in a temporary directory.

use mica_sources::{
    FsProvider, MemoryProvider, QuoteOutcome, QuoteQuery, SourceError, SourceProvider,
    resolve_in_root,
};
use std::fs;
use std::path::Path;
use std::sync::Arc;

/// A workspace with a `ws/` root and a sibling `outside/` directory holding a secret.
struct Fixture {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: std::path::PathBuf,
}

const SECRET: &str = "TOP SECRET CONTENTS that must never be read";

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("seeds/sub")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(root.join("seeds/a.txt"), "Alpha text.\nSecond line.\n").unwrap();
    fs::write(root.join("seeds/sub/b.md"), "Beta").unwrap();
    fs::write(root.join("latin1.txt"), b"caf\xe9 au lait").unwrap();
    fs::write(root.join("binary.txt"), b"abc\0def").unwrap();
    fs::write(root.join("utf16.txt"), b"\xff\xfea\0b\0").unwrap();
    fs::write(root.join("big.txt"), "x".repeat(2048)).unwrap();
    fs::write(root.join("image.png"), b"\x89PNG").unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".git/config"), "hidden").unwrap();
    fs::create_dir_all(root.join("target/debug")).unwrap();
    fs::write(root.join("target/debug/out.txt"), "built").unwrap();
    fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    fs::write(root.join("node_modules/pkg/readme.md"), "dep").unwrap();
    fs::write(outside.join("secret.txt"), SECRET).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("linkdir")).unwrap();
    std::os::unix::fs::symlink(root.join("seeds/a.txt"), root.join("inner-link.txt")).unwrap();
    Fixture {
        _dir: dir,
        root,
        outside,
    }
}

fn err(p: &FsProvider, path: &str) -> SourceError {
    match p.load(path) {
        Ok(f) => panic!("{path:?} loaded {} bytes", f.text().len()),
        Err(e) => e,
    }
}

#[test]
fn loads_text_files_with_workspace_relative_paths() {
    let fx = fixture();
    let p = FsProvider::new(&fx.root);
    assert_eq!(p.root(), fx.root.canonicalize().unwrap());
    let f = p.load("seeds/a.txt").unwrap();
    assert_eq!(f.path(), "seeds/a.txt");
    assert_eq!(f.text(), "Alpha text.\nSecond line.\n");
    assert!(matches!(
        f.find_quote(QuoteQuery {
            quote: "text. Second",
            lines: None
        }),
        QuoteOutcome::Found(_)
    ));
    // "./", a detour through a subdirectory, an absolute path inside the root, and a symlink
    // that stays inside all reach the same file.
    let abs = fx.root.join("seeds/a.txt");
    for path in [
        "./seeds/a.txt",
        "seeds/sub/../a.txt",
        abs.to_str().unwrap(),
        "inner-link.txt",
    ] {
        let g = p.load(path).unwrap();
        assert_eq!(g.path(), "seeds/a.txt", "{path}");
        assert!(Arc::ptr_eq(&f, &g), "{path} should come from the cache");
    }
}

/// No limit lets in a text longer than a range can point into (4 GiB): a sparse file of one
/// byte more is refused from its size, without reading it.
#[test]
fn no_limit_lets_in_a_text_past_what_a_range_holds() {
    let fx = fixture();
    let huge = std::fs::File::create(fx.root.join("huge.txt")).unwrap();
    let len = mica_syntax::text::MAX_TEXT as u64 + 1;
    huge.set_len(len).unwrap();
    let p = FsProvider::new(&fx.root).with_size_limit(u64::MAX);
    assert_eq!(
        err(&p, "huge.txt"),
        SourceError::TooLarge {
            size: len,
            limit: len - 1
        }
    );
}

#[test]
fn errors_for_unreadable_sources() {
    let fx = fixture();
    let p = FsProvider::new(&fx.root).with_size_limit(1024);
    assert_eq!(err(&p, "missing.txt"), SourceError::NotFound);
    assert_eq!(err(&p, ""), SourceError::NotFound);
    assert_eq!(err(&p, "seeds"), SourceError::NotAFile);
    assert_eq!(err(&p, "latin1.txt"), SourceError::NotUtf8 { offset: 3 });
    assert_eq!(err(&p, "binary.txt"), SourceError::Binary);
    assert_eq!(err(&p, "utf16.txt"), SourceError::Binary);
    assert_eq!(
        err(&p, "big.txt"),
        SourceError::TooLarge {
            size: 2048,
            limit: 1024
        }
    );
    // The default limit lets it through.
    assert_eq!(
        FsProvider::new(&fx.root)
            .load("big.txt")
            .unwrap()
            .text()
            .len(),
        2048
    );
}

#[test]
fn nothing_outside_the_root_is_read() {
    let fx = fixture();
    let p = FsProvider::new(&fx.root);
    let secret_abs = fx.outside.join("secret.txt");
    let missing_abs = fx.outside.join("missing.txt");
    for path in [
        "../outside/secret.txt",
        "seeds/../../outside/secret.txt",
        // Climbing out is refused before the file system is asked, so a missing file outside
        // the root is reported as outside, not as missing.
        "../outside/missing.txt",
        secret_abs.to_str().unwrap(),
        missing_abs.to_str().unwrap(),
        "/etc/passwd",
        "link.txt",
        "linkdir/secret.txt",
    ] {
        let e = err(&p, path);
        assert_eq!(e, SourceError::OutsideRoot, "{path}");
        // The error carries nothing of the file: its message is the fixed text.
        let msg = e.to_string();
        assert!(!msg.contains("SECRET"), "{msg}");
        assert!(msg.contains("outside the workspace root"), "{msg}");
        assert_eq!(
            resolve_in_root(&fx.root, path),
            Err(SourceError::OutsideRoot),
            "{path}"
        );
    }
}

#[test]
fn resolve_in_root_returns_canonical_paths() {
    let fx = fixture();
    let canonical = fx.root.canonicalize().unwrap().join("seeds/a.txt");
    assert_eq!(
        resolve_in_root(&fx.root, "seeds/a.txt"),
        Ok(canonical.clone())
    );
    assert_eq!(resolve_in_root(&fx.root, "inner-link.txt"), Ok(canonical));
    assert_eq!(
        resolve_in_root(&fx.root, "nope/x.txt"),
        Err(SourceError::NotFound)
    );
}

#[test]
fn cache_follows_file_changes_and_invalidation() {
    let fx = fixture();
    let p = FsProvider::new(&fx.root);
    let first = p.load("seeds/a.txt").unwrap();
    assert!(Arc::ptr_eq(&first, &p.load("seeds/a.txt").unwrap()));
    // A change of length is seen even within the clock's resolution.
    fs::write(fx.root.join("seeds/a.txt"), "Changed and longer text.").unwrap();
    let second = p.load("seeds/a.txt").unwrap();
    assert_eq!(second.text(), "Changed and longer text.");
    assert!(!Arc::ptr_eq(&first, &second));
    // Same length and (possibly) the same mtime: only invalidation is sure to reload.
    fs::write(fx.root.join("seeds/a.txt"), "Changed and LONGER text.").unwrap();
    p.invalidate("seeds/a.txt");
    assert_eq!(
        p.load("seeds/a.txt").unwrap().text(),
        "Changed and LONGER text."
    );
    let third = p.load("seeds/a.txt").unwrap();
    p.invalidate_all();
    assert!(!Arc::ptr_eq(&third, &p.load("seeds/a.txt").unwrap()));
}

#[test]
fn lists_text_files_and_skips_hidden_build_and_binary_entries() {
    let fx = fixture();
    let p = FsProvider::new(&fx.root);
    assert_eq!(
        p.list_files(),
        vec![
            "big.txt",
            "binary.txt",
            "inner-link.txt",
            "latin1.txt",
            "seeds/a.txt",
            "seeds/sub/b.md",
            "utf16.txt",
        ]
    );
}

#[test]
fn error_messages_say_what_to_do() {
    let cases = [
        (SourceError::NotFound, "no such file"),
        (SourceError::NotAFile, "directory"),
        (SourceError::NotUtf8 { offset: 7 }, "offset 7"),
        (SourceError::Binary, "binary"),
        (
            SourceError::TooLarge { size: 10, limit: 5 },
            "10 bytes; the limit is 5 bytes",
        ),
        (SourceError::OutsideRoot, "outside the workspace root"),
        (SourceError::PathNotUtf8, "rename the file"),
        (
            SourceError::Io("permission denied".into()),
            "permission denied",
        ),
    ];
    for (e, needle) in cases {
        assert!(e.to_string().contains(needle), "{e}");
    }
}

/// A file whose name is not UTF-8 has no exact key: reached through a link it is refused, and
/// a listing leaves it out, rather than giving it the lossy name of another file
/// (`\xff.txt` and `\u{fffd}.txt` would both be `\u{fffd}.txt`, and a quote checked against
/// the one would be checked against the other).
#[test]
fn a_name_that_is_not_utf8_is_never_a_lossy_key() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let raw = root.join(std::ffi::OsStr::from_bytes(b"\xff.txt"));
    fs::write(&raw, "The hidden file.").unwrap();
    fs::write(root.join("\u{fffd}.txt"), "The visible file.").unwrap();
    std::os::unix::fs::symlink(&raw, root.join("link.txt")).unwrap();
    let p = FsProvider::new(root);
    assert_eq!(err(&p, "link.txt"), SourceError::PathNotUtf8);
    assert_eq!(
        p.identify("link.txt").unwrap_err(),
        SourceError::PathNotUtf8
    );
    let visible = p.load("\u{fffd}.txt").unwrap();
    assert_eq!(
        (visible.path(), visible.text()),
        ("\u{fffd}.txt", "The visible file.")
    );
    assert_eq!(p.list_files(), vec!["\u{fffd}.txt"]);
}

#[test]
fn memory_provider_serves_inserted_texts() {
    let p = MemoryProvider::new("/ws");
    p.insert("seeds/a.txt", "In memory.");
    assert_eq!(p.load("./seeds/a.txt").unwrap().text(), "In memory.");
    assert_eq!(p.load("/ws/seeds/a.txt").unwrap().path(), "seeds/a.txt");
    assert_eq!(p.load("seeds/b.txt").unwrap_err(), SourceError::NotFound);
    assert_eq!(
        p.load("../seeds/a.txt").unwrap_err(),
        SourceError::OutsideRoot
    );
    assert_eq!(
        p.load("/elsewhere/a.txt").unwrap_err(),
        SourceError::OutsideRoot
    );
    assert_eq!(p.list_files(), vec!["seeds/a.txt"]);
    p.remove("seeds/a.txt");
    assert!(p.list_files().is_empty());
    assert_eq!(p.root(), Path::new("/ws"));
}

#[test]
fn absolute_paths_through_a_symlinked_root_alias_are_inside() {
    let fx = fixture();
    let alias = fx.root.parent().unwrap().join("alias");
    std::os::unix::fs::symlink(&fx.root, &alias).unwrap();
    let through_alias = alias.join("seeds/a.txt");
    let p = FsProvider::new(&alias);
    assert_eq!(p.root(), fx.root.canonicalize().unwrap());
    assert_eq!(
        resolve_in_root(&alias, through_alias.to_str().unwrap()),
        Ok(fx.root.canonicalize().unwrap().join("seeds/a.txt"))
    );
    assert_eq!(
        p.load(through_alias.to_str().unwrap()).unwrap().path(),
        "seeds/a.txt"
    );
    // The alias of the root does not make its parent reachable.
    let parent = alias.join("../outside/secret.txt");
    assert_eq!(
        resolve_in_root(&alias, parent.to_str().unwrap()),
        Err(SourceError::OutsideRoot)
    );
}

#[test]
fn a_document_is_read_beneath_the_root_even_when_its_folder_became_a_link() {
    let f = fixture();
    let root = f.root.canonicalize().unwrap();
    // The path a workspace walk found before `linkdir` was swapped for a link to the outside:
    // the read must not follow the link out of the root.
    let swapped = root.join("linkdir/secret.txt");
    let got = mica_sources::read_document(&root, &swapped, 1 << 20);
    assert_eq!(got, Err(SourceError::OutsideRoot));
    assert_eq!(
        mica_sources::read_document(&root, &root.join("seeds/a.txt"), 1 << 20).unwrap(),
        b"Alpha text.\nSecond line.\n"
    );
    // A file named outside every root is read as before.
    let outside = f.outside.join("secret.txt");
    assert_eq!(
        mica_sources::read_document(&root, &outside, 1 << 20).unwrap(),
        SECRET.as_bytes()
    );
}
