// NO FLAG: a helper named as a read (`get_..`, `read_..`) is a read to its caller, even when its
// body also writes (a lookup that refreshes a token row). `if let Ok(..)` without `else` skips
// an optional read and keeps the default: nothing is lost.
pub struct Settings {
    pool: sqlx::PgPool,
}

impl Settings {
    pub async fn read_network_setting(&self) -> Result<NetworkSetting, sqlx::Error> {
        sqlx::query("UPDATE settings SET read_at = now()")
            .execute(&self.pool)
            .await?;
        sqlx::query_as("SELECT external_url FROM settings")
            .fetch_one(&self.pool)
            .await
    }

    pub async fn link_prefix(&self) -> String {
        let mut prefix = String::from("/");
        if let Ok(settings) = self.read_network_setting().await {
            prefix = settings.external_url;
        }
        prefix
    }

    pub async fn store_network_setting(&self, url: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE settings SET external_url = $1")
            .bind(url)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // FLAG: the same shape on a write: the new setting is silently not stored.
    pub async fn save(&self, url: &str) {
        if let Ok(()) = self.store_network_setting(url).await { //~ swallowed-error
            tracing::info!("setting stored");
        }
    }
}
