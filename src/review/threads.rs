//! The App's review threads over a pull request's life: which of its comments are still open
//! findings (never posted twice), and which were fixed by a later push (answered "Fixed in
//! <sha>" once, then resolved).
//!
//! A thread counts as fixed when both hold:
//! - its finding's fingerprint is gone from this push's analysis of that file, and
//! - GitHub marks the comment outdated (`line` is `null`): the code it points at changed.
//!
//! The App only ever touches threads it started, never one a person resolved (a resolved
//! thread is left as it is, whoever resolved it), and never re-opens anything. A finding that
//! comes back after its thread was answered "Fixed" is a new finding and gets a new comment.

use crate::github::types::ReviewComment;
use crate::report::review::fingerprint_of;
use std::collections::{BTreeMap, HashSet};

/// Hidden in the App's "Fixed in" replies, so a later run recognises them whatever the text.
pub const FIXED_MARKER: &str = "<!-- failmode:fixed -->";

/// One thread the App started on the pull request, read from the REST comment list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnThread {
    /// REST id of the App's comment that opened the thread.
    pub root_id: u64,
    /// The review that comment belongs to.
    pub review_id: Option<u64>,
    /// The finding's fingerprint (from the comment's marker).
    pub fingerprint: String,
    /// The file the comment is on.
    pub path: String,
    /// GitHub marks the comment outdated: a later push changed the code it points at.
    pub outdated: bool,
    /// The App already replied "Fixed in …" in this thread.
    pub fixed_reply: bool,
    /// That reply is the thread's last comment (nobody answered it since).
    pub fixed_reply_is_last: bool,
}

/// What to do with one fixed thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixedThread {
    /// Reply "Fixed in <sha>", then resolve.
    ReplyAndResolve {
        /// The thread's first comment (REST id).
        root_id: u64,
    },
    /// The reply is there (an earlier attempt stopped before resolving): resolve only.
    ResolveOnly {
        /// The thread's first comment (REST id).
        root_id: u64,
    },
}

impl FixedThread {
    /// The thread's first comment (REST id).
    pub fn root_id(&self) -> u64 {
        match self {
            FixedThread::ReplyAndResolve { root_id } | FixedThread::ResolveOnly { root_id } => {
                *root_id
            }
        }
    }
}

/// Whether `c` was written by the App (`bot` is its `<slug>[bot]` login). Comments by anyone
/// else never count, whatever they contain.
pub(crate) fn by_app(c: &ReviewComment, bot: &str) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.login == bot && u.kind.as_deref().is_none_or(|k| k == "Bot"))
}

/// The threads the App started, from every review comment on the pull request.
pub fn own_threads(comments: &[ReviewComment], bot: &str) -> Vec<OwnThread> {
    // The last comment of each thread, and the App's "Fixed" replies, by thread root.
    let mut last: BTreeMap<u64, u64> = BTreeMap::new();
    let mut fixed: BTreeMap<u64, u64> = BTreeMap::new();
    for c in comments {
        let root = c.in_reply_to_id.unwrap_or(c.id);
        let entry = last.entry(root).or_insert(c.id);
        *entry = (*entry).max(c.id);
        if c.in_reply_to_id.is_some() && by_app(c, bot) && c.body.contains(FIXED_MARKER) {
            let entry = fixed.entry(root).or_insert(c.id);
            *entry = (*entry).max(c.id);
        }
    }
    comments
        .iter()
        .filter(|c| c.in_reply_to_id.is_none() && by_app(c, bot))
        .filter_map(|c| {
            let fingerprint = fingerprint_of(&c.body)?;
            let fixed_reply = fixed.get(&c.id).copied();
            Some(OwnThread {
                root_id: c.id,
                review_id: c.pull_request_review_id,
                fingerprint,
                path: c.path.clone(),
                outdated: c.line.is_none(),
                fixed_reply: fixed_reply.is_some(),
                fixed_reply_is_last: fixed_reply.is_some()
                    && fixed_reply == last.get(&c.id).copied(),
            })
        })
        .collect()
}

/// Fingerprints the App has an open comment for: posting them again would double a comment.
/// A thread answered "Fixed" no longer holds its fingerprint, so a finding that comes back is
/// commented on anew.
pub fn open_fingerprints(threads: &[OwnThread]) -> HashSet<String> {
    threads
        .iter()
        .filter(|t| !t.fixed_reply)
        .map(|t| t.fingerprint.clone())
        .collect()
}

