//! Text taken from the code under review, made inert before it reaches a Markdown comment.
//!
//! Findings quote the pull request: a route string, a path, an identifier, a SQL table. Those
//! are written by whoever opened the pull request, and the App posts them on GitHub, where
//! Markdown is rendered: unescaped, a route such as
//! `"/orders @octocat fixes #1 <img src=x> [click](https://evil.example)"` would make the bot
//! mention a user, link an issue, embed HTML and post a link, and a `<!-- failmode:… -->` would
//! plant a fake fingerprint marker.
//!
//! So every value that fills a message template goes through this module
//! (see `Template::render` in `check.rs`):
//! - inside a code span of the template, the value becomes part of one [`code_span`]: a fence
//!   longer than any backtick run in the text, no line breaks, no `<!--`/`-->`, and `@user` /
//!   `#123` broken by an invisible zero-width space (GitHub links neither inside code, but a
//!   copy of the text elsewhere stays harmless too);
//! - in prose, the value is escaped by [`inert_text`]: Markdown punctuation that could start a
//!   link, an image, HTML or a code span is backslash-escaped or entity-encoded, mentions,
//!   issue references and bare URLs are broken, and line breaks become spaces. A filter that
//!   wants code *inside* a prose value (a fix example quoting a route) wraps that piece with
//!   [`code`], and it is rendered as a [`code_span`].
//!
//! The result reads the same in a terminal (the CLI prints the same messages) apart from the
//! rare escaped character.

/// Opens a code piece inside a prose value (Unicode private use; stripped from code text).
const CODE_OPEN: char = '\u{E000}';
/// Closes a code piece inside a prose value.
const CODE_CLOSE: char = '\u{E001}';
/// Breaks mentions, issue references, URLs and comment markers without a visible change.
const ZERO_WIDTH_SPACE: char = '\u{200B}';
/// Longest code quoted in one span; longer text is cut with an ellipsis (a 20,000-call chain
/// has no business in a review comment).
pub const MAX_CODE_CHARS: usize = 200;

/// Marks `text` as code inside a value a filter builds, so that [`inert_text`] renders it as a
/// code span (for example the route inside a suggested test request).
pub fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 6);
    out.push(CODE_OPEN);
    out.extend(text.chars().filter(|c| *c != CODE_OPEN && *c != CODE_CLOSE));
    out.push(CODE_CLOSE);
    out
}

/// `text` as one inline code span that nothing in it can break out of: see the module doc.
pub fn code_span(text: &str) -> String {
    let body = neutralise_code(text);
    if body.is_empty() {
        return "` `".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space from each end when both ends have one, and a backtick at
    // either end would join the fence: pad in both cases so the text shows as it is.
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (body.len() > 1 && body.starts_with(' ') && body.ends_with(' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// The text of a code span: one line, at most [`MAX_CODE_CHARS`], no comment markers, and
/// mentions and issue references broken.
fn neutralise_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CODE_CHARS * 4));
    let mut chars = text
        .chars()
        .filter(|c| *c != CODE_OPEN && *c != CODE_CLOSE)
        .map(|c| if c.is_control() { ' ' } else { c })
        .peekable();
    let mut count = 0;
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if count == MAX_CODE_CHARS {
            out.push('…');
            break;
        }
        count += 1;
        out.push(c);
        let next = chars.peek().copied().unwrap_or(' ');
        if breaks_after(prev, c, next) {
            out.push(ZERO_WIDTH_SPACE);
        }
        prev = c;
    }
    out
}

/// Whether a zero-width space goes between `c` and `next` (`prev` came before `c`): after the
/// `@` of a mention, the `#` of an issue reference, and inside `<!--`, `-->` and `://`.
fn breaks_after(prev: char, c: char, next: char) -> bool {
    match c {
        '@' => next.is_ascii_alphanumeric(),
        '#' => next.is_ascii_digit(),
        '<' => next == '!',
        '-' => prev == '-' && next == '>',
        ':' => next == '/',
        _ => false,
    }
}

/// `value` as inert Markdown prose: see the module doc. Pieces marked with [`code`] become
/// code spans.
pub fn inert_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut rest = value;
    while let Some(open) = rest.find(CODE_OPEN) {
        escape_prose(&rest[..open], &mut out);
        let after = &rest[open + CODE_OPEN.len_utf8()..];
        let (piece, tail) = match after.find(CODE_CLOSE) {
            Some(close) => (&after[..close], &after[close + CODE_CLOSE.len_utf8()..]),
            None => (after, ""),
        };
        out.push_str(&code_span(piece));
        rest = tail;
    }
    escape_prose(rest, &mut out);
    out
}

