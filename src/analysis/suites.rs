//! Test suites written in other languages (a Playwright or Capybara end-to-end suite, a Python
//! client's integration tests, a TypeScript API client's tests) that exercise a Rust service
//! over HTTP. `untested-handler` credits a handler whose route such a suite requests, or whose
//! name it mentions, instead of reporting it.
//!
//! A file is such a suite when its path matches a `[checks.untested-handler] covered_by` glob
//! of the repository's config, or by default when it is a script file (`.rb`, `.py`, `.ts`,
//! `.js`, ...) under a test directory (`tests/`, `spec/`, `e2e/`, `playwright/`, ...) or named
//! like a test (`*_spec.rb`, `*.spec.ts`, `test_*.py`).

use super::filters::handlers::{request_segments, Request, HTTP_METHODS};
use super::finding::Finding;
use super::markup::code_span;
use crate::config::Config;
use std::collections::BTreeSet;

/// Extensions of files that can hold an end-to-end suite.
pub const SUITE_EXTENSIONS: &[&str] = &[
    "rb", "py", "ts", "tsx", "js", "jsx", "mjs", "cjs", "go", "java", "kt", "sh", "hurl", "http",
];

/// Directory names that hold tests in any language.
const TEST_DIRS: &[&str] = &[
    "tests",
    "test",
    "spec",
    "specs",
    "e2e",
    "integration",
    "integration-tests",
    "integration_tests",
    "playwright",
    "cypress",
    "api_tests",
    "api-tests",
    "__tests__",
];

/// Whether `path` has an extension a suite can be written in (the file is worth reading).
pub fn has_suite_extension(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| SUITE_EXTENSIONS.contains(&ext))
}

/// Whether the file at `path` is an external test suite for this repository.
pub fn is_suite(path: &str, config: &Config) -> bool {
    if config.is_covered_by_suite(path) {
        return true;
    }
    if !has_suite_extension(path) || path.contains("node_modules/") {
        return false;
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    parts.iter().any(|d| TEST_DIRS.contains(d))
        || file.contains("_spec.")
        || file.contains(".spec.")
        || file.contains(".test.")
        || file.starts_with("test_")
        || file.contains("_test.")
}

/// Extensions of a web frontend's own source files.
const FRONTEND_EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "vue", "svelte"];

/// Directories of a frontend's dependencies and build output, never its own source.
const FRONTEND_OUTPUT_DIRS: &[&str] = &["node_modules", "dist", "build", "public", "static", "out"];

/// Whether the file at `path` may be a web frontend's own source (not a suite, a dependency,
/// build output or minified code): what a browser suite reaches goes through such files (see
/// [`drives_a_browser`]).
pub fn is_frontend_source(path: &str, config: &Config) -> bool {
    let Some((_, ext)) = path.rsplit_once('.') else {
        return false;
    };
    FRONTEND_EXTENSIONS.contains(&ext)
        && !path.ends_with(".min.js")
        && !path.ends_with(".d.ts")
        && !path
            .split('/')
            .any(|d| FRONTEND_OUTPUT_DIRS.contains(&d) || d.starts_with('.'))
        && !is_suite(path, config)
}

/// Whether a suite drives the application through a browser: it opens a page (Capybara's
/// `visit`, Playwright's `page.goto`, Cypress's `cy.visit`, Selenium's `driver.get`,
/// WebdriverIO's `browser.url`) and acts on it (clicks, fills in, types, selects). Then it
/// reaches what the frontend requests as much as what it requests itself. A suite that only
/// opens a page and reads it (a framework's template test) reaches no more than that page.
pub fn drives_a_browser(text: &str) -> bool {
    let opens = [
        "visit '",
        "visit \"",
        "visit(",
        ".goto(",
        "driver.get(",
        "browser.url(",
    ]
    .iter()
    .any(|call| text.contains(call));
    let acts = [
        "click_on",
        "click_button",
        "click_link",
        "fill_in",
        "select(",
        "choose(",
        ".click(",
        ".fill(",
        ".type(",
        ".press(",
        ".check(",
        ".selectOption(",
        "send_keys",
        ".setValue(",
    ]
    .iter()
    .any(|call| text.contains(call));
    opens && acts
}

