//! Filters every check can use: test scope, intent comments, names and text.

use super::{ArgKind, FilterArg, FilterDef, MatchCtx};
use crate::analysis::syntax;
use std::sync::OnceLock;

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
        doc: "a comment on the node's first line, the line above, or inside the node contains one of the listed words (case-insensitive)",
        eval: has_intent_comment,
        gate: None,
    },
    FilterDef {
        name: "call_name_in",
        args: &[ArgKind::Capture, ArgKind::DataList],
        sets: &[],
        doc: "the call expression's function or method name is in the list",
        eval: call_name_in,
        gate: None,
    },
    FilterDef {
        name: "text_matches",
        args: &[ArgKind::Capture, ArgKind::Text],
        sets: &[],
        doc: "the node's source text matches the regular expression",
        eval: text_matches,
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

/// Whether a comment near `node` (its first line, the line above, or inside it) contains one of
/// `words`. Used for the intent signals of `docs/checks.md` §0.
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
    // Comments on consecutive lines directly above (a comment block).
    let mut l = line.saturating_sub(1);
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
    syntax::descendants(node)
        .filter(|d| d.kind() == "line_comment" || d.kind() == "block_comment")
        .any(|c| mentions(ctx.file.node_text(c)))
}

fn has_intent_comment(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    comment_near_mentions(ctx, node, ctx.list(&args[1]))
}

fn call_name_in(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    let node = syntax::unwrap_expression(node);
    if node.kind() != "call_expression" {
        return false;
    }
    syntax::call_name(ctx.file, node)
        .is_some_and(|name| ctx.list(&args[1]).iter().any(|l| l == name))
}

fn regex_cache(pattern: &str) -> Option<regex::Regex> {
    static CACHE: OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Option<regex::Regex>>>,
    > = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .clone()
}

fn text_matches(ctx: &mut MatchCtx<'_, '_>, args: &[FilterArg]) -> bool {
    let Some(node) = ctx.arg_node(&args[0]) else {
        return false;
    };
    regex_cache(args[1].as_str()).is_some_and(|re| re.is_match(ctx.text(node)))
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
        if a.kind() == kind {
            return true;
        }
        if a.kind() == "function_item" {
            return false;
        }
    }
    false
}
