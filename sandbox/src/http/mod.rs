//! A small HTTP/1.1 server side: reading requests off a connection (Content-Length and chunked
//! bodies, pipelining, `Expect: 100-continue`) and encoding responses into one buffer.
//!
//! `httparse` parses request heads, chunk sizes and trailers, `http` names the status codes and
//! `percent-encoding` decodes paths and queries; the framing around them (where a head ends, which
//! body framing applies, the size limits) is the sandbox's own, and so is the socket: the server
//! writes an encoded response whole, cut short or byte by byte, and resets connections, as the
//! injected faults demand.
//!
//! Nothing here panics on bad input: malformed requests come back as [`ReadError::Bad`] with the
//! status to answer before closing the connection.

mod body;
mod conn;
mod query;
mod request;
mod response;
#[cfg(test)]
mod tests;

pub(crate) use conn::Conn;
pub(crate) use query::{percent_decode, query_pairs};
pub(crate) use request::Request;
pub(crate) use response::{Response, reason};

/// Largest request head (request line and headers) accepted; larger ones get 431.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted; larger ones get 413.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Longest chunk-size or trailer line in a chunked body (without its CRLF).
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// Largest chunked body on the wire (sizes, extensions, data, CRLFs, trailers); larger ones get
/// 413. Room for the framing of a full [`MAX_BODY`] in small chunks, but bounded.
const MAX_CHUNKED_WIRE: usize = MAX_BODY + 256 * 1024;
/// Most trailer fields after the last chunk; more get 431.
const MAX_TRAILERS: usize = 32;
/// Most bytes one read takes off the socket.
const READ_CHUNK: usize = 16 * 1024;

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the connection between requests, or the server is stopping.
    Closed,
    /// The connection broke or ended mid-request; there is no one left to answer.
    Broken,
    /// The request is malformed or too large: answer `status` and close.
    Bad { status: u16, message: String },
}

fn bad(status: u16, message: impl Into<String>) -> ReadError {
    ReadError::Bad { status, message: message.into() }
}
