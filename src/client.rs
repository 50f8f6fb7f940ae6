//! The client: one configured HTTP agent, the credentials, and the calls.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use ureq::Agent;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::auth::{Credentials, Secret};
use crate::error::{ApiError, Error, MAX_ERROR_BODY, Redactor, TimeoutKind, TransportKind};
use crate::instance::{Instance, InstanceRequest};
use crate::resolver::CachingResolver;
use crate::retry::{
    self, DEFAULT_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_RETRIES, MAX_RETRIES, MAX_RETRY_AFTER, Verdict,
};

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
/// ([`ClientBuilder::idempotent`]); 32 random hexadecimal digits follow.
pub const PROVISIONING_TAG_PREFIX: &str = "ce-provision-";

/// The longest timeout accepted: longer ones overflow clock arithmetic on some platforms, and no
/// call should wait that long.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Idle connections kept for reuse, enough for a few dozen threads sharing one client.
const MAX_IDLE_CONNECTIONS: usize = 32;

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
    retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    idempotent: bool,
    /// Why nothing may be sent (plain http to a remote host, not allowed), if so.
    refusal: Option<String>,
    /// The environment variable the proxy came from, when calls go through one.
    proxy_variable: Option<&'static str>,
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
    retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    idempotent: bool,
    allow_insecure_http: bool,
    ca_bundle: Option<PathBuf>,
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

    /// How many times a failed create is sent again (default 2, at most 10; 0 never retries).
    ///
    /// Only when it certainly created nothing: the connection failed before the request was sent
    /// (refused, unresolved, connect timeout), or the server answered 429 or 503. A timeout or
    /// reset after sending, or a 500 or 502, is retried only with [`idempotent`](Self::idempotent)
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
    /// Off by default because the tag shows on the instance.
    pub fn idempotent(mut self, enabled: bool) -> Self {
        self.idempotent = enabled;
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
        if !crate::catalog::is_http_url(&base_url) {
            problems.push("the base URL must be an http:// or https:// URL".to_owned());
        } else if base_url.contains(['?', '#']) {
            problems.push("the base URL must not have a query or fragment (`?`, `#`)".to_owned());
        } else if url_authority(&base_url).contains('@') {
            // Credentials in the URL would be printed wherever the URL is (Debug, logs).
            problems.push("the base URL must not contain user information (`user:password@`)".to_owned());
        }
        let (proxy, proxy_variable) = match proxy_from_env(&base_url, env_var) {
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
        let extra_roots = match ca_bundle.as_deref().map(read_ca_bundle) {
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

        let tls = if base_url.starts_with("https://") {
            let roots = if extra_roots.is_empty() {
                ROOT_CERTS.clone()
            } else {
                RootCerts::from(DEFAULT_ROOTS.iter().cloned().chain(extra_roots).collect::<Vec<_>>())
            };
            TlsConfig::builder().root_certs(roots).build()
        } else {
            TlsConfig::default()
        };
        let refusal = (base_url.starts_with("http://")
            && !self.allow_insecure_http
            && !is_loopback(&url_host(&base_url).to_ascii_lowercase()))
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
                instances_url: format!("{base_url}/instances"),
                base_url,
                authorization: credentials.authorization(),
                credentials,
                connect_timeout: self.connect_timeout,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                retries: self.retries,
                backoff: self.backoff,
                max_backoff: self.max_backoff,
                idempotent: self.idempotent,
                refusal,
                proxy_variable,
            }),
        })
    }
}

/// The certificates of a PEM CA bundle, or the problem with it (the path is not a secret).
fn read_ca_bundle(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("the CA bundle {shown} cannot be read ({e})"))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(_) => return Err(format!("the CA bundle {shown} is not valid PEM")),
        }
    }
    if certs.is_empty() {
        return Err(format!("the CA bundle {shown} holds no certificate"));
    }
    Ok(certs)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The proxy for `base_url`, chosen from the environment as curl does: `HTTPS_PROXY` (for https)
