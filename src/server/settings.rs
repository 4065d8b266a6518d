//! `failmode serve` configuration, from the environment. Startup fails fast with one message
//! naming every missing or malformed setting; secrets never appear in `Debug` output.

use crate::queue::RetryPolicy;
use crate::review::blobs::RepoLimits;
use std::fmt;
use std::net::SocketAddr;

/// Default REST API base.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Default listen address.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:3000";
/// Default job store: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://failmode.db?mode=rwc";
/// Default address of the internal listener (`/healthz` in detail, `/readyz`, `/metrics`):
/// loopback, so job details and installation ids never reach the network unless an operator
/// says so.
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:3001";
/// Default of [`Settings::max_webhook_bytes`]: 1 MiB. GitHub caps payloads at 25 MB, but the
/// events failmode acts on (pull_request, check_run, check_suite) are tens of KB: the largest
/// part a user controls is a pull request body of at most 65,536 characters, under 400 KB even
/// fully escaped. 1 MiB leaves room for that and bounds what a stranger can make the server hold.
pub const DEFAULT_MAX_WEBHOOK_BYTES: usize = 1024 * 1024;
/// Default of [`Settings::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Default of [`Settings::max_webhooks_in_flight`].
pub const DEFAULT_MAX_WEBHOOKS_IN_FLIGHT: usize = 64;
/// Default of [`Settings::header_read_timeout`]: GitHub sends its headers at once.
pub const DEFAULT_HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Default of [`Settings::body_read_timeout`]: GitHub gives up on a delivery after 10 s, so a
/// body still arriving after that cannot be answered in time anyway.
pub const DEFAULT_BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A secret string whose `Debug`/`Display` never print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A configured URL that may carry credentials (`postgres://bot:pw@db/x`,
/// `?password=…`, `https://user:pw@ghe/api/v3`). `Debug` and `Display` show it through
/// [`redact_url`], so logging or printing it never leaks them; [`SecretUrl::expose`] gives the
/// URL itself to the one place that connects with it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> SecretUrl {
        SecretUrl(url.into())
    }
    /// The URL with its credentials, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The URL with its credentials replaced by `***`, for messages and logs.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Default [`Settings::job_lease`].
pub const DEFAULT_JOB_LEASE: std::time::Duration = std::time::Duration::from_secs(120);

/// Everything `failmode serve` needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The GitHub App id (`FAILMODE_APP_ID`).
    pub app_id: u64,
    /// The App's private key PEM (`FAILMODE_PRIVATE_KEY` or the file at `FAILMODE_PRIVATE_KEY_PATH`).
    pub private_key_pem: Secret,
    /// The webhook secret (`FAILMODE_WEBHOOK_SECRET`).
    pub webhook_secret: Secret,
    /// REST API base URL without a trailing slash (`FAILMODE_GITHUB_API_URL`); shown redacted.
    pub api_url: SecretUrl,
    /// Public listen address, for the webhook (`FAILMODE_LISTEN`).
    pub listen: SocketAddr,
    /// Internal listen address for `/healthz` in detail, `/readyz` and `/metrics`
    /// (`FAILMODE_ADMIN_LISTEN`, default loopback `127.0.0.1:3001`).
    pub admin_listen: SocketAddr,
    /// Job store URL (`FAILMODE_DATABASE_URL`); shown redacted.
    pub database_url: SecretUrl,
    /// Largest webhook body read (`FAILMODE_MAX_WEBHOOK_BYTES`, default 1 MiB); a larger one
    /// is answered 413, before its body is read when `Content-Length` says so.
    pub max_webhook_bytes: usize,
    /// Connections the public listener holds open at once (`FAILMODE_MAX_CONNECTIONS`, default
    /// 256); a connection beyond them is answered 503 and closed at once.
    pub max_connections: usize,
    /// Webhook requests whose bodies are read and stored at once
    /// (`FAILMODE_MAX_WEBHOOKS_IN_FLIGHT`, default 64); a request that finds no room within
    /// 2 s is answered 503 (GitHub logs a failed delivery, which recovery redelivers). Bounds
    /// the memory held by bodies to this many times `max_webhook_bytes`.
    pub max_webhooks_in_flight: usize,
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection stays open (`FAILMODE_HEADER_READ_TIMEOUT_SECS`, default 10).
    pub header_read_timeout: std::time::Duration,
    /// How long a client may take to send a webhook body (`FAILMODE_BODY_READ_TIMEOUT_SECS`,
    /// default 10); past it the request is answered 408 and the connection closed.
    pub body_read_timeout: std::time::Duration,
    /// Number of review workers (`FAILMODE_WORKERS`, default 4).
    pub workers: usize,
    /// How long a claimed job stays leased without a heartbeat (`FAILMODE_JOB_LEASE_SECS`,
    /// default 120): after a crash, its job runs again at most this much later.
    pub job_lease: std::time::Duration,
    /// How many times a review job is claimed before it is dead-lettered
    /// (`FAILMODE_JOB_MAX_ATTEMPTS`, default 5). A failed attempt and a process that died
    /// mid-job both use one, so a job that crashes every worker stops being retried. Jobs keep
    /// the value they were stored with.
    pub job_max_attempts: u32,
    /// How often one replica scans GitHub's delivery log for failed deliveries and asks for
    /// them again (`FAILMODE_RECOVERY_INTERVAL_SECS`, default 300; `0` turns recovery off).
    pub recovery_interval: Option<std::time::Duration>,
    /// Deadline of one GitHub request attempt (`FAILMODE_GITHUB_TIMEOUT_SECS`, default 30).
    pub github_timeout: std::time::Duration,
    /// How long running jobs may finish after SIGTERM before their leases are given back
    /// (`FAILMODE_SHUTDOWN_GRACE_SECS`, default 25).
    pub shutdown_grace: std::time::Duration,
    /// How much of one repository a review reads whole (`FAILMODE_MAX_REPO_BYTES`, default
    /// 256 MiB; `FAILMODE_MAX_REPO_FILES`, default 20,000); a bigger repository is reviewed
    /// from its changed files only.
    pub repo_limits: RepoLimits,
    /// Fairness, deadlines and retention of the job store.
    pub queue_limits: QueueLimits,
}

