//! Filters for the `retry` topic (the `missing-retry` check), and the repository facts they need.
//!
//! The check's rules match the shapes where a failed call is *noticed and then dropped* (an
//! `if let Err(e) = call { warn!(..) }`, a `match` whose `Err` arm logs and carries on, a
//! `.inspect_err(log).ok();`) and the shapes where a `?` sends the error nowhere (a spawned task
//! nobody awaits, a GitHub webhook handler). The filters here decide, on each match:
//!
//! - [`transient_call`]: is the call a dependency that fails transiently (HTTP, AWS, DB, broker,
//!   SMTP, GitHub, gRPC, or a same-crate fn that makes such a call)? Sets `effect`, `service`,
//!   `what` and `severity`.
//! - [`retry_covered`]: does a retry already cover it (a wrapper or loop around it, a same-crate
//!   retry helper, a client built with retry middleware anywhere in the crate, AWS SDK defaults)?
//! - [`logged_and_dropped`] / [`discarded_with_log`] / [`propagates_nowhere`]: is the error noticed
//!   and then dropped (silent drops belong to `swallowed-error`: docs/checks/missing-retry.md)?
//! - [`nobody_retries`]: would anything upstream try again (a periodic loop's next tick, a
//!   requeue, a deliberate fan-out)? Sets `how` and `consequence` for the message.
//!
//! The lists of names the filters read (HTTP verbs, service receivers, log macros, ...) live in
//! the check's `[data]` table under the names in [`REQUIRED_LISTS`].

use super::loops;
use super::statements::{self, StatementSigns};
use super::{ArgKind, FilterArg, FilterDef, Gate, MatchCtx};
use crate::analysis::check::CheckData;
use crate::analysis::effects::DATABASE_SERVICE;
use crate::analysis::effects::{CalleeName, EffectModel, FnSummary};
use crate::analysis::index::{Manifests, RepoIndex};
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt, NodeList};
use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tree_sitter::Node;

/// The `[data]` lists the filters of this module read by name. A check using these filters must
/// define all of them (a unit test holds the embedded `missing-retry` check to this).
pub const REQUIRED_LISTS: &[&str] = &[
    "http_verbs",
    "db_methods",
    "service_receivers",
    "service_methods",
    "not_transient_receivers",
    "non_io_methods",
    "passthrough_methods",
    "read_prefixes",
    "retry_wrappers",
    "log_macros",
    "consume_methods",
    "requeue_words",
    "fanout_words",
    "github_webhook_markers",
    "url_services",
    "role_names",
    "reply_channel_words",
    "value_macros",
    "wait_calls",
    "timer_calls",
];

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "transient_call",
        args: &[ArgKind::Capture],
        sets: &["effect", "service", "what", "severity", "aws", "through_workspace_fn"],
        doc: "the expression calls a dependency that fails transiently (HTTP, AWS, DB, broker, mail, GitHub, gRPC, or a workspace fn that does, at any depth, per the effect model)",
        eval: transient_call,
        gate: Some(&TRANSIENT_CALL_GATE),
    },
    FilterDef {
        name: "retry_covered",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "a retry covers the call: a retry wrapper, helper or loop around it, a client built with retry middleware in the crate, or AWS SDK default retries",
        eval: retry_covered,
        gate: None,
    },
    FilterDef {
        name: "logged_and_dropped",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the `if let Err` / `match` statement's Err branch logs the error and then carries on (no return of an error, no requeue, no fallback value for reads)",
        eval: logged_and_dropped,
        gate: Some(&LOGGED_AND_DROPPED_GATE),
    },
    FilterDef {
        name: "discarded_with_log",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the call chain logs the error in a closure (`inspect_err`, `map_err`, `unwrap_or_else`) and then discards it",
        eval: discarded_with_log,
        gate: None,
    },
    FilterDef {
        name: "propagates_nowhere",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the statement's `?` sends the error to a spawned task's dropped JoinHandle, or back to GitHub from a webhook handler (GitHub does not redeliver)",
        eval: propagates_nowhere,
        gate: Some(&PROPAGATES_NOWHERE_GATE),
    },
    FilterDef {
        name: "error_dropped_upstream",
        args: &[ArgKind::Capture],
        sets: &["dropped_at"],
        doc: "the statement's `?` passes the error to the enclosing fn, and the effect model sees every workspace caller of it log and drop that error itself (reported at this level only, not in the helpers below it)",
        eval: error_dropped_upstream,
        gate: Some(&ERROR_DROPPED_UPSTREAM_GATE),
    },
    FilterDef {
        name: "in_periodic_work",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the node runs as periodic work: inside a loop of its function paced by a timer (`.tick()`, `sleep(..)`, an interval), or in a function a scheduler or such a loop calls, up to two calls away (the effect model's periodic work); its next round runs it again",
        eval: in_periodic_work,
        gate: None,
    },
    FilterDef {
        name: "nobody_retries",
        args: &[ArgKind::Capture],
        sets: &["how", "consequence"],
        doc: "nothing upstream retries the dropped work (not a periodic loop whose next tick retries, no requeue, not a deliberate fan-out); sets the message's consequence",
        eval: nobody_retries,
        gate: None,
    },
];

/// Types and calls that configure retries on a client when it is built (reqwest-retry
/// middleware, tower retry layers, reqwest's own retry policies). A binding whose initialiser
/// mentions one of these is a retrying client.
const CLIENT_RETRY_MARKERS: &[&str] = &[
    "RetryTransientMiddleware",
    "RetryLayer",
    "tower::retry",
    "retry::Retry::new",
    "Retry::new(",
    "reqwest::retry::",
    "retry::for_host",
    "RetryPolicy",
];

/// Repository-wide facts for this topic, collected from every parsed file.
#[derive(Debug, Default)]
pub struct RetryFacts {
    /// (crate dir, name) of bindings, fields and statics initialised with retry configuration,
    /// plus (after [`RetryFacts::finish`]) everything that resolves to one.
    retry_names: BTreeSet<(String, String)>,
    /// (crate dir, fn name) → names of the types it returns, for fns that build a retrying client.
    retry_client_fns: BTreeMap<(String, String), Vec<String>>,
    /// Names with the identifiers in their initialiser (`let http = build_client();`,
    /// `Client::new(channel)`), resolved against the retry names in `finish`.
    bindings: Vec<NameIdents>,
    /// (crate dir, field or parameter name, type identifiers).
    typed_names: Vec<NameIdents>,
    /// (crate dir, type name) of types that are retrying clients (resolved in `finish`).
    retry_types: BTreeSet<(String, String)>,
    /// Crate dirs that turn off the retries of the vocabulary's `default_retry_client_types`
    /// (a `default_retry_off_markers` entry appears in their code).
    default_retry_off: BTreeSet<String>,
    /// Crate dirs in which `RetryTransientMiddleware` appears (any `ClientWithMiddleware` there is
    /// taken to carry it).
    middleware_crates: BTreeSet<String>,
    /// (crate dir, fn name) of same-crate retry helpers: named like a retry, or looping with a
    /// sleep around a closure they take.
    retry_helpers: BTreeSet<(String, String)>,
    /// Crate dirs whose code names an SDK whose fluent operations retry by default (the
    /// vocabulary's `default_retry_sdks`: the AWS SDK).
    sdk_crates: BTreeSet<String>,
    /// Crate dirs that turn those default retries off (a `default_retry_sdk_off_markers`
    /// entry: `RetryConfig::disabled()`, `with_max_attempts(1)`).
    sdk_retry_disabled: BTreeSet<String>,
    /// (crate dir, variable or field name) → service, for names whose type (or constructor) is a
    /// `<Service>Client` (tonic and hand-written API clients): `ledger: LedgerClient<Channel>`.
    client_names: BTreeMap<(String, String), String>,
    /// File path → the identifiers it imports from client crates, with their service
    /// (`use hubcaps::pulls::PullRequest;`), for the files that name a client crate at all.
    client_imports: BTreeMap<String, Vec<(String, String)>>,
}

/// A name (binding, field or parameter) in a crate, with the identifiers that tell what it
/// holds (its initialiser's, or its type's), kept in one string: the name, then each
/// identifier, separated by NUL (which analysed text never contains). The index holds one per
/// binding and typed name of the repository, hundreds of thousands on a large tree; one
/// allocation each, instead of one per identifier and a copy of the crate directory, makes
/// collecting, merging and freeing them several times cheaper.
#[derive(Debug, Clone)]
struct NameIdents {
    krate: Arc<str>,
    text: String,
}

impl NameIdents {
    /// `None` when there are no identifiers (such a name can never resolve to anything).
    fn new<'a>(
        krate: &Arc<str>,
        name: &str,
        idents: impl IntoIterator<Item = &'a str>,
    ) -> Option<NameIdents> {
        let mut text = String::from(name);
        let mut any = false;
        for ident in idents {
            text.push('\0');
            text.push_str(ident);
            any = true;
        }
        any.then(|| NameIdents {
            krate: Arc::clone(krate),
            text,
        })
    }

    fn name(&self) -> &str {
        self.text.split('\0').next().unwrap_or("")
    }

    fn idents(&self) -> impl Iterator<Item = &str> {
        self.text.split('\0').skip(1)
    }
}

/// A method chain reduced to what classification needs: the root receiver's text, the method
/// names (innermost first) and their argument texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// The root receiver (`state.http`, `sqlx::query`, `self`).
    pub root: String,
    /// (method or function name, argument count, argument text) innermost first.
    pub calls: Vec<(String, usize, String)>,
    /// Whether the chain is awaited.
    pub awaited: bool,
}

impl RetryFacts {
    /// The node kinds [`RetryFacts::collect`] finds in a [`NodeList`].
    pub const LISTED_KINDS: &'static [&'static str] = &[
        "function_item",
        "field_declaration",
        "let_declaration",
        "field_initializer",
        "static_item",
        "const_item",
        "assignment_expression",
        "parameter",
        "where_clause",
        "loop_expression",
        "for_expression",
        "while_expression",
        "call_expression",
        "await_expression",
    ];

    /// Collects facts from one file.
    pub fn collect(&mut self, file: &ParsedFile, manifests: &Manifests, nodes: &NodeList<'_>) {
        let krate = manifests.crate_dir(&file.path);
        let shared_krate: Arc<str> = Arc::from(krate.as_str());
        let text = &file.text;
        let defaults = default_retry_lists();
        if defaults.sdks.iter().any(|m| text.contains(m.as_str())) {
            self.sdk_crates.insert(krate.clone());
        }
        if defaults.sdks_off.iter().any(|m| text.contains(m.as_str())) {
            self.sdk_retry_disabled.insert(krate.clone());
        }
        if defaults
            .clients_off
            .iter()
            .any(|m| text.contains(m.as_str()))
        {
            self.default_retry_off.insert(krate.clone());
        }
        if text.contains("RetryTransientMiddleware") {
            self.middleware_crates.insert(krate.clone());
        }
        // Where the markers are in the file, by start: whether a node's text holds one is then
        // a binary search, not a scan of its text (nested `let`s and assignments would make
        // scanning each one's text quadratic in how deep a PR nests them).
        let mut markers: Vec<(usize, usize)> = CLIENT_RETRY_MARKERS
            .iter()
            .flat_map(|m| text.match_indices(m).map(|(at, m)| (at, at + m.len())))
            .collect();
        markers.sort_unstable();
        let has_marker = |n: Node<'_>| {
            let range = n.byte_range();
            let first = markers.partition_point(|&(start, _)| start < range.start);
            markers[first..]
                .iter()
                .take_while(|&&(start, _)| start < range.end)
                .any(|&(_, end)| end <= range.end)
        };
        let name_of = |n: Node<'_>| file.node_text(n).to_string();
        let (names_client_crate, imports) = client_crate_imports(text);
        // A field whose type comes from a client crate (`github: hubcaps::Github`) talks to that
        // crate's service (parameters and `let`s are read where they are used:
        // [`local_client_service`]).
        let mut client_fields = Vec::new();
        let mut typed_client = |name: &str, ty: Node<'_>| {
            if !names_client_crate {
                return;
            }
            let service = client_type_crate_service(file, ty, &imports);
            if let Some(service) = service {
                client_fields.push((krate.clone(), name.to_string(), service));
            }
        };
        for node in nodes.of_kinds(&[
            "function_item",
            "field_declaration",
            "let_declaration",
            "field_initializer",
            "static_item",
            "const_item",
            "assignment_expression",
        ]) {
            match node.kind_name() {
                "function_item" => {
                    if syntax::is_in_test_code(file, node) {
                        continue;
                    }
                    let (Some(name), Some(body)) = (node.field("name"), node.field("body")) else {
                        continue;
                    };
                    let name = name_of(name);
                    if has_marker(body) {
                        let types = node
                            .field("return_type")
                            .map(|t| {
                                type_idents(file, nodes, t)
                                    .into_iter()
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        self.retry_client_fns
                            .insert((krate.clone(), name.clone()), types);
                    }
                    if is_retry_helper(file, nodes, node, &name) {
                        self.retry_helpers.insert((krate.clone(), name.clone()));
                        continue;
                    }
                    if let Some(params) = node.field("parameters") {
                        for p in nodes.of_kind_in("parameter", params) {
                            if let (Some(pat), Some(ty)) = (p.field("pattern"), p.field("type")) {
                                if pat.kind_name() == "identifier" {
                                    self.typed_names.extend(NameIdents::new(
                                        &shared_krate,
                                        file.node_text(pat),
                                        type_idents(file, nodes, ty),
                                    ));
                                }
                            }
                        }
                    }
                }
                "field_declaration" => {
                    if let (Some(n), Some(t)) = (node.field("name"), node.field("type")) {
                        typed_client(file.node_text(n), t);
                        self.typed_names.extend(NameIdents::new(
                            &shared_krate,
                            file.node_text(n),
                            type_idents(file, nodes, t),
                        ));
                    }
                }
                "let_declaration"
                | "field_initializer"
                | "static_item"
                | "const_item"
                | "assignment_expression" => {
                    let (target, value) = match node.kind_name() {
                        "let_declaration" => (node.field("pattern"), node.field("value")),
                        "field_initializer" => (node.field("field"), node.field("value")),
                        "assignment_expression" => (node.field("left"), node.field("right")),
                        _ => (node.field("name"), node.field("value")),
                    };
                    let (Some(target), Some(value)) = (target, value) else {
                        continue;
                    };
                    let target = match target.kind_name() {
                        "identifier" | "field_identifier" => name_of(target),
                        "field_expression" => match target.field("field") {
                            Some(f) => name_of(f),
                            None => continue,
                        },
                        _ => continue,
                    };
                    if node.kind_name() == "let_declaration" {
                        if let Some(t) = node.field("type") {
                            self.typed_names.extend(NameIdents::new(
                                &shared_krate,
                                &target,
                                type_idents(file, nodes, t),
                            ));
                        }
                    }
                    let value_text = file.node_text(value);
                    if has_marker(value) {
                        self.retry_names.insert((krate.clone(), target));
                    } else if value_text.len() <= 600 {
                        // Identifiers inside macro token trees count too (`vec![client]`).
                        let idents = nodes
                            .subtree_all(value)
                            .filter(|(k, _)| {
                                matches!(*k, "identifier" | "type_identifier" | "field_identifier")
                            })
                            .map(|(_, d)| d)
                            .filter(|d| !is_associated_fn_name(file, nodes, *d))
                            .map(|d| file.node_text(d))
                            .take(24);
                        self.bindings
                            .extend(NameIdents::new(&shared_krate, &target, idents));
                    }
                }
                "shorthand_field_initializer" => {}
                _ => {}
            }
        }
        for (krate, name, service) in client_fields {
            self.client_names.insert((krate, name), service);
        }
        if names_client_crate {
            self.client_imports.insert(file.path.clone(), imports);
        }
    }

    /// Merges facts collected from other files.
    pub fn merge(&mut self, other: Self) {
        self.retry_names.extend(other.retry_names);
        self.retry_client_fns.extend(other.retry_client_fns);
        self.bindings.extend(other.bindings);
        self.typed_names.extend(other.typed_names);
        self.retry_types.extend(other.retry_types);
        self.middleware_crates.extend(other.middleware_crates);
        self.retry_helpers.extend(other.retry_helpers);
        self.sdk_crates.extend(other.sdk_crates);
        self.sdk_retry_disabled.extend(other.sdk_retry_disabled);
        self.default_retry_off.extend(other.default_retry_off);
        self.client_names.extend(other.client_names);
        self.client_imports.extend(other.client_imports);
    }

    /// Resolves which names hold retrying clients: bindings to a retry-configured value, to a
    /// call of a fn that builds one, to another retrying name, and fields or parameters whose
    /// type such a fn returns (or `ClientWithMiddleware` in a crate that adds
    /// `RetryTransientMiddleware`).
    pub fn finish(&mut self) {
        for ((krate, _), types) in &self.retry_client_fns {
            for t in types {
                self.retry_types.insert((krate.clone(), t.clone()));
            }
        }
        for krate in &self.middleware_crates {
            self.retry_types
                .insert((krate.clone(), "ClientWithMiddleware".to_string()));
        }
        // Borrowed views of the sets, so the loops below look names up without allocating.
        let retry_types: FxHashSet<(&str, &str)> = self.retry_types.iter().map(str_pair).collect();
        let client_fns: FxHashSet<(&str, &str)> =
            self.retry_client_fns.keys().map(str_pair).collect();
        // A client type that retries by default, in a crate that leaves the default on.
        let default_types = &default_retry_lists().client_types;
        let off = &self.default_retry_off;
        let retries_by_default =
            |krate: &str, t: &str| default_types.iter().any(|d| d == t) && !off.contains(krate);
        let mut names: FxHashSet<(&str, &str)> = self.retry_names.iter().map(str_pair).collect();
        let mut added: Vec<(&str, &str)> = Vec::new();
        for typed in &self.typed_names {
            let (krate, name) = (&*typed.krate, typed.name());
            if typed
                .idents()
                .any(|t| retry_types.contains(&(krate, t)) || retries_by_default(krate, t))
                && names.insert((krate, name))
            {
                added.push((krate, name));
            }
        }
        for named in self.typed_names.iter().chain(self.bindings.iter()) {
            if let Some(service) = named.idents().find_map(client_type_service) {
                self.client_names
                    .insert((named.krate.to_string(), named.name().to_string()), service);
            }
        }
        // Fixpoint over bindings: `let http = build();`, `AppState { http: client }`,
        // `Client::new(channel)`. Bounded: each round adds at least one name or stops.
        for _ in 0..self.bindings.len().min(64) + 1 {
            let mut grew = false;
            for binding in &self.bindings {
                let (krate, name) = (&*binding.krate, binding.name());
                if names.contains(&(krate, name)) {
                    continue;
                }
                let resolves = binding.idents().any(|i| {
                    let k = (krate, i);
                    names.contains(&k) || client_fns.contains(&k) || retries_by_default(krate, i)
                });
                if resolves {
                    names.insert((krate, name));
                    added.push((krate, name));
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        for (krate, name) in added {
            self.retry_names
                .insert((krate.to_string(), name.to_string()));
        }
        self.bindings = Vec::new();
        self.typed_names = Vec::new();
    }

    /// Whether `name` (a variable, field or static) holds a client built with retries in `krate`.
    pub fn is_retrying_client(&self, krate: &str, name: &str) -> bool {
        self.retry_names
            .contains(&(krate.to_string(), name.to_string()))
            || self
                .retry_client_fns
                .contains_key(&(krate.to_string(), name.to_string()))
    }

    /// Whether `name` is a same-crate retry helper in `krate`.
    pub fn is_retry_helper(&self, krate: &str, name: &str) -> bool {
        self.retry_helpers
            .contains(&(krate.to_string(), name.to_string()))
    }
}

/// A pair of strings, borrowed.
fn str_pair((a, b): &(String, String)) -> (&str, &str) {
    (a, b)
}

/// Whether `d` is the fn name in `Type::name` (`LedgerClient::connect`): a constructor of that type,
/// not a same-crate free fn of the same name.
fn is_associated_fn_name<'t>(file: &ParsedFile, nodes: &NodeList<'t>, d: Node<'t>) -> bool {
    let Some(p) = nodes.parent(d) else {
        return false;
    };
    p.kind_name() == "scoped_identifier"
        && p.field("name").is_some_and(|n| n.id() == d.id())
        && p.field("path").is_some_and(|path| {
            let last = file.node_text(path).rsplit("::").next().unwrap_or("");
            last.starts_with(|c: char| c.is_ascii_uppercase())
        })
}

/// The vocabulary's lists of what retries by default (`checks/vocabulary/rust.toml`).
#[derive(Default)]
struct DefaultRetries {
    /// `default_retry_client_types`: client types that retry by default.
    client_types: Vec<String>,
    /// `default_retry_off_markers`: text that turns those clients' retries off in a crate.
    clients_off: Vec<String>,
    /// `default_retry_sdks`: SDKs whose fluent operations retry by default, as their crates'
    /// paths in code (or prefixes of them).
    sdks: Vec<String>,
    /// `default_retry_sdk_off_markers`: text that turns those SDKs' retries off in a crate.
    sdks_off: Vec<String>,
}

/// The [`DefaultRetries`] lists, read once (empty when the embedded checks failed to load).
fn default_retry_lists() -> &'static DefaultRetries {
    static LISTS: std::sync::OnceLock<DefaultRetries> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| match Lists::embedded() {
        Some(lists) => DefaultRetries {
            client_types: lists.list("default_retry_client_types").to_vec(),
            clients_off: lists.list("default_retry_off_markers").to_vec(),
            sdks: lists.list("default_retry_sdks").to_vec(),
            sdks_off: lists.list("default_retry_sdk_off_markers").to_vec(),
        },
        None => DefaultRetries::default(),
    })
}

