//! Filters for the `errors` topic (the `swallowed-error` check), and the repository facts they
//! need.
//!
//! The core is [`classify`]: given a call expression, decide whether it is a fallible operation
//! with an external or durable effect (database, object storage, queue, network, filesystem,
//! process) and what it does (read, write, delete, send). Everything it knows about method and
//! crate names comes from the check's `[data]` lists, so the rules stay data.
//!
//! Calls to workspace functions are resolved through the effect model
//! ([`EffectModel`](crate::analysis::effects::EffectModel)), at any depth.

use super::statements::{self, StatementSigns};
use super::{ArgKind, FilterArg, FilterDef, Gate, MatchCtx};
use crate::analysis::check::{CheckData, CheckSet};
use crate::analysis::effects::{self, CalleeName, EffectModel};
use crate::analysis::index::{Manifests, RepoIndex};
use crate::analysis::markup::code;
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use tree_sitter::Node;

/// The last segment of a path (`post` of `Client::post`), kept here for the many callers that
/// name it through this module.
pub use crate::analysis::syntax::last_segment;

/// The id of the check these filters serve (its `[data]` lists feed the effect model).
pub const CHECK_ID: &str = "swallowed-error";

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "swallowed_effect",
        args: &[ArgKind::Capture, ArgKind::Text],
        sets: &["effect", "consequence", "severity", "what", "log_line"],
        doc: "the call is a fallible operation with an external or durable effect (mode: any, write, read, batch, consumer) whose callee does not record its own error",
        eval: swallowed_effect,
        gate: Some(&SWALLOWED_EFFECT_GATE),
    },
    FilterDef {
        name: "records_error",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the node contains a log, metric or error-report call (macro or function named in the list)",
        eval: records_error,
        gate: None,
    },
    FilterDef {
        name: "lint_allowed",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "an #[allow]/#[expect] naming one of the listed lints sits on the statement or an enclosing item",
        eval: lint_allowed,
        gate: None,
    },
    FilterDef {
        name: "on_failing_path",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the node is cleanup inside an error branch (Err arm, if let Err, map_err/or_else closure) that goes on to return or log an error",
        eval: on_failing_path,
        gate: None,
    },
    FilterDef {
        name: "silent_err_arm",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the match arm matches Err(..) (not an expected error named in the list) and its body does nothing: {}, (), continue, break, return, return Ok(..), Ok(())",
        eval: silent_err_arm,
        gate: None,
    },
    FilterDef {
        name: "handles_a_named_error",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the match arm's Err(..) pattern says which error it handles: a variant or path inside it (Err(DbError::Taken), Err(sqlx::Error::RowNotFound)) or a guard (Err(e) if e.kind() == WouldBlock); the other errors go to other arms, so the arm is a decision about one error, not a drop",
        eval: handles_a_named_error,
        gate: None,
    },
    FilterDef {
        name: "empty_block",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the block has no statements (comments are handled by the intent filter)",
        eval: empty_block,
        gate: None,
    },
    FilterDef {
        name: "spawned_result_dropped",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["effect", "consequence", "severity", "what"],
        doc: "the async block's output is a Result from an effectful call (tail `<call>.await`, or a `?` that leaves the block and a tail `Ok(..)`), and that call does not record its error on the way out (a log call of the list in its chain, `.inspect_err(|e| warn!(..))?`); logs elsewhere in the block record other errors, not the one the task returns",
        eval: spawned_result_dropped,
        gate: None,
    },
    FilterDef {
        name: "parse_to_default",
        args: &[ArgKind::Capture, ArgKind::Capture],
        sets: &["source", "severity", "effect", "consequence", "what"],
        doc: "the first capture is `<text>.parse()` / `parse::<T>()` / `from_str(..)` on incoming data (request, header, body, record, file, env); the second is the default-producing call",
        eval: parse_to_default,
        gate: None,
    },
    FilterDef {
        name: "logged_after",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "a statement after the node in the same block logs (e.g. a consumer loop followed by `warn!(\"consumer stopped\")`)",
        eval: logged_after,
        gate: None,
    },
];

// ---------------------------------------------------------------------------------------------
// Effect classification
// ---------------------------------------------------------------------------------------------

/// What kind of external or durable system an operation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EffectKind {
    /// A database or key-value store.
    Database,
    /// S3, GCS, Azure blobs, `object_store`.
    ObjectStorage,
    /// A message queue, stream or pub/sub topic (or a durable channel such as an outbox).
    Queue,
    /// HTTP, gRPC, email or another remote API.
    Network,
    /// Files on disk.
    Filesystem,
    /// A child process.
    Process,
}

impl EffectKind {
    /// The word used in messages.
    pub fn label(self) -> &'static str {
        match self {
            EffectKind::Database => "database",
            EffectKind::ObjectStorage => "object storage",
            EffectKind::Queue => "queue",
            EffectKind::Network => "network",
            EffectKind::Filesystem => "filesystem",
            EffectKind::Process => "process",
        }
    }

    fn parse(s: &str) -> Option<EffectKind> {
        Some(match s.trim() {
            "database" => EffectKind::Database,
            "object storage" => EffectKind::ObjectStorage,
            "queue" => EffectKind::Queue,
            "network" => EffectKind::Network,
            "filesystem" => EffectKind::Filesystem,
            "process" => EffectKind::Process,
            _ => return None,
        })
    }
}

/// What the operation does to that system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Reads data (a failure is an outage, not a lost write).
    Read,
    /// Writes or updates data.
    Write,
    /// Deletes data.
    Delete,
    /// Sends a message, request, email or command.
    Send,
    /// Acknowledges a message.
    Ack,
}

/// A classified effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The system touched.
    pub kind: EffectKind,
    /// What is done to it.
    pub action: Action,
    /// A partial-batch API whose `Ok` output carries per-item failures.
    pub batch: bool,
    /// Short name of the operation for messages and log lines, e.g. `UPDATE orders`, `delete_object`.
    pub what: String,
}

/// The `[data]` lists the classifier reads, borrowed from the check.
#[derive(Debug, Default, Clone, Copy)]
pub struct Lists<'a> {
    data: Option<&'a CheckData>,
}

impl<'a> Lists<'a> {
    /// Lists from a check's data table.
    pub fn new(data: &'a CheckData) -> Self {
        Lists { data: Some(data) }
    }

    /// The lists of the embedded `swallowed-error` check (empty if it failed to load).
    pub fn embedded() -> Lists<'static> {
        Lists {
            data: CheckSet::embedded()
                .ok()
                .and_then(|s| s.get(CHECK_ID))
                .map(|c| &c.data),
        }
    }

    /// The entries of list `name` (empty when the list is missing).
    pub fn get(&self, name: &str) -> &'a [String] {
        self.data.map(|d| d.list(name)).unwrap_or(&[])
    }

    /// Whether list `name` holds `value` exactly.
    pub(crate) fn has(&self, name: &str, value: &str) -> bool {
        self.data.is_some_and(|d| d.contains(name, value))
    }

    /// Entries of a `"key:value"` list whose key equals `key`.
    fn lookup(&self, name: &str, key: &str) -> Option<&'a str> {
        self.data?.value_of(name, key)
    }

    /// The value of the first `"word:value"` entry whose word is one of `words`.
    /// Plural receivers count as their singular (`state.emails` as `email`).
    fn lookup_word(&self, name: &str, words: &[String]) -> Option<&'a str> {
        let data = self.data?;
        data.first_value_of(name, words.iter().map(String::as_str))
            .or_else(|| {
                data.first_value_of(
                    name,
                    words
                        .iter()
                        .filter(|w| w.len() > 3)
                        .filter_map(|w| w.strip_suffix('s')),
                )
            })
    }

    fn any_word(&self, name: &str, words: &[String]) -> bool {
        words.iter().any(|w| self.has(name, w))
    }

    /// Whether one of the lower-case identifier words of `text` (see [`words`]) is in list
    /// `name`, without collecting them.
    fn any_word_in(&self, name: &str, text: &str) -> bool {
        self.data
            .is_some_and(|d| statements::any_word(d, name, text))
    }
}

/// A method chain, outermost call first: `a.b(x).c().await` → methods `[c, b]`, root `a`.
#[derive(Debug)]
pub struct Chain<'t> {
    /// (method name, call node), outermost first.
    pub methods: Vec<(String, Node<'t>)>,
    /// A path call at the bottom of the chain (`sqlx::query(..)`, `Command::new(..)`), if any.
    pub path_call: Option<(String, Node<'t>)>,
    /// The receiver expression at the bottom of the chain (`self.db`, `client`), if any.
    pub root: Option<Node<'t>>,
    /// Whether `.await` appears in the chain.
    pub awaited: bool,
    /// Whether a macro call (`sqlx::query!(..)`) is at the bottom of the chain.
    pub root_macro: Option<String>,
}

/// Walks a method chain iteratively.
pub fn chain<'t>(file: &ParsedFile, node: Node<'t>) -> Chain<'t> {
    let mut out = Chain {
        methods: Vec::new(),
        path_call: None,
        root: None,
        awaited: false,
        root_macro: None,
    };
    let mut cur = node;
    loop {
        match cur.kind_name() {
            "await_expression" => {
                out.awaited = true;
                match cur.named_child(0) {
                    Some(n) => cur = n,
                    None => return out,
                }
            }
            "try_expression" | "parenthesized_expression" | "reference_expression" => {
                match cur.named_child(0) {
                    Some(n) => cur = n,
                    None => return out,
                }
            }
            "call_expression" => {
                let Some(f) = cur.field("function") else {
                    return out;
                };
                let f = if f.kind_name() == "generic_function" {
                    f.field("function").unwrap_or(f)
                } else {
                    f
                };
                match f.kind_name() {
                    "field_expression" => {
                        let name = f
                            .field("field")
                            .map(|n| file.node_text(n).to_string())
                            .unwrap_or_default();
                        out.methods.push((name, cur));
                        match f.field("value") {
                            Some(v) => cur = v,
                            None => return out,
                        }
                    }
                    _ => {
                        out.path_call = Some((file.node_text(f).to_string(), cur));
                        return out;
                    }
                }
            }
            "macro_invocation" => {
                out.root_macro = cur.field("macro").map(|m| file.node_text(m).to_string());
                return out;
            }
            _ => {
                out.root = Some(cur);
                return out;
            }
        }
    }
}