/// How the job store shares workers, bounds jobs and forgets history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most jobs one installation runs at once across replicas
    /// (`FAILMODE_MAX_JOBS_PER_INSTALLATION`); `None` (the default) derives it from the workers
    /// of every live replica: half of them, rounded up.
    pub max_jobs_per_installation: Option<u32>,
    /// How long a job may take from its first claim, across attempts
    /// (`FAILMODE_JOB_DEADLINE_SECS`, default 900). Past it the job is stopped, its check run
    /// says failmode gave up, and it is dead-lettered.
    pub job_deadline: std::time::Duration,
    /// How long finished jobs, deliveries and publications are kept
    /// (`FAILMODE_RETENTION_DAYS`, default 30, at least 4).
    pub retention: std::time::Duration,
}

impl QueueLimits {
    /// Reads the three settings through `get`, adding a line to `problems` per bad value.
    fn from_lookup(get: impl Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        use super::retention::{window, DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS};
        let default_deadline = crate::queue::DEFAULT_JOB_DEADLINE;
        let max_jobs_per_installation = match get("FAILMODE_MAX_JOBS_PER_INSTALLATION") {
            None => None,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(format!(
                        "FAILMODE_MAX_JOBS_PER_INSTALLATION must be a positive number of jobs (unset: half the workers of all replicas), got `{v}`"
                    ));
                    None
                }
            },
        };
        let job_deadline = match get("FAILMODE_JOB_DEADLINE_SECS") {
            None => default_deadline,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => std::time::Duration::from_secs(n),
                _ => {
                    problems.push(format!(
                        "FAILMODE_JOB_DEADLINE_SECS must be a positive number of seconds, got `{v}`"
                    ));
                    default_deadline
                }
            },
        };
        let retention = match get("FAILMODE_RETENTION_DAYS") {
            None => window(DEFAULT_RETENTION_DAYS),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= MIN_RETENTION_DAYS => window(n),
                _ => {
                    problems.push(format!(
                        "FAILMODE_RETENTION_DAYS must be a number of days, at least {MIN_RETENTION_DAYS} (GitHub redelivers deliveries of the last 3 days), got `{v}`"
                    ));
                    window(DEFAULT_RETENTION_DAYS)
                }
            },
        };
        QueueLimits {
            max_jobs_per_installation,
            job_deadline,
            retention,
        }
    }
}