/// The pattern of [`client_crate_pattern`], with each crate's (path, service).
type ClientCratePattern = (regex::Regex, Vec<(String, String)>);

/// A pattern over the vocabulary's `client_crates` (`crate=Service`): group 2 is a crate's path
/// in code followed by `::`, group 1 is set when it opens a `use` item. Built once from the
/// embedded vocabulary; one pass over a file finds every mention of every client crate.
fn client_crate_pattern() -> Option<&'static ClientCratePattern> {
    static PATTERN: std::sync::OnceLock<Option<ClientCratePattern>> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| {
            let lists = Lists::embedded()?;
            let crates: Vec<(String, String)> = lists
                .list("client_crates")
                .iter()
                .map(|e| {
                    let (k, s) = e.split_once('=').unwrap_or((e, e));
                    (k.to_string(), s.to_string())
                })
                .collect();
            if crates.is_empty() {
                return None;
            }
            let names: Vec<String> = crates.iter().map(|(k, _)| regex::escape(k)).collect();
            let re = regex::Regex::new(&format!(r"(\buse\s+)?\b({})::", names.join("|"))).ok()?;
            Some((re, crates))
        })
        .as_ref()
}

/// What a file says of client crates: whether it names one at all (`hubcaps::..`), and the
/// identifiers it imports from them with their service (`use hubcaps::pulls::{PullRequest, ..};`).
fn client_crate_imports(text: &str) -> (bool, Vec<(String, String)>) {
    static IDENT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let (Some(ident), Some((pattern, crates))) = (
        IDENT
            .get_or_init(|| regex::Regex::new(r"\b[A-Z][A-Za-z0-9_]*\b").ok())
            .as_ref(),
        client_crate_pattern(),
    ) else {
        return (false, Vec::new());
    };
    // A file imports from a crate in a few `use` items of a few names each: past these bounds
    // a PR's 100,000 `use` lines are not read (a client is then missed, never made up).
    const MAX_USES: usize = 32;
    const MAX_USE_BYTES: usize = 2000;
    let mut mentions = false;
    let mut uses = 0;
    let mut out = Vec::new();
    for c in pattern.captures_iter(text) {
        mentions = true;
        let (Some(whole), Some(_), Some(krate)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        uses += 1;
        if uses > MAX_USES {
            break;
        }
        let Some((_, service)) = crates.iter().find(|(k, _)| k == krate.as_str()) else {
            continue;
        };
        let rest = &text[whole.start()..];
        let mut end = rest.len().min(MAX_USE_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let item = &rest[..end];
        let item = &item[..item.find(';').unwrap_or(item.len())];
        for m in ident.find_iter(item) {
            out.push((m.as_str().to_string(), service.clone()));
        }
    }
    (mentions, out)
}

/// The service of a type that comes from a client crate: written with the crate's path
/// (`hubcaps::repositories::Repository`, found by [`client_crate_pattern`]) or imported from
/// it (`imports`).
fn client_type_crate_service(
    file: &ParsedFile,
    ty: Node<'_>,
    imports: &[(String, String)],
) -> Option<String> {
    let (pattern, crates) = client_crate_pattern()?;
    let text = file.node_text(ty);
    if let Some(krate) = pattern.captures(text).and_then(|c| c.get(2)) {
        return crates
            .iter()
            .find(|(k, _)| k == krate.as_str())
            .map(|(_, service)| service.clone());
    }
    // A type is small: its first 256 nodes hold every name a reader would look at.
    syntax::descendants(ty)
        .take(256)
        .filter(|n| n.kind_name() == "type_identifier")
        .find_map(|n| {
            let t = file.node_text(n);
            imports.iter().find(|(i, _)| i == t).map(|(_, s)| s.clone())
        })
}

/// The receiver a `let` value takes a handle from without a round trip (`repo.pulls()`,
/// `self.github.repo(owner, name)`): the root of a method chain with no `.await` or `?` in it.
/// `None` for anything else.
fn handle_source<'t>(file: &ParsedFile, value: Node<'t>) -> Option<Node<'t>> {
    if value.kind_name() != "call_expression" {
        return None;
    }
    let text = file.node_text(value);
    if text.len() > 600 || text.contains(".await") || text.contains('?') {
        return None;
    }
    let root = Chain::of(file, value).root;
    matches!(root.kind_name(), "identifier" | "field_expression").then_some(root)
}

/// The type of parameter `name` of the function `node` is in.
fn parameter_type<'t>(file: &'t ParsedFile, node: Node<'t>, name: &str) -> Option<Node<'t>> {
    let function = syntax::ancestors_from(file.tree.root_node(), node)
        .into_iter()
        .find(|a| matches!(a.kind_name(), "function_item" | "closure_expression"))
        .filter(|a| a.kind_name() == "function_item")?;
    syntax::parameter_named(file, function, name)?.field("type")
}

/// The service a receiver talks to when the function says so itself: a parameter or `let`
/// typed from a client crate (`repo: &hubcaps::repositories::Repository`), or a handle taken
/// from one, or from a field of such a type or a receiver the vocabulary names, without a round
/// trip (`let pulls = repo.pulls(); let pull = pulls.get(n);`). Followed through a few `let`s.
fn local_client_service(
    ctx: &MatchCtx<'_, '_>,
    lists: &Lists<'_>,
    receiver: Node<'_>,
) -> Option<String> {
    let file = ctx.file;
    let mut node = syntax::unwrap_expression(receiver);
    for depth in 0..6 {
        let name = syntax::receiver_name(file, node);
        let named = || {
            lists
                .lookup(
                    "service_receivers",
                    &name.to_ascii_lowercase(),
                    name_matches,
                )
                .filter(|d| d != "*")
        };
        match node.kind_name() {
            "field_expression" => {
                let krate = crate_of(ctx);
                if let Some(service) = ctx
                    .index()
                    .retry
                    .client_names
                    .get(&(krate, name.to_string()))
                {
                    return Some(service.clone());
                }
                return if depth > 0 { named() } else { None };
            }
            "identifier" => {
                if let Some(binding) = binding_of(file, node) {
                    if let Some(ty) = binding.field("type") {
                        return type_service(ctx, ty);
                    }
                    node = handle_source(file, binding.field("value")?)?;
                    continue;
                }
                // Only a file that names a client crate can type a parameter from one (finding
                // the function walks down from the root).
                let names_client_crate = ctx.index().retry.client_imports.contains_key(&file.path);
                if names_client_crate {
                    if let Some(ty) = parameter_type(file, node, name) {
                        return type_service(ctx, ty);
                    }
                }
                return if depth > 0 { named() } else { None };
            }
            _ => return None,
        }
    }
    None
}

/// The service of a type from a client crate, in the file being checked.
fn type_service(ctx: &MatchCtx<'_, '_>, ty: Node<'_>) -> Option<String> {
    let imports = ctx
        .index()
        .retry
        .client_imports
        .get(&ctx.file.path)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    client_type_crate_service(ctx.file, ty, imports)
}

/// `LedgerClient` → `ledger`: the service of a typed API client (`Client` alone names no service).
fn client_type_service(t: &str) -> Option<String> {
    let stem = t.strip_suffix("Client")?;
    if stem.is_empty()
        || !stem.starts_with(|c: char| c.is_ascii_uppercase())
        || matches!(stem, "Http" | "Reqwest" | "Hyper" | "Api" | "Grpc")
    {
        return None;
    }
    Some(stem.to_ascii_lowercase())
}

/// The type identifiers in a type, without the wrappers that do not name the client.
fn type_idents<'f, 't>(file: &'f ParsedFile, nodes: &NodeList<'t>, ty: Node<'t>) -> Vec<&'f str> {
    const WRAPPERS: &[&str] = &[
        "Result", "Option", "Arc", "Box", "Rc", "Error", "Self", "String",
    ];
    nodes
        .subtree(ty)
        .filter(|(k, _)| *k == "type_identifier")
        .map(|(_, d)| file.node_text(d))
        .filter(|t| !WRAPPERS.contains(t))
        .collect()
}

fn lower_has_retry_word(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("retry")
        || lower.contains("retries")
        || lower.contains("backoff")
        || lower.contains("with_attempts")
}

/// A same-crate retry helper: a fn named like a retry (`retry`, `with_retry`, `retry_db`), or one
/// that takes a closure (`F: Fn..`, `impl FnMut..`) and loops with a sleep.
pub(crate) fn is_retry_helper<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    func: Node<'t>,
    name: &str,
) -> bool {
    let takes_closure = func
        .field("parameters")
        .map(|p| file.node_text(p))
        .into_iter()
        .chain(func.field("type_parameters").map(|p| file.node_text(p)))
        .chain(
            nodes
                .of_kind_in("where_clause", func)
                .next()
                .map(|w| file.node_text(w)),
        )
        .any(|t| t.contains("Fn"));
    if !takes_closure {
        return false;
    }
    if lower_has_retry_word(name) {
        return true;
    }
    let Some(body) = func.field("body") else {
        return false;
    };
    let paced_loop = nodes
        .of_kinds_in(
            &["loop_expression", "for_expression", "while_expression"],
            body,
        )
        .into_iter()
        .any(|l| {
            let t = file.node_text(l);
            t.contains("sleep") || t.contains("delay")
        });
    // A fn that hands its work to a retry wrapper (`policy.retry_if(|| .., is_transient)`),
    // whatever it is called: every client method that goes through it is retried.
    paced_loop
        || Lists::embedded().is_some_and(|lists| {
            let wrappers = lists.list("retry_wrappers");
            nodes
                .of_kind_in("call_expression", body)
                .any(|c| calls_listed_wrapper(file, c, wrappers))
        })
}

/// Whether a fn body retries by itself (a retry loop or wrapper inside), so calls to it are
/// covered.
pub(crate) fn body_has_retry_shape<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    body: Node<'t>,
) -> bool {
    nodes
        .of_kinds_in(
            &[
                "loop_expression",
                "for_expression",
                "while_expression",
                "call_expression",
            ],
            body,
        )
        .into_iter()
        .any(|d| match d.kind_name() {
            "loop_expression" | "for_expression" | "while_expression" => is_retry_loop(file, d),
            "call_expression" => syntax::call_name(file, d).is_some_and(|n| {
                matches!(n, "retry" | "retry_notify" | "spawn") && {
                    let f = d.field("function").map(|f| file.node_text(f)).unwrap_or("");
                    n != "spawn" || f.contains("Retry")
                }
            }),
            _ => false,
        })
}

/// The most `.await`s, `?`s, parentheses and references [`body_chains`] looks through to an
/// awaited call; past that, the call is not summarised (a finding may be missed, none made up).
const MAX_UNWRAPPED: usize = 64;

/// The most awaits of one body [`body_chains`] looks at.
const MAX_FOLLOWED_AWAITS: usize = 64;

/// The transient dependency a fn body calls itself, as this topic's classifier sees it (named
/// service clients such as `gh`, `mailer`, `stripe`, and `<Service>Client` types): the effect
/// model's second source of direct effects, with the service's display name.
pub(crate) fn body_transient_effect<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    body: Node<'t>,
    keep: &dyn Fn(Node<'t>) -> bool,
) -> Option<(crate::analysis::effects::Effect, String, Node<'t>)> {
    use crate::analysis::effects::{Action, Effect as ModelEffect, EffectKind};
    let lists = Lists::embedded()?;
    body_chains(file, nodes, &lists, body, keep)
        .iter()
        .filter_map(|(at, root, s)| classify(&lists, s).map(|e| (e, *at, *root)))
        .filter(|(e, _, root)| {
            e.service != DATABASE_SERVICE || !opened_from_embedded_crate(file, &lists, *root)
        })
        .map(|(e, at, _)| (e, at))
        .max_by_key(|(e, _)| e.write)
        .map(|(e, at)| {
            let kind = if e.service == DATABASE_SERVICE || e.service == "DynamoDB" {
                EffectKind::Database
            } else if e.service.contains("object store") || e.service == "S3" {
                EffectKind::ObjectStorage
            } else if e.service.contains("broker")
                || [
                    "SQS",
                    "SNS",
                    "Kinesis",
                    "Kafka",
                    "NATS",
                    "RabbitMQ",
                    "EventBridge",
                ]
                .contains(&e.service.as_str())
            {
                EffectKind::Queue
            } else {
                EffectKind::Network
            };
            let effect = ModelEffect {
                kind,
                action: if e.write { Action::Send } else { Action::Read },
                batch: false,
                what: e.what.clone(),
            };
            (effect, e.service, at)
        })
}

/// Whether `root`, a chain's receiver, is a connection its function opens from an embedded
/// database's crate (`embedded_database_crates`): `let state = rusqlite::Connection::open(p)?;`.
/// In a crate that uses a networked database too, the call says which one it talks to.
fn opened_from_embedded_crate(file: &ParsedFile, lists: &Lists<'_>, root: Node<'_>) -> bool {
    binding_of(file, root)
        .and_then(|b| b.field("value"))
        .is_some_and(|v| {
            let text = file.node_text(v).trim_start();
            lists
                .list("embedded_database_crates")
                .iter()
                .filter(|c| !c.contains('/'))
                .any(|c| text.starts_with(&format!("{}::", c.replace('-', "_"))))
        })
}

