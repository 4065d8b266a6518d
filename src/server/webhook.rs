//! `POST /webhook`: refuse from the headers alone what cannot succeed (no or malformed
//! signature, missing GitHub headers, not JSON, a `Content-Length` over the limit, shutting
//! down), read the body within a size limit, a deadline and a cap on requests read at once,
//! verify the signature on the raw body, parse the event, and store a job durably before
//! answering. GitHub does not redeliver on its own, so a 202 is only ever sent for
//! work that is in the database; when the database is unreachable the answer is 503, which GitHub
//! records as a failed delivery that recovery can redeliver.

use super::app::ServerState;
use crate::github::webhook::{
    verify_signature, CheckRunAction, CheckSuiteAction, Event, PullRequestAction, WebhookError,
};
use crate::queue::{Delivery, Enqueued, JobKind, NewJob};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;
use tracing::Instrument;

/// What a delivery asks for, after parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum Intake {
    /// Answer and do nothing (ping, irrelevant events and actions).
    Acknowledge(&'static str),
    /// Store this job.
    Enqueue(NewJob),
    /// A re-run request for a head SHA whose pull request must be looked up in the store.
    RerunHead {
        /// The delivery.
        delivery: Delivery,
        /// The installation.
        installation_id: i64,
        /// `owner/name`.
        repo: String,
        /// The commit to review again.
        head_sha: String,
        /// Pull request numbers GitHub gave (empty for forks).
        pull_requests: Vec<u64>,
    },
}

/// How long a request waits for room among the requests read at once before it is answered
/// 503; well under the 10 s GitHub waits for an answer.
const IN_FLIGHT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// A request refused before (all of) its body was read: the status and the message.
type Refusal = (StatusCode, &'static str);

/// The answer to a request refused without reading the (rest of the) body: the connection is
/// closed after it.
fn refuse((status, message): Refusal) -> Response {
    let mut response = answer(status, message);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Whether `value` has the shape of an `X-Hub-Signature-256` header: `sha256=` and 64 hex digits.
fn is_signature_shaped(value: &str) -> bool {
    value
        .trim()
        .strip_prefix("sha256=")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Refuses, from the headers alone, a request that cannot succeed, so its body is never read.
fn check_headers(state: &ServerState, headers: &HeaderMap) -> Result<(), Refusal> {
    if !header(headers, "x-hub-signature-256").is_some_and(is_signature_shaped) {
        tracing::warn!("rejected delivery: no well-formed X-Hub-Signature-256 header");
        return Err((StatusCode::UNAUTHORIZED, "signature check failed"));
    }
    let present = |name| header(headers, name).is_some_and(|v| !v.is_empty());
    if !present("x-github-event") || !present("x-github-delivery") {
        return Err((
            StatusCode::BAD_REQUEST,
            "missing X-GitHub-Event or X-GitHub-Delivery header",
        ));
    }
    let json = header(headers, "content-type").is_some_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the webhook takes application/json (set the App's webhook content type to JSON)",
        ));
    }
    let declared = header(headers, "content-length").map(|v| v.trim().parse::<u64>());
    match declared {
        Some(Ok(n)) if n > state.intake_limits.max_body_bytes as u64 => {
            tracing::warn!(
                content_length = n,
                limit = state.intake_limits.max_body_bytes,
                "rejected delivery: body over the limit"
            );
            return Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                "body larger than FAILMODE_MAX_WEBHOOK_BYTES",
            ));
        }
        Some(Err(_)) => {
            return Err((StatusCode::BAD_REQUEST, "malformed Content-Length"));
        }
        _ => {}
    }
    if state.is_shutting_down() {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down; redeliver later",
        ));
    }
    Ok(())
}

