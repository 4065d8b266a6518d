//! The `failmode` binary: `failmode check` reviews a tree (or only what a diff changed) and
//! prints findings as text, JSON, SARIF or GitHub workflow commands; `failmode checks` lists the
//! checks. Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, config or git
//! error.

mod cli;

/// jemalloc, for Rust's allocations and tree-sitter's (see `src/allocator.rs`).
#[global_allocator]
static ALLOCATOR: failmode::allocator::Allocator = failmode::allocator::Allocator;

fn main() -> std::process::ExitCode {
    failmode::allocator::serve_tree_sitter();
    cli::main()
}
