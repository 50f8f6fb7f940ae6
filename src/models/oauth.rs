//! What `GET /elements/{key}/oauth/url` is asked with.

use crate::auth::Secret;
use crate::url::encode_component;

/// The parameters of [`Client::oauth_url`](crate::Client::oauth_url): the OAuth application the
/// provider knows (its API key and secret), the callback URL registered with it, and the optional
/// scope, state and site address.
///
/// The API secret is a [`Secret`]: it is left out of `Debug` and never appears in an error.
///
/// ```
/// use cloud_elements::OAuthUrlRequest;
///
/// let request = OAuthUrlRequest::new("my-app-key", "my-app-secret", "http://127.0.0.1:8765/callback")
///     .state("r4nd0m")
///     .scope("read");
/// assert_eq!(request.state.as_deref(), Some("r4nd0m"));
/// assert!(!format!("{request:?}").contains("my-app-secret"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthUrlRequest {
    /// The OAuth application's key at the provider (`apiKey`; the element's `oauth.api.key`).
    pub api_key: String,
    /// The OAuth application's secret (`apiSecret`; the element's `oauth.api.secret`).
    pub api_secret: Secret,
    /// Where the provider sends the browser back (`callbackUrl`), as registered with it.
    pub callback_url: String,
    /// The permissions asked for (`scope`), when not the element's default.
    pub scope: Option<String>,
    /// A fresh, unguessable value the redirect must carry back (`state`), against cross-site
    /// request forgery; see [`oauth::CallbackListener::wait`](crate::oauth::CallbackListener::wait).
    pub state: Option<String>,
    /// The provider site's address (`siteAddress`), for providers with one site per customer.
    pub site_address: Option<String>,
}

impl OAuthUrlRequest {
    /// The three parameters every provider needs.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<Secret>, callback_url: impl Into<String>) -> Self {
        OAuthUrlRequest {
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            callback_url: callback_url.into(),
            scope: None,
            state: None,
            site_address: None,
        }
    }

    /// With `scope`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// With `state`.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// With `siteAddress`.
    pub fn site_address(mut self, address: impl Into<String>) -> Self {
        self.site_address = Some(address.into());
        self
    }

    /// Every problem that keeps the request from being sent (names, never values).
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, value) in [
            ("API key", self.api_key.as_str()),
            ("API secret", self.api_secret.expose()),
            ("callback URL", &self.callback_url),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("the OAuth {name} is empty"));
            }
        }
        if !self.callback_url.trim().is_empty() && !crate::url::is_http_url(&self.callback_url) {
            problems.push("the OAuth callback URL must be an http:// or https:// URL".to_owned());
        }
        problems
    }

    /// The query string, escaped, without `?`.
    pub(crate) fn to_query(&self) -> String {
        let mut pairs = vec![
            ("apiKey", self.api_key.as_str()),
            ("apiSecret", self.api_secret.expose()),
            ("callbackUrl", self.callback_url.as_str()),
        ];
        for (name, value) in [("scope", &self.scope), ("state", &self.state), ("siteAddress", &self.site_address)] {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        }
        let encoded: Vec<String> =
            pairs.into_iter().map(|(name, value)| format!("{name}={}", encode_component(value))).collect();
        encoded.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_escaped_and_optional_parts_follow() {
        let r = OAuthUrlRequest::new("k", "s&t", "http://127.0.0.1:1/cb?x=1").site_address("https://a.example");
        assert_eq!(
            r.to_query(),
            "apiKey=k&apiSecret=s%26t&callbackUrl=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1&siteAddress=https%3A%2F%2Fa.example"
        );
        assert!(r.problems().is_empty());
        assert_eq!(OAuthUrlRequest::new("", " ", "ftp://x").problems().len(), 3);
    }
}
