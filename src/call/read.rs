//! Reading an answer to the end, under the size cap, so the connection goes back to the pool.

use std::time::{Duration, SystemTime};

use crate::client::Client;
use crate::error::Error;
use crate::redact::Redactor;
use crate::retry;

/// A response read to the end.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) text: String,
    /// `Retry-After` of an error answer.
    pub(crate) retry_after: Option<Duration>,
}

impl Client {
    /// Reads the whole body (so the connection goes back to the pool), up to the size cap.
    pub(crate) fn read_response(
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
}
