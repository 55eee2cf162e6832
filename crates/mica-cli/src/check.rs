//! Running a check: find the workspace, read its configuration and documents, check them, and
//! keep everything the renderers need (texts for positions and snippets).

use mica_check::workspace::{self, Unchecked, WorkspaceError};
use mica_check::{CONFIG_FILE, Code, Config, Diagnostic, DocumentInput, Severity, SourcePositions};
use mica_sources::{DEFAULT_SIZE_LIMIT, FsProvider, SourceProvider};
use mica_syntax::{LineIndex, TextRange, reader_positions};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One checked `.mica` file.
pub struct CheckedFile {
    /// Workspace-relative path (or the path as given, for files outside the root).
    pub path: String,
    /// The text that was parsed.
    pub text: String,
    /// The canonical path on disk.
    pub abs: PathBuf,
    /// Whether the file is not valid UTF-8 (the text was decoded with replacements, so a fix
    /// must never write it back).
    pub lossy: bool,
    /// Number of claims.
    pub claims: usize,
    /// Number of citations.
    pub citations: usize,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The lines of `text`, indexed while the documents are checked, for every report's
    /// positions.
    pub lines: LineIndex,
}

/// Everything a check of one workspace produced.
pub struct Outcome {
    /// The canonical current folder, which reports' paths are relative to.
    pub cwd: PathBuf,
    /// The canonical workspace root.
    pub root: PathBuf,
    /// The configuration.
    pub config: Config,
    /// Problems in `mica.toml` itself.
    pub config_diagnostics: Vec<Diagnostic>,
    /// The checked files in path order.
    pub files: Vec<CheckedFile>,
    /// Documents found but not checked (unreadable, or named in a way Mica cannot use).
    pub unchecked: Vec<Unchecked>,
    /// Where other files (sources) are read from, for positions of labels.
    pub provider: FsProvider,
    /// Positions in sources found while the check read them; others are read again.
    pub source_positions: SourcePositions,
    /// Each checked file's index in `files`, by path.
    by_path: HashMap<String, usize>,
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
    /// Documents that could not be checked.
    pub unchecked: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.files += o.files;
        self.claims += o.claims;
        self.citations += o.citations;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.infos += o.infos;
        self.unchecked += o.unchecked;
    }
}

/// Totals over several workspaces.
pub fn total(outcomes: &[Outcome]) -> Stats {
    let mut s = Stats::default();
    for o in outcomes {
        s += o.stats();
    }
    s
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
            unchecked: self.unchecked.len(),
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

    /// How reports show a workspace-relative path: relative to the current folder, where CI
    /// and people run `mica`, so that GitHub annotations and terminal links resolve, with `../`
    /// when the file is not under it.
    pub fn shown(&self, file: &str) -> String {
        relative_from(&self.cwd, &self.root.join(file))
    }

    /// The text of a workspace file a diagnostic points into, if it can be read: a document
    /// or `mica.toml` as the outcome holds it, a source read afresh, neither normalised nor
    /// cached.
    pub fn text_of(&self, file: &str) -> Option<Cow<'_, str>> {
        if let Some(text) = self.document_text(file) {
            return Some(Cow::Borrowed(text));
        }
        self.provider.read_text(file).ok().map(Cow::Owned)
    }

    /// The line index of a checked document.
    pub fn document_lines(&self, file: &str) -> Option<&LineIndex> {
        self.by_path.get(file).map(|&i| &self.files[i].lines)
    }

    /// The text of a checked document or of `mica.toml`, which the outcome holds.
    fn document_text(&self, file: &str) -> Option<&str> {
        if let Some(&i) = self.by_path.get(file) {
            return Some(&self.files[i].text);
        }
        (file == CONFIG_FILE).then_some(self.config.text.as_str())
    }
}

/// `target` relative to the folder `base` (both absolute), with `/` separators and `..` where
/// `target` is not under `base`; `.` when they are the same. A name that is not UTF-8 is shown
/// with `\xNN` escapes.
pub fn relative_from(base: &Path, target: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let target: Vec<_> = target.components().collect();
    // Different prefixes (Windows drives) have no relative path between them.
    if base.first() != target.first() {
        return workspace::display_path(&target.iter().collect::<PathBuf>());
    }
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|c| workspace::display_path(Path::new(c.as_os_str()))),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A file's text with its line index.
struct Indexed<'a> {
    text: Cow<'a, str>,
    lines: Cow<'a, LineIndex>,
}

/// 1-based line and column (in characters) of `offset` in `text`, with a cache of each file's
/// text and indexes, so that a report reads and indexes every file once.
///
/// Documents and `mica.toml` are held whole. Sources are not: the check found the positions
/// its resolutions point at while it read them ([`Outcome::source_positions`]); the first
/// position asked that it did not find computes every such position the outcome's diagnostics
/// name, reading each source concerned once, in parallel, and keeps only those positions, so
/// that a report over a large corpus never holds its sources.
#[derive(Default)]
pub struct Positions<'a> {
    indexes: HashMap<String, Indexed<'a>>,
    /// The positions in each source, computed the first time a source is asked about.
    points: Option<HashMap<&'a str, Option<Points>>>,
}

