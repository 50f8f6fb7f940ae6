//! Control endpoints under `/_sandbox`, for test harnesses in other languages: queue faults, read
//! the request log and stored instances, reset. No authorization; never subject to faults; not
//! counted as API requests.
//!
//! The stand-in OAuth provider (`/oauth/authorize`, see `provider.rs`) is reached through here
//! too: like the control endpoints it is the sandbox's own, outside the API and its faults.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::http::{Request, Response};
use crate::provider;
use crate::server::Shared;
use crate::server::throttle::SettingsChange;

/// Where the control endpoints live.
pub(crate) const PREFIX: &str = "/_sandbox";

/// The part of `path` after the control prefix, when `path` is a control path; the whole path
/// for the stand-in OAuth provider's.
pub(crate) fn strip_prefix(path: &str) -> Option<&str> {
    if provider::is_provider_path(path) {
        return Some(path);
    }
    let rest = path.strip_prefix(PREFIX)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Answers one control request; `path` is the part after the prefix.
pub(crate) fn handle(shared: &Shared, req: &Request, path: &str) -> Response {
    if provider::is_provider_path(req.path()) {
        return provider::authorize(shared, req);
    }
    let path = path.trim_end_matches('/');
    let method = if req.method == "HEAD" { "GET" } else { req.method.as_str() };
    let allowed: &[&str] = match path {
        "/faults" => &["GET", "POST", "DELETE"],
        "/requests" | "/instances" => &["GET"],
        "/settings" => &["GET", "POST"],
        "/reset" => &["POST"],
        _ => return shared.error(404, &format!("No control endpoint at {PREFIX}{path}")),
    };
    if !allowed.contains(&method) {
        return shared
            .error(405, &format!("Method {} is not allowed on {PREFIX}{path}", req.method))
            .with_header("Allow", allowed.join(", "));
    }
    match (path, method) {
        ("/faults", "POST") => queue_faults(shared, &req.body),
        ("/faults", "DELETE") => Response::json(200, &json!({ "cleared": shared.state().faults.clear() })),
        ("/faults", _) => Response::json(200, &json!({ "faults": shared.state().faults.pending() })),
        ("/settings", "POST") => change_settings(shared, &req.body),
        ("/settings", _) => settings(shared),
        ("/requests", _) => requests(shared),
        ("/instances", _) => {
            let state = shared.state();
            let instances: Vec<_> = state.instances.values().map(|i| i.view(false)).collect();
            Response::json(200, &instances)
        }
        _ => {
            shared.reset();
            Response::json(200, &json!({ "reset": true }))
        }
    }
}

/// Queues one fault object or an array of them; all or nothing.
fn queue_faults(shared: &Shared, body: &[u8]) -> Response {
    let parsed = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| parse_fault(item).map_err(|e| format!("Fault {i}: {e}")))
            .collect::<Result<Vec<_>, _>>(),
        Ok(item) => parse_fault(item).map(|fault| vec![fault]),
        Err(e) => Err(format!("The request body is not valid JSON: {e}")),
    };
    match parsed {
        Ok(faults) => {
            let queued = faults.len();
            let mut state = shared.state();
            for fault in faults {
                state.faults.push(fault);
            }
            Response::json(200, &json!({ "queued": queued }))
        }
        Err(message) => shared.error(400, &message),
    }
}

/// The settings and how many creates the rate limit refused since start or the last reset.
fn settings(shared: &Shared) -> Response {
    let settings = shared.throttle.settings();
    Response::json(
        200,
        &json!({
            "latency_ms": settings.latency_ms,
            "rate_limit": settings.rate_limit,
            "rate_limited": shared.throttle.refused(),
        }),
    )
}

/// Changes the fields given; all or nothing.
fn change_settings(shared: &Shared, body: &[u8]) -> Response {
    let change = match serde_json::from_slice::<SettingsChange>(body) {
        Ok(change) => change,
        Err(e) => return shared.error(400, &format!("Expected {{\"latency_ms\": N, \"rate_limit\": R}}: {e}")),
    };
    match shared.throttle.change(&change) {
        Ok(_) => settings(shared),
        Err(message) => shared.error(400, &message),
    }
}

fn parse_fault(item: Value) -> Result<Fault, String> {
    let fault: Fault = serde_json::from_value(item).map_err(|e| e.to_string())?;
    fault.validate()?;
    Ok(fault)
}

fn requests(shared: &Shared) -> Response {
    let state = shared.state();
    #[derive(Serialize)]
    struct Recorded<'a> {
        method: &'a str,
        target: &'a str,
        headers: &'a [(String, String)],
        body: Cow<'a, str>,
    }
    let requests: Vec<Recorded> = state
        .requests()
        .map(|r| Recorded {
            method: &r.method,
            target: &r.target,
            headers: &r.headers,
            body: String::from_utf8_lossy(&r.body),
        })
        .collect();
    Response::json(
        200,
        &json!({
            "count": state.request_count(),
            "connections": shared.connections.load(std::sync::atomic::Ordering::Relaxed),
            "requests": requests,
        }),
    )
}