/// Every problem found in the environment, so one restart fixes them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failmode serve cannot start:\n{}", .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct SettingsError {
    /// One line per missing or malformed setting, each naming the variable.
    pub problems: Vec<String>,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the settings through `get` (the environment in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let mut problems = Vec::new();
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let app_id = match get("FAILMODE_APP_ID") {
            None => {
                problems.push("FAILMODE_APP_ID is not set: set it to the numeric App ID from the App's settings page".to_string());
                0
            }
            Some(v) => v.trim().parse::<u64>().unwrap_or_else(|_| {
                problems.push(format!("FAILMODE_APP_ID must be a number, got `{v}`"));
                0
            }),
        };
        let pem = match (
            get("FAILMODE_PRIVATE_KEY"),
            get("FAILMODE_PRIVATE_KEY_PATH"),
        ) {
            (Some(pem), _) => Some(pem),
            (None, Some(path)) => match std::fs::read_to_string(&path) {
                Ok(pem) => Some(pem),
                Err(e) => {
                    problems.push(format!(
                        "FAILMODE_PRIVATE_KEY_PATH: cannot read `{path}`: {e}"
                    ));
                    None
                }
            },
            (None, None) => {
                problems.push(
                    "neither FAILMODE_PRIVATE_KEY_PATH nor FAILMODE_PRIVATE_KEY is set: point FAILMODE_PRIVATE_KEY_PATH at the App's .pem file"
                        .to_string(),
                );
                None
            }
        };
        if let Some(p) = &pem {
            if !p.contains("-----BEGIN") || !p.contains("PRIVATE KEY-----") {
                problems.push("the App private key is not a PEM private key (expected `-----BEGIN RSA PRIVATE KEY-----`)".to_string());
            }
        }
        let webhook_secret = get("FAILMODE_WEBHOOK_SECRET");
        if webhook_secret.is_none() {
            problems.push(
                "FAILMODE_WEBHOOK_SECRET is not set: set it to the App's webhook secret"
                    .to_string(),
            );
        }
        let api_url = get("FAILMODE_GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string());
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            problems.push(format!(
                "FAILMODE_GITHUB_API_URL must be an http(s) URL, got `{}`",
                redact_url(&api_url)
            ));
        }
        // The App authenticates with its key; credentials in the URL would only travel into
        // the HTTP client's own request logs.
        if crate::redact::has_user_info(&api_url) {
            problems.push(format!(
                "FAILMODE_GITHUB_API_URL must not carry credentials (`{}`): the App authenticates with its private key; remove the `user:password@` part",
                redact_url(&api_url)
            ));
        }
        let listen_raw = get("FAILMODE_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_raw.parse::<SocketAddr>().unwrap_or_else(|_| {
            problems.push(format!(
                "FAILMODE_LISTEN must be an address like 0.0.0.0:3000, got `{listen_raw}`"
            ));
            SocketAddr::from(([0, 0, 0, 0], 3000))
        });
        let admin_listen_raw =
            get("FAILMODE_ADMIN_LISTEN").unwrap_or_else(|| DEFAULT_ADMIN_LISTEN.to_string());
        let admin_listen = admin_listen_raw.parse::<SocketAddr>().unwrap_or_else(|_| {
            problems.push(format!(
                "FAILMODE_ADMIN_LISTEN must be an address like 127.0.0.1:3001, got `{admin_listen_raw}`"
            ));
            SocketAddr::from(([127, 0, 0, 1], 3001))
        });
        // Port 0 asks the system for any free port, so two port-0 addresses never clash.
        if admin_listen == listen && listen.port() != 0 {
            problems.push(format!(
                "FAILMODE_ADMIN_LISTEN must differ from FAILMODE_LISTEN (both are {listen}): the admin endpoints must not be served on the public address"
            ));
        }
        let mut positive = |name: &str, default: usize, what: &str| match get(name) {
            None => default,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    problems.push(format!(
                        "{name} must be a positive number {what}, got `{v}`"
                    ));
                    default
                }
            },
        };
        let max_webhook_bytes = positive(
            "FAILMODE_MAX_WEBHOOK_BYTES",
            DEFAULT_MAX_WEBHOOK_BYTES,
            "of bytes",
        );
        let max_connections = positive(
            "FAILMODE_MAX_CONNECTIONS",
            DEFAULT_MAX_CONNECTIONS,
            "of connections",
        );
        let max_webhooks_in_flight = positive(
            "FAILMODE_MAX_WEBHOOKS_IN_FLIGHT",
            DEFAULT_MAX_WEBHOOKS_IN_FLIGHT,
            "of requests",
        );
        let header_read_timeout = std::time::Duration::from_secs(positive(
            "FAILMODE_HEADER_READ_TIMEOUT_SECS",
            DEFAULT_HEADER_READ_TIMEOUT.as_secs() as usize,
            "of seconds",
        ) as u64);
        let body_read_timeout = std::time::Duration::from_secs(positive(
            "FAILMODE_BODY_READ_TIMEOUT_SECS",
            DEFAULT_BODY_READ_TIMEOUT.as_secs() as usize,
            "of seconds",
        ) as u64);
        let database_url =
            get("FAILMODE_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| database_url.starts_with(p))
        {
            problems.push(format!(
                "FAILMODE_DATABASE_URL must start with sqlite: or postgres://, got `{}`",
                redact_url(&database_url)
            ));
        }
        let workers = match get("FAILMODE_WORKERS") {
            None => 4,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    problems.push(format!(
                        "FAILMODE_WORKERS must be a positive number, got `{v}`"
                    ));
                    1
                }
            },
        };
        let job_lease = match get("FAILMODE_JOB_LEASE_SECS") {
            None => DEFAULT_JOB_LEASE,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= 3 => std::time::Duration::from_secs(n),
                _ => {
                    problems.push(format!(
                        "FAILMODE_JOB_LEASE_SECS must be a number of seconds, at least 3, got `{v}`"
                    ));
                    DEFAULT_JOB_LEASE
                }
            },
        };
        let job_max_attempts = match get("FAILMODE_JOB_MAX_ATTEMPTS") {
            None => RetryPolicy::default().max_attempts,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => {
                    problems.push(format!(
                        "FAILMODE_JOB_MAX_ATTEMPTS must be a positive number of attempts, got `{v}`"
                    ));
                    RetryPolicy::default().max_attempts
                }
            },
        };
        let recovery_interval = match get("FAILMODE_RECOVERY_INTERVAL_SECS") {
            None => Some(std::time::Duration::from_secs(300)),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(n) => Some(std::time::Duration::from_secs(n)),
                Err(_) => {
                    problems.push(format!(
                        "FAILMODE_RECOVERY_INTERVAL_SECS must be a number of seconds (0 turns recovery off), got `{v}`"
                    ));
                    None
                }
            },
        };
        let github_timeout = match get("FAILMODE_GITHUB_TIMEOUT_SECS") {
            None => std::time::Duration::from_secs(30),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => std::time::Duration::from_secs(n),
                _ => {
                    problems.push(format!(
                        "FAILMODE_GITHUB_TIMEOUT_SECS must be a positive number of seconds, got `{v}`"
                    ));
                    std::time::Duration::from_secs(30)
                }
            },
        };
        let shutdown_grace = match get("FAILMODE_SHUTDOWN_GRACE_SECS") {
            None => super::app::SHUTDOWN_GRACE,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) => std::time::Duration::from_secs(n),
                Err(_) => {
                    problems.push(format!(
                        "FAILMODE_SHUTDOWN_GRACE_SECS must be a number of seconds, got `{v}`"
                    ));
                    super::app::SHUTDOWN_GRACE
                }
            },
        };
        // Repository size caps (archive bombs, huge monorepos).
        let repo_limits = RepoLimits {
            max_bytes: match get("FAILMODE_MAX_REPO_BYTES") {
                None => RepoLimits::DEFAULT.max_bytes,
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n >= 1024 * 1024 => n,
                    _ => {
                        problems.push(format!(
                            "FAILMODE_MAX_REPO_BYTES must be a number of bytes, at least 1048576 (1 MiB), got `{v}`"
                        ));
                        RepoLimits::DEFAULT.max_bytes
                    }
                },
            },
            max_files: match get("FAILMODE_MAX_REPO_FILES") {
                None => RepoLimits::DEFAULT.max_files,
                Some(v) => match v.trim().parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => {
                        problems.push(format!(
                            "FAILMODE_MAX_REPO_FILES must be a positive number of files, got `{v}`"
                        ));
                        RepoLimits::DEFAULT.max_files
                    }
                },
            },
        };
        let queue_limits = QueueLimits::from_lookup(get, &mut problems);
        if !problems.is_empty() {
            return Err(SettingsError { problems });
        }
        Ok(Settings {
            app_id,
            private_key_pem: Secret::new(pem.unwrap_or_default()),
            webhook_secret: Secret::new(webhook_secret.unwrap_or_default()),
            api_url: SecretUrl::new(api_url.trim_end_matches('/')),
            listen,
            admin_listen,
            database_url: SecretUrl::new(database_url),
            max_webhook_bytes,
            max_connections,
            max_webhooks_in_flight,
            header_read_timeout,
            body_read_timeout,
            workers,
            job_lease,
            job_max_attempts,
            recovery_interval,
            github_timeout,
            shutdown_grace,
            repo_limits,
            queue_limits,
        })
    }
}

