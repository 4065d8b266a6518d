//! Planning one pull-request review: which findings become inline comments (only where GitHub
//! accepts them, highest severity first, never twice), what goes to the check run instead, and
//! the text of each comment, the check-run summary and its annotations.
//!
//! Pure: no I/O. The App fetches the PR's files (with their `patch` fields) and the comments
//! already posted, calls [`ReviewPlan::build`], and sends what the plan says.

use crate::analysis::finding::{Finding, Severity};
use crate::analysis::markup::code_span;
use crate::diff::{FileDiff, Side};
use crate::report::check_docs_url;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// Marker prefix hidden in every comment body; the fingerprint follows it.
pub const FINGERPRINT_MARKER: &str = "<!-- failmode:fingerprint=";

/// Most annotations GitHub accepts in one check-run request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

/// GitHub's limit on a check-run summary and on comment bodies.
pub const MAX_BODY_CHARS: usize = 65_535;

/// Longest span (in lines) searched for a commentable line when the anchor line is outside
/// the diff.
const MAX_ANCHOR_SEARCH_LINES: usize = 200;

/// One inline review comment, shaped like an item of `comments[]` in "create a review".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InlineComment {
    /// File path (new side).
    pub path: String,
    /// Last (or only) line of the comment.
    pub line: usize,
    /// Side of `line`; always RIGHT for findings.
    pub side: Side,
    /// First line of a multi-line comment; never equal to `line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    /// Side of `start_line`, present exactly when `start_line` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<Side>,
    /// The Markdown body, ending in the fingerprint marker.
    pub body: String,
    /// The finding's fingerprint (also in the body's marker).
    #[serde(skip)]
    pub fingerprint: String,
}

/// Why a finding is not posted inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotInlineReason {
    /// The file is not part of the pull request's diff (or its patch is missing: binary or
    /// too large).
    FileNotInDiff,
    /// No line of the finding lies inside the file's diff hunks.
    OutsideHunks,
    /// The cap on inline comments was reached.
    OverCap,
}

impl NotInlineReason {
    /// A short phrase for the check-run summary.
    pub fn describe(self) -> &'static str {
        match self {
            NotInlineReason::FileNotInDiff => "file not in the diff",
            NotInlineReason::OutsideHunks => "outside the changed hunks",
            NotInlineReason::OverCap => "over the inline comment limit",
        }
    }
}

/// A finding that goes to the check run only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotInline {
    /// The finding.
    pub finding: Finding,
    /// Why it is not inline.
    pub reason: NotInlineReason,
}

/// The plan for one review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewPlan {
    /// Comments to post, highest severity first.
    pub comments: Vec<InlineComment>,
    /// Findings listed only in the check run.
    pub not_inline: Vec<NotInline>,
    /// Fingerprints of findings dropped because a comment for them is already on the PR.
    pub already_posted: Vec<String>,
}

/// Where a finding's comment goes: `(start_line, line)` on the RIGHT side, and whether the
/// suggestion fits that range.
fn place(f: &Finding, diff: &FileDiff) -> Option<(Option<usize>, usize, bool)> {
    if let Some(s) = &f.suggestion {
        let (a, b) = (s.span.start_line, s.span.end_line);
        let covers_anchor = a <= f.span.start_line && f.span.start_line <= b;
        if covers_anchor && diff.same_hunk(a, b) {
            return Some(((b > a).then_some(a), b, true));
        }
    }
    if diff.commentable(f.span.start_line, Side::Right) {
        return Some((None, f.span.start_line, false));
    }
    let last = f
        .span
        .end_line
        .min(f.span.start_line.saturating_add(MAX_ANCHOR_SEARCH_LINES));
    (f.span.start_line..=last)
        .find(|l| diff.commentable(*l, Side::Right))
        .map(|l| (None, l, false))
}

fn touches_added(f: &Finding, diff: &FileDiff) -> bool {
    let last = f
        .span
        .end_line
        .min(f.span.start_line.saturating_add(MAX_ANCHOR_SEARCH_LINES));
    (f.span.start_line..=last).any(|l| diff.is_added(l))
}

/// A finding that can be placed inline, with its anchor.
struct Candidate<'a> {
    finding: &'a Finding,
    start: Option<usize>,
    line: usize,
    with_suggestion: bool,
    on_added_line: bool,
}

