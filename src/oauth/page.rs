//! The short HTML pages the listener answers the browser with.

use std::io::{self, Write};

/// One answer to the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// HTTP status code.
    pub(crate) status: u16,
    /// The page's heading (and title).
    pub(crate) heading: &'static str,
    /// One paragraph of plain text; it is HTML-escaped when written.
    pub(crate) text: String,
}

impl Page {
    /// The code was received.
    pub(crate) fn received() -> Self {
        Page {
            status: 200,
            heading: "Authorization received",
            text: "Authorization received. You can close this window.".to_owned(),
        }
    }

    /// The redirect was refused: `reason` is the same sentence the caller gets (no secrets).
    pub(crate) fn failed(reason: &str) -> Self {
        Page { status: 400, heading: "Authorization failed", text: format!("{reason}. You can close this window.") }
    }

    /// Anything but the callback path (`/favicon.ico`, say).
    pub(crate) fn not_found() -> Self {
        Page { status: 404, heading: "Not found", text: "This address only receives an OAuth redirect.".to_owned() }
    }

    /// Any other method than GET on the callback path, or bytes that are not an HTTP request.
    pub(crate) fn bad_request() -> Self {
        Page { status: 400, heading: "Bad request", text: "This address only receives an OAuth redirect.".to_owned() }
    }

    /// A head too large to be a redirect.
    pub(crate) fn too_large() -> Self {
        Page {
            status: 431,
            heading: "Request header fields too large",
            text: "This address only receives an OAuth redirect.".to_owned(),
        }
    }

    /// Writes the whole response: `Connection: close`, and headers that keep the page (whose URL
    /// held the code) out of caches and referrers.
    pub(crate) fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let heading = self.heading;
        let body = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{heading}</title></head>\n\
             <body style=\"font-family: sans-serif; margin: 3em\"><h1>{heading}</h1>\n<p>{}</p></body></html>\n",
            escape(&self.text)
        );
        let reason = match self.status {
            200 => "OK",
            404 => "Not Found",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
            self.status,
            body.len()
        );
        out.write_all(head.as_bytes())?;
        out.write_all(body.as_bytes())?;
        out.flush()
    }
}

/// `text` safe to place in HTML: `&`, `<`, `>`, `"` and `'` as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_complete_html_responses_with_escaped_text() {
        let mut out = Vec::new();
        Page::failed("error `<script>` & \"x\"").write_to(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"));
        assert!(head.contains("\r\nConnection: close"));
        assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
        assert!(body.contains("error `&lt;script&gt;` &amp; &quot;x&quot;. You can close this window."), "{body}");
        assert!(!body.contains("<script>"));
    }
}
