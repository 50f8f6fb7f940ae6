//! The stand-in OAuth provider at `/oauth/authorize`: what a user's browser opens from the URL
//! `GET /elements/{keyOrId}/oauth/url` answers. It asks nothing (the user "consents" at once) and
//! redirects (302) to the callback URL with a fresh code and the caller's `state`. No
//! `Authorization` header: a browser has none.

use crate::http::{Request, Response, query_pairs};
use crate::oauth;
use crate::server::Shared;
use crate::values::is_http_url;

/// Whether `path` is the stand-in provider's.
pub(crate) fn is_provider_path(path: &str) -> bool {
    path.trim_end_matches('/') == oauth::AUTHORIZE_PATH
}

/// Answers `GET /oauth/authorize?client_id=..&redirect_uri=..&element=..[&state=..]`.
pub(crate) fn authorize(shared: &Shared, req: &Request) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        return page(405, "Method not allowed", "The authorization page only answers GET.")
            .with_header("Allow", "GET, HEAD");
    }
    let params = query_pairs(req.query());
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let (Some(api_key), Some(element)) = (param("client_id"), param("element")) else {
        return page(400, "Invalid request", "The authorization request names no client_id or no element.");
    };
    let Some(callback) = param("redirect_uri").filter(|url| is_http_url(url)) else {
        return page(400, "Invalid request", "The authorization request has no http(s) redirect_uri.");
    };
    let mut state = shared.state();
    match state.oauth.was_issued(element, api_key, callback) {
        Ok(true) => {}
        Ok(false) => {
            return page(400, "Invalid redirect", "The redirect_uri is not the callback URL given for this API key.");
        }
        Err(()) => {
            return page(
                400,
                "Unknown application",
                "This sandbox never handed out an OAuth URL for this API key (client_id) and element.",
            );
        }
    }
    let code = shared.ids.oauth_code();
    state.oauth.grant(code.clone(), element, api_key);
    let mut query = vec![("code", code.as_str())];
    query.extend(param("state").map(|s| ("state", s)));
    let location = oauth::with_query(callback, &query);
    page(302, "Redirecting", "Authorized; returning to the application.").with_header("Location", location)
}

/// A small HTML page.
fn page(status: u16, title: &str, text: &str) -> Response {
    let mut response = Response::json(status, &());
    response.content_type = Some("text/html; charset=utf-8".to_owned());
    response.body = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    )
    .into_bytes();
    response
}
