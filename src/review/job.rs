//! The review of one push: read the pull request, its config (from the base branch) and its
//! changed files, analyse them with the same engine as `failmode check`, then publish exactly one
//! review with inline comments on changed lines and one check run with everything else.
//!
//! Idempotent by construction: comments already on the pull request (matched by the hidden
//! fingerprint) are never posted again, and a retried job reuses the check run it created.

use super::blobs::{git_blob_sha, unpack_tarball, BlobCache, RepoLimits, RepoTooBig, TarballError};
use super::commands::{explain_body, ignored_section, thread_commands, Command, IgnoredFinding};
use super::config_preview::{ConfigFileChange, ConfigPreview};
use super::threads::{
    by_app, fixed_reply_body, fixed_threads, open_fingerprints, own_threads, FixedThread, OwnThread,
};
use crate::analysis::check::{
    CheckLoadError, CheckSet, RepositoryCheckError, RunChecks, MAX_REPOSITORY_CHECKS,
    MAX_REPOSITORY_CHECK_BYTES, REPOSITORY_CHECKS_DIR,
};
use crate::analysis::finding::Finding;
use crate::analysis::repeats::fold_repeats;
use crate::analysis::source::{is_vendored_path, SourceInput, DEFAULT_MAX_FILE_SIZE};
use crate::analysis::{analyze, AnalysisOptions};
use crate::config::{Config, ConfigError, ConfigSource, CONFIG_PATH};
use crate::diff::{parse_patch, FileDiff};
use crate::github::client::GithubClient;
use crate::github::error::GithubError;
use crate::github::types::ReviewThread;
use crate::github::types::{
    Annotation, AnnotationLevel, CheckConclusion, CheckRunOutput, CheckRunUpdate, CheckStatus,
    NewCheckRun, NewReview, NewReviewComment, PullFile, ReviewComment, ReviewEvent, Side,
};
use crate::queue::{ClaimedJob, JobStore, Publication, PublicationKind, QueueError};
use crate::report::review::{
    annotation_batches, check_run_summary, fingerprint_of, InlineComment, ReviewPlan,
    MAX_BODY_CHARS,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The check run's name on GitHub.
pub const CHECK_RUN_NAME: &str = "failmode";

/// The repository whose `.github/failmode.toml` holds an organization's defaults.
pub const ORG_CONFIG_REPO: &str = ".github";

/// Most blobs fetched one by one in one job.
const MAX_BLOB_FETCHES: usize = 400;
/// More missing files than this are fetched as one archive of the head instead of blob by blob.
pub const ARCHIVE_THRESHOLD: usize = 8;
/// Attempts at posting one review (or creating the check run) when GitHub's answer never
/// arrives.
const REVIEW_POST_ATTEMPTS: u32 = 3;
/// Most pending-review probes spent finding the comments GitHub refuses.
const MAX_REVIEW_PROBES: usize = 24;
/// Largest `.github/failmode.toml` read (a real one is a few hundred bytes).
pub const MAX_CONFIG_BYTES: usize = 1024 * 1024;
/// Bytes of file contents kept across jobs.
const BLOB_CACHE_BYTES: usize = 512 * 1024 * 1024;

/// How one job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The check run was completed, and a review posted when there were new inline comments.
    Published {
        /// The review, when one was posted (or had been posted by an earlier attempt).
        review_id: Option<u64>,
        /// Inline comments in that review.
        inline_comments: usize,
        /// The check run.
        check_run_id: u64,
    },
    /// Nothing to do (draft, closed, no installation access...).
    Skipped(String),
    /// A newer push replaced the head this job was for; `current_head` is the pull request's
    /// head now (the worker makes sure that head gets a review of its own).
    Superseded {
        /// The pull request's head SHA when the job looked.
        current_head: String,
    },
}

/// Why a review could not be completed. Retried by the worker with backoff.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A GitHub call failed after its own retries.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// The job store failed.
    #[error("job store: {0}")]
    Store(#[from] QueueError),
    /// The built-in checks did not load (a build problem, not an input problem).
    #[error("built-in checks: {0}")]
    Checks(#[from] CheckLoadError),
    /// The job names a repository that is not `owner/name`.
    #[error("job for `{0}`: the repository must be owner/name")]
    BadRepo(String),
    /// The analysis task panicked or was cancelled.
    #[error("analysis task failed: {0}")]
    Analysis(String),
}

/// Runs reviews; shared by all workers (it holds the blob cache).
pub struct Reviewer {
    github: Arc<GithubClient>,
    store: Arc<JobStore>,
    blobs: BlobCache,
    /// Repositories whose sources this process has fetched at least once (so the blob cache
    /// holds most of their files and a tree plus a few blobs is cheaper than an archive).
    warm_repos: std::sync::Mutex<HashSet<String>>,
    /// How much of one repository is read whole.
    limits: RepoLimits,
}

/// The files the analysis reads, and why they are only the changed ones when they are.
struct Sources {
    inputs: Vec<SourceInput>,
    /// Set when only (some of) the changed files were read: a note for the check run.
    partial: Option<String>,
}

/// What one archive download gave.
enum ArchiveRead {
    /// The sources of the whole repository.
    Files(Vec<SourceInput>),
    /// The repository is over a cap: review the changed files only.
    TooBig(RepoTooBig),
    /// No usable archive (too large to download, unreadable): try the tree and blobs.
    Unavailable,
}

struct Target<'a> {
    installation: u64,
    owner: &'a str,
    repo: &'a str,
    full_name: &'a str,
    number: u64,
    head_sha: &'a str,
}

/// Files the analysis reads: Rust sources, Cargo manifests and end-to-end suites in other
/// languages found by their place (`tests/`, `e2e/`, `*_spec.rb`, ...), outside vendored
/// directories. Not a web frontend's sources (which `failmode check` reads when a suite drives
/// a browser, see `analysis::suites::drives_a_browser`): a large frontend would count against
/// the caps on what a review fetches, and compete with the Rust sources for blob fetches.
fn wanted_source(path: &str) -> bool {
    (path.ends_with(".rs")
        || path == "Cargo.toml"
        || path.ends_with("/Cargo.toml")
        || crate::analysis::suites::is_suite(path, &crate::config::Config::default()))
        && !is_vendored_path(path)
}

