//! Channels drained item by item: which loop takes items from which receiver, and whether that
//! loop waits on other work between two takes, so that it can fall behind whoever fills the
//! channel. The effect model asks it of the receivers a function is given or keeps in a field
//! (`EffectModel::drains_argument`, `EffectModel::drains_field`); the `drained_by_waiting_loop`
//! filter asks it of a receiver a function makes.
//!
//! The vocabulary says which calls take an item (`receive_methods`: `rx.recv().await`,
//! `rx.next().await`, `for job in rx.iter()`) and which pass an item on without waiting
//! (`hand_off_methods`: an unbounded send, a spawn, a push). A `select!` loop is read through its
//! tokens: `Some(msg) = self.rx.recv() => { .. }` is a take, and one whose arm always leaves the
//! loop (`_ = abort_rx.recv() => break`) is a stop signal, not a queue.

use crate::analysis::source::ParsedFile;
use crate::analysis::syntax::{self, FieldExt, KindExt};
use tree_sitter::Node;

/// Where a loop takes its items from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A local name or a parameter (`rx`).
    Name(String),
    /// A field of `self` (`self.rx`, `self.rx.1`).
    Field(String),
}

/// The vocabulary lists the questions here read.
#[derive(Debug, Clone, Copy)]
pub struct DrainWords<'a> {
    /// Calls that take the next item (`recv`, `next`).
    pub receive: &'a [String],
    /// Calls that take an item only if one is waiting (`try_recv`).
    pub try_receive: &'a [String],
    /// Calls that pass an item on without waiting (`send` on an unbounded channel, `spawn`).
    pub hand_off: &'a [String],
    /// Stream adapters that drain a stream into a sink (`forward`).
    pub forward: &'a [String],
    /// Words that name a channel's sending end (`tx`, `sender`).
    pub channel_handle: &'a [String],
    /// Calls that wait (`sleep`).
    pub wait: &'a [String],
}

/// How many nodes of one loop are looked at: past it, the loop drains nothing known (a PR can
/// nest 100,000 expressions in one loop).
const MAX_LOOP_NODES: usize = 20_000;

/// How many loops nested in a draining loop are read for an inner loop that empties the
/// channel (`while rx.try_recv().is_ok() {}`).
const MAX_NESTED_LOOPS: usize = 16;

/// The sources `loop_node` drains: it takes items from them item by item (a `receive` call on
/// them anywhere in the loop, `select!` arms included) and waits on other work between two
/// takes ([`waits_between_takes`]). Empty when the loop keeps up (it only hands items on) or
/// takes from nothing the vocabulary knows. A source an inner loop empties without waiting
/// (`loop { rx.recv(); while rx.try_recv().is_ok() {} sleep(..) }`) is drained in batches:
/// what waits is one batch, not a backlog, so it is left out too.
pub fn drained_by_loop(
    file: &ParsedFile,
    loop_node: Node<'_>,
    words: DrainWords<'_>,
) -> Vec<Source> {
    let nodes: Vec<Node<'_>> = syntax::descendants(loop_node)
        .take(MAX_LOOP_NODES + 1)
        .collect();
    if nodes.len() > MAX_LOOP_NODES {
        return Vec::new();
    }
    let whole = LoopShape::of(file, &nodes, words);
    if !whole.waits || whole.answers_on_item_channel {
        return Vec::new();
    }
    let mut emptied: Vec<Source> = Vec::new();
    let nested = nodes
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, n)| {
            matches!(
                n.kind_name(),
                "loop_expression" | "while_expression" | "for_expression"
            )
        })
        .take(MAX_NESTED_LOOPS);
    for (at, inner) in nested {
        // Preorder: the inner loop's nodes are the run that starts at it and ends before the
        // first node past its end.
        let len = nodes[at..]
            .iter()
            .position(|n| n.start_byte() >= inner.end_byte())
            .unwrap_or(nodes.len() - at);
        let shape = LoopShape::of(file, &nodes[at..at + len], words);
        if !shape.waits {
            emptied.extend(shape.takes.into_iter().map(|(s, _)| s));
            emptied.extend(shape.tries);
        }
    }
    let mut out: Vec<Source> = whole
        .takes
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| !whole.signals.contains(s) && !emptied.contains(s))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What one loop does, read from its nodes (the loop first, then its descendants in preorder).
struct LoopShape {
    /// Where it takes items from, each with the take's call node id (`usize::MAX` for a take
    /// in a macro's tokens).
    takes: Vec<(Source, usize)>,
    /// Sources whose take always leaves the loop (stop signals).
    signals: Vec<Source>,
    /// Sources it takes from only if an item is waiting (`try_recv`).
    tries: Vec<Source>,
    /// It waits on other work between two takes ([`waits_between_takes`]).
    waits: bool,
    /// It answers its items on a channel they carry ([`answers_on_item_channel`]).
    answers_on_item_channel: bool,
}

