//! The crate's one error type.
//!
//! Every variant is a case a caller can act on: fix the input, supply the missing entries, read
//! what the server said, or try again later. No variant's `Debug` or `Display` contains a secret:
//! input problems name keys, never values, and text that came from the server has every secret the
//! client knows replaced by `[redacted]` before it is stored.

use std::cell::OnceCell;
use std::fmt;
use std::time::Duration;

/// How much of a server's body an error keeps (the body is in [`ApiError::body`]).
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// How much of an undecodable body an error message quotes.
const SNIPPET_CHARS: usize = 200;

/// Everything that can go wrong when provisioning an instance.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request or the client settings are malformed: an empty element key or name, a
    /// typographic quote, a configuration value of the wrong type, a bad base URL. Nothing was
    /// sent. Each problem is one sentence that names the key, never the value.
    InvalidInput {
        /// One sentence per problem, all found at once.
        problems: Vec<String>,
    },
    /// Required configuration entries are missing or empty. Nothing was sent.
    MissingConfiguration {
        /// The element key of the request.
        element: String,
        /// Every missing entry, in catalog order.
        missing: Vec<String>,
    },
    /// The server answered with an HTTP status of 400 or more.
    Api(ApiError),
    /// The exchange failed below HTTP: name resolution, connect, TLS, a reset or a truncated
    /// response. When the failure came after the request was sent, the instance may have been
    /// created.
    Transport {
        /// What failed.
        kind: TransportKind,
        /// A sentence for humans.
        message: String,
        /// The underlying error.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A configured timeout ran out. The instance may have been created if the request was sent.
    Timeout {
        /// Which timeout.
        kind: TimeoutKind,
        /// Its configured length.
        limit: Duration,
    },
    /// The server answered something that is not a usable response: not JSON (an HTML page from a
    /// proxy, say), JSON without an instance token, a body over the size cap.
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// What is wrong with it.
        reason: String,
        /// The start of the body, secrets redacted.
        snippet: String,
    },
}

/// What the server said when it answered with an error status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The server's `message`, when the body had one.
    pub message: Option<String>,
    /// The server's `requestId`, to quote to support.
    pub request_id: Option<String>,
    /// The third-party service's own message (`providerMessage`), when present.
    pub provider_message: Option<String>,
    /// The body as received (at most [`MAX_ERROR_BODY`] bytes, secrets redacted).
    pub body: String,
    /// The server's `Retry-After`, in seconds or as an HTTP date, as a wait from when the answer
    /// arrived.
    pub retry_after: Option<Duration>,
    /// The answer came to a create and does not rule out that the instance was created (a 500 or
    /// 502, say): look before creating again.
    pub instance_may_exist: bool,
}

/// The kind of a [`Error::Transport`] failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The host name could not be resolved.
    Dns,
    /// No connection could be made (refused, unreachable).
    Connect,
    /// The TLS handshake failed (an untrusted certificate, say).
    Tls,
    /// The proxy refused or failed the connection.
    Proxy,
    /// The connection was reset or closed before the whole response arrived.
    Reset,
    /// The server did not speak valid HTTP/1.1.
    Protocol,
    /// Any other I/O failure.
    Io,
}

/// Which timeout ran out in an [`Error::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Resolving and connecting (including TLS) took longer than the connect timeout.
    Connect,
    /// The whole call took longer than the overall timeout.
    Overall,
}