/// Summaries of the awaited method chains in a fn body (only outermost chain calls), bounded,
/// each with the call it was read from and that chain's root receiver.
fn body_chains<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    lists: &Lists<'_>,
    body: Node<'t>,
    keep: &dyn Fn(Node<'t>) -> bool,
) -> Vec<(Node<'t>, Node<'t>, ChainSummary)> {
    let mut out = Vec::new();
    // `keep` may climb the tree (each step a walk down from the root): look at a bounded
    // number of awaits, not at each of a PR's 100,000.
    // Awaited calls, and blocking calls passed on with `?` (`self.http.get(url).send()?` with
    // reqwest's blocking client, diesel's `execute(&mut conn)?`) or as the body's value
    // (`builder.send()` as a blocking client wrapper's last expression).
    let tail = body
        .named_child(body.named_child_count().saturating_sub(1))
        .filter(|t| t.kind_name() == "call_expression");
    for d in nodes
        .of_kinds_in(&["await_expression", "try_expression"], body)
        .into_iter()
        .take(MAX_FOLLOWED_AWAITS)
        .chain(tail)
    {
        if out.len() >= 16 {
            break;
        }
        let awaited = d.kind_name() == "await_expression";
        let Some(inner) = (if d.kind_name() == "call_expression" {
            Some(d)
        } else {
            d.named_child(0)
        }) else {
            continue;
        };
        // Each of a PR's 100,000 stacked `.await`s would unwrap all the ones below it.
        let Some(inner) = syntax::unwrap_expression_at_most(inner, MAX_UNWRAPPED) else {
            continue;
        };
        // `call.await?` is read at its `.await`.
        if inner.kind_name() != "call_expression" || !keep(if awaited { d } else { inner }) {
            continue;
        }
        // `block_on(call)?` is read as `call.await?`.
        let (inner, awaited) = match run_future(file, lists, inner) {
            Some(future) if future.kind_name() == "call_expression" => (future, true),
            _ => (inner, awaited),
        };
        let chain = Chain::of(file, inner);
        out.push((inner, chain.root, chain.classified(file, lists, awaited).0));
    }
    out
}

/// A retry loop: `for attempt in ..`, `for _ in 0..n`, `while let Err(..)`, or a `loop`/`while`
/// that counts attempts or sleeps between tries and breaks out on success.
fn is_retry_loop(file: &ParsedFile, l: Node<'_>) -> bool {
    static WORDS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let words = WORDS
        .get_or_init(|| regex::Regex::new(r"(?i)\b(attempts?|retry|retries|retried|tries|backoff|max_tries|max_attempts|remaining_tries)\b").ok())
        .as_ref();
    let has_words = |t: &str| words.is_some_and(|re| re.is_match(t));
    match l.kind_name() {
        "for_expression" => {
            let pat = l.field("pattern").map(|p| file.node_text(p)).unwrap_or("");
            let value = l.field("value");
            has_words(pat)
                || (pat.starts_with('_')
                    && value.is_some_and(|v| v.kind_name() == "range_expression"))
                || value.is_some_and(|v| has_words(file.node_text(v)))
        }
        "while_expression" => {
            let cond = l
                .field("condition")
                .map(|p| file.node_text(p))
                .unwrap_or("");
            cond.contains("Err(") || has_words(cond)
        }
        "loop_expression" => {
            let Some(body) = l.field("body") else {
                return false;
            };
            let t = file.node_text(body);
            let breaks = t.contains("break") || t.contains("return");
            breaks
                && (has_words(t)
                    || ((t.contains("sleep") || t.contains("delay")) && !t.contains(".tick()")))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Method chains and classification
// ---------------------------------------------------------------------------------------------

/// The longest `let` value [`Chain::through_binding`] reads a chain's root through.
const MAX_BOUND_CHAIN_BYTES: usize = 600;

/// How much of a request helper's body [`Chain::through_request_helper`] reads for the URL
/// that names its service (a base URL sits near the top).
const MAX_HELPER_URL_CHARS: usize = 2000;

/// The functions of `file` declared to return a request builder, a type whose last path
/// segment (generics aside) is in `types` (`-> RequestBuilder`, `-> reqwest::RequestBuilder`),
/// each with its body's byte range. Worked out once per file and list.
fn request_helpers(
    file: &ParsedFile,
    types: &[String],
) -> std::sync::Arc<Vec<(String, std::ops::Range<usize>)>> {
    let root = file.tree.root_node();
    file.memo("request-helpers", root, types.as_ptr() as usize, || {
        if !types.iter().any(|t| file.text.contains(t.as_str())) {
            return Vec::new();
        }
        syntax::descendants(root)
            .filter(|n| n.kind_name() == "function_item")
            .filter(|f| {
                f.field("return_type").is_some_and(|r| {
                    let ty = file.node_text(r);
                    let ty = ty.split('<').next().unwrap_or(ty).trim();
                    let last = ty.rsplit("::").next().unwrap_or(ty);
                    types.iter().any(|t| t == last)
                })
            })
            .filter_map(|f| {
                let name = file.node_text(f.field("name")?).to_string();
                Some((name, f.field("body")?.byte_range()))
            })
            .collect()
    })
}

/// A method chain: `state.http.post(url).json(&b).send()` → root `state.http`, calls
/// `post`, `json`, `send` (innermost first).
struct Chain<'t> {
    root: Node<'t>,
    calls: Vec<(String, Node<'t>)>,
}

impl<'t> Chain<'t> {
    fn of(file: &ParsedFile, call: Node<'t>) -> Chain<'t> {
        let mut calls = Vec::new();
        let mut cur = call;
        let mut steps = 0;
        let root = loop {
            steps += 1;
            if steps > 256 || cur.kind_name() != "call_expression" {
                break cur;
            }
            let name = syntax::call_name(file, cur).unwrap_or("").to_string();
            calls.push((name, cur));
            match syntax::call_receiver(cur) {
                Some(recv) => cur = syntax::unwrap_expression(recv),
                None => break cur.field("function").unwrap_or(cur),
            }
        };
        calls.reverse();
        Chain { root, calls }
    }

    /// The chain with its root read through a `let` of the same function when the root is a
    /// local bound to a call chain with no `.await` or `?` in it: `let mut builder =
    /// self.client.get(url); .. builder.send()` is the chain `self.client.get(url).send()`.
    /// Reassignments between the two (`builder = builder.query(..)`) only add steps of the same
    /// builder, so the binding's chain is what names the client and the verb.
    /// `None` when the root is not such a local.
    fn through_binding(&self, file: &'t ParsedFile) -> Option<Chain<'t>> {
        if self.root.kind_name() != "identifier" || self.calls.is_empty() {
            return None;
        }
        let value = binding_of(file, self.root)?.field("value")?;
        let value = syntax::unwrap_expression(value);
        let text = file.node_text(value);
        if value.kind_name() != "call_expression"
            || text.len() > MAX_BOUND_CHAIN_BYTES
            || text.contains(".await")
            || text.contains('?')
        {
            return None;
        }
        let mut bound = Chain::of(file, value);
        bound.calls.extend(self.calls.iter().cloned());
        Some(bound)
    }

    /// The chain read through a wrapper that takes a request builder and hands it back
    /// (`self.authenticate(self.http.get(url)).send()` is the chain `self.http.get(url).send()`):
    /// the first call's only argument is itself a method chain, and calls follow it. `None`
    /// otherwise.
    fn through_wrapper(&self, file: &'t ParsedFile) -> Option<Chain<'t>> {
        let ((_, first), rest) = self.calls.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let args = first.field("arguments")?;
        if args.named_child_count() != 1 {
            return None;
        }
        let inner = syntax::unwrap_expression(args.named_child(0)?);
        if inner.kind_name() != "call_expression" || syntax::call_receiver(inner).is_none() {
            return None;
        }
        let mut wrapped = Chain::of(file, inner);
        wrapped.calls.extend(rest.iter().cloned());
        Some(wrapped)
    }

    /// The chain [`classify`] reads, with the effect it tells (if any): the chain through its
    /// root's binding when the root is a local bound to a builder (that binding names the real
    /// client), else this chain, else, when this one tells nothing, the chain through a builder
    /// wrapper.
    fn classified(
        &self,
        file: &'t ParsedFile,
        lists: &Lists<'_>,
        awaited: bool,
    ) -> (ChainSummary, Option<Effect>) {
        let own = self
            .through_binding(file)
            .map_or_else(|| self.summary(file, awaited), |c| c.summary(file, awaited));
        if let Some(e) = classify(lists, &own) {
            return (own, Some(e));
        }
        self.through_wrapper(file)
            .map(|c| c.summary(file, awaited))
            .or_else(|| self.through_request_helper(file, lists, awaited))
            .and_then(|s| classify(lists, &s).map(|e| (s, Some(e))))
            .unwrap_or((own, None))
    }

    /// The chain read as a plain request when it starts with a call of a request helper of
    /// this file, a function declared to return a request builder (vocabulary
    /// `request_builder_types`: `fn build_request(&self, method: Method, url: &str) ->
    /// RequestBuilder`), and goes on through builder methods to `.send()`:
    /// `self.build_request(Method::POST, url).json(&b).send()` reads as `http.post(url)
    /// .json(&b).send()`. The verb is the `Method` the helper is given (`request` when none
    /// is named), and the URL text is the helper's arguments followed by its own body, where a
    /// helper adds the base URL (`https://api.github.com/`) that names the service. `None`
    /// otherwise.
    fn through_request_helper(
        &self,
        file: &ParsedFile,
        lists: &Lists<'_>,
        awaited: bool,
    ) -> Option<ChainSummary> {
        let ((name, first), rest) = self.calls.split_first()?;
        if rest.last().is_none_or(|(last, _)| last != "send") {
            return None;
        }
        let mut summary = self.summary(file, awaited);
        let between = &summary.calls[1..summary.calls.len() - 1];
        if !between
            .iter()
            .all(|(n, count, _)| *count > 0 && lists.has("http_builder_methods", n))
        {
            return None;
        }
        let types = lists.list("request_builder_types");
        let helpers = request_helpers(file, types);
        let body = helpers.iter().find(|(n, _)| n == name)?.1.clone();
        let args = first
            .field("arguments")
            .map(|a| file.node_text(a))
            .unwrap_or("");
        let verb = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .find(|v| args.contains(&format!("Method::{v}")) || args.contains(&format!("\"{v}\"")))
            .map_or("request".to_string(), str::to_ascii_lowercase);
        summary.root = "http".to_string();
        let url: String = args
            .chars()
            .take(200)
            .chain(" ".chars())
            .chain(file.text[body].chars().take(MAX_HELPER_URL_CHARS))
            .collect();
        summary.calls[0] = (verb, summary.calls[0].1.max(1), url);
        Some(summary)
    }

    fn summary(&self, file: &ParsedFile, awaited: bool) -> ChainSummary {
        ChainSummary {
            root: file.node_text(self.root).to_string(),
            calls: self
                .calls
                .iter()
                .map(|(n, c)| {
                    let args = c.field("arguments");
                    let count = args.map(|a| a.named_child_count()).unwrap_or(0);
                    let text = args.map(|a| file.node_text(a)).unwrap_or("");
                    let text: String = text.chars().take(200).collect();
                    (n.clone(), count, text)
                })
                .collect(),
            awaited,
        }
    }
}

/// What kind of dependency a call talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The service, for the message (`billing`, `GitHub`, `the database`).
    pub service: String,
    /// Whether the call changes state (write, send, publish) rather than reads.
    pub write: bool,
    /// Whether the call goes through the AWS SDK fluent builder (`.op()...send()`).
    pub aws: bool,
    /// What is lost when it fails, for the message (`request`, `message`, `email`, `update`).
    pub what: String,
}

/// The check's data lists, for classification.
struct Lists<'a> {
    data: &'a CheckData,
}

impl<'a> Lists<'a> {
    fn of(ctx: &MatchCtx<'a, '_>) -> Lists<'a> {
        Lists { data: ctx.data }
    }
    /// The lists of the embedded `missing-retry` check (`None` if it failed to load), for the
    /// repository facts collected before any match.
    fn embedded() -> Option<Lists<'static>> {
        let data = &crate::analysis::check::CheckSet::embedded()
            .ok()?
            .get("missing-retry")?
            .data;
        Some(Lists { data })
    }
    fn list(&self, name: &str) -> &'a [String] {
        self.data.list(name)
    }
    fn has(&self, name: &str, item: &str) -> bool {
        self.data.contains(name, item)
    }
    /// `pattern=Display` entries: the display for the first pattern matching `name`.
    fn lookup(
        &self,
        list: &str,
        name: &str,
        matches: impl Fn(&str, &str) -> bool,
    ) -> Option<String> {
        self.list(list).iter().find_map(|e| {
            let (p, d) = e.split_once('=').unwrap_or((e.as_str(), e.as_str()));
            matches(name, p).then(|| d.to_string())
        })
    }
}

/// Whether a receiver name (`billing_client`, `gh`, plural `emails`) matches a pattern
/// (`client`, `gh`, `email`).
fn name_matches(name: &str, pattern: &str) -> bool {
    name_matches_exactly(name, pattern)
        || (name.len() > 3
            && name
                .strip_suffix('s')
                .is_some_and(|singular| name_matches_exactly(singular, pattern)))
}

fn name_matches_exactly(name: &str, pattern: &str) -> bool {
    name == pattern
        || name
            .strip_suffix(pattern)
            .is_some_and(|rest| rest.ends_with('_'))
        || name
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('_'))
}

/// The service an HTTP request goes to, from its URL argument or the receiver's name.
fn http_service(lists: &Lists<'_>, url_args: &str, receiver: &str) -> String {
    // A path or host only one API has (`/repos/{owner}/..` is GitHub's).
    if let Some(service) =
        lists.lookup("url_services", url_args, |url, marker| url.contains(marker))
    {
        return service;
    }
    static HOST: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    static IDENT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let host = HOST
        .get_or_init(|| regex::Regex::new(r"https?://([A-Za-z0-9.-]+)").ok())
        .as_ref();
    let ident = IDENT
        .get_or_init(|| {
            regex::Regex::new(
                r"(?i)\b([a-z][a-z0-9]*)_(?:api_)?(?:url|base_url|base|endpoint|host|uri|addr)\b",
            )
            .ok()
        })
        .as_ref();
    if let Some(c) = host.and_then(|re| re.captures(url_args)) {
        let h = c.get(1).map(|m| m.as_str()).unwrap_or("");
        if let Some(label) = h
            .split('.')
            .find(|l| !matches!(*l, "api" | "www" | "hooks" | "internal" | "svc"))
        {
            if !label.is_empty() && label != "localhost" {
                return label.to_string();
            }
        }
    }
    if let Some(c) = ident.and_then(|re| re.captures(url_args)) {
        let w = c.get(1).map(|m| m.as_str()).unwrap_or_default();
        if let Some(service) = service_word(lists, w) {
            return service;
        }
    }
    let r = receiver.to_ascii_lowercase();
    let stem = r
        .trim_end_matches("_client")
        .trim_end_matches("_http")
        .trim_start_matches("http_");
    if let Some(service) = service_word(lists, stem) {
        return service;
    }
    if url_args.to_ascii_lowercase().contains("hook") {
        return "the webhook endpoint".to_string();
    }
    UNNAMED_SERVICE.to_string()
}

/// The service a message names when nothing says which one it is.
const UNNAMED_SERVICE: &str = "the remote service";

/// The service a one-word name stands for (`billing` of `billing_client`, `stripe` of
/// `stripe_url`), lowercased; `None` for a name of several words (`execute_logout_by` of a
/// function `execute_logout_by_client`) or one that says what role a value plays (`builder`,
/// `resp`, `new`: the vocabulary's `role_names`), which would read as a garbled service.
fn service_word(lists: &Lists<'_>, name: &str) -> Option<String> {
    let word = name.to_ascii_lowercase();
    let one_word = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric());
    (one_word && !lists.has("role_names", &word)).then_some(word)
}

/// Whether a call chain fills a cache with an expiry (the vocabulary's `cache_fill_methods`,
/// `redis.set_ex(key, value, ttl)`): losing one costs a later cache miss, not work.
fn fills_a_cache<'n>(lists: &Lists<'_>, mut names: impl Iterator<Item = &'n str>) -> bool {
    names.any(|n| lists.has("cache_fill_methods", n))
}

