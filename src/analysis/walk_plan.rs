//! What one walk over a language's trees lists, learnt from the grammar: which node kinds the
//! run looks for, which kinds can hold none of them (so their subtrees need not be walked), and
//! which kinds get a position list of their own so collectors do not scan every node.
//!
//! The grammar's `node-types.json` says which kinds can appear under which (its fields,
//! children, supertypes and extras). A kind under which none of the looked-for kinds can appear
//! is *opaque*: the walk lists the node itself but not its descendants. In Rust that is a
//! macro's token trees, string literals and comments, about a quarter of all nodes, none of
//! which a rule or fact collector looks for. Subtrees with a parse error are always walked,
//! since error recovery can put any node anywhere.

use super::language::Language;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Bucket index meaning "no position list for this kind".
pub const NO_BUCKET: u8 = u8::MAX;

/// The plan of a walk over one language's trees; see the module docs.
#[derive(Debug)]
pub struct WalkPlan {
    /// Kind name by kind id ([`Language::kind_names`]).
    names: &'static [&'static str],
    /// By kind id: whether nodes of this kind are listed without their descendants.
    opaque: Vec<bool>,
    /// By kind id: the index of this kind's position list, or [`NO_BUCKET`].
    bucket_of: Vec<u8>,
    /// The kind name of each position list.
    bucket_names: Vec<&'static str>,
    /// The position lists of the kinds given by id (the rules' pattern roots); `None` when
    /// they could not all have one, and the whole list must be scanned for them.
    root_buckets: Option<Vec<usize>>,
}

/// One entry of a grammar's `node-types.json`.
#[derive(Deserialize)]
struct NodeType {
    #[serde(rename = "type")]
    kind: String,
    named: bool,
    #[serde(default)]
    extra: bool,
    #[serde(default)]
    fields: BTreeMap<String, Children>,
    children: Option<Children>,
    #[serde(default)]
    subtypes: Vec<KindRef>,
}

#[derive(Deserialize)]
struct Children {
    types: Vec<KindRef>,
}

#[derive(Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct KindRef {
    #[serde(rename = "type")]
    kind: String,
    named: bool,
}

impl WalkPlan {
    /// The plan for `language` when the run looks for nodes of the kinds named in `needed`
    /// (named kinds, as the grammar spells them) and of the kind ids in `needed_ids` (the roots
    /// of the rules' patterns). Every kind in either gets a position list
    /// ([`NodeList::of_kind`](super::syntax::NodeList::of_kind),
    /// [`NodeList::roots`](super::syntax::NodeList::roots)).
    ///
    /// When nothing is looked for, when the grammar's node types cannot be read, or when an
    /// anonymous kind is looked for (a keyword token can occur almost anywhere, token trees
    /// included), nothing is opaque: the walk is then complete, only slower.
    pub fn new(language: &'static Language, needed: &[&str], needed_ids: &[u16]) -> WalkPlan {
        let grammar = (language.grammar)();
        let names = language.kind_names();
        let named: Vec<bool> = (0..names.len())
            .map(|id| grammar.node_kind_is_named(u16::try_from(id).unwrap_or(u16::MAX)))
            .collect();
        let mut looked_for: BTreeSet<KindRef> = needed
            .iter()
            .map(|k| KindRef {
                kind: (*k).to_string(),
                named: true,
            })
            .collect();
        for &id in needed_ids {
            let i = usize::from(id);
            if let (Some(name), Some(&is_named)) = (names.get(i), named.get(i)) {
                looked_for.insert(KindRef {
                    kind: (*name).to_string(),
                    named: is_named,
                });
            }
        }
        // Nothing looked for: the plan only lists (see `complete`), so the grammar's
        // reachability is not worked out.
        let reach = if looked_for.is_empty() {
            None
        } else if looked_for.iter().all(|k| k.named) {
            reachable(language.node_types)
        } else {
            None
        };
        let opaque = (0..names.len())
            .map(|i| match &reach {
                Some(reach) => {
                    let key = KindRef {
                        kind: names[i].to_string(),
                        named: named[i],
                    };
                    // Leaves have nothing to leave out.
                    reach
                        .get(&key)
                        .is_some_and(|below| !below.is_empty() && below.is_disjoint(&looked_for))
                }
                None => false,
            })
            .collect();
        let mut bucket_names: Vec<&'static str> = Vec::new();
        let mut bucket_of = vec![NO_BUCKET; names.len()];
        let mut root_buckets: Vec<usize> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let is_root = u16::try_from(i).is_ok_and(|id| needed_ids.contains(&id));
            if !is_root && (!named[i] || !needed.contains(name)) {
                continue;
            }
            let b = match bucket_names.iter().position(|n| n == name) {
                Some(b) => b,
                None => {
                    bucket_names.push(name);
                    bucket_names.len() - 1
                }
            };
            bucket_of[i] = u8::try_from(b).unwrap_or(NO_BUCKET);
            if is_root && !root_buckets.contains(&b) {
                root_buckets.push(b);
            }
        }
        // More kinds than position lists: the roots are found by scanning the list instead.
        let roots_listed = bucket_names.len() < usize::from(NO_BUCKET);
        if !roots_listed {
            bucket_of.iter_mut().for_each(|b| *b = NO_BUCKET);
            bucket_names.clear();
            root_buckets.clear();
        }
        WalkPlan {
            names,
            opaque,
            bucket_of,
            bucket_names,
            root_buckets: roots_listed.then_some(root_buckets),
        }
    }

    /// A plan that lists every node and keeps no position lists (for tests and comparisons).
    pub fn complete(language: &'static Language) -> WalkPlan {
        let mut plan = WalkPlan::new(language, &[], &[]);
        plan.opaque.iter_mut().for_each(|o| *o = false);
        plan
    }

    /// The name of kind `id` (`""` for an id the grammar does not know).
    pub fn name(&self, id: u16) -> &'static str {
        self.names.get(usize::from(id)).copied().unwrap_or("")
    }

    /// Whether nodes of kind `id` are listed without their descendants.
    pub fn is_opaque(&self, id: u16) -> bool {
        self.opaque.get(usize::from(id)).copied().unwrap_or(false)
    }

    /// By kind id: whether nodes of that kind are listed without their descendants.
    pub fn opaque_by_id(&self) -> &[bool] {
        &self.opaque
    }

    /// The position list kept for kind `id`, if any.
    pub fn bucket_of(&self, id: u16) -> Option<usize> {
        match self.bucket_of.get(usize::from(id)) {
            Some(&b) if b != NO_BUCKET => Some(usize::from(b)),
            _ => None,
        }
    }

    /// The position list kept for the kind named `name`, if any.
    pub fn bucket_named(&self, name: &str) -> Option<usize> {
        self.bucket_names.iter().position(|n| *n == name)
    }

    /// The position lists of the kinds the plan was given by id, when each has one.
    pub fn root_buckets(&self) -> Option<&[usize]> {
        self.root_buckets.as_deref()
    }

    /// How many position lists a walk keeps.
    pub fn bucket_count(&self) -> usize {
        self.bucket_names.len()
    }

    /// The names of the opaque kinds, for tests and diagnostics.
    pub fn opaque_kinds(&self) -> BTreeSet<&'static str> {
        self.names
            .iter()
            .zip(&self.opaque)
            .filter(|(_, o)| **o)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// For each kind in `node_types`, every kind that can occur anywhere below it (extras, i.e.
