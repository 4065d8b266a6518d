//! The service's key-value store: its `delete` is a method, which no route can name by the
//! module path `store::delete`.
pub struct SettingsStore {
    db: sqlx::PgPool,
}

impl SettingsStore {
    pub async fn delete(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM kv WHERE key = $1").bind(key).execute(&self.db).await?;
        Ok(())
    }
}
