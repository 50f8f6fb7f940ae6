//! The client: one configured HTTP agent, the credentials, and the calls.

use std::io;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use serde_json::Value;
use ureq::Agent;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::auth::{Credentials, Secret};
use crate::error::{ApiError, Error, MAX_ERROR_BODY, TimeoutKind, TransportKind, redact};
use crate::instance::{Instance, InstanceRequest};

/// The platform's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloud-elements.com/elements/api-v2";
/// Connect timeout unless set otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Overall timeout of one call unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest response body read unless set otherwise.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// Environment variable naming the base URL.
pub const ENV_BASE_URL: &str = "CLOUD_ELEMENTS_BASE_URL";
/// Environment variable holding the user secret.
pub const ENV_USER_SECRET: &str = "CLOUD_ELEMENTS_USER_SECRET";
/// Environment variable holding the organization secret.
pub const ENV_ORG_SECRET: &str = "CLOUD_ELEMENTS_ORG_SECRET";

const USER_AGENT: &str = concat!("cloud-elements-rust/", env!("CARGO_PKG_VERSION"));

/// A Cloud Elements API client.
///
/// Build one per process (or per set of credentials) and share it: it is `Send + Sync`, cloning it
/// is cheap, and all clones share one connection pool, so connections are kept alive and reused.
///
/// ```
/// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
/// use cloud_elements::{Client, InstanceRequest};
///
/// let client = Client::builder()
///     .base_url(sandbox.url()) // leave out for the real service
///     .user_secret(sandbox.user_secret())
///     .organization_secret(sandbox.organization_secret())
///     .build()?;
/// let request = InstanceRequest::new("closeio", "Test")
///     .config("username", "MY_KEY")
///     .config("password", "MY_PW")
///     .tag("demo");
/// let instance = client.create_instance(&request)?;
/// println!("instance {} has token {}", instance.id, instance.token.expose());
/// # Ok::<(), cloud_elements::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: Agent,
    base_url: String,
    instances_url: String,
    credentials: Credentials,
    authorization: Secret,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: u64,
}

