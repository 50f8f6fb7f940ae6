//! `/elements`: an element's definition and its configuration schema, and the "did you mean" of
//! an unknown key.

use std::time::Instant;

use cloud_elements_catalog::{ConfigEntry, ElementDefinition};
use serde_json::Value;
use ureq::http::Method;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::redact::Redactor;
use crate::url::encode_component;

impl Client {
    /// An element's definition: `GET {base}/elements/{key}` (id, name, hub, `typeOauth`,
    /// authentication, and usually its configuration schema). Fields the model does not name are
    /// kept in [`ElementDefinition::extra`]. The platform's answer may leave `configuration` out:
    /// [`element_configuration`](Self::element_configuration) reads it then.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownElement`] when the platform has no such element (with the closest known
    /// keys, when the element list can be read); [`Error::InvalidInput`] for an empty key; the
    /// call's error otherwise. Sent again after a lost answer or a 429, 500, 502, 503 or 504, as
    /// every read is.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let clover = client.element("clover")?;
    /// assert!(clover.is_oauth());
    /// assert_eq!(clover.hub.as_deref(), Some("employee"));
    /// let err = client.element("pardott").unwrap_err();
    /// assert_eq!(err.to_string(), "no element with key `pardott` (did you mean `pardot`?)");
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn element(&self, key: &str) -> Result<ElementDefinition, Error> {
        let deadline = Instant::now() + self.inner.timeout;
        self.element_until(key, deadline, &self.redactor([]))
    }

    /// An element's configuration schema: `GET {base}/elements/{key}/configuration`, one
    /// [`ConfigEntry`] per setting (key, name, type, `required`, `defaultValue`,
    /// `hideFromConsole`, `internal`, `displayOrder`; other fields kept in
    /// [`ConfigEntry::extra`]). Errors as for [`element`](Self::element).
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let entries = client.element_configuration("pardot")?;
    /// let required: Vec<&str> = entries.iter().filter(|e| e.must_supply()).map(|e| e.key.as_str()).collect();
    /// assert_eq!(required, ["apikey.user.name", "apikey.user.password", "apikey.user.key"]);
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn element_configuration(&self, key: &str) -> Result<Vec<ConfigEntry>, Error> {
        let deadline = Instant::now() + self.inner.timeout;
        self.configuration_until(key, deadline, &self.redactor([]))
    }

    /// The definition to validate a request for `key` with: the element, and its configuration
    /// from the answer when it has one, else from `GET /elements/{key}/configuration`.
    pub(crate) fn fetch_definition(&self, key: &str, deadline: Instant) -> Result<ElementDefinition, Error> {
        let redactor = self.redactor([]);
        let mut definition = self.element_until(key, deadline, &redactor)?;
        if definition.configuration.is_empty() {
            definition.configuration = self.configuration_until(key, deadline, &redactor)?;
        }
        Ok(definition)
    }

    pub(crate) fn element_until(
        &self,
        key: &str,
        deadline: Instant,
        redactor: &Redactor<'_>,
    ) -> Result<ElementDefinition, Error> {
        let text = self.element_get(key, "", deadline, redactor)?;
        serde_json::from_str(&text)
            .map_err(|e| Error::decode(200, &format!("the answer is not an element definition ({e})"), &text, redactor))
    }

    fn configuration_until(
        &self,
        key: &str,
        deadline: Instant,
        redactor: &Redactor<'_>,
    ) -> Result<Vec<ConfigEntry>, Error> {
        let text = self.element_get(key, "/configuration", deadline, redactor)?;
        serde_json::from_str(&text).map_err(|e| {
            Error::decode(200, &format!("the answer is not a list of configuration entries ({e})"), &text, redactor)
        })
    }

    /// `GET /elements/{key}{rest}`'s body; a 404 is the unknown element error.
    fn element_get(&self, key: &str, rest: &str, deadline: Instant, redactor: &Redactor<'_>) -> Result<String, Error> {
        if key.trim().is_empty() {
            return Err(Error::invalid("the element key is empty"));
        }
        let call = Call::new(Method::GET, format!("/elements/{}{rest}", encode_component(key)));
        match self.call_until(&call, Some(deadline), redactor) {
            Ok(reply) => Ok(reply.text),
            Err(error) if error.status() == Some(404) => Err(self.unknown_element(key, error, deadline, redactor)),
            Err(error) => Err(error),
        }
    }

    /// The error for a 404 on `/elements/{key}`: [`Error::UnknownElement`] with the closest keys
    /// of the element list and the built-ins. When the element list is a 404 too, the base URL is
    /// wrong rather than the key, and the original error stands.
    fn unknown_element(&self, key: &str, not_found: Error, deadline: Instant, redactor: &Redactor<'_>) -> Error {
        let builtins = cloud_elements_catalog::builtins().iter().map(|e| e.key.clone());
        let listed = match self.call_until(&Call::new(Method::GET, "/elements"), Some(deadline), redactor) {
            Ok(reply) => element_keys(&reply.text),
            Err(error) if error.status() == Some(404) => return not_found,
            Err(_) => Vec::new(),
        };
        let mut known: Vec<String> = listed.into_iter().chain(builtins).collect();
        known.sort_unstable();
        known.dedup();
        let suggestions = cloud_elements_catalog::closest_keys(key, known.iter().map(String::as_str))
            .into_iter()
            .map(str::to_owned)
            .collect();
        Error::UnknownElement { key: key.to_owned(), suggestions }
    }
}

/// The keys of the elements in a `GET /elements` answer (nothing when it is not a list).
fn element_keys(text: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            items.iter().filter_map(|item| item.get("key").and_then(Value::as_str)).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}
