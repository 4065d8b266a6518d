//! Filters for the `handlers` topic (the `untested-handler` check), and the repository facts they
//! need.
//!
//! All cross-file work happens once, in [`HandlerFacts`]: `collect` reads every parsed file
//! (production code for registrations, test code for what tests call and which requests they
//! send), `merge` joins the per-file parts, and `finish` resolves router prefixes (`nest`,
//! `scope`, `mount`, `merge`, `configure`), binds registrations to function definitions and
//! follows test helpers to any depth. The filters then only look things up.

use super::{ArgKind, FilterArg, FilterDef, Gate, MatchCtx};
use crate::analysis::index::{Manifests, RepoIndex};
use crate::analysis::markup::code;
use crate::analysis::source::{FileRole, ParsedFile};
use crate::analysis::syntax::{self, FieldExt, KindExt, NodeList};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};
use tree_sitter::Node;

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "is_untested_handler",
        args: &[ArgKind::Capture, ArgKind::DataList, ArgKind::DataList],
        sets: &["route", "handler", "reach", "fix_example", "consequence", "kind"],
        doc: "the function or closure is a registered entry point (route handler, Lambda handler, queue consumer, or a \
              `config.handler_registrations` call) and no test calls it or sends a request matching its route; \
              the lists name the calls and receivers (substrings) that make a loop a queue consumer",
        eval: is_untested_handler,
        gate: Some(&Gate {
            key: handler_gate_key,
            admits: handler_gate_admits,
        }),
    },
    FilterDef {
        name: "is_trivial_handler",
        args: &[ArgKind::Capture, ArgKind::DataList, ArgKind::DataList],
        sets: &[],
        doc: "the handler body does no I/O and no branching: no `.await`, `?`, `if`, `match` or loop, and only calls \
              and macros from the two lists (constant health probes, `include_str!` pages, constant redirects)",
        eval: is_trivial_handler,
        gate: None,
    },
    FilterDef {
        name: "handler_severity",
        args: &[ArgKind::Capture, ArgKind::DataList, ArgKind::DataList, ArgKind::DataList],
        sets: &["severity"],
        doc: "sets `severity`: high for webhooks, queue consumers, writes (POST/PUT/PATCH/DELETE) and handlers whose name \
              or path has a word of the first list (auth) or whose signature names an event type of the second \
              list; medium when the body has a marker of the third list (external state) or awaits; else low",
        eval: handler_severity,
        gate: None,
    },
    FilterDef {
        name: "handler_effect",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["effect"],
        doc: "sets `effect` to what the handler does, from `phrase|needle|needle..` entries whose needle occurs in \
              its body (e.g. `writes to the database|INSERT `); always passes",
        eval: handler_effect,
        gate: None,
    },
    FilterDef {
        name: "inside_handler",
        args: &[ArgKind::Capture],
        sets: &["handler"],
        doc: "the node is in the body of a function or closure registered with a route (an HTTP route handler, a \
              Lambda handler, or a `config.handler_registrations` call): the handler itself, not what it calls; \
              sets `handler`",
        eval: inside_handler,
        gate: Some(&Gate {
            key: enclosing_handler_gate_key,
            admits: enclosing_handler_gate_admits,
        }),
    },
];

/// An HTTP method, upper case (`GET`, `POST`...).
pub type Method = String;

/// Calls that may pull messages in a consumer loop. The check's `consumer_calls` list narrows
/// this; collecting only these keeps the index small.
const CONSUMER_CALL_CANDIDATES: &[&str] = &[
    "next",
    "try_next",
    "recv",
    "recv_many",
    "recv_async",
    "receive_message",
    "receive",
    "poll_recv",
    "fetch_messages",
    "poll",
];

/// The HTTP methods, in lower case as clients and routers name them in calls (`client.put(..)`).
pub const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// One segment of a route template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteSegment {
    /// A literal segment (`orders`).
    Literal(String),
    /// A parameter matching exactly one segment (`{id}`, `:id`, `<id>`).
    Param,
    /// A wildcard matching the rest of the path (`*rest`, `{*rest}`, `<rest..>`).
    Rest,
}

/// Splits a route template into segments. Query strings are ignored.
pub fn route_segments(path: &str) -> Vec<RouteSegment> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('*')
                || (s.starts_with("{*") && s.ends_with('}'))
                || (s.starts_with('<') && s.ends_with("..>"))
            {
                RouteSegment::Rest
            } else if s.starts_with(':')
                || s.contains('{')
                || (s.starts_with('<') && s.ends_with('>'))
            {
                RouteSegment::Param
            } else {
                RouteSegment::Literal(s.to_string())
            }
        })
        .collect()
}

/// One segment of a path a test requests: a literal, or a value unknown to the bot (a
/// `format!` placeholder such as `{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestSegment {
    /// Literal text (`orders`, `42`).
    Literal(String),
    /// Any one segment.
    Any,
    /// First only: the path follows a base URL the bot cannot read (`{base}/roles`), which may
    /// carry a path of its own (`http://localhost:8081/auth/v1`), so the rest may match the
    /// end of a route (`/auth/v1/roles`).
    Base,
}

/// Parses the path of a URL or path a test sends a request to: scheme and host are dropped
/// (`http://127.0.0.1:3000/x`), as is the query string; a base the bot cannot read (`{addr}/x`,
/// `{}/x`) becomes a leading [`RequestSegment::Base`]. `None` when the text does not look like
/// a path or URL.
pub fn request_segments(url: &str) -> Option<Vec<RequestSegment>> {
    let mut rest = url.trim();
    let mut base = false;
    if let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        rest = after.find('/').map_or("", |j| &after[j..]);
    } else if let Some(after) = rest.strip_prefix("//") {
        // `//host/path`, a URL relative to the scheme (`// ${name}` is a comment's text).
        rest = after.find('/').map_or("", |j| &after[j..]);
    } else if rest.starts_with('{') {
        // `{addr}/orders`, `{}/orders`, `{base_url}/api/x`
        let close = rest.find('}')?;
        let after = &rest[close + 1..];
        if !(after.is_empty() || after.starts_with('/')) {
            return None;
        }
        rest = after;
        base = true;
    } else if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<RequestSegment> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.contains('{') {
                RequestSegment::Any
            } else {
                RequestSegment::Literal(s.to_string())
            }
        })
        .collect();
    // The base alone (`client.get(&base)`) requests the root as far as the bot can tell: were
    // it read as "the end of any route", every route would count as requested.
    Some(if base && !segments.is_empty() {
        std::iter::once(RequestSegment::Base)
            .chain(segments)
            .collect()
    } else {
        segments
    })
}

/// Whether a requested path matches a route template, segment by segment. A path after an
/// unread base ([`RequestSegment::Base`]) matches the end of the template (the base may carry
/// a path), or ends with the whole template (the route may sit under a prefix the bot could
/// not read).
pub fn path_matches(template: &[RouteSegment], request: &[RequestSegment]) -> bool {
    if let Some((RequestSegment::Base, rest)) = request.split_first() {
        // The rest is the route's last segments (one alignment, so a PR's 100,000-segment
        // path costs one pass), or its whole path. Where the base ends is pinned by a
        // literal: `{base}/orders/{id}` does not match `/orders/{id}/cancel` by reading
        // `orders` as the id.
        let first = match rest.first() {
            Some(RequestSegment::Literal(l)) => Some(l),
            _ => None,
        };
        let suffix = template.len().checked_sub(rest.len()).filter(|&skip| {
            skip > 0
                && first.is_some_and(
                    |l| matches!(template.get(skip), Some(RouteSegment::Literal(t)) if t == l),
                )
        });
        // The other way round, the route may sit under a prefix the bot could not read (an
        // OpenAPI service nested by a closure that builds the app), so `{base}/@gw/api/profile/
        // tokens` may reach `/profile/tokens`. Pinned the same way, by the route's first
        // segment, a literal; a one-segment route (`/start`) ends too many paths to count.
        let prefix = rest.len().checked_sub(template.len()).filter(|&skip| {
            skip > 0
                && template.len() >= 2
                && matches!(
                    (template.first(), rest.get(skip)),
                    (Some(RouteSegment::Literal(t)), Some(RequestSegment::Literal(r))) if t == r
                )
        });
        return path_matches(template, rest)
            || suffix.is_some_and(|skip| path_matches(&template[skip..], rest))
            || prefix.is_some_and(|skip| path_matches(template, &rest[skip..]));
    }
    let mut i = 0;
    for t in template {
        match t {
            RouteSegment::Rest => return true,
            RouteSegment::Param => {
                if i >= request.len() {
                    return false;
                }
            }
            RouteSegment::Literal(l) => match request.get(i) {
                Some(RequestSegment::Literal(r)) if r == l => {}
                Some(RequestSegment::Any) => {}
                _ => return false,
            },
        }
        i += 1;
    }
    i == request.len()
}

/// Joins a prefix and a path (`/api` + `/orders` → `/api/orders`).
pub fn join_path(prefix: &str, path: &str) -> String {
    let p = prefix.trim_end_matches('/');
    let s = path.trim_start_matches('/');
    match (p.is_empty(), s.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) => format!("/{s}"),
        (false, true) => p.to_string(),
        (false, false) => format!("{p}/{s}"),
    }
}

/// The web framework a registration belongs to (chooses the fix example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Framework {
    /// axum, utoipa-axum (and anything router-shaped we do not recognise).
    Axum,
    /// actix-web.
    Actix,
    /// rocket.
    Rocket,
    /// poem.
    Poem,
    /// warp.
    Warp,
    /// lambda_runtime / lambda_http.
    Lambda,
    /// A hyper server's `service_fn`: one function answers every path.
    Hyper,
    /// A loop pulling messages off a queue or channel.
    Consumer,
    /// A call named in `config.handler_registrations`.
    Configured,
}

/// Identifies a function definition: file, module path and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnKey {
    /// Repository-relative file path.
    pub file: String,
    /// Module path (from the file path and inline `mod` items).
    pub module: Vec<String>,
    /// The function name.
    pub name: String,
}

/// A set of routes that share prefixes: a function body, or a `let` binding in one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteGroup {
    /// The routes registered in a function (or, for attribute routes, the function itself).
    Fn(FnKey),
    /// The routes in a `let` binding: (file, start byte of the enclosing fn, variable).
    Local(String, usize, String),
}

/// A reference to a function by (possibly qualified) name, from a given file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameRef {
    /// Path segments before the name (`handlers::orders` for `handlers::orders::create`).
    pub qualifier: Vec<String>,
    /// The function name.
    pub name: String,
    /// The file the reference is written in.
    pub from_file: String,
}

/// The handler a registration names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HandlerRef {
    /// A function, by name.
    Named(NameRef),
    /// Exactly this function (an attribute route names the function it is written on).
    Exact(FnKey),
    /// A closure: (file, start byte).
    Closure(String, usize),
    /// A closure that forwards to one of these functions (e.g. `service_fn(|ev| handler(ev, &c))`);
    /// the first that is defined in the repository is the handler, else the closure itself.
    Forwarding(String, usize, Vec<NameRef>),
}

/// A registration as written, before prefixes are resolved.
#[derive(Debug, Clone)]
struct RawRoute {
    group: RouteGroup,
    inline_prefix: String,
    path: Option<String>,
    method: Option<Method>,
    handler: HandlerRef,
    framework: Framework,
    /// For `config.handler_registrations`: the name of the registering call.
    via_call: Option<String>,
}

/// Macros whose tokens list attribute-routed handlers to mount: rocket's `routes![..]` and
/// rocket_okapi's `openapi_get_routes![..]` / `openapi_get_routes_spec![..]`.
const ROUTE_LIST_MACROS: &[&str] = &["routes", "openapi_get_routes", "openapi_get_routes_spec"];

/// A child router mounted into a group with a prefix.
#[derive(Debug, Clone)]
struct RawMount {
    parent: RouteGroup,
    prefix: String,
    child: MountChild,
}

#[derive(Debug, Clone)]
enum MountChild {
    /// A function returning a router / configuring a scope / an attribute-routed handler.
    Named(NameRef),
    /// A local variable (or, if no such binding has routes, a function of that name).
    Ident {
        file: String,
        fn_start: usize,
        name: String,
    },
}

/// What one test-context function does: whom it calls and which requests it sends.
#[derive(Debug, Clone, Default)]
struct TestFnRaw {
    name: String,
    is_test: bool,
    /// Plain function calls and function names passed as arguments (direct use), with the
    /// path they are written with (`posts::create`, `Post::create`), so a call can be told from
    /// a same-named function elsewhere.
    direct: BTreeSet<NameRef>,
    /// Every call name, function or method (for following helpers).
    calls: BTreeSet<String>,
    /// The names called as functions (`name(..)`, `path::name(..)`), not only as methods
    /// (`x.name(..)`): only these can be a free function of that name.
    plain_calls: BTreeSet<String>,
    /// The calls written with a path (`api_client::register(..)`): they name one function
    /// even where others share its name.
    path_calls: BTreeSet<NameRef>,
    requests: Vec<Request>,
    not_found_only: bool,
    /// For a production client function: which function it is.
    key: Option<FnKey>,
}

/// The union of what the repository's test functions do (see [`HandlerFacts::tests`]).
#[derive(Debug, Clone, Default)]
struct TestsReach {
    /// Their direct calls and function names passed as arguments.
    direct: FxHashSet<NameRef>,
    /// Every call name of any test (to follow helpers for direct calls).
    calls: BTreeSet<String>,
    /// The names any test calls as a function, not as a method.
    plain_calls: BTreeSet<String>,
    /// The call names of the tests that do not only assert 404/405 (to follow helpers for
    /// requests).
    request_calls: BTreeSet<String>,
    /// The calls written with a path of those tests.
    request_path_calls: BTreeSet<NameRef>,
    /// The requests of the tests that do not only assert 404/405.
    requests: Vec<Request>,
}

impl TestsReach {
    /// Adds one test function.
    fn add(&mut self, t: TestFnRaw) {
        self.direct.extend(t.direct);
        if !t.not_found_only {
            self.requests.extend(t.requests);
            self.request_calls.extend(t.calls.iter().cloned());
            self.request_path_calls.extend(t.path_calls);
        }
        self.calls.extend(t.calls);
        self.plain_calls.extend(t.plain_calls);
    }

    fn merge(&mut self, other: TestsReach) {
        self.direct.extend(other.direct);
        self.calls.extend(other.calls);
        self.plain_calls.extend(other.plain_calls);
        self.request_calls.extend(other.request_calls);
        self.request_path_calls.extend(other.request_path_calls);
        self.requests.extend(other.requests);
    }
}

/// A request a test sends: method (when stated) and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Upper-case method, when the test states it.
    pub method: Option<Method>,
    /// The requested path.
    pub path: Vec<RequestSegment>,
}

/// A queue-consumer loop found in a function: the call pulling messages and its receiver.
#[derive(Debug, Clone)]
struct ConsumerLoop {
    function: FnKey,
    call: String,
    receiver: String,
    awaited: bool,
}

impl ConsumerLoop {
    /// Whether the loop waits for messages (an awaited call, a blocking `recv`, or SQS's
    /// `receive_message`), which a consumer `is_untested_handler` reports must do.
    fn waits(&self) -> bool {
        self.call == "receive_message" || self.awaited || self.call == "recv"
    }
}

/// Everything known about one registered handler after `finish`.
#[derive(Debug, Clone, Default)]
pub struct HandlerInfo {
    /// Its routes: (method, full path, framework, registering call for configured ones).
    pub routes: Vec<(Option<Method>, String, Framework, Option<String>)>,
    /// Whether a test exercises it (direct call, or a request matching one of its routes).
    /// Configured registrations are checked at lookup time, so this covers the others.
    pub tested: bool,
}

/// Repository-wide facts for this topic, collected from every parsed file.
#[derive(Debug, Default)]
pub struct HandlerFacts {
    routes: Vec<RawRoute>,
    mounts: Vec<RawMount>,
    /// Non-test functions of test code (helpers tests call), each on its own.
    test_helpers: Vec<TestFnRaw>,
    /// Production functions that send a request to a path they name (a client SDK's
    /// `post_records` building `{base}/api/v0/record`): a test that calls one sends that
    /// request. Only their requests count, not their direct calls (production code calling a
    /// handler is not a test).
    client_helpers: Vec<TestFnRaw>,
    /// What every test function does, as one union: a test's reach does not depend on which
    /// test it is, so one set per fact holds them all (a suite of thousands of tests calling
    /// the same few helpers costs the memory of one).
    tests: TestsReach,
    consumers: Vec<ConsumerLoop>,
    /// Production functions by name.
    fns: FxHashMap<String, Vec<FnKey>>,
    /// The production functions defined outside `impl` and `trait` blocks, the only ones a
    /// path of a name alone can name (a method is `Api::create` or `Self::create`). A key names
    /// a file, module and name, so a free fn and a same-file method share one.
    free_fns: FxHashSet<FnKey>,
    /// `use` imports of the files that register routes or mounts: (file, imported name) → path
    /// before the name; `*` imports under name `*`.
    imports: FxHashMap<(String, String), Vec<Vec<String>>>,
    /// The crate name of each file whose manifest names one (`my_router` for a file under a
    /// `Cargo.toml` with `name = "my-router"`): how another crate's `use` reaches its items.
    crate_names: FxHashMap<String, String>,
    /// Resolved: handlers that are functions.
    handlers: FxHashMap<FnKey, HandlerInfo>,
    /// Resolved: handlers that are closures, by (file, start byte).
    closures: FxHashMap<(String, usize), HandlerInfo>,
    /// Resolved: every request tests send (after helper following, without 404-only tests).
    requests: Vec<Request>,
    /// Resolved: the production functions tests call directly (after helper following), each
    /// call resolved by its path as a route registration is (`Post::create(..)` in a test does
    /// not call the handler `routes::posts::create`).
    tested_fns: FxHashSet<FnKey>,
    /// Resolved: the [`HandlerKey::encode`] keys of every handler registered with a route
    /// (HTTP or Lambda), tested or not (the gate of `inside_handler`).
    handler_keys: FxHashSet<String>,
    /// Resolved: the [`HandlerKey::encode`] keys of the handlers `handler_gate_admits` lets
    /// through, so the gate of each of the repository's functions is one set lookup.
    gate_keys: FxHashSet<String>,
    /// What end-to-end suites in other languages reach (see [`crate::analysis::suites`]).
    suites: crate::analysis::suites::SuiteReach,
    /// The OpenAPI operation id an attribute route gives its handler (`operation_id = ".."` in
    /// poem-openapi's `#[oai]` or utoipa's `#[utoipa::path]`): the name a client generated
    /// from the spec calls it by.
    operation_ids: Vec<(FnKey, String)>,
}

