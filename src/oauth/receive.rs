//! The one-shot loopback listener that waits for the OAuth provider's redirect.

use std::collections::HashMap;
use std::io::ErrorKind as IoKind;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::callback_url::CallbackUrl;
use super::page::Page;
use super::request::{self, Incoming, RequestLine};
use crate::{Effect, Error, TimeoutKind, TransportKind};

/// How often the listener looks for a new connection while none is waiting.
const POLL: Duration = Duration::from_millis(10);
/// Connections served at once; more are closed at once (a browser opens a handful).
const MAX_OPEN: usize = 32;
/// How long writing a page to a browser may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the provider's `error`, `error_description` and `error_uri` an error quotes.
const MAX_QUOTED_CHARS: usize = 200;

/// Waits for the OAuth provider to redirect the browser to `callback_url`, and returns the `code`
/// of that redirect: [`CallbackListener::bind`] then [`CallbackListener::wait`], which say what is
/// checked and answered.
///
/// It starts listening only when called, so call it (on a thread of its own) before the browser
/// is sent to the provider: a provider that remembers the user's consent redirects at once. An
/// application that opens the browser itself does better to bind first, then open the browser,
/// then wait, with [`CallbackListener`]: no redirect can then arrive before the port is open.
///
/// # Errors
///
/// As [`CallbackListener::bind`] and [`CallbackListener::wait`]; `state` is checked (not
/// `Some("")`) before anything is listened on.
///
/// # Example
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
///
/// // A free port for the example; a real application uses the port of its registered URL.
/// let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let callback_url = format!("http://127.0.0.1:{port}/callback");
///
/// // Plays the browser, which the provider redirects to the callback URL.
/// let browser = std::thread::spawn(move || -> std::io::Result<String> {
///     let mut stream = TcpStream::connect(("127.0.0.1", port));
///     for _ in 0..500 {
///         if stream.is_ok() {
///             break;
///         }
///         std::thread::sleep(Duration::from_millis(10)); // not listening yet
///         stream = TcpStream::connect(("127.0.0.1", port));
///     }
///     let mut stream = stream?;
///     stream.write_all(b"GET /callback?code=4%2FP7q-x&state=r4nd0m HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
///     let mut page = String::new();
///     stream.read_to_string(&mut page)?;
///     Ok(page)
/// });
///
/// let code = cloud_elements::oauth::receive_code(&callback_url, Some("r4nd0m"), Duration::from_secs(30))?;
/// assert_eq!(code, "4/P7q-x");
/// assert!(browser.join().unwrap()?.contains("You can close this window."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn receive_code(callback_url: &str, state: Option<&str>, timeout: Duration) -> Result<String, Error> {
    let callback = CallbackUrl::parse(callback_url)?;
    check_state(state)?;
    CallbackListener::listen(callback)?.wait(state, timeout)
}

/// A loopback listener on an OAuth callback URL, bound before the browser goes to the provider
/// and then waiting for the provider's one redirect: the two steps of [`receive_code`], apart, so
/// that no redirect can arrive before the port is open.
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::{TcpListener, TcpStream};
/// use std::time::Duration;
/// use cloud_elements::oauth::CallbackListener;
///
/// # let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let listener = CallbackListener::bind(&format!("http://127.0.0.1:{port}/callback"))?;
/// let addr = listener.local_addr();
/// // Listening already: now the browser may go to the provider, which redirects at once here.
/// let browser = std::thread::spawn(move || -> std::io::Result<String> {
///     let mut stream = TcpStream::connect(addr)?;
///     stream.write_all(b"GET /callback?code=c0de&state=s7 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
///     let mut page = String::new();
///     stream.read_to_string(&mut page)?;
///     Ok(page)
/// });
/// assert_eq!(listener.wait(Some("s7"), Duration::from_secs(30))?, "c0de");
/// assert!(browser.join().unwrap()?.contains("You can close this window."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
    callback: CallbackUrl,
}

impl CallbackListener {
    /// Starts listening on `callback_url`, which must be `http://` to a loopback host
    /// (`127.0.0.1`, `localhost`, `[::1]`) with an explicit port, as registered with the provider;
    /// its path (`/` when it has none) is where the redirect is expected. `localhost` is
    /// listened on as 127.0.0.1.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidInput`]: `callback_url` is not such a URL.
    /// - [`Error::Transport`] of kind [`TransportKind::Io`]: the port is busy (another program
    ///   listens there) or cannot be listened on.
    pub fn bind(callback_url: &str) -> Result<Self, Error> {
        Self::listen(CallbackUrl::parse(callback_url)?)
    }