/// Default [`SetupSettings::github_url`]: github.com's web address.
pub const DEFAULT_GITHUB_URL: &str = "https://github.com";

/// The variables that hold the App's credentials. When none is set and no credentials file
/// exists, `failmode serve` starts in setup mode; when any is set, setup mode is refused.
pub const APP_CREDENTIAL_VARIABLES: &[&str] = &[
    "FAILMODE_APP_ID",
    "FAILMODE_PRIVATE_KEY",
    "FAILMODE_PRIVATE_KEY_PATH",
    "FAILMODE_WEBHOOK_SECRET",
];

/// How `failmode serve` starts.
#[derive(Debug)]
pub enum Startup {
    /// The App's credentials are known (environment, or the file setup saved): review pull
    /// requests.
    Ready(Settings),
    /// No credentials anywhere: serve the setup page that registers the App.
    Setup(SetupSettings),
}

/// What setup mode needs, besides the settings normal operation will use once the App exists.
#[derive(Debug, Clone)]
pub struct SetupSettings {
    /// Every other setting, validated; its App id, key and webhook secret are placeholders
    /// until [`SetupSettings::with_app`] fills in the registered App's.
    settings: Settings,
    /// The address GitHub and browsers reach this server at (`FAILMODE_PUBLIC_URL`), to
    /// prefill the setup form; no trailing slash.
    pub public_url: Option<String>,
    /// GitHub's web address (`FAILMODE_GITHUB_URL`, default `https://github.com`; GitHub
    /// Enterprise Server: `https://HOST`), where the manifest form is posted.
    pub github_url: String,
    /// Where the registered App's credentials are saved (`FAILMODE_CREDENTIALS_PATH`).
    pub credentials_path: std::path::PathBuf,
}

