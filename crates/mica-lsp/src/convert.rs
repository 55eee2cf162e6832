//! The one place where the server converts between the protocol and Mica: LSP positions
//! (in the negotiated encoding) to byte offsets and back (which [`crate::buffer`] applies edits
//! with), and URIs to workspace-relative paths and back.
//!
//! Every conversion clamps: a position past the end of a line lands at the line's end (before
//! its line ending), a line past the end of the text at the end of the text, and a column
//! inside a character (a UTF-16 column between the halves of a surrogate pair, a UTF-8 column
//! inside a multi-byte character) at the character's start. Nothing here panics on client
//! input. `\n`, `\r\n` and a lone `\r` end lines, as in LSP and [`LineIndex`].

use mica_syntax::{ColumnUnit, LineCol, LineIndex, TextRange};
use std::path::{Component, Path, PathBuf};
use tower_lsp_server::ls_types::{ClientCapabilities, Position, PositionEncodingKind, Range, Uri};

/// How the client and the server count columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units, the protocol's default.
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (LSP 3.17 `general.positionEncodings`), else UTF-16.
    pub fn negotiate(caps: &ClientCapabilities) -> Self {
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The protocol's name for it.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn unit(self) -> ColumnUnit {
        match self {
            Encoding::Utf8 => ColumnUnit::Utf8,
            Encoding::Utf16 => ColumnUnit::Utf16,
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The byte offset of `pos` in `text` (whose line index is `lines`), clamped.
pub fn offset(text: &str, lines: &LineIndex, pos: Position, enc: Encoding) -> usize {
    let lc = LineCol {
        line: pos.line as usize,
        col: pos.character as usize,
    };
    lines.offset(text, lc, enc.unit())
}

/// The position of byte `offset` in `text`, clamped to the text.
pub fn position(text: &str, lines: &LineIndex, offset: usize, enc: Encoding) -> Position {
    let lc = lines.line_col(text, offset, enc.unit());
    Position::new(to_u32(lc.line), to_u32(lc.col))
}

/// The protocol range of a byte range of `text`.
pub fn range(text: &str, lines: &LineIndex, r: TextRange, enc: Encoding) -> Range {
    Range::new(
        position(text, lines, r.start(), enc),
        position(text, lines, r.end(), enc),
    )
}

/// The byte range of a protocol range of `text`; a range given backwards is turned round.
pub fn text_range(text: &str, lines: &LineIndex, r: Range, enc: Encoding) -> TextRange {
    TextRange::new(
        offset(text, lines, r.start, enc),
        offset(text, lines, r.end, enc),
    )
}

/// `path` with `.` and `..` resolved by its text (a `..` at the root stays at the root), as a
/// file system resolves them when no symbolic link is involved.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !path.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The file a `file:` URI names, normalised ([`normalize`]), or `None` for another scheme.
/// Every URI the client sends is read through this, so that `..` cannot lead a check of
/// where a document lies astray.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    // `to_file_path` decodes a name that is not UTF-8 lossily, into another file's name
    // (`%FF` into U+FFFD): a Unix path is bytes, and those are kept.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = uri.path().decode().to_bytes();
        if std::str::from_utf8(&bytes).is_err() {
            return Some(normalize(Path::new(std::ffi::OsStr::from_bytes(&bytes))));
        }
    }
    Some(normalize(&uri.to_file_path()?))
}

/// The workspace root, as the client named it and canonical, for paths and URIs.
#[derive(Clone, Debug)]
pub struct Paths {
    root: PathBuf,
    canonical: PathBuf,
}

impl Paths {
    /// Paths under `root`.
    pub fn new(root: &Path) -> Self {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
        Self { root, canonical }
    }

    /// The root as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The workspace-relative path (with `/`) of a `file:` URI, the absolute path of a file
    /// outside the root, or `None` for another scheme. A file whose path is not UTF-8 is
    /// known by its URI, which no other file shares (see [`Paths::key_of_path`]).
    pub fn key(&self, uri: &Uri) -> Option<String> {
        let path = file_path(uri)?;
        Some(
            self.key_of_path(&path)
                .unwrap_or_else(|| uri.as_str().to_string()),
        )
    }

    /// The canonical root.
    pub fn canonical(&self) -> &Path {
        &self.canonical
    }

    /// The key of a file system path; see [`Paths::key`]. `None` when the path, or the
    /// canonical path it is known by, is not UTF-8: a lossy key could be another file's
    /// (`\xff.mica` and `\u{fffd}.mica` would be one document).
    pub fn key_of_path(&self, path: &Path) -> Option<String> {
        let path = &normalize(path);
        path.to_str()?;
        for root in [&self.root, &self.canonical] {
            if path.starts_with(root) {
                return Some(mica_check::workspace::relative_path(root, path));
            }
        }
        if let Ok(c) = path.canonicalize()
            && c.starts_with(&self.canonical)
        {
            c.to_str()?;
            return Some(mica_check::workspace::relative_path(&self.canonical, &c));
        }
        path.to_str().map(str::to_owned)
    }

