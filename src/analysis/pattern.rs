//! The rules' tree-sitter query patterns, matched by failmode itself on each node of the one walk
//! the repository index already makes over every tree. A tree-sitter `QueryCursor` pass costs
//! about half a parse on its own; matching here costs a lookup by node kind per node.
//!
//! The rules stay tree-sitter queries (a repository's own checks are compiled by tree-sitter
//! when they load, which validates them; the built-in ones are in the tests). This matcher covers the query language the checks use: node and
//! wildcard patterns, anonymous (string) nodes, fields, negated fields, anchors, alternations,
//! captures, and the `#eq?` / `#match?` predicates (and their `not-` forms). A language whose
//! patterns use anything else (quantifiers, for instance) is matched with tree-sitter's cursor
//! instead, so a custom check never silently matches less.

use super::syntax::NodeList;
use regex::Regex;
use std::fmt;
use tree_sitter::{Language, Node};

/// Why a query cannot be matched by [`PatternSet`] (the caller falls back to tree-sitter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query pattern not supported by failmode's matcher at byte {at}: {message}")]
pub struct PatternError {
    /// Byte offset in the query text.
    pub at: usize,
    /// What is not supported.
    pub message: String,
}

/// A capture: its name's index in [`PatternSet::capture_names`] and the node.
pub type Capture<'t> = (u16, Node<'t>);

/// One match of one pattern: which pattern (the tree-sitter pattern index) and its captures.
#[derive(Debug, Clone)]
pub struct PatternMatch<'t> {
    /// Index of the pattern, the same as tree-sitter's pattern index for the same query text.
    pub pattern: usize,
    /// The node the pattern matched at.
    pub root: Node<'t>,
    /// The captured nodes.
    pub captures: Vec<Capture<'t>>,
}

/// Compiled patterns of one language.
pub struct PatternSet {
    patterns: Vec<Pattern>,
    names: Vec<String>,
    /// For each node kind id, the patterns whose root may match a node of that kind.
    by_kind: Vec<Vec<usize>>,
}

impl fmt::Debug for PatternSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatternSet")
            .field("patterns", &self.patterns.len())
            .field("captures", &self.names)
            .finish()
    }
}

struct Pattern {
    root: NodePat,
    predicates: Vec<Predicate>,
}

#[derive(Clone)]
enum KindSet {
    /// `_`: any node.
    Any,
    /// `(_)`: any named node.
    AnyNamed,
    /// These kind ids (one name can have several ids, e.g. through aliases).
    Ids(Vec<u16>),
}

impl KindSet {
    fn matches(&self, node: Node<'_>) -> bool {
        match self {
            KindSet::Any => true,
            KindSet::AnyNamed => node.is_named(),
            KindSet::Ids(ids) => ids.contains(&node.kind_id()),
        }
    }
}

struct NodePat {
    kind: KindSet,
    /// Non-empty for `[ .. ]`: the node matches any of these (and `kind` is unused).
    alternatives: Vec<NodePat>,
    children: Vec<ChildStep>,
    negated_fields: Vec<u16>,
    /// `.` after the last child pattern: it must be the last named child.
    anchored_end: bool,
    captures: Vec<u16>,
}

struct ChildStep {
    field: Option<u16>,
    /// `.` before this step: first named child, or right after the previous step's child.
    anchored: bool,
    pat: NodePat,
}

enum PredicateKind {
    EqText(String),
    EqCapture(u16),
    Match(Regex),
}

struct Predicate {
    capture: u16,
    negated: bool,
    kind: PredicateKind,
}

/// A child of a node being matched: the node, its field, its index among named children, and
/// where it is in the walk's node list ([`NOT_LISTED`] when it is not there).
#[derive(Clone, Copy)]
struct Child<'t> {
    node: Node<'t>,
    field: Option<u16>,
    named_index: usize,
    at: usize,
}

/// [`Child::at`] of a node the node list does not hold.
const NOT_LISTED: usize = usize::MAX;

