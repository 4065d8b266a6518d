//! Source files: what is analysed, what is skipped (and why), and parsing under a time budget.

use super::language::{self, Language};
use super::syntax::FieldExt;
use crate::analysis::syntax::KindExt;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// Default largest file analysed, in bytes. Hand-written Rust files are far below this; larger
/// files are generated or minified and would only cost time.
pub const DEFAULT_MAX_FILE_SIZE: usize = 2 * 1024 * 1024;

/// Default time one file may take to parse before it is skipped.
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(2);

/// A file handed to the analysis: its repository-relative path (`/`-separated) and its bytes,
/// held in memory (files fetched from GitHub) or read from disk each time they are needed
/// ([`SourceInput::on_disk`], for `failmode check`: the analysis keeps only what it still needs
/// of a file, so a whole tree is never held in memory at once).
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    contents: Contents,
}

/// Where an input's bytes are.
#[derive(Debug, Clone)]
enum Contents {
    Held(Vec<u8>),
    OnDisk {
        file: std::path::PathBuf,
        size: usize,
    },
}

impl SourceInput {
    /// An input whose bytes are held in memory.
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> SourceInput {
        SourceInput {
            path: path.into(),
            contents: Contents::Held(bytes.into()),
        }
    }

    /// An input read from `file` whenever its bytes are needed; `size` is its size when it was
    /// listed (a file over the size limit is skipped without being read).
    pub fn on_disk(path: impl Into<String>, file: std::path::PathBuf, size: usize) -> SourceInput {
        SourceInput {
            path: path.into(),
            contents: Contents::OnDisk { file, size },
        }
    }

    /// Its size in bytes (for a file on disk, when it was listed).
    pub fn size(&self) -> usize {
        match &self.contents {
            Contents::Held(bytes) => bytes.len(),
            Contents::OnDisk { size, .. } => *size,
        }
    }

    /// Its bytes, read from disk if they are not held.
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.contents {
            Contents::Held(bytes) => Ok(Cow::Borrowed(bytes)),
            Contents::OnDisk { file, .. } => std::fs::read(file).map(Cow::Owned),
        }
    }
}

/// What a file is for, which decides whether checks report on it and at what severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileRole {
    /// Application code: always in scope.
    Production,
    /// Tests, benches, crates compiled only to be timed (`compile-benchmarks/`), and
    /// test-support modules (`testutils.rs`): never reported on, but read by cross-file checks.
    Test,
    /// `examples/`: reported at low severity (example code gets copied into production).
    Example,
    /// `build.rs`: reported at low severity.
    BuildScript,
    /// Developer tooling and operator command-line tools (`xtask/`, test-utility crates such as
    /// `test-utils/` or `*-test/`, a crate named `cli`, `*-cli` or `*-repl`): never reported
    /// on, because the person running them sees the error and runs the command again; read by
    /// cross-file checks like tests.
    DevTool,
}

impl FileRole {
    /// Classifies a repository-relative path.
    pub fn of_path(path: &str) -> FileRole {
        let components: Vec<&str> = path.split('/').collect();
        let dirs = &components[..components.len().saturating_sub(1)];
        let file = components.last().copied().unwrap_or("");
        let stem = file.strip_suffix(".rs").unwrap_or(file);
        if dirs.iter().any(|d| {
            matches!(*d, "tests" | "benches" | "test" | "fuzz") || d.ends_with("benchmarks")
        }) || matches!(
            stem,
            "testutils" | "test_utils" | "test_util" | "test_helpers" | "test_support"
        ) {
            FileRole::Test
        } else if dirs.iter().any(|d| {
            matches!(
                *d,
                "xtask"
                    | "test-utils"
                    | "test_utils"
                    | "testutils"
                    | "test-helpers"
                    | "test_helpers"
                    | "cli"
            ) || d.ends_with("-cli")
                || d.ends_with("_cli")
                || d.ends_with("-repl")
                || d.ends_with("_repl")
                || d.ends_with("-test")
                || d.ends_with("_test")
        }) {
            FileRole::DevTool
        } else if dirs.contains(&"examples") {
            FileRole::Example
        } else if file == "build.rs" {
            FileRole::BuildScript
        } else {
            FileRole::Production
        }
    }
}

