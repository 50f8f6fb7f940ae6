//! `/instances/{id}/configuration`: an instance's configuration entries, read and changed one by
//! one.

use std::time::Instant;

use ureq::http::Method;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::models::configuration::ConfigurationEntry;
use crate::redact::Redactor;

impl Client {
    /// The configuration entries of an instance: `GET {base}/instances/{id}/configuration`, the
    /// common entries (`event.*`, `filter.response.nulls`) included. Secret values come back as
    /// the server sent them (masked, `********`).
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW");
    /// let instance = client.create_instance(&request)?;
    /// let entries = client.instance_configuration(instance.id)?;
    /// let password = entries.iter().find(|e| e.key == "password").unwrap();
    /// assert_eq!(password.property_value.expose(), "********");
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn instance_configuration(&self, id: i64) -> Result<Vec<ConfigurationEntry>, Error> {
        self.configuration_entries(id, None, &self.redactor([]))
    }

    /// Changes one configuration entry of an instance: finds the entry's id by `key` (from
    /// [`instance_configuration`](Self::instance_configuration)), then
    /// `PATCH {base}/instances/{id}/configuration/{entry id}` with the entry and `value` as its
    /// `propertyValue`. Returns the entry as the server answers it. A key the instance does not
    /// have is an [`Error::InvalidInput`] naming the key, and nothing is changed.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW")
    ///     .filter_response_nulls(true);
    /// let instance = client.create_instance(&request)?;
    /// let entry = client.update_instance_configuration(instance.id, "filter.response.nulls", "false")?;
    /// assert_eq!(entry.property_value.expose(), "false");
    /// let err = client.update_instance_configuration(instance.id, "no.such.key", "x").unwrap_err();
    /// assert!(err.to_string().contains("`no.such.key`"));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn update_instance_configuration(&self, id: i64, key: &str, value: &str) -> Result<ConfigurationEntry, Error> {
        let redactor = self.redactor([value]);
        let deadline = Instant::now() + self.inner.timeout;
        let entries = self.configuration_entries(id, Some(deadline), &redactor)?;
        let Some(entry) = entries.iter().find(|e| e.key == key) else {
            return Err(Error::invalid(format!("instance {id} has no configuration entry `{key}`")));
        };
        let path = format!("/instances/{id}/configuration/{}", entry.id);
        let call = Call::new(Method::PATCH, path).json(entry.patch_body(value));
        let reply = self.call_until(&call, Some(deadline), &redactor)?;
        serde_json::from_str(&reply.text).map_err(|_| {
            Error::decode(reply.status, "the answer is not a configuration entry", &reply.text, &redactor)
                .after_sending(call.effect)
        })
    }

    fn configuration_entries(
        &self,
        id: i64,
        deadline: Option<Instant>,
        redactor: &Redactor<'_>,
    ) -> Result<Vec<ConfigurationEntry>, Error> {
        let call = Call::new(Method::GET, format!("/instances/{id}/configuration"));
        let reply = self.call_until(&call, deadline, redactor)?;
        serde_json::from_str(&reply.text).map_err(|_| {
            Error::decode(reply.status, "the answer is not a list of configuration entries", &reply.text, redactor)
        })
    }
}
