//! The files under `deploy/` are checked against the binary they deploy, so they cannot drift
//! from it:
//!
//! - every `FAILMODE_*` variable they name is one the binary reads. The names read are not
//!   listed here: the settings readers are called with a lookup that records every name it is
//!   asked for, and `src/` is scanned for any other read of the environment;
//! - the binary accepts the configuration each artifact sets;
//! - every probe they define (Docker `HEALTHCHECK`, compose `healthcheck`, Kubernetes probes and
//!   the Prometheus scrape) answers 200 from a real `failmode serve`, on the listener the
//!   artifact's port belongs to; the SQLite file lands on the volume or state directory;
//! - the time the platform waits before SIGKILL outlasts `FAILMODE_SHUTDOWN_GRACE_SECS`.
//!
//! The Dockerfile and the systemd unit are read with small line readers below; the YAML files
//! with `yaml_serde`.

mod support;

use failmode::server::settings::Settings;
use regex::Regex;
use serde::Deserialize as _;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::fake_github::{test_private_key_pem, FakeGithub};
use support::server::{Server, APP_ID};
use yaml_serde::Value as Yaml;

// ---------------------------------------------------------------------------------------------
// What the binary reads

/// The settings readers this test calls with a recording lookup. `src/` may read the
/// environment with a name that is not a string literal only by handing `std::env::var` to one
/// of these (`X::from_lookup(|k| std::env::var(k).ok())`); a new reader fails
/// [`every_environment_read_in_src_is_visible_to_this_test`] until it is added here and to
/// [`names_asked_with`].
const RECORDED_READERS: &[&str] = &["Settings", "Startup", "AppSettings"];

/// Every name the settings readers ask for when the environment is `env`.
fn names_asked_with(env: &dyn Fn(&str) -> Option<String>) -> BTreeSet<String> {
    let asked = RefCell::new(BTreeSet::new());
    let lookup = |name: &str| {
        asked.borrow_mut().insert(name.to_string());
        env(name)
    };
    let _ = Settings::from_lookup(lookup);
    let _ = failmode::server::settings::Startup::from_lookup(lookup);
    let _ = failmode::github::auth::AppSettings::from_lookup(lookup);
    asked.into_inner()
}

/// What a scan of `src/` finds: variables read by a literal name (`std::env::var("HOSTNAME")`,
/// clap's `env = "…"`), and reads this test cannot see through.
struct SourceScan {
    literal_names: BTreeSet<String>,
    unseen_reads: Vec<String>,
}

