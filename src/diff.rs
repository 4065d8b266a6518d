//! Unified diffs and GitHub `patch` hunks → changed and commentable lines per file.
//!
//! Two entry points:
//! - [`parse_unified`] reads `git diff` / `diff -u` output holding any number of files
//!   (renames, copies, new and deleted files, mode changes, binary files, quoted paths, CRLF,
//!   `\ No newline at end of file`).
//! - [`parse_patch`] reads the `patch` field GitHub returns per file in "list pull request
//!   files": hunks only, no file headers.
//!
//! Both never panic: input the parser does not understand is a [`DiffError`] naming the line,
//! or (for a whole file the CLI cannot use, such as a combined merge diff) a [`SkippedFileDiff`]
//! with the reason.

use std::collections::BTreeSet;
use std::fmt;

/// Which version of a file a line number refers to, as GitHub review comments name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Side {
    /// The base version: deleted lines.
    Left,
    /// The head version: added lines and context lines.
    Right,
}

impl Side {
    /// `LEFT` or `RIGHT`, as the GitHub API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "LEFT",
            Side::Right => "RIGHT",
        }
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// New file.
    Added,
    /// File removed.
    Deleted,
    /// Content and/or mode changed in place.
    Modified,
    /// Moved (possibly with content changes).
    Renamed,
    /// Copied from another file (possibly with content changes).
    Copied,
}

/// The kind of one line in a hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Unchanged line shown for context (` `).
    Context,
    /// Line added on the new side (`+`).
    Added,
    /// Line removed from the old side (`-`).
    Deleted,
}

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// Context, added or deleted.
    pub kind: LineKind,
    /// Line number in the old file (context and deleted lines).
    pub old_line: Option<usize>,
    /// Line number in the new file (context and added lines).
    pub new_line: Option<usize>,
    /// The line's text, without the leading marker and line terminator.
    pub text: String,
    /// The line was followed by `\ No newline at end of file`.
    pub no_newline_at_eof: bool,
}

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// First old line (0 when the old range is empty and starts before line 1).
    pub old_start: usize,
    /// Number of old lines (context + deleted).
    pub old_len: usize,
    /// First new line (the line before the range when `new_len` is 0).
    pub new_start: usize,
    /// Number of new lines (context + added).
    pub new_len: usize,
    /// Text after the closing `@@` (usually the enclosing function), trimmed.
    pub section: String,
    /// The lines, in order.
    pub lines: Vec<DiffLine>,
}

impl Hunk {
    /// Whether new-side line `line` is inside this hunk (added or context).
    pub fn contains_new(&self, line: usize) -> bool {
        self.new_len > 0 && line >= self.new_start && line - self.new_start < self.new_len
    }

    /// Renders the hunk back to patch text (header and lines, `\n` terminated).
    pub fn render(&self) -> String {
        let mut out = format!(
            "@@ -{} +{} @@",
            range_text(self.old_start, self.old_len),
            range_text(self.new_start, self.new_len)
        );
        if !self.section.is_empty() {
            out.push(' ');
            out.push_str(&self.section);
        }
        out.push('\n');
        for l in &self.lines {
            out.push(match l.kind {
                LineKind::Context => ' ',
                LineKind::Added => '+',
                LineKind::Deleted => '-',
            });
            out.push_str(&l.text);
            out.push('\n');
            if l.no_newline_at_eof {
                out.push_str("\\ No newline at end of file\n");
            }
        }
        out
    }
}

fn range_text(start: usize, len: usize) -> String {
    if len == 1 {
        start.to_string()
    } else {
        format!("{start},{len}")
    }
}

