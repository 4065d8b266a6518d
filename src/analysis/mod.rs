//! The analysis engine: pure and synchronous. Files in, findings out. It imports nothing from
//! the GitHub, database or server modules, so the CLI and the App run exactly the same code.

pub mod channels;
pub mod check;
pub mod effects;
pub mod engine;
pub mod examples;
pub mod explain;
pub mod filters;
pub mod finding;
#[cfg(test)]
mod hostile_tests;
pub mod index;
pub mod language;
pub mod markup;
pub mod pattern;
pub mod repeats;
pub mod source;
pub mod suites;
pub mod suppress;
pub mod syntax;
pub mod walk_plan;

use crate::config::Config;
use check::CheckSet;
use engine::{GatedMatches, LineTrace, PendingMatch};
use explain::{ExplainTarget, Explanation};
use finding::{Finding, Severity, Span};
use index::{Manifests, RepoIndex};
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
    /// When set, the run also says what became of every rule match anchored on this line
    /// ([`Analysis::explanation`]).
    pub explain: Option<ExplainTarget>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            max_file_size: source::DEFAULT_MAX_FILE_SIZE,
            parse_budget: source::DEFAULT_PARSE_BUDGET,
            report_paths: None,
            explain: None,
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
    /// What became of the matches on [`AnalysisOptions::explain`]'s line, when it is set.
    pub explanation: Option<Explanation>,
}

/// One parsed file after its walk: what the rest of the run still needs from it.
///
/// Only the explained file keeps its tree until the index is complete. Every other tree is
/// freed as soon as its walk ends and the file is parsed again if it still has work: a tree
/// takes some twenty times its source's size, so holding the trees of every file with a
/// pending match made peak memory grow with the repository.
enum Walked {
    /// The file `--explain` asks about: kept, and its rules run with the query cursor once
    /// the index is complete.
    Explained(ParsedFile),
    /// Some matches need the complete index (or the file has suppression comments, which are
    /// read from its tree): the file (the input at this index) is parsed again and these
    /// matches checked (`None`: its rules run with the query cursor).
    Freed(usize, Option<Vec<PendingMatch>>),
    /// Every match waits on gates (see [`engine::PendingMatch::admitted`]): the file is
    /// parsed again only if the index admits one of its matches, which few do.
    Gated(usize, GatedMatches),
    /// Nothing left to check: the tree is freed; these are its suppression findings.
    Done(Vec<Finding>),
}

/// One input after its walk: its size in bytes, what is left to do with it and whether its
/// screening ran out of time, or why it was skipped.
type WalkResult = Result<(usize, Walked, Option<Skipped>), Skipped>;

/// One file's findings, and its skip entry when its checks ran out of time.
type Checked = (Vec<Finding>, Option<Skipped>);

