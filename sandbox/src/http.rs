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
/// Longest chunk-size or trailer line in a chunked body (without its CRLF).
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// Largest chunked body on the wire (sizes, extensions, data, CRLFs, trailers); larger ones get
/// 413. Room for the framing of a full [`MAX_BODY`] in small chunks, but bounded.
const MAX_CHUNKED_WIRE: usize = MAX_BODY + 256 * 1024;
/// Most trailer fields after the last chunk; more get 431.
const MAX_TRAILERS: usize = 32;
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
    ///
    /// Strict framing (RFC 9112 §7.1): chunk sizes are hex digits only, every line ends with CRLF,
    /// and the whole encoded body (sizes, extensions, data, trailers) is capped, so no request can
    /// make the connection buffer more than [`MAX_CHUNKED_WIRE`].
    fn read_chunked(&mut self, start: usize) -> Result<(Vec<u8>, usize), ReadError> {
        let limit = start + MAX_CHUNKED_WIRE;
        let mut body = Vec::new();
        let mut pos = start;
        loop {
            let (line_end, next) = self.read_crlf_line(pos, limit)?;
            let size = parse_chunk_size(&self.buf[pos..line_end])?;
            pos = next;
            if size == 0 {
                break;
            }
            if size > MAX_BODY - body.len() {
                return Err(bad(413, "Request body too large"));
            }
            let data_end = pos + size;
            if data_end + 2 > limit {
                return Err(bad(413, "Chunked request body too large"));
            }
            self.fill_to(data_end + 2)?;
            if self.buf[data_end..data_end + 2] != *b"\r\n" {
                return Err(bad(400, "Chunk data must be followed by CRLF"));
            }
            body.extend_from_slice(&self.buf[pos..data_end]);
            pos = data_end + 2;
        }
        // Trailer section: field lines (checked, then ignored) until an empty line.
        let mut trailers = 0;
        loop {
            let (line_end, next) = self.read_crlf_line(pos, limit)?;
            if line_end == pos {
                return Ok((body, next));
            }
            trailers += 1;
            if trailers > MAX_TRAILERS {
                return Err(bad(431, "Too many trailer fields"));
            }
            split_field_line(&self.buf[pos..line_end])?;
            pos = next;
        }
    }

    /// Waits for a CRLF-terminated line of a chunked body starting at `pos`, ending by `limit`;
    /// returns the offset of its CR and the offset just past its LF.
    fn read_crlf_line(&mut self, pos: usize, limit: usize) -> Result<(usize, usize), ReadError> {
        // The longest line allowed, with its CRLF.
        let max_end = pos + MAX_CHUNK_LINE + 2;
        let mut scanned = pos;
        loop {
            let window_end = self.buf.len().min(max_end);
            if let Some(i) = self.buf[scanned..window_end].iter().position(|&b| b == b'\n') {
                let newline = scanned + i;
                if newline == pos || self.buf[newline - 1] != b'\r' {
                    return Err(bad(400, "Lines in a chunked body must end with CRLF"));
                }
                if newline + 1 > limit {
                    return Err(bad(413, "Chunked request body too large"));
                }
                return Ok((newline - 1, newline + 1));
            }
            if window_end == max_end {
                return Err(bad(400, "Chunk line too long"));
            }
            scanned = window_end;
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

/// The size of a chunk from its size line: hex digits only, optionally followed by `;` and
/// extensions (ignored, but without control characters).
fn parse_chunk_size(line: &[u8]) -> Result<usize, ReadError> {
    let (digits, extensions) = line.split_at(line.iter().position(|&b| b == b';').unwrap_or(line.len()));
    if digits.is_empty() {
        return Err(bad(400, "Malformed chunk size"));
    }
    let mut size: usize = 0;
    for &b in digits {
        let digit = (b as char).to_digit(16).ok_or_else(|| bad(400, "Malformed chunk size"))?;
        // Saturates: anything this large is over the limit anyway.
        size = size.saturating_mul(16).saturating_add(digit as usize);
    }
    if extensions.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
        return Err(bad(400, "Control character in chunk extension"));
    }
    Ok(size)
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
        let (name, value) = split_field_line(line)?;
        let value = String::from_utf8_lossy(value).trim_matches([' ', '\t']).to_string();
        headers.push((name.to_string(), value));
    }
    Ok(Head { method: method.to_string(), target: target.to_string(), http10, headers })
}

