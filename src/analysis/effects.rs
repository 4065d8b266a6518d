//! The workspace-wide effect model: what every function of the repository does, computed once
//! per analysis run and asked by every check.
//!
//! For each function defined outside test code, in any crate of the workspace, the model
//! records ([`FnFacts`]):
//! - the effect its own body performs (a database write, an HTTP request, a queue publish, ...),
//!   classified from the shared vocabulary ([`classify`]);
//! - whether it returns an error (`Result`), and whether it records its own errors
//!   (`#[instrument(err)]`, a wrapper that logs `Err`);
//! - whether it retries inside (a retry loop, a retry crate, a retry-named helper);
//! - whether it spawns the future or closure it is given (a project spawn wrapper);
//! - whether it runs periodically (an interval, or a loop with a sleep);
//! - the workspace functions it calls whose error it passes on (`?`, `return`, its tail).
//!
//! [`EffectModel::finish`] then propagates effects through that call graph to a fixpoint: a
//! function that passes on the error of a callee with an effect has that effect too, at any
//! depth up to [`MAX_DEPTH`] calls, cycles included (each round only adds). The result per
//! name is a [`FnSummary`]. Functions are known by bare name, as far as syntax allows; when a
//! name has several definitions that disagree (one returns a `Result`, another does not; one
//! touches a database, another nothing), the name is ambiguous and never resolved, so a
//! finding never rests on another function's body.

use crate::analysis::channels;
use crate::analysis::filters::errors::{self, Lists};
use crate::analysis::filters::{loops, retry};
use crate::analysis::index::Manifests;
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt, NodeList};
use std::collections::BTreeMap;
use tree_sitter::Node;

pub use crate::analysis::filters::errors::{classify, Action, Effect, EffectKind};

/// How many calls away an effect is followed. Real services hide an HTTP call or a write behind
/// two or three helpers; past six, a chain is more likely a name collision than a helper.
pub const MAX_DEPTH: usize = 6;

/// The longest call (in bytes of source) whose effect a function's facts record: a PR's
/// 100,000-link chain is not classified link by link (its callers' findings are then missed,
/// never invented).
const MAX_CLASSIFIED_CALL_BYTES: usize = 8 * 1024;

/// The service a database effect talks to, in messages and in the embedded-database test.
pub const DATABASE_SERVICE: &str = "the database";

/// The most calls of one body the model follows (generated code can have thousands, and each
/// is followed up the tree, where every step is a walk down from the root).
const MAX_CALLEES: usize = 128;
/// How many loops of one function that take from a channel are read for what they drain (each
/// read looks at up to 20,000 nodes; a PR can nest 100,000 loops).
const MAX_DRAIN_LOOPS: usize = 16;

/// Marks a callee recorded by its type-qualified name alone (`Comment::post` for
/// `comment.post(..)`, where `post` is also a well-known client method): kept when that type
/// defines the method, dropped otherwise, never read as the bare name
/// (see `EffectModel::add_owner_qualified_names`).
const QUALIFIED_ONLY: &str = "=";

/// The most effects of one body whose error path the model follows up the tree.
const MAX_FOLLOWED_EFFECTS: usize = 32;

/// What one definition of a function does, read from its own body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FnFacts {
    /// The file the definition is in.
    pub path: String,
    /// The type whose `impl` block defines the function (`Client` for `impl Client { fn post }`),
    /// when it is a method.
    pub owner: Option<String>,
    /// The signature returns a `Result` (or a `JoinHandle` of one).
    pub returns_result: bool,
    /// The first parameter is `self` (`&self`, `mut self`, ..): a method call `x.name(..)` can
    /// call this definition; an associated function (`Experiment::next(db)`) it cannot.
    pub takes_self: bool,
    /// The function records its own errors: `#[instrument(err)]`, a wrapper (a future or
    /// closure parameter) whose body logs `Err`, or a body whose every effect logs its error on
    /// the way out (`.map_err(|e| { error!(..); e })?`).
    pub records_error: bool,
    /// The effect the body performs itself, if any.
    pub direct: Option<Effect>,
    /// The service the direct effect talks to, when the vocabulary names it (`GitHub`,
    /// `the mail server`).
    pub service: Option<String>,
    /// The body retries (a retry loop with a sleep, a retry crate or wrapper, a retry helper).
    pub retries_inside: bool,
    /// The function is a retry helper: it takes a closure or future and runs it under a retry
    /// (`fn execute<F: Fn() -> Fut>(&self, call: F)` whose body calls `policy.retry_if(..)`).
    pub retries_arg: bool,
    /// The workspace fn whose closure or async-block argument holds every call the direct
    /// effect was read from (`self.execute(|c| async move { c.mutate_row(req).await })`): when
    /// that fn is a retry helper, the effect is retried.
    pub effect_wrapper: Option<String>,
    /// The function takes a future or closure and hands it to a spawn (`spawn_try_task(fut)`).
    pub spawns_arg: bool,
    /// The function runs periodically: an interval timer, or a loop with a sleep.
    pub periodic: bool,
    /// For a short helper whose value names a vocabulary `consume_methods` entry
    /// (`fn skip(&mut self) -> Actions { vec![Action::Ack] }`), that entry: a caller that
    /// returns its value acknowledges the work item, and the queue will not hand it out again.
    pub answers_ack: Option<String>,
    /// Names of workspace functions this body calls and passes the error of (`?`, `return`,
    /// tail expression), in source order. A method's call on `self` or `Self` is named with its
    /// owner (`Client::post`), so it resolves to that type's method even when other types
    /// define a function of the same name.
    pub callees: Vec<String>,
    /// The calls whose error this body passes on, runs again or logs and drops, by callee name.
    pub call_sites: Vec<(String, Handling)>,
    /// The names this body calls whose error it handles any other way ([`Handling::Other`]),
    /// each once, itself left out. They are most calls, so they are kept as names only: the
    /// model asks of them only that the call exists.
    pub calls_otherwise: Vec<String>,
    /// What the body does with channel receivers it is given or keeps (see [`InputFlow`]);
    /// `None` for most functions, which drain and store none.
    pub inputs: Option<Box<InputFlow>>,
}

/// Where a function's inputs go, for the questions about channels: "who drains this receiver,
/// and can it fall behind?" (`src/analysis/channels.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputFlow {
    /// Inputs a loop of the body takes items from while it waits on other work between two
    /// takes ([`channels::drained_by_loop`]), or drains into a sink (`rx.forward(sink)`).
    pub drained: Vec<Input>,
    /// Receiver parameters (declared with a vocabulary `receiver_types` type) the body stores
    /// in a struct it builds: (parameter, struct type, field). `Self` is written as the
    /// owner's name.
    pub stored: Vec<(usize, String, String)>,
    /// Receiver parameters the body passes on to a call: (parameter, callee as the model may
    /// know it, argument position). What the callee does with one is what this function does.
    pub passed: Vec<(usize, String, usize)>,
}

/// One input of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The parameter at this position, `self` not counted (the argument's position in a call).
    Param(usize),
    /// A field of `self`.
    Field(String),
}

/// What a call site does with its callee's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// Passed on to this function's caller (`?`, `return`, tail expression).
    PassedOn,
    /// Logged and dropped (`if let Err(e) = f() { warn!(..) }`, an `Err` arm that only logs)
    /// inside a loop that pulls work (`while let Some(job) = rx.recv().await`), or inside a task
    /// nobody waits for (`tokio::spawn(async move { .. });`), outside periodic work: the loop
    /// moves on to the next item, the spawner has moved on already, and nothing runs this one
    /// again.
    Dropped(DropSite),
    /// Handed back to be run again: the `match` or `if let` reading the call's result requeues
    /// on `Err` (its `Err` branch names a vocabulary `requeue_words` entry: `delivery.nack()`,
    /// `Action::NackRequeue`), or the call sits in a retry loop or in a closure handed to a
    /// vocabulary `retry_wrappers` call. A failed call of it runs again.
    RunAgain,
    /// Anything else: handled, returned as a value, or not understood.
    Other,
}

/// Where an error ends in a log line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DropSite {
    /// The function that logs and drops it.
    pub function: String,
    /// Its file.
    pub path: String,
    /// The 1-based line of the call.
    pub line: usize,
}

/// What the model concludes about calls of one function name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FnSummary {
    /// The file every definition is in (`None` when they are in several).
    pub file: Option<String>,
    /// Every definition returns a `Result`.
    pub returns_result: bool,
    /// Some definition takes `self`, so a method call (`x.name(..)`) can be a call of it.
    pub takes_self: bool,
    /// Some definition records its own errors.
    pub records_error: bool,
    /// The effect a call performs, directly or through callees whose error it passes on.
    pub effect: Option<Effect>,
    /// The service that effect talks to, when the vocabulary names it.
    pub service: Option<String>,
    /// The calls from this function down to the one with the effect (empty when direct):
    /// `["purge_image", "delete_object"]`.
    pub via: Vec<String>,
    /// The effect is reached only through code that retries (this function or a callee).
    pub retried: bool,
    /// Every definition spawns the future or closure it is given.
    pub spawns_arg: bool,
    /// Every definition runs the closure or future it is given under a retry.
    pub retries_arg: bool,
    /// Every definition runs periodically.
    pub periodic: bool,
    /// Where the error of a call of this function ends when every workspace call of it either
    /// logs and drops the error or passes it on to a function whose error ends so: the work
    /// that failed is never tried again. `None` when any caller handles it otherwise, or when
    /// nothing in the workspace calls it (a framework does). Boxed: few names have one, and
    /// every name has a summary.
    pub dropped_at: Option<Box<DropSite>>,
    /// Every workspace call of this function logs and drops its error itself (no function in
    /// between): the steps of this function are where a reviewer would ask for the retry.
    pub dropped_directly: bool,
}

/// The model: the facts of every definition, by name, and after [`EffectModel::finish`] the
/// summary of every unambiguous name.
#[derive(Debug, Default)]
pub struct EffectModel {
    /// Name → facts of each definition (test code excluded).
    defs: BTreeMap<String, Vec<FnFacts>>,
    /// Name → summary; only names whose definitions agree.
    summaries: BTreeMap<String, FnSummary>,
    /// Name → the caller that requeues the work when a call of it fails (see
    /// [`EffectModel::rerun_by`]).
    reruns: BTreeMap<String, String>,
    /// Names that run as part of periodic work (see [`EffectModel::in_periodic_work`]).
    periodic_work: std::collections::BTreeSet<String>,
    /// `macro_rules!` macros of the workspace that return an `Err` from the caller
    /// (`return Err(..)` in their body): calling one propagates.
    error_macros: std::collections::BTreeSet<String>,
    /// `macro_rules!` macros of the workspace whose every rule expands to an `Err(..)` value
    /// (`json_err!("..")` → `Err(json!({"error": ..}))`): as a branch's value, an error.
    error_value_macros: std::collections::BTreeSet<String>,
    /// `(type, field)` of every field a method of the type drains (see [`InputFlow::drained`]).
    drained_fields: std::collections::BTreeSet<(String, String)>,
}

