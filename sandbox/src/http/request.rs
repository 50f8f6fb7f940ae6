//! A request: its head parsed by `httparse`, and what the server asks of it (headers, path,
//! query, keep-alive).

use super::{ReadError, bad};

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

/// Parses a complete head (request line, header lines and the blank line ending them) into a
/// request without a body.
///
/// `httparse` checks the syntax: a token method, one space on each side of the target, HTTP/1.0
/// or HTTP/1.1, token header names, no control characters, no obsolete line folding. The sandbox
/// adds the 505 for another HTTP version and refuses targets that are neither origin nor absolute
/// form.
pub(super) fn parse_head(raw: &[u8]) -> Result<Request, ReadError> {
    // Never more header lines than lines: no request is refused for its number of headers alone
    // (the head's size is capped instead).
    let lines = raw.iter().filter(|&&b| b == b'\n').count();
    let mut fields = vec![httparse::EMPTY_HEADER; lines];
    let mut parsed = httparse::Request::new(&mut fields);
    match parsed.parse(raw) {
        // The head ends where the connection found its blank line, or the framing is in doubt.
        Ok(httparse::Status::Complete(len)) if len == raw.len() => {}
        Ok(_) => return Err(bad(400, "Malformed request head")),
        Err(httparse::Error::Version) if other_http_version(raw) => {
            return Err(bad(505, "HTTP version not supported"));
        }
        Err(e @ (httparse::Error::HeaderName | httparse::Error::HeaderValue)) => {
            return Err(bad(400, format!("Malformed header line: {e}")));
        }
        Err(_) => return Err(bad(400, "Malformed request line")),
    }
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version) else {
        return Err(bad(400, "Malformed request line"));
    };
    if !(target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://")) {
        return Err(bad(400, "Unsupported request target"));
    }
    let headers = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim_matches([' ', '\t']).to_string()))
        .collect();
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        http10: version == 0,
        headers,
        body: Vec::new(),
    })
}

/// Whether the request line names an HTTP version other than 1.0 and 1.1 (`HTTP/2.0`): that is a
/// 505, any other malformed version a 400.
fn other_http_version(raw: &[u8]) -> bool {
    let line = raw.split(|&b| b == b'\n').next().unwrap_or(b"");
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.rsplit(|&b| b == b' ').next().is_some_and(|v| v.len() == 8 && v.starts_with(b"HTTP/"))
}