/// Everything the diff says about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// Path on the new side (the old path for deleted files), `/`-separated, without `a/`/`b/`.
    pub path: String,
    /// Path on the old side when it differs (renames and copies).
    pub old_path: Option<String>,
    /// What happened to the file.
    pub status: FileStatus,
    /// `(old mode, new mode)` when the mode changed.
    pub mode_change: Option<(String, String)>,
    /// The diff says the file is binary; it has no hunks.
    pub binary: bool,
    /// The hunks, in file order.
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    /// A file the diff does not describe line by line but that counts as entirely new (an
    /// untracked file): every line 1..=`line_count` is added, in one hunk.
    pub fn whole_file_added(path: &str, text: &str) -> FileDiff {
        let lines: Vec<DiffLine> = text
            .lines()
            .enumerate()
            .map(|(i, t)| DiffLine {
                kind: LineKind::Added,
                old_line: None,
                new_line: Some(i + 1),
                text: t.trim_end_matches('\r').to_string(),
                no_newline_at_eof: false,
            })
            .collect();
        let hunks = if lines.is_empty() {
            Vec::new()
        } else {
            vec![Hunk {
                old_start: 0,
                old_len: 0,
                new_start: 1,
                new_len: lines.len(),
                section: String::new(),
                lines,
            }]
        };
        FileDiff {
            path: path.to_string(),
            old_path: None,
            status: FileStatus::Added,
            mode_change: None,
            binary: false,
            hunks,
        }
    }

    /// New-side lines this diff adds or changes (the `+` lines).
    pub fn added_lines(&self) -> BTreeSet<usize> {
        self.hunks
            .iter()
            .flat_map(|h| h.lines.iter())
            .filter(|l| l.kind == LineKind::Added)
            .filter_map(|l| l.new_line)
            .collect()
    }

    /// Whether new-side `line` is added or changed by this diff.
    pub fn is_added(&self, line: usize) -> bool {
        self.hunks.iter().filter(|h| h.contains_new(line)).any(|h| {
            h.lines
                .iter()
                .any(|l| l.kind == LineKind::Added && l.new_line == Some(line))
        })
    }

    /// Index of the hunk holding `line` on `side`, if a review comment may be placed there:
    /// RIGHT = an added or context line inside a hunk; LEFT = a deleted line.
    pub fn hunk_of(&self, line: usize, side: Side) -> Option<usize> {
        match side {
            Side::Right => self.hunks.iter().position(|h| h.contains_new(line)),
            Side::Left => self.hunks.iter().position(|h| {
                h.lines
                    .iter()
                    .any(|l| l.kind == LineKind::Deleted && l.old_line == Some(line))
            }),
        }
    }

    /// Whether GitHub accepts a review comment on `line` of `side`.
    pub fn commentable(&self, line: usize, side: Side) -> bool {
        self.hunk_of(line, side).is_some()
    }

    /// Whether the new-side range `start..=end` may carry one multi-line review comment: both
    /// ends commentable on the RIGHT side and inside the same hunk.
    pub fn same_hunk(&self, start: usize, end: usize) -> bool {
        if start > end {
            return false;
        }
        match (
            self.hunk_of(start, Side::Right),
            self.hunk_of(end, Side::Right),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// Renders the hunks back to a GitHub-style `patch` (no file headers).
    pub fn render_patch(&self) -> String {
        self.hunks.iter().map(Hunk::render).collect()
    }
}

/// A file the parser recognised but cannot describe line by line, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFileDiff {
    /// The path, as well as it could be read.
    pub path: String,
    /// Why it was left out.
    pub reason: String,
}

/// A parsed multi-file diff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Files, in diff order.
    pub files: Vec<FileDiff>,
    /// Files left out, with the reason.
    pub skipped: Vec<SkippedFileDiff>,
}

