//! `.github/failmode.toml`: the per-repository configuration. Strict on purpose: an unknown key,
//! a wrong type or an unknown check id is an error that cites `file:line:col`, and callers never
//! fall back to defaults when the file is broken.

use crate::analysis::finding::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Where the config lives, relative to the repository root.
pub const CONFIG_PATH: &str = ".github/failmode.toml";

/// The check whose settings may name external suites (`covered_by`).
const COVERED_BY_CHECK: &str = "untested-handler";

/// Default cap on inline comments per push.
pub const DEFAULT_MAX_INLINE_COMMENTS: usize = 25;

/// A configuration problem, located in the file so the user can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct ConfigError {
    /// The config file's path as the user knows it.
    pub path: String,
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column of the offending key or value.
    pub col: usize,
    /// What is wrong and what is expected instead.
    pub message: String,
}

/// The severity threshold at which a run "fails" (CLI exit 1, check-run conclusion `failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail when any finding is at or above this severity.
    Severity(Severity),
    /// Never fail, only report.
    Never,
}

impl FailOn {
    /// Whether a finding of `severity` makes the run fail.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Severity(min) => severity >= min,
            FailOn::Never => false,
        }
    }

    /// Parses `low`, `medium`, `high` or `never`.
    pub fn parse(s: &str) -> Result<FailOn, String> {
        if s.eq_ignore_ascii_case("never") || s.eq_ignore_ascii_case("none") {
            return Ok(FailOn::Never);
        }
        s.parse::<Severity>()
            .map(FailOn::Severity)
            .map_err(|_| format!("unknown severity `{s}`: expected low, medium, high or never"))
    }
}

/// Settings for one check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckSettings {
    /// `false` turns the check off for the repository, `true` turns on a check that is off by
    /// default; unset keeps the check's default (`enabled` in its `check.toml`).
    pub enabled: Option<bool>,
    /// Replaces the check's own severity (and its path-based downgrades).
    pub severity: Option<Severity>,
    /// Paths the check does not look at.
    pub exclude: Option<GlobSetWithSource>,
    /// `untested-handler` only: an end-to-end suite outside Rust (`playwright/**`) whose
    /// requests and operation names count as tests of the handlers they reach.
    pub covered_by: Option<GlobSetWithSource>,
}

/// A compiled glob set, keeping the patterns it was built from for display and equality.
#[derive(Debug, Clone)]
pub struct GlobSetWithSource {
    /// The patterns as written.
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl PartialEq for GlobSetWithSource {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}
impl Eq for GlobSetWithSource {}

impl GlobSetWithSource {
    /// Whether `path` (relative, `/`-separated) matches any pattern, or lies under a matching
    /// directory.
    pub fn is_match(&self, path: &str) -> bool {
        if self.set.is_match(path) {
            return true;
        }
        let mut prefix = path;
        while let Some(i) = prefix.rfind('/') {
            prefix = &prefix[..i];
            if self.set.is_match(prefix) {
                return true;
            }
        }
        false
    }
}

/// What a repository adds to the effect vocabulary every check shares (`[vocabulary]` in
/// `.github/failmode.toml`): its own clients, spawn wrappers, error macros, waits and
/// connection calls. Retry helpers are `[retry] wrappers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VocabularyExtension {
    /// Receiver names (the last field or variable name, e.g. `emails`, `billing`) that talk to
    /// a remote service: a call on one is a network call.
    pub clients: Vec<String>,
    /// Functions that spawn the future or closure they are given, like `tokio::spawn`.
    pub spawn_wrappers: Vec<String>,
    /// Macros that return an `Err` from the function (`bail!`-like), so an error arm that
    /// calls one propagates.
    pub error_macros: Vec<String>,
    /// Functions that wait before the code goes on (a `pace_retry(n).await` helper): added to
    /// the built-in `wait_calls`.
    pub wait_calls: Vec<String>,
    /// Functions that open a connection or subscription (`open_feed(url)`): added to the
    /// built-in `connect_calls`.
    pub connect_calls: Vec<String>,
}

