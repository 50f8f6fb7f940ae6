//! One attempt of a call: the request built from its parts (method, path under the base URL,
//! query, `Authorization`, JSON body), sent within what is left of the call's time, and read.

use std::time::Instant;

use ureq::AsSendBody;
use ureq::http::{self, Response};

use crate::call::{Auth, Call, Reply};
use crate::client::Client;
use crate::error::Error;
use crate::redact::Redactor;

impl Client {
    /// Sends `call` once and reads the answer, whatever its status. `deadline` bounds a retry by
    /// what is left of the call's overall timeout; the first attempt has the agent's own, which
    /// is the same length and costs nothing to set.
    pub(crate) fn send_once(
        &self,
        call: &Call<'_>,
        deadline: Option<Instant>,
        redactor: &Redactor<'_>,
    ) -> Result<Reply, Error> {
        let inner = &*self.inner;
        let mut url = String::with_capacity(inner.base_url.len() + call.path.len() + call.query.len() + 1);
        url.push_str(&inner.base_url);
        url.push_str(&call.path);
        if !call.query.is_empty() {
            url.push('?');
            url.push_str(&call.query);
        }
        let element_authorization;
        let authorization = match call.auth {
            Auth::Platform => inner.authorization.expose(),
            Auth::Element(token) => {
                element_authorization = inner.credentials.authorization_for(token);
                element_authorization.expose()
            }
        };
        let mut request =
            http::Request::builder().method(call.method.clone()).uri(&url).header("Authorization", authorization);
        if call.body.as_ref().is_some_and(|body| !body.is_empty()) {
            request = request.header("Content-Type", "application/json");
        }
        let sent = match &call.body {
            Some(body) => self.run(request.body(body.as_slice()), deadline, redactor)?,
            None => self.run(request.body(()), deadline, redactor)?,
        };
        self.read_response(sent, redactor).map_err(|e| e.after_sending(call.effect))
    }

    /// Runs a built request, within `deadline` when there is one.
    fn run<S: AsSendBody>(
        &self,
        request: Result<http::Request<S>, http::Error>,
        deadline: Option<Instant>,
        redactor: &Redactor<'_>,
    ) -> Result<Result<Response<ureq::Body>, ureq::Error>, Error> {
        let inner = &*self.inner;
        // The parts are the client's own (a checked base URL, escaped paths, header values made of
        // checked secrets and tokens); a failure here is a token with bytes no header can carry.
        let request = request.map_err(|e| {
            Error::invalid(
                redactor.apply(&format!("the request could not be built ({e}); is the instance token intact?")),
            )
        })?;
        Ok(match deadline {
            None => inner.agent.run(request),
            Some(deadline) => {
                let left = self.remaining(deadline)?;
                inner.agent.run(inner.agent.configure_request(request).timeout_global(Some(left)).build())
            }
        })
    }
}