impl HandlerFacts {
    /// The node kinds [`HandlerFacts::collect`] finds in a [`NodeList`].
    pub const LISTED_KINDS: &'static [&'static str] = &[
        "function_item",
        "call_expression",
        "macro_invocation",
        "while_expression",
        "loop_expression",
        "for_expression",
        "use_declaration",
        "let_declaration",
    ];

    /// Collects facts from one file.
    pub fn collect(&mut self, file: &ParsedFile, manifests: &Manifests, nodes: &NodeList<'_>) {
        let file_module = module_of_path(&file.path);
        if let Some(name) = manifests
            .crate_of(&file.path)
            .and_then(|c| c.crate_name.clone())
        {
            self.crate_names.insert(file.path.clone(), name);
        }
        let lambda_file = file.text.contains("lambda_runtime") || file.text.contains("lambda_http");
        // A file's imports only resolve the names its own route and mount registrations use
        // (`use crate::handlers::create; .. post(create)`): they are kept only if it has one.
        let registrations = self.routes.len() + self.mounts.len();
        let mut imports: Vec<(String, Vec<String>)> = Vec::new();
        for node in nodes.of_kinds(&[
            "function_item",
            "call_expression",
            "macro_invocation",
            "while_expression",
            "loop_expression",
            "for_expression",
            "use_declaration",
        ]) {
            match node.kind_name() {
                "function_item" => {
                    let Some(name) = node.field("name").map(|n| file.node_text(n).to_string())
                    else {
                        continue;
                    };
                    // A test-utility crate's functions (`TestClient::open_workspace`, wrapping
                    // the SDK method of the same name) are helpers the tests call, not
                    // production functions that share the SDK's names.
                    if syntax::is_in_test_code(file, node) || file.role == FileRole::DevTool {
                        let mut t = collect_test_fn(file, nodes, node, name, RequestShapes::Tests);
                        // A call that names neither a method, nor a literal segment, nor the
                        // root (`create_dir_all(format!("{}/{}/{}", dir, a, b))`) is no
                        // request: it would match the end of every route of that length.
                        t.requests.retain(|r| {
                            r.method.is_some() || r.path.is_empty() || names_a_literal_segment(r)
                        });
                        if t.is_test {
                            self.tests.add(t);
                        } else {
                            self.test_helpers.push(t);
                        }
                    } else {
                        let key = fn_key(file, &file_module, node, &name);
                        self.collect_attribute_route(file, nodes.attributes(file, node), &key);
                        if may_send_request(file, node) {
                            let mut c = collect_test_fn(
                                file,
                                nodes,
                                node,
                                name.clone(),
                                RequestShapes::Client,
                            );
                            c.requests.retain(names_a_literal_segment);
                            if !c.requests.is_empty() {
                                // Never read (only requests count): not kept.
                                c.direct.clear();
                                c.key = Some(key.clone());
                                self.client_helpers.push(c);
                            }
                        }
                        if syntax::enclosing_impl_or_trait(nodes, node).is_none() {
                            self.free_fns.insert(key.clone());
                        }
                        self.fns.entry(name).or_default().push(key);
                    }
                }
                "call_expression" => {
                    self.collect_call(file, nodes, &file_module, node, lambda_file)
                }
                "macro_invocation" => self.collect_macro(file, nodes, &file_module, node),
                "while_expression" | "loop_expression" | "for_expression" => {
                    self.collect_loop(file, nodes, &file_module, node)
                }
                "use_declaration" => {
                    for path in syntax::expand_use(file.node_text(node)) {
                        let mut segs = path;
                        let Some(name) = segs.pop() else { continue };
                        imports.push((name, segs));
                    }
                }
                _ => {}
            }
        }
        if self.routes.len() + self.mounts.len() > registrations {
            for (name, segs) in imports {
                self.imports
                    .entry((file.path.clone(), name))
                    .or_default()
                    .push(segs);
            }
        }
    }

    /// Adds what an end-to-end suite in another language reaches: a handler it requests, or
    /// names, counts as tested.
    pub fn add_suite(&mut self, reach: crate::analysis::suites::SuiteReach) {
        self.suites.requests.extend(reach.requests);
        self.suites.names.extend(reach.names);
    }

    /// Merges facts collected from other files.
    pub fn merge(&mut self, other: Self) {
        self.suites.requests.extend(other.suites.requests);
        self.suites.names.extend(other.suites.names);
        self.routes.extend(other.routes);
        self.mounts.extend(other.mounts);
        self.test_helpers.extend(other.test_helpers);
        self.client_helpers.extend(other.client_helpers);
        self.tests.merge(other.tests);
        self.consumers.extend(other.consumers);
        self.free_fns.extend(other.free_fns);
        for (k, v) in other.fns {
            self.fns.entry(k).or_default().extend(v);
        }
        for (k, v) in other.imports {
            self.imports.entry(k).or_default().extend(v);
        }
        self.crate_names.extend(other.crate_names);
        self.operation_ids.extend(other.operation_ids);
    }

    /// Resolves facts that need the whole repository, after all files are merged: router
    /// prefixes, which function each registration names, and what tests reach (helpers one
    /// level deep).
    pub fn finish(&mut self) {
        // Deterministic order whatever the merge order was.
        self.routes
            .sort_by(|a, b| (&a.group, &a.handler, &a.path).cmp(&(&b.group, &b.handler, &b.path)));
        for v in self.fns.values_mut() {
            v.sort();
            v.dedup();
        }
        self.resolve_tests();
        let prefixes = self.resolve_prefixes();
        let routes = std::mem::take(&mut self.routes);
        // A test that builds a route group itself (`let app = router().with_state(..)`) sends
        // its requests to the group's own paths, without the prefix the group is mounted under
        // elsewhere (`.nest("/api/v1", router())`): its handlers reached that way are tested.
        let mut reached_in_group: FxHashSet<Target> = FxHashSet::default();
        for r in &routes {
            let group_prefixes = prefixes
                .get(&r.group)
                .cloned()
                .unwrap_or_else(|| vec![String::new()]);
            let full: Vec<Option<String>> = match &r.path {
                Some(p) => group_prefixes
                    .iter()
                    .map(|g| Some(join_path(&join_path(g, &r.inline_prefix), p)))
                    .collect(),
                None => vec![None],
            };
            let targets: Vec<Target> = match &r.handler {
                HandlerRef::Named(n) => self.resolve_name(n).into_iter().map(Target::Fn).collect(),
                HandlerRef::Exact(k) => vec![Target::Fn(k.clone())],
                HandlerRef::Closure(f, s) => vec![Target::Closure(f.clone(), *s)],
                HandlerRef::Forwarding(f, s, names) => {
                    let fns: Vec<FnKey> = names
                        .iter()
                        .flat_map(|n| self.resolve_method_or_fn(n))
                        .collect();
                    if fns.is_empty() {
                        vec![Target::Closure(f.clone(), *s)]
                    } else {
                        fns.into_iter().map(Target::Fn).collect()
                    }
                }
            };
            let in_group = match (&r.group, &r.path) {
                (RouteGroup::Fn(group), Some(p)) if self.tested_fns.contains(group) => {
                    let local = join_path(&r.inline_prefix, p);
                    let route = (r.method.clone(), local, r.framework, r.via_call.clone());
                    !full.iter().all(|f| f.as_deref() == Some(route.1.as_str()))
                        && route_reached(&self.requests, &route)
                }
                _ => false,
            };
            for t in targets {
                if in_group {
                    reached_in_group.insert(t.clone());
                }
                let info = match t {
                    Target::Fn(k) => self.handlers.entry(k).or_default(),
                    Target::Closure(f, s) => self.closures.entry((f, s)).or_default(),
                };
                for p in &full {
                    let entry = (
                        r.method.clone(),
                        p.clone().unwrap_or_default(),
                        r.framework,
                        r.via_call.clone(),
                    );
                    if !info.routes.contains(&entry) {
                        info.routes.push(entry);
                    }
                }
            }
        }
        self.routes = routes;
        let consumers = std::mem::take(&mut self.consumers);
        for c in &consumers {
            self.handlers.entry(c.function.clone()).or_default();
        }
        self.consumers = consumers;
        let requests = &self.requests;
        let tested_fns = &self.tested_fns;
        let suites = &self.suites;
        let suite_names = suites.operation_names();
        let operations: FxHashMap<&FnKey, Vec<&str>> =
            self.operation_ids
                .iter()
                .fold(FxHashMap::default(), |mut by_fn, (k, id)| {
                    by_fn.entry(k).or_insert_with(Vec::new).push(id.as_str());
                    by_fn
                });
        for (k, info) in self.handlers.iter_mut() {
            let named_by_suite = std::iter::once(k.name.as_str())
                .chain(operations.get(k).into_iter().flatten().copied())
                .any(|n| suite_names.contains(&crate::analysis::suites::operation_key(n)));
            info.tested = tested_fns.contains(k)
                || named_by_suite
                || reached_in_group.contains(&Target::Fn(k.clone()))
                || info
                    .routes
                    .iter()
                    .any(|r| route_reached(requests, r) || route_reached(&suites.requests, r));
        }
        for ((file, start), info) in self.closures.iter_mut() {
            info.tested = reached_in_group.contains(&Target::Closure(file.clone(), *start))
                || info
                    .routes
                    .iter()
                    .any(|r| route_reached(requests, r) || route_reached(&suites.requests, r));
        }
        let fn_keys = self.handlers.keys().map(|k| HandlerKey::Fn(k.clone()));
        let closure_keys = self
            .closures
            .keys()
            .map(|(path, start)| HandlerKey::Closure(path.clone(), *start));
        let mut admitted = FxHashSet::default();
        let mut every = FxHashSet::default();
        for key in fn_keys.chain(closure_keys) {
            let encoded = key.encode();
            if self.may_report(&key) {
                admitted.insert(encoded.clone());
            }
            if key.info(self).is_some_and(|info| !info.routes.is_empty()) {
                every.insert(encoded);
            }
        }
        self.gate_keys = admitted;
        self.handler_keys = every;
    }

    /// Whether `is_untested_handler` may report the handler of `key`: no test reaches it, and
    /// it has a route or a consumer loop that waits for messages. Those are the filter's
    /// conditions that do not depend on the check's lists.
    fn may_report(&self, key: &HandlerKey) -> bool {
        key.info(self).is_some_and(|info| {
            !info.tested
                && (!info.routes.is_empty()
                    || match key {
                        HandlerKey::Fn(k) => self.consumer_loops(k).any(ConsumerLoop::waits),
                        HandlerKey::Closure(..) => false,
                    })
        })
    }

    /// The handler facts for a function definition, if it is a registered entry point.
    pub fn handler(&self, key: &FnKey) -> Option<&HandlerInfo> {
        self.handlers.get(key)
    }

    /// The requests tests send (after following helpers, without 404-only tests).
    pub fn test_requests(&self) -> &[Request] {
        &self.requests
    }

    /// Whether tests call directly the repository function a call written as `name` (from
    /// the file `name.from_file`) resolves to.
    pub fn is_called_by_tests(&self, name: &NameRef) -> bool {
        self.resolve_name(name)
            .iter()
            .any(|k| self.tested_fns.contains(k))
    }

    fn consumer_loops<'a>(&'a self, key: &'a FnKey) -> impl Iterator<Item = &'a ConsumerLoop> + 'a {
        self.consumers.iter().filter(move |c| &c.function == key)
    }

    /// Production functions a path (`create`, `orders::create`, `Api::create`) may denote.
    fn resolve_name(&self, n: &NameRef) -> Vec<FnKey> {
        self.resolve(n, true)
    }

    /// Like [`HandlerFacts::resolve_name`], for a name a method call may have written
    /// (`handler.process(event)` in a forwarding closure): methods count.
    fn resolve_method_or_fn(&self, n: &NameRef) -> Vec<FnKey> {
        self.resolve(n, false)
    }

    fn resolve(&self, n: &NameRef, as_path: bool) -> Vec<FnKey> {
        let Some(cands) = self.fns.get(&n.name) else {
            return Vec::new();
        };
        // A path that does not name a type (`post(update_note)`, `store::delete`) never names
        // a method or an associated function: an API client's `ServiceClient::update_note` is not
        // the handler `update_note`, nor `SettingsStore::delete` the handler `store::delete`.
        // `Self::create` and `Api::create` may name one.
        let names_type = n
            .qualifier
            .last()
            .is_some_and(|q| q == "Self" || q.starts_with(|c: char| c.is_ascii_uppercase()));
        let bare_path = as_path && !names_type;
        let owned: Vec<FnKey>;
        let cands = if bare_path && cands.iter().any(|c| !self.free_fns.contains(c)) {
            owned = cands
                .iter()
                .filter(|c| self.free_fns.contains(*c))
                .cloned()
                .collect();
            &owned
        } else {
            cands
        };
        let qual: Vec<&String> = n
            .qualifier
            .iter()
            .filter(|q| !matches!(q.as_str(), "crate" | "self" | "super" | "Self"))
            .collect();
        let crate_of = |c: &FnKey| self.crate_names.get(&c.file);
        // The segment before the name says where it is: a module on the function's module
        // path (`handlers::create` for `handlers/orders.rs`, re-exported), or its crate
        // (`my_router::upload`). An earlier segment does not: `blog::api_client::register` is
        // not the crate's other `register`s.
        if let Some(last) = qual.last() {
            return cands
                .iter()
                .filter(|c| c.module.contains(last) || crate_of(c) == Some(*last))
                .cloned()
                .collect();
        }
        let same_file: Vec<FnKey> = cands
            .iter()
            .filter(|c| c.file == n.from_file)
            .cloned()
            .collect();
        if !same_file.is_empty() {
            return same_file;
        }
        // Imported by name (`use crate::handlers::orders::create;`), or by a glob.
        let by_import = |key: &str| -> Vec<FnKey> {
            let Some(paths) = self.imports.get(&(n.from_file.clone(), key.to_string())) else {
                return Vec::new();
            };
            cands
                .iter()
                .filter(|c| {
                    paths.iter().any(|p| {
                        let last = p
                            .iter()
                            .rev()
                            .find(|s| !matches!(s.as_str(), "crate" | "self" | "super"));
                        // From another crate of the workspace (`use my_router::upload;`): the
                        // path starts with that crate's name, then its modules, if any.
                        let from_crate = p.split_first().is_some_and(|(first, rest)| {
                            crate_of(c) == Some(first)
                                && rest.last().is_none_or(|l| c.module.contains(l))
                        });
                        from_crate || last.is_none_or(|l| c.module.contains(l))
                    })
                })
                .cloned()
                .collect()
        };
        let named = by_import(&n.name);
        if !named.is_empty() {
            return named;
        }
        if self
            .imports
            .contains_key(&(n.from_file.clone(), n.name.clone()))
        {
            // Imported from somewhere that defines no such function here (another crate).
            return Vec::new();
        }
        let globbed = by_import("*");
        if !globbed.is_empty() {
            return globbed;
        }
        cands.clone()
    }

    /// Full prefixes of every group that is mounted somewhere, by propagation (no recursion:
    /// bounded rounds, so cycles and deep nesting are harmless).
    fn resolve_prefixes(&self) -> FxHashMap<RouteGroup, Vec<String>> {
        const MAX_PREFIXES: usize = 16;
        let locals: FxHashSet<&RouteGroup> = self
            .routes
            .iter()
            .map(|r| &r.group)
            .chain(self.mounts.iter().map(|m| &m.parent))
            .collect();
        // Resolve mount children to groups.
        let mut edges: Vec<(RouteGroup, RouteGroup, String)> = Vec::new();
        for m in &self.mounts {
            let children: Vec<RouteGroup> = match &m.child {
                MountChild::Named(n) => self
                    .resolve_name(n)
                    .into_iter()
                    .map(RouteGroup::Fn)
                    .collect(),
                MountChild::Ident {
                    file,
                    fn_start,
                    name,
                } => {
                    let local = RouteGroup::Local(file.clone(), *fn_start, name.clone());
                    if locals.contains(&local) {
                        vec![local]
                    } else {
                        let n = NameRef {
                            qualifier: Vec::new(),
                            name: name.clone(),
                            from_file: file.clone(),
                        };
                        self.resolve_name(&n)
                            .into_iter()
                            .map(RouteGroup::Fn)
                            .collect()
                    }
                }
            };
            for c in children {
                if c != m.parent {
                    edges.push((c, m.parent.clone(), m.prefix.clone()));
                }
            }
        }
        let mounted: FxHashSet<RouteGroup> = edges.iter().map(|e| e.0.clone()).collect();
        let mut prefixes: FxHashMap<RouteGroup, BTreeSet<String>> = FxHashMap::default();
        for g in locals.iter().copied().chain(edges.iter().map(|e| &e.1)) {
            if !mounted.contains(g) {
                prefixes.entry(g.clone()).or_default().insert(String::new());
            }
        }
        for _round in 0..12 {
            let mut changed = false;
            for (child, parent, prefix) in &edges {
                let Some(parent_prefixes) = prefixes.get(parent).cloned() else {
                    continue;
                };
                let set = prefixes.entry(child.clone()).or_default();
                for pp in parent_prefixes {
                    if set.len() >= MAX_PREFIXES {
                        break;
                    }
                    changed |= set.insert(join_path(&pp, prefix));
                }
            }
            if !changed {
                break;
            }
        }
        prefixes
            .into_iter()
            .map(|(g, set)| {
                let mut v: Vec<String> = set.into_iter().collect();
                if v.is_empty() {
                    v.push(String::new());
                }
                (g, v)
            })
            .collect()
    }

    /// What tests reach: each test's own calls and requests plus those of the helpers it
    /// calls, at any depth (`tester.send_webhook()` -> `create_request()` -> the request).
    /// Requests of tests that only assert 404/405 do not count.
    fn resolve_tests(&mut self) {
        let mut helpers: FxHashMap<&str, Vec<&TestFnRaw>> = FxHashMap::default();
        for t in &self.test_helpers {
            helpers.entry(t.name.as_str()).or_default().push(t);
        }
        let tests = std::mem::take(&mut self.tests);
        let mut requests = tests.requests;
        let mut direct = tests.direct;
        // What tests reach is a set (a route is reached when any request matches it), so each
        // helper contributes once: one walk over the helper graph from the tests' calls for the
        // direct calls, and one from the calls of the tests that do not only assert 404 for the
        // requests.
        for h in reachable_helpers(tests.calls.iter(), &helpers) {
            direct.extend(h.direct.iter().cloned());
        }
        // Requests are also sent by production client code a test calls (an SDK method), at
        // any depth through test helpers and such clients.
        // A name that other production functions share (a database method of the same name,
        // a verb every client defines) is ambiguous: a test calling it may call any of them.
        let mut sending: FxHashMap<&str, usize> = FxHashMap::default();
        for c in &self.client_helpers {
            *sending.entry(c.name.as_str()).or_default() += 1;
        }
        // A route's handler often shares its client method's name (`post_records` on both
        // sides): a test's `client.post_records(..)` cannot call the free handler, so one
        // handler of that name does not make it ambiguous.
        let handler_names: FxHashSet<&str> = self
            .routes
            .iter()
            .filter_map(|r| match &r.handler {
                HandlerRef::Named(n) => Some(n.name.as_str()),
                HandlerRef::Exact(k) => Some(k.name.as_str()),
                _ => None,
            })
            .collect();
        // A client method the tests and their helpers only ever call as a method
        // (`client.get_order(id)`) cannot be a same-named free function (a database
        // function `get_order(&pool, id)` the route's handler calls): those do not make it
        // ambiguous.
        let plain_called: FxHashSet<&str> = tests
            .plain_calls
            .iter()
            .chain(self.test_helpers.iter().flat_map(|h| h.plain_calls.iter()))
            .chain(
                self.client_helpers
                    .iter()
                    .flat_map(|h| h.plain_calls.iter()),
            )
            .map(String::as_str)
            .collect();
        for c in &self.client_helpers {
            let is_method = c.key.as_ref().is_some_and(|k| !self.free_fns.contains(k));
            let definitions = if is_method && !plain_called.contains(c.name.as_str()) {
                self.fns.get(&c.name).map_or(0, |defs| {
                    defs.iter().filter(|d| !self.free_fns.contains(*d)).count()
                })
            } else {
                self.fns
                    .get(&c.name)
                    .map_or(0, Vec::len)
                    .saturating_sub(usize::from(handler_names.contains(c.name.as_str())))
            };
            if definitions <= sending[c.name.as_str()] && !HTTP_METHODS.contains(&c.name.as_str()) {
                helpers.entry(c.name.as_str()).or_default().push(c);
            }
        }
        let reached = reachable_helpers(tests.request_calls.iter(), &helpers);
        // A client function called by its path (`api_client::register(..)`) is that one
        // function, however many others share its name.
        let by_key: FxHashMap<&FnKey, &TestFnRaw> = self
            .client_helpers
            .iter()
            .filter_map(|c| Some((c.key.as_ref()?, c)))
            .collect();
        let path_called: Vec<&TestFnRaw> = tests
            .request_path_calls
            .iter()
            .chain(reached.iter().flat_map(|h| h.path_calls.iter()))
            .flat_map(|n| self.resolve_name(n))
            .filter_map(|k| by_key.get(&k).copied())
            .collect();
        for h in reached.into_iter().chain(path_called) {
            requests.extend(h.requests.iter().cloned());
        }
        self.requests = requests;
        self.tested_fns = direct.iter().flat_map(|n| self.resolve_name(n)).collect();
    }

    fn collect_attribute_route(&mut self, file: &ParsedFile, attributes: Vec<&str>, key: &FnKey) {
        for attr in attributes {
            let Some((method, path, framework)) = parse_route_attribute(attr, &file.text) else {
                continue;
            };
            if let Some(id) = operation_id(attr) {
                self.operation_ids.push((key.clone(), id));
            }
            self.routes.push(RawRoute {
                group: RouteGroup::Fn(key.clone()),
                inline_prefix: String::new(),
                path: Some(path),
                method,
                handler: HandlerRef::Exact(key.clone()),
                framework,
                via_call: None,
            });
        }
    }

    fn collect_call(
        &mut self,
        file: &ParsedFile,
        nodes: &NodeList<'_>,
        file_module: &[String],
        call: Node<'_>,
        lambda_file: bool,
    ) {
        let Some(name) = syntax::call_name(file, call) else {
            return;
        };
        let is_method = syntax::call_receiver(call).is_some();
        let Some(args) = call.field("arguments") else {
            return;
        };
        const REGISTRATIONS: &[&str] = &[
            "route",
            "at",
            "route_service",
            "to",
            "fallback",
            "nest",
            "nest_service",
            "merge",
            "service",
            "configure",
            "service_fn",
        ];
        // Most calls are nothing of the kind: a name that registers nothing, with fewer than
        // two arguments, is not a route (and needs no argument list).
        if !REGISTRATIONS.contains(&name)
            && !matches!(name, "and_then" | "map")
            && args.named_child_count() < 2
        {
            return;
        }
        let arg_list: Vec<Node<'_>> = named_args(args);
        let warp_target = matches!(name, "and_then" | "map")
            && arg_list.len() == 1
            && syntax::call_receiver(call).is_some_and(|r| {
                let chain = file.node_text(r);
                chain.contains("warp::") || chain.contains("path!")
            })
            && syntax::unwrap_expression(arg_list[0]).kind_name() != "closure_expression";
        let relevant = warp_target
            || REGISTRATIONS.contains(&name)
            || (arg_list.len() >= 2
                && string_value(file, arg_list[0]).is_some_and(|s| s.starts_with('/')));
        if !relevant || syntax::is_in_test_code(file, call) {
            return;
        }
        let (group, mut inline_prefix) = location(file, nodes, file_module, call);
        // actix: a call chained on `web::scope("/x")` is itself under that scope.
        if is_method {
            if let Some(p) =
                chain_root_call(file, call, "scope").and_then(|s| first_string_arg(file, s))
            {
                inline_prefix = join_path(&inline_prefix, &p);
            }
        }
        let push_route = |facts: &mut Self,
                          path: Option<String>,
                          method: Option<Method>,
                          h: HandlerRef,
                          fw: Framework,
                          via: Option<String>| {
            facts.routes.push(RawRoute {
                group: group.clone(),
                inline_prefix: inline_prefix.clone(),
                path,
                method,
                handler: h,
                framework: fw,
                via_call: via,
            });
        };
        match (name, is_method) {
            ("route" | "at" | "route_service", true) if arg_list.len() == 2 => {
                let Some(path) = string_value(file, arg_list[0]) else {
                    return;
                };
                let fw = if name == "at" {
                    Framework::Poem
                } else if file.node_text(arg_list[1]).contains(".to(") {
                    Framework::Actix
                } else {
                    Framework::Axum
                };
                for (m, h) in method_router_handlers(file, arg_list[1]) {
                    push_route(self, Some(path.clone()), m, h, fw, None);
                }
            }
            ("route", true) if arg_list.len() == 1 => {
                // actix: web::resource("/p").route(web::get().to(h))
                let Some(path) =
                    chain_root_call(file, call, "resource").and_then(|c| first_string_arg(file, c))
                else {
                    return;
                };
                for (m, h) in method_router_handlers(file, arg_list[0]) {
                    push_route(self, Some(path.clone()), m, h, Framework::Actix, None);
                }
            }
            ("to", true) if arg_list.len() == 1 => {
                // actix: web::resource("/p").to(h)
                let Some(path) =
                    chain_root_call(file, call, "resource").and_then(|c| first_string_arg(file, c))
                else {
                    return;
                };
                if let Some(h) = handler_ref(file, arg_list[0]) {
                    push_route(self, Some(path), None, h, Framework::Actix, None);
                }
            }
            ("fallback", true) if arg_list.len() == 1 => {
                if let Some(h) = handler_ref(file, arg_list[0]) {
                    push_route(
                        self,
                        Some("/{*rest}".into()),
                        None,
                        h,
                        Framework::Axum,
                        None,
                    );
                }
            }
            ("nest" | "nest_service", true) if arg_list.len() == 2 => {
                let Some(prefix) = string_value(file, arg_list[0]) else {
                    return;
                };
                if let Some(child) = mount_child(file, call, arg_list[1]) {
                    self.mounts.push(RawMount {
                        parent: group,
                        prefix: join_path(&inline_prefix, &prefix),
                        child,
                    });
                }
            }
            ("merge" | "service" | "configure", true) if arg_list.len() == 1 => {
                if let Some(child) = mount_child(file, call, arg_list[0]) {
                    self.mounts.push(RawMount {
                        parent: group,
                        prefix: inline_prefix,
                        child,
                    });
                }
            }
            // A Lambda handler, or a hyper server's service: every request the server accepts
            // goes to it, whatever its path (a connector handed to a client is neither).
            ("service_fn", _)
                if arg_list.len() == 1
                    && (lambda_file || serves_hyper_requests(file, nodes, call)) =>
            {
                let arg = syntax::unwrap_expression(arg_list[0]);
                let h = if arg.kind_name() == "closure_expression" {
                    Some(HandlerRef::Forwarding(
                        file.path.clone(),
                        arg.start_byte(),
                        forwarded_names(file, arg),
                    ))
                } else {
                    handler_ref(file, arg)
                };
                let (framework, path) = if lambda_file {
                    (Framework::Lambda, None)
                } else {
                    (Framework::Hyper, Some("/{*rest}".to_string()))
                };
                if let Some(h) = h {
                    push_route(self, path, None, h, framework, None);
                }
            }
            ("and_then" | "map", true) if warp_target => {
                let Some(receiver) = syntax::call_receiver(call) else {
                    return;
                };
                let Some(h) = handler_ref(file, arg_list[0]) else {
                    return;
                };
                // Without a recognisable path filter, any request a test sends may reach it.
                let (method, path) = warp_route(file, receiver);
                push_route(
                    self,
                    Some(path.unwrap_or_else(|| "/{*rest}".into())),
                    method,
                    h,
                    Framework::Warp,
                    None,
                );
            }
            _ => {
                // Candidate for `config.handler_registrations`: `register("/path", handler)`.
                if arg_list.len() >= 2 {
                    let Some(path) = string_value(file, arg_list[0]) else {
                        return;
                    };
                    let Some(last) = arg_list.last().copied() else {
                        return;
                    };
                    if let Some(h) = handler_ref(file, last) {
                        push_route(
                            self,
                            Some(path),
                            None,
                            h,
                            Framework::Configured,
                            Some(name.to_string()),
                        );
                    }
                }
            }
        }
    }

    fn collect_macro(
        &mut self,
        file: &ParsedFile,
        nodes: &NodeList<'_>,
        file_module: &[String],
        mac: Node<'_>,
    ) {
        let Some(m) = mac.field("macro") else {
            return;
        };
        let name = file.node_text(m).rsplit("::").next().unwrap_or("");
        if syntax::is_in_test_code(file, mac) {
            return;
        }
        if !ROUTE_LIST_MACROS.contains(&name) {
            self.collect_prefix_map(file, nodes, file_module, mac);
            return;
        }
        // rocket: mount("/base", routes![a, b::c])
        let (group, prefix) = location(file, nodes, file_module, mac);
        let Some(tt) = mac
            .named_children(&mut mac.walk())
            .find(|c| c.kind_name() == "token_tree")
        else {
            return;
        };
        let text = file
            .node_text(tt)
            .trim_start_matches(['(', '[', '{'])
            .trim_end_matches([')', ']', '}']);
        for item in text.split(',') {
            let item: String = item.chars().filter(|c| !c.is_whitespace()).collect();
            if item.is_empty() {
                continue;
            }
            let mut segs: Vec<String> = item.split("::").map(str::to_string).collect();
            let Some(name) = segs.pop() else { continue };
            if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            self.mounts.push(RawMount {
                parent: group.clone(),
                prefix: prefix.clone(),
                child: MountChild::Named(NameRef {
                    qualifier: segs,
                    name,
                    from_file: file.path.clone(),
                }),
            });
        }
    }

    /// A macro that mounts route lists by prefix, `"/channels" => channels::routes(),` in its
    /// tokens (rocket_okapi's `mount_endpoints_and_merged_docs!`): each pair mounts the named
    /// function's routes under the prefix, as `mount("/channels", channels::routes())` would.
    fn collect_prefix_map(
        &mut self,
        file: &ParsedFile,
        nodes: &NodeList<'_>,
        file_module: &[String],
        mac: Node<'_>,
    ) {
        let Some(tt) = mac
            .named_children(&mut mac.walk())
            .find(|c| c.kind_name() == "token_tree")
        else {
            return;
        };
        let tokens: Vec<Node<'_>> = tt.children(&mut tt.walk()).collect();
        let mut pairs = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            if t.kind_name() != "string_literal"
                || tokens.get(i + 1).map(|n| n.kind_name()) != Some("=>")
            {
                continue;
            }
            let Some(prefix) = string_value(file, *t).filter(|p| p.starts_with('/')) else {
                continue;
            };
            // `a::b::routes` then `()`: the path's tokens up to the empty argument list.
            let mut segs = Vec::new();
            let mut called = false;
            for n in &tokens[i + 2..] {
                match n.kind_name() {
                    "identifier" => segs.push(file.node_text(*n).to_string()),
                    "::" => {}
                    "token_tree" => {
                        called = file.node_text(*n).starts_with('(');
                        break;
                    }
                    _ => break,
                }
            }
            if let (true, Some(name)) = (called, segs.pop()) {
                pairs.push((prefix, segs, name));
            }
        }
        if pairs.is_empty() {
            return;
        }
        let (group, outer) = location(file, nodes, file_module, mac);
        for (prefix, qualifier, name) in pairs {
            self.mounts.push(RawMount {
                parent: group.clone(),
                prefix: join_path(&outer, &prefix),
                child: MountChild::Named(NameRef {
                    qualifier,
                    name,
                    from_file: file.path.clone(),
                }),
            });
        }
    }

    fn collect_loop<'t>(
        &mut self,
        file: &ParsedFile,
        nodes: &NodeList<'t>,
        file_module: &[String],
        lp: Node<'t>,
    ) {
        let Some(func) = nodes
            .ancestors(lp)
            .find(|a| a.kind_name() == "function_item")
        else {
            return;
        };
        let Some(name) = func.field("name").map(|n| file.node_text(n).to_string()) else {
            return;
        };
        if name == "main" || syntax::is_in_test_code(file, lp) {
            return;
        }
        // The pulling call is in a `while let` condition, or (for `loop`) a statement of the body.
        let search: Vec<Node<'_>> = match lp.kind_name() {
            "while_expression" => lp.field("condition").into_iter().collect(),
            "for_expression" => lp.field("value").into_iter().collect(),
            _ => lp.field("body").into_iter().collect(),
        };
        for s in search {
            for c in nodes.of_kind_in("call_expression", s) {
                if nodes
                    .ancestors(c)
                    .take_while(|a| a.id() != lp.id())
                    .any(|a| {
                        matches!(
                            a.kind_name(),
                            "closure_expression"
                                | "function_item"
                                | "loop_expression"
                                | "while_expression"
                                | "for_expression"
                        )
                    })
                {
                    continue;
                }
                let Some(call) =
                    syntax::call_name(file, c).filter(|n| CONSUMER_CALL_CANDIDATES.contains(n))
                else {
                    continue;
                };
                let Some(receiver) = syntax::call_receiver(c) else {
                    continue;
                };
                let awaited = nodes
                    .parent(c)
                    .is_some_and(|p| p.kind_name() == "await_expression");
                let key = fn_key(file, file_module, func, &name);
                self.consumers.push(ConsumerLoop {
                    function: key,
                    call: call.to_string(),
                    receiver: file.node_text(receiver).to_string(),
                    awaited,
                });
            }
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Target {
    Fn(FnKey),
    Closure(String, usize),
}

fn route_reached(
    requests: &[Request],
    route: &(Option<Method>, String, Framework, Option<String>),
) -> bool {
    let (method, path, fw, _) = route;
    if matches!(fw, Framework::Lambda | Framework::Consumer) {
        return false;
    }
    let template = route_segments(path);
    requests.iter().any(|r| {
        let method_ok = match (&r.method, method) {
            (Some(a), Some(b)) => a == b || (a == "HEAD" && b == "GET"),
            _ => true,
        };
        method_ok && path_matches(&template, &r.path)
    })
}

/// Module path of a file: the components after the last `src/` (`src/routes/users.rs` →
/// `routes::users`; `mod.rs`, `lib.rs` and `main.rs` add nothing).
fn module_of_path(path: &str) -> Vec<String> {
    let comps: Vec<&str> = path.split('/').collect();
    let start = comps.iter().rposition(|c| *c == "src").map_or(0, |i| i + 1);
    let mut out: Vec<String> = Vec::new();
    for (i, c) in comps.iter().enumerate().skip(start) {
        let last = i + 1 == comps.len();
        let c = if last { c.trim_end_matches(".rs") } else { c };
        if last && matches!(c, "mod" | "lib" | "main") {
            continue;
        }
        out.push(c.to_string());
    }
    out
}

/// The key of function `func` named `name`: its file, module (the file's, then the inline
/// modules around it) and name.
fn fn_key(file: &ParsedFile, file_module: &[String], func: Node<'_>, name: &str) -> FnKey {
    let mut module = file_module.to_vec();
    module.extend(
        syntax::modules_around(file, func)
            .into_iter()
            .map(str::to_string),
    );
    FnKey {
        file: file.path.clone(),
        module,
        name: name.to_string(),
    }
}

/// The key of the function whose definition is `func` (for filters).
pub fn fn_key_of(file: &ParsedFile, func: Node<'_>) -> Option<FnKey> {
    let name = func.field("name")?;
    Some(fn_key(
        file,
        &module_of_path(&file.path),
        func,
        file.node_text(name),
    ))
}

fn named_args(args: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| {
            !matches!(
                n.kind_name(),
                "line_comment" | "block_comment" | "attribute_item"
            )
        })
        .collect()
}

