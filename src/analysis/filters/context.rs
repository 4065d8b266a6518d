//! What a filter sees of one query match. Its own module so that filters reach the repository
//! index only through [`MatchCtx::index`], which notes the read: the engine relies on that to
//! tell a filter's answer that holds before the index is complete from one that does not.

use super::FilterArg;
use crate::analysis::check::CheckData;
use crate::analysis::index::{Manifests, RepoIndex};
use crate::analysis::source::ParsedFile;
use crate::config::Config;
use std::cell::Cell;
use std::collections::BTreeMap;
use tree_sitter::Node;

/// Everything a filter can look at for one query match.
pub struct MatchCtx<'a: 't, 't> {
    /// The file being checked.
    pub file: &'a ParsedFile,
    /// Facts about the whole repository (other files, tests); read through
    /// [`MatchCtx::index`], which notes that the answer depended on them.
    index: &'a RepoIndex,
    /// Whether a filter has read `index` since the context was made.
    index_read: Cell<bool>,
    /// The repository's Cargo manifests (known before any file is parsed).
    pub manifests: &'a Manifests,
    /// The repository config (extra retry wrappers, handler registrations, ...).
    pub config: &'a Config,
    /// The check's `[data]` lists.
    pub data: &'a CheckData,
    /// The query captures of this match, by name.
    pub captures: Vec<(&'a str, Node<'t>)>,
    /// Values filters set for the message templates (e.g. `service`, `method`, `path`).
    pub vars: BTreeMap<String, String>,
    /// Where the finding is reported instead of the rule's anchor, when a filter found that the
    /// statement making the call is elsewhere: the `let` that bound the value a `match` reads.
    pub anchor: Option<Node<'t>>,
}

impl<'a: 't, 't> MatchCtx<'a, 't> {
    /// A context for one match. `index` may be incomplete (empty while files are still being
    /// walked): [`MatchCtx::index_read`] then says whether a filter's answer can be trusted.
    pub fn new(
        file: &'a ParsedFile,
        index: &'a RepoIndex,
        manifests: &'a Manifests,
        config: &'a Config,
        data: &'a CheckData,
        captures: Vec<(&'a str, Node<'t>)>,
    ) -> MatchCtx<'a, 't> {
        MatchCtx {
            file,
            index,
            index_read: Cell::new(false),
            manifests,
            config,
            data,
            captures,
            vars: BTreeMap::new(),
            anchor: None,
        }
    }

    /// Facts about the whole repository. Reading them is noted (see [`MatchCtx::index_read`]).
    pub fn index(&self) -> &'a RepoIndex {
        self.index_read.set(true);
        self.index
    }

    /// Whether any filter has read the repository index through this context.
    pub fn index_read(&self) -> bool {
        self.index_read.get()
    }

    /// The node captured as `name` (the first, if captured more than once).
    pub fn capture(&self, name: &str) -> Option<Node<'t>> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| *node)
    }

    /// The node of a capture argument.
    pub fn arg_node(&self, arg: &FilterArg) -> Option<Node<'t>> {
        self.capture(arg.as_str())
    }

    /// The list named by a data-list argument (empty if missing, which validation prevents).
    pub fn list(&self, arg: &FilterArg) -> &'a [String] {
        self.data.list(arg.as_str())
    }

    /// The list named by a data-list argument with the repository's additions to it
    /// (`[vocabulary]` in its config, for the lists a repository may extend).
    pub fn list_with_additions(&self, arg: &FilterArg) -> std::borrow::Cow<'a, [String]> {
        self.list_named_with_additions(arg.as_str())
    }

    /// List `name` of the check's data, with the repository's additions to it (see
    /// [`MatchCtx::list_with_additions`]), for a filter that reads a list it does not take as
    /// an argument.
    pub fn list_named_with_additions(&self, name: &str) -> std::borrow::Cow<'a, [String]> {
        let built_in = self.data.list(name);
        let added = self.config.vocabulary.additions_to(name);
        if added.is_empty() {
            std::borrow::Cow::Borrowed(built_in)
        } else {
            std::borrow::Cow::Owned(built_in.iter().chain(added).cloned().collect())
        }
    }

    /// The source text of a node.
    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.file.node_text(node)
    }

    /// Sets a template variable for the message.
    pub fn set_var(&mut self, name: &str, value: impl Into<String>) {
        self.vars.insert(name.to_string(), value.into());
    }
}