impl LoopShape {
    fn of(file: &ParsedFile, nodes: &[Node<'_>], words: DrainWords<'_>) -> LoopShape {
        let mut takes: Vec<(Source, usize)> = Vec::new();
        let mut signals: Vec<Source> = Vec::new();
        let mut tries: Vec<Source> = Vec::new();
        let mut polled = false;
        let mut other_awaits = 0usize;
        let mut other_calls = false;
        for n in nodes {
            match n.kind_name() {
                "call_expression" => {
                    let Some(name) = syntax::call_name(file, *n) else {
                        continue;
                    };
                    let take = words.receive.iter().any(|r| r == name);
                    if take || words.try_receive.iter().any(|r| r == name) {
                        if let Some(src) = syntax::call_receiver(*n)
                            .and_then(|r| source_of(file.node_text(syntax::unwrap_expression(r))))
                        {
                            if take {
                                takes.push((src, n.id()));
                            } else {
                                tries.push(src);
                            }
                            continue;
                        }
                    }
                    if does_the_work(file, *n, name, words) {
                        other_calls = true;
                    }
                }
                "macro_invocation" => {
                    let text = file.node_text(*n);
                    let found = takes_in_tokens(text, words.receive);
                    polled |= !found.is_empty();
                    for (src, leaves) in found {
                        if leaves {
                            signals.push(src);
                        } else {
                            takes.push((src, usize::MAX));
                        }
                    }
                    other_awaits += awaits_in_tokens(text, words.receive);
                }
                _ => {}
            }
        }
        if takes.is_empty() {
            return LoopShape {
                takes,
                signals,
                tries,
                waits: false,
                answers_on_item_channel: false,
            };
        }
        let mut take_awaited = false;
        // The futures made in the loop (`tokio::spawn(async move { .. })`, a closure): their
        // awaits run in another task or later, not between two takes.
        let elsewhere: Vec<std::ops::Range<usize>> = nodes
            .iter()
            .filter(|n| matches!(n.kind_name(), "async_block" | "closure_expression"))
            .map(|n| n.byte_range())
            .collect();
        for n in nodes.iter().filter(|n| n.kind_name() == "await_expression") {
            let awaited = n.named_child(0).map(|c| c.id());
            if takes.iter().any(|(_, id)| Some(*id) == awaited) {
                take_awaited = true;
            } else if !elsewhere.iter().any(|r| r.contains(&n.start_byte())) {
                other_awaits += 1;
            }
        }
        LoopShape {
            waits: waits_between_takes(other_awaits, take_awaited || polled, other_calls),
            answers_on_item_channel: answers_on_item_channel(file, nodes, words),
            takes,
            signals,
            tries,
        }
    }
}

/// Whether the loop answers the items it takes on a channel they carry (`Some(Job { input,
/// reply_tx }) = rx.recv()`, then `reply_tx.send(out)`): a request-reply channel, whose every
/// sender waits for its answer, so it holds at most one item per waiting caller. A reply channel
/// is a name a pattern of the loop binds whose words include a vocabulary `channel_handle_words`
/// entry (`tx`, `sender`), with `send` called on it.
fn answers_on_item_channel(file: &ParsedFile, nodes: &[Node<'_>], words: DrainWords<'_>) -> bool {
    // A `for` pattern binds the elements of a collection (`for (ip, tx) in &clients`), not
    // parts of a taken item.
    let for_patterns: Vec<std::ops::Range<usize>> = nodes
        .iter()
        .filter(|n| n.kind_name() == "for_expression")
        .filter_map(|n| n.field("pattern"))
        .map(|p| p.byte_range())
        .collect();
    let bound: Vec<&str> = nodes
        .iter()
        .filter(|n| {
            matches!(
                n.kind_name(),
                "tuple_struct_pattern" | "tuple_pattern" | "field_pattern"
            ) && !for_patterns.iter().any(|r| r.contains(&n.start_byte()))
        })
        .flat_map(|p| (0..p.named_child_count()).filter_map(move |i| p.named_child(i)))
        .filter(|n| matches!(n.kind_name(), "identifier" | "shorthand_field_identifier"))
        .map(|n| file.node_text(n))
        .filter(|name| {
            crate::analysis::filters::errors::words(name)
                .iter()
                .any(|w| words.channel_handle.iter().any(|h| h == w))
        })
        .collect();
    // A name a `for` pattern binds too is, where it is sent on, most likely that element.
    let rebound: Vec<&str> = nodes
        .iter()
        .filter(|n| {
            n.kind_name() == "identifier"
                && for_patterns.iter().any(|r| r.contains(&n.start_byte()))
        })
        .map(|n| file.node_text(*n))
        .collect();
    let bound: Vec<&str> = bound.into_iter().filter(|b| !rebound.contains(b)).collect();
    !bound.is_empty()
        && nodes.iter().any(|n| {
            n.kind_name() == "call_expression"
                && syntax::call_name(file, *n) == Some("send")
                && syntax::call_receiver(*n).is_some_and(|r| bound.contains(&file.node_text(r)))
        })
}

/// Whether a call in a blocking loop does the program's own work on an item, which may block
/// on I/O for as long as it likes: a function of the program (`process(item)`,
/// `self.process(item)`, `Worker::handle(item)`) or a wait (`thread::sleep`). A method of
/// another value (`statsd.incr(..)`, `map.insert(..)`), a constructor (`Ok(x)`) or a hand-off
/// (`tx.send(x)`) is not.
fn does_the_work(file: &ParsedFile, call: Node<'_>, name: &str, words: DrainWords<'_>) -> bool {
    if name.starts_with(|c: char| c.is_ascii_uppercase())
        || words.hand_off.iter().any(|h| h == name)
    {
        return false;
    }
    if words.wait.iter().any(|w| w == name) {
        return true;
    }
    let Some(function) = call.field("function") else {
        return false;
    };
    match function.kind_name() {
        "identifier" => true,
        "field_expression" => function
            .field("value")
            .is_some_and(|v| file.node_text(v) == "self"),
        "scoped_identifier" => function.field("path").is_some_and(|p| {
            let ty = crate::analysis::filters::errors::last_segment(file.node_text(p));
            ty.starts_with(|c: char| c.is_ascii_uppercase())
        }),
        _ => false,
    }
}

/// Whether a loop waits on other work between two takes: in async code (a take that is awaited
/// or polled by `select!`), an `.await` of something else; in blocking code, a call that does
/// the program's own work on the item ([`does_the_work`]).
fn waits_between_takes(other_awaits: usize, async_takes: bool, other_calls: bool) -> bool {
    other_awaits > 0 || (!async_takes && other_calls)
}

/// The source a receiver expression names: `rx`, `self.rx`, `self.rx.1`, `&mut self.rx`.
fn source_of(text: &str) -> Option<Source> {
    let text = text.trim_start_matches('&').trim();
    let text = text.strip_prefix("mut ").unwrap_or(text).trim();
    if let Some(rest) = text.strip_prefix("self.") {
        let field = rest.split('.').next()?;
        return is_identifier(field).then(|| Source::Field(field.to_string()));
    }
    is_identifier(text).then(|| Source::Name(text.to_string()))
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text != "self"
}

/// The takes in a macro's tokens (`Some(m) = self.rx.recv() => { .. }` in `select!`), each with
/// whether its arm always leaves the loop (`=> break`, `=> { ..; return }` with the `break` or
/// `return` not nested in a branch).
fn takes_in_tokens(text: &str, receive: &[String]) -> Vec<(Source, bool)> {
    let mut out = Vec::new();
    for method in receive {
        let needle = format!(".{method}(");
        let mut from = 0;
        while let Some(at) = text[from..].find(&needle).map(|i| i + from) {
            from = at + needle.len();
            // The receiver expression: the identifier characters (and dots) before the take.
            let start = text[..at]
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let Some(src) = source_of(&text[start..at]) else {
                continue;
            };
            out.push((src, arm_leaves(&text[from..])));
        }
    }
    out
}

/// Whether the `select!` arm after a take (the text after the take's `(`) always leaves the
/// loop. Text with no `=>` after the take is no arm.
fn arm_leaves(after: &str) -> bool {
    let Some(arrow) = after.find("=>") else {
        return false;
    };
    let arm = after[arrow + 2..].trim_start();
    let body = if let Some(inner) = arm.strip_prefix('{') {
        let mut depth = 0usize;
        let end = inner
            .char_indices()
            .find(|&(_, c)| match c {
                '{' => {
                    depth += 1;
                    false
                }
                '}' if depth == 0 => true,
                '}' => {
                    depth -= 1;
                    false
                }
                _ => false,
            })
            .map_or(inner.len(), |(i, _)| i);
        &inner[..end]
    } else {
        let mut depth = 0usize;
        let end = arm
            .char_indices()
            .find(|&(_, c)| match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    false
                }
                ')' | ']' | '}' if depth > 0 => {
                    depth -= 1;
                    false
                }
                ',' | '}' | ')' if depth == 0 => true,
                _ => false,
            })
            .map_or(arm.len(), |(i, _)| i);
        &arm[..end]
    };
    top_level_words(body)
        .into_iter()
        .any(|w| w == "break" || w == "return")
}

