//! The platform API under `/elements/api-v2`: routing, the checks every request passes, and the
//! handlers by resource (`instances.rs`, `elements.rs`).
//!
//! Order of checks for every request: route (404), method (405), authorization (401), request
//! `Content-Type` for bodies (415), `Accept` (406), then the handler's own checks.

mod checks;
mod elements;
mod instances;
mod routes;

use std::sync::Arc;

use crate::catalog::{Catalog, Element};
use crate::http::{Request, Response};
use crate::server::Shared;
use crate::validate::ApiError;
use routes::{Route, allowed_for, route, segments};

/// Where the API lives, like `https://api.cloud-elements.com/elements/api-v2`.
pub(crate) const PREFIX: &str = "/elements/api-v2";

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

fn route_and_handle(shared: &Shared, req: &Request, path: &str) -> Result<Response, ApiError> {
    let segments = segments(path);
    let Some(route) = route(&segments) else {
        return Err(ApiError::new(404, format!("No resource found at {PREFIX}{path}")));
    };
    let method = req.method.as_str();
    if !route.methods().contains(&method) {
        return Err(ApiError::new(405, format!("Method {method} is not allowed on {PREFIX}{path}")));
    }
    let method = if method == "HEAD" { "GET" } else { method };
    let credentials = checks::authorize(shared, req, route.needs_element_token())?;
    if route.takes_body(method) {
        checks::require_json_body(req)?;
    }
    checks::require_json_accepted(req)?;

    let catalog = Arc::clone(&shared.state().catalog);
    let scope = |key: Option<&str>| key.map(|key| element(&catalog, key)).transpose();
    let token = credentials.element.unwrap_or_default();
    match route {
        Route::Instances { scope: key } if method == "POST" => instances::create(shared, req, &catalog, scope(key)?),
        Route::Instances { scope: key } => instances::list(shared, req, scope(key)?),
        Route::InstancesEnabled => instances::set_enabled(shared, token, method == "PUT"),
        Route::Instance { scope: key, id } => instances::one(shared, req, method, scope(key)?, id),
        Route::InstanceConfig { scope: key, id } => instances::configuration(shared, scope(key)?, id),
        Route::InstanceConfigEntry { scope: key, id, config_id } => {
            instances::configuration_entry(shared, req, method, scope(key)?, id, config_id)
        }
        Route::Elements => Ok(elements::list(&catalog)),
        Route::Element { key } => Ok(Response::json(200, &element(&catalog, key)?.json)),
        Route::ElementConfig { key } => Ok(Response::json(200, &element(&catalog, key)?.schema)),
        Route::ElementOAuthUrl { key } => elements::oauth_url(shared, req, &*element(&catalog, key)?),
        Route::HubPing { hub } => instances::ping(shared, token, hub),
    }
}

/// The element at `/elements/{keyOrId}`, or the platform's 404.
fn element(catalog: &Catalog, key_or_id: &str) -> Result<Arc<Element>, ApiError> {
    catalog
        .by_key_or_id(key_or_id)
        .cloned()
        .ok_or_else(|| ApiError::new(404, format!("No element found with key or id '{key_or_id}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_prefix() {
        assert_eq!(strip_prefix("/elements/api-v2/instances"), Some("/instances"));
        assert_eq!(strip_prefix("/elements/api-v2"), Some(""));
        assert_eq!(strip_prefix("/elements/api-v23"), None);
    }
}
