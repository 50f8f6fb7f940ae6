//! The platform API under `/elements/api-v2`: routing, authorization, content negotiation and the
//! handlers.
//!
//! Order of checks for every request: route (404), method (405), authorization (401), request
//! `Content-Type` for bodies (415), `Accept` (406), then the handler's own checks.

use serde_json::json;

use crate::catalog::{self, Element};
use crate::http::{Request, Response, percent_decode, query_pairs};
use crate::instance::Instance;
use crate::server::Shared;
use crate::state::State;
use crate::validate::{self, ApiError};

/// Where the API lives, like `https://api.cloud-elements.com/elements/api-v2`.
pub(crate) const PREFIX: &str = "/elements/api-v2";

const INVALID_CREDENTIALS: &str = "Invalid Organization or User secret, or invalid Element token provided.";

/// The part of `path` after the API prefix, when `path` is an API path.
pub(crate) fn strip_prefix(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(PREFIX)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Answers one API request; `path` is the part after the prefix.
pub(crate) fn handle(shared: &Shared, req: &Request, path: &str) -> Response {
    match route_and_handle(shared, req, path) {
        Ok(response) => response,
        Err(error) => {
            let response = shared.error(error.status, &error.message);
            match error.status {
                405 => response.with_header("Allow", allowed_for(path).join(", ")),
                _ => response,
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Route<'a> {
    Instances { scope: Option<&'a str> },
    InstancesEnabled,
    Instance { scope: Option<&'a str>, id: &'a str },
    InstanceConfig { scope: Option<&'a str>, id: &'a str },
    InstanceConfigEntry { scope: Option<&'a str>, id: &'a str, config_id: &'a str },
    Elements,
    Element { key: &'a str },
    ElementConfig { key: &'a str },
    HubPing { hub: &'a str },
}

impl Route<'_> {
    fn methods(self) -> &'static [&'static str] {
        match self {
            Route::Instances { .. } => &["GET", "HEAD", "POST"],
            Route::InstancesEnabled => &["PUT", "DELETE"],
            Route::Instance { .. } => &["GET", "HEAD", "PUT", "PATCH", "DELETE"],
            Route::InstanceConfigEntry { .. } => &["GET", "HEAD", "PATCH"],
            Route::InstanceConfig { .. }
            | Route::Elements
            | Route::Element { .. }
            | Route::ElementConfig { .. }
            | Route::HubPing { .. } => &["GET", "HEAD"],
        }
    }

    /// Calls on one instance authenticate with its Element token as well.
    fn needs_element_token(self) -> bool {
        matches!(self, Route::InstancesEnabled | Route::HubPing { .. })
    }
}

fn segments(path: &str) -> Vec<String> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() { Vec::new() } else { path.split('/').map(|s| percent_decode(s, false)).collect() }
}

fn route(segments: &[String]) -> Option<Route<'_>> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    Some(match s.as_slice() {
        [] => return None,
        _ if s.iter().any(|segment| segment.is_empty()) => return None,
        ["instances"] => Route::Instances { scope: None },
        ["instances", "enabled"] => Route::InstancesEnabled,
        ["instances", id] => Route::Instance { scope: None, id },
        ["instances", id, "configuration"] => Route::InstanceConfig { scope: None, id },
        ["instances", id, "configuration", config_id] => Route::InstanceConfigEntry { scope: None, id, config_id },
        ["elements"] => Route::Elements,
        ["elements", key] => Route::Element { key },
        ["elements", key, "configuration"] => Route::ElementConfig { key },
        ["elements", key, "instances"] => Route::Instances { scope: Some(key) },
        ["elements", key, "instances", id] => Route::Instance { scope: Some(key), id },
        ["elements", key, "instances", id, "configuration"] => Route::InstanceConfig { scope: Some(key), id },
        ["elements", key, "instances", id, "configuration", config_id] => {
            Route::InstanceConfigEntry { scope: Some(key), id, config_id }
        }
        ["hubs", hub, "ping"] => Route::HubPing { hub },
        _ => return None,
    })
}

fn allowed_for(path: &str) -> Vec<&'static str> {
    route(&segments(path)).map(|r| r.methods().to_vec()).unwrap_or_default()
}

fn route_and_handle(shared: &Shared, req: &Request, path: &str) -> Result<Response, ApiError> {
    let segments = segments(path);
    let Some(route) = route(&segments) else {
        return Err(ApiError::new(404, format!("No resource found at {}{path}", PREFIX)));
    };
    let method = req.method.as_str();
    if !route.methods().contains(&method) {
        return Err(ApiError::new(405, format!("Method {method} is not allowed on {PREFIX}{path}")));
    }
    let method = if method == "HEAD" { "GET" } else { method };
    let credentials = authorize(shared, req, route.needs_element_token())?;
    if matches!(
        (route, method),
        (Route::Instances { .. }, "POST")
            | (Route::Instance { .. }, "PUT" | "PATCH")
            | (Route::InstanceConfigEntry { .. }, "PATCH")
    ) {
        require_json_body(req)?;
    }
    require_json_accepted(req)?;

    match route {
        Route::Instances { scope } => {
            let scope = scope.map(element).transpose()?;
            if method == "POST" { create(shared, req, scope) } else { list(shared, req, scope) }
        }
        Route::InstancesEnabled => set_enabled(shared, credentials.element.unwrap_or_default(), method == "PUT"),
        Route::Instance { scope, id } => {
            let scope = scope.map(element).transpose()?;
            let mut state = shared.state();
            match method {
                "GET" => Ok(Response::json(200, &find(&mut state, scope, id)?.view(true))),
                "DELETE" => {
                    let id = find(&mut state, scope, id)?.id;
                    state.remove(id);
                    Ok(Response::json(200, &json!({})))
                }
                _ => {
                    let update = validate::instance_update(&req.body)?;
                    let instance = find(&mut state, scope, id)?;
                    if let Some(name) = update.name {
                        instance.name = name;
                    }
                    if let Some(tags) = update.tags {
                        instance.tags = tags;
                    }
                    Ok(Response::json(200, &instance.view(true)))
                }
            }
        }
        Route::InstanceConfig { scope, id } => {
            let scope = scope.map(element).transpose()?;
            let mut state = shared.state();
            Ok(Response::json(200, &find(&mut state, scope, id)?.configuration_entries()))
        }
        Route::InstanceConfigEntry { scope, id, config_id } => {
            let scope = scope.map(element).transpose()?;
            let mut state = shared.state();
            let instance = find(&mut state, scope, id)?;
            let instance_id = instance.id;
            let not_found = || {
                ApiError::new(404, format!("No configuration entry with id '{config_id}' in instance {instance_id}"))
            };
            let config_id: u64 = config_id.parse().map_err(|_| not_found())?;
            let index = instance.configuration.iter().position(|c| c.id == config_id).ok_or_else(not_found)?;
            if method == "PATCH" {
                let key = &instance.configuration[index].key;
                let value = validate::config_value_update(&req.body, instance.element, key)?;
                instance.configuration[index].value = value;
            }
            Ok(Response::json(200, &instance.entry_view(&instance.configuration[index])))
        }
        Route::Elements => Ok(Response::json(200, &catalog::ELEMENTS)),
        Route::Element { key } => Ok(Response::json(200, element(key)?)),
        Route::ElementConfig { key } => Ok(Response::json(200, &element(key)?.schema_json())),
        Route::HubPing { hub } => ping(shared, credentials.element.unwrap_or_default(), hub),
    }
}

/// The parts of `Authorization: User <u>, Organization <o>, Element <t>`.
#[derive(Debug, Default)]
struct Credentials<'a> {
    user: Option<&'a str>,
    organization: Option<&'a str>,
    element: Option<&'a str>,
}

/// Splits the header on commas into `User x` / `Organization y` / `Element t` parts, in any order.
/// `None` when a part is unknown, repeated or empty.
fn parse_authorization(value: &str) -> Option<Credentials<'_>> {
    let mut credentials = Credentials::default();
    for part in value.split(',') {
        let (scheme, secret) = part.trim().split_once(char::is_whitespace)?;
        let secret = secret.trim();
        let slot = match scheme {
            s if s.eq_ignore_ascii_case("user") => &mut credentials.user,
            s if s.eq_ignore_ascii_case("organization") => &mut credentials.organization,
            s if s.eq_ignore_ascii_case("element") => &mut credentials.element,
            _ => return None,
        };
        if secret.is_empty() || slot.replace(secret).is_some() {
            return None;
        }
    }
    Some(credentials)
}

