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
    // The deep file either parses or is skipped for its parse budget; both are fine, silence is not.
    if kinds.iter().any(|(p, _)| p == "src/deep.rs") {
        expected.insert(
            0,
            (
                "src/deep.rs".to_string(),
                "parse-budget-exceeded".to_string(),
            ),
        );
    }
    assert_eq!(kinds, expected);

    let o = failmode(d, &["check", ".", "--format", "sarif"]);
    let v = assert_valid_sarif(&stdout(&o));
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), expected.len());
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
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let lines: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["span"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, vec![("swallowed-error".to_string(), 4)]);

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
