//! Filters for the `loops` topic: what a loop does from one iteration to the next. Whether it
//! retries an operation that failed, what it calls between tries, whether those calls' arguments
//! change from one try to the next, and whether something stops it. They know nothing about any
//! one check; the lists they read say which calls matter (`checks/<id>/check.toml` and
//! `checks/vocabulary/`, with a repository's `[vocabulary]` additions to `wait_calls` and
//! `connect_calls`).
//!
//! A loop's *own* code is its body and header without the closures and nested `fn` items in
//! them: a `break` or a call in a closure does not run as part of the loop's iteration.

use super::common::name_matches_entry as matches_entry;
use super::{ArgKind, FilterArg, FilterDef, MatchCtx};
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use std::collections::BTreeSet;
use tree_sitter::Node;

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "retry_loop",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["op"],
        doc: "the loop (`loop`, `while`, `for`) tries an operation again after it fails: it leaves on success \
              (a `break` or `return` in an `Ok(..)` arm or `if let Ok(..)`, or after an `Err` arm that \
              `continue`s) and goes round again on failure, or its header is a retry (`while let Err(..) = ..`, \
              `for attempt in ..`, `for _ in 0..n` with an exit on success); or it is a `loop` that reads the \
              `Result` of a call of the list (`connect_async(url)`) and goes round when it fails or ends (a \
              reconnect loop); sets `op` to the operation",
        eval: retry_loop,
        gate: None,
    },
    FilterDef {
        name: "loop_calls_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["wait"],
        doc: "the loop's own code (not its closures) calls a function or method of the list (an entry ending in `*` \
              is a prefix), in code or inside a macro's tokens; sets `wait` to the first such call",
        eval: loop_calls_any,
        gate: None,
    },
    FilterDef {
        name: "loop_call_args_vary",
        args: &[ArgKind::Capture, ArgKind::DataList, ArgKind::DataList],
        sets: &[],
        doc: "a call of the first list in the loop's own code takes an argument that can change from one iteration to \
              the next: it names the loop's pattern variable, a name assigned in the loop, a local bound in the loop \
              from one of those, or calls a function of the second list (`rand`, `next_backoff`)",
        eval: loop_call_args_vary,
        gate: None,
    },
    FilterDef {
        name: "loop_waits_at_least",
        args: &[ArgKind::Capture, ArgKind::DataList, ArgKind::Text],
        sets: &[],
        doc: "every call of the list in the loop's own code (there is one at least) waits a literal duration of at \
              least the given number of seconds (`sleep(Duration::from_secs(60))`, `from_millis(90_000)`, \
              `from_mins(5)`): the loop polls on a slow beat rather than hammering what it calls",
        eval: loop_waits_at_least,
        gate: None,
    },
    FilterDef {
        name: "retried_with_new_arguments",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the operation a retry loop that leaves on success repeats (see `retry_loop`; not a reconnect \
              loop) is called with an argument that changes from one iteration to the next (as for \
              `loop_call_args_vary`, with the list as the calls that vary): each try is a new request, such as a \
              fresh random key after a collision, not the same one again",
        eval: retried_with_new_arguments,
        gate: None,
    },
    FilterDef {
        name: "retried_operation_calls_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the operation a retry loop that leaves on success repeats (see `retry_loop`; not a reconnect \
              loop) calls a function or method of the list (an entry ending in `*` is a prefix): `try_lock()` \
              waits for a local lock, `rx.recv()` reads the next message",
        eval: retried_operation_calls_any,
        gate: None,
    },
    FilterDef {
        name: "loop_tests_name_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "a test in the loop's own code (a `match` arm's pattern or guard, an `if` or `while` condition, \
              nested loops included, closures not) names a word of the list (case-sensitive text): \
              `Err(e) if e.code() == Some(DatabaseLocked)` or `if log.contains(\"No space left\")`: the loop is \
              about that failure",
        eval: loop_tests_name_any,
        gate: None,
    },
    FilterDef {
        name: "loop_bounded",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "something stops the loop other than success: a `for` over a range or collection, a `while` whose \
              condition compares, or a `break`/`return`/`bail!`/`panic!` under a condition that compares or reads a \
              deadline (`attempts >= MAX`, `start.elapsed() > limit`), a guard arm, or an exhausted `Option` \
              (`let Some(d) = backoff.next() else { return .. }`)",
        eval: loop_bounded,
        gate: None,
    },
];

/// How many nodes one scan of a loop looks at: a PR can put 100,000 statements in one loop, and
/// filters run once per match. Past it the rest of the loop is not read (a finding may be
/// missed, or a wait not seen).
const MAX_SCAN: usize = 5_000;

/// How many `break`, `return` and `continue` of one loop are read to find its success and
/// failure paths (and how many exits `loop_bounded` reads).
const MAX_EXITS: usize = 64;

/// Words that name attempts in a loop's pattern or condition (`for attempt in 0..3`).
const ATTEMPT_WORDS: &[&str] = &[
    "attempt", "attempts", "retry", "retries", "tries", "try", "tried", "backoff",
];

fn is_loop(node: Node<'_>) -> bool {
    matches!(
        node.kind_name(),
        "loop_expression" | "while_expression" | "for_expression"
    )
}

/// The loop's own nodes, in document order: its descendants except what closures, async
/// blocks and nested items hold. With `nested_loops` false, nested loops are left out too (a
/// `break` there leaves the inner loop).
fn own_nodes(loop_node: Node<'_>, nested_loops: bool) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut skip_until = 0usize;
    for d in syntax::descendants(loop_node).take(MAX_SCAN) {
        if d.start_byte() < skip_until && d.id() != loop_node.id() {
            continue;
        }
        if d.id() != loop_node.id()
            && (matches!(
                d.kind_name(),
                "closure_expression" | "function_item" | "impl_item" | "async_block"
            ) || (!nested_loops && is_loop(d)))
        {
            skip_until = d.end_byte();
            continue;
        }
        out.push(d);
    }
    out
}

/// Identifier tokens of a text (`delay`, `attempt`, `self`).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    identifier_spans(text).map(|(_, word)| word)
}

/// Identifier tokens of a text with the byte offset just past each.
fn identifier_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut spans = Vec::new();
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let word_char = c.is_ascii_alphanumeric() || c == '_';
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let w = &text[s..i];
                if w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    spans.push((i, w));
                }
                start = None;
            }
            _ => {}
        }
    }
    spans.into_iter()
}

fn names_an_attempt(text: &str) -> bool {
    identifiers(text).any(|w| {
        let w = w.to_ascii_lowercase();
        ATTEMPT_WORDS.contains(&w.as_str())
            || w.split('_').any(|part| ATTEMPT_WORDS.contains(&part))
    })
}

