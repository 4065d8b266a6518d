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

/// jemalloc's options, read once when it starts (the `malloc_conf` of its manual, under the
/// prefix tikv-jemalloc-sys gives its symbols; `_RJEM_MALLOC_CONF` in the environment still
/// overrides them). One arena: by default jemalloc makes four per CPU and spreads threads over
/// them, so a scan's worker threads each keep freed syntax trees in arenas of their own.
/// Scanning rust-analyzer's source with every check on two threads, one arena lowered the peak
/// resident memory from 98 to 85 MiB at the same CPU time (medians of 7 paired runs), since
/// each thread's cache still serves most allocations without taking the arena's lock.
#[used]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8; 10] = b"narenas:1\0";

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

#[cfg(test)]
mod tests {
    #[test]
    fn jemalloc_starts_with_one_arena() {
        let mut narenas: std::ffi::c_uint = 0;
        let mut len = std::mem::size_of::<std::ffi::c_uint>();
        // SAFETY: `opt.narenas` is an `unsigned`, read into one of that size; nothing is written.
        let rc = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"opt.narenas".as_ptr(),
                (&mut narenas as *mut std::ffi::c_uint).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        assert_eq!((rc, narenas), (0, 1), "malloc_conf was not read");
    }
}
