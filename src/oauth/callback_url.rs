//! Checks an OAuth callback URL and works out where to listen for the redirect to it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::Error;

/// A loopback callback URL: the address to listen on and the path the redirect comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CallbackUrl {
    /// The loopback address and the URL's port (`localhost` is 127.0.0.1).
    pub(crate) addr: SocketAddr,
    /// The URL's path, `/` when it has none; a query the URL carries is not part of it.
    pub(crate) path: String,
}

impl CallbackUrl {
    /// Parses `http://HOST:PORT[/PATH][?QUERY]` where HOST is a loopback address (`127.0.0.1`,
    /// any `127.x.y.z`, `localhost` or `[::1]`) and PORT is explicit.
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let invalid =
            |problem: String| Error::InvalidInput { problems: vec![format!("callback URL `{url}` {problem}")] };
        let example = "such as http://127.0.0.1:8765/callback";
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(invalid(format!("is not an absolute http:// URL {example}")));
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(invalid(format!(
                "uses https://, but the listener on this machine serves plain http:// (loopback traffic never \
                 leaves the machine); register a URL {example} with the provider"
            )));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(invalid(format!("must start with http://, {example}")));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if tail.contains('#') {
            return Err(invalid("has a #fragment, which an OAuth redirect URL must not have".to_owned()));
        }
        if authority.contains('@') {
            return Err(invalid("has a user name (`user@`), which a callback URL must not have".to_owned()));
        }
        let (host, port) = split_host_port(authority);
        let ip = loopback_ip(host).ok_or_else(|| {
            invalid(format!(
                "has host `{host}`, which is not a loopback address: the listener only binds 127.0.0.1, localhost \
                 or [::1], so that nothing outside this machine can reach it"
            ))
        })?;
        let port = match port {
            None | Some("") => {
                return Err(invalid(format!(
                    "has no port: the listener needs an explicit one, {example}, registered with the provider as is"
                )));
            }
            Some(text) => match text.parse::<u16>() {
                Ok(0) => return Err(invalid("has port 0: the provider must redirect to a fixed port".to_owned())),
                Ok(port) if text.bytes().all(|b| b.is_ascii_digit()) => port,
                _ => return Err(invalid(format!("has port `{text}`, which is not a number from 1 to 65535"))),
            },
        };
        let path = tail.split('?').next().unwrap_or_default();
        let path = if path.is_empty() { "/" } else { path };
        Ok(CallbackUrl { addr: SocketAddr::new(ip, port), path: path.to_owned() })
    }
}

/// `host` and the text after its `:`, if any; an IPv6 host keeps its brackets.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        if let Some(close) = authority.find(']') {
            let (host, after) = authority.split_at(close + 1);
            return (host, after.strip_prefix(':').or(if after.is_empty() { None } else { Some(after) }));
        }
        return (authority, None);
    }
    match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// The loopback address `host` names, or `None` when it names anything else.
fn loopback_ip(host: &str) -> Option<IpAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().ok().filter(Ipv6Addr::is_loopback).map(IpAddr::V6);
    }
    host.parse::<Ipv4Addr>().ok().filter(Ipv4Addr::is_loopback).map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (String, String) {
        let c = CallbackUrl::parse(url).unwrap();
        (c.addr.to_string(), c.path)
    }

    fn problem(url: &str) -> String {
        match CallbackUrl::parse(url) {
            Err(Error::InvalidInput { problems }) => problems.join("; "),
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn loopback_urls_give_an_address_and_a_path() {
        assert_eq!(parsed("http://127.0.0.1:8765/callback"), ("127.0.0.1:8765".into(), "/callback".into()));
        assert_eq!(parsed("HTTP://LocalHost:80"), ("127.0.0.1:80".into(), "/".into()));
        assert_eq!(parsed("http://[::1]:9000/a/b?x=1"), ("[::1]:9000".into(), "/a/b".into()));
        assert_eq!(parsed("http://127.0.0.2:1?q"), ("127.0.0.2:1".into(), "/".into()));
    }

    #[test]
    fn everything_else_is_refused_with_the_reason() {
        assert!(problem("https://127.0.0.1:8765/cb").contains("https://"));
        assert!(problem("ftp://127.0.0.1:8765/cb").contains("must start with http://"));
        assert!(problem("127.0.0.1:8765/cb").contains("not an absolute"));
        assert!(problem("http://example.com:8765/cb").contains("not a loopback address"));
        assert!(problem("http://0.0.0.0:8765/cb").contains("not a loopback address"));
        assert!(problem("http://[::]:8765/cb").contains("not a loopback address"));
        assert!(problem("http://::1:8765/cb").contains("not a loopback address"));
        assert!(problem("http://127.0.0.1/cb").contains("has no port"));
        assert!(problem("http://localhost:/cb").contains("has no port"));
        assert!(problem("http://[::1]/cb").contains("has no port"));
        assert!(problem("http://[::1]x:80/cb").contains("not a number"));
        assert!(problem("http://127.0.0.1:0/cb").contains("port 0"));
        assert!(problem("http://127.0.0.1:65536/cb").contains("not a number"));
        assert!(problem("http://127.0.0.1:+80/cb").contains("not a number"));
        assert!(problem("http://u@127.0.0.1:80/cb").contains("user name"));
        assert!(problem("http://127.0.0.1:80/cb#top").contains("fragment"));
    }
}
