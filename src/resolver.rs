//! Name resolution for the client's HTTP agent.
//!
//! ureq resolves the host before every call, pooled connection or not, and with a timeout it does
//! so on a new thread each time: a thread spawned and joined per create, which cost more than
//! everything else in a call together (see `bench/RESULTS.md`). This resolver answers an IP
//! address at once, and keeps a host name's addresses for [`TTL`]; only a miss goes to ureq's own
//! resolver, with its timeout.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are reused. Long enough that bulk provisioning resolves
/// once, short enough that a moved service is found again soon.
const TTL: Duration = Duration::from_secs(30);
/// A client talks to one host (or a proxy); a few entries are plenty.
const MAX_CACHED: usize = 16;

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    inner: DefaultResolver,
    cache: Mutex<HashMap<String, (ResolvedSocketAddrs, Instant)>>,
}

impl Resolver for CachingResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return self.inner.resolve(uri, config, timeout);
        };
        let host = authority.host();
        let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let port = authority.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
            let mut addrs = self.inner.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{scheme}://{authority}");
        let cache = || self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((addrs, at)) = cache().get(&key) {
            if at.elapsed() < TTL {
                return Ok(addrs.clone());
            }
        }
        // Resolved outside the lock: a slow lookup does not hold up other threads' hits.
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let mut cache = cache();
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, (_, at)| at.elapsed() < TTL);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(key, (addrs.clone(), Instant::now()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(resolver: &CachingResolver, url: &str) -> Vec<SocketAddr> {
        let uri: Uri = url.parse().unwrap();
        let timeout =
            NextTimeout { after: Duration::from_secs(5).into(), reason: ureq::Timeout::Resolve, ..Default::default() };
        resolver.resolve(&uri, &Config::default(), timeout).unwrap().to_vec()
    }

    #[test]
    fn addresses_are_answered_at_once_and_names_are_cached() {
        let resolver = CachingResolver::default();
        assert_eq!(resolve(&resolver, "http://127.0.0.1:8080/x"), ["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(resolve(&resolver, "https://[::1]/x"), ["[::1]:443".parse().unwrap()]);
        assert_eq!(resolve(&resolver, "http://10.1.2.3/x"), ["10.1.2.3:80".parse().unwrap()]);
        assert!(resolver.cache.lock().unwrap().is_empty(), "literals are not cached");
        let first = resolve(&resolver, "http://localhost:9/x");
        assert!(first.iter().all(|a| a.ip().is_loopback() && a.port() == 9), "{first:?}");
        assert_eq!(resolver.cache.lock().unwrap().len(), 1);
        assert_eq!(resolve(&resolver, "http://localhost:9/y"), first);
    }
}
