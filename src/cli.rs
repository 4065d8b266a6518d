//! Command-line edge: argument parsing, walking the tree, git, and printing. Errors here are
//! `anyhow` and end the run with exit code 2; the library underneath returns typed errors.

use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use failmode::analysis::check::{
    CheckSet, RunChecks, MAX_REPOSITORY_CHECK_BYTES, MAX_REPOSITORY_CHECK_FILES,
    REPOSITORY_CHECKS_DIR,
};
use failmode::analysis::examples::{examples_of, run_example};
use failmode::analysis::explain::{ExplainTarget, Explanation, Outcome};
use failmode::analysis::finding::Finding;
use failmode::analysis::repeats;
use failmode::analysis::source::{SkipReason, Skipped, SourceInput, DEFAULT_MAX_FILE_SIZE};
use failmode::analysis::{analyze_with_progress, AnalysisOptions};
use failmode::config::{Config, ConfigSource, FailOn};
use failmode::diff::{self, FileDiff, FileStatus};
use failmode::report::baseline::Baseline;
use failmode::report::sarif::RuleInfo;
use failmode::report::{self, Report, SkippedFile};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};

/// Runs with more source files than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 200;

#[derive(Parser, Debug)]
#[command(
    name = "failmode",
    version,
    about = "Reviews Rust code for production failure modes: missing retries, swallowed errors, untested handlers."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyse a tree (or only what a diff changed) and report findings.
    Check(Box<CheckArgs>),
    /// List the checks built into this binary (with `--filters`: the filters a check's rules
    /// can use, for writing your own checks).
    Checks {
        /// List the filters instead: each one's arguments, the message variables it sets, and
        /// what it checks.
        #[arg(long)]
        filters: bool,
    },
    /// Run the examples of a folder of your own checks (`.github/failmode/checks/` in your
    /// repository): each `//~ <check-id>` marker must be matched by a finding, and nothing
    /// else reported. Exits 1 when an example fails.
    TestChecks {
        /// The folder: `<id>/check.toml` and `<id>/examples/rust/*.rs` per check.
        #[arg(default_value = REPOSITORY_CHECKS_DIR)]
        dir: PathBuf,
    },
    /// Run the GitHub App: webhook intake, durable jobs, one review per push. Configured from
    /// the environment (FAILMODE_APP_ID, FAILMODE_PRIVATE_KEY_PATH or FAILMODE_PRIVATE_KEY,
    /// FAILMODE_WEBHOOK_SECRET, FAILMODE_GITHUB_API_URL, FAILMODE_LISTEN, FAILMODE_DATABASE_URL).
    /// With no App credentials at all it starts in setup mode: the log prints a link to a page
    /// that registers the App on GitHub and then starts reviewing.
    Serve,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// rustc-style diagnostics.
    Text,
    /// Stable JSON for scripts.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files or directories to analyse (default: the current directory). Unless `--root` is
    /// given, the first directory is the root: paths are reported relative to it and its
    /// `.github/failmode.toml` is used.
    paths: Vec<PathBuf>,
    /// The root, when PATHS are parts of it (`--root . crates/api`): paths are reported relative
    /// to it, as SARIF upload expects, and its `.github/failmode.toml` is used.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Report only findings on lines changed since this git revision (plus untracked files).
    #[arg(long, value_name = "REV", conflicts_with = "diff")]
    diff_base: Option<String>,
    /// Report only findings on lines added by this unified diff (`-` reads stdin). Paths in the
    /// diff are relative to the root.
    #[arg(long, value_name = "FILE|-")]
    diff: Option<String>,
    /// Exit 1 when a finding is at or above this severity (default: the config's `fail_on`,
    /// else low).
    #[arg(long, value_name = "low|medium|high|never", value_parser = parse_fail_on)]
    fail_on: Option<FailOn>,
    /// Largest file analysed, in bytes; larger files are skipped and reported.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: usize,
    /// Config file to use instead of `<root>/.github/failmode.toml`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The organization's default config (a copy of `.github/failmode.toml` from its `.github`
    /// repository), layered as the App does: used when the repository has no config, extended
    /// by one that says `extends = "org"`.
    #[arg(long, value_name = "PATH")]
    org_config: Option<PathBuf>,
    /// Hide the findings listed in this baseline file (see `--write-baseline`): only findings
    /// not in it are reported and decide the exit code.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every current finding to this baseline file, then report as `--baseline FILE`
    /// would (no findings, exit 0). Commit the file to accept today's findings. Not with
    /// `--diff-base` or `--diff`: the file would miss every finding outside the diff.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "diff_base", "diff"])]
    write_baseline: Option<PathBuf>,
    /// Instead of the report, say why this line is or is not flagged: every rule whose pattern
    /// matched there, and the first filter that stopped it. PATH as findings print it
    /// (relative to the root), LINE from 1.
    #[arg(long, value_name = "PATH:LINE", conflicts_with_all = ["baseline", "write_baseline", "diff_base", "diff"])]
    explain: Option<ExplainTarget>,
}

