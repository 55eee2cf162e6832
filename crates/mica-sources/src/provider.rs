//! Loading sources: the [`SourceProvider`] trait, the disk provider with workspace-root
//! containment, and an in-memory provider for tests and editors.
//!
//! Files are opened *beneath* the workspace root with `cap-std` (`openat2(RESOLVE_BENEATH)` on
//! Linux, a component-by-component walk elsewhere), so the containment check and the open are
//! one operation: a folder swapped for a symlink between a check and an open cannot lead the
//! read outside the root.

use crate::source::SourceFile;
use cap_fs_ext::OpenOptionsSyncExt;
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

/// The default largest source [`FsProvider`] loads: 64 MiB.
pub const DEFAULT_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// The most files [`SourceProvider::list_files`] returns.
pub const LIST_LIMIT: usize = 10_000;

/// Where the checker and the editor get source documents from.
pub trait SourceProvider: Send + Sync {
    /// The canonical workspace root.
    fn root(&self) -> &Path;

    /// The source at `path` as written in a `@source` declaration: relative to the workspace
    /// root, or absolute if inside it.
    fn load(&self, path: &str) -> Result<Arc<SourceFile>, SourceError>;

    /// Workspace-relative paths (with `/` separators) of text-like files, for path completion.
    fn list_files(&self) -> Vec<String> {
        Vec::new()
    }

    /// Which file `path` names, without reading it: a key that is the same for every spelling
    /// of one file, and its size in bytes when known (0 otherwise), so that a batch can group
    /// quotes by file and schedule the largest first.
    fn identify(&self, path: &str) -> Result<(String, u64), SourceError> {
        self.load(path)
            .map(|s| (s.path().to_string(), s.text().len() as u64))
    }

    /// The text of the source at `path`, checked as [`Self::load`] checks it but neither
    /// normalised nor cached: for a batch that visits each source once (it builds its own
    /// [`SourceFile`] when it needs one), and for reports that need a few line numbers.
    fn read_text(&self, path: &str) -> Result<String, SourceError> {
        self.load(path).map(|s| s.text().to_string())
    }
}

/// Why a source could not be loaded. The messages never include file contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// No file at that path.
    NotFound,
    /// The path names a directory or something else that is not a regular file.
    NotAFile,
    /// The file is not valid UTF-8; `offset` is the first invalid byte.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file looks binary (it holds NUL bytes).
    Binary,
    /// The file is larger than the provider's limit.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The path leads outside the workspace root (through `..`, an absolute path or a symlink).
    OutsideRoot,
    /// The file's path inside the root (after following links) is not valid UTF-8: it has no
    /// exact name to be shown, compared or cited by, and a lossy one could equal another file's.
    PathNotUtf8,
    /// Any other input/output error, described without file contents.
    Io(String),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NotFound => write!(
                f,
                "no such file; check the path, which is relative to the workspace root"
            ),
            SourceError::NotAFile => write!(
                f,
                "the path is a directory or not a regular file; point it at a text file"
            ),
            SourceError::NotUtf8 { offset } => write!(
                f,
                "the file is not valid UTF-8 (first invalid byte at offset {offset}); convert it to UTF-8"
            ),
            SourceError::Binary => write!(
                f,
                "the file looks binary (it contains NUL bytes); sources must be text"
            ),
            SourceError::TooLarge { size, limit } => write!(
                f,
                "the file is too large ({size} bytes; the limit is {limit} bytes); cite a smaller extract"
            ),
            SourceError::OutsideRoot => write!(
                f,
                "the path leads outside the workspace root; sources must live inside the workspace"
            ),
            SourceError::PathNotUtf8 => write!(
                f,
                "the file's path (after following links) is not valid UTF-8; rename the file"
            ),
            SourceError::Io(msg) => write!(f, "the file could not be read: {msg}"),
        }
    }
}

impl std::error::Error for SourceError {}