/// 1-based `(line, column)` by byte offset, for the offsets a report names in one source.
type Points = HashMap<usize, (usize, usize)>;

impl<'a> Positions<'a> {
    /// Read and index `file` once; `None` when it cannot be read.
    fn load(&mut self, outcome: &'a Outcome, file: &str) -> Option<&Indexed<'a>> {
        if !self.indexes.contains_key(file) {
            let indexed = match (outcome.document_text(file), outcome.document_lines(file)) {
                (Some(text), Some(lines)) => Indexed {
                    text: Cow::Borrowed(text),
                    lines: Cow::Borrowed(lines),
                },
                _ => Indexed::new(outcome.text_of(file)?),
            };
            self.indexes.insert(file.to_string(), indexed);
        }
        self.indexes.get(file)
    }

    /// The text of `range` in `file`, from the cache.
    pub fn slice(&mut self, outcome: &'a Outcome, file: &str, range: TextRange) -> Option<&str> {
        self.load(outcome, file)?.text.get(range.to_range())
    }

    /// `(line, column)` of the start and end of `range` in `file`, 1-based; `None` when the
    /// file cannot be read.
    pub fn of(
        &mut self,
        outcome: &'a Outcome,
        file: &str,
        range: TextRange,
    ) -> Option<((usize, usize), (usize, usize))> {
        if outcome.document_text(file).is_none() && !self.indexes.contains_key(file) {
            // Positions the check found while it read the source come first; the rest are
            // found by reading the sources again, all at once.
            let known = outcome.source_positions.get(file);
            let known = |o: usize| known.and_then(|k| k.get(&o)).copied();
            if let (Some(start), Some(end)) = (known(range.start()), known(range.end())) {
                return Some((start, end));
            }
            let points = self.points.get_or_insert_with(|| source_points(outcome));
            let points = points.get(file)?.as_ref()?;
            let at = |o: usize| known(o).or_else(|| points.get(&o).copied());
            return Some((at(range.start())?, at(range.end())?));
        }
        let indexed = self.load(outcome, file)?;
        Some((
            indexed.line_col(range.start()),
            indexed.line_col(range.end()),
        ))
    }
}

impl<'a> Indexed<'a> {
    fn new(text: Cow<'a, str>) -> Self {
        Self {
            lines: Cow::Owned(LineIndex::new(&text)),
            text,
        }
    }

    /// 1-based line and column (in characters) of byte `o`.
    fn line_col(&self, o: usize) -> (usize, usize) {
        self.lines.reader_position(&self.text, o)
    }
}

/// Every offset that `outcome`'s diagnostics and their labels name, by file, in one pass.
fn wanted_offsets(outcome: &Outcome) -> HashMap<&str, Vec<usize>> {
    let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
    let locations = outcome
        .diagnostics()
        .flat_map(|d| std::iter::once(&d.location).chain(d.labels.iter().map(|l| &l.location)));
    for l in locations {
        let offsets = wanted.entry(l.file.as_str()).or_default();
        offsets.extend([l.range.start(), l.range.end()]);
    }
    wanted
}

/// The 1-based positions of the offsets the outcome's diagnostics name in each source (each
/// file that is neither a document nor `mica.toml`) that the check did not find already, from
/// one read of each such source, in parallel, without indexing it; `None` for a source that
/// cannot be read.
fn source_points(outcome: &Outcome) -> HashMap<&str, Option<Points>> {
    let wanted: Vec<(&str, Vec<usize>)> = wanted_offsets(outcome)
        .into_iter()
        .filter(|(file, _)| outcome.document_text(file).is_none())
        .filter_map(|(file, mut offsets)| {
            if let Some(known) = outcome.source_positions.get(file) {
                offsets.retain(|o| !known.contains_key(o));
            }
            (!offsets.is_empty()).then_some((file, offsets))
        })
        .collect();
    wanted
        .into_par_iter()
        .map(|(file, offsets)| {
            let points = outcome.text_of(file).map(|text| {
                let found = reader_positions(&text, &offsets);
                offsets.into_iter().zip(found).collect()
            });
            (file, points)
        })
        .collect()
}

/// Check what the command line names: `paths` (files or folders), each in the workspace of
/// the nearest `mica.toml` above it, or with no paths the workspace around `cwd`. `root`
/// overrides the workspace root for all of them. One outcome per workspace, in the order the
/// paths name them.
pub fn run(
    cwd: &Path,
    root: Option<&Path>,
    paths: &[PathBuf],
) -> Result<Vec<Outcome>, WorkspaceError> {
    run_with(cwd, root, paths, &HashMap::new())
}

/// [`run`], with the texts of some documents (by canonical path) taken from `texts` instead
/// of the disk: how `--fix` re-checks what its edits would leave before writing anything.
pub fn run_with(
    cwd: &Path,
    root: Option<&Path>,
    paths: &[PathBuf],
    texts: &HashMap<PathBuf, String>,
) -> Result<Vec<Outcome>, WorkspaceError> {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let root_for = |start: &Path| -> Result<PathBuf, WorkspaceError> {
        let r = match root {
            Some(r) => {
                let r = cwd.join(r);
                if !r.is_dir() {
                    return Err(WorkspaceError::NoSuchPath(r));
                }
                r
            }
            None => workspace::find_root(start).unwrap_or_else(|| cwd.clone()),
        };
        r.canonicalize()
            .map_err(|e| WorkspaceError::Io(r.clone(), e))
    };
    let mut groups: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    if paths.is_empty() {
        groups.push((root_for(&cwd)?, Vec::new()));
    }
    for p in paths {
        let abs = cwd.join(p);
        let canonical = abs
            .canonicalize()
            .map_err(|_| WorkspaceError::NoSuchPath(p.clone()))?;
        let start = if canonical.is_dir() {
            canonical.clone()
        } else {
            canonical
                .parent()
                .map_or(canonical.clone(), Path::to_path_buf)
        };
        let r = root_for(&start)?;
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, list)) => list.push(canonical),
            None => groups.push((r, vec![canonical])),
        }
    }
    groups
        .into_iter()
        .map(|(r, list)| run_workspace(&cwd, r, &list, texts))
        .collect()
}

