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
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

mod api;
mod builder;
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

pub use builder::SandboxBuilder;
pub use faults::{Fault, FaultKind, MAX_OVERSIZE};

use builder::connectable;
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

    #[test]
    fn oauth_urls_point_at_the_sandbox_root_in_its_scheme() {
        let sandbox = super::Sandbox::builder().tls(true).start().unwrap();
        assert_eq!(sandbox.shared.state().root, format!("https://{}", sandbox.addr()));
        sandbox.reset();
        assert_eq!(sandbox.shared.state().root, format!("https://{}", sandbox.addr()), "kept by a reset");
    }
}
