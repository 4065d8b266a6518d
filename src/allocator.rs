//! The memory allocator failmode's programs run on: jemalloc, for Rust's allocations and for
//! tree-sitter's. A whole-tree scan builds and frees millions of small syntax nodes; on
//! rust-analyzer's source glibc's malloc spent about a seventh of the scan's CPU time on them
//! (`perf`), jemalloc takes back most of that at the same peak memory, and mimalloc took back
//! as much but raised the peak by half.
//!
//! A program opts in with both halves, first thing:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: failmode::allocator::Allocator = failmode::allocator::Allocator;
//!
//! fn main() {
//!     failmode::allocator::serve_tree_sitter();
//!     // ...
//! }
//! ```

/// The global allocator type to declare with `#[global_allocator]`.
pub use tikv_jemallocator::Jemalloc as Allocator;

/// Makes tree-sitter allocate with jemalloc too. Call it first in `main`, before any parser,
/// tree or query exists: an object allocated by one allocator must not be freed by another.
/// Later calls do nothing.
pub fn serve_tree_sitter() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: tree-sitter documents this as to be called before any other tree-sitter
        // call, which the caller promises above; `Once` keeps a second call from swapping the
        // allocator under live objects. jemalloc's functions are thread-safe and have the C
        // signatures tree-sitter expects.
        unsafe {
            tree_sitter::set_allocator(
                Some(tikv_jemalloc_sys::malloc),
                Some(tikv_jemalloc_sys::calloc),
                Some(tikv_jemalloc_sys::realloc),
                Some(tikv_jemalloc_sys::free),
            );
        }
    });
}
