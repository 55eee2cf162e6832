//! The server's source provider: the editor's open buffers over the disk, so that a source
//! being edited is checked as the user sees it.

use mica_sources::{FsProvider, SourceError, SourceFile, SourceProvider};
use std::collections::HashMap;
use std::path::{Component, Path};
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

    /// Serve `text` for the workspace-relative `path` instead of the file on disk.
    pub fn set_overlay(&self, path: &str, text: String) {
        let key = normalize(path);
        let file = Arc::new(SourceFile::new(key.clone(), text));
        self.overlays
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, file);
    }

    /// Serve every path from disk again.
    pub fn clear_overlays(&self) {
        self.overlays
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Forget the cached disk copies (after files changed on disk).
    pub fn invalidate_all(&self) {
        self.fs.invalidate_all();
    }
}

/// `path` without `.` components and with `/` separators, as overlays are keyed.
fn normalize(path: &str) -> String {
    Path::new(path)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
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
                if let Some(f) = overlays.get(&normalize(&rel)) {
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
        p.set_overlay("a.txt", "in the editor".into());
        assert_eq!(p.load("./a.txt").unwrap().text(), "in the editor");
        p.clear_overlays();
        assert_eq!(p.load("a.txt").unwrap().text(), "on disk");
        // Containment still applies to paths that are not overlaid.
        assert!(p.load("../x").is_err());
    }
}
