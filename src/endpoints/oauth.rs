//! `GET /elements/{key}/oauth/url`: the provider's authorization URL for an OAuth element.

use std::time::Instant;

use serde_json::Value;
use ureq::http::Method;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::models::oauth::OAuthUrlRequest;
use crate::url::encode_component;

impl Client {
    /// The provider's authorization URL for an OAuth element: `GET
    /// {base}/elements/{key}/oauth/url?apiKey=..&apiSecret=..&callbackUrl=..` (with `scope`,
    /// `state` and `siteAddress` when set), the answer's `oauthUrl`. Open it in the user's
    /// browser; the provider then redirects to the callback URL with the code to create the
    /// instance with ([`InstanceRequest::oauth_code`](crate::InstanceRequest::oauth_code)).
    /// Listen for that redirect first ([`oauth::CallbackListener`](crate::oauth::CallbackListener)).
    ///
    /// The API secret is sent in the query, as the platform asks, and is redacted from every
    /// error. A read: sent again after a lost answer or a 429, 500, 502, 503 or 504. The overall
    /// timeout bounds the whole call, the element look-up that tells a 404's cause included.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty key, API key, secret or callback URL, or a callback URL
    /// that is not http(s) (nothing is sent); [`Error::UnknownElement`] for a key the platform
    /// does not know; the platform's 400 ([`Error::Api`]) for an element without OAuth; an
    /// [`Error::Decode`] when the answer has no `oauthUrl`.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// use cloud_elements::OAuthUrlRequest;
    ///
    /// let request = OAuthUrlRequest::new("my-app-key", "my-app-secret", "http://127.0.0.1:8765/callback")
    ///     .state("r4nd0m");
    /// let url = client.oauth_url("clover", &request)?;
    /// assert!(url.contains("/oauth/authorize?") && url.contains("state=r4nd0m"));
    /// let err = client.oauth_url("closeio", &request).unwrap_err();
    /// assert_eq!(err.status(), Some(400));
    /// assert!(!err.to_string().contains("my-app-secret"));
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn oauth_url(&self, element_key: &str, request: &OAuthUrlRequest) -> Result<String, Error> {
        let mut problems = request.problems();
        if element_key.trim().is_empty() {
            problems.insert(0, "the element key is empty".to_owned());
        }
        if !problems.is_empty() {
            return Err(Error::InvalidInput { problems });
        }
        let secret = request.api_secret.expose();
        let encoded_secret = encode_component(secret);
        let redactor = self.redactor([secret, encoded_secret.as_str()]);
        let path = format!("/elements/{}/oauth/url", encode_component(element_key));
        let call = Call::new(Method::GET, path).query(request.to_query());
        // One overall deadline for the whole call, the element look-up after a 404 included.
        let deadline = Instant::now() + self.inner.timeout;
        let reply = match self.call_until(&call, Some(deadline), &redactor) {
            Err(error) if error.status() == Some(404) => {
                // Told apart from a wrong base URL by the element's own answer.
                return Err(match self.element_until(element_key, deadline, &self.redactor([])) {
                    Err(unknown @ Error::UnknownElement { .. }) => unknown,
                    _ => error,
                });
            }
            other => other?,
        };
        let answer: Value = serde_json::from_str(&reply.text)
            .map_err(|_| Error::decode(reply.status, "the OAuth URL answer is not JSON", &reply.text, &redactor))?;
        match answer.get("oauthUrl").and_then(Value::as_str) {
            Some(url) if !url.is_empty() => Ok(url.to_owned()),
            _ => Err(Error::decode(reply.status, "the answer has no `oauthUrl`", &reply.text, &redactor)),
        }
    }
}
