//! Responses: building them (JSON, the platform's error body) and encoding head and body into
//! one buffer, which the server then writes whole, cut in half or byte by byte (see `faults.rs`).

use std::io::Write;

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
    // `http` still has the RFC 7231 wording of these, and a phrase for the unused 418.
    let standard = match status {
        203 => Some("Non-Authoritative Information"),
        413 => Some("Content Too Large"),
        418 => None,
        422 => Some("Unprocessable Content"),
        _ => http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()),
    };
    standard.unwrap_or(match status / 100 {
        2 => "Successful",
        3 => "Redirection",
        4 => "Client Error",
        5 => "Server Error",
        _ => "Unknown",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            (418, "HTTP/1.1 418 Client Error"),
            (422, "HTTP/1.1 422 Unprocessable Content"),
            (451, "HTTP/1.1 451 Unavailable For Legal Reasons"),
            (499, "HTTP/1.1 499 Client Error"),
            (503, "HTTP/1.1 503 Service Unavailable"),
            (505, "HTTP/1.1 505 HTTP Version Not Supported"),
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
    fn head_only_keeps_the_head() {
        let response = Response::json(200, &serde_json::json!({"a": 1}));
        let (full, head_len) = response.encode(false, false);
        let (head, head_only_len) = response.encode(false, true);
        assert_eq!((head.as_slice(), head_only_len), (&full[..head_len], head_len));
    }
}