/// The threads this push fixed. `present` holds every fingerprint this push's analysis found
/// (on any line, not only changed ones); `analysed(path)` says whether the analysis covered
/// `path` (a file it skipped, or did not read, proves nothing about its findings).
pub fn fixed_threads(
    threads: &[OwnThread],
    present: &HashSet<String>,
    analysed: impl Fn(&str) -> bool,
) -> Vec<FixedThread> {
    let mut seen = HashSet::new();
    threads
        .iter()
        .filter(|t| t.outdated && !present.contains(&t.fingerprint) && analysed(&t.path))
        .filter(|t| seen.insert(t.root_id))
        .filter_map(|t| match (t.fixed_reply, t.fixed_reply_is_last) {
            (false, _) => Some(FixedThread::ReplyAndResolve { root_id: t.root_id }),
            (true, true) => Some(FixedThread::ResolveOnly { root_id: t.root_id }),
            // Someone answered the App's "Fixed" reply: the conversation is theirs now.
            (true, false) => None,
        })
        .collect()
}

/// The App's reply in a fixed thread.
pub fn fixed_reply_body(head_sha: &str) -> String {
    let short: String = head_sha.chars().take(7).collect();
    format!("Fixed in {short}.\n\n{FIXED_MARKER}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::types::UserRef;
    use crate::report::review::FINGERPRINT_MARKER;

    const BOT: &str = "failmode[bot]";

    fn comment(
        id: u64,
        by: &str,
        body: &str,
        line: Option<u64>,
        reply_to: Option<u64>,
    ) -> ReviewComment {
        ReviewComment {
            id,
            pull_request_review_id: Some(1),
            path: "src/lib.rs".into(),
            line,
            original_line: Some(3),
            start_line: None,
            side: Some("RIGHT".into()),
            body: body.into(),
            commit_id: None,
            in_reply_to_id: reply_to,
            user: Some(UserRef {
                login: by.into(),
                kind: Some(if by == BOT { "Bot" } else { "User" }.into()),
            }),
        }
    }

    fn finding(fp: &str) -> String {
        format!("Silently dropped.\n\n{FINGERPRINT_MARKER}{fp} -->")
    }

    #[test]
    fn a_fixed_finding_is_answered_once_then_only_resolved() {
        let mut comments = vec![
            comment(10, BOT, &finding("aaa"), None, None),
            comment(11, BOT, &finding("bbb"), Some(4), None),
            // A person quoting a marker starts no thread of the App's.
            comment(12, "octocat", &finding("ccc"), None, None),
        ];
        let threads = own_threads(&comments, BOT);
        assert_eq!(threads.len(), 2);
        let present: HashSet<String> = ["bbb".to_string()].into();
        // aaa is gone and its code changed; bbb is still found.
        assert_eq!(
            fixed_threads(&threads, &present, |_| true),
            vec![FixedThread::ReplyAndResolve { root_id: 10 }]
        );
        // Not analysed this time: nothing is known to be fixed.
        assert_eq!(fixed_threads(&threads, &present, |_| false), vec![]);
        // bbb gone too, but the code at its comment did not change: not "fixed" (a config
        // change, a retry added by a caller...); aaa still is.
        let none: HashSet<String> = HashSet::new();
        assert_eq!(
            fixed_threads(&threads, &none, |_| true),
            vec![FixedThread::ReplyAndResolve { root_id: 10 }]
        );

        // After the reply (crash before resolving): resolve only, and aaa is no longer "posted".
        comments.push(comment(
            20,
            BOT,
            &fixed_reply_body("0123456789"),
            None,
            Some(10),
        ));
        let threads = own_threads(&comments, BOT);
        assert_eq!(
            fixed_threads(&threads, &present, |_| true),
            vec![FixedThread::ResolveOnly { root_id: 10 }]
        );
        assert_eq!(open_fingerprints(&threads), ["bbb".to_string()].into());

        // Someone answered the reply: the App leaves the thread alone.
        comments.push(comment(21, "octocat", "not really", None, Some(10)));
        let threads = own_threads(&comments, BOT);
        assert_eq!(fixed_threads(&threads, &present, |_| true), vec![]);
    }

    #[test]
    fn the_reply_names_the_short_sha() {
        assert_eq!(
            fixed_reply_body("abcdef0123456789"),
            format!("Fixed in abcdef0.\n\n{FIXED_MARKER}")
        );
    }
}
