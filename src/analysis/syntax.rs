//! Small, iterative helpers over tree-sitter trees shared by the engine and filters. Nothing here
//! recurses over the tree, so a file with 100,000 nested braces cannot overflow the stack.

use super::source::{InlineModule, ParsedFile};
use super::walk_plan::WalkPlan;
use tree_sitter::Node;

/// [`Node::child_by_field_name`] without resolving the field name on every call: tree-sitter
/// compares the name with each of the grammar's field names each time, which the filters, doing
/// this for every call and statement, pay for many times per node.
pub trait FieldExt<'t> {
    /// The child of this node in field `name`.
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> FieldExt<'t> for Node<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        field_id(self, name).and_then(|id| self.child_by_field_id(id))
    }
}

/// [`Node::kind`] without its cost per call: tree-sitter finds the name's C string, and Rust
/// measures and validates it (`strlen` and a UTF-8 check) on every call. The walk and the
/// filters ask for kinds millions of times a scan; here they are looked up by the node's kind id
/// in its grammar's names, read once ([`Language::kind_names`](super::language::Language::kind_names)).
pub trait KindExt {
    /// The node's kind, exactly as [`Node::kind`] gives it (`"call_expression"`, `"ERROR"`).
    fn kind_name(&self) -> &'static str;
}

impl KindExt for Node<'_> {
    // The one place that asks tree-sitter, for what the table does not hold.
    #[allow(clippy::disallowed_methods)]
    fn kind_name(&self) -> &'static str {
        // SAFETY: `self` is a node of a live tree (it borrows it), which is all
        // `ts_node_language` reads: the tree's language pointer.
        let language = unsafe { tree_sitter::ffi::ts_node_language(self.into_raw()) } as usize;
        super::language::LANGUAGES
            .iter()
            .find(|l| l.is_at(language))
            .and_then(|l| l.kind_names().get(usize::from(self.kind_id())).copied())
            .filter(|n| !n.is_empty())
            // Ids past the table (the `ERROR` node's) and other grammars: ask tree-sitter.
            .unwrap_or_else(|| self.kind())
    }
}

/// A hasher for keys that are already well spread (pointers and lengths).
#[derive(Default)]
struct SpreadHasher(u64);

impl std::hash::Hasher for SpreadHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type FieldCache = std::collections::HashMap<
    (u64, usize, usize),
    Option<u16>,
    std::hash::BuildHasherDefault<SpreadHasher>,
>;

/// The id of field `name` in the grammar of `node`, looked up once per thread, grammar and name.
fn field_id(node: &Node<'_>, name: &'static str) -> Option<u16> {
    use std::hash::{Hash, Hasher};
    thread_local! {
        static IDS: std::cell::RefCell<FieldCache> = std::cell::RefCell::default();
    }
    let language = node.language();
    let mut h = SpreadHasher::default();
    (*language).hash(&mut h);
    let key = (h.finish(), name.as_ptr() as usize, name.len());
    IDS.with(|ids| {
        *ids.borrow_mut()
            .entry(key)
            .or_insert_with(|| language.field_id_for_name(name).map(|id| id.get()))
    })
}

/// The ancestors of `node`, innermost first (not including `node`).
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent())
}

/// How deep [`ancestors_from`] looks for a node. Real code nests a few dozen levels; a PR's
/// 100,000-deep nesting would make each lookup walk all of it, once per match.
pub const MAX_ANCESTOR_DEPTH: usize = 512;

/// The ancestors of `node` under `root`, innermost first, found in one walk down from `root`:
/// [`Node::parent`] walks down from the root at every step, so climbing with it is quadratic
/// in depth. Empty when `node` is not under `root`, or deeper than [`MAX_ANCESTOR_DEPTH`]
/// (a caller then finds nothing: a finding may be missed, never made up).
pub fn ancestors_from<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let (start, end) = (node.start_byte(), node.end_byte());
    let mut path = Vec::new();
    let mut cursor = root.walk();
    loop {
        let current = cursor.node();
        if current.id() == node.id() {
            break;
        }
        if path.len() >= MAX_ANCESTOR_DEPTH {
            return Vec::new();
        }
        path.push(current);
        // The child that holds `node`: tree-sitter finds the first child that ends past `start`
        // in one call, which is what holds a node that is not empty. Siblings overlap only when
        // one is empty, and then (or if that child does not hold it) the children are read one
        // by one.
        if start < end && cursor.goto_first_child_for_byte(start).is_some() {
            let c = cursor.node();
            if c.id() == node.id() || (c.start_byte() <= start && end <= c.end_byte()) {
                continue;
            }
            cursor.goto_parent();
        }
        if !cursor.goto_first_child() {
            return Vec::new();
        }
        loop {
            let c = cursor.node();
            let holds = c.start_byte() <= start && end <= c.end_byte();
            if c.id() == node.id() || (holds && (c.start_byte() < c.end_byte() || start == end)) {
                break;
            }
            if !cursor.goto_next_sibling() {
                return Vec::new();
            }
        }
    }
    path.reverse();
    path
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

/// The nodes of one tree that a [`WalkPlan`] lists, in document order, gathered in a single
/// cursor walk, with where each node's listed subtree ends and a position list per kind the plan
/// asks for. The repository index looks at many overlapping subtrees of every file (each
/// function body, each test, each call's arguments); slicing this list costs a binary search,
/// where walking each subtree again with a tree cursor costs as much as parsing did.
///
/// Nodes of the plan's opaque kinds (token trees, strings, comments in Rust) are listed without
/// their descendants, since nothing the run looks for can be there. [`NodeList::subtree_all`]
/// still reaches them, and every method falls back to the tree itself for a node the list does
/// not hold, so no answer depends on what was left out, only its cost.
pub struct NodeList<'t> {
    entries: Vec<Entry<'t>>,
    plan: &'t WalkPlan,
    /// For each of the plan's position lists: the entries of that kind, in document order.
    buckets: Vec<Vec<u32>>,
}

/// One node of a [`NodeList`] and its links, as list indexes (`NONE` for none). One record per
/// listed node, so the walk makes one push per node. The layout is shared with `FmEntry` in
/// `list_nodes.c`, which writes these records.
#[derive(Clone, Copy)]
#[repr(C)]
struct Entry<'t> {
    node: Node<'t>,
    /// The index one past the node's last listed descendant.
    end: u32,
    /// The index of the parent.
    parent: u32,
    /// The index of the sibling before it.
    previous: u32,
    /// The node's preorder number in the whole tree (see [`NodeList::position`]).
    pre: u32,
    kind_id: u16,
    /// The id of the field the node is in within its parent (0 for none), as a tree cursor
    /// standing on it gives it.
    field: u16,
    /// Listed without its descendants (an opaque kind with children).
    closed: bool,
}

impl Entry<'_> {
    /// The node's start byte (the list is sorted by it), read from the node itself: a binary
    /// search then makes no call into tree-sitter at each probe.
    fn start(&self) -> u32 {
        self.node.into_raw().context[0]
    }
}

const NONE: u32 = u32::MAX;

