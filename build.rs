//! Embeds every file under `checks/` into the binary, so adding a check is adding files there:
//! the engine never needs an edit for it; and each check's page under `docs/checks/`, which the
//! App answers `/failmode explain` with. Also compiles `src/analysis/list_nodes.c`, the node
//! walk that reads tree-sitter's subtrees, against the headers of the tree-sitter crate in use.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let checks = root.join("checks");
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=migrations");
    let mut files = Vec::new();
    collect(&checks, &mut files);
    files.sort();
    let mut out = String::from("/// Every file under `checks/`, as (path relative to `checks/`, contents).\npub static EMBEDDED_CHECK_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&checks)
            .expect("walked under checks/")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\n");
    // Each check's user documentation (docs/checks/<id>.md), for `/failmode explain`.
    let docs = root.join("docs/checks");
    println!("cargo:rerun-if-changed=docs/checks");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    out.push_str("/// Every page under `docs/checks/`, as (check id, Markdown).\npub static EMBEDDED_CHECK_DOCS: &[(&str, &str)] = &[\n");
    for page in &pages {
        println!("cargo:rerun-if-changed={}", page.display());
        let id = page
            .file_stem()
            .expect("a .md file has a stem")
            .to_string_lossy()
            .to_string();
        writeln!(
            out,
            "    ({id:?}, include_str!({:?})),",
            page.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_checks.rs");
    std::fs::write(dest, out).expect("write embedded_checks.rs into OUT_DIR");
    compile_node_walk(&root);
}

/// Compiles the node walk with tree-sitter's private headers: the tree-sitter crate's build
/// script publishes its `include/` directory (it declares `links = "tree-sitter"`), and its
/// `src/` sits beside it, so the walk always reads the structures of the library linked in.
fn compile_node_walk(root: &Path) {
    let source = root.join("src/analysis/list_nodes.c");
    println!("cargo:rerun-if-changed={}", source.display());
    let include = PathBuf::from(
        std::env::var("DEP_TREE_SITTER_INCLUDE")
            .expect("the tree-sitter crate publishes its include directory"),
    );
    let private = include
        .parent()
        .expect("tree-sitter's include directory has a parent")
        .join("src");
    cc::Build::new()
        .file(&source)
        .include(&include)
        .include(&private)
        .flag_if_supported("-std=c11")
        .warnings(true)
        .extra_warnings(true)
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-function")
        .compile("failmode_list_nodes");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(&p, out);
        } else if p.extension().is_some_and(|x| {
            // Sources, manifests and docs, plus the other-language test suites examples
            // of `untested-handler` carry.
            ["toml", "rs", "md", "rb", "py", "ts", "js"].contains(&x.to_str().unwrap_or(""))
        }) {
            out.push(p);
        }
    }
}