/// Settings for a [`Client`]; see [`Client::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    user_secret: Option<Secret>,
    organization_secret: Option<Secret>,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            user_secret: None,
            organization_secret: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl ClientBuilder {
    /// The API's base URL (default [`DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The user secret.
    pub fn user_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.user_secret = Some(secret.into());
        self
    }

    /// The organization secret.
    pub fn organization_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.organization_secret = Some(secret.into());
        self
    }

    /// How long resolving and connecting (TLS included) may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, reading the response included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body the client reads (default 10 MB); a larger one is an
    /// [`Error::Decode`].
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Takes the base URL and secrets from `CLOUD_ELEMENTS_BASE_URL`,
    /// `CLOUD_ELEMENTS_USER_SECRET` and `CLOUD_ELEMENTS_ORG_SECRET` where they are set.
    pub fn from_env(mut self) -> Self {
        if let Some(url) = env_var(ENV_BASE_URL) {
            self.base_url = url;
        }
        if let Some(secret) = env_var(ENV_USER_SECRET) {
            self.user_secret = Some(Secret::new(secret));
        }
        if let Some(secret) = env_var(ENV_ORG_SECRET) {
            self.organization_secret = Some(Secret::new(secret));
        }
        self
    }

    /// Checks the settings and builds the client. Every problem is reported at once.
    pub fn build(self) -> Result<Client, Error> {
        let mut problems = Vec::new();
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if !crate::catalog::is_http_url(&base_url) {
            problems.push("the base URL must be an http:// or https:// URL".to_owned());
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            problems.push("timeouts must be longer than zero".to_owned());
        }
        if self.max_response_bytes == 0 {
            problems.push("the response size cap must be at least one byte".to_owned());
        }
        let credentials = match (self.user_secret, self.organization_secret) {
            (Some(user), Some(org)) => match Credentials::new(user, org) {
                Ok(c) => Some(c),
                Err(Error::InvalidInput { problems: p }) => {
                    problems.extend(p);
                    None
                }
                Err(other) => return Err(other),
            },
            (user, org) => {
                for (missing, what, var) in [
                    (user.is_none(), "user secret", ENV_USER_SECRET),
                    (org.is_none(), "organization secret", ENV_ORG_SECRET),
                ] {
                    if missing {
                        problems.push(format!("no {what} was given (set it, or the variable {var})"));
                    }
                }
                None
            }
        };
        let credentials = match credentials {
            Some(c) if problems.is_empty() => c,
            _ => return Err(Error::InvalidInput { problems }),
        };

        let tls = if base_url.starts_with("https://") {
            TlsConfig::builder().root_certs(ROOT_CERTS.clone()).build()
        } else {
            TlsConfig::default()
        };
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .user_agent(USER_AGENT)
            .accept("application/json")
            // A POST is never redirected: the secrets must not follow a redirect elsewhere.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .tls_config(tls)
            // HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY.
            .proxy(ureq::Proxy::try_from_env())
            .build()
            .into();
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                instances_url: format!("{base_url}/instances"),
                base_url,
                authorization: credentials.authorization(),
                credentials,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Mozilla's roots joined with the platform's store, loaded once per process.
static ROOT_CERTS: LazyLock<RootCerts> = LazyLock::new(|| {
    let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    // Errors here mean an unreadable system store; Mozilla's roots still apply.
    let native = rustls_native_certs::load_native_certs();
    certs.extend(native.certs.iter().map(|der| Certificate::from_der(der.as_ref()).to_owned()));
    RootCerts::from(certs)
});

impl Client {
    /// Settings for a client, starting from the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the real service with these secrets and default settings.
    pub fn new(user_secret: impl Into<Secret>, organization_secret: impl Into<Secret>) -> Result<Client, Error> {
        Client::builder().user_secret(user_secret).organization_secret(organization_secret).build()
    }

    /// A client configured from `CLOUD_ELEMENTS_BASE_URL` (optional), `CLOUD_ELEMENTS_USER_SECRET`
    /// and `CLOUD_ELEMENTS_ORG_SECRET`.
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().from_env().build()
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.connect_timeout
    }

    /// The overall timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The `Authorization` header value for calls on one instance:
    /// `User <user secret>, Organization <organization secret>, Element <token>`.
    ///
    /// The result holds the secrets; it is a [`Secret`] so that it is not printed by accident.
    pub fn authorization_for(&self, instance_token: &str) -> Secret {
        self.inner.credentials.authorization_for(instance_token)
    }

    /// Provisions an instance: `POST {base}/instances`.
    ///
    /// The request is validated first ([`InstanceRequest::validate`]); nothing is sent unless it
    /// passes. The request is sent once: no retries, so an instance is never created twice by
    /// accident. After a [`Error::Timeout`] or a [`Error::Transport`] failure the instance may
    /// nevertheless exist.
    pub fn create_instance(&self, request: &InstanceRequest) -> Result<Instance, Error> {
        request.validate()?;
        let body = request.to_json_bytes();
        let inner = &*self.inner;
        let secrets = self.secrets(Some(request));
        let sent = inner
            .agent
            .post(&inner.instances_url)
            .header("Authorization", inner.authorization.expose())
            .header("Content-Type", "application/json")
            .send(&body[..]);
        let (status, text) = self.read_response(sent, &secrets)?;
        if status >= 400 {
            return Err(api_error(status, &text, &secrets));
        }
        if !(200..300).contains(&status) {
            return Err(Error::decode(status, "unexpected HTTP status for a create", &redact(&text, &secrets)));
        }
        Instance::decode(status, text, &secrets)
    }

    /// Deletes an instance: `DELETE {base}/instances/{id}`.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Short-lived")
    ///     .config("username", "KEY")
    ///     .config("password", "PW");
    /// let instance = client.create_instance(&request)?;
    /// client.delete_instance(instance.id)?;
    /// assert_eq!(client.delete_instance(instance.id).unwrap_err().status(), Some(404));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn delete_instance(&self, id: i64) -> Result<(), Error> {
        let inner = &*self.inner;
        let secrets = self.secrets(None);
        let sent = inner
            .agent
            .delete(&format!("{}/{id}", inner.instances_url))
            .header("Authorization", inner.authorization.expose())
            .call();
        let (status, text) = self.read_response(sent, &secrets)?;
        match status {
            400.. => Err(api_error(status, &text, &secrets)),
            200..=299 => Ok(()),
            _ => Err(Error::decode(status, "unexpected HTTP status for a delete", &redact(&text, &secrets))),
        }
    }

    /// Everything that must never appear in error text for this request.
    fn secrets<'a>(&'a self, request: Option<&'a InstanceRequest>) -> Vec<&'a str> {
        let c = &self.inner.credentials;
        let mut secrets = vec![c.user_secret().expose(), c.organization_secret().expose()];
        if let Some(request) = request {
            secrets.extend(request.secret_values());
        }
        secrets
    }

    /// Reads the whole body (so the connection goes back to the pool), up to the size cap.
    fn read_response(
        &self,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        secrets: &[&str],
    ) -> Result<(u16, String), Error> {
        let inner = &*self.inner;
        let mut response = sent.map_err(|e| self.map_error(e, secrets))?;
        let status = response.status().as_u16();
        let bytes =
            response.body_mut().with_config().limit(inner.max_response_bytes).read_to_vec().map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(limit) => {
                    Error::decode(status, format!("the response body is larger than the {limit}-byte cap"), "")
                }
                other => self.map_error(other, secrets),
            })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok((status, text)),
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Err(Error::decode(status, "the body is not valid UTF-8", &redact(&lossy, secrets)))
            }
        }
    }

    fn map_error(&self, error: ureq::Error, secrets: &[&str]) -> Error {
        let inner = &*self.inner;
        let transport = |kind: TransportKind, what: &str, error: ureq::Error| {
            let detail = redact(&error.to_string(), secrets);
            Error::Transport { kind, message: format!("{what} ({detail})"), source: Some(Box::new(error)) }
        };
        match error {
            ureq::Error::Timeout(which) => match which {
                ureq::Timeout::Resolve | ureq::Timeout::Connect => {
                    Error::Timeout { kind: TimeoutKind::Connect, limit: inner.connect_timeout }
                }
                _ => Error::Timeout { kind: TimeoutKind::Overall, limit: inner.timeout },
            },
            ureq::Error::HostNotFound => {
                transport(TransportKind::Dns, "the server's host name could not be resolved", error)
            }
            ureq::Error::ConnectionFailed => {
                transport(TransportKind::Connect, "could not connect to the server", error)
            }
            ureq::Error::Io(ref io_error) => match io_error.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    Error::Timeout { kind: TimeoutKind::Overall, limit: inner.timeout }
                }
                io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable => {
                    transport(TransportKind::Connect, "could not connect to the server", error)
                }
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => transport(
                    TransportKind::Reset,
                    "the connection was closed before the whole response arrived; the instance may have been created",
                    error,
                ),
                _ => transport(TransportKind::Io, "I/O error talking to the server", error),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) | ureq::Error::TlsRequired => {
                transport(TransportKind::Tls, "the TLS connection to the server failed", error)
            }
            ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
                transport(TransportKind::Proxy, "the proxy failed the connection", error)
            }
            ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
                transport(TransportKind::Protocol, "the server's answer is not valid HTTP", error)
            }
            other => transport(TransportKind::Io, "the request failed", other),
        }
    }
}