impl VocabularyExtension {
    /// Whether a call written as `path` (its last segment `name`) is one of the repository's
    /// `spawn_wrappers`, named either way.
    pub fn is_spawn_wrapper(&self, name: &str, path: &str) -> bool {
        self.spawn_wrappers.iter().any(|w| w == name || w == path)
    }

    /// The repository's additions to the built-in vocabulary list `name`
    /// (`checks/vocabulary/`), for filters that read that list; empty for a list the
    /// repository cannot extend.
    pub fn additions_to(&self, name: &str) -> &[String] {
        match name {
            "wait_calls" => &self.wait_calls,
            "connect_calls" => &self.connect_calls,
            _ => &[],
        }
    }
}

/// The whole repository configuration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Threshold for a failing run.
    pub fail_on: FailOn,
    /// Paths no check looks at.
    pub exclude: Option<GlobSetWithSource>,
    /// Per-check settings, keyed by check id; checks not listed use their defaults.
    pub checks: BTreeMap<String, CheckSettings>,
    /// Extra function or method names that wrap a call in a retry (e.g. `with_retry`).
    pub retry_wrappers: Vec<String>,
    /// Extra function or method names that register a handler, e.g. `register("/path", h)`.
    pub handler_registrations: Vec<String>,
    /// The repository's additions to the effect vocabulary (`[vocabulary]`).
    pub vocabulary: VocabularyExtension,
    /// Review draft pull requests too (the App skips drafts by default).
    pub review_drafts: bool,
    /// Cap on inline comments in one review; the rest go to the check run.
    pub max_inline_comments: usize,
    /// `extends = "org"`: this repository's keys override the organization's defaults (the
    /// `.github/failmode.toml` of its `.github` repository) instead of replacing them.
    pub extends_org: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fail_on: FailOn::Severity(Severity::Low),
            exclude: None,
            checks: BTreeMap::new(),
            retry_wrappers: Vec::new(),
            handler_registrations: Vec::new(),
            vocabulary: VocabularyExtension::default(),
            review_drafts: false,
            max_inline_comments: DEFAULT_MAX_INLINE_COMMENTS,
            extends_org: false,
        }
    }
}

/// One config file's text and the name its errors cite (`.github/failmode.toml`, or
/// `acme/.github:.github/failmode.toml` for an organization's defaults).
#[derive(Debug, Clone, Copy)]
pub struct ConfigSource<'a> {
    /// The file's text.
    pub text: &'a str,
    /// How errors name the file.
    pub display_path: &'a str,
}