/// Why a file was not analysed. Every skip is reported, so nothing is silently left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Contains NUL bytes: a binary file, whatever its name says.
    Binary,
    /// Not valid UTF-8 (byte offset of the first invalid sequence).
    NotUtf8 { at: usize },
    /// Larger than the size limit.
    TooLarge { size: usize, limit: usize },
    /// Marked `@generated` near the top.
    Generated,
    /// Under a vendored or build-output directory (`vendor/`, `target/`).
    Vendored,
    /// The parser did not finish within the per-file budget.
    ParseBudgetExceeded { budget: Duration },
    /// Running the checks did not finish within the per-file budget: the findings found until
    /// then are reported, the rest of the file is not checked.
    CheckBudgetExceeded { budget: Duration },
    /// Excluded by `.github/failmode.toml`.
    Excluded,
    /// Listed, but could not be read when it was to be analysed (the error).
    Unreadable { error: String },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Binary => write!(f, "binary file (contains NUL bytes)"),
            SkipReason::NotUtf8 { at } => {
                write!(f, "not valid UTF-8 (first invalid byte at offset {at})")
            }
            SkipReason::TooLarge { size, limit } => {
                write!(f, "too large ({size} bytes, limit {limit}); raise it with --max-file-size if this is hand-written code")
            }
            SkipReason::Generated => write!(f, "generated file (@generated marker)"),
            SkipReason::Vendored => write!(f, "vendored or build output (vendor/ or target/)"),
            SkipReason::CheckBudgetExceeded { budget } => {
                write!(f, "checking took longer than {} ms; findings up to that point are reported and the rest of the file is not checked, so it cannot stall the run", budget.as_millis())
            }
            SkipReason::ParseBudgetExceeded { budget } => {
                write!(f, "parsing took longer than {} ms; the file is skipped so it cannot stall the run", budget.as_millis())
            }
            SkipReason::Excluded => write!(f, "excluded by .github/failmode.toml"),
            SkipReason::Unreadable { error } => {
                write!(f, "cannot read the file: {error}; check its permissions")
            }
        }
    }
}

/// A file that was not analysed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Repository-relative path.
    pub path: String,
    /// The reason.
    pub reason: SkipReason,
}

/// Whether a path lies under a vendored or build-output directory.
pub fn is_vendored_path(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .iter()
        .any(|d| *d == "vendor" || *d == "target" || *d == "third_party" || *d == "node_modules")
}

/// Checks the cheap reasons to skip a file, before parsing. Returns the text when it is to be
/// analysed.
pub fn admit(input: &SourceInput, max_size: usize) -> Result<Cow<'_, str>, SkipReason> {
    if is_vendored_path(&input.path) {
        return Err(SkipReason::Vendored);
    }
    if input.size() > max_size {
        return Err(SkipReason::TooLarge {
            size: input.size(),
            limit: max_size,
        });
    }
    let bytes = input.bytes().map_err(|e| SkipReason::Unreadable {
        error: e.to_string(),
    })?;
    // Read again since it was listed, a file may have grown.
    if bytes.len() > max_size {
        return Err(SkipReason::TooLarge {
            size: bytes.len(),
            limit: max_size,
        });
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(SkipReason::Binary);
    }
    let not_text = |e: std::str::Utf8Error, bytes: &[u8]| {
        if bytes.contains(&0) {
            SkipReason::Binary
        } else {
            SkipReason::NotUtf8 {
                at: e.valid_up_to(),
            }
        }
    };
    let text = match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).map_err(|e| not_text(e, b))?),
        Cow::Owned(b) => {
            Cow::Owned(String::from_utf8(b).map_err(|e| not_text(e.utf8_error(), e.as_bytes()))?)
        }
    };
    // A NUL past the first 8 KiB, in text that is otherwise valid UTF-8.
    if text.contains('\0') {
        return Err(SkipReason::Binary);
    }
    let top: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    if top.contains("@generated") || top.contains("DO NOT EDIT") && top.contains("generated") {
        return Err(SkipReason::Generated);
    }
    Ok(text)
}

