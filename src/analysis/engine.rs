//! Runs the compiled checks on one parsed file: the rules' pattern matches (found by failmode's
//! matcher on the walk the index makes, or by one tree-sitter query-cursor pass when a rule
//! needs query syntax the matcher does not cover), then each match's filters, then a finding
//! with its message, explanation, suggestion and fingerprint.

use super::check::{Check, CheckSet, LanguageQuery, Rule, Template};
use super::explain::{Explained, Outcome};
use super::filters::MatchCtx;
use super::finding::{append_sentence, Finding, Severity, Span, Suggestion};
use super::index::{Manifests, RepoIndex};
use super::pattern::{MatchScratch, PatternMatch};
use super::source::{FileRole, ParsedFile};
use super::syntax::{self, NodeList};
use crate::config::Config;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};
use streaming_iterator::StreamingIterator;

/// Most query matches looked at in one file; a hostile file cannot make the run explode.
const MATCH_LIMIT: u32 = 1 << 16;

/// The language query of `file` and which checks are enabled for it, or `None` when nothing is
/// checked in it (test files, excluded paths, no enabled check, a language without rules).
fn plan<'c>(
    file: &ParsedFile,
    checks: &'c CheckSet,
    config: &Config,
) -> Option<(&'c LanguageQuery, Vec<bool>)> {
    let lq = checks
        .queries
        .iter()
        .find(|q| q.language.name == file.language.name)?;
    if matches!(file.role, FileRole::Test | FileRole::DevTool)
        || config.is_excluded_everywhere(&file.path)
    {
        return None;
    }
    let enabled: Vec<bool> = checks
        .checks
        .iter()
        .map(|c| config.check_enabled(&c.id, c.enabled) && !config.is_excluded(&c.id, &file.path))
        .collect();
    enabled.iter().any(|e| *e).then_some((lq, enabled))
}

/// Whether any check runs on `file` (see [`check_matches`]): false for test and dev-tool files,
/// paths excluded everywhere, and files for which every check is off.
pub fn checks_file(file: &ParsedFile, checks: &CheckSet, config: &Config) -> bool {
    plan(file, checks, config).is_some()
}

/// Test code is never reported by rules that leave tests out; when no rule looks at tests,
/// patterns are not matched inside `#[cfg(test)]` modules and test functions at all.
fn skips_tests(checks: &CheckSet) -> bool {
    checks
        .checks
        .iter()
        .all(|c| c.rules.iter().all(|r| !r.include_tests))
}

/// A pattern match that passed every filter decidable before the repository index is complete,
/// kept as positions in its tree so it outlives the walk's node list (and the tree can be freed
/// at once when a file has none). Positions are preorder numbers, the numbering of
/// [`NodeList`] and of tree-sitter's `TreeCursor::goto_descendant`.
#[derive(Debug, Clone)]
pub struct PendingMatch {
    /// Index of the pattern (see [`PatternMatch::pattern`]).
    pub pattern: usize,
    /// Position of the node the pattern matched at.
    pub root: usize,
    /// Each capture: its name's index and its node's position (a gated file keeps tens of
    /// thousands of matches until the index is complete, so they are kept small: a file under
    /// the size limit has far fewer than `u32::MAX` nodes).
    pub captures: Box<[(u16, u32)]>,
    /// The index questions the match cannot pass without: the [`Gate`](super::filters::Gate)
    /// of each gated filter from the first filter that reads the index on. Empty when none of
    /// those filters has a gate.
    pub gates: Vec<GateCheck>,
}

impl PendingMatch {
    /// Whether the complete `index` may let this match pass: false when one of its gates says
    /// no, and then its file's tree is not needed for it.
    pub fn admitted(&self, index: &RepoIndex) -> bool {
        self.gates.iter().all(|g| g.admits(index))
    }
}

