use billing_worker::billing::Job;
use billing_worker::worker::process_jobs;

#[tokio::test]
async fn drains_the_job_queue() {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(Job { id: 1 }).await.unwrap();
    drop(tx);
    process_jobs(rx).await;
}