/// Classifies a call chain. `awaited` says whether the expression is awaited (required for the
/// name-based guesses, which are otherwise too loose).
fn classify(lists: &Lists<'_>, s: &ChainSummary) -> Option<Effect> {
    let names: Vec<&str> = s.calls.iter().map(|(n, _, _)| n.as_str()).collect();
    let last = *names.last()?;
    if fills_a_cache(lists, names.iter().copied()) {
        return None;
    }
    let root_last = s
        .root
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(&s.root)
        .trim_end_matches("()");
    let receiver = if root_last == "self" {
        // `self.client().post(..)`: the getter names the client.
        match s.calls.first() {
            Some((n, 0, _)) if s.calls.len() > 1 => n.as_str(),
            _ => root_last,
        }
    } else {
        root_last
    };
    let receiver_lower = receiver.to_ascii_lowercase();
    if lists
        .list("not_transient_receivers")
        .iter()
        .any(|p| name_matches(&receiver_lower, p))
    {
        return None;
    }
    let is_read = |n: &str| names_a_read(lists, n);
    // A chain that starts with a query builder (`diesel::delete(t).execute(conn)`) runs a
    // statement: its verb-named builder is no HTTP request.
    let sql_root = lists.has("sql_builders", &s.root) || lists.has("sql_builders", root_last);
    // HTTP: a verb with a URL, sent.
    if let Some((verb, _, args)) = s
        .calls
        .iter()
        .find(|(n, c, _)| *c > 0 && lists.has("http_verbs", n))
        .filter(|_| !sql_root)
    {
        if matches!(last, "send" | "execute" | "call")
            || s.root.starts_with("reqwest::")
            || s.root.starts_with("ureq::")
        {
            let write = !matches!(verb.as_str(), "get" | "head");
            return Some(Effect {
                service: http_service(lists, args, receiver),
                write,
                aws: false,
                what: if write {
                    "request".into()
                } else {
                    "read".into()
                },
            });
        }
    }
    // A request another function built, finished and sent here: `request.header(..)
    // .basic_auth(..).send()` on a `RequestBuilder` handed in (a helper that signs every
    // request). Which verb it carries is not known here.
    // (Each builder method takes an argument, unlike an AWS operation: `dynamo.query().send()`.)
    if last == "send"
        && s.calls.len() >= 2
        && s.calls[..s.calls.len() - 1]
            .iter()
            .all(|(n, c, _)| *c > 0 && lists.has("http_builder_methods", n))
    {
        return Some(Effect {
            // The receiver is the request, not a client that would name the service.
            service: http_service(lists, "", ""),
            write: true,
            aws: false,
            what: "request".into(),
        });
    }
    // AWS SDK fluent builder: `client.op().field(..).send()`.
    if last == "send" && s.calls.last().is_some_and(|(_, c, _)| *c == 0) {
        if let Some((op, 0, _)) = s.calls.first() {
            if s.calls.len() >= 2
                && (op.contains('_') || op.chars().all(|c| c.is_ascii_lowercase()))
            {
                let write = !is_read(op);
                let service = lists
                    .lookup("service_receivers", &receiver_lower, name_matches)
                    .filter(|d| d != "*")
                    .unwrap_or_else(|| "AWS".to_string());
                return Some(Effect {
                    service,
                    write,
                    aws: true,
                    what: aws_what(op),
                });
            }
        }
    }
    // Databases: a method that runs a statement (shared vocabulary, see `statements`). A chain
    // that starts with a function call (`Entity::insert(row).exec(&db)`) or a macro
    // (`sqlx::query_as_unchecked!(..)`) has no receiver; a macro there builds the statement.
    let path_call = s.calls.first().is_some_and(|(n, _, _)| n == root_last);
    let root_macro = s.root.contains('!');
    let database_method = names.iter().find(|n| {
        let signs = StatementSigns {
            built: sql_root || root_macro,
            root: if path_call || root_macro { "" } else { &s.root },
            methods: s.calls.len() - usize::from(path_call),
            first_args: s
                .calls
                .get(usize::from(path_call))
                .map_or("", |(_, _, a)| a.as_str()),
        };
        statements::runs_a_statement(lists.data, n, &signs)
    });
    if let Some(m) = database_method {
        let sql = s
            .calls
            .iter()
            .map(|(_, _, a)| a.as_str())
            .chain([s.root.as_str()])
            .collect::<Vec<_>>()
            .join(" ");
        let first_sql_word = sql
            .split('"')
            .nth(1)
            .and_then(|q| q.split_whitespace().next())
            .unwrap_or("");
        if crate::analysis::filters::errors::is_maintenance_statement(
            lists.list("maintenance_statements"),
            first_sql_word,
        ) {
            return None;
        }
        let upper = sql.to_ascii_uppercase();
        let write = !is_read(m)
            || ["INSERT ", "UPDATE ", "DELETE ", "UPSERT", "MERGE "]
                .iter()
                .any(|k| upper.contains(k));
        return Some(Effect {
            service: DATABASE_SERVICE.into(),
            write,
            aws: false,
            what: if write { "write".into() } else { "read".into() },
        });
    }
    if !s.awaited || lists.has("non_io_methods", last) {
        return None;
    }
    // Methods that only talk to a broker, mail server or API (`basic_publish`, `send_email`).
    if let Some(display) = names
        .iter()
        .find_map(|n| lists.lookup("service_methods", n, |a, b| a == b))
    {
        let write = !is_read(last);
        return Some(Effect {
            service: display,
            write,
            aws: false,
            what: what_of(last),
        });
    }
    // Named service clients (`gh.post_comment(..)`, `mailer.send(..)`, `billing_client.charge(..)`).
    if let Some(display) = lists.lookup("service_receivers", &receiver_lower, name_matches) {
        let service = if display == "*" {
            // `billing_client`, `billing_clients`, `client_billing` → billing.
            let singular = receiver_lower
                .strip_suffix('s')
                .filter(|s| s.ends_with("client"))
                .unwrap_or(&receiver_lower);
            let stem = singular
                .strip_suffix("client")
                .or_else(|| singular.strip_prefix("client"))
                .unwrap_or(singular)
                .trim_matches('_');
            service_word(lists, stem).unwrap_or_else(|| UNNAMED_SERVICE.to_string())
        } else {
            display
        };
        let write = !is_read(last);
        return Some(Effect {
            service,
            write,
            aws: false,
            what: what_of(last),
        });
    }
    None
}

fn aws_what(op: &str) -> String {
    if op.contains("message") || op.starts_with("publish") {
        "message".into()
    } else if op.contains("email") {
        "email".into()
    } else if op.contains("object") {
        "object".into()
    } else {
        "update".into()
    }
}

fn what_of(method: &str) -> String {
    let m = method.to_ascii_lowercase();
    if m.contains("comment") {
        "comment".into()
    } else if m.contains("email") || m.contains("mail") {
        "email".into()
    } else if m.contains("publish") || m.contains("message") || m.contains("enqueue") {
        "message".into()
    } else if m.contains("notif") {
        "notification".into()
    } else if m.contains("charge") || m.contains("pay") || m.contains("refund") {
        "payment".into()
    } else if m.contains("label") || m.contains("status") || m.contains("check") {
        "update".into()
    } else {
        "call".into()
    }
}

/// The innermost "real" call of an expression: strips `.await`, `?`, and the methods that only
/// reshape a result (`.ok()`, `.inspect_err(..)`, `.json()` after `send()`, ...).
fn effect_call<'t>(file: &'t ParsedFile, lists: &Lists<'_>, node: Node<'t>) -> (Node<'t>, bool) {
    let mut n = resolve_binding(file, node);
    let mut awaited = false;
    for _ in 0..64 {
        let before = n;
        loop {
            match n.kind_name() {
                "await_expression" => awaited = true,
                "try_expression" | "parenthesized_expression" | "reference_expression" => {}
                _ => break,
            }
            match n.named_child(0) {
                Some(c) => n = c,
                None => break,
            }
        }
        if n.kind_name() == "call_expression"
            && syntax::call_name(file, n).is_some_and(|m| lists.has("passthrough_methods", m))
        {
            if let Some(r) = syntax::call_receiver(n) {
                n = r;
                continue;
            }
        }
        // `block_on(gh.create(..))` waits for the future as `.await` would.
        if let Some(future) = run_future(file, lists, n) {
            n = future;
            awaited = true;
            continue;
        }
        if n.id() == before.id() {
            break;
        }
    }
    (n, awaited)
}

/// The future a call runs to completion (`async_std::task::block_on(fut)`, `rt.block_on(fut)`:
/// the vocabulary's `future_runners`), unwrapped; `None` for any other node.
fn run_future<'t>(file: &ParsedFile, lists: &Lists<'_>, call: Node<'t>) -> Option<Node<'t>> {
    if call.kind_name() != "call_expression"
        || !syntax::call_name(file, call).is_some_and(|m| lists.has("future_runners", m))
    {
        return None;
    }
    let args = call.field("arguments")?;
    let future = args.named_child(args.named_child_count().checked_sub(1)?)?;
    Some(syntax::unwrap_expression(future))
}

/// `if let Err(e) = res` where `let res = call.await;` came just before in the same block (or an
/// enclosing one): the bound call. Anything else is returned unchanged.
fn resolve_binding<'t>(file: &'t ParsedFile, node: Node<'t>) -> Node<'t> {
    binding_of(file, node)
        .and_then(|b| b.field("value"))
        .unwrap_or(node)
}

/// The `let` that binds the identifier `node` is, when it is in the same block as `node` or an
/// enclosing one of the same function (the nearest before it).
fn binding_of<'t>(file: &'t ParsedFile, node: Node<'t>) -> Option<Node<'t>> {
    let inner = syntax::unwrap_expression(node);
    if inner.kind_name() != "identifier" {
        return None;
    }
    let name = file.node_text(inner);
    let mut cur = node;
    for p in syntax::ancestors_from(file.tree.root_node(), node)
        .into_iter()
        .take(64)
    {
        if matches!(p.kind_name(), "function_item" | "closure_expression") {
            break;
        }
        let mut nearest = None;
        let mut cursor = p.walk();
        for s in p.children(&mut cursor) {
            if s.id() == cur.id() {
                break;
            }
            if s.kind_name() == "let_declaration" {
                let pat = s.field("pattern").map(|p| file.node_text(p)).unwrap_or("");
                if pat == name || pat.strip_prefix("mut ") == Some(name) {
                    nearest = Some(s);
                }
            }
        }
        if nearest.is_some() {
            return nearest;
        }
        cur = p;
    }
    None
}

fn crate_of(ctx: &MatchCtx<'_, '_>) -> String {
    ctx.manifests.crate_dir(&ctx.file.path)
}

/// The call `transient_call` judges, found from the tree alone: `None` when the expression is
/// no call, or one that fills a cache, whatever the index says.
struct TransientSite<'t> {
    /// The call with the effect (the `let`'s value when a binding makes it).
    call: Node<'t>,
    /// `let res = call.await;` when the expression reads a binding that makes the call.
    binding: Option<Node<'t>>,
    /// The method chain of the call.
    chain: Chain<'t>,
    /// Whether the call is awaited.
    awaited: bool,
}

fn transient_site<'t>(
    ctx: &MatchCtx<'_, 't>,
    lists: &Lists<'_>,
    node: Node<'t>,
) -> Option<TransientSite<'t>> {
    // `let res = call.await; match res {..}`: the call is the `let`'s value, and the `let`
    // makes it (looked up once here; `effect_call` then starts from the value).
    let binding = binding_of(ctx.file, node).filter(|b| b.field("value").is_some());
    let bound = binding.and_then(|b| b.field("value")).unwrap_or(node);
    let (call, awaited) = effect_call(ctx.file, lists, bound);
    if call.kind_name() != "call_expression" {
        return None;
    }
    let chain = Chain::of(ctx.file, call);
    if fills_a_cache(lists, chain.calls.iter().map(|(n, _)| n.as_str())) {
        return None;
    }
    Some(TransientSite {
        call,
        binding,
        chain,
        awaited,
    })
}

/// The names the effect model may know `site`'s callee by; `None` when the chain is no call
/// of a workspace fn it could know:
/// - a direct call (`purge_image(..)`, `self.publish(ev)`, `rows.next()`): its bare name, and
///   for a call of the caller's own method, or of a method on a value whose type the function
///   writes (`comment.post(..)` after `let comment = Comment::new(..)`), its type-qualified one
///   too ([`syntax::typed_method_name`]);
/// - a chain on a value a workspace type's associated fn made (`Message::new().line(..)
///   .send(..)`): only `Message::send`, since the bare name would stand for every type's.
fn callee_names(ctx: &MatchCtx<'_, '_>, site: &TransientSite<'_>) -> Option<CalleeName> {
    let name = site.chain.calls.last().map(|(n, _)| n.as_str())?;
    if name.is_empty() {
        return None;
    }
    let method_call = syntax::call_receiver(site.call)
        .is_some_and(|r| ctx.file.node_text(syntax::unwrap_expression(r)) != "self");
    // `rusqlite::Connection::open(..)` is that crate's `open`, not a workspace fn of the name.
    let root = site.chain.root;
    if root.kind_name() == "scoped_identifier"
        && ctx
            .manifests
            .calls_external_crate(&ctx.file.path, ctx.file.node_text(root))
    {
        return None;
    }
    if site.chain.calls.len() == 1 || syntax::receiver_name(ctx.file, site.chain.root) == "self" {
        return Some(CalleeName {
            qualified: syntax::typed_method_name(ctx.file, site.call).unwrap_or_default(),
            name: name.to_string(),
            method_call,
        });
    }
    let ty = (root.kind_name() == "scoped_identifier")
        .then(|| root.field("path"))
        .flatten()
        .map(|p| crate::analysis::filters::errors::last_segment(ctx.file.node_text(p)))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase()) && t != &"Self")?;
    Some(CalleeName {
        qualified: format!("{ty}::{name}"),
        name: String::new(),
        method_call,
    })
}

/// The transient effect of `site`, with the workspace fn it goes through when the effect model
/// found it there; `None` when it has none (or its service is a database embedded in the
/// process).
fn transient_effect(
    ctx: &MatchCtx<'_, '_>,
    lists: &Lists<'_>,
    site: &TransientSite<'_>,
) -> Option<(Effect, Option<String>)> {
    let chain = &site.chain;
    let awaited = site.awaited;
    let (_, mut effect) = chain.classified(ctx.file, lists, awaited);
    // `self.client.add_label(..)` with `client: hubcaps::Github`: the receiver's name says only
    // that it is a client; its type says which.
    if let Some(e) = effect.as_mut().filter(|e| e.service == UNNAMED_SERVICE) {
        if let Some(service) = local_client_service(ctx, lists, chain.root) {
            e.service = service;
        }
    }
    let mut through = None;
    // The file whose crate makes the effect: this one, or the workspace fn's where it ends.
    let mut effect_path = ctx.file.path.clone();
    if effect.is_none() {
        // A workspace fn, at any depth: `purge_image(..).await`, `self.publish(ev).await`.
        let model = &ctx.index().effects;
        let callee = callee_names(ctx, site);
        if let Some(name) = callee.as_ref().and_then(|c| c.in_model(model)) {
            let bare = callee.as_ref().map(|c| c.name.as_str());
            let summary = model.summary(name);
            // The model followed the call to an effect it retries: no guess from the
            // receiver's name may say otherwise.
            if summary.is_some_and(|s| s.effect.is_some() && s.retried) {
                return None;
            }
            effect = summary
                .filter(|_| !steps_reported_instead(model, name, bare))
                .and_then(|s| transient_effect_of(lists, name, s));
            if effect.is_some() {
                through = Some(name.to_string());
                if let Some(path) = ctx.index().effects.effect_file(name) {
                    effect_path = path.to_string();
                }
            }
        }
    }
    let last = chain.calls.last().map(|(n, _)| n.as_str()).unwrap_or("");
    if effect.is_none() && awaited && !lists.has("non_io_methods", last) {
        let receiver = syntax::receiver_name(ctx.file, chain.root);
        // A receiver the function types from a client crate, or a handle taken from a client;
        // then the repository's own clients (`[vocabulary] clients`); then a client field of
        // this crate.
        let service = local_client_service(ctx, lists, chain.root)
            .or_else(|| {
                let receiver = receiver.to_ascii_lowercase();
                ctx.config
                    .vocabulary
                    .clients
                    .iter()
                    .find(|c| name_matches(&receiver, &c.to_ascii_lowercase()))
                    .cloned()
            })
            .or_else(|| {
                // A client field's name says nothing about a `let` of the same name, which
                // `local_client_service` has read: `let client = DB::cache();` is no field.
                if binding_of(ctx.file, chain.root).is_some() {
                    return None;
                }
                ctx.index()
                    .retry
                    .client_names
                    .get(&(crate_of(ctx), receiver.to_string()))
                    .cloned()
            });
        effect = service.map(|service| Effect {
            service,
            write: !names_a_read(lists, last),
            aws: false,
            what: what_of(last),
        });
    }
    let effect = effect?;
    // A database embedded in the process (SQLite through rusqlite, sled) has no network to
    // blip: its errors are not transient.
    if effect.service == DATABASE_SERVICE {
        let depends = |list: &str| {
            lists
                .list(list)
                .iter()
                .any(|c| ctx.manifests.depends_on(&effect_path, c))
        };
        if depends("embedded_database_crates") && !depends("network_database_crates") {
            return None;
        }
        if opened_from_embedded_crate(ctx.file, lists, chain.root) {
            return None;
        }
    }
    Some((effect, through))
}

fn transient_call(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    let Some(site) = transient_site(ctx, &lists, node) else {
        return false;
    };
    if site.binding.is_some() {
        ctx.anchor = site.binding;
    }
    let Some((effect, through)) = transient_effect(ctx, &lists, &site) else {
        return false;
    };
    if let Some(name) = through {
        ctx.set_var("through_workspace_fn", name);
    }
    let code = syntax::abbreviate(ctx.file, site.call);
    ctx.set_var("effect", code);
    ctx.set_var("service", effect.service.clone());
    ctx.set_var("what", effect.what.clone());
    ctx.set_var("severity", if effect.write { "high" } else { "medium" });
    ctx.set_var("aws", if effect.aws { "yes" } else { "" });
    true
}

