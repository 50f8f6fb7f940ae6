//! An error answer (status 400 or more) as an [`Error::Api`], keeping what the server said.

use serde_json::Value;

use crate::call::Reply;
use crate::error::{ApiError, Effect, Error, MAX_ERROR_BODY};
use crate::redact::{Redactor, snippet};

/// Builds an [`Error::Api`] from an error response, keeping what the server said.
///
/// The body is parsed before anything is redacted (so secrets JSON-escaped in it are found as the
/// server meant them), and redacted before it is cut to [`MAX_ERROR_BODY`].
pub(crate) fn api_error(reply: &Reply, effect: Effect, redactor: &Redactor<'_>) -> Error {
    let (status, body) = (reply.status, reply.text.as_str());
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .map(|s| snippet(&redactor.apply(&s)))
    };
    let mut body = redactor.apply(body);
    let mut cut = body.len().min(MAX_ERROR_BODY);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body.truncate(cut);
    Error::Api(ApiError {
        status,
        message: field("message"),
        request_id: field("requestId"),
        provider_message: field("providerMessage"),
        body,
        retry_after: reply.retry_after,
        effect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_keeps_what_the_server_said() {
        let reply = |status, text: &str| Reply { status, text: text.to_owned(), retry_after: None };
        let err = api_error(
            &reply(401, r#"{"requestId":"r-1","message":"Invalid secret hunter2","providerMessage":"nope"}"#),
            Effect::Nothing,
            &Redactor::new(["hunter2"]),
        );
        let Error::Api(api) = &err else { panic!("{err:?}") };
        assert_eq!(api.message.as_deref(), Some("Invalid secret [redacted]"));
        assert_eq!(api.request_id.as_deref(), Some("r-1"));
        assert_eq!(api.provider_message.as_deref(), Some("nope"));
        assert!(!api.body.contains("hunter2"));
        let html = api_error(&reply(502, "<html>Bad Gateway</html>"), Effect::InstanceMayExist, &Redactor::default());
        assert!(html.to_string().contains("<html>Bad Gateway"), "{html}");
        assert!(html.to_string().ends_with("; the instance may have been created"), "{html}");
        assert!(html.instance_may_exist());
    }
}
