//! Webhook deliveries: the `X-Hub-Signature-256` check and parsing of the events failmode acts on
//! into small domain types (github-platform.md §1).
//!
//! The server must hand [`verify_signature`] the raw body bytes exactly as received, before any
//! JSON parsing, and only then call [`Event::parse`].

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// Why a webhook delivery was rejected. The server answers 401 for signature problems and 400
/// for payload problems.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No `X-Hub-Signature-256` header arrived.
    #[error("the delivery has no X-Hub-Signature-256 header; set a webhook secret on the GitHub App so GitHub signs deliveries")]
    MissingSignature,
    /// The header is not `sha256=<64 lower-case hex digits>`.
    #[error("the X-Hub-Signature-256 header is not of the form sha256=<hex>")]
    MalformedSignature,
    /// The signature does not match the body under the configured secret.
    #[error("the webhook signature does not match; check that FAILMODE_WEBHOOK_SECRET equals the App's webhook secret")]
    SignatureMismatch,
    /// The body is not the JSON GitHub sends for this event.
    #[error("the {event} delivery body is not a valid payload: {reason}")]
    MalformedPayload {
        /// The `X-GitHub-Event` value.
        event: String,
        /// What was wrong, from the JSON parser or the field check.
        reason: String,
    },
}

/// Checks `header_value` (the `X-Hub-Signature-256` header) against the HMAC-SHA256 of
/// `raw_body` keyed with the webhook `secret`, in constant time.
pub fn verify_signature(
    secret: &[u8],
    raw_body: &[u8],
    header_value: Option<&str>,
) -> Result<(), WebhookError> {
    let header_value = header_value.ok_or(WebhookError::MissingSignature)?;
    let hex_part = header_value
        .trim()
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    let expected = hex::decode(hex_part).map_err(|_| WebhookError::MalformedSignature)?;
    if expected.len() != 32 {
        return Err(WebhookError::MalformedSignature);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::SignatureMismatch)?;
    mac.update(raw_body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// Computes the `X-Hub-Signature-256` header value GitHub would send for `raw_body`; used to
/// sign redeliveries in tests and by tools that replay deliveries.
pub fn sign(secret: &[u8], raw_body: &[u8]) -> String {
    // HMAC accepts keys of any length, so the error arm is unreachable in practice.
    match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(raw_body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        Err(_) => String::new(),
    }
}

/// A repository named in a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRef {
    /// The owner's login (user or organisation).
    pub owner: String,
    /// The repository name without the owner.
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
}

/// What happened to a pull request (`pull_request` event `action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullRequestAction {
    /// A new pull request.
    Opened,
    /// New commits were pushed to the head branch.
    Synchronize,
    /// A closed pull request was reopened.
    Reopened,
    /// A draft became ready for review.
    ReadyForReview,
    /// Ready became draft.
    ConvertedToDraft,
    /// Title, body or base branch changed; `base_changed` is true when `changes.base` is present.
    Edited {
        /// Whether the base branch changed (the only edit that warrants a re-review).
        base_changed: bool,
    },
    /// Closed, merged or not.
    Closed {
        /// Whether the pull request was merged.
        merged: bool,
    },
    /// Any other action (labeled, assigned, ...), by its GitHub name.
    Other(String),
}

/// What happened to a check run (`check_run` event `action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckRunAction {
    /// A user asked to re-run this check.
    Rerequested,
    /// A user clicked one of the check run's action buttons.
    RequestedAction {
        /// The `identifier` of the button.
        identifier: String,
    },
    /// Any other action (created, completed), by its GitHub name.
    Other(String),
}

/// What happened to a check suite (`check_suite` event `action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckSuiteAction {
    /// GitHub created a suite for a push.
    Requested,
    /// A user asked to re-run the whole suite.
    Rerequested,
    /// Any other action (completed), by its GitHub name.
    Other(String),
}

