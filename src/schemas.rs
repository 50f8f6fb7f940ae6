//! Which definition a request is checked against before it is sent: the [`Validation`] switch, and
//! the per-client cache of the definitions fetched from the platform for elements that are not
//! built in.
//!
//! The cache holds up to [`CAPACITY`] elements, each for [`TTL`]; a full cache first forgets what
//! has expired, then the element fetched longest ago. It is a `Mutex<HashMap>` held only to look up
//! or insert, never during a request: two threads creating instances of the same new element at
//! the same moment may both fetch its definition once (the second insert wins), which costs a
//! request and is otherwise harmless.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cloud_elements_catalog::ElementDefinition;

use crate::client::Client;
use crate::error::Error;
use crate::models::request::InstanceRequest;
use crate::validate::{typographic_quote, validate_against};

/// How many fetched element definitions a client keeps.
pub(crate) const CAPACITY: usize = 256;
/// How long a fetched element definition is used before it is fetched again.
pub(crate) const TTL: Duration = Duration::from_secs(10 * 60);

/// What a client checks before it sends a create ([`ClientBuilder::validation`](crate::ClientBuilder::validation)).
///
/// Every mode checks the request's own shape (an element key and a name, no typographic quotes,
/// the common `event.*` and `filter.*` entries, a well-formed idempotency key).
///
/// ```
/// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
/// use cloud_elements::{Client, InstanceRequest, Validation};
///
/// let client = Client::builder()
///     .base_url(sandbox.url())
///     .user_secret(sandbox.user_secret())
///     .organization_secret(sandbox.organization_secret())
///     .validation(Validation::Offline)
///     .build()?;
/// assert_eq!(client.validation(), Validation::Offline);
/// // Built-in elements are still checked offline...
/// assert!(client.validate_request(&InstanceRequest::new("closeio", "Sales")).is_err());
/// // ...and any other element passes without a request.
/// client.validate_request(&InstanceRequest::new("mypostgresql", "Warehouse"))?;
/// assert_eq!(sandbox.request_count(), 0);
/// # Ok::<(), cloud_elements::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Validation {
    /// The default: built-in elements (`closeio`, `pardot`, `clover`) are checked offline; any
    /// other element's definition is fetched (`GET /elements/{key}`, and its configuration when
    /// the answer has none) once per client and cached, and the request is checked against it. An
    /// element the platform does not know is an [`Error::UnknownElement`].
    #[default]
    Full,
    /// Built-in elements only: no definition is ever fetched, other elements pass.
    Offline,
    /// No element checks at all: the server decides.
    Off,
}

/// The definition a request is checked against.
enum Schema {
    Builtin(&'static ElementDefinition),
    Fetched(Arc<ElementDefinition>),
}

/// How long a failed fetch made only to tell secrets apart is not tried again.
const MISS_TTL: Duration = Duration::from_secs(60);

/// Fetched definitions by element key, each with when it was fetched.
#[derive(Default)]
pub(crate) struct SchemaCache {
    entries: Mutex<HashMap<String, (Instant, Arc<ElementDefinition>)>>,
    /// Elements whose definition could not be fetched for [`Client::is_secret_entry`], and when.
    misses: Mutex<HashMap<String, Instant>>,
}

impl SchemaCache {
    /// The definition of `key`, if fetched less than [`TTL`] ago.
    fn get(&self, key: &str) -> Option<Arc<ElementDefinition>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(key) {
            Some((at, definition)) if at.elapsed() < TTL => Some(Arc::clone(definition)),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps `definition` as `key`'s, making room when the cache is full.
    fn insert(&self, key: &str, definition: Arc<ElementDefinition>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY && !entries.contains_key(key) {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                let oldest = entries.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key.to_owned(), (Instant::now(), definition));
    }

    /// Whether fetching `key`'s definition failed less than [`MISS_TTL`] ago.
    fn missed(&self, key: &str) -> bool {
        let misses = self.misses.lock().unwrap_or_else(PoisonError::into_inner);
        misses.get(key).is_some_and(|at| at.elapsed() < MISS_TTL)
    }

    /// Remembers that fetching `key`'s definition failed.
    fn note_miss(&self, key: &str) {
        let mut misses = self.misses.lock().unwrap_or_else(PoisonError::into_inner);
        if misses.len() >= CAPACITY {
            misses.clear();
        }
        misses.insert(key.to_owned(), Instant::now());
    }

    /// How many definitions are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Client {
    /// The validation mode ([`ClientBuilder::validation`](crate::ClientBuilder::validation)).
    pub fn validation(&self) -> Validation {
        self.inner.validation
    }

    /// Checks `request` as [`create_instance`](Self::create_instance) does before sending it,
    /// without creating anything: by the client's [`Validation`] mode, fetching (and caching) the
    /// element's definition when it is not built in. Use it for a dry run, or to check a whole
    /// batch before creating any of it.
    ///
    /// # Errors
    ///
    /// [`Error::MissingConfiguration`] naming every missing entry in display order (and
    /// `providerData.code` for an OAuth element without a code), [`Error::InvalidInput`],
    /// [`Error::UnknownElement`], or the error of the definition's fetch.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::{Error, InstanceRequest};
    ///
    /// let request = InstanceRequest::new("closeio", "Sales").config("username", "KEY");
    /// assert_eq!(client.validate_request(&request).unwrap_err().missing(), ["password"]);
    /// let err = client.validate_request(&InstanceRequest::new("closio", "Sales")).unwrap_err();
    /// assert!(matches!(err, Error::UnknownElement { .. }));
    /// assert_eq!(err.to_string(), "no element with key `closio` (did you mean `closeio`?)");
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn validate_request(&self, request: &InstanceRequest) -> Result<(), Error> {
        self.check_request(request, Instant::now() + self.inner.timeout)
    }

    /// [`validate_request`](Self::validate_request), any fetch ending by `deadline`.
    ///
    /// What can be known without a request is reported without one: a request refused by its own
    /// shape (or by the common entries) is refused before any definition is fetched.
    pub(crate) fn check_request(&self, request: &InstanceRequest, deadline: Instant) -> Result<(), Error> {
        if cloud_elements_catalog::builtin(request.element_key()).is_none() {
            validate_against(request, None)?;
        }
        let schema = self.schema_for(request.element_key(), deadline)?;
        let definition = match &schema {
            Some(Schema::Builtin(definition)) => Some(*definition),
            Some(Schema::Fetched(definition)) => Some(definition.as_ref()),
            None => None,
        };
        validate_against(request, definition)
    }

    /// Whether the value of configuration entry `key` of element `element_key` is a credential,
    /// to be hidden when shown (the command line masks it, Python gives it as a `Secret`): by the
    /// built-in definition when the element has one; else by the definition fetched from the
    /// platform (its `PASSWORD`-typed entries, so that a secret with a neutral key such as `pin`
    /// is hidden too); else by the key's name ([`catalog::is_secret_name`](crate::catalog::is_secret_name)).
    ///
    /// The fetched definition is the one this client keeps for its checks before a create. With
    /// [`Validation::Full`] (the default) a definition not kept yet is fetched here, once per
    /// element for the cache's lifetime, within the overall timeout: a request's worth for every
    /// instance of that element shown afterwards. A failed fetch is not an error (the name rule
    /// decides) and is not tried again for a minute. With [`Validation::Offline`] or
    /// [`Validation::Off`] nothing is ever fetched here.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// assert!(client.is_secret_entry("closeio", "password"));
    /// assert!(!client.is_secret_entry("pardot", "apikey.user.name"));
    /// // Not built in: the platform's definition, else the key's name.
    /// assert!(client.is_secret_entry("no-such-element", "api.secret"));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn is_secret_entry(&self, element_key: &str, key: &str) -> bool {
        self.secret_entry(element_key, key, self.inner.validation == Validation::Full)
    }

