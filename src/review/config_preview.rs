//! Config changes previewed: a pull request that edits (or removes) `.github/failmode.toml` gets
//! a section in its check run saying what its config would change once merged, and which
//! findings on its changed lines that config would add or remove.
//!
//! The review itself always uses the base branch's config (a pull request cannot change how it
//! is itself reviewed); the preview is computed from the two parsed [`Config`] values, never by
//! a text diff, and from a second analysis of the same files with the pull request's config.
//!
//! Pure: no I/O. `review/job.rs` reads and layers the head's config, runs the second analysis
//! and puts [`ConfigPreview::render`] in the check run's `output.text`.

use crate::analysis::finding::{Finding, Severity};
use crate::analysis::markup::code_span;
use crate::config::{Config, FailOn, GlobSetWithSource, CONFIG_PATH};
use crate::github::types::PullFile;
use crate::report::review::MAX_BODY_CHARS;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::fmt::Write as _;

/// The heading the preview section starts with.
pub const PREVIEW_HEADING: &str =
    "### Config preview: `.github/failmode.toml` in this pull request";

/// Most setting changes listed; the rest are counted.
const MAX_LISTED_CHANGES: usize = 40;
/// Most findings listed as "would add", and as "would remove"; the rest are counted.
const MAX_LISTED_FINDINGS: usize = 25;
/// Most values (patterns, names) listed per side of one list change.
const MAX_LISTED_VALUES: usize = 10;
/// Bytes the list of setting changes may take (with its "…and N more" line).
const CHANGES_BUDGET: usize = 30_000;
/// Bytes each list of findings may take (with its "…and N more" line).
const FINDINGS_BUDGET: usize = 15_000;

/// How a pull request touches `.github/failmode.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFileChange {
    /// The head has the file, added or changed by the pull request: read it at the head.
    Edited,
    /// The pull request deletes the file (or renames it away): the head's config is the
    /// organization's defaults, or failmode's own.
    Removed,
}

impl ConfigFileChange {
    /// How the pull request whose changed files are `files` touches the config file; `None`
    /// when it does not (no preview then).
    pub fn of(files: &[PullFile]) -> Option<ConfigFileChange> {
        if files
            .iter()
            .any(|f| f.filename == CONFIG_PATH && f.status != "removed")
        {
            return Some(ConfigFileChange::Edited);
        }
        files
            .iter()
            .any(|f| {
                (f.filename == CONFIG_PATH && f.status == "removed")
                    || (f.status == "renamed"
                        && f.previous_filename.as_deref() == Some(CONFIG_PATH))
            })
            .then_some(ConfigFileChange::Removed)
    }
}

/// A list-valued setting, as the config file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSetting {
    /// Top-level `exclude`.
    Exclude,
    /// `exclude` of `[checks.<id>]`.
    CheckExclude(String),
    /// `covered_by` of `[checks.<id>]`.
    CoveredBy(String),
    /// `[retry] wrappers`.
    RetryWrappers,
    /// `[handlers] registrations`.
    HandlerRegistrations,
    /// `[vocabulary] clients`.
    VocabularyClients,
    /// `[vocabulary] spawn_wrappers`.
    SpawnWrappers,
    /// `[vocabulary] error_macros`.
    ErrorMacros,
    /// `[vocabulary] wait_calls`.
    WaitCalls,
    /// `[vocabulary] connect_calls`.
    ConnectCalls,
}

impl fmt::Display for ListSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListSetting::Exclude => f.write_str("exclude"),
            ListSetting::CheckExclude(id) => write!(f, "[checks.{id}] exclude"),
            ListSetting::CoveredBy(id) => write!(f, "[checks.{id}] covered_by"),
            ListSetting::RetryWrappers => f.write_str("[retry] wrappers"),
            ListSetting::HandlerRegistrations => f.write_str("[handlers] registrations"),
            ListSetting::VocabularyClients => f.write_str("[vocabulary] clients"),
            ListSetting::SpawnWrappers => f.write_str("[vocabulary] spawn_wrappers"),
            ListSetting::ErrorMacros => f.write_str("[vocabulary] error_macros"),
            ListSetting::WaitCalls => f.write_str("[vocabulary] wait_calls"),
            ListSetting::ConnectCalls => f.write_str("[vocabulary] connect_calls"),
        }
    }
}