impl ReviewPlan {
    /// Plans a review. `diffs` maps paths to their parsed `patch`; `posted` holds fingerprints
    /// found in the App's own comments already on the PR (see [`fingerprint_of`]); `titles` maps check
    /// ids to their titles for the comment heading.
    pub fn build(
        findings: &[Finding],
        diffs: &BTreeMap<String, FileDiff>,
        posted: &HashSet<String>,
        max_inline: usize,
        titles: &BTreeMap<String, String>,
    ) -> ReviewPlan {
        let mut plan = ReviewPlan::default();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        for f in findings {
            if posted.contains(&f.fingerprint) {
                plan.already_posted.push(f.fingerprint.clone());
                continue;
            }
            if !seen.insert(f.fingerprint.as_str()) {
                continue;
            }
            let Some(diff) = diffs.get(&f.path) else {
                plan.not_inline.push(NotInline {
                    finding: f.clone(),
                    reason: NotInlineReason::FileNotInDiff,
                });
                continue;
            };
            match place(f, diff) {
                Some((start, line, with_suggestion)) => candidates.push(Candidate {
                    finding: f,
                    start,
                    line,
                    with_suggestion,
                    on_added_line: touches_added(f, diff),
                }),
                None => plan.not_inline.push(NotInline {
                    finding: f.clone(),
                    reason: NotInlineReason::OutsideHunks,
                }),
            }
        }
        // Highest severity first; among equals, findings on lines this PR changed first.
        candidates.sort_by(|a, b| {
            b.finding
                .severity
                .cmp(&a.finding.severity)
                .then(b.on_added_line.cmp(&a.on_added_line))
                .then_with(|| a.finding.sort_key().cmp(&b.finding.sort_key()))
        });
        for (i, c) in candidates.into_iter().enumerate() {
            let Candidate {
                finding: f,
                start,
                line,
                with_suggestion,
                ..
            } = c;
            if i >= max_inline {
                plan.not_inline.push(NotInline {
                    finding: f.clone(),
                    reason: NotInlineReason::OverCap,
                });
                continue;
            }
            let title = titles.get(&f.check).map(String::as_str);
            plan.comments.push(InlineComment {
                path: f.path.clone(),
                line,
                side: Side::Right,
                start_line: start,
                start_side: start.map(|_| Side::Right),
                body: comment_body(f, title, with_suggestion),
                fingerprint: f.fingerprint.clone(),
            });
        }
        plan.not_inline.sort_by(|a, b| {
            b.finding
                .severity
                .cmp(&a.finding.severity)
                .then_with(|| a.finding.sort_key().cmp(&b.finding.sort_key()))
        });
        plan
    }
}

/// A fence longer than any backtick run in `text`, at least three backticks.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// The Markdown body of an inline comment: title, what the code does, the failure mode in
/// production, the fix, a ```suggestion block when `with_suggestion` (the comment range equals
/// the suggestion's lines), a "Learn more" link to the check's page, how to suppress, and the
/// hidden fingerprint marker.
pub fn comment_body(f: &Finding, title: Option<&str>, with_suggestion: bool) -> String {
    let mut b = String::new();
    let _ = write!(b, "**failmode · {}** ({})", f.check, f.severity);
    if let Some(t) = title {
        let _ = write!(b, " — {t}");
    }
    b.push_str("\n\n");
    let _ = writeln!(b, "{}\n", f.message);
    let _ = writeln!(b, "**In production:** {}\n", f.failure_mode);
    let _ = writeln!(b, "**Fix:** {}\n", f.fix);
    if let (true, Some(s)) = (with_suggestion, &f.suggestion) {
        let fence = fence_for(&s.replacement);
        let _ = writeln!(b, "Suggested change ({}):\n", s.description);
        let _ = writeln!(b, "{fence}suggestion\n{}\n{fence}\n", s.replacement);
    }
    let _ = writeln!(
        b,
        "[Learn more about `{}`]({})\n",
        f.check,
        check_docs_url(&f.check)
    );
    let _ = writeln!(b, "<sub>To suppress: {}</sub>\n", f.suppress);
    let _ = write!(b, "{FINGERPRINT_MARKER}{} -->", f.fingerprint);
    b
}

/// The fingerprint of a comment body failmode wrote: the marker that ends the body, which
/// [`comment_body`] always puts last. A marker anywhere else is not ours (it can only come
/// from quoted code, such as a suggestion), so it does not count. `None` when the body does not
/// end with a well-formed marker.
///
/// Only comments written by the App itself are read this way (`review/job.rs`): a marker in
/// anyone else's comment never counts either.
pub fn fingerprint_of(body: &str) -> Option<String> {
    let rest = body.trim_end().strip_suffix("-->")?;
    let start = rest.rfind(FINGERPRINT_MARKER)?;
    let fp = rest[start + FINGERPRINT_MARKER.len()..].trim();
    (!fp.is_empty()
        && fp.len() <= 128
        && fp
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| fp.to_string())
}