impl EffectModel {
    /// The node kinds [`EffectModel::collect`] finds in a [`NodeList`].
    pub const LISTED_KINDS: &'static [&'static str] = &[
        "function_item",
        "macro_invocation",
        "call_expression",
        "await_expression",
        "loop_expression",
        "for_expression",
        "while_expression",
        "where_clause",
        "macro_definition",
        "struct_expression",
    ];

    /// Collects the facts of every function defined in one file.
    pub fn collect(&mut self, file: &ParsedFile, manifests: &Manifests, nodes: &NodeList<'_>) {
        if file.language.name != "rust" {
            return;
        }
        for m in nodes.of_kind("macro_definition") {
            let text = file.node_text(m);
            if text.contains("return Err") || text.contains("return ::std::result::Result::Err") {
                if let Some(name) = m.field("name") {
                    self.error_macros.insert(file.node_text(name).to_string());
                }
            }
            if expands_to_err_value(file, m) {
                if let Some(name) = m.field("name") {
                    self.error_value_macros
                        .insert(file.node_text(name).to_string());
                }
            }
        }
        let lists = Lists::embedded();
        for f in nodes.of_kind("function_item") {
            if syntax::is_in_test_code(file, f) {
                continue;
            }
            let Some(name) = f.field("name").map(|n| file.node_text(n).to_string()) else {
                continue;
            };
            let facts = fn_facts(file, nodes, f, &name, &lists, manifests);
            add_defs(&mut self.defs, name, vec![facts]);
        }
    }

    /// Merges the facts collected from other files.
    pub fn merge(&mut self, other: Self) {
        for (name, defs) in other.defs {
            add_defs(&mut self.defs, name, defs);
        }
        self.error_macros.extend(other.error_macros);
        self.error_value_macros.extend(other.error_value_macros);
    }

    /// Propagates effects through the call graph, after every file is merged.
    pub fn finish(&mut self) {
        self.add_owner_qualified_names();
        self.drained_fields = self
            .defs
            .values()
            .flatten()
            .filter_map(|d| Some((d.owner.as_ref()?, d.inputs.as_ref()?)))
            .flat_map(|(owner, inputs)| {
                inputs.drained.iter().filter_map(move |i| match i {
                    Input::Field(f) => Some((owner.clone(), f.clone())),
                    Input::Param(_) => None,
                })
            })
            .collect();
        // Round 0 holds each name's direct facts; each later round lets an effect climb one
        // more call. The loop ends at a fixpoint or after MAX_DEPTH rounds (a cycle of
        // changing choices cannot outlive it).
        let mut summaries: BTreeMap<String, FnSummary> = BTreeMap::new();
        for (name, defs) in &self.defs {
            if let Some(s) = summarize(name, defs, &summaries, false) {
                summaries.insert(name.clone(), s);
            }
        }
        // A name is summarised again when one of its callees changed in the round before
        // (round 1: every name that calls anything), so a caller ends with the weightiest
        // effect among its callees, not the first one found.
        let callers: Vec<&String> = self
            .defs
            .iter()
            .filter(|(_, defs)| defs.iter().any(|d| !d.callees.is_empty()))
            .map(|(name, _)| name)
            .collect();
        let mut changed_last: Option<std::collections::BTreeSet<String>> = None;
        for _ in 0..MAX_DEPTH {
            let mut changed: Vec<(String, FnSummary)> = Vec::new();
            for name in &callers {
                let defs = &self.defs[*name];
                if let Some(last) = &changed_last {
                    if !defs
                        .iter()
                        .any(|d| d.callees.iter().any(|c| last.contains(c)))
                    {
                        continue;
                    }
                }
                let Some(s) = summarize(name, defs, &summaries, true) else {
                    continue;
                };
                if summaries.get(*name) != Some(&s) {
                    changed.push(((*name).clone(), s));
                }
            }
            if changed.is_empty() {
                break;
            }
            changed_last = Some(changed.iter().map(|(n, _)| n.clone()).collect());
            for (name, s) in changed {
                summaries.insert(name, s);
            }
        }
        self.summaries = summaries;
        let callers = self.callers_by_callee();
        let fates = self.error_fates(&callers);
        let reruns = self.reruns(&callers);
        let periodic_work = self.periodic_work(&callers);
        drop(callers);
        for (name, (site, directly)) in fates {
            if let Some(summary) = self.summaries.get_mut(&name) {
                summary.dropped_at = Some(Box::new(site));
                summary.dropped_directly = directly;
            }
        }
        self.reruns = reruns;
        self.periodic_work = periodic_work;
    }

    /// Callee name → (caller name, handling) of every call site of the workspace, a recursive
    /// call left out: the call graph that error fates, reruns and periodic work are read from.
    fn callers_by_callee(&self) -> BTreeMap<&str, Vec<(&str, &Handling)>> {
        let mut callers_of: BTreeMap<&str, Vec<(&str, &Handling)>> = BTreeMap::new();
        for (caller, defs) in &self.defs {
            for d in defs {
                let sites = d.call_sites.iter().map(|(callee, h)| (callee, h));
                let others = d.calls_otherwise.iter().map(|c| (c, &Handling::Other));
                for (callee, handling) in sites.chain(others) {
                    if callee != caller {
                        callers_of
                            .entry(callee.as_str())
                            .or_default()
                            .push((caller.as_str(), handling));
                    }
                }
            }
        }
        callers_of
    }

    /// Whether `name` has exactly one definition: only such names are followed up the call
    /// graph (`run` or `new` called from a consumer is more likely another type's function of
    /// that name than this one).
    fn single_definition(&self, name: &str) -> bool {
        self.defs.get(name).is_some_and(|d| d.len() == 1)
    }

    /// Works out [`EffectModel::rerun_by`]: from each name, up the calls that pass its error on
    /// (at most [`MAX_DEPTH`] calls up), the first caller that runs the failed call again.
    fn reruns(
        &self,
        callers_of: &BTreeMap<&str, Vec<(&str, &Handling)>>,
    ) -> BTreeMap<String, String> {
        let single = |name: &str| self.single_definition(name);
        let mut reruns = BTreeMap::new();
        for name in self.defs.keys().filter(|n| single(n)) {
            let mut frontier = vec![name.as_str()];
            let mut seen = std::collections::BTreeSet::from([name.as_str()]);
            'depth: for _ in 0..MAX_DEPTH {
                let mut next = Vec::new();
                for callee in frontier {
                    for (caller, handling) in callers_of.get(callee).into_iter().flatten() {
                        match handling {
                            Handling::RunAgain if single(caller) => {
                                reruns.insert(name.clone(), caller.to_string());
                                break 'depth;
                            }
                            Handling::PassedOn if single(caller) && seen.insert(caller) => {
                                next.push(*caller)
                            }
                            _ => {}
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
        }
        reruns
    }

    /// Works out [`EffectModel::in_periodic_work`]: periodic functions, and what they call, two
    /// calls deep.
    fn periodic_work(
        &self,
        callers_of: &BTreeMap<&str, Vec<(&str, &Handling)>>,
    ) -> std::collections::BTreeSet<String> {
        let single = |name: &str| self.single_definition(name);
        let mut callees_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (callee, callers) in callers_of {
            for (caller, _) in callers {
                callees_of.entry(caller).or_default().push(callee);
            }
        }
        let mut periodic_work = std::collections::BTreeSet::new();
        for (name, defs) in &self.defs {
            if !(defs.len() == 1 && defs[0].periodic) {
                continue;
            }
            periodic_work.insert(name.clone());
            for callee in callees_of.get(name.as_str()).into_iter().flatten() {
                if !single(callee) {
                    continue;
                }
                periodic_work.insert(callee.to_string());
                for deeper in callees_of.get(callee).into_iter().flatten() {
                    if single(deeper) {
                        periodic_work.insert(deeper.to_string());
                    }
                }
            }
        }
        periodic_work
    }

    /// Whether `name` runs as part of periodic work: it runs periodically itself (an interval,
    /// a loop with a sleep), or a function that does calls it, up to two calls away. Only names
    /// with one definition are followed.
    pub fn in_periodic_work(&self, name: &str) -> bool {
        self.periodic_work.contains(name)
    }

    /// The workspace function that runs a failed call of `name` again: `name`'s error is passed
    /// on, through callers that pass it on too, to a call site that requeues it or retries it
    /// ([`Handling::RunAgain`]). `None` when no such caller is seen.
    pub fn rerun_by(&self, name: &str) -> Option<&str> {
        self.reruns.get(name).map(String::as_str)
    }

    /// Whether a method of type `owner` drains its field `field`: a loop takes items from
    /// `self.field` while it waits on other work between two takes.
    pub fn drains_field(&self, owner: &str, field: &str) -> bool {
        self.drained_fields
            .contains(&(owner.to_string(), field.to_string()))
    }

    /// Whether a call of `callee` (a name [`EffectModel::known_name`] gives) drains the value it
    /// is passed as argument `index` (`self` not counted): a definition drains that parameter,
    /// or stores it in a field that a method of the struct's type drains
    /// (`SessionChannel::new(.., rx, ..)` keeping `rx` as `self.ops`, `run` draining it).
    /// Every definition of the name must agree, as for the other answers of the model.
    /// A parameter passed on to another call is followed there, at most [`MAX_DEPTH`] calls
    /// deep (`listener_with_kill_signal(rx)` → `listener(rx)` → its loop).
    pub fn drains_argument(&self, callee: &str, index: usize) -> bool {
        self.drains_argument_within(callee, index, MAX_DEPTH, &mut Vec::new())
    }

    /// [`EffectModel::drains_argument`], `depth` more calls deep at most. `asked` holds each
    /// (callee, argument) pair asked in this question with its answer (`None` while it is being
    /// worked out: a cycle), so each is worked out once (a PR can make every function pass its
    /// receiver to the next one 128 times).
    fn drains_argument_within<'a>(
        &'a self,
        callee: &'a str,
        index: usize,
        depth: usize,
        asked: &mut Vec<((&'a str, usize), Option<bool>)>,
    ) -> bool {
        if let Some((_, answer)) = asked.iter().find(|(k, _)| *k == (callee, index)) {
            return answer.unwrap_or(false);
        }
        let slot = asked.len();
        asked.push(((callee, index), None));
        let answer = self
            .defs
            .get(callee)
            .filter(|defs| !defs.is_empty())
            .is_some_and(|defs| {
                defs.iter().all(|d| {
                    d.inputs.as_ref().is_some_and(|inputs| {
                        inputs.drained.contains(&Input::Param(index))
                            || inputs
                                .stored
                                .iter()
                                .any(|(i, ty, field)| *i == index && self.drains_field(ty, field))
                            || (depth > 0
                                && inputs.passed.iter().any(|(i, next, at)| {
                                    *i == index
                                        && self.drains_argument_within(next, *at, depth - 1, asked)
                                }))
                    })
                })
            });
        asked[slot].1 = Some(answer);
        answer
    }

    /// Adds each method under its owner-qualified name (`Client::post`) next to its bare name,
    /// and names a qualified callee by its bare name when its owner defines no such method (an
    /// inherited trait method, or an owner the syntax does not tell apart).
    fn add_owner_qualified_names(&mut self) {
        let mut qualified: BTreeMap<String, Vec<FnFacts>> = BTreeMap::new();
        for (name, defs) in &self.defs {
            for d in defs {
                if let Some(owner) = &d.owner {
                    let copy = FnFacts {
                        call_sites: Vec::new(),
                        calls_otherwise: Vec::new(),
                        ..d.clone()
                    };
                    add_defs(&mut qualified, format!("{owner}::{name}"), vec![copy]);
                }
            }
        }
        let known: std::collections::BTreeSet<String> = qualified.keys().cloned().collect();
        // A qualified name no type of the workspace defines falls back to the bare one.
        let bare_unless_known = |c: &mut String| {
            if c.contains("::") && !known.contains(c.as_str()) {
                *c = errors::last_segment(c).to_string();
            }
        };
        let resolve = |callees: &mut Vec<String>| {
            callees.retain_mut(|c| match c.strip_prefix(QUALIFIED_ONLY) {
                Some(q) if known.contains(q) => {
                    *c = q.to_string();
                    true
                }
                Some(_) => false,
                None => true,
            });
            for c in callees.iter_mut() {
                bare_unless_known(c);
            }
            let mut seen = std::collections::BTreeSet::new();
            callees.retain(|c| seen.insert(c.clone()));
        };
        for d in self
            .defs
            .values_mut()
            .chain(qualified.values_mut())
            .flatten()
        {
            resolve(&mut d.callees);
            if let Some(w) = d.effect_wrapper.as_mut() {
                bare_unless_known(w);
            }
        }
        self.defs.extend(qualified);
    }

    /// Works out [`FnSummary::dropped_at`]: a name's error ends in a log line when it is called
    /// somewhere and every call logs and drops it, or passes it to a caller whose error ends so.
    /// Rounds only add names, up to [`MAX_DEPTH`] calls up. For each such name: the first such
    /// log line, and whether every call of it logs and drops it itself.
    fn error_fates(
        &self,
        sites: &BTreeMap<&str, Vec<(&str, &Handling)>>,
    ) -> BTreeMap<String, (DropSite, bool)> {
        let mut fates: BTreeMap<String, DropSite> = BTreeMap::new();
        let directly: Vec<String> = sites
            .iter()
            .filter(|(_, calls)| calls.iter().all(|(_, h)| matches!(h, Handling::Dropped(_))))
            .map(|(callee, _)| callee.to_string())
            .collect();
        for _ in 0..=MAX_DEPTH {
            let mut grew = false;
            for (callee, calls) in sites {
                if fates.contains_key(*callee) {
                    continue;
                }
                let mut first: Option<DropSite> = None;
                let all_dropped = calls.iter().all(|(caller, handling)| {
                    let site = match handling {
                        Handling::Dropped(site) => Some(site.clone()),
                        Handling::PassedOn => fates.get(*caller).cloned(),
                        Handling::RunAgain | Handling::Other => None,
                    };
                    match site {
                        Some(site) => {
                            if first.as_ref().is_none_or(|f| site < *f) {
                                first = Some(site);
                            }
                            true
                        }
                        None => false,
                    }
                });
                if let (true, Some(site)) = (all_dropped, first) {
                    fates.insert(callee.to_string(), site);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        fates
            .into_iter()
            .map(|(name, site)| {
                let direct = directly.contains(&name);
                (name, (site, direct))
            })
            .collect()
    }

    /// What a call of `name` does, when the name is a workspace function whose definitions
    /// agree.
    pub fn summary(&self, name: &str) -> Option<&FnSummary> {
        self.summaries.get(name)
    }

    /// The name the model knows a callee by: `qualified` (`Client::send`, for `self.send(..)`
    /// in `impl Client`; see [`syntax::own_method_name`]) when the model has it, so that type's
    /// method answers rather than every type's `send`; else the bare `name`.
    pub fn known_name<'n>(&self, qualified: &'n str, name: &'n str) -> &'n str {
        if !qualified.is_empty() && self.summaries.contains_key(qualified) {
            qualified
        } else {
            name
        }
    }

    /// Whether a method call (`x.name(..)`, `x` not `self`) can call the workspace's `name`:
    /// some definition of it takes `self`. An associated function of the same name
    /// (`Experiment::next(db)`) cannot be what `rows.next()` calls.
    pub fn method_call_can_reach(&self, name: &str) -> bool {
        self.summary(name).is_none_or(|s| s.takes_self)
    }

    /// The consume method every workspace definition of `name` answers with, when each
    /// answers with an acknowledgement of the work item (see [`FnFacts::answers_ack`]).
    pub fn answers_ack(&self, name: &str) -> Option<&str> {
        let defs = self.defs.get(name)?;
        if defs.iter().all(|d| d.answers_ack.is_some()) {
            defs.first()?.answers_ack.as_deref()
        } else {
            None
        }
    }

    /// Whether `name` is a workspace macro that returns an `Err` from its caller.
    pub fn is_error_macro(&self, name: &str) -> bool {
        self.error_macros.contains(name)
    }

    /// Whether `name` is a workspace macro that expands to an `Err(..)` value.
    pub fn is_error_value_macro(&self, name: &str) -> bool {
        self.error_value_macros.contains(name)
    }

    /// Whether a call of `callee` from `caller_file` goes into a client: a module of the
    /// workspace whose function makes the effect itself or through other functions of that
    /// same module (`self.github.post_comment(..)` into `github.rs`, where `post_comment` calls
    /// `self.graphql(..)`). A trait method implemented by several clients, one file each
    /// (`self.ci.query_build(..)` into `actions.rs` and `azure.rs`), is one too. That call is
    /// where the work talks to the dependency; the steps inside the client are shared by all
    /// its callers.
    pub fn is_client_call(&self, callee: &str, caller_file: &str) -> bool {
        let Some(s) = self.summary(callee).filter(|s| s.effect.is_some()) else {
            return false;
        };
        let files = self.def_files(callee);
        if files.is_empty() || files.contains(caller_file) {
            return false;
        }
        s.via.iter().all(|v| {
            let within = self.def_files(v);
            !within.is_empty() && within.is_subset(&files)
        })
    }

    /// The files that define `name` (test code left out).
    fn def_files(&self, name: &str) -> std::collections::BTreeSet<&str> {
        self.defs
            .get(name)
            .into_iter()
            .flatten()
            .map(|d| d.path.as_str())
            .collect()
    }

    /// The file where a call of `name` reaches its effect: the file of the last function on
    /// the way down ([`FnSummary::via`]) whose definitions are all in one file.
    pub fn effect_file(&self, name: &str) -> Option<&str> {
        let s = self.summary(name)?;
        s.via
            .iter()
            .rev()
            .filter_map(|v| self.summary(v).and_then(|v| v.file.as_deref()))
            .chain(s.file.as_deref())
            .next()
    }

    /// What the model knows of calls of `name`, in one line for `failmode check --explain`:
    /// the effect and the path to it, and the facts the checks ask about.
    pub fn describe(&self, name: &str) -> String {
        let defined = self.defs.get(name).map_or(0, Vec::len);
        let Some(s) = self.summary(name) else {
            return match defined {
                0 => "not defined in the workspace outside tests: read by its name and \
                      receiver only (the vocabulary)"
                    .to_string(),
                n => format!(
                    "defined {n} times in the workspace, and the definitions disagree: \
                     not resolved"
                ),
            };
        };
        let mut facts = Vec::new();
        match &s.effect {
            Some(e) => {
                let service = s.service.as_deref().unwrap_or(e.kind.label());
                let mut effect = format!("{:?} on {service}", e.action).to_lowercase();
                if !s.via.is_empty() {
                    effect.push_str(&format!(" through {}", s.via.join(" → ")));
                }
                facts.push(effect);
            }
            None => facts.push("no effect found".to_string()),
        }
        facts.push(if s.returns_result {
            "returns its error".to_string()
        } else {
            "returns no Result".to_string()
        });
        if s.records_error {
            facts.push("records (logs) its own errors".to_string());
        }
        if s.retried {
            facts.push("retries inside".to_string());
        }
        if s.spawns_arg {
            facts.push("spawns its argument".to_string());
        }
        if s.periodic || self.in_periodic_work(name) {
            facts.push("runs as periodic work".to_string());
        }
        if let Some(d) = &s.dropped_at {
            facts.push(format!(
                "its error is logged and dropped by {} ({}:{})",
                d.function, d.path, d.line
            ));
        }
        if let Some(by) = self.rerun_by(name) {
            facts.push(format!("rerun by {by} when it fails"));
        }
        if defined > 1 {
            facts.push(format!("{defined} definitions"));
        }
        facts.join("; ")
    }

    /// Whether `name` is defined in the workspace (outside tests) at all.
    pub fn is_defined(&self, name: &str) -> bool {
        self.defs.contains_key(name)
    }
}

/// The summary of `name` from its definitions and the previous round's summaries (`None` when
/// the definitions disagree on returning a `Result`).
fn summarize(
    name: &str,
    defs: &[FnFacts],
    previous: &BTreeMap<String, FnSummary>,
    follow_calls: bool,
) -> Option<FnSummary> {
    let first = defs.first()?;
    if defs
        .iter()
        .any(|d| d.returns_result != first.returns_result)
    {
        return None;
    }
    // Each definition's effect: its own, else the first callee's whose error it passes on.
    type Reached = (Effect, Option<String>, Vec<String>, bool);
    let mut effects: Vec<Option<Reached>> = Vec::with_capacity(defs.len());
    for d in defs {
        // An effect inside a closure handed to a retry helper is retried
        // (`self.execute(|c| async move { c.mutate_row(req).await })`).
        let wrapped_in_retry = d
            .effect_wrapper
            .as_ref()
            .is_some_and(|w| previous.get(w).is_some_and(|s| s.retries_arg));
        let own = d.direct.clone().map(|e| {
            (
                e,
                d.service.clone(),
                Vec::new(),
                d.retries_inside || wrapped_in_retry,
            )
        });
        let through = || {
            follow_calls
                .then(|| {
                    // The callee whose effect weighs most: a write over a read (a failed
                    // report loses the comment it posts, not the PR it reads first).
                    d.callees
                        .iter()
                        .filter(|c| c.as_str() != name)
                        .filter_map(|c| {
                            let s = previous.get(c)?;
                            let e = s.effect.clone()?;
                            let mut via = vec![c.clone()];
                            via.extend(s.via.iter().cloned());
                            Some((e, s.service.clone(), via, s.retried || d.retries_inside))
                        })
                        .enumerate()
                        .max_by_key(|(at, (e, ..))| (e.action != Action::Read, usize::MAX - at))
                        .map(|(_, reached)| reached)
                })
                .flatten()
        };
        // A callee whose effect the vocabulary names the service of is better evidence than a
        // guess from this body's own call names (`delete(..)` on an unknown receiver).
        let reached = match own {
            Some(own) if own.1.is_none() => match through() {
                Some(t) if t.1.is_some() => Some(t),
                _ => Some(own),
            },
            Some(own) => Some(own),
            None => through(),
        };
        effects.push(reached);
    }
    // Definitions that disagree on having an effect: nothing is concluded about the effect.
    // A definition that only hands the call on to a namesake (`Issue::add_label` calling
    // `client.add_label(..)`, a wrapper and its client) has no effect of its own to disagree
    // with: the call ends in the other definitions either way.
    let mut deciding = defs
        .iter()
        .zip(effects)
        .filter(|(d, e)| e.is_some() || !delegates_to_namesake(name, d))
        .map(|(_, e)| e);
    let effect = match deciding.next() {
        Some(first) if deciding.all(|e| e.is_some()) => first,
        _ => None,
    };
    let (effect, service, via, retried) = match effect {
        Some((e, s, v, r)) => (Some(e), s, v, r),
        None => (None, None, Vec::new(), false),
    };
    Some(FnSummary {
        file: defs
            .iter()
            .all(|d| d.path == first.path)
            .then(|| first.path.clone()),
        returns_result: first.returns_result,
        takes_self: defs.iter().any(|d| d.takes_self),
        records_error: defs.iter().any(|d| d.records_error),
        effect,
        service,
        via,
        retried,
        spawns_arg: defs.iter().all(|d| d.spawns_arg),
        retries_arg: defs.iter().all(|d| d.retries_arg),
        periodic: defs.iter().all(|d| d.periodic),
        dropped_at: None,
        dropped_directly: false,
    })
}

/// Whether every rule of the `macro_rules!` definition `m` expands to an `Err(..)` value: its
/// body, inside its delimiters, starts with `Err(` (or a path to it).
fn expands_to_err_value(file: &ParsedFile, m: Node<'_>) -> bool {
    let mut cursor = m.walk();
    let mut rules = 0;
    for rule in m
        .named_children(&mut cursor)
        .filter(|c| c.kind_name() == "macro_rule")
    {
        rules += 1;
        let Some(body) = rule.field("right") else {
            return false;
        };
        let text = file.node_text(body);
        let inner = text
            .get(1..text.len().saturating_sub(1))
            .unwrap_or("")
            .trim_start();
        let inner = inner
            .strip_prefix("::std::result::Result::")
            .or_else(|| inner.strip_prefix("std::result::Result::"))
            .or_else(|| inner.strip_prefix("Result::"))
            .unwrap_or(inner);
        if !(inner.starts_with("Err(") || inner.starts_with("Err (")) {
            return false;
        }
    }
    rules > 0
}

/// Whether definition `d` of `name` does nothing effectful itself and passes on the error of a
/// call of the same name: a wrapper's method delegating to its client's.
fn delegates_to_namesake(name: &str, d: &FnFacts) -> bool {
    d.direct.is_none()
        && d.callees
            .iter()
            .any(|c| errors::last_segment(c) == errors::last_segment(name))
}

/// The names the model may know a call's callee by, as the checks read them off the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalleeName {
    /// `Client::send` for `self.send(..)` in `impl Client` ([`syntax::own_method_name`]), or
    /// `Message::send` for `Message::new().send(..)`; empty when the call has no such name.
    pub qualified: String,
    /// The bare name (`send`); empty when only the qualified name may be asked.
    pub name: String,
    /// A method call on a value other than `self` (`rows.next()`): only a definition that
    /// takes `self` can be its callee ([`EffectModel::method_call_can_reach`]).
    pub method_call: bool,
}

impl CalleeName {
    /// The name `model` knows the callee by (the qualified one when it has it), or `None` when
    /// no workspace definition can be the callee.
    pub fn in_model<'n>(&'n self, model: &EffectModel) -> Option<&'n str> {
        let name = model.known_name(&self.qualified, &self.name);
        (!name.is_empty() && (!self.method_call || model.method_call_can_reach(name)))
            .then_some(name)
    }
}

/// Adds `defs` to the definitions of `name`. Most names have one definition: a new name keeps
/// the vector it comes with (exactly sized), where a push onto an empty one would reserve room
/// for four `FnFacts` (some 800 bytes a name, a tenth of the model's memory on a large tree).
fn add_defs(all: &mut BTreeMap<String, Vec<FnFacts>>, name: String, mut defs: Vec<FnFacts>) {
    match all.entry(name) {
        std::collections::btree_map::Entry::Vacant(e) => {
            e.insert(defs);
        }
        std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().append(&mut defs),
    }
}

/// Whether a function or method `name` says it reads (`get_user`, `Client::fetch_build`,
/// `list_jobs`): its last segment starts with one of the vocabulary's `read_prefixes`. To its
/// caller such a fn is a read whatever its body's weightiest call is: failing, it loses only
/// the answer. Every check asks this here.
pub fn named_as_read(read_prefixes: &[String], name: &str) -> bool {
    let name = errors::last_segment(name);
    read_prefixes.iter().any(|p| name.starts_with(p.as_str()))
}

/// The type of the `impl` block that defines `f` directly (not a function nested in a method):
/// `Client` for `impl Client`, `impl<T> Client<T>` and `impl Trait for Client`.
fn impl_owner(file: &ParsedFile, nodes: &NodeList<'_>, f: Node<'_>) -> Option<String> {
    let imp = syntax::enclosing_impl_or_trait(nodes, f).filter(|p| p.kind_name() == "impl_item")?;
    syntax::impl_type_name(file, imp).map(str::to_string)
}

/// The facts of one function definition.
fn fn_facts<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    f: Node<'t>,
    name: &str,
    lists: &Lists<'_>,
    manifests: &Manifests,
) -> FnFacts {
    let ret = f
        .field("return_type")
        .map(|r| file.node_text(r))
        .unwrap_or("");
    // A `JoinHandle<()>` carries no error to lose (`Option<JoinHandle<()>>` from a fn that
    // starts a thread); one of a generic output (`JoinHandle<F::Output>`) may carry one.
    // `Fallible<T>` (the `failure` crate) and the like: the vocabulary's `result_aliases`.
    let returns_result = ret.contains("Result")
        || (ret.contains("JoinHandle") && !ret.contains("JoinHandle<()>"))
        || errors::words(ret).iter().any(|w| {
            lists
                .get("result_aliases")
                .iter()
                .any(|a| a.eq_ignore_ascii_case(w))
        });
    let owner = impl_owner(file, nodes, f);
    let takes_self = f
        .field("parameters")
        .and_then(|p| p.named_child(0))
        .is_some_and(|p| p.kind_name() == "self_parameter");
    let attrs = nodes.attributes(file, f);
    let instrumented = attrs
        .iter()
        .any(|a| a.contains("instrument") && errors::words(a).iter().any(|w| w == "err"));
    let signature_texts = [
        f.field("parameters").map(|p| file.node_text(p)),
        f.field("type_parameters").map(|p| file.node_text(p)),
        nodes
            .of_kind_in("where_clause", f)
            .next()
            .map(|w| file.node_text(w)),
    ];
    let takes_work = signature_texts
        .iter()
        .flatten()
        .any(|t| t.contains("Future") || t.contains("FnOnce") || t.contains("Fn("));
    let Some(body) = f.field("body") else {
        return FnFacts {
            path: file.path.clone(),
            owner,
            returns_result,
            takes_self,
            records_error: instrumented,
            ..FnFacts::default()
        };
    };
    let calls = nodes.of_kinds_in(&["call_expression", "macro_invocation"], body);
    let logs_err = head(file.node_text(body)).contains("Err")
        && errors::records_in(
            file,
            calls.iter().map(|d| (d.kind_name(), *d)),
            lists.get("log_names"),
        );
    let records_error = instrumented || (takes_work && logs_err);
    // What the body's calls name, read in one pass: a timer (periodic work), a runtime spawn
    // (a task nobody may wait for: a call whose error such a task logs and drops is lost, as in
    // a work loop), a blocking spawn.
    let (mut ticks, mut spawns_tasks, mut spawns_blocking) = (false, false, false);
    for name in calls
        .iter()
        .filter(|c| c.kind_name() == "call_expression")
        .filter_map(|c| syntax::call_name(file, *c))
    {
        if lists.has("task_spawns", name) {
            spawns_tasks = true;
        } else if lists.has("blocking_spawns", name) {
            spawns_blocking = true;
        } else if lists.has("timer_calls", name) {
            ticks = true;
        }
    }
    let spawns_arg = takes_work && (spawns_tasks || spawns_blocking);
    let loops = nodes.of_kinds_in(
        &["loop_expression", "while_expression", "for_expression"],
        body,
    );
    let periodic = ticks
        || loops
            .iter()
            .filter(|l| l.kind_name() != "for_expression")
            .any(|l| loops::is_paced(file, *l, lists.get("wait_calls"), lists.get("timer_calls")));
    let work_pulls = lists.get("work_pull_markers");
    let work_loops: Vec<Node<'_>> = loops
        .iter()
        .filter(|l| {
            let text = head(file.node_text(**l));
            work_pulls.iter().any(|w| text.contains(w.as_str()))
        })
        .copied()
        .collect();
    let retries_arg = retry::is_retry_helper(file, nodes, f, name);
    let retries_inside = retries_arg || retry::body_has_retry_shape(file, nodes, body);
    // The body's own effect is only read for a function that returns its error.
    let passed_on: Vec<(Node<'_>, Effect)> = if returns_result && !records_error {
        nodes
            .of_kinds_in(&["call_expression", "await_expression"], body)
            .into_iter()
            .filter(|d| d.byte_range().len() <= MAX_CLASSIFIED_CALL_BYTES)
            .filter_map(|d| classify(file, d, lists, None).map(|e| (d, e)))
            // Each climb up the tree is a walk down from the root, so only the first
            // effects of a body are followed up (a PR's 100,000 nested calls are not).
            .take(MAX_FOLLOWED_EFFECTS)
            // Only an effect whose error reaches the caller: one the body handles itself
            // gives the caller nothing to retry or to swallow.
            .filter(|(d, _)| passes_error_on(file, nodes, *d, body))
            .collect()
    } else {
        Vec::new()
    };
    // An effect whose error is logged on its way out (`.map_err(|e| { error!(..); e })?`) is
    // recorded here, as under `#[instrument(err)]`: a caller that then drops the error has
    // lost nothing the logs do not show.
    let mut logged_effect = false;
    // The calls the direct effect is read from, for the retry helper they may run under.
    let mut effect_calls: Vec<Node<'_>> = Vec::new();
    let mut direct = passed_on
        .into_iter()
        .filter(|(d, _)| {
            let logged = logged_on_way_out(file, nodes, *d, lists);
            logged_effect |= logged;
            !logged
        })
        .inspect(|(d, _)| effect_calls.push(*d))
        .map(|(_, e)| e)
        .max_by_key(|e| (e.action != Action::Read, e.kind == EffectKind::Database));
    let mut service = None;
    if returns_result && !records_error {
        let passed_on = |d: Node<'_>| passes_error_on(file, nodes, d, body);
        let logged = |d: Node<'_>| logged_on_way_out(file, nodes, d, lists);
        // What the shared vocabulary calls best effort (a cache, metrics) is no effect on
        // either side of the model (`errors::classify` skips it too).
        let kept =
            |d: Node<'_>| passed_on(d) && !logged(d) && !errors::is_best_effort(file, d, lists);
        if let Some((e, s, at)) = retry::body_transient_effect(file, nodes, body, &kept) {
            if direct.is_none() {
                direct = Some(e);
                effect_calls.push(at);
            }
            service = Some(s);
        } else if !logged_effect && {
            // The second read only pays where an adapter could log.
            let text = file.node_text(body);
            text.contains("map_err") || text.contains("inspect_err") || text.contains("or_else")
        } {
            logged_effect =
                retry::body_transient_effect(file, nodes, body, &|d| passed_on(d) && logged(d))
                    .is_some();
        }
    }
    let mut callees = Vec::new();
    let mut call_sites = Vec::new();
    let mut calls_otherwise = Vec::new();
    for c in calls
        .iter()
        .filter(|c| c.kind_name() == "call_expression")
        .take(MAX_CALLEES)
    {
        // `self.post(..)` is the owner's `post`; `comment.post(..)` after `let comment =
        // Comment::new(..)` (or with `comment: &Comment`) is `Comment::post`. A qualified
        // name no type defines falls back to the bare one in `add_owner_qualified_names`.
        let typed = || typed_callee(file, nodes, *c, f, owner.as_deref());
        // `rusqlite::Connection::open(..)` is that crate's `open`, never the workspace's.
        let external = c.field("function").is_some_and(|function| {
            function.kind_name() == "scoped_identifier"
                && manifests.calls_external_crate(&file.path, file.node_text(function))
        });
        if external {
            continue;
        }
        let Some(callee) = errors::resolvable_callee(file, *c, lists) else {
            // A well-known client method (`post`, `send`) is not looked up by its bare name,
            // but on a value of a written type it is that type's method, if the workspace
            // defines one (see `QUALIFIED_ONLY`). Only a callee whose error is passed on
            // is recorded, so that is asked first.
            let on_a_name =
                syntax::call_receiver(*c).is_some_and(|r| r.kind_name() == "identifier");
            if on_a_name
                && returns_result
                && passes_error_on(file, nodes, *c, body)
                && !logged_on_way_out(file, nodes, *c, lists)
            {
                if let Some(q) = typed() {
                    let named = format!("{QUALIFIED_ONLY}{q}");
                    if !callees.contains(&named) {
                        callees.push(named);
                    }
                }
            }
            continue;
        };
        let callee = callee.to_string();
        let passes = passes_error_on(file, nodes, *c, body);
        let passed_on = returns_result && passes;
        let handling = if runs_again(file, nodes, *c, body, lists) {
            Handling::RunAgain
        } else if passes {
            if returns_result {
                Handling::PassedOn
            } else {
                Handling::Other
            }
        } else if !periodic
            && (in_work_loop(nodes, &work_loops, *c)
                || (spawns_tasks && in_spawned_task(file, nodes, *c, lists)))
            && logs_and_drops(file, nodes, *c, lists)
        {
            Handling::Dropped(DropSite {
                function: name.to_string(),
                path: file.path.clone(),
                line: c.start_position().row + 1,
            })
        } else {
            Handling::Other
        };
        // A call a retry runs again still hands its effect to this function when its error
        // comes out in the end (`retry(|| async { delete(..).await }).await`).
        if passed_on && !logged_on_way_out(file, nodes, *c, lists) {
            let named = typed().unwrap_or_else(|| callee.clone());
            if !callees.contains(&named) {
                callees.push(named);
            }
        }
        if handling != Handling::Other {
            call_sites.push((callee, handling));
        } else if callee != name {
            calls_otherwise.push(callee);
        }
    }
    // Every effect the body hands on is logged on its way out: it records its own errors.
    // (`Ok(..)` and `AppError::Internal(..)` are constructors, not functions that do anything.)
    let calls_no_fn = callees
        .iter()
        .all(|c| !c.contains("::") && c.starts_with(|ch: char| ch.is_ascii_uppercase()));
    let records_error = records_error || (logged_effect && direct.is_none() && calls_no_fn);
    let inputs = input_flow(file, nodes, f, owner.as_deref(), &calls, &loops, lists);
    let effect_wrapper = if direct.is_some() && !effect_calls.is_empty() {
        let wrappers: Vec<Option<String>> = effect_calls
            .iter()
            .map(|d| closure_argument_of(file, nodes, *d, body, owner.as_deref(), lists))
            .collect();
        wrappers[0]
            .clone()
            .filter(|w| wrappers.iter().all(|o| o.as_deref() == Some(w.as_str())))
    } else {
        None
    };
    FnFacts {
        path: file.path.clone(),
        owner,
        returns_result,
        takes_self,
        records_error,
        direct,
        service,
        retries_inside,
        retries_arg,
        effect_wrapper,
        spawns_arg,
        periodic,
        answers_ack: answers_ack(file, body, lists),
        callees,
        call_sites,
        calls_otherwise: {
            calls_otherwise.sort_unstable();
            calls_otherwise.dedup();
            calls_otherwise.shrink_to_fit();
            calls_otherwise
        },
        inputs,
    }
}

/// Longest body [`answers_ack`] reads: a helper that only builds the queue's answer is short.
const MAX_ACK_HELPER_BYTES: usize = 400;

/// The consume method a short function body's value names (`vec![worker::Action::Ack]`),
/// see [`FnFacts::answers_ack`].
fn answers_ack(file: &ParsedFile, body: Node<'_>, lists: &Lists<'_>) -> Option<String> {
    if body.byte_range().len() > MAX_ACK_HELPER_BYTES {
        return None;
    }
    let tail = body
        .named_child(body.named_child_count().saturating_sub(1))
        .filter(|t| {
            let kind = t.kind_name();
            !kind.ends_with("_statement") && !kind.ends_with("comment") && kind != "let_declaration"
        })?;
    retry::names_consume_word(file, lists.get("consume_methods"), tail).map(str::to_string)
}

/// The vocabulary lists of [`channels`], from the effect model's lists.
pub(crate) fn drain_words<'a>(lists: &Lists<'a>) -> channels::DrainWords<'a> {
    channels::DrainWords {
        receive: lists.get("receive_methods"),
        try_receive: lists.get("try_receive_methods"),
        hand_off: lists.get("hand_off_methods"),
        forward: lists.get("forward_methods"),
        channel_handle: lists.get("channel_handle_words"),
        wait: lists.get("wait_calls"),
    }
}

