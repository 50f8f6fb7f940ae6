//! `oauth::receive_code` over real loopback sockets, with the tests playing the browser.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use cloud_elements::oauth::receive_code;
use cloud_elements::{Error, ErrorKind, TimeoutKind, TransportKind};

const CODE: &str = "4/0AVG7fi-SECRET-CODE+x";
const CODE_ENCODED: &str = "4%2F0AVG7fi-SECRET-CODE%2Bx";

/// A port nobody listens on (bound, then let go).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `receive_code` on a thread of its own.
fn listen(url: String, state: Option<&'static str>, timeout: Duration) -> JoinHandle<Result<String, Error>> {
    thread::spawn(move || receive_code(&url, state, timeout))
}

/// A connection to the listener, once it is up.
fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => return stream,
            Err(_) if start.elapsed() < Duration::from_secs(10) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("the listener never came up: {e}"),
        }
    }
}

/// Sends `GET target` on `stream` as a browser does, and reads the whole answer.
fn get_on(mut stream: TcpStream, target: &str) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\nAccept: text/html\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn get(port: u16, target: &str) -> String {
    get_on(connect(port), target)
}

fn problems(result: Result<String, Error>) -> (Error, String) {
    let err = result.expect_err("the redirect should have been refused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
    let text = err.to_string();
    (err, text)
}

fn assert_no_code(err: &Error) {
    for shown in [format!("{err:?}"), err.to_string()] {
        assert!(!shown.contains("SECRET-CODE"), "{shown}");
    }
}

fn assert_not_listening(port: u16) {
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} is still listened on");
}

#[test]
fn the_code_is_returned_when_the_state_matches() {
    let port = free_port();
    let receiver = listen(format!("http://127.0.0.1:{port}/callback"), Some("st-42 x"), Duration::from_secs(10));
    let page = get(port, &format!("/callback?code={CODE_ENCODED}&state=st-42+x&scope=a%20b"));
    assert_eq!(receiver.join().unwrap().unwrap(), CODE);
    let (head, body) = page.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let headers: Vec<&str> = head.split("\r\n").skip(1).collect();
    assert!(headers.contains(&"Content-Type: text/html; charset=utf-8"), "{head}");
    assert!(headers.contains(&"Connection: close"), "{head}");
    assert!(headers.contains(&format!("Content-Length: {}", body.len()).as_str()), "{head}");
    assert!(body.contains("Authorization received. You can close this window."), "{body}");
    assert!(!page.contains("SECRET-CODE"));
    assert_not_listening(port);
}

#[test]
fn a_wrong_or_missing_state_is_refused_and_the_browser_told() {
    for query in [format!("code={CODE_ENCODED}&state=forged"), format!("code={CODE_ENCODED}")] {
        let port = free_port();
        let receiver = listen(format!("http://127.0.0.1:{port}/cb"), Some("expected"), Duration::from_secs(10));
        let page = get(port, &format!("/cb?{query}"));
        let (err, text) = problems(receiver.join().unwrap());
        assert!(text.contains("the OAuth redirect's state does not match"), "{text}");
        assert!(text.contains("possible CSRF"), "{text}");
        assert!(!text.contains("forged") && !text.contains("expected"), "{text}");
        assert_no_code(&err);
        assert!(page.starts_with("HTTP/1.1 400 "), "{page}");
        assert!(page.contains("Authorization failed") && page.contains("possible CSRF"), "{page}");
        assert!(!page.contains("SECRET-CODE") && !page.contains("Authorization received"), "{page}");
        assert_not_listening(port);
    }
}