/// The value of a string literal (also raw strings, `&"..."`, `"..".to_string()`). Walks down
/// a conversion chain in a loop: a PR can write `.to_string()` any number of times.
fn string_value(file: &ParsedFile, node: Node<'_>) -> Option<String> {
    let mut node = node;
    loop {
        node = syntax::unwrap_expression(node);
        match node.kind_name() {
            "string_literal" | "raw_string_literal" => {
                let content = node
                    .named_children(&mut node.walk())
                    .find(|c| c.kind_name() == "string_content");
                return Some(
                    content
                        .map(|c| file.node_text(c).to_string())
                        .unwrap_or_default(),
                );
            }
            "call_expression" => {
                let name = syntax::call_name(file, node)?;
                if !matches!(name, "to_string" | "to_owned" | "into" | "from") {
                    return None;
                }
                node = syntax::call_receiver(node).or_else(|| {
                    node.field("arguments")
                        .and_then(|a| named_args(a).first().copied())
                })?;
            }
            _ => return None,
        }
    }
}

fn first_string_arg(file: &ParsedFile, call: Node<'_>) -> Option<String> {
    let args = call.field("arguments")?;
    string_value(file, *named_args(args).first()?)
}

/// The innermost call at the root of a method chain, if its name is `name`
/// (`web::scope("/x")` for `web::scope("/x").service(a).service(b)`).
fn chain_root_call<'t>(file: &ParsedFile, call: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut cur = call;
    loop {
        match syntax::call_receiver(cur).map(syntax::unwrap_expression) {
            Some(r) if r.kind_name() == "call_expression" => cur = r,
            Some(_) => return None,
            None => return (syntax::call_name(file, cur) == Some(name)).then_some(cur),
        }
    }
}

/// Whether a `service_fn(..)` call builds a hyper server's service: the file uses hyper, and
/// the call is not an argument of a connector (`connect_with_connector(service_fn(..))` makes
/// a client's connections, it answers no request).
/// Climbs at most 8 levels through the walk's node list, so nested calls cost nothing extra.
fn serves_hyper_requests<'t>(file: &ParsedFile, nodes: &NodeList<'t>, call: Node<'t>) -> bool {
    if !file.text.contains("hyper") {
        return false;
    }
    for parent in nodes.ancestors(call).take(8) {
        if parent.kind_name() == "call_expression"
            && syntax::call_name(file, parent).is_some_and(|n| n.contains("connect"))
        {
            return false;
        }
        if matches!(parent.kind_name(), "function_item" | "block") {
            break;
        }
    }
    true
}

