//! Filters for the `sequence` topic: what a statement does, and what its function does after
//! it. Which effect a statement performs (read off the shared effect classifier and the
//! workspace effect model), whether a later step of the same function can fail and leave it,
//! whether a later step marks the work done, and whether a failure makes the statement run
//! again (a retry loop or wrapper around both, or a caller that requeues the work). They know
//! nothing about any one check; the lists they read say which effects and calls matter.
//!
//! "After" means the statements that follow the node in its block and in the blocks around it,
//! up to the enclosing `fn`, closure or async block: the code that runs next on the same path.

use super::common::name_matches_entry;
use super::{ArgKind, FilterArg, FilterDef, Gate, MatchCtx};
use crate::analysis::effects::{classify, Action, Effect, EffectModel};
use crate::analysis::filters::errors::Lists;
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use tree_sitter::Node;

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "effect_in",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["write", "write_what", "write_kind"],
        doc: "the statement's call performs an effect (per the shared effect classifier, and the workspace \
              effect model for the repository's own functions) that the list names: an entry is an action \
              (`action=send`, `action=write`, `action=delete`, `action=ack`, `action=read`) or a pattern on the \
              operation (`INSERT*`, `create_*`; case-insensitive, `*` at the end is a prefix), or a system \
              (`kind=filesystem`); an `action=` entry does not name a workspace function's effect, which its \
              name has to match; sets `write` to \
              the operation as shown to a reader, `write_what` to the classifier's name for it \
              (`INSERT orders`, `send`) and `write_kind` to the system it touches",
        eval: effect_in,
        gate: None,
    },
    FilterDef {
        name: "makes_call",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the statement makes a call (with `?`, `.await`, error adapters and a `match` or `if let` reading it \
              peeled off, as the other filters of this topic read it), sits less than 256 levels deep, and is \
              shorter than 64 KiB: a cheap first filter for rules that read every statement",
        eval: makes_call,
        gate: None,
    },
    FilterDef {
        name: "statement_calls",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["write", "write_what"],
        doc: "the statement awaits a call (with `?`, error adapters and a `match` or `if let` reading it peeled off) \
              whose function or method name is in the list (`*` at the end is a prefix): what the classifier cannot \
              place, its name says (`Event::failed(..).send().await`); sets `write` to the call and `write_what` to its name",
        eval: statement_calls,
        gate: None,
    },
    FilterDef {
        name: "statement_call_has_word",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the callee of the call the statement makes (as for `statement_calls`: a path call's path, a method's \
              name) has one of the listed words, split at every character that is not a letter or digit and \
              compared case-insensitively: `logout::send_backchannel_logout(..)` has `logout`, \
              `Event::logout_failed(..).send()` has only `send`",
        eval: statement_call_has_word,
        gate: None,
    },
    FilterDef {
        name: "later_step_fails",
        args: &[ArgKind::Capture],
        sets: &["later", "later_line"],
        doc: "a later step of the same function (after the node, up to the enclosing fn, closure or async block) \
              makes an effectful call whose failure leaves the function: `?`, `.expect(..)` or `.unwrap()` on it; \
              sets `later` to that call and `later_line` to its line",
        eval: later_step_fails,
        gate: None,
    },
    FilterDef {
        name: "followed_by_call",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["done", "done_line"],
        doc: "a later step of the same function calls a function or method of the list (`*` at the end is a \
              prefix), such as the `ack` or `delete` that marks a work item done; sets `done` to that call and \
              `done_line` to its line",
        eval: followed_by_call,
        gate: None,
    },
    FilterDef {
        name: "item_effect_after",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["done", "done_line"],
        doc: "a later step of the same function makes a call whose effect the list names (entries as for \
              `effect_in`: `action=delete`, `DELETE*`) on the item of a loop around the node: the call's text \
              names the loop's pattern variable (`for job in due { .. db.delete_job(job.id) }`), such as the \
              delete of a job row that marks it done; sets `done` to that call and `done_line` to its line",
        eval: item_effect_after,
        gate: None,
    },
    FilterDef {
        name: "item_call_after",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["done", "done_line"],
        doc: "a later step of the same function calls a function or method of the list (`*` at the end is a prefix) \
              on the item of a loop around the node: the call's text names the loop's pattern variable \
              (`for task in failed { .. task.delete().await? }`); sets `done` to that call and `done_line` to its line",
        eval: item_call_after,
        gate: None,
    },
    FilterDef {
        name: "in_worker",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the node runs in a worker: inside a loop that pulls its next work item (`while let Some(job) = \
              rx.recv().await`, `.next()`, `.pop()`, `.dequeue()`), inside a `for` over rows an awaited read of the \
              same function loaded (`let due = Job::find_due(db).await?; for job in due`), or in a function that \
              runs periodically or is called from one up to two calls away (per the effect model)",
        eval: in_worker,
        gate: Some(&IN_WORKER_GATE),
    },
    FilterDef {
        name: "runs_again_on_failure",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["rerun", "later", "later_line"],
        doc: "a later step can fail and make the node run again: the node comes before the operation a retry loop \
              around it tries again (see `retry_loop`), or a step after it that fails out (see `later_step_fails`) \
              is inside the same closure handed to a call of the list (a retry wrapper), or leaves the enclosing fn, \
              whose error is passed on through callers to a call site that requeues or retries it (an `Err` branch \
              naming a vocabulary `requeue_words` entry, a retry loop or wrapper; per the effect model); sets \
              `rerun` to how, `later` to the step and `later_line` to its line",
        eval: runs_again_on_failure,
        gate: Some(&RUNS_AGAIN_GATE),
    },
];

/// The gate of `runs_again_on_failure`: a retry loop or wrapper around the node is seen in the
/// tree; otherwise only a function the effect model sees run again can pass, and most cannot.
static RUNS_AGAIN_GATE: super::Gate = super::Gate {
    key: runs_again_key,
    admits: runs_again_admits,
};

