use clap::Parser;
use log::{info, warn};
use rusqlite::{params, Connection};
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    env_logger::init();
    let args = Args::parse();
    let lock_path = args.out.join("cleanup.lock");
    // A stale lock from a crashed run may or may not exist.
    let _ = fs::remove_file(&lock_path);
    fs::write(&lock_path, std::process::id().to_string())?;

    // Operator configuration with a default: not incoming data, and no I/O is lost (no finding).
    let retention_days: i64 = std::env::var("RETENTION_DAYS").unwrap_or_default().parse().unwrap_or(30);
    let conn = Connection::open(&args.db)?;
    let cutoff = chrono_cutoff(retention_days);

    conn.execute("DELETE FROM sessions WHERE expires_at < ?1", params![cutoff]).ok(); //~ swallowed-error:high
    let purged = conn.execute("DELETE FROM uploads WHERE created_at < ?1", params![cutoff])?;

    let _ = Command::new("pg_dump").arg("--file").arg(args.out.join("backup.sql")).status(); //~ swallowed-error

    let mut report = String::new();
    let _ = writeln!(report, "purged {purged} uploads older than {retention_days} days");
    let _ = fs::write(args.out.join("report.txt"), &report); //~ swallowed-error

    if let Err(e) = fs::rename(args.out.join("report.txt"), args.out.join("latest.txt")) {
        warn!("could not rotate report: {e}");
    }
    match conn.execute("VACUUM", []) {
        Ok(_) => info!("vacuumed"),
        Err(e) => warn!("vacuum failed: {e}"),
    }
    let _ = fs::remove_file(&lock_path);
    Ok(())
}

fn chrono_cutoff(days: i64) -> i64 {
    days * 86_400
}