/// Lower-case identifier words of `text`: `state.s3_client` → `state`, `s3`, `client`.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// The last two `::` segments of a path, e.g. `std::fs::write` → `fs::write`.
fn path_tail(path: &str) -> String {
    let segs: Vec<&str> = path.split("::").map(str::trim).collect();
    let n = segs.len();
    if n >= 2 {
        format!("{}::{}", segs[n - 2], segs[n - 1])
    } else {
        path.trim().to_string()
    }
}

fn action_of_op(lists: &Lists<'_>, op: &str) -> Action {
    let starts = |list: &str| lists.get(list).iter().any(|p| op.starts_with(p.as_str()));
    if op.contains("ack") && !op.contains("back") && !op.contains("pack") && !op.contains("track") {
        Action::Ack
    } else if starts("read_prefixes") {
        Action::Read
    } else if starts("delete_prefixes") {
        Action::Delete
    } else if op.starts_with("send")
        || op.starts_with("publish")
        || op.starts_with("put_record")
        || op.starts_with("put_events")
    {
        Action::Send
    } else {
        Action::Write
    }
}

/// The SQL verb and table of the first SQL string literal in `node`, e.g. `UPDATE orders`.
fn sql_summary(file: &ParsedFile, node: Node<'_>) -> Option<(String, Option<String>)> {
    let ws = sql_words(file, node)?;
    let verb = ws.first()?.to_ascii_uppercase();
    let table = match verb.as_str() {
        "UPDATE" => ws.get(1),
        "INSERT" | "DELETE" => ws
            .iter()
            .position(|w| w.eq_ignore_ascii_case("into") || w.eq_ignore_ascii_case("from"))
            .and_then(|i| ws.get(i + 1)),
        "SELECT" | "WITH" => ws
            .iter()
            .position(|w| w.eq_ignore_ascii_case("from"))
            .and_then(|i| ws.get(i + 1)),
        _ => return None,
    };
    Some((
        verb,
        table.map(|t| {
            t.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '.')
                .to_string()
        }),
    ))
}

/// The words of the first string literal under `node`: the SQL of a query call.
fn sql_words<'f>(file: &'f ParsedFile, node: Node<'_>) -> Option<Vec<&'f str>> {
    let lit = syntax::descendants(node)
        .find(|d| d.kind_name() == "string_literal" || d.kind_name() == "raw_string_literal")?;
    let text = file.node_text(lit);
    Some(
        text.trim_start_matches(['r', '#', '"'])
            .split(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == ';')
            .filter(|w| !w.is_empty())
            .collect(),
    )
}

/// Whether the SQL of a query call is upkeep (see [`is_maintenance_statement`]).
fn is_maintenance_sql(file: &ParsedFile, node: Node<'_>, lists: &Lists<'_>) -> bool {
    sql_words(file, node)
        .and_then(|ws| ws.first().copied())
        .is_some_and(|w| is_maintenance_statement(lists.get("maintenance_statements"), w))
}

/// Whether an SQL statement starting with `first_word` is upkeep (the vocabulary's
/// `maintenance_statements`: `PRAGMA optimize`, `VACUUM`, `ANALYZE`): it changes no data, so a
/// failed one loses nothing and the next run does it again. Every check asks this here.
pub fn is_maintenance_statement(statements: &[String], first_word: &str) -> bool {
    statements
        .iter()
        .any(|s| s.eq_ignore_ascii_case(first_word.trim_matches(|c: char| !c.is_alphanumeric())))
}

/// How a callee resolved through the repository facts behaves.
enum Resolved {
    /// Not a same-crate function (or an ambiguous name).
    Unknown,
    /// Returns no `Result`, or records its own errors: nothing to swallow.
    Quiet,
    /// A same-crate function with this effect in its body.
    Effect(Effect),
}

/// The names a callee is resolved by through the repository facts: `self.x()` style methods
/// and names that are not well-known client methods, or the last segment of a path call. Only
/// those are resolved by name, so a repo's own `fn send` does not hide every `reqwest`
/// `.send()`. A call of the caller's own method, or of a method on a value whose type the
/// function writes, also has its type-qualified name ([`syntax::typed_method_name`]), which
/// the facts prefer when they have it.
fn resolution_name(file: &ParsedFile, chain: &Chain<'_>, lists: &Lists<'_>) -> Option<CalleeName> {
    let (name, call) = match (&chain.methods.first(), &chain.path_call) {
        (Some((m, call)), _) => {
            let known = [
                "db_methods",
                "sdk_operations",
                "queue_methods",
                "http_builder_methods",
                "channel_send_methods",
            ]
            .iter()
            .any(|l| lists.has(l, m) || lists.lookup(l, m).is_some());
            let on_self =
                chain.methods.len() == 1 && chain.root.is_some_and(|r| file.node_text(r) == "self");
            if known && !on_self {
                // On a value of a written type (`comment.post(..)` after `let comment =
                // Comment::new(..)`), that type's method only, if the workspace defines one.
                return syntax::typed_method_name(file, *call).map(|qualified| CalleeName {
                    qualified,
                    name: String::new(),
                    method_call: true,
                });
            }
            (m.clone(), *call)
        }
        (None, Some((p, call))) => (last_segment(p).to_string(), *call),
        _ => return None,
    };
    let method_call =
        !chain.methods.is_empty() && chain.root.is_none_or(|r| file.node_text(r) != "self");
    Some(CalleeName {
        qualified: syntax::typed_method_name(file, call).unwrap_or_default(),
        name,
        method_call,
    })
}

/// What the repository's definitions of `name` say about a call of it. `named_as_read`
/// ([`crate::analysis::effects::named_as_read`]): the name says the fn reads (`get_user`),
/// so to its caller it is a read whatever its body's weightiest call is.
fn resolve(model: &EffectModel, name: &str, named_as_read: bool) -> Resolved {
    match model.summary(name) {
        Some(info) if !info.returns_result || info.records_error => Resolved::Quiet,
        Some(info) => match &info.effect {
            Some(e) => Resolved::Effect(Effect {
                what: name.to_string(),
                action: if named_as_read {
                    Action::Read
                } else {
                    e.action
                },
                ..e.clone()
            }),
            None => Resolved::Unknown,
        },
        None => Resolved::Unknown,
    }
}

/// Whether `node` reads as best effort (a listed word or call in its text): never an effect.
/// A plain-name argument of a method call (`cache` in `db.crate_list(limit, cache)`, a flag)
/// says how the call runs, not what it touches, so its words do not count; those of a path
/// call (`fs::remove_file(tmp_path)`), fields and literals do.
pub(crate) fn is_best_effort(file: &ParsedFile, node: Node<'_>, lists: &Lists<'_>) -> bool {
    let all_text = file.node_text(node);
    if lists
        .get("best_effort_calls")
        .iter()
        .any(|c| all_text.contains(c.as_str()))
    {
        return true;
    }
    if !lists.any_word_in("best_effort_words", all_text) {
        return false;
    }
    let flags: Vec<std::ops::Range<usize>> = syntax::descendants(node)
        .take(MAX_BEST_EFFORT_NODES)
        .filter(|d| {
            d.kind_name() == "arguments"
                && d.parent()
                    .and_then(|call| call.field("function"))
                    .is_some_and(|f| f.kind_name() == "field_expression")
        })
        .flat_map(|args| {
            let mut cursor = args.walk();
            args.named_children(&mut cursor)
                .filter_map(|a| flag_argument(file, a))
                .map(|a| a.byte_range())
                .collect::<Vec<_>>()
        })
        .collect();
    if flags.is_empty() {
        return true;
    }
    // The text again, each plain-name argument blanked out.
    let start = node.start_byte();
    let mut text = all_text.as_bytes().to_vec();
    for r in flags {
        for b in &mut text[r.start - start..r.end - start] {
            *b = b' ';
        }
    }
    lists.any_word_in("best_effort_words", &String::from_utf8_lossy(&text))
}