/// One match's [`Gate`](super::filters::Gate): the key recorded during the walk and the
/// question to ask the index.
#[derive(Debug, Clone)]
pub struct GateCheck {
    /// `Gate::admits`.
    pub admits: fn(&RepoIndex, &str) -> bool,
    /// What `Gate::key` returned for the match.
    pub key: String,
}

impl GateCheck {
    /// Whether the complete `index` admits this gate.
    pub fn admits(&self, index: &RepoIndex) -> bool {
        (self.admits)(index, &self.key)
    }
}

/// The matches of a file whose every match is gated, kept while its tree is freed until the
/// index is complete. A file can have tens of thousands of such matches and few are ever
/// admitted, so each distinct gate set is stored once and every match names its set.
#[derive(Debug)]
pub struct GatedMatches {
    /// The distinct gate sets, each sorted.
    sets: Vec<Vec<GateCheck>>,
    /// Each match, naming its set, in the order found.
    matches: Vec<WaitingMatch>,
}

/// A gated match while it waits for the index: a [`PendingMatch`] without its gates, in half
/// the memory (a tree of every check holds about a hundred thousand of them).
#[derive(Debug)]
struct WaitingMatch {
    /// Index of its gate set in [`GatedMatches::sets`].
    set: u32,
    /// [`PendingMatch::pattern`].
    pattern: u32,
    /// [`PendingMatch::root`].
    root: u32,
    /// [`PendingMatch::captures`].
    captures: Box<[(u16, u32)]>,
}

/// The order of gates in a set (their admitting function, then their key).
fn gate_order(a: &GateCheck, b: &GateCheck) -> std::cmp::Ordering {
    (a.admits as usize)
        .cmp(&(b.admits as usize))
        .then_with(|| a.key.cmp(&b.key))
}

