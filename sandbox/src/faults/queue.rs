//! The queue of faults waiting for requests, and how a fault turns into a [`Delivery`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Fault, FaultKind, decode_hex, json};
use crate::http::{Response, reason};

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
