//! `POST /instances`: create, with the by-tag lookup of idempotent provisioning.

use std::time::Instant;

use serde_json::Value;
use ureq::http::Method;

use crate::builder::PROVISIONING_TAG_PREFIX;
use crate::call::Call;
use crate::client::Client;
use crate::error::{Effect, Error};
use crate::models::instance::Instance;
use crate::models::request::InstanceRequest;
use crate::redact::Redactor;
use crate::retry::{self, Resend};

impl Client {
    /// Provisions an instance: `POST {base}/instances`.
    ///
    /// The request is validated first ([`InstanceRequest::validate`]); nothing is sent unless it
    /// passes. A failure that certainly created nothing (no connection, 429, 503) is retried
    /// ([`ClientBuilder::retries`](crate::ClientBuilder::retries)); one after which the instance may
    /// exist (a timeout or reset after sending, a 500 or 502) is returned,
    /// [`Error::instance_may_exist`] saying so, unless
    /// [idempotent provisioning](crate::ClientBuilder::idempotent) is on, which looks the instance up
    /// before sending again. The whole call, retries included, ends within the overall timeout.
    pub fn create_instance(&self, request: &InstanceRequest) -> Result<Instance, Error> {
        request.validate()?;
        self.check_allowed()?;
        let tagged;
        let (request, tag) = if self.inner.idempotent {
            let tag = format!("{PROVISIONING_TAG_PREFIX}{:016x}{:016x}", retry::random_u64(), retry::random_u64());
            let mut copy = request.clone();
            copy.add_tag(tag.clone());
            tagged = copy;
            (&tagged, Some(tag))
        } else {
            (request, None)
        };
        let mut call = Call::new(Method::POST, "/instances").json(request.to_json_bytes());
        call.resend = Resend::OnlyIfNothingSent;
        call.effect = Effect::InstanceMayExist;
        let redactor = &self.redactor(request.secret_values());
        let deadline = Instant::now() + self.inner.timeout;
        let lookup = tag.as_deref().map(|tag| move || self.find_by_tag(tag, deadline, redactor));
        self.retrying(
            Resend::OnlyIfNothingSent,
            deadline,
            |is_retry| {
                let reply = self.attempt(&call, is_retry.then_some(deadline), redactor)?;
                self.confirm_list_path();
                Instance::decode(reply.status, reply.text, redactor).map_err(|e| e.after_sending(call.effect))
            },
            lookup.as_ref().map(|look| look as &dyn Fn() -> Result<Option<Instance>, Error>),
        )
    }

    /// The instance carrying `tag`, if there is one: `GET /instances?tags[]=<tag>`, one attempt
    /// within what is left until `deadline`. The platform answers 404, not `[]`, when nothing
    /// matches; the create's own success just before rules out a wrong path.
    fn find_by_tag(&self, tag: &str, deadline: Instant, redactor: &Redactor<'_>) -> Result<Option<Instance>, Error> {
        // The tag is ASCII letters, digits and `-`: nothing in it needs escaping.
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