impl Diff {
    /// The file diff for new-side `path`.
    pub fn file(&self, path: &str) -> Option<&FileDiff> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Input that is not a diff this parser understands. `line` is 1-based in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// A `@@` line that does not read `@@ -a[,b] +c[,d] @@`.
    #[error("line {line}: malformed hunk header `{text}`: expected `@@ -start,len +start,len @@`")]
    BadHunkHeader {
        /// Line number.
        line: usize,
        /// The offending text (truncated).
        text: String,
    },
    /// A hunk ended (or hit an unexpected line) before holding the lines its header counts.
    #[error("line {line}: hunk is truncated or corrupt: its header promises {missing_old} more old and {missing_new} more new lines; was the diff cut or edited by hand?")]
    TruncatedHunk {
        /// Line number where the hunk stopped.
        line: usize,
        /// Old-side lines still expected.
        missing_old: usize,
        /// New-side lines still expected.
        missing_new: usize,
    },
    /// A hunk appears before any file header in a multi-file diff.
    #[error("line {line}: hunk without a file header; a GitHub `patch` field must be parsed per file (parse_patch), a full diff needs `diff --git` or `---`/`+++` headers")]
    HunkWithoutFile {
        /// Line number.
        line: usize,
    },
    /// A `---` header not followed by `+++`.
    #[error("line {line}: `---` file header is not followed by a `+++` header")]
    BadFileHeader {
        /// Line number.
        line: usize,
    },
    /// The text holds something but no file diff at all.
    #[error("the input is not a unified diff: no `diff --git`, `---`/`+++` or `@@` lines found (line 1: `{first_line}`)")]
    NotADiff {
        /// The first non-blank line (truncated).
        first_line: String,
    },
    /// A GitHub `patch` with content that is not a hunk.
    #[error("line {line}: a GitHub patch must start with a `@@` hunk header, found `{text}`")]
    PatchWithoutHunk {
        /// Line number.
        line: usize,
        /// The offending text (truncated).
        text: String,
    },
}

fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Parses a GitHub `patch` field (hunks only) for the file at `path`. An empty patch gives a
/// file with no hunks.
pub fn parse_patch(path: &str, patch: &str) -> Result<FileDiff, DiffError> {
    let lines = split_lines(patch);
    let mut file = FileDiff {
        path: path.to_string(),
        old_path: None,
        status: FileStatus::Modified,
        mode_change: None,
        binary: false,
        hunks: Vec::new(),
    };
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with("@@") {
            let (hunk, next) = parse_hunk(&lines, i)?;
            file.hunks.push(hunk);
            i = next;
        } else if l.is_empty() && i + 1 == lines.len() {
            i += 1;
        } else {
            return Err(DiffError::PatchWithoutHunk {
                line: i + 1,
                text: snippet(l),
            });
        }
    }
    if file
        .hunks
        .first()
        .is_some_and(|h| h.old_start == 0 && h.old_len == 0)
        && file.hunks.len() == 1
    {
        file.status = FileStatus::Added;
    } else if file.hunks.len() == 1 && file.hunks[0].new_len == 0 && file.hunks[0].new_start == 0 {
        file.status = FileStatus::Deleted;
    }
    Ok(file)
}

/// Parses unified-diff text holding any number of files (`git diff`, `git format-patch`,
/// `diff -u`). Text before the first file header (commit messages, mail headers) is ignored.
/// An empty input is an empty diff.
pub fn parse_unified(text: &str) -> Result<Diff, DiffError> {
    let lines = split_lines(text);
    let mut diff = Diff::default();
    let mut current: Option<PendingFile> = None;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if let Some(rest) = l.strip_prefix("diff --git ") {
            finish(&mut diff, current.take());
            current = Some(PendingFile::from_git_header(rest));
            i += 1;
        } else if l.starts_with("diff --cc ") || l.starts_with("diff --combined ") {
            finish(&mut diff, current.take());
            let path = l
                .split_once(' ')
                .map(|(_, r)| r)
                .unwrap_or("")
                .split_once(' ')
                .map(|(_, r)| r)
                .unwrap_or("");
            diff.skipped.push(SkippedFileDiff {
                path: unquote(path),
                reason: "combined (merge) diff is not supported; diff against one parent instead"
                    .to_string(),
            });
            i += 1;
            while i < lines.len() && !lines[i].starts_with("diff ") {
                i += 1;
            }
        } else if l.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ ")) {
            let old = header_path(&l[4..]);
            let new = header_path(&lines[i + 1][4..]);
            let file = match current.take() {
                Some(mut p) if p.old_header.is_none() && p.hunks.is_empty() => {
                    p.old_header = Some(old);
                    p.new_header = Some(new);
                    p
                }
                other => {
                    finish(&mut diff, other);
                    PendingFile {
                        old_header: Some(old),
                        new_header: Some(new),
                        ..PendingFile::default()
                    }
                }
            };
            current = Some(file);
            i += 2;
        } else if l.starts_with("--- ")
            && current
                .as_ref()
                .is_some_and(|c| c.hunks.is_empty() && c.git)
        {
            return Err(DiffError::BadFileHeader { line: i + 1 });
        } else if l.starts_with("@@") {
            let Some(file) = current.as_mut() else {
                return Err(DiffError::HunkWithoutFile { line: i + 1 });
            };
            if l.starts_with("@@@") {
                return Err(DiffError::BadHunkHeader {
                    line: i + 1,
                    text: snippet(l),
                });
            }
            let (hunk, next) = parse_hunk(&lines, i)?;
            file.hunks.push(hunk);
            i = next;
        } else {
            if let Some(file) = current.as_mut() {
                if file.git && file.hunks.is_empty() {
                    file.extended_header(l);
                }
            }
            i += 1;
        }
    }
    finish(&mut diff, current.take());
    if diff.files.is_empty() && diff.skipped.is_empty() {
        if let Some(first) = lines.iter().find(|l| !l.trim().is_empty()) {
            if !looks_like_preamble(&lines) {
                return Err(DiffError::NotADiff {
                    first_line: snippet(first),
                });
            }
        }
    }
    Ok(diff)
}

