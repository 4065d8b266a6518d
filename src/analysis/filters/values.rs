//! Filters for the `values` topic: where a value goes inside its function, where a path comes
//! from, and what a value is derived from. They know nothing about any one check or crate; the
//! lists they read say which methods or paths matter (`checks/<id>/check.toml` and
//! `checks/vocabulary/`).
//!
//! *Following a value* starts at an expression and climbs its postfix chain: `.await`, `?`, `&`,
//! parentheses and method calls on it (`client.get(u).send().await?.text()`), and from the tail of
//! an `if` or `match` branch to the `if` or `match`. Where the chain ends, the value is
//! - **bound** by `let name = ..`, `name = ..`, a `match` arm or an `if let` pattern: every later
//!   use of the name in the function is followed the same way (three bindings deep);
//! - **dropped**: an expression statement or `let _ = ..`;
//! - or it **escapes**: passed to a function (whose name is then noted as a call on it, so
//!   `serde_json::from_str(&body)` counts as `from_str`), returned, the tail of a block, stored in
//!   a field or a struct, put into a macro. What happens to it then is not known here.

use super::{ArgKind, FilterArg, FilterDef, MatchCtx};
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use tree_sitter::Node;

/// The filters of this topic.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "value_calls_none",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "following the node's value in its function (its method chain, and every use of a local name it is bound \
              to), no method of the list is called on it",
        eval: value_calls_none,
        gate: None,
    },
    FilterDef {
        name: "value_escapes",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "following the node's value in its function, it leaves where it can be followed (passed to a call, \
              returned, the tail of a block, stored in a field or struct, named in a macro) before a method of the \
              list turns it into something else (`resp.text()` is the body, not the response)",
        eval: value_escapes,
        gate: None,
    },
    FilterDef {
        name: "receiver_calls_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the method call's receiver chain (`a.b(..).c(..)` under `.send()`), and the `let` value its root name was \
              bound to in the same function, calls a method of the list",
        eval: receiver_calls_any,
        gate: None,
    },
    FilterDef {
        name: "path_resolves_to",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["path"],
        doc: "the call's function path, its first segment resolved through the file's `use` declarations, is one of \
              the list's paths or starts with one followed by `::` (`Client::new` with `use reqwest::Client;` is \
              `reqwest::Client::new`); sets `path`",
        eval: path_resolves_to,
        gate: None,
    },
    FilterDef {
        name: "file_contains_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the node's file contains one of the listed strings outside comments (`tokio::time::timeout(`): \
              for what a check cannot tie to one value, such as a wrapper applied where a stored client is used",
        eval: file_contains_any,
        gate: None,
    },
    FilterDef {
        name: "inside_impl_of",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["handler"],
        doc: "the node is in a method of an `impl Trait for Type` whose trait's name (last path segment, without \
              generics) is in the list (`FromRequestParts`, `Service`); sets `handler` to `Trait for Type`",
        eval: inside_impl_of,
        gate: None,
    },
    FilterDef {
        name: "checked_before",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "an `if` in the node's function tests the node (or, for a method call, its receiver) with a call of the \
              list (`is_none`, `contains_key`), and either leaves the function, loop or block before the node \
              (`return`, `?`, `continue`, `break`) or holds the node in its body; or an `if let Ok(..)` / \
              `if let Some(..)` on the node ends before it with an `else` that leaves, or an `if let Err(..)` on it \
              (`if let Some(e) = x.err()`) ends before it with a body that leaves: the value was validated",
        eval: checked_before,
        gate: None,
    },
    FilterDef {
        name: "derived_from_params",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["input"],
        doc: "the node names a parameter of its function, or a local bound from one (by `let`, `for`, `match`, \
              `if let` or an assignment, in source order); parameters whose outer type's name starts or ends with a word of the list \
              (`Data` in `web::Data<AppState>`: application state, pools, config) do not count; sets `input` to \
              the parameter",
        eval: derived_from_params,
        gate: None,
    },
    FilterDef {
        name: "derived_from_param_of_type",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &["input", "handler"],
        doc: "as `derived_from_params`, but only parameters whose outer type's name is in the list count \
              (`ServiceRequest` for `req: ServiceRequest`: the raw request of a middleware or helper); sets \
              `input` to the parameter and `handler` to the function that receives it",
        eval: derived_from_param_of_type,
        gate: None,
    },
    FilterDef {
        name: "takes_param_of_type",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the node's function has a parameter whose outer type's name (without `&`, `mut`, a path or \
              generics) is in the list (`Deliver` for `deliver: Deliver`: code handed a delivered message)",
        eval: takes_param_of_type,
        gate: None,
    },
    FilterDef {
        name: "drained_by_waiting_loop",
        args: &[ArgKind::Capture],
        sets: &["consumer"],
        doc: "a name the node's `let` binds (`let (tx, rx) = ..`), or the struct field it initialises, is drained by \
              a loop that waits on other work between two takes (`src/analysis/channels.rs`: a vocabulary \
              `receive_methods` call on it each time round, and an `.await` of something else, or in blocking code \
              a call of the program's own functions or a `wait_calls` one): a loop of the same function (its closures and \
              `select!` arms included; an arm that always leaves the loop is a stop signal, not a drain), a \
              stream adapter that drains it into a sink (`forward_methods`), a workspace fn it is passed to that \
              drains that parameter, or a method of the struct type it is stored in that drains the field \
              (`Self { rx, .. }`, then `self.rx.recv()`); sets `consumer` to where",
        eval: drained_by_waiting_loop,
        gate: None,
    },
];

/// Whether the workspace fn `callee` drains its argument at `index` (through any number of
/// calls, [`EffectModel::drains_argument`](crate::analysis::effects::EffectModel::drains_argument));
/// if so, sets `consumer` to say so.
fn handed_to_drainer(ctx: &mut MatchCtx<'_, '_>, callee: &str, index: usize) -> bool {
    if !ctx.index().effects.drains_argument(callee, index) {
        return false;
    }
    ctx.set_var(
        "consumer",
        format!("the consumer it is handed to through {callee}()"),
    );
    true
}