    /// [`is_secret_entry`](Self::is_secret_entry), fetching a definition not kept yet only when
    /// `fetch`.
    pub(crate) fn secret_entry(&self, element_key: &str, key: &str, fetch: bool) -> bool {
        if let Some(definition) = cloud_elements_catalog::builtin(element_key) {
            return definition.is_secret(key);
        }
        match self.kept_definition(element_key, fetch) {
            Some(definition) => definition.is_secret(key),
            None => cloud_elements_catalog::is_secret_name(key, None),
        }
    }

    /// The fetched definition of `key` this client keeps, fetching it when `fetch` and it is not
    /// kept (and did not fail lately).
    fn kept_definition(&self, key: &str, fetch: bool) -> Option<Arc<ElementDefinition>> {
        if let Some(definition) = self.inner.schemas.get(key) {
            return Some(definition);
        }
        let malformed = key.trim().is_empty() || key.chars().any(char::is_control) || typographic_quote(key).is_some();
        if !fetch || malformed || self.inner.schemas.missed(key) || self.check_allowed().is_err() {
            return None;
        }
        match self.fetch_definition(key, Instant::now() + self.inner.timeout) {
            Ok(definition) => {
                let definition = Arc::new(definition);
                self.inner.schemas.insert(key, Arc::clone(&definition));
                Some(definition)
            }
            Err(_) => {
                self.inner.schemas.note_miss(key);
                None
            }
        }
    }

    /// The definition to check a request for element `key` against, by the validation mode.
    fn schema_for(&self, key: &str, deadline: Instant) -> Result<Option<Schema>, Error> {
        let mode = self.inner.validation;
        if mode == Validation::Off {
            return Ok(None);
        }
        if let Some(definition) = cloud_elements_catalog::builtin(key) {
            return Ok(Some(Schema::Builtin(definition)));
        }
        // A key the shape check refuses is not worth a request.
        let malformed = key.trim().is_empty() || key.chars().any(char::is_control) || typographic_quote(key).is_some();
        if mode == Validation::Offline || malformed {
            return Ok(None);
        }
        if let Some(definition) = self.inner.schemas.get(key) {
            return Ok(Some(Schema::Fetched(definition)));
        }
        let definition = Arc::new(self.fetch_definition(key, deadline)?);
        self.inner.schemas.insert(key, Arc::clone(&definition));
        Ok(Some(Schema::Fetched(definition)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(key: &str) -> Arc<ElementDefinition> {
        let text = format!(r#"{{"key": "{key}"}}"#);
        Arc::new(cloud_elements_catalog::parse_definitions(&text).unwrap().remove(0))
    }

    #[test]
    fn the_cache_is_bounded_and_forgets_the_oldest() {
        let cache = SchemaCache::default();
        for i in 0..CAPACITY {
            cache.insert(&format!("e{i}"), definition(&format!("e{i}")));
        }
        assert_eq!(cache.len(), CAPACITY);
        cache.insert("new", definition("new"));
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.get("e0").is_none(), "the oldest is forgotten");
        assert_eq!(cache.get("new").unwrap().key, "new");
        assert!(cache.get("e1").is_some());
    }

    #[test]
    fn expired_definitions_are_fetched_again() {
        let cache = SchemaCache::default();
        cache.insert("acme", definition("acme"));
        if let Some(old) = Instant::now().checked_sub(TTL) {
            cache.entries.lock().unwrap().get_mut("acme").unwrap().0 = old;
            assert!(cache.get("acme").is_none());
            assert_eq!(cache.len(), 0);
        }
    }
}