fn scan_src() -> SourceScan {
    let call = Regex::new(r"env::var(?:_os)?\s*\(").unwrap();
    let literal = Regex::new(r#"^env::var(?:_os)?\s*\(\s*"([^"]+)""#).unwrap();
    let reader = Regex::new(r"\b(\w+)::from_lookup\s*\(").unwrap();
    let impl_type = Regex::new(r"\bimpl(?:\s*<[^>]*>)?\s+(\w+)").unwrap();
    let clap_env = Regex::new(r#"\benv\s*=\s*"([A-Za-z0-9_]+)""#).unwrap();
    let opaque = Regex::new(
        r"env::vars(?:_os)?\s*\(|\bgetenv\b|use\s+std::env::var\b|use\s+std::env::\{[^}]*\bvar",
    )
    .unwrap();
    let mut scan = SourceScan {
        literal_names: BTreeSet::new(),
        unseen_reads: Vec::new(),
    };
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(root()).unwrap().display().to_string();
        let line_of = |at: usize| text[..at].matches('\n').count() + 1;
        for m in call.find_iter(&text) {
            if let Some(c) = literal.captures(&text[m.start()..]) {
                scan.literal_names.insert(c[1].to_string());
                continue;
            }
            let line = text.lines().nth(line_of(m.start()) - 1).unwrap_or_default();
            let through_recorded_reader = reader.captures(line).is_some_and(|c| {
                // `Self::from_lookup`: the type of the enclosing `impl`.
                let name = if &c[1] == "Self" {
                    impl_type
                        .captures_iter(&text[..m.start()])
                        .last()
                        .map(|i| i[1].to_string())
                        .unwrap_or_default()
                } else {
                    c[1].to_string()
                };
                RECORDED_READERS.contains(&name.as_str())
            });
            if !through_recorded_reader {
                scan.unseen_reads.push(format!(
                    "{shown}:{}: `{}`",
                    line_of(m.start()),
                    line.trim()
                ));
            }
        }
        for c in clap_env.captures_iter(&text) {
            scan.literal_names.insert(c[1].to_string());
        }
        for m in opaque.find_iter(&text) {
            scan.unseen_reads
                .push(format!("{shown}:{}: `{}`", line_of(m.start()), m.as_str()));
        }
    }
    scan
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `[env: NAME=…]` in the help of every (sub)command of the built binary: clap arguments that
/// fall back to a variable.
fn clap_env_names() -> BTreeSet<String> {
    let env = Regex::new(r"\[env: ([A-Za-z0-9_]+)=").unwrap();
    let mut names = BTreeSet::new();
    let mut pending: Vec<Vec<String>> = vec![vec![]];
    while let Some(command) = pending.pop() {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_failmode"))
            .args(&command)
            .arg("--help")
            .output()
            .expect("run failmode --help");
        let help = String::from_utf8_lossy(&output.stdout).to_string();
        names.extend(env.captures_iter(&help).map(|c| c[1].to_string()));
        if command.len() < 3 {
            for sub in subcommands(&help) {
                let mut next = command.clone();
                next.push(sub);
                pending.push(next);
            }
        }
    }
    names
}

/// The subcommands a clap help text lists under `Commands:`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("      "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// Every variable the binary reads (any prefix), as far as the readers, `src/` and `--help` tell.
fn names_the_binary_reads(artifacts: &[Artifact]) -> BTreeSet<String> {
    let mut names = names_asked_with(&|_| None);
    for a in artifacts {
        let env = &a.env;
        names.extend(names_asked_with(&|k| env.get(k).cloned()));
    }
    names.extend(scan_src().literal_names);
    names.extend(clap_env_names());
    names
}

// ---------------------------------------------------------------------------------------------
// The artifacts

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// An HTTP GET a platform sends to see whether the server is alive or ready.
#[derive(Debug, Clone)]
struct Probe {
    /// What defines it, for messages.
    what: String,
    /// The port it connects to, inside the container / on the host.
    port: u16,
    path: String,
    /// Whether it comes from outside the container's loopback (the kubelet, Prometheus), so the
    /// listener must bind every interface.
    from_outside: bool,
}

/// One process definition in one artifact.
#[derive(Debug, Clone, Default)]
struct Artifact {
    name: String,
    /// The variables it sets, with the values the binary would see; what the operator supplies
    /// at deploy time (`${FAILMODE_APP_ID}`, a Secret's placeholder) is a sample value.
    env: BTreeMap<String, String>,
    probes: Vec<Probe>,
    /// How long the platform waits after asking the process to stop before it kills it, and how
    /// much of that passes before the process gets SIGTERM (a preStop pause).
    stop: Option<(Duration, Duration)>,
    /// Where its persistent files live (the Docker volume, the systemd StateDirectory).
    data_dir: Option<String>,
}

/// The value the operator fills in for `name` at deploy time, for checking what the binary
/// makes of the rest.
fn operator_value(name: &str) -> String {
    match name {
        "FAILMODE_APP_ID" => APP_ID.to_string(),
        _ => format!("sample-{}", name.to_ascii_lowercase().replace('_', "-")),
    }
}

// --- Dockerfile ------------------------------------------------------------------------------

/// The instructions of one build stage: (keyword in capitals, arguments).
struct Stage {
    instructions: Vec<(String, String)>,
}

impl Stage {
    fn all(&self, keyword: &str) -> impl Iterator<Item = &str> + '_ {
        let keyword = keyword.to_string();
        self.instructions
            .iter()
            .filter(move |(k, _)| *k == keyword)
            .map(|(_, args)| args.as_str())
    }
}

/// The stages of a Dockerfile: comments dropped, continuation lines joined.
fn dockerfile_stages(text: &str) -> Vec<Stage> {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let (body, continued) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        current.push_str(body.trim());
        current.push(' ');
        if !continued {
            if !current.trim().is_empty() {
                logical.push(current.trim().to_string());
            }
            current.clear();
        }
    }
    let mut stages: Vec<Stage> = Vec::new();
    for line in logical {
        let (keyword, args) = line.split_once(' ').unwrap_or((&line, ""));
        let keyword = keyword.to_ascii_uppercase();
        if keyword == "FROM" {
            stages.push(Stage {
                instructions: Vec::new(),
            });
        }
        if let Some(stage) = stages.last_mut() {
            stage.instructions.push((keyword, args.trim().to_string()));
        }
    }
    stages
}

/// Splits shell-like words, honouring double and single quotes and backslash escapes.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.push(c),
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// `KEY=VALUE` words (ENV, systemd Environment=) into a map.
fn assignments(text: &str) -> Vec<(String, String)> {
    words(text)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => panic!("`{w}` is not KEY=VALUE (in `{text}`)"),
        })
        .collect()
}

/// A JSON array (`["a", "b"]`) or whitespace-separated words.
fn list(args: &str) -> Vec<String> {
    if args.trim_start().starts_with('[') {
        serde_json::from_str(args).unwrap_or_else(|e| panic!("`{args}`: {e}"))
    } else {
        words(args)
    }
}