/// Reads the whole body, at most `max_body_bytes` of it and within `body_read_timeout`.
async fn read_body(state: &ServerState, body: Body) -> Result<Bytes, Refusal> {
    let limits = &state.intake_limits;
    let limited = http_body_util::Limited::new(body, limits.max_body_bytes);
    match tokio::time::timeout(
        limits.body_read_timeout,
        http_body_util::BodyExt::collect(limited),
    )
    .await
    {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            tracing::warn!(
                limit = limits.max_body_bytes,
                "rejected delivery: body over the limit"
            );
            Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                "body larger than FAILMODE_MAX_WEBHOOK_BYTES",
            ))
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "rejected delivery: the body could not be read");
            Err((StatusCode::BAD_REQUEST, "the body could not be read"))
        }
        Err(_elapsed) => {
            tracing::warn!(
                timeout_secs = limits.body_read_timeout.as_secs(),
                "rejected delivery: the body did not arrive in time"
            );
            Err((
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive within FAILMODE_BODY_READ_TIMEOUT_SECS",
            ))
        }
    }
}

/// The `POST /webhook` handler.
pub async fn receive(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let delivery_id = header(&headers, "x-github-delivery")
        .unwrap_or("")
        .to_string();
    let event = header(&headers, "x-github-event").unwrap_or("").to_string();
    let span = tracing::info_span!("delivery", delivery_id = %delivery_id, event = %event, repo = tracing::field::Empty, pr = tracing::field::Empty, head_sha = tracing::field::Empty);
    async move {
        let response = match check_headers(&state, &headers) {
            Err(refusal) => refuse(refusal),
            Ok(()) => {
                // Room among the requests being read bounds the memory bodies hold; a request
                // that finds none soon is shed rather than queued without end.
                match tokio::time::timeout(IN_FLIGHT_WAIT, state.intake_limits.in_flight.acquire())
                    .await
                {
                    Ok(Ok(_room)) => match read_body(&state, body).await {
                        Ok(body) => handle(&state, &headers, &body, &delivery_id, &event).await,
                        Err(refusal) => refuse(refusal),
                    },
                    _ => {
                        metrics::counter!("failmode_deliveries_shed_total").increment(1);
                        let mut busy = refuse((
                            StatusCode::SERVICE_UNAVAILABLE,
                            "too many deliveries at once; redeliver later",
                        ));
                        busy.headers_mut()
                            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                        busy
                    }
                }
            }
        };
        let status = response.status();
        let outcome = if status.is_success() { "accepted" } else { "rejected" };
        metrics::counter!("failmode_deliveries_total", "outcome" => outcome, "status" => status.as_u16().to_string()).increment(1);
        tracing::info!(status = status.as_u16(), "delivery answered");
        response
    }
    .instrument(span)
    .await
}

async fn handle(
    state: &ServerState,
    headers: &HeaderMap,
    body: &[u8],
    delivery_id: &str,
    event: &str,
) -> Response {
    if let Err(e) = verify_signature(
        state.webhook_secret.expose().as_bytes(),
        body,
        header(headers, "x-hub-signature-256"),
    ) {
        tracing::warn!(error = %e, "rejected delivery: bad signature");
        return answer(StatusCode::UNAUTHORIZED, "signature check failed");
    }
    if event.is_empty() || delivery_id.is_empty() {
        return answer(
            StatusCode::BAD_REQUEST,
            "missing X-GitHub-Event or X-GitHub-Delivery header",
        );
    }
    if state.is_shutting_down() {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down; redeliver later",
        );
    }
    let parsed = match Event::parse(event, body) {
        Ok(e) => e,
        Err(e @ WebhookError::MalformedPayload { .. }) => {
            tracing::warn!(error = %e, "rejected delivery: malformed payload");
            return answer(StatusCode::BAD_REQUEST, &e.to_string());
        }
        Err(e) => return answer(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let delivery = Delivery {
        id: delivery_id.to_string(),
        event: event.to_string(),
        action: action_of(body),
    };
    match intake(delivery, parsed, state.app_id) {
        Intake::Acknowledge(why) => answer(StatusCode::OK, why),
        Intake::Enqueue(job) => {
            let span = tracing::Span::current();
            span.record("repo", job.repo.as_str());
            span.record("pr", job.pr_number);
            span.record("head_sha", job.head_sha.as_str());
            store(state, &job).await
        }
        Intake::RerunHead {
            delivery,
            installation_id,
            repo,
            head_sha,
            pull_requests,
        } => {
            let number = match pull_requests.first() {
                Some(n) => Some(*n as i64),
                None => match state.store.pull_request_for_head(&repo, &head_sha).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = %e, "job store unreachable while resolving a re-run");
                        return answer(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "job store unavailable; redeliver later",
                        );
                    }
                },
            };
            let Some(pr_number) = number else {
                return answer(
                    StatusCode::OK,
                    "re-run for a commit failmode never reviewed; ignored",
                );
            };
            let job = NewJob {
                delivery,
                kind: JobKind::Rerun,
                installation_id,
                repo,
                pr_number,
                head_sha,
                payload: serde_json::Value::Null,
            };
            store(state, &job).await
        }
    }
}

