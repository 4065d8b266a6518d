//! The analysis engine: pure and synchronous. Files in, findings out. It imports nothing from
//! the GitHub, database or server modules, so the CLI and the App run exactly the same code.

pub mod check;
pub mod engine;
pub mod examples;
pub mod filters;
pub mod finding;
pub mod index;
pub mod language;
pub mod pattern;
pub mod source;
pub mod suppress;
pub mod syntax;

use crate::config::Config;
use check::CheckSet;
use finding::{Finding, Severity, Span};
use index::{Manifests, RepoIndex};
use pattern::PatternMatch;
use rayon::prelude::*;
use source::{ParsedFile, SkipReason, Skipped, SourceInput};
use std::collections::BTreeSet;
use std::time::Duration;
use syntax::NodeList;

/// Check id used for problems with suppression comments themselves.
pub const SUPPRESSION_CHECK: &str = "suppression";

/// Knobs for one analysis run.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Largest file analysed, in bytes.
    pub max_file_size: usize,
    /// Time one file may take to parse, and separately to run the checks.
    pub parse_budget: Duration,
    /// When set, only these paths are reported on; other inputs only feed the repository
    /// index (e.g. tests read by `untested-handler`).
    pub report_paths: Option<BTreeSet<String>>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            parse_budget: source::DEFAULT_PARSE_BUDGET,
            report_paths: None,
        }
    }
}

/// What one analysis run produced.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Findings, sorted by path, line, column and check.
    pub findings: Vec<Finding>,
    /// Files that were not analysed, with the reason.
    pub skipped: Vec<Skipped>,
    /// Number of source files parsed.
    pub files_parsed: usize,
    /// Bytes of source parsed.
    pub bytes_parsed: usize,
}

/// Analyses a set of files as one repository. Inputs in no supported language are ignored,
/// except `Cargo.toml` manifests, which feed the index.
pub fn analyze(
    inputs: &[SourceInput],
    config: &Config,
    checks: &CheckSet,
    opts: &AnalysisOptions,
) -> Analysis {
    analyze_with_progress(inputs, config, checks, opts, &|| {})
}

/// [`analyze`], calling `tick` once per source file as it is parsed (for progress bars).
pub fn analyze_with_progress(
    inputs: &[SourceInput],
    config: &Config,
    checks: &CheckSet,
    opts: &AnalysisOptions,
    tick: &(dyn Fn() + Sync),
) -> Analysis {
    let mut manifests = Manifests::default();
    for input in inputs
        .iter()
        .filter(|i| i.path == "Cargo.toml" || i.path.ends_with("/Cargo.toml"))
    {
        manifests.add(input);
    }
    let loaded: Vec<Result<ParsedFile, Skipped>> = inputs
        .par_iter()
        .filter_map(|input| {
            let result = source::load(input, opts.max_file_size, opts.parse_budget)?;
            tick();
            Some(result.map_err(|reason| Skipped {
                path: input.path.clone(),
                reason,
            }))
        })
        .collect();
    let mut parsed = Vec::new();
    let mut skipped = Vec::new();
    for file in loaded {
        match file {
            Ok(f) => parsed.push(f),
            Err(s) => skipped.push(s),
        }
    }
    let reportable = |p: &str| opts.report_paths.as_ref().is_none_or(|set| set.contains(p));
    // One walk per tree feeds both the repository index and the checks' pattern matcher; the
    // matches wait for the index to be complete before their filters run.
    let walked: Vec<(RepoIndex, Option<Vec<PatternMatch<'_>>>)> = parsed
        .par_iter()
        .map(|f| {
            let nodes = NodeList::new(f.tree.root_node());
            let part = RepoIndex::collect_from(f, &manifests, &nodes);
            let matches = if reportable(&f.path) {
                engine::find_matches(f, checks, config, &nodes, opts.parse_budget)
            } else {
                Some(Vec::new())
            };
            (part, matches)
        })
        .collect();
    let mut index = RepoIndex::default();
    let mut matches = Vec::with_capacity(walked.len());
    for (part, m) in walked {
        index.merge(part);
        matches.push(m);
    }
    index.manifests = manifests;
    index.finish();
    let mut findings: Vec<Finding> = parsed
        .par_iter()
        .zip(matches.into_par_iter())
        .flat_map_iter(|(f, m)| {
            if !reportable(&f.path) {
                return Vec::new();
            }
            let mut found = engine::check_matches(f, checks, &index, config, opts.parse_budget, m);
            apply_suppressions(f, &mut found, checks);
            found
        })
        .collect();
    let files_parsed = parsed.len();
    let bytes_parsed = parsed.iter().map(|f| f.text.len()).sum();
    // Freeing every tree on one thread costs as much as a quarter of the parse.
    parsed.into_par_iter().for_each(drop);
    for s in skipped.iter_mut() {
        if config.is_excluded_everywhere(&s.path) {
            s.reason = SkipReason::Excluded;
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut by_file: Vec<&mut [Finding]> = Vec::new();
    let mut rest: &mut [Finding] = &mut findings;
    while !rest.is_empty() {
        let path = rest[0].path.clone();
        let n = rest.iter().take_while(|f| f.path == path).count();
        let (head, tail) = rest.split_at_mut(n);
        by_file.push(head);
        rest = tail;
    }
    for group in by_file {
        engine::disambiguate_fingerprints(group);
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Analysis {
        files_parsed,
        bytes_parsed,
        findings,
        skipped,
    }
}

fn apply_suppressions(file: &ParsedFile, findings: &mut Vec<Finding>, checks: &CheckSet) {
    let (good, bad) = suppress::scan(file);
    let mut used = vec![false; good.len()];
    findings.retain(|f| {
        match good
            .iter()
            .position(|s| s.covers(&f.check, f.span.start_line))
        {
            Some(i) => {
                used[i] = true;
                false
            }
            None => true,
        }
    });
    let meta = |line: usize, col: usize, message: String, rule: &str| {
        Finding {
        check: SUPPRESSION_CHECK.to_string(),
        rule: rule.to_string(),
        severity: Severity::Low,
        path: file.path.clone(),
        span: Span {
            start_line: line,
            start_col: col,
            end_line: line,
            end_col: file.line(line).len() + 1,
            start_byte: file.line_starts.get(line - 1).copied().unwrap_or(0) + col - 1,
            end_byte: file.line_starts.get(line - 1).copied().unwrap_or(0) + file.line(line).len(),
        },
        code: file.line(line).trim().to_string(),
        message,
        failure_mode: "A suppression that is wrong or stale hides the next real finding on this line, or tells readers a risk was accepted when nobody decided that.".to_string(),
        fix: "Give a reason after `allow(..)`, name an existing check, or delete the comment if the code no longer needs it.".to_string(),
        suppress: "Fix or delete the suppression comment.".to_string(),
        suggestion: None,
        fingerprint: engine::fingerprint(SUPPRESSION_CHECK, &file.path, file.line(line)),
    }
    };
    for b in bad {
        findings.push(meta(b.line, b.col, b.message, "malformed"));
    }
    let known = checks.ids();
    for (s, used) in good.iter().zip(used) {
        if let Some(unknown) = s.checks.iter().find(|c| !known.contains(&c.as_str())) {
            findings.push(meta(
                s.line,
                s.col,
                format!(
                    "`{unknown}` is not a failmode check (known: {})",
                    known.join(", ")
                ),
                "unknown-check",
            ));
        } else if !used {
            findings.push(meta(
                s.line,
                s.col,
                format!(
                    "unused suppression: nothing on this line or the next is flagged by {}",
                    s.checks.join(", ")
                ),
                "unused",
            ));
        }
    }
}