/// The most nodes of a handler closure [`forwarded_names`] reads: a real one hands the request
/// on within a few lines, and reading all of a closure that nests others, per closure, would
/// be quadratic.
const MAX_FORWARDING_NODES: usize = 4096;

/// The functions a handler closure hands its work to: every function it calls by path, and each
/// method it calls with the closure's own parameter (`|req| async move { svc.call(req).await }`
/// forwards to `call`).
fn forwarded_names(file: &ParsedFile, closure: Node<'_>) -> Vec<NameRef> {
    let params: Vec<&str> = closure
        .field("parameters")
        .map(|p| {
            syntax::descendants(p)
                .take(MAX_FORWARDING_NODES)
                .filter(|d| d.kind_name() == "identifier")
                .map(|d| file.node_text(d))
                .collect()
        })
        .unwrap_or_default();
    syntax::descendants(closure)
        .take(MAX_FORWARDING_NODES)
        .filter(|d| d.kind_name() == "call_expression")
        .filter_map(|c| {
            let function = c.field("function")?;
            if function.kind_name() != "field_expression" {
                return name_ref(file, function);
            }
            let passes_param = named_args(c.field("arguments")?)
                .into_iter()
                .any(|a| params.contains(&file.node_text(syntax::unwrap_expression(a))));
            if !passes_param {
                return None;
            }
            Some(NameRef {
                qualifier: Vec::new(),
                name: file.node_text(function.field("field")?).to_string(),
                from_file: file.path.clone(),
            })
        })
        .collect()
}

fn name_ref(file: &ParsedFile, node: Node<'_>) -> Option<NameRef> {
    let node = if node.kind_name() == "generic_function" {
        node.field("function")?
    } else {
        node
    };
    match node.kind_name() {
        "identifier" => Some(NameRef {
            qualifier: Vec::new(),
            name: file.node_text(node).to_string(),
            from_file: file.path.clone(),
        }),
        "scoped_identifier" => {
            let text: String = file
                .node_text(node)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut segs: Vec<String> = text.split("::").map(str::to_string).collect();
            let name = segs.pop()?;
            Some(NameRef {
                qualifier: segs,
                name,
                from_file: file.path.clone(),
            })
        }
        _ => None,
    }
}

/// The handler an argument names: a function path, a closure, or the root of a chain on one
/// (`handler.with_state(s)`).
fn handler_ref(file: &ParsedFile, node: Node<'_>) -> Option<HandlerRef> {
    let mut node = syntax::unwrap_expression(node);
    loop {
        match node.kind_name() {
            "closure_expression" => {
                return Some(HandlerRef::Closure(file.path.clone(), node.start_byte()))
            }
            "identifier" | "scoped_identifier" | "generic_function" => {
                return name_ref(file, node).map(HandlerRef::Named)
            }
            "call_expression" => match syntax::call_receiver(node) {
                Some(r)
                    if matches!(
                        syntax::call_name(file, node),
                        Some("with_state" | "layer" | "into_service" | "boxed")
                    ) =>
                {
                    node = syntax::unwrap_expression(r)
                }
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The (method, handler) pairs of an axum/poem method router (`get(a).post(b)`,
/// `routing::any(c)`, `on(MethodFilter::PUT, d)`) or an actix route (`web::post().to(h)`), or a
/// bare handler (poem `.at("/p", h)`).
fn method_router_handlers(file: &ParsedFile, node: Node<'_>) -> Vec<(Option<Method>, HandlerRef)> {
    let mut out = Vec::new();
    let mut cur = syntax::unwrap_expression(node);
    for _ in 0..64 {
        match cur.kind_name() {
            "call_expression" => {
                let Some(name) = syntax::call_name(file, cur) else {
                    break;
                };
                let args = cur.field("arguments").map(named_args).unwrap_or_default();
                let method = if HTTP_METHODS.contains(&name) {
                    Some(Some(name.to_ascii_uppercase()))
                } else if name == "any" {
                    Some(None)
                } else {
                    None
                };
                match (method, name) {
                    (Some(m), _) if !args.is_empty() => {
                        if let Some(h) = handler_ref(file, args[0]) {
                            out.push((m, h));
                        }
                    }
                    (_, "on") if args.len() == 2 => {
                        let filter = file.node_text(args[0]).to_ascii_lowercase();
                        let m = HTTP_METHODS
                            .iter()
                            .find(|m| filter.ends_with(*m))
                            .map(|m| m.to_ascii_uppercase());
                        if let Some(h) = handler_ref(file, args[1]) {
                            out.push((m, h));
                        }
                    }
                    (_, "to") if args.len() == 1 => {
                        let m = syntax::call_receiver(cur)
                            .map(syntax::unwrap_expression)
                            .and_then(|r| {
                                if r.kind_name() == "call_expression" {
                                    syntax::call_name(file, r)
                                } else {
                                    None
                                }
                            })
                            .filter(|n| HTTP_METHODS.contains(n))
                            .map(|n| n.to_ascii_uppercase());
                        if let Some(h) = handler_ref(file, args[0]) {
                            out.push((m, h));
                        }
                    }
                    _ => {}
                }
                match syntax::call_receiver(cur) {
                    Some(r) => cur = syntax::unwrap_expression(r),
                    None => break,
                }
            }
            "identifier" | "scoped_identifier" | "closure_expression" => {
                if out.is_empty() {
                    if let Some(h) = handler_ref(file, cur) {
                        out.push((None, h));
                    }
                }
                break;
            }
            _ => break,
        }
    }
    out
}

/// The child router a `nest`/`merge`/`service`/`configure` argument names: the root of its
/// method chain (`api_routes(state).layer(..)` → `api_routes`; `api` → the local `api`).
fn mount_child(file: &ParsedFile, call: Node<'_>, arg: Node<'_>) -> Option<MountChild> {
    let mut cur = syntax::unwrap_expression(arg);
    for _ in 0..64 {
        match cur.kind_name() {
            "call_expression" => match syntax::call_receiver(cur) {
                Some(r) => cur = syntax::unwrap_expression(r),
                None => {
                    let f = cur.field("function")?;
                    return name_ref(file, f).map(MountChild::Named);
                }
            },
            "identifier" => {
                let fn_start = syntax::enclosing_function(call).map_or(0, |f| f.start_byte());
                return Some(MountChild::Ident {
                    file: file.path.clone(),
                    fn_start,
                    name: file.node_text(cur).to_string(),
                });
            }
            "scoped_identifier" => return name_ref(file, cur).map(MountChild::Named),
            // `configure_endpoint::<Backend>`: the function, whatever its type arguments.
            "generic_function" => cur = cur.field("function")?,
            // `|cfg| auth::configure(cfg, opts)`: the function the closure hands its config to.
            "closure_expression" => {
                let body = syntax::unwrap_expression(cur.field("body")?);
                let body = if body.kind_name() == "block" {
                    let last = body.named_child(body.named_child_count().checked_sub(1)?)?;
                    match last.kind_name() {
                        "expression_statement" => last.named_child(0)?,
                        _ => last,
                    }
                } else {
                    body
                };
                if body.kind_name() != "call_expression" || syntax::call_receiver(body).is_some() {
                    return None;
                }
                cur = body.field("function")?;
            }
            _ => return None,
        }
    }
    None
}

/// Where a registration is written: its group (the enclosing `let` binding or function) and the
/// prefix added by the routers it is nested in inside that group (`nest("/x", ..)` arguments,
/// actix `web::scope("/x")` chains, rocket `mount("/x", ..)` arguments).
fn location<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    file_module: &[String],
    node: Node<'t>,
) -> (RouteGroup, String) {
    let mut parts: Vec<String> = Vec::new();
    let mut prev = node;
    for a in nodes.ancestors(node) {
        match a.kind_name() {
            "arguments" => {
                if let Some(call) = nodes
                    .parent(a)
                    .filter(|p| p.kind_name() == "call_expression")
                {
                    let name = syntax::call_name(file, call).unwrap_or("");
                    let first = named_args(a).first().copied();
                    let in_first = first.is_some_and(|f| f.id() == prev.id());
                    if matches!(name, "nest" | "nest_service" | "mount") && !in_first {
                        if let Some(p) = first.and_then(|f| string_value(file, f)) {
                            parts.push(p);
                        }
                    }
                    if syntax::call_receiver(call).is_some() {
                        if let Some(p) = chain_root_call(file, call, "scope")
                            .and_then(|s| first_string_arg(file, s))
                        {
                            parts.push(p);
                        }
                    }
                }
            }
            "let_declaration" => {
                if let Some(p) = a.field("pattern").filter(|p| p.kind_name() == "identifier") {
                    let fn_start = nodes
                        .ancestors(a)
                        .find(|f| f.kind_name() == "function_item")
                        .map_or(0, |f| f.start_byte());
                    return (
                        RouteGroup::Local(
                            file.path.clone(),
                            fn_start,
                            file.node_text(p).to_string(),
                        ),
                        joined(parts),
                    );
                }
            }
            "assignment_expression" => {
                if let Some(l) = a.field("left").filter(|l| l.kind_name() == "identifier") {
                    let fn_start = nodes
                        .ancestors(a)
                        .find(|f| f.kind_name() == "function_item")
                        .map_or(0, |f| f.start_byte());
                    return (
                        RouteGroup::Local(
                            file.path.clone(),
                            fn_start,
                            file.node_text(l).to_string(),
                        ),
                        joined(parts),
                    );
                }
            }
            "function_item" => {
                let name = a.field("name").map(|n| file.node_text(n)).unwrap_or("");
                return (
                    RouteGroup::Fn(fn_key(file, file_module, a, name)),
                    joined(parts),
                );
            }
            _ => {}
        }
        prev = a;
    }
    (
        RouteGroup::Fn(FnKey {
            file: file.path.clone(),
            module: file_module.to_vec(),
            name: String::new(),
        }),
        joined(parts),
    )
}

fn joined(mut inner_first: Vec<String>) -> String {
    inner_first.reverse();
    inner_first
        .iter()
        .fold(String::new(), |acc, p| join_path(&acc, p))
}

/// Best-effort method and path of a warp filter chain: `warp::path!("a" / u32)`,
/// `warp::path("a")`, `warp::post()`.
fn warp_route(file: &ParsedFile, chain: Node<'_>) -> (Option<Method>, Option<String>) {
    let mut method = None;
    let mut segs: Vec<String> = Vec::new();
    for d in syntax::descendants(chain) {
        match d.kind_name() {
            "macro_invocation" => {
                let name = d.field("macro").map(|m| file.node_text(m)).unwrap_or("");
                if name.ends_with("path") {
                    let text = file.node_text(d);
                    let inner = text
                        .split_once('(')
                        .map_or("", |(_, r)| r)
                        .trim_end_matches([')', ';']);
                    for part in inner.split('/') {
                        let part = part.trim();
                        if part.starts_with('"') {
                            segs.push(part.trim_matches('"').to_string());
                        } else if part == ".." {
                            segs.push("*rest".into());
                        } else if !part.is_empty() {
                            segs.push("{param}".into());
                        }
                    }
                }
            }
            "call_expression" => {
                let Some(f) = d.field("function") else {
                    continue;
                };
                let ft = file.node_text(f);
                if let Some(m) = ft
                    .strip_prefix("warp::")
                    .filter(|m| HTTP_METHODS.contains(m))
                {
                    method = Some(m.to_ascii_uppercase());
                } else if ft == "warp::path" || ft == "path" {
                    if let Some(s) = first_string_arg(file, d) {
                        segs.push(s);
                    }
                } else if ft.ends_with("path::param") {
                    segs.push("{param}".into());
                }
            }
            _ => {}
        }
    }
    let path = if segs.is_empty() {
        None
    } else {
        Some(format!("/{}", segs.join("/")))
    };
    (method, path)
}

/// Parses a route attribute: actix/rocket `get("/p")`, `route("/p", method = "GET")`,
/// `utoipa::path(post, path = "/p")`, poem-openapi `oai(path = "/p", method = "post")`.
fn parse_route_attribute(
    attr: &str,
    file_text: &str,
) -> Option<(Option<Method>, String, Framework)> {
    let (head, rest) = attr.split_once('(')?;
    let head = head.trim();
    let name = head.rsplit("::").next().unwrap_or(head);
    // Most attributes (`allow(..)`, `cfg(..)`, `serde(..)`) are not routes: only those that
    // could be routes pay for reading literals and looking through the file for the framework.
    if !(HTTP_METHODS.contains(&name) || matches!(name, "route" | "path" | "oai")) {
        return None;
    }
    let literals = string_literals(rest);
    let fw = || {
        if head.starts_with("rocket")
            || file_text.contains("rocket::")
            || file_text.contains("#[macro_use] extern crate rocket")
        {
            Framework::Rocket
        } else if head.starts_with("actix") || file_text.contains("actix_web") {
            Framework::Actix
        } else if file_text.contains("poem") {
            Framework::Poem
        } else {
            Framework::Axum
        }
    };
    if HTTP_METHODS.contains(&name) {
        let path = literals.first()?.clone();
        return path
            .starts_with('/')
            .then(|| (Some(name.to_ascii_uppercase()), path, fw()));
    }
    let keyed = |key: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut s = rest;
        while let Some(i) = s.find(key) {
            let after = s[i + key.len()..].trim_start();
            if let Some(v) = after.strip_prefix('=') {
                if let Some(lit) = string_literals(v).first() {
                    out.push(lit.clone());
                }
            }
            s = &s[i + key.len()..];
        }
        out
    };
    match name {
        "route" => {
            let path = literals.first()?.clone();
            if !path.starts_with('/') {
                return None;
            }
            let methods = keyed("method");
            let m = (methods.len() == 1).then(|| methods[0].to_ascii_uppercase());
            Some((m, path, fw()))
        }
        "path" if head.contains("utoipa") || rest.contains("path =") || rest.contains("path=") => {
            let path = keyed("path").into_iter().next()?;
            let first = rest
                .split([',', ')'])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let m = HTTP_METHODS
                .contains(&first.as_str())
                .then(|| first.to_ascii_uppercase());
            Some((m, path, Framework::Axum))
        }
        "oai" => {
            let path = keyed("path").into_iter().next()?;
            let m = keyed("method")
                .into_iter()
                .next()
                .map(|m| m.to_ascii_uppercase());
            Some((m, path, Framework::Poem))
        }
        _ => None,
    }
}

/// The `operation_id = ".."` of a route attribute (poem-openapi `#[oai(..)]`, utoipa
/// `#[utoipa::path(..)]`).
fn operation_id(attr: &str) -> Option<String> {
    let at = attr.find("operation_id")?;
    let value = attr[at + "operation_id".len()..]
        .trim_start()
        .strip_prefix('=')?;
    string_literals(value)
        .into_iter()
        .next()
        .filter(|id| !id.is_empty())
}

/// The contents of the `"..."` literals in a piece of attribute text.
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut end = None;
        let mut escaped = false;
        for (j, d) in chars.by_ref() {
            if escaped {
                escaped = false;
            } else if d == '\\' {
                escaped = true;
            } else if d == '"' {
                end = Some(j);
                break;
            }
        }
        match end {
            Some(j) => out.push(text[i + 1..j].to_string()),
            None => break,
        }
    }
    out
}

/// Whether a production function may send a request a test could reach through it: its text
/// calls an HTTP verb or builds a request (a cheap look before reading it as a test helper).
fn may_send_request(file: &ParsedFile, func: Node<'_>) -> bool {
    let text = file.node_text(func);
    text.len() <= MAX_CLIENT_HELPER_BYTES
        && [
            ".get(",
            ".post(",
            ".put(",
            ".patch(",
            ".delete(",
            ".head(",
            ".request(",
            "Request::",
            "Method::",
        ]
        .iter()
        .any(|v| text.contains(v))
}

/// The longest production function read for the requests it sends (an SDK method is short;
/// a PR's one-megabyte function is not a client helper).
const MAX_CLIENT_HELPER_BYTES: usize = 16 * 1024;

/// Whether a request names at least one literal path segment (`{}/api/v0/record`): a client
/// method that only forwards a path it is given (`{}/{}`) says nothing about which route.
fn names_a_literal_segment(r: &Request) -> bool {
    r.path
        .iter()
        .any(|s| matches!(s, RequestSegment::Literal(_)))
}

/// Every helper reachable from the calls `roots` through helpers' own calls, each once.
fn reachable_helpers<'a>(
    roots: impl Iterator<Item = &'a String>,
    helpers: &FxHashMap<&str, Vec<&'a TestFnRaw>>,
) -> Vec<&'a TestFnRaw> {
    let mut taken: FxHashSet<*const TestFnRaw> = FxHashSet::default();
    let mut queue: Vec<&TestFnRaw> = Vec::new();
    let mut reached = Vec::new();
    let mut calls: Vec<&String> = roots.collect();
    loop {
        for c in calls.drain(..) {
            for h in helpers.get(c.as_str()).into_iter().flatten() {
                if taken.insert(*h) {
                    queue.push(h);
                }
            }
        }
        let Some(h) = queue.pop() else {
            return reached;
        };
        calls.extend(h.calls.iter());
        reached.push(h);
    }
}

