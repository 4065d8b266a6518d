// Work that runs again after a failure, and what it writes first
// (docs/checks/non-idempotent-retry.md).
use std::time::Duration;

// A job-table poller: the email goes out, then the job row is deleted. If the delete fails (or
// the process stops in between), the next poll sends the same email again.
pub async fn send_due_reminders(db: &PgPool, mailer: &Mailer) -> Result<(), Error> {
    let jobs = sqlx::query_as::<_, Job>("SELECT * FROM reminder_jobs WHERE due < now()")
        .fetch_all(db)
        .await?;
    for job in jobs {
        mailer.send_email(&job.to, &job.body).await?; //~ non-idempotent-retry
        sqlx::query("DELETE FROM reminder_jobs WHERE id = $1")
            .bind(job.id)
            .execute(db)
            .await?;
    }
    Ok(())
}

// A queue consumer: the order row gets a fresh id, then the message is acked. A failed ack
// redelivers the message and a second order row is inserted.
pub async fn on_order(db: &PgPool, delivery: Delivery) -> Result<(), Error> {
    let order: NewOrder = serde_json::from_slice(&delivery.data)?;
    sqlx::query("INSERT INTO orders (id, customer, total) VALUES ($1, $2, $3)") //~ non-idempotent-retry
        .bind(Uuid::new_v4())
        .bind(order.customer)
        .bind(order.total)
        .execute(db)
        .await?;
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}

// Counters moved in SQL before the ack: a failed ack redelivers the message and each moves
// twice. Setting a column to a value is safe to repeat.
pub async fn on_download(db: &PgPool, delivery: Delivery) -> Result<(), Error> {
    let ev: Download = serde_json::from_slice(&delivery.data)?;
    sqlx::query("UPDATE crates SET downloads = downloads + 1 WHERE name = $1") //~ non-idempotent-retry
        .bind(&ev.name)
        .execute(db)
        .await?;
    sqlx::query("UPDATE quotas SET remaining = quotas.remaining - $1 WHERE owner = $2") //~ non-idempotent-retry
        .bind(1)
        .bind(&ev.owner)
        .execute(db)
        .await?;
    sqlx::query("UPDATE crates SET last_download = $1 WHERE name = $2")
        .bind(ev.at)
        .bind(&ev.name)
        .execute(db)
        .await?;
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}

// The same consumer with the row keyed by the message: a redelivery finds the row.
pub async fn on_order_keyed(db: &PgPool, delivery: Delivery) -> Result<(), Error> {
    let order: NewOrder = serde_json::from_slice(&delivery.data)?;
    sqlx::query("INSERT INTO orders (id, customer, total) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
        .bind(order.message_id)
        .bind(order.customer)
        .bind(order.total)
        .execute(db)
        .await?;
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}

// A retry wrapper around two steps: when the publish fails, the wrapper runs the insert again.
pub async fn record_signup(db: &PgPool, producer: &FutureProducer, user: &User) -> Result<(), Error> {
    tokio_retry::Retry::spawn(ExponentialBackoff::from_millis(100).take(3), || async {
        sqlx::query("INSERT INTO signups (id, email) VALUES ($1, $2)") //~ non-idempotent-retry
            .bind(Uuid::new_v4())
            .bind(&user.email)
            .execute(db)
            .await?;
        producer
            .send(FutureRecord::to("signups").payload(&user.email), Duration::from_secs(5))
            .await
            .map_err(|(e, _)| e)?;
        Ok::<(), Error>(())
    })
    .await
}

// The publish is the last step inside the wrapper: only a failed publish is retried.
pub async fn announce_signup(producer: &FutureProducer, user: &User) -> Result<(), Error> {
    tokio_retry::Retry::spawn(ExponentialBackoff::from_millis(100).take(3), || async {
        let payload = serde_json::to_string(user)?;
        producer
            .send(FutureRecord::to("signups").payload(&payload), Duration::from_secs(5))
            .await
            .map_err(|(e, _)| e)?;
        Ok::<(), Error>(())
    })
    .await
}

// A consumer whose caller nacks the message when it fails: the notification goes out, then the
// status update fails, and the redelivered message notifies again.
async fn process(db: &PgPool, http: &reqwest::Client, ev: &Event) -> Result<(), Error> {
    http.post(&ev.callback_url).json(&ev.payload).send().await?; //~ non-idempotent-retry
    sqlx::query("UPDATE events SET notified = true WHERE id = $1")
        .bind(ev.id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn consume(db: &PgPool, http: &reqwest::Client, mut consumer: Consumer) {
    while let Some(Ok(delivery)) = consumer.next().await {
        let ev: Event = match serde_json::from_slice(&delivery.data) {
            Ok(ev) => ev,
            Err(_) => continue,
        };
        match process(db, http, &ev).await {
            Ok(()) => {
                let _ = delivery.ack(BasicAckOptions::default()).await;
            }
            Err(_) => {
                let _ = delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
            }
        }
    }
}

// A request handler with no retry around it: the client sees the error and decides.
pub async fn create_invoice(db: &PgPool, http: &reqwest::Client, req: NewInvoice) -> Result<Invoice, Error> {
    let invoice = sqlx::query_as::<_, Invoice>("INSERT INTO invoices (id, total) VALUES ($1, $2) RETURNING *")
        .bind(Uuid::new_v4())
        .bind(req.total)
        .fetch_one(db)
        .await?;
    http.post(BILLING_URL).json(&invoice).send().await?;
    Ok(invoice)
}

// A commented decision: the receiver deduplicates on the event id.
pub async fn forward(http: &reqwest::Client, delivery: Delivery, ev: &Event) -> Result<(), Error> {
    // idempotent: the receiver drops a repeated event id
    http.post(&ev.callback_url).json(&ev.payload).send().await?;
    delivery.ack(BasicAckOptions::default()).await?;
    Ok(())
}