/// The value an argument passes when it is a plain name, a field of one (`params.cache`), or
/// either defaulted (`params.cache.unwrap_or(false)`): a word in it names data handed to the
/// call, not what the call touches.
fn flag_argument<'t>(file: &ParsedFile, arg: Node<'t>) -> Option<Node<'t>> {
    let value = if arg.kind_name() == "call_expression"
        && matches!(
            syntax::call_name(file, arg),
            Some("unwrap_or" | "unwrap_or_default")
        ) {
        syntax::call_receiver(arg)?
    } else {
        arg
    };
    let mut part = value;
    for _ in 0..8 {
        match part.kind_name() {
            "identifier" => return Some(value),
            "field_expression" => part = part.field("value")?,
            _ => return None,
        }
    }
    None
}

/// The most nodes of a call [`is_best_effort`] reads for its arguments.
const MAX_BEST_EFFORT_NODES: usize = 2_000;

/// The name a call's callee is resolved by in the effect model, read off the call alone (no
/// walk of its chain): a path call's last segment, `self.m(..)`, or a method that is not a
/// well-known client method (so a repo's own `fn send` does not stand for every `.send()`).
pub fn resolvable_callee<'f>(
    file: &'f ParsedFile,
    call: Node<'_>,
    lists: &Lists<'_>,
) -> Option<&'f str> {
    let name = syntax::call_name(file, call)?;
    let f = call.field("function")?;
    let f = if f.kind_name() == "generic_function" {
        f.field("function")?
    } else {
        f
    };
    if f.kind_name() != "field_expression" {
        return Some(name);
    }
    let on_self = f
        .field("value")
        .is_some_and(|v| file.node_text(v) == "self");
    let known = [
        "db_methods",
        "sdk_operations",
        "queue_methods",
        "http_builder_methods",
        "channel_send_methods",
    ]
    .iter()
    .any(|l| lists.has(l, name) || lists.lookup(l, name).is_some());
    (!known || on_self).then_some(name)
}

/// The name [`classify`] would look `node`'s callee up by in the repository facts, when it
/// would look at them at all.
fn callee_to_resolve(file: &ParsedFile, node: Node<'_>, lists: &Lists<'_>) -> Option<CalleeName> {
    if is_best_effort(file, node, lists) {
        return None;
    }
    resolution_name(file, &chain(file, node), lists)
}

/// Classifies `node` (a call, possibly awaited) as an effectful fallible operation.
/// `facts` (the effect model) resolves workspace callees at any depth; pass `None` while
/// collecting facts.
pub fn classify(
    file: &ParsedFile,
    node: Node<'_>,
    lists: &Lists<'_>,
    facts: Option<&EffectModel>,
) -> Option<Effect> {
    let ch = chain(file, node);
    if is_best_effort(file, node, lists) {
        return None;
    }
    // The name is only worth working out when there are facts to look it up in.
    if let Some(facts) = facts {
        if let Some(names) = resolution_name(file, &ch, lists) {
            let read = effects::named_as_read(lists.get("read_prefixes"), &names.name);
            let resolved = match names.in_model(facts) {
                Some(name) => resolve(facts, name, read),
                None => Resolved::Unknown,
            };
            match resolved {
                Resolved::Quiet => return None,
                Resolved::Effect(e) => return Some(e),
                Resolved::Unknown => {}
            }
        }
    }
    let method_names: Vec<&str> = ch.methods.iter().map(|(m, _)| m.as_str()).collect();
    let root_words = ch
        .root
        .map(|r| words(file.node_text(r)))
        .unwrap_or_default();
    let outer = method_names.first().copied();

    // Process: `Command::new(..)...status()`.
    if let Some((p, _)) = &ch.path_call {
        if path_tail(p) == "Command::new" {
            return outer
                .filter(|m| lists.has("process_methods", m))
                .map(|m| Effect {
                    kind: EffectKind::Process,
                    action: Action::Send,
                    batch: false,
                    what: format!("command {m}"),
                });
        }
    }
    // Cloud SDK fluent calls: `client.put_object()...send().await`.
    if outer == Some("send") || outer == Some("into_paginator") {
        if let Some((op, _)) = ch.methods.last() {
            if let Some(kind) = lists
                .lookup("sdk_operations", op)
                .and_then(EffectKind::parse)
            {
                return Some(Effect {
                    kind,
                    action: action_of_op(lists, op),
                    batch: lists.has("batch_operations", op),
                    what: op.clone(),
                });
            }
            if ch.methods.len() >= 2 {
                if let Some(kind) = lists
                    .lookup_word("sdk_clients", &root_words)
                    .and_then(EffectKind::parse)
                {
                    return Some(Effect {
                        kind,
                        action: action_of_op(lists, op),
                        batch: false,
                        what: op.clone(),
                    });
                }
            }
        }
        // HTTP request builders: `client.post(url).json(..).send().await`.
        let builder: Vec<&str> = method_names
            .iter()
            .skip(1)
            .copied()
            .filter(|m| lists.has("http_builder_methods", m))
            .collect();
        if !builder.is_empty() {
            let read = method_names
                .last()
                .is_some_and(|m| *m == "get" || *m == "head");
            return Some(Effect {
                kind: EffectKind::Network,
                action: if read { Action::Read } else { Action::Send },
                batch: false,
                what: "request".into(),
            });
        }
    }
    // Response body reads after `.send().await?`: `.json::<T>().await`, `.text().await`.
    if let Some(m) = outer {
        if lists.has("http_body_methods", m) && method_names.iter().skip(1).any(|x| *x == "send") {
            return Some(Effect {
                kind: EffectKind::Network,
                action: Action::Read,
                batch: false,
                what: "response body".into(),
            });
        }
    }
    // `pipe.xadd(..)` on a redis pipeline only adds a command to the batch: nothing can fail
    // until the batch runs (`pipe.query_async(..)`, a database method).
    if let Some(m) = outer {
        let batch = root_words
            .last()
            .is_some_and(|w| lists.has("command_batch_words", w));
        if batch && !lists.has("db_methods", m) && !lists.has("db_receiver_methods", m) {
            return None;
        }
    }
    // Database: sqlx/diesel/rusqlite chains, tokio-postgres, redis, mongo.
    if let Some(m) = outer {
        let sql_root = ch.path_call.as_ref().is_some_and(|(p, _)| {
            lists.has("sql_builders", &path_tail(p)) || lists.has("sql_builders", last_segment(p))
        }) || ch.root_macro.as_deref().is_some_and(|r| {
            lists.has("sql_builders", &path_tail(r)) || lists.has("sql_builders", last_segment(r))
        });
        let db_receiver = lists.any_word("db_receivers", &root_words);
        let generic_db = lists.data.is_some_and(|data| {
            let signs = StatementSigns {
                built: sql_root || ch.root_macro.is_some(),
                root: ch.root.map(|r| file.node_text(r)).unwrap_or(""),
                methods: ch.methods.len(),
                first_args: ch
                    .methods
                    .first()
                    .and_then(|(_, call)| call.field("arguments"))
                    .map(|args| file.node_text(args))
                    .unwrap_or(""),
            };
            statements::runs_a_statement(data, m, &signs)
        });
        let receiver_db =
            db_receiver && lists.has("db_receiver_methods", m) && ch.methods.len() == 1;
        // A builder's chain runs its statement with a database method or a connection's
        // (`redis::cmd(..).query(&mut conn)`).
        let builder_db =
            sql_root && (lists.has("db_methods", m) || lists.has("db_receiver_methods", m));
        if generic_db || receiver_db || builder_db {
            if is_maintenance_sql(file, node, lists) {
                return None;
            }
            let (action, what) = match sql_summary(file, node) {
                Some((verb, table)) => {
                    let action = match verb.as_str() {
                        "SELECT" | "WITH" => Action::Read,
                        "DELETE" => Action::Delete,
                        _ => Action::Write,
                    };
                    (action, table.map(|t| format!("{verb} {t}")).unwrap_or(verb))
                }
                None => {
                    // A builder's statement that is no SQL is a command named by its first
                    // word (`redis::cmd("DEL")`): that word says what it does, not the method
                    // that runs it.
                    let command = sql_root
                        .then(|| sql_words(file, node).and_then(|ws| ws.first().copied()))
                        .flatten()
                        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
                        .map(str::to_ascii_lowercase);
                    let op = command.as_deref().unwrap_or(m);
                    let action = if lists.has("db_read_methods", op)
                        || lists
                            .get("read_prefixes")
                            .iter()
                            .any(|p| op.starts_with(p.as_str()))
                    {
                        Action::Read
                    } else if lists
                        .get("delete_prefixes")
                        .iter()
                        .any(|p| op.starts_with(p.as_str()))
                    {
                        Action::Delete
                    } else {
                        Action::Write
                    };
                    (action, format!("database {op}"))
                }
            };
            return Some(Effect {
                kind: EffectKind::Database,
                action,
                batch: false,
                what,
            });
        }
        // Queues, producers, mailers: `producer.send(record, t)`, `nats.publish(..)`, `msg.ack()`.
        let consumer = lists.has("consumer_methods", m);
        // `ws_msg_sender.send(..)`: the handle is a channel's sender, whatever it feeds.
        let channel_handle = root_words
            .last()
            .is_some_and(|w| lists.has("channel_handle_words", w));
        if lists.has("queue_methods", m) || consumer || m == "send" || m == "send_batch" {
            if let Some(kind) = lists
                .lookup_word("send_receivers", &root_words)
                .filter(|_| !channel_handle)
                .and_then(EffectKind::parse)
            {
                let action = if consumer {
                    Action::Read
                } else {
                    action_of_op(lists, m)
                };
                return Some(Effect {
                    kind,
                    action,
                    batch: false,
                    what: m.to_string(),
                });
            }
            if lists.has("queue_methods", m) && !lists.has("channel_send_methods", m) {
                return Some(Effect {
                    kind: EffectKind::Queue,
                    action: action_of_op(lists, m),
                    batch: false,
                    what: m.to_string(),
                });
            }
        }
        // Channels: a send only matters when the channel is the only path to durable work.
        if lists.has("channel_send_methods", m) && ch.methods.len() == 1 {
            if lists.any_word("durable_channel_words", &root_words) {
                return Some(Effect {
                    kind: EffectKind::Queue,
                    action: Action::Send,
                    batch: false,
                    what: m.to_string(),
                });
            }
            return None;
        }
        // Object storage clients (`object_store`, GCS, Azure): `store.put(&path, bytes)`.
        if lists.any_word("storage_receivers", &root_words)
            && lists.has("storage_methods", m)
            && ch.methods.len() == 1
        {
            return Some(Effect {
                kind: EffectKind::ObjectStorage,
                action: action_of_op(lists, m),
                batch: false,
                what: m.to_string(),
            });
        }
        // File handles: `file.write_all(..)`, `file.sync_all()`.
        if lists.has("file_methods", m) && ch.methods.len() == 1 {
            if let Some(root) = ch.root {
                if receiver_is_file(file, root, lists) {
                    return Some(Effect {
                        kind: EffectKind::Filesystem,
                        action: Action::Write,
                        batch: false,
                        what: m.to_string(),
                    });
                }
            }
        }
    }
    // Filesystem functions: `fs::write(..)`, `tokio::fs::rename(..).await`.
    if let (None, Some((p, _))) = (outer, &ch.path_call) {
        let tail = path_tail(p);
        if lists.has("fs_write_fns", &tail) {
            let action = if tail.contains("remove") {
                Action::Delete
            } else {
                Action::Write
            };
            return Some(Effect {
                kind: EffectKind::Filesystem,
                action,
                batch: false,
                what: tail,
            });
        }
    }
    // `write!(file, ..)` into a file.
    if let Some(mac) = macro_of(node) {
        let name = mac.field("macro").map(|m| file.node_text(m)).unwrap_or("");
        if name == "write" || name == "writeln" {
            let target = macro_first_token(file, mac)?;
            if receiver_is_file_named(file, mac, &target, lists) {
                return Some(Effect {
                    kind: EffectKind::Filesystem,
                    action: Action::Write,
                    batch: false,
                    what: format!("{name}!"),
                });
            }
        }
        return None;
    }
    // Same-crate or unknown async functions whose name and arguments say what they do:
    // `crm::push_contact(&http, &user).await`, `self.repo.save(&order).await`.
    if ch.awaited {
        let name = match (outer, &ch.path_call) {
            (Some(m), _) => m.to_string(),
            (None, Some((p, _))) => last_segment(p).to_string(),
            _ => return None,
        };
        let verb = name.split('_').next().unwrap_or("");
        let read = lists.has("read_verbs", verb);
        let write = lists.has("effect_verbs", verb);
        if read || write {
            let call = ch
                .methods
                .first()
                .map(|(_, c)| *c)
                .or(ch.path_call.as_ref().map(|(_, c)| *c))?;
            let mut ctx_words = root_words.clone();
            if let Some(args) = call.field("arguments") {
                ctx_words.extend(words(file.node_text(args)));
            }
            if let Some((p, _)) = &ch.path_call {
                ctx_words.extend(words(p));
            }
            ctx_words.extend(
                ch.methods
                    .iter()
                    .skip(1)
                    .map(|(m, _)| m.to_ascii_lowercase()),
            );
            if let Some(kind) = lists
                .lookup_word("client_words", &ctx_words)
                .and_then(EffectKind::parse)
            {
                // `conn.close().await`: the connection itself is torn down, and the server frees
                // it whether or not the goodbye arrives. A writer's or producer's `close` (object
                // storage, a queue) commits or flushes what was written, so it still counts.
                let teardown = lists.has("teardown_methods", &name)
                    && call
                        .field("arguments")
                        .is_some_and(|a| a.named_child_count() == 0)
                    && matches!(kind, EffectKind::Database | EffectKind::Network);
                if teardown {
                    return None;
                }
                let action = if read {
                    Action::Read
                } else if lists
                    .get("delete_prefixes")
                    .iter()
                    .any(|p| name.starts_with(p.as_str()))
                {
                    Action::Delete
                } else {
                    Action::Send
                };
                return Some(Effect {
                    kind,
                    action,
                    batch: false,
                    what: name,
                });
            }
        }
    }
    None
}