/// The order of sorted gate sets, gate by gate.
fn set_order(a: &[GateCheck], b: &[GateCheck]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| gate_order(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

impl GatedMatches {
    /// Stores `matches`, each gate set once. Gives them back when one does not fit the compact
    /// form (a position past `u32::MAX`, which a file under the size limit never has).
    pub fn new(matches: Vec<PendingMatch>) -> Result<GatedMatches, Vec<PendingMatch>> {
        let fits = |n: usize| u32::try_from(n).is_ok();
        if !fits(matches.len()) || matches.iter().any(|m| !fits(m.pattern) || !fits(m.root)) {
            return Err(matches);
        }
        let compact = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let (mut gates, matches): (Vec<Vec<GateCheck>>, Vec<PendingMatch>) = matches
            .into_iter()
            .map(|mut m| {
                let mut set = std::mem::take(&mut m.gates);
                set.sort_unstable_by(gate_order);
                (set, m)
            })
            .unzip();
        let mut by_set: Vec<usize> = (0..gates.len()).collect();
        by_set.sort_unstable_by(|&a, &b| set_order(&gates[a], &gates[b]));
        let mut set_of = vec![0; gates.len()];
        let mut sets: Vec<Vec<GateCheck>> = Vec::new();
        for i in by_set {
            if sets
                .last()
                .is_none_or(|last| set_order(last, &gates[i]).is_ne())
            {
                // Gates are pushed one by one while a match is screened, so the vector has
                // room for four: most sets have one or two, and many sets are kept.
                let mut set = std::mem::take(&mut gates[i]);
                set.shrink_to_fit();
                sets.push(set);
            }
            set_of[i] = sets.len() - 1;
        }
        sets.shrink_to_fit();
        let matches = set_of
            .into_iter()
            .zip(matches)
            .map(|(set, m)| WaitingMatch {
                set: compact(set),
                pattern: compact(m.pattern),
                root: compact(m.root),
                captures: m.captures,
            })
            .collect();
        Ok(GatedMatches { sets, matches })
    }

    /// The matches whose every gate the complete `index` admits, in the order found.
    pub fn admitted(self, index: &RepoIndex) -> Vec<PendingMatch> {
        let admitted: Vec<bool> = self
            .sets
            .iter()
            .map(|set| set.iter().all(|g| g.admits(index)))
            .collect();
        self.matches
            .into_iter()
            .filter(|m| admitted[m.set as usize])
            .map(|m| PendingMatch {
                pattern: m.pattern as usize,
                root: m.root as usize,
                captures: m.captures,
                gates: Vec::new(),
            })
            .collect()
    }
}

/// What the walk-time screen decided about one match.
enum Screen {
    /// A filter rejected it without reading the index.
    Drop,
    /// It may pass; the filters must run again on the complete index.
    Keep,
    /// It may pass if the index admits it through every one of these gates.
    Gated(Vec<GateCheck>),
}

/// The checks' pattern matches in `file` that can still become findings, found on the node list
/// the repository index walks anyway (a lookup by node kind per node, instead of a second pass
/// with a query cursor). Each match's filters run here as far as they can without the index:
/// a match a filter rejects without reading the index is dropped, because the same filter would
/// reject it again once the index is complete (filters are pure functions of the match, the
/// file, the config and the index). The screen stops at the first filter that has a
/// [`Gate`](super::filters::Gate) (it is not run: its gate and the later filters' gates are
/// asked instead) or that reads the index. Everything else waits for [`check_matches`].
///
/// `None` when the language's patterns need tree-sitter's query cursor; see [`check_matches`].
/// The caller then keeps the file's tree. Stops at `budget`, marking the file
/// ([`ParsedFile::checks_ran_out_of_time`]).
pub fn find_matches(
    file: &ParsedFile,
    checks: &CheckSet,
    config: &Config,
    manifests: &Manifests,
    nodes: &NodeList<'_>,
    budget: Duration,
) -> Option<Vec<PendingMatch>> {
    let Some((lq, enabled)) = plan(file, checks, config) else {
        return Some(Vec::new());
    };
    let patterns = lq.patterns.as_ref()?;
    // The list must be walked by this query's plan, which lists every node a pattern can be
    // rooted at and keeps their positions; any other list sends the file to the query cursor.
    if !std::ptr::eq(nodes.plan(), &lq.walk) {
        return None;
    }
    let names = patterns.capture_names();
    let started = Instant::now();
    let tests = if skips_tests(checks) {
        file.test_ranges()
    } else {
        &[]
    };
    let text = file.text.as_bytes();
    let incomplete = RepoIndex::default();
    let mut next_test = 0;
    let mut raw = Vec::new();
    let mut scratch = MatchScratch::default();
    let mut found = Vec::new();
    let mut kept: Vec<KeptPrefix<'_>> = Vec::new();
    for (n, (at, i)) in nodes.roots().into_iter().enumerate() {
        // Often enough that one hostile root (thousands of matches, each costing its whole
        // function) cannot run far past the budget.
        if n % 16 == 15 && started.elapsed() > budget {
            file.mark_out_of_time();
            break;
        }
        let Some((_, node)) = nodes.node_at(at) else {
            continue;
        };
        let start = node.start_byte();
        while tests.get(next_test).is_some_and(|&(_, end)| end <= start) {
            next_test += 1;
        }
        if tests.get(next_test).is_some_and(|&(s, _)| s <= start) {
            continue;
        }
        raw.clear();
        kept.clear();
        patterns.match_at(nodes, at, text, &mut scratch, &mut raw);
        for m in raw.drain(..) {
            let Some(&(ci, ri)) = lq.owners.get(m.pattern) else {
                continue;
            };
            // Matches of disabled checks, and matches a filter rejects on its own, are dropped
            // at once, so they cost no memory until the index is complete.
            if !enabled[ci] {
                continue;
            }
            let check = &checks.checks[ci];
            let rule = &check.rules[ri];
            let captures = m
                .captures
                .iter()
                .map(|(c, n)| (names[usize::from(*c)].as_str(), *n))
                .collect();
            let mut ctx =
                MatchCtx::new(file, &incomplete, manifests, config, &check.data, captures);
            let shares = rule.shared_prefix.is_some() || !rule.prefix_kept_at.is_empty();
            let ids: Vec<(u16, usize)> = if shares {
                m.captures.iter().map(|(c, n)| (*c, n.id())).collect()
            } else {
                Vec::new()
            };
            // A rule that repeats an earlier rule's first filters starts where that rule's
            // screen of this same match left off.
            let mut from = 0;
            if let Some(shared) = rule.shared_prefix {
                let earlier = kept.iter().find(|k| {
                    k.check == ci && k.rule == shared.rule && k.len == shared.len && k.ids == ids
                });
                match earlier.map(|k| &k.state) {
                    Some(None) => continue,
                    Some(Some((vars, anchor))) => {
                        ctx.vars = vars.clone();
                        ctx.anchor = *anchor;
                        from = shared.len;
                    }
                    None => {}
                }
            }
            let mut states = Vec::new();
            let screened = screen(file, rule, &mut ctx, from, &mut states);
            kept.extend(states.into_iter().map(|(len, state)| KeptPrefix {
                check: ci,
                rule: ri,
                len,
                ids: ids.clone(),
                state,
            }));
            let gates = match screened {
                Screen::Drop => continue,
                Screen::Keep => Vec::new(),
                Screen::Gated(gates) => gates,
            };
            // Every captured node is in the list (a test pins positions for every node); were one
            // not, this file's rules run with the query cursor instead of losing the match.
            let captures = m
                .captures
                .iter()
                .map(|&(c, n)| Some((c, u32::try_from(nodes.position(n)?).ok()?)))
                .collect::<Option<Box<[_]>>>()?;
            found.push(PendingMatch {
                pattern: m.pattern,
                root: i,
                captures,
                gates,
            });
        }
    }
    Some(found)
}

/// The template variables and anchor a rule's first filters left on one match, or `None` when
/// one of them dropped it.
type PrefixState<'t> = Option<(BTreeMap<String, String>, Option<tree_sitter::Node<'t>>)>;

/// What screening the first `len` filters of rule `rule` of check `check` left on the match
/// whose captures are `ids` (capture name, node id), for a later rule that repeats them.
struct KeptPrefix<'t> {
    check: usize,
    rule: usize,
    len: usize,
    ids: Vec<(u16, usize)>,
    state: PrefixState<'t>,
}