/// The first `http://host:port/path` in `command`, as (port, path).
fn probe_url(command: &str) -> (u16, String) {
    let url = Regex::new(r#"https?://[^\s"',\]]+"#)
        .unwrap()
        .find(command)
        .unwrap_or_else(|| panic!("no http URL in probe command `{command}`"))
        .as_str();
    let url = reqwest::Url::parse(url).unwrap_or_else(|e| panic!("`{url}`: {e}"));
    (url.port_or_known_default().unwrap(), url.path().to_string())
}

const DOCKERFILE: &str = "deploy/Dockerfile";

fn dockerfile() -> (Artifact, Stage) {
    let mut stages = dockerfile_stages(&read(DOCKERFILE));
    assert!(stages.len() >= 2, "{DOCKERFILE} is multi-stage");
    let runtime = stages.pop().unwrap();
    let mut env = BTreeMap::new();
    for args in runtime.all("ENV") {
        let first = words(args).into_iter().next().unwrap_or_default();
        if first.contains('=') {
            env.extend(assignments(args));
        } else {
            // The legacy form: `ENV KEY the value`.
            let (k, v) = args.split_once(' ').unwrap();
            env.insert(k.to_string(), v.trim().to_string());
        }
    }
    let probes = runtime
        .all("HEALTHCHECK")
        .filter(|args| args.trim() != "NONE")
        .map(|args| {
            let (port, path) = probe_url(args);
            Probe {
                what: format!("{DOCKERFILE} HEALTHCHECK"),
                port,
                path,
                from_outside: false,
            }
        })
        .collect();
    let volumes: Vec<String> = runtime.all("VOLUME").flat_map(list).collect();
    assert_eq!(volumes.len(), 1, "{DOCKERFILE}: one data volume");
    let artifact = Artifact {
        name: DOCKERFILE.to_string(),
        env,
        probes,
        stop: None,
        data_dir: volumes.into_iter().next(),
    };
    (artifact, runtime)
}

// --- systemd -------------------------------------------------------------------------------------

const UNIT: &str = "deploy/systemd/failmode.service";

/// (section, key, value) of a unit file, in order.
fn unit_entries(text: &str) -> Vec<(String, String, String)> {
    let mut entries = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for line in text.lines() {
        let line = line.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with(';'))
        {
            continue;
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
            continue;
        }
        let line = std::mem::take(&mut pending) + line;
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            entries.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
        }
    }
    entries
}

fn unit_values<'a>(entries: &'a [(String, String, String)], key: &str) -> Vec<&'a str> {
    entries
        .iter()
        .filter(|(s, k, _)| s == "Service" && k == key)
        .map(|(_, _, v)| v.as_str())
        .collect()
}

/// A systemd time span (`40s`, `1min 30s`, `90`).
fn systemd_span(text: &str) -> Duration {
    if text.trim() == "infinity" {
        return Duration::MAX;
    }
    let part = Regex::new(r"(\d+)\s*([a-z]*)").unwrap();
    let mut total = Duration::ZERO;
    for c in part.captures_iter(text) {
        let n: u64 = c[1].parse().unwrap();
        total += match &c[2] {
            "" | "s" | "sec" | "second" | "seconds" => Duration::from_secs(n),
            "ms" | "msec" => Duration::from_millis(n),
            "m" | "min" | "minute" | "minutes" => Duration::from_secs(60 * n),
            "h" | "hr" | "hour" | "hours" => Duration::from_secs(3600 * n),
            other => panic!("unknown time unit `{other}` in `{text}`"),
        };
    }
    total
}

/// `KEY=VALUE` lines of an environment file (comments and blank lines skipped).
fn env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .flat_map(|l| assignments(l.strip_prefix("export ").unwrap_or(l)))
        .collect()
}

fn systemd() -> (Artifact, Vec<(String, String, String)>) {
    let entries = unit_entries(&read(UNIT));
    let mut env = BTreeMap::new();
    for value in unit_values(&entries, "Environment") {
        env.extend(assignments(value));
    }
    // EnvironmentFile= wins over Environment=; the repository ships the file as an example
    // beside the unit.
    for file in unit_values(&entries, "EnvironmentFile") {
        let file = file.trim_start_matches('-');
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        let example = format!("deploy/systemd/{name}");
        env.extend(env_file(&read(&example)));
    }
    let stop = ["TimeoutStopSec", "TimeoutSec"]
        .iter()
        .find_map(|key| unit_values(&entries, key).last().map(|v| systemd_span(v)))
        .unwrap_or(Duration::from_secs(90));
    let state = unit_values(&entries, "StateDirectory")
        .last()
        .map(|d| format!("/var/lib/{}", d.split_whitespace().next().unwrap()));
    let artifact = Artifact {
        name: UNIT.to_string(),
        env,
        probes: Vec::new(),
        stop: Some((stop, Duration::ZERO)),
        data_dir: state,
    };
    (artifact, entries)
}

// --- docker compose --------------------------------------------------------------------------------

const COMPOSE: &str = "deploy/docker-compose.yml";

fn yaml_documents(rel: &str) -> Vec<Yaml> {
    let text = read(rel);
    yaml_serde::Deserializer::from_str(&text)
        .map(|doc| Yaml::deserialize(doc).unwrap_or_else(|e| panic!("{rel}: {e}")))
        .filter(|doc| !doc.is_null())
        .collect()
}

fn scalar(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// Compose's interpolation, with the operator's variables at their sample values.
fn interpolate(value: &str) -> String {
    let var = Regex::new(
        r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)",
    )
    .unwrap();
    let value = value.replace("$$", "\u{0}");
    var.replace_all(&value, |c: &regex::Captures| {
        let name = c.get(1).or(c.get(4)).unwrap().as_str();
        match c.get(2).map(|m| m.as_str()) {
            Some(":-" | "-") => c[3].to_string(),
            _ => operator_value(name),
        }
    })
    .replace('\u{0}', "$")
}

