//! Callers of the forge helpers in `forge.rs`.
use crate::forge::Forge;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use tracing::{debug, error, warn};

/// Runs once per merge event from the forge's webhook; nothing runs it again.
pub fn on_merged(forge: &Forge, pr: u64) {
    if let Err(e) = forge.leave_note(pr, "Merged, thanks!") { //~ missing-retry:high
        warn!("could not leave the merge note on #{pr}: {e}");
    }
    match forge.tag(pr, "merged") { //~ missing-retry:high
        Ok(()) => {}
        Err(e) => error!("{e}"),
    }
    if let Err(e) = forge.close(pr) { //~ missing-retry:high
        warn!("could not close #{pr}: {e}");
    }
}

/// The arm for the one expected error only logs; every other error is returned, so the caller
/// decides: no finding.
pub fn provision(conn: &mut PgConnection, names: &[&str]) -> Result<(), DieselError> {
    for name in names {
        match create_origin(conn, name) {
            Ok(_) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                debug!("origin {name} already exists");
            }
            Err(err) => {
                error!("could not create origin {name}: {err}");
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Periodic work: the loop in `run_mirror` calls this every five minutes, so the next round is
/// the retry. No finding.
fn refresh_mirror(forge: &Forge, pr: u64) {
    if let Err(e) = forge.leave_note(pr, "mirror refreshed") {
        warn!("mirror note failed: {e}");
    }
}

pub fn run_mirror(forge: &Forge) {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(300));
        refresh_mirror(forge, 1);
    }
}

fn create_origin(conn: &mut PgConnection, name: &str) -> Result<usize, DieselError> {
    diesel::insert_into(origins::table)
        .values(origins::name.eq(name))
        .execute(conn)
}
