//! Sink URLs: checking them, and the redacted form that may be shown.

use super::SinkError;

/// An absolute URL cut into the pieces sinks care about. Nothing is decoded.
struct Parts<'a> {
    /// `http`, `https`, ...; `None` when the text has no `scheme://`.
    scheme: Option<&'a str>,
    /// `user:password`, before the last `@` of the authority.
    userinfo: Option<&'a str>,
    /// `host` or `host:port`.
    host_port: &'a str,
    /// From the first `/` after the authority, up to `?` or `#`.
    path: &'a str,
    /// After `?`, up to `#`.
    query: Option<&'a str>,
    /// After `#`.
    fragment: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn split(url: &'a str) -> Parts<'a> {
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest))
                if !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                (Some(scheme), rest)
            }
            _ => (None, url),
        };
        let mut authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        // A password holding `/`, `?` or `#` (unencoded) would end the
        // authority early and be shown as the host or port: an `@` after
        // such an end, with none before it, makes everything up to the last
        // `@` the user and password. An `@` in a path is rare; a password
        // shown in an error is not acceptable.
        if !rest[..authority_end].contains('@') {
            if let Some(at) = rest[authority_end..].rfind('@') {
                let at = authority_end + at;
                authority_end = at + rest[at..].find(['/', '?', '#']).unwrap_or(rest.len() - at);
            }
        }
        let (authority, tail) = rest.split_at(authority_end);
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (tail, fragment) = match tail.split_once('#') {
            Some((tail, fragment)) => (tail, Some(fragment)),
            None => (tail, None),
        };
        let (path, query) = match tail.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        Parts {
            scheme,
            userinfo,
            host_port,
            path,
            query,
            fragment,
        }
    }

    /// The host without its port (brackets kept for IPv6), and the port text.
    fn host_and_port(&self) -> (&'a str, Option<&'a str>) {
        let hp = self.host_port;
        if hp.starts_with('[') {
            return match hp.find(']') {
                Some(end) => {
                    let port = hp[end + 1..].strip_prefix(':');
                    (&hp[..=end], port)
                }
                None => (hp, None),
            };
        }
        match hp.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hp, None),
        }
    }
}

/// The URL with its secrets replaced by `***`: the user and password, every
/// value of the query string (a query item without `=` as a whole) and the
/// fragment. Scheme, host, port and path are kept so the endpoint can still
/// be recognised. The path is hidden too, as chat services keep their
/// token there.
///
/// This is the only form of a sink URL that may appear in a message or a log.
///
/// ```
/// use tocsin::sinks::redact;
/// assert_eq!(
///     redact("https://bot:hunter2@hooks.example.com/notify?token=abc&x=1"),
///     "https://***@hooks.example.com/***?token=***&x=***"
/// );
/// ```
pub fn redact(url: &str) -> String {
    let parts = Parts::split(url);
    let mut out = String::with_capacity(url.len());
    if let Some(scheme) = parts.scheme {
        out.push_str(scheme);
        out.push_str("://");
    }
    if parts.userinfo.is_some() {
        out.push_str("***@");
    }
    out.push_str(parts.host_port);
    // Chat services put their token in the path: only `/` is shown.
    out.push_str(if parts.path.len() > 1 {
        "/***"
    } else {
        parts.path
    });
    if let Some(query) = parts.query {
        out.push('?');
        let items: Vec<String> = query
            .split('&')
            .map(|item| match item.split_once('=') {
                Some((key, _)) => format!("{key}=***"),
                None if item.is_empty() => String::new(),
                None => "***".to_string(),
            })
            .collect();
        out.push_str(&items.join("&"));
    }
    if let Some(fragment) = parts.fragment {
        out.push('#');
        if !fragment.is_empty() {
            out.push_str("***");
        }
    }
    out
}

