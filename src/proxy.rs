//! The proxy a client goes through, chosen from the environment as curl does.

use crate::url::{is_loopback, url_host};

/// The proxy for `base_url`, chosen from the environment as curl does: `HTTPS_PROXY` (for https)
/// or `HTTP_PROXY` (for http), else `ALL_PROXY`, each also in lower case; none for hosts that
/// `NO_PROXY` lists, and never for loopback (a local sandbox is not behind the corporate proxy).
pub(crate) fn proxy_from_env(
    base_url: &str,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<(ureq::Proxy, &'static str)>, String> {
    let host = url_host(base_url).to_ascii_lowercase();
    if is_loopback(&host) {
        return Ok(None);
    }
    let names: [&'static str; 4] = if base_url.starts_with("https://") {
        ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    let Some((name, proxy)) = names.iter().find_map(|name| var(name).map(|value| (*name, value))) else {
        return Ok(None);
    };
    let no_proxy = var("NO_PROXY").or_else(|| var("no_proxy")).unwrap_or_default();
    let bypass = no_proxy.split(',').map(|entry| entry.trim().to_ascii_lowercase()).any(|entry| {
        let entry = entry.trim_start_matches("*.").trim_start_matches('.');
        let entry = entry.rsplit_once(':').filter(|(_, port)| port.parse::<u16>().is_ok()).map_or(entry, |(h, _)| h);
        entry == "*" || (!entry.is_empty() && (host == entry || host.ends_with(&format!(".{entry}"))))
    });
    if bypass {
        return Ok(None);
    }
    // The variable's value may hold proxy credentials: name the variable, not the value.
    ureq::Proxy::new(&proxy)
        .map(|proxy| Some((proxy, name)))
        .map_err(|_| format!("the proxy in {name} is not a valid proxy URL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_comes_from_the_variable_for_the_scheme_and_never_for_loopback() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let proxied = |url: &str, pairs: &'static [(&'static str, &'static str)]| {
            proxy_from_env(url, env(pairs)).unwrap().map(|(p, _)| p.host().to_owned())
        };
        let https = &[("HTTPS_PROXY", "http://corp-proxy:3128")][..];
        assert_eq!(proxied("https://api.example.com/x", https).as_deref(), Some("corp-proxy"));
        assert_eq!(proxied("http://api.example.com/x", https), None);
        assert_eq!(proxied("https://127.0.0.1:5/x", https), None);
        assert_eq!(proxied("https://[::1]:5/x", https), None);
        assert_eq!(proxied("https://localhost/x", https), None);
        let all = &[("all_proxy", "http://p:1"), ("no_proxy", "internal.corp, .example.com:443")][..];
        assert_eq!(proxied("http://a.b/x", all).as_deref(), Some("p"));
        assert_eq!(proxied("https://api.example.com/x", all), None);
        assert_eq!(proxied("https://internal.corp/x", all), None);
        assert_eq!(proxied("https://notinternal.corp/x", all).as_deref(), Some("p"));
        assert_eq!(proxied("https://a.b/x", &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "*")]), None);
        let err = proxy_from_env("https://a.b", env(&[("HTTPS_PROXY", "http://user:pw@[bad")])).unwrap_err();
        assert!(err.contains("HTTPS_PROXY") && !err.contains("pw"), "{err}");
    }
}
