//! The GitHub Action (`action.yml`) run the way the Actions runner runs a composite action: each
//! step's `if:` evaluated, its `env:` expressions substituted, its `run:` script executed with
//! bash in the workspace, `$GITHUB_OUTPUT` and `$GITHUB_PATH` honoured. `uses:` steps are not
//! run: the cache always misses, and the SARIF upload is checked by reading the file it would
//! upload at the moment it would upload it. `cargo` is a stand-in that records its arguments and
//! installs the binary under test, so the scripts' `failmode` command lines run against the
//! real CLI: the action cannot drift from it silently.
//!
//! The workspace is a shallow clone of a pull request's head, as `actions/checkout` makes it:
//! the action has to fetch the base commit itself.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, OutputDef>,
    runs: Runs,
}

#[derive(Deserialize)]
struct Input {
    default: Option<String>,
}

#[derive(Deserialize)]
struct OutputDef {
    value: String,
}

#[derive(Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    id: Option<String>,
    name: String,
    #[serde(rename = "if")]
    condition: Option<String>,
    uses: Option<String>,
    run: Option<String>,
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    with: BTreeMap<String, String>,
}

fn action_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_action() -> Action {
    let text = std::fs::read_to_string(action_dir().join("action.yml")).unwrap();
    yaml_serde::from_str(&text).expect("action.yml parses")
}

const CARGO_TOML: &str = "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\ntokio = { version = \"1\", features = [\"full\"] }\n";

/// A swallowed error at line 4: already on the base branch.
const ORDERS: &str = "use sqlx::PgPool;

pub async fn mark_shipped(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\").bind(id).execute(db).await;
}
";

/// The pull request's new swallowed error, at line 8 once appended to `ORDERS`.
const MARK_PAID: &str = "
pub async fn mark_paid(db: &PgPool, id: i64) {
    let _ = sqlx::query(\"UPDATE orders SET paid = true WHERE id = $1\").bind(id).execute(db).await;
}
";

fn git(dir: &Path, args: &[&str]) -> String {
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
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn write(dir: &Path, rel: &str, contents: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, contents).unwrap();
}

/// A remote with a base commit (one finding) and a pull request's head (a second finding).
struct Remote {
    _dir: tempfile::TempDir,
    url: String,
    base: String,
    head: String,
}

fn remote() -> Remote {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    write(&work, "Cargo.toml", CARGO_TOML);
    write(&work, "src/orders.rs", ORDERS);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "base"]);
    let base = git(&work, &["rev-parse", "HEAD"]);
    write(&work, "src/orders.rs", &format!("{ORDERS}{MARK_PAID}"));
    git(&work, &["commit", "-q", "-am", "pull request"]);
    let head = git(&work, &["rev-parse", "HEAD"]);
    let bare = dir.path().join("origin.git");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            "origin.git",
        ],
    );
    // As GitHub does: a client may fetch any commit by its id.
    git(&bare, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    Remote {
        url: format!("file://{}", bare.display()),
        _dir: dir,
        base,
        head,
    }
}

/// What one run of the action did.
struct Run {
    /// The steps that ran, by name, with their exit code.
    ran: Vec<(String, i32)>,
    /// Everything the `run:` steps printed on stdout.
    stdout: String,
    /// Everything they printed on stderr.
    stderr: String,
    /// The SARIF file as the upload step would have read it, when that step ran.
    uploaded: Option<Value>,
    /// The arguments the install step gave `cargo`.
    cargo_args: Vec<String>,
    /// The action's outputs.
    outputs: BTreeMap<String, String>,
    /// The workspace, for files the action left there.
    workspace: tempfile::TempDir,
    /// `$HOME` of the steps.
    home: PathBuf,
    /// Holds `home` and the runner's files.
    _runner: tempfile::TempDir,
}

impl Run {
    fn failed(&self) -> bool {
        self.ran.last().is_some_and(|(_, code)| *code != 0)
    }

