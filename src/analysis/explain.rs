//! Why a line is or is not flagged (`failmode check --explain PATH:LINE`): every rule whose
//! pattern matched a node anchored on that line, and what became of the match — reported, or
//! the first filter that stopped it. The answer comes from the same run that reports findings,
//! on the complete repository index, so it is the reason the run itself had.

use super::source::ParsedFile;
use super::syntax;
use crate::analysis::syntax::KindExt;
use std::fmt;
use std::str::FromStr;

/// The line to explain: a path relative to the root, as findings print it, and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainTarget {
    /// Path relative to the analysed root.
    pub path: String,
    /// 1-based line number.
    pub line: usize,
}

impl FromStr for ExplainTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (path, line) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("`{s}` is not PATH:LINE (e.g. src/api/orders.rs:42)"))?;
        let line: usize = line
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("`{line}` in `{s}` is not a line number (1 or more)"))?;
        let path = path.trim_start_matches("./");
        if path.is_empty() {
            return Err(format!("`{s}` names no file; write PATH:LINE"));
        }
        Ok(ExplainTarget {
            path: path.to_string(),
            line,
        })
    }
}

/// What became of one rule's match on the explained line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every filter held: the match is a finding.
    Reported,
    /// Reported, then hidden by a `failmode:` suppression comment.
    Suppressed,
    /// The check is off for this file (`enabled = false`, or the path is excluded).
    CheckDisabled,
    /// The anchor is in test code, which the rule does not look at.
    InTestCode,
    /// Another rule of the same check already reported this anchor.
    AlreadyReported,
    /// This filter, as written in the rule, did not hold.
    StoppedBy(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Reported => f.write_str("reported"),
            Outcome::Suppressed => f.write_str("reported, then hidden by a `failmode:` comment"),
            Outcome::CheckDisabled => {
                f.write_str("not run: the check is disabled or excluded for this path")
            }
            Outcome::InTestCode => f.write_str("not reported: the line is test code"),
            Outcome::AlreadyReported => {
                f.write_str("not reported again: another rule of this check reported it")
            }
            Outcome::StoppedBy(filter) => write!(f, "stopped by filter `{filter}`"),
        }
    }
}

/// One rule's match on the explained line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// Check id.
    pub check: String,
    /// Rule id within the check.
    pub rule: String,
    /// Line of the node the rule anchors on (the explained line).
    pub line: usize,
    /// What became of the match.
    pub outcome: Outcome,
}

/// The answer for one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// Each rule match anchored on the line, in the order the engine saw them.
    pub matches: Vec<Explained>,
    /// What the effect model knows of each workspace-or-library function called on the line:
    /// (name, description), in source order.
    pub calls: Vec<(String, String)>,
    /// Why the file itself was not checked, when it was not (skipped, not a source file, a
    /// test or dev-tool file, excluded everywhere).
    pub file_not_checked: Option<String>,
}

/// The functions called on `line` (1-based) of `file`: each call whose name starts on the
/// line, in source order, each once, as (type-qualified name when the syntax tells the
/// receiver's type, or empty; bare name); see [`syntax::typed_method_name`].
pub fn called_on_line(file: &ParsedFile, line: usize) -> Vec<(String, String)> {
    let row = line.saturating_sub(1);
    let mut names: Vec<(String, String)> = Vec::new();
    for call in syntax::descendants(file.tree.root_node())
        .filter(|n| n.kind_name() == "call_expression" && n.start_position().row <= row)
    {
        // The name's own line: a chain's `.send()` may sit lines below the chain's start.
        let name_node = call.child_by_field_name("function").map(|f| {
            f.child_by_field_name("field")
                .or_else(|| f.child_by_field_name("name"))
                .unwrap_or(f)
        });
        if let (Some(name_node), Some(name)) = (name_node, syntax::call_name(file, call)) {
            if name_node.start_position().row != row {
                continue;
            }
            let qualified = syntax::typed_method_name(file, call).unwrap_or_default();
            if !names.iter().any(|(q, n)| *q == qualified && n == name) {
                names.push((qualified, name.to_string()));
            }
        }
    }
    names
}

impl Explanation {
    /// Marks reported matches whose finding a suppression comment removed. `kept` says whether
    /// a finding of that check is still on that line (the finding's own line, which a rule
    /// may anchor on the statement's first line rather than the explained one).
    pub fn mark_suppressed(&mut self, kept: impl Fn(&str, usize) -> bool) {
        for m in &mut self.matches {
            if m.outcome == Outcome::Reported && !kept(&m.check, m.line) {
                m.outcome = Outcome::Suppressed;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_a_path_and_a_positive_line() {
        assert_eq!(
            "./src/a:b.rs:42".parse::<ExplainTarget>(),
            Ok(ExplainTarget {
                path: "src/a:b.rs".into(),
                line: 42
            })
        );
        assert!("src/a.rs".parse::<ExplainTarget>().is_err());
        assert!("src/a.rs:0".parse::<ExplainTarget>().is_err());
        assert!("src/a.rs:x".parse::<ExplainTarget>().is_err());
        assert!(":3".parse::<ExplainTarget>().is_err());
    }

    #[test]
    fn a_report_is_suppressed_only_when_its_own_line_lost_its_finding() {
        let reported = |check: &str, line| Explained {
            check: check.into(),
            rule: "r".into(),
            line,
            outcome: Outcome::Reported,
        };
        let mut e = Explanation {
            matches: vec![reported("missing-retry", 6), reported("swallowed-error", 7)],
            ..Explanation::default()
        };
        // The missing-retry finding was anchored on line 6 (the statement's first line) and
        // is still there; the swallowed-error one on line 7 is gone.
        e.mark_suppressed(|check, line| check == "missing-retry" && line == 6);
        assert_eq!(e.matches[0].outcome, Outcome::Reported);
        assert_eq!(e.matches[1].outcome, Outcome::Suppressed);
    }
}