/// A Go duration (`40s`, `1m30s`, `500ms`), as compose reads it.
fn go_duration(text: &str) -> Duration {
    let part = Regex::new(r"(\d+)(ms|us|h|m|s)").unwrap();
    part.captures_iter(text)
        .map(|c| {
            let n: u64 = c[1].parse().unwrap();
            match &c[2] {
                "h" => Duration::from_secs(3600 * n),
                "m" => Duration::from_secs(60 * n),
                "s" => Duration::from_secs(n),
                "ms" => Duration::from_millis(n),
                _ => Duration::from_micros(n),
            }
        })
        .sum()
}

/// One artifact per compose service that runs failmode.
fn compose() -> (Vec<Artifact>, Yaml) {
    let doc = yaml_documents(COMPOSE).pop().expect("a compose document");
    let mut artifacts = Vec::new();
    let services = doc["services"].as_mapping().expect("services");
    for (name, service) in services {
        let name = scalar(name);
        let mut env = BTreeMap::new();
        match &service["environment"] {
            Yaml::Mapping(m) => {
                for (k, v) in m {
                    env.insert(scalar(k), interpolate(&scalar(v)));
                }
            }
            Yaml::Sequence(items) => {
                for item in items {
                    let item = scalar(item);
                    let (k, v) = item.split_once('=').unwrap_or((&item, ""));
                    env.insert(k.to_string(), interpolate(v));
                }
            }
            _ => {}
        }
        let image = service["image"].as_str().unwrap_or_default();
        if !image.starts_with("failmode") && !env.keys().any(|k| k.starts_with("FAILMODE_")) {
            continue;
        }
        let probes = match &service["healthcheck"]["test"] {
            Yaml::Null => Vec::new(),
            test => {
                let command = match test {
                    Yaml::Sequence(items) => items.iter().map(scalar).collect::<Vec<_>>().join(" "),
                    other => scalar(other),
                };
                let (port, path) = probe_url(&command);
                vec![Probe {
                    what: format!("{COMPOSE} services.{name}.healthcheck"),
                    port,
                    path,
                    from_outside: false,
                }]
            }
        };
        let stop = service["stop_grace_period"]
            .as_str()
            .map(go_duration)
            .unwrap_or(Duration::from_secs(10));
        artifacts.push(Artifact {
            name: format!("{COMPOSE} services.{name}"),
            env,
            probes,
            stop: Some((stop, Duration::ZERO)),
            data_dir: None,
        });
    }
    (artifacts, doc)
}

// --- Kubernetes ----------------------------------------------------------------------------------

const KUBERNETES: &str = "deploy/kubernetes";

/// Every document of every manifest under deploy/kubernetes, with its file.
fn kubernetes_documents() -> Vec<(String, Yaml)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(KUBERNETES))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .flat_map(|f| {
            let rel = format!("{KUBERNETES}/{f}");
            yaml_documents(&rel)
                .into_iter()
                .map(move |d| (f.clone(), d))
        })
        .collect()
}

fn of_kind<'a>(docs: &'a [(String, Yaml)], kind: &str) -> Vec<&'a Yaml> {
    docs.iter()
        .map(|(_, d)| d)
        .filter(|d| d["kind"].as_str() == Some(kind))
        .collect()
}

/// The value of key `key` of the Secret `name` among `docs`.
fn secret_value(docs: &[(String, Yaml)], name: &str, key: &str) -> String {
    use base64::Engine as _;
    let secret = of_kind(docs, "Secret")
        .into_iter()
        .find(|s| s["metadata"]["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no Secret `{name}` in {KUBERNETES}"));
    if let Some(v) = secret["stringData"][key].as_str() {
        return v.to_string();
    }
    let encoded = secret["data"][key]
        .as_str()
        .unwrap_or_else(|| panic!("Secret `{name}` has no key `{key}`"));
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap()
}

/// A container port given by number or by name.
fn container_port(container: &Yaml, port: &Yaml) -> u16 {
    match port {
        Yaml::Number(n) => n.as_u64().unwrap() as u16,
        Yaml::String(name) => container["ports"]
            .as_sequence()
            .into_iter()
            .flatten()
            .find(|p| p["name"].as_str() == Some(name))
            .and_then(|p| p["containerPort"].as_u64())
            .unwrap_or_else(|| panic!("no container port named `{name}`"))
            as u16,
        other => panic!("bad port {other:?}"),
    }
}