/// `git format-patch` output with no file changes still starts with `From <sha>`.
fn looks_like_preamble(lines: &[&str]) -> bool {
    lines
        .first()
        .is_some_and(|l| l.starts_with("From ") || l.starts_with("commit "))
}

fn split_lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

#[derive(Default)]
struct PendingFile {
    git: bool,
    git_old: Option<String>,
    git_new: Option<String>,
    old_header: Option<Option<String>>,
    new_header: Option<Option<String>>,
    rename_from: Option<String>,
    rename_to: Option<String>,
    copy: bool,
    new_file: bool,
    deleted_file: bool,
    old_mode: Option<String>,
    new_mode: Option<String>,
    binary: bool,
    hunks: Vec<Hunk>,
}

impl PendingFile {
    fn from_git_header(rest: &str) -> PendingFile {
        let (old, new) = split_git_header(rest);
        PendingFile {
            git: true,
            git_old: old,
            git_new: new,
            ..PendingFile::default()
        }
    }

    fn extended_header(&mut self, l: &str) {
        if let Some(p) = l.strip_prefix("rename from ") {
            self.rename_from = Some(unquote(p));
        } else if let Some(p) = l.strip_prefix("rename to ") {
            self.rename_to = Some(unquote(p));
        } else if let Some(p) = l.strip_prefix("copy from ") {
            self.rename_from = Some(unquote(p));
            self.copy = true;
        } else if let Some(p) = l.strip_prefix("copy to ") {
            self.rename_to = Some(unquote(p));
            self.copy = true;
        } else if let Some(m) = l.strip_prefix("new file mode ") {
            self.new_file = true;
            self.new_mode = Some(m.trim().to_string());
        } else if let Some(m) = l.strip_prefix("deleted file mode ") {
            self.deleted_file = true;
            self.old_mode = Some(m.trim().to_string());
        } else if let Some(m) = l.strip_prefix("old mode ") {
            self.old_mode = Some(m.trim().to_string());
        } else if let Some(m) = l.strip_prefix("new mode ") {
            self.new_mode = Some(m.trim().to_string());
        } else if l.starts_with("Binary files ") || l == "GIT binary patch" {
            self.binary = true;
        }
    }

