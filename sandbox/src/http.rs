//! A small HTTP/1.1 implementation: reading requests off a connection (Content-Length and chunked
//! bodies, pipelining, `Expect: 100-continue`) and encoding responses into one buffer.
//!
//! Nothing here panics on bad input: malformed requests come back as [`ReadError::Bad`] with the
//! status to answer before closing the connection.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Largest request head (request line and headers) accepted; larger ones get 431.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted; larger ones get 413.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Longest chunk-size or trailer line in a chunked body.
const MAX_CHUNK_LINE: usize = 4 * 1024;
const READ_CHUNK: usize = 16 * 1024;

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The request target exactly as received (path and query, or absolute form).
    pub(crate) target: String,
    /// `true` for HTTP/1.0, `false` for HTTP/1.1.
    pub(crate) http10: bool,
    /// Headers in the order and case received.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether the connection stays open after the response (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    pub(crate) fn keep_alive(&self) -> bool {
        let has_token = |token: &str| {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http10 { has_token("keep-alive") } else { !has_token("close") }
    }

    /// The path part of the target (absolute-form targets lose their scheme and authority).
    pub(crate) fn path(&self) -> &str {
        let target = self.target.split(['?', '#']).next().unwrap_or("");
        for scheme in ["http://", "https://"] {
            if target.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)) {
                let rest = &target[scheme.len()..];
                return rest.find('/').map_or("/", |i| &rest[i..]);
            }
        }
        target
    }

    /// The query string (without `?`), empty when there is none.
    pub(crate) fn query(&self) -> &str {
        let target = self.target.split('#').next().unwrap_or("");
        target.split_once('?').map_or("", |(_, q)| q)
    }
}

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

