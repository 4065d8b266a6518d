// NO FLAG: upkeep statements change no data: a failed `PRAGMA optimize` or `VACUUM` loses
// nothing, and the next periodic run does it again.
pub fn optimize(conn: &rusqlite::Connection) {
    conn.execute_batch("PRAGMA optimize;").ok();
    let _ = conn.execute("VACUUM", []);
    let _ = conn.execute("ANALYZE sessions", []);
}

// FLAG: the same discard on a statement that changes data.
pub fn expire(conn: &rusqlite::Connection, cutoff: i64) {
    conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [cutoff]).ok(); //~ swallowed-error
}
