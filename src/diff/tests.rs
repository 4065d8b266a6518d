use super::*;
use proptest::prelude::*;

const GIT_DIFF: &str = "\
diff --git a/src/orders.rs b/src/orders.rs
index 3b18e51..a9c2f10 100644
--- a/src/orders.rs
+++ b/src/orders.rs
@@ -10,6 +10,8 @@ async fn mark_shipped(db: &PgPool, id: i64) {
 fn a() {}
 fn b() {}
-    let x = 1;
+    let x = 2;
+    let y = 3;
+    let z = 4;
 fn c() {}
 fn d() {}
 fn e() {}
@@ -40 +42 @@ fn tail()
-old
+new
diff --git a/src/old_name.rs b/src/new_name.rs
similarity index 90%
rename from src/old_name.rs
rename to src/new_name.rs
index 1111111..2222222 100644
--- a/src/old_name.rs
+++ b/src/new_name.rs
@@ -1,2 +1,2 @@
-fn old() {}
+fn new() {}
 fn same() {}
diff --git a/src/added.rs b/src/added.rs
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/src/added.rs
@@ -0,0 +1,2 @@
+fn one() {}
+fn two() {}
\\ No newline at end of file
diff --git a/src/gone.rs b/src/gone.rs
deleted file mode 100644
index e69de29..0000000
--- a/src/gone.rs
+++ /dev/null
@@ -1 +0,0 @@
-fn gone() {}
diff --git a/logo.png b/logo.png
index 1111111..2222222 100644
Binary files a/logo.png and b/logo.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
diff --git a/src/pure_move.rs b/src/moved/pure_move.rs
similarity index 100%
rename from src/pure_move.rs
rename to src/moved/pure_move.rs
";

#[test]
fn git_diff_with_every_kind_of_file() {
    let d = parse_unified(GIT_DIFF).unwrap();
    let paths: Vec<(&str, FileStatus)> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("src/orders.rs", FileStatus::Modified),
            ("src/new_name.rs", FileStatus::Renamed),
            ("src/added.rs", FileStatus::Added),
            ("src/gone.rs", FileStatus::Deleted),
            ("logo.png", FileStatus::Modified),
            ("run.sh", FileStatus::Modified),
            ("src/moved/pure_move.rs", FileStatus::Renamed),
        ]
    );
    let orders = d.file("src/orders.rs").unwrap();
    assert_eq!(orders.hunks.len(), 2);
    let h = &orders.hunks[0];
    assert_eq!(
        (h.old_start, h.old_len, h.new_start, h.new_len),
        (10, 6, 10, 8)
    );
    assert_eq!(h.section, "async fn mark_shipped(db: &PgPool, id: i64) {");
    assert_eq!(
        orders.added_lines().into_iter().collect::<Vec<_>>(),
        vec![12, 13, 14, 42]
    );
    assert_eq!(h.lines[2].kind, LineKind::Deleted);
    assert_eq!(h.lines[2].old_line, Some(12));
    assert_eq!(h.lines[6].new_line, Some(15));
    assert_eq!(h.lines[6].old_line, Some(13));
    assert_eq!(
        d.file("src/new_name.rs").unwrap().old_path.as_deref(),
        Some("src/old_name.rs")
    );
    let added = d.file("src/added.rs").unwrap();
    assert!(added.hunks[0].lines[1].no_newline_at_eof);
    assert!(!added.hunks[0].lines[0].no_newline_at_eof);
    assert!(d.file("logo.png").unwrap().binary);
    assert!(d.file("logo.png").unwrap().hunks.is_empty());
    assert_eq!(
        d.file("run.sh").unwrap().mode_change,
        Some(("100644".into(), "100755".into()))
    );
    assert_eq!(
        d.file("src/moved/pure_move.rs")
            .unwrap()
            .old_path
            .as_deref(),
        Some("src/pure_move.rs")
    );
    assert!(d.skipped.is_empty());
}

#[test]
fn commentable_lines_follow_github_rules() {
    let d = parse_unified(GIT_DIFF).unwrap();
    let f = d.file("src/orders.rs").unwrap();
    // RIGHT: context and added lines inside a hunk.
    for line in 10..=17 {
        assert!(f.commentable(line, Side::Right), "line {line}");
    }
    assert!(!f.commentable(9, Side::Right));
    assert!(!f.commentable(18, Side::Right));
    assert!(f.commentable(42, Side::Right));
    assert!(!f.commentable(41, Side::Right));
    // LEFT: deleted lines only.
    assert!(f.commentable(12, Side::Left));
    assert!(f.commentable(40, Side::Left));
    assert!(!f.commentable(11, Side::Left));
    // Ranges must stay inside one hunk.
    assert!(f.same_hunk(10, 17));
    assert!(f.same_hunk(12, 12));
    assert!(!f.same_hunk(17, 42));
    assert!(!f.same_hunk(14, 12));
    assert!(!f.same_hunk(9, 12));
    assert!(f.is_added(13));
    assert!(!f.is_added(11));
}