impl Reviewer {
    /// A reviewer using this client and store.
    pub fn new(github: Arc<GithubClient>, store: Arc<JobStore>) -> Reviewer {
        Reviewer {
            github,
            store,
            blobs: BlobCache::new(BLOB_CACHE_BYTES),
            warm_repos: std::sync::Mutex::new(HashSet::new()),
            limits: RepoLimits::DEFAULT,
        }
    }

    /// This reviewer with other caps on how much of one repository it reads whole
    /// (`FAILMODE_MAX_REPO_BYTES`, `FAILMODE_MAX_REPO_FILES`).
    pub fn with_repo_limits(mut self, limits: RepoLimits) -> Reviewer {
        self.limits = limits;
        self
    }

    /// The GitHub client (for metrics and tests).
    pub fn github(&self) -> &GithubClient {
        &self.github
    }

    /// Reviews the push a job stands for.
    pub async fn run(&self, job: &ClaimedJob) -> Result<ReviewOutcome, ReviewError> {
        let (owner, repo) = job
            .repo
            .split_once('/')
            .ok_or_else(|| ReviewError::BadRepo(job.repo.clone()))?;
        let t = Target {
            installation: job.installation_id as u64,
            owner,
            repo,
            full_name: &job.repo,
            number: job.pr_number as u64,
            head_sha: &job.head_sha,
        };
        let gh = &self.github;
        let pr = match gh.get_pull(t.installation, owner, repo, t.number).await {
            Ok(pr) => pr,
            Err(GithubError::NotFound { .. }) => {
                return Ok(ReviewOutcome::Skipped(
                    "pull request not found or not accessible".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if pr.state != "open" {
            return Ok(ReviewOutcome::Skipped(format!(
                "pull request is {}",
                pr.state
            )));
        }
        if pr.head.sha != job.head_sha {
            return Ok(ReviewOutcome::Superseded {
                current_head: pr.head.sha,
            });
        }
        let builtin = CheckSet::embedded()?;
        // The repository's own checks, from the base branch like its config.
        let (checks, checks_error) = match read_repository_checks(gh, &t, &pr.base.sha)
            .await?
            .and_then(RunChecks::for_repository)
        {
            Ok(checks) => (checks, None),
            Err(e) => (RunChecks::Builtin(builtin), Some(e)),
        };
        let known = checks.ids();
        let org_display = format!("{owner}/{ORG_CONFIG_REPO}:{CONFIG_PATH}");
        let org_read = if repo == ORG_CONFIG_REPO {
            // The organization's own `.github` repository: its file is its repository config.
            None
        } else {
            read_org_config(gh, &t, &org_display).await?
        };
        let config = match checks_error {
            // A broken check of the repository's stops the review like a broken config.
            Some(e) => Err(ConfigError {
                path: e.path,
                line: 1,
                col: 1,
                message: e.message,
            }),
            None => layered_config(
                org_read.clone(),
                read_config(gh, &t, &pr.base.sha).await?,
                &known,
                &org_display,
            ),
        };
        let review_drafts = config.as_ref().map(|c| c.review_drafts).unwrap_or(false);
        if pr.draft && !review_drafts {
            return Ok(ReviewOutcome::Skipped(
                "draft pull request (set review_drafts = true to review drafts)".into(),
            ));
        }
        let files = gh
            .list_pull_files(t.installation, owner, repo, t.number)
            .await?;
        // The pull request's own config, layered like the base's: validated, and previewed.
        let head_config = match ConfigFileChange::of(&files) {
            Some(ConfigFileChange::Edited) => read_config(gh, &t, t.head_sha)
                .await?
                .map(|read| layered_config(org_read.clone(), Some(read), &known, &org_display)),
            Some(ConfigFileChange::Removed) => {
                layered_config(org_read.clone(), None, &known, &org_display)
                    .ok()
                    .map(Ok)
            }
            None => None,
        };
        let head_config_error = head_config.as_ref().and_then(|c| c.as_ref().err().cloned());
        let check_run_id = self.check_run_for(&t, job.attempts > 1).await?;
        let config = match config {
            Ok(c) => c,
            Err(e) => {
                self.report_config_error(&t, check_run_id, &e, head_config_error.as_ref())
                    .await?;
                return Ok(ReviewOutcome::Published {
                    review_id: None,
                    inline_comments: 0,
                    check_run_id,
                });
            }
        };
        // Config preview: the pull request's config, when valid, against the one this review
        // uses; its findings come from a second analysis of the same files.
        let preview = head_config
            .and_then(Result::ok)
            .map(|head| ConfigPreview::new(&config, head));
        let preview_config = preview
            .as_ref()
            .and_then(ConfigPreview::head_to_analyse)
            .cloned();
        let mut head_findings = Vec::new();
        let diffs = diffs_of(&files);
        let reported: BTreeSet<String> = files
            .iter()
            .filter(|f| f.status != "removed" && f.filename.ends_with(".rs"))
            .map(|f| f.filename.clone())
            .collect();
        let mut partial = None;
        // Every fingerprint this push's analysis found, on any line, and the files it skipped:
        // what decides which of the App's threads the push fixed.
        let mut present: HashSet<String> = HashSet::new();
        let mut skipped: HashSet<String> = HashSet::new();
        let findings = if reported.is_empty() {
            Vec::new()
        } else {
            let sources = self.sources(&t, &files).await?;
            partial = sources.partial;
            let inputs = sources.inputs;
            let opts = AnalysisOptions {
                report_paths: Some(reported.clone()),
                ..AnalysisOptions::default()
            };
            let cfg = config.clone();
            let run_checks = checks.clone();
            let (analysis, head_analysis) = tokio::task::spawn_blocking(move || {
                let analysis = analyze(&inputs, &cfg, &run_checks, &opts);
                let head = preview_config.map(|c| analyze(&inputs, &c, &run_checks, &opts));
                (analysis, head)
            })
            .await
            .map_err(|e| ReviewError::Analysis(e.to_string()))?;
            if let Some(head) = head_analysis {
                head_findings = fold_repeats(on_changed_lines(head.findings, &diffs));
            }
            present.extend(analysis.findings.iter().map(|f| f.fingerprint.clone()));
            skipped.extend(analysis.skipped.iter().map(|s| s.path.clone()));
            // Folded before `/failmode ignore` is applied: ignoring a folded comment ignores
            // the repeats it names.
            fold_repeats(on_changed_lines(analysis.findings, &diffs))
        };
        let bot = gh.bot_login().await?.to_string();
        let comments = gh
            .list_review_comments(t.installation, owner, repo, t.number)
            .await?;
        let threads = own_threads(&comments, &bot);
        let posted = open_fingerprints(&threads);
        // `/failmode ignore` and `/failmode explain` replies in the App's threads.
        let ignores = self
            .apply_commands(&t, &comments, &threads, &bot, job)
            .await?;
        let (ignored, findings): (Vec<Finding>, Vec<Finding>) = findings
            .into_iter()
            .partition(|f| ignores.iter().any(|i| i.fingerprint == f.fingerprint));
        let titles: BTreeMap<String, String> = checks
            .checks
            .iter()
            .map(|c| (c.id.clone(), c.title.clone()))
            .collect();
        let preview = preview.map(|p| p.render(&findings, &head_findings, &titles));
        let plan = ReviewPlan::build(
            &findings,
            &diffs,
            &posted,
            config.max_inline_comments,
            &titles,
        );
        let (review_id, rejected) = self.publish_review(&t, &plan).await?;
        let inline_comments = plan.comments.len() - rejected.len();
        // Whether this push's analysis speaks for `path`: a file it read and did not skip, or
        // one the pull request removes or no longer changes (no finding there is its own).
        let analysed = |path: &str| {
            if skipped.contains(path) {
                return false;
            }
            reported.contains(path)
                || !files
                    .iter()
                    .any(|f| f.filename == path && f.status != "removed")
        };
        let fixed = fixed_threads(&threads, &present, analysed);
        self.close_fixed_threads(&t, &fixed).await?;
        self.complete_check_run(
            &t,
            check_run_id,
            &config,
            &findings,
            &plan,
            &rejected,
            head_config_error.as_ref(),
            partial.as_deref(),
            preview.as_deref(),
            &ignored
                .iter()
                .filter_map(|f| {
                    ignores
                        .iter()
                        .find(|i| i.fingerprint == f.fingerprint)
                        .map(|i| (f, i))
                })
                .collect::<Vec<_>>(),
        )
        .await?;
        Ok(ReviewOutcome::Published {
            review_id,
            inline_comments,
            check_run_id,
        })
    }

    /// The check run for this head: the one an earlier attempt created, or a new one.
    async fn check_run_for(&self, t: &Target<'_>, retried: bool) -> Result<u64, ReviewError> {
        if let Some(p) = self
            .store
            .publication(
                t.full_name,
                t.number as i64,
                t.head_sha,
                PublicationKind::CheckRun,
            )
            .await?
        {
            if let Ok(id) = p.external_id.parse::<u64>() {
                return Ok(id);
            }
        }
        if retried {
            if let Some(id) = self.existing_check_run(t).await? {
                return Ok(id);
            }
        }
        let new_run = NewCheckRun {
            name: CHECK_RUN_NAME.to_string(),
            head_sha: t.head_sha.to_string(),
            status: CheckStatus::InProgress,
            conclusion: None,
            external_id: Some(format!("{}#{}@{}", t.full_name, t.number, t.head_sha)),
            output: Some(CheckRunOutput {
                title: "failmode is reviewing this push".into(),
                summary: "Analysing the changed files for missing retries, swallowed errors and untested handlers.".into(),
                text: None,
                annotations: Vec::new(),
            }),
        };
        // Like the review: a creation whose answer was lost may have happened, so look for the
        // run on the head before creating it again (a duplicate would stay "in progress").
        let mut attempt = 0;
        let run = loop {
            attempt += 1;
            match self
                .github
                .create_check_run(t.installation, t.owner, t.repo, &new_run)
                .await
            {
                Ok(run) => break run,
                Err(e @ GithubError::Transient { .. }) => {
                    tracing::warn!(error = %e, attempt, "creating the check run ended without an answer; checking whether it exists");
                    if let Some(id) = self.existing_check_run(t).await? {
                        return Ok(id);
                    }
                    if attempt >= REVIEW_POST_ATTEMPTS {
                        return Err(e.into());
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(500 * u64::from(attempt)))
                        .await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        self.record(t, PublicationKind::CheckRun, run.id).await?;
        Ok(run.id)
    }

    /// failmode's check run on this head, if one exists on GitHub (recorded for next time).
    async fn existing_check_run(&self, t: &Target<'_>) -> Result<Option<u64>, ReviewError> {
        let runs = self
            .github
            .list_check_runs_for_ref(
                t.installation,
                t.owner,
                t.repo,
                t.head_sha,
                Some(CHECK_RUN_NAME),
            )
            .await?;
        match runs.iter().find(|r| r.name == CHECK_RUN_NAME) {
            Some(run) => {
                self.record(t, PublicationKind::CheckRun, run.id).await?;
                Ok(Some(run.id))
            }
            None => Ok(None),
        }
    }

    async fn record(
        &self,
        t: &Target<'_>,
        kind: PublicationKind,
        id: u64,
    ) -> Result<(), ReviewError> {
        self.store
            .record_publication(&Publication {
                repo: t.full_name.to_string(),
                pr_number: t.number as i64,
                head_sha: t.head_sha.to_string(),
                kind,
                external_id: id.to_string(),
                job_id: None,
            })
            .await?;
        Ok(())
    }

    /// File contents at the head SHA for every Rust file and manifest of the repository (so
    /// cross-file checks see the whole crate and its tests), from the blob cache where possible.
    ///
    /// Calls: the first time this process sees the repository, or when more than
    /// [`ARCHIVE_THRESHOLD`] changed files are not cached, one archive of the head (no tree, no
    /// blobs). Otherwise the recursive tree, then the few missing blobs one by one, or the
    /// archive when the tree shows more than that many missing. A later push of the same pull
    /// request therefore fetches only what changed.
    ///
    /// A repository over the [`RepoLimits`] (seen in the archive or in the tree's sizes) is
    /// read from its changed files only, and [`Sources::partial`] says so.
    async fn sources(&self, t: &Target<'_>, files: &[PullFile]) -> Result<Sources, ReviewError> {
        let gh = &self.github;
        let changed_missing = files
            .iter()
            .filter(|f| f.status != "removed" && wanted_source(&f.filename))
            .filter(|f| {
                f.sha
                    .as_deref()
                    .is_none_or(|sha| self.blobs.get(sha).is_none())
            })
            .count();
        // Tried at most once per job: when it fails, the tree and blobs are the fallback.
        let mut archive_tried = false;
        if changed_missing > ARCHIVE_THRESHOLD || !self.warm_repos().contains(t.full_name) {
            archive_tried = true;
            match self.archive_sources(t).await? {
                ArchiveRead::Files(inputs) => {
                    self.warm_repos().insert(t.full_name.to_string());
                    return Ok(Sources {
                        inputs,
                        partial: None,
                    });
                }
                ArchiveRead::TooBig(why) => return self.changed_files_only(t, files, why).await,
                ArchiveRead::Unavailable => {}
            }
        }
        let tree = match gh
            .get_tree(t.installation, t.owner, t.repo, t.head_sha, true)
            .await
        {
            Ok(tree) if !tree.truncated => Ok(tree),
            Ok(_) | Err(GithubError::TooLarge { .. }) => Err(RepoTooBig::TreeTooLarge),
            Err(e @ (GithubError::Transient { .. } | GithubError::RateLimited { .. })) => {
                return Err(e.into())
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the repository tree; analysing the changed files only");
                Err(RepoTooBig::TreeUnavailable)
            }
        };
        let tree = match tree {
            Ok(tree) => tree,
            Err(why) => {
                if !archive_tried {
                    match self.archive_sources(t).await? {
                        ArchiveRead::Files(inputs) => {
                            return Ok(Sources {
                                inputs,
                                partial: None,
                            })
                        }
                        ArchiveRead::TooBig(why) => {
                            return self.changed_files_only(t, files, why).await
                        }
                        ArchiveRead::Unavailable => {}
                    }
                }
                return self.changed_files_only(t, files, why).await;
            }
        };
        if let Some(why) = self.over_limits(&tree) {
            return self.changed_files_only(t, files, why).await;
        }
        let entries: Vec<(String, String)> = tree
            .tree
            .iter()
            .filter(|e| e.kind == "blob" && wanted_source(&e.path))
            .filter(|e| e.size.is_none_or(|s| s as usize <= DEFAULT_MAX_FILE_SIZE))
            .map(|e| (e.path.clone(), e.sha.clone()))
            .collect();
        let changed: HashSet<&str> = files.iter().map(|f| f.filename.as_str()).collect();
        let mut still_missing: Vec<&(String, String)> = entries
            .iter()
            .filter(|(_, sha)| self.blobs.get(sha).is_none())
            .collect();
        if still_missing.len() > ARCHIVE_THRESHOLD && !archive_tried {
            match self.archive_sources(t).await? {
                ArchiveRead::Files(inputs) => {
                    self.warm_repos().insert(t.full_name.to_string());
                    return Ok(Sources {
                        inputs,
                        partial: None,
                    });
                }
                ArchiveRead::TooBig(why) => return self.changed_files_only(t, files, why).await,
                ArchiveRead::Unavailable => {}
            }
        }
        // Changed files first, then tests and manifests, then the rest of the crate.
        still_missing.sort_by_key(|(p, _)| {
            (
                !changed.contains(p.as_str()),
                !(p.contains("tests/") || p.ends_with("Cargo.toml")),
                p.clone(),
            )
        });
        for (path, sha) in still_missing.into_iter().take(MAX_BLOB_FETCHES) {
            match gh.get_blob(t.installation, t.owner, t.repo, sha).await {
                Ok(bytes) => {
                    self.blobs.insert(sha.clone(), bytes);
                }
                Err(GithubError::NotFound { .. }) => {
                    tracing::warn!(%path, "blob vanished; skipped")
                }
                Err(e @ GithubError::TooLarge { .. }) => {
                    tracing::warn!(%path, error = %e, "blob larger than any file failmode reads; skipped")
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.warm_repos().insert(t.full_name.to_string());
        Ok(Sources {
            inputs: entries
                .iter()
                .filter_map(|(path, sha)| {
                    self.blobs
                        .get(sha)
                        .map(|b| SourceInput::new(path.clone(), b.to_vec()))
                })
                .collect(),
            partial: None,
        })
    }

    /// Which cap the sources listed in `tree` go over, judged by the sizes the tree reports.
    fn over_limits(&self, tree: &crate::github::types::Tree) -> Option<RepoTooBig> {
        let (mut files, mut bytes) = (0usize, 0u64);
        for e in tree
            .tree
            .iter()
            .filter(|e| e.kind == "blob" && wanted_source(&e.path))
        {
            let size = e.size.unwrap_or(0);
            if size > DEFAULT_MAX_FILE_SIZE as u64 {
                continue;
            }
            files += 1;
            bytes = bytes.saturating_add(size);
        }
        if files > self.limits.max_files {
            Some(RepoTooBig::SourceFiles {
                limit: self.limits.max_files,
            })
        } else if bytes > self.limits.max_bytes {
            Some(RepoTooBig::SourceBytes {
                limit: self.limits.max_bytes,
            })
        } else {
            None
        }
    }

    fn warm_repos(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        match self.warm_repos.lock() {
            Ok(warm) => warm,
            // A set of names cannot be left half-updated: keep using it.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The Rust sources and manifests of the head commit from one archive download, also
    /// filling the blob cache (keyed by git blob id) for later pushes. The download and the
    /// unpacking both stop at the [`RepoLimits`], so memory stays under them whatever the
    /// archive holds.
    async fn archive_sources(&self, t: &Target<'_>) -> Result<ArchiveRead, ReviewError> {
        let archive = match self
            .github
            .get_tarball(
                t.installation,
                t.owner,
                t.repo,
                t.head_sha,
                self.limits.max_archive_bytes(),
            )
            .await
        {
            Ok(archive) => archive,
            Err(e @ (GithubError::Transient { .. } | GithubError::RateLimited { .. })) => {
                return Err(e.into())
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot download the repository archive; fetching files one by one");
                return Ok(ArchiveRead::Unavailable);
            }
        };
        let limits = self.limits;
        let unpacked = tokio::task::spawn_blocking(move || {
            unpack_tarball(
                &archive[..],
                &limits,
                DEFAULT_MAX_FILE_SIZE as u64,
                wanted_source,
            )
        })
        .await
        .map_err(|e| ReviewError::Analysis(e.to_string()))?;
        let files = match unpacked {
            Ok(files) => files,
            Err(TarballError::TooBig(why)) => {
                tracing::warn!(reason = %why, "the repository is too big to review whole; analysing the changed files only");
                return Ok(ArchiveRead::TooBig(why));
            }
            Err(e) => {
                tracing::warn!(error = %e, "the repository archive is unusable; fetching files one by one");
                return Ok(ArchiveRead::Unavailable);
            }
        };
        Ok(ArchiveRead::Files(
            files
                .into_iter()
                .map(|(path, bytes)| {
                    self.blobs.insert(git_blob_sha(&bytes), bytes.clone());
                    SourceInput::new(path, bytes)
                })
                .collect(),
        ))
    }

    /// The changed Rust files and manifests only, for a repository too big to read whole
    /// (`why`). Still bounded by the [`RepoLimits`]: a pull request changing more than they
    /// allow is reviewed on its first files up to them.
    async fn changed_files_only(
        &self,
        t: &Target<'_>,
        files: &[PullFile],
        why: RepoTooBig,
    ) -> Result<Sources, ReviewError> {
        let mut out = Vec::new();
        let mut kept_bytes = 0u64;
        let mut stopped_at_cap = false;
        for f in files
            .iter()
            .filter(|f| f.status != "removed" && wanted_source(&f.filename))
        {
            if out.len() >= self.limits.max_files {
                stopped_at_cap = true;
                break;
            }
            let bytes = match f.sha.as_deref().and_then(|s| self.blobs.get(s)) {
                Some(bytes) => bytes.to_vec(),
                None => match self
                    .github
                    .get_file_at(
                        t.installation,
                        t.owner,
                        t.repo,
                        &f.filename,
                        t.head_sha,
                        DEFAULT_MAX_FILE_SIZE,
                    )
                    .await
                {
                    Ok(Some(bytes)) => {
                        self.blobs.insert(git_blob_sha(&bytes), bytes.clone());
                        bytes
                    }
                    Ok(None) => continue,
                    Err(e @ GithubError::TooLarge { .. }) => {
                        tracing::warn!(path = %f.filename, error = %e, "changed file larger than any file failmode reads; skipped");
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                },
            };
            kept_bytes = kept_bytes.saturating_add(bytes.len() as u64);
            if kept_bytes > self.limits.max_bytes {
                stopped_at_cap = true;
                break;
            }
            out.push(SourceInput::new(f.filename.clone(), bytes));
        }
        let mut note = format!(
            "**Only the files this pull request changes were reviewed**: the repository was not read whole because {why}. Checks that look across files, such as `untested-handler`, saw only part of the repository, so they may miss what lives elsewhere (a test of a handler in an unchanged file, say)."
        );
        if stopped_at_cap {
            note.push_str(&format!(
                " The changed files themselves go over those limits: only the first {} were read.",
                out.len()
            ));
        }
        Ok(Sources {
            inputs: out,
            partial: Some(note),
        })
    }

    /// Posts the one review of this push, unless it has no new comment. Returns the review id
    /// and the comments GitHub refused (which go to the check run instead).
    async fn publish_review(
        &self,
        t: &Target<'_>,
        plan: &ReviewPlan,
    ) -> Result<(Option<u64>, Vec<InlineComment>), ReviewError> {
        if plan.comments.is_empty() {
            return Ok((None, Vec::new()));
        }
        if let Some(p) = self
            .store
            .publication(
                t.full_name,
                t.number as i64,
                t.head_sha,
                PublicationKind::Review,
            )
            .await?
        {
            return Ok((p.external_id.parse().ok(), Vec::new()));
        }
        let review = |comments: &[InlineComment]| NewReview {
            commit_id: t.head_sha.to_string(),
            body: review_body(comments.len()),
            event: Some(ReviewEvent::Comment),
            comments: comments.iter().map(to_github_comment).collect(),
        };
        match self.post_review_once(t, &review(&plan.comments)).await {
            Ok(id) => {
                self.record(t, PublicationKind::Review, id).await?;
                Ok((Some(id), Vec::new()))
            }
            Err(GithubError::Unprocessable {
                message, errors, ..
            }) => {
                // Our anchors are validated against the hunks, so GitHub's view of the diff
                // differs from ours for some comment. Find which ones without showing anyone
                // anything (pending reviews), post the rest, and move the refused ones to the
                // check run rather than lose the whole review.
                tracing::warn!(%message, ?errors, "GitHub refused the review; finding the comment it refuses");
                let refused = self.refused_comments(t, &plan.comments).await?;
                let accepted: Vec<InlineComment> = plan
                    .comments
                    .iter()
                    .filter(|c| !refused.contains(c))
                    .cloned()
                    .collect();
                if accepted.is_empty() {
                    return Ok((None, plan.comments.clone()));
                }
                match self.post_review_once(t, &review(&accepted)).await {
                    Ok(id) => {
                        self.record(t, PublicationKind::Review, id).await?;
                        Ok((Some(id), refused))
                    }
                    Err(GithubError::Unprocessable { .. }) => Ok((None, plan.comments.clone())),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Carries out the commands people gave in the App's threads (see
    /// [`super::commands`]): returns the findings `/failmode ignore` suppresses, from people with
    /// write access; reacts 👍 to the reply whose delivery queued this job; answers each
    /// unanswered `/failmode explain` with the check's page.
    async fn apply_commands(
        &self,
        t: &Target<'_>,
        comments: &[ReviewComment],
        threads: &[OwnThread],
        bot: &str,
        job: &ClaimedJob,
    ) -> Result<Vec<IgnoredFinding>, GithubError> {
        let gh = &self.github;
        let acknowledge = job.payload["command_comment"].as_u64();
        let mut writers: HashMap<String, bool> = HashMap::new();
        let mut ignores = Vec::new();
        for c in thread_commands(comments, threads, bot) {
            match &c.command {
                Command::Ignore { reason } => {
                    let may = match writers.get(&c.author) {
                        Some(may) => *may,
                        None => {
                            let may = gh
                                .can_write(t.installation, t.owner, t.repo, &c.author)
                                .await?;
                            writers.insert(c.author.clone(), may);
                            may
                        }
                    };
                    if !may {
                        tracing::info!(author = %c.author, comment = c.comment_id, "`/failmode ignore` from someone without write access; not honoured");
                        continue;
                    }
                    if acknowledge == Some(c.comment_id) {
                        gh.react_to_review_comment(
                            t.installation,
                            t.owner,
                            t.repo,
                            c.comment_id,
                            "+1",
                        )
                        .await?;
                    }
                    ignores.push(IgnoredFinding {
                        fingerprint: c.fingerprint.clone(),
                        reason: reason.clone(),
                        by: c.author.clone(),
                    });
                }
                Command::Explain => {
                    let Some(check) = c.check.as_deref().filter(|_| !c.answered) else {
                        continue;
                    };
                    gh.reply_to_review_comment(
                        t.installation,
                        t.owner,
                        t.repo,
                        t.number,
                        c.root_id,
                        &explain_body(check, c.comment_id),
                    )
                    .await?;
                }
            }
        }
        Ok(ignores)
    }

    /// Answers each thread this push fixed "Fixed in <sha>" (unless an earlier attempt did) and
    /// resolves it. Threads are looked up only when there is something to close; a thread
    /// already resolved, by anyone, is left as it is.
    async fn close_fixed_threads(
        &self,
        t: &Target<'_>,
        fixed: &[FixedThread],
    ) -> Result<(), GithubError> {
        if fixed.is_empty() {
            return Ok(());
        }
        let gh = &self.github;
        let threads: HashMap<u64, ReviewThread> = gh
            .list_review_threads(t.installation, t.owner, t.repo, t.number)
            .await?
            .into_iter()
            .filter_map(|thread| thread.root_comment_id.map(|root| (root, thread)))
            .collect();
        for action in fixed {
            let Some(thread) = threads.get(&action.root_id()) else {
                continue;
            };
            if thread.is_resolved {
                continue;
            }
            if let FixedThread::ReplyAndResolve { root_id } = action {
                gh.reply_to_review_comment(
                    t.installation,
                    t.owner,
                    t.repo,
                    t.number,
                    *root_id,
                    &fixed_reply_body(t.head_sha),
                )
                .await?;
            }
            gh.resolve_review_thread(t.installation, &thread.id).await?;
            tracing::info!(thread = %thread.id, comment = action.root_id(), "finding fixed: thread answered and resolved");
        }
        Ok(())
    }

    /// The fingerprints of the App's own inline comments on the pull request, with the review
    /// each belongs to. Comments by anyone else never count, whatever they contain: a person
    /// (or another bot) quoting a marker must not silence the App.
    async fn own_fingerprints(
        &self,
        t: &Target<'_>,
    ) -> Result<Vec<(String, Option<u64>)>, GithubError> {
        let gh = &self.github;
        let bot = gh.bot_login().await?;
        Ok(gh
            .list_review_comments(t.installation, t.owner, t.repo, t.number)
            .await?
            .into_iter()
            .filter(|c| by_app(c, bot))
            .filter_map(|c| fingerprint_of(&c.body).map(|f| (f, c.pull_request_review_id)))
            .collect())
    }

    /// Posts `review` exactly once. When the POST ends without an answer or with a 5xx, GitHub
    /// may have posted it anyway: the comments on the pull request are checked for this
    /// review's fingerprints before trying again, so a flaky response never doubles a review.
    async fn post_review_once(
        &self,
        t: &Target<'_>,
        review: &NewReview,
    ) -> Result<u64, GithubError> {
        let gh = &self.github;
        let ours: HashSet<String> = review
            .comments
            .iter()
            .filter_map(|c| fingerprint_of(&c.body))
            .collect();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match gh
                .create_review(t.installation, t.owner, t.repo, t.number, review)
                .await
            {
                Err(e @ GithubError::Transient { .. }) => {
                    tracing::warn!(error = %e, attempt, "posting the review ended without an answer; checking whether it landed");
                    let landed = self
                        .own_fingerprints(t)
                        .await?
                        .into_iter()
                        .find(|(f, _)| ours.contains(f))
                        .and_then(|(_, review_id)| review_id);
                    if let Some(id) = landed {
                        return Ok(id);
                    }
                    if attempt >= REVIEW_POST_ATTEMPTS {
                        return Err(e);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(500 * u64::from(attempt)))
                        .await;
                }
                other => return other,
            }
        }
    }

    /// The comments GitHub refuses, found by bisection with PENDING reviews (invisible to
    /// everyone else and deleted right away). Costs about two calls per halving; a group still
    /// unresolved after [`MAX_REVIEW_PROBES`] probes counts as refused.
    async fn refused_comments(
        &self,
        t: &Target<'_>,
        comments: &[InlineComment],
    ) -> Result<Vec<InlineComment>, ReviewError> {
        let gh = &self.github;
        let mut refused = Vec::new();
        let mut groups: Vec<&[InlineComment]> = vec![comments];
        let mut probes = 0;
        let mut cleared_stale = false;
        while let Some(group) = groups.pop() {
            if probes >= MAX_REVIEW_PROBES {
                refused.extend(group.iter().cloned());
                continue;
            }
            probes += 1;
            let pending = NewReview {
                commit_id: t.head_sha.to_string(),
                body: String::new(),
                event: None,
                comments: group.iter().map(to_github_comment).collect(),
            };
            match gh
                .create_review(t.installation, t.owner, t.repo, t.number, &pending)
                .await
            {
                Ok(id) => {
                    match gh
                        .delete_pending_review(t.installation, t.owner, t.repo, t.number, id)
                        .await
                    {
                        Ok(()) | Err(GithubError::NotFound { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(GithubError::Unprocessable {
                    message, errors, ..
                }) if !cleared_stale
                    && std::iter::once(&message)
                        .chain(errors.iter())
                        .any(|m| m.to_ascii_lowercase().contains("pending review")) =>
                {
                    // A probe of an earlier, interrupted attempt is still pending: delete it
                    // and probe this group again.
                    cleared_stale = true;
                    for review in gh
                        .list_reviews(t.installation, t.owner, t.repo, t.number)
                        .await?
                        .iter()
                        .filter(|r| r.state == "PENDING")
                    {
                        gh.delete_pending_review(
                            t.installation,
                            t.owner,
                            t.repo,
                            t.number,
                            review.id,
                        )
                        .await?;
                    }
                    groups.push(group);
                }
                Err(GithubError::Unprocessable { .. }) if group.len() == 1 => {
                    refused.extend(group.iter().cloned());
                }
                Err(GithubError::Unprocessable { .. }) => {
                    let (left, right) = group.split_at(group.len() / 2);
                    groups.push(right);
                    groups.push(left);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(refused)
    }

    #[allow(clippy::too_many_arguments)]
    async fn complete_check_run(
        &self,
        t: &Target<'_>,
        check_run_id: u64,
        config: &Config,
        findings: &[Finding],
        plan: &ReviewPlan,
        rejected: &[InlineComment],
        head_config_error: Option<&ConfigError>,
        partial: Option<&str>,
        config_preview: Option<&str>,
        ignored: &[(&Finding, &IgnoredFinding)],
    ) -> Result<(), ReviewError> {
        let failing = findings
            .iter()
            .filter(|f| config.fail_on.fails(f.severity))
            .count();
        let conclusion = if failing > 0 {
            CheckConclusion::Failure
        } else {
            CheckConclusion::Success
        };
        let mut summary = check_run_summary(findings, plan, rejected);
        if let Some(note) = partial {
            summary = format!("{note}\n\n{summary}");
        }
        if let Some(e) = head_config_error {
            summary.push_str(&format!(
                "\n\n### `{CONFIG_PATH}` in this pull request is invalid\n\n`{e}`\n\nIt takes effect only once merged; fix it before merging.\n"
            ));
        }
        let room = MAX_BODY_CHARS.saturating_sub(summary.len());
        summary.push_str(&ignored_section(ignored, room));
        let title = match findings.len() {
            0 => "No findings on the changed lines".to_string(),
            1 => "1 finding on the changed lines".to_string(),
            n => format!("{n} findings on the changed lines"),
        };
        // The client sends annotations beyond GitHub's 50 per request in follow-up updates.
        let annotations = annotation_batches(findings)
            .into_iter()
            .flatten()
            .map(to_github_annotation)
            .collect();
        self.github
            .update_check_run(
                t.installation,
                t.owner,
                t.repo,
                check_run_id,
                &CheckRunUpdate {
                    status: Some(CheckStatus::Completed),
                    conclusion: Some(conclusion),
                    output: Some(CheckRunOutput {
                        title,
                        summary,
                        // At most 65,535 characters (`ConfigPreview::render`).
                        text: config_preview.map(str::to_string),
                        annotations,
                    }),
                },
            )
            .await?;
        Ok(())
    }

    async fn report_config_error(
        &self,
        t: &Target<'_>,
        check_run_id: u64,
        base: &ConfigError,
        head: Option<&ConfigError>,
    ) -> Result<(), ReviewError> {
        // An organization's file is named `owner/.github:path`.
        let in_this_repo = !base.path.contains(':');
        let mut summary = if in_this_repo {
            format!(
                "failmode did not review this push: the repository config on the base branch is invalid.\n\n`{base}`\n\nFix `{}` on the base branch; failmode never falls back to defaults, so a broken config cannot silently change what is checked.",
                base.path
            )
        } else {
            format!(
                "failmode did not review this push: the organization's default config is invalid.\n\n`{base}`\n\nFix `{CONFIG_PATH}` on the default branch of the organization's `{ORG_CONFIG_REPO}` repository; failmode never falls back to defaults, so a broken config cannot silently change what is checked."
            )
        };
        if let Some(h) = head {
            summary.push_str(&format!(
                "\n\nThe version in this pull request is invalid too:\n\n`{h}`\n"
            ));
        }
        // Annotations point into this repository; the organization's file is named in the text.
        let annotations = if in_this_repo {
            vec![Annotation {
                path: base.path.clone(),
                start_line: base.line as u64,
                end_line: base.line as u64,
                annotation_level: AnnotationLevel::Failure,
                message: base.message.clone(),
                title: Some(format!("invalid config at {}:{}", base.line, base.col)),
                raw_details: None,
            }]
        } else {
            Vec::new()
        };
        self.github
            .update_check_run(
                t.installation,
                t.owner,
                t.repo,
                check_run_id,
                &CheckRunUpdate {
                    status: Some(CheckStatus::Completed),
                    conclusion: Some(CheckConclusion::ActionRequired),
                    output: Some(CheckRunOutput {
                        title: format!("Invalid {} ({}:{})", base.path, base.line, base.col),
                        summary,
                        text: None,
                        annotations,
                    }),
                },
            )
            .await?;
        Ok(())
    }
}

/// `.github/failmode.toml` at `git_ref`: `None` when there is none, and a [`ConfigError`]
/// (the file is read no further) when it is larger than [`MAX_CONFIG_BYTES`].
async fn read_config(
    gh: &GithubClient,
    t: &Target<'_>,
    git_ref: &str,
) -> Result<Option<Result<Vec<u8>, ConfigError>>, GithubError> {
    match gh
        .get_file_at(
            t.installation,
            t.owner,
            t.repo,
            CONFIG_PATH,
            git_ref,
            MAX_CONFIG_BYTES,
        )
        .await
    {
        Ok(found) => Ok(found.map(Ok)),
        Err(GithubError::TooLarge { .. }) => Ok(Some(Err(too_large_config(CONFIG_PATH)))),
        Err(e) => Err(e),
    }
}

/// The repository's own checks (`.github/failmode/checks/<id>/check.toml`) at `base_sha`, as
/// (path relative to that folder, text): none when the folder does not exist (one contents call
/// tells), else read from the base commit's tree and one blob per check, within
/// [`MAX_REPOSITORY_CHECKS`] and [`MAX_REPOSITORY_CHECK_BYTES`]. Their examples are not read:
/// a review does not run them (`failmode test-checks` does).
async fn read_repository_checks(
    gh: &GithubClient,
    t: &Target<'_>,
    base_sha: &str,
) -> Result<Result<Vec<(String, String)>, RepositoryCheckError>, GithubError> {
    let problem = |message: String| {
        Ok(Err(RepositoryCheckError {
            path: REPOSITORY_CHECKS_DIR.to_string(),
            message,
        }))
    };
    // A directory answers with its listing; only whether it exists matters here.
    match gh
        .get_file_at(
            t.installation,
            t.owner,
            t.repo,
            REPOSITORY_CHECKS_DIR,
            base_sha,
            MAX_REPOSITORY_CHECK_BYTES,
        )
        .await
    {
        Ok(None) => return Ok(Ok(Vec::new())),
        Ok(Some(_)) | Err(GithubError::TooLarge { .. }) => {}
        Err(e) => return Err(e),
    }
    let tree = gh
        .get_tree(t.installation, t.owner, t.repo, base_sha, true)
        .await?;
    let prefix = format!("{REPOSITORY_CHECKS_DIR}/");
    let entries: Vec<_> = tree
        .tree
        .iter()
        .filter(|e| {
            e.kind == "blob"
                && e.path
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix("/check.toml"))
                    .is_some_and(|id| !id.is_empty() && !id.contains('/'))
        })
        .collect();
    if entries.is_empty() && tree.truncated {
        return problem("the repository is too large for GitHub to list its tree whole, so failmode could not read its checks; keep fewer files, or run them with `failmode check` in CI".to_string());
    }
    let bytes: u64 = entries.iter().filter_map(|e| e.size).sum();
    if entries.len() > MAX_REPOSITORY_CHECKS || bytes > MAX_REPOSITORY_CHECK_BYTES as u64 {
        return problem(format!(
            "more than {MAX_REPOSITORY_CHECKS} checks or {} MiB of check.toml files; failmode reads no more",
            MAX_REPOSITORY_CHECK_BYTES / (1024 * 1024)
        ));
    }
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let bytes = gh
            .get_blob(t.installation, t.owner, t.repo, &entry.sha)
            .await?;
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(Err(RepositoryCheckError {
                path: entry.path.clone(),
                message: "not UTF-8 text; save it as UTF-8".to_string(),
            }));
        };
        files.push((entry.path[prefix.len()..].to_string(), text));
    }
    Ok(Ok(files))
}

/// The organization's defaults: `.github/failmode.toml` on the default branch of its `.github`
/// repository, when the App can read it (it must be installed on that repository too; a
/// repository it cannot see reads as no defaults).
async fn read_org_config(
    gh: &GithubClient,
    t: &Target<'_>,
    display: &str,
) -> Result<Option<Result<Vec<u8>, ConfigError>>, GithubError> {
    match gh
        .get_file_on_default_branch(
            t.installation,
            t.owner,
            ORG_CONFIG_REPO,
            CONFIG_PATH,
            MAX_CONFIG_BYTES,
        )
        .await
    {
        Ok(found) => Ok(found.map(Ok)),
        Err(GithubError::TooLarge { .. }) => Ok(Some(Err(too_large_config(display)))),
        Err(e) => Err(e),
    }
}

fn too_large_config(display: &str) -> ConfigError {
    ConfigError {
        path: display.to_string(),
        line: 1,
        col: 1,
        message: format!(
            "the file is larger than {} KiB, more than any failmode config needs; failmode did not read it. Shorten it to the settings you use",
            MAX_CONFIG_BYTES / 1024
        ),
    }
}

fn config_text<'a>(bytes: &'a [u8], display: &str) -> Result<&'a str, ConfigError> {
    std::str::from_utf8(bytes).map_err(|e| ConfigError {
        path: display.to_string(),
        line: 1,
        col: 1,
        message: format!("the file is not valid UTF-8 ({e}); save it as UTF-8"),
    })
}

/// The configuration from the organization's defaults and the repository's file (see
/// [`Config::layered`]); the defaults when neither exists.
fn layered_config(
    org: Option<Result<Vec<u8>, ConfigError>>,
    repo: Option<Result<Vec<u8>, ConfigError>>,
    known: &[&str],
    org_display: &str,
) -> Result<Config, ConfigError> {
    let org = org.transpose()?;
    let repo = repo.transpose()?;
    let org = match &org {
        Some(bytes) => Some(ConfigSource {
            text: config_text(bytes, org_display)?,
            display_path: org_display,
        }),
        None => None,
    };
    let repo = match &repo {
        Some(bytes) => Some(ConfigSource {
            text: config_text(bytes, CONFIG_PATH)?,
            display_path: CONFIG_PATH,
        }),
        None => None,
    };
    Ok(Config::layered(org, repo, known)?.unwrap_or_default())
}

/// Parsed `patch` hunks per file; files without a patch (binary, too large) are absent.
fn diffs_of(files: &[PullFile]) -> BTreeMap<String, FileDiff> {
    files
        .iter()
        .filter_map(|f| {
            let patch = f.patch.as_deref()?;
            match parse_patch(&f.filename, patch) {
                Ok(d) => Some((f.filename.clone(), d)),
                Err(e) => {
                    tracing::warn!(path = %f.filename, error = %e, "unparseable patch; its findings go to the check run");
                    None
                }
            }
        })
        .collect()
}

/// Keeps the findings that touch a line this pull request added or changed.
fn on_changed_lines(findings: Vec<Finding>, diffs: &BTreeMap<String, FileDiff>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| {
            diffs
                .get(&f.path)
                .is_some_and(|d| f.span.touches_any_line(|l| d.is_added(l)))
        })
        .collect()
}

fn review_body(n: usize) -> String {
    format!(
        "**failmode** found {n} new {} on the lines this push changed. Each comment says what happens in production and how to fix it; the check run lists everything.",
        if n == 1 { "issue" } else { "issues" }
    )
}

fn to_github_comment(c: &InlineComment) -> NewReviewComment {
    NewReviewComment {
        path: c.path.clone(),
        body: c.body.clone(),
        line: c.line as u64,
        side: Side::Right,
        start_line: c.start_line.map(|l| l as u64),
        start_side: c.start_line.map(|_| Side::Right),
    }
}

fn to_github_annotation(a: crate::report::review::Annotation) -> Annotation {
    Annotation {
        path: a.path,
        start_line: a.start_line as u64,
        end_line: a.end_line as u64,
        annotation_level: match a.annotation_level {
            "failure" => AnnotationLevel::Failure,
            "warning" => AnnotationLevel::Warning,
            _ => AnnotationLevel::Notice,
        },
        message: a.message,
        title: Some(a.title),
        raw_details: Some(a.raw_details),
    }
}
