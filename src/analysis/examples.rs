//! Runs a check's examples: every file under `checks/<id>/examples/<language>/` is analysed and
//! its findings compared, line by line, with the `//~ <check-id>` markers written in it.
//!
//! - `examples/rust/<name>.rs` is analysed alone, as `src/<name>.rs`.
//! - `examples/rust/<name>/...` is analysed as a small repository rooted at `<name>/` (so it can
//!   hold a `Cargo.toml`, `src/` and `tests/`).
//!
//! - `examples/rust/<name>/.github/failmode.toml`, when present, is the example's config.
//!
//! A marker `//~ missing-retry` at the end of a line means "a `missing-retry` finding is anchored
//! on this line"; `//~ missing-retry:high` also asserts the severity. The checks compared are the
//! example's own check plus any check named in its markers; a file without markers must produce
//! no finding of those checks.

use super::check::{Check, CheckSet};
use super::finding::Severity;
use super::source::SourceInput;
use super::{analyze, AnalysisOptions};
use crate::config::Config;
use std::collections::{BTreeMap, BTreeSet};

/// One example repository: its name and its files (repository-relative path → contents).
#[derive(Debug, Clone)]
pub struct Example {
    /// `rust/<name>` — the language and the example's name.
    pub name: String,
    /// The files, with paths relative to the example's root.
    pub files: Vec<SourceInput>,
}

/// Groups a check's example files into example repositories.
pub fn examples_of(check: &Check) -> Vec<Example> {
    let mut groups: BTreeMap<String, Vec<SourceInput>> = BTreeMap::new();
    for (path, text) in &check.examples {
        let Some(rest) = path.strip_prefix("examples/") else {
            continue;
        };
        let Some((lang, rest)) = rest.split_once('/') else {
            continue;
        };
        let (name, rel) = match rest.split_once('/') {
            Some((dir, rel)) => (format!("{lang}/{dir}"), rel.to_string()),
            None => (
                format!("{lang}/{}", rest.trim_end_matches(".rs")),
                format!("src/{rest}"),
            ),
        };
        groups
            .entry(name)
            .or_default()
            .push(SourceInput::new(rel, text.as_bytes().to_vec()));
    }
    groups
        .into_iter()
        .map(|(name, files)| Example { name, files })
        .collect()
}

/// Expected findings from the markers: (path, line, check) → optional severity.
pub fn expected_markers(example: &Example) -> BTreeMap<(String, usize, String), Option<Severity>> {
    let mut out = BTreeMap::new();
    for f in &example.files {
        // Examples are held in memory: reading them cannot fail.
        let Ok(bytes) = f.bytes() else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("//~") else { continue };
            for token in line[at + 3..].split_whitespace() {
                let (id, sev) = match token.split_once(':') {
                    Some((id, s)) => (id, s.parse::<Severity>().ok()),
                    None => (token, None),
                };
                out.insert((f.path.clone(), i + 1, id.to_string()), sev);
            }
        }
    }
    out
}

/// Runs one example of `check`; `Err` lists every missing, unexpected or mis-rated finding.
pub fn run_example(set: &CheckSet, check: &Check, example: &Example) -> Result<(), String> {
    let expected = expected_markers(example);
    let mut compared: BTreeSet<String> = expected.keys().map(|(_, _, c)| c.clone()).collect();
    compared.insert(check.id.clone());
    // An example can tune the checks as a repository would, in its own config file.
    let mut config = match example
        .files
        .iter()
        .find(|f| f.path.ends_with(crate::config::CONFIG_PATH))
    {
        Some(f) => {
            let bytes = f
                .bytes()
                .map_err(|e| format!("{} example {}: {e}", check.id, example.name))?;
            Config::parse(&String::from_utf8_lossy(&bytes), &f.path, &set.ids())
                .map_err(|e| format!("{} example {}: {e}", check.id, example.name))?
        }
        None => Config::default(),
    };
    // The checks an example is about run whether or not they are on by default (a check that
    // ships off still shows what it finds), unless the example's config turns one off.
    for id in &compared {
        config
            .checks
            .entry(id.clone())
            .or_default()
            .enabled
            .get_or_insert(true);
    }
    let analysis = analyze(&example.files, &config, set, &AnalysisOptions::default());
    let mut problems = Vec::new();
    let mut actual = BTreeMap::new();
    for f in analysis
        .findings
        .iter()
        .filter(|f| compared.contains(&f.check))
    {
        actual.insert((f.path.clone(), f.span.start_line, f.check.clone()), f);
    }
    for (key, sev) in &expected {
        match actual.get(key) {
            None => problems.push(format!("  missing   {}:{} {}", key.0, key.1, key.2)),
            Some(f) => {
                if let Some(s) = sev {
                    if f.severity != *s {
                        problems.push(format!(
                            "  severity  {}:{} {}: expected {s}, got {}",
                            key.0, key.1, key.2, f.severity
                        ));
                    }
                }
            }
        }
    }
    for (key, f) in &actual {
        if !expected.contains_key(key) {
            problems.push(format!(
                "  unexpected {}:{} {} [{}]: {}",
                key.0, key.1, key.2, f.rule, f.message
            ));
        }
    }
    for s in &analysis.skipped {
        problems.push(format!("  skipped   {}: {}", s.path, s.reason));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} example {}:\n{}",
            check.id,
            example.name,
            problems.join("\n")
        ))
    }
}