/// A connection's read side: the stream plus bytes received but not yet consumed, so pipelined
/// requests are kept for the next call.
pub(crate) struct Conn<'a, S> {
    stream: S,
    buf: Vec<u8>,
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
        let head = parse_head(&self.buf[..head_len])?;
        let framing = body_framing(&head)?;
        let wants_continue = !head.http10
            && framing != Framing::Length(0)
            && head.header("expect").is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
        if wants_continue && !self.body_buffered(head_len, framing) {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").map_err(|_| ReadError::Broken)?;
        }
        let (body, end) = match framing {
            Framing::Length(n) => {
                self.fill_to(head_len + n)?;
                (self.buf[head_len..head_len + n].to_vec(), head_len + n)
            }
            Framing::Chunked => self.read_chunked(head_len)?,
        };
        self.buf.drain(..end);
        Ok(Request { method: head.method, target: head.target, http10: head.http10, headers: head.headers, body })
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

    /// Decodes a chunked body starting at `start`; returns the body and the offset just past it.
    fn read_chunked(&mut self, start: usize) -> Result<(Vec<u8>, usize), ReadError> {
        let mut body = Vec::new();
        let mut pos = start;
        loop {
            let line_end = self.read_line(pos)?;
            let line = &self.buf[pos..line_end];
            let size_text = line.split(|&b| b == b';').next().unwrap_or(b"");
            let size_text = std::str::from_utf8(size_text).map_err(|_| bad(400, "Malformed chunk size"))?.trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| bad(400, "Malformed chunk size"))?;
            pos = skip_newline(&self.buf, line_end);
            if size == 0 {
                // Trailer section: header lines (ignored) until an empty line.
                loop {
                    let end = self.read_line(pos)?;
                    let empty = end == pos;
                    pos = skip_newline(&self.buf, end);
                    if empty {
                        return Ok((body, pos));
                    }
                }
            }
            if size > MAX_BODY || body.len() + size > MAX_BODY {
                return Err(bad(413, "Request body too large"));
            }
            self.fill_to(pos + size + 1)?;
            body.extend_from_slice(&self.buf[pos..pos + size]);
            pos += size;
            let end = self.read_line(pos)?;
            if end != pos {
                return Err(bad(400, "Malformed chunked body"));
            }
            pos = skip_newline(&self.buf, end);
        }
    }

    /// Waits for a line starting at `pos`; returns the offset of its terminator (`\r\n` or `\n`).
    fn read_line(&mut self, pos: usize) -> Result<usize, ReadError> {
        let mut scanned = pos;
        loop {
            if let Some(i) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let newline = scanned + i;
                let end = if newline > pos && self.buf[newline - 1] == b'\r' { newline - 1 } else { newline };
                return Ok(end);
            }
            if self.buf.len() - pos > MAX_CHUNK_LINE {
                return Err(bad(400, "Chunk line too long"));
            }
            scanned = self.buf.len();
            self.fill_or_eof()?;
        }
    }

    fn fill_to(&mut self, len: usize) -> Result<(), ReadError> {
        while self.buf.len() < len {
            self.fill_or_eof()?;
        }
        Ok(())
    }

    fn fill_or_eof(&mut self) -> Result<(), ReadError> {
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

/// The offset just past the blank line ending a head, searching from `from`.
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

fn skip_newline(buf: &[u8], end: usize) -> usize {
    if buf.get(end) == Some(&b'\r') { end + 2 } else { end + 1 }
}

struct Head {
    method: String,
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn parse_head(raw: &[u8]) -> Result<Head, ReadError> {
    let mut lines = raw.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().unwrap_or(b"");
    let request_line = std::str::from_utf8(request_line).map_err(|_| bad(400, "Malformed request line"))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(400, "Malformed request line"));
    };
    if !is_token(method) || target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad(400, "Malformed request line"));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") && v.len() == 8 => return Err(bad(505, "HTTP version not supported")),
        _ => return Err(bad(400, "Malformed request line")),
    };
    if !(target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://")) {
        return Err(bad(400, "Unsupported request target"));
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(bad(400, "Obsolete header line folding is not supported"));
        }
        let colon = line.iter().position(|&b| b == b':').ok_or_else(|| bad(400, "Malformed header line"))?;
        let name = std::str::from_utf8(&line[..colon]).map_err(|_| bad(400, "Malformed header name"))?;
        if !is_token(name) {
            return Err(bad(400, "Malformed header name"));
        }
        let value = &line[colon + 1..];
        if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(bad(400, "Control character in header value"));
        }
        let value = String::from_utf8_lossy(value).trim_matches([' ', '\t']).to_string();
        headers.push((name.to_string(), value));
    }
    Ok(Head { method: method.to_string(), target: target.to_string(), http10, headers })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Framing {
    Length(usize),
    Chunked,
}