/// `always` when a retry loop or wrapper around the node may run it again, `fn:<name>` when
/// only a caller of the enclosing fn can, `None` when nothing can (a closure that is not a
/// retry wrapper's: its `?` does not leave the fn).
fn runs_again_key(ctx: &MatchCtx<'_, '_>, args: &[FilterArg]) -> Option<String> {
    let node = ctx.arg_node(&args[0])?;
    let wrappers = ctx.list_with_additions(&args[1]);
    for a in climb(ctx.file, node) {
        match a.kind_name() {
            "loop_expression" | "while_expression" | "for_expression"
                if super::loops::retried_operation_of(ctx.file, a)
                    .is_some_and(|op| op.start_byte() >= node.end_byte()) =>
            {
                return Some("always".to_string());
            }
            "closure_expression" | "async_block" => {
                let wrapped = syntax::ancestors(a)
                    .take(4)
                    .find(|p| p.kind_name() == "call_expression")
                    .and_then(|call| wrapper_name(ctx.file, call, &wrappers));
                return wrapped.map(|_| "always".to_string());
            }
            "function_item" => {
                let name = a.field("name")?;
                return Some(format!("fn:{}", ctx.file.node_text(name)));
            }
            _ => {}
        }
    }
    None
}

fn runs_again_admits(index: &crate::analysis::index::RepoIndex, key: &str) -> bool {
    match key.strip_prefix("fn:") {
        Some(name) => index.effects.rerun_by(name).is_some(),
        None => key == "always",
    }
}

/// How many later nodes one scan reads: a PR can put 100,000 statements after a write, and
/// filters run once per match. Past it the rest is not read (a finding may be missed).
const MAX_SCAN: usize = 5_000;

/// How many `?`, parentheses and `&` one peel looks through.
const MAX_WRAPPERS: usize = 8;

/// The longest call (in bytes of source) a scan reads the text of: a PR's 100,000-link chain is
/// not split into words once per node of it.
const MAX_CALL_BYTES: usize = 8 * 1024;

/// How many later effectful calls are classified per scan (each classification may walk a
/// method chain and look a name up in the effect model).
const MAX_CLASSIFIED: usize = 64;

/// The classifier's lists: the ones the workspace effect model classifies with, so a check
/// sees the same effect for a call as the model does for a function.
fn model_lists() -> Lists<'static> {
    Lists::embedded()
}

/// The call a statement makes, with `?`, `.await`, `&` and error adapters (`map_err`,
/// `context`, `expect`, `unwrap`, ...) peeled off: `let id = db.insert(x).await.context("..")?;`
/// → `db.insert(x).await`.
fn statement_call<'t>(file: &ParsedFile, stmt: Node<'t>) -> Option<Node<'t>> {
    if stmt.byte_range().len() > MAX_STATEMENT_BYTES {
        return None;
    }
    let value = match stmt.kind_name() {
        "let_declaration" => stmt.field("value")?,
        "expression_statement" => stmt.named_child(0)?,
        _ => stmt,
    };
    // `match client.post(url).send().await { .. }`, `if let Err(e) = mailer.send(m).await { .. }`:
    // the call whose result the statement reads.
    let value = match value.kind_name() {
        "match_expression" => value.field("value")?,
        "if_expression" => value
            .field("condition")
            .filter(|c| c.kind_name() == "let_condition")
            .and_then(|c| c.field("value"))?,
        _ => value,
    };
    peel(file, value)
}