/// Builds an [`Error::Api`] from an error response, keeping what the server said.
fn api_error(status: u16, body: &str, secrets: &[&str]) -> Error {
    let mut cut = body.len().min(MAX_ERROR_BODY);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let body = redact(&body[..cut], secrets);
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .map(|s| crate::error::snippet(&s))
    };
    Error::Api(ApiError {
        status,
        message: field("message"),
        request_id: field("requestId"),
        provider_message: field("providerMessage"),
        body,
    })
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
    }

    #[test]
    fn build_reports_every_problem() {
        let err = Client::builder().base_url("ftp://x").timeout(Duration::ZERO).build().unwrap_err();
        let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn api_error_keeps_what_the_server_said() {
        let err = api_error(
            401,
            r#"{"requestId":"r-1","message":"Invalid secret hunter2","providerMessage":"nope"}"#,
            &["hunter2"],
        );
        let Error::Api(api) = &err else { panic!("{err:?}") };
        assert_eq!(api.message.as_deref(), Some("Invalid secret [redacted]"));
        assert_eq!(api.request_id.as_deref(), Some("r-1"));
        assert_eq!(api.provider_message.as_deref(), Some("nope"));
        assert!(!api.body.contains("hunter2"));
        let html = api_error(502, "<html>Bad Gateway</html>", &[]);
        assert!(html.to_string().contains("<html>Bad Gateway"), "{html}");
    }

    #[test]
    fn debug_hides_the_secrets() {
        let c = Client::new("user-secret-xyz", "org-secret-xyz").unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("secret-xyz"), "{dbg}");
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
    }
}