/// A webhook delivery reduced to what failmode needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The App's hook was created or pinged; answer 2xx.
    Ping {
        /// GitHub's zen line.
        zen: Option<String>,
        /// The hook id.
        hook_id: Option<u64>,
        /// The App id, present on App hooks.
        app_id: Option<u64>,
    },
    /// A pull request changed.
    PullRequest {
        /// What happened.
        action: PullRequestAction,
        /// The installation the delivery is for (absent on non-App deliveries).
        installation_id: Option<u64>,
        /// The base repository (where reviews and check runs are written).
        repo: RepoRef,
        /// Pull request number.
        number: u64,
        /// Head commit SHA: the commit to review.
        head_sha: String,
        /// `owner/name` of the head repository; differs from `repo` for forks and is `None`
        /// when the fork was deleted.
        head_repo_full_name: Option<String>,
        /// Base branch name.
        base_ref: String,
        /// Base commit SHA.
        base_sha: String,
        /// Whether the pull request is a draft.
        draft: bool,
        /// For `synchronize`: the head SHA before the push.
        before: Option<String>,
        /// For `synchronize`: the head SHA after the push.
        after: Option<String>,
    },
    /// A check run changed.
    CheckRun {
        /// What happened.
        action: CheckRunAction,
        /// The installation the delivery is for.
        installation_id: Option<u64>,
        /// The repository.
        repo: RepoRef,
        /// The check run's id.
        check_run_id: u64,
        /// The check run's name.
        name: String,
        /// The commit the check run is on.
        head_sha: String,
        /// Pull request numbers; empty for fork PRs (github-platform.md §1.9).
        pull_requests: Vec<u64>,
        /// The App that owns the check run.
        app_id: Option<u64>,
    },
    /// A check suite changed.
    CheckSuite {
        /// What happened.
        action: CheckSuiteAction,
        /// The installation the delivery is for.
        installation_id: Option<u64>,
        /// The repository.
        repo: RepoRef,
        /// The suite's id.
        check_suite_id: u64,
        /// The commit the suite is on.
        head_sha: String,
        /// The branch, `None` for fork pushes.
        head_branch: Option<String>,
        /// Pull request numbers; empty for fork PRs.
        pull_requests: Vec<u64>,
    },
    /// The App was installed, uninstalled, suspended, ...
    Installation {
        /// `created`, `deleted`, `suspend`, `unsuspend`, `new_permissions_accepted`.
        action: String,
        /// The installation.
        installation_id: u64,
        /// The account the App is installed on.
        account_login: Option<String>,
        /// `owner/name` of the repositories listed in the delivery.
        repositories: Vec<String>,
    },
    /// Repositories were added to or removed from an installation.
    InstallationRepositories {
        /// `added` or `removed`.
        action: String,
        /// The installation.
        installation_id: u64,
        /// `owner/name` of added repositories.
        added: Vec<String>,
        /// `owner/name` of removed repositories.
        removed: Vec<String>,
    },
    /// An inline review comment was written, edited or deleted (`pull_request_review_comment`).
    /// failmode reads only replies to its own threads that start with `/failmode`.
    ReviewComment {
        /// `created`, `edited` or `deleted`.
        action: String,
        /// The installation the delivery is for.
        installation_id: Option<u64>,
        /// The base repository.
        repo: RepoRef,
        /// Pull request number.
        number: u64,
        /// The pull request's head commit when the comment was written.
        head_sha: String,
        /// The comment's id.
        comment_id: u64,
        /// The comment it replies to (the thread's first comment), if any.
        in_reply_to_id: Option<u64>,
        /// Its Markdown body.
        body: String,
        /// Who wrote it.
        author: String,
        /// `User`, `Bot` or `Organization`.
        author_kind: Option<String>,
    },
    /// Any other event; acknowledged and ignored.
    Other {
        /// The `X-GitHub-Event` value.
        event: String,
        /// The body's `action`, if any.
        action: Option<String>,
        /// The installation, if any.
        installation_id: Option<u64>,
    },
}