/// How many uses of a channel's names `drained_by_waiting_loop` follows (a PR can name one
/// 100,000 times).
const MAX_FOLLOWED_USES: usize = 64;

/// How many bindings deep a value is followed (`let resp = ..; let body = resp.text()..`).
const MAX_BINDINGS: usize = 3;
/// How many method calls one chain may have before following stops (hostile input: a chain of
/// 100,000 calls).
const MAX_CHAIN: usize = 256;

/// How many nodes one scan of a function (for the uses of a name, its bindings) looks at: a PR
/// can nest 100,000 expressions in one function, and filters run once per match. Past it, a
/// value counts as escaping (its uses are not known) and a name as not derived from input.
const MAX_SCAN: usize = 5_000;

/// The descendants of `node`, at most [`MAX_SCAN`] of them.
fn scan(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    syntax::descendants(node).take(MAX_SCAN)
}

/// `node` and its ancestors, innermost first, found in one walk down from the root
/// ([`Node::parent`] walks down from the root at every step, so climbing with it is quadratic in
/// depth). Only `node` when it is nested deeper than [`syntax::MAX_ANCESTOR_DEPTH`].
fn lineage<'t>(file: &'t ParsedFile, node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = vec![node];
    out.extend(syntax::ancestors_from(file.tree.root_node(), node));
    out
}

/// The parent of `node` in `lineage` (which must hold `node`).
fn parent_in<'t>(lineage: &[Node<'t>], node: Node<'t>) -> Option<Node<'t>> {
    let at = lineage.iter().position(|n| n.id() == node.id())?;
    lineage.get(at + 1).copied()
}

/// The innermost `fn` around `node`.
fn enclosing_fn<'t>(file: &'t ParsedFile, node: Node<'t>) -> Option<Node<'t>> {
    lineage(file, node)
        .into_iter()
        .skip(1)
        .find(|a| a.kind_name() == "function_item")
}

/// What following a value found.
#[derive(Debug, Default)]
struct Flow {
    /// Names of the methods called on it, in any chain followed.
    calls: Vec<String>,
    /// Whether it left the function's view (see the module doc) while still itself: before a
    /// method of the `transforms` list given to [`follow`] was called on it.
    escapes: bool,
}

fn value_calls_none(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let flow = follow(ctx.file, node, &[]);
    let list = ctx.list(&args[1]);
    !flow.calls.iter().any(|c| in_list(list, c))
}

/// Whether a method call `call` (`json`, or `json::<Value>` with its type) is in a list of
/// method names: an entry `json` matches it with any type, unless an entry `!json::<Value>`
/// excludes that type.
fn in_list(list: &[String], call: &str) -> bool {
    let positive = list.iter().any(|l| {
        !l.starts_with('!')
            && (call == l
                || call
                    .strip_prefix(l.as_str())
                    .is_some_and(|rest| rest.starts_with("::<")))
    });
    positive && !list.iter().any(|l| l.strip_prefix('!') == Some(call))
}

/// Text without whitespace (`serde_json :: Value` → `serde_json::Value`).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn value_escapes(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let transforms = ctx.list(&args[1]);
    ctx.arg_node(&args[0])
        .is_some_and(|node| follow(ctx.file, node, transforms).escapes)
}

/// Follows the value of `node` (see the module doc); a method of `transforms` makes what follows
/// another value, whose escape does not count.
fn follow<'t>(file: &'t ParsedFile, node: Node<'t>, transforms: &[String]) -> Flow {
    let mut flow = Flow::default();
    // (where to climb from, bindings deep, whether it is still the value itself)
    let mut work = vec![(node, 0usize, true)];
    let mut steps = 0;
    while let Some((start, depth, same)) = work.pop() {
        steps += 1;
        if steps > 512 {
            flow.escapes |= same;
            break;
        }
        let before = flow.calls.len();
        let lineage = lineage(file, start);
        let mut top = climb(file, &lineage, start, &mut flow.calls);
        // The value of a branch is the value of its `if` or `match`: `if c { b.x() } else { b }`.
        for _ in 0..MAX_CHAIN {
            match branch_result(&lineage, top) {
                Some(up) => top = climb(file, &lineage, up, &mut flow.calls),
                None => break,
            }
        }
        let same = same && !flow.calls[before..].iter().any(|c| in_list(transforms, c));
        let Some(parent) = parent_in(&lineage, top) else {
            // Nested too deep to know where it goes.
            flow.escapes |= same;
            continue;
        };
        // The uses to follow next, and the node whose end they come after.
        let (names, scope, after) = match parent.kind_name() {
            "expression_statement" => continue,
            // Named in a macro: what the expansion does with it is not known.
            "token_tree" => {
                let before = flow.calls.len();
                token_calls(file, top, &mut flow.calls);
                flow.escapes |=
                    same && !flow.calls[before..].iter().any(|c| in_list(transforms, c));
                continue;
            }
            "let_declaration" if parent.field("value").is_some_and(|v| v.id() == top.id()) => {
                // `let v: T = x.json().await?` reads as `x.json::<T>()`.
                let climbed = flow.calls.len() > before;
                if let (Some(ty), Some(last)) = (parent.field("type"), flow.calls.last_mut()) {
                    if climbed && !last.contains("::<") {
                        last.push_str(&format!("::<{}>", compact(file.node_text(ty))));
                    }
                }
                let names = match parent.field("pattern") {
                    Some(p) if file.node_text(p) == "_" => continue,
                    Some(p) => pattern_names(file, p),
                    None => continue,
                };
                (names, function_scope(&lineage, parent), parent.end_byte())
            }
            "assignment_expression"
                if parent.field("right").is_some_and(|v| v.id() == top.id()) =>
            {
                match parent.field("left") {
                    Some(l) if l.kind_name() == "identifier" => (
                        vec![file.node_text(l).to_string()],
                        function_scope(&lineage, parent),
                        parent.end_byte(),
                    ),
                    _ => {
                        flow.escapes |= same;
                        continue;
                    }
                }
            }
            "match_expression" => {
                let arms = parent.field("body").into_iter().flat_map(named_children);
                for arm in arms.filter(|a| a.kind_name() == "match_arm") {
                    let Some(pattern) = arm.field("pattern") else {
                        continue;
                    };
                    let names = pattern_names(file, pattern);
                    match uses_of(file, &names, arm, pattern.end_byte()) {
                        Some(uses) if depth < MAX_BINDINGS => {
                            work.extend(uses.into_iter().map(|u| (u, depth + 1, same)))
                        }
                        Some(uses) if uses.is_empty() => {}
                        _ => flow.escapes |= same,
                    }
                }
                continue;
            }
            "let_condition" => {
                let names = parent
                    .field("pattern")
                    .map(|p| pattern_names(file, p))
                    .unwrap_or_default();
                let scope = lineage
                    .iter()
                    .skip_while(|a| a.id() != parent.id())
                    .find(|a| matches!(a.kind_name(), "if_expression" | "while_expression"))
                    .copied()
                    .unwrap_or(parent);
                (names, scope, parent.end_byte())
            }
            // A condition or an operand: looked at here, not passed on.
            "binary_expression" | "unary_expression" | "if_expression" | "while_expression" => {
                continue
            }
            // Passed to a function: noted as a call on it (`serde_json::from_str(&body)` reads
            // as `from_str`), and it escapes.
            "arguments" => {
                if let Some(name) = parent_in(&lineage, parent)
                    .filter(|c| c.kind_name() == "call_expression")
                    .and_then(|c| syntax::call_name(file, c))
                {
                    flow.calls.push(name.to_string());
                }
                flow.escapes |= same;
                continue;
            }
            _ => {
                flow.escapes |= same;
                continue;
            }
        };
        match uses_of(file, &names, scope, after) {
            Some(uses) if depth < MAX_BINDINGS => {
                work.extend(uses.into_iter().map(|u| (u, depth + 1, same)))
            }
            Some(uses) if uses.is_empty() => {}
            _ => flow.escapes |= same,
        }
    }
    flow
}

