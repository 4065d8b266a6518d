pub struct Job {
    pub id: u64,
}

pub async fn apply_invoice(_data: &[u8]) -> Result<(), String> {
    Ok(())
}

pub async fn run_job(_job: Job) -> Result<(), String> {
    Ok(())
}

pub async fn refund(_body: &str) -> Result<(), String> {
    Ok(())
}