fn macro_of(node: Node<'_>) -> Option<Node<'_>> {
    let n = syntax::unwrap_expression(node);
    (n.kind_name() == "macro_invocation").then_some(n)
}

fn macro_first_token(file: &ParsedFile, mac: Node<'_>) -> Option<String> {
    let tt = (0..mac.named_child_count())
        .filter_map(|i| mac.named_child(i))
        .find(|c| c.kind_name() == "token_tree")?;
    let inner = file.node_text(tt).trim_start_matches(['(', '[', '{']);
    let first = inner.split(',').next()?.trim();
    Some(
        first
            .trim_start_matches("&mut ")
            .trim_start_matches('&')
            .trim()
            .to_string(),
    )
}

/// The `let` value that declares `name` in the function enclosing `at` (the last one before
/// `at`), or the parameter's type when `name` is a parameter.
pub fn declaration_text<'f>(file: &'f ParsedFile, at: Node<'_>, name: &str) -> Option<&'f str> {
    let func = syntax::ancestors(at).find(|a| a.kind_name() == "function_item")?;
    let mut found = None;
    for d in syntax::descendants(func) {
        if d.start_byte() >= at.start_byte() {
            break;
        }
        match d.kind_name() {
            "let_declaration" => {
                let Some(p) = d.field("pattern") else {
                    continue;
                };
                let pat = file.node_text(p).trim_start_matches("mut ").trim();
                // `let refs = if let Some(refs) = .. { use(refs) }`: the `let` being
                // initialised by the expression that holds `at` is not yet in scope there.
                let holds_at = d
                    .field("value")
                    .is_some_and(|v| v.byte_range().contains(&at.start_byte()));
                if pat == name && !holds_at {
                    found = d
                        .field("value")
                        .or(d.field("type"))
                        .map(|v| file.node_text(v));
                }
            }
            "parameter" => {
                let Some(p) = d.field("pattern") else {
                    continue;
                };
                if file.node_text(p).trim_start_matches("mut ").trim() == name {
                    found = d.field("type").map(|t| file.node_text(t));
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether writes through the receiver named `name` cannot fail: declared in the same function
/// as `String::new()`, `format!(..)`, `Vec::new()`, a `Cursor`, a hasher or a `fmt::Formatter`.
pub fn receiver_is_infallible(
    file: &ParsedFile,
    at: Node<'_>,
    name: &str,
    lists: &Lists<'_>,
) -> bool {
    let name = name.trim_start_matches("self.");
    declaration_text(file, at, name).is_some_and(|decl| declares_infallible_sink(decl, lists))
}

/// Whether a declaration's text makes a writer that cannot fail.
fn declares_infallible_sink(decl: &str, lists: &Lists<'_>) -> bool {
    lists
        .get("infallible_sinks")
        .iter()
        .any(|s| decl.contains(s.as_str()))
}

fn receiver_is_file(file: &ParsedFile, root: Node<'_>, lists: &Lists<'_>) -> bool {
    receiver_is_file_named(file, root, file.node_text(root), lists)
}

fn receiver_is_file_named(file: &ParsedFile, at: Node<'_>, name: &str, lists: &Lists<'_>) -> bool {
    let decl = declaration_text(file, at, name);
    // `receiver_is_infallible`, without looking the same declaration up twice.
    let infallible = if name.starts_with("self.") {
        receiver_is_infallible(file, at, name, lists)
    } else {
        decl.is_some_and(|d| declares_infallible_sink(d, lists))
    };
    if infallible {
        return false;
    }
    if let Some(decl) = decl {
        return lists
            .get("file_constructors")
            .iter()
            .any(|s| decl.contains(s.as_str()));
    }
    let ws = words(name);
    ws.last().is_some_and(|w| w == "file")
}

fn severity_of(e: &Effect) -> &'static str {
    match (e.kind, e.action) {
        (_, Action::Read) => "medium",
        (EffectKind::Database | EffectKind::ObjectStorage | EffectKind::Queue, _) => "high",
        (_, Action::Delete) => "high",
        _ => "medium",
    }
}

fn consequence_of(e: &Effect) -> String {
    let table = e.what.split_once(' ').map(|(_, t)| t.to_string());
    match (e.kind, e.action) {
        (_, Action::Read) => {
            "an outage looks exactly like an empty result and nothing records it".into()
        }
        (EffectKind::Database, Action::Delete) => match (e.what.starts_with("DELETE "), table) {
            (true, Some(t)) => format!(
                "the {} rows are never deleted and nothing records it",
                code(&t)
            ),
            _ => "the rows are never deleted and nothing records it".into(),
        },
        (EffectKind::Database, _) => match (e.what.split_once(' '), table) {
            (Some(("UPDATE", _)), Some(t)) => {
                format!(
                    "the {} row is never updated and nothing records it",
                    code(&t)
                )
            }
            (Some(("INSERT", _)), Some(t)) => {
                format!(
                    "the {} row is never inserted and nothing records it",
                    code(&t)
                )
            }
            _ => "the write never happens and nothing records it".into(),
        },
        (EffectKind::ObjectStorage, Action::Delete) => {
            "the object stays in the bucket and nothing records it".into()
        }
        (EffectKind::ObjectStorage, _) => {
            "the object is never stored and nothing records it".into()
        }
        (EffectKind::Queue, Action::Ack) => {
            "the message is not acknowledged and will be delivered again, and nothing records why"
                .into()
        }
        (EffectKind::Queue, Action::Delete) => {
            "the message stays on the queue and is processed again, and nothing records why".into()
        }
        (EffectKind::Queue, _) => "the message is never published and nothing records it".into(),
        (EffectKind::Network, _) => {
            "the request may never reach the other side and nothing records it".into()
        }
        (EffectKind::Filesystem, Action::Delete) => {
            "the file stays on disk and nothing records it".into()
        }
        (EffectKind::Filesystem, _) => "the file is not written and nothing records it".into(),
        (EffectKind::Process, _) => {
            "the command may fail or never run and nothing records it".into()
        }
    }
}

/// The log statement suggested for a crate: `tracing::warn!` if it depends on tracing, `log::warn!`
/// if on log, else `eprintln!`.
fn log_line(manifests: &Manifests, path: &str, what: &str) -> String {
    let what = what.replace(['"', '\\', '{', '}'], "");
    if manifests.crates.is_empty() || manifests.depends_on(path, "tracing") {
        format!("tracing::warn!(error = %e, \"{what} failed\")")
    } else if manifests.depends_on(path, "log") {
        format!("log::warn!(\"{what} failed: {{e}}\")")
    } else {
        format!("eprintln!(\"{what} failed: {{e}}\")")
    }
}

fn set_effect_vars(ctx: &mut MatchCtx<'_, '_>, e: &Effect) {
    ctx.set_var("effect", e.kind.label());
    ctx.set_var("consequence", consequence_of(e));
    ctx.set_var("severity", severity_of(e));
    ctx.set_var("what", e.what.clone());
    let line = log_line(ctx.manifests, &ctx.file.path, &e.what);
    ctx.set_var("log_line", line);
}

/// What [`swallowed_effect`] needs to know of its match before the repository facts: the call
/// with its adapters stripped, whether an error is propagated with `?` on the way, and the
/// callee name the facts would resolve.
struct SwallowedCall<'t> {
    target: Node<'t>,
    has_try: bool,
    callee: Option<CalleeName>,
}

fn swallowed_call<'t>(ctx: &MatchCtx<'_, 't>, args: &[FilterArg]) -> Option<SwallowedCall<'t>> {
    let node = ctx.arg_node(&args[0])?;
    let lists = Lists::new(ctx.data);
    // `let _ = x?;` propagates the error; only partial-batch APIs lose something there.
    let has_try = {
        let mut n = node;
        let mut found = false;
        while matches!(
            n.kind_name(),
            "await_expression" | "try_expression" | "parenthesized_expression"
        ) {
            found |= n.kind_name() == "try_expression";
            match n.named_child(0) {
                Some(c) => n = c,
                None => break,
            }
        }
        found
    };
    let target = strip_adapters(ctx.file, node, &lists);
    Some(SwallowedCall {
        target,
        has_try,
        callee: callee_to_resolve(ctx.file, target, &lists),
    })
}

/// Whether an effect found for a call passes `mode` (see the filter's doc).
fn effect_passes(mode: &str, effect: &Effect, has_try: bool) -> bool {
    match mode {
        "batch" => effect.batch && has_try,
        "write" => !has_try && effect.action != Action::Read,
        "read" => effect.action == Action::Read,
        "consumer" => {
            matches!(effect.kind, EffectKind::Queue | EffectKind::Network)
                && effect.action == Action::Read
        }
        _ => !has_try,
    }
}

fn swallowed_effect(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(call) = swallowed_call(ctx, args) else {
        return false;
    };
    let mode = args[1].as_str();
    let lists = Lists::new(ctx.data);
    // The facts are only read for a callee they could resolve, so most matches are decided
    // while their file is still being walked.
    let facts = call.callee.as_ref().map(|_| &ctx.index().effects);
    let Some(effect) = classify(ctx.file, call.target, &lists, facts)
        .or_else(|| configured_client_effect(ctx, call.target, &lists))
    else {
        return false;
    };
    if !effect_passes(mode, &effect, call.has_try) {
        return false;
    }
    set_effect_vars(ctx, &effect);
    true
}

/// An awaited call on one of the repository's own clients (`[vocabulary] clients`), e.g.
/// `state.emails.send(..)`: a network call, reading or sending by its method name.
fn configured_client_effect(
    ctx: &MatchCtx<'_, '_>,
    node: Node<'_>,
    lists: &Lists<'_>,
) -> Option<Effect> {
    let clients = &ctx.config.vocabulary.clients;
    if clients.is_empty() {
        return None;
    }
    let ch = chain(ctx.file, node);
    let (method, _) = ch.methods.first()?;
    let root = words(ctx.file.node_text(ch.root?));
    let named = root.iter().any(|w| {
        clients.iter().any(|c| {
            let c = c.to_ascii_lowercase();
            *w == c || w.strip_suffix('s') == Some(c.as_str())
        })
    });
    if !(named && ch.awaited) {
        return None;
    }
    Some(Effect {
        kind: EffectKind::Network,
        action: action_of_op(lists, method),
        batch: false,
        what: method.clone(),
    })
}

/// [`swallowed_effect`]'s gate: the key holds the mode, whether `?` propagates, whether the call
/// passes on its own (what decides when the facts do not know the callee) and the callee's name,
/// empty for a call the facts are not asked about (the filter then decides on its own).
fn swallowed_effect_key(ctx: &MatchCtx<'_, '_>, args: &[FilterArg]) -> Option<String> {
    let call = swallowed_call(ctx, args)?;
    let mode = args[1].as_str();
    let Some(name) = call.callee else {
        let lists = Lists::new(ctx.data);
        let passes = classify(ctx.file, call.target, &lists, None)
            .or_else(|| configured_client_effect(ctx, call.target, &lists))
            .is_some_and(|e| effect_passes(mode, &e, call.has_try));
        return passes.then(|| Gate::key_of(&[mode, "0", "1", "0", "0", "", ""]));
    };
    // No effect passes `batch` without `?`, nor `any`/`write` with it.
    let possible = match mode {
        "batch" => call.has_try,
        "read" | "consumer" => true,
        _ => !call.has_try,
    };
    if !possible {
        return None;
    }
    let lists = Lists::new(ctx.data);
    let alone = classify(ctx.file, call.target, &lists, None)
        .or_else(|| configured_client_effect(ctx, call.target, &lists))
        .is_some_and(|e| effect_passes(mode, &e, call.has_try));
    let read = effects::named_as_read(lists.get("read_prefixes"), &name.name);
    let bit = |b: bool| if b { "1" } else { "0" };
    Some(Gate::key_of(&[
        mode,
        bit(call.has_try),
        bit(alone),
        bit(read),
        bit(name.method_call),
        &name.qualified,
        &name.name,
    ]))
}

/// Whether the complete facts may let a [`swallowed_effect_key`] pass.
fn swallowed_effect_admits(index: &RepoIndex, key: &str) -> bool {
    let Some([mode, has_try, alone, read, method_call, qualified, name]) = Gate::fields(key) else {
        // Not a key this gate made: let the filter decide.
        return true;
    };
    if qualified.is_empty() && name.is_empty() {
        return alone == "1";
    }
    let names = CalleeName {
        qualified: qualified.to_string(),
        name: name.to_string(),
        method_call: method_call == "1",
    };
    let resolved = match names.in_model(&index.effects) {
        Some(name) => resolve(&index.effects, name, read == "1"),
        None => Resolved::Unknown,
    };
    match resolved {
        Resolved::Quiet => false,
        Resolved::Effect(e) => effect_passes(mode, &e, has_try == "1"),
        Resolved::Unknown => alone == "1",
    }
}

/// See [`swallowed_effect_key`].
static SWALLOWED_EFFECT_GATE: Gate = Gate {
    key: swallowed_effect_key,
    admits: swallowed_effect_admits,
};

/// `f().ok()` / `.is_ok()` / `.unwrap_or_default()` → `f()`, so `let _ = f().ok();` is judged by `f()`.
fn strip_adapters<'t>(file: &ParsedFile, mut node: Node<'t>, lists: &Lists<'_>) -> Node<'t> {
    loop {
        let n = syntax::unwrap_expression(node);
        if n.kind_name() != "call_expression" {
            return node;
        }
        match (syntax::call_name(file, n), syntax::call_receiver(n)) {
            (Some(name), Some(recv)) if lists.has("discard_adapters", name) => node = recv,
            _ => return node,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Logging, intent and context
// ---------------------------------------------------------------------------------------------

/// Whether `node` contains a call that records an error: a log/metric/report macro or a function
/// whose name is in `names` (`warn`, `error`, `eprintln`, `counter`, `capture_error`, ...).
pub fn contains_record(file: &ParsedFile, node: Node<'_>, names: &[String]) -> bool {
    records_in(
        file,
        syntax::descendants(node).map(|d| (d.kind_name(), d)),
        names,
    )
}

/// Whether `node` holds a call of one of [`syntax::PANIC_MACROS`].
fn panics_in(file: &ParsedFile, node: Node<'_>) -> bool {
    syntax::descendants(node).any(|d| {
        d.kind_name() == "macro_invocation"
            && d.field("macro")
                .is_some_and(|m| syntax::PANIC_MACROS.contains(&last_segment(file.node_text(m))))
    })
}

/// [`contains_record`] over nodes already listed with their kinds.
pub(crate) fn records_in<'t>(
    file: &ParsedFile,
    mut nodes: impl Iterator<Item = (&'static str, Node<'t>)>,
    names: &[String],
) -> bool {
    nodes.any(|(kind, d)| match kind {
        "macro_invocation" => d
            .field("macro")
            .is_some_and(|m| names.iter().any(|n| n == last_segment(file.node_text(m)))),
        "call_expression" => syntax::call_name(file, d).is_some_and(|c| {
            names.iter().any(|n| n == c)
                || c.starts_with("log_")
                || c.starts_with("report_")
                || c.starts_with("capture_")
        }),
        _ => false,
    })
}

fn records_error(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    contains_record(ctx.file, node, ctx.list(&args[1]))
}

fn lint_allowed(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let lints = ctx.list(&args[1]);
    std::iter::once(node)
        .chain(syntax::ancestors(node))
        .any(|a| {
            syntax::attributes(ctx.file, a).iter().any(|attr| {
                (attr.starts_with("allow") || attr.starts_with("expect"))
                    && lints.iter().any(|l| attr.contains(l.as_str()))
            })
        })
}

fn pattern_is_err(file: &ParsedFile, pat: Node<'_>) -> bool {
    let t = file.node_text(pat).trim_start();
    t.starts_with("Err(") || t.starts_with("Err (") || t.contains("::Err(")
}

fn on_failing_path(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    for a in syntax::ancestors(node) {
        let branch_body = match a.kind_name() {
            "match_arm" => a
                .field("pattern")
                .filter(|p| pattern_is_err(file, *p))
                .and(a.field("value")),
            "if_expression" => {
                let cond = a.field("condition");
                let is_err = cond.is_some_and(|c| {
                    let t = file.node_text(c);
                    (c.kind_name() == "let_condition"
                        && c.field("pattern").is_some_and(|p| pattern_is_err(file, p)))
                        || t.ends_with(".is_err()")
                });
                // Only when the node is in the consequence, not in the condition.
                let cons = a.field("consequence");
                if is_err
                    && cons.is_some_and(|c| {
                        c.start_byte() <= node.start_byte() && node.end_byte() <= c.end_byte()
                    })
                {
                    cons
                } else {
                    None
                }
            }
            "closure_expression" => {
                let call = a
                    .parent()
                    .and_then(|p| p.parent())
                    .filter(|c| c.kind_name() == "call_expression");
                call.filter(|c| {
                    syntax::call_name(file, *c).is_some_and(|n| {
                        matches!(n, "map_err" | "or_else" | "inspect_err" | "unwrap_or_else")
                    })
                })
                .and(a.field("body"))
            }
            "function_item" => return false,
            _ => None,
        };
        if let Some(body) = branch_body {
            let after = file
                .text
                .get(node.end_byte()..body.end_byte())
                .unwrap_or("");
            return after.contains("Err(")
                || after.contains("bail!")
                || after.contains("return")
                || after.contains('?')
                || contains_record(
                    file,
                    body,
                    &["error".into(), "warn".into(), "eprintln".into()],
                )
                || a.kind_name() == "closure_expression";
        }
    }
    false
}

fn silent_err_arm(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(arm) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let Some(pat) = arm.field("pattern") else {
        return false;
    };
    if !pattern_is_err(file, pat) {
        return false;
    }
    let pat_text = file.node_text(pat);
    if ctx
        .list(&args[1])
        .iter()
        .any(|w| pat_text.contains(w.as_str()))
    {
        return false;
    }
    let Some(value) = arm.field("value") else {
        return false;
    };
    is_silent_body(file, value)
}

fn handles_a_named_error(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(pat) = ctx.arg_node(&args[0]).and_then(|arm| arm.field("pattern")) else {
        return false;
    };
    if !pattern_is_err(ctx.file, pat) {
        return false;
    }
    if pat.field("condition").is_some() {
        return true;
    }
    // `Err(inner)`: the tuple-struct pattern may sit under the arm's `match_pattern`.
    let Some(err) = std::iter::once(pat)
        .chain(syntax::descendants(pat))
        .find(|n| n.kind_name() == "tuple_struct_pattern")
    else {
        return false;
    };
    let Some(inner) = err.named_child(1) else {
        return false;
    };
    match inner.kind_name() {
        "scoped_identifier" | "tuple_struct_pattern" | "struct_pattern" => true,
        // An imported variant (`Err(NotFound)`), not a binding (`Err(e)`).
        "identifier" => ctx
            .file
            .node_text(inner)
            .starts_with(|c: char| c.is_ascii_uppercase()),
        _ => false,
    }
}

/// `{}`, `()`, `continue`, `break`, `return`, `return Ok(..)`, `Ok(())`, or a block holding only one of those.
fn is_silent_body(file: &ParsedFile, value: Node<'_>) -> bool {
    let mut v = value;
    if v.kind_name() == "block" {
        let stmts: Vec<Node<'_>> = (0..v.named_child_count())
            .filter_map(|i| v.named_child(i))
            .filter(|c| c.kind_name() != "line_comment" && c.kind_name() != "block_comment")
            .collect();
        match stmts.as_slice() {
            [] => return true,
            [one] => {
                v = if one.kind_name() == "expression_statement" {
                    one.named_child(0).unwrap_or(*one)
                } else {
                    *one
                };
            }
            _ => return false,
        }
    }
    let t = syntax::normalize(file.node_text(v));
    let t = t.trim_end_matches(';').trim();
    matches!(
        t,
        "()" | "continue" | "break" | "return" | "Ok(())" | "return Ok(())"
    ) || (t.starts_with("return Ok(") && !t.contains("Err"))
        || (t.starts_with("Ok(") && v.kind_name() == "call_expression" && t.len() <= 12)
}

fn empty_block(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(b) = ctx.arg_node(&args[0]) else {
        return false;
    };
    (0..b.named_child_count())
        .filter_map(|i| b.named_child(i))
        .all(|c| c.kind_name() == "line_comment" || c.kind_name() == "block_comment")
}

fn logged_after(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let names = ctx.list(&args[1]);
    // The loop may be wrapped in an expression statement.
    let stmt = node
        .parent()
        .filter(|p| p.kind_name() == "expression_statement")
        .unwrap_or(node);
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        if contains_record(ctx.file, n, names) || file_text_returns_err(ctx.file, n) {
            return true;
        }
        next = n.next_named_sibling();
    }
    false
}

fn file_text_returns_err(file: &ParsedFile, n: Node<'_>) -> bool {
    let t = file.node_text(n);
    t.contains("Err(") || t.contains("bail!")
}

// ---------------------------------------------------------------------------------------------
// Spawned tasks
// ---------------------------------------------------------------------------------------------

fn spawned_result_dropped(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(body) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let lists = Lists::new(ctx.data);
    let log_names = ctx.list(&args[1]);
    // The error the task returns is recorded only where it leaves: in the chain of the call
    // whose `Err` becomes the task's output.
    let unrecorded = |source: Node<'_>| !contains_record(file, source, log_names);
    let block = if body.kind_name() == "async_block" {
        match (0..body.named_child_count())
            .filter_map(|i| body.named_child(i))
            .find(|c| c.kind_name() == "block")
        {
            Some(b) => b,
            None => return false,
        }
    } else {
        // `tokio::spawn(crm::push(http, user))`: the future itself.
        let Some(e) = classify(file, body, &lists, Some(&ctx.index().effects)) else {
            return false;
        };
        if e.action == Action::Read || !unrecorded(body) {
            return false;
        }
        set_spawn_vars(ctx, &e);
        return true;
    };
    let Some(tail) = block.named_child(block.named_child_count().saturating_sub(1)) else {
        return false;
    };
    if tail.kind_name() == "expression_statement" || tail.kind_name().ends_with("comment") {
        return false; // the block ends with `;`: its output is `()`
    }
    let effect = if tail.kind_name() == "await_expression" {
        classify(file, tail, &lists, Some(&ctx.index().effects)).filter(|_| unrecorded(tail))
    } else if tail.kind_name() == "call_expression" && file.node_text(tail).starts_with("Ok") {
        // Where a `?` sits, in one walk out from it to the first closure, async block or fn:
        // whether it leaves the task (that boundary is the task's own block; a `?` inside a
        // closure or a nested async block returns from that), and whether a loop of the task
        // holds it. A background loop that `?` leaves (`loop { lift_expired_bans(..).await?;
        // sleep(..).await }`) stops for good at its first error, a read's as much as a write's.
        let placement = |t: Node<'_>| {
            let mut in_loop = None;
            for a in syntax::ancestors_from(body, t) {
                match a.kind_name() {
                    "closure_expression" | "async_block" | "function_item" => {
                        return (a.id() == body.id(), in_loop.unwrap_or(false));
                    }
                    // `for row in load().await? {..}` reads its rows once, before the loop.
                    "for_expression" => {
                        in_loop.get_or_insert_with(|| {
                            a.field("body").is_some_and(|b| {
                                b.start_byte() <= t.start_byte() && t.end_byte() <= b.end_byte()
                            })
                        });
                    }
                    "loop_expression" | "while_expression" => {
                        in_loop.get_or_insert(true);
                    }
                    _ => {}
                }
            }
            (false, false)
        };
        let mut found = None;
        for t in syntax::descendants(block).filter(|d| d.kind_name() == "try_expression") {
            let (leaves_task, in_loop) = placement(t);
            if !leaves_task {
                continue;
            }
            let Some(e) = t
                .named_child(0)
                .filter(|c| unrecorded(*c))
                .and_then(|c| classify(file, c, &lists, Some(&ctx.index().effects)))
            else {
                continue;
            };
            if in_loop {
                found = Some((e, true));
                break;
            }
            if found.is_none() {
                found = Some((e, false));
            }
        }
        match found {
            Some((e, true)) => {
                set_spawn_vars(ctx, &e);
                ctx.set_var("consequence", LOOP_ENDS.to_string());
                return true;
            }
            Some((e, false)) => Some(e),
            None => None,
        }
    } else {
        None
    };
    let Some(e) = effect else { return false };
    if e.action == Action::Read {
        return false;
    }
    set_spawn_vars(ctx, &e);
    true
}

/// What a spawned loop's dropped error costs: the loop ends with it.
const LOOP_ENDS: &str = "the first failure ends the task's loop for good, so the background job stops running and nothing logs why";

fn set_spawn_vars(ctx: &mut MatchCtx<'_, '_>, e: &Effect) {
    ctx.set_var("effect", e.kind.label());
    ctx.set_var("consequence", consequence_of(e));
    ctx.set_var("severity", severity_of(e));
    ctx.set_var("what", e.what.clone());
}

// ---------------------------------------------------------------------------------------------
// Parse errors turned into defaults
// ---------------------------------------------------------------------------------------------

fn parse_to_default(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let (Some(inner), Some(outer)) = (ctx.arg_node(&args[0]), ctx.arg_node(&args[1])) else {
        return false;
    };
    let file = ctx.file;
    let lists = Lists::new(ctx.data);
    let inner = syntax::unwrap_expression(inner);
    if inner.kind_name() != "call_expression" {
        return false;
    }
    let Some(name) = syntax::call_name(file, inner) else {
        return false;
    };
    let source = match (name, syntax::call_receiver(inner)) {
        ("parse", Some(recv)) => recv,
        ("from_str" | "from_slice" | "from_value", None) => {
            match inner.field("arguments").and_then(|a| a.named_child(0)) {
                Some(a) => a,
                None => return false,
            }
        }
        _ => return false,
    };
    // `unwrap_or_else(|e| { warn!(..); 0 })` records the error, and
    // `unwrap_or_else(|e| panic!(..))` does not default at all.
    if contains_record(file, outer, lists.get("log_names")) || panics_in(file, outer) {
        return false;
    }
    let src_text = file.node_text(source);
    let mut evidence = words(src_text);
    let root_ident = chain(file, source)
        .root
        .map(|r| file.node_text(r).to_string());
    let ident = root_ident
        .as_deref()
        .unwrap_or(src_text)
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if let Some(decl) = declaration_text(file, inner, &ident) {
        // A row this program's database returns holds what this program wrote: not input.
        let from_own_database = lists
            .get("db_read_methods")
            .iter()
            .any(|m| decl.contains(&format!(".{m}(")));
        if from_own_database {
            return false;
        }
        evidence.extend(words(decl));
    }
    if !lists.any_word("incoming_data_words", &evidence) {
        return false;
    }
    // Money: the value, its binding, or the surrounding statement names an amount.
    let stmt = syntax::ancestors(outer).find(|a| {
        a.kind_name() == "let_declaration"
            || a.kind_name() == "expression_statement"
            || a.kind_name() == "field_initializer"
    });
    let mut money_words = evidence.clone();
    if let Some(s) = stmt {
        money_words.extend(words(file.node_text(s)));
    }
    let money = lists.any_word("money_words", &money_words);
    ctx.set_var("severity", if money { "high" } else { "medium" });
    ctx.set_var("source", syntax::abbreviate(file, source));
    ctx.set_var("effect", "input parsing");
    ctx.set_var("what", "parse");
    ctx.set_var(
        "consequence",
        "malformed input is processed as the default value and nothing records it",
    );
    true
}

// ---------------------------------------------------------------------------------------------
// Repository facts
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::syntax::NodeList;

    fn file(src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet("src/a.rs", src)
    }

    /// The effect model of one file.
    fn model_of(f: &ParsedFile) -> EffectModel {
        let nodes = NodeList::new(
            f.tree.root_node(),
            crate::analysis::index::walk_plan(f.language),
        );
        f.test_ranges_or(|| nodes.test_ranges(f));
        let mut model = EffectModel::default();
        model.collect(f, &Manifests::default(), &nodes);
        model.finish();
        model
    }

    /// Classifies the value of the first `let _ = <value>;` in `src`.
    fn classify_let(src: &str) -> Option<Effect> {
        let f = file(src);
        let lists = Lists::embedded();
        let facts = model_of(&f);
        let l = syntax::descendants(f.tree.root_node())
            .find(|n| n.kind_name() == "let_declaration")
            .unwrap();
        let v = l.field("value").unwrap();
        let v = strip_adapters(&f, v, &lists);
        classify(&f, v, &lists, Some(&facts))
    }

    fn kind_action(src: &str) -> Option<(EffectKind, Action)> {
        classify_let(src).map(|e| (e.kind, e.action))
    }

    #[test]
    fn the_swallowed_effect_gate_admits_every_call_the_filter_passes() {
        // Calls decided from their own shape (no workspace callee to resolve), calls of
        // workspace fns the effect model knows, and calls that are no effect at all.
        let src = "async fn notify(http: &Client) -> Result<(), E> { http.post(URL).send().await?; Ok(()) }\n\
            fn quiet() -> Result<(), E> { Ok(()) }\n\
            async fn a(db: &PgPool, http: &Client, tx: Sender<u8>) {\n\
            let _ = sqlx::query(\"UPDATE t SET x = 1\").execute(db).await;\n\
            let _ = http.post(url).json(&ev).send().await;\n\
            let _ = http.get(url).send().await?;\n\
            let _ = tx.send(1);\n\
            let _ = notify(http).await;\n\
            let _ = quiet();\n\
            }\n";
        let f = file(src);
        let index = RepoIndex {
            effects: model_of(&f),
            ..RepoIndex::default()
        };
        let set = crate::analysis::check::CheckSet::embedded().unwrap();
        let data = &set.get("swallowed-error").unwrap().data;
        let config = crate::config::Config::default();
        let manifests = Manifests::default();
        let mut passed = Vec::new();
        for value in syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "let_declaration")
            .filter_map(|l| l.field("value"))
        {
            for mode in ["any", "write", "read", "batch"] {
                let args = [FilterArg::Capture("x".into()), FilterArg::Text(mode.into())];
                let mut ctx =
                    MatchCtx::new(&f, &index, &manifests, &config, data, vec![("x", value)]);
                let passes = swallowed_effect(&mut ctx, &args);
                let admitted = swallowed_effect_key(&ctx, &args)
                    .is_some_and(|key| swallowed_effect_admits(&index, &key));
                let text = f.node_text(value).to_string();
                assert!(admitted || !passes, "{mode}: {text}");
                if passes {
                    passed.push(format!("{mode}: {}", text.lines().next().unwrap_or("")));
                }
            }
        }
        // Not vacuous: both kinds of call pass somewhere.
        assert!(
            passed.iter().any(|p| p.contains("sqlx::query")),
            "{passed:?}"
        );
        assert!(passed.iter().any(|p| p.contains("notify(")), "{passed:?}");
    }

    #[test]
    fn classifies_effects_by_client_shape() {
        use Action::*;
        use EffectKind::*;
        let cases: &[(&str, Option<(EffectKind, Action)>)] = &[
            ("async fn a(db: &PgPool) { let _ = sqlx::query(\"UPDATE orders SET x = 1\").bind(1).execute(db).await; }", Some((Database, Write))),
            ("async fn a(db: &PgPool) { let _ = sqlx::query(\"DELETE FROM carts WHERE id = $1\").execute(db).await; }", Some((Database, Delete))),
            ("async fn a(db: &PgPool) { let _ = sqlx::query_as::<_, U>(\"SELECT * FROM users\").fetch_all(db).await; }", Some((Database, Read))),
            ("async fn a(s3: &Client) { let _ = s3.delete_object().bucket(b).key(k).send().await; }", Some((ObjectStorage, Delete))),
            ("async fn a(sqs: &Client) { let _ = sqs.send_message().queue_url(q).send().await; }", Some((Queue, Send))),
            ("async fn a(http: &Client) { let _ = http.post(url).json(&ev).send().await; }", Some((Network, Send))),
            ("async fn a(http: &Client) { let _ = http.get(url).send().await; }", Some((Network, Read))),
            ("fn a() { let _ = std::fs::write(\"out.json\", data); }", Some((Filesystem, Write))),
            ("fn a() { let _ = Command::new(\"git\").arg(\"push\").status(); }", Some((Process, Send))),
            ("async fn a(p: &FutureProducer) { let _ = producer.send(record, t).await; }", Some((Queue, Send))),
            ("async fn a(http: Client, u: User) { let _ = crm::push_contact(&http, &u).await; }", Some((Network, Send))),
            ("async fn a(m: Message) { let _ = msg.ack().await; }", Some((Queue, Ack))),
        ];
        for (src, expected) in cases {
            assert_eq!(kind_action(src), *expected, "{src}");
        }
    }

    #[test]
    fn leaves_non_effects_alone() {
        let cases = [
            "fn a(tx: Sender<u8>) { let _ = tx.send(1); }",
            "async fn a(tx: mpsc::Sender<u8>) { let _ = tx.send(1).await; }",
            "fn a() { let _ = dotenvy::dotenv().ok(); }",
            "fn a(m: &mut HashMap<u8, u8>) { let _ = m.insert(1, 2); }",
            "fn a() { let _ = std::fs::remove_file(\"/tmp/x.sock\"); }",
            "fn a() { let mut out = String::new(); let _ = writeln!(out, \"x\"); }",
            "fn a() { let _ = rustls::crypto::ring::default_provider().install_default(); }",
            "async fn a(s: &Client) { let _ = metrics_client.post(url).send().await; }",
            "fn a() { let _ = open::that(url); }",
        ];
        for src in cases {
            assert_eq!(classify_let(src), None, "{src}");
        }
    }

    #[test]
    fn durable_channels_and_files_are_effects() {
        assert_eq!(
            kind_action("async fn a() { let _ = outbox_tx.send(ev).await; }"),
            Some((EffectKind::Queue, Action::Send))
        );
        assert_eq!(
            kind_action("fn a() { let mut f = File::create(p)?; let _ = writeln!(f, \"x\"); }"),
            Some((EffectKind::Filesystem, Action::Write))
        );
        assert_eq!(
            kind_action("fn a() { let mut buf = Vec::new(); let _ = buf.write_all(b\"x\"); }"),
            None
        );
    }

    #[test]
    fn infallible_receivers_are_recognised_from_their_declaration() {
        let f = file("fn a(f: &mut std::fs::File) { let mut s = String::new(); let mut h = Sha256::new(); let c = Cursor::new(v); x(); }");
        let lists = Lists::embedded();
        let at = syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "call_expression")
            .last()
            .unwrap();
        assert!(receiver_is_infallible(&f, at, "s", &lists));
        assert!(receiver_is_infallible(&f, at, "h", &lists));
        assert!(receiver_is_infallible(&f, at, "c", &lists));
        assert!(!receiver_is_infallible(&f, at, "f", &lists));
        assert!(!receiver_is_infallible(&f, at, "unknown", &lists));
    }

    #[test]
    fn logging_is_detected_in_macros_and_calls() {
        let lists = Lists::embedded();
        let names = lists.get("log_names");
        let f = file("fn a() { x().inspect_err(|e| tracing::warn!(error = %e, \"x\")).ok(); y().ok(); z().map_err(|e| log_failure(e)).ok(); }");
        let stmts: Vec<Node<'_>> = syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "expression_statement")
            .collect();
        assert!(contains_record(&f, stmts[0], names));
        assert!(!contains_record(&f, stmts[1], names));
        assert!(contains_record(&f, stmts[2], names));
    }

    #[test]
    fn facts_record_instrumented_and_wrapper_functions() {
        let f = file(
            "#[tracing::instrument(skip(db), err)]\nasync fn save(db: &PgPool) -> Result<()> { Ok(()) }\n\
             fn spawn_logged<F: Future<Output = Result<()>>>(fut: F) -> JoinHandle<()> { tokio::spawn(async move { if let Err(e) = fut.await { error!(%e) } }) }\n\
             async fn notify(http: &Client) { let _ = 1; }\n\
             async fn store(db: &PgPool) -> anyhow::Result<()> { sqlx::query(\"INSERT INTO t VALUES (1)\").execute(db).await?; Ok(()) }",
        );
        let facts = model_of(&f);
        let summary = |name: &str| facts.summary(name).unwrap_or_else(|| panic!("{name}"));
        assert!(summary("save").records_error);
        assert!(summary("spawn_logged").records_error);
        assert!(!summary("notify").returns_result);
        let store = summary("store");
        assert!(store.returns_result && !store.records_error);
        assert_eq!(
            store.effect.as_ref().map(|e| (e.kind, e.action)),
            Some((EffectKind::Database, Action::Write))
        );
    }

    #[test]
    fn same_named_functions_that_disagree_are_not_resolved_by_name() {
        let src = "async fn store(db: &PgPool) -> anyhow::Result<()> { sqlx::query(\"INSERT INTO t VALUES (1)\").execute(db).await?; Ok(()) }\n\
                   mod cache { pub fn store(v: u32) { let _ = v; } }\n\
                   fn caller(db: &PgPool) { let _ = store(db); }";
        let f = file(src);
        let facts = model_of(&f);
        assert!(facts.is_defined("store") && facts.summary("store").is_none());
        let lists = Lists::embedded();
        let call = syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "let_declaration")
            .last()
            .and_then(|l| l.field("value"))
            .unwrap();
        assert_eq!(
            classify(&f, call, &lists, Some(&facts)),
            None,
            "`store(db)` could be either function: no finding rests on the other one's signature"
        );
    }

    fn analyze_files(files: &[(&str, &str)]) -> Vec<crate::analysis::finding::Finding> {
        use crate::analysis::source::SourceInput;
        let inputs: Vec<SourceInput> = files
            .iter()
            .map(|(p, t)| SourceInput::new(p.to_string(), t.as_bytes().to_vec()))
            .collect();
        let set = CheckSet::embedded().unwrap();
        let a = crate::analysis::analyze(
            &inputs,
            &crate::config::Config::default(),
            set,
            &Default::default(),
        );
        a.findings
            .into_iter()
            .filter(|f| f.check == CHECK_ID)
            .collect()
    }

    #[test]
    fn let_underscore_finding_names_the_call_and_suggests_logging() {
        let src = "async fn mark_shipped(db: &sqlx::PgPool, id: i64) {\n    let _ = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n        .bind(id).execute(db).await;\n}\n";
        let found = analyze_files(&[("src/a.rs", src)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.span.start_line, 2);
        assert_eq!(f.severity, crate::analysis::finding::Severity::High);
        assert_eq!(
            f.message,
            "`sqlx::query(..).bind(..).execute(..).await` can fail (database), and `let _ =` throws the error away: the `orders` row is never updated and nothing records it."
        );
        let s = f.suggestion.as_ref().unwrap();
        assert_eq!((s.span.start_line, s.span.end_line), (2, 3));
        assert_eq!(
            s.replacement,
            "    if let Err(e) = sqlx::query(\"UPDATE orders SET shipped = true WHERE id = $1\")\n        .bind(id).execute(db).await {\n        tracing::warn!(error = %e, \"UPDATE orders failed\");\n    }"
        );
    }

    #[test]
    fn suggestion_uses_the_crates_logger() {
        let cargo = "[package]\nname = \"job\"\n[dependencies]\nlog = \"0.4\"\n";
        let src = "fn main() {\n    let out = std::path::Path::new(\"r.txt\");\n    std::fs::write(out, b\"x\").ok();\n}\n";
        let found = analyze_files(&[("Cargo.toml", cargo), ("src/main.rs", src)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let s = found[0].suggestion.as_ref().unwrap();
        assert_eq!(s.replacement, "    if let Err(e) = std::fs::write(out, b\"x\") {\n        log::warn!(\"fs::write failed: {e}\");\n    }");
        let cargo = "[package]\nname = \"job\"\n";
        let found = analyze_files(&[("Cargo.toml", cargo), ("src/main.rs", src)]);
        let s = found[0].suggestion.as_ref().unwrap();
        assert!(
            s.replacement
                .contains("eprintln!(\"fs::write failed: {e}\");"),
            "{}",
            s.replacement
        );
    }

    #[test]
    fn sql_summary_names_verb_and_table() {
        let f = file("fn a() { q(\"UPDATE orders SET shipped = true\"); q(\"insert into audit_log (a) values (1)\"); }");
        let calls: Vec<Node<'_>> = syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "call_expression")
            .collect();
        assert_eq!(
            sql_summary(&f, calls[0]),
            Some(("UPDATE".into(), Some("orders".into())))
        );
        assert_eq!(
            sql_summary(&f, calls[1]),
            Some(("INSERT".into(), Some("audit_log".into())))
        );
    }
}