/// The `if` or `match` expression whose value `node` is, when `node` is the tail of one of
/// its branches (a block's last expression, or a match arm's value).
fn branch_result<'t>(lineage: &[Node<'t>], node: Node<'t>) -> Option<Node<'t>> {
    let parent = parent_in(lineage, node)?;
    let branch = match parent.kind_name() {
        "block" => {
            let last = parent.named_child(parent.named_child_count().checked_sub(1)?)?;
            if last.id() != node.id() {
                return None;
            }
            parent
        }
        "match_arm" if parent.field("value").is_some_and(|v| v.id() == node.id()) => {
            // match_arm → match_block → match_expression
            return parent_in(lineage, parent_in(lineage, parent)?);
        }
        _ => return None,
    };
    let mut up = parent_in(lineage, branch)?;
    if up.kind_name() == "match_arm" && up.field("value").is_some_and(|v| v.id() == branch.id()) {
        return parent_in(lineage, parent_in(lineage, up)?);
    }
    if up.kind_name() == "else_clause" {
        up = parent_in(lineage, up)?;
    }
    (up.kind_name() == "if_expression").then_some(up)
}

/// Where a local bound at `node` can be used: its function, or the closure around it.
fn function_scope<'t>(lineage: &[Node<'t>], node: Node<'t>) -> Node<'t> {
    lineage
        .iter()
        .skip_while(|a| a.id() != node.id())
        .find(|a| matches!(a.kind_name(), "function_item" | "closure_expression"))
        .copied()
        .unwrap_or(node)
}

/// Climbs `node`'s postfix chain (within `lineage`, which holds `node`), noting method names,
/// and returns the chain's top expression.
fn climb<'t>(
    file: &ParsedFile,
    lineage: &[Node<'t>],
    node: Node<'t>,
    calls: &mut Vec<String>,
) -> Node<'t> {
    let mut cur = node;
    for _ in 0..MAX_CHAIN {
        let Some(p) = parent_in(lineage, cur) else {
            break;
        };
        match p.kind_name() {
            "await_expression"
            | "try_expression"
            | "parenthesized_expression"
            | "reference_expression" => cur = p,
            "field_expression" if p.field("value").is_some_and(|v| v.id() == cur.id()) => {
                // `x.m(..)` or `x.m::<T>(..)`: the call is the next link; `x.field` is a value.
                let mut up = p;
                let mut turbofish = None;
                if let Some(g) =
                    parent_in(lineage, up).filter(|g| g.kind_name() == "generic_function")
                {
                    turbofish = g.field("type_arguments");
                    up = g;
                }
                if let Some(name) = p.field("field") {
                    let name = file.node_text(name);
                    calls.push(match turbofish {
                        Some(t) => format!("{name}::{}", compact(file.node_text(t))),
                        None => name.to_string(),
                    });
                }
                match parent_in(lineage, up) {
                    Some(call)
                        if call.kind_name() == "call_expression"
                            && call.field("function").is_some_and(|f| f.id() == up.id()) =>
                    {
                        cur = call
                    }
                    _ => cur = p,
                }
            }
            _ => break,
        }
    }
    cur
}