fn body_framing(head: &Head) -> Result<Framing, ReadError> {
    let mut length: Option<usize> = None;
    let mut chunked = None;
    for (name, value) in &head.headers {
        if name.eq_ignore_ascii_case("content-length") {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(400, "Malformed Content-Length"));
            }
            // Anything with more digits than this is over the limit anyway.
            let n = if value.len() > 12 { usize::MAX } else { value.parse().unwrap_or(usize::MAX) };
            if length.is_some_and(|l| l != n) {
                return Err(bad(400, "Conflicting Content-Length headers"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(',').next().unwrap_or("").trim();
            chunked = Some(last.eq_ignore_ascii_case("chunked") && !value.contains(','));
        }
    }
    match (chunked, length) {
        (Some(_), Some(_)) => Err(bad(400, "Both Transfer-Encoding and Content-Length given")),
        (Some(_), None) if head.http10 => Err(bad(400, "Transfer-Encoding is not allowed in HTTP/1.0")),
        (Some(true), None) => Ok(Framing::Chunked),
        (Some(false), None) => Err(bad(501, "Only the chunked transfer coding is supported")),
        (None, Some(n)) if n > MAX_BODY => Err(bad(413, "Request body too large")),
        (None, Some(n)) => Ok(Framing::Length(n)),
        (None, None) => Ok(Framing::Length(0)),
    }
}

/// A response about to be encoded.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// `None` sends no Content-Type header.
    pub(crate) content_type: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Response {
        // Serializing our own types to JSON cannot fail (no maps with non-string keys).
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Response { status, content_type: Some("application/json".into()), headers: Vec::new(), body }
    }

    /// The platform's error response: `{"requestId", "message"}`, plus `providerMessage` when the
    /// third-party service said something.
    pub(crate) fn error(status: u16, request_id: &str, message: &str, provider_message: Option<&str>) -> Response {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct ErrorBody<'a> {
            request_id: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            provider_message: Option<&'a str>,
        }
        Response::json(status, &ErrorBody { request_id, message, provider_message })
    }

    pub(crate) fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Encodes head and body into one buffer (one write, no delayed-ACK stall); also returns where
    /// the body starts. `head_only` is for HEAD requests: same head, no body bytes.
    pub(crate) fn encode(&self, keep_alive: bool, head_only: bool) -> (Vec<u8>, usize) {
        let status = self.status.clamp(100, 999);
        let bodiless = status < 200 || status == 204 || status == 304;
        let mut out = Vec::with_capacity(256 + self.body.len());
        let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason(status));
        if let Some(content_type) = &self.content_type {
            push_header(&mut out, "Content-Type", content_type);
        }
        if !bodiless {
            push_header(&mut out, "Content-Length", &self.body.len().to_string());
        }
        push_header(&mut out, "Connection", if keep_alive { "keep-alive" } else { "close" });
        for (name, value) in &self.headers {
            push_header(&mut out, name, value);
        }
        out.extend_from_slice(b"\r\n");
        let head_len = out.len();
        if !bodiless && !head_only {
            out.extend_from_slice(&self.body);
        }
        (out, head_len)
    }
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &str) {
    // Header values come partly from users (injected faults): never let them split the head.
    let clean = |s: &str| s.chars().filter(|&c| c != '\r' && c != '\n').collect::<String>();
    let _ = write!(out, "{}: {}\r\n", clean(name), clean(value));
}

