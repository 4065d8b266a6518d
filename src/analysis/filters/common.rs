//! Filters every check can use: test scope, intent comments, names and text.

use super::{ArgKind, FilterArg, FilterDef, Gate, MatchCtx};
use crate::analysis::index::RepoIndex;
use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use tree_sitter::Node;

/// The common filters.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "in_test_code",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the node is in a test file, a #[test]-like function or a #[cfg(test)] module",
        eval: in_test_code,
        gate: None,
    },
    FilterDef {
        name: "has_intent_comment",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "a comment on the node's first line, the lines above, or where the node handles the error (an Err/_ arm, an else branch, an error closure) contains one of the listed words (case-insensitive); or the enclosing fn's doc comment contains one of the check's `doc_intent_words`",
        eval: has_intent_comment,
        gate: None,
    },
    FilterDef {
        name: "fn_doc_names_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the doc comment of the fn around the node contains one of the listed words (case-insensitive): \
              what the whole function is for (`/// waits while another process holds the file lock`)",
        eval: fn_doc_names_any,
        gate: None,
    },
    FilterDef {
        name: "call_name_in",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the call expression's function or method name is in the list (an entry ending in `*` is a prefix: \
              `find_by_*`)",
        eval: call_name_in,
        gate: None,
    },
    FilterDef {
        name: "text_matches",
        args: &[ArgKind::Capture, ArgKind::Regex],
        sets: &[],
        doc: "the node's source text matches the regular expression",
        eval: text_matches,
        gate: None,
    },
    FilterDef {
        name: "text_matches_any",
        args: &[ArgKind::Capture, ArgKind::RegexList],
        sets: &[],
        doc: "the node's source text matches one of the list's regular expressions",
        eval: text_matches_any,
        gate: None,
    },
    FilterDef {
        name: "binding_unused",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the node is a `let` that binds one name (`let _sent = ..;`), and no later statement of its block \
              mentions that name (in code, a macro's arguments or an inline format string): the value is dropped \
              unread, as with `let _ =`",
        eval: binding_unused,
        gate: None,
    },
    FilterDef {
        name: "text_contains_any",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the node's source text contains one of the listed strings",
        eval: text_contains_any,
        gate: None,
    },
    FilterDef {
        name: "spawns_without_logging",
        args: &[ArgKind::Capture],
        sets: &[],
        doc: "the call's function is a task spawn (`spawn`, `tokio::spawn`, `rt::spawn`, `task::spawn_local`), a workspace fn the effect model sees spawn its argument without logging its error, or a `[vocabulary] spawn_wrappers` entry",
        eval: spawns_without_logging,
        gate: Some(&SPAWNS_WITHOUT_LOGGING_GATE),
    },
    FilterDef {
        name: "inside_kind",
        args: &[ArgKind::Capture, ArgKind::Text],
        sets: &[],
        doc: "the node has an ancestor of this tree-sitter kind (within its function)",
        eval: inside_kind,
        gate: None,
    },
];

fn in_test_code(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    ctx.arg_node(&args[0])
        .is_some_and(|n| syntax::is_in_test_code(ctx.file, n))
}

/// The most statements above a line [`statements_in_run_above`] counts.
const MAX_STATEMENT_RUN: usize = 8;

/// How many lines directly above line `line` (1-based) are one-line statements of its shape:
/// the same indentation and the same last 8 characters (`..).ok();`), with no blank line or
/// comment between.
fn statements_in_run_above(file: &ParsedFile, line: usize) -> usize {
    fn shape(text: &str) -> (usize, &str, bool) {
        let indent = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        // The last 8 characters, as a slice of the line.
        let tail_start = trimmed.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
        (
            indent,
            &trimmed[tail_start..],
            trimmed.ends_with(';') && !trimmed.starts_with("//"),
        )
    }
    let (indent, tail, statement) = shape(file.line(line));
    if !statement {
        return 0;
    }
    let mut n = 0;
    while n < MAX_STATEMENT_RUN && line > n + 1 {
        let (i, t, s) = shape(file.line(line - n - 1));
        if !s || i != indent || t != tail {
            break;
        }
        n += 1;
    }
    n
}

