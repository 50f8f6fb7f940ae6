//! The OAuth round trip over loopback HTTP: the authorization URL, the stand-in provider's
//! redirect, a create with the code, and every way a code is refused.

mod common;

use cloud_elements_sandbox::Sandbox;
use common::{Client, api};
use serde_json::{Value, json};

const CODE_REQUIRED: &str = "You must provide an OAuth code in order to create an instance of this element";

fn url_path(api_key: &str, extra: &str) -> String {
    api(&format!(
        "/elements/clover/oauth/url?apiKey={api_key}&apiSecret=s3cret&callbackUrl=http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Fapp%3D1{extra}"
    ))
}

/// Asks for the URL, opens it like a browser (no credentials) and returns the redirect's code.
fn authorize(sandbox: &Sandbox, client: &mut Client, api_key: &str) -> String {
    let reply = client.get(&url_path(api_key, ""));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let oauth_url = reply.json()["oauthUrl"].as_str().unwrap().to_owned();
    let target = oauth_url.strip_prefix(&format!("http://{}", sandbox.addr())).unwrap().to_owned();
    let redirect = Client::connect(sandbox.addr()).get(&target);
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap();
    let code = location.strip_prefix("http://127.0.0.1:9/cb?app=1&code=").expect(location);
    assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric()), "{location}");
    code.to_owned()
}

fn clover(api_key: &str, code: Option<&str>) -> Value {
    let mut body = json!({
        "element": {"key": "clover"}, "name": "Clover", "tags": ["oauth"],
        "configuration": {"oauth.api.key": api_key, "oauth.api.secret": "s3cret", "merchantId": "M1",
                          "oauth.callback.url": "http://127.0.0.1:9/cb"},
    });
    if let Some(code) = code {
        body["providerData"] = json!({"code": code});
    }
    body
}

#[test]
fn url_redirect_create_and_a_used_code() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);

    let reply = client.get(&url_path("my-key", "&scope=read%20write&state=xyz%2F1&siteAddress=eu"));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["element"], "clover");
    let oauth_url = body["oauthUrl"].as_str().unwrap();
    let root = format!("http://{}", sandbox.addr());
    assert!(oauth_url.starts_with(&format!("{root}/oauth/authorize?")), "{oauth_url}");
    assert!(!oauth_url.contains("/elements/api-v2"), "the provider is outside the API");
    assert!(oauth_url.contains("client_id=my-key") && oauth_url.contains("scope=read%20write"), "{oauth_url}");
    assert!(!oauth_url.contains("s3cret"), "the API secret stays with the platform");

    // The browser's visit: a redirect to the callback (its own query kept) with a code and the state.
    let target = oauth_url.strip_prefix(&root).unwrap();
    let redirect = Client::connect(sandbox.addr()).get(target);
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").unwrap().to_owned();
    let (code, state) = location
        .strip_prefix("http://127.0.0.1:9/cb?app=1&code=")
        .and_then(|rest| rest.split_once("&state="))
        .expect(&location);
    assert_eq!(state, "xyz%2F1");
    // Each visit is a fresh code.
    let second = Client::connect(sandbox.addr()).get(target);
    assert_ne!(second.header("location"), Some(location.as_str()));

    let reply = client.post_json(&api("/instances"), &clover("my-key", Some(code)));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let created = reply.json();
    assert_eq!(created["element"]["key"], "clover");
    assert_eq!(created["configuration"]["merchantId"], "M1");
    assert_eq!(created["configuration"]["base.url"], "https://api.clover.com", "defaults echoed");
    assert!(created.get("providerData").is_none());
    assert!(!String::from_utf8_lossy(&reply.body).contains(code), "the code is not echoed");

    let reply = client.post_json(&api("/instances"), &clover("my-key", Some(code)));
    assert_eq!(reply.status, 400, "a code is usable once");
    assert!(reply.error_message().contains("invalid or has already been used"));
    assert_eq!(sandbox.instances().len(), 1);
}