/// Whether a match may still pass `rule`'s filters once the index is complete: dropped only
/// when a filter rejects it without having read the (incomplete) index in `ctx`. Filters run in
/// their written order because later ones may read template variables earlier ones set. From
/// the first filter that reads the index on, nothing more is evaluated; what can still be told
/// is the key of each gated filter from there to the end (keys depend on the tree alone, not on
/// variables): a filter whose key is `None` fails whatever the index says, so the match is
/// dropped, and the others' gates must all admit it once the index is complete.
///
/// Screening starts at filter `from` (the state before it already in `ctx`, see
/// [`SharedPrefix`](super::check::SharedPrefix)). For each length of `rule.prefix_kept_at` it
/// reaches without reading the index, the state after that many filters is added to `kept`.
fn screen<'t>(
    file: &ParsedFile,
    rule: &Rule,
    ctx: &mut MatchCtx<'_, 't>,
    from: usize,
    kept: &mut Vec<(usize, PrefixState<'t>)>,
) -> Screen {
    let dropped_at = |at: usize, kept: &mut Vec<(usize, PrefixState<'t>)>| {
        kept.extend(
            rule.prefix_kept_at
                .iter()
                .filter(|&&len| len > at)
                .map(|&len| (len, None)),
        );
        Screen::Drop
    };
    if from == 0 {
        let Some(anchor) = ctx.capture(&rule.anchor) else {
            return dropped_at(0, kept);
        };
        if !rule.include_tests && syntax::is_in_test_code(file, anchor) {
            return dropped_at(0, kept);
        }
    }
    for (at, filter) in rule.filters.iter().enumerate().skip(from) {
        if rule.prefix_kept_at.contains(&at) {
            kept.push((at, Some((ctx.vars.clone(), ctx.anchor))));
        }
        // A filter with a gate is not run during the walk: its gate says, once the index is
        // complete, whether it can pass, and the check phase runs every filter again anyway
        // (what it would answer on the incomplete index is thrown away).
        let gated = filter.gate().is_some();
        let passed = !gated && filter.eval(ctx);
        if gated || ctx.index_read() {
            let mut gates = Vec::new();
            for (gate, args) in rule.filters[at..].iter().filter_map(|f| f.gate()) {
                match (gate.key)(ctx, args) {
                    Some(key) => gates.push(GateCheck {
                        admits: gate.admits,
                        key,
                    }),
                    None => return Screen::Drop,
                }
            }
            return if gates.is_empty() {
                Screen::Keep
            } else {
                Screen::Gated(gates)
            };
        }
        if !passed {
            return dropped_at(at, kept);
        }
    }
    if rule.prefix_kept_at.contains(&rule.filters.len()) {
        kept.push((rule.filters.len(), Some((ctx.vars.clone(), ctx.anchor))));
    }
    Screen::Keep
}

