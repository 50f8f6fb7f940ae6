//! The crate's one error type.
//!
//! Every variant is a case a caller can act on: fix the input, supply the missing entries, read
//! what the server said, or try again later. No variant's `Debug` or `Display` contains a secret:
//! input problems name keys, never values, and text that came from the server has every secret the
//! client knows replaced by `[redacted]` before it is stored.

use std::time::Duration;

use crate::redact::{Redactor, snippet, unescape_json, without_token_values};

mod display;
mod effect;

pub use effect::Effect;

/// How much of a server's body an error keeps (the body is in [`ApiError::body`]).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// Everything that can go wrong when calling the platform.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request or the client settings are malformed: an empty element key or name, a
    /// typographic quote, a configuration value of the wrong type, a bad base URL. Nothing was
    /// sent. Each problem is one sentence that names the key, never the value.
    InvalidInput {
        /// One sentence per problem, all found at once.
        problems: Vec<String>,
    },
    /// The platform has no element with this key (`GET /elements/{key}` answered 404). Nothing
    /// was created.
    UnknownElement {
        /// The key asked for.
        key: String,
        /// The known keys closest to it, closest first (empty when the element list could not be
        /// had or nothing is close).
        suggestions: Vec<String>,
    },
    /// Required configuration entries are missing or empty. Nothing was sent.
    MissingConfiguration {
        /// The element key of the request.
        element: String,
        /// Every missing entry, in catalog order.
        missing: Vec<String>,
    },
    /// The server answered with an HTTP status of 400 or more.
    Api(ApiError),
    /// The exchange failed below HTTP: name resolution, connect, TLS, a reset or a truncated
    /// response. When the failure came after the request was sent, the request may have taken
    /// effect (see [`effect`](Self::Transport::effect)).
    Transport {
        /// What failed.
        kind: TransportKind,
        /// A sentence for humans.
        message: String,
        /// The underlying error.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
        /// What the request may have done although it failed.
        effect: Effect,
    },
    /// A configured timeout ran out. If the request was sent, it may have taken effect.
    Timeout {
        /// Which timeout.
        kind: TimeoutKind,
        /// Its configured length.
        limit: Duration,
        /// What the request may have done although it timed out.
        effect: Effect,
    },
    /// The server answered something that is not a usable response: not JSON (an HTML page from a
    /// proxy, say), JSON without an instance token, a body over the size cap.
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// What is wrong with it.
        reason: String,
        /// The start of the body, secrets redacted.
        snippet: String,
        /// What the request did or may have done (a success that could not be read still
        /// happened).
        effect: Effect,
    },
}

/// What the server said when it answered with an error status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The server's `message`, when the body had one.
    pub message: Option<String>,
    /// The server's `requestId`, to quote to support.
    pub request_id: Option<String>,
    /// The third-party service's own message (`providerMessage`), when present.
    pub provider_message: Option<String>,
    /// The body as received (at most [`MAX_ERROR_BODY`] bytes, secrets redacted).
    pub body: String,
    /// The server's `Retry-After`, in seconds or as an HTTP date, as a wait from when the answer
    /// arrived.
    pub retry_after: Option<Duration>,
    /// What the request may have done: the answer (a 500 or 502, say) does not rule out that a
    /// create made the instance or that a change took effect. [`Effect::Nothing`] for a read and
    /// for answers that refuse the request (4xx, 503).
    pub effect: Effect,
}

/// The kind of a [`Error::Transport`] failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The host name could not be resolved.
    Dns,
    /// No connection could be made (refused, unreachable).
    Connect,
    /// The TLS handshake failed (an untrusted certificate, say).
    Tls,
    /// The proxy refused or failed the connection.
    Proxy,
    /// The connection was reset or closed before the whole response arrived.
    Reset,
    /// The server did not speak valid HTTP/1.1.
    Protocol,
    /// Any other I/O failure.
    Io,
}

/// Which timeout ran out in an [`Error::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Resolving and connecting (including TLS) took longer than the connect timeout.
    Connect,
    /// The whole call took longer than the overall timeout.
    Overall,
    /// No OAuth redirect reached the listener on the callback URL in time
    /// ([`oauth::CallbackListener::wait`](crate::oauth::CallbackListener::wait)); nothing was sent.
    Redirect,
}