#[test]
fn pre_connections_favicon_and_other_paths_neither_block_nor_end_the_wait() {
    let port = free_port();
    let receiver = listen(format!("http://localhost:{port}/oauth/callback"), Some("s"), Duration::from_secs(20));
    // Browsers open sockets ahead of need: one stays idle throughout, one is used later, one is
    // closed without a word.
    let idle = connect(port);
    let preconnected = connect(port);
    drop(connect(port));
    let mut half = connect(port);
    half.write_all(b"GET /oauth/callback?code=x&state=s HTTP/1.1\r\nHost: loc").unwrap();
    half.shutdown(Shutdown::Write).unwrap();

    let favicon = get(port, "/favicon.ico");
    assert!(favicon.starts_with("HTTP/1.1 404 Not Found\r\n"), "{favicon}");
    assert!(favicon.contains("Content-Type: text/html; charset=utf-8"));
    assert!(get(port, "/oauth/callback/other?code=x&state=s").starts_with("HTTP/1.1 404 "));
    assert!(get(port, "/oauth/callback").starts_with("HTTP/1.1 400 "), "no query: not the redirect");
    let mut post = connect(port);
    post.write_all(b"POST /oauth/callback?code=x&state=s HTTP/1.1\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut answer = String::new();
    post.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let mut garbage = connect(port);
    garbage.write_all(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = garbage.read_to_end(&mut answer);
    assert!(answer.starts_with(b"HTTP/1.1 400 "));
    thread::sleep(Duration::from_millis(100));
    assert!(!receiver.is_finished(), "nothing so far is the redirect");

    let page = get_on(preconnected, &format!("/oauth/callback?state=s&code={CODE_ENCODED}"));
    assert!(page.contains("Authorization received."), "{page}");
    assert_eq!(receiver.join().unwrap().unwrap(), CODE);
    // The idle socket is closed when the wait ends, and the port no longer listened on.
    let mut idle = idle;
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let start = Instant::now();
    let read = idle.read(&mut [0u8; 16]);
    assert!(start.elapsed() < Duration::from_secs(2), "the idle connection was left open: {read:?}");
    assert!(matches!(read, Ok(0)) || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset));
    assert_not_listening(port);
}

#[test]
fn a_provider_error_is_reported_with_its_description() {
    let port = free_port();
    let receiver = listen(format!("http://127.0.0.1:{port}/"), Some("s"), Duration::from_secs(10));
    let page = get(
        port,
        &format!("/?error=access_denied&error_description=The+user+denied+%3Caccess%3E&state=s&code={CODE_ENCODED}"),
    );
    let (err, text) = problems(receiver.join().unwrap());
    assert!(text.contains("error `access_denied` (The user denied <access>)"), "{text}");
    assert_no_code(&err);
    assert!(page.starts_with("HTTP/1.1 400 "), "{page}");
    assert!(page.contains("access_denied") && page.contains("The user denied &lt;access&gt;"), "{page}");
}

#[test]
fn a_redirect_without_a_code_is_refused() {
    let port = free_port();
    let receiver = listen(format!("http://127.0.0.1:{port}/cb"), None, Duration::from_secs(10));
    let page = get(port, "/cb?state=anything");
    let (_, text) = problems(receiver.join().unwrap());
    assert!(text.contains("neither a `code` nor an `error`"), "{text}");
    assert!(page.contains("Authorization failed"), "{page}");
}

#[test]
fn without_a_state_to_check_any_state_passes() {
    let port = free_port();
    let receiver = listen(format!("http://127.0.0.1:{port}"), None, Duration::from_secs(10));
    assert!(get(port, "/?code=abc&state=whatever").contains("Authorization received."));
    assert_eq!(receiver.join().unwrap().unwrap(), "abc");
}

#[test]
fn the_timeout_is_honoured() {
    let port = free_port();
    let limit = Duration::from_millis(400);
    let start = Instant::now();
    let receiver = listen(format!("http://127.0.0.1:{port}/cb"), Some("s"), limit);
    // A pre-connect that never sends anything does not hold the call past its deadline.
    let _idle = connect(port);
    let err = receiver.join().unwrap().unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Overall, limit: l, effect: cloud_elements::Effect::Nothing } if l == limit), "{err:?}");
    assert!(elapsed >= limit && elapsed < limit + Duration::from_secs(1), "{elapsed:?}");
    assert_not_listening(port);
}

#[test]
fn a_busy_port_is_a_transport_error_that_says_so() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = receive_code(&format!("http://127.0.0.1:{port}/cb"), Some("s"), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Io, .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("port {port} is busy")), "{err}");
}

#[test]
fn only_http_loopback_urls_with_a_port_are_accepted() {
    for (url, says) in [
        ("https://127.0.0.1:8765/cb", "https://"),
        ("http://example.com:8765/cb", "not a loopback address"),
        ("http://192.168.1.10:8765/cb", "not a loopback address"),
        ("http://0.0.0.0:8765/cb", "not a loopback address"),
        ("http://127.0.0.1/cb", "has no port"),
        ("http://localhost/cb", "has no port"),
        ("127.0.0.1:8765/cb", "not an absolute"),
        ("", "not an absolute"),
    ] {
        let start = Instant::now();
        let err = receive_code(url, Some("s"), Duration::from_secs(30)).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1), "{url}");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{url}: {err:?}");
        assert!(err.to_string().contains(says), "{url}: {err}");
        assert!(err.to_string().contains(&format!("callback URL `{url}`")), "{err}");
    }
    let err = receive_code("http://127.0.0.1:8765/cb", Some(""), Duration::from_secs(30)).unwrap_err();
    assert!(err.to_string().contains("state is empty"), "{err}");
}

#[test]
fn an_ipv6_loopback_callback_is_listened_on() {
    let Ok(probe) = TcpListener::bind("[::1]:0") else {
        return; // no IPv6 loopback on this machine
    };
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let receiver = listen(format!("http://[::1]:{port}/cb"), Some("s"), Duration::from_secs(10));
    let start = Instant::now();
    let stream = loop {
        match TcpStream::connect(("::1", port)) {
            Ok(stream) => break stream,
            Err(_) if start.elapsed() < Duration::from_secs(10) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("{e}"),
        }
    };
    assert!(get_on(stream, "/cb?code=v6&state=s").contains("Authorization received."));
    assert_eq!(receiver.join().unwrap().unwrap(), "v6");
}
