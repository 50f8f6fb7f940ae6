//! A local, stateful emulator of the Cloud Elements platform's instance API, with fault injection.
//!
//! [`Sandbox`] runs a real HTTP/1.1 server on loopback that answers like
//! `https://api.cloud-elements.com/elements/api-v2`: instances of the built-in elements
//! (`closeio`, `pardot` and the OAuth 2 element `clover`, from the `cloud-elements-catalog` crate)
//! and of any element loaded with [`SandboxBuilder::elements`] can be created, listed, read,
//! updated, disabled and deleted, with the platform's validation and error bodies. OAuth elements
//! work end to end: `GET /elements/{key}/oauth/url` points at a stand-in provider
//! (`/oauth/authorize`, outside the API prefix) that redirects to the callback with a code, which
//! a create then needs. State lives in memory, so a create can be listed and deleted afterwards.
//! [`Fault`]s make the next requests fail in controlled ways (error statuses, delays, resets,
//! truncated answers) to test a client's error handling.
//!
//! The same server runs as the `cloud-elements-sandbox` binary, for tests in other languages:
//! they queue faults and read the request log through control endpoints under `/_sandbox`
//! (`POST`/`GET`/`DELETE /_sandbox/faults`, `GET /_sandbox/requests`, `GET /_sandbox/instances`,
//! `POST /_sandbox/reset`).

#![warn(missing_docs)]

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

mod api;
mod catalog;
mod control;
mod faults;
mod http;
mod ids;
mod instance;
mod oauth;
mod provider;
mod server;
mod state;
mod tls;
mod validate;
mod values;

pub use faults::{Fault, FaultKind, MAX_OVERSIZE};

use server::Shared;

/// The user secret a sandbox accepts unless told otherwise.
pub const DEFAULT_USER_SECRET: &str = "sandbox-user-secret";
/// The organization secret a sandbox accepts unless told otherwise.
pub const DEFAULT_ORGANIZATION_SECRET: &str = "sandbox-organization-secret";
/// The path prefix of the API, as in `https://api.cloud-elements.com/elements/api-v2`.
pub const API_PREFIX: &str = api::PREFIX;

/// A host name that a sandbox serving HTTPS also has a certificate for, besides `localhost`,
/// `127.0.0.1` and `::1`. Under the reserved `.test` domain, nothing resolves it: it is for
/// tests through a proxy (which clients never use for loopback names), where the test's proxy
/// maps it to the sandbox's address.
pub const TLS_TEST_HOST: &str = "cloud-elements-sandbox.test";

