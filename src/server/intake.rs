//! Group commit for webhook intake. Every delivery must be stored before it is answered, and a
//! commit costs a disk flush; a single writer task stores whatever deliveries arrived while the
//! previous commit was flushing in one transaction, so a burst of N concurrent deliveries costs
//! about one flush per batch instead of N flushes queued behind each other.

use crate::queue::{Enqueued, JobStore, NewJob};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most deliveries stored in one transaction.
pub const MAX_BATCH: usize = 128;
/// Deliveries waiting for the writer; beyond this, intake callers wait for room.
const QUEUE_DEPTH: usize = 4096;

/// Why a delivery could not be stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IntakeError {
    /// The job store refused or could not be reached.
    #[error("job store: {0}")]
    Store(String),
    /// The writer task is gone (the server is shutting down).
    #[error("the intake writer has stopped")]
    Stopped,
}

type Pending = (NewJob, oneshot::Sender<Result<Enqueued, IntakeError>>);

/// Handle to the intake writer. Cheap to clone.
#[derive(Clone)]
pub struct IntakeWriter {
    tx: mpsc::Sender<Pending>,
}

impl IntakeWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Arc<JobStore>) -> IntakeWriter {
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(write_batches(store, rx));
        IntakeWriter { tx }
    }

    /// Stores `job` (in the next batch) and returns once it is committed.
    pub async fn store(&self, job: NewJob) -> Result<Enqueued, IntakeError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((job, reply))
            .await
            .map_err(|_| IntakeError::Stopped)?;
        answer.await.map_err(|_| IntakeError::Stopped)?
    }
}

async fn write_batches(store: Arc<JobStore>, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (jobs, replies): (Vec<NewJob>, Vec<_>) = batch.drain(..).unzip();
        match store.enqueue_batch(&jobs).await {
            Ok(stored) => {
                for (reply, result) in replies.into_iter().zip(stored) {
                    // A dropped receiver is a client that hung up; its job is stored anyway.
                    let _hung_up = reply.send(Ok(result));
                }
            }
            Err(e) if jobs.len() > 1 => {
                // One bad delivery must not fail the others: store them one by one.
                tracing::warn!(error = %e, batch = jobs.len(), "storing a batch failed; storing its deliveries one by one");
                for (job, reply) in jobs.iter().zip(replies) {
                    let result = store
                        .enqueue(job)
                        .await
                        .map_err(|e| IntakeError::Store(e.to_string()));
                    let _hung_up = reply.send(result);
                }
            }
            Err(e) => {
                for reply in replies {
                    let _hung_up = reply.send(Err(IntakeError::Store(e.to_string())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{Delivery, JobKind};

    fn job(delivery: &str, pr: i64) -> NewJob {
        NewJob {
            delivery: Delivery {
                id: delivery.to_string(),
                event: "pull_request".into(),
                action: Some("opened".into()),
            },
            kind: JobKind::Review,
            installation_id: 1,
            repo: "acme/api".into(),
            pr_number: pr,
            head_sha: format!("{pr:040x}"),
            payload: serde_json::Value::Null,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_are_all_stored_and_a_closed_store_answers_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let store = Arc::new(JobStore::connect(&url).await.expect("open the store"));
        // What `IntakeWriter::start` does, with the writer task in the test's hands.
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        let task = tokio::spawn(write_batches(store.clone(), rx));
        let writer = IntakeWriter { tx };
        let stores: Vec<_> = (0..64)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.store(job(&format!("d-{i}"), i)).await })
            })
            .collect();
        let mut ids = Vec::new();
        for s in stores {
            match s.await.expect("task") {
                Ok(Enqueued::Created(id)) => ids.push(id),
                other => panic!("a new delivery must be created: {other:?}"),
            }
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 64, "every delivery got its own job");
        assert!(matches!(
            writer.store(job("d-7", 7)).await,
            Ok(Enqueued::Duplicate(_))
        ));
        // The database goes away: the caller gets an error (intake answers 503), not a hang.
        store.close().await;
        assert!(matches!(
            writer.store(job("d-late", 99)).await,
            Err(IntakeError::Store(_))
        ));
        // Once every handle is gone the writer task ends.
        drop(writer);
        task.await.expect("the writer task ends cleanly");
    }
}
