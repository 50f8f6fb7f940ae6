//! Fault injection: what can go wrong, and how a fault changes the way a request is answered.
//!
//! To add a kind: add a [`FaultKind`] variant, and a case in [`apply`] that says which
//! [`Delivery`] it produces (and whether the request is still handled). New ways of writing an
//! answer (dripping bytes, resetting mid-body, ...) are new [`Delivery`] variants, written out in
//! `server.rs`.

use serde::{Deserialize, Serialize};

/// A fault to apply to the next API request(s), `times` requests in a row.
///
/// `method` narrows the requests it applies to (say `POST`, so the lookups a client makes after a
/// failed create are answered normally), and `every` spaces it out: with `every` 3 it hits every
/// third matching request, `times` times in all.
///
/// As JSON (for `POST /_sandbox/faults`) the kind's fields sit next to `kind`, `times`, `every`
/// and `method`:
///
/// ```
/// use cloud_elements_sandbox::{Fault, FaultKind};
///
/// let fault: Fault = serde_json::from_str(r#"{"kind": "status", "status": 503, "retry_after": "2", "times": 2}"#)?;
/// assert_eq!(
///     fault,
///     Fault::new(FaultKind::Status {
///         status: 503,
///         message: None,
///         provider_message: None,
///         retry_after: Some("2".into()),
///     })
///     .times(2)
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many consecutive API requests it applies to (default 1). A fault with `times` 0 is
    /// never applied.
    #[serde(default = "one")]
    pub times: u32,
    /// Applies to every `every`-th matching request only (default 1: each one). 0 is taken as 1.
    #[serde(default = "one")]
    pub every: u32,
    /// Applies only to requests with this method (any when `None`), compared ignoring case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

fn one() -> u32 {
    1
}

fn json() -> String {
    "application/json".to_string()
}

/// The kinds of fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Wait `ms` milliseconds, then handle the request normally.
    Delay {
        /// Milliseconds to wait before handling the request.
        ms: u64,
    },
    /// Answer `status` with the standard error body `{"requestId", "message"}` (plus
    /// `providerMessage` and a `Retry-After` header when given). Nothing is created.
    Status {
        /// The status code to answer, e.g. 500 or 503 (200 to 599, see [`Fault::validate`]).
        status: u16,
        /// The error message; defaults to the status's reason phrase.
        #[serde(default)]
        message: Option<String>,
        /// Sent as `providerMessage`, as when the third-party service said something.
        #[serde(default)]
        provider_message: Option<String>,
        /// Sent as the `Retry-After` header.
        #[serde(default)]
        retry_after: Option<String>,
    },
    /// Read the request, then close the connection with a TCP RST without answering. Nothing is
    /// created.
    Reset,
    /// Handle the request normally (so an instance IS created), but send the head with the full
    /// `Content-Length` and only half of the body, then close the connection.
    Truncate,
    /// Handle the request normally (so an instance IS created), send the head with the full
    /// `Content-Length` and half of the body, then close the connection with a TCP RST.
    ResetMidBody,
    /// Handle the request normally (so an instance IS created), then close the connection with a
    /// TCP RST without answering: the client cannot know the instance exists.
    CreateThenReset,
    /// Handle the request normally (so an instance IS created), but send the answer one byte at a
    /// time, `ms` milliseconds apart (default 1000).
    Drip {
        /// Milliseconds between two bytes.
        #[serde(default = "one_second")]
        ms: u64,
    },
    /// Answer 200 with a valid JSON body of exactly `bytes` bytes (at least 16), padding in a
    /// string; tests a client's response size cap. Nothing is created.
    Oversize {
        /// The body's size in bytes.
        bytes: u64,
    },
    /// Answer exactly this status, content type and body. Nothing is created.
    Body {
        /// The status code (200 to 599, see [`Fault::validate`]).
        status: u16,
        /// The `Content-Type` header (default `application/json`; empty sends none).
        #[serde(default = "json")]
        content_type: String,
        /// The body, sent as is.
        #[serde(default)]
        body: String,
        /// The body as hexadecimal digits, for bytes that are not UTF-8 text; used instead of
        /// `body` when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body_hex: Option<String>,
    },
}

/// The largest [`FaultKind::Oversize`] body: enough to exceed any sane client cap.
pub const MAX_OVERSIZE: u64 = 256 * 1024 * 1024;

fn one_second() -> u64 {
    1000
}

/// Decodes hexadecimal digits (whitespace ignored).
fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err("body_hex must have an even number of hexadecimal digits".to_string());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).map_err(|_| "body_hex must be hexadecimal digits".to_string())?;
            u8::from_str_radix(text, 16).map_err(|_| format!("body_hex: '{text}' is not a hexadecimal byte"))
        })
        .collect()
}

impl Fault {
    /// A fault applied to the next API request only.
    pub fn new(kind: FaultKind) -> Fault {
        Fault { kind, times: 1, every: 1, method: None }
    }

    /// Applies the fault to the next `n` API requests instead.
    pub fn times(self, n: u32) -> Fault {
        Fault { times: n, ..self }
    }

    /// Applies the fault to every `n`-th matching request only.
    ///
    /// ```
    /// use cloud_elements_sandbox::{Fault, FaultKind};
    ///
    /// // Every third create is carried out, but its answer is lost.
    /// let fault = Fault::new(FaultKind::CreateThenReset).every(3).times(1000).method("POST");
    /// assert_eq!(
    ///     serde_json::to_value(&fault)?,
    ///     serde_json::json!({"kind": "create_then_reset", "times": 1000, "every": 3, "method": "POST"})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn every(self, n: u32) -> Fault {
        Fault { every: n, ..self }
    }

    /// Applies the fault only to requests with this method (`GET`, `POST`, ...).
    pub fn method(self, method: impl Into<String>) -> Fault {
        Fault { method: Some(method.into()), ..self }
    }

    /// Checks what the types cannot: a [`FaultKind::Status`] or [`FaultKind::Body`] fault's status
    /// must be a final response status, 200 to 599. (A 1xx is an interim response: the client
    /// would wait for a final one that never comes.)
    ///
    /// [`Sandbox::inject`](crate::Sandbox::inject) panics on a fault this refuses, and the
    /// control endpoint answers 400.
    ///
    /// ```
    /// use cloud_elements_sandbox::{Fault, FaultKind};
    ///
    /// let body = |status| {
    ///     Fault::new(FaultKind::Body { status, content_type: String::new(), body: String::new(), body_hex: None })
    /// };
    /// assert!(body(200).validate().is_ok());
    /// assert!(body(599).validate().is_ok());
    /// assert!(body(103).validate().is_err());
    /// assert!(body(600).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        match &self.kind {
            FaultKind::Status { status, .. } | FaultKind::Body { status, .. } if !(200..=599).contains(status) => {
                Err(format!("Fault status must be between 200 and 599, got {status}"))
            }
            FaultKind::Body { body_hex: Some(hex), .. } => decode_hex(hex).map(drop),
            FaultKind::Oversize { bytes } if !(16..=MAX_OVERSIZE).contains(bytes) => {
                Err(format!("Oversize fault bytes must be between 16 and {MAX_OVERSIZE}, got {bytes}"))
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, method: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

mod queue;
#[cfg(test)]
mod tests;

pub(crate) use queue::{Delivery, FaultQueue, apply, sleep_unless_stopped};