/// One difference between the base branch's config and the pull request's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// `fail_on` changes.
    FailOn {
        /// The base's threshold.
        from: FailOn,
        /// The pull request's.
        to: FailOn,
    },
    /// `max_inline_comments` changes.
    MaxInlineComments {
        /// The base's cap.
        from: usize,
        /// The pull request's.
        to: usize,
    },
    /// `review_drafts` changes.
    ReviewDrafts {
        /// The base's setting.
        from: bool,
        /// The pull request's.
        to: bool,
    },
    /// `extends = "org"` is added (`true`) or removed (`false`).
    ExtendsOrg {
        /// Whether the pull request's config extends the organization's.
        to: bool,
    },
    /// A check is turned on or off.
    CheckEnabled {
        /// The check id.
        check: String,
        /// Whether it runs with the pull request's config.
        enabled: bool,
    },
    /// A check's severity override changes (`None`: the check's own severities).
    CheckSeverity {
        /// The check id.
        check: String,
        /// The base's override.
        from: Option<Severity>,
        /// The pull request's.
        to: Option<Severity>,
    },
    /// Values added to or removed from a list setting (order and repeats do not count).
    List {
        /// Which setting.
        setting: ListSetting,
        /// Values only the pull request's config has, in its order.
        added: Vec<String>,
        /// Values only the base's config has, in its order.
        removed: Vec<String>,
    },
}

fn fail_on_name(f: FailOn) -> &'static str {
    match f {
        FailOn::Severity(s) => s.as_str(),
        FailOn::Never => "never",
    }
}

fn severity_name(s: Option<Severity>) -> String {
    match s {
        Some(s) => format!("`{s}`"),
        None => "the check's own".to_string(),
    }
}

/// `values` as code spans, at most [`MAX_LISTED_VALUES`] of them.
fn value_list(values: &[String]) -> String {
    let mut out = values
        .iter()
        .take(MAX_LISTED_VALUES)
        .map(|v| code_span(v))
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > MAX_LISTED_VALUES {
        let _ = write!(out, " and {} more", values.len() - MAX_LISTED_VALUES);
    }
    out
}

impl fmt::Display for ConfigChange {
    /// The change as one Markdown list item's text (without the `- `).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigChange::FailOn { from, to } => write!(
                f,
                "`fail_on`: `{}` → `{}`",
                fail_on_name(*from),
                fail_on_name(*to)
            ),
            ConfigChange::MaxInlineComments { from, to } => {
                write!(f, "`max_inline_comments`: `{from}` → `{to}`")
            }
            ConfigChange::ReviewDrafts { from, to } => {
                write!(f, "`review_drafts`: `{from}` → `{to}`")
            }
            ConfigChange::ExtendsOrg { to } => write!(
                f,
                "`extends = \"org\"`: {}",
                if *to { "added" } else { "removed" }
            ),
            ConfigChange::CheckEnabled { check, enabled } => write!(
                f,
                "`[checks.{check}]`: turned {}",
                if *enabled { "on" } else { "off" }
            ),
            ConfigChange::CheckSeverity { check, from, to } => write!(
                f,
                "`[checks.{check}] severity`: {} → {}",
                severity_name(*from),
                severity_name(*to)
            ),
            ConfigChange::List {
                setting,
                added,
                removed,
            } => {
                write!(f, "`{setting}`:")?;
                if !added.is_empty() {
                    write!(f, " added {}", value_list(added))?;
                }
                if !added.is_empty() && !removed.is_empty() {
                    f.write_str(";")?;
                }
                if !removed.is_empty() {
                    write!(f, " removed {}", value_list(removed))?;
                }
                Ok(())
            }
        }
    }
}

