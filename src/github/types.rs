//! The GitHub resources the review job reads and writes, reduced to the fields it uses.
//! Deserialisation is lenient: unknown fields are ignored and optional fields may be missing.

use serde::{Deserialize, Serialize};

/// A login on a user object.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UserRef {
    /// The login (`octocat`, or `<app-slug>[bot]` for Apps).
    pub login: String,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// A repository reference inside a pull request's head or base.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RepoName {
    /// `owner/name`.
    pub full_name: String,
}

/// One side (head or base) of a pull request.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullBranch {
    /// Branch name.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// Commit SHA.
    pub sha: String,
    /// The repository; `None` when a fork was deleted.
    pub repo: Option<RepoName>,
}

/// A pull request (`GET /repos/{owner}/{repo}/pulls/{pull_number}`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullRequest {
    /// Number.
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Draft flag.
    #[serde(default)]
    pub draft: bool,
    /// Whether it was merged.
    #[serde(default)]
    pub merged: Option<bool>,
    /// The head (commits to review).
    pub head: PullBranch,
    /// The base (where config is read from).
    pub base: PullBranch,
    /// Author.
    pub user: Option<UserRef>,
    /// Number of changed files, when GitHub reports it.
    #[serde(default)]
    pub changed_files: Option<u64>,
}

/// A changed file of a pull request (a `diff-entry`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullFile {
    /// Path in the head.
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed`, `unchanged`, or newer.
    pub status: String,
    /// Lines added.
    #[serde(default)]
    pub additions: u64,
    /// Lines deleted.
    #[serde(default)]
    pub deletions: u64,
    /// The hunks; absent for binary files and diffs too large for GitHub.
    #[serde(default)]
    pub patch: Option<String>,
    /// The old path, for renames.
    #[serde(default)]
    pub previous_filename: Option<String>,
    /// Blob SHA in the head.
    #[serde(default)]
    pub sha: Option<String>,
}

/// One entry of a git tree.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TreeEntry {
    /// Path relative to the tree root.
    pub path: String,
    /// File mode (`100644`, `100755`, `040000`, `160000`, `120000`).
    #[serde(default)]
    pub mode: String,
    /// `blob`, `tree` or `commit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Object SHA.
    pub sha: String,
    /// Size in bytes (blobs only).
    #[serde(default)]
    pub size: Option<u64>,
}

/// A git tree (`GET /repos/{owner}/{repo}/git/trees/{sha}`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Tree {
    /// Tree SHA.
    pub sha: String,
    /// Entries.
    pub tree: Vec<TreeEntry>,
    /// True when GitHub cut a recursive listing short; walk subtrees one at a time then.
    #[serde(default)]
    pub truncated: bool,
}

/// An inline review comment already on a pull request.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ReviewComment {
    /// Comment id.
    pub id: u64,
    /// The review it belongs to.
    #[serde(default)]
    pub pull_request_review_id: Option<u64>,
    /// File path.
    pub path: String,
    /// Line in the file on `side`; `None` when the comment is outdated.
    #[serde(default)]
    pub line: Option<u64>,
    /// Line when the comment was made.
    #[serde(default)]
    pub original_line: Option<u64>,
    /// First line of a multi-line comment.
    #[serde(default)]
    pub start_line: Option<u64>,
    /// `LEFT` or `RIGHT`.
    #[serde(default)]
    pub side: Option<String>,
    /// Markdown body (carries failmode's fingerprint marker).
    #[serde(default)]
    pub body: String,
    /// Commit the comment is on.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The comment this one replies to.
    #[serde(default)]
    pub in_reply_to_id: Option<u64>,
    /// Author.
    pub user: Option<UserRef>,
}

/// A review already on a pull request.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Review {
    /// Review id.
    pub id: u64,
    /// Body (may be empty or null).
    #[serde(default)]
    pub body: Option<String>,
    /// `COMMENTED`, `APPROVED`, `CHANGES_REQUESTED`, `PENDING`, `DISMISSED`.
    pub state: String,
    /// Commit reviewed.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// Author.
    pub user: Option<UserRef>,
}

/// Which version of the file a comment line refers to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum Side {
    /// The base version (deleted lines).
    Left,
    /// The head version (added and context lines).
    Right,
}

/// The verdict of a review. failmode posts `Comment`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewEvent {
    /// A plain review.
    Comment,
    /// Approve.
    Approve,
    /// Request changes.
    RequestChanges,
}

/// One inline comment of a review to post. Single-line comments leave `start_line` empty;
/// GitHub rejects `start_line == line`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewReviewComment {
    /// File path.
    pub path: String,
    /// Markdown body.
    pub body: String,
    /// Line in the file on `side` (last line of a range).
    pub line: u64,
    /// Side of `line`.
    pub side: Side,
    /// First line of a multi-line range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u64>,
    /// Side of `start_line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<Side>,
}

