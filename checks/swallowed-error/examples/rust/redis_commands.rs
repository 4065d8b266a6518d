// redis's command builder runs its command with a connection method (`query`), named by the
// command's first word rather than by a method.
use std::sync::Mutex;

pub struct SessionStore {
    conn: Mutex<redis::Connection>,
}

impl SessionStore {
    // FLAG: a failed DEL leaves every revoked session valid until it expires, and nothing says so.
    pub fn revoke_all(&self) {
        if let Ok(mut conn) = self.conn.lock() {
            let _ = redis::cmd("DEL").arg("sessions").query::<bool>(&mut *conn); //~ swallowed-error
        }
    }

    // No finding: a read that falls back to "not cached" loses nothing (HGET names no read
    // prefix; the vocabulary lists it as a read).
    pub fn cached(&self, id: &str) -> Option<String> {
        if let Ok(mut conn) = self.conn.lock() {
            if let Ok(found) = redis::cmd("HGET").arg("sessions").arg(id).query::<Option<String>>(&mut *conn) {
                return found;
            }
        }
        None
    }

    // No finding: the same read on a connection, by method.
    pub fn cached_by_method(&self, id: &str) -> Option<String> {
        if let Ok(mut conn) = self.conn.lock() {
            if let Ok(found) = conn.hget("sessions", id) {
                return found;
            }
        }
        None
    }
}
