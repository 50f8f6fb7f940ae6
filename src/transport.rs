//! The TCP layer under the client's HTTP agent: ureq's own connector chain (CONNECT proxy, TCP,
//! rustls) with a TCP transport that makes fewer system calls per request.
//!
//! Measured per create on a kept-alive connection (`bench/RESULTS.md`), ureq's TCP transport made
//! twelve system calls where two do the work: `ioctl`s and a one-byte read to check that a pooled
//! connection is still open (non-blocking on, read, non-blocking off), a timeout `setsockopt`
//! before every read and write (the remaining time changes on every call), and separate writes for
//! the head and the body. This transport makes three:
//!
//! - checks a pooled connection with one `recv(MSG_PEEK | MSG_DONTWAIT)`;
//! - reads the answer with one `recv` (for the usual small answer);
//! - holds what ureq writes until the answer is awaited, then sends the request in one write;
//! - rounds the remaining time up to the next quarter second before handing it to the socket, so
//!   the socket timeout changes a few times a second at most, not on every call. A read may then
//!   wait up to 250 ms past the overall deadline, never longer.
//!
//! The buffers are ureq's ([`LazyBuffers`]); reading is as ureq's transport reads.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use ureq::Error;
use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, RustlsConnector,
    Transport,
};

/// Socket timeouts are set in steps of this much.
const TIMEOUT_STEP: Duration = Duration::from_millis(250);
/// A request body larger than this is sent as it comes rather than held.
const MAX_HELD: usize = 64 * 1024;

/// ureq's default chain with [`FastTcpConnector`] in place of its TCP connector.
pub(crate) fn connector() -> impl Connector<(), Out = impl Transport> {
    ().chain(ConnectProxyConnector::default()).chain(FastTcpConnector).chain(RustlsConnector::default())
}

/// Opens plain TCP connections (unless a CONNECT proxy already opened one) as [`FastTcp`].
#[derive(Debug, Default)]
pub(crate) struct FastTcpConnector;

impl<In: Transport> Connector<In> for FastTcpConnector {
    type Out = Either<In, FastTcp>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
        if let Some(chained) = chained {
            return Ok(Some(Either::A(chained)));
        }
        let config = details.config;
        let stream = connect(details)?;
        if config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let buffers = LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
        Ok(Some(Either::B(FastTcp {
            socket: stream,
            buffers,
            held: Vec::new(),
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// Tries each resolved address in turn within the connect timeout.
fn connect(details: &ConnectionDetails) -> Result<TcpStream, Error> {
    let deadline = details.timeout.not_zero().map(|after| std::time::Instant::now() + *after);
    let mut last = None;
    for addr in details.addrs.iter() {
        let attempt = match deadline {
            None => TcpStream::connect(addr),
            Some(deadline) => match deadline.checked_duration_since(std::time::Instant::now()) {
                Some(left) if !left.is_zero() => TcpStream::connect_timeout(addr, left),
                _ => return Err(Error::Timeout(ureq::Timeout::Connect)),
            },
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                last = Some(Error::Timeout(ureq::Timeout::Connect));
            }
            // This address refused or is unreachable: the next one may work.
            Err(e) => last = Some(Error::Io(e)),
        }
    }
    Err(last.unwrap_or(Error::ConnectionFailed))
}

/// See the module documentation.
pub(crate) struct FastTcp {
    socket: TcpStream,
    buffers: LazyBuffers,
    /// Request bytes written by ureq and not sent yet.
    held: Vec<u8>,
    /// The timeouts the socket has.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl std::fmt::Debug for FastTcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastTcp").field("peer", &self.socket.peer_addr().ok()).finish_non_exhaustive()
    }
}

/// Sets a socket timeout to `timeout`'s remaining time, rounded up ([`coarse`]), unless it
/// already is that; `cached` is what the socket has.
fn set_timeout(
    socket: &TcpStream,
    timeout: NextTimeout,
    cached: &mut Option<Duration>,
    set: fn(&TcpStream, Option<Duration>) -> io::Result<()>,
) -> Result<(), Error> {
    if timeout.after.is_zero() {
        return Err(Error::Timeout(timeout.reason));
    }
    let wanted = coarse(timeout).not_zero().map(|d| *d);
    if wanted != *cached {
        set(socket, wanted)?;
        *cached = wanted;
    }
    Ok(())
}

impl FastTcp {
    fn send_held(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        set_timeout(&self.socket, timeout, &mut self.write_timeout, TcpStream::set_write_timeout)?;
        let sent = (&self.socket).write_all(&self.held);
        self.held.clear();
        match sent {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                Err(Error::Timeout(timeout.reason))
            }
            Err(e) => Err(Error::Io(e)),
        }
    }
}

impl Transport for FastTcp {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let output = self.buffers.output().get(..amount).unwrap_or_default();
        self.held.extend_from_slice(output);
        if self.held.len() > MAX_HELD { self.send_held(timeout) } else { Ok(()) }
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if !self.held.is_empty() {
            self.send_held(timeout)?;
        }
        let timeout = timeout.for_read();
        set_timeout(&self.socket, timeout, &mut self.read_timeout, TcpStream::set_read_timeout)?;
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&self.socket).read(input) {
                Ok(amount) => break amount,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                    return Err(Error::Timeout(timeout.reason));
                }
                Err(e) => return Err(Error::Io(e)),
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.held.is_empty() && is_open(&self.socket)
    }
}

/// `timeout` with its remaining time rounded up to a whole [`TIMEOUT_STEP`] (zero stays zero).
fn coarse(mut timeout: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(after) = timeout.after {
        let step = TIMEOUT_STEP.as_nanos();
        let steps = after.as_nanos().div_ceil(step);
        let rounded = u64::try_from(steps.saturating_mul(step)).map_or(after, Duration::from_nanos);
        timeout.after = UreqDuration::Exact(rounded.max(after));
    }
    timeout
}

/// Whether a pooled connection can take another request: nothing to read and not closed.
#[cfg(unix)]
fn is_open(socket: &TcpStream) -> bool {
    use std::mem::MaybeUninit;
    let mut byte = [MaybeUninit::<u8>::uninit()];
    match socket2::SockRef::from(socket).recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        // Closed (0), or bytes nobody asked for: either way not reusable.
        Ok(_) => false,
    }
}

#[cfg(not(unix))]
fn is_open(socket: &TcpStream) -> bool {
    let probe = || -> io::Result<bool> {
        socket.set_nonblocking(true)?;
        let open = matches!(socket.peek(&mut [0]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        socket.set_nonblocking(false)?;
        Ok(open)
    };
    probe().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_a_step_and_zero_stays_zero() {
        let at = |ms: u64| NextTimeout {
            after: UreqDuration::Exact(Duration::from_millis(ms)),
            reason: ureq::Timeout::Global,
            ..Default::default()
        };
        let after = |t: NextTimeout| *t.after;
        assert_eq!(after(coarse(at(59_999))), Duration::from_millis(60_000));
        assert_eq!(after(coarse(at(60_000))), Duration::from_millis(60_000));
        assert_eq!(after(coarse(at(1))), Duration::from_millis(250));
        assert_eq!(after(coarse(at(0))), Duration::ZERO);
        let never = NextTimeout::default();
        assert!(coarse(never).after.is_not_happening());
    }

    #[test]
    fn a_closed_or_chatty_connection_is_not_reused() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        assert!(is_open(&client));
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(!is_open(&client), "unread bytes");
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        drop(listener.accept().unwrap());
        std::thread::sleep(Duration::from_millis(50));
        assert!(!is_open(&client), "closed by the peer");
    }
}