    fn listen(callback: CallbackUrl) -> Result<Self, Error> {
        Ok(CallbackListener { listener: bind(&callback)?, callback })
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.callback.addr)
    }

    /// Waits until one `GET` of the callback path with a query arrives, answers the browser with a
    /// short page ("Authorization received. You can close this window.", or what went wrong),
    /// stops listening and returns the redirect's `code`. Meanwhile a browser's idle
    /// pre-connections, `/favicon.ico` and any other path (answered 404) neither block nor end
    /// the wait.
    ///
    /// `state` is the value the authorization URL was built with: the redirect must carry the
    /// same one, or it is refused as a possible cross-site request forgery (a redirect, say from a
    /// page the user visited, that delivers the attacker's code). Passing a fresh random value per
    /// login is strongly recommended; `None` skips the check.
    ///
    /// The code is a credential: it is in no error, `Debug` output or page.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidInput`]: `state` is `Some("")`; the redirect's `state` is missing or
    ///   wrong; the provider redirected with `error` (`access_denied` when the user declined; its
    ///   `error_description` is quoted); or the redirect carries no `code`.
    /// - [`Error::Timeout`] of kind [`TimeoutKind::Redirect`] with `limit` = `timeout`: no redirect
    ///   arrived in time.
    pub fn wait(self, state: Option<&str>, timeout: Duration) -> Result<String, Error> {
        check_state(state)?;
        // No deadline when `timeout` is too large to add to now.
        let deadline = Instant::now().checked_add(timeout);
        let expected = Arc::new(Expected { path: self.callback.path.clone(), state: state.map(str::to_owned) });
        let verdict = wait(&self.listener, &expected, deadline);
        drop(self);
        verdict.unwrap_or(Err(Error::Timeout { kind: TimeoutKind::Redirect, limit: timeout, effect: Effect::Nothing }))
    }
}