/// The innermost ancestors of `node` up to (not including) `stop`, innermost first.
fn ancestors_until<'t>(file: &'t ParsedFile, node: Node<'t>, stop: Node<'t>) -> Vec<Node<'t>> {
    syntax::ancestors_from(file.tree.root_node(), node)
        .into_iter()
        .take_while(|a| a.id() != stop.id())
        .collect()
}

/// What a branch of the loop is: the success path of the operation, its failure path, or
/// neither.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    Success,
    Failure,
}

/// The path a `match` arm's pattern or an `if let` pattern stands for: `Ok(..)`/`Some(..)` is
/// success unless what it wraps is a failure (`Ok(Err(_))`, `Some(Err(e))`, `Ok(None)`);
/// `Err(..)`, `None` and `_` are failure. An or-pattern is a path when all its alternatives are.
fn path_of_pattern(text: &str) -> Option<Path> {
    let alternatives: Vec<&str> = text.split(" | ").collect();
    if alternatives.len() > 1 {
        let paths: Vec<Option<Path>> = alternatives.iter().map(|a| path_of_pattern(a)).collect();
        return match paths[0] {
            Some(p) if paths.iter().all(|q| *q == Some(p)) => Some(p),
            _ => None,
        };
    }
    let t = text.trim().trim_start_matches('&').trim();
    for wrapper in ["Ok(", "Some(", "Ok (", "Some ("] {
        if let Some(inner) = t.strip_prefix(wrapper) {
            let inner = inner.trim_start();
            // `Ok(None)`, `Ok(false)`: the call worked and said "not yet", a state to poll for,
            // neither the success that ends a retry nor a failure.
            if wrapper.starts_with("Ok")
                && (inner.starts_with("None") || inner.starts_with("false"))
            {
                return None;
            }
            let wraps_result = ["Ok(", "Some(", "Err(", "None"]
                .iter()
                .any(|w| inner.starts_with(w));
            return if wraps_result {
                path_of_pattern(inner.strip_suffix(')').unwrap_or(inner))
            } else {
                Some(Path::Success)
            };
        }
    }
    if t.starts_with("Err(") || t.starts_with("Err (") || t.starts_with("None") || t == "_" {
        Some(Path::Failure)
    } else {
        None
    }
}

/// The arms of a `match`.
pub(crate) fn arms_of<'t>(match_node: Node<'t>) -> Vec<Node<'t>> {
    let Some(block) = match_node.field("body") else {
        return Vec::new();
    };
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|a| a.kind_name() == "match_arm")
        .collect()
}

/// The path a `match` arm stands for: its pattern's (see [`path_of_pattern`]), except that a
/// catch-all (`_`, or a bare name) after failure arms and no success arm is the success
/// (`Err(Busy) => {..}, _ => return wr`).
fn arm_path(file: &ParsedFile, arm: Node<'_>, match_node: Node<'_>) -> Option<Path> {
    let text = file.node_text(arm.field("pattern")?).trim();
    let catch_all = text == "_"
        || (!text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()));
    if !catch_all {
        return path_of_pattern(text);
    }
    let others: Vec<Option<Path>> = arms_of(match_node)
        .into_iter()
        .filter(|a| a.id() != arm.id())
        .filter_map(|a| a.field("pattern"))
        .map(|p| path_of_pattern(file.node_text(p)))
        .collect();
    if others.contains(&Some(Path::Failure)) && !others.contains(&Some(Path::Success)) {
        Some(Path::Success)
    } else {
        Some(Path::Failure)
    }
}

/// The path an `if` condition's consequence stands for, and the operation it tests.
fn path_of_condition<'t>(file: &ParsedFile, cond: Node<'t>) -> Option<(Path, Node<'t>)> {
    if cond.kind_name() == "let_condition" {
        let pattern = cond.field("pattern")?;
        let value = cond.field("value")?;
        return path_of_pattern(file.node_text(pattern)).map(|p| (p, value));
    }
    let call = syntax::unwrap_expression(cond);
    if call.kind_name() == "call_expression" {
        let name = syntax::call_name(file, call)?;
        let receiver = syntax::call_receiver(call)?;
        return match name {
            "is_ok" | "is_some" | "is_success" => Some((Path::Success, receiver)),
            "is_err" | "is_none" => Some((Path::Failure, receiver)),
            _ => None,
        };
    }
    None
}

/// Whether every success arm of `match_node` always leaves the loop (see [`always_leaves`]): a
/// loop that leaves on one kind of success only (`Ok(Event::Eof) => break, Ok(e) => handle(e)`)
/// is reading a stream until it ends, not retrying.
fn every_success_arm_leaves(file: &ParsedFile, match_node: Node<'_>) -> bool {
    arms_of(match_node)
        .iter()
        .filter(|a| arm_path(file, **a, match_node) == Some(Path::Success))
        .all(|a| {
            a.field("value")
                .is_some_and(|v| always_leaves_or_reaches(file, v))
        })
}

/// [`always_leaves`], or a block that holds a `break`/`return` on every success of an inner
/// `if` (`Ok(resp) => if resp.status().is_success() { return .. }`): the arm is the success of
/// the attempt, refined by a check of its result.
fn always_leaves_or_reaches(file: &ParsedFile, branch: Node<'_>) -> bool {
    always_leaves(file, branch)
        || syntax::descendants(branch)
            .take(MAX_SCAN)
            .any(|d| matches!(d.kind_name(), "break_expression" | "return_expression"))
}

