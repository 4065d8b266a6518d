//! What people tell the App in its threads. Two commands, each a reply to one of the App's
//! review threads, and nothing else the App reads in comments changes what it does:
//!
//! - `/failmode ignore <reason>`, from someone with write access to the repository: the
//!   thread's finding is suppressed on this pull request (not commented on again, counted as
//!   suppressed with its reason in the check run), and the reply gets a 👍 reaction.
//! - `/failmode explain`: the App answers in the thread with its check's documentation
//!   (`docs/checks/<id>.md`), once.
//!
//! A command reply's webhook queues a fresh review of the pull request's head, which reads
//! every command in the comment list; the comment list is the record, so nothing is lost when
//! a delivery is, and a later push honours the same commands.

use super::threads::{by_app, OwnThread};
use crate::github::types::ReviewComment;
use std::collections::HashMap;

/// The prefix every command starts with.
pub const COMMAND_PREFIX: &str = "/failmode";

/// Hidden in the App's answers to `/failmode explain`, with the command's comment id, so a
/// later run sees it answered.
pub const EXPLAIN_MARKER: &str = "<!-- failmode:explained=";

/// A command a person gave in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Suppress this thread's finding on this pull request.
    Ignore {
        /// Why (required: a suppression nobody can explain later is a finding lost).
        reason: String,
    },
    /// Answer with the check's documentation.
    Explain,
}

/// The command a reply's body gives: its first non-empty line, `/failmode ignore <reason>` or
/// `/failmode explain`. Anything else (including `ignore` without a reason) is no command.
pub fn parse_command(body: &str) -> Option<Command> {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty())?;
    let rest = line.strip_prefix(COMMAND_PREFIX)?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim();
    let (verb, argument) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(v, a)| (v, a.trim()));
    match verb {
        "ignore" if !argument.is_empty() => Some(Command::Ignore {
            reason: argument.chars().take(500).collect(),
        }),
        "explain" if argument.is_empty() => Some(Command::Explain),
        _ => None,
    }
}

/// One command given in one of the App's threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCommand {
    /// The reply that gives it.
    pub comment_id: u64,
    /// Who wrote the reply.
    pub author: String,
    /// The thread's first comment (the App's).
    pub root_id: u64,
    /// The thread's finding.
    pub fingerprint: String,
    /// The thread's check, from the App's comment title (`**failmode · <check>** …`).
    pub check: Option<String>,
    /// What was asked.
    pub command: Command,
    /// For `explain`: the App already answered it.
    pub answered: bool,
}

/// The check id in the title line the App writes on every finding.
fn check_of(body: &str) -> Option<String> {
    let rest = body.strip_prefix("**failmode · ")?;
    let end = rest.find("**")?;
    Some(rest[..end].trim().to_string()).filter(|c| !c.is_empty())
}

/// Every command given, in order, by people (not bots) in replies to the App's `threads`.
pub fn thread_commands(
    comments: &[ReviewComment],
    threads: &[OwnThread],
    bot: &str,
) -> Vec<ThreadCommand> {
    let roots: HashMap<u64, &OwnThread> = threads.iter().map(|t| (t.root_id, t)).collect();
    let bodies: HashMap<u64, &str> = comments.iter().map(|c| (c.id, c.body.as_str())).collect();
    let answered: Vec<&str> = comments
        .iter()
        .filter(|c| by_app(c, bot))
        .map(|c| c.body.as_str())
        .collect();
    comments
        .iter()
        .filter(|c| {
            c.user
                .as_ref()
                .is_some_and(|u| u.login != bot && u.kind.as_deref() != Some("Bot"))
        })
        .filter_map(|c| {
            let thread = roots.get(&c.in_reply_to_id?)?;
            let command = parse_command(&c.body)?;
            let marker = format!("{EXPLAIN_MARKER}{} -->", c.id);
            Some(ThreadCommand {
                comment_id: c.id,
                author: c.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
                root_id: thread.root_id,
                fingerprint: thread.fingerprint.clone(),
                check: bodies.get(&thread.root_id).and_then(|b| check_of(b)),
                answered: answered.iter().any(|b| b.contains(&marker)),
                command,
            })
        })
        .collect()
}

/// A finding suppressed on this pull request by `/failmode ignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredFinding {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Why, as given.
    pub reason: String,
    /// Who said so.
    pub by: String,
}