/// Whether a comment near `node` (its first line, the line above, or inside it) contains one of
/// `words`. Used for the intent comments of "How to suppress it" in `docs/checks/<id>.md`.
pub fn comment_near_mentions(
    ctx: &MatchCtx<'_, '_>,
    node: tree_sitter::Node<'_>,
    words: &[String],
) -> bool {
    let line = node.start_position().row + 1;
    let mentions = |text: &str| {
        let lower = text.to_ascii_lowercase();
        words
            .iter()
            .any(|w| lower.contains(&w.to_ascii_lowercase()))
    };
    for l in [line.saturating_sub(1), line] {
        if l == 0 {
            continue;
        }
        let text = ctx.file.line(l);
        if let Some(i) = text.find("//") {
            if mentions(&text[i..]) {
                return true;
            }
        }
    }
    // Comments on consecutive lines directly above (a comment block); above a run of one-line
    // statements shaped like this one (`// ignore empty updates` over two `update(..).ok();`
    // lines), the comment heading the run.
    let mut l = line.saturating_sub(1 + statements_in_run_above(ctx.file, line));
    while l >= 1 {
        let t = ctx.file.line(l).trim_start();
        if !t.starts_with("//") {
            break;
        }
        if mentions(t) {
            return true;
        }
        l -= 1;
    }
    // Inside the node, only a comment where the error is handled speaks for the discard: one in
    // an `Err` or catch-all arm, an `else` branch, or an error closure. A comment elsewhere in a
    // long `match` ("if the request was done intentionally") is about something else.
    let short = node.end_position().row - node.start_position().row < 3;
    if syntax::descendants(node)
        .filter(|d| d.kind_name() == "line_comment" || d.kind_name() == "block_comment")
        .any(|c| (short || in_error_branch(ctx.file, c, node)) && mentions(ctx.file.node_text(c)))
    {
        return true;
    }
    // The doc comment of the enclosing fn, read against the check's stricter `doc_intent_words`
    // ("errors are ignored", "best effort", "non-critical"): a doc comment says much more than
    // the one statement, so the everyday words of `words` would silence too much.
    fn_doc_mentions(ctx.file, node, ctx.data.list("doc_intent_words"))
}

/// Whether the doc comment of the fn around `node` contains one of `words` (case-insensitive).
fn fn_doc_mentions(
    file: &crate::analysis::source::ParsedFile,
    node: tree_sitter::Node<'_>,
    words: &[String],
) -> bool {
    !words.is_empty()
        && enclosing_fn_doc(file, node).is_some_and(|doc| {
            let lower = doc.to_ascii_lowercase();
            words
                .iter()
                .any(|w| lower.contains(&w.to_ascii_lowercase()))
        })
}

/// Whether `comment` (inside `within`) sits where an error is handled: an `Err(..)` or `_` match
/// arm, an `else` branch, the body of `if let Err(..)`, or a closure passed to an error method.
fn in_error_branch(
    file: &crate::analysis::source::ParsedFile,
    comment: tree_sitter::Node<'_>,
    within: tree_sitter::Node<'_>,
) -> bool {
    // A comment on the line above an `Err(..)` arm belongs to that arm.
    if let Some(next) = comment.next_named_sibling() {
        if next.kind_name() == "match_arm"
            && next
                .field("pattern")
                .is_some_and(|p| file.node_text(p).starts_with("Err"))
        {
            return true;
        }
    }
    // Each step up costs tree-sitter a walk down from the root, so only a few are taken: an
    // error branch sits a handful of levels above its comment.
    let mut cur = comment;
    for _ in 0..24 {
        let Some(p) = cur.parent() else { return false };
        match p.kind_name() {
            "match_arm" => {
                let pat = p.field("pattern").map(|n| file.node_text(n)).unwrap_or("");
                if pat.starts_with("Err") || pat.trim() == "_" || pat.starts_with("None") {
                    return true;
                }
            }
            "else_clause" => return true,
            "if_expression" => {
                let cond = p
                    .field("condition")
                    .map(|n| file.node_text(n))
                    .unwrap_or("");
                if cond.starts_with("let Err")
                    && p.field("consequence").is_some_and(|c| c.id() == cur.id())
                {
                    return true;
                }
            }
            "arguments" => {
                let name = p
                    .parent()
                    .and_then(|c| syntax::call_name(file, c))
                    .unwrap_or("");
                if matches!(
                    name,
                    "map_err"
                        | "unwrap_or_else"
                        | "or_else"
                        | "inspect_err"
                        | "unwrap_or"
                        | "ok_or_else"
                ) {
                    return true;
                }
            }
            _ => {}
        }
        if p.id() == within.id() {
            return false;
        }
        cur = p;
    }
    false
}

