//! [`SandboxBuilder`]: where a sandbox listens, what it accepts and serves, and its start.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::server::throttle::{MAX_LATENCY, Settings};
use crate::server::{self, Shared};
use crate::{API_PREFIX, DEFAULT_ORGANIZATION_SECRET, DEFAULT_USER_SECRET, Sandbox, catalog, tls};

/// Configures and starts a [`Sandbox`].
///
/// ```
/// use cloud_elements_sandbox::Sandbox;
///
/// let sandbox = Sandbox::builder()
///     .bind(("127.0.0.1", 0))
///     .user_secret("my-user")
///     .organization_secret("my-org")
///     .start()?;
/// assert_eq!(sandbox.user_secret(), "my-user");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct SandboxBuilder {
    bind: io::Result<Vec<SocketAddr>>,
    user_secret: String,
    organization_secret: String,
    tls: bool,
    elements: Vec<PathBuf>,
    latency: Duration,
    rate_limit: u32,
}

/// Secrets are left out.
impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("bind", &self.bind)
            .field("tls", &self.tls)
            .field("elements", &self.elements)
            .field("latency", &self.latency)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            bind: Ok(vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))]),
            user_secret: DEFAULT_USER_SECRET.to_string(),
            organization_secret: DEFAULT_ORGANIZATION_SECRET.to_string(),
            tls: false,
            elements: Vec::new(),
            latency: Duration::ZERO,
            rate_limit: 0,
        }
    }
}

impl SandboxBuilder {
    /// Where to listen (default `127.0.0.1:0`, a free port): a `SocketAddr`, `("host", port)`
    /// or `"host:port"`. Names are resolved now; the first address that binds is used.
    pub fn bind(mut self, addr: impl ToSocketAddrs) -> SandboxBuilder {
        self.bind = addr.to_socket_addrs().map(Iterator::collect);
        self
    }

    /// The user secret to accept (default [`DEFAULT_USER_SECRET`]).
    pub fn user_secret(mut self, secret: impl Into<String>) -> SandboxBuilder {
        self.user_secret = secret.into();
        self
    }

    /// The organization secret to accept (default [`DEFAULT_ORGANIZATION_SECRET`]).
    pub fn organization_secret(mut self, secret: impl Into<String>) -> SandboxBuilder {
        self.organization_secret = secret.into();
        self
    }

    /// Serves HTTPS instead of HTTP (default off): the sandbox makes a test certificate authority
    /// and a certificate for `localhost`, `127.0.0.1`, `::1` and
    /// [`TLS_TEST_HOST`](crate::TLS_TEST_HOST) signed by it when it starts. A client trusts it
    /// only with [`Sandbox::ca_certificate_pem`] as its CA bundle.
    pub fn tls(mut self, enabled: bool) -> SandboxBuilder {
        self.tls = enabled;
        self
    }