impl<'t> NodeList<'t> {
    /// Walks the tree under `root` once, as `plan` says.
    pub fn new(root: Node<'t>, plan: &'t WalkPlan) -> NodeList<'t> {
        let (mut entries, mut buckets) = Buffers::take();
        if !list_nodes(root, plan, &mut entries) {
            entries.clear();
            walk_with_cursor(root, plan, &mut entries);
        }
        buckets.truncate(plan.bucket_count());
        buckets.resize_with(plan.bucket_count(), Vec::new);
        for (i, e) in entries.iter().enumerate() {
            if let Some(b) = plan.bucket_of(e.kind_id) {
                buckets[b].push(i as u32);
            }
        }
        NodeList {
            entries,
            plan,
            buckets,
        }
    }

    /// The plan this list was walked by.
    pub fn plan(&self) -> &WalkPlan {
        self.plan
    }

    fn kind_of(&self, e: &Entry<'t>) -> &'static str {
        match self.plan.name(e.kind_id) {
            "" => e.node.kind_name(),
            name => name,
        }
    }

    fn at(&self, index: u32) -> Option<&Entry<'t>> {
        self.entries.get(index as usize)
    }

    /// Where `node` is in the list, when it is listed.
    fn index_of(&self, node: Node<'t>) -> Option<usize> {
        // Files are under the size limit, far below 4 GiB; a start past it is never listed.
        let start = u32::try_from(node.start_byte()).ok()?;
        let first = self.entries.partition_point(|e| e.start() < start);
        self.entries[first..]
            .iter()
            .take_while(|e| e.start() == start)
            .position(|e| e.node.id() == node.id())
            .map(|offset| first + offset)
    }

    /// The nearest listed ancestor of a node the list does not hold, with its index.
    fn listed_ancestor(&self, node: Node<'t>) -> Option<(usize, Node<'t>)> {
        ancestors(node).find_map(|a| self.index_of(a).map(|i| (i, a)))
    }

    /// The parent of `node` ([`Node::parent`] without searching down from the root).
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.index_of(node) {
            Some(i) => self.at(self.entries[i].parent).map(|e| e.node),
            None => node.parent(),
        }
    }

    /// The ancestors of `node`, innermost first, like [`ancestors`].
    pub fn ancestors(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        let (unlisted, mut i) = match self.index_of(node) {
            Some(i) => (Vec::new(), self.entries[i].parent),
            None => {
                let mut unlisted = Vec::new();
                let mut from = NONE;
                for a in ancestors(node) {
                    if let Some(i) = self.index_of(a) {
                        from = i as u32;
                        break;
                    }
                    unlisted.push(a);
                }
                (unlisted, from)
            }
        };
        unlisted.into_iter().chain(std::iter::from_fn(move || {
            let e = self.at(i)?;
            i = e.parent;
            Some(e.node)
        }))
    }

    /// The sibling before `node` (named or not), like [`Node::prev_sibling`].
    pub fn prev_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.index_of(node) {
            Some(i) => self.at(self.entries[i].previous).map(|e| e.node),
            None => node.prev_sibling(),
        }
    }

    /// The sibling after `node` (named or not), like [`Node::next_sibling`].
    pub fn next_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        let Some(i) = self.index_of(node) else {
            return node.next_sibling();
        };
        let e = &self.entries[i];
        self.at(e.end)
            .filter(|next| next.parent == e.parent)
            .map(|next| next.node)
    }

    /// [`attributes`] of `item`, using the list's sibling links.
    pub fn attributes<'f>(&self, file: &'f ParsedFile, item: Node<'t>) -> Vec<&'f str> {
        let Some(i) = self.index_of(item) else {
            return attributes(file, item);
        };
        let mut out = Vec::new();
        let mut i = self.entries[i].previous;
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

    /// Every listed node with its position (see [`NodeList::position`]) and kind id, in
    /// document order.
    pub fn iter_positions(&self) -> impl Iterator<Item = (usize, u16, Node<'t>)> + '_ {
        self.entries
            .iter()
            .map(|e| (e.pre as usize, e.kind_id, e.node))
    }

    /// The list index of the sibling before the node at list index `at` (named or not), when
    /// it has one: a step back in constant time, where `Node::prev_sibling` walks the parent's
    /// children from the first.
    pub fn previous_at(&self, at: usize) -> Option<usize> {
        let e = self.entries.get(at)?;
        self.at(e.previous).map(|_| e.previous as usize)
    }

    /// The siblings before and after the node at list index `at` (named or not), as a tree
    /// cursor sees them.
    pub fn siblings_at(&self, at: usize) -> (Option<Node<'t>>, Option<Node<'t>>) {
        let Some(e) = self.entries.get(at) else {
            return (None, None);
        };
        let previous = self.at(e.previous).map(|p| p.node);
        let next = self
            .at(e.end)
            .filter(|n| n.parent == e.parent)
            .map(|n| n.node);
        (previous, next)
    }

    /// The list indexes of the nodes of kind `kind_id`, in document order.
    pub fn indexes_of_kind_id(&self, kind_id: u16) -> impl Iterator<Item = usize> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.kind_id == kind_id)
            .map(|(i, _)| i)
    }

    /// The number of listed nodes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty (never, for a list made from a node).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The node at list index `at` with its kind id.
    pub fn node_at(&self, at: usize) -> Option<(u16, Node<'t>)> {
        self.entries.get(at).map(|e| (e.kind_id, e.node))
    }

    /// The children of the node at list index `at`, each with its list index and field id (0 for
    /// none), as a tree cursor gives them; `None` when the list does not hold them (the node is
    /// listed without its descendants, or `at` is past the end).
    pub fn children_at(
        &self,
        at: usize,
    ) -> Option<impl Iterator<Item = (usize, Node<'t>, u16)> + '_> {
        let e = self.entries.get(at)?;
        if e.closed {
            return None;
        }
        let end = e.end as usize;
        let mut next = at + 1;
        Some(std::iter::from_fn(move || {
            let child = self.entries.get(next).filter(|_| next < end)?;
            let at = next;
            next = child.end as usize;
            Some((at, child.node, child.field))
        }))
    }

    /// The list indexes of the nodes of the kinds the walk plan was given by id (the rules'
    /// pattern roots), with the nodes' positions, in document order.
    pub fn roots(&self) -> Vec<(usize, usize)> {
        let at: Vec<u32> = match self.plan.root_buckets() {
            Some(buckets) => {
                let mut at: Vec<u32> = buckets
                    .iter()
                    .filter_map(|&b| self.buckets.get(b))
                    .flatten()
                    .copied()
                    .collect();
                if buckets.len() > 1 {
                    at.sort_unstable();
                }
                at
            }
            None => (0..self.entries.len() as u32).collect(),
        };
        at.into_iter()
            .map(|i| (i as usize, self.entries[i as usize].pre as usize))
            .collect()
    }

    /// Every listed node with its kind, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Node<'t>)> + '_ {
        self.entries.iter().map(|e| (self.kind_of(e), e.node))
    }

    /// The listed nodes of the kind named `kind`, in document order. Cheap for the kinds the
    /// plan keeps a position list for; any other kind is found by scanning the list.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = Node<'t>> + '_ {
        self.of_kind_between(kind, 0, self.entries.len())
    }

    /// [`NodeList::of_kind`] within the subtree of `node` (`node` included).
    pub fn of_kind_in(
        &self,
        kind: &str,
        node: Node<'t>,
    ) -> Box<dyn Iterator<Item = Node<'t>> + '_> {
        match self.index_of(node) {
            Some(i) => Box::new(self.of_kind_between(kind, i, self.entries[i].end as usize)),
            None => {
                let kind = kind.to_string();
                Box::new(descendants(node).filter(move |d| d.kind_name() == kind))
            }
        }
    }

    /// The listed nodes of any of `kinds`, in document order.
    pub fn of_kinds(&self, kinds: &[&str]) -> Vec<Node<'t>> {
        self.of_kinds_between(kinds, 0, self.entries.len())
    }

    /// The listed nodes of any of `kinds` within the subtree of `node` (`node` included), in
    /// document order.
    pub fn of_kinds_in(&self, kinds: &[&str], node: Node<'t>) -> Vec<Node<'t>> {
        let Some(i) = self.index_of(node) else {
            return descendants(node)
                .filter(|d| kinds.contains(&d.kind_name()))
                .collect();
        };
        self.of_kinds_between(kinds, i, self.entries[i].end as usize)
    }

    fn of_kinds_between(&self, kinds: &[&str], from: usize, to: usize) -> Vec<Node<'t>> {
        let mut at: Vec<u32> = Vec::new();
        for kind in kinds {
            match self
                .plan
                .bucket_named(kind)
                .and_then(|b| self.buckets.get(b))
            {
                Some(list) => {
                    let lo = list.partition_point(|&j| (j as usize) < from);
                    let hi = list.partition_point(|&j| (j as usize) < to);
                    at.extend_from_slice(&list[lo..hi]);
                }
                None => at.extend(
                    (from..to)
                        .filter(|&j| self.kind_of(&self.entries[j]) == *kind)
                        .map(|j| j as u32),
                ),
            }
        }
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(|j| self.entries[j as usize].node)
            .collect()
    }

    fn of_kind_between(
        &self,
        kind: &str,
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = Node<'t>> + '_ {
        let bucket = self
            .plan
            .bucket_named(kind)
            .and_then(|b| self.buckets.get(b));
        let (listed, scanned) = match bucket {
            Some(list) => {
                let lo = list.partition_point(|&i| (i as usize) < from);
                let hi = list.partition_point(|&i| (i as usize) < to);
                (&list[lo..hi], &self.entries[0..0])
            }
            None => (&[][..], &self.entries[from..to]),
        };
        let kind = kind.to_string();
        listed.iter().map(|&i| self.entries[i as usize].node).chain(
            scanned
                .iter()
                .filter(move |e| self.kind_of(e) == kind)
                .map(|e| e.node),
        )
    }

    /// `node` and its listed descendants with their kinds, in document order (like
    /// [`descendants`], without walking; the insides of opaque nodes are not included, see
    /// [`NodeList::subtree_all`]). For a node the list does not hold, the tree is walked.
    pub fn subtree(&self, node: Node<'t>) -> Subtree<'_, 't> {
        match self.index_of(node) {
            Some(i) => Subtree::Listed {
                list: self,
                next: i,
                end: self.entries[i].end as usize,
                inner: None,
                expand: false,
            },
            None => Subtree::Walked(Box::new(descendants(node))),
        }
    }

    /// `node` and all its descendants with their kinds, in document order, the insides of
    /// opaque nodes included (walked with a cursor): exactly what [`descendants`] gives.
    pub fn subtree_all(&self, node: Node<'t>) -> Subtree<'_, 't> {
        match self.subtree(node) {
            Subtree::Listed {
                list,
                next,
                end,
                inner,
                ..
            } => Subtree::Listed {
                list,
                next,
                end,
                inner,
                expand: true,
            },
            walked => walked,
        }
    }

    /// `node` and its listed descendants, in document order: [`NodeList::subtree`] without the
    /// kinds.
    pub fn descendants(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        self.subtree(node).map(|(_, n)| n)
    }

    /// The byte ranges of the test code in `file`, as [`ParsedFile::test_ranges`] defines
    /// them, from the list: the listed test-like items that stand in item position (in the file
    /// or in the body of a module, impl or trait that is not itself test code).
    pub fn test_ranges(&self, file: &ParsedFile) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for item in self.of_kinds(TEST_ITEM_KINDS) {
            let (start, end) = (item.start_byte(), item.end_byte());
            // Items come in document order, so one inside a recorded range is inside the last.
            if ranges.last().is_some_and(|&(s, e)| s <= start && end <= e) {
                continue;
            }
            if self.in_item_position(item)
                && is_test_item_with(item.kind_name(), &self.attributes(file, item))
            {
                ranges.push((start, end));
            }
        }
        ranges
    }

    /// The named `mod` items with a body in the list, in document order (see
    /// [`ParsedFile::inline_modules`]).
    pub fn inline_modules(&self, file: &ParsedFile) -> Vec<InlineModule> {
        let mut modules: Vec<InlineModule> = Vec::new();
        // The modules that hold the next one, innermost last.
        let mut open: Vec<usize> = Vec::new();
        for m in self.of_kind("mod_item") {
            let (Some(name), Some(_)) = (m.field("name"), m.field("body")) else {
                continue;
            };
            let (start, end) = (m.start_byte(), m.end_byte());
            while open.last().is_some_and(|&o| modules[o].end < end) {
                open.pop();
            }
            modules.push(InlineModule {
                start,
                end,
                name: file.node_text(name).to_string(),
                parent: open.last().copied(),
            });
            open.push(modules.len() - 1);
        }
        modules
    }

    /// Whether `item` is an item of the file, or of the body of a module, impl or trait that is
    /// one in turn.
    fn in_item_position(&self, item: Node<'t>) -> bool {
        let mut cur = item;
        loop {
            let Some(parent) = self.parent(cur) else {
                return false;
            };
            match parent.kind_name() {
                "source_file" => return true,
                "declaration_list" => {
                    let Some(owner) = self.parent(parent) else {
                        return false;
                    };
                    if !matches!(owner.kind_name(), "mod_item" | "impl_item" | "trait_item")
                        || owner.field("body") != Some(parent)
                    {
                        return false;
                    }
                    cur = owner;
                }
                _ => return false,
            }
        }
    }

    /// Where `node` is in its tree: its preorder number, the numbering of tree-sitter's
    /// `TreeCursor::goto_descendant`. `None` when it is not from this tree.
    pub fn position(&self, node: Node<'t>) -> Option<usize> {
        if let Some(i) = self.index_of(node) {
            return Some(self.entries[i].pre as usize);
        }
        // Inside an opaque node: count the holder's subtree in preorder.
        let (i, holder) = self.listed_ancestor(node)?;
        let e = &self.entries[i];
        if !e.closed {
            return None;
        }
        descendants(holder)
            .position(|d| d.id() == node.id())
            .map(|offset| e.pre as usize + offset)
    }
}

