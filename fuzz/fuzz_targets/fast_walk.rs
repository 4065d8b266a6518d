//! Fuzzes the fast node walk (`src/analysis/list_nodes.c`), which reads tree-sitter's private
//! subtree layout: any bytes, parsed as Rust, must give the node list a tree-sitter cursor
//! gives (same nodes, positions, aliases, fields and links). Run it on every tree-sitter
//! upgrade (see the README).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = failmode::analysis::syntax::compare_fast_walk_on_rust_source(data) {
        panic!("the fast walk and the cursor disagree: {difference}");
    }
});