impl PatternSet {
    /// Compiles `query` for `language`. Patterns are numbered in source order, exactly like
    /// tree-sitter numbers them.
    pub fn new(language: &Language, query: &str) -> Result<PatternSet, PatternError> {
        let mut parser = Parser {
            language,
            text: query,
            pos: 0,
            names: Vec::new(),
        };
        let mut patterns = Vec::new();
        loop {
            parser.skip_space();
            if parser.pos >= query.len() {
                break;
            }
            let mut predicates = Vec::new();
            let root = parser.pattern(&mut predicates)?;
            patterns.push(Pattern { root, predicates });
        }
        let kinds = language.node_kind_count();
        let mut by_kind = vec![Vec::new(); kinds];
        for (i, p) in patterns.iter().enumerate() {
            for (id, list) in by_kind.iter_mut().enumerate() {
                let id = u16::try_from(id).unwrap_or(u16::MAX);
                if root_may_match(&p.root, id, language) {
                    list.push(i);
                }
            }
        }
        Ok(PatternSet {
            patterns,
            names: parser.names,
            by_kind,
        })
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The kind ids a pattern's root can match, i.e. the kinds a walk must not leave unlisted.
    pub fn root_kinds(&self) -> Vec<u16> {
        self.by_kind
            .iter()
            .enumerate()
            .filter(|(_, patterns)| !patterns.is_empty())
            .filter_map(|(id, _)| u16::try_from(id).ok())
            .collect()
    }

    /// Capture names, indexed by [`Capture`]'s first field.
    pub fn capture_names(&self) -> &[String] {
        &self.names
    }

    /// Appends to `out` every match of every pattern rooted at the node at index `at` of
    /// `list`, in pattern order. Children are read from the list where it holds them, so
    /// matching costs no tree walk; `scratch` holds buffers one caller reuses from node to node.
    pub fn match_at<'t>(
        &self,
        list: &NodeList<'t>,
        at: usize,
        text: &[u8],
        scratch: &mut MatchScratch<'t>,
        out: &mut Vec<PatternMatch<'t>>,
    ) {
        let Some((kind_id, node)) = list.node_at(at) else {
            return;
        };
        let Some(candidates) = self.by_kind.get(usize::from(kind_id)) else {
            return;
        };
        // The patterns rooted here look at the same children: each node's are read once.
        let MatchScratch { children, caps } = scratch;
        children.clear();
        let mut cache = ChildCache { list, children };
        let root = Child {
            node,
            field: None,
            named_index: 0,
            at,
        };
        for &pi in candidates {
            let pattern = &self.patterns[pi];
            caps.clear();
            match_node(&pattern.root, root, &mut cache, caps, &mut |_, caps| {
                if pattern.predicates.iter().all(|p| p.holds(caps, text)) {
                    out.push(PatternMatch {
                        pattern: pi,
                        root: node,
                        captures: caps.clone(),
                    });
                }
            });
        }
    }
}

/// Buffers [`PatternSet::match_at`] reuses from one node to the next.
#[derive(Default)]
pub struct MatchScratch<'t> {
    children: ChildLists<'t>,
    caps: Vec<Capture<'t>>,
}

/// Whether a node of kind `id` can be the root of a match of `pat`.
fn root_may_match(pat: &NodePat, id: u16, language: &Language) -> bool {
    if !pat.alternatives.is_empty() {
        return pat
            .alternatives
            .iter()
            .any(|a| root_may_match(a, id, language));
    }
    match &pat.kind {
        KindSet::Any => true,
        KindSet::AnyNamed => language.node_kind_is_named(id),
        KindSet::Ids(ids) => ids.contains(&id),
    }
}

fn node_text<'a>(node: Node<'_>, text: &'a [u8]) -> &'a [u8] {
    text.get(node.start_byte()..node.end_byte()).unwrap_or(&[])
}