/// The branches of the `match` or `if let` a statement is (`match send().await { Ok(..) => ..,
/// .. }`): they run after the call it reads.
fn statement_branches(stmt: Node<'_>) -> Vec<Node<'_>> {
    let value = match stmt.kind_name() {
        "let_declaration" => stmt.field("value"),
        "expression_statement" => stmt.named_child(0),
        _ => Some(stmt),
    };
    match value {
        Some(v) if v.kind_name() == "match_expression" => v.field("body").into_iter().collect(),
        Some(v) if v.kind_name() == "if_expression" => {
            [v.field("consequence"), v.field("alternative")]
                .into_iter()
                .flatten()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `node` without `?`, parentheses, `&` and error adapters, keeping the `.await` of the call
/// it ends at: the form the classifier reads (`db.insert(x).await`). `None` when it is not a
/// call.
fn peel<'t>(file: &ParsedFile, mut node: Node<'t>) -> Option<Node<'t>> {
    for _ in 0..16 {
        // At most a few wrappers: a PR can nest 100,000 `?`, and filters peel every `?` they
        // meet (a call that deep is not one a reader would call a step).
        let mut wrappers = 0;
        while matches!(
            node.kind_name(),
            "try_expression" | "parenthesized_expression" | "reference_expression"
        ) {
            wrappers += 1;
            if wrappers > MAX_WRAPPERS {
                return None;
            }
            node = node.named_child(0)?;
        }
        let call = if node.kind_name() == "await_expression" {
            node.named_child(0)?
        } else {
            node
        };
        if call.kind_name() != "call_expression" {
            return None;
        }
        match syntax::call_name(file, call) {
            Some(name) if is_error_adapter(name) => node = syntax::call_receiver(call)?,
            _ => return Some(node),
        }
    }
    None
}

/// Adapters that only change a call's error or panic on it: the call they are on is the step.
fn is_error_adapter(name: &str) -> bool {
    matches!(
        name,
        "map_err"
            | "context"
            | "with_context"
            | "wrap_err"
            | "wrap_err_with"
            | "expect"
            | "unwrap"
            | "ok_or"
            | "ok_or_else"
            | "err_into"
            | "into_diagnostic"
    )
}

/// Whether `effect` is named by an entry of the list (see `effect_in`). `resolved` says the
/// effect is a workspace function's, named after the function: an `action=` entry then does
/// not name it (a function that sends something somewhere down its calls is not itself a send;
/// its name has to say so).
fn effect_listed(effect: &Effect, resolved: bool, list: &[String]) -> bool {
    let action = match effect.action {
        Action::Read => "read",
        Action::Write => "write",
        Action::Delete => "delete",
        Action::Send => "send",
        Action::Ack => "ack",
    };
    let what = effect.what.to_ascii_lowercase();
    list.iter().any(|entry| {
        if let Some(a) = entry.strip_prefix("action=") {
            !resolved && a.trim() == action
        } else if let Some(k) = entry.strip_prefix("kind=") {
            k.trim() == effect.kind.label()
        } else {
            name_matches_entry(&what, &entry.to_ascii_lowercase())
        }
    })
}

/// Whether `effect` was found by resolving a workspace function (its `what` is the function's
/// name), not read off a client call.
fn is_resolved(model: &EffectModel, effect: &Effect) -> bool {
    model.summary(&effect.what).is_some()
}

fn effect_in(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let list = ctx.list(&args[1]);
    let model = &ctx.index().effects;
    let Some(call) = statement_call(ctx.file, stmt) else {
        return false;
    };
    let Some(effect) = classify(ctx.file, call, &model_lists(), Some(model)) else {
        return false;
    };
    if !effect_listed(&effect, is_resolved(model, &effect), list) {
        return false;
    }
    // `INSERT orders` says more than the chain that runs it; a bare method name says less.
    let shown = if effect.what.contains(' ') {
        effect.what.clone()
    } else {
        syntax::abbreviate(ctx.file, call)
    };
    ctx.set_var("write", shown);
    ctx.set_var("write_what", effect.what.clone());
    ctx.set_var("write_kind", effect.kind.label());
    true
}

/// The ancestors of `node`, innermost first, at most 256, found in one walk down from the root
/// ([`syntax::ancestors_from`]: climbing with `Node::parent` walks down from the root per step).
fn climb<'t>(file: &'t ParsedFile, node: Node<'t>) -> Vec<Node<'t>> {
    let mut ancestors = syntax::ancestors_from(file.tree.root_node(), node);
    ancestors.truncate(256);
    ancestors
}

/// The longest statement (in bytes of source) the filters of this topic read: a statement that
/// long is generated or hostile code, not a step a reviewer would name, and reading its text
/// once per statement nested in it would be quadratic.
const MAX_STATEMENT_BYTES: usize = 64 * 1024;

/// The fn, closure or async block around `node`: the scope whose later steps follow it.
fn scope_of<'t>(file: &'t ParsedFile, node: Node<'t>) -> Option<Node<'t>> {
    climb(file, node).into_iter().find(|a| {
        matches!(
            a.kind_name(),
            "function_item" | "closure_expression" | "async_block"
        )
    })
}

/// The calls a scope's text makes (`name(`, `name::<`), with the byte offset of each name in
/// the file, found by one pass over the text: filters ask it for every statement of a
/// function, so it is kept for the last scope asked about on this thread (compared by its
/// text, so another file or version never reuses it).
struct ScopeCalls {
    start: usize,
    text: String,
    calls: Vec<(usize, String)>,
}

thread_local! {
    static SCOPE_CALLS: std::cell::RefCell<Option<ScopeCalls>> = const { std::cell::RefCell::new(None) };
}

fn scan_calls(start: usize, text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut calls = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if ident(bytes[i]) && (i == 0 || !ident(bytes[i - 1])) {
            let begin = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            let rest = &bytes[i..];
            if rest.first() == Some(&b'(') || rest.starts_with(b"::<") {
                calls.push((start + begin, text[begin..i].to_string()));
            }
        } else {
            i += 1;
        }
    }
    calls
}

/// Whether the text after `node`, up to the end of its scope, calls a name of `list` (an entry
/// ending in `*` is a prefix): read before a scan of the later nodes, which most statements
/// can skip.
fn later_text_calls(file: &ParsedFile, node: Node<'_>, list: &[String]) -> bool {
    let Some(scope) = scope_of(file, node) else {
        return false;
    };
    // A `match` or `if let` statement's branches come after the call it reads.
    let from = statement_call(file, node).map_or(node.end_byte(), |c| c.end_byte());
    let text = file.node_text(scope);
    SCOPE_CALLS.with(|cell| {
        let mut cached = cell.borrow_mut();
        let fresh = cached
            .as_ref()
            .is_none_or(|c| c.start != scope.start_byte() || c.text != text);
        if fresh {
            *cached = Some(ScopeCalls {
                start: scope.start_byte(),
                text: text.to_string(),
                calls: scan_calls(scope.start_byte(), text),
            });
        }
        cached.as_ref().is_some_and(|c| {
            c.calls
                .iter()
                .filter(|(at, _)| *at >= from)
                .any(|(_, name)| list.iter().any(|e| name_matches_entry(name, e)))
        })
    })
}

/// The source text after `node` up to the end of its scope.
fn later_text<'f>(file: &'f ParsedFile, node: Node<'_>) -> &'f str {
    let end = scope_of(file, node).map_or(node.end_byte(), |s| s.end_byte());
    // A `match` or `if let` statement's branches come after the call it reads.
    let from = statement_call(file, node).map_or(node.end_byte(), |c| c.end_byte());
    file.text.get(from..end).unwrap_or("")
}

/// The nodes that run after `node` on the same path, in document order: the statements after it
/// in its block and in every block around it, up to the enclosing fn, closure or async block
/// (or `stop`, when it is an ancestor). Closures, async blocks and items inside them are left
/// out: they do not run as part of this path.
fn later_nodes<'t>(node: Node<'t>, stop: Option<Node<'t>>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    // Each root is scanned whole: first the statement's own branches, then the statements
    // after it, then those after each enclosing block's statement.
    let mut roots = statement_branches(node);
    let mut cur = node;
    for _ in 0..64 {
        let mut sib = cur.next_named_sibling();
        while let Some(s) = sib {
            roots.push(s);
            sib = s.next_named_sibling();
        }
        let Some(parent) = cur.parent() else { break };
        if matches!(
            parent.kind_name(),
            "function_item" | "closure_expression" | "async_block"
        ) || stop.is_some_and(|s| s.id() == parent.id())
        {
            break;
        }
        cur = parent;
    }
    for root in roots {
        let mut skip_until = 0usize;
        for d in syntax::descendants(root) {
            if out.len() >= MAX_SCAN {
                return out;
            }
            if d.start_byte() < skip_until {
                continue;
            }
            if matches!(
                d.kind_name(),
                "closure_expression" | "async_block" | "function_item" | "impl_item"
            ) {
                skip_until = d.end_byte();
                continue;
            }
            out.push(d);
        }
    }
    out
}

