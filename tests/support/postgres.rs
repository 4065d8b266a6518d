//! A fresh schema on the test PostgreSQL server named by `FAILMODE_TEST_POSTGRES_URL`, dropped
//! when the guard goes away. Tests that need PostgreSQL skip (with a note) when it is unset, so
//! a plain `cargo test` passes without a database; `.ci/run` always sets it.

use sqlx::Connection;

/// A schema of its own on the test server.
pub struct PgSchema {
    /// Base URL plus `search_path` set to the schema.
    pub url: String,
    base: String,
    schema: String,
}

impl PgSchema {
    /// Creates the schema, or returns `None` when `FAILMODE_TEST_POSTGRES_URL` is unset.
    pub async fn create(test: &str) -> Option<PgSchema> {
        let Ok(base) = std::env::var("FAILMODE_TEST_POSTGRES_URL") else {
            eprintln!("note: FAILMODE_TEST_POSTGRES_URL is not set; skipping {test}");
            return None;
        };
        let schema = format!("failmode_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to FAILMODE_TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .expect("create a test schema");
        conn.close().await.expect("close the admin connection");
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(PgSchema {
            url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
            base,
            schema,
        })
    }

    /// The same schema reached through `host:port` instead (e.g. a proxy the test controls).
    pub fn url_via(&self, host_port: &str) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.url.clone();
        };
        let (userinfo, after) = match rest.split_once('@') {
            Some((u, a)) => (format!("{u}@"), a),
            None => (String::new(), rest),
        };
        let path = after.find('/').map(|i| &after[i..]).unwrap_or("");
        format!("{scheme}://{userinfo}{host_port}{path}")
    }

    /// Runs a scalar query in the schema (for assertions on the job store).
    pub async fn count(&self, sql: &str) -> i64 {
        let mut conn = sqlx::PgConnection::connect(&self.url)
            .await
            .expect("connect to the test schema");
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.expect("close");
        n
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (base, schema) = (self.base.clone(), self.schema.clone());
        // Drop runs inside the test's runtime; use a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&base).await.ok()?;
                sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: could not drop a failmode_test_ schema; drop it by hand");
        }
    }
}
