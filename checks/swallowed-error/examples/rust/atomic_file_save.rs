//! A state file written through atomicwrites' `AtomicFile` is a durable write: dropping the
//! error of the method that saves it loses the state silently (the subscriber is told it worked,
//! and the change is gone after a restart).
use atomicwrites::{AtomicFile, OverwriteBehavior};

pub struct Subscriptions {
    path: std::path::PathBuf,
    feeds: Vec<String>,
}

impl Subscriptions {
    pub fn save(&self) -> std::io::Result<()> {
        let file = AtomicFile::new(&self.path, OverwriteBehavior::AllowOverwrite);
        file.write(|f| serde_json::to_writer(f, &self.feeds))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(())
    }

    pub fn subscribe(&mut self, feed: String) -> bool {
        self.feeds.push(feed);
        self.save().unwrap_or_default(); //~ swallowed-error
        true
    }

    pub fn subscribe_logged(&mut self, feed: String) -> bool {
        self.feeds.push(feed);
        if let Err(e) = self.save() {
            tracing::warn!(error = %e, "cannot save subscriptions");
        }
        true
    }
}
