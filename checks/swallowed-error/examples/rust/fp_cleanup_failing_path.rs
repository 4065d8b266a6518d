// NO FLAG: cleanup on an already-failing path; the original error is returned.
async fn import(db: &sqlx::PgPool, s3: &aws_sdk_s3::Client, job: &Job) -> anyhow::Result<()> {
    let staged = stage(db, job).await?;
    if let Err(e) = load_rows(db, &staged).await {
        let _ = sqlx::query("DELETE FROM staging WHERE job_id = $1").bind(job.id).execute(db).await;
        return Err(e.into());
    }
    match publish(&staged).await {
        Ok(()) => Ok(()),
        Err(e) => {
            s3.delete_object().bucket(&job.bucket).key(&staged.key).send().await.ok();
            Err(e)
        }
    }
}

async fn write_report(path: &std::path::Path, body: &[u8]) -> std::io::Result<()> {
    tokio::fs::write(path, body).await.map_err(|e| {
        let _ = std::fs::rename(path, path.with_extension("partial"));
        e
    })
}
