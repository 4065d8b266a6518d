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

// NO FLAG: an arm that names which error it handles is a decision about that error; the
// others reach the catch-all arm (class 8: catch-all arms that propagate).
async fn create_key(db: &sqlx::PgPool, name: &str) -> Result<String, DbError> {
    loop {
        let secret = random_secret();
        match insert_key(db, name, &secret).await {
            Ok(()) => return Ok(secret),
            Err(DbError::SecretTaken) => continue,
            Err(e) => return Err(e),
        }
    }
}

fn accept_ready(listener: &std::net::TcpListener) -> std::io::Result<usize> {
    let mut accepted = 0;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                serve(stream);
                accepted += 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(accepted)
}
