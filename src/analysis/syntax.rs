//! Small, iterative helpers over tree-sitter trees shared by the engine and filters. Nothing here
//! recurses over the tree, so a file with 100,000 nested braces cannot overflow the stack.

use super::source::ParsedFile;
use tree_sitter::Node;

/// The ancestors of `node`, innermost first (not including `node`).
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent())
}

/// All descendants of `node` in document order (including `node`), without recursion.
pub fn descendants(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = node.walk();
    let mut done = false;
    let root_id = node.id();
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let current = cursor.node();
        if cursor.goto_first_child() {
            return Some(current);
        }
        loop {
            if cursor.node().id() == root_id {
                done = true;
                return Some(current);
            }
            if cursor.goto_next_sibling() {
                return Some(current);
            }
            if !cursor.goto_parent() {
                done = true;
                return Some(current);
            }
        }
    })
}

/// Every node of one tree in document order, gathered in a single cursor walk, with where each
/// node's subtree ends. The repository index looks at many overlapping subtrees of every file
/// (each function body, each test, each call's arguments); slicing this list costs a binary
/// search, where walking each subtree again with a tree cursor costs as much as parsing did.
pub struct NodeList<'t> {
    entries: Vec<Entry<'t>>,
    /// The name of each node kind, by kind id (for the walked tree's language).
    names: Vec<&'static str>,
}

/// One node of a [`NodeList`] and its links, as positions in the list (`NONE` for none). One
/// record per node, so the walk makes one push per node.
#[derive(Clone, Copy)]
struct Entry<'t> {
    node: Node<'t>,
    /// The position one past the node's last descendant.
    end: u32,
    /// The position of the parent.
    parent: u32,
    /// The position of the sibling before it.
    previous: u32,
    kind_id: u16,
}

const NONE: u32 = u32::MAX;

impl<'t> NodeList<'t> {
    /// Walks the tree under `root` once.
    pub fn new(root: Node<'t>) -> NodeList<'t> {
        let language = root.language();
        let names: Vec<&'static str> = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect();
        let mut entries: Vec<Entry<'t>> = Vec::new();
        // The chain of open ancestors, each with the last child seen under it so far.
        let mut open: Vec<(u32, u32)> = Vec::new();
        let mut cursor = root.walk();
        'walk: loop {
            let node = cursor.node();
            // A tree of more than 4 billion nodes cannot come from a file under the size limit;
            // stop rather than number nodes wrongly.
            let Ok(i) = u32::try_from(entries.len()) else {
                break;
            };
            let (parent, previous) = match open.last_mut() {
                Some((parent, last_child)) => {
                    let previous = *last_child;
                    *last_child = i;
                    (*parent, previous)
                }
                None => (NONE, NONE),
            };
            entries.push(Entry {
                node,
                end: i + 1,
                parent,
                previous,
                kind_id: node.kind_id(),
            });
            if cursor.goto_first_child() {
                open.push((i, NONE));
                continue;
            }
            loop {
                if open.is_empty() {
                    break 'walk;
                }
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
                if let Some((parent, _)) = open.pop() {
                    entries[parent as usize].end = entries.len() as u32;
                }
            }
        }
        let len = entries.len() as u32;
        for (parent, _) in open {
            entries[parent as usize].end = len;
        }
        NodeList { entries, names }
    }

    fn kind_of(&self, e: &Entry<'t>) -> &'static str {
        match self.names.get(usize::from(e.kind_id)) {
            Some(name) if !name.is_empty() => name,
            _ => e.node.kind(),
        }
    }

    fn at(&self, position: u32) -> Option<&Entry<'t>> {
        self.entries.get(position as usize)
    }

