//! A connection's read side: waiting for a complete head, answering `Expect: 100-continue`,
//! reading the body, and keeping pipelined bytes for the next request.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use super::body::{Framing, body_framing};
use super::request::{Request, parse_head};
use super::{MAX_HEAD, READ_CHUNK, ReadError, bad};

/// A connection's read side: the stream plus bytes received but not yet consumed, so pipelined
/// requests are kept for the next call.
pub(crate) struct Conn<'a, S> {
    stream: S,
    /// Received, not yet consumed.
    pub(super) buf: Vec<u8>,
    stop: &'a AtomicBool,
}

impl<'a, S: Read + Write> Conn<'a, S> {
    /// Wraps a stream. Its read timeout (if any) is how often an idle connection checks `stop`.
    pub(crate) fn new(stream: S, stop: &'a AtomicBool) -> Self {
        Conn { stream, buf: Vec::new(), stop }
    }

    pub(crate) fn stream(&mut self) -> &mut S {
        &mut self.stream
    }

    pub(crate) fn into_stream(self) -> S {
        self.stream
    }

    /// Reads the next request.
    pub(crate) fn read_request(&mut self) -> Result<Request, ReadError> {
        let head_len = self.read_head()?;
        let mut request = parse_head(&self.buf[..head_len])?;
        let framing = body_framing(&request)?;
        let wants_continue = !request.http10
            && framing != Framing::Length(0)
            && request.header("expect").is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
        if wants_continue && !self.body_buffered(head_len, framing) {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").map_err(|_| ReadError::Broken)?;
        }
        let end = match framing {
            Framing::Length(n) => {
                self.fill_to(head_len + n)?;
                request.body = self.buf[head_len..head_len + n].to_vec();
                head_len + n
            }
            Framing::Chunked => {
                let (body, end) = self.read_chunked(head_len)?;
                request.body = body;
                end
            }
        };
        self.buf.drain(..end);
        Ok(request)
    }

    /// Waits for a complete head; returns its length including the blank line.
    fn read_head(&mut self) -> Result<usize, ReadError> {
        let mut scanned = 0;
        loop {
            // A client may send stray CRLFs between requests (RFC 9112 §2.2): skip them.
            let blank = self.buf.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
            if blank > 0 {
                self.buf.drain(..blank);
                scanned = 0;
            }
            let end = find_head_end(&self.buf, scanned);
            if end.unwrap_or(self.buf.len()) > MAX_HEAD {
                return Err(bad(431, "Request header fields too large"));
            }
            if let Some(end) = end {
                return Ok(end);
            }
            scanned = self.buf.len().saturating_sub(3);
            if self.fill()? == 0 {
                return Err(if self.buf.is_empty() { ReadError::Closed } else { ReadError::Broken });
            }
        }
    }

    fn body_buffered(&self, head_len: usize, framing: Framing) -> bool {
        match framing {
            Framing::Length(n) => self.buf.len() >= head_len + n,
            // Any byte of the chunked body already here means the client did not wait for 100.
            Framing::Chunked => self.buf.len() > head_len,
        }
    }

    /// Reads until at least `len` bytes are buffered; a connection ending first is broken.
    pub(super) fn fill_to(&mut self, len: usize) -> Result<(), ReadError> {
        while self.buf.len() < len {
            self.fill_or_eof()?;
        }
        Ok(())
    }

    /// Reads more bytes; a connection ending here is broken.
    pub(super) fn fill_or_eof(&mut self) -> Result<(), ReadError> {
        match self.fill()? {
            0 => Err(ReadError::Broken),
            _ => Ok(()),
        }
    }

    /// Reads more bytes; `Ok(0)` at end of stream. Read timeouts are only a chance to check `stop`.
    fn fill(&mut self) -> Result<usize, ReadError> {
        let mut chunk = [0u8; READ_CHUNK];
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Err(ReadError::Closed);
            }
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                Err(_) => return Err(ReadError::Broken),
            }
        }
    }
}

/// The offset just past the blank line ending a head, searching from `from`. Only framing: the
/// head is parsed (by `httparse`) once, when it is complete.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            match (buf.get(i + 1), buf.get(i + 2)) {
                (Some(b'\n'), _) => return Some(i + 2),
                (Some(b'\r'), Some(b'\n')) => return Some(i + 3),
                _ => {}
            }
        }
        i += 1;
    }
    None
}
