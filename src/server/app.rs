//! The server: shared state, the axum router, workers, and graceful shutdown.

use super::settings::{Secret, Settings};
use super::{metrics as prom, webhook, worker};
use crate::github::auth::AppCredentials;
use crate::github::client::{ClientSettings, GithubClient};
use crate::queue::{JobStore, RetryPolicy};
use crate::review::job::Reviewer;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub.
pub const MAX_WEBHOOK_BODY: usize = 25 * 1024 * 1024;

/// Default of how long running jobs may take to finish after SIGTERM before their leases are
/// released (`FAILMODE_SHUTDOWN_GRACE_SECS`); under the 30 s most orchestrators wait.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(25);

/// State shared by the HTTP handlers and the workers.
pub struct ServerState {
    /// The App id, to recognise our own check runs.
    pub app_id: u64,
    /// The webhook secret.
    pub webhook_secret: Secret,
    /// The durable job store.
    pub store: Arc<JobStore>,
    /// Stores deliveries in batched transactions (group commit).
    pub intake: super::intake::IntakeWriter,
    /// Runs the review of one push.
    pub reviewer: Arc<Reviewer>,
    /// How long a claim lasts without a heartbeat.
    pub job_lease: Duration,
    /// How long running jobs may take to finish after SIGTERM.
    pub shutdown_grace: Duration,
    shutting_down: AtomicBool,
    wake: Notify,
}

impl ServerState {
    /// Whether SIGTERM was received (intake then answers 503).
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Starts the shutdown: intake closes, workers stop claiming.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// Wakes idle workers (a job was just stored).
    pub fn wake_workers(&self) {
        self.wake.notify_waiters();
    }

    /// Returns once shutdown has begun.
    pub async fn wait_for_shutdown(&self) {
        while !self.is_shutting_down() {
            // Notified on shutdown (and on new work, hence the loop).
            let _woken_or_timed_out =
                tokio::time::timeout(Duration::from_millis(500), self.wake.notified()).await;
        }
    }