/// Where `node` (inside the loop) is: the path it is on, the operation that decides it (the
/// nearest `match` arm or `if` branch between it and the loop that reads a result), and whether
/// it is *directly* that path: no other `if`, `match` or loop in between, and, for a success
/// arm, every success arm of that `match` leaves (see [`every_success_arm_leaves`]).
fn path_at<'t>(
    file: &'t ParsedFile,
    node: Node<'t>,
    loop_node: Node<'t>,
) -> Option<(Path, Node<'t>, bool)> {
    let chain = ancestors_until(file, node, loop_node);
    let mut child = node;
    let mut crossed = false;
    // A success check of a result inside the attempt's success arm (`if resp.status()
    // .is_success()`): the outer decider names the attempt.
    let mut inner_success: Option<Node<'t>> = None;
    for a in chain {
        match a.kind_name() {
            "match_arm" => {
                let matched = syntax::ancestors_from(file.tree.root_node(), a)
                    .into_iter()
                    .find(|m| m.kind_name() == "match_expression");
                let value = matched.and_then(|m| m.field("value"));
                let path = matched.and_then(|m| arm_path(file, a, m));
                if let (Some(path), Some(value), Some(m)) = (path, value, matched) {
                    let whole = path != Path::Success || every_success_arm_leaves(file, m);
                    return Some((path, value, !crossed && whole));
                }
                crossed = true;
            }
            "if_expression" => {
                let in_consequence = a.field("consequence").is_some_and(|c| c.id() == child.id());
                let in_alternative = a.field("alternative").is_some_and(|c| c.id() == child.id());
                let decided = a
                    .field("condition")
                    .filter(|_| in_consequence || in_alternative)
                    .and_then(|c| path_of_condition(file, c));
                match decided {
                    Some((path, op)) => {
                        let path = match (path, in_alternative) {
                            (p, false) => p,
                            (Path::Success, true) => Path::Failure,
                            (Path::Failure, true) => Path::Success,
                        };
                        if path == Path::Success && !crossed && inner_success.is_none() {
                            inner_success = Some(op);
                        } else if inner_success.is_none() {
                            return Some((path, op, !crossed));
                        } else {
                            crossed = true;
                        }
                    }
                    None if in_consequence || in_alternative => crossed = true,
                    None => {}
                }
            }
            // `let Ok(v) = op() else { <node> }`: the failure path of `op`.
            "let_declaration" if is_let_else(a) => {
                let in_else = a.field("alternative").is_some_and(|e| e.id() == child.id());
                let on_success = a
                    .field("pattern")
                    .is_some_and(|p| path_of_pattern(file.node_text(p)) == Some(Path::Success));
                match a.field("value") {
                    Some(op) if in_else && on_success && inner_success.is_none() => {
                        return Some((Path::Failure, op, !crossed));
                    }
                    _ => crossed = true,
                }
            }
            "match_expression" | "loop_expression" | "while_expression" | "for_expression" => {
                crossed = true;
            }
            _ => {}
        }
        child = a;
    }
    inner_success.map(|op| (Path::Success, op, !crossed))
}

/// For an operation that is a local (`match result {..}`), the call the loop binds or assigns it
/// from (`let result = s3.put(..).await;`), to name in a message.
fn bound_call<'t>(file: &'t ParsedFile, op: Node<'t>, loop_node: Node<'t>) -> Option<Node<'t>> {
    let inner = syntax::unwrap_expression(op);
    if inner.kind_name() != "identifier" {
        return None;
    }
    let name = file.node_text(inner);
    own_nodes(loop_node, true)
        .into_iter()
        .find_map(|n| match n.kind_name() {
            "assignment_expression"
                if n.field("left").is_some_and(|l| file.node_text(l) == name) =>
            {
                n.field("right")
            }
            "let_declaration"
                if n.field("pattern")
                    .is_some_and(|p| file.node_text(p) == name) =>
            {
                n.field("value")
            }
            _ => None,
        })
}