fn parse_fail_on(s: &str) -> std::result::Result<FailOn, String> {
    FailOn::parse(s)
}

/// Entry point: parses arguments and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Checks { filters: false } => list_checks().map(|()| ExitCode::SUCCESS),
        Command::Checks { filters: true } => list_filters().map(|()| ExitCode::SUCCESS),
        Command::TestChecks { dir } => test_checks(&dir),
        Command::Serve => run_serve(),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_serve() -> Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let startup = failmode::server::settings::Startup::from_env()?;
    load_checks()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(failmode::server::app::run(startup))?;
    Ok(ExitCode::SUCCESS)
}

/// Every file under a checks folder (`<id>/check.toml`, `<id>/examples/...`), as (path relative
/// to the folder, text); none when the folder does not exist. Bounded like the App's read.
fn read_checks_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let mut bytes = 0usize;
    for entry in ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(false)
        .build()
    {
        let entry = entry.with_context(|| format!("cannot walk {}", dir.display()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {} (checks are UTF-8 text)", path.display()))?;
        bytes += text.len();
        files.push((rel, text));
        if files.len() > MAX_REPOSITORY_CHECK_FILES || bytes > MAX_REPOSITORY_CHECK_BYTES {
            bail!(
                "{}: more than {MAX_REPOSITORY_CHECK_FILES} files or {} MiB of checks; failmode reads no more. Keep only check.toml files and their examples there",
                dir.display(),
                MAX_REPOSITORY_CHECK_BYTES / (1024 * 1024)
            );
        }
    }
    files.sort();
    Ok(files)
}

/// `failmode test-checks DIR`: runs the examples of the checks in DIR (a repository's
/// `.github/failmode/checks/`, or any folder laid out the same way).
fn test_checks(dir: &Path) -> Result<ExitCode> {
    let files = read_checks_dir(dir)?;
    if files.is_empty() {
        bail!(
            "{} holds no checks: put each under <id>/check.toml, with examples under <id>/examples/rust/",
            dir.display()
        );
    }
    let run_checks = RunChecks::for_repository(files).map_err(|e| anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0usize, 0usize);
    for check in run_checks.repository_checks() {
        let examples = examples_of(check);
        if examples.is_empty() {
            writeln!(
                out,
                "FAIL {}: no examples (add some under {}/examples/rust/)",
                check.id, check.id
            )?;
            failed += 1;
            continue;
        }
        for example in &examples {
            match run_example(&run_checks, check, example) {
                Ok(()) => {
                    writeln!(out, "ok   {} {}", check.id, example.name)?;
                    passed += 1;
                }
                Err(e) => {
                    writeln!(out, "FAIL {} {}\n{e}", check.id, example.name)?;
                    failed += 1;
                }
            }
        }
    }
    writeln!(out, "\n{passed} passed, {failed} failed")?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn load_checks() -> Result<&'static CheckSet> {
    CheckSet::embedded().map_err(|e| {
        anyhow!(
            "the built-in checks failed to load: {e}; this is a bug in failmode, please report it"
        )
    })
}

fn list_checks() -> Result<()> {
    let checks = load_checks()?;
    let mut out = std::io::stdout().lock();
    let width = checks
        .checks
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<width$}  {:<8}  {:<7}  SUMMARY",
        "CHECK", "SEVERITY", "DEFAULT"
    )?;
    for c in &checks.checks {
        writeln!(
            out,
            "{:<width$}  {:<8}  {:<7}  {}",
            c.id,
            c.severity.as_str(),
            if c.enabled { "on" } else { "off" },
            c.summary
        )?;
    }
    writeln!(
        out,
        "\nA check that is off by default runs with `[checks.<id>] enabled = true` in .github/failmode.toml."
    )?;
    Ok(())
}