    /// The absolute path of a key.
    pub fn path(&self, key: &str) -> PathBuf {
        let p = Path::new(key);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// The `file:` URI of a key.
    pub fn uri(&self, key: &str) -> Option<Uri> {
        Uri::from_file_path(self.path(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    /// Every offset survives a round trip in both encodings.
    fn round_trip(text: &str) {
        let lines = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (off, _) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                let p = position(text, &lines, off, enc);
                let back = offset(text, &lines, p, enc);
                // An offset between `\r` and `\n` is not a position of its own.
                if text[..off].ends_with('\r') && text[off..].starts_with('\n') {
                    assert_eq!(back, off - 1, "{text:?} {off}");
                } else {
                    assert_eq!(back, off, "{text:?} {off} {enc:?}");
                }
            }
        }
    }

    #[test]
    fn round_trips_with_cjk_emoji_and_every_line_ending() {
        for text in [
            "",
            "plain ascii\nline two",
            "中文字符\n第二行",
            "emoji 😀 here\n👍🏽 and 🇫🇷 flags",
            "crlf\r\nline\r\n",
            "lone\rcarriage\rreturn",
            "mixed\n中\r\n😀\rend",
            "\r\n\r\n\n\r",
        ] {
            round_trip(text);
        }
    }

    #[test]
    fn columns_count_in_the_negotiated_unit() {
        let text = "a😀b\n中x";
        let lines = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(position(text, &lines, b, Encoding::Utf16), pos(0, 3));
        assert_eq!(position(text, &lines, b, Encoding::Utf8), pos(0, 5));
        let x = text.find('x').unwrap();
        assert_eq!(position(text, &lines, x, Encoding::Utf16), pos(1, 1));
        assert_eq!(position(text, &lines, x, Encoding::Utf8), pos(1, 3));
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd😀";
        let lines = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            // Past the end of a line: the line's end, before `\r\n`.
            assert_eq!(offset(text, &lines, pos(0, 99), enc), 2);
            // Past the last line: the end of the text.
            assert_eq!(offset(text, &lines, pos(7, 3), enc), text.len());
            assert_eq!(
                offset(text, &lines, pos(u32::MAX, u32::MAX), enc),
                text.len()
            );
        }
        // Inside the surrogate pair of 😀, and inside its UTF-8 bytes: its start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(offset(text, &lines, pos(1, 3), Encoding::Utf16), emoji);
        assert_eq!(offset(text, &lines, pos(1, 4), Encoding::Utf8), emoji);
        // Offsets past the end clamp too.
        assert_eq!(position(text, &lines, 999, Encoding::Utf16), pos(1, 4));
    }

    #[test]
    fn uris_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub dir")).unwrap();
        let paths = Paths::new(dir.path());
        let uri = paths.uri("sub dir/a b.mica").unwrap();
        assert!(uri.as_str().contains("sub%20dir/a%20b.mica"), "{uri:?}");
        assert_eq!(paths.key(&uri).as_deref(), Some("sub dir/a b.mica"));
        let outside: Uri = "file:///elsewhere/x.mica".parse().unwrap();
        assert_eq!(paths.key(&outside).as_deref(), Some("/elsewhere/x.mica"));
        // `..` is resolved before the root is compared: a file outside stays outside.
        let root = uri.as_str().trim_end_matches("sub%20dir/a%20b.mica");
        let escaping: Uri = format!("{root}sub%20dir/../../x.mica").parse().unwrap();
        let key = paths.key(&escaping).unwrap();
        assert!(
            Path::new(&key).is_absolute() && !key.contains(".."),
            "{key}"
        );
        let back_in: Uri = format!("{root}sub%20dir/../y.mica").parse().unwrap();
        assert_eq!(paths.key(&back_in).as_deref(), Some("y.mica"));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(paths.key(&untitled), None);
        // A name that is not UTF-8 is not made lossy, which would give it the key of the file
        // named with U+FFFD: it is known by its URI.
        let raw: Uri = format!("{root}%FF.mica").parse().unwrap();
        let replaced: Uri = format!("{root}%EF%BF%BD.mica").parse().unwrap();
        assert_eq!(paths.key(&replaced).as_deref(), Some("\u{fffd}.mica"));
        assert_eq!(paths.key(&raw).as_deref(), Some(raw.as_str()));
    }

    /// The positions of diagnostics far along a megabyte-long line, each with a label at the
    /// line's start and one in another file, as the server converts them: each conversion
    /// counts a bounded number of bytes. A cursor that remembered only the last position went
    /// back and forth along the line for every diagnostic: 1 MB took 95 s (finding M2).
    #[test]
    fn positions_on_a_long_line_cost_a_bounded_scan_in_any_order() {
        let text = format!("# T\n{}", "[é]{#a} 😀 ".repeat(80_000));
        let lines = LineIndex::new(&text);
        let other = "中文 line\nsecond";
        let other_lines = LineIndex::new(other);
        let label = text.find('é').unwrap();
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let before = mica_syntax::text::column_bytes_scanned();
            let mut conversions = 0;
            for (k, (far, _)) in text.match_indices("{#a}").enumerate().step_by(41) {
                let p = position(&text, &lines, far, enc);
                assert_eq!(p.line, 1);
                if k == 41 * 3 && enc == Encoding::Utf16 {
                    // 3 × 41 pieces of 11 UTF-16 units, then `[é]`.
                    assert_eq!(p.character, 41 * 3 * 11 + 3);
                }
                assert_eq!(offset(&text, &lines, p, enc), far);
                assert_eq!(position(&text, &lines, label, enc), pos(1, 1));
                position(other, &other_lines, 3, enc);
                conversions += 4;
            }
            let scanned = mica_syntax::text::column_bytes_scanned() - before;
            assert!(
                scanned <= conversions * 2048,
                "{scanned} bytes counted for {conversions} conversions ({enc:?})"
            );
        }
    }
}