#[derive(Deserialize)]
struct IdOnly {
    id: u64,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct WireRepo {
    name: String,
    full_name: String,
    owner: Option<Login>,
}

impl WireRepo {
    fn into_ref(self) -> RepoRef {
        let owner = match self.owner {
            Some(owner) => owner.login,
            None => self
                .full_name
                .split_once('/')
                .map(|(owner, _)| owner.to_string())
                .unwrap_or_default(),
        };
        RepoRef {
            owner,
            name: self.name,
            full_name: self.full_name,
        }
    }
}

#[derive(Deserialize)]
struct FullName {
    full_name: String,
}

#[derive(Deserialize)]
struct WireBranch {
    #[serde(rename = "ref")]
    git_ref: String,
    sha: String,
    repo: Option<FullName>,
}

#[derive(Deserialize)]
struct WirePull {
    number: u64,
    head: WireBranch,
    base: WireBranch,
    #[serde(default)]
    draft: Option<bool>,
    #[serde(default)]
    merged: Option<bool>,
}

#[derive(Deserialize)]
struct WirePullRequestEvent {
    action: String,
    pull_request: WirePull,
    repository: WireRepo,
    installation: Option<IdOnly>,
    before: Option<String>,
    after: Option<String>,
    changes: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct PullNumber {
    number: u64,
}

#[derive(Deserialize)]
struct WireCheckRun {
    id: u64,
    name: String,
    head_sha: String,
    #[serde(default)]
    pull_requests: Vec<PullNumber>,
    app: Option<IdOnly>,
}

#[derive(Deserialize)]
struct WireRequestedAction {
    identifier: String,
}

#[derive(Deserialize)]
struct WireCheckRunEvent {
    action: String,
    check_run: WireCheckRun,
    requested_action: Option<WireRequestedAction>,
    repository: WireRepo,
    installation: Option<IdOnly>,
}

#[derive(Deserialize)]
struct WireCheckSuite {
    id: u64,
    head_sha: String,
    head_branch: Option<String>,
    #[serde(default)]
    pull_requests: Vec<PullNumber>,
}

#[derive(Deserialize)]
struct WireCheckSuiteEvent {
    action: String,
    check_suite: WireCheckSuite,
    repository: WireRepo,
    installation: Option<IdOnly>,
}

#[derive(Deserialize)]
struct WireInstallation {
    id: u64,
    account: Option<Login>,
}

#[derive(Deserialize)]
struct WireInstallationEvent {
    action: String,
    installation: WireInstallation,
    #[serde(default)]
    repositories: Option<Vec<FullName>>,
}

#[derive(Deserialize)]
struct WireInstallationRepositoriesEvent {
    action: String,
    installation: IdOnly,
    #[serde(default)]
    repositories_added: Vec<FullName>,
    #[serde(default)]
    repositories_removed: Vec<FullName>,
}

#[derive(Deserialize)]
struct WireCommentAuthor {
    login: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct WireReviewComment {
    id: u64,
    #[serde(default)]
    in_reply_to_id: Option<u64>,
    #[serde(default)]
    body: Option<String>,
    user: Option<WireCommentAuthor>,
}

#[derive(Deserialize)]
struct WireReviewCommentEvent {
    action: String,
    comment: WireReviewComment,
    pull_request: WirePull,
    repository: WireRepo,
    installation: Option<IdOnly>,
}

#[derive(Deserialize)]
struct WireHook {
    app_id: Option<u64>,
}

#[derive(Deserialize)]
struct WirePing {
    zen: Option<String>,
    hook_id: Option<u64>,
    hook: Option<WireHook>,
}

#[derive(Deserialize)]
struct WireOther {
    action: Option<String>,
    installation: Option<IdOnly>,
}

fn decode<'a, T: Deserialize<'a>>(event: &str, body: &'a [u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body).map_err(|err| WebhookError::MalformedPayload {
        event: event.to_string(),
        reason: err.to_string(),
    })
}

fn full_names(list: Vec<FullName>) -> Vec<String> {
    list.into_iter().map(|repo| repo.full_name).collect()
}

impl Event {
    /// Parses a delivery from its `X-GitHub-Event` header and raw body. Unknown events become
    /// [`Event::Other`]; a body that is not the JSON GitHub sends is a
    /// [`WebhookError::MalformedPayload`].
    pub fn parse(event: &str, body: &[u8]) -> Result<Event, WebhookError> {
        match event {
            "ping" => {
                let ping: WirePing = decode(event, body)?;
                Ok(Event::Ping {
                    zen: ping.zen,
                    hook_id: ping.hook_id,
                    app_id: ping.hook.and_then(|hook| hook.app_id),
                })
            }
            "pull_request" => {
                let wire: WirePullRequestEvent = decode(event, body)?;
                let pull = wire.pull_request;
                let action = match wire.action.as_str() {
                    "opened" => PullRequestAction::Opened,
                    "synchronize" => PullRequestAction::Synchronize,
                    "reopened" => PullRequestAction::Reopened,
                    "ready_for_review" => PullRequestAction::ReadyForReview,
                    "converted_to_draft" => PullRequestAction::ConvertedToDraft,
                    "edited" => PullRequestAction::Edited {
                        base_changed: wire
                            .changes
                            .as_ref()
                            .and_then(|changes| changes.get("base"))
                            .is_some(),
                    },
                    "closed" => PullRequestAction::Closed {
                        merged: pull.merged.unwrap_or(false),
                    },
                    other => PullRequestAction::Other(other.to_string()),
                };
                Ok(Event::PullRequest {
                    action,
                    installation_id: wire.installation.map(|i| i.id),
                    repo: wire.repository.into_ref(),
                    number: pull.number,
                    head_sha: pull.head.sha,
                    head_repo_full_name: pull.head.repo.map(|repo| repo.full_name),
                    base_ref: pull.base.git_ref,
                    base_sha: pull.base.sha,
                    draft: pull.draft.unwrap_or(false),
                    before: wire.before,
                    after: wire.after,
                })
            }
            "check_run" => {
                let wire: WireCheckRunEvent = decode(event, body)?;
                let action =
                    match wire.action.as_str() {
                        "rerequested" => CheckRunAction::Rerequested,
                        "requested_action" => match wire.requested_action {
                            Some(requested) => CheckRunAction::RequestedAction {
                                identifier: requested.identifier,
                            },
                            None => return Err(WebhookError::MalformedPayload {
                                event: event.to_string(),
                                reason:
                                    "requested_action delivery without a requested_action object"
                                        .to_string(),
                            }),
                        },
                        other => CheckRunAction::Other(other.to_string()),
                    };
                Ok(Event::CheckRun {
                    action,
                    installation_id: wire.installation.map(|i| i.id),
                    repo: wire.repository.into_ref(),
                    check_run_id: wire.check_run.id,
                    name: wire.check_run.name,
                    head_sha: wire.check_run.head_sha,
                    pull_requests: wire
                        .check_run
                        .pull_requests
                        .into_iter()
                        .map(|p| p.number)
                        .collect(),
                    app_id: wire.check_run.app.map(|app| app.id),
                })
            }
            "pull_request_review_comment" => {
                let wire: WireReviewCommentEvent = decode(event, body)?;
                let (author, author_kind) = match wire.comment.user {
                    Some(user) => (user.login, user.kind),
                    None => (String::new(), None),
                };
                Ok(Event::ReviewComment {
                    action: wire.action,
                    installation_id: wire.installation.map(|i| i.id),
                    repo: wire.repository.into_ref(),
                    number: wire.pull_request.number,
                    head_sha: wire.pull_request.head.sha,
                    comment_id: wire.comment.id,
                    in_reply_to_id: wire.comment.in_reply_to_id,
                    body: wire.comment.body.unwrap_or_default(),
                    author,
                    author_kind,
                })
            }
            "check_suite" => {
                let wire: WireCheckSuiteEvent = decode(event, body)?;
                let action = match wire.action.as_str() {
                    "requested" => CheckSuiteAction::Requested,
                    "rerequested" => CheckSuiteAction::Rerequested,
                    other => CheckSuiteAction::Other(other.to_string()),
                };
                Ok(Event::CheckSuite {
                    action,
                    installation_id: wire.installation.map(|i| i.id),
                    repo: wire.repository.into_ref(),
                    check_suite_id: wire.check_suite.id,
                    head_sha: wire.check_suite.head_sha,
                    head_branch: wire.check_suite.head_branch,
                    pull_requests: wire
                        .check_suite
                        .pull_requests
                        .into_iter()
                        .map(|p| p.number)
                        .collect(),
                })
            }
            "installation" => {
                let wire: WireInstallationEvent = decode(event, body)?;
                Ok(Event::Installation {
                    action: wire.action,
                    installation_id: wire.installation.id,
                    account_login: wire.installation.account.map(|a| a.login),
                    repositories: full_names(wire.repositories.unwrap_or_default()),
                })
            }
            "installation_repositories" => {
                let wire: WireInstallationRepositoriesEvent = decode(event, body)?;
                Ok(Event::InstallationRepositories {
                    action: wire.action,
                    installation_id: wire.installation.id,
                    added: full_names(wire.repositories_added),
                    removed: full_names(wire.repositories_removed),
                })
            }
            other => {
                let wire: WireOther = decode(event, body)?;
                Ok(Event::Other {
                    event: other.to_string(),
                    action: wire.action,
                    installation_id: wire.installation.map(|i| i.id),
                })
            }
        }
    }

