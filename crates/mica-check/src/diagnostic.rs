//! The one diagnostic type, the table of stable codes and their default severities.

use mica_syntax::TextRange;
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a check.
    Info,
    /// Fails a check only with `--deny-warnings`.
    Warning,
    /// Fails a check.
    Error,
}

impl Severity {
    /// The lowercase name used in reports and `mica.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $summary:literal;)*) => {
        /// A stable diagnostic code. Each is documented in `spec/diagnostics.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// Every code, in the order of the reference.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in reports and `mica.toml`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity unless `mica.toml` says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One sentence saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    SyntaxError = "syntax-error", Error, "The text does not follow the Mica grammar.";
    UnknownSource = "unknown-source", Error, "A citation names a source id that is declared neither in the document nor in mica.toml.";
    SourceUnreadable = "source-unreadable", Error, "A source's file is missing, not a file, not UTF-8 text, binary, or over the size limit.";
    SourceOutsideRoot = "source-outside-root", Error, "A source's path resolves outside the workspace root (symlinks followed); nothing of it is read.";
    QuoteNotFound = "quote-not-found", Error, "A quoted passage does not occur in the cited source after normalisation.";
    LineOutOfRange = "line-out-of-range", Error, "A line locator points past the end of the source.";
    QuoteOutsideLines = "quote-outside-lines", Error, "A quote occurs in the source, but not within the lines its locator names.";
    DuplicateId = "duplicate-id", Error, "A claim id or source id is declared twice.";
    UnknownClaim = "unknown-claim", Error, "A supports= or contradicts= reference names no claim of the document.";
    InvalidValue = "invalid-value", Error, "An attribute's value is not one its key accepts.";
    UncitedClaim = "uncited-claim", Warning, "A claim cites no source.";
    UnusedSource = "unused-source", Warning, "A source declared in the document is never cited in it.";
    UnknownAttribute = "unknown-attribute", Warning, "An attribute key that Mica does not know (often a misspelling).";
    AmbiguousQuote = "ambiguous-quote", Info, "A quote occurs more than once in its source and has no line locator; the first match is used.";
    LikelihoodMismatch = "likelihood-mismatch", Warning, "The claim's text uses an ICD 203 estimative term, and its p= lies outside that term's band.";
    UnstatedLikelihood = "unstated-likelihood", Info, "The claim's text uses an ICD 203 estimative term, and the claim has no p=.";
    UnsupportedFigure = "unsupported-figure", Warning, "A figure in the claim's text appears in none of its cited passages.";
    OverconfidentClaim = "overconfident-claim", Warning, "conf=high, but no cited source is graded at least as well as the workspace requires (C unless mica.toml says otherwise).";
    IncoherentLikelihood = "incoherent-likelihood", Warning, "Two claims that contradict each other are given likelihoods that cannot both hold.";
    ElidedNegation = "elided-negation", Warning, "An elision in a quote skips a negation, so the quote reads the opposite of its source.";
    CircularSupport = "circular-support", Warning, "supports= links go round in a circle.";
}

impl Code {
    /// The code named `name`, if any.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A place in a workspace file: a workspace-relative path with `/` separators and a byte range.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// Workspace-relative path (`spec/brief.mica`, `seeds/a.txt`, `mica.toml`).
    pub file: String,
    /// Byte range in that file.
    pub range: TextRange,
}

/// A secondary place a diagnostic points at, often in a source document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What is there.
    pub message: String,
}

impl Label {
    /// A label at `range` of `file`.
    pub fn at(file: &str, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            location: Location {
                file: file.to_string(),
                range,
            },
            message: message.into(),
        }
    }
}

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Where (the file is usually the document itself).
    pub location: Location,
    /// The replacement.
    pub new_text: String,
}

/// A fix the user may apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, as an editor shows it.
    pub title: String,
    /// The edits, non-overlapping.
    pub edits: Vec<Edit>,
    /// Whether applying it cannot change what the author meant.
    pub safe: bool,
}

/// A problem found in a workspace file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// The severity after `mica.toml`'s overrides.
    pub severity: Severity,
    /// What is wrong, and where it helps, what to do.
    pub message: String,
    /// The file and range the diagnostic is about.
    pub location: Location,
    /// Other places worth showing.
    pub labels: Vec<Label>,
    /// A suggested replacement text (for a quote: the closest passage).
    pub suggestion: Option<String>,
    /// A fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, file: &str, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: Location {
                file: file.to_string(),
                range,
            },
            labels: Vec::new(),
            suggestion: None,
            fix: None,
        }
    }
}