/// A later step that fails out of the function: a call (awaited or not) with `?`, `.expect(..)`
/// or `.unwrap()` on it whose effect the classifier knows.
struct FailingStep<'t> {
    call: Node<'t>,
    line: usize,
}

fn later_failing_step<'t>(
    file: &ParsedFile,
    model: &EffectModel,
    node: Node<'t>,
    stop: Option<Node<'t>>,
) -> Option<FailingStep<'t>> {
    let lists = model_lists();
    let mut classified = 0usize;
    for n in later_nodes(node, stop) {
        let inner = match n.kind_name() {
            "try_expression" => n.named_child(0),
            "call_expression"
                if syntax::call_name(file, n).is_some_and(|m| m == "expect" || m == "unwrap") =>
            {
                syntax::call_receiver(n)
            }
            _ => None,
        };
        let Some(call) = inner.and_then(|i| peel(file, i)) else {
            continue;
        };
        if classified >= MAX_CLASSIFIED {
            return None;
        }
        classified += 1;
        if classify(file, call, &lists, Some(model)).is_some() {
            return Some(FailingStep {
                call,
                line: n.start_position().row + 1,
            });
        }
    }
    None
}

fn later_step_fails(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let model = &ctx.index().effects;
    let Some(step) = later_failing_step(ctx.file, model, node, None) else {
        return false;
    };
    ctx.set_var("later", syntax::abbreviate(ctx.file, step.call));
    ctx.set_var("later_line", step.line.to_string());
    true
}

fn followed_by_call(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let list = ctx.list(&args[1]);
    if !later_text_calls(ctx.file, node, list) {
        return false;
    }
    for n in later_nodes(node, None) {
        if n.kind_name() != "call_expression" {
            continue;
        }
        let Some(name) = syntax::call_name(ctx.file, n) else {
            continue;
        };
        if list.iter().any(|e| name_matches_entry(name, e)) {
            ctx.set_var("done", syntax::abbreviate(ctx.file, n));
            ctx.set_var("done_line", (n.start_position().row + 1).to_string());
            return true;
        }
    }
    false
}

/// The names a loop's pattern binds, for every `for` and `while let` loop around `node` in its
/// function (`job` of `for job in due`, `msg` of `while let Some(msg) = rx.recv().await`), and
/// the body of the outermost such loop: the names are in scope only there, so a later step
/// that names one is inside it.
fn loop_items<'t>(file: &'t ParsedFile, node: Node<'t>) -> (Vec<String>, Option<Node<'t>>) {
    let mut names = Vec::new();
    let mut outermost_body = None;
    for a in climb(file, node) {
        let pattern = match a.kind_name() {
            "function_item" | "closure_expression" | "async_block" => break,
            "for_expression" => a.field("pattern"),
            "while_expression" => a
                .field("condition")
                .filter(|c| c.kind_name() == "let_condition")
                .and_then(|c| c.field("pattern")),
            _ => None,
        };
        let Some(pattern) = pattern else { continue };
        outermost_body = a.field("body").or(outermost_body);
        for d in syntax::descendants(pattern).filter(|d| d.kind_name() == "identifier") {
            let name = file.node_text(d);
            if name != "_" && !name.starts_with(char::is_uppercase) {
                names.push(name.to_string());
            }
        }
    }
    (names, outermost_body)
}

fn makes_call(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    statement_call(ctx.file, stmt).is_some()
        && syntax::ancestors_from(ctx.file.tree.root_node(), stmt).len() < 256
}

fn statement_calls(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(call) = statement_call(ctx.file, stmt) else {
        return false;
    };
    if call.kind_name() != "await_expression" {
        return false;
    }
    let Some(name) = call
        .named_child(0)
        .and_then(|c| syntax::call_name(ctx.file, c))
    else {
        return false;
    };
    let list = ctx.list(&args[1]);
    if !list.iter().any(|e| name_matches_entry(name, e)) {
        return false;
    }
    // What the classifier does know is decided by it: a GET's `.send()` reads, and a channel's
    // `tx.send(v)` on a plain binding or field hands a value to another task.
    let model = &ctx.index().effects;
    let lists = model_lists();
    if classify(ctx.file, call, &lists, Some(model)).is_some_and(|e| e.action == Action::Read) {
        return false;
    }
    let receiver = call.named_child(0).and_then(syntax::call_receiver);
    let on_binding =
        receiver.is_some_and(|r| matches!(r.kind_name(), "identifier" | "field_expression"));
    if on_binding
        && lists.get("channel_send_methods").iter().any(|m| m == name)
        && !receiver.is_some_and(|r| bound_to_request(ctx.file, r, &lists))
    {
        return false;
    }
    ctx.set_var("write", syntax::abbreviate(ctx.file, call));
    ctx.set_var("write_what", name);
    true
}

/// Whether `receiver` is a local bound, earlier in its function, to an HTTP request builder
/// (`let request = client.post(url).json(&body);` before `request.send().await`).
fn bound_to_request(file: &ParsedFile, receiver: Node<'_>, lists: &Lists<'_>) -> bool {
    if receiver.kind_name() != "identifier" {
        return false;
    }
    let name = file.node_text(receiver);
    let Some(function) = climb(file, receiver)
        .into_iter()
        .find(|a| a.kind_name() == "function_item")
    else {
        return false;
    };
    let verbs = lists.get("http_verbs");
    syntax::descendants(function)
        .take(MAX_SCAN)
        .filter(|d| d.kind_name() == "let_declaration" && d.end_byte() <= receiver.start_byte())
        .filter(|d| {
            d.field("pattern")
                .is_some_and(|p| file.node_text(p) == name)
        })
        .filter_map(|d| d.field("value"))
        .any(|v| {
            syntax::descendants(v)
                .filter(|c| c.kind_name() == "call_expression")
                .filter_map(|c| syntax::call_name(file, c))
                .any(|m| m != "get" && m != "head" && verbs.iter().any(|x| x == m))
        })
}

