//! Setup mode: `failmode serve` started with no App credentials registers its GitHub App
//! through GitHub's App Manifest flow, then starts reviewing without a restart.
//!
//! 1. `GET /?token=…` (the link the server logs at startup) shows a form: the server's public
//!    URL, an optional organization, the App's name.
//! 2. `POST /setup` builds the manifest ([`crate::github::manifest`]) and hands it to the
//!    browser, which posts it to GitHub's `settings/apps/new` (or the organization's) with a
//!    one-time `state`.
//! 3. GitHub sends the browser back to `GET /setup/callback?code=…&state=…`; the server checks
//!    the state, exchanges the code (`POST /app-manifests/{code}/conversions`), saves the App's
//!    id, key and webhook secret ([`crate::server::credentials`]), shows the link that installs
//!    the App, and switches to normal operation on the same addresses.
//!
//! Whoever reaches the setup page first could register their own App into this server, so
//! every step needs the token printed in the log (the callback needs the `state` only a
//! token holder was given). Once credentials exist, setup mode is never entered again.

use super::credentials::StoredCredentials;
use super::http;
use super::settings::{Settings, SetupSettings};
use crate::github::client::{ClientSettings, GithubClient};
use crate::github::manifest::app_manifest;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rand::Rng as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// GitHub gives the three steps of the manifest flow one hour.
const STATE_LIFETIME: Duration = Duration::from_secs(3600);
/// Forms started but not finished that are remembered at once; the oldest is forgotten first.
const MAX_PENDING_STATES: usize = 64;
/// Connections each setup listener holds open at once.
const SETUP_MAX_CONNECTIONS: usize = 32;

/// The setup server's shared state.
struct SetupState {
    /// The one-time token from the log (compared by digest, not byte by byte).
    token_digest: [u8; 32],
    public_url: Option<String>,
    github_url: String,
    credentials_path: std::path::PathBuf,
    github: GithubClient,
    /// `state` values handed to browsers, with when.
    pending: Mutex<HashMap<String, Instant>>,
    /// Set once the App is registered: normal operation's settings.
    registered: watch::Sender<Option<Settings>>,
    setup: SetupSettings,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SetupState {
    fn token_matches(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| digest(g) == self.token_digest)
    }
}

/// Serves the setup pages on `public` (and probes on `admin`) until the App is registered,
/// then returns normal operation's settings; `None` when the process was asked to stop first.
/// The listeners stay open for the caller.
pub async fn serve_setup(
    setup: &SetupSettings,
    public: &TcpListener,
    admin: &TcpListener,
) -> Result<Option<Settings>, super::app::ServeError> {
    let base = setup.base();
    let client_settings = ClientSettings {
        request_timeout: base.github_timeout,
        ..ClientSettings::new(base.api_url.expose())
    };
    let github = GithubClient::for_setup(client_settings)
        .map_err(|e| super::app::ServeError::Github(format!("FAILMODE_GITHUB_API_URL: {e}")))?;
    let token = random_hex(16);
    let (registered, mut registered_rx) = watch::channel(None);
    let state = Arc::new(SetupState {
        token_digest: digest(&token),
        public_url: setup.public_url.clone(),
        github_url: setup.github_url.clone(),
        credentials_path: setup.credentials_path.clone(),
        github,
        pending: Mutex::new(HashMap::new()),
        registered,
        setup: setup.clone(),
    });
    let listen = public.local_addr().unwrap_or(base.listen);
    let admin_listen = admin.local_addr().unwrap_or(base.admin_listen);
    // A wildcard address is no place to browse to: the link names this machine instead.
    let reachable = if listen.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], listen.port()))
    } else {
        listen
    };
    let page_base = setup
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{reachable}"));
    tracing::warn!(
        %listen,
        %admin_listen,
        setup_url = %format!("{page_base}/?token={token}"),
        credentials = %setup.credentials_path.display(),
        "failmode serve started in setup mode: no GitHub App credentials (FAILMODE_APP_ID, FAILMODE_PRIVATE_KEY_PATH, FAILMODE_WEBHOOK_SECRET) and no credentials file; open setup_url to register the App"
    );
    let (stop, stopped) = watch::channel(false);
    let stop_on_signal = stop.clone();
    let signal = tokio::spawn(async move {
        super::app::shutdown_signal().await;
        tracing::info!("shutdown requested during setup");
        let _no_listener_left = stop_on_signal.send(true);
    });
    let stop_on_registration = tokio::spawn(async move {
        if registered_rx.wait_for(Option::is_some).await.is_ok() {
            let _no_listener_left = stop.send(true);
        }
    });
    let limits = http::ConnectionLimits {
        max_connections: SETUP_MAX_CONNECTIONS,
        header_read_timeout: base.header_read_timeout,
    };
    tokio::join!(
        http::serve(
            public,
            public_router(state.clone()),
            limits,
            stopped.clone()
        ),
        http::serve(admin, probes_router(), limits, stopped),
    );
    signal.abort();
    stop_on_registration.abort();
    let settings = state.registered.borrow().clone();
    if settings.is_some() {
        tracing::info!("the GitHub App is registered: leaving setup mode");
    }
    Ok(settings)
}

