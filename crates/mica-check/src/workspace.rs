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

/// `path` relative to `root` with `/` separators, or the path as given when it is elsewhere.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return path.display().to_string();
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The `.mica` files to check: every file named explicitly, and every `.mica` file under the
/// folders named (recursively, skipping hidden folders, `target`, `node_modules` and what the
/// configuration excludes). With no paths, the whole root. Sorted and without duplicates.
pub fn discover(
    root: &Path,
    config: &Config,
    paths: &[PathBuf],
) -> Result<Vec<PathBuf>, WorkspaceError> {
    let mut out = Vec::new();
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![root.to_path_buf()]
    } else {
        paths.to_vec()
    };
    for p in roots {
        let meta = std::fs::metadata(&p).map_err(|_| WorkspaceError::NoSuchPath(p.clone()))?;
        if meta.is_file() {
            out.push(p);
        } else {
            walk(root, config, &p, &mut out)?;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(
    root: &Path,
    config: &Config,
    dir: &Path,
    out: &mut Vec<PathBuf>,
) -> Result<(), WorkspaceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| WorkspaceError::Io(dir.to_path_buf(), e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let abs = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
        let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        if config.is_excluded(&relative_path(&abs_root, &abs)) {
            continue;
        }
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(root, config, &path, out)?;
            }
        } else if kind.is_file() && name.ends_with(".mica") {
            out.push(path);
        }
    }
    Ok(())
}