/// Whether `op` is an operation the loop can run again: a call (through `.await`, `?`, `&`), or
/// a local the loop binds or assigns from one (`let result = put(..).await; match result {..}`,
/// `while let Err(e) = conn { ..; conn = connect().await }`).
fn is_attempt(file: &ParsedFile, op: Node<'_>, loop_node: Node<'_>) -> bool {
    let inner = syntax::unwrap_expression(op);
    match inner.kind_name() {
        "call_expression" => true,
        "identifier" => {
            let name = file.node_text(inner);
            let from_a_call = |value: Node<'_>| {
                syntax::unwrap_expression(value).kind_name() == "call_expression"
                    || file.node_text(value).contains(".await")
            };
            own_nodes(loop_node, true)
                .iter()
                .any(|n| match n.kind_name() {
                    "assignment_expression" => {
                        n.field("left").is_some_and(|l| file.node_text(l) == name)
                            && n.field("right").is_some_and(from_a_call)
                    }
                    "let_declaration" => {
                        n.field("pattern")
                            .is_some_and(|p| file.node_text(p) == name)
                            && n.field("value").is_some_and(from_a_call)
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Whether a macro call's text is one that leaves the function (`bail!`, `panic!`).
fn is_leaving_macro(text: &str) -> bool {
    ["bail!", "anyhow::bail!", "panic!"]
        .iter()
        .any(|m| text.starts_with(m))
}

/// Whether a branch (a match arm's value, an `if` block) always leaves the loop: it is, or ends
/// with, a `return`, a `break`, a `?` on an error, or `bail!`/`panic!`.
fn always_leaves(file: &ParsedFile, branch: Node<'_>) -> bool {
    let last = if branch.kind_name() == "block" {
        let mut cursor = branch.walk();
        let last = branch
            .named_children(&mut cursor)
            .filter(|c| !c.kind_name().ends_with("comment"))
            .last();
        match last {
            Some(l) => l,
            None => return false,
        }
    } else {
        branch
    };
    let last = if last.kind_name() == "expression_statement" {
        match last.named_child(0) {
            Some(e) => e,
            None => return false,
        }
    } else {
        last
    };
    match last.kind_name() {
        "return_expression" | "break_expression" => true,
        "macro_invocation" => is_leaving_macro(file.node_text(last)),
        "try_expression" => file.node_text(last).trim_start().starts_with("Err("),
        _ => false,
    }
}

/// The operation a retry loop repeats, or `None` when the loop does not have the shape of one
/// (see `retry_loop` in [`FILTERS`]; reconnect loops are [`reconnected`]). Worked out once per
/// loop of a file: the index, and several filters of every statement inside the loop, ask.
fn retried_operation<'t>(file: &'t ParsedFile, loop_node: Node<'t>) -> Option<Node<'t>> {
    let found = file.memo("retried-operation", loop_node, 0, || {
        find_retried_operation(file, loop_node).map(|op| (op.byte_range(), op.kind_id()))
    });
    let (range, kind) = found.as_ref().clone()?;
    // The smallest node over the range, or the innermost of its ancestors of the same range
    // that has the operation's kind (a node and its only child can share a range).
    let smallest = loop_node.descendant_for_byte_range(range.start, range.end)?;
    if smallest.kind_id() == kind {
        return Some(smallest);
    }
    syntax::ancestors_from(loop_node, smallest)
        .into_iter()
        .find(|a| a.kind_id() == kind && a.byte_range() == range)
}

fn find_retried_operation<'t>(file: &'t ParsedFile, loop_node: Node<'t>) -> Option<Node<'t>> {
    let body = loop_node.field("body")?;
    let own = own_nodes(loop_node, false);
    // `while let Err(e) = op()` / `while r.is_err()`: the header is the retry.
    if loop_node.kind_name() == "while_expression" {
        let cond = loop_node.field("condition")?;
        // On a `Result` only: `while let None = slot.take()` polls for a state.
        let on_result = {
            let t = file.node_text(cond);
            t.contains("Err(") || t.contains("is_err")
        };
        if let Some((Path::Failure, op)) = path_of_condition(file, cond) {
            if on_result && is_attempt(file, op, loop_node) {
                return Some(op);
            }
        }
    }
    let header_is_attempts = match loop_node.kind_name() {
        "for_expression" => {
            let pattern = loop_node
                .field("pattern")
                .map(|p| file.node_text(p))
                .unwrap_or("");
            let value = loop_node.field("value");
            let range = value.is_some_and(|v| {
                let v = syntax::unwrap_expression(v);
                v.kind_name() == "range_expression"
                    || (v.kind_name() == "call_expression"
                        && v.field("function")
                            .is_some_and(|f| file.node_text(f).starts_with('(')))
            });
            let value_text = value.map(|v| file.node_text(v)).unwrap_or("");
            // `for _ in 0..3`, `for attempt in 1..=max`, `for delay in backoff_delays()`.
            (range && (pattern.starts_with('_') || pattern.len() <= 2 || names_an_attempt(pattern)))
                || names_an_attempt(pattern)
                || names_an_attempt(value_text)
        }
        _ => true,
    };
    if !header_is_attempts {
        return None;
    }
    // Whether an operation decides a success exit, and the first such operation whose failure
    // goes round the loop.
    let mut success_exit = false;
    let mut retried_success = None;
    let mut retried_failure = None;
    let mut plain_exit = false;
    // Each exit climbs from the root: look at a bounded number of them (a PR can put 100,000
    // `break`s in one loop).
    let exits = own.iter().filter(|n| {
        matches!(
            n.kind_name(),
            "break_expression" | "return_expression" | "continue_expression"
        )
    });
    for n in exits.take(MAX_EXITS) {
        match n.kind_name() {
            "break_expression" | "return_expression" => match path_at(file, *n, body) {
                Some((Path::Success, op, true)) if is_attempt(file, op, loop_node) => {
                    success_exit = true;
                    if retried_success.is_none() {
                        retried_success = retried_decider(file, op, loop_node, body);
                    }
                }
                Some(_) => {}
                // `break v;` as a statement of the loop body itself, after the failure path
                // `continue`d: the attempt succeeded.
                None => {
                    plain_exit |= ancestors_until(file, *n, body)
                        .iter()
                        .all(|a| matches!(a.kind_name(), "expression_statement"))
                }
            },
            "continue_expression" => {
                if let Some((Path::Failure, op, _)) = path_at(file, *n, body) {
                    retried_failure = retried_failure.or(Some(op));
                }
            }
            _ => {}
        }
    }
    // The failure path of the operation found at a success exit must not always leave the loop
    // (`Ok(v) => return Ok(v), Err(e) => return Err(e)` tries once).
    if success_exit {
        return retried_success;
    }
    // `let v = match op() { Ok(v) => v, Err(_) => { sleep(..); continue } }; break v;`
    if let (Some(op), true) = (
        retried_failure
            .filter(|op| is_attempt(file, *op, loop_node) && decided_on_result(file, *op, body)),
        plain_exit,
    ) {
        return Some(op);
    }
    None
}

/// How many deciders, innermost first, a success exit is read through (see
/// [`retried_decider`]).
const MAX_DECIDERS: usize = 4;

/// The operation a loop retries, read from `op`, the operation that decides one of its success
/// exits: `op` itself when its failure goes round the loop. When `op`'s failure leaves the loop
/// instead, `op` is a check of an outer attempt's result, and the answer is that outer
/// operation (up to [`MAX_DECIDERS`] levels out). In `Ok(res) => match res.json().await {
/// Ok(v) => break, Err(_) => break 'outer }`, with `Err(_) => sleep(..)` on the outer
/// `send()`, the attempt is the `send()`, not the body read.
fn retried_decider<'t>(
    file: &'t ParsedFile,
    op: Node<'t>,
    loop_node: Node<'t>,
    body: Node<'t>,
) -> Option<Node<'t>> {
    let mut op = op;
    for _ in 0..MAX_DECIDERS {
        if failure_goes_round(file, op, body) {
            return decided_on_result(file, op, body).then_some(op);
        }
        let reader = reader_of(file, op, body)?;
        match path_at(file, reader, body) {
            Some((Path::Success, outer, true)) if is_attempt(file, outer, loop_node) => op = outer,
            _ => return None,
        }
    }
    None
}

/// The operation a retry loop that leaves on success tries again (see `retry_loop` in
/// [`FILTERS`]; a reconnect loop has none): for code of other topics that asks whether a call is
/// the one a loop retries.
pub(crate) fn retried_operation_of<'t>(
    file: &'t ParsedFile,
    loop_node: Node<'t>,
) -> Option<Node<'t>> {
    if is_loop(loop_node) {
        retried_operation(file, loop_node)
    } else {
        None
    }
}

/// The `match` or `if` of the loop body that reads `op`.
fn reader_of<'t>(file: &'t ParsedFile, op: Node<'t>, body: Node<'t>) -> Option<Node<'t>> {
    syntax::ancestors_from(file.tree.root_node(), op)
        .into_iter()
        .take_while(|a| a.id() != body.id())
        .find(|a| matches!(a.kind_name(), "match_expression" | "if_expression") || is_let_else(*a))
}

/// Whether `node` is a `let .. else { .. }` (its `else` block runs when the pattern does not
/// match: `let Ok(stream) = connect(addr) else { continue };`).
fn is_let_else(node: Node<'_>) -> bool {
    node.kind_name() == "let_declaration" && node.field("alternative").is_some()
}

/// Whether the loop tells success from failure by a `Result` (`Ok`/`Err` patterns, `is_ok`,
/// `is_err`, `is_success`), not by an `Option` alone: `if let Some(lock) = try_lock()` polls
/// for a state, `None => continue` after an optimistic transaction retries a conflict; neither
/// is a failed call.
fn decided_on_result(file: &ParsedFile, op: Node<'_>, body: Node<'_>) -> bool {
    let Some(reader) = reader_of(file, op, body) else {
        return false;
    };
    let decided_text = match reader.kind_name() {
        "match_expression" => {
            let Some(block) = reader.field("body") else {
                return false;
            };
            let mut cursor = block.walk();
            block
                .named_children(&mut cursor)
                .filter(|a| a.kind_name() == "match_arm")
                .filter_map(|a| a.field("pattern"))
                .map(|p| file.node_text(p))
                .collect::<Vec<_>>()
                .join(" ")
        }
        "let_declaration" => reader
            .field("pattern")
            .map(|p| file.node_text(p).to_string())
            .unwrap_or_default(),
        _ => reader
            .field("condition")
            .map(|c| file.node_text(c).to_string())
            .unwrap_or_default(),
    };
    [
        "Ok(",
        "Err(",
        "Ok (",
        "Err (",
        "is_ok",
        "is_err",
        "is_success",
    ]
    .iter()
    .any(|w| decided_text.contains(w))
}