/// [`transient_call`]'s gate. The filter reads the index in three places: the effect model's
/// summary of a workspace callee, the clients this file types from client crates, and the
/// client fields of its crate. The key holds what each question needs (whether the call passes
/// without any of them, whether it is awaited, its crate, its file and its workspace callee),
/// so most calls of a tree with no dependency to fail (`x.parse()?`) need not keep the tree.
fn transient_call_key(ctx: &MatchCtx<'_, '_>, args: &[FilterArg]) -> Option<String> {
    let node = ctx.arg_node(&args[0])?;
    let lists = Lists::of(ctx);
    let site = transient_site(ctx, &lists, node)?;
    let alone = transient_effect(ctx, &lists, &site).is_some();
    // The walk's index is not complete: the key holds both names the model may know the
    // callee by, and the gate picks once it is.
    let callee = callee_names(ctx, &site).unwrap_or_default();
    let bit = |b: bool| if b { "1" } else { "0" };
    Some(Gate::key_of(&[
        bit(alone),
        bit(site.awaited),
        bit(callee.method_call),
        &crate_of(ctx),
        &ctx.file.path,
        &callee.qualified,
        &callee.name,
    ]))
}

/// Whether the complete index may let a [`transient_call_key`] pass: true when any of the
/// filter's index questions could be answered yes.
fn transient_call_admits(index: &RepoIndex, key: &str) -> bool {
    let Some([alone, awaited, method_call, krate, path, qualified, callee]) = Gate::fields(key)
    else {
        // Not a key this gate made: let the filter decide.
        return true;
    };
    if alone == "1" {
        return true;
    }
    let names = CalleeName {
        qualified: qualified.to_string(),
        name: callee.to_string(),
        method_call: method_call == "1",
    };
    let through_callee = names.in_model(&index.effects).is_some_and(|name| {
        !steps_reported_instead(&index.effects, name, Some(callee))
            && index.effects.summary(name).is_some_and(is_transient)
    });
    let through_client = awaited == "1"
        && (index.retry.client_imports.contains_key(path)
            || index
                .retry
                .client_names
                .range((krate.to_string(), String::new())..)
                .next()
                .is_some_and(|((k, _), _)| k == krate));
    through_callee || through_client
}

/// Whether every call of workspace fn `name` logs and drops its error itself (in a worker loop
/// or a task nobody waits for), and `name` is part of the work rather than a client of another
/// module: then its steps are reported instead (rule `propagated-to-a-log`), once per failure,
/// and not the call. The model finds callers by bare name, so an owner-qualified `name`
/// (`Worker::process`) asks its bare name too: every call of any `process` includes its calls.
fn steps_reported_instead(model: &EffectModel, name: &str, bare: Option<&str>) -> bool {
    std::iter::once(name)
        .chain(bare)
        .filter_map(|n| Some((n, model.summary(n)?)))
        .any(|(n, s)| {
            s.dropped_directly && s.dropped_at.is_some() && !dropped_at_a_client_call(model, n, s)
        })
}

/// Whether the log line that drops `name`'s error is in a call of it into a client module
/// ([`EffectModel::is_client_call`]: `db.set_status(..)` into `database.rs`). Such a call is
/// where the work talks to the dependency, so it is reported there, not at the client's steps
/// that every caller shares.
fn dropped_at_a_client_call(model: &EffectModel, name: &str, s: &FnSummary) -> bool {
    s.dropped_at
        .as_ref()
        .is_some_and(|site| model.is_client_call(name, &site.path))
}

/// See [`transient_call_key`].
static TRANSIENT_CALL_GATE: Gate = Gate {
    key: transient_call_key,
    admits: transient_call_admits,
};

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

/// Whether a function or method `name` says it reads (`get_user`, `fetch_build`, `list_jobs`):
/// the vocabulary's `read_prefixes`.
fn names_a_read(lists: &Lists<'_>, name: &str) -> bool {
    crate::analysis::effects::named_as_read(lists.list("read_prefixes"), name)
}

/// Whether the effect model's summary of a workspace fn is a transient dependency: a database,
/// object store, queue or remote service reached (directly or through its callees) without a
/// retry on the way, by a fn that returns the error. Only an effect this topic's vocabulary
/// names the service of (a client, an HTTP request, a database statement) counts: the looser
/// name-based guesses of the durable-effect classifier (`mark_tasks_known`, `register_token`)
/// are not evidence of a transient dependency.
fn is_transient(s: &crate::analysis::effects::FnSummary) -> bool {
    use crate::analysis::effects::EffectKind;
    s.returns_result
        && !s.retried
        && s.service.is_some()
        && s.effect
            .as_ref()
            .is_some_and(|e| !matches!(e.kind, EffectKind::Filesystem | EffectKind::Process))
}

/// The effect of a call of workspace fn `name` when [`is_transient`]. A function named as a
/// read (`get_user`) is a read to its caller whatever its body's weightiest call is: failing,
/// it loses only the answer.
fn transient_effect_of(
    lists: &Lists<'_>,
    name: &str,
    s: &crate::analysis::effects::FnSummary,
) -> Option<Effect> {
    use crate::analysis::effects::Action;
    if !is_transient(s) {
        return None;
    }
    let (e, service) = (s.effect.as_ref()?, s.service.as_deref()?);
    let write = e.action != Action::Read && !names_a_read(lists, name);
    Some(Effect {
        service: service.to_string(),
        write,
        aws: false,
        what: if write { what_of(name) } else { "read".into() },
    })
}

/// Whether `call` calls a `retry_wrappers` entry: `retry(..)` for a plain entry, and for a
/// path entry its last two segments (`Retry::spawn(..)` is one; `tokio::task::spawn(..)`,
/// which shares its last name, is not).
pub(crate) fn calls_listed_wrapper(file: &ParsedFile, call: Node<'_>, wrappers: &[String]) -> bool {
    let Some(name) = syntax::call_name(file, call) else {
        return false;
    };
    let path = call
        .field("function")
        .map(|f| file.node_text(f))
        .unwrap_or("");
    // `Retry::spawn::<_, _>(..)`: the path without its type arguments.
    let path = path
        .split('<')
        .next()
        .unwrap_or(path)
        .trim_end_matches("::");
    let mut segments = path.rsplit("::");
    let last = segments.next().unwrap_or("");
    let short = segments.next().map(|q| format!("{q}::{last}"));
    wrappers.iter().any(|w| {
        if w.contains("::") {
            short.as_deref() == Some(w.as_str())
        } else {
            w == name
        }
    })
}

/// Whether `name` (a call's function name or path) is a retry wrapper: the data list, the
/// user's `retry_wrappers`, or a same-crate helper.
fn is_wrapper_call(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, call: Node<'_>) -> bool {
    let Some(name) = syntax::call_name(ctx.file, call) else {
        return false;
    };
    let path = call
        .field("function")
        .map(|f| ctx.file.node_text(f))
        .unwrap_or("");
    let short_path = path.rsplit("::").take(2).collect::<Vec<_>>();
    let short_path = short_path.into_iter().rev().collect::<Vec<_>>().join("::");
    calls_listed_wrapper(ctx.file, call, lists.list("retry_wrappers"))
        || ctx
            .config
            .retry_wrappers
            .iter()
            .any(|w| w == name || w == path || *w == short_path)
        || ctx.index().retry.is_retry_helper(&crate_of(ctx), name)
}

