//! The one path every call takes: [`send`](send.rs) builds and sends one attempt, [`read`](read.rs)
//! reads the answer under the size cap, [`map_error`](map_error.rs) names a failed exchange,
//! [`api_error`](api_error.rs) keeps what an error answer said, and [`Client::retrying`] decides,
//! by the call's [`Resend`] rule, whether to send again.

mod api_error;
mod map_error;
mod read;
mod send;

use std::time::{Duration, Instant};

use ureq::http::Method;

pub(crate) use api_error::api_error;
pub(crate) use read::Reply;

use crate::client::Client;
use crate::error::{Effect, Error};
use crate::redact::Redactor;
use crate::retry::{self, MAX_RETRY_AFTER, Resend, Verdict};

/// Whose authority a call carries.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// `User <u>, Organization <o>`: platform calls.
    Platform,
    /// `User <u>, Organization <o>, Element <token>`: calls on one instance.
    Element(&'a str),
}

/// One request, as an endpoint describes it.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// The path under the base URL, starting with `/`, escaped where needed.
    pub(crate) path: String,
    /// The query string without `?`, escaped, or empty.
    pub(crate) query: String,
    pub(crate) auth: Auth<'a>,
    /// The JSON body, if the request has one.
    pub(crate) body: Option<Vec<u8>>,
    /// When the call may be sent again.
    pub(crate) resend: Resend,
    /// What the request may have done when its answer is lost or unclear.
    pub(crate) effect: Effect,
}

impl<'a> Call<'a> {
    /// A call with the platform's authorization, no query and no body. Reads have no effect and
    /// every call but a create is idempotent; set `effect`, `resend` and the rest as needed.
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        let effect = if method == Method::GET { Effect::Nothing } else { Effect::MayHaveTakenEffect };
        Call {
            method,
            path: path.into(),
            query: String::new(),
            auth: Auth::Platform,
            body: None,
            resend: Resend::Always,
            effect,
        }
    }

    /// With `Authorization: ..., Element <token>`.
    pub(crate) fn element(mut self, token: &'a str) -> Self {
        self.auth = Auth::Element(token);
        self
    }

    /// With a JSON body.
    pub(crate) fn json(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// With an empty body (`Content-Length: 0`), for a PUT that carries nothing.
    pub(crate) fn empty_body(mut self) -> Self {
        self.body = Some(Vec::new());
        self
    }

    /// With a query string (escaped, without `?`).
    pub(crate) fn query(mut self, query: String) -> Self {
        self.query = query;
        self
    }
}

impl Client {
    /// Makes `call`, sending it again as its [`Resend`] rule allows, and returns a 2xx answer.
    /// An answer of 400 or more is an [`Error::Api`]; any other status an [`Error::Decode`].
    pub(crate) fn call(&self, call: &Call<'_>, redactor: &Redactor<'_>) -> Result<Reply, Error> {
        self.call_until(call, None, redactor)
    }

    /// [`call`](Self::call), ending by `deadline` when given (a verb made of several calls shares
    /// one overall timeout), else within the overall timeout from now.
    pub(crate) fn call_until(
        &self,
        call: &Call<'_>,
        deadline: Option<Instant>,
        redactor: &Redactor<'_>,
    ) -> Result<Reply, Error> {
        self.check_allowed()?;
        let shared = deadline.is_some();
        let deadline = deadline.unwrap_or_else(|| Instant::now() + self.inner.timeout);
        // The first attempt of a call of its own has the agent's timeout, the same length, for free.
        let attempt = |is_retry: bool| self.attempt(call, (shared || is_retry).then_some(deadline), redactor);
        self.retrying(call.resend, deadline, attempt, None)
    }

    /// One attempt of `call`: a 2xx answer, or the error it makes.
    pub(crate) fn attempt(
        &self,
        call: &Call<'_>,
        deadline: Option<Instant>,
        redactor: &Redactor<'_>,
    ) -> Result<Reply, Error> {
        let reply = self.send_once(call, deadline, redactor)?;
        match reply.status {
            200..=299 => Ok(reply),
            // A server error other than 503 (which refuses the request) may come after the work
            // was done.
            500.. if reply.status != 503 => Err(api_error(&reply, call.effect, redactor)),
            400.. => Err(api_error(&reply, Effect::Nothing, redactor)),
            status => Err(Error::decode(status, "unexpected HTTP status", &reply.text, redactor)),
        }
    }

    /// Runs `attempt` until it succeeds or may not be repeated. `attempt` is told whether it is a
    /// retry. After a failure that leaves the outcome open ([`Verdict::Ambiguous`]), `lookup`
    /// (when given) finds what the request did: found, it is the result; known to be absent, the
    /// request is sent again; unknown, the failure is returned.
    pub(crate) fn retrying<T>(
        &self,
        rule: Resend,
        deadline: Instant,
        mut attempt: impl FnMut(bool) -> Result<T, Error>,
        lookup: Option<&dyn Fn() -> Result<Option<T>, Error>>,
    ) -> Result<T, Error> {
        let mut retry = 0;
        loop {
            let error = match attempt(retry > 0) {
                Ok(done) => return Ok(done),
                Err(error) => error,
            };
            let pause = match retry::verdict(rule, &error) {
                Verdict::Resend(Some(asked)) if asked > MAX_RETRY_AFTER => return Err(error),
                Verdict::Resend(asked) => asked.unwrap_or_else(|| self.backoff(retry)),
                Verdict::Ambiguous => match lookup.map(|look| look()) {
                    Some(Ok(Some(found))) => return Ok(found),
                    Some(Ok(None)) => self.backoff(retry),
                    // Nothing is known: sending again could do the work twice.
                    Some(Err(_)) | None => return Err(error),
                },
                Verdict::Stop => return Err(error),
            };
            if retry >= self.inner.retries || Instant::now() + pause >= deadline {
                return Err(error);
            }
            std::thread::sleep(pause);
            retry += 1;
        }
    }

    /// What is left until `deadline`, or the overall timeout error when nothing is.
    pub(crate) fn remaining(&self, deadline: Instant) -> Result<Duration, Error> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() { Err(Error::overall_timeout(self.inner.timeout)) } else { Ok(left) }
    }

    fn backoff(&self, retry: u32) -> Duration {
        retry::backoff(retry, self.inner.backoff, self.inner.max_backoff)
    }
}