/// Adds `top`'s keys to `base`: tables merge key by key, anything else is replaced.
fn merge_tables(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(below)), toml::Value::Table(above)) => {
                merge_tables(below, above)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

impl Config {
    /// Whether `check` runs at all: the config's `enabled`, else the check's own default.
    pub fn check_enabled(&self, check: &str, on_by_default: bool) -> bool {
        self.checks
            .get(check)
            .and_then(|c| c.enabled)
            .unwrap_or(on_by_default)
    }

    /// The severity override for `check`, if the config sets one.
    pub fn severity_override(&self, check: &str) -> Option<Severity> {
        self.checks.get(check).and_then(|c| c.severity)
    }

    /// Whether `path` is excluded for `check` (globally or for that check).
    pub fn is_excluded(&self, check: &str, path: &str) -> bool {
        if self.exclude.as_ref().is_some_and(|g| g.is_match(path)) {
            return true;
        }
        self.checks
            .get(check)
            .and_then(|c| c.exclude.as_ref())
            .is_some_and(|g| g.is_match(path))
    }

    /// Whether `path` belongs to an end-to-end suite named in
    /// `[checks.untested-handler] covered_by`.
    pub fn is_covered_by_suite(&self, path: &str) -> bool {
        self.checks
            .get(COVERED_BY_CHECK)
            .and_then(|c| c.covered_by.as_ref())
            .is_some_and(|g| g.is_match(path))
    }

    /// Whether `[checks.untested-handler] covered_by` names any suite.
    pub fn has_covered_by(&self) -> bool {
        self.checks
            .get(COVERED_BY_CHECK)
            .is_some_and(|c| c.covered_by.is_some())
    }

    /// Whether `path` is excluded for every check.
    pub fn is_excluded_everywhere(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// Parses and validates config text. `display_path` is used in error messages;
    /// `known_checks` are the ids a `[checks.<id>]` table may name.
    /// The configuration of a repository whose organization may set defaults: the
    /// organization's file applies when the repository has none; a repository file replaces it,
    /// unless it says `extends = "org"`, in which case its keys override the organization's
    /// (tables such as `[checks.<id>]` key by key, lists whole). Each file is validated on its
    /// own, so an error cites the file, line and column it is in. `None`: neither file exists.
    pub fn layered(
        org: Option<ConfigSource<'_>>,
        repo: Option<ConfigSource<'_>>,
        known_checks: &[&str],
    ) -> Result<Option<Config>, ConfigError> {
        let org_config = match org {
            Some(o) => {
                let config = Config::parse(o.text, o.display_path, known_checks)?;
                if config.extends_org {
                    let (line, col) = o
                        .text
                        .find("extends")
                        .map_or((1, 1), |at| line_col(o.text, at));
                    return Err(ConfigError {
                        path: o.display_path.to_string(),
                        line,
                        col,
                        message: "`extends` belongs in a repository's config; the organization's defaults extend nothing. Remove it".to_string(),
                    });
                }
                Some((o, config))
            }
            None => None,
        };
        let Some(r) = repo else {
            return Ok(org_config.map(|(_, config)| config));
        };
        let repo_config = Config::parse(r.text, r.display_path, known_checks)?;
        let Some((o, _)) = org_config.filter(|_| repo_config.extends_org) else {
            return Ok(Some(repo_config));
        };
        // Both parsed above, so both are valid TOML tables.
        let table = |text: &str| toml::from_str::<toml::Table>(text).unwrap_or_default();
        let mut merged = table(o.text);
        let mut top = table(r.text);
        top.remove("extends");
        merge_tables(&mut merged, top);
        let text = toml::to_string(&merged).map_err(|e| ConfigError {
            path: r.display_path.to_string(),
            line: 1,
            col: 1,
            message: format!("cannot combine it with {}: {e}", o.display_path),
        })?;
        let display = format!("{} (extending {})", r.display_path, o.display_path);
        let mut config = Config::parse(&text, &display, known_checks)?;
        config.extends_org = true;
        Ok(Some(config))
    }

    /// Parses and validates one config file; errors cite `display_path`, line and column.
    pub fn parse(
        text: &str,
        display_path: &str,
        known_checks: &[&str],
    ) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, col) = line_col(text, span.start);
            ConfigError {
                path: display_path.to_string(),
                line,
                col,
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            at(span, e.message().trim().to_string())
        })?;
        let mut cfg = Config::default();
        if let Some(e) = raw.extends {
            if e.get_ref() != "org" {
                return Err(at(
                    e.span(),
                    format!(
                        "extends must be \"org\" (the organization's .github repository), got `{}`",
                        e.get_ref()
                    ),
                ));
            }
            cfg.extends_org = true;
        }
        if let Some(f) = raw.fail_on {
            cfg.fail_on = FailOn::parse(f.get_ref()).map_err(|m| at(f.span(), m))?;
        }
        if let Some(ex) = raw.exclude {
            cfg.exclude = Some(build_globs(&ex).map_err(|(span, m)| at(span, m))?);
        }
        if let Some(d) = raw.review_drafts {
            cfg.review_drafts = d;
        }
        if let Some(m) = raw.max_inline_comments {
            let v = *m.get_ref();
            if v < 0 {
                return Err(at(
                    m.span(),
                    format!("max_inline_comments must be 0 or more, got {v}"),
                ));
            }
            cfg.max_inline_comments = v as usize;
        }
        for (id, settings) in raw.checks {
            if !known_checks.contains(&id.get_ref().as_str()) {
                return Err(at(
                    id.span(),
                    format!(
                        "unknown check `{}`: known checks are {}",
                        id.get_ref(),
                        known_checks.join(", ")
                    ),
                ));
            }
            let severity = match settings.severity {
                Some(s) => Some(
                    s.get_ref()
                        .parse::<Severity>()
                        .map_err(|e| at(s.span(), e.to_string()))?,
                ),
                None => None,
            };
            let exclude = match settings.exclude {
                Some(ex) => Some(build_globs(&ex).map_err(|(span, m)| at(span, m))?),
                None => None,
            };
            let covered_by = match settings.covered_by {
                Some(_) if id.get_ref() != COVERED_BY_CHECK => {
                    return Err(at(
                        id.span(),
                        format!(
                        "`covered_by` applies to `[checks.{COVERED_BY_CHECK}]` only: move it there"
                    ),
                    ))
                }
                Some(globs) => Some(build_globs(&globs).map_err(|(span, m)| at(span, m))?),
                None => None,
            };
            cfg.checks.insert(
                id.into_inner(),
                CheckSettings {
                    enabled: settings.enabled,
                    severity,
                    exclude,
                    covered_by,
                },
            );
        }
        if let Some(r) = raw.retry {
            cfg.retry_wrappers = r.wrappers.into_iter().map(Spanned::into_inner).collect();
        }
        if let Some(v) = raw.vocabulary {
            let names = |list: Vec<Spanned<String>>| -> Vec<String> {
                list.into_iter()
                    .map(|s| s.into_inner().trim().trim_end_matches('!').to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            cfg.vocabulary = VocabularyExtension {
                clients: names(v.clients),
                spawn_wrappers: names(v.spawn_wrappers),
                error_macros: names(v.error_macros),
                wait_calls: names(v.wait_calls),
                connect_calls: names(v.connect_calls),
            };
        }
        if let Some(h) = raw.handlers {
            cfg.handler_registrations = h
                .registrations
                .into_iter()
                .map(Spanned::into_inner)
                .collect();
        }
        Ok(cfg)
    }
}

fn build_globs(
    patterns: &[Spanned<String>],
) -> Result<GlobSetWithSource, (std::ops::Range<usize>, String)> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let pat = p.get_ref().trim_start_matches("./").trim_end_matches('/');
        let glob = Glob::new(pat)
            .map_err(|e| (p.span(), format!("invalid glob `{}`: {e}", p.get_ref())))?;
        builder.add(glob);
    }
    let set = builder
        .build()
        .map_err(|e| (0..0, format!("invalid globs: {e}")))?;
    Ok(GlobSetWithSource {
        patterns: patterns.iter().map(|p| p.get_ref().clone()).collect(),
        set,
    })
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    extends: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
    review_drafts: Option<bool>,
    max_inline_comments: Option<Spanned<i64>>,
    #[serde(default)]
    checks: BTreeMap<Spanned<String>, RawCheck>,
    retry: Option<RawRetry>,
    handlers: Option<RawHandlers>,
    vocabulary: Option<RawVocabulary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    #[serde(default)]
    clients: Vec<Spanned<String>>,
    #[serde(default)]
    spawn_wrappers: Vec<Spanned<String>>,
    #[serde(default)]
    error_macros: Vec<Spanned<String>>,
    #[serde(default)]
    wait_calls: Vec<Spanned<String>>,
    #[serde(default)]
    connect_calls: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    enabled: Option<bool>,
    severity: Option<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
    covered_by: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetry {
    #[serde(default)]
    wrappers: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandlers {
    #[serde(default)]
    registrations: Vec<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKS: &[&str] = &["missing-retry", "swallowed-error", "untested-handler"];

    const ORG_PATH: &str = "acme/.github:.github/failmode.toml";
    const ORG: &str = "fail_on = \"high\"\nmax_inline_comments = 5\n\n[checks.missing-retry]\nseverity = \"high\"\nexclude = [\"tools/**\"]\n";

    fn org() -> Option<ConfigSource<'static>> {
        Some(ConfigSource {
            text: ORG,
            display_path: ORG_PATH,
        })
    }

    fn repo(text: &str) -> Option<ConfigSource<'_>> {
        Some(ConfigSource {
            text,
            display_path: CONFIG_PATH,
        })
    }

    #[test]
    fn organization_defaults_apply_replace_or_extend() {
        // No repository file: the organization's.
        let c = Config::layered(org(), None, CHECKS).unwrap().unwrap();
        assert_eq!(c.fail_on, FailOn::Severity(Severity::High));
        assert_eq!(c.max_inline_comments, 5);
        // A repository file without `extends` replaces it.
        let c = Config::layered(org(), repo("review_drafts = true\n"), CHECKS)
            .unwrap()
            .unwrap();
        assert_eq!(c.fail_on, FailOn::Severity(Severity::Low));
        assert!(c.review_drafts && !c.extends_org);
        // `extends = "org"`: its keys override, tables merge key by key.
        let c = Config::layered(
            org(),
            repo("extends = \"org\"\nfail_on = \"medium\"\n\n[checks.missing-retry]\nseverity = \"low\"\n"),
            CHECKS,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.fail_on, FailOn::Severity(Severity::Medium));
        assert_eq!(c.max_inline_comments, 5);
        let retry = &c.checks["missing-retry"];
        assert_eq!(retry.severity, Some(Severity::Low));
        assert_eq!(
            retry.exclude.as_ref().map(|e| e.patterns.clone()),
            Some(vec!["tools/**".to_string()])
        );
        assert!(c.extends_org);
        // Nothing anywhere.
        assert!(Config::layered(None, None, CHECKS).unwrap().is_none());
    }

    #[test]
    fn every_level_is_validated_and_errors_cite_their_file() {
        let err = Config::layered(
            Some(ConfigSource {
                text: "fail_on = \"often\"\n",
                display_path: ORG_PATH,
            }),
            repo("extends = \"org\"\n"),
            CHECKS,
        )
        .unwrap_err();
        assert_eq!((err.path.as_str(), err.line, err.col), (ORG_PATH, 1, 11));
        let err =
            Config::layered(org(), repo("extends = \"org\"\nfail_on = 3\n"), CHECKS).unwrap_err();
        assert_eq!((err.path.as_str(), err.line), (CONFIG_PATH, 2));
        let err = Config::layered(org(), repo("extends = \"acme\"\n"), CHECKS).unwrap_err();
        assert!(
            err.message.contains("extends must be \"org\""),
            "{}",
            err.message
        );
        assert_eq!((err.line, err.col), (1, 11));
        let err = Config::layered(
            Some(ConfigSource {
                text: "extends = \"org\"\n",
                display_path: ORG_PATH,
            }),
            None,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!(err.path, ORG_PATH);
    }

    #[test]
    fn full_config_parses() {
        let cfg = Config::parse(
            r#"
fail_on = "medium"
exclude = ["generated/**", "vendor"]
review_drafts = true
max_inline_comments = 10

[checks.missing-retry]
enabled = false

[checks.swallowed-error]
severity = "low"
exclude = ["src/legacy/**"]

[retry]
wrappers = ["with_retry", "retry_db"]

[handlers]
registrations = ["register"]

[vocabulary]
clients = ["emails", "billing"]
spawn_wrappers = ["spawn_try_task"]
error_macros = ["fail!", "ensure_ok"]
wait_calls = ["pace_retry"]
connect_calls = ["open_feed"]
"#,
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap();
        assert_eq!(cfg.vocabulary.clients, vec!["emails", "billing"]);
        assert_eq!(cfg.vocabulary.spawn_wrappers, vec!["spawn_try_task"]);
        assert_eq!(cfg.vocabulary.error_macros, vec!["fail", "ensure_ok"]);
        assert_eq!(cfg.vocabulary.additions_to("wait_calls"), ["pace_retry"]);
        assert_eq!(cfg.vocabulary.additions_to("connect_calls"), ["open_feed"]);
        assert!(cfg.vocabulary.additions_to("http_verbs").is_empty());
        assert_eq!(cfg.fail_on, FailOn::Severity(Severity::Medium));
        assert!(!cfg.check_enabled("missing-retry", true));
        assert!(cfg.check_enabled("untested-handler", true));
        assert!(!cfg.check_enabled("untested-handler", false));
        assert_eq!(
            cfg.severity_override("swallowed-error"),
            Some(Severity::Low)
        );
        assert!(cfg.is_excluded("swallowed-error", "src/legacy/a.rs"));
        assert!(!cfg.is_excluded("missing-retry", "src/legacy/a.rs"));
        assert!(cfg.is_excluded("missing-retry", "vendor/x/y.rs"));
        assert!(cfg.is_excluded("missing-retry", "generated/a/b.rs"));
        assert_eq!(cfg.retry_wrappers, vec!["with_retry", "retry_db"]);
        assert_eq!(cfg.handler_registrations, vec!["register"]);
        assert!(cfg.review_drafts);
        assert_eq!(cfg.max_inline_comments, 10);
    }

    #[test]
    fn unknown_key_cites_line_and_column() {
        let err = Config::parse(
            "fail_on = \"high\"\n\n[retry]\nwrapers = []\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!((err.line, err.col), (4, 1), "{err}");
        assert!(err.message.contains("unknown field `wrapers`"), "{err}");
        assert!(
            err.to_string().starts_with(".github/failmode.toml:4:1: "),
            "{err}"
        );
    }

    #[test]
    fn wrong_type_cites_line_and_column() {
        let err = Config::parse(
            "[checks.missing-retry]\nenabled = \"no\"\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!((err.line, err.col), (2, 11), "{err}");
    }

    #[test]
    fn covered_by_names_suites_for_untested_handler_only() {
        let cfg = Config::parse(
            "[checks.untested-handler]\ncovered_by = [\"playwright/**\", \"api_tests\"]\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap();
        assert!(cfg.has_covered_by());
        assert!(cfg.is_covered_by_suite("playwright/tests/login.spec.ts"));
        assert!(cfg.is_covered_by_suite("api_tests/orders.py"));
        assert!(!cfg.is_covered_by_suite("src/main.rs"));
        let err = Config::parse(
            "[checks.missing-retry]\ncovered_by = [\"e2e/**\"]\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!(err.line, 1, "{err}");
        assert!(err.message.contains("move it there"), "{err}");
    }

    #[test]
    fn unknown_check_and_bad_severity_are_errors() {
        let err = Config::parse(
            "[checks.missing-retries]\nenabled = false\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!(err.line, 1);
        assert!(
            err.message.contains("unknown check `missing-retries`"),
            "{err}"
        );
        let err = Config::parse(
            "[checks.missing-retry]\nseverity = \"critical\"\n",
            CONFIG_PATH,
            CHECKS,
        )
        .unwrap_err();
        assert_eq!((err.line, err.col), (2, 12), "{err}");
        let err = Config::parse("fail_on = \"sometimes\"\n", CONFIG_PATH, CHECKS).unwrap_err();
        assert_eq!((err.line, err.col), (1, 11), "{err}");
    }

    #[test]
    fn syntax_error_is_located() {
        let err = Config::parse("fail_on = \n", CONFIG_PATH, CHECKS).unwrap_err();
        assert_eq!(err.line, 1, "{err}");
    }

    #[test]
    fn a_config_nested_100000_deep_is_an_error_not_a_stack_overflow() {
        // A pull request's config file is parsed to validate it. toml's parser stops at a fixed
        // nesting depth (its `unbounded` feature, which would lift that, must stay off), so
        // neither parsing nor dropping what was parsed recurses as deep as the file nests. Run
        // on a 2 MiB stack, what the App's worker threads get.
        let n = 100_000;
        let texts = [
            format!("exclude = {}{}", "[".repeat(n), "]".repeat(n)),
            format!("exclude = {}{}", "{ a = ".repeat(n), "1 }".repeat(n)),
            format!("{} = 1", vec!["a"; n].join(".")),
            format!("[{}]", vec!["a"; n].join(".")),
            format!("[[{}]]", vec!["a"; n].join(".")),
        ];
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                for text in texts {
                    let err = Config::parse(&text, CONFIG_PATH, CHECKS).unwrap_err();
                    assert_eq!(err.line, 1, "{err}");
                }
            })
            .unwrap()
            .join()
            .expect("parsing a deep config neither panics nor overflows the stack");
    }
}