/// A parsed source file, ready for checks.
pub struct ParsedFile {
    /// Repository-relative path.
    pub path: String,
    /// The language it was parsed as.
    pub language: &'static Language,
    /// What the file is for.
    pub role: FileRole,
    /// The source text.
    pub text: String,
    /// The syntax tree. May contain ERROR nodes; checks still run where the tree is sound.
    pub tree: tree_sitter::Tree,
    /// Byte offset where each line starts, for line lookups.
    pub line_starts: Vec<usize>,
    /// Byte ranges of test code, computed on first use (see [`ParsedFile::test_ranges`]).
    test_ranges: std::sync::OnceLock<Vec<(usize, usize)>>,
    /// The inline modules, once known (see [`ParsedFile::inline_modules`]).
    inline_modules: std::sync::OnceLock<Vec<InlineModule>>,
    /// Set when running the checks on this file ran out of its time budget (see
    /// [`ParsedFile::checks_ran_out_of_time`]).
    out_of_time: std::sync::atomic::AtomicBool,
    /// Facts filters worked out about one node of this file, kept for the file's life (see
    /// [`ParsedFile::memo`]).
    memo: std::sync::Mutex<std::collections::HashMap<MemoKey, Memo>>,
}

/// What a [`ParsedFile::memo`] entry is about: the question, the node (its kind and byte
/// range), and one more number the answer depends on.
type MemoKey = (&'static str, u16, usize, usize, usize);
/// A [`ParsedFile::memo`] answer.
type Memo = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// A `mod name { .. }` item of a file: its byte range and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineModule {
    /// Where the item starts, in bytes.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Its name.
    pub name: String,
    /// The index of the module it is written in, in the same list.
    pub parent: Option<usize>,
}