/// The words of `text` outside any bracket it opens.
fn top_level_words(text: &str) -> Vec<&str> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word_char = c.is_ascii_alphanumeric() || c == '_';
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if depth == 0 {
                    out.push(&text[s..i]);
                }
                start = None;
            }
            _ => {}
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if let (Some(s), 0) = (start, depth) {
        out.push(&text[s..]);
    }
    out
}

/// The `.await`s in a macro's tokens that do not await a take (`rx.recv().await` inside
/// `select!` is the take itself).
fn awaits_in_tokens(text: &str, receive: &[String]) -> usize {
    text.match_indices(".await")
        .filter(|(at, _)| {
            let before = text[..*at].trim_end();
            !receive.iter().any(|m| before.ends_with(&format!(".{m}()")))
        })
        .count()
}

/// The identifier a method chain starts from (`rx` in `rx.map(Ok).forward(sink)`).
pub fn chain_root<'t>(mut node: Node<'t>) -> Option<Node<'t>> {
    for _ in 0..256 {
        node = syntax::unwrap_expression(node);
        match node.kind_name() {
            "identifier" => return Some(node),
            "call_expression" => node = syntax::call_receiver(node)?,
            "field_expression" => node = node.field("value")?,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_select_arm_that_always_leaves_is_a_signal() {
        assert!(arm_leaves(") => break,"));
        assert!(arm_leaves(") => { info!(\"stop\"); return Ok(()); }"));
        assert!(!arm_leaves(
            ") => { if let Some(m) = m { w.write(m).await; } else { break; } }"
        ));
        assert!(!arm_leaves(") => { handle(m).await; }"));
        assert!(!arm_leaves(")"));
    }

    #[test]
    fn takes_in_select_tokens_name_their_receivers() {
        let receive = vec!["recv".to_string()];
        let text = "tokio::select! { Some(e) = self.events.recv() => { go(e).await; } _ = abort_rx.recv() => break, }";
        assert_eq!(
            takes_in_tokens(text, &receive),
            vec![
                (Source::Field("events".into()), false),
                (Source::Name("abort_rx".into()), true)
            ]
        );
        assert_eq!(awaits_in_tokens(text, &receive), 1);
        assert_eq!(
            awaits_in_tokens("select! { m = rx.recv().await => {} }", &receive),
            0
        );
    }

    #[test]
    fn tokens_with_wide_characters_before_a_take_are_read_safely() {
        let receive = vec!["recv".to_string()];
        assert_eq!(
            takes_in_tokens("select! { m = ürx.recv() => {} \"é\".recv() }", &receive),
            vec![(Source::Name("rx".into()), false)]
        );
    }

    #[test]
    fn a_receiver_expression_names_a_local_or_a_field() {
        assert_eq!(source_of("rx"), Some(Source::Name("rx".into())));
        assert_eq!(source_of("&mut rx"), Some(Source::Name("rx".into())));
        assert_eq!(source_of("self.rx.1"), Some(Source::Field("rx".into())));
        assert_eq!(source_of("self"), None);
        assert_eq!(source_of("Foo::rx"), None);
    }
}