/// One artifact per container of every Deployment.
fn kubernetes() -> (Vec<Artifact>, Vec<(String, Yaml)>) {
    let docs = kubernetes_documents();
    let mut artifacts = Vec::new();
    for deployment in of_kind(&docs, "Deployment") {
        let name = deployment["metadata"]["name"].as_str().unwrap();
        let pod = &deployment["spec"]["template"];
        let grace = pod["spec"]["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(30);
        for container in pod["spec"]["containers"].as_sequence().unwrap() {
            let cname = container["name"].as_str().unwrap();
            let what = format!("{KUBERNETES} Deployment {name} container {cname}");
            assert!(
                container["envFrom"].is_null(),
                "{what}: envFrom is not read by this test; list the variables under env"
            );
            let mut env = BTreeMap::new();
            for item in container["env"].as_sequence().into_iter().flatten() {
                let key = item["name"].as_str().unwrap().to_string();
                let value = if let Some(v) = item.get("value") {
                    scalar(v)
                } else if let Some(r) = item["valueFrom"].get("secretKeyRef") {
                    secret_value(
                        &docs,
                        r["name"].as_str().unwrap(),
                        r["key"].as_str().unwrap(),
                    )
                } else {
                    operator_value(&key)
                };
                env.insert(key, value);
            }
            let mut probes = Vec::new();
            for kind in ["readinessProbe", "livenessProbe", "startupProbe"] {
                let get = &container[kind]["httpGet"];
                if get.is_null() {
                    assert!(
                        container[kind].is_null(),
                        "{what}: {kind} is not an httpGet"
                    );
                    continue;
                }
                probes.push(Probe {
                    what: format!("{what} {kind}"),
                    port: container_port(container, &get["port"]),
                    path: get["path"].as_str().unwrap_or("/").to_string(),
                    from_outside: true,
                });
            }
            let annotations = &pod["metadata"]["annotations"];
            if annotations["prometheus.io/scrape"].as_str() == Some("true") {
                probes.push(Probe {
                    what: format!("{what} Prometheus scrape"),
                    port: annotations["prometheus.io/port"]
                        .as_str()
                        .expect("prometheus.io/port")
                        .parse()
                        .unwrap(),
                    path: annotations["prometheus.io/path"]
                        .as_str()
                        .unwrap_or("/metrics")
                        .to_string(),
                    from_outside: true,
                });
            }
            let pre_stop = &container["lifecycle"]["preStop"];
            let pause = if let Some(command) = pre_stop["exec"]["command"].as_sequence() {
                let command: Vec<String> = command.iter().map(scalar).collect();
                assert!(
                    command.len() == 2 && command[0] == "sleep",
                    "{what}: preStop is not a plain `sleep N`: {command:?}"
                );
                Duration::from_secs(command[1].parse().unwrap())
            } else if let Some(s) = pre_stop["sleep"]["seconds"].as_u64() {
                Duration::from_secs(s)
            } else {
                assert!(pre_stop.is_null(), "{what}: unknown preStop {pre_stop:?}");
                Duration::ZERO
            };
            artifacts.push(Artifact {
                name: what,
                env,
                probes,
                stop: Some((Duration::from_secs(grace), pause)),
                data_dir: None,
            });
        }
    }
    assert!(!artifacts.is_empty(), "no Deployment in {KUBERNETES}");
    (artifacts, docs)
}

fn all_artifacts() -> Vec<Artifact> {
    let mut all = vec![dockerfile().0, systemd().0];
    all.extend(compose().0);
    all.extend(kubernetes().0);
    all
}

/// The settings the binary makes of `artifact`'s environment, with the App key at `key` (the
/// artifact's own key path does not exist here).
fn settings_of(artifact: &Artifact, key: &Path) -> Settings {
    let mut env = artifact.env.clone();
    for required in ["FAILMODE_APP_ID", "FAILMODE_WEBHOOK_SECRET"] {
        env.entry(required.to_string())
            .or_insert_with(|| operator_value(required));
    }
    if env.contains_key("FAILMODE_PRIVATE_KEY") {
        env.insert(
            "FAILMODE_PRIVATE_KEY".into(),
            String::from_utf8(test_private_key_pem()).unwrap(),
        );
    } else {
        env.insert(
            "FAILMODE_PRIVATE_KEY_PATH".into(),
            key.display().to_string(),
        );
    }
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap_or_else(|e| {
        panic!(
            "{}: the binary refuses this configuration:\n{e}",
            artifact.name
        )
    })
}

fn test_key() -> tempfile::NamedTempFile {
    let key = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(key.path(), test_private_key_pem()).unwrap();
    key
}

// ---------------------------------------------------------------------------------------------
// (1) Every variable is one the binary reads

#[test]
fn every_environment_read_in_src_is_visible_to_this_test() {
    let scan = scan_src();
    assert!(
        scan.unseen_reads.is_empty(),
        "src/ reads the environment where this test cannot see the names: read through \
         one of the readers in RECORDED_READERS ({RECORDED_READERS:?}), or add the new reader \
         to RECORDED_READERS and names_asked_with in tests/deploy_artifacts.rs:\n{}",
        scan.unseen_reads.join("\n")
    );
    // The recording sees the settings the binary is known to read.
    let asked = names_asked_with(&|_| None);
    for name in [
        "FAILMODE_LISTEN",
        "FAILMODE_ADMIN_LISTEN",
        "FAILMODE_SHUTDOWN_GRACE_SECS",
    ] {
        assert!(asked.contains(name), "{name} not recorded: {asked:?}");
    }
}

#[test]
fn every_failmode_variable_in_deploy_is_one_the_binary_reads() {
    let artifacts = all_artifacts();
    let read = names_the_binary_reads(&artifacts);
    let mut unknown = Vec::new();
    // What the artifacts set...
    for a in &artifacts {
        for name in a.env.keys().filter(|k| k.starts_with("FAILMODE_")) {
            if !read.contains(name) {
                unknown.push(format!("{}: sets {name}", a.name));
            }
        }
    }
    // ...and every name any file under deploy/ mentions (comments, commented-out examples and
    // the README's table included), so a renamed variable is not left behind anywhere.
    let token = Regex::new(r"\bFAILMODE_[A-Z0-9_]*[A-Z0-9]\b").unwrap();
    let mut files = vec![root().join(".dockerignore")];
    let mut dirs = vec![root().join("deploy")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for m in token.find_iter(line) {
                if !read.contains(m.as_str()) {
                    unknown.push(format!(
                        "{}:{}: mentions {}",
                        file.strip_prefix(root()).unwrap().display(),
                        n + 1,
                        m.as_str()
                    ));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "variables the binary does not read:\n{}\n(it reads: {read:?})",
        unknown.join("\n")
    );
}

#[test]
fn every_artifact_configuration_is_accepted_by_the_binary() {
    let key = test_key();
    for artifact in all_artifacts() {
        settings_of(&artifact, key.path());
    }
}

// ---------------------------------------------------------------------------------------------
// (2) Every probe answers 200 from a real server, on the listener its port belongs to

/// Starts `failmode serve` with `artifact`'s settings, except the App (the fake GitHub's), the
/// addresses (free loopback ports, which the probes are mapped onto) and the database (`database`,
/// or a SQLite file in `dir`).
async fn start_like(
    artifact: &Artifact,
    github: &FakeGithub,
    dir: &Path,
    database: Option<&str>,
) -> Server {
    const SUPPLIED_BY_THE_TEST: &[&str] = &[
        "FAILMODE_APP_ID",
        "FAILMODE_PRIVATE_KEY",
        "FAILMODE_PRIVATE_KEY_PATH",
        "FAILMODE_WEBHOOK_SECRET",
        "FAILMODE_GITHUB_API_URL",
        "FAILMODE_LISTEN",
        "FAILMODE_ADMIN_LISTEN",
        "FAILMODE_DATABASE_URL",
    ];
    let extra: Vec<(&str, &str)> = artifact
        .env
        .iter()
        .filter(|(k, _)| k.starts_with("FAILMODE_") && !SUPPLIED_BY_THE_TEST.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    support::server::start(&github.url(), dir, database, &extra).await
}

/// GETs every probe of `artifact` on `server`, on the listener whose configured port the probe
/// names; each must answer 200 (within 10 s, as a platform retries a probe too).
async fn assert_probes_answer(artifact: &Artifact, settings: &Settings, server: &Server) {
    assert!(
        !artifact.probes.is_empty(),
        "{}: defines no probe",
        artifact.name
    );
    for probe in &artifact.probes {
        let (base, bound): (&str, SocketAddr) = if probe.port == settings.listen.port() {
            (server.url.as_str(), settings.listen)
        } else if probe.port == settings.admin_listen.port() {
            (server.admin_url.as_str(), settings.admin_listen)
        } else {
            panic!(
                "{}: probes port {}, but failmode listens on {} (FAILMODE_LISTEN) and {} \
                 (FAILMODE_ADMIN_LISTEN)",
                probe.what, probe.port, settings.listen, settings.admin_listen
            );
        };
        if probe.from_outside {
            assert!(
                bound.ip().is_unspecified(),
                "{}: comes from outside the container, but port {} is bound to {bound} only",
                probe.what,
                probe.port
            );
        } else {
            assert!(
                bound.ip().is_unspecified() || bound.ip().is_loopback(),
                "{}: port {} is bound to {bound}, which loopback does not reach",
                probe.what,
                probe.port
            );
        }
        let url = format!("{base}{}", probe.path);
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            let status = reqwest::get(&url).await.map(|r| r.status().as_u16());
            if matches!(status, Ok(200)) || Instant::now() > deadline {
                break status;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(
            status.as_ref().ok(),
            Some(&200),
            "{}: GET {} on port {} ({url}) answered {status:?}",
            probe.what,
            probe.path,
            probe.port
        );
    }
}

/// The artifact's SQLite URL with its data directory moved to `dir`, after checking the file is
/// in that directory.
fn sqlite_url_in(artifact: &Artifact, settings: &Settings, dir: &Path) -> (String, PathBuf) {
    let url = settings.database_url.expose().to_string();
    let data_dir = artifact.data_dir.as_deref().expect("a data directory");
    let path = url.strip_prefix("sqlite://").unwrap_or_else(|| {
        panic!(
            "{}: FAILMODE_DATABASE_URL is not sqlite://: {url}",
            artifact.name
        )
    });
    let file = path.split('?').next().unwrap();
    let rest = Path::new(file).strip_prefix(data_dir).unwrap_or_else(|_| {
        panic!(
            "{}: the SQLite file {file} is not under {data_dir}, so it is lost with the container \
             or not writable",
            artifact.name
        )
    });
    let moved = dir.join(rest);
    (url.replacen(data_dir, &dir.display().to_string(), 1), moved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dockerfile_healthcheck_answers_and_the_database_lands_on_the_volume() {
    let (artifact, _) = dockerfile();
    let key = test_key();
    let settings = settings_of(&artifact, key.path());
    let github = FakeGithub::start(APP_ID).await;
    let dir = tempfile::tempdir().unwrap();
    let volume = tempfile::tempdir().unwrap();
    let (url, file) = sqlite_url_in(&artifact, &settings, volume.path());
    let server = start_like(&artifact, &github, dir.path(), Some(&url)).await;
    assert!(file.exists(), "{url} did not create {}", file.display());
    assert_probes_answer(&artifact, &settings, &server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_database_lands_in_the_state_directory() {
    let (artifact, _) = systemd();
    let key = test_key();
    let settings = settings_of(&artifact, key.path());
    let github = FakeGithub::start(APP_ID).await;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (url, file) = sqlite_url_in(&artifact, &settings, state.path());
    let _server = start_like(&artifact, &github, dir.path(), Some(&url)).await;
    assert!(file.exists(), "{url} did not create {}", file.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_healthchecks_answer_on_a_real_server() {
    let key = test_key();
    for artifact in compose().0 {
        let settings = settings_of(&artifact, key.path());
        let github = FakeGithub::start(APP_ID).await;
        let dir = tempfile::tempdir().unwrap();
        let server = start_like(&artifact, &github, dir.path(), None).await;
        assert_probes_answer(&artifact, &settings, &server).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_probes_and_scrape_answer_on_a_real_server() {
    let key = test_key();
    for artifact in kubernetes().0 {
        let settings = settings_of(&artifact, key.path());
        // Readiness asks whether the replica can take work (database, shutdown); liveness only
        // whether the process answers.
        for (kind, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")] {
            let probe = artifact.probes.iter().find(|p| p.what.ends_with(kind));
            assert_eq!(
                probe.map(|p| p.path.as_str()),
                Some(path),
                "{}: {kind}",
                artifact.name
            );
        }
        let github = FakeGithub::start(APP_ID).await;
        let dir = tempfile::tempdir().unwrap();
        let server = start_like(&artifact, &github, dir.path(), None).await;
        assert_probes_answer(&artifact, &settings, &server).await;
    }
}

// ---------------------------------------------------------------------------------------------
// (3) The platform waits longer than the shutdown grace before SIGKILL

#[test]
fn stop_timeouts_outlast_the_shutdown_grace() {
    let key = test_key();
    let mut checked = 0;
    for artifact in all_artifacts() {
        let Some((timeout, before_sigterm)) = artifact.stop else {
            continue;
        };
        let grace = settings_of(&artifact, key.path()).shutdown_grace;
        assert!(
            timeout > before_sigterm + grace,
            "{}: the platform kills after {timeout:?}, but the process gets SIGTERM after \
             {before_sigterm:?} and then may take FAILMODE_SHUTDOWN_GRACE_SECS = {grace:?}",
            artifact.name
        );
        checked += 1;
    }
    // Kubernetes, systemd and compose.
    assert!(
        checked >= 3,
        "only {checked} artifacts say how long they wait"
    );
}

// ---------------------------------------------------------------------------------------------
// What each artifact is for

#[test]
fn dockerfile_runs_unprivileged_and_exposes_only_the_webhook() {
    let (artifact, runtime) = dockerfile();
    let key = test_key();
    let settings = settings_of(&artifact, key.path());
    let user = runtime.all("USER").last().expect("a USER").to_string();
    let uid = user.split(':').next().unwrap();
    assert!(uid != "0" && uid != "root", "{DOCKERFILE}: runs as {user}");
    let exposed: Vec<u16> = runtime
        .all("EXPOSE")
        .flat_map(words)
        .map(|p| p.split('/').next().unwrap().parse().unwrap())
        .collect();
    assert!(exposed.contains(&settings.listen.port()), "{exposed:?}");
    assert!(
        !exposed.contains(&settings.admin_listen.port()),
        "{DOCKERFILE}: EXPOSE {exposed:?} includes the admin port; `docker run -P` would publish it"
    );
    assert_eq!(
        runtime.all("WORKDIR").last(),
        artifact.data_dir.as_deref(),
        "{DOCKERFILE}: files written relative to the working directory land on the volume"
    );
    // The HEALTHCHECK's program exists in the runtime image: installed there, or the binary.
    for args in runtime.all("HEALTHCHECK") {
        let command = args.split_once("CMD").expect("HEALTHCHECK … CMD").1;
        let program = list(command).into_iter().next().unwrap();
        let installed = runtime
            .all("RUN")
            .any(|run| run.contains("apt-get install") && words(run).contains(&program));
        assert!(
            installed || program.ends_with("/failmode"),
            "{DOCKERFILE}: the HEALTHCHECK runs `{program}`, which the runtime stage does not install"
        );
    }
}

#[test]
fn compose_runs_two_replicas_on_postgres_with_the_key_as_a_secret() {
    let (artifacts, doc) = compose();
    let key = test_key();
    let replicas: u64 = doc["services"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(name, _)| artifacts.iter().any(|a| a.name.ends_with(&scalar(name))))
        .map(|(_, s)| s["deploy"]["replicas"].as_u64().unwrap_or(1))
        .sum();
    assert!(replicas >= 2, "{COMPOSE}: {replicas} failmode replica(s)");
    for artifact in &artifacts {
        let settings = settings_of(artifact, key.path());
        assert!(
            settings.database_url.expose().starts_with("postgres://"),
            "{}: replicas must share PostgreSQL, not {}",
            artifact.name,
            settings.database_url
        );
        let key_path = &artifact.env["FAILMODE_PRIVATE_KEY_PATH"];
        let secret = key_path
            .strip_prefix("/run/secrets/")
            .unwrap_or_else(|| panic!("{}: the key is not a secret: {key_path}", artifact.name));
        assert!(
            !doc["secrets"][secret]["file"].is_null(),
            "{COMPOSE}: no top-level secret `{secret}`"
        );
        // The App id and webhook secret come from the operator's environment.
        for name in ["FAILMODE_APP_ID", "FAILMODE_WEBHOOK_SECRET"] {
            assert_eq!(
                artifact.env.get(name),
                Some(&operator_value(name)),
                "{}: {name} is not taken from the environment",
                artifact.name
            );
        }
    }
}

#[test]
fn kubernetes_runs_two_replicas_behind_a_webhook_only_service() {
    let (artifacts, docs) = kubernetes();
    let key = test_key();
    let deployments = of_kind(&docs, "Deployment");
    assert_eq!(deployments.len(), 1);
    let deployment = deployments[0];
    assert_eq!(deployment["spec"]["replicas"].as_u64(), Some(2));
    let pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        .as_mapping()
        .unwrap();
    let selects_pods = |selector: &Yaml| {
        let selector = selector.as_mapping().expect("a selector");
        !selector.is_empty() && selector.iter().all(|(k, v)| pod_labels.get(k) == Some(v))
    };
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                !container["resources"][kind][resource].is_null(),
                "no {kind}.{resource}"
            );
        }
    }
    let pdbs = of_kind(&docs, "PodDisruptionBudget");
    assert_eq!(pdbs.len(), 1, "one PodDisruptionBudget");
    assert!(selects_pods(&pdbs[0]["spec"]["selector"]["matchLabels"]));

    let settings = settings_of(&artifacts[0], key.path());
    let services = of_kind(&docs, "Service");
    assert!(!services.is_empty(), "a Service for the webhook");
    for service in services {
        // Service links would put FAILMODE_SERVICE_HOST, FAILMODE_PORT… for a Service named
        // `failmode` into every pod's environment: not settings, but they would look like ones.
        let links = service["metadata"]["name"]
            .as_str()
            .unwrap()
            .to_ascii_uppercase()
            .replace('-', "_")
            + "_SERVICE_HOST";
        if links.starts_with("FAILMODE_") {
            assert_eq!(
                deployment["spec"]["template"]["spec"]["enableServiceLinks"].as_bool(),
                Some(false),
                "the pods would get {links} and friends"
            );
        }
        if !selects_pods(&service["spec"]["selector"]) {
            continue;
        }
        for port in service["spec"]["ports"].as_sequence().unwrap() {
            let target = match &port["targetPort"] {
                Yaml::Null => port["port"].clone(),
                t => t.clone(),
            };
            let target = container_port(container, &target);
            assert_eq!(
                target,
                settings.listen.port(),
                "Service {} exposes port {target}; only the webhook port (FAILMODE_LISTEN) may be",
                service["metadata"]["name"].as_str().unwrap()
            );
            assert_ne!(target, settings.admin_listen.port());
        }
    }

    // kustomization.yaml names every manifest, and only existing ones.
    let kustomization = yaml_documents(&format!("{KUBERNETES}/kustomization.yaml"))
        .pop()
        .unwrap();
    let listed: BTreeSet<String> = kustomization["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(scalar)
        .collect();
    let files: BTreeSet<String> = docs
        .iter()
        .map(|(f, _)| f.clone())
        .filter(|f| f != "kustomization.yaml")
        .collect();
    assert_eq!(listed, files, "kustomization.yaml resources");
}

#[test]
fn systemd_unit_is_hardened() {
    let (artifact, entries) = systemd();
    let one = |key: &str| unit_values(&entries, key).last().map(|v| v.to_string());
    for (key, want) in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("Restart", "on-failure"),
        ("DynamicUser", "yes"),
    ] {
        assert_eq!(one(key).as_deref(), Some(want), "{UNIT}: {key}");
    }
    assert_eq!(
        one("CapabilityBoundingSet").as_deref(),
        Some(""),
        "{UNIT}: no capabilities"
    );
    assert_eq!(
        one("WorkingDirectory").as_deref(),
        artifact.data_dir.as_deref(),
        "{UNIT}: files written relative to the working directory land in the StateDirectory"
    );
    assert!(
        !unit_values(&entries, "EnvironmentFile").is_empty(),
        "{UNIT}: secrets come from an EnvironmentFile"
    );
}