    /// Serves the element definitions in `path` besides the built-in ones (`closeio`, `pardot`
    /// and the OAuth 2 element `clover`): a JSON file holding one definition or an array of them,
    /// or a folder whose `*.json` files are read in name order, in the platform's element format
    /// (what `GET /elements/{key}` answers). May be called several times; a loaded element takes
    /// the place of an earlier one with the same key. Elements without an `id` get one.
    ///
    /// The files are read by [`start`](Self::start), which refuses a malformed one.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("sandbox-doc-elements-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let file = dir.join("acme.json");
    /// std::fs::write(&file, r#"{"key": "acme", "name": "Acme", "hub": "crm", "configuration": [
    ///     {"key": "acme.token", "type": "PASSWORD", "required": true}]}"#)?;
    /// let sandbox = cloud_elements_sandbox::Sandbox::builder().elements(&file).start()?;
    /// # drop(sandbox);
    ///
    /// std::fs::write(&file, r#"{"key": "acme", "configuration": {}}"#)?;
    /// let refused = cloud_elements_sandbox::Sandbox::builder().elements(&file).start().unwrap_err();
    /// assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
    /// assert!(refused.to_string().contains("acme.json"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn elements(mut self, path: impl Into<PathBuf>) -> SandboxBuilder {
        self.elements.push(path.into());
        self
    }

    /// Makes every create (`POST /instances`) wait `latency` before it is handled, as the platform
    /// does while it checks the credentials with the third party (default none). Each connection
    /// has its own thread, so concurrent creates wait together, not one after the other. At most
    /// one minute ([`start`](Self::start) refuses more). Changed while running with
    /// `POST /_sandbox/settings {"latency_ms": N}`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // As slow as the platform, and as strict about the rate.
    /// let sandbox = cloud_elements_sandbox::Sandbox::builder()
    ///     .latency(Duration::from_millis(50))
    ///     .rate_limit(200)
    ///     .start()?;
    /// # drop(sandbox);
    /// assert!(cloud_elements_sandbox::Sandbox::builder().latency(Duration::from_secs(61)).start().is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn latency(mut self, latency: Duration) -> SandboxBuilder {
        self.latency = latency;
        self
    }

    /// Answers creates (`POST /instances`) past `per_second` per second with 429 and a
    /// `Retry-After` in whole seconds (at least 1); 0, the default, means no limit. A burst of
    /// `per_second` creates passes, then one every `1/per_second` s (a token bucket). Refused
    /// creates do not wait the [`latency`](Self::latency). Changed while running with
    /// `POST /_sandbox/settings {"rate_limit": R}`.
    pub fn rate_limit(mut self, per_second: u32) -> SandboxBuilder {
        self.rate_limit = per_second;
        self
    }

    /// Binds and starts serving on a background thread.
    ///
    /// Fails when the address cannot be resolved or bound, when a secret is empty or holds a
    /// comma or whitespace (it could never appear in an `Authorization` header), or (with kind
    /// [`io::ErrorKind::InvalidData`], the message naming the file and the reason) when an
    /// [`elements`](Self::elements) file cannot be read or is not valid element definitions, or
    /// when the [`latency`](Self::latency) is over one minute.
    pub fn start(self) -> io::Result<Sandbox> {
        if self.latency > MAX_LATENCY {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the sandbox latency must be at most one minute"));
        }
        let settings = Settings {
            latency_ms: u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX),
            rate_limit: self.rate_limit,
        };
        for secret in [&self.user_secret, &self.organization_secret] {
            if secret.is_empty() || secret.contains(',') || secret.contains(char::is_whitespace) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "sandbox secrets must be non-empty, without commas or whitespace",
                ));
            }
        }
        let catalog = catalog::Catalog::load(&self.elements)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        let addrs = self.bind?;
        let listener = TcpListener::bind(&addrs[..])?;
        let addr = listener.local_addr()?;
        let identity = if self.tls { Some(tls::TlsIdentity::generate()?) } else { None };
        let scheme = if identity.is_some() { "https" } else { "http" };
        let root = format!("{scheme}://{}", connectable(addr));
        let url = format!("{root}{API_PREFIX}");
        let (ca_pem, config) = identity.map(|i| (i.ca_pem, i.config)).unzip();
        let shared = Arc::new(Shared::new(self.user_secret, self.organization_secret, config, settings));
        {
            let mut state = shared.state();
            state.catalog = Arc::new(catalog);
            state.root = root;
        }
        let accept_listener = listener.try_clone()?;
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || server::accept_loop(accept_listener, accept_shared))?;
        Ok(Sandbox { shared, addr, url, ca_pem, listener, accept_thread: Some(accept_thread) })
    }
}

/// The address a client can connect to: loopback instead of an unspecified address.
pub(crate) fn connectable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_leaves_the_secrets_out() {
        let builder = super::SandboxBuilder::default().user_secret("u-secret").organization_secret("o-secret");
        let debug = format!("{builder:?}");
        assert!(debug.contains("SandboxBuilder") && !debug.contains("secret"), "{debug}");
    }
}