/// The name the model may know the callee of `call` by, for what is passed to it: `Type::f`
/// for `Type::f(..)` (`Self::f` read as `owner`), else the bare name (`f(..)`, `x.f(..)`).
pub(crate) fn argument_callee_name(
    file: &ParsedFile,
    call: Node<'_>,
    owner: Option<&str>,
) -> Option<String> {
    let function = call.field("function")?;
    let qualifier = match function.kind_name() {
        "scoped_identifier" => Some(file.node_text(function.field("path")?)),
        _ => None,
    };
    callee_name(qualifier, syntax::call_name(file, call)?, owner)
}

/// The name the model may know a callee by, from how the call writes it: `Type::f` when a type
/// qualifies it (`Type::f`, `api::Type::f`; `Self::f` read as `owner`, `None` without one),
/// else the bare name (a module path, `mod::f`, or none).
pub(crate) fn callee_name(
    qualifier: Option<&str>,
    name: &str,
    owner: Option<&str>,
) -> Option<String> {
    let ty = match qualifier.map(errors::last_segment) {
        Some("Self") => owner?,
        Some(ty) => ty,
        None => "",
    };
    Some(if ty.starts_with(|c: char| c.is_ascii_uppercase()) {
        format!("{ty}::{name}")
    } else {
        name.to_string()
    })
}

