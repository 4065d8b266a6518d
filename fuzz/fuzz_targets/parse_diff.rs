//! Fuzzes the diff parsers: any bytes must give a diff or a typed error, never a panic, and
//! every commentable-line query on a parsed file must answer.
#![no_main]

use failmode::diff::{parse_patch, parse_unified, Side};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(diff) = parse_unified(&text) {
        for f in &diff.files {
            for line in 0..64 {
                let _ = f.commentable(line, Side::Right);
                let _ = f.commentable(line, Side::Left);
                let _ = f.same_hunk(line, line + 3);
            }
            let _ = f.render_patch();
        }
    }
    let _ = parse_patch("fuzz.rs", &text);
});