/// Identifiers a pattern binds: `resp`, `Ok(resp)`, `(a, b)`, `Json(body)`, `mut c`; variant
/// and type names (capitalized) are not bindings, and what `Err(e)` binds is the error of a
/// `Result`, not the value it would hold.
fn pattern_names(file: &ParsedFile, pattern: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![pattern];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        seen += 1;
        if seen > MAX_SCAN {
            break;
        }
        match d.kind_name() {
            "tuple_struct_pattern" | "struct_pattern" => {
                let ty = d.field("type");
                if ty.is_some_and(|t| file.node_text(t) == "Err") {
                    continue;
                }
                // `Some(x)`: `Some` is the pattern's type, not a binding.
                stack.extend(named_children(d).filter(|c| ty.is_none_or(|t| t.id() != c.id())));
            }
            "scoped_identifier" | "scoped_type_identifier" => {}
            "identifier" => {
                let text = file.node_text(d);
                if text.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && text != "_" {
                    out.push(text.to_string());
                }
            }
            _ => stack.extend(named_children(d)),
        }
    }
    out.reverse();
    out
}

/// The uses of `names` inside `scope` that start at or after `after`: identifier nodes with one
/// of the names (a `token_tree` use stands for itself: a macro argument). `None` when `scope`
/// is too big to scan ([`MAX_SCAN`]): the uses are not known.
fn uses_of<'t>(
    file: &ParsedFile,
    names: &[String],
    scope: Node<'t>,
    after: usize,
) -> Option<Vec<Node<'t>>> {
    if names.is_empty() {
        return Some(Vec::new());
    }
    let nodes: Vec<Node<'t>> = syntax::descendants(scope).take(MAX_SCAN + 1).collect();
    if nodes.len() > MAX_SCAN {
        return None;
    }
    let let_patterns: Vec<std::ops::Range<usize>> = nodes
        .iter()
        .filter(|d| d.kind_name() == "let_declaration")
        .filter_map(|d| d.field("pattern"))
        .map(|p| p.byte_range())
        .collect();
    // A later `let` binding the same name shadows it: uses after that `let` are another value.
    let shadowed_from = nodes
        .iter()
        .filter(|d| d.start_byte() >= after && d.kind_name() == "let_declaration")
        .find(|d| {
            d.field("pattern")
                .is_some_and(|p| pattern_names(file, p).iter().any(|n| names.contains(n)))
        })
        .map_or(usize::MAX, |d| d.end_byte());
    Some(
        nodes
            .into_iter()
            .filter(|d| d.start_byte() >= after && d.start_byte() < shadowed_from)
            .filter(|d| d.kind_name() == "identifier")
            .filter(|d| names.iter().any(|n| n == file.node_text(*d)))
            // The name a `let` binds is a new value, not a use.
            .filter(|d| !let_patterns.iter().any(|r| r.contains(&d.start_byte())))
            .collect(),
    )
}

/// The methods a macro's tokens call on the name `ident`: `resp.status()` in
/// `info!("{}", resp.status())` (tokens are not parsed as expressions).
fn token_calls(file: &ParsedFile, ident: Node<'_>, calls: &mut Vec<String>) {
    let mut cur = ident;
    for _ in 0..MAX_CHAIN {
        let (Some(dot), Some(name)) = (
            cur.next_sibling(),
            cur.next_sibling().and_then(|d| d.next_sibling()),
        ) else {
            break;
        };
        if file.node_text(dot) != "." || name.kind_name() != "identifier" {
            break;
        }
        calls.push(file.node_text(name).to_string());
        cur = match name.next_sibling() {
            Some(args) if args.kind_name() == "token_tree" => args,
            _ => name,
        };
    }
}

fn named_children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i))
}

fn receiver_calls_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(call) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let list = ctx.list(&args[1]);
    let file = ctx.file;
    let mut names = Vec::new();
    let Some(mut cur) = syntax::call_receiver(call) else {
        return false;
    };
    let mut hops = 0;
    for _ in 0..MAX_CHAIN {
        cur = syntax::unwrap_expression(cur);
        match cur.kind_name() {
            "call_expression" => {
                if let Some(n) = syntax::call_name(file, cur) {
                    names.push(n);
                }
                match syntax::call_receiver(cur) {
                    Some(r) => cur = r,
                    None => break,
                }
            }
            "identifier" if hops == 0 => {
                hops += 1;
                match binding_value(file, cur) {
                    Some(v) => cur = v,
                    None => break,
                }
            }
            _ => break,
        }
    }
    names.iter().any(|n| list.iter().any(|l| l == n))
}

/// The value of the last `let name = value` before `ident` in its function.
fn binding_value<'t>(file: &'t ParsedFile, ident: Node<'t>) -> Option<Node<'t>> {
    let name = file.node_text(ident);
    let func = enclosing_fn(file, ident)?;
    scan(func)
        .filter(|d| d.kind_name() == "let_declaration" && d.end_byte() <= ident.start_byte())
        .filter(|d| {
            d.field("pattern")
                .is_some_and(|p| pattern_names(file, p).iter().any(|n| n == name))
        })
        .last()
        .and_then(|d| d.field("value"))
}

fn path_resolves_to(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(path) = resolved_path(ctx.file, node) else {
        return false;
    };
    let list = ctx.list(&args[1]);
    let is_listed = |p: &str| {
        list.iter().any(|l| {
            p == l
                || p.strip_prefix(l.as_str())
                    .is_some_and(|r| r.starts_with("::"))
        })
    };
    // A crate re-exported by another (`use openidconnect::reqwest;`) resolves to the other
    // crate's path; the path as written still names the crate.
    let written = written_path(ctx.file, node);
    let hit = if is_listed(&path) {
        Some(path)
    } else {
        written.filter(|w| is_listed(w))
    };
    match hit {
        Some(p) => {
            ctx.set_var("path", p);
            true
        }
        None => false,
    }
}

/// The call's function path (or the path itself) as written, without whitespace, a turbofish
/// or a leading `::`; `None` when the function is not a path (a method or a closure).
fn written_path(file: &ParsedFile, node: Node<'_>) -> Option<String> {
    let mut f = if node.kind_name() == "call_expression" {
        node.field("function")?
    } else {
        node
    };
    if f.kind_name() == "generic_function" {
        f = f.field("function")?;
    }
    if !matches!(f.kind_name(), "scoped_identifier" | "identifier") {
        return None;
    }
    Some(
        compact(file.node_text(f))
            .trim_start_matches("::")
            .to_string(),
    )
}