/// Reads one function in test code (or, with [`RequestShapes::Client`], a production client
/// function): its direct calls, helper calls, and the requests it sends.
fn collect_test_fn<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    func: Node<'t>,
    name: String,
    shapes: RequestShapes,
) -> TestFnRaw {
    let attributes = nodes.attributes(file, func);
    let is_test = attributes.iter().any(|a| syntax::is_test_attribute(a));
    let ignored = attributes.iter().any(|a| a.starts_with("ignore"));
    let mut t = TestFnRaw {
        name,
        is_test: is_test && !ignored,
        ..Default::default()
    };
    let Some(body) = func.field("body") else {
        return t;
    };
    // `let url = format!("{addr}/orders")` → url → "/orders"
    let mut url_vars: HashMap<String, String> = HashMap::new();
    // The test's own variables and parameters: `inbox(conn, to_value(create))` passes a value
    // named `create`, not the function `create`.
    let mut locals: FxHashSet<String> = FxHashSet::default();
    if let Some(params) = func.field("parameters") {
        for p in params.named_children(&mut params.walk()) {
            locals.extend(
                p.field("pattern")
                    .map(|p| bound_names(file, p))
                    .unwrap_or_default(),
            );
        }
    }
    for d in nodes.of_kinds_in(
        &["let_declaration", "call_expression", "macro_invocation"],
        body,
    ) {
        match d.kind_name() {
            "let_declaration" => {
                let Some(p) = d.field("pattern") else {
                    continue;
                };
                locals.extend(bound_names(file, p));
                let Some(v) = d.field("value") else {
                    continue;
                };
                if p.kind_name() == "identifier" {
                    // Earlier URL variables count: `let by_id = format!("{}/{}", url, id)`.
                    if let Some(u) = url_text(file, v, &url_vars) {
                        url_vars.insert(file.node_text(p).to_string(), u);
                    }
                }
            }
            "call_expression" => {
                let Some(f) = d.field("function") else {
                    continue;
                };
                let Some(cname) = syntax::call_name(file, d) else {
                    continue;
                };
                t.calls.insert(cname.to_string());
                if f.kind_name() != "field_expression" {
                    t.plain_calls.insert(cname.to_string());
                    let called = name_ref(file, f);
                    if let Some(n) = called.as_ref().filter(|n| !n.qualifier.is_empty()) {
                        t.path_calls.insert(n.clone());
                    }
                    t.direct.extend(called);
                }
                let args = d.field("arguments").map(named_args).unwrap_or_default();
                for a in &args {
                    t.direct.extend(
                        name_ref(file, syntax::unwrap_expression(*a)).filter(|n| {
                            !(n.qualifier.is_empty() && locals.contains(n.name.as_str()))
                        }),
                    );
                }
                if let Some(r) = test_request(file, d, cname, &args, &url_vars, shapes) {
                    t.requests.push(r);
                }
            }
            "macro_invocation" => {
                // Handlers called inside macros (`assert!(h(ev).await.is_ok())`) or listed in a
                // `routes![..]` a test mounts. Method calls (`.status()`) do not count.
                let mac_name = d.field("macro").map(|m| file.node_text(m)).unwrap_or("");
                let listing = mac_name == "routes" || mac_name.ends_with("::routes");
                // Outside a listing, only identifiers followed by a `( .. )` token tree count,
                // and such a tree opens with a `(` inside the macro's own arguments: without
                // one, there is nothing to find (most `assert!(ok)` and literal fixtures).
                let inner = d
                    .named_children(&mut d.walk())
                    .find(|c| c.kind_name() == "token_tree")
                    .map(|tt| file.node_text(tt))
                    .and_then(|t| t.get(1..))
                    .unwrap_or("");
                if !listing && !inner.contains('(') {
                    continue;
                }
                for (tok, prev, next, qualifier) in identifiers_with_siblings(file, d) {
                    let after_dot = prev.is_some_and(|p| file.node_text(p) == ".");
                    let called = next.is_some_and(|n| {
                        n.kind_name() == "token_tree" && file.node_text(n).starts_with('(')
                    });
                    let tok_text = file.node_text(tok);
                    if called && HTTP_METHODS.contains(&tok_text) {
                        // `assert_eq!(client.get("/x").send().await.status(), 200)`
                        let lit = next
                            .and_then(|n| n.named_child(0))
                            .filter(|l| l.kind_name() == "string_literal");
                        if let Some(path) = lit
                            .and_then(|l| string_value(file, l))
                            .and_then(|s| request_segments(&s))
                        {
                            t.requests.push(Request {
                                method: Some(tok_text.to_ascii_uppercase()),
                                path,
                            });
                        }
                    }
                    if listing || (called && !after_dot) {
                        t.direct.insert(NameRef {
                            qualifier,
                            name: file.node_text(tok).to_string(),
                            from_file: file.path.clone(),
                        });
                        t.calls.insert(file.node_text(tok).to_string());
                        t.plain_calls.insert(file.node_text(tok).to_string());
                    } else if called {
                        // A helper method called inside an assertion
                        // (`assert_eq!(app.list_orders().await.status(), 200)`) is followed
                        // like any other helper call; it is not a direct handler call.
                        t.calls.insert(file.node_text(tok).to_string());
                    }
                }
            }
            _ => {}
        }
    }
    t.not_found_only = not_found_only(file.node_text(body));
    t
}

/// The lowercase names a `let` or parameter pattern binds (`ctx`, `(a, b)`, `Json(body)`),
/// at most a few dozen: a PR can write a pattern of any size.
fn bound_names(file: &ParsedFile, pattern: Node<'_>) -> Vec<String> {
    syntax::descendants(pattern)
        .take(256)
        .filter(|d| d.kind_name() == "identifier")
        .map(|d| file.node_text(d))
        .filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// Every identifier under `node` (in document order, `node` itself left out) with the sibling
/// before it and the one after it, named or not, as a tree cursor sees them. Macro arguments
/// are token trees, which the file's node list does not open, so this lists the macro's own
/// subtree completely (one fast walk).
#[allow(clippy::type_complexity)]
fn identifiers_with_siblings<'t>(
    file: &ParsedFile,
    node: Node<'t>,
) -> Vec<(Node<'t>, Option<Node<'t>>, Option<Node<'t>>, Vec<String>)> {
    let identifier = node.language().id_for_node_kind("identifier", true);
    let list = NodeList::new(
        node,
        crate::analysis::index::complete_walk_plan(file.language),
    );
    list.indexes_of_kind_id(identifier)
        .filter(|&at| at > 0)
        .filter_map(|at| {
            let (_, ident) = list.node_at(at)?;
            let (previous, next) = list.siblings_at(at);
            Some((ident, previous, next, token_qualifier(file, &list, at)))
        })
        .collect()
}

/// The path before an identifier token of a macro's arguments: the identifiers before it
/// joined by `::` tokens (`Post` for `create` in `assert!(Post::create(..).is_ok())`), as
/// [`name_ref`] reads a path outside a macro. At most a few segments: a PR can write a path of
/// any length.
fn token_qualifier(file: &ParsedFile, list: &NodeList<'_>, at: usize) -> Vec<String> {
    let mut qualifier = Vec::new();
    let mut at = at;
    while qualifier.len() < 8 {
        let Some(sep) = list.previous_at(at).filter(|&p| {
            list.node_at(p)
                .is_some_and(|(_, n)| file.node_text(n) == "::")
        }) else {
            break;
        };
        let Some((segment, node)) = list.previous_at(sep).and_then(|p| {
            list.node_at(p)
                .filter(|(_, n)| n.kind_name() == "identifier")
                .map(|(_, n)| (p, n))
        }) else {
            break;
        };
        qualifier.push(file.node_text(node).to_string());
        at = segment;
    }
    qualifier.reverse();
    qualifier
}

/// The URL or path an argument denotes: a literal, `format!(..)`, `&format!(..)`, a variable
/// bound to one of those, or a call with a literal path argument (`srv.url("/p")`). Follows
/// `.clone()`/`.url(..)`-style chains in a loop: a PR decides how long they are.
fn url_text(file: &ParsedFile, arg: Node<'_>, vars: &HashMap<String, String>) -> Option<String> {
    let mut arg = arg;
    loop {
        arg = syntax::unwrap_expression(arg);
        if let Some(s) = string_value(file, arg) {
            return request_segments(&s).is_some().then_some(s);
        }
        match arg.kind_name() {
            "macro_invocation" => {
                let (tt, lit, s) = format_literal(file, arg)?;
                let s = with_url_variable_base(file, tt, lit, &s, vars).unwrap_or(s);
                return request_segments(&s).is_some().then_some(s);
            }
            "identifier" => return vars.get(file.node_text(arg)).cloned(),
            // `env::http_url() + "/api/graphql"`: a base, then a literal path, read as
            // `format!("{}/api/graphql")`.
            "binary_expression"
                if arg
                    .child_by_field_name("operator")
                    .is_some_and(|o| file.node_text(o) == "+") =>
            {
                let path = string_value(file, arg.field("right")?)?;
                // One level only: a PR's `a + "/x" + "/x" + ..` must not recurse its length.
                let left = syntax::unwrap_expression(arg.field("left")?);
                let base = (left.kind_name() != "binary_expression")
                    .then(|| url_text(file, left, vars))
                    .flatten();
                let url = match base {
                    Some(base) => format!("{base}{path}"),
                    None => format!("{{}}{path}"),
                };
                return request_segments(&url).is_some().then_some(url);
            }
            "call_expression" => {
                arg = match syntax::call_name(file, arg) {
                    // `app.url("/p")`, `base.join("/p")`, `Url::parse("http://..")`; a path
                    // appended to a base URL may be relative (`addr.append_path("api/v0/me")`,
                    // `base.join("api/v0/record")`) and is read as `{}/api/v0/record`. `join`
                    // also joins file paths (`dir.join("doc")`), so there it takes two
                    // segments or more and no file name.
                    Some(n)
                        if matches!(n, "url" | "join" | "parse" | "endpoint")
                            || n.ends_with("_path") =>
                    {
                        let first = *arg.field("arguments").map(named_args)?.first()?;
                        if let Some(relative) = string_value(file, syntax::unwrap_expression(first))
                            .filter(|p| is_relative_path(p))
                            .filter(|p| n != "join" || (p.contains('/') && !p.contains('.')))
                        {
                            let url = format!("{{}}/{relative}");
                            return request_segments(&url).is_some().then_some(url);
                        }
                        first
                    }
                    // Path segments appended to a base URL as an array:
                    // `address.append(["user", name])`, `segments.extend(["api", "v1"])`, read
                    // as `{}/user/{}` (a segment that is not a literal is a parameter).
                    Some("append" | "extend") => {
                        let args = arg.field("arguments").map(named_args)?;
                        let [array] = args.as_slice() else {
                            return None;
                        };
                        let array = syntax::unwrap_expression(*array);
                        if array.kind_name() != "array_expression" {
                            return None;
                        }
                        let segments: Vec<Option<String>> = named_args(array)
                            .into_iter()
                            .take(16)
                            .map(|e| string_value(file, syntax::unwrap_expression(e)))
                            .collect();
                        // The first segment says it is a path: a literal with no `/` or `.`.
                        if !segments
                            .first()?
                            .as_deref()
                            .is_some_and(|p| !p.is_empty() && !p.contains(['/', '.']))
                        {
                            return None;
                        }
                        let mut url = String::from("{}");
                        for seg in &segments {
                            url.push('/');
                            url.push_str(seg.as_deref().unwrap_or("{}"));
                        }
                        return request_segments(&url).is_some().then_some(url);
                    }
                    // `format!(..).as_str()`, `url.clone()`, `base.join("x").unwrap()`
                    Some(
                        "as_str" | "clone" | "to_string" | "to_owned" | "as_ref" | "into"
                        | "unwrap" | "expect",
                    ) => syntax::call_receiver(arg)?,
                    // `resource_url(&self.base_url, id)`: a function of this file that builds
                    // the URL with `format!` (see `url_helpers`).
                    Some(n)
                        if arg
                            .field("function")
                            .is_some_and(|f| f.kind_name() == "identifier") =>
                    {
                        return url_helpers(file).get(n).cloned();
                    }
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
}

/// Whether `p` is a relative URL path (`api/v0/record`, `users/{id}`): segments of letters,
/// digits, `-`, `_`, `.` and `{..}` placeholders, with no scheme, host or leading `/`.
fn is_relative_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with(['/', '.', '{'])
        && p.contains(|c: char| c.is_ascii_alphabetic())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '{' | '}'))
}

/// A `format!` whose leading placeholder is a URL variable read earlier, with that URL in its
/// place: `format!("{}/{}", url, id)` after `let url = format!("{}/roles", base())` is
/// `{}/roles/{}`, and so is `format!("{url}/{id}")`. `None` when the first placeholder is not
/// at the start or names no known URL.
fn with_url_variable_base(
    file: &ParsedFile,
    tt: Node<'_>,
    lit: Node<'_>,
    text: &str,
    vars: &HashMap<String, String>,
) -> Option<String> {
    let rest = text.strip_prefix('{')?;
    let close = rest.find('}')?;
    let inner = &rest[..close];
    let name = if inner.is_empty() {
        // The first argument after the literal, when it is a plain name (`url`, not `self.url`).
        let mut cursor = tt.walk();
        let mut after = tt
            .named_children(&mut cursor)
            .skip_while(|c| c.id() != lit.id());
        after.next();
        let first = after.next()?;
        let next_is_end = first
            .next_sibling()
            .is_none_or(|n| matches!(file.node_text(n), "," | ")"));
        (first.kind_name() == "identifier" && next_is_end).then(|| file.node_text(first))?
    } else {
        inner
    };
    let base = vars.get(name)?;
    Some(format!("{base}{}", &rest[close + 1..]))
}

/// Most calls deep [`url_helpers`] follows one URL-building function into the next.
const MAX_URL_HELPER_DEPTH: usize = 4;

/// The URLs this file's free functions build with `format!`, by function name: an SDK often
/// names each resource's URL in a small function (`fn order_url(base: &str, id: Uuid) ->
/// String { format!("{}/{}", orders_url(base), id) }` over `fn orders_url(base: &str) ->
/// String { format!("{}/api/orders", base) }`, read as `{}/api/orders/{}`). A leading `{}`
/// filled by another such function's call takes that function's URL; any other placeholder
/// stays a parameter. Computed once per file.
fn url_helpers(file: &ParsedFile) -> Arc<HashMap<String, String>> {
    let root = file.tree.root_node();
    file.memo("url_helpers", root, 0, || {
        // Each free function (of the file or an inline `mod`) whose value is a `format!`.
        let mut formats: HashMap<&str, Node<'_>> = HashMap::new();
        let mut scopes = vec![root];
        while let Some(scope) = scopes.pop() {
            for item in named_args(scope) {
                match item.kind_name() {
                    "function_item" => {
                        let body = item.field("body");
                        let tail =
                            body.and_then(|b| b.named_child(b.named_child_count().checked_sub(1)?));
                        if let (Some(name), Some(tail)) = (item.field("name"), tail) {
                            if format_literal(file, tail).is_some() {
                                formats.insert(file.node_text(name), tail);
                            }
                        }
                    }
                    "mod_item" => scopes.extend(item.field("body")),
                    _ => {}
                }
            }
        }
        let mut urls = HashMap::new();
        for (name, tail) in &formats {
            if let Some(url) = helper_format_url(file, *tail, &formats, 0) {
                urls.insert((*name).to_string(), url);
            }
        }
        urls
    })
}

/// The parts of a `format!(..)` invocation: its token tree, its format string's node and that
/// string's text. `None` for any other node, or a `format!` with no string literal.
fn format_literal<'t>(file: &ParsedFile, node: Node<'t>) -> Option<(Node<'t>, Node<'t>, String)> {
    let name = node.field("macro").map(|m| file.node_text(m))?;
    if node.kind_name() != "macro_invocation" || (name != "format" && !name.ends_with("::format")) {
        return None;
    }
    let tt = named_args(node)
        .into_iter()
        .find(|c| c.kind_name() == "token_tree")?;
    let lit = named_args(tt)
        .into_iter()
        .find(|c| matches!(c.kind_name(), "string_literal" | "raw_string_literal"))?;
    let text = string_value(file, lit)?;
    Some((tt, lit, text))
}

/// The URL a URL-building function's `format!` makes (see [`url_helpers`]).
fn helper_format_url(
    file: &ParsedFile,
    format: Node<'_>,
    formats: &HashMap<&str, Node<'_>>,
    depth: usize,
) -> Option<String> {
    let (_, lit, text) = format_literal(file, format)?;
    let mut url = text.clone();
    // The URL function whose value fills the leading placeholder, and the text after it.
    let leading = if let Some(rest) = text.strip_prefix("{}") {
        // The first argument: `other_url(base)` is an identifier and its `( .. )` token tree.
        std::iter::successors(lit.next_named_sibling(), |n| n.next_named_sibling())
            .find(|n| {
                !matches!(
                    n.kind_name(),
                    "line_comment" | "block_comment" | "attribute_item"
                )
            })
            .filter(|t| t.kind_name() == "identifier")
            .filter(|t| {
                t.next_named_sibling()
                    .is_some_and(|n| n.kind_name() == "token_tree")
            })
            .map(|t| (file.node_text(t), rest))
    } else if let Some((name, rest)) = text
        .strip_prefix('{')
        .and_then(|t| t.split_once('}'))
        .filter(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        })
    {
        // An inline name bound in the same body to another URL function's call:
        // `let prefix = notes_url(base, ws); format!("{prefix}/{id}")`.
        format
            .parent()
            .filter(|b| b.kind_name() == "block")
            .into_iter()
            .flat_map(named_args)
            .filter(|d| d.kind_name() == "let_declaration")
            .filter(|d| {
                d.field("pattern")
                    .is_some_and(|p| file.node_text(p) == name)
            })
            .filter_map(|d| d.field("value"))
            .filter(|v| v.kind_name() == "call_expression")
            .filter_map(|v| v.field("function"))
            .filter(|f| f.kind_name() == "identifier")
            .last()
            .map(|f| (file.node_text(f), rest))
    } else {
        None
    };
    if let Some((inner, rest)) = leading.and_then(|(c, rest)| Some((formats.get(c)?, rest))) {
        if depth < MAX_URL_HELPER_DEPTH {
            let base = helper_format_url(file, *inner, formats, depth + 1)?;
            url = format!("{base}{rest}");
        }
    }
    // A function that only joins what it is given (`format!("{}{}", base, path)`) names no
    // route: read as a URL it would match every route.
    let literal = request_segments(&url)?
        .iter()
        .any(|s| matches!(s, RequestSegment::Literal(_)));
    literal.then_some(url)
}

/// Which calls [`test_request`] reads as requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestShapes {
    /// Test code: any call that takes a path, including a project's own helpers
    /// (`post_json("/orders", body)`).
    Tests,
    /// Production client code: only an HTTP client's request shapes (`client.post(url)`,
    /// `client.request(Method::POST, url)`, `Request::builder().uri(url)`).
    Client,
}