impl ParsedFile {
    /// Records that running the checks on this file stopped at its time budget, so some of its
    /// code was not checked.
    pub fn mark_out_of_time(&self) {
        self.out_of_time
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether running the checks on this file stopped at its time budget: its findings are
    /// those found until then, and the file is reported as not fully checked.
    pub fn checks_ran_out_of_time(&self) -> bool {
        self.out_of_time.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The text of line `line` (1-based), without its newline.
    pub fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte ranges of the test code in this file (`#[test]`-like functions, `#[cfg(test)]`
    /// modules and impls), outermost only, in document order. Computed once per file, so
    /// asking "is this node in test code?" per query match costs a range lookup, not a walk.
    pub fn test_ranges(&self) -> &[(usize, usize)] {
        self.test_ranges.get_or_init(|| {
            // Test items are items: only the file's item lists and the bodies of (non-test)
            // modules, impls and traits are visited, never function bodies, so this costs a
            // fraction of a full walk.
            // Children are read in order, collecting the attributes written before each item
            // on the way (what `syntax::attributes` finds by stepping back sibling by sibling,
            // which tree-sitter answers by searching from the parent each time).
            let mut ranges = Vec::new();
            let mut containers = vec![self.tree.root_node()];
            let mut attributes: Vec<&str> = Vec::new();
            while let Some(container) = containers.pop() {
                attributes.clear();
                let mut cursor = container.walk();
                let mut more = cursor.goto_first_child();
                while more {
                    let item = cursor.node();
                    match item.kind_name() {
                        "attribute_item" => {
                            attributes.push(super::syntax::attribute_text(self.node_text(item)))
                        }
                        "line_comment" | "block_comment" => {}
                        kind => {
                            if item.is_named()
                                && super::syntax::is_test_item_with(kind, &attributes)
                            {
                                ranges.push((item.start_byte(), item.end_byte()));
                            } else if matches!(kind, "mod_item" | "impl_item" | "trait_item") {
                                containers.extend(item.field("body"));
                            }
                            attributes.clear();
                        }
                    }
                    more = cursor.goto_next_sibling();
                }
            }
            ranges.sort_unstable();
            ranges
        })
    }

    /// [`ParsedFile::test_ranges`], from `compute` when they are not known yet (the index
    /// computes them from the node list it has anyway, see
    /// [`NodeList::test_ranges`](super::syntax::NodeList::test_ranges)).
    pub fn test_ranges_or(
        &self,
        compute: impl FnOnce() -> Vec<(usize, usize)>,
    ) -> &[(usize, usize)] {
        self.test_ranges.get_or_init(compute)
    }

    /// The answer to `question` about `node` (and `also`, whatever else the answer depends on,
    /// such as which data list it reads), from `compute` the first time it is asked for this
    /// file: filters ask the same question of one function for every statement in it, and
    /// several rules ask it of the same statement. The answer must depend on nothing but the
    /// file, the node and `also`; it is freed with the file.
    pub fn memo<T: Send + Sync + 'static>(
        &self,
        question: &'static str,
        node: tree_sitter::Node<'_>,
        also: usize,
        compute: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let key = (
            question,
            node.kind_id(),
            node.start_byte(),
            node.end_byte(),
            also,
        );
        let known = self
            .memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(answer) = known.and_then(|a| a.downcast::<T>().ok()) {
            return answer;
        }
        // Computed without the lock held: `compute` may ask other questions of this file.
        let answer = std::sync::Arc::new(compute());
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, answer.clone());
        answer
    }

    /// The named `mod` items with a body anywhere in this file, in document order, when they
    /// are known: the index reads them off the node list it makes anyway (see
    /// [`syntax::modules_around`](super::syntax::modules_around), which falls back to the tree
    /// when they are not).
    pub fn inline_modules(&self) -> Option<&[InlineModule]> {
        self.inline_modules.get().map(Vec::as_slice)
    }

    /// [`ParsedFile::inline_modules`], from `compute` when they are not known yet.
    pub fn inline_modules_or(
        &self,
        compute: impl FnOnce() -> Vec<InlineModule>,
    ) -> &[InlineModule] {
        self.inline_modules.get_or_init(compute)
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The source text of a node.
    pub fn node_text(&self, node: tree_sitter::Node<'_>) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }
}

/// Parses `text` as `language`, giving up after `budget`.
pub fn parse(
    path: &str,
    text: &str,
    language: &'static Language,
    budget: Duration,
) -> Result<ParsedFile, SkipReason> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&(language.grammar)())
        .map_err(|_| SkipReason::ParseBudgetExceeded { budget })?;
    let started = Instant::now();
    let mut over_budget = |_: &tree_sitter::ParseState| started.elapsed() > budget;
    let bytes = text.as_bytes();
    let tree = parser
        .parse_with_options(
            &mut |offset, _| bytes.get(offset..).unwrap_or(&[]),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut over_budget)),
        )
        .ok_or(SkipReason::ParseBudgetExceeded { budget })?;
    let mut line_starts = vec![0];
    line_starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    if line_starts.last() == Some(&bytes.len()) && !bytes.is_empty() {
        line_starts.pop();
    }
    Ok(ParsedFile {
        path: path.to_string(),
        language,
        role: FileRole::of_path(path),
        text: text.to_string(),
        tree,
        line_starts,
        test_ranges: std::sync::OnceLock::new(),
        inline_modules: std::sync::OnceLock::new(),
        memo: Default::default(),
        out_of_time: std::sync::atomic::AtomicBool::new(false),
    })
}

/// Parses a Rust snippet as `path`, for unit tests of the engine and filters.
#[cfg(test)]
pub(crate) fn parse_rust_snippet(path: &str, src: &str) -> ParsedFile {
    let rust = language::by_name("rust").expect("rust is registered");
    parse(path, src, rust, DEFAULT_PARSE_BUDGET).expect("the snippet parses within the budget")
}