/// The doc comment (`///` lines) of the function enclosing `node`, if any.
fn enclosing_fn_doc(
    file: &crate::analysis::source::ParsedFile,
    node: tree_sitter::Node<'_>,
) -> Option<String> {
    let func = {
        let mut cur = node;
        let mut found = None;
        // A statement sits well within 48 levels of its fn; each step up costs a walk down
        // from the root, so a hostile 100,000-deep file must not pay more.
        for _ in 0..48 {
            let Some(p) = cur.parent() else { break };
            if p.kind_name() == "function_item" {
                found = Some(p);
                break;
            }
            cur = p;
        }
        found?
    };
    let mut line = func.start_position().row; // 0-based row of `fn`; lines above are 1-based `row`
    let mut doc = String::new();
    while line >= 1 {
        let t = file.line(line).trim_start();
        if t.starts_with("///") {
            doc.push_str(t);
            doc.push('\n');
        } else if !t.starts_with("#[") {
            break;
        }
        line -= 1;
    }
    (!doc.is_empty()).then_some(doc)
}

fn has_intent_comment(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    comment_near_mentions(ctx, node, ctx.list(&args[1]))
}

fn fn_doc_names_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    fn_doc_mentions(ctx.file, node, ctx.list(&args[1]))
}

/// What `spawns_without_logging` can tell from the tree and the config alone.
enum SpawnCall<'f> {
    /// A task spawn, or a `[vocabulary] spawn_wrappers` entry.
    Known,
    /// Only the effect model can tell: the name of the workspace fn called.
    Workspace(&'f str),
}

fn spawn_call<'f>(ctx: &MatchCtx<'f, '_>, args: &[FilterArg]) -> Option<SpawnCall<'f>> {
    let function = ctx.arg_node(&args[0])?;
    let path = ctx.file.node_text(function);
    let name = path.rsplit("::").next().unwrap_or(path);
    // A runtime's task spawn by its module path (`tokio::spawn`, `task::spawn_local`,
    // actix's `rt::spawn`), as the effect model reads one
    // (`syntax::fire_and_forget_spawn_of`); a type's `Retry::spawn(..)` is no task.
    if ctx.data.contains("task_spawns", name)
        && !path
            .split("::")
            .any(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        return Some(SpawnCall::Known);
    }
    if ctx.config.vocabulary.is_spawn_wrapper(name, path) {
        return Some(SpawnCall::Known);
    }
    Some(SpawnCall::Workspace(name))
}

/// Whether the effect model sees workspace fn `name` spawn its argument without logging what
/// the task returns (a wrapper that logs it handles the error itself).
fn spawns_unlogged(index: &RepoIndex, name: &str) -> bool {
    index
        .effects
        .summary(name)
        .is_some_and(|s| s.spawns_arg && !s.records_error)
}

fn spawns_without_logging(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    match spawn_call(ctx, args) {
        Some(SpawnCall::Known) => true,
        Some(SpawnCall::Workspace(name)) => spawns_unlogged(ctx.index(), name),
        None => false,
    }
}

/// `spawns_without_logging`'s gate: the key is empty for a known spawn, else the workspace fn's
/// name, so a call of a fn that spawns nothing need not keep its tree.
static SPAWNS_WITHOUT_LOGGING_GATE: Gate = Gate {
    key: |ctx, args| {
        Some(match spawn_call(ctx, args)? {
            SpawnCall::Known => String::new(),
            SpawnCall::Workspace(name) => name.to_string(),
        })
    },
    admits: |index, name| name.is_empty() || spawns_unlogged(index, name),
};

fn call_name_in(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let node = syntax::unwrap_expression(node);
    if node.kind_name() != "call_expression" {
        return false;
    }
    syntax::call_name(ctx.file, node).is_some_and(|name| {
        ctx.list(&args[1])
            .iter()
            .any(|entry| name_matches_entry(name, entry))
    })
}