/// or `HTTP_PROXY` (for http), else `ALL_PROXY`, each also in lower case; none for hosts that
/// `NO_PROXY` lists, and never for loopback (a local sandbox is not behind the corporate proxy).
fn proxy_from_env(
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

/// The authority of a URL: what stands between `://` and the path.
fn url_authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// The host of an http(s) URL, without user info, port or IPv6 brackets.
fn url_host(url: &str) -> &str {
    let authority = url_authority(url);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Mozilla's roots joined with the platform's store, loaded once per process.
static DEFAULT_ROOTS: LazyLock<Vec<Certificate<'static>>> = LazyLock::new(|| {
    let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    // Errors here mean an unreadable system store; Mozilla's roots still apply.
    let native = rustls_native_certs::load_native_certs();
    certs.extend(native.certs.iter().map(|der| Certificate::from_der(der.as_ref()).to_owned()));
    certs
});

/// [`DEFAULT_ROOTS`] as ureq takes them, shared by every client without a CA bundle.
static ROOT_CERTS: LazyLock<RootCerts> = LazyLock::new(|| RootCerts::from(DEFAULT_ROOTS.clone()));

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
    /// passes. A failure that certainly created nothing (no connection, 429, 503) is retried
    /// ([`ClientBuilder::retries`]); one after which the instance may exist (a timeout or reset
    /// after sending, a 500 or 502) is returned, [`Error::instance_may_exist`] saying so, unless
    /// [idempotent provisioning](ClientBuilder::idempotent) is on, which looks the instance up
    /// before sending again. The whole call, retries included, ends within the overall timeout.
    pub fn create_instance(&self, request: &InstanceRequest) -> Result<Instance, Error> {
        request.validate()?;
        let inner = &*self.inner;
        self.check_allowed()?;
        let tagged;
        let (request, tag) = if inner.idempotent {
            let tag = format!("{PROVISIONING_TAG_PREFIX}{:016x}{:016x}", retry::random_u64(), retry::random_u64());
            let mut copy = request.clone();
            copy.add_tag(tag.clone());
            tagged = copy;
            (&tagged, Some(tag))
        } else {
            (request, None)
        };
        let body = request.to_json_bytes();
        let redactor = self.redactor(Some(request));
        let deadline = Instant::now() + inner.timeout;
        let mut retry = 0;
        loop {
            let error = match self.post_instance(&body, retry > 0, deadline, &redactor) {
                Ok(instance) => return Ok(instance),
                Err(error) => error,
            };
            let pause = match retry::verdict(&error) {
                Verdict::Resend(Some(asked)) if asked > MAX_RETRY_AFTER => return Err(error),
                Verdict::Resend(asked) => asked.unwrap_or_else(|| self.backoff(retry)),
                Verdict::Ambiguous => {
                    let Some(tag) = &tag else { return Err(error) };
                    match self.find_by_tag(tag, deadline, &redactor) {
                        Ok(Some(instance)) => return Ok(instance),
                        Ok(None) => self.backoff(retry),
                        // Nothing is known: sending again could duplicate the instance.
                        Err(_) => return Err(error),
                    }
                }
                Verdict::Stop => return Err(error),
            };
            if retry >= inner.retries || Instant::now() + pause >= deadline {
                return Err(error);
            }
            std::thread::sleep(pause);
            retry += 1;
        }
    }

    /// One `POST /instances`; a retry gets what is left of the overall timeout.
    fn post_instance(
        &self,
        body: &[u8],
        is_retry: bool,
        deadline: Instant,
        redactor: &Redactor<'_>,
    ) -> Result<Instance, Error> {
        let inner = &*self.inner;
        let mut call = inner.agent.post(&inner.instances_url);
        if is_retry {
            call = call.config().timeout_global(Some(self.remaining(deadline)?)).build();
        }
        let sent = call
            .header("Authorization", inner.authorization.expose())
            .header("Content-Type", "application/json")
            .send(body);
        let reply = self.read_response(sent, redactor)?;
        if reply.status >= 400 {
            // A server error other than 503 may come after the instance was made.
            let may_exist = reply.status >= 500 && reply.status != 503;
            return Err(api_error(&reply, may_exist, redactor));
        }
        if !(200..300).contains(&reply.status) {
            return Err(Error::decode(reply.status, "unexpected HTTP status for a create", &reply.text, redactor));
        }
        Instance::decode(reply.status, reply.text, redactor)
    }

    /// The instance carrying `tag`, if there is one: `GET /instances?tags[]=<tag>`. The platform
    /// answers 404, not `[]`, when nothing matches.
    fn find_by_tag(&self, tag: &str, deadline: Instant, redactor: &Redactor<'_>) -> Result<Option<Instance>, Error> {
        let inner = &*self.inner;
        // The tag is ASCII letters, digits and `-`: nothing in it needs escaping.
        let url = format!("{}?tags%5B%5D={tag}", inner.instances_url);
        let sent = inner
            .agent
            .get(&url)
            .config()
            .timeout_global(Some(self.remaining(deadline)?))
            .build()
            .header("Authorization", inner.authorization.expose())
            .call();
        let reply = self.read_response(sent, redactor)?;
        match reply.status {
            404 => return Ok(None),
            200..=299 => {}
            _ => return Err(api_error(&reply, false, redactor)),
        }
        let found: Vec<Value> = serde_json::from_str(&reply.text)
            .map_err(|_| Error::decode(reply.status, "the instance list is not a JSON array", &reply.text, redactor))?;
        let tagged = found.into_iter().find(|instance| {
            instance.get("tags").and_then(Value::as_array).is_some_and(|tags| tags.iter().any(|t| t == tag))
        });
        match tagged {
            Some(instance) => Instance::decode(reply.status, instance.to_string(), redactor).map(Some),
            None => Ok(None),
        }
    }

    /// What is left until `deadline`, or the overall timeout error when nothing is.
    fn remaining(&self, deadline: Instant) -> Result<Duration, Error> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Error::Timeout { kind: TimeoutKind::Overall, limit: self.inner.timeout })
        } else {
            Ok(left)
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        retry::backoff(retry, self.inner.backoff, self.inner.max_backoff)
    }

    /// Refuses to send anything when the settings forbid it (plain http to a remote host).
    fn check_allowed(&self) -> Result<(), Error> {
        match &self.inner.refusal {
            Some(reason) => Err(Error::invalid(reason.clone())),
            None => Ok(()),
        }
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
        self.check_allowed()?;
        let redactor = self.redactor(None);
        let sent = inner
            .agent
            .delete(&format!("{}/{id}", inner.instances_url))
            .header("Authorization", inner.authorization.expose())
            .call();
        let reply = self.read_response(sent, &redactor)?;
        match reply.status {
            400.. => Err(api_error(&reply, false, &redactor)),
            200..=299 => Ok(()),
            _ => Err(Error::decode(reply.status, "unexpected HTTP status for a delete", &reply.text, &redactor)),
        }
    }

    /// Hides everything that must never appear in error text for this call.
    fn redactor<'a>(&'a self, request: Option<&'a InstanceRequest>) -> Redactor<'a> {
        let c = &self.inner.credentials;
        let secrets = [c.user_secret().expose(), c.organization_secret().expose()];
        Redactor::new(secrets.into_iter().chain(request.into_iter().flat_map(InstanceRequest::secret_values)))
    }

    /// Reads the whole body (so the connection goes back to the pool), up to the size cap.
    fn read_response(
        &self,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        redactor: &Redactor<'_>,
    ) -> Result<Reply, Error> {
        let inner = &*self.inner;
        let mut response = sent.map_err(|e| self.map_error(e, redactor))?;
        let status = response.status().as_u16();
        let retry_after = if status >= 400 {
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry::parse_retry_after(v, SystemTime::now()))
        } else {
            None
        };
        let bytes =
            response.body_mut().with_config().limit(inner.max_response_bytes).read_to_vec().map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(limit) => Error::decode(
                    status,
                    &format!("the response body is larger than the {limit}-byte cap"),
                    "",
                    redactor,
                ),
                other => self.map_error(other, redactor),
            })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Reply { status, text, retry_after }),
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes());
                Err(Error::decode(status, "the body is not valid UTF-8", &lossy, redactor))
            }
        }
    }

    fn map_error(&self, error: ureq::Error, redactor: &Redactor<'_>) -> Error {
        let inner = &*self.inner;
        let transport = |kind: TransportKind, what: &str, error: ureq::Error| {
            // The source is the library's error as text, redacted like everything else, keeping
            // the I/O error kind for callers that match on it.
            let io_kind = match &error {
                ureq::Error::Io(e) => e.kind(),
                _ => io::ErrorKind::Other,
            };
            let detail = redactor.apply(&error.to_string());
            Error::Transport {
                kind,
                message: format!("{what} ({detail})"),
                source: Some(Box::new(io::Error::new(io_kind, detail))),
            }
        };
        // A connection that could not be opened. With a proxy, the proxy is the only host the
        // client connects to.
        if is_connect_failure(&error) {
            return match inner.proxy_variable {
                Some(variable) => {
                    let what = format!("could not connect to the proxy named by {variable}");
                    transport(TransportKind::Proxy, &what, error)
                }
                None => transport(TransportKind::Connect, "could not connect to the server", error),
            };
        }
        // rustls' errors arrive inside I/O errors.
        let tls_problem = match &error {
            ureq::Error::Io(io_error) => tls_error(io_error).map(|tls| match tls {
                rustls::Error::InvalidCertificate(_) => {
                    "the server's TLS certificate is not trusted (give its CA with a CA bundle if it is yours)"
                }
                _ => "the TLS connection to the server failed",
            }),
            _ => None,
        };
        if let Some(what) = tls_problem {
            return transport(TransportKind::Tls, what, error);
        }
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
            // The standard library's resolver failing (NXDOMAIN and the like) reaches us as a plain
            // I/O error; its message is the only mark of it.
            ureq::Error::Io(ref io_error) if io_error.to_string().contains("failed to lookup address") => {
                transport(TransportKind::Dns, "the server's host name could not be resolved", error)
            }
            ureq::Error::Io(ref io_error) => match io_error.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    Error::Timeout { kind: TimeoutKind::Overall, limit: inner.timeout }
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

/// A response read to the end.
struct Reply {
    status: u16,
    text: String,
    /// `Retry-After` of an error answer.
    retry_after: Option<Duration>,
}

/// Whether the error is a failure to open the TCP connection (refused, unreachable): nothing was
/// sent.
fn is_connect_failure(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::ConnectionFailed => true,
        ureq::Error::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

/// The TLS error inside an I/O error, if that is what it is.
fn tls_error(error: &io::Error) -> Option<&rustls::Error> {
    error.get_ref()?.downcast_ref::<rustls::Error>()
}

/// Builds an [`Error::Api`] from an error response, keeping what the server said.
///
/// The body is parsed before anything is redacted (so secrets JSON-escaped in it are found as the
/// server meant them), and redacted before it is cut to [`MAX_ERROR_BODY`].
fn api_error(reply: &Reply, instance_may_exist: bool, redactor: &Redactor<'_>) -> Error {
    let (status, body) = (reply.status, reply.text.as_str());
    let parsed: Option<Value> = serde_json::from_str(body).ok();
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
            .map(|s| crate::error::snippet(&redactor.apply(&s)))
    };
    let mut body = redactor.apply(body);
    let mut cut = body.len().min(MAX_ERROR_BODY);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body.truncate(cut);
    Error::Api(ApiError {
        status,
        message: field("message"),
        request_id: field("requestId"),
        provider_message: field("providerMessage"),
        body,
        retry_after: reply.retry_after,
        instance_may_exist,
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
        let reply = |status, text: &str| Reply { status, text: text.to_owned(), retry_after: None };
        let err = api_error(
            &reply(401, r#"{"requestId":"r-1","message":"Invalid secret hunter2","providerMessage":"nope"}"#),
            false,
            &Redactor::new(["hunter2"]),
        );
        let Error::Api(api) = &err else { panic!("{err:?}") };
        assert_eq!(api.message.as_deref(), Some("Invalid secret [redacted]"));
        assert_eq!(api.request_id.as_deref(), Some("r-1"));
        assert_eq!(api.provider_message.as_deref(), Some("nope"));
        assert!(!api.body.contains("hunter2"));
        let html = api_error(&reply(502, "<html>Bad Gateway</html>"), true, &Redactor::default());
        assert!(html.to_string().contains("<html>Bad Gateway"), "{html}");
        assert!(html.to_string().ends_with("; the instance may have been created"), "{html}");
        assert!(html.instance_may_exist());
    }

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

    #[test]
    fn root_certificates_join_mozilla_and_the_platform() {
        let RootCerts::Specific(certs) = &*ROOT_CERTS else { panic!("not a specific root set") };
        // The platform's store may be empty on a minimal machine; Mozilla's roots are always there.
        assert!(certs.len() >= webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        let native = rustls_native_certs::load_native_certs().certs.len();
        assert_eq!(certs.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + native);
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

    #[test]
    fn debug_hides_the_secrets() {
        let c = Client::new("user-secret-xyz", "org-secret-xyz").unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("secret-xyz"), "{dbg}");
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
    }
}