/// The names of `f`'s parameters by position, `self` not counted (`None` for a pattern that is
/// not one name: `(a, b): (A, B)`), each with whether its declared type names a channel's
/// receiving end (a vocabulary `receiver_types` entry in it: `UnboundedReceiver<Event>`,
/// `&mut flume::Receiver<Job>`).
fn parameter_names(
    file: &ParsedFile,
    f: Node<'_>,
    receiver_types: &[String],
) -> Vec<Option<(String, bool)>> {
    let Some(params) = f.field("parameters") else {
        return Vec::new();
    };
    (0..params.named_child_count())
        .filter_map(|i| params.named_child(i))
        .filter(|p| p.kind_name() == "parameter")
        .map(|p| {
            let mut pattern = p.field("pattern")?;
            if pattern.kind_name() == "mut_pattern" {
                pattern = pattern.named_child(0)?;
            }
            let ty = p.field("type").map_or("", |t| file.node_text(t));
            let receiver = receiver_types.iter().any(|r| ty.contains(r.as_str()));
            (pattern.kind_name() == "identifier")
                .then(|| (file.node_text(pattern).to_string(), receiver))
        })
        .collect()
}

/// [`InputFlow`] of one function: its parameters and `self` fields drained by its loops (or
/// forwarded into a sink), and its parameters stored in struct fields.
///
/// `calls` and `loops` are the body's calls and macro invocations, and its loops, as
/// [`fn_facts`] listed them.
fn input_flow<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    f: Node<'t>,
    owner: Option<&str>,
    calls: &[Node<'t>],
    loops: &[Node<'t>],
    lists: &Lists<'_>,
) -> Option<Box<InputFlow>> {
    let body = f.field("body")?;
    let words = drain_words(lists);
    let params = parameter_names(file, f, lists.get("receiver_types"));
    let param_index = |name: &str| {
        params
            .iter()
            .position(|p| p.as_ref().is_some_and(|(n, _)| n == name))
    };
    // Where a receiver parameter goes is kept (most functions pass parameters on; only a
    // receiver's path matters to a question about channels).
    let receiver_index = |name: &str| {
        params
            .iter()
            .position(|p| p.as_ref().is_some_and(|(n, r)| *r && n == name))
    };
    let mut flow = InputFlow::default();
    let needles: Vec<String> = words.receive.iter().map(|m| format!(".{m}(")).collect();
    let taking = loops
        .iter()
        .filter(|lp| {
            let text = file.node_text(**lp);
            needles.iter().any(|n| text.contains(n.as_str()))
        })
        .take(MAX_DRAIN_LOOPS);
    for lp in taking {
        for source in channels::drained_by_loop(file, *lp, words) {
            let input = match source {
                channels::Source::Name(n) => param_index(&n).map(Input::Param),
                channels::Source::Field(field) => Some(Input::Field(field)),
            };
            if let Some(input) = input.filter(|i| !flow.drained.contains(i)) {
                flow.drained.push(input);
            }
        }
    }
    if params.iter().flatten().any(|(_, receiver)| *receiver) {
        let call_expressions = calls.iter().filter(|c| c.kind_name() == "call_expression");
        for (n, c) in call_expressions.enumerate() {
            // Drained into a sink: `rx.map(Ok).forward(sink)`.
            let forwards =
                syntax::call_name(file, *c).is_some_and(|n| words.forward.iter().any(|w| w == n));
            let root = forwards
                .then(|| syntax::call_receiver(*c).and_then(channels::chain_root))
                .flatten();
            if let Some(i) = root.and_then(|r| receiver_index(file.node_text(r))) {
                if !flow.drained.contains(&Input::Param(i)) {
                    flow.drained.push(Input::Param(i));
                }
            }
            // Passed on to another call.
            if n >= MAX_CALLEES {
                continue;
            }
            let Some(args) = c.field("arguments") else {
                continue;
            };
            let passed: Vec<(usize, usize)> = (0..args.named_child_count())
                .filter_map(|i| args.named_child(i))
                .filter(|a| !a.kind_name().ends_with("comment"))
                .enumerate()
                .filter_map(|(at, a)| {
                    let a = syntax::unwrap_expression(a);
                    (a.kind_name() == "identifier")
                        .then(|| receiver_index(file.node_text(a)))
                        .flatten()
                        .map(|i| (i, at))
                })
                .collect();
            if passed.is_empty() {
                continue;
            }
            let Some(callee) = argument_callee_name(file, *c, owner) else {
                continue;
            };
            for (i, at) in passed {
                let entry = (i, callee.clone(), at);
                if !flow.passed.contains(&entry) {
                    flow.passed.push(entry);
                }
            }
        }
        for st in nodes.of_kind_in("struct_expression", body) {
            let (Some(ty), Some(fields)) = (
                syntax::struct_expression_type(file, st, owner),
                st.field("body"),
            ) else {
                continue;
            };
            for init in (0..fields.named_child_count()).filter_map(|i| fields.named_child(i)) {
                let Some((field, value)) = syntax::field_initializer_parts(init) else {
                    continue;
                };
                let value = syntax::unwrap_expression(value);
                if value.kind_name() != "identifier" {
                    continue;
                }
                if let Some(i) = receiver_index(file.node_text(value)) {
                    flow.stored
                        .push((i, ty.to_string(), file.node_text(field).to_string()));
                }
            }
        }
    }
    (flow != InputFlow::default()).then(|| Box::new(flow))
}

/// How many enclosing nodes [`runs_again`] climbs from a call.
const MAX_RUN_AGAIN_CLIMB: usize = 24;

/// Whether a failed `call` runs again where it is made (see [`Handling::RunAgain`]): the
/// `match` or `if` that reads its result names a `requeue_words` entry in its `Err` branch, or a
/// retry loop or a `retry_wrappers` closure holds it.
fn runs_again<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    call: Node<'t>,
    body: Node<'t>,
    lists: &Lists<'_>,
) -> bool {
    let requeue = lists.get("requeue_words");
    let names_requeue = |n: Node<'_>| {
        let t = file.node_text(n);
        requeue.iter().any(|w| t.contains(w.as_str()))
    };
    let wrappers = lists.get("retry_wrappers");
    let mut reader_seen = false;
    for a in nodes.ancestors(call).take(MAX_RUN_AGAIN_CLIMB) {
        if a.id() == body.id() {
            return false;
        }
        match a.kind_name() {
            "match_expression" if !reader_seen => {
                reader_seen = true;
                let reads_call = a.field("value").is_some_and(|v| {
                    v.start_byte() <= call.start_byte() && call.end_byte() <= v.end_byte()
                });
                if reads_call {
                    let mut cursor = a.walk();
                    let requeues = a.field("body").is_some_and(|b| {
                        b.named_children(&mut cursor)
                            .filter(|arm| arm.kind_name() == "match_arm")
                            .any(|arm| {
                                arm.field("pattern").is_some_and(|p| {
                                    file.node_text(p).trim_start().starts_with("Err")
                                }) && arm.field("value").is_some_and(names_requeue)
                            })
                    });
                    if requeues {
                        return true;
                    }
                }
            }
            "if_expression" if !reader_seen => {
                reader_seen = true;
                let cond = a.field("condition");
                let reads_call = cond.is_some_and(|c| {
                    c.start_byte() <= call.start_byte() && call.end_byte() <= c.end_byte()
                });
                if reads_call {
                    let cond_text = cond.map(|c| file.node_text(c)).unwrap_or("");
                    let err_branch = if cond_text.contains("Err(") || cond_text.contains("is_err()")
                    {
                        a.field("consequence")
                    } else if cond_text.contains("Ok(") || cond_text.contains("is_ok()") {
                        a.field("alternative")
                    } else {
                        None
                    };
                    if err_branch.is_some_and(names_requeue) {
                        return true;
                    }
                }
            }
            "loop_expression" | "while_expression" | "for_expression" => {
                let retried = crate::analysis::filters::loops::retried_operation_of(file, a);
                if retried.is_some_and(|op| {
                    op.start_byte() <= call.start_byte() && call.end_byte() <= op.end_byte()
                }) {
                    return true;
                }
            }
            "closure_expression" | "async_block" => {
                let wrapped = nodes
                    .ancestors(a)
                    .take(4)
                    .find(|p| p.kind_name() == "call_expression")
                    .is_some_and(|p| retry::calls_listed_wrapper(file, p, wrappers));
                return wrapped;
            }
            _ => {}
        }
    }
    false
}

