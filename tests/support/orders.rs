//! The pull request the thread tests (`lifecycle_e2e`, `commands_e2e`) work on: pull request 7
//! of [`REPO`] adding `src/orders.rs`, whose two dropped database errors the App comments on.

use super::fake_github::{FakeFile, FakeGithub, FakePull};
use super::server::{BASE_LIB, BASE_SHA, CARGO, INSTALLATION, REPO};

/// The file the pull request adds.
pub const PATH: &str = "src/orders.rs";

/// Two dropped database errors, on lines 2 and 9.
pub const BOTH_DROPPED: &str = r#"pub async fn mark_shipped(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET shipped = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}

pub async fn mark_paid(db: &sqlx::PgPool, id: i64) {
    let _ = sqlx::query("UPDATE orders SET paid = true WHERE id = $1")
        .bind(id)
        .execute(db)
        .await;
}
"#;

/// The pull request's first head.
pub const HEAD1: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
/// Its second head.
pub const HEAD2: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

/// Stores commit `sha` of [`REPO`]: the base files plus `orders` at [`PATH`].
pub fn commit(github: &FakeGithub, sha: &str, orders: &str) {
    github.add_commit(
        REPO,
        sha,
        &[
            ("Cargo.toml", CARGO.as_bytes()),
            ("src/lib.rs", BASE_LIB.as_bytes()),
            (PATH, orders.as_bytes()),
        ],
    );
}

/// Installs the App on [`REPO`] and opens pull request 7 at [`HEAD1`] ([`BOTH_DROPPED`]).
pub fn open_pull(github: &FakeGithub) {
    github.add_installation(INSTALLATION, &[REPO]);
    github.add_commit(
        REPO,
        BASE_SHA,
        &[
            ("Cargo.toml", CARGO.as_bytes()),
            ("src/lib.rs", BASE_LIB.as_bytes()),
        ],
    );
    commit(github, HEAD1, BOTH_DROPPED);
    github.add_pull(FakePull {
        repo: REPO.into(),
        number: 7,
        head_sha: HEAD1.into(),
        head_ref: "feature".into(),
        head_repo: Some(REPO.into()),
        base_sha: BASE_SHA.into(),
        base_ref: "main".into(),
        draft: false,
        files: vec![FakeFile::added(PATH, BOTH_DROPPED)],
    });
}

/// The App's thread-opening comment whose range starts on `line`, as first posted.
pub fn root_on(github: &FakeGithub, line: u64) -> u64 {
    let comments = github.review_comments(REPO, 7);
    comments
        .iter()
        .find(|c| c["in_reply_to_id"].is_null() && c["original_start_line"] == line)
        .and_then(|c| c["id"].as_u64())
        .unwrap_or_else(|| panic!("no comment on line {line}: {comments:#?}"))
}
