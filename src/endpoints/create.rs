//! `POST /instances`: create, with the by-tag lookup of idempotency keys and idempotent
//! provisioning.

use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::http::Method;

use crate::builder::PROVISIONING_TAG_PREFIX;
use crate::call::Call;
use crate::client::Client;
use crate::error::{Effect, Error};
use crate::models::instance::Instance;
use crate::models::outcome::CreateOutcome;
use crate::models::request::InstanceRequest;
use crate::redact::Redactor;
use crate::retry::{self, Resend};

/// Time the checks before a create may take without shortening its first attempt's timeout.
const SLACK: Duration = Duration::from_millis(2);

impl Client {
    /// Provisions an instance: `POST {base}/instances`.
    ///
    /// The request is checked first, by the client's [`Validation`](crate::Validation) mode
    /// ([`validate_request`](Self::validate_request): every missing entry named at once, an
    /// unknown element refused); nothing is sent unless it passes. With an
    /// [idempotency key](InstanceRequest::idempotency_key), an instance already carrying the key
    /// is returned instead of creating another ([`create_instance_outcome`](Self::create_instance_outcome)
    /// tells the two apart).
    ///
    /// A failure that certainly created nothing (no connection, 429, 503) is retried
    /// ([`ClientBuilder::retries`](crate::ClientBuilder::retries)); one after which the instance may
    /// exist (a timeout or reset after sending, a 500 or 502) is returned,
    /// [`Error::instance_may_exist`] saying so, unless the request has an idempotency key or
    /// [idempotent provisioning](crate::ClientBuilder::idempotent) is on: then the instance is
    /// looked up by its tag before sending again. The whole call, checks and retries included,
    /// ends within the overall timeout.
    pub fn create_instance(&self, request: &InstanceRequest) -> Result<Instance, Error> {
        self.create_instance_outcome(request).map(|(instance, _)| instance)
    }