/// A request sent by a call in a test, if the call is one of the request shapes of §4.2.
fn test_request(
    file: &ParsedFile,
    call: Node<'_>,
    name: &str,
    args: &[Node<'_>],
    vars: &HashMap<String, String>,
    shapes: RequestShapes,
) -> Option<Request> {
    let lower = name.to_ascii_lowercase();
    // In production code a route registration can look like a request (`router.get("/p",
    // handler)`, `warp::path("p")`): there a verb takes the URL alone, and `path` is no request.
    // A client's own verb method called on `self` with the path and a body or query
    // (`self.post("/api/v1/article", Some(params))`, the SDK's wrapper around its HTTP client)
    // registers nothing: a router is not `self` in its own methods.
    let client = shapes == RequestShapes::Client;
    if client
        && (name == "path"
            || (HTTP_METHODS.contains(&lower.as_str())
                && args.len() != 1
                && syntax::call_receiver(call).is_none_or(|r| file.node_text(r) != "self")))
    {
        return None;
    }
    let (method, url) = if HTTP_METHODS.contains(&lower.as_str()) && !args.is_empty() {
        // Request::get("/p"), server.post("/p"), client.get(format!(..)), TestClient::get("/p")
        (
            Some(name.to_ascii_uppercase()),
            url_text(file, args[0], vars)?,
        )
    } else if name == "request" && args.len() == 2 {
        // reqwest: client.request(Method::POST, url)
        let m = file
            .node_text(args[0])
            .rsplit("::")
            .next()
            .unwrap_or("")
            .trim_matches('"')
            .to_ascii_uppercase();
        let m = HTTP_METHODS
            .contains(&m.to_ascii_lowercase().as_str())
            .then_some(m);
        (m, url_text(file, args[1], vars)?)
    } else if matches!(name, "uri" | "path" | "with_uri") && !args.is_empty() {
        // Request::builder().method("POST").uri("/p"), TestRequest::post().uri("/p"),
        // warp::test::request().method("POST").path("/p")
        (chain_method(file, call), url_text(file, args[0], vars)?)
    } else if let Some(method) = (client && args.len() == 2)
        .then(|| method_constant(file, args[0]))
        .flatten()
    {
        // A client's own request builder named with the method and the URL:
        // `self.authed_request(Method::DELETE, &url)`. Only a full URL counts (a base
        // or a scheme before the path): a route registration names a bare path.
        let url = url_text(file, args[1], vars)?;
        if !(url.starts_with('{') || url.contains("://")) {
            return None;
        }
        (Some(method), url)
    } else if client {
        // In production code a path argument is most often not a request (`.route("/x", ..)`,
        // `Redirect::to("/login")`): only an HTTP client's own shapes above count there.
        return None;
    } else {
        // A project's own helper taking the path: `post_json("/orders", body)`,
        // `send(app, "DELETE", "/orders/1")`, `app.call(Method::PUT, "/x")`.
        let url = args.iter().find_map(|a| url_text(file, *a, vars))?;
        let from_args = args.iter().find_map(|a| {
            let t = file
                .node_text(*a)
                .rsplit("::")
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_ascii_lowercase();
            HTTP_METHODS
                .contains(&t.as_str())
                .then(|| t.to_ascii_uppercase())
        });
        let from_name = lower
            .split('_')
            .find(|w| HTTP_METHODS.contains(w))
            .map(|w| w.to_ascii_uppercase());
        (from_args.or(from_name), url)
    };
    Some(Request {
        method,
        path: request_segments(&url)?,
    })
}

/// The method an argument names as a constant of a `Method` type (`Method::POST`,
/// `reqwest::Method::DELETE`, `http::Method::GET`).
fn method_constant(file: &ParsedFile, arg: Node<'_>) -> Option<Method> {
    let text = file.node_text(arg).trim_start_matches('&');
    let (path, verb) = text.rsplit_once("::")?;
    let owner = path.rsplit("::").next().unwrap_or(path);
    (owner == "Method" && HTTP_METHODS.contains(&verb.to_ascii_lowercase().as_str()))
        .then(|| verb.to_ascii_uppercase())
}

/// The method stated anywhere in the method chain around `call`: `.method("POST")`,
/// `.method(Method::POST)`, `TestRequest::post()`.
fn chain_method(file: &ParsedFile, call: Node<'_>) -> Option<Method> {
    // Climb to the outermost call of the chain.
    let mut top = call;
    while let Some(p) = top.parent() {
        if p.kind_name() == "field_expression" {
            if let Some(c) = p.parent().filter(|c| c.kind_name() == "call_expression") {
                top = c;
                continue;
            }
        }
        if p.kind_name() == "await_expression" || p.kind_name() == "try_expression" {
            top = p;
            continue;
        }
        break;
    }
    let mut cur = syntax::unwrap_expression(top);
    for _ in 0..64 {
        if cur.kind_name() != "call_expression" {
            break;
        }
        let name = syntax::call_name(file, cur).unwrap_or("");
        let args = cur.field("arguments").map(named_args).unwrap_or_default();
        if name == "method" && args.len() == 1 {
            let m = file
                .node_text(args[0])
                .rsplit("::")
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_ascii_uppercase();
            if HTTP_METHODS.contains(&m.to_ascii_lowercase().as_str()) {
                return Some(m);
            }
        }
        if HTTP_METHODS.contains(&name) && args.is_empty() {
            return Some(name.to_ascii_uppercase());
        }
        match syntax::call_receiver(cur) {
            Some(r) => cur = syntax::unwrap_expression(r),
            None => break,
        }
    }
    None
}

fn status_regexes() -> &'static [regex::Regex] {
    static RE: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        [
            r"(?:StatusCode|Status)::([A-Za-z_]+)",
            r"assert_status_([a-z_]+)",
            r"\.(is_success|is_client_error|is_server_error|is_redirection)\(",
            r"status\(\)[^;]{0,24}?\b([1-5][0-9][0-9])\b",
            r"\b([1-5][0-9][0-9])\b\s*,\s*[a-z_.]*status",
        ]
        .iter()
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect()
    })
}

/// Whether a test body asserts only 404/405 statuses: such a test shows a route is absent, not
/// that its handler works.
fn not_found_only(body: &str) -> bool {
    let mut statuses = Vec::new();
    for re in status_regexes() {
        for c in re.captures_iter(body) {
            if let Some(m) = c.get(1) {
                statuses.push(m.as_str());
            }
        }
    }
    !statuses.is_empty()
        && statuses.iter().all(|s| {
            matches!(
                *s,
                "NOT_FOUND"
                    | "METHOD_NOT_ALLOWED"
                    | "NotFound"
                    | "MethodNotAllowed"
                    | "not_found"
                    | "method_not_allowed"
                    | "404"
                    | "405"
            )
        })
}

// ---------------------------------------------------------------------------------------------
// Filters

/// Where the handler facts of a captured node are kept: a function by its key, a closure by
/// its file and position.
enum HandlerKey {
    Fn(FnKey),
    Closure(String, usize),
}

/// Separates the parts of an encoded [`HandlerKey`] (never in a path, module or identifier).
const KEY_SEPARATOR: char = '\u{1}';

impl HandlerKey {
    /// The key of a function definition or closure; `None` for other nodes and unnamed items.
    fn of(file: &ParsedFile, node: Node<'_>) -> Option<HandlerKey> {
        match node.kind_name() {
            "function_item" => fn_key_of(file, node).map(HandlerKey::Fn),
            "closure_expression" => Some(HandlerKey::Closure(file.path.clone(), node.start_byte())),
            _ => None,
        }
    }

    /// The facts the index holds under this key, when it knows the item as a handler.
    fn info<'a>(&self, facts: &'a HandlerFacts) -> Option<&'a HandlerInfo> {
        match self {
            HandlerKey::Fn(key) => facts.handler(key),
            HandlerKey::Closure(path, start) => facts.closures.get(&(path.clone(), *start)),
        }
    }

    /// The key as text, for a [`Gate`] key.
    fn encode(&self) -> String {
        let s = KEY_SEPARATOR;
        match self {
            HandlerKey::Fn(key) => {
                let mut text = format!("fn{s}{}{s}{}", key.file, key.name);
                for segment in &key.module {
                    text.push(s);
                    text.push_str(segment);
                }
                text
            }
            HandlerKey::Closure(path, start) => format!("closure{s}{path}{s}{start}"),
        }
    }

    /// Whether `text` has the form [`HandlerKey::encode`] writes (`fn`, file, name, modules;
    /// or `closure`, path, start byte), without building the key.
    fn is_encoded(text: &str) -> bool {
        let mut parts = text.split(KEY_SEPARATOR);
        match (parts.next(), parts.next(), parts.next()) {
            (Some("fn"), Some(_), Some(_)) => true,
            (Some("closure"), Some(_), Some(start)) => start.parse::<usize>().is_ok(),
            _ => false,
        }
    }

    /// The key [`HandlerKey::encode`] wrote (the tests' reference for
    /// [`HandlerKey::is_encoded`]).
    #[cfg(test)]
    fn decode(text: &str) -> Option<HandlerKey> {
        let mut parts = text.split(KEY_SEPARATOR);
        match (parts.next()?, parts.next()?, parts.next()?) {
            ("fn", file, name) => Some(HandlerKey::Fn(FnKey {
                file: file.to_string(),
                name: name.to_string(),
                module: parts.map(str::to_string).collect(),
            })),
            ("closure", path, start) => {
                Some(HandlerKey::Closure(path.to_string(), start.parse().ok()?))
            }
            _ => None,
        }
    }
}

/// The key of [`lookup`] for `is_untested_handler`'s gate: which function or closure the index
/// must know as a handler. `None` where the filter is false anyway (examples, unnamed items).
fn handler_gate_key(ctx: &MatchCtx<'_, '_>, args: &[FilterArg]) -> Option<String> {
    let node = ctx.arg_node(&args[0])?;
    if ctx.file.role == FileRole::Example {
        return None;
    }
    HandlerKey::of(ctx.file, node).map(|key| key.encode())
}

/// Whether the index knows the function or closure of a [`handler_gate_key`] as a handler that
/// `is_untested_handler` may report (see `HandlerFacts::may_report`), every handler the filter
/// reports among them; a function the index only knows as looping over `iter.next()` is not,
/// and its file is not parsed again. The keys of those handlers are worked out once, when the
/// index is finished. A key this module did not write is admitted, so the filter decides with
/// the tree.
fn handler_gate_admits(index: &RepoIndex, key: &str) -> bool {
    index.handlers.gate_keys.contains(key) || !HandlerKey::is_encoded(key)
}

/// The closures and the function around `node`, innermost first, up to the function.
fn enclosing_entries<'t>(file: &'t ParsedFile, node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for a in syntax::ancestors_from(file.tree.root_node(), node) {
        if matches!(a.kind_name(), "closure_expression" | "function_item") {
            out.push(a);
            if a.kind_name() == "function_item" {
                break;
            }
        }
    }
    out
}

fn inside_handler(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    if ctx.file.role == FileRole::Example {
        return false;
    }
    for entry in enclosing_entries(ctx.file, node) {
        if lookup(ctx, entry).is_some_and(|(info, _)| !info.routes.is_empty()) {
            let name = entry
                .field("name")
                .map(|n| ctx.file.node_text(n).to_string())
                .unwrap_or_else(|| "closure".to_string());
            ctx.set_var("handler", name);
            return true;
        }
    }
    false
}

/// The [`Gate`] key of `inside_handler`: the keys of the function and closures around the node,
/// innermost first, each [`HandlerKey::encode`]d and joined by [`KEYS_SEPARATOR`]. `None` when
/// there are none (the filter is false then).
fn enclosing_handler_gate_key(ctx: &MatchCtx<'_, '_>, args: &[FilterArg]) -> Option<String> {
    let node = ctx.arg_node(&args[0])?;
    if ctx.file.role == FileRole::Example {
        return None;
    }
    let keys: Vec<String> = enclosing_entries(ctx.file, node)
        .into_iter()
        .filter_map(|entry| HandlerKey::of(ctx.file, entry))
        .map(|key| key.encode())
        .collect();
    (!keys.is_empty()).then(|| keys.join(&KEYS_SEPARATOR.to_string()))
}

/// Separates the keys of an [`enclosing_handler_gate_key`] (never in an encoded key).
const KEYS_SEPARATOR: char = '\u{2}';

/// Whether the index knows one of the functions or closures of an
/// [`enclosing_handler_gate_key`] as a handler with a route, as `inside_handler` asks; a key
/// this module did not write is admitted, so the filter decides.
fn enclosing_handler_gate_admits(index: &RepoIndex, key: &str) -> bool {
    key.split(KEYS_SEPARATOR)
        .any(|k| index.handlers.handler_keys.contains(k) || !HandlerKey::is_encoded(k))
}

/// The handler facts behind a captured node: a function definition or a closure.
fn lookup<'a>(ctx: &MatchCtx<'a, '_>, node: Node<'_>) -> Option<(&'a HandlerInfo, Option<FnKey>)> {
    let facts = &ctx.index().handlers;
    // No handler at all (the index while files are still being walked): no key to work out.
    if facts.handlers.is_empty() && facts.closures.is_empty() {
        return None;
    }
    let key = HandlerKey::of(ctx.file, node)?;
    let info = key.info(facts)?;
    match key {
        HandlerKey::Fn(key) => Some((info, Some(key))),
        HandlerKey::Closure(..) => Some((info, None)),
    }
}

fn is_untested_handler(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    // Example code is demo code: its handlers are not meant to carry tests.
    if ctx.file.role == FileRole::Example {
        return false;
    }
    let Some((info, key)) = lookup(ctx, node) else {
        return false;
    };
    let facts = &ctx.index().handlers;
    let consumer_calls = ctx.list(&args[1]);
    let consumer_receivers = ctx.list(&args[2]);
    let configured = &ctx.config.handler_registrations;
    // Routes that count: configured registrations only when their call is named in the config.
    let routes: Vec<&(Option<Method>, String, Framework, Option<String>)> = info
        .routes
        .iter()
        .filter(|r| {
            r.2 != Framework::Configured || r.3.as_ref().is_some_and(|c| configured.contains(c))
        })
        .collect();
    let is_consumer = key.as_ref().is_some_and(|k| {
        facts.consumer_loops(k).any(|c| {
            let recv = c.receiver.to_ascii_lowercase();
            consumer_calls.iter().any(|n| n == &c.call)
                && c.waits()
                && (c.call == "receive_message"
                    || consumer_receivers.iter().any(|r| recv.contains(r.as_str())))
        })
    });
    if routes.is_empty() && !is_consumer {
        return false;
    }
    let configured_tested = routes
        .iter()
        .any(|r| r.2 == Framework::Configured && route_reached(facts.test_requests(), r));
    if info.tested || configured_tested || thin_wrapper_over_tested(ctx, node) {
        return false;
    }
    let name = key
        .as_ref()
        .map_or_else(|| "closure".to_string(), |k| k.name.clone());
    let http: Vec<&&(Option<Method>, String, Framework, Option<String>)> = routes
        .iter()
        .filter(|r| !matches!(r.2, Framework::Lambda | Framework::Hyper))
        .collect();
    let (route, reach, framework) = if let Some(first) = http.first() {
        let mut methods: Vec<&str> = http
            .iter()
            .filter(|r| r.1 == first.1)
            .filter_map(|r| r.0.as_deref())
            .collect();
        methods.sort_unstable();
        methods.dedup();
        let mut route = if methods.is_empty() {
            first.1.clone()
        } else {
            format!("{} {}", methods.join("|"), first.1)
        };
        let others = http
            .iter()
            .map(|r| &r.1)
            .collect::<BTreeSet<_>>()
            .len()
            .saturating_sub(1);
        if others > 0 {
            route.push_str(&format!(
                " (+{others} more route{})",
                if others == 1 { "" } else { "s" }
            ));
        }
        (
            route,
            "no test calls it or sends a request to this route",
            first.2,
        )
    } else if routes.iter().any(|r| r.2 == Framework::Hyper) {
        (
            "hyper service (every path)".to_string(),
            "no test calls it or sends the server a request",
            Framework::Hyper,
        )
    } else if routes.iter().any(|r| r.2 == Framework::Lambda) {
        (
            "Lambda handler".to_string(),
            "no test calls it with a sample event",
            Framework::Lambda,
        )
    } else {
        (
            "queue consumer".to_string(),
            "no test calls it with a sample message",
            Framework::Consumer,
        )
    };
    let first_method = http
        .first()
        .and_then(|r| r.0.clone())
        .unwrap_or_else(|| "GET".into());
    let first_path = http
        .first()
        .map(|r| example_path(&r.1))
        .unwrap_or_else(|| "/".into());
    let lower = first_method.to_ascii_lowercase();
    // Quoted from the code (handler names, routes): marked as code so that the message
    // renders them as inert code spans (markup.rs).
    let fix_example = match framework {
        Framework::Actix => format!(
            "{} then {} (actix-web)",
            code(&format!("let app = test::init_service(App::new().service({name})).await;")),
            code(&format!("test::call_service(&app, test::TestRequest::{lower}().uri(\"{first_path}\").to_request()).await"))
        ),
        Framework::Rocket => format!("{} (rocket)", code(&format!("Client::tracked(rocket()).await?.{lower}(\"{first_path}\").dispatch().await"))),
        Framework::Poem => format!("{} (poem)", code(&format!("TestClient::new(app()).{lower}(\"{first_path}\").send().await"))),
        Framework::Warp => format!("{} (warp)", code(&format!("warp::test::request().method(\"{first_method}\").path(\"{first_path}\").reply(&routes()).await"))),
        Framework::Lambda => format!("{} (call the Lambda handler directly with a sample event)", code(&format!("{name}(LambdaEvent::new(sample_event, Context::default())).await"))),
        Framework::Consumer => format!("call {} with a channel or stub consumer that yields one good and one malformed message", code(&name)),
        Framework::Hyper => format!("{} (hyper: call the service function with a request)", code(&format!("{name}(Request::{lower}(\"{first_path}\").body(Body::empty()).unwrap()).await"))),
        Framework::Axum | Framework::Configured => format!(
            "{} (axum, {})",
            code(&format!("app().oneshot(Request::{lower}(\"{first_path}\").body(Body::empty()).unwrap()).await")),
            code("tower::ServiceExt")
        ),
    };
    let webhook = name.contains("webhook")
        || route.to_ascii_lowercase().contains("webhook")
        || route.contains("hook");
    let consequence = match framework {
        Framework::Consumer => "as messages that fail or are silently dropped in production (and redelivered forever, or lost)",
        Framework::Lambda => "as failed invocations in production (for queue events: retried batches, then messages in the dead-letter queue or lost)",
        _ if webhook => "as 4xx/5xx responses in production, and for a webhook as events that were silently lost, since the sender may not redeliver",
        _ => "as 4xx/5xx responses in production",
    };
    let kind = if framework == Framework::Consumer {
        "consumer"
    } else if webhook {
        "webhook"
    } else {
        "route"
    };
    ctx.set_var("route", route);
    ctx.set_var("handler", name);
    ctx.set_var("reach", reach);
    ctx.set_var("fix_example", fix_example);
    ctx.set_var("consequence", consequence);
    ctx.set_var("kind", kind);
    true
}

/// A handler that only forwards to a function tests call directly (`handle_event(ev).await`),
/// with no branching of its own: the logic is tested, the wrapper has nothing to get wrong
/// (§7 false-positive trap 4). Wrappers that branch (signature checks, auth) are still reported.
fn thin_wrapper_over_tested(ctx: &MatchCtx<'_, '_>, node: Node<'_>) -> bool {
    let Some(body) = handler_body(node) else {
        return false;
    };
    let mut forwards = false;
    for d in syntax::descendants(body) {
        match d.kind_name() {
            "if_expression" | "match_expression" | "while_expression" | "loop_expression"
            | "for_expression" => return false,
            // A plain call (`name_ref` reads paths, not method calls).
            "call_expression"
                if d.field("function")
                    .and_then(|f| name_ref(ctx.file, f))
                    .is_some_and(|n| ctx.index().handlers.is_called_by_tests(&n)) =>
            {
                forwards = true;
            }
            _ => {}
        }
    }
    forwards
}

/// A concrete example path for a template (`/orders/{id}` → `/orders/1`).
fn example_path(template: &str) -> String {
    let segs: Vec<String> = template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match route_segments(s).first() {
            Some(RouteSegment::Literal(l)) => l.clone(),
            Some(RouteSegment::Param) => "1".into(),
            Some(RouteSegment::Rest) => "x".into(),
            None => String::new(),
        })
        .collect();
    format!("/{}", segs.join("/"))
}