/// The reason phrase for a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Decodes `%XX` escapes (and `+` as space when `plus_is_space`), lossily as UTF-8.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a query string into decoded `(key, value)` pairs (form encoding: `+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::io;

    /// An in-memory stream: reads from `input` (one read never crosses two segments, as with
    /// separate TCP sends), collects writes.
    struct Mock {
        input: VecDeque<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Mock {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(segment) = self.input.front_mut() else { return Ok(0) };
            // Trickle a few bytes at a time to exercise the incremental paths.
            let n = buf.len().min(7).min(segment.len());
            buf[..n].copy_from_slice(&segment[..n]);
            segment.drain(..n);
            if segment.is_empty() {
                self.input.pop_front();
            }
            Ok(n)
        }
    }

    impl Write for Mock {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn read_all(input: &[u8]) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
        read_segments(&[input])
    }

    fn read_segments(input: &[&[u8]]) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
        let stop = AtomicBool::new(false);
        let input = input.iter().map(|s| s.to_vec()).collect();
        let mut conn = Conn::new(Mock { input, output: Vec::new() }, &stop);
        let mut out = Vec::new();
        loop {
            let r = conn.read_request();
            let done = r.is_err();
            out.push(r);
            if done {
                break;
            }
        }
        (out, conn.into_stream().output)
    }

    fn status_of(r: &Result<Request, ReadError>) -> u16 {
        match r {
            Err(ReadError::Bad { status, .. }) => *status,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn reads_pipelined_requests_with_both_framings() {
        let input = b"\r\nPOST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello\
GET /b HTTP/1.0\nX-Case: Value \n\n\
POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
        let (results, _) = read_all(input);
        assert_eq!(results.len(), 4);
        let a = results[0].as_ref().unwrap();
        assert_eq!((a.method.as_str(), a.path(), a.query(), a.body.as_slice()), ("POST", "/a", "x=1", &b"hello"[..]));
        assert!(a.keep_alive());
        let b = results[1].as_ref().unwrap();
        assert!(b.http10 && !b.keep_alive());
        assert_eq!(b.headers, vec![("X-Case".to_string(), "Value".to_string())]);
        let c = results[2].as_ref().unwrap();
        assert_eq!(c.body, b"hello world");
        assert!(matches!(results[3], Err(ReadError::Closed)));
    }

    #[test]
    fn rejects_malformed_and_oversized_requests() {
        assert_eq!(status_of(&read_all(b"GARBAGE\r\n\r\n").0[0]), 400);
        assert_eq!(status_of(&read_all(b"GET / HTTP/2.0\r\n\r\n").0[0]), 505);
        assert_eq!(status_of(&read_all(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").0[0]), 400);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").0[0]), 400);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n").0[0]), 413);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n").0[0]), 413);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").0[0]), 501);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").0[0]), 400);
        assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n").0[0]), 413);
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
        assert_eq!(status_of(&read_all(&huge).0[0]), 431);
    }

    #[test]
    fn truncated_request_is_an_io_error() {
        let (results, _) = read_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        assert!(matches!(results[0], Err(ReadError::Broken)));
    }

    #[test]
    fn answers_expect_100_continue() {
        let (results, output) = read_all(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
        assert!(results[0].is_ok());
        assert!(output.is_empty(), "no 100 for an empty body");
        let (results, output) =
            read_segments(&[b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", b"hi"]);
        assert_eq!(results[0].as_ref().unwrap().body, b"hi");
        assert_eq!(output, b"HTTP/1.1 100 Continue\r\n\r\n");
        // A client that did not wait gets no 100.
        let (_, output) = read_all(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nh");
        assert!(output.is_empty());
    }

    #[test]
    fn encodes_one_buffer() {
        let response = Response::json(200, &serde_json::json!({"a": 1})).with_header("X-Evil", "a\r\nb");
        let (bytes, head_len) = response.encode(true, false);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\
X-Evil: ab\r\n\r\n{\"a\":1}"
        );
        assert_eq!(&text[head_len..], "{\"a\":1}");
    }

    #[test]
    fn never_panics_on_mutated_requests() {
        let seeds: [&[u8]; 4] = [
            b"POST /a?x=%41 HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
            b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n0\r\nT: x\r\n\r\n",
            b"GET http://h/p HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "GET /\u{e9}\u{e9}\u{e9}\u{e9}?q=\u{e9} HTTP/1.1\r\nX: \u{e9}\r\n\r\n".as_bytes(),
        ];
        // xorshift: deterministic, no dependency.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let interesting = b"\r\n:; %0aF-\t\x00\xff";
        for round in 0..20_000 {
            let mut input = seeds[round % seeds.len()].to_vec();
            for _ in 0..(next() % 6) {
                let at = (next() as usize) % (input.len() + 1);
                let byte = interesting[(next() as usize) % interesting.len()];
                match next() % 3 {
                    0 if at < input.len() => input[at] = byte,
                    1 if at < input.len() => {
                        input.remove(at);
                    }
                    _ => input.insert(at, byte),
                }
            }
            for request in read_all(&input).0.into_iter().flatten() {
                let _ = (request.path(), request.query(), request.keep_alive());
                let _ = query_pairs(request.query());
                let _ = percent_decode(request.path(), false);
            }
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("tags%5B%5D", true), "tags[]");
        assert_eq!(percent_decode("a+b%20c", true), "a b c");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz%4", true), "%zz%4");
        assert_eq!(
            query_pairs("tags%5B%5D=a+b&tags[]=c&hydrate=false&flag"),
            vec![
                ("tags[]".into(), "a b".into()),
                ("tags[]".into(), "c".into()),
                ("hydrate".into(), "false".into()),
                ("flag".into(), "".into())
            ]
        );
    }
}
