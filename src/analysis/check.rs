//! Checks as data: each `checks/<id>/check.toml` is parsed, its queries compiled and its filters
//! and templates validated when loaded. A broken check file is a load error (and so a test
//! failure), never a silently skipped rule. The built-in checks' queries are compiled by
//! tree-sitter in the tests rather than on every run (see `QueryShape::of_embedded`); a
//! repository's own checks are compiled when they load.
//!
//! All rules of all enabled checks for one language are compiled into a single tree-sitter
//! query, so each file is walked once whatever the number of checks.

use super::filters::{lookup, FilterExpr};
use super::finding::Severity;
use super::index;
use super::language::{self, Language};
use super::markup;
use super::pattern::PatternSet;
use super::walk_plan::WalkPlan;
use serde::Deserialize;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/embedded_checks.rs"));

/// A problem in a check file. Names the file and what to change.
#[derive(Debug, Clone, thiserror::Error)]
#[error("checks/{path}: {message}")]
pub struct CheckLoadError {
    /// File path relative to `checks/`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The named lists in a check's `[data]` table (method names, crate prefixes, keywords, ...).
#[derive(Debug, Clone, Default)]
pub struct CheckData {
    /// List name → entries.
    pub lists: BTreeMap<String, Vec<String>>,
    /// List name → its entries as a set, and the first value of each key of its `key:value`
    /// entries: filters ask "is this method in the list?" for every call they look at.
    index: rustc_hash::FxHashMap<String, ListIndex>,
}

/// One list of a [`CheckData`], indexed for membership and key lookups.
#[derive(Debug, Clone, Default)]
pub struct ListIndex {
    entries: rustc_hash::FxHashSet<String>,
    /// Key → (position of its first `key:value` entry, value).
    keyed: rustc_hash::FxHashMap<String, (usize, String)>,
}

impl ListIndex {
    /// Whether the list has the entry `value`.
    pub fn contains(&self, value: &str) -> bool {
        self.entries.contains(value)
    }
}

impl CheckData {
    /// The data table of a check, indexed.
    pub fn new(lists: BTreeMap<String, Vec<String>>) -> CheckData {
        let index = lists
            .iter()
            .map(|(name, entries)| {
                let mut list = ListIndex::default();
                for (at, e) in entries.iter().enumerate() {
                    list.entries.insert(e.clone());
                    if let Some((k, v)) = e.split_once(':') {
                        list.keyed
                            .entry(k.to_string())
                            .or_insert_with(|| (at, v.to_string()));
                    }
                }
                (name.clone(), list)
            })
            .collect();
        CheckData { lists, index }
    }