impl SetupSettings {
    /// The settings shared with normal operation (addresses, limits, API URL). Its App
    /// credentials are placeholders.
    pub fn base(&self) -> &Settings {
        &self.settings
    }

    /// The settings of normal operation with the App setup just registered.
    pub fn with_app(&self, app: &crate::server::credentials::StoredCredentials) -> Settings {
        Settings {
            app_id: app.app_id,
            private_key_pem: Secret::new(app.private_key_pem.clone()),
            webhook_secret: Secret::new(app.webhook_secret.clone()),
            ..self.settings.clone()
        }
    }
}

/// An http(s) URL without credentials or a trailing slash, or the problem with `variable`.
fn web_url(variable: &str, value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return Err(format!(
            "{variable} must be an http(s) URL like https://failmode.example.com, got `{}`",
            redact_url(value)
        ));
    };
    if rest.is_empty() || rest.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "{variable} must be a scheme and host (and optional path) without a query, got `{}`",
            redact_url(value)
        ));
    }
    if crate::redact::has_user_info(value) {
        return Err(format!(
            "{variable} must not carry credentials (`{}`); remove the `user:password@` part",
            redact_url(value)
        ));
    }
    Ok(value.to_string())
}

/// Checks the value of `FAILMODE_PUBLIC_URL` (or the URL typed into the setup form).
pub fn public_url(value: &str) -> Result<String, String> {
    web_url("FAILMODE_PUBLIC_URL", value)
}

impl Startup {
    /// Reads how to start from the process environment.
    pub fn from_env() -> Result<Startup, SettingsError> {
        Startup::from_lookup(|k| std::env::var(k).ok())
    }