fn statement_call_has_word(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(stmt) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(call) = statement_call(ctx.file, stmt) else {
        return false;
    };
    let call = syntax::unwrap_expression(call);
    // The callee: a path call's path (`logout::send_backchannel_logout`), a method's name.
    let callee = match call.field("function") {
        Some(f) if f.kind_name() == "field_expression" => f.field("field"),
        f => f,
    };
    let Some(callee) = callee else {
        return false;
    };
    let list = ctx.list(&args[1]);
    ctx.file
        .node_text(callee)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| list.iter().any(|e| e.eq_ignore_ascii_case(w)))
}

fn item_call_after(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let list = ctx.list(&args[1]);
    if !later_text_calls(ctx.file, node, list) {
        return false;
    }
    let (items, body) = loop_items(ctx.file, node);
    if items.is_empty()
        || !items
            .iter()
            .any(|i| later_text(ctx.file, node).contains(i.as_str()))
    {
        return false;
    }
    for n in later_nodes(node, body) {
        if n.kind_name() != "call_expression" {
            continue;
        }
        let Some(name) = syntax::call_name(ctx.file, n) else {
            continue;
        };
        if !list.iter().any(|e| name_matches_entry(name, e))
            || n.byte_range().len() > MAX_CALL_BYTES
        {
            continue;
        }
        let text = ctx.file.node_text(n);
        if text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| items.iter().any(|i| i == w))
        {
            ctx.set_var("done", syntax::abbreviate(ctx.file, n));
            ctx.set_var("done_line", (n.start_position().row + 1).to_string());
            return true;
        }
    }
    false
}

fn item_effect_after(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let (items, body) = loop_items(ctx.file, node);
    let later = later_text(ctx.file, node);
    if items.is_empty() || !items.iter().any(|i| later.contains(i.as_str())) {
        return false;
    }
    let names_item = |text: &str| {
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| items.iter().any(|i| i == w))
    };
    let list = ctx.list(&args[1]);
    let lists = model_lists();
    let mut classified = 0usize;
    for n in later_nodes(node, body) {
        // The outermost call of a chain (`sqlx::query(..).bind(id).execute(db)`), awaited or not.
        if n.kind_name() != "call_expression"
            || n.byte_range().len() > MAX_CALL_BYTES
            || !names_item(ctx.file.node_text(n))
            || n.parent().is_some_and(|p| {
                p.kind_name() == "field_expression"
                    || (p.kind_name() == "await_expression"
                        && p.parent()
                            .is_some_and(|pp| pp.kind_name() == "field_expression"))
            })
        {
            continue;
        }
        if classified >= MAX_CLASSIFIED {
            return false;
        }
        classified += 1;
        let target = match n.parent() {
            Some(p) if p.kind_name() == "await_expression" => p,
            _ => n,
        };
        // The index is read only for a call that names the item, so most statements decide
        // this filter from their own file.
        let model = &ctx.index().effects;
        if let Some(effect) = classify(ctx.file, target, &lists, Some(model)) {
            if effect_listed(&effect, is_resolved(model, &effect), list) {
                ctx.set_var("done", syntax::abbreviate(ctx.file, n));
                ctx.set_var("done_line", (n.start_position().row + 1).to_string());
                return true;
            }
        }
    }
    false
}

/// What `in_worker` can tell from the tree alone.
enum WorkerSite<'f> {
    /// A loop around the node pulls work items, or iterates rows the function loaded.
    WorkLoop,
    /// Only the effect model can tell whether this enclosing function runs periodically.
    Function(&'f str),
    /// Neither: the node is in no named function.
    Neither,
}

/// `pulls`: the vocabulary's `work_pull_markers`, calls that pull the next work item.
fn worker_site<'f>(file: &'f ParsedFile, node: Node<'_>, pulls: &[String]) -> WorkerSite<'f> {
    let mut function = None;
    let mut for_values = Vec::new();
    for a in climb(file, node) {
        match a.kind_name() {
            "while_expression" => {
                let header = a
                    .field("condition")
                    .map(|c| file.node_text(c))
                    .unwrap_or("");
                if pulls.iter().any(|w| header.contains(w.as_str())) {
                    return WorkerSite::WorkLoop;
                }
            }
            "for_expression" => for_values.extend(a.field("value")),
            "function_item" => {
                function = Some(a);
                break;
            }
            _ => {}
        }
    }
    if let Some(f) = function {
        // Asked for every statement in the loop: answered once per loop of the file.
        let loaded = |v: &Node<'_>| {
            *file.memo("iterates-loaded-rows", *v, f.start_byte(), || {
                iterates_loaded_rows(file, f, *v)
            })
        };
        if for_values.iter().any(loaded) {
            return WorkerSite::WorkLoop;
        }
    }
    match function.and_then(|f| f.field("name")) {
        Some(n) => WorkerSite::Function(file.node_text(n)),
        None => WorkerSite::Neither,
    }
}

fn in_worker(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    match worker_site(ctx.file, node, ctx.data.list("work_pull_markers")) {
        WorkerSite::WorkLoop => true,
        WorkerSite::Function(name) => ctx.index().effects.in_periodic_work(name),
        WorkerSite::Neither => false,
    }
}

/// `in_worker`'s gate: the key is empty when a work loop decides it, else the enclosing
/// function's name, so a statement of a function that never runs as periodic work need not
/// keep its tree.
static IN_WORKER_GATE: Gate = Gate {
    key: |ctx, args| match worker_site(
        ctx.file,
        ctx.arg_node(&args[0])?,
        ctx.data.list("work_pull_markers"),
    ) {
        WorkerSite::WorkLoop => Some(String::new()),
        WorkerSite::Function(name) => Some(name.to_string()),
        WorkerSite::Neither => None,
    },
    admits: |index, name| name.is_empty() || index.effects.in_periodic_work(name),
};