    fn step_names(&self) -> Vec<&str> {
        self.ran.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// The runner's view of the contexts a step's expressions read.
struct Contexts<'a> {
    inputs: &'a BTreeMap<String, String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
    base_sha: &'a str,
}

impl Contexts<'_> {
    fn value(&self, path: &str) -> String {
        if let Some(name) = path.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("`{path}` reads an input action.yml does not declare"))
                .clone();
        }
        if let Some(rest) = path.strip_prefix("steps.") {
            let (id, output) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("unsupported step context `{path}`"));
            return self
                .steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        match path {
            "github.event.pull_request.base.sha" => self.base_sha.to_string(),
            _ => panic!("tests/action.rs does not know the context `{path}`: teach it, so the test keeps running every step"),
        }
    }

    /// Substitutes every `${{ context }}` of `text`.
    fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed expression in `{text}`"));
            out.push_str(&self.value(rest[start + 3..start + end].trim()));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Evaluates a step's `if:`: `<context> == '<text>'` or `<context> != '<text>'`.
    fn condition(&self, cond: &str) -> bool {
        let cond = cond.trim();
        let cond = cond
            .strip_prefix("${{")
            .and_then(|c| c.strip_suffix("}}"))
            .unwrap_or(cond)
            .trim();
        let (lhs, op, rhs) = if let Some((l, r)) = cond.split_once("==") {
            (l, true, r)
        } else if let Some((l, r)) = cond.split_once("!=") {
            (l, false, r)
        } else {
            panic!("unsupported `if: {cond}`: tests/action.rs evaluates `a == 'b'` and `a != 'b'`")
        };
        let literal = rhs
            .trim()
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .unwrap_or_else(|| panic!("unsupported `if: {cond}`: compare with a 'quoted' literal"));
        (self.value(lhs.trim()) == literal) == op
    }
}

/// Runs the action in a fresh shallow clone of the pull request's head.
fn run_action(remote: &Remote, event_base_sha: &str, given: &[(&str, &str)]) -> Run {
    run_action_in(remote, event_base_sha, given, |_| {})
}