fn public_router(state: Arc<SetupState>) -> Router {
    Router::new()
        .route("/", get(setup_page))
        .route("/setup", post(start_registration))
        .route("/setup/callback", get(callback))
        .route("/webhook", post(no_app_yet))
        .merge(probes_router())
        .with_state(state)
}

/// `/healthz` and `/readyz` in setup mode: the process is alive and ready to serve setup.
fn probes_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route(
            "/readyz",
            get(|| async { Json(json!({"ready": true, "mode": "setup"})) }),
        )
}

async fn no_app_yet() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"message": "failmode has no GitHub App yet: finish setup (the link is in the server log)"})),
    )
        .into_response()
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// Text made safe inside HTML element content and double-quoted attributes.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page; `body` is HTML already escaped where needed.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title} · failmode</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         label{{display:block;margin-top:1rem;font-weight:600}}input{{width:100%;padding:.4rem;font-size:1rem}}\
         button{{display:block;margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}}small{{display:block;color:#555}}</style>\
         </head><body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape_html(title),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    // The pages carry the token and secrets-bearing links: never cache them, never frame them.
    headers.insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    headers.insert("x-frame-options", "DENY".parse().expect("static"));
    response
}

fn token_refused() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Setup link required",
        "<p>This failmode server has no GitHub App yet. Open the setup link printed in its log \
         (the line says <code>started in setup mode</code>): it carries a one-time token that \
         proves you run this server.</p>",
    )
}

async fn setup_page(State(state): State<Arc<SetupState>>, Query(q): Query<TokenQuery>) -> Response {
    if !state.token_matches(q.token.as_deref()) {
        return token_refused();
    }
    let token = q.token.unwrap_or_default();
    let url = state.public_url.clone().unwrap_or_default();
    let body = format!(
        "<p>Register failmode as a GitHub App. GitHub will ask you to confirm, then send you back \
         here; failmode saves the App's key and starts reviewing.</p>\
         <form method=\"post\" action=\"/setup\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <label for=\"public_url\">Public URL of this server</label>\
         <input id=\"public_url\" name=\"public_url\" type=\"url\" required placeholder=\"https://failmode.example.com\" value=\"{url}\">\
         <small>GitHub sends webhooks to this URL + <code>/webhook</code>.</small>\
         <label for=\"organization\">Organization (optional)</label>\
         <input id=\"organization\" name=\"organization\" placeholder=\"leave empty to register it on your account\">\
         <label for=\"name\">App name</label>\
         <input id=\"name\" name=\"name\" required maxlength=\"34\" value=\"failmode\">\
         <small>Must be unique on GitHub; you can change it on GitHub's page too.</small>\
         <button id=\"register\" type=\"submit\">Register on GitHub</button></form>",
        token = escape_html(&token),
        url = escape_html(&url),
    );
    page(StatusCode::OK, "Set up failmode", &body)
}

#[derive(Deserialize)]
struct RegistrationForm {
    token: Option<String>,
    public_url: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    name: String,
}

/// An organization login: letters, digits and single hyphens, at most 39 characters.
fn valid_organization(org: &str) -> bool {
    !org.is_empty()
        && org.len() <= 39
        && !org.starts_with('-')
        && !org.ends_with('-')
        && org.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn bad_form(message: &str, token: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Cannot register",
        &format!(
            "<p>{}</p><p><a href=\"/?token={}\">Back to the form</a></p>",
            escape_html(message),
            escape_html(token)
        ),
    )
}