/// A review to post (`POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewReview {
    /// The head SHA that was reviewed (pinned so comments land on the right commit).
    pub commit_id: String,
    /// Top-level body (required for `COMMENT`).
    pub body: String,
    /// Verdict. `None` leaves the review PENDING: invisible to others until submitted. failmode
    /// only does that to find which comment GitHub refuses, and deletes it right after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<ReviewEvent>,
    /// Inline comments.
    pub comments: Vec<NewReviewComment>,
}

/// `status` of a check run.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Waiting to start.
    Queued,
    /// Running.
    InProgress,
    /// Finished (needs a conclusion).
    Completed,
}

/// `conclusion` of a completed check run.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckConclusion {
    /// Passed.
    Success,
    /// Failed.
    Failure,
    /// Neither.
    Neutral,
    /// Cancelled.
    Cancelled,
    /// Skipped.
    Skipped,
    /// Timed out.
    TimedOut,
    /// Needs a user action.
    ActionRequired,
}

/// Level of a check-run annotation.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationLevel {
    /// Informational.
    Notice,
    /// Warning.
    Warning,
    /// Failure.
    Failure,
}

/// A check-run annotation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Annotation {
    /// File path.
    pub path: String,
    /// First line.
    pub start_line: u64,
    /// Last line.
    pub end_line: u64,
    /// Level.
    pub annotation_level: AnnotationLevel,
    /// Message.
    pub message: String,
    /// Short title (≤ 255 chars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_details: Option<String>,
}

/// The output of a check run. Any number of annotations may be given: the client sends them
/// 50 per request, as GitHub requires (they append).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckRunOutput {
    /// Title.
    pub title: String,
    /// Markdown summary (≤ 65,535 chars).
    pub summary: String,
    /// Markdown details (≤ 65,535 chars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Annotations.
    pub annotations: Vec<Annotation>,
}

/// A check run to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckRun {
    /// Check name (e.g. `failmode`).
    pub name: String,
    /// Commit.
    pub head_sha: String,
    /// Status.
    pub status: CheckStatus,
    /// Conclusion (required when `status` is completed).
    pub conclusion: Option<CheckConclusion>,
    /// Your own id for the run (e.g. the job id).
    pub external_id: Option<String>,
    /// Output.
    pub output: Option<CheckRunOutput>,
}

/// Changes to an existing check run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckRunUpdate {
    /// New status.
    pub status: Option<CheckStatus>,
    /// Conclusion (sets status to completed).
    pub conclusion: Option<CheckConclusion>,
    /// Output.
    pub output: Option<CheckRunOutput>,
}

/// A check run as GitHub returns it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CheckRun {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Commit.
    pub head_sha: String,
    /// Status as GitHub reports it.
    pub status: String,
    /// Conclusion, once completed.
    #[serde(default)]
    pub conclusion: Option<String>,
    /// External id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Web URL.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// One webhook delivery in the App's delivery log (`GET /app/hook/deliveries`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct HookDelivery {
    /// Delivery id (for redelivery).
    pub id: u64,
    /// The `X-GitHub-Delivery` GUID (reused by redeliveries).
    pub guid: String,
    /// When it was delivered.
    pub delivered_at: String,
    /// Whether this was a redelivery.
    #[serde(default)]
    pub redelivery: bool,
    /// `OK` on success.
    pub status: String,
    /// HTTP status our server answered.
    #[serde(default)]
    pub status_code: u16,
    /// Event name.
    pub event: String,
    /// Action.
    #[serde(default)]
    pub action: Option<String>,
    /// Installation.
    #[serde(default)]
    pub installation_id: Option<u64>,
    /// Repository.
    #[serde(default)]
    pub repository_id: Option<u64>,
}

/// One page of the delivery log and the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct HookDeliveryPage {
    /// Deliveries, newest first.
    pub deliveries: Vec<HookDelivery>,
    /// Cursor for the next (older) page, `None` on the last page.
    pub next_cursor: Option<String>,
}

/// What `POST /app-manifests/{code}/conversions` answers: the App the manifest flow just
/// registered, with the secrets GitHub shows only this once. `Debug` hides the secrets.
#[derive(Deserialize, Clone)]
pub struct ManifestConversion {
    /// The App id (`FAILMODE_APP_ID`).
    pub id: u64,
    /// The App's slug; its bot user is `<slug>[bot]`.
    pub slug: String,
    /// The App's page on GitHub, e.g. `https://github.com/apps/failmode`; installing is
    /// `<html_url>/installations/new`.
    pub html_url: String,
    /// The App's private key (PEM).
    pub pem: String,
    /// The webhook secret GitHub generated; `null` when the App has none.
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for ManifestConversion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManifestConversion")
            .field("id", &self.id)
            .field("slug", &self.slug)
            .field("html_url", &self.html_url)
            .field("pem", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .finish()
    }
}

/// A review thread on a pull request, as the GraphQL `reviewThreads` connection lists it: the
/// only place GitHub tells whether a thread is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewThread {
    /// The thread's node id (`PRRT_…`), for `resolveReviewThread`.
    pub id: String,
    /// Whether someone (a person, or the App) resolved it.
    pub is_resolved: bool,
    /// The REST id of the thread's first comment; `None` when GitHub did not say.
    pub root_comment_id: Option<u64>,
}