/// How much of a loop's or branch's text the model reads: a worker loop pulls its next item at
/// the top, and an error branch that logs is short. Reading more would make a PR's 100,000
/// nested loops or branches quadratic (a finding may then be missed, never made up).
const MAX_SCANNED_BYTES: usize = 4 * 1024;

/// The first [`MAX_SCANNED_BYTES`] of `text`, cut at a character boundary.
fn head(text: &str) -> &str {
    let mut end = text.len().min(MAX_SCANNED_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether `call` sits in a loop of `body` that pulls work items (a worker or consumer loop),
/// not inside a closure or nested function of that loop.
fn in_work_loop(nodes: &NodeList<'_>, work_loops: &[Node<'_>], call: Node<'_>) -> bool {
    let inside =
        |l: &Node<'_>| l.start_byte() <= call.start_byte() && call.end_byte() <= l.end_byte();
    if !work_loops.iter().any(inside) {
        return false;
    }
    for p in nodes.ancestors(call).take(48) {
        if work_loops.iter().any(|l| l.id() == p.id()) {
            return true;
        }
        if matches!(p.kind_name(), "closure_expression" | "function_item") {
            return false;
        }
    }
    false
}

/// Whether `call` runs in a task nobody waits for: the nearest closure or async block around it
/// in its function is handed to a `task_spawns` call (vocabulary), and the handle is dropped (see
/// [`syntax::fire_and_forget_spawn_of`]). An error the task logs and drops is gone, as in a work
/// loop: the caller carried on when the task started. Workspace spawn wrappers are not known
/// while the model is collected, so only the runtime's own spawns count here.
fn in_spawned_task(
    file: &ParsedFile,
    nodes: &NodeList<'_>,
    call: Node<'_>,
    lists: &Lists<'_>,
) -> bool {
    for p in nodes.ancestors(call).take(48) {
        match p.kind_name() {
            "function_item" => return false,
            "closure_expression" | "async_block" => {
                return syntax::fire_and_forget_spawn_of(file, p, |name, _| {
                    lists.has("task_spawns", name)
                })
                .is_some();
            }
            _ => {}
        }
    }
    false
}

/// One step outwards along the path a call's error takes without being handled: through
/// `.await`, parentheses, and error adapters (`call.context("..")`). `None` when the node's
/// parent does something else with it.
fn error_path_step<'t>(file: &ParsedFile, nodes: &NodeList<'t>, cur: Node<'t>) -> Option<Node<'t>> {
    let p = nodes.parent(cur)?;
    match p.kind_name() {
        "await_expression" | "parenthesized_expression" => Some(p),
        "field_expression"
            if p.field("field")
                .is_some_and(|m| ERROR_ADAPTERS.contains(&file.node_text(m))) =>
        {
            nodes
                .parent(p)
                .filter(|o| o.kind_name() == "call_expression")
        }
        _ => None,
    }
}

/// Whether the error of `call` is logged and then dropped where it is made: the value of an
/// `if let Err(..)` whose body logs, or of a `match` whose `Err` arm logs, without passing an
/// error on (`return Err`, `?`, `bail!`) or leaving the loop it is in.
fn logs_and_drops<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    call: Node<'t>,
    lists: &Lists<'_>,
) -> bool {
    let mut top = call;
    for _ in 0..8 {
        match error_path_step(file, nodes, top) {
            Some(next) => top = next,
            None => break,
        }
    }
    let Some(p) = nodes.parent(top) else {
        return false;
    };
    let branch = match p.kind_name() {
        "let_condition" => {
            let pattern = p.field("pattern").map(|n| file.node_text(n)).unwrap_or("");
            if !pattern.starts_with("Err") {
                return false;
            }
            let Some(consequence) = nodes.parent(p).and_then(|i| i.field("consequence")) else {
                return false;
            };
            consequence
        }
        "match_expression" if p.field("value").is_some_and(|v| v.id() == top.id()) => {
            let Some(block) = p.field("body") else {
                return false;
            };
            let arm = (0..block.named_child_count())
                .filter_map(|i| block.named_child(i))
                .find(|a| {
                    a.kind_name() == "match_arm"
                        && a.field("pattern")
                            .is_some_and(|pat| file.node_text(pat).starts_with("Err"))
                });
            match arm.and_then(|a| a.field("value")) {
                Some(v) => v,
                None => return false,
            }
        }
        _ => return false,
    };
    if branch.byte_range().len() > MAX_SCANNED_BYTES {
        return false;
    }
    let text = file.node_text(branch);
    let passes_on = text.contains("return")
        || text.contains('?')
        || text.contains("Err(")
        || text.contains("bail!")
        || text.contains("break")
        || text.contains("panic!");
    !passes_on
        && errors::records_in(
            file,
            syntax::descendants(branch).map(|d| (d.kind_name(), d)),
            lists.get("log_names"),
        )
}

