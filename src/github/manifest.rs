//! The App manifest `failmode serve` registers itself with (GitHub's App Manifest flow, see
//! `deploy/README.md`): what the App is called, where GitHub sends its webhooks, and exactly
//! the permissions and events the App's code uses — this file is the one place they are listed.

use serde_json::{json, Value};

/// The repository permissions the App's calls need, and why. `metadata: read` is granted to
/// every App anyway; GitHub lists it in the App's settings, so the manifest names it too.
pub const APP_PERMISSIONS: &[(&str, &str)] = &[
    // Check runs: created at the start of a review, completed with its summary.
    ("checks", "write"),
    // `.github/failmode.toml`, source files, trees, blobs and archives at the head commit.
    ("contents", "read"),
    ("metadata", "read"),
    // The pull request, its files, its review comments and reviews; posting the review.
    ("pull_requests", "write"),
];

/// The webhook events the App acts on and subscribes to (`failmode serve` acknowledges and
/// drops the rest).
pub const SUBSCRIBED_EVENTS: &[&str] = &[
    "check_run",
    "check_suite",
    "pull_request",
    // Replies to the App's threads: `/failmode ignore <reason>` and `/failmode explain`.
    "pull_request_review_comment",
];

/// Events GitHub delivers to every App without a subscription; the manifest cannot list them.
pub const DELIVERED_WITHOUT_SUBSCRIPTION: &[&str] =
    &["installation", "installation_repositories", "ping"];

/// The manifest for an App whose server is reachable at `public_url` (scheme and host, no
/// trailing slash): webhooks go to `<public_url>/webhook`, GitHub sends the browser back to
/// `<public_url>/setup/callback`. The App is private (`public: false`): only the account that
/// registers it can install it.
pub fn app_manifest(name: &str, public_url: &str) -> Value {
    let permissions: serde_json::Map<String, Value> = APP_PERMISSIONS
        .iter()
        .map(|(permission, level)| (permission.to_string(), json!(level)))
        .collect();
    json!({
        "name": name,
        "url": public_url,
        "description": "Reviews pull requests for production failure modes: missing retries, swallowed errors, untested handlers.",
        "hook_attributes": { "url": format!("{public_url}/webhook"), "active": true },
        "redirect_url": format!("{public_url}/setup/callback"),
        "public": false,
        "default_permissions": permissions,
        "default_events": SUBSCRIBED_EVENTS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::webhook::Event;

    #[test]
    fn manifest_points_github_at_this_server() {
        let manifest = app_manifest("failmode-acme", "https://failmode.acme.dev");
        assert_eq!(
            manifest["hook_attributes"]["url"],
            "https://failmode.acme.dev/webhook"
        );
        assert_eq!(
            manifest["redirect_url"],
            "https://failmode.acme.dev/setup/callback"
        );
        assert_eq!(manifest["url"], "https://failmode.acme.dev");
        assert_eq!(manifest["public"], false);
        assert_eq!(
            manifest["default_permissions"],
            json!({"checks": "write", "contents": "read", "metadata": "read", "pull_requests": "write"})
        );
        assert_eq!(
            manifest["default_events"],
            json!([
                "check_run",
                "check_suite",
                "pull_request",
                "pull_request_review_comment"
            ])
        );
    }

    /// Every subscribed event is one the webhook parser acts on, and every event it acts on
    /// (other than those delivered without a subscription) is subscribed: a real payload of each
    /// event in the fixtures parses to something other than `Event::Other` exactly when the
    /// manifest subscribes to it.
    #[test]
    fn subscribed_events_are_exactly_the_ones_the_app_acts_on() {
        let webhooks =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/webhooks");
        let mut acted_on = Vec::new();
        let mut seen = 0;
        for dir in std::fs::read_dir(&webhooks).expect("webhook fixtures") {
            let dir = dir.expect("fixture dir").path();
            let Some(event) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            for payload in std::fs::read_dir(&dir).expect("event fixtures") {
                let payload = payload.expect("fixture").path();
                if !payload.to_string_lossy().ends_with(".payload.json") {
                    continue;
                }
                seen += 1;
                let body = std::fs::read(&payload).expect("read fixture");
                let parsed = Event::parse(&event, &body);
                if !matches!(parsed, Ok(Event::Other { .. }))
                    && !DELIVERED_WITHOUT_SUBSCRIPTION.contains(&event.as_str())
                {
                    acted_on.push(event.clone());
                }
            }
        }
        assert!(seen > 10, "the webhook fixtures are missing");
        acted_on.sort();
        acted_on.dedup();
        assert_eq!(acted_on, SUBSCRIBED_EVENTS);
    }
}