    /// The parent of `node` ([`Node::parent`] without searching down from the root).
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        let i = self.position(node)?;
        self.at(self.entries[i].parent).map(|e| e.node)
    }

    /// The ancestors of `node`, innermost first, like [`ancestors`].
    pub fn ancestors(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        let mut i = self.position(node).map_or(NONE, |i| self.entries[i].parent);
        std::iter::from_fn(move || {
            let e = self.at(i)?;
            i = e.parent;
            Some(e.node)
        })
    }

    /// The sibling before `node` (named or not), like [`Node::prev_sibling`].
    pub fn prev_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        let i = self.position(node)?;
        self.at(self.entries[i].previous).map(|e| e.node)
    }

    /// The sibling after `node` (named or not), like [`Node::next_sibling`].
    pub fn next_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        let e = &self.entries[self.position(node)?];
        self.at(e.end)
            .filter(|next| next.parent == e.parent)
            .map(|next| next.node)
    }

    /// [`attributes`] of `item`, using the list's sibling links.
    pub fn attributes<'f>(&self, file: &'f ParsedFile, item: Node<'t>) -> Vec<&'f str> {
        let mut out = Vec::new();
        let mut i = self
            .position(item)
            .map_or(NONE, |i| self.entries[i].previous);
        while let Some(e) = self.at(i) {
            match self.kind_of(e) {
                "attribute_item" => {
                    out.push(attribute_text(file.node_text(e.node)));
                }
                "line_comment" | "block_comment" => {}
                _ => break,
            }
            i = e.previous;
        }
        out
    }

    /// Every node with its kind id, in the order of [`NodeList::iter`].
    pub fn iter_ids(&self) -> impl Iterator<Item = (u16, Node<'t>)> + '_ {
        self.entries.iter().map(|e| (e.kind_id, e.node))
    }

    /// Every node with its kind, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Node<'t>)> + '_ {
        self.entries.iter().map(|e| (self.kind_of(e), e.node))
    }

    /// `node` and all its descendants with their kinds, in document order (like
    /// [`descendants`], without walking). Empty when `node` is not from this tree.
    pub fn subtree(&self, node: Node<'t>) -> impl Iterator<Item = (&'static str, Node<'t>)> + '_ {
        let range = self
            .position(node)
            .map_or(0..0, |i| i..self.entries[i].end as usize);
        self.entries[range]
            .iter()
            .map(|e| (self.kind_of(e), e.node))
    }

    /// `node` and all its descendants, in document order: [`descendants`] without walking.
    pub fn descendants(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        self.subtree(node).map(|(_, n)| n)
    }

    /// Where `node` is in the list: its preorder number in the tree, the numbering of
    /// tree-sitter's `TreeCursor::goto_descendant`. `None` when it is not from this tree.
    pub fn position(&self, node: Node<'t>) -> Option<usize> {
        let start = node.start_byte();
        let first = self
            .entries
            .partition_point(|e| e.node.start_byte() < start);
        self.entries[first..]
            .iter()
            .take_while(|e| e.node.start_byte() == start)
            .position(|e| e.node.id() == node.id())
            .map(|offset| first + offset)
    }
}

/// The attribute items (`#[...]`) written directly before an item, as source text without `#[`
/// and `]`, e.g. `tokio::test`, `cfg(test)`.
pub fn attributes<'f>(file: &'f ParsedFile, item: Node<'_>) -> Vec<&'f str> {
    let mut out = Vec::new();
    let mut prev = item.prev_sibling();
    while let Some(p) = prev {
        match p.kind() {
            "attribute_item" => {
                out.push(attribute_text(file.node_text(p)));
            }
            "line_comment" | "block_comment" => {}
            _ => break,
        }
        prev = p.prev_sibling();
    }
    out
}

/// Whether an attribute marks a test function (`#[test]`, `#[tokio::test]`, `#[rstest]`, ...).
pub fn is_test_attribute(attr: &str) -> bool {
    let name = attr.split(['(', ' ']).next().unwrap_or("");
    name == "test"
        || name.ends_with("::test")
        || name.ends_with("_test")
        || name == "rstest"
        || name == "test_case"
}

/// Whether an attribute is `cfg(test)` (possibly inside `all(..)`).
pub fn is_cfg_test(attr: &str) -> bool {
    let compact: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("cfg(")
        && (compact.contains("(test)")
            || compact.contains("(test,")
            || compact.contains(",test)")
            || compact.contains(",test,"))
        && !compact.contains("not(test")
}

/// Whether `node` is inside test code: a `#[test]`-like function or a `#[cfg(test)]` module
/// (or the file itself is a test file).
pub fn is_in_test_code(file: &ParsedFile, node: Node<'_>) -> bool {
    if file.role == super::source::FileRole::Test {
        return true;
    }
    let (start, end) = (node.start_byte(), node.end_byte());
    let ranges = file.test_ranges();
    // Ranges are disjoint and sorted: the only candidate is the last one starting at or
    // before `start`.
    let i = ranges.partition_point(|(s, _)| *s <= start);
    i > 0 && ranges[i - 1].1 >= end
}

/// Whether `item` is itself test code: a `#[test]`-like (or `#[cfg(test)]`) function, or a
/// `#[cfg(test)]` module or impl.
pub fn is_test_item(file: &ParsedFile, item: Node<'_>) -> bool {
    is_test_item_with(item.kind(), &attributes(file, item))
}

/// [`is_test_item`] for an item of `kind` written after `attributes` (as [`attributes`]
/// gives them).
pub fn is_test_item_with(kind: &str, attributes: &[&str]) -> bool {
    match kind {
        "function_item" => attributes
            .iter()
            .any(|t| is_test_attribute(t) || is_cfg_test(t)),
        "mod_item" | "impl_item" => attributes.iter().any(|t| is_cfg_test(t)),
        _ => false,
    }
}

