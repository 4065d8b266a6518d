//! A worker that pulls webhook events from an in-memory queue and reports failed builds on the
//! pull request. An error of `process` is logged and the loop takes the next event: nothing
//! delivers this one again, so a GitHub blip loses the report for good. Each failure is
//! reported once, where the work calls the client, not at the log line that drops it.
use log_reporter::github::Client;
use std::sync::mpsc::Receiver;

pub struct Event {
    repo: String,
    pr: u32,
    sha: String,
    outdated_comment: Option<String>,
}

pub struct Worker {
    github: Client,
    queue: Receiver<Event>,
}

impl Worker {
    pub fn main(&mut self) -> anyhow::Result<()> {
        loop {
            let event = self.queue.recv()?;
            match self.process(&event) {
                Ok(()) => {}
                Err(e) => tracing::error!("processing the event failed: {e}"),
            }
        }
    }

    fn process(&mut self, event: &Event) -> anyhow::Result<()> {
        self.report_failed(event)?;
        Ok(())
    }

    fn report_failed(&mut self, event: &Event) -> anyhow::Result<()> {
        let pr = self.github.query_pr(&event.repo, event.pr)?; //~ missing-retry:medium
        if pr.head_sha != event.sha {
            return Ok(());
        }
        if let Some(id) = &event.outdated_comment {
            self.github.hide_comment(id)?; //~ missing-retry:high
        }
        self.github.post_comment(&event.repo, event.pr, "build failed")?; //~ missing-retry:high
        Ok(())
    }
}