fn authorize<'r>(shared: &Shared, req: &'r Request, needs_element: bool) -> Result<Credentials<'r>, ApiError> {
    let expected = if needs_element {
        "'User <user secret>, Organization <organization secret>, Element <element token>'"
    } else {
        "'User <user secret>, Organization <organization secret>'"
    };
    let Some(header) = req.header("authorization") else {
        return Err(ApiError::new(401, format!("No Authorization header provided: expected {expected}")));
    };
    let credentials = parse_authorization(header).unwrap_or_default();
    if credentials.user != Some(shared.user_secret.as_str())
        || credentials.organization != Some(shared.organization_secret.as_str())
    {
        return Err(ApiError::new(401, INVALID_CREDENTIALS));
    }
    if needs_element && credentials.element.is_none() {
        return Err(ApiError::new(401, format!("No Element token provided: expected {expected}")));
    }
    Ok(credentials)
}

fn require_json_body(req: &Request) -> Result<(), ApiError> {
    let media_type = req.header("content-type").map(|v| v.split(';').next().unwrap_or("").trim());
    match media_type {
        Some(t) if t.eq_ignore_ascii_case("application/json") => Ok(()),
        Some(t) if !t.is_empty() => {
            Err(ApiError::new(415, format!("Content type '{t}' is not supported: send application/json")))
        }
        _ => Err(ApiError::new(415, "No Content-Type given: send application/json")),
    }
}

