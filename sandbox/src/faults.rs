//! Fault injection: what can go wrong, and how a fault changes the way a request is answered.
//!
//! To add a kind: add a [`FaultKind`] variant, and a case in [`apply`] that says which
//! [`Delivery`] it produces (and whether the request is still handled). New ways of writing an
//! answer (dripping bytes, resetting mid-body, ...) are new [`Delivery`] variants, written out in
//! `server.rs`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::http::{Response, reason};

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

/// Faults waiting for API requests, applied first in, first out.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    /// Each fault with the number of matching requests it has seen.
    queue: VecDeque<(Fault, u32)>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back((fault, 0));
        }
    }

    pub(crate) fn clear(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        n
    }

    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.queue.iter().map(|(fault, _)| fault.clone()).collect()
    }

    /// The fault a request with this method gets: the oldest fault that applies to the method
    /// decides, on its turn (`every`), one of its `times`.
    pub(crate) fn next(&mut self, method: &str) -> Option<FaultKind> {
        let index = self.queue.iter().position(|(fault, _)| fault.matches(method))?;
        let (fault, seen) = &mut self.queue[index];
        *seen += 1;
        if *seen % fault.every.max(1) != 0 {
            return None;
        }
        fault.times -= 1;
        if fault.times == 0 { self.queue.remove(index).map(|(f, _)| f.kind) } else { Some(fault.kind.clone()) }
    }
}

/// How the answer to one request goes out on the wire.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// The whole response.
    Full(Response),
    /// The head (with the full Content-Length) and half the body, then close; with `reset`, close
    /// with a TCP RST rather than a FIN.
    Truncated { response: Response, reset: bool },
    /// The whole response, one byte at a time with this pause between bytes.
    Drip(Response, Duration),
    /// No answer: close with a TCP RST.
    Reset,
}

/// What a request gets, given the fault (if any) drawn for it. `handle` runs the request for real;
/// faults that must not change state never call it.
pub(crate) fn apply(
    fault: Option<FaultKind>,
    stop: &AtomicBool,
    request_id: impl FnOnce() -> String,
    handle: impl FnOnce() -> Response,
) -> Delivery {
    let Some(fault) = fault else {
        return Delivery::Full(handle());
    };
    match fault {
        FaultKind::Delay { ms } => {
            sleep_unless_stopped(Duration::from_millis(ms), stop);
            Delivery::Full(handle())
        }
        FaultKind::Status { status, message, provider_message, retry_after } => {
            let message = message.as_deref().unwrap_or(reason(status));
            let mut response = Response::error(status, &request_id(), message, provider_message.as_deref());
            if let Some(retry_after) = retry_after {
                response = response.with_header("Retry-After", retry_after);
            }
            Delivery::Full(response)
        }
        FaultKind::Reset => Delivery::Reset,
        FaultKind::Truncate => Delivery::Truncated { response: handle(), reset: false },
        FaultKind::ResetMidBody => Delivery::Truncated { response: handle(), reset: true },
        FaultKind::CreateThenReset => {
            handle();
            Delivery::Reset
        }
        FaultKind::Drip { ms } => Delivery::Drip(handle(), Duration::from_millis(ms)),
        FaultKind::Oversize { bytes } => {
            // {"padding":"aaaa…"}: 14 bytes of frame around the padding.
            let padding = usize::try_from(bytes.saturating_sub(14)).unwrap_or(0);
            let mut body = Vec::with_capacity(padding + 14);
            body.extend_from_slice(b"{\"padding\":\"");
            body.resize(body.len() + padding, b'a');
            body.extend_from_slice(b"\"}");
            Delivery::Full(Response { status: 200, content_type: Some(json()), headers: Vec::new(), body })
        }
        FaultKind::Body { status, content_type, body, body_hex } => Delivery::Full(Response {
            status,
            content_type: (!content_type.is_empty()).then_some(content_type),
            headers: Vec::new(),
            // Validated when the fault was queued.
            body: body_hex.and_then(|hex| decode_hex(&hex).ok()).unwrap_or_else(|| body.into_bytes()),
        }),
    }
}

