//! The checks every API request passes before its handler: authorization (401) and content
//! negotiation (415 for a body that is not JSON, 406 for a client that accepts no JSON).

use crate::http::Request;
use crate::server::Shared;
use crate::validate::ApiError;

/// The platform's answer to wrong secrets or an unknown Element token.
pub(super) const INVALID_CREDENTIALS: &str = "Invalid Organization or User secret, or invalid Element token provided.";

/// The parts of `Authorization: User <u>, Organization <o>, Element <t>`.
#[derive(Debug, Default)]
pub(super) struct Credentials<'a> {
    user: Option<&'a str>,
    organization: Option<&'a str>,
    pub(super) element: Option<&'a str>,
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

pub(super) fn authorize<'r>(
    shared: &Shared,
    req: &'r Request,
    needs_element: bool,
) -> Result<Credentials<'r>, ApiError> {
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

pub(super) fn require_json_body(req: &Request) -> Result<(), ApiError> {
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
pub(super) fn require_json_accepted(req: &Request) -> Result<(), ApiError> {
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
}