    /// [`create_instance`](Self::create_instance), saying whether the instance was created by
    /// this call or, for a request with an idempotency key, already existed: `GET
    /// {base}/instances?tags[]=ce-provision-<key>` is asked first, and an instance found there is
    /// returned with [`CreateOutcome::AlreadyExisted`] (nothing is sent to `POST /instances`).
    /// A lookup that fails ends the call with its error: creating then could make a second
    /// instance. An instance found with the key but of another element is an
    /// [`Error::InvalidInput`] (the key was reused for something else).
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::{CreateOutcome, InstanceRequest};
    ///
    /// let request = InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW")
    ///     .idempotency_key("crm-customer-42");
    /// let (first, outcome) = client.create_instance_outcome(&request)?;
    /// assert_eq!(outcome, CreateOutcome::Created);
    /// // A run that starts again gets the same instance back.
    /// let (again, outcome) = client.create_instance_outcome(&request)?;
    /// assert_eq!((again.id, outcome), (first.id, CreateOutcome::AlreadyExisted));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn create_instance_outcome(&self, request: &InstanceRequest) -> Result<(Instance, CreateOutcome), Error> {
        let deadline = Instant::now() + self.inner.timeout;
        self.check_request(request, deadline)?;
        self.check_allowed()?;
        // After the check, which keeps a fetched definition: its PASSWORD entries are secrets too.
        let is_secret = |key: &str| self.secret_entry(request.element_key(), key, false);
        let redactor = &self.redactor(request.secret_values(is_secret));
        if let Some(tag) = request.idempotency_tag() {
            if let Some(existing) = self.find_by_tag_retrying(&tag, deadline, redactor)? {
                return match existing.element.key.as_deref() {
                    Some(other) if other != request.element_key() => Err(Error::invalid(format!(
                        "the idempotency key is already used by instance {} of element `{other}`, not `{}`; \
                         give this request a key of its own",
                        existing.id,
                        request.element_key()
                    ))),
                    _ => Ok((existing, CreateOutcome::AlreadyExisted)),
                };
            }
        }
        let tagged;
        let (request, tag) = match request.idempotency_tag() {
            Some(tag) => (request, Some(tag)),
            None if self.inner.idempotent => {
                let tag = format!("{PROVISIONING_TAG_PREFIX}{:016x}{:016x}", retry::random_u64(), retry::random_u64());
                let mut copy = request.clone();
                copy.add_tag(tag.clone());
                tagged = copy;
                (&tagged, Some(tag))
            }
            None => (request, None),
        };
        let mut call = Call::new(Method::POST, "/instances").json(request.to_json_bytes());
        call.resend = Resend::OnlyIfNothingSent;
        call.effect = Effect::InstanceMayExist;
        let lookup = tag.as_deref().map(|tag| move || self.find_by_tag(tag, deadline, redactor));
        // The first attempt of a call that has used none of its time yet has the agent's timeout,
        // the same length, for free; after a fetched schema or a lookup it gets what is left.
        let bounded = tag.is_some() || deadline.saturating_duration_since(Instant::now()) + SLACK < self.inner.timeout;
        let created = self.retrying(
            Resend::OnlyIfNothingSent,
            deadline,
            |is_retry| {
                let reply = self.attempt(&call, (is_retry || bounded).then_some(deadline), redactor)?;
                self.confirm_list_path();
                Instance::decode(reply.status, reply.text, redactor).map_err(|e| e.after_sending(call.effect))
            },
            lookup.as_ref().map(|look| look as &dyn Fn() -> Result<Option<Instance>, Error>),
        )?;
        Ok((created, CreateOutcome::Created))
    }

    /// The instance created with idempotency key `key`, if there is one: `GET
    /// {base}/instances?tags[]=ce-provision-<key>` (the platform's 404 for "no match" is `None`).
    /// A read: sent again after a lost answer or a 429, 500, 502, 503 or 504.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::InstanceRequest;
    ///
    /// assert!(client.find_instance_by_idempotency_key("order-17")?.is_none());
    /// let request = InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW")
    ///     .idempotency_key("order-17");
    /// let created = client.create_instance(&request)?;
    /// assert_eq!(client.find_instance_by_idempotency_key("order-17")?.map(|i| i.id), Some(created.id));
    /// assert!(client.find_instance_by_idempotency_key("not a key").is_err());
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn find_instance_by_idempotency_key(&self, key: &str) -> Result<Option<Instance>, Error> {
        if let Some(problem) = crate::validate::idempotency_key_problem(key) {
            return Err(Error::invalid(problem));
        }
        let deadline = Instant::now() + self.inner.timeout;
        self.find_by_tag_retrying(&format!("{PROVISIONING_TAG_PREFIX}{key}"), deadline, &self.redactor([]))
    }

    /// [`find_by_tag`](Self::find_by_tag), sent again as every read is.
    fn find_by_tag_retrying(
        &self,
        tag: &str,
        deadline: Instant,
        redactor: &Redactor<'_>,
    ) -> Result<Option<Instance>, Error> {
        self.check_allowed()?;
        self.retrying(Resend::Always, deadline, |_| self.find_by_tag(tag, deadline, redactor), None)
    }

    /// The instance carrying `tag`, if there is one: `GET /instances?tags[]=<tag>`, one attempt
    /// within what is left until `deadline`. The platform answers 404, not `[]`, when nothing
    /// matches.
    fn find_by_tag(&self, tag: &str, deadline: Instant, redactor: &Redactor<'_>) -> Result<Option<Instance>, Error> {
        // The tag is ASCII letters, digits, `.`, `_` and `-`: nothing in it needs escaping.
        let call = Call::new(Method::GET, "/instances").query(format!("tags%5B%5D={tag}"));
        let reply = match self.attempt(&call, Some(deadline), redactor) {
            Ok(reply) => reply,
            Err(error) if error.status() == Some(404) => return Ok(None),
            Err(error) => return Err(error),
        };
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

    /// Notes that `{base}/instances` exists (a call to it succeeded).
    pub(crate) fn confirm_list_path(&self) {
        self.inner.list_path_confirmed.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