/// Whether a function or method name matches a list entry: the same name, or, for an entry
/// ending in `*`, a name starting with what comes before it (`find_by_*`).
pub(crate) fn name_matches_entry(name: &str, entry: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == entry,
    }
}

/// Whether `text` matches the regular expression `pattern` (never, when it does not compile).
/// Each thread compiles a pattern once and keeps it: a cloned `Regex` starts with an empty
/// matching cache, and a lock shared by every thread would serialise the filters.
fn regex_is_match(pattern: &str, text: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        if !compiled.contains_key(pattern) {
            compiled.insert(pattern.to_string(), regex::Regex::new(pattern).ok());
        }
        compiled
            .get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|re| re.is_match(text))
    })
}

fn text_matches(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    regex_is_match(args[1].as_str(), ctx.text(node))
}

fn text_matches_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let text = ctx.text(node);
    ctx.list(&args[1])
        .iter()
        .any(|pattern| regex_is_match(pattern, text))
}

fn binding_unused(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    ctx.arg_node(&args[0])
        .is_some_and(|node| let_binding_unused(ctx.file, node))
}

/// Whether `stmt` is a `let` of one plain name that no later statement of its block mentions.
/// Any whole-word mention counts as a use (a read, a shadowing `let`, a `{name}` in a format
/// string), so a name the code may read is never taken for unread. Each block's words are read
/// once, however many of its `let`s are asked about.
fn let_binding_unused(file: &ParsedFile, stmt: Node<'_>) -> bool {
    if stmt.kind_name() != "let_declaration" {
        return false;
    }
    let Some(name) = stmt
        .field("pattern")
        .filter(|p| p.kind_name() == "identifier")
        .map(|p| file.node_text(p))
    else {
        return false;
    };
    let Some(block) = stmt.parent() else {
        return false;
    };
    let last_mentions = file.memo("last_word_mentions", block, 0, || {
        last_word_mentions(file.node_text(block), block.start_byte())
    });
    last_mentions
        .get(name)
        .is_none_or(|&at| at < stmt.end_byte())
}

/// The byte offset (in the file, `base` being where `text` starts) of each word's last whole-word
/// occurrence in `text`: a word is a run of letters, digits and `_`.
fn last_word_mentions(text: &str, base: usize) -> std::collections::HashMap<String, usize> {
    let mut last = std::collections::HashMap::new();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (is_word(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                last.insert(text[from..at].to_string(), base + from);
                start = None;
            }
            _ => {}
        }
    }
    last
}

fn text_contains_any(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let text = ctx.text(node);
    ctx.list(&args[1]).iter().any(|s| text.contains(s.as_str()))
}

fn inside_kind(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let kind = args[1].as_str();
    for a in syntax::ancestors(node) {
        if a.kind_name() == kind {
            return true;
        }
        if a.kind_name() == "function_item" {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether each `let` of `body` (in order) is a binding nothing later reads.
    fn unread(body: &str) -> Vec<bool> {
        let f = crate::analysis::source::parse_rust_snippet(
            "src/a.rs",
            &format!("fn f() {{ {body} }}"),
        );
        let lets: Vec<Node<'_>> = syntax::descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "let_declaration")
            .collect();
        lets.into_iter()
            .map(|l| let_binding_unused(&f, l))
            .collect()
    }

    #[test]
    fn a_binding_is_unread_only_when_no_later_statement_mentions_its_name() {
        assert_eq!(unread("let _res = save(); done();"), [true]);
        // A longer name that starts with it is another name.
        assert_eq!(
            unread("let _res = save(); let _res2 = 1; log(_res2);"),
            [true, false]
        );
        // A macro's argument and an inline format string are reads.
        assert_eq!(unread("let _res = save(); info!(\"{_res:?}\");"), [false]);
        assert_eq!(
            unread("let _res = save(); debug!(\"{:?}\", _res);"),
            [false]
        );
        // Only a plain name is a binding this reads; `_` and patterns are other rules' business.
        assert_eq!(
            unread("let _ = save(); let (a, _b) = pair();"),
            [false, false]
        );
    }
}
