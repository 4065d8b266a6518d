//! A path into another crate names that crate's function, never the workspace's function of the
//! same last name: `rusqlite::Connection::open(..)` is not `open` below, which writes the
//! journal file. Dropping the probe's error loses nothing; dropping the write's does.

/// Opens the journal: writes its header to `path`.
pub fn open(path: &str) -> std::io::Result<()> {
    std::fs::write(path, b"journal v1\n")?;
    Ok(())
}

pub fn start(journal_path: &str, cache_path: &str) {
    // Probe for a local cache file; without one the sync reads everything.
    rusqlite::Connection::open(cache_path).ok();
    open(journal_path).ok(); //~ swallowed-error
}