/// The values of `list` not in `other`, once each, in `list`'s order.
fn missing_from(list: &[String], other: &[String]) -> Vec<String> {
    let other: HashSet<&str> = other.iter().map(String::as_str).collect();
    let mut seen = HashSet::new();
    list.iter()
        .filter(|v| !other.contains(v.as_str()) && seen.insert(v.as_str()))
        .cloned()
        .collect()
}

fn list_change(
    setting: ListSetting,
    base: &[String],
    head: &[String],
    out: &mut Vec<ConfigChange>,
) {
    let added = missing_from(head, base);
    let removed = missing_from(base, head);
    if !added.is_empty() || !removed.is_empty() {
        out.push(ConfigChange::List {
            setting,
            added,
            removed,
        });
    }
}

fn patterns(globs: Option<&GlobSetWithSource>) -> &[String] {
    globs.map_or(&[], |g| g.patterns.as_slice())
}

/// What changes from `base` to `head`, setting by setting: top-level settings first, then each
/// check in id order, then retry wrappers, handler registrations and the vocabulary. Empty when
/// the two configure the same thing (a comment edit, a reordered list).
pub fn config_changes(base: &Config, head: &Config) -> Vec<ConfigChange> {
    let mut out = Vec::new();
    if base.fail_on != head.fail_on {
        out.push(ConfigChange::FailOn {
            from: base.fail_on,
            to: head.fail_on,
        });
    }
    if base.max_inline_comments != head.max_inline_comments {
        out.push(ConfigChange::MaxInlineComments {
            from: base.max_inline_comments,
            to: head.max_inline_comments,
        });
    }
    if base.review_drafts != head.review_drafts {
        out.push(ConfigChange::ReviewDrafts {
            from: base.review_drafts,
            to: head.review_drafts,
        });
    }
    if base.extends_org != head.extends_org {
        out.push(ConfigChange::ExtendsOrg {
            to: head.extends_org,
        });
    }
    list_change(
        ListSetting::Exclude,
        patterns(base.exclude.as_ref()),
        patterns(head.exclude.as_ref()),
        &mut out,
    );
    let ids: BTreeSet<&String> = base.checks.keys().chain(head.checks.keys()).collect();
    for id in ids {
        let (b, h) = (base.checks.get(id), head.checks.get(id));
        // A repository's own checks are on by default; a built-in check says in its check.toml.
        let on_by_default = crate::analysis::check::CheckSet::embedded()
            .ok()
            .and_then(|set| set.checks.iter().find(|c| &c.id == id))
            .is_none_or(|c| c.enabled);
        if base.check_enabled(id, on_by_default) != head.check_enabled(id, on_by_default) {
            out.push(ConfigChange::CheckEnabled {
                check: id.clone(),
                enabled: head.check_enabled(id, on_by_default),
            });
        }
        let (from, to) = (base.severity_override(id), head.severity_override(id));
        if from != to {
            out.push(ConfigChange::CheckSeverity {
                check: id.clone(),
                from,
                to,
            });
        }
        list_change(
            ListSetting::CheckExclude(id.clone()),
            patterns(b.and_then(|c| c.exclude.as_ref())),
            patterns(h.and_then(|c| c.exclude.as_ref())),
            &mut out,
        );
        list_change(
            ListSetting::CoveredBy(id.clone()),
            patterns(b.and_then(|c| c.covered_by.as_ref())),
            patterns(h.and_then(|c| c.covered_by.as_ref())),
            &mut out,
        );
    }
    let lists: [(ListSetting, &[String], &[String]); 7] = [
        (
            ListSetting::RetryWrappers,
            &base.retry_wrappers,
            &head.retry_wrappers,
        ),
        (
            ListSetting::HandlerRegistrations,
            &base.handler_registrations,
            &head.handler_registrations,
        ),
        (
            ListSetting::VocabularyClients,
            &base.vocabulary.clients,
            &head.vocabulary.clients,
        ),
        (
            ListSetting::SpawnWrappers,
            &base.vocabulary.spawn_wrappers,
            &head.vocabulary.spawn_wrappers,
        ),
        (
            ListSetting::ErrorMacros,
            &base.vocabulary.error_macros,
            &head.vocabulary.error_macros,
        ),
        (
            ListSetting::WaitCalls,
            &base.vocabulary.wait_calls,
            &head.vocabulary.wait_calls,
        ),
        (
            ListSetting::ConnectCalls,
            &base.vocabulary.connect_calls,
            &head.vocabulary.connect_calls,
        ),
    ];
    for (setting, b, h) in lists {
        list_change(setting, b, h, &mut out);
    }
    out
}

