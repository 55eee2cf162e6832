//! `mica render`: load a brief, render it with `mica-render`, write it to stdout or atomically to
//! `-o OUT`, and decide the exit code (0 clean, 1 rendered with errors, 2 nothing rendered).

use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `mica render`.
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// The `.mica` brief to render, checked in the workspace of the nearest `mica.toml` above it.
    pub file: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = RenderFormat::Html)]
    pub format: RenderFormat,
    /// Where to write it (atomically); by default standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Formats of `mica render`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// One self-contained HTML page.
    Html,
    /// Pandoc Markdown (claims as `[text]{#id}` spans, citations as footnotes).
    Markdown,
    /// JSON (version 1).
    Json,
}

/// `mica render`: 0 when written from a clean check, 1 when written but the brief has errors,
/// 2 when nothing could be rendered or written.
pub fn run(args: RenderArgs) -> ExitCode {
    let report = match mica_render::Report::load(&args.file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let format = match args.format {
        RenderFormat::Html => mica_render::Format::Html,
        RenderFormat::Markdown => mica_render::Format::Markdown,
        RenderFormat::Json => mica_render::Format::Json,
    };
    if let Some(path) = &args.output
        && report.would_overwrite_input(path)
    {
        eprintln!(
            "error: {}: refusing to write the report over the brief, mica.toml or a source; choose another -o",
            path.display()
        );
        return ExitCode::from(2);
    }
    let out = mica_render::render(&report, format);
    let written = match &args.output {
        Some(path) => mica_render::write_atomically(path, out.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the report: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let totals = report.totals();
    if totals.errors > 0 {
        eprintln!(
            "{}: rendered with {} error{}; they are shown in the report (run `mica check` for details)",
            report.path,
            totals.errors,
            if totals.errors == 1 { "" } else { "s" }
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