/// The function path of a call (or the path itself), its first segment replaced by what the
/// file's `use` declarations import under that name; `crate::`/`self::` are dropped.
fn resolved_path(file: &ParsedFile, node: Node<'_>) -> Option<String> {
    let text = written_path(file, node)?;
    let mut segments: Vec<&str> = text.split("::").collect();
    while matches!(segments.first(), Some(&"crate") | Some(&"self")) && segments.len() > 1 {
        segments.remove(0);
    }
    let first = *segments.first()?;
    let root = file.tree.root_node();
    // `use` declarations at the top of the file or of an inline module.
    let imported = named_children(root)
        .chain(
            named_children(root)
                .filter(|m| m.kind_name() == "mod_item")
                .filter_map(|m| m.field("body"))
                .flat_map(named_children),
        )
        .filter(|d| d.kind_name() == "use_declaration")
        .flat_map(|d| syntax::expand_use_aliases(file.node_text(d)))
        .find(|(local, _)| local == first)
        .map(|(_, path)| path);
    let mut out: Vec<String> = match imported {
        Some(p) => p,
        None => vec![first.to_string()],
    };
    out.extend(segments[1..].iter().map(|s| s.to_string()));
    Some(out.join("::"))
}

fn file_contains_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let list = ctx.list(&args[1]);
    let text = &ctx.file.text;
    list.iter().any(|needle| {
        text.match_indices(needle.as_str()).any(|(at, _)| {
            // Not inside a line comment: no `//` earlier on the same line.
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            !text[line_start..at].contains("//")
        })
    })
}

fn inside_impl_of(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let Some(imp) = lineage(file, node)
        .into_iter()
        .skip(1)
        .find(|a| a.kind_name() == "impl_item")
    else {
        return false;
    };
    let Some(tr) = imp.field("trait") else {
        return false;
    };
    let text = compact(file.node_text(tr));
    let name = text.split('<').next().unwrap_or("");
    let name = name.rsplit("::").next().unwrap_or(name);
    if !ctx.list(&args[1]).iter().any(|l| l == name) {
        return false;
    }
    let ty = imp
        .field("type")
        .map(|t| compact(file.node_text(t)))
        .unwrap_or_default();
    ctx.set_var("handler", format!("{name} for {ty}"));
    true
}

fn checked_before(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let guards = ctx.list(&args[1]);
    let Some(func) = enclosing_fn(file, node) else {
        return false;
    };
    let target = compact(file.node_text(node));
    let base = match syntax::unwrap_expression(node) {
        call if call.kind_name() == "call_expression" => syntax::call_receiver(call)
            .map(|r| compact(file.node_text(r)))
            .unwrap_or_else(|| target.clone()),
        _ => target.clone(),
    };
    scan(func)
        .filter(|d| d.kind_name() == "if_expression" && d.start_byte() < node.start_byte())
        .any(|guard| {
            let Some(condition) = guard.field("condition") else {
                return false;
            };
            let cond = compact(file.node_text(condition));
            let leaves = |branch: Node<'_>| {
                let text = file.node_text(branch);
                ["return", "?", "continue", "break", "bail!"]
                    .iter()
                    .any(|w| text.contains(w))
            };
            let before = guard.end_byte() <= node.start_byte();
            let binds_target =
                cond.ends_with(&format!("={target}")) || cond.ends_with(&format!("=&{target}"));
            // `if let Ok(v) = &x { .. } else { return; }`: past the `if`, `x` holds a value.
            if (cond.starts_with("letOk(") || cond.starts_with("letSome(")) && binds_target {
                return before && guard.field("alternative").is_some_and(leaves);
            }
            // `if let Err(e) = x { ..; return ..; }` (or `if let Some(e) = x.err()`): past the
            // `if`, `x` is `Ok`.
            let tests_failure = (cond.starts_with("letErr(") && binds_target)
                || (cond.starts_with("letSome(")
                    && (cond.ends_with(&format!("={target}.err()"))
                        || cond.ends_with(&format!("={target}.as_ref().err()"))));
            if tests_failure {
                return before && guard.field("consequence").is_some_and(leaves);
            }
            if !(cond.contains(&target) || cond.contains(&base))
                || !guards.iter().any(|g| cond.contains(g.as_str()))
            {
                return false;
            }
            let Some(body) = guard.field("consequence") else {
                return false;
            };
            body.byte_range().contains(&node.start_byte()) || (before && leaves(body))
        })
}

fn derived_from_params(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let skip = ctx.list(&args[1]);
    let counted = |outer: &str| {
        !skip
            .iter()
            .any(|w| outer.starts_with(w.as_str()) || outer.ends_with(w.as_str()))
    };
    let Some(func) = enclosing_fn(ctx.file, node) else {
        return false;
    };
    // The list's address names it for the file's memo (a check's lists live for the run).
    let counting = ("parameters-not-of-types", skip.as_ptr() as usize);
    match parameter_behind(ctx.file, func, node, counting, counted) {
        Some(param) => {
            ctx.set_var("input", param);
            true
        }
        None => false,
    }
}

fn derived_from_param_of_type(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let Some(func) = enclosing_fn(ctx.file, node) else {
        return false;
    };
    let types = ctx.list(&args[1]);
    let counting = ("parameters-of-types", types.as_ptr() as usize);
    let Some(param) = parameter_behind(ctx.file, func, node, counting, |outer| {
        types.iter().any(|t| t == outer)
    }) else {
        return false;
    };
    let function = func
        .field("name")
        .map(|n| ctx.file.node_text(n).to_string())
        .unwrap_or_else(|| "closure".to_string());
    ctx.set_var("input", param);
    ctx.set_var("handler", function);
    true
}