/// The skip entry of a file whose checks stopped at the time budget (its findings until then
/// are kept).
fn out_of_time(file: &ParsedFile, budget: Duration) -> Option<Skipped> {
    file.checks_ran_out_of_time().then(|| Skipped {
        path: file.path.clone(),
        reason: SkipReason::CheckBudgetExceeded { budget },
    })
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

/// Adds what the end-to-end suites among `inputs` reach to the index (see [`suites`]), and,
/// when one of them drives a browser, what the frontend's sources request; a file that cannot
/// be read is reported as skipped.
fn add_suites(
    index: &mut RepoIndex,
    inputs: &[SourceInput],
    config: &Config,
    max_size: usize,
    skipped: &mut Vec<Skipped>,
) {
    let mut read = |input: &SourceInput| match input.bytes() {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => {
            skipped.push(Skipped {
                path: input.path.clone(),
                reason: SkipReason::Unreadable {
                    error: e.to_string(),
                },
            });
            None
        }
    };
    let mut browser = false;
    for input in inputs
        .iter()
        .filter(|i| i.size() <= max_size && suites::is_suite(&i.path, config))
    {
        if let Some(text) = read(input) {
            browser |= suites::drives_a_browser(&text);
            index.handlers.add_suite(suites::reach_of(&text));
        }
    }
    if !browser {
        return;
    }
    for input in inputs
        .iter()
        .filter(|i| i.size() <= max_size && suites::is_frontend_source(&i.path, config))
    {
        if let Some(text) = read(input) {
            index.handlers.add_suite(suites::frontend_reach_of(&text));
        }
    }
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
    let reportable = |p: &str| opts.report_paths.as_ref().is_none_or(|set| set.contains(p));
    // Each file is parsed and walked in one go, while its tree is still in cache. One walk
    // feeds both the repository index and the checks' pattern matcher; the matches that may
    // still become findings wait for the index to be complete. A file left with none is freed
    // at once, so memory holds only the trees that still have work.
    // Each thread merges the index parts of the files it walked, in input order; the merged
    // runs are then joined in input order too. Merging is associative (sets, maps whose later
    // entry wins, lists appended in order), so the index is the one a single thread would build.
    let (mut index, walked): (RepoIndex, Vec<WalkResult>) = inputs
        .par_iter()
        .enumerate()
        .filter_map(|(at, input)| {
            let result = source::load(input, opts.max_file_size, opts.parse_budget)?;
            tick();
            let file = match result {
                Ok(file) => file,
                Err(reason) => {
                    return Some(Err(Skipped {
                        path: input.path.clone(),
                        reason,
                    }))
                }
            };
            let nodes = NodeList::new(file.tree.root_node(), checks.walk_plan(file.language));
            let part = RepoIndex::collect_from(&file, &manifests, &nodes);
            let explained = opts.explain.as_ref().is_some_and(|t| t.path == file.path);
            let report = reportable(&file.path) || explained;
            let matches = if explained {
                // The query cursor finds every match again, including those the walk-time
                // screen would drop, so each one's first failing filter can be named.
                None
            } else if report {
                engine::find_matches(&file, checks, config, &manifests, &nodes, opts.parse_budget)
            } else {
                Some(Vec::new())
            };
            drop(nodes);
            let bytes = file.text.len();
            let screened_out_of_time = out_of_time(&file, opts.parse_budget);
            let walked = if explained {
                Walked::Explained(file)
            } else {
                match matches {
                    Some(m) if m.is_empty() => {
                        let mut findings = Vec::new();
                        if report {
                            apply_suppressions(&file, &mut findings, checks);
                        }
                        Walked::Done(findings)
                    }
                    // Suppression comments are read from the tree, so files with any are always
                    // checked again.
                    Some(m)
                        if m.iter().all(|m| !m.gates.is_empty())
                            && !file.text.contains("failmode:") =>
                    {
                        match GatedMatches::new(m) {
                            Ok(gated) => Walked::Gated(at, gated),
                            Err(m) => Walked::Freed(at, Some(m)),
                        }
                    }
                    matches => Walked::Freed(at, matches),
                }
            };
            // The kept file carries its own mark into the check phase.
            let screened_out_of_time = match walked {
                Walked::Explained(..) => None,
                _ => screened_out_of_time,
            };
            Some(Ok((part, bytes, walked, screened_out_of_time)))
        })
        .fold(
            || (RepoIndex::default(), Vec::new()),
            |(mut index, mut walked), result| {
                walked.push(result.map(|(part, bytes, w, late)| {
                    index.merge(part);
                    (bytes, w, late)
                }));
                (index, walked)
            },
        )
        .reduce(
            || (RepoIndex::default(), Vec::new()),
            |(mut index, mut walked), (later_index, later_walked)| {
                index.merge(later_index);
                walked.extend(later_walked);
                (index, walked)
            },
        );
    let mut explained = None;
    let mut freed = Vec::new();
    let mut gated = Vec::new();
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    let mut files_parsed = 0;
    let mut bytes_parsed = 0;
    for w in walked {
        match w {
            Ok((bytes, walked, late)) => {
                files_parsed += 1;
                bytes_parsed += bytes;
                skipped.extend(late);
                match walked {
                    Walked::Done(found) => findings.extend(found),
                    Walked::Explained(file) => explained = Some(file),
                    Walked::Freed(at, matches) => freed.push((at, matches)),
                    Walked::Gated(at, matches) => gated.push((at, matches)),
                }
            }
            Err(s) => skipped.push(s),
        }
    }
    index.manifests = manifests;
    add_suites(&mut index, inputs, config, opts.max_file_size, &mut skipped);
    index.finish();
    let check_file = |file: &ParsedFile, matches: Option<Vec<PendingMatch>>| {
        let mut found =
            engine::check_matches(file, checks, &index, config, opts.parse_budget, matches);
        apply_suppressions(file, &mut found, checks);
        (found, out_of_time(file, opts.parse_budget))
    };
    let explanation = opts.explain.as_ref().map(|target| match explained.take() {
        Some(file) => {
            let mut trace = LineTrace {
                line: target.line,
                matches: Vec::new(),
            };
            let mut found = engine::check_matches_traced(
                &file,
                checks,
                &index,
                config,
                opts.parse_budget,
                None,
                Some(&mut trace),
            );
            apply_suppressions(&file, &mut found, checks);
            let mut explanation = Explanation {
                matches: trace.matches,
                calls: explain::called_on_line(&file, target.line)
                    .into_iter()
                    .map(|(qualified, name)| {
                        let name = index.effects.known_name(&qualified, &name).to_string();
                        let known = index.effects.describe(&name);
                        (name, known)
                    })
                    .collect(),
                file_not_checked: if target.line > file.line_starts.len() {
                    Some(format!("the file has {} lines", file.line_starts.len()))
                } else {
                    (!engine::checks_file(&file, checks, config))
                        .then(|| why_not_checked(&target.path, inputs, &skipped))
                },
            };
            explanation.mark_suppressed(|check, line| {
                found
                    .iter()
                    .any(|f| f.check == check && f.span.start_line == line)
            });
            findings.extend(found);
            skipped.extend(out_of_time(&file, opts.parse_budget));
            explanation
        }
        None => Explanation {
            matches: Vec::new(),
            calls: Vec::new(),
            file_not_checked: Some(why_not_checked(&target.path, inputs, &skipped)),
        },
    });
    // Files whose tree was freed after the walk are parsed again (the same input parses to
    // the same tree, so the matches' positions still hold) when they have matches left: those
    // that need the complete index, and the gated ones the index admits. Each tree is freed
    // by the task that checked it, while it is still in cache. Should a parse now run out of
    // its time budget, the file is reported as skipped with that reason, never silently left
    // out.
    let mut again: Vec<(usize, Option<Vec<PendingMatch>>)> = freed
        .into_iter()
        .chain(gated.into_iter().filter_map(|(at, matches)| {
            let admitted = matches.admitted(&index);
            (!admitted.is_empty()).then_some((at, Some(admitted)))
        }))
        .collect();
    again.sort_unstable_by_key(|&(at, _)| at);
    let rechecked: Vec<Result<Checked, Skipped>> = again
        .into_par_iter()
        .filter_map(|(at, matches)| {
            let input = &inputs[at];
            Some(
                match source::load(input, opts.max_file_size, opts.parse_budget)? {
                    Ok(file) => {
                        let checked = check_file(&file, matches);
                        drop(file);
                        Ok(checked)
                    }
                    Err(reason) => Err(Skipped {
                        path: input.path.clone(),
                        reason,
                    }),
                },
            )
        })
        .collect();
    for result in rechecked {
        match result {
            Ok((found, late)) => {
                findings.extend(found);
                skipped.extend(late);
            }
            Err(s) => skipped.push(s),
        }
    }
    for s in skipped.iter_mut() {
        if config.is_excluded_everywhere(&s.path) {
            s.reason = SkipReason::Excluded;
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    suites::fold_uncovered(&mut findings, config);
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
    // A file that ran out of time both while screened and while checked is listed once.
    skipped.dedup();
    Analysis {
        files_parsed,
        bytes_parsed,
        findings,
        skipped,
        explanation,
    }
}

/// Why the file `path` had no check run on it, for `--explain`.
fn why_not_checked(path: &str, inputs: &[SourceInput], skipped: &[Skipped]) -> String {
    if let Some(s) = skipped.iter().find(|s| s.path == path) {
        return format!("the file was skipped: {}", s.reason);
    }
    if !inputs.iter().any(|i| i.path == path) {
        return "the file is not among the analysed files; give its path relative to the root, \
                as findings print it"
            .to_string();
    }
    if language::for_path(path).is_none() {
        return "no check is written for this file's language".to_string();
    }
    "no check runs on this file: it is test or dev-tool code, excluded in the config, or every \
     check is off for it"
        .to_string()
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
        // Each suppression comment is its own decision: none is folded into another.
        item: String::new(),
        repeats: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of `inputs` the slow way: every file parsed and kept, the index complete,
    /// then every rule run with tree-sitter's query cursor and every filter evaluated (no
    /// screening during the walk, no gates, no second parse).
    fn reference_findings(
        inputs: &[SourceInput],
        checks: &CheckSet,
        config: &Config,
    ) -> Vec<Finding> {
        let budget = Duration::from_secs(10);
        let mut manifests = Manifests::default();
        for i in inputs.iter().filter(|i| i.path.ends_with("Cargo.toml")) {
            manifests.add(i);
        }
        let files: Vec<ParsedFile> = inputs
            .iter()
            .filter_map(|i| source::load(i, usize::MAX, budget))
            .filter_map(Result::ok)
            .collect();
        let mut index = RepoIndex::default();
        for f in &files {
            index.merge(RepoIndex::collect(f, &manifests));
        }
        index.manifests = manifests;
        add_suites(&mut index, inputs, config, usize::MAX, &mut Vec::new());
        index.finish();
        let mut findings = Vec::new();
        for f in &files {
            let mut found = engine::check_matches(f, checks, &index, config, budget, None);
            apply_suppressions(f, &mut found, checks);
            findings.extend(found);
        }
        findings
    }

    #[test]
    fn the_one_walk_pipeline_finds_what_checking_everything_at_the_end_finds() {
        // `analyze` drops matches while walking, frees trees whose matches wait on a gate and
        // parses them again only when the index admits one: none of that may change a finding.
        let checks = CheckSet::embedded().expect("checks load");
        // Every check on, including those that ship off: each gate is exercised.
        let mut config = Config::default();
        for check in &checks.checks {
            config.checks.entry(check.id.clone()).or_default().enabled = Some(true);
        }
        let key = |f: &Finding| {
            (
                f.path.clone(),
                f.span.start_byte,
                f.check.clone(),
                f.rule.clone(),
                f.message.clone(),
            )
        };
        let mut compared = 0;
        for check in &checks.checks {
            for example in examples::examples_of(check) {
                let opts = AnalysisOptions {
                    parse_budget: Duration::from_secs(10),
                    ..AnalysisOptions::default()
                };
                let ours: BTreeSet<_> = analyze(&example.files, &config, checks, &opts)
                    .findings
                    .iter()
                    .map(key)
                    .collect();
                let theirs: BTreeSet<_> = reference_findings(&example.files, checks, &config)
                    .iter()
                    .map(key)
                    .collect();
                assert_eq!(ours, theirs, "{}", example.name);
                compared += ours.len();
            }
        }
        assert!(compared > 50, "only {compared} findings compared");
    }
}