    /// The installation this delivery is for, if any.
    pub fn installation_id(&self) -> Option<u64> {
        match self {
            Event::Ping { .. } => None,
            Event::PullRequest {
                installation_id, ..
            }
            | Event::CheckRun {
                installation_id, ..
            }
            | Event::CheckSuite {
                installation_id, ..
            }
            | Event::ReviewComment {
                installation_id, ..
            }
            | Event::Other {
                installation_id, ..
            } => *installation_id,
            Event::Installation {
                installation_id, ..
            }
            | Event::InstallationRepositories {
                installation_id, ..
            } => Some(*installation_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    const VECTOR_SECRET: &str = "It's a Secret to Everybody";
    const VECTOR_SIGNATURE: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn official_test_vector_verifies() {
        verify_signature(
            VECTOR_SECRET.as_bytes(),
            b"Hello, World!",
            Some(VECTOR_SIGNATURE),
        )
        .expect("GitHub's published vector must verify");
        assert_eq!(
            sign(VECTOR_SECRET.as_bytes(), b"Hello, World!"),
            VECTOR_SIGNATURE
        );
    }

    #[test]
    fn tampered_body_wrong_secret_and_bad_headers_are_rejected() {
        assert!(matches!(
            verify_signature(
                VECTOR_SECRET.as_bytes(),
                b"Hello, World?",
                Some(VECTOR_SIGNATURE)
            ),
            Err(WebhookError::SignatureMismatch)
        ));
        assert!(matches!(
            verify_signature(b"another secret", b"Hello, World!", Some(VECTOR_SIGNATURE)),
            Err(WebhookError::SignatureMismatch)
        ));
        assert!(matches!(
            verify_signature(VECTOR_SECRET.as_bytes(), b"Hello, World!", None),
            Err(WebhookError::MissingSignature)
        ));
        let sha1 = VECTOR_SIGNATURE.replace("sha256=", "sha1=");
        assert!(matches!(
            verify_signature(VECTOR_SECRET.as_bytes(), b"Hello, World!", Some(&sha1)),
            Err(WebhookError::MalformedSignature)
        ));
        assert!(matches!(
            verify_signature(
                VECTOR_SECRET.as_bytes(),
                b"Hello, World!",
                Some("sha256=zz")
            ),
            Err(WebhookError::MalformedSignature)
        ));
        assert!(matches!(
            verify_signature(
                VECTOR_SECRET.as_bytes(),
                b"Hello, World!",
                Some("sha256=abcd")
            ),
            Err(WebhookError::MalformedSignature)
        ));
    }

    fn fixture(rel: &str) -> Vec<u8> {
        let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/webhooks")
            .join(rel);
        std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    }

    fn hello_world() -> RepoRef {
        RepoRef {
            owner: "Codertocat".into(),
            name: "Hello-World".into(),
            full_name: "Codertocat/Hello-World".into(),
        }
    }

    fn pull_request_event(
        action: PullRequestAction,
        installation_id: Option<u64>,
        draft: bool,
    ) -> Event {
        Event::PullRequest {
            action,
            installation_id,
            repo: hello_world(),
            number: 2,
            head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
            head_repo_full_name: Some("Codertocat/Hello-World".into()),
            base_ref: "master".into(),
            base_sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e".into(),
            draft,
            before: None,
            after: None,
        }
    }

    #[test]
    fn pull_request_fixtures_parse() {
        let cases = [
            (
                "pull_request/opened.payload.json",
                PullRequestAction::Opened,
                Some(1),
                false,
            ),
            (
                "pull_request/opened.with-null-body.json",
                PullRequestAction::Opened,
                Some(1),
                false,
            ),
            (
                "pull_request/reopened.payload.json",
                PullRequestAction::Reopened,
                Some(1),
                false,
            ),
            (
                "pull_request/ready_for_review.payload.json",
                PullRequestAction::ReadyForReview,
                None,
                false,
            ),
            (
                "pull_request/ready_for_review.with-installation.payload.json",
                PullRequestAction::ReadyForReview,
                Some(1),
                false,
            ),
            (
                "pull_request/converted_to_draft.with-installation.payload.json",
                PullRequestAction::ConvertedToDraft,
                Some(1),
                true,
            ),
            (
                "pull_request/closed.payload.json",
                PullRequestAction::Closed { merged: false },
                Some(1),
                false,
            ),
        ];
        for (file, action, installation, draft) in cases {
            let event = Event::parse("pull_request", &fixture(file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(
                event,
                pull_request_event(action, installation, draft),
                "{file}"
            );
        }
    }

    #[test]
    fn synchronize_carries_before_and_after() {
        let event = Event::parse(
            "pull_request",
            &fixture("pull_request/synchronize.payload.json"),
        )
        .unwrap();
        let mut expected = pull_request_event(PullRequestAction::Synchronize, Some(1), false);
        if let Event::PullRequest { before, after, .. } = &mut expected {
            *before = Some("f95f852bd8fca8fcc58a9a2d6c842781e32a215e".into());
            *after = Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821".into());
        }
        assert_eq!(event, expected);
    }

    #[test]
    fn deleted_fork_head_repo_is_none_and_edited_base_is_detected() {
        let mut value: serde_json::Value =
            serde_json::from_slice(&fixture("pull_request/opened.payload.json")).unwrap();
        value["pull_request"]["head"]["repo"] = serde_json::Value::Null;
        value["action"] = "edited".into();
        value["changes"] =
            serde_json::json!({"base": {"ref": {"from": "main"}, "sha": {"from": "abc"}}});
        let event = Event::parse("pull_request", value.to_string().as_bytes()).unwrap();
        match event {
            Event::PullRequest {
                action,
                head_repo_full_name,
                ..
            } => {
                assert_eq!(action, PullRequestAction::Edited { base_changed: true });
                assert_eq!(head_repo_full_name, None);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn check_run_fixtures_parse() {
        let event =
            Event::parse("check_run", &fixture("check_run/rerequested.payload.json")).unwrap();
        assert_eq!(
            event,
            Event::CheckRun {
                action: CheckRunAction::Rerequested,
                installation_id: Some(1),
                repo: RepoRef {
                    owner: "github".into(),
                    name: "hello-world".into(),
                    full_name: "github/hello-world".into()
                },
                check_run_id: 4,
                name: "randscape".into(),
                head_sha: "d6fde92930d4715a2b49857d24b940956b26d2d3".into(),
                pull_requests: vec![],
                app_id: Some(2),
            }
        );
        let event = Event::parse(
            "check_run",
            &fixture("check_run/requested_action.payload.json"),
        )
        .unwrap();
        match event {
            Event::CheckRun {
                action,
                installation_id,
                repo,
                head_sha,
                pull_requests,
                name,
                ..
            } => {
                assert_eq!(
                    action,
                    CheckRunAction::RequestedAction {
                        identifier: "lgtm|26764".into()
                    }
                );
                assert_eq!(installation_id, Some(690857));
                assert_eq!(repo.full_name, "electron/electron");
                assert_eq!(repo.owner, "electron");
                assert_eq!(head_sha, "5bd5f196a46b8222fb7484f05faba41a73cf34bd");
                assert_eq!(pull_requests, vec![26764]);
                assert_eq!(name, "API Review");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn check_suite_fixtures_parse() {
        let event = Event::parse(
            "check_suite",
            &fixture("check_suite/requested.payload.json"),
        )
        .unwrap();
        assert_eq!(
            event,
            Event::CheckSuite {
                action: CheckSuiteAction::Requested,
                installation_id: Some(957387),
                repo: hello_world(),
                check_suite_id: 118578174,
                head_sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e".into(),
                head_branch: Some("master".into()),
                pull_requests: vec![],
            }
        );
        let event = Event::parse(
            "check_suite",
            &fixture("check_suite/rerequested.payload.json"),
        )
        .unwrap();
        assert_eq!(
            event,
            Event::CheckSuite {
                action: CheckSuiteAction::Rerequested,
                installation_id: Some(957387),
                repo: hello_world(),
                check_suite_id: 118578147,
                head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
                head_branch: Some("changes".into()),
                pull_requests: vec![2],
            }
        );
    }

    #[test]
    fn installation_fixtures_parse() {
        let created = Event::parse(
            "installation",
            &fixture("installation/created.payload.json"),
        )
        .unwrap();
        match created {
            Event::Installation {
                action,
                installation_id,
                account_login,
                repositories,
            } => {
                assert_eq!(action, "created");
                assert_eq!(installation_id, 957387);
                assert_eq!(account_login.as_deref(), Some("Codertocat"));
                assert_eq!(repositories, vec!["Codertocat/Hello-World".to_string()]);
            }
            other => panic!("unexpected {other:?}"),
        }
        let deleted = Event::parse(
            "installation",
            &fixture("installation/deleted.payload.json"),
        )
        .unwrap();
        assert!(
            matches!(deleted, Event::Installation { ref action, installation_id: 2, .. } if action == "deleted")
        );
        let added = Event::parse(
            "installation_repositories",
            &fixture("installation_repositories/added.payload.json"),
        )
        .unwrap();
        match added {
            Event::InstallationRepositories {
                action,
                installation_id,
                added,
                removed,
            } => {
                assert_eq!(action, "added");
                assert_eq!(installation_id, 957387);
                assert_eq!(added, vec!["Codertocat/Space".to_string()]);
                assert!(removed.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
        let removed = Event::parse(
            "installation_repositories",
            &fixture("installation_repositories/removed.payload.json"),
        )
        .unwrap();
        match removed {
            Event::InstallationRepositories {
                action,
                installation_id,
                added,
                removed,
            } => {
                assert_eq!(action, "removed");
                assert_eq!(installation_id, 2);
                assert!(added.is_empty());
                assert_eq!(removed.len(), 1);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ping_fixtures_parse() {
        let ping = Event::parse("ping", &fixture("ping/payload.json")).unwrap();
        assert!(matches!(
            ping,
            Event::Ping {
                hook_id: Some(109948940),
                app_id: None,
                ..
            }
        ));
        let app_ping = Event::parse("ping", &fixture("ping/with-app_id.payload.json")).unwrap();
        match app_ping {
            Event::Ping {
                zen,
                hook_id,
                app_id,
            } => {
                assert_eq!(
                    zen.as_deref(),
                    Some("Anything added dilutes everything else.")
                );
                assert_eq!(hook_id, Some(109948940));
                assert!(app_id.is_some());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_events_are_other_and_malformed_json_is_a_typed_error() {
        let other =
            Event::parse("star", br#"{"action":"created","installation":{"id":7}}"#).unwrap();
        assert_eq!(
            other,
            Event::Other {
                event: "star".into(),
                action: Some("created".into()),
                installation_id: Some(7)
            }
        );
        for (event, body) in [
            ("pull_request", &b"{not json"[..]),
            ("pull_request", &br#"{"action":"opened"}"#[..]),
            ("check_run", &br#"{"action":"requested_action","check_run":{"id":1,"name":"x","head_sha":"a"},"repository":{"name":"r","full_name":"o/r"}}"#[..]),
            ("ping", &b"[1,2"[..]),
            ("star", &b""[..]),
        ] {
            match Event::parse(event, body) {
                Err(WebhookError::MalformedPayload { event: e, .. }) => assert_eq!(e, event),
                other => panic!("{event} {:?}: expected MalformedPayload, got {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}
