//! The client: one configured HTTP agent and the credentials, shared by every call. The calls
//! themselves are in `endpoints/`, each group in its own `impl Client` block.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ureq::Agent;

use crate::auth::{Credentials, Secret};
use crate::builder::ClientBuilder;
use crate::error::Error;
use crate::redact::Redactor;
use crate::schemas::{SchemaCache, Validation};

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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) agent: Agent,
    pub(crate) base_url: String,
    pub(crate) credentials: Credentials,
    /// `User <u>, Organization <o>`, made once.
    pub(crate) authorization: Secret,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) retries: u32,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) idempotent: bool,
    /// What is checked before a create is sent.
    pub(crate) validation: Validation,
    /// Element definitions fetched for validation.
    pub(crate) schemas: SchemaCache,
    /// Why nothing may be sent (plain http to a remote host, not allowed), if so.
    pub(crate) refusal: Option<String>,
    /// The environment variable the proxy came from, when calls go through one.
    pub(crate) proxy_variable: Option<&'static str>,
    /// Whether `{base}/instances` has answered with a success on this client: a 404 to a search
    /// then means "nothing matches", not a wrong base URL (see `Client::list_instances`).
    pub(crate) list_path_confirmed: AtomicBool,
}

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

    /// Hides everything that must never appear in error text for one call: the user and
    /// organization secrets, and `more` (configuration values, instance tokens).
    pub(crate) fn redactor<'a>(&'a self, more: impl IntoIterator<Item = &'a str>) -> Redactor<'a> {
        let c = &self.inner.credentials;
        let secrets = [c.user_secret().expose(), c.organization_secret().expose()];
        Redactor::new(secrets.into_iter().chain(more))
    }

    /// Refuses to send anything when the settings forbid it (plain http to a remote host).
    pub(crate) fn check_allowed(&self) -> Result<(), Error> {
        match &self.inner.refusal {
            Some(reason) => Err(Error::invalid(reason.clone())),
            None => Ok(()),
        }
    }
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
    fn debug_hides_the_secrets() {
        let c = Client::new("user-secret-xyz", "org-secret-xyz").unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("secret-xyz"), "{dbg}");
        assert_eq!(c.base_url(), crate::DEFAULT_BASE_URL);
    }
}