    /// Decides between normal operation and setup mode, reading through `get`:
    /// - any of [`APP_CREDENTIAL_VARIABLES`] set: normal operation, every setting required as
    ///   [`Settings::from_lookup`] says (setup mode is refused);
    /// - else a credentials file at `FAILMODE_CREDENTIALS_PATH`: normal operation with it;
    /// - else setup mode, with every other setting validated now (fail fast).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Startup, SettingsError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        if APP_CREDENTIAL_VARIABLES.iter().any(|k| get(k).is_some()) {
            return Settings::from_lookup(get).map(Startup::Ready);
        }
        let credentials_path =
            std::path::PathBuf::from(get("FAILMODE_CREDENTIALS_PATH").unwrap_or_else(|| {
                crate::server::credentials::DEFAULT_CREDENTIALS_PATH.to_string()
            }));
        let saved = crate::server::credentials::StoredCredentials::load(&credentials_path)
            .map_err(|e| SettingsError {
                problems: vec![e.to_string()],
            })?;
        let with_app = |app_id: String, pem: String, secret: String| {
            move |k: &str| match k {
                "FAILMODE_APP_ID" => Some(app_id.clone()),
                "FAILMODE_PRIVATE_KEY" => Some(pem.clone()),
                "FAILMODE_WEBHOOK_SECRET" => Some(secret.clone()),
                _ => get(k),
            }
        };
        if let Some(app) = saved {
            return Settings::from_lookup(with_app(
                app.app_id.to_string(),
                app.private_key_pem,
                app.webhook_secret,
            ))
            .map(Startup::Ready);
        }
        let mut problems = Vec::new();
        let github_url = web_url(
            "FAILMODE_GITHUB_URL",
            &get("FAILMODE_GITHUB_URL").unwrap_or_else(|| DEFAULT_GITHUB_URL.to_string()),
        )
        .unwrap_or_else(|p| {
            problems.push(p);
            DEFAULT_GITHUB_URL.to_string()
        });
        let public_url = get("FAILMODE_PUBLIC_URL")
            .and_then(|v| public_url(&v).map_err(|p| problems.push(p)).ok());
        // Placeholders stand in for the App until setup registers it; nothing uses them.
        let placeholder_pem =
            "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n".to_string();
        let settings = Settings::from_lookup(with_app(
            "0".to_string(),
            placeholder_pem,
            "placeholder".to_string(),
        ));
        let settings = match settings {
            Ok(s) if problems.is_empty() => s,
            Ok(_) => return Err(SettingsError { problems }),
            Err(mut e) => {
                e.problems.extend(problems);
                return Err(e);
            }
        };
        Ok(Startup::Setup(SetupSettings {
            settings,
            public_url,
            github_url,
            credentials_path,
        }))
    }
}