impl Drop for NodeList<'_> {
    fn drop(&mut self) {
        Buffers::give_back(
            std::mem::take(&mut self.entries),
            std::mem::take(&mut self.buckets),
        );
    }
}

/// The listing [`list_nodes`] makes, made with a tree-sitter cursor: the reference the fast walk
/// is tested against, and what runs should it ever fail.
fn walk_with_cursor<'t>(root: Node<'t>, plan: &WalkPlan, entries: &mut Vec<Entry<'t>>) {
    // The chain of open ancestors, each with the last child seen under it so far.
    let mut open: Vec<(u32, u32)> = Vec::new();
    let mut cursor = root.walk();
    let mut pre: u32 = 0;
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
        let kind_id = node.kind_id();
        // Error recovery can put any node anywhere, so a subtree with an error is walked.
        let closed = plan.is_opaque(kind_id) && node.child_count() > 0 && !node.has_error();
        entries.push(Entry {
            node,
            end: i + 1,
            parent,
            previous,
            pre,
            kind_id,
            field: cursor.field_id().map_or(0, u16::from),
            closed,
        });
        if closed {
            let size = u32::try_from(node.descendant_count()).unwrap_or(u32::MAX);
            pre = pre.saturating_add(size);
        } else {
            pre = pre.saturating_add(1);
            if cursor.goto_first_child() {
                open.push((i, NONE));
                continue;
            }
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
}

/// Everything a list entry records, the node's raw fields included (`Node`'s equality compares
/// ids only; its position and alias live in the rest).
type EntryFields = ([u32; 4], usize, [u32; 5], (u16, u16), bool);

fn entry_fields(e: &Entry<'_>) -> EntryFields {
    let raw = e.node.into_raw();
    (
        raw.context,
        raw.id as usize,
        [e.end, e.parent, e.previous, e.pre, e.start()],
        (e.kind_id, e.field),
        e.closed,
    )
}

/// Whether the fast walk (`list_nodes.c`, which reads tree-sitter's private subtree layout)
/// lists exactly what the cursor walk lists under `root`: the same nodes, positions, aliases,
/// fields and links, under the complete plan, the repository index's plan and the checks'
/// plan, from `root` and from some nodes inside it. Returns how many entries were compared, or
/// the first difference. For the `fast_walk` fuzz target and the tests: run both on every
/// tree-sitter upgrade (see the README), since the private layout can change in any release.
#[doc(hidden)]
pub fn compare_fast_walk_with_cursor(root: Node<'_>) -> Result<usize, String> {
    let rust = super::language::by_name("rust").ok_or("rust is not registered")?;
    let complete = WalkPlan::complete(rust);
    let checks = super::check::CheckSet::embedded().map_err(|e| e.to_string())?;
    let plans = [
        &complete,
        super::index::walk_plan(rust),
        checks.walk_plan(rust),
    ];
    let inner: Vec<Node<'_>> = descendants(root).step_by(97).take(20).collect();
    let mut compared = 0;
    for plan in plans {
        for start in std::iter::once(root).chain(inner.iter().copied()) {
            let mut fast = Vec::new();
            if !list_nodes(start, plan, &mut fast) {
                return Err(format!(
                    "the fast walk could not run from {}",
                    start.kind_name()
                ));
            }
            let mut slow = Vec::new();
            walk_with_cursor(start, plan, &mut slow);
            if fast.len() != slow.len() {
                return Err(format!(
                    "the fast walk lists {} nodes from {}, the cursor {}",
                    fast.len(),
                    start.kind_name(),
                    slow.len()
                ));
            }
            for (at, (a, b)) in fast.iter().zip(&slow).enumerate() {
                let (ours, theirs) = (entry_fields(a), entry_fields(b));
                if ours != theirs {
                    return Err(format!(
                        "entry {at} ({} from {}): fast walk {ours:?}, cursor {theirs:?}",
                        b.node.kind_name(),
                        start.kind_name()
                    ));
                }
            }
            compared += fast.len();
        }
    }
    Ok(compared)
}

/// Parses `source` (any bytes) as Rust and runs [`compare_fast_walk_with_cursor`] on its tree.
#[doc(hidden)]
pub fn compare_fast_walk_on_rust_source(source: &[u8]) -> Result<usize, String> {
    let rust = super::language::by_name("rust").ok_or("rust is not registered")?;
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&(rust.grammar)())
        .map_err(|e| e.to_string())?;
    let tree = parser
        .parse(source, None)
        .ok_or("tree-sitter returned no tree")?;
    compare_fast_walk_with_cursor(tree.root_node())
}

extern "C" {
    fn failmode_entry_size() -> usize;
    fn failmode_list_nodes(
        root: tree_sitter::ffi::TSNode,
        opaque: *const bool,
        symbol_count: u32,
        out: *mut Entry<'_>,
        cap: usize,
    ) -> usize;
}

/// Lists `root` and its descendants into `entries` (emptied first) by reading tree-sitter's
/// subtrees directly (`list_nodes.c`), as [`walk_with_cursor`] would list them at a fraction
/// of the cost. False when the walk could not run (out of memory), leaving `entries` to the
/// cursor.
fn list_nodes<'t>(root: Node<'t>, plan: &WalkPlan, entries: &mut Vec<Entry<'t>>) -> bool {
    // Every listed node is a visible node of the subtree, so its descendant count is room
    // enough; the C side checks it again.
    let room = root.descendant_count();
    entries.clear();
    if entries.capacity() < room {
        // A fresh allocation instead of growing: nothing needs copying, and pages past what
        // the walk writes are never touched.
        *entries = Vec::with_capacity(room);
    }
    // SAFETY: a plain C function without arguments. The layouts are compared on every call
    // (it costs nothing next to the walk), so a mismatch falls back to the cursor instead of
    // writing records Rust would misread.
    if unsafe { failmode_entry_size() } != std::mem::size_of::<Entry<'_>>() {
        return false;
    }
    let opaque = plan.opaque_by_id();
    let Ok(symbol_count) = u32::try_from(opaque.len()) else {
        return false;
    };
    // SAFETY: `Entry` is `#[repr(C)]` with the layout of `FmEntry` in list_nodes.c (a test
    // compares their sizes, and `Node` is a transparent `TSNode`); `out` has room for
    // `capacity` entries and the C side writes at most that many, each fully, and returns how
    // many (or `usize::MAX`, writing nothing we keep); `opaque` has `symbol_count` flags. The
    // walk only reads the tree, which `root` borrows for `'t`, and the nodes it writes are
    // nodes of that tree.
    let written = unsafe {
        failmode_list_nodes(
            root.into_raw(),
            opaque.as_ptr(),
            symbol_count,
            entries.as_mut_ptr(),
            entries.capacity(),
        )
    };
    if written > entries.capacity() {
        return false;
    }
    // SAFETY: the first `written` entries were initialised by the walk (see above).
    unsafe { entries.set_len(written) };
    true
}

/// The buffers of the last node list dropped on this thread, kept for the next one. A list
/// of a large file is megabytes: allocating and freeing one per file makes the allocator
/// return the memory to the system and fault it in again each time.
struct Buffers;

/// The longest list whose buffers are kept (about 18 MB of entries).
const KEPT_ENTRIES: usize = 1 << 18;