/// A fieldless summary of an [`Error`], for mapping to status codes in other languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::InvalidInput`].
    InvalidInput,
    /// [`Error::MissingConfiguration`].
    MissingConfiguration,
    /// [`Error::UnknownElement`].
    UnknownElement,
    /// [`Error::Api`] with status 401.
    Unauthorized,
    /// [`Error::Api`] with status 404.
    NotFound,
    /// [`Error::Api`] with status 429, or 503 with a `Retry-After`: the server asks to wait, for
    /// longer than the client's retries would (see [`ApiError::retry_after`]).
    RateLimited,
    /// [`Error::Api`] with any other status.
    Api,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Decode`].
    Decode,
}

impl Error {
    /// The kind of error, without its details.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::MissingConfiguration { .. } => ErrorKind::MissingConfiguration,
            Error::UnknownElement { .. } => ErrorKind::UnknownElement,
            Error::Api(api) if api.status == 401 => ErrorKind::Unauthorized,
            Error::Api(api) if api.status == 404 => ErrorKind::NotFound,
            Error::Api(api) if api.status == 429 || (api.status == 503 && api.retry_after.is_some()) => {
                ErrorKind::RateLimited
            }
            Error::Api(_) => ErrorKind::Api,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
        }
    }

    /// The HTTP status of the response this error came from, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What the failed request may nevertheless have done (see [`Effect`]).
    pub fn effect(&self) -> Effect {
        match self {
            Error::Api(api) => api.effect,
            Error::Transport { effect, .. } | Error::Timeout { effect, .. } | Error::Decode { effect, .. } => *effect,
            Error::InvalidInput { .. } | Error::MissingConfiguration { .. } | Error::UnknownElement { .. } => {
                Effect::Nothing
            }
        }
    }

    /// Whether the request may have taken effect although it failed: it was sent and its answer
    /// was lost (a timeout, a reset, a truncated body), does not say (a 500 or 502) or could not be
    /// read. Always false for reads (`GET`), which change nothing, and for errors raised before
    /// anything was sent.
    pub fn outcome_unknown(&self) -> bool {
        self.effect() != Effect::Nothing
    }

    /// Whether the instance may exist although the create failed: [`outcome_unknown`](Self::outcome_unknown)
    /// for [`Client::create_instance`](crate::Client::create_instance). Creating again blindly could
    /// make a second instance; with [`ClientBuilder::idempotent`](crate::ClientBuilder::idempotent)
    /// the client looks first.
    pub fn instance_may_exist(&self) -> bool {
        self.outcome_unknown()
    }

    /// The same error, with `effect` as what the request may have done, where the error came
    /// after sending (an overall timeout, a reset, a 2xx answer that could not be read).
    pub(crate) fn after_sending(mut self, what: Effect) -> Self {
        match &mut self {
            Error::Transport {
                kind: TransportKind::Reset | TransportKind::Io | TransportKind::Protocol,
                effect,
                ..
            }
            | Error::Timeout { kind: TimeoutKind::Overall, effect, .. } => *effect = what,
            Error::Decode { status: 200..=299, effect, .. } => *effect = what,
            _ => {}
        }
        self
    }

    /// How long the server asked to wait before trying again (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The missing configuration entries, in catalog order (empty for other errors).
    pub fn missing(&self) -> &[String] {
        match self {
            Error::MissingConfiguration { missing, .. } => missing,
            _ => &[],
        }
    }

    /// The server's request id, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(problem: impl Into<String>) -> Self {
        Error::InvalidInput { problems: vec![problem.into()] }
    }

    /// An [`Error::Decode`]; the reason and the body pass through `redactor` first, and the body
    /// loses any instance token it carries (the client cannot know that token in advance).
    pub(crate) fn decode(status: u16, reason: &str, body: &str, redactor: &Redactor<'_>) -> Self {
        Error::Decode {
            status,
            reason: redactor.apply(reason),
            // Unescaped first, so that `"tok\u0065n"` is found as the `"token"` it is.
            snippet: snippet(&without_token_values(&unescape_json(&redactor.apply(body)))),
            effect: Effect::Nothing,
        }
    }

    /// An [`Error::Timeout`] of the overall timeout `limit` before anything more was sent.
    pub(crate) fn overall_timeout(limit: Duration) -> Self {
        Error::Timeout { kind: TimeoutKind::Overall, limit, effect: Effect::Nothing }
    }
}

#[cfg(test)]
impl ApiError {
    /// An answer with this status and nothing else, for tests.
    pub(crate) fn with_status(status: u16, retry_after: Option<Duration>, effect: Effect) -> ApiError {
        ApiError {
            status,
            message: None,
            request_id: None,
            provider_message: None,
            body: String::new(),
            retry_after,
            effect,
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source: Some(source), .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display_names_everything_the_server_said() {
        let e = Error::Api(ApiError {
            message: Some("Provider failed".into()),
            request_id: Some("abc".into()),
            provider_message: Some("Bad gateway at pardot".into()),
            ..ApiError::with_status(502, None, Effect::Nothing)
        });
        assert_eq!(e.to_string(), "HTTP 502: Provider failed (provider: Bad gateway at pardot) [request id abc]");
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.status(), Some(502));
        assert!(!e.instance_may_exist());
    }

    #[test]
    fn rate_limited_is_429_or_503_with_retry_after() {
        let api = |status, retry_after| Error::Api(ApiError::with_status(status, retry_after, Effect::Nothing));
        let minute = Some(Duration::from_secs(120));
        assert_eq!(api(429, None).kind(), ErrorKind::RateLimited);
        assert_eq!(api(503, minute).kind(), ErrorKind::RateLimited);
        assert_eq!(api(503, None).kind(), ErrorKind::Api);
        assert_eq!(api(503, minute).retry_after(), minute);
        assert!(api(429, minute).to_string().ends_with("; the server asks to retry after 120 s"));
    }
}