/// A fieldless summary of an [`Error`], for mapping to status codes in other languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::InvalidInput`].
    InvalidInput,
    /// [`Error::MissingConfiguration`].
    MissingConfiguration,
    /// [`Error::Api`] with status 401.
    Unauthorized,
    /// [`Error::Api`] with status 404.
    NotFound,
    /// [`Error::Api`] with status 429, or 503 with a `Retry-After`: the server asks to wait, for
    /// longer than the client's retries would (see [`ApiError::retry_after`]).
    RateLimited,
    /// [`Error::Api`] with any other status.
    Api,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Decode`].
    Decode,
}

impl Error {
    /// The kind of error, without its details.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::MissingConfiguration { .. } => ErrorKind::MissingConfiguration,
            Error::Api(api) if api.status == 401 => ErrorKind::Unauthorized,
            Error::Api(api) if api.status == 404 => ErrorKind::NotFound,
            Error::Api(api) if api.status == 429 || (api.status == 503 && api.retry_after.is_some()) => {
                ErrorKind::RateLimited
            }
            Error::Api(_) => ErrorKind::Api,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
        }
    }

    /// The HTTP status of the response this error came from, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the instance may exist although the create failed: the request was sent and the
    /// answer was lost (a timeout, a reset, a truncated body) or does not say (a 500 or 502, an
    /// undecodable success). Creating again blindly could make a second instance; with
    /// [`ClientBuilder::idempotent`](crate::ClientBuilder::idempotent) the client looks first.
    pub fn instance_may_exist(&self) -> bool {
        match self {
            Error::Api(api) => api.instance_may_exist,
            Error::Transport { kind, .. } => {
                matches!(kind, TransportKind::Reset | TransportKind::Io | TransportKind::Protocol)
            }
            Error::Timeout { kind, .. } => *kind == TimeoutKind::Overall,
            Error::Decode { status, .. } => (200..300).contains(status),
            Error::InvalidInput { .. } | Error::MissingConfiguration { .. } => false,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The missing configuration entries, in catalog order (empty for other errors).
    pub fn missing(&self) -> &[String] {
        match self {
            Error::MissingConfiguration { missing, .. } => missing,
            _ => &[],
        }
    }

    /// The server's request id, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(problem: impl Into<String>) -> Self {
        Error::InvalidInput { problems: vec![problem.into()] }
    }

    /// An [`Error::Decode`]; the reason and the body pass through `redactor` first, and the body
    /// loses any instance token it carries (the client cannot know that token in advance).
    pub(crate) fn decode(status: u16, reason: &str, body: &str, redactor: &Redactor<'_>) -> Self {
        Error::Decode {
            status,
            reason: redactor.apply(reason),
            // Unescaped first, so that `"tok\u0065n"` is found as the `"token"` it is.
            snippet: snippet(&without_token_values(&unescape_json(&redactor.apply(body)))),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { problems } => {
                write!(f, "invalid input: {}", problems.join("; "))
            }
            Error::MissingConfiguration { element, missing } => {
                write!(f, "missing required configuration for element `{element}`: {}", missing.join(", "))
            }
            Error::Api(api) => api.fmt(f),
            Error::Transport { message, .. } => f.write_str(message),
            Error::Timeout { kind, limit } => {
                let ms = limit.as_millis();
                match kind {
                    // Nothing was sent: nothing can have been created.
                    TimeoutKind::Connect => write!(f, "timed out: connecting to the server took longer than {ms} ms"),
                    TimeoutKind::Overall => write!(
                        f,
                        "timed out: the request took longer than {ms} ms; if the request was sent, the instance may \
                         have been created"
                    ),
                }
            }
            Error::Decode { status, reason, snippet } => {
                write!(f, "undecodable response (HTTP {status}): {reason}")?;
                if !snippet.is_empty() {
                    write!(f, "; body starts: {snippet:?}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None if self.body.is_empty() => f.write_str(" with an empty body")?,
            None => write!(f, "; body starts: {:?}", snippet(&self.body))?,
        }
        if let Some(provider) = &self.provider_message {
            write!(f, " (provider: {provider})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; the server asks to retry after {} s", wait.as_secs())?;
        }
        if self.instance_may_exist {
            f.write_str("; the instance may have been created")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source: Some(source), .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl std::error::Error for ApiError {}

/// The start of `text`, at most [`SNIPPET_CHARS`] characters, for messages.
pub(crate) fn snippet(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Secrets shorter than this are not searched for in text: replacing every `a` or `u` in a
/// message would garble it, and real secrets, tokens and passwords are longer.
pub(crate) const MIN_REDACTED_LEN: usize = 4;

/// Hides known secrets in text that came from elsewhere (the server, the HTTP library).
///
/// Servers echo configuration values (the Close.io sample echoes the password), sometimes inside
/// JSON strings where `"` is `\"`, `/` may be `\/` and non-ASCII is `\uXXXX`; every such form is
/// searched for, longest first, so that one secret inside another leaves no tail behind.
///
/// It only borrows the secrets: the search forms are worked out the first time it is applied,
/// so a call that succeeds pays nothing for it.
#[derive(Default)]
pub(crate) struct Redactor<'a> {
    secrets: Vec<&'a str>,
    needles: OnceCell<Vec<String>>,
}

impl<'a> Redactor<'a> {
    pub(crate) fn new(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Redactor { secrets: secrets.into_iter().collect(), needles: OnceCell::new() }
    }