/// The check run's section listing the findings of this push that `/failmode ignore`
/// suppressed, each with its reason and who gave it; empty when there are none. At most
/// `room` bytes.
pub fn ignored_section(
    ignored: &[(&crate::analysis::finding::Finding, &IgnoredFinding)],
    room: usize,
) -> String {
    use crate::analysis::markup::code_span;
    use std::fmt::Write as _;
    if ignored.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\n\n### Ignored on this pull request ({})\n\nSuppressed by `/failmode ignore` replies; not counted above and not commented on again.\n\n",
        ignored.len()
    );
    for (i, (finding, why)) in ignored.iter().enumerate() {
        let mut line = String::new();
        let _ = writeln!(
            line,
            "- `{}` {}:{}: {} (@{})",
            finding.check,
            code_span(&finding.path),
            finding.span.start_line,
            code_span(&why.reason),
            why.by
        );
        if s.len() + line.len() + 40 > room {
            let _ = writeln!(s, "- …and {} more", ignored.len() - i);
            break;
        }
        s.push_str(&line);
    }
    if s.len() > room {
        return String::new();
    }
    s
}

/// The App's answer to `/failmode explain` (comment `command_id`) for `check`: its
/// documentation page, or a pointer to it when it is too long for a comment.
pub fn explain_body(check: &str, command_id: u64) -> String {
    const MAX: usize = 60_000;
    let marker = format!("{EXPLAIN_MARKER}{command_id} -->");
    let url = crate::report::check_docs_url(check);
    let page = crate::analysis::check::check_docs(check).unwrap_or_default();
    if page.is_empty() || page.len() > MAX {
        return format!("The documentation of `{check}`: {url}\n\n{marker}");
    }
    format!(
        "<details open><summary>The documentation of <code>{check}</code> (<a href=\"{url}\">on the web</a>)</summary>\n\n{page}\n</details>\n\n{marker}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::types::UserRef;

    #[test]
    fn commands_are_the_first_line_and_nothing_else() {
        assert_eq!(
            parse_command("/failmode ignore the job retries the whole batch\nthanks"),
            Some(Command::Ignore {
                reason: "the job retries the whole batch".into()
            })
        );
        assert_eq!(
            parse_command("\n  /failmode explain  "),
            Some(Command::Explain)
        );
        assert_eq!(
            parse_command("/failmode ignore"),
            None,
            "a reason is required"
        );
        assert_eq!(parse_command("/failmodeignore x"), None);
        assert_eq!(parse_command("/failmode explain this please"), None);
        assert_eq!(parse_command("please /failmode ignore x"), None);
        assert_eq!(parse_command("> /failmode ignore quoted"), None);
        assert_eq!(parse_command("/failmode approve"), None);
    }

    fn comment(id: u64, by: &str, kind: &str, body: &str, reply_to: Option<u64>) -> ReviewComment {
        ReviewComment {
            id,
            pull_request_review_id: Some(1),
            path: "src/lib.rs".into(),
            line: Some(3),
            original_line: Some(3),
            start_line: None,
            side: Some("RIGHT".into()),
            body: body.into(),
            commit_id: None,
            in_reply_to_id: reply_to,
            user: Some(UserRef {
                login: by.into(),
                kind: Some(kind.into()),
            }),
        }
    }

    #[test]
    fn only_peoples_replies_in_the_apps_threads_count() {
        let bot = "failmode[bot]";
        let thread = OwnThread {
            root_id: 10,
            review_id: Some(1),
            fingerprint: "fp".into(),
            path: "src/lib.rs".into(),
            outdated: false,
            fixed_reply: false,
            fixed_reply_is_last: false,
        };
        let comments = vec![
            comment(
                10,
                bot,
                "Bot",
                "**failmode · swallowed-error** (medium)\n\nDropped.",
                None,
            ),
            comment(11, "octocat", "User", "/failmode explain", Some(10)),
            comment(
                12,
                "other-bot[bot]",
                "Bot",
                "/failmode ignore bots cannot",
                Some(10),
            ),
            comment(13, "octocat", "User", "/failmode ignore known", Some(99)),
            comment(
                14,
                bot,
                "Bot",
                &explain_body("swallowed-error", 11),
                Some(10),
            ),
            comment(
                15,
                "hubot",
                "User",
                "/failmode ignore best effort",
                Some(10),
            ),
        ];
        let commands = thread_commands(&comments, &[thread], bot);
        assert_eq!(commands.len(), 2, "{commands:#?}");
        assert_eq!(commands[0].command, Command::Explain);
        assert!(commands[0].answered);
        assert_eq!(commands[0].check.as_deref(), Some("swallowed-error"));
        assert_eq!(
            commands[1].command,
            Command::Ignore {
                reason: "best effort".into()
            }
        );
        assert_eq!(
            (commands[1].author.as_str(), commands[1].root_id),
            ("hubot", 10)
        );
    }

    #[test]
    fn explain_answers_with_the_checks_page() {
        let body = explain_body("missing-retry", 42);
        assert!(body.contains("# `missing-retry`"), "{body}");
        assert!(body.ends_with("<!-- failmode:explained=42 -->"));
    }
}