fn escape_prose(text: &str, out: &mut String) {
    let chars: Vec<char> = text.chars().filter(|c| *c != CODE_CLOSE).collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 { ' ' } else { chars[i - 1] };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        match c {
            // Emphasis (`*`, `_`) only formats; these can start a link, an image or code.
            '\\' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            c if c.is_control() => out.push(' '),
            c => {
                out.push(c);
                if breaks_after(prev, c, next) || (c == 'w' && text_at(&chars, i, "www.")) {
                    out.push(ZERO_WIDTH_SPACE);
                }
            }
        }
    }
}

fn text_at(chars: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| chars.get(i + k) == Some(&w))
}

/// The parts of Markdown `text` outside its inline code spans (CommonMark: a run of n
/// backticks opens a span that the next run of exactly n closes). What GitHub would render as
/// Markdown, for checking that nothing from the code is live there.
pub fn outside_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let close = loop {
            if j >= chars.len() {
                break None;
            }
            if chars[j] == '`' {
                let m = run_at(j);
                if m == n {
                    break Some(j + m);
                }
                j += m;
            } else {
                j += 1;
            }
        };
        match close {
            Some(end) => {
                out.push(' ');
                i = end;
            }
            None => {
                out.extend(&chars[i..i + n]);
                i += n;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_outside_code_spans() {
        assert_eq!(outside_code_spans("a `b` c ``d`e`` f"), "a   c   f");
        assert_eq!(outside_code_spans("a ``b` c"), "a ``b` c");
    }

    const HOSTILE: &str =
        "/orders @octocat fixes #1 <img src=x> [click](https://evil.example) <!-- failmode:fingerprint=abc -->";

    #[test]
    fn a_code_span_holds_any_text() {
        assert_eq!(code_span("let _ ="), "`let _ =`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("a\nb\r\nc"), "`a b  c`");
        assert_eq!(code_span(""), "` `");
        let hostile = code_span(HOSTILE);
        assert!(!hostile.contains("@octocat"), "{hostile}");
        assert!(!hostile.contains("#1"), "{hostile}");
        assert!(!hostile.contains("<!--"), "{hostile}");
        assert!(!hostile.contains("-->"), "{hostile}");
        assert!(!hostile.contains("https://"), "{hostile}");
        assert!(hostile.starts_with('`') && hostile.ends_with('`'));
        // What a reader sees is the text itself, give or take invisible spaces.
        assert_eq!(
            hostile.trim_matches('`').replace(ZERO_WIDTH_SPACE, ""),
            HOSTILE
        );
    }

    #[test]
    fn long_code_is_cut() {
        let chain = ".to_string()".repeat(20_000);
        let span = code_span(&chain);
        assert!(span.chars().count() < MAX_CODE_CHARS + 8, "{}", span.len());
        assert!(span.ends_with("…`"));
    }

    #[test]
    fn prose_cannot_link_mention_or_embed() {
        let text = inert_text(HOSTILE);
        for bad in [
            "@octocat", "#1", "<img", "[click](", "https://", "<!--", "-->",
        ] {
            assert!(!text.contains(bad), "{bad} survived in {text}");
        }
        assert!(text.contains("\\[click\\]"), "{text}");
        assert_eq!(inert_text("a\nb"), "a b");
        assert_eq!(
            inert_text("insert_order into *orders*"),
            "insert_order into *orders*"
        );
        assert_eq!(
            inert_text("www.evil.example").replace(ZERO_WIDTH_SPACE, ""),
            "www.evil.example"
        );
        assert_ne!(inert_text("www.evil.example"), "www.evil.example");
    }

    #[test]
    fn code_pieces_in_prose_become_spans_that_cannot_escape() {
        let value = format!("send {} to the route", code("Request::get(\"/a`b @me\")"));
        assert_eq!(
            inert_text(&value),
            format!("send ``Request::get(\"/a`b @{ZERO_WIDTH_SPACE}me\")`` to the route")
        );
        // An unclosed or forged marker in untrusted text still yields inert output.
        let forged = format!("x{CODE_OPEN}@team <b>");
        assert_eq!(
            inert_text(&forged),
            format!("x`@{ZERO_WIDTH_SPACE}team <b>`")
        );
        assert_eq!(inert_text(&format!("{CODE_CLOSE}ok")), "ok");
    }
}
