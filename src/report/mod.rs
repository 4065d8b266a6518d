//! Rendering findings: text, JSON, SARIF 2.1.0, GitHub workflow annotations, review plans.
//!
//! Every renderer takes a [`Report`]: the findings to show, the files that were not analysed,
//! and the numbers for the summary. Renderers are pure functions from a `Report` to a `String`,
//! so the CLI and the App print exactly what the tests see.

pub mod json;
pub mod review;
pub mod sarif;
pub mod text;
pub mod workflow;

use crate::analysis::finding::{Finding, Severity};
use crate::analysis::source::{SkipReason, Skipped};
use crate::config::FailOn;
use std::collections::BTreeMap;

/// The tool's name, as shown in every output.
pub const TOOL_NAME: &str = "failmode";

/// Where users read about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/failmode/failmode";

/// A file that was not analysed, with a stable machine-readable kind and a sentence for humans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedFile {
    /// Path relative to the scanned root.
    pub path: String,
    /// Stable kind: `binary`, `not-utf8`, `too-large`, `generated`, `vendored`,
    /// `parse-budget-exceeded`, `excluded` or `unreadable`.
    pub kind: String,
    /// What happened and, where it helps, what to do.
    pub reason: String,
}

impl SkippedFile {
    /// A skip decided by the analysis.
    pub fn from_skipped(s: &Skipped) -> SkippedFile {
        let kind = match s.reason {
            SkipReason::Binary => "binary",
            SkipReason::NotUtf8 { .. } => "not-utf8",
            SkipReason::TooLarge { .. } => "too-large",
            SkipReason::Generated => "generated",
            SkipReason::Vendored => "vendored",
            SkipReason::ParseBudgetExceeded { .. } => "parse-budget-exceeded",
            SkipReason::Excluded => "excluded",
        };
        SkippedFile {
            path: s.path.clone(),
            kind: kind.to_string(),
            reason: s.reason.to_string(),
        }
    }

    /// A file that could not be read from disk.
    pub fn unreadable(path: &str, error: &std::io::Error) -> SkippedFile {
        SkippedFile {
            path: path.to_string(),
            kind: "unreadable".to_string(),
            reason: format!("cannot read the file: {error}; check its permissions"),
        }
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// Findings to show, in display order.
    pub findings: &'a [Finding],
    /// Files not analysed.
    pub skipped: &'a [SkippedFile],
    /// Number of source files parsed.
    pub files_analyzed: usize,
    /// The threshold for a failing run.
    pub fail_on: FailOn,
}

impl Report<'_> {
    /// Whether the run fails under `fail_on`.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| self.fail_on.fails(f.severity))
    }

    /// Counts of findings by severity.
    pub fn by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in self.findings {
            *m.entry(f.severity).or_insert(0) += 1;
        }
        m
    }

    /// Counts of findings by check id.
    pub fn by_check(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for f in self.findings {
            *m.entry(f.check.as_str()).or_insert(0) += 1;
        }
        m
    }
}

/// Source text of the files findings point at, for snippets and column conversion.
pub trait SourceText {
    /// The text of `path`, when available.
    fn source(&self, path: &str) -> Option<&str>;
}

impl SourceText for BTreeMap<String, String> {
    fn source(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

impl SourceText for std::collections::HashMap<String, String> {
    fn source(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

/// No source available: renderers fall back to what the finding itself holds.
pub struct NoSource;

impl SourceText for NoSource {
    fn source(&self, _: &str) -> Option<&str> {
        None
    }
}

/// The text of 1-based `line` in `text`, without its terminator.
pub(crate) fn line_of(text: &str, line: usize) -> Option<&str> {
    text.split('\n')
        .nth(line.checked_sub(1)?)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Converts a 1-based byte column on `line_text` to a 1-based character column.
pub(crate) fn char_col(line_text: &str, byte_col: usize) -> usize {
    let mut b = byte_col.saturating_sub(1).min(line_text.len());
    while b > 0 && !line_text.is_char_boundary(b) {
        b -= 1;
    }
    line_text[..b].chars().count() + 1
}

#[cfg(test)]
pub(crate) mod fixtures;
