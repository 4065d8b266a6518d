//! The language registry: which files are analysed and with which tree-sitter grammar.
//! Adding a language is a grammar crate plus one entry in [`LANGUAGES`].

/// A language failmode can parse.
#[derive(Debug)]
pub struct Language {
    /// The name used in check files (`language = "rust"`) and output.
    pub name: &'static str,
    /// File extensions (without the dot) that belong to this language.
    pub extensions: &'static [&'static str],
    /// The tree-sitter grammar.
    pub grammar: fn() -> tree_sitter::Language,
    /// The grammar's `node-types.json`: which node kinds can occur under which (see
    /// [`WalkPlan`](super::walk_plan::WalkPlan)).
    pub node_types: &'static str,
    /// The grammar's kind names, read once (see [`Language::kind_names`]).
    kinds: std::sync::OnceLock<GrammarKinds>,
}

/// A grammar's kind names by kind id, and the address of its `TSLanguage`.
#[derive(Debug)]
struct GrammarKinds {
    address: usize,
    names: Box<[&'static str]>,
}

impl Language {
    /// The name of every kind id of the grammar (`""` for an id it does not name), read from
    /// tree-sitter once: the walk plans and [`KindExt`](super::syntax::KindExt) share it.
    pub fn kind_names(&self) -> &[&'static str] {
        &self.kinds().names
    }

    /// Whether a tree whose `TSLanguage` is at `address` was parsed with this grammar: a
    /// grammar compiled into the binary is one static `TSLanguage`, and every tree parsed with
    /// it points at that same address.
    pub fn is_at(&self, address: usize) -> bool {
        self.kinds().address == address
    }

    fn kinds(&self) -> &GrammarKinds {
        self.kinds.get_or_init(|| {
            let grammar = (self.grammar)();
            let names = (0..grammar.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| grammar.node_kind_for_id(id))
                        .unwrap_or("")
                })
                .collect();
            GrammarKinds {
                address: grammar.into_raw() as usize,
                names,
            }
        })
    }
}

fn rust_grammar() -> tree_sitter::Language {
    tree_sitter_rust::LANGUAGE.into()
}

/// Every supported language (an array, not a slice reference: each entry fills its own kind
/// names once, which a constant's borrowed slice cannot hold).
pub static LANGUAGES: [Language; 1] = [Language {
    name: "rust",
    extensions: &["rs"],
    grammar: rust_grammar,
    node_types: tree_sitter_rust::NODE_TYPES,
    kinds: std::sync::OnceLock::new(),
}];

/// The language of a path, by extension.
pub fn for_path(path: &str) -> Option<&'static Language> {
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    LANGUAGES.iter().find(|l| l.extensions.contains(&ext))
}

/// The language with this name, as written in check files.
pub fn by_name(name: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rust_files_are_recognised() {
        assert_eq!(super::for_path("src/main.rs").map(|l| l.name), Some("rust"));
        assert!(super::for_path("README.md").is_none());
        assert!(super::for_path("Makefile").is_none());
    }
}
