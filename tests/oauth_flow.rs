//! The whole OAuth round trip against the sandbox over loopback: the authorization URL, the
//! stand-in provider's redirect caught by a `CallbackListener` bound before the "browser" starts,
//! a create with the code, the code refused on reuse, a wrong `state` refused, and a create
//! without a code refused before sending.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use cloud_elements::oauth::CallbackListener;
use cloud_elements::{Client, Error, ErrorKind, InstanceRequest, OAuthUrlRequest, TimeoutKind};
use cloud_elements_sandbox::Sandbox;

const API_KEY: &str = "clover-app-key";
const API_SECRET: &str = "clover-app-SECRET-42";

fn client(sb: &Sandbox) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .build()
        .unwrap()
}

fn callback_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/callback")
}

/// A plain `GET url` as a browser sends it: the status, the `Location` header and the body.
fn get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let location = head
        .lines()
        .find_map(|line| line.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("location")))
        .map(|(_, value)| value.trim().to_owned());
    (status, location, body.to_owned())
}

/// Plays the browser: opens the authorization URL, follows the provider's redirect to the
/// callback, and returns the page the listener answered.
fn browse(oauth_url: String) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let (status, location, _) = get(&oauth_url);
        assert_eq!(status, 302, "the stand-in provider redirects");
        get(&location.expect("a Location")).2
    })
}

/// Binds, asks for the URL, plays the browser, and waits for the code.
fn authorize(c: &Client, url_state: &str, expected_state: &str) -> (Result<String, Error>, String) {
    let callback = callback_url();
    let listener = CallbackListener::bind(&callback).unwrap();
    assert_eq!(listener.local_addr().to_string(), callback["http://".len()..callback.len() - "/callback".len()]);
    let request = OAuthUrlRequest::new(API_KEY, API_SECRET, &callback).state(url_state).scope("read");
    let url = c.oauth_url("clover", &request).unwrap();
    let browser = browse(url);
    let code = listener.wait(Some(expected_state), Duration::from_secs(10));
    (code, browser.join().unwrap())
}

fn clover(code: Option<&str>) -> InstanceRequest {
    let request = InstanceRequest::new("clover", "Payroll")
        .config("oauth.api.key", API_KEY)
        .config("oauth.api.secret", API_SECRET)
        .config("merchantId", "M-1");
    match code {
        Some(code) => request.oauth_code(code),
        None => request,
    }
}

#[test]
fn the_whole_round_trip_then_the_code_is_refused_on_reuse() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let (code, page) = authorize(&c, "st-1", "st-1");
    let code = code.unwrap();
    assert!(page.contains("Authorization received"), "{page}");
    assert!(!code.is_empty());

    // The URL request carried everything, the secret included (the platform asks for it so).
    let asked = sb.requests().into_iter().find(|r| r.target.contains("/oauth/url")).unwrap();
    assert!(asked.target.starts_with("/elements/api-v2/elements/clover/oauth/url?apiKey=clover-app-key&"));
    assert!(asked.target.contains("apiSecret=clover-app-SECRET-42") && asked.target.contains("state=st-1"));

    let instance = c.create_instance(&clover(Some(&code))).unwrap();
    assert_eq!(instance.element.key.as_deref(), Some("clover"));
    let posted = sb.requests().into_iter().rev().find(|r| r.method == "POST").unwrap();
    let body: serde_json::Value = serde_json::from_slice(&posted.body).unwrap();
    assert_eq!(body["providerData"]["code"], code.as_str());

    // A code works once, as with a real provider.
    let err = c.create_instance(&clover(Some(&code))).unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(400)), "{err}");
    assert!(!err.to_string().contains(&code), "{err}");
    assert!(!err.instance_may_exist());
    assert_eq!(sb.instances().len(), 1);
}

#[test]
fn a_wrong_state_is_refused_by_the_listener() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let (code, page) = authorize(&c, "forged-state", "st-2");
    let err = code.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("state does not match") && err.to_string().contains("CSRF"), "{err}");
    assert!(page.contains("Authorization failed"), "{page}");
}

#[test]
fn a_create_without_a_code_is_refused_before_sending() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let err = c.create_instance(&clover(None)).unwrap_err();
    assert_eq!(err.missing(), ["providerData.code"]);
    let err = c.create_instance(&InstanceRequest::new("clover", "Payroll")).unwrap_err();
    assert_eq!(err.missing(), ["oauth.api.key", "oauth.api.secret", "merchantId", "providerData.code"]);
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn the_url_request_is_checked_and_its_secret_never_shown() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let request = OAuthUrlRequest::new(API_KEY, API_SECRET, "http://127.0.0.1:9/callback");
    // Not an OAuth element: the platform's 400, without the secret.
    let err = c.oauth_url("closeio", &request).unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(!err.to_string().contains(API_SECRET) && !format!("{err:?}").contains(API_SECRET), "{err:?}");
    // An unknown element.
    let err = c.oauth_url("clovr", &request).unwrap_err();
    assert_eq!(err.to_string(), "no element with key `clovr` (did you mean `clover`?)");
    // Refused before sending.
    let before = sb.request_count();
    let err = c.oauth_url("clover", &OAuthUrlRequest::new("", API_SECRET, "ftp://x")).unwrap_err();
    let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(!err.to_string().contains(API_SECRET));
    assert_eq!(sb.request_count(), before);
    assert!(!format!("{request:?}").contains(API_SECRET));
}

#[test]
fn a_wait_without_a_redirect_times_out_as_such() {
    let callback = callback_url();
    let listener = CallbackListener::bind(&callback).unwrap();
    let err = listener.wait(Some("s"), Duration::from_millis(200)).unwrap_err();
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Redirect, .. }), "{err:?}");
    assert!(err.to_string().contains("no OAuth redirect reached the callback URL within 200 ms"), "{err}");
    assert!(!err.to_string().contains("the request took longer"), "{err}");
    // The port is free again once the wait is over.
    drop(CallbackListener::bind(&callback).unwrap());
    let err = CallbackListener::bind("http://example.com:80/cb").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn one_overall_timeout_bounds_the_url_call_and_its_element_look_up() {
    use cloud_elements_sandbox::{Fault, FaultKind};
    let sb = Sandbox::start().unwrap();
    let c = Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .timeout(Duration::from_millis(1000))
        .build()
        .unwrap();
    let request = OAuthUrlRequest::new(API_KEY, API_SECRET, "http://127.0.0.1:9/callback");
    // The URL call's 404 after 700 ms, then the element look-up would take 700 ms more.
    sb.inject(Fault::new(FaultKind::Delay { ms: 700 }).times(2).method("GET"));
    let started = std::time::Instant::now();
    let err = c.oauth_url("clovr", &request).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1300), "took {took:?}: {err:?}");
    assert_eq!(err.status(), Some(404), "{err:?}");
}