/// Sleeps, waking early when the server stops so a long delay never holds up shutdown.
pub(crate) fn sleep_unless_stopped(duration: Duration, stop: &AtomicBool) {
    let deadline = Instant::now() + duration;
    loop {
        let now = Instant::now();
        if now >= deadline || stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_fifo_and_counts_times() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::new(FaultKind::Reset).times(2));
        queue.push(Fault::new(FaultKind::Truncate).times(0));
        queue.push(Fault::new(FaultKind::Delay { ms: 1 }));
        assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
        assert_eq!(queue.pending(), vec![Fault::new(FaultKind::Reset), Fault::new(FaultKind::Delay { ms: 1 })]);
        assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
        assert_eq!(queue.next("GET"), Some(FaultKind::Delay { ms: 1 }));
        assert_eq!(queue.next("GET"), None);
    }

    #[test]
    fn every_and_method_narrow_a_fault() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::new(FaultKind::CreateThenReset).every(3).times(2).method("post"));
        let drawn: Vec<bool> = ["POST", "GET", "POST", "POST", "GET", "POST", "POST", "POST", "POST", "POST"]
            .iter()
            .map(|m| queue.next(m).is_some())
            .collect();
        assert_eq!(drawn, [false, false, false, true, false, false, false, true, false, false]);
        assert!(queue.pending().is_empty());
        // every 0 acts as every 1.
        queue.push(Fault::new(FaultKind::Reset).every(0));
        assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
    }

    #[test]
    fn oversize_and_hex_bodies() {
        let stop = AtomicBool::new(false);
        let Delivery::Full(r) = apply(Some(FaultKind::Oversize { bytes: 100 }), &stop, String::new, || panic!()) else {
            panic!("expected a full response")
        };
        assert_eq!(r.body.len(), 100);
        assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_ok());
        let hex = FaultKind::Body {
            status: 200,
            content_type: json(),
            body: String::new(),
            body_hex: Some("7b 22 ff 22 7d".into()),
        };
        assert_eq!(Fault::new(hex.clone()).validate(), Ok(()));
        let Delivery::Full(r) = apply(Some(hex), &stop, String::new, || panic!()) else { panic!() };
        assert_eq!(r.body, b"{\"\xff\"}");
        let bad =
            FaultKind::Body { status: 200, content_type: json(), body: String::new(), body_hex: Some("7".into()) };
        assert!(Fault::new(bad).validate().is_err());
        assert!(Fault::new(FaultKind::Oversize { bytes: 3 }).validate().is_err());
    }

    #[test]
    fn json_shapes() {
        let fault: Fault = serde_json::from_str(r#"{"kind":"body","status":200,"body":"x"}"#).unwrap();
        assert_eq!(
            fault,
            Fault::new(FaultKind::Body {
                status: 200,
                content_type: "application/json".into(),
                body: "x".into(),
                body_hex: None
            })
        );
        let fault: Fault = serde_json::from_str(r#"{"kind":"reset","times":3}"#).unwrap();
        assert_eq!(fault, Fault::new(FaultKind::Reset).times(3));
        assert_eq!(
            serde_json::to_value(Fault::new(FaultKind::Delay { ms: 5 })).unwrap(),
            serde_json::json!({"kind": "delay", "ms": 5, "times": 1, "every": 1})
        );
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
        let bad: Fault = serde_json::from_str(r#"{"kind":"status","status":42}"#).unwrap();
        assert!(bad.validate().is_err());
    }

    #[test]
    fn only_final_statuses_are_valid() {
        let status =
            |status| Fault::new(FaultKind::Status { status, message: None, provider_message: None, retry_after: None });
        let body =
            |status| Fault::new(FaultKind::Body { status, content_type: json(), body: String::new(), body_hex: None });
        for code in [200, 204, 299, 302, 404, 599] {
            assert_eq!(status(code).validate(), Ok(()), "{code}");
            assert_eq!(body(code).validate(), Ok(()), "{code}");
        }
        for code in [0, 42, 100, 101, 103, 199, 600, 999, u16::MAX] {
            let message = status(code).validate().unwrap_err();
            assert_eq!(message, format!("Fault status must be between 200 and 599, got {code}"));
            assert!(body(code).validate().is_err(), "{code}");
        }
        for other in [FaultKind::Delay { ms: 0 }, FaultKind::Reset, FaultKind::Truncate] {
            assert_eq!(Fault::new(other).validate(), Ok(()));
        }
    }

    #[test]
    fn status_fault_skips_the_handler() {
        let stop = AtomicBool::new(false);
        let kind = FaultKind::Status {
            status: 503,
            message: None,
            provider_message: Some("upstream".into()),
            retry_after: Some("7".into()),
        };
        let delivery = apply(Some(kind), &stop, || "rid".into(), || panic!("must not be handled"));
        let Delivery::Full(response) = delivery else { panic!("expected a full response") };
        assert_eq!(response.status, 503);
        assert_eq!(response.headers, vec![("Retry-After".to_string(), "7".to_string())]);
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"requestId": "rid", "message": "Service Unavailable", "providerMessage": "upstream"})
        );
    }
}