/// The parts of `url` that are credentials: `user:password`, the password
/// and the user, each also %-decoded when that differs. For keeping them
/// out of diagnostics, which may quote a file holding them.
pub fn credentials(url: &str) -> Vec<String> {
    let Some(userinfo) = Parts::split(url).userinfo else {
        return Vec::new();
    };
    let mut out = vec![userinfo.to_string()];
    if let Some((user, password)) = userinfo.split_once(':') {
        out.push(user.to_string());
        out.push(password.to_string());
    }
    let decoded: Vec<String> = out.iter().map(|s| percent_decode(s)).collect();
    out.extend(decoded);
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |k: usize| b.get(k).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with `url`, and each secret part of it (user and password, query
/// string, fragment), replaced by their redacted forms: for messages from
/// other libraries that may quote the URL they were given.
pub(crate) fn scrub(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact(url));
    let parts = Parts::split(url);
    let path = Some(parts.path).filter(|p| p.len() > 1);
    for secret in [parts.userinfo, path, parts.query, parts.fragment]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
    {
        out = out.replace(secret, "***");
    }
    out
}

/// Checks that `url` is an absolute `http` or `https` URL with a host, that
/// the HTTP client will accept.
pub(crate) fn check_http_url(url: &str) -> Result<(), SinkError> {
    let invalid = |reason| SinkError::InvalidUrl {
        url: redact(url),
        reason,
    };
    if url.is_empty() {
        return Err(invalid("the URL is empty"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("the URL contains spaces or control characters"));
    }
    let parts = Parts::split(url);
    match parts.scheme {
        None => return Err(invalid("expected a URL starting with http:// or https://")),
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
        Some(_) => return Err(invalid("the scheme must be http or https")),
    }
    let (host, port) = parts.host_and_port();
    if host.is_empty() || host == "[]" {
        return Err(invalid("the URL has no host"));
    }
    if let Some(port) = port {
        if port.parse::<u16>().is_err() {
            return Err(invalid("the port must be a number from 0 to 65535"));
        }
    }
    if parts.fragment.is_some() {
        return Err(invalid("a URL sent to must not have a #fragment"));
    }
    if url.parse::<ureq::http::Uri>().is_err() {
        return Err(invalid(
            "not a valid URL (characters outside ASCII must be %-encoded)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_user_password_and_query_values() {
        let cases = [
            ("http://example.com/hook", "http://example.com/***"),
            ("http://example.com/", "http://example.com/"),
            (
                "https://example.com:8443/a/b",
                "https://example.com:8443/***",
            ),
            (
                "https://user:pa%40ss@example.com/hook",
                "https://***@example.com/***",
            ),
            ("https://token@example.com/", "https://***@example.com/"),
            (
                "https://example.com/hook?token=s3cret&channel=ops",
                "https://example.com/***?token=***&channel=***",
            ),
            ("https://example.com/?s3cret", "https://example.com/?***"),
            ("https://example.com/?", "https://example.com/?"),
            (
                "https://example.com/?a=1&&b",
                "https://example.com/?a=***&&***",
            ),
            (
                "https://example.com/x#s3cret",
                "https://example.com/***#***",
            ),
            (
                "http://u:p@[::1]:9093/api?k=v",
                "http://***@[::1]:9093/***?k=***",
            ),
            ("u:p@example.com/x?k=v", "***@example.com/***?k=***"),
            // An `@` in the path or query cannot be told from a password
            // holding `/` or `?`: all before it is hidden.
            ("https://example.com/a@b", "https://***@b"),
            ("https://example.com/?k=a@b", "https://***@b"),
            // After a user and password, an `@` in the query is the query's.
            (
                "https://u:p@example.com/?k=a@b",
                "https://***@example.com/?k=***",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
        }
    }

    #[test]
    fn redact_never_shows_a_secret() {
        for url in [
            "https://alice:SECRET@h/p?q=SECRET",
            "https://SECRET@h",
            "https://h?SECRET",
            "https://h/?a=b&c=SECRET#SECRET",
            "SECRET@h",
            "::SECRET@h",
        ] {
            assert!(!redact(url).contains("SECRET"), "{url} -> {}", redact(url));
        }
    }

    #[test]
    fn a_password_holding_a_delimiter_is_not_shown_as_the_host() {
        for url in [
            "http://user:pa@ss@host:9/x",
            "http://user:pa/ss@host:9/x",
            "http://user:pa?ss@host/x",
            "http://user:pa#ss@host/x",
            "user:pa/ss@host",
            "user:pa@ss@host:9",
            "https://user:1234/ss@host/",
        ] {
            let shown = redact(url);
            assert!(
                !shown.contains("pa") && !shown.contains("ss@"),
                "{url} -> {shown}"
            );
            assert!(!shown.contains("1234"), "{url} -> {shown}");
            assert!(shown.contains("***@host"), "{url} -> {shown}");
            match check_http_url(url) {
                Ok(()) => {}
                Err(e) => {
                    let e = e.to_string();
                    assert!(!e.contains("pa") && !e.contains("1234"), "{url}: {e}");
                }
            }
        }
    }

    #[test]
    fn credentials_are_the_user_and_password_also_decoded() {
        assert_eq!(
            credentials("http://bob:pa%40ss@h/x"),
            ["bob", "bob:pa%40ss", "bob:pa@ss", "pa%40ss", "pa@ss"]
        );
        assert_eq!(credentials("https://tok3n@h/"), ["tok3n"]);
        assert!(credentials("https://h/x?token=abc").is_empty());
    }

    #[test]
    fn scrub_removes_the_url_and_its_secrets_from_a_message() {
        let url = "https://me:pw@example.com/hook?token=abc";
        assert_eq!(
            scrub(&format!("bad uri {url}"), url),
            "bad uri https://***@example.com/***?token=***"
        );
        assert_eq!(
            scrub("proxy said me:pw and token=abc", url),
            "proxy said *** and ***"
        );
    }

    #[test]
    fn http_and_https_urls_with_a_host_are_accepted() {
        for url in [
            "http://127.0.0.1:9093",
            "http://localhost/hook",
            "https://hooks.example.com/services/a/b?token=x",
            "HTTPS://user:pw@example.com:443/",
            "http://[::1]:8080/x",
        ] {
            assert_eq!(check_http_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn other_urls_are_rejected_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("example.com/hook", "http:// or https://"),
            ("ftp://example.com/x", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("http://", "no host"),
            ("http:///path", "no host"),
            ("http://user:pw@/path", "no host"),
            ("http://example.com:http/x", "port"),
            ("http://example.com:99999/x", "port"),
            ("http://example.com/a b", "spaces"),
            ("http://example.com/x#frag", "fragment"),
            ("http://exämple.com/", "%-encoded"),
        ];
        for (url, want) in cases {
            match check_http_url(url) {
                Err(SinkError::InvalidUrl { reason, .. }) => {
                    assert!(reason.contains(want), "{url}: {reason}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_rejected_url_is_reported_redacted() {
        let err = check_http_url("ftp://me:SECRET@example.com/?t=SECRET").unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("ftp://***@example.com/?t=***"), "{shown}");
    }
}
