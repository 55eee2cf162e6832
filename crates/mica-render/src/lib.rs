//! `mica render`: a checked brief for its readers, as a self-contained HTML evidence report,
//! Pandoc Markdown or versioned JSON.
//!
//! Like the command line, this crate is an edge: it loads a brief with its workspace, checks it
//! with `mica-check`, gathers the result into a [`Report`] (claims, citations resolved into
//! source passages, sources, diagnostics) and renders that. It decides no exit codes.

mod context;
mod graph;
mod html;
mod json;
mod markdown;
mod model;
mod prose;
mod write;

pub use context::{Passage, passage, sentence_around};
pub use json::VERSION as JSON_VERSION;
pub use model::{CitationView, ClaimView, DiagnosticView, LoadError, Report, SourceView, Totals};
pub use write::write_atomically;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML page.
    Html,
    /// Pandoc Markdown.
    Markdown,
    /// JSON, version [`JSON_VERSION`].
    Json,
}

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Html => html::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
    }
}
