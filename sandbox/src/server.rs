//! The server: an accept thread, one thread per connection, and the dispatch of each request to
//! the API (through the fault queue) or to the control endpoints; `throttle.rs` holds the
//! server-wide latency and rate limit of creates.

pub(crate) mod throttle;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::faults::{self, Delivery};
use crate::http::{Conn, ReadError, Request, Response};
use crate::ids::IdGen;
use crate::state::State;
use crate::{RecordedRequest, api, control};
use throttle::{Settings, Throttle};

/// How often an idle connection thread looks at the stop flag.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// A client that stops reading our answer gets disconnected after this long.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing connection keeps reading (and discarding) what the client still sends, so
/// that our last answer is not destroyed by a TCP RST.
const LINGER: Duration = Duration::from_millis(500);

/// Everything the server threads share.
pub(crate) struct Shared {
    state: Mutex<State>,
    pub(crate) user_secret: String,
    pub(crate) organization_secret: String,
    pub(crate) ids: IdGen,
    pub(crate) stop: AtomicBool,
    /// Connections accepted since start or the last reset: shows whether clients reuse them.
    pub(crate) connections: AtomicU64,
    /// Serve HTTPS with this configuration (see `tls.rs`); plain HTTP when `None`.
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    /// Latency and rate limit of creates, changed through `/_sandbox/settings`.
    pub(crate) throttle: Throttle,
}

impl Shared {
    pub(crate) fn new(
        user_secret: String,
        organization_secret: String,
        tls: Option<Arc<rustls::ServerConfig>>,
        settings: Settings,
    ) -> Shared {
        Shared {
            tls,
            throttle: Throttle::new(settings),
            state: Mutex::new(State::new()),
            user_secret,
            organization_secret,
            ids: IdGen::new(),
            stop: AtomicBool::new(false),
            connections: AtomicU64::new(0),
        }
    }

    /// Locks the state. A panic elsewhere never makes the sandbox unusable.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets instances, faults, the request log and the counters (the throttle's settings stay).
    pub(crate) fn reset(&self) {
        self.state().reset();
        self.throttle.reset();
        self.connections.store(0, Ordering::Relaxed);
    }

    /// The standard error response: `{"requestId", "message"}`.
    pub(crate) fn error(&self, status: u16, message: &str) -> Response {
        Response::error(status, &self.ids.request_id(), message, None)
    }
}

/// Accepts connections until `stop` is set (the owner then wakes the blocked `accept`).
pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        match stream {
            Ok(stream) => {
                shared.connections.fetch_add(1, Ordering::Relaxed);
                let shared = Arc::clone(&shared);
                // If no thread can be spawned the stream is dropped, which closes it.
                let _ =
                    thread::Builder::new().name("sandbox-connection".into()).spawn(move || serve_tcp(stream, &shared));
            }
            // Out of file descriptors and the like: don't spin.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// What to do with the connection after an answer.
enum After {
    KeepOpen,
    Close,
    Reset,
}

/// A connection's byte stream: plain TCP, or TLS over it.
trait Wire: Read + Write {
    fn tcp(&self) -> &TcpStream;
    /// Tells the peer no more data follows (TLS `close_notify`); nothing to do for plain TCP.
    fn close_notify(&mut self) {}
}

impl Wire for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Wire for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    fn close_notify(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

fn serve_tcp(stream: TcpStream, shared: &Shared) {
    // Small answers must leave at once, not after a 40 ms delayed-ACK round.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL_INTERVAL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    match &shared.tls {
        None => serve(stream, shared),
        Some(config) => match rustls::ServerConnection::new(Arc::clone(config)) {
            // The handshake happens on the first read.
            Ok(tls) => serve(rustls::StreamOwned::new(tls, stream), shared),
            Err(_) => drop(stream),
        },
    }
}

/// Writes all of `bytes` and pushes them out (TLS buffers what it encrypts until flushed).
fn send(wire: &mut impl Wire, bytes: &[u8]) -> std::io::Result<()> {
    wire.write_all(bytes)?;
    wire.flush()
}

fn serve<W: Wire>(stream: W, shared: &Shared) {
    let mut conn = Conn::new(stream, &shared.stop);
    let after = loop {
        let request = match conn.read_request() {
            Ok(request) => request,
            Err(ReadError::Bad { status, message }) => {
                let (bytes, _) = shared.error(status, &message).encode(false, false);
                let _ = send(conn.stream(), &bytes);
                break After::Close;
            }
            Err(ReadError::Closed | ReadError::Broken) => break After::Close,
        };
        // A request that arrives after the sandbox was stopped is not served.
        if shared.stop.load(Ordering::Relaxed) {
            break After::Close;
        }
        let keep_alive = request.keep_alive() && !shared.stop.load(Ordering::Relaxed);
        let head_only = request.method == "HEAD";
        let after = match dispatch(shared, &request) {
            Delivery::Full(response) => {
                let (bytes, _) = response.encode(keep_alive, head_only);
                match send(conn.stream(), &bytes) {
                    Ok(()) if keep_alive => After::KeepOpen,
                    _ => After::Close,
                }
            }
            Delivery::Truncated { response, reset } => {
                let (bytes, head_len) = response.encode(keep_alive, head_only);
                let cut = head_len + (bytes.len() - head_len) / 2;
                let _ = send(conn.stream(), &bytes[..cut]);
                if reset { After::Reset } else { After::Close }
            }
            Delivery::Drip(response, pause) => {
                let (bytes, _) = response.encode(false, head_only);
                for byte in bytes.chunks(1) {
                    if shared.stop.load(Ordering::Relaxed) || send(conn.stream(), byte).is_err() {
                        break;
                    }
                    faults::sleep_unless_stopped(pause, &shared.stop);
                }
                After::Close
            }
            Delivery::Reset => After::Reset,
        };
        match after {
            After::KeepOpen => continue,
            other => break other,
        }
    };
    let mut stream = conn.into_stream();
    match after {
        After::Reset => {
            // Linger 0: close() sends RST instead of FIN.
            let _ = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO));
        }
        _ => {
            stream.close_notify();
            lingering_close(stream.tcp());
        }
    }
}

/// Half-closes, then drains what the client still sends for a moment before closing.
fn lingering_close(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 8192];
    while Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
}

fn dispatch(shared: &Shared, request: &Request) -> Delivery {
    let path = request.path();
    if let Some(rest) = api::strip_prefix(path) {
        let recorded = RecordedRequest {
            method: request.method.clone(),
            target: request.target.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
        };
        let fault = shared.state().receive(recorded);
        faults::apply(fault, &shared.stop, || shared.ids.request_id(), || api::handle(shared, request, rest))
    } else if let Some(rest) = control::strip_prefix(path) {
        Delivery::Full(control::handle(shared, request, rest))
    } else {
        Delivery::Full(shared.error(404, &format!("No resource found at {path}: the API is under {}", api::PREFIX)))
    }
}
