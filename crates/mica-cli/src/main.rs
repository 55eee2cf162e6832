//! The `mica` command: `mica check` for CI, `mica render` for readers and `mica lsp` for editors.
//!
//! This is the only place that decides exit codes: 0 when the check found no error (and, with
//! `--deny-warnings`, no warning), 1 when it found problems, 2 when it could not run at all.

mod check;
mod fix;
mod render;
mod render_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Mica: check annotated policy briefs against their sources.
#[derive(Parser, Debug)]
#[command(name = "mica", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check `.mica` files and their citations against the source documents.
    Check(CheckArgs),
    /// Render a brief for readers: an HTML evidence report, Pandoc Markdown or JSON.
    Render(render_cmd::RenderArgs),
    /// Run the language server over standard input and output.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

/// Arguments of `mica check`.
#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// `.mica` files or folders to check (folders are searched recursively); by default the
    /// whole workspace.
    paths: Vec<PathBuf>,
    /// How to report diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// The workspace root; by default the nearest folder upward holding `mica.toml`, else the
    /// current folder.
    #[arg(long)]
    root: Option<PathBuf>,
    /// When to colour the human report (`auto` respects NO_COLOR and whether stdout is a
    /// terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Apply the safe fixes to the files checked (atomically, keeping permissions), then
    /// report what is left.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// With `--fix` or `--diff`: the unsafe fixes too (they may change what is quoted or
    /// claimed: read the result).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing; exit 1 if there is anything to fix.
    #[arg(long)]
    diff: bool,
    /// How many threads read, parse and check; by default as many as there are cores.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Snippets with the source line underlined, for people.
    Human,
    /// One JSON object.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Render(args) => render_cmd::run(args),
        Command::Lsp { .. } => match mica_lsp::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: the language server stopped: {e}");
                ExitCode::from(1)
            }
        },
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the current folder: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(jobs) = args.jobs
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.get())
            .build_global()
    {
        eprintln!("error: cannot start {jobs} threads: {e}");
        return ExitCode::from(2);
    }
    let outcomes = match check::run(&cwd, args.root.as_deref(), &args.paths) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {}", render::escape_line(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    if args.unsafe_fixes && !args.fix && !args.diff {
        eprintln!("error: --unsafe-fixes applies only with --fix or --diff");
        return ExitCode::from(2);
    }
    let found: usize = outcomes
        .iter()
        .map(|o| o.files.len() + o.unchecked.len())
        .sum();
    if found == 0 {
        // A run that checked nothing must not pass as a clean one.
        let under = if args.paths.is_empty() {
            outcomes.first().map_or_else(
                || ".".to_string(),
                |o| check::relative_from(&o.cwd, &o.root),
            )
        } else {
            args.paths
                .iter()
                .map(|p| mica_check::workspace::display_path(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!(
            "error: nothing to check: no `.mica` files found under {under} (after the excludes of mica.toml)"
        );
        return ExitCode::from(2);
    }
    let mut outcomes = outcomes;
    let mut notice = String::new();
    let mut would_change = false;
    if args.fix || args.diff {
        let which = if args.unsafe_fixes {
            fix::Applicability::All
        } else {
            fix::Applicability::Safe
        };
        let fixed = match fix::fix(&cwd, args.root.as_deref(), &args.paths, outcomes, which) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {}", render::escape_line(&e.to_string()));
                return ExitCode::from(2);
            }
        };
        let files = fixed.changes.len();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if args.diff {
            let mut diff = fix::diff(&cwd, &fixed.changes);
            // On a terminal the diff is for reading, so control characters are escaped; in a
            // pipe or a file it stays exact, so that `patch` can apply it.
            if std::io::stdout().is_terminal() {
                diff = render::escape_lines(&diff);
            }
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(diff.as_bytes())
                .and_then(|()| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("error: cannot write the diff: {e}");
                return ExitCode::from(2);
            }
            eprintln!(
                "Would fix {} in {}.",
                plural(fixed.applied, "problem", "problems"),
                plural(files, "file", "files")
            );
            let stats = check::total(&fixed.outcomes);
            return if files > 0
                || stats.errors > 0
                || stats.unchecked > 0
                || (args.deny_warnings && stats.warnings > 0)
            {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
        let problems = fix::write(&fixed.outcomes, &fixed.changes);
        for p in &problems {
            eprintln!("error: not fixed: {}", render::escape_line(p));
        }
        would_change = !problems.is_empty();
        if problems.is_empty() {
            outcomes = fixed.outcomes;
            notice = format!(
                "Fixed {} in {}.",
                plural(fixed.applied, "problem", "problems"),
                plural(files, "file", "files")
            );
        } else {
            // Some files could not be written: report them as they are on disk.
            outcomes = match check::run(&cwd, args.root.as_deref(), &args.paths) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("error: {}", render::escape_line(&e.to_string()));
                    return ExitCode::from(2);
                }
            };
        }
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut report = render::render(&outcomes, args.format, color);
    let stats = check::total(&outcomes);
    // The process ends once the report is written: the outcomes (every document's text and
    // diagnostics) are left to the operating system instead of being freed one by one, which
    // took 5% of checking a 10 MB brief.
    std::mem::forget(outcomes);
    if !notice.is_empty() {
        // Machine-readable reports stay parseable: the notice goes to stderr for them.
        if args.format == Format::Human {
            report.push_str(&notice);
            report.push('\n');
        } else {
            eprintln!("{notice}");
        }
    }
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush());
    // A closed pipe (`mica check | head`) is the reader's choice, not a failure to report.
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    if would_change
        || stats.errors > 0
        || stats.unchecked > 0
        || (args.deny_warnings && stats.warnings > 0)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