/// `failmode checks --filters`: every filter a rule's `filters` list can name, sorted, with its
/// signature (`name(capture, "list")`), the message variables it sets, and its documentation.
fn list_filters() -> Result<()> {
    use failmode::analysis::filters::{registry, ArgKind};
    let mut filters: Vec<_> = registry().collect();
    filters.sort_by_key(|f| f.name);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Filters a rule's `filters` list can name (negate with `!`, join alternatives with `||`).\n\
         `capture` is a capture of the rule's query, `\"list\"` the name of a list in the check's \
         [data] or the shared vocabulary (`\"regex list\"`: one of regular expressions), \
         `\"text\"` a literal (`\"regex\"`: a regular expression).\n"
    )?;
    for f in filters {
        let args: Vec<&str> = f
            .args
            .iter()
            .map(|a| match a {
                ArgKind::Capture => "capture",
                ArgKind::DataList => "\"list\"",
                ArgKind::Text => "\"text\"",
                ArgKind::Regex => "\"regex\"",
                ArgKind::RegexList => "\"regex list\"",
            })
            .collect();
        write!(out, "{}({})", f.name, args.join(", "))?;
        if !f.sets.is_empty() {
            write!(out, "  sets: {}", f.sets.join(", "))?;
        }
        let doc: String = f.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        writeln!(out, "\n    {doc}\n")?;
    }
    Ok(())
}

/// The root: `--root` when given, else the first path if it is a directory, else the git top
/// level of the current directory, else the current directory.
fn find_root(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<PathBuf> {
    if let Some(root) = explicit {
        if !root.is_dir() {
            bail!(
                "the root {} is not a directory: pass the directory the reported paths are relative to",
                root.display()
            );
        }
        return root
            .canonicalize()
            .with_context(|| format!("cannot open the root {}", root.display()));
    }
    if let Some(first) = paths.first() {
        if first.is_dir() {
            return first
                .canonicalize()
                .with_context(|| format!("cannot open {}", first.display()));
        }
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(git_toplevel(&cwd).unwrap_or(cwd))
}

fn git_toplevel(dir: &Path) -> Option<PathBuf> {
    let out = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.canonicalize().ok()
}

fn load_config(
    root: &Path,
    explicit: Option<&Path>,
    org: Option<&Path>,
    checks: &CheckSet,
) -> Result<Config> {
    let ids = checks.ids();
    let read = |path: &Path| -> Result<String> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "{}:1:1: the file is not valid UTF-8 ({}); save it as UTF-8",
                path.display(),
                e.utf8_error()
            )
        })
    };
    let repo_path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => Some(root.join(failmode::config::CONFIG_PATH)).filter(|p| p.exists()),
    };
    let repo_text = repo_path.as_deref().map(read).transpose()?;
    let org_text = org.map(read).transpose()?;
    let repo_display = match explicit {
        Some(path) => path.display().to_string(),
        None => failmode::config::CONFIG_PATH.to_string(),
    };
    let org_display = org.map(|p| p.display().to_string()).unwrap_or_default();
    let org_source = org_text.as_deref().map(|text| ConfigSource {
        text,
        display_path: &org_display,
    });
    let repo_source = repo_text.as_deref().map(|text| ConfigSource {
        text,
        display_path: &repo_display,
    });
    // The error already reads `file:line:col: message`.
    Config::layered(org_source, repo_source, &ids)
        .map(Option::unwrap_or_default)
        .map_err(|e| anyhow!("{e}"))
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn wanted(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
        || path.file_name().is_some_and(|n| n == "Cargo.toml")
}

/// Lists the files to analyse: sources, manifests, end-to-end suites in other languages and a
/// web frontend's sources, which a browser suite reaches through (see `analysis::suites`).
/// They are read from disk as they are analysed, a frontend's only if a suite drives a browser.
/// Files over the size limit are only reported.
fn collect_inputs(
    root: &Path,
    paths: &[PathBuf],
    max_size: usize,
    config: &Config,
) -> Result<(Vec<SourceInput>, Vec<SkippedFile>)> {
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    let default = [root.to_path_buf()];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths {
        let p = p
            .canonicalize()
            .with_context(|| format!("cannot open {}: check the path exists", p.display()))?;
        if p.is_file() {
            files.insert(p);
            continue;
        }
        let walker = ignore::WalkBuilder::new(&p)
            .hidden(true)
            .require_git(false)
            .filter_entry(|e| {
                // Cargo's build directory: generated code, never hand-written.
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.path().join("CACHEDIR.TAG").is_file())
            })
            .build();
        for entry in walker {
            let entry = entry.with_context(|| format!("cannot walk {}", p.display()))?;
            if entry.file_type().is_some_and(|t| t.is_file())
                && (wanted(entry.path()) || {
                    let rel = rel_path(root, entry.path());
                    failmode::analysis::suites::is_suite(&rel, config)
                        || failmode::analysis::suites::is_frontend_source(&rel, config)
                })
            {
                files.insert(entry.into_path());
            }
        }
    }
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for f in files {
        let path = rel_path(root, &f);
        let size = match std::fs::metadata(&f) {
            Ok(m) => usize::try_from(m.len()).unwrap_or(usize::MAX),
            Err(e) => {
                skipped.push(SkippedFile::unreadable(&path, &e));
                continue;
            }
        };
        if size > max_size {
            if f.extension().is_some_and(|e| e == "rs") {
                let s = Skipped {
                    path,
                    reason: SkipReason::TooLarge {
                        size,
                        limit: max_size,
                    },
                };
                skipped.push(SkippedFile::from_skipped(&s));
            }
            continue;
        }
        // Read when analysed, not now: the analysis keeps only what it still needs of a file.
        inputs.push(SourceInput::on_disk(path, f, size));
    }
    Ok((inputs, skipped))
}

