//! The server's database access. `delete_store` shares its name with the client SDK's method,
//! so a test that calls it names no route.
use sqlx::PgPool;

#[derive(Clone)]
pub struct Db(pub PgPool);

impl Db {
    pub async fn insert_records(&self, user: i64, records: &[String]) -> sqlx::Result<()> {
        for r in records {
            sqlx::query("INSERT INTO records (user_id, data) VALUES ($1, $2)").bind(user).bind(r).execute(&self.0).await?;
        }
        Ok(())
    }

    pub async fn user_name(&self, user: i64) -> sqlx::Result<String> {
        sqlx::query_scalar("SELECT name FROM users WHERE id = $1").bind(user).fetch_one(&self.0).await
    }

    pub async fn delete_store(&self, user: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM records WHERE user_id = $1").bind(user).execute(&self.0).await?;
        Ok(())
    }

    pub async fn delete_tag(&self, record: i64, tag: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM tags WHERE record_id = $1 AND tag = $2")
            .bind(record)
            .bind(tag)
            .execute(&self.0)
            .await?;
        Ok(())
    }
}

pub async fn get_record(pool: &PgPool, id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT data FROM records WHERE id = $1").bind(id).fetch_one(pool).await
}
