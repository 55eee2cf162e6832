//! The server's source provider: the editor's open buffers over the disk, so that a source
//! being edited is checked as the user sees it.

use mica_sources::{FsProvider, SourceError, SourceFile, SourceProvider};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// Open buffers (by workspace-relative path) in front of an [`FsProvider`].
#[derive(Debug)]
pub struct OverlayProvider {
    fs: FsProvider,
    overlays: RwLock<HashMap<String, Arc<SourceFile>>>,
}

impl OverlayProvider {
    /// A provider for the workspace at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            fs: FsProvider::new(root),
            overlays: RwLock::new(HashMap::new()),
        }
    }

    /// Serve exactly `buffers` (workspace-relative path and text) instead of the disk. A
    /// buffer whose text is unchanged keeps its file, with the quote lookups cached in it; a
    /// path that would leave the workspace (absolute, or through `..`) is never overlaid, so
    /// that an open buffer cannot satisfy a citation that the disk would refuse.
    pub fn set_overlays(&self, buffers: &[(String, String)]) {
        let mut overlays = self.overlays.write().unwrap_or_else(|e| e.into_inner());
        let mut old = std::mem::take(&mut *overlays);
        for (path, text) in buffers {
            let key = normalize(path);
            if escapes(&key) {
                continue;
            }
            let file = match old.remove(&key) {
                Some(f) if f.text() == text => f,
                _ => Arc::new(SourceFile::new(key.clone(), text.clone())),
            };
            overlays.insert(key, file);
        }
    }
}

/// `path` with `.` and `..` resolved and `/` separators, as overlays are keyed.
fn normalize(path: &str) -> String {
    let path = crate::convert::normalize(Path::new(path));
    if path.has_root() {
        return path.to_string_lossy().into_owned();
    }
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a normalised path leaves the workspace root.
fn escapes(key: &str) -> bool {
    Path::new(key).is_absolute() || key.split('/').any(|c| c == "..")
}

impl SourceProvider for OverlayProvider {
    fn root(&self) -> &Path {
        self.fs.root()
    }

    fn load(&self, path: &str) -> Result<Arc<SourceFile>, SourceError> {
        {
            let overlays = self.overlays.read().unwrap_or_else(|e| e.into_inner());
            if !overlays.is_empty() {
                let rel = if Path::new(path).is_absolute() {
                    Path::new(path)
                        .strip_prefix(self.fs.root())
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default()
                } else {
                    path.to_string()
                };
                let key = normalize(&rel);
                if let Some(f) = overlays.get(&key).filter(|_| !escapes(&key)) {
                    return Ok(Arc::clone(f));
                }
            }
        }
        self.fs.load(path)
    }

    fn list_files(&self) -> Vec<String> {
        self.fs.list_files()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_hide_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "on disk").unwrap();
        let p = OverlayProvider::new(dir.path());
        assert_eq!(p.load("a.txt").unwrap().text(), "on disk");
        p.set_overlays(&[("a.txt".into(), "in the editor".into())]);
        assert_eq!(p.load("./a.txt").unwrap().text(), "in the editor");
        p.set_overlays(&[]);
        assert_eq!(p.load("a.txt").unwrap().text(), "on disk");
        // Containment still applies to paths that are not overlaid.
        assert!(p.load("../x").is_err());
        // A buffer outside the root never stands in for a file.
        p.set_overlays(&[
            ("../x".into(), "outside".into()),
            ("a.txt".into(), "in".into()),
        ]);
        assert!(p.load("../x").is_err());
        assert!(p.load("sub/../../x").is_err());
        let kept = p.load("a.txt").unwrap();
        p.set_overlays(&[("a.txt".into(), "in".into())]);
        assert!(Arc::ptr_eq(&kept, &p.load("a.txt").unwrap()));
    }
}