async fn start_registration(
    State(state): State<Arc<SetupState>>,
    Form(form): Form<RegistrationForm>,
) -> Response {
    if !state.token_matches(form.token.as_deref()) {
        return token_refused();
    }
    let token = form.token.clone().unwrap_or_default();
    let public_url = match super::settings::public_url(&form.public_url) {
        Ok(url) => url,
        Err(problem) => {
            return bad_form(
                &problem.replace("FAILMODE_PUBLIC_URL", "The public URL"),
                &token,
            )
        }
    };
    let organization = form.organization.trim();
    if !organization.is_empty() && !valid_organization(organization) {
        return bad_form(
            &format!(
                "`{organization}` is not an organization login (letters, digits and hyphens)."
            ),
            &token,
        );
    }
    let name = form.name.trim();
    let name = if name.is_empty() { "failmode" } else { name };
    if name.chars().count() > 34 || name.chars().any(char::is_control) {
        return bad_form("The App name must be at most 34 characters.", &token);
    }
    let manifest = app_manifest(name, &public_url);
    let registration_state = random_hex(16);
    {
        let mut pending = lock(&state.pending);
        pending.retain(|_, issued| issued.elapsed() < STATE_LIFETIME);
        if pending.len() >= MAX_PENDING_STATES {
            if let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, issued)| **issued)
                .map(|(s, _)| s.clone())
            {
                pending.remove(&oldest);
            }
        }
        pending.insert(registration_state.clone(), Instant::now());
    }
    let action = if organization.is_empty() {
        format!(
            "{}/settings/apps/new?state={registration_state}",
            state.github_url
        )
    } else {
        format!(
            "{}/organizations/{organization}/settings/apps/new?state={registration_state}",
            state.github_url
        )
    };
    tracing::info!(organization, name, %public_url, "setup: sending the App manifest to GitHub");
    let body = format!(
        "<p>Continuing to GitHub to create the App <strong>{name}</strong> with webhooks to \
         <code>{hook}</code>.</p>\
         <form id=\"to-github\" method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"manifest\" value=\"{manifest}\">\
         <button id=\"continue\" type=\"submit\">Continue to GitHub</button></form>\
         <script>document.getElementById('to-github').submit();</script>",
        name = escape_html(name),
        hook = escape_html(&format!("{public_url}/webhook")),
        action = escape_html(&action),
        manifest = escape_html(&manifest.to_string()),
    );
    page(StatusCode::OK, "Registering failmode", &body)
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

fn callback_failed(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Registration did not finish",
        &format!(
            "<p>{}</p><p>Open the setup link from the server log again to start over.</p>",
            escape_html(message)
        ),
    )
}

async fn callback(
    State(state): State<Arc<SetupState>>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let (Some(code), Some(given_state)) = (q.code, q.state) else {
        return callback_failed(
            StatusCode::BAD_REQUEST,
            "GitHub's answer lacks its code or state.",
        );
    };
    let issued = lock(&state.pending).remove(&given_state);
    match issued {
        Some(at) if at.elapsed() < STATE_LIFETIME => {}
        Some(_) => {
            return callback_failed(
                StatusCode::BAD_REQUEST,
                "This registration started more than an hour ago; GitHub's code has expired.",
            )
        }
        None => {
            return callback_failed(
                StatusCode::FORBIDDEN,
                "This registration was not started from this server's setup page (or was already finished).",
            )
        }
    }
    if state.registered.borrow().is_some() {
        return callback_failed(StatusCode::CONFLICT, "The App is already registered.");
    }
    let app = match state.github.convert_manifest(&code).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "setup: GitHub refused the manifest code");
            return callback_failed(
                StatusCode::BAD_GATEWAY,
                &format!("GitHub did not hand over the new App: {e}"),
            );
        }
    };
    let Some(webhook_secret) = app.webhook_secret.clone().filter(|s| !s.is_empty()) else {
        return callback_failed(
            StatusCode::BAD_GATEWAY,
            &format!(
                "GitHub created the App {} without a webhook secret. Set one in the App's settings, then start failmode with FAILMODE_APP_ID={}, FAILMODE_PRIVATE_KEY_PATH and FAILMODE_WEBHOOK_SECRET.",
                app.slug, app.id
            ),
        );
    };
    let stored = StoredCredentials {
        app_id: app.id,
        slug: app.slug.clone(),
        html_url: app.html_url.clone(),
        private_key_pem: app.pem.clone(),
        webhook_secret,
    };
    if let Err(e) = stored.save(&state.credentials_path) {
        tracing::error!(error = %e, "setup: cannot save the App credentials");
        return callback_failed(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    }
    tracing::info!(app_id = app.id, slug = %app.slug, credentials = %state.credentials_path.display(), "setup: GitHub App registered and its credentials saved");
    let settings = state.setup.with_app(&stored);
    state.registered.send_replace(Some(settings));
    let install = format!("{}/installations/new", app.html_url.trim_end_matches('/'));
    page(
        StatusCode::OK,
        "failmode is installed",
        &format!(
            "<p>The GitHub App <strong>{slug}</strong> (id {id}) is registered, and this server \
             now reviews pull requests with it. Its private key and webhook secret are saved in \
             <code>{path}</code> (readable by this server's user only).</p>\
             <p><a id=\"install\" href=\"{install}\">Install it on your repositories</a></p>",
            slug = escape_html(&app.slug),
            id = app.id,
            path = escape_html(&state.credentials_path.display().to_string()),
            install = escape_html(&install),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_attributes_and_content() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn organization_logins() {
        assert!(valid_organization("acme-corp"));
        assert!(valid_organization("Acme42"));
        assert!(!valid_organization("-acme"));
        assert!(!valid_organization("acme/../x"));
        assert!(!valid_organization("acme corp"));
        assert!(!valid_organization(&"a".repeat(40)));
    }
}