/// comments, below every kind that has children). `None` when the text does not parse.
fn reachable(node_types: &str) -> Option<BTreeMap<KindRef, BTreeSet<KindRef>>> {
    let types: Vec<NodeType> = serde_json::from_str(node_types).ok()?;
    let extras: Vec<KindRef> = types
        .iter()
        .filter(|t| t.extra)
        .map(|t| KindRef {
            kind: t.kind.clone(),
            named: t.named,
        })
        .collect();
    // Direct edges: a supertype to its subtypes, a node to its fields' and children's kinds,
    // plus the extras under any node with children.
    let mut direct: BTreeMap<KindRef, Vec<KindRef>> = BTreeMap::new();
    for t in &types {
        let key = KindRef {
            kind: t.kind.clone(),
            named: t.named,
        };
        let mut below: Vec<KindRef> = t.subtypes.clone();
        let mut has_children = false;
        for c in t.fields.values().chain(t.children.iter()) {
            has_children |= !c.types.is_empty();
            below.extend(c.types.iter().cloned());
        }
        if has_children {
            below.extend(extras.iter().cloned());
        }
        direct.insert(key, below);
    }
    let mut out = BTreeMap::new();
    for key in direct.keys() {
        let mut seen: BTreeSet<KindRef> = BTreeSet::new();
        let mut stack: Vec<&KindRef> = direct.get(key).into_iter().flatten().collect();
        while let Some(k) = stack.pop() {
            if seen.insert(k.clone()) {
                stack.extend(direct.get(k).into_iter().flatten());
            }
        }
        out.insert(key.clone(), seen);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::language;

    #[test]
    fn rust_token_trees_strings_and_comments_are_opaque_to_the_index_kinds() {
        let rust = language::by_name("rust").expect("rust is registered");
        let plan = WalkPlan::new(rust, &["function_item", "call_expression"], &[]);
        let opaque = plan.opaque_kinds();
        for kind in [
            "token_tree",
            "string_literal",
            "line_comment",
            "block_comment",
        ] {
            assert!(opaque.contains(kind), "{kind} should be opaque: {opaque:?}");
        }
        // Anything that can hold an expression can hold a call.
        for kind in ["block", "attribute_item", "use_declaration", "source_file"] {
            assert!(!opaque.contains(kind), "{kind} must be walked");
        }
    }

    #[test]
    fn looking_for_what_token_trees_hold_makes_them_walked() {
        let rust = language::by_name("rust").expect("rust is registered");
        let plan = WalkPlan::new(rust, &["identifier"], &[]);
        assert!(!plan.opaque_kinds().contains("token_tree"));
        // A keyword token can stand in a token tree: with an anonymous kind looked for, the
        // walk is complete.
        let grammar = (rust.grammar)();
        let let_kw = grammar.id_for_node_kind("let", false);
        let plan = WalkPlan::new(rust, &["function_item"], &[let_kw]);
        assert!(plan.opaque_kinds().is_empty());
    }

    #[test]
    fn buckets_are_kept_for_the_needed_kinds_only() {
        let rust = language::by_name("rust").expect("rust is registered");
        let plan = WalkPlan::new(rust, &["function_item", "let_declaration"], &[]);
        assert_eq!(plan.bucket_count(), 2);
        let grammar = (rust.grammar)();
        let f = grammar.id_for_node_kind("function_item", true);
        assert_eq!(plan.bucket_of(f), plan.bucket_named("function_item"));
        assert!(plan.bucket_named("call_expression").is_none());
        assert_eq!(plan.name(f), "function_item");
    }
}