fn run_action_in(
    remote: &Remote,
    event_base_sha: &str,
    given: &[(&str, &str)],
    prepare: impl FnOnce(&Path),
) -> Run {
    let action = load_action();
    assert_eq!(action.runs.using, "composite");
    let workspace = tempfile::tempdir().unwrap();
    let ws = workspace.path().to_path_buf();
    let ws = ws.as_path();
    git(
        ws,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "main",
            &remote.url,
            ".",
        ],
    );
    assert_eq!(git(ws, &["rev-parse", "HEAD"]), remote.head);
    assert!(
        Command::new("git")
            .current_dir(ws)
            .args(["cat-file", "-e", &format!("{}^{{commit}}", remote.base)])
            .output()
            .unwrap()
            .status
            .code()
            != Some(0),
        "the clone is shallow, as actions/checkout makes it"
    );
    prepare(ws);

    let runner = tempfile::tempdir().unwrap();
    let home = runner.path().join("home");
    let fake_bin = runner.path().join("fake-bin");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&fake_bin).unwrap();
    let cargo_log = runner.path().join("cargo-args");
    // Records its arguments and "installs" the binary under test under --root.
    let fake_cargo = "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_CARGO_LOG\"\nroot=\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --root ]; then root=$2; fi\n  shift\ndone\nmkdir -p \"$root/bin\" && ln -sf \"$FAILMODE_UNDER_TEST\" \"$root/bin/failmode\"\n";
    std::fs::write(fake_bin.join("cargo"), fake_cargo).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(fake_bin.join("cargo"))
        .status()
        .unwrap();
    let github_path = runner.path().join("github-path");
    std::fs::write(&github_path, "").unwrap();

    let mut inputs: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in given {
        assert!(
            action.inputs.contains_key(*name),
            "action.yml has no input `{name}`"
        );
        inputs.insert(name.to_string(), value.to_string());
    }
    let empty_steps = BTreeMap::new();
    let defaults = Contexts {
        inputs: &BTreeMap::new(),
        steps: &empty_steps,
        base_sha: event_base_sha,
    };
    for (name, input) in &action.inputs {
        if !inputs.contains_key(name) {
            let default = input.default.clone().unwrap_or_default();
            inputs.insert(name.clone(), defaults.expand(&default));
        }
    }

    let mut steps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut run = Run {
        ran: Vec::new(),
        stdout: String::new(),
        stderr: String::new(),
        uploaded: None,
        cargo_args: Vec::new(),
        outputs: BTreeMap::new(),
        workspace,
        home: home.clone(),
        _runner: tempfile::tempdir().unwrap(),
    };
    for step in &action.runs.steps {
        let ctx = Contexts {
            inputs: &inputs,
            steps: &steps,
            base_sha: event_base_sha,
        };
        // Every step here runs only while all before it succeeded (the implicit `success()`).
        if run.failed() {
            break;
        }
        if let Some(cond) = &step.condition {
            if !ctx.condition(cond) {
                continue;
            }
        }
        if let Some(uses) = &step.uses {
            if uses.starts_with("actions/cache@") {
                // A cache miss: no outputs.
            } else if uses == "github/codeql-action/upload-sarif@v3" {
                let file = ctx.expand(&step.with["sarif_file"]);
                let text = std::fs::read_to_string(ws.join(&file))
                    .unwrap_or_else(|e| panic!("the upload step reads {file}: {e}"));
                run.uploaded = Some(
                    serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("{file} is not JSON ({e}):\n{text}")),
                );
                assert_eq!(step.with["category"], "failmode");
            } else {
                panic!("tests/action.rs does not know the action `{uses}`");
            }
            run.ran.push((step.name.clone(), 0));
            continue;
        }
        let script = step
            .run
            .as_ref()
            .unwrap_or_else(|| panic!("step `{}` has neither uses nor run", step.name));
        assert_eq!(step.shell.as_deref(), Some("bash"), "{}", step.name);
        assert!(
            !script.contains("${{"),
            "step `{}` interpolates an expression into its script: pass it through `env:`",
            step.name
        );
        let output_file = runner.path().join("github-output");
        std::fs::write(&output_file, "").unwrap();
        let added: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = added
            .into_iter()
            .chain([
                fake_bin.display().to_string(),
                "/usr/local/bin:/usr/bin:/bin".to_string(),
            ])
            .collect::<Vec<_>>()
            .join(":");
        let script_file = runner.path().join("step.sh");
        std::fs::write(&script_file, script).unwrap();
        let mut cmd = Command::new("bash");
        // The shell line GitHub uses for `shell: bash`.
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(ws)
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_ACTION_PATH", action_dir())
            .env("GITHUB_WORKSPACE", ws)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &github_path)
            .env("FAKE_CARGO_LOG", &cargo_log)
            .env("FAILMODE_UNDER_TEST", env!("CARGO_BIN_EXE_failmode"));
        for (k, v) in &step.env {
            cmd.env(k, ctx.expand(v));
        }
        let o = cmd.output().unwrap();
        run.stdout.push_str(&String::from_utf8_lossy(&o.stdout));
        run.stderr.push_str(&String::from_utf8_lossy(&o.stderr));
        run.ran
            .push((step.name.clone(), o.status.code().unwrap_or(-1)));
        if let Some(id) = &step.id {
            let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output_file)
                .unwrap()
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            steps.insert(id.clone(), outputs);
        }
    }
    if let Ok(args) = std::fs::read_to_string(&cargo_log) {
        run.cargo_args = args.lines().map(str::to_string).collect();
    }
    let ctx = Contexts {
        inputs: &inputs,
        steps: &steps,
        base_sha: event_base_sha,
    };
    run.outputs = action
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), ctx.expand(&o.value)))
        .collect();
    run._runner = runner;
    run
}

/// (check, path, line) of every SARIF result.
fn results(sarif: &Value) -> Vec<(String, String, u64)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect()
}

const FAIL_MESSAGE: &str = "::error title=failmode::failmode found findings at or above the fail-on severity: see the code scanning results or the annotations\n";

#[test]
fn on_a_pull_request_the_sarif_holds_the_new_finding_and_is_uploaded_before_the_job_fails() {
    let remote = remote();
    let run = run_action(&remote, &remote.base, &[]);
    assert_eq!(
        run.step_names(),
        vec![
            "Hash the failmode sources",
            "Restore failmode from the cache",
            "Install failmode",
            "Put failmode on PATH",
            "Run failmode",
            "Upload the findings to code scanning",
            "Fail on findings",
        ],
        "{}",
        run.stderr
    );
    // The install builds this very checkout of the action.
    assert!(action_dir().join("Cargo.toml").is_file());
    assert_eq!(
        run.cargo_args,
        vec![
            "install".to_string(),
            "--locked".into(),
            "--path".into(),
            action_dir().display().to_string(),
            "--root".into(),
            run.home
                .join(".cache/failmode-action")
                .display()
                .to_string(),
        ]
    );
    let sarif = run.uploaded.as_ref().expect("the SARIF was uploaded");
    assert_eq!(
        results(sarif),
        vec![(
            "swallowed-error".to_string(),
            "src/orders.rs".to_string(),
            8
        )],
        "only the pull request's finding: the base's own one (line 4) is not in the diff"
    );
    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "failmode.sarif");
    assert!(run.workspace.path().join("failmode.sarif").is_file());
    assert_eq!(
        run.ran.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
        vec![0, 0, 0, 0, 0, 0, 1],
        "only the last step fails, after the upload: {}",
        run.stderr
    );
    assert!(run.stdout.ends_with(FAIL_MESSAGE), "{}", run.stdout);
}