/// Whether a `for` loop's iterable is the rows an awaited read of the same function loaded: the
/// loop is working through persisted work items (`let due = Job::find_due(db).await?;` then
/// `for job in due`).
fn iterates_loaded_rows(file: &ParsedFile, function: Node<'_>, value: Node<'_>) -> bool {
    let value = syntax::unwrap_expression(value);
    let name = match value.kind_name() {
        "identifier" => file.node_text(value),
        _ => return false,
    };
    let lists = model_lists();
    let reads = lists.get("read_prefixes");
    syntax::descendants(function)
        .filter(|d| d.kind_name() == "let_declaration" && d.end_byte() <= value.start_byte())
        .filter(|d| {
            d.field("pattern")
                .is_some_and(|p| file.node_text(p).trim_start_matches("mut ") == name)
        })
        .filter_map(|d| d.field("value"))
        .any(|v| {
            file.node_text(v).contains(".await")
                && peel(file, v)
                    .and_then(|c| {
                        c.named_child(0)
                            .filter(|_| c.kind_name() == "await_expression")
                    })
                    .and_then(|c| syntax::call_name(file, c))
                    .is_some_and(|m| reads.iter().any(|r| m.starts_with(r.as_str())))
        })
}

/// The name of `call` when the list names it: by its function name (`retry`) or by the last two
/// segments of its path (`Retry::spawn`).
fn wrapper_name(file: &ParsedFile, call: Node<'_>, wrappers: &[String]) -> Option<String> {
    let name = syntax::call_name(file, call)?;
    let path = call
        .field("function")
        .map(|f| file.node_text(f))
        .unwrap_or("");
    let segments: Vec<&str> = path.rsplit("::").take(2).collect();
    let short_path = segments.into_iter().rev().collect::<Vec<_>>().join("::");
    wrappers
        .iter()
        .any(|e| name_matches_entry(name, e) || name_matches_entry(&short_path, e))
        .then(|| {
            if short_path.contains("::") {
                short_path
            } else {
                name.to_string()
            }
        })
}

fn runs_again_on_failure(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let wrappers = ctx.list_with_additions(&args[1]);
    let file = ctx.file;
    let model = &ctx.index().effects;
    let set_later = |ctx: &mut MatchCtx<'_, '_>, call: Node<'_>, line: usize, rerun: String| {
        ctx.set_var("later", syntax::abbreviate(ctx.file, call));
        ctx.set_var("later_line", line.to_string());
        ctx.set_var("rerun", rerun);
    };
    let mut function = None;
    for a in climb(file, node) {
        match a.kind_name() {
            "loop_expression" | "while_expression" | "for_expression" => {
                // The loop tries an operation again when it fails: a write before it in the
                // same iteration is made again on every try.
                if let Some(op) = super::loops::retried_operation_of(file, a) {
                    // The operation tried again must itself be a call to a dependency (not the
                    // status check of the node's own response, as in a polling loop).
                    let op_is_effect = op.start_byte() >= node.end_byte()
                        && peel(file, op)
                            .and_then(|c| classify(file, c, &model_lists(), Some(model)))
                            .is_some_and(|e| e.action != Action::Read);
                    if op_is_effect {
                        let line = op.start_position().row + 1;
                        set_later(
                            ctx,
                            op,
                            line,
                            "the retry loop around both tries again".to_string(),
                        );
                        return true;
                    }
                }
            }
            "closure_expression" | "async_block" => {
                let wrapped_by = syntax::ancestors(a)
                    .take(4)
                    .find(|p| p.kind_name() == "call_expression")
                    .and_then(|call| wrapper_name(file, call, &wrappers));
                if let Some(wrapper) = wrapped_by {
                    if let Some(step) = later_failing_step(file, model, node, Some(a)) {
                        set_later(
                            ctx,
                            step.call,
                            step.line,
                            format!("the retry wrapper {wrapper} runs both again"),
                        );
                        return true;
                    }
                }
                // A closure's `?` does not leave the enclosing fn.
                return false;
            }
            "function_item" => {
                function = Some(a);
                break;
            }
            _ => {}
        }
    }
    let Some(name) = function
        .and_then(|f| f.field("name"))
        .map(|n| file.node_text(n))
    else {
        return false;
    };
    let Some(caller) = model.rerun_by(name) else {
        return false;
    };
    let Some(step) = later_failing_step(file, model, node, None) else {
        return false;
    };
    let rerun = format!("{caller}() runs {name}() again when it fails");
    set_later(ctx, step.call, step.line, rerun);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check::CheckData;
    use crate::analysis::filters::FilterExpr;
    use crate::analysis::index::{Manifests, RepoIndex};
    use crate::analysis::source::parse_rust_snippet;
    use std::collections::BTreeMap;

    /// Evaluates `filter` on the first node of `kind` (a tree-sitter kind, captured as `s`) that
    /// starts on 1-based `line` of `src`, with the effect model of `src` built, and returns the
    /// variables it set (`None` when the filter fails).
    fn eval_at(
        src: &str,
        kind: &str,
        line: usize,
        filter: &str,
        lists: &[(&str, &[&str])],
    ) -> Option<BTreeMap<String, String>> {
        let file = parse_rust_snippet("src/a.rs", src);
        let data = CheckData::new(
            lists
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
        );
        let expr = FilterExpr::parse(filter, &["s"], &data).expect("the filter is valid");
        let node = syntax::descendants(file.tree.root_node())
            .find(|n| n.kind_name() == kind && n.start_position().row + 1 == line)
            .expect("the snippet has the node on that line");
        let manifests = Manifests::default();
        let mut index = RepoIndex::collect(&file, &manifests);
        index.finish();
        let config = crate::config::Config::default();
        let mut ctx =
            super::MatchCtx::new(&file, &index, &manifests, &config, &data, vec![("s", node)]);
        expr.eval(&mut ctx).then(|| ctx.vars.clone())
    }

    fn stmt(
        src: &str,
        line: usize,
        filter: &str,
        lists: &[(&str, &[&str])],
    ) -> Option<BTreeMap<String, String>> {
        eval_at(src, "expression_statement", line, filter, lists)
    }

    const INSERT_THEN_PUBLISH: &str = r#"