fn run_git(root: &Path, args: &[&str]) -> Result<String> {
    let out = Process::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .output()
        .context("cannot run git: is it installed and on PATH?")?;
    if !out.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Added lines per file (root-relative paths) since `rev`, untracked files counting as wholly
/// added.
fn changes_since(root: &Path, rev: &str) -> Result<BTreeMap<String, BTreeSet<usize>>> {
    let text = run_git(
        root,
        &[
            "diff",
            "--no-color",
            "--no-ext-diff",
            "-U0",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--relative",
            rev,
            "--",
        ],
    )?;
    let parsed = diff::parse_unified(&text)
        .with_context(|| format!("cannot read the output of `git diff {rev}`"))?;
    let mut changed = changed_lines(&parsed.files);
    let untracked = run_git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        if !wanted(Path::new(path)) {
            continue;
        }
        let text = std::fs::read(root.join(path))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let f = FileDiff::whole_file_added(path, &text);
        changed.insert(path.to_string(), f.added_lines());
    }
    Ok(changed)
}

fn changes_from_diff_file(source: &str) -> Result<BTreeMap<String, BTreeSet<usize>>> {
    let bytes = if source == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read the diff from stdin")?;
        b
    } else {
        std::fs::read(source).with_context(|| format!("cannot read the diff file {source}"))?
    };
    let text = String::from_utf8_lossy(&bytes);
    let parsed =
        diff::parse_unified(&text).with_context(|| format!("cannot parse the diff {source}"))?;
    for s in &parsed.skipped {
        eprintln!("warning: diff of {} ignored: {}", s.path, s.reason);
    }
    Ok(changed_lines(&parsed.files))
}

fn changed_lines(files: &[FileDiff]) -> BTreeMap<String, BTreeSet<usize>> {
    files
        .iter()
        .filter(|f| f.status != FileStatus::Deleted && !f.binary)
        .map(|f| (f.path.clone(), f.added_lines()))
        .filter(|(_, lines)| !lines.is_empty())
        .collect()
}