    /// Every form of every secret, longest first.
    fn needles(&self) -> &[String] {
        self.needles.get_or_init(|| {
            let mut needles = Vec::new();
            for secret in self.secrets.iter().filter(|s| s.chars().count() >= MIN_REDACTED_LEN) {
                // As JSON writes it inside a string: `"` and `\` escaped, non-ASCII as is or as \uXXXX.
                let json = serde_json::to_string(secret).unwrap_or_default();
                let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_owned();
                let escaped = |upper: bool| -> String {
                    json.encode_utf16()
                        .map(|u| match (u < 0x80, upper) {
                            (true, _) => char::from(u as u8).to_string(),
                            (false, false) => format!("\\u{u:04x}"),
                            (false, true) => format!("\\u{u:04X}"),
                        })
                        .collect()
                };
                for form in [(*secret).to_owned(), json.clone(), escaped(false), escaped(true)] {
                    needles.push(form.replace('/', "\\/"));
                    needles.push(form);
                }
            }
            needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            needles.dedup();
            needles
        })
    }

    /// `text` with every occurrence of every secret replaced by `[redacted]`.
    ///
    /// JSON may write any character as `\uXXXX` (.NET's serializer writes `+` as `\u002B`), so
    /// such escapes are first written as the characters they stand for.
    pub(crate) fn apply(&self, text: &str) -> String {
        if self.needles().is_empty() {
            return text.to_owned();
        }
        let mut out = unescape_json(text).into_owned();
        for needle in self.needles() {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "[redacted]");
            }
        }
        out
    }
}