    fn into_file(self) -> Option<FileDiff> {
        let old_hdr = self.old_header.clone().flatten();
        let new_hdr = self.new_header.clone().flatten();
        let dev_null_old = self.old_header.as_ref().is_some_and(Option::is_none);
        let dev_null_new = self.new_header.as_ref().is_some_and(Option::is_none);
        let old = self
            .rename_from
            .clone()
            .or(old_hdr)
            .or(self.git_old.clone());
        let new = self.rename_to.clone().or(new_hdr).or(self.git_new.clone());
        let status = if self.new_file || dev_null_old {
            FileStatus::Added
        } else if self.deleted_file || dev_null_new {
            FileStatus::Deleted
        } else if self.rename_from.is_some() && self.copy {
            FileStatus::Copied
        } else if self.rename_from.is_some() || self.rename_to.is_some() {
            FileStatus::Renamed
        } else {
            FileStatus::Modified
        };
        let path = match status {
            FileStatus::Deleted => old.clone().or(new.clone())?,
            _ => new.clone().or(old.clone())?,
        };
        let old_path = match status {
            FileStatus::Renamed | FileStatus::Copied => old.filter(|o| *o != path),
            _ => None,
        };
        let mode_change = match (&self.old_mode, &self.new_mode) {
            (Some(a), Some(b)) if a != b && !self.new_file && !self.deleted_file => {
                Some((a.clone(), b.clone()))
            }
            _ => None,
        };
        Some(FileDiff {
            path,
            old_path,
            status,
            mode_change,
            binary: self.binary,
            hunks: self.hunks,
        })
    }
}

fn finish(diff: &mut Diff, file: Option<PendingFile>) {
    let Some(file) = file else { return };
    let fallback = file
        .git_new
        .clone()
        .or(file.git_old.clone())
        .unwrap_or_default();
    match file.into_file() {
        Some(f) => diff.files.push(f),
        None => diff.skipped.push(SkippedFileDiff {
            path: fallback,
            reason: "cannot tell the file's path from its diff header".to_string(),
        }),
    }
}

/// Path from a `---`/`+++` header: `None` for `/dev/null`; strips `a/`/`b/` and any timestamp.
fn header_path(raw: &str) -> Option<String> {
    let raw = if raw.starts_with('"') {
        raw
    } else {
        raw.split('\t').next().unwrap_or(raw)
    };
    let p = unquote(raw.trim_end());
    if p == "/dev/null" {
        return None;
    }
    Some(strip_prefix_ab(&p))
}

fn strip_prefix_ab(p: &str) -> String {
    p.strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(p)
        .to_string()
}

/// Splits the `a/X b/Y` of a `diff --git` line. Quoted halves are unquoted; for unquoted
/// halves with spaces, the split is found by requiring both sides to name the same path
/// (the common case), else by the last ` b/`.
fn split_git_header(rest: &str) -> (Option<String>, Option<String>) {
    let rest = rest.trim_end();
    if rest.starts_with('"') {
        let (first, tail) = take_quoted(rest);
        let second = tail.trim_start();
        return (
            Some(strip_prefix_ab(&first)),
            Some(strip_prefix_ab(&unquote(second))),
        );
    }
    if rest.ends_with('"') {
        if let Some(i) = rest.find(" \"") {
            return (
                Some(strip_prefix_ab(&rest[..i])),
                Some(strip_prefix_ab(&unquote(&rest[i + 1..]))),
            );
        }
    }
    if rest.len() >= 5 && (rest.len() - 1) % 2 == 0 {
        let half = (rest.len() - 1) / 2;
        if rest.is_char_boundary(half) && rest.is_char_boundary(half + 1) {
            let (a, b) = (&rest[..half], &rest[half + 1..]);
            if rest.as_bytes().get(half) == Some(&b' ') && a.get(2..) == b.get(2..) {
                return (Some(strip_prefix_ab(a)), Some(strip_prefix_ab(b)));
            }
        }
    }
    match rest.rfind(" b/") {
        Some(i) => (
            Some(strip_prefix_ab(&rest[..i])),
            Some(strip_prefix_ab(&rest[i + 1..])),
        ),
        None => (None, None),
    }
}

/// Reads one C-quoted string at the start of `s`; returns it and the rest.
fn take_quoted(s: &str) -> (String, &str) {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), &s[i + 1..]),
            b'\\' if i + 1 < bytes.len() => {
                let c = bytes[i + 1];
                i += 2;
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'0'..=b'7' => {
                        let mut v: u32 = u32::from(c - b'0');
                        let mut n = 1;
                        while n < 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                            v = v * 8 + u32::from(bytes[i] - b'0');
                            i += 1;
                            n += 1;
                        }
                        out.push((v & 0xff) as u8);
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), "")
}