/// Splits a non-empty header (or trailer) field line into its name and raw value, refusing what a
/// field line cannot hold.
fn split_field_line(line: &[u8]) -> Result<(&str, &[u8]), ReadError> {
    if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
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
    Ok((name, value))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Framing {
    Length(usize),
    Chunked,
}

fn body_framing(head: &Head) -> Result<Framing, ReadError> {
    let mut length: Option<usize> = None;
    // All Transfer-Encoding lines form one list, in order (RFC 9110 §5.3); empty elements are
    // ignored (§5.6.1).
    let mut codings: Option<Vec<&str>> = None;
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
            let list = codings.get_or_insert_with(Vec::new);
            list.extend(value.split(',').map(|c| c.trim_matches([' ', '\t'])).filter(|c| !c.is_empty()));
        }
    }
    // Only chunked alone is supported: chunked must be the final coding, and there is no other.
    let chunked = codings.map(|c| matches!(c.as_slice(), [only] if only.eq_ignore_ascii_case("chunked")));
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
        // Only final responses are encoded here (`Conn` writes the interim 100 Continue itself). A
        // 1xx would leave the client waiting for a final answer that never comes, so anything
        // outside 200–599 goes out as 500; faults are validated to that range beforehand.
        let status = if (200..=599).contains(&self.status) { self.status } else { 500 };
        let bodiless = status == 204 || status == 304;
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

