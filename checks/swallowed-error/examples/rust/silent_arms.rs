// FLAG: silent Err arms on effectful calls.
async fn drain(db: &sqlx::PgPool, sqs: &aws_sdk_sqs::Client, q: &str, jobs: Vec<Job>) -> anyhow::Result<()> {
    for job in jobs {
        match sqlx::query("UPDATE jobs SET state = 'done' WHERE id = $1").bind(job.id).execute(db).await {
            Ok(_) => {}
            Err(_) => continue, //~ swallowed-error:high
        }
        match sqs.delete_message().queue_url(q).receipt_handle(&job.receipt).send().await {
            Ok(_) => (),
            Err(_) => (), //~ swallowed-error:high
        }
        match std::fs::write(format!("/var/spool/app/{}.done", job.id), b"") {
            Ok(()) => {}
            Err(_e) => {} //~ swallowed-error
        }
    }
    match sqlx::query("INSERT INTO runs (finished_at) VALUES (now())").execute(db).await {
        Ok(_) => Ok(()),
        Err(_) => return Ok(()), //~ swallowed-error:high
    }
}

// NO FLAG: the arm logs, translates, or the scrutinee has no durable effect.
async fn handled(db: &sqlx::PgPool, cache: &mut HashMap<i64, Job>, id: i64) -> anyhow::Result<()> {
    match sqlx::query("UPDATE jobs SET state = 'done' WHERE id = $1").bind(id).execute(db).await {
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, id, "could not finish job"),
    }
    match cache.get(&id) {
        Some(_) => {}
        None => {}
    }
    match "42".parse::<u32>() {
        Ok(_) => {}
        Err(_) => {}
    }
    Ok(())
}