/// Whether, when `op` (read by a `match` or `if` in the loop body) fails, the loop goes round
/// again: some failure arm of the `match` does not always leave (arms that are neither, such as
/// `Ok(None)`, do not count), or the `if` has no failure branch (an `if let Ok(..)` without
/// `else` falls through to the next iteration) or one that does not always leave.
fn failure_goes_round(file: &ParsedFile, op: Node<'_>, body: Node<'_>) -> bool {
    let Some(reader) = reader_of(file, op, body) else {
        return true;
    };
    match reader.kind_name() {
        "match_expression" => {
            let failure_arms: Vec<Node<'_>> = arms_of(reader)
                .into_iter()
                .filter(|a| arm_path(file, *a, reader) == Some(Path::Failure))
                .collect();
            !failure_arms.is_empty()
                && failure_arms
                    .iter()
                    .any(|a| a.field("value").is_some_and(|v| !always_leaves(file, v)))
        }
        // `let Ok(v) = op() else { .. }`: the `else` block is the failure branch; it must
        // diverge, and goes round when it `continue`s.
        "let_declaration" => reader
            .field("alternative")
            .is_some_and(|b| !always_leaves(file, b)),
        _ => {
            let cond = reader.field("condition");
            let success_in_consequence = cond
                .and_then(|c| path_of_condition(file, c))
                .is_some_and(|(p, _)| p == Path::Success);
            let failure_branch = if success_in_consequence {
                reader.field("alternative")
            } else {
                reader.field("consequence")
            };
            match failure_branch {
                None => true,
                Some(b) => {
                    let b = if b.kind_name() == "else_clause" {
                        b.named_child(0).unwrap_or(b)
                    } else {
                        b
                    };
                    !always_leaves(file, b)
                }
            }
        }
    }
}

/// The connection a reconnect loop makes again: in a `loop`, a `match` or `if let` on the
/// `Result` of a call of `calls` whose failure branch does not always leave.
fn reconnected<'t>(
    file: &'t ParsedFile,
    loop_node: Node<'t>,
    calls: &[String],
) -> Option<Node<'t>> {
    if loop_node.kind_name() != "loop_expression" {
        return None;
    }
    let body = loop_node.field("body")?;
    own_nodes(loop_node, false).into_iter().find_map(|n| {
        let value = match n.kind_name() {
            "match_expression" => n.field("value")?,
            "let_condition" => n.field("value")?,
            _ => return None,
        };
        let call = syntax::unwrap_expression(value);
        if call.kind_name() != "call_expression" {
            return None;
        }
        let name = syntax::call_name(file, call)?;
        (calls.iter().any(|e| matches_entry(name, e))
            && decided_on_result(file, value, body)
            && failure_goes_round(file, value, body))
        .then_some(value)
    })
}

fn retry_loop(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    if !is_loop(node) {
        return false;
    }
    let reconnects = ctx.list_with_additions(&args[1]);
    match retried_operation(ctx.file, node).or_else(|| reconnected(ctx.file, node, &reconnects)) {
        Some(op) => {
            let shown = bound_call(ctx.file, op, node).unwrap_or(op);
            let op = syntax::abbreviate(ctx.file, shown);
            ctx.set_var("op", op.trim_start_matches('&').to_string());
            true
        }
        None => false,
    }
}