/// A running sandbox server. Dropping it stops the server.
///
/// # Example
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
///
/// use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};
///
/// let sandbox = Sandbox::start()?;
/// assert!(sandbox.url().starts_with("http://127.0.0.1:"));
/// assert!(sandbox.url().ends_with("/elements/api-v2"));
///
/// // Create a Close.io instance with a hand-written request (any HTTP client will do).
/// let body = r#"{"element": {"key": "closeio"}, "name": "Test", "tags": ["demo"],
///                "configuration": {"username": "api-key", "password": "secret"}}"#;
/// let request = format!(
///     "POST /elements/api-v2/instances HTTP/1.1\r\nHost: {}\r\n\
///      Authorization: User {}, Organization {}\r\nContent-Type: application/json\r\n\
///      Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
///     sandbox.addr(),
///     sandbox.user_secret(),
///     sandbox.organization_secret(),
///     body.len(),
/// );
/// let mut stream = TcpStream::connect(sandbox.addr())?;
/// stream.write_all(request.as_bytes())?;
/// let mut response = String::new();
/// stream.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.1 200 OK"));
///
/// // The sandbox remembers the instance and the request.
/// let instances = sandbox.instances();
/// assert_eq!(instances[0]["element"]["key"], "closeio");
/// assert_eq!(instances[0]["configuration"]["base.url"], "https://app.close.io/api/v1");
/// assert_eq!(sandbox.request_count(), 1);
/// assert_eq!(sandbox.requests()[0].header("content-type"), Some("application/json"));
///
/// // The next two API requests will get 503 with a Retry-After header.
/// sandbox.inject(
///     Fault::new(FaultKind::Status {
///         status: 503,
///         message: None,
///         provider_message: None,
///         retry_after: Some("1".into()),
///     })
///     .times(2),
/// );
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    ca_pem: Option<String>,
    /// A handle on the listening socket, to wake the accept thread on drop.
    listener: TcpListener,
    accept_thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` on a free port, with the default secrets.
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::builder().start()
    }

    /// Configures a sandbox before starting it.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234/elements/api-v2`. When bound to an
    /// unspecified address (`0.0.0.0` or `::`) the URL names loopback, which reaches it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// For a sandbox serving HTTPS ([`SandboxBuilder::tls`]), the PEM certificate of the test CA
    /// that signed its certificate: write it to a file and give that to the client as its CA
    /// bundle. `None` for plain HTTP.
    ///
    /// ```
    /// let sandbox = cloud_elements_sandbox::Sandbox::builder().tls(true).start()?;
    /// assert!(sandbox.url().starts_with("https://127.0.0.1:"));
    /// assert!(sandbox.ca_certificate_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The user secret the API accepts.
    pub fn user_secret(&self) -> &str {
        &self.shared.user_secret
    }

    /// The organization secret the API accepts.
    pub fn organization_secret(&self) -> &str {
        &self.shared.organization_secret
    }

    /// Queues a fault for the next API request(s). Faults apply first in, first out, one request
    /// each until their `times` is used up. A fault with `times` 0 is ignored.
    ///
    /// # Panics
    ///
    /// If the fault is invalid, i.e. [`Fault::validate`] refuses it (a `Status` or `Body` fault
    /// whose status is not 200 to 599). Injecting a fault is test code, so an invalid one is a bug
    /// in that test. Call [`Fault::validate`] first to check a fault from elsewhere; the control
    /// endpoint `POST /_sandbox/faults` does, and answers 400.
    pub fn inject(&self, fault: Fault) {
        if let Err(message) = fault.validate() {
            panic!("Sandbox::inject: invalid fault {fault:?}: {message}");
        }
        self.shared.state().faults.push(fault);
    }

    /// Drops all queued faults.
    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// How many API requests (under `/elements/api-v2`) the sandbox received since it started
    /// or was reset. Control requests (`/_sandbox/...`) are not counted.
    pub fn request_count(&self) -> u64 {
        self.shared.state().request_count()
    }

    /// The last (at most 1000) API requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests().cloned().collect()
    }

    /// The stored instances in id order, in the shape the create answered (secrets unmasked),
    /// with later updates (name, tags, enabled state, configuration entries) applied.
    pub fn instances(&self) -> Vec<serde_json::Value> {
        let state = self.shared.state();
        state.instances.values().map(|i| serde_json::to_value(i.view(false)).unwrap_or_default()).collect()
    }

    /// Forgets instances, OAuth codes, queued faults, the request log and the request count.
    /// Instance ids start again at 1. The elements stay.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// How many TCP connections the sandbox accepted since it started or was reset: a client
    /// that keeps connections alive makes one for many requests.
    pub fn connection_count(&self) -> u64 {
        self.shared.connections.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wake the blocked accept(): shutting the listener down does on Linux, a connection does
        // everywhere else.
        let _ = socket2::SockRef::from(&self.listener).shutdown(std::net::Shutdown::Both);
        let _ = TcpStream::connect_timeout(&connectable(self.addr), Duration::from_secs(1));
        if let Some(handle) = self.accept_thread.take() {
            // Never hang a drop: if the thread could not be woken, leave it behind.
            let deadline = Instant::now() + Duration::from_secs(2);
            while !handle.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            if handle.is_finished() {
                let _ = handle.join();
            }
        }
    }
}

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
#[derive(Debug)]
pub struct SandboxBuilder {
    bind: io::Result<Vec<SocketAddr>>,
    user_secret: String,
    organization_secret: String,
    tls: bool,
    elements: Vec<PathBuf>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            bind: Ok(vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))]),
            user_secret: DEFAULT_USER_SECRET.to_string(),
            organization_secret: DEFAULT_ORGANIZATION_SECRET.to_string(),
            tls: false,
            elements: Vec::new(),
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
    /// and a certificate for `localhost`, `127.0.0.1`, `::1` and [`TLS_TEST_HOST`] signed by it when it starts. A
    /// client trusts it only with [`Sandbox::ca_certificate_pem`] as its CA bundle.
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

    /// Binds and starts serving on a background thread.
    ///
    /// Fails when the address cannot be resolved or bound, when a secret is empty or holds a
    /// comma or whitespace (it could never appear in an `Authorization` header), or (with kind
    /// [`io::ErrorKind::InvalidData`], the message naming the file and the reason) when an
    /// [`elements`](Self::elements) file cannot be read or is not valid element definitions.
    pub fn start(self) -> io::Result<Sandbox> {
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
        let shared = Arc::new(Shared::new(self.user_secret, self.organization_secret, config));
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
fn connectable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

/// An API request as the sandbox received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// Path and query exactly as received, e.g. `/elements/api-v2/instances?tags%5B%5D=a`.
    pub target: String,
    /// Headers as received, in their original case and order.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies decoded).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sandbox_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Sandbox>();
        assert_send_sync::<super::Fault>();
        assert_send_sync::<super::RecordedRequest>();
    }
}