async fn handle(db: &PgPool, producer: &FutureProducer, order: Order) -> Result<()> {
    sqlx::query("INSERT INTO orders (id, total) VALUES ($1, $2)")
        .bind(Uuid::new_v4()).bind(order.total).execute(db).await?;
    producer.send(record(&order), Duration::ZERO).await?;
    Ok(())
}
"#;

    #[test]
    fn a_statement_effect_is_named_by_action_operation_or_system() {
        let insert = stmt(
            INSERT_THEN_PUBLISH,
            3,
            r#"effect_in(s, "e")"#,
            &[("e", &["INSERT*"])],
        )
        .expect("the insert is listed");
        assert_eq!(insert["write"], "INSERT orders");
        assert_eq!(insert["write_kind"], "database");
        assert!(stmt(
            INSERT_THEN_PUBLISH,
            3,
            r#"effect_in(s, "e")"#,
            &[("e", &["action=send", "UPDATE*"])]
        )
        .is_none());
        let publish = stmt(
            INSERT_THEN_PUBLISH,
            5,
            r#"effect_in(s, "e")"#,
            &[("e", &["action=send"])],
        )
        .expect("the publish sends");
        assert_eq!(publish["write"], "producer.send(..).await");
        assert!(stmt(
            INSERT_THEN_PUBLISH,
            5,
            r#"effect_in(s, "e")"#,
            &[("e", &["kind=queue"])]
        )
        .is_some());
    }

    #[test]
    fn a_workspace_function_is_named_by_its_name_not_by_what_it_reaches() {
        let src = r#"
async fn refresh_profile(http: &Client, id: u64) -> Result<()> {
    http.post(PROFILE_URL).json(&id).send().await?;
    Ok(())
}
async fn run(http: &Client, id: u64) -> Result<()> {
    refresh_profile(http, id).await?;
    Ok(())
}
"#;
        assert!(stmt(src, 7, r#"effect_in(s, "e")"#, &[("e", &["action=send"])]).is_none());
        assert!(stmt(src, 7, r#"effect_in(s, "e")"#, &[("e", &["refresh_*"])]).is_some());
    }

    #[test]
    fn an_awaited_call_is_named_by_its_callee_unless_it_reads_or_feeds_a_channel() {
        let src = r#"
async fn run(client: &Client, tx: Sender<Event>, failure: Failure) -> Result<()> {
    Event::scim_task_failed(&failure).send().await?;
    tx.send(Event::Done).await?;
    client.get(URL).send().await?;
    let request = client.post(URL).json(&failure);
    request.send().await?;
    Ok(())
}
"#;
        let calls: &[(&str, &[&str])] = &[("c", &["send", "send_*"])];
        let filter = r#"statement_calls(s, "c")"#;
        assert_eq!(
            stmt(src, 3, filter, calls).expect("a send")["write"],
            "Event::scim_task_failed(..).send().await"
        );
        assert!(stmt(src, 4, filter, calls).is_none(), "a channel send");
        assert!(stmt(src, 5, filter, calls).is_none(), "a GET");
        assert!(stmt(src, 7, filter, calls).is_some(), "a POST built above");
    }

    #[test]
    fn the_callee_name_carries_the_words_not_its_receiver() {
        let src = r#"
async fn run(f: Failure) -> Result<()> {
    Event::backchannel_logout_failed(&f).send().await?;
    logout::send_backchannel_logout(&f).await?;
    Ok(())
}
"#;
        let words: &[(&str, &[&str])] = &[("w", &["logout"])];
        assert!(stmt(src, 3, r#"statement_call_has_word(s, "w")"#, words).is_none());
        assert!(stmt(src, 4, r#"statement_call_has_word(s, "w")"#, words).is_some());
    }

    #[test]
    fn a_later_effectful_step_with_a_question_mark_fails_out() {
        let later = stmt(INSERT_THEN_PUBLISH, 3, "later_step_fails(s)", &[])
            .expect("the publish after the insert can fail");
        assert_eq!(later["later_line"], "5");
        assert_eq!(later["later"], "producer.send(..).await");
        // The publish is the last step: nothing after it fails.
        assert!(stmt(INSERT_THEN_PUBLISH, 5, "later_step_fails(s)", &[]).is_none());
    }

    #[test]
    fn a_failure_in_a_closure_after_the_node_is_not_a_later_step() {
        let src = r#"
async fn handle(db: &PgPool, producer: &FutureProducer, order: Order) -> Result<()> {
    sqlx::query("INSERT INTO orders (id) VALUES ($1)").bind(Uuid::new_v4()).execute(db).await?;
    let later = || async { producer.send(record(&order), Duration::ZERO).await? };
    Ok(())
}
"#;
        assert!(stmt(src, 3, "later_step_fails(s)", &[]).is_none());
    }

    const JOB_LOOP: &str = r#"
async fn send_due(db: &PgPool, mailer: &Mailer) -> Result<()> {
    let due = Job::find_due(db).await?;
    for job in due {
        mailer.send_email(&job.to).await?;
        job.delete(db).await?;
    }
    Ok(())
}
async fn send_one(db: &PgPool, mailer: &Mailer, job: Job) -> Result<()> {
    mailer.send_email(&job.to).await?;
    audit.delete(db).await?;
    Ok(())
}
"#;

    #[test]
    fn a_call_on_the_loop_item_after_the_node_marks_it_done() {
        let done = stmt(
            JOB_LOOP,
            5,
            r#"item_call_after(s, "d")"#,
            &[("d", &["delete"])],
        )
        .expect("the job is deleted after the send");
        assert_eq!(done["done_line"], "6");
        // Not in a loop: which row the delete removes says nothing about the work item.
        assert!(stmt(
            JOB_LOOP,
            11,
            r#"item_call_after(s, "d")"#,
            &[("d", &["delete"])]
        )
        .is_none());
        assert!(stmt(
            JOB_LOOP,
            5,
            r#"followed_by_call(s, "d")"#,
            &[("d", &["ack"])]
        )
        .is_none());
    }

    #[test]
    fn a_match_on_the_call_has_its_arms_after_it() {
        let src = r#"
async fn handle(queue: &Queue, client: &Client) -> Result<()> {
    for entry in queue.pending().await? {
        match client.post(&entry.url).send().await {
            Ok(_) => queue.delete_entry(&entry.id).await?,
            Err(e) => warn!("{e}"),
        }
    }
    Ok(())
}
"#;
        let done = stmt(
            src,
            4,
            r#"item_call_after(s, "d")"#,
            &[("d", &["delete_*"])],
        )
        .expect("the entry is deleted in the success arm");
        assert_eq!(done["done_line"], "5");
    }

    #[test]
    fn workers_pull_items_loop_over_loaded_rows_or_run_periodically() {
        assert!(
            stmt(JOB_LOOP, 5, "in_worker(s)", &[]).is_some(),
            "rows loaded above"
        );
        assert!(
            stmt(JOB_LOOP, 11, "in_worker(s)", &[]).is_none(),
            "a plain function"
        );
        let pulled = r#"
async fn consume(mut rx: Receiver<Job>, mailer: &Mailer) {
    while let Some(job) = rx.recv().await {
        mailer.send_email(&job.to).await;
    }
}
"#;
        // The vocabulary's `work_pull_markers` name the pull; this test's data has only it.
        let pulls: &[&str] = &[".recv("];
        assert!(stmt(pulled, 4, "in_worker(s)", &[("work_pull_markers", pulls)]).is_some());
        assert!(
            stmt(pulled, 4, "in_worker(s)", &[]).is_none(),
            "no pull named, no work loop"
        );
        let periodic = r#"
async fn tick(mailer: &Mailer) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        if let Err(e) = flush(mailer).await { warn!("{e}"); }
    }
}
async fn flush(mailer: &Mailer) -> Result<()> {
    mailer.send_email("ops@example.com").await?;
    Ok(())
}
"#;
        assert!(
            stmt(periodic, 9, "in_worker(s)", &[]).is_some(),
            "called from a periodic loop"
        );
    }

    #[test]
    fn a_retry_wrapper_around_both_steps_runs_the_node_again() {
        let wrapped = r#"
async fn run(db: &PgPool, producer: &FutureProducer, ev: Event) -> Result<()> {
    retry(ExponentialBackoff::default(), || async {
        sqlx::query("INSERT INTO events (id) VALUES ($1)").bind(Uuid::new_v4()).execute(db).await?;
        producer.send(record(&ev), Duration::ZERO).await?;
        Ok(())
    }).await
}
"#;
        let rerun = stmt(
            wrapped,
            4,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["retry"])],
        )
        .expect("the wrapper re-runs the insert when the publish fails");
        assert_eq!(rerun["rerun"], "the retry wrapper retry runs both again");
        assert_eq!(rerun["later_line"], "5");
        assert!(stmt(
            wrapped,
            4,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["with_retries"])]
        )
        .is_none());
    }

    #[test]
    fn a_write_before_the_operation_a_loop_retries_runs_again() {
        let looped = r#"
async fn run(db: &PgPool, producer: &FutureProducer, ev: Event) -> Result<()> {
    for attempt in 0..3 {
        sqlx::query("INSERT INTO events (id) VALUES ($1)").bind(Uuid::new_v4()).execute(db).await?;
        match producer.send(record(&ev), Duration::ZERO).await {
            Ok(_) => return Ok(()),
            Err(e) => tokio::time::sleep(Duration::from_secs(attempt)).await,
        }
    }
    Ok(())
}
"#;
        let rerun = stmt(
            looped,
            4,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["retry"])],
        )
        .expect("the insert is made again on every try of the send");
        assert_eq!(rerun["later_line"], "5");
        // A loop that polls the node's own response is not retrying a later step.
        let polling = r#"
async fn poll(client: &Client) -> Result<Token> {
    loop {
        let res = client.post(TOKEN_URL).send().await?;
        match res.status() {
            Ok(t) => return Ok(t),
            Err(_) => tokio::time::sleep(Duration::from_secs(5)).await,
        }
    }
}
"#;
        assert!(eval_at(
            polling,
            "let_declaration",
            4,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["retry"])]
        )
        .is_none());
    }

    #[test]
    fn a_caller_that_requeues_on_error_runs_the_function_again() {
        let src = r#"
async fn process(db: &PgPool, http: &Client, ev: &Event) -> Result<()> {
    http.post(&ev.url).json(&ev.body).send().await?;
    sqlx::query("UPDATE events SET sent = true WHERE id = $1").bind(ev.id).execute(db).await?;
    Ok(())
}
async fn consume(db: &PgPool, http: &Client, mut consumer: Consumer) {
    while let Some(Ok(delivery)) = consumer.next().await {
        if process(db, http, &delivery.event).await.is_err() {
            let _ = delivery.nack(BasicNackOptions::default()).await;
        }
    }
}
"#;
        let rerun = stmt(
            src,
            3,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["retry"])],
        )
        .expect("the nack redelivers the event");
        assert_eq!(
            rerun["rerun"],
            "consume() runs process() again when it fails"
        );
        assert_eq!(rerun["later_line"], "4");
        // The same function when nothing requeues it.
        let alone = src.replace(
            "let _ = delivery.nack(BasicNackOptions::default()).await;",
            "warn!(\"failed\");",
        );
        assert!(stmt(
            &alone,
            3,
            r#"runs_again_on_failure(s, "w")"#,
            &[("w", &["retry"])]
        )
        .is_none());
    }
}