/// The check-run summary: counts by check and severity, the inline comments posted, the ones
/// GitHub `refused` (they are in the annotations), and every finding not placed inline. Kept
/// under GitHub's 65,535-character limit.
pub fn check_run_summary(
    findings: &[Finding],
    plan: &ReviewPlan,
    refused: &[InlineComment],
) -> String {
    let mut s = String::new();
    if findings.is_empty() {
        s.push_str("No findings. failmode found nothing that will hurt in production in the changed code.\n");
        return s;
    }
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for f in findings {
        let row = counts.entry(f.check.as_str()).or_insert([0; 3]);
        let col = match f.severity {
            Severity::High => 0,
            Severity::Medium => 1,
            Severity::Low => 2,
        };
        row[col] += 1;
    }
    s.push_str("| Check | High | Medium | Low |\n|---|---:|---:|---:|\n");
    let mut total = [0; 3];
    for (check, row) in &counts {
        let _ = writeln!(s, "| `{check}` | {} | {} | {} |", row[0], row[1], row[2]);
        for (t, n) in total.iter_mut().zip(row) {
            *t += n;
        }
    }
    let _ = writeln!(
        s,
        "| **Total** | {} | {} | {} |\n",
        total[0], total[1], total[2]
    );
    let posted = plan.comments.len().saturating_sub(refused.len());
    let _ = writeln!(
        s,
        "{posted} inline comment{} posted; {} already on the pull request.\n",
        if posted == 1 { "" } else { "s" },
        plan.already_posted.len()
    );
    if !refused.is_empty() {
        s.push_str("### Comments GitHub did not accept inline\n\nGitHub's view of the diff differs from failmode's for these; they are in the annotations instead.\n\n");
        for c in refused {
            let _ = writeln!(s, "- {} line {}", code_span(&c.path), c.line);
        }
        s.push('\n');
    }
    if !plan.not_inline.is_empty() {
        s.push_str("### Not placed inline\n\n");
        let footer_room = 200;
        for (i, n) in plan.not_inline.iter().enumerate() {
            let f = &n.finding;
            let line = format!(
                "- **{}** `{}` {}:{} — {} _({})_\n",
                f.severity,
                f.check,
                code_span(&f.path),
                f.span.start_line,
                f.message.replace('\n', " "),
                n.reason.describe()
            );
            if s.len() + line.len() + footer_room > MAX_BODY_CHARS {
                let _ = writeln!(
                    s,
                    "\n…and {} more (see the annotations).",
                    plan.not_inline.len() - i
                );
                break;
            }
            s.push_str(&line);
        }
    }
    s
}

/// One check-run annotation, shaped like an item of `output.annotations[]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Annotation {
    /// File path.
    pub path: String,
    /// First line.
    pub start_line: usize,
    /// Last line.
    pub end_line: usize,
    /// First column, only for single-line annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    /// End column, only for single-line annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    /// `failure`, `warning` or `notice`.
    pub annotation_level: &'static str,
    /// The message.
    pub message: String,
    /// Title (≤ 255 characters).
    pub title: String,
    /// Failure mode and fix.
    pub raw_details: String,
}

/// The annotation level for a severity.
pub fn annotation_level(s: Severity) -> &'static str {
    match s {
        Severity::High => "failure",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// Annotations for `findings`, in batches of at most 50 (one batch per request).
pub fn annotation_batches(findings: &[Finding]) -> Vec<Vec<Annotation>> {
    let all: Vec<Annotation> = findings
        .iter()
        .map(|f| {
            let single = f.span.start_line == f.span.end_line;
            let mut title = format!("failmode/{}", f.check);
            title.truncate(255);
            Annotation {
                path: f.path.clone(),
                start_line: f.span.start_line,
                end_line: f.span.end_line.max(f.span.start_line),
                start_column: single.then_some(f.span.start_col),
                end_column: single.then_some(f.span.end_col),
                annotation_level: annotation_level(f.severity),
                message: f.message.clone(),
                title,
                raw_details: format!(
                    "Failure mode: {}\nFix: {}\nSuppress: {}",
                    f.failure_mode, f.fix, f.suppress
                ),
            }
        })
        .collect();
    all.chunks(ANNOTATIONS_PER_REQUEST)
        .map(<[Annotation]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests;
