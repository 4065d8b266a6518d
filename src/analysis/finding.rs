//! `Finding`: one place in the code where a check says production will hurt, with everything a
//! reviewer needs to act on it (what, why, how to fix, how to suppress).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is, in the order used by `--fail-on` and the check-run conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hygiene, or code in examples / CLI-only binaries.
    Low,
    /// A user-visible failure or missing observability.
    Medium,
    /// Data loss, a security-relevant state change, or a money or message side effect.
    High,
}

impl Severity {
    /// The lowercase name used in config files, flags and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// All severities from lowest to highest.
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when a severity name is not one of `low`, `medium`, `high`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`: expected one of low, medium, high")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "note" | "info" => Ok(Severity::Low),
            "medium" | "warning" | "warn" => Ok(Severity::Medium),
            "high" | "error" => Ok(Severity::High),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// A region of a source file. Lines and columns are 1-based; columns count bytes, as rustc does
/// for its `--error-format=json` byte offsets. `end_col` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line of the region (1-based).
    pub start_line: usize,
    /// Column of the first byte on `start_line` (1-based).
    pub start_col: usize,
    /// Last line of the region (1-based, inclusive).
    pub end_line: usize,
    /// Column just past the last byte on `end_line` (1-based, exclusive).
    pub end_col: usize,
    /// Byte offset of the first byte in the file.
    pub start_byte: usize,
    /// Byte offset just past the last byte in the file.
    pub end_byte: usize,
}

impl Span {
    /// The span covered by a tree-sitter node.
    pub fn of(node: tree_sitter::Node<'_>) -> Span {
        let s = node.start_position();
        let e = node.end_position();
        Span {
            start_line: s.row + 1,
            start_col: s.column + 1,
            end_line: e.row + 1,
            end_col: e.column + 1,
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
        }
    }

    /// Whether any line of this span is in `lines` (a sorted or unsorted set of 1-based lines).
    pub fn touches_any_line(&self, is_changed: impl Fn(usize) -> bool) -> bool {
        (self.start_line..=self.end_line).any(is_changed)
    }
}

/// A machine-applicable fix: replace the bytes of `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What the replacement does, in a few words ("log the error before continuing").
    pub description: String,
    /// The region replaced. Always whole lines, so it can become a GitHub ```suggestion block.
    pub span: Span,
    /// The new text for those lines (without a trailing newline).
    pub replacement: String,
}

/// One problem found by one check at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's id, e.g. `missing-retry`.
    pub check: String,
    /// The rule inside the check that matched, e.g. `let-underscore`.
    pub rule: String,
    /// Severity after config overrides and path-based downgrades.
    pub severity: Severity,
    /// Path relative to the scanned root, with `/` separators.
    pub path: String,
    /// Where the finding is anchored: the first line of the statement or expression that
    /// causes it; for a handler, its `fn` line (each check's page in `docs/checks/` says where).
    pub span: Span,
    /// The specific code, abbreviated (e.g. ``state.http.post(..).send()``).
    pub code: String,
    /// One or two sentences naming the code and what goes wrong with it.
    pub message: String,
    /// What happens in production when this fails.
    pub failure_mode: String,
    /// How to fix it.
    pub fix: String,
    /// How to suppress it when the code is right.
    pub suppress: String,
    /// A mechanical replacement, when there is one.
    pub suggestion: Option<Suggestion>,
    /// Structural fingerprint: check id + enclosing item path + normalised code. Survives line
    /// shifts, so the same problem is never reported twice on a pull request.
    pub fingerprint: String,
    /// The item the finding is in (`billing::impl Client::charge`), as the fingerprint reads
    /// it: what [`crate::analysis::repeats`] groups by. Not part of the output.
    #[serde(skip)]
    pub item: String,
    /// The other places in the same item where the same rule found the same thing, folded
    /// into this finding (see [`crate::analysis::repeats`]); its message names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<Repeat>,
}

/// One more place a folded [`Finding`] stands for: the same rule, the same consequence, in
/// the same function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeat {
    /// Where that finding would have been anchored.
    pub span: Span,
    /// Its code, abbreviated as in [`Finding::code`].
    pub code: String,
    /// Its fingerprint: the one a comment of its own would carry.
    pub fingerprint: String,
}

impl Finding {
    /// Sort key giving a stable, reader-friendly order: path, line, column, check.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (
            &self.path,
            self.span.start_line,
            self.span.start_col,
            &self.check,
        )
    }
}

/// Appends `sentence` to a finding's `message`. A rule's message is written as one sentence
/// without its full stop; it gets one when another sentence follows (a check's note, the
/// repeats a folded finding names).
pub fn append_sentence(message: &mut String, sentence: &str) {
    if !message.ends_with(['.', '!', '?']) {
        message.push('.');
    }
    message.push(' ');
    message.push_str(sentence);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_low_to_high_and_parses_aliases() {
        assert!(Severity::Low < Severity::Medium && Severity::Medium < Severity::High);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert_eq!("warning".parse::<Severity>(), Ok(Severity::Medium));
        assert!("critical".parse::<Severity>().is_err());
    }
}
