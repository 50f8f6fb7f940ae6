//! Request bodies: choosing the framing (Content-Length or chunked) from the headers, and reading
//! a chunked body under strict RFC 9112 framing (`httparse` reads chunk sizes and trailers).

use std::io::{Read, Write};

use super::conn::Conn;
use super::request::Request;
use super::{MAX_BODY, MAX_CHUNK_LINE, MAX_CHUNKED_WIRE, MAX_TRAILERS, ReadError, bad};

/// How a request's body is delimited.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Framing {
    /// Exactly this many bytes (no Content-Length: none).
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// The framing of a request's body, refusing ambiguous framing (RFC 9112 §6.3): Content-Length
/// headers that disagree, Content-Length beside Transfer-Encoding, any coding but chunked alone.
pub(super) fn body_framing(request: &Request) -> Result<Framing, ReadError> {
    let mut length: Option<usize> = None;
    // All Transfer-Encoding lines form one list, in order (RFC 9110 §5.3); empty elements are
    // ignored (§5.6.1).
    let mut codings: Option<Vec<&str>> = None;
    for (name, value) in &request.headers {
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
        (Some(_), None) if request.http10 => Err(bad(400, "Transfer-Encoding is not allowed in HTTP/1.0")),
        (Some(true), None) => Ok(Framing::Chunked),
        (Some(false), None) => Err(bad(501, "Only the chunked transfer coding is supported")),
        (None, Some(n)) if n > MAX_BODY => Err(bad(413, "Request body too large")),
        (None, Some(n)) => Ok(Framing::Length(n)),
        (None, None) => Ok(Framing::Length(0)),
    }
}

impl<S: Read + Write> Conn<'_, S> {
    /// Decodes a chunked body starting at `start`; returns the body and the offset just past it.
    ///
    /// Strict framing (RFC 9112 §7.1): chunk sizes are hex digits only, every line ends with CRLF,
    /// and the whole encoded body (sizes, extensions, data, trailers) is capped, so no request can
    /// make the connection buffer more than [`MAX_CHUNKED_WIRE`].
    pub(super) fn read_chunked(&mut self, start: usize) -> Result<(Vec<u8>, usize), ReadError> {
        let limit = start + MAX_CHUNKED_WIRE;
        let mut body = Vec::new();
        let mut pos = start;
        loop {
            let (_, next) = self.read_crlf_line(pos, limit)?;
            let size = chunk_size(&self.buf[pos..next])?;
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
            check_trailer(&self.buf[pos..next])?;
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
}

/// The size of a chunk from its size line (with its CRLF): hex digits only, optionally followed
/// by `;` and extensions (ignored, but without control characters).
///
/// `httparse` reads the size; it also tolerates what RFC 9112 does not (an empty size, whitespace
/// after it, control characters in extensions), which is refused here first.
fn chunk_size(with_crlf: &[u8]) -> Result<usize, ReadError> {
    let line = with_crlf.strip_suffix(b"\r\n").unwrap_or(with_crlf);
    let digits = line.iter().position(|&b| b == b';').unwrap_or(line.len());
    let (size, extensions) = line.split_at(digits);
    if size.is_empty() || !size.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad(400, "Malformed chunk size"));
    }
    if extensions.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
        return Err(bad(400, "Control character in chunk extension"));
    }
    // Leading zeros do not count towards `httparse`'s limit of 16 digits.
    let zeros = size.iter().take_while(|&&b| b == b'0').count().min(size.len() - 1);
    match httparse::parse_chunk_size(&with_crlf[zeros..]) {
        Ok(httparse::Status::Complete((_, size))) => Ok(usize::try_from(size).unwrap_or(usize::MAX)),
        // The line was complete and well formed: only the size can be beyond `u64`. Anything
        // this large is over the limit anyway.
        Ok(httparse::Status::Partial) | Err(_) => Ok(usize::MAX),
    }
}

/// Checks one trailer field line (with its CRLF) as `httparse` checks header lines: a token name,
/// no control characters, no obsolete line folding.
fn check_trailer(line: &[u8]) -> Result<(), ReadError> {
    // A valid field line is a complete field and an incomplete section (no empty line yet).
    let mut fields = [httparse::EMPTY_HEADER; 2];
    match httparse::parse_headers(line, &mut fields) {
        Ok(httparse::Status::Partial) => Ok(()),
        _ => Err(bad(400, "Malformed trailer field")),
    }
}