/// 406 when the client accepts no JSON. No `Accept` header accepts anything.
fn require_json_accepted(req: &Request) -> Result<(), ApiError> {
    let Some(accept) = req.header("accept").filter(|v| !v.trim().is_empty()) else {
        return Ok(());
    };
    let accepts_json = accept.split(',').any(|range| {
        let mut params = range.split(';');
        let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = params.any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        !refused && (media == "*/*" || media == "application/*" || media == "application/json")
    });
    if accepts_json {
        Ok(())
    } else {
        Err(ApiError::new(406, "This API only answers application/json, which the Accept header excludes"))
    }
}

fn element(key_or_id: &str) -> Result<&'static Element, ApiError> {
    catalog::by_key_or_id(key_or_id)
        .ok_or_else(|| ApiError::new(404, format!("No element found with key or id '{key_or_id}'")))
}

fn find<'s>(state: &'s mut State, scope: Option<&Element>, id: &str) -> Result<&'s mut Instance, ApiError> {
    let Ok(number) = id.parse::<u64>() else {
        return Err(ApiError::new(400, format!("Invalid instance id '{id}': expected a number")));
    };
    state
        .instances
        .get_mut(&number)
        .filter(|instance| scope.is_none_or(|element| element.id == instance.element.id))
        .ok_or_else(|| ApiError::new(404, format!("No instance found with id {number}")))
}

fn create(shared: &Shared, req: &Request, scope: Option<&'static Element>) -> Result<Response, ApiError> {
    let new = validate::new_instance(&req.body, scope)?;
    let mut state = shared.state();
    let token = loop {
        let token = shared.ids.token();
        if !state.tokens.contains_key(&token) {
            break token;
        }
    };
    let instance = state.insert(new, token);
    Ok(Response::json(200, &instance.view(false)).with_header("elements-element-instance-id", instance.id.to_string()))
}

fn list(shared: &Shared, req: &Request, scope: Option<&'static Element>) -> Result<Response, ApiError> {
    let mut tags = Vec::new();
    let mut search = None;
    for (key, value) in query_pairs(req.query()) {
        match key.as_str() {
            "tags[]" | "tags" => tags.push(value),
            "searchText" if !value.is_empty() => search = Some(value.to_lowercase()),
            // hydrate, paging and anything else: accepted, no effect here.
            _ => {}
        }
    }
    let state = shared.state();
    let matches: Vec<_> = state
        .instances
        .values()
        .filter(|i| scope.is_none_or(|element| element.id == i.element.id))
        .filter(|i| tags.iter().all(|tag| i.tags.contains(tag)))
        .filter(|i| search.as_ref().is_none_or(|text| i.name.to_lowercase().contains(text)))
        .map(|i| i.view(true))
        .collect();
    if matches.is_empty() && (!tags.is_empty() || search.is_some()) {
        // The platform answers a search without results this way, not with [].
        return Err(ApiError::new(404, "No instances found matching the given criteria"));
    }
    Ok(Response::json(200, &matches))
}

fn set_enabled(shared: &Shared, token: &str, enabled: bool) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = state.by_token(token).ok_or_else(|| ApiError::new(401, INVALID_CREDENTIALS))?;
    instance.disabled = !enabled;
    Ok(Response::json(200, &instance.view(true)))
}

fn ping(shared: &Shared, token: &str, hub: &str) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = state.by_token(token).ok_or_else(|| ApiError::new(401, INVALID_CREDENTIALS))?;
    if instance.element.hub != hub {
        return Err(ApiError::new(
            404,
            format!("Element '{}' is in hub '{}', not '{hub}'", instance.element.key, instance.element.hub),
        ));
    }
    if instance.disabled {
        return Err(ApiError::new(403, "This element instance is disabled; enable it with PUT /instances/enabled"));
    }
    Ok(Response::json(200, &json!({ "endpoint": instance.element.key })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_authorization_in_any_order() {
        let c = parse_authorization("Element t+/=, organization o ,User  u").unwrap();
        assert_eq!((c.user, c.organization, c.element), (Some("u"), Some("o"), Some("t+/=")));
        assert!(parse_authorization("User u, User v").is_none());
        assert!(parse_authorization("Bearer x").is_none());
        assert!(parse_authorization("User").is_none());
        assert!(parse_authorization("User u,").is_none());
    }

    #[test]
    fn routes() {
        let r = |p: &str| route(&segments(p)).map(|r| format!("{r:?}"));
        assert_eq!(r("/instances/"), Some("Instances { scope: None }".into()));
        assert_eq!(r("/elements/closeio/instances/3"), Some("Instance { scope: Some(\"closeio\"), id: \"3\" }".into()));
        assert_eq!(r("/instances//configuration"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("/hubs/crm/contacts"), None);
        assert_eq!(strip_prefix("/elements/api-v2/instances"), Some("/instances"));
        assert_eq!(strip_prefix("/elements/api-v2"), Some(""));
        assert_eq!(strip_prefix("/elements/api-v23"), None);
    }
}
