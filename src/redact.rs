//! Redaction of credentials in URLs, for every message, log line and `Debug` output that shows
//! a configured URL (`FAILMODE_DATABASE_URL`, `FAILMODE_GITHUB_API_URL`). One function, so every
//! place hides the same things.

/// Query parameter names whose values are hidden: anything naming a password, token, secret,
/// key or credential (`password`, `sslpassword`, `access_token`, `token`, `api_key`, …).
const SECRET_PARAMETER_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "token",
    "secret",
    "key",
    "auth",
    "credential",
    "signature",
];

/// `url` with its credentials replaced by `***`, for messages and logs:
///
/// - the password of the user info (`postgres://bot:***@db/x`); for `http(s)` URLs a user info
///   without a password is a token (`https://ghp_…@host`) and is hidden whole (`https://***@host`);
/// - the value of every query parameter whose name mentions a password, token, secret, key or
///   credential (`?password=***&sslmode=require`, `?access_token=***`).
///
/// Everything else (scheme, user name, host, path, other parameters) is kept so the message
/// still says which database or host is meant. A string that is not a URL is returned as is.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i], &url[i + 3..]),
        None => ("", url),
    };
    let mut out = String::with_capacity(url.len());
    if !scheme.is_empty() || url.starts_with("://") {
        out.push_str(&url[..scheme.len() + 3]);
    }
    let rest = match user_info_end(rest) {
        Some(at) => {
            let user_info = &rest[..at];
            match user_info.split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None if scheme.eq_ignore_ascii_case("http")
                    || scheme.eq_ignore_ascii_case("https") =>
                {
                    out.push_str("***")
                }
                None => out.push_str(user_info),
            }
            &rest[at..]
        }
        None => rest,
    };
    let (path, query_and_fragment) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    out.push_str(path);
    if let Some(query_and_fragment) = query_and_fragment {
        let (query, fragment) = match query_and_fragment.find('#') {
            Some(h) => (&query_and_fragment[..h], &query_and_fragment[h..]),
            None => (query_and_fragment, ""),
        };
        out.push('?');
        out.push_str(&redact_query(query));
        out.push_str(fragment);
    }
    out
}

/// Whether `url` carries user info (`scheme://user[:password]@host`).
pub fn has_user_info(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(_, rest)| user_info_end(rest).is_some())
}

/// Where the user info of `rest` (the URL after `scheme://`) ends: the position of its `@`.
/// A password may hold `@`, `/`, `?` or `#` unencoded (invalid, but then it must still not be
/// shown), so the user info runs to the last `@` before the first `/`, `?` or `#` that follows
/// the first `@`. When in doubt this hides too much, never too little.
fn user_info_end(rest: &str) -> Option<usize> {
    let first_at = rest.find('@')?;
    let authority_end = rest[first_at..]
        .find(['/', '?', '#'])
        .map_or(rest.len(), |i| first_at + i);
    rest[..authority_end].rfind('@')
}

/// A query string with the values of secret-looking parameters hidden.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _value)) if is_secret_parameter(name) => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether a query parameter called `name` carries a credential, so its value is never shown.
pub fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAMETER_WORDS.iter().any(|w| name.contains(w))
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn user_info_passwords_are_hidden_and_user_names_kept() {
        assert_eq!(
            redact_url("postgres://bot:s3cr@t@db:5432/failmode"),
            "postgres://bot:***@db:5432/failmode"
        );
        assert_eq!(
            redact_url("postgres://bot:pa/ss@db/failmode"),
            "postgres://bot:***@db/failmode"
        );
        assert_eq!(
            redact_url("postgres://bot:pa?ss#w@db/failmode?sslmode=require"),
            "postgres://bot:***@db/failmode?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://bot@db/failmode"),
            "postgres://bot@db/failmode"
        );
        assert_eq!(
            redact_url("postgresql://u:p@h/d?options=a@b"),
            "postgresql://u:***@h/d?options=a@b"
        );
        assert_eq!(
            redact_url("https://user:apipass@ghe.example/api/v3"),
            "https://user:***@ghe.example/api/v3"
        );
        assert_eq!(
            redact_url("https://ghp_token123@ghe.example/api/v3"),
            "https://***@ghe.example/api/v3"
        );
    }

    #[test]
    fn query_credentials_are_hidden_and_other_parameters_kept() {
        assert_eq!(
            redact_url("postgres://db/failmode?user=bot&password=hunter2&sslmode=require"),
            "postgres://db/failmode?user=bot&password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://db/x?sslpassword=k3y&PASSWORD=a&application_name=fm"),
            "postgres://db/x?sslpassword=***&PASSWORD=***&application_name=fm"
        );
        assert_eq!(
            redact_url("https://h/api?access_token=t0k&token=t1&api_key=k#frag"),
            "https://h/api?access_token=***&token=***&api_key=***#frag"
        );
        assert_eq!(
            redact_url("sqlite://failmode.db?mode=rwc"),
            "sqlite://failmode.db?mode=rwc"
        );
    }

    #[test]
    fn user_info_is_detected() {
        assert!(super::has_user_info("https://u:p@h/api"));
        assert!(super::has_user_info("https://token@h"));
        assert!(!super::has_user_info("https://h/api/v3"));
        assert!(!super::has_user_info("garbage@x"));
    }

    #[test]
    fn strings_that_are_not_urls_are_unchanged() {
        assert_eq!(redact_url("garbage"), "garbage");
        assert_eq!(redact_url(""), "");
        assert_eq!(
            redact_url("sqlite:failmode.db?password=x"),
            "sqlite:failmode.db?password=***"
        );
    }
}
