//! OAuth, as the platform and a provider do it: the authorization URLs handed out
//! (`GET /elements/{keyOrId}/oauth/url`), the codes the stand-in provider grants (`provider.rs`),
//! and the rule a create or re-authentication follows: a code this sandbox issued, for that
//! element (and that API key), usable once.

use std::collections::{HashMap, HashSet};
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::catalog::Element;
use crate::validate::{ApiError, bad_request};

/// Where the stand-in provider lives, outside the API prefix like a real provider's site.
pub(crate) const AUTHORIZE_PATH: &str = "/oauth/authorize";

/// The platform's answer to a create of an OAuth element without `providerData.code`.
pub(crate) const CODE_REQUIRED: &str = "You must provide an OAuth code in order to create an instance of this element";

/// The configuration entry holding the OAuth API key (client id).
const API_KEY_ENTRY: &str = "oauth.api.key";

/// Everything but the unreserved characters of RFC 3986 is escaped in a query value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Who a code was granted to.
#[derive(Debug)]
struct Grant {
    element: String,
    api_key: String,
}

/// The OAuth state of a sandbox: URLs handed out and codes not yet used. Cleared by a reset.
#[derive(Default)]
pub(crate) struct OAuthStore {
    /// `(element key, API key)` pairs an authorization URL was handed out for, with the callback
    /// URLs given for each (a provider only redirects to a registered one).
    issued: HashMap<(String, String), HashSet<String>>,
    /// Unused codes.
    codes: HashMap<String, Grant>,
}

/// Counts only: the codes are credentials.
impl fmt::Debug for OAuthStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthStore").field("issued", &self.issued.len()).field("codes", &self.codes.len()).finish()
    }
}

/// What `GET /elements/{keyOrId}/oauth/url` was asked for.
#[derive(Debug, Default)]
pub(crate) struct UrlRequest {
    pub(crate) api_key: String,
    pub(crate) callback_url: String,
    pub(crate) scope: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) site_address: Option<String>,
}

impl OAuthStore {
    /// Hands out the stand-in provider's authorization URL under `root` for `element`, and
    /// remembers the API key it was handed out for.
    pub(crate) fn issue_url(&mut self, root: &str, element: &str, request: &UrlRequest) -> String {
        let callbacks = self.issued.entry((element.to_owned(), request.api_key.clone())).or_default();
        callbacks.insert(request.callback_url.clone());
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", request.api_key.as_str()),
            ("redirect_uri", request.callback_url.as_str()),
        ];
        let optional = [("scope", &request.scope), ("state", &request.state), ("site_address", &request.site_address)];
        params.extend(optional.iter().filter_map(|(name, value)| Some((*name, value.as_deref()?))));
        params.push(("element", element));
        with_query(&format!("{root}{AUTHORIZE_PATH}"), &params)
    }

    /// Whether a URL was handed out for this element and API key (`Err` when not), and with this
    /// callback URL (`Ok(false)` when not).
    pub(crate) fn was_issued(&self, element: &str, api_key: &str, callback: &str) -> Result<bool, ()> {
        let callbacks = self.issued.get(&(element.to_owned(), api_key.to_owned())).ok_or(())?;
        Ok(callbacks.contains(callback))
    }

    /// Records a code the provider granted.
    pub(crate) fn grant(&mut self, code: String, element: &str, api_key: &str) {
        self.codes.insert(code, Grant { element: element.to_owned(), api_key: api_key.to_owned() });
    }

    /// Uses up `code` for an instance of `element` whose configuration holds `configured_api_key`
    /// (`oauth.api.key`), or says why it cannot be used. A refused code stays unused.
    pub(crate) fn redeem(
        &mut self,
        code: Option<&str>,
        element: &Element,
        configured_api_key: Option<&str>,
    ) -> Result<(), ApiError> {
        let code = code.ok_or_else(|| bad_request(CODE_REQUIRED))?;
        let Some(grant) = self.codes.get(code) else {
            return Err(bad_request("The OAuth code is invalid or has already been used (invalid_grant)"));
        };
        if grant.element != element.key() {
            return Err(bad_request(format!(
                "The OAuth code was not issued for element '{}' (invalid_grant)",
                element.key()
            )));
        }
        if configured_api_key.is_some_and(|key| key != grant.api_key) {
            return Err(bad_request(format!(
                "The OAuth code was issued to another client than the configured '{API_KEY_ENTRY}' (invalid_grant)"
            )));
        }
        self.codes.remove(code);
        Ok(())
    }

    /// The OAuth API key (`oauth.api.key`) a code must have been granted to, when `value` (a
    /// configuration lookup) gives one.
    pub(crate) fn api_key_of<'a>(value: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
        value(API_KEY_ENTRY).filter(|k| !k.trim().is_empty())
    }
}

/// `url` with `params` added to its query (after any query it has, before any fragment).
pub(crate) fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let mut out = base.to_owned();
    for (name, value) in params {
        if !out.contains('?') {
            out.push('?');
        } else if !out.ends_with(['?', '&']) {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn queries_are_appended_and_escaped() {
        assert_eq!(
            with_query("http://h/cb", &[("code", "c"), ("state", "a b&c")]),
            "http://h/cb?code=c&state=a%20b%26c"
        );
        assert_eq!(with_query("http://h/cb?x=1#top", &[("code", "c")]), "http://h/cb?x=1&code=c#top");
        assert_eq!(with_query("http://h/cb?", &[("code", "c")]), "http://h/cb?code=c");
    }

    #[test]
    fn a_code_is_used_once_for_its_element_and_key() {
        let catalog = Catalog::builtins();
        let clover = catalog.by_key("clover").unwrap();
        let closeio = catalog.by_key("closeio").unwrap();
        let mut store = OAuthStore::default();
        let url = store.issue_url(
            "http://127.0.0.1:1",
            "clover",
            &UrlRequest {
                api_key: "key".into(),
                callback_url: "http://localhost/cb".into(),
                state: Some("s 1".into()),
                ..UrlRequest::default()
            },
        );
        assert_eq!(
            url,
            "http://127.0.0.1:1/oauth/authorize?response_type=code&client_id=key\
             &redirect_uri=http%3A%2F%2Flocalhost%2Fcb&state=s%201&element=clover"
        );
        assert_eq!(store.was_issued("clover", "key", "http://localhost/cb"), Ok(true));
        assert_eq!(store.was_issued("clover", "key", "http://evil/cb"), Ok(false));
        assert_eq!(store.was_issued("clover", "other", "http://localhost/cb"), Err(()));
        assert_eq!(store.redeem(None, clover, None).unwrap_err().message, CODE_REQUIRED);
        store.grant("c1".into(), "clover", "key");
        assert!(store.redeem(Some("c1"), closeio, None).unwrap_err().message.contains("not issued for element"));
        assert!(store.redeem(Some("c1"), clover, Some("other")).unwrap_err().message.contains("oauth.api.key"));
        assert_eq!(store.redeem(Some("c1"), clover, Some("key")), Ok(()));
        assert!(store.redeem(Some("c1"), clover, None).unwrap_err().message.contains("already been used"));
    }
}