/// The reason phrase of a final status code: the standard one (IANA HTTP Status Code Registry,
/// RFC 9110 wording), else the name of its class (`299 Successful`, `599 Server Error`).
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => match status / 100 {
            2 => "Successful",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Unknown",
        },
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
        /// How much of the front segment was read.
        offset: usize,
        /// Most bytes one read returns.
        trickle: usize,
        output: Vec<u8>,
    }

    impl Read for Mock {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(segment) = self.input.front() else { return Ok(0) };
            let n = buf.len().min(self.trickle).min(segment.len() - self.offset);
            buf[..n].copy_from_slice(&segment[self.offset..self.offset + n]);
            self.offset += n;
            if self.offset == segment.len() {
                self.input.pop_front();
                self.offset = 0;
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
        // Trickle a few bytes at a time to exercise the incremental paths.
        read_with(input, 7)
    }

    fn read_with(input: &[&[u8]], trickle: usize) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
        let stop = AtomicBool::new(false);
        let input = input.iter().map(|s| s.to_vec()).collect();
        let mut conn = Conn::new(Mock { input, offset: 0, trickle, output: Vec::new() }, &stop);
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

    /// A chunked POST with this encoded body.
    fn chunked(body: &[u8]) -> Vec<u8> {
        [b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".as_slice(), body].concat()
    }

    /// The body read from a chunked POST, or the status it was refused with.
    fn chunked_result(body: &[u8]) -> Result<Vec<u8>, u16> {
        chunked_result_with(body, 7)
    }

    fn chunked_result_with(body: &[u8], trickle: usize) -> Result<Vec<u8>, u16> {
        match read_with(&[&chunked(body)], trickle).0.remove(0) {
            Ok(request) => Ok(request.body),
            Err(ReadError::Bad { status, .. }) => Err(status),
            Err(other) => panic!("expected a request or a bad request, got {other:?}"),
        }
    }

    #[test]
    fn chunk_sizes_are_hex_digits_only() {
        assert_eq!(chunked_result(b"5\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
        assert_eq!(chunked_result(b"00005;a=b;c\r\nhello\r\nA\r\n0123456789\r\n000\r\n\r\n").unwrap().len(), 15);
        assert_eq!(chunked_result(b"5;\tq=\"x y\"\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
        for size in [
            &b"+5"[..],
            b" 5",
            b"5 ",
            b"5\t",
            b"5 ;ext",
            b"0x5",
            b"-0",
            b"+0",
            b"",
            b";ext",
            b"5_0",
            b"\xef\xbc\x95", // a fullwidth 5
        ] {
            let body = [size, b"\r\nhello\r\n0\r\n\r\n"].concat();
            assert_eq!(chunked_result(&body), Err(400), "{:?}", String::from_utf8_lossy(size));
        }
        // A control character (here a lone CR) in an extension.
        assert_eq!(chunked_result(b"5;a\rb\r\nhello\r\n0\r\n\r\n"), Err(400));
        // Huge sizes saturate instead of overflowing, and are too large.
        assert_eq!(chunked_result(b"ffffffffffffffffffffffffffffffff\r\n"), Err(413));
        assert_eq!(chunked_result(b"100001\r\n"), Err(413));
    }

    #[test]
    fn chunked_lines_must_end_with_crlf() {
        for body in [
            &b"5\nhello\r\n0\r\n\r\n"[..], // after the size line
            b"5;ext\nhello\r\n0\r\n\r\n",  // after the size line, with an extension
            b"5\r\nhello\n0\r\n\r\n",      // after the data
            b"5\r\nhelloXY0\r\n\r\n",      // no line end after the data
            b"5\r\nhello\r\r\n0\r\n\r\n",  // CR CR LF after the data
            b"5\r\nhello\r\n0\n\r\n",      // after the last chunk
            b"0\r\n\n",                    // the final empty line
            b"0\r\nT: x\n\r\n",            // after a trailer
            b"0\r\nT: x\r\n\n",            // the final empty line after a trailer
            b"0\r\n\r\r\n",                // CR CR LF
        ] {
            assert_eq!(chunked_result(body), Err(400), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn trailers_are_checked_and_capped() {
        assert_eq!(chunked_result(b"0\r\nA: 1\r\nB:\r\n\r\n"), Ok(Vec::new()));
        for trailer in [&b"no colon"[..], b"Bad Name: x", b" folded: x", b"X: a\x00b", b": x"] {
            let body = [b"0\r\n", trailer, b"\r\n\r\n"].concat();
            assert_eq!(chunked_result(&body), Err(400), "{:?}", String::from_utf8_lossy(trailer));
        }
        let trailers = |n: usize| {
            let mut body = b"1\r\nx\r\n0\r\n".to_vec();
            for i in 0..n {
                body.extend_from_slice(format!("T-{i}: {}\r\n", "v".repeat(100)).as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body
        };
        assert_eq!(chunked_result(&trailers(MAX_TRAILERS)), Ok(b"x".to_vec()));
        assert_eq!(chunked_result(&trailers(MAX_TRAILERS + 1)), Err(431));
        // One line is capped too.
        let long = [b"0\r\nT: ".as_slice(), &vec![b'v'; MAX_CHUNK_LINE], b"\r\n\r\n"].concat();
        assert_eq!(chunked_result_with(&long, READ_CHUNK), Err(400));
        let long = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE], b"\r\nx\r\n0\r\n\r\n"].concat();
        assert_eq!(chunked_result_with(&long, READ_CHUNK), Err(400));
        let longest = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE - 2], b"\r\nx\r\n0\r\n\r\n"].concat();
        assert_eq!(chunked_result_with(&longest, READ_CHUNK), Ok(b"x".to_vec()));
    }

    #[test]
    fn chunked_wire_size_is_capped() {
        // A full-size body in 8 KiB chunks is fine: little framing overhead.
        let mut body = Vec::new();
        for _ in 0..MAX_BODY / 8192 {
            body.extend_from_slice(b"2000;chunk=extension\r\n");
            body.extend(std::iter::repeat_n(b'a', 8192));
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\nT: x\r\n\r\n");
        assert_eq!(chunked_result_with(&body, READ_CHUNK).map(|b| b.len()), Ok(MAX_BODY));
        // One byte more is too large.
        let mut over = body[..body.len() - b"0\r\nT: x\r\n\r\n".len()].to_vec();
        over.extend_from_slice(b"1\r\na\r\n0\r\n\r\n");
        assert_eq!(chunked_result_with(&over, READ_CHUNK), Err(413));
        // A small body in one-byte chunks each padded with a 4 KiB extension: too large on the wire.
        let padded = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE - 2], b"\r\nx\r\n"].concat();
        let mut body: Vec<u8> = padded.repeat(MAX_CHUNKED_WIRE / padded.len() + 1);
        body.extend_from_slice(b"0\r\n\r\n");
        assert_eq!(chunked_result_with(&body, READ_CHUNK), Err(413));
        // Many tiny chunks: the body is small, the wire is not.
        let mut body = b"1\r\nx\r\n".repeat(MAX_CHUNKED_WIRE / 6 + 1);
        body.extend_from_slice(b"0\r\n\r\n");
        assert_eq!(chunked_result_with(&body, READ_CHUNK), Err(413));
        // Just under the cap is fine.
        let mut body = b"1\r\nx\r\n".repeat((MAX_CHUNKED_WIRE - 5) / 6);
        body.extend_from_slice(b"0\r\n\r\n");
        assert!(body.len() <= MAX_CHUNKED_WIRE);
        assert_eq!(chunked_result_with(&body, READ_CHUNK).map(|b| b.len()), Ok((MAX_CHUNKED_WIRE - 5) / 6));
    }

    #[test]
    fn transfer_encoding_lines_form_one_list() {
        let status = |headers: &str| {
            let request = format!("POST / HTTP/1.1\r\n{headers}\r\n5\r\nhello\r\n0\r\n\r\n");
            match read_all(request.as_bytes()).0.remove(0) {
                Ok(request) => {
                    assert_eq!(request.body, b"hello");
                    200
                }
                Err(e) => status_of(&Err(e)),
            }
        };
        for (one, two) in [
            ("gzip, chunked", "gzip\r\nTransfer-Encoding: chunked"),
            ("chunked, gzip", "chunked\r\nTransfer-Encoding: gzip"),
            ("chunked, chunked", "chunked\r\nTransfer-Encoding: chunked"),
            ("identity, chunked", "identity\r\nTransfer-Encoding: chunked"),
        ] {
            assert_eq!(status(&format!("Transfer-Encoding: {one}\r\n")), 501, "{one}");
            assert_eq!(status(&format!("Transfer-Encoding: {two}\r\n")), 501, "{two}");
        }
        assert_eq!(status("Transfer-Encoding: chunked\r\n"), 200);
        assert_eq!(status("transfer-encoding: CHUNKED \r\n"), 200);
        // Empty list elements are ignored.
        assert_eq!(status("Transfer-Encoding: ,chunked,\r\n"), 200);
        assert_eq!(status("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n"), 200);
        assert_eq!(status("Transfer-Encoding:\r\n"), 501);
        assert_eq!(status("Transfer-Encoding: gzip\r\n"), 501);
        assert_eq!(status("Transfer-Encoding: chunked\u{a0}\r\n"), 501, "only SP and HTAB are whitespace");
        assert_eq!(status("Transfer-Encoding: gzip\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400);
        assert_eq!(status("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400);
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
    fn encodes_only_final_statuses_with_standard_reasons() {
        let status_line = |status: u16| {
            let response = Response { status, content_type: None, headers: Vec::new(), body: b"x".to_vec() };
            let (bytes, _) = response.encode(false, false);
            let text = String::from_utf8(bytes).unwrap();
            text.split("\r\n").next().unwrap().to_string()
        };
        for (status, line) in [
            (200, "HTTP/1.1 200 OK"),
            (203, "HTTP/1.1 203 Non-Authoritative Information"),
            (299, "HTTP/1.1 299 Successful"),
            (303, "HTTP/1.1 303 See Other"),
            (307, "HTTP/1.1 307 Temporary Redirect"),
            (308, "HTTP/1.1 308 Permanent Redirect"),
            (399, "HTTP/1.1 399 Redirection"),
            (410, "HTTP/1.1 410 Gone"),
            (413, "HTTP/1.1 413 Content Too Large"),
            (422, "HTTP/1.1 422 Unprocessable Content"),
            (451, "HTTP/1.1 451 Unavailable For Legal Reasons"),
            (499, "HTTP/1.1 499 Client Error"),
            (503, "HTTP/1.1 503 Service Unavailable"),
            (511, "HTTP/1.1 511 Network Authentication Required"),
            (599, "HTTP/1.1 599 Server Error"),
            // Never an interim or out-of-range status: the client would wait or guess.
            (100, "HTTP/1.1 500 Internal Server Error"),
            (101, "HTTP/1.1 500 Internal Server Error"),
            (199, "HTTP/1.1 500 Internal Server Error"),
            (42, "HTTP/1.1 500 Internal Server Error"),
            (600, "HTTP/1.1 500 Internal Server Error"),
        ] {
            assert_eq!(status_line(status), line);
        }
        for status in 200..=599 {
            assert_ne!(reason(status), "Unknown", "{status}");
        }
        // 204 and 304 have no body and no Content-Length; the others have both.
        let (bytes, _) =
            Response { status: 204, content_type: None, headers: Vec::new(), body: b"x".to_vec() }.encode(true, false);
        assert_eq!(bytes, b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
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