    /// Waits until woken or `timeout` passes.
    pub async fn wait_for_work(&self, timeout: Duration) {
        let _woken_or_timed_out = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}

/// Errors that stop the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The environment is incomplete or malformed.
    #[error(transparent)]
    Settings(#[from] super::settings::SettingsError),
    /// The job store could not be opened.
    #[error("FAILMODE_DATABASE_URL: {0}")]
    Store(#[from] crate::queue::QueueError),
    /// The GitHub client could not be built (bad private key, bad API URL).
    #[error("GitHub App setup: {0}")]
    Github(String),
    /// The listen address could not be bound.
    #[error("FAILMODE_LISTEN: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP server failed.
    #[error("the HTTP server stopped: {0}")]
    Serve(std::io::Error),
}

/// Builds the shared state from settings: opens the store (running migrations) and the client.
pub async fn build_state(settings: &Settings) -> Result<Arc<ServerState>, ServeError> {
    let retry = RetryPolicy {
        max_attempts: settings.job_max_attempts,
        ..RetryPolicy::default()
    };
    let store = Arc::new(
        JobStore::connect(&settings.database_url)
            .await?
            .with_retry_policy(retry)
            .with_job_deadline(settings.queue_limits.job_deadline),
    );
    let credentials = AppCredentials::from_pem(
        settings.app_id.to_string(),
        settings.private_key_pem.expose().as_bytes(),
        "FAILMODE_PRIVATE_KEY_PATH / FAILMODE_PRIVATE_KEY",
    )
    .map_err(|e| ServeError::Github(e.to_string()))?;
    let client_settings = ClientSettings {
        request_timeout: settings.github_timeout,
        ..ClientSettings::new(settings.api_url.clone())
    };
    let github = GithubClient::new(client_settings, credentials)
        .map_err(|e| ServeError::Github(format!("FAILMODE_GITHUB_API_URL: {e}")))?;
    let reviewer = Arc::new(
        Reviewer::new(Arc::new(github), store.clone()).with_repo_limits(settings.repo_limits),
    );
    Ok(Arc::new(ServerState {
        app_id: settings.app_id,
        webhook_secret: settings.webhook_secret.clone(),
        intake: super::intake::IntakeWriter::start(store.clone()),
        store,
        reviewer,
        job_lease: settings.job_lease,
        shutdown_grace: settings.shutdown_grace,
        shutting_down: AtomicBool::new(false),
        wake: Notify::new(),
    }))
}

/// The HTTP routes.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/webhook", post(webhook::receive))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY))
        .with_state(state)
}

/// Liveness, plus what an operator needs at a glance: jobs by state and dead-lettered jobs.
async fn healthz(State(state): State<Arc<ServerState>>) -> Response {
    match state.store.counts_by_state().await {
        Ok(counts) => {
            let (dead, listing_failed) = match state.store.dead_jobs(20).await {
                Ok(dead) => (dead, false),
                Err(e) => {
                    // The counts answered, so the process is alive; say the list is missing.
                    tracing::warn!(error = %e, "cannot list dead jobs for /healthz");
                    (Vec::new(), true)
                }
            };
            let dead: Vec<_> = dead
                .iter()
                .map(|j| json!({ "id": j.id.0, "repo": j.repo, "pr": j.pr_number, "head_sha": j.head_sha, "last_error": j.last_error }))
                .collect();
            let status = if dead.is_empty() && counts.dead == 0 && !listing_failed {
                "ok"
            } else {
                "degraded"
            };
            let jobs = json!({
                "queued": counts.queued,
                "running": counts.running,
                "done": counts.done,
                "failed": counts.failed,
                "dead": counts.dead,
                "superseded": counts.superseded,
                "skipped": counts.skipped,
            });
            (
                StatusCode::OK,
                Json(json!({ "status": status, "jobs": jobs, "dead_jobs": dead })),
            )
                .into_response()
        }
        Err(e) => (
            StatusCode::OK,
            Json(json!({ "status": "degraded", "database": e.to_string() })),
        )
            .into_response(),
    }
}

/// Readiness: the database answers and the server is not shutting down.
async fn readyz(State(state): State<Arc<ServerState>>) -> Response {
    if state.is_shutting_down() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "reason": "shutting down" })),
        )
            .into_response();
    }
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "ready": true }))).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "reason": e.to_string() })),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<Arc<ServerState>>) -> Response {
    if let Ok(counts) = state.store.counts_by_state().await {
        for (name, n) in [
            ("queued", counts.queued),
            ("running", counts.running),
            ("done", counts.done),
            ("failed", counts.failed),
            ("dead", counts.dead),
            ("superseded", counts.superseded),
            ("skipped", counts.skipped),
        ] {
            metrics::gauge!("failmode_jobs", "state" => name).set(n as f64);
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        prom::render(),
    )
        .into_response()
}

/// Runs `failmode serve` until SIGTERM/SIGINT: HTTP intake plus `settings.workers` workers.
pub async fn serve(settings: Settings) -> Result<(), ServeError> {
    prom::handle();
    let state = build_state(&settings).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: settings.listen,
            source,
        })?;
    tracing::info!(listen = %settings.listen, api = %settings.api_url, workers = settings.workers, "failmode serve started");
    let workers = worker::spawn_workers(
        state.clone(),
        settings.workers,
        settings.queue_limits.max_jobs_per_installation,
    );
    // Retention cleanup (FAILMODE_RETENTION_DAYS): one replica at a time, hourly.
    tokio::spawn(super::retention::run(
        state.clone(),
        settings.queue_limits.retention,
        worker::lease_holder_id("retention"),
    ));
    if let Some(interval) = settings.recovery_interval {
        let owner = worker::lease_holder_id("recovery");
        tokio::spawn(super::recovery::run(state.clone(), interval, owner));
    }
    let shutdown_state = state.clone();
    axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutdown requested: intake closed, finishing running jobs");
            shutdown_state.begin_shutdown();
        })
        .await
        .map_err(ServeError::Serve)?;
    state.begin_shutdown();
    worker::drain(workers, state.shutdown_grace).await;
    tracing::info!("failmode serve stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
