//! Whole-repository facts for cross-file checks, built once per analysis run from every parsed
//! file (including tests) and every `Cargo.toml`: which crates depend on what, which clients are
//! built with retry middleware, which handlers exist and which tests reach them.

use super::effects::EffectModel;
use super::filters::{handlers::HandlerFacts, retry::RetryFacts};
use super::language::{self, Language};
use super::source::{ParsedFile, SourceInput};
use super::syntax::NodeList;
use super::walk_plan::WalkPlan;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The node kinds the fact collectors find in a file's [`NodeList`]: each gets a position list,
/// and no subtree that could hold one is left unwalked.
pub fn listed_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = [
        RetryFacts::LISTED_KINDS,
        EffectModel::LISTED_KINDS,
        HandlerFacts::LISTED_KINDS,
        super::syntax::TEST_ITEM_KINDS,
    ]
    .concat();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The walk plan for collecting index facts alone from files of `language` (the engine adds
/// the rules' pattern roots to it, see [`CheckSet`](super::check::CheckSet)).
pub fn walk_plan(language: &'static Language) -> &'static WalkPlan {
    static PLANS: OnceLock<Vec<WalkPlan>> = OnceLock::new();
    let plans = PLANS.get_or_init(|| {
        let kinds = listed_kinds();
        language::LANGUAGES
            .iter()
            .map(|l| WalkPlan::new(l, &kinds, &[]))
            .collect()
    });
    &plans[language_at(language)]
}

/// The walk plan that lists every node of a tree, token trees' insides included, for files of
/// `language` (what a tree cursor would visit).
pub fn complete_walk_plan(language: &'static Language) -> &'static WalkPlan {
    static PLANS: OnceLock<Vec<WalkPlan>> = OnceLock::new();
    let plans = PLANS.get_or_init(|| language::LANGUAGES.iter().map(WalkPlan::complete).collect());
    &plans[language_at(language)]
}

/// Where `language` is in the registry (by identity, then by name).
fn language_at(language: &'static Language) -> usize {
    language::LANGUAGES
        .iter()
        .position(|l| std::ptr::eq(l, language))
        .or_else(|| {
            language::LANGUAGES
                .iter()
                .position(|l| l.name == language.name)
        })
        .unwrap_or(0)
}

/// One crate's manifest: where it lives and what it depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrateManifest {
    /// Directory of the `Cargo.toml`, relative to the root (`""` for the root itself).
    pub dir: String,
    /// Names of all dependencies (normal, dev and build), as written in the manifest, and each
    /// feature the manifest turns on as `crate/feature` (`sqlx/sqlite`).
    pub dependencies: BTreeSet<String>,
    /// The name other crates' code uses for this one: `[package] name` with `-` as `_`
    /// (`use my_router::upload;` for `name = "my-router"`); `None` for a virtual workspace.
    pub crate_name: Option<String>,
}

/// All manifests found in the inputs.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    /// The manifests, in no particular order.
    pub crates: Vec<CrateManifest>,
}

impl Manifests {
    /// Reads a `Cargo.toml` (tolerating broken ones: they just contribute nothing).
    pub fn add(&mut self, input: &SourceInput) {
        let dir = input
            .path
            .strip_suffix("Cargo.toml")
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        // An unreadable manifest contributes nothing, as a broken one does.
        let Ok(bytes) = input.bytes() else {
            return;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return;
        };
        let Ok(value) = text.parse::<toml::Table>() else {
            return;
        };
        let mut deps = BTreeSet::new();
        let mut tables = Vec::new();
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            tables.push(value.get(key));
            if let Some(ws) = value.get("workspace") {
                tables.push(ws.get(key));
            }
        }
        if let Some(targets) = value.get("target").and_then(|t| t.as_table()) {
            for t in targets.values() {
                for key in ["dependencies", "dev-dependencies"] {
                    tables.push(t.get(key));
                }
            }
        }
        for t in tables.into_iter().flatten() {
            if let Some(t) = t.as_table() {
                for (name, spec) in t {
                    deps.insert(name.clone());
                    let package = spec.get("package").and_then(|p| p.as_str());
                    if let Some(pkg) = package {
                        deps.insert(pkg.to_string());
                    }
                    let features = spec.get("features").and_then(|f| f.as_array());
                    for feature in features.into_iter().flatten().filter_map(|f| f.as_str()) {
                        deps.insert(format!("{}/{feature}", package.unwrap_or(name)));
                    }
                }
            }
        }
        let crate_name = value
            .get("lib")
            .and_then(|l| l.get("name"))
            .or_else(|| value.get("package").and_then(|p| p.get("name")))
            .and_then(|n| n.as_str())
            .map(|n| n.replace('-', "_"));
        self.crates.push(CrateManifest {
            dir,
            dependencies: deps,
            crate_name,
        });
    }

    /// The manifest of the crate a file belongs to (the nearest enclosing `Cargo.toml`).
    pub fn crate_of(&self, path: &str) -> Option<&CrateManifest> {
        self.crates
            .iter()
            .filter(|c| {
                c.dir.is_empty()
                    || path
                        .strip_prefix(c.dir.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|c| c.dir.len())
    }

    /// Whether the crate of `path`, or any crate in the repository when none encloses it,
    /// depends on `dependency`.
    pub fn depends_on(&self, path: &str, dependency: &str) -> bool {
        match self.crate_of(path) {
            Some(c) => c.dependencies.contains(dependency) || self.workspace_root_has(dependency),
            None => self
                .crates
                .iter()
                .any(|c| c.dependencies.contains(dependency)),
        }
    }

    /// Whether `segment`, the first segment of a path in the code of `path`
    /// (`rusqlite` in `rusqlite::Connection::open(..)`), names a crate from outside the
    /// workspace: the standard library, or a dependency of the file's crate that no crate of
    /// the workspace is. A function reached through it is never one of the workspace's own.
    pub fn is_external_crate(&self, path: &str, segment: &str) -> bool {
        if matches!(segment, "std" | "core" | "alloc") {
            return true;
        }
        let dashed = segment.replace('_', "-");
        (self.depends_on(path, segment) || self.depends_on(path, &dashed))
            && !self
                .crates
                .iter()
                .any(|c| c.crate_name.as_deref() == Some(segment))
    }

    /// Whether a call of the path `function` (`rusqlite::Connection::open`) in the code of
    /// `path` goes into a crate from outside the workspace ([`Manifests::is_external_crate`] on
    /// its first segment). A plain name (`open`) could be the workspace's own.
    pub fn calls_external_crate(&self, path: &str, function: &str) -> bool {
        let mut segments = function.split("::").map(str::trim);
        match (segments.next(), segments.next()) {
            (Some(first), Some(_)) => self.is_external_crate(path, first),
            _ => false,
        }
    }

    fn workspace_root_has(&self, dependency: &str) -> bool {
        self.crates
            .iter()
            .any(|c| c.dir.is_empty() && c.dependencies.contains(dependency))
    }

    /// The crate directory of `path` (`""` when it is the root crate or none is known).
    pub fn crate_dir(&self, path: &str) -> String {
        self.crate_of(path)
            .map(|c| c.dir.clone())
            .unwrap_or_default()
    }
}

/// The repository-wide facts. Each topic's facts are owned by its filter module.
#[derive(Debug, Default)]
pub struct RepoIndex {
    /// Cargo manifests.
    pub manifests: Manifests,
    /// Retry facts (retry-configured clients, retry helpers).
    pub retry: RetryFacts,
    /// The effect model: what every workspace function does, propagated over the call graph.
    pub effects: EffectModel,
    /// Handler and test facts (routes, test requests and calls).
    pub handlers: HandlerFacts,
}

impl RepoIndex {
    /// Collects the facts of one parsed file into a fresh index part.
    pub fn collect(file: &ParsedFile, manifests: &Manifests) -> RepoIndex {
        let nodes = NodeList::new(file.tree.root_node(), walk_plan(file.language));
        RepoIndex::collect_from(file, manifests, &nodes)
    }

    /// [`RepoIndex::collect`] on a node list of `file` already made (the engine's pattern
    /// matcher shares it, so each tree is walked once).
    pub fn collect_from(
        file: &ParsedFile,
        manifests: &Manifests,
        nodes: &NodeList<'_>,
    ) -> RepoIndex {
        // Test code is asked about throughout; the list has what finding it needs.
        file.test_ranges_or(|| nodes.test_ranges(file));
        file.inline_modules_or(|| nodes.inline_modules(file));
        let mut part = RepoIndex::default();
        part.retry.collect(file, manifests, nodes);
        part.effects.collect(file, manifests, nodes);
        part.handlers.collect(file, manifests, nodes);
        part
    }

    /// Merges another part (from another file) into this one.
    pub fn merge(&mut self, other: RepoIndex) {
        self.retry.merge(other.retry);
        self.effects.merge(other.effects);
        self.handlers.merge(other.handlers);
    }

    /// Called once after all files are merged, so facts that need the whole picture (e.g.
    /// following test helpers, propagating effects over the call graph) can be resolved.
    pub fn finish(&mut self) {
        // The topics finish independently; this step runs while every other thread waits.
        let RepoIndex {
            retry,
            effects,
            handlers,
            ..
        } = self;
        rayon::join(
            || retry.finish(),
            || {
                effects.finish();
                handlers.finish();
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_resolve_nearest_crate() {
        let mut m = Manifests::default();
        m.add(&SourceInput::new(
            "Cargo.toml",
            b"[workspace]\nmembers=[\"svc\"]\n[workspace.dependencies]\ntokio = \"1\"\n".to_vec(),
        ));
        m.add(&SourceInput::new("svc/Cargo.toml", b"[package]\nname='svc-api'\n[dependencies]\nreqwest-retry = \"0.7\"\nhttp = { package = \"reqwest-middleware\", version = \"0.4\" }\n".to_vec()));
        m.add(&SourceInput::new("broken/Cargo.toml", b"[[[".to_vec()));
        assert_eq!(m.crate_dir("svc/src/main.rs"), "svc");
        assert!(m.depends_on("svc/src/main.rs", "reqwest-retry"));
        assert!(m.depends_on("svc/src/main.rs", "reqwest-middleware"));
        assert!(m.depends_on("svc/src/main.rs", "tokio"));
        assert!(!m.depends_on("src/lib.rs", "reqwest-retry"));
        let name = |p: &str| m.crate_of(p).and_then(|c| c.crate_name.clone());
        assert_eq!(name("svc/src/main.rs").as_deref(), Some("svc_api"));
        assert_eq!(
            name("src/lib.rs"),
            None,
            "a virtual workspace has no crate name"
        );
    }
}