    /// The entries of list `name` (empty for a list the check does not have).
    pub fn list(&self, name: &str) -> &[String] {
        self.lists.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// List `name`, indexed (`None` for a list the check does not have): for many lookups in
    /// one list.
    pub fn indexed(&self, name: &str) -> Option<&ListIndex> {
        self.index.get(name)
    }

    /// Whether list `name` has the entry `value`.
    pub fn contains(&self, name: &str, value: &str) -> bool {
        self.index
            .get(name)
            .is_some_and(|l| l.entries.contains(value))
    }

    /// The value of the first `key:value` entry of list `name` whose key is `key`.
    pub fn value_of(&self, name: &str, key: &str) -> Option<&str> {
        self.index
            .get(name)?
            .keyed
            .get(key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the first `key:value` entry of list `name` (in list order) whose key is
    /// one of `keys`.
    pub fn first_value_of<'k>(
        &self,
        name: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Option<&str> {
        let list = self.index.get(name)?;
        keys.into_iter()
            .filter_map(|k| list.keyed.get(k))
            .min_by_key(|(at, _)| *at)
            .map(|(_, v)| v.as_str())
    }
}

/// The reviewer's explanation attached to every finding of a check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// What happens in production (template).
    pub failure_mode: String,
    /// How to fix it (template).
    pub fix: String,
    /// How to suppress it.
    pub suppress: String,
}

/// A message template: text with `{name}` placeholders filled from captures and filter vars.
#[derive(Debug, Clone)]
pub struct Template {
    /// The raw template text.
    pub text: String,
}

impl Template {
    /// The placeholder names used in the template. `{{` and `}}` are literal braces.
    pub fn placeholders(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(i) = rest.find('{') {
            if rest[i..].starts_with("{{") {
                rest = &rest[i + 2..];
                continue;
            }
            let Some(j) = rest[i..].find('}') else { break };
            out.push(rest[i + 1..i + j].to_string());
            rest = &rest[i + j + 1..];
        }
        out
    }

    /// Fills the template. `value` returns the text for a placeholder name.
    ///
    /// Values come from the code under review, so they are made inert for Markdown
    /// (`markup.rs`): a template code span holding placeholders (`` `{call}` ``,
    /// `` `.{adapter}(..)` ``) is rendered as one safe code span, and a placeholder in prose
    /// is escaped. The template's own text is trusted and kept as written.
    pub fn render(&self, value: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::with_capacity(self.text.len());
        for (is_code, segment) in code_segments(&self.text) {
            if is_code && has_placeholder(segment) {
                out.push_str(&markup::code_span(&fill(segment, &value)));
            } else if is_code {
                out.push('`');
                out.push_str(&fill(segment, &|_| None));
                out.push('`');
            } else {
                out.push_str(&fill(segment, &|name| {
                    value(name).map(|v| markup::inert_text(&v))
                }));
            }
        }
        out
    }

    /// Fills the template with the values as they are, for code that goes into a fenced
    /// suggestion block (its fence is made longer than any backtick run in the code), never
    /// into prose.
    pub fn render_code(&self, value: impl Fn(&str) -> Option<String>) -> String {
        fill(&self.text, &value)
    }
}

/// Splits template text into prose and single-backtick code spans, in order; `true` marks a
/// code span (without its backticks). An unmatched backtick stays prose.
fn code_segments(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        out.push((true, &rest[open + 1..open + 1 + len]));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// Whether `text` has a `{name}` placeholder (not just `{{`/`}}` braces).
fn has_placeholder(text: &str) -> bool {
    text.replace("{{", "").contains('{')
}

/// Replaces `{name}` placeholders in `text` with `value(name)` (kept as written when it has
/// none); `{{` and `}}` are literal braces.
fn fill(text: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(j) => {
                let name = &tail[1..j];
                out.push_str(&value(name).unwrap_or_else(|| format!("{{{name}}}")));
                rest = &tail[j + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A machine-applicable replacement: the lines of capture `replace` become `with`.
#[derive(Debug, Clone)]
pub struct SuggestionTemplate {
    /// Capture whose lines are replaced.
    pub replace: String,
    /// Replacement template; `{indent}` is the first line's indentation.
    pub with: Template,
    /// What the replacement does.
    pub description: String,
}

/// One query of a check with its filters and message.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Rule id, unique within the check.
    pub id: String,
    /// The language the query is written for.
    pub language: &'static Language,
    /// The query text.
    pub query: String,
    /// How many patterns the query holds (counted when the rule is loaded, so the combined
    /// query's pattern owners need no second compile).
    pub pattern_count: usize,
    /// Capture whose start line anchors the finding.
    pub anchor: String,
    /// Capture naming "the specific code" (defaults to the anchor).
    pub code: String,
    /// Constraints that must all hold.
    pub filters: Vec<FilterExpr>,
    /// One-line message template.
    pub message: Template,
    /// Overrides the check's failure mode.
    pub failure_mode: Option<Template>,
    /// Overrides the check's fix.
    pub fix: Option<Template>,
    /// Overrides the check's severity.
    pub severity: Option<Severity>,
    /// A mechanical fix, when there is one.
    pub suggestion: Option<SuggestionTemplate>,
    /// Report matches inside test code too (off by default, per the scope rules).
    pub include_tests: bool,
    /// The check's notes, read against this rule's captures: sentences added to the message of
    /// a finding of this rule when their conditions hold.
    pub notes: Vec<Note>,
    /// An earlier rule of the same check whose first filters this rule repeats (see
    /// [`SharedPrefix`]); computed when the check is loaded.
    pub shared_prefix: Option<SharedPrefix>,
    /// The lengths of this rule's filter prefix that later rules repeat: the engine keeps the
    /// state after each, for them to start from.
    pub prefix_kept_at: Vec<usize>,
}

/// A sentence a check adds to a finding's message when more is true of it than the rule
/// asked (`[[notes]]` in `check.toml`): `missing-retry` says what must come before a retry when
/// the call is not idempotent. Notes never decide whether a match is reported.
#[derive(Debug, Clone)]
pub struct Note {
    /// Conditions that must all hold, written as a rule's `filters` are. Variables they set
    /// are seen by `text` only: the message, severity and other notes keep the rule's.
    pub when: Vec<FilterExpr>,
    /// The sentence, a template like a rule's `message`; joined to the message with a space.
    pub text: Template,
}

/// Rules of one check often share a query and their first filters (the same statement
/// screened for a write, then asked three different questions). On one match those filters
/// give the same answers and set the same template variables in every such rule, so the
/// engine evaluates them once: the later rule starts from the state `rule` had after its first
/// `len` filters, or drops the match when `rule` dropped it within them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedPrefix {
    /// The index, in its check, of the earlier rule.
    pub rule: usize,
    /// How many leading filters the two rules write identically (at least one).
    pub len: usize,
}

/// Links each rule to the earlier rule of `rules` with the same query, anchor and test scope
/// that shares the longest filter prefix with it (the first such rule on a tie).
fn link_shared_prefixes(rules: &mut [Rule]) {
    for r in 0..rules.len() {
        let mut best: Option<SharedPrefix> = None;
        for q in 0..r {
            let (a, b) = (&rules[q], &rules[r]);
            if a.query != b.query
                || a.anchor != b.anchor
                || a.include_tests != b.include_tests
                || a.language.name != b.language.name
            {
                continue;
            }
            let len = a
                .filters
                .iter()
                .zip(&b.filters)
                .take_while(|(x, y)| x.source == y.source)
                .count();
            if len > 0 && best.is_none_or(|s| len > s.len) {
                best = Some(SharedPrefix { rule: q, len });
            }
        }
        rules[r].shared_prefix = best;
        if let Some(s) = best {
            let kept = &mut rules[s.rule].prefix_kept_at;
            if !kept.contains(&s.len) {
                kept.push(s.len);
            }
        }
    }
}

/// A check: metadata, explanation, data lists and rules.
#[derive(Debug, Clone)]
pub struct Check {
    /// The id users see and configure, e.g. `missing-retry`.
    pub id: String,
    /// Short title, e.g. "No retry on a transient failure".
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// Whether the check runs when a repository's config does not say (`enabled` in
    /// `check.toml`, default true). A check whose sampled precision on real code is below 0.9
    /// ships off; `[checks.<id>] enabled = true` turns it on.
    pub enabled: bool,
    /// One sentence on what the check flags (SARIF `shortDescription`, docs).
    pub summary: String,
    /// The reviewer's explanation.
    pub explain: Explanation,
    /// Named lists filters read.
    pub data: CheckData,
    /// The rules.
    pub rules: Vec<Rule>,
    /// Example files: (path relative to `checks/<id>/`, contents).
    pub examples: Vec<(String, String)>,
}

/// The compiled query for one language: every rule's patterns, and which rule each came from.
#[derive(Debug)]
pub struct LanguageQuery {
    /// The language.
    pub language: &'static Language,
    /// The text of one query holding the patterns of all rules for this language.
    query_text: String,
    /// That query compiled: at load time when `patterns` is `None` (every file then needs it),
    /// else on first use (`failmode explain`), since failmode's own matcher does the scan.
    query: OnceLock<tree_sitter::Query>,
    /// For each pattern index of `query`: (check index, rule index).
    pub owners: Vec<(usize, usize)>,
    /// The same patterns for failmode's own matcher, which runs during the walk the index
    /// makes anyway; `None` when they use query syntax it does not cover, and the engine then
    /// runs `query` with tree-sitter's cursor.
    pub patterns: Option<PatternSet>,
    /// What the one walk over each file lists: the index's kinds and the roots of `patterns`.
    pub walk: WalkPlan,
}

/// All checks, compiled.
#[derive(Debug)]
pub struct CheckSet {
    /// The checks, in id order.
    pub checks: Vec<Check>,
    /// One compiled query per language that has rules.
    pub queries: Vec<LanguageQuery>,
}

/// Where a repository keeps its own checks, relative to its root: `<id>/check.toml` and
/// `<id>/examples/...`, as under this repository's `checks/`. The App reads them from the base
/// branch, so a pull request cannot change the checks it is reviewed with.
pub const REPOSITORY_CHECKS_DIR: &str = ".github/failmode/checks";
/// Most files read from a repository's checks folder (checks and their examples).
pub const MAX_REPOSITORY_CHECK_FILES: usize = 500;
/// Most checks a repository may add (the App reads one file per check at each review).
pub const MAX_REPOSITORY_CHECKS: usize = 100;
/// Most bytes read from a repository's checks folder, all files together.
pub const MAX_REPOSITORY_CHECK_BYTES: usize = 2 * 1024 * 1024;

/// A problem in one of a repository's own checks. Names the file and what to change.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RepositoryCheckError {
    /// The file, relative to the repository root.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The checks one run uses: the built-in ones, or those plus a repository's own. Cheap to
/// clone, and usable across threads.
#[derive(Debug, Clone)]
pub enum RunChecks {
    /// Only the checks compiled into the binary.
    Builtin(&'static CheckSet),
    /// The built-in checks and a repository's own.
    WithRepository(std::sync::Arc<CheckSet>),
}

impl std::ops::Deref for RunChecks {
    type Target = CheckSet;
    fn deref(&self) -> &CheckSet {
        match self {
            RunChecks::Builtin(set) => set,
            RunChecks::WithRepository(set) => set,
        }
    }
}

impl RunChecks {
    /// The built-in checks plus a repository's own, from `files` (paths relative to
    /// [`REPOSITORY_CHECKS_DIR`]); just the built-in ones when there are none. A repository's
    /// checks use the built-in vocabulary (extended in `.github/failmode.toml`), and cannot
    /// take a built-in check's id.
    pub fn for_repository(files: Vec<(String, String)>) -> Result<RunChecks, RepositoryCheckError> {
        let at = |path: &str, message: String| RepositoryCheckError {
            path: format!("{REPOSITORY_CHECKS_DIR}/{path}"),
            message,
        };
        let builtin = CheckSet::embedded().map_err(|e| RepositoryCheckError {
            path: format!("checks/{}", e.path),
            message: format!("{}; this is a bug in failmode, please report it", e.message),
        })?;
        if files.is_empty() {
            return Ok(RunChecks::Builtin(builtin));
        }
        let mut ids = BTreeSet::new();
        for (path, _) in &files {
            if path.starts_with("vocabulary/") {
                return Err(at(
                    path,
                    "a repository adds to the vocabulary in `.github/failmode.toml` (`[vocabulary]`), not with a vocabulary file".to_string(),
                ));
            }
            let id = path.split('/').next().unwrap_or_default();
            if builtin.get(id).is_some() {
                return Err(at(
                    path,
                    format!(
                        "`{id}` is a built-in check; give your check another id (and folder name)"
                    ),
                ));
            }
            ids.insert(id.to_string());
        }
        if ids.len() > MAX_REPOSITORY_CHECKS {
            return Err(at(
                "",
                format!(
                    "{} checks, more than the {MAX_REPOSITORY_CHECKS} failmode reads; merge some",
                    ids.len()
                ),
            ));
        }
        let all = EMBEDDED_CHECK_FILES
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .chain(files);
        CheckSet::from_files(all)
            .map(|set| RunChecks::WithRepository(std::sync::Arc::new(set)))
            .map_err(|e| {
                let id = e.path.split('/').next().unwrap_or_default();
                if ids.contains(id) {
                    at(&e.path, e.message)
                } else {
                    // A rule of the repository's broke a query shared with the built-in rules.
                    at("", format!("{}: {}", e.path, e.message))
                }
            })
    }

    /// The repository's own checks (none for [`RunChecks::Builtin`]).
    pub fn repository_checks(&self) -> Vec<&Check> {
        let builtin = match CheckSet::embedded() {
            Ok(set) => set,
            Err(_) => return Vec::new(),
        };
        self.checks
            .iter()
            .filter(|c| builtin.get(&c.id).is_none())
            .collect()
    }
}

/// The default of `enabled` in a `check.toml`.
fn on() -> bool {
    true
}

/// Template placeholders every rule may use besides captures and filter variables.
pub const BUILTIN_VARS: &[&str] = &["check", "title", "indent", "path"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    title: String,
    severity: String,
    #[serde(default = "on")]
    enabled: bool,
    summary: String,
    languages: Vec<String>,
    explain: Explanation,
    #[serde(default)]
    data: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    notes: Vec<NoteFile>,
    rules: Vec<RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteFile {
    when: Vec<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    language: String,
    query: String,
    anchor: String,
    code: Option<String>,
    #[serde(default)]
    filters: Vec<String>,
    message: String,
    failure_mode: Option<String>,
    fix: Option<String>,
    severity: Option<String>,
    suggestion: Option<SuggestionFile>,
    #[serde(default)]
    include_tests: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestionFile {
    replace: String,
    with: String,
    description: String,
}

impl LanguageQuery {
    /// The one query holding the patterns of all rules for this language, for tree-sitter's
    /// query cursor. Every rule's query compiled on its own when the checks were loaded, and
    /// patterns compile independently of each other, so their concatenation compiles too.
    pub fn query(&self) -> &tree_sitter::Query {
        self.query.get_or_init(|| {
            tree_sitter::Query::new(&(self.language.grammar)(), &self.query_text)
                .expect("a concatenation of compiled queries compiles")
        })
    }
}

impl CheckSet {
    /// The walk plan for files of `language`: the one of its rules' query, or the index's own
    /// when the language has no rules.
    pub fn walk_plan(&self, language: &'static Language) -> &WalkPlan {
        self.queries
            .iter()
            .find(|q| q.language.name == language.name)
            .map(|q| &q.walk)
            .unwrap_or_else(|| index::walk_plan(language))
    }

    /// The checks compiled into the binary. Loaded once; a broken check file is reported here.
    pub fn embedded() -> Result<&'static CheckSet, CheckLoadError> {
        static SET: OnceLock<Result<CheckSet, CheckLoadError>> = OnceLock::new();
        SET.get_or_init(|| {
            CheckSet::from_files(
                EMBEDDED_CHECK_FILES
                    .iter()
                    .map(|(p, c)| (p.to_string(), c.to_string())),
            )
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// Ids of all checks.
    pub fn ids(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.id.as_str()).collect()
    }

    /// The check with this id.
    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Builds a check set from (path relative to `checks/`, contents) pairs: every
    /// `<id>/check.toml` is a check; other files under `<id>/` are its examples and docs.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<CheckSet, CheckLoadError> {
        let files: Vec<(String, String)> = files.into_iter().collect();
        let mut vocabularies = BTreeMap::new();
        for (path, text) in &files {
            let Some(language) = path
                .strip_prefix("vocabulary/")
                .and_then(|p| p.strip_suffix(".toml"))
            else {
                continue;
            };
            if language::by_name(language).is_none() {
                return Err(CheckLoadError {
                    path: path.clone(),
                    message: format!(
                        "`{language}` is not a supported language; a vocabulary file is named after one (rust.toml)"
                    ),
                });
            }
            vocabularies.insert(language.to_string(), parse_vocabulary(path, text)?);
        }
        let mut checks = Vec::new();
        let mut compiled = CompiledQueries::new();
        for (path, text) in &files {
            let Some(dir) = path.strip_suffix("/check.toml") else {
                continue;
            };
            let mut check = parse_check(path, text, &vocabularies, &mut compiled)?;
            if check.id != dir {
                return Err(CheckLoadError {
                    path: path.clone(),
                    message: format!("id `{}` must match its folder name `{dir}`", check.id),
                });
            }
            let prefix = format!("{dir}/");
            check.examples = files
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&prefix)
                        && (p.ends_with(".rs")
                            || p.ends_with("/Cargo.toml")
                            || p.ends_with(crate::config::CONFIG_PATH)
                            || crate::analysis::suites::has_suite_extension(p))
                })
                .map(|(p, c)| (p[prefix.len()..].to_string(), c.clone()))
                .collect();
            checks.push(check);
        }
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut queries = Vec::new();
        for lang in &language::LANGUAGES {
            let mut text = String::new();
            let mut owners = Vec::new();
            for (ci, check) in checks.iter().enumerate() {
                for (ri, rule) in check.rules.iter().enumerate() {
                    if rule.language.name != lang.name {
                        continue;
                    }
                    owners.extend(std::iter::repeat_n((ci, ri), rule.pattern_count));
                    text.push_str(&rule.query);
                    text.push('\n');
                }
            }
            if owners.is_empty() {
                continue;
            }
            let patterns = PatternSet::new(&(lang.grammar)(), &text)
                .ok()
                .filter(|p| p.len() == owners.len());
            let query = if patterns.is_some() {
                OnceLock::new()
            } else {
                let compiled = tree_sitter::Query::new(&(lang.grammar)(), &text).map_err(|e| {
                    CheckLoadError {
                        path: "(all checks)".into(),
                        message: format!("combined {} query does not compile: {e}", lang.name),
                    }
                })?;
                if compiled.pattern_count() != owners.len() {
                    return Err(CheckLoadError {
                        path: "(all checks)".into(),
                        message: "combined query has a different number of patterns than its rules"
                            .into(),
                    });
                }
                OnceLock::from(compiled)
            };
            let roots = patterns
                .as_ref()
                .map(PatternSet::root_kinds)
                .unwrap_or_default();
            let walk = WalkPlan::new(lang, &index::listed_kinds(), &roots);
            queries.push(LanguageQuery {
                language: lang,
                query_text: text,
                query,
                owners,
                patterns,
                walk,
            });
        }
        Ok(CheckSet { checks, queries })
    }
}

/// The shared effect vocabulary of one language (`checks/vocabulary/<language>.toml`): lists that
/// name one concept for every check (database methods, read verbs, ...). A check's `[data]`
/// reads them as its own and may not define a list of the same name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    lists: BTreeMap<String, Vec<String>>,
}

fn parse_vocabulary(
    path: &str,
    text: &str,
) -> Result<BTreeMap<String, Vec<String>>, CheckLoadError> {
    let raw: VocabularyFile = toml::from_str(text).map_err(|e| {
        let (line, col) = crate::config::line_col(text, e.span().map_or(0, |s| s.start));
        CheckLoadError {
            path: path.to_string(),
            message: format!("{line}:{col}: {}", e.message().trim()),
        }
    })?;
    Ok(raw.lists)
}

/// What loading needs of a compiled rule query: its capture names and number of patterns.
#[derive(Debug, PartialEq)]
struct QueryShape {
    captures: Vec<String>,
    pattern_count: usize,
}

impl QueryShape {
    /// The shape tree-sitter gives the query, which validates it: every node kind and field
    /// exists in the grammar and the pattern is structurally possible.
    fn compiled(lang: &Language, query: &str) -> Result<QueryShape, String> {
        let q = tree_sitter::Query::new(&(lang.grammar)(), query)
            .map_err(|e| format!("query does not compile: {e}"))?;
        Ok(QueryShape {
            captures: q.capture_names().iter().map(|c| c.to_string()).collect(),
            pattern_count: q.pattern_count(),
        })
    }

    /// For a rule of a check built into the binary, the shape failmode's own matcher reads
    /// from the query, without tree-sitter's compile (most of a run on a small repository:
    /// 151 ms against 33 ms for a one-file crate): the test `embedded_rule_shapes_match_tree_sitter` compiles every built-in
    /// rule with tree-sitter and asserts the same shape. `None` for any other check, or a
    /// query the matcher does not cover.
    fn of_embedded(lang: &Language, query: &str, embedded: bool) -> Option<QueryShape> {
        if !embedded {
            return None;
        }
        let set = PatternSet::new(&(lang.grammar)(), query).ok()?;
        Some(QueryShape {
            captures: set.capture_names().to_vec(),
            pattern_count: set.len(),
        })
    }
}

/// Rule queries compiled so far in one load, by language and text: rules often repeat a query
/// (each rule of a check matching the same statements), and compiling is most of loading.
type CompiledQueries = HashMap<(&'static str, String), QueryShape>;

fn parse_check(
    path: &str,
    text: &str,
    vocabularies: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    compiled: &mut CompiledQueries,
) -> Result<Check, CheckLoadError> {
    let err = |message: String| CheckLoadError {
        path: path.to_string(),
        message,
    };
    // A file identical to a built-in one was validated when failmode was tested.
    let embedded = EMBEDDED_CHECK_FILES
        .iter()
        .any(|(p, c)| *p == path && *c == text);
    let raw: CheckFile = toml::from_str(text).map_err(|e| {
        let (line, col) = crate::config::line_col(text, e.span().map_or(0, |s| s.start));
        err(format!("{line}:{col}: {}", e.message().trim()))
    })?;
    let severity = raw
        .severity
        .parse::<Severity>()
        .map_err(|e| err(e.to_string()))?;
    for l in &raw.languages {
        if language::by_name(l).is_none() {
            return Err(err(format!("unknown language `{l}`")));
        }
    }
    let mut lists = raw.data;
    for language in &raw.languages {
        for (name, entries) in vocabularies.get(language).into_iter().flatten() {
            if lists.contains_key(name) {
                return Err(err(format!(
                    "`{name}` is a list of the shared vocabulary (vocabulary/{language}.toml): add to it there, not in one check's [data]"
                )));
            }
            lists.insert(name.clone(), entries.clone());
        }
    }
    let data = CheckData::new(lists);
    let mut rules = Vec::new();
    let mut seen = BTreeSet::new();
    for r in raw.rules {
        let rerr = |m: String| err(format!("rule `{}`: {m}", r.id));
        if !seen.insert(r.id.clone()) {
            return Err(rerr("duplicate rule id".into()));
        }
        let lang = language::by_name(&r.language)
            .ok_or_else(|| rerr(format!("unknown language `{}`", r.language)))?;
        let shape = match compiled.entry((lang.name, r.query.clone())) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(
                QueryShape::of_embedded(lang, &r.query, embedded)
                    .map_or_else(|| QueryShape::compiled(lang, &r.query), Ok)
                    .map_err(rerr)?,
            ),
        };
        let captures: Vec<&str> = shape.captures.iter().map(String::as_str).collect();
        let pattern_count = shape.pattern_count;
        for c in [
            Some(&r.anchor),
            r.code.as_ref(),
            r.suggestion.as_ref().map(|s| &s.replace),
        ]
        .into_iter()
        .flatten()
        {
            if !captures.contains(&c.as_str()) {
                return Err(rerr(format!(
                    "`{c}` is not a capture of the query (captures: {})",
                    captures.join(", ")
                )));
            }
        }
        // A rule's filters and a note's conditions are read the same way; the regular
        // expressions of a built-in check were compiled when failmode was tested.
        let parse_filters = |texts: &[String]| -> Result<Vec<FilterExpr>, String> {
            let filters = texts
                .iter()
                .map(|f| FilterExpr::parse(f, &captures, &data))
                .collect::<Result<Vec<_>, _>>()?;
            if !embedded {
                for f in &filters {
                    crate::analysis::filters::check_regexes(f, &data)?;
                }
            }
            Ok(filters)
        };
        let set_by = |filters: &[FilterExpr]| -> Vec<String> {
            filters
                .iter()
                .flat_map(|f| &f.any_of)
                .flat_map(|call| call.def.sets)
                .map(|s| s.to_string())
                .collect()
        };
        let filters = parse_filters(&r.filters).map_err(&rerr)?;
        let mut vars: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| s.to_string()).collect();
        vars.extend(captures.iter().map(|c| c.to_string()));
        vars.extend(captures.iter().map(|c| format!("{c}.full")));
        vars.extend(set_by(&filters));
        let templates = [
            Some(("message", &r.message)),
            r.failure_mode.as_ref().map(|t| ("failure_mode", t)),
            r.fix.as_ref().map(|t| ("fix", t)),
            r.suggestion.as_ref().map(|s| ("suggestion.with", &s.with)),
            // The check's paragraphs are used only where the rule has none of its own.
            r.failure_mode
                .is_none()
                .then_some(("explain.failure_mode", &raw.explain.failure_mode)),
            r.fix.is_none().then_some(("explain.fix", &raw.explain.fix)),
        ];
        for (field, t) in templates.into_iter().flatten() {
            for p in (Template { text: t.clone() }).placeholders() {
                if !vars.contains(&p) {
                    return Err(rerr(format!(
                        "{field} uses `{{{p}}}`, which is neither a capture nor a variable set by this rule's filters"
                    )));
                }
            }
        }
        let notes = raw
            .notes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let nerr = |m: String| rerr(format!("note {}: {m}", i + 1));
                let when = parse_filters(&n.when).map_err(&nerr)?;
                let mut note_vars = vars.clone();
                note_vars.extend(set_by(&when));
                let text = Template {
                    text: n.text.clone(),
                };
                if let Some(p) = text.placeholders().into_iter().find(|p| !note_vars.contains(p)) {
                    return Err(nerr(format!(
                        "text uses `{{{p}}}`, which is neither a capture nor a variable set by this rule's or the note's filters"
                    )));
                }
                Ok(Note { when, text })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let severity = r
            .severity
            .as_deref()
            .map(str::parse::<Severity>)
            .transpose()
            .map_err(|e| rerr(e.to_string()))?;
        rules.push(Rule {
            id: r.id.clone(),
            language: lang,
            code: r.code.clone().unwrap_or_else(|| r.anchor.clone()),
            anchor: r.anchor,
            filters,
            message: Template { text: r.message },
            failure_mode: r.failure_mode.map(|text| Template { text }),
            fix: r.fix.map(|text| Template { text }),
            severity,
            suggestion: r.suggestion.map(|s| SuggestionTemplate {
                replace: s.replace,
                with: Template { text: s.with },
                description: s.description,
            }),
            include_tests: r.include_tests,
            notes,
            query: r.query,
            pattern_count,
            shared_prefix: None,
            prefix_kept_at: Vec::new(),
        });
    }
    if rules.is_empty() {
        return Err(err("a check needs at least one [[rules]] entry".into()));
    }
    link_shared_prefixes(&mut rules);
    Ok(Check {
        id: raw.id,
        title: raw.title,
        severity,
        enabled: raw.enabled,
        summary: raw.summary,
        explain: raw.explain,
        data,
        rules,
        examples: Vec::new(),
    })
}

/// The user documentation of check `id` (`docs/checks/<id>.md`, embedded at build time).
pub fn check_docs(id: &str) -> Option<&'static str> {
    EMBEDDED_CHECK_DOCS
        .iter()
        .find(|(page, _)| *page == id)
        .map(|(_, text)| *text)
}

/// Whether a filter name exists (used by docs and tests).
pub fn filter_exists(name: &str) -> bool {
    lookup(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
title = "Demo"
severity = "medium"
summary = "demo"
languages = ["rust"]
[explain]
failure_mode = "it breaks"
fix = "fix it"
suppress = "allow it"
[data]
words = ["ignore"]
[[rules]]
id = "let-underscore"
language = "rust"
query = "(let_declaration pattern: (_) @pat value: (_) @value) @stmt"
anchor = "stmt"
code = "value"
filters = ['!has_intent_comment(stmt, "words")']
message = "`{value}` is dropped"
"#;

    fn load(text: &str) -> Result<CheckSet, CheckLoadError> {
        CheckSet::from_files([("demo/check.toml".to_string(), text.to_string())])
    }

    /// [`GOOD`] with two notes: one for values that say "loud", one for values that say "quiet"
    /// and not "loud".
    fn with_notes(notes: &str) -> String {
        GOOD.replace(
            "[[rules]]",
            &format!("loud = [\"loud\"]\nquiet = [\"quiet\"]\n{notes}\n[[rules]]"),
        )
    }

    const TWO_NOTES: &str = r#"
[[notes]]
when = ['text_contains_any(value, "loud")']
text = "`{value}` is loud."
[[notes]]
when = ['text_contains_any(value, "quiet")', '!text_contains_any(value, "loud")']
text = "It is quiet."
"#;

    #[test]
    fn a_note_adds_its_sentence_to_the_findings_it_holds_for_and_decides_nothing_else() {
        let set = load(&with_notes(TWO_NOTES)).expect("loads");
        let src = "fn f() {\n    let a = shout(\"loud\");\n    let b = whisper(\"quiet\");\n    let c = both(\"quiet\", \"loud\");\n    let d = plain();\n}\n";
        let analysis = crate::analysis::analyze(
            &[crate::analysis::source::SourceInput::new(
                "src/lib.rs".to_string(),
                src.as_bytes().to_vec(),
            )],
            &crate::config::Config::default(),
            &set,
            &crate::analysis::AnalysisOptions::default(),
        );
        let messages: Vec<(usize, &str)> = analysis
            .findings
            .iter()
            .map(|f| (f.span.start_line, f.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![
                (2, "`shout(..)` is dropped. `shout(..)` is loud."),
                (3, "`whisper(..)` is dropped. It is quiet."),
                (4, "`both(..)` is dropped. `both(..)` is loud."),
                (5, "`plain()` is dropped"),
            ]
        );
    }

    #[test]
    fn a_note_is_checked_against_every_rule_when_the_check_loads() {
        let missing_capture =
            with_notes("[[notes]]\nwhen = ['text_contains_any(call, \"loud\")']\ntext = \"loud\"");
        let err = load(&missing_capture).unwrap_err();
        assert!(
            err.message
                .starts_with("rule `let-underscore`: note 1: filter `text_contains_any`: `call` is not a capture"),
            "{}",
            err.message
        );
        let unknown_variable = with_notes("[[notes]]\nwhen = []\ntext = \"{value} and {nope}\"");
        let err = load(&unknown_variable).unwrap_err();
        assert!(
            err.message
                .starts_with("rule `let-underscore`: note 1: text uses `{nope}`"),
            "{}",
            err.message
        );
        let stray_key = with_notes("[[notes]]\nwhen = []\ntext = \"x\"\nif = \"y\"");
        assert!(load(&stray_key)
            .unwrap_err()
            .message
            .contains("unknown field `if`"));
    }

    #[test]
    fn every_regular_expression_of_the_built_in_checks_compiles() {
        // The loader skips this for the built-in checks (see `check_regexes`): it holds here.
        let set = CheckSet::embedded().expect("checks load");
        let mut exprs = 0;
        for check in &set.checks {
            for rule in &check.rules {
                let notes = rule.notes.iter().flat_map(|n| &n.when);
                for f in rule.filters.iter().chain(notes) {
                    crate::analysis::filters::check_regexes(f, &check.data)
                        .unwrap_or_else(|e| panic!("{} / {}: {e}", check.id, rule.id));
                    exprs += 1;
                }
            }
        }
        assert!(exprs > 100, "only {exprs} filter expressions read");
    }

    #[test]
    fn a_regular_expression_that_does_not_compile_fails_the_load_naming_it() {
        let inline = GOOD.replace(
            "filters = ['!has_intent_comment(stmt, \"words\")']",
            "filters = ['text_matches(value, \"(unclosed\")']",
        );
        let err = load(&inline).unwrap_err();
        assert!(
            err.message.starts_with(
                "rule `let-underscore`: filter `text_matches`: `(unclosed` is not a valid regular expression"
            ),
            "{}",
            err.message
        );
        let listed = GOOD
            .replace("words = [\"ignore\"]", "words = [\"ok\", \"[a-\"]")
            .replace(
                "filters = ['!has_intent_comment(stmt, \"words\")']",
                "filters = ['text_matches_any(value, \"words\")']",
            );
        let err = load(&listed).unwrap_err();
        assert!(
            err.message.starts_with(
                "rule `let-underscore`: filter `text_matches_any`: `[a-` is not a valid regular expression"
            ),
            "{}",
            err.message
        );
        // The same list read as plain words loads.
        assert!(load(&GOOD.replace("words = [\"ignore\"]", "words = [\"[a-\"]")).is_ok());
    }

    #[test]
    fn data_lists_answer_membership_and_keys_like_the_lists_read_in_order() {
        let data = CheckData::new(BTreeMap::from([
            (
                "clients".to_string(),
                vec![
                    "s3:object storage".to_string(),
                    "sqs:queue".to_string(),
                    "s3:shadowed".to_string(),
                    "plain".to_string(),
                ],
            ),
            ("empty".to_string(), vec![]),
        ]));
        assert!(data.contains("clients", "plain"));
        assert!(data.contains("clients", "s3:object storage"));
        assert!(!data.contains("clients", "s3"));
        assert!(!data.contains("missing", "plain"));
        // The first entry of a key wins, as a scan in list order finds it.
        assert_eq!(data.value_of("clients", "s3"), Some("object storage"));
        assert_eq!(data.value_of("clients", "plain"), None);
        // Of several keys, the one whose entry comes first in the list.
        assert_eq!(
            data.first_value_of("clients", ["sqs", "s3"]),
            Some("object storage")
        );
        assert_eq!(data.first_value_of("clients", ["sqs", "x"]), Some("queue"));
        assert_eq!(data.first_value_of("empty", ["sqs"]), None);
        assert_eq!(data.list("clients").len(), 4);
        assert!(data.list("missing").is_empty());
    }

    #[test]
    fn rules_with_the_same_query_and_first_filters_are_linked_to_the_earliest_longest_prefix() {
        let rule = |id: &str, query: &str, filters: &[&str]| {
            let filters: Vec<String> = filters.iter().map(|f| format!("'{f}'")).collect();
            format!(
                "[[rules]]\nid = \"{id}\"\nlanguage = \"rust\"\nquery = \"{query}\"\nanchor = \"stmt\"\nfilters = [{}]\nmessage = \"m\"\n",
                filters.join(", ")
            )
        };
        let q = "(let_declaration value: (_) @value) @stmt";
        let other = "(expression_statement (_) @value) @stmt";
        let a = r#"text_matches(value, "a")"#;
        let b = r#"text_matches(value, "b")"#;
        let c = r#"text_matches(value, "c")"#;
        let head = GOOD.split("[[rules]]").next().unwrap();
        let text = [
            head.to_string(),
            rule("first", q, &[a, b]),
            rule("second", q, &[a, b, c]),
            rule("third", q, &[a, c]),
            rule("other-query", other, &[a, b]),
            rule("other-start", q, &[b, a]),
        ]
        .concat();
        let set = load(&text).unwrap();
        let rules = &set.checks[0].rules;
        let linked: Vec<Option<SharedPrefix>> = rules.iter().map(|r| r.shared_prefix).collect();
        assert_eq!(
            linked,
            vec![
                None,
                Some(SharedPrefix { rule: 0, len: 2 }),
                // `first` and `second` both share one filter with it: the earlier one leads.
                Some(SharedPrefix { rule: 0, len: 1 }),
                None,
                None,
            ]
        );
        assert_eq!(rules[0].prefix_kept_at, vec![2, 1]);
        assert!(rules[1].prefix_kept_at.is_empty());
    }

    #[test]
    fn good_check_compiles() {
        let set = load(GOOD).unwrap();
        assert_eq!(set.ids(), vec!["demo"]);
        assert_eq!(set.queries[0].owners, vec![(0, 0)]);
    }

    #[test]
    fn broken_checks_are_load_errors() {
        let cases = [
            (
                GOOD.replace("(let_declaration", "(let_declarationz"),
                "query does not compile",
            ),
            (
                GOOD.replace("has_intent_comment", "has_intent_coment"),
                "unknown filter",
            ),
            (GOOD.replace("\"words\")", "\"nope\")"), "[data] table"),
            (GOOD.replace("`{value}`", "`{valu}`"), "`{valu}`"),
            (
                GOOD.replace("anchor = \"stmt\"", "anchor = \"stm\""),
                "not a capture",
            ),
            (
                GOOD.replace("severity = \"medium\"", "severity = \"urgent\""),
                "unknown severity",
            ),
            (
                GOOD.replace("summary = \"demo\"", "summary = \"demo\"\nsumary = 1"),
                "unknown field",
            ),
            (
                GOOD.replace("id = \"demo\"", "id = \"other\""),
                "must match its folder",
            ),
        ];
        for (text, expected) in cases {
            let err = load(&text).unwrap_err();
            assert!(
                err.to_string().contains(expected),
                "expected `{expected}` in: {err}"
            );
        }
    }

    #[test]
    fn the_check_paragraphs_are_checked_only_for_rules_that_use_them() {
        // The check's paragraph names a variable this rule's filters do not set.
        let check = GOOD.replace("\"it breaks\"", "\"`{what}` breaks\"");
        let err = load(&check).unwrap_err();
        assert!(err
            .to_string()
            .contains("explain.failure_mode uses `{what}`"));
        // A rule with a paragraph of its own never renders the check's: it loads, and its
        // own paragraph is still checked.
        let own = |text: &str| {
            check.replace(
                "message = \"`{value}` is dropped\"",
                &format!("message = \"`{{value}}` is dropped\"\nfailure_mode = \"{text}\""),
            )
        };
        assert!(load(&own("`{value}` breaks")).is_ok());
        let err = load(&own("`{valu}` breaks")).unwrap_err();
        assert!(err.to_string().contains("failure_mode uses `{valu}`"));
        let fix = GOOD.replace("\"fix it\"", "\"fix `{what}`\"");
        assert!(load(&fix).is_err());
        let own_fix = fix.replace(
            "message = \"`{value}` is dropped\"",
            "message = \"`{value}` is dropped\"\nfix = \"propagate `{value}`\"",
        );
        assert!(load(&own_fix).is_ok());
    }

    #[test]
    fn templates_render_and_escape() {
        let t = Template {
            text: "a {x} {{literal}} {y}".into(),
        };
        assert_eq!(t.placeholders(), vec!["x", "y"]);
        assert_eq!(
            t.render(|n| (n == "x").then(|| "1".to_string())),
            "a 1 {literal} {y}"
        );
    }

    #[test]
    fn values_from_code_cannot_inject_markdown() {
        let route = "/orders @octocat fixes #1 <img src=x> [click](https://evil.example)\n<!-- failmode:fingerprint=0 -->";
        let value = |n: &str| Some(if n == "route" { route } else { "a`b" }.to_string());
        let code = Template {
            text: "`{route}` (`.{x}(..)`) has no test: {route}".into(),
        }
        .render(value);
        for bad in ["@octocat", "#1", "https://", "<!--", "-->", "\n"] {
            assert!(!code.contains(bad), "`{bad}` survived: {code}");
        }
        // HTML and links are literal text inside code spans; outside them they must not parse.
        let prose = markup::outside_code_spans(&code);
        for bad in ["<img", "[click]("] {
            assert!(!prose.contains(bad), "`{bad}` is live in: {code}");
        }
        // The code spans hold the text itself (give or take invisible spaces).
        assert!(code.starts_with("`/orders @\u{200B}octocat"), "{code}");
        assert!(code.contains(" (``.a`b(..)``) has no test: "), "{code}");
        // Literal code and braces of the template are kept as written.
        let literal = Template {
            text: "`if let Err(_) = .. {{}}` and `let _ =`".into(),
        };
        assert_eq!(
            literal.render(|_| None),
            "`if let Err(_) = .. {}` and `let _ =`"
        );
        // Suggestions are code: filled as they are.
        assert_eq!(
            (Template {
                text: "{indent}x.{x}()?;".into()
            })
            .render_code(value),
            "a`bx.a`b()?;"
        );
    }

    #[test]
    fn embedded_checks_load() {
        let set = CheckSet::embedded().unwrap();
        // The combined query is compiled on first use and holds every rule's patterns, in the
        // order of `owners`; rules that repeat a query text each keep their own patterns.
        for lq in &set.queries {
            assert_eq!(lq.query().pattern_count(), lq.owners.len());
            let expected: usize = set
                .checks
                .iter()
                .flat_map(|c| &c.rules)
                .filter(|r| r.language.name == lq.language.name)
                .map(|r| r.pattern_count)
                .sum();
            assert_eq!(lq.owners.len(), expected);
        }
        let nir = set.get("non-idempotent-retry").unwrap();
        assert!(nir.rules.windows(2).any(|w| w[0].query == w[1].query));
    }

    #[test]
    fn embedded_rule_shapes_match_tree_sitter() {
        // Built-in rules skip tree-sitter's compile when loading; this is where they still get
        // it, and where the matcher's reading of each query must agree with tree-sitter's.
        let set = CheckSet::embedded().unwrap();
        let mut rules = 0;
        let mut total = 0;
        for rule in set.checks.iter().flat_map(|c| &c.rules) {
            total += 1;
            let compiled = QueryShape::compiled(rule.language, &rule.query)
                .unwrap_or_else(|e| panic!("rule {}: {e}", rule.id));
            if let Some(read) = QueryShape::of_embedded(rule.language, &rule.query, true) {
                assert_eq!(read, compiled, "rule {}", rule.id);
                rules += 1;
            }
            assert_eq!(
                rule.pattern_count, compiled.pattern_count,
                "rule {}",
                rule.id
            );
        }
        // Every built-in rule is within the matcher's query language, so none is compiled
        // when loading (a rule outside it still loads, through tree-sitter).
        assert_eq!(rules, total);
    }

    #[test]
    fn a_repository_check_is_still_compiled_by_tree_sitter() {
        // `(let_declaration name: ..)` names a field let statements do not have; the matcher
        // alone would load it and never match.
        let text = GOOD.replace("pattern: (_) @pat", "name: (_) @pat");
        let lang = language::by_name("rust").unwrap();
        assert!(PatternSet::new(&(lang.grammar)(), "(let_declaration name: (_) @pat)").is_ok());
        assert_ne!(text, GOOD);
        let err = CheckSet::from_files([("demo/check.toml".to_string(), text)]).unwrap_err();
        assert!(err.message.contains("query does not compile"), "{err:?}");
    }

    #[test]
    fn every_check_of_a_language_reads_its_shared_vocabulary() {
        let set = CheckSet::from_files([
            ("demo/check.toml".to_string(), GOOD.to_string()),
            (
                "vocabulary/rust.toml".to_string(),
                "[lists]\ndb_methods = [\"execute\", \"fetch_one\"]\n".to_string(),
            ),
        ])
        .unwrap();
        let data = &set.get("demo").unwrap().data;
        assert!(data.contains("db_methods", "fetch_one"));
        assert!(data.contains("words", "ignore"));
        // The embedded checks share one list per concept: both effect checks read the same
        // read verbs.
        let embedded = CheckSet::embedded().unwrap();
        let of = |id: &str| {
            embedded
                .get(id)
                .unwrap()
                .data
                .list("read_prefixes")
                .to_vec()
        };
        assert!(of("missing-retry").contains(&"exists".to_string()));
        assert_eq!(of("missing-retry"), of("swallowed-error"));
    }

    #[test]
    fn a_check_redefining_a_shared_list_or_a_vocabulary_of_no_language_is_refused() {
        let vocabulary = |path: &str| {
            (
                path.to_string(),
                "[lists]\nwords = [\"skip\"]\n".to_string(),
            )
        };
        let err = CheckSet::from_files([
            ("demo/check.toml".to_string(), GOOD.to_string()),
            vocabulary("vocabulary/rust.toml"),
        ])
        .unwrap_err();
        assert_eq!(err.path, "demo/check.toml");
        assert!(
            err.message
                .contains("`words` is a list of the shared vocabulary (vocabulary/rust.toml)"),
            "{}",
            err.message
        );
        let err = CheckSet::from_files([vocabulary("vocabulary/cobol.toml")]).unwrap_err();
        assert!(
            err.message.contains("`cobol` is not a supported language"),
            "{}",
            err.message
        );
        let err = CheckSet::from_files([(
            "vocabulary/rust.toml".to_string(),
            "[lists]\nwords = \"one\"\n".to_string(),
        )])
        .unwrap_err();
        assert!(err.message.starts_with("2:9:"), "{}", err.message);
    }
}