fn run_workspace(
    cwd: &Path,
    root: PathBuf,
    paths: &[PathBuf],
    texts: &HashMap<PathBuf, String>,
) -> Result<Outcome, WorkspaceError> {
    let config = workspace::load_config(&root)?;
    let workspace::Discovery {
        files: found,
        mut unchecked,
    } = workspace::discover_all(&root, &config, paths)?;
    let provider = FsProvider::new(&root);
    // Documents are read and parsed in parallel, with the limits of sources: a FIFO or a device
    // named `.mica` is refused without blocking, and the size is bounded. Sources are streamed
    // by the batch pipeline, which reads each once and keeps none.
    let read: Vec<Result<(CheckedFile, Option<usize>), Unchecked>> = found
        .par_iter()
        .map(|path| {
            let bytes = match texts.get(path) {
                Some(text) => Ok(text.clone().into_bytes()),
                None => mica_sources::read_document(&root, path, DEFAULT_SIZE_LIMIT),
            }
            .map_err(|e| Unchecked {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let rel = workspace::relative_path(&root, path);
            let (text, bad) = match String::from_utf8(bytes) {
                Ok(t) => (t, None),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
                }
            };
            let file = CheckedFile {
                path: rel,
                text,
                abs: path.clone(),
                lossy: bad.is_some(),
                claims: 0,
                citations: 0,
                diagnostics: Vec::new(),
                lines: LineIndex::new(""), // Indexed below, while the documents are checked.
            };
            Ok((file, bad))
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    let mut encoding_errors = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok((file, bad)) => {
                files.push(file);
                encoding_errors.push(bad);
            }
            Err(u) => unchecked.push(u),
        }
    }

    // A large document is itself parsed in pieces, in parallel (`mica_ide::parse_in_parallel`).
    let parses: Vec<mica_syntax::Parse> = files
        .par_iter()
        .map(|f| mica_ide::parse_in_parallel(&f.text))
        .collect();
    let inputs: Vec<DocumentInput<'_>> = files
        .iter()
        .zip(&parses)
        .map(|(f, parse)| DocumentInput {
            path: &f.path,
            text: &f.text,
            parse,
        })
        .collect();
    // The documents' lines are indexed on the pool while they are checked: every report needs
    // their positions, and a large brief takes milliseconds to index.
    let (batch, lines) = rayon::join(
        || mica_check::check_batch(&config, &provider, &inputs),
        || {
            (files.par_iter())
                .map(|f| LineIndex::new(&f.text))
                .collect::<Vec<_>>()
        },
    );
    drop(inputs);
    for (file, lines) in files.iter_mut().zip(lines) {
        file.lines = lines;
    }
    for (((file, parse), doc), bad) in files
        .iter_mut()
        .zip(&parses)
        .zip(batch.documents)
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
            let d = Diagnostic::new(
                Code::SyntaxError,
                &file.path,
                TextRange::empty(at.min(file.text.len())),
                format!(
                    "the file is not valid UTF-8 text (first invalid byte at offset {at}); save it as UTF-8"
                ),
            );
            if let Some(severity) = config.severity(Code::SyntaxError) {
                file.diagnostics.insert(0, Diagnostic { severity, ..d });
            }
        }
    }
    // Freeing a large document's syntax tree takes milliseconds: the pool does it while the
    // report is made.
    rayon::spawn(move || drop(parses));
    let config_diagnostics = batch.config;
    let source_positions = batch.source_positions;
    let by_path = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    Ok(Outcome {
        cwd: cwd.to_path_buf(),
        root,
        config,
        config_diagnostics,
        files,
        unchecked,
        provider,
        source_positions,
        by_path,
    })
}