fn io_error(e: &std::io::Error) -> SourceError {
    // cap-std reports a path that would leave its folder as a permission error without an OS
    // code (`openat2` itself says EXDEV); both mean the path led outside the root.
    const EXDEV: i32 = 18;
    match e.kind() {
        std::io::ErrorKind::NotFound => SourceError::NotFound,
        std::io::ErrorKind::IsADirectory => SourceError::NotAFile,
        std::io::ErrorKind::PermissionDenied if e.raw_os_error().is_none() => {
            SourceError::OutsideRoot
        }
        _ if e.raw_os_error() == Some(EXDEV) => SourceError::OutsideRoot,
        _ => SourceError::Io(e.kind().to_string()),
    }
}

/// The text of a file, with what identifies its version.
pub struct ReadText {
    /// The text.
    pub text: String,
    /// The length in bytes at the time of reading.
    pub len: u64,
    /// The modification time, if the file system keeps one.
    pub modified: Option<SystemTime>,
}

/// Open `rel` beneath `dir` without following any link out of it, and read it as source text:
/// a regular file (checked on the opened handle, so a FIFO or a device is refused without being
/// read; the open does not block on a FIFO), at most `limit` bytes, without NUL bytes, valid
/// UTF-8.
pub fn read_beneath(dir: &Dir, rel: &Path, limit: u64) -> Result<ReadText, SourceError> {
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let (file, meta) = open_file_beneath(dir, rel)?;
    let bytes = read_limited(file, meta.len(), limit)?;
    Ok(ReadText {
        text: text_of(bytes)?,
        len: meta.len(),
        modified: meta
            .modified()
            .ok()
            .map(cap_std::time::SystemTime::into_std),
    })
}

/// Open `rel` beneath `dir` without following a link out of it, without blocking (a FIFO
/// opens at once), and only if it is a regular file.
fn open_file_beneath(
    dir: &Dir,
    rel: &Path,
) -> Result<(std::fs::File, cap_std::fs::Metadata), SourceError> {
    let mut options = cap_std::fs::OpenOptions::new();
    options.read(true).nonblock(true);
    let file = dir.open_with(rel, &options).map_err(|e| io_error(&e))?;
    let meta = file.metadata().map_err(|e| io_error(&e))?;
    if !meta.is_file() {
        return Err(SourceError::NotAFile);
    }
    Ok((file.into_std(), meta))
}

/// Read `path` (relative to `root`, or absolute inside it) beneath the folder `root` with the
/// rules of [`read_beneath`]: `mica.toml` is read this way, so it gets the same containment,
/// regular-file and size rules as a source.
pub fn read_in_root(root: &Path, path: &str, limit: u64) -> Result<String, SourceError> {
    let canonical = resolve_in_root(root, path)?;
    let canonical_root = root.canonicalize().map_err(|e| io_error(&e))?;
    let rel = canonical
        .strip_prefix(&canonical_root)
        .map_err(|_| SourceError::OutsideRoot)?;
    let dir =
        Dir::open_ambient_dir(&canonical_root, ambient_authority()).map_err(|e| io_error(&e))?;
    read_beneath(&dir, rel, limit).map(|r| r.text)
}

/// Read the document at `path` (canonical) as bytes with the rules of [`read_regular_file`]:
/// beneath the canonical `root` without following any link out of it when it lies under the
/// root, as a workspace walk finds it, so that a folder swapped for a link between the walk and
/// the read cannot lead the read outside the workspace; otherwise as a file named on a command
/// line.
pub fn read_document(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    let Ok(rel) = path.strip_prefix(root) else {
        return read_regular_file(path, limit);
    };
    let dir = Dir::open_ambient_dir(root, ambient_authority()).map_err(|e| io_error(&e))?;
    let (file, meta) = open_file_beneath(&dir, rel)?;
    read_limited(file, meta.len(), limit)
}