/// Whether the error of `call` is logged by an adapter on its way out of the statement:
/// `.map_err(|e| { error!(..); e })`, `.inspect_err(|e| warn!(..))`.
fn logged_on_way_out<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    call: Node<'t>,
    lists: &Lists<'_>,
) -> bool {
    let logs = |c: Node<'_>| {
        c.kind_name() == "call_expression"
            && matches!(
                syntax::call_name(file, c),
                Some("map_err" | "inspect_err" | "or_else")
            )
            && c.field("arguments")
                .is_some_and(|a| errors::contains_record(file, a, lists.get("log_names")))
    };
    // The effect may be read at the whole statement's value (`x.await.map_err(..)?`): the
    // adapters below it are looked at first, down the chain.
    let mut down = Some(call);
    for _ in 0..12 {
        let Some(d) = down else { break };
        if logs(d) {
            return true;
        }
        down = match d.kind_name() {
            "try_expression" | "await_expression" => d.named_child(0),
            "call_expression" => d
                .field("function")
                .filter(|f| f.kind_name() == "field_expression")
                .and_then(|f| f.field("value")),
            _ => None,
        };
    }
    // Or at the call below the adapter: `call.await.map_err(..)` is the call, its await, the
    // adapter's field and the adapter's call; a few adapters at most.
    let mut cur = call;
    for _ in 0..12 {
        if logs(cur) {
            return true;
        }
        match nodes.parent(cur) {
            Some(p)
                if matches!(
                    p.kind_name(),
                    "await_expression" | "field_expression" | "call_expression"
                ) =>
            {
                cur = p
            }
            _ => return false,
        }
    }
    false
}

/// Methods that only reshape a call's error on its way out (`.context("..")`, `.map_err(..)`).
const ERROR_ADAPTERS: &[&str] = &[
    "map_err",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "change_context",
    "attach_printable",
    "into",
];

/// The workspace fn that `call` is handed to inside a closure or async block argument
/// (`self.execute(|c| async move { c.mutate_row(req).await })` → `Owner::execute`), named as
/// [`FnFacts::callees`] names it; the innermost such call below `body`.
fn closure_argument_of<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    call: Node<'t>,
    body: Node<'t>,
    owner: Option<&str>,
    lists: &Lists<'_>,
) -> Option<String> {
    for a in nodes.ancestors(call).take_while(|a| a.id() != body.id()) {
        if !matches!(a.kind_name(), "closure_expression" | "async_block") {
            continue;
        }
        let Some(args) = nodes.parent(a).filter(|p| p.kind_name() == "arguments") else {
            continue;
        };
        let Some(outer) = nodes
            .parent(args)
            .filter(|p| p.kind_name() == "call_expression")
        else {
            continue;
        };
        let typed = nodes
            .parent(body)
            .and_then(|function| typed_callee(file, nodes, outer, function, owner));
        return typed.or_else(|| errors::resolvable_callee(file, outer, lists).map(str::to_string));
    }
    None
}

/// The name [`FnFacts::callees`] knows the callee of the method call `call` in `function` by
/// when its receiver's type is written: `Owner::method` for `self.method(..)`, `Type::method`
/// for `t.method(..)` after `let t: Type = ..` or `let t = Type::new(..)`, or with a parameter
/// `t: &Type`. `None` when no type is written.
fn typed_callee(
    file: &ParsedFile,
    nodes: &NodeList<'_>,
    call: Node<'_>,
    function: Node<'_>,
    owner: Option<&str>,
) -> Option<String> {
    let method = syntax::call_name(file, call)?;
    let ty = if syntax::calls_own_method(file, call) {
        owner?
    } else {
        syntax::local_receiver_type(file, call, function, nodes.ancestors(call))?
    };
    Some(format!("{ty}::{method}"))
}