/// The body of a handler node: a function's block or a closure's body.
fn handler_body(node: Node<'_>) -> Option<Node<'_>> {
    node.field("body")
}

fn is_trivial_handler(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(body) = handler_body(node) else {
        return false;
    };
    let calls = ctx.list(&args[1]);
    let macros = ctx.list(&args[2]);
    // A handler that reads none of its inputs answers the same whatever the request: it may
    // call workspace helpers, so long as the effect model sees no service behind them.
    let input_unread = !reads_parameters(ctx.file, node, body);
    for d in syntax::descendants(body) {
        match d.kind_name() {
            "await_expression" | "try_expression" | "if_expression" | "match_expression"
            | "while_expression" | "loop_expression" | "for_expression" | "unsafe_block" => {
                return false
            }
            "call_expression" => {
                let Some(name) = syntax::call_name(ctx.file, d) else {
                    return false;
                };
                // A getter on startup configuration (`ARGS.public_path()`) reads no input.
                let on_static = syntax::call_receiver(d).is_some_and(|r| {
                    let t = ctx.file.node_text(r);
                    let root = t.split('.').next().unwrap_or(t);
                    root.len() > 1
                        && root
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                });
                // `Err(..)`, `Content(..)`, `Error::NotFound(..)`: a tuple struct or enum
                // variant, named in UpperCamelCase, builds a value and does nothing else.
                let constructor = name.starts_with(|c: char| c.is_ascii_uppercase());
                // By its bare name, or by its type's for `Config::get()` (a bare `get` names
                // every type's).
                let qualified = crate::analysis::effects::argument_callee_name(ctx.file, d, None);
                let model = &ctx.index().effects;
                let pure_helper = input_unread
                    && [Some(name), qualified.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|n| {
                            model
                                .summary(n)
                                .is_some_and(|s| s.effect.is_none() && !s.spawns_arg && !s.periodic)
                        });
                if !on_static && !constructor && !pure_helper && !calls.iter().any(|c| c == name) {
                    return false;
                }
            }
            "macro_invocation" => {
                let name = d
                    .field("macro")
                    .map(|m| ctx.file.node_text(m))
                    .unwrap_or("");
                let name = name.rsplit("::").next().unwrap_or(name);
                if !macros.iter().any(|m| m == name) {
                    return false;
                }
            }
            // A macro's arguments are tokens, not expressions: an `.await` or `?` among them
            // (`render!(page(db.load().await?))`) still waits on I/O or fails.
            "?" | "await" if syntax::ancestors(d).any(|a| a.kind_name() == "token_tree") => {
                return false;
            }
            _ => {}
        }
    }
    true
}

/// Whether `body` names any binding of the parameters of the function `node`: a handler whose
/// parameters are all `_`-prefixed or unused reads nothing from the request or its state.
fn reads_parameters(file: &ParsedFile, node: Node<'_>, body: Node<'_>) -> bool {
    let Some(params) = node.field("parameters") else {
        return false;
    };
    let names: FxHashSet<String> = params
        .named_children(&mut params.walk())
        .filter_map(|p| match p.kind_name() {
            "self_parameter" => Some(vec!["self".to_string()]),
            "parameter" => p.field("pattern").map(|pat| bound_names(file, pat)),
            _ => None,
        })
        .flatten()
        .filter(|n| !n.starts_with('_'))
        .collect();
    !names.is_empty()
        && syntax::descendants(body)
            .filter(|d| matches!(d.kind_name(), "identifier" | "self"))
            .any(|d| names.contains(file.node_text(d)))
}

fn handler_severity(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return true;
    };
    let auth_words = ctx.list(&args[1]);
    let event_types = ctx.list(&args[2]);
    let io_markers = ctx.list(&args[3]);
    let kind = ctx.vars.get("kind").cloned().unwrap_or_default();
    let route = ctx
        .vars
        .get("route")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = ctx
        .vars
        .get("handler")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let text = ctx.text(node);
    let signature = handler_body(node).map_or(text, |b| {
        ctx.file
            .text
            .get(node.start_byte()..b.start_byte())
            .unwrap_or("")
    });
    let writes = ["post ", "put ", "patch ", "delete "]
        .iter()
        .any(|m| route.starts_with(m) || route.contains(&format!("|{m}")))
        || route.contains("post|")
        || route.contains("put|")
        || route.contains("patch|")
        || route.contains("delete|");
    let auth = auth_words
        .iter()
        .any(|w| name.contains(w.as_str()) || route.contains(w.as_str()));
    let queue_event = event_types.iter().any(|e| signature.contains(e.as_str()));
    let severity = if kind == "consumer" || kind == "webhook" || writes || auth || queue_event {
        "high"
    } else if handler_body(node).is_some_and(|b| {
        let body = ctx.text(b);
        io_markers.iter().any(|m| body.contains(m.as_str()))
            || syntax::descendants(b).any(|d| d.kind_name() == "await_expression")
    }) {
        "medium"
    } else {
        "low"
    };
    ctx.set_var("severity", severity);
    true
}