/// The findings only one of two analyses of the same files found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindingsDiff<'a> {
    /// Found with the pull request's config only, in path and line order.
    pub would_add: Vec<&'a Finding>,
    /// Found with the base's config only, in path and line order.
    pub would_remove: Vec<&'a Finding>,
}

/// Which findings `head` has that `base` lacks and the other way round, a finding being the
/// same when its fingerprint, check and path are (a severity change alone is neither). Each
/// finding is listed once.
pub fn findings_diff<'a>(base: &'a [Finding], head: &'a [Finding]) -> FindingsDiff<'a> {
    fn only<'a>(list: &'a [Finding], other: &[Finding]) -> Vec<&'a Finding> {
        let key = |f: &Finding| (f.fingerprint.clone(), f.check.clone(), f.path.clone());
        let other: HashSet<_> = other.iter().map(key).collect();
        let mut seen = HashSet::new();
        let mut out: Vec<&Finding> = list
            .iter()
            .filter(|f| !other.contains(&key(f)) && seen.insert(key(f)))
            .collect();
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }
    FindingsDiff {
        would_add: only(head, base),
        would_remove: only(base, head),
    }
}

/// Pushes `lines` as Markdown list items, at most `cap` of them and `budget` bytes (counting a
/// closing "…and N more" line), then that line for the rest.
fn push_capped(out: &mut String, lines: &[String], cap: usize, budget: usize) {
    // Room always kept for the closing line.
    const MORE_LINE: usize = 40;
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        let item = format!("- {line}\n");
        if i >= cap || used + item.len() + MORE_LINE > budget {
            let _ = writeln!(out, "- …and {} more", lines.len() - i);
            return;
        }
        used += item.len();
        out.push_str(&item);
    }
}

fn conclusion_name(findings: &[Finding], fail_on: FailOn) -> &'static str {
    if findings.iter().any(|f| fail_on.fails(f.severity)) {
        "failure"
    } else {
        "success"
    }
}

/// The preview of a pull request's config against the base branch's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPreview {
    head: Config,
    base_fail_on: FailOn,
    changes: Vec<ConfigChange>,
}

impl ConfigPreview {
    /// The preview of `head` (the pull request's config, layered over the organization's
    /// defaults like the base's) against `base` (the config this review used).
    pub fn new(base: &Config, head: Config) -> ConfigPreview {
        ConfigPreview {
            changes: config_changes(base, &head),
            base_fail_on: base.fail_on,
            head,
        }
    }

    /// What changes, setting by setting.
    pub fn changes(&self) -> &[ConfigChange] {
        &self.changes
    }

    /// The config to analyse the pull request's files with a second time: the pull request's,
    /// unless it configures nothing new (then the findings cannot differ).
    pub fn head_to_analyse(&self) -> Option<&Config> {
        (!self.changes.is_empty()).then_some(&self.head)
    }