/// Read the regular file at `path` as text with the rules of [`read_beneath`] (for documents
/// named on a command line, which need not lie under a root).
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK, so that opening a FIFO returns at once and is then refused as not a file.
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| io_error(&e))?;
    let meta = file.metadata().map_err(|e| io_error(&e))?;
    if !meta.is_file() {
        return Err(SourceError::NotAFile);
    }
    read_limited(file, meta.len(), limit)
}

fn read_limited(file: std::fs::File, len: u64, limit: u64) -> Result<Vec<u8>, SourceError> {
    // Whatever the limit asked for, no text is longer than a range can point into.
    let limit = limit.min(mica_syntax::text::MAX_TEXT as u64);
    if len > limit {
        return Err(SourceError::TooLarge { size: len, limit });
    }
    // Read at most one byte past the limit, in case the file grew since its metadata. A
    // `std::fs::File` reads into the spare capacity without zeroing it first.
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

fn text_of(bytes: Vec<u8>) -> Result<String, SourceError> {
    // NUL bytes come before the UTF-8 check: a UTF-16 file is better called binary than
    // invalid UTF-8 at offset 1.
    if memchr::memchr(0, &bytes).is_some() {
        return Err(SourceError::Binary);
    }
    String::from_utf8(bytes).map_err(|e| SourceError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Resolve `path` (relative to `root`, or absolute) to a canonical path inside `root`.
///
/// The check comes before anything is read: a path whose `..` components climb out of the root
/// is refused without touching the file system, then the path is canonicalised (which follows
/// every symlink) and must still lie inside the canonical root. Nothing but metadata is looked
/// at here.
pub fn resolve_in_root(root: &Path, path: &str) -> Result<PathBuf, SourceError> {
    if path.is_empty() || path.contains('\0') {
        return Err(SourceError::NotFound);
    }
    let canonical_root = root.canonicalize().map_err(|e| io_error(&e))?;
    resolve_beneath(root, &canonical_root, path)
}

/// [`resolve_in_root`] for a root already canonicalised (`canonical_root`, which `root`
/// names), as a provider keeps it: one `realpath` per path instead of two.
fn resolve_beneath(root: &Path, canonical_root: &Path, path: &str) -> Result<PathBuf, SourceError> {
    if path.is_empty() || path.contains('\0') {
        return Err(SourceError::NotFound);
    }
    let given = Path::new(path);
    // An absolute path may spell the root through a symlinked alias (`/tmp` for `/private/tmp`),
    // so it is compared with the root both as given and canonical.
    let inside = if given.is_absolute() {
        lexically_inside(canonical_root, given) || lexically_inside(root, given)
    } else {
        lexically_inside(canonical_root, &canonical_root.join(given))
    };
    if !inside {
        return Err(SourceError::OutsideRoot);
    }
    let root = canonical_root;
    let joined = if given.is_absolute() {
        given.to_path_buf()
    } else {
        root.join(given)
    };
    let canonical = joined.canonicalize().map_err(|e| io_error(&e))?;
    if !canonical.starts_with(root) {
        return Err(SourceError::OutsideRoot);
    }
    Ok(canonical)
}

/// Whether `path`, with `.` and `..` resolved as text, stays inside `root`.
fn lexically_inside(root: &Path, path: &Path) -> bool {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return false;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.starts_with(root)
}

/// `path` (inside `root`) relative to `root` with `/` separators, exactly: a source's key,
/// which groups its citations and names it in reports, so a name that is not UTF-8 is refused
/// rather than made lossy (`\xff.txt` would otherwise share its key with `\u{fffd}.txt`).
fn exact_relative_path(root: &Path, path: &Path) -> Result<String, SourceError> {
    let rel = path
        .strip_prefix(root)
        .map_err(|_| SourceError::OutsideRoot)?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|p| p.join("/")).ok_or(SourceError::PathNotUtf8)
}

/// `path` relative to `root` with `/` separators, for display; a path outside `root` is
/// returned whole, and a name that is not UTF-8 lossily.
pub fn relative_slash_path(root: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return path.display().to_string();
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    file: Arc<SourceFile>,
}

/// Sources read from disk under a workspace root.
///
/// Loaded files are cached by canonical path and reused while their length and modification
/// time are unchanged; [`FsProvider::invalidate`] and [`FsProvider::invalidate_all`] drop entries
/// when the caller knows better (an editor saving a file twice within the clock's resolution).
pub struct FsProvider {
    root: PathBuf,
    /// The root as given (made absolute), which absolute source paths may spell it as.
    given_root: PathBuf,
    /// The root opened once; every source is opened beneath it.
    dir: Result<Dir, SourceError>,
    size_limit: u64,
    cache: Mutex<HashMap<PathBuf, Cached>>,
}

impl fmt::Debug for FsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsProvider")
            .field("root", &self.root)
            .field("size_limit", &self.size_limit)
            .finish_non_exhaustive()
    }
}