/// The nodes of `matches`, found again in `file`'s tree by their positions.
fn resolve<'t>(file: &'t ParsedFile, matches: Vec<PendingMatch>) -> Vec<PatternMatch<'t>> {
    let mut wanted: Vec<usize> = matches
        .iter()
        .flat_map(|m| std::iter::once(m.root).chain(m.captures.iter().map(|&(_, at)| at as usize)))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let found = syntax::nodes_at(file.tree.root_node(), &wanted);
    let node_at = |position: usize| {
        wanted
            .binary_search(&position)
            .ok()
            .and_then(|i| found.get(i).copied().flatten())
    };
    matches
        .into_iter()
        .filter_map(|m| {
            Some(PatternMatch {
                pattern: m.pattern,
                root: node_at(m.root)?,
                captures: m
                    .captures
                    .iter()
                    .map(|&(c, at)| Some((c, node_at(at as usize)?)))
                    .collect::<Option<Vec<_>>>()?,
            })
        })
        .collect()
}

/// Runs the filters of each match and builds the findings of every enabled check on `file`
/// (none in test code or excluded paths; suppressions are applied by the caller). `matches`
/// comes from
/// [`find_matches`]; when it is `None`, the language's combined query is run here with
/// tree-sitter's query cursor instead.
pub fn check_matches(
    file: &ParsedFile,
    checks: &CheckSet,
    index: &RepoIndex,
    config: &Config,
    budget: Duration,
    matches: Option<Vec<PendingMatch>>,
) -> Vec<Finding> {
    check_matches_traced(file, checks, index, config, budget, matches, None)
}

