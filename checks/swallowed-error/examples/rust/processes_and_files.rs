use std::io::Write;
use std::process::Command;

// FLAG: file writes and commands whose failure nobody sees.
fn export(path: &std::path::Path, rows: &[Row]) {
    let mut out = std::fs::OpenOptions::new().append(true).open(path).expect("export file");
    for r in rows {
        let _ = out.write_all(r.to_csv().as_bytes()); //~ swallowed-error
    }
    let _ = out.sync_all(); //~ swallowed-error
    let _ = std::fs::rename(path, path.with_extension("done")); //~ swallowed-error
    let _ = Command::new("gzip").arg(path).output(); //~ swallowed-error
}

async fn save_settings(settings: &Settings, path: &std::path::Path) {
    let _ = tokio::fs::write(path, serde_json::to_vec(settings).unwrap_or_default()).await; //~ swallowed-error
}

// NO FLAG: scratch files, expected errors, UX.
fn scratch(dir: &tempfile::TempDir) {
    let _ = std::fs::write(dir.path().join("tmp.txt"), b"x");
    let _ = std::fs::remove_file(dir.path().join("tmp.txt"));
    let _ = std::io::stdout().flush();
    let _ = Command::new("xdg-open").arg("https://example.com").spawn();
}
