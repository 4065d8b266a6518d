//! Work handed to a scheduler (`scheduler.every(1.hour()).run(job)`) runs again on its next
//! round, as a timer loop's body does: an error logged there is retried by the next run. Here
//! the scheduling function's name is defined twice in the crate, so only the closure itself
//! shows that it is scheduled. Work the same function does once, at startup, is not retried,
//! unless the scheduler runs that same job too: then the next round redoes a failed first run.
use clokwerk::{Scheduler, TimeUnits};
use std::time::Duration;

pub mod jobs {
    use super::*;

    pub fn start(pool: DbPool) {
        let mut scheduler = Scheduler::new();
        if let Err(e) = send_digest(&pool) { //~ missing-retry:high
            tracing::error!(error = %e, "startup digest failed");
        }
        if let Err(e) = refresh_active_counts(&pool) {
            tracing::error!(error = %e, "startup count refresh failed");
        }
        scheduler.every(1.hour()).run(move || {
            if let Err(e) = refresh_active_counts(&pool) {
                tracing::error!(error = %e, "count refresh failed");
            }
            if let Err(e) = purge_expired_sessions(&pool) {
                tracing::error!(error = %e, "session purge failed; the next run retries");
            }
        });
        let _thread = scheduler.watch_thread(Duration::from_secs(60));
    }

    fn send_digest(pool: &DbPool) -> Result<(), DbError> {
        let mut conn = pool.get()?;
        diesel::insert_into(digests::table)
            .values(&NewDigest::now())
            .execute(&mut conn)?;
        Ok(())
    }

    fn refresh_active_counts(pool: &DbPool) -> Result<(), DbError> {
        let mut conn = pool.get()?;
        diesel::update(user_counts::table)
            .set(user_counts::active.eq(active_users_subquery()))
            .execute(&mut conn)?;
        Ok(())
    }

    fn purge_expired_sessions(pool: &DbPool) -> Result<(), DbError> {
        let mut conn = pool.get()?;
        diesel::delete(sessions::table.filter(sessions::expires.lt(diesel::dsl::now)))
            .execute(&mut conn)?;
        Ok(())
    }
}

pub mod server {
    pub fn start(port: u16) -> std::io::Result<std::net::TcpListener> {
        std::net::TcpListener::bind(("0.0.0.0", port))
    }
}
