//! Running a check: find the workspace, read its configuration and documents, check them, and
//! keep everything the renderers need (texts for positions and snippets).

use mica_check::workspace::{self, WorkspaceError};
use mica_check::{CONFIG_FILE, CheckedDocument, Code, Config, Diagnostic, DocumentInput, Severity};
use mica_sources::{FsProvider, SourceProvider};
use mica_syntax::{LineIndex, TextRange};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One checked `.mica` file.
pub struct CheckedFile {
    /// Workspace-relative path (or the path as given, for files outside the root).
    pub path: String,
    /// The text that was parsed.
    pub text: String,
    /// Number of claims.
    pub claims: usize,
    /// Number of citations.
    pub citations: usize,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything a check produced.
pub struct Outcome {
    /// The canonical workspace root.
    pub root: PathBuf,
    /// The configuration.
    pub config: Config,
    /// Problems in `mica.toml` itself.
    pub config_diagnostics: Vec<Diagnostic>,
    /// The checked files in path order.
    pub files: Vec<CheckedFile>,
    /// Where other files (sources) are read from, for positions of labels.
    pub provider: FsProvider,
}

/// Totals for the summary line.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Files checked.
    pub files: usize,
    /// Claims.
    pub claims: usize,
    /// Citations.
    pub citations: usize,
    /// Diagnostics by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Outcome {
    /// Every diagnostic: `mica.toml`'s first, then each file's in order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.config_diagnostics
            .iter()
            .chain(self.files.iter().flat_map(|f| &f.diagnostics))
    }

    /// Totals.
    pub fn stats(&self) -> Stats {
        let mut s = Stats {
            files: self.files.len(),
            claims: self.files.iter().map(|f| f.claims).sum(),
            citations: self.files.iter().map(|f| f.citations).sum(),
            ..Stats::default()
        };
        for d in self.diagnostics() {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// The text of a workspace file a diagnostic points into, if it can be read.
    pub fn text_of(&self, file: &str) -> Option<String> {
        if let Some(f) = self.files.iter().find(|f| f.path == file) {
            return Some(f.text.clone());
        }
        if file == CONFIG_FILE {
            return Some(self.config.text.clone());
        }
        self.provider.load(file).ok().map(|s| s.text().to_string())
    }
}

/// 1-based line and column (in characters) of `offset` in `text`, with a line index cache.
#[derive(Default)]
pub struct Positions {
    indexes: HashMap<String, (String, LineIndex)>,
}

impl Positions {
    /// `(line, column)` of the start and end of `range` in `file`, 1-based; `None` when the
    /// file cannot be read.
    pub fn of(
        &mut self,
        outcome: &Outcome,
        file: &str,
        range: TextRange,
    ) -> Option<((usize, usize), (usize, usize))> {
        if !self.indexes.contains_key(file) {
            let text = outcome.text_of(file)?;
            let idx = LineIndex::new(&text);
            self.indexes.insert(file.to_string(), (text, idx));
        }
        let (text, idx) = &self.indexes[file];
        let at = |o: usize| {
            let lc = idx.line_col(text, o, mica_syntax::ColumnUnit::Char);
            (lc.line + 1, lc.col + 1)
        };
        Some((at(range.start), at(range.end)))
    }
}

/// Check the workspace: `paths` (files or folders) or, with none, the whole root.
pub fn run(cwd: &Path, root: Option<&Path>, paths: &[PathBuf]) -> Result<Outcome, WorkspaceError> {
    let root = match root {
        Some(r) => {
            if !r.is_dir() {
                return Err(WorkspaceError::NoSuchPath(r.to_path_buf()));
            }
            r.to_path_buf()
        }
        None => workspace::find_root(cwd).unwrap_or_else(|| cwd.to_path_buf()),
    };
    let root = root
        .canonicalize()
        .map_err(|e| WorkspaceError::Io(root.clone(), e))?;
    let config = workspace::load_config(&root)?;
    let paths: Vec<PathBuf> = paths.iter().map(|p| cwd.join(p)).collect();
    let found = workspace::discover(&root, &config, &paths)?;
    let provider = FsProvider::new(&root);

    let mut files = Vec::with_capacity(found.len());
    let mut encoding_errors = Vec::with_capacity(found.len());
    for path in &found {
        let bytes = std::fs::read(path).map_err(|e| WorkspaceError::Io(path.clone(), e))?;
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        let rel = workspace::relative_path(&root, &canonical);
        let (text, bad) = match String::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        encoding_errors.push(bad);
        files.push(CheckedFile {
            path: rel,
            text,
            claims: 0,
            citations: 0,
            diagnostics: Vec::new(),
        });
    }

    let parses: Vec<mica_syntax::Parse> =
        files.iter().map(|f| mica_syntax::parse(&f.text)).collect();
    let inputs: Vec<DocumentInput<'_>> = files
        .iter()
        .zip(&parses)
        .map(|(f, parse)| DocumentInput {
            path: &f.path,
            text: &f.text,
            parse,
        })
        .collect();
    let checked: Vec<CheckedDocument> = mica_check::check(&config, &provider, &inputs);
    drop(inputs);
    for (((file, parse), doc), bad) in files
        .iter_mut()
        .zip(&parses)
        .zip(checked)
        .zip(encoding_errors)
    {
        file.claims = parse.document.claims.len();
        file.citations = parse
            .document
            .claims
            .iter()
            .map(|c| c.citations().count())
            .sum();
        file.diagnostics = doc.diagnostics;
        if let Some(at) = bad {
            // The text was decoded with replacement characters; say so where it first happened.
            let mut d = Diagnostic::new(
                Code::SyntaxError,
                &file.path,
                TextRange::empty(at.min(file.text.len())),
                format!(
                    "the file is not valid UTF-8 text (first invalid byte at offset {at}); save it as UTF-8"
                ),
            );
            d.severity = Severity::Error;
            file.diagnostics.insert(0, d);
        }
    }
    let config_diagnostics = mica_check::check_config(&config, &provider);
    Ok(Outcome {
        root,
        config,
        config_diagnostics,
        files,
        provider,
    })
}