async fn store(state: &ServerState, job: &NewJob) -> Response {
    match state.intake.store(job.clone()).await {
        Ok(Enqueued::Created(id)) => {
            tracing::info!(job_id = id.0, "job stored");
            state.wake_workers();
            answer(StatusCode::ACCEPTED, "queued")
        }
        Ok(Enqueued::Duplicate(id)) => {
            tracing::info!(
                job_id = id.0,
                "redelivery of a stored delivery; nothing new queued"
            );
            answer(StatusCode::ACCEPTED, "already queued")
        }
        Err(e) => {
            tracing::error!(error = %e, "job store unreachable; answering 503 so the delivery can be redelivered");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "job store unavailable; redeliver later",
            )
        }
    }
}

fn action_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithAction {
        action: Option<String>,
    }
    serde_json::from_slice::<WithAction>(body)
        .ok()
        .and_then(|w| w.action)
}

/// Decides what a parsed delivery asks for. Pure, so every event shape is unit-tested.
pub fn intake(delivery: Delivery, event: Event, app_id: u64) -> Intake {
    match event {
        Event::Ping { .. } => Intake::Acknowledge("pong"),
        Event::PullRequest {
            action,
            installation_id,
            repo,
            number,
            head_sha,
            draft,
            ..
        } => {
            let wanted = matches!(
                action,
                PullRequestAction::Opened
                    | PullRequestAction::Synchronize
                    | PullRequestAction::Reopened
                    | PullRequestAction::ReadyForReview
            ) || matches!(action, PullRequestAction::Edited { base_changed: true });
            let Some(installation_id) = installation_id else {
                return Intake::Acknowledge("not an App delivery (no installation); ignored");
            };
            if !wanted {
                return Intake::Acknowledge(
                    "pull request action failmode does not review; ignored",
                );
            }
            Intake::Enqueue(NewJob {
                delivery,
                kind: JobKind::Review,
                installation_id: installation_id as i64,
                repo: repo.full_name,
                pr_number: number as i64,
                head_sha,
                payload: json!({ "draft": draft }),
            })
        }
        Event::CheckRun {
            action,
            installation_id,
            repo,
            name,
            head_sha,
            pull_requests,
            app_id: owner,
            ..
        } => {
            let ours =
                owner.is_none_or(|a| a == app_id) && name == crate::review::job::CHECK_RUN_NAME;
            match (
                installation_id,
                ours,
                matches!(action, CheckRunAction::Rerequested),
            ) {
                (Some(inst), true, true) => Intake::RerunHead {
                    delivery,
                    installation_id: inst as i64,
                    repo: repo.full_name,
                    head_sha,
                    pull_requests,
                },
                _ => Intake::Acknowledge("check run event failmode does not act on; ignored"),
            }
        }
        Event::CheckSuite {
            action,
            installation_id,
            repo,
            head_sha,
            pull_requests,
            ..
        } => {
            match (
                installation_id,
                matches!(action, CheckSuiteAction::Rerequested),
            ) {
                (Some(inst), true) => Intake::RerunHead {
                    delivery,
                    installation_id: inst as i64,
                    repo: repo.full_name,
                    head_sha,
                    pull_requests,
                },
                _ => Intake::Acknowledge("check suite event failmode does not act on; ignored"),
            }
        }
        Event::ReviewComment {
            action,
            installation_id,
            repo,
            number,
            head_sha,
            comment_id,
            in_reply_to_id,
            body,
            author_kind,
            ..
        } => {
            // Only a person's new reply carrying a command; the review job checks that the
            // thread is the App's and that the author may give it.
            let command = action == "created"
                && in_reply_to_id.is_some()
                && author_kind.as_deref() != Some("Bot")
                && crate::review::commands::parse_command(&body).is_some();
            match (installation_id, command) {
                (Some(inst), true) => Intake::Enqueue(NewJob {
                    delivery,
                    kind: JobKind::Rerun,
                    installation_id: inst as i64,
                    repo: repo.full_name,
                    pr_number: number as i64,
                    head_sha,
                    payload: json!({ "command_comment": comment_id }),
                }),
                _ => Intake::Acknowledge("review comment without a failmode command; ignored"),
            }
        }
        _ => Intake::Acknowledge("event failmode does not act on; ignored"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/webhooks")
            .join(path);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn delivery(event: &str) -> Delivery {
        Delivery {
            id: "d-1".into(),
            event: event.into(),
            action: None,
        }
    }

    #[test]
    fn opened_pull_request_becomes_a_review_job() {
        let event =
            Event::parse("pull_request", &fixture("pull_request/opened.payload.json")).unwrap();
        match intake(delivery("pull_request"), event, 1) {
            Intake::Enqueue(job) => {
                assert_eq!(job.kind, JobKind::Review);
                assert!(job.repo.contains('/'));
                assert!(job.pr_number > 0);
                assert_eq!(job.head_sha.len(), 40);
            }
            // The fixture has no installation: the App never receives such deliveries.
            Intake::Acknowledge(why) => assert!(why.contains("installation"), "{why}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn closed_and_ping_are_acknowledged_only() {
        let closed =
            Event::parse("pull_request", &fixture("pull_request/closed.payload.json")).unwrap();
        assert!(matches!(
            intake(delivery("pull_request"), closed, 1),
            Intake::Acknowledge(_)
        ));
        let ping = Event::parse("ping", &fixture("ping/payload.json")).unwrap();
        assert_eq!(
            intake(delivery("ping"), ping, 1),
            Intake::Acknowledge("pong")
        );
    }

    #[test]
    fn a_command_reply_queues_a_review_of_the_head_and_other_comments_do_not() {
        let body = fixture("pull_request_review_comment/created.reply.payload.json");
        let event = Event::parse("pull_request_review_comment", &body).unwrap();
        match intake(delivery("pull_request_review_comment"), event, 1) {
            Intake::Enqueue(job) => {
                assert_eq!(job.kind, JobKind::Rerun);
                assert_eq!(job.payload, json!({ "command_comment": 11 }));
                assert_eq!(job.pr_number, 2);
            }
            other => panic!("expected a job, got {other:?}"),
        }
        let mut payload: serde_json::Value = serde_json::from_slice(&body).unwrap();
        for (field, value) in [
            ("body", json!("LGTM, but /failmode ignore this")),
            ("in_reply_to_id", serde_json::Value::Null),
        ] {
            let mut changed = payload.clone();
            changed["comment"][field] = value;
            let event = Event::parse(
                "pull_request_review_comment",
                &serde_json::to_vec(&changed).unwrap(),
            )
            .unwrap();
            assert!(matches!(
                intake(delivery("pull_request_review_comment"), event, 1),
                Intake::Acknowledge(_)
            ));
        }
        // A bot's reply (the App's own answers included) is no command.
        payload["comment"]["user"]["type"] = json!("Bot");
        let event = Event::parse(
            "pull_request_review_comment",
            &serde_json::to_vec(&payload).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            intake(delivery("pull_request_review_comment"), event, 1),
            Intake::Acknowledge(_)
        ));
    }

    #[test]
    fn check_run_rerequest_for_another_app_is_ignored() {
        let event =
            Event::parse("check_run", &fixture("check_run/rerequested.payload.json")).unwrap();
        // The fixture's check run is not named `failmode`, so it is not ours to re-run.
        assert!(matches!(
            intake(delivery("check_run"), event, 1),
            Intake::Acknowledge(_)
        ));
    }
}
