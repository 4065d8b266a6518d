//! End-to-end tests of the `failmode` binary against temporary trees and git repositories.

use serde_json::Value;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn failmode(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_failmode"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run the failmode binary")
}

fn failmode_stdin(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_failmode"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the failmode binary");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, rel: &str, contents: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, contents).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=failmode-test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid_sarif(text: &str) -> Value {
    let v: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("SARIF is not JSON ({e}):\n{text}"));
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    v
}

const CLEAN: &str = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n";

/// The clearest swallowed error of the spec, at line 4.
const ORDERS: &str = "use sqlx::PgPool;

pub async fn mark_shipped(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;
}
";

const CARGO_TOML: &str = "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\ntokio = { version = \"1\", features = [\"full\"] }\n";

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["check", "--format", "yaml"][..],
        &["check", "--fail-on", "critical"][..],
        &["frobnicate"][..],
        &["check", "--diff-base", "HEAD", "--diff", "-"][..],
        &["check", "--max-file-size", "lots"][..],
    ] {
        let o = failmode(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
    let o = failmode(dir.path(), &["check", "does/not/exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does/not/exist"), "{}", stderr(&o));
    let o = failmode(dir.path(), &["--help"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn checks_subcommand_lists_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let o = failmode(dir.path(), &["checks"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let header = out.lines().next().unwrap();
    assert!(
        header.starts_with("CHECK") && header.contains("SEVERITY") && header.ends_with("SUMMARY"),
        "{out}"
    );
    // Which checks run without a config: the ones below 0.9 sampled precision ship off.
    let default_of = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
    };
    assert_eq!(default_of("missing-retry").as_deref(), Some("on"), "{out}");
    assert_eq!(
        default_of("missing-timeout").as_deref(),
        Some("off"),
        "{out}"
    );
    assert_eq!(
        default_of("unchecked-http-status").as_deref(),
        Some("off"),
        "{out}"
    );
    assert_eq!(
        default_of("panic-in-handler").as_deref(),
        Some("off"),
        "{out}"
    );
    assert_eq!(
        default_of("unbounded-queue").as_deref(),
        Some("off"),
        "{out}"
    );
}

#[test]
fn a_check_off_by_default_runs_only_when_the_config_turns_it_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/lib.rs",
        b"pub fn client() -> reqwest::Client {\n    reqwest::Client::new()\n}\n",
    );
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    let o = failmode(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("missing-timeout"), "{}", stdout(&o));
    write(
        dir.path(),
        ".github/failmode.toml",
        b"[checks.missing-timeout]\nenabled = true\n",
    );
    let o = failmode(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(check_lines(&o), vec![("missing-timeout".to_string(), 2)]);
}

#[test]
fn a_repository_names_its_own_wait_helper_and_the_retry_loop_it_paces_is_read_as_fixed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/lib.rs",
        b"pub async fn save(db: &Db, row: &Row) -> Result<(), Error> {\n    for _ in 0..5 {\n        if db.insert(row).await.is_ok() {\n            return Ok(());\n        }\n        pace_retry().await;\n    }\n    Err(Error::GaveUp)\n}\n",
    );
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    let rule_of = |o: &Output| -> Vec<(String, u64)> {
        json_findings(o)
            .iter()
            .filter(|f| f["check"] == "retry-without-backoff")
            .map(|f| {
                (
                    f["message"].as_str().unwrap().to_string(),
                    f["span"]["start_line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let on = "[checks.retry-without-backoff]\nenabled = true\n";
    write(dir.path(), ".github/failmode.toml", on.as_bytes());
    let o = failmode(dir.path(), &["check", "--format", "json", "."]);
    let found = rule_of(&o);
    assert_eq!(found.len(), 1, "{}", stdout(&o));
    assert!(
        found[0].0.contains("at once"),
        "no wait is known yet: {found:?}"
    );
    assert_eq!(found[0].1, 2);
    let with_helper = format!("{on}\n[vocabulary]\nwait_calls = [\"pace_retry\"]\n");
    write(dir.path(), ".github/failmode.toml", with_helper.as_bytes());
    let o = failmode(dir.path(), &["check", "--format", "json", "."]);
    let found = rule_of(&o);
    assert_eq!(found.len(), 1, "{}", stdout(&o));
    assert!(
        found[0].0.contains("fixed `pace_retry()`"),
        "the helper is the loop's wait, and it never varies: {found:?}"
    );
}

/// `unbounded-queue` follows a receiver into another file: the constructor that keeps it in a
/// field and the method that drains that field are read from the whole tree, also when only the
/// file that makes the channel changed; the finding goes once the consumer stops waiting
/// between items.
#[test]
fn an_unbounded_channel_drained_in_another_file_is_reported_where_it_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = "pub fn start(db: PgPool) -> UnboundedSender<Event> {\n    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();\n    tokio::spawn(EventWriter::new(rx, db).run());\n    tx\n}\n";
    let writer = |work: &str| {
        format!(
            "pub struct EventWriter {{\n    events: UnboundedReceiver<Event>,\n    db: PgPool,\n}}\n\nimpl EventWriter {{\n    pub fn new(events: UnboundedReceiver<Event>, db: PgPool) -> Self {{\n        Self {{ events, db }}\n    }}\n\n    pub async fn run(mut self) {{\n        while let Some(event) = self.events.recv().await {{\n            {work}\n        }}\n    }}\n}}\n"
        )
    };
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(
        d,
        ".github/failmode.toml",
        b"[checks.unbounded-queue]\nenabled = true\n",
    );
    write(
        d,
        "src/writer.rs",
        writer("save(&self.db, &event).await;").as_bytes(),
    );
    write(d, "src/hub.rs", b"pub fn placeholder() {}\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "first"]);
    write(d, "src/hub.rs", hub.as_bytes());
    git(d, &["commit", "-q", "-am", "make the channel"]);
    let queue_findings = |o: &Output| -> Vec<(String, u64, String)> {
        json_findings(o)
            .iter()
            .filter(|f| f["check"] == "unbounded-queue")
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["span"]["start_line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--diff-base", "HEAD~1", "--format", "json"][..],
    ] {
        let o = failmode(d, args);
        let found = queue_findings(&o);
        assert_eq!(found.len(), 1, "{args:?}: {}", stdout(&o));
        assert_eq!((found[0].0.as_str(), found[0].1), ("src/hub.rs", 2));
        assert!(
            found[0]
                .2
                .contains("the consumer it is handed to through EventWriter::new() waits"),
            "{found:?}"
        );
    }
    // A consumer that only hands each event on keeps up: nothing to report.
    write(
        d,
        "src/writer.rs",
        writer("relay.send(event).ok();").as_bytes(),
    );
    let o = failmode(d, &["check", "--format", "json"]);
    assert_eq!(queue_findings(&o), vec![], "{}", stdout(&o));
}

#[test]
fn the_filters_a_check_can_use_are_listed_with_their_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let o = failmode(dir.path(), &["checks", "--filters"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let signatures: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains('('))
        .skip(1)
        .collect();
    assert!(
        signatures.contains(&"retry_loop(capture, \"list\")  sets: op"),
        "{out}"
    );
    assert!(signatures.contains(&"in_test_code(capture)"), "{out}");
    let names: Vec<&str> = signatures
        .iter()
        .map(|l| l.split('(').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    assert!(
        out.contains(
            "    the loop (`loop`, `while`, `for`) tries an operation again after it fails"
        ),
        "each filter's documentation follows it: {out}"
    );
}

#[test]
fn clean_tree_exits_0_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/lib.rs", CLEAN.as_bytes());
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    let o = failmode(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "failmode: no findings in 1 file\n");
    let o = failmode(dir.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["files_analyzed"], 1);
    assert_eq!(v["findings"], serde_json::json!([]));
    let o = failmode(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0));
    assert_valid_sarif(&stdout(&o));
    let o = failmode(dir.path(), &["check", "--format", "github"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "::notice title=failmode::0 finding(s) in 1 file(s), 0 skipped\n"
    );
}

#[test]
fn broken_config_exits_2_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/lib.rs", CLEAN.as_bytes());
    write(
        dir.path(),
        ".github/failmode.toml",
        b"fail_on = \"high\"\n\n[retry]\nwrapers = [\"x\"]\n",
    );
    let o = failmode(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: .github/failmode.toml:4:1: "),
        "{err}"
    );
    assert!(err.contains("wrapers"), "{err}");
    assert!(
        stdout(&o).is_empty(),
        "no report from a broken config: {}",
        stdout(&o)
    );

    write(dir.path(), "other.toml", b"fail_on = \"sometimes\"\n");
    let o = failmode(dir.path(), &["check", ".", "--config", "other.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: other.toml:1:11: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn hostile_tree_is_survived_and_every_skip_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/lib.rs", CLEAN.as_bytes());
    let mut huge = b"pub const X: &str = \"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 20 * 1024 * 1024));
    huge.extend(b"\";");
    write(d, "src/huge.rs", &huge);
    let mut deep = String::from("fn f() ");
    deep.push_str(&"{".repeat(100_000));
    deep.push_str(&"}".repeat(100_000));
    write(d, "src/deep.rs", deep.as_bytes());
    write(d, "src/latin1.rs", b"// caf\xe9\nfn a() {}\n");
    write(
        d,
        "src/x.rs",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
    );
    write(d, "src/empty.rs", b"");
    write(
        d,
        "target/CACHEDIR.TAG",
        b"Signature: 8a477f597d28d172789f06886806bc55",
    );
    write(d, "target/debug/build/out.rs", b"\0\0");
    write(d, ".hidden/secret.rs", b"\0");
    write(d, "ignored/gen.rs", b"\0");
    write(d, ".gitignore", b"ignored/\n");

    let o = failmode(d, &["check", "."]);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    let too_large = format!(
        "skipped: src/huge.rs: too large ({} bytes, limit 2097152)",
        huge.len()
    );
    assert!(err.contains(&too_large), "{err}");
    assert!(
        err.contains("skipped: src/latin1.rs: not valid UTF-8 (first invalid byte at offset 6)"),
        "{err}"
    );
    assert!(err.contains("skipped: src/x.rs: binary file"), "{err}");
    assert!(
        !err.contains("empty.rs"),
        "an empty file is analysed, not skipped: {err}"
    );
    assert!(
        !err.contains("target/") && !err.contains(".hidden") && !err.contains("ignored/"),
        "{err}"
    );
    assert!(
        stdout(&o).starts_with("failmode: no findings in ")
            && stdout(&o).ends_with(" files skipped\n"),
        "{}",
        stdout(&o)
    );

    let o = failmode(d, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds: Vec<(String, String)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = vec![
        ("src/huge.rs".to_string(), "too-large".to_string()),
        ("src/latin1.rs".to_string(), "not-utf8".to_string()),
        ("src/x.rs".to_string(), "binary".to_string()),
    ];
    // The deep file parses and is checked, or is reported for the budget it ran out of: its
    // parse budget, or on a loaded machine the checks' budget after it parsed. Any of these is
    // fine; silence is not, nor any other kind.
    if let Some((_, kind)) = kinds.iter().find(|(p, _)| p == "src/deep.rs") {
        assert!(
            kind == "parse-budget-exceeded" || kind == "check-budget-exceeded",
            "src/deep.rs skipped as {kind}"
        );
        expected.insert(0, ("src/deep.rs".to_string(), kind.clone()));
    }
    assert_eq!(kinds, expected);

    let o = failmode(d, &["check", ".", "--format", "sarif"]);
    let v = assert_valid_sarif(&stdout(&o));
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    // One notification per skipped file: the three above, and the deep file when this run,
    // too, ran out of a budget on it.
    assert!(
        (3..=4).contains(&notes.len()),
        "{} notifications: {notes:?}",
        notes.len()
    );
    assert!(notes
        .iter()
        .any(|n| n["descriptor"]["id"] == "skipped/binary"));

    // Raising the limit lets the huge file in; it must still not crash the run.
    let o = failmode(
        d,
        &[
            "check",
            ".",
            "--max-file-size",
            "30000000",
            "--format",
            "json",
        ],
    );
    assert!(!stderr(&o).contains("panicked"));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["path"] != "src/huge.rs" || s["kind"] != "too-large"));
}

#[test]
fn invalid_diff_is_an_error_not_a_silent_full_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/lib.rs", CLEAN.as_bytes());
    let o = failmode_stdin(
        dir.path(),
        &["check", ".", "--diff", "-"],
        "this is not a diff\n",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a unified diff"), "{}", stderr(&o));
    let o = failmode(dir.path(), &["check", ".", "--diff-base", "HEAD~1"]);
    assert_eq!(o.status.code(), Some(2), "not a git repository");
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

// ---- Tests that need a real finding: the `swallowed-error` check (branch h-errors). ----

#[test]
fn swallowed_error_is_reported_at_its_line_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    write(dir.path(), "src/orders.rs", ORDERS.as_bytes());
    let o = failmode(dir.path(), &["check", "."]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("[swallowed-error]: "), "{out}");
    assert!(out.contains(" --> src/orders.rs:4:"), "{out}");
    assert!(out.contains("4 |     let _ = sqlx::query("), "{out}");

    let o = failmode(dir.path(), &["check", ".", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0));

    let o = failmode(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(check_lines(&o), vec![("swallowed-error".to_string(), 4)]);

    let o = failmode(dir.path(), &["check", ".", "--format", "sarif"]);
    let v = assert_valid_sarif(&stdout(&o));
    let res = &v["runs"][0]["results"][0];
    assert_eq!(res["ruleId"], "swallowed-error");
    assert_eq!(
        res["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    let idx = res["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][idx]["id"],
        "swallowed-error"
    );

    let o = failmode(dir.path(), &["check", ".", "--format", "github"]);
    assert!(
        stdout(&o).contains("file=src/orders.rs,line=4,"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("title=failmode/swallowed-error::"),
        "{}",
        stdout(&o)
    );

    write(
        dir.path(),
        ".github/failmode.toml",
        b"[checks.swallowed-error]\nenabled = false\n",
    );
    let o = failmode(dir.path(), &["check", "."]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the config turns the check off: {}",
        stdout(&o)
    );
}

#[test]
fn diff_base_reports_only_changed_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", ORDERS.as_bytes());
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "first"]);
    let changed = format!(
        "{ORDERS}\npub async fn mark_paid(db: &PgPool, id: i64) {{\n    let _ = sqlx::query(\"UPDATE orders SET paid = true WHERE id = $1\").bind(id).execute(db).await;\n}}\n"
    );
    write(d, "src/orders.rs", changed.as_bytes());
    git(d, &["commit", "-q", "-am", "second"]);
    // An untracked file counts as wholly added.
    write(
        d,
        "src/refunds.rs",
        ORDERS
            .replace("mark_shipped", "mark_refunded")
            .replace("shipped", "refunded")
            .as_bytes(),
    );

    let o = failmode(d, &["check", "--format", "json"]);
    let all: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(all["findings"].as_array().unwrap().len(), 3, "{all}");

    let o = failmode(d, &["check", "--diff-base", "HEAD~1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["span"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("src/orders.rs".to_string(), 8),
            ("src/refunds.rs".to_string(), 4)
        ]
    );

    // The same from a diff file on stdin (git's default 3 lines of context).
    let diff = Command::new("git")
        .current_dir(d)
        .args(["diff", "HEAD~1", "HEAD"])
        .output()
        .unwrap();
    let o = failmode_stdin(
        d,
        &["check", ".", "--diff", "-", "--format", "json"],
        &String::from_utf8_lossy(&diff.stdout),
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["span"]["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![8], "{}", stderr(&o));

    // Nothing changed since HEAD except the untracked file.
    std::fs::remove_file(d.join("src/refunds.rs")).unwrap();
    let o = failmode(d, &["check", "--diff-base", "HEAD"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = failmode(d, &["check", "--diff-base", "no-such-rev"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-rev"), "{}", stderr(&o));
}

/// Three dropped database errors in one function (lines 4-6) and one in another (line 10).
const REPEATED_DROPS: &str = "use sqlx::PgPool;

pub async fn close_order(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET closed = true WHERE id = $1\").bind(id).execute(db).await;
    let _ = sqlx::query(\"DELETE FROM carts WHERE order_id = $1\").bind(id).execute(db).await;
    let _ = sqlx::query(\"UPDATE stock SET held = 0 WHERE order_id = $1\").bind(id).execute(db).await;
}

pub async fn mark_paid(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET paid = true WHERE id = $1\").bind(id).execute(db).await;
}
";

#[test]
fn repeats_in_one_function_are_one_finding_in_every_format_but_only_changed_lines_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", REPEATED_DROPS.as_bytes());

    let o = failmode(d, &["check", "--format", "json"]);
    let found = json_findings(&o);
    let summary: Vec<(u64, Vec<u64>)> = found
        .iter()
        .map(|f| {
            let repeats = f["repeats"].as_array().cloned().unwrap_or_default();
            (
                f["span"]["start_line"].as_u64().unwrap(),
                repeats
                    .iter()
                    .map(|r| r["span"]["start_line"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(summary, [(4, vec![5, 6]), (10, vec![])], "{found:#?}");
    assert!(
        found[0]["message"].as_str().unwrap().ends_with(
            "The same holds in `close_order` for `sqlx::query(..).bind(..).execute(..).await` \
             (line 5) and `sqlx::query(..).bind(..).execute(..).await` (line 6)."
        ),
        "{}",
        found[0]["message"]
    );
    // Each repeat keeps the fingerprint a finding of its own would have had.
    let fingerprints: std::collections::BTreeSet<&str> = found[0]["repeats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fingerprint"].as_str().unwrap())
        .chain([found[0]["fingerprint"].as_str().unwrap()])
        .collect();
    assert_eq!(fingerprints.len(), 3);

    let o = failmode(d, &["check", "--format", "sarif"]);
    let v = assert_valid_sarif(&stdout(&o));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let related: Vec<u64> = results[0]["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(related, [5, 6]);

    // A change that touches only line 6: its finding is reported on its own, not as a repeat
    // of a line the change did not touch.
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "first"]);
    let changed = REPEATED_DROPS.replace("held = 0", "held = NULL");
    write(d, "src/orders.rs", changed.as_bytes());
    let o = failmode(d, &["check", "--diff-base", "HEAD", "--format", "json"]);
    let found = json_findings(&o);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["span"]["start_line"], 6);
    assert!(found[0].get("repeats").is_none(), "{found:#?}");
}

// ---- Baselines: `--write-baseline` accepts today's findings, `--baseline` hides them. ----

const BASELINE_HEADER: &str = "# failmode baseline: findings accepted as they are; `failmode check --baseline <this file>`\n# reports only findings not listed here. Regenerate with `failmode check --write-baseline <this file>`.\n";

/// A second swallowed error, for appending to `ORDERS`.
const MARK_PAID: &str = "\npub async fn mark_paid(db: &PgPool, id: i64) {\n    let _ = sqlx::query(\"UPDATE orders SET paid = true WHERE id = $1\").bind(id).execute(db).await;\n}\n";

fn json_findings(o: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(o), stderr(o)));
    v["findings"].as_array().unwrap().clone()
}

/// The (check, first line) of each finding of a `--format json` run, in report order.
fn check_lines(o: &Output) -> Vec<(String, u64)> {
    json_findings(o)
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["span"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn baseline_hides_accepted_findings_and_reports_only_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", ORDERS.as_bytes());
    let before = json_findings(&failmode(d, &["check", "--format", "json"]));
    assert_eq!(before.len(), 1);
    let old_fp = before[0]["fingerprint"].as_str().unwrap().to_string();

    let o = failmode(d, &["check", "--write-baseline", "baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stderr(&o),
        "failmode: wrote 1 finding to baseline.toml; `failmode check --baseline baseline.toml` reports only findings not in it\n"
    );
    assert_eq!(
        stdout(&o),
        "failmode: no findings in 1 file; 1 hidden by the baseline\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("baseline.toml")).unwrap(),
        format!("{BASELINE_HEADER}version = 1\n\n[[finding]]\npath = \"src/orders.rs\"\ncheck = \"swallowed-error\"\nfingerprint = \"{old_fp}\"\n")
    );
    let o = failmode(d, &["check", "--baseline", "baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // The accepted finding moves down two lines; a new one is added below it.
    write(
        d,
        "src/orders.rs",
        format!("// Orders.\n\n{ORDERS}{MARK_PAID}").as_bytes(),
    );
    let all = json_findings(&failmode(d, &["check", "--format", "json"]));
    let lines: Vec<u64> = all
        .iter()
        .map(|f| f["span"]["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![6, 10], "without the baseline both are reported");

    let o = failmode(d, &["check", "--baseline", "baseline.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.starts_with("high[swallowed-error]: "), "{out}");
    assert!(out.contains(" --> src/orders.rs:10:5\n"), "{out}");
    assert!(!out.contains("src/orders.rs:6:"), "{out}");
    assert!(
        out.ends_with("\nfailmode: 1 finding (1 high) in 1 file; 1 hidden by the baseline\n"),
        "{out}"
    );

    let o = failmode(
        d,
        &["check", "--baseline", "baseline.toml", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(check_lines(&o), vec![("swallowed-error".to_string(), 10)]);
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["summary"]["baselined"], 1);
    assert_eq!(v["summary"]["failed"], true);

    let o = failmode(
        d,
        &["check", "--baseline", "baseline.toml", "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = assert_valid_sarif(&stdout(&o));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_ne!(results[0]["partialFingerprints"]["failmode/v1"], old_fp);
    assert_eq!(v["runs"][0]["properties"]["baselined"], 1);

    let o = failmode(
        d,
        &["check", "--baseline", "baseline.toml", "--format", "github"],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("::error file=src/orders.rs,line=10,endLine=10,col=5,"),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "::notice title=failmode::1 finding(s) in 1 file(s), 0 skipped, 1 hidden by the baseline"
    );

    // The exit code follows what is left: nothing at or above --fail-on, or nothing at all.
    let o = failmode(
        d,
        &["check", "--baseline", "baseline.toml", "--fail-on", "never"],
    );
    assert_eq!(o.status.code(), Some(0));
    write(
        d,
        "src/orders.rs",
        format!("// Orders.\n\n{ORDERS}").as_bytes(),
    );
    let o = failmode(d, &["check", "--baseline", "baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn baseline_applies_to_what_the_diff_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", ORDERS.as_bytes());
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "first"]);
    let o = failmode(d, &["check", "--write-baseline", ".failmode-baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The pull request reformats the accepted line (same fingerprint, but a changed line) and
    // adds a new finding.
    let changed = ORDERS.replace("let _ = sqlx", "let _ =  sqlx");
    write(
        d,
        "src/orders.rs",
        format!("{changed}{MARK_PAID}").as_bytes(),
    );
    git(d, &["commit", "-q", "-am", "second"]);

    let o = failmode(
        d,
        &[
            "check",
            "--diff-base",
            "HEAD~1",
            "--baseline",
            ".failmode-baseline.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["span"]["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![8]);
    assert_eq!(
        v["summary"]["baselined"], 1,
        "the changed accepted line is in the diff, and hidden by the baseline"
    );

    // Without the diff base the same holds for the whole tree.
    let o = failmode(
        d,
        &[
            "check",
            "--baseline",
            ".failmode-baseline.toml",
            "--format",
            "json",
        ],
    );
    let lines: Vec<u64> = json_findings(&o)
        .iter()
        .map(|f| f["span"]["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![8]);

    // A baseline written from a diff would miss every finding outside it: refused.
    for flags in [
        &["--diff-base", "HEAD~1"][..],
        &["--diff", "-"][..],
        &["--baseline", ".failmode-baseline.toml"][..],
    ] {
        let mut args = vec!["check", "--write-baseline", "other.toml"];
        args.extend_from_slice(flags);
        let o = failmode(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("the argument '--write-baseline <FILE>' cannot be used with"),
            "{}",
            stderr(&o)
        );
        assert!(!d.join("other.toml").exists());
    }
}

#[test]
fn missing_or_corrupt_baseline_exits_2_naming_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", ORDERS.as_bytes());

    let o = failmode(d, &["check", "--baseline", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: the baseline file nope.toml does not exist: create it with `failmode check --write-baseline nope.toml` on a tree whose findings you accept, or drop `--baseline`\n"
    );
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));

    write(
        d,
        "bad.toml",
        b"version = 1\n\n[[finding]]\npath = \"src/orders.rs\"\ncheck = \"swallowed-error\"\n",
    );
    let o = failmode(d, &["check", "--baseline", "bad.toml", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: bad.toml:3:1: not a failmode baseline: missing field `fingerprint`; write it again with `failmode check --write-baseline bad.toml`\n"
    );
    assert!(stdout(&o).is_empty(), "no report: {}", stdout(&o));

    write(d, "bad.toml", b"<<<<<<< HEAD\nversion = 1\n");
    let o = failmode(d, &["check", "--baseline", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: bad.toml:1:1: not a failmode baseline: ")
            && stderr(&o)
                .ends_with("; write it again with `failmode check --write-baseline bad.toml`\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn root_keeps_paths_relative_to_it_when_paths_name_parts_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "Cargo.toml", CARGO_TOML.as_bytes());
    write(d, "src/orders.rs", ORDERS.as_bytes());
    write(
        d,
        "tools/orders.rs",
        ORDERS.replace("mark_shipped", "mark_sent").as_bytes(),
    );
    let paths = |o: &Output| -> Vec<String> {
        json_findings(o)
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    let o = failmode(d, &["check", "src", "--format", "json"]);
    assert_eq!(
        paths(&o),
        vec!["orders.rs"],
        "the first directory is the root"
    );
    let o = failmode(d, &["check", "--root", ".", "src", "--format", "json"]);
    assert_eq!(paths(&o), vec!["src/orders.rs"]);
    let o = failmode(d, &["check", "--root", "nope", "src"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: the root nope is not a directory: pass the directory the reported paths are relative to\n"
    );
}

#[test]
fn org_config_is_layered_as_the_app_layers_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    write(dir.path(), "src/orders.rs", ORDERS.as_bytes());
    let org = dir.path().join("org.toml");
    std::fs::write(&org, "[checks.swallowed-error]\nenabled = false\n").unwrap();
    let org = org.to_str().unwrap();
    // No repository config: the organization's defaults apply.
    let o = failmode(dir.path(), &["check", ".", "--org-config", org]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // A repository config replaces them...
    write(dir.path(), ".github/failmode.toml", b"fail_on = \"low\"\n");
    let o = failmode(dir.path(), &["check", ".", "--org-config", org]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // ...unless it extends them.
    write(dir.path(), ".github/failmode.toml", b"extends = \"org\"\n");
    let o = failmode(dir.path(), &["check", ".", "--org-config", org]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A broken organization file is cited by its path, line and column.
    std::fs::write(org, "\nfail_on = \"often\"\n").unwrap();
    let o = failmode(dir.path(), &["check", ".", "--org-config", org]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!("{org}:2:11: unknown severity `often`")),
        "{}",
        stderr(&o)
    );
}

/// Copies `tests/fixtures/custom-checks` (one team check, `client-without-timeout`) to `dest`.
fn copy_custom_checks(dest: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/custom-checks");
    for entry in ignore::WalkBuilder::new(&src).hidden(false).build() {
        let entry = entry.unwrap();
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let rel = entry.path().strip_prefix(&src).unwrap();
            std::fs::create_dir_all(dest.join(rel).parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), dest.join(rel)).unwrap();
        }
    }
}

#[test]
fn a_repositorys_own_checks_are_loaded_configured_and_tested() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    write(
        dir.path(),
        "src/http.rs",
        b"pub fn client() -> reqwest::Client {\n    reqwest::Client::new()\n}\n",
    );
    copy_custom_checks(&dir.path().join(".github/failmode/checks"));
    // Configured like a built-in check.
    write(
        dir.path(),
        ".github/failmode.toml",
        b"[checks.client-without-timeout]\nseverity = \"high\"\n",
    );
    let o = failmode(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let found: Vec<(String, String, u64, String)> = json_findings(&o)
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["span"]["start_line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![(
            "client-without-timeout".to_string(),
            "src/http.rs".to_string(),
            2,
            "high".to_string()
        )]
    );

    // Its examples pass.
    let checks = dir.path().join(".github/failmode/checks");
    let o = failmode(dir.path(), &["test-checks", checks.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("ok   client-without-timeout rust/clients")
            && stdout(&o).ends_with("1 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    // An example whose marker the check does not meet fails, naming it.
    let example = checks.join("client-without-timeout/examples/rust/clients.rs");
    let text = std::fs::read_to_string(&example).unwrap();
    std::fs::write(
        &example,
        text.replace("Vec::new()\n", "Vec::new() //~ client-without-timeout\n"),
    )
    .unwrap();
    let o = failmode(dir.path(), &["test-checks", checks.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("FAIL client-without-timeout rust/clients"));
    std::fs::write(&example, text).unwrap();

    // A check that takes a built-in id is refused, naming its file.
    std::fs::create_dir_all(checks.join("missing-retry")).unwrap();
    std::fs::write(
        checks.join("missing-retry/check.toml"),
        "id = \"missing-retry\"\n",
    )
    .unwrap();
    let o = failmode(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            ".github/failmode/checks/missing-retry/check.toml: `missing-retry` is a built-in check"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn explain_says_which_rule_matched_a_line_and_which_filter_stopped_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    write(
        dir.path(),
        "src/orders.rs",
        b"use sqlx::PgPool;

pub async fn mark_shipped(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;
    let _ = audit(id);
    // failmode: allow(swallowed-error) the nightly job recounts
    let _ = sqlx::query(\"UPDATE orders SET paid = true WHERE id = $1\").bind(id).execute(db).await;
}

fn audit(id: i64) -> Result<(), std::fmt::Error> {
    let _ = id;
    Ok(())
}
",
    );
    let explain = |target: &str| {
        let o = failmode(dir.path(), &["check", ".", "--explain", target]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    let reported = explain("src/orders.rs:4");
    assert!(
        reported.starts_with("src/orders.rs:4\n  "),
        "the line explained comes first: {reported}"
    );
    assert!(
        reported.contains("  swallowed-error / rule `let-underscore`: reported\n"),
        "{reported}"
    );
    assert!(
        reported.contains(
            "  non-idempotent-retry: matched, but off for this file (turn it on with \
             `[checks.non-idempotent-retry] enabled = true`, or see its `exclude`)\n"
        ),
        "a check that is off is said once, with how to turn it on: {reported}"
    );
    // No effect: the call's own function is summarised by the effect model, and the filter
    // that asks it is named.
    let pure = explain("src/orders.rs:5");
    assert!(
        pure.contains(
            "  swallowed-error / rule `let-underscore`: stopped by filter \
             `swallowed_effect(call, \"any\")`\n"
        ),
        "{pure}"
    );
    assert!(
        pure.contains("effect model, for the calls on this line:\n  audit: no effect found; returns its error\n"),
        "{pure}"
    );
    let suppressed = explain("src/orders.rs:7");
    assert!(
        suppressed.contains(
            "  swallowed-error / rule `let-underscore`: reported, then hidden by a `failmode:` comment\n"
        ),
        "{suppressed}"
    );
    // An absolute path is read relative to the root, as findings print it.
    let absolute = dir.path().join("src/orders.rs").canonicalize().unwrap();
    assert_eq!(
        explain(&format!("{}:5", absolute.display())),
        pure,
        "the same line by its absolute path"
    );
    assert_eq!(
        explain("src/orders.rs:9"),
        "src/orders.rs:9\n  no rule's pattern matched a node anchored on this line (rules anchor on \
         the first line of the statement or call they are about)\n"
    );
    assert_eq!(
        explain("src/orders.rs:40"),
        "src/orders.rs:40\n  no check ran: the file has 13 lines\n"
    );
    assert!(explain("src/missing.rs:1")
        .contains("no check ran: the file is not among the analysed files"),);
    let o = failmode(dir.path(), &["check", ".", "--explain", "src/orders.rs"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "PATH without LINE is a usage error"
    );
    assert!(stderr(&o).contains("is not PATH:LINE"), "{}", stderr(&o));
}

/// Three writes a failure only logs: a counter bumped in SQL, a welcome mail and a rename.
const ONE_ATTEMPT_WRITES: &str = r#"use tracing::warn;

pub struct Db {
    pool: sqlx::PgPool,
}

impl Db {
    pub async fn record_download(&self, name: &str) {
        if let Err(e) = sqlx::query("UPDATE packages SET downloads = downloads + 1 WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
        {
            warn!("could not count a download of {name}: {e}");
        }
    }
}

pub async fn on_signup(mailer: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>, email: lettre::Message) {
    if let Err(e) = mailer.send(email).await {
        warn!("welcome mail failed: {e}");
    }
}

pub async fn on_rename(db: &sqlx::PgPool, id: i64, name: &str) {
    if let Err(e) = sqlx::query("UPDATE users SET name = $1 WHERE id = $2").bind(name).bind(id).execute(db).await {
        warn!("rename failed: {e}");
    }
}
"#;

#[test]
fn missing_retry_says_what_must_come_before_a_retry_of_a_write_that_is_not_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", CARGO_TOML.as_bytes());
    write(dir.path(), "src/writes.rs", ONE_ATTEMPT_WRITES.as_bytes());
    let o = failmode(dir.path(), &["check", ".", "--format", "json"]);
    let first = "fails once and the error is only logged: the caller sees success, so nothing \
                 retries this";
    let first_idempotent = "It is not idempotent: a retry after a timeout that hid a success \
                            would do it twice (a second row, message, charge or count), so first \
                            give it a key derived from the work (an idempotency key the receiver \
                            deduplicates on, `ON CONFLICT DO NOTHING`, a DynamoDB \
                            `attribute_not_exists` condition).";
    let messages: Vec<(u64, String)> = json_findings(&o)
        .iter()
        .filter(|f| f["check"] == "missing-retry")
        .map(|f| {
            (
                f["span"]["start_line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                9,
                format!(
                    "`sqlx::query(..).bind(..).execute(..)` {first} write to the database. \
                     {first_idempotent}"
                )
            ),
            (
                20,
                format!("`mailer.send(..)` {first} call to the mail server. {first_idempotent}")
            ),
            // Setting a name twice leaves the same name: a plain retry is safe.
            (
                26,
                format!(
                    "`sqlx::query(..).bind(..).bind(..).execute(..)` {first} write to the database"
                )
            ),
        ]
    );
}