/// Unquotes a git path if it is C-quoted; otherwise returns it as is.
fn unquote(s: &str) -> String {
    let s = s.trim_end();
    if s.starts_with('"') {
        take_quoted(s).0
    } else {
        s.to_string()
    }
}

/// Parses `@@ -a[,b] +c[,d] @@ section`.
fn parse_hunk_header(l: &str) -> Option<(usize, usize, usize, usize, String)> {
    let rest = l.strip_prefix("@@ -")?;
    let end = rest.find(" @@")?;
    let ranges = &rest[..end];
    let section = rest[end + 3..].trim().to_string();
    let (old, new) = ranges.split_once(" +")?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((s, n)) => Some((s.parse().ok()?, n.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (os, ol) = range(old)?;
    let (ns, nl) = range(new)?;
    Some((os, ol, ns, nl, section))
}

/// Parses the hunk whose header is at `lines[start]`; returns it and the index after it.
fn parse_hunk(lines: &[&str], start: usize) -> Result<(Hunk, usize), DiffError> {
    let header = lines[start];
    let (old_start, old_len, new_start, new_len, section) =
        parse_hunk_header(header).ok_or_else(|| DiffError::BadHunkHeader {
            line: start + 1,
            text: snippet(header),
        })?;
    let mut hunk = Hunk {
        old_start,
        old_len,
        new_start,
        new_len,
        section,
        lines: Vec::new(),
    };
    let (mut old_left, mut new_left) = (old_len, new_len);
    let (mut old_no, mut new_no) = (old_start, new_start);
    let mut i = start + 1;
    let truncated = |i: usize, o: usize, n: usize| DiffError::TruncatedHunk {
        line: i + 1,
        missing_old: o,
        missing_new: n,
    };
    while old_left > 0 || new_left > 0 {
        let Some(&l) = lines.get(i) else {
            return Err(truncated(i, old_left, new_left));
        };
        let (kind, text) = match l.as_bytes().first() {
            Some(b' ') => (LineKind::Context, &l[1..]),
            None => (LineKind::Context, ""),
            Some(b'+') => (LineKind::Added, &l[1..]),
            Some(b'-') => (LineKind::Deleted, &l[1..]),
            Some(b'\\') => {
                if let Some(last) = hunk.lines.last_mut() {
                    last.no_newline_at_eof = true;
                }
                i += 1;
                continue;
            }
            _ => return Err(truncated(i, old_left, new_left)),
        };
        let line = match kind {
            LineKind::Context if old_left > 0 && new_left > 0 => {
                old_left -= 1;
                new_left -= 1;
                DiffLine {
                    kind,
                    old_line: Some(old_no),
                    new_line: Some(new_no),
                    text: text.to_string(),
                    no_newline_at_eof: false,
                }
            }
            LineKind::Added if new_left > 0 => {
                new_left -= 1;
                DiffLine {
                    kind,
                    old_line: None,
                    new_line: Some(new_no),
                    text: text.to_string(),
                    no_newline_at_eof: false,
                }
            }
            LineKind::Deleted if old_left > 0 => {
                old_left -= 1;
                DiffLine {
                    kind,
                    old_line: Some(old_no),
                    new_line: None,
                    text: text.to_string(),
                    no_newline_at_eof: false,
                }
            }
            _ => return Err(truncated(i, old_left, new_left)),
        };
        if line.old_line.is_some() {
            old_no = old_no.saturating_add(1);
        }
        if line.new_line.is_some() {
            new_no = new_no.saturating_add(1);
        }
        hunk.lines.push(line);
        i += 1;
    }
    if lines.get(i).is_some_and(|l| l.starts_with('\\')) {
        if let Some(last) = hunk.lines.last_mut() {
            last.no_newline_at_eof = true;
        }
        i += 1;
    }
    Ok((hunk, i))
}

impl fmt::Display for FileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileStatus::Added => "added",
            FileStatus::Deleted => "deleted",
            FileStatus::Modified => "modified",
            FileStatus::Renamed => "renamed",
            FileStatus::Copied => "copied",
        })
    }
}

#[cfg(test)]
mod tests;