/// What a web frontend's source requests: the URL paths among its string literals (a browser
/// suite reaches them by clicking through it). Its identifiers are not operation names: a
/// frontend has too many of them to credit by name.
pub fn frontend_reach_of(text: &str) -> SuiteReach {
    SuiteReach {
        requests: reach_of(text).requests,
        names: BTreeSet::new(),
    }
}

/// What a suite file reaches: the paths it requests and the operation names it mentions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SuiteReach {
    /// Every string literal in it that reads as a URL path (`"/orders"`, `` `/orders/${id}` ``,
    /// `'http://localhost:8000/api/x'`).
    pub requests: Vec<Request>,
    /// Identifiers in snake or camel case (`meta_gist_create`, `getOtpCredentials`): operation
    /// names, compared with handlers by [`operation_key`].
    pub names: BTreeSet<String>,
}

/// Reads the paths and operation names of one suite file. Interpolations (`${id}`, `#{id}`,
/// `{id}`, `%s`) stand for any one segment.
pub fn reach_of(text: &str) -> SuiteReach {
    let mut reach = SuiteReach::default();
    for (start, literal, concatenated) in string_literals(text) {
        if literal.len() > 300 || literal.contains('\n') {
            continue;
        }
        let mut normalised = normalise_interpolations(literal);
        // `'/invitations/' + invite.id`: the value added after the last `/` is one segment.
        if concatenated && normalised.ends_with('/') {
            normalised.push_str("{}");
        }
        let base_then_path = normalised.starts_with('{') && normalised.contains("}/");
        if !(normalised.starts_with('/') || normalised.contains("://") || base_then_path) {
            continue;
        }
        if let Some(segments) = request_segments(&normalised) {
            if !segments.is_empty() {
                reach.requests.push(Request {
                    method: verb_before(&text[..start]),
                    path: segments,
                });
            }
        }
    }
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let snake = word.contains('_');
        // `getOtpCredentials`: a TypeScript or Java client's name for an operation.
        let camel = word
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
        if (snake || camel) && word.len() >= 6 && word.chars().any(|c| c.is_ascii_lowercase()) {
            reach.names.insert(word.to_string());
        }
    }
    reach
}

/// An operation name as suites and handlers are matched: lower case, underscores dropped, so
/// `get_otp_credentials`, `getOtpCredentials` and `GetOtpCredentials` are one name.
pub fn operation_key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl SuiteReach {
    /// The [`operation_key`]s of the names the suites mention.
    pub fn operation_names(&self) -> std::collections::HashSet<String> {
        self.names.iter().map(|n| operation_key(n)).collect()
    }
}

/// The check that suites cover.
pub const CHECK: &str = "untested-handler";

/// How many handlers a summary finding lists by name.
const LISTED_IN_SUMMARY: usize = 20;

