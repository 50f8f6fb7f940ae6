//! The client's settings, checked all at once, and the HTTP agent they make.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ureq::Agent;

use crate::auth::{Credentials, Secret};
use crate::client::{Client, Inner};
use crate::error::Error;
use crate::resolver::CachingResolver;
use crate::retry::{DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_RETRIES, MAX_RETRIES};
use crate::schemas::{SchemaCache, Validation};
use crate::{proxy, tls, url};

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
/// Environment variable naming a PEM file of extra CA certificates to trust (read by every
/// client that is not given [`ClientBuilder::ca_bundle`]).
pub const ENV_CA_BUNDLE: &str = "CLOUD_ELEMENTS_CA_BUNDLE";

/// The start of the tag that idempotent provisioning adds to a create
/// ([`ClientBuilder::idempotent`]); 32 random hexadecimal digits follow, or the request's
/// [idempotency key](crate::InstanceRequest::idempotency_key) when it has one.
pub const PROVISIONING_TAG_PREFIX: &str = "ce-provision-";

/// The longest timeout accepted: longer ones overflow clock arithmetic on some platforms, and no
/// call should wait that long.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Idle connections kept for reuse, enough for a few dozen threads sharing one client.
const MAX_IDLE_CONNECTIONS: usize = 32;

const USER_AGENT: &str = concat!("cloud-elements-rust/", env!("CARGO_PKG_VERSION"));

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
    retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    idempotent: bool,
    allow_insecure_http: bool,
    ca_bundle: Option<PathBuf>,
    validation: Validation,
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
            retries: DEFAULT_RETRIES,
            backoff: DEFAULT_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            idempotent: false,
            allow_insecure_http: false,
            ca_bundle: None,
            validation: Validation::Full,
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

    /// How long a whole call may take, reading the response and any retries included (default
    /// 60 s). No call outlasts it: a retry or a `Retry-After` wait that would end after it is not
    /// made.
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

    /// How many times a failed call is sent again (default 2, at most 10; 0 never retries).
    ///
    /// Reads, deletes, updates and enable/disable are sent again after a failed connection, a
    /// reset or a timeout of one attempt while time is left, and a 429, 500, 502, 503 or 504.
    /// A create only when it certainly created nothing: the connection failed before the request
    /// was sent (refused, unresolved, connect timeout), or the server answered 429 or 503. A reset
    /// after sending, or a 500 or 502, is retried only with [`idempotent`](Self::idempotent)
    /// provisioning, after looking the instance up.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The pause before the first retry, doubled for each next one up to `max`, with jitter
    /// (default 0.5 s and 8 s). A server's `Retry-After` replaces it, up to 60 s; a longer one
    /// ends the call with an [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) error.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Idempotent provisioning (default off): each create carries one more tag,
    /// [`PROVISIONING_TAG_PREFIX`] and 32 random hex digits, and after an ambiguous failure (a
    /// timeout or reset after the request was sent, a 500 or 502) the client looks the instance
    /// up with `GET /instances?tags[]=<that tag>` before sending again: found, it is returned;
    /// not found, the create is retried. Without it such failures are returned as they are
    /// ([`Error::instance_may_exist`]).
    ///
    /// Off by default because the tag shows on the instance. A request with its own
    /// [idempotency key](crate::InstanceRequest::idempotency_key) is always looked up by the
    /// key's tag, before the create and after an ambiguous failure, whatever this setting.
    pub fn idempotent(mut self, enabled: bool) -> Self {
        self.idempotent = enabled;
        self
    }

    /// What is checked before a create is sent (default [`Validation::Full`]: built-in elements
    /// offline, any other element against its definition, fetched once per client and cached:
    /// up to 256 elements, each for 10 minutes; two threads' first creates of the same element at
    /// once may both fetch it, which is harmless).
    /// [`Validation::Offline`] never fetches a definition; [`Validation::Off`] leaves the element's
    /// rules to the server.
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// Allows plain `http://` to a host that is not loopback (default off). Without it the client
    /// refuses to send the secrets unencrypted over a network, and says so.
    pub fn allow_insecure_http(mut self, allowed: bool) -> Self {
        self.allow_insecure_http = allowed;
        self
    }

    /// A PEM file of CA certificates to trust besides Mozilla's roots and the platform's store
    /// (a company CA, a test CA). Without it, `CLOUD_ELEMENTS_CA_BUNDLE` is read when set.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
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
        if let Some(problem) = url::base_url_problem(&base_url) {
            problems.push(problem.to_owned());
        }
        let (proxy, proxy_variable) = match proxy::proxy_from_env(&base_url, env_var) {
            Ok(Some((proxy, variable))) => (Some(proxy), Some(variable)),
            Ok(None) => (None, None),
            Err(problem) => {
                problems.push(problem);
                (None, None)
            }
        };
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            problems.push("timeouts must be longer than zero".to_owned());
        } else if self.timeout > MAX_TIMEOUT || self.connect_timeout > MAX_TIMEOUT {
            problems.push("timeouts must be at most one day".to_owned());
        }
        if self.max_response_bytes == 0 {
            problems.push("the response size cap must be at least one byte".to_owned());
        }
        if self.retries > MAX_RETRIES {
            problems.push(format!("at most {MAX_RETRIES} retries can be set"));
        }
        if self.backoff > MAX_TIMEOUT || self.max_backoff > MAX_TIMEOUT {
            problems.push("backoff pauses must be at most one day".to_owned());
        }
        let ca_bundle = self.ca_bundle.clone().or_else(|| env_var(ENV_CA_BUNDLE).map(PathBuf::from));
        let extra_roots = match ca_bundle.as_deref().map(tls::read_ca_bundle) {
            Some(Ok(certs)) => certs,
            Some(Err(problem)) => {
                problems.push(problem);
                Vec::new()
            }
            None => Vec::new(),
        };
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

        let tls = tls::tls_config(&base_url, extra_roots);
        let refusal = (base_url.starts_with("http://")
            && !self.allow_insecure_http
            && !url::is_loopback(&url::url_host(&base_url).to_ascii_lowercase()))
        .then(|| {
            "refusing to send the secrets over plain http:// to a host that is not loopback: anyone on the \
             network could read them; use https://, or allow insecure http explicitly"
                .to_owned()
        });
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .user_agent(USER_AGENT)
            .accept("application/json")
            // A POST is never redirected: the secrets must not follow a redirect elsewhere.
            .max_redirects(0)
            .max_redirects_will_error(false)
            // ureq keeps 3 idle connections per host by default; a client shared by many threads
            // provisioning in bulk would reconnect for most calls.
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
            .tls_config(tls)
            .proxy(proxy)
            .build();
        // ureq's connectors (CONNECT proxy, TCP, rustls), with a leaner TCP transport, and a resolver
        // that does not spawn a thread per call (see transport.rs and resolver.rs).
        let agent = Agent::with_parts(config, crate::transport::connector(), CachingResolver::default());
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                base_url,
                list_path_confirmed: AtomicBool::new(false),
                authorization: credentials.authorization(),
                credentials,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                retries: self.retries,
                backoff: self.backoff,
                max_backoff: self.max_backoff,
                idempotent: self.idempotent,
                validation: self.validation,
                schemas: SchemaCache::default(),
                refusal,
                proxy_variable,
            }),
        })
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_reports_every_problem() {
        let err = Client::builder().base_url("ftp://x").timeout(Duration::ZERO).build().unwrap_err();
        let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn base_url_with_query_or_credentials_is_refused() {
        let build = |url: &str| Client::builder().base_url(url).user_secret("u").organization_secret("o").build();
        assert!(build("https://x.example/api?a=1").unwrap_err().to_string().contains("query or fragment"));
        let err = build("http://bob:hunter22@127.0.0.1:1/x").unwrap_err().to_string();
        assert!(err.contains("user information") && !err.contains("hunter22"), "{err}");
    }

    #[test]
    fn huge_timeouts_are_refused_not_overflowed() {
        let err = Client::builder()
            .user_secret("u")
            .organization_secret("o")
            .timeout(Duration::from_secs_f64(1e19))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("at most one day"), "{err}");
        Client::builder().user_secret("u").organization_secret("o").timeout(MAX_TIMEOUT).build().unwrap();
    }
}