/// `--explain`'s target relative to the root: a path written from the current directory or
/// as an absolute path is rewritten the way findings print it.
fn relative_target(root: &Path, target: &ExplainTarget) -> ExplainTarget {
    let written = Path::new(&target.path);
    let relative = std::fs::canonicalize(written)
        .ok()
        .zip(std::fs::canonicalize(root).ok())
        .and_then(|(file, root)| {
            file.strip_prefix(&root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        });
    ExplainTarget {
        path: relative.unwrap_or_else(|| target.path.clone()),
        line: target.line,
    }
}

/// The text `--explain` prints: one line per rule match on the target line.
fn render_explanation(target: &ExplainTarget, explanation: &Explanation) -> String {
    let mut out = format!("{}:{}\n", target.path, target.line);
    if let Some(why) = &explanation.file_not_checked {
        out.push_str(&format!("  no check ran: {why}\n"));
        return out;
    }
    if explanation.matches.is_empty() {
        out.push_str(
            "  no rule's pattern matched a node anchored on this line (rules anchor on the first \
             line of the statement or call they are about)\n",
        );
    }
    let mut off: Vec<&str> = Vec::new();
    for m in &explanation.matches {
        if m.outcome == Outcome::CheckDisabled {
            if !off.contains(&m.check.as_str()) {
                off.push(&m.check);
            }
            continue;
        }
        out.push_str(&format!(
            "  {} / rule `{}`: {}\n",
            m.check, m.rule, m.outcome
        ));
    }
    for check in off {
        out.push_str(&format!(
            "  {check}: matched, but off for this file (turn it on with \
             `[checks.{check}] enabled = true`, or see its `exclude`)\n"
        ));
    }
    if !explanation.calls.is_empty() {
        out.push_str("effect model, for the calls on this line:\n");
        for (name, known) in &explanation.calls {
            out.push_str(&format!("  {name}: {known}\n"));
        }
    }
    out
}

fn run_check(args: &CheckArgs) -> Result<ExitCode> {
    load_checks()?;
    let root = find_root(args.root.as_deref(), &args.paths)?;
    // The repository's own checks (`.github/failmode/checks/`), beside the built-in ones.
    let run_checks = RunChecks::for_repository(read_checks_dir(&root.join(REPOSITORY_CHECKS_DIR))?)
        .map_err(|e| anyhow!("{e}"))?;
    let checks: &CheckSet = &run_checks;
    let config = load_config(
        &root,
        args.config.as_deref(),
        args.org_config.as_deref(),
        checks,
    )?;
    let fail_on = args.fail_on.unwrap_or(config.fail_on);
    // Read before the analysis, so a missing or broken baseline fails at once.
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let changed = match (&args.diff_base, &args.diff) {
        (Some(rev), _) => Some(changes_since(&root, rev)?),
        (None, Some(source)) => Some(changes_from_diff_file(source)?),
        (None, None) => None,
    };
    let (inputs, mut skipped) = collect_inputs(&root, &args.paths, args.max_file_size, &config)?;
    let opts = AnalysisOptions {
        max_file_size: args.max_file_size,
        report_paths: changed.as_ref().map(|c| c.keys().cloned().collect()),
        explain: args.explain.as_ref().map(|t| relative_target(&root, t)),
        ..AnalysisOptions::default()
    };
    let sources = inputs.iter().filter(|i| i.path.ends_with(".rs")).count();
    let bar = (std::io::stderr().is_terminal() && sources > PROGRESS_MIN_FILES).then(|| {
        let bar = indicatif::ProgressBar::new(sources as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} parsing {pos}/{len} files {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let analysis = analyze_with_progress(&inputs, &config, checks, &opts, &tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let (Some(target), Some(explanation)) = (&opts.explain, &analysis.explanation) {
        let mut out = std::io::stdout().lock();
        out.write_all(render_explanation(target, explanation).as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write the explanation to stdout")?;
        return Ok(ExitCode::SUCCESS);
    }
    skipped.extend(analysis.skipped.iter().map(SkippedFile::from_skipped));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let mut findings: Vec<Finding> = analysis.findings;
    if let Some(changed) = &changed {
        findings.retain(|f| {
            changed
                .get(&f.path)
                .is_some_and(|lines| f.span.touches_any_line(|l| lines.contains(&l)))
        });
        skipped.retain(|s| changed.contains_key(&s.path));
    }
    let baseline = match &args.write_baseline {
        Some(path) => {
            let written = Baseline::from_findings(&findings);
            written.write(path)?;
            let n = written.len();
            eprintln!(
                "failmode: wrote {n} finding{} to {p}; `failmode check --baseline {p}` reports only findings not in it",
                if n == 1 { "" } else { "s" },
                p = path.display()
            );
            Some(written)
        }
        None => baseline,
    };
    // After the diff filter: the count is of findings this run would otherwise have shown.
    let baselined = baseline.as_ref().map_or(0, |b| b.hide(&mut findings));
    // Last: a repeat the diff or the baseline left out is not named as one.
    let findings = repeats::fold_repeats(findings);
    let report = Report {
        findings: &findings,
        skipped: &skipped,
        files_analyzed: analysis.files_parsed,
        baselined,
        fail_on,
    };
    let texts: BTreeMap<String, String> = inputs
        .iter()
        .filter(|i| findings.iter().any(|f| f.path == i.path))
        .filter_map(|i| {
            let bytes = i.bytes().ok()?;
            std::str::from_utf8(&bytes)
                .ok()
                .map(|t| (i.path.clone(), t.to_string()))
        })
        .collect();
    let output = match args.format {
        Format::Text => {
            let mut err = std::io::stderr().lock();
            err.write_all(report::text::render_skipped(&report).as_bytes())?;
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::text::render(&report, &texts, color)
        }
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report, &RuleInfo::from_checks(checks), &texts),
        Format::Github => report::workflow::render(&report),
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(output.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("cannot write the report to stdout");
        }
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