#[test]
fn github_patch_field_without_headers() {
    let patch = "@@ -1,3 +1,4 @@\n use std::io;\n+use std::fs;\n \n fn main() {}\n@@ -20,0 +22,1 @@ impl X {\n+    fn y() {}";
    let f = parse_patch("src/main.rs", patch).unwrap();
    assert_eq!(f.path, "src/main.rs");
    assert_eq!(f.hunks.len(), 2);
    assert_eq!(f.added_lines().into_iter().collect::<Vec<_>>(), vec![2, 22]);
    assert!(
        f.commentable(3, Side::Right),
        "an empty context line is still a line"
    );
    assert!(f.commentable(22, Side::Right));
    assert!(!f.commentable(21, Side::Right));
    assert_eq!(parse_patch("a.rs", "").unwrap().hunks.len(), 0);
    assert!(matches!(
        parse_patch("a.rs", "hello\n@@ -1 +1 @@\n-a\n+b\n"),
        Err(DiffError::PatchWithoutHunk { line: 1, .. })
    ));
}

#[test]
fn crlf_diffs_parse_like_lf() {
    let crlf = GIT_DIFF.replace('\n', "\r\n");
    let a = parse_unified(GIT_DIFF).unwrap();
    let b = parse_unified(&crlf).unwrap();
    assert_eq!(a, b);
}

#[test]
fn zero_context_diff_as_the_cli_requests_it() {
    let text = "diff --git a/src/lib.rs b/src/lib.rs\nindex 1..2 100644\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -3,0 +4,2 @@ fn x() {\n+    let a = 1;\n+    let b = 2;\n@@ -10 +11,0 @@\n-    gone();\n@@ -20,2 +20,2 @@\n-a\n-b\n+c\n+d\n";
    let d = parse_unified(text).unwrap();
    let f = d.file("src/lib.rs").unwrap();
    assert_eq!(
        f.added_lines().into_iter().collect::<Vec<_>>(),
        vec![4, 5, 20, 21]
    );
    assert!(
        !f.commentable(11, Side::Right),
        "a pure deletion has no right-side lines"
    );
    assert!(f.commentable(10, Side::Left));
}

#[test]
fn quoted_paths_and_spaces() {
    let text = "diff --git \"a/src/t\\303\\251st file.rs\" \"b/src/t\\303\\251st file.rs\"\nindex 1..2 100644\n--- \"a/src/t\\303\\251st file.rs\"\n+++ \"b/src/t\\303\\251st file.rs\"\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/src/my file.rs b/src/my file.rs\nnew file mode 100644\nindex 0000000..e69de29\n";
    let d = parse_unified(text).unwrap();
    assert_eq!(d.files[0].path, "src/tést file.rs");
    assert_eq!(d.files[1].path, "src/my file.rs");
    assert_eq!(d.files[1].status, FileStatus::Added);
    assert!(d.files[1].hunks.is_empty());
}

#[test]
fn plain_diff_u_and_format_patch_preamble() {
    let text = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n---\n src/a.rs | 2 +-\n\n--- src/a.rs\t2024-01-01 10:00:00\n+++ src/a.rs\t2024-01-02 10:00:00\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n";
    let d = parse_unified(text).unwrap();
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].path, "src/a.rs");
    assert_eq!(
        d.files[0].added_lines().into_iter().collect::<Vec<_>>(),
        vec![1]
    );
}

#[test]
fn combined_diffs_are_skipped_with_a_reason() {
    let text = "diff --cc src/a.rs\nindex 1,2..3\n--- a/src/a.rs\n+++ b/src/a.rs\n@@@ -1,1 -1,1 +1,1 @@@\n- a\n -b\n++c\ndiff --git a/src/b.rs b/src/b.rs\n--- a/src/b.rs\n+++ b/src/b.rs\n@@ -1 +1 @@\n-x\n+y\n";
    let d = parse_unified(text).unwrap();
    assert_eq!(d.skipped.len(), 1);
    assert_eq!(d.skipped[0].path, "src/a.rs");
    assert!(d.skipped[0].reason.contains("combined"));
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].path, "src/b.rs");
}

#[test]
fn broken_input_is_a_typed_error() {
    assert_eq!(parse_unified("").unwrap(), Diff::default());
    assert!(matches!(
        parse_unified("hello world\n"),
        Err(DiffError::NotADiff { .. })
    ));
    assert!(matches!(
        parse_unified("@@ -1 +1 @@\n-a\n+b\n"),
        Err(DiffError::HunkWithoutFile { line: 1 })
    ));
    let bad_header = "--- a/x.rs\n+++ b/x.rs\n@@ -1,x +1 @@\n";
    assert!(matches!(
        parse_unified(bad_header),
        Err(DiffError::BadHunkHeader { line: 3, .. })
    ));
    let truncated = "--- a/x.rs\n+++ b/x.rs\n@@ -1,3 +1,3 @@\n a\n-b\n";
    let err = parse_unified(truncated).unwrap_err();
    assert_eq!(
        err,
        DiffError::TruncatedHunk {
            line: 6,
            missing_old: 1,
            missing_new: 2
        }
    );
    assert!(err.to_string().contains("line 6"), "{err}");
    let overflow = "--- a/x.rs\n+++ b/x.rs\n@@ -99999999999999999999999 +1 @@\n";
    assert!(matches!(
        parse_unified(overflow),
        Err(DiffError::BadHunkHeader { .. })
    ));
}