impl FsProvider {
    /// A provider for the workspace at `root`, which is canonicalised. If that fails (the root
    /// does not exist), the path is kept as given and every load reports the problem.
    pub fn new(root: impl AsRef<Path>) -> Self {
        let root = root.as_ref();
        let given_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let root = root.canonicalize().unwrap_or_else(|_| given_root.clone());
        let dir = Dir::open_ambient_dir(&root, ambient_authority()).map_err(|e| io_error(&e));
        Self {
            root,
            given_root,
            dir,
            size_limit: DEFAULT_SIZE_LIMIT,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Set the largest file size that is loaded, in bytes.
    pub fn with_size_limit(mut self, limit: u64) -> Self {
        self.size_limit = limit;
        self
    }

    /// The largest file size that is loaded, in bytes.
    pub fn size_limit(&self) -> u64 {
        self.size_limit
    }

    /// Forget the cached copy of `path` (as written in a `@source`, or absolute).
    pub fn invalidate(&self, path: &str) {
        let key = self.resolve(path).unwrap_or_else(|_| self.root.join(path));
        self.lock().remove(&key);
    }

    /// Forget every cached file.
    pub fn invalidate_all(&self) {
        self.lock().clear();
    }

    /// The canonical path of `path` inside the root ([`resolve_in_root`]), with the root
    /// canonicalised once, when the provider was made: its files are read beneath the folder
    /// opened then. A root that could not be opened is resolved again, to report why.
    fn resolve(&self, path: &str) -> Result<PathBuf, SourceError> {
        match &self.dir {
            Ok(_) => resolve_beneath(&self.given_root, &self.root, path),
            Err(_) => resolve_in_root(&self.given_root, path),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Cached>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self, canonical: &Path) -> Result<ReadText, SourceError> {
        let dir = self.dir.as_ref().map_err(Clone::clone)?;
        let rel = canonical
            .strip_prefix(&self.root)
            .map_err(|_| SourceError::OutsideRoot)?;
        read_beneath(dir, rel, self.size_limit)
    }
}

impl SourceProvider for FsProvider {
    fn root(&self) -> &Path {
        &self.root
    }

    fn load(&self, path: &str) -> Result<Arc<SourceFile>, SourceError> {
        let canonical = self.resolve(path)?;
        let meta = std::fs::metadata(&canonical).map_err(|e| io_error(&e))?;
        if !meta.is_file() {
            return Err(SourceError::NotAFile);
        }
        let modified = meta.modified().ok();
        if let Some(c) = self.lock().get(&canonical)
            && c.len == meta.len()
            && c.modified == modified
            && modified.is_some()
        {
            return Ok(Arc::clone(&c.file));
        }
        let ReadText {
            text,
            len,
            modified,
        } = self.read(&canonical)?;
        let file = Arc::new(SourceFile::new(
            exact_relative_path(&self.root, &canonical)?,
            text,
        ));
        self.lock().insert(
            canonical,
            Cached {
                len,
                modified,
                file: Arc::clone(&file),
            },
        );
        Ok(file)
    }

    fn identify(&self, path: &str) -> Result<(String, u64), SourceError> {
        let canonical = self.resolve(path)?;
        let meta = std::fs::metadata(&canonical).map_err(|e| io_error(&e))?;
        if !meta.is_file() {
            return Err(SourceError::NotAFile);
        }
        Ok((exact_relative_path(&self.root, &canonical)?, meta.len()))
    }

    fn read_text(&self, path: &str) -> Result<String, SourceError> {
        let canonical = self.resolve(path)?;
        self.read(&canonical).map(|r| r.text)
    }

    fn list_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let name = entry.file_name();
                // A name that is not UTF-8 cannot be cited, and has no exact key.
                let Some(name) = name.to_str() else {
                    continue;
                };
                if name.starts_with('.') {
                    continue;
                }
                // Symlinked directories are not followed: they could loop or leave the root.
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if name != "target" && name != "node_modules" {
                        dirs.push(entry.path());
                    }
                } else if is_text_like(name) {
                    let Ok(rel) = exact_relative_path(&self.root, &entry.path()) else {
                        continue;
                    };
                    // A symlinked file is listed only if it resolves to a file inside the root,
                    // whose path has an exact key (as loading it needs).
                    let listed = kind.is_file()
                        || (kind.is_symlink()
                            && self.resolve(&rel).is_ok_and(|p| {
                                p.is_file() && exact_relative_path(&self.root, &p).is_ok()
                            }));
                    if !listed {
                        continue;
                    }
                    out.push(rel);
                    if out.len() >= LIST_LIMIT {
                        out.sort();
                        return out;
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// Whether a file name suggests text; known binary formats are left out of completion lists.
fn is_text_like(name: &str) -> bool {
    const BINARY: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "tif", "tiff", "pdf", "zip", "gz",
        "tgz", "bz2", "xz", "zst", "7z", "tar", "rar", "exe", "dll", "so", "dylib", "a", "o",
        "rlib", "class", "jar", "wasm", "woff", "woff2", "ttf", "otf", "mp3", "mp4", "wav", "ogg",
        "flac", "avi", "mov", "mkv", "webm", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt",
        "sqlite", "db", "bin", "vsix", "pyc",
    ];
    match name.rsplit_once('.') {
        Some((_, ext)) => !BINARY.contains(&ext.to_ascii_lowercase().as_str()),
        None => true,
    }
}

/// Sources held in memory, keyed by workspace-relative path: for tests, and for editors that
/// overlay unsaved buffers.
#[derive(Default)]
pub struct MemoryProvider {
    root: PathBuf,
    files: RwLock<HashMap<String, Arc<SourceFile>>>,
}

impl fmt::Debug for MemoryProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryProvider")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl MemoryProvider {
    /// An empty provider whose root is reported as `root` (nothing is read from it).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            files: RwLock::new(HashMap::new()),
        }
    }

    /// Add or replace the source at workspace-relative `path`.
    pub fn insert(&self, path: &str, text: impl Into<String>) {
        let key = Self::key(path);
        let file = Arc::new(SourceFile::new(key.clone(), text.into()));
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, file);
    }

    /// Remove the source at `path`.
    pub fn remove(&self, path: &str) {
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&Self::key(path));
    }

    fn key(path: &str) -> String {
        path.trim_start_matches("./").to_owned()
    }
}

impl SourceProvider for MemoryProvider {
    fn root(&self) -> &Path {
        &self.root
    }

    fn load(&self, path: &str) -> Result<Arc<SourceFile>, SourceError> {
        let given = Path::new(path);
        let relative = if given.is_absolute() {
            given
                .strip_prefix(&self.root)
                .map_err(|_| SourceError::OutsideRoot)?
        } else {
            given
        };
        if relative
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::RootDir))
        {
            return Err(SourceError::OutsideRoot);
        }
        let key = relative_slash_path(Path::new(""), relative);
        self.files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&Self::key(&key))
            .cloned()
            .ok_or(SourceError::NotFound)
    }

    fn list_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        files.sort();
        files
    }
}