/// The text of an attribute item without `#[` and `]`, as [`attributes`] gives it.
pub fn attribute_text(item_text: &str) -> &str {
    item_text
        .trim_start_matches("#[")
        .trim_end_matches(']')
        .trim()
}

/// The innermost function (`fn` item or closure) containing `node`.
pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| a.kind() == "function_item")
}

/// A readable path of the items enclosing `node`, e.g. `billing::impl Client::charge`.
pub fn item_path(file: &ParsedFile, node: Node<'_>) -> String {
    let mut parts = Vec::new();
    for a in std::iter::once(node).chain(ancestors(node)) {
        let name = match a.kind() {
            "function_item" | "mod_item" | "trait_item" | "struct_item" | "enum_item" => a
                .child_by_field_name("name")
                .map(|n| file.node_text(n).to_string()),
            "impl_item" => a
                .child_by_field_name("type")
                .map(|n| format!("impl {}", file.node_text(n))),
            _ => None,
        };
        if let Some(n) = name {
            parts.push(n);
        }
    }
    parts.reverse();
    parts.join("::")
}

/// The code of `node` shortened for a message: argument lists with content become `(..)`,
/// closures `|..| ..`, whitespace collapses, and long text is cut with `…`.
pub fn abbreviate(file: &ParsedFile, node: Node<'_>) -> String {
    let range = node.byte_range();
    let mut cuts: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
    let mut skip_until = 0usize;
    for d in descendants(node) {
        if d.start_byte() < skip_until {
            continue;
        }
        let replacement = match d.kind() {
            "arguments" if d.named_child_count() > 0 => Some("(..)"),
            "closure_expression" if d.id() != node.id() => Some("|..| .."),
            "block" if d.id() != node.id() && d.named_child_count() > 0 => Some("{ .. }"),
            "line_comment" | "block_comment" => Some(" "),
            _ => None,
        };
        if let Some(r) = replacement {
            cuts.push((d.byte_range(), r));
            skip_until = d.end_byte();
        }
    }
    let mut out = String::new();
    let mut pos = range.start;
    for (r, rep) in cuts {
        out.push_str(file.text.get(pos..r.start).unwrap_or(""));
        out.push_str(rep);
        pos = r.end;
    }
    out.push_str(file.text.get(pos..range.end).unwrap_or(""));
    let collapsed = collapse_whitespace(&out);
    if collapsed.chars().count() > 90 {
        let cut: String = collapsed.chars().take(87).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

/// Collapses runs of whitespace to one space, and removes whitespace before `.` and `?` (so a
/// multi-line method chain reads as one line).
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space && !matches!(c, '.' | '?' | ')' | ',' | ';') && !out.ends_with(['(', '.'])
        {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// Text with all whitespace and comments' layout removed, for fingerprints: formatting changes
/// must not change a finding's identity.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name of the method or function being called by a `call_expression`, e.g. `send` for
/// `client.post(u).send()`, `spawn` for `tokio::spawn(..)`.
pub fn call_name<'f>(file: &'f ParsedFile, call: Node<'_>) -> Option<&'f str> {
    let f = call.child_by_field_name("function")?;
    let name_node = match f.kind() {
        "field_expression" => f.child_by_field_name("field")?,
        "scoped_identifier" => f.child_by_field_name("name")?,
        "identifier" => f,
        "generic_function" => {
            let inner = f.child_by_field_name("function")?;
            match inner.kind() {
                "field_expression" => inner.child_by_field_name("field")?,
                "scoped_identifier" => inner.child_by_field_name("name")?,
                _ => inner,
            }
        }
        _ => return None,
    };
    Some(file.node_text(name_node))
}

/// The receiver of a method call (`client.post(u)` for `client.post(u).send()`), if `call` is a
/// method call.
pub fn call_receiver(call: Node<'_>) -> Option<Node<'_>> {
    let f = call.child_by_field_name("function")?;
    let f = if f.kind() == "generic_function" {
        f.child_by_field_name("function")?
    } else {
        f
    };
    (f.kind() == "field_expression")
        .then(|| f.child_by_field_name("value"))
        .flatten()
}

/// Strips wrappers that do not change what an expression is: `.await`, `?`, parentheses,
/// references. Returns the innermost "real" expression.
pub fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    loop {
        let next = match node.kind() {
            "await_expression"
            | "try_expression"
            | "parenthesized_expression"
            | "reference_expression" => node.named_child(0),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return node,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet("src/a.rs", src)
    }

    fn find<'t>(f: &'t ParsedFile, kind: &str, nth: usize) -> Node<'t> {
        descendants(f.tree.root_node())
            .filter(|n| n.kind() == kind)
            .nth(nth)
            .unwrap()
    }

    #[test]
    fn abbreviates_chains_without_comments() {
        let f = file("async fn a() { headers // note\n    .get(\"x\")\n    .parse(); }");
        let call = find(&f, "expression_statement", 0);
        assert_eq!(
            abbreviate(&f, call.named_child(0).unwrap()),
            "headers.get(..).parse()"
        );
    }

    #[test]
    fn abbreviates_chains() {
        let f = file("async fn a() { state.http.post(&url)\n    .json(&ev)\n    .send().await; }");
        let call = find(&f, "expression_statement", 0);
        assert_eq!(
            abbreviate(&f, call.named_child(0).unwrap()),
            "state.http.post(..).json(..).send().await"
        );
    }

    #[test]
    fn item_path_and_test_scope() {
        let f = file("mod billing { impl Client { fn charge() { x(); } } }\n#[cfg(test)]\nmod tests { #[test] fn t() { y(); } }\n#[tokio::test]\nasync fn z() { w(); }");
        let c0 = find(&f, "call_expression", 0);
        assert_eq!(item_path(&f, c0), "billing::impl Client::charge");
        assert!(!is_in_test_code(&f, c0));
        assert!(is_in_test_code(&f, find(&f, "call_expression", 1)));
        assert!(is_in_test_code(&f, find(&f, "call_expression", 2)));
    }

    #[test]
    fn call_names() {
        let f = file("fn a() { tokio::spawn(x); c.post(u).send(); f::<T>(); }");
        let names: Vec<_> = descendants(f.tree.root_node())
            .filter(|n| n.kind() == "call_expression")
            .filter_map(|n| call_name(&f, n))
            .collect();
        assert_eq!(names, vec!["spawn", "send", "post", "f"]);
    }

    #[test]
    fn descendants_visits_every_node_once() {
        let f = file("fn a() { b(c, d); }");
        let n = descendants(f.tree.root_node()).count();
        assert_eq!(n, f.tree.root_node().descendant_count());
    }

    #[test]
    fn node_list_subtrees_match_walked_descendants() {
        // Broken input too: ERROR and MISSING nodes must be placed like the cursor places them.
        for src in [
            "mod m { fn a() { b(c, d); let _ = e.f().await; } }\n#[cfg(test)] mod t { #[test] fn x() {} }",
            "/// doc\n#[get(\"/x\")]\n// note\n#[instrument(err)]\nasync fn h() { assert!(f(1).await.is_ok()); }",
            "fn broken( { let = ; match x { Err(_) => } }}}",
            "",
        ] {
            let f = file(src);
            let root = f.tree.root_node();
            let list = NodeList::new(root);
            let walked: Vec<Node<'_>> = descendants(root).collect();
            assert_eq!(list.iter().count(), walked.len(), "{src}");
            // A node's position is the preorder number tree-sitter's cursor goes back to (the
            // engine keeps pending matches as positions and finds their nodes again this way).
            let mut cursor = root.walk();
            for (at, node) in walked.iter().enumerate() {
                assert_eq!(list.position(*node), Some(at), "{} in {src:?}", node.kind());
                cursor.goto_descendant(at);
                assert_eq!(cursor.node(), *node, "{src:?}");
            }
            for node in &walked {
                let from_list: Vec<usize> = list.descendants(*node).map(|n| n.id()).collect();
                let from_walk: Vec<usize> = descendants(*node).map(|n| n.id()).collect();
                assert_eq!(from_list, from_walk, "subtree of {} in {src:?}", node.kind());
                let kinds: Vec<&str> = list.subtree(*node).map(|(k, _)| k).collect();
                let walked_kinds: Vec<&str> = descendants(*node).map(|n| n.kind()).collect();
                assert_eq!(kinds, walked_kinds);
                assert_eq!(list.parent(*node), node.parent());
                // Siblings agree except around zero-width MISSING nodes in broken input, which
                // `Node::next_sibling` skips and the cursor does not.
                let missing = |n: Option<Node<'_>>| n.is_some_and(|n| n.is_missing());
                let (ours, theirs) = (list.prev_sibling(*node), node.prev_sibling());
                if !missing(ours) && !missing(theirs) {
                    assert_eq!(ours, theirs);
                }
                let (ours, theirs) = (list.next_sibling(*node), node.next_sibling());
                if !missing(ours) && !missing(theirs) {
                    assert_eq!(ours, theirs);
                }
                assert_eq!(
                    list.ancestors(*node).collect::<Vec<_>>(),
                    ancestors(*node).collect::<Vec<_>>()
                );
                assert_eq!(list.attributes(&f, *node), attributes(&f, *node));
            }
        }
    }
}
