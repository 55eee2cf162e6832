//! `mica check --fix`, `--unsafe-fixes` and `--diff`: apply the checker's fixes to the
//! documents that were checked, re-check until nothing more applies, then write each changed
//! file atomically (or print a unified diff and write nothing).
//!
//! The fixes come from the diagnostics themselves (`Fix { edits, safe }`); this module only
//! chooses which to apply and how to write. Per pass, per file, fixes are taken in document
//! order and a fix is skipped when one of its edits overlaps an edit already taken; the next
//! pass sees the re-checked text, so a skipped fix that still applies is taken then.

use crate::check::{self, Outcome, relative_from};
use mica_check::Fix;
use mica_check::workspace::WorkspaceError;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most re-check passes: each pass applies every non-overlapping fix, so a handful
/// suffices; the bound keeps two fixes that undo each other from looping.
const MAX_PASSES: usize = 10;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Only fixes that cannot change what is quoted or claimed.
    Safe,
    /// Every fix.
    All,
}

impl Applicability {
    fn allows(self, fix: &Fix) -> bool {
        fix.safe || self == Applicability::All
    }
}

/// What fixing did.
pub struct Fixed {
    /// The outcome of the last check, on the fixed texts.
    pub outcomes: Vec<Outcome>,
    /// Canonical path → (text before, text after) of every changed document.
    pub changes: BTreeMap<PathBuf, (String, String)>,
    /// How many fixes were applied.
    pub applied: usize,
}

/// Apply fixes in memory, re-checking after each pass, until none applies.
pub fn fix(
    cwd: &Path,
    root: Option<&Path>,
    paths: &[PathBuf],
    first: Vec<Outcome>,
    which: Applicability,
) -> Result<Fixed, WorkspaceError> {
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let mut originals: HashMap<PathBuf, String> = HashMap::new();
    let mut outcomes = first;
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for outcome in &outcomes {
            for file in &outcome.files {
                // A file read with replacement characters is never written back, and nothing
                // outside the workspace is written.
                if file.lossy || !file.abs.starts_with(&outcome.root) {
                    continue;
                }
                let fixes: Vec<&Fix> = file
                    .diagnostics
                    .iter()
                    .filter_map(|d| d.fix.as_ref())
                    .filter(|f| which.allows(f))
                    .filter(|f| {
                        !f.edits.is_empty() && f.edits.iter().all(|e| e.location.file == file.path)
                    })
                    .collect();
                let (text, n) = apply(&file.text, &fixes);
                if n > 0 && text != file.text {
                    originals
                        .entry(file.abs.clone())
                        .or_insert_with(|| file.text.clone());
                    texts.insert(file.abs.clone(), text);
                    applied += n;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        outcomes = check::run_with(cwd, root, paths, &texts)?;
    }
    let changes = texts
        .into_iter()
        .filter_map(|(path, after)| {
            let before = originals.remove(&path)?;
            (before != after).then_some((path, (before, after)))
        })
        .collect();
    Ok(Fixed {
        outcomes,
        changes,
        applied,
    })
}

/// Apply the fixes whose edits do not overlap one already taken; the new text and how many
/// fixes were applied.
fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut order: Vec<&Fix> = fixes.to_vec();
    order.sort_by_key(|f| f.edits.iter().map(|e| e.location.range.start()).min());
    let mut taken: Vec<(usize, usize, &str)> = Vec::new();
    let mut count = 0;
    for fix in order {
        let overlaps = fix.edits.iter().any(|e| {
            let (s, t) = (e.location.range.start(), e.location.range.end());
            taken
                .iter()
                .any(|&(a, b, _)| (s < b && a < t) || s == a || (s == t && a < s && s < b))
        });
        let in_text = fix.edits.iter().all(|e| {
            let r = e.location.range;
            r.end() <= text.len()
                && text.is_char_boundary(r.start())
                && text.is_char_boundary(r.end())
        });
        // Two edits of the same fix must not overlap each other either.
        let mut own: Vec<(usize, usize)> = fix
            .edits
            .iter()
            .map(|e| (e.location.range.start(), e.location.range.end()))
            .collect();
        own.sort();
        let self_overlap = own.windows(2).any(|w| w[1].0 < w[0].1 || w[1].0 == w[0].0);
        if overlaps || !in_text || self_overlap {
            continue;
        }
        for e in &fix.edits {
            taken.push((
                e.location.range.start(),
                e.location.range.end(),
                e.new_text.as_str(),
            ));
        }
        count += 1;
    }
    taken.sort_by_key(|&(a, _, _)| std::cmp::Reverse(a));
    let mut out = text.to_string();
    for (a, b, new) in taken {
        out.replace_range(a..b, new);
    }
    (out, count)
}

/// Write every change atomically: a temporary file in the same folder, given the original's
/// permissions, then renamed over it. Every step goes through a handle on the workspace root
/// (cap-std: `openat2` with `RESOLVE_BENEATH` on Linux), so a folder swapped for a link while
/// `mica` runs cannot lead a write outside the workspace. A file that changed on disk since it
/// was read, or that lies in no checked workspace, is left alone and reported.
pub fn write(outcomes: &[Outcome], changes: &BTreeMap<PathBuf, (String, String)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, (before, after)) in changes {
        // The innermost workspace holding the file: its root is where writes are confined.
        let root = outcomes
            .iter()
            .map(|o| o.root.as_path())
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.as_os_str().len());
        let result = match root {
            Some(root) => write_one(root, path, before, after),
            None => Err(std::io::Error::other(
                "outside every checked workspace; left unchanged",
            )),
        };
        if let Err(e) = result {
            problems.push(format!(
                "{}: {e}",
                mica_check::workspace::display_path(path)
            ));
        }
    }
    problems
}

