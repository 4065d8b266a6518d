//! Rendering findings: text, JSON, SARIF 2.1.0, GitHub workflow annotations, review plans.
//!
//! Every renderer takes a [`Report`]: the findings to show, the files that were not analysed,
//! and the numbers for the summary. Renderers are pure functions from a `Report` to a `String`,
//! so the CLI and the App print exactly what the tests see.

pub mod baseline;
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

/// Where users read about the tool (SARIF `informationUri`): the `repository` of Cargo.toml.
/// Every link into the repository's documentation starts here.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The page documenting check `check`: `docs/checks/<check>.md` on the repository's main
/// branch. The "Learn more" link of review comments and the `helpUri` of SARIF rules.
pub fn check_docs_url(check: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/checks/{check}.md")
}

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
            SkipReason::CheckBudgetExceeded { .. } => "check-budget-exceeded",
            SkipReason::Excluded => "excluded",
            SkipReason::Unreadable { .. } => "unreadable",
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
    /// Findings not shown because the baseline (`--baseline`) lists them; 0 without one.
    pub baselined: usize,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check::CheckSet;
    use crate::analysis::SUPPRESSION_CHECK;
    use std::path::Path;

    #[test]
    fn check_links_point_at_the_repository_docs() {
        assert_eq!(INFORMATION_URI, "https://github.com/failmode/failmode");
        assert_eq!(
            check_docs_url("missing-retry"),
            "https://github.com/failmode/failmode/blob/main/docs/checks/missing-retry.md"
        );
    }

    /// Every link [`check_docs_url`] makes must land on a page: a new check without its page
    /// fails here, and so does a page left behind by a renamed check.
    #[test]
    fn every_check_has_a_docs_page_and_every_page_a_check() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks");
        let mut ids: Vec<String> = CheckSet::embedded()
            .expect("checks load")
            .ids()
            .into_iter()
            .map(str::to_string)
            .collect();
        ids.push(SUPPRESSION_CHECK.to_string());
        ids.sort();
        for id in &ids {
            let page = docs.join(format!("{id}.md"));
            let text = std::fs::read_to_string(&page).unwrap_or_else(|e| {
                panic!(
                    "check `{id}` has no page at {} ({e}): write one (what it finds, the failure mode, the fix, how to suppress, examples)",
                    page.display()
                )
            });
            assert!(
                text.starts_with(&format!("# `{id}`")),
                "{}: the page starts with its check id as the title",
                page.display()
            );
            assert!(
                !text.contains("shared/") && !text.contains("docs/checks.md"),
                "{}: a user's page stands alone, with no link to design notes outside the repository",
                page.display()
            );
            if id != SUPPRESSION_CHECK {
                assert!(
                    text.contains(&format!("// failmode: allow({id}) ")),
                    "{}: the page shows how to suppress the check",
                    page.display()
                );
            }
        }
        let mut pages: Vec<String> = std::fs::read_dir(&docs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .map(|n| n.strip_suffix(".md").unwrap_or(&n).to_string())
            .collect();
        pages.sort();
        assert_eq!(pages, ids, "docs/checks/ holds one page per check, no more");
    }
}