thread_local! {
    #[allow(clippy::type_complexity)]
    static KEPT: std::cell::RefCell<Option<(Vec<Entry<'static>>, Vec<Vec<u32>>)>> =
        const { std::cell::RefCell::new(None) };
}

impl Buffers {
    /// Empty buffers, with the capacity of the last ones given back on this thread.
    fn take<'t>() -> (Vec<Entry<'t>>, Vec<Vec<u32>>) {
        let kept = KEPT.with(|k| k.borrow_mut().take());
        match kept {
            // The entries are empty, so the conversion maps nothing; collecting an emptied
            // vector into one of the same layout reuses its allocation.
            Some((entries, buckets)) => {
                (entries.into_iter().map(Entry::relabel).collect(), buckets)
            }
            None => (Vec::new(), Vec::new()),
        }
    }

    /// Keeps emptied `entries` and `buckets` for the next list on this thread.
    fn give_back(mut entries: Vec<Entry<'_>>, mut buckets: Vec<Vec<u32>>) {
        if entries.capacity() > KEPT_ENTRIES {
            return;
        }
        entries.clear();
        buckets.iter_mut().for_each(Vec::clear);
        let entries: Vec<Entry<'static>> = entries.into_iter().map(Entry::relabel).collect();
        KEPT.with(|k| *k.borrow_mut() = Some((entries, buckets)));
    }
}

impl<'t> Entry<'t> {
    /// Never called: only the element type of an emptied buffer changes (see [`Buffers`]).
    fn relabel<'u>(self) -> Entry<'u> {
        unreachable!("node list buffers are emptied before they change hands")
    }
}

/// The nodes of a subtree with their kinds: see [`NodeList::subtree`] and
/// [`NodeList::subtree_all`].
pub enum Subtree<'a, 't> {
    /// Read from the list (opaque nodes expanded by a cursor walk when `expand` is set).
    Listed {
        /// The list.
        list: &'a NodeList<'t>,
        /// The next list index.
        next: usize,
        /// One past the last list index of the subtree.
        end: usize,
        /// The descendants of the opaque node being expanded, after the node itself.
        inner: Option<Box<dyn Iterator<Item = Node<'t>> + 't>>,
        /// Whether opaque nodes are expanded.
        expand: bool,
    },
    /// Walked in the tree, for a node the list does not hold.
    Walked(Box<dyn Iterator<Item = Node<'t>> + 't>),
}

impl<'t> Iterator for Subtree<'_, 't> {
    type Item = (&'static str, Node<'t>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Subtree::Walked(nodes) => nodes.next().map(|n| (n.kind_name(), n)),
            Subtree::Listed {
                list,
                next,
                end,
                inner,
                expand,
            } => {
                if let Some(nodes) = inner {
                    match nodes.next() {
                        Some(n) => return Some((n.kind_name(), n)),
                        None => *inner = None,
                    }
                }
                if *next >= *end {
                    return None;
                }
                let e = &list.entries[*next];
                *next += 1;
                if *expand && e.closed {
                    // The node itself comes from the list; its descendants from the tree.
                    *inner = Some(Box::new(descendants(e.node).skip(1)));
                }
                Some((list.kind_of(e), e.node))
            }
        }
    }
}

/// The nodes at the preorder `positions` (ascending) of the tree under `root`, the numbering of
/// [`NodeList::position`] and `TreeCursor::goto_descendant` (`None` past the last node). One
/// forward walk that steps over every subtree not holding the next position, so finding many
/// nodes costs about one path each, not a descent from the root each.
pub fn nodes_at<'t>(root: Node<'t>, positions: &[usize]) -> Vec<Option<Node<'t>>> {
    let mut out = Vec::with_capacity(positions.len());
    let mut cursor = root.walk();
    // The preorder number of the cursor's node, and of each ancestor it descended through.
    let mut at = 0usize;
    let mut ancestors: Vec<usize> = Vec::new();
    let mut done = false;
    for &goal in positions {
        while !done {
            let size = cursor.node().descendant_count();
            if goal < at {
                // Positions must ascend; an out-of-order one is not found.
                break;
            }
            if goal == at {
                break;
            }
            if goal < at + size {
                if cursor.goto_first_child() {
                    ancestors.push(at);
                    at += 1;
                    continue;
                }
                done = true;
                break;
            }
            // Step over this subtree: to the next sibling, or up to where one is.
            loop {
                let size = cursor.node().descendant_count();
                if cursor.goto_next_sibling() {
                    at += size;
                    break;
                }
                if !cursor.goto_parent() {
                    done = true;
                    break;
                }
                at = ancestors.pop().unwrap_or(0);
            }
        }
        out.push((!done && goal == at).then(|| cursor.node()));
    }
    out
}

/// The kinds of item that can be test code (see [`is_test_item_with`]); a node list keeps
/// their positions so test ranges need no walk of their own.
pub const TEST_ITEM_KINDS: &[&str] = &["function_item", "mod_item", "impl_item"];

/// Macros that panic (by their last path segment): a branch that calls one never returns a
/// value, and a fallback that does is no default.
pub const PANIC_MACROS: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];