/// The calls of the loop's own code (with nested loops) whose name is in one of `lists`, with
/// the name matched; calls inside macro tokens (`tokio::select!`) are found by their text.
fn listed_calls<'t>(
    file: &'t ParsedFile,
    loop_node: Node<'t>,
    lists: &[&[String]],
) -> Vec<(Node<'t>, String)> {
    let listed = |name: &str| {
        lists
            .iter()
            .copied()
            .flatten()
            .any(|e| matches_entry(name, e))
    };
    let mut out = Vec::new();
    for n in own_nodes(loop_node, true) {
        match n.kind_name() {
            "call_expression" => {
                if let Some(name) = syntax::call_name(file, n) {
                    if listed(name) {
                        out.push((n, name.to_string()));
                    }
                }
            }
            "macro_invocation" => {
                let mut cursor = n.walk();
                let tokens = n
                    .named_children(&mut cursor)
                    .find(|c| c.kind_name() == "token_tree");
                if let Some(tokens) = tokens {
                    let text = file.node_text(tokens);
                    let called = identifier_spans(text)
                        .find(|(end, w)| listed(w) && text[*end..].trim_start().starts_with('('));
                    if let Some((_, w)) = called {
                        out.push((tokens, w.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether `loop_node` waits for its next round in its own code: it calls a `wait_calls` or
/// `timer_calls` entry of the vocabulary (`sleep(d)`, `sleep_until(next)`, `ticker.tick()`),
/// not in a closure or task of its body. A loop paced this way runs its body again on the next
/// round: the one reading of "periodic loop" shared by the effect model and the
/// `in_periodic_work` filter.
pub(crate) fn is_paced(
    file: &ParsedFile,
    loop_node: Node<'_>,
    wait_calls: &[String],
    timer_calls: &[String],
) -> bool {
    !listed_calls(file, loop_node, &[wait_calls, timer_calls]).is_empty()
}

fn loop_calls_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let calls = listed_calls(ctx.file, node, &[&ctx.list_with_additions(&args[1])]);
    match calls.first() {
        Some((call, name)) => {
            let text = if call.kind_name() == "call_expression" {
                syntax::abbreviate(ctx.file, *call)
            } else {
                format!("{name}(..)")
            };
            ctx.set_var("wait", text);
            true
        }
        None => false,
    }
}

fn loop_waits_at_least(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Ok(least) = args[2].as_str().trim().parse::<f64>() else {
        return false;
    };
    let calls = listed_calls(ctx.file, node, &[&ctx.list_with_additions(&args[1])]);
    !calls.is_empty()
        && calls.iter().all(|(call, _)| {
            literal_seconds(ctx.file.node_text(*call)).is_some_and(|secs| secs >= least)
        })
}

/// The duration a wait's text spells with one `Duration` constructor and a number literal
/// (`sleep(Duration::from_secs(60))`, `from_millis(1_500)`, `from_mins(2)`), in seconds. `None`
/// when it is computed, named by a constant, or spelled more than once.
fn literal_seconds(text: &str) -> Option<f64> {
    const UNITS: &[(&str, f64)] = &[
        ("from_secs_f64(", 1.0),
        ("from_secs_f32(", 1.0),
        ("from_secs(", 1.0),
        ("from_millis(", 0.001),
        ("from_mins(", 60.0),
        ("from_hours(", 3600.0),
    ];
    let mut found = None;
    for (ctor, unit) in UNITS {
        let mut rest = text;
        while let Some(i) = rest.find(ctor) {
            let after = &rest[i + ctor.len()..];
            let arg = after.split(')').next()?.trim().replace('_', "");
            // `60`, `60u64`, `2.5`, `1500_u64`: digits, then at most a type suffix.
            let digits = arg
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(arg.len());
            let suffix = &arg[digits..];
            if !matches!(
                suffix,
                "" | "u64" | "u32" | "u16" | "u8" | "usize" | "i64" | "i32" | "f64" | "f32"
            ) {
                return None;
            }
            let value: f64 = arg[..digits].parse().ok()?;
            if found.is_some() {
                return None;
            }
            found = Some(value * unit);
            rest = after;
        }
    }
    found
}

/// The names whose value can differ between iterations of the loop: its pattern's names,
/// names assigned in it, and names bound in it from those or from a listed call.
fn varying_names(
    file: &ParsedFile,
    loop_node: Node<'_>,
    variations: &[String],
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if loop_node.kind_name() == "for_expression" {
        if let Some(p) = loop_node.field("pattern") {
            names.extend(identifiers(file.node_text(p)).map(str::to_string));
        }
    }
    let own = own_nodes(loop_node, true);
    let mut lets = Vec::new();
    for n in &own {
        match n.kind_name() {
            "assignment_expression" | "compound_assignment_expr" => {
                if let Some(left) = n.field("left") {
                    if let Some(last) = identifiers(file.node_text(left)).last() {
                        names.insert(last.to_string());
                    }
                }
            }
            "let_declaration" => lets.push(*n),
            // `while let Some(d) = delays.next()`, `Err(RateLimited { retry_after })`: names bound
            // from each try's result change each time.
            "let_condition" | "match_arm" => {
                if let Some(p) = n.field("pattern") {
                    names.extend(identifiers(file.node_text(p)).map(str::to_string));
                }
            }
            _ => {}
        }
    }
    // Locals bound in the loop from varying names: a few rounds reach `let d = base * 2u32.pow(n)`.
    for _ in 0..4 {
        let before = names.len();
        for l in &lets {
            let value = l.field("value").map(|v| file.node_text(v)).unwrap_or("");
            if text_varies(value, &names, variations) {
                if let Some(p) = l.field("pattern") {
                    names.extend(identifiers(file.node_text(p)).map(str::to_string));
                }
            }
        }
        if names.len() == before {
            break;
        }
    }
    names
}

fn text_varies(text: &str, names: &BTreeSet<String>, variations: &[String]) -> bool {
    identifiers(text).any(|w| names.contains(w) || variations.iter().any(|e| matches_entry(w, e)))
}

fn loop_call_args_vary(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let variations = ctx.list(&args[2]);
    let calls = listed_calls(file, node, &[&ctx.list_with_additions(&args[1])]);
    if calls.is_empty() {
        return false;
    }
    let names = varying_names(file, node, variations);
    calls.iter().any(|(call, name)| {
        let args_text = if call.kind_name() == "call_expression" {
            call.field("arguments")
                .map(|a| file.node_text(a))
                .unwrap_or("")
        } else {
            // A call in macro tokens: what follows its name up to the closing parenthesis.
            let text = file.node_text(*call);
            let at = identifier_spans(text)
                .find(|(_, w)| w == name)
                .map(|(end, _)| end)
                .unwrap_or(0);
            let rest = &text[at..];
            let end = rest.find(')').map(|i| i + 1).unwrap_or(rest.len());
            &rest[..end]
        };
        // A method on a varying receiver (`backoff.next_delay()`): the receiver counts too.
        let receiver_text = if call.kind_name() == "call_expression" {
            syntax::call_receiver(*call)
                .map(|r| file.node_text(r))
                .unwrap_or("")
        } else {
            ""
        };
        text_varies(args_text, &names, variations) || text_varies(receiver_text, &names, variations)
    })
}

fn retried_with_new_arguments(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let Some(op) = retried_operation(file, node) else {
        return false;
    };
    let names = varying_names(file, node, ctx.list(&args[1]));
    syntax::descendants(op)
        .take(MAX_SCAN)
        .filter(|d| d.kind_name() == "arguments")
        .any(|a| text_varies(file.node_text(a), &names, ctx.list(&args[1])))
}

fn retried_operation_calls_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let Some(op) = retried_operation(file, node) else {
        return false;
    };
    let list = ctx.list_with_additions(&args[1]);
    syntax::descendants(op)
        .take(MAX_SCAN)
        .filter(|d| d.kind_name() == "call_expression")
        .filter_map(|c| syntax::call_name(file, c))
        .any(|name| list.iter().any(|e| matches_entry(name, e)))
}

fn loop_tests_name_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let words = ctx.list(&args[1]);
    own_nodes(node, true)
        .into_iter()
        .filter_map(|n| match n.kind_name() {
            "match_pattern" => Some(n),
            "if_expression" | "while_expression" => n.field("condition"),
            _ => None,
        })
        .any(|test| {
            let text = file.node_text(test);
            words.iter().any(|w| text.contains(w.as_str()))
        })
}

/// Whether a condition text compares or reads a deadline.
fn condition_bounds(text: &str) -> bool {
    text.contains('<')
        || text.contains('>')
        || text.contains("==")
        || text.contains("elapsed")
        || text.contains("deadline")
        || text.contains("Instant::now")
        || names_an_attempt(text)
}

fn loop_bounded(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    match node.kind_name() {
        "for_expression" => {
            // `for _ in 0..` and `loop`-like iterators (`repeat`, `cycle`) never end.
            let value = node.field("value").map(|v| file.node_text(v)).unwrap_or("");
            let open = value.trim_end().ends_with("..")
                || value.contains("repeat(")
                || value.contains(".cycle()");
            if !open {
                return true;
            }
        }
        "while_expression" => {
            let cond = node.field("condition");
            if cond.is_some_and(|c| {
                c.kind_name() != "let_condition" && condition_bounds(file.node_text(c))
            }) {
                return true;
            }
        }
        "loop_expression" => {}
        _ => return false,
    }
    let Some(body) = node.field("body") else {
        return false;
    };
    let leaving = own_nodes(node, false)
        .into_iter()
        .filter(|n| match n.kind_name() {
            "break_expression" | "return_expression" => true,
            "macro_invocation" => is_leaving_macro(file.node_text(*n)),
            _ => false,
        });
    for n in leaving.take(MAX_EXITS) {
        let chain = ancestors_until(file, n, body);
        let mut child = n;
        for a in chain {
            match a.kind_name() {
                "if_expression" => {
                    let in_branch = a.field("consequence").is_some_and(|c| c.id() == child.id())
                        || a.field("alternative").is_some_and(|c| c.id() == child.id());
                    if in_branch
                        && a.field("condition")
                            .is_some_and(|c| condition_bounds(file.node_text(c)))
                    {
                        return true;
                    }
                }
                "match_arm" => {
                    let pattern = a.field("pattern").map(|p| file.node_text(p)).unwrap_or("");
                    // A guard arm (`Err(e) if n >= 3 => return Err(e)`), or an exhausted
                    // `Option` of attempts (`None => return Err(..)`).
                    if pattern.contains(" if ") && condition_bounds(pattern) {
                        return true;
                    }
                }
                "let_declaration" if a.field("alternative").is_some() => return true,
                _ => {}
            }
            child = a;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn literal_seconds_reads_one_duration_constructor_with_a_number() {
        use super::literal_seconds;
        assert_eq!(
            literal_seconds("tokio::time::sleep(Duration::from_secs(60))"),
            Some(60.0)
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_millis(1_500))"),
            Some(1.5)
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_secs(90u64))"),
            Some(90.0)
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_mins(2))"),
            Some(120.0)
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_secs_f64(0.5))"),
            Some(0.5)
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_secs(RETRY_SECS))"),
            None
        );
        assert_eq!(
            literal_seconds("sleep(Duration::from_secs(base * 2))"),
            None
        );
        assert_eq!(literal_seconds("sleep(delay)"), None);
        assert_eq!(
            literal_seconds("sleep(Duration::from_secs(60) + Duration::from_millis(5))"),
            None
        );
    }

    use super::super::FilterExpr;
    use crate::analysis::check::CheckData;
    use crate::analysis::index::{Manifests, RepoIndex};
    use crate::analysis::source::parse_rust_snippet;
    use crate::analysis::syntax;
    use std::collections::BTreeMap;

    /// Evaluates `filter` with capture `l` on the snippet's first loop; the message variables
    /// it set when it passed.
    fn eval_on_first(
        src: &str,
        filter: &str,
        lists: &[(&str, &[&str])],
    ) -> Option<BTreeMap<String, String>> {
        eval_on_first_with(src, filter, lists, &crate::config::Config::default())
    }

    /// [`eval_on_first`] under a repository's config.
    fn eval_on_first_with(
        src: &str,
        filter: &str,
        lists: &[(&str, &[&str])],
        config: &crate::config::Config,
    ) -> Option<BTreeMap<String, String>> {
        let file = parse_rust_snippet("src/a.rs", src);
        let data = CheckData::new(
            lists
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
        );
        let expr = FilterExpr::parse(filter, &["l"], &data).expect("the filter is valid");
        let node = syntax::descendants(file.tree.root_node())
            .find(|n| super::is_loop(*n))
            .expect("the snippet has a loop");
        let (index, manifests) = (RepoIndex::default(), Manifests::default());
        let mut ctx =
            super::MatchCtx::new(&file, &index, &manifests, config, &data, vec![("l", node)]);
        expr.eval(&mut ctx).then(|| ctx.vars.clone())
    }

    fn retry(src: &str) -> Option<String> {
        eval_on_first(
            src,
            "retry_loop(l, \"connects\")",
            &[("connects", &["connect*"])],
        )
        .map(|vars| vars.get("op").cloned().unwrap_or_default())
    }

    fn holds(src: &str, filter: &str, lists: &[(&str, &[&str])]) -> bool {
        eval_on_first(src, filter, lists).is_some()
    }

    const WAITS: (&str, &[&str]) = ("waits", &["sleep", "delay_for"]);
    const VARY: (&str, &[&str]) = ("vary", &["rand*", "gen_range", "next_backoff"]);

    #[test]
    fn a_loop_that_breaks_on_ok_and_goes_round_on_err_is_a_retry() {
        assert_eq!(
            retry("async fn f() { loop { match client.get(url).send().await { Ok(r) => break r, Err(e) => { warn!(\"{e}\"); } } } }").as_deref(),
            Some("client.get(..).send().await")
        );
        assert!(
            retry("fn f() { for attempt in 0..3 { if let Ok(v) = op() { return Ok(v); } } }")
                .is_some()
        );
        assert!(retry("fn f() { while let Err(e) = connect() { n += 1; } }").is_some());
        assert!(retry("fn f() { while let None = slot.take() { sleep(d); } }").is_none());
        assert!(retry("fn f() { loop { let v = match op() { Ok(v) => v, Err(_) => { sleep(d); continue; } }; break v; } }").is_some());
    }

    #[test]
    fn worker_loops_iterations_and_single_tries_are_not_retries() {
        // A consumer: leaves when the channel closes, not on success.
        assert!(retry("async fn f() { loop { match rx.recv().await { Some(m) => handle(m), None => break } } }").is_none());
        // Tries once: both paths leave.
        assert!(retry(
            "fn f() { loop { match op() { Ok(v) => return Ok(v), Err(e) => return Err(e) } } }"
        )
        .is_none());
        // Iterates over candidates, not attempts.
        assert!(retry(
            "fn f() { for path in paths { if let Ok(f) = File::open(path) { return Some(f); } } }"
        )
        .is_none());
        // Reads a stream until one kind of item: not a retry of one call.
        assert!(retry("fn f() { loop { match reader.read_event(&mut buf) { Ok(Event::Eof) => break, Ok(e) => handle(e), Err(e) => warn!(\"{e}\") } } }").is_none());
        assert!(retry("async fn f() { loop { match ws.next().await { Some(Ok(m)) => { if done(&m) { break; } } _ => continue } } }").is_none());
        // Nested results: `Ok(Ok(_))` is the success, `Ok(Err(_)) | Err(_)` the failure.
        assert!(retry("async fn f() { loop { match timeout(T, connect(a)).await { Ok(Ok(_)) => break, Ok(Err(_)) | Err(_) => { sleep(W).await; continue; } } } }").is_some());
        // A success refined by a status check, and a result bound before the match.
        assert!(retry("async fn f() { for _ in 0..n { match c.post(u).send().await { Ok(r) => { if r.status().is_success() { return Ok(r); } } Err(e) => sleep(D).await } } }").as_deref() == Some("c.post(..).send().await"));
        assert_eq!(
            retry("async fn f() { while n < 3 { let result = s3.put(k).await; match result { Ok(_) => return Ok(()), Err(_) => n += 1 } } }").as_deref(),
            Some("s3.put(..).await"),
            "a bound result is named by the call that made it"
        );
        // A reconnect loop: no exit, the connection is made again when it fails or ends.
        assert_eq!(
            retry("async fn f() { loop { match connect_async(url).await { Ok((s, _)) => consume(s).await, Err(e) => { warn!(\"{e}\"); sleep(D).await; } } } }").as_deref(),
            Some("connect_async(..).await")
        );
        assert!(retry("async fn f() { loop { match fetch_jobs().await { Ok(j) => run(j).await, Err(e) => sleep(D).await } } }").is_none());
        // A catch-all after the failure arms is the success.
        assert!(retry("fn f() { loop { n += 1; let wr = persist(&mut c, &e); match wr { Err(Busy(e)) => info!(\"{e}\"), _ => return wr } if n >= 10 { return wr; } } }").is_some());
        // `Ok(None)`: the call worked and said "not yet"; its errors leave at once.
        assert!(retry("async fn f() { loop { match order.certificate().await { Ok(Some(c)) => break c, Ok(None) => sleep(S), Err(e) => return Err(e) } } }").is_none());
        // Polls an `Option`: a state, not a failed call.
        assert!(retry("async fn f() { loop { if let Some(l) = try_lock(c) { return Ok(l); } sleep(P).await; } }").is_none());
        // The loop decides on something that is not an attempt.
        assert!(retry(
            "fn f() { loop { match idle_timeout { Some(t) => return t, None => {} } } }"
        )
        .is_none());
        // A worker that skips failures and stops on a condition.
        assert!(retry("async fn f() { loop { let m = match rx.recv().await { Ok(m) => m, Err(_) => continue }; if m.last { break; } } }").is_none());
        // A `for _ in 0..n` with no exit on success makes n things.
        assert!(retry("fn f() { for _ in 0..3 { let _ = op(); } }").is_none());
    }

    #[test]
    fn a_repository_adds_its_own_waits() {
        let src = "async fn f() { loop { if op().await.is_ok() { break; } pace_retry(n).await; } }";
        let lists: &[(&str, &[&str])] = &[("wait_calls", &["sleep"])];
        let filter = "loop_calls_any(l, \"wait_calls\")";
        let mut config = crate::config::Config::default();
        assert!(
            eval_on_first_with(src, filter, lists, &config).is_none(),
            "`pace_retry` is not a built-in wait"
        );
        config.vocabulary.wait_calls = vec!["pace_retry".to_string()];
        assert!(
            eval_on_first_with(src, filter, lists, &config).is_some(),
            "the repository's `[vocabulary] wait_calls` adds it"
        );
    }

    #[test]
    fn waits_are_found_in_code_and_in_macro_tokens() {
        let waits: &[(&str, &[&str])] = &[WAITS];
        assert!(holds("async fn f() { loop { if op().await.is_ok() { break; } tokio::time::sleep(D).await; } }", "loop_calls_any(l, \"waits\")", waits));
        assert!(holds(
            "async fn f() { loop { tokio::select! { _ = sleep(D) => {} } } }",
            "loop_calls_any(l, \"waits\")",
            waits
        ));
        assert!(!holds(
            "async fn f() { loop { spawn(async { sleep(D).await }); } }",
            "loop_calls_any(l, \"waits\")",
            waits
        ));
    }

    #[test]
    fn a_wait_varies_with_the_attempt_a_grown_delay_or_a_listed_call() {
        let lists: &[(&str, &[&str])] = &[WAITS, VARY];
        let f = "loop_call_args_vary(l, \"waits\", \"vary\")";
        assert!(holds(
            "fn f() { for attempt in 0..3 { sleep(Duration::from_secs(2u64.pow(attempt))); } }",
            f,
            lists
        ));
        assert!(holds(
            "fn f() { loop { sleep(delay); delay *= 2; } }",
            f,
            lists
        ));
        assert!(holds(
            "fn f() { loop { let d = base * n; n += 1; sleep(d); } }",
            f,
            lists
        ));
        assert!(holds(
            "fn f() { loop { sleep(D + Duration::from_millis(rand::random::<u64>() % 100)); } }",
            f,
            lists
        ));
        assert!(!holds(
            "fn f() { for attempt in 0..3 { sleep(Duration::from_secs(1)); } }",
            f,
            lists
        ));
        assert!(!holds(
            "fn f() { loop { sleep(RETRY_DELAY); n += 1; } }",
            f,
            lists
        ));
        // The server says how long to wait.
        assert!(holds("async fn f() { loop { match op().await { Ok(v) => return v, Err(E::RateLimited { retry_after }) => sleep(retry_after).await, Err(e) => return Err(e) } } }", f, lists));
    }

    #[test]
    fn a_collision_loop_retries_with_a_new_key_a_plain_retry_with_the_same_one() {
        let lists: &[(&str, &[&str])] = &[VARY];
        let f = "retried_with_new_arguments(l, \"vary\")";
        assert!(holds("fn f() { loop { key = new_key(); match db.insert(&key).await { Ok(_) => break, Err(Taken) => continue, Err(e) => return Err(e) } } }", f, lists));
        assert!(!holds("fn f() { loop { n += 1; match db.insert(&row).await { Ok(_) => break, Err(_) => continue } } }", f, lists));
        // A connection re-made in the loop is the operation's value, not an argument of it.
        assert!(!holds(
            "fn f() { while let Err(e) = conn { conn = connect(url); } }",
            f,
            lists
        ));
    }

    #[test]
    fn a_loop_is_bounded_by_a_range_a_compared_count_or_a_deadline() {
        let f = "loop_bounded(l)";
        assert!(holds("fn f() { for _ in 0..5 { op(); } }", f, &[]));
        assert!(holds("fn f() { while n < 5 { op(); } }", f, &[]));
        assert!(holds(
            "fn f() { loop { if n >= MAX { return Err(e); } n += 1; } }",
            f,
            &[]
        ));
        assert!(holds(
            "fn f() { loop { if start.elapsed() > limit { break; } } }",
            f,
            &[]
        ));
        assert!(holds("fn f() { loop { match op() { Ok(v) => return v, Err(e) if tries > 3 => return Err(e), Err(_) => {} } } }", f, &[]));
        assert!(holds(
            "fn f() { loop { let Some(d) = delays.next() else { return Err(e) }; sleep(d); } }",
            f,
            &[]
        ));
        assert!(!holds(
            "fn f() { loop { match op() { Ok(v) => return v, Err(_) => sleep(d) } } }",
            f,
            &[]
        ));
        assert!(!holds(
            "fn f() { while let Err(e) = op() { sleep(d); } }",
            f,
            &[]
        ));
        assert!(!holds("fn f() { for _ in 0.. { op(); } }", f, &[]));
    }
}
