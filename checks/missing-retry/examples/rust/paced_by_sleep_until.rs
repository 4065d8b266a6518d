//! A poller whose loop waits for a deadline (`sleep_until(next)`) runs every round again: a job
//! it fails to hand over now is read again, still due, one interval later. The same hand-over
//! made once, when the service starts, is not made again: those jobs wait for the next restart.
use std::time::Duration;
use tokio::time::{sleep_until, Instant};

pub async fn run_poller(pool: sqlx::PgPool, queue: lapin::Channel) {
    loop {
        let next_round = Instant::now() + Duration::from_secs(10);
        match sqlx::query_as::<_, Job>("SELECT id, payload FROM jobs WHERE due_at <= now()")
            .fetch_all(&pool)
            .await
        {
            Ok(jobs) => {
                for job in jobs {
                    hand_over(&queue, &job).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the due jobs"),
        }
        sleep_until(next_round).await;
    }
}

async fn hand_over(queue: &lapin::Channel, job: &Job) {
    if let Err(e) = queue.basic_publish("", "jobs", BasicPublishOptions::default(), &job.payload, BasicProperties::default()).await {
        tracing::warn!(error = %e, id = job.id, "could not publish the job");
    }
}

pub async fn resume_on_start(queue: lapin::Channel, unfinished: Vec<Job>) {
    for job in unfinished {
        if let Err(e) = queue.basic_publish("", "jobs", BasicPublishOptions::default(), &job.payload, BasicProperties::default()).await { //~ missing-retry:high
            tracing::warn!(error = %e, id = job.id, "could not publish the job");
        }
    }
}
