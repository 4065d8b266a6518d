//! Runs the compiled checks on one parsed file: one query pass, then each match's filters, then
//! a finding with its message, explanation, suggestion and fingerprint.

use super::check::{Check, CheckSet, Rule, Template};
use super::filters::MatchCtx;
use super::finding::{Finding, Severity, Span, Suggestion};
use super::index::RepoIndex;
use super::source::{FileRole, ParsedFile};
use super::syntax;
use crate::config::Config;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};
use streaming_iterator::StreamingIterator;

/// Most query matches looked at in one file; a hostile file cannot make the run explode.
const MATCH_LIMIT: u32 = 1 << 16;

/// Runs every enabled check on `file`. Findings in test code and in excluded paths are left out;
/// suppressions are applied by the caller.
pub fn check_file(
    file: &ParsedFile,
    checks: &CheckSet,
    index: &RepoIndex,
    config: &Config,
    budget: Duration,
) -> Vec<Finding> {
    let Some(lq) = checks
        .queries
        .iter()
        .find(|q| q.language.name == file.language.name)
    else {
        return Vec::new();
    };
    if file.role == FileRole::Test || config.is_excluded_everywhere(&file.path) {
        return Vec::new();
    }
    let enabled: Vec<bool> = checks
        .checks
        .iter()
        .map(|c| config.check_enabled(&c.id) && !config.is_excluded(&c.id, &file.path))
        .collect();
    if !enabled.iter().any(|e| *e) {
        return Vec::new();
    }
    let names = lq.query.capture_names();
    let mut cursor = tree_sitter::QueryCursor::new();
    cursor.set_match_limit(MATCH_LIMIT);
    let started = Instant::now();
    let mut findings = Vec::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    // Test code is never reported by rules that leave tests out; when no rule looks at tests,
    // the query skips `#[cfg(test)]` modules and test functions altogether.
    let skip_tests = checks
        .checks
        .iter()
        .all(|c| c.rules.iter().all(|r| !r.include_tests));
    for range in query_ranges(file, skip_tests) {
        cursor.set_byte_range(range);
        let mut over_budget = |_: &tree_sitter::QueryCursorState| started.elapsed() > budget;
        let mut matches = cursor.matches_with_options(
            &lq.query,
            file.tree.root_node(),
            file.text.as_bytes(),
            tree_sitter::QueryCursorOptions::new().progress_callback(&mut over_budget),
        );
        while let Some(m) = matches.next() {
            collect_match(
                file,
                checks,
                index,
                config,
                lq,
                names,
                &enabled,
                m,
                &mut seen,
                &mut findings,
            );
        }
    }
    findings
}

/// The byte ranges the query runs over: the whole file, or the stretches between its test
/// items when test code is not looked at.
fn query_ranges(file: &ParsedFile, skip_tests: bool) -> Vec<std::ops::Range<usize>> {
    let whole = 0..file.text.len();
    if !skip_tests || file.test_ranges().is_empty() {
        return vec![whole];
    }
    let mut ranges = Vec::new();
    let mut at = 0;
    for &(start, end) in file.test_ranges() {
        if start > at {
            ranges.push(at..start);
        }
        at = at.max(end);
    }
    if at < file.text.len() {
        ranges.push(at..file.text.len());
    }
    ranges
}

