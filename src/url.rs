//! Checks on URLs: the base URL's parts, loopback hosts, http(s) URLs in configuration.

/// The authority of a URL: what stands between `://` and the path.
pub(crate) fn url_authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// The host of an http(s) URL, without user info, port or IPv6 brackets.
pub(crate) fn url_host(url: &str) -> &str {
    let authority = url_authority(url);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

/// Whether `host` (lower case, without brackets) is this machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `http://host...` or `https://host...` with a non-empty host and no white space.
pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            !host.is_empty() && !host.starts_with(':') && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The problems with a base URL (already without a trailing `/`), if any.
pub(crate) fn base_url_problem(base_url: &str) -> Option<&'static str> {
    if !is_http_url(base_url) {
        Some("the base URL must be an http:// or https:// URL")
    } else if base_url.contains(['?', '#']) {
        Some("the base URL must not have a query or fragment (`?`, `#`)")
    } else if url_authority(base_url).contains('@') {
        // Credentials in the URL would be printed wherever the URL is (Debug, logs).
        Some("the base URL must not contain user information (`user:password@`)")
    } else {
        None
    }
}

/// `text` percent-encoded for a path segment or a query value: everything but the unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`, byte by byte.
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_check() {
        assert!(is_http_url("https://example.com/hook?x=1"));
        assert!(is_http_url("http://127.0.0.1:8080"));
        for bad in ["https://", "http:///x", "example.com", "https://exa mple.com", "https://:80/"] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_component("tags[] & é/+="), "tags%5B%5D%20%26%20%C3%A9%2F%2B%3D");
    }

    #[test]
    fn hosts_and_loopback() {
        assert_eq!(url_host("https://u:p@[::1]:8/x"), "::1");
        assert_eq!(url_host("http://Example.com:80/x?y"), "Example.com");
        assert!(is_loopback("localhost") && is_loopback("a.localhost") && is_loopback("127.0.0.2"));
        assert!(!is_loopback("example.com"));
        assert_eq!(base_url_problem("https://x.example/api"), None);
        assert!(base_url_problem("https://u:p@x.example").is_some());
    }
}