/// [`check_matches`], also writing to `trace` what became of each match anchored on its line.
/// To see every match, pass `matches: None`: matches the walk-time screen dropped are then
/// found again by the query cursor.
pub fn check_matches_traced(
    file: &ParsedFile,
    checks: &CheckSet,
    index: &RepoIndex,
    config: &Config,
    budget: Duration,
    matches: Option<Vec<PendingMatch>>,
    mut trace: Option<&mut LineTrace>,
) -> Vec<Finding> {
    let Some((lq, enabled)) = plan(file, checks, config) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut take = |pattern: usize, captures: Vec<(&str, tree_sitter::Node<'_>)>| {
        collect_match(
            file,
            checks,
            index,
            config,
            lq,
            &enabled,
            pattern,
            captures,
            &mut seen,
            &mut findings,
            trace.as_deref_mut(),
        )
    };
    if let (Some(matches), Some(patterns)) = (matches, lq.patterns.as_ref()) {
        let names = patterns.capture_names();
        let admitted = matches.into_iter().filter(|m| m.admitted(index)).collect();
        let mut ordered = resolve(file, admitted);
        // By the root's position, then pattern: where two rules of a check match the same anchor,
        // the first wins, as with the cursor (the tests pin identical findings both ways).
        ordered.sort_by_key(|m| (m.root.start_byte(), m.pattern));
        let started = Instant::now();
        for (n, m) in ordered.into_iter().enumerate() {
            if n % 16 == 15 && started.elapsed() > budget {
                file.mark_out_of_time();
                break;
            }
            let captures = m
                .captures
                .iter()
                .map(|(c, n)| (names[usize::from(*c)].as_str(), *n))
                .collect();
            take(m.pattern, captures);
        }
        return findings;
    }
    let names = lq.query().capture_names();
    let mut cursor = tree_sitter::QueryCursor::new();
    cursor.set_match_limit(MATCH_LIMIT);
    let started = Instant::now();
    for range in query_ranges(file, skips_tests(checks)) {
        cursor.set_byte_range(range);
        let mut over_budget = |_: &tree_sitter::QueryCursorState| started.elapsed() > budget;
        let mut matches = cursor.matches_with_options(
            lq.query(),
            file.tree.root_node(),
            file.text.as_bytes(),
            tree_sitter::QueryCursorOptions::new().progress_callback(&mut over_budget),
        );
        let mut n = 0usize;
        while let Some(m) = matches.next() {
            n += 1;
            if n % 16 == 0 && started.elapsed() > budget {
                file.mark_out_of_time();
                break;
            }
            let captures = m
                .captures
                .iter()
                .map(|c| (names[c.index as usize], c.node))
                .collect();
            take(m.pattern_index, captures);
        }
    }
    // The cursor's progress callback stops it silently at the budget.
    if started.elapsed() > budget {
        file.mark_out_of_time();
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

/// Where [`collect_match`] writes what became of the matches anchored on one line
/// (`failmode check --explain`).
pub struct LineTrace {
    /// The 1-based line explained.
    pub line: usize,
    /// What became of each match anchored there.
    pub matches: Vec<Explained>,
}

/// Filters one query match and, when every filter holds, records its finding.
#[allow(clippy::too_many_arguments)]
fn collect_match(
    file: &ParsedFile,
    checks: &CheckSet,
    index: &RepoIndex,
    config: &Config,
    lq: &LanguageQuery,
    enabled: &[bool],
    pattern: usize,
    captures: Vec<(&str, tree_sitter::Node<'_>)>,
    seen: &mut HashSet<(usize, usize)>,
    findings: &mut Vec<Finding>,
    trace: Option<&mut LineTrace>,
) {
    let Some(&(ci, ri)) = lq.owners.get(pattern) else {
        return;
    };
    let check = &checks.checks[ci];
    let rule = &check.rules[ri];
    let Some(anchor) = captures
        .iter()
        .find(|(n, _)| *n == rule.anchor)
        .map(|(_, n)| *n)
    else {
        return;
    };
    let line = anchor.start_position().row + 1;
    let reported_before = findings.len();
    let outcome = 'outcome: {
        if !enabled[ci] {
            break 'outcome Outcome::CheckDisabled;
        }
        if seen.contains(&(ci, anchor.start_byte())) {
            break 'outcome Outcome::AlreadyReported;
        }
        if !rule.include_tests && syntax::is_in_test_code(file, anchor) {
            break 'outcome Outcome::InTestCode;
        }
        let mut ctx = MatchCtx::new(file, index, &index.manifests, config, &check.data, captures);
        if let Some(failed) = rule.filters.iter().find(|f| !f.eval(&mut ctx)) {
            // Most matches end here: the filter's text is copied only when a line is explained.
            let text = if trace.is_some() {
                failed.source.clone()
            } else {
                String::new()
            };
            break 'outcome Outcome::StoppedBy(text);
        }
        seen.insert((ci, anchor.start_byte()));
        let anchor = ctx.anchor.unwrap_or(anchor);
        let notes = holding_notes(rule, &mut ctx);
        findings.push(build_finding(
            file, check, rule, &ctx, anchor, config, &notes,
        ));
        Outcome::Reported
    };
    let Some(trace) = trace else {
        return;
    };
    let reported_on = findings[reported_before..]
        .first()
        .map(|f| f.span.start_line);
    if line == trace.line || reported_on == Some(trace.line) {
        trace.matches.push(Explained {
            check: check.id.clone(),
            rule: rule.id.clone(),
            line: reported_on.unwrap_or(line),
            outcome,
        });
    }
}

/// The notes of `rule` whose conditions all hold on a reported match, in order, each with the
/// variables as its filters left them (for its text only). `ctx` is left as it was: a note
/// cannot change the message, the severity or another note.
fn holding_notes(
    rule: &Rule,
    ctx: &mut MatchCtx<'_, '_>,
) -> Vec<(usize, BTreeMap<String, String>)> {
    let mut holding = Vec::new();
    for (i, note) in rule.notes.iter().enumerate() {
        let (vars, anchor) = (ctx.vars.clone(), ctx.anchor);
        if note.when.iter().all(|f| f.eval(ctx)) {
            holding.push((i, std::mem::replace(&mut ctx.vars, vars)));
        } else {
            ctx.vars = vars;
        }
        ctx.anchor = anchor;
    }
    holding
}

fn build_finding(
    file: &ParsedFile,
    check: &Check,
    rule: &Rule,
    ctx: &MatchCtx<'_, '_>,
    anchor: tree_sitter::Node<'_>,
    config: &Config,
    notes: &[(usize, BTreeMap<String, String>)],
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
        let body = s.with.render_code(value);
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
        message: {
            let mut message = render(&rule.message);
            for (i, vars) in notes {
                let text = rule.notes[*i]
                    .text
                    .render(|name| vars.get(name).cloned().or_else(|| value(name)));
                append_sentence(&mut message, &text);
            }
            message
        },
        failure_mode: render(rule.failure_mode.as_ref().unwrap_or(&Template {
            text: check.explain.failure_mode.clone(),
        })),
        fix: render(rule.fix.as_ref().unwrap_or(&Template {
            text: check.explain.fix.clone(),
        })),
        suppress: check.explain.suppress.replace("{check}", &check.id),
        suggestion,
        fingerprint,
        item,
        repeats: Vec::new(),
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
    use crate::analysis::source;

    fn admits_yes(_: &RepoIndex, key: &str) -> bool {
        key.starts_with("yes")
    }

    fn admits_never(_: &RepoIndex, _: &str) -> bool {
        false
    }

    type Admits = fn(&RepoIndex, &str) -> bool;

    fn gated(root: usize, gates: &[(Admits, &str)]) -> PendingMatch {
        PendingMatch {
            pattern: 0,
            root,
            captures: Box::new([(0, u32::try_from(root).expect("small"))]),
            gates: gates
                .iter()
                .map(|&(admits, key)| GateCheck {
                    admits,
                    key: key.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn gated_matches_keep_each_gate_set_once_and_admit_the_matches_whose_every_gate_passes() {
        let matches = vec![
            gated(1, &[(admits_yes, "yes-a")]),
            gated(2, &[(admits_yes, "no-b")]),
            gated(3, &[(admits_yes, "yes-a")]),
            // Both gates must admit it: one does not.
            gated(4, &[(admits_yes, "yes-a"), (admits_never, "yes-a")]),
            // The same set written in another order is the same set.
            gated(5, &[(admits_yes, "yes-c"), (admits_yes, "yes-a")]),
            gated(6, &[(admits_yes, "yes-a"), (admits_yes, "yes-c")]),
        ];
        let kept = GatedMatches::new(matches).expect("small positions fit");
        assert_eq!(kept.matches.len(), 6);
        assert_eq!(kept.sets.len(), 4, "{:?}", kept.sets);
        let admitted: Vec<usize> = kept
            .admitted(&RepoIndex::default())
            .iter()
            .map(|m| m.root)
            .collect();
        assert_eq!(admitted, vec![1, 3, 5, 6], "in the order found");
    }

    /// The findings of every file of `inputs`, found by failmode's matcher and by tree-sitter's
    /// query cursor.
    fn both_ways(inputs: &[source::SourceInput]) -> (Vec<Finding>, Vec<Finding>) {
        let checks = CheckSet::embedded().expect("checks load");
        // Every check, the ones off by default included.
        let mut config = Config::default();
        for c in &checks.checks {
            config.checks.entry(c.id.clone()).or_default().enabled = Some(true);
        }
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
        index.finish();
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for f in &files {
            let nodes = NodeList::new(f.tree.root_node(), checks.walk_plan(f.language));
            let matches = find_matches(f, checks, &config, &index.manifests, &nodes, budget);
            assert!(matches.is_some(), "the built-in rules use the matcher");
            ours.extend(check_matches(f, checks, &index, &config, budget, matches));
            theirs.extend(check_matches(f, checks, &index, &config, budget, None));
        }
        (ours, theirs)
    }

    #[test]
    fn the_matcher_finds_exactly_what_the_query_cursor_finds_on_every_example() {
        let checks = CheckSet::embedded().expect("checks load");
        let mut total = 0;
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                let (ours, theirs) = both_ways(&example.files);
                let key = |f: &Finding| {
                    (
                        f.path.clone(),
                        f.span.start_byte,
                        f.check.clone(),
                        f.rule.clone(),
                        f.message.clone(),
                    )
                };
                // The same findings; their order before `analysis` sorts them is not compared
                // (two rules whose matches nest may come out in either order).
                let mut ours: Vec<_> = ours.iter().map(key).collect();
                let mut theirs: Vec<_> = theirs.iter().map(key).collect();
                ours.sort();
                theirs.sort();
                assert_eq!(ours, theirs, "example {}", example.name);
                total += ours.len();
            }
        }
        assert!(total > 50, "only {total} findings compared");
    }

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

    #[test]
    fn checks_stop_at_their_budget_and_mark_the_file() {
        // Many candidates in one function: with no time left, screening and checking both stop
        // early and say so, instead of running to the end.
        let body: String = (0..200)
            .map(|i| format!("    client.post(\"http://x/{i}\").send().await?;\n"))
            .collect();
        let src = format!(
            "async fn handle(client: reqwest::Client) -> Result<(), reqwest::Error> {{\n{body}    Ok(())\n}}\n"
        );
        let checks = CheckSet::embedded().expect("checks load");
        let mut config = Config::default();
        for c in &checks.checks {
            config.checks.entry(c.id.clone()).or_default().enabled = Some(true);
        }
        let index = RepoIndex::default();
        let run = |budget: Duration| {
            let f = source::parse_rust_snippet("src/main.rs", &src);
            let nodes = NodeList::new(f.tree.root_node(), checks.walk_plan(f.language));
            let matches = find_matches(&f, checks, &config, &index.manifests, &nodes, budget)
                .expect("the built-in rules use the matcher");
            let screened = matches.len();
            let screened_late = f.checks_ran_out_of_time();
            let found = check_matches(&f, checks, &index, &config, budget, None).len();
            (screened, screened_late, found, f.checks_ran_out_of_time())
        };
        let (screened, late, found, checked_late) = run(Duration::from_secs(60));
        assert!(!late && !checked_late);
        assert!(
            screened >= 200 && found >= 200,
            "{screened} matches, {found} findings"
        );
        let (screened, late, found, checked_late) = run(Duration::ZERO);
        assert!(late && checked_late);
        assert!(
            screened < 16 && found < 16,
            "{screened} matches, {found} findings"
        );
    }
}