fn retry_covered(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    let file = ctx.file;
    // Wrappers and loops around the call.
    for a in syntax::ancestors(node) {
        match a.kind_name() {
            "function_item" => break,
            "closure_expression" | "async_block" => {
                let mut p = a.parent();
                while let Some(pp) = p {
                    if matches!(
                        pp.kind_name(),
                        "parenthesized_expression"
                            | "closure_expression"
                            | "block"
                            | "expression_statement"
                    ) && pp.kind_name() != "block"
                    {
                        p = pp.parent();
                    } else {
                        break;
                    }
                }
                let Some(p) = p else { continue };
                if p.kind_name() == "arguments" {
                    if let Some(call) = p.parent() {
                        if call.kind_name() == "call_expression"
                            && is_wrapper_call(ctx, &lists, call)
                        {
                            return true;
                        }
                    }
                }
                if p.kind_name() == "field_expression" {
                    let field = p.field("field").map(|f| file.node_text(f)).unwrap_or("");
                    if matches!(field, "retry" | "retry_notify" | "retry_with" | "retry_if")
                        || lists.has("retry_wrappers", field)
                    {
                        return true;
                    }
                }
            }
            "for_expression" | "loop_expression" | "while_expression" if is_retry_loop(file, a) => {
                return true;
            }
            _ => {}
        }
    }
    // The client: retry middleware configured where it was built, or AWS SDK defaults.
    let (call, _) = effect_call(file, &lists, node);
    if call.kind_name() != "call_expression" {
        return false;
    }
    let chain = Chain::of(file, call);
    let krate = crate_of(ctx);
    let mut receivers = vec![syntax::receiver_name(file, chain.root).to_string()];
    if let Some((n, c)) = chain.calls.first() {
        if c.field("arguments")
            .is_some_and(|a| a.named_child_count() == 0)
        {
            receivers.push(n.clone());
        }
    }
    if receivers
        .iter()
        .any(|r| ctx.index().retry.is_retrying_client(&krate, r))
    {
        return true;
    }
    if ctx.vars.get("aws").is_some_and(|a| a == "yes") {
        // A manifest names a crate as `aws-sdk-s3`, code as `aws_sdk_s3`.
        let sdks = &default_retry_lists().sdks;
        let uses_sdk = ctx.index().retry.sdk_crates.contains(&krate)
            || ctx.manifests.crate_of(&file.path).is_some_and(|c| {
                c.dependencies.iter().any(|d| {
                    let d = d.replace('-', "_");
                    sdks.iter().any(|s| d.starts_with(s.as_str()))
                })
            });
        if uses_sdk && !ctx.index().retry.sdk_retry_disabled.contains(&krate) {
            return true;
        }
    }
    // A same-crate fn whose body retries (`notify_with_retry(..)`).
    if let Some((name, _)) = chain.calls.last() {
        if lower_has_retry_word(name) || ctx.index().retry.is_retry_helper(&krate, name) {
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// What happens to the error
// ---------------------------------------------------------------------------------------------

/// Whether a subtree logs: a log macro (`warn!`, `tracing::error!`, `eprintln!`) or a call named
/// like one of the log macros (`report_error(..)`).
fn logs(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, node: Node<'_>) -> bool {
    syntax::descendants(node).any(|d| match d.kind_name() {
        "macro_invocation" => d
            .field("macro")
            .map(|m| {
                let t = ctx.file.node_text(m);
                t.rsplit("::").next().unwrap_or(t).to_string()
            })
            .is_some_and(|m| lists.has("log_macros", &m)),
        // `log_message(&msg, INFO)`, `write_log(..)`: a project's own log function.
        "call_expression" => syntax::call_name(ctx.file, d)
            .is_some_and(|n| lists.has("log_macros", n) || n.split('_').any(|w| w == "log")),
        _ => false,
    })
}

/// Whether the error `stmt`'s `Err` branch handles is logged: in the branch itself, or, when
/// the branch only builds a message (`let msg = match resp { Ok(r) => .., Err(e) =>
/// format!("failed: {e}") };`), by a log call right after the `let` that names the message
/// (`log_message(&msg, INFO).await;`).
fn error_logged(
    ctx: &MatchCtx<'_, '_>,
    lists: &Lists<'_>,
    stmt: Node<'_>,
    branch: Node<'_>,
) -> bool {
    if logs(ctx, lists, branch) {
        return true;
    }
    let Some(binding) = stmt.parent().filter(|p| p.kind_name() == "let_declaration") else {
        return false;
    };
    let Some(name) = binding
        .field("pattern")
        .filter(|p| p.kind_name() == "identifier")
        .map(|p| ctx.file.node_text(p))
    else {
        return false;
    };
    // The message: the branch's value is a string it formats, with the error in it.
    let message = tail_value(branch).is_some_and(|v| {
        let t = ctx.file.node_text(v);
        t.starts_with("format!")
            || t.starts_with("e.to_string()")
            || t.starts_with("err.to_string()")
    });
    message
        && std::iter::successors(binding.next_named_sibling(), |n| n.next_named_sibling())
            .filter(|n| n.kind_name() != "line_comment" && n.kind_name() != "block_comment")
            .take(2)
            .any(|n| {
                logs(ctx, lists, n)
                    && syntax::descendants(n)
                        .any(|d| d.kind_name() == "identifier" && ctx.file.node_text(d) == name)
            })
}

/// Whether an Err branch hands the error (or an error status) back, requeues, or diverges.
fn propagates_or_requeues(
    ctx: &MatchCtx<'_, '_>,
    lists: &Lists<'_>,
    branch: Node<'_>,
    in_spawn: bool,
) -> bool {
    let text = ctx.file.node_text(branch);
    if lists
        .list("requeue_words")
        .iter()
        .any(|w| text.contains(w.as_str()))
    {
        return true;
    }
    if in_spawn {
        return false;
    }
    for d in syntax::descendants(branch) {
        match d.kind_name() {
            "return_expression" => {
                let Some(returned) = d.named_child(0) else {
                    continue;
                };
                let value = ctx.file.node_text(returned);
                // `return vec![Action::Ack]` hands the queue an acknowledgement, not an error.
                if !value.is_empty()
                    && !value.starts_with("Ok(")
                    && value != "()"
                    && !is_success_status(value)
                    && !answers_as_on_success(ctx.file, branch, value)
                    && acked_in(ctx, lists, returned).is_none()
                {
                    return true;
                }
            }
            "try_expression" => return true,
            "macro_invocation" => {
                let m = d
                    .field("macro")
                    .map(|m| ctx.file.node_text(m))
                    .unwrap_or("");
                let m = m.rsplit("::").next().unwrap_or(m);
                if matches!(m, "bail" | "ensure")
                    || syntax::PANIC_MACROS.contains(&m)
                    || ctx.config.vocabulary.error_macros.iter().any(|e| e == m)
                    || ctx.index().effects.is_error_macro(m)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    // A tail value that is an error, an error status or response (`HttpResponse::
    // ServiceUnavailable()`: the vocabulary's `error_responses`), or a workspace macro that
    // expands to an `Err` (`json_err!("..")`): the caller sees the failure.
    if let Some(tail) = tail_value(branch) {
        let t = ctx.file.node_text(tail);
        let error_value_macro = tail.kind_name() == "macro_invocation"
            && tail.field("macro").is_some_and(|m| {
                let m = ctx.file.node_text(m);
                ctx.index()
                    .effects
                    .is_error_value_macro(m.rsplit("::").next().unwrap_or(m))
            });
        if t.starts_with("Err(")
            || (t.contains("StatusCode::") && !is_success_status(t))
            || t.contains("_error(")
            || error_value_macro
            || lists
                .list("error_responses")
                .iter()
                .any(|r| t.contains(r.as_str()))
        {
            return true;
        }
    }
    false
}

fn is_success_status(t: &str) -> bool {
    [
        "StatusCode::OK",
        "StatusCode::ACCEPTED",
        "StatusCode::NO_CONTENT",
        "StatusCode::CREATED",
    ]
    .iter()
    .any(|s| t.contains(s))
        && !t.contains("StatusCode::BAD")
}

/// The longest `return ..;` value [`tail_value`] reads.
const MAX_RETURNED_VALUE_BYTES: usize = 4 * 1024;

/// The value a branch evaluates to: the arm's expression, a block's last expression without
/// a trailing `;` (a trailing `match` or `if .. else` whose branches all end in values
/// included), or the value of a closing `return ..;`.
fn tail_value(branch: Node<'_>) -> Option<Node<'_>> {
    tail_value_within(branch, 0)
}

/// Most nested `match`/`if` tails [`tail_value`] looks into: a hostile file's deep nesting
/// costs a bounded walk, not the stack.
const MAX_TAIL_NESTING: usize = 8;

fn tail_value_within(branch: Node<'_>, depth: usize) -> Option<Node<'_>> {
    if branch.kind_name() != "block" {
        return Some(branch);
    }
    let last = branch.named_child(branch.named_child_count().checked_sub(1)?)?;
    // `return fallback;` ends the branch in a value as much as a tail expression does. A value
    // longer than a fallback ever is (a PR's 100,000 nested returns) is not read: each level's
    // text would be searched again, quadratic in the nesting.
    if last.kind_name() == "expression_statement" {
        if let Some(value) = last
            .named_child(0)
            .filter(|r| r.kind_name() == "return_expression")
            .and_then(|r| r.named_child(0))
        {
            return (value.byte_range().len() <= MAX_RETURNED_VALUE_BYTES).then_some(value);
        }
    }
    // A trailing `match` or `if .. else` is written as a statement, yet without a `;` it is
    // the block's value when each of its branches ends in one:
    // `Err(e) => { warn!(..); match render(page) { Ok(html) => Html(html), Err(_) => oops() } }`.
    if last.kind_name() == "expression_statement" && !ends_with_semicolon(last) {
        if let Some(inner) = last.named_child(0) {
            if let Some(value) = branching_value(inner, depth) {
                return Some(value);
            }
        }
    }
    if last.kind_name().ends_with("_statement")
        || last.kind_name() == "let_declaration"
        || last.kind_name().ends_with("comment")
    {
        return None;
    }
    Some(last)
}

/// Whether a statement ends with `;` (read off its last child, no text needed).
fn ends_with_semicolon(stmt: Node<'_>) -> bool {
    stmt.child(stmt.child_count().saturating_sub(1))
        .is_some_and(|c| c.kind_name() == ";")
}

/// The value a `match` or `if .. else` yields when every branch ends in one (see
/// [`tail_value`]): the first branch's value stands for all of them. `None` when a branch ends
/// in nothing (`()`, a statement, a log macro) or the `if` has no `else`.
fn branching_value(expr: Node<'_>, depth: usize) -> Option<Node<'_>> {
    if depth >= MAX_TAIL_NESTING {
        return None;
    }
    let branches: Vec<Node<'_>> = match expr.kind_name() {
        "match_expression" => super::loops::arms_of(expr)
            .into_iter()
            .map(|arm| arm.field("value"))
            .collect::<Option<Vec<_>>>()?,
        "if_expression" => {
            let alternative = expr.field("alternative")?.named_child(0)?;
            vec![expr.field("consequence")?, alternative]
        }
        _ => return None,
    };
    let mut first = None;
    for branch in branches {
        let value = tail_value_within(branch, depth + 1)?;
        if value.kind_name() == "unit_expression" || value.kind_name() == "macro_invocation" {
            return None;
        }
        first.get_or_insert(value);
    }
    first
}

/// Whether a `match` arm's pattern is `Err(e)`, `Err(_)`, `Err(..)` or `_` with no guard: the
/// arm any error reaches.
pub(crate) fn is_catch_all_err(pattern: &str) -> bool {
    let inner = match pattern.strip_prefix("Err(") {
        Some(rest) => rest.strip_suffix(')').unwrap_or(rest).trim(),
        None => pattern.trim(),
    };
    inner == ".."
        || (!inner.is_empty()
            && inner
                .trim_start_matches("ref ")
                .trim_start_matches("mut ")
                .chars()
                .all(|c| c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// The Err branch of an `if let Err(..) = ..` or a `match` on a Result: of a `match`, the
/// catch-all `Err` arm when it has one, else its first `Err` arm.
fn err_branch<'t>(ctx: &MatchCtx<'_, 't>, stmt: Node<'t>) -> Option<Node<'t>> {
    match stmt.kind_name() {
        "if_expression" => {
            let cond = stmt.field("condition")?;
            if cond.kind_name() == "let_chain" {
                // `if ready && let Err(e) = call {..}`: the body runs on the error (an `Ok`
                // pattern's `else` runs on any failed condition, so it is not read as one).
                let on_err = err_let_condition(ctx.file, cond).is_some();
                return on_err.then(|| stmt.field("consequence")).flatten();
            }
            let pat = ctx.file.node_text(cond.field("pattern")?);
            if pat.starts_with("Err") {
                stmt.field("consequence")
            } else if pat.starts_with("Ok") {
                stmt.field("alternative").and_then(|e| e.named_child(0))
            } else {
                None
            }
        }
        "match_expression" => {
            let err_arms: Vec<(&str, Node<'t>)> = super::loops::arms_of(stmt)
                .into_iter()
                .filter_map(|arm| {
                    let pat = ctx.file.node_text(arm.field("pattern")?);
                    (pat.starts_with("Err") || pat.contains("::Err") || pat.starts_with("_"))
                        .then(|| Some((pat, arm.field("value")?)))
                        .flatten()
                })
                .collect();
            // `Err(UniqueViolation) => debug!(..), Err(e) => return Err(e)`: an arm for one
            // expected error is not where a transient error goes; the catch-all arm is.
            err_arms
                .iter()
                .find(|(pat, _)| is_catch_all_err(pat))
                .or(err_arms.first())
                .map(|&(_, value)| value)
        }
        _ => None,
    }
}

/// `logged_and_dropped`'s gate: its `Err` branch must exist and log, which the tree alone
/// says (the rest reads the severity `transient_call` sets).
static LOGGED_AND_DROPPED_GATE: Gate = Gate {
    key: |ctx, args| {
        let stmt = ctx.arg_node(&args[0])?;
        let branch = err_branch(ctx, stmt)?;
        error_logged(ctx, &Lists::of(ctx), stmt, branch).then(String::new)
    },
    admits: |_, _| true,
};

/// The most nodes of an `Err` branch [`replies_to_user`] reads (a PR can write a branch of
/// 100,000 statements).
const MAX_BRANCH_NODES: usize = 5_000;

/// Whether an `Err` branch answers the person who asked: a call of the vocabulary's
/// `user_reply_calls` (`msg.reply(..)`, `component.create_interaction_response(..)`), or a
/// send of anything but `Ok(..)` on a reply channel (`reply.send(Verdict::Deny)`, a receiver
/// with a word of `reply_channel_words`: `respond_to`, `reply_tx`). A request that is told it
/// failed has handed the retry to whoever made it.
fn replies_to_user(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, branch: Node<'_>) -> bool {
    let replies = lists.list("user_reply_calls");
    let file = ctx.file;
    let answers_on_reply_channel = |call: Node<'_>| {
        let on_reply_channel = syntax::call_receiver(call).is_some_and(|r| {
            let name = syntax::receiver_name(file, syntax::unwrap_expression(r));
            name.split('_')
                .any(|w| lists.has("reply_channel_words", &w.to_ascii_lowercase()))
        });
        let failure_sent = call
            .field("arguments")
            .and_then(|a| a.named_child(0))
            .is_some_and(|v| !file.node_text(v).starts_with("Ok("));
        on_reply_channel && failure_sent
    };
    syntax::descendants(branch)
        .take(MAX_BRANCH_NODES)
        .filter(|d| d.kind_name() == "call_expression")
        .any(|d| match syntax::call_name(file, d) {
            Some("send") => answers_on_reply_channel(d),
            Some(name) => replies.iter().any(|r| r == name),
            None => false,
        })
}

/// The `let Err(..) = ..` of a let chain (`if ready && let Err(e) = call {..}`).
fn err_let_condition<'t>(file: &ParsedFile, chain: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = chain.walk();
    let found = chain.named_children(&mut cursor).find(|c| {
        c.kind_name() == "let_condition"
            && c.field("pattern")
                .is_some_and(|p| file.node_text(p).starts_with("Err"))
    });
    found
}

/// The name an Err branch binds the error to: `e` of `Err(e) => ..` or `if let Err(e) = ..`.
fn err_binding<'f>(file: &'f ParsedFile, branch: Node<'_>) -> Option<&'f str> {
    let parent = branch.parent()?;
    let pattern = match parent.kind_name() {
        "match_arm" => parent.field("pattern")?,
        "if_expression" => {
            let cond = parent.field("condition")?;
            if cond.kind_name() == "let_chain" {
                err_let_condition(file, cond)?.field("pattern")?
            } else {
                cond.field("pattern")?
            }
        }
        _ => return None,
    };
    let inner = file
        .node_text(pattern)
        .strip_prefix("Err(")?
        .strip_suffix(')')?
        .trim();
    let plain =
        !inner.is_empty() && inner != "_" && inner.chars().all(|c| c.is_alphanumeric() || c == '_');
    plain.then_some(inner)
}

/// Most `let`s of an Err branch [`hands_error_on`] reads for names built from the error.
const MAX_DERIVED_LETS: usize = 32;

/// Whether an Err branch hands the error on to someone: the error (or a value the branch
/// builds from it, `let msg = e.to_string();`) is an argument of a call that is not a log
/// line: stored in state the user sees (`set_error.update(|v| *v = Some(msg))`), posted back
/// (`client.post_comment(pr, error)`), sent to a channel. Whoever gets it can act on it.
fn hands_error_on(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, branch: Node<'_>) -> bool {
    let file = ctx.file;
    let Some(binding) = err_binding(file, branch) else {
        return false;
    };
    let nodes: Vec<Node<'_>> = syntax::descendants(branch).take(MAX_BRANCH_NODES).collect();
    // The error's names, in order: the binding, then each `let` whose value names one of them.
    let mut names: Vec<&str> = vec![binding];
    for d in nodes
        .iter()
        .filter(|d| d.kind_name() == "let_declaration")
        .take(MAX_DERIVED_LETS)
    {
        if let (Some(p), Some(v)) = (d.field("pattern"), d.field("value")) {
            let named = nodes.iter().any(|n| {
                n.kind_name() == "identifier"
                    && v.byte_range().contains(&n.start_byte())
                    && names.contains(&file.node_text(*n))
            });
            if p.kind_name() == "identifier" && named && names.len() < 8 {
                names.push(file.node_text(p));
            }
        }
    }
    // Where the branch names the error (preorder, so sorted by offset): as a name, or
    // inlined in a format string (`format!("failed: {error}")`).
    let inlined = |text: &str| {
        names
            .iter()
            .any(|n| text.contains(&format!("{{{n}}}")) || text.contains(&format!("{{{n}:")))
    };
    let uses: Vec<usize> = nodes
        .iter()
        .filter(|n| match n.kind_name() {
            "identifier" => names.contains(&file.node_text(**n)),
            "string_literal" => inlined(file.node_text(**n)),
            _ => false,
        })
        .map(|n| n.start_byte())
        .collect();
    nodes
        .iter()
        .filter(|d| d.kind_name() == "call_expression")
        .any(|d| {
            let Some(name) = syntax::call_name(file, *d) else {
                return false;
            };
            if lists.has("log_macros", name) || name.split('_').any(|w| w == "log") {
                return false;
            }
            // `e.to_string()`, `e.kind()`: reading the error, not handing it on.
            if syntax::call_receiver(*d).is_some_and(|r| names.contains(&file.node_text(r))) {
                return false;
            }
            d.field("arguments").is_some_and(|a| {
                let range = a.byte_range();
                let from = uses.partition_point(|&u| u < range.start);
                uses.get(from).is_some_and(|&u| u < range.end)
            })
        })
}

fn logged_and_dropped(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    let Some(branch) = err_branch(ctx, stmt) else {
        return false;
    };
    if !error_logged(ctx, &lists, stmt, branch) {
        return false; // silent: swallowed-error's finding (docs/checks/missing-retry.md)
    }
    let in_spawn = fire_and_forget_spawn(ctx, stmt).is_some();
    if propagates_or_requeues(ctx, &lists, branch, in_spawn)
        || replies_to_user(ctx, &lists, branch)
        || hands_error_on(ctx, &lists, branch)
    {
        return false;
    }
    // An Err branch that ends in a value has handled the error: a read falls back (cache,
    // default), a write answers with a message or a failure value the caller acts on. Only a
    // branch that ends in nothing (`()`, `continue`, `Ok(())`, a log macro) drops it, or one
    // that acknowledges the work item (`return vec![Action::Ack]`): its value tells the queue
    // to forget the message.
    let read = ctx.vars.get("severity").is_some_and(|s| s == "medium");
    let acks = acked_in(ctx, &lists, branch).is_some();
    if let Some(tail) = tail_value(branch).filter(|_| !acks) {
        let t = ctx.file.node_text(tail);
        // After a failed write, answering success (`StatusCode::OK`, `Ok(..)`, or whatever the
        // function answers when all went well) hides it.
        let answers_success = t.starts_with("Ok(")
            || is_success_status(t)
            || answers_as_on_success(ctx.file, stmt, t);
        if !t.is_empty()
            && t != "()"
            && (tail.kind_name() != "macro_invocation" || builds_a_value(ctx, tail))
            && !t.starts_with("continue")
            && !t.starts_with("Ok(())")
            && (read || !answers_success)
        {
            return false;
        }
    }
    if read
        && stmt
            .parent()
            .is_some_and(|p| p.kind_name() == "let_declaration")
    {
        return false;
    }
    true
}

/// The consume method with which an `Err` branch acknowledges the work item: one it names
/// itself (`delivery.ack()`, `return vec![Action::Ack]`), or the one a workspace helper it
/// calls answers with (`return Ok(self.actions().skip(job));`, where `skip` is
/// `vec![Action::Ack]`). The queue will not hand the item out again.
fn acked_in<'a>(ctx: &MatchCtx<'a, '_>, lists: &Lists<'a>, branch: Node<'_>) -> Option<&'a str> {
    if let Some(word) = consume_word_in(ctx.file, lists, branch) {
        return Some(word);
    }
    if branch.byte_range().len() > MAX_SCANNED_BRANCH_BYTES {
        return None;
    }
    let effects = &ctx.index().effects;
    syntax::descendants(branch)
        .filter(|d| d.kind_name() == "call_expression")
        .filter_map(|c| syntax::call_name(ctx.file, c))
        .find_map(|name| effects.answers_ack(name))
}

/// Whether `mac`, a macro invocation, is one of the vocabulary's `value_macros` (`vec![]`,
/// `json!(..)`): it yields a value, where a log macro yields nothing.
fn builds_a_value(ctx: &MatchCtx<'_, '_>, mac: Node<'_>) -> bool {
    mac.field("macro").is_some_and(|m| {
        let m = ctx.file.node_text(m);
        ctx.data
            .contains("value_macros", m.rsplit("::").next().unwrap_or(m))
    })
}

/// Whether `value`, what an `Err` branch in `stmt` returns, is what the function around it
/// returns at its end, when all went well: `return render_success_page(&state);` after a
/// failed send, in a handler that ends in `render_success_page(&state)`. The caller cannot
/// tell the failure from a success.
fn answers_as_on_success(file: &ParsedFile, stmt: Node<'_>, value: &str) -> bool {
    let spaced = |t: &str| t.split_whitespace().collect::<String>();
    let Some(tail) = syntax::enclosing_function(stmt)
        .and_then(|f| f.field("body"))
        .and_then(|body| body.named_child(body.named_child_count().checked_sub(1)?))
        .filter(|last| last.kind_name() != "expression_statement" || !ends_with_semicolon(*last))
    else {
        return false;
    };
    // The tail is the function's own last expression, not the statement under test.
    !tail.byte_range().contains(&stmt.start_byte())
        && value.len() <= MAX_RETURNED_VALUE_BYTES
        && spaced(file.node_text(tail)) == spaced(value)
}

fn discarded_with_log(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    let node = syntax::unwrap_expression(node);
    if node.kind_name() != "call_expression" {
        return false;
    }
    let chain = Chain::of(ctx.file, node);
    let mut logged = false;
    for (name, call) in &chain.calls {
        if matches!(
            name.as_str(),
            "inspect_err" | "map_err" | "unwrap_or_else" | "or_else" | "map_or_else"
        ) {
            if let Some(a) = call.field("arguments") {
                if logs(ctx, &lists, a) {
                    logged = true;
                }
            }
        }
    }
    let last = chain.calls.last().map(|(n, _)| n.as_str()).unwrap_or("");
    logged
        && matches!(
            last,
            "ok" | "unwrap_or_default" | "unwrap_or" | "unwrap_or_else" | "map_err" | "inspect_err"
        )
}

/// The fire-and-forget spawn whose task contains `node` (with no loop or nested closure in
/// between): `tokio::spawn(async move { .. });` whose JoinHandle is dropped.
fn fire_and_forget_spawn<'t>(ctx: &MatchCtx<'_, 't>, node: Node<'t>) -> Option<Node<'t>> {
    spawn_around(ctx, node, false)
}

/// The fire-and-forget spawn a `?` statement ends by leaving the loop of its task:
/// `tokio::spawn(async move { loop { sync(&db).await?; sleep(HOUR).await; } })`. The first
/// failure ends the task, so no later round runs: the loop (a periodic job, a consumer) is
/// stopped for good, and the error is dropped with the JoinHandle. `None` when there is no loop
/// between the statement and the task, or the statement is in a closure of its own.
fn spawned_loop_ended_by<'t>(ctx: &MatchCtx<'_, 't>, stmt: Node<'t>) -> Option<Node<'t>> {
    let in_loop = syntax::ancestors(stmt)
        .take_while(|a| {
            !matches!(
                a.kind_name(),
                "async_block" | "closure_expression" | "function_item"
            )
        })
        .any(|a| {
            matches!(
                a.kind_name(),
                "loop_expression" | "while_expression" | "for_expression"
            )
        });
    if !in_loop {
        return None;
    }
    spawn_around(ctx, stmt, true)
}

/// The fire-and-forget spawn whose task (an async block or closure handed to a spawn) holds
/// `node`, with no nested closure in between, and no loop unless `through_loops`.
fn spawn_around<'t>(
    ctx: &MatchCtx<'_, 't>,
    node: Node<'t>,
    through_loops: bool,
) -> Option<Node<'t>> {
    for a in syntax::ancestors(node) {
        match a.kind_name() {
            "function_item" => return None,
            "loop_expression" | "for_expression" | "while_expression" if !through_loops => {
                return None
            }
            "async_block" | "closure_expression" => {
                return syntax::fire_and_forget_spawn_of(ctx.file, a, |name, path| {
                    ctx.data.contains("task_spawns", name)
                        || ctx.config.vocabulary.is_spawn_wrapper(name, path)
                        || ctx
                            .index()
                            .effects
                            .summary(name)
                            .is_some_and(|s| s.spawns_arg)
                });
            }
            _ => {}
        }
    }
    None
}

/// Whether the enclosing fn is a GitHub webhook handler (GitHub does not redeliver).
fn in_github_webhook(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, node: Node<'_>) -> bool {
    syntax::ancestors(node)
        .filter(|a| a.kind_name() == "function_item")
        .last()
        .is_some_and(|func| is_github_webhook(ctx, lists, func))
}

/// Whether `func` is a GitHub webhook handler: its name says so, or its text names a marker of
/// the list `github_webhook_markers`.
fn is_github_webhook(ctx: &MatchCtx<'_, '_>, lists: &Lists<'_>, func: Node<'_>) -> bool {
    let name = func
        .field("name")
        .map(|n| ctx.file.node_text(n).to_ascii_lowercase())
        .unwrap_or_default();
    if name.contains("github") && (name.contains("hook") || name.contains("event")) {
        return true;
    }
    let text = ctx.file.node_text(func).to_ascii_lowercase();
    lists
        .list("github_webhook_markers")
        .iter()
        .any(|m| text.contains(&m.to_ascii_lowercase()))
}

/// Most ancestors [`PROPAGATES_NOWHERE_GATE`] reads, and largest function whose text it
/// searches, per statement: past either its key admits, and the filter decides with the
/// complete index. A hostile file (deep nesting, one huge function) then costs each statement
/// a bounded amount.
const GATE_MAX_CLIMB: usize = 256;
const GATE_MAX_FN_BYTES: usize = 64 * 1024;

/// `propagates_nowhere`'s gate: the statement must run in a task body or in a GitHub webhook
/// handler, which the tree alone says (the rest reads what `transient_call` found).
static PROPAGATES_NOWHERE_GATE: Gate = Gate {
    key: |ctx, args| {
        let stmt = ctx.arg_node(&args[0])?;
        // Empty when the walk gave up (deeper than it looks): admitted, like too deep.
        let ancestors = syntax::ancestors_from(ctx.file.tree.root_node(), stmt);
        if ancestors.is_empty() || ancestors.len() > GATE_MAX_CLIMB {
            return Some(String::new());
        }
        // The first closure, async block or fn up says whether the statement runs in a task
        // body, in a loop of it or not (where a fire-and-forget spawn's task runs: see
        // `fire_and_forget_spawn` and `spawned_loop_ended_by`).
        let in_task_body = ancestors.iter().find_map(|a| match a.kind_name() {
            "async_block" | "closure_expression" => Some(true),
            "function_item" => Some(false),
            _ => None,
        });
        if in_task_body == Some(true) {
            return Some(String::new());
        }
        let func = ancestors
            .iter()
            .rev()
            .find(|a| a.kind_name() == "function_item")?;
        if func.byte_range().len() > GATE_MAX_FN_BYTES {
            return Some(String::new());
        }
        is_github_webhook(ctx, &Lists::of(ctx), *func).then(String::new)
    },
    admits: |_, _| true,
};

fn propagates_nowhere(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    if fire_and_forget_spawn(ctx, stmt).is_some() || spawned_loop_ended_by(ctx, stmt).is_some() {
        return true;
    }
    let write = ctx.vars.get("severity").is_some_and(|s| s == "high");
    let database = ctx
        .vars
        .get("service")
        .is_some_and(|s| s == DATABASE_SERVICE);
    if !write || database || !in_github_webhook(ctx, &lists, stmt) {
        return false;
    }
    // The `?` must reach the handler itself, not a closure or async block inside it.
    !syntax::ancestors(stmt)
        .take_while(|a| a.kind_name() != "function_item")
        .any(|a| matches!(a.kind_name(), "closure_expression" | "async_block"))
}

/// The `consume_methods` entry a node names in its code (`return vec![Action::Ack];`,
/// `Ok(Action::Ack)`, `delivery.ack().await`; case aside): an `Err` branch that does
/// acknowledges the work item, so the queue will not hand it out again. Only identifiers count,
/// not a log message's words (`warn!("ack failed")`), and a `Nack` or `Requeue` is not `ack`.
/// `None` when it names none, or is larger than a fallback or log-and-ack ever is (a hostile
/// branch costs each statement a bounded walk).
fn consume_word_in<'a>(file: &ParsedFile, lists: &Lists<'a>, node: Node<'_>) -> Option<&'a str> {
    names_consume_word(file, lists.list("consume_methods"), node)
}

/// The first of `names` (the vocabulary's `consume_methods`) that a name in `node` spells,
/// ignoring case (`Action::Ack`, `delivery.ack()`); nodes longer than a branch ever is are
/// not read.
pub(crate) fn names_consume_word<'a>(
    file: &ParsedFile,
    names: &'a [String],
    node: Node<'_>,
) -> Option<&'a str> {
    if node.byte_range().len() > MAX_SCANNED_BRANCH_BYTES {
        return None;
    }
    syntax::descendants(node)
        .filter(|d| {
            matches!(
                d.kind_name(),
                "identifier" | "field_identifier" | "type_identifier"
            )
        })
        .find_map(|d| {
            let word = file.node_text(d);
            names
                .iter()
                .find(|m| m.eq_ignore_ascii_case(word))
                .map(String::as_str)
        })
}