    /// The check-run section: `base_findings` are this review's findings on the changed lines
    /// (base config), `head_findings` the same analysis's with the pull request's config;
    /// `titles` maps check ids to titles. At most [`MAX_BODY_CHARS`] bytes, GitHub's limit on a
    /// check run's `output.text`, whatever the config holds.
    pub fn render(
        &self,
        base_findings: &[Finding],
        head_findings: &[Finding],
        titles: &BTreeMap<String, String>,
    ) -> String {
        let mut s = format!("{PREVIEW_HEADING}\n\n");
        if self.changes.is_empty() {
            s.push_str("This pull request changes the file but not what it configures: the parsed config is the same as the base branch's.\n");
            return s;
        }
        s.push_str("This review used the base branch's config: a pull request cannot change how it is itself reviewed. Once merged, this pull request's config changes the following.\n\n");
        s.push_str("**Settings**\n\n");
        let changes: Vec<String> = self.changes.iter().map(ToString::to_string).collect();
        push_capped(&mut s, &changes, MAX_LISTED_CHANGES, CHANGES_BUDGET);
        s.push_str("\n**Findings on the changed lines**\n\n");
        let diff = findings_diff(base_findings, head_findings);
        let line = |f: &&Finding| {
            let mut l = format!(
                "{} {}",
                code_span(&format!("{}:{}", f.path, f.span.start_line)),
                code_span(&f.check)
            );
            if let Some(title) = titles.get(&f.check) {
                let _ = write!(l, " {title}");
            }
            l
        };
        for (label, list) in [
            ("Would add", &diff.would_add),
            ("Would remove", &diff.would_remove),
        ] {
            if list.is_empty() {
                let _ = writeln!(s, "{label}: none.\n");
                continue;
            }
            let _ = writeln!(s, "{label} ({}):\n", list.len());
            let lines: Vec<String> = list.iter().map(line).collect();
            push_capped(&mut s, &lines, MAX_LISTED_FINDINGS, FINDINGS_BUDGET);
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "Conclusion with this pull request's config: `{}` (this review's: `{}`).",
            conclusion_name(head_findings, self.head.fail_on),
            conclusion_name(base_findings, self.base_fail_on)
        );
        debug_assert!(s.len() <= MAX_BODY_CHARS);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    const CHECKS: &[&str] = &["missing-retry", "swallowed-error", "untested-handler"];

    fn parse(text: &str) -> Config {
        Config::parse(text, CONFIG_PATH, CHECKS).unwrap()
    }

    fn file(filename: &str, status: &str, previous: Option<&str>) -> PullFile {
        PullFile {
            filename: filename.into(),
            status: status.into(),
            additions: 1,
            deletions: 0,
            patch: None,
            previous_filename: previous.map(str::to_string),
            sha: None,
        }
    }

    fn titles() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("swallowed-error".to_string(), "Swallowed error".to_string()),
            (
                "missing-retry".to_string(),
                "No retry on a transient failure".to_string(),
            ),
        ])
    }

    #[test]
    fn only_a_pull_request_touching_the_config_gets_a_preview() {
        let code = file("src/lib.rs", "modified", None);
        assert_eq!(ConfigFileChange::of(std::slice::from_ref(&code)), None);
        assert_eq!(ConfigFileChange::of(&[]), None);
        // Another file of the same name elsewhere is not the config.
        assert_eq!(
            ConfigFileChange::of(&[file("docs/.github/failmode.toml", "added", None)]),
            None
        );
        for status in ["modified", "added", "renamed", "changed"] {
            assert_eq!(
                ConfigFileChange::of(&[code.clone(), file(CONFIG_PATH, status, None)]),
                Some(ConfigFileChange::Edited),
                "{status}"
            );
        }
        assert_eq!(
            ConfigFileChange::of(&[file(CONFIG_PATH, "removed", None)]),
            Some(ConfigFileChange::Removed)
        );
        assert_eq!(
            ConfigFileChange::of(&[file("old.toml", "renamed", Some(CONFIG_PATH))]),
            Some(ConfigFileChange::Removed)
        );
        // Renamed away, and a new one added in its place: the head has a config to read.
        assert_eq!(
            ConfigFileChange::of(&[
                file("old.toml", "renamed", Some(CONFIG_PATH)),
                file(CONFIG_PATH, "added", None),
            ]),
            Some(ConfigFileChange::Edited)
        );
    }

    #[test]
    fn every_setting_that_differs_is_one_change_in_a_fixed_order() {
        let base = parse(
            r#"
fail_on = "low"
exclude = ["generated/**", "vendor"]
max_inline_comments = 25

[checks.swallowed-error]
severity = "high"
exclude = ["src/legacy/**"]

[checks.untested-handler]
covered_by = ["playwright/**"]

[retry]
wrappers = ["with_retry"]

[vocabulary]
clients = ["ledger"]
"#,
        );
        let head = parse(
            r#"
fail_on = "never"
exclude = ["vendor", "target/**"]
review_drafts = true
max_inline_comments = 10

[checks.missing-retry]
enabled = false
severity = "low"

[checks.swallowed-error]
exclude = ["src/legacy/**", "src/old/**"]

[checks.untested-handler]
covered_by = ["playwright/**", "api_tests/**"]

[retry]
wrappers = ["with_retry", "retry_db"]

[handlers]
registrations = ["register_route"]

[vocabulary]
spawn_wrappers = ["spawn_try_task"]
error_macros = ["fail!"]
"#,
        );
        let changes = config_changes(&base, &head);
        let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "`fail_on`: `low` → `never`",
                "`max_inline_comments`: `25` → `10`",
                "`review_drafts`: `false` → `true`",
                "`exclude`: added `target/**`; removed `generated/**`",
                "`[checks.missing-retry]`: turned off",
                "`[checks.missing-retry] severity`: the check's own → `low`",
                "`[checks.swallowed-error] severity`: `high` → the check's own",
                "`[checks.swallowed-error] exclude`: added `src/old/**`",
                "`[checks.untested-handler] covered_by`: added `api_tests/**`",
                "`[retry] wrappers`: added `retry_db`",
                "`[handlers] registrations`: added `register_route`",
                "`[vocabulary] clients`: removed `ledger`",
                "`[vocabulary] spawn_wrappers`: added `spawn_try_task`",
                "`[vocabulary] error_macros`: added `fail`",
            ]
        );
        assert_eq!(
            changes[4],
            ConfigChange::CheckEnabled {
                check: "missing-retry".into(),
                enabled: false
            }
        );
        // The other way round, every change reverses.
        let back: Vec<String> = config_changes(&head, &base)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(back[0], "`fail_on`: `never` → `low`");
        assert_eq!(back[4], "`[checks.missing-retry]`: turned on");
        assert_eq!(
            back[3],
            "`exclude`: added `generated/**`; removed `target/**`"
        );
    }

    #[test]
    fn extends_and_equal_configs() {
        let base = parse("fail_on = \"high\"\n");
        let mut head = base.clone();
        head.extends_org = true;
        assert_eq!(
            config_changes(&base, &head),
            [ConfigChange::ExtendsOrg { to: true }]
        );
        assert_eq!(
            config_changes(&head, &base)[0].to_string(),
            "`extends = \"org\"`: removed"
        );
        // A comment, a reordered list, a repeat, a check table restating the defaults: no change.
        let a = parse("exclude = [\"a/**\", \"b/**\"]\n[retry]\nwrappers = [\"r\"]\n");
        let b = parse(
            "# ours\nexclude = [\"b/**\", \"a/**\", \"a/**\"]\n[retry]\nwrappers = [\"r\"]\n\n[checks.swallowed-error]\nenabled = true\n",
        );
        assert!(config_changes(&a, &b).is_empty());
        assert!(config_changes(&Config::default(), &Config::default()).is_empty());
    }

    #[test]
    fn a_long_list_change_names_ten_values_and_counts_the_rest() {
        let base = Config::default();
        let head = Config {
            retry_wrappers: (0..13).map(|i| format!("r{i}")).collect(),
            ..Config::default()
        };
        let line = config_changes(&base, &head)[0].to_string();
        assert_eq!(
            line,
            "`[retry] wrappers`: added `r0`, `r1`, `r2`, `r3`, `r4`, `r5`, `r6`, `r7`, `r8`, `r9` and 3 more"
        );
    }

    #[test]
    fn findings_differ_by_fingerprint_check_and_path() {
        let [swallowed, retry] = <[Finding; 2]>::try_from(fixtures::findings()).unwrap();
        // The same finding at another line, or with another severity, is the same finding.
        let mut moved = swallowed.clone();
        moved.span.start_line += 3;
        moved.severity = Severity::Low;
        // Same fingerprint, another path or check: another finding.
        let mut elsewhere = swallowed.clone();
        elsewhere.path = "src/a.rs".into();
        let mut other_check = retry.clone();
        other_check.check = "untested-handler".into();
        let base = vec![swallowed.clone(), retry.clone()];
        let head = vec![
            elsewhere.clone(),
            other_check.clone(),
            moved.clone(),
            elsewhere.clone(),
        ];
        let diff = findings_diff(&base, &head);
        assert_eq!(diff.would_add, vec![&elsewhere, &other_check]);
        assert_eq!(diff.would_remove, vec![&retry]);
        assert_eq!(findings_diff(&base, &base), FindingsDiff::default());
        let none: [Finding; 0] = [];
        let diff = findings_diff(&base, &none);
        assert_eq!(diff.would_remove, vec![&swallowed, &retry]);
        assert!(diff.would_add.is_empty());
    }

    #[test]
    fn the_section_lists_changes_findings_and_conclusions() {
        let base = parse("fail_on = \"low\"\n");
        let head = parse("fail_on = \"high\"\n\n[checks.swallowed-error]\nenabled = false\n");
        let preview = ConfigPreview::new(&base, head.clone());
        assert_eq!(preview.head_to_analyse(), Some(&head));
        let findings = fixtures::findings();
        let retry = findings[1].clone();
        let text = preview.render(&findings, &[retry], &titles());
        assert_eq!(
            text,
            "### Config preview: `.github/failmode.toml` in this pull request\n\
             \n\
             This review used the base branch's config: a pull request cannot change how it is itself reviewed. Once merged, this pull request's config changes the following.\n\
             \n\
             **Settings**\n\
             \n\
             - `fail_on`: `low` → `high`\n\
             - `[checks.swallowed-error]`: turned off\n\
             \n\
             **Findings on the changed lines**\n\
             \n\
             Would add: none.\n\
             \n\
             Would remove (1):\n\
             \n\
             - `src/orders.rs:4` `swallowed-error` Swallowed error\n\
             \n\
             Conclusion with this pull request's config: `success` (this review's: `failure`).\n"
        );
        // The other way round, with a finding whose check has no title.
        let mut unnamed = findings[0].clone();
        unnamed.check = "unused-suppression".into();
        let text = ConfigPreview::new(&head, base).render(&[], &[unnamed], &titles());
        assert!(
            text.contains("- `fail_on`: `high` → `low`\n- `[checks.swallowed-error]`: turned on\n"),
            "{text}"
        );
        assert!(
            text.contains("Would add (1):\n\n- `src/orders.rs:4` `unused-suppression`\n\nWould remove: none.\n"),
            "{text}"
        );
        assert!(
            text.ends_with("Conclusion with this pull request's config: `failure` (this review's: `success`).\n"),
            "{text}"
        );
    }

    #[test]
    fn an_edit_that_configures_nothing_new_is_one_line() {
        let base = parse("fail_on = \"high\"\n");
        let head = parse("# stricter later\nfail_on = \"high\"\n");
        let preview = ConfigPreview::new(&base, head);
        assert_eq!(preview.head_to_analyse(), None);
        assert_eq!(
            preview.render(&fixtures::findings(), &[], &titles()),
            "### Config preview: `.github/failmode.toml` in this pull request\n\nThis pull request changes the file but not what it configures: the parsed config is the same as the base branch's.\n"
        );
    }

    #[test]
    fn lists_are_capped_with_a_count_of_the_rest() {
        let base = Config::default();
        let head = Config {
            fail_on: FailOn::Never,
            ..Config::default()
        };
        let finding = |i: usize| {
            let mut f = fixtures::findings()[0].clone();
            f.fingerprint = format!("fp{i:03}");
            f.span.start_line = i + 1;
            f
        };
        let added: Vec<Finding> = (0..30).map(finding).collect();
        let text = ConfigPreview::new(&base, head).render(&[], &added, &titles());
        assert!(
            text.contains(
                "Would add (30):\n\n- `src/orders.rs:1` `swallowed-error` Swallowed error\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "- `src/orders.rs:25` `swallowed-error` Swallowed error\n- …and 5 more\n"
            ),
            "{text}"
        );
        assert!(!text.contains("src/orders.rs:26"), "{text}");
        // 60 checks turned off: 40 listed.
        let mut head = Config::default();
        for i in 0..60 {
            head.checks.insert(
                format!("check-{i:02}"),
                crate::config::CheckSettings {
                    enabled: Some(false),
                    ..Default::default()
                },
            );
        }
        let text = ConfigPreview::new(&Config::default(), head).render(&[], &[], &titles());
        assert!(
            text.contains("- `[checks.check-39]`: turned off\n- …and 20 more\n\n"),
            "{text}"
        );
        assert!(!text.contains("check-40"), "{text}");
    }

    #[test]
    fn a_hostile_config_and_many_findings_stay_under_githubs_limit() {
        // Values as long as a code span shows, of 4-byte characters: each list line is about
        // 8 KB, each finding line about 1 KB, so the byte budgets stop the lists before the
        // counts do.
        let long = |i: usize| format!("{i}{}", "\u{1F600}".repeat(250));
        let mut head = Config {
            retry_wrappers: (0..500).map(long).collect(),
            handler_registrations: (0..500).map(long).collect(),
            ..Config::default()
        };
        head.vocabulary.clients = (0..500).map(long).collect();
        let mut base = Config::default();
        base.vocabulary.spawn_wrappers = (0..500).map(long).collect();
        let findings = |prefix: &str| -> Vec<Finding> {
            (0..2000)
                .map(|i| {
                    let mut f = fixtures::findings()[0].clone();
                    f.path = format!("{prefix}{i:04}/{}.rs", "\u{1F600}".repeat(300));
                    f.fingerprint = format!("{prefix}{i}");
                    f
                })
                .collect()
        };
        let text =
            ConfigPreview::new(&base, head).render(&findings("base"), &findings("head"), &titles());
        assert!(
            MAX_BODY_CHARS / 2 < text.len() && text.len() <= MAX_BODY_CHARS,
            "{}",
            text.len()
        );
        let settings = text.lines().filter(|l| l.starts_with("- `[")).count();
        assert_eq!(settings, 3, "{text}");
        assert!(
            text.contains("- …and 1 more\n\n**Findings on the changed lines**"),
            "{text}"
        );
        for (label, prefix) in [("Would add", "- `head"), ("Would remove", "- `base")] {
            let shown = text.lines().filter(|l| l.starts_with(prefix)).count();
            assert!((1..MAX_LISTED_FINDINGS).contains(&shown), "{shown}");
            assert!(
                text.contains(&format!("{label} (2000):")),
                "{label}: {text}"
            );
            assert!(
                text.contains(&format!("- …and {} more\n", 2000 - shown)),
                "{label}: {text}"
            );
        }
        assert!(text.ends_with("(this review's: `failure`).\n"), "{text}");
    }
}
