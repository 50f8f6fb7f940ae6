//! A failed exchange (`ureq::Error`) as the crate's [`Error`]: what failed, in a sentence, with
//! every secret the call knows redacted from the library's own text.

use std::io;

use crate::client::Client;
use crate::error::{Effect, Error, TimeoutKind, TransportKind};
use crate::redact::Redactor;

impl Client {
    /// The error for a failed exchange. It says nothing of what the request may have done: the
    /// call adds that ([`Error::after_sending`]).
    pub(crate) fn map_error(&self, error: ureq::Error, redactor: &Redactor<'_>) -> Error {
        let inner = &*self.inner;
        let transport = |kind: TransportKind, what: &str, error: ureq::Error| {
            // The source is the library's error as text, redacted like everything else, keeping
            // the I/O error kind for callers that match on it.
            let io_kind = match &error {
                ureq::Error::Io(e) => e.kind(),
                _ => io::ErrorKind::Other,
            };
            let detail = redactor.apply(&error.to_string());
            Error::Transport {
                kind,
                message: format!("{what} ({detail})"),
                source: Some(Box::new(io::Error::new(io_kind, detail))),
                effect: Effect::Nothing,
            }
        };
        // A connection that could not be opened. With a proxy, the proxy is the only host the
        // client connects to.
        if is_connect_failure(&error) {
            return match inner.proxy_variable {
                Some(variable) => {
                    let what = format!("could not connect to the proxy named by {variable}");
                    transport(TransportKind::Proxy, &what, error)
                }
                None => transport(TransportKind::Connect, "could not connect to the server", error),
            };
        }
        // rustls' errors arrive inside I/O errors.
        let tls_problem = match &error {
            ureq::Error::Io(io_error) => tls_error(io_error).map(|tls| match tls {
                rustls::Error::InvalidCertificate(_) => {
                    "the server's TLS certificate is not trusted (give its CA with a CA bundle if it is yours)"
                }
                _ => "the TLS connection to the server failed",
            }),
            _ => None,
        };
        if let Some(what) = tls_problem {
            return transport(TransportKind::Tls, what, error);
        }
        match error {
            ureq::Error::Timeout(which) => match which {
                ureq::Timeout::Resolve | ureq::Timeout::Connect => {
                    Error::Timeout { kind: TimeoutKind::Connect, limit: inner.connect_timeout, effect: Effect::Nothing }
                }
                _ => Error::overall_timeout(inner.timeout),
            },
            ureq::Error::HostNotFound => {
                transport(TransportKind::Dns, "the server's host name could not be resolved", error)
            }
            // The standard library's resolver failing (NXDOMAIN and the like) reaches us as a plain
            // I/O error; its message is the only mark of it.
            ureq::Error::Io(ref io_error) if io_error.to_string().contains("failed to lookup address") => {
                transport(TransportKind::Dns, "the server's host name could not be resolved", error)
            }
            ureq::Error::Io(ref io_error) => match io_error.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::overall_timeout(inner.timeout),
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => transport(
                    TransportKind::Reset,
                    "the connection was closed before the whole response arrived",
                    error,
                ),
                _ => transport(TransportKind::Io, "I/O error talking to the server", error),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) | ureq::Error::TlsRequired => {
                transport(TransportKind::Tls, "the TLS connection to the server failed", error)
            }
            ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
                transport(TransportKind::Proxy, "the proxy failed the connection", error)
            }
            ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
                transport(TransportKind::Protocol, "the server's answer is not valid HTTP", error)
            }
            other => transport(TransportKind::Io, "the request failed", other),
        }
    }
}

/// Whether the error is a failure to open the TCP connection (refused, unreachable): nothing was
/// sent.
fn is_connect_failure(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::ConnectionFailed => true,
        ureq::Error::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

/// The TLS error inside an I/O error, if that is what it is.
fn tls_error(error: &io::Error) -> Option<&rustls::Error> {
    error.get_ref()?.downcast_ref::<rustls::Error>()
}
