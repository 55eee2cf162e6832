//! The Mica checker: the workspace configuration, the diagnostic type with its table of codes,
//! and the rules that validate documents and their citations against the sources.
//!
//! [`check`] is a pure function of parsed documents, the configuration and a
//! [`mica_sources::SourceProvider`]: the command line backs the provider with the disk, the
//! language server with open buffers over the disk, and tests with memory.

mod batch;
mod check;
pub mod config;
pub mod diagnostic;
pub mod resolve;
pub mod rules;
mod scope;
pub mod similar;
pub mod vocab;
pub mod workspace;

pub use batch::{BatchResult, SourcePositions, check_batch};
pub use check::{
    CheckedDocument, DocumentInput, ResolvedCitation, apply_severities, check, check_config,
    shorten,
};
pub use config::{CONFIG_FILE, Config, ConfigError};
pub use diagnostic::{Code, Diagnostic, Edit, Fix, Label, Location, Severity};
pub use resolve::{Declared, SourceDef, SourceScope};