/// The attribute items (`#[...]`) written directly before an item, as source text without `#[`
/// and `]`, e.g. `tokio::test`, `cfg(test)`.
pub fn attributes<'f>(file: &'f ParsedFile, item: Node<'_>) -> Vec<&'f str> {
    let mut out = Vec::new();
    let mut prev = item.prev_sibling();
    while let Some(p) = prev {
        match p.kind_name() {
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

/// The names of the inline modules `node` is written in, outermost first. From the file's list
/// of inline modules when it is known (modules nest, so they are the last one starting at or
/// before the node and the modules around that one, as far as they reach over the node);
/// otherwise from the node's ancestors, which tree-sitter finds by searching down from the root
/// at every step.
pub fn modules_around<'f>(file: &'f ParsedFile, node: Node<'_>) -> Vec<&'f str> {
    let Some(modules) = file.inline_modules() else {
        let mut names: Vec<&str> = ancestors(node)
            .filter(|a| a.kind_name() == "mod_item")
            .filter_map(|m| m.field("name"))
            .map(|n| file.node_text(n))
            .collect();
        names.reverse();
        return names;
    };
    let (start, end) = (node.start_byte(), node.end_byte());
    let mut at = modules.partition_point(|m| m.start <= start).checked_sub(1);
    let mut names = Vec::new();
    while let Some(i) = at {
        let m = &modules[i];
        if end <= m.end && (m.start, m.end) != (start, end) {
            names.push(m.name.as_str());
        }
        at = m.parent;
    }
    names.reverse();
    names
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
    cfg_names(attr, "test")
}

/// Whether an attribute is `cfg(debug_assertions)` (possibly inside `all(..)`): the item is
/// compiled into debug builds only, so it never runs in a release build in production (a
/// development-only route, a test helper in a client crate).
pub fn is_cfg_debug_only(attr: &str) -> bool {
    cfg_names(attr, "debug_assertions")
}

/// Whether `attr` is a `cfg(..)` that requires the bare predicate `name` (not `not(name)`).
fn cfg_names(attr: &str, name: &str) -> bool {
    if !attr.trim_start().starts_with("cfg") {
        return false;
    }
    let compact: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("cfg(")
        && ["(", ","].iter().any(|open| {
            [")", ","]
                .iter()
                .any(|close| compact.contains(&format!("{open}{name}{close}")))
        })
        && !compact.contains(&format!("not({name}"))
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
/// `#[cfg(test)]` module or impl. Items compiled into debug builds only
/// (`#[cfg(debug_assertions)]`) count too: they never run in production.
pub fn is_test_item(file: &ParsedFile, item: Node<'_>) -> bool {
    is_test_item_with(item.kind_name(), &attributes(file, item))
}

/// [`is_test_item`] for an item of `kind` written after `attributes` (as [`attributes`]
/// gives them).
pub fn is_test_item_with(kind: &str, attributes: &[&str]) -> bool {
    match kind {
        "function_item" => attributes
            .iter()
            .any(|t| is_test_attribute(t) || is_cfg_test(t) || is_cfg_debug_only(t)),
        "mod_item" | "impl_item" => attributes
            .iter()
            .any(|t| is_cfg_test(t) || is_cfg_debug_only(t)),
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
    ancestors(node).find(|a| a.kind_name() == "function_item")
}

/// The `impl` or `trait` block that defines the function `f` directly (not a function nested
/// in a method), read through the node list's parents (constant time per step).
pub fn enclosing_impl_or_trait<'t>(nodes: &NodeList<'t>, f: Node<'t>) -> Option<Node<'t>> {
    let list = nodes
        .parent(f)
        .filter(|p| p.kind_name() == "declaration_list")?;
    nodes
        .parent(list)
        .filter(|p| matches!(p.kind_name(), "impl_item" | "trait_item"))
}

/// The type an `impl` block is for, as the effect model qualifies its methods: `Client` for
/// `impl Client`, `impl<T> Client<T>`, `impl Trait for Client` and `impl api::Client`.
pub fn impl_type_name<'f>(file: &'f ParsedFile, imp: Node<'_>) -> Option<&'f str> {
    let ty = file.node_text(imp.field("type")?);
    let ty = ty.split('<').next().unwrap_or(ty);
    let ty = ty.rsplit("::").next().unwrap_or(ty).trim();
    (!ty.is_empty() && ty.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(ty)
}

/// The type a `struct_expression` builds, by its last path segment (`Event` for
/// `api::Event { .. }`), `Self` read as `owner` (the `impl` type around it).
pub fn struct_expression_type<'a>(
    file: &'a ParsedFile,
    st: Node<'_>,
    owner: Option<&'a str>,
) -> Option<&'a str> {
    let ty = file.node_text(st.field("name")?);
    match ty.rsplit("::").next().unwrap_or(ty).trim() {
        "Self" => owner,
        ty => Some(ty),
    }
}

/// The field a struct-expression initialiser sets and the expression it sets it to: `events`
/// and `rx` for `events: rx`, `rx` twice for the shorthand `rx`; `None` for `..base`.
pub fn field_initializer_parts(init: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    match init.kind_name() {
        "shorthand_field_initializer" => init.named_child(0).map(|n| (n, n)),
        "field_initializer" => Some((init.field("field")?, init.field("value")?)),
        _ => None,
    }
}

/// Whether `call` calls a method of the caller's own type: `self.m(..)` or `Self::m(..)`.
pub fn calls_own_method(file: &ParsedFile, call: Node<'_>) -> bool {
    let Some(f) = call.field("function") else {
        return false;
    };
    match f.kind_name() {
        "field_expression" => f
            .field("value")
            .is_some_and(|v| file.node_text(v) == "self"),
        "scoped_identifier" => f.field("path").is_some_and(|p| file.node_text(p) == "Self"),
        _ => false,
    }
}

/// The owner-qualified name of a call of the caller's own method, as the effect model names
/// it: `Client::send` for `self.send(..)` or `Self::send(..)` in a method of `impl Client`.
/// `None` for any other call, or a method whose `impl` type the syntax does not name.
pub fn own_method_name(file: &ParsedFile, call: Node<'_>) -> Option<String> {
    if !calls_own_method(file, call) {
        return None;
    }
    let name = call_name(file, call)?;
    let list = enclosing_function(call)?
        .parent()
        .filter(|p| p.kind_name() == "declaration_list")?;
    let imp = list.parent().filter(|p| p.kind_name() == "impl_item")?;
    Some(format!("{}::{name}", impl_type_name(file, imp)?))
}

/// The most statements of one block that [`local_receiver_type`] reads up to a method call for
/// the `let` that binds its receiver, and the most blocks it climbs (a PR can write 100,000
/// statements in one block, or nest 100,000 blocks): past either, the type is not known.
const MAX_PRECEDING_STATEMENTS: usize = 1024;
const MAX_BLOCKS_CLIMBED: usize = 64;

/// The type-qualified name of a method call (`Comment::post` for `comment.post(..)`) when the
/// syntax of its function says what the receiver is ([`local_receiver_type`]) or the call is
/// the caller's own method ([`own_method_name`]); `None` otherwise. The effect model answers a
/// qualified name only when that type defines the method, and falls back to the bare name.
pub fn typed_method_name(file: &ParsedFile, call: Node<'_>) -> Option<String> {
    own_method_name(file, call).or_else(|| {
        // Most receivers are not a plain name: say so before climbing the tree.
        if call_receiver(call)?.kind_name() != "identifier" {
            return None;
        }
        // One walk down from the root, not a search from the root for every parent.
        let chain = ancestors_from(file.tree.root_node(), call);
        let function = *chain.iter().find(|a| a.kind_name() == "function_item")?;
        let ty = local_receiver_type(file, call, function, chain.into_iter())?;
        Some(format!("{ty}::{}", call_name(file, call)?))
    })
}

/// The type of a method call's receiver when it is a plain name that its function declares or
/// builds with a written type: a parameter `x: &T` (through `Arc`, `Rc` and `Box`), or a local
/// bound before the call by `let x: T = ..`, `let x = T::new(..)` (any associated function,
/// `?` and `.await` peeled) or `let x = T { .. }`. Only names that start with a capital letter
/// count; `Self` is left to [`own_method_name`]. `function` is the call's enclosing function
/// and `ancestors` the call's ancestors, innermost first ([`ancestors`], or
/// [`NodeList::ancestors`] where the walk has listed them).
pub fn local_receiver_type<'f, 't>(
    file: &'f ParsedFile,
    call: Node<'t>,
    function: Node<'t>,
    ancestors: impl Iterator<Item = Node<'t>>,
) -> Option<&'f str> {
    let receiver = call_receiver(call)?;
    if receiver.kind_name() != "identifier" {
        return None;
    }
    let name = file.node_text(receiver);
    let body = function.field("body")?;
    // The nearest `let` of the name before the call, block by block outwards.
    let mut child = call;
    let mut blocks = 0;
    for a in ancestors {
        if a.id() == function.id() {
            break;
        }
        if rebinds(file, a, child, name) {
            // A closure parameter, loop or match pattern of the same name: another value.
            return None;
        }
        if a.kind_name() == "block" {
            blocks += 1;
            if blocks > MAX_BLOCKS_CLIMBED {
                return None;
            }
            let mut before = Vec::new();
            let mut cursor = a.walk();
            for s in a.named_children(&mut cursor) {
                if s.start_byte() >= child.start_byte() {
                    break;
                }
                if before.len() == MAX_PRECEDING_STATEMENTS {
                    return None;
                }
                before.push(s);
            }
            for s in before.iter().rev() {
                if s.kind_name() != "let_declaration" {
                    continue;
                }
                let binds = s.field("pattern").is_some_and(|p| {
                    let p = if p.kind_name() == "mut_pattern" {
                        p.named_child(0).unwrap_or(p)
                    } else {
                        p
                    };
                    p.kind_name() == "identifier" && file.node_text(p) == name
                });
                if binds {
                    return let_type(file, *s);
                }
            }
        }
        if a.id() == body.id() {
            break;
        }
        child = a;
    }
    written_type(file, parameter_named(file, function, name)?.field("type")?)
}

/// The parameter of `function` whose pattern is exactly `name` (`client` in
/// `client: &Client`), `self` not counted.
pub fn parameter_named<'t>(file: &ParsedFile, function: Node<'t>, name: &str) -> Option<Node<'t>> {
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    let found = params
        .named_children(&mut cursor)
        .filter(|p| p.kind_name() == "parameter")
        .find(|p| {
            p.field("pattern")
                .is_some_and(|n| file.node_text(n) == name)
        });
    found
}

/// Whether `a`, an ancestor of `child`, binds `name` for it in a pattern of its own: a
/// closure's parameters, a `for` pattern, a `match` arm's pattern, or an `if let` / `while let`
/// pattern around its body.
fn rebinds(file: &ParsedFile, a: Node<'_>, child: Node<'_>, name: &str) -> bool {
    let patterns: Vec<Node<'_>> = match a.kind_name() {
        "closure_expression" => a.field("parameters").into_iter().collect(),
        "for_expression" | "match_arm" => a.field("pattern").into_iter().collect(),
        "if_expression" | "while_expression" => a
            .field("condition")
            .filter(|c| c.id() != child.id())
            .map(|c| {
                std::iter::once(c)
                    .chain(descendants(c).take(MAX_REBIND_NODES))
                    .filter(|d| d.kind_name() == "let_condition")
                    .filter_map(|d| d.field("pattern"))
                    .collect()
            })
            .unwrap_or_default(),
        _ => return false,
    };
    patterns.into_iter().any(|p| {
        std::iter::once(p)
            .chain(descendants(p).take(MAX_REBIND_NODES))
            .any(|d| d.kind_name() == "identifier" && file.node_text(d) == name)
    })
}

/// The most nodes of one pattern or condition [`rebinds`] reads.
const MAX_REBIND_NODES: usize = 256;

/// The type a `let` gives its name: its written type, else the type whose associated function
/// or struct literal makes the value.
fn let_type<'f>(file: &'f ParsedFile, stmt: Node<'_>) -> Option<&'f str> {
    if let Some(ty) = stmt.field("type") {
        return written_type(file, ty);
    }
    let value = unwrap_expression(stmt.field("value")?);
    let path = match value.kind_name() {
        "call_expression" => {
            let f = value.field("function")?;
            (f.kind_name() == "scoped_identifier").then(|| f.field("path"))??
        }
        "struct_expression" => value.field("name")?,
        _ => return None,
    };
    capitalised(last_segment(file.node_text(path)))
}

/// The named type of a written type, through references and `Arc`, `Rc` and `Box`:
/// `Client` for `&Client`, `Arc<api::Client>` and `&mut Client<T>`.
fn written_type<'f>(file: &'f ParsedFile, ty: Node<'_>) -> Option<&'f str> {
    let mut text = file.node_text(ty).trim();
    loop {
        match outer_type_name(text) {
            "Arc" | "Rc" | "Box" => {
                let (_, inner) = text.split_once('<')?;
                text = inner.strip_suffix('>').unwrap_or(inner).trim();
            }
            outer => return capitalised(outer),
        }
    }
}

/// The name of a written type's outermost constructor: `Data` for `web::Data<AppState>`,
/// `AppState` for `&'a mut AppState`.
pub fn outer_type_name(ty: &str) -> &str {
    let ty = ty.split('<').next().unwrap_or("");
    let ty = ty.trim_start_matches('&').trim();
    let ty = match ty.strip_prefix('\'') {
        Some(rest) => rest.split_once(' ').map_or("", |(_, t)| t),
        None => ty,
    };
    let ty = ty.trim_start_matches("mut ").trim();
    last_segment(ty)
}

/// The last `::` segment of a path: `Client` for `api::Client`.
pub fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path).trim()
}

