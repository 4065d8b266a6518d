//! Class 6: a client whose methods hand each call to its own helper, which runs it under a
//! retry (`policy.retry_if(..)`), retries every one of them: a caller that only logs the
//! error has lost nothing a retry would save. The same shape with a helper that calls once is
//! still reported.
use tracing::warn;

pub struct Table {
    http: reqwest::Client,
    policy: RetryPolicy,
}

impl Table {
    async fn execute_rpc<F, Fut>(&self, call: F) -> Result<(), Error>
    where
        F: Fn(reqwest::Client) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        self.policy.retry_if(|| call(self.http.clone()), is_transient).await
    }

    pub async fn remove_user(&self, id: u64) -> Result<(), Error> {
        self.execute_rpc(|http| async move {
            http.delete(format!("{TABLE_URL}/users/{id}")).send().await?;
            Ok(())
        })
        .await
    }
}

pub struct Ledger {
    http: reqwest::Client,
}

impl Ledger {
    async fn call_once<F, Fut>(&self, call: F) -> Result<(), Error>
    where
        F: Fn(reqwest::Client) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        call(self.http.clone()).await
    }

    pub async fn close_account(&self, id: u64) -> Result<(), Error> {
        self.call_once(|http| async move {
            http.post(format!("{LEDGER_URL}/accounts/{id}/close")).send().await?;
            Ok(())
        })
        .await
    }
}

pub async fn forget_user(table: &Table, ledger: &Ledger, id: u64) {
    if let Err(e) = table.remove_user(id).await {
        warn!(error = %e, "user {id} not removed");
    }
    if let Err(e) = ledger.close_account(id).await { //~ missing-retry:high
        warn!(error = %e, "account {id} not closed");
    }
}