/// Whether the error of `call` leaves the function `body` belongs to: the call (after
/// `.await` and error adapters) is under `?`, returned, or is the body's tail expression. A
/// call that is the output of a closure or async block handed to another call counts when that
/// call passes its error on (`retry(|| async { delete(..).await }).await?`).
fn passes_error_on<'t>(
    file: &ParsedFile,
    nodes: &NodeList<'t>,
    call: Node<'t>,
    body: Node<'t>,
) -> bool {
    let mut cur = call;
    let mut in_closure = false;
    // A real error path is a few steps long; a PR's 100,000 nested adapters are not followed.
    for _ in 0..16 {
        if let Some(next) = error_path_step(file, nodes, cur) {
            if next.kind_name() == "call_expression" {
                in_closure = false;
            }
            cur = next;
            continue;
        }
        let Some(p) = nodes.parent(cur) else {
            return false;
        };
        match p.kind_name() {
            // A method on a closure (`(|| ..).retry(..)`) runs it and passes its error on.
            "field_expression" if in_closure => {
                let Some(outer) = nodes
                    .parent(p)
                    .filter(|o| o.kind_name() == "call_expression")
                else {
                    return false;
                };
                in_closure = false;
                cur = outer;
            }
            "closure_expression" | "async_block" => {
                in_closure = true;
                cur = p;
            }
            "arguments" if in_closure => {
                let Some(outer) = nodes
                    .parent(p)
                    .filter(|o| o.kind_name() == "call_expression")
                else {
                    return false;
                };
                in_closure = false;
                cur = outer;
            }
            "try_expression" | "return_expression" => return !in_closure,
            // A block-like expression ending a block (`match .. {..}` with no `;`) is parsed as
            // a statement, but it is the block's value.
            "expression_statement" if !file.node_text(p).ends_with(';') => cur = p,
            // `match call { Ok(v) => .., Err(e) => return Err(e.into()) }`: the arm any error
            // reaches hands it on, by returning it or by making the match's value an `Err`.
            "match_expression" if p.field("value").is_some_and(|v| v.id() == cur.id()) => {
                match catch_all_err_arm(file, p).map(|arm| arm_passes_error(file, arm)) {
                    Some(ArmPasses::Returns) => return !in_closure,
                    Some(ArmPasses::AsValue) => cur = p,
                    _ => return false,
                }
            }
            "block" => {
                let is_tail = p
                    .named_child(p.named_child_count().saturating_sub(1))
                    .is_some_and(|last| last.id() == cur.id());
                if !is_tail {
                    return false;
                }
                if p.id() == body.id() {
                    return !in_closure;
                }
                // The tail of a closure's or async block's block, or of a branch: the branch's
                // value is the `if`'s (`if a { post(..) } else { Ok(()) }` as a tail).
                match nodes.parent(p) {
                    Some(pp) if matches!(pp.kind_name(), "closure_expression" | "async_block") => {
                        cur = p
                    }
                    Some(pp) if pp.kind_name() == "if_expression" => cur = pp,
                    Some(pp) if pp.kind_name() == "else_clause" => match nodes.parent(pp) {
                        Some(i) if i.kind_name() == "if_expression" => cur = i,
                        _ => return false,
                    },
                    Some(pp) if pp.kind_name() == "match_arm" => match match_of_arm(nodes, pp) {
                        Some(m) => cur = m,
                        None => return false,
                    },
                    _ => return false,
                }
            }
            // `else if ..`: the inner `if`'s value is the outer one's.
            "else_clause" => match nodes.parent(p) {
                Some(i) if i.kind_name() == "if_expression" => cur = i,
                _ => return false,
            },
            // A match arm's value is the match's.
            "match_arm" if p.field("value").is_some_and(|v| v.id() == cur.id()) => {
                match match_of_arm(nodes, p) {
                    Some(m) => cur = m,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// The `match` expression `arm` belongs to.
fn match_of_arm<'t>(nodes: &NodeList<'t>, arm: Node<'t>) -> Option<Node<'t>> {
    nodes
        .parent(arm)
        .and_then(|b| nodes.parent(b))
        .filter(|m| m.kind_name() == "match_expression")
}

/// How a `match` arm treats the error it binds.
enum ArmPasses {
    /// It returns an error from the function (`return Err(..)`, `bail!(..)`).
    Returns,
    /// Its value is an `Err(..)`: the error is the match's value.
    AsValue,
    /// Anything else.
    Not,
}

/// The arm of `m` that any error reaches: `Err(e)`, `Err(_)` or `_` with no guard.
fn catch_all_err_arm<'t>(file: &ParsedFile, m: Node<'t>) -> Option<Node<'t>> {
    crate::analysis::filters::loops::arms_of(m)
        .into_iter()
        .find(|a| {
            a.field("pattern")
                .is_some_and(|p| retry::is_catch_all_err(file.node_text(p)))
        })
}

/// Whether the match arm `arm` returns its error or makes it the match's value.
fn arm_passes_error(file: &ParsedFile, arm: Node<'_>) -> ArmPasses {
    let Some(value) = arm.field("value") else {
        return ArmPasses::Not;
    };
    let tail = if value.kind_name() == "block" {
        match value.named_child(value.named_child_count().saturating_sub(1)) {
            Some(t) => t,
            None => return ArmPasses::Not,
        }
    } else {
        value
    };
    let text = head(file.node_text(tail));
    let tail_text = text.trim_start_matches("return").trim_start();
    if text.starts_with("return") && tail_text.starts_with("Err(") {
        return ArmPasses::Returns;
    }
    let body_text = head(file.node_text(value));
    if body_text.contains("return Err(") || body_text.contains("bail!(") {
        return ArmPasses::Returns;
    }
    if tail.kind_name() == "call_expression" && text.starts_with("Err(") {
        return ArmPasses::AsValue;
    }
    ArmPasses::Not
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::source::parse_rust_snippet;

    fn model(files: &[(&str, &str)]) -> EffectModel {
        let mut model = EffectModel::default();
        for (path, src) in files {
            let f = parse_rust_snippet(path, src);
            let nodes = NodeList::new(
                f.tree.root_node(),
                crate::analysis::index::walk_plan(f.language),
            );
            f.test_ranges_or(|| nodes.test_ranges(&f));
            let mut part = EffectModel::default();
            part.collect(&f, &Manifests::default(), &nodes);
            model.merge(part);
        }
        model.finish();
        model
    }

    #[test]
    fn a_cache_refresh_inside_a_fetch_does_not_make_the_fetch_a_write() {
        // The cache row's update is best effort (`best_effort_words`) for both classifiers, so
        // the fetch reads the network; before, the retry side's database write outweighed it.
        let m = model(&[(
            "src/fetch.rs",
            r#"
async fn cached_get(store: &Store, url: &str) -> anyhow::Result<Option<Vec<u8>>> {
    store.sql.execute("UPDATE http_cache SET expires = ?1 WHERE url = ?2", (now(), url)).await?;
    Ok(None)
}
async fn download(url: &str) -> anyhow::Result<Vec<u8>> {
    let body = reqwest::get(url).await?.error_for_status()?.bytes().await?;
    Ok(body.to_vec())
}
async fn fetch_settings(store: &Store, url: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(body) = cached_get(store, url).await? {
        return Ok(body);
    }
    download(url).await
}
"#,
        )]);
        let described = m.describe("fetch_settings");
        assert!(described.starts_with("read on "), "{described}");
        assert!(described.contains("through download"), "{described}");
    }

    #[test]
    fn receivers_are_followed_to_the_loop_that_drains_them() {
        let m = model(&[
            (
                "src/pump.rs",
                r#"
pub struct Pump { events: UnboundedReceiver<Event>, db: PgPool }
impl Pump {
    pub fn new(events: UnboundedReceiver<Event>, db: PgPool) -> Self { Self { events, db } }
    async fn run(mut self) {
        loop {
            tokio::select! {
                Some(e) = self.events.recv() => { insert(&self.db, e).await; }
            }
        }
    }
}
async fn start(rx: UnboundedReceiver<Topic>) { listen(1, rx).await; }
async fn listen(n: u32, mut rx: UnboundedReceiver<Topic>) {
    while let Some(t) = rx.recv().await { redis.subscribe(&t).await; }
}
async fn relay(mut rx: UnboundedReceiver<Job>, tx: UnboundedSender<Job>) {
    while let Some(job) = rx.recv().await { tx.send(job).ok(); }
}
async fn until_stopped(mut stop: UnboundedReceiver<()>, mut conn: Conn) {
    loop {
        tokio::select! {
            _ = stop.recv() => break,
            f = conn.read() => { conn.write(f).await; }
        }
    }
}
"#,
            ),
            ("src/other.rs", "fn helper(x: u32) -> u32 { x }"),
        ]);
        assert!(
            m.drains_field("Pump", "events"),
            "select! arm awaits an insert"
        );
        assert!(
            m.drains_argument("Pump::new", 0),
            "stored in a drained field"
        );
        assert!(
            !m.drains_argument("Pump::new", 1),
            "the pool is not a queue"
        );
        assert!(m.drains_argument("listen", 1));
        assert!(m.drains_argument("start", 0), "passed on to listen");
        assert!(!m.drains_argument("relay", 0), "only hands items on");
        assert!(!m.drains_argument("until_stopped", 0), "a stop signal");
        assert!(!m.drains_argument("helper", 0));
    }

    #[test]
    fn a_receiver_passed_on_many_ways_is_followed_once_per_callee() {
        // Six levels of 40 functions, each passing its receiver to all 40 of the next level,
        // none of which drains it: asked path by path, the question would branch 40^6 ways (hours).
        let mut src = String::new();
        for level in 0..6 {
            for k in 0..40 {
                let calls: String = (0..40)
                    .map(|n| format!("g{}_{n}(rx); ", level + 1))
                    .collect();
                src.push_str(&format!(
                    "async fn g{level}_{k}(rx: UnboundedReceiver<Job>) {{ {calls} }}\n"
                ));
            }
        }
        for n in 0..40 {
            src.push_str(&format!(
                "async fn g6_{n}(mut rx: UnboundedReceiver<Job>) {{ while let Some(j) = rx.recv().await {{ tx.send(j).ok(); }} }}\n"
            ));
        }
        let m = model(&[("src/fanout.rs", &src)]);
        assert!(!m.drains_argument("g0_0", 0), "nothing down there waits");
    }

    #[test]
    fn a_caller_that_requeues_or_retries_runs_a_failed_call_again() {
        let m = model(&[(
            "src/worker.rs",
            r#"
async fn process(ev: &Event) -> Result<()> { deliver(ev).await?; Ok(()) }
async fn deliver(ev: &Event) -> Result<()> { http.post(&ev.url).send().await?; Ok(()) }
async fn consume(mut consumer: Consumer) {
    while let Some(Ok(delivery)) = consumer.next().await {
        match process(&delivery.event).await {
            Ok(()) => { let _ = delivery.ack().await; }
            Err(_) => { let _ = delivery.nack(BasicNackOptions::default()).await; }
        }
    }
}
async fn audit(ev: &Event) -> Result<()> { Ok(()) }
async fn report(ev: &Event) {
    if let Err(e) = audit(ev).await { warn!("{e}"); }
}
async fn sync_all(ev: &Event) -> Result<()> {
    retry(ExponentialBackoff::default(), || async { upload(ev).await }).await
}
async fn upload(ev: &Event) -> Result<()> { Ok(()) }
"#,
        )]);
        assert_eq!(m.rerun_by("process"), Some("consume"), "the Err arm nacks");
        assert_eq!(
            m.rerun_by("deliver"),
            Some("consume"),
            "passed on through process"
        );
        assert_eq!(m.rerun_by("audit"), None, "logged and dropped");
        assert_eq!(m.rerun_by("upload"), Some("sync_all"), "a retry wrapper");
    }

    #[test]
    fn reruns_and_periodic_work_follow_only_names_with_one_definition() {
        let m = model(&[
            (
                "src/a.rs",
                r#"
async fn run(ev: &Event) -> Result<()> { Ok(()) }
async fn consume(d: Delivery) {
    if run(&d.event).await.is_err() { let _ = d.nack().await; }
}
async fn tick() {
    loop { tokio::time::sleep(Duration::from_secs(5)).await; let _ = flush().await; }
}
async fn flush() -> Result<()> { push().await }
async fn push() -> Result<()> { Ok(()) }
"#,
            ),
            ("src/b.rs", "async fn run(x: u8) -> Result<()> { Ok(()) }"),
        ]);
        assert_eq!(m.rerun_by("run"), None, "two functions are called `run`");
        assert!(m.in_periodic_work("tick"));
        assert!(m.in_periodic_work("flush"));
        assert!(m.in_periodic_work("push"), "two calls away");
        assert!(!m.in_periodic_work("consume"));
    }

    #[test]
    fn a_short_helper_answering_an_ack_is_known_by_name() {
        let m = model(&[
            (
                "src/actions.rs",
                r#"
impl Actions {
    pub fn skip(&mut self, _job: &Job) -> Vec<Action> { vec![worker::Action::Ack] }
    pub fn retry_later(&mut self, _job: &Job) -> Vec<Action> { vec![worker::Action::NackRequeue] }
    pub fn ack_after_logging(&mut self) -> Vec<Action> { tracing::info!("acked"); vec![] }
}
"#,
            ),
            ("src/a.rs", "fn done() -> Vec<Action> { vec![Action::Ack] }"),
            (
                "src/b.rs",
                "fn done() -> Vec<Action> { vec![Action::Publish(x)] }",
            ),
        ]);
        assert_eq!(m.answers_ack("skip"), Some("ack"));
        assert_eq!(
            m.answers_ack("retry_later"),
            None,
            "a requeue is not an ack"
        );
        assert_eq!(
            m.answers_ack("ack_after_logging"),
            None,
            "only its value counts"
        );
        assert_eq!(m.answers_ack("done"), None, "the two `done`s disagree");
    }

    #[test]
    fn a_timer_or_scheduler_call_from_the_vocabulary_makes_a_function_periodic() {
        let m = model(&[(
            "src/jobs.rs",
            r#"
async fn reverify(db: &Pool) {
    let start = Instant::now() + PERIOD;
    let timer = tokio::time::interval_at(start, PERIOD);
    watch(timer, db).await;
}
fn schedule(pool: Pool) {
    let mut scheduler = Scheduler::new();
    scheduler.every(1.hour()).run(move || { let _ = purge(&pool); });
}
fn purge(pool: &Pool) -> Result<()> { Ok(()) }
fn once(pool: &Pool) { let _ = purge(pool); }
"#,
        )]);
        assert!(m.in_periodic_work("reverify"), "interval_at makes a timer");
        assert!(
            m.in_periodic_work("schedule"),
            "every(..) hands work to a scheduler"
        );
        assert!(m.in_periodic_work("purge"), "called from scheduled work");
        assert!(!m.in_periodic_work("once"));
    }

    const STORE: &str = r#"
pub async fn delete_object(client: &Client, key: &str) -> Result<(), Error> {
    client.delete_object().bucket("b").key(key).send().await?;
    Ok(())
}
"#;

    #[test]
    fn a_macro_whose_every_rule_is_an_err_value_is_an_error_value_macro() {
        let m = model(&[(
            "web/src/macros.rs",
            r#"
macro_rules! json_err {
    ($message:expr) => { Err(json!({ "error": $message })) };
    () => ( ::std::result::Result::Err(json!({})) );
}
macro_rules! log_err {
    ($e:expr) => { if let Err(e) = $e { warn!("{e}") } };
}
macro_rules! err_or_ok {
    (ok) => { Ok(()) };
    ($e:expr) => { Err($e) };
}
macro_rules! empty {}
"#,
        )]);
        assert!(m.is_error_value_macro("json_err"));
        assert!(!m.is_error_value_macro("log_err"));
        assert!(!m.is_error_value_macro("err_or_ok"));
        assert!(!m.is_error_value_macro("empty"));
    }

    #[test]
    fn an_effect_two_calls_away_in_another_crate_reaches_the_caller() {
        let m = model(&[
            ("storage/src/lib.rs", STORE),
            (
                "api/src/images.rs",
                r#"
pub async fn purge_image(c: &Client, id: &str) -> anyhow::Result<()> {
    let key = format!("img/{id}");
    delete_object(c, &key).await.context("delete")?;
    Ok(())
}
pub async fn purge_user(c: &Client, id: &str) -> anyhow::Result<()> {
    purge_image(c, id).await
}
"#,
            ),
        ]);
        let s = m.summary("purge_user").expect("purge_user is summarised");
        let e = s.effect.as_ref().expect("the delete reaches purge_user");
        assert_eq!(e.kind, EffectKind::ObjectStorage);
        assert_eq!(e.action, Action::Delete);
        assert_eq!(s.via, vec!["purge_image", "delete_object"]);
        assert!(!s.retried);
    }

    #[test]
    fn an_effect_whose_error_is_logged_on_its_way_out_is_recorded_by_its_function() {
        let m = model(&[(
            "src/jobs.rs",
            r#"
async fn ack_logged(db: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(db).await
        .map_err(|e| { tracing::error!("ack {id}: {e}"); AppError::Internal(e.into()) })?;
    Ok(())
}
async fn ack_inspected(db: &PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(db).await
        .inspect_err(|e| warn!("ack {id}: {e}"))?;
    Ok(())
}
async fn ack_mapped(db: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(db).await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}
async fn ack_then_notify(db: &PgPool, id: i64) -> Result<(), AppError> {
    ack_logged(db, id).await?;
    notify(id).await
}
fn start_scraper() -> Option<std::thread::JoinHandle<()>> { None }
fn start_job<F: Future<Output = Result<()>>>(f: F) -> JoinHandle<F::Output> { tokio::spawn(f) }
"#,
        )]);
        for logged in ["ack_logged", "ack_inspected"] {
            let s = m.summary(logged).unwrap();
            assert!(s.records_error, "{logged}: {s:?}");
            assert_eq!(s.effect, None, "{logged}");
        }
        // Mapped without a log line: the error is only reshaped.
        let mapped = m.summary("ack_mapped").unwrap();
        assert!(!mapped.records_error);
        assert!(mapped.effect.is_some());
        // A caller of a logging function still hands on its own other calls' errors.
        assert!(!m.summary("ack_then_notify").unwrap().records_error);
        assert!(!m.summary("start_scraper").unwrap().returns_result);
        assert!(m.summary("start_job").unwrap().returns_result);
    }

    #[test]
    fn a_task_spawn_is_not_the_retry_wrapper_that_shares_its_last_name() {
        let m = model(&[(
            "src/login.rs",
            r#"
async fn check_location(ip: &str) -> Result<()> { http.post(ip).send().await?; Ok(()) }
async fn notify(ip: &str) -> Result<()> { http.post(ip).send().await?; Ok(()) }
fn spawn_check(ip: String) {
    tokio::task::spawn(async move {
        if let Err(e) = check_location(&ip).await { error!("check failed: {e}"); }
    });
}
async fn notify_with_retries(ip: String) -> Result<()> {
    Retry::spawn(FixedInterval::from_millis(10).take(3), || notify(&ip)).await
}
async fn turbofish_notify(ip: String) -> Result<()> {
    tokio_retry::Retry::spawn::<_, _>(FixedInterval::from_millis(10).take(3), || notify_typed(&ip)).await
}
async fn notify_typed(ip: &str) -> Result<()> { http.post(ip).send().await?; Ok(()) }
"#,
        )]);
        assert_eq!(m.rerun_by("check_location"), None);
        assert_eq!(m.rerun_by("notify"), Some("notify_with_retries"));
        assert_eq!(m.rerun_by("notify_typed"), Some("turbofish_notify"));
    }

    #[test]
    fn a_match_whose_catch_all_err_arm_hands_the_error_on_passes_the_callees_effect() {
        let m = model(&[
            ("storage/src/lib.rs", STORE),
            (
                "api/src/images.rs",
                r#"
pub async fn purge_returned(c: &Client, id: &str) -> Result<(), String> {
    match delete_object(c, id).await {
        Ok(()) => {}
        Err(NotFound) => {}
        Err(e) => {
            warn!("purge failed: {e}");
            return Err(e.to_string());
        }
    }
    Ok(())
}
pub async fn purge_as_value(c: &Client, id: &str) -> Result<u32, String> {
    cleanup();
    match delete_object(c, id).await {
        Ok(()) => Ok(1),
        Err(e) => Err(e.to_string()),
    }
}
pub async fn purge_in_branch(c: &Client, id: &str, on: bool) -> anyhow::Result<()> {
    if !on {
        Ok(())
    } else if id.is_empty() {
        Ok(())
    } else {
        delete_object(c, id).await
    }
}
pub async fn purge_in_arm(c: &Client, id: &str, kind: u8) -> anyhow::Result<()> {
    match kind {
        0 => Ok(()),
        _ => {
            cleanup();
            delete_object(c, id).await
        }
    }
}
pub async fn purge_logged(c: &Client, id: &str) -> Result<(), String> {
    match delete_object(c, id).await {
        Ok(()) => {}
        Err(e) => warn!("purge failed: {e}"),
    }
    Ok(())
}
pub async fn purge_only_expected(c: &Client, id: &str) -> Result<(), String> {
    match delete_object(c, id).await {
        Err(NotFound) => return Err("gone".into()),
        _ => {}
    }
    Ok(())
}
"#,
            ),
        ]);
        for name in [
            "purge_returned",
            "purge_as_value",
            "purge_in_branch",
            "purge_in_arm",
        ] {
            let s = m.summary(name).expect("summarised");
            let e = s
                .effect
                .as_ref()
                .unwrap_or_else(|| panic!("{name} has the delete"));
            assert_eq!(e.kind, EffectKind::ObjectStorage, "{name}");
        }
        for name in ["purge_logged", "purge_only_expected"] {
            let s = m.summary(name).expect("summarised");
            assert_eq!(s.effect, None, "{name} keeps the error to itself");
        }
    }

    #[test]
    fn a_helper_that_swallows_its_callees_error_has_no_effect_for_callers() {
        let m = model(&[
            ("src/store.rs", STORE),
            (
                "src/a.rs",
                r#"
pub async fn tidy(c: &Client) -> Result<(), Error> {
    let _ = delete_object(c, "k").await;
    Ok(())
}
"#,
            ),
        ]);
        assert_eq!(m.summary("tidy").and_then(|s| s.effect.clone()), None);
    }

    #[test]
    fn recursion_ends_and_a_retrying_helper_marks_the_effect_retried() {
        let m = model(&[
            ("src/store.rs", STORE),
            (
                "src/a.rs",
                r#"
pub async fn ping(c: &Client, n: u32) -> Result<(), Error> {
    if n > 0 { return pong(c, n - 1).await; }
    Ok(())
}
pub async fn pong(c: &Client, n: u32) -> Result<(), Error> {
    ping(c, n).await
}
pub async fn delete_with_retry(c: &Client) -> Result<(), Error> {
    (|| async { delete_object(c, "k").await })
        .retry(ExponentialBuilder::default())
        .await
}
pub async fn cleanup(c: &Client) -> Result<(), Error> {
    delete_with_retry(c).await?;
    Ok(())
}
"#,
            ),
        ]);
        assert_eq!(m.summary("ping").and_then(|s| s.effect.clone()), None);
        let s = m.summary("cleanup").expect("cleanup is summarised");
        assert!(s.effect.is_some());
        assert!(s.retried, "the effect goes through a retry loop");
    }

    #[test]
    fn an_effect_in_a_closure_handed_to_a_retry_helper_is_retried() {
        let src = r#"
impl Table {
    async fn execute_rpc<F, Fut>(&self, call: F) -> Result<(), Error>
    where
        F: Fn(reqwest::Client) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        policy().retry_if(|| call(self.http.clone()), is_transient).await
    }
    async fn call_once<F, Fut>(&self, call: F) -> Result<(), Error>
    where
        F: Fn(reqwest::Client) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        call(self.http.clone()).await
    }
    pub async fn mutate_row(&self, req: Req) -> Result<(), Error> {
        self.execute_rpc(|http| async move {
            http.delete(format!("{TABLE_URL}/rows/{}", req.key)).send().await?;
            Ok(())
        })
        .await
    }
    pub async fn mutate_row_once(&self, req: Req) -> Result<(), Error> {
        self.call_once(|http| async move {
            http.delete(format!("{TABLE_URL}/rows/{}", req.key)).send().await?;
            Ok(())
        })
        .await
    }
}
pub async fn remove_user(t: &Table, req: Req) -> Result<(), Error> {
    t.mutate_row(req).await
}
impl Ledger {
    async fn execute_rpc<F, Fut>(&self, call: F) -> Result<(), Error>
    where
        F: Fn(reqwest::Client) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        call(self.http.clone()).await
    }
}
pub async fn purge_rows(keys: Vec<String>) -> Result<(), Error> {
    let table: Table = Table::connect().await?;
    for key in keys {
        table
            .execute_rpc(|http| async move {
                http.delete(format!("{TABLE_URL}/rows/{key}")).send().await?;
                Ok(())
            })
            .await?;
    }
    Ok(())
}
"#;
        let m = model(&[("src/table.rs", src)]);
        // The helper is called on a local whose type is written: it is that type's, not the
        // namesake of another type that does not retry.
        let purged = m.summary("purge_rows").expect("summarised");
        assert!(purged.effect.is_some() && purged.retried, "{purged:?}");
        let retried = m.summary("remove_user").expect("summarised");
        assert!(retried.effect.is_some() && retried.retried, "{retried:?}");
        assert_eq!(
            retried.via,
            ["Table::mutate_row"],
            "the effect is the closure's"
        );
        let once = m.summary("Table::mutate_row_once").expect("summarised");
        assert!(once.effect.is_some() && !once.retried, "{once:?}");
    }

    #[test]
    fn definitions_that_disagree_are_not_resolved_and_test_code_is_left_out() {
        let m = model(&[
            ("src/store.rs", STORE),
            (
                "src/a.rs",
                r#"
pub async fn save(c: &Client) -> Result<(), Error> { delete_object(c, "k").await }
mod other { pub fn save(x: u32) -> u32 { x } }
#[cfg(test)]
mod tests { async fn load() -> Result<(), Error> { delete_object(c, "k").await } }
pub fn spawn_try_task<F: Future<Output = anyhow::Result<()>> + Send + 'static>(f: F) {
    tokio::spawn(async move { let _ = f.await; });
}
"#,
            ),
        ]);
        assert_eq!(
            m.summary("save"),
            None,
            "one returns a Result, one does not"
        );
        assert!(!m.is_defined("load"));
        assert!(m.summary("spawn_try_task").is_some_and(|s| s.spawns_arg));
    }

    #[test]
    fn an_error_every_caller_only_logs_ends_there_and_one_handled_caller_is_enough_to_stop() {
        let m = model(&[
            ("src/store.rs", STORE),
            (
                "src/worker.rs",
                r#"
pub async fn handle(c: &Client, key: &str) -> Result<(), Error> {
    delete_object(c, key).await?;
    Ok(())
}
pub async fn run(c: &Client, rx: Receiver) {
    while let Some(key) = rx.recv().await {
        if let Err(e) = handle(c, &key).await {
            tracing::error!(error = %e, "job failed");
        }
    }
}
pub async fn fetch(c: &Client) -> Result<(), Error> { delete_object(c, "x").await }
pub async fn api(c: &Client) -> Result<(), Error> {
    match fetch(c).await {
        Ok(()) => Ok(()),
        Err(e) => { tracing::warn!(error = %e); Err(e) }
    }
}
pub async fn cron(c: &Client) {
    loop {
        if let Err(e) = fetch(c).await { tracing::warn!(error = %e); }
        tokio::time::sleep(MINUTE).await;
    }
}
"#,
            ),
        ]);
        let site = m
            .summary("handle")
            .and_then(|s| s.dropped_at.clone())
            .expect("run only logs handle's error");
        assert_eq!((site.function.as_str(), site.line), ("run", 8));
        assert!(m.summary("handle").is_some_and(|s| s.dropped_directly));
        assert_eq!(
            m.summary("fetch").and_then(|s| s.dropped_at.clone()),
            None,
            "api passes the error on and cron runs again on the next tick"
        );
    }

    #[test]
    fn an_error_a_task_nobody_waits_for_only_logs_ends_there_but_not_in_a_joined_task() {
        let m = model(&[
            ("src/store.rs", STORE),
            (
                "src/hooks.rs",
                r#"
pub async fn handle(c: &Client, key: &str) -> Result<(), Error> {
    delete_object(c, key).await?;
    Ok(())
}
pub fn on_event(c: Client, key: String) {
    tokio::spawn(async move {
        if let Err(e) = handle(&c, &key).await {
            tracing::warn!(error = %e, "event not handled");
        }
    });
}
pub async fn fetch(c: &Client) -> Result<(), Error> { delete_object(c, "x").await }
pub async fn on_fetch(c: Client) {
    let mut set = JoinSet::new();
    set.spawn(async move {
        if let Err(e) = fetch(&c).await { tracing::warn!(error = %e); }
    });
    set.join_all().await;
}
"#,
            ),
        ]);
        let site = m
            .summary("handle")
            .and_then(|s| s.dropped_at.clone())
            .expect("the spawned task only logs handle's error");
        assert_eq!((site.function.as_str(), site.line), ("on_event", 8));
        assert_eq!(
            m.summary("fetch").and_then(|s| s.dropped_at.clone()),
            None,
            "a JoinSet's tasks are joined: that is not fire-and-forget"
        );
    }

    #[test]
    fn a_wrapper_method_that_delegates_to_its_clients_namesake_shares_its_effect() {
        let client = r#"
impl Client {
    pub fn add_label(&self, repo: &str, n: u32, label: &str) -> DashResult<()> {
        let url = format!("{API}/repos/{repo}/issues/{n}/labels");
        self.post(&url, &label)?;
        Ok(())
    }
    fn post(&self, url: &str, body: &str) -> DashResult<Response> {
        Ok(self.http.post(url).body(body.to_string()).send()?)
    }
}
"#;
        let wrapper = r#"
impl Issue {
    pub fn add_label(&self, label: Label) -> DashResult<()> {
        GH.add_label(&self.repository, self.number, label.as_str())
    }
}
"#;
        let m = model(&[
            ("src/github/client.rs", client),
            ("src/domain/github.rs", wrapper),
        ]);
        let s = m.summary("add_label").expect("add_label is summarised");
        assert!(s.effect.is_some(), "the wrapper ends in the client: {s:?}");
        // A namesake that does something else entirely still makes the name ambiguous.
        let other = r#"
impl Labels {
    pub fn add_label(&mut self, label: &str) -> DashResult<()> { self.0.push(label.into()); Ok(()) }
}
"#;
        let m = model(&[
            ("src/github/client.rs", client),
            ("src/domain/github.rs", wrapper),
            ("src/labels.rs", other),
        ]);
        assert_eq!(m.summary("add_label").and_then(|s| s.effect.clone()), None);
    }

    #[test]
    fn a_call_on_self_resolves_to_the_owners_method_when_other_types_share_the_name() {
        let m = model(&[
            (
                "src/github/client.rs",
                r#"
impl Client {
    pub fn new_comment(&self, n: u32, text: &str) -> DashResult<()> {
        self.post(&format!("{API}/repos/x/issues/{n}/comments"), text)?;
        Ok(())
    }
    fn post(&self, url: &str, body: &str) -> Result<Response, reqwest::Error> {
        self.client.post(url).body(body.to_string()).send()
    }
}
"#,
            ),
            (
                "src/form.rs",
                r#"
impl Form {
    pub fn post(&self) -> Result<(), Error> { self.posted.set(true); Ok(()) }
}
"#,
            ),
        ]);
        assert_eq!(
            m.summary("post").and_then(|s| s.effect.clone()),
            None,
            "the bare name is ambiguous"
        );
        let s = m.summary("new_comment").expect("new_comment is summarised");
        assert!(s.effect.is_some(), "self.post is Client::post: {s:?}");
        assert_eq!(s.via, ["Client::post"]);
    }

    #[test]
    fn a_call_into_another_files_client_is_a_client_call_and_writes_outweigh_reads() {
        let m = model(&[
            (
                "src/github.rs",
                r#"
impl Client {
    pub fn query_pr(&self, n: u32) -> Result<Pr> {
        let resp = self.http.get(format!("{API}/repos/x/pulls/{n}")).send()?;
        Ok(resp.json()?)
    }
    pub fn hide_comment(&self, id: &str) -> Result<()> { self.graphql(id) }
    fn graphql(&self, id: &str) -> Result<()> {
        self.http.post(format!("{API}/graphql")).body(id.to_string()).send()?;
        Ok(())
    }
}
"#,
            ),
            (
                "src/worker.rs",
                r#"
impl Worker {
    fn report(&self, n: u32, id: &str) -> Result<()> {
        self.github.query_pr(n)?;
        self.github.hide_comment(id)?;
        Ok(())
    }
}
"#,
            ),
        ]);
        assert!(m.is_client_call("query_pr", "src/worker.rs"));
        assert!(m.is_client_call("hide_comment", "src/worker.rs"));
        assert!(
            !m.is_client_call("graphql", "src/github.rs"),
            "inside the client"
        );
        assert!(
            !m.is_client_call("report", "src/main.rs"),
            "its effect is in another file"
        );
        let report = m.summary("report").expect("report is summarised");
        assert_eq!(report.via, ["hide_comment", "Client::graphql"]);
        assert_ne!(report.effect.as_ref().map(|e| e.action), Some(Action::Read));
    }
}
