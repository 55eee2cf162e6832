//! Finding the workspace: its root (the nearest folder upward holding `mica.toml`), its
//! configuration, and the `.mica` files to check under a set of paths.
//!
//! This is the checker's only module that touches the file system, and only to list and read
//! `.mica` files and `mica.toml`; sources are read through a provider.

use crate::config::{CONFIG_FILE, Config, ConfigError};
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
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::Config(e) => write!(f, "{e}"),
            WorkspaceError::NoSuchPath(p) => {
                write!(f, "{}: no such file or folder", p.display())
            }
            WorkspaceError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WorkspaceError {}

/// The nearest folder at or above `start` that holds `mica.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Read and parse `root/mica.toml`; a missing file is an empty configuration.
pub fn load_config(root: &Path) -> Result<Config, WorkspaceError> {
    let path = root.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text).map_err(WorkspaceError::Config),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(WorkspaceError::Io(path, e)),
    }
}

pub use mica_sources::relative_slash_path as relative_path;

/// The `.mica` files to check, as canonical paths, sorted and without duplicates.
///
/// With no paths, every `.mica` file under the root. A file named explicitly is always
/// checked, and so is everything under a folder named explicitly, except what the
/// configuration excludes; a folder that is itself excluded is checked whole when named. Walking skips
/// hidden folders, `target` and `node_modules`, and does not follow symlinked folders.
pub fn discover(
    root: &Path,
    config: &Config,
    paths: &[PathBuf],
) -> Result<Vec<PathBuf>, WorkspaceError> {
    let root = root
        .canonicalize()
        .map_err(|e| WorkspaceError::Io(root.to_path_buf(), e))?;
    let named: Vec<PathBuf> = if paths.is_empty() {
        vec![root.clone()]
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for p in named {
        let canonical = p
            .canonicalize()
            .map_err(|_| WorkspaceError::NoSuchPath(p.clone()))?;
        if canonical.is_file() {
            out.push(canonical);
        } else {
            // A folder named although it is excluded is checked whole: the user asked for it.
            let excluded = config.is_excluded(&relative_path(&root, &canonical));
            walk(&root, config, !excluded, &canonical, &mut out)?;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(
    root: &Path,
    config: &Config,
    excludes: bool,
    dir: &Path,
    out: &mut Vec<PathBuf>,
) -> Result<(), WorkspaceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| WorkspaceError::Io(dir.to_path_buf(), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // `dir` is canonical and symlinked folders are not entered, so this path is canonical
        // too and compares with the canonical root.
        let path = dir.join(&*name);
        if excludes && config.is_excluded(&relative_path(root, &path)) {
            continue;
        }
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(root, config, excludes, &path, out)?;
            }
        } else if name.ends_with(".mica") {
            if kind.is_file() {
                out.push(path);
            } else if let Ok(target) = path.canonicalize() {
                // A symlinked document is checked only if it resolves inside the root.
                if target.starts_with(root) && target.is_file() {
                    out.push(target);
                }
            }
        }
    }
    Ok(())
}