#[test]
fn codes_are_refused_without_a_url_without_a_code_and_for_another_key() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);

    // The provider never handed a URL to this API key: a small HTML page, no redirect.
    let page = Client::connect(sandbox.addr())
        .get("/oauth/authorize?response_type=code&client_id=stranger&redirect_uri=http%3A%2F%2Fx%2Fcb&element=clover");
    assert_eq!(page.status, 400);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.header("location").is_none());
    assert_eq!(Client::connect(sandbox.addr()).get("/oauth/authorize").status, 400);
    // A redirect_uri other than the callback URL the URL was asked for is refused too.
    let oauth_url = client.get(&url_path("key-r", "")).json()["oauthUrl"].as_str().unwrap().to_owned();
    let tampered =
        oauth_url.replace("127.0.0.1%3A9", "evil.example").replace(&format!("http://{}", sandbox.addr()), "");
    let page = Client::connect(sandbox.addr()).get(&tampered);
    assert_eq!((page.status, page.header("location")), (400, None));
    assert_eq!(Client::connect(sandbox.addr()).send("POST", "/oauth/authorize", &[], None).unwrap().status, 405);

    let reply = client.post_json(&api("/instances"), &clover("k", None));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_message(), CODE_REQUIRED);
    let reply = client.post_json(&api("/instances"), &clover("k", Some("made-up")));
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("invalid"));

    let code = authorize(&sandbox, &mut client, "key-a");
    let reply = client.post_json(&api("/instances"), &clover("key-b", Some(&code)));
    assert_eq!(reply.status, 400, "issued to key-a");
    assert!(reply.error_message().contains("oauth.api.key"));
    // A refused code stays usable by its rightful owner.
    assert_eq!(client.post_json(&api("/instances"), &clover("key-a", Some(&code))).status, 200);

    // Missing entries are still named, and the URL call has its own checks.
    let reply = client.post_json(&api("/instances"), &json!({"element": {"key": "clover"}, "name": "c"}));
    assert!(reply.error_message().ends_with("oauth.api.key, oauth.api.secret, merchantId"));
    let reply = client.get(&api("/elements/clover/oauth/url?apiSecret=s"));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_message(), "Missing required query parameters: apiKey, callbackUrl");
    let reply = client.get(&api("/elements/closeio/oauth/url?apiKey=k&apiSecret=s&callbackUrl=http%3A%2F%2Fx"));
    assert_eq!(reply.status, 400, "Close.io does not use OAuth");
    assert_eq!(client.get(&api("/elements/nope/oauth/url")).status, 404);
    client.auth = None;
    assert_eq!(client.get(&url_path("k", "")).status, 401);
}

#[test]
fn patch_with_a_new_code_reauthenticates_and_reset_forgets_codes() {
    let sandbox = Sandbox::start().unwrap();
    let mut client = Client::new(&sandbox);
    let first = authorize(&sandbox, &mut client, "key-a");
    assert_eq!(client.post_json(&api("/instances"), &clover("key-a", Some(&first))).status, 200);

    let second = authorize(&sandbox, &mut client, "key-a");
    let patch = json!({"name": "Renamed", "providerData": {"code": second}});
    let reply = client.send_json("PATCH", &api("/instances/1"), &patch);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["name"], "Renamed");
    assert!(reply.json().get("providerData").is_none());
    let reply =
        client.send_json("PATCH", &api("/instances/1"), &json!({"name": "Again", "providerData": {"code": second}}));
    assert_eq!(reply.status, 400, "used up by the first PATCH");
    assert_eq!(sandbox.instances()[0]["name"], "Renamed", "a refused PATCH changes nothing");
    let other = authorize(&sandbox, &mut client, "key-b");
    let reply = client.send_json("PATCH", &api("/instances/1"), &json!({"providerData": {"code": other}}));
    assert_eq!(reply.status, 400, "the instance's oauth.api.key is key-a");

    let code = authorize(&sandbox, &mut client, "key-a");
    assert_eq!(client.post_json("/_sandbox/reset", &json!({})).status, 200);
    let reply = client.post_json(&api("/instances"), &clover("key-a", Some(&code)));
    assert_eq!(reply.status, 400, "a reset forgets codes");
}
