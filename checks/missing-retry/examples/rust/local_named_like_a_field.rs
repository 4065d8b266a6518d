//! A client field's name says nothing about a local value of the same name: here `client` is
//! a GitHub client in `Bot`, but in `remember_release` it is the process's own cache handle,
//! so its `put` is no call to GitHub. The field itself still is.
use tracing::warn;

pub struct Bot {
    client: hubcaps::Github,
}

impl Bot {
    pub async fn label(&self, n: u64) {
        if let Err(err) = self.client.add_label(n, "triaged").await { //~ missing-retry:high
            warn!("could not label #{n}: {err}");
        }
    }
}

pub async fn remember_release(version: &str) {
    let client = LocalCache::handle();
    if let Err(err) = client.put("latest_release", version).await {
        warn!("could not cache the latest release: {err}");
    }
}
