//! `GET /elements` and `GET /elements/{keyOrId}/oauth/url` (a definition and its schema are
//! served as the catalog holds them).

use serde_json::{Value, json};

use crate::catalog::{Catalog, Element};
use crate::http::{Request, Response, query_pairs};
use crate::oauth::UrlRequest;
use crate::server::Shared;
use crate::validate::{ApiError, bad_request};
use crate::values::is_http_url;

/// Every element, as the `element` object of an instance shows it (no configuration schema).
pub(super) fn list(catalog: &Catalog) -> Response {
    let elements: Vec<&Value> = catalog.elements().map(|e| &e.view).collect();
    Response::json(200, &elements)
}

/// `GET /elements/{keyOrId}/oauth/url?apiKey=..&apiSecret=..&callbackUrl=..[&scope=..&state=..
/// &siteAddress=..]`: the stand-in provider's authorization URL.
pub(super) fn oauth_url(shared: &Shared, req: &Request, element: &Element) -> Result<Response, ApiError> {
    if !element.definition.is_oauth() {
        return Err(bad_request(format!("Element '{}' does not authenticate with OAuth", element.key())));
    }
    let params = query_pairs(req.query());
    let param = |name: &str| params.iter().find(|(n, v)| n == name && !v.trim().is_empty()).map(|(_, v)| v.clone());
    let required = ["apiKey", "apiSecret", "callbackUrl"];
    let missing: Vec<&str> = required.into_iter().filter(|name| param(name).is_none()).collect();
    if !missing.is_empty() {
        return Err(bad_request(format!("Missing required query parameters: {}", missing.join(", "))));
    }
    let request = UrlRequest {
        api_key: param("apiKey").unwrap_or_default(),
        callback_url: param("callbackUrl").unwrap_or_default(),
        scope: param("scope"),
        state: param("state"),
        site_address: param("siteAddress"),
    };
    if !is_http_url(&request.callback_url) {
        return Err(bad_request("Query parameter 'callbackUrl' must be an http or https URL"));
    }
    let mut state = shared.state();
    let root = state.root.clone();
    let url = state.oauth.issue_url(&root, element.key(), &request);
    Ok(Response::json(200, &json!({ "oauthUrl": url, "element": element.key() })))
}