/// Largest node [`consume_word_in`] reads.
const MAX_SCANNED_BRANCH_BYTES: usize = 16 * 1024;

/// The statements after `stmt` in its block and the enclosing blocks, up to the fn or the given
/// loop body: used to see whether the work item is consumed (acked, deleted) anyway.
fn later_calls<'a, 't>(
    ctx: &MatchCtx<'a, 't>,
    stmt: Node<'t>,
    stop: Option<Node<'t>>,
) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut cur = stmt;
    for _ in 0..64 {
        let mut sib = cur.next_sibling();
        while let Some(s) = sib {
            for d in syntax::descendants(s).filter(|d| d.kind_name() == "call_expression") {
                if let Some(n) = syntax::call_name(ctx.file, d) {
                    out.push(n);
                }
            }
            sib = s.next_sibling();
        }
        let Some(p) = cur.parent() else { break };
        if p.kind_name() == "function_item"
            || p.kind_name() == "closure_expression"
            || stop.is_some_and(|s| s.id() == p.id())
        {
            break;
        }
        cur = p;
    }
    out
}

/// The name of the fn whose error a `?` in `stmt` becomes: `None` when the `?` reaches a
/// closure or async block inside it first, or no named fn.
fn propagating_fn<'f>(file: &'f ParsedFile, stmt: Node<'_>) -> Option<&'f str> {
    let mut func = None;
    for a in syntax::ancestors(stmt).take(48) {
        match a.kind_name() {
            "closure_expression" | "async_block" => return None,
            "function_item" => {
                func = Some(a);
                break;
            }
            _ => {}
        }
    }
    func.and_then(|f| f.field("name"))
        .map(|n| file.node_text(n))
}

/// `error_dropped_upstream`'s gate: the fn the `?` leaves, whose error must end in a log line
/// per the effect model; most fns' callers handle it, so most `?` statements need not keep
/// their tree.
static ERROR_DROPPED_UPSTREAM_GATE: Gate = Gate {
    key: |ctx, args| propagating_fn(ctx.file, ctx.arg_node(&args[0])?).map(str::to_string),
    admits: |index, name| {
        index
            .effects
            .summary(name)
            .is_some_and(|s| s.dropped_at.is_some())
    },
};

fn error_dropped_upstream(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(name) = propagating_fn(ctx.file, stmt) else {
        return false;
    };
    // Reported once per failure, where the work calls the dependency: at a step of the fn
    // whose callers drop the error themselves (`process` under the worker loop), or, in any
    // function whose error ends so, at a call into a client module of the workspace
    // (`self.github.post_comment(..)?` into `github.rs`). Not at the steps inside that client,
    // shared by all its callers, and not at a call of a same-file helper whose own steps are
    // reported.
    let index = ctx.index();
    let calls_client = ctx
        .vars
        .get("through_workspace_fn")
        .is_some_and(|callee| index.effects.is_client_call(callee, &ctx.file.path));
    let Some(site) = index
        .effects
        .summary(name)
        .filter(|s| {
            if ctx.vars.contains_key("through_workspace_fn") {
                calls_client
            } else {
                s.dropped_directly && !dropped_at_a_client_call(&index.effects, name, s)
            }
        })
        .and_then(|s| s.dropped_at.clone())
    else {
        return false;
    };
    ctx.set_var(
        "dropped_at",
        format!(
            "{} ({}:{})",
            crate::analysis::markup::code(&site.function),
            site.path,
            site.line
        ),
    );
    true
}

fn in_periodic_work(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    ctx.arg_node(&args[0])
        .is_some_and(|node| runs_as_periodic_work(ctx, node))
}

/// Whether `node` runs as periodic work (see the `in_periodic_work` filter): a timer-paced loop
/// around it in its function, a closure handed to a scheduler around it, or a function the
/// effect model counts as periodic work.
fn runs_as_periodic_work(ctx: &MatchCtx<'_, '_>, node: Node<'_>) -> bool {
    let file = ctx.file;
    if in_scheduled_closure(file, node, ctx.data) {
        return true;
    }
    let wait_calls = ctx.list_named_with_additions("wait_calls");
    let timer_calls = ctx.data.list("timer_calls");
    let paced_loop = loops_around(node).any(|l| loops::is_paced(file, l, &wait_calls, timer_calls));
    paced_loop
        || syntax::enclosing_function(node)
            .and_then(|f| f.field("name"))
            .is_some_and(|n| ctx.index().effects.in_periodic_work(file.node_text(n)))
}

/// The loops around `node` in its own body, innermost first: up to the first fn, closure or
/// async block around it (a loop outside that runs the closure again, not this statement).
fn loops_around(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    syntax::ancestors(node)
        .take_while(|a| {
            !matches!(
                a.kind_name(),
                "function_item" | "closure_expression" | "async_block"
            )
        })
        .filter(|a| {
            matches!(
                a.kind_name(),
                "loop_expression" | "for_expression" | "while_expression"
            )
        })
}

/// Whether the function around `stmt` also makes the same call of a workspace function (same
/// callee, same arguments) on a timer: run once now, then on every tick (`refresh(&db).ok();`
/// followed by `scheduler.every(1.hour()).run(move || refresh(&db).ok())`, or a `loop` that
/// ticks). The next tick repeats what this attempt missed. A `for` loop that sleeps is a retry
/// or a paced batch, not a timer, and a call with other arguments is other work.
fn also_runs_on_a_timer(ctx: &MatchCtx<'_, '_>, stmt: Node<'_>) -> bool {
    let Some(callee) = ctx.vars.get("through_workspace_fn") else {
        return false;
    };
    let callee = syntax::last_segment(callee);
    let Some(func) = syntax::enclosing_function(stmt) else {
        return false;
    };
    if func.byte_range().len() > GATE_MAX_FN_BYTES {
        return false;
    }
    let file = ctx.file;
    let same_callee = |c: &Node<'_>| {
        c.kind_name() == "call_expression"
            && syntax::call_name(file, *c).is_some_and(|n| syntax::last_segment(n) == callee)
    };
    let spaced = |c: Node<'_>| -> String { file.node_text(c).split_whitespace().collect() };
    let here: Vec<String> = syntax::descendants(stmt)
        .filter(same_callee)
        .map(spaced)
        .collect();
    if here.is_empty() {
        return false;
    }
    let timer_loop = |c: Node<'_>| {
        loops_around(c)
            .filter(|l| l.kind_name() != "for_expression")
            .any(|l| paced_by_its_own_statement(file, l))
    };
    syntax::descendants(func)
        .filter(same_callee)
        .filter(|c| !stmt.byte_range().contains(&c.start_byte()))
        .filter(|c| here.contains(&spaced(*c)))
        .any(|c| in_scheduled_closure(file, c, ctx.data) || timer_loop(c))
}

/// Whether a statement of `loop_node`'s own body waits for the next round: `ticker.tick().await;`
/// or `sleep(PERIOD).await;`. A sleep nested deeper (a `select!` arm's read timeout, a backoff in
/// an `Err` branch) does not pace the loop.
fn paced_by_its_own_statement(file: &ParsedFile, loop_node: Node<'_>) -> bool {
    let Some(body) = loop_node.field("body") else {
        return false;
    };
    let mut cursor = body.walk();
    // The statement is the wait itself (`sleep(d).await;`), not a macro or block holding one.
    let paced = body.named_children(&mut cursor).any(|s| {
        s.kind_name() == "expression_statement"
            && s.named_child(0).is_some_and(|e| {
                matches!(e.kind_name(), "await_expression" | "call_expression") && {
                    let t = file.node_text(e);
                    !t.contains('{') && (t.contains(".tick()") || t.contains("sleep("))
                }
            })
    });
    paced
}

/// Whether `node` is inside a closure passed to a call whose method chain makes one of
/// the vocabulary's `timer_calls`: `scheduler.every(1.hour()).run(move || sync(&db))`,
/// `ctx.run_interval(d, |act, _| act.flush())`. The scheduler runs the closure again on its
/// next round.
fn in_scheduled_closure(file: &ParsedFile, node: Node<'_>, data: &CheckData) -> bool {
    syntax::ancestors(node)
        .take_while(|a| a.kind_name() != "function_item")
        .filter(|a| a.kind_name() == "closure_expression")
        .filter_map(|c| {
            c.parent()
                .filter(|p| p.kind_name() == "arguments")
                .and_then(|p| p.parent())
                .filter(|call| call.kind_name() == "call_expression")
        })
        .any(|call| {
            // The call and the calls its receiver chain makes (`every(..)` in
            // `scheduler.every(..).run(..)`).
            std::iter::successors(Some(call), |c| {
                syntax::call_receiver(*c).filter(|r| r.kind_name() == "call_expression")
            })
            .take(16)
            .filter_map(|c| syntax::call_name(file, c))
            .any(|name| data.contains("timer_calls", name))
        })
}