fn write_one(root: &Path, path: &Path, before: &str, after: &str) -> std::io::Result<()> {
    use cap_std::{ambient_authority, fs::Dir, fs::OpenOptions};
    let rel = path
        .strip_prefix(root)
        .map_err(|_| std::io::Error::other("outside the workspace; left unchanged"))?;
    let (Some(folder), Some(name)) = (rel.parent(), rel.file_name()) else {
        return Err(std::io::Error::other("not a file path; left unchanged"));
    };
    let root_dir = Dir::open_ambient_dir(root, ambient_authority())?;
    let dir = if folder.as_os_str().is_empty() {
        root_dir
    } else {
        root_dir.open_dir(folder)?
    };
    let meta = dir.symlink_metadata(name)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file; left unchanged"));
    }
    if dir.read(name)? != before.as_bytes() {
        return Err(std::io::Error::other(
            "the file changed while it was being checked; left unchanged, run again",
        ));
    }
    // A fresh name in the same folder; `create_new` never follows or reuses an entry.
    let mut tmp_name = None;
    let mut file = None;
    for attempt in 0..100u32 {
        let candidate = format!(".mica-fix-{}-{attempt}.tmp", std::process::id());
        match dir.open_with(&candidate, OpenOptions::new().write(true).create_new(true)) {
            Ok(f) => {
                tmp_name = Some(candidate);
                file = Some(f);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let (Some(tmp_name), Some(mut file)) = (tmp_name, file) else {
        return Err(std::io::Error::other(
            "no free temporary name; left unchanged",
        ));
    };
    let written = (|| {
        file.write_all(after.as_bytes())?;
        file.sync_all()?;
        file.set_permissions(meta.permissions())?;
        drop(file);
        dir.rename(&tmp_name, &dir, name)
    })();
    if written.is_err() {
        let _ = dir.remove_file(&tmp_name);
    }
    written
}

/// A unified diff of every change, with paths relative to the current folder.
pub fn diff(cwd: &Path, changes: &BTreeMap<PathBuf, (String, String)>) -> String {
    let mut out = String::new();
    for (path, (before, after)) in changes {
        let shown = relative_from(cwd, path);
        let text_diff = similar::TextDiff::from_lines(before.as_str(), after.as_str());
        out.push_str(
            &text_diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{shown}"), &format!("b/{shown}"))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mica_check::{Edit, Location};
    use mica_syntax::TextRange;

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        Fix {
            title: String::new(),
            safe: true,
            edits: edits
                .iter()
                .map(|&(a, b, t)| Edit {
                    location: Location {
                        file: "d.mica".into(),
                        range: TextRange::new(a, b),
                    },
                    new_text: t.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let a = fix(&[(0, 3, "ABC")]);
        let b = fix(&[(2, 5, "xx")]);
        let c = fix(&[(6, 7, "G"), (8, 8, "!")]);
        let (text, n) = apply("abcdefgh", &[&b, &a, &c]);
        assert_eq!((text.as_str(), n), ("ABCdefGh!", 2));
        // Two insertions at one place would have no defined order: only the first is taken.
        let d = fix(&[(1, 1, "1")]);
        let e = fix(&[(1, 1, "2")]);
        assert_eq!(apply("ab", &[&d, &e]), ("a1b".to_string(), 1));
        // An edit past the end (a stale fix) is never applied.
        assert_eq!(apply("ab", &[&fix(&[(1, 9, "x")])]).1, 0);
    }
}