/// With `[checks.untested-handler] covered_by` set, the handlers no suite reaches are folded
/// into one finding, on the first of them, instead of one each: the team has said where its
/// tests live, and wants the list, not a comment per route. `findings` is sorted.
pub fn fold_uncovered(findings: &mut Vec<Finding>, config: &Config) {
    if !config.has_covered_by() {
        return;
    }
    let uncovered: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.check == CHECK)
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = uncovered.first() else {
        return;
    };
    if uncovered.len() < 2 {
        return;
    }
    let patterns = config
        .checks
        .get(CHECK)
        .and_then(|c| c.covered_by.as_ref())
        .map(|g| {
            g.patterns
                .iter()
                .map(|p| code_span(p))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let mut listed: Vec<String> = uncovered
        .iter()
        .take(LISTED_IN_SUMMARY)
        .map(|&i| {
            let f = &findings[i];
            format!("{} ({}:{})", code_span(&f.code), f.path, f.span.start_line)
        })
        .collect();
    if uncovered.len() > LISTED_IN_SUMMARY {
        listed.push(format!("and {} more", uncovered.len() - LISTED_IN_SUMMARY));
    }
    let severity = uncovered
        .iter()
        .map(|&i| findings[i].severity)
        .max()
        .unwrap_or(findings[first].severity);
    let mut summary = findings[first].clone();
    summary.rule = "covered-by-summary".to_string();
    summary.severity = severity;
    summary.message = format!(
        "{} handlers have no Rust test, and the `covered_by` suites ({patterns}) neither request their routes nor name them: {}.",
        uncovered.len(),
        listed.join(", ")
    );
    summary.suggestion = None;
    summary.fingerprint = crate::analysis::engine::fingerprint(CHECK, "covered-by-summary", "");
    findings.retain(|f| f.check != CHECK);
    let position = findings
        .iter()
        .position(|f| f.sort_key() > summary.sort_key())
        .unwrap_or(findings.len());
    findings.insert(position, summary);
}

/// The HTTP method a call names just before a literal: `request.put('/x')`, `.delete(\n"/x"`,
/// Ruby's `patch "/x"`, Python's `client.post("/x")`. `None` for any other text (`visit '/x'`,
/// `fetch('/x', { method })`): the request may use any method.
fn verb_before(before: &str) -> Option<String> {
    let before = before.trim_end();
    // Python's string prefixes: `client.get(f"{base}/x")`.
    let before = ["rb", "br", "fr", "rf", "f", "r", "b", "u"]
        .iter()
        .find_map(|p| {
            before
                .strip_suffix(p)
                .filter(|b| b.ends_with(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        })
        .unwrap_or(before);
    let before = before.strip_suffix('(').unwrap_or(before).trim_end();
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let word = before[word_start..].to_ascii_lowercase();
    HTTP_METHODS
        .contains(&word.as_str())
        .then(|| word.to_ascii_uppercase())
}

/// The string literals of a script, in order, each with where its opening quote is and whether
/// a `+` follows it (the literal starts a concatenation). A `'` or `"` literal ends at the end
/// of its line, so an apostrophe in a comment (`// can't`) makes no literal of the rest of the
/// file; a backtick template may span lines. A backslash escapes the next character. Linear:
/// a quote left open stops at its line's end, and no later quote of its kind is on that line.
fn string_literals(text: &str) -> Vec<(usize, &str, bool)> {
    let bytes = text.as_bytes();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let quote = bytes[i];
        if !matches!(quote, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut close = None;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 1,
                b'\n' if quote != b'`' => break,
                b if b == quote => {
                    close = Some(j);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        match close {
            // The quotes are ASCII, so both ends are character boundaries.
            Some(end) => {
                let concatenated = text[end + 1..].trim_start().starts_with('+');
                literals.push((i, &text[i + 1..end], concatenated));
                i = end + 1;
            }
            None => i += 1,
        }
    }
    literals
}

/// `/orders/${id}` and `/orders/#{id}` → `/orders/{id}`; `%s`/`%d` → `{}`.
fn normalise_interpolations(literal: &str) -> String {
    literal
        .replace("${", "{")
        .replace("#{", "{")
        .replace("%s", "{}")
        .replace("%d", "{}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::filters::handlers::RequestSegment;

    #[test]
    fn script_files_under_test_directories_are_suites_and_sources_are_not() {
        let config = Config::default();
        assert!(is_suite("tests/spec/requests/evaluate_spec.rb", &config));
        assert!(is_suite("web/e2e/login.spec.ts", &config));
        assert!(is_suite("tests/integration/test_push.py", &config));
        assert!(!is_suite("src/main.rs", &config));
        assert!(!is_suite("frontend/src/api.ts", &config));
        assert!(!is_suite("tests/node_modules/x/index.js", &config));
    }

    #[test]
    fn a_suite_that_opens_a_page_and_acts_on_it_drives_a_browser() {
        // Capybara, Playwright, Cypress.
        assert!(drives_a_browser(
            "visit '/'\nclick_on 'Rustfmt'\nexpect(page).to have_content 'ok'"
        ));
        assert!(drives_a_browser(
            "await page.goto('/login');\nawait page.fill('#user', 'a');"
        ));
        assert!(drives_a_browser("cy.visit('/')\ncy.get('button').click()"));
        // A framework's template test opens a page and reads it: it reaches that page only.
        assert!(!drives_a_browser(
            "test('h1', async ({ page }) => { await page.goto('/'); expect(await page.textContent('h1')).toBe('x'); });"
        ));
        // An API suite acts on no page.
        assert!(!drives_a_browser(
            "r = requests.post(base + '/orders'); r.click = 1"
        ));
    }

    #[test]
    fn a_frontend_is_its_own_sources_and_reaches_the_paths_it_requests_not_its_names() {
        let config = Config::default();
        assert!(is_frontend_source("ui/frontend/api.ts", &config));
        assert!(is_frontend_source("web/src/App.svelte", &config));
        assert!(!is_frontend_source(
            "ui/frontend/node_modules/x/index.js",
            &config
        ));
        assert!(!is_frontend_source("web/dist/bundle.js", &config));
        assert!(!is_frontend_source("web/vendor.min.js", &config));
        assert!(!is_frontend_source("web/types.d.ts", &config));
        assert!(
            !is_frontend_source("web/e2e/login.spec.ts", &config),
            "a suite"
        );
        assert!(!is_frontend_source("src/main.rs", &config));
        let reach = frontend_reach_of(
            "export const routes = { format: '/format', gistLoad: '/meta/gist/id' };\nconst header = `// ${file.name}`;\nfetchJson(routes.format)",
        );
        let paths: Vec<Vec<RequestSegment>> = reach.requests.into_iter().map(|r| r.path).collect();
        assert_eq!(
            paths,
            vec![
                vec![RequestSegment::Literal("format".into())],
                vec![
                    RequestSegment::Literal("meta".into()),
                    RequestSegment::Literal("gist".into()),
                    RequestSegment::Literal("id".into())
                ]
            ]
        );
        assert!(reach.names.is_empty());
    }

    #[test]
    fn paths_in_literals_and_interpolations_are_read() {
        let reach = reach_of(
            "visit '/guide'\npost \"/evaluate.json\", body\nfetch(`${base}/meta/gist/${id}`)\nclient.delete_notification(url)\nx = 'not a path'",
        );
        let paths: Vec<Vec<RequestSegment>> = reach.requests.into_iter().map(|r| r.path).collect();
        assert!(paths.contains(&vec![RequestSegment::Literal("guide".into())]));
        assert!(paths.contains(&vec![RequestSegment::Literal("evaluate.json".into())]));
        assert!(paths.contains(&vec![
            RequestSegment::Base,
            RequestSegment::Literal("meta".into()),
            RequestSegment::Literal("gist".into()),
            RequestSegment::Any
        ]));
        assert_eq!(paths.len(), 3);
        assert!(reach.names.contains("delete_notification"));
        let methods: Vec<Option<String>> =
            reach_of("visit '/guide'\npost \"/evaluate.json\", body\nhttp.put(f\"{base}/x\")")
                .requests
                .into_iter()
                .map(|r| r.method)
                .collect();
        assert_eq!(
            methods,
            [None, Some("POST".into()), Some("PUT".into())],
            "a verb before the literal names it"
        );
    }

    #[test]
    fn an_apostrophe_in_a_comment_hides_no_later_path_and_a_concatenation_adds_a_segment() {
        let reach = reach_of(
            "// I can't get the hooks to work\nrequest.put('/channels/neurosis/foo/pkgs/demote')\nrequest.delete('/tokens/' + global.tokenId)\nrequest.get(\"/escaped\\\"/quote\")",
        );
        let requests: Vec<(Option<String>, Vec<RequestSegment>)> = reach
            .requests
            .into_iter()
            .map(|r| (r.method, r.path))
            .collect();
        let lit = |s: &str| RequestSegment::Literal(s.into());
        let demote = ["channels", "neurosis", "foo", "pkgs", "demote"]
            .map(lit)
            .to_vec();
        assert_eq!(
            requests,
            vec![
                (Some("PUT".into()), demote),
                (
                    Some("DELETE".into()),
                    vec![lit("tokens"), RequestSegment::Any]
                ),
                (Some("GET".into()), vec![lit("escaped\\\""), lit("quote")]),
            ]
        );
    }

    #[test]
    fn an_operation_is_one_name_in_snake_and_camel_case() {
        let reach = reach_of(
            "otp = api.get_otp_credentials(user)
await api.createPasswordCredential({ id })
const x = 1",
        );
        let names = reach.operation_names();
        assert!(names.contains(&operation_key("get_otp_credentials")));
        assert!(names.contains(&operation_key("create_password_credential")));
        assert_eq!(operation_key("GetOtpCredentials"), "getotpcredentials");
        // Short and all-lower-case words are not operation names.
        assert!(!names.contains("const"));
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
