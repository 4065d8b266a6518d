//! The errors every GitHub call can end in, classified so the caller knows whether retrying
//! later can help.

use chrono::{DateTime, Utc};

/// Why a GitHub REST call failed after the client's own retries.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// A network failure, timeout or 5xx that persisted through every retry. Retry the job later.
    #[error(
        "GitHub is unreachable or failing ({endpoint}): {reason}; the job should be retried later"
    )]
    Transient {
        /// The endpoint template, e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}`.
        endpoint: String,
        /// What the last attempt saw.
        reason: String,
    },
    /// GitHub's primary or secondary rate limit applies until `until`. Retry after that.
    #[error("GitHub rate limit reached on {endpoint}; retry after {until}")]
    RateLimited {
        /// The endpoint template.
        endpoint: String,
        /// When requests may resume.
        until: DateTime<Utc>,
    },
    /// The resource does not exist, or the installation cannot see it (GitHub answers 404 for
    /// both). Not retryable.
    #[error("GitHub answered 404 Not Found for {endpoint}: the resource does not exist or the App installation has no access to it")]
    NotFound {
        /// The endpoint template.
        endpoint: String,
    },
    /// GitHub rejected the request as invalid (422), e.g. a review comment outside the diff.
    /// Not retryable as is: fix the request.
    #[error("GitHub rejected the request to {endpoint} (422 {message}): {}", errors.join("; "))]
    Unprocessable {
        /// The endpoint template.
        endpoint: String,
        /// GitHub's `message`.
        message: String,
        /// GitHub's `errors` array, each entry as text (strings verbatim, objects by `message`
        /// or as JSON).
        errors: Vec<String>,
    },
    /// The credentials were refused even after fetching a fresh installation token: the App id,
    /// private key or installation is wrong, or the App was uninstalled.
    #[error("GitHub refused the credentials for {endpoint} (401): check FAILMODE_APP_ID and the private key, and that the App is still installed")]
    Unauthorized {
        /// The endpoint template.
        endpoint: String,
    },
    /// GitHub's answer was larger than failmode reads from that endpoint (a file or archive
    /// over its size cap, say). It was read no further, so memory stayed under `limit`. Not
    /// retryable: the same answer would come back.
    #[error("GitHub's answer to {endpoint} is larger than {limit} bytes, the most failmode reads from it; it was read no further and is not retried")]
    TooLarge {
        /// The endpoint template.
        endpoint: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// Any other failure: a 4xx such as 403 without rate limiting (missing permission), an
    /// unexpected body, or a local configuration problem.
    #[error("GitHub call {endpoint} failed{}: {message}", status.map(|s| format!(" with status {s}")).unwrap_or_default())]
    Other {
        /// The endpoint template.
        endpoint: String,
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// What went wrong and, where known, what to do.
        message: String,
    },
}

impl GithubError {
    /// Whether retrying the same call later can succeed (transient failures and rate limits).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            GithubError::Transient { .. } | GithubError::RateLimited { .. }
        )
    }

    /// The earliest time a retry makes sense, for rate limits.
    pub fn retry_not_before(&self) -> Option<DateTime<Utc>> {
        match self {
            GithubError::RateLimited { until, .. } => Some(*until),
            _ => None,
        }
    }
}