/// `text` with the JSON escapes `\uXXXX` and `\/` replaced by the characters they stand for,
/// except where JSON needs an escape (`\"`, `\\`, control characters), so that the result means
/// the same JSON and every secret in it is spelled one way. Text that is not JSON passes through
/// with at most such sequences rewritten.
fn unescape_json(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        match escape.chars().next() {
            Some('u') => match decode_unicode_escape(escape) {
                Some(('"', used)) => {
                    out.push_str("\\\"");
                    rest = &escape[used..];
                }
                Some(('\\', used)) => {
                    out.push_str("\\\\");
                    rest = &escape[used..];
                }
                Some((c, used)) if !c.is_control() => {
                    out.push(c);
                    rest = &escape[used..];
                }
                _ => {
                    out.push_str("\\u");
                    rest = &escape[1..];
                }
            },
            Some('/') => {
                out.push('/');
                rest = &escape[1..];
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
                rest = &escape[other.len_utf8()..];
            }
            None => {
                out.push('\\');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The character of `uXXXX` (or of a surrogate pair `uD83D\uDE00`) at the start of `escape`, and
/// how many bytes it took.
fn decode_unicode_escape(escape: &str) -> Option<(char, usize)> {
    let unit = |at: usize| escape.get(at..at + 4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    let high = u32::from_str_radix(unit(1)?, 16).ok()?;
    if (0xD800..0xDC00).contains(&high) {
        let low = escape.get(5..7).filter(|s| *s == "\\u").and_then(|_| unit(7));
        let low = u32::from_str_radix(low?, 16).ok().filter(|low| (0xDC00..0xE000).contains(low))?;
        return char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).map(|c| (c, 11));
    }
    char::from_u32(high).map(|c| (c, 5))
}

/// `text` (a JSON document, possibly malformed or cut short) with the string value of every
/// `"token"` member replaced by `[redacted]`: a token the server issued must not reach an error
/// message even when the rest of its answer could not be decoded.
pub(crate) fn without_token_values(text: &str) -> String {
    const KEY: &str = "\"token\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after_key) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let value = after_key.trim_start();
        let Some(value) = value.strip_prefix(':').map(str::trim_start) else {
            rest = after_key;
            continue;
        };
        let Some(inside) = value.strip_prefix('"') else {
            rest = after_key;
            continue;
        };
        out.push_str(&after_key[..after_key.len() - value.len()]);
        out.push_str("\"[redacted]");
        // Skip to the closing quote (or the end of a cut-short body), honouring escapes.
        let mut escaped = false;
        let end = inside
            .char_indices()
            .find(|&(_, c)| {
                let closes = !escaped && c == '"';
                escaped = !escaped && c == '\\';
                closes
            })
            .map_or(inside.len(), |(i, _)| i);
        rest = &inside[end..];
    }
    out.push_str(rest);
    out
}

/// A message from serde with every quoted value replaced by `"…"`: serde quotes the values it
/// could not use (`invalid type: string "hunter2", expected a boolean`), and names fields in
/// backticks, which are kept.
pub(crate) fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_cuts_on_a_char_boundary() {
        let long = "é".repeat(500);
        let s = snippet(&long);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(snippet("short"), "short");
    }

    #[test]
    fn redact_replaces_every_occurrence_and_every_escaped_form() {
        let r = Redactor::new(["hunter2", "", "u"]);
        assert_eq!(r.apply("pw=hunter2, again hunter2, u"), "pw=[redacted], again [redacted], u");
        let r = Redactor::new(["pa\"ss/wörd", "usersecret1", "usersecret1-tail"]);
        for text in [
            r#"bad pa\"ss/wörd"#,
            r#"bad pa\"ss\/wörd"#,
            r#"bad pa\"ss/w\u00f6rd"#,
            r#"bad pa\"ss\/w\u00F6rd"#,
            "bad pa\"ss/wörd",
        ] {
            assert_eq!(r.apply(text), "bad [redacted]", "{text}");
        }
        assert_eq!(r.apply("usersecret1-tail and usersecret1"), "[redacted] and [redacted]");
    }

    #[test]
    fn secrets_spelled_with_any_unicode_escape_are_found() {
        let r = Redactor::new(["PW+SECRET/é😀\"q"]);
        for text in [
            r#"bad PW\u002BSECRET/é😀\"q"#,
            r#"bad \u0050\u0057\u002bSECRET\/\u00e9\ud83d\ude00\u0022q"#,
            r#"bad PW+SECRET\/\u00E9\uD83D\uDE00\"q"#,
        ] {
            assert_eq!(r.apply(text), "bad [redacted]", "{text}");
        }
        // Escapes JSON needs stay; an escaped backslash is not the start of an escape.
        let r = Redactor::new(["nothing-here"]);
        assert_eq!(r.apply(r#"a\u000a b\\u0041 c\u12 d\"#), r#"a\u000a b\\u0041 c\u12 d\"#);
        assert_eq!(r.apply(r#"lone \ud800 and \udc00"#), r#"lone \ud800 and \udc00"#);
        assert_eq!(r.apply(r#"\u0041\/"#), "A/");
    }

    #[test]
    fn token_values_are_blanked_in_quoted_bodies() {
        assert_eq!(
            without_token_values(r#"{"id": 7, "token" : "tok-VERY\"SECRET=", "name": "x",}"#),
            r#"{"id": 7, "token" : "[redacted]", "name": "x",}"#
        );
        assert_eq!(without_token_values(r#"{"token":"cut-sho"#), r#"{"token":"[redacted]"#);
        assert_eq!(without_token_values(r#"{"token": 5, "a": "token"}"#), r#"{"token": 5, "a": "token"}"#);
        assert_eq!(without_token_values("no json"), "no json");
        let err = Error::decode(200, "r", r#"[{"tok\u0065n":"tok-SECRET"}]"#, &Redactor::default());
        assert!(!err.to_string().contains("tok-SECRET"), "{err}");
    }

    #[test]
    fn serde_messages_lose_their_quoted_values() {
        assert_eq!(
            without_quoted_values(r#"invalid type: string "hunter2", expected a boolean"#),
            r#"invalid type: string "…", expected a boolean"#
        );
        assert_eq!(without_quoted_values("missing field `id`"), "missing field `id`");
    }

    #[test]
    fn api_error_display_names_everything_the_server_said() {
        let e = Error::Api(ApiError {
            status: 502,
            message: Some("Provider failed".into()),
            request_id: Some("abc".into()),
            provider_message: Some("Bad gateway at pardot".into()),
            body: String::new(),
            retry_after: None,
            instance_may_exist: false,
        });
        assert_eq!(e.to_string(), "HTTP 502: Provider failed (provider: Bad gateway at pardot) [request id abc]");
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.status(), Some(502));
        assert!(!e.instance_may_exist());
    }

    #[test]
    fn rate_limited_is_429_or_503_with_retry_after() {
        let api = |status, retry_after| {
            Error::Api(ApiError {
                status,
                message: None,
                request_id: None,
                provider_message: None,
                body: String::new(),
                retry_after,
                instance_may_exist: false,
            })
        };
        let minute = Some(Duration::from_secs(120));
        assert_eq!(api(429, None).kind(), ErrorKind::RateLimited);
        assert_eq!(api(503, minute).kind(), ErrorKind::RateLimited);
        assert_eq!(api(503, None).kind(), ErrorKind::Api);
        assert_eq!(api(503, minute).retry_after(), minute);
        assert!(api(429, minute).to_string().ends_with("; the server asks to retry after 120 s"));
    }
}