/// A URL with its credentials replaced by `***`, for messages and logs (see
/// [`crate::redact::redact_url`]).
pub use crate::redact::redact_url;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMII...\n-----END RSA PRIVATE KEY-----\n";

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn every_missing_setting_is_named_at_once() {
        let err = Settings::from_lookup(lookup(&[])).unwrap_err();
        let text = err.to_string();
        for name in [
            "FAILMODE_APP_ID",
            "FAILMODE_PRIVATE_KEY_PATH",
            "FAILMODE_WEBHOOK_SECRET",
        ] {
            assert!(text.contains(name), "{text}");
        }
        assert_eq!(err.problems.len(), 3);
    }

    #[test]
    fn malformed_settings_are_named() {
        let err = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "abc"),
            ("FAILMODE_PRIVATE_KEY", "not a key"),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
            ("FAILMODE_LISTEN", "nowhere"),
            ("FAILMODE_DATABASE_URL", "mysql://u:hunter2@db/x"),
            ("FAILMODE_JOB_MAX_ATTEMPTS", "0"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 5, "{text}");
        assert!(text
            .contains("FAILMODE_JOB_MAX_ATTEMPTS must be a positive number of attempts, got `0`"));
        assert!(text.contains("FAILMODE_APP_ID must be a number"));
        assert!(text.contains("FAILMODE_LISTEN"));
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn defaults_and_secrets_stay_hidden() {
        let s = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "topsecret"),
            ("FAILMODE_GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
        ]))
        .unwrap();
        assert_eq!(s.app_id, 42);
        assert_eq!(s.api_url.expose(), "https://ghe.example.com/api/v3");
        assert_eq!(s.listen.to_string(), "0.0.0.0:3000");
        assert_eq!(s.admin_listen.to_string(), DEFAULT_ADMIN_LISTEN);
        assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(s.max_webhook_bytes, DEFAULT_MAX_WEBHOOK_BYTES);
        assert_eq!(s.max_connections, DEFAULT_MAX_CONNECTIONS);
        assert_eq!(s.max_webhooks_in_flight, DEFAULT_MAX_WEBHOOKS_IN_FLIGHT);
        assert_eq!(s.header_read_timeout, DEFAULT_HEADER_READ_TIMEOUT);
        assert_eq!(s.body_read_timeout, DEFAULT_BODY_READ_TIMEOUT);
        assert_eq!(s.job_max_attempts, 5);
        assert_eq!(s.repo_limits, RepoLimits::DEFAULT);
        assert_eq!(
            s.queue_limits,
            QueueLimits {
                max_jobs_per_installation: None,
                job_deadline: std::time::Duration::from_secs(900),
                retention: std::time::Duration::from_secs(30 * 24 * 3600),
            }
        );
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("topsecret") && !debug.contains("MII"),
            "{debug}"
        );
    }

    #[test]
    fn repository_caps_are_read_and_validated() {
        let base = [
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = base.to_vec();
            pairs.extend_from_slice(extra);
            Settings::from_lookup(lookup(&pairs))
        };
        let s = with(&[
            ("FAILMODE_MAX_REPO_BYTES", "16777216"),
            ("FAILMODE_MAX_REPO_FILES", "500"),
        ])
        .unwrap();
        assert_eq!(
            s.repo_limits,
            RepoLimits {
                max_bytes: 16 * 1024 * 1024,
                max_files: 500
            }
        );
        let err = with(&[
            ("FAILMODE_MAX_REPO_BYTES", "12"),
            ("FAILMODE_MAX_REPO_FILES", "0"),
        ])
        .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 2, "{text}");
        assert!(text.contains("FAILMODE_MAX_REPO_BYTES must be a number of bytes, at least 1048576 (1 MiB), got `12`"), "{text}");
        assert!(
            text.contains("FAILMODE_MAX_REPO_FILES must be a positive number of files, got `0`"),
            "{text}"
        );
    }

    #[test]
    fn queue_limits_are_validated_and_named() {
        let err = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
            ("FAILMODE_MAX_JOBS_PER_INSTALLATION", "0"),
            ("FAILMODE_JOB_DEADLINE_SECS", "soon"),
            ("FAILMODE_RETENTION_DAYS", "2"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 3, "{text}");
        for name in [
            "FAILMODE_MAX_JOBS_PER_INSTALLATION",
            "FAILMODE_JOB_DEADLINE_SECS",
            "FAILMODE_RETENTION_DAYS must be a number of days, at least 4",
        ] {
            assert!(text.contains(name), "{text}");
        }
        let s = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
            ("FAILMODE_MAX_JOBS_PER_INSTALLATION", "3"),
            ("FAILMODE_JOB_DEADLINE_SECS", "60"),
            ("FAILMODE_RETENTION_DAYS", "7"),
        ]))
        .unwrap();
        assert_eq!(s.queue_limits.max_jobs_per_installation, Some(3));
        assert_eq!(s.queue_limits.job_deadline.as_secs(), 60);
        assert_eq!(s.queue_limits.retention.as_secs(), 7 * 24 * 3600);
    }

    #[test]
    fn debug_and_display_never_show_url_credentials() {
        let s = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "topsecret"),
            ("FAILMODE_GITHUB_API_URL", "https://ghe.example.com/api/v3"),
            (
                "FAILMODE_DATABASE_URL",
                "postgres://bot:dbpass1@db.internal:5432/failmode?password=dbpass2&sslmode=require",
            ),
        ]))
        .unwrap();
        let shown = format!(
            "{s:?} {} {} {:?}",
            s.api_url, s.database_url, s.database_url
        );
        for secret in ["apipass1", "dbpass1", "dbpass2", "topsecret"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert!(shown.contains("db.internal:5432/failmode"), "{shown}");
        assert!(shown.contains("ghe.example.com/api/v3"), "{shown}");
        let err = Settings::from_lookup(lookup(&[
            ("FAILMODE_GITHUB_API_URL", "ftp://robot:apipass1@ghe"),
            ("FAILMODE_DATABASE_URL", "mysql://db?password=dbpass2"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            !err.contains("apipass1") && !err.contains("dbpass2"),
            "{err}"
        );
        // Credentials in the API URL are refused: the HTTP client would log its URLs whole.
        let err = Settings::from_lookup(lookup(&[(
            "FAILMODE_GITHUB_API_URL",
            "https://robot:apipass1@ghe.example.com/api/v3",
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("FAILMODE_GITHUB_API_URL must not carry credentials"),
            "{err}"
        );
        assert!(!err.contains("apipass1"), "{err}");
    }

    #[test]
    fn intake_limits_are_read_and_validated() {
        let s = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
            ("FAILMODE_ADMIN_LISTEN", "0.0.0.0:9100"),
            ("FAILMODE_MAX_WEBHOOK_BYTES", "2048"),
            ("FAILMODE_MAX_CONNECTIONS", "8"),
            ("FAILMODE_MAX_WEBHOOKS_IN_FLIGHT", "2"),
            ("FAILMODE_HEADER_READ_TIMEOUT_SECS", "1"),
            ("FAILMODE_BODY_READ_TIMEOUT_SECS", "3"),
        ]))
        .unwrap();
        assert_eq!(s.admin_listen.to_string(), "0.0.0.0:9100");
        assert_eq!(s.max_webhook_bytes, 2048);
        assert_eq!(s.max_connections, 8);
        assert_eq!(s.max_webhooks_in_flight, 2);
        assert_eq!(s.header_read_timeout.as_secs(), 1);
        assert_eq!(s.body_read_timeout.as_secs(), 3);
        let err = Settings::from_lookup(lookup(&[
            ("FAILMODE_APP_ID", "42"),
            ("FAILMODE_PRIVATE_KEY", PEM),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
            ("FAILMODE_LISTEN", "127.0.0.1:3000"),
            ("FAILMODE_ADMIN_LISTEN", "127.0.0.1:3000"),
            ("FAILMODE_MAX_WEBHOOK_BYTES", "lots"),
            ("FAILMODE_MAX_CONNECTIONS", "0"),
            ("FAILMODE_HEADER_READ_TIMEOUT_SECS", "-1"),
        ]))
        .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 4, "{text}");
        for name in [
            "FAILMODE_ADMIN_LISTEN must differ from FAILMODE_LISTEN",
            "FAILMODE_MAX_WEBHOOK_BYTES must be a positive number of bytes, got `lots`",
            "FAILMODE_MAX_CONNECTIONS must be a positive number of connections, got `0`",
            "FAILMODE_HEADER_READ_TIMEOUT_SECS",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    fn startup(pairs: &[(&str, &str)]) -> Result<Startup, SettingsError> {
        Startup::from_lookup(lookup(pairs))
    }

    #[test]
    fn no_credentials_anywhere_is_setup_mode_with_the_rest_validated() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("creds.json");
        let creds = creds.to_str().unwrap();
        match startup(&[
            ("FAILMODE_CREDENTIALS_PATH", creds),
            ("FAILMODE_PUBLIC_URL", "https://failmode.acme.dev/"),
            ("FAILMODE_GITHUB_URL", "https://ghe.acme.dev"),
            ("FAILMODE_GITHUB_API_URL", "https://ghe.acme.dev/api/v3"),
        ])
        .unwrap()
        {
            Startup::Setup(setup) => {
                assert_eq!(
                    setup.public_url.as_deref(),
                    Some("https://failmode.acme.dev")
                );
                assert_eq!(setup.github_url, "https://ghe.acme.dev");
                assert_eq!(setup.base().api_url.expose(), "https://ghe.acme.dev/api/v3");
            }
            Startup::Ready(_) => panic!("no credentials: setup mode expected"),
        }
        // Setup mode still fails fast on every other bad setting, and on bad setup URLs.
        let err = startup(&[
            ("FAILMODE_CREDENTIALS_PATH", creds),
            ("FAILMODE_WORKERS", "many"),
            ("FAILMODE_PUBLIC_URL", "failmode.acme.dev"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("FAILMODE_WORKERS") && err.contains("FAILMODE_PUBLIC_URL"),
            "{err}"
        );
        assert!(!err.contains("FAILMODE_APP_ID"), "{err}");
    }

    #[test]
    fn any_credential_variable_refuses_setup_mode() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("creds.json");
        let err = startup(&[
            ("FAILMODE_CREDENTIALS_PATH", creds.to_str().unwrap()),
            ("FAILMODE_WEBHOOK_SECRET", "s"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("FAILMODE_APP_ID is not set"), "{err}");
    }

    #[test]
    fn saved_credentials_start_normal_operation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        crate::server::credentials::StoredCredentials {
            app_id: 99,
            slug: "failmode-acme".into(),
            html_url: "https://github.com/apps/failmode-acme".into(),
            private_key_pem: PEM.into(),
            webhook_secret: "hush".into(),
        }
        .save(&path)
        .unwrap();
        match startup(&[("FAILMODE_CREDENTIALS_PATH", path.to_str().unwrap())]).unwrap() {
            Startup::Ready(settings) => {
                assert_eq!(settings.app_id, 99);
                assert_eq!(settings.webhook_secret.expose(), "hush");
                assert_eq!(settings.private_key_pem.expose(), PEM);
            }
            Startup::Setup(_) => panic!("saved credentials: normal operation expected"),
        }
    }
}