impl Predicate {
    /// Like tree-sitter: every node captured under the name must satisfy it (none: it holds).
    fn holds(&self, caps: &[Capture<'_>], text: &[u8]) -> bool {
        caps.iter()
            .filter(|(c, _)| *c == self.capture)
            .all(|(_, node)| {
                let t = node_text(*node, text);
                let ok = match &self.kind {
                    PredicateKind::EqText(s) => t == s.as_bytes(),
                    PredicateKind::EqCapture(other) => caps
                        .iter()
                        .filter(|(c, _)| c == other)
                        .all(|(_, n)| node_text(*n, text) == t),
                    PredicateKind::Match(re) => {
                        std::str::from_utf8(t).is_ok_and(|s| re.is_match(s))
                    }
                };
                ok != self.negated
            })
    }
}

/// Matches `pat` at `child`'s node, calling `found` once for every way it matches (a pattern
/// with a child step can match several children, e.g. one match per `match` arm).
fn match_node<'t>(
    pat: &NodePat,
    child: Child<'t>,
    cache: &mut ChildCache<'_, 't>,
    caps: &mut Vec<Capture<'t>>,
    found: &mut dyn FnMut(&mut ChildCache<'_, 't>, &mut Vec<Capture<'t>>),
) {
    let node = child.node;
    if !pat.alternatives.is_empty() {
        for alt in &pat.alternatives {
            let mark = caps.len();
            caps.extend(pat.captures.iter().map(|&c| (c, node)));
            match_node(alt, child, cache, caps, found);
            caps.truncate(mark);
        }
        return;
    }
    if !pat.kind.matches(node) {
        return;
    }
    if pat
        .negated_fields
        .iter()
        .any(|&f| node.child_by_field_id(f).is_some())
    {
        return;
    }
    let mark = caps.len();
    caps.extend(pat.captures.iter().map(|&c| (c, node)));
    if pat.children.is_empty() && !pat.anchored_end {
        found(cache, caps);
    } else {
        let children = cache.children_of(child);
        match_steps(pat, children, 0, 0, None, cache, caps, found);
    }
    caps.truncate(mark);
}

/// Where one node's children are in a [`ChildLists`], and how many are named.
#[derive(Clone, Copy)]
struct ChildList {
    start: usize,
    len: usize,
    named: usize,
}

/// The children of the nodes looked at while matching at one root, read once each (several
/// patterns rooted at the same node, e.g. every `expression_statement` rule, look at the same
/// children), in one buffer.
#[derive(Default)]
struct ChildLists<'t> {
    lists: Vec<(usize, ChildList)>,
    children: Vec<Child<'t>>,
}

impl ChildLists<'_> {
    fn clear(&mut self) {
        self.lists.clear();
        self.children.clear();
    }
}

/// Reads children for the matcher: from the walk's node list where it holds them, otherwise
/// (inside nodes it lists without their descendants) with a tree cursor, once per node.
struct ChildCache<'a, 't> {
    list: &'a NodeList<'t>,
    children: &'a mut ChildLists<'t>,
}

impl<'t> ChildCache<'_, 't> {
    fn children_of(&mut self, parent: Child<'t>) -> ChildList {
        let ChildLists { lists, children } = &mut *self.children;
        let node = parent.node;
        if let Some((_, list)) = lists.iter().find(|(id, _)| *id == node.id()) {
            return *list;
        }
        let start = children.len();
        let mut named = 0;
        let mut push = |child: Node<'t>, field: Option<u16>, at: usize| {
            children.push(Child {
                node: child,
                field,
                named_index: named,
                at,
            });
            if child.is_named() {
                named += 1;
            }
        };
        match self.list.children_at(parent.at) {
            Some(listed) => {
                for (at, child, field) in listed {
                    push(child, (field != 0).then_some(field), at);
                }
            }
            None => {
                let mut cursor = node.walk();
                if cursor.goto_first_child() {
                    loop {
                        push(cursor.node(), cursor.field_id().map(u16::from), NOT_LISTED);
                        if !cursor.goto_next_sibling() {
                            break;
                        }
                    }
                }
            }
        }
        let list = ChildList {
            start,
            len: children.len() - start,
            named,
        };
        lists.push((node.id(), list));
        list
    }

    fn child(&self, list: ChildList, pos: usize) -> Child<'t> {
        self.children.children[list.start + pos]
    }
}

/// Matches child steps `step..` against `list.children[from..]`, in order.
#[allow(clippy::too_many_arguments)]
fn match_steps<'t>(
    pat: &NodePat,
    list: ChildList,
    step: usize,
    from: usize,
    previous: Option<usize>,
    cache: &mut ChildCache<'_, 't>,
    caps: &mut Vec<Capture<'t>>,
    found: &mut dyn FnMut(&mut ChildCache<'_, 't>, &mut Vec<Capture<'t>>),
) {
    let Some(s) = pat.children.get(step) else {
        let last_ok = !pat.anchored_end
            || previous.is_some_and(|p| {
                let last = cache.child(list, p);
                last.node.is_named() && last.named_index + 1 == list.named
            });
        if last_ok {
            found(cache, caps);
        }
        return;
    };
    for pos in from..list.len {
        let child = cache.child(list, pos);
        if s.field.is_some() && child.field != s.field {
            continue;
        }
        if s.anchored {
            if !child.node.is_named() {
                continue;
            }
            let wanted = previous.map_or(0, |p| {
                let before = cache.child(list, p);
                before.named_index + usize::from(before.node.is_named())
            });
            if child.named_index != wanted {
                continue;
            }
        }
        match_node(&s.pat, child, cache, caps, &mut |cache, caps| {
            match_steps(pat, list, step + 1, pos + 1, Some(pos), cache, caps, found)
        });
    }
}

