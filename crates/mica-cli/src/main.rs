//! The `mica` command: `mica check` for CI and `mica lsp` for editors.
//!
//! This is the only place that decides exit codes: 0 when the check found no error (and, with
//! `--deny-warnings`, no warning), 1 when it found problems, 2 when it could not run at all.

mod check;
mod render;

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
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let report = render::render(&outcomes, args.format, color);
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
    let stats = check::total(&outcomes);
    if stats.errors > 0 || (args.deny_warnings && stats.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