/// Filters one query match and, when every filter holds, records its finding.
#[allow(clippy::too_many_arguments)]
fn collect_match(
    file: &ParsedFile,
    checks: &CheckSet,
    index: &RepoIndex,
    config: &Config,
    lq: &super::check::LanguageQuery,
    names: &[&str],
    enabled: &[bool],
    m: &tree_sitter::QueryMatch<'_, '_>,
    seen: &mut HashSet<(usize, usize)>,
    findings: &mut Vec<Finding>,
) {
    let Some(&(ci, ri)) = lq.owners.get(m.pattern_index) else {
        return;
    };
    if !enabled[ci] {
        return;
    }
    let check = &checks.checks[ci];
    let rule = &check.rules[ri];
    let captures: Vec<(&str, tree_sitter::Node<'_>)> = m
        .captures
        .iter()
        .map(|c| (names[c.index as usize], c.node))
        .collect();
    let Some(anchor) = captures
        .iter()
        .find(|(n, _)| *n == rule.anchor)
        .map(|(_, n)| *n)
    else {
        return;
    };
    if seen.contains(&(ci, anchor.start_byte())) {
        return;
    }
    if !rule.include_tests && syntax::is_in_test_code(file, anchor) {
        return;
    }
    let mut ctx = MatchCtx {
        file,
        index,
        config,
        data: &check.data,
        captures,
        vars: BTreeMap::new(),
    };
    if !rule.filters.iter().all(|f| f.eval(&mut ctx)) {
        return;
    }
    seen.insert((ci, anchor.start_byte()));
    findings.push(build_finding(file, check, rule, &ctx, anchor, config));
}

fn build_finding(
    file: &ParsedFile,
    check: &Check,
    rule: &Rule,
    ctx: &MatchCtx<'_, '_>,
    anchor: tree_sitter::Node<'_>,
    config: &Config,
) -> Finding {
    let code_node = ctx.capture(&rule.code).unwrap_or(anchor);
    let code = syntax::abbreviate(file, code_node);
    let indent: String = file
        .line(anchor.start_position().row + 1)
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let value = |name: &str| -> Option<String> {
        if let Some(v) = ctx.vars.get(name) {
            return Some(v.clone());
        }
        match name {
            "check" => return Some(check.id.clone()),
            "title" => return Some(check.title.clone()),
            "indent" => return Some(indent.clone()),
            "path" => return Some(file.path.clone()),
            _ => {}
        }
        if let Some(cap) = name.strip_suffix(".full") {
            return ctx.capture(cap).map(|n| file.node_text(n).to_string());
        }
        ctx.capture(name).map(|n| syntax::abbreviate(file, n))
    };
    let render = |t: &Template| t.render(value);
    let mut severity = ctx
        .vars
        .get("severity")
        .and_then(|s| s.parse::<Severity>().ok())
        .or(rule.severity)
        .unwrap_or(check.severity);
    if matches!(file.role, FileRole::Example | FileRole::BuildScript) {
        severity = Severity::Low;
    }
    if let Some(s) = config.severity_override(&check.id) {
        severity = s;
    }
    let suggestion = rule.suggestion.as_ref().and_then(|s| {
        let node = ctx.capture(&s.replace)?;
        let first = node.start_position().row + 1;
        let last = node.end_position().row + 1;
        let start_byte = *file.line_starts.get(first - 1)?;
        let end_line_start = *file.line_starts.get(last - 1)?;
        let end_byte = end_line_start + file.line(last).len();
        let prefix = file.text.get(start_byte..node.start_byte())?;
        let suffix = file.text.get(node.end_byte()..end_byte)?;
        let body = render(&s.with);
        let body = body.trim_end_matches('\n');
        let replacement = format!("{prefix}{body}{suffix}");
        let span = Span {
            start_line: first,
            start_col: 1,
            end_line: last,
            end_col: file.line(last).len() + 1,
            start_byte,
            end_byte,
        };
        Some(Suggestion {
            description: s.description.clone(),
            span,
            replacement,
        })
    });
    let item = syntax::item_path(file, anchor);
    let fingerprint = fingerprint(&check.id, &item, file.node_text(code_node));
    Finding {
        check: check.id.clone(),
        rule: rule.id.clone(),
        severity,
        path: file.path.clone(),
        span: Span::of(anchor),
        code,
        message: render(&rule.message),
        failure_mode: render(rule.failure_mode.as_ref().unwrap_or(&Template {
            text: check.explain.failure_mode.clone(),
        })),
        fix: render(rule.fix.as_ref().unwrap_or(&Template {
            text: check.explain.fix.clone(),
        })),
        suppress: check.explain.suppress.replace("{check}", &check.id),
        suggestion,
        fingerprint,
    }
}

/// The structural fingerprint: check id + enclosing item path + normalised code. Line numbers
/// and formatting do not enter it, so it survives code moving around.
pub fn fingerprint(check: &str, item_path: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(check.as_bytes());
    h.update([0]);
    h.update(item_path.as_bytes());
    h.update([0]);
    h.update(syntax::normalize(code).as_bytes());
    hex::encode(&h.finalize()[..10])
}

/// Makes fingerprints unique within a file: the n-th identical (check, item, code) gets `-n`.
pub fn disambiguate_fingerprints(findings: &mut [Finding]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings.iter_mut() {
        let n = counts.entry(f.fingerprint.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.fingerprint = format!("{}-{}", f.fingerprint, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_skips_test_items_only_when_asked() {
        let src =
            "fn a() {}\n#[cfg(test)]\nmod tests { fn t() {} }\nfn b() {}\n#[test]\nfn c() {}\n";
        let f = crate::analysis::source::parse_rust_snippet("src/a.rs", src);
        let tests_mod = src.find("#[cfg(test)]").unwrap();
        let ranges = query_ranges(&f, true);
        let texts: Vec<&str> = ranges.iter().map(|r| src[r.clone()].trim()).collect();
        assert_eq!(
            texts,
            ["fn a() {}\n#[cfg(test)]", "fn b() {}\n#[test]", ""],
            "{ranges:?}"
        );
        assert!(
            ranges[0].end > tests_mod,
            "attributes stay outside the skipped item"
        );
        assert_eq!(query_ranges(&f, false), vec![0..src.len()]);
    }
}
