use std::io::ErrorKind;

// NO FLAG: "already done" errors are expected.
fn cleanup_socket(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_dir_all("/var/run/app/spool");
    let _ = std::fs::create_dir_all("/var/lib/app");
}

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn drop_attachment(store: &ObjectStore, path: &Path) -> Result<(), Error> {
    match store.delete(path).await {
        Ok(()) => Ok(()),
        Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn ensure_dir(p: &std::path::Path) -> std::io::Result<()> {
    match std::fs::create_dir(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

// A migration that creates a collection which may already exist: on a re-run the error is
// "already exists", and any other failure shows at the collection's first use.
async fn migrate(db: &mongodb::Database) {
    db.create_collection("audit_events").await.ok();
}
