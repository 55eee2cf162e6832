//! Finding the workspace: its root (the nearest folder upward holding `mica.toml`), its
//! configuration, and the `.mica` files to check under a set of paths.
//!
//! This is the checker's only module that touches the file system, and only to list and read
//! `.mica` files and `mica.toml`; sources are read through a provider.

use crate::config::{CONFIG_FILE, Config, ConfigError};
use mica_sources::{DEFAULT_SIZE_LIMIT, SourceError};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why the workspace cannot be checked.
#[derive(Debug)]
pub enum WorkspaceError {
    /// `mica.toml` is invalid.
    Config(ConfigError),
    /// A path given to check does not exist.
    NoSuchPath(PathBuf),
    /// A file or folder could not be read.
    Io(PathBuf, std::io::Error),
    /// `mica.toml` exists but cannot be used (outside the root, not a file, too large, ...).
    ConfigFile(PathBuf, SourceError),
    /// A file named to check is not a Mica document.
    NotMica(PathBuf),
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::Config(e) => write!(f, "{e}"),
            WorkspaceError::NoSuchPath(p) => {
                write!(f, "{}: no such file or folder", display_path(p))
            }
            WorkspaceError::Io(p, e) => write!(f, "{}: {e}", display_path(p)),
            WorkspaceError::ConfigFile(p, e) => write!(f, "{}: {e}", display_path(p)),
            WorkspaceError::NotMica(p) => write!(
                f,
                "{}: not a Mica document (Mica documents end in `.mica`)",
                display_path(p)
            ),
        }
    }
}

impl std::error::Error for WorkspaceError {}

/// The nearest folder at or above `start` that holds `mica.toml`.
///
/// Any entry of that name marks the root, a link or a FIFO included, so that a `mica.toml`
/// that cannot be used is reported by [`load_config`] instead of silently passed over.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// Read and parse `root/mica.toml`; a missing file is an empty configuration.
///
/// It is read with the rules for sources: opened beneath the root without following a link out
/// of it, a regular file (a FIFO or a device is refused without blocking), at most
/// [`DEFAULT_SIZE_LIMIT`] bytes of UTF-8 text. Nothing from outside the root is read, so no
/// error message can quote it.
pub fn load_config(root: &Path) -> Result<Config, WorkspaceError> {
    let text = read_config_file(root)
        .map_err(|e| WorkspaceError::ConfigFile(root.join(CONFIG_FILE), e))?;
    Config::parse(&text).map_err(WorkspaceError::Config)
}

/// The text of `root/mica.toml` read with the rules of [`load_config`]; empty when there is no
/// such file.
pub fn read_config_file(root: &Path) -> Result<String, SourceError> {
    match mica_sources::read_in_root(root, CONFIG_FILE, DEFAULT_SIZE_LIMIT) {
        Ok(text) => Ok(text),
        Err(SourceError::NotFound) if root.join(CONFIG_FILE).symlink_metadata().is_err() => {
            Ok(String::new())
        }
        Err(e) => Err(e),
    }
}

/// The text and configuration of `root/mica.toml` for an editor, which keeps going with an
/// empty configuration and shows the error: a file that cannot be used (outside the root, not
/// a regular file, too large) is an error without a position that quotes nothing of it.
pub fn read_config_lenient(root: &Path) -> (String, Result<Config, ConfigError>) {
    match read_config_file(root) {
        Ok(text) => {
            let config = Config::parse(&text);
            (text, config)
        }
        Err(e) => (
            String::new(),
            Err(ConfigError {
                message: e.to_string(),
                position: None,
            }),
        ),
    }
}

/// A path as people read it: its text where it is UTF-8, and `\xNN` for each byte that is not,
/// so that a name that is not UTF-8 is still shown exactly.
pub fn display_path(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.display().to_string()
    }
}

/// A file or folder that was found but could not be checked, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unchecked {
    /// The path (absolute).
    pub path: PathBuf,
    /// What is wrong and what to do.
    pub reason: String,
}

/// What [`discover_all`] found: the documents to check and what could not be looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Canonical paths of the `.mica` files, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Documents or folders that were skipped because they cannot be read or named.
    pub unchecked: Vec<Unchecked>,
}

