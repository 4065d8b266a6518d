//! The server: shared state, the axum router, workers, and graceful shutdown.

use super::settings::{Secret, Settings, Startup};
use super::{http, metrics as prom, webhook, worker};
use crate::github::auth::AppCredentials;
use crate::github::client::{ClientSettings, GithubClient};
use crate::queue::{JobStore, RetryPolicy};
use crate::review::job::Reviewer;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

/// How long a readiness answer is reused: a flood of public `/readyz` probes costs at most one
/// database ping per interval, so it cannot take the pool from intake and workers.
const READINESS_CACHE: Duration = Duration::from_secs(1);

/// What webhook intake lets one request use before its signature can be checked.
pub struct IntakeLimits {
    /// Largest body read; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// How long a client may take to send the body; past it the request is answered 408.
    pub body_read_timeout: Duration,
    /// Room for requests whose bodies are read and stored at once.
    pub in_flight: Semaphore,
}

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
    /// What one webhook request may use before its signature is checked.
    pub intake_limits: IntakeLimits,
    shutting_down: AtomicBool,
    wake: Notify,
    readiness: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
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

    /// Whether the server can take deliveries: not shutting down and the database answers
    /// (the answer is reused for a second). `Err` says why not.
    pub async fn readiness(&self) -> Result<(), String> {
        if self.is_shutting_down() {
            return Err("shutting down".to_string());
        }
        // Held across the ping, so concurrent probes share one ping.
        let mut cached = self.readiness.lock().await;
        if let Some((at, answer)) = cached.as_ref() {
            if at.elapsed() < READINESS_CACHE {
                return answer.clone();
            }
        }
        let answer = self.store.ping().await.map_err(|e| e.to_string());
        *cached = Some((Instant::now(), answer.clone()));
        answer
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
    /// A listen address could not be bound.
    #[error("{variable}: cannot listen on {addr}: {source}; choose a free address")]
    Bind {
        /// The setting that names the address.
        variable: &'static str,
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Builds the shared state from settings: opens the store (running migrations) and the client.
pub async fn build_state(settings: &Settings) -> Result<Arc<ServerState>, ServeError> {
    let retry = RetryPolicy {
        max_attempts: settings.job_max_attempts,
        ..RetryPolicy::default()
    };
    let store = Arc::new(
        JobStore::connect(settings.database_url.expose())
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
        ..ClientSettings::new(settings.api_url.expose())
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
        intake_limits: IntakeLimits {
            max_body_bytes: settings.max_webhook_bytes,
            body_read_timeout: settings.body_read_timeout,
            in_flight: Semaphore::new(settings.max_webhooks_in_flight),
        },
        shutting_down: AtomicBool::new(false),
        wake: Notify::new(),
        readiness: tokio::sync::Mutex::new(None),
    }))
}

/// The routes of the public listener (`FAILMODE_LISTEN`): the webhook, a bare liveness probe
/// and readiness, none of which says anything about jobs, repositories or installations.
/// Anything else is 404.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/webhook", post(webhook::receive))
        .route("/healthz", get(alive))
        .route("/readyz", get(public_readyz))
        .with_state(state)
}

/// The routes of the internal listener (`FAILMODE_ADMIN_LISTEN`): `/healthz` with jobs by
/// state and dead jobs (repository names, commits, errors), `/readyz` with its reason, and
/// `/metrics` (installation ids among the labels).
pub fn admin_router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Public liveness: the process answers HTTP. Touches nothing else.
async fn alive() -> Response {
    (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response()
}

/// Public readiness, for load balancers: ready or not, without the reason (which can name the
/// database host).
async fn public_readyz(State(state): State<Arc<ServerState>>) -> Response {
    match state.readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "ready": true }))).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false })),
        )
            .into_response(),
    }
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

/// Readiness: the database answers and the server is not shutting down; says why not.
async fn readyz(State(state): State<Arc<ServerState>>) -> Response {
    match state.readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "ready": true }))).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "reason": reason })),
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

/// Binds `addr`, the value of the setting `variable`.
pub(crate) async fn bind(
    addr: std::net::SocketAddr,
    variable: &'static str,
) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            variable,
            addr,
            source,
        })
}

/// Runs `failmode serve` until SIGTERM/SIGINT: the webhook on `settings.listen`, the admin
/// endpoints on `settings.admin_listen`, plus `settings.workers` workers.
pub async fn serve(settings: Settings) -> Result<(), ServeError> {
    let public = bind(settings.listen, "FAILMODE_LISTEN").await?;
    let admin = bind(settings.admin_listen, "FAILMODE_ADMIN_LISTEN").await?;
    serve_on(settings, public, admin).await
}

/// Runs `failmode serve` as `startup` says: reviews at once, or first the setup page that
/// registers the App and then, on the same addresses and without a restart, reviews.
pub async fn run(startup: Startup) -> Result<(), ServeError> {
    match startup {
        Startup::Ready(settings) => serve(settings).await,
        Startup::Setup(setup) => {
            let base = setup.base();
            let public = bind(base.listen, "FAILMODE_LISTEN").await?;
            let admin = bind(base.admin_listen, "FAILMODE_ADMIN_LISTEN").await?;
            match super::setup::serve_setup(&setup, &public, &admin).await? {
                Some(settings) => serve_on(settings, public, admin).await,
                None => Ok(()),
            }
        }
    }
}

/// [`serve`] on listeners already bound.
async fn serve_on(
    settings: Settings,
    public: tokio::net::TcpListener,
    admin: tokio::net::TcpListener,
) -> Result<(), ServeError> {
    prom::handle();
    let state = build_state(&settings).await?;
    // The bound addresses, not the settings: with port 0 the log says where the server is.
    let listen = public.local_addr().unwrap_or(settings.listen);
    let admin_listen = admin.local_addr().unwrap_or(settings.admin_listen);
    tracing::info!(%listen, %admin_listen, api = %settings.api_url, database = %settings.database_url, workers = settings.workers, "failmode serve started");
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
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shutdown_state = state.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested: intake closed, finishing running jobs");
        shutdown_state.begin_shutdown();
        let _no_listener_left = stop.send(true);
    });
    let public_limits = http::ConnectionLimits {
        max_connections: settings.max_connections,
        header_read_timeout: settings.header_read_timeout,
    };
    // The admin address is internal: a small fixed allowance is plenty for probes and scrapes.
    let admin_limits = http::ConnectionLimits {
        max_connections: ADMIN_MAX_CONNECTIONS,
        header_read_timeout: settings.header_read_timeout,
    };
    tokio::join!(
        http::serve(
            public,
            router(state.clone()),
            public_limits,
            stopped.clone()
        ),
        http::serve(admin, admin_router(state.clone()), admin_limits, stopped),
    );
    state.begin_shutdown();
    worker::drain(workers, state.shutdown_grace).await;
    tracing::info!("failmode serve stopped");
    Ok(())
}

/// Connections the admin listener holds open at once.
const ADMIN_MAX_CONNECTIONS: usize = 32;

/// Resolves on SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
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