fn nobody_retries(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lists = Lists::of(ctx);
    let file = ctx.file;
    let what = ctx
        .vars
        .get("what")
        .cloned()
        .unwrap_or_else(|| "call".into());
    let service = ctx
        .vars
        .get("service")
        .cloned()
        .unwrap_or_else(|| "the service".into());
    let innermost_loop = loops_around(stmt).next();
    let consumed = later_calls(ctx, stmt, innermost_loop.and_then(|l| l.field("body")))
        .into_iter()
        .find(|n| lists.has("consume_methods", n));
    let spawn = fire_and_forget_spawn(ctx, stmt);
    // A `?` that leaves the loop of a spawned task ends the task: no next round retries it.
    let ends_task_loop = spawn.is_none()
        && ctx.captures.iter().any(|(n, _)| *n == "propagated")
        && spawned_loop_ended_by(ctx, stmt).is_some();
    let webhook = in_github_webhook(ctx, &lists, stmt);
    let dropped_at = ctx.vars.get("dropped_at").cloned();
    let how = if spawn.is_some() {
        "runs once in a spawned task nobody awaits".to_string()
    } else if ends_task_loop {
        "is tried once, and its `?` ends the loop of a spawned task nobody awaits".to_string()
    } else if let Some(at) = &dropped_at {
        format!("is tried once and its error only reaches a log line in {at}")
    } else if ctx.captures.iter().any(|(n, _)| *n == "propagated") {
        "is tried once and its error goes back to GitHub".to_string()
    } else {
        "fails once and the error is only logged".to_string()
    };
    let branch = err_branch(ctx, stmt);
    let diverges = branch.is_some_and(|b| {
        let t = file.node_text(b);
        t.contains("continue") || t.contains("return") || t.contains("break")
    });
    // The `Err` branch itself acknowledges the item (`return vec![Action::Ack]`).
    let acked_on_error = branch.and_then(|b| acked_in(ctx, &lists, b));
    if consumed.is_some() && diverges && acked_on_error.is_none() {
        return false; // the work item is left unconsumed, so the queue redelivers it
    }
    let consumed = if acked_on_error.is_some() {
        acked_on_error
    } else if diverges || ends_task_loop {
        None
    } else {
        consumed
    };
    if (runs_as_periodic_work(ctx, stmt) || also_runs_on_a_timer(ctx, stmt))
        && consumed.is_none()
        && !ends_task_loop
    {
        return false; // the next tick is the retry
    }
    if let Some(l) = innermost_loop.filter(|_| !ends_task_loop) {
        if l.kind_name() == "for_expression" && consumed.is_none() {
            let btext = file.node_text(branch.unwrap_or(stmt));
            let records = btext.contains(".push(")
                || btext.contains("+= 1")
                || btext.contains("counter!")
                || btext.contains(".insert(");
            let words = super::common::comment_near_mentions(ctx, l, lists.list("fanout_words"))
                || super::common::comment_near_mentions(ctx, stmt, lists.list("fanout_words"));
            if records || words {
                return false; // deliberate per-item tolerance
            }
        }
    }
    let consequence = if let Some(c) = consumed {
        let verb = if c.contains("delete") {
            "deleted"
        } else if c.contains("ack") {
            "acked"
        } else {
            "marked done"
        };
        format!("the message is {verb} anyway, so the queue never redelivers it and this {what} is lost")
    } else if webhook {
        format!("GitHub does not redeliver webhooks, so this {what} to {service} is never retried")
    } else if spawn.is_some() {
        format!("nothing awaits the task, so if {service} is down for a second this {what} is lost")
    } else if ends_task_loop {
        format!(
            "after one blip of {service} no later round runs until the process restarts, and nothing sees the error (the task's JoinHandle is dropped)"
        )
    } else if dropped_at.is_some() {
        format!("the work moves on and nothing retries this {what} to {service}")
    } else if innermost_loop.is_some() {
        format!("the loop moves on and nothing retries this {what} to {service}")
    } else {
        format!("the caller sees success, so nothing retries this {what} to {service}")
    };
    ctx.set_var("how", how);
    ctx.set_var("consequence", consequence);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::source::SourceInput;

    fn file(path: &str, src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet(path, src)
    }

    /// The Err arm of the first `match` in `src`.
    fn err_arm_value(f: &ParsedFile) -> Node<'_> {
        let m = syntax::descendants(f.tree.root_node())
            .find(|n| n.kind_name() == "match_expression")
            .expect("a match");
        let arm = super::super::loops::arms_of(m)
            .into_iter()
            .find(|a| f.node_text(a.field("pattern").unwrap()).starts_with("Err"))
            .expect("an Err arm");
        arm.field("value").unwrap()
    }

    #[test]
    fn an_err_branch_acknowledges_only_with_a_consume_word_of_its_own() {
        let lists = Lists::embedded().expect("the embedded missing-retry check loads");
        let acks = |branch: &str| {
            let f = file(
                "a.rs",
                &format!("fn f() {{ match x {{ Err(e) => {branch}, _ => {{}} }} }}"),
            );
            consume_word_in(&f, &lists, err_arm_value(&f)).map(str::to_string)
        };
        let ack = Some("ack".to_string());
        assert_eq!(acks("{ return vec![worker::Action::Ack]; }"), ack);
        assert_eq!(acks("{ warn!(\"x\"); return Ok(Action::Ack); }"), ack);
        assert_eq!(acks("delivery.ack(BasicAckOptions::default()).await?"), ack);
        assert_eq!(
            acks("sqs.delete_message().send()"),
            Some("delete_message".to_string())
        );
        // A requeue, a word that only contains `ack`, or a log message acknowledges nothing.
        assert_eq!(acks("{ return vec![Action::NackRequeue]; }"), None);
        assert_eq!(acks("delivery.nack(opts).await"), None);
        assert_eq!(acks("{ track_failure(&e); feedback() }"), None);
        assert_eq!(acks("{ warn!(\"ack failed: {e}\"); return Err(e); }"), None);
    }

    #[test]
    fn a_loop_is_paced_only_by_a_sleep_or_tick_among_its_own_statements() {
        let loops = |src: &str| {
            let f = file("a.rs", src);
            let paced: Vec<bool> = syntax::descendants(f.tree.root_node())
                .filter(|n| matches!(n.kind_name(), "loop_expression" | "while_expression"))
                .map(|l| paced_by_its_own_statement(&f, l))
                .collect();
            paced
        };
        assert_eq!(
            loops("async fn f() { loop { ticker.tick().await; sync().await; } }"),
            [true]
        );
        assert_eq!(
            loops("async fn f() { while running { sync().await; tokio::time::sleep(P).await; } }"),
            [true]
        );
        // A read timeout in a `select!` and a backoff in an `Err` branch do not pace the loop.
        assert_eq!(
            loops(
                "async fn f() { loop { tokio::select! { m = ws.next() => {}, () = sleep(T) => continue } } }"
            ),
            [false]
        );
        assert_eq!(
            loops("async fn f() { loop { if let Err(e) = sync().await { sleep(B).await; } } }"),
            [false]
        );
    }

    #[test]
    fn a_trailing_match_is_a_value_only_when_every_arm_ends_in_one() {
        let answers = file(
            "a.rs",
            "fn f() { match g() { Ok(_) => 1, Err(e) => { warn!(\"{e}\"); match h() { Ok(p) => p, Err(_) => 0 } } } }",
        );
        let value = tail_value(err_arm_value(&answers)).map(|v| answers.node_text(v));
        assert_eq!(value, Some("p"));
        let unit = file(
            "a.rs",
            "fn f() { match g() { Ok(_) => {}, Err(e) => { warn!(\"{e}\"); match h() { Ok(p) => p, Err(_) => {} } } } }",
        );
        assert!(tail_value(err_arm_value(&unit)).is_none());
        let no_else = file(
            "a.rs",
            "fn f() { match g() { Ok(_) => {}, Err(e) => { warn!(\"{e}\"); if x { 1 } } } }",
        );
        assert!(tail_value(err_arm_value(&no_else)).is_none());
    }

    #[test]
    fn deeply_nested_trailing_matches_are_read_to_a_bound() {
        let depth = 5_000;
        let mut src = String::from("fn f() { match g() { Ok(_) => 1, Err(e) => { warn!(\"{e}\"); ");
        for _ in 0..depth {
            src.push_str("match h() { Ok(p) => p, Err(_) => { ");
        }
        src.push('0');
        for _ in 0..depth {
            src.push_str(" } }");
        }
        src.push_str(" } } }");
        let f = file("deep.rs", &src);
        // Past the bound the tail is not read as a value: no stack overflow, a clear answer.
        assert!(tail_value(err_arm_value(&f)).is_none());
    }

    fn facts(files: &[(&str, &str)]) -> RetryFacts {
        let mut manifests = Manifests::default();
        for (p, t) in files.iter().filter(|(p, _)| p.ends_with("Cargo.toml")) {
            manifests.add(&SourceInput::new(p.to_string(), t.as_bytes().to_vec()));
        }
        let mut all = RetryFacts::default();
        for (p, t) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
            let mut part = RetryFacts::default();
            let f = file(p, t);
            part.collect(
                &f,
                &manifests,
                &NodeList::new(
                    f.tree.root_node(),
                    crate::analysis::index::walk_plan(f.language),
                ),
            );
            all.merge(part);
        }
        all.finish();
        all
    }

    #[test]
    fn a_field_typed_from_a_client_crate_is_that_service_and_imports_are_read_safely() {
        let f = facts(&[
            ("bot/Cargo.toml", "[package]\nname='bot'\n"),
            (
                "bot/src/worker.rs",
                "use hubcaps::Github;\npub struct Worker { forge: Github, vend: hubcaps::Github, queue: Sender<u8> }",
            ),
        ]);
        let service = |name: &str| {
            f.client_names
                .get(&("bot".to_string(), name.to_string()))
                .cloned()
        };
        assert_eq!(service("forge").as_deref(), Some("GitHub"));
        assert_eq!(service("vend").as_deref(), Some("GitHub"));
        assert_eq!(service("queue"), None);

        // A `use` with no `;` whose 2,000-byte cut falls inside a multibyte character.
        let text = format!("use hubcaps::{{Github,  {}", "é".repeat(3000));
        assert_eq!(
            client_crate_imports(&text),
            (true, vec![("Github".to_string(), "GitHub".to_string())])
        );
    }

    #[test]
    fn client_origin_follows_fns_fields_and_bindings() {
        let f = facts(&[
            ("svc/Cargo.toml", "[package]\nname='svc'\n"),
            (
                "svc/src/http.rs",
                "pub fn build_client() -> ClientWithMiddleware {\n  let policy = ExponentialBackoff::builder().build_with_max_retries(3);\n  ClientBuilder::new(reqwest::Client::new()).with(RetryTransientMiddleware::new_with_policy(policy)).build()\n}",
            ),
            ("svc/src/state.rs", "pub struct AppState { pub billing: ClientWithMiddleware, pub plain: reqwest::Client }\nfn main() { let http = build_client(); let other = http.clone(); let raw = reqwest::Client::new(); }"),
            ("other/src/lib.rs", "struct S { billing: reqwest::Client }"),
        ]);
        assert!(
            f.is_retrying_client("svc", "billing"),
            "field typed with the retry fn's return type"
        );
        assert!(
            f.is_retrying_client("svc", "http"),
            "binding to the retry fn"
        );
        assert!(
            f.is_retrying_client("svc", "other"),
            "binding to a retrying binding"
        );
        assert!(f.is_retrying_client("svc", "build_client"));
        assert!(!f.is_retrying_client("svc", "plain"));
        assert!(!f.is_retrying_client("svc", "raw"));
        assert!(
            !f.is_retrying_client("other", "billing"),
            "facts are per crate"
        );
    }

    #[test]
    fn tower_retry_layer_reaches_the_grpc_client() {
        let f = facts(&[(
            "src/main.rs",
            "async fn main() { let channel = ServiceBuilder::new().layer(RetryLayer::new(policy)).service(ch); let ledger = LedgerClient::new(channel); }",
        )]);
        assert!(f.is_retrying_client("", "channel"));
        assert!(f.is_retrying_client("", "ledger"));
    }

    #[test]
    fn retry_helpers_are_named_or_loop_with_sleep() {
        let f = facts(&[(
            "src/db.rs",
            "pub async fn retry_db<F, T>(pool: &PgPool, f: F) -> Result<T> where F: Fn() -> T { f() }\n\
             async fn persistently<F: FnMut() -> Fut>(mut op: F) -> R { let mut n = 0; loop { match op().await { Ok(v) => return Ok(v), Err(e) => { tokio::time::sleep(d).await; } } } }\n\
             async fn retry_count(x: u32) -> u32 { x }\n\
             async fn poll<F: Fn()>(f: F) { loop { f(); } }",
        )]);
        assert!(f.is_retry_helper("", "retry_db"));
        assert!(f.is_retry_helper("", "persistently"));
        assert!(!f.is_retry_helper("", "retry_count"), "takes no closure");
        assert!(!f.is_retry_helper("", "poll"), "loops without a sleep");
    }

    #[test]
    fn aws_disabled_retries_are_per_crate() {
        let f = facts(&[
            ("a/Cargo.toml", "[package]\nname='a'\n"),
            ("b/Cargo.toml", "[package]\nname='b'\n"),
            (
                "a/src/lib.rs",
                "use aws_sdk_s3 as s3; fn c() { RetryConfig::disabled(); }",
            ),
            ("b/src/lib.rs", "use aws_sdk_s3 as s3;"),
        ]);
        assert!(f.sdk_retry_disabled.contains("a"));
        assert!(!f.sdk_retry_disabled.contains("b"));
        assert!(f.sdk_crates.contains("b"));
    }

    #[test]
    fn a_client_type_that_retries_by_default_retries_unless_its_crate_turns_it_off() {
        let f = facts(&[
            ("a/Cargo.toml", "[package]\nname='a'\n"),
            ("b/Cargo.toml", "[package]\nname='b'\n"),
            (
                "a/src/lib.rs",
                "struct App { gh: octocrab::Octocrab, http: reqwest::Client }\n\
                 fn f(crab: &Octocrab) { let built = Octocrab::builder().personal_token(t).build(); }",
            ),
            (
                "b/src/lib.rs",
                "fn f(crab: &Octocrab) { let b = Octocrab::builder().add_retry_config(RetryConfig::None).build(); }",
            ),
        ]);
        for name in ["gh", "crab", "built"] {
            assert!(f.is_retrying_client("a", name), "{name} in a");
        }
        assert!(!f.is_retrying_client("a", "http"));
        assert!(
            !f.is_retrying_client("b", "crab"),
            "b turns the default off"
        );
        assert!(!f.is_retrying_client("b", "b"));
    }

    fn classify_src(src: &str) -> Option<Effect> {
        let f = file("src/a.rs", &format!("async fn a() {{ {src}; }}"));
        let set = crate::analysis::check::CheckSet::embedded().unwrap();
        let lists = Lists {
            data: &set.get("missing-retry").unwrap().data,
        };
        let stmt = syntax::descendants(f.tree.root_node())
            .find(|n| n.kind_name() == "expression_statement")?;
        let (call, awaited) = effect_call(&f, &lists, stmt.named_child(0)?);
        classify(&lists, &Chain::of(&f, call).summary(&f, awaited))
    }

    #[test]
    fn classifies_dependencies() {
        let e = classify_src(
            "state.http.post(format!(\"{}/v1/charges\", state.billing_url)).json(&b).send().await",
        )
        .unwrap();
        assert_eq!(
            (e.service.as_str(), e.write, e.aws),
            ("billing", true, false)
        );
        let e = classify_src(
            "http.get(\"https://api.stripe.com/v1/x\").send().await?.json::<T>().await",
        )
        .unwrap();
        assert_eq!((e.service.as_str(), e.write), ("stripe", false));
        let e = classify_src("s3.put_object().bucket(b).key(k).send().await").unwrap();
        assert!(e.aws && e.write);
        let e = classify_src("sqlx::query(\"UPDATE t SET a = 1\").execute(&pool).await").unwrap();
        assert_eq!((e.service.as_str(), e.write), ("the database", true));
        // A query builder named like an HTTP verb runs a statement (class 17: not "a request
        // to delete").
        for q in [
            "diesel::delete(sessions::table).execute(&mut c)",
            "diesel::update(t.find(id)).set(done.eq(true)).execute(&mut c)",
            "delete(sessions::table.filter(expired)).execute(&mut c)",
        ] {
            let e = classify_src(q).unwrap();
            assert_eq!(
                (e.service.as_str(), e.what.as_str()),
                ("the database", "write"),
                "{q}"
            );
        }
        let e = classify_src("http.delete(url).send().await").unwrap();
        assert_eq!(e.what, "request", "a client's verb is still a request");
        let e = classify_src("gh.post_comment(n, \"thanks\").await").unwrap();
        assert_eq!((e.service.as_str(), e.what.as_str()), ("GitHub", "comment"));
        let e = classify_src("self.billing_client.charge(req).await").unwrap();
        assert_eq!(e.service, "billing");
        assert!(classify_src("tx.send(msg).await").is_none());
        assert!(classify_src("cache.get(&k).await").is_none());
        assert!(classify_src("gh.clone()").is_none());
    }

    #[test]
    fn a_service_is_named_after_one_word_that_is_no_role() {
        // Class 17: a receiver's role (`new` of `Client::new()`, `builder`) or a phrase (a
        // function named `.._by_client`) is no service: "a request to new" is garbled.
        for (q, service) in [
            ("self.client_scim.delete_user(id).await", "scim"),
            ("self.billing_clients.charge(req).await", "billing"),
            ("client_status.update(id).await", "status"),
            (
                "reqwest::Client::new().post(u).send().await",
                "the remote service",
            ),
            ("builder.post(u).send().await", "the remote service"),
            (
                "execute_logout_by_client().post(u).send().await",
                "the remote service",
            ),
            (
                "http.post(format!(\"{}/x\", state.repo_url)).send().await",
                "the remote service",
            ),
            (
                "http.post(format!(\"{}/x\", state.ledger_url)).send().await",
                "ledger",
            ),
        ] {
            let e = classify_src(q).unwrap_or_else(|| panic!("{q}: no effect"));
            assert_eq!(e.service, service, "{q}");
        }
    }

    #[test]
    fn embedded_check_defines_every_list_the_filters_read() {
        let set = crate::analysis::check::CheckSet::embedded().unwrap();
        let data = &set.get("missing-retry").unwrap().data.lists;
        for l in REQUIRED_LISTS {
            assert!(data.contains_key(*l), "missing-retry [data] lacks `{l}`");
        }
    }

    fn findings(
        src: &str,
        config: &crate::config::Config,
    ) -> Vec<crate::analysis::finding::Finding> {
        let set = crate::analysis::check::CheckSet::embedded().unwrap();
        let inputs = vec![SourceInput::new("src/lib.rs", src.as_bytes().to_vec())];
        crate::analysis::analyze(
            &inputs,
            config,
            set,
            &crate::analysis::AnalysisOptions::default(),
        )
        .findings
        .into_iter()
        .filter(|f| f.check == "missing-retry")
        .collect()
    }

    #[test]
    fn a_client_field_named_only_client_is_named_by_its_type() {
        let src = "pub struct Bot { client: hubcaps::Github, cache: Cache }\nimpl Bot {\n    pub async fn label(&self, n: u64) {\n        if let Err(err) = self.client.add_label(n, \"triaged\").await { tracing::warn!(%err); }\n    }\n}\n";
        let got = findings(src, &crate::config::Config::default());
        let messages: Vec<&str> = got.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].ends_with("this update to GitHub"),
            "{messages:?}"
        );
    }

    const WRAPPED: &str = "async fn notify(http: &reqwest::Client) {\n    let r = resilient::persist(|| http.post(HOOK_URL).send()).await;\n    if let Err(e) = resilient::persist(|| async { http.post(HOOK_URL).send().await }).await { tracing::warn!(%e); }\n    tokio::spawn(async move {\n        if let Err(e) = resilient::persist(|| async { if let Err(e) = http.post(HOOK_URL).send().await { tracing::warn!(%e); } }).await {}\n    });\n}\n";

    #[test]
    fn config_retry_wrappers_count_as_coverage() {
        let plain = crate::config::Config::default();
        let got = findings(WRAPPED, &plain);
        assert_eq!(
            got.iter().map(|f| f.span.start_line).collect::<Vec<_>>(),
            vec![5]
        );
        let cfg = crate::config::Config {
            retry_wrappers: vec!["persist".into()],
            ..crate::config::Config::default()
        };
        assert!(findings(WRAPPED, &cfg).is_empty());
    }

    #[test]
    fn message_names_the_call_the_service_and_the_consequence() {
        let src = "async fn github_hook(State(s): State<App>, ev: Json<Event>) -> StatusCode {\n    let gh = s.github.clone();\n    tokio::spawn(async move {\n        if let Err(e) = gh.post_comment(ev.issue, \"thanks!\").await { tracing::warn!(%e); }\n    });\n    StatusCode::OK\n}\n";
        let got = findings(src, &crate::config::Config::default());
        assert_eq!(got.len(), 1);
        let f = &got[0];
        assert_eq!(f.span.start_line, 4);
        assert_eq!(f.severity, crate::analysis::finding::Severity::High);
        assert_eq!(
            f.message,
            "`gh.post_comment(..)` runs once in a spawned task nobody awaits: GitHub does not redeliver webhooks, so this comment to GitHub is never retried. \
             It is not idempotent: a retry after a timeout that hid a success would do it twice (a second row, message, charge or count), \
             so first give it a key derived from the work (an idempotency key the receiver deduplicates on, `ON CONFLICT DO NOTHING`, \
             a DynamoDB `attribute_not_exists` condition)."
        );
        assert!(
            f.failure_mode.contains("talks to GitHub once"),
            "{}",
            f.failure_mode
        );
        // The paragraph under the message says why it matters; it does not repeat it.
        assert!(
            !f.failure_mode.contains("never retried"),
            "{}",
            f.failure_mode
        );
        assert!(
            f.fix
                .contains("ExponentialBuilder::default().with_jitter().with_max_times(3)"),
            "{}",
            f.fix
        );
    }
}
