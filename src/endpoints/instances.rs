//! `/instances` and `/instances/{id}`: list, get, update, delete.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::Value;
use ureq::http::Method;

use crate::call::{Call, Reply};
use crate::client::Client;
use crate::error::{Effect, Error};
use crate::models::filter::InstanceFilter;
use crate::models::instance::Instance;
use crate::models::update::InstanceUpdate;
use crate::redact::Redactor;
use crate::retry::Resend;

impl Client {
    /// Lists instances: `GET {base}/instances` with the filter's `tags[]`, `searchText` and
    /// `hydrate`.
    ///
    /// The platform answers a search that matches nothing with 404, not `[]`; that answer is an
    /// empty list here. A 404 for a wrong path (a wrong base URL) stays an error. The rule: a 404
    /// is "nothing matches" when the filter narrows the list (a tag or a search text: a plain
    /// list never answers 404 for want of matches), its body is the platform's JSON error (not a
    /// proxy's or web server's page), and `{base}/instances` is known to exist — it has answered
    /// a create or a list with a success on this client, or, the first time, one unfiltered
    /// `GET /instances?hydrate=false` is not answered 404.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::{InstanceFilter, InstanceRequest};
    ///
    /// let request = InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW")
    ///     .tag("team-a");
    /// let created = client.create_instance(&request)?;
    /// let found = client.list_instances(&InstanceFilter::new().tag("team-a"))?;
    /// assert_eq!(found.iter().map(|i| i.id).collect::<Vec<_>>(), [created.id]);
    /// assert!(client.list_instances(&InstanceFilter::new().tag("nobody-has-this"))?.is_empty());
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn list_instances(&self, filter: &InstanceFilter) -> Result<Vec<Instance>, Error> {
        let redactor = self.redactor([]);
        let call = Call::new(Method::GET, "/instances").query(filter.to_query());
        let deadline = Instant::now() + self.inner.timeout;
        match self.call_until(&call, Some(deadline), &redactor) {
            Ok(reply) => {
                self.confirm_list_path();
                decode_list(reply, &redactor)
            }
            Err(Error::Api(api))
                if api.status == 404
                    && filter.narrows()
                    && serde_json::from_str::<Value>(&api.body).is_ok_and(|body| body.is_object()) =>
            {
                if self.list_path_exists(deadline, &redactor)? { Ok(Vec::new()) } else { Err(Error::Api(api)) }
            }
            Err(error) => Err(error),
        }
    }

    /// Whether `{base}/instances` exists: known from an earlier success, else asked once.
    fn list_path_exists(&self, deadline: Instant, redactor: &Redactor<'_>) -> Result<bool, Error> {
        if self.inner.list_path_confirmed.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let probe = Call::new(Method::GET, "/instances").query("hydrate=false".to_owned());
        match self.call_until(&probe, Some(deadline), redactor) {
            Ok(_) => {
                self.confirm_list_path();
                Ok(true)
            }
            Err(error) if error.status() == Some(404) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// One instance: `GET {base}/instances/{id}`. Secret configuration values come back masked
    /// (`********`); an unknown id is an [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) error.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW");
    /// let created = client.create_instance(&request)?;
    /// let read = client.get_instance(created.id)?;
    /// assert_eq!(read.name.as_deref(), Some("Sales"));
    /// assert_eq!(read.configuration.unwrap()["password"].expose(), "********");
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn get_instance(&self, id: i64) -> Result<Instance, Error> {
        let redactor = self.redactor([]);
        let reply = self.call(&Call::new(Method::GET, format!("/instances/{id}")), &redactor)?;
        Instance::decode(reply.status, reply.text, &redactor)
    }

    /// Changes an instance: `PATCH {base}/instances/{id}` with what `update` sets. Tags are
    /// replaced, not merged; a new OAuth code re-authenticates the instance. Returns the instance
    /// as the server answers it. Sending the same change twice is harmless, so a lost answer or a
    /// 429, 500, 502, 503 or 504 is retried; but an update carrying an OAuth code (single-use) is
    /// sent again only when nothing can have reached the server (a refused connection, a 429 or
    /// 503), and a lost answer is an error whose `outcome_unknown()` is true.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::{InstanceRequest, InstanceUpdate};
    ///
    /// let request = InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW")
    ///     .tag("a")
    ///     .tag("b");
    /// let created = client.create_instance(&request)?;
    /// let updated = client.update_instance(created.id, &InstanceUpdate::new().name("Sales EU").tags(["eu"]))?;
    /// assert_eq!(updated.name.as_deref(), Some("Sales EU"));
    /// assert_eq!(updated.extra["tags"], serde_json::json!(["eu"]));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn update_instance(&self, id: i64, update: &InstanceUpdate) -> Result<Instance, Error> {
        let problems = update.problems();
        if !problems.is_empty() {
            return Err(Error::InvalidInput { problems });
        }
        let redactor = self.redactor(update.secret_values());
        let mut call = Call::new(Method::PATCH, format!("/instances/{id}")).json(update.to_json().into_bytes());
        if update.has_oauth_code() {
            // An OAuth code is single-use: a resent PATCH would spend it twice and fail.
            call.resend = Resend::OnlyIfNothingSent;
            call.effect = Effect::MayHaveTakenEffect;
        }
        let reply = self.call(&call, &redactor)?;
        Instance::decode(reply.status, reply.text, &redactor).map_err(|e| e.after_sending(call.effect))
    }

    /// Deletes an instance: `DELETE {base}/instances/{id}`.
    ///
    /// Sent again after a lost answer or a 429, 500, 502, 503 or 504, as every idempotent call
    /// is. When an earlier attempt's answer was lost and the next finds no instance (404), the
    /// earlier one deleted it: that is a success.
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
        self.check_allowed()?;
        let redactor = self.redactor([]);
        let call = Call::new(Method::DELETE, format!("/instances/{id}"));
        let deadline = Instant::now() + self.inner.timeout;
        let lost = Cell::new(false);
        let attempt = |is_retry: bool| match self.attempt(&call, is_retry.then_some(deadline), &redactor) {
            Ok(_) => Ok(()),
            Err(error) if lost.get() && error.status() == Some(404) => Ok(()),
            Err(error) => {
                lost.set(lost.get() || error.outcome_unknown());
                Err(error)
            }
        };
        self.retrying(Resend::Always, deadline, attempt, None)
    }
}

/// The instances of a list answer.
fn decode_list(reply: Reply, redactor: &Redactor<'_>) -> Result<Vec<Instance>, Error> {
    let items: Vec<Value> = serde_json::from_str(&reply.text)
        .map_err(|_| Error::decode(reply.status, "the instance list is not a JSON array", &reply.text, redactor))?;
    items.into_iter().map(|item| Instance::decode(reply.status, item.to_string(), redactor)).collect()
}