pub use mica_sources::relative_slash_path as relative_path;

/// The `.mica` files to check, as canonical paths, sorted and without duplicates; see
/// [`discover_all`], of which this keeps only the files.
pub fn discover(
    root: &Path,
    config: &Config,
    paths: &[PathBuf],
) -> Result<Vec<PathBuf>, WorkspaceError> {
    discover_all(root, config, paths).map(|d| d.files)
}

/// The `.mica` files to check under `paths`, and what could not be looked at.
///
/// With no paths, every `.mica` file under the root. A file named explicitly is always
/// checked (and must be a `.mica` file), and so is everything under a folder named explicitly,
/// except what the configuration excludes; a folder that is itself excluded is checked whole
/// when named. Walking skips hidden folders, `target` and `node_modules`, and does not follow
/// symlinked folders. A document whose name is not UTF-8, or a folder that cannot be listed, is
/// reported in [`Discovery::unchecked`] and the walk goes on.
pub fn discover_all(
    root: &Path,
    config: &Config,
    paths: &[PathBuf],
) -> Result<Discovery, WorkspaceError> {
    let root = root
        .canonicalize()
        .map_err(|e| WorkspaceError::Io(root.to_path_buf(), e))?;
    let named: Vec<PathBuf> = if paths.is_empty() {
        vec![root.clone()]
    } else {
        paths.to_vec()
    };
    let mut found = Discovery::default();
    for p in named {
        let canonical = p
            .canonicalize()
            .map_err(|_| WorkspaceError::NoSuchPath(p.clone()))?;
        if canonical.is_dir() {
            // A folder named although it is excluded is checked whole: the user asked for it.
            let excluded = config.is_excluded(&relative_path(&root, &canonical));
            walk(&root, config, !excluded, &canonical, &mut found);
        } else if canonical.extension().is_some_and(|e| e == "mica") {
            found.files.push(canonical);
        } else {
            return Err(WorkspaceError::NotMica(p));
        }
    }
    found.files.sort();
    found.files.dedup();
    found.unchecked.sort_by(|a, b| a.path.cmp(&b.path));
    found.unchecked.dedup();
    Ok(found)
}

fn walk(root: &Path, config: &Config, excludes: bool, dir: &Path, found: &mut Discovery) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found.unchecked.push(Unchecked {
                path: dir.to_path_buf(),
                reason: format!("the folder cannot be listed: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let os_name = entry.file_name();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // `dir` is canonical and symlinked folders are not entered, so this path is canonical
        // too and compares with the canonical root.
        let path = dir.join(&os_name);
        let Some(name) = os_name.to_str() else {
            // A name that is not UTF-8 cannot be a workspace path: documents under it are
            // reported, not checked, and nothing else is lost.
            if kind.is_dir() {
                walk_unnamed(&path, found);
            } else if os_name.as_encoded_bytes().ends_with(b".mica") {
                found.unchecked.push(not_utf8(path));
            }
            continue;
        };
        if excludes && config.is_excluded(&relative_path(root, &path)) {
            continue;
        }
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(root, config, excludes, &path, found);
            }
        } else if name.ends_with(".mica") {
            if kind.is_file() {
                found.files.push(path);
            } else if let Ok(target) = path.canonicalize() {
                // A symlinked document is checked only if it resolves inside the root.
                if target.starts_with(root) && target.is_file() {
                    found.files.push(target);
                }
            }
        }
    }
}

fn not_utf8(path: PathBuf) -> Unchecked {
    Unchecked {
        path,
        reason: "the path is not valid UTF-8, so Mica cannot name it; rename it to check it".into(),
    }
}

/// Under a folder whose name is not UTF-8, every `.mica` file is reported as not checked.
fn walk_unnamed(dir: &Path, found: &mut Discovery) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        found.unchecked.push(not_utf8(dir.to_path_buf()));
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() && !name.as_encoded_bytes().starts_with(b".") {
            walk_unnamed(&entry.path(), found);
        } else if name.as_encoded_bytes().ends_with(b".mica") {
            found.unchecked.push(not_utf8(entry.path()));
        }
    }
}