fn takes_param_of_type(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let types = ctx.list(&args[1]);
    enclosing_fn(ctx.file, node).is_some_and(|func| {
        counted_parameters(ctx.file, func, |outer| types.iter().any(|w| w == outer))
            .next()
            .is_some()
    })
}

/// The parameters of `func` whose written type's outer name
/// ([`syntax::outer_type_name`]) `counted` accepts, `self` not included.
fn counted_parameters<'f, 't>(
    file: &'f ParsedFile,
    func: Node<'t>,
    counted: impl Fn(&str) -> bool + 'f,
) -> impl Iterator<Item = Node<'t>> + 'f
where
    't: 'f,
{
    func.field("parameters")
        .into_iter()
        .flat_map(named_children)
        .filter(|p| p.kind_name() == "parameter")
        .filter(move |p| {
            let ty = p.field("type").map(|t| file.node_text(t)).unwrap_or("");
            counted(syntax::outer_type_name(ty))
        })
}

/// The parameter (as written: `req: ServiceRequest`) of `func` that `node` names, or names a
/// local bound from (by `let`, `for`, `match`, `if let` or an assignment, in source order),
/// among the parameters [`counted_parameters`] gives for `counted`. `counting` names `counted`
/// for the file's memo: the same name must always mean the same choice of parameters.
fn parameter_behind(
    file: &ParsedFile,
    func: Node<'_>,
    node: Node<'_>,
    counting: (&'static str, usize),
    counted: impl Fn(&str) -> bool,
) -> Option<String> {
    let tainted = file.memo(counting.0, func, counting.1, || {
        tainted_names(file, func, counted)
    });
    let before = tainted.partition_point(|(at, _, _)| *at < node.start_byte());
    names_any(file, node, &tainted[..before])
}

/// Every name of `func` that holds a counted parameter's value, in the order it comes to, with
/// the byte where it does (the function's start for the parameters themselves) and the
/// parameter it comes from. Each binding is read once for the whole function: a name bound
/// before a node is tainted at that node exactly when it is in this list before it.
fn tainted_names(
    file: &ParsedFile,
    func: Node<'_>,
    counted: impl Fn(&str) -> bool,
) -> Vec<(usize, String, String)> {
    // (where, name, the parameter it comes from)
    let mut tainted: Vec<(usize, String, String)> = Vec::new();
    for p in counted_parameters(file, func, counted) {
        if let Some(pat) = p.field("pattern") {
            let param = syntax::collapse_whitespace(file.node_text(p));
            for n in pattern_names(file, pat) {
                tainted.push((func.start_byte(), n, param.clone()));
            }
        }
    }
    let Some(body) = func.field("body").filter(|_| !tainted.is_empty()) else {
        return tainted;
    };
    // Bindings in source order, each tainted when its value names a tainted name.
    for d in scan(body) {
        let (patterns, value): (Vec<Node<'_>>, _) = match d.kind_name() {
            "let_declaration" | "for_expression" | "let_condition" => {
                (d.field("pattern").into_iter().collect(), d.field("value"))
            }
            // `content_type = Some(part.content_type())` after `let mut content_type = None;`
            "assignment_expression" => (
                d.field("left")
                    .filter(|l| l.kind_name() == "identifier")
                    .into_iter()
                    .collect(),
                d.field("right"),
            ),
            "match_expression" => (
                d.field("body")
                    .into_iter()
                    .flat_map(named_children)
                    .filter_map(|arm| arm.field("pattern"))
                    .collect(),
                d.field("value"),
            ),
            _ => continue,
        };
        let Some(value) = value else {
            continue;
        };
        if let Some(from) = names_any(file, value, &tainted) {
            for pattern in patterns {
                for n in pattern_names(file, pattern) {
                    if !tainted.iter().any(|(_, t, _)| *t == n) {
                        tainted.push((d.start_byte(), n, from.clone()));
                    }
                }
            }
        }
    }
    tainted
}

/// The parameter behind the first tainted name `node` mentions (as an identifier, not a field
/// or method name).
fn names_any(
    file: &ParsedFile,
    node: Node<'_>,
    tainted: &[(usize, String, String)],
) -> Option<String> {
    std::iter::once(node)
        .chain(scan(node))
        .filter(|d| d.kind_name() == "identifier")
        .find_map(|d| {
            let text = file.node_text(d);
            tainted
                .iter()
                .find(|(_, n, _)| n == text)
                .map(|(_, _, p)| p.clone())
        })
}

fn drained_by_waiting_loop(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let file = ctx.file;
    let lists = crate::analysis::filters::errors::Lists::new(ctx.data);
    let words = crate::analysis::effects::drain_words(&lists);
    let call_lineage = lineage(file, node);
    let top = climb(file, &call_lineage, node, &mut Vec::new());
    let Some(parent) = parent_in(&call_lineage, top) else {
        return false;
    };
    let line = |n: Node<'_>| n.start_position().row + 1;
    // Stored in a field as it is made: `Self { timer: loole::unbounded(), .. }`.
    if parent.kind_name() == "field_initializer" {
        return field_drained(ctx, &call_lineage, parent);
    }
    if parent.kind_name() != "let_declaration" {
        return false;
    }
    let Some(pattern) = parent.field("pattern") else {
        return false;
    };
    // `let (_, rx) = unbounded()`: one end is dropped as it is made, so nothing can fill it.
    if pattern.kind_name() == "tuple_pattern"
        && (0..pattern.child_count())
            .filter_map(|i| pattern.child(i))
            .any(|p| file.node_text(p) == "_")
    {
        return false;
    }
    let names = pattern_names(file, pattern);
    let scope = function_scope(&call_lineage, parent);
    let Some(uses) = uses_of(file, &names, scope, parent.end_byte()) else {
        return false;
    };
    // Each loop is read once, however many uses it holds.
    let mut loops_read: Vec<(usize, Vec<crate::analysis::channels::Source>)> = Vec::new();
    for u in uses.into_iter().take(MAX_FOLLOWED_USES) {
        let name = file.node_text(u);
        let full_lineage = lineage(file, u);
        let use_lineage = lineage_within(&full_lineage, scope);
        // 1. A loop around the use drains it.
        for lp in use_lineage.iter().filter(|a| {
            matches!(
                a.kind_name(),
                "loop_expression" | "while_expression" | "for_expression"
            )
        }) {
            let at = match loops_read.iter().position(|(id, _)| *id == lp.id()) {
                Some(at) => at,
                None => {
                    let drained = crate::analysis::channels::drained_by_loop(file, *lp, words);
                    loops_read.push((lp.id(), drained));
                    loops_read.len() - 1
                }
            };
            if loops_read[at]
                .1
                .contains(&crate::analysis::channels::Source::Name(name.to_string()))
            {
                ctx.set_var("consumer", format!("the loop on line {}", line(*lp)));
                return true;
            }
        }
        // 2. A stream adapter drains it into a sink: `rx.map(Ok).forward(ws).await`.
        let mut calls = Vec::new();
        let top = climb(file, &use_lineage, u, &mut calls);
        if calls.iter().any(|c| words.forward.iter().any(|f| f == c)) {
            ctx.set_var(
                "consumer",
                format!("the forward into a sink on line {}", line(top)),
            );
            return true;
        }
        let Some(parent) = parent_in(&use_lineage, top) else {
            continue;
        };
        // 3b. Passed to a call inside a macro's tokens (`select! { r = control_loop(rx) => .. }`).
        if parent.kind_name() == "token_tree" {
            if let Some((qualifier, name, index)) = token_call_argument(file, parent, u) {
                let owner = impl_type(file, &full_lineage);
                let Some(callee) = crate::analysis::effects::callee_name(qualifier, name, owner)
                else {
                    continue;
                };
                if handed_to_drainer(ctx, &callee, index) {
                    return true;
                }
            }
            continue;
        }
        match parent.kind_name() {
            // 3. Passed to a workspace fn that drains it.
            "arguments" => {
                let Some(call) =
                    parent_in(&use_lineage, parent).filter(|c| c.kind_name() == "call_expression")
                else {
                    continue;
                };
                let Some(index) = (0..parent.named_child_count())
                    .filter_map(|i| parent.named_child(i))
                    .filter(|a| a.kind_name() != "line_comment" && a.kind_name() != "block_comment")
                    .position(|a| a.id() == top.id())
                else {
                    continue;
                };
                let owner = impl_type(file, &full_lineage);
                let Some(callee) =
                    crate::analysis::effects::argument_callee_name(file, call, owner)
                else {
                    continue;
                };
                if handed_to_drainer(ctx, &callee, index) {
                    return true;
                }
            }
            // 4. Stored in a struct whose methods drain the field.
            "field_initializer" | "shorthand_field_initializer"
                if field_drained(ctx, &full_lineage, parent) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Whether the field that `init` (a `field_initializer` or `shorthand_field_initializer` in
/// `lineage`) sets is drained by a method of the struct's type; sets `consumer`.
fn field_drained(ctx: &mut MatchCtx<'_, '_>, lineage: &[Node<'_>], init: Node<'_>) -> bool {
    let file = ctx.file;
    let field = syntax::field_initializer_parts(init).map(|(field, _)| field);
    let st = parent_in(lineage, init).and_then(|l| parent_in(lineage, l));
    let (Some(field), Some(st)) = (field, st) else {
        return false;
    };
    let Some(ty) = syntax::struct_expression_type(file, st, impl_type(file, lineage)) else {
        return false;
    };
    let field = file.node_text(field);
    if !ctx.index().effects.drains_field(ty, field) {
        return false;
    }
    ctx.set_var(
        "consumer",
        format!("a method of {ty} (through its field {field})"),
    );
    true
}

/// The part of a lineage up to and including `scope`.
fn lineage_within<'t>(lineage: &[Node<'t>], scope: Node<'t>) -> Vec<Node<'t>> {
    let end = lineage
        .iter()
        .position(|a| a.id() == scope.id())
        .map_or(lineage.len(), |at| at + 1);
    lineage[..end].to_vec()
}

/// The type of the `impl` block around the innermost node of `lineage`.
fn impl_type<'f>(file: &'f ParsedFile, lineage: &[Node<'_>]) -> Option<&'f str> {
    let imp = lineage.iter().find(|a| a.kind_name() == "impl_item")?;
    syntax::impl_type_name(file, *imp)
}

/// For a token `arg` directly inside the parenthesised `group` of a call written in a macro's
/// tokens (`control_loop(a, rx)`, `Type::run(rx)`): the path segment before the callee's name
/// when there is one (`Type`), the name, and the argument's position.
fn token_call_argument<'f>(
    file: &'f ParsedFile,
    group: Node<'_>,
    arg: Node<'_>,
) -> Option<(Option<&'f str>, &'f str, usize)> {
    if !file.node_text(group).starts_with('(') {
        return None;
    }
    let name = group
        .prev_sibling()
        .filter(|n| n.kind_name() == "identifier")?;
    let qualifier = name
        .prev_sibling()
        .filter(|n| file.node_text(*n) == "::")
        .and_then(|colons| colons.prev_sibling())
        .map(|ty| file.node_text(ty));
    let mut index = 0;
    for i in 0..group.child_count() {
        let child = group.child(i)?;
        if child.id() == arg.id() {
            return Some((qualifier, file.node_text(name), index));
        }
        if file.node_text(child) == "," {
            index += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet("src/a.rs", src)
    }

    /// The first node of `kind` whose text is `text`.
    fn find<'t>(f: &'t ParsedFile, kind: &str, text: &str) -> Node<'t> {
        syntax::descendants(f.tree.root_node())
            .find(|d| d.kind_name() == kind && f.node_text(*d) == text)
            .unwrap_or_else(|| panic!("no {kind} `{text}`"))
    }

    #[test]
    fn a_chain_and_its_bindings_are_followed() {
        let f = file(
            "async fn f(c: C) -> R {\n  let resp = c.post(u).send().await?;\n  let s = resp.status();\n  Ok(())\n}\n",
        );
        let send = find(&f, "call_expression", "c.post(u).send()");
        let flow = follow(&f, send, &[]);
        assert_eq!(flow.calls, vec!["status"]);
        assert!(!flow.escapes);
    }

    #[test]
    fn a_dropped_value_calls_nothing_and_does_not_escape() {
        let f =
            file("async fn f(c: C) { c.post(u).send().await.ok(); let _ = c.get(u).send(); }\n");
        let flow = follow(&f, find(&f, "call_expression", "c.post(u).send()"), &[]);
        assert_eq!(flow.calls, vec!["ok"]);
        assert!(!flow.escapes);
        let flow = follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]);
        assert!(flow.calls.is_empty() && !flow.escapes);
    }

    #[test]
    fn passing_returning_or_storing_escapes() {
        for src in [
            "async fn f(c: C) { check(c.get(u).send().await?); }",
            "async fn f(c: C) -> R { c.get(u).send().await }",
            "async fn f(c: C) { let r = c.get(u).send().await; s.r = r; }",
            "async fn f(c: C) { let r = c.get(u).send().await?; log!(\"{:?}\", r); }",
        ] {
            let f = file(src);
            let flow = follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]);
            assert!(flow.escapes, "{src}");
        }
    }

    #[test]
    fn a_transformed_value_escaping_is_not_the_value_escaping() {
        let f = file("async fn f(c: C) -> R { let r = c.get(u).send().await?; let b = r.text().await?; Ok(b) }");
        let send = find(&f, "call_expression", "c.get(u).send()");
        assert!(follow(&f, send, &[]).escapes);
        assert!(!follow(&f, send, &["text".to_string()]).escapes);
    }

    #[test]
    fn typed_calls_and_negated_list_entries() {
        let list = vec!["json".to_string(), "!json::<serde_json::Value>".to_string()];
        assert!(in_list(&list, "json"));
        assert!(in_list(&list, "json::<Invoice>"));
        assert!(!in_list(&list, "json::<serde_json::Value>"));
        let f = file("async fn f(c: C) -> R { let r = c.get(u).send().await?; let v: serde_json::Value = r.json().await?; Ok(()) }");
        let flow = follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]);
        assert_eq!(flow.calls, vec!["json::<serde_json::Value>"]);
    }

    #[test]
    fn a_function_the_value_is_passed_to_is_noted() {
        let f = file("async fn f(c: C) -> R { let t = c.get(u).send().await?.text().await?; let v: T = serde_json::from_str(&t)?; Ok(()) }");
        let flow = follow(
            &f,
            find(&f, "call_expression", "c.get(u).send()"),
            &["text".to_string()],
        );
        assert_eq!(flow.calls, vec!["text", "from_str"]);
        assert!(!flow.escapes);
    }

    #[test]
    fn a_shadowing_let_ends_the_value() {
        let f = file("async fn f(c: C) -> R { let i = c.get(u).send().await?; let i = i.bytes().await?; store(i) }");
        let flow = follow(
            &f,
            find(&f, "call_expression", "c.get(u).send()"),
            &["bytes".to_string()],
        );
        // The bytes (the second `i`) go to `store`; the response itself never leaves.
        assert_eq!(flow.calls, vec!["bytes", "store"]);
        assert!(!flow.escapes);
    }

    #[test]
    fn an_arm_binding_that_is_not_used_does_not_escape() {
        let f = file(
            "async fn f(c: C) -> R { match c.get(u).send().await { Ok(r) => 1, Err(e) => 2 } }",
        );
        assert!(!follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]).escapes);
    }

    #[test]
    fn what_err_binds_is_not_the_value() {
        let f = file("async fn f(c: C) -> R { match c.get(u).send().await { Ok(_) => Ok(()), Err(e) => Err(e.into()) } }");
        assert!(!follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]).escapes);
    }

    #[test]
    fn match_and_if_let_bindings_are_followed() {
        let f = file(
            "async fn f(c: C) { match c.get(u).send().await { Ok(r) => { r.error_for_status(); } Err(e) => {} } }",
        );
        let flow = follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]);
        assert_eq!(flow.calls, vec!["error_for_status"]);
        let f = file(
            "async fn f(c: C) { if let Ok(r) = c.get(u).send().await { if r.status() == 200 {} } }",
        );
        let flow = follow(&f, find(&f, "call_expression", "c.get(u).send()"), &[]);
        assert_eq!(flow.calls, vec!["status"]);
    }

    #[test]
    fn outer_type_names() {
        assert_eq!(syntax::outer_type_name("web::Data<AppState>"), "Data");
        assert_eq!(syntax::outer_type_name("&'a mut AppState"), "AppState");
        assert_eq!(syntax::outer_type_name("Json<CreateUser>"), "Json");
        assert_eq!(syntax::outer_type_name("HttpRequest"), "HttpRequest");
    }

    #[test]
    fn renamed_imports_resolve() {
        let f = file("use reqwest::Client as HttpClient;\nfn f() { HttpClient::new(); }\n");
        let call = find(&f, "call_expression", "HttpClient::new()");
        assert_eq!(
            resolved_path(&f, call).as_deref(),
            Some("reqwest::Client::new")
        );
    }

    #[test]
    fn paths_resolve_through_use() {
        let f = file("use reqwest::{Client, Url};\nfn f() { Client::new(); crate::x::y(); }\n");
        let call = find(&f, "call_expression", "Client::new()");
        assert_eq!(
            resolved_path(&f, call).as_deref(),
            Some("reqwest::Client::new")
        );
        let call = find(&f, "call_expression", "crate::x::y()");
        assert_eq!(resolved_path(&f, call).as_deref(), Some("x::y"));
    }
}
