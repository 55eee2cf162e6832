//! Writing the output file atomically: to a temporary file beside it, then renamed over it, so
//! that a reader never sees half a report and a failed run leaves the old file as it was.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically. An existing file keeps its permissions; a new one gets
/// the usual `rw-r--r--`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Write through a symlink to the file it names, as a plain write would.
    let target = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(std::io::Error::other("it is a folder"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".mica-render-")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match existing {
        Some(m) => std::fs::set_permissions(tmp.path(), m.permissions())?,
        None => set_default_permissions(tmp.path())?,
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_default_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
