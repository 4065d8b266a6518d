//! `// failmode: allow(<check-id>) <reason>` on the finding's line or the line above. A reason
//! is required, and a suppression that suppresses nothing is reported, so stale pragmas do not
//! pile up.

use super::source::ParsedFile;
use crate::analysis::syntax::KindExt;

/// One suppression comment found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column where `failmode:` starts.
    pub col: usize,
    /// Check ids it names.
    pub checks: Vec<String>,
    /// The reason given after `allow(..)`.
    pub reason: String,
    /// Whether the comment is alone on its line (then it applies to the next line too).
    pub own_line: bool,
}

impl Suppression {
    /// Whether this suppression covers a finding of `check` anchored at `line`.
    pub fn covers(&self, check: &str, line: usize) -> bool {
        self.checks.iter().any(|c| c == check)
            && (line == self.line || (self.own_line && line == self.line + 1))
    }
}

/// A malformed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSuppression {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong and how to write it.
    pub message: String,
}

/// Finds the suppression comments in a file.
pub fn scan(file: &ParsedFile) -> (Vec<Suppression>, Vec<BadSuppression>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    if !file.text.contains("failmode:") {
        return (good, bad);
    }
    // Only real `//` comments count: not doc comments (`///`, `//!`), which document the
    // syntax, and not string literals that happen to contain it.
    let comments = crate::analysis::syntax::descendants(file.tree.root_node())
        .filter(|n| n.kind_name() == "line_comment")
        .filter(|n| {
            let text = file.node_text(*n);
            !(text.starts_with("//!") || (text.starts_with("///") && !text.starts_with("////")))
        });
    for node in comments {
        let line_no = node.start_position().row + 1;
        let line = file.line(line_no);
        let comment_at = node.start_position().column;
        let Some(comment) = line.get(comment_at..) else {
            continue;
        };
        let Some(rel) = comment.find("failmode:") else {
            continue;
        };
        let col = comment_at + rel + 1;
        let rest = comment[rel + "failmode:".len()..].trim_start();
        let Some(args) = rest.strip_prefix("allow(") else {
            bad.push(BadSuppression {
                line: line_no,
                col,
                message: "expected `failmode: allow(<check-id>) <reason>`".into(),
            });
            continue;
        };
        let Some(close) = args.find(')') else {
            bad.push(BadSuppression {
                line: line_no,
                col,
                message: "unclosed `allow(`: write `failmode: allow(<check-id>) <reason>`".into(),
            });
            continue;
        };
        let checks: Vec<String> = args[..close]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let reason = args[close + 1..]
            .trim()
            .trim_start_matches(['-', ':', '—'])
            .trim()
            .to_string();
        if checks.is_empty() {
            bad.push(BadSuppression {
                line: line_no,
                col,
                message: "`allow()` names no check: write `allow(<check-id>)`".into(),
            });
            continue;
        }
        if reason.is_empty() {
            bad.push(BadSuppression {
                line: line_no,
                col,
                message: format!(
                    "suppression of {} has no reason: say why after `allow(..)`, e.g. `// failmode: allow({}) retried by the caller's queue`",
                    checks.join(", "),
                    checks[0]
                ),
            });
            continue;
        }
        let own_line = line[..comment_at].trim().is_empty();
        good.push(Suppression {
            line: line_no,
            col,
            checks,
            reason,
            own_line,
        });
    }
    (good, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_good_and_bad_pragmas() {
        let src = "fn a() {\n    // failmode: allow(missing-retry) the queue redelivers\n    x();\n    y(); // failmode: allow(swallowed-error, missing-retry): best effort\n    // failmode: allow(missing-retry)\n    // failmode: deny(x)\n}\n";
        let f = crate::analysis::source::parse_rust_snippet("src/a.rs", src);
        let (good, bad) = scan(&f);
        assert_eq!(good.len(), 2);
        assert!(good[0].covers("missing-retry", 3));
        assert!(good[0].covers("missing-retry", 2));
        assert!(!good[0].covers("swallowed-error", 3));
        assert!(good[1].covers("swallowed-error", 4));
        assert!(!good[1].covers("swallowed-error", 5));
        assert_eq!(good[1].reason, "best effort");
        assert_eq!(bad.len(), 2);
        assert!(bad[0].message.contains("has no reason"));
        assert_eq!(bad[0].line, 5);
    }

    #[test]
    fn doc_comments_and_strings_that_show_the_syntax_are_not_pragmas() {
        let src = "//! Write `// failmode: allow(<check-id>) <reason>`.\n/// e.g. `// failmode: allow(missing-retry)`\nfn a() {\n    let s = \"// failmode: nonsense\";\n    //// failmode: allow(missing-retry) a plain comment after all\n}\n";
        let f = crate::analysis::source::parse_rust_snippet("src/a.rs", src);
        let (good, bad) = scan(&f);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(good.len(), 1);
        assert_eq!((good[0].line, good[0].col), (5, 10));
    }
}
