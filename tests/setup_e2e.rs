//! End-to-end: `failmode serve` with no App credentials registers its App through GitHub's
//! manifest flow (against the fake GitHub's web form and conversion endpoint), then reviews a
//! pull request with the credentials GitHub handed over — without a restart — and starts in
//! normal operation from the saved credentials afterwards. The same flow in a real browser is
//! `tests/setup_browser.rs`.

mod support;

use failmode::github::manifest::{APP_PERMISSIONS, SUBSCRIBED_EVENTS};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::fake_github::FakeGithub;
use support::server::{pull_request_payload, setup_pull, APP_ID, HEAD_SHA};

/// The value of `name="<field>" value="…"` in `html`, unescaped.
fn input_value(html: &str, field: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{field}\""))?;
    let rest = &html[at..];
    let start = rest.find("value=\"")? + "value=\"".len();
    let end = rest[start..].find('"')? + start;
    Some(unescape(&rest[start..end]))
}

fn form_action(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find("action=\"")? + "action=\"".len();
    let end = rest[start..].find('"')? + start;
    Some(unescape(&rest[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The permission and level a call of the App needs, from GitHub's REST reference ("fine-grained
/// permissions" on each endpoint's page). `None`: App-level calls (JWT), no repository permission.
fn permission_for(endpoint: &str) -> Option<(&'static str, &'static str)> {
    let write = endpoint.starts_with("POST ")
        || endpoint.starts_with("PATCH ")
        || endpoint.starts_with("PUT ")
        || endpoint.starts_with("DELETE ");
    let level = if write { "write" } else { "read" };
    // App-level calls (JWT), and the archive host's pre-signed URL, need no repository permission.
    if endpoint.contains(" /app") || endpoint.contains(" /_codeload/") {
        None
    } else if endpoint.contains("/collaborators/") {
        Some(("metadata", "read"))
    } else if endpoint == "POST /graphql" {
        // resolveReviewThread / reviewThreads on pull requests.
        Some(("pull_requests", level))
    } else if endpoint.contains("/check-runs") || endpoint.contains("/check-suites") {
        Some(("checks", level))
    } else if endpoint.contains("/pulls") {
        Some(("pull_requests", level))
    } else if endpoint.contains("/contents/")
        || endpoint.contains("/git/")
        || endpoint.contains("/tarball/")
        || endpoint.contains("/commits")
    {
        Some(("contents", level))
    } else {
        panic!("no permission known for {endpoint}: add it from GitHub's REST reference")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_registers_the_app_then_reviews_with_its_credentials() {
    let github = FakeGithub::start(APP_ID).await;
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials.json");
    let (server, setup_url) =
        support::server::start_without_app(&github.url(), dir.path(), &[]).await;
    let setup_url = setup_url.expect("setup mode logs its setup link");
    let http = no_redirects();

    // Without the token from the log, nothing: the page, the form and the webhook.
    let refused = http.get(format!("{}/", server.url)).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("setup link printed in its log"));
    let forged = http
        .post(format!("{}/setup", server.url))
        .form(&[("token", "guess"), ("public_url", "https://evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let early = support::server::deliver(
        &server.url,
        "pull_request",
        "early",
        &pull_request_payload("opened", HEAD_SHA, false),
        "any",
    )
    .await;
    assert_eq!(early, 503);
    // Probes answer during setup.
    let ready: Value = http
        .get(format!("{}/readyz", server.admin_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["mode"], "setup");

    // 1. The setup page, from the logged link.
    let page = http.get(&setup_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let page = page.text().await.unwrap();
    let token = input_value(&page, "token").expect("the form carries the token");

    // 2. Filled in and posted: a page that posts the manifest to GitHub with a state.
    let handoff = http
        .post(format!("{}/setup", server.url))
        .form(&[
            ("token", token.as_str()),
            ("public_url", server.url.as_str()),
            ("organization", "acme"),
            ("name", "failmode-acme"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(handoff.status(), 200);
    let handoff = handoff.text().await.unwrap();
    let action = form_action(&handoff, "to-github").expect("a form to GitHub");
    assert!(
        action.starts_with(&format!(
            "{}/organizations/acme/settings/apps/new?state=",
            github.url()
        )),
        "{action}"
    );
    let manifest_json = input_value(&handoff, "manifest").expect("the manifest field");

    // 3. GitHub's form (the browser's post) redirects back with a code.
    let to_github = http
        .post(&action)
        .form(&[("manifest", manifest_json.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(to_github.status(), 302);
    let callback = to_github.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        callback.starts_with(&format!("{}/setup/callback?code=", server.url)),
        "{callback}"
    );

    let posted = github.posted_manifests();
    assert_eq!(posted.len(), 1);
    let manifest = &posted[0].manifest;
    assert_eq!(posted[0].organization.as_deref(), Some("acme"));
    assert_eq!(manifest["name"], "failmode-acme");
    assert_eq!(manifest["url"], server.url.as_str());
    assert_eq!(
        manifest["hook_attributes"]["url"],
        format!("{}/webhook", server.url)
    );
    assert_eq!(
        manifest["redirect_url"],
        format!("{}/setup/callback", server.url)
    );
    assert_eq!(manifest["public"], false);
    let events: Vec<&str> = manifest["default_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(events, SUBSCRIBED_EVENTS);

    // A state this server never issued is refused, and uses up nothing.
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let wrong_state = http
        .get(format!(
            "{}/setup/callback?code={code}&state=forged",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_state.status(), 403);

    // 4. The callback converts the code, saves the credentials and shows the install link.
    let done = http.get(&callback).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let done = done.text().await.unwrap();
    assert!(done.contains("failmode is installed"), "{done}");
    assert!(
        done.contains(&format!(
            "href=\"{}/apps/failmode/installations/new\"",
            github.url()
        )),
        "{done}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&credentials)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let saved: Value = serde_json::from_slice(&std::fs::read(&credentials).unwrap()).unwrap();
    assert_eq!(saved["app_id"], APP_ID);
    let secret = FakeGithub::webhook_secret_for_code(code);
    assert_eq!(saved["webhook_secret"], secret.as_str());
    // The callback works once: the server leaves setup mode and its pages are gone. (While it
    // switches, the setup listener closes its connections: a request on the kept-alive one may
    // be cut, so it is sent again until an answer comes; and until the switch is done, the
    // setup listener refuses the replayed registration with a 403.)
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match http.get(&callback).send().await {
            Ok(answer) if answer.status() == 404 => break,
            Ok(answer) => assert_eq!(
                answer.status(),
                403,
                "a replayed callback must be refused while setup mode ends"
            ),
            Err(e) => assert!(Instant::now() < deadline, "no answer after setup: {e}"),
        }
        assert!(
            Instant::now() < deadline,
            "the setup pages are still served 30 s after registration"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // 5. Without a restart, a signed webhook is reviewed with the new App's credentials.
    setup_pull(&github, false, None);
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    support::server::deliver_until_accepted(
        &server.url,
        "pull_request",
        "after-setup",
        &opened,
        &secret,
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(90);
    while github.reviews().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no review: {:#?}",
            github.requests()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(github.reviews().len(), 1);
    assert_eq!(github.errors(), Vec::<String>::new());

    // What GitHub received, in order, up to the first App call.
    let requests = github.requests();
    let setup_calls: Vec<(String, String, u16)> = requests
        .iter()
        .take(2)
        .map(|r| (r.endpoint.clone(), r.auth.clone(), r.status))
        .collect();
    assert_eq!(
        setup_calls,
        vec![
            (
                "WEB POST /settings/apps/new".to_string(),
                "browser".to_string(),
                302
            ),
            (
                "POST /app-manifests/{code}/conversions".to_string(),
                "none".to_string(),
                201
            ),
        ]
    );

    // The manifest asks for exactly the permissions the App's calls needed in this review.
    let mut used: BTreeMap<&str, &str> = BTreeMap::new();
    for r in requests.iter().skip(2) {
        if let Some((permission, level)) = permission_for(&r.endpoint) {
            let entry = used.entry(permission).or_insert(level);
            if level == "write" {
                *entry = "write";
            }
        }
    }
    let mut asked: BTreeMap<&str, &str> = APP_PERMISSIONS.iter().copied().collect();
    // Granted to every App; no call asks for it by name.
    asked.remove("metadata");
    assert_eq!(
        used,
        asked,
        "calls: {:#?}",
        requests.iter().map(|r| &r.endpoint).collect::<Vec<_>>()
    );
    let manifest_permissions = manifest["default_permissions"].as_object().unwrap();
    assert_eq!(manifest_permissions.len(), APP_PERMISSIONS.len());
    for (permission, level) in APP_PERMISSIONS {
        assert_eq!(manifest_permissions[*permission], *level);
    }
    drop(server);

    // 6. A restart uses the saved credentials: no setup mode, no setup page.
    let (server, setup_url) =
        support::server::start_without_app(&github.url(), dir.path(), &[]).await;
    assert_eq!(setup_url, None);
    let gone = http
        .get(format!("{}/?token={token}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}