/// Admits and parses one input: the file, or why it was skipped. `None` for files in no
/// supported language.
pub fn load(
    input: &SourceInput,
    max_size: usize,
    budget: Duration,
) -> Option<Result<ParsedFile, SkipReason>> {
    let language = language::for_path(&input.path)?;
    Some(admit(input, max_size).and_then(|text| parse(&input.path, &text, language, budget)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, bytes: &[u8]) -> SourceInput {
        SourceInput::new(path, bytes.to_vec())
    }

    #[test]
    fn an_input_on_disk_is_read_when_loaded_and_one_gone_since_listing_is_skipped_as_unreadable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("lib.rs");
        let text = "pub fn f() -> u8 { 1 }\n";
        std::fs::write(&file, text).expect("write");
        let on_disk = SourceInput::on_disk("src/lib.rs", file.clone(), text.len());
        assert_eq!(on_disk.size(), text.len());
        let parsed = load(&on_disk, DEFAULT_MAX_FILE_SIZE, DEFAULT_PARSE_BUDGET)
            .expect("a Rust file")
            .expect("parses");
        assert_eq!(parsed.text, text);
        assert_eq!(parsed.path, "src/lib.rs");
        // Over the limit as listed: skipped without being read.
        let listed_large = SourceInput::on_disk("src/lib.rs", file.clone(), 10_000);
        assert!(matches!(
            admit(&listed_large, 100),
            Err(SkipReason::TooLarge {
                size: 10_000,
                limit: 100
            })
        ));
        // Grown past the limit since it was listed: still skipped, with its real size.
        std::fs::write(&file, "x".repeat(200)).expect("write");
        assert!(matches!(
            admit(&on_disk, 100),
            Err(SkipReason::TooLarge {
                size: 200,
                limit: 100
            })
        ));
        std::fs::remove_file(&file).expect("remove");
        let Some(Err(skipped)) = load(&on_disk, DEFAULT_MAX_FILE_SIZE, DEFAULT_PARSE_BUDGET) else {
            panic!("the file is gone: it cannot load");
        };
        assert!(
            matches!(&skipped, SkipReason::Unreadable { .. }),
            "{skipped:?}"
        );
        assert!(skipped.to_string().starts_with("cannot read the file: "));
    }

    /// The test ranges as `syntax::is_test_item` defines them, item by item.
    fn test_ranges_item_by_item(f: &ParsedFile) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        let mut containers = vec![f.tree.root_node()];
        while let Some(container) = containers.pop() {
            let mut cursor = container.walk();
            for item in container.named_children(&mut cursor) {
                if crate::analysis::syntax::is_test_item(f, item) {
                    ranges.push((item.start_byte(), item.end_byte()));
                } else if matches!(item.kind_name(), "mod_item" | "impl_item" | "trait_item") {
                    containers.extend(item.field("body"));
                }
            }
        }
        ranges.sort_unstable();
        ranges
    }

    #[test]
    fn test_ranges_agree_with_is_test_item_on_every_example() {
        let mut snippets: Vec<(String, String)> = vec![(
            "src/a.rs".into(),
            "#[cfg(test)]\n// c\n#[allow(x)]\nmod t { #[test] fn a() {} fn h() {} }\nfn b() {}\n#[cfg(test)] /* c */ impl X { fn c() {} }\nmod m { #![cfg(test)] #[tokio::test] async fn d() {} }\n#[test]\n;\nfn e() {}\nfn broken( { #[test] fn f() {}".into(),
        )];
        let checks = crate::analysis::check::CheckSet::embedded().expect("checks load");
        for check in &checks.checks {
            for example in crate::analysis::examples::examples_of(check) {
                for input in example.files {
                    let bytes = input.bytes().expect("examples are held in memory");
                    if let Ok(text) = String::from_utf8(bytes.into_owned()) {
                        snippets.push((input.path, text));
                    }
                }
            }
        }
        let mut with_tests = 0;
        for (path, text) in &snippets {
            if !path.ends_with(".rs") {
                continue;
            }
            let f = parse_rust_snippet(path, text);
            let nodes = crate::analysis::syntax::NodeList::new(
                f.tree.root_node(),
                crate::analysis::index::walk_plan(f.language),
            );
            assert_eq!(
                nodes.test_ranges(&f),
                test_ranges_item_by_item(&f),
                "{path}"
            );
            assert_eq!(f.test_ranges(), test_ranges_item_by_item(&f), "{path}");
            with_tests += usize::from(!f.test_ranges().is_empty());
        }
        assert!(with_tests > 5, "only {with_tests} files with test code");
    }

    #[test]
    fn roles_follow_cargo_layout() {
        assert_eq!(FileRole::of_path("src/lib.rs"), FileRole::Production);
        assert_eq!(FileRole::of_path("tests/api.rs"), FileRole::Test);
        assert_eq!(
            FileRole::of_path("crates/x/tests/common/mod.rs"),
            FileRole::Test
        );
        assert_eq!(FileRole::of_path("benches/b.rs"), FileRole::Test);
        // Crates compiled only to be timed, and test-support modules and crates.
        assert_eq!(
            FileRole::of_path("collector/compile-benchmarks/cargo/src/lib.rs"),
            FileRole::Test
        );
        assert_eq!(
            FileRole::of_path("src/service/email/testutils.rs"),
            FileRole::Test
        );
        assert_eq!(
            FileRole::of_path("libs/client-api-test/src/test_client.rs"),
            FileRole::DevTool
        );
        assert_eq!(
            FileRole::of_path("plume-cli/src/main.rs"),
            FileRole::DevTool
        );
        assert_eq!(FileRole::of_path("xtask/src/main.rs"), FileRole::DevTool);
        assert_eq!(
            FileRole::of_path("shop-repl/src/cmdline.rs"),
            FileRole::DevTool
        );
        assert_eq!(FileRole::of_path("src/client.rs"), FileRole::Production);
        assert_eq!(FileRole::of_path("examples/demo.rs"), FileRole::Example);
        assert_eq!(FileRole::of_path("build.rs"), FileRole::BuildScript);
        assert_eq!(FileRole::of_path("src/tests.rs"), FileRole::Production);
    }

    #[test]
    fn hostile_inputs_are_skipped_with_reasons() {
        let budget = DEFAULT_PARSE_BUDGET;
        let m = DEFAULT_MAX_FILE_SIZE;
        assert_eq!(
            load(&input("a.rs", b"\x7fELF\0\0\0"), m, budget)
                .unwrap()
                .err(),
            Some(SkipReason::Binary)
        );
        let late_nul = [b"fn a() {}\n".repeat(1000), b"\0".to_vec()].concat();
        assert_eq!(
            load(&input("a.rs", &late_nul), m, budget).unwrap().err(),
            Some(SkipReason::Binary),
            "a NUL past the first 8 KiB of valid UTF-8"
        );
        assert_eq!(
            load(&input("a.rs", b"fn a() {}\n\xff\xfe"), m, budget)
                .unwrap()
                .err(),
            Some(SkipReason::NotUtf8 { at: 10 })
        );
        assert!(matches!(
            load(&input("a.rs", &vec![b'a'; m + 1]), m, budget).unwrap(),
            Err(SkipReason::TooLarge { .. })
        ));
        assert_eq!(
            load(
                &input("a.rs", b"// @generated by prost\nfn a(){}"),
                m,
                budget
            )
            .unwrap()
            .err(),
            Some(SkipReason::Generated)
        );
        assert_eq!(
            load(&input("vendor/x/a.rs", b"fn a(){}"), m, budget)
                .unwrap()
                .err(),
            Some(SkipReason::Vendored)
        );
        assert!(load(&input("README.md", b"# hi"), m, budget).is_none());
        let empty = load(&input("a.rs", b""), m, budget).unwrap().unwrap();
        assert_eq!(empty.line_count(), 1);
    }

    #[test]
    fn deep_nesting_parses_or_is_skipped_without_crashing() {
        let mut s = String::from("fn f() ");
        s.push_str(&"{".repeat(100_000));
        s.push_str(&"}".repeat(100_000));
        let r = load(
            &input("deep.rs", s.as_bytes()),
            DEFAULT_MAX_FILE_SIZE,
            Duration::from_millis(500),
        )
        .unwrap();
        match r {
            Ok(f) => assert!(f.tree.root_node().end_byte() > 0),
            Err(reason) => assert!(matches!(reason, SkipReason::ParseBudgetExceeded { .. })),
        }
    }

    #[test]
    fn line_lookup() {
        let f = load(
            &input("a.rs", b"fn a() {}\r\nfn b() {}\n"),
            DEFAULT_MAX_FILE_SIZE,
            DEFAULT_PARSE_BUDGET,
        )
        .unwrap()
        .unwrap();
        assert_eq!(f.line(1), "fn a() {}");
        assert_eq!(f.line(2), "fn b() {}");
        assert_eq!(f.line(3), "");
        assert_eq!(f.line_count(), 2);
    }
}