fn handler_effect(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return true;
    };
    let body = handler_body(node).map_or("", |b| ctx.text(b));
    let mut phrases: Vec<&str> = Vec::new();
    for entry in ctx.list(&args[1]) {
        let mut parts = entry.split('|');
        let Some(phrase) = parts.next() else { continue };
        if parts.any(|needle| !needle.is_empty() && body.contains(needle))
            && !phrases.contains(&phrase)
        {
            phrases.push(phrase);
        }
    }
    let effect = match phrases.as_slice() {
        [] => "parses and answers input from outside the service".to_string(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c, ..] => format!("{a}, {b} and {c}"),
    };
    ctx.set_var("effect", effect);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::index::Manifests;

    fn parsed(path: &str, src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet(path, src)
    }

    fn facts(files: &[(&str, &str)]) -> HandlerFacts {
        facts_with_manifests(files, &Manifests::default())
    }

    #[test]
    fn url_helpers_follow_nested_formats_and_skip_catch_alls() {
        let f = parsed(
            "client.rs",
            r#"
fn prefix(base: &str) -> String { format!("{}/api/shop", base) }
fn orders_url(base: &str) -> String { format!("{}/orders", prefix(base)) }
fn order_url(base: &str, id: u64) -> String { format!("{}/{}", orders_url(base), id) }
fn join(base: &str, path: &str) -> String { format!("{}{}", base, path) }
fn looped(base: &str) -> String { format!("{}/x", looped(base)) }
mod inner { fn health_url(base: &str) -> String { format!("{base}/health") } }
fn order_items_url(base: &str, id: u64) -> String { let order = order_url(base, id); format!("{order}/items") }
"#,
        );
        let urls = url_helpers(&f);
        assert_eq!(
            urls.get("order_url").map(String::as_str),
            Some("{}/api/shop/orders/{}")
        );
        assert_eq!(
            urls.get("orders_url").map(String::as_str),
            Some("{}/api/shop/orders")
        );
        assert_eq!(
            urls.get("health_url").map(String::as_str),
            Some("{base}/health")
        );
        assert_eq!(
            urls.get("order_items_url").map(String::as_str),
            Some("{}/api/shop/orders/{}/items"),
            "an inline name bound to another URL function's call"
        );
        // Only joins what it is given: it would match every route.
        assert!(!urls.contains_key("join"));
        // Calls itself: followed to the bound, then the last `{}` stays a parameter.
        assert!(urls.get("looped").is_some_and(|u| u.ends_with("/x/x")));
    }

    fn facts_with_manifests(files: &[(&str, &str)], manifests: &Manifests) -> HandlerFacts {
        let mut all = HandlerFacts::default();
        for (p, s) in files {
            let mut part = HandlerFacts::default();
            let f = parsed(p, s);
            part.collect(
                &f,
                manifests,
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

    /// What `identifiers_with_siblings` gave when it walked the macro with a tree cursor.
    #[allow(clippy::type_complexity)]
    fn identifiers_with_siblings_by_cursor<'t>(
        node: Node<'t>,
    ) -> Vec<(Node<'t>, Option<Node<'t>>, Option<Node<'t>>)> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        if !cursor.goto_first_child() {
            return out;
        }
        type Level<'t> = (Option<Node<'t>>, Option<(Node<'t>, Option<Node<'t>>)>);
        let mut levels: Vec<Level<'t>> = vec![(None, None)];
        loop {
            let n = cursor.node();
            let Some((prev, waiting)) = levels.last_mut() else {
                break;
            };
            if let Some((ident, before)) = waiting.take() {
                out.push((ident, before, Some(n)));
            }
            if n.kind_name() == "identifier" {
                *waiting = Some((n, *prev));
            }
            *prev = Some(n);
            if cursor.goto_first_child() {
                levels.push((None, None));
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if let Some((_, Some((ident, before)))) = levels.pop() {
                    out.push((ident, before, None));
                }
                if levels.is_empty() || !cursor.goto_parent() {
                    return out;
                }
            }
        }
        out
    }

    #[test]
    fn macro_identifiers_and_their_siblings_are_what_a_cursor_walk_finds() {
        let mut compared = 0;
        let checks = crate::analysis::check::CheckSet::embedded().expect("checks load");
        let mut sources: Vec<(String, String)> = vec![(
            "src/a.rs".into(),
            "#[test] fn t() { assert!(h(a, b.c(d)).await.is_ok()); x!([e f] (g) {h i}); y!(); z!(broken (; }".into(),
        )];
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                for input in &example.files {
                    let bytes = input.bytes().expect("examples are held in memory");
                    if let (true, Ok(text)) =
                        (input.path.ends_with(".rs"), std::str::from_utf8(&bytes))
                    {
                        sources.push((input.path.clone(), text.to_string()));
                    }
                }
            }
        }
        for (path, src) in &sources {
            let f = parsed(path, src);
            for mac in syntax::descendants(f.tree.root_node())
                .filter(|n| n.kind_name() == "macro_invocation")
            {
                let ours: Vec<_> = identifiers_with_siblings(&f, mac)
                    .into_iter()
                    .map(|(ident, before, after, _)| (ident, before, after))
                    .collect();
                let theirs = identifiers_with_siblings_by_cursor(mac);
                assert_eq!(ours, theirs, "{path}: {}", f.node_text(mac));
                compared += ours.len();
            }
        }
        assert!(compared > 100, "only {compared} identifiers compared");
    }

    #[test]
    fn function_modules_are_the_inline_modules_around_them() {
        // The module of a function key comes from the file's list of inline modules; it must
        // name exactly the `mod` items among the function's ancestors, outermost first, whether
        // the list was read off the index's node list or computed afterwards from the tree.
        let mut snippets: Vec<(String, String)> = vec![(
            "src/a.rs".into(),
            "mod a { pub mod b { fn f() {} mod c; } fn g() { mod inner { fn h() {} } } }\nmod d {}\nfn top() {}\nmod broken { fn x( { }".into(),
        )];
        let checks = crate::analysis::check::CheckSet::embedded().expect("checks load");
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                for input in &example.files {
                    let bytes = input.bytes().expect("examples are held in memory");
                    if let Ok(text) = std::str::from_utf8(&bytes) {
                        if input.path.ends_with(".rs") {
                            snippets.push((input.path.clone(), text.to_string()));
                        }
                    }
                }
            }
        }
        let mut compared = 0;
        for (path, src) in &snippets {
            for primed in [false, true] {
                let f = parsed(path, src);
                let plan = crate::analysis::index::walk_plan(f.language);
                let nodes = NodeList::new(f.tree.root_node(), plan);
                if primed {
                    f.inline_modules_or(|| nodes.inline_modules(&f));
                }
                for func in nodes.of_kind("function_item") {
                    let mut expected: Vec<String> = syntax::ancestors(func)
                        .filter(|a| a.kind_name() == "mod_item")
                        .filter_map(|m| m.field("name"))
                        .map(|n| f.node_text(n).to_string())
                        .collect();
                    expected.reverse();
                    let key = fn_key(&f, &[], func, "f");
                    assert_eq!(key.module, expected, "{path}");
                    assert_eq!(f.inline_modules().is_some(), primed);
                    compared += usize::from(!expected.is_empty());
                }
            }
        }
        assert!(
            compared >= 8,
            "only {compared} functions in inline modules compared"
        );
    }

    #[test]
    fn encoded_handler_keys_are_recognised_exactly_when_they_decode() {
        let s = KEY_SEPARATOR;
        let written = [
            HandlerKey::Fn(FnKey {
                file: "src/a.rs".into(),
                module: vec!["api".into(), "v1".into()],
                name: "create".into(),
            })
            .encode(),
            HandlerKey::Closure("src/a.rs".into(), 42).encode(),
        ];
        for text in written.iter().map(String::as_str).chain([
            "",
            "fn",
            "closure",
            "other",
            &format!("fn{s}src/a.rs"),
            &format!("closure{s}src/a.rs{s}x"),
            &format!("closure{s}src/a.rs{s}-1"),
            &format!("method{s}src/a.rs{s}1"),
        ]) {
            assert_eq!(
                HandlerKey::is_encoded(text),
                HandlerKey::decode(text).is_some(),
                "{text:?}"
            );
        }
        for text in &written {
            let decoded = HandlerKey::decode(text).expect("a written key decodes");
            assert_eq!(&decoded.encode(), text);
        }
    }

    /// An index of the handler facts of `src` as the only file, `src/main.rs`, and that file.
    fn routed_file(src: &str) -> (RepoIndex, ParsedFile) {
        let index = RepoIndex {
            handlers: facts(&[("src/main.rs", src)]),
            ..RepoIndex::default()
        };
        (index, parsed("src/main.rs", src))
    }

    #[test]
    fn the_handler_gate_admits_exactly_the_functions_and_closures_the_index_registers() {
        let (index, file) = routed_file("mod api {\n    pub async fn create(b: String) -> String { b }\n    pub async fn helper() {}\n}\nfn app() -> Router {\n    Router::new()\n        .route(\"/orders\", post(api::create))\n        .route(\"/ping\", get(|| async { db.ping().await }))\n}\n");
        let config = crate::config::Config::default();
        let data = crate::analysis::check::CheckData::default();
        let manifests = Manifests::default();
        let gate = |kind: &str, nth: usize| {
            let node = syntax::descendants(file.tree.root_node())
                .filter(|n| n.kind_name() == kind)
                .nth(nth)
                .expect("the snippet has the node");
            let ctx = MatchCtx::new(
                &file,
                &index,
                &manifests,
                &config,
                &data,
                vec![("handler", node)],
            );
            let key = handler_gate_key(&ctx, &[FilterArg::Capture("handler".into())])
                .expect("a function or closure has a key");
            handler_gate_admits(&index, &key)
        };
        assert!(gate("function_item", 0), "api::create is routed");
        assert!(!gate("function_item", 1), "api::helper is not");
        assert!(
            !gate("function_item", 2),
            "app registers, it is not registered"
        );
        assert!(gate("closure_expression", 0), "the /ping closure is routed");
        // A tested handler is not admitted, nor a function the index knows only as a loop
        // that does not wait for messages; one that awaits them is.
        let src = "fn app() -> Router { Router::new().route(\"/a\", get(a)).route(\"/b\", get(b)) }\nasync fn a() {}\nasync fn b() {}\nfn walk(v: Vec<u8>) { let mut it = v.iter(); while let Some(x) = it.next() { use_it(x); } }\nasync fn consume(rx: Receiver) { while let Some(m) = rx.recv().await { handle(m); } }\n#[cfg(test)]\nmod tests { #[tokio::test] async fn calls_a() { super::a().await; } }\n";
        let (index, file) = routed_file(src);
        let admitted: Vec<String> = syntax::descendants(file.tree.root_node())
            .filter(|n| n.kind_name() == "function_item")
            .filter(|node| {
                let ctx = MatchCtx::new(
                    &file,
                    &index,
                    &manifests,
                    &config,
                    &data,
                    vec![("handler", *node)],
                );
                handler_gate_key(&ctx, &[FilterArg::Capture("handler".into())])
                    .is_some_and(|key| handler_gate_admits(&index, &key))
            })
            .filter_map(|n| n.field("name"))
            .map(|n| file.node_text(n).to_string())
            .collect();
        assert_eq!(admitted, ["b", "consume"]);
    }

    #[test]
    fn the_enclosing_handler_gate_admits_a_node_exactly_when_inside_handler_can_pass() {
        // Index expressions in a routed fn, in a closure inside it, in a routed closure, in a
        // closure inside a function that is no handler, and in that function itself.
        let (index, file) = routed_file("fn app() -> Router {\n    Router::new()\n        .route(\"/a\", get(a))\n        .route(\"/b\", get(|q: Query| async move { q.0[0] }))\n}\nasync fn a(v: Json<Vec<u8>>) -> u8 { let f = |i: usize| v[i]; v[0] + f(1) }\nfn helper(v: Vec<u8>) -> u8 { let f = |i: usize| v[i]; v[2] + f(3) }\n");
        let config = crate::config::Config::default();
        let data = crate::analysis::check::CheckData::default();
        let manifests = Manifests::default();
        let verdicts: Vec<(String, bool, bool)> = syntax::descendants(file.tree.root_node())
            .filter(|n| n.kind_name() == "index_expression")
            .map(|node| {
                let mut ctx = MatchCtx::new(
                    &file,
                    &index,
                    &manifests,
                    &config,
                    &data,
                    vec![("code", node)],
                );
                let args = [FilterArg::Capture("code".into())];
                let admitted = enclosing_handler_gate_key(&ctx, &args)
                    .is_some_and(|key| enclosing_handler_gate_admits(&index, &key));
                let passes = inside_handler(&mut ctx, &args);
                (file.node_text(node).to_string(), admitted, passes)
            })
            .collect();
        let expect = |text: &str, inside: bool| (text.to_string(), inside, inside);
        assert_eq!(
            verdicts,
            [
                expect("q.0[0]", true),
                expect("v[i]", true),
                expect("v[0]", true),
                // A closure in a function no route registers has two candidates, neither a
                // handler: its file need not be read again for it.
                expect("v[i]", false),
                expect("v[2]", false),
            ]
        );
    }

    /// Whether the handler `name` is tested (`None` when it is no handler).
    fn tested_of(f: &HandlerFacts, name: &str) -> Option<bool> {
        f.handlers
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, i)| i.tested)
    }

    fn routes_of(f: &HandlerFacts, name: &str) -> Vec<String> {
        let mut out: Vec<String> = f
            .handlers
            .iter()
            .filter(|(k, _)| k.name == name)
            .flat_map(|(_, i)| {
                i.routes
                    .iter()
                    .map(|r| format!("{} {}", r.0.clone().unwrap_or_else(|| "ANY".into()), r.1))
            })
            .collect();
        out.sort();
        out
    }

    fn req(s: &str) -> Vec<RequestSegment> {
        request_segments(s).unwrap()
    }

    #[test]
    fn templates_match_by_segments() {
        let t = route_segments("/orders/{id}");
        assert!(path_matches(&t, &req("/orders/42")));
        assert!(path_matches(&t, &req("/orders/42?expand=items")));
        assert!(path_matches(&t, &req("/orders/{id}")));
        assert!(!path_matches(&t, &req("/orders")));
        assert!(!path_matches(&t, &req("/orders/42/items")));
        assert!(!path_matches(&t, &req("/users/42")));
        assert!(path_matches(
            &route_segments("/users/:id/posts"),
            &req("/users/7/posts/")
        ));
        assert!(path_matches(
            &route_segments("/static/*path"),
            &req("/static/a/b.css")
        ));
        assert!(path_matches(
            &route_segments("/files/{*rest}"),
            &req("/files/x/y")
        ));
        assert!(path_matches(
            &route_segments("/blog/<slug>"),
            &req("/blog/hello")
        ));
        assert!(path_matches(
            &route_segments("/assets/<path..>"),
            &req("/assets/a/b")
        ));
        assert!(path_matches(&route_segments("/"), &req("/")));
        assert!(!path_matches(&route_segments("/"), &req("/x")));
        assert!(path_matches(
            &route_segments("/search?<q>"),
            &req("/search?q=a")
        ));
    }

    #[test]
    fn relative_paths_are_url_paths_without_a_scheme_host_or_leading_slash() {
        assert!(is_relative_path("api/v0/record"));
        assert!(is_relative_path("users/{id}/keys"));
        assert!(!is_relative_path("/api/v0/record"));
        assert!(!is_relative_path("https://x.test/api"));
        assert!(!is_relative_path("{base}/api"));
        assert!(!is_relative_path("=, "));
        assert!(!is_relative_path("../up"));
        assert!(!is_relative_path("2024/01"));
    }

    #[test]
    fn request_urls_drop_host_and_placeholders() {
        assert_eq!(
            req("http://127.0.0.1:8080/orders?x=1"),
            vec![RequestSegment::Literal("orders".into())]
        );
        assert_eq!(
            req("{addr}/orders/{id}"),
            vec![
                RequestSegment::Base,
                RequestSegment::Literal("orders".into()),
                RequestSegment::Any
            ]
        );
        assert_eq!(
            req("{}/health"),
            vec![
                RequestSegment::Base,
                RequestSegment::Literal("health".into())
            ]
        );
        assert_eq!(
            req("{base}/"),
            Vec::<RequestSegment>::new(),
            "the base alone"
        );
        assert_eq!(request_segments("orders"), None);
        assert_eq!(request_segments("{}{}"), None);
        // Relative to the scheme: the first segment is a host, not a path.
        assert_eq!(
            req("//cdn.example.com/lib.js"),
            vec![RequestSegment::Literal("lib.js".into())]
        );
        assert_eq!(req("// {}"), Vec::<RequestSegment>::new());
        assert!(path_matches(
            &route_segments("/orders/{id}"),
            &req("{base}/orders/{id}")
        ));
        assert!(!path_matches(
            &route_segments("/orders/{id}/cancel"),
            &req("{base}/orders/{id}")
        ));
        // A base URL may carry a path (`http://localhost:8081/auth/v1`): the rest matches the
        // end of a route, never its start alone.
        assert!(path_matches(
            &route_segments("/auth/v1/roles/{id}"),
            &req("{}/roles/{}")
        ));
        assert!(!path_matches(
            &route_segments("/auth/v1/roles/{id}"),
            &req("{}/auth/v1/roles")
        ));
        assert!(!path_matches(
            &route_segments("/auth/v1/roles"),
            &req("http://localhost/roles")
        ));
        // A route under a prefix the bot could not read ends the request's path, from its first
        // segment (a literal) on; a one-segment route does not count.
        assert!(path_matches(
            &route_segments("/profile/tokens"),
            &req("{url}/@gw/api/profile/tokens")
        ));
        assert!(path_matches(
            &route_segments("/profile/keys/{id}"),
            &req("{url}/@gw/api/profile/keys/7")
        ));
        assert!(!path_matches(
            &route_segments("/profile/keys/{id}"),
            &req("{url}/@gw/api/profile/keys")
        ));
        assert!(!path_matches(
            &route_segments("/{id}/keys"),
            &req("{url}/@gw/api/7/keys")
        ));
        assert!(!path_matches(
            &route_segments("/status"),
            &req("{url}/@gw/api/status")
        ));
    }

    #[test]
    fn nest_prefixes_resolve_across_functions_and_files() {
        let f = facts(&[
            (
                "src/main.rs",
                "fn app() -> Router { Router::new().nest(\"/api\", api::routes()).nest(\"/admin\", admin_routes()).route(\"/healthz\", get(healthz)) }\n\
                 fn admin_routes() -> Router { let users = Router::new().route(\"/users/{id}\", delete(delete_user)); Router::new().nest(\"/v1\", users) }\n\
                 async fn healthz() -> &'static str { \"ok\" }\nasync fn delete_user() {}",
            ),
            (
                "src/api/mod.rs",
                "pub fn routes() -> Router { Router::new().route(\"/orders\", get(list_orders).post(create_order)).nest(\"/v2\", Router::new().route(\"/items/:id\", get(item))) }\n\
                 async fn list_orders() {}\nasync fn create_order() {}\nasync fn item() {}",
            ),
        ]);
        assert_eq!(routes_of(&f, "list_orders"), vec!["GET /api/orders"]);
        assert_eq!(routes_of(&f, "create_order"), vec!["POST /api/orders"]);
        assert_eq!(routes_of(&f, "item"), vec!["GET /api/v2/items/:id"]);
        assert_eq!(
            routes_of(&f, "delete_user"),
            vec!["DELETE /admin/v1/users/{id}"]
        );
        assert_eq!(routes_of(&f, "healthz"), vec!["GET /healthz"]);
    }

    #[test]
    fn actix_scopes_and_rocket_mounts_prefix_attribute_routes() {
        let f = facts(&[
            (
                "src/main.rs",
                "use actix_web::{web, App};\nfn config(cfg: &mut web::ServiceConfig) { cfg.service(web::scope(\"/api\").service(get_user).route(\"/ping\", web::get().to(ping)).service(web::resource(\"/orders\").route(web::post().to(create)))); }\n\
                 #[get(\"/users/{id}\")]\nasync fn get_user() {}\nasync fn ping() {}\nasync fn create() {}",
            ),
            (
                "src/web.rs",
                "use rocket::{get, routes};\n#[post(\"/charge\", data = \"<body>\")]\nfn charge() {}\nfn rocket() -> Rocket<Build> { rocket::build().mount(\"/billing\", routes![charge]) }",
            ),
        ]);
        assert_eq!(routes_of(&f, "get_user"), vec!["GET /api/users/{id}"]);
        assert_eq!(routes_of(&f, "ping"), vec!["GET /api/ping"]);
        assert_eq!(routes_of(&f, "create"), vec!["POST /api/orders"]);
        assert_eq!(routes_of(&f, "charge"), vec!["POST /billing/charge"]);
    }

    #[test]
    fn actix_configure_through_closures_and_type_arguments_and_urls_added_to_a_base() {
        let f = facts(&[
            (
                "src/server.rs",
                "fn app() -> App { App::new().service(web::scope(\"/auth\").configure(|cfg| auth::configure(cfg, true))).service(web::scope(\"/api\").configure(graphql::configure_endpoint::<Backend>)) }",
            ),
            (
                "src/auth.rs",
                "pub fn configure(cfg: &mut web::ServiceConfig, reset: bool) { cfg.service(web::resource(\"/simple/login\").route(web::post().to(login::<B>))); }\nasync fn login<B>() {}",
            ),
            (
                "src/graphql.rs",
                "pub fn configure_endpoint<B>(cfg: &mut web::ServiceConfig) { cfg.service(web::resource(\"/graphql\").route(web::post().to(graphql_route::<B>))); }\nasync fn graphql_route<B>() {}",
            ),
            (
                "tests/common.rs",
                "pub fn query(client: &Client) { let url = env::http_url() + \"/api/graphql\"; client.post(url).send(); }\n#[test]\nfn queries() { query(&Client::new()); }",
            ),
        ]);
        assert_eq!(routes_of(&f, "login"), vec!["POST /auth/simple/login"]);
        assert_eq!(routes_of(&f, "graphql_route"), vec!["POST /api/graphql"]);
        assert_eq!(tested_of(&f, "graphql_route"), Some(true));
        assert_eq!(tested_of(&f, "login"), Some(false));
    }

    #[test]
    fn a_test_call_credits_the_function_its_path_names_not_every_function_of_that_name() {
        let f = facts(&[
            (
                "src/lib.rs",
                "pub fn app() -> Router { Router::new().route(\"/posts\", post(routes::posts::create).put(routes::posts::update).delete(routes::posts::delete)).route(\"/register\", post(routes::users::register)) }",
            ),
            (
                "src/routes/posts.rs",
                "pub async fn create() {}\npub async fn update() {}\npub async fn delete() {}",
            ),
            ("src/routes/users.rs", "pub async fn register() {}"),
            (
                "src/models.rs",
                "impl Post { pub fn create() {} pub fn delete() {} }\npub fn inbox(v: Value) {}",
            ),
            (
                "src/api_client.rs",
                "pub async fn register(address: &Url) { let url = address.append([\"register\"]).unwrap(); reqwest::Client::new().post(url).send().await; }",
            ),
            ("src/cli.rs", "pub async fn register() {}"),
            (
                "tests/posts.rs",
                "#[test]\nfn model() { let p = Post::create(); assert!(Post::delete(p).is_ok()); }\n\
                 #[test]\nfn activity() { let create = json!({}); inbox(to_value(create)); }\n\
                 #[test]\nfn renames() { routes::posts::update(); }\n\
                 async fn signup(address: &Url) { blog::api_client::register(address).await; }\n\
                 #[tokio::test]\nasync fn registers() { signup(&start().await).await; }",
            ),
        ]);
        let tested = |name: &str| tested_of(&f, name);
        assert_eq!(
            tested("create"),
            Some(false),
            "Post::create and a value named create"
        );
        assert_eq!(
            tested("delete"),
            Some(false),
            "Post::delete in an assertion"
        );
        assert_eq!(tested("update"), Some(true), "called by its module path");
        assert_eq!(
            tested("register"),
            Some(true),
            "the SDK function the helper calls by its path sends POST /register, though \
             two other functions share its name"
        );
    }

    #[test]
    fn a_macro_mapping_prefixes_to_route_lists_mounts_each_list_under_its_prefix() {
        let f = facts(&[
            (
                "src/routes/mod.rs",
                "mod channels;
mod users;
pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    mount_endpoints_and_merged_docs! {
        rocket, \"/\".to_owned(), settings,\n        \"/channels\" => channels::routes(),\n        \"/users\" => users::routes()\n    };\n    rocket\n}",
            ),
            (
                "src/routes/channels.rs",
                "pub fn routes() -> (Vec<Route>, OpenApi) { openapi_get_routes_spec![delete, ack] }\n#[delete(\"/<target>\")]\npub async fn delete() {}\n#[put(\"/<target>/ack/<message>\")]\npub async fn ack() {}",
            ),
            (
                "src/routes/users.rs",
                "pub fn routes() -> (Vec<Route>, OpenApi) { openapi_get_routes_spec![fetch] }\n#[get(\"/<target>\")]\npub async fn fetch() {}",
            ),
        ]);
        assert_eq!(routes_of(&f, "delete"), vec!["DELETE /channels/<target>"]);
        assert_eq!(
            routes_of(&f, "ack"),
            vec!["PUT /channels/<target>/ack/<message>"]
        );
        assert_eq!(routes_of(&f, "fetch"), vec!["GET /users/<target>"]);
    }

    #[test]
    fn tests_reach_routes_through_helpers_one_level_deep() {
        let f = facts(&[
            ("src/lib.rs", "pub fn app() -> Router { Router::new().route(\"/orders\", post(create_order)).route(\"/orders/{id}\", get(get_order)).route(\"/gone\", get(gone)) }\nasync fn create_order() {}\nasync fn get_order() {}\nasync fn gone() {}"),
            (
                "tests/common/mod.rs",
                "pub struct TestApp { addr: String }\nimpl TestApp { pub async fn post_order(&self, b: &str) -> Response { reqwest::Client::new().post(format!(\"{}/orders\", self.addr)).body(b).send().await.unwrap() } }",
            ),
            (
                "tests/api.rs",
                "#[tokio::test]\nasync fn creates() { let app = spawn_app().await; let r = app.post_order(\"{}\").await; assert_eq!(r.status(), StatusCode::CREATED); }\n\
                 #[tokio::test]\nasync fn gone_is_404() { let r = app().oneshot(Request::get(\"/gone\").body(Body::empty()).unwrap()).await.unwrap(); assert_eq!(r.status(), StatusCode::NOT_FOUND); }",
            ),
        ]);
        let tested = |name: &str| tested_of(&f, name);
        assert_eq!(tested("create_order"), Some(true));
        assert_eq!(tested("get_order"), Some(false));
        assert_eq!(
            tested("gone"),
            Some(false),
            "a 404-only test does not count"
        );
    }

    #[test]
    fn request_shapes_in_tests() {
        let f = facts(&[(
            "tests/t.rs",
            "#[test]\nfn t() {\n let a = Request::builder().method(\"POST\").uri(\"/a\").body(x);\n let b = test::TestRequest::put().uri(\"/b/1\").to_request();\n let url = format!(\"{addr}/c\");\n client.delete(&url).send();\n warp::test::request().method(\"PATCH\").path(\"/d\");\n client.request(Method::HEAD, \"http://localhost/e\");\n}",
        )]);
        let got: Vec<String> = f
            .requests
            .iter()
            .map(|r| format!("{} {:?}", r.method.clone().unwrap_or_default(), r.path))
            .collect();
        assert_eq!(
            got,
            vec![
                "POST [Literal(\"a\")]",
                "PUT [Literal(\"b\"), Literal(\"1\")]",
                "DELETE [Base, Literal(\"c\")]",
                "PATCH [Literal(\"d\")]",
                "HEAD [Literal(\"e\")]",
            ]
        );
    }

    #[test]
    fn configured_registrations_count_only_when_configured() {
        use crate::analysis::{analyze, check::CheckSet, source::SourceInput, AnalysisOptions};
        let src = "pub fn routes(r: &mut Registry) {\n    r.register(\"/refunds\", issue_refund);\n}\n\npub async fn issue_refund(req: Req) -> Result<(), Error> {\n    db::insert_refund(&req).await\n}\n";
        let inputs = vec![SourceInput::new("src/lib.rs", src.as_bytes().to_vec())];
        let set = CheckSet::embedded().unwrap();
        let run = |cfg: &crate::config::Config| {
            analyze(&inputs, cfg, set, &AnalysisOptions::default())
                .findings
                .into_iter()
                .filter(|f| f.check == "untested-handler")
                .map(|f| (f.span.start_line, f.message))
                .collect::<Vec<_>>()
        };
        assert!(run(&crate::config::Config::default()).is_empty());
        let cfg = crate::config::Config {
            handler_registrations: vec!["register".into()],
            ..Default::default()
        };
        assert_eq!(run(&cfg), vec![(5, "`/refunds` (`issue_refund`) has no test: no test calls it or sends a request to this route".to_string())]);
        let mut with_test = inputs.clone();
        with_test.push(SourceInput::new(
            "tests/refunds.rs",
            b"#[tokio::test]\nasync fn refunds() { let r = client.post(format!(\"{base}/refunds\")).send().await.unwrap(); assert!(r.status().is_success()); }".to_vec(),
        ));
        let found = analyze(&with_test, &cfg, set, &AnalysisOptions::default()).findings;
        assert!(
            found.iter().all(|f| f.check != "untested-handler"),
            "{found:?}"
        );
    }

    #[test]
    fn use_declarations_expand() {
        let mut got = syntax::expand_use(
            "pub use crate::handlers::{orders::{create, list}, users::*, health as h};",
        );
        got.sort();
        assert_eq!(
            got,
            vec![
                vec!["crate", "handlers", "orders", "create"],
                vec!["crate", "handlers", "orders", "list"],
                vec!["crate", "handlers", "users", "*"],
            ]
        );
    }

    #[test]
    fn imported_handlers_bind_to_the_imported_module() {
        let f = facts(&[
            ("src/app.rs", "use crate::handlers::orders::list;\nfn app() -> Router { Router::new().route(\"/orders\", get(list)) }"),
            ("src/handlers/orders.rs", "pub async fn list() {}"),
            ("src/cli.rs", "pub fn list() {}"),
        ]);
        let files: Vec<&str> = f.handlers.keys().map(|k| k.file.as_str()).collect();
        assert_eq!(files, vec!["src/handlers/orders.rs"]);
    }

    #[test]
    fn handlers_imported_from_another_crate_of_the_workspace_bind_by_its_crate_name() {
        let mut manifests = Manifests::default();
        for (path, text) in [
            (
                "crates/web-routes/Cargo.toml",
                "[package]\nname = \"web-routes\"\n",
            ),
            ("crates/cli/Cargo.toml", "[package]\nname = \"cli\"\n"),
            ("apps/api/Cargo.toml", "[package]\nname = \"api\"\n"),
        ] {
            manifests.add(&crate::analysis::source::SourceInput::new(
                path,
                text.as_bytes().to_vec(),
            ));
        }
        let f = facts_with_manifests(
            &[
                ("apps/api/src/main.rs", "use web_routes::upload;\nuse web_routes::admin::purge;\nfn app() -> Router { Router::new().route(\"/upload\", post(upload)).route(\"/purge\", post(purge)).route(\"/q\", get(web_routes::query)) }"),
                ("crates/web-routes/src/lib.rs", "pub async fn upload() {}\npub async fn query() {}"),
                ("crates/web-routes/src/admin.rs", "pub async fn purge() {}"),
                ("crates/cli/src/lib.rs", "pub fn upload() {}\npub fn purge() {}\npub fn query() {}"),
            ],
            &manifests,
        );
        let mut bound: Vec<(String, String)> = f
            .handlers
            .keys()
            .map(|k| (k.file.clone(), k.name.clone()))
            .collect();
        bound.sort();
        assert_eq!(
            bound,
            [
                (
                    "crates/web-routes/src/admin.rs".to_string(),
                    "purge".to_string()
                ),
                (
                    "crates/web-routes/src/lib.rs".to_string(),
                    "query".to_string()
                ),
                (
                    "crates/web-routes/src/lib.rs".to_string(),
                    "upload".to_string()
                ),
            ]
        );
    }

    #[test]
    fn route_attributes_parse() {
        assert_eq!(
            parse_route_attribute("get(\"/a\")", "use actix_web::get;"),
            Some((Some("GET".into()), "/a".into(), Framework::Actix))
        );
        assert_eq!(
            parse_route_attribute(
                "utoipa::path(post, path = \"/api/x\", responses((status = 200)))",
                ""
            ),
            Some((Some("POST".into()), "/api/x".into(), Framework::Axum))
        );
        assert_eq!(
            parse_route_attribute("route(\"/r\", method = \"PUT\")", ""),
            Some((Some("PUT".into()), "/r".into(), Framework::Axum))
        );
        assert_eq!(parse_route_attribute("derive(Debug)", ""), None);
        assert_eq!(
            operation_id(
                r#"oai(path = "/users/:id/otp", method = "get", operation_id = "get_otp")"#
            ),
            Some("get_otp".to_string())
        );
        assert_eq!(operation_id(r#"oai(path = "/x", method = "get")"#), None);
        assert_eq!(parse_route_attribute("get(\"not a path\")", ""), None);
    }
}