#[test]
fn untracked_file_counts_as_fully_added() {
    let f = FileDiff::whole_file_added("src/new.rs", "fn a() {}\r\nfn b() {}\n");
    assert_eq!(f.added_lines().into_iter().collect::<Vec<_>>(), vec![1, 2]);
    assert!(f.same_hunk(1, 2));
    assert_eq!(f.status, FileStatus::Added);
    assert!(FileDiff::whole_file_added("e.rs", "").hunks.is_empty());
}

fn arb_hunk_lines() -> impl Strategy<Value = Vec<(u8, String, bool)>> {
    prop::collection::vec((0u8..3, "[ -~]{0,12}", prop::bool::weighted(0.05)), 1..20)
}

/// (old start, lines as (kind, text, no-newline marker)) per hunk.
type HunkSpec = (usize, Vec<(u8, String, bool)>);

fn build_hunks(specs: Vec<HunkSpec>) -> Vec<Hunk> {
    let (mut old_no, mut new_no) = (1usize, 1usize);
    let mut hunks = Vec::new();
    for (gap, lines) in specs {
        old_no += gap;
        new_no += gap;
        let (old_start, new_start) = (old_no, new_no);
        let mut out = Vec::new();
        for (k, text, eof) in lines {
            let kind = [LineKind::Context, LineKind::Added, LineKind::Deleted][k as usize];
            let (o, n) = match kind {
                LineKind::Context => (Some(old_no), Some(new_no)),
                LineKind::Added => (None, Some(new_no)),
                LineKind::Deleted => (Some(old_no), None),
            };
            old_no += usize::from(o.is_some());
            new_no += usize::from(n.is_some());
            out.push(DiffLine {
                kind,
                old_line: o,
                new_line: n,
                text,
                no_newline_at_eof: eof,
            });
        }
        let old_len = out.iter().filter(|l| l.old_line.is_some()).count();
        let new_len = out.iter().filter(|l| l.new_line.is_some()).count();
        // An empty side's start is the line before the range, as diff tools write it.
        let old_start = if old_len == 0 {
            old_start - 1
        } else {
            old_start
        };
        let new_start = if new_len == 0 {
            new_start - 1
        } else {
            new_start
        };
        hunks.push(Hunk {
            old_start,
            old_len,
            new_start,
            new_len,
            section: String::new(),
            lines: out,
        });
    }
    hunks
}

proptest! {
    #[test]
    fn rendered_hunks_parse_back_to_the_same_structure(specs in prop::collection::vec((1usize..50, arb_hunk_lines()), 1..6)) {
        let hunks = build_hunks(specs);
        let file = FileDiff { path: "src/x.rs".into(), old_path: None, status: FileStatus::Modified, mode_change: None, binary: false, hunks };
        let patch = file.render_patch();
        let parsed = parse_patch("src/x.rs", &patch).unwrap();
        prop_assert_eq!(&parsed.hunks, &file.hunks);
        let full = format!("diff --git a/src/x.rs b/src/x.rs\nindex 1..2 100644\n--- a/src/x.rs\n+++ b/src/x.rs\n{patch}");
        let d = parse_unified(&full).unwrap();
        prop_assert_eq!(&d.files[0].hunks, &file.hunks);
        for h in &file.hunks {
            for l in &h.lines {
                if let Some(n) = l.new_line {
                    prop_assert!(parsed.commentable(n, Side::Right));
                    prop_assert_eq!(parsed.is_added(n), l.kind == LineKind::Added);
                }
                if l.kind == LineKind::Deleted {
                    prop_assert!(parsed.commentable(l.old_line.unwrap(), Side::Left));
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_unified(&text);
        let _ = parse_patch("x.rs", &text);
    }

    #[test]
    fn diff_shaped_noise_never_panics(lines in prop::collection::vec(prop::sample::select(vec![
        "diff --git a/x b/x", "--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", "@@ -0,0 +1 @@", "+a", "-b", " c", "",
        "\\ No newline at end of file", "rename from y", "rename to z", "diff --cc x", "Binary files a/x and b/x differ",
        "--- /dev/null", "+++ /dev/null", "diff --git \"a/\\377\" \"b/\\3", "@@ -18446744073709551615 +1 @@",
    ]), 0..40)) {
        let text = lines.join("\n");
        let _ = parse_unified(&text);
        let _ = parse_patch("x.rs", &text);
    }
}