/// Refuses an empty `state`, which protects nothing.
fn check_state(state: Option<&str>) -> Result<(), Error> {
    if state == Some("") {
        return Err(invalid(
            "the OAuth state is empty, which protects nothing: pass a fresh random value (or None to skip the check)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// What the redirect must look like.
struct Expected {
    path: String,
    state: Option<String>,
}

/// What a connection's handler reports: its number, and the outcome if its request ended the wait.
type Report = (u64, Option<Result<String, Error>>);

/// The connections being served; dropping it shuts them down, which ends their handlers.
struct Open(HashMap<u64, TcpStream>);

impl Drop for Open {
    fn drop(&mut self) {
        for stream in self.0.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn bind(callback: &CallbackUrl) -> Result<TcpListener, Error> {
    let (addr, port) = (callback.addr, callback.addr.port());
    let failed = |e: std::io::Error| {
        let message = match e.kind() {
            IoKind::AddrInUse => format!(
                "cannot listen for the OAuth redirect: port {port} is busy (another program is listening on {addr}); \
                 stop it, or register a callback URL with another port"
            ),
            IoKind::PermissionDenied => format!(
                "cannot listen for the OAuth redirect on {addr}: permission denied (ports below 1024 need privileges)"
            ),
            _ => format!("cannot listen for the OAuth redirect on {addr}: {e}"),
        };
        Error::Transport { kind: TransportKind::Io, message, source: Some(Box::new(e)), effect: Effect::Nothing }
    };
    let listener = TcpListener::bind(addr).map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    Ok(listener)
}

/// Accepts connections, each served on a thread of its own, until one of them ends the wait or
/// the deadline passes (`None`).
fn wait(listener: &TcpListener, expected: &Arc<Expected>, deadline: Option<Instant>) -> Option<Result<String, Error>> {
    let (reports, received) = mpsc::channel::<Report>();
    let mut open = Open(HashMap::new());
    let mut next_id = 0u64;
    loop {
        let mut pause = POLL;
        // An error (WouldBlock: nobody is connecting; or an aborted connection, no file descriptor
        // left) concerns no redirect yet: pause, and go on.
        if let Ok((stream, _)) = listener.accept() {
            pause = Duration::ZERO;
            if open.0.len() < MAX_OPEN {
                if let Some(clone) = serve_on_thread(stream, next_id, expected, deadline, &reports) {
                    open.0.insert(next_id, clone);
                    next_id += 1;
                }
            }
        }
        let left = deadline.map_or(pause, |d| d.saturating_duration_since(Instant::now()));
        if let Ok((id, outcome)) = received.recv_timeout(pause.min(left)) {
            open.0.remove(&id);
            if outcome.is_some() {
                return outcome;
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
    }
}

/// Serves `stream` on a new thread; returns a handle to shut it down with, or `None` (and closes
/// it) when that fails.
fn serve_on_thread(
    stream: TcpStream,
    id: u64,
    expected: &Arc<Expected>,
    deadline: Option<Instant>,
    reports: &mpsc::Sender<Report>,
) -> Option<TcpStream> {
    // Accepted sockets inherit non-blocking mode on some systems.
    stream.set_nonblocking(false).ok()?;
    let clone = stream.try_clone().ok()?;
    let (expected, reports) = (Arc::clone(expected), reports.clone());
    thread::Builder::new()
        .name("oauth-callback".to_owned())
        .spawn(move || {
            let outcome = serve(stream, &expected, deadline);
            let _ = reports.send((id, outcome));
        })
        .ok()?;
    Some(clone)
}

/// Reads one request from `stream` (waiting until the deadline: a browser may send its request on
/// a connection it opened long before), answers it, and returns the outcome if it ends the wait.
fn serve(mut stream: TcpStream, expected: &Expected, deadline: Option<Instant>) -> Option<Result<String, Error>> {
    let left = deadline.map(|d| d.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)));
    stream.set_read_timeout(left).ok()?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
    let (page, outcome) = match request::read_request(&mut stream) {
        Incoming::Nothing => return None,
        Incoming::Malformed => (Page::bad_request(), None),
        Incoming::TooLarge => (Page::too_large(), None),
        Incoming::Request(line) => judge(&line, expected),
    };
    let _ = page.write_to(&mut stream);
    let _ = stream.shutdown(Shutdown::Write);
    outcome
}

/// The page for `line`, and the outcome when it is the redirect: any `GET` of the callback path
/// with a query.
fn judge(line: &RequestLine, expected: &Expected) -> (Page, Option<Result<String, Error>>) {
    let query = match &line.query {
        _ if line.path != expected.path => return (Page::not_found(), None),
        Some(query) if line.method == "GET" => query,
        _ => return (Page::bad_request(), None),
    };
    match check(query, expected) {
        Ok(code) => (Page::received(), Some(Ok(code))),
        Err(reason) => (Page::failed(&reason), Some(Err(invalid(reason)))),
    }
}

/// The redirect's code, or why the redirect is refused (a sentence without secrets).
fn check(query: &str, expected: &Expected) -> Result<String, String> {
    const CSRF: &str = "possible CSRF (a redirect this login did not start), so its code was not accepted; \
                        start the login again";
    if let Some(want) = &expected.state {
        match request::query_param(query, "state") {
            None => return Err(format!("the OAuth redirect's state does not match: it carries none; {CSRF}")),
            Some(got) if !same(&got, want.as_bytes()) => {
                return Err(format!("the OAuth redirect's state does not match the login's: {CSRF}"));
            }
            Some(_) => {}
        }
    }
    if let Some(error) = request::query_param(query, "error") {
        let mut reason = format!("the OAuth provider refused the authorization: error `{}`", quoted(&error));
        if let Some(description) = request::query_param(query, "error_description") {
            reason.push_str(&format!(" ({})", quoted(&description)));
        }
        if let Some(uri) = request::query_param(query, "error_uri") {
            reason.push_str(&format!(", see {}", quoted(&uri)));
        }
        return Err(reason);
    }
    match request::query_param(query, "code") {
        None => Err("the OAuth redirect carries neither a `code` nor an `error` parameter".to_owned()),
        Some(code) if code.is_empty() => Err("the OAuth redirect's `code` is empty".to_owned()),
        Some(code) => String::from_utf8(code).map_err(|_| "the OAuth redirect's `code` is not UTF-8".to_owned()),
    }
}

/// Whether `a` and `b` are equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Text the provider sent, for a message: control characters as spaces, cut after
/// [`MAX_QUOTED_CHARS`] characters.
fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(MAX_QUOTED_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(MAX_QUOTED_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn invalid(problem: String) -> Error {
    Error::InvalidInput { problems: vec![problem] }
}