/// `name` when it reads as a type's name: a capital first letter, then letters, digits or `_`;
/// not `Self` (the caller's own type, which [`own_method_name`] names).
fn capitalised(name: &str) -> Option<&str> {
    (name != "Self"
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
    .then_some(name)
}

/// A readable path of the items enclosing `node`, e.g. `billing::impl Client::charge`.
pub fn item_path(file: &ParsedFile, node: Node<'_>) -> String {
    let mut parts = Vec::new();
    for a in std::iter::once(node).chain(ancestors(node)) {
        let name = match a.kind_name() {
            "function_item" | "mod_item" | "trait_item" | "struct_item" | "enum_item" => {
                a.field("name").map(|n| file.node_text(n).to_string())
            }
            "impl_item" => a
                .field("type")
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
        let replacement = match d.kind_name() {
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
    let f = call.field("function")?;
    let name_node = match f.kind_name() {
        "field_expression" => f.field("field")?,
        "scoped_identifier" => f.field("name")?,
        "identifier" => f,
        "generic_function" => {
            let inner = f.field("function")?;
            match inner.kind_name() {
                "field_expression" => inner.field("field")?,
                "scoped_identifier" => inner.field("name")?,
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
    let f = call.field("function")?;
    let f = if f.kind_name() == "generic_function" {
        f.field("function")?
    } else {
        f
    };
    (f.kind_name() == "field_expression")
        .then(|| f.field("value"))
        .flatten()
}

/// The last name of a receiver expression: `state.http` → `http`, `self.gh` → `gh`,
/// `crate::CLIENT` → `CLIENT`, `self.client()` → `client`.
pub fn receiver_name<'f>(file: &'f ParsedFile, root: Node<'_>) -> &'f str {
    match root.kind_name() {
        "field_expression" => root.field("field").map(|f| file.node_text(f)).unwrap_or(""),
        "scoped_identifier" => root.field("name").map(|f| file.node_text(f)).unwrap_or(""),
        _ => file.node_text(root),
    }
}

/// The spawn that runs `task` (an async block or closure) with nobody waiting for it:
/// `tokio::spawn(async move { .. });`. The task is an argument of the call, possibly through
/// `.instrument(span)`, `.in_current_span()` and parentheses. The call must be one `is_spawn`
/// accepts by its name and function path, and not a retry wrapper (`Retry::spawn`). It must be
/// made on a path or a runtime handle (`rt.spawn`, `handle.spawn`), because a `JoinSet`'s tasks
/// are joined later. Its handle must be dropped: the call is an expression statement or
/// `let _ = ..`.
pub fn fire_and_forget_spawn_of<'t>(
    file: &ParsedFile,
    task: Node<'t>,
    is_spawn: impl Fn(&str, &str) -> bool,
) -> Option<Node<'t>> {
    let mut p = task.parent()?;
    for _ in 0..4 {
        match p.kind_name() {
            "field_expression" | "parenthesized_expression" | "closure_expression" => {
                p = p.parent()?
            }
            "call_expression"
                if call_name(file, p)
                    .is_some_and(|n| n == "instrument" || n == "in_current_span") =>
            {
                p = p.parent()?
            }
            _ => break,
        }
    }
    if p.kind_name() != "arguments" {
        return None;
    }
    let call = p.parent()?;
    let name = call_name(file, call)?;
    let path = call
        .field("function")
        .map(|f| file.node_text(f))
        .unwrap_or("");
    if !is_spawn(name, path) || path.contains("Retry") {
        return None;
    }
    if let Some(recv) = call_receiver(call) {
        let r = receiver_name(file, recv).to_ascii_lowercase();
        if !(r.contains("runtime") || r == "rt" || r.ends_with("handle")) {
            return None;
        }
    }
    let parent = call.parent()?;
    let dropped = match parent.kind_name() {
        "expression_statement" => true,
        "let_declaration" => parent
            .field("pattern")
            .is_some_and(|p| file.node_text(p).starts_with('_')),
        _ => false,
    };
    dropped.then_some(call)
}

/// Strips wrappers that do not change what an expression is: `.await`, `?`, parentheses,
/// references. Returns the innermost "real" expression.
pub fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    loop {
        let next = match node.kind_name() {
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

/// [`unwrap_expression`] through at most `max` wrappers: `None` when there are more, for callers
/// that do it for every node of a stack a PR can make 100,000 deep.
pub fn unwrap_expression_at_most(mut node: Node<'_>, max: usize) -> Option<Node<'_>> {
    for _ in 0..=max {
        let next = match node.kind_name() {
            "await_expression"
            | "try_expression"
            | "parenthesized_expression"
            | "reference_expression" => node.named_child(0),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return Some(node),
        }
    }
    None
}

/// The paths a `use` declaration imports, as segments (`use a::{b, c::d};` → `a::b`, `a::c::d`).
/// Renamed imports (`x as y`) are left out (see [`expand_use_aliases`]); globs end in `*`.
pub fn expand_use(text: &str) -> Vec<Vec<String>> {
    expand_use_aliases(text)
        .into_iter()
        .filter(|(local, path)| path.last() == Some(local))
        .map(|(_, path)| path)
        .collect()
}

/// What a `use` declaration imports: each local name with the path it stands for
/// (`use reqwest::Client as Http;` → `Http` = `reqwest::Client`). Globs end in `*`; `self`
/// in a group names the group's module.
pub fn expand_use_aliases(text: &str) -> Vec<(String, Vec<String>)> {
    // `as` is a keyword only between whitespace; mark it before whitespace goes, so a name that
    // contains "as" (`database`) stays whole.
    let mut marked = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if w == "as" {
            marked.push('=');
        } else {
            marked.push_str(w);
        }
    }
    let compact = marked;
    let Some(start) = compact.find("use") else {
        return Vec::new();
    };
    let body = compact[start + 3..].trim_end_matches(';');
    let mut out = Vec::new();
    let mut work = vec![body.to_string()];
    let mut steps = 0;
    while let Some(item) = work.pop() {
        steps += 1;
        if steps > 4096 {
            break;
        }
        match item.find('{') {
            None => {
                if item.is_empty() {
                    continue;
                }
                let (path, alias) = match item.split_once('=') {
                    Some((p, a)) => (p, Some(a)),
                    None => (item.as_str(), None),
                };
                let mut segments: Vec<String> = path.split("::").map(str::to_string).collect();
                if segments.last().is_some_and(|l| l == "self") {
                    segments.pop();
                }
                let Some(last) = segments.last().cloned() else {
                    continue;
                };
                let local = alias.map_or(last, str::to_string);
                if local != "_" && !local.is_empty() {
                    out.push((local, segments));
                }
            }
            Some(open) => {
                let prefix = &item[..open];
                let Some(close) = item.rfind('}') else {
                    continue;
                };
                if close < open {
                    continue;
                }
                let inner = &item[open + 1..close];
                let mut depth = 0usize;
                let mut part = String::new();
                for c in inner.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth = depth.saturating_sub(1),
                        ',' if depth == 0 => {
                            work.push(format!("{prefix}{part}"));
                            part.clear();
                            continue;
                        }
                        _ => {}
                    }
                    part.push(c);
                }
                if !part.is_empty() {
                    work.push(format!("{prefix}{part}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_only_items_are_read_as_test_code_but_release_only_ones_are_not() {
        assert!(is_cfg_debug_only("cfg(debug_assertions)"));
        assert!(is_cfg_debug_only(
            "cfg(all(debug_assertions, feature = \"dev\"))"
        ));
        assert!(!is_cfg_debug_only("cfg(not(debug_assertions))"));
        assert!(!is_cfg_debug_only("cfg(feature = \"debug_assertions_ui\")"));
        assert!(is_cfg_test("cfg(test)"));
        assert!(!is_cfg_test("cfg(not(test))"));
        assert!(is_test_item_with("mod_item", &["cfg(debug_assertions)"]));
        assert!(!is_test_item_with(
            "mod_item",
            &["cfg(not(debug_assertions))"]
        ));
    }

    fn file(src: &str) -> ParsedFile {
        crate::analysis::source::parse_rust_snippet("src/a.rs", src)
    }

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn kind_name_is_the_kind_tree_sitter_gives_every_node() {
        // Aliased nodes, anonymous tokens, an `ERROR` node and a missing token among them.
        let f = file(
            "macro_rules! m { ($x:expr) => { $x }; }\nfn a<'l>(x: &'l str) -> Result<(), E> { let _ = m!(x); match x { \"a\" | _ => {} } r#\"s\"#; b.c(|d| d?)?; Ok(()) }\nfn broken( { let = ; }\nstruct S { f: u8",
        );
        let mut cursor = f.tree.walk();
        let mut seen = std::collections::BTreeSet::new();
        let mut visited = 0;
        let mut missing = 0;
        loop {
            let node = cursor.node();
            assert_eq!(node.kind_name(), node.kind(), "at {:?}", node.byte_range());
            seen.insert(node.kind());
            missing += usize::from(node.is_missing());
            visited += 1;
            if cursor.goto_first_child() || cursor.goto_next_sibling() {
                continue;
            }
            while cursor.goto_parent() && !cursor.goto_next_sibling() {}
            if cursor.node().id() == f.tree.root_node().id() {
                break;
            }
        }
        assert!(visited > 100, "only {visited} nodes");
        // The names come from the table, not from tree-sitter's fallback.
        let root = f.tree.root_node();
        // SAFETY: `root` is a node of the live tree `f.tree`.
        let language = unsafe { tree_sitter::ffi::ts_node_language(root.into_raw()) } as usize;
        assert!(crate::analysis::language::LANGUAGES
            .iter()
            .any(|l| l.is_at(language)));
        assert!(seen.contains("ERROR"), "no error node in {seen:?}");
        assert!(missing > 0, "no missing node");
        assert!(
            seen.contains("token_tree") && seen.contains("=>"),
            "{seen:?}"
        );
    }

    #[test]
    fn use_declarations_keep_names_with_as_in_them_and_read_renames() {
        assert_eq!(
            expand_use("use crate::database::{Pool, fast as quick};"),
            vec![vec!["crate".to_string(), "database".into(), "Pool".into()]]
        );
        assert_eq!(
            expand_use_aliases("use reqwest::Client as HttpClient;"),
            vec![(
                "HttpClient".to_string(),
                vec!["reqwest".to_string(), "Client".into()]
            )]
        );
    }

    fn find<'t>(f: &'t ParsedFile, kind: &str, nth: usize) -> Node<'t> {
        descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == kind)
            .nth(nth)
            .unwrap()
    }

    /// The `nth` node of `kind` whose text is `text`.
    fn find_text<'t>(f: &'t ParsedFile, kind: &str, text: &str, nth: usize) -> Node<'t> {
        descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == kind && f.node_text(*n) == text)
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
    fn a_call_of_the_callers_own_method_is_named_with_the_impl_type() {
        let f = file(
            "impl<T> api::Client<T> { async fn post(&self) { self.send(r).await; Self::sign(r); other.send(r); } }\n\
             impl Notify for Mailer { fn notify(&self) { self.send(m); } }\n\
             fn free(x: X) { x.send(m); }",
        );
        let names: Vec<Option<String>> = (0..5)
            .map(|i| own_method_name(&f, find(&f, "call_expression", i)))
            .collect();
        assert_eq!(
            names,
            [
                Some("Client::send".to_string()),
                Some("Client::sign".to_string()),
                None,
                Some("Mailer::send".to_string()),
                None,
            ]
        );
    }

    #[test]
    fn typed_method_names_read_the_receiver_s_written_type() {
        let f = file(
            "fn f(gh: &Arc<api::Github>, n: u32) {\n\
             let comment = Comment::new(n)?;\n\
             comment.post(None);\n\
             let mut m = Mail { to: n };\n\
             m.send();\n\
             let c: Client = make();\n\
             { c.close(); }\n\
             gh.add_label(n);\n\
             let comment = build(n);\n\
             comment.post(None);\n\
             n.pow(2);\n\
             jobs.iter().map(|gh| gh.add_label(n));\n\
             for m in list { m.send(); }\n\
             }",
        );
        let names: Vec<Option<String>> = [
            "comment.post(None)",
            "m.send()",
            "c.close()",
            "gh.add_label(n)",
            "n.pow(2)",
        ]
        .iter()
        .map(|c| typed_method_name(&f, find_text(&f, "call_expression", c, 0)))
        // The nearest `let` decides: a second `comment` built by a plain fn has no type.
        .chain([typed_method_name(
            &f,
            find_text(&f, "call_expression", "comment.post(None)", 1),
        )])
        // A closure parameter or a loop pattern of the same name is another value.
        .chain([
            typed_method_name(&f, find_text(&f, "call_expression", "gh.add_label(n)", 1)),
            typed_method_name(&f, find_text(&f, "call_expression", "m.send()", 1)),
        ])
        .collect();
        assert_eq!(
            names,
            [
                Some("Comment::post".to_string()),
                Some("Mail::send".to_string()),
                Some("Client::close".to_string()),
                Some("Github::add_label".to_string()),
                None,
                None,
                None,
                None,
            ]
        );
    }

    #[test]
    fn ancestors_from_the_root_are_the_parents_of_every_node() {
        let f = file(
            "fn a(x: u8) -> u8 { let y = { x + 1 }; match y { 0 => b(), _ => y } }\nfn b() {}",
        );
        let root = f.tree.root_node();
        for node in descendants(root) {
            let climbed: Vec<_> = ancestors(node).map(|n| n.id()).collect();
            let descended: Vec<_> = ancestors_from(root, node).iter().map(|n| n.id()).collect();
            assert_eq!(descended, climbed, "ancestors of {}", node.kind_name());
        }
        // Error recovery leaves empty (missing) nodes beside real ones; comments, attributes and
        // macros sit between items.
        let broken = file(
            "// c
#[a]
fn e( { let v = vec![1, 2 /* x */]; if v { } 
struct S { f: }
fn g() { h!(a b); (1, ); }
",
        );
        let root = broken.tree.root_node();
        // (An empty node, such as a missing `)`, may be found under a neighbour that ends where
        // it sits: both hold its empty range.)
        for node in descendants(root).filter(|n| n.start_byte() < n.end_byte()) {
            let climbed: Vec<_> = ancestors(node).map(|n| n.id()).collect();
            let descended: Vec<_> = ancestors_from(root, node).iter().map(|n| n.id()).collect();
            assert_eq!(
                descended,
                climbed,
                "ancestors of {} in broken code",
                node.kind_name()
            );
        }
        let other = file("fn c() {}");
        assert!(ancestors_from(root, other.tree.root_node().child(0).unwrap()).is_empty());
        // Past the bound nothing is found, whatever the depth.
        let deep = file(&format!(
            "fn d() {{ {}x{} }}",
            "(".repeat(MAX_ANCESTOR_DEPTH),
            ")".repeat(MAX_ANCESTOR_DEPTH)
        ));
        let x = descendants(deep.tree.root_node())
            .find(|n| n.kind_name() == "identifier" && deep.node_text(*n) == "x")
            .unwrap();
        assert!(ancestors_from(deep.tree.root_node(), x).is_empty());
    }

    #[test]
    fn call_names() {
        let f = file("fn a() { tokio::spawn(x); c.post(u).send(); f::<T>(); }");
        let names: Vec<_> = descendants(f.tree.root_node())
            .filter(|n| n.kind_name() == "call_expression")
            .filter_map(|n| call_name(&f, n))
            .collect();
        assert_eq!(names, vec!["spawn", "send", "post", "f"]);
    }

    #[test]
    fn cached_field_ids_find_what_tree_sitter_finds_by_name() {
        let f = file("mod m { async fn a(x: u8) -> Result<(), E> { let y = b(x).await?; match y { Ok(v) => v, _ => {} } } }");
        let names = [
            "name",
            "body",
            "value",
            "pattern",
            "function",
            "arguments",
            "type",
            "return_type",
            "parameters",
            "no_such_field",
        ];
        for node in descendants(f.tree.root_node()) {
            for name in names {
                assert_eq!(
                    node.field(name),
                    node.child_by_field_name(name),
                    "{name} of {}",
                    node.kind_name()
                );
            }
        }
    }

    #[test]
    fn descendants_visits_every_node_once() {
        let f = file("fn a() { b(c, d); }");
        let n = descendants(f.tree.root_node()).count();
        assert_eq!(n, f.tree.root_node().descendant_count());
    }

    /// The fast walk (list_nodes.c) lists exactly what the cursor walk lists, field by field,
    /// under every plan, from the root and from inner nodes.
    fn assert_walks_agree(f: &ParsedFile, what: &str) {
        if let Err(difference) = compare_fast_walk_with_cursor(f.tree.root_node()) {
            panic!("{difference} in {what}");
        }
    }

    #[test]
    fn fast_walk_lists_what_the_cursor_lists() {
        // The records are written by C code: the layouts must agree.
        // SAFETY: a plain C function without arguments.
        assert_eq!(
            unsafe { failmode_entry_size() },
            std::mem::size_of::<Entry<'_>>()
        );
        let deep = format!("fn f() {{ {}x{} }}", "{".repeat(5_000), "}".repeat(5_000));
        let snippets = [
            "mod m { fn a() { b(c, d); let _ = e.f().await; } }\n#[cfg(test)] mod t { #[test] fn x() {} }",
            "/// doc\n#[get(\"/x\")]\n// note\n#[instrument(err)]\nasync fn h() { assert!(f(1).await.is_ok()); let s = \"a\\n\"; }",
            "fn broken( { let = ; match x { Err(_) => } }}}",
            "macro_rules! m { ($x:expr) => { vec![$x, (1, [2])] }; }\nfn u() { m!(a.b(c)); println!(\"{}\", x /* c */); }",
            "fn e() { foo!(a, (b c) [ ); }",
            "struct S<'a, T: ?Sized + 'a> where T: Fn(u8) -> u8 { x: &'a T }\nimpl<T> S<'_, T> { const N: usize = 3; fn g(self: Box<Self>) -> impl Iterator<Item = u8> { (0..Self::N as u8).map(|x| x) } }",
            "fn p(x: Option<u8>) { match x { Some(1 | 2) | None => {}, Some(n @ 3..=9) if n > 4 => {}, _ => unreachable!() } let [a, .., b] = [1, 2, 3]; }",
            "",
            deep.as_str(),
        ];
        for src in snippets {
            assert_walks_agree(&file(src), &src.chars().take(60).collect::<String>());
        }
        let checks = crate::analysis::check::CheckSet::embedded().expect("checks load");
        let mut files = 0;
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                for input in &example.files {
                    if let Some(Ok(f)) = crate::analysis::source::load(
                        input,
                        usize::MAX,
                        std::time::Duration::from_secs(10),
                    ) {
                        assert_walks_agree(&f, &format!("{}: {}", example.name, input.path));
                        files += 1;
                    }
                }
            }
        }
        assert!(files > 50, "only {files} example files compared");
    }

    /// Rust source text to mutate: every check's example files.
    fn example_sources() -> &'static [Vec<u8>] {
        static SOURCES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        SOURCES.get_or_init(|| {
            let checks = crate::analysis::check::CheckSet::embedded().expect("checks load");
            checks
                .checks
                .iter()
                .flat_map(crate::analysis::examples::examples_of)
                .flat_map(|e| e.files)
                .filter(|f| f.path.ends_with(".rs"))
                .map(|f| f.bytes().expect("examples are held in memory").into_owned())
                .collect()
        })
    }

    /// Tokens that upset a parser most: brackets, quotes, comment openers, attributes.
    const TOKENS: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "r#\"",
        "'",
        "/*",
        "*/",
        "//",
        "#[",
        "!",
        "::",
        ";",
        ",",
        "fn ",
        "async ",
        "move |x| ",
        ".await",
        "?",
        "<",
        ">",
        "=>",
        "match x ",
        "m!(",
        "\n",
        "\0",
        "\u{feff}",
        "é",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// The `fast_walk` fuzz target's comparison, on random bytes (for CI, which has no
        /// nightly toolchain to run cargo-fuzz).
        #[test]
        fn fast_walk_agrees_with_the_cursor_on_random_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
        ) {
            compare_fast_walk_on_rust_source(&bytes)
                .map_err(proptest::test_runner::TestCaseError::fail)?;
        }

        /// The same on real Rust files with tokens inserted and stretches deleted, which
        /// error recovery turns into ERROR and MISSING nodes, aliases and hidden nodes in odd
        /// places.
        #[test]
        fn fast_walk_agrees_with_the_cursor_on_mutated_rust(
            file in 0usize..1024,
            edits in proptest::collection::vec((0usize..1 << 20, 0usize..TOKENS.len(), 0usize..40), 1..24),
        ) {
            let sources = example_sources();
            let mut source = sources[file % sources.len()].clone();
            for (at, token, delete) in edits {
                let at = at % (source.len() + 1);
                if delete % 3 == 0 {
                    let end = (at + delete).min(source.len());
                    source.drain(at..end);
                } else {
                    source.splice(at..at, TOKENS[token].bytes());
                }
            }
            compare_fast_walk_on_rust_source(&source)
                .map_err(proptest::test_runner::TestCaseError::fail)?;
        }
    }

    /// The same comparison over a real source tree (slow; run it when list_nodes.c or the
    /// tree-sitter version changes): `FAILMODE_MATCHER_CORPUS=~/.cargo/registry/src cargo test
    /// --release --lib -- --ignored fast_walk_agrees`.
    #[test]
    #[ignore]
    fn fast_walk_agrees_with_the_cursor_on_a_corpus() {
        let Some(dir) = std::env::var_os("FAILMODE_MATCHER_CORPUS") else {
            panic!("set FAILMODE_MATCHER_CORPUS to a directory of Rust sources");
        };
        let mut files = 0;
        for entry in ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .build()
        {
            let Ok(entry) = entry else { continue };
            if entry.path().extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let input = crate::analysis::source::SourceInput::new(
                entry.path().display().to_string(),
                bytes,
            );
            let Some(Ok(f)) = crate::analysis::source::load(
                &input,
                crate::analysis::source::DEFAULT_MAX_FILE_SIZE,
                std::time::Duration::from_secs(10),
            ) else {
                continue;
            };
            assert_walks_agree(&f, &input.path);
            files += 1;
        }
        eprintln!("{files} files agree");
    }

    #[test]
    fn node_list_finds_every_node_of_a_long_file_by_its_start() {
        let rust = crate::analysis::language::by_name("rust").expect("rust is registered");
        let plan = WalkPlan::complete(rust);
        // Items over many kilobytes, after a long comment, some nodes sharing a start with
        // their parent: each is found by its start among thousands of entries.
        let block = 256;
        let mut src = format!("//{}\n", "x".repeat(block - 3));
        for i in 0..100 {
            src.push_str(&format!(
                "fn f{i}(x: u8) -> Result<u8, E> {{ let y = g(x, {i}).await?; Ok(y.z[0] + 1) }}\n"
            ));
        }
        let f = file(&src);
        let root = f.tree.root_node();
        let walked: Vec<Node<'_>> = descendants(root).collect();
        assert!(walked
            .iter()
            .any(|n| n.start_byte() == block && n.kind_name() == "function_item"));
        assert!(src.len() > 20 * block);
        let list = NodeList::new(root, &plan);
        for (at, node) in walked.iter().enumerate() {
            assert_eq!(
                list.position(*node),
                Some(at),
                "{} at {}",
                node.kind_name(),
                node.start_byte()
            );
            assert_eq!(list.parent(*node), node.parent());
        }
        // A node of another tree is not found, whatever its start.
        let other = file(&src);
        let stranger = other.tree.root_node().named_child(3).expect("an item");
        assert_eq!(list.position(stranger), None);
    }

    #[test]
    fn node_list_subtrees_match_walked_descendants() {
        let rust = crate::analysis::language::by_name("rust").expect("rust is registered");
        let complete = WalkPlan::complete(rust);
        let index = crate::analysis::index::walk_plan(rust);
        assert!(index.opaque_kinds().contains("token_tree"));
        // Broken input too: ERROR and MISSING nodes must be placed like the cursor places them.
        for src in [
            "mod m { fn a() { b(c, d); let _ = e.f().await; } }\n#[cfg(test)] mod t { #[test] fn x() {} }",
            "/// doc\n#[get(\"/x\")]\n// note\n#[instrument(err)]\nasync fn h() { assert!(f(1).await.is_ok()); let s = \"a\\n\"; }",
            "fn broken( { let = ; match x { Err(_) => } }}}",
            "macro_rules! m { ($x:expr) => { vec![$x, (1, [2])] }; }\nfn u() { m!(a.b(c)); println!(\"{}\", x /* c */); }",
            "fn e() { foo!(a, (b c) [ ); }",
            "",
        ] {
            let f = file(src);
            let root = f.tree.root_node();
            let walked: Vec<Node<'_>> = descendants(root).collect();
            // Nodes are found again by position, all at once or a few.
            let every: Vec<usize> = (0..walked.len() + 2).collect();
            let expected: Vec<Option<Node<'_>>> = (0..walked.len() + 2)
                .map(|i| walked.get(i).copied())
                .collect();
            assert_eq!(nodes_at(root, &every), expected, "{src:?}");
            let some: Vec<usize> = every.iter().copied().filter(|i| i % 3 == 1).collect();
            let found: Vec<Option<Node<'_>>> = some.iter().map(|&i| walked.get(i).copied()).collect();
            assert_eq!(nodes_at(root, &some), found, "{src:?}");
            for plan in [&complete, index] {
                let list = NodeList::new(root, plan);
                // Nodes under a closed (opaque) node are not listed; everything else is.
                let listed: Vec<Node<'_>> = list.iter().map(|(_, n)| n).collect();
                let inside_closed = |n: &Node<'_>| {
                    ancestors(*n).any(|a| {
                        plan.is_opaque(a.kind_id()) && a.child_count() > 0 && !a.has_error()
                    })
                };
                let expected: Vec<Node<'_>> =
                    walked.iter().copied().filter(|n| !inside_closed(n)).collect();
                assert_eq!(listed, expected, "{src:?}");
                if std::ptr::eq(plan, &complete) {
                    assert_eq!(listed.len(), walked.len(), "{src:?}");
                }
                // A node's position is the preorder number tree-sitter's cursor goes back to (the
                // engine keeps pending matches as positions and finds their nodes again this way),
                // for nodes inside opaque ones too.
                let mut cursor = root.walk();
                for (at, node) in walked.iter().enumerate() {
                    assert_eq!(list.position(*node), Some(at), "{} in {src:?}", node.kind_name());
                    cursor.goto_descendant(at);
                    assert_eq!(cursor.node(), *node, "{src:?}");
                }
                for (pre, _, node) in list.iter_positions() {
                    assert_eq!(walked[pre], node, "{src:?}");
                }
                for node in &walked {
                    let from_list: Vec<usize> =
                        list.subtree_all(*node).map(|(_, n)| n.id()).collect();
                    let from_walk: Vec<usize> = descendants(*node).map(|n| n.id()).collect();
                    assert_eq!(from_list, from_walk, "subtree of {} in {src:?}", node.kind_name());
                    let kinds: Vec<&str> = list.subtree_all(*node).map(|(k, _)| k).collect();
                    let walked_kinds: Vec<&str> = descendants(*node).map(|n| n.kind_name()).collect();
                    assert_eq!(kinds, walked_kinds);
                    if !inside_closed(node) {
                        let listed_under: Vec<usize> =
                            list.descendants(*node).map(|n| n.id()).collect();
                        let expected: Vec<usize> = descendants(*node)
                            .filter(|n| !inside_closed(n))
                            .map(|n| n.id())
                            .collect();
                        assert_eq!(listed_under, expected, "{src:?}");
                    }
                    for kind in ["call_expression", "identifier", "token_tree", "function_item"] {
                        let ours: Vec<usize> =
                            list.of_kind_in(kind, *node).map(|n| n.id()).collect();
                        let theirs: Vec<usize> = list
                            .descendants(*node)
                            .filter(|n| n.kind_name() == kind)
                            .map(|n| n.id())
                            .collect();
                        assert_eq!(ours, theirs, "{kind} under {} in {src:?}", node.kind_name());
                    }
                    assert_eq!(list.parent(*node), node.parent());
                    // Siblings agree except around zero-width MISSING nodes in broken input,
                    // which `Node::next_sibling` skips and the cursor does not.
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
}
