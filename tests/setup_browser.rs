//! The setup page in a real browser: headless Chromium, driven through chromedriver, opens the
//! setup link `failmode serve` logs, fills in the public URL, clicks, goes through the fake
//! GitHub's manifest form and lands on the "installed" page; a signed webhook is then reviewed
//! with the credentials GitHub handed over. Screenshots of each page are saved under
//! `target/tmp/screenshots/`.
//!
//! Needs Chromium and chromedriver (Debian: `apt-get install chromium chromium-driver`); it runs
//! when `FAILMODE_TEST_CHROMEDRIVER` names the chromedriver binary, as `.ci/run` sets it, and
//! is skipped (with a note) otherwise, so a plain `cargo test` passes on a machine without a
//! browser. `tests/setup_e2e.rs` covers the same flow over plain HTTP everywhere.

mod support;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::fake_github::FakeGithub;
use support::server::{pull_request_payload, setup_pull, APP_ID, HEAD_SHA};

/// A chromedriver process, killed when dropped.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_chromedriver(binary: &str) -> Chromedriver {
    // chromedriver cannot be told to pick a port and report it; take a free one and hand it
    // over (the window in between is tiny, and a clash fails the start below loudly).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let driver = Chromedriver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/status", driver.url)).await {
            if r.status().is_success() {
                return driver;
            }
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_registers_the_app_from_the_setup_page() {
    let Ok(chromedriver) = std::env::var("FAILMODE_TEST_CHROMEDRIVER") else {
        eprintln!(
            "skipped: set FAILMODE_TEST_CHROMEDRIVER to chromedriver's path to run the browser test (.ci/run does)"
        );
        return;
    };
    let github = FakeGithub::start(APP_ID).await;
    let dir = tempfile::tempdir().unwrap();
    let (server, setup_url) =
        support::server::start_without_app(&github.url(), dir.path(), &[]).await;
    let setup_url = setup_url.expect("setup mode logs its setup link");
    let driver = start_chromedriver(&chromedriver).await;
    let mut chrome_options = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"]
    });
    if let Ok(binary) = std::env::var("FAILMODE_TEST_CHROMIUM") {
        chrome_options["binary"] = json!(binary);
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_string(), chrome_options);
    // Both ring and aws-lc-rs are linked into the test binary; name one.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let browser = ClientBuilder::rustls()
        .expect("TLS roots")
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in Chromium");
    let shots = screenshot_dir();

    // 1. Open the setup page from the logged link.
    browser.goto(&setup_url).await.expect("open the setup page");
    let url_field = browser
        .wait()
        .for_element(Locator::Id("public_url"))
        .await
        .expect("the public URL field");
    std::fs::write(
        shots.join("setup-1-form.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    // 2. Fill in the URL GitHub and browsers reach this server at.
    url_field.clear().await.unwrap();
    url_field.send_keys(&server.url).await.unwrap();
    std::fs::write(
        shots.join("setup-2-filled.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    // 3. Click: the page posts the manifest to GitHub, which sends the browser back.
    browser
        .find(Locator::Id("register"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // 4. The "installed" page, with the link that installs the App.
    let install = browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("install"))
        .await
        .expect("the installed page");
    let href = install.attr("href").await.unwrap().unwrap_or_default();
    assert_eq!(
        href,
        format!("{}/apps/failmode/installations/new", github.url())
    );
    let landed = browser.current_url().await.unwrap();
    assert_eq!(landed.path(), "/setup/callback");
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "failmode is installed");
    std::fs::write(
        shots.join("setup-3-installed.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await.unwrap();

    let posted = github.posted_manifests();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].organization, None);
    assert_eq!(
        posted[0].manifest["hook_attributes"]["url"],
        format!("{}/webhook", server.url)
    );
    let code = landed
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("the callback's code");

    // 5. A signed webhook is reviewed with the new credentials.
    setup_pull(&github, false, None);
    let secret = FakeGithub::webhook_secret_for_code(&code);
    let opened = pull_request_payload("opened", HEAD_SHA, false);
    support::server::deliver_until_accepted(
        &server.url,
        "pull_request",
        "browser-1",
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
    eprintln!("screenshots: {}", shots.display());
}
