//! Reads the head of the one request a browser sends on a connection, and decodes its query.

use std::io::Read;

/// The most a request head may take; a redirect's URL is far shorter.
pub(crate) const MAX_HEAD: usize = 16 * 1024;

/// The request line of a browser's request.
#[derive(Debug)]
pub(crate) struct RequestLine {
    /// `GET`, `HEAD`...
    pub(crate) method: String,
    /// The target's path, as sent (not decoded).
    pub(crate) path: String,
    /// The text after the target's `?`, if it had one.
    pub(crate) query: Option<String>,
}

/// What came in on a connection.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A complete request head.
    Request(RequestLine),
    /// Nothing usable: closed or idle until the deadline (a browser's pre-connect), or reset.
    Nothing,
    /// Bytes that are not an HTTP/1.x request head.
    Malformed,
    /// A head over [`MAX_HEAD`] bytes.
    TooLarge,
}

/// Reads until the end of the request head (the blank line); the stream's read timeout bounds
/// each wait.
pub(crate) fn read_request(stream: &mut impl Read) -> Incoming {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Incoming::Nothing,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = find(&head, b"\r\n\r\n").or_else(|| find(&head, b"\n\n")) {
            return parse_request_line(&head[..end]).map_or(Incoming::Malformed, Incoming::Request);
        }
        if head.len() > MAX_HEAD {
            return Incoming::TooLarge;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `METHOD /path?query HTTP/1.x`, the first line of `head`.
fn parse_request_line(head: &[u8]) -> Option<RequestLine> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let valid = parts.next().is_none()
        && !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && target.starts_with('/')
        && version.starts_with("HTTP/1.");
    if !valid {
        return None;
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    Some(RequestLine { method: method.to_owned(), path: path.to_owned(), query })
}

/// The value of the first `name=value` pair of `query` whose decoded name is `name`, decoded
/// (`%XX` escapes, `+` for a space). A pair without `=` has an empty value.
pub(crate) fn query_param(query: &str, name: &str) -> Option<Vec<u8>> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name.as_bytes()).then(|| decode(value))
    })
}

/// `text` with `+` as a space and each `%XX` as the byte it stands for; a `%` not followed by
/// two hex digits stays as it is.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded_with_plus_as_space() {
        let q = "code=4%2FP7q%2B%3D&state=a+b%20c&flag&error_description=%E2%9C%93%&x=%zz%4";
        assert_eq!(query_param(q, "code").unwrap(), b"4/P7q+=");
        assert_eq!(query_param(q, "state").unwrap(), b"a b c");
        assert_eq!(query_param(q, "flag").unwrap(), b"");
        assert_eq!(query_param(q, "error_description").unwrap(), "✓%".as_bytes());
        assert_eq!(query_param(q, "x").unwrap(), b"%zz%4");
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param("c%6Fde=1&code=2", "code").unwrap(), b"1");
    }

    #[test]
    fn request_heads_are_read_to_the_blank_line() {
        let mut input: &[u8] = b"GET /cb?code=1 HTTP/1.1\r\nHost: x\r\n\r\n";
        match read_request(&mut input) {
            Incoming::Request(r) => {
                assert_eq!((r.method.as_str(), r.path.as_str(), r.query.as_deref()), ("GET", "/cb", Some("code=1")));
            }
            other => panic!("{other:?}"),
        }
        for bad in [&b"GET /cb\r\n\r\n"[..], b"GET cb HTTP/1.1\r\n\r\n", b"\x16\x03\x01\r\n\r\n", b"get / HTTP/1.1\n\n"]
        {
            assert!(matches!(read_request(&mut &bad[..]), Incoming::Malformed), "{bad:?}");
        }
        assert!(matches!(read_request(&mut &b"GET / HTTP/1.1\r\n"[..]), Incoming::Nothing));
        assert!(matches!(read_request(&mut &b""[..]), Incoming::Nothing));
        let long = [b'a'; MAX_HEAD + 10];
        assert!(matches!(read_request(&mut &long[..]), Incoming::TooLarge));
    }
}