#[test]
fn the_github_format_prints_the_annotation_and_the_inputs_reach_the_cli() {
    let remote = remote();
    let run = run_action(
        &remote,
        &remote.base,
        &[("format", "github"), ("paths", "src")],
    );
    assert!(
        !run.step_names()
            .contains(&"Upload the findings to code scanning"),
        "nothing to upload: {:?}",
        run.step_names()
    );
    assert!(run.uploaded.is_none());
    let annotations: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error file=") || l.starts_with("::warning file="))
        .collect();
    assert_eq!(annotations.len(), 1, "{}", run.stdout);
    assert!(
        annotations[0].starts_with(
            "::error file=src/orders.rs,line=8,endLine=8,col=5,endColumn=99,title=failmode/swallowed-error::`sqlx::query(..).bind(..).execute(..).await` can fail (database)"
        ),
        "paths stay relative to the repository root: {}",
        annotations[0]
    );
    assert!(
        run.stdout
            .contains("\n::notice title=failmode::1 finding(s) in 1 file(s), 0 skipped\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(run.failed());
    assert!(run.stdout.ends_with(FAIL_MESSAGE), "{}", run.stdout);

    // fail-on reaches the CLI: the annotation is still printed, and the job passes.
    let run = run_action(
        &remote,
        &remote.base,
        &[("format", "github"), ("fail-on", "never")],
    );
    assert!(
        run.stdout.contains("::error file=src/orders.rs,line=8,"),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["exit-code"], "0");
    assert!(!run.failed(), "{:?}\n{}", run.ran, run.stderr);
    assert!(!run.step_names().contains(&"Fail on findings"));
}

#[test]
fn a_baseline_input_hides_accepted_findings() {
    let remote = remote();
    // Accept every finding of the pull request's head, the new one included.
    let accept_all = |ws: &Path| {
        std::fs::create_dir_all(ws.join(".github")).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_failmode"))
            .current_dir(ws)
            .args([
                "check",
                "--write-baseline",
                ".github/failmode-baseline.toml",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let run = run_action_in(
        &remote,
        &remote.base,
        &[
            ("format", "github"),
            ("baseline", ".github/failmode-baseline.toml"),
        ],
        accept_all,
    );
    assert!(
        !run.stdout.contains("::error file="),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains(
            "::notice title=failmode::0 finding(s) in 1 file(s), 0 skipped, 1 hidden by the baseline\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["exit-code"], "0");
    assert!(!run.failed());

    // A baseline that is not there stops the job with failmode's message, before any upload.
    let run = run_action(&remote, &remote.base, &[("baseline", "missing.toml")]);
    assert_eq!(run.ran.last().unwrap(), &("Run failmode".to_string(), 2));
    assert!(run.uploaded.is_none());
    assert!(
        run.stderr.contains("error: the baseline file missing.toml does not exist: create it with `failmode check --write-baseline missing.toml`"),
        "{}",
        run.stderr
    );
}

#[test]
fn outside_pull_requests_the_whole_tree_is_checked() {
    let remote = remote();
    let run = run_action(&remote, "", &[]);
    let sarif = run.uploaded.as_ref().expect("the SARIF was uploaded");
    assert_eq!(
        results(sarif),
        vec![
            (
                "swallowed-error".to_string(),
                "src/orders.rs".to_string(),
                4
            ),
            (
                "swallowed-error".to_string(),
                "src/orders.rs".to_string(),
                8
            ),
        ]
    );
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(run.failed());
}

#[test]
fn a_bad_format_input_is_an_error_naming_the_choices() {
    let remote = remote();
    let run = run_action(&remote, &remote.base, &[("format", "text")]);
    assert_eq!(run.ran.last().unwrap(), &("Run failmode".to_string(), 2));
    assert_eq!(
        run.stdout,
        "::error title=failmode::the format input must be sarif or github, not 'text'\n"
    );
}
