//! How each error reads: one sentence, with what the request may have done, and never a secret.

use std::fmt;

use super::{ApiError, Error, TimeoutKind};
use crate::redact::snippet;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { problems } => {
                write!(f, "invalid input: {}", problems.join("; "))
            }
            Error::MissingConfiguration { element, missing } => {
                write!(f, "missing required configuration for element `{element}`: {}", missing.join(", "))
            }
            Error::UnknownElement { key, suggestions } => {
                write!(f, "no element with key `{key}`")?;
                if !suggestions.is_empty() {
                    let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                    write!(f, " (did you mean {}?)", quoted.join(" or "))?;
                }
                Ok(())
            }
            Error::Api(api) => api.fmt(f),
            Error::Transport { message, effect, .. } => {
                f.write_str(message)?;
                match effect.clause() {
                    Some(clause) => write!(f, "; {clause}"),
                    None => Ok(()),
                }
            }
            Error::Timeout { kind, limit, effect } => {
                let ms = limit.as_millis();
                match kind {
                    // Nothing was sent: nothing can have happened.
                    TimeoutKind::Connect => write!(f, "timed out: connecting to the server took longer than {ms} ms"),
                    TimeoutKind::Redirect => write!(
                        f,
                        "timed out: no OAuth redirect reached the callback URL within {ms} ms (was the \
                         authorization page opened and approved in the browser?)"
                    ),
                    TimeoutKind::Overall => {
                        write!(f, "timed out: the request took longer than {ms} ms")?;
                        match effect.clause() {
                            Some(clause) => write!(f, "; if the request was sent, {clause}"),
                            None => Ok(()),
                        }
                    }
                }
            }
            Error::Decode { status, reason, snippet, .. } => {
                write!(f, "undecodable response (HTTP {status}): {reason}")?;
                if !snippet.is_empty() {
                    write!(f, "; body starts: {snippet:?}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None if self.body.is_empty() => f.write_str(" with an empty body")?,
            None => write!(f, "; body starts: {:?}", snippet(&self.body))?,
        }
        if let Some(provider) = &self.provider_message {
            write!(f, " (provider: {provider})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; the server asks to retry after {} s", wait.as_secs())?;
        }
        if let Some(clause) = self.effect.clause() {
            write!(f, "; {clause}")?;
        }
        Ok(())
    }
}
