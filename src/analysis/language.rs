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
}

fn rust_grammar() -> tree_sitter::Language {
    tree_sitter_rust::LANGUAGE.into()
}

/// Every supported language.
pub static LANGUAGES: &[Language] = &[Language {
    name: "rust",
    extensions: &["rs"],
    grammar: rust_grammar,
    node_types: tree_sitter_rust::NODE_TYPES,
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