struct Parser<'a> {
    language: &'a Language,
    text: &'a str,
    pos: usize,
    names: Vec<String>,
}

impl Parser<'_> {
    fn error<T>(&self, message: impl Into<String>) -> Result<T, PatternError> {
        Err(PatternError {
            at: self.pos,
            message: message.into(),
        })
    }

    fn skip_space(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with(';') {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.pos..].chars().next()
    }

    fn expect(&mut self, c: char) -> Result<(), PatternError> {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            self.error(format!("expected `{c}`"))
        }
    }

    /// An identifier: node kinds, field names, capture names, predicate names.
    fn ident(&mut self) -> Result<&str, PatternError> {
        self.skip_space();
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '?')))
            .unwrap_or(rest.len());
        if len == 0 {
            return self.error("expected a name");
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn string(&mut self) -> Result<String, PatternError> {
        self.expect('"')?;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, '0')) => out.push('\0'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        self.error("unterminated string")
    }

    fn capture_id(&mut self, name: &str) -> u16 {
        let i = match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        };
        u16::try_from(i).unwrap_or(u16::MAX)
    }

    fn captures(&mut self) -> Result<Vec<u16>, PatternError> {
        let mut out = Vec::new();
        while self.peek() == Some('@') {
            self.pos += 1;
            let name = self.ident()?.to_string();
            out.push(self.capture_id(&name));
        }
        if matches!(self.peek(), Some('*' | '+' | '?')) {
            return self.error("quantifiers (`*`, `+`, `?`)");
        }
        Ok(out)
    }

    fn kind_ids(&self, name: &str, named: bool) -> Result<KindSet, PatternError> {
        let ids: Vec<u16> = (0..self.language.node_kind_count())
            .filter_map(|id| u16::try_from(id).ok())
            .filter(|&id| {
                self.language.node_kind_is_named(id) == named
                    && self.language.node_kind_for_id(id) == Some(name)
            })
            .collect();
        if ids.is_empty() {
            return self.error(format!("unknown node kind `{name}`"));
        }
        Ok(KindSet::Ids(ids))
    }

    fn field_id(&self, name: &str) -> Result<u16, PatternError> {
        match self.language.field_id_for_name(name) {
            Some(id) => Ok(id.get()),
            None => self.error(format!("unknown field `{name}`")),
        }
    }

    /// One pattern with its captures; predicates found inside go to `predicates`.
    fn pattern(&mut self, predicates: &mut Vec<Predicate>) -> Result<NodePat, PatternError> {
        let leaf = |kind| NodePat {
            kind,
            alternatives: Vec::new(),
            children: Vec::new(),
            negated_fields: Vec::new(),
            anchored_end: false,
            captures: Vec::new(),
        };
        let mut pat = match self.peek() {
            Some('(') => {
                self.pos += 1;
                if self.peek() == Some('#') {
                    return self.error("a predicate outside a node pattern");
                }
                let name = self.ident()?.to_string();
                let kind = if name == "_" {
                    KindSet::AnyNamed
                } else {
                    self.kind_ids(&name, true)?
                };
                let mut pat = leaf(kind);
                self.children(&mut pat, predicates)?;
                pat
            }
            Some('[') => {
                self.pos += 1;
                let mut pat = leaf(KindSet::Any);
                while self.peek() != Some(']') {
                    if self.peek().is_none() {
                        return self.error("unterminated `[`");
                    }
                    pat.alternatives.push(self.pattern(predicates)?);
                }
                self.pos += 1;
                pat
            }
            Some('"') => {
                let s = self.string()?;
                leaf(self.kind_ids(&s, false)?)
            }
            Some('_') => {
                self.pos += 1;
                leaf(KindSet::Any)
            }
            _ => return self.error("expected a pattern"),
        };
        pat.captures = self.captures()?;
        Ok(pat)
    }

    fn children(
        &mut self,
        pat: &mut NodePat,
        predicates: &mut Vec<Predicate>,
    ) -> Result<(), PatternError> {
        let mut anchored = false;
        loop {
            match self.peek() {
                None => return self.error("unterminated `(`"),
                Some(')') => {
                    self.pos += 1;
                    if anchored {
                        pat.anchored_end = true;
                    }
                    return Ok(());
                }
                Some('.') => {
                    self.pos += 1;
                    anchored = true;
                }
                Some('!') => {
                    self.pos += 1;
                    let name = self.ident()?.to_string();
                    let id = self.field_id(&name)?;
                    pat.negated_fields.push(id);
                }
                Some('(') if self.text[self.pos + 1..].trim_start().starts_with('#') => {
                    self.pos += 1;
                    self.skip_space();
                    self.pos += 1;
                    self.predicate(predicates)?;
                }
                Some(c) if c.is_alphabetic() => {
                    let name = self.ident()?.to_string();
                    self.expect(':')?;
                    let field = Some(self.field_id(&name)?);
                    let child = self.pattern(predicates)?;
                    pat.children.push(ChildStep {
                        field,
                        anchored: std::mem::take(&mut anchored),
                        pat: child,
                    });
                }
                Some(_) => {
                    let child = self.pattern(predicates)?;
                    pat.children.push(ChildStep {
                        field: None,
                        anchored: std::mem::take(&mut anchored),
                        pat: child,
                    });
                }
            }
        }
    }

    /// `#name? @capture argument)` after the `(#`.
    fn predicate(&mut self, predicates: &mut Vec<Predicate>) -> Result<(), PatternError> {
        let name = self.ident()?.to_string();
        self.expect('@')?;
        let capture = self.ident()?.to_string();
        let capture = self.capture_id(&capture);
        let (negated, base) = match name.strip_prefix("not-") {
            Some(base) => (true, base.to_string()),
            None => (false, name.clone()),
        };
        let kind = match (base.as_str(), self.peek()) {
            ("eq?", Some('"')) => PredicateKind::EqText(self.string()?),
            ("eq?", Some('@')) => {
                self.pos += 1;
                let other = self.ident()?.to_string();
                PredicateKind::EqCapture(self.capture_id(&other))
            }
            ("match?", Some('"')) => {
                let source = self.string()?;
                match Regex::new(&source) {
                    Ok(re) => PredicateKind::Match(re),
                    Err(e) => return self.error(format!("bad regex in #{name}: {e}")),
                }
            }
            _ => return self.error(format!("predicate `#{name}`")),
        };
        self.expect(')')?;
        predicates.push(Predicate {
            capture,
            negated,
            kind,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::check::CheckSet;
    use crate::analysis::source::parse_rust_snippet;
    use std::collections::BTreeSet;
    use streaming_iterator::StreamingIterator;

    type Key = (usize, Vec<(String, usize, usize)>);

    /// Every match of the query on `src`, as tree-sitter's cursor finds them and as the
    /// matcher finds them.
    fn both(query: &str, src: &str) -> (BTreeSet<Key>, BTreeSet<Key>) {
        let file = parse_rust_snippet("src/lib.rs", src);
        let lang: Language = tree_sitter_rust::LANGUAGE.into();
        let q = tree_sitter::Query::new(&lang, query).expect("query compiles");
        let set = PatternSet::new(&lang, query).expect("matcher compiles it");
        assert_eq!(set.len(), q.pattern_count());
        let mut expected = BTreeSet::new();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut it = cursor.matches(&q, file.tree.root_node(), file.text.as_bytes());
        while let Some(m) = it.next() {
            let mut caps: Vec<_> = m
                .captures
                .iter()
                .map(|c| {
                    (
                        q.capture_names()[c.index as usize].to_string(),
                        c.node.start_byte(),
                        c.node.end_byte(),
                    )
                })
                .collect();
            caps.sort();
            expected.insert((m.pattern_index, caps));
        }
        let mut found = Vec::new();
        let mut scratch = MatchScratch::default();
        let rust = crate::analysis::language::by_name("rust").expect("rust is registered");
        let plan = crate::analysis::walk_plan::WalkPlan::new(
            rust,
            &crate::analysis::index::listed_kinds(),
            &set.root_kinds(),
        );
        let nodes = NodeList::new(file.tree.root_node(), &plan);
        for at in 0..nodes.len() {
            set.match_at(&nodes, at, file.text.as_bytes(), &mut scratch, &mut found);
        }
        let actual = found
            .into_iter()
            .map(|m| {
                let mut caps: Vec<_> = m
                    .captures
                    .iter()
                    .map(|(c, n)| {
                        (
                            set.capture_names()[usize::from(*c)].clone(),
                            n.start_byte(),
                            n.end_byte(),
                        )
                    })
                    .collect();
                caps.sort();
                (m.pattern, caps)
            })
            .collect();
        (expected, actual)
    }

    /// Every built-in rule's query, in the order `CheckSet` combines them.
    fn builtin_query_text(checks: &CheckSet) -> String {
        let mut text = String::new();
        for check in &checks.checks {
            for rule in &check.rules {
                text.push_str(&rule.query);
                text.push('\n');
            }
        }
        text
    }

    #[test]
    fn matches_what_tree_sitter_matches_for_every_builtin_rule_on_every_example() {
        let checks = CheckSet::embedded().expect("checks load");
        let lq = &checks.queries[0];
        let text = builtin_query_text(checks);
        let mut compared = 0;
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                for file in example.files.iter().filter(|f| f.path.ends_with(".rs")) {
                    let bytes = file.bytes().expect("examples are held in memory");
                    let src = String::from_utf8_lossy(&bytes);
                    let (expected, actual) = both(&text, &src);
                    assert_eq!(
                        expected, actual,
                        "{}/{}: matcher and tree-sitter disagree",
                        example.name, file.path
                    );
                    compared += expected.len();
                }
            }
        }
        assert!(compared > 100, "only {compared} matches compared");
        assert_eq!(
            PatternSet::new(&(lq.language.grammar)(), &text)
                .expect("compiles")
                .len(),
            lq.query().pattern_count()
        );
    }

    /// The same comparison over a real source tree (slow; run it when the matcher changes):
    /// `FAILMODE_MATCHER_CORPUS=~/.cargo/registry/src cargo test --release --lib -- --ignored
    /// matcher_agrees`.
    #[test]
    #[ignore]
    fn matcher_agrees_with_tree_sitter_on_a_corpus() {
        let Some(dir) = std::env::var_os("FAILMODE_MATCHER_CORPUS") else {
            panic!("set FAILMODE_MATCHER_CORPUS to a directory of Rust sources");
        };
        let checks = CheckSet::embedded().expect("checks load");
        let text = builtin_query_text(checks);
        let mut files = 0;
        let mut matches = 0;
        for entry in ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .build()
        {
            let Ok(entry) = entry else { continue };
            if entry.path().extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let Ok(src) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if src.len() > 2_000_000 {
                continue;
            }
            let (expected, actual) = both(&text, &src);
            assert_eq!(expected, actual, "{}", entry.path().display());
            files += 1;
            matches += expected.len();
        }
        eprintln!("{files} files, {matches} matches agree");
    }

    #[test]
    fn anchors_fields_negation_and_predicates() {
        let src = r#"
fn f() {
    let _ = a(1);
    let _: T = b();
    drop(c(/* x */ 1));
    drop(d, e);
    match x { Ok(v) => 1, Err(_) => 2, _ => 3 }
    if let Err(e) = g() {} else {}
    if let Err(e) = h() {}
    _ = k();
}
"#;
        for query in [
            r#"(let_declaration pattern: "_" !type value: (_) @call) @stmt"#,
            r#"(expression_statement (call_expression function: (identifier) @drop arguments: (arguments . (_) @call .)) (#eq? @drop "drop")) @stmt"#,
            r#"(match_expression value: (_) @call body: (match_block (match_arm pattern: (_) @pat) @arm))"#,
            r#"(if_expression condition: (let_condition pattern: (tuple_struct_pattern type: (identifier) @ctor) value: (_) @call) !alternative (#match? @ctor "^Err$")) @stmt"#,
            r#"(expression_statement (assignment_expression left: (_) @lhs right: (_) @call) (#eq? @lhs "_")) @stmt"#,
            r#"[(let_declaration pattern: _ @p (#not-eq? @p "_")) (call_expression function: (identifier) @f (#match? @f "^[ab]$"))] @any"#,
            r#"(arguments . (_) @first) (arguments (_) @last .) (arguments (_) @a . (_) @b)"#,
        ] {
            let (expected, actual) = both(query, src);
            assert!(!expected.is_empty(), "{query} matches nothing");
            assert_eq!(expected, actual, "{query}");
        }
    }

    #[test]
    fn unsupported_syntax_is_an_error_not_a_silent_miss() {
        let lang: Language = tree_sitter_rust::LANGUAGE.into();
        for (query, what) in [
            ("(block (expression_statement)* @s)", "quantifiers"),
            ("(call_expression) @c (#is-not? local)", "predicate"),
            ("(no_such_kind)", "unknown node kind"),
            ("(call_expression nope: (_))", "unknown field"),
            ("(call_expression", "unterminated"),
        ] {
            let e = PatternSet::new(&lang, query).expect_err(query);
            assert!(e.message.contains(what), "{query}: {e}");
        }
    }
}
